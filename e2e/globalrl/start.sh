#!/usr/bin/env bash
# Starts Redis and the ratelimit service on loopback for manual experiments with
# deploy/ratelimit (the e2e test starts its own on free ports). Ctrl-C stops both.
#   e2e/globalrl/start.sh [redis-port=6379] [grpc-port=8081]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
"$root/e2e/globalrl/install.sh" >/dev/null
redis_port=${1:-6379}; grpc_port=${2:-8081}
work=$(mktemp -d); mkdir -p "$work/runtime/ratelimit/config"
cp "$root/deploy/ratelimit/ratelimit-config.yaml" "$work/runtime/ratelimit/config/egressguard.yaml"
"$root/.tools/bin/redis-server" --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no --dir "$work" &
redis_pid=$!
trap 'kill $redis_pid ${rls_pid:-} 2>/dev/null; rm -rf "$work"' EXIT INT TERM
sleep 0.5
env USE_STATSD=false LOG_LEVEL=info REDIS_SOCKET_TYPE=tcp REDIS_URL=127.0.0.1:$redis_port \
  RUNTIME_ROOT="$work/runtime" RUNTIME_SUBDIRECTORY=ratelimit RUNTIME_WATCH_ROOT=false RUNTIME_IGNOREDOTFILES=true \
  HOST=127.0.0.1 PORT=8080 GRPC_HOST=127.0.0.1 GRPC_PORT=$grpc_port DEBUG_HOST=127.0.0.1 DEBUG_PORT=6070 \
  "$root/.tools/bin/ratelimit" &
rls_pid=$!
echo "redis 127.0.0.1:$redis_port, ratelimit gRPC 127.0.0.1:$grpc_port (config: curl 127.0.0.1:6070/rlconfig)"
wait $rls_pid
