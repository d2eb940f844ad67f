#!/usr/bin/python3
"""Every function of examples/streamlit/queries.py against a database with
the demo's market, storm and plays and test/python/control_plane_fixture.sql
(test/shell/control_plane_app.sh makes it; libpq's PG* variables name it).

The views must have exactly the columns docs/control-plane.md documents
(names, order, types); their figures must equal independent counts of the
tables; the playbook CRUD must work, and bad input must come back as the
right field's error with nothing written. app.py is compiled and checked to
hold no SQL (Streamlit is not in Debian, so it is not run). Prints TAP.
"""
import datetime
import os
import re
import sys
from decimal import Decimal

import psycopg

repo = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(repo, "examples", "streamlit"))
import queries  # noqa: E402

results = []


def ok(cond, name, diag=None):
    results.append(bool(cond))
    print(("ok" if cond else "not ok") + f" {len(results)} - {name}")
    if not cond and diag is not None:
        for line in str(diag).splitlines():
            print("# " + line)


def one(conn, sql, params=None):
    with conn.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchone()[0]


# --- the documented columns -------------------------------------------------
doc = open(os.path.join(repo, "docs", "control-plane.md")).read()
documented = {}
for section in re.split(r"^## ", doc, flags=re.M):
    m = re.match(r"`stormops\.([a-z_]+)`", section)
    if m:
        documented[m.group(1)] = re.findall(r"^\| `([a-z_]+)` \| `([^`]+)` \|", section, flags=re.M)
views = ["playbook_overview", "run_overview", "storm_overview", "execution_progress",
         "guardrail_activity", "notifications"]
ok(sorted(documented) == sorted(views), "docs/control-plane.md documents the six views", sorted(documented))

conn = queries.connect()
for v in views:
    with conn.cursor() as cur:
        cur.execute("""SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
                        WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped
                        ORDER BY a.attnum""", (f"stormops.{v}",))
        actual = [tuple(r) for r in cur.fetchall()]
    ok(actual == documented.get(v), f"{v}: the documented columns, in order, with their types",
       f"view: {actual}\ndocs: {documented.get(v)}")
    ok(one(conn, "SELECT 'security_invoker=true' = ANY (reloptions) FROM pg_class WHERE oid = %s::regclass",
           (f"stormops.{v}",)), f"{v} is security_invoker")


def names(rows):
    return list(rows[0].keys()) if rows else None


def doc_names(v):
    return [c for c, _ in documented.get(v, [])]


# --- playbook_overview --------------------------------------------------------
rows = queries.playbook_overview(conn)
ok(names(rows) == doc_names("playbook_overview"), "playbook_overview(): the documented columns")
ok([r["playbook_name"] for r in rows] == ["Loyalty-DFW-HighSES", "Frisco-Alpha", "Expansion-Lookalike"],
   "playbook_overview(): one row per playbook, in priority order", rows)
by_name = {r["playbook_name"]: r for r in rows}
for name, r in by_name.items():
    want = one(conn, """SELECT row(count(*), coalesce(sum(properties_contacted), 0), coalesce(sum(properties_converted), 0),
                               coalesce(sum(total_revenue), 0), coalesce(sum(total_cost), 0))::text
                          FROM stormops.playbook_executions e JOIN stormops.playbooks p USING (playbook_id)
                         WHERE p.playbook_name = %s""", (name,))
    got = "(%s,%s,%s,%s,%s)" % (r["executions"], r["properties_contacted"], r["properties_converted"],
                                r["total_revenue"], r["total_cost"])
    ok(got == want, f"playbook_overview(): {name}'s executions and lifetime sums equal the executions'", f"{got} {want}")
fa = by_name["Frisco-Alpha"]
# (the holdout draw hangs on the playbooks' random ids, so how many e-mails
# go out, and whether their cost rounds to 0, varies from run to run)
ok(fa["properties_converted"] > 0 and fa["roi"] == (
    round(Decimal(fa["total_revenue"] - fa["total_cost"]) / fa["total_cost"], 4) if fa["total_cost"] else None),
   "playbook_overview(): lifetime ROI is (revenue - cost) / cost, NULL without a cost", fa)
