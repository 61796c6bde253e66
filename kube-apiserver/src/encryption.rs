//! Encryption of resources at rest, configured like upstream kube-apiserver's
//! `--encryption-provider-config` (`EncryptionConfiguration`,
//! `apiserver.config.k8s.io/v1`).
//!
//! The module parses and validates the configuration (with upstream's field paths
//! and messages), resolves which providers apply to a group-resource (exact
//! `resource.group` entries first, then `*.group`, then `*.*`; `*.` is the core
//! group) and turns values into and out of their stored form. The stored form is
//! byte-compatible with upstream:
//!
//! * `identity`: the value as is.
//! * `aescbc`: `k8s:enc:aescbc:v1:<key name>:` + 16 byte random IV + AES-CBC
//!   ciphertext with PKCS#7 padding; no authentication, no associated data.
//! * `aesgcm`: `k8s:enc:aesgcm:v1:<key name>:` + 12 byte random nonce + AES-GCM
//!   ciphertext and 16 byte tag; the storage key is the associated data.
//! * `secretbox`: `k8s:enc:secretbox:v1:<key name>:` + 24 byte random nonce +
//!   NaCl secretbox (XSalsa20-Poly1305, tag first); no associated data.
//!
//! Writes use the first provider (and its first key); reads pick the provider and
//! key by prefix, trying later matches when an earlier one fails, and report the
//! value as stale when it was not written by the first provider and key.
//!
//! Not done here: KMS providers (v1 and v2) are refused with an error, the
//! configuration is not reloaded automatically, and there are no health checks,
//! metrics or content hash.

use std::collections::HashMap;
use std::fmt;
use std::path::Path;
use std::sync::Arc;

use crate::gofmt::quote as go_quote;
use aes_gcm::aead::consts::U12;
use aes_gcm::aead::{Aead, Payload};
use aes_gcm::aes::{Aes128, Aes192, Aes256};
use aes_gcm::{Aes128Gcm, Aes256Gcm, AesGcm, KeyInit};
use base64::Engine as _;
use cbc::cipher::block_padding::NoPadding;
use cbc::cipher::{
    BlockCipher, BlockDecrypt, BlockDecryptMut, BlockEncrypt, BlockEncryptMut, InnerIvInit,
};
use crypto_secretbox::XSalsa20Poly1305;
use rand::TryRngCore;
use rand::rngs::OsRng;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// The `apiVersion` an encryption configuration must carry.
pub const API_VERSION: &str = "apiserver.config.k8s.io/v1";
/// The `kind` an encryption configuration must carry.
pub const KIND: &str = "EncryptionConfiguration";

const AESCBC_PREFIX: &str = "k8s:enc:aescbc:v1:";
const AESGCM_PREFIX: &str = "k8s:enc:aesgcm:v1:";
const SECRETBOX_PREFIX: &str = "k8s:enc:secretbox:v1:";
/// Values starting with this are encrypted; the identity provider refuses them.
const ENCRYPTED_PREFIX: &[u8] = b"k8s:enc:";

const AES_BLOCK: usize = 16;
const GCM_NONCE: usize = 12;
const SECRETBOX_NONCE: usize = 24;
const SECRETBOX_OVERHEAD: usize = 16;
const AES_KEY_SIZES: &[usize] = &[16, 24, 32];
const SECRETBOX_KEY_SIZES: &[usize] = &[32];

const SHORT_DATA: &str = "the stored data was shorter than the required size";

type Aes192Gcm = AesGcm<Aes192, U12>;

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/// Why an encryption configuration could not be loaded, with upstream's wording.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error(
        "error while parsing file: error while loading file: error reading encryption provider configuration file {}: {message}",
        go_quote(path)
    )]
    Read {
        /// The file named by the flag.
        path: String,
        /// The operating system's error.
        message: String,
    },
    /// The file (or byte slice) is empty.
    #[error(
        "error while parsing file: error while loading file: encryption provider configuration file {} is empty",
        go_quote(path)
    )]
    Empty {
        /// The file named by the flag, empty when parsed from bytes.
        path: String,
    },
    /// The content is not a decodable `EncryptionConfiguration`.
    #[error(
        "error while parsing file: error decoding encryption provider configuration file {}: {message}",
        go_quote(path)
    )]
    Decode {
        /// The file named by the flag, empty when parsed from bytes.
        path: String,
        /// What the decoder found wrong.
        message: String,
    },
    /// Validation failed; each entry is one field error as upstream prints it.
    #[error("error while parsing file: {}", aggregate(.0))]
    Invalid(Vec<String>),
    /// The configuration is valid but cannot be turned into transformers
    /// (masked resources, KMS providers).
    #[error("error while building transformers: {0}")]
    Build(String),
}

/// A stored value could not be turned back into plaintext.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecryptError {
    messages: Vec<String>,
}

impl DecryptError {
    fn new(message: impl Into<String>) -> Self {
        DecryptError {
            messages: vec![message.into()],
        }
    }

    /// Upstream's aggregate of several failures (flattened, duplicates dropped).
    fn aggregate(errors: Vec<DecryptError>) -> Self {
        let mut messages: Vec<String> = Vec::new();
        for message in errors.into_iter().flat_map(|e| e.messages) {
            if !messages.contains(&message) {
                messages.push(message);
            }
        }
        DecryptError { messages }
    }

    /// The individual failure messages (one unless several providers or keys matched).
    pub fn messages(&self) -> &[String] {
        &self.messages
    }
}

impl fmt::Display for DecryptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&aggregate(&self.messages))
    }
}

impl std::error::Error for DecryptError {}

/// A value could not be encrypted (practically unreachable: oversized input).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct EncryptError(String);

/// Formats messages like upstream's `utilerrors.Aggregate`: one message alone,
/// several as `[a, b]`, duplicates dropped.
fn aggregate(messages: &[String]) -> String {
    let mut unique: Vec<&str> = Vec::new();
    for m in messages {
        if !unique.contains(&m.as_str()) {
            unique.push(m);
        }
    }
    match unique.as_slice() {
        [one] => (*one).to_string(),
        many => format!("[{}]", many.join(", ")),
    }
}

// ---------------------------------------------------------------------------
// Wire format of the configuration file
// ---------------------------------------------------------------------------

fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

#[derive(Deserialize)]
struct RawConfiguration {
    #[serde(default, deserialize_with = "null_as_default")]
    resources: Vec<RawResourceConfiguration>,
}

#[derive(Deserialize)]
struct RawResourceConfiguration {
    #[serde(default, deserialize_with = "null_as_default")]
    resources: Vec<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    providers: Vec<RawProviderConfiguration>,
}

#[derive(Deserialize)]
struct RawProviderConfiguration {
    #[serde(default)]
    aesgcm: Option<RawKeys>,
    #[serde(default)]
    aescbc: Option<RawKeys>,
    #[serde(default)]
    secretbox: Option<RawKeys>,
    #[serde(default)]
    identity: Option<RawIdentity>,
    #[serde(default)]
    kms: Option<RawKms>,
}

#[derive(Deserialize)]
struct RawKeys {
    #[serde(default, deserialize_with = "null_as_default")]
    keys: Vec<RawKey>,
}

#[derive(Deserialize)]
struct RawKey {
    #[serde(default, deserialize_with = "null_as_default")]
    name: String,
    #[serde(default, deserialize_with = "null_as_default")]
    secret: String,
}

#[derive(Deserialize)]
struct RawIdentity {}

#[derive(Deserialize)]
struct RawKms {
    #[serde(default, deserialize_with = "null_as_default")]
    name: String,
}

/// Fields known at each level, for upstream's strict decoding.
const ROOT_FIELDS: &[&str] = &["kind", "apiVersion", "resources"];
const RESOURCE_FIELDS: &[&str] = &["resources", "providers"];
const PROVIDER_FIELDS: &[&str] = &["aesgcm", "aescbc", "secretbox", "identity", "kms"];
const KEYS_FIELDS: &[&str] = &["keys"];
const KEY_FIELDS: &[&str] = &["name", "secret"];
const KMS_FIELDS: &[&str] = &["apiVersion", "name", "cachesize", "endpoint", "timeout"];

