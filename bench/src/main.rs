//! `etcd-load`: a load generator for anything that speaks etcd's v3 gRPC API (raftstore, etcd).
//!
//! Workloads:
//! - `put`: each client puts `--value-size` bytes under a key drawn from `--key-space` keys.
//! - `get`: the key space is filled first (untimed), then each client does linearizable
//!   (`serializable=false`; `--serializable` for local reads) single-key Ranges of existing keys.
//! - `watch`: `--watchers` watchers on one fresh key prefix, spread over `--watch-streams`
//!   gRPC streams; then `--clients` writers put `--total` keys under that prefix. The latency
//!   of a delivery is the time from the put's response (at the writer) to the event's arrival
//!   (at a watcher); an event that arrives before the put's response counts as 0 (`early=`).
//!   `sent_p50_ms`/`sent_p99_ms` measure from the moment the put was sent instead, which does
//!   not depend on how fast the put's own response travels back.
//!
//! Clients share `min(--clients, --max-conns)` HTTP/2 connections, opened round-robin over
//! `--endpoints`, as etcd's own benchmark tool does. Each run prints one line:
//!
//! ```text
//! RESULT store=<label> workload=put clients=64 conns=8 ops=20000 errors=0 secs=.. ops_per_sec=.. p50_ms=.. p99_ms=.. max_ms=..
//! ```

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, bail};
use clap::{Parser, ValueEnum};
use proto::etcdserverpb::kv_client::KvClient;
use proto::etcdserverpb::watch_client::WatchClient;
use proto::etcdserverpb::watch_request::RequestUnion;
use proto::etcdserverpb::{PutRequest, RangeRequest, WatchCreateRequest, WatchRequest};
use tokio::sync::{mpsc, watch};
use tokio_stream::wrappers::ReceiverStream;
use tonic::transport::{Channel, Endpoint};

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
enum Workload {
    Put,
    Get,
    Watch,
}

impl Workload {
    fn name(self) -> &'static str {
        match self {
            Workload::Put => "put",
            Workload::Get => "get",
            Workload::Watch => "watch",
        }
    }
}

/// Load generator for the etcd v3 gRPC API.
#[derive(Parser, Debug)]
#[command(name = "etcd-load")]
struct Args {
    /// Client endpoints, comma-separated host:port (an http:// prefix is accepted).
    #[arg(long, value_delimiter = ',', default_value = "127.0.0.1:2379")]
    endpoints: Vec<String>,
    /// Concurrent clients (for `watch`: concurrent writers).
    #[arg(long, default_value_t = 1)]
    clients: usize,
    /// Most gRPC connections the clients share (connections = min(clients, this)).
    #[arg(long, default_value_t = 8)]
    max_conns: usize,
    #[arg(long, value_enum)]
    workload: Workload,
    /// Requests in the timed phase (for `watch`: puts by the writers).
    #[arg(long, default_value_t = 10_000)]
    total: u64,
    /// Run for this many seconds instead of `--total` requests (put and get only).
    #[arg(long)]
    duration: Option<f64>,
    /// Value size in bytes.
    #[arg(long, default_value_t = 256)]
    value_size: usize,
    /// Number of distinct keys the put and get workloads choose from.
    #[arg(long, default_value_t = 10_000)]
    key_space: u64,
    /// Prefix of every key this tool writes.
    #[arg(long, default_value = "/bench/")]
    key_prefix: String,
    /// For `get`: serializable Ranges (served locally, no ReadIndex) instead of linearizable.
    #[arg(long)]
    serializable: bool,
    /// For `get`: do not fill the key space first (it was filled by an earlier run).
    #[arg(long)]
    no_populate: bool,
    /// For `watch`: number of watchers.
    #[arg(long, default_value_t = 100)]
    watchers: usize,
    /// For `watch`: gRPC watch streams the watchers are spread over (default min(watchers, 10)).
    #[arg(long)]
    watch_streams: Option<usize>,
    /// For `watch`: seconds to wait for outstanding events after the last put.
    #[arg(long, default_value_t = 10.0)]
    watch_grace: f64,
    /// Name of the store under test, echoed in the RESULT line.
    #[arg(long, default_value = "store")]
    label: String,
}

/// splitmix64: enough randomness to pick keys, without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

fn key(prefix: &str, i: u64) -> Vec<u8> {
    format!("{prefix}key/{i:010}").into_bytes()
}

/// The smallest key greater than every key starting with `prefix` (etcd's `GetPrefixRangeEnd`).
fn prefix_end(prefix: &[u8]) -> Vec<u8> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xff {
            end.push(last + 1);
            return end;
        }
    }
    vec![0]
}

