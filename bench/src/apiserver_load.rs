//! `apiserver-load`: a load generator for the Kubernetes REST API (pods, JSON), for
//! `bench/apiserver.sh`. It talks HTTP/2 over TLS with the client certificate of a kubeconfig
//! (`--kubeconfig`), over `--conns` connections that the `--workers` share (as client-go
//! multiplexes its requests over one HTTP/2 connection).
//!
//! Phases, in this order, each in namespaces of its own named `<--namespace-prefix>-<pid>-...`:
//! - `create`: `--pods` pods (one container, labels, requests and limits) by `--workers`
//!   concurrent workers; `list` of all pods in the namespace runs once it holds
//!   `--list-small` pods (`--list-ops` lists), then the rest are created.
//! - `get`: `--ops` GETs of random pods; `update`: `--ops` PUTs, each of a pod just fetched
//!   (the GET is not timed) with a changed label; `list` again with all `--pods` pods.
//! - `rate`: an open loop of `--rate` mutating requests per second for `--rate-secs`,
//!   alternately creates and updates (an update PUTs the object a create or update returned).
//!   Sends are scheduled by the clock, not by answers, and latency is measured from the
//!   scheduled send time, so a stall shows up in the latency of every request it delayed
//!   (no coordinated omission).
//! - `watch`: for each of `--watchers`: that many HTTP watch streams on the pods of one fresh
//!   namespace (`?watch=true&resourceVersion=<rv of a list>`, `--watchers-per-conn` streams per
//!   connection), then `--watch-writers` writers create `--watch-creates` pods there. Events/s is
//!   deliveries from the first create sent to the last event; latency is from a create's
//!   response to a watcher's receipt of its ADDED event (0 if it came first; `early=`), and
//!   `sent_*` from the create being sent.
//! - `delete`: every pod of `create`.
//! - `memory`: with `--pid`, the apiserver's VmRSS and VmHWM (/proc/PID/status) before the
//!   first request, after `create`, and at the end (VmHWM there is the peak).
//!
//! Each phase prints one line, e.g.
//!
//! ```text
//! RESULT workload=get pods=10000 workers=32 conns=4 ops=10000 errors=0 secs=.. ops_per_sec=.. p50_ms=.. p99_ms=.. max_ms=..
//! ```
//!
//! Latencies are every request's, sorted, nearest-rank percentiles; failed requests (transport
//! errors, timeouts, non-2xx answers) are counted in `errors=` and the first few are printed on
//! stderr. It does not: start or stop the apiserver, use protobuf, selectors, paginated lists,
//! informers (relists, bookmarks, reconnecting watches) or any kind but pods, nor clean up the
//! namespaces it made (the `rate` pods stay).

use std::collections::VecDeque;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::Poll;
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow, bail};
use base64::Engine;
use clap::Parser;
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Method, Request, Uri};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::{Connected, Connection};
use hyper_util::rt::{TokioExecutor, TokioIo};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, watch};

/// Load generator for the Kubernetes REST API (pods).
#[derive(Parser, Debug)]
#[command(name = "apiserver-load")]
struct Args {
    /// Kubeconfig with the server, its CA and a client certificate (current context).
    #[arg(long, env = "KUBECONFIG")]
    kubeconfig: PathBuf,
    /// Server URL to use instead of the kubeconfig's (https://host:port).
    #[arg(long)]
    server: Option<String>,
    /// HTTP/2 connections the workers share.
    #[arg(long, default_value_t = 4)]
    conns: usize,
    /// Concurrent workers of the create, get, update, list and delete phases.
    #[arg(long, default_value_t = 32)]
    workers: usize,
    /// Pods created (and listed, and finally deleted) in the main namespace.
    #[arg(long, default_value_t = 10_000)]
    pods: u64,
    /// List the namespace also when it holds this many pods (0: not).
    #[arg(long, default_value_t = 1_000)]
    list_small: u64,
    /// GETs, and updates, of existing pods.
    #[arg(long, default_value_t = 10_000)]
    ops: u64,
    /// Lists per namespace size.
    #[arg(long, default_value_t = 100)]
    list_ops: u64,
    /// Mutating requests per second of the fixed-rate phase (0: skip it).
    #[arg(long, default_value_t = 500.0)]
    rate: f64,
    /// Seconds the fixed-rate phase sends for.
    #[arg(long, default_value_t = 20.0)]
    rate_secs: f64,
    /// Watcher counts of the watch phases, comma-separated (empty: skip them).
    #[arg(long, value_delimiter = ',', default_value = "100,1000")]
    watchers: Vec<usize>,
    /// Pods created while the watchers watch.
    #[arg(long, default_value_t = 200)]
    watch_creates: u64,
    /// Concurrent writers creating those pods.
    #[arg(long, default_value_t = 1)]
    watch_writers: usize,
    /// Watch streams per HTTP/2 connection (the apiserver allows 200 streams per connection).
    #[arg(long, default_value_t = 100)]
    watchers_per_conn: usize,
    /// Seconds to wait for outstanding watch events after the last create.
    #[arg(long, default_value_t = 10.0)]
    watch_grace: f64,
    /// Seconds one request may take before it counts as failed.
    #[arg(long, default_value_t = 30.0)]
    request_timeout: f64,
    /// The apiserver's process id, to report its memory.
    #[arg(long)]
    pid: Option<u32>,
    /// Start of the names of the namespaces this tool creates.
    #[arg(long, default_value = "bench")]
    namespace_prefix: String,
}

