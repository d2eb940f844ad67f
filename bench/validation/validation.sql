SET client_min_messages = warning;
CREATE EXTENSION stormops;
\pset footer off

CREATE TABLE bench_rules (name text, targeting jsonb, channels jsonb);
INSERT INTO bench_rules VALUES
('Frisco-Alpha',
 '{"physics": {"min_sii_score": 75, "max_days_since_storm": 14}, "geography": {"zips": ["75034", "75035"]},
   "demographics": {"ses_tiers": ["High"], "min_median_income": 100000},
   "psychographics": {"personas": ["Proof_Seeker", "Status_Conscious"]},
   "competition": {"competitor_pressure_max": 0.4, "white_space_score_min": 60},
   "similarity": {"enabled": true, "reference_property_ids": ["top_50_high_margin_conversions"], "similarity_threshold": 0.8, "top_k": 300}}',
 '{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0, "message_variant": "analytical", "offer_type": "standard", "success_criteria": "open_rate > 0.3"},
   {"step": 2, "channel": "sms", "timing_hours": 72, "condition": "if_no_response_to_step_1", "message_variant": "urgency", "offer_type": "discount"},
   {"step": 3, "channel": "door_knock", "timing_hours": 168, "condition": "if_engaged", "timing_window": "weekday_18:00-20:00", "message_variant": "premium"}],
   "adaptive": {"enabled": true, "bandit_epsilon": 0.1, "reoptimize_after_n_contacts": 100}}'),
('Loyalty-DFW-HighSES',
 '{"physics": {"min_sii_score": 60, "max_days_since_storm": 45}, "geography": {"zips": ["75230", "75225"]},
   "demographics": {"ses_tiers": ["High"], "min_median_income": 90000},
   "behavioral": {"prior_touchpoints_max": 10, "response_rate_min": 0.3, "past_customers_only": true},
   "competition": {"competitor_pressure_max": 0.8}, "similarity": {"enabled": false}}',
 '{"sequence": [{"step": 1, "channel": "phone", "timing_hours": 0}, {"step": 2, "channel": "direct_mail", "timing_hours": 120},
   {"step": 3, "channel": "door_knock", "timing_hours": 240, "condition": "if_high_ltv"}]}'),
('Expansion-Lookalike',
 '{"physics": {"min_sii_score": 70, "max_days_since_storm": 30}, "geography": {"zips": null},
   "demographics": {"ses_tiers": ["High", "Medium"]},
   "similarity": {"enabled": true, "mode": "neighborhood_embedding", "reference_tract_ids": ["48113010101", "48113010102"],
                  "similarity_threshold": 0.85, "top_k_tracts": 10, "properties_per_tract": 50}}',
 '{"sequence": [{"step": 1, "channel": "paid_ads", "timing_hours": 0, "duration_hours": 168},
   {"step": 2, "channel": "email", "timing_hours": 72}, {"step": 3, "channel": "door_knock", "timing_hours": 240, "duration_hours": 240}]}'),
-- A large but valid rule set: a 400-vertex polygon and 2,000 ZIPs.
('Large-Polygon',
 jsonb_build_object('geography', jsonb_build_object(
    'zips', (SELECT jsonb_agg(lpad((75000 + i)::text, 5, '0')) FROM generate_series(1, 2000) i),
    'custom_polygon', jsonb_build_object('type', 'Polygon', 'coordinates', jsonb_build_array(
       (SELECT jsonb_agg(jsonb_build_array(round((-96.75 + 0.1 * cos(radians(i * 0.9)))::numeric, 6),
                                           round((33.1 + 0.1 * sin(radians(i * 0.9)))::numeric, 6)) ORDER BY i)
          FROM generate_series(0, 400) i))))),
 '{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0}]}');

CREATE TABLE plain_playbooks (LIKE stormops.playbooks INCLUDING DEFAULTS);
ALTER TABLE plain_playbooks ALTER targeting_rules TYPE jsonb, ALTER channel_strategy TYPE jsonb;

CREATE FUNCTION elapsed_ms(sql text) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE t0 timestamptz := clock_timestamp();
BEGIN
  EXECUTE sql;
  RETURN extract(epoch FROM clock_timestamp() - t0) * 1000;
