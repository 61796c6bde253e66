#!/usr/bin/env bash
# Stop what deploy/local-up.sh started (SIGTERM, then SIGKILL after 10 s). --purge deletes the data.
set -euo pipefail
STATE=${LOCAL_UP_DIR:-/var/tmp/local-cluster}
for pidfile in "$STATE"/*.pid; do
  [ -e "$pidfile" ] || continue
  pid=$(cat "$pidfile"); name=$(basename "$pidfile" .pid)
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
    echo "stopped $name"
  fi
  rm -f "$pidfile"
done
if [ "${1:-}" = "--purge" ]; then rm -rf "$STATE"; echo "removed $STATE"; fi
