//! Pure logic of kube-controller-manager's certificate controllers.
//!
//! * **csrsigning**: the four built-in signers (`kubernetes.io/kube-apiserver-client`,
//!   `kubernetes.io/kube-apiserver-client-kubelet`, `kubernetes.io/kubelet-serving`,
//!   `kubernetes.io/legacy-unknown`). [`sign`] decides what the controller does with one
//!   CertificateSigningRequest: nothing, a `Failed` condition with reason
//!   `SignerValidationFailure`, a retryable error, or a signed certificate for
//!   `status.certificate`. The certificate is built like upstream's `PermissiveSigningPolicy`
//!   (subject and SANs from the request, usages from `spec.usages`, 5 minutes of backdating,
//!   lifetime `min(spec.expirationSeconds, --cluster-signing-duration)` capped at the CA's
//!   expiry, a random 128-bit serial, `CA:FALSE`, every requested extension dropped).
//! * **csrapproving**: recognises kubelet client CSRs and says which SubjectAccessReview
//!   (`certificatesigningrequests/selfnodeclient` or `.../nodeclient`, verb `create`) decides
//!   their auto-approval, and builds the `Approved` condition.
//! * Helpers: parsing a PEM CSR ([`parse_request`]), making one the way a kubelet does on TLS
//!   bootstrap ([`make_request`]), and making a self-signed cluster CA ([`make_self_signed_ca`]).
//!
//! It does not talk to the API server, watch or requeue anything, run SubjectAccessReviews,
//! reload CA files, or clean up old CSRs; the caller does that with the decisions made here.
//! CA keys: RSA (PKCS#1 or PKCS#8, 2048 bits or more), ECDSA P-256/P-384 (SEC1 or PKCS#8) and
//! Ed25519 (PKCS#8). Request keys: whatever `ring` verifies (RSA, ECDSA P-256/P-384, Ed25519).

use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;

use base64::Engine as _;
use jiff::{SignedDuration, Timestamp};
use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SubjectAccessReview, SubjectAccessReviewSpec,
};
use k8s_openapi::api::certificates::v1::{
    CertificateSigningRequest, CertificateSigningRequestCondition,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{self as ring_sig, EcdsaKeyPair, Ed25519KeyPair, KeyPair as _, RsaKeyPair};
use x509_parser::certification_request::X509CertificationRequest;
use x509_parser::cri_attributes::ParsedCriAttribute;
use x509_parser::extensions::{GeneralName, ParsedExtension};
use x509_parser::prelude::FromDer;

/// Signer for client certificates honoured as client certificates by kube-apiserver.
pub const KUBE_APISERVER_CLIENT_SIGNER_NAME: &str = "kubernetes.io/kube-apiserver-client";
/// Signer for kubelet client certificates (auto-approvable by csrapproving).
pub const KUBE_APISERVER_CLIENT_KUBELET_SIGNER_NAME: &str =
    "kubernetes.io/kube-apiserver-client-kubelet";
/// Signer for kubelet serving certificates.
pub const KUBELET_SERVING_SIGNER_NAME: &str = "kubernetes.io/kubelet-serving";
/// The v1beta1-era signer; kube-controller-manager still signs it, without restrictions.
pub const LEGACY_UNKNOWN_SIGNER_NAME: &str = "kubernetes.io/legacy-unknown";

/// Which upstream signers are served.
pub const SIGNERS: [&str; 4] = [
    KUBE_APISERVER_CLIENT_SIGNER_NAME,
    KUBE_APISERVER_CLIENT_KUBELET_SIGNER_NAME,
    KUBELET_SERVING_SIGNER_NAME,
    LEGACY_UNKNOWN_SIGNER_NAME,
];

/// Default of kube-controller-manager's `--cluster-signing-duration` (8760h).
pub const DEFAULT_CLUSTER_SIGNING_DURATION: Duration = Duration::from_secs(8760 * 3600);
/// How far `notBefore` is set before the signing time.
pub const BACKDATE: Duration = Duration::from_secs(5 * 60);
/// Certificates living less than this are not backdated at the end (`notAfter = now + ttl`).
pub const SHORT_LIVED: Duration = Duration::from_secs(8 * 3600);
/// Lower bound applied to `spec.expirationSeconds` by the signer.
pub const MIN_REQUESTED_DURATION: Duration = Duration::from_secs(10 * 60);

/// Condition type `Approved`.
pub const CONDITION_APPROVED: &str = "Approved";
/// Condition type `Denied`.
pub const CONDITION_DENIED: &str = "Denied";
/// Condition type `Failed`.
pub const CONDITION_FAILED: &str = "Failed";
/// Reason of the `Failed` condition written by csrsigning.
pub const REASON_SIGNER_VALIDATION_FAILURE: &str = "SignerValidationFailure";
/// Reason of the `Approved` condition written by csrapproving.
pub const REASON_AUTO_APPROVED: &str = "AutoApproved";

/// SubjectAccessReview subresource for a node renewing its own client certificate.
pub const SUBRESOURCE_SELF_NODE_CLIENT: &str = "selfnodeclient";
/// SubjectAccessReview subresource for any requester asking for a node client certificate.
pub const SUBRESOURCE_NODE_CLIENT: &str = "nodeclient";
/// Approval message used after a successful `selfnodeclient` review.
pub const SELF_NODE_CLIENT_APPROVAL_MESSAGE: &str =
    "Auto approving self kubelet client certificate after SubjectAccessReview.";
/// Approval message used after a successful `nodeclient` review.
pub const NODE_CLIENT_APPROVAL_MESSAGE: &str =
    "Auto approving kubelet client certificate after SubjectAccessReview.";

const PEM_CERTIFICATE_REQUEST: &str = "CERTIFICATE REQUEST";
const PEM_CERTIFICATE: &str = "CERTIFICATE";

// Object identifiers (arcs).
const OID_CN: &[u64] = &[2, 5, 4, 3];
const OID_SERIAL_NUMBER: &[u64] = &[2, 5, 4, 5];
const OID_COUNTRY: &[u64] = &[2, 5, 4, 6];
const OID_LOCALITY: &[u64] = &[2, 5, 4, 7];
const OID_PROVINCE: &[u64] = &[2, 5, 4, 8];
const OID_STREET: &[u64] = &[2, 5, 4, 9];
const OID_ORGANIZATION: &[u64] = &[2, 5, 4, 10];
const OID_ORGANIZATIONAL_UNIT: &[u64] = &[2, 5, 4, 11];
const OID_POSTAL_CODE: &[u64] = &[2, 5, 4, 17];
const OID_RSA_ENCRYPTION: &[u64] = &[1, 2, 840, 113549, 1, 1, 1];
const OID_SHA256_WITH_RSA: &[u64] = &[1, 2, 840, 113549, 1, 1, 11];
const OID_EC_PUBLIC_KEY: &[u64] = &[1, 2, 840, 10045, 2, 1];
const OID_P256: &[u64] = &[1, 2, 840, 10045, 3, 1, 7];
const OID_P384: &[u64] = &[1, 3, 132, 0, 34];
const OID_ECDSA_SHA256: &[u64] = &[1, 2, 840, 10045, 4, 3, 2];
const OID_ECDSA_SHA384: &[u64] = &[1, 2, 840, 10045, 4, 3, 3];
const OID_ED25519: &[u64] = &[1, 3, 101, 112];
const OID_EXTENSION_REQUEST: &[u64] = &[1, 2, 840, 113549, 1, 9, 14];
const OID_EXT_SUBJECT_KEY_ID: &[u64] = &[2, 5, 29, 14];
const OID_EXT_KEY_USAGE: &[u64] = &[2, 5, 29, 15];
const OID_EXT_SAN: &[u64] = &[2, 5, 29, 17];
const OID_EXT_BASIC_CONSTRAINTS: &[u64] = &[2, 5, 29, 19];
const OID_EXT_AUTHORITY_KEY_ID: &[u64] = &[2, 5, 29, 35];
const OID_EXT_EXT_KEY_USAGE: &[u64] = &[2, 5, 29, 37];

/// Error from parsing or building certificates, keys and requests; the text follows upstream's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct CertError {
    message: String,
}

impl CertError {
    fn new(message: impl Into<String>) -> Self {
        CertError {
            message: message.into(),
        }
    }

    /// The error text.
    pub fn message(&self) -> &str {
        &self.message
    }
}

// ---------------------------------------------------------------------------------------------
// DER writing and reading (only what certificates, requests and keys need).
// ---------------------------------------------------------------------------------------------

mod der {
    pub(super) fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(content.len() + 6);
        out.push(tag);
        let len = content.len();
        if len < 0x80 {
            out.push(len as u8);
        } else {
            let bytes = len.to_be_bytes();
            let skip = bytes.iter().take_while(|b| **b == 0).count();
            out.push(0x80 | (bytes.len() - skip) as u8);
            out.extend_from_slice(&bytes[skip..]);
        }
        out.extend_from_slice(content);
        out
    }

    pub(super) fn seq(parts: &[&[u8]]) -> Vec<u8> {
        tlv(0x30, &parts.concat())
    }

    /// A DER `SET OF`: elements sorted by their encodings.
    pub(super) fn set_of(mut elements: Vec<Vec<u8>>) -> Vec<u8> {
        elements.sort();
        tlv(0x31, &elements.concat())
    }

    pub(super) fn oid(arcs: &[u64]) -> Vec<u8> {
        tlv(0x06, &oid_content(arcs))
    }

    pub(super) fn oid_content(arcs: &[u64]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut push = |mut v: u64| {
            let mut tmp = vec![(v & 0x7f) as u8];
            v >>= 7;
            while v > 0 {
                tmp.push(0x80 | (v & 0x7f) as u8);
                v >>= 7;
            }
            tmp.reverse();
            out.extend_from_slice(&tmp);
        };
        if arcs.len() >= 2 {
            push(arcs[0] * 40 + arcs[1]);
            for a in &arcs[2..] {
                push(*a);
            }
        }
        out
    }

    /// INTEGER from an unsigned big-endian magnitude.
    pub(super) fn uint(bytes: &[u8]) -> Vec<u8> {
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        let mut content = bytes[skip..].to_vec();
        if content.first().is_none_or(|b| b & 0x80 != 0) {
            content.insert(0, 0);
        }
        tlv(0x02, &content)
    }

    pub(super) fn bit_string(unused_bits: u8, bytes: &[u8]) -> Vec<u8> {
        let mut content = Vec::with_capacity(bytes.len() + 1);
        content.push(unused_bits);
        content.extend_from_slice(bytes);
        tlv(0x03, &content)
    }

    pub(super) fn octet_string(bytes: &[u8]) -> Vec<u8> {
        tlv(0x04, bytes)
    }

    /// Splits one TLV off `input`: (tag, content, rest).
    pub(super) fn read(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
        let (&tag, rest) = input.split_first()?;
        let (&first, rest) = rest.split_first()?;
        let (len, rest) = if first < 0x80 {
            (first as usize, rest)
        } else {
            let n = (first & 0x7f) as usize;
            if n == 0 || n > 4 || rest.len() < n {
                return None;
            }
            let len = rest[..n]
                .iter()
                .fold(0usize, |acc, b| (acc << 8) | *b as usize);
            (len, &rest[n..])
        };
        if rest.len() < len {
            return None;
        }
        Some((tag, &rest[..len], &rest[len..]))
    }
}

// ---------------------------------------------------------------------------------------------
// PEM.
// ---------------------------------------------------------------------------------------------

