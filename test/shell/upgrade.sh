#!/usr/bin/env bash
# ALTER EXTENSION stormops UPDATE from the released 0.1.0 (its frozen install
# script, sql/stormops--0.1.0.sql) with the demo loaded: (a) the catalog
# equals a fresh install of the current version, compared as schema-only
# dumps that include the extension's own objects (pg_dump --binary-upgrade,
# with the lines that carry OIDs left out, and the configuration tables
# compared by name), and (b) no row was lost or changed: every table's rows
# over its 0.1.0 columns, and every sequence, are the same before and after.
# Runs against the throwaway cluster of run-tests.sh (PGHOST/PGPORT set).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
old=stormops_upgrade_old new=stormops_upgrade_new
current=$(sed -n "s/^default_version = '\(.*\)'/\1/p" "$repo/stormops.control")
work=$(mktemp -d "${TMPDIR:-/tmp}/stormops-upgrade.XXXXXX")
trap 'rm -rf "$work"; psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $old" -c "DROP DATABASE IF EXISTS $new" >/dev/null 2>&1' EXIT
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "SET client_min_messages = warning" \
  -c "DROP DATABASE IF EXISTS $old" -c "DROP DATABASE IF EXISTS $new" -c "CREATE DATABASE $old" -c "CREATE DATABASE $new"

# 0.1.0 with the demo's market, plays, storm, proposals, permit and revision
{
  echo "SET client_min_messages = warning; CREATE EXTENSION stormops VERSION '0.1.0';"
  echo '\o /dev/null'
  cat "$repo/test/demo/dfw_data.sql" "$repo/test/demo/plays.sql" "$repo/test/demo/summary.sql"
} | psql -X -q -v ON_ERROR_STOP=1 -d $old >/dev/null

