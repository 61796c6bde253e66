//! Generated protobuf and gRPC code, nothing else.
//!
//! - [`etcdserverpb`], [`mvccpb`], [`authpb`]: the etcd v3 API, wire-compatible with etcd
//!   (same packages, services, messages and field numbers), so etcd's own clients and tools
//!   talk to raftstore, and the kube-apiserver talks to either.
//! - [`raftstore`]: the member-to-member protocol (raft messages, lease forwarding) and the
//!   entries members agree on.
//!
//! Hand-written logic does not live here.
#![allow(clippy::all, clippy::pedantic)]

pub mod mvccpb {
    tonic::include_proto!("mvccpb");
}
pub mod authpb {
    tonic::include_proto!("authpb");
}
pub mod etcdserverpb {
    tonic::include_proto!("etcdserverpb");
}
pub mod raftstore {
    pub mod peer {
        tonic::include_proto!("raftstore.peer");
    }
    pub mod internal {
        tonic::include_proto!("raftstore.internal");
    }
}
