"""Every query of the example control plane (app.py), as plain functions.

Each function takes a psycopg 3 connection (Debian's python3-psycopg) and
returns plain Python values: lists of dicts for reads, an Outcome for
writes. Nothing here imports Streamlit, so the tests run this module
against a test cluster (test/python/test_control_plane_queries.py) and any
other front end can reuse it.

Reads go through the views documented in docs/control-plane.md. Writes are
the playbook's life: create (an INSERT into stormops.playbooks, after
stormops.check_targeting_rules and stormops.check_channel_strategy, so that
the problems of both JSON fields are shown at once, each next to its field),
activate, pause, retire (the lifecycle functions), revise
(stormops.revise_playbook: a new version) and delete (only a playbook
without executions; retire the others). A refused write returns the
database's message keyed by the form field it is about.

Use an autocommit connection (connect() below): every write is its own
transaction, and reads leave none open.
"""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import psycopg
from psycopg import sql as pgsql
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb


def connect(conninfo: str = "", **kwargs: Any) -> psycopg.Connection:
    """A connection for the app: autocommit, libpq's PG* variables apply."""
    return psycopg.connect(conninfo, autocommit=True, **kwargs)


def _rows(conn: psycopg.Connection, sql: str, params: Any = None) -> list[dict]:
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(sql, params)
        return cur.fetchall()


# --------------------------------------------------------------------------
# The views (docs/control-plane.md)

def playbook_overview(conn, status: str | None = None) -> list[dict]:
    """One row per playbook with its lifetime figures, served order first."""
    return _rows(conn, """
        SELECT * FROM stormops.playbook_overview
         WHERE %(status)s::text IS NULL OR status::text = %(status)s
         ORDER BY status = 'Retired', priority, playbook_name""", {"status": status})


def storm_overview(conn, since: datetime.date | None = None, with_runs_only: bool = False,
                   limit: int = 200) -> list[dict]:
    """One row per storm event, newest first."""
    return _rows(conn, """
        SELECT * FROM stormops.storm_overview
         WHERE (%(since)s::date IS NULL OR begin_at >= %(since)s::date)
           AND (NOT %(with_runs_only)s OR runs > 0)
         ORDER BY begin_at DESC, event_id
         LIMIT %(limit)s""", {"since": since, "with_runs_only": with_runs_only, "limit": limit})


def run_overview(conn, event_id: str | None = None, permit_id: str | None = None,
                 playbook_name: str | None = None) -> list[dict]:
    """Proposal runs (a storm's, a permit's or a playbook's), in the order they were served."""
    return _rows(conn, """
        SELECT * FROM stormops.run_overview
         WHERE (%(event_id)s::text IS NULL OR event_id = %(event_id)s)
           AND (%(permit_id)s::text IS NULL OR permit_id = %(permit_id)s)
           AND (%(playbook_name)s::text IS NULL OR playbook_name = %(playbook_name)s)
         ORDER BY proposed_at DESC, priority, playbook_name""",
                 {"event_id": event_id, "permit_id": permit_id, "playbook_name": playbook_name})


def execution_progress(conn, status: str | None = None, playbook_name: str | None = None) -> list[dict]:
    """One row per execution with its plan progress, newest first."""
    return _rows(conn, """
        SELECT * FROM stormops.execution_progress
         WHERE (%(status)s::text IS NULL OR status::text = %(status)s)
           AND (%(playbook_name)s::text IS NULL OR playbook_name = %(playbook_name)s)
         ORDER BY execution_start DESC, playbook_name""",
                 {"status": status, "playbook_name": playbook_name})


def guardrail_activity(conn, since: datetime.date | None = None) -> list[dict]:
    """Guardrail activity per local day, newest day first."""
    return _rows(conn, """
        SELECT * FROM stormops.guardrail_activity
         WHERE %(since)s::date IS NULL OR day >= %(since)s::date
         ORDER BY day DESC, kind, playbook_name NULLS FIRST""", {"since": since})


