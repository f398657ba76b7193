#!/usr/bin/env bash
# Installs what the global rate-limit e2e needs, idempotently:
#   - envoyproxy/ratelimit (the reference global rate limit service), built from the Go
#     module proxy at a pinned pseudo-version into <repo>/.tools/bin/ratelimit;
#   - redis-server, from PATH or Debian's redis-server package (apt-get, only as root).
# Prints the two binary paths on success. Fails loudly (exit 1) when a prerequisite cannot
# be installed, so CI never silently skips the test.
#
#   e2e/globalrl/install.sh            # install / verify
#   RATELIMIT_VERSION=... e2e/globalrl/install.sh
set -euo pipefail

# envoyproxy/ratelimit has no semver releases after v1.4.0 (2019); images are tagged by
# commit. This pseudo-version is main at 3fb70258 (2026-01-22), the commit the e2e was
# proven with.
RATELIMIT_MODULE=github.com/envoyproxy/ratelimit
RATELIMIT_VERSION=${RATELIMIT_VERSION:-v1.4.1-0.20260122083618-3fb702589d36}

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
bin="$root/.tools/bin"
stamp="$bin/.ratelimit.version"
GO=${GO:-go}

die() { echo "globalrl/install.sh: $*" >&2; exit 1; }

mkdir -p "$bin"

# --- ratelimit service -------------------------------------------------------------------
if [[ -x "$bin/ratelimit" && -f "$stamp" && "$(cat "$stamp")" == "$RATELIMIT_VERSION" ]]; then
  :
else
  command -v "$GO" >/dev/null || die "go not found (needed to build $RATELIMIT_MODULE)"
  echo "globalrl: building $RATELIMIT_MODULE/src/service_cmd@$RATELIMIT_VERSION" >&2
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  # GOFLAGS cleared: the repo's flags are not meant for a foreign module; GOTOOLCHAIN=auto
  # lets an older local go fetch the toolchain the module's go.mod asks for.
  GOFLAGS= GOBIN="$tmp" CGO_ENABLED=0 GOTOOLCHAIN=${GOTOOLCHAIN:-auto} \
    "$GO" install "$RATELIMIT_MODULE/src/service_cmd@$RATELIMIT_VERSION" \
    || die "go install $RATELIMIT_MODULE/src/service_cmd@$RATELIMIT_VERSION failed"
  mv "$tmp/service_cmd" "$bin/ratelimit"
  echo "$RATELIMIT_VERSION" > "$stamp"
fi

# --- redis-server ------------------------------------------------------------------------
redis=""
if [[ -n "${REDIS_SERVER:-}" ]]; then
  [[ -x "$REDIS_SERVER" ]] || die "REDIS_SERVER=$REDIS_SERVER is not executable"
  redis=$REDIS_SERVER
elif command -v redis-server >/dev/null; then
  redis=$(command -v redis-server)
elif [[ -x /usr/bin/redis-server ]]; then
  redis=/usr/bin/redis-server
elif [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
  echo "globalrl: installing redis-server with apt-get" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 || die "apt-get update failed"
  # --no-install-recommends: no redis-sentinel/systemd units; the package's postinst may
  # try to start a service, which is harmless where there is no init system.
  apt-get install -y -qq --no-install-recommends redis-server >&2 \
    || die "apt-get install redis-server failed"
  redis=$(command -v redis-server || echo /usr/bin/redis-server)
  [[ -x "$redis" ]] || die "redis-server not found after apt-get install"
  # The Debian package starts a system redis on 6379 when it can; the e2e never uses it
  # (it starts its own on a free loopback port), so leave it alone.
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null && command -v apt-get >/dev/null; then
  echo "globalrl: installing redis-server with sudo apt-get" >&2
  sudo -n env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 || die "apt-get update failed"
  sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server >&2 \
    || die "apt-get install redis-server failed"
  redis=$(command -v redis-server || echo /usr/bin/redis-server)
else
  die "redis-server not found and cannot be installed (not root, no passwordless sudo, or no apt-get); install Redis ≥ 6 or set REDIS_SERVER=/path/to/redis-server"
fi
ln -sf "$redis" "$bin/redis-server"

"$bin/ratelimit" -h >/dev/null 2>&1 || true
echo "ratelimit: $bin/ratelimit ($RATELIMIT_VERSION)"
echo "redis-server: $redis ($("$redis" --version | head -1))"