type Http = Client<Connector, Full<Bytes>>;
type OpResult = Result<Duration, String>;
type OpFuture = Pin<Box<dyn Future<Output = OpResult> + Send>>;
/// One timed request (plus any untimed preparation) of a closed-loop phase, given its ticket.
type Op = Arc<dyn Fn(u64, Http) -> OpFuture + Send + Sync>;

// ---- TLS connections -----------------------------------------------------------------------

/// Opens TLS connections (ALPN h2) to one address, whatever the request's URI.
#[derive(Clone)]
struct Connector {
    addr: SocketAddr,
    name: ServerName<'static>,
    tls: tokio_rustls::TlsConnector,
}

impl tower::Service<Uri> for Connector {
    type Response = TlsConn;
    type Error = io::Error;
    type Future = Pin<Box<dyn Future<Output = io::Result<TlsConn>> + Send>>;

    fn poll_ready(&mut self, _: &mut std::task::Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _: Uri) -> Self::Future {
        let this = self.clone();
        Box::pin(async move {
            let tcp = TcpStream::connect(this.addr).await?;
            tcp.set_nodelay(true)?;
            let tls = this.tls.connect(this.name, tcp).await?;
            Ok(TlsConn(TokioIo::new(tls)))
        })
    }
}

struct TlsConn(TokioIo<tokio_rustls::client::TlsStream<TcpStream>>);

impl hyper::rt::Read for TlsConn {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_read(cx, buf)
    }
}

impl hyper::rt::Write for TlsConn {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().0).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_flush(cx)
    }

    fn poll_shutdown(
        self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.0.is_write_vectored()
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().0).poll_write_vectored(cx, bufs)
    }
}

impl Connection for TlsConn {
    fn connected(&self) -> Connected {
        let (_, conn) = self.0.inner().get_ref();
        if conn.alpn_protocol() == Some(b"h2") {
            Connected::new().negotiated_h2()
        } else {
            Connected::new()
        }
    }
}

/// The server URL and PEM credentials of a kubeconfig's current context.
struct Credentials {
    server: String,
    ca_pem: Vec<u8>,
    cert_pem: Vec<u8>,
    key_pem: Vec<u8>,
}

/// The `inner` field (`cluster`, `user`) of the entry of `list` called `name` (else the first).
fn named<'a>(doc: &'a Value, list: &str, inner: &str, name: Option<&str>) -> Option<&'a Value> {
    let items = doc.get(list)?.as_array()?;
    let item = match name {
        Some(n) => items
            .iter()
            .find(|i| i.get("name").and_then(Value::as_str) == Some(n)),
        None => items.first(),
    }?;
    item.get(inner)
}

/// `<field>-data` (base64) or the file `<field>` names.
fn pem_field(obj: &Value, field: &str) -> anyhow::Result<Vec<u8>> {
    if let Some(d) = obj.get(format!("{field}-data")).and_then(Value::as_str) {
        return base64::engine::general_purpose::STANDARD
            .decode(d.trim())
            .with_context(|| format!("{field}-data is not base64"));
    }
    if let Some(p) = obj.get(field).and_then(Value::as_str) {
        return std::fs::read(p).with_context(|| format!("read {p}"));
    }
    bail!("the kubeconfig has neither {field}-data nor {field}")
}

fn read_kubeconfig(path: &Path) -> anyhow::Result<Credentials> {
    let text = std::fs::read_to_string(path).with_context(|| format!("read {}", path.display()))?;
    let doc: Value = serde_yaml_ng::from_str(&text).context("parse the kubeconfig")?;
    let current = doc.get("current-context").and_then(Value::as_str);
    let ctx = named(&doc, "contexts", "context", current);
    let field = |f: &str| ctx.and_then(|c| c.get(f)).and_then(Value::as_str);
    let cluster = named(&doc, "clusters", "cluster", field("cluster"))
        .context("the kubeconfig has no cluster")?;
    let user = named(&doc, "users", "user", field("user")).context("the kubeconfig has no user")?;
    Ok(Credentials {
        server: cluster
            .get("server")
            .and_then(Value::as_str)
            .context("the kubeconfig's cluster has no server")?
            .trim_end_matches('/')
            .to_string(),
        ca_pem: pem_field(cluster, "certificate-authority")?,
        cert_pem: pem_field(user, "client-certificate")?,
        key_pem: pem_field(user, "client-key")?,
    })
}