def notifications(conn, delivery_state: str | None = None, limit: int = 200) -> list[dict]:
    """The newest notifications with their delivery state."""
    return _rows(conn, """
        SELECT * FROM stormops.notifications
         WHERE %(state)s::text IS NULL OR delivery_state = %(state)s
         ORDER BY notification_id DESC
         LIMIT %(limit)s""", {"state": delivery_state, "limit": limit})


def playbook_names(conn) -> list[str]:
    return [r["playbook_name"] for r in _rows(conn, """
        SELECT playbook_name FROM stormops.playbooks ORDER BY playbook_name""")]


def playbook(conn, name: str) -> dict | None:
    """The whole playbook row (JSON columns as Python values), or None."""
    rows = _rows(conn, "SELECT * FROM stormops.playbooks WHERE playbook_name = %s", (name,))
    return rows[0] if rows else None


def playbook_versions(conn, name: str) -> list[dict]:
    """The versions a playbook has superseded, newest first."""
    return _rows(conn, """
        SELECT v.playbook_version, v.superseded_at, v.superseded_by, v.playbook
          FROM stormops.playbook_versions v
          JOIN stormops.playbooks p USING (playbook_id)
         WHERE p.playbook_name = %s
         ORDER BY v.superseded_at DESC""", (name,))


def check_targeting_rules(conn, rules: Any) -> list[dict]:
    """The problem of a targeting rule set (the first found): path, problem, expected, found; none: valid."""
    return _rows(conn, "SELECT * FROM stormops.check_targeting_rules(%s)", (Jsonb(rules),))


def check_channel_strategy(conn, strategy: Any) -> list[dict]:
    """The problem of a channel strategy (the first found): path, problem, expected, found; none: valid."""
    return _rows(conn, "SELECT * FROM stormops.check_channel_strategy(%s)", (Jsonb(strategy),))


# --------------------------------------------------------------------------
# Playbook forms

@dataclass(frozen=True)
class Field:
    column: str
    kind: str            # text, json, int, numeric, bool
    label: str
    required: bool = False
    help: str = ""


# The columns a form edits, in the order a form shows them. playbook_version
# only when creating (revisions bump it); status through the lifecycle.
FIELDS: list[Field] = [
    Field("playbook_name", "text", "Name", True, "1 to 200 characters, no control characters"),
    Field("playbook_version", "text", "Version", False, "semantic version; default 1.0.0"),
    Field("targeting_rules", "json", "Targeting rules", True, "docs/playbook-reference.md"),
    Field("channel_strategy", "json", "Channel strategy", True, "a numbered sequence of channel steps"),
    Field("message_variants", "json", "Message variants", False, "variant name -> script"),
    Field("cost_per_contact", "json", "Cost per contact", False, 'e.g. {"door_knock": 18}'),
    Field("priority", "int", "Priority", False, "1 is served first; default 100"),
    Field("expected_property_count", "int", "Expected properties"),
    Field("min_property_count", "int", "Minimum properties for an execution", False, "default 1"),
    Field("max_daily_contacts", "int", "Max daily contacts"),
    Field("max_concurrent_properties", "int", "Max concurrent properties"),
    Field("team_size_required", "int", "Team size"),
    Field("budget_allocated", "int", "Budget (dollars)"),
    Field("holdout_share", "numeric", "Holdout share", False, "0 <= share < 1; default 0.10"),
    Field("target_conversion_rate", "numeric", "Target conversion rate", False, "0..1"),
    Field("target_avg_ticket", "int", "Target average ticket (dollars)"),
    Field("target_roi", "numeric", "Target ROI", False, "a ratio: 4.00 is 400%"),
    Field("requires_vector_search", "bool", "Requires vector search"),
    Field("requires_graph_analysis", "bool", "Requires graph analysis"),
    Field("requires_streaming_triggers", "bool", "Requires streaming triggers"),
    Field("requires_ml_scoring", "bool", "Requires ML scoring"),
]
FIELD_BY_COLUMN = {f.column: f for f in FIELDS}
FORM = ""   # the key of errors that belong to no one field


@dataclass
class Outcome:
    """What a write did: the playbook row it left, or the errors by form field."""
    row: dict | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def add(self, column: str, message: str) -> None:
        self.errors.setdefault(column, []).append(message)


