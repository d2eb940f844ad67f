"""An example control plane for stormops, in Streamlit: layout only.

Every query is a function of queries.py (tested against a test cluster);
this file lays out widgets and shows what those functions return. Run it
with `streamlit run app.py` (README.md); connection settings come from
libpq's PG* environment variables or STORMOPS_DSN.
"""
import datetime
import os
import uuid

import streamlit as st

import queries

st.set_page_config(page_title="stormops control plane", layout="wide")


@st.cache_resource
def connection():
    return queries.connect(os.environ.get("STORMOPS_DSN", ""))


conn = connection()
page = st.sidebar.radio("Page", ["Playbooks", "Storms", "Executions", "Guardrails", "Notifications",
                                 "New playbook", "Edit playbook"])


def table(rows):
    """A table of rows; ids and JSON shown as text."""
    st.dataframe([{k: str(v) if isinstance(v, (uuid.UUID, dict, list)) else v for k, v in r.items()} for r in rows],
                 use_container_width=True)


if "flash" in st.session_state:
    st.success(st.session_state.pop("flash"))


def show_errors(errors, column):
    for message in errors.get(column, []):
        st.error(message)


def field_widget(f, value, key):
    """One widget per playbook column; returns its value as the form holds it."""
    label = f.label + (" *" if f.required else "")
    if f.kind == "bool":
        return st.checkbox(label, value=bool(value), key=key, help=f.help or None)
    text = queries.form_text(f, value)
    if f.kind == "json":
        return st.text_area(label, value=text, key=key, height=160, help=f.help or None)
    return st.text_input(label, value=text, key=key, help=f.help or None)


if page == "Playbooks":
    st.header("Playbooks")
    status = st.selectbox("Status", ["all", "Draft", "Active", "Paused", "Retired"])
    table(queries.playbook_overview(conn, None if status == "all" else status))
    st.caption("Lifetime figures are the executions' roll-ups as of their latest refresh.")

elif page == "Storms":
    st.header("Storms")
    since = st.date_input("Storms since", value=datetime.date.today() - datetime.timedelta(days=365))
    with_runs = st.checkbox("Only storms with runs", value=True)
    storms = queries.storm_overview(conn, since=since, with_runs_only=with_runs)
    table(storms)
    if storms:
        event_id = st.selectbox("Runs of", [s["event_id"] for s in storms])
        table(queries.run_overview(conn, event_id=event_id))

elif page == "Executions":
    st.header("Executions")
    status = st.selectbox("Status", ["all", "Running", "Completed", "Aborted"])
    rows = queries.execution_progress(conn, None if status == "all" else status)
    table(rows)
    for row in rows:
        if row["percent_done"] is not None:
            st.progress(min(int(row["percent_done"]), 100),
                        text=f"{row['playbook_name']} ({row['event_id'] or row['permit_id']}): "
                             f"{row['percent_done']}% of {row['plan_steps']} steps final")

elif page == "Guardrails":
    st.header("Guardrail activity")
    since = st.date_input("Days since", value=datetime.date.today() - datetime.timedelta(days=30))
    table(queries.guardrail_activity(conn, since=since))

elif page == "Notifications":
    st.header("Notifications")
    state = st.selectbox("Delivery state", ["all", "due", "sending", "retry_scheduled", "scheduled", "delivered", "dead"])
    table(queries.notifications(conn, None if state == "all" else state))

elif page == "New playbook":
    st.header("New playbook")
    errors = st.session_state.get("create_errors", {})
    with st.form("create"):
        form = {}
        for f in queries.FIELDS:
            form[f.column] = field_widget(f, None, "new_" + f.column)
            show_errors(errors, f.column)
        submitted = st.form_submit_button("Create (as a Draft)")
    show_errors(errors, queries.FORM)
    if submitted:
        outcome = queries.create_playbook(conn, form)
        st.session_state["create_errors"] = outcome.errors
        if outcome.ok:
            st.session_state["flash"] = f"Created {outcome.row['playbook_name']} {outcome.row['playbook_version']} (Draft)"
        st.rerun()

elif page == "Edit playbook":
    st.header("Edit playbook")
    names = queries.playbook_names(conn)
    if not names:
        st.info("No playbook yet.")
        st.stop()
    name = st.selectbox("Playbook", names)
    current = queries.playbook(conn, name)
    st.write(f"Version {current['playbook_version']}, {current['status']}")

    buttons = st.columns(4)
    actions = [("Activate", queries.activate_playbook), ("Pause", queries.pause_playbook),
               ("Retire", queries.retire_playbook), ("Delete", queries.delete_playbook)]
    for column, (label, action) in zip(buttons, actions):
        if column.button(label):
            outcome = action(conn, name)
            if outcome.ok:
                st.session_state["flash"] = f"{label} {name}: done"
                st.rerun()
            for messages in outcome.errors.values():
                for message in messages:
                    st.error(message)

    errors = st.session_state.get("revise_errors", {})
    with st.form("revise"):
        form = {}
        for f in queries.FIELDS:
            if f.column == "playbook_version":
                continue
            form[f.column] = field_widget(f, current[f.column], f"edit_{name}_{f.column}")
            show_errors(errors, f.column)
        bump = st.selectbox("Version part to bump", ["automatic", "patch", "minor", "major"])
        submitted = st.form_submit_button("Save as a new version")
    show_errors(errors, queries.FORM)
    if submitted:
        changes, outcome = queries.form_changes(current, form)
        if outcome.ok:
            outcome = queries.revise_playbook(conn, name, changes, None if bump == "automatic" else bump)
        st.session_state["revise_errors"] = outcome.errors
        if outcome.ok:
            st.session_state["flash"] = f"Saved {name} as version {outcome.row['playbook_version']}"
        st.rerun()

    st.subheader("Earlier versions")
    table(queries.playbook_versions(conn, name))
