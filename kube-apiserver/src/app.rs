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
    /// `--authorization-mode`.
    pub authorization_modes: Vec<crate::authz::Mode>,
    /// `--anonymous-auth`.
    pub anonymous_auth: bool,
    /// `--token-auth-file`.
    pub token_auth_file: Option<PathBuf>,
    /// `--client-ca-file` (default: the cluster CA).
    pub client_ca_file: Option<PathBuf>,
    /// `--service-account-key-file` (repeatable; default: the signing key's public key).
    pub service_account_key_files: Vec<PathBuf>,
    /// `--service-account-signing-key-file` (default: `<cert-dir>/sa.key`, generated).
    pub service_account_signing_key_file: Option<PathBuf>,
    /// `--service-account-issuer` (repeatable; the first signs).
    pub service_account_issuers: Vec<String>,
    /// `--api-audiences` (default: the issuers).
    pub api_audiences: Vec<String>,
    /// `--service-account-max-token-expiration` in seconds (0: no maximum).
    pub service_account_max_token_expiration: i64,
    /// `--encryption-provider-config`.
    pub encryption_provider_config: Option<PathBuf>,
    /// `--audit-policy-file`.
    pub audit_policy_file: Option<PathBuf>,
    /// `--audit-log-path` ("-": standard output).
    pub audit_log_path: Option<PathBuf>,
    /// `--audit-log-maxage`, `--audit-log-maxbackup`, `--audit-log-maxsize`.
    pub audit_log_max_age: u32,
    pub audit_log_max_backup: u32,
    pub audit_log_max_size: u32,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            etcd_servers: Vec::new(),
            data_dir: PathBuf::from("/var/lib/kube-apiserver"),
            bind_address: "0.0.0.0".into(),
            secure_port: 6443,
            advertise_address: "127.0.0.1".into(),
            cert_dir: None,
            service_cluster_ip_range: "10.96.0.0/12".into(),
            authorization_modes: vec![crate::authz::Mode::Node, crate::authz::Mode::Rbac],
            anonymous_auth: true,
            token_auth_file: None,
            client_ca_file: None,
            service_account_key_files: Vec::new(),
            service_account_signing_key_file: None,
            service_account_issuers: vec![DEFAULT_ISSUER.into()],
            api_audiences: Vec::new(),
            service_account_max_token_expiration: 0,
            encryption_provider_config: None,
            audit_policy_file: None,
            audit_log_path: None,
            audit_log_max_age: 0,
            audit_log_max_backup: 0,
            audit_log_max_size: 0,
        }
    }
}

/// The issuer kubeadm configures.
pub const DEFAULT_ISSUER: &str = "https://kubernetes.default.svc.cluster.local";

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
    let store = match &cfg.encryption_provider_config {
        Some(p) => {
            let config = crate::encryption::EncryptionConfig::load(p).map_err(|e| {
                anyhow::anyhow!("--encryption-provider-config {}: {e}", p.display())
            })?;
            store.with_encryption(crate::storage::Transformers::new(&config))
        }
        None => store,
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
    let mut pki = crate::tls::ensure_pki(&cert_dir, &sans, &server_url)?;
    if let Some(ca) = &cfg.client_ca_file {
        pki.client_ca = ca.clone();
    }
    let (tls, client_certificates) = crate::tls::server_config(&pki)?;
    let (tokens, service_account_keys) = service_account_tokens(&cfg, &cert_dir)?;
    let verifier = crate::serviceaccount::Verifier::new(
        service_account_keys.clone(),
        cfg.service_account_issuers.clone(),
        tokens.audiences.clone(),
    );
    let authn = crate::authn::Authenticator::new(
        &crate::authn::AuthnConfig {
            token_auth_file: cfg.token_auth_file.clone(),
            anonymous_auth: cfg.anonymous_auth,
        },
        Some(verifier),
    )?;
    let authz = Arc::new(crate::authz::Authorizer::new(
        cfg.authorization_modes.clone(),
    ));
    registry.admission = Some(Arc::new(crate::admission::Admission::new(authz.clone())));
    let listener = tokio::net::TcpListener::bind((cfg.bind_address.as_str(), cfg.secure_port))
        .await
        .with_context(|| format!("listen on {}:{}", cfg.bind_address, cfg.secure_port))?;
    let addr = listener.local_addr()?;
    let server = Arc::new(ApiServer {
        registry: registry.clone(),
        advertise: format!("{}:{}", cfg.advertise_address, addr.port()),
        metrics: crate::metrics::Metrics::new(),
        ready: std::sync::atomic::AtomicBool::new(true),
        authn,
        authz,
        tokens: Some(tokens),
        service_account_keys,
        audit: audit_backend(&cfg)?,
    });
    bootstrap(&registry, &cfg.advertise_address, addr.port()).await?;
    ensure_bootstrap_policy(&registry).await?;
    // Build the OpenAPI documents now rather than on a client's first request.
    tokio::task::spawn_blocking(|| {
        crate::openapi::v2();
        let _ = crate::openapi::v3_index();
    });
    let (stop, stop_rx) = tokio::sync::watch::channel(false);
    tokio::spawn(serve_https(
        server.clone(),
        listener,
        tls,
        client_certificates,
        stop_rx,
    ));
    tracing::info!(%addr, "kube-apiserver serving");
    Ok(Running {
        server,
        addr,
        admin_kubeconfig: cert_dir.join("admin.kubeconfig"),
        stop,
        embedded,
    })
}

