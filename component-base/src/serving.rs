//! The components' secure port (`--secure-port`, 10257 for
//! kube-controller-manager, 10259 for kube-scheduler): `/healthz`, `/livez`,
//! `/readyz` with upstream's `healthz` handler texts, and `/metrics` in the
//! Prometheus text format, over HTTPS (HTTP/1.1 and HTTP/2).
//!
//! With no certificate given, upstream generates a self-signed CA and serving
//! certificate for `localhost` / `127.0.0.1` and writes them under
//! `--cert-dir`; here the pair is made at start and kept in memory, with ECDSA
//! P-256 keys instead of RSA 2048.
//!
//! Not done: delegated authentication and authorization (every request is
//! answered, as upstream answers its always-allowed health paths), serving a
//! configured `--tls-cert-file`, request metrics for the health endpoints, and
//! `/configz`, `/flagz`, `/debug/*`.

use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use anyhow::Context as _;
use bytes::Bytes;
use http::{HeaderValue, Request, Response, StatusCode, header};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

/// The check upstream installs when no other check is registered.
const PING: &str = "ping";

/// How long a client gets to finish the TLS handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Named check results in registration order; Err holds the failure reason.
type Checks = Vec<(String, Result<(), String>)>;

/// What `/healthz`, `/livez` and `/readyz` report: named checks, in the order
/// they were first set. With no check set, the lone `ping` check passes.
#[derive(Clone, Default)]
pub struct Health {
    checks: Arc<Mutex<Checks>>,
}

impl std::fmt::Debug for Health {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Health")
            .field("checks", &*self.lock())
            .finish()
    }
}

impl Health {
    /// Sets check `check` to passing or failing (upstream names include
    /// `leaderElection` and one per controller).
    pub fn set(&self, check: &str, ok: bool) {
        let result = if ok {
            Ok(())
        } else {
            Err(format!("{check} check failed"))
        };
        self.set_result(check, result);
    }

    /// Sets check `check` to failing with `reason`. The reason appears only on
    /// the check's own path (`/healthz/<check>`), never on the aggregate.
    pub fn set_error(&self, check: &str, reason: &str) {
        self.set_result(check, Err(reason.to_string()));
    }

    /// Whether every check passes.
    pub fn ok(&self) -> bool {
        self.lock().iter().all(|(_, result)| result.is_ok())
    }

