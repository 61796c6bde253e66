//! kube-controller-manager: controllers that drive the cluster toward what its objects say,
//! each a client of the API server (watch, then write), behind one leader-elected process.
//!
//! Controllers so far: serviceaccount (the `default` ServiceAccount of every namespace),
//! root-ca-certificate-publisher (`kube-root-ca.crt` in every namespace),
//! clusterrole-aggregation, and the certificate signing request approver and signer (kubelet
//! TLS bootstrap).
//!
//! It does not touch the store, schedule pods or run containers; it knows the API server only
//! through kube-rs.

pub mod certificates;
pub mod client_builder;
pub mod clusterrole_aggregation;
pub mod csr;
pub mod root_ca;
pub mod serviceaccount;

use std::path::PathBuf;
use std::time::Duration;

/// The User-Agent the controllers send.
pub const USER_AGENT: &str = "kube-controller-manager/v1.33.0 (linux/amd64) kubernetes/rust";

/// How a kube-controller-manager runs (upstream's flags).
#[derive(Debug, Clone)]
pub struct Config {
    pub kubeconfig: Option<PathBuf>,
    /// `--controllers`: `*` (every controller on by default), `name` or `-name`.
    pub controllers: Vec<String>,
    pub cluster_signing_cert_file: Option<PathBuf>,
    pub cluster_signing_key_file: Option<PathBuf>,
    pub cluster_signing_duration: Duration,
    pub root_ca_file: Option<PathBuf>,
    pub leader_elect: bool,
    pub leader_elect_lease_duration: Duration,
    pub leader_elect_renew_deadline: Duration,
    pub leader_elect_retry_period: Duration,
    pub bind_address: std::net::IpAddr,
    pub secure_port: u16,
    /// `--use-service-account-credentials`: each controller acts as its own service account.
    pub use_service_account_credentials: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            kubeconfig: None,
            controllers: vec!["*".into()],
            cluster_signing_cert_file: None,
            cluster_signing_key_file: None,
            cluster_signing_duration: Duration::from_secs(8760 * 3600),
            root_ca_file: None,
            leader_elect: true,
            leader_elect_lease_duration: Duration::from_secs(15),
            leader_elect_renew_deadline: Duration::from_secs(10),
            leader_elect_retry_period: Duration::from_secs(2),
            bind_address: std::net::Ipv4Addr::UNSPECIFIED.into(),
            secure_port: 10257,
            use_service_account_credentials: false,
        }
    }
}

/// The controllers this manager runs: (name, upstream's short alias, the kube-system service
/// account it acts as with `--use-service-account-credentials`).
pub const CONTROLLERS: [(&str, &str, &str); 5] = [
    (
        "serviceaccount-controller",
        "serviceaccount",
        "service-account-controller",
    ),
    (
        "root-ca-certificate-publisher-controller",
        "root-ca-cert-publisher",
        "root-ca-cert-publisher",
    ),
    (
        "clusterrole-aggregation-controller",
        "clusterrole-aggregation",
        "clusterrole-aggregation-controller",
    ),
    (
        "certificatesigningrequest-approving-controller",
        "csrapproving",
        "certificate-controller",
    ),
    (
        "certificatesigningrequest-signing-controller",
        "csrsigning",
        "certificate-controller",
    ),
];

/// Whether `--controllers` turns a controller on (upstream's IsControllerEnabled: an explicit
/// `-name` wins, then `name`, then `*`).
pub fn enabled(controllers: &[String], name: &str, alias: &str) -> bool {
    let is = |c: &str| c == name || c == alias;
    if controllers
        .iter()
        .any(|c| c.strip_prefix('-').is_some_and(is))
    {
        return false;
    }
    controllers.iter().any(|c| is(c)) || controllers.iter().any(|c| c == "*")
}

