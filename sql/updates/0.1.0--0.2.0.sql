-- stormops 0.1.0 -> 0.2.0: contact plans (contact-plans.md).
--
-- Schema changes to 0.1.0 objects are written here; new and changed code
-- comes from sql/parts through --@include (the Makefile inlines each part
-- whole). test/shell/upgrade.sh checks that the result has the catalog of a
-- fresh 0.2.0 install and keeps every row. Columns are added at the end of
-- their tables, where the 0.2.0 parts declare them too.

\echo Use "ALTER EXTENSION stormops UPDATE TO '0.2.0'" to load this file. \quit

--@include 01_local_time.sql

ALTER TABLE stormops.zip_codes
  ADD COLUMN time_zone pg_catalog.text
      CONSTRAINT zip_codes_time_zone_known CHECK (stormops.is_time_zone(time_zone));
COMMENT ON COLUMN stormops.zip_codes.time_zone IS
  'IANA time zone of the ZIP, e.g. America/Chicago; NULL reads as stormops.default_time_zone. Contact windows are local to it.';

--@include 90_roles.sql