def _parse_value(f: Field, raw: Any) -> Any:
    """A form value (text from a widget, or already a Python value) as the column's value.
    Raises ValueError with the message to show next to the field."""
    if f.kind == "bool":
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in ("true", "t", "yes", "1"):
            return True
        if text in ("false", "f", "no", "0"):
            return False
        raise ValueError("true or false")
    if not isinstance(raw, str):
        return raw
    text = raw.strip()
    if f.kind == "text":
        return raw
    if f.kind == "json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as e:
            raise ValueError(f"not JSON: {e.msg} at line {e.lineno}, column {e.colno}") from None
    if f.kind == "int":
        if not re.fullmatch(r"[+-]?[0-9]+", text):
            raise ValueError(f"a whole number; found {raw!r}")
        return int(text)
    if f.kind == "numeric":
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"a number; found {raw!r}") from None
        if not value.is_finite():
            raise ValueError(f"a finite number; found {raw!r}")
        return value
    raise AssertionError(f.kind)


def parse_form(form: dict[str, Any], creating: bool = True) -> tuple[dict[str, Any], Outcome]:
    """Form values by column -> (column values, Outcome with the errors). Blank
    values are left out (the column's default); required ones must be given."""
    values: dict[str, Any] = {}
    outcome = Outcome()
    for column in form:
        if column not in FIELD_BY_COLUMN:
            outcome.add(FORM, f"unknown field {column}")
    for f in FIELDS:
        if f.column not in form:
            continue
        raw = form[f.column]
        if raw is None or (isinstance(raw, str) and raw.strip() == "" and f.kind != "bool"):
            if f.required:
                outcome.add(f.column, "required")
            elif not creating:
                values[f.column] = None     # a revision may clear a column
            continue
        try:
            values[f.column] = _parse_value(f, raw)
        except ValueError as e:
            outcome.add(f.column, str(e))
    for f in FIELDS:
        if creating and f.required and f.column not in form:
            outcome.add(f.column, "required")
    return values, outcome


def _check_json_fields(conn, values: dict[str, Any], outcome: Outcome) -> None:
    """What check_targeting_rules and check_channel_strategy report, by field."""
    for column, check in (("targeting_rules", check_targeting_rules),
                          ("channel_strategy", check_channel_strategy)):
        if column in values and column not in outcome.errors and values[column] is not None:
            for p in check(conn, values[column]):
                outcome.add(column, f"{p['path']}: {p['problem']}; expected {p['expected']}; found {p['found']}")


def _column_of_error(e: psycopg.Error) -> str:
    """The form field a refusal is about: the JSON path or column in its
    detail, the column in its message, or its constraint's column."""
    d = e.diag
    detail = d.message_detail or ""
    message = d.message_primary or ""
    for pattern, text in ((r"JSON path: changes\.([a-z_]+)", detail), (r"^Column ([a-z_]+)", detail),
                          (r"^invalid ([a-z_]+) at ", message), (r"^([a-z_]+) of playbook ", message)):
        m = re.search(pattern, text)
        if m and m.group(1) in FIELD_BY_COLUMN:
            return m.group(1)
    if d.column_name in FIELD_BY_COLUMN:
        return d.column_name
    constraint = d.constraint_name or ""
    matches = [c for c in FIELD_BY_COLUMN if c in constraint]
    if matches:
        return max(matches, key=len)
    return FORM


def _message(e: psycopg.Error) -> str:
    d = e.diag
    parts = [d.message_primary or str(e)]
    if d.message_detail:
        parts.append(d.message_detail)
    if d.message_hint:
        parts.append(d.message_hint)
    return " ".join(parts)


def _refused(e: psycopg.Error, outcome: Outcome | None = None) -> Outcome:
    outcome = outcome or Outcome()
    outcome.add(_column_of_error(e), _message(e))
    return outcome


def _db_value(column: str, value: Any) -> Any:
    return Jsonb(value) if FIELD_BY_COLUMN[column].kind == "json" and value is not None else value