async fn connect(endpoints: &[String], n: usize) -> anyhow::Result<Vec<Channel>> {
    let mut chans = Vec::with_capacity(n);
    for i in 0..n {
        let ep = &endpoints[i % endpoints.len()];
        let url = if ep.contains("://") {
            ep.clone()
        } else {
            format!("http://{ep}")
        };
        let chan = Endpoint::from_shared(url.clone())
            .with_context(|| format!("endpoint {ep:?}"))?
            .tcp_nodelay(true)
            .connect_timeout(Duration::from_secs(5))
            .connect()
            .await
            .with_context(|| format!("connect to {url}"))?;
        chans.push(chan);
    }
    Ok(chans)
}

/// Nearest-rank percentile of sorted latencies, in milliseconds.
fn pct_ms(sorted: &[Duration], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1].as_secs_f64() * 1e3
}

fn latency_fields(lats: &mut [Duration]) -> String {
    lats.sort_unstable();
    format!(
        "p50_ms={:.3} p99_ms={:.3} max_ms={:.3}",
        pct_ms(lats, 0.50),
        pct_ms(lats, 0.99),
        pct_ms(lats, 1.0)
    )
}

struct ClientOutcome {
    lats: Vec<Duration>,
    errors: u64,
    misses: u64,
    /// (revision, time sent, time the response arrived) per successful put; `watch` only.
    put_revs: Vec<(i64, Instant, Instant)>,
}

/// What a client task does, repeatedly.
#[derive(Copy, Clone, PartialEq, Eq)]
enum Op {
    /// Put a key chosen at random from the key space.
    PutRandom,
    /// Put key number `ticket` (fills the key space in order).
    PutSequential,
    /// Linearizable get of a key chosen at random from the key space.
    Get,
    /// Put a fresh key under the watched prefix, remembering the revision.
    PutWatched,
}

struct Job {
    op: Op,
    limit: u64,
    deadline: Option<Instant>,
    prefix: String,
    key_space: u64,
    value: Vec<u8>,
    serializable: bool,
}

/// Run `clients` tasks that share `job`, taking tickets until `limit` (or the deadline).
async fn run_clients(
    chans: &[Channel],
    clients: usize,
    job: Arc<Job>,
) -> anyhow::Result<Vec<ClientOutcome>> {
    let next = Arc::new(AtomicU64::new(0));
    let mut handles = Vec::with_capacity(clients);
    for c in 0..clients {
        let mut kv = KvClient::new(chans[c % chans.len()].clone());
        let job = job.clone();
        let next = next.clone();
        let seed = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0);
        handles.push(tokio::spawn(async move {
            let mut rng = Rng(seed ^ ((c as u64 + 1) << 32));
            let mut out = ClientOutcome {
                lats: Vec::new(),
                errors: 0,
                misses: 0,
                put_revs: Vec::new(),
            };
            loop {
                let ticket = next.fetch_add(1, Ordering::Relaxed);
                match job.deadline {
                    Some(d) if Instant::now() >= d => break,
                    None if ticket >= job.limit => break,
                    _ => {}
                }
                let start = Instant::now();
                let res = match job.op {
                    Op::PutRandom | Op::PutSequential | Op::PutWatched => {
                        let k = match job.op {
                            Op::PutRandom => key(&job.prefix, rng.below(job.key_space)),
                            _ => key(&job.prefix, ticket),
                        };
                        kv.put(PutRequest {
                            key: k,
                            value: job.value.clone(),
                            ..Default::default()
                        })
                        .await
                        .map(|r| r.into_inner().header.map_or(0, |h| h.revision))
                    }
                    Op::Get => {
                        let k = key(&job.prefix, rng.below(job.key_space));
                        kv.range(RangeRequest {
                            key: k,
                            serializable: job.serializable,
                            ..Default::default()
                        })
                        .await
                        .map(|r| {
                            if r.get_ref().kvs.is_empty() {
                                out.misses += 1;
                            }
                            0
                        })
                    }
                };
                let done = Instant::now();
                match res {
                    Ok(rev) => {
                        out.lats.push(done - start);
                        if job.op == Op::PutWatched {
                            out.put_revs.push((rev, start, done));
                        }
                    }
                    Err(status) => {
                        out.errors += 1;
                        if out.errors <= 3 {
                            eprintln!("client {c}: {:?}: {}", status.code(), status.message());
                        }
                    }
                }
            }
            out
        }));
    }
    let mut outs = Vec::with_capacity(clients);
    for h in handles {
        outs.push(h.await.context("client task")?);
    }
    Ok(outs)
}

