//! etcd's v3 gRPC services over a [`Member`]: argument handling and wire shapes only; the
//! request paths live in the member.

mod peer;
mod watch;

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::Stream;
use proto::etcdserverpb as pb;
use proto::raftstore::peer::raft_peer_client::RaftPeerClient;
use proto::raftstore::peer::{LeaseRenewRequest, LeaseTtlRequest};
use sha2::{Digest, Sha256};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::transport::Channel;
use tonic::{Request, Response, Status, Streaming};

use crate::error::Error;
use crate::member::{ETCD_VERSION, Member};
use crate::metrics::Metrics;

pub use peer::PeerService;
pub use watch::WatchService;

type Reply<T> = Result<Response<T>, Status>;
type BoxStream<T> = Pin<Box<dyn Stream<Item = Result<T, Status>> + Send + 'static>>;

/// Time a unary request into the request metrics.
async fn timed<T>(
    metrics: &Metrics,
    method: &'static str,
    f: impl Future<Output = crate::Result<T>>,
) -> Reply<T> {
    let start = Instant::now();
    let r = f.await;
    metrics.observe(method, start.elapsed(), r.is_ok());
    r.map(Response::new).map_err(Status::from)
}

#[derive(Clone)]
pub struct KvService {
    pub member: Arc<Member>,
    pub metrics: Arc<Metrics>,
}

#[tonic::async_trait]
impl pb::kv_server::Kv for KvService {
    async fn range(&self, req: Request<pb::RangeRequest>) -> Reply<pb::RangeResponse> {
        timed(&self.metrics, "Range", self.member.range(req.into_inner())).await
    }
    async fn put(&self, req: Request<pb::PutRequest>) -> Reply<pb::PutResponse> {
        timed(&self.metrics, "Put", self.member.put(req.into_inner())).await
    }
    async fn delete_range(
        &self,
        req: Request<pb::DeleteRangeRequest>,
    ) -> Reply<pb::DeleteRangeResponse> {
        timed(
            &self.metrics,
            "DeleteRange",
            self.member.delete_range(req.into_inner()),
        )
        .await
    }
    async fn txn(&self, req: Request<pb::TxnRequest>) -> Reply<pb::TxnResponse> {
        timed(&self.metrics, "Txn", self.member.txn(req.into_inner())).await
    }
    async fn compact(&self, req: Request<pb::CompactionRequest>) -> Reply<pb::CompactionResponse> {
        timed(
            &self.metrics,
            "Compact",
            self.member.compact(req.into_inner()),
        )
        .await
    }
}

/// Leases: grants and revocations go through the log; keep-alives and remaining TTLs are the
/// leader's business, so a follower forwards them to the leader over the peer connection.
#[derive(Clone)]
pub struct LeaseService {
    pub member: Arc<Member>,
    pub metrics: Arc<Metrics>,
    peers: Arc<Mutex<HashMap<u64, RaftPeerClient<Channel>>>>,
}

impl LeaseService {
    pub fn new(member: Arc<Member>, metrics: Arc<Metrics>) -> LeaseService {
        LeaseService {
            member,
            metrics,
            peers: Arc::default(),
        }
    }

    fn leader_client(&self) -> Result<RaftPeerClient<Channel>, Error> {
        let leader = self.member.leader();
        if leader == 0 {
            return Err(Error::NoLeader);
        }
        let mut peers = self.peers.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(c) = peers.get(&leader) {
            return Ok(c.clone());
        }
        let url = self.member.peer_urls.get(&leader).ok_or(Error::NoLeader)?;
        let channel = tonic::transport::Endpoint::from_shared(url.clone())
            .map_err(|e| Error::Internal(e.to_string()))?
            .connect_timeout(Duration::from_secs(1))
            .connect_lazy();
        let client = RaftPeerClient::new(channel);
        peers.insert(leader, client.clone());
        Ok(client)
    }

