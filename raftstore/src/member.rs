//! A running member: the raft loop, the state machine, and the request paths of the etcd
//! API on top of them (what etcd calls its `EtcdServer`). The gRPC services in [`crate::api`]
//! are thin wrappers over these methods.
//!
//! Writes become proposals and are answered when this member applies them. Linearizable
//! reads first wait for a ReadIndex round (any member can do this, followers included) and
//! then read local state; serializable reads read local state at once.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use prost::Message;
use proto::etcdserverpb as pb;
use proto::raftstore::internal::{
    InternalRequest, MemberAttributes, MemberRecord, internal_request,
};
use raft::RawNode;
use raft::prelude::ConfState;
use rocksdb::WriteBatch;

use crate::apply::{Applied, StateMachine};
use crate::config::{self, AutoCompaction, Config};
use crate::engine;
use crate::error::{Error, Result};
use crate::lease::MAX_LEASE_TTL;
use crate::node::{Node, NodeConfig, NodeMsg, RaftStatus};
use crate::raft_log::RaftLogStore;
use crate::transport::Transport;

/// The etcd release whose v3 API behaviour this store implements, as `Status` and `/version`
/// report it. It includes the watch semantics clients key on the release: a progress
/// notification never overtakes the events before it (etcd-io/etcd#15220, fixed by 3.5.13,
/// which the kube-apiserver requires before serving consistent lists from its cache).
pub const ETCD_VERSION: &str = "3.5.13";

pub struct Member {
    pub id: u64,
    pub cluster_id: u64,
    pub name: String,
    pub cfg: Config,
    pub sm: Arc<StateMachine>,
    pub status: Arc<RaftStatus>,
    mailbox: Mutex<Sender<NodeMsg>>,
    /// Peer URLs of the other members, by id.
    pub peer_urls: HashMap<u64, String>,
    next_request: AtomicU64,
    thread: Mutex<Option<std::thread::JoinHandle<()>>>,
}

/// Builds the transport once the member's mailbox exists (the transport reports to it).
pub type TransportFactory<'a> =
    Box<dyn FnOnce(u64, Sender<NodeMsg>, HashMap<u64, String>) -> Arc<dyn Transport> + 'a>;

impl Member {
    /// Open the data directory, start the raft loop and return the running member.
    pub fn start(cfg: Config, transport: TransportFactory<'_>) -> Result<Arc<Member>> {
        let members = cfg.initial_members()?;
        let me = cfg.local_member()?;
        let ids: Vec<u64> = members.iter().map(|m| m.id).collect();
        let cluster_id = config::cluster_id(&ids);
        std::fs::create_dir_all(&cfg.data_dir)
            .map_err(|e| Error::Internal(format!("data dir: {e}")))?;
        let db = engine::open(&cfg.data_dir.join("db"))?;
        let sm = Arc::new(StateMachine::open(
            db.clone(),
            cfg.min_lease_ttl(),
            cluster_id,
            me.id,
        )?);
        let source = Arc::new(crate::apply::Snapshotter { db: db.clone() });
        let mut log = RaftLogStore::open(db.clone(), source)?;
        if log.is_empty() {
            // A new member of a new cluster: every member of --initial-cluster votes.
            let cs = ConfState {
                voters: ids.clone(),
                ..Default::default()
            };
            let mut batch = WriteBatch::default();
            log.set_conf_state(cs, &mut batch)?;
            log.write(batch, true)?;
            let records: Vec<MemberRecord> = members
                .iter()
                .map(|m| MemberRecord {
                    id: m.id,
                    name: m.name.clone(),
                    peer_urls: m.peer_urls.clone(),
                    client_urls: vec![],
                })
                .collect();
            sm.bootstrap_members(&records)?;
        }
        let election_ticks = cfg.election_ticks();
        let raft_cfg = raft::Config {
            id: me.id,
            election_tick: election_ticks,
            heartbeat_tick: 1,
            applied: sm.applied_index(),
            max_size_per_msg: 1024 * 1024,
            max_inflight_msgs: 256,
            check_quorum: true,
            pre_vote: true,
            ..Default::default()
        };
        let logger = slog::Logger::root(
            crate::logging::SlogToTracing,
            slog::o!("member" => format!("{:x}", me.id)),
        );
        let raw = RawNode::new(&raft_cfg, log, &logger)
            .map_err(|e| Error::Internal(format!("raft: {e}")))?;

        let peer_urls: HashMap<u64, String> = sm
            .members
            .list()
            .into_iter()
            .filter(|m| m.id != me.id)
            .filter_map(|m| m.peer_urls.first().cloned().map(|u| (m.id, u)))
            .collect();
        let (tx, rx) = std::sync::mpsc::channel();
        let transport = transport(me.id, tx.clone(), peer_urls.clone());
        let status = Arc::new(RaftStatus::default());
        let node = Node::new(
            raw,
            rx,
            transport,
            sm.clone(),
            status.clone(),
            NodeConfig {
                tick: cfg.heartbeat_interval,
                election_ticks,
                catch_up_entries: 5000.min(cfg.snapshot_count),
                snapshot_count: cfg.snapshot_count,
                fsync: !cfg.unsafe_no_fsync,
            },
        );
        let thread = std::thread::Builder::new()
            .name("raft".into())
            .spawn(move || node.run())
            .map_err(|e| Error::Internal(format!("raft thread: {e}")))?;
        let start = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_millis() as u64;
        Ok(Arc::new(Member {
            id: me.id,
            cluster_id,
            name: cfg.name.clone(),
            cfg,
            sm,
            status,
            mailbox: Mutex::new(tx),
            peer_urls,
            // etcd's request ids: member id in the top 16 bits, then a time-seeded counter.
            next_request: AtomicU64::new((me.id << 48) | ((start << 8) & ((1 << 48) - 1))),
            thread: Mutex::new(Some(thread)),
        }))
    }