fn join_path(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// Lists unknown fields as upstream's strict decoder names them
/// (`resources[0].providers[3].kms.pandas`).
fn unknown_fields(root: &Value) -> Vec<String> {
    fn check(value: &Value, path: &str, known: &[&str], out: &mut Vec<String>) {
        if let Value::Object(map) = value {
            for key in map.keys() {
                if !known.contains(&key.as_str()) {
                    out.push(join_path(path, key));
                }
            }
        }
    }
    fn items(value: Option<&Value>) -> &[Value] {
        match value {
            Some(Value::Array(items)) => items,
            _ => &[],
        }
    }

    let mut out = Vec::new();
    check(root, "", ROOT_FIELDS, &mut out);
    for (i, resource) in items(root.get("resources")).iter().enumerate() {
        let rpath = format!("resources[{i}]");
        check(resource, &rpath, RESOURCE_FIELDS, &mut out);
        for (j, provider) in items(resource.get("providers")).iter().enumerate() {
            let ppath = format!("{rpath}.providers[{j}]");
            check(provider, &ppath, PROVIDER_FIELDS, &mut out);
            for name in ["aesgcm", "aescbc", "secretbox"] {
                let Some(keys) = provider.get(name) else {
                    continue;
                };
                let kpath = format!("{ppath}.{name}");
                check(keys, &kpath, KEYS_FIELDS, &mut out);
                for (k, key) in items(keys.get("keys")).iter().enumerate() {
                    check(key, &format!("{kpath}.keys[{k}]"), KEY_FIELDS, &mut out);
                }
            }
            if let Some(identity) = provider.get("identity") {
                check(identity, &format!("{ppath}.identity"), &[], &mut out);
            }
            if let Some(kms) = provider.get("kms") {
                check(kms, &format!("{ppath}.kms"), KMS_FIELDS, &mut out);
            }
        }
    }
    out
}

/// A generic value that refuses duplicate mapping keys, as upstream's strict
/// decoder does (serde_json's own `Value` keeps the last one silently).
struct StrictValue(Value);

impl<'de> Deserialize<'de> for StrictValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = StrictValue;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a YAML or JSON value")
            }
            fn visit_bool<E>(self, v: bool) -> Result<StrictValue, E> {
                Ok(StrictValue(Value::Bool(v)))
            }
            fn visit_i64<E>(self, v: i64) -> Result<StrictValue, E> {
                Ok(StrictValue(Value::from(v)))
            }
            fn visit_u64<E>(self, v: u64) -> Result<StrictValue, E> {
                Ok(StrictValue(Value::from(v)))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<StrictValue, E> {
                serde_json::Number::from_f64(v)
                    .map(|n| StrictValue(Value::Number(n)))
                    .ok_or_else(|| E::custom(format!("unsupported number {v}")))
            }
            fn visit_str<E>(self, v: &str) -> Result<StrictValue, E> {
                Ok(StrictValue(Value::String(v.to_string())))
            }
            fn visit_string<E>(self, v: String) -> Result<StrictValue, E> {
                Ok(StrictValue(Value::String(v)))
            }
            fn visit_unit<E>(self) -> Result<StrictValue, E> {
                Ok(StrictValue(Value::Null))
            }
            fn visit_none<E>(self) -> Result<StrictValue, E> {
                Ok(StrictValue(Value::Null))
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<StrictValue, D::Error> {
                StrictValue::deserialize(d)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<StrictValue, A::Error> {
                let mut items = Vec::new();
                while let Some(StrictValue(item)) = seq.next_element()? {
                    items.push(item);
                }
                Ok(StrictValue(Value::Array(items)))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<StrictValue, A::Error> {
                let mut object = serde_json::Map::new();
                while let Some(key) = map.next_key::<String>()? {
                    let StrictValue(value) = map.next_value()?;
                    if object.contains_key(&key) {
                        return Err(serde::de::Error::custom(format!(
                            "duplicate field {}",
                            go_quote(&key)
                        )));
                    }
                    object.insert(key, value);
                }
                Ok(StrictValue(Value::Object(object)))
            }
        }
        deserializer.deserialize_any(Visit)
    }
}

/// Decodes YAML or JSON into a generic value, checking `kind`, `apiVersion` and
/// unknown fields the way upstream's strict universal decoder does.
fn decode(bytes: &[u8]) -> Result<RawConfiguration, String> {
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    let StrictValue(value) = if first == Some(&b'{') {
        serde_json::from_slice(bytes).map_err(|e| e.to_string())?
    } else {
        serde_yaml_ng::from_slice(bytes)
            .map_err(|e| format!("error converting YAML to JSON: {e}"))?
    };
    if !value.is_object() {
        return Err("Object 'Kind' is missing".to_string());
    }
    let kind = value.get("kind").and_then(Value::as_str).unwrap_or("");
    if kind.is_empty() {
        return Err("Object 'Kind' is missing".to_string());
    }
    let api_version = value
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or("");
    if api_version.is_empty() {
        return Err("Object 'apiVersion' is missing".to_string());
    }
    if kind != KIND || api_version != API_VERSION {
        return Err(format!(
            "no kind {} is registered for version {}",
            go_quote(kind),
            go_quote(api_version)
        ));
    }
    let unknown = unknown_fields(&value);
    if !unknown.is_empty() {
        let list: Vec<String> = unknown
            .iter()
            .map(|f| format!("unknown field {}", go_quote(f)))
            .collect();
        return Err(format!("strict decoding error: {}", list.join(", ")));
    }
    serde_json::from_value(value).map_err(|e| e.to_string())
}

// ---------------------------------------------------------------------------
// Validation (upstream validation_encryption.go)
// ---------------------------------------------------------------------------

const MORE_THAN_ONE_ELEMENT: &str = "more than one provider specified in a single element, should split into different list elements";
const NO_PROVIDER: &str = "provider does not contain any of the expected providers: KMS, AESGCM, AESCBC, Secretbox, Identity";
const BASE64_ENCODING: &str = "secrets must be base64 encoded";
const EVENTS_GROUP: &str = "'*.events.k8s.io' objects are stored using the 'events' API group in etcd. Use 'events' instead in the config file";
const EXTENSIONS_GROUP: &str =
    "'extensions' group has been removed and cannot be used for encryption";
const STAR_RESOURCE: &str =
    "use '*.' to encrypt all the resources from core API group or *.* to encrypt all resources";
const OVERLAP: &str = "using overlapping resources such as 'secrets' and '*.' in the same resource list is not allowed as they will be masked";
const NON_REST_API_RESOURCE: &str = "resources which do not have REST API/s cannot be encrypted";
const RESOURCE_NAME: &str = "resource name should not contain capital letters";
const RESOURCE_ACROSS_GROUP: &str = "encrypting the same resource across groups is not supported";
const DUPLICATE_RESOURCE: &str = "the same resource cannot be specified multiple times";

fn required(field: &str, detail: &str) -> String {
    format!("{field}: Required value: {detail}")
}

fn invalid(field: &str, value: &str, detail: &str) -> String {
    format!("{field}: Invalid value: {value}: {detail}")
}

/// Go's `%#v` of a `[]string`.
fn go_string_slice(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| go_quote(s)).collect();
    format!("[]string{{{}}}", quoted.join(", "))
}

/// Splits `resource.group` at the first dot, like `schema.ParseGroupResource`.
fn parse_group_resource(s: &str) -> (String, String) {
    match s.split_once('.') {
        Some((resource, group)) => (group.to_string(), resource.to_string()),
        None => (String::new(), s.to_string()),
    }
}

/// Upstream's `grYAMLString`: `*.` for all of the core group, else `resource[.group]`.
fn group_resource_string(group: &str, resource: &str) -> String {
    if group.is_empty() && resource == "*" {
        "*.".to_string()
    } else if group.is_empty() {
        resource.to_string()
    } else {
        format!("{resource}.{group}")
    }
}

fn validate(config: &RawConfiguration) -> Vec<String> {
    let mut errs = Vec::new();
    if config.resources.is_empty() {
        errs.push(required("resources", "at least one resources is required"));
        return errs;
    }
    for (i, entry) in config.resources.iter().enumerate() {
        let rpath = format!("resources[{i}].resources");
        let ppath = format!("resources[{i}].providers");
        if entry.resources.is_empty() {
            errs.push(required(
                &rpath,
                &format!("at least one {rpath} is required"),
            ));
        }
        validate_resource_overlap(&entry.resources, &rpath, &mut errs);
        validate_resource_names(&entry.resources, &rpath, &mut errs);
        if entry.providers.is_empty() {
            errs.push(required(
                &ppath,
                &format!("at least one {ppath} is required"),
            ));
        }
        for (j, provider) in entry.providers.iter().enumerate() {
            let path = format!("{ppath}[{j}]");
            validate_single_provider(provider, &path, &mut errs);
            if provider.kms.is_some() {
                // KMS is refused when the transformers are built.
            } else if let Some(keys) = &provider.aesgcm {
                validate_keys(
                    &keys.keys,
                    &format!("{path}.aesgcm.keys"),
                    AES_KEY_SIZES,
                    &mut errs,
                );
            } else if let Some(keys) = &provider.aescbc {
                validate_keys(
                    &keys.keys,
                    &format!("{path}.aescbc.keys"),
                    AES_KEY_SIZES,
                    &mut errs,
                );
            } else if let Some(keys) = &provider.secretbox {
                validate_keys(
                    &keys.keys,
                    &format!("{path}.secretbox.keys"),
                    SECRETBOX_KEY_SIZES,
                    &mut errs,
                );
            }
        }
    }
    errs
}

fn validate_resource_overlap(resources: &[String], path: &str, errs: &mut Vec<String>) {
    if resources.len() < 2 {
        return;
    }
    let parsed: Vec<(String, String)> = resources.iter().map(|r| parse_group_resource(r)).collect();
    let (mut has_overlap, mut has_duplicate) = (false, false);
    // Mirrors upstream's loop exactly, quirks included (a second identical pair
    // falls through to the overlap checks).
    for (i, r1) in parsed.iter().enumerate() {
        for (j, r2) in parsed.iter().enumerate() {
            if i == j {
                continue;
            }
            if r1 == r2 && !has_duplicate {
                has_duplicate = true;
                continue;
            }
            if has_overlap {
                continue;
            }
            if r1.0 == "*" && r1.1 == "*" {
                has_overlap = true;
                continue;
            }
            if r1.0 != r2.0 {
                continue;
            }
            if r1.1 == "*" || r2.1 == "*" {
                has_overlap = true;
            }
        }
    }
    let value = go_string_slice(resources);
    if has_duplicate {
        errs.push(invalid(path, &value, DUPLICATE_RESOURCE));
    }
    if has_overlap {
        errs.push(invalid(path, &value, OVERLAP));
    }
}

fn validate_resource_names(resources: &[String], path: &str, errs: &mut Vec<String>) {
    for (j, res) in resources.iter().enumerate() {
        let field = format!("{path}[{j}]");
        let value = go_quote(res);
        let problem = if res.to_lowercase() != *res {
            Some(RESOURCE_NAME)
        } else if res == "*" {
            Some(STAR_RESOURCE)
        } else if matches!(
            res.as_str(),
            "apiserveripinfo" | "serviceipallocations" | "servicenodeportallocations"
        ) {
            Some(NON_REST_API_RESOURCE)
        } else {
            let (group, resource) = parse_group_resource(res);
            if group == "events.k8s.io" {
                Some(EVENTS_GROUP)
            } else if group == "extensions" {
                Some(EXTENSIONS_GROUP)
            } else if group == "*" && resource != "*" {
                Some(RESOURCE_ACROSS_GROUP)
            } else {
                None
            }
        };
        if let Some(detail) = problem {
            errs.push(invalid(&field, &value, detail));
        }
    }
}

