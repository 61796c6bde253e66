//! ServiceAccount token JWTs, as kube-apiserver's `pkg/serviceaccount` issues and
//! checks them.
//!
//! This module covers:
//! - loading signing keys (`--service-account-signing-key-file`: RSA or ECDSA
//!   P-256/P-384 private keys in PKCS#1, SEC1 or PKCS#8 PEM) and verification keys
//!   (`--service-account-key-file`: public keys, certificates and private keys),
//!   with key ids derived as upstream does (base64url, unpadded, of the SHA-256 of
//!   the key's PKIX `SubjectPublicKeyInfo` DER);
//! - signing bound tokens (TokenRequest, projected volumes) with the
//!   `kubernetes.io` private claims, and legacy Secret-based tokens (issuer
//!   `kubernetes/serviceaccount`);
//! - verifying both kinds: issuer routing, key selection by `kid`, signature,
//!   audiences, and the `exp`/`nbf`/`iat` checks with upstream's 60 s leeway;
//! - the user a token authenticates as, and the OIDC discovery documents
//!   (`/.well-known/openid-configuration` and `/openid/v1/jwks`).
//!
//! It does not look objects up: whether the ServiceAccount, and the Pod, Secret
//! or Node a token is bound to, still exist with the UIDs in the claims (and,
//! for legacy tokens, whether the Secret still holds the token) is for the
//! caller to check with the returned [`Claims`]. It does not serve HTTP, keep
//! metrics or audit annotations, and it does not support ES512 (P-521) keys,
//! external (KMS) signers, or request-specific audiences (the API server's own
//! audiences are always the targets).

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use crate::gofmt::quote_list as go_quote_list;
use base64::Engine as _;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::engine::{DecodePaddingMode, general_purpose::URL_SAFE_NO_PAD};
use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, KeyPair as _, RsaKeyPair, UnparsedPublicKey};
use serde::Deserialize;
use serde_json::{Value, json};

/// The issuer of legacy, Secret-based ServiceAccount tokens.
pub const LEGACY_ISSUER: &str = "kubernetes/serviceaccount";

/// Clock skew tolerated on `exp`, `nbf` and `iat` (go-jose's `DefaultLeeway`).
pub const LEEWAY_SECONDS: i64 = 60;

/// The prefix of every ServiceAccount user name.
pub const USERNAME_PREFIX: &str = "system:serviceaccount:";
/// The group every ServiceAccount belongs to.
pub const ALL_SERVICE_ACCOUNTS_GROUP: &str = "system:serviceaccounts";
/// The prefix of the per-namespace ServiceAccount group.
pub const SERVICE_ACCOUNT_GROUP_PREFIX: &str = "system:serviceaccounts:";
/// User extra key: the name of the Pod a token is bound to.
pub const POD_NAME_KEY: &str = "authentication.kubernetes.io/pod-name";
/// User extra key: the UID of the Pod a token is bound to.
pub const POD_UID_KEY: &str = "authentication.kubernetes.io/pod-uid";
/// User extra key: the name of the Node a token is bound to (or its Pod runs on).
pub const NODE_NAME_KEY: &str = "authentication.kubernetes.io/node-name";
/// User extra key: the UID of that Node.
pub const NODE_UID_KEY: &str = "authentication.kubernetes.io/node-uid";
/// User extra key: the credential id, `JTI=<jti>`.
pub const CREDENTIAL_ID_KEY: &str = "authentication.kubernetes.io/credential-id";

const LEGACY_NAMESPACE_CLAIM: &str = "kubernetes.io/serviceaccount/namespace";
const LEGACY_SECRET_NAME_CLAIM: &str = "kubernetes.io/serviceaccount/secret.name";
const LEGACY_SA_NAME_CLAIM: &str = "kubernetes.io/serviceaccount/service-account.name";
const LEGACY_SA_UID_CLAIM: &str = "kubernetes.io/serviceaccount/service-account.uid";

const ERR_CRYPTO_FAILURE: &str = "go-jose/go-jose: error in cryptographic primitive";
const ERR_UNSUPPORTED_ALGORITHM: &str = "go-jose/go-jose: unknown/unsupported algorithm";

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/// A key could not be loaded, or a token could not be signed.
#[derive(Debug)]
pub struct KeyError(String);

impl KeyError {
    fn new(message: impl Into<String>) -> KeyError {
        KeyError(message.into())
    }
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for KeyError {}

/// A token this API server issued (known issuer) failed verification.
#[derive(Debug)]
pub struct TokenError(String);

impl TokenError {
    fn new(message: impl Into<String>) -> TokenError {
        TokenError(message.into())
    }
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TokenError {}

// ---------------------------------------------------------------------------
// Keys
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Curve {
    P256,
    P384,
}

impl Curve {
    fn from_oid(oid: &[u8]) -> Result<Curve, KeyError> {
        match oid {
            OID_P256 => Ok(Curve::P256),
            OID_P384 => Ok(Curve::P384),
            OID_P521 => Err(KeyError::new(
                "unsupported elliptic curve P-521: only P-256 and P-384 keys are supported",
            )),
            _ => Err(KeyError::new(
                "unknown elliptic curve, must be P-256 or P-384",
            )),
        }
    }

    fn oid(self) -> &'static [u8] {
        match self {
            Curve::P256 => OID_P256,
            Curve::P384 => OID_P384,
        }
    }

    fn field_len(self) -> usize {
        match self {
            Curve::P256 => 32,
            Curve::P384 => 48,
        }
    }

    fn jwk_name(self) -> &'static str {
        match self {
            Curve::P256 => "P-256",
            Curve::P384 => "P-384",
        }
    }