struct PemBlock {
    label: String,
    der: Vec<u8>,
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Decodes the next PEM block of `data`, skipping malformed ones like Go's `pem.Decode`.
fn next_pem_block(mut data: &[u8]) -> Option<(PemBlock, &[u8])> {
    const BEGIN: &[u8] = b"-----BEGIN ";
    loop {
        let start = find(data, BEGIN)?;
        let after_begin = &data[start + BEGIN.len()..];
        let line_end = after_begin
            .iter()
            .position(|b| *b == b'\n')
            .unwrap_or(after_begin.len());
        let line = std::str::from_utf8(&after_begin[..line_end]).unwrap_or("");
        let line = line.trim_end();
        let Some(label) = line.strip_suffix("-----") else {
            data = after_begin;
            continue;
        };
        let body_and_rest = &after_begin[line_end..];
        let end_marker = format!("-----END {label}-----");
        let Some(end) = find(body_and_rest, end_marker.as_bytes()) else {
            data = after_begin;
            continue;
        };
        let body = &body_and_rest[..end];
        let rest = &body_and_rest[end + end_marker.len()..];
        let text = String::from_utf8_lossy(body);
        let b64: String = text
            .lines()
            .filter(|l| !l.contains(':'))
            .flat_map(|l| l.chars())
            .filter(|c| !c.is_whitespace())
            .collect();
        match base64::engine::general_purpose::STANDARD.decode(b64.as_bytes()) {
            Ok(der) => {
                return Some((
                    PemBlock {
                        label: label.to_string(),
                        der,
                    },
                    rest,
                ));
            }
            Err(_) => data = after_begin,
        }
    }
}

fn pem_blocks(mut data: &[u8]) -> Vec<PemBlock> {
    let mut out = Vec::new();
    while let Some((block, rest)) = next_pem_block(data) {
        out.push(block);
        data = rest;
    }
    out
}

fn pem_encode(label: &str, der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

// ---------------------------------------------------------------------------------------------
// Distinguished names.
// ---------------------------------------------------------------------------------------------

/// The subject fields Go's `pkix.Name` keeps; re-encoded in Go's `ToRDNSequence` order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct SubjectName {
    country: Vec<String>,
    province: Vec<String>,
    locality: Vec<String>,
    street_address: Vec<String>,
    postal_code: Vec<String>,
    organization: Vec<String>,
    organizational_unit: Vec<String>,
    common_name: String,
    serial_number: String,
}

impl SubjectName {
    fn to_der(&self) -> Vec<u8> {
        let mut rdns: Vec<Vec<u8>> = Vec::new();
        let mut push = |values: &[String], arcs: &[u64]| {
            if values.is_empty() {
                return;
            }
            let atvs = values
                .iter()
                .map(|v| der::seq(&[&der::oid(arcs), &directory_string(v)]))
                .collect();
            rdns.push(der::set_of(atvs));
        };
        push(&self.country, OID_COUNTRY);
        push(&self.province, OID_PROVINCE);
        push(&self.locality, OID_LOCALITY);
        push(&self.street_address, OID_STREET);
        push(&self.postal_code, OID_POSTAL_CODE);
        push(&self.organization, OID_ORGANIZATION);
        push(&self.organizational_unit, OID_ORGANIZATIONAL_UNIT);
        if !self.common_name.is_empty() {
            push(std::slice::from_ref(&self.common_name), OID_CN);
        }
        if !self.serial_number.is_empty() {
            push(std::slice::from_ref(&self.serial_number), OID_SERIAL_NUMBER);
        }
        let refs: Vec<&[u8]> = rdns.iter().map(Vec::as_slice).collect();
        der::seq(&refs)
    }
}

/// PrintableString when every character allows it (Go's rule, `*` and `&` excluded), else UTF8String.
fn directory_string(s: &str) -> Vec<u8> {
    let printable = s.bytes().all(|b| {
        b.is_ascii_alphanumeric()
            || matches!(
                b,
                b' ' | b'\'' | b'(' | b')' | b'+' | b',' | b'-' | b'.' | b'/' | b':' | b'=' | b'?'
            )
    });
    der::tlv(if printable { 0x13 } else { 0x0c }, s.as_bytes())
}

/// Decodes an attribute value the way Go's `encoding/asn1` does for an `interface{}`:
/// `Ok(None)` for non-string values (which Go skips).
fn decode_attribute_string(
    class_universal: bool,
    tag: u32,
    data: &[u8],
) -> Result<Option<String>, CertError> {
    if !class_universal {
        return Ok(None);
    }
    match tag {
        // UTF8String
        12 => std::str::from_utf8(data)
            .map(|s| Some(s.to_string()))
            .map_err(|_| CertError::new("asn1: invalid UTF-8 string")),
        // NumericString, PrintableString, IA5String
        18 | 19 | 22 => {
            if data.is_ascii() {
                Ok(Some(String::from_utf8_lossy(data).into_owned()))
            } else {
                Err(CertError::new(
                    "asn1: syntax error: invalid character in string",
                ))
            }
        }
        // T61String: Go keeps the raw bytes.
        20 => Ok(Some(String::from_utf8_lossy(data).into_owned())),
        // BMPString (UTF-16BE)
        30 => {
            if !data.len().is_multiple_of(2) {
                return Err(CertError::new(
                    "asn1: syntax error: invalid BMPString: length must be even",
                ));
            }
            let units: Vec<u16> = data
                .chunks(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            Ok(Some(String::from_utf16_lossy(&units)))
        }
        _ => Ok(None),
    }
}

fn subject_from_name(name: &x509_parser::x509::X509Name<'_>) -> Result<SubjectName, CertError> {
    let mut subject = SubjectName::default();
    for rdn in name.iter() {
        for atv in rdn.iter() {
            let value = atv.attr_value();
            let universal =
                value.header.class() == x509_parser::der_parser::asn1_rs::Class::Universal;
            let Some(text) = decode_attribute_string(universal, value.header.tag().0, value.data)?
            else {
                continue;
            };
            match atv.attr_type().to_id_string().as_str() {
                "2.5.4.3" => subject.common_name = text,
                "2.5.4.5" => subject.serial_number = text,
                "2.5.4.6" => subject.country.push(text),
                "2.5.4.7" => subject.locality.push(text),
                "2.5.4.8" => subject.province.push(text),
                "2.5.4.9" => subject.street_address.push(text),
                "2.5.4.10" => subject.organization.push(text),
                "2.5.4.11" => subject.organizational_unit.push(text),
                "2.5.4.17" => subject.postal_code.push(text),
                _ => {}
            }
        }
    }
    Ok(subject)
}

// ---------------------------------------------------------------------------------------------
// Certificate signing requests.
// ---------------------------------------------------------------------------------------------

/// A parsed CSR PEM: subject CN, organizations, DNS names, IPs, emails, URIs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedRequest {
    /// Subject common name (the last CN attribute, as Go keeps it).
    pub common_name: String,
    /// Every subject O value, in order.
    pub organizations: Vec<String>,
    /// DNS subjectAltNames.
    pub dns_names: Vec<String>,
    /// IP subjectAltNames (IPv4-mapped IPv6 addresses are reported as IPv4, like Go's `net.IP`).
    pub ip_addresses: Vec<IpAddr>,
    /// Email subjectAltNames.
    pub emails: Vec<String>,
    /// URI subjectAltNames.
    pub uris: Vec<String>,
}

/// Everything the signer needs from a request.
struct Request {
    parsed: ParsedRequest,
    subject: SubjectName,
    spki: Vec<u8>,
    /// Why the request's self-signature does not verify, if it does not.
    signature_error: Option<String>,
}

fn decode_csr_pem(pem: &[u8]) -> Result<Vec<u8>, CertError> {
    match next_pem_block(pem) {
        Some((block, _)) if block.label == PEM_CERTIFICATE_REQUEST => Ok(block.der),
        _ => Err(CertError::new("PEM block type must be CERTIFICATE REQUEST")),
    }
}

fn ip_from_bytes(bytes: &[u8]) -> Result<IpAddr, CertError> {
    match bytes.len() {
        4 => Ok(IpAddr::V4(Ipv4Addr::new(
            bytes[0], bytes[1], bytes[2], bytes[3],
        ))),
        16 => {
            let mut a = [0u8; 16];
            a.copy_from_slice(bytes);
            let v6 = Ipv6Addr::from(a);
            Ok(match v6.to_ipv4_mapped() {
                Some(v4) => IpAddr::V4(v4),
                None => IpAddr::V6(v6),
            })
        }
        n => Err(CertError::new(format!(
            "x509: cannot parse IP address of length {n}"
        ))),
    }
}

fn ia5(name: &str, kind: &str) -> Result<String, CertError> {
    if name.is_ascii() {
        Ok(name.to_string())
    } else {
        Err(CertError::new(format!("x509: SAN {kind} is malformed")))
    }
}

fn parse_request_der(der: &[u8]) -> Result<Request, CertError> {
    let (rest, csr) = X509CertificationRequest::from_der(der)
        .map_err(|e| CertError::new(format!("x509: malformed certificate request: {e}")))?;
    if !rest.is_empty() {
        return Err(CertError::new("asn1: syntax error: trailing data"));
    }
    let info = &csr.certification_request_info;
    let subject = subject_from_name(&info.subject)?;
    let mut parsed = ParsedRequest {
        common_name: subject.common_name.clone(),
        organizations: subject.organization.clone(),
        ..ParsedRequest::default()
    };
    for attribute in info.iter_attributes() {
        let ParsedCriAttribute::ExtensionRequest(request) = attribute.parsed_attribute() else {
            continue;
        };
        for extension in &request.extensions {
            if extension.oid.to_id_string() != "2.5.29.17" {
                continue;
            }
            let ParsedExtension::SubjectAlternativeName(san) = extension.parsed_extension() else {
                return Err(CertError::new("x509: invalid subject alternative names"));
            };
            for name in &san.general_names {
                match name {
                    GeneralName::DNSName(n) => parsed.dns_names.push(ia5(n, "dNSName")?),
                    GeneralName::RFC822Name(n) => parsed.emails.push(ia5(n, "rfc822Name")?),
                    GeneralName::URI(n) => parsed.uris.push(ia5(n, "uniformResourceIdentifier")?),
                    GeneralName::IPAddress(bytes) => {
                        parsed.ip_addresses.push(ip_from_bytes(bytes)?)
                    }
                    GeneralName::Invalid(tag, _) => {
                        let kind = match tag.0 {
                            1 => "rfc822Name",
                            2 => "dNSName",
                            6 => "uniformResourceIdentifier",
                            _ => "entry",
                        };
                        return Err(CertError::new(format!("x509: SAN {kind} is malformed")));
                    }
                    _ => {}
                }
            }
        }
    }
    let key_algorithm = info.subject_pki.algorithm.algorithm.to_id_string();
    let signature_error = csr.verify_signature().err().map(|e| match e {
        x509_parser::error::X509Error::SignatureUnsupportedAlgorithm => {
            "x509: cannot verify signature: algorithm unimplemented".to_string()
        }
        _ => match key_algorithm.as_str() {
            "1.2.840.10045.2.1" => "x509: ECDSA verification failure".to_string(),
            "1.3.101.112" => "x509: Ed25519 verification failure".to_string(),
            "1.2.840.113549.1.1.1" => "crypto/rsa: verification error".to_string(),
            _ => "x509: cannot verify signature: algorithm unimplemented".to_string(),
        },
    });
    Ok(Request {
        parsed,
        subject,
        spki: info.subject_pki.raw.to_vec(),
        signature_error,
    })
}

fn parse_request_internal(pem: &[u8]) -> Result<Request, CertError> {
    parse_request_der(&decode_csr_pem(pem)?)
}

/// Parses a PEM `CERTIFICATE REQUEST` (upstream `ParseCSR`); the signature is not checked here.
pub fn parse_request(pem: &[u8]) -> Result<ParsedRequest, CertError> {
    parse_request_internal(pem).map(|r| r.parsed)
}

/// Makes a CSR PEM and its private key PEM (ECDSA P-256, SEC1 `EC PRIVATE KEY`) for `cn`/`orgs`
/// with DNS/IP subjectAltNames, as a kubelet does on TLS bootstrap.
pub fn make_request(
    cn: &str,
    orgs: &[&str],
    dns: &[&str],
    ips: &[IpAddr],
) -> Result<(String, String), CertError> {
    let rng = SystemRandom::new();
    let alg = &ring_sig::ECDSA_P256_SHA256_ASN1_SIGNING;
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(alg, &rng)
        .map_err(|_| CertError::new("unable to generate an ECDSA P-256 key"))?;
    let key = EcdsaKeyPair::from_pkcs8(alg, pkcs8.as_ref(), &rng)
        .map_err(|e| CertError::new(format!("unable to load the generated key: {e}")))?;
    let subject = SubjectName {
        organization: orgs.iter().map(|s| s.to_string()).collect(),
        common_name: cn.to_string(),
        ..SubjectName::default()
    };
    let spki = der::seq(&[
        &der::seq(&[&der::oid(OID_EC_PUBLIC_KEY), &der::oid(OID_P256)]),
        &der::bit_string(0, key.public_key().as_ref()),
    ]);
    let dns: Vec<String> = dns.iter().map(|s| s.to_string()).collect();
    let attributes = match san_extension_value(&dns, &[], ips, &[]) {
        None => der::tlv(0xa0, &[]),
        Some(san) => {
            let extension = der::seq(&[&der::oid(OID_EXT_SAN), &der::octet_string(&san)]);
            let extensions = der::seq(&[&extension]);
            let attribute = der::seq(&[
                &der::oid(OID_EXTENSION_REQUEST),
                &der::set_of(vec![extensions]),
            ]);
            der::tlv(0xa0, &attribute)
        }
    };
    let info = der::seq(&[&der::uint(&[0]), &subject.to_der(), &spki, &attributes]);
    let signature = key
        .sign(&rng, &info)
        .map_err(|_| CertError::new("unable to sign the certificate request"))?;
    let csr = der::seq(&[
        &info,
        &der::seq(&[&der::oid(OID_ECDSA_SHA256)]),
        &der::bit_string(0, signature.as_ref()),
    ]);
    let sec1 = pkcs8_ec_to_sec1(pkcs8.as_ref(), OID_P256)?;
    Ok((
        pem_encode(PEM_CERTIFICATE_REQUEST, &csr),
        pem_encode("EC PRIVATE KEY", &sec1),
    ))
}

/// Re-encodes ring's PKCS#8 ECDSA key as SEC1 with the named curve, like Go's `MarshalECPrivateKey`.
fn pkcs8_ec_to_sec1(pkcs8: &[u8], curve: &[u64]) -> Result<Vec<u8>, CertError> {
    let bad = || CertError::new("unable to encode the generated key");
    let (_, info, _) = der::read(pkcs8).ok_or_else(bad)?;
    let (_, _version, rest) = der::read(info).ok_or_else(bad)?;
    let (_, _alg, rest) = der::read(rest).ok_or_else(bad)?;
    let (tag, private, _) = der::read(rest).ok_or_else(bad)?;
    if tag != 0x04 {
        return Err(bad());
    }
    let (d, public) = parse_ec_private_key(private).ok_or_else(bad)?;
    let public = public.ok_or_else(bad)?;
    Ok(der::seq(&[
        &der::uint(&[1]),
        &der::octet_string(d),
        &der::tlv(0xa0, &der::oid(curve)),
        &der::tlv(0xa1, &der::bit_string(0, public)),
    ]))
}

// ---------------------------------------------------------------------------------------------
// Signing keys and the authority.
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Curve {
    P256,
    P384,
}

impl Curve {
    fn from_oid_content(content: &[u8]) -> Option<Curve> {
        if content == der::oid_content(OID_P256).as_slice() {
            Some(Curve::P256)
        } else if content == der::oid_content(OID_P384).as_slice() {
            Some(Curve::P384)
        } else {
            None
        }
    }

