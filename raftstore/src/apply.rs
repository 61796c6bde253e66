//! The apply step: committed raft entries in, state changes and client answers out.
//!
//! Every member applies the same entries in the same order and so reaches the same state;
//! only the member that proposed an entry answers its client (through [`Waiters`]). One call
//! applies a whole batch of entries with a single RocksDB write, then publishes the new
//! revision to readers and the events to watchers, then answers. Entries at or below the
//! persisted applied index are skipped, which makes replay after a crash safe.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use prost::Message;
use proto::etcdserverpb::compare::{CompareResult, CompareTarget, TargetUnion};
use proto::etcdserverpb::{
    CompactionRequest, CompactionResponse, Compare, DeleteRangeRequest, DeleteRangeResponse,
    LeaseGrantRequest, LeaseGrantResponse, LeaseRevokeResponse, PutRequest, PutResponse,
    RangeResponse, RequestOp, ResponseHeader, ResponseOp, TxnRequest, TxnResponse, request_op,
    response_op,
};
use proto::mvccpb::KeyValue;
use proto::raftstore::internal::{
    InternalRequest, LeaseRecord, MemberAttributes, MemberRecord, Pair, SnapshotData,
    internal_request,
};
use raft::prelude::{Entry, EntryType};
use rocksdb::{DB, IteratorMode, WriteBatch};
use tokio::sync::oneshot;

use crate::engine::{self, CF_KV, CF_LEASE, CF_META, META_APPLIED, META_MEMBER_PREFIX};
use crate::error::{Error, Result};
use crate::lease::Lessor;
use crate::mvcc::{KvStore, KvWriter};
use crate::raft_log::SnapshotSource;
use crate::watch::WatchHub;

/// What applying one request produced for its client.
#[derive(Debug, Clone, PartialEq)]
pub enum Applied {
    Put(PutResponse),
    DeleteRange(DeleteRangeResponse),
    Txn(TxnResponse),
    Compaction(CompactionResponse),
    LeaseGrant(LeaseGrantResponse),
    LeaseRevoke(LeaseRevokeResponse),
    Done,
}

pub type ApplyResult = Result<Applied>;

/// Clients waiting for their proposals to be applied, by request id.
#[derive(Default)]
pub struct Waiters {
    map: Mutex<HashMap<u64, oneshot::Sender<ApplyResult>>>,
}

impl Waiters {
    pub fn register(&self, id: u64) -> oneshot::Receiver<ApplyResult> {
        let (tx, rx) = oneshot::channel();
        self.map
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id, tx);
        rx
    }

    pub fn resolve(&self, id: u64, result: ApplyResult) {
        let tx = self
            .map
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&id);
        if let Some(tx) = tx {
            let _ = tx.send(result);
        }
    }

    pub fn forget(&self, id: u64) {
        self.map
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&id);
    }
}

/// The cluster's members as the state machine knows them.
#[derive(Default)]
pub struct Members {
    map: RwLock<BTreeMap<u64, MemberRecord>>,
}

impl Members {
    pub fn list(&self) -> Vec<MemberRecord> {
        self.map
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .cloned()
            .collect()
    }

    pub fn get(&self, id: u64) -> Option<MemberRecord> {
        self.map
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&id)
            .cloned()
    }

    fn set(&self, m: MemberRecord) {
        self.map
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(m.id, m);
    }

    fn load(&self, db: &DB) -> Result<()> {
        let mut map = BTreeMap::new();
        let prefix = META_MEMBER_PREFIX;
        for item in db.prefix_iterator_cf(engine::cf(db, CF_META), prefix) {
            let (k, v) = item?;
            if !k.starts_with(prefix) {
                break;
            }
            let m = MemberRecord::decode(v.as_ref())?;
            map.insert(m.id, m);
        }
        *self.map.write().unwrap_or_else(|e| e.into_inner()) = map;
        Ok(())
    }
}

pub fn member_key(id: u64) -> Vec<u8> {
    let mut k = META_MEMBER_PREFIX.to_vec();
    k.extend_from_slice(&id.to_be_bytes());
    k
}

/// The replicated state: key-value store, leases, members, and who waits for what.
pub struct StateMachine {
    db: Arc<DB>,
    pub kv: Arc<KvStore>,
    pub lessor: Arc<Lessor>,
    pub hub: Arc<WatchHub>,
    pub waiters: Arc<Waiters>,
    pub members: Arc<Members>,
    applied: Arc<AtomicU64>,
    cluster_id: u64,
    member_id: u64,
}

