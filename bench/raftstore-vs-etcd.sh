#!/usr/bin/env bash
# Compare a 3-member raftstore cluster with a 3-member etcd cluster on this machine.
#
# Builds release binaries, starts both clusters on loopback (fsync ON for both: raftstore runs
# without --unsafe-no-fsync, etcd 3.4 cannot turn fsync off), runs the same loads with
# `etcd-load` against each, prints the raw RESULT lines and one markdown table, and stops
# everything on exit.
#
# Usage: bench/raftstore-vs-etcd.sh
# Environment:
#   CARGO_TARGET_DIR   where cargo puts binaries (default: <workspace>/target)
#   SKIP_BUILD=1       use the binaries already built
#   ETCD, ETCDCTL      etcd binaries (default: etcd, etcdctl from PATH)
#   RAFTSTORE_PORT     first client port of the raftstore cluster (default 24379)
#   ETCD_PORT          first client port of the etcd cluster (default 26379)
#                      Keep all ports below the kernel's ephemeral range
#                      (net.ipv4.ip_local_port_range, usually from 32768): a member dialing a
#                      peer that has not bound its port yet can be given that very port as its
#                      source port, connect to itself, and keep the peer from binding.
#   LOAD_TIMEOUT       seconds one etcd-load run may take before it counts as failed (default 300)
#   KEEP=1             keep the data dirs and logs (the path is printed)
#   TMPDIR             where the data dirs go (mktemp -d)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
ETCD=${ETCD:-etcd}
ETCDCTL=${ETCDCTL:-etcdctl}
RAFTSTORE_PORT=${RAFTSTORE_PORT:-24379}
ETCD_PORT=${ETCD_PORT:-26379}
LOAD_TIMEOUT=${LOAD_TIMEOUT:-300}

# Fixed request counts keep the whole run to a few minutes.
TOTAL_1=2000       # requests for 1 client
TOTAL_64=20000     # requests for 64 clients
KEY_SPACE=10000
VALUE_SIZE=256
WATCHERS=100
WATCH_STREAMS=10
WATCH_PUTS=1000    # puts by one writer; each is delivered to every watcher

if [[ -z ${SKIP_BUILD:-} ]]; then
  (cd "$ROOT" && cargo build --release -p raftstore -p bench)
fi
RAFTSTORE_BIN=$TARGET_DIR/release/raftstore
LOAD=$TARGET_DIR/release/etcd-load
for b in "$RAFTSTORE_BIN" "$LOAD"; do
  [[ -x $b ]] || { echo "missing $b" >&2; exit 1; }
done
command -v "$ETCD" >/dev/null || { echo "no $ETCD in PATH" >&2; exit 1; }
command -v "$ETCDCTL" >/dev/null || { echo "no $ETCDCTL in PATH" >&2; exit 1; }

WORK=$(mktemp -d -t raftstore-vs-etcd.XXXXXX)
PIDS=()