async fn run_kv(args: &Args, chans: &[Channel]) -> anyhow::Result<()> {
    let value = vec![b'v'; args.value_size];
    let prefix = args.key_prefix.clone();
    if args.workload == Workload::Get && !args.no_populate {
        let fill = Arc::new(Job {
            op: Op::PutSequential,
            limit: args.key_space,
            deadline: None,
            prefix: prefix.clone(),
            key_space: args.key_space,
            value: value.clone(),
            serializable: false,
        });
        let t = Instant::now();
        let outs = run_clients(chans, args.clients.max(16), fill).await?;
        let errors: u64 = outs.iter().map(|o| o.errors).sum();
        eprintln!(
            "filled {} keys in {:.2}s ({errors} errors)",
            args.key_space,
            t.elapsed().as_secs_f64()
        );
        if errors > 0 {
            bail!("filling the key space failed");
        }
    }
    let start = Instant::now();
    let job = Job {
        op: if args.workload == Workload::Get {
            Op::Get
        } else {
            Op::PutRandom
        },
        limit: args.total,
        deadline: args.duration.map(|s| start + Duration::from_secs_f64(s)),
        prefix,
        key_space: args.key_space,
        value,
        serializable: args.serializable,
    };
    let outs = run_clients(chans, args.clients, Arc::new(job)).await?;
    let secs = start.elapsed().as_secs_f64();
    let errors: u64 = outs.iter().map(|o| o.errors).sum();
    let misses: u64 = outs.iter().map(|o| o.misses).sum();
    let mut lats: Vec<Duration> = outs.into_iter().flat_map(|o| o.lats).collect();
    let ops = lats.len();
    let workload = match (args.workload, args.serializable) {
        (Workload::Get, true) => "get-serializable",
        (w, _) => w.name(),
    };
    println!(
        "RESULT store={} workload={workload} clients={} conns={} ops={ops} errors={errors} misses={misses} secs={secs:.3} ops_per_sec={:.1} {}",
        args.label,
        args.clients,
        chans.len(),
        ops as f64 / secs,
        latency_fields(&mut lats)
    );
    Ok(())
}

/// What one watch stream saw: (revision, arrival) per event, and how many watchers the
/// server canceled.
struct StreamOutcome {
    events: Vec<(i64, Instant)>,
    canceled: u64,
}

async fn watch_stream(
    chan: Channel,
    prefix: Vec<u8>,
    watchers: usize,
    expected_per_watcher: u64,
    ready: mpsc::Sender<anyhow::Result<()>>,
    mut stop: watch::Receiver<bool>,
) -> StreamOutcome {
    let mut out = StreamOutcome {
        events: Vec::new(),
        canceled: 0,
    };
    let (tx, rx) = mpsc::channel(watchers + 1);
    let create = WatchRequest {
        request_union: Some(RequestUnion::CreateRequest(WatchCreateRequest {
            key: prefix.clone(),
            range_end: prefix_end(&prefix),
            ..Default::default()
        })),
    };
    for _ in 0..watchers {
        // Cannot fail: the channel has room for every request and the receiver is alive.
        let _ = tx.send(create.clone()).await;
    }
    let mut inbound = match WatchClient::new(chan).watch(ReceiverStream::new(rx)).await {
        Ok(r) => r.into_inner(),
        Err(s) => {
            let _ = ready.send(Err(anyhow::anyhow!("watch: {s}"))).await;
            return out;
        }
    };
    let mut created = 0;
    while created < watchers {
        match inbound.message().await {
            Ok(Some(r)) if r.created => created += 1,
            Ok(Some(r)) if r.canceled => {
                let _ = ready
                    .send(Err(anyhow::anyhow!("watch canceled: {}", r.cancel_reason)))
                    .await;
                return out;
            }
            Ok(Some(_)) => {}
            Ok(None) => {
                let _ = ready
                    .send(Err(anyhow::anyhow!("watch stream closed before creation")))
                    .await;
                return out;
            }
            Err(s) => {
                let _ = ready.send(Err(anyhow::anyhow!("watch: {s}"))).await;
                return out;
            }
        }
    }
    let _ = ready.send(Ok(())).await;
    let want = watchers as u64 * expected_per_watcher;
    out.events.reserve(want as usize);
    while (out.events.len() as u64) < want {
        tokio::select! {
            m = inbound.message() => match m {
                Ok(Some(r)) => {
                    let now = Instant::now();
                    if r.canceled {
                        out.canceled += 1;
                        eprintln!("watch {} canceled: {}", r.watch_id, r.cancel_reason);
                    }
                    for ev in &r.events {
                        out.events.push((ev.kv.as_ref().map_or(0, |kv| kv.mod_revision), now));
                    }
                }
                Ok(None) => {
                    eprintln!("watch stream closed by the server");
                    break;
                }
                Err(s) => {
                    eprintln!("watch stream: {:?}: {}", s.code(), s.message());
                    break;
                }
            },
            _ = stop.changed() => break,
        }
    }
    drop(tx);
    out
}

