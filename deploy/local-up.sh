#!/usr/bin/env bash
# Bring up a local cluster on this host and print how to reach it.
# Today the cluster is its store: one raftstore member (the components that run on it land
# issue by issue). State lives in $LOCAL_UP_DIR (default /var/tmp/local-cluster); stop it
# with deploy/local-down.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
STATE=${LOCAL_UP_DIR:-/var/tmp/local-cluster}
CLIENT_PORT=${RAFTSTORE_CLIENT_PORT:-2379}
PEER_PORT=${RAFTSTORE_PEER_PORT:-2380}
deploy/install-deps.sh
cargo build --release --locked -p raftstore
BIN="${CARGO_TARGET_DIR:-$PWD/target}/release"
mkdir -p "$STATE"

start() { # start NAME COMMAND...: run a daemon in the background, logging to $STATE/NAME.log
  local name=$1; shift
  if [ -f "$STATE/$name.pid" ] && kill -0 "$(cat "$STATE/$name.pid")" 2>/dev/null; then
    echo "$name already running (pid $(cat "$STATE/$name.pid"))"; return
  fi
  nohup "$@" >"$STATE/$name.log" 2>&1 &
  echo $! >"$STATE/$name.pid"
}

start raftstore "$BIN/raftstore" --name local --data-dir "$STATE/raftstore" \
  --listen-client-urls "http://127.0.0.1:$CLIENT_PORT" --advertise-client-urls "http://127.0.0.1:$CLIENT_PORT" \
  --listen-peer-urls "http://127.0.0.1:$PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$PEER_PORT" \
  --initial-cluster "local=http://127.0.0.1:$PEER_PORT"

for _ in $(seq 100); do
  curl -fsS "http://127.0.0.1:$CLIENT_PORT/health" >/dev/null 2>&1 && break
  sleep 0.1
done
if ! curl -fsS "http://127.0.0.1:$CLIENT_PORT/health" >/dev/null; then
  echo "raftstore did not become healthy; see $STATE/raftstore.log" >&2
  tail -n 20 "$STATE/raftstore.log" >&2
  exit 1
fi
cat <<MSG
The store is up (data and logs in $STATE).
Point etcdctl at it:

  export ETCDCTL_API=3 ETCDCTL_ENDPOINTS=127.0.0.1:$CLIENT_PORT
  etcdctl endpoint status -w table

Stop it with deploy/local-down.sh (add --purge to delete its data).
MSG