/// The audit policy and log (both flags are needed, as upstream: without a log path nothing is
/// audited).
fn audit_backend(
    cfg: &Config,
) -> anyhow::Result<Option<(crate::audit::Policy, crate::audit::LogBackend)>> {
    let (Some(policy), Some(path)) = (&cfg.audit_policy_file, &cfg.audit_log_path) else {
        return Ok(None);
    };
    let policy = crate::audit::Policy::load(policy).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut opts = crate::audit::LogBackendOptions::new(path.clone());
    opts.max_age_days = cfg.audit_log_max_age;
    opts.max_backups = cfg.audit_log_max_backup;
    opts.max_size_mb = cfg.audit_log_max_size;
    let backend = crate::audit::LogBackend::new(&opts)
        .with_context(|| format!("open the audit log {}", path.display()))?;
    Ok(Some((policy, backend)))
}

/// The service account token signer and the keys tokens are verified with. Without
/// `--service-account-signing-key-file`, a key is generated under the certificate directory
/// on first start (`sa.key`, `sa.pub`, as kubeadm names them).
fn service_account_tokens(
    cfg: &Config,
    cert_dir: &std::path::Path,
) -> anyhow::Result<(
    crate::reviews::TokenIssuer,
    Vec<crate::serviceaccount::PublicKey>,
)> {
    let signing_path = match &cfg.service_account_signing_key_file {
        Some(p) => p.clone(),
        None => {
            let p = cert_dir.join("sa.key");
            if !p.exists() {
                let pem = crate::serviceaccount::generate_signing_key_pem()
                    .map_err(|e| anyhow::anyhow!("generate a service account key: {e}"))?;
                crate::tls::write_private(&p, &pem)?;
            }
            p
        }
    };
    let pem =
        std::fs::read(&signing_path).with_context(|| format!("read {}", signing_path.display()))?;
    let key = crate::serviceaccount::SigningKey::from_pem(&pem)
        .map_err(|e| anyhow::anyhow!("{}: {e}", signing_path.display()))?;
    let mut keys = Vec::new();
    if cfg.service_account_key_files.is_empty() {
        keys.push(key.public_key());
        let public = cert_dir.join("sa.pub");
        if cfg.service_account_signing_key_file.is_none() && !public.exists() {
            std::fs::write(
                &public,
                crate::serviceaccount::public_key_pem(&key.public_key()),
            )?;
        }
    }
    for p in &cfg.service_account_key_files {
        let pem = std::fs::read(p).with_context(|| format!("read {}", p.display()))?;
        keys.extend(
            crate::serviceaccount::public_keys_from_pem(&pem)
                .map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?,
        );
    }
    let issuer = cfg
        .service_account_issuers
        .first()
        .cloned()
        .unwrap_or_else(|| DEFAULT_ISSUER.to_string());
    let audiences = if cfg.api_audiences.is_empty() {
        cfg.service_account_issuers.clone()
    } else {
        cfg.api_audiences.clone()
    };
    let max_expiration = if cfg.service_account_max_token_expiration > 0 {
        cfg.service_account_max_token_expiration
    } else {
        i64::from(u32::MAX)
    };
    Ok((
        crate::reviews::TokenIssuer {
            key,
            issuer,
            audiences,
            max_expiration,
        },
        keys,
    ))
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
    // Upstream's scheduling/bootstrap-system-priority-classes post-start hook.
    let classes = resources::find("scheduling.k8s.io", "v1", "priorityclasses")
        .expect("priority classes are served");
    for pc in crate::admission_plugins::builtin_priority_classes() {
        match registry
            .create(classes, None, pc, &WriteOptions::default())
            .await
        {
            Ok(_) | Err(crate::error::ApiError { code: 409, .. }) => {}
            Err(e) => anyhow::bail!("create the built-in priority classes: {e}"),
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

/// Upstream's `rbac/bootstrap-roles` post-start hook: create the bootstrap ClusterRoles,
/// ClusterRoleBindings, Roles and RoleBindings, or add to them what they lack (objects
/// annotated `rbac.authorization.kubernetes.io/autoupdate: "false"` are left alone); then
/// aggregate the rules of ClusterRoles with an aggregationRule (admin, edit, view) as the
/// clusterrole-aggregation controller does.
async fn ensure_bootstrap_policy(registry: &Registry) -> anyhow::Result<()> {
    use crate::rbac::{
        bootstrap_policy, reconcile_cluster_role, reconcile_cluster_role_binding, reconcile_role,
        reconcile_role_binding,
    };
    let find = |plural| {
        resources::find("rbac.authorization.k8s.io", "v1", plural).expect("RBAC is served")
    };
    let policy = bootstrap_policy();
    for want in &policy.cluster_roles {
        reconcile_object(
            registry,
            find("clusterroles"),
            None,
            &want.metadata,
            |old| reconcile_cluster_role(old, want),
        )
        .await?;
    }
    for want in &policy.cluster_role_bindings {
        reconcile_object(
            registry,
            find("clusterrolebindings"),
            None,
            &want.metadata,
            |old| reconcile_cluster_role_binding(old, want),
        )
        .await?;
    }
    for want in &policy.roles {
        let ns = want.metadata.namespace.clone();
        reconcile_object(
            registry,
            find("roles"),
            ns.as_deref(),
            &want.metadata,
            |old| reconcile_role(old, want),
        )
        .await?;
    }
    for want in &policy.role_bindings {
        let ns = want.metadata.namespace.clone();
        reconcile_object(
            registry,
            find("rolebindings"),
            ns.as_deref(),
            &want.metadata,
            |old| reconcile_role_binding(old, want),
        )
        .await?;
    }
    aggregate_cluster_roles(registry).await
}

/// Write the aggregated rules of every ClusterRole with an aggregationRule.
pub async fn aggregate_cluster_roles(registry: &Registry) -> anyhow::Result<()> {
    let r =
        resources::find("rbac.authorization.k8s.io", "v1", "clusterroles").expect("RBAC is served");
    let (items, _, _, _) = registry
        .list(r, None, &crate::registry::ListOptions::default())
        .await
        .map_err(|e| anyhow::anyhow!("list clusterroles: {e}"))?;
    let roles: Vec<k8s_openapi::api::rbac::v1::ClusterRole> = items
        .into_iter()
        .filter_map(|v| serde_json::from_value(v).ok())
        .collect();
    for (name, rules) in crate::rbac::aggregate(&roles) {
        let patch = json!({"rules": rules});
        if let Err(e) = registry
            .patch(
                r,
                None,
                &name,
                "application/merge-patch+json",
                &patch,
                None,
                &WriteOptions::default(),
                false,
            )
            .await
        {
            tracing::warn!(%e, role = name, "aggregating cluster role");
        }
    }
    Ok(())
}

async fn reconcile_object<T>(
    registry: &Registry,
    r: &'static crate::resources::Resource,
    ns: Option<&str>,
    meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
    reconcile: impl Fn(Option<&T>) -> crate::rbac::Reconcile<T>,
) -> anyhow::Result<()>
where
    T: serde::Serialize + serde::de::DeserializeOwned,
{
    use crate::rbac::Reconcile;
    let name = meta.name.as_deref().unwrap_or_default();
    let existing: Option<T> = match registry.get(r, ns, name).await {
        Ok(v) => serde_json::from_value(v).ok(),
        Err(e) if e.code == 404 => None,
        Err(e) => anyhow::bail!("get {} {name}: {e}", r.plural),
    };
    let opts = WriteOptions::default();
    let outcome = match reconcile(existing.as_ref()) {
        Reconcile::Unchanged => return Ok(()),
        Reconcile::Create(t) => {
            registry
                .create(r, ns, serde_json::to_value(t)?, &opts)
                .await
        }
        Reconcile::Update(t) => {
            let mut v = serde_json::to_value(t)?;
            if let Some(m) = v
                .pointer_mut("/metadata")
                .and_then(serde_json::Value::as_object_mut)
            {
                m.remove("resourceVersion");
            }
            registry.update(r, ns, name, v, None, &opts).await
        }
        Reconcile::Recreate(t) => {
            let _ = registry
                .delete(r, ns, name, &crate::registry::DeleteOptions::default())
                .await;
            registry
                .create(r, ns, serde_json::to_value(t)?, &opts)
                .await
        }
    };
    match outcome {
        Ok(_) => tracing::debug!(resource = r.plural, name, "bootstrap policy reconciled"),
        // Another server reconciled it first.
        Err(e) if e.code == 409 => {}
        Err(e) => anyhow::bail!("reconcile {} {name}: {e}", r.plural),
    }
    Ok(())
}
