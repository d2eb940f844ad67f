#!/usr/bin/env bash
# No SQL part names an object that a later part defines (issue 16, item 15):
# test/tools/sql_part_order.py reads sql/parts/ (comments and quoted
# literals left out). Needs no database.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
/usr/bin/python3 "$repo/test/tools/sql_part_order.py"
