#!/usr/bin/env bash
# The throwaway cluster starts and stops without a word on stderr when the
# current directory is one its user cannot enter (a checkout under /root, as
# `make demo` is run on a fresh machine): the server tools are run from /.
# Only meaningful as root (otherwise the cluster user is the caller).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
if [ "$(id -u)" -ne 0 ]; then
  echo "skipped: not root, the cluster runs as the caller"
  exit 77
fi
locked=$(mktemp -d)
chmod 700 "$locked"
trap 'cd /; rm -rf "$locked"' EXIT
cd "$locked"
(
  unset PGHOST PGPORT PGUSER PGDATABASE
  source "$repo/test/tools/cluster.sh"
  trap cluster_stop EXIT
  cluster_start
  psql -X -q -At -c "SELECT 1" >/dev/null
) 2>"$locked/stderr"
if [ -s "$locked/stderr" ]; then
  echo "not ok - the cluster wrote to stderr from a directory its user cannot enter:"
  cat "$locked/stderr"
  exit 1
fi
echo "ok - the cluster starts and stops quietly from a directory its user cannot enter"