impl StateMachine {
    pub fn open(
        db: Arc<DB>,
        min_lease_ttl: i64,
        cluster_id: u64,
        member_id: u64,
    ) -> Result<StateMachine> {
        let kv = Arc::new(KvStore::open(db.clone())?);
        let hub = Arc::new(WatchHub::new(kv.current_revision()));
        let sm = StateMachine {
            applied: Arc::new(AtomicU64::new(
                engine::get_u64(&db, CF_META, META_APPLIED)?.unwrap_or(0),
            )),
            db,
            kv,
            lessor: Arc::new(Lessor::new(min_lease_ttl)),
            hub,
            waiters: Arc::new(Waiters::default()),
            members: Arc::new(Members::default()),
            cluster_id,
            member_id,
        };
        sm.members.load(&sm.db)?;
        sm.load_leases()?;
        Ok(sm)
    }

    pub fn db(&self) -> Arc<DB> {
        self.db.clone()
    }

    pub fn applied_index(&self) -> u64 {
        self.applied.load(Ordering::Acquire)
    }

    pub fn applied_handle(&self) -> Arc<AtomicU64> {
        self.applied.clone()
    }

    /// Members from `--initial-cluster`, written once when the cluster is new.
    pub fn bootstrap_members(&self, members: &[MemberRecord]) -> Result<()> {
        let mut batch = WriteBatch::default();
        for m in members {
            batch.put_cf(
                engine::cf(&self.db, CF_META),
                member_key(m.id),
                m.encode_to_vec(),
            );
            self.members.set(m.clone());
        }
        self.db.write(batch)?;
        Ok(())
    }

    fn load_leases(&self) -> Result<()> {
        self.lessor.clear();
        for item in self
            .db
            .iterator_cf(engine::cf(&self.db, CF_LEASE), IteratorMode::Start)
        {
            let (_, v) = item?;
            let l = LeaseRecord::decode(v.as_ref())?;
            self.lessor.restore(l.id, l.ttl);
        }
        if !self.lessor.is_empty() {
            let all = proto::etcdserverpb::RangeRequest {
                key: vec![0],
                range_end: vec![0],
                ..Default::default()
            };
            for kv in self.kv.range(&all)?.kvs {
                if kv.lease != 0 {
                    self.lessor.attach(kv.lease, &kv.key);
                }
            }
        }
        Ok(())
    }

    fn header(&self, revision: i64, term: u64) -> Option<ResponseHeader> {
        Some(ResponseHeader {
            cluster_id: self.cluster_id,
            member_id: self.member_id,
            revision,
            raft_term: term,
        })
    }

    /// Apply committed entries (raft term `term` is reported in the answers).
    pub fn apply(&self, entries: &[Entry], term: u64) -> Result<()> {
        let mut applied = self.applied_index();
        let mut w = KvWriter::new(&self.kv);
        let mut answers: Vec<(u64, ApplyResult)> = Vec::new();
        for e in entries {
            if e.index <= applied {
                continue;
            }
            if e.get_entry_type() == EntryType::EntryNormal && !e.data.is_empty() {
                match InternalRequest::decode(e.data.as_ref()) {
                    Ok(req) => {
                        let id = req.id;
                        let result = match req.request {
                            Some(internal_request::Request::Compaction(c)) => {
                                // Compaction works on committed state: write out what came before.
                                let before = std::mem::replace(&mut w, KvWriter::new(&self.kv));
                                self.commit(before, e.index - 1)?;
                                self.compact(&c, term)
                            }
                            Some(r) => self.apply_one(&mut w, r, term),
                            None => Ok(Applied::Done),
                        };
                        answers.push((id, result));
                    }
                    Err(err) => {
                        tracing::error!(index = e.index, %err, "undecodable raft entry skipped")
                    }
                }
            }
            applied = e.index;
        }
        if applied != self.applied_index() {
            self.commit(w, applied)?;
        }
        for (id, result) in answers {
            self.waiters.resolve(id, result);
        }
        Ok(())
    }

    fn commit(&self, mut w: KvWriter<'_>, applied: u64) -> Result<()> {
        w.batch.put_cf(
            engine::cf(&self.db, CF_META),
            META_APPLIED,
            applied.to_be_bytes(),
        );
        let events = w.commit()?;
        self.applied.store(applied, Ordering::Release);
        self.hub.notify(self.kv.current_revision(), &events);
        Ok(())
    }

