//! Multi-version concurrency control with etcd's semantics: one global revision, per-key
//! create/mod revisions and versions, reads at past revisions, compaction.
//!
//! Layers, bottom up: [`revision`] (encoding), [`index`] (in-memory key → revisions),
//! [`store`] (values in RocksDB, reads and batched write transactions). Nothing here knows
//! about raft, leases or watchers.

pub mod index;
pub mod revision;
pub mod store;

pub use index::in_range;
pub use revision::Revision;
pub use store::{KvStore, KvWriter, RangeOutcome};
