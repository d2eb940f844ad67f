# citus_cluster.sh: a throwaway Citus cluster of three on this machine (sourced).
#
# Citus is a deployment target of stormops, never a dependency (issue 18). Its
# source is in ../shared/vendor (README.md there: the snapshot, a build fix for
# PostgreSQL 15.20 and the measured recipe); when it is not, citus_build returns
# 77 and callers report the Citus suite as skipped.
#
#   citus_build          builds Citus once, cached outside the clone under
#                        /var/cache/stormops-peers/citus-<checksum of the
#                        tarball and the patch> (a new snapshot or patch is a new
#                        build), and installs it into PostgreSQL 15 when the
#                        installed citus.so is missing or differs. Installs the
#                        Debian build dependencies first. 0 ok, 77 no Citus in
#                        ../shared/vendor, 1 failed (the log's tail on stderr).
#   citus_cluster_start  a coordinator and two workers, each its own data dir
#                        under one temporary folder and its own port, listening
#                        on a Unix socket and on 127.0.0.1 only (trust there:
#                        initdb -A trust), preloading citus first, then stormops
#                        and pg_cron. The workers are added to the coordinator;
#                        citus, pg_cron and stormops are created on every node.
#                        Exports PGHOST, PGPORT, PGUSER, PGDATABASE (the
#                        coordinator, through its socket) and CITUS_WORKER_PORTS
#                        (space-separated; the workers' sockets are in
#                        $CITUS_SOCKET_DIR too, as are the coordinator's).
#                        Takes extra postgresql.conf lines for every node.
#   citus_cluster_stop   stops the three and removes the folder (run it from an
#                        EXIT trap).
#
# test/tools/cluster.sh provides the unprivileged user, the free port and the
# node set-up; it is sourced here.

source "$(dirname "${BASH_SOURCE[0]}")/cluster.sh"

CITUS_CACHE=${CITUS_CACHE:-/var/cache/stormops-peers}
CITUS_DIR=""
CITUS_SOCKET_DIR=""
CITUS_WORKER_PORTS=""
CITUS_PRELOAD="citus, $CLUSTER_PRELOAD"

_citus_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# The Debian packages Citus' configure needs beyond postgresql-server-dev-15
# (which stormops' own build already installs).
_citus_deps() {
  local pkgs=(liblz4-dev libzstd-dev libkrb5-dev) missing=() p
  for p in "${pkgs[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  [ ${#missing[@]} -gt 0 ] || return 0
  echo "citus: installing ${missing[*]}" >&2
  _citus_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null 2>&1 && return 0
  _citus_root apt-get update -q >/dev/null 2>&1
  _citus_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null \
    || { echo "citus: could not install ${missing[*]}" >&2; return 1; }
}

citus_build() {
  local vendor tarball patch sum dir pg_config=/usr/lib/postgresql/15/bin/pg_config libdir rc
  vendor=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../shared/vendor" 2>/dev/null && pwd) \
    || { echo "citus: no ../shared/vendor: skipped"; return 77; }
  tarball=$(ls "$vendor"/citus-*.tar.gz 2>/dev/null | sort | tail -1)
  [ -n "$tarball" ] || { echo "citus: no Citus source in $vendor: skipped"; return 77; }
  patch=$(ls "$vendor"/citus-*.patch 2>/dev/null | sort)
  sum=$(cat "$tarball" $patch | sha256sum | cut -c1-16)
  dir=$CITUS_CACHE/citus-$sum
  _citus_deps || return 1
  _citus_root mkdir -p "$CITUS_CACHE" || return 1
  # One build at a time on a shared machine: a second caller waits for it.
  (
    flock 9
    if [ ! -f "$dir/built" ]; then
      echo "citus: building $(basename "$tarball") in $dir (about 5 minutes on 2 cores)" >&2
      rm -rf "$dir" && mkdir -p "$dir" && tar -xzf "$tarball" -C "$dir" || exit 1
      for p in $patch; do
        patch -d "$dir/citus" -p1 <"$p" >>"$dir/build.log" 2>&1 \
          || { echo "citus: $(basename "$p") does not apply" >&2; tail -5 "$dir/build.log" >&2; exit 1; }
      done
      (cd "$dir/citus" && ./configure PG_CONFIG=$pg_config && make -j2) >>"$dir/build.log" 2>&1 \
        || { echo "citus: build failed ($dir/build.log):" >&2; tail -20 "$dir/build.log" >&2; exit 1; }
      touch "$dir/built"
    fi
  ) 9>"$CITUS_CACHE/citus.lock" || return 1
  libdir=$($pg_config --pkglibdir)
  if ! cmp -s "$dir/citus/src/backend/distributed/citus.so" "$libdir/citus.so"; then
    _citus_root make -C "$dir/citus" install >"$dir/install.log" 2>&1 \
      || { echo "citus: install failed:" >&2; tail -20 "$dir/install.log" >&2; return 1; }
  fi
  echo "citus: $(basename "$tarball") (built in $dir)"
}

