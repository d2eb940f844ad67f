-- The diffusion graph's tables (diffusion.md; a schema part, new in 0.2.0;
-- docs/diffusion.md). property_neighbors holds each property's
-- stormops.neighbor_k nearest within stormops.neighbor_radius_m: derived
-- data that refresh_diffusion() (36_diffusion.sql) rewrites where it
-- changed, so it carries no foreign key (eight million rows at a million
-- properties would pay two key checks each; a deleted property's rows
-- stay until the next refresh and every reader ignores ids that are not
-- properties). referrals are facts an operator loads: keyed to properties,
-- never to itself. diffusion_runs records each refresh: when, as of when,
-- with which settings, what changed; a play that requires graph analysis
-- activates only once there is one.
--
-- Scale-out (issue 18): property_neighbors and referrals are per-property
-- tables (property_id, referrer_property_id lead their keys); diffusion_runs
-- is small.
CREATE TABLE stormops.property_neighbors (
  property_id  pg_catalog.text NOT NULL,
  neighbor_id  pg_catalog.text NOT NULL,
  distance_m   pg_catalog.float8 NOT NULL
               CONSTRAINT property_neighbors_distance_range CHECK (distance_m OPERATOR(pg_catalog.>=) 0),
  PRIMARY KEY (property_id, neighbor_id),
  CONSTRAINT property_neighbors_not_self CHECK (property_id OPERATOR(pg_catalog.<>) neighbor_id)
);
COMMENT ON TABLE stormops.property_neighbors IS
  'Each property''s stormops.neighbor_k nearest properties within stormops.neighbor_radius_m (great-circle metres, ties by property id in byte order); kept by refresh_diffusion.';
-- edges into a property (diffusion_paths walks back from its target)
CREATE INDEX property_neighbors_neighbor_idx ON stormops.property_neighbors (neighbor_id);

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
  rows_inserted      pg_catalog.int8 NOT NULL,
  rows_updated       pg_catalog.int8 NOT NULL,
  rows_deleted       pg_catalog.int8 NOT NULL,
  referrals          pg_catalog.int8 NOT NULL,
  seeds              pg_catalog.int8 NOT NULL,
  scores_changed     pg_catalog.int8 NOT NULL,
  neighbor_k         pg_catalog.int4 NOT NULL,
  neighbor_radius_m  pg_catalog.float8 NOT NULL,
  neighbor_decay_m   pg_catalog.float8 NOT NULL,
  referral_weight    pg_catalog.float8 NOT NULL
);
COMMENT ON TABLE stormops.diffusion_runs IS
  'One row per refresh_diffusion: as of when the seeds were taken, the settings, the neighbour rows written, the seeds and the scores that changed.';