digest=$(cat <<'SQL'
CREATE FUNCTION pg_temp.digest(tbl regclass, cols text[]) RETURNS text LANGUAGE plpgsql AS $$
DECLARE n bigint; h text;
BEGIN
  EXECUTE format('SELECT count(*), md5(coalesce(string_agg(x, E''\n'' ORDER BY x), '''')) FROM (
                    SELECT (SELECT jsonb_object_agg(k, v) FROM jsonb_each(to_jsonb(t)) e(k, v) WHERE k = ANY ($1))::text AS x
                      FROM %s t) s', tbl) INTO n, h USING cols;
  RETURN format('%s %s rows %s', tbl, n, h);
END $$;
SQL
)
# the 0.1.0 columns of every table, and every sequence's position
psql -X -At -d $old -c "SELECT format('%s|%s', c.oid::regclass, array_agg(a.attname ORDER BY a.attnum))
  FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
 WHERE c.relnamespace = 'stormops'::regnamespace AND c.relkind = 'r' GROUP BY c.oid ORDER BY 1" >"$work/columns"
[ "$(wc -l <"$work/columns")" -ge 25 ] || { echo "not ok - too few tables at 0.1.0"; exit 1; }
rows() {
  { echo "$digest"
    while IFS='|' read -r tbl cols; do echo "SELECT pg_temp.digest('$tbl', '$cols');"; done <"$work/columns"
    echo "SELECT format('%s last_value %s', s.schemaname || '.' || s.sequencename, s.last_value) FROM pg_sequences s
           WHERE s.schemaname || '.' || s.sequencename = ANY ('{$(paste -sd, "$work/sequences")}'::text[]) ORDER BY 1;"
  } | psql -X -At -v ON_ERROR_STOP=1 -d $1 | grep -v '^CREATE FUNCTION$'
}
psql -X -At -d $old -c "SELECT 'stormops.' || sequencename FROM pg_sequences WHERE schemaname = 'stormops' ORDER BY 1" >"$work/sequences"
rows $old >"$work/rows-before"
grep -q ' rows [1-9]' "$work/rows-before" || { echo "not ok - the demo loaded no rows"; exit 1; }

psql -X -q -v ON_ERROR_STOP=1 -d $old -c "ALTER EXTENSION stormops UPDATE"
version=$(psql -X -At -d $old -c "SELECT extversion FROM pg_extension WHERE extname = 'stormops'")
if [ "$version" = "$current" ]; then echo "ok - ALTER EXTENSION UPDATE reaches $current"; else echo "not ok - updated to $version, not $current"; exit 1; fi

rows $old >"$work/rows-after"
if diff -u "$work/rows-before" "$work/rows-after"; then
  echo "ok - every row of the $(wc -l <"$work/columns") tables of 0.1.0 is kept ($(awk '{s += $2} END {print s}' "$work/rows-before") rows)"
else
  echo "not ok - rows changed by the update"; exit 1
fi

# the behaviour counts new in 0.2.0 hold the history loaded at 0.1.0
counts=$(psql -X -At -d $old -c "SELECT (SELECT count(*) FROM stormops.behavior_counts) || '|' || (SELECT count(*) FROM (
    (SELECT * FROM stormops.behavior_counts EXCEPT ALL SELECT * FROM stormops.behavior_counts_at('infinity'))
    UNION ALL (SELECT * FROM stormops.behavior_counts_at('infinity') EXCEPT ALL SELECT * FROM stormops.behavior_counts)) d)")
case $counts in
  0\|*|*\|[1-9]*) echo "not ok - behaviour counts after the update (rows|disagreements): $counts"; exit 1 ;;
  *) echo "ok - the update counts the behaviour history of 0.1.0 (${counts%|*} properties, as history says)" ;;
esac

# the executions of 0.1.0 got the strategy of the version that made them
# (Frisco-Alpha was revised after its execution: the old version's), and
# the updated database lays contact plans for a storm proposed now
snap=$(psql -X -At -d $old -c "SELECT count(*) FILTER (WHERE e.channel_strategy IS NULL), count(*),
    bool_and(e.channel_strategy = coalesce(v.playbook -> 'channel_strategy', to_jsonb(p.channel_strategy)))
  FROM stormops.playbook_executions e JOIN stormops.playbooks p USING (playbook_id)
  LEFT JOIN stormops.playbook_versions v ON v.playbook_id = e.playbook_id AND v.playbook_version = e.playbook_version")
if [ "$snap" = "0|$(psql -X -At -d $old -c "SELECT count(*) FROM stormops.playbook_executions")|t" ]; then
  echo "ok - every 0.1.0 execution keeps the strategy of its version ($snap)"
else
  echo "not ok - strategy snapshots after the update: $snap"; exit 1
fi
plans=$(psql -X -At -v ON_ERROR_STOP=1 -d $old -c "SET client_min_messages = warning" \
  -c "SELECT count(*) FROM stormops.generate_proposals('demo_n_dallas_hail', '2019-03-27 21:30-05')" \
  -c "SELECT count(*) FROM stormops.contact_steps" | tail -1)
if [ "$plans" -gt 0 ]; then echo "ok - the updated database lays contact plans ($plans steps)"; else echo "not ok - no plans after the update"; exit 1; fi

psql -X -q -v ON_ERROR_STOP=1 -d $new -c "SET client_min_messages = warning" -c "CREATE EXTENSION stormops"
catalog() {
  # left out: OIDs and transaction ids, sequence positions (data, compared
  # above) and the dump's random \restrict key
  pg_dump --binary-upgrade --schema-only -d "$1" \
    | grep -v -E -e 'binary_upgrade_set_next_|binary_upgrade_create_empty_extension' \
                 -e "^SET relfrozenxid = |^WHERE oid = '[0-9]+';\$|pg_catalog.setval\(|^\\\\(un)?restrict "

  psql -X -At -d "$1" -c "SELECT format('extconfig %s %s', c::regclass, w) FROM pg_extension e,
      unnest(e.extconfig, e.extcondition) AS x(c, w) WHERE e.extname = 'stormops' ORDER BY 1"
}
catalog $old >"$work/catalog-updated"
catalog $new >"$work/catalog-fresh"
[ "$(grep -c 'ALTER EXTENSION stormops ADD' "$work/catalog-fresh")" -gt 100 ] \
  || { echo "not ok - the dump does not list the extension's objects"; exit 1; }
if diff -u "$work/catalog-fresh" "$work/catalog-updated"; then
  echo "ok - the updated catalog equals a fresh $current install ($(grep -c 'ALTER EXTENSION stormops ADD' "$work/catalog-fresh") objects)"
else
  echo "not ok - the updated catalog differs from a fresh install (above: - fresh, + updated)"; exit 1
fi