    fn algorithm(self) -> &'static str {
        match self {
            Curve::P256 => "ES256",
            Curve::P384 => "ES384",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum KeyMaterial {
    /// Modulus and public exponent, big-endian without leading zeros.
    Rsa { n: Vec<u8>, e: Vec<u8> },
    /// The uncompressed point (`04 || x || y`).
    Ec { curve: Curve, point: Vec<u8> },
}

/// A public key that verifies ServiceAccount tokens, with its derived key id.
#[derive(Clone, Debug)]
pub struct PublicKey {
    material: KeyMaterial,
    /// Canonical PKIX `SubjectPublicKeyInfo` DER.
    spki: Vec<u8>,
    key_id: String,
}

impl PublicKey {
    fn from_material(material: KeyMaterial) -> Result<PublicKey, KeyError> {
        match &material {
            KeyMaterial::Rsa { n, e } => {
                if n.is_empty() || e.is_empty() {
                    return Err(KeyError::new("invalid RSA public key"));
                }
            }
            KeyMaterial::Ec { curve, point } => {
                if point.len() != 1 + 2 * curve.field_len() || point[0] != 0x04 {
                    return Err(KeyError::new(
                        "invalid elliptic curve public key: only uncompressed points are supported",
                    ));
                }
            }
        }
        let spki = spki_der(&material);
        let digest = ring::digest::digest(&ring::digest::SHA256, &spki);
        let key_id = URL_SAFE_NO_PAD.encode(digest.as_ref());
        Ok(PublicKey {
            material,
            spki,
            key_id,
        })
    }

    /// The key id: base64url (unpadded) of the SHA-256 of the PKIX DER.
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// The JWS algorithm tokens signed with this key use: `RS256`, `ES256` or `ES384`.
    pub fn algorithm(&self) -> &'static str {
        match &self.material {
            KeyMaterial::Rsa { .. } => "RS256",
            KeyMaterial::Ec { curve, .. } => curve.algorithm(),
        }
    }

    /// The PKIX `SubjectPublicKeyInfo` DER of this key.
    pub fn spki_der(&self) -> &[u8] {
        &self.spki
    }

    /// Checks a JWS signature; the error is go-jose's message.
    fn verify_signature(&self, alg: &str, message: &[u8], sig: &[u8]) -> Result<(), String> {
        match &self.material {
            KeyMaterial::Rsa { n, e } => {
                if alg != "RS256" {
                    return Err(ERR_UNSUPPORTED_ALGORITHM.to_string());
                }
                let pkcs1 = rsa_public_key_der(n, e);
                UnparsedPublicKey::new(
                    &signature::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY,
                    &pkcs1,
                )
                .verify(message, sig)
                .map_err(|_| ERR_CRYPTO_FAILURE.to_string())
            }
            KeyMaterial::Ec { curve, point } => {
                let (key_size, algorithm): (usize, &'static signature::EcdsaVerificationAlgorithm) =
                    match alg {
                        "ES256" => (32, &signature::ECDSA_P256_SHA256_FIXED),
                        "ES384" => (48, &signature::ECDSA_P384_SHA384_FIXED),
                        _ => return Err(ERR_UNSUPPORTED_ALGORITHM.to_string()),
                    };
                if sig.len() != 2 * key_size {
                    return Err(format!(
                        "go-jose/go-jose: invalid signature size, have {} bytes, wanted {}",
                        sig.len(),
                        2 * key_size
                    ));
                }
                if curve.field_len() != key_size {
                    return Err(ERR_CRYPTO_FAILURE.to_string());
                }
                UnparsedPublicKey::new(algorithm, point)
                    .verify(message, sig)
                    .map_err(|_| ERR_CRYPTO_FAILURE.to_string())
            }
        }
    }

    /// This key as a JSON Web Key (public part only), as upstream's JWKS lists it.
    fn jwk(&self) -> Value {
        match &self.material {
            KeyMaterial::Rsa { n, e } => json!({
                "use": "sig",
                "kty": "RSA",
                "kid": self.key_id,
                "alg": "RS256",
                "n": URL_SAFE_NO_PAD.encode(n),
                "e": URL_SAFE_NO_PAD.encode(e),
            }),
            KeyMaterial::Ec { curve, point } => {
                let len = curve.field_len();
                json!({
                    "use": "sig",
                    "kty": "EC",
                    "kid": self.key_id,
                    "crv": curve.jwk_name(),
                    "alg": curve.algorithm(),
                    "x": URL_SAFE_NO_PAD.encode(&point[1..1 + len]),
                    "y": URL_SAFE_NO_PAD.encode(&point[1 + len..]),
                })
            }
        }
    }
}

enum Signer {
    Rsa(RsaKeyPair),
    Ecdsa(EcdsaKeyPair),
}

/// A private key that signs ServiceAccount tokens: RSA (RS256) or ECDSA
/// P-256 (ES256) / P-384 (ES384).
#[derive(Clone)]
pub struct SigningKey {
    signer: Arc<Signer>,
    public: PublicKey,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("algorithm", &self.public.algorithm())
            .field("key_id", &self.public.key_id)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// Loads the first private key of a PEM bundle: `RSA PRIVATE KEY` (PKCS#1),
    /// `EC PRIVATE KEY` (SEC1) or `PRIVATE KEY` (PKCS#8, RSA or EC). Other blocks
    /// (such as `EC PARAMETERS`) are skipped.
    pub fn from_pem(pem: &[u8]) -> Result<SigningKey, KeyError> {
        const NO_KEY: &str = "data does not contain a valid RSA or ECDSA private key";
        let mut last_error = None;
        for block in pem_blocks(pem) {
            let result = match block.label.as_str() {
                "RSA PRIVATE KEY" => SigningKey::from_pkcs1(&block.der),
                "EC PRIVATE KEY" => SigningKey::from_sec1(&block.der, None),
                "PRIVATE KEY" => SigningKey::from_pkcs8(&block.der),
                _ => continue,
            };
            match result {
                Ok(key) => return Ok(key),
                Err(err) => last_error = Some(err),
            }
        }
        Err(match last_error {
            Some(err) => KeyError::new(format!("{NO_KEY}: {err}")),
            None => KeyError::new(NO_KEY),
        })
    }

    fn from_pkcs1(der: &[u8]) -> Result<SigningKey, KeyError> {
        let pair = RsaKeyPair::from_der(der)
            .map_err(|e| KeyError::new(format!("invalid RSA private key: {e}")))?;
        SigningKey::from_rsa_pair(pair)
    }

    fn from_rsa_pair(pair: RsaKeyPair) -> Result<SigningKey, KeyError> {
        let (n, e) = parse_rsa_public_key(pair.public().as_ref())?;
        let public = PublicKey::from_material(KeyMaterial::Rsa { n, e })?;
        Ok(SigningKey {
            signer: Arc::new(Signer::Rsa(pair)),
            public,
        })
    }

    fn from_pkcs8(der: &[u8]) -> Result<SigningKey, KeyError> {
        let info = parse_pkcs8(der)?;
        match info.algorithm {
            Pkcs8Algorithm::Rsa => {
                let pair = RsaKeyPair::from_pkcs8(der)
                    .map_err(|e| KeyError::new(format!("invalid RSA private key: {e}")))?;
                SigningKey::from_rsa_pair(pair)
            }
            Pkcs8Algorithm::Ec(curve) => SigningKey::from_sec1(info.private_key, curve),
        }
    }

    fn from_sec1(der: &[u8], outer_curve: Option<Curve>) -> Result<SigningKey, KeyError> {
        let key = parse_sec1(der, outer_curve)?;
        let Some(point) = key.public_point else {
            return Err(KeyError::new(
                "EC private keys without their public key are not supported",
            ));
        };
        let len = key.curve.field_len();
        if key.scalar.len() > len {
            return Err(KeyError::new("invalid EC private key length"));
        }
        let mut scalar = vec![0u8; len - key.scalar.len()];
        scalar.extend_from_slice(key.scalar);
        let alg = match key.curve {
            Curve::P256 => &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
            Curve::P384 => &signature::ECDSA_P384_SHA384_FIXED_SIGNING,
        };
        let pair = EcdsaKeyPair::from_private_key_and_public_key(
            alg,
            &scalar,
            point,
            &SystemRandom::new(),
        )
        .map_err(|e| KeyError::new(format!("invalid EC private key: {e}")))?;
        let public = PublicKey::from_material(KeyMaterial::Ec {
            curve: key.curve,
            point: pair.public_key().as_ref().to_vec(),
        })?;
        Ok(SigningKey {
            signer: Arc::new(Signer::Ecdsa(pair)),
            public,
        })
    }

    /// The key id put in the `kid` header of the tokens this key signs.
    pub fn key_id(&self) -> &str {
        &self.public.key_id
    }

    /// The public half of this key.
    pub fn public_key(&self) -> PublicKey {
        self.public.clone()
    }

    /// Signs a compact JWS with header `{"alg":…,"kid":…}` over `payload`.
    fn sign_jws(&self, payload: &Value) -> Result<String, KeyError> {
        let header = json!({ "alg": self.public.algorithm(), "kid": self.public.key_id });
        self.sign_jws_with_header(&header, payload)
    }

    fn sign_jws_with_header(&self, header: &Value, payload: &Value) -> Result<String, KeyError> {
        let header = serde_json::to_vec(header).map_err(|e| KeyError::new(e.to_string()))?;
        let payload = serde_json::to_vec(payload).map_err(|e| KeyError::new(e.to_string()))?;
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header),
            URL_SAFE_NO_PAD.encode(payload)
        );
        let rng = SystemRandom::new();
        let sig = match self.signer.as_ref() {
            Signer::Rsa(pair) => {
                let mut sig = vec![0u8; pair.public().modulus_len()];
                pair.sign(
                    &signature::RSA_PKCS1_SHA256,
                    &rng,
                    signing_input.as_bytes(),
                    &mut sig,
                )
                .map_err(|_| KeyError::new("failed to sign token"))?;
                sig
            }
            Signer::Ecdsa(pair) => pair
                .sign(&rng, signing_input.as_bytes())
                .map_err(|_| KeyError::new("failed to sign token"))?
                .as_ref()
                .to_vec(),
        };
        Ok(format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(sig)))
    }
}

/// Loads every public key of a PEM bundle: `PUBLIC KEY` (PKIX), `RSA PUBLIC KEY`
/// (PKCS#1), `CERTIFICATE`, and the public half of `RSA PRIVATE KEY`,
/// `EC PRIVATE KEY` and `PRIVATE KEY` blocks. Blocks that hold no key are skipped,
/// as upstream's `keyutil.ParsePublicKeysPEM` does; keys on unsupported curves
/// are an error.
pub fn public_keys_from_pem(pem: &[u8]) -> Result<Vec<PublicKey>, KeyError> {
    let mut keys = Vec::new();
    for block in pem_blocks(pem) {
        let material = match block.label.as_str() {
            "PUBLIC KEY" => parse_spki(&block.der),
            "RSA PUBLIC KEY" => {
                parse_rsa_public_key(&block.der).map(|(n, e)| KeyMaterial::Rsa { n, e })
            }
            "CERTIFICATE" => certificate_spki(&block.der).and_then(parse_spki),
            "RSA PRIVATE KEY" => rsa_private_key_public_half(&block.der),
            "EC PRIVATE KEY" => sec1_public_half(&block.der, None),
            "PRIVATE KEY" => pkcs8_public_half(&block.der),
            _ => continue,
        };
        match material {
            Ok(material) => keys.push(PublicKey::from_material(material)?),
            Err(err) if err.0.starts_with("unsupported elliptic curve") => return Err(err),
            Err(_) => continue,
        }
    }
    if keys.is_empty() {
        return Err(KeyError::new(
            "data does not contain any valid RSA or ECDSA public keys",
        ));
    }
    Ok(keys)
}

/// Generates a fresh ECDSA P-256 signing key, as a PKCS#8 `PRIVATE KEY` PEM.
pub fn generate_signing_key_pem() -> Result<String, KeyError> {
    let doc = EcdsaKeyPair::generate_pkcs8(
        &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
        &SystemRandom::new(),
    )
    .map_err(|_| KeyError::new("failed to generate an ECDSA P-256 key"))?;
    Ok(pem_encode("PRIVATE KEY", doc.as_ref()))
}

/// The key as a PKIX `PUBLIC KEY` PEM block.
pub fn public_key_pem(key: &PublicKey) -> String {
    pem_encode("PUBLIC KEY", &key.spki)
}

// ---------------------------------------------------------------------------
// Claims
// ---------------------------------------------------------------------------

/// A reference to a bound object (or the ServiceAccount) in the claims.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ref {
    pub name: String,
    pub uid: String,
}

/// The claims of a ServiceAccount token.
///
/// Times are Unix seconds; `0` means the claim is absent. Legacy tokens
/// (`legacy: true`) carry only issuer, subject, namespace, the ServiceAccount
/// and the Secret name (`secret.uid` is empty).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claims {
    pub issuer: String,
    pub subject: String,
    pub audiences: Vec<String>,
    pub expiry: i64,
    pub issued_at: i64,
    pub not_before: i64,
    pub id: String,
    pub namespace: String,
    pub service_account: Ref,
    pub pod: Option<Ref>,
    pub secret: Option<Ref>,
    pub node: Option<Ref>,
    pub warn_after: Option<i64>,
    pub legacy: bool,
}

/// `system:serviceaccount:<namespace>:<name>`.
pub fn make_username(namespace: &str, name: &str) -> String {
    format!("{USERNAME_PREFIX}{namespace}:{name}")
}

fn ref_json(r: &Ref) -> Value {
    let mut map = serde_json::Map::new();
    if !r.name.is_empty() {
        map.insert("name".into(), Value::String(r.name.clone()));
    }
    if !r.uid.is_empty() {
        map.insert("uid".into(), Value::String(r.uid.clone()));
    }
    Value::Object(map)
}

fn bound_payload(claims: &Claims) -> Value {
    let mut map = serde_json::Map::new();
    if !claims.issuer.is_empty() {
        map.insert("iss".into(), Value::String(claims.issuer.clone()));
    }
    if !claims.subject.is_empty() {
        map.insert("sub".into(), Value::String(claims.subject.clone()));
    }
    if !claims.audiences.is_empty() {
        map.insert("aud".into(), json!(claims.audiences));
    }
    for (key, value) in [
        ("exp", claims.expiry),
        ("iat", claims.issued_at),
        ("nbf", claims.not_before),
    ] {
        if value != 0 {
            map.insert(key.into(), json!(value));
        }
    }
    if !claims.id.is_empty() {
        map.insert("jti".into(), Value::String(claims.id.clone()));
    }
    let mut k8s = serde_json::Map::new();
    if !claims.namespace.is_empty() {
        k8s.insert("namespace".into(), Value::String(claims.namespace.clone()));
    }
    k8s.insert("serviceaccount".into(), ref_json(&claims.service_account));
    for (key, value) in [
        ("pod", &claims.pod),
        ("secret", &claims.secret),
        ("node", &claims.node),
    ] {
        if let Some(r) = value {
            k8s.insert(key.into(), ref_json(r));
        }
    }
    if let Some(warn_after) = claims.warn_after.filter(|w| *w != 0) {
        k8s.insert("warnafter".into(), json!(warn_after));
    }
    map.insert("kubernetes.io".into(), Value::Object(k8s));
    Value::Object(map)
}

