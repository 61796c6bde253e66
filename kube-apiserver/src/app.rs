//! Starting a kube-apiserver: the store (remote etcd-API servers, or one embedded raftstore
//! member), certificates, the bootstrap namespaces, and the HTTPS listener.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use serde_json::json;

use crate::registry::{Registry, WriteOptions};
use crate::resources;
use crate::server::{ApiServer, serve_https};
use crate::storage::Store;

#[derive(Debug, Clone)]
pub struct Config {
    /// etcd-API endpoints; empty: embed one raftstore member under `data_dir`.
    pub etcd_servers: Vec<String>,
    pub data_dir: PathBuf,
    pub bind_address: String,
    pub secure_port: u16,
    /// Address clients use (certificate SAN, `/api`'s serverAddress, the admin kubeconfig).
    pub advertise_address: String,
    /// Where generated certificates and the admin kubeconfig go (default `<data-dir>/pki`).
    pub cert_dir: Option<PathBuf>,
    pub service_cluster_ip_range: String,
}

pub struct Running {
    pub server: Arc<ApiServer>,
    pub addr: std::net::SocketAddr,
    pub admin_kubeconfig: PathBuf,
    stop: tokio::sync::watch::Sender<bool>,
    embedded: Option<raftstore::Server>,
}

impl Running {
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        if let Some(store) = self.embedded {
            store.shutdown().await;
        }
    }
}

/// The namespaces every cluster has.
const SYSTEM_NAMESPACES: [&str; 4] = ["default", "kube-system", "kube-public", "kube-node-lease"];

pub async fn start(cfg: Config) -> anyhow::Result<Running> {
    std::fs::create_dir_all(&cfg.data_dir)
        .with_context(|| format!("create {}", cfg.data_dir.display()))?;
    let (store, embedded) = if cfg.etcd_servers.is_empty() {
        let dir = cfg.data_dir.join("raftstore");
        std::fs::create_dir_all(&dir)?;
        let client = format!("unix://{}", dir.join("client.sock").display());
        let peer = format!("unix://{}", dir.join("peer.sock").display());
        let rs_cfg = raftstore::Config {
            name: "embedded".into(),
            data_dir: dir.join("data"),
            listen_client_urls: vec![client.clone()],
            advertise_client_urls: vec![client.clone()],
            listen_peer_urls: vec![peer.clone()],
            initial_advertise_peer_urls: vec![peer.clone()],
            initial_cluster: format!("embedded={peer}"),
            auto_compaction: raftstore::config::AutoCompaction::Periodic(
                std::time::Duration::from_secs(300),
            ),
            progress_notify_interval: std::time::Duration::from_secs(5),
            ..raftstore::Config::default()
        };
        let server = raftstore::start(rs_cfg)
            .await
            .context("start the embedded store")?;
        (Store::connect(&[client]).await?, Some(server))
    } else {
        (Store::connect(&cfg.etcd_servers).await?, None)
    };
    let range = crate::registry::ServiceRange::parse(&cfg.service_cluster_ip_range)
        .map_err(anyhow::Error::msg)?;
    let mut registry = Registry::new(store, range);
    wait_for_store(&registry).await?;
    let store_version = registry.store.version().await.unwrap_or_default();
    registry.consistent_list_from_cache = crate::storage::progress_requests_trusted(&store_version);
    registry.spawn_crd_watch();
    tracing::info!(
        %store_version,
        consistent_list_from_cache = registry.consistent_list_from_cache,
        "store"
    );
    let cert_dir = cfg
        .cert_dir
        .clone()
        .unwrap_or_else(|| cfg.data_dir.join("pki"));
    let server_url = format!("https://{}:{}", cfg.advertise_address, cfg.secure_port);
    let mut sans = vec![
        "localhost".to_string(),
        "127.0.0.1".to_string(),
        "kubernetes".to_string(),
        "kubernetes.default".to_string(),
        "kubernetes.default.svc".to_string(),
        "kubernetes.default.svc.cluster.local".to_string(),
        cfg.advertise_address.clone(),
    ];
    if let Ok(h) = std::fs::read_to_string("/etc/hostname") {
        sans.push(h.trim().to_string());
    }
    sans.sort();
    sans.dedup();
    let pki = crate::tls::ensure_pki(&cert_dir, &sans, &server_url)?;
    let tls = crate::tls::server_config(&pki)?;
    let listener = tokio::net::TcpListener::bind((cfg.bind_address.as_str(), cfg.secure_port))
        .await
        .with_context(|| format!("listen on {}:{}", cfg.bind_address, cfg.secure_port))?;
    let addr = listener.local_addr()?;
    let server = Arc::new(ApiServer {
        registry: registry.clone(),
        advertise: format!("{}:{}", cfg.advertise_address, addr.port()),
        metrics: crate::metrics::Metrics::new(),
        ready: std::sync::atomic::AtomicBool::new(true),
    });
    bootstrap(&registry, &cfg.advertise_address, addr.port()).await?;
    // Build the OpenAPI documents now rather than on a client's first request.
    tokio::task::spawn_blocking(|| {
        crate::openapi::v2();
        let _ = crate::openapi::v3_index();
    });
    let (stop, stop_rx) = tokio::sync::watch::channel(false);
    tokio::spawn(serve_https(server.clone(), listener, tls, stop_rx));
    tracing::info!(%addr, "kube-apiserver serving");
    Ok(Running {
        server,
        addr,
        admin_kubeconfig: cert_dir.join("admin.kubeconfig"),
        stop,
        embedded,
    })
}

