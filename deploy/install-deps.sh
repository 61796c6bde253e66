#!/usr/bin/env bash
# Install the Debian packages the project builds and tests with (idempotent; needs root).
#   clang, libclang-dev     bindgen for the RocksDB bindings
#   librocksdb-dev          RocksDB, linked from Debian instead of built from source
#   protobuf-compiler       protoc for the etcd and CRI protos
#   etcd-server, etcd-client  etcd 3.4 and etcdctl: acceptance tests and side-by-side benchmarks
set -euo pipefail
PACKAGES=(clang libclang-dev librocksdb-dev protobuf-compiler pkg-config etcd-server etcd-client curl)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: need root to install: ${missing[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
