-- stormops 0.1.0 install script, assembled by the Makefile from sql/0.1.0/*.sql.
--
-- Safety rules for every part: each name is schema-qualified (operators as
-- OPERATOR(pg_catalog.=)), SQL functions use SQL-standard bodies (parsed here,
-- at install time), PL/pgSQL functions pin search_path to pg_catalog, pg_temp,
-- and SECURITY DEFINER is used only where a role must write what it may not
-- touch directly (the playbook history).

\echo Use "CREATE EXTENSION stormops" to load this file. \quit