ok(fa["conversion_rate"] == round(Decimal(fa["properties_converted"]) / fa["properties_contacted"], 4),
   "playbook_overview(): lifetime conversion rate is converted / contacted", fa)
ok(by_name["Loyalty-DFW-HighSES"]["runs"] == 3 and by_name["Loyalty-DFW-HighSES"]["executions"] == 1,
   "playbook_overview(): runs count the storm's, the permit's and the imported campaign's", by_name["Loyalty-DFW-HighSES"])
ok(by_name["Expansion-Lookalike"]["roi"] is None and by_name["Expansion-Lookalike"]["conversion_rate"] is None,
   "playbook_overview(): ratios without a contact are NULL", by_name["Expansion-Lookalike"])
ok([r["playbook_name"] for r in queries.playbook_overview(conn, "Draft")] == [],
   "playbook_overview('Draft'): filtered by status")

# --- storm_overview and run_overview ----------------------------------------
storms = queries.storm_overview(conn)
ok(names(storms) == doc_names("storm_overview"), "storm_overview(): the documented columns")
storm = {s["event_id"]: s for s in storms}.get("noaa_ep_135504_hail")
ok(storm is not None and storm["reports"] == 12 and storm["runs"] == 3 and storm["executions"] == 2
   and storm["handled_at"] is not None
   and storm["playbooks"] == ["Loyalty-DFW-HighSES", "Frisco-Alpha", "Expansion-Lookalike"],
   "storm_overview(): the Frisco storm's reports, runs, executions and playbooks in serving order", storm)
want = dict(one(conn, """SELECT jsonb_object_agg(decision, n) FROM (
                           SELECT d.decision, count(*) AS n FROM stormops.proposal_decisions d
                             JOIN stormops.proposal_runs r USING (proposal_id)
                            WHERE r.event_id = 'noaa_ep_135504_hail' GROUP BY d.decision) x"""))
got = {k: storm[k] for k in ("proposed", "holdout", "suppressed", "escalated", "throttled", "busy", "over_capacity")
       if storm[k]}
ok(got == want, "storm_overview(): decisions by kind equal a count of proposal_decisions", f"{got} {want}")
ok(storm["targeted"] == sum(want.values()), "storm_overview(): targeted is every decision")
ok(storm["impacted_properties"] == one(conn, "SELECT count(*) FROM stormops.property_impacts WHERE event_id = 'noaa_ep_135504_hail'"),
   "storm_overview(): impacted properties")
ok({s["event_id"] for s in queries.storm_overview(conn, with_runs_only=True)} == {"noaa_ep_135504_hail", "cp_spring_2018"},
   "storm_overview(with_runs_only=True): the events with runs")
ok([s["event_id"] for s in queries.storm_overview(conn, since=datetime.date(2019, 1, 1), with_runs_only=True)]
   == ["noaa_ep_135504_hail"], "storm_overview(since=...): filtered by begin_at")

runs = queries.run_overview(conn, event_id="noaa_ep_135504_hail")
ok(names(runs) == doc_names("run_overview") and len(runs) == 3, "run_overview(event_id): the storm's three runs, documented columns")
bad = [r["playbook_name"] for r in runs
       if r["properties_targeted"] != r["properties_proposed"] + r["holdout"] + r["suppressed"] + r["escalated"]
       + r["throttled"] + r["busy"] + r["over_capacity"]]
ok(not bad, "run_overview(): every run's decisions add up to its targeted properties", bad)
fa_run = [r for r in runs if r["playbook_name"] == "Frisco-Alpha"][0]
ok(fa_run["suppressed"] == 2 and fa_run["escalated"] == 1 and fa_run["throttled"] == 1
   and fa_run["execution_status"] == "Running" and fa_run["trigger_kind"] == "storm",
   "run_overview(): Frisco-Alpha's opt-out and do-not-contact suppressed, complaints escalated, contacts throttled", fa_run)
