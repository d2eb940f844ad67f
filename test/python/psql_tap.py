"""TAP output and psql access for the Python reference checks (test/shell/*_reference.sh).

  ok(cond, what)   prints "ok N - what" or "not ok N - what"
  rows(sql)        runs sql through psql (PG* variables; the statement on
                   stdin, so arrays of any length fit) and returns its rows
                   as lists of text fields
  finish()         prints the plan "1..N" and exits 1 when one was not ok
"""
import subprocess
import sys

failures = 0
count = 0


def ok(cond, what):
    global failures, count
    count += 1
    print(("ok" if cond else "not ok") + f" {count} - {what}")
    if not cond:
        failures += 1


def rows(sql):
    out = subprocess.run(["psql", "-X", "-q", "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-f", "-"],
                         input=sql, check=True, capture_output=True, text=True).stdout
    return [line.split("\t") for line in out.splitlines() if line]


def finish():
    print(f"1..{count}")
    sys.exit(1 if failures else 0)
