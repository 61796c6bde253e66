//! HTTPS: the cluster CA and certificates (generated on first start when none are given),
//! client-certificate identities (CN is the user, O the groups, as upstream), and the admin
//! kubeconfig.
//!
//! As upstream (Go's `RequestClientCert`), the handshake asks for a client certificate but
//! does not verify it; each connection's certificate is verified against the client CA
//! afterwards, so a certificate from another CA is a 401 rather than a failed handshake. The
//! serving certificate is re-read when its files change. TLS 1.2 is the minimum.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, SanType,
};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::authn::{PeerCertificate, UserInfo};

/// Paths of the certificates a server runs with.
#[derive(Debug, Clone)]
pub struct Pki {
    pub ca_cert: PathBuf,
    pub ca_key: Option<PathBuf>,
    pub serving_cert: PathBuf,
    pub serving_key: PathBuf,
    pub client_ca: PathBuf,
}

pub(crate) fn write_private(path: &Path, contents: &str) -> anyhow::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("write {}", path.display()))?;
    f.write_all(contents.as_bytes())?;
    Ok(())
}

fn load_ca(dir: &Path) -> anyhow::Result<(String, Issuer<'static, KeyPair>)> {
    let ca_pem = std::fs::read_to_string(dir.join("ca.crt"))?;
    let key = KeyPair::from_pem(&std::fs::read_to_string(dir.join("ca.key"))?)?;
    let issuer = Issuer::from_ca_cert_pem(&ca_pem, key)?;
    Ok((ca_pem, issuer))
}

/// The CA in `dir` (created if absent): certificate PEM and an issuer to sign with.
pub fn ensure_ca(dir: &Path) -> anyhow::Result<(String, Issuer<'static, KeyPair>)> {
    std::fs::create_dir_all(dir).with_context(|| format!("create {}", dir.display()))?;
    if dir.join("ca.crt").exists() && dir.join("ca.key").exists() {
        return load_ca(dir);
    }
    let mut params = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, "kubernetes");
    params.distinguished_name = dn;
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    params.not_after = rcgen::date_time_ymd(2036, 1, 1);
    let key = KeyPair::generate()?;
    let cert = params.self_signed(&key)?;
    std::fs::write(dir.join("ca.crt"), cert.pem())?;
    write_private(&dir.join("ca.key"), &key.serialize_pem())?;
    load_ca(dir)
}

/// Issue a certificate signed by the CA: a serving certificate when `sans` is non-empty, a
/// client certificate for `cn` in group `orgs` otherwise (rcgen writes one value per
/// attribute type, so only the last of `orgs` is kept). Returns (cert PEM, key PEM).
pub fn issue(
    issuer: &Issuer<'_, KeyPair>,
    cn: &str,
    orgs: &[&str],
    sans: &[String],
) -> anyhow::Result<(String, String)> {
    let mut params = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, cn);
    for o in orgs {
        dn.push(DnType::OrganizationName, *o);
    }
    params.distinguished_name = dn;
    params.not_after = rcgen::date_time_ymd(2036, 1, 1);
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    if sans.is_empty() {
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    } else {
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        for s in sans {
            let san = match s.parse::<std::net::IpAddr>() {
                Ok(ip) => SanType::IpAddress(ip),
                Err(_) => SanType::DnsName(s.clone().try_into()?),
            };
            params.subject_alt_names.push(san);
        }
    }
    let key = KeyPair::generate()?;
    let cert = params.signed_by(&key, issuer)?;
    Ok((cert.pem(), key.serialize_pem()))
}

/// Certificates for a server in `dir`: the CA, a serving certificate for `sans`, and
/// kubeconfigs pointing at `server_url` for the admin (`admin.kubeconfig`: `kubernetes-admin`
/// in `system:masters`), the controller manager (`controller-manager.kubeconfig`:
/// `system:kube-controller-manager`) and the scheduler (`scheduler.kubeconfig`:
/// `system:kube-scheduler`). Existing files are kept.
pub fn ensure_pki(dir: &Path, sans: &[String], server_url: &str) -> anyhow::Result<Pki> {
    let (ca_pem, issuer) = ensure_ca(dir)?;
    if !dir.join("apiserver.crt").exists() {
        let (cert, key) = issue(&issuer, "kube-apiserver", &[], sans)?;
        std::fs::write(dir.join("apiserver.crt"), cert)?;
        write_private(&dir.join("apiserver.key"), &key)?;
    }
    // The admin's, and the control plane components' (as kubeadm writes admin.conf,
    // controller-manager.conf and scheduler.conf).
    for (file, user, group) in [
        (
            "admin.kubeconfig",
            "kubernetes-admin",
            Some("system:masters"),
        ),
        (
            "controller-manager.kubeconfig",
            "system:kube-controller-manager",
            None,
        ),
        ("scheduler.kubeconfig", "system:kube-scheduler", None),
    ] {
        if !dir.join(file).exists() {
            let groups: Vec<&str> = group.into_iter().collect();
            let (cert, key) = issue(&issuer, user, &groups, &[])?;
            write_kubeconfig(&dir.join(file), server_url, &ca_pem, &cert, &key, user)?;
        }
    }
    Ok(Pki {
        ca_cert: dir.join("ca.crt"),
        ca_key: Some(dir.join("ca.key")),
        serving_cert: dir.join("apiserver.crt"),
        serving_key: dir.join("apiserver.key"),
        client_ca: dir.join("ca.crt"),
    })
}

