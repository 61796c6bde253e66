#!/usr/bin/env bash
# The project's tests: formatting, lints, then every test (unit, in-process clusters, and
# process-level tests that boot the real binaries and drive them with the real etcdctl).
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/install-deps.sh
cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --locked --no-fail-fast
else
  cargo test --workspace --locked --no-fail-fast
fi