/// The provider types set in one list element, in upstream's order.
fn provider_types(provider: &RawProviderConfiguration) -> Vec<&'static str> {
    let mut found = Vec::new();
    if provider.kms.is_some() {
        found.push("kms");
    }
    if provider.aesgcm.is_some() {
        found.push("aesgcm");
    }
    if provider.aescbc.is_some() {
        found.push("aescbc");
    }
    if provider.secretbox.is_some() {
        found.push("secretbox");
    }
    if provider.identity.is_some() {
        found.push("identity");
    }
    found
}

fn validate_single_provider(
    provider: &RawProviderConfiguration,
    path: &str,
    errs: &mut Vec<String>,
) {
    let found = provider_types(provider);
    // Upstream prints the whole Go struct (pointer addresses included); the set
    // provider types are the useful, reproducible part of it.
    let value = go_quote(&found.join(", "));
    match found.len() {
        0 => errs.push(invalid(path, &value, NO_PROVIDER)),
        1 => {}
        _ => errs.push(invalid(path, &value, MORE_THAN_ONE_ELEMENT)),
    }
}

/// Go's `base64.StdEncoding.DecodeString`: padding required, trailing bits
/// tolerated, CR and LF ignored.
fn decode_secret(secret: &str) -> Option<Vec<u8>> {
    const ENGINE: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_allow_trailing_bits(true)
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::RequireCanonical),
    );
    let cleaned: String = secret
        .chars()
        .filter(|c| *c != '\r' && *c != '\n')
        .collect();
    ENGINE.decode(cleaned).ok()
}

fn validate_keys(keys: &[RawKey], path: &str, sizes: &[usize], errs: &mut Vec<String>) {
    if keys.is_empty() {
        errs.push(required(path, "at least one keys is required"));
        return;
    }
    for (i, key) in keys.iter().enumerate() {
        let kpath = format!("{path}[{i}]");
        if key.name.is_empty() {
            errs.push(required(
                &format!("{kpath}.name"),
                "name is a mandatory field for a key",
            ));
        }
        let spath = format!("{kpath}.secret");
        if key.secret.is_empty() {
            errs.push(required(&spath, "secret is a mandatory field for a key"));
            continue;
        }
        let Some(secret) = decode_secret(&key.secret) else {
            errs.push(invalid(&spath, "\"REDACTED\"", BASE64_ENCODING));
            continue;
        };
        if !sizes.contains(&secret.len()) {
            let expected: Vec<String> = sizes.iter().map(usize::to_string).collect();
            errs.push(invalid(
                &spath,
                "\"REDACTED\"",
                &format!(
                    "secret is not of the expected length, got {}, expected one of [{}]",
                    secret.len(),
                    expected.join(" ")
                ),
            ));
        }
    }
}

// ---------------------------------------------------------------------------
// Ciphers
// ---------------------------------------------------------------------------

#[derive(Clone)]
enum AesBlock {
    Aes128(Aes128),
    Aes192(Aes192),
    Aes256(Aes256),
}

enum GcmCipher {
    Aes128(Box<Aes128Gcm>),
    Aes192(Box<Aes192Gcm>),
    Aes256(Box<Aes256Gcm>),
}

enum KeyCipher {
    Cbc(Box<AesBlock>),
    Gcm(GcmCipher),
    Secretbox(Box<XSalsa20Poly1305>),
}

fn cbc_encrypt_with<C>(
    block: &C,
    iv: &[u8; AES_BLOCK],
    plaintext: &[u8],
) -> Result<Vec<u8>, EncryptError>
where
    C: BlockCipher + BlockEncrypt + Clone,
    cbc::Encryptor<C>: BlockEncryptMut + InnerIvInit<Inner = C>,
{
    let padding = AES_BLOCK - plaintext.len() % AES_BLOCK;
    let mut out = Vec::with_capacity(AES_BLOCK + plaintext.len() + padding);
    out.extend_from_slice(iv);
    out.extend_from_slice(plaintext);
    out.resize(AES_BLOCK + plaintext.len() + padding, padding as u8);
    let body_len = out.len() - AES_BLOCK;
    let iv_array = cbc::cipher::generic_array::GenericArray::from_slice(iv);
    cbc::Encryptor::<C>::inner_iv_init(block.clone(), iv_array)
        .encrypt_padded_mut::<NoPadding>(&mut out[AES_BLOCK..], body_len)
        .map_err(|_| EncryptError("the data to encrypt is not block aligned".to_string()))?;
    Ok(out)
}

fn cbc_decrypt_with<C>(block: &C, data: &[u8]) -> Result<Vec<u8>, DecryptError>
where
    C: BlockCipher + BlockDecrypt + Clone,
    cbc::Decryptor<C>: BlockDecryptMut + InnerIvInit<Inner = C>,
{
    if data.len() < AES_BLOCK {
        return Err(DecryptError::new(SHORT_DATA));
    }
    let (iv, body) = data.split_at(AES_BLOCK);
    if body.len() % AES_BLOCK != 0 {
        return Err(DecryptError::new(
            "the stored data is not a multiple of the block size",
        ));
    }
    let mut result = body.to_vec();
    let iv_array = cbc::cipher::generic_array::GenericArray::from_slice(iv);
    cbc::Decryptor::<C>::inner_iv_init(block.clone(), iv_array)
        .decrypt_padded_mut::<NoPadding>(&mut result)
        .map_err(|_| DecryptError::new("the stored data is not a multiple of the block size"))?;
    // PKCS#7, checked like upstream (which indexes past an empty body; here that
    // is the "empty" error).
    let Some(&last) = result.last() else {
        return Err(DecryptError::new(
            "invalid PKCS7 data (empty or not padded)",
        ));
    };
    let padding = usize::from(last);
    if padding == 0 || padding > result.len() {
        return Err(DecryptError::new(
            "invalid PKCS7 data (empty or not padded)",
        ));
    }
    let size = result.len() - padding;
    if result[size..].iter().any(|b| *b != last) {
        return Err(DecryptError::new("invalid padding on input"));
    }
    result.truncate(size);
    Ok(result)
}

fn gcm_seal<A: Aead>(
    aead: &A,
    nonce: &[u8; GCM_NONCE],
    plaintext: &[u8],
    aad: &[u8],
) -> Result<Vec<u8>, EncryptError> {
    let sealed = aead
        .encrypt(
            aes_gcm::aead::generic_array::GenericArray::from_slice(nonce),
            Payload {
                msg: plaintext,
                aad,
            },
        )
        .map_err(|_| EncryptError("failed to encrypt with AES-GCM".to_string()))?;
    let mut out = Vec::with_capacity(GCM_NONCE + sealed.len());
    out.extend_from_slice(nonce);
    out.extend_from_slice(&sealed);
    Ok(out)
}

fn gcm_open<A: Aead>(aead: &A, data: &[u8], aad: &[u8]) -> Result<Vec<u8>, DecryptError> {
    if data.len() < GCM_NONCE {
        return Err(DecryptError::new(SHORT_DATA));
    }
    let (nonce, sealed) = data.split_at(GCM_NONCE);
    aead.decrypt(
        aes_gcm::aead::generic_array::GenericArray::from_slice(nonce),
        Payload { msg: sealed, aad },
    )
    .map_err(|_| DecryptError::new("cipher: message authentication failed"))
}

impl KeyCipher {
    fn new(kind: ProviderKind, secret: &[u8]) -> Option<KeyCipher> {
        match kind {
            ProviderKind::Identity => None,
            ProviderKind::AesCbc => Some(KeyCipher::Cbc(Box::new(match secret.len() {
                16 => AesBlock::Aes128(Aes128::new_from_slice(secret).ok()?),
                24 => AesBlock::Aes192(Aes192::new_from_slice(secret).ok()?),
                32 => AesBlock::Aes256(Aes256::new_from_slice(secret).ok()?),
                _ => return None,
            }))),
            ProviderKind::AesGcm => Some(KeyCipher::Gcm(match secret.len() {
                16 => GcmCipher::Aes128(Box::new(Aes128Gcm::new_from_slice(secret).ok()?)),
                24 => GcmCipher::Aes192(Box::new(Aes192Gcm::new_from_slice(secret).ok()?)),
                32 => GcmCipher::Aes256(Box::new(Aes256Gcm::new_from_slice(secret).ok()?)),
                _ => return None,
            })),
            ProviderKind::Secretbox => Some(KeyCipher::Secretbox(Box::new(
                XSalsa20Poly1305::new_from_slice(secret).ok()?,
            ))),
        }
    }

    /// Encrypts with a fresh IV or nonce from the operating system's generator.
    fn seal(&self, plaintext: &[u8], storage_key: &[u8]) -> Result<Vec<u8>, EncryptError> {
        let (size, failure) = match self {
            KeyCipher::Cbc(_) => (AES_BLOCK, "unable to read sufficient random bytes"),
            KeyCipher::Gcm(_) => (GCM_NONCE, "failed to write nonce for AES-GCM"),
            KeyCipher::Secretbox(_) => (SECRETBOX_NONCE, "unable to read sufficient random bytes"),
        };
        let mut nonce = [0u8; SECRETBOX_NONCE];
        let nonce = &mut nonce[..size];
        OsRng
            .try_fill_bytes(nonce)
            .map_err(|e| EncryptError(format!("{failure}: {e}")))?;
        self.seal_with(nonce, plaintext, storage_key)
    }