    /// Restart a lease's TTL on the leader. `Ok(0)`: no such lease.
    async fn renew(&self, id: i64) -> Result<i64, Error> {
        for _ in 0..20 {
            if self.member.is_leader() {
                return Ok(self.member.sm.lessor.renew(id).unwrap_or(0));
            }
            let mut client = self.leader_client()?;
            match client.lease_renew(LeaseRenewRequest { id }).await {
                Ok(r) if r.get_ref().ttl >= 0 => return Ok(r.into_inner().ttl),
                // The leader moved on; ask the new one.
                _ => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
        Err(Error::NoLeader)
    }

    async fn time_to_live(
        &self,
        req: pb::LeaseTimeToLiveRequest,
    ) -> Result<pb::LeaseTimeToLiveResponse, Error> {
        let sm = &self.member.sm;
        let Some(local) = sm.lessor.time_to_live(req.id) else {
            return Ok(pb::LeaseTimeToLiveResponse {
                header: self.member.header(),
                id: req.id,
                ttl: -1,
                ..Default::default()
            });
        };
        let remaining = if self.member.is_leader() {
            local.remaining
        } else {
            let mut client = self.leader_client()?;
            match client
                .lease_time_to_live(LeaseTtlRequest { id: req.id })
                .await
            {
                Ok(r) if r.get_ref().found => r.get_ref().ttl,
                Ok(r) if !r.get_ref().not_leader => -1,
                _ => return Err(Error::NoLeader),
            }
        };
        Ok(pb::LeaseTimeToLiveResponse {
            header: self.member.header(),
            id: req.id,
            ttl: remaining,
            granted_ttl: local.granted,
            keys: if req.keys { local.keys } else { Vec::new() },
        })
    }
}

#[tonic::async_trait]
impl pb::lease_server::Lease for LeaseService {
    async fn lease_grant(
        &self,
        req: Request<pb::LeaseGrantRequest>,
    ) -> Reply<pb::LeaseGrantResponse> {
        timed(
            &self.metrics,
            "LeaseGrant",
            self.member.lease_grant(req.into_inner()),
        )
        .await
    }

    async fn lease_revoke(
        &self,
        req: Request<pb::LeaseRevokeRequest>,
    ) -> Reply<pb::LeaseRevokeResponse> {
        timed(
            &self.metrics,
            "LeaseRevoke",
            self.member.lease_revoke(req.into_inner()),
        )
        .await
    }

    type LeaseKeepAliveStream = BoxStream<pb::LeaseKeepAliveResponse>;

    async fn lease_keep_alive(
        &self,
        req: Request<Streaming<pb::LeaseKeepAliveRequest>>,
    ) -> Reply<Self::LeaseKeepAliveStream> {
        let mut input = req.into_inner();
        let (tx, rx) = mpsc::channel(16);
        let this = self.clone();
        tokio::spawn(async move {
            while let Ok(Some(ka)) = input.message().await {
                let reply = match this.renew(ka.id).await {
                    Ok(ttl) => Ok(pb::LeaseKeepAliveResponse {
                        header: this.member.header(),
                        id: ka.id,
                        ttl,
                    }),
                    Err(e) => Err(Status::from(e)),
                };
                let failed = reply.is_err();
                if tx.send(reply).await.is_err() || failed {
                    break;
                }
            }
        });
        Ok(Response::new(Box::pin(ReceiverStream::new(rx))))
    }

    async fn lease_time_to_live(
        &self,
        req: Request<pb::LeaseTimeToLiveRequest>,
    ) -> Reply<pb::LeaseTimeToLiveResponse> {
        timed(
            &self.metrics,
            "LeaseTimeToLive",
            self.time_to_live(req.into_inner()),
        )
        .await
    }

    async fn lease_leases(
        &self,
        _req: Request<pb::LeaseLeasesRequest>,
    ) -> Reply<pb::LeaseLeasesResponse> {
        let leases = self
            .member
            .sm
            .lessor
            .ids()
            .into_iter()
            .map(|id| pb::LeaseStatus { id })
            .collect();
        Ok(Response::new(pb::LeaseLeasesResponse {
            header: self.member.header(),
            leases,
        }))
    }
}

#[derive(Clone)]
pub struct ClusterService {
    pub member: Arc<Member>,
}

fn static_membership() -> Status {
    Status::unimplemented("raftstore: membership is static (set by --initial-cluster)")
}

#[tonic::async_trait]
impl pb::cluster_server::Cluster for ClusterService {
    async fn member_add(
        &self,
        _req: Request<pb::MemberAddRequest>,
    ) -> Reply<pb::MemberAddResponse> {
        Err(static_membership())
    }
    async fn member_remove(
        &self,
        _req: Request<pb::MemberRemoveRequest>,
    ) -> Reply<pb::MemberRemoveResponse> {
        Err(static_membership())
    }
    async fn member_update(
        &self,
        _req: Request<pb::MemberUpdateRequest>,
    ) -> Reply<pb::MemberUpdateResponse> {
        Err(static_membership())
    }
    async fn member_promote(
        &self,
        _req: Request<pb::MemberPromoteRequest>,
    ) -> Reply<pb::MemberPromoteResponse> {
        Err(static_membership())
    }
    async fn member_list(
        &self,
        req: Request<pb::MemberListRequest>,
    ) -> Reply<pb::MemberListResponse> {
        if req.get_ref().linearizable {
            self.member.read_barrier().await.map_err(Status::from)?;
        }
        let members = self
            .member
            .sm
            .members
            .list()
            .into_iter()
            .map(|m| pb::Member {
                id: m.id,
                name: m.name,
                peer_ur_ls: m.peer_urls,
                client_ur_ls: m.client_urls,
                is_learner: false,
            })
            .collect();
        Ok(Response::new(pb::MemberListResponse {
            header: self.member.header(),
            members,
        }))
    }
}

#[derive(Clone)]
pub struct MaintenanceService {
    pub member: Arc<Member>,
    pub db: Arc<rocksdb::DB>,
}

/// Magic bytes opening a snapshot file written from the `Snapshot` stream.
pub const SNAPSHOT_MAGIC: &[u8; 8] = b"RSSNAP01";

/// A snapshot file body: magic, big-endian length, the `SnapshotData`, then zeros up to a
/// multiple of 512 bytes (etcd's tools expect whole 512-byte pages before the SHA-256).
pub fn frame_snapshot(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + 528);
    out.extend_from_slice(SNAPSHOT_MAGIC);
    out.extend_from_slice(&(data.len() as u64).to_be_bytes());
    out.extend_from_slice(data);
    out.resize(out.len().div_ceil(512) * 512, 0);
    out
}

/// Bytes per message of a snapshot stream.
const SNAPSHOT_CHUNK: usize = 32 * 1024;

#[tonic::async_trait]
impl pb::maintenance_server::Maintenance for MaintenanceService {
    async fn alarm(&self, _req: Request<pb::AlarmRequest>) -> Reply<pb::AlarmResponse> {
        // No alarms are raised (there is no space quota yet).
        Ok(Response::new(pb::AlarmResponse {
            header: self.member.header(),
            alarms: vec![],
        }))
    }

