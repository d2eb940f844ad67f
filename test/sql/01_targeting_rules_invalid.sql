-- Invalid targeting rules are refused when a playbook is written: SQLSTATE
-- 22023, the JSON path in DETAIL, what is accepted in HINT, nothing stored.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS stormops;
\set VERBOSITY default
\set SHOW_CONTEXT never

PREPARE add_play(jsonb) AS
  INSERT INTO stormops.playbooks (playbook_name, targeting_rules, channel_strategy)
  VALUES ('Invalid-Targeting', $1, '{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0}]}');

-- Not an object, or not JSON the core accepts
EXECUTE add_play('[]');
EXECUTE add_play('"physics"');
-- Unknown sections and keys, wrong section types
EXECUTE add_play('{"phyiscs": {"min_sii_score": 70}}');
EXECUTE add_play('{"physics": {"min_sii": 70}}');
EXECUTE add_play('{"physics": [70]}');
EXECUTE add_play('{"geography": "75034"}');
-- physics
EXECUTE add_play('{"physics": {"min_sii_score": 100.5}}');
EXECUTE add_play('{"physics": {"min_sii_score": -1}}');
EXECUTE add_play('{"physics": {"min_sii_score": "70"}}');
EXECUTE add_play('{"physics": {"min_sii_score": 1e309}}');
EXECUTE add_play('{"physics": {"max_days_since_storm": -0.5}}');
EXECUTE add_play('{"physics": {"roof_age_min": 10.5}}');
EXECUTE add_play('{"physics": {"roof_age_min": -1}}');
EXECUTE add_play('{"physics": {"roof_age_min": 30, "roof_age_max": 10}}');
EXECUTE add_play('{"physics": {"roof_age_max": 100000000000000000000000}}');
-- geography
EXECUTE add_play('{"geography": {"zips": []}}');
EXECUTE add_play('{"geography": {"zips": ["75034", "7503"]}}');
EXECUTE add_play('{"geography": {"zips": ["75034", 75035]}}');
EXECUTE add_play('{"geography": {"zips": "75034"}}');
EXECUTE add_play('{"geography": {"zips": ["75034''; DROP TABLE stormops.properties; --"]}}');
EXECUTE add_play('{"geography": {"tracts": ["4808503010"]}}');
EXECUTE add_play('{"geography": {"tracts": ["4808503010x"]}}');
EXECUTE add_play('{"geography": {"custom_polygon": {"type": "Point", "coordinates": [-96.8, 33.1]}}}');
EXECUTE add_play('{"geography": {"custom_polygon": {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": []}}}}');
EXECUTE add_play('{"geography": {"custom_polygon": {"type": "Polygon", "coordinates": [[[-96.8, 33.1], [-96.7, 33.1], [-96.7, 33.2], [-96.8, 33.2]]]}}}');
EXECUTE add_play('{"geography": {"custom_polygon": {"type": "Polygon", "coordinates": [[[-96.8, 33.1], [-96.7, 33.1], [-96.8, 33.1]]]}}}');
EXECUTE add_play('{"geography": {"custom_polygon": {"type": "Polygon", "coordinates": [[[-96.8, 33.1], [-96.7, 95.0], [-96.7, 33.2], [-96.8, 33.1]]]}}}');
EXECUTE add_play('{"geography": {"custom_polygon": {"type": "MultiPolygon", "coordinates": []}}}');
-- demographics
EXECUTE add_play('{"demographics": {"ses_tiers": ["High", "Upper"]}}');
EXECUTE add_play('{"demographics": {"ses_tiers": ["high"]}}');
EXECUTE add_play('{"demographics": {"min_median_income": -5}}');
EXECUTE add_play('{"demographics": {"homeownership_rate_min": 70}}');
-- psychographics
EXECUTE add_play('{"psychographics": {"personas": []}}');
EXECUTE add_play('{"psychographics": {"exclude_personas": [""]}}');
EXECUTE add_play('{"psychographics": {"personas": [null]}}');
-- behavioral
EXECUTE add_play('{"behavioral": {"prior_touchpoints_max": -1}}');
EXECUTE add_play('{"behavioral": {"response_rate_min": 1.01}}');
EXECUTE add_play('{"behavioral": {"exclude_recent_converts": "yes"}}');
EXECUTE add_play('{"behavioral": {"past_customers_only": 1}}');
-- competition
EXECUTE add_play('{"competition": {"competitor_pressure_max": 1.5}}');
EXECUTE add_play('{"competition": {"white_space_score_min": 101}}');
-- diffusion
EXECUTE add_play('{"diffusion": {"min_score": 100.5}}');
EXECUTE add_play('{"diffusion": {"min_score": -1}}');
EXECUTE add_play('{"diffusion": {"min_score": "90"}}');
EXECUTE add_play('{"diffusion": {"min_percentile": 90}}');
EXECUTE add_play('{"diffusion": 90}');
-- similarity
EXECUTE add_play('{"similarity": {"reference_property_ids": ["p1"], "top_k": 10}}');
EXECUTE add_play('{"similarity": {"enabled": "true"}}');
EXECUTE add_play('{"similarity": {"enabled": true}}');
EXECUTE add_play('{"similarity": {"enabled": true, "reference_property_ids": []}}');
EXECUTE add_play('{"similarity": {"enabled": true, "reference_property_ids": ["p1"], "top_k": 0}}');
EXECUTE add_play('{"similarity": {"enabled": true, "reference_property_ids": ["p1"], "similarity_threshold": -1.5}}');
EXECUTE add_play('{"similarity": {"enabled": true, "reference_property_ids": ["p1"], "top_k_tracts": 10}}');
EXECUTE add_play('{"similarity": {"enabled": true, "mode": "tract"}}');
EXECUTE add_play('{"similarity": {"enabled": true, "mode": "neighborhood_embedding", "reference_tract_ids": ["48113010101"], "similarity_threshold": -0.5}}');
EXECUTE add_play('{"similarity": {"enabled": true, "mode": "neighborhood_embedding", "reference_tract_ids": ["48113"]}}');
EXECUTE add_play('{"similarity": {"enabled": true, "mode": "neighborhood_embedding", "reference_tract_ids": ["48113010101"], "properties_per_tract": 0}}');
EXECUTE add_play('{"similarity": {"enabled": true, "mode": "neighborhood_embedding", "reference_property_ids": ["p1"]}}');

-- Nothing was written
SELECT count(*) AS playbooks_written FROM stormops.playbooks;

-- The same checks without an exception, for a control plane's form
SELECT * FROM stormops.check_targeting_rules('{"physics": {"min_sii_score": 170}}');
SELECT * FROM stormops.check_targeting_rules('{"geography": {"zips": ["75034"]}}');
-- Valid edge cases: nulls and empty sections set no condition
SELECT count(*) AS problems FROM stormops.check_targeting_rules(
  '{"physics": null, "geography": {"zips": null, "tracts": null}, "demographics": {}, "similarity": {"enabled": false}}');
SELECT count(*) AS problems FROM stormops.check_targeting_rules('{}');
SELECT stormops.validate_targeting_rules('{"physics": {"min_sii_score": 0, "roof_age_min": 0, "roof_age_max": 0}, "behavioral": {"prior_touchpoints_max": 0, "response_rate_min": 1}}');
DEALLOCATE add_play;
DROP EXTENSION stormops;
