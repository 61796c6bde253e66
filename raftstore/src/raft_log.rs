//! The raft log, hard state and conf state in RocksDB's `raft` column family: raft-rs's
//! [`Storage`] for a member.
//!
//! The raft loop appends through [`RaftLogStore::append`] and friends into a `WriteBatch`,
//! then writes it with fsync before any message that depends on it leaves the member. The
//! newest entries are also kept in memory, so followers being caught up rarely touch disk.
//! Snapshots are made on demand from the state machine through [`SnapshotSource`].

use std::collections::VecDeque;
use std::sync::Arc;

use protobuf::Message as PbMessage;
use raft::prelude::{ConfState, Entry, HardState, Snapshot, SnapshotMetadata};
use raft::{GetEntriesContext, RaftState, Storage, StorageError};
use rocksdb::{DB, IteratorMode, ReadOptions, WriteBatch};

use crate::engine::{self, CF_RAFT};

const KEY_HARD_STATE: &[u8] = b"hs";
const KEY_CONF_STATE: &[u8] = b"cs";
const KEY_TRUNCATED: &[u8] = b"trunc";
const ENTRY_PREFIX: u8 = b'e';
const CACHE_ENTRIES: usize = 4096;

fn entry_key(index: u64) -> [u8; 9] {
    let mut k = [0u8; 9];
    k[0] = ENTRY_PREFIX;
    k[1..].copy_from_slice(&index.to_be_bytes());
    k
}

/// Produces the state machine's data for a raft snapshot.
pub trait SnapshotSource: Send + Sync {
    /// The applied index the data is as of, and the data.
    fn snapshot_data(&self) -> crate::Result<(u64, Vec<u8>)>;
}

pub struct RaftLogStore {
    db: Arc<DB>,
    hard_state: HardState,
    conf_state: ConfState,
    /// Index and term of the last entry dropped from the log (0, 0 for a new log).
    truncated: (u64, u64),
    last_index: u64,
    /// The newest entries, contiguous, ending at `last_index`.
    cache: VecDeque<Entry>,
    source: Arc<dyn SnapshotSource>,
}

fn other(e: impl std::fmt::Display) -> raft::Error {
    raft::Error::Store(StorageError::Other(e.to_string().into()))
}

impl RaftLogStore {
    pub fn open(db: Arc<DB>, source: Arc<dyn SnapshotSource>) -> crate::Result<RaftLogStore> {
        let cf = engine::cf(&db, CF_RAFT);
        let decode_err =
            |e: protobuf::ProtobufError| crate::Error::Internal(format!("raft state: {e}"));
        let hard_state = match db.get_cf(cf, KEY_HARD_STATE)? {
            Some(b) => HardState::parse_from_bytes(&b).map_err(decode_err)?,
            None => HardState::default(),
        };
        let conf_state = match db.get_cf(cf, KEY_CONF_STATE)? {
            Some(b) => ConfState::parse_from_bytes(&b).map_err(decode_err)?,
            None => ConfState::default(),
        };
        let truncated = match db.get_cf(cf, KEY_TRUNCATED)? {
            Some(b) if b.len() == 16 => (
                u64::from_be_bytes(b[..8].try_into().unwrap_or_default()),
                u64::from_be_bytes(b[8..].try_into().unwrap_or_default()),
            ),
            _ => (0, 0),
        };
        let mut last_index = truncated.0;
        let mut opts = ReadOptions::default();
        opts.set_iterate_lower_bound(vec![ENTRY_PREFIX]);
        opts.set_iterate_upper_bound(vec![ENTRY_PREFIX + 1]);
        if let Some(item) = db.iterator_cf_opt(cf, opts, IteratorMode::End).next() {
            let (k, _) = item?;
            if k.len() == 9 {
                last_index =
                    last_index.max(u64::from_be_bytes(k[1..].try_into().unwrap_or_default()));
            }
        }
        Ok(RaftLogStore {
            db,
            hard_state,
            conf_state,
            truncated,
            last_index,
            cache: VecDeque::new(),
            source,
        })
    }

    /// True for a member that has never stored any raft state.
    pub fn is_empty(&self) -> bool {
        self.last_index == 0 && self.truncated.0 == 0 && self.conf_state.voters.is_empty()
    }

    pub fn hard_state(&self) -> &HardState {
        &self.hard_state
    }

    pub fn conf_state(&self) -> &ConfState {
        &self.conf_state
    }

    pub fn set_conf_state(&mut self, cs: ConfState, batch: &mut WriteBatch) -> crate::Result<()> {
        let bytes = cs
            .write_to_bytes()
            .map_err(|e| crate::Error::Internal(e.to_string()))?;
        batch.put_cf(engine::cf(&self.db, CF_RAFT), KEY_CONF_STATE, bytes);
        self.conf_state = cs;
        Ok(())
    }

    pub fn set_hard_state(&mut self, hs: HardState, batch: &mut WriteBatch) -> crate::Result<()> {
        let bytes = hs
            .write_to_bytes()
            .map_err(|e| crate::Error::Internal(e.to_string()))?;
        batch.put_cf(engine::cf(&self.db, CF_RAFT), KEY_HARD_STATE, bytes);
        self.hard_state = hs;
        Ok(())
    }