    fn apply_one(
        &self,
        w: &mut KvWriter<'_>,
        req: internal_request::Request,
        term: u64,
    ) -> ApplyResult {
        use internal_request::Request as R;
        match req {
            R::Put(p) => {
                w.begin();
                let r = self.put(w, &p);
                w.end();
                let mut resp = r?;
                resp.header = self.header(w.revision(), term);
                Ok(Applied::Put(resp))
            }
            R::DeleteRange(d) => {
                w.begin();
                let r = self.delete_range(w, &d);
                w.end();
                let mut resp = r?;
                resp.header = self.header(w.revision(), term);
                Ok(Applied::DeleteRange(resp))
            }
            R::Txn(t) => {
                let mut path = Vec::new();
                txn_path(w, &t, &mut path)?;
                self.check_txn(w, &t, &path, &mut 0)?;
                w.begin();
                let r = self.txn(w, &t, &path, &mut 0);
                w.end();
                let mut resp = r?;
                resp.header = self.header(w.revision(), term);
                Ok(Applied::Txn(resp))
            }
            R::LeaseGrant(g) => self.lease_grant(w, &g, term),
            R::LeaseRevoke(r) => {
                let Some(keys) = self.lessor.revoke(r.id) else {
                    return Err(Error::LeaseNotFound);
                };
                w.begin();
                for k in keys {
                    w.delete_range(&k, b"")?;
                }
                w.end();
                w.batch
                    .delete_cf(engine::cf(&self.db, CF_LEASE), r.id.to_be_bytes());
                Ok(Applied::LeaseRevoke(LeaseRevokeResponse {
                    header: self.header(w.revision(), term),
                }))
            }
            R::MemberAttributes(a) => {
                self.set_attributes(w, a);
                Ok(Applied::Done)
            }
            R::Compaction(_) => unreachable!("compaction is applied on committed state"),
        }
    }

    fn set_attributes(&self, w: &mut KvWriter<'_>, a: MemberAttributes) {
        let mut m = self.members.get(a.id).unwrap_or(MemberRecord {
            id: a.id,
            ..Default::default()
        });
        m.name = a.name;
        m.client_urls = a.client_urls;
        w.batch.put_cf(
            engine::cf(&self.db, CF_META),
            member_key(m.id),
            m.encode_to_vec(),
        );
        self.members.set(m);
    }

    fn put(&self, w: &mut KvWriter<'_>, p: &PutRequest) -> Result<PutResponse> {
        let prev = w.get(&p.key)?;
        if (p.ignore_value || p.ignore_lease) && prev.is_none() {
            return Err(Error::KeyNotFound);
        }
        let value = match (&prev, p.ignore_value) {
            (Some(prev), true) => prev.value.clone(),
            _ => p.value.clone(),
        };
        let lease = match (&prev, p.ignore_lease) {
            (Some(prev), true) => prev.lease,
            _ => p.lease,
        };
        if lease != 0 && !self.lessor.exists(lease) {
            return Err(Error::LeaseNotFound);
        }
        w.put_over(prev.as_ref(), &p.key, value, lease);
        if let Some(old) = prev
            .as_ref()
            .map(|kv| kv.lease)
            .filter(|l| *l != 0 && *l != lease)
        {
            self.lessor.detach(old, &p.key);
        }
        if lease != 0 {
            self.lessor.attach(lease, &p.key);
        }
        Ok(PutResponse {
            header: None,
            prev_kv: if p.prev_kv { prev } else { None },
        })
    }

    fn delete_range(
        &self,
        w: &mut KvWriter<'_>,
        d: &DeleteRangeRequest,
    ) -> Result<DeleteRangeResponse> {
        let deleted = w.delete_range(&d.key, &d.range_end)?;
        for kv in &deleted {
            if kv.lease != 0 {
                self.lessor.detach(kv.lease, &kv.key);
            }
        }
        Ok(DeleteRangeResponse {
            header: None,
            deleted: deleted.len() as i64,
            prev_kvs: if d.prev_kv { deleted } else { Vec::new() },
        })
    }