    /// Encrypts with the given IV or nonce (its length must suit the cipher).
    fn seal_with(
        &self,
        nonce: &[u8],
        plaintext: &[u8],
        storage_key: &[u8],
    ) -> Result<Vec<u8>, EncryptError> {
        let bad_nonce = || EncryptError("wrong nonce size".to_string());
        match self {
            KeyCipher::Cbc(block) => {
                let iv: &[u8; AES_BLOCK] = nonce.try_into().map_err(|_| bad_nonce())?;
                match block.as_ref() {
                    AesBlock::Aes128(b) => cbc_encrypt_with(b, iv, plaintext),
                    AesBlock::Aes192(b) => cbc_encrypt_with(b, iv, plaintext),
                    AesBlock::Aes256(b) => cbc_encrypt_with(b, iv, plaintext),
                }
            }
            KeyCipher::Gcm(gcm) => {
                let nonce: &[u8; GCM_NONCE] = nonce.try_into().map_err(|_| bad_nonce())?;
                match gcm {
                    GcmCipher::Aes128(a) => gcm_seal(a.as_ref(), nonce, plaintext, storage_key),
                    GcmCipher::Aes192(a) => gcm_seal(a.as_ref(), nonce, plaintext, storage_key),
                    GcmCipher::Aes256(a) => gcm_seal(a.as_ref(), nonce, plaintext, storage_key),
                }
            }
            KeyCipher::Secretbox(sb) => {
                if nonce.len() != SECRETBOX_NONCE {
                    return Err(bad_nonce());
                }
                // The secretbox output is the tag followed by the ciphertext, as NaCl's.
                let sealed = sb
                    .encrypt(crypto_secretbox::Nonce::from_slice(nonce), plaintext)
                    .map_err(|_| EncryptError("failed to encrypt with secretbox".to_string()))?;
                let mut out = Vec::with_capacity(SECRETBOX_NONCE + sealed.len());
                out.extend_from_slice(nonce);
                out.extend_from_slice(&sealed);
                Ok(out)
            }
        }
    }

    fn open(&self, data: &[u8], storage_key: &[u8]) -> Result<Vec<u8>, DecryptError> {
        match self {
            KeyCipher::Cbc(block) => match block.as_ref() {
                AesBlock::Aes128(b) => cbc_decrypt_with(b, data),
                AesBlock::Aes192(b) => cbc_decrypt_with(b, data),
                AesBlock::Aes256(b) => cbc_decrypt_with(b, data),
            },

            KeyCipher::Gcm(GcmCipher::Aes128(a)) => gcm_open(a.as_ref(), data, storage_key),
            KeyCipher::Gcm(GcmCipher::Aes192(a)) => gcm_open(a.as_ref(), data, storage_key),
            KeyCipher::Gcm(GcmCipher::Aes256(a)) => gcm_open(a.as_ref(), data, storage_key),
            KeyCipher::Secretbox(sb) => {
                if data.len() < SECRETBOX_NONCE + SECRETBOX_OVERHEAD {
                    return Err(DecryptError::new(SHORT_DATA));
                }
                let (nonce, sealed) = data.split_at(SECRETBOX_NONCE);
                sb.decrypt(crypto_secretbox::Nonce::from_slice(nonce), sealed)
                    .map_err(|_| {
                        DecryptError::new("output array was not large enough for encryption")
                    })
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Transformers
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ProviderKind {
    Identity,
    AesCbc,
    AesGcm,
    Secretbox,
}

impl ProviderKind {
    fn prefix(self) -> &'static str {
        match self {
            ProviderKind::Identity => "",
            ProviderKind::AesCbc => AESCBC_PREFIX,
            ProviderKind::AesGcm => AESGCM_PREFIX,
            ProviderKind::Secretbox => SECRETBOX_PREFIX,
        }
    }

    fn no_matching_key(self) -> &'static str {
        match self {
            ProviderKind::Secretbox => {
                "no matching key was found for the provided Secretbox transformer"
            }
            _ => "no matching key was found for the provided AES transformer",
        }
    }
}

struct NamedKey {
    /// `<name>:`, the key's prefix inside the provider's.
    prefix: Vec<u8>,
    cipher: KeyCipher,
}

/// One provider of a resource list: identity, or a cipher with its keys in order.
struct Provider {
    kind: ProviderKind,
    keys: Vec<NamedKey>,
}

impl Provider {
    fn read(&self, data: &[u8], storage_key: &[u8]) -> Result<(Vec<u8>, bool), DecryptError> {
        if self.kind == ProviderKind::Identity {
            if data.starts_with(ENCRYPTED_PREFIX) {
                return Err(DecryptError::new(
                    "identity transformer tried to read encrypted data",
                ));
            }
            return Ok((data.to_vec(), false));
        }
        let mut errors = Vec::new();
        for (i, key) in self.keys.iter().enumerate() {
            if let Some(rest) = data.strip_prefix(key.prefix.as_slice()) {
                match key.cipher.open(rest, storage_key) {
                    Ok(plain) => return Ok((plain, i != 0)),
                    Err(e) => errors.push(e),
                }
            }
        }
        if errors.is_empty() {
            Err(DecryptError::new(self.kind.no_matching_key()))
        } else {
            Err(DecryptError::aggregate(errors))
        }
    }

    fn write(&self, plaintext: &[u8], storage_key: &[u8]) -> Result<Vec<u8>, EncryptError> {
        let Some(key) = self.keys.first() else {
            return Ok(plaintext.to_vec());
        };
        let sealed = key.cipher.seal(plaintext, storage_key)?;
        Ok(self.prefixed(key, &sealed))
    }

    fn prefixed(&self, key: &NamedKey, sealed: &[u8]) -> Vec<u8> {
        let prefix = self.kind.prefix().as_bytes();
        let mut out = Vec::with_capacity(prefix.len() + key.prefix.len() + sealed.len());
        out.extend_from_slice(prefix);
        out.extend_from_slice(&key.prefix);
        out.extend_from_slice(sealed);
        out
    }
}

/// The providers that apply to one group-resource, in configuration order.
/// Writes use the first; reads pick by prefix.
pub struct Transformer {
    providers: Vec<Arc<Provider>>,
}

impl fmt::Debug for Transformer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Names only: never the secrets.
        let providers: Vec<String> = self
            .providers
            .iter()
            .map(|p| {
                let names: Vec<String> = p
                    .keys
                    .iter()
                    .map(|k| {
                        String::from_utf8_lossy(&k.prefix)
                            .trim_end_matches(':')
                            .to_string()
                    })
                    .collect();
                format!("{:?}{:?}", p.kind, names)
            })
            .collect();
        f.debug_struct("Transformer")
            .field("providers", &providers)
            .finish()
    }
}

impl Transformer {
    /// Turns a value into its stored form with the first provider: unchanged for
    /// identity, else `k8s:enc:<provider>:v1:<key name>:` and the ciphertext made
    /// with the first key. `storage_key` (the full etcd key, such as
    /// `/registry/secrets/ns/name`) is authenticated by aesgcm.
    pub fn to_storage(
        &self,
        plaintext: &[u8],
        storage_key: &[u8],
    ) -> Result<Vec<u8>, EncryptError> {
        match self.providers.first() {
            Some(provider) => provider.write(plaintext, storage_key),
            None => Ok(plaintext.to_vec()),
        }
    }

    /// Turns a stored value back into plaintext, choosing provider and key by
    /// prefix; the identity provider takes any value that does not start with
    /// `k8s:enc:`. The flag is true (stale) when the value was not written by
    /// the first provider with its first key, so that rewriting it re-encrypts it.
    pub fn from_storage(
        &self,
        data: &[u8],
        storage_key: &[u8],
    ) -> Result<(Vec<u8>, bool), DecryptError> {
        let mut errors = Vec::new();
        for (i, provider) in self.providers.iter().enumerate() {
            let Some(rest) = data.strip_prefix(provider.kind.prefix().as_bytes()) else {
                continue;
            };
            match provider.read(rest, storage_key) {
                Ok((plain, stale)) => return Ok((plain, stale || i != 0)),
                // An identity provider that meets encrypted data lets later providers try.
                Err(_) if provider.kind == ProviderKind::Identity => {}
                Err(e) => errors.push(e),
            }
        }
        if errors.is_empty() {
            Err(DecryptError::new("no matching prefix found"))
        } else {
            Err(DecryptError::aggregate(errors))
        }
    }
}

/// What upstream does for resources no configuration entry covers: the value is
/// stored as is, and reading a value that starts with `k8s:enc:` fails.
pub fn check_not_encrypted(data: &[u8]) -> Result<(), DecryptError> {
    if data.starts_with(ENCRYPTED_PREFIX) {
        Err(DecryptError::new(
            "identity transformer tried to read encrypted data",
        ))
    } else {
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------

/// A parsed, validated encryption configuration: the transformer of each
/// configured group-resource (wildcards included).
#[derive(Clone, Default)]
pub struct EncryptionConfig {
    /// Keyed by (group, resource); `*` stands for any resource or group.
    transformers: HashMap<(String, String), Arc<Transformer>>,
}

impl fmt::Debug for EncryptionConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut entries: Vec<(String, &Arc<Transformer>)> = self
            .transformers
            .iter()
            .map(|((g, r), t)| (group_resource_string(g, r), t))
            .collect();
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        f.debug_map().entries(entries).finish()
    }
}

impl EncryptionConfig {
    /// Parses and validates an `EncryptionConfiguration` (YAML or JSON) and
    /// builds its transformers.
    pub fn parse(bytes: &[u8]) -> Result<EncryptionConfig, ConfigError> {
        Self::parse_named(bytes, "")
    }