    async fn status(&self, _req: Request<pb::StatusRequest>) -> Reply<pb::StatusResponse> {
        let m = &self.member;
        let size = crate::engine::size_on_disk(&self.db);
        let mut errors = Vec::new();
        if m.leader() == 0 {
            errors.push("etcdserver: no leader".to_string());
        }
        Ok(Response::new(pb::StatusResponse {
            header: m.header(),
            version: ETCD_VERSION.into(),
            db_size: size,
            leader: m.leader(),
            raft_index: m.status.commit.load(std::sync::atomic::Ordering::Relaxed),
            raft_term: m.term(),
            raft_applied_index: m.sm.applied_index(),
            errors,
            db_size_in_use: size,
            is_learner: false,
            ..Default::default()
        }))
    }

    async fn defragment(
        &self,
        _req: Request<pb::DefragmentRequest>,
    ) -> Reply<pb::DefragmentResponse> {
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || {
            for name in [
                crate::engine::CF_KV,
                crate::engine::CF_RAFT,
                crate::engine::CF_LEASE,
            ] {
                db.compact_range_cf(crate::engine::cf(&db, name), None::<&[u8]>, None::<&[u8]>);
            }
        })
        .await
        .map_err(|e| Status::internal(e.to_string()))?;
        Ok(Response::new(pb::DefragmentResponse {
            header: self.member.header(),
        }))
    }

    async fn hash(&self, _req: Request<pb::HashRequest>) -> Reply<pb::HashResponse> {
        Err(Status::unimplemented("raftstore: Hash is not supported"))
    }

    async fn hash_kv(&self, _req: Request<pb::HashKvRequest>) -> Reply<pb::HashKvResponse> {
        Err(Status::unimplemented("raftstore: HashKV is not supported"))
    }

    type SnapshotStream = BoxStream<pb::SnapshotResponse>;

    /// The member's whole state as one blob, followed (like etcd) by its SHA-256.
    async fn snapshot(&self, _req: Request<pb::SnapshotRequest>) -> Reply<Self::SnapshotStream> {
        use crate::raft_log::SnapshotSource;
        let source = crate::apply::Snapshotter {
            db: self.db.clone(),
        };
        let (_, data) = tokio::task::spawn_blocking(move || source.snapshot_data())
            .await
            .map_err(|e| Status::internal(e.to_string()))?
            .map_err(Status::from)?;
        let mut data = frame_snapshot(&data);
        let digest = Sha256::digest(&data);
        data.extend_from_slice(&digest);
        let header = self.member.header();
        let (tx, rx) = mpsc::channel(4);
        tokio::spawn(async move {
            let total = data.len();
            let mut sent = 0;
            for chunk in data.chunks(SNAPSHOT_CHUNK) {
                sent += chunk.len();
                let msg = pb::SnapshotResponse {
                    header,
                    remaining_bytes: (total - sent) as u64,
                    blob: chunk.to_vec(),
                    version: ETCD_VERSION.into(),
                };
                if tx.send(Ok(msg)).await.is_err() {
                    return;
                }
            }
        });
        Ok(Response::new(Box::pin(ReceiverStream::new(rx))))
    }

    async fn move_leader(
        &self,
        req: Request<pb::MoveLeaderRequest>,
    ) -> Reply<pb::MoveLeaderResponse> {
        let target = req.get_ref().target_id;
        let m = &self.member;
        if !m.is_leader() {
            return Err(Status::failed_precondition("etcdserver: not leader"));
        }
        if !m.peer_urls.contains_key(&target) {
            return Err(Status::not_found("etcdserver: bad leader transferee"));
        }
        m.mailbox()
            .send(crate::node::NodeMsg::TransferLeader(target))
            .map_err(|_| Status::from(Error::Stopped))?;
        let deadline = Instant::now() + m.cfg.election_timeout * 2;
        while m.leader() != target {
            if Instant::now() > deadline {
                return Err(Status::from(Error::Timeout));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Ok(Response::new(pb::MoveLeaderResponse { header: m.header() }))
    }

    async fn downgrade(&self, _req: Request<pb::DowngradeRequest>) -> Reply<pb::DowngradeResponse> {
        Err(Status::unimplemented(
            "raftstore: downgrade is not supported",
        ))
    }
}
