#!/usr/bin/env bash
# pg_dump keeps the rows of the extension's user tables, and a restore into a
# fresh database gives the same data back (pg_extension_config_dump at work).
# Runs against the throwaway cluster of run-tests.sh (PGHOST/PGPORT set).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
src=stormops_dump_src dst=stormops_dump_dst
psql -q -X -v ON_ERROR_STOP=1 -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $src" -c "DROP DATABASE IF EXISTS $dst" -c "CREATE DATABASE $src" -c "CREATE DATABASE $dst"
{
  echo "SET client_min_messages = warning; CREATE EXTENSION stormops;"
  echo '\o /dev/null'
  cat "$repo/test/demo/dfw_data.sql" "$repo/test/demo/plays.sql"
  echo "SELECT stormops.revise_playbook('Frisco-Alpha', '{\"budget_allocated\": 18000}');"
  echo "INSERT INTO stormops.channel_costs VALUES ('door_knock', 17.5);"
  # proposals, a competitor's permit in a defended ZIP, an escalation: the
  # restore must not fire the permit trigger a second time
  echo "SELECT stormops.generate_proposals('noaa_ep_135504_hail', '2019-03-27 12:00-05');"
  echo "INSERT INTO stormops.competitor_permits (permit_id, zip, contractor_id, contractor_name, contractor_tier, filed_at)"
  echo "  VALUES ('permit_dump', '75230', 'rival_x', 'Rival X', 'Tier1', '2019-03-28 00:00+00');"
} | psql -q -X -v ON_ERROR_STOP=1 -d $src

pg_dump -d $src -Fc -f "${TMPDIR:-/tmp}/stormops_dump.$$"
pg_restore --exit-on-error -d $dst "${TMPDIR:-/tmp}/stormops_dump.$$"
rm -f "${TMPDIR:-/tmp}/stormops_dump.$$"

# Every user table has the same rows in both databases.
summary=$(cat <<'SQL'
SELECT string_agg(format('%s=%s', t, n), ' ' ORDER BY t) FROM (
  SELECT 'playbooks' t, md5(string_agg(to_jsonb(p)::text, '' ORDER BY playbook_id)) n FROM stormops.playbooks p
  UNION ALL SELECT 'playbook_versions', md5(string_agg(to_jsonb(v)::text, '' ORDER BY playbook_id, playbook_version)) FROM stormops.playbook_versions v
  UNION ALL SELECT 'properties', md5(string_agg(to_jsonb(x)::text, '' ORDER BY property_id)) FROM stormops.properties x
  UNION ALL SELECT 'behavior_events', md5(string_agg(to_jsonb(b)::text, '' ORDER BY behavior_event_id)) FROM stormops.behavior_events b
  UNION ALL SELECT 'census_tracts', count(*)::text FROM stormops.census_tracts
  UNION ALL SELECT 'storm_reports', count(*)::text FROM stormops.storm_reports
  UNION ALL SELECT 'cohorts', count(*)::text FROM stormops.cohorts
  UNION ALL SELECT 'channel_costs', count(*)::text FROM stormops.channel_costs
  UNION ALL SELECT 'zip_competition', count(*)::text FROM stormops.zip_competition
  UNION ALL SELECT 'proposal_runs', md5(string_agg(to_jsonb(r)::text, '' ORDER BY proposal_id)) FROM stormops.proposal_runs r
  UNION ALL SELECT 'proposal_decisions', md5(string_agg(to_jsonb(d)::text, '' ORDER BY proposal_id, property_id)) FROM stormops.proposal_decisions d
  UNION ALL SELECT 'playbook_executions', md5(string_agg(to_jsonb(e)::text, '' ORDER BY execution_id)) FROM stormops.playbook_executions e
  UNION ALL SELECT 'referrals', md5(string_agg(to_jsonb(r)::text, '' ORDER BY referrer_property_id, referred_property_id)) FROM stormops.referrals r
  UNION ALL SELECT 'neighbor_lists', md5(string_agg(to_jsonb(l)::text, '' ORDER BY property_id)) FROM stormops.neighbor_lists l
  UNION ALL SELECT 'diffusion', md5(string_agg(format('%s %s %s', property_id, diffusion_score, diffusion_percentile), ' ' ORDER BY property_id)) FROM stormops.property_scores
  UNION ALL SELECT 'notification_outbox', md5(string_agg(to_jsonb(n)::text, '' ORDER BY notification_id)) FROM stormops.notification_outbox n
  UNION ALL SELECT 'arm_pools', md5(string_agg(to_jsonb(a)::text, '' ORDER BY pool_id)) FROM stormops.arm_pools a
  UNION ALL SELECT 'event_proposals', count(*)::text FROM stormops.event_proposals) s
SQL
)
a=$(psql -X -At -d $src -c "$summary")
b=$(psql -X -At -d $dst -c "$summary")
echo "source:   $a"
echo "restored: $b"
[ -n "$a" ] && [ "$a" = "$b" ] \
  || { echo "failed in dump_restore.sh: [ -n \"\$a\" ] && [ \"\$a\" = \"\$b\" ]"; exit 1; }
# The identity sequence continues after the restored rows.
psql -q -X -v ON_ERROR_STOP=1 -d $dst -c "INSERT INTO stormops.behavior_events (property_id, event_type, event_timestamp)
  SELECT property_id, 'contact', now() FROM stormops.properties LIMIT 1"
psql -q -X -d postgres -c "DROP DATABASE $src" -c "DROP DATABASE $dst"
