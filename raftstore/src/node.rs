//! The raft loop: one thread per member that owns raft-rs's `RawNode`.
//!
//! Each turn it takes every message waiting in its mailbox (proposals, peers' raft messages,
//! read-index requests), ticks the clock, then handles one `Ready`: send the leader's
//! messages, apply committed entries, append new entries and the hard state with one fsync,
//! then send the messages that had to wait for that fsync. Proposals that arrive while the
//! disk syncs are batched into the next turn, so many clients share one fsync.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use raft::prelude::{Message, Snapshot};
use raft::{RawNode, ReadState, SnapshotStatus, StateRole};
use rocksdb::WriteBatch;
use tokio::sync::oneshot;

use crate::apply::StateMachine;
use crate::error::{Error, Result};
use crate::raft_log::RaftLogStore;
use crate::transport::Transport;

/// The raft loop's mailbox.
pub enum NodeMsg {
    /// A serialized `InternalRequest` whose client waits under `id`.
    Propose {
        id: u64,
        data: Vec<u8>,
    },
    Raft(Box<Message>),
    /// Answered once this member has applied everything committed when the read was asked.
    ReadIndex(ReadWaiter),
    Unreachable(u64),
    SnapshotStatus(u64, bool),
    TransferLeader(u64),
    Shutdown,
}

type ReadWaiter = oneshot::Sender<Result<()>>;

/// What the rest of the member may read of raft's state without asking the loop.
#[derive(Debug, Default)]
pub struct RaftStatus {
    pub leader: AtomicU64,
    pub term: AtomicU64,
    pub commit: AtomicU64,
    pub last_index: AtomicU64,
    pub is_leader: AtomicBool,
    pub leader_changes: AtomicU64,
    pub proposals_committed: AtomicU64,
    pub proposals_failed: AtomicU64,
    pub snapshots_installed: AtomicU64,
}

pub struct NodeConfig {
    pub tick: Duration,
    pub election_ticks: usize,
    /// Keep at least this many entries behind the applied index for slow followers.
    pub catch_up_entries: u64,
    /// Compact the log once it holds this many applied entries beyond `catch_up_entries`.
    pub snapshot_count: u64,
    pub fsync: bool,
}

pub struct Node {
    raw: RawNode<RaftLogStore>,
    mailbox: Receiver<NodeMsg>,
    transport: Arc<dyn Transport>,
    sm: Arc<StateMachine>,
    status: Arc<RaftStatus>,
    cfg: NodeConfig,
    pending_reads: Vec<ReadWaiter>,
    inflight_reads: HashMap<Vec<u8>, (Instant, Vec<ReadWaiter>)>,
    /// Reads whose index is known, waiting for the apply step to reach it.
    ready_reads: Vec<(u64, Vec<ReadWaiter>)>,
    next_read_ctx: u64,
    leader: u64,
}

impl Node {
    pub fn new(
        raw: RawNode<RaftLogStore>,
        mailbox: Receiver<NodeMsg>,
        transport: Arc<dyn Transport>,
        sm: Arc<StateMachine>,
        status: Arc<RaftStatus>,
        cfg: NodeConfig,
    ) -> Node {
        Node {
            raw,
            mailbox,
            transport,
            sm,
            status,
            cfg,
            pending_reads: Vec::new(),
            inflight_reads: HashMap::new(),
            ready_reads: Vec::new(),
            next_read_ctx: 0,
            leader: 0,
        }
    }

