-- Variants, A/B tests and the bandit (adaptive.md, docs/variants.md): the
-- tables. A schema part, new in 0.2.0.
--
-- A step with 2..10 message variants has arms. Its statistics are pooled
-- per (playbook, step) across the executions and versions whose step keeps
-- the same channel and arms (listed in the same order): one arm_pools row,
-- which counts the pool's sent contacts as senders report them. An
-- adaptive step's claims read the latest arm_statistics row of its pool:
-- the sent contacts and rewards of each arm, the greedy arm and P(best),
-- recomputed by the first claim after every reoptimize_after_n_contacts
-- sent contacts and fixed in between. Each choice names the row it used
-- (contact_steps.arm_statistics_id).
--
-- Scale-out: both are small, per playbook and step (reference tables).
-- Failure modes: a pool's counter is one row that every `sent` report of
-- the pool updates; a sender that reports inside a long transaction holds
-- it until it commits, and other reports of the same step wait for it.

-- No foreign key to playbooks: pg_dump loads the extension's tables in name
-- order, moved forward by their foreign keys, and a key from arm_pools would
-- load playbooks before competitor_permits, whose trigger would then propose
-- the restored permits a second time (test/shell/dump_restore.sh). A pool
-- exists only with an execution of its playbook, which keeps the playbook
-- from being deleted.
CREATE TABLE stormops.arm_pools (
  pool_id        pg_catalog.int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  playbook_id    pg_catalog.uuid NOT NULL,
  step           pg_catalog.int2 NOT NULL,
  channel        stormops.channel NOT NULL,
  arms           pg_catalog.text[] NOT NULL
                 CONSTRAINT arm_pools_arms_shape
                 CHECK (pg_catalog.cardinality(arms) OPERATOR(pg_catalog.>=) 2 AND pg_catalog.cardinality(arms) OPERATOR(pg_catalog.<=) 10),
  -- contacts of the pool reported sent (record_contact_result)
  sent_contacts  pg_catalog.int8 NOT NULL DEFAULT 0,
  created_at     pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
  CONSTRAINT arm_pools_one_per_step_and_arms UNIQUE (playbook_id, step, channel, arms)
);
COMMENT ON TABLE stormops.arm_pools IS
  'The arms of a playbook''s step whose statistics are pooled across executions and versions (same step, channel and arms), with its sent contacts.';

ALTER TABLE stormops.execution_steps
  ADD CONSTRAINT execution_steps_arm_pool_fkey FOREIGN KEY (arm_pool_id) REFERENCES stormops.arm_pools (pool_id);

CREATE TABLE stormops.arm_statistics (
  statistics_id  pg_catalog.int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  pool_id        pg_catalog.int8 NOT NULL REFERENCES stormops.arm_pools (pool_id) ON DELETE CASCADE,
  -- the recompute point: the pool's sent contacts when it was computed
  sent_contacts  pg_catalog.int8 NOT NULL,
  -- on the plan's clock: the as_of of the claim that computed it
  computed_at    pg_catalog.timestamptz NOT NULL,
  -- per arm, in the pool's order: sent contacts and rewards as of computed_at
  contacts       pg_catalog.int8[] NOT NULL,
  rewards        pg_catalog.int8[] NOT NULL,
  -- 1-based; NULL while an arm has no sent contact (epsilon-greedy is uniform)
  greedy_arm     pg_catalog.int2,
  -- P(best) under Beta(1 + rewards, 1 + failures): Thompson's propensities
  prob_best      pg_catalog.float8[] NOT NULL,
  recorded_at    pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp()
);
COMMENT ON TABLE stormops.arm_statistics IS
  'The statistics an adaptive step''s choices read: per arm sent contacts, rewards, the greedy arm and P(best), recomputed every reoptimize_after_n_contacts sent contacts.';
CREATE INDEX arm_statistics_latest_idx ON stormops.arm_statistics (pool_id, statistics_id);
