//! The member-to-member service on the peer URL: raft messages in, and the leader's answers
//! about leases for followers that forward keep-alives.

use std::sync::Arc;

use proto::raftstore::peer::raft_peer_server::RaftPeer;
use proto::raftstore::peer::{
    LeaseRenewRequest, LeaseRenewResponse, LeaseTtlRequest, LeaseTtlResponse, RaftEnvelope, SendAck,
};
use protobuf::Message as PbMessage;
use tonic::{Request, Response, Status, Streaming};

use crate::member::Member;
use crate::node::NodeMsg;

pub struct PeerService {
    pub member: Arc<Member>,
}

#[tonic::async_trait]
impl RaftPeer for PeerService {
    async fn send(
        &self,
        req: Request<Streaming<RaftEnvelope>>,
    ) -> Result<Response<SendAck>, Status> {
        let mut stream = req.into_inner();
        let mailbox = self.member.mailbox();
        while let Some(env) = stream.message().await? {
            let msg = raft::prelude::Message::parse_from_bytes(&env.message)
                .map_err(|e| Status::invalid_argument(format!("raft message: {e}")))?;
            if mailbox.send(NodeMsg::Raft(Box::new(msg))).is_err() {
                return Err(Status::unavailable("etcdserver: server stopped"));
            }
        }
        Ok(Response::new(SendAck {}))
    }

    async fn lease_renew(
        &self,
        req: Request<LeaseRenewRequest>,
    ) -> Result<Response<LeaseRenewResponse>, Status> {
        if !self.member.is_leader() {
            return Ok(Response::new(LeaseRenewResponse { ttl: -1 }));
        }
        let ttl = self.member.sm.lessor.renew(req.get_ref().id).unwrap_or(0);
        Ok(Response::new(LeaseRenewResponse { ttl }))
    }

    async fn lease_time_to_live(
        &self,
        req: Request<LeaseTtlRequest>,
    ) -> Result<Response<LeaseTtlResponse>, Status> {
        if !self.member.is_leader() {
            return Ok(Response::new(LeaseTtlResponse {
                not_leader: true,
                ..Default::default()
            }));
        }
        Ok(Response::new(
            match self.member.sm.lessor.time_to_live(req.get_ref().id) {
                Some(t) => LeaseTtlResponse {
                    ttl: t.remaining,
                    granted_ttl: t.granted,
                    found: true,
                    not_leader: false,
                },
                None => LeaseTtlResponse::default(),
            },
        ))
    }
}