permit_runs = queries.run_overview(conn, permit_id="cp_permit_1")
ok(len(permit_runs) == 1 and permit_runs[0]["trigger_kind"] == "competitor_permit" and permit_runs[0]["priority"] == 1,
   "run_overview(permit_id): the defensive play's run at priority 1", permit_runs)
imported = queries.run_overview(conn, playbook_name="Loyalty-DFW-HighSES")
ok(sorted(r["trigger_kind"] for r in imported) == ["competitor_permit", "imported", "storm"],
   "run_overview(playbook_name): a playbook's runs of every kind", imported)

# --- execution_progress -------------------------------------------------------
ex = queries.execution_progress(conn)
ok(names(ex) == doc_names("execution_progress") and len(ex) == 3, "execution_progress(): three executions, documented columns")
for e in ex:
    if e["trigger_kind"] == "imported":
        plan_cols = doc_names("execution_progress")[doc_names("execution_progress").index("properties_open"):
                                                     doc_names("execution_progress").index("last_sent_at") + 1]
        ok(all(e[c] is None for c in plan_cols) and e["status"] == "Completed",
           "execution_progress(): the imported execution has NULL plan columns", e)
        continue
    want = one(conn, """SELECT row(count(*), count(*) FILTER (WHERE status = 'planned'), count(*) FILTER (WHERE status = 'sent'),
                               count(*) FILTER (WHERE status NOT IN ('planned', 'leased')),
                               count(DISTINCT property_id) FILTER (WHERE status IN ('planned', 'leased')))::text
                          FROM stormops.contact_steps WHERE execution_id = %s""", (e["execution_id"],))
    final = e["sent"] + e["skipped"] + e["expired"] + e["failed"]
    got = "(%s,%s,%s,%s,%s)" % (e["plan_steps"], e["planned"], e["sent"], final, e["properties_open"])
    ok(got == want and e["plan_steps"] == e["planned"] + e["leased"] + final
       and e["percent_done"] == round(Decimal(100 * final) / e["plan_steps"], 1),
       f"execution_progress(): {e['playbook_name']}'s steps by status and percent done equal contact_steps", f"{got} {want} {e}")
fa_ex = [e for e in ex if e["playbook_name"] == "Frisco-Alpha"][0]
ok(fa_ex["sent"] > 0 and fa_ex["last_sent_at"] is not None and fa_ex["next_due_at"] is not None
   and fa_ex["properties_converted"] > 0, "execution_progress(): Frisco-Alpha sent, converted, and has a next due step", fa_ex)
ok(len(queries.execution_progress(conn, status="Completed")) == 1
   and len(queries.execution_progress(conn, playbook_name="Frisco-Alpha")) == 1,
   "execution_progress(status, playbook_name): filtered")

# --- guardrail_activity -------------------------------------------------------
ga = queries.guardrail_activity(conn)
ok(names(ga) == doc_names("guardrail_activity"), "guardrail_activity(): the documented columns")
kinds = {(g["kind"], g["playbook_name"]): g["entries"] for g in ga}
want = dict(((k, p), n) for k, p, n in
            conn.execute("""SELECT d.decision::text, p.playbook_name, count(*) FROM stormops.proposal_decisions d
                              JOIN stormops.proposal_runs r USING (proposal_id) JOIN stormops.playbooks p USING (playbook_id)
                             WHERE d.decision IN ('suppressed', 'escalated', 'throttled') GROUP BY 1, 2""").fetchall())
want[("do_not_contact", None)] = 1
ok(kinds == want, "guardrail_activity(): suppressions, escalations, throttles by playbook and the do-not-contact entry",
   f"{kinds} {want}")
dnc = [g for g in ga if g["kind"] == "do_not_contact"]
ok(dnc and dnc[0]["day"] == datetime.date(2019, 3, 2), "guardrail_activity(): the entry on its Central-time day", dnc)
ok([g["kind"] for g in queries.guardrail_activity(conn, since=datetime.date(2019, 3, 3))
    if g["kind"] == "do_not_contact"] == [], "guardrail_activity(since=...): filtered by day")