    fn scalar_len(self) -> usize {
        match self {
            Curve::P256 => 32,
            Curve::P384 => 48,
        }
    }

    fn signing(self) -> &'static ring_sig::EcdsaSigningAlgorithm {
        match self {
            Curve::P256 => &ring_sig::ECDSA_P256_SHA256_ASN1_SIGNING,
            Curve::P384 => &ring_sig::ECDSA_P384_SHA384_ASN1_SIGNING,
        }
    }
}

enum SigningKey {
    Rsa(RsaKeyPair),
    Ecdsa(EcdsaKeyPair, Curve),
    Ed25519(Ed25519KeyPair),
}

impl SigningKey {
    fn public_key_bytes(&self) -> &[u8] {
        match self {
            SigningKey::Rsa(k) => k.public().as_ref(),
            SigningKey::Ecdsa(k, _) => k.public_key().as_ref(),
            SigningKey::Ed25519(k) => k.public_key().as_ref(),
        }
    }

    /// The AlgorithmIdentifier Go's `CreateCertificate` picks for this key type.
    fn algorithm_identifier(&self) -> Vec<u8> {
        match self {
            SigningKey::Rsa(_) => der::seq(&[&der::oid(OID_SHA256_WITH_RSA), &[0x05, 0x00]]),
            SigningKey::Ecdsa(_, Curve::P256) => der::seq(&[&der::oid(OID_ECDSA_SHA256)]),
            SigningKey::Ecdsa(_, Curve::P384) => der::seq(&[&der::oid(OID_ECDSA_SHA384)]),
            SigningKey::Ed25519(_) => der::seq(&[&der::oid(OID_ED25519)]),
        }
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, CertError> {
        let rng = SystemRandom::new();
        match self {
            SigningKey::Rsa(k) => {
                let mut signature = vec![0u8; k.public().modulus_len()];
                k.sign(&ring_sig::RSA_PKCS1_SHA256, &rng, message, &mut signature)
                    .map_err(|_| {
                        CertError::new("failed to sign certificate: RSA signing failed")
                    })?;
                Ok(signature)
            }
            SigningKey::Ecdsa(k, _) => k
                .sign(&rng, message)
                .map(|s| s.as_ref().to_vec())
                .map_err(|_| CertError::new("failed to sign certificate: ECDSA signing failed")),
            SigningKey::Ed25519(k) => Ok(k.sign(message).as_ref().to_vec()),
        }
    }
}

/// SEC1 `ECPrivateKey`: (private scalar, public point if present); curve via [`sec1_curve`].
fn parse_ec_private_key(der_bytes: &[u8]) -> Option<(&[u8], Option<&[u8]>)> {
    let (tag, body, _) = der::read(der_bytes)?;
    if tag != 0x30 {
        return None;
    }
    let (tag, version, rest) = der::read(body)?;
    if tag != 0x02 || version != [1] {
        return None;
    }
    let (tag, d, mut rest) = der::read(rest)?;
    if tag != 0x04 {
        return None;
    }
    let mut public = None;
    while !rest.is_empty() {
        let (tag, content, next) = der::read(rest)?;
        rest = next;
        if tag == 0xa1 {
            let (t, bits, _) = der::read(content)?;
            if t != 0x03 || bits.first() != Some(&0) {
                return None;
            }
            public = Some(&bits[1..]);
        }
    }
    Some((d, public))
}

fn sec1_curve(der_bytes: &[u8]) -> Option<Curve> {
    let (_, body, _) = der::read(der_bytes)?;
    let (_, _, rest) = der::read(body)?;
    let (_, _, mut rest) = der::read(rest)?;
    while !rest.is_empty() {
        let (tag, content, next) = der::read(rest)?;
        rest = next;
        if tag == 0xa0 {
            let (t, oid, _) = der::read(content)?;
            if t == 0x06 {
                return Curve::from_oid_content(oid);
            }
        }
    }
    None
}

fn parse_sec1_key(der_bytes: &[u8], curve_hint: Option<Curve>) -> Option<SigningKey> {
    let curve = sec1_curve(der_bytes).or(curve_hint)?;
    let (d, public) = parse_ec_private_key(der_bytes)?;
    let public = public?;
    let len = curve.scalar_len();
    if d.len() > len {
        return None;
    }
    let mut scalar = vec![0u8; len - d.len()];
    scalar.extend_from_slice(d);
    let rng = SystemRandom::new();
    EcdsaKeyPair::from_private_key_and_public_key(curve.signing(), &scalar, public, &rng)
        .ok()
        .map(|k| SigningKey::Ecdsa(k, curve))
}

fn parse_pkcs8_key(der_bytes: &[u8]) -> Option<SigningKey> {
    let (tag, body, _) = der::read(der_bytes)?;
    if tag != 0x30 {
        return None;
    }
    let (_, _version, rest) = der::read(body)?;
    let (tag, algorithm, rest) = der::read(rest)?;
    if tag != 0x30 {
        return None;
    }
    let (tag, oid, params) = der::read(algorithm)?;
    if tag != 0x06 {
        return None;
    }
    if oid == der::oid_content(OID_RSA_ENCRYPTION).as_slice() {
        RsaKeyPair::from_pkcs8(der_bytes).ok().map(SigningKey::Rsa)
    } else if oid == der::oid_content(OID_EC_PUBLIC_KEY).as_slice() {
        let (t, curve_oid, _) = der::read(params)?;
        if t != 0x06 {
            return None;
        }
        let curve = Curve::from_oid_content(curve_oid)?;
        let rng = SystemRandom::new();
        match EcdsaKeyPair::from_pkcs8(curve.signing(), der_bytes, &rng) {
            Ok(k) => Some(SigningKey::Ecdsa(k, curve)),
            Err(_) => {
                let (tag, private, _) = der::read(rest)?;
                if tag != 0x04 {
                    return None;
                }
                parse_sec1_key(private, Some(curve))
            }
        }
    } else if oid == der::oid_content(OID_ED25519).as_slice() {
        Ed25519KeyPair::from_pkcs8_maybe_unchecked(der_bytes)
            .ok()
            .map(SigningKey::Ed25519)
    } else {
        None
    }
}

/// Like client-go's `keyutil.ParsePrivateKeyPEM`: the first usable key block wins.
fn parse_private_key_pem(pem: &str) -> Result<SigningKey, CertError> {
    for block in pem_blocks(pem.as_bytes()) {
        let key = match block.label.as_str() {
            "EC PRIVATE KEY" => parse_sec1_key(&block.der, None),
            "RSA PRIVATE KEY" => RsaKeyPair::from_der(&block.der).ok().map(SigningKey::Rsa),
            "PRIVATE KEY" => parse_pkcs8_key(&block.der),
            _ => None,
        };
        if let Some(key) = key {
            return Ok(key);
        }
    }
    Err(CertError::new(
        "data does not contain a valid RSA or ECDSA private key",
    ))
}

/// The cluster CA that signs (`--cluster-signing-cert-file`/`--cluster-signing-key-file`, PEM).
pub struct Authority {
    certificate_pem: String,
    raw_subject: Vec<u8>,
    subject_key_id: Option<Vec<u8>>,
    not_after: Timestamp,
    key: SigningKey,
}

impl std::fmt::Debug for Authority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authority")
            .field("not_after", &self.not_after)
            .field("key", &"[elided]")
            .finish()
    }
}