/// Run the enabled controllers (after winning the election when `leader_elect`) until `stop`
/// fires or leadership is lost.
pub async fn run(cfg: Config, mut stop: tokio::sync::watch::Receiver<bool>) -> anyhow::Result<()> {
    let health = component_base::serving::Health::default();
    health.set("leaderElection", true);
    let registry = prometheus::Registry::new();
    let addr = std::net::SocketAddr::new(cfg.bind_address, cfg.secure_port);
    let served =
        component_base::serving::serve(addr, health.clone(), registry, stop.clone()).await?;
    tracing::info!(%served, "serving healthz and metrics");
    let config = component_base::client::config(cfg.kubeconfig.as_deref(), USER_AGENT).await?;
    let client = kube::Client::try_from(config.clone())?;
    let mut leadership = None;
    if cfg.leader_elect {
        let host = std::fs::read_to_string("/etc/hostname")
            .map(|h| h.trim().to_string())
            .unwrap_or_else(|_| "localhost".into());
        let identity = format!("{host}_{}", uuid_like());
        let mut le = component_base::leader_election::Config::new(
            "kube-system",
            "kube-controller-manager",
            &identity,
        );
        le.lease_duration = cfg.leader_elect_lease_duration;
        le.renew_deadline = cfg.leader_elect_renew_deadline;
        le.retry_period = cfg.leader_elect_retry_period;
        tracing::info!(
            identity,
            "attempting to acquire the leader lease kube-system/kube-controller-manager"
        );
        let l = tokio::select! {
            l = component_base::leader_election::acquire(client.clone(), le) => l?,
            _ = stop.changed() => return Ok(()),
        };
        tracing::info!("became leader");
        leadership = Some(l);
    }
    let token_dir =
        std::env::temp_dir().join(format!("kube-controller-manager-{}", std::process::id()));
    let clients = if cfg.use_service_account_credentials {
        std::fs::create_dir_all(&token_dir)?;
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&token_dir, std::fs::Permissions::from_mode(0o700))?;
        }
        client_builder::ClientBuilder::per_controller(client.clone(), config, token_dir.clone())
    } else {
        client_builder::ClientBuilder::shared(client.clone(), config)
    };
    let outcome = run_controllers(&cfg, &clients, &mut stop, leadership).await;
    let _ = std::fs::remove_dir_all(&token_dir);
    outcome
}

async fn run_controllers(
    cfg: &Config,
    clients: &client_builder::ClientBuilder,
    stop: &mut tokio::sync::watch::Receiver<bool>,
    mut leadership: Option<component_base::leader_election::Leadership>,
) -> anyhow::Result<()> {
    let mut tasks = tokio::task::JoinSet::new();
    let on = |i: usize| enabled(&cfg.controllers, CONTROLLERS[i].0, CONTROLLERS[i].1);
    let client = |i: usize| clients.client(CONTROLLERS[i].2);
    if on(0) {
        tasks.spawn(serviceaccount::run(clients.informers(), client(0).await?));
    }
    if on(1) {
        match &cfg.root_ca_file {
            Some(p) => {
                let ca = std::fs::read_to_string(p)
                    .map_err(|e| anyhow::anyhow!("read --root-ca-file {}: {e}", p.display()))?;
                tasks.spawn(root_ca::run(clients.informers(), client(1).await?, ca));
            }
            None => tracing::warn!(
                "--root-ca-file is not set: root-ca-certificate-publisher-controller is off"
            ),
        }
    }
    if on(2) {
        tasks.spawn(clusterrole_aggregation::run(
            clients.informers(),
            client(2).await?,
        ));
    }
    if on(3) {
        tasks.spawn(csr::approve(clients.informers(), client(3).await?));
    }
    if on(4) {
        match (
            &cfg.cluster_signing_cert_file,
            &cfg.cluster_signing_key_file,
        ) {
            (Some(cert), Some(key)) => {
                let read = |p: &std::path::Path| {
                    std::fs::read_to_string(p)
                        .map_err(|e| anyhow::anyhow!("read {}: {e}", p.display()))
                };
                let authority = certificates::Authority::from_pem(&read(cert)?, &read(key)?)
                    .map_err(|e| anyhow::anyhow!("the cluster signing CA: {e}"))?;
                tasks.spawn(csr::sign(
                    clients.informers(),
                    client(4).await?,
                    authority,
                    cfg.cluster_signing_duration,
                ));
            }
            _ => tracing::warn!(
                "--cluster-signing-cert-file and --cluster-signing-key-file are not set: certificatesigningrequest-signing-controller is off"
            ),
        }
    }
    tracing::info!(controllers = tasks.len(), "controllers started");
    let lost = async {
        match leadership.as_mut() {
            Some(l) => l.lost().await,
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        _ = stop.changed() => {
            if let Some(l) = leadership {
                l.release().await;
            }
            Ok(())
        }
        _ = lost => anyhow::bail!("leaderelection lost"),
        Some(done) = tasks.join_next() => {
            anyhow::bail!("a controller stopped: {done:?}")
        }
    }
}

fn uuid_like() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("{:x}{:x}", std::process::id(), nanos)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controllers_flag() {
        let list = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert!(enabled(
            &list(&["*"]),
            "serviceaccount-controller",
            "serviceaccount"
        ));
        assert!(!enabled(
            &list(&["*", "-serviceaccount"]),
            "serviceaccount-controller",
            "serviceaccount"
        ));
        assert!(enabled(
            &list(&["csrsigning"]),
            "certificatesigningrequest-signing-controller",
            "csrsigning"
        ));
        assert!(!enabled(
            &list(&["csrsigning"]),
            "serviceaccount-controller",
            "serviceaccount"
        ));
    }
}
