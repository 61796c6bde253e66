//! The multi-version key-value store: committed reads at any retained revision, write
//! transactions applied in batches, history scans for watchers, and compaction.
//!
//! Only the apply step writes ([`KvWriter`]); any thread reads. A read takes the index lock
//! just long enough to pick the revisions it needs and a RocksDB snapshot, so a concurrent
//! apply or compaction never changes what it sees.

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, RwLock};

use prost::Message;
use proto::etcdserverpb::RangeRequest;
use proto::etcdserverpb::range_request::{SortOrder, SortTarget};
use proto::mvccpb::{Event, KeyValue, event::EventType};
use rocksdb::{DB, IteratorMode, ReadOptions, WriteBatch};

use super::index::{KeyAt, KeyIndex, in_range};
use super::revision::Revision;
use crate::engine::{self, CF_KV, CF_META, META_COMPACT, META_REV};
use crate::error::{Error, Result};

#[derive(Debug, Default)]
struct KvState {
    index: KeyIndex,
    /// Newest committed main revision.
    current: i64,
    /// Revisions below this are gone.
    compacted: i64,
}

/// The answer to a range: `count` is the number of keys in the range before the limit.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct RangeOutcome {
    pub kvs: Vec<KeyValue>,
    pub count: i64,
    pub more: bool,
}

pub struct KvStore {
    db: Arc<DB>,
    state: RwLock<KvState>,
}

impl KvStore {
    /// Open over `db`, rebuilding the key index from the `kv` column family.
    pub fn open(db: Arc<DB>) -> Result<KvStore> {
        let store = KvStore {
            db,
            state: RwLock::new(KvState::default()),
        };
        store.reload()?;
        Ok(store)
    }