# --- notifications ------------------------------------------------------------
ns = queries.notifications(conn)
ok(names(ns) == doc_names("notifications"), "notifications(): the documented columns")
states = {n["delivery_state"] for n in ns}
ok({"delivered", "dead", "due", "sending", "retry_scheduled"} <= states, "notifications(): every delivery state", states)
ok(all(n["delivery_state"] == n["status"] for n in ns if n["status"] != "pending")
   and all(n["next_attempt_at"] is None for n in ns if n["status"] != "pending"),
   "notifications(): delivered and dead keep their status, without a next attempt")
threat = [n for n in ns if n["kind"] == "competitor_threat"]
ok(threat and threat[0]["permit_id"] == "cp_permit_1", "notifications(): the competitor threat names its permit", threat)
esc = [n for n in ns if n["kind"] == "escalation" and n["event_id"]]
ok(esc and esc[0]["event_id"] == "noaa_ep_135504_hail" and esc[0]["property_id"],
   "notifications(): the escalation names its storm and property", esc)
ok({n["delivery_state"] for n in queries.notifications(conn, "dead")} == {"dead"}
   and len(queries.notifications(conn, limit=2)) == 2, "notifications(state, limit): filtered")

# --- reading as a viewer ------------------------------------------------------
with conn.transaction(force_rollback=True):
    conn.execute("SET LOCAL ROLE stormops_viewer")
    try:
        counts = [len(f(conn)) for f in (queries.playbook_overview, queries.storm_overview, queries.run_overview,
                                          queries.execution_progress, queries.guardrail_activity, queries.notifications)]
        ok(all(counts), "a viewer reads every view", counts)
    except psycopg.Error as e:
        ok(False, "a viewer reads every view", e)
    refused = queries.create_playbook(conn, {"playbook_name": "Viewer-Play", "targeting_rules": "{}",
                                             "channel_strategy": '{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0}]}'})
    ok(not refused.ok and "permission denied" in " ".join(refused.errors.get("", [])),
       "a viewer's create is refused, said at the form", refused.errors)

# --- playbook CRUD ------------------------------------------------------------
STRATEGY = '{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0, "message_variant": "hello"}]}'
good = {"playbook_name": "CP-Test-Play", "targeting_rules": '{"physics": {"min_sii_score": 50}, "geography": {"zips": ["75034"]}}',
        "channel_strategy": STRATEGY, "message_variants": '{"hello": "Hello from your roofer."}',
        "priority": "40", "budget_allocated": "5000", "holdout_share": "0.2", "target_roi": "2.5",
        "cost_per_contact": "", "requires_ml_scoring": True}
count = lambda: one(conn, "SELECT count(*) FROM stormops.playbooks")  # noqa: E731
before = count()


def refused(name, form, column, text):
    out = queries.create_playbook(conn, form)
    msgs = out.errors.get(column, [])
    ok(not out.ok and out.row is None and any(text in m for m in msgs) and count() == before,
       f"create refuses {name}: under {column}, nothing written", out.errors)
    return out


out = refused("two bad targeting rules and a decreasing strategy",
              dict(good, targeting_rules='{"physics": {"min_sii_score": 170, "max_days_since_storm": -1}}',
                   channel_strategy='{"sequence": [{"step": 1, "channel": "email", "timing_hours": 48}, '
                                    '{"step": 2, "channel": "sms", "timing_hours": 24}]}'),
              "targeting_rules", "physics.min_sii_score: out of range")
ok(out.errors.keys() == {"targeting_rules", "channel_strategy"}
   and any("sequence[1].timing_hours: timing_hours decreases" in m for m in out.errors["channel_strategy"]),
   "create shows what check_targeting_rules and check_channel_strategy report, both fields at once", out.errors)
ok(queries.validate_playbook(conn, dict(good, targeting_rules='{"physics": {"min_sii_score": 170}}')).errors.keys() == {"targeting_rules"}
   and queries.validate_playbook(conn, good).ok, "validate_playbook checks without writing")
