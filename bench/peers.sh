# Sourced by the benchmarks: builds a peer extension from ../shared/vendor
# into this machine's PostgreSQL 15 (the throwaway cluster's), once: the
# build is cached outside the clone, under /var/cache/stormops-peers, keyed
# by the tarball's checksum, and installed again only when missing. Peers
# are measured, never depended on (docs/performance.md).
#   peer_install NAME    NAME: pgvector or pg_net; returns 1 (and says why)
#                        when its source is not in ../shared/vendor
#   peer_settings        the cluster settings (for cluster_start) that
#                        preload the peers that must be preloaded (pg_net),
#                        for those that could be built; none without them
peer_install() {
  local name=$1 vendor tarball sum dir
  vendor=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../shared/vendor" 2>/dev/null && pwd) || { echo "no ../shared/vendor: $name is not measured"; return 1; }
  tarball=$(ls "$vendor/$name"-*.tar.gz 2>/dev/null | head -1)
  [ -n "$tarball" ] || { echo "no $name source in $vendor: it is not measured"; return 1; }
  sum=$(sha256sum "$tarball" | cut -c1-16)
  dir=/var/cache/stormops-peers/$name-$sum
  if [ ! -f "$dir/built" ]; then
    rm -rf "$dir"; mkdir -p "$dir"
    tar -xzf "$tarball" -C "$dir"
    make -s -C "$dir/$name" PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config >"$dir/build.log" 2>&1 \
      || { tail -20 "$dir/build.log"; return 1; }
    touch "$dir/built"
  fi
  local control=$name; [ "$name" = pgvector ] && control=vector
  if [ ! -f "/usr/share/postgresql/15/extension/$control.control" ] || ! cmp -s "$dir/$name/$control.control" "/usr/share/postgresql/15/extension/$control.control"; then
    make -s -C "$dir/$name" PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config install >"$dir/install.log" 2>&1 \
      || { tail -20 "$dir/install.log"; return 1; }
  fi
  echo "$name from $(basename "$tarball") (built in $dir)"
}

# pg_net runs one background worker, connected to pg_net.database_name; it
# gets a worker slot of its own, so stormops' workers keep the default 8.
# test/tools/cluster.sh must be sourced first (CLUSTER_PRELOAD).
peer_settings() {
  peer_install pg_net >&2 || return 0
  printf "shared_preload_libraries = '%s, pg_net'\npg_net.database_name = 'postgres'\nmax_worker_processes = 9\n" "$CLUSTER_PRELOAD"
}