async fn connector(creds: &Credentials) -> anyhow::Result<Connector> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    for c in CertificateDer::pem_slice_iter(&creds.ca_pem) {
        roots.add(c.map_err(|e| anyhow!("CA certificate: {e:?}"))?)?;
    }
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&creds.cert_pem)
        .collect::<Result<_, _>>()
        .map_err(|e| anyhow!("client certificate: {e:?}"))?;
    let key =
        PrivateKeyDer::from_pem_slice(&creds.key_pem).map_err(|e| anyhow!("client key: {e:?}"))?;
    let mut cfg = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_client_auth_cert(certs, key)?;
    cfg.alpn_protocols = vec![b"h2".to_vec()];

    let uri: Uri = creds
        .server
        .parse()
        .with_context(|| format!("server URL {:?}", creds.server))?;
    if uri.scheme_str() != Some("https") {
        bail!("server {:?}: only https is supported", creds.server);
    }
    let host = uri
        .host()
        .context("server URL without a host")?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let port = uri.port_u16().unwrap_or(443);
    let addr = tokio::net::lookup_host((host.as_str(), port))
        .await
        .with_context(|| format!("resolve {host}"))?
        .next()
        .with_context(|| format!("{host} has no address"))?;
    Ok(Connector {
        addr,
        name: ServerName::try_from(host)?,
        tls: tokio_rustls::TlsConnector::from(Arc::new(cfg)),
    })
}

/// A client with one HTTP/2 connection (opened on first use) that all its clones share.
fn http_client(conn: &Connector) -> Http {
    Client::builder(TokioExecutor::new())
        .http2_only(true)
        .build(conn.clone())
}

// ---- requests ------------------------------------------------------------------------------

/// An error and its causes on one line (hyper's own messages say little).
fn chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(c) = src {
        s.push_str(": ");
        s.push_str(&c.to_string());
        src = c.source();
    }
    s
}

/// The `message` of a `Status` answer, else the start of the body.
fn status_message(body: &[u8]) -> String {
    serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| v.get("message").and_then(Value::as_str).map(String::from))
        .unwrap_or_else(|| String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned())
}

/// Send one request and read the whole answer (discarded unless `keep`), within `timeout`.
/// Non-2xx answers are errors.
async fn call(
    http: &Http,
    method: Method,
    uri: &str,
    body: Option<Vec<u8>>,
    timeout: Duration,
    keep: bool,
) -> Result<Bytes, String> {
    let exchange = async {
        let mut b = Request::builder()
            .method(method)
            .uri(uri)
            .header("accept", "application/json");
        if body.is_some() {
            b = b.header("content-type", "application/json");
        }
        let req = b
            .body(Full::new(Bytes::from(body.unwrap_or_default())))
            .map_err(|e| format!("request {uri}: {e}"))?;
        let resp = http.request(req).await.map_err(|e| chain(&e))?;
        let status = resp.status();
        let mut incoming: Incoming = resp.into_body();
        if !keep && status.is_success() {
            while let Some(f) = incoming.frame().await {
                f.map_err(|e| format!("read answer: {}", chain(&e)))?;
            }
            return Ok(Bytes::new());
        }
        let bytes = incoming
            .collect()
            .await
            .map_err(|e| format!("read answer: {}", chain(&e)))?
            .to_bytes();
        if !status.is_success() {
            return Err(format!(
                "HTTP {}: {}",
                status.as_u16(),
                status_message(&bytes)
            ));
        }
        Ok(bytes)
    };
    tokio::time::timeout(timeout, exchange)
        .await
        .unwrap_or_else(|_| Err(format!("no answer within {timeout:?}")))
}

fn pod_name(i: u64) -> String {
    format!("pod-{i:06}")
}

/// A small, realistic pod: one container with a port, requests and limits, a few labels.
fn pod(ns: &str, name: &str) -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "namespace": ns,
            "labels": {"app": "bench-web", "tier": "frontend", "pod-template-hash": "7d4b9c8f6d"},
        },
        "spec": {
            "containers": [{
                "name": "web",
                "image": "registry.k8s.io/nginx-slim:0.27",
                "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
                "resources": {
                    "requests": {"cpu": "100m", "memory": "128Mi"},
                    "limits": {"cpu": "500m", "memory": "256Mi"},
                },
            }],
            "restartPolicy": "Always",
            "terminationGracePeriodSeconds": 30,
        },
    })
}