impl Authority {
    /// Loads the CA: exactly one certificate, and a private key (PKCS#1, SEC1 or PKCS#8) matching it.
    pub fn from_pem(cert_pem: &str, key_pem: &str) -> Result<Authority, CertError> {
        let certs: Vec<Vec<u8>> = pem_blocks(cert_pem.as_bytes())
            .into_iter()
            .filter(|b| b.label == PEM_CERTIFICATE)
            .map(|b| b.der)
            .collect();
        if certs.is_empty() {
            return Err(CertError::new(
                "error reading CA cert: data does not contain any valid RSA or ECDSA certificates",
            ));
        }
        for der_bytes in &certs {
            x509_parser::parse_x509_certificate(der_bytes)
                .map_err(|e| CertError::new(format!("error reading CA cert: x509: {e}")))?;
        }
        if certs.len() != 1 {
            return Err(CertError::new(format!(
                "error reading CA cert: expected 1 certificate, found {}",
                certs.len()
            )));
        }
        let der_bytes = &certs[0];
        let (_, cert) = x509_parser::parse_x509_certificate(der_bytes)
            .map_err(|e| CertError::new(format!("error reading CA cert: x509: {e}")))?;
        let key = parse_private_key_pem(key_pem)
            .map_err(|e| CertError::new(format!("error reading CA key: {e}")))?;
        if key.public_key_bytes() != cert.public_key().subject_public_key.data.as_ref() {
            return Err(CertError::new("tls: private key does not match public key"));
        }
        let subject_key_id = cert
            .iter_extensions()
            .find_map(|ext| match ext.parsed_extension() {
                ParsedExtension::SubjectKeyIdentifier(id) => Some(id.0.to_vec()),
                _ => None,
            });
        let not_after = Timestamp::from_second(cert.validity().not_after.timestamp())
            .map_err(|e| CertError::new(format!("error reading CA cert: {e}")))?;
        Ok(Authority {
            certificate_pem: pem_encode(PEM_CERTIFICATE, der_bytes),
            raw_subject: cert.tbs_certificate.subject.as_raw().to_vec(),
            subject_key_id,
            not_after,
            key,
        })
    }

    /// The CA certificate, PEM.
    pub fn certificate_pem(&self) -> &str {
        &self.certificate_pem
    }

    /// The CA certificate's `notAfter`; nothing is signed past it.
    pub fn not_after(&self) -> Timestamp {
        self.not_after
    }

    /// Upstream `CertificateAuthority.Sign` with `PermissiveSigningPolicy`; returns the leaf PEM.
    fn issue(
        &self,
        request: &Request,
        usages: &[String],
        ttl: Duration,
        now: Timestamp,
    ) -> Result<String, CertError> {
        if let Some(e) = &request.signature_error {
            return Err(CertError::new(format!(
                "unable to verify certificate request signature: {e}"
            )));
        }
        let serial = random_serial().map_err(|e| {
            CertError::new(format!(
                "unable to generate a serial number for {}: {e}",
                request.subject.common_name
            ))
        })?;
        let (key_usage, ext_key_usages) = key_usages_from_strings(usages)?;
        let (not_before, not_after) = validity(ttl, now, self.not_after)?;

        let subject = request.subject.to_der();
        let mut extensions = Vec::new();
        if key_usage != 0 {
            extensions.push(extension(
                OID_EXT_KEY_USAGE,
                true,
                &key_usage_value(key_usage),
            ));
        }
        if !ext_key_usages.is_empty() {
            let oids: Vec<Vec<u8>> = ext_key_usages.iter().map(|arcs| der::oid(arcs)).collect();
            let refs: Vec<&[u8]> = oids.iter().map(Vec::as_slice).collect();
            extensions.push(extension(OID_EXT_EXT_KEY_USAGE, false, &der::seq(&refs)));
        }
        extensions.push(extension(OID_EXT_BASIC_CONSTRAINTS, true, &der::seq(&[])));
        if let Some(id) = &self.subject_key_id
            && !id.is_empty()
            && self.raw_subject != subject
        {
            let value = der::seq(&[&der::tlv(0x80, id)]);
            extensions.push(extension(OID_EXT_AUTHORITY_KEY_ID, false, &value));
        }
        let p = &request.parsed;
        if let Some(san) = san_extension_value(&p.dns_names, &p.emails, &p.ip_addresses, &p.uris) {
            // RFC 5280: critical when the subject is empty.
            let subject_is_empty = subject == [0x30, 0x00];
            extensions.push(extension(OID_EXT_SAN, subject_is_empty, &san));
        }
        let der_bytes = build_certificate(
            &serial,
            &self.raw_subject,
            not_before,
            not_after,
            &subject,
            &request.spki,
            &extensions,
            &self.key,
        )?;
        Ok(pem_encode(PEM_CERTIFICATE, &der_bytes))
    }
}

fn random_serial() -> Result<Vec<u8>, String> {
    let mut bytes = [0u8; 16];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| "random source failed".to_string())?;
    Ok(bytes.to_vec())
}

/// `notBefore`/`notAfter` as upstream's policy computes them, capped at the CA's expiry.
fn validity(
    ttl: Duration,
    now: Timestamp,
    signer_not_after: Timestamp,
) -> Result<(Timestamp, Timestamp), CertError> {
    let overflow = || CertError::new("certificate validity is out of range");
    let backdate = SignedDuration::try_from(BACKDATE).map_err(|_| overflow())?;
    let ttl_signed = SignedDuration::try_from(ttl).map_err(|_| overflow())?;
    let not_before = now.checked_sub(backdate).map_err(|_| overflow())?;
    let mut not_after = if ttl < SHORT_LIVED {
        now.checked_add(ttl_signed).map_err(|_| overflow())?
    } else {
        now.checked_add(ttl_signed)
            .and_then(|t| t.checked_sub(backdate))
            .map_err(|_| overflow())?
    };
    if not_after >= signer_not_after {
        not_after = signer_not_after;
    }
    if not_before >= signer_not_after {
        return Err(CertError::new(format!(
            "the signer has expired: NotAfter={}",
            go_time(signer_not_after)
        )));
    }
    if now >= signer_not_after {
        return Err(CertError::new(format!(
            "refusing to sign a certificate that expired in the past: NotAfter={}",
            go_time(signer_not_after)
        )));
    }
    Ok((not_before, not_after))
}

/// Go's default `time.Time` formatting for a UTC time.
fn go_time(t: Timestamp) -> String {
    t.strftime("%Y-%m-%d %H:%M:%S +0000 UTC").to_string()
}

fn extension(oid: &[u64], critical: bool, value: &[u8]) -> Vec<u8> {
    if critical {
        der::seq(&[
            &der::oid(oid),
            &[0x01, 0x01, 0xff],
            &der::octet_string(value),
        ])
    } else {
        der::seq(&[&der::oid(oid), &der::octet_string(value)])
    }
}

/// KeyUsage BIT STRING for Go's `x509.KeyUsage` bits (bit 0 = digitalSignature).
fn key_usage_value(bits: u16) -> Vec<u8> {
    let a0 = (bits as u8).reverse_bits();
    let a1 = ((bits >> 8) as u8).reverse_bits();
    let bytes: Vec<u8> = if a1 != 0 { vec![a0, a1] } else { vec![a0] };
    let last = bytes.last().copied().unwrap_or(0);
    let unused = if last == 0 {
        0
    } else {
        last.trailing_zeros() as u8
    };
    der::bit_string(unused, &bytes)
}

/// GeneralNames in Go's order (DNS, email, IP, URI); `None` when there are none.
fn san_extension_value(
    dns: &[String],
    emails: &[String],
    ips: &[IpAddr],
    uris: &[String],
) -> Option<Vec<u8>> {
    if dns.is_empty() && emails.is_empty() && ips.is_empty() && uris.is_empty() {
        return None;
    }
    let mut names: Vec<Vec<u8>> = Vec::new();
    names.extend(dns.iter().map(|n| der::tlv(0x82, n.as_bytes())));
    names.extend(emails.iter().map(|n| der::tlv(0x81, n.as_bytes())));
    names.extend(ips.iter().map(|ip| match ip {
        IpAddr::V4(v4) => der::tlv(0x87, &v4.octets()),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => der::tlv(0x87, &v4.octets()),
            None => der::tlv(0x87, &v6.octets()),
        },
    }));
    names.extend(uris.iter().map(|n| der::tlv(0x86, n.as_bytes())));
    let refs: Vec<&[u8]> = names.iter().map(Vec::as_slice).collect();
    Some(der::seq(&refs))
}

fn der_time(t: Timestamp) -> Result<Vec<u8>, CertError> {
    let dt = t.to_zoned(jiff::tz::TimeZone::UTC).datetime();
    let year = dt.year();
    if year < 0 {
        return Err(CertError::new("certificate validity is out of range"));
    }
    let rest = format!(
        "{:02}{:02}{:02}{:02}{:02}Z",
        dt.month(),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second()
    );
    Ok(if (1950..2050).contains(&year) {
        der::tlv(0x17, format!("{:02}{rest}", year % 100).as_bytes())
    } else {
        der::tlv(0x18, format!("{year:04}{rest}").as_bytes())
    })
}

#[allow(clippy::too_many_arguments)]
fn build_certificate(
    serial: &[u8],
    issuer: &[u8],
    not_before: Timestamp,
    not_after: Timestamp,
    subject: &[u8],
    spki: &[u8],
    extensions: &[Vec<u8>],
    key: &SigningKey,
) -> Result<Vec<u8>, CertError> {
    let version = [0xa0, 0x03, 0x02, 0x01, 0x02];
    let algorithm = key.algorithm_identifier();
    let validity = der::seq(&[&der_time(not_before)?, &der_time(not_after)?]);
    let extensions = if extensions.is_empty() {
        Vec::new()
    } else {
        let refs: Vec<&[u8]> = extensions.iter().map(Vec::as_slice).collect();
        der::tlv(0xa3, &der::seq(&refs))
    };
    let tbs = der::seq(&[
        &version,
        &der::uint(serial),
        &algorithm,
        issuer,
        &validity,
        subject,
        spki,
        &extensions,
    ]);
    let signature = key.sign(&tbs)?;
    Ok(der::seq(&[
        &tbs,
        &algorithm,
        &der::bit_string(0, &signature),
    ]))
}

/// Makes a self-signed CA certificate and its key (ECDSA P-256, SEC1 PEM) valid from `now` for
/// `validity`, like client-go's `cert.NewSelfSignedCACert`; for tests and development clusters.
pub fn make_self_signed_ca(
    common_name: &str,
    now: Timestamp,
    validity: Duration,
) -> Result<(String, String), CertError> {
    let rng = SystemRandom::new();
    let alg = &ring_sig::ECDSA_P256_SHA256_ASN1_SIGNING;
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(alg, &rng)
        .map_err(|_| CertError::new("unable to generate an ECDSA P-256 key"))?;
    let pair = EcdsaKeyPair::from_pkcs8(alg, pkcs8.as_ref(), &rng)
        .map_err(|e| CertError::new(format!("unable to load the generated key: {e}")))?;
    let public = pair.public_key().as_ref().to_vec();
    let key = SigningKey::Ecdsa(pair, Curve::P256);
    let subject = SubjectName {
        common_name: common_name.to_string(),
        ..SubjectName::default()
    }
    .to_der();
    let spki = der::seq(&[
        &der::seq(&[&der::oid(OID_EC_PUBLIC_KEY), &der::oid(OID_P256)]),
        &der::bit_string(0, &public),
    ]);
    let digest = ring::digest::digest(&ring::digest::SHA256, &public);
    let ski = &digest.as_ref()[..20];
    let not_after = now
        .checked_add(
            SignedDuration::try_from(validity)
                .map_err(|_| CertError::new("certificate validity is out of range"))?,
        )
        .map_err(|_| CertError::new("certificate validity is out of range"))?;
    // keyEncipherment | digitalSignature | keyCertSign
    let extensions = vec![
        extension(OID_EXT_KEY_USAGE, true, &key_usage_value(0b10_0101)),
        extension(
            OID_EXT_BASIC_CONSTRAINTS,
            true,
            &der::seq(&[&[0x01, 0x01, 0xff]]),
        ),
        extension(OID_EXT_SUBJECT_KEY_ID, false, &der::octet_string(ski)),
    ];
    let serial = random_serial().map_err(CertError::new)?;
    let der_bytes = build_certificate(
        &serial,
        &subject,
        now,
        not_after,
        &subject,
        &spki,
        &extensions,
        &key,
    )?;
    let sec1 = pkcs8_ec_to_sec1(pkcs8.as_ref(), OID_P256)?;
    Ok((
        pem_encode(PEM_CERTIFICATE, &der_bytes),
        pem_encode("EC PRIVATE KEY", &sec1),
    ))
}

// ---------------------------------------------------------------------------------------------
// Usages.
// ---------------------------------------------------------------------------------------------