# citus_cluster_start [SETTINGS]: SETTINGS (postgresql.conf lines) go to every
# node, after the ones here.
citus_cluster_start() {
  local extra_conf=${1:-} node port ports=() coordinator_port worker_port
  CITUS_DIR=$(mktemp -d "${TMPDIR:-/tmp}/stormops-citus.XXXXXX")
  CITUS_SOCKET_DIR=$CITUS_DIR/socket
  mkdir -p "$CITUS_SOCKET_DIR"
  chown -R "$CLUSTER_OS_USER" "$CITUS_DIR"
  chmod 755 "$CITUS_DIR"
  # Three distinct ports: each node listens on 127.0.0.1 too, for the others.
  while [ ${#ports[@]} -lt 3 ]; do
    port=$(cluster_free_port) || { echo "citus: no free port" >&2; return 1; }
    [[ " ${ports[*]} " == *" $port "* ]] || ports+=("$port")
  done
  coordinator_port=${ports[0]}
  CITUS_WORKER_PORTS="${ports[1]} ${ports[2]}"
  # citus must come first in shared_preload_libraries (it refuses to load
  # otherwise). Two-phase commit for writes that span nodes needs
  # max_prepared_transactions; Citus' maintenance daemon and pg_cron take
  # worker slots beside stormops' launcher and storm workers.
  local i=0
  for node in coordinator worker1 worker2; do
    cluster_node_start "$CITUS_DIR/$node" "$CITUS_SOCKET_DIR" "${ports[$i]}" "listen_addresses = '127.0.0.1'
shared_preload_libraries = '$CITUS_PRELOAD'
max_prepared_transactions = 100
max_worker_processes = 16
$extra_conf" || return 1
    i=$((i + 1))
  done
  export PGHOST=$CITUS_SOCKET_DIR PGPORT=$coordinator_port PGUSER=postgres PGDATABASE=postgres
  export CITUS_DIR CITUS_SOCKET_DIR CITUS_WORKER_PORTS
  for port in "$coordinator_port" $CITUS_WORKER_PORTS; do
    _citus_psql -p "$port" -c "CREATE EXTENSION citus" || return 1
  done
  _citus_psql -c "SELECT citus_set_coordinator_host('127.0.0.1', $coordinator_port)" >/dev/null || return 1
  for worker_port in $CITUS_WORKER_PORTS; do
    _citus_psql -c "SELECT citus_add_node('127.0.0.1', $worker_port)" >/dev/null || return 1
  done
  # On the coordinator, CREATE EXTENSION is propagated to the workers.
  _citus_psql -c "CREATE EXTENSION pg_cron" -c "CREATE EXTENSION stormops" || return 1
  for port in $CITUS_WORKER_PORTS; do
    [ "$(_citus_psql -p "$port" -c "SELECT count(*) FROM pg_extension WHERE extname IN ('citus', 'pg_cron', 'stormops')")" = 3 ] \
      || { echo "citus: citus, pg_cron and stormops are not all on the worker at port $port" >&2; return 1; }
  done
}

_citus_psql() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }

citus_cluster_stop() {
  [ -n "$CITUS_DIR" ] && [ -d "$CITUS_DIR" ] || return 0
  local node
  for node in worker2 worker1 coordinator; do
    cluster_node_stop "$CITUS_DIR/$node"
  done
  rm -rf "$CITUS_DIR"
  CITUS_DIR="" CITUS_SOCKET_DIR="" CITUS_WORKER_PORTS=""
}