/// Set label `bench-gen` of an object to `gen`.
fn relabel(obj: &mut Value, generation: u64) {
    if let Some(md) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
        let labels = md.entry("labels").or_insert_with(|| json!({}));
        if let Some(l) = labels.as_object_mut() {
            l.insert("bench-gen".into(), Value::String(generation.to_string()));
        }
    }
}

/// splitmix64 of a ticket: enough randomness to pick pods, without a dependency.
fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

// ---- measuring -----------------------------------------------------------------------------

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

/// Print the first few failures of a phase.
struct ErrorLog {
    phase: String,
    printed: AtomicU64,
}

impl ErrorLog {
    fn new(phase: &str) -> Arc<ErrorLog> {
        Arc::new(ErrorLog {
            phase: phase.to_string(),
            printed: AtomicU64::new(0),
        })
    }

    fn report(&self, e: &str) {
        match self.printed.fetch_add(1, Ordering::Relaxed) {
            n if n < 5 => eprintln!("{}: {e}", self.phase),
            5 => eprintln!("{}: (further errors not shown)", self.phase),
            _ => {}
        }
    }
}

struct Outcome {
    lats: Vec<Duration>,
    errors: u64,
    secs: f64,
}

impl Outcome {
    fn merge(mut self, other: Outcome) -> Outcome {
        self.lats.extend(other.lats);
        self.errors += other.errors;
        self.secs += other.secs;
        self
    }
}

struct Env {
    clients: Vec<Http>,
    connector: Connector,
    base: String,
    timeout: Duration,
    workers: usize,
    prefix: String,
}

impl Env {
    fn pods_uri(&self, ns: &str) -> String {
        format!("{}/api/v1/namespaces/{ns}/pods", self.base)
    }

    /// Run `total` tickets of `op` on `workers` workers over the shared connections.
    async fn closed_loop(&self, phase: &str, workers: usize, total: u64, op: Op) -> Outcome {
        let next = Arc::new(AtomicU64::new(0));
        let log = ErrorLog::new(phase);
        let start = Instant::now();
        let mut handles = Vec::with_capacity(workers);
        for w in 0..workers.max(1) {
            let http = self.clients[w % self.clients.len()].clone();
            let (next, op, log) = (next.clone(), op.clone(), log.clone());
            handles.push(tokio::spawn(async move {
                let mut lats = Vec::new();
                let mut errors = 0;
                loop {
                    let ticket = next.fetch_add(1, Ordering::Relaxed);
                    if ticket >= total {
                        break;
                    }
                    match op(ticket, http.clone()).await {
                        Ok(d) => lats.push(d),
                        Err(e) => {
                            errors += 1;
                            log.report(&e);
                        }
                    }
                }
                (lats, errors)
            }));
        }
        let mut out = Outcome {
            lats: Vec::with_capacity(total as usize),
            errors: 0,
            secs: 0.0,
        };
        for h in handles {
            match h.await {
                Ok((lats, errors)) => {
                    out.lats.extend(lats);
                    out.errors += errors;
                }
                Err(e) => {
                    eprintln!("{phase}: worker failed: {e}");
                    out.errors += 1;
                }
            }
        }
        out.secs = start.elapsed().as_secs_f64();
        out
    }

    fn print(&self, workload: &str, extra: &str, mut out: Outcome) {
        let ops = out.lats.len();
        println!(
            "RESULT workload={workload} {extra} workers={} conns={} ops={ops} errors={} secs={:.3} ops_per_sec={:.1} {}",
            self.workers,
            self.clients.len(),
            out.errors,
            out.secs,
            ops as f64 / out.secs.max(1e-9),
            latency_fields(&mut out.lats)
        );
    }

