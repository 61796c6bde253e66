//! raftstore: a replicated key-value store that stands in for etcd.
//!
//! Members replicate a log with raft (tikv's `raft` crate), persist it and the state machine in
//! RocksDB, and serve etcd's v3 gRPC API (KV, Watch, Lease, Cluster, Maintenance), so etcd's
//! clients, `etcdctl` and the kube-apiserver use it unchanged.
//!
//! Code map, bottom up:
//! - [`engine`]: the RocksDB instance and its column families.
//! - [`mvcc`]: revisions, the key index, values, history and compaction.
//! - [`lease`], [`watch`]: leases and the watch hub.
//! - [`apply`]: committed entries → state changes, answers for waiting clients.
//! - [`raft_log`], [`node`], [`transport`]: raft storage, the raft loop, peers.
//! - [`member`]: the request paths (what etcd calls `EtcdServer`); [`api`]: gRPC services;
//!   [`server`]: listeners and the embedding entry point [`server::start`].
//!
//! It does not implement etcd's auth (users, roles), the v2 API, TLS, or runtime membership
//! changes (membership is static, from `--initial-cluster`). Snapshots written by
//! `etcdctl snapshot save` are raftstore's own format, not bbolt files.

pub mod api;
pub mod apply;
pub mod config;
pub mod engine;
pub mod error;
pub mod lease;
pub mod logging;
pub mod member;
pub mod metrics;
pub mod mvcc;
pub mod node;
pub mod raft_log;
pub mod server;
pub mod transport;
pub mod watch;

pub use config::Config;
pub use error::{Error, Result};
pub use member::Member;
pub use server::{Server, start};