/// `spec.usages` values mapped to Go `x509.KeyUsage` bits.
const KEY_USAGES: &[(&str, u16)] = &[
    ("signing", 1 << 0),
    ("digital signature", 1 << 0),
    ("content commitment", 1 << 1),
    ("key encipherment", 1 << 2),
    ("data encipherment", 1 << 3),
    ("key agreement", 1 << 4),
    ("cert sign", 1 << 5),
    ("crl sign", 1 << 6),
    ("encipher only", 1 << 7),
    ("decipher only", 1 << 8),
];

/// `spec.usages` values mapped to extended key usages, listed in Go's `ExtKeyUsage` order
/// (the order the signed certificate lists them in).
const EXT_KEY_USAGES: &[(&str, &[u64])] = &[
    ("any", &[2, 5, 29, 37, 0]),
    ("server auth", &[1, 3, 6, 1, 5, 5, 7, 3, 1]),
    ("client auth", &[1, 3, 6, 1, 5, 5, 7, 3, 2]),
    ("code signing", &[1, 3, 6, 1, 5, 5, 7, 3, 3]),
    ("email protection", &[1, 3, 6, 1, 5, 5, 7, 3, 4]),
    ("s/mime", &[1, 3, 6, 1, 5, 5, 7, 3, 4]),
    ("ipsec end system", &[1, 3, 6, 1, 5, 5, 7, 3, 5]),
    ("ipsec tunnel", &[1, 3, 6, 1, 5, 5, 7, 3, 6]),
    ("ipsec user", &[1, 3, 6, 1, 5, 5, 7, 3, 7]),
    ("timestamping", &[1, 3, 6, 1, 5, 5, 7, 3, 8]),
    ("ocsp signing", &[1, 3, 6, 1, 5, 5, 7, 3, 9]),
    ("microsoft sgc", &[1, 3, 6, 1, 4, 1, 311, 10, 3, 3]),
    ("netscape sgc", &[2, 16, 840, 1, 113730, 4, 1]),
];

fn key_usages_from_strings(usages: &[String]) -> Result<(u16, Vec<&'static [u64]>), CertError> {
    let mut bits = 0u16;
    let mut ext: Vec<&'static [u64]> = Vec::new();
    let mut unrecognized: Vec<&str> = Vec::new();
    for usage in usages {
        if let Some((_, b)) = KEY_USAGES.iter().find(|(name, _)| name == usage) {
            bits |= b;
        } else if let Some((_, oid)) = EXT_KEY_USAGES.iter().find(|(name, _)| name == usage) {
            ext.push(oid);
        } else {
            unrecognized.push(usage);
        }
    }
    if !unrecognized.is_empty() {
        let quoted: Vec<String> = unrecognized.iter().map(|u| format!("{u:?}")).collect();
        return Err(CertError::new(format!(
            "unrecognized usage values: [{}]",
            quoted.join(" ")
        )));
    }
    // Deduplicate and order like Go's ExtKeyUsage constants.
    let mut ordered: Vec<&'static [u64]> = Vec::new();
    for (_, oid) in EXT_KEY_USAGES {
        if ext.contains(oid) && !ordered.contains(oid) {
            ordered.push(oid);
        }
    }
    Ok((bits, ordered))
}

fn usage_set(usages: &[String]) -> BTreeSet<&str> {
    usages.iter().map(String::as_str).collect()
}

fn spec_usages(csr: &CertificateSigningRequest) -> &[String] {
    csr.spec.usages.as_deref().unwrap_or(&[])
}

// ---------------------------------------------------------------------------------------------
// Signer validation (pkg/apis/certificates helpers and the signer's per-signer checks).
// ---------------------------------------------------------------------------------------------

const KUBELET_USAGES_WITH_RSA_SERVING: [&str; 3] =
    ["digital signature", "key encipherment", "server auth"];
const KUBELET_USAGES_NO_RSA_SERVING: [&str; 2] = ["digital signature", "server auth"];
const KUBELET_USAGES_WITH_RSA_CLIENT: [&str; 3] =
    ["client auth", "digital signature", "key encipherment"];
const KUBELET_USAGES_NO_RSA_CLIENT: [&str; 2] = ["client auth", "digital signature"];

fn set_equals(set: &BTreeSet<&str>, wanted: &[&str]) -> bool {
    set.len() == wanted.len() && wanted.iter().all(|w| set.contains(w))
}

/// Upstream `ValidateKubeletServingCSR`; `Err` carries the `Failed` condition message.
pub fn validate_kubelet_serving_csr(req: &ParsedRequest, usages: &[String]) -> Result<(), String> {
    if req.organizations != ["system:nodes"] {
        return Err("subject organization is not system:nodes".into());
    }
    if req.dns_names.is_empty() && req.ip_addresses.is_empty() {
        return Err("DNS or IP subjectAltName is required".into());
    }
    if !req.emails.is_empty() {
        return Err("Email subjectAltNames are not allowed".into());
    }
    if !req.uris.is_empty() {
        return Err("URI subjectAltNames are not allowed".into());
    }
    let set = usage_set(usages);
    if !set_equals(&set, &KUBELET_USAGES_WITH_RSA_SERVING)
        && !set_equals(&set, &KUBELET_USAGES_NO_RSA_SERVING)
    {
        return Err(format!(
            "usages did not match [{}]",
            KUBELET_USAGES_WITH_RSA_SERVING.join(" ")
        ));
    }
    if !req.common_name.starts_with("system:node:") {
        return Err("subject common name does not begin with system:node:".into());
    }
    Ok(())
}

/// Upstream `IsKubeletServingCSR`.
pub fn is_kubelet_serving_csr(req: &ParsedRequest, usages: &[String]) -> bool {
    validate_kubelet_serving_csr(req, usages).is_ok()
}

/// Upstream `ValidateKubeletClientCSR`; `Err` carries the `Failed` condition message.
pub fn validate_kubelet_client_csr(req: &ParsedRequest, usages: &[String]) -> Result<(), String> {
    if req.organizations != ["system:nodes"] {
        return Err("subject organization is not system:nodes".into());
    }
    if !req.dns_names.is_empty() {
        return Err("DNS subjectAltNames are not allowed".into());
    }
    if !req.emails.is_empty() {
        return Err("Email subjectAltNames are not allowed".into());
    }
    if !req.ip_addresses.is_empty() {
        return Err("IP subjectAltNames are not allowed".into());
    }
    if !req.uris.is_empty() {
        return Err("URI subjectAltNames are not allowed".into());
    }
    if !req.common_name.starts_with("system:node:") {
        return Err("subject common name does not begin with system:node:".into());
    }
    let set = usage_set(usages);
    if !set_equals(&set, &KUBELET_USAGES_WITH_RSA_CLIENT)
        && !set_equals(&set, &KUBELET_USAGES_NO_RSA_CLIENT)
    {
        return Err(format!(
            "usages did not match [{}]",
            KUBELET_USAGES_WITH_RSA_CLIENT.join(" ")
        ));
    }
    Ok(())
}

/// Upstream `IsKubeletClientCSR`.
pub fn is_kubelet_client_csr(req: &ParsedRequest, usages: &[String]) -> bool {
    validate_kubelet_client_csr(req, usages).is_ok()
}

/// The `kubernetes.io/kube-apiserver-client` usage rule: only digital signature, key
/// encipherment and client auth, and client auth is required.
pub fn validate_kube_apiserver_client_usages(usages: &[String]) -> Result<(), String> {
    let mut has_client_auth = false;
    for usage in usages {
        match usage.as_str() {
            "digital signature" | "key encipherment" => {}
            "client auth" => has_client_auth = true,
            other => return Err(format!("invalid usage for client certificate: {other}")),
        }
    }
    if !has_client_auth {
        return Err("missing required usage for client certificate: client auth".into());
    }
    Ok(())
}

/// Validation by signer: `Ok(())` when the request may be signed, `Err(message)` for the
/// `Failed` condition. Signers outside [`SIGNERS`] are not validated here (`Ok`).
pub fn validate_for_signer(
    signer_name: &str,
    req: &ParsedRequest,
    usages: &[String],
) -> Result<(), String> {
    match signer_name {
        KUBELET_SERVING_SIGNER_NAME => validate_kubelet_serving_csr(req, usages),
        KUBE_APISERVER_CLIENT_KUBELET_SIGNER_NAME => validate_kubelet_client_csr(req, usages),
        KUBE_APISERVER_CLIENT_SIGNER_NAME => validate_kube_apiserver_client_usages(usages),
        // No restrictions, for backward compatibility.
        _ => Ok(()),
    }
}

// ---------------------------------------------------------------------------------------------
// Conditions.
// ---------------------------------------------------------------------------------------------

fn conditions(csr: &CertificateSigningRequest) -> &[CertificateSigningRequestCondition] {
    csr.status
        .as_ref()
        .and_then(|s| s.conditions.as_deref())
        .unwrap_or(&[])
}

fn has_certificate(csr: &CertificateSigningRequest) -> bool {
    csr.status
        .as_ref()
        .and_then(|s| s.certificate.as_ref())
        .is_some_and(|c| !c.0.is_empty())
}

/// (any `Approved` condition, any `Denied` condition), statuses ignored as upstream does.
fn approval_state(csr: &CertificateSigningRequest) -> (bool, bool) {
    let c = conditions(csr);
    (
        c.iter().any(|c| c.type_ == CONDITION_APPROVED),
        c.iter().any(|c| c.type_ == CONDITION_DENIED),
    )
}

/// Approved and not denied (upstream `IsCertificateRequestApproved`).
pub fn is_approved(csr: &CertificateSigningRequest) -> bool {
    let (approved, denied) = approval_state(csr);
    approved && !denied
}

/// Has a `Denied` condition.
pub fn is_denied(csr: &CertificateSigningRequest) -> bool {
    approval_state(csr).1
}

/// Has a `Failed` condition whose status is `True` or empty (upstream `HasTrueCondition`).
pub fn is_failed(csr: &CertificateSigningRequest) -> bool {
    conditions(csr)
        .iter()
        .any(|c| c.type_ == CONDITION_FAILED && (c.status.is_empty() || c.status == "True"))
}

fn condition(
    type_: &str,
    reason: &str,
    message: &str,
    now: Timestamp,
) -> CertificateSigningRequestCondition {
    CertificateSigningRequestCondition {
        type_: type_.to_string(),
        status: "True".to_string(),
        reason: Some(reason.to_string()),
        message: Some(message.to_string()),
        last_update_time: Some(Time(now)),
        last_transition_time: Some(Time(now)),
    }
}

/// The `Failed` condition csrsigning appends for [`SignOutcome::Failed`]: status True, reason
/// `SignerValidationFailure`, lastUpdateTime (and lastTransitionTime) now.
pub fn failed_condition(message: &str, now: Timestamp) -> CertificateSigningRequestCondition {
    condition(
        CONDITION_FAILED,
        REASON_SIGNER_VALIDATION_FAILURE,
        message,
        now,
    )
}

// ---------------------------------------------------------------------------------------------
// csrsigning.
// ---------------------------------------------------------------------------------------------

/// What the csrsigning controller does with one CSR.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignOutcome {
    /// Not ours, not approved, denied, failed or already signed: nothing to do.
    Skip,
    /// PEM certificate (the leaf only, as upstream) for `status.certificate`.
    Signed(String),
    /// Append a `Failed` condition (reason `SignerValidationFailure`) with this message; see
    /// [`failed_condition`].
    Failed(String),
    /// Upstream returns this error from the sync: it is logged and the CSR requeued with
    /// backoff; no condition is written (unparseable request, bad request signature,
    /// unrecognized usage, expired CA).
    Error(String),
}