END $$;

CREATE FUNCTION median(float8[]) RETURNS float8 LANGUAGE sql IMMUTABLE AS
  $$ SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) FROM unnest($1) x $$;

-- 1. Writing playbooks: seed-sized rules, and large ones, separately.
CREATE TEMP TABLE insert_runs (rows text, kind text, ms float8);
DO $$
DECLARE
  ins text := $q$INSERT INTO %s (playbook_name, targeting_rules, channel_strategy)
                 SELECT format('%%s-%%s', r.name, i), r.targeting, r.channels
                   FROM bench_rules r, generate_series(1, %s) i WHERE %s$q$;
  sets text[][] := ARRAY[ARRAY['15,000 seed plays', '5000', $w$r.name <> 'Large-Polygon'$w$],
                         ARRAY['2,000 large rule sets', '2000', $w$r.name = 'Large-Polygon'$w$]];
BEGIN
  FOR s IN 1..2 LOOP
    FOR run IN 1..5 LOOP
      TRUNCATE stormops.playbooks CASCADE;
      TRUNCATE plain_playbooks;
      INSERT INTO insert_runs SELECT sets[s][1], 'validated',
        elapsed_ms(format(ins, 'stormops.playbooks', sets[s][2], sets[s][3]));
      INSERT INTO insert_runs SELECT sets[s][1], 'plain',
        elapsed_ms(format(ins, 'plain_playbooks', sets[s][2], sets[s][3]));
    END LOOP;
  END LOOP;
END $$;

\echo 'Playbook INSERTs into stormops.playbooks (validated domains + lifecycle trigger) vs a plain jsonb table, median of 5'
\echo '(large: a 400-vertex custom_polygon and 2,000 ZIPs, about 40 kB of JSON)'
SELECT rows, round(median(array_agg(ms) FILTER (WHERE kind = 'validated'))::numeric, 1) AS validated_ms,
       round(median(array_agg(ms) FILTER (WHERE kind = 'plain'))::numeric, 1) AS plain_jsonb_ms,
       round((median(array_agg(ms) FILTER (WHERE kind = 'validated'))
            / median(array_agg(ms) FILTER (WHERE kind = 'plain')))::numeric, 2) AS ratio
  FROM insert_runs GROUP BY rows ORDER BY rows DESC;

-- 2. One validation call: the function on a stored value, 20,000 times.
CREATE TEMP TABLE call_runs (name text, kind text, us float8);
DO $$
DECLARE
  r record;
  n constant int := 20000;
  call text := 'SELECT count(%s) FROM bench_rules r, generate_series(1, %s) i WHERE r.name = %L';
BEGIN
  FOR r IN SELECT name FROM bench_rules LOOP
    FOR run IN 1..5 LOOP
      INSERT INTO call_runs SELECT r.name, 'targeting',
        1000 * elapsed_ms(format(call, 'stormops.validate_targeting_rules(r.targeting)', n, r.name)) / n;
      INSERT INTO call_runs SELECT r.name, 'channels',
        1000 * elapsed_ms(format(call, 'stormops.validate_channel_strategy(r.channels)', n, r.name)) / n;
      INSERT INTO call_runs SELECT r.name, 'baseline',
        1000 * elapsed_ms(format(call, 'jsonb_typeof(r.targeting)', n, r.name)) / n;
    END LOOP;
  END LOOP;
END $$;

\echo 'One validation call in microseconds vs jsonb_typeof on the same value (median of 5 runs of 20,000 calls)'
SELECT name,
       round(median(array_agg(us) FILTER (WHERE kind = 'targeting'))::numeric, 2) AS targeting_us,
       round(median(array_agg(us) FILTER (WHERE kind = 'channels'))::numeric, 2) AS channel_strategy_us,
       round(median(array_agg(us) FILTER (WHERE kind = 'baseline'))::numeric, 2) AS jsonb_typeof_us,
       round((median(array_agg(us) FILTER (WHERE kind = 'targeting'))
            / median(array_agg(us) FILTER (WHERE kind = 'baseline')))::numeric, 1) AS targeting_ratio
  FROM call_runs GROUP BY name ORDER BY min(name);
