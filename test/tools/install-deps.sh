#!/usr/bin/env bash
# Installs the Debian 12 packages stormops needs, only those that are missing.
# Runs as root, or through sudo for an ordinary user.
#   install-deps.sh         what the build, make test and make demo need
#   install-deps.sh bench   and what make bench adds (bench/webhook's receiver)
set -euo pipefail

packages=(
  postgresql-15                          # the server
  postgresql-server-dev-15               # PGXS, server headers, pg_regress
  libjson-c-dev                          # the core's JSON parser
  libcurl4-openssl-dev                   # the webhook worker
  postgresql-15-pgtap                    # pgTAP suites
  postgresql-15-cron                     # scheduled jobs
  libtap-parser-sourcehandler-pgtap-perl # pg_prove
  gcc make                               # the build
  libc6-dev                              # ASan/UBSan runtimes come with gcc; headers here
  util-linux                             # runuser, to run the cluster as an unprivileged user
  python3                                # tooling (test HTTP server, data checks)
  python3-numpy                          # independent computation in the similarity tests
  python3-pandas                         # pandas.cut, the reference of the sensitivity bins
  python3-psycopg                        # psycopg 3: the example control plane's queries, tested
  python3-sklearn                        # scikit-learn: the reference coefficients of the learning tests, the bench's peer
  python3-networkx                       # networkx.pagerank: the reference of the diffusion scores (tests only)
)
if [ "${1:-}" = bench ]; then
  packages+=(
    nginx                                # bench/webhook: a receiver that is not the bottleneck (its own config, unprivileged)
    apache2-utils                        # ab: that receiver alone, from a client that is not the bottleneck either
  )
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
else
  echo "stormops: missing Debian packages (${missing[*]}) and neither root nor sudo to install them" >&2
  exit 1
fi
echo "stormops: installing ${missing[*]}" >&2
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
# nginx's package starts its system service (port 80) where the machine's
# policy lets it; the bench runs its own unprivileged nginx and needs none
if printf '%s\n' "${missing[@]}" | grep -qx nginx; then
  "${as_root[@]}" invoke-rc.d nginx stop >/dev/null 2>&1 || true
fi