def validate_playbook(conn, form: dict[str, Any]) -> Outcome:
    """The problems of a new playbook's form, without writing anything."""
    values, outcome = parse_form(form, creating=True)
    _check_json_fields(conn, values, outcome)
    return outcome


def create_playbook(conn, form: dict[str, Any]) -> Outcome:
    """Inserts a playbook (Draft) from a form; nothing is written when any field is refused."""
    values, outcome = parse_form(form, creating=True)
    _check_json_fields(conn, values, outcome)
    if not outcome.ok:
        return outcome
    columns = list(values)
    insert = pgsql.SQL("INSERT INTO stormops.playbooks ({}) VALUES ({}) RETURNING *").format(
        pgsql.SQL(", ").join(pgsql.Identifier(c) for c in columns),
        pgsql.SQL(", ").join(pgsql.Placeholder() for _ in columns))
    try:
        with conn.transaction(), conn.cursor(row_factory=dict_row) as cur:
            cur.execute(insert, [_db_value(c, values[c]) for c in columns])
            outcome.row = cur.fetchone()
    except psycopg.Error as e:
        return _refused(e, outcome)
    return outcome


def form_changes(current: dict, form: dict[str, Any]) -> tuple[dict[str, Any], Outcome]:
    """The columns whose form value differs from the playbook's current one."""
    form = {c: v for c, v in form.items() if c != "playbook_version"}
    values, outcome = parse_form(form, creating=False)
    changes = {}
    for column, value in values.items():
        now = current.get(column)
        if FIELD_BY_COLUMN[column].kind == "numeric" and value is not None and now is not None:
            differs = Decimal(value) != Decimal(now)
        else:
            differs = value != now
        if differs:
            changes[column] = value
    return changes, outcome


def revise_playbook(conn, name: str, changes: dict[str, Any], bump: str | None = None) -> Outcome:
    """Applies changes (column -> value) as a new version (stormops.revise_playbook)."""
    outcome = Outcome()
    if not changes:
        outcome.add(FORM, "nothing changed")
        return outcome
    _check_json_fields(conn, changes, outcome)
    if not outcome.ok:
        return outcome
    payload = {c: (str(v) if isinstance(v, Decimal) else v) for c, v in changes.items()}
    try:
        with conn.transaction(), conn.cursor(row_factory=dict_row) as cur:
            cur.execute("SELECT * FROM stormops.revise_playbook(%s, %s, %s)", (name, Jsonb(payload), bump))
            outcome.row = cur.fetchone()
    except psycopg.Error as e:
        return _refused(e, outcome)
    return outcome


def _lifecycle(conn, function: str, name: str) -> Outcome:
    outcome = Outcome()
    try:
        with conn.transaction(), conn.cursor(row_factory=dict_row) as cur:
            cur.execute(pgsql.SQL("SELECT * FROM stormops.{}(%s)").format(pgsql.Identifier(function)),
                        (name,))
            outcome.row = cur.fetchone()
    except psycopg.Error as e:
        outcome.add("status", _message(e))
    return outcome


def activate_playbook(conn, name: str) -> Outcome:
    return _lifecycle(conn, "activate_playbook", name)


def pause_playbook(conn, name: str) -> Outcome:
    return _lifecycle(conn, "pause_playbook", name)


def retire_playbook(conn, name: str) -> Outcome:
    return _lifecycle(conn, "retire_playbook", name)


def delete_playbook(conn, name: str) -> Outcome:
    """Deletes a playbook that never ran (one with executions is refused: retire it)."""
    outcome = Outcome()
    try:
        with conn.transaction(), conn.cursor(row_factory=dict_row) as cur:
            cur.execute("DELETE FROM stormops.playbooks WHERE playbook_name = %s RETURNING *", (name,))
            outcome.row = cur.fetchone()
    except psycopg.Error as e:
        return _refused(e, outcome)
    if outcome.row is None:
        outcome.add(FORM, f'playbook "{name}" does not exist')
    return outcome


def form_text(f: Field, value: Any) -> str:
    """A column value as the text a form widget shows."""
    if value is None:
        return ""
    if f.kind == "json":
        return json.dumps(value, indent=2)
    return str(value)