/// A kubeconfig with the credentials embedded (what `kubeadm` writes as admin.conf).
pub fn write_kubeconfig(
    path: &Path,
    server: &str,
    ca_pem: &str,
    cert_pem: &str,
    key_pem: &str,
    user: &str,
) -> anyhow::Result<()> {
    use base64::Engine;
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s.as_bytes());
    let doc = format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    certificate-authority-data: {}\n    server: {server}\n  name: kubernetes\ncontexts:\n- context:\n    cluster: kubernetes\n    user: {user}\n  name: {user}@kubernetes\ncurrent-context: {user}@kubernetes\npreferences: {{}}\nusers:\n- name: {user}\n  user:\n    client-certificate-data: {}\n    client-key-data: {}\n",
        b64(ca_pem),
        b64(cert_pem),
        b64(key_pem),
    );
    write_private(path, &doc)
}

/// rustls server config: our serving certificate (re-read when its files change); client
/// certificates are asked for, and verified per connection with [`ClientCertificates`].
pub fn server_config(pki: &Pki) -> anyhow::Result<(rustls::ServerConfig, ClientCertificates)> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    for c in CertificateDer::pem_file_iter(&pki.client_ca)
        .with_context(|| format!("read {}", pki.client_ca.display()))?
    {
        roots.add(c?)?;
    }
    let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
        Arc::new(roots),
        provider.clone(),
    )
    .allow_unauthenticated()
    .build()?;
    let clients = ClientCertificates { verifier };
    let serving = ServingCertificate::load(pki, provider.clone())?;
    let mut cfg = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])?
        .with_client_cert_verifier(Arc::new(RequestClientCert(clients.verifier.clone())))
        .with_cert_resolver(Arc::new(serving));
    cfg.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok((cfg, clients))
}

/// Verifies the client certificates connections presented, against `--client-ca-file`.
#[derive(Clone)]
pub struct ClientCertificates {
    verifier: Arc<dyn rustls::server::danger::ClientCertVerifier>,
}

impl ClientCertificates {
    /// What the certificate chain a client presented proves.
    pub fn peer(&self, chain: &[CertificateDer<'_>]) -> PeerCertificate {
        let Some((leaf, intermediates)) = chain.split_first() else {
            return PeerCertificate::None;
        };
        let now = rustls::pki_types::UnixTime::now();
        if let Err(e) = self.verifier.verify_client_cert(leaf, intermediates, now) {
            return PeerCertificate::Invalid(format!("verifying certificate: {e}"));
        }
        match identity(leaf) {
            Some(u) => PeerCertificate::Verified(u),
            None => PeerCertificate::Invalid("certificate has no common name".into()),
        }
    }
}

/// Asks for a client certificate and checks the handshake signature made with it, but leaves
/// the chain to [`ClientCertificates::peer`].
#[derive(Debug)]
struct RequestClientCert(Arc<dyn rustls::server::danger::ClientCertVerifier>);

impl rustls::server::danger::ClientCertVerifier for RequestClientCert {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        false
    }

    fn root_hint_subjects(&self) -> &[rustls::DistinguishedName] {
        self.0.root_hint_subjects()
    }