/// The certificate lifetime for `spec.expirationSeconds`: the signing duration when unset or
/// larger, at least [`MIN_REQUESTED_DURATION`].
pub fn requested_duration(expiration_seconds: Option<i32>, signing_duration: Duration) -> Duration {
    let Some(seconds) = expiration_seconds else {
        return signing_duration;
    };
    let requested = Duration::from_secs(u64::try_from(seconds).unwrap_or(0));
    if requested > signing_duration {
        signing_duration
    } else if requested < MIN_REQUESTED_DURATION {
        MIN_REQUESTED_DURATION
    } else {
        requested
    }
}

/// The csrsigning controller's decision for one CSR (all four signers share `authority`).
pub fn sign(
    authority: &Authority,
    csr: &CertificateSigningRequest,
    signing_duration: Duration,
    now: Timestamp,
) -> SignOutcome {
    if has_certificate(csr) || !is_approved(csr) || is_failed(csr) {
        return SignOutcome::Skip;
    }
    let signer_name = csr.spec.signer_name.as_str();
    if !SIGNERS.contains(&signer_name) {
        return SignOutcome::Skip;
    }
    let name = csr.metadata.name.as_deref().unwrap_or("");
    let request = match parse_request_internal(&csr.spec.request.0) {
        Ok(r) => r,
        Err(e) => return SignOutcome::Error(format!("unable to parse csr {name:?}: {e}")),
    };
    let usages = spec_usages(csr);
    if let Err(message) = validate_for_signer(signer_name, &request.parsed, usages) {
        return SignOutcome::Failed(message);
    }
    let ttl = requested_duration(csr.spec.expiration_seconds, signing_duration);
    match authority.issue(&request, usages, ttl, now) {
        Ok(pem) => SignOutcome::Signed(pem),
        Err(e) => SignOutcome::Error(format!("error auto signing csr: {e}")),
    }
}

// ---------------------------------------------------------------------------------------------
// csrapproving.
// ---------------------------------------------------------------------------------------------

/// The SubjectAccessReviews csrapproving tries for a CSR, in order (`selfnodeclient` first when
/// `spec.username` equals the subject CN, then `nodeclient`); the first allowed one approves.
/// Empty when the CSR is not a kubelet client CSR, is unparseable, already has a certificate,
/// or is already approved or denied.
pub fn approval_subresources(csr: &CertificateSigningRequest) -> Vec<&'static str> {
    if has_certificate(csr) {
        return Vec::new();
    }
    let (approved, denied) = approval_state(csr);
    if approved || denied {
        return Vec::new();
    }
    if csr.spec.signer_name != KUBE_APISERVER_CLIENT_KUBELET_SIGNER_NAME {
        return Vec::new();
    }
    let Ok(request) = parse_request(&csr.spec.request.0) else {
        return Vec::new();
    };
    if !is_kubelet_client_csr(&request, spec_usages(csr)) {
        return Vec::new();
    }
    let mut out = Vec::new();
    if csr.spec.username.as_deref().unwrap_or("") == request.common_name {
        out.push(SUBRESOURCE_SELF_NODE_CLIENT);
    }
    out.push(SUBRESOURCE_NODE_CLIENT);
    out
}

/// The first SubjectAccessReview subresource to ask for (see [`approval_subresources`]).
pub fn approval_subresource(csr: &CertificateSigningRequest) -> Option<&'static str> {
    approval_subresources(csr).first().copied()
}

/// The SubjectAccessReview csrapproving creates: the requester's user, UID, groups and extra,
/// asking `create` on `certificates.k8s.io/certificatesigningrequests/<subresource>`.
pub fn subject_access_review(
    csr: &CertificateSigningRequest,
    subresource: &str,
) -> SubjectAccessReview {
    SubjectAccessReview {
        spec: SubjectAccessReviewSpec {
            user: csr.spec.username.clone(),
            uid: csr.spec.uid.clone(),
            groups: csr.spec.groups.clone(),
            extra: csr.spec.extra.clone(),
            resource_attributes: Some(ResourceAttributes {
                group: Some("certificates.k8s.io".to_string()),
                resource: Some("certificatesigningrequests".to_string()),
                verb: Some("create".to_string()),
                subresource: Some(subresource.to_string()),
                ..ResourceAttributes::default()
            }),
            ..SubjectAccessReviewSpec::default()
        },
        ..SubjectAccessReview::default()
    }
}

/// The `Approved` condition after the review for `subresource` allowed: status True, reason
/// `AutoApproved`, the matching upstream message, lastUpdateTime (and lastTransitionTime) now.
pub fn approved_condition(subresource: &str, now: Timestamp) -> CertificateSigningRequestCondition {
    let message = if subresource == SUBRESOURCE_SELF_NODE_CLIENT {
        SELF_NODE_CLIENT_APPROVAL_MESSAGE
    } else {
        NODE_CLIENT_APPROVAL_MESSAGE
    };
    condition(CONDITION_APPROVED, REASON_AUTO_APPROVED, message, now)
}