    async fn create_namespace(&self, name: &str) -> anyhow::Result<()> {
        let ns = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}});
        match call(
            &self.clients[0],
            Method::POST,
            &format!("{}/api/v1/namespaces", self.base),
            Some(serde_json::to_vec(&ns)?),
            self.timeout,
            false,
        )
        .await
        {
            Ok(_) => Ok(()),
            Err(e) if e.starts_with("HTTP 409") => Ok(()),
            Err(e) => bail!("create namespace {name}: {e}"),
        }
    }

    fn create_op(&self, ns: &str, first: u64) -> Op {
        let (uri, ns, timeout) = (self.pods_uri(ns), ns.to_string(), self.timeout);
        Arc::new(move |t, http| {
            let body = serde_json::to_vec(&pod(&ns, &pod_name(first + t))).unwrap_or_default();
            let uri = uri.clone();
            Box::pin(async move {
                let start = Instant::now();
                call(&http, Method::POST, &uri, Some(body), timeout, false).await?;
                Ok(start.elapsed())
            })
        })
    }

    fn get_op(&self, ns: &str, pods: u64) -> Op {
        let (uri, timeout) = (self.pods_uri(ns), self.timeout);
        Arc::new(move |t, http| {
            let uri = format!("{uri}/{}", pod_name(mix(t) % pods.max(1)));
            Box::pin(async move {
                let start = Instant::now();
                call(&http, Method::GET, &uri, None, timeout, false).await?;
                Ok(start.elapsed())
            })
        })
    }

    /// GET pod `ticket % pods` (untimed), change a label, PUT it (timed). Tickets spread over
    /// distinct pods, so concurrent updates do not conflict.
    fn update_op(&self, ns: &str, pods: u64) -> Op {
        let (uri, timeout) = (self.pods_uri(ns), self.timeout);
        Arc::new(move |t, http| {
            let uri = format!("{uri}/{}", pod_name(t % pods.max(1)));
            Box::pin(async move {
                let got = call(&http, Method::GET, &uri, None, timeout, true).await?;
                let mut obj: Value =
                    serde_json::from_slice(&got).map_err(|e| format!("GET {uri}: {e}"))?;
                relabel(&mut obj, t);
                let body = serde_json::to_vec(&obj).unwrap_or_default();
                let start = Instant::now();
                call(&http, Method::PUT, &uri, Some(body), timeout, false).await?;
                Ok(start.elapsed())
            })
        })
    }

    /// List every pod of `ns`; the first list's item count is checked against `expect`.
    fn list_op(&self, ns: &str, expect: u64) -> Op {
        let (uri, timeout) = (self.pods_uri(ns), self.timeout);
        Arc::new(move |t, http| {
            let uri = uri.clone();
            Box::pin(async move {
                let start = Instant::now();
                let body = call(&http, Method::GET, &uri, None, timeout, t == 0).await?;
                let took = start.elapsed();
                if t == 0 {
                    let doc: Value =
                        serde_json::from_slice(&body).map_err(|e| format!("list: {e}"))?;
                    let n = doc
                        .get("items")
                        .and_then(Value::as_array)
                        .map_or(0, Vec::len);
                    if n as u64 != expect {
                        return Err(format!("list returned {n} pods, expected {expect}"));
                    }
                }
                Ok(took)
            })
        })
    }

    fn delete_op(&self, ns: &str) -> Op {
        let (uri, timeout) = (self.pods_uri(ns), self.timeout);
        Arc::new(move |t, http| {
            let uri = format!("{uri}/{}", pod_name(t));
            Box::pin(async move {
                let start = Instant::now();
                call(&http, Method::DELETE, &uri, None, timeout, false).await?;
                Ok(start.elapsed())
            })
        })
    }
}

/// One memory sample of the apiserver; `extra` goes into the RESULT line as is.
fn memory(pid: Option<u32>, point: &str, extra: &str) {
    let Some(pid) = pid else { return };
    let status = match std::fs::read_to_string(format!("/proc/{pid}/status")) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("memory: read /proc/{pid}/status: {e}");
            return;
        }
    };
    let kib = |field: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(field))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    println!(
        "RESULT workload=memory point={point} {extra} pid={pid} vmrss_kib={} vmhwm_kib={}",
        kib("VmRSS:"),
        kib("VmHWM:")
    );
}

// ---- fixed-rate mutating phase -------------------------------------------------------------