    fn set_result(&self, check: &str, result: Result<(), String>) {
        let mut checks = self.lock();
        match checks.iter_mut().find(|(name, _)| name == check) {
            Some(entry) => entry.1 = result,
            None => checks.push((check.to_string(), result)),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Checks> {
        self.checks
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The checks to report; upstream's `ping` when none is set.
    fn snapshot(&self) -> Checks {
        let checks = self.lock();
        if checks.is_empty() {
            vec![(PING.to_string(), Ok(()))]
        } else {
            checks.clone()
        }
    }

    /// Upstream's root health handler for `endpoint` (`healthz`, `livez` or
    /// `readyz`): the status and body, given the `verbose` and `exclude`
    /// query parameters.
    pub fn report(
        &self,
        endpoint: &str,
        verbose: bool,
        exclude: &[String],
    ) -> (StatusCode, String) {
        let mut excluded: Vec<&str> = exclude.iter().map(String::as_str).collect();
        excluded.sort_unstable();
        excluded.dedup();
        let mut lines = String::new();
        let mut failed = false;
        for (name, result) in self.snapshot() {
            if let Some(at) = excluded.iter().position(|e| *e == name) {
                excluded.remove(at);
                lines.push_str(&format!("[+]{name} excluded: ok\n"));
            } else if result.is_ok() {
                lines.push_str(&format!("[+]{name} ok\n"));
            } else {
                failed = true;
                lines.push_str(&format!("[-]{name} failed: reason withheld\n"));
            }
        }
        if !excluded.is_empty() {
            let quoted: Vec<String> = excluded.iter().map(|e| format!("{e:?}")).collect();
            lines.push_str(&format!(
                "warn: some health checks cannot be excluded: no matches for {}\n",
                quoted.join(",")
            ));
        }
        if failed {
            tracing::debug!("{endpoint} check failed");
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("{lines}{endpoint} check failed\n"),
            );
        }
        if verbose {
            (StatusCode::OK, format!("{lines}{endpoint} check passed\n"))
        } else {
            (StatusCode::OK, "ok".to_string())
        }
    }

    /// Upstream's per-check handler (`/healthz/<check>`); None for an unknown
    /// check.
    pub fn report_check(&self, check: &str) -> Option<(StatusCode, String)> {
        let checks = self.snapshot();
        let (_, result) = checks.iter().find(|(name, _)| name == check)?;
        Some(match result {
            Ok(()) => (StatusCode::OK, "ok".to_string()),
            Err(reason) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("internal server error: {reason}\n"),
            ),
        })
    }
}

/// Serves `/healthz`, `/livez`, `/readyz` and `/metrics` (the text format of
/// `registry`) over HTTPS on `addr` until `stop` turns true (or its sender is
/// dropped). The certificate is self-signed and made here. Returns the bound
/// address once listening (`addr` may have port 0); the server runs in a
/// spawned task.
pub async fn serve(
    addr: SocketAddr,
    health: Health,
    registry: prometheus::Registry,
    stop: watch::Receiver<bool>,
) -> anyhow::Result<SocketAddr> {
    let listener = TcpListener::bind(addr)
        .await
        .with_context(|| format!("failed to listen on {addr}"))?;
    let bound = listener
        .local_addr()
        .context("failed to read the bound address")?;
    let tls =
        tls_config(bound.ip()).context("failed to create the self-signed serving certificate")?;
    let acceptor = TlsAcceptor::from(Arc::new(tls));
    let state = Arc::new(State { health, registry });
    tokio::spawn(accept_loop(listener, acceptor, state, stop));
    tracing::info!("Serving securely on {bound}");
    Ok(bound)
}

/// What every request handler reads.
struct State {
    health: Health,
    registry: prometheus::Registry,
}

async fn accept_loop(
    listener: TcpListener,
    acceptor: TlsAcceptor,
    state: Arc<State>,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stop.wait_for(|s| *s) => break,
        };
        let (tcp, peer) = match accepted {
            Ok(conn) => conn,
            Err(err) => {
                tracing::warn!("accept failed: {err}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let acceptor = acceptor.clone();
        let state = Arc::clone(&state);
        let stop = stop.clone();
        tokio::spawn(async move {
            if let Err(err) = serve_connection(tcp, acceptor, state, stop).await {
                tracing::debug!("connection from {peer}: {err:#}");
            }
        });
    }
    tracing::info!("Stopped listening on {:?}", listener.local_addr().ok());
}

async fn serve_connection(
    tcp: tokio::net::TcpStream,
    acceptor: TlsAcceptor,
    state: Arc<State>,
    mut stop: watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let tls = tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp))
        .await
        .context("TLS handshake timed out")?
        .context("TLS handshake error")?;
    let service = hyper::service::service_fn(move |req: Request<Incoming>| {
        let state = Arc::clone(&state);
        async move { Ok::<_, Infallible>(route(&req, &state)) }
    });
    let builder = auto::Builder::new(TokioExecutor::new());
    let conn = builder.serve_connection(TokioIo::new(tls), service);
    tokio::pin!(conn);
    tokio::select! {
        result = conn.as_mut() => return result.map_err(|e| anyhow::anyhow!(e)),
        _ = stop.wait_for(|s| *s) => {}
    }
    conn.as_mut().graceful_shutdown();
    conn.await.map_err(|e| anyhow::anyhow!(e))
}

/// Dispatches one request.
fn route<B>(req: &Request<B>, state: &State) -> Response<Full<Bytes>> {
    let path = req.uri().path();
    let query = parse_query(req.uri().query().unwrap_or_default());
    if path == "/metrics" {
        return metrics(&state.registry);
    }
    let trimmed = path.trim_start_matches('/');
    let (endpoint, check) = match trimmed.split_once('/') {
        Some((endpoint, check)) => (endpoint, Some(check)),
        None => (trimmed, None),
    };
    if !matches!(endpoint, "healthz" | "livez" | "readyz") {
        return text(StatusCode::NOT_FOUND, "404 page not found\n".to_string());
    }
    match check {
        None => {
            let verbose = query.iter().any(|(k, _)| k == "verbose");
            let exclude: Vec<String> = query
                .into_iter()
                .filter(|(k, _)| k == "exclude")
                .map(|(_, v)| v)
                .collect();
            let (status, body) = state.health.report(endpoint, verbose, &exclude);
            text(status, body)
        }
        Some(check) => match state.health.report_check(check) {
            Some((status, body)) => text(status, body),
            None => text(StatusCode::NOT_FOUND, "404 page not found\n".to_string()),
        },
    }
}

