#!/usr/bin/env bash
# Measure this project's kube-apiserver (embedded store, one raftstore member) under pod load.
#
# Builds release binaries, starts kube-apiserver on a free loopback port with its data and
# certificates in a temporary directory, runs `apiserver-load` against it (create, get, update,
# list of 1,000 and 10,000 pods and delete at a fixed concurrency; a fixed-rate open loop of
# creates+updates; watch fan-out to 100 and 1,000 watchers; the apiserver's memory), prints the
# raw RESULT lines and markdown tables, and stops everything it started on exit.
#
# Usage: bench/apiserver.sh [apiserver-load flags...]
#   e.g. bench/apiserver.sh --pods 200 --list-small 50 --ops 500 --watchers 20 --rate-secs 5
#   (`apiserver-load --help` lists every flag and its default.)
# Environment:
#   CARGO_TARGET_DIR   where cargo puts binaries (default: <workspace>/target)
#   SKIP_BUILD=1       use the binaries already built
#   APISERVER_PORT     the apiserver's port (default: a free one below the ephemeral range)
#   LOAD_TIMEOUT       seconds the apiserver-load run may take before it counts as failed
#                      (default 1800)
#   KEEP=1             keep the data dir, certificates and log (the path is printed)
#   TMPDIR             where that directory goes (mktemp -d)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
LOAD_TIMEOUT=${LOAD_TIMEOUT:-1800}

if [[ -z ${SKIP_BUILD:-} ]]; then
  (cd "$ROOT" && cargo build --release -p kube-apiserver -p bench)
fi
APISERVER=$TARGET_DIR/release/kube-apiserver
LOAD=$TARGET_DIR/release/apiserver-load
for b in "$APISERVER" "$LOAD"; do
  [[ -x $b ]] || { echo "missing $b" >&2; exit 1; }
done

WORK=$(mktemp -d -t apiserver-bench.XXXXXX)
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
# Below the ephemeral range, so that no outgoing connection holds the port by chance.
EPHEMERAL_LOW=$(awk '{print $1}' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
PORT=${APISERVER_PORT:-}
if [[ -z $PORT ]]; then
  for _ in $(seq 100); do
    candidate=$((20000 + RANDOM % (EPHEMERAL_LOW - 20000)))
    if port_free "$candidate"; then PORT=$candidate; break; fi
  done
  [[ -n $PORT ]] || { echo "found no free port" >&2; exit 1; }
fi
port_free "$PORT" || { echo "port $PORT is taken" >&2; exit 1; }

LOG=$WORK/kube-apiserver.log
"$APISERVER" --data-dir "$WORK/data" --cert-dir "$WORK/pki" \
  --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$PORT" >"$LOG" 2>&1 &
APISERVER_PID=$!
PIDS+=("$APISERVER_PID")

KUBECONFIG_FILE=$WORK/pki/admin.kubeconfig
for _ in $(seq 600); do
  if grep -q "kube-apiserver serving" "$LOG" && [[ -s $KUBECONFIG_FILE ]]; then break; fi
  kill -0 "$APISERVER_PID" 2>/dev/null || { echo "kube-apiserver exited:" >&2; tail -n 20 "$LOG" >&2; exit 1; }
  sleep 0.1
done
grep -q "kube-apiserver serving" "$LOG" || { echo "kube-apiserver did not come up:" >&2; tail -n 20 "$LOG" >&2; exit 1; }
echo "kube-apiserver (pid $APISERVER_PID) serving on 127.0.0.1:$PORT" >&2
sleep 2 # let start-up work (OpenAPI documents, watch caches) settle before the idle sample

RESULTS=$WORK/results.txt
echo "== apiserver-load $*" >&2
if ! timeout "$LOAD_TIMEOUT" "$LOAD" --kubeconfig "$KUBECONFIG_FILE" --pid "$APISERVER_PID" "$@" |
  tee "$RESULTS"; then
  echo "RESULT workload=run FAILED" | tee -a "$RESULTS"
fi

kill -0 "$APISERVER_PID" 2>/dev/null || echo "WARNING: kube-apiserver exited during the run" >&2
problems=$(grep -cE ' (WARN|ERROR) ' "$LOG" || true)
if [[ $problems != 0 ]]; then
  echo "kube-apiserver logged $problems warnings/errors; the first:" >&2
  grep -E ' (WARN|ERROR) ' "$LOG" | head -n 5 >&2
fi

echo
echo "| phase | load | ops | req/s | p50 ms | p99 ms | max ms | errors |"
echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
awk '
  /^RESULT/ {
    delete f
    for (i = 2; i <= NF; i++) { n = index($i, "="); if (n) f[substr($i, 1, n - 1)] = substr($i, n + 1) }
    w = f["workload"]
    if ($NF == "FAILED") { printf "| run | failed | | | | | | |\n"; next }
    if (w == "memory") next
    load = f["workers"] " workers, " f["conns"] " conns"
    errs = f["errors"]
    if (w == "list") w = "list (" f["pods"] " pods)"
    else if (w == "rate") {
      w = "create+update, fixed rate (latency from scheduled send)"
      load = "open loop, " f["rate"] "/s for " f["rate_secs"] " s"
    } else if (w == "watch") {
      w = "watch fan-out (events/s; create answered to ADDED received)"
      load = f["watchers"] " watchers, " f["creates"] " creates"
      errs = f["errors"] + f["create_errors"] + (f["expected"] - f["events"])
    } else w = w " (" f["pods"] " pods)"
    printf "| %s | %s | %s | %.0f | %.2f | %.2f | %.2f | %s |\n", w, load, f["ops"], f["ops_per_sec"], f["p50_ms"], f["p99_ms"], f["max_ms"], errs
  }' "$RESULTS"

echo
echo "| kube-apiserver memory | VmRSS MiB | VmHWM MiB |"
echo "| --- | ---: | ---: |"
awk '
  /^RESULT workload=memory/ {
    delete f
    for (i = 2; i <= NF; i++) { n = index($i, "="); if (n) f[substr($i, 1, n - 1)] = substr($i, n + 1) }
    p = f["point"]
    if (p == "idle") p = "idle, after start"
    else if (p == "after-create") p = "after creating " f["pods"] " pods"
    else if (p == "end") p = "end of the run (VmHWM: the peak)"
    printf "| %s | %.0f | %.0f |\n", p, f["vmrss_kib"] / 1024, f["vmhwm_kib"] / 1024
  }' "$RESULTS"