refused("text that is not JSON", dict(good, channel_strategy='{"sequence": ['), "channel_strategy", "not JSON")
refused("a missing name", {k: v for k, v in good.items() if k != "playbook_name"}, "playbook_name", "required")
refused("a blank strategy", dict(good, channel_strategy="  "), "channel_strategy", "required")
refused("a priority that is not a number", dict(good, priority="first"), "priority", "a whole number")
refused("a name taken", dict(good, playbook_name="Frisco-Alpha"), "playbook_name", "already exists")
refused("a name starting with a space", dict(good, playbook_name=" CP"), "playbook_name", "invalid playbook_name")
refused("a holdout share of 1", dict(good, holdout_share="1"), "holdout_share", "out of range")
refused("a negative budget", dict(good, budget_allocated="-5"), "budget_allocated", "out of range")
refused("a variant missing from message_variants", dict(good, message_variants='{"other": "x"}'),
        "channel_strategy", "unknown message variant")
refused("a cost for an unknown channel", dict(good, cost_per_contact='{"fax": 1}'), "cost_per_contact", "unknown key")
refused("a version that is not semantic", dict(good, playbook_version="one"), "playbook_version", "invalid playbook_version")
refused("an unknown field", dict(good, colour="red"), "", "unknown field colour")

created = queries.create_playbook(conn, good)
ok(created.ok and created.row["status"] == "Draft" and created.row["playbook_version"] == "1.0.0"
   and created.row["holdout_share"] == Decimal("0.2") and created.row["requires_ml_scoring"] is True
   and created.row["cost_per_contact"] == {} and count() == before + 1,
   "create_playbook inserts a Draft with the form's values and the defaults", created)
row = [r for r in queries.playbook_overview(conn) if r["playbook_name"] == "CP-Test-Play"]
ok(row and row[0]["runs"] == 0 and row[0]["executions"] == 0 and row[0]["total_cost"] == 0,
   "the new playbook shows in playbook_overview with zeros", row)
ok("CP-Test-Play" in queries.playbook_names(conn) and queries.playbook(conn, "CP-Test-Play")["priority"] == 40,
   "playbook_names and playbook read it back")

paused = queries.pause_playbook(conn, "CP-Test-Play")
ok(not paused.ok and any("cannot move from Draft to Paused" in m for m in paused.errors.get("status", [])),
   "pause of a Draft is refused with the permitted moves", paused.errors)
ok(queries.activate_playbook(conn, "CP-Test-Play").row["status"] == "Active", "activate_playbook: Active")
ok(queries.pause_playbook(conn, "CP-Test-Play").row["status"] == "Paused", "pause_playbook: Paused")
ok(queries.activate_playbook(conn, "CP-Test-Play").row["status"] == "Active", "activate_playbook again: Active")
missing = queries.activate_playbook(conn, "No-Such-Play")
ok(not missing.ok and any("does not exist" in m for m in missing.errors.get("status", [])),
   "an unknown playbook is refused by name", missing.errors)

current = queries.playbook(conn, "CP-Test-Play")
form = {f.column: queries.form_text(f, current[f.column]) if f.kind != "bool" else current[f.column]
        for f in queries.FIELDS}
changes, parsed = queries.form_changes(current, form)
ok(parsed.ok and changes == {}, "form_changes: the prefilled form changes nothing", changes)
changes, parsed = queries.form_changes(current, dict(form, budget_allocated="6000", holdout_share="0.20"))
ok(changes == {"budget_allocated": 6000}, "form_changes: only the changed column (0.20 equals 0.2)", changes)
revised = queries.revise_playbook(conn, "CP-Test-Play", changes)
ok(revised.ok and revised.row["playbook_version"] == "1.0.1" and revised.row["budget_allocated"] == 6000,
   "revise_playbook: a patch version for a budget", revised)