async fn run_rate(env: &Env, args: &Args) -> anyhow::Result<()> {
    let ns = format!("{}-rate", env.prefix);
    env.create_namespace(&ns).await?;
    let uri = env.pods_uri(&ns);
    let total = (args.rate * args.rate_secs).round() as u64;
    let period = Duration::from_secs_f64(1.0 / args.rate);
    // Objects as the last create or update returned them, not being updated right now.
    let pool: Arc<Mutex<VecDeque<Value>>> = Arc::new(Mutex::new(VecDeque::new()));
    let (tx, mut rx) = mpsc::unbounded_channel::<(bool, Result<Duration, String>)>();
    let log = ErrorLog::new("rate");
    let t0 = Instant::now() + Duration::from_millis(20);
    let mut max_lag = Duration::ZERO;
    for i in 0..total {
        let at = t0 + period.mul_f64(i as f64);
        tokio::time::sleep_until(at.into()).await;
        max_lag = max_lag.max(at.elapsed());
        let http = env.clients[i as usize % env.clients.len()].clone();
        let update = if i % 2 == 1 {
            pool.lock().map_or(None, |mut p| p.pop_front())
        } else {
            None
        };
        let (pool, tx, ns, uri, timeout) = (
            pool.clone(),
            tx.clone(),
            ns.clone(),
            uri.clone(),
            env.timeout,
        );
        tokio::spawn(async move {
            let is_update = update.is_some();
            let res = match update {
                Some(mut obj) => {
                    relabel(&mut obj, i);
                    let name = obj
                        .pointer("/metadata/name")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string();
                    let body = serde_json::to_vec(&obj).unwrap_or_default();
                    let uri = format!("{uri}/{name}");
                    call(&http, Method::PUT, &uri, Some(body), timeout, true).await
                }
                None => {
                    let name = format!("rate-{i:07}");
                    let body = serde_json::to_vec(&pod(&ns, &name)).unwrap_or_default();
                    call(&http, Method::POST, &uri, Some(body), timeout, true).await
                }
            };
            let lat = at.elapsed();
            let res = res.map(|body| {
                if let Ok(obj) = serde_json::from_slice::<Value>(&body)
                    && let Ok(mut p) = pool.lock()
                {
                    p.push_back(obj);
                }
                lat
            });
            let _ = tx.send((is_update, res));
        });
    }
    drop(tx);
    let (mut lats, mut errors, mut updates) = (Vec::with_capacity(total as usize), 0u64, 0u64);
    while let Some((is_update, res)) = rx.recv().await {
        match res {
            Ok(d) => {
                lats.push(d);
                updates += u64::from(is_update);
            }
            Err(e) => {
                errors += 1;
                log.report(&e);
            }
        }
    }
    let secs = t0.elapsed().as_secs_f64();
    let ops = lats.len();
    println!(
        "RESULT workload=rate rate={} rate_secs={} conns={} sent={total} ops={ops} creates={} updates={updates} errors={errors} secs={secs:.3} ops_per_sec={:.1} sched_lag_max_ms={:.3} {}",
        args.rate,
        args.rate_secs,
        env.clients.len(),
        ops as u64 - updates,
        ops as f64 / secs.max(1e-9),
        max_lag.as_secs_f64() * 1e3,
        latency_fields(&mut lats)
    );
    Ok(())
}

// ---- watch fan-out -------------------------------------------------------------------------

#[derive(Deserialize)]
struct WatchLine {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    object: ObjectHead,
}

