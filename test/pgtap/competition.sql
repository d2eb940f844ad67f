-- Competition per ZIP: bounds, monotonicity, window, our own permits.
BEGIN;
SELECT plan(16);
SET LOCAL stormops.contractor_id = 'us';

INSERT INTO stormops.zip_codes (zip, housing_units) VALUES
  ('75001', 10000), ('75002', 1000), ('75004', 1000), ('75005', 1000), ('75006', 1000);
INSERT INTO stormops.properties (property_id, zip) VALUES ('c1', '75003'), ('c2', '75003');
-- 10 Tier3 permits in 75001 and in 75002; 10 Tier1 in 75004; 10 Tier1 of ours
-- in 75005; 10 Tier1 100 days old in 75006; 1 in 75003 (no zip_codes row)
INSERT INTO stormops.competitor_permits (permit_id, zip, contractor_id, contractor_tier, filed_at)
SELECT format('%s-%s', z, i), z, c, t, f
  FROM (VALUES ('75001', 'rival', 'Tier3', timestamptz '2019-03-20'), ('75002', 'rival', 'Tier3', '2019-03-20'),
               ('75004', 'rival', 'Tier1', '2019-03-20'), ('75005', 'us', 'Tier1', '2019-03-20'),
               ('75006', 'rival', 'Tier1', '2018-12-16')) v(z, c, t, f),
       generate_series(1, 10) i;
INSERT INTO stormops.competitor_permits VALUES ('75003-1', '75003', NULL, 'rival', NULL, 'Tier2', '2019-03-20');
CREATE FUNCTION pg_temp.p(z text) RETURNS numeric LANGUAGE sql AS
  $$ SELECT competitor_pressure FROM stormops.zip_competition WHERE zip = z $$;

SELECT is(stormops.refresh_competition('2019-03-26', 90), 6, 'every known ZIP gets a row');
SELECT ok(NOT EXISTS (SELECT FROM stormops.zip_competition
                       WHERE competitor_pressure NOT BETWEEN 0 AND 1 OR white_space_score NOT BETWEEN 0 AND 100),
  'pressure within 0..1, white space within 0..100');
SELECT is(pg_temp.p('75001'), round((1 - exp(-0.2))::numeric, 4), 'the formula: 10 Tier3 permits per 10,000 homes');
SELECT ok(pg_temp.p('75001') < pg_temp.p('75002'), 'the same permits over fewer homes: more pressure');
SELECT ok(pg_temp.p('75002') < pg_temp.p('75004'), 'Tier1 permits weigh more than Tier3');
SELECT is(pg_temp.p('75005'), 0::numeric, 'our own permits are not competition');
SELECT is((SELECT white_space_score FROM stormops.zip_competition WHERE zip = '75005'), 100::numeric,
  'no competition: all white space');
SELECT is(pg_temp.p('75006'), 0::numeric, 'permits before the window do not count');
SELECT ok(pg_temp.p('75003') > 0.99, 'a ZIP without housing figures counts its properties (2 homes, 1 permit)');
SELECT is((SELECT white_space_score FROM stormops.zip_competition WHERE zip = '75002'),
          round((100 * (1 - (1 - exp(-2))))::numeric, 2), 'white space is 100 x (1 - pressure)');

-- monotone in permits; a wider window reaches older permits; idempotent
INSERT INTO stormops.competitor_permits VALUES ('75001-extra', '75001', NULL, 'rival', NULL, 'Tier3', '2019-03-21');
CREATE TEMP TABLE before AS SELECT * FROM stormops.zip_competition;
SELECT lives_ok($$SELECT stormops.refresh_competition('2019-03-26', 90)$$, 'refresh again');
SELECT ok(pg_temp.p('75001') > (SELECT competitor_pressure FROM before WHERE zip = '75001'),
  'one more permit: more pressure');
CREATE TEMP TABLE after_first AS SELECT * FROM stormops.zip_competition;
SELECT lives_ok($$SELECT stormops.refresh_competition('2019-03-26', 90)$$, 'refresh once more');
SELECT set_eq('SELECT * FROM stormops.zip_competition', 'SELECT * FROM after_first', 'refreshing again changes nothing');
SELECT ok((SELECT stormops.refresh_competition('2019-03-26', 120)) = 6 AND pg_temp.p('75006') > 0,
  'a 120-day window reaches the 100-day-old permits');
SELECT throws_ok($$SELECT stormops.refresh_competition('2019-03-26', 0)$$, '22023', NULL, 'a window of 0 days is refused');

SELECT * FROM finish();
ROLLBACK;