async fn wait_for_store(registry: &Registry) -> anyhow::Result<()> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        match registry.store.get("/registry/health-probe").await {
            Ok(_) => return Ok(()),
            Err(e) if std::time::Instant::now() > deadline => {
                anyhow::bail!("the store does not answer: {e}")
            }
            Err(_) => tokio::time::sleep(std::time::Duration::from_millis(100)).await,
        }
    }
}

/// Create what every cluster has from the start: the system namespaces, and the `kubernetes`
/// Service (the range's first IP) with Endpoints pointing at this server.
async fn bootstrap(registry: &Registry, advertise: &str, port: u16) -> anyhow::Result<()> {
    let namespaces = resources::find("", "v1", "namespaces").expect("namespaces are served");
    for ns in SYSTEM_NAMESPACES {
        let obj = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}});
        match registry
            .create(namespaces, None, obj, &WriteOptions::default())
            .await
        {
            Ok(_) => tracing::info!(namespace = ns, "created"),
            Err(e) if e.code == 409 => {}
            Err(e) => anyhow::bail!("create namespace {ns}: {e}"),
        }
    }
    let services = resources::find("", "v1", "services").expect("services are served");
    let svc = json!({
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "kubernetes", "labels": {"component": "apiserver", "provider": "kubernetes"}},
        "spec": {
            "clusterIP": registry.service_range.first().to_string(),
            "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": port}],
            "sessionAffinity": "None",
            "type": "ClusterIP",
        },
    });
    match registry
        .create(services, Some("default"), svc, &WriteOptions::default())
        .await
    {
        Ok(_) | Err(crate::error::ApiError { code: 409, .. }) => {}
        Err(e) if e.message.contains("already allocated") => {}
        Err(e) => anyhow::bail!("create the kubernetes service: {e}"),
    }
    let endpoints = resources::find("", "v1", "endpoints").expect("endpoints are served");
    let ep = json!({
        "apiVersion": "v1",
        "kind": "Endpoints",
        "metadata": {"name": "kubernetes", "labels": {"endpointslice.kubernetes.io/skip-mirror": "true"}},
        "subsets": [{"addresses": [{"ip": advertise}], "ports": [{"name": "https", "port": port, "protocol": "TCP"}]}],
    });
    match registry
        .create(
            endpoints,
            Some("default"),
            ep.clone(),
            &WriteOptions::default(),
        )
        .await
    {
        Ok(_) => {}
        Err(e) if e.code == 409 => {
            if let Err(e) = registry
                .update(
                    endpoints,
                    Some("default"),
                    "kubernetes",
                    ep,
                    None,
                    &WriteOptions::default(),
                )
                .await
            {
                // As upstream's endpoint reconciler: an address Endpoints may not hold (a
                // loopback --advertise-address) is logged, and the server serves on.
                tracing::warn!(%e, "unable to sync the kubernetes service endpoints");
            }
        }
        Err(e) => tracing::warn!(%e, "unable to create the kubernetes service endpoints"),
    }
    Ok(())
}