/// A plain-text response with upstream's headers.
fn text(status: StatusCode, body: String) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// `/metrics`: the registry in the Prometheus text exposition format.
fn metrics(registry: &prometheus::Registry) -> Response<Full<Bytes>> {
    use prometheus::Encoder as _;
    let encoder = prometheus::TextEncoder::new();
    let mut buffer = Vec::new();
    if let Err(err) = encoder.encode(&registry.gather(), &mut buffer) {
        return text(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("An error has occurred while serving metrics:\n\n{err}\n"),
        );
    }
    let mut response = Response::new(Full::new(Bytes::from(buffer)));
    let content_type = format!("{}; charset=utf-8", encoder.format_type());
    if let Ok(value) = HeaderValue::from_str(&content_type) {
        response.headers_mut().insert(header::CONTENT_TYPE, value);
    }
    response
}

/// Splits a query string into decoded key / value pairs (`+` is a space,
/// `%XX` a byte), as Go's `url.ParseQuery`.
fn parse_query(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (key, value) = part.split_once('=').unwrap_or((part, ""));
            (percent_decode(key), percent_decode(value))
        })
        .collect()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(byte) => {
                        out.push(byte);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            other => out.push(other),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The serving certificate chain and key, as upstream's
/// `GenerateSelfSignedCertKey("localhost", [127.0.0.1], ...)`: a CA named
/// `localhost-ca@<unix seconds>` and a serving certificate
/// `localhost@<unix seconds>` for `localhost`, `127.0.0.1` and the bind
/// address (when not unspecified), valid from an hour ago for a year.
pub fn self_signed_cert(
    bind: IpAddr,
) -> anyhow::Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>)> {
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer,
        KeyPair, KeyUsagePurpose, SanType, SerialNumber,
    };
    const HOST: &str = "localhost";
    let unix = jiff::Timestamp::now().as_second().max(3600);
    let epoch = rcgen::date_time_ymd(1970, 1, 1);
    let valid_from = epoch + Duration::from_secs(unix.unsigned_abs() - 3600);
    let valid_to = valid_from + Duration::from_secs(365 * 24 * 3600);

    let ca_key = KeyPair::generate()?;
    let mut ca = CertificateParams::default();
    ca.distinguished_name = rcgen::DistinguishedName::new();
    ca.distinguished_name
        .push(DnType::CommonName, format!("{HOST}-ca@{unix}"));
    ca.serial_number = Some(SerialNumber::from_slice(&[1]));
    ca.not_before = valid_from;
    ca.not_after = valid_to;
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![
        KeyUsagePurpose::KeyEncipherment,
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyCertSign,
    ];
    let ca_cert = ca.self_signed(&ca_key)?;
    let issuer = Issuer::new(ca, ca_key);

    let key = KeyPair::generate()?;
    let mut leaf = CertificateParams::default();
    leaf.distinguished_name = rcgen::DistinguishedName::new();
    leaf.distinguished_name
        .push(DnType::CommonName, format!("{HOST}@{unix}"));
    leaf.serial_number = Some(SerialNumber::from_slice(&[2]));
    leaf.not_before = valid_from;
    leaf.not_after = valid_to;
    leaf.key_usages = vec![
        KeyUsagePurpose::KeyEncipherment,
        KeyUsagePurpose::DigitalSignature,
    ];
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    leaf.use_authority_key_identifier_extension = true;
    let mut sans = vec![
        SanType::DnsName(HOST.try_into()?),
        SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)),
    ];
    if !bind.is_unspecified() && !sans.contains(&SanType::IpAddress(bind)) {
        sans.push(SanType::IpAddress(bind));
    }
    leaf.subject_alt_names = sans;
    let leaf_cert = leaf.signed_by(&key, &issuer)?;

    let chain = vec![leaf_cert.der().clone(), ca_cert.der().clone()];
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    Ok((chain, key))
}