async fn run_watch(args: &Args, chans: &[Channel]) -> anyhow::Result<()> {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let prefix = format!("{}watch/{}-{nanos}/", args.key_prefix, std::process::id());
    let watchers = args.watchers.max(1);
    let streams = args
        .watch_streams
        .unwrap_or(watchers.min(10))
        .clamp(1, watchers);
    let (ready_tx, mut ready_rx) = mpsc::channel(streams);
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut handles = Vec::with_capacity(streams);
    for s in 0..streams {
        // Spread the watchers as evenly as possible.
        let n = watchers / streams + usize::from(s < watchers % streams);
        handles.push(tokio::spawn(watch_stream(
            chans[s % chans.len()].clone(),
            prefix.clone().into_bytes(),
            n,
            args.total,
            ready_tx.clone(),
            stop_rx.clone(),
        )));
    }
    drop(ready_tx);
    for _ in 0..streams {
        match ready_rx.recv().await {
            Some(Ok(())) => {}
            Some(Err(e)) => return Err(e),
            None => bail!("a watch stream ended before it was ready"),
        }
    }

    let job = Job {
        op: Op::PutWatched,
        limit: args.total,
        deadline: None,
        prefix: prefix.clone(),
        key_space: args.total,
        value: vec![b'v'; args.value_size],
        serializable: false,
    };
    let start = Instant::now();
    let outs = run_clients(chans, args.clients, Arc::new(job)).await?;
    let put_secs = start.elapsed().as_secs_f64();
    let put_errors: u64 = outs.iter().map(|o| o.errors).sum();
    let mut put_lats: Vec<Duration> = Vec::new();
    let mut put_at: HashMap<i64, (Instant, Instant)> = HashMap::new();
    for o in outs {
        put_lats.extend(o.lats);
        put_at.extend(
            o.put_revs
                .into_iter()
                .map(|(rev, sent, acked)| (rev, (sent, acked))),
        );
    }
    let puts = put_lats.len();

    let grace = Duration::from_secs_f64(args.watch_grace);
    let stopper = tokio::spawn(async move {
        tokio::time::sleep(grace).await;
        let _ = stop_tx.send(true);
    });
    let mut events = Vec::new();
    let mut canceled = 0;
    for h in handles {
        let o = h.await.context("watch stream task")?;
        events.extend(o.events);
        canceled += o.canceled;
    }
    stopper.abort();

    let last = events.iter().map(|&(_, t)| t).max().unwrap_or(start);
    let secs = last
        .saturating_duration_since(start)
        .as_secs_f64()
        .max(1e-9);
    let mut early = 0u64;
    let mut unknown = 0u64;
    let mut lats = Vec::with_capacity(events.len());
    let mut sent_lats = Vec::with_capacity(events.len());
    for (rev, t) in &events {
        match put_at.get(rev) {
            Some(&(sent, acked)) => {
                if *t < acked {
                    early += 1;
                }
                lats.push(t.saturating_duration_since(acked));
                sent_lats.push(t.saturating_duration_since(sent));
            }
            None => unknown += 1,
        }
    }
    let expected = watchers as u64 * puts as u64;
    sent_lats.sort_unstable();
    put_lats.sort_unstable();
    println!(
        "RESULT store={} workload=watch clients={} conns={} watchers={watchers} streams={streams} puts={puts} put_errors={put_errors} put_secs={put_secs:.3} events={} expected={expected} early={early} unknown={unknown} canceled={canceled} secs={secs:.3} ops={} ops_per_sec={:.1} {} sent_p50_ms={:.3} sent_p99_ms={:.3} put_p50_ms={:.3} put_p99_ms={:.3}",
        args.label,
        args.clients,
        chans.len(),
        events.len(),
        events.len(),
        events.len() as f64 / secs,
        latency_fields(&mut lats),
        pct_ms(&sent_lats, 0.50),
        pct_ms(&sent_lats, 0.99),
        pct_ms(&put_lats, 0.50),
        pct_ms(&put_lats, 0.99),
    );
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if args.endpoints.is_empty() || args.clients == 0 {
        bail!("need at least one endpoint and one client");
    }
    let conns = args.clients.min(args.max_conns.max(1));
    let endpoints: Vec<String> = args
        .endpoints
        .iter()
        .map(|e| e.trim().to_string())
        .filter(|e| !e.is_empty())
        .collect();
    let chans = connect(&endpoints, conns).await?;
    match args.workload {
        Workload::Put | Workload::Get => run_kv(&args, &chans).await,
        Workload::Watch => run_watch(&args, &chans).await,
    }
}