changes, _ = queries.form_changes(revised.row, dict(form, targeting_rules='{"physics": {"min_sii_score": 60}}'))
revised = queries.revise_playbook(conn, "CP-Test-Play", changes)
ok(revised.ok and revised.row["playbook_version"] == "1.1.0", "revise_playbook: a minor version for targeting rules", revised)
ok([v["playbook_version"] for v in queries.playbook_versions(conn, "CP-Test-Play")] == ["1.0.1", "1.0.0"],
   "playbook_versions: the versions it superseded, newest first")
ok(queries.playbook_overview(conn, "Active")[-1]["earlier_versions"] == 2 or any(
    r["earlier_versions"] == 2 for r in queries.playbook_overview(conn, "Active") if r["playbook_name"] == "CP-Test-Play"),
   "playbook_overview counts its earlier versions")
bad_rev = queries.revise_playbook(conn, "CP-Test-Play", {"targeting_rules": {"physics": {"min_sii_score": 170}}})
ok(not bad_rev.ok and any("min_sii_score" in m for m in bad_rev.errors.get("targeting_rules", [])),
   "revise: bad targeting rules under their field", bad_rev.errors)
bad_rev = queries.revise_playbook(conn, "CP-Test-Play", {"holdout_share": Decimal("2")})
ok(not bad_rev.ok and any("out of range" in m for m in bad_rev.errors.get("holdout_share", [])),
   "revise: a holdout share out of range under its field", bad_rev.errors)
bad_rev = queries.revise_playbook(conn, "CP-Test-Play", {"priority": None})
ok(not bad_rev.ok and "priority" in bad_rev.errors, "revise: a NOT NULL column cleared, under its field", bad_rev.errors)
changes, parsed = queries.form_changes(current, dict(form, priority="soon"))
ok(not parsed.ok and "priority" in parsed.errors, "form_changes: a value that does not parse, under its field", parsed.errors)
ok(queries.revise_playbook(conn, "CP-Test-Play", {}).errors == {"": ["nothing changed"]}, "revise: nothing changed")
ok(queries.playbook(conn, "CP-Test-Play")["playbook_version"] == "1.1.0", "refused revisions wrote nothing")

ok(queries.retire_playbook(conn, "CP-Test-Play").row["status"] == "Retired", "retire_playbook: Retired")
after = queries.revise_playbook(conn, "CP-Test-Play", {"budget_allocated": 1})
ok(not after.ok and any("retired" in m for ms in after.errors.values() for m in ms), "a retired playbook cannot be revised", after.errors)
again = queries.activate_playbook(conn, "CP-Test-Play")
ok(not again.ok and any("retired" in m for m in again.errors.get("status", [])), "a retired playbook cannot be activated", again.errors)

draft = queries.create_playbook(conn, dict(good, playbook_name="CP-Draft"))
gone = queries.delete_playbook(conn, "CP-Draft")
ok(draft.ok and gone.ok and queries.playbook(conn, "CP-Draft") is None, "delete_playbook: a Draft that never ran")
kept = queries.delete_playbook(conn, "Frisco-Alpha")
ok(not kept.ok and any("Retire it instead" in m for m in kept.errors.get("", [])) and queries.playbook(conn, "Frisco-Alpha"),
   "delete_playbook refuses a playbook with executions, with the hint to retire it", kept.errors)
ok(not queries.delete_playbook(conn, "No-Such-Play").ok, "delete_playbook: an unknown playbook")

# --- app.py: compiled, and no SQL in it --------------------------------------
app = os.path.join(repo, "examples", "streamlit", "app.py")
text = open(app).read()
try:
    compile(text, app, "exec")
    ok(True, "app.py compiles")
except SyntaxError as e:
    ok(False, "app.py compiles", e)
sql_in_app = re.findall(r"\b(SELECT|INSERT|UPDATE|DELETE|stormops\.)|\.execute\(|\.cursor\(", text)
ok(not sql_in_app, "app.py holds no SQL: every query is in queries.py", sql_in_app)

conn.close()
print(f"1..{len(results)}")
sys.exit(0 if all(results) else 1)
