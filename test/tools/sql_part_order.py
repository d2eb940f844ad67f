"""Check that no SQL part names an object that a later part defines.

sql/parts/*.sql run in file-name order (the install script is their
concatenation); a part that calls, reads or writes something defined in a
later one works only by the accident of when its body runs (docs/upgrades.md:
"one SQL part per topic that calls nothing defined after it"). Comments and
single-quoted literals (job commands, COMMENT texts) are not references.

Prints each forward reference; exits 1 when there is one.
"""
import glob
import os
import re
import sys

repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
parts = sorted(glob.glob(os.path.join(repo, "sql", "parts", "*.sql")))
defined = {}
texts = []
for i, path in enumerate(parts):
    text = open(path).read()
    text = re.sub(r"--[^\n]*", "", text)             # comments
    text = re.sub(r"'(?:[^']|'')*'", "''", text)     # single-quoted literals
    texts.append(text)
    for m in re.finditer(r"CREATE\s+(?:OR\s+REPLACE\s+)?(?:FUNCTION|PROCEDURE|TABLE|VIEW|TYPE|DOMAIN|AGGREGATE|SEQUENCE)\s+stormops\.(\w+)", text):
        defined.setdefault(m.group(1), i)
bad = 0
for i, text in enumerate(texts):
    for name in sorted(set(re.findall(r"stormops\.(\w+)", text))):
        if defined.get(name, -1) > i:
            print(f"not ok - {os.path.basename(parts[i])} names stormops.{name}, defined later in "
                  f"{os.path.basename(parts[defined[name]])}")
            bad += 1
if bad == 0:
    print(f"ok - none of the {len(parts)} SQL parts names an object a later part defines")
sys.exit(1 if bad else 0)
