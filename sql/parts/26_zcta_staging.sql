-- ZIP codes in: the Census 2020 ZCTA gazetteer (bin/stormops-load zctas).
-- A schema part, new in 0.2.0: the staging table; the ingest function is
-- in 27_zcta_ingestion.sql.

-- The file's columns as text, in its order (ZCTA5, Primary County, Primary
-- County Subdivision, Primary Place, Primary Urban Area, Population, Housing
-- Units, Land Area, Water Area, Latitude, Longitude), so \copy ... CSV
-- HEADER fills it.
CREATE TABLE stormops.zcta_staging (
  zcta5 text, primary_county text, primary_county_subdivision text, primary_place text,
  primary_urban_area text, population text, housing_units text, land_area text, water_area text,
  latitude text, longitude text
);
COMMENT ON TABLE stormops.zcta_staging IS
  'Load with: \copy stormops.zcta_staging FROM ''zctas_2020.csv'' WITH (FORMAT csv, HEADER true), then SELECT * FROM stormops.ingest_zctas();';