/// The parts of an object (or Status) the watch phase reads.
#[derive(Deserialize, Default)]
struct ObjectHead {
    #[serde(default)]
    metadata: MetaHead,
    #[serde(default)]
    message: String,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct MetaHead {
    #[serde(default)]
    resource_version: String,
}

struct WatcherOutcome {
    /// (resourceVersion, arrival) per ADDED event.
    events: Vec<(i64, Instant)>,
    errors: u64,
}

async fn watcher(
    http: Http,
    uri: String,
    want: usize,
    log: Arc<ErrorLog>,
    ready: mpsc::Sender<Result<(), String>>,
    mut stop: watch::Receiver<bool>,
) -> WatcherOutcome {
    let mut out = WatcherOutcome {
        events: Vec::with_capacity(want),
        errors: 0,
    };
    let req = Request::get(&uri)
        .header("accept", "application/json")
        .body(Full::new(Bytes::new()));
    let resp = match req {
        Ok(req) => http.request(req).await.map_err(|e| chain(&e)),
        Err(e) => Err(e.to_string()),
    };
    let resp = match resp {
        Ok(r) if r.status().is_success() => r,
        Ok(r) => {
            let status = r.status().as_u16();
            let body = r.into_body().collect().await.map(|b| b.to_bytes());
            let msg = body.map_or_else(|e| e.to_string(), |b| status_message(&b));
            let _ = ready
                .send(Err(format!("watch: HTTP {status}: {msg}")))
                .await;
            return out;
        }
        Err(e) => {
            let _ = ready.send(Err(format!("watch: {e}"))).await;
            return out;
        }
    };
    let _ = ready.send(Ok(())).await;
    drop(ready);
    let mut body = resp.into_body();
    let mut buf: Vec<u8> = Vec::new();
    while out.events.len() < want {
        let frame = tokio::select! {
            f = body.frame() => f,
            _ = stop.changed() => break,
        };
        let now = Instant::now();
        let data = match frame {
            Some(Ok(f)) => match f.into_data() {
                Ok(d) => d,
                Err(_) => continue,
            },
            Some(Err(e)) => {
                out.errors += 1;
                log.report(&format!("watch stream: {}", chain(&e)));
                break;
            }
            None => {
                out.errors += 1;
                log.report("watch stream ended by the server");
                break;
            }
        };
        buf.extend_from_slice(&data);
        let mut start = 0;
        while let Some(off) = buf[start..].iter().position(|&b| b == b'\n') {
            let line = &buf[start..start + off];
            start += off + 1;
            match serde_json::from_slice::<WatchLine>(line) {
                Ok(ev) if ev.kind == "ADDED" => {
                    let rv = ev.object.metadata.resource_version.parse().unwrap_or(0);
                    out.events.push((rv, now));
                }
                Ok(ev) if ev.kind == "ERROR" => {
                    out.errors += 1;
                    log.report(&format!("ERROR event: {}", ev.object.message));
                }
                Ok(_) => {}
                Err(e) => {
                    out.errors += 1;
                    log.report(&format!("undecodable watch event: {e}"));
                }
            }
        }
        buf.drain(..start);
    }
    out
}

async fn run_watch(env: &Env, args: &Args, watchers: usize) -> anyhow::Result<()> {
    let ns = format!("{}-watch-{watchers}", env.prefix);
    env.create_namespace(&ns).await?;
    let list = call(
        &env.clients[0],
        Method::GET,
        &env.pods_uri(&ns),
        None,
        env.timeout,
        true,
    )
    .await
    .map_err(|e| anyhow!("list {ns}: {e}"))?;
    let rv = serde_json::from_slice::<ObjectHead>(&list)
        .context("list answer")?
        .metadata
        .resource_version;
    let uri = format!("{}?watch=true&resourceVersion={rv}", env.pods_uri(&ns));
    let per_conn = args.watchers_per_conn.max(1);
    let conns = watchers.div_ceil(per_conn).max(1);
    let watch_clients: Vec<Http> = (0..conns).map(|_| http_client(&env.connector)).collect();
    let log = ErrorLog::new(&format!("watch-{watchers}"));
    let (ready_tx, mut ready_rx) = mpsc::channel(watchers.max(1));
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut handles = Vec::with_capacity(watchers);
    for w in 0..watchers {
        handles.push(tokio::spawn(watcher(
            watch_clients[w / per_conn].clone(),
            uri.clone(),
            args.watch_creates as usize,
            log.clone(),
            ready_tx.clone(),
            stop_rx.clone(),
        )));
    }
    drop(ready_tx);
    for _ in 0..watchers {
        match ready_rx.recv().await {
            Some(Ok(())) => {}
            Some(Err(e)) => bail!("{e}"),
            None => bail!("a watcher ended before it was ready"),
        }
    }

    // (resourceVersion, sent, answered) per create.
    let acks: Arc<Mutex<Vec<(i64, Instant, Instant)>>> = Arc::new(Mutex::new(Vec::new()));
    let op: Op = {
        let (uri, ns, timeout, acks) = (env.pods_uri(&ns), ns.clone(), env.timeout, acks.clone());
        Arc::new(move |t, http| {
            let body = serde_json::to_vec(&pod(&ns, &pod_name(t))).unwrap_or_default();
            let (uri, acks) = (uri.clone(), acks.clone());
            Box::pin(async move {
                let sent = Instant::now();
                let answer = call(&http, Method::POST, &uri, Some(body), timeout, true).await?;
                let acked = Instant::now();
                let rv = serde_json::from_slice::<ObjectHead>(&answer)
                    .map_err(|e| format!("create answer: {e}"))?
                    .metadata
                    .resource_version
                    .parse()
                    .unwrap_or(0);
                if let Ok(mut a) = acks.lock() {
                    a.push((rv, sent, acked));
                }
                Ok(acked - sent)
            })
        })
    };
    let start = Instant::now();
    let mut creates = env
        .closed_loop(
            &format!("watch-{watchers} creates"),
            args.watch_writers,
            args.watch_creates,
            op,
        )
        .await;

    let grace = Duration::from_secs_f64(args.watch_grace);
    let stopper = tokio::spawn(async move {
        tokio::time::sleep(grace).await;
        let _ = stop_tx.send(true);
    });
    let mut events = Vec::new();
    let mut errors = 0;
    for h in handles {
        let o = h.await.context("watcher task")?;
        events.extend(o.events);
        errors += o.errors;
    }
    stopper.abort();

    let acks: std::collections::HashMap<i64, (Instant, Instant)> = acks
        .lock()
        .map(|a| a.iter().map(|&(rv, s, d)| (rv, (s, d))).collect())
        .unwrap_or_default();
    let last = events.iter().map(|&(_, t)| t).max().unwrap_or(start);
    let secs = last
        .saturating_duration_since(start)
        .as_secs_f64()
        .max(1e-9);
    let (mut early, mut unknown) = (0u64, 0u64);
    let mut lats = Vec::with_capacity(events.len());
    let mut sent_lats = Vec::with_capacity(events.len());
    for (rv, t) in &events {
        match acks.get(rv) {
            Some(&(sent, acked)) => {
                early += u64::from(*t < acked);
                lats.push(t.saturating_duration_since(acked));
                sent_lats.push(t.saturating_duration_since(sent));
            }
            None => unknown += 1,
        }
    }
    sent_lats.sort_unstable();
    creates.lats.sort_unstable();
    let expected = watchers as u64 * creates.lats.len() as u64;
    println!(
        "RESULT workload=watch watchers={watchers} conns={conns} writers={} creates={} create_errors={} events={} expected={expected} early={early} unknown={unknown} errors={errors} secs={secs:.3} ops={} ops_per_sec={:.1} {} sent_p50_ms={:.3} sent_p99_ms={:.3} create_p50_ms={:.3} create_p99_ms={:.3}",
        args.watch_writers,
        creates.lats.len(),
        creates.errors,
        events.len(),
        events.len(),
        events.len() as f64 / secs,
        latency_fields(&mut lats),
        pct_ms(&sent_lats, 0.50),
        pct_ms(&sent_lats, 0.99),
        pct_ms(&creates.lats, 0.50),
        pct_ms(&creates.lats, 0.99),
    );

    // Untimed: delete the pods, so that the server notices the watchers are gone (it finds
    // out when it next has an event for them) before the next phase.
    if let Err(e) = call(
        &env.clients[0],
        Method::DELETE,
        &env.pods_uri(&ns),
        None,
        env.timeout,
        false,
    )
    .await
    {
        eprintln!("watch-{watchers}: delete the pods: {e}");
    }
    Ok(())
}

// ---- main ----------------------------------------------------------------------------------

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if args.workers == 0 || args.conns == 0 {
        bail!("need at least one worker and one connection");
    }
    memory(args.pid, "idle", "pods=0");
    let mut creds = read_kubeconfig(&args.kubeconfig)?;
    if let Some(s) = &args.server {
        creds.server = s.trim_end_matches('/').to_string();
    }
    let connector = connector(&creds).await?;
    let env = Env {
        clients: (0..args.conns).map(|_| http_client(&connector)).collect(),
        connector,
        base: creds.server.clone(),
        timeout: Duration::from_secs_f64(args.request_timeout),
        workers: args.workers,
        prefix: format!("{}-{}", args.namespace_prefix, std::process::id()),
    };
    // Open every connection before anything is timed.
    for (i, http) in env.clients.iter().enumerate() {
        call(
            http,
            Method::GET,
            &format!("{}/version", env.base),
            None,
            env.timeout,
            false,
        )
        .await
        .map_err(|e| anyhow!("connection {i} to {}: {e}", env.base))?;
    }