    /// Before a transaction writes anything: every put on its path must be possible, so a
    /// failing transaction changes nothing.
    fn check_txn(
        &self,
        w: &KvWriter<'_>,
        t: &TxnRequest,
        path: &[bool],
        at: &mut usize,
    ) -> Result<()> {
        let ops = if path[*at] { &t.success } else { &t.failure };
        *at += 1;
        for op in ops {
            match &op.request {
                Some(request_op::Request::RequestPut(p)) => {
                    if p.lease != 0 && !p.ignore_lease && !self.lessor.exists(p.lease) {
                        return Err(Error::LeaseNotFound);
                    }
                    if (p.ignore_value || p.ignore_lease) && w.get(&p.key)?.is_none() {
                        return Err(Error::KeyNotFound);
                    }
                }
                Some(request_op::Request::RequestRange(r)) => {
                    if r.revision > w.revision() {
                        return Err(Error::FutureRev);
                    }
                    if r.revision > 0 && r.revision < w.compacted_revision() {
                        return Err(Error::Compacted);
                    }
                }
                Some(request_op::Request::RequestTxn(inner)) => {
                    self.check_txn(w, inner, path, at)?
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn txn(
        &self,
        w: &mut KvWriter<'_>,
        t: &TxnRequest,
        path: &[bool],
        at: &mut usize,
    ) -> Result<TxnResponse> {
        let succeeded = path[*at];
        *at += 1;
        let ops: &[RequestOp] = if succeeded { &t.success } else { &t.failure };
        let mut responses = Vec::with_capacity(ops.len());
        for op in ops {
            let response = match &op.request {
                Some(request_op::Request::RequestRange(r)) => {
                    let out = w.range(r)?;
                    response_op::Response::ResponseRange(RangeResponse {
                        header: Some(ResponseHeader::default()),
                        kvs: out.kvs,
                        more: out.more,
                        count: out.count,
                    })
                }
                Some(request_op::Request::RequestPut(p)) => {
                    let mut resp = self.put(w, p)?;
                    resp.header = Some(ResponseHeader::default());
                    response_op::Response::ResponsePut(resp)
                }
                Some(request_op::Request::RequestDeleteRange(d)) => {
                    let mut resp = self.delete_range(w, d)?;
                    resp.header = Some(ResponseHeader::default());
                    response_op::Response::ResponseDeleteRange(resp)
                }
                Some(request_op::Request::RequestTxn(inner)) => {
                    let mut resp = self.txn(w, inner, path, at)?;
                    resp.header = Some(ResponseHeader::default());
                    response_op::Response::ResponseTxn(resp)
                }
                None => continue,
            };
            responses.push(ResponseOp {
                response: Some(response),
            });
        }
        Ok(TxnResponse {
            header: None,
            succeeded,
            responses,
        })
    }

    fn lease_grant(&self, w: &mut KvWriter<'_>, g: &LeaseGrantRequest, term: u64) -> ApplyResult {
        let Some(ttl) = self.lessor.grant(g.id, g.ttl) else {
            return Err(Error::LeaseExist);
        };
        let rec = LeaseRecord { id: g.id, ttl };
        w.batch.put_cf(
            engine::cf(&self.db, CF_LEASE),
            g.id.to_be_bytes(),
            rec.encode_to_vec(),
        );
        Ok(Applied::LeaseGrant(LeaseGrantResponse {
            header: self.header(w.revision(), term),
            id: g.id,
            ttl,
            error: String::new(),
        }))
    }

    fn compact(&self, c: &CompactionRequest, term: u64) -> ApplyResult {
        let current = self.kv.current_revision();
        if c.revision > current {
            return Err(Error::FutureRev);
        }
        if c.revision <= self.kv.compacted_revision() {
            return Err(Error::Compacted);
        }
        self.kv.compact(c.revision)?;
        Ok(Applied::Compaction(CompactionResponse {
            header: self.header(current, term),
        }))
    }

    /// Replace the whole state with a raft snapshot's data (applied index `index`).
    pub fn restore(&self, data: &[u8], index: u64) -> Result<()> {
        let snap = SnapshotData::decode(data)?;
        let mut batch = WriteBatch::default();
        for (name, pairs) in [
            (CF_KV, &snap.kv),
            (CF_LEASE, &snap.lease),
            (CF_META, &snap.meta),
        ] {
            let cf = engine::cf(&self.db, name);
            batch.delete_range_cf(cf, Vec::<u8>::new(), vec![0xff; 32]);
            for p in pairs {
                batch.put_cf(cf, &p.key, &p.value);
            }
        }
        batch.put_cf(
            engine::cf(&self.db, CF_META),
            META_APPLIED,
            index.to_be_bytes(),
        );
        self.db.write(batch)?;
        self.kv.reload()?;
        self.members.load(&self.db)?;
        self.load_leases()?;
        self.applied.store(index, Ordering::Release);
        self.hub.resync(self.kv.current_revision());
        Ok(())
    }
}

/// Makes the data of raft snapshots: every state-machine column family at one applied index.
pub struct Snapshotter {
    pub db: Arc<DB>,
}

impl SnapshotSource for Snapshotter {
    fn snapshot_data(&self) -> Result<(u64, Vec<u8>)> {
        let snap = self.db.snapshot();
        let mut data = SnapshotData::default();
        let mut applied = 0;
        for (name, out) in [
            (CF_KV, &mut data.kv),
            (CF_LEASE, &mut data.lease),
            (CF_META, &mut data.meta),
        ] {
            for item in snap.iterator_cf(engine::cf(&self.db, name), IteratorMode::Start) {
                let (k, v) = item?;
                if name == CF_META && k.as_ref() == META_APPLIED {
                    applied = u64::from_be_bytes(v.as_ref().try_into().unwrap_or_default());
                }
                out.push(Pair {
                    key: k.to_vec(),
                    value: v.to_vec(),
                });
            }
        }
        Ok((applied, data.encode_to_vec()))
    }
}

/// Decide, before anything is written, which branch each (nested) transaction on the path takes.
/// Like etcd, all comparisons see the state before the transaction.
fn txn_path(w: &KvWriter<'_>, t: &TxnRequest, path: &mut Vec<bool>) -> Result<()> {
    let mut ok = true;
    for c in &t.compare {
        if !compare(w, c)? {
            ok = false;
            break;
        }
    }
    path.push(ok);
    for op in if ok { &t.success } else { &t.failure } {
        if let Some(request_op::Request::RequestTxn(inner)) = &op.request {
            txn_path(w, inner, path)?;
        }
    }
    Ok(())
}

/// Evaluate one comparison against the newest state (also used by read-only transactions).
pub fn compare_public(w: &KvWriter<'_>, c: &Compare) -> Result<bool> {
    compare(w, c)
}

fn compare(w: &KvWriter<'_>, c: &Compare) -> Result<bool> {
    let kvs = if c.range_end.is_empty() {
        w.get(&c.key)?.into_iter().collect::<Vec<_>>()
    } else {
        w.scan(&c.key, &c.range_end)?
    };
    let target = CompareTarget::try_from(c.target).unwrap_or(CompareTarget::Version);
    if kvs.is_empty() {
        if target == CompareTarget::Value {
            // A missing key has no value to compare: always false, as in etcd.
            return Ok(false);
        }
        return Ok(compare_kv(c, target, &KeyValue::default()));
    }
    Ok(kvs.iter().all(|kv| compare_kv(c, target, kv)))
}

fn compare_kv(c: &Compare, target: CompareTarget, kv: &KeyValue) -> bool {
    use std::cmp::Ordering as O;
    let ord = match (target, &c.target_union) {
        (CompareTarget::Value, Some(TargetUnion::Value(v))) => {
            kv.value.as_slice().cmp(v.as_slice())
        }
        (CompareTarget::Version, Some(TargetUnion::Version(v))) => kv.version.cmp(v),
        (CompareTarget::Create, Some(TargetUnion::CreateRevision(v))) => kv.create_revision.cmp(v),
        (CompareTarget::Mod, Some(TargetUnion::ModRevision(v))) => kv.mod_revision.cmp(v),
        (CompareTarget::Lease, Some(TargetUnion::Lease(v))) => kv.lease.cmp(v),
        // A compare whose union is unset compares against the zero value.
        (CompareTarget::Value, _) => kv.value.as_slice().cmp(&[][..]),
        (CompareTarget::Version, _) => kv.version.cmp(&0),
        (CompareTarget::Create, _) => kv.create_revision.cmp(&0),
        (CompareTarget::Mod, _) => kv.mod_revision.cmp(&0),
        (CompareTarget::Lease, _) => kv.lease.cmp(&0),
    };
    match CompareResult::try_from(c.result).unwrap_or(CompareResult::Equal) {
        CompareResult::Equal => ord == O::Equal,
        CompareResult::NotEqual => ord != O::Equal,
        CompareResult::Greater => ord == O::Greater,
        CompareResult::Less => ord == O::Less,
    }
}