fn legacy_payload(namespace: &str, service_account: &Ref, secret_name: &str) -> Value {
    json!({
        "iss": LEGACY_ISSUER,
        "sub": make_username(namespace, &service_account.name),
        LEGACY_NAMESPACE_CLAIM: namespace,
        LEGACY_SECRET_NAME_CLAIM: secret_name,
        LEGACY_SA_NAME_CLAIM: service_account.name,
        LEGACY_SA_UID_CLAIM: service_account.uid,
    })
}

/// Signs a bound token carrying `claims` (the caller fills in issuer, subject,
/// times and `jti`). A token binds to at most a Secret, or a Pod (optionally
/// with its Node), or a Node. Claims with `legacy: true` are signed in the
/// legacy format instead.
pub fn sign_bound(key: &SigningKey, claims: &Claims) -> Result<String, KeyError> {
    if claims.legacy {
        let secret = claims.secret.clone().unwrap_or(Ref {
            name: String::new(),
            uid: String::new(),
        });
        return sign_legacy(key, &claims.namespace, &claims.service_account, &secret);
    }
    if claims.secret.is_some() && (claims.pod.is_some() || claims.node.is_some()) {
        return Err(KeyError::new(
            "internal error, token can only be bound to one object type",
        ));
    }
    key.sign_jws(&bound_payload(claims))
}

/// Signs a legacy Secret-based token (issuer `kubernetes/serviceaccount`, no
/// audience and no expiry), as the token controller puts into
/// `kubernetes.io/service-account-token` Secrets.
pub fn sign_legacy(
    key: &SigningKey,
    namespace: &str,
    service_account: &Ref,
    secret: &Ref,
) -> Result<String, KeyError> {
    key.sign_jws(&legacy_payload(namespace, service_account, &secret.name))
}

// ---------------------------------------------------------------------------
// Verification
// ---------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(untagged)]
enum Audience {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize, Default)]
struct RawRef {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    uid: Option<String>,
}

impl RawRef {
    fn into_ref(self) -> Ref {
        Ref {
            name: self.name.unwrap_or_default(),
            uid: self.uid.unwrap_or_default(),
        }
    }
}

#[derive(Deserialize, Default)]
struct RawKubernetes {
    #[serde(default)]
    namespace: Option<String>,
    #[serde(default)]
    serviceaccount: Option<RawRef>,
    #[serde(default)]
    pod: Option<RawRef>,
    #[serde(default)]
    secret: Option<RawRef>,
    #[serde(default)]
    node: Option<RawRef>,
    #[serde(default)]
    warnafter: Option<f64>,
}

#[derive(Deserialize, Default)]
struct RawClaims {
    #[serde(default)]
    iss: Option<String>,
    #[serde(default)]
    sub: Option<String>,
    #[serde(default)]
    aud: Option<Audience>,
    #[serde(default)]
    exp: Option<f64>,
    #[serde(default)]
    nbf: Option<f64>,
    #[serde(default)]
    iat: Option<f64>,
    #[serde(default)]
    jti: Option<String>,
    #[serde(default, rename = "kubernetes.io")]
    kubernetes: Option<RawKubernetes>,
    #[serde(default, rename = "kubernetes.io/serviceaccount/namespace")]
    legacy_namespace: Option<String>,
    #[serde(default, rename = "kubernetes.io/serviceaccount/secret.name")]
    legacy_secret_name: Option<String>,
    #[serde(default, rename = "kubernetes.io/serviceaccount/service-account.name")]
    legacy_service_account_name: Option<String>,
    #[serde(default, rename = "kubernetes.io/serviceaccount/service-account.uid")]
    legacy_service_account_uid: Option<String>,
}

/// Go's `int64(float64)` for JWT NumericDates (truncating).
fn numeric_date(value: Option<f64>) -> Option<i64> {
    value.map(|v| v as i64)
}

/// Authenticates ServiceAccount tokens: bound tokens of the configured issuers
/// and legacy tokens (issuer `kubernetes/serviceaccount`).
#[derive(Clone, Debug)]
pub struct Verifier {
    keys: Vec<PublicKey>,
    issuers: Vec<String>,
    api_audiences: Vec<String>,
}

impl Verifier {
    /// `keys` verify signatures (tried in turn, narrowed by the token's `kid`),
    /// `issuers` are the accepted `iss` values of bound tokens
    /// (`--service-account-issuer`), `api_audiences` the API server's audiences
    /// (`--api-audiences`; tokens must name one of them). Legacy tokens (iss
    /// `kubernetes/serviceaccount`) are also accepted, without audience or
    /// expiry checks.
    pub fn new(keys: Vec<PublicKey>, issuers: Vec<String>, api_audiences: Vec<String>) -> Verifier {
        Verifier {
            keys,
            issuers,
            api_audiences,
        }
    }

    /// Verifies `token` at `now_unix`.
    ///
    /// `Ok(None)`: not a JWT, or a JWT of an issuer this verifier does not know
    /// (the authentication chain goes on). `Err`: ours but invalid. `Ok(Some)`:
    /// valid claims; the caller still checks that the referenced objects exist.
    pub fn verify(&self, token: &str, now_unix: i64) -> Result<Option<Claims>, TokenError> {
        // Issuer routing on the unverified payload, as upstream's hasCorrectIssuer.
        if token.trim().starts_with('{') {
            return Ok(None);
        }
        let parts: Vec<&str> = token.split('.').collect();
        let [header_b64, payload_b64, sig_b64] = parts[..] else {
            return Ok(None);
        };
        let Ok(payload) = JWT_B64.decode(payload_b64) else {
            return Ok(None);
        };
        #[derive(Deserialize)]
        struct IssuerOnly {
            #[serde(default)]
            iss: Option<String>,
        }
        let Ok(unverified) = serde_json::from_slice::<IssuerOnly>(&payload) else {
            return Ok(None);
        };
        let issuer = unverified.iss.unwrap_or_default();
        let legacy = issuer == LEGACY_ISSUER;
        if !legacy && !self.issuers.contains(&issuer) {
            return Ok(None);
        }

        // Parse the compact JWS; a malformed one is not ours to judge.
        let Ok(header) = JWT_B64.decode(header_b64.trim_end_matches('=')) else {
            return Ok(None);
        };
        let Ok(sig) = JWT_B64.decode(sig_b64.trim_end_matches('=')) else {
            return Ok(None);
        };
        #[derive(Deserialize)]
        struct Header {
            alg: String,
            #[serde(default)]
            kid: Option<String>,
        }
        let Ok(header) = serde_json::from_slice::<Header>(&header) else {
            return Ok(None);
        };
        if !matches!(header.alg.as_str(), "RS256" | "ES256" | "ES384" | "ES512") {
            return Ok(None);
        }

        // Signature: keys with the token's kid, or all keys without one.
        let kid = header.kid.unwrap_or_default();
        let candidates: Vec<&PublicKey> = self
            .keys
            .iter()
            .filter(|k| kid.is_empty() || k.key_id == kid)
            .collect();
        if candidates.is_empty() {
            return Err(TokenError::new("invalid signature, no keys found"));
        }
        let signing_input = &token[..header_b64.len() + 1 + payload_b64.len()];
        let mut errors = Vec::new();
        let mut verified = false;
        for key in candidates {
            match key.verify_signature(&header.alg, signing_input.as_bytes(), &sig) {
                Ok(()) => {
                    verified = true;
                    break;
                }
                Err(err) => errors.push(err),
            }
        }
        if !verified {
            return Err(TokenError::new(aggregate_message(&errors)));
        }

        let raw: RawClaims = serde_json::from_slice(&payload)
            .map_err(|e| TokenError::new(format!("go-jose/go-jose/jwt: {e}")))?;
        if raw.iss.as_deref().unwrap_or_default() != issuer {
            return Err(TokenError::new(format!(
                "token issuer {issuer:?} is invalid"
            )));
        }

        // Audiences: legacy tokens (no aud) are for the API server itself.
        let token_audiences = match raw.aud {
            Some(Audience::One(ref a)) => vec![a.clone()],
            Some(Audience::Many(ref a)) => a.clone(),
            None => Vec::new(),
        };
        let effective = if token_audiences.is_empty() {
            self.api_audiences.clone()
        } else {
            token_audiences.clone()
        };
        let requested = &self.api_audiences;
        let intersects = effective.iter().any(|a| requested.contains(a));
        if !intersects && !self.api_audiences.is_empty() {
            return Err(TokenError::new(format!(
                "token audiences {} is invalid for the target audiences {}",
                go_quote_list(&effective),
                go_quote_list(requested)
            )));
        }

        if legacy {
            validate_legacy(raw).map(Some)
        } else {
            validate_bound(raw, token_audiences, now_unix).map(Some)
        }
    }
}

fn validate_bound(raw: RawClaims, audiences: Vec<String>, now: i64) -> Result<Claims, TokenError> {
    let exp = numeric_date(raw.exp);
    let nbf = numeric_date(raw.nbf);
    let iat = numeric_date(raw.iat);
    if nbf.is_some_and(|nbf| now.saturating_add(LEEWAY_SECONDS) < nbf) {
        return Err(TokenError::new("service account token is not valid yet"));
    }
    if exp.is_some_and(|exp| now.saturating_sub(LEEWAY_SECONDS) > exp) {
        return Err(TokenError::new("service account token has expired"));
    }
    if iat.is_some_and(|iat| now.saturating_add(LEEWAY_SECONDS) < iat) {
        return Err(TokenError::new(
            "service account token is issued in the future",
        ));
    }
    let k8s = raw.kubernetes.unwrap_or_default();
    let namespace = k8s.namespace.unwrap_or_default();
    let service_account = k8s.serviceaccount.unwrap_or_default().into_ref();
    if namespace.is_empty() || service_account.name.is_empty() {
        // What the ServiceAccount lookup upstream ends in for such a token.
        return Err(TokenError::new(format!(
            "serviceaccount {:?} not found",
            service_account.name
        )));
    }
    Ok(Claims {
        issuer: raw.iss.unwrap_or_default(),
        subject: raw.sub.unwrap_or_default(),
        audiences,
        expiry: exp.unwrap_or(0),
        issued_at: iat.unwrap_or(0),
        not_before: nbf.unwrap_or(0),
        id: raw.jti.unwrap_or_default(),
        namespace,
        service_account,
        pod: k8s.pod.map(RawRef::into_ref),
        secret: k8s.secret.map(RawRef::into_ref),
        node: k8s.node.map(RawRef::into_ref),
        warn_after: numeric_date(k8s.warnafter).filter(|w| *w != 0),
        legacy: false,
    })
}