    /// Reads, parses and validates the file given to `--encryption-provider-config`.
    pub fn load(path: &Path) -> Result<EncryptionConfig, ConfigError> {
        let name = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|e| ConfigError::Read {
            path: name.clone(),
            message: e.to_string(),
        })?;
        Self::parse_named(&bytes, &name)
    }

    fn parse_named(bytes: &[u8], path: &str) -> Result<EncryptionConfig, ConfigError> {
        if bytes.is_empty() {
            return Err(ConfigError::Empty {
                path: path.to_string(),
            });
        }
        let raw = decode(bytes).map_err(|message| ConfigError::Decode {
            path: path.to_string(),
            message,
        })?;
        let errs = validate(&raw);
        if !errs.is_empty() {
            return Err(ConfigError::Invalid(errs));
        }
        build(&raw)
    }

    /// The transformer for a group-resource (`""` is the core group): the entry
    /// naming it, else `*.<group>`, else `*.*`. `None` when no entry covers it,
    /// in which case values are stored as is (see [`check_not_encrypted`]).
    pub fn transformer_for(&self, group: &str, resource: &str) -> Option<Arc<Transformer>> {
        let lookup = |g: &str, r: &str| {
            self.transformers
                .get(&(g.to_string(), r.to_string()))
                .cloned()
        };
        lookup(group, resource)
            .or_else(|| lookup(group, "*"))
            .or_else(|| lookup("*", "*"))
    }
}

fn build_provider(
    provider: &RawProviderConfiguration,
    path: &str,
) -> Result<Provider, ConfigError> {
    if let Some(kms) = &provider.kms {
        return Err(ConfigError::Build(format!(
            "KMS provider {} ({path}.kms) is not supported by this kube-apiserver; use aescbc, aesgcm, secretbox or identity",
            go_quote(&kms.name)
        )));
    }
    let (kind, keys) = if let Some(k) = &provider.aesgcm {
        (ProviderKind::AesGcm, &k.keys)
    } else if let Some(k) = &provider.aescbc {
        (ProviderKind::AesCbc, &k.keys)
    } else if let Some(k) = &provider.secretbox {
        (ProviderKind::Secretbox, &k.keys)
    } else if provider.identity.is_some() {
        return Ok(Provider {
            kind: ProviderKind::Identity,
            keys: Vec::new(),
        });
    } else {
        return Err(ConfigError::Build(NO_PROVIDER.to_string()));
    };
    let mut named = Vec::with_capacity(keys.len());
    for key in keys {
        let secret = decode_secret(&key.secret).ok_or_else(|| {
            ConfigError::Build(format!(
                "could not obtain secret for named key {}",
                key.name
            ))
        })?;
        let cipher = KeyCipher::new(kind, &secret).ok_or_else(|| {
            ConfigError::Build(format!(
                "error while creating cipher for named key {}",
                key.name
            ))
        })?;
        named.push(NamedKey {
            prefix: format!("{}:", key.name).into_bytes(),
            cipher,
        });
    }
    if named.is_empty() {
        return Err(ConfigError::Build(match kind {
            ProviderKind::Secretbox => "secretbox provider has no valid keys".to_string(),
            _ => "aes provider has no valid keys".to_string(),
        }));
    }
    Ok(Provider { kind, keys: named })
}