    pub fn set_commit(&mut self, commit: u64, batch: &mut WriteBatch) -> crate::Result<()> {
        let mut hs = self.hard_state.clone();
        hs.commit = commit;
        self.set_hard_state(hs, batch)
    }

    /// Append entries, replacing any conflicting suffix.
    pub fn append(&mut self, entries: &[Entry], batch: &mut WriteBatch) -> crate::Result<()> {
        let Some(first) = entries.first() else {
            return Ok(());
        };
        let cf = engine::cf(&self.db, CF_RAFT);
        let new_last = first.index + entries.len() as u64 - 1;
        if first.index <= self.last_index {
            // raft replaces a suffix that was never committed; drop whatever the new entries
            // do not overwrite.
            if new_last < self.last_index {
                batch.delete_range_cf(cf, entry_key(new_last + 1), entry_key(self.last_index + 1));
            }
            while self.cache.back().is_some_and(|e| e.index >= first.index) {
                self.cache.pop_back();
            }
        }
        for e in entries {
            let bytes = e
                .write_to_bytes()
                .map_err(|e| crate::Error::Internal(e.to_string()))?;
            batch.put_cf(cf, entry_key(e.index), bytes);
        }
        if self
            .cache
            .back()
            .is_some_and(|e| e.index + 1 != first.index)
        {
            self.cache.clear();
        }
        self.cache.extend(entries.iter().cloned());
        while self.cache.len() > CACHE_ENTRIES {
            self.cache.pop_front();
        }
        self.last_index = new_last;
        Ok(())
    }

    /// Drop every entry before `index` (it becomes the first index).
    pub fn compact(&mut self, index: u64, batch: &mut WriteBatch) -> crate::Result<()> {
        let first = self.truncated.0 + 1;
        if index <= first || index > self.last_index + 1 {
            return Ok(());
        }
        let term = self
            .term(index - 1)
            .map_err(|e| crate::Error::Internal(e.to_string()))?;
        let cf = engine::cf(&self.db, CF_RAFT);
        batch.delete_range_cf(cf, entry_key(first), entry_key(index));
        self.set_truncated(index - 1, term, batch);
        while self.cache.front().is_some_and(|e| e.index < index) {
            self.cache.pop_front();
        }
        Ok(())
    }

    fn set_truncated(&mut self, index: u64, term: u64, batch: &mut WriteBatch) {
        let mut v = Vec::with_capacity(16);
        v.extend_from_slice(&index.to_be_bytes());
        v.extend_from_slice(&term.to_be_bytes());
        batch.put_cf(engine::cf(&self.db, CF_RAFT), KEY_TRUNCATED, v);
        self.truncated = (index, term);
    }

    /// Replace the whole log by a snapshot's position.
    pub fn apply_snapshot(
        &mut self,
        meta: &SnapshotMetadata,
        batch: &mut WriteBatch,
    ) -> crate::Result<()> {
        let cf = engine::cf(&self.db, CF_RAFT);
        batch.delete_range_cf(cf, entry_key(0), entry_key(u64::MAX));
        self.cache.clear();
        self.set_truncated(meta.index, meta.term, batch);
        self.last_index = meta.index;
        let mut hs = self.hard_state.clone();
        hs.term = hs.term.max(meta.term);
        hs.commit = meta.index;
        self.set_hard_state(hs, batch)?;
        self.set_conf_state(meta.get_conf_state().clone(), batch)
    }

    pub fn write(&self, batch: WriteBatch, sync: bool) -> crate::Result<()> {
        let mut opts = rocksdb::WriteOptions::default();
        opts.set_sync(sync);
        self.db.write_opt(batch, &opts)?;
        Ok(())
    }

    fn read_entries(&self, low: u64, high: u64, max_size: Option<u64>) -> raft::Result<Vec<Entry>> {
        let mut out = Vec::new();
        let mut size = 0u64;
        let push = |e: Entry, out: &mut Vec<Entry>, size: &mut u64| -> bool {
            *size += u64::from(e.compute_size());
            if !out.is_empty() && max_size.is_some_and(|m| *size > m) {
                return false;
            }
            out.push(e);
            true
        };
        if let Some(front) = self.cache.front()
            && front.index <= low
        {
            let start = (low - front.index) as usize;
            for e in self.cache.iter().skip(start).take((high - low) as usize) {
                if !push(e.clone(), &mut out, &mut size) {
                    break;
                }
            }
            return Ok(out);
        }
        let cf = engine::cf(&self.db, CF_RAFT);
        let mut opts = ReadOptions::default();
        opts.set_iterate_upper_bound(entry_key(high).to_vec());
        let start = entry_key(low);
        let iter = self.db.iterator_cf_opt(
            cf,
            opts,
            IteratorMode::From(&start, rocksdb::Direction::Forward),
        );
        for (expect, item) in (low..).zip(iter) {
            let (_, v) = item.map_err(other)?;
            let e = Entry::parse_from_bytes(&v).map_err(other)?;
            if e.index != expect {
                return Err(other(format!("raft log has a gap at {expect}")));
            }
            if !push(e, &mut out, &mut size) {
                break;
            }
        }
        if out.is_empty() {
            return Err(raft::Error::Store(StorageError::Unavailable));
        }
        Ok(out)
    }
}

