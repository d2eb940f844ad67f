-- workload.sql: the same workload on one node and on the Citus cluster
-- (bench/citus/run.sh): three targeting questions and a funnel over the
-- generated market (bench/targeting/generate.sql); a load of behaviour
-- events through the upkeep triggers (the statement merges: of the tables on
-- one node, of the co-located shards on Citus); and a storm-wide play
-- proposed for the storm and its first step claimed by a sender, 1,000
-- contacts. The load and the proposal with its claim are undone after each
-- run. Prints one row per figure: its median, min and max over :runs runs.
-- (on Citus, temporary functions stay local: said once as a warning each)
SET client_min_messages = error;
\ir ../timing.sql
CREATE TEMP TABLE timing (figure text, ord int, ms float8);
CREATE TEMP TABLE questions (ord int, figure text, args text);
INSERT INTO questions VALUES
  (1, 'targets: storm + ZIPs (Frisco)', $q$'{"physics": {"min_sii_score": 60, "max_days_since_storm": 14}, "geography": {"zips": ["75034", "75035"]}}', 'noaa_ep_135504_hail', '2019-03-27 12:00:00-05'$q$),
  (2, 'targets: storm + SES tier', $q$'{"physics": {"min_sii_score": 60, "max_days_since_storm": 14}, "demographics": {"ses_tiers": ["High"]}}', 'noaa_ep_135504_hail', '2019-03-27 12:00:00-05'$q$),
  (3, 'targets: response rate, as of 2019', $q$'{"behavioral": {"response_rate_min": 0.5}}', NULL, '2019-03-27 12:00:00-05'$q$);
SELECT set_config('bench.runs', :'runs', false) \gset
-- the play proposed (every property the storm hit hard enough; one e-mail),
-- with one id on both sides: holdout draws hash it
INSERT INTO stormops.playbooks (playbook_id, playbook_name, targeting_rules, channel_strategy, priority)
VALUES ('5ca1ab1e-0000-4000-8000-000000000018', 'Storm-Wide', '{"physics": {"min_sii_score": 40}}',
        '{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0}]}', 40);
SELECT FROM stormops.activate_playbook('Storm-Wide');
DO $$
DECLARE q record; r int; load_ms float8;
BEGIN
  FOR r IN 1 .. current_setting('bench.runs')::int LOOP
    FOR q IN SELECT * FROM questions ORDER BY ord LOOP
      INSERT INTO timing VALUES (q.figure, q.ord,
        pg_temp.elapsed_ms(format('SELECT count(*) FROM stormops.target_properties(%s)', q.args)));
    END LOOP;
    INSERT INTO timing VALUES ('funnel: storm + ZIPs', 4,
      pg_temp.elapsed_ms(format('SELECT count(*) FROM stormops.targeting_funnel(%s)', (SELECT args FROM questions WHERE ord = 1))));
    -- 20,000 events for 20,000 properties in one statement, then undone
    BEGIN
      load_ms := pg_temp.elapsed_ms(
        $i$INSERT INTO stormops.behavior_events (property_id, event_type, channel, event_timestamp)
           SELECT p.property_id, 'contact', 'sms', now() - interval '1 day'
             FROM stormops.properties p ORDER BY p.property_id LIMIT 20000$i$);
      RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = 'undo';
    EXCEPTION WHEN raise_exception THEN
      INSERT INTO timing VALUES ('load 20,000 behaviour events (upkeep triggers), undone', 5, load_ms);
    END;
  END LOOP;
END $$;
-- the storm proposed (one run, one execution), then 1,000 of its e-mails
-- claimed; both undone. A transaction per run: on Citus, a transaction that
-- wrote placements over one connection per node (proposing runs so) cannot
-- read them over several afterwards, even after a rollback to a savepoint.
SELECT $run$
DO $$
DECLARE propose_ms float8; claim_ms float8; proposed bigint; claimed bigint;
BEGIN
  propose_ms := pg_temp.elapsed_ms(
    $p$SELECT count(*) FROM stormops.generate_proposals('noaa_ep_135504_hail', '2019-03-27 12:00:00-05')$p$);
  claim_ms := pg_temp.elapsed_ms(
    $c$SELECT count(*) FROM stormops.claim_due_contacts('email', 1000, '2019-03-27 14:00:00-05')$c$);
  SELECT count(*) INTO proposed FROM stormops.contact_steps;
  SELECT count(*) INTO claimed FROM stormops.contact_steps WHERE status = 'leased';
  RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = 'undo';
EXCEPTION WHEN raise_exception THEN
  -- (after the rollback: variables keep their values, the rows written are gone)
  INSERT INTO timing VALUES ('generate_proposals: a storm-wide play, undone', 6, propose_ms),
                            ('claim_due_contacts: 1,000 e-mails of it, undone', 7, claim_ms);
  PERFORM set_config('bench.proposed', proposed::text, false), set_config('bench.claimed', claimed::text, false);
END $$;
$run$ FROM generate_series(1, :runs) \gexec
SELECT * FROM pg_temp.timing_medians();
-- the answers, which run.sh compares between the two sides
CREATE TEMP TABLE answers (ord int, figure text, targets bigint, rank_sum bigint);
DO $$
DECLARE q record; n bigint; s bigint;
BEGIN
  FOR q IN SELECT * FROM questions ORDER BY ord LOOP
    EXECUTE format('SELECT count(*), coalesce(sum(rank), 0) FROM stormops.target_properties(%s)', q.args) INTO n, s;
    INSERT INTO answers VALUES (q.ord, q.figure, n, s);
  END LOOP;
END $$;
SELECT 'answer ' || ord || ': ' || targets || ' targets, rank sum ' || rank_sum AS answer FROM answers
UNION ALL
SELECT 'answer 4: ' || current_setting('bench.proposed') || ' contact steps proposed, '
       || current_setting('bench.claimed') || ' claimed'
 ORDER BY 1;