    fn verify_client_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: rustls::pki_types::UnixTime,
    ) -> Result<rustls::server::danger::ClientCertVerified, rustls::Error> {
        Ok(rustls::server::danger::ClientCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

/// The serving certificate, re-read (at most once a second) when its files change.
#[derive(Debug)]
struct ServingCertificate {
    cert: PathBuf,
    key: PathBuf,
    provider: Arc<rustls::crypto::CryptoProvider>,
    current: std::sync::Mutex<Serving>,
}

#[derive(Debug)]
struct Serving {
    key: Arc<rustls::sign::CertifiedKey>,
    modified: Option<(std::time::SystemTime, std::time::SystemTime)>,
    checked: std::time::Instant,
}

fn modified(cert: &Path, key: &Path) -> Option<(std::time::SystemTime, std::time::SystemTime)> {
    let m = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    Some((m(cert)?, m(key)?))
}

impl ServingCertificate {
    fn load(pki: &Pki, provider: Arc<rustls::crypto::CryptoProvider>) -> anyhow::Result<Self> {
        let key = Self::read(&pki.serving_cert, &pki.serving_key, &provider)?;
        Ok(ServingCertificate {
            current: std::sync::Mutex::new(Serving {
                key,
                modified: modified(&pki.serving_cert, &pki.serving_key),
                checked: std::time::Instant::now(),
            }),
            cert: pki.serving_cert.clone(),
            key: pki.serving_key.clone(),
            provider,
        })
    }

    fn read(
        cert: &Path,
        key: &Path,
        provider: &rustls::crypto::CryptoProvider,
    ) -> anyhow::Result<Arc<rustls::sign::CertifiedKey>> {
        let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
            .with_context(|| format!("read {}", cert.display()))?
            .collect::<Result<_, _>>()?;
        let der =
            PrivateKeyDer::from_pem_file(key).with_context(|| format!("read {}", key.display()))?;
        let signing = provider.key_provider.load_private_key(der)?;
        Ok(Arc::new(rustls::sign::CertifiedKey::new(certs, signing)))
    }
}

impl ServingCertificate {
    /// The certificate to serve now, re-read first if its files changed (checked at most once
    /// a second).
    fn current(&self) -> Arc<rustls::sign::CertifiedKey> {
        let mut cur = self.current.lock().unwrap_or_else(|e| e.into_inner());
        if cur.checked.elapsed() >= std::time::Duration::from_secs(1) {
            cur.checked = std::time::Instant::now();
            let now = modified(&self.cert, &self.key);
            if now.is_some() && now != cur.modified {
                match Self::read(&self.cert, &self.key, &self.provider) {
                    Ok(k) => {
                        tracing::info!(cert = %self.cert.display(), "serving certificate reloaded");
                        cur.key = k;
                        cur.modified = now;
                    }
                    Err(err) => tracing::warn!(%err, "serving certificate not reloaded"),
                }
            }
        }
        cur.key.clone()
    }
}

impl rustls::server::ResolvesServerCert for ServingCertificate {
    fn resolve(
        &self,
        _hello: rustls::server::ClientHello<'_>,
    ) -> Option<Arc<rustls::sign::CertifiedKey>> {
        Some(self.current())
    }
}

/// The user a verified client certificate names.
pub fn identity(cert: &CertificateDer<'_>) -> Option<UserInfo> {
    let (_, parsed) = x509_parser::parse_x509_certificate(cert.as_ref()).ok()?;
    let subject = parsed.subject();
    let name = subject
        .iter_common_name()
        .next()?
        .as_str()
        .ok()?
        .to_string();
    let groups = subject
        .iter_organization()
        .filter_map(|o| o.as_str().ok().map(str::to_string))
        .collect();
    Some(UserInfo {
        name,
        groups,
        ..Default::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issued_client_certificates_carry_the_identity() {
        let dir = tempfile::tempdir().unwrap();
        let (_, issuer) = ensure_ca(dir.path()).unwrap();
        // (rcgen keeps one value per attribute type, so issued certificates carry one group.)
        let (cert, _) = issue(&issuer, "alice", &["devs"], &[]).unwrap();
        let der = CertificateDer::from_pem_slice(cert.as_bytes()).unwrap();
        assert_eq!(
            identity(&der),
            Some(UserInfo {
                name: "alice".into(),
                groups: vec!["devs".into()],
                ..Default::default()
            })
        );
        // The CA is reused, not regenerated.
        let before = std::fs::read(dir.path().join("ca.crt")).unwrap();
        ensure_ca(dir.path()).unwrap();
        assert_eq!(before, std::fs::read(dir.path().join("ca.crt")).unwrap());
    }

    #[test]
    fn serving_certificate_is_reloaded_when_its_files_change() {
        let dir = tempfile::tempdir().unwrap();
        let pki = ensure_pki(dir.path(), &["localhost".into()], "https://127.0.0.1:6443").unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let serving = ServingCertificate::load(&pki, provider).unwrap();
        let before = serving.current().cert[0].clone();
        assert_eq!(serving.current().cert[0], before);
        // A new certificate (as a rotation tool writes it), then the reload interval.
        let (_, issuer) = ensure_ca(dir.path()).unwrap();
        let (cert, key) = issue(&issuer, "kube-apiserver", &[], &["localhost".into()]).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(&pki.serving_cert, cert).unwrap();
        std::fs::write(&pki.serving_key, key).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(1100));
        assert_ne!(serving.current().cert[0], before);
        // A half-written pair keeps the last good certificate.
        let good = serving.current().cert[0].clone();
        std::fs::write(&pki.serving_key, "not a key").unwrap();
        std::thread::sleep(std::time::Duration::from_millis(1100));
        assert_eq!(serving.current().cert[0], good);
    }

    #[test]
    fn pki_and_server_config() {
        let dir = tempfile::tempdir().unwrap();
        let pki = ensure_pki(
            dir.path(),
            &["localhost".into(), "127.0.0.1".into()],
            "https://127.0.0.1:6443",
        )
        .unwrap();
        server_config(&pki).unwrap();
        let kc = std::fs::read_to_string(dir.path().join("admin.kubeconfig")).unwrap();
        assert!(kc.contains("server: https://127.0.0.1:6443"));
    }
}
