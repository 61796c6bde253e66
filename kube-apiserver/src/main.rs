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