cleanup() {
  local rc=$?
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for _ in $(seq 50); do
    local alive=0
    for p in "${PIDS[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [[ $alive == 0 ]] && break
    sleep 0.2
  done
  for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  if [[ -n ${KEEP:-} ]]; then
    echo "kept $WORK" >&2
  else
    rm -rf "$WORK"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_free() { ! ss -Htln "sport = :$1" | grep -q .; }
EPHEMERAL_LOW=$(awk '{print $1}' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)

# start_cluster <label> <first client port> <binary> [extra flags...]
# Member i (0..2) listens for clients on port+10*i and for peers on port+10*i+1.
# Sets EPS to the client endpoints (not a $(...) subshell: PIDS must be kept).
start_cluster() {
  local label=$1 base=$2 bin=$3
  shift 3
  local cluster="" eps="" i
  for i in 0 1 2; do
    local c=$((base + 10 * i)) p=$((base + 10 * i + 1))
    port_free "$c" && port_free "$p" || { echo "port $c or $p is taken" >&2; exit 1; }
    ((p < EPHEMERAL_LOW)) || echo "WARNING: port $p is in the ephemeral range (from $EPHEMERAL_LOW)" >&2
    cluster+="${cluster:+,}$label$i=http://127.0.0.1:$p"
    eps+="${eps:+,}127.0.0.1:$c"
  done
  mkdir -p "$WORK/$label"
  for i in 0 1 2; do
    local c=$((base + 10 * i)) p=$((base + 10 * i + 1))
    "$bin" --name "$label$i" --data-dir "$WORK/$label/$label$i.data" \
      --listen-client-urls "http://127.0.0.1:$c" --advertise-client-urls "http://127.0.0.1:$c" \
      --listen-peer-urls "http://127.0.0.1:$p" --initial-advertise-peer-urls "http://127.0.0.1:$p" \
      --initial-cluster "$cluster" --initial-cluster-state new --initial-cluster-token "$label-bench" \
      "$@" >"$WORK/$label/$label$i.log" 2>&1 &
    PIDS+=($!)
  done
  EPS=$eps
}

wait_healthy() {
  local label=$1 eps=$2
  for _ in $(seq 60); do
    if ETCDCTL_API=3 "$ETCDCTL" --endpoints="$eps" --command-timeout=2s endpoint health >/dev/null 2>&1; then
      echo "$label healthy: $eps" >&2
      return 0
    fi
    sleep 1
  done
  echo "$label did not become healthy; last log lines:" >&2
  tail -n 20 "$WORK/$label"/*.log >&2 || true
  ETCDCTL_API=3 "$ETCDCTL" --endpoints="$eps" endpoint health >&2 || true
  exit 1
}

start_cluster raftstore "$RAFTSTORE_PORT" "$RAFTSTORE_BIN"
RS_EPS=$EPS
start_cluster etcd "$ETCD_PORT" "$ETCD" --logger=zap --log-outputs=stderr
ETCD_EPS=$EPS
wait_healthy raftstore "$RS_EPS"
wait_healthy etcd "$ETCD_EPS"

RESULTS=$WORK/results.txt
: >"$RESULTS"

# run <workload> <clients> <etcd-load flags...>: the same load on raftstore, then on etcd, so
# slow drifts in the machine's load hit both stores alike.
run() {
  local workload=$1 clients=$2 s eps
  shift 2
  for s in raftstore etcd; do
    eps=$RS_EPS
    [[ $s == etcd ]] && eps=$ETCD_EPS
    echo "== $s: --workload $workload --clients $clients $*" >&2
    if ! timeout "$LOAD_TIMEOUT" "$LOAD" --label "$s" --endpoints "$eps" --value-size "$VALUE_SIZE" \
      --workload "$workload" --clients "$clients" "$@" | tee -a "$RESULTS"; then
      echo "RESULT store=$s workload=$workload clients=$clients FAILED" | tee -a "$RESULTS"
    fi
  done
}

run put 1 --total "$TOTAL_1" --key-space "$KEY_SPACE"
run put 64 --total "$TOTAL_64" --key-space "$KEY_SPACE"
# The put runs filled the key space only partly: the first get run fills it (untimed).
run get 1 --total "$TOTAL_1" --key-space "$KEY_SPACE"
run get 64 --total "$TOTAL_64" --key-space "$KEY_SPACE" --no-populate
run watch 1 --total "$WATCH_PUTS" --watchers "$WATCHERS" --watch-streams "$WATCH_STREAMS"

# Every member must still be running.
for p in "${PIDS[@]}"; do
  kill -0 "$p" 2>/dev/null || echo "WARNING: member pid $p exited during the run" >&2
done

echo
echo "| workload | clients | store | ops/s | p50 ms | p99 ms |"
echo "| --- | --- | --- | ---: | ---: | ---: |"
awk '
  /^RESULT/ {
    delete f
    for (i = 2; i <= NF; i++) { n = index($i, "="); if (n) f[substr($i, 1, n - 1)] = substr($i, n + 1) }
    w = f["workload"]; c = f["clients"]
    if ($NF == "FAILED") { printf "| %s | %s | %s | failed | | |\n", w, c, f["store"]; next }
    if (w == "get") w = "get (linearizable)"
    if (w == "watch") { w = "watch fan-out (events/s, put ack to delivery)"; c = f["clients"] " writer, " f["watchers"] " watchers" }
    printf "| %s | %s | %s | %.0f | %.2f | %.2f |\n", w, c, f["store"], f["ops_per_sec"], f["p50_ms"], f["p99_ms"]
  }' "$RESULTS"