fn build(raw: &RawConfiguration) -> Result<EncryptionConfig, ConfigError> {
    let mut lists: HashMap<(String, String), Vec<Arc<Provider>>> = HashMap::new();
    for (i, entry) in raw.resources.iter().enumerate() {
        let mut providers = Vec::with_capacity(entry.providers.len());
        for (j, provider) in entry.providers.iter().enumerate() {
            let path = format!("resources[{i}].providers[{j}]");
            providers.push(Arc::new(build_provider(provider, &path)?));
        }
        for resource in &entry.resources {
            let (group, name) = parse_group_resource(resource);
            let masked_by = [
                (group.clone(), "*".to_string()),
                ("*".to_string(), "*".to_string()),
            ]
            .into_iter()
            .find(|gr| lists.contains_key(gr));
            if let Some((mg, mr)) = masked_by {
                return Err(ConfigError::Build(format!(
                    "resource {} is masked by earlier rule {}",
                    go_quote(&group_resource_string(&group, &name)),
                    go_quote(&group_resource_string(&mg, &mr))
                )));
            }
            lists
                .entry((group, name))
                .or_default()
                .extend(providers.iter().cloned());
        }
    }
    let transformers = lists
        .into_iter()
        .map(|(gr, providers)| (gr, Arc::new(Transformer { providers })))
        .collect();
    Ok(EncryptionConfig { transformers })
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY16: &str = "MDEyMzQ1Njc4OWFiY2RlZg=="; // "0123456789abcdef"
    const KEY24: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3"; // "0123456789abcdef01234567"
    const KEY32: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="; // bytes 0..32
    const KEY32_B: &str = "YSBkaWZmZXJlbnQgMzItYnl0ZSBzZWNyZXQga2V5ISE="; // "a different 32-byte secret key!!"
    const PLAINTEXT: &[u8] = br#"{"kind":"Secret","apiVersion":"v1"}"#;
    const STORAGE_KEY: &[u8] = b"/registry/secrets/default/mysecret";

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("test hex"))
            .collect()
    }

    fn wire(prefix: &str, hex_body: &str) -> Vec<u8> {
        let mut v = prefix.as_bytes().to_vec();
        v.extend_from_slice(&hex(hex_body));
        v
    }

    fn config(providers_yaml: &str) -> EncryptionConfig {
        let yaml = format!(
            "apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n- resources: [secrets]\n  providers:\n{providers_yaml}"
        );
        EncryptionConfig::parse(yaml.as_bytes()).expect("valid test config")
    }

    fn secrets(c: &EncryptionConfig) -> Arc<Transformer> {
        c.transformer_for("", "secrets")
            .expect("secrets configured")
    }

    fn keyed(provider: &str, keys: &[(&str, &str)]) -> String {
        let mut s = format!("  - {provider}:\n      keys:\n");
        for (name, secret) in keys {
            s.push_str(&format!("      - name: {name}\n        secret: {secret}\n"));
        }
        s
    }

    fn invalid_messages(yaml: &str) -> Vec<String> {
        match EncryptionConfig::parse(yaml.as_bytes()) {
            Err(ConfigError::Invalid(errs)) => errs,
            other => panic!("expected validation errors, got {other:?}"),
        }
    }

    fn parse_err(yaml: &str) -> String {
        match EncryptionConfig::parse(yaml.as_bytes()) {
            Err(e) => e.to_string(),
            Ok(c) => panic!("expected an error, got {c:?}"),
        }
    }

    const HEADER: &str = "apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\n";

    // --- upstream and reference vectors ------------------------------------

    #[test]
    fn gcm_legacy_vector_from_upstream_aes_test() {
        // TestGCMLegacyDataCompatibility: key "snorlax_awesomes", authenticated data "bamboo".
        let cipher = KeyCipher::new(ProviderKind::AesGcm, b"snorlax_awesomes").expect("cipher");
        let stored = hex(
            "9f27c8fcea8a58c467d8e437dbf2d85955f9b4bd912f4ef967d788a0cb07797dac0a3f0a0845605ca85ac8562b4ae1",
        );
        assert_eq!(
            cipher.open(&stored, b"bamboo").expect("decrypts"),
            b"pandas are the best"
        );
        assert_eq!(
            cipher.open(&stored, b"panda").unwrap_err().to_string(),
            "cipher: message authentication failed"
        );
    }

    const GCM_VECTORS: [(&str, &str); 3] = [
        (
            KEY16,
            "000102030405060708090a0b861daf747010190cca756279b2fec40f2cf5368a6ee52f390400859dcd91891a6f35e2d75e18d2c556cc2b2b55b3d0a36ee04f",
        ),
        (
            KEY24,
            "000102030405060708090a0bd439c95af79662c53edb7662cbe3e82adedb58642094df8fd0fc31d16b68225112493b2bd0c58a4b06c923506222969c5f82be",
        ),
        (
            KEY32,
            "000102030405060708090a0b3c20bd72ab81e021af12f2e8c38c0c4faff4e644992d3a0e4b0e8aeb3f5322c43032d325c2fc1b9c8c1c089271e893f5b1a098",
        ),
    ];

    #[test]
    fn aesgcm_wire_format_matches_reference() {
        // nonce(12) || ciphertext || tag(16), storage key as associated data.
        for (secret, body) in GCM_VECTORS {
            let c = config(&keyed("aesgcm", &[("key1", secret)]));
            let t = secrets(&c);
            let stored = wire("k8s:enc:aesgcm:v1:key1:", body);
            assert_eq!(
                t.from_storage(&stored, STORAGE_KEY).expect("decrypts"),
                (PLAINTEXT.to_vec(), false)
            );
            assert_eq!(
                t.from_storage(&stored, b"/registry/secrets/default/other")
                    .unwrap_err()
                    .to_string(),
                "cipher: message authentication failed"
            );
            let provider = &t.providers[0];
            let sealed = provider.keys[0]
                .cipher
                .seal_with(&hex("000102030405060708090a0b"), PLAINTEXT, STORAGE_KEY)
                .expect("seals");
            assert_eq!(provider.prefixed(&provider.keys[0], &sealed), stored);
        }
    }

    const CBC_IV: &str = "f0e0d0c0b0a090807060504030201000";

    #[test]
    fn aescbc_wire_format_matches_reference() {
        // iv(16) || AES-CBC(PKCS#7), no associated data.
        let vectors = [
            (
                KEY16,
                PLAINTEXT,
                "f0e0d0c0b0a090807060504030201000fed42b1872df9eb87d58987f19391b84462e310766100777a3e90706c7715e774773253c7a60bcb24429e23f10424262",
            ),
            (
                KEY24,
                PLAINTEXT,
                "f0e0d0c0b0a090807060504030201000a7d98dadf8abb72896dd3750b078ffeec4adbff9b4912340ba20659f3dd0b8b7c88368c83e22fc3c1bc5087832e1a032",
            ),
            (
                KEY32,
                PLAINTEXT,
                "f0e0d0c0b0a090807060504030201000286a46b9f8179891f8fb15b702854c9f78dd8cd72b1e1c4a3bacbf2a86a0dcb57bd5634315123af02f613caf45ecdd7f",
            ),
            (
                KEY32,
                b"".as_slice(),
                "f0e0d0c0b0a0908070605040302010006dc2fa6c9d4838492909dcf4dd499097",
            ),
            (
                KEY32,
                b"0123456789abcdef".as_slice(),
                "f0e0d0c0b0a0908070605040302010007e87929fae07012c810d8c1dc5559c84e1b3ee7727d90b1e04582fac30eabc95",
            ),
        ];
        for (secret, plain, body) in vectors {
            let c = config(&keyed("aescbc", &[("key1", secret)]));
            let t = secrets(&c);
            let stored = wire("k8s:enc:aescbc:v1:key1:", body);
            // The storage key is not authenticated by CBC.
            assert_eq!(
                t.from_storage(&stored, b"anything").expect("decrypts"),
                (plain.to_vec(), false)
            );
            let provider = &t.providers[0];
            let sealed = provider.keys[0]
                .cipher
                .seal_with(&hex(CBC_IV), plain, STORAGE_KEY)
                .expect("seals");
            assert_eq!(provider.prefixed(&provider.keys[0], &sealed), stored);
        }
    }

    const SECRETBOX_BODY: &str = "6465666768696a6b6c6d6e6f707172737475767778797a7b82dc2da94e4dbc0e7154289c424198fb799bf2a054d2ecd392ae46f745e1d73a128859d78df02e69d5652dfa28b1ebfe994d89";

    #[test]
    fn secretbox_wire_format_matches_reference() {
        // nonce(24) || tag(16) || XSalsa20 ciphertext, as NaCl's secretbox.Seal.
        let c = config(&keyed("secretbox", &[("key1", KEY32)]));
        let t = secrets(&c);
        let stored = wire("k8s:enc:secretbox:v1:key1:", SECRETBOX_BODY);
        assert_eq!(
            t.from_storage(&stored, b"ignored").expect("decrypts"),
            (PLAINTEXT.to_vec(), false)
        );
        let provider = &t.providers[0];
        let nonce: Vec<u8> = (100u8..124).collect();
        let sealed = provider.keys[0]
            .cipher
            .seal_with(&nonce, PLAINTEXT, STORAGE_KEY)
            .expect("seals");
        assert_eq!(provider.prefixed(&provider.keys[0], &sealed), stored);
    }

    // --- round trips ---------------------------------------------------------

    #[test]
    fn round_trip_every_provider_and_length() {
        let lengths = [0usize, 1, 2, 3, 7, 8, 15, 16, 17, 31, 32, 33, 128, 1024];
        let cases = [
            ("aescbc", KEY16, "k8s:enc:aescbc:v1:k:", 16usize),
            ("aescbc", KEY32, "k8s:enc:aescbc:v1:k:", 16),
            ("aesgcm", KEY16, "k8s:enc:aesgcm:v1:k:", 12),
            ("aesgcm", KEY24, "k8s:enc:aesgcm:v1:k:", 12),
            ("aesgcm", KEY32, "k8s:enc:aesgcm:v1:k:", 12),
            ("secretbox", KEY32, "k8s:enc:secretbox:v1:k:", 24),
        ];
        for (provider, secret, prefix, nonce) in cases {
            let t = secrets(&config(&keyed(provider, &[("k", secret)])));
            for len in lengths {
                let plain: Vec<u8> = (0..len).map(|i| (i * 7 % 251) as u8).collect();
                let stored = t.to_storage(&plain, STORAGE_KEY).expect("encrypts");
                assert!(stored.starts_with(prefix.as_bytes()), "{provider}");
                let body = stored.len() - prefix.len() - nonce;
                match provider {
                    "aescbc" => assert_eq!(body, (len / 16 + 1) * 16),
                    _ => assert_eq!(body, len + 16),
                }
                let again = t.to_storage(&plain, STORAGE_KEY).expect("encrypts");
                assert_ne!(stored, again, "{provider}: fresh IV or nonce each write");
                assert_eq!(
                    t.from_storage(&stored, STORAGE_KEY).expect("decrypts"),
                    (plain, false)
                );
            }
        }
    }

    #[test]
    fn identity_only_stores_as_is() {
        let t = secrets(&config("  - identity: {}\n"));
        assert_eq!(t.to_storage(PLAINTEXT, STORAGE_KEY).expect("ok"), PLAINTEXT);
        assert_eq!(
            t.from_storage(PLAINTEXT, STORAGE_KEY).expect("ok"),
            (PLAINTEXT.to_vec(), false)
        );
        // Encrypted data matches no provider.
        let stored = wire("k8s:enc:aescbc:v1:key1:", SECRETBOX_BODY);
        assert_eq!(
            t.from_storage(&stored, STORAGE_KEY)
                .unwrap_err()
                .to_string(),
            "no matching prefix found"
        );
    }

    // --- rotation and staleness ---------------------------------------------

    #[test]
    fn key_rotation_within_a_provider() {
        let old = secrets(&config(&keyed("aescbc", &[("old", KEY32)])));
        let stored = old.to_storage(PLAINTEXT, STORAGE_KEY).expect("encrypts");
        let rotated = secrets(&config(&keyed(
            "aescbc",
            &[("new", KEY32_B), ("old", KEY32)],
        )));
        assert_eq!(
            rotated
                .from_storage(&stored, STORAGE_KEY)
                .expect("decrypts"),
            (PLAINTEXT.to_vec(), true)
        );
        let rewritten = rotated
            .to_storage(PLAINTEXT, STORAGE_KEY)
            .expect("encrypts");
        assert!(rewritten.starts_with(b"k8s:enc:aescbc:v1:new:"));
        assert_eq!(
            rotated
                .from_storage(&rewritten, STORAGE_KEY)
                .expect("decrypts"),
            (PLAINTEXT.to_vec(), false)
        );
        // Removing the old key leaves the old value unreadable.
        let new_only = secrets(&config(&keyed("aescbc", &[("new", KEY32_B)])));
        assert_eq!(
            new_only
                .from_storage(&stored, STORAGE_KEY)
                .unwrap_err()
                .to_string(),
            "no matching key was found for the provided AES transformer"
        );
    }

    #[test]
    fn provider_rotation_marks_stale() {
        let gcm_then_cbc = format!(
            "{}{}  - identity: {{}}\n",
            keyed("aesgcm", &[("g", KEY16)]),
            keyed("aescbc", &[("c", KEY32)])
        );
        let t = secrets(&config(&gcm_then_cbc));
        let cbc_value = wire(
            "k8s:enc:aescbc:v1:c:",
            "f0e0d0c0b0a090807060504030201000286a46b9f8179891f8fb15b702854c9f78dd8cd72b1e1c4a3bacbf2a86a0dcb57bd5634315123af02f613caf45ecdd7f",
        );
        assert_eq!(
            t.from_storage(&cbc_value, STORAGE_KEY).expect("decrypts"),
            (PLAINTEXT.to_vec(), true)
        );
        // Plain data is read through the trailing identity provider and is stale.
        assert_eq!(
            t.from_storage(PLAINTEXT, STORAGE_KEY).expect("reads"),
            (PLAINTEXT.to_vec(), true)
        );
        let own = t.to_storage(PLAINTEXT, STORAGE_KEY).expect("encrypts");
        assert!(own.starts_with(b"k8s:enc:aesgcm:v1:g:"));
        assert_eq!(
            t.from_storage(&own, STORAGE_KEY).expect("decrypts"),
            (PLAINTEXT.to_vec(), false)
        );
    }

    #[test]
    fn identity_first_writes_plaintext_and_reads_encrypted_data() {
        let providers = format!(
            "  - identity: {{}}\n{}",
            keyed("secretbox", &[("key1", KEY32)])
        );
        let t = secrets(&config(&providers));
        assert_eq!(t.to_storage(PLAINTEXT, STORAGE_KEY).expect("ok"), PLAINTEXT);
        assert_eq!(
            t.from_storage(PLAINTEXT, STORAGE_KEY).expect("ok"),
            (PLAINTEXT.to_vec(), false)
        );
        let stored = wire("k8s:enc:secretbox:v1:key1:", SECRETBOX_BODY);
        assert_eq!(
            t.from_storage(&stored, STORAGE_KEY).expect("decrypts"),
            (PLAINTEXT.to_vec(), true)
        );
    }

    #[test]
    fn same_provider_twice_tries_the_later_one() {
        // Both share the prefix k8s:enc:aesgcm:v1:; a failing first match does not stop the second.
        let providers = format!(
            "{}{}",
            keyed("aesgcm", &[("key1", KEY24)]),
            keyed("aesgcm", &[("key1", KEY16)])
        );
        let t = secrets(&config(&providers));
        let stored = wire("k8s:enc:aesgcm:v1:key1:", GCM_VECTORS[0].1);
        assert_eq!(
            t.from_storage(&stored, STORAGE_KEY).expect("decrypts"),
            (PLAINTEXT.to_vec(), true)
        );
    }

    // --- failures ------------------------------------------------------------

    #[test]
    fn wrong_key_errors() {
        let gcm = secrets(&config(&keyed("aesgcm", &[("key1", KEY24)])));
        let stored = wire("k8s:enc:aesgcm:v1:key1:", GCM_VECTORS[0].1);
        assert_eq!(
            gcm.from_storage(&stored, STORAGE_KEY)
                .unwrap_err()
                .to_string(),
            "cipher: message authentication failed"
        );

        let sb = secrets(&config(&keyed("secretbox", &[("key1", KEY32_B)])));
        let stored = wire("k8s:enc:secretbox:v1:key1:", SECRETBOX_BODY);
        assert_eq!(
            sb.from_storage(&stored, STORAGE_KEY)
                .unwrap_err()
                .to_string(),
            "output array was not large enough for encryption"
        );

        let cbc = secrets(&config(&keyed("aescbc", &[("key1", KEY16)])));
        let stored = wire(
            "k8s:enc:aescbc:v1:key1:",
            "f0e0d0c0b0a090807060504030201000286a46b9f8179891f8fb15b702854c9f78dd8cd72b1e1c4a3bacbf2a86a0dcb57bd5634315123af02f613caf45ecdd7f",
        );
        let err = cbc
            .from_storage(&stored, STORAGE_KEY)
            .unwrap_err()
            .to_string();
        assert!(
            err == "invalid PKCS7 data (empty or not padded)" || err == "invalid padding on input",
            "{err}"
        );
    }

    #[test]
    fn malformed_stored_values() {
        let cbc = secrets(&config(&keyed("aescbc", &[("k", KEY32)])));
        let cases: [(&[u8], &str); 4] = [
            (b"k8s:enc:aescbc:v1:k:short", SHORT_DATA),
            (
                b"k8s:enc:aescbc:v1:k:0123456789abcdef0",
                "the stored data is not a multiple of the block size",
            ),
            (
                b"k8s:enc:aescbc:v1:k:0123456789abcdef",
                "invalid PKCS7 data (empty or not padded)",
            ),
            (b"plain", "no matching prefix found"),
        ];
        for (data, msg) in cases {
            assert_eq!(
                cbc.from_storage(data, STORAGE_KEY).unwrap_err().to_string(),
                msg
            );
        }
        let gcm = secrets(&config(&keyed("aesgcm", &[("k", KEY32)])));
        assert_eq!(
            gcm.from_storage(b"k8s:enc:aesgcm:v1:k:abc", b"")
                .unwrap_err()
                .to_string(),
            SHORT_DATA
        );
        let sb = secrets(&config(&keyed("secretbox", &[("k", KEY32)])));
        assert_eq!(
            sb.from_storage(b"k8s:enc:secretbox:v1:k:abc", b"")
                .unwrap_err()
                .to_string(),
            SHORT_DATA
        );
        assert_eq!(
            sb.from_storage(b"k8s:enc:secretbox:v1:other:abc", b"")
                .unwrap_err()
                .to_string(),
            "no matching key was found for the provided Secretbox transformer"
        );
    }

    #[test]
    fn several_failures_aggregate() {
        let providers = format!(
            "{}{}",
            keyed("aesgcm", &[("key1", KEY24)]),
            keyed("aesgcm", &[("key1", KEY32_B)])
        );
        let t = secrets(&config(&providers));
        let mut stored = b"k8s:enc:aesgcm:v1:key1:".to_vec();
        stored.extend_from_slice(&[0u8; 40]);
        // Identical messages collapse, like upstream's aggregate.
        assert_eq!(
            t.from_storage(&stored, b"").unwrap_err().to_string(),
            "cipher: message authentication failed"
        );
        let mixed = format!(
            "{}{}",
            keyed("aescbc", &[("k", KEY16)]),
            keyed("aescbc", &[("k", KEY32)])
        );
        let t = secrets(&config(&mixed));
        let err = t
            .from_storage(b"k8s:enc:aescbc:v1:k:0123456789abcdef0", b"")
            .unwrap_err();
        assert_eq!(err.messages().len(), 1);
        assert_eq!(
            err.to_string(),
            "the stored data is not a multiple of the block size"
        );
    }

    #[test]
    fn uncovered_resources_refuse_encrypted_data() {
        assert!(check_not_encrypted(b"k8s\x00protobuf").is_ok());
        assert_eq!(
            check_not_encrypted(b"k8s:enc:aescbc:v1:k:xx")
                .unwrap_err()
                .to_string(),
            "identity transformer tried to read encrypted data"
        );
    }

    // --- resource matching ---------------------------------------------------

    #[test]
    fn resource_matching_with_wildcards() {
        let yaml = format!(
            "{HEADER}resources:\n\
             - resources: [events]\n  providers:\n  - identity: {{}}\n\
             - resources: [secrets, configmaps, pandas.awesome.bears.example]\n  providers:\n{}\
             - resources: ['*.apps']\n  providers:\n{}\
             - resources: ['*.']\n  providers:\n{}\
             - resources: ['*.*']\n  providers:\n{}",
            keyed("aescbc", &[("key1", KEY32)]),
            keyed("aescbc", &[("key2", KEY16)]),
            keyed("secretbox", &[("key3", KEY32)]),
            keyed("aesgcm", &[("key4", KEY24)]),
        );
        let c = EncryptionConfig::parse(yaml.as_bytes()).expect("valid");
        let first_key = |g: &str, r: &str| {
            let t = c.transformer_for(g, r).expect("covered");
            let stored = t.to_storage(b"x", b"k").expect("encrypts");
            let text = String::from_utf8_lossy(&stored).to_string();
            text.split(':').take(5).collect::<Vec<_>>().join(":")
        };
        assert_eq!(first_key("", "events"), "x");
        assert_eq!(first_key("", "secrets"), "k8s:enc:aescbc:v1:key1");
        assert_eq!(
            first_key("awesome.bears.example", "pandas"),
            "k8s:enc:aescbc:v1:key1"
        );
        assert_eq!(first_key("apps", "deployments"), "k8s:enc:aescbc:v1:key2");
        assert_eq!(first_key("", "pods"), "k8s:enc:secretbox:v1:key3");
        assert_eq!(first_key("batch", "jobs"), "k8s:enc:aesgcm:v1:key4");
        assert_eq!(
            first_key("awesome.bears.example", "koalas"),
            "k8s:enc:aesgcm:v1:key4"
        );

        let only_secrets = config(&keyed("aescbc", &[("k", KEY32)]));
        assert!(only_secrets.transformer_for("", "configmaps").is_none());
        assert!(only_secrets.transformer_for("apps", "secrets").is_none());
    }

    #[test]
    fn resource_in_two_entries_gets_both_provider_lists() {
        let yaml = format!(
            "{HEADER}resources:\n- resources: [secrets]\n  providers:\n{}- resources: [secrets]\n  providers:\n{}",
            keyed("aesgcm", &[("a", KEY16)]),
            keyed("aescbc", &[("b", KEY32)]),
        );
        let t = secrets(&EncryptionConfig::parse(yaml.as_bytes()).expect("valid"));
        let cbc = wire(
            "k8s:enc:aescbc:v1:b:",
            "f0e0d0c0b0a090807060504030201000286a46b9f8179891f8fb15b702854c9f78dd8cd72b1e1c4a3bacbf2a86a0dcb57bd5634315123af02f613caf45ecdd7f",
        );
        assert_eq!(
            t.from_storage(&cbc, b"").expect("decrypts"),
            (PLAINTEXT.to_vec(), true)
        );
    }

    #[test]
    fn masked_resources_are_refused() {
        let entry = |res: &str| format!("- resources: [{res}]\n  providers:\n  - identity: {{}}\n");
        let cases = [
            (
                vec!["'*.'", "secrets"],
                "resource \"secrets\" is masked by earlier rule \"*.\"",
            ),
            (
                vec!["'*.'", "'*.'"],
                "resource \"*.\" is masked by earlier rule \"*.\"",
            ),
            (
                vec!["'*.apps'", "deployments.apps"],
                "resource \"deployments.apps\" is masked by earlier rule \"*.apps\"",
            ),
            (
                vec!["'*.*'", "secrets"],
                "resource \"secrets\" is masked by earlier rule \"*.*\"",
            ),
            (
                vec!["'*.*'", "'*.apps'"],
                "resource \"*.apps\" is masked by earlier rule \"*.*\"",
            ),
        ];
        for (entries, msg) in cases {
            let yaml = format!(
                "{HEADER}resources:\n{}",
                entries.iter().map(|e| entry(e)).collect::<String>()
            );
            assert_eq!(
                parse_err(&yaml),
                format!("error while building transformers: {msg}")
            );
        }
        // A specific entry before a wildcard is fine and wins.
        let yaml = format!("{HEADER}resources:\n{}{}", entry("secrets"), entry("'*.'"));
        assert!(EncryptionConfig::parse(yaml.as_bytes()).is_ok());
    }

    // --- configuration errors -------------------------------------------------

    #[test]
    fn validation_messages_match_upstream() {
        assert_eq!(
            invalid_messages(&format!("{HEADER}resources: []\n")),
            ["resources: Required value: at least one resources is required"]
        );
        assert_eq!(
            invalid_messages(&format!(
                "{HEADER}resources:\n- providers:\n  - identity: {{}}\n"
            )),
            [
                "resources[0].resources: Required value: at least one resources[0].resources is required"
            ]
        );
        assert_eq!(
            invalid_messages(&format!("{HEADER}resources:\n- resources: [secrets]\n")),
            [
                "resources[0].providers: Required value: at least one resources[0].providers is required"
            ]
        );
        let key_errors = format!(
            "{HEADER}resources:\n- resources: [secrets]\n  providers:\n  - aescbc:\n      keys:\n      - name: ''\n        secret: c2VjcmV0\n      - name: k2\n      - name: k3\n        secret: 'not base64!'\n  - secretbox:\n      keys:\n      - name: k\n        secret: {KEY16}\n  - aesgcm:\n      keys: []\n"
        );
        assert_eq!(
            invalid_messages(&key_errors),
            [
                "resources[0].providers[0].aescbc.keys[0].name: Required value: name is a mandatory field for a key",
                "resources[0].providers[0].aescbc.keys[0].secret: Invalid value: \"REDACTED\": secret is not of the expected length, got 6, expected one of [16 24 32]",
                "resources[0].providers[0].aescbc.keys[1].secret: Required value: secret is a mandatory field for a key",
                "resources[0].providers[0].aescbc.keys[2].secret: Invalid value: \"REDACTED\": secrets must be base64 encoded",
                "resources[0].providers[1].secretbox.keys[0].secret: Invalid value: \"REDACTED\": secret is not of the expected length, got 16, expected one of [32]",
                "resources[0].providers[2].aesgcm.keys: Required value: at least one keys is required",
            ]
        );
        let providers = format!(
            "{HEADER}resources:\n- resources: [secrets]\n  providers:\n  - {{}}\n  - identity: {{}}\n    aescbc:\n      keys:\n      - name: k\n        secret: {KEY32}\n"
        );
        assert_eq!(
            invalid_messages(&providers),
            [
                "resources[0].providers[0]: Invalid value: \"\": provider does not contain any of the expected providers: KMS, AESGCM, AESCBC, Secretbox, Identity",
                "resources[0].providers[1]: Invalid value: \"aescbc, identity\": more than one provider specified in a single element, should split into different list elements",
            ]
        );
    }

    #[test]
    fn resource_name_rules_match_upstream() {
        let with = |res: &str| {
            invalid_messages(&format!(
                "{HEADER}resources:\n- resources: {res}\n  providers:\n  - identity: {{}}\n"
            ))
        };
        assert_eq!(
            with("[secrets, secrets]"),
            [
                "resources[0].resources: Invalid value: []string{\"secrets\", \"secrets\"}: the same resource cannot be specified multiple times"
            ]
        );
        assert_eq!(
            with("[secrets, '*.']"),
            [
                "resources[0].resources: Invalid value: []string{\"secrets\", \"*.\"}: using overlapping resources such as 'secrets' and '*.' in the same resource list is not allowed as they will be masked"
            ]
        );
        assert_eq!(
            with("['*.*', deployments.apps]"),
            [
                "resources[0].resources: Invalid value: []string{\"*.*\", \"deployments.apps\"}: using overlapping resources such as 'secrets' and '*.' in the same resource list is not allowed as they will be masked"
            ]
        );
        // Upstream's loop reports both for a repeated wildcard.
        assert_eq!(with("['*.', '*.']").len(), 2);
        let fine = format!(
            "{HEADER}resources:\n- resources: [secrets, configmaps, deployments.apps, '*.batch']\n  providers:\n  - identity: {{}}\n"
        );
        assert!(EncryptionConfig::parse(fine.as_bytes()).is_ok());
        let names = with(
            "[apiServerIPInfo, '*', serviceipallocations, events.events.k8s.io, '*.extensions', 'secrets.*']",
        );
        assert_eq!(
            names,
            [
                // '*' parses as every resource of the core group, so upstream also reports an overlap.
                "resources[0].resources: Invalid value: []string{\"apiServerIPInfo\", \"*\", \"serviceipallocations\", \"events.events.k8s.io\", \"*.extensions\", \"secrets.*\"}: using overlapping resources such as 'secrets' and '*.' in the same resource list is not allowed as they will be masked",
                "resources[0].resources[0]: Invalid value: \"apiServerIPInfo\": resource name should not contain capital letters",
                "resources[0].resources[1]: Invalid value: \"*\": use '*.' to encrypt all the resources from core API group or *.* to encrypt all resources",
                "resources[0].resources[2]: Invalid value: \"serviceipallocations\": resources which do not have REST API/s cannot be encrypted",
                "resources[0].resources[3]: Invalid value: \"events.events.k8s.io\": '*.events.k8s.io' objects are stored using the 'events' API group in etcd. Use 'events' instead in the config file",
                "resources[0].resources[4]: Invalid value: \"*.extensions\": 'extensions' group has been removed and cannot be used for encryption",
                "resources[0].resources[5]: Invalid value: \"secrets.*\": encrypting the same resource across groups is not supported",
            ]
        );
    }

    #[test]
    fn aggregated_error_text() {
        let yaml = format!("{HEADER}resources:\n- resources: []\n  providers: []\n");
        assert_eq!(
            parse_err(&yaml),
            "error while parsing file: [resources[0].resources: Required value: at least one resources[0].resources is required, resources[0].providers: Required value: at least one resources[0].providers is required]"
        );
        let one = format!("{HEADER}resources: []\n");
        assert_eq!(
            parse_err(&one),
            "error while parsing file: resources: Required value: at least one resources is required"
        );
    }

    #[test]
    fn decoding_errors() {
        let typo = format!(
            "{HEADER}resources:\n- resources: [secrets]\n  providers:\n  - identity: {{}}\n  - kms:\n      name: x\n      pandas: 1\n"
        );
        let err = parse_err(&typo);
        assert!(err.starts_with("error while parsing file: error decoding encryption provider configuration file \"\": "), "{err}");
        assert!(
            err.ends_with(
                "strict decoding error: unknown field \"resources[0].providers[1].kms.pandas\""
            ),
            "{err}"
        );
        assert!(parse_err("resources: []\n").ends_with("Object 'Kind' is missing"));
        assert!(
            parse_err("kind: EncryptionConfiguration\nresources: []\n")
                .ends_with("Object 'apiVersion' is missing")
        );
        assert!(parse_err("apiVersion: apiserver.config.k8s.io/v2\nkind: EncryptionConfiguration\n")
            .ends_with("no kind \"EncryptionConfiguration\" is registered for version \"apiserver.config.k8s.io/v2\""));
        assert!(
            parse_err("apiVersion: v1\nkind: EncryptionConfig\n")
                .contains("no kind \"EncryptionConfig\"")
        );
        assert_eq!(
            parse_err(""),
            "error while parsing file: error while loading file: encryption provider configuration file \"\" is empty"
        );
    }

    #[test]
    fn strict_decoding_names_every_unknown_field() {
        let yaml = format!(
            "{HEADER}metadata: {{}}\nresources:\n- resources: [secrets]\n  providers:\n  - identity: {{extra: 1}}\n  - aescbc:\n      keys:\n      - name: k\n        secret: {KEY32}\n        Secret: x\n"
        );
        assert!(parse_err(&yaml).ends_with(
            "strict decoding error: unknown field \"metadata\", unknown field \"resources[0].providers[0].identity.extra\", unknown field \"resources[0].providers[1].aescbc.keys[0].Secret\""
        ));
        let dup = format!("{HEADER}resources: []\nresources: []\n");
        assert!(
            parse_err(&dup).contains("duplicate field \"resources\""),
            "{}",
            parse_err(&dup)
        );
        let dup_json =
            format!("{{\"kind\":\"{KIND}\",\"apiVersion\":\"{API_VERSION}\",\"kind\":\"{KIND}\"}}");
        assert!(
            parse_err(&dup_json).contains("duplicate field \"kind\""),
            "{}",
            parse_err(&dup_json)
        );
        // Null lists are empty lists, as in Go.
        assert_eq!(
            invalid_messages(&format!("{HEADER}resources:\n")),
            ["resources: Required value: at least one resources is required"]
        );
    }

    #[test]
    fn kms_is_refused_clearly() {
        let yaml = format!(
            "{HEADER}resources:\n- resources: [secrets]\n  providers:\n  - kms:\n      apiVersion: v2\n      name: myKms\n      endpoint: unix:///var/run/kms-plugin.sock\n      timeout: 3s\n  - identity: {{}}\n"
        );
        assert_eq!(
            parse_err(&yaml),
            "error while building transformers: KMS provider \"myKms\" (resources[0].providers[0].kms) is not supported by this kube-apiserver; use aescbc, aesgcm, secretbox or identity"
        );
    }

    #[test]
    fn json_and_nulls_are_accepted() {
        let json = format!(
            r#"{{
	"kind": "EncryptionConfiguration",
	"apiVersion": "apiserver.config.k8s.io/v1",
	"resources": [
		{{"resources": ["secrets"], "providers": [{{"aesgcm": {{"keys": [{{"name": "key1", "secret": "{KEY16}"}}]}}, "identity": null}}]}}
	]
}}"#
        );
        let c = EncryptionConfig::parse(json.as_bytes()).expect("valid JSON");
        let stored = wire("k8s:enc:aesgcm:v1:key1:", GCM_VECTORS[0].1);
        assert_eq!(
            secrets(&c)
                .from_storage(&stored, STORAGE_KEY)
                .expect("decrypts")
                .0,
            PLAINTEXT
        );
    }

    #[test]
    fn base64_like_go() {
        assert_eq!(
            decode_secret("c2VjcmV0IGlzIHNlY3VyZQ==").as_deref(),
            Some(b"secret is secure".as_slice())
        );
        assert_eq!(
            decode_secret("c2VjcmV0IGlz\nIHNlY3VyZQ==\r\n").as_deref(),
            Some(b"secret is secure".as_slice())
        );
        assert!(
            decode_secret("c2VjcmV0IGlzIHNlY3VyZQ").is_none(),
            "padding is required"
        );
        assert!(decode_secret("c2VjcmV0 IGlzIHNlY3VyZQ==").is_none());
    }

    #[test]
    fn load_reads_files_and_reports_missing_ones() {
        let dir = std::env::temp_dir().join(format!("encryption-config-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("config.yaml");
        let yaml = format!(
            "{HEADER}resources:\n- resources: [secrets]\n  providers:\n{}  - identity: {{}}\n",
            keyed("secretbox", &[("key1", KEY32)])
        );
        std::fs::write(&path, yaml).expect("write");
        let c = EncryptionConfig::load(&path).expect("loads");
        let stored = wire("k8s:enc:secretbox:v1:key1:", SECRETBOX_BODY);
        assert_eq!(
            secrets(&c).from_storage(&stored, b"").expect("decrypts").0,
            PLAINTEXT
        );

        let missing = dir.join("missing.yaml");
        let err = EncryptionConfig::load(&missing).unwrap_err().to_string();
        assert!(
            err.starts_with(&format!(
                "error while parsing file: error while loading file: error reading encryption provider configuration file {:?}: ",
                missing.display().to_string()
            )),
            "{err}"
        );
        std::fs::write(&path, "").expect("write");
        assert!(
            EncryptionConfig::load(&path)
                .unwrap_err()
                .to_string()
                .ends_with("is empty")
        );
        std::fs::remove_dir_all(&dir).expect("cleanup");
    }

    #[test]
    fn debug_output_hides_secrets() {
        let c = config(&keyed("aescbc", &[("key1", KEY32)]));
        let shown = format!("{c:?}");
        assert!(
            shown.contains("key1") && shown.contains("AesCbc"),
            "{shown}"
        );
        assert!(!shown.contains(KEY32));
    }
}