    pub fn mailbox(&self) -> Sender<NodeMsg> {
        self.mailbox
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn send(&self, msg: NodeMsg) -> Result<()> {
        self.mailbox().send(msg).map_err(|_| Error::Stopped)
    }

    /// Stop the raft loop and wait for it (a leader first hands leadership to a follower).
    pub fn stop(&self) {
        if self.is_leader()
            && !self.peer_urls.is_empty()
            && let Some(&to) = self.peer_urls.keys().next()
        {
            let _ = self.send(NodeMsg::TransferLeader(to));
            let deadline = std::time::Instant::now() + self.cfg.election_timeout;
            while self.is_leader() && std::time::Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(10));
            }
        }
        let _ = self.send(NodeMsg::Shutdown);
        if let Some(t) = self.thread.lock().unwrap_or_else(|e| e.into_inner()).take() {
            let _ = t.join();
        }
    }

    pub fn leader(&self) -> u64 {
        self.status.leader.load(Ordering::Relaxed)
    }

    pub fn is_leader(&self) -> bool {
        self.status.is_leader.load(Ordering::Relaxed)
    }

    pub fn term(&self) -> u64 {
        self.status.term.load(Ordering::Relaxed)
    }

    pub fn header(&self) -> Option<pb::ResponseHeader> {
        Some(pb::ResponseHeader {
            cluster_id: self.cluster_id,
            member_id: self.id,
            revision: self.sm.kv.current_revision(),
            raft_term: self.term(),
        })
    }

    fn request_timeout(&self) -> Duration {
        self.cfg.request_timeout
    }

    /// Propose `request` and wait until this member has applied it.
    pub async fn propose(&self, request: internal_request::Request) -> Result<Applied> {
        let id = self.next_request.fetch_add(1, Ordering::Relaxed);
        let data = InternalRequest {
            id,
            request: Some(request),
        }
        .encode_to_vec();
        if data.len() > self.cfg.max_request_bytes {
            return Err(Error::RequestTooLarge);
        }
        if self.leader() == 0 {
            return Err(Error::NoLeader);
        }
        let rx = self.sm.waiters.register(id);
        if let Err(e) = self.send(NodeMsg::Propose { id, data }) {
            self.sm.waiters.forget(id);
            return Err(e);
        }
        match tokio::time::timeout(self.request_timeout(), rx).await {
            Ok(Ok(result)) => result,
            Ok(Err(_)) => Err(Error::Stopped),
            Err(_) => {
                self.sm.waiters.forget(id);
                Err(Error::Timeout)
            }
        }
    }

    /// Wait until this member has applied everything committed before now (ReadIndex).
    pub async fn read_barrier(&self) -> Result<()> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.send(NodeMsg::ReadIndex(tx))?;
        match tokio::time::timeout(self.request_timeout(), rx).await {
            Ok(Ok(r)) => r,
            Ok(Err(_)) => Err(Error::Stopped),
            Err(_) => Err(Error::Timeout),
        }
    }

    pub async fn range(&self, req: pb::RangeRequest) -> Result<pb::RangeResponse> {
        if req.key.is_empty() {
            return Err(Error::EmptyKey);
        }
        if !req.serializable {
            self.read_barrier().await?;
        }
        let out = self.sm.kv.range(&req)?;
        Ok(pb::RangeResponse {
            header: self.header(),
            kvs: out.kvs,
            more: out.more,
            count: out.count,
        })
    }

    pub async fn put(&self, req: pb::PutRequest) -> Result<pb::PutResponse> {
        check_put(&req)?;
        match self.propose(internal_request::Request::Put(req)).await? {
            Applied::Put(r) => Ok(r),
            other => Err(unexpected(other)),
        }
    }

    pub async fn delete_range(
        &self,
        req: pb::DeleteRangeRequest,
    ) -> Result<pb::DeleteRangeResponse> {
        if req.key.is_empty() {
            return Err(Error::EmptyKey);
        }
        match self
            .propose(internal_request::Request::DeleteRange(req))
            .await?
        {
            Applied::DeleteRange(r) => Ok(r),
            other => Err(unexpected(other)),
        }
    }

    pub async fn txn(&self, req: pb::TxnRequest) -> Result<pb::TxnResponse> {
        check_txn(&req, self.cfg.max_txn_ops)?;
        if is_read_only(&req) {
            self.read_barrier().await?;
            return self.read_only_txn(&req);
        }
        match self.propose(internal_request::Request::Txn(req)).await? {
            Applied::Txn(r) => Ok(r),
            other => Err(unexpected(other)),
        }
    }

    /// A transaction without writes is served like a read, without going through the log.
    fn read_only_txn(&self, req: &pb::TxnRequest) -> Result<pb::TxnResponse> {
        use pb::{request_op, response_op};
        let w = crate::mvcc::KvWriter::new(&self.sm.kv);
        let mut ok = true;
        for c in &req.compare {
            if !crate::apply::compare_public(&w, c)? {
                ok = false;
                break;
            }
        }
        let ops = if ok { &req.success } else { &req.failure };
        let mut responses = Vec::new();
        for op in ops {
            if let Some(request_op::Request::RequestRange(r)) = &op.request {
                let out = self.sm.kv.range(r)?;
                responses.push(pb::ResponseOp {
                    response: Some(response_op::Response::ResponseRange(pb::RangeResponse {
                        header: Some(pb::ResponseHeader::default()),
                        kvs: out.kvs,
                        more: out.more,
                        count: out.count,
                    })),
                });
            }
        }
        Ok(pb::TxnResponse {
            header: self.header(),
            succeeded: ok,
            responses,
        })
    }

    pub async fn compact(&self, req: pb::CompactionRequest) -> Result<pb::CompactionResponse> {
        if req.revision > self.sm.kv.current_revision() {
            return Err(Error::FutureRev);
        }
        if req.revision <= self.sm.kv.compacted_revision() {
            return Err(Error::Compacted);
        }
        match self
            .propose(internal_request::Request::Compaction(req))
            .await?
        {
            Applied::Compaction(r) => Ok(r),
            other => Err(unexpected(other)),
        }
    }

    pub async fn lease_grant(
        &self,
        mut req: pb::LeaseGrantRequest,
    ) -> Result<pb::LeaseGrantResponse> {
        if req.ttl > MAX_LEASE_TTL {
            return Err(Error::LeaseTtlTooLarge);
        }
        if req.id == 0 {
            // Like etcd: the proposing member picks the id, so every member applies the same one.
            req.id = (self.next_request.fetch_add(1, Ordering::Relaxed) & (i64::MAX as u64)) as i64;
        }
        match self
            .propose(internal_request::Request::LeaseGrant(req))
            .await?
        {
            Applied::LeaseGrant(r) => Ok(r),
            other => Err(unexpected(other)),
        }
    }

    pub async fn lease_revoke(
        &self,
        req: pb::LeaseRevokeRequest,
    ) -> Result<pb::LeaseRevokeResponse> {
        match self
            .propose(internal_request::Request::LeaseRevoke(req))
            .await?
        {
            Applied::LeaseRevoke(r) => Ok(r),
            other => Err(unexpected(other)),
        }
    }

    /// Publish this member's name and client URLs to the cluster (retried until applied).
    pub async fn publish_attributes(self: Arc<Self>) {
        let attrs = MemberAttributes {
            id: self.id,
            name: self.name.clone(),
            client_urls: self.cfg.advertise_client_urls.clone(),
        };
        loop {
            if self
                .sm
                .members
                .get(self.id)
                .is_some_and(|m| m.client_urls == attrs.client_urls && m.name == attrs.name)
            {
                return;
            }
            if self
                .propose(internal_request::Request::MemberAttributes(attrs.clone()))
                .await
                .is_ok()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// The leader revokes leases that ran out; the other members do nothing here.
    pub async fn expire_leases(self: Arc<Self>) {
        let retry = self.request_timeout();
        let mut tick = tokio::time::interval(Duration::from_millis(250));
        loop {
            tick.tick().await;
            for id in self.sm.lessor.expired(retry) {
                let me = self.clone();
                tokio::spawn(async move {
                    if let Err(err) = me.lease_revoke(pb::LeaseRevokeRequest { id }).await {
                        tracing::debug!(lease = id, %err, "revoking expired lease");
                    }
                });
            }
        }
    }

    /// etcd's `--auto-compaction-*`: the leader compacts old history on a schedule.
    pub async fn auto_compact(self: Arc<Self>) {
        let (period, keep): (Duration, Box<RetentionRule>) = match self.cfg.auto_compaction.clone()
        {
            AutoCompaction::Off => return,
            AutoCompaction::Periodic(retention) => {
                // Compact to the revision we had `retention` ago, checking every tenth of it
                // (at least every second, at most hourly).
                let period =
                    (retention / 10).clamp(Duration::from_secs(1), Duration::from_secs(3600));
                (
                    period,
                    Box::new(move |samples: &[(std::time::Instant, i64)]| {
                        samples
                            .iter()
                            .rev()
                            .find(|(at, _)| at.elapsed() >= retention)
                            .map(|(_, r)| *r)
                    }),
                )
            }
            AutoCompaction::Revision(n) => {
                // etcd's revision mode: every five minutes, keep the last `n` revisions.
                (
                    Duration::from_secs(5 * 60),
                    Box::new(move |samples: &[(std::time::Instant, i64)]| {
                        samples.last().map(|(_, r)| r - n)
                    }),
                )
            }
        };
        let mut samples: Vec<(std::time::Instant, i64)> = Vec::new();
        let mut tick = tokio::time::interval(period);
        loop {
            tick.tick().await;
            samples.push((std::time::Instant::now(), self.sm.kv.current_revision()));
            if samples.len() > 64 {
                samples.remove(0);
            }
            if !self.is_leader() {
                continue;
            }
            if let Some(rev) = keep(&samples)
                && rev > self.sm.kv.compacted_revision()
                && rev > 0
            {
                match self
                    .compact(pb::CompactionRequest {
                        revision: rev,
                        physical: false,
                    })
                    .await
                {
                    Ok(_) => tracing::info!(revision = rev, "auto-compacted"),
                    Err(err) => tracing::debug!(revision = rev, %err, "auto-compaction"),
                }
            }
        }
    }
}

/// Given (time, revision) samples, oldest first, the revision to compact to.
type RetentionRule = dyn Fn(&[(std::time::Instant, i64)]) -> Option<i64> + Send;

fn unexpected(a: Applied) -> Error {
    Error::Internal(format!("unexpected apply result {a:?}"))
}

fn check_put(p: &pb::PutRequest) -> Result<()> {
    if p.key.is_empty() {
        return Err(Error::EmptyKey);
    }
    if p.ignore_value && !p.value.is_empty() {
        return Err(Error::ValueProvided);
    }
    if p.ignore_lease && p.lease != 0 {
        return Err(Error::LeaseProvided);
    }
    Ok(())
}

/// etcd's request checks for a transaction: sizes, keys, and no key written twice in a branch.
fn check_txn(t: &pb::TxnRequest, max_ops: usize) -> Result<()> {
    use pb::request_op::Request as R;
    if t.compare.len() > max_ops || t.success.len() > max_ops || t.failure.len() > max_ops {
        return Err(Error::TooManyOps);
    }
    for c in &t.compare {
        if c.key.is_empty() {
            return Err(Error::EmptyKey);
        }
    }
    for branch in [&t.success, &t.failure] {
        let mut puts: Vec<&[u8]> = Vec::new();
        let mut deletes: Vec<(&[u8], &[u8])> = Vec::new();
        for op in branch {
            match &op.request {
                Some(R::RequestRange(r)) if r.key.is_empty() => return Err(Error::EmptyKey),
                Some(R::RequestPut(p)) => {
                    check_put(p)?;
                    if puts.contains(&p.key.as_slice()) {
                        return Err(Error::DuplicateKey);
                    }
                    puts.push(&p.key);
                }
                Some(R::RequestDeleteRange(d)) => {
                    if d.key.is_empty() {
                        return Err(Error::EmptyKey);
                    }
                    deletes.push((&d.key, &d.range_end));
                }
                Some(R::RequestTxn(inner)) => check_txn(inner, max_ops)?,
                _ => {}
            }
        }
        for p in &puts {
            if deletes.iter().any(|(k, e)| crate::mvcc::in_range(p, k, e)) {
                return Err(Error::DuplicateKey);
            }
        }
    }
    Ok(())
}

fn is_read_only(t: &pb::TxnRequest) -> bool {
    use pb::request_op::Request as R;
    t.success
        .iter()
        .chain(&t.failure)
        .all(|op| match &op.request {
            Some(R::RequestRange(_)) | None => true,
            // Nested transactions take the write path.
            Some(R::RequestTxn(_)) => false,
            _ => false,
        })
}