fn validate_legacy(raw: RawClaims) -> Result<Claims, TokenError> {
    let subject = raw.sub.unwrap_or_default();
    if subject.is_empty() {
        return Err(TokenError::new("sub claim is missing"));
    }
    let namespace = raw.legacy_namespace.unwrap_or_default();
    if namespace.is_empty() {
        return Err(TokenError::new("namespace claim is missing"));
    }
    let secret_name = raw.legacy_secret_name.unwrap_or_default();
    if secret_name.is_empty() {
        return Err(TokenError::new("secretName claim is missing"));
    }
    let sa_name = raw.legacy_service_account_name.unwrap_or_default();
    if sa_name.is_empty() {
        return Err(TokenError::new("serviceAccountName claim is missing"));
    }
    let sa_uid = raw.legacy_service_account_uid.unwrap_or_default();
    if sa_uid.is_empty() {
        return Err(TokenError::new("serviceAccountUID claim is missing"));
    }
    match split_username(&subject) {
        Some((ns, name)) if ns == namespace && name == sa_name => {}
        _ => return Err(TokenError::new("sub claim is invalid")),
    }
    Ok(Claims {
        issuer: LEGACY_ISSUER.to_string(),
        subject,
        audiences: Vec::new(),
        expiry: 0,
        issued_at: 0,
        not_before: 0,
        id: String::new(),
        namespace,
        service_account: Ref {
            name: sa_name,
            uid: sa_uid,
        },
        pod: None,
        secret: Some(Ref {
            name: secret_name,
            uid: String::new(),
        }),
        node: None,
        warn_after: None,
        legacy: true,
    })
}

/// The namespace and name in a ServiceAccount user name, if it is one.
pub fn split_username(username: &str) -> Option<(&str, &str)> {
    let rest = username.strip_prefix(USERNAME_PREFIX)?;
    let mut parts = rest.split(':');
    let (namespace, name) = (parts.next()?, parts.next()?);
    if parts.next().is_some() || !is_dns1123_label(namespace) || !is_dns1123_subdomain(name) {
        return None;
    }
    Some((namespace, name))
}

fn is_dns1123_label(s: &str) -> bool {
    let bytes = s.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 63
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
        && bytes[0] != b'-'
        && bytes[bytes.len() - 1] != b'-'
}

fn is_dns1123_subdomain(s: &str) -> bool {
    s.len() <= 253 && s.split('.').all(is_dns1123_label)
}

/// The user a verified token authenticates as: name, uid, groups and extra.
pub fn user_of(claims: &Claims) -> (String, String, Vec<String>, BTreeMap<String, Vec<String>>) {
    let name = make_username(&claims.namespace, &claims.service_account.name);
    let groups = vec![
        ALL_SERVICE_ACCOUNTS_GROUP.to_string(),
        format!("{SERVICE_ACCOUNT_GROUP_PREFIX}{}", claims.namespace),
    ];
    let mut extra = BTreeMap::new();
    if let Some(pod) = claims
        .pod
        .as_ref()
        .filter(|pod| !pod.name.is_empty() && !pod.uid.is_empty())
    {
        extra.insert(POD_NAME_KEY.to_string(), vec![pod.name.clone()]);
        extra.insert(POD_UID_KEY.to_string(), vec![pod.uid.clone()]);
    }
    if !claims.legacy && !claims.id.is_empty() {
        extra.insert(
            CREDENTIAL_ID_KEY.to_string(),
            vec![format!("JTI={}", claims.id)],
        );
    }
    // The node UID is only reported along with the node name.
    if let Some(node) = claims.node.as_ref().filter(|node| !node.name.is_empty()) {
        extra.insert(NODE_NAME_KEY.to_string(), vec![node.name.clone()]);
        if !node.uid.is_empty() {
            extra.insert(NODE_UID_KEY.to_string(), vec![node.uid.clone()]);
        }
    }
    (name, claims.service_account.uid.clone(), groups, extra)
}

// ---------------------------------------------------------------------------
// OIDC discovery
// ---------------------------------------------------------------------------

/// The `/.well-known/openid-configuration` document, advertising both
/// algorithms this module signs with (`ES256`, `RS256`). Use
/// [`openid_configuration_for_keys`] to list exactly the keys' algorithms, as
/// upstream does.
pub fn openid_configuration(issuer: &str, jwks_uri: &str) -> Value {
    discovery_document(issuer, jwks_uri, vec!["ES256", "RS256"])
}

/// The `/.well-known/openid-configuration` document with
/// `id_token_signing_alg_values_supported` derived from `keys` (sorted, unique).
pub fn openid_configuration_for_keys(issuer: &str, jwks_uri: &str, keys: &[PublicKey]) -> Value {
    let mut algs: Vec<&str> = keys.iter().map(PublicKey::algorithm).collect();
    algs.sort_unstable();
    algs.dedup();
    discovery_document(issuer, jwks_uri, algs)
}

fn discovery_document(issuer: &str, jwks_uri: &str, algs: Vec<&str>) -> Value {
    json!({
        "issuer": issuer,
        "jwks_uri": jwks_uri,
        "response_types_supported": ["id_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": algs,
    })
}

/// The `/openid/v1/jwks` document: the public keys as a JSON Web Key Set.
pub fn jwks(keys: &[PublicKey]) -> Value {
    json!({ "keys": keys.iter().map(PublicKey::jwk).collect::<Vec<_>>() })
}

// ---------------------------------------------------------------------------
// Helpers: messages
// ---------------------------------------------------------------------------

/// apimachinery's aggregate error text: one message as is, several
/// (de-duplicated) as `[a, b]`.
fn aggregate_message(errors: &[String]) -> String {
    match errors {
        [] => String::new(),
        [one] => one.clone(),
        _ => {
            let mut seen: Vec<&str> = Vec::new();
            for e in errors {
                if !seen.contains(&e.as_str()) {
                    seen.push(e);
                }
            }
            if seen.len() == 1 {
                seen[0].to_string()
            } else {
                format!("[{}]", seen.join(", "))
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Helpers: base64 and PEM
// ---------------------------------------------------------------------------

/// Go's `base64.RawURLEncoding`: no padding, lenient about trailing bits.
const JWT_B64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::RequireNone)
        .with_decode_allow_trailing_bits(true),
);

struct PemBlock {
    label: String,
    der: Vec<u8>,
}

/// The PEM blocks of `data`, in order; text around blocks and blocks whose
/// base64 is broken are skipped.
fn pem_blocks(data: &[u8]) -> Vec<PemBlock> {
    let text = String::from_utf8_lossy(data);
    let mut blocks = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let line = line.trim();
        let Some(label) = line
            .strip_prefix("-----BEGIN ")
            .and_then(|l| l.strip_suffix("-----"))
        else {
            continue;
        };
        let end = format!("-----END {label}-----");
        let mut body = String::new();
        let mut closed = false;
        for inner in lines.by_ref() {
            let inner = inner.trim();
            if inner == end {
                closed = true;
                break;
            }
            if inner.contains(':') {
                continue; // RFC 1421 headers
            }
            body.push_str(inner);
        }
        if !closed {
            break;
        }
        if let Ok(der) = STANDARD.decode(body.as_bytes()) {
            blocks.push(PemBlock {
                label: label.to_string(),
                der,
            });
        }
    }
    blocks
}

fn pem_encode(label: &str, der: &[u8]) -> String {
    let b64 = STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

// ---------------------------------------------------------------------------
// Helpers: DER
// ---------------------------------------------------------------------------

const OID_RSA_ENCRYPTION: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
const OID_EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
const OID_P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
const OID_P384: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x22];
const OID_P521: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x23];

const TAG_INTEGER: u8 = 0x02;
const TAG_BIT_STRING: u8 = 0x03;
const TAG_OCTET_STRING: u8 = 0x04;
const TAG_NULL: u8 = 0x05;
const TAG_OID: u8 = 0x06;
const TAG_SEQUENCE: u8 = 0x30;

fn der_error() -> KeyError {
    KeyError::new("malformed DER key data")
}

/// Reads one TLV: (tag, contents, rest).
fn read_tlv(input: &[u8]) -> Result<(u8, &[u8], &[u8]), KeyError> {
    let (&tag, rest) = input.split_first().ok_or_else(der_error)?;
    let (&first, mut rest) = rest.split_first().ok_or_else(der_error)?;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 || rest.len() < count {
            return Err(der_error());
        }
        let mut len = 0usize;
        for &b in &rest[..count] {
            len = (len << 8) | usize::from(b);
        }
        rest = &rest[count..];
        len
    };
    if rest.len() < len {
        return Err(der_error());
    }
    Ok((tag, &rest[..len], &rest[len..]))
}

fn expect_tlv(input: &[u8], tag: u8) -> Result<(&[u8], &[u8]), KeyError> {
    let (actual, contents, rest) = read_tlv(input)?;
    if actual != tag {
        return Err(der_error());
    }
    Ok((contents, rest))
}

/// A non-negative INTEGER's magnitude, without leading zeros.
fn unsigned_integer(contents: &[u8]) -> Result<Vec<u8>, KeyError> {
    if contents.first().is_some_and(|b| b & 0x80 != 0) {
        return Err(der_error());
    }
    let start = contents
        .iter()
        .position(|b| *b != 0)
        .unwrap_or(contents.len());
    Ok(contents[start..].to_vec())
}

fn bit_string_bytes(contents: &[u8]) -> Result<&[u8], KeyError> {
    match contents.split_first() {
        Some((0, bytes)) => Ok(bytes),
        _ => Err(der_error()),
    }
}

fn der_tlv(tag: u8, contents: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = contents.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let start = bytes
            .iter()
            .position(|b| *b != 0)
            .unwrap_or(bytes.len() - 1);
        out.push(0x80 | (bytes.len() - start) as u8);
        out.extend_from_slice(&bytes[start..]);
    }
    out.extend_from_slice(contents);
    out
}

