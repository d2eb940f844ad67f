# cluster.sh: a throwaway PostgreSQL cluster for tests and the demo (sourced).
#
# cluster_start creates it in a new temporary folder owned by an unprivileged
# user (PostgreSQL refuses to run as root: as root we use the "postgres" system
# user that Debian's packages create), listening only on a Unix socket in its
# own folder, on a port no server uses. It exports PGHOST, PGPORT and PGUSER so
# psql, pg_regress and pg_prove reach it. cluster_stop stops it and removes the
# folder; callers run it from an EXIT trap so that happens on failure and on
# Ctrl-C too.
#
# The cluster runs with fsync, synchronous_commit and full_page_writes off
# (fast, and a throwaway cluster loses nothing it needs on a crash). With
# CLUSTER_DURABLE non-empty cluster_start leaves them at PostgreSQL's
# defaults (on): `BENCH_DURABLE=1 make bench` sets it, make test never does.
# In the extra settings, @SOCKET_DIR@ stands for the cluster's socket folder
# (for settings that name it, such as pg_cron's cron.host).

PG_BINDIR=$("${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}" --bindir)
CLUSTER_DIR=""
# What the cluster preloads. A caller that preloads more (make bench: a peer
# such as pg_net, bench/peers.sh) sets shared_preload_libraries in
# cluster_start's settings to this list and its own additions.
CLUSTER_PRELOAD="stormops, pg_cron"

if [ "$(id -u)" -eq 0 ]; then
  CLUSTER_OS_USER=postgres
  # from /, which that user can enter: run from a checkout under /root, the
  # server tools begin with "could not change directory to ..." (issue 16)
  as_cluster_user() { (cd / && runuser -u "$CLUSTER_OS_USER" -- "$@"); }
else
  CLUSTER_OS_USER=$(id -un)
  as_cluster_user() { "$@"; }
fi

# A TCP port nothing listens on (the server itself listens only on its socket,
# but the port also names the socket file and must not collide with 5432).
cluster_free_port() {
  local p
  for _ in $(seq 1 500); do
    p=$(( 20000 + RANDOM % 40000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return 0
    fi
  done
  return 1
}

# cluster_start [SETTINGS]: SETTINGS (postgresql.conf lines) come last, so
# they override the ones here.
cluster_start() {
  local extra_conf=${1:-}
  CLUSTER_DIR=$(mktemp -d "${TMPDIR:-/tmp}/stormops-cluster.XXXXXX")
  mkdir -p "$CLUSTER_DIR/socket"
  chown -R "$CLUSTER_OS_USER" "$CLUSTER_DIR"
  chmod 755 "$CLUSTER_DIR"
  PGPORT=$(cluster_free_port) || { echo "cluster: no free port" >&2; return 1; }
  cluster_node_start "$CLUSTER_DIR" "$CLUSTER_DIR/socket" "$PGPORT" "$extra_conf" || return 1
  export PGHOST="$CLUSTER_DIR/socket" PGPORT PGUSER=postgres PGDATABASE=postgres
}

# cluster_node_start DIR SOCKET_DIR PORT [SETTINGS]: one server, its data in
# DIR/data and its logs in DIR (initdb.log, server.log), its socket in
# SOCKET_DIR (both folders exist and the cluster user may write them). Also
# used by citus_cluster.sh for the nodes of a Citus cluster.
cluster_node_start() {
  local dir=$1 socket_dir=$2 port=$3 extra_conf=${4:-} durability="fsync = off
synchronous_commit = off
full_page_writes = off"
  [ -z "${CLUSTER_DURABLE:-}" ] || durability="# fsync, synchronous_commit, full_page_writes: defaults (CLUSTER_DURABLE)"
  extra_conf=${extra_conf//@SOCKET_DIR@/$socket_dir}
  as_cluster_user mkdir -p "$dir/data" || return 1
  as_cluster_user "$PG_BINDIR/initdb" -D "$dir/data" -U postgres -A trust \
    -E UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; return 1; }
  cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$socket_dir'
port = $port
shared_preload_libraries = '$CLUSTER_PRELOAD'
cron.database_name = 'postgres'
$durability
lc_messages = 'C'
$extra_conf
CONF
  as_cluster_user "$PG_BINDIR/pg_ctl" -D "$dir/data" -l "$dir/server.log" \
    -w -t 60 start >/dev/null \
    || { echo "cluster: server did not start:" >&2; tail -20 "$dir/server.log" >&2; return 1; }
}

# cluster_node_stop DIR: stops the server of cluster_node_start DIR, if running.
cluster_node_stop() {
  if [ -f "$1/data/postmaster.pid" ]; then
    as_cluster_user "$PG_BINDIR/pg_ctl" -D "$1/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
}

cluster_stop() {
  [ -n "$CLUSTER_DIR" ] && [ -d "$CLUSTER_DIR" ] || return 0
  cluster_node_stop "$CLUSTER_DIR"
  rm -rf "$CLUSTER_DIR"
  CLUSTER_DIR=""
}

# Runs make (and make install as root or through sudo) for the extension.
build_and_install() {
  local root=()
  [ "$(id -u)" -eq 0 ] || root=(sudo)
  make -s -C "$1" >/dev/null || return 1
  "${root[@]}" make -s -C "$1" install >/dev/null || return 1
}
