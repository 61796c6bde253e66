//! The `kube-controller-manager` daemon: upstream's flags → [`kube_controller_manager::Config`]
//! → run the controllers until SIGTERM.

use std::path::PathBuf;

use clap::Parser;
use kube_controller_manager::{Config, run};

/// The Kubernetes controller manager.
#[derive(Parser, Debug)]
#[command(name = "kube-controller-manager", version)]
struct Flags {
    /// Path to a kubeconfig file with the API server's address and credentials.
    #[arg(long)]
    kubeconfig: Option<PathBuf>,
    /// Controllers to run: '*' for all on by default, 'foo' to enable, '-foo' to disable.
    #[arg(long, default_value = "*", value_delimiter = ',')]
    controllers: Vec<String>,
    /// PEM CA certificate that signs cluster-scoped certificates.
    #[arg(long)]
    cluster_signing_cert_file: Option<PathBuf>,
    /// PEM private key of --cluster-signing-cert-file.
    #[arg(long)]
    cluster_signing_key_file: Option<PathBuf>,
    /// The longest a signed certificate lives (Go duration).
    #[arg(long, default_value = "8760h0m0s")]
    cluster_signing_duration: String,
    /// The CA published to every namespace as kube-root-ca.crt.
    #[arg(long)]
    root_ca_file: Option<PathBuf>,
    /// Run only while holding the kube-system/kube-controller-manager Lease.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    leader_elect: bool,
    #[arg(long, default_value = "15s")]
    leader_elect_lease_duration: String,
    #[arg(long, default_value = "10s")]
    leader_elect_renew_deadline: String,
    #[arg(long, default_value = "2s")]
    leader_elect_retry_period: String,
    /// Address to serve /healthz and /metrics on.
    #[arg(long, default_value = "0.0.0.0")]
    bind_address: std::net::IpAddr,
    /// Port to serve /healthz and /metrics on over HTTPS (0: pick one).
    #[arg(long, default_value_t = 10257)]
    secure_port: u16,
    /// Run each controller with its own service account's credentials.
    #[arg(long, default_value_t = false, action = clap::ArgAction::Set)]
    use_service_account_credentials: bool,
    /// Log level (error, warn, info, debug).
    #[arg(long, default_value = "info")]
    log_level: String,
}

fn main() -> anyhow::Result<()> {
    let f = Flags::parse();
    component_base::logging::init(&f.log_level);
    let d = |s: &str| component_base::duration::parse(s);
    let cfg = Config {
        kubeconfig: f.kubeconfig,
        controllers: f.controllers,
        cluster_signing_cert_file: f.cluster_signing_cert_file,
        cluster_signing_key_file: f.cluster_signing_key_file,
        cluster_signing_duration: d(&f.cluster_signing_duration)?,
        root_ca_file: f.root_ca_file,
        leader_elect: f.leader_elect,
        leader_elect_lease_duration: d(&f.leader_elect_lease_duration)?,
        leader_elect_renew_deadline: d(&f.leader_elect_renew_deadline)?,
        leader_elect_retry_period: d(&f.leader_elect_retry_period)?,
        bind_address: f.bind_address,
        secure_port: f.secure_port,
        use_service_account_credentials: f.use_service_account_credentials,
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let (stop, stop_rx) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            component_base::signals::shutdown().await;
            tracing::info!("shutting down");
            let _ = stop.send(true);
        });
        run(cfg, stop_rx).await
    })
}