fn der_unsigned(magnitude: &[u8]) -> Vec<u8> {
    let start = magnitude
        .iter()
        .position(|b| *b != 0)
        .unwrap_or(magnitude.len());
    let magnitude = &magnitude[start..];
    let mut contents = Vec::with_capacity(magnitude.len() + 1);
    if magnitude.first().is_none_or(|b| b & 0x80 != 0) {
        contents.push(0);
    }
    contents.extend_from_slice(magnitude);
    der_tlv(TAG_INTEGER, &contents)
}

/// PKCS#1 `RSAPublicKey` DER.
fn rsa_public_key_der(n: &[u8], e: &[u8]) -> Vec<u8> {
    let mut contents = der_unsigned(n);
    contents.extend(der_unsigned(e));
    der_tlv(TAG_SEQUENCE, &contents)
}

/// Canonical PKIX `SubjectPublicKeyInfo` DER, as Go's `x509.MarshalPKIXPublicKey`.
fn spki_der(material: &KeyMaterial) -> Vec<u8> {
    let (algorithm, key) = match material {
        KeyMaterial::Rsa { n, e } => {
            let mut alg = der_tlv(TAG_OID, OID_RSA_ENCRYPTION);
            alg.extend(der_tlv(TAG_NULL, &[]));
            (alg, rsa_public_key_der(n, e))
        }
        KeyMaterial::Ec { curve, point } => {
            let mut alg = der_tlv(TAG_OID, OID_EC_PUBLIC_KEY);
            alg.extend(der_tlv(TAG_OID, curve.oid()));
            (alg, point.clone())
        }
    };
    let mut bits = vec![0u8];
    bits.extend(key);
    let mut contents = der_tlv(TAG_SEQUENCE, &algorithm);
    contents.extend(der_tlv(TAG_BIT_STRING, &bits));
    der_tlv(TAG_SEQUENCE, &contents)
}

/// Parses PKCS#1 `RSAPublicKey` into (n, e).
fn parse_rsa_public_key(der: &[u8]) -> Result<(Vec<u8>, Vec<u8>), KeyError> {
    let (seq, _) = expect_tlv(der, TAG_SEQUENCE)?;
    let (n, rest) = expect_tlv(seq, TAG_INTEGER)?;
    let (e, _) = expect_tlv(rest, TAG_INTEGER)?;
    Ok((unsigned_integer(n)?, unsigned_integer(e)?))
}

/// Parses a PKIX `SubjectPublicKeyInfo`.
fn parse_spki(der: &[u8]) -> Result<KeyMaterial, KeyError> {
    let (seq, _) = expect_tlv(der, TAG_SEQUENCE)?;
    let (algorithm, rest) = expect_tlv(seq, TAG_SEQUENCE)?;
    let (bits, _) = expect_tlv(rest, TAG_BIT_STRING)?;
    let key = bit_string_bytes(bits)?;
    let (oid, params) = expect_tlv(algorithm, TAG_OID)?;
    match oid {
        OID_RSA_ENCRYPTION => {
            let (n, e) = parse_rsa_public_key(key)?;
            Ok(KeyMaterial::Rsa { n, e })
        }
        OID_EC_PUBLIC_KEY => {
            let (curve_oid, _) = expect_tlv(params, TAG_OID)?;
            Ok(KeyMaterial::Ec {
                curve: Curve::from_oid(curve_oid)?,
                point: key.to_vec(),
            })
        }
        _ => Err(KeyError::new("unknown public key algorithm")),
    }
}

/// The `subjectPublicKeyInfo` DER inside an X.509 certificate.
fn certificate_spki(der: &[u8]) -> Result<&[u8], KeyError> {
    let (cert, _) = expect_tlv(der, TAG_SEQUENCE)?;
    let (tbs, _) = expect_tlv(cert, TAG_SEQUENCE)?;
    let mut rest = tbs;
    // [0] version is optional.
    let (tag, _, after) = read_tlv(rest)?;
    if tag == 0xa0 {
        rest = after;
    }
    // serialNumber, signature, issuer, validity, subject.
    for _ in 0..5 {
        let (_, _, after) = read_tlv(rest)?;
        rest = after;
    }
    let (tag, _, after) = read_tlv(rest)?;
    if tag != TAG_SEQUENCE {
        return Err(der_error());
    }
    Ok(&rest[..rest.len() - after.len()])
}

/// The public half of a PKCS#1 `RSAPrivateKey`.
fn rsa_private_key_public_half(der: &[u8]) -> Result<KeyMaterial, KeyError> {
    let (seq, _) = expect_tlv(der, TAG_SEQUENCE)?;
    let (_version, rest) = expect_tlv(seq, TAG_INTEGER)?;
    let (n, rest) = expect_tlv(rest, TAG_INTEGER)?;
    let (e, _) = expect_tlv(rest, TAG_INTEGER)?;
    Ok(KeyMaterial::Rsa {
        n: unsigned_integer(n)?,
        e: unsigned_integer(e)?,
    })
}

struct Sec1Key<'a> {
    curve: Curve,
    scalar: &'a [u8],
    public_point: Option<&'a [u8]>,
}

/// Parses a SEC1 `ECPrivateKey`; `outer_curve` comes from a PKCS#8 wrapper.
fn parse_sec1(der: &[u8], outer_curve: Option<Curve>) -> Result<Sec1Key<'_>, KeyError> {
    let (seq, _) = expect_tlv(der, TAG_SEQUENCE)?;
    let (_version, rest) = expect_tlv(seq, TAG_INTEGER)?;
    let (scalar, mut rest) = expect_tlv(rest, TAG_OCTET_STRING)?;
    let mut curve = outer_curve;
    let mut public_point = None;
    while !rest.is_empty() {
        let (tag, contents, after) = read_tlv(rest)?;
        match tag {
            0xa0 => {
                let (oid, _) = expect_tlv(contents, TAG_OID)?;
                curve = Some(Curve::from_oid(oid)?);
            }
            0xa1 => {
                let (bits, _) = expect_tlv(contents, TAG_BIT_STRING)?;
                public_point = Some(bit_string_bytes(bits)?);
            }
            _ => {}
        }
        rest = after;
    }
    let curve = curve.ok_or_else(|| KeyError::new("EC private key without a named curve"))?;
    Ok(Sec1Key {
        curve,
        scalar,
        public_point,
    })
}

fn sec1_public_half(der: &[u8], outer_curve: Option<Curve>) -> Result<KeyMaterial, KeyError> {
    let key = parse_sec1(der, outer_curve)?;
    let point = key.public_point.ok_or_else(|| {
        KeyError::new("EC private keys without their public key are not supported")
    })?;
    Ok(KeyMaterial::Ec {
        curve: key.curve,
        point: point.to_vec(),
    })
}

enum Pkcs8Algorithm {
    Rsa,
    Ec(Option<Curve>),
}

struct Pkcs8Info<'a> {
    algorithm: Pkcs8Algorithm,
    private_key: &'a [u8],
}

fn parse_pkcs8(der: &[u8]) -> Result<Pkcs8Info<'_>, KeyError> {
    let (seq, _) = expect_tlv(der, TAG_SEQUENCE)?;
    let (_version, rest) = expect_tlv(seq, TAG_INTEGER)?;
    let (algorithm, rest) = expect_tlv(rest, TAG_SEQUENCE)?;
    let (private_key, _) = expect_tlv(rest, TAG_OCTET_STRING)?;
    let (oid, params) = expect_tlv(algorithm, TAG_OID)?;
    let algorithm = match oid {
        OID_RSA_ENCRYPTION => Pkcs8Algorithm::Rsa,
        OID_EC_PUBLIC_KEY => {
            let curve = match read_tlv(params) {
                Ok((TAG_OID, curve_oid, _)) => Some(Curve::from_oid(curve_oid)?),
                _ => None,
            };
            Pkcs8Algorithm::Ec(curve)
        }
        _ => {
            return Err(KeyError::new(
                "unsupported PKCS#8 private key algorithm, must be RSA or ECDSA",
            ));
        }
    };
    Ok(Pkcs8Info {
        algorithm,
        private_key,
    })
}