    let ns = format!("{}-pods", env.prefix);
    env.create_namespace(&ns).await?;
    let pods = args.pods;
    let small = args.list_small.min(pods);
    let w = args.workers;
    let mut create = env
        .closed_loop("create", w, small, env.create_op(&ns, 0))
        .await;
    if small > 0 && small < pods {
        let out = env
            .closed_loop("list", w, args.list_ops, env.list_op(&ns, small))
            .await;
        env.print("list", &format!("pods={small}"), out);
    }
    let rest = env
        .closed_loop("create", w, pods - small, env.create_op(&ns, small))
        .await;
    create = create.merge(rest);
    env.print("create", &format!("pods={pods}"), create);
    memory(args.pid, "after-create", &format!("pods={pods}"));

    if pods > 0 {
        let out = env
            .closed_loop("get", w, args.ops, env.get_op(&ns, pods))
            .await;
        env.print("get", &format!("pods={pods}"), out);
        let out = env
            .closed_loop("update", w, args.ops, env.update_op(&ns, pods))
            .await;
        env.print("update", &format!("pods={pods}"), out);
    }
    let out = env
        .closed_loop("list", w, args.list_ops, env.list_op(&ns, pods))
        .await;
    env.print("list", &format!("pods={pods}"), out);

    if args.rate > 0.0 && args.rate_secs > 0.0 {
        run_rate(&env, &args).await?;
    }
    for &n in &args.watchers {
        if n > 0 {
            run_watch(&env, &args, n).await?;
        }
    }

    let out = env.closed_loop("delete", w, pods, env.delete_op(&ns)).await;
    env.print("delete", &format!("pods={pods}"), out);
    memory(args.pid, "end", "");
    Ok(())
}
