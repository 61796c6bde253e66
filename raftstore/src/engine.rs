//! The one RocksDB instance of a member and its column families.
//!
//! | column family | keys | values |
//! | --- | --- | --- |
//! | `raft` | `hs`, `cs`, `trunc`, `e` + index (big-endian) | raft hard state, conf state, log truncation point, log entries |
//! | `kv` | revision (main, `_`, sub; `t` suffix for a tombstone) | `mvccpb.KeyValue` |
//! | `lease` | lease id (big-endian) | `LeaseRecord` |
//! | `meta` | `applied`, `rev`, `compact`, `m` + member id | applied raft index, current revision, compacted revision, members |
//!
//! Raft writes are synced before they are acknowledged; state-machine writes are not (they are
//! replayed from the raft log after a crash, skipping entries at or below `applied`).

use std::path::Path;
use std::sync::Arc;

use rocksdb::{ColumnFamily, ColumnFamilyDescriptor, DB, Options};

use crate::error::Result;

pub const CF_RAFT: &str = "raft";
pub const CF_KV: &str = "kv";
pub const CF_LEASE: &str = "lease";
pub const CF_META: &str = "meta";

pub const META_APPLIED: &[u8] = b"applied";
pub const META_REV: &[u8] = b"rev";
pub const META_COMPACT: &[u8] = b"compact";
pub const META_MEMBER_PREFIX: &[u8] = b"m";

/// Open (or create) the member's database under `dir`.
pub fn open(dir: &Path) -> Result<Arc<DB>> {
    let mut opts = Options::default();
    opts.create_if_missing(true);
    opts.create_missing_column_families(true);
    opts.set_max_background_jobs(2);
    opts.set_keep_log_file_num(3);
    let cfs = [CF_RAFT, CF_KV, CF_LEASE, CF_META]
        .into_iter()
        .map(|name| ColumnFamilyDescriptor::new(name, Options::default()));
    Ok(Arc::new(DB::open_cf_descriptors(&opts, dir, cfs)?))
}

pub fn cf<'a>(db: &'a DB, name: &str) -> &'a ColumnFamily {
    db.cf_handle(name)
        .unwrap_or_else(|| panic!("column family {name} is created at open"))
}

pub fn get_u64(db: &DB, cf_name: &str, key: &[u8]) -> Result<Option<u64>> {
    Ok(db.get_cf(cf(db, cf_name), key)?.and_then(|v| {
        let b: [u8; 8] = v.as_slice().try_into().ok()?;
        Some(u64::from_be_bytes(b))
    }))
}

/// Bytes the member's data takes: files on disk plus what is still in memtables.
pub fn size_on_disk(db: &DB) -> i64 {
    [CF_RAFT, CF_KV, CF_LEASE, CF_META]
        .iter()
        .flat_map(|name| {
            [
                "rocksdb.total-sst-files-size",
                "rocksdb.cur-size-all-mem-tables",
            ]
            .map(|p| (name, p))
        })
        .filter_map(|(name, prop)| db.property_int_value_cf(cf(db, name), prop).ok().flatten())
        .sum::<u64>() as i64
}