    /// Rebuild the in-memory state from disk (at start, and after installing a raft snapshot).
    pub fn reload(&self) -> Result<()> {
        let db = &self.db;
        let mut st = KvState {
            current: engine::get_u64(db, CF_META, META_REV)?.unwrap_or(0) as i64,
            compacted: engine::get_u64(db, CF_META, META_COMPACT)?.unwrap_or(0) as i64,
            ..KvState::default()
        };
        for item in db.iterator_cf(engine::cf(db, CF_KV), IteratorMode::Start) {
            let (k, v) = item?;
            let Some((rev, tombstone)) = Revision::from_key(&k) else {
                continue;
            };
            let kv = KeyValue::decode(v.as_ref())?;
            if tombstone {
                st.index.tombstone(&kv.key, rev);
            } else {
                st.index.put(&kv.key, rev, kv.create_revision, kv.version);
            }
            st.current = st.current.max(rev.main);
        }
        *self.state.write().unwrap_or_else(|e| e.into_inner()) = st;
        Ok(())
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, KvState> {
        self.state.read().unwrap_or_else(|e| e.into_inner())
    }

    pub fn current_revision(&self) -> i64 {
        self.read().current
    }

    pub fn compacted_revision(&self) -> i64 {
        self.read().compacted
    }

    pub fn key_count(&self) -> usize {
        self.read().index.len()
    }

    /// Serve a range request from committed state.
    pub fn range(&self, req: &RangeRequest) -> Result<RangeOutcome> {
        let st = self.read();
        let rev = if req.revision <= 0 {
            st.current
        } else {
            req.revision
        };
        if rev > st.current {
            return Err(Error::FutureRev);
        }
        if rev < st.compacted {
            return Err(Error::Compacted);
        }
        let fetch_limit = if needs_everything(req) {
            0
        } else if req.limit > 0 {
            req.limit as usize + 1
        } else {
            0
        };
        let (keys, count) = st.index.range(&req.key, &req.range_end, rev, fetch_limit);
        if req.count_only {
            return Ok(RangeOutcome {
                count: count as i64,
                ..Default::default()
            });
        }
        let revs: Vec<Revision> = keys.iter().map(|(_, ka)| ka.modified).collect();
        let snap = self.db.snapshot();
        drop(st);
        let cf = engine::cf(&self.db, CF_KV);
        let mut kvs = Vec::with_capacity(revs.len());
        for value in snap.multi_get_cf(revs.iter().map(|r| (cf, r.to_key(false)))) {
            let value = value?.ok_or(Error::Compacted)?;
            kvs.push(KeyValue::decode(value.as_slice())?);
        }
        Ok(finish_range(req, kvs, count))
    }

    /// The value of `key` as of revision `at`, if it existed then (for watchers' `prev_kv`).
    pub fn get_at(&self, key: &[u8], at: i64) -> Result<Option<KeyValue>> {
        let st = self.read();
        if at < st.compacted {
            return Ok(None);
        }
        let Some(ka) = st.index.get(key, at) else {
            return Ok(None);
        };
        let snap = self.db.snapshot();
        drop(st);
        let v = snap.get_cf(engine::cf(&self.db, CF_KV), ka.modified.to_key(false))?;
        Ok(match v {
            Some(v) => Some(KeyValue::decode(v.as_slice())?),
            None => None,
        })
    }

    /// Events with main revision in `[from, to]` on keys in `[key, end)`, in revision order,
    /// stopping after `max` revisions' worth. Returns the events and the first revision not yet
    /// scanned.
    pub fn history(
        &self,
        key: &[u8],
        end: &[u8],
        from: i64,
        to: i64,
        max: usize,
    ) -> Result<(Vec<Event>, i64)> {
        let st = self.read();
        if from < st.compacted {
            return Err(Error::Compacted);
        }
        let snap = self.db.snapshot();
        drop(st);
        let mut opts = ReadOptions::default();
        opts.set_iterate_upper_bound(Revision::new(to + 1, 0).to_key(false));
        let start = Revision::new(from, 0).to_key(false);
        let iter = snap.iterator_cf_opt(
            engine::cf(&self.db, CF_KV),
            opts,
            IteratorMode::From(&start, rocksdb::Direction::Forward),
        );
        let mut events = Vec::new();
        let mut revisions = 0;
        let mut last_main = from - 1;
        for item in iter {
            let (k, v) = item?;
            let Some((rev, tombstone)) = Revision::from_key(&k) else {
                continue;
            };
            if rev.main != last_main {
                if revisions == max {
                    return Ok((events, rev.main));
                }
                revisions += 1;
                last_main = rev.main;
            }
            let kv = KeyValue::decode(v.as_ref())?;
            if !in_range(&kv.key, key, end) {
                continue;
            }
            events.push(event_of(kv, rev, tombstone));
        }
        Ok((events, to + 1))
    }

    /// Forget history before `at`: revisions older than `at` that no read at or after `at` needs.
    pub fn compact(&self, at: i64) -> Result<()> {
        let keep: HashSet<Revision> = {
            let mut st = self.state.write().unwrap_or_else(|e| e.into_inner());
            if at <= st.compacted {
                return Ok(());
            }
            let keep = st.index.compact(at);
            st.compacted = at;
            self.db.put_cf(
                engine::cf(&self.db, CF_META),
                META_COMPACT,
                (at as u64).to_be_bytes(),
            )?;
            keep.into_iter().collect()
        };
        let cf = engine::cf(&self.db, CF_KV);
        let mut opts = ReadOptions::default();
        opts.set_iterate_upper_bound(Revision::new(at + 1, 0).to_key(false));
        let mut batch = WriteBatch::default();
        for item in self.db.iterator_cf_opt(cf, opts, IteratorMode::Start) {
            let (k, _) = item?;
            match Revision::from_key(&k) {
                Some((rev, _)) if keep.contains(&rev) => {}
                _ => batch.delete_cf(cf, &k),
            }
            if batch.len() >= 10_000 {
                self.db.write(std::mem::take(&mut batch))?;
            }
        }
        self.db.write(batch)?;
        Ok(())
    }
}

fn event_of(kv: KeyValue, rev: Revision, tombstone: bool) -> Event {
    if tombstone {
        Event {
            r#type: EventType::Delete as i32,
            kv: Some(KeyValue {
                key: kv.key,
                mod_revision: rev.main,
                ..Default::default()
            }),
            prev_kv: None,
        }
    } else {
        Event {
            r#type: EventType::Put as i32,
            kv: Some(kv),
            prev_kv: None,
        }
    }
}

/// Does this range need every key of the range before it can apply its limit?
fn needs_everything(req: &RangeRequest) -> bool {
    req.sort_order != SortOrder::None as i32
        || req.sort_target != SortTarget::Key as i32
        || req.min_mod_revision != 0
        || req.max_mod_revision != 0
        || req.min_create_revision != 0
        || req.max_create_revision != 0
}

/// Filter, sort and truncate a range's key-ordered values as etcd does.
fn finish_range(req: &RangeRequest, mut kvs: Vec<KeyValue>, count: usize) -> RangeOutcome {
    let bound = |v: i64, min: i64, max: i64| (min == 0 || v >= min) && (max == 0 || v <= max);
    kvs.retain(|kv| {
        bound(kv.mod_revision, req.min_mod_revision, req.max_mod_revision)
            && bound(
                kv.create_revision,
                req.min_create_revision,
                req.max_create_revision,
            )
    });
    let mut order = SortOrder::try_from(req.sort_order).unwrap_or(SortOrder::None);
    let target = SortTarget::try_from(req.sort_target).unwrap_or(SortTarget::Key);
    if target != SortTarget::Key && order == SortOrder::None {
        order = SortOrder::Ascend;
    }
    if order != SortOrder::None && !(order == SortOrder::Ascend && target == SortTarget::Key) {
        match target {
            SortTarget::Key => kvs.sort_by(|a, b| a.key.cmp(&b.key)),
            SortTarget::Version => kvs.sort_by_key(|kv| kv.version),
            SortTarget::Create => kvs.sort_by_key(|kv| kv.create_revision),
            SortTarget::Mod => kvs.sort_by_key(|kv| kv.mod_revision),
            SortTarget::Value => kvs.sort_by(|a, b| a.value.cmp(&b.value)),
        }
        if order == SortOrder::Descend {
            kvs.reverse();
        }
    }
    let mut more = false;
    if req.limit > 0 && kvs.len() > req.limit as usize {
        kvs.truncate(req.limit as usize);
        more = true;
    }
    if req.keys_only {
        for kv in &mut kvs {
            kv.value.clear();
        }
    }
    RangeOutcome {
        kvs,
        count: count as i64,
        more,
    }
}

enum IndexChange {
    Put {
        key: Vec<u8>,
        rev: Revision,
        created: i64,
        version: i64,
    },
    Tombstone {
        key: Vec<u8>,
        rev: Revision,
    },
}

/// Everything one apply step writes: any number of write transactions, committed with one
/// RocksDB write. Reads through the writer see the transactions written before them.
pub struct KvWriter<'s> {
    store: &'s KvStore,
    pub batch: WriteBatch,
    /// Latest state of every key written in this batch (`None`: deleted).
    overlay: BTreeMap<Vec<u8>, Option<KeyValue>>,
    base: i64,
    rev: i64,
    sub: i64,
    changes: Vec<IndexChange>,
    events: Vec<Event>,
}

