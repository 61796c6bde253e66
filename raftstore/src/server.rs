//! Running a member on the network: the client URLs serve etcd's gRPC API plus `/health`,
//! `/version` and `/metrics` over HTTP/1.1 on the same port (as etcd does); the peer URLs serve
//! the member-to-member protocol. This is also the embedding entry point: [`start`] runs a
//! member inside the caller's tokio runtime.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::{Context, bail};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use proto::etcdserverpb as pb;
use proto::raftstore::peer::raft_peer_server::RaftPeerServer;
use tokio::net::{TcpListener, UnixListener};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_stream::wrappers::UnixListenerStream;
use tonic::service::Routes;
use tonic::transport::server::TcpIncoming;

use crate::api::{
    ClusterService, KvService, LeaseService, MaintenanceService, PeerService, WatchService,
};
use crate::config::Config;
use crate::member::{ETCD_VERSION, Member};
use crate::metrics::Metrics;
use crate::transport::{GrpcTransport, MAX_PEER_MESSAGE};

/// Extra room over `--max-request-bytes` for gRPC framing, as etcd allows.
const GRPC_OVERHEAD_BYTES: usize = 512 * 1024;

/// A member serving on its URLs. Drop it or call [`Server::shutdown`] to stop.
pub struct Server {
    pub member: Arc<Member>,
    /// Where the client URLs actually listen (useful with port 0).
    pub client_addrs: Vec<String>,
    pub peer_addrs: Vec<SocketAddr>,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

enum Listener {
    Tcp(TcpListener),
    Unix(UnixListener),
}

async fn bind(url: &str) -> anyhow::Result<Listener> {
    if let Some(path) = url.strip_prefix("unix://") {
        let _ = std::fs::remove_file(path);
        return Ok(Listener::Unix(
            UnixListener::bind(path).with_context(|| format!("listen on {url}"))?,
        ));
    }
    let hostport = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
        .with_context(|| format!("{url}: want http://host:port or unix://path"))?;
    let hostport = hostport.trim_end_matches('/');
    Ok(Listener::Tcp(
        TcpListener::bind(hostport)
            .await
            .with_context(|| format!("listen on {url}"))?,
    ))
}

impl Listener {
    fn describe(&self) -> String {
        match self {
            Listener::Tcp(l) => l
                .local_addr()
                .map(|a| format!("http://{a}"))
                .unwrap_or_default(),
            Listener::Unix(l) => l
                .local_addr()
                .ok()
                .and_then(|a| a.as_pathname().map(|p| format!("unix://{}", p.display())))
                .unwrap_or_default(),
        }
    }
}

fn serve(listener: Listener, routes: Routes, mut stop: watch::Receiver<bool>) -> JoinHandle<()> {
    let signal = async move {
        let _ = stop.wait_for(|s| *s).await;
    };
    let builder = || {
        tonic::transport::Server::builder()
            .accept_http1(true)
            .http2_keepalive_interval(Some(std::time::Duration::from_secs(30)))
            .add_routes(routes)
    };
    tokio::spawn(async move {
        let result = match listener {
            Listener::Tcp(l) => {
                // With our own listener, the builder's tcp_nodelay does not apply: without
                // TCP_NODELAY every response over ~150 bytes waits for a delayed ACK (~40 ms).
                let incoming = TcpIncoming::from(l).with_nodelay(Some(true));
                builder()
                    .serve_with_incoming_shutdown(incoming, signal)
                    .await
            }
            Listener::Unix(l) => {
                builder()
                    .serve_with_incoming_shutdown(UnixListenerStream::new(l), signal)
                    .await
            }
        };
        if let Err(err) = result {
            tracing::error!(%err, "server stopped");
        }
    })
}

#[derive(Clone)]
struct HttpState {
    member: Arc<Member>,
    metrics: Arc<Metrics>,
    db: Arc<rocksdb::DB>,
}

async fn health(State(s): State<HttpState>) -> impl IntoResponse {
    if s.member.leader() == 0 {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            r#"{"health":"false","reason":"RAFT NO LEADER"}"#,
        );
    }
    (StatusCode::OK, r#"{"health":"true","reason":""}"#)
}

async fn version() -> impl IntoResponse {
    format!(r#"{{"etcdserver":"{ETCD_VERSION}","etcdcluster":"{ETCD_VERSION}"}}"#)
}

async fn serve_metrics(State(s): State<HttpState>) -> impl IntoResponse {
    s.metrics.render(&s.member, &s.db)
}

/// Start a member: bind every URL, start raft and the background jobs.
pub async fn start(cfg: Config) -> anyhow::Result<Server> {
    if cfg.initial_cluster_state != "new" && cfg.initial_cluster_state != "existing" {
        bail!("--initial-cluster-state must be new or existing");
    }
    let mut client_listeners = Vec::new();
    for url in &cfg.listen_client_urls {
        client_listeners.push(bind(url).await?);
    }
    let mut peer_listeners = Vec::new();
    for url in &cfg.listen_peer_urls {
        peer_listeners.push(bind(url).await?);
    }
    let mut metrics_listeners = Vec::new();
    for url in &cfg.listen_metrics_urls {
        metrics_listeners.push(bind(url).await?);
    }
    let rt = tokio::runtime::Handle::current();
    let member_cfg = cfg.clone();
    let member = tokio::task::spawn_blocking(move || {
        Member::start(
            member_cfg,
            Box::new(move |_, mailbox, peers| Arc::new(GrpcTransport::start(peers, mailbox, &rt))),
        )
    })
    .await??;
    let db = member.sm.db();
    let metrics = Arc::new(Metrics::new());
    let http = axum::Router::new()
        .route("/health", get(health))
        .route("/version", get(version))
        .route("/metrics", get(serve_metrics))
        .with_state(HttpState {
            member: member.clone(),
            metrics: metrics.clone(),
            db: db.clone(),
        });

    let max_recv = cfg.max_request_bytes + GRPC_OVERHEAD_BYTES;
    let client_routes = Routes::from(http.clone())
        .add_service(
            pb::kv_server::KvServer::new(KvService {
                member: member.clone(),
                metrics: metrics.clone(),
            })
            .max_decoding_message_size(max_recv),
        )
        .add_service(
            pb::watch_server::WatchServer::new(WatchService {
                member: member.clone(),
            })
            .max_decoding_message_size(max_recv),
        )
        .add_service(pb::lease_server::LeaseServer::new(LeaseService::new(
            member.clone(),
            metrics.clone(),
        )))
        .add_service(pb::cluster_server::ClusterServer::new(ClusterService {
            member: member.clone(),
        }))
        .add_service(pb::maintenance_server::MaintenanceServer::new(
            MaintenanceService {
                member: member.clone(),
                db: db.clone(),
            },
        ));
    let peer_routes = Routes::new(
        RaftPeerServer::new(PeerService {
            member: member.clone(),
        })
        .max_decoding_message_size(MAX_PEER_MESSAGE)
        .max_encoding_message_size(MAX_PEER_MESSAGE),
    );

    let (stop, stop_rx) = watch::channel(false);
    let mut tasks = Vec::new();
    let client_addrs = client_listeners.iter().map(Listener::describe).collect();
    let peer_addrs = peer_listeners
        .iter()
        .filter_map(|l| match l {
            Listener::Tcp(t) => t.local_addr().ok(),
            Listener::Unix(_) => None,
        })
        .collect();
    for l in client_listeners {
        tasks.push(serve(l, client_routes.clone(), stop_rx.clone()));
    }
    for l in peer_listeners {
        tasks.push(serve(l, peer_routes.clone(), stop_rx.clone()));
    }
    for l in metrics_listeners {
        tasks.push(serve(l, Routes::from(http.clone()), stop_rx.clone()));
    }
    tasks.push(tokio::spawn(member.clone().publish_attributes()));
    tasks.push(tokio::spawn(member.clone().expire_leases()));
    tasks.push(tokio::spawn(member.clone().auto_compact()));
    tracing::info!(name = %member.name, id = format!("{:x}", member.id), cluster = format!("{:x}", member.cluster_id), "member started");
    Ok(Server {
        member,
        client_addrs,
        peer_addrs,
        stop,
        tasks,
    })
}

impl Server {
    /// Stop serving, hand leadership over if this member leads, and close the database.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let member = self.member.clone();
        let _ = tokio::task::spawn_blocking(move || member.stop()).await;
        for t in self.tasks {
            t.abort();
        }
    }
}