/// Upstream's (ignorable, requeued) error when every tried review was denied.
pub fn not_approved_message(csr_name: &str, tried: &[&str]) -> String {
    format!(
        "recognized csr {csr_name:?} as [{}] but subject access review was not approved",
        tried.join(" ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::ByteString;
    use k8s_openapi::api::certificates::v1::{
        CertificateSigningRequestSpec, CertificateSigningRequestStatus,
    };
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
    use x509_parser::prelude::X509Certificate;

    const KUBELET_CLIENT_USAGES: [&str; 3] =
        ["digital signature", "key encipherment", "client auth"];

    fn now() -> Timestamp {
        "2025-01-01T00:00:00Z".parse().unwrap()
    }

    fn ca() -> Authority {
        let (cert, key) = make_self_signed_ca(
            "kubernetes",
            now() - SignedDuration::from_hours(1),
            Duration::from_secs(10 * 365 * 24 * 3600),
        )
        .unwrap();
        Authority::from_pem(&cert, &key).unwrap()
    }

    fn csr_object(
        pem: &str,
        signer: &str,
        usages: &[&str],
        username: &str,
        conditions: &[(&str, &str)],
    ) -> CertificateSigningRequest {
        CertificateSigningRequest {
            metadata: ObjectMeta {
                name: Some("csr-1".into()),
                ..Default::default()
            },
            spec: CertificateSigningRequestSpec {
                request: ByteString(pem.as_bytes().to_vec()),
                signer_name: signer.into(),
                usages: Some(usages.iter().map(|s| s.to_string()).collect()),
                username: Some(username.into()),
                groups: Some(vec![
                    "system:bootstrappers".into(),
                    "system:authenticated".into(),
                ]),
                ..Default::default()
            },
            status: Some(CertificateSigningRequestStatus {
                conditions: Some(
                    conditions
                        .iter()
                        .map(|(t, s)| CertificateSigningRequestCondition {
                            type_: t.to_string(),
                            status: s.to_string(),
                            ..Default::default()
                        })
                        .collect(),
                ),
                certificate: None,
            }),
        }
    }

    fn approved(pem: &str, signer: &str, usages: &[&str]) -> CertificateSigningRequest {
        csr_object(
            pem,
            signer,
            usages,
            "system:bootstrap:abcdef",
            &[("Approved", "True")],
        )
    }

    fn kubelet_client_pem() -> String {
        make_request("system:node:n1", &["system:nodes"], &[], &[])
            .unwrap()
            .0
    }

    fn signed_der(outcome: SignOutcome) -> Vec<u8> {
        match outcome {
            SignOutcome::Signed(pem) => {
                let blocks = pem_blocks(pem.as_bytes());
                assert_eq!(blocks.len(), 1, "leaf only");
                assert_eq!(blocks[0].label, "CERTIFICATE");
                blocks[0].der.clone()
            }
            other => panic!("expected a certificate, got {other:?}"),
        }
    }

    fn ca_der(authority: &Authority) -> Vec<u8> {
        pem_blocks(authority.certificate_pem().as_bytes())[0]
            .der
            .clone()
    }

    fn parse_cert(der: &[u8]) -> X509Certificate<'_> {
        x509_parser::parse_x509_certificate(der).unwrap().1
    }

    fn ts(seconds: i64) -> Timestamp {
        Timestamp::from_second(seconds).unwrap()
    }

    #[test]
    fn signs_kubelet_client_csr() {
        let authority = ca();
        let csr = approved(
            &kubelet_client_pem(),
            KUBE_APISERVER_CLIENT_KUBELET_SIGNER_NAME,
            &KUBELET_CLIENT_USAGES,
        );
        let der = signed_der(sign(
            &authority,
            &csr,
            DEFAULT_CLUSTER_SIGNING_DURATION,
            now(),
        ));
        let cert = parse_cert(&der);
        let ca_der = ca_der(&authority);
        let ca_cert = parse_cert(&ca_der);

        assert_eq!(cert.version(), x509_parser::x509::X509Version::V3);
        let cn: Vec<_> = cert
            .subject()
            .iter_common_name()
            .map(|a| a.as_str().unwrap())
            .collect();
        assert_eq!(cn, ["system:node:n1"]);
        let o: Vec<_> = cert
            .subject()
            .iter_organization()
            .map(|a| a.as_str().unwrap())
            .collect();
        assert_eq!(o, ["system:nodes"]);
        assert_eq!(cert.issuer().as_raw(), ca_cert.subject().as_raw());
        cert.verify_signature(Some(ca_cert.public_key())).unwrap();

        let ku = cert.key_usage().unwrap().unwrap();
        assert!(ku.critical);
        assert!(ku.value.digital_signature() && ku.value.key_encipherment());
        assert!(!ku.value.key_cert_sign());
        let eku = cert.extended_key_usage().unwrap().unwrap();
        assert!(!eku.critical);
        assert!(eku.value.client_auth && !eku.value.server_auth);
        let bc = cert.basic_constraints().unwrap().unwrap();
        assert!(bc.critical && !bc.value.ca);
        assert!(cert.subject_alternative_name().unwrap().is_none());

        // The authority key identifier is the CA's subject key identifier.
        let ca_ski = ca_cert
            .iter_extensions()
            .find_map(|e| match e.parsed_extension() {
                ParsedExtension::SubjectKeyIdentifier(k) => Some(k.0.to_vec()),
                _ => None,
            })
            .unwrap();
        let aki = cert
            .iter_extensions()
            .find_map(|e| match e.parsed_extension() {
                ParsedExtension::AuthorityKeyIdentifier(a) => {
                    a.key_identifier.as_ref().map(|k| k.0.to_vec())
                }
                _ => None,
            })
            .unwrap();
        assert_eq!(aki, ca_ski);

        // notBefore backdated 5 minutes; notAfter = now + 8760h - 5m.
        assert_eq!(
            ts(cert.validity().not_before.timestamp()),
            now() - SignedDuration::from_mins(5)
        );
        assert_eq!(
            ts(cert.validity().not_after.timestamp()),
            now() + SignedDuration::from_hours(8760) - SignedDuration::from_mins(5)
        );
        // Random positive serial of at most 128 bits.
        let serial = cert.tbs_certificate.raw_serial();
        assert!(serial.len() <= 17 && serial[0] & 0x80 == 0);
        let csr2 = approved(
            &kubelet_client_pem(),
            KUBE_APISERVER_CLIENT_KUBELET_SIGNER_NAME,
            &KUBELET_CLIENT_USAGES,
        );
        let der2 = signed_der(sign(
            &authority,
            &csr2,
            DEFAULT_CLUSTER_SIGNING_DURATION,
            now(),
        ));
        assert_ne!(parse_cert(&der2).tbs_certificate.raw_serial(), serial);
        // The certificate's public key is the request's.
        let request = parse_request_internal(csr.spec.request.0.as_slice()).unwrap();
        assert_eq!(
            cert.tbs_certificate.subject_pki.raw,
            request.spki.as_slice()
        );
    }

    #[test]
    fn signs_kubelet_serving_csr_with_sans() {
        let authority = ca();
        let ips: [IpAddr; 2] = ["10.0.0.1".parse().unwrap(), "fd00::1".parse().unwrap()];
        let (pem, _) = make_request(
            "system:node:n1",
            &["system:nodes"],
            &["n1", "n1.example"],
            &ips,
        )
        .unwrap();
        let csr = approved(
            &pem,
            KUBELET_SERVING_SIGNER_NAME,
            &["digital signature", "key encipherment", "server auth"],
        );
        let der = signed_der(sign(
            &authority,
            &csr,
            DEFAULT_CLUSTER_SIGNING_DURATION,
            now(),
        ));
        let cert = parse_cert(&der);
        let eku = cert.extended_key_usage().unwrap().unwrap();
        assert!(eku.value.server_auth && !eku.value.client_auth);
        let san = cert.subject_alternative_name().unwrap().unwrap();
        assert!(!san.critical);
        let names: Vec<String> = san
            .value
            .general_names
            .iter()
            .map(|n| match n {
                GeneralName::DNSName(d) => format!("dns:{d}"),
                GeneralName::IPAddress(b) => format!("ip:{}", ip_from_bytes(b).unwrap()),
                other => format!("{other:?}"),
            })
            .collect();
        assert_eq!(
            names,
            ["dns:n1", "dns:n1.example", "ip:10.0.0.1", "ip:fd00::1"]
        );
    }

    #[test]
    fn kubelet_client_refusals_use_upstream_messages() {
        let authority = ca();
        let signer = KUBE_APISERVER_CLIENT_KUBELET_SIGNER_NAME;
        let cases: Vec<(String, Vec<&str>, &str)> = vec![
            (
                make_request("system:node:n1", &["system:masters"], &[], &[])
                    .unwrap()
                    .0,
                KUBELET_CLIENT_USAGES.to_vec(),
                "subject organization is not system:nodes",
            ),
            (
                make_request("system:node:n1", &["system:nodes", "extra"], &[], &[])
                    .unwrap()
                    .0,
                KUBELET_CLIENT_USAGES.to_vec(),
                "subject organization is not system:nodes",
            ),
            (
                make_request("system:node:n1", &["system:nodes"], &["n1"], &[])
                    .unwrap()
                    .0,
                KUBELET_CLIENT_USAGES.to_vec(),
                "DNS subjectAltNames are not allowed",
            ),
            (
                make_request(
                    "system:node:n1",
                    &["system:nodes"],
                    &[],
                    &["10.0.0.1".parse().unwrap()],
                )
                .unwrap()
                .0,
                KUBELET_CLIENT_USAGES.to_vec(),
                "IP subjectAltNames are not allowed",
            ),
            (
                make_request("n1", &["system:nodes"], &[], &[]).unwrap().0,
                KUBELET_CLIENT_USAGES.to_vec(),
                "subject common name does not begin with system:node:",
            ),
            (
                kubelet_client_pem(),
                vec![
                    "digital signature",
                    "key encipherment",
                    "client auth",
                    "server auth",
                ],
                "usages did not match [client auth digital signature key encipherment]",
            ),
        ];
        for (pem, usages, message) in cases {
            let csr = approved(&pem, signer, &usages);
            assert_eq!(
                sign(&authority, &csr, DEFAULT_CLUSTER_SIGNING_DURATION, now()),
                SignOutcome::Failed(message.to_string())
            );
        }
        // The no-RSA usage set is accepted too.
        let csr = approved(
            &kubelet_client_pem(),
            signer,
            &["digital signature", "client auth"],
        );
        assert!(matches!(
            sign(&authority, &csr, DEFAULT_CLUSTER_SIGNING_DURATION, now()),
            SignOutcome::Signed(_)
        ));
    }

    #[test]
    fn kube_apiserver_client_and_serving_refusals() {
        let authority = ca();
        let (pem, _) = make_request("jane", &["devs"], &[], &[]).unwrap();
        let csr = approved(
            &pem,
            KUBE_APISERVER_CLIENT_SIGNER_NAME,
            &["digital signature", "client auth", "server auth"],
        );
        assert_eq!(
            sign(&authority, &csr, DEFAULT_CLUSTER_SIGNING_DURATION, now()),
            SignOutcome::Failed("invalid usage for client certificate: server auth".into())
        );
        let csr = approved(
            &pem,
            KUBE_APISERVER_CLIENT_SIGNER_NAME,
            &["digital signature"],
        );
        assert_eq!(
            sign(&authority, &csr, DEFAULT_CLUSTER_SIGNING_DURATION, now()),
            SignOutcome::Failed(
                "missing required usage for client certificate: client auth".into()
            )
        );
        let csr = approved(&pem, KUBE_APISERVER_CLIENT_SIGNER_NAME, &["client auth"]);
        let der = signed_der(sign(
            &authority,
            &csr,
            DEFAULT_CLUSTER_SIGNING_DURATION,
            now(),
        ));
        // No key usage bits requested: no KeyUsage extension, like Go.
        assert!(parse_cert(&der).key_usage().unwrap().is_none());

        let serving = |pem: &str, usages: &[&str]| {
            sign(
                &authority,
                &approved(pem, KUBELET_SERVING_SIGNER_NAME, usages),
                DEFAULT_CLUSTER_SIGNING_DURATION,
                now(),
            )
        };
        assert_eq!(
            serving(&kubelet_client_pem(), &["digital signature", "server auth"]),
            SignOutcome::Failed("DNS or IP subjectAltName is required".into())
        );
        let (with_dns, _) =
            make_request("system:node:n1", &["system:nodes"], &["n1"], &[]).unwrap();
        assert_eq!(
            serving(&with_dns, &["digital signature", "client auth"]),
            SignOutcome::Failed(
                "usages did not match [digital signature key encipherment server auth]".into()
            )
        );
        let (bad_cn, _) = make_request("n1", &["system:nodes"], &["n1"], &[]).unwrap();
        assert_eq!(
            serving(&bad_cn, &["digital signature", "server auth"]),
            SignOutcome::Failed("subject common name does not begin with system:node:".into())
        );
    }

    #[test]
    fn expiration_seconds_honoured_clamped_and_capped() {
        let authority = ca();
        let pem = kubelet_client_pem();
        let not_after = |seconds: Option<i32>| {
            let mut csr = approved(
                &pem,
                KUBE_APISERVER_CLIENT_KUBELET_SIGNER_NAME,
                &KUBELET_CLIENT_USAGES,
            );
            csr.spec.expiration_seconds = seconds;
            let der = signed_der(sign(
                &authority,
                &csr,
                DEFAULT_CLUSTER_SIGNING_DURATION,
                now(),
            ));
            let cert = parse_cert(&der);
            assert_eq!(
                ts(cert.validity().not_before.timestamp()),
                now() - SignedDuration::from_mins(5)
            );
            ts(cert.validity().not_after.timestamp())
        };
        // Short-lived: not backdated at the end.
        assert_eq!(not_after(Some(3600)), now() + SignedDuration::from_hours(1));
        // Below 10 minutes: raised to 10 minutes.
        assert_eq!(not_after(Some(100)), now() + SignedDuration::from_mins(10));
        // Long-lived: backdated by 5 minutes.
        assert_eq!(
            not_after(Some(24 * 3600)),
            now() + SignedDuration::from_hours(24) - SignedDuration::from_mins(5)
        );
        // Above the signing duration: capped to it.
        assert_eq!(
            not_after(Some(10 * 365 * 24 * 3600)),
            now() + SignedDuration::from_hours(8760) - SignedDuration::from_mins(5)
        );
        assert_eq!(
            requested_duration(None, Duration::from_secs(7200)),
            Duration::from_secs(7200)
        );
        assert_eq!(
            requested_duration(Some(-5), Duration::from_secs(7200)),
            MIN_REQUESTED_DURATION
        );
    }

    #[test]
    fn capped_at_ca_expiry_and_refused_after_it() {
        let (cert, key) = make_self_signed_ca(
            "short-ca",
            now() - SignedDuration::from_hours(1),
            Duration::from_secs(25 * 3600),
        )
        .unwrap();
        let authority = Authority::from_pem(&cert, &key).unwrap();
        let csr = approved(
            &kubelet_client_pem(),
            KUBE_APISERVER_CLIENT_KUBELET_SIGNER_NAME,
            &KUBELET_CLIENT_USAGES,
        );
        let der = signed_der(sign(
            &authority,
            &csr,
            DEFAULT_CLUSTER_SIGNING_DURATION,
            now(),
        ));
        assert_eq!(
            ts(parse_cert(&der).validity().not_after.timestamp()),
            now() + SignedDuration::from_hours(24)
        );
        let later = now() + SignedDuration::from_hours(24);
        assert_eq!(
            sign(&authority, &csr, DEFAULT_CLUSTER_SIGNING_DURATION, later),
            SignOutcome::Error(
                "error auto signing csr: refusing to sign a certificate that expired in the past: NotAfter=2025-01-02 00:00:00 +0000 UTC".into()
            )
        );
        let much_later = now() + SignedDuration::from_hours(48);
        assert_eq!(
            sign(&authority, &csr, DEFAULT_CLUSTER_SIGNING_DURATION, much_later),
            SignOutcome::Error(
                "error auto signing csr: the signer has expired: NotAfter=2025-01-02 00:00:00 +0000 UTC".into()
            )
        );
    }

    #[test]
    fn skips_what_is_not_ready_or_not_ours() {
        let authority = ca();
        let pem = kubelet_client_pem();
        let signer = KUBE_APISERVER_CLIENT_KUBELET_SIGNER_NAME;
        let run = |csr: &CertificateSigningRequest| {
            sign(&authority, csr, DEFAULT_CLUSTER_SIGNING_DURATION, now())
        };
        let user = "system:bootstrap:abcdef";
        assert_eq!(
            run(&csr_object(&pem, signer, &KUBELET_CLIENT_USAGES, user, &[])),
            SignOutcome::Skip
        );
        assert_eq!(
            run(&csr_object(
                &pem,
                signer,
                &KUBELET_CLIENT_USAGES,
                user,
                &[("Approved", "True"), ("Denied", "True")]
            )),
            SignOutcome::Skip
        );
        assert_eq!(
            run(&csr_object(
                &pem,
                signer,
                &KUBELET_CLIENT_USAGES,
                user,
                &[("Approved", "True"), ("Failed", "True")]
            )),
            SignOutcome::Skip
        );
        // A Failed condition with status False does not stop signing.
        assert!(matches!(
            run(&csr_object(
                &pem,
                signer,
                &KUBELET_CLIENT_USAGES,
                user,
                &[("Approved", "True"), ("Failed", "False")]
            )),
            SignOutcome::Signed(_)
        ));
        assert_eq!(
            run(&approved(
                &pem,
                "example.com/custom",
                &KUBELET_CLIENT_USAGES
            )),
            SignOutcome::Skip
        );
        let mut done = approved(&pem, signer, &KUBELET_CLIENT_USAGES);
        if let Some(status) = done.status.as_mut() {
            status.certificate = Some(ByteString(b"-----BEGIN CERTIFICATE-----".to_vec()));
        }
        assert_eq!(run(&done), SignOutcome::Skip);
    }

    #[test]
    fn legacy_unknown_signs_anything_and_keeps_every_organization() {
        let authority = ca();
        let (pem, _) = make_request("someone", &["b-org", "a-org"], &["x.example"], &[]).unwrap();
        let csr = approved(
            &pem,
            LEGACY_UNKNOWN_SIGNER_NAME,
            &["server auth", "client auth", "code signing"],
        );
        let der = signed_der(sign(
            &authority,
            &csr,
            DEFAULT_CLUSTER_SIGNING_DURATION,
            now(),
        ));
        let cert = parse_cert(&der);
        let mut orgs: Vec<_> = cert
            .subject()
            .iter_organization()
            .map(|a| a.as_str().unwrap())
            .collect();
        orgs.sort();
        assert_eq!(orgs, ["a-org", "b-org"]);
        let eku = cert.extended_key_usage().unwrap().unwrap().value;
        assert!(eku.server_auth && eku.client_auth && eku.code_signing);

        let csr = approved(&pem, LEGACY_UNKNOWN_SIGNER_NAME, &["client auth", "bogus"]);
        assert_eq!(
            sign(&authority, &csr, DEFAULT_CLUSTER_SIGNING_DURATION, now()),
            SignOutcome::Error(
                "error auto signing csr: unrecognized usage values: [\"bogus\"]".into()
            )
        );
    }

    #[test]
    fn bad_requests_are_errors_not_failures() {
        let authority = ca();
        let csr = approved(
            "not a pem",
            KUBE_APISERVER_CLIENT_SIGNER_NAME,
            &["client auth"],
        );
        assert_eq!(
            sign(&authority, &csr, DEFAULT_CLUSTER_SIGNING_DURATION, now()),
            SignOutcome::Error(
                "unable to parse csr \"csr-1\": PEM block type must be CERTIFICATE REQUEST".into()
            )
        );
        assert_eq!(
            parse_request(authority.certificate_pem().as_bytes())
                .unwrap_err()
                .message(),
            "PEM block type must be CERTIFICATE REQUEST"
        );

        // Flip a bit of the signature: validation still passes, signing refuses.
        let (pem, _) = make_request("jane", &[], &[], &[]).unwrap();
        let mut der = decode_csr_pem(pem.as_bytes()).unwrap();
        let last = der.len() - 1;
        der[last] ^= 0x01;
        let tampered = pem_encode(PEM_CERTIFICATE_REQUEST, &der);
        let csr = approved(
            &tampered,
            KUBE_APISERVER_CLIENT_SIGNER_NAME,
            &["client auth"],
        );
        assert_eq!(
            sign(&authority, &csr, DEFAULT_CLUSTER_SIGNING_DURATION, now()),
            SignOutcome::Error(
                "error auto signing csr: unable to verify certificate request signature: x509: ECDSA verification failure".into()
            )
        );
    }

    #[test]
    fn empty_subject_makes_san_critical() {
        let authority = ca();
        let (pem, _) = make_request("", &[], &["only-san.example"], &[]).unwrap();
        let csr = approved(&pem, LEGACY_UNKNOWN_SIGNER_NAME, &["server auth"]);
        let der = signed_der(sign(
            &authority,
            &csr,
            DEFAULT_CLUSTER_SIGNING_DURATION,
            now(),
        ));
        let cert = parse_cert(&der);
        assert!(cert.subject().as_raw() == [0x30, 0x00]);
        assert!(cert.subject_alternative_name().unwrap().unwrap().critical);
    }

    #[test]
    fn approval_subresource_for_self_and_bootstrap_requesters() {
        let pem = kubelet_client_pem();
        let signer = KUBE_APISERVER_CLIENT_KUBELET_SIGNER_NAME;
        let self_csr = csr_object(&pem, signer, &KUBELET_CLIENT_USAGES, "system:node:n1", &[]);
        assert_eq!(approval_subresource(&self_csr), Some("selfnodeclient"));
        assert_eq!(
            approval_subresources(&self_csr),
            ["selfnodeclient", "nodeclient"]
        );

        let bootstrap = csr_object(
            &pem,
            signer,
            &KUBELET_CLIENT_USAGES,
            "system:bootstrap:abcdef",
            &[],
        );
        assert_eq!(approval_subresource(&bootstrap), Some("nodeclient"));
        assert_eq!(approval_subresources(&bootstrap), ["nodeclient"]);

        // Not kubelet client CSRs, or already decided.
        let (serving, _) = make_request("system:node:n1", &["system:nodes"], &["n1"], &[]).unwrap();
        let serving = csr_object(
            &serving,
            KUBELET_SERVING_SIGNER_NAME,
            &["digital signature", "server auth"],
            "system:node:n1",
            &[],
        );
        assert_eq!(approval_subresource(&serving), None);
        let wrong_signer = csr_object(
            &pem,
            KUBE_APISERVER_CLIENT_SIGNER_NAME,
            &KUBELET_CLIENT_USAGES,
            "system:node:n1",
            &[],
        );
        assert_eq!(approval_subresource(&wrong_signer), None);
        let wrong_usages = csr_object(&pem, signer, &["client auth"], "system:node:n1", &[]);
        assert_eq!(approval_subresource(&wrong_usages), None);
        let decided = csr_object(
            &pem,
            signer,
            &KUBELET_CLIENT_USAGES,
            "system:node:n1",
            &[("Denied", "True")],
        );
        assert_eq!(approval_subresource(&decided), None);
        let decided = csr_object(
            &pem,
            signer,
            &KUBELET_CLIENT_USAGES,
            "system:node:n1",
            &[("Approved", "True")],
        );
        assert_eq!(approval_subresource(&decided), None);

        let sar = subject_access_review(&bootstrap, "nodeclient");
        assert_eq!(sar.spec.user.as_deref(), Some("system:bootstrap:abcdef"));
        assert_eq!(sar.spec.groups.as_ref().unwrap()[0], "system:bootstrappers");
        let attrs = sar.spec.resource_attributes.unwrap();
        assert_eq!(attrs.group.as_deref(), Some("certificates.k8s.io"));
        assert_eq!(
            attrs.resource.as_deref(),
            Some("certificatesigningrequests")
        );
        assert_eq!(attrs.verb.as_deref(), Some("create"));
        assert_eq!(attrs.subresource.as_deref(), Some("nodeclient"));

        assert_eq!(
            not_approved_message("csr-1", &["selfnodeclient", "nodeclient"]),
            "recognized csr \"csr-1\" as [selfnodeclient nodeclient] but subject access review was not approved"
        );
    }

    #[test]
    fn approved_and_failed_conditions() {
        let c = approved_condition("nodeclient", now());
        assert_eq!(c.type_, "Approved");
        assert_eq!(c.status, "True");
        assert_eq!(c.reason.as_deref(), Some("AutoApproved"));
        assert_eq!(
            c.message.as_deref(),
            Some("Auto approving kubelet client certificate after SubjectAccessReview.")
        );
        assert_eq!(c.last_update_time, Some(Time(now())));
        let c = approved_condition("selfnodeclient", now());
        assert_eq!(
            c.message.as_deref(),
            Some("Auto approving self kubelet client certificate after SubjectAccessReview.")
        );
        let f = failed_condition("subject organization is not system:nodes", now());
        assert_eq!((f.type_.as_str(), f.status.as_str()), ("Failed", "True"));
        assert_eq!(f.reason.as_deref(), Some("SignerValidationFailure"));

        let pem = kubelet_client_pem();
        let s = KUBE_APISERVER_CLIENT_KUBELET_SIGNER_NAME;
        let u = "u";
        assert!(is_approved(&csr_object(
            &pem,
            s,
            &[],
            u,
            &[("Approved", "True")]
        )));
        assert!(!is_approved(&csr_object(
            &pem,
            s,
            &[],
            u,
            &[("Approved", "True"), ("Denied", "True")]
        )));
        assert!(is_denied(&csr_object(
            &pem,
            s,
            &[],
            u,
            &[("Denied", "True")]
        )));
        assert!(is_failed(&csr_object(&pem, s, &[], u, &[("Failed", "")])));
        assert!(!is_failed(&csr_object(
            &pem,
            s,
            &[],
            u,
            &[("Failed", "False")]
        )));
    }

    #[test]
    fn make_request_parse_request_round_trip() {
        let ips: [IpAddr; 2] = [
            "192.168.1.10".parse().unwrap(),
            "2001:db8::7".parse().unwrap(),
        ];
        let (pem, key_pem) = make_request(
            "system:node:n1",
            &["system:nodes", "other"],
            &["n1", "n1.local"],
            &ips,
        )
        .unwrap();
        assert!(pem.starts_with("-----BEGIN CERTIFICATE REQUEST-----\n"));
        assert!(key_pem.starts_with("-----BEGIN EC PRIVATE KEY-----\n"));
        let parsed = parse_request(pem.as_bytes()).unwrap();
        assert_eq!(
            parsed,
            ParsedRequest {
                common_name: "system:node:n1".into(),
                // Both O values share one multi-valued RDN, a DER SET OF, so they come back
                // in encoding order (as with Go's asn1.Marshal).
                organizations: vec!["other".into(), "system:nodes".into()],
                dns_names: vec!["n1".into(), "n1.local".into()],
                ip_addresses: ips.to_vec(),
                emails: vec![],
                uris: vec![],
            }
        );
        // The key parses and matches the request's public key.
        let key = parse_private_key_pem(&key_pem).unwrap();
        let request = parse_request_internal(pem.as_bytes()).unwrap();
        assert!(request.signature_error.is_none());
        let (_, spki) = x509_parser::x509::SubjectPublicKeyInfo::from_der(&request.spki).unwrap();
        assert_eq!(
            key.public_key_bytes(),
            spki.subject_public_key.data.as_ref()
        );
    }

    #[test]
    fn authority_loading() {
        let (cert, key) = make_self_signed_ca("ca", now(), Duration::from_secs(3600)).unwrap();
        let (other_cert, other_key) =
            make_self_signed_ca("other", now(), Duration::from_secs(3600)).unwrap();
        assert!(Authority::from_pem(&cert, &key).is_ok());
        assert_eq!(
            Authority::from_pem(&format!("{cert}{other_cert}"), &key)
                .unwrap_err()
                .message(),
            "error reading CA cert: expected 1 certificate, found 2"
        );
        assert_eq!(
            Authority::from_pem(&cert, &other_key)
                .unwrap_err()
                .message(),
            "tls: private key does not match public key"
        );
        assert_eq!(
            Authority::from_pem(&cert, "garbage").unwrap_err().message(),
            "error reading CA key: data does not contain a valid RSA or ECDSA private key"
        );
        assert_eq!(
            Authority::from_pem("", &key).unwrap_err().message(),
            "error reading CA cert: data does not contain any valid RSA or ECDSA certificates"
        );
        // PKCS#8 keys load too: wrap the SEC1 key's material through ring's PKCS#8 form.
        let rng = SystemRandom::new();
        let pkcs8 =
            EcdsaKeyPair::generate_pkcs8(&ring_sig::ECDSA_P256_SHA256_ASN1_SIGNING, &rng).unwrap();
        let pkcs8_pem = pem_encode("PRIVATE KEY", pkcs8.as_ref());
        assert!(matches!(
            parse_private_key_pem(&pkcs8_pem),
            Ok(SigningKey::Ecdsa(_, Curve::P256))
        ));
        let ed = Ed25519KeyPair::generate_pkcs8(&rng).unwrap();
        assert!(matches!(
            parse_private_key_pem(&pem_encode("PRIVATE KEY", ed.as_ref())),
            Ok(SigningKey::Ed25519(_))
        ));
    }

    #[test]
    fn der_helpers_match_go_encodings() {
        // digitalSignature | keyEncipherment -> 03 02 05 a0, as Go's marshalKeyUsage.
        assert_eq!(key_usage_value(0b101), [0x03, 0x02, 0x05, 0xa0]);
        // decipherOnly needs a second byte.
        assert_eq!(key_usage_value(1 << 8), [0x03, 0x03, 0x07, 0x00, 0x80]);
        assert_eq!(der::uint(&[0x80]), [0x02, 0x02, 0x00, 0x80]);
        assert_eq!(der::uint(&[0, 0, 5]), [0x02, 0x01, 0x05]);
        assert_eq!(der::oid(OID_EXT_SAN), [0x06, 0x03, 0x55, 0x1d, 0x11]);
        assert_eq!(directory_string("system:nodes")[0], 0x13);
        assert_eq!(directory_string("a*b")[0], 0x0c);
        assert_eq!(der_time(now()).unwrap(), der::tlv(0x17, b"250101000000Z"));
        assert_eq!(
            der_time("2050-01-01T00:00:00Z".parse().unwrap()).unwrap(),
            der::tlv(0x18, b"20500101000000Z")
        );
    }
}
