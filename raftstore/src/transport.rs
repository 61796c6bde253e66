//! How raft messages travel between members.
//!
//! [`GrpcTransport`] is the real one: one long-lived client stream per peer over the peer
//! URL, reconnecting with back-off, reporting an unreachable peer to raft. [`SimNetwork`] is
//! the in-memory transport for tests (named as a fake, as tikv's `test_raftstore` does): it
//! delivers messages straight into members' mailboxes and can drop, delay and partition them.

use std::collections::{HashMap, HashSet};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use proto::raftstore::peer::RaftEnvelope;
use proto::raftstore::peer::raft_peer_client::RaftPeerClient;
use protobuf::Message as PbMessage;
use raft::prelude::{Message, MessageType};
use tokio::sync::mpsc;

use crate::node::NodeMsg;

/// Sends raft messages to peers; never blocks the raft loop.
pub trait Transport: Send + Sync + 'static {
    fn send(&self, msgs: Vec<Message>);
}

/// Largest message on the peer connection: snapshots travel as one message.
pub const MAX_PEER_MESSAGE: usize = 1 << 30;

pub struct GrpcTransport {
    peers: HashMap<u64, mpsc::UnboundedSender<Message>>,
}

impl GrpcTransport {
    /// `peers`: member id → peer URL (without this member). `node` receives reports of
    /// unreachable peers and snapshot outcomes.
    pub fn start(
        peers: HashMap<u64, String>,
        node: Sender<NodeMsg>,
        rt: &tokio::runtime::Handle,
    ) -> GrpcTransport {
        let mut senders = HashMap::new();
        for (id, url) in peers {
            let (tx, rx) = mpsc::unbounded_channel();
            rt.spawn(peer_stream(id, url, rx, node.clone()));
            senders.insert(id, tx);
        }
        GrpcTransport { peers: senders }
    }
}

impl Transport for GrpcTransport {
    fn send(&self, msgs: Vec<Message>) {
        for m in msgs {
            if let Some(tx) = self.peers.get(&m.to) {
                let _ = tx.send(m);
            }
        }
    }
}

async fn peer_stream(
    id: u64,
    url: String,
    mut rx: mpsc::UnboundedReceiver<Message>,
    node: Sender<NodeMsg>,
) {
    let mut backoff = Duration::from_millis(50);
    loop {
        let endpoint = match tonic::transport::Endpoint::from_shared(url.clone()) {
            Ok(e) => e.connect_timeout(Duration::from_secs(1)).tcp_nodelay(true),
            Err(err) => {
                tracing::error!(peer = id, %url, %err, "bad peer URL");
                return;
            }
        };
        let channel = match endpoint.connect().await {
            Ok(c) => c,
            Err(_) => {
                // Drop what queued up while the peer is away; raft resends.
                let mut dropped_snapshot = false;
                while let Ok(m) = rx.try_recv() {
                    dropped_snapshot |= m.get_msg_type() == MessageType::MsgSnapshot;
                }
                if dropped_snapshot {
                    let _ = node.send(NodeMsg::SnapshotStatus(id, false));
                }
                let _ = node.send(NodeMsg::Unreachable(id));
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(1));
                if rx.is_closed() {
                    return;
                }
                continue;
            }
        };
        backoff = Duration::from_millis(50);
        let mut client = RaftPeerClient::new(channel)
            .max_encoding_message_size(MAX_PEER_MESSAGE)
            .max_decoding_message_size(MAX_PEER_MESSAGE);
        let (stx, srx) = mpsc::channel::<RaftEnvelope>(1024);
        let call = tokio::spawn(async move {
            client
                .send(tokio_stream::wrappers::ReceiverStream::new(srx))
                .await
        });
        loop {
            let Some(m) = rx.recv().await else { return };
            let snapshot = m.get_msg_type() == MessageType::MsgSnapshot;
            let bytes = match m.write_to_bytes() {
                Ok(b) => b,
                Err(err) => {
                    tracing::error!(%err, "cannot encode raft message");
                    continue;
                }
            };
            if stx.send(RaftEnvelope { message: bytes }).await.is_err() {
                if snapshot {
                    let _ = node.send(NodeMsg::SnapshotStatus(id, false));
                }
                let _ = node.send(NodeMsg::Unreachable(id));
                break;
            }
            if snapshot {
                let _ = node.send(NodeMsg::SnapshotStatus(id, true));
            }
        }
        call.abort();
    }
}

/// In-memory network for tests: members' mailboxes, with faults injected on the way.
#[derive(Clone, Default)]
pub struct SimNetwork {
    inner: Arc<Mutex<SimInner>>,
}

#[derive(Default)]
struct SimInner {
    mailboxes: HashMap<u64, Sender<NodeMsg>>,
    /// Directed links that drop everything.
    cut: HashSet<(u64, u64)>,
    delay: Option<Duration>,
}

impl SimNetwork {
    pub fn register(&self, id: u64, mailbox: Sender<NodeMsg>) {
        self.lock().mailboxes.insert(id, mailbox);
    }

    pub fn unregister(&self, id: u64) {
        self.lock().mailboxes.remove(&id);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, SimInner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Cut every link between the two groups, both ways.
    pub fn partition(&self, a: &[u64], b: &[u64]) {
        let mut inner = self.lock();
        for &x in a {
            for &y in b {
                inner.cut.insert((x, y));
                inner.cut.insert((y, x));
            }
        }
    }

    /// Cut `id` off from everyone.
    pub fn isolate(&self, id: u64, all: &[u64]) {
        let others: Vec<u64> = all.iter().copied().filter(|&x| x != id).collect();
        self.partition(&[id], &others);
    }

    pub fn heal(&self) {
        self.lock().cut.clear();
    }

    pub fn set_delay(&self, delay: Option<Duration>) {
        self.lock().delay = delay;
    }

    /// The transport a member with id `from` sends through.
    pub fn transport(&self, from: u64) -> SimTransport {
        SimTransport {
            net: self.clone(),
            from,
        }
    }
}

pub struct SimTransport {
    net: SimNetwork,
    from: u64,
}

impl Transport for SimTransport {
    fn send(&self, msgs: Vec<Message>) {
        let inner = self.net.lock();
        for m in msgs {
            if inner.cut.contains(&(self.from, m.to)) {
                continue;
            }
            let Some(mb) = inner.mailboxes.get(&m.to).cloned() else {
                continue;
            };
            match inner.delay {
                Some(d) => {
                    std::thread::spawn(move || {
                        std::thread::sleep(d);
                        let _ = mb.send(NodeMsg::Raft(Box::new(m)));
                    });
                }
                None => {
                    let _ = mb.send(NodeMsg::Raft(Box::new(m)));
                }
            }
        }
    }
}
