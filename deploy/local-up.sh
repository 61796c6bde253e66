#!/usr/bin/env bash
# Bring up a local cluster on this host and print how to reach it:
#
#   deploy/local-up.sh [--state-dir DIR]         start (builds what is needed first)
#   deploy/local-up.sh down [--state-dir DIR] [--purge]
#                                                stop everything it started (--purge: delete data)
#
# What runs today: kube-apiserver with its embedded store (one raftstore member) and
# kube-controller-manager; each component joins as it lands. State (data, certificates, logs,
# pid files) lives in DIR, by default /var/tmp/local-cluster; DIR/admin.kubeconfig is the
# admin's kubeconfig.
set -euo pipefail
cd "$(dirname "$0")/.."
STATE=/var/tmp/local-cluster
ACTION=up
PURGE=0
while [ $# -gt 0 ]; do
  case "$1" in
    up|down) ACTION=$1 ;;
    --state-dir) STATE=$2; shift ;;
    --state-dir=*) STATE=${1#*=} ;;
    --purge) PURGE=1 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "local-up: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
SECURE_PORT=${KUBE_APISERVER_PORT:-6443}

down() {
  for pidfile in "$STATE"/*.pid; do
    [ -e "$pidfile" ] || continue
    local pid name
    pid=$(cat "$pidfile"); name=$(basename "$pidfile" .pid)
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid"
      for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid"; fi
      echo "stopped $name"
    fi
    rm -f "$pidfile"
  done
  if [ "$PURGE" = 1 ]; then rm -rf "$STATE"; echo "removed $STATE"; fi
}

start() { # start NAME COMMAND...: run a daemon in the background, logging to $STATE/NAME.log
  local name=$1; shift
  if [ -f "$STATE/$name.pid" ] && kill -0 "$(cat "$STATE/$name.pid")" 2>/dev/null; then
    echo "$name already running (pid $(cat "$STATE/$name.pid"))"; return
  fi
  nohup "$@" >"$STATE/$name.log" 2>&1 &
  echo $! >"$STATE/$name.pid"
}

wait_healthy() { # wait_healthy NAME CURL-ARGS
  for _ in $(seq 100); do
    # shellcheck disable=SC2086
    curl -fsS $2 >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "$1 did not become healthy; see $STATE/$1.log" >&2
  tail -n 20 "$STATE/$1.log" >&2
  exit 1
}

if [ "$ACTION" = down ]; then down; exit 0; fi

deploy/install-deps.sh
cargo build --release --locked -p kube-apiserver -p kube-controller-manager
BIN="${CARGO_TARGET_DIR:-$PWD/target}/release"
mkdir -p "$STATE"
STATE=$(cd "$STATE" && pwd)

start kube-apiserver "$BIN/kube-apiserver" --data-dir "$STATE/kube-apiserver" \
  --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$SECURE_PORT" \
  --cert-dir "$STATE/pki" --authorization-mode Node,RBAC
wait_healthy kube-apiserver "-k https://127.0.0.1:$SECURE_PORT/readyz"
ln -sf "$STATE/pki/admin.kubeconfig" "$STATE/admin.kubeconfig"
start kube-controller-manager "$BIN/kube-controller-manager" \
  --kubeconfig "$STATE/pki/controller-manager.kubeconfig" --use-service-account-credentials=true \
  --cluster-signing-cert-file "$STATE/pki/ca.crt" --cluster-signing-key-file "$STATE/pki/ca.key" \
  --root-ca-file "$STATE/pki/ca.crt" --bind-address 127.0.0.1 --secure-port "${KUBE_CONTROLLER_MANAGER_PORT:-10257}"
wait_healthy kube-controller-manager "-k https://127.0.0.1:${KUBE_CONTROLLER_MANAGER_PORT:-10257}/healthz"

cat <<MSG
The cluster is up (data, certificates and logs in $STATE).
Point kubectl at it:

  export KUBECONFIG=$STATE/admin.kubeconfig
  kubectl get namespaces

Stop it with: deploy/local-up.sh down --state-dir $STATE
MSG
