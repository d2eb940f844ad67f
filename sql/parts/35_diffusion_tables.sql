-- The diffusion graph's tables (diffusion.md; a schema part, new in 0.2.0;
-- docs/diffusion.md). neighbor_lists holds, per property with neighbours,
-- its stormops.neighbor_k nearest within stormops.neighbor_radius_m and the
-- properties whose lists hold it, as arrays: one row per property (a fifth
-- of the space of one row per pair, and a property's neighbours both ways
-- are one key look-up); the view property_neighbors (36_diffusion.sql)
-- shows the design's pairs. It is derived data that refresh_diffusion()
-- rewrites where it changed, so it carries no foreign key: a deleted
-- property's row stays until the next refresh, and every reader ignores ids
-- that are not properties. referrals are facts an operator loads: keyed to
-- properties, never to itself. diffusion_runs records each refresh: when,
-- as of when, with which settings, what changed; a play that requires
-- graph analysis activates only once there is one.
--
-- Scale-out (issue 18): neighbor_lists and referrals are per-property
-- tables (property_id, referrer_property_id lead their keys); diffusion_runs
-- is small.
CREATE TABLE stormops.neighbor_lists (
  property_id            pg_catalog.text PRIMARY KEY,
  neighbor_ids           pg_catalog.text[] NOT NULL,
  distances_m            pg_catalog.float8[] NOT NULL,
  listed_by_ids          pg_catalog.text[] NOT NULL,
  listed_by_distances_m  pg_catalog.float8[] NOT NULL,
  CONSTRAINT neighbor_lists_shape CHECK (
    pg_catalog.cardinality(neighbor_ids) OPERATOR(pg_catalog.>=) 1
    AND pg_catalog.cardinality(neighbor_ids) OPERATOR(pg_catalog.<=) 64
    AND pg_catalog.cardinality(distances_m) OPERATOR(pg_catalog.=) pg_catalog.cardinality(neighbor_ids)
    AND pg_catalog.cardinality(listed_by_distances_m) OPERATOR(pg_catalog.=) pg_catalog.cardinality(listed_by_ids))
);
COMMENT ON TABLE stormops.neighbor_lists IS
  'Per property: its stormops.neighbor_k nearest properties within stormops.neighbor_radius_m (great-circle metres, nearest first, ties by property id in byte order) and the properties that list it; kept by refresh_diffusion. Read the pairs through the view property_neighbors.';

CREATE TABLE stormops.referrals (
  referrer_property_id  pg_catalog.text NOT NULL
                        CONSTRAINT referrals_referrer_known REFERENCES stormops.properties (property_id) ON DELETE CASCADE,
  referred_property_id  pg_catalog.text NOT NULL
                        CONSTRAINT referrals_referred_known REFERENCES stormops.properties (property_id) ON DELETE CASCADE,
  referred_at           pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
  PRIMARY KEY (referrer_property_id, referred_property_id),
  CONSTRAINT referrals_not_self CHECK (referrer_property_id OPERATOR(pg_catalog.<>) referred_property_id)
);
COMMENT ON TABLE stormops.referrals IS
  'Referrals: the referrer''s property sent the referred one to us; an edge of weight stormops.referral_weight from referrer to referred.';
CREATE INDEX referrals_referred_idx ON stormops.referrals (referred_property_id);

CREATE TABLE stormops.diffusion_runs (
  run_id             pg_catalog.int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  as_of              pg_catalog.timestamptz NOT NULL,
  started_at         pg_catalog.timestamptz NOT NULL,
  finished_at        pg_catalog.timestamptz NOT NULL,
  run_by             pg_catalog.name NOT NULL DEFAULT CURRENT_USER,
  properties         pg_catalog.int8 NOT NULL,
  located            pg_catalog.int8 NOT NULL,
  neighbor_rows      pg_catalog.int8 NOT NULL,
  lists_inserted     pg_catalog.int8 NOT NULL,
  lists_updated      pg_catalog.int8 NOT NULL,
  lists_deleted      pg_catalog.int8 NOT NULL,
  referrals          pg_catalog.int8 NOT NULL,
  seeds              pg_catalog.int8 NOT NULL,
  scores_changed     pg_catalog.int8 NOT NULL,
  neighbor_k         pg_catalog.int4 NOT NULL,
  neighbor_radius_m  pg_catalog.float8 NOT NULL,
  neighbor_decay_m   pg_catalog.float8 NOT NULL,
  referral_weight    pg_catalog.float8 NOT NULL
);
COMMENT ON TABLE stormops.diffusion_runs IS
  'One row per refresh_diffusion: as of when the seeds were taken, the settings, the neighbour pairs, the lists written, the seeds and the scores that changed.';