    /// Run until told to shut down or every sender is gone.
    pub fn run(mut self) {
        let mut last_tick = Instant::now();
        loop {
            let wait = self.cfg.tick.saturating_sub(last_tick.elapsed());
            match self.mailbox.recv_timeout(wait) {
                Ok(msg) => {
                    if !self.handle(msg) {
                        break;
                    }
                    let mut n = 0;
                    while let Ok(msg) = self.mailbox.try_recv() {
                        if !self.handle(msg) {
                            self.fail_reads(Error::Stopped);
                            return;
                        }
                        n += 1;
                        if n >= 4096 {
                            break;
                        }
                    }
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => break,
            }
            if last_tick.elapsed() >= self.cfg.tick {
                self.raw.tick();
                last_tick = Instant::now();
                self.expire_reads();
            }
            self.start_reads();
            if let Err(err) = self.on_ready() {
                // The disk failed under us: nothing more can be acknowledged safely.
                tracing::error!(%err, "raft loop stops: storage failed");
                std::process::abort();
            }
        }
        self.fail_reads(Error::Stopped);
    }

    fn handle(&mut self, msg: NodeMsg) -> bool {
        match msg {
            NodeMsg::Propose { id, data } => {
                if self.raw.propose(vec![], data).is_err() {
                    self.status.proposals_failed.fetch_add(1, Ordering::Relaxed);
                    self.sm.waiters.resolve(id, Err(Error::NoLeader));
                }
            }
            NodeMsg::Raft(m) => {
                let _ = self.raw.step(*m);
            }
            NodeMsg::ReadIndex(tx) => self.pending_reads.push(tx),
            NodeMsg::Unreachable(id) => self.raw.report_unreachable(id),
            NodeMsg::SnapshotStatus(id, ok) => self.raw.report_snapshot(
                id,
                if ok {
                    SnapshotStatus::Finish
                } else {
                    SnapshotStatus::Failure
                },
            ),
            NodeMsg::TransferLeader(to) => self.raw.transfer_leader(to),
            NodeMsg::Shutdown => return false,
        }
        true
    }

    fn start_reads(&mut self) {
        if self.pending_reads.is_empty() {
            return;
        }
        if self.raw.raft.leader_id == raft::INVALID_ID {
            for tx in self.pending_reads.drain(..) {
                let _ = tx.send(Err(Error::NoLeader));
            }
            return;
        }
        // The leader keys pending reads by context and drops a duplicate, so the context must
        // be unique across members: this member's id, then its own counter.
        self.next_read_ctx += 1;
        let mut ctx = Vec::with_capacity(16);
        ctx.extend_from_slice(&self.raw.raft.id.to_be_bytes());
        ctx.extend_from_slice(&self.next_read_ctx.to_be_bytes());
        self.raw.read_index(ctx.clone());
        let batch = std::mem::take(&mut self.pending_reads);
        self.inflight_reads.insert(ctx, (Instant::now(), batch));
    }

    /// Reads lost with a leader change would wait forever: fail them after a while.
    fn expire_reads(&mut self) {
        let limit = self.cfg.tick * self.cfg.election_ticks as u32 * 3;
        self.inflight_reads.retain(|_, (at, txs)| {
            if at.elapsed() < limit {
                return true;
            }
            for tx in txs.drain(..) {
                let _ = tx.send(Err(Error::Timeout));
            }
            false
        });
    }

    fn fail_reads(&mut self, err: Error) {
        let all = self
            .pending_reads
            .drain(..)
            .chain(self.inflight_reads.drain().flat_map(|(_, (_, v))| v))
            .chain(self.ready_reads.drain(..).flat_map(|(_, v)| v));
        for tx in all {
            let _ = tx.send(Err(err.clone()));
        }
    }

    fn on_read_states(&mut self, states: Vec<ReadState>) {
        for rs in states {
            if let Some((_, txs)) = self.inflight_reads.remove(&rs.request_ctx) {
                self.ready_reads.push((rs.index, txs));
            }
        }
    }

    fn answer_reads(&mut self) {
        let applied = self.sm.applied_index();
        self.ready_reads.retain_mut(|(index, txs)| {
            if *index > applied {
                return true;
            }
            for tx in txs.drain(..) {
                let _ = tx.send(Ok(()));
            }
            false
        });
    }

    fn on_ready(&mut self) -> Result<()> {
        if !self.raw.has_ready() {
            self.answer_reads();
            return Ok(());
        }
        let mut ready = self.raw.ready();
        if let Some(ss) = ready.ss() {
            self.on_soft_state(ss.leader_id, ss.raft_state);
        }
        if !ready.messages().is_empty() {
            self.transport.send(ready.take_messages());
        }
        if !ready.snapshot().is_empty() {
            self.install_snapshot(ready.snapshot().clone())?;
        }
        let term = self.raw.raft.term;
        self.apply(ready.take_committed_entries(), term)?;

        let mut batch = WriteBatch::default();
        let store = self.raw.mut_store();
        if !ready.entries().is_empty() {
            store.append(ready.entries(), &mut batch)?;
        }
        if let Some(hs) = ready.hs() {
            store.set_hard_state(hs.clone(), &mut batch)?;
        }
        if !batch.is_empty() {
            store.write(batch, self.cfg.fsync)?;
        }
        if !ready.persisted_messages().is_empty() {
            self.transport.send(ready.take_persisted_messages());
        }
        self.on_read_states(ready.take_read_states());

        let mut light = self.raw.advance(ready);
        if let Some(commit) = light.commit_index() {
            let mut batch = WriteBatch::default();
            let store = self.raw.mut_store();
            store.set_commit(commit, &mut batch)?;
            store.write(batch, false)?;
        }
        self.transport.send(light.take_messages());
        let term = self.raw.raft.term;
        self.apply(light.take_committed_entries(), term)?;
        self.raw.advance_apply();
        self.answer_reads();
        self.maybe_compact_log()?;
        self.publish_status();
        Ok(())
    }

    fn apply(&mut self, entries: Vec<raft::prelude::Entry>, term: u64) -> Result<()> {
        if entries.is_empty() {
            return Ok(());
        }
        self.status
            .proposals_committed
            .fetch_add(entries.len() as u64, Ordering::Relaxed);
        self.sm.apply(&entries, term)
    }

    fn install_snapshot(&mut self, snap: Snapshot) -> Result<()> {
        let meta = snap.get_metadata().clone();
        tracing::info!(
            index = meta.index,
            term = meta.term,
            "installing snapshot from the leader"
        );
        self.sm.restore(&snap.data, meta.index)?;
        let mut batch = WriteBatch::default();
        let store = self.raw.mut_store();
        store.apply_snapshot(&meta, &mut batch)?;
        store.write(batch, self.cfg.fsync)?;
        self.status
            .snapshots_installed
            .fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    fn maybe_compact_log(&mut self) -> Result<()> {
        let applied = self.sm.applied_index();
        let first = self.raw.store().first_index_now();
        if applied < first + self.cfg.snapshot_count + self.cfg.catch_up_entries {
            return Ok(());
        }
        let to = applied - self.cfg.catch_up_entries;
        let mut batch = WriteBatch::default();
        let store = self.raw.mut_store();
        store.compact(to, &mut batch)?;
        store.write(batch, false)?;
        tracing::debug!(first = to, "compacted raft log");
        Ok(())
    }

    fn on_soft_state(&mut self, leader: u64, role: StateRole) {
        let was_leader = self.status.is_leader.load(Ordering::Relaxed);
        let is_leader = role == StateRole::Leader;
        if leader != self.leader {
            if self.leader != 0 || leader != 0 {
                self.status.leader_changes.fetch_add(1, Ordering::Relaxed);
            }
            tracing::info!(
                from = self.leader,
                to = leader,
                term = self.raw.raft.term,
                "leader changed"
            );
            self.leader = leader;
            // A read whose ReadIndex went to the old leader may never come back.
            for (_, (_, txs)) in self.inflight_reads.drain() {
                for tx in txs {
                    let _ = tx.send(Err(Error::LeaderChanged));
                }
            }
        }
        if is_leader && !was_leader {
            let election = self.cfg.tick * self.cfg.election_ticks as u32;
            self.sm.lessor.promote(election);
        } else if !is_leader && was_leader {
            self.sm.lessor.demote();
        }
        self.status.is_leader.store(is_leader, Ordering::Relaxed);
        self.status.leader.store(leader, Ordering::Relaxed);
    }

    fn publish_status(&self) {
        self.status
            .term
            .store(self.raw.raft.term, Ordering::Relaxed);
        self.status
            .commit
            .store(self.raw.raft.raft_log.committed, Ordering::Relaxed);
        self.status
            .last_index
            .store(self.raw.raft.raft_log.last_index(), Ordering::Relaxed);
    }
}

impl RaftLogStore {
    pub fn first_index_now(&self) -> u64 {
        raft::Storage::first_index(self).unwrap_or(1)
    }
}
