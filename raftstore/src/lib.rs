//! raftstore: a replicated key-value store that stands in for etcd.
//!
//! Members replicate a log with raft (tikv's `raft` crate), persist it and the state machine in
//! RocksDB, and serve etcd's v3 gRPC API (KV, Watch, Lease, Cluster, Maintenance), so etcd's
//! clients, `etcdctl` and the kube-apiserver use it unchanged.
//!
//! Layers, bottom up: [`engine`] (RocksDB), [`mvcc`] (revisions and values), [`lease`],
//! [`watch`] (watchers fed by the apply step).
//!
//! It does not implement etcd's auth (users, roles), the v2 API, or runtime membership
//! changes (membership is static, from `--initial-cluster`).

pub mod engine;
pub mod error;
pub mod lease;
pub mod mvcc;

pub use error::{Error, Result};
