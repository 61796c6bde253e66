//! The `kube-apiserver` daemon: upstream's flags → [`kube_apiserver::app::Config`] → serve
//! until SIGTERM.

use std::path::PathBuf;

use clap::Parser;
use kube_apiserver::app::{Config, start};

/// The Kubernetes API server.
#[derive(Parser, Debug)]
#[command(name = "kube-apiserver", version)]
struct Flags {
    /// etcd-API servers to connect to (scheme://ip:port, comma separated). Empty: embed a
    /// single raftstore member under --data-dir.
    #[arg(long, default_value = "")]
    etcd_servers: String,
    /// Where the embedded store and generated certificates live.
    #[arg(long, default_value = "/var/lib/kube-apiserver")]
    data_dir: PathBuf,
    /// The IP address on which to listen for the --secure-port port.
    #[arg(long, default_value = "0.0.0.0")]
    bind_address: String,
    /// The port on which to serve HTTPS with authentication and authorization.
    #[arg(long, default_value_t = 6443)]
    secure_port: u16,
    /// The IP address on which to advertise the apiserver to members of the cluster.
    #[arg(long, default_value = "127.0.0.1")]
    advertise_address: String,
    /// The directory where generated TLS certificates and the admin kubeconfig are written.
    #[arg(long)]
    cert_dir: Option<PathBuf>,
    /// A CIDR notation IP range from which to assign service cluster IPs.
    #[arg(long, default_value = "10.96.0.0/12")]
    service_cluster_ip_range: String,
    /// Ordered list of authorization plug-ins: Node, RBAC, AlwaysAllow, AlwaysDeny.
    #[arg(long, default_value = "Node,RBAC")]
    authorization_mode: String,
    /// Enables anonymous requests (user system:anonymous, group system:unauthenticated) for
    /// what the authorizers grant them.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    anonymous_auth: bool,
    /// A CSV file of bearer tokens: token,user,uid,"group1,group2".
    #[arg(long)]
    token_auth_file: Option<PathBuf>,
    /// Client certificates signed by these CAs authenticate as their CommonName (default: the
    /// cluster CA under --cert-dir).
    #[arg(long)]
    client_ca_file: Option<PathBuf>,
    /// PEM public (or private) keys that verify service account tokens; repeatable.
    #[arg(long)]
    service_account_key_file: Vec<PathBuf>,
    /// The private key that signs service account tokens (default: generated under --cert-dir).
    #[arg(long)]
    service_account_signing_key_file: Option<PathBuf>,
    /// The issuer of service account tokens; repeatable, the first one signs.
    #[arg(long, default_value = kube_apiserver::app::DEFAULT_ISSUER)]
    service_account_issuer: Vec<String>,
    /// Identifiers of the API (comma separated); tokens must be for one of them (default:
    /// the issuers).
    #[arg(long, default_value = "")]
    api_audiences: String,
    /// The longest a requested service account token may live (e.g. 24h; 0: no maximum).
    #[arg(long, default_value = "0")]
    service_account_max_token_expiration: String,
    /// The EncryptionConfiguration (apiserver.config.k8s.io/v1) that encrypts resources at
    /// rest.
    #[arg(long)]
    encryption_provider_config: Option<PathBuf>,
    /// The audit policy (audit.k8s.io/v1 Policy).
    #[arg(long)]
    audit_policy_file: Option<PathBuf>,
    /// Where audit events are written as JSON lines ("-": standard output).
    #[arg(long)]
    audit_log_path: Option<PathBuf>,
    /// Days to keep rotated audit logs (0: no limit).
    #[arg(long, default_value_t = 0)]
    audit_log_maxage: u32,
    /// Rotated audit logs to keep (0: no limit).
    #[arg(long, default_value_t = 0)]
    audit_log_maxbackup: u32,
    /// Megabytes an audit log grows to before it is rotated (0: 100).
    #[arg(long, default_value_t = 0)]
    audit_log_maxsize: u32,
    /// Log level (error, warn, info, debug).
    #[arg(long, default_value = "info")]
    log_level: String,
}

fn main() -> anyhow::Result<()> {
    let flags = Flags::parse();
    raftstore::logging::init(&flags.log_level);
    let cfg = Config {
        etcd_servers: flags
            .etcd_servers
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect(),
        data_dir: flags.data_dir,
        bind_address: flags.bind_address,
        secure_port: flags.secure_port,
        advertise_address: flags.advertise_address,
        cert_dir: flags.cert_dir,
        service_cluster_ip_range: flags.service_cluster_ip_range,
        authorization_modes: kube_apiserver::authz::Mode::parse_list(&flags.authorization_mode)
            .map_err(anyhow::Error::msg)?,
        anonymous_auth: flags.anonymous_auth,
        token_auth_file: flags.token_auth_file,
        client_ca_file: flags.client_ca_file,
        service_account_key_files: flags.service_account_key_file,
        service_account_signing_key_file: flags.service_account_signing_key_file,
        service_account_issuers: flags.service_account_issuer,
        api_audiences: flags
            .api_audiences
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect(),
        encryption_provider_config: flags.encryption_provider_config,
        audit_policy_file: flags.audit_policy_file,
        audit_log_path: flags.audit_log_path,
        audit_log_max_age: flags.audit_log_maxage,
        audit_log_max_backup: flags.audit_log_maxbackup,
        audit_log_max_size: flags.audit_log_maxsize,
        service_account_max_token_expiration: component_base::duration::parse(
            &flags.service_account_max_token_expiration,
        )?
        .as_secs() as i64,
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let running = start(cfg).await?;
        println!("admin kubeconfig: {}", running.admin_kubeconfig.display());
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        tokio::select! {
            _ = term.recv() => {}
            _ = tokio::signal::ctrl_c() => {}
        }
        tracing::info!("shutting down");
        running.shutdown().await;
        Ok(())
    })
}