/// A rustls server configuration (ring provider, TLS 1.2 and 1.3, ALPN h2 and
/// http/1.1) with a fresh self-signed certificate.
fn tls_config(bind: IpAddr) -> anyhow::Result<rustls::ServerConfig> {
    let (chain, key) = self_signed_cert(bind)?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, key)?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
    use rustls::pki_types::{ServerName, UnixTime};
    use rustls::{DigitallySignedStruct, SignatureScheme};
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

    #[test]
    fn healthy_report_is_ok() {
        let health = Health::default();
        assert_eq!(
            health.report("healthz", false, &[]),
            (StatusCode::OK, "ok".into())
        );
        assert_eq!(
            health.report("healthz", true, &[]),
            (StatusCode::OK, "[+]ping ok\nhealthz check passed\n".into())
        );
        assert!(health.ok());
    }

    #[test]
    fn failing_check_reason_is_withheld() {
        let health = Health::default();
        health.set("leaderElection", true);
        health.set("nodelifecycle", false);
        assert!(!health.ok());
        let (status, body) = health.report("healthz", false, &[]);
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(
            body,
            "[+]leaderElection ok\n[-]nodelifecycle failed: reason withheld\nhealthz check failed\n"
        );
        let (_, readyz) = health.report("readyz", true, &[]);
        assert!(readyz.ends_with("readyz check failed\n"), "{readyz}");
        // Fixing the check keeps its place in the order.
        health.set("nodelifecycle", true);
        assert_eq!(
            health.report("livez", true, &[]).1,
            "[+]leaderElection ok\n[+]nodelifecycle ok\nlivez check passed\n"
        );
    }

    #[test]
    fn excluded_checks_and_unknown_exclusions() {
        let health = Health::default();
        health.set("leaderElection", false);
        let exclude = vec!["leaderElection".to_string(), "zeta".into(), "alpha".into()];
        let (status, body) = health.report("healthz", true, &exclude);
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            body,
            "[+]leaderElection excluded: ok\nwarn: some health checks cannot be excluded: no matches for \"alpha\",\"zeta\"\nhealthz check passed\n"
        );
    }

    #[test]
    fn single_check_path() {
        let health = Health::default();
        assert_eq!(
            health.report_check("ping"),
            Some((StatusCode::OK, "ok".into()))
        );
        health.set_error(
            "leaderElection",
            "failed election to renew leadership on lease kube-controller-manager",
        );
        assert_eq!(
            health.report_check("leaderElection"),
            Some((
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal server error: failed election to renew leadership on lease kube-controller-manager\n".into()
            ))
        );
        assert_eq!(health.report_check("ping"), None);
    }

    #[test]
    fn query_decoding() {
        assert_eq!(
            parse_query("verbose&exclude=a%2Fb&exclude=c+d&x=%zz"),
            vec![
                ("verbose".to_string(), String::new()),
                ("exclude".into(), "a/b".into()),
                ("exclude".into(), "c d".into()),
                ("x".into(), "%zz".into()),
            ]
        );
    }

    #[test]
    fn routing_without_tls() {
        let state = State {
            health: Health::default(),
            registry: prometheus::Registry::new(),
        };
        let get = |uri: &str| Request::get(uri).body(()).expect("request");
        let response = route(&get("/readyz?verbose"), &state);
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "text/plain; charset=utf-8"
        );
        assert_eq!(
            response.headers()[header::X_CONTENT_TYPE_OPTIONS],
            "nosniff"
        );
        assert_eq!(
            route(&get("/healthz/ping"), &state).status(),
            StatusCode::OK
        );
        assert_eq!(
            route(&get("/healthz/nope"), &state).status(),
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            route(&get("/configz"), &state).status(),
            StatusCode::NOT_FOUND
        );
    }

    #[test]
    fn certificate_names_follow_upstream() {
        let (chain, _) = self_signed_cert(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2))).expect("cert");
        assert_eq!(chain.len(), 2);
        let leaf = chain[0].as_ref();
        let ca = chain[1].as_ref();
        let contains = |der: &[u8], needle: &[u8]| der.windows(needle.len()).any(|w| w == needle);
        assert!(contains(leaf, b"localhost@"));
        assert!(contains(ca, b"localhost-ca@"));
        assert!(contains(leaf, &[127, 0, 0, 1]));
        assert!(contains(leaf, &[127, 0, 0, 2]));
    }

    /// Accepts any server certificate (the server's is self-signed) and keeps
    /// the presented chain length.
    #[derive(Debug)]
    struct AcceptAny {
        provider: Arc<rustls::crypto::CryptoProvider>,
        chain_len: Mutex<usize>,
    }

    impl ServerCertVerifier for AcceptAny {
        fn verify_server_cert(
            &self,
            _end_entity: &CertificateDer<'_>,
            intermediates: &[CertificateDer<'_>],
            _server_name: &ServerName<'_>,
            _ocsp: &[u8],
            _now: UnixTime,
        ) -> Result<ServerCertVerified, rustls::Error> {
            if let Ok(mut len) = self.chain_len.lock() {
                *len = 1 + intermediates.len();
            }
            Ok(ServerCertVerified::assertion())
        }

        fn verify_tls12_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            rustls::crypto::verify_tls12_signature(
                message,
                cert,
                dss,
                &self.provider.signature_verification_algorithms,
            )
        }

        fn verify_tls13_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            rustls::crypto::verify_tls13_signature(
                message,
                cert,
                dss,
                &self.provider.signature_verification_algorithms,
            )
        }

        fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
            self.provider
                .signature_verification_algorithms
                .supported_schemes()
        }
    }

    /// One HTTP/1.1 GET over TLS; returns (status line, headers+body text,
    /// presented chain length).
    async fn https_get(addr: SocketAddr, path: &str) -> (String, String, usize) {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let verifier = Arc::new(AcceptAny {
            provider: Arc::clone(&provider),
            chain_len: Mutex::new(0),
        });
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("protocol versions")
            .dangerous()
            .with_custom_certificate_verifier(verifier.clone())
            .with_no_client_auth();
        let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
        let tcp = tokio::net::TcpStream::connect(addr).await.expect("connect");
        let name = ServerName::try_from("localhost").expect("server name");
        let mut tls = connector.connect(name, tcp).await.expect("handshake");
        let request =
            format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        tls.write_all(request.as_bytes()).await.expect("write");
        let mut raw = Vec::new();
        let _ = tls.read_to_end(&mut raw).await;
        let raw = String::from_utf8_lossy(&raw).into_owned();
        let (status, rest) = raw.split_once("\r\n").unwrap_or((&raw, ""));
        let chain_len = *verifier.chain_len.lock().expect("lock");
        (status.to_string(), rest.to_string(), chain_len)
    }

    #[tokio::test]
    async fn serves_health_and_metrics_over_https() {
        let registry = prometheus::Registry::new();
        let counter = prometheus::IntCounter::new("leader_election_test_total", "A test counter.")
            .expect("counter");
        registry
            .register(Box::new(counter.clone()))
            .expect("register");
        counter.inc_by(3);
        let health = Health::default();
        let (stop_tx, stop_rx) = watch::channel(false);
        let addr = serve(
            "127.0.0.1:0".parse().expect("addr"),
            health.clone(),
            registry,
            stop_rx,
        )
        .await
        .expect("serve");
        assert_ne!(addr.port(), 0);

        let (status, rest, chain_len) = https_get(addr, "/healthz").await;
        assert_eq!(status, "HTTP/1.1 200 OK");
        assert!(rest.ends_with("\r\n\r\nok"), "{rest}");
        assert!(
            rest.to_ascii_lowercase()
                .contains("content-type: text/plain; charset=utf-8")
        );
        assert_eq!(chain_len, 2);

        health.set("leaderElection", false);
        let (status, rest, _) = https_get(addr, "/livez").await;
        assert_eq!(status, "HTTP/1.1 500 Internal Server Error");
        assert!(
            rest.ends_with("[-]leaderElection failed: reason withheld\nlivez check failed\n"),
            "{rest}"
        );

        let (status, rest, _) = https_get(addr, "/metrics").await;
        assert_eq!(status, "HTTP/1.1 200 OK");
        assert!(
            rest.contains("# HELP leader_election_test_total A test counter.\n"),
            "{rest}"
        );
        assert!(rest.contains("# TYPE leader_election_test_total counter\n"));
        assert!(rest.contains("\nleader_election_test_total 3\n"));
        assert!(
            rest.to_ascii_lowercase()
                .contains("content-type: text/plain; version=0.0.4")
        );

        stop_tx.send(true).expect("stop");
        let mut refused = false;
        for _ in 0..50 {
            if tokio::net::TcpStream::connect(addr).await.is_err() {
                refused = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(refused, "server still listening after stop");
    }
}