impl<'s> KvWriter<'s> {
    pub fn new(store: &'s KvStore) -> KvWriter<'s> {
        let base = store.current_revision();
        KvWriter {
            store,
            batch: WriteBatch::default(),
            overlay: BTreeMap::new(),
            base,
            rev: base,
            sub: 0,
            changes: Vec::new(),
            events: Vec::new(),
        }
    }

    /// Current revision including what this batch wrote.
    pub fn revision(&self) -> i64 {
        self.rev
    }

    pub fn compacted_revision(&self) -> i64 {
        self.store.compacted_revision()
    }

    /// Start a write transaction: its changes share main revision `revision() + 1`.
    pub fn begin(&mut self) {
        self.sub = 0;
    }

    /// End the transaction begun last; the revision advances if it changed anything.
    pub fn end(&mut self) {
        if self.sub > 0 {
            self.rev += 1;
        }
        self.sub = 0;
    }

    /// The newest value of `key`, including this batch's writes.
    pub fn get(&self, key: &[u8]) -> Result<Option<KeyValue>> {
        if let Some(v) = self.overlay.get(key) {
            return Ok(v.clone());
        }
        let st = self.store.read();
        let Some(ka) = st.index.latest_of(key) else {
            return Ok(None);
        };
        drop(st);
        self.fetch(ka)
    }

    fn fetch(&self, ka: KeyAt) -> Result<Option<KeyValue>> {
        let v = self
            .store
            .db
            .get_cf(engine::cf(&self.store.db, CF_KV), ka.modified.to_key(false))?;
        Ok(match v {
            Some(v) => Some(KeyValue::decode(v.as_slice())?),
            None => None,
        })
    }

    /// Newest values of the keys in `[key, end)`, in key order.
    pub fn scan(&self, key: &[u8], end: &[u8]) -> Result<Vec<KeyValue>> {
        let committed: Vec<(Vec<u8>, KeyAt)> = {
            let st = self.store.read();
            let (keys, _) = st.index.range(key, end, self.base, 0);
            keys.into_iter().map(|(k, ka)| (k.to_vec(), ka)).collect()
        };
        let mut merged: BTreeMap<Vec<u8>, KeyValue> = BTreeMap::new();
        for (k, ka) in committed {
            if self.overlay.contains_key(&k) {
                continue;
            }
            if let Some(kv) = self.fetch(ka)? {
                merged.insert(k, kv);
            }
        }
        for (k, v) in &self.overlay {
            if in_range(k, key, end)
                && let Some(kv) = v
            {
                merged.insert(k.clone(), kv.clone());
            }
        }
        Ok(merged.into_values().collect())
    }

    /// A range request inside a write transaction.
    pub fn range(&self, req: &RangeRequest) -> Result<RangeOutcome> {
        if req.revision > 0 && req.revision < self.rev {
            if req.revision > self.base {
                return Err(Error::FutureRev);
            }
            return self.store.range(req);
        }
        if req.revision > self.rev {
            return Err(Error::FutureRev);
        }
        let kvs = self.scan(&req.key, &req.range_end)?;
        let count = kvs.len();
        if req.count_only {
            return Ok(RangeOutcome {
                count: count as i64,
                ..Default::default()
            });
        }
        Ok(finish_range(req, kvs, count))
    }

    fn next_rev(&mut self) -> Revision {
        let r = Revision::new(self.rev + 1, self.sub);
        self.sub += 1;
        r
    }

    /// Write `key`; returns the previous value.
    pub fn put(&mut self, key: &[u8], value: Vec<u8>, lease: i64) -> Result<Option<KeyValue>> {
        let prev = self.get(key)?;
        self.put_over(prev.as_ref(), key, value, lease);
        Ok(prev)
    }

    /// Write `key` whose newest value (from [`KvWriter::get`]) is `prev`.
    pub fn put_over(&mut self, prev: Option<&KeyValue>, key: &[u8], value: Vec<u8>, lease: i64) {
        let rev = self.next_rev();
        let (created, version) = match prev {
            Some(p) => (p.create_revision, p.version + 1),
            None => (rev.main, 1),
        };
        let kv = KeyValue {
            key: key.to_vec(),
            create_revision: created,
            mod_revision: rev.main,
            version,
            value,
            lease,
        };
        let cf = engine::cf(&self.store.db, CF_KV);
        self.batch.put_cf(cf, rev.to_key(false), kv.encode_to_vec());
        self.changes.push(IndexChange::Put {
            key: key.to_vec(),
            rev,
            created,
            version,
        });
        self.events.push(Event {
            r#type: EventType::Put as i32,
            kv: Some(kv.clone()),
            prev_kv: None,
        });
        self.overlay.insert(key.to_vec(), Some(kv));
    }

    /// Delete every key in `[key, end)`; returns what was deleted.
    pub fn delete_range(&mut self, key: &[u8], end: &[u8]) -> Result<Vec<KeyValue>> {
        let doomed = self.scan(key, end)?;
        for kv in &doomed {
            self.delete_one(&kv.key);
        }
        Ok(doomed)
    }

    fn delete_one(&mut self, key: &[u8]) {
        let rev = self.next_rev();
        let tomb = KeyValue {
            key: key.to_vec(),
            mod_revision: rev.main,
            ..Default::default()
        };
        let cf = engine::cf(&self.store.db, CF_KV);
        self.batch
            .put_cf(cf, rev.to_key(true), tomb.encode_to_vec());
        self.changes.push(IndexChange::Tombstone {
            key: key.to_vec(),
            rev,
        });
        self.events.push(Event {
            r#type: EventType::Delete as i32,
            kv: Some(tomb),
            prev_kv: None,
        });
        self.overlay.insert(key.to_vec(), None);
    }

    /// Write the batch (with `extra` writes to other column families already in `self.batch`)
    /// and make it visible to readers. Returns the events, in revision order.
    pub fn commit(mut self) -> Result<Vec<Event>> {
        let meta = engine::cf(&self.store.db, CF_META);
        if self.rev != self.base {
            self.batch
                .put_cf(meta, META_REV, (self.rev as u64).to_be_bytes());
        }
        self.store.db.write(self.batch)?;
        if self.rev != self.base {
            let mut st = self.store.state.write().unwrap_or_else(|e| e.into_inner());
            for c in self.changes {
                match c {
                    IndexChange::Put {
                        key,
                        rev,
                        created,
                        version,
                    } => st.index.put(&key, rev, created, version),
                    IndexChange::Tombstone { key, rev } => {
                        st.index.tombstone(&key, rev);
                    }
                }
            }
            st.current = self.rev;
        }
        Ok(self.events)
    }
}

impl KeyIndex {
    fn latest_of(&self, key: &[u8]) -> Option<KeyAt> {
        self.get(key, i64::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, KvStore) {
        let dir = tempfile::tempdir().unwrap();
        let db = engine::open(dir.path()).unwrap();
        (dir, KvStore::open(db).unwrap())
    }

    fn put(s: &KvStore, k: &str, v: &str) -> i64 {
        let mut w = KvWriter::new(s);
        w.begin();
        w.put(k.as_bytes(), v.as_bytes().to_vec(), 0).unwrap();
        w.end();
        let rev = w.revision();
        w.commit().unwrap();
        rev
    }

    fn del(s: &KvStore, k: &str, end: &str) -> usize {
        let mut w = KvWriter::new(s);
        w.begin();
        let n = w.delete_range(k.as_bytes(), end.as_bytes()).unwrap().len();
        w.end();
        w.commit().unwrap();
        n
    }

    fn get(s: &KvStore, k: &str, rev: i64) -> Result<Option<KeyValue>> {
        let req = RangeRequest {
            key: k.into(),
            revision: rev,
            ..Default::default()
        };
        Ok(s.range(&req)?.kvs.into_iter().next())
    }

    #[test]
    fn put_get_versions_and_past_revisions() {
        let (_d, s) = store();
        assert_eq!(put(&s, "a", "1"), 1);
        assert_eq!(put(&s, "a", "2"), 2);
        let kv = get(&s, "a", 0).unwrap().unwrap();
        assert_eq!(
            (
                kv.create_revision,
                kv.mod_revision,
                kv.version,
                kv.value.as_slice()
            ),
            (1, 2, 2, &b"2"[..])
        );
        assert_eq!(get(&s, "a", 1).unwrap().unwrap().value, b"1");
        assert_eq!(get(&s, "a", 3), Err(Error::FutureRev));
        assert_eq!(del(&s, "a", ""), 1);
        assert_eq!(s.current_revision(), 3);
        assert!(get(&s, "a", 0).unwrap().is_none());
        put(&s, "a", "3");
        let kv = get(&s, "a", 0).unwrap().unwrap();
        assert_eq!((kv.create_revision, kv.version), (4, 1));
    }

    #[test]
    fn deleting_nothing_does_not_advance_the_revision() {
        let (_d, s) = store();
        put(&s, "a", "1");
        assert_eq!(del(&s, "zz", ""), 0);
        assert_eq!(s.current_revision(), 1);
    }

    #[test]
    fn limit_count_sort_and_keys_only() {
        let (_d, s) = store();
        for (k, v) in [("p/a", "3"), ("p/b", "1"), ("p/c", "2"), ("q", "0")] {
            put(&s, k, v);
        }
        let r = s
            .range(&RangeRequest {
                key: "p/".into(),
                range_end: "p0".into(),
                limit: 2,
                ..Default::default()
            })
            .unwrap();
        assert_eq!((r.kvs.len(), r.count, r.more), (2, 3, true));
        let r = s
            .range(&RangeRequest {
                key: "p/".into(),
                range_end: "p0".into(),
                sort_target: SortTarget::Value as i32,
                sort_order: SortOrder::Descend as i32,
                keys_only: true,
                ..Default::default()
            })
            .unwrap();
        let keys: Vec<_> = r
            .kvs
            .iter()
            .map(|kv| String::from_utf8_lossy(&kv.key).to_string())
            .collect();
        assert_eq!(keys, ["p/a", "p/c", "p/b"]);
        assert!(r.kvs.iter().all(|kv| kv.value.is_empty()));
        let r = s
            .range(&RangeRequest {
                key: "\0".into(),
                range_end: "\0".into(),
                count_only: true,
                ..Default::default()
            })
            .unwrap();
        assert_eq!((r.count, r.kvs.len()), (4, 0));
    }

    #[test]
    fn reads_inside_a_batch_see_earlier_writes() {
        let (_d, s) = store();
        put(&s, "a", "1");
        let mut w = KvWriter::new(&s);
        w.begin();
        w.put(b"b", b"2".to_vec(), 0).unwrap();
        w.delete_range(b"a", b"").unwrap();
        let r = w
            .range(&RangeRequest {
                key: "\0".into(),
                range_end: "\0".into(),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(r.kvs.len(), 1);
        assert_eq!(r.kvs[0].key, b"b");
        w.end();
        let events = w.commit().unwrap();
        assert_eq!(events.len(), 2);
        assert_eq!(s.current_revision(), 2);
        // Both changes share one main revision.
        assert!(
            events
                .iter()
                .all(|e| e.kv.as_ref().unwrap().mod_revision == 2)
        );
    }

    #[test]
    fn history_and_compaction() {
        let (_d, s) = store();
        put(&s, "k", "1");
        put(&s, "k", "2");
        put(&s, "other", "x");
        del(&s, "k", "");
        put(&s, "k", "3");
        let (events, next) = s.history(b"k", b"", 1, 5, 100).unwrap();
        let kinds: Vec<_> = events.iter().map(|e| e.r#type).collect();
        assert_eq!(kinds, [0, 0, 1, 0]);
        assert_eq!(next, 6);
        let (events, next) = s.history(b"k", b"", 1, 5, 2).unwrap();
        assert_eq!((events.len(), next), (2, 3));

        s.compact(3).unwrap();
        assert_eq!(get(&s, "k", 2), Err(Error::Compacted));
        assert_eq!(get(&s, "other", 3).unwrap().unwrap().value, b"x");
        assert_eq!(get(&s, "k", 3).unwrap().unwrap().value, b"2");
        assert_eq!(
            s.history(b"k", b"", 2, 5, 10).unwrap_err(),
            Error::Compacted
        );
        // The index is rebuilt from disk as it was.
        s.reload().unwrap();
        assert_eq!(get(&s, "k", 3).unwrap().unwrap().value, b"2");
        assert_eq!(get(&s, "k", 0).unwrap().unwrap().value, b"3");
        assert_eq!(s.current_revision(), 5);
        assert_eq!(s.compacted_revision(), 3);
    }

    #[test]
    fn revision_survives_when_the_newest_change_is_compacted_away() {
        let (_d, s) = store();
        put(&s, "k", "1");
        del(&s, "k", "");
        s.compact(2).unwrap();
        s.reload().unwrap();
        assert_eq!(s.current_revision(), 2);
    }
}

/// The store against a model that keeps the whole key space at every revision.
#[cfg(test)]
mod model {
    use std::collections::BTreeMap;

    use proptest::prelude::*;

    use super::*;

    #[derive(Debug, Clone)]
    enum Op {
        Put(u8, u8),
        Delete(u8),
        DeleteRange(u8, u8),
        /// Compact at (current revision - n), if that is ahead of the last compaction.
        Compact(u8),
        Reopen,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            6 => (0..6u8, any::<u8>()).prop_map(|(k, v)| Op::Put(k, v)),
            2 => (0..6u8).prop_map(Op::Delete),
            1 => (0..6u8, 0..7u8).prop_map(|(a, b)| Op::DeleteRange(a, b)),
            1 => (0..4u8).prop_map(Op::Compact),
            1 => Just(Op::Reopen),
        ]
    }

    fn key(k: u8) -> Vec<u8> {
        format!("k{k}").into_bytes()
    }

    type Space = BTreeMap<Vec<u8>, KeyValue>;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn store_matches_model(ops in proptest::collection::vec(op(), 1..60)) {
            let dir = tempfile::tempdir().unwrap();
            let mut store = KvStore::open(engine::open(dir.path()).unwrap()).unwrap();
            // history[r] = the key space as of revision r.
            let mut history: Vec<Space> = vec![Space::new()];
            let mut compacted = 0i64;
            for op in ops {
                let rev = history.len() as i64 - 1;
                let mut space = history.last().unwrap().clone();
                let mut w = KvWriter::new(&store);
                w.begin();
                match op {
                    Op::Put(k, v) => {
                        w.put(&key(k), vec![v], 0).unwrap();
                        let prev = space.get(&key(k)).cloned();
                        space.insert(key(k), KeyValue {
                            key: key(k),
                            create_revision: prev.as_ref().map_or(rev + 1, |p| p.create_revision),
                            mod_revision: rev + 1,
                            version: prev.map_or(1, |p| p.version + 1),
                            value: vec![v],
                            lease: 0,
                        });
                    }
                    Op::Delete(k) => {
                        w.delete_range(&key(k), b"").unwrap();
                        space.remove(&key(k));
                    }
                    Op::DeleteRange(a, b) => {
                        w.delete_range(&key(a), &key(b)).unwrap();
                        space.retain(|k, _| !(k >= &key(a) && k < &key(b)));
                    }
                    Op::Compact(n) => {
                        let at = rev - i64::from(n);
                        if at > compacted {
                            store.compact(at).unwrap();
                            compacted = at;
                        }
                    }
                    Op::Reopen => {
                        drop(w);
                        let db = store.db.clone();
                        drop(store);
                        store = KvStore::open(db).unwrap();
                        continue;
                    }
                }
                w.end();
                let changed = w.revision() != rev;
                w.commit().unwrap();
                prop_assert_eq!(changed, space != *history.last().unwrap());
                if changed {
                    history.push(space);
                }
                prop_assert_eq!(store.current_revision(), history.len() as i64 - 1);
            }
            // Every retained revision reads exactly as the model says.
            let current = history.len() as i64 - 1;
            for r in compacted.max(1)..=current {
                let got = store.range(&RangeRequest { key: vec![0], range_end: vec![0], revision: r, ..Default::default() }).unwrap();
                let want: Vec<KeyValue> = history[r as usize].values().cloned().collect();
                prop_assert_eq!(&got.kvs, &want, "at revision {}", r);
            }
            // (Revision 0 means "newest", so only a compaction past 1 leaves one to refuse.)
            if compacted > 1 {
                let old = store.range(&RangeRequest { key: vec![0], range_end: vec![0], revision: compacted - 1, ..Default::default() });
                prop_assert_eq!(old.unwrap_err(), Error::Compacted);
            }
            // History after the compaction point replays the model's changes in order.
            let from = compacted + 1;
            if from <= current {
                let (events, _) = store.history(&[0], &[0], from, current, usize::MAX).unwrap();
                let mut replay = history[(from - 1) as usize].clone();
                for e in events {
                    let kv = e.kv.unwrap();
                    if e.r#type == EventType::Put as i32 { replay.insert(kv.key.clone(), kv); } else { replay.remove(&kv.key); }
                }
                prop_assert_eq!(&replay, history.last().unwrap());
            }
        }
    }
}
