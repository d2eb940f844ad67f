-- stormops install script, assembled by the Makefile from sql/parts/*.sql in
-- file-name order (each part calls nothing defined in a later one).
--
-- Safety rules for every part: each name is schema-qualified (operators as
-- OPERATOR(pg_catalog.=)), SQL functions use SQL-standard bodies (parsed here,
-- at install time), PL/pgSQL functions pin search_path to pg_catalog, pg_temp,
-- and SECURITY DEFINER is used only where a role must write what it may not
-- touch directly (the playbook history, proposals, contact plans).
--
-- Releases (docs/upgrades.md): a released install script is frozen
-- (sql/stormops--0.1.0.sql). A part is a schema part (types, tables,
-- indexes: created once; later changes go into sql/updates/A--B.sql) or a
-- code part (functions, views, triggers: CREATE OR REPLACE throughout, so the
-- update script can include it whole with --@include). test/shell/upgrade.sh
-- checks that an updated database has the catalog of a fresh install.

\echo Use "CREATE EXTENSION stormops" to load this file. \quit
