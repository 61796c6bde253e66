//! The `raftstore` daemon: flags (named as etcd's) → [`raftstore::Config`] → run until SIGTERM.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::Parser;
use raftstore::config::{AutoCompaction, Config, parse_duration};

/// A replicated key-value store on raft and RocksDB that speaks etcd's v3 API.
#[derive(Parser, Debug)]
#[command(name = "raftstore", version)]
struct Flags {
    /// Human-readable name for this member.
    #[arg(long, default_value = "default")]
    name: String,
    /// Path to the data directory (default: ${name}.etcd).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// URLs to listen on for client traffic (comma-separated; http:// or unix://).
    #[arg(long, default_value = "http://localhost:2379")]
    listen_client_urls: String,
    /// This member's client URLs to advertise to the rest of the cluster.
    #[arg(long, default_value = "http://localhost:2379")]
    advertise_client_urls: String,
    /// URLs to listen on for peer traffic.
    #[arg(long, default_value = "http://localhost:2380")]
    listen_peer_urls: String,
    /// This member's peer URLs to advertise to the rest of the cluster.
    #[arg(long, default_value = "http://localhost:2380")]
    initial_advertise_peer_urls: String,
    /// Initial cluster configuration for bootstrapping: name=peerURL,...
    #[arg(long, default_value = "default=http://localhost:2380")]
    initial_cluster: String,
    /// Initial cluster state ('new' or 'existing').
    #[arg(long, default_value = "new")]
    initial_cluster_state: String,
    /// Initial cluster token for the cluster during bootstrap.
    #[arg(long, default_value = "etcd-cluster")]
    initial_cluster_token: String,
    /// Additional URLs to serve /metrics and /health on.
    #[arg(long, default_value = "")]
    listen_metrics_urls: String,
    /// Time (in milliseconds) of a heartbeat interval.
    #[arg(long, default_value_t = 100)]
    heartbeat_interval: u64,
    /// Time (in milliseconds) for an election to timeout.
    #[arg(long, default_value_t = 1000)]
    election_timeout: u64,
    /// Number of committed entries that triggers a raft log compaction.
    #[arg(long, default_value_t = 10_000)]
    snapshot_count: u64,
    /// 'periodic' (retention is a duration) or 'revision' (retention is a count).
    #[arg(long, default_value = "periodic")]
    auto_compaction_mode: String,
    /// Auto-compaction retention; 0 disables auto-compaction.
    #[arg(long, default_value = "0")]
    auto_compaction_retention: String,
    /// Maximum client request size in bytes the server will accept.
    #[arg(long, default_value_t = 1536 * 1024)]
    max_request_bytes: usize,
    /// Maximum number of operations permitted in a transaction.
    #[arg(long, default_value_t = 128)]
    max_txn_ops: usize,
    /// Interval of progress notifications to watchers that asked for them.
    #[arg(long, default_value = "10m")]
    experimental_watch_progress_notify_interval: String,
    /// Disable fsync: unsafe, may lose data (benchmarks and tests only).
    #[arg(long)]
    unsafe_no_fsync: bool,
    /// Log level (error, warn, info, debug).
    #[arg(long, default_value = "info")]
    log_level: String,
}

fn urls(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .map(String::from)
        .collect()
}

impl Flags {
    fn into_config(self) -> anyhow::Result<Config> {
        let auto_compaction = match (
            self.auto_compaction_mode.as_str(),
            self.auto_compaction_retention.as_str(),
        ) {
            (_, "0") | (_, "") => AutoCompaction::Off,
            ("periodic", r) => {
                AutoCompaction::Periodic(parse_duration(r).context("--auto-compaction-retention")?)
            }
            ("revision", r) => {
                AutoCompaction::Revision(r.parse().context("--auto-compaction-retention")?)
            }
            (m, _) => bail!("--auto-compaction-mode {m:?}: want periodic or revision"),
        };
        Ok(Config {
            data_dir: self
                .data_dir
                .unwrap_or_else(|| PathBuf::from(format!("{}.etcd", self.name))),
            name: self.name,
            listen_client_urls: urls(&self.listen_client_urls),
            advertise_client_urls: urls(&self.advertise_client_urls),
            listen_peer_urls: urls(&self.listen_peer_urls),
            initial_advertise_peer_urls: urls(&self.initial_advertise_peer_urls),
            initial_cluster: self.initial_cluster,
            initial_cluster_token: self.initial_cluster_token,
            initial_cluster_state: self.initial_cluster_state,
            listen_metrics_urls: urls(&self.listen_metrics_urls),
            heartbeat_interval: Duration::from_millis(self.heartbeat_interval),
            election_timeout: Duration::from_millis(self.election_timeout),
            snapshot_count: self.snapshot_count,
            auto_compaction,
            max_request_bytes: self.max_request_bytes,
            max_txn_ops: self.max_txn_ops,
            progress_notify_interval: parse_duration(
                &self.experimental_watch_progress_notify_interval,
            )
            .context("--experimental-watch-progress-notify-interval")?,
            unsafe_no_fsync: self.unsafe_no_fsync,
            request_timeout: Duration::from_secs(5)
                + 2 * Duration::from_millis(self.election_timeout),
        })
    }
}

fn main() -> anyhow::Result<()> {
    let flags = Flags::parse();
    raftstore::logging::init(&flags.log_level);
    let cfg = flags.into_config()?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let server = raftstore::start(cfg).await?;
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        tokio::select! {
            _ = term.recv() => {}
            _ = tokio::signal::ctrl_c() => {}
        }
        tracing::info!("shutting down");
        server.shutdown().await;
        Ok(())
    })
}