fn pkcs8_public_half(der: &[u8]) -> Result<KeyMaterial, KeyError> {
    let info = parse_pkcs8(der)?;
    match info.algorithm {
        Pkcs8Algorithm::Rsa => rsa_private_key_public_half(info.private_key),
        Pkcs8Algorithm::Ec(curve) => sec1_public_half(info.private_key, curve),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Test keys from upstream's pkg/serviceaccount tests (fake values).
    const RSA_PRIVATE_KEY: &str = "-----BEGIN RSA PRIVATE KEY-----
MIIEowIBAAKCAQEA249XwEo9k4tM8fMxV7zxOhcrP+WvXn917koM5Qr2ZXs4vo26
e4ytdlrV0bQ9SlcLpQVSYjIxNfhTZdDt+ecIzshKuv1gKIxbbLQMOuK1eA/4HALy
EkFgmS/tleLJrhc65tKPMGD+pKQ/xhmzRuCG51RoiMgbQxaCyYxGfNLpLAZK9L0T
ctv9a0mJmGIYnIOQM4kC1A1I1n3EsXMWmeJUj7OTh/AjjCnMnkgvKT2tpKxYQ59P
gDgU8Ssc7RDSmSkLxnrv+OrN80j6xrw0OjEiB4Ycr0PqfzZcvy8efTtFQ/Jnc4Bp
1zUtFXt7+QeevePtQ2EcyELXE0i63T1CujRMWwIDAQABAoIBAHJx8GqyCBDNbqk7
e7/hI9iE1S10Wwol5GH2RWxqX28cYMKq+8aE2LI1vPiXO89xOgelk4DN6urX6xjK
ZBF8RRIMQy/e/O2F4+3wl+Nl4vOXV1u6iVXMsD6JRg137mqJf1Fr9elg1bsaRofL
Q7CxPoB8dhS+Qb+hj0DhlqhgA9zG345CQCAds0ZYAZe8fP7bkwrLqZpMn7Dz9WVm
++YgYYKjuE95kPuup/LtWfA9rJyE/Fws8/jGvRSpVn1XglMLSMKhLd27sE8ZUSV0
2KUzbfRGE0+AnRULRrjpYaPu0XQ2JjdNvtkjBnv27RB89W9Gklxq821eH1Y8got8
FZodjxECgYEA93pz7AQZ2xDs67d1XLCzpX84GxKzttirmyj3OIlxgzVHjEMsvw8v
sjFiBU5xEEQDosrBdSknnlJqyiq1YwWG/WDckr13d8G2RQWoySN7JVmTQfXcLoTu
YGRiiTuoEi3ab3ZqrgGrFgX7T/cHuasbYvzCvhM2b4VIR3aSxU2DTUMCgYEA4x7J
T/ErP6GkU5nKstu/mIXwNzayEO1BJvPYsy7i7EsxTm3xe/b8/6cYOz5fvJLGH5mT
Q8YvuLqBcMwZardrYcwokD55UvNLOyfADDFZ6l3WntIqbA640Ok2g1X4U8J09xIq
ZLIWK1yWbbvi4QCeN5hvWq47e8sIj5QHjIIjRwkCgYEAyNqjltxFN9zmzPDa2d24
EAvOt3pYTYBQ1t9KtqImdL0bUqV6fZ6PsWoPCgt+DBuHb+prVPGP7Bkr/uTmznU/
+AlTO+12NsYLbr2HHagkXE31DEXE7CSLa8RNjN/UKtz4Ohq7vnowJvG35FCz/mb3
FUHbtHTXa2+bGBUOTf/5Hw0CgYBxw0r9EwUhw1qnUYJ5op7OzFAtp+T7m4ul8kCa
SCL8TxGsgl+SQ34opE775dtYfoBk9a0RJqVit3D8yg71KFjOTNAIqHJm/Vyyjc+h
i9rJDSXiuczsAVfLtPVMRfS0J9QkqeG4PIfkQmVLI/CZ2ZBmsqEcX+eFs4ZfPLun
Qsxe2QKBgGuPilIbLeIBDIaPiUI0FwU8v2j8CEQBYvoQn34c95hVQsig/o5z7zlo
UsO0wlTngXKlWdOcCs1kqEhTLrstf48djDxAYAxkw40nzeJOt7q52ib/fvf4/UBy
X024wzbiw1q07jFCyfQmODzURAx1VNT7QVUMdz/N8vy47/H40AZJ
-----END RSA PRIVATE KEY-----
";

    // The same RSA key as PKCS#8 (`openssl pkcs8 -topk8 -nocrypt`).
    const RSA_PKCS8_KEY: &str = "-----BEGIN PRIVATE KEY-----
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDbj1fASj2Ti0zx
8zFXvPE6Fys/5a9ef3XuSgzlCvZlezi+jbp7jK12WtXRtD1KVwulBVJiMjE1+FNl
0O355wjOyEq6/WAojFtstAw64rV4D/gcAvISQWCZL+2V4smuFzrm0o8wYP6kpD/G
GbNG4IbnVGiIyBtDFoLJjEZ80uksBkr0vRNy2/1rSYmYYhicg5AziQLUDUjWfcSx
cxaZ4lSPs5OH8COMKcyeSC8pPa2krFhDn0+AOBTxKxztENKZKQvGeu/46s3zSPrG
vDQ6MSIHhhyvQ+p/Nly/Lx59O0VD8mdzgGnXNS0Ve3v5B5694+1DYRzIQtcTSLrd
PUK6NExbAgMBAAECggEAcnHwarIIEM1uqTt7v+Ej2ITVLXRbCiXkYfZFbGpfbxxg
wqr7xoTYsjW8+Jc7z3E6B6WTgM3q6tfrGMpkEXxFEgxDL9787YXj7fCX42Xi85dX
W7qJVcywPolGDXfuaol/UWv16WDVuxpGh8tDsLE+gHx2FL5Bv6GPQOGWqGAD3Mbf
jkJAIB2zRlgBl7x8/tuTCsupmkyfsPP1ZWb75iBhgqO4T3mQ+66n8u1Z8D2snIT8
XCzz+Ma9FKlWfVeCUwtIwqEt3buwTxlRJXTYpTNt9EYTT4CdFQtGuOlho+7RdDYm
N02+2SMGe/btEHz1b0aSXGrzbV4fVjyCi3wVmh2PEQKBgQD3enPsBBnbEOzrt3Vc
sLOlfzgbErO22KubKPc4iXGDNUeMQyy/Dy+yMWIFTnEQRAOiysF1KSeeUmrKKrVj
BYb9YNySvXd3wbZFBajJI3slWZNB9dwuhO5gZGKJO6gSLdpvdmquAasWBftP9we5
qxti/MK+EzZvhUhHdpLFTYNNQwKBgQDjHslP8Ss/oaRTmcqy27+YhfA3NrIQ7UEm
89izLuLsSzFObfF79vz/pxg7Pl+8ksYfmZNDxi+4uoFwzBlqt2thzCiQPnlS80s7
J8AMMVnqXdae0ipsDrjQ6TaDVfhTwnT3EipkshYrXJZtu+LhAJ43mG9arjt7ywiP
lAeMgiNHCQKBgQDI2qOW3EU33ObM8NrZ3bgQC863elhNgFDW30q2oiZ0vRtSpXp9
no+xag8KC34MG4dv6mtU8Y/sGSv+5ObOdT/4CVM77XY2xgtuvYcdqCRcTfUMRcTs
JItrxE2M39Qq3Pg6Gru+ejAm8bfkULP+ZvcVQdu0dNdrb5sYFQ5N//kfDQKBgHHD
Sv0TBSHDWqdRgnmins7MUC2n5Pubi6XyQJpIIvxPEayCX5JDfiikTvvl21h+gGT1
rREmpWK3cPzKDvUoWM5M0Aiocmb9XLKNz6GL2skNJeK5zOwBV8u09UxF9LQn1CSp
4bg8h+RCZUsj8JnZkGayoRxf54Wzhl88u6dCzF7ZAoGAa4+KUhst4gEMho+JQjQX
BTy/aPwIRAFi+hCffhz3mFVCyKD+jnPvOWhSw7TCVOeBcqVZ05wKzWSoSFMuuy1/
jx2MPEBgDGTDjSfN4k63urnaJv9+9/j9QHJfTbjDNuLDWrTuMULJ9CY4PNREDHVU
1PtBVQx3P83y/Ljv8fjQBkk=
-----END PRIVATE KEY-----
";

    const RSA_PUBLIC_KEY: &str = "-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA249XwEo9k4tM8fMxV7zx
OhcrP+WvXn917koM5Qr2ZXs4vo26e4ytdlrV0bQ9SlcLpQVSYjIxNfhTZdDt+ecI
zshKuv1gKIxbbLQMOuK1eA/4HALyEkFgmS/tleLJrhc65tKPMGD+pKQ/xhmzRuCG
51RoiMgbQxaCyYxGfNLpLAZK9L0Tctv9a0mJmGIYnIOQM4kC1A1I1n3EsXMWmeJU
j7OTh/AjjCnMnkgvKT2tpKxYQ59PgDgU8Ssc7RDSmSkLxnrv+OrN80j6xrw0OjEi
B4Ycr0PqfzZcvy8efTtFQ/Jnc4Bp1zUtFXt7+QeevePtQ2EcyELXE0i63T1CujRM
WwIDAQAB
-----END PUBLIC KEY-----
";

    const RSA_KEY_ID: &str = "JHJehTTTZlsspKHT-GaJxK7Kd1NQgZJu3fyK6K_QDYU";

    const OTHER_PUBLIC_KEY: &str = "-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEArXz0QkIG1B5Bj2/W69GH
rsm5e+RC3kE+VTgocge0atqlLBek35tRqLgUi3AcIrBZ/0YctMSWDVcRt5fkhWwe
Lqjj6qvAyNyOkrkBi1NFDpJBjYJtuKHgRhNxXbOzTSNpdSKXTfOkzqv56MwHOP25
yP/NNAODUtr92D5ySI5QX8RbXW+uDn+ixul286PBW/BCrE4tuS88dA0tYJPf8LCu
sqQOwlXYH/rNUg4Pyl9xxhR5DIJR0OzNNfChjw60zieRIt2LfM83fXhwk8IxRGkc
gPZm7ZsipmfbZK2Tkhnpsa4QxDg7zHJPMsB5kxRXW0cQipXcC3baDyN9KBApNXa0
PwIDAQAB
-----END PUBLIC KEY-----
";

    const ECDSA_PRIVATE_KEY: &str = "-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIEZmTmUhuanLjPA2CLquXivuwBDHTt5XYwgIr/kA1LtRoAoGCCqGSM49
AwEHoUQDQgAEH6cuzP8XuD5wal6wf9M6xDljTOPLX2i8uIp/C/ASqiIGUeeKQtX0
/IR3qCXyThP/dbCiHrF3v1cuhBOHY8CLVg==
-----END EC PRIVATE KEY-----
";

    const ECDSA_PUBLIC_KEY: &str = "-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEH6cuzP8XuD5wal6wf9M6xDljTOPL
X2i8uIp/C/ASqiIGUeeKQtX0/IR3qCXyThP/dbCiHrF3v1cuhBOHY8CLVg==
-----END PUBLIC KEY-----
";

    const ECDSA_KEY_ID: &str = "SoABiieYuNx4UdqYvZRVeuC6SihxgLrhLy9peHMHpTc";

    // `openssl ecparam -name secp384r1 -genkey -noout`.
    const P384_PRIVATE_KEY: &str = "-----BEGIN EC PRIVATE KEY-----
MIGkAgEBBDCD3tHD9iVulFU0TcCzeyJWOBTB13oM4aGiiyhYRpNZoUJFEOA1ni89
OEaoBjHizGWgBwYFK4EEACKhZANiAATiFxT7a5L8gZ30Cg46TeHeA0Pp69yAAXmb
9+197jXLnaiFplX7gtzvKLsE3NL3vwYO9S9dxEKo8I/hHDYclpbFbJetBH0Wr7wU
1EoyMeivjkvSqytHxe2CQ+2xmghkCG0=
-----END EC PRIVATE KEY-----
";

    // A self-signed certificate for the RSA test key.
    const RSA_CERTIFICATE: &str = "-----BEGIN CERTIFICATE-----
MIIDBzCCAe+gAwIBAgIUZDQnbX7gViG43BycGVehk5VfLXIwDQYJKoZIhvcNAQEL
BQAwEjEQMA4GA1UEAwwHc2EtdGVzdDAgFw0yNjExMjIwMTI5NDNaGA8yMTI2MTAy
OTAxMjk0M1owEjEQMA4GA1UEAwwHc2EtdGVzdDCCASIwDQYJKoZIhvcNAQEBBQAD
ggEPADCCAQoCggEBANuPV8BKPZOLTPHzMVe88ToXKz/lr15/de5KDOUK9mV7OL6N
unuMrXZa1dG0PUpXC6UFUmIyMTX4U2XQ7fnnCM7ISrr9YCiMW2y0DDritXgP+BwC
8hJBYJkv7ZXiya4XOubSjzBg/qSkP8YZs0bghudUaIjIG0MWgsmMRnzS6SwGSvS9
E3Lb/WtJiZhiGJyDkDOJAtQNSNZ9xLFzFpniVI+zk4fwI4wpzJ5ILyk9raSsWEOf
T4A4FPErHO0Q0pkpC8Z67/jqzfNI+sa8NDoxIgeGHK9D6n82XL8vHn07RUPyZ3OA
adc1LRV7e/kHnr3j7UNhHMhC1xNIut09Qro0TFsCAwEAAaNTMFEwHQYDVR0OBBYE
FKiuI7mPq+SqV60ImVVyZ1trX7hrMB8GA1UdIwQYMBaAFKiuI7mPq+SqV60ImVVy
Z1trX7hrMA8GA1UdEwEB/wQFMAMBAf8wDQYJKoZIhvcNAQELBQADggEBANC0hlM0
NzUCv7hb1NIkm0e4V1aU/li8syVQcAJoJhxQeofDsqbm9uyTDpaPiZLGLDhZ7SiD
RVHgZVNG/ai2NMJy+TvKJeFDqprmG+TtYTyuDgYVdhfuLzm1VAzs3ayI37sIxSqD
KLKqF3eH4jo6JTiXBtRcxdmUTawhhaJmxwGt3HUp//U8RTzObLoQXxHORt8MfcBR
3cU39gmKYDF/011pBg8QmtD/Eb3ncXZeyiHgFoZy8EB0VagnNNiOD/+OTqXLVFN2
lMZZXgARA2a9M4wF238eqFN+YSRcPn+mqcBMC5aqPYaAzeNBLxy5IG5Hg6QdA+0G
q8/hltI1T85Ft2s=
-----END CERTIFICATE-----
";

    const ISSUER: &str = "https://kubernetes.default.svc.cluster.local";
    const NOW: i64 = 1_700_000_000;

    fn key(pem: &str) -> SigningKey {
        SigningKey::from_pem(pem.as_bytes()).expect("test key loads")
    }

    fn public(pem: &str) -> PublicKey {
        public_keys_from_pem(pem.as_bytes()).expect("test key loads")[0].clone()
    }

    fn sa() -> Ref {
        Ref {
            name: "my-service-account".into(),
            uid: "12345".into(),
        }
    }

    fn bound_claims() -> Claims {
        Claims {
            issuer: ISSUER.into(),
            subject: make_username("test", "my-service-account"),
            audiences: vec!["api".into()],
            expiry: NOW + 3600,
            issued_at: NOW,
            not_before: NOW,
            id: "5b3c1d2e-jti".into(),
            namespace: "test".into(),
            service_account: sa(),
            pod: Some(Ref {
                name: "web-0".into(),
                uid: "pod-uid".into(),
            }),
            secret: None,
            node: Some(Ref {
                name: "node-a".into(),
                uid: "node-uid".into(),
            }),
            warn_after: Some(NOW + 3607),
            legacy: false,
        }
    }

    fn verifier(keys: Vec<PublicKey>) -> Verifier {
        Verifier::new(keys, vec![ISSUER.into()], vec!["api".into()])
    }

    fn decode_part(token: &str, index: usize) -> Value {
        let part = token.split('.').nth(index).expect("part");
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).expect("base64")).expect("json")
    }

    fn err_text(result: Result<Option<Claims>, TokenError>) -> String {
        match result {
            Err(e) => e.to_string(),
            Ok(v) => panic!("expected an error, got {v:?}"),
        }
    }

    #[test]
    fn key_ids_match_upstream() {
        assert_eq!(key(RSA_PRIVATE_KEY).key_id(), RSA_KEY_ID);
        assert_eq!(key(RSA_PKCS8_KEY).key_id(), RSA_KEY_ID);
        assert_eq!(public(RSA_PUBLIC_KEY).key_id(), RSA_KEY_ID);
        assert_eq!(public(RSA_CERTIFICATE).key_id(), RSA_KEY_ID);
        assert_eq!(public(RSA_PRIVATE_KEY).key_id(), RSA_KEY_ID);
        assert_eq!(public(RSA_PKCS8_KEY).key_id(), RSA_KEY_ID);
        assert_eq!(key(ECDSA_PRIVATE_KEY).key_id(), ECDSA_KEY_ID);
        assert_eq!(public(ECDSA_PUBLIC_KEY).key_id(), ECDSA_KEY_ID);
        assert_eq!(public(ECDSA_PRIVATE_KEY).key_id(), ECDSA_KEY_ID);
    }

    #[test]
    fn public_key_pem_is_pkix() {
        assert_eq!(public_key_pem(&public(RSA_PRIVATE_KEY)), RSA_PUBLIC_KEY);
        assert_eq!(
            public_key_pem(&key(ECDSA_PRIVATE_KEY).public_key()),
            ECDSA_PUBLIC_KEY
        );
    }

    #[test]
    fn public_keys_from_bundle() {
        let bundle = format!(
            "comment\n-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n{RSA_PUBLIC_KEY}{ECDSA_PRIVATE_KEY}{RSA_CERTIFICATE}"
        );
        let keys = public_keys_from_pem(bundle.as_bytes()).expect("bundle loads");
        let ids: Vec<&str> = keys.iter().map(PublicKey::key_id).collect();
        assert_eq!(ids, [RSA_KEY_ID, ECDSA_KEY_ID, RSA_KEY_ID]);

        let err = public_keys_from_pem(b"no keys here").expect_err("no keys");
        assert_eq!(
            err.to_string(),
            "data does not contain any valid RSA or ECDSA public keys"
        );
        let err = SigningKey::from_pem(RSA_PUBLIC_KEY.as_bytes()).expect_err("not private");
        assert_eq!(
            err.to_string(),
            "data does not contain a valid RSA or ECDSA private key"
        );
    }

    #[test]
    fn jwks_and_discovery_match_upstream() {
        let keys = vec![public(RSA_PUBLIC_KEY), public(ECDSA_PUBLIC_KEY)];
        let want: Value = serde_json::from_str(r#"{"keys":[{"use":"sig","kty":"RSA","kid":"JHJehTTTZlsspKHT-GaJxK7Kd1NQgZJu3fyK6K_QDYU","alg":"RS256","n":"249XwEo9k4tM8fMxV7zxOhcrP-WvXn917koM5Qr2ZXs4vo26e4ytdlrV0bQ9SlcLpQVSYjIxNfhTZdDt-ecIzshKuv1gKIxbbLQMOuK1eA_4HALyEkFgmS_tleLJrhc65tKPMGD-pKQ_xhmzRuCG51RoiMgbQxaCyYxGfNLpLAZK9L0Tctv9a0mJmGIYnIOQM4kC1A1I1n3EsXMWmeJUj7OTh_AjjCnMnkgvKT2tpKxYQ59PgDgU8Ssc7RDSmSkLxnrv-OrN80j6xrw0OjEiB4Ycr0PqfzZcvy8efTtFQ_Jnc4Bp1zUtFXt7-QeevePtQ2EcyELXE0i63T1CujRMWw","e":"AQAB"},{"use":"sig","kty":"EC","kid":"SoABiieYuNx4UdqYvZRVeuC6SihxgLrhLy9peHMHpTc","crv":"P-256","alg":"ES256","x":"H6cuzP8XuD5wal6wf9M6xDljTOPLX2i8uIp_C_ASqiI","y":"BlHnikLV9PyEd6gl8k4T_3Wwoh6xd79XLoQTh2PAi1Y"}]}"#).expect("fixture");
        assert_eq!(jwks(&keys), want);

        let want_config: Value = serde_json::from_str(r#"{"issuer":"https://issuer.example.com","jwks_uri":"https://issuer.example.com/openid/v1/jwks","response_types_supported":["id_token"],"subject_types_supported":["public"],"id_token_signing_alg_values_supported":["ES256","RS256"]}"#).expect("fixture");
        let (iss, uri) = (
            "https://issuer.example.com",
            "https://issuer.example.com/openid/v1/jwks",
        );
        assert_eq!(openid_configuration_for_keys(iss, uri, &keys), want_config);
        assert_eq!(openid_configuration(iss, uri), want_config);
        assert_eq!(
            openid_configuration_for_keys(iss, uri, &keys[..1])["id_token_signing_alg_values_supported"],
            json!(["RS256"])
        );
    }

    #[test]
    fn rs256_bound_token_round_trip() {
        for pem in [RSA_PRIVATE_KEY, RSA_PKCS8_KEY] {
            let signing = key(pem);
            let claims = bound_claims();
            let token = sign_bound(&signing, &claims).expect("signs");
            assert_eq!(
                decode_part(&token, 0),
                json!({"alg": "RS256", "kid": RSA_KEY_ID})
            );
            let payload = decode_part(&token, 1);
            assert_eq!(payload["aud"], json!(["api"]));
            assert_eq!(
                payload["sub"],
                "system:serviceaccount:test:my-service-account"
            );
            assert_eq!(
                payload["kubernetes.io"],
                json!({
                    "namespace": "test",
                    "serviceaccount": {"name": "my-service-account", "uid": "12345"},
                    "pod": {"name": "web-0", "uid": "pod-uid"},
                    "node": {"name": "node-a", "uid": "node-uid"},
                    "warnafter": NOW + 3607,
                })
            );
            let got = verifier(vec![public(RSA_PUBLIC_KEY)])
                .verify(&token, NOW)
                .expect("valid")
                .expect("ours");
            assert_eq!(got, claims);
        }
    }

    #[test]
    fn es256_and_es384_round_trip() {
        let generated = generate_signing_key_pem().expect("generates");
        assert!(generated.starts_with("-----BEGIN PRIVATE KEY-----\n"));
        for pem in [ECDSA_PRIVATE_KEY, generated.as_str(), P384_PRIVATE_KEY] {
            let signing = key(pem);
            let token = sign_bound(&signing, &bound_claims()).expect("signs");
            let alg = if pem == P384_PRIVATE_KEY {
                "ES384"
            } else {
                "ES256"
            };
            assert_eq!(
                decode_part(&token, 0),
                json!({"alg": alg, "kid": signing.key_id()})
            );
            // Rotated keys: the kid picks the right one among several.
            let keys = vec![
                public(OTHER_PUBLIC_KEY),
                public(RSA_PUBLIC_KEY),
                signing.public_key(),
            ];
            let reloaded = public_keys_from_pem(public_key_pem(&signing.public_key()).as_bytes())
                .expect("reloads");
            assert_eq!(reloaded[0].key_id(), signing.key_id());
            let got = verifier(keys).verify(&token, NOW).expect("valid");
            assert_eq!(got, Some(bound_claims()));
        }
    }

    #[test]
    fn tampered_or_foreign_signatures_are_rejected() {
        let token = sign_bound(&key(RSA_PRIVATE_KEY), &bound_claims()).expect("signs");
        let (rest, sig) = token.rsplit_once('.').expect("three parts");
        let mut sig: Vec<char> = sig.chars().collect();
        sig[10] = if sig[10] == 'A' { 'B' } else { 'A' };
        let tampered = format!("{rest}.{}", sig.iter().collect::<String>());
        let v = verifier(vec![public(RSA_PUBLIC_KEY)]);
        assert_eq!(err_text(v.verify(&tampered, NOW)), ERR_CRYPTO_FAILURE);

        // A payload changed after signing.
        let mut claims = bound_claims();
        claims.service_account.name = "admin".into();
        let other = sign_bound(&key(RSA_PRIVATE_KEY), &claims).expect("signs");
        let parts: Vec<&str> = token.split('.').collect();
        let swapped = format!(
            "{}.{}.{}",
            parts[0],
            other.split('.').nth(1).expect("payload"),
            parts[2]
        );
        assert_eq!(err_text(v.verify(&swapped, NOW)), ERR_CRYPTO_FAILURE);

        // No key with the token's kid.
        let v = verifier(vec![public(OTHER_PUBLIC_KEY), public(ECDSA_PUBLIC_KEY)]);
        assert_eq!(
            err_text(v.verify(&token, NOW)),
            "invalid signature, no keys found"
        );

        // Without a kid every key is tried; the errors are aggregated.
        let unsigned_kid = key(RSA_PRIVATE_KEY)
            .sign_jws_with_header(&json!({"alg": "RS256"}), &bound_payload(&bound_claims()))
            .expect("signs");
        assert_eq!(
            err_text(v.verify(&unsigned_kid, NOW)),
            format!("[{ERR_CRYPTO_FAILURE}, {ERR_UNSUPPORTED_ALGORITHM}]")
        );
        let v = verifier(vec![public(OTHER_PUBLIC_KEY), public(RSA_PUBLIC_KEY)]);
        assert!(v.verify(&unsigned_kid, NOW).expect("valid").is_some());
    }

    #[test]
    fn tokens_not_ours_are_passed_on() {
        let v = verifier(vec![public(RSA_PUBLIC_KEY)]);
        assert!(v.verify("invalid token", NOW).expect("not ours").is_none());
        assert!(v.verify("a.b.c", NOW).expect("not ours").is_none());
        assert!(
            v.verify("{\"iss\":\"x\"}", NOW)
                .expect("not ours")
                .is_none()
        );

        let mut claims = bound_claims();
        claims.issuer = "https://someone-else.example.com".into();
        let token = sign_bound(&key(RSA_PRIVATE_KEY), &claims).expect("signs");
        assert!(v.verify(&token, NOW).expect("not ours").is_none());

        // An algorithm go-jose is not asked to accept.
        let payload = URL_SAFE_NO_PAD.encode(format!(r#"{{"iss":"{ISSUER}"}}"#));
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none"}"#);
        assert!(
            v.verify(&format!("{header}.{payload}."), NOW)
                .expect("not ours")
                .is_none()
        );
    }

    #[test]
    fn audiences_must_intersect_the_api_audiences() {
        let mut claims = bound_claims();
        claims.audiences = vec!["vault".into(), "other".into()];
        let token = sign_bound(&key(ECDSA_PRIVATE_KEY), &claims).expect("signs");
        let v = verifier(vec![public(ECDSA_PUBLIC_KEY)]);
        assert_eq!(
            err_text(v.verify(&token, NOW)),
            r#"token audiences ["vault" "other"] is invalid for the target audiences ["api"]"#
        );
        // No API audiences configured: any audience passes.
        let v = Verifier::new(vec![public(ECDSA_PUBLIC_KEY)], vec![ISSUER.into()], vec![]);
        assert!(v.verify(&token, NOW).expect("valid").is_some());
    }

    #[test]
    fn times_are_checked_with_leeway() {
        let token = sign_bound(&key(ECDSA_PRIVATE_KEY), &bound_claims()).expect("signs");
        let v = verifier(vec![public(ECDSA_PUBLIC_KEY)]);
        let exp = NOW + 3600;
        assert!(v.verify(&token, exp + 60).expect("within leeway").is_some());
        assert_eq!(
            err_text(v.verify(&token, exp + 61)),
            "service account token has expired"
        );
        assert!(v.verify(&token, NOW - 60).expect("within leeway").is_some());
        assert_eq!(
            err_text(v.verify(&token, NOW - 61)),
            "service account token is not valid yet"
        );

        let mut claims = bound_claims();
        claims.not_before = 0;
        claims.issued_at = NOW + 120;
        let token = sign_bound(&key(ECDSA_PRIVATE_KEY), &claims).expect("signs");
        assert_eq!(
            err_text(v.verify(&token, NOW)),
            "service account token is issued in the future"
        );
    }

    #[test]
    fn legacy_token_round_trip() {
        let secret = Ref {
            name: "my-rsa-secret".into(),
            uid: "secret-uid".into(),
        };
        let token = sign_legacy(&key(RSA_PRIVATE_KEY), "test", &sa(), &secret).expect("signs");
        assert_eq!(
            decode_part(&token, 1),
            json!({
                "iss": "kubernetes/serviceaccount",
                "kubernetes.io/serviceaccount/namespace": "test",
                "kubernetes.io/serviceaccount/secret.name": "my-rsa-secret",
                "kubernetes.io/serviceaccount/service-account.name": "my-service-account",
                "kubernetes.io/serviceaccount/service-account.uid": "12345",
                "sub": "system:serviceaccount:test:my-service-account",
            })
        );
        // Legacy tokens are accepted whatever the bound issuers, and never expire.
        let v = Verifier::new(
            vec![public(RSA_PUBLIC_KEY)],
            vec!["https://other.example.com".into()],
            vec!["api".into()],
        );
        let claims = v
            .verify(&token, i64::MAX / 2)
            .expect("valid")
            .expect("ours");
        assert!(claims.legacy);
        assert_eq!(claims.issuer, LEGACY_ISSUER);
        assert_eq!(claims.namespace, "test");
        assert_eq!(claims.service_account, sa());
        assert_eq!(
            claims.secret.as_ref().map(|s| s.name.as_str()),
            Some("my-rsa-secret")
        );
        let (name, uid, groups, extra) = user_of(&claims);
        assert_eq!(name, "system:serviceaccount:test:my-service-account");
        assert_eq!(uid, "12345");
        assert_eq!(
            groups,
            ["system:serviceaccounts", "system:serviceaccounts:test"]
        );
        assert!(extra.is_empty());

        // Through sign_bound with legacy: true, the same format.
        let again = sign_bound(&key(RSA_PRIVATE_KEY), &claims).expect("signs");
        assert_eq!(decode_part(&again, 1), decode_part(&token, 1));
    }

    #[test]
    fn legacy_claims_are_validated() {
        let signing = key(ECDSA_PRIVATE_KEY);
        let v = verifier(vec![signing.public_key()]);
        let mut payload = legacy_payload("test", &sa(), "s");
        payload["sub"] = json!("system:serviceaccount:other:my-service-account");
        let token = signing.sign_jws(&payload).expect("signs");
        assert_eq!(err_text(v.verify(&token, NOW)), "sub claim is invalid");

        let mut payload = legacy_payload("test", &sa(), "");
        payload["sub"] = json!("system:serviceaccount:test:my-service-account");
        let token = signing.sign_jws(&payload).expect("signs");
        assert_eq!(
            err_text(v.verify(&token, NOW)),
            "secretName claim is missing"
        );
    }

    #[test]
    fn user_of_bound_token() {
        let (name, uid, groups, extra) = user_of(&bound_claims());
        assert_eq!(name, "system:serviceaccount:test:my-service-account");
        assert_eq!(uid, "12345");
        assert_eq!(
            groups,
            ["system:serviceaccounts", "system:serviceaccounts:test"]
        );
        let want: BTreeMap<String, Vec<String>> = [
            ("authentication.kubernetes.io/pod-name", "web-0"),
            ("authentication.kubernetes.io/pod-uid", "pod-uid"),
            ("authentication.kubernetes.io/node-name", "node-a"),
            ("authentication.kubernetes.io/node-uid", "node-uid"),
            (
                "authentication.kubernetes.io/credential-id",
                "JTI=5b3c1d2e-jti",
            ),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), vec![v.to_string()]))
        .collect();
        assert_eq!(extra, want);

        let mut claims = bound_claims();
        claims.pod = Some(Ref {
            name: "web-0".into(),
            uid: String::new(),
        });
        claims.node = Some(Ref {
            name: "node-a".into(),
            uid: String::new(),
        });
        claims.id = String::new();
        let (_, _, _, extra) = user_of(&claims);
        assert_eq!(
            extra.keys().collect::<Vec<_>>(),
            ["authentication.kubernetes.io/node-name"]
        );
    }

    #[test]
    fn binding_to_a_secret_and_a_pod_is_refused() {
        let mut claims = bound_claims();
        claims.secret = Some(Ref {
            name: "s".into(),
            uid: "u".into(),
        });
        let err = sign_bound(&key(RSA_PRIVATE_KEY), &claims).expect_err("refused");
        assert_eq!(
            err.to_string(),
            "internal error, token can only be bound to one object type"
        );
    }

    #[test]
    fn go_quoting() {
        assert_eq!(go_quote_list(&[]), "[]");
        assert_eq!(
            go_quote_list(&["a\"b".into(), "c\\d".into()]),
            r#"["a\"b" "c\\d"]"#
        );
        assert_eq!(
            split_username("system:serviceaccount:ns:name"),
            Some(("ns", "name"))
        );
        assert_eq!(split_username("system:serviceaccount:ns:a:b"), None);
        assert_eq!(split_username("system:serviceaccount:NS:name"), None);
    }
}