impl Storage for RaftLogStore {
    fn initial_state(&self) -> raft::Result<RaftState> {
        Ok(RaftState::new(
            self.hard_state.clone(),
            self.conf_state.clone(),
        ))
    }

    fn entries(
        &self,
        low: u64,
        high: u64,
        max_size: impl Into<Option<u64>>,
        _ctx: GetEntriesContext,
    ) -> raft::Result<Vec<Entry>> {
        if low <= self.truncated.0 {
            return Err(raft::Error::Store(StorageError::Compacted));
        }
        if high > self.last_index + 1 {
            return Err(raft::Error::Store(StorageError::Unavailable));
        }
        if low >= high {
            return Ok(Vec::new());
        }
        self.read_entries(low, high, max_size.into())
    }

    fn term(&self, idx: u64) -> raft::Result<u64> {
        if idx == self.truncated.0 {
            return Ok(self.truncated.1);
        }
        if idx < self.truncated.0 {
            return Err(raft::Error::Store(StorageError::Compacted));
        }
        if idx > self.last_index {
            return Err(raft::Error::Store(StorageError::Unavailable));
        }
        Ok(self.read_entries(idx, idx + 1, None)?[0].term)
    }

    fn first_index(&self) -> raft::Result<u64> {
        Ok(self.truncated.0 + 1)
    }

    fn last_index(&self) -> raft::Result<u64> {
        Ok(self.last_index)
    }

    fn snapshot(&self, request_index: u64, _to: u64) -> raft::Result<Snapshot> {
        let (applied, data) = self.source.snapshot_data().map_err(other)?;
        if applied < request_index || applied < self.truncated.0 {
            return Err(raft::Error::Store(
                StorageError::SnapshotTemporarilyUnavailable,
            ));
        }
        let mut snap = Snapshot {
            data: data.into(),
            ..Default::default()
        };
        let meta = snap.mut_metadata();
        meta.index = applied;
        meta.term = self.term(applied)?;
        meta.set_conf_state(self.conf_state.clone());
        Ok(snap)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct NoData;
    impl SnapshotSource for NoData {
        fn snapshot_data(&self) -> crate::Result<(u64, Vec<u8>)> {
            Ok((0, vec![]))
        }
    }

    fn entry(index: u64, term: u64) -> Entry {
        Entry {
            index,
            term,
            data: vec![index as u8; 10].into(),
            ..Default::default()
        }
    }

    #[test]
    fn append_overwrite_compact_and_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let db = engine::open(dir.path()).unwrap();
        let mut log = RaftLogStore::open(db.clone(), Arc::new(NoData)).unwrap();
        assert!(log.is_empty());
        let mut b = WriteBatch::default();
        log.append(&(1..=10).map(|i| entry(i, 1)).collect::<Vec<_>>(), &mut b)
            .unwrap();
        log.write(b, true).unwrap();
        // A new leader replaces 9..=10 with a longer suffix of term 2, then another replaces
        // 8..=11 with a shorter one of term 3.
        let mut b = WriteBatch::default();
        log.append(&[entry(9, 2), entry(10, 2), entry(11, 2)], &mut b)
            .unwrap();
        log.write(b, true).unwrap();
        assert_eq!((log.last_index().unwrap(), log.term(11).unwrap()), (11, 2));
        let mut b = WriteBatch::default();
        log.append(&[entry(8, 3)], &mut b).unwrap();
        log.write(b, true).unwrap();
        assert_eq!(log.last_index().unwrap(), 8);
        assert_eq!(log.term(8).unwrap(), 3);
        let mut b = WriteBatch::default();
        log.compact(5, &mut b).unwrap();
        log.write(b, true).unwrap();
        assert_eq!(log.first_index().unwrap(), 5);
        assert_eq!(log.term(4).unwrap(), 1);
        assert!(matches!(
            log.term(3),
            Err(raft::Error::Store(StorageError::Compacted))
        ));

        drop(log);
        let log = RaftLogStore::open(db, Arc::new(NoData)).unwrap();
        assert_eq!(
            (log.first_index().unwrap(), log.last_index().unwrap()),
            (5, 8)
        );
        let ents = log
            .entries(5, 9, None, GetEntriesContext::empty(false))
            .unwrap();
        assert_eq!(
            ents.iter().map(|e| (e.index, e.term)).collect::<Vec<_>>(),
            [(5, 1), (6, 1), (7, 1), (8, 3)]
        );
        let one = log
            .entries(5, 9, Some(1), GetEntriesContext::empty(false))
            .unwrap();
        assert_eq!(one.len(), 1);
    }
}
