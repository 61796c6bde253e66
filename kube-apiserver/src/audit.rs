//! API auditing: the `audit.k8s.io/v1` policy (`--audit-policy-file`), the
//! per-request audit event, and the log backend (`--audit-log-path`).
//!
//! What this module does:
//! - loads and validates an audit `Policy` (YAML or JSON) with upstream's
//!   decoding and validation messages, and evaluates it against a request's
//!   authorizer attributes (first matching rule wins; no match means level
//!   `None`; `omitStages` is the union of the policy's and the rule's;
//!   a rule's `omitManagedFields` overrides the policy default);
//! - fills one request's `audit.k8s.io/v1` `Event` as the request proceeds
//!   (request and response objects kept according to the level, the
//!   `responseStatus` copied from a `Status` body or reduced to the code,
//!   annotations, managed fields dropped when configured) and renders it for
//!   a stage, with timestamps as `metav1.MicroTime`;
//! - writes events as JSON lines (one event per line) to a file or to stdout
//!   (`-`) from a background thread fed by a bounded queue, rotating the file
//!   the way lumberjack does for `--audit-log-maxsize`, `--audit-log-maxbackup`
//!   and `--audit-log-maxage`.
//!
//! What it does not do: the webhook backend, the legacy (non-JSON) log format,
//! `--audit-log-compress` (backups are never gzipped; existing `.gz` backups are
//! still counted and pruned), `--audit-log-version` other than
//! `audit.k8s.io/v1`, the synchronous `blocking`/`blocking-strict` modes (the
//! queue never blocks a request; an event is dropped and reported when the
//! queue is full), the strict-decoding warning for unknown policy fields
//! (unknown fields are ignored, as upstream's lenient fallback does), and the
//! HTTP filter itself: the server decides when each stage happens
//! (`ResponseStarted` only for long-running requests) and calls
//! [`LogBackend::process`].

use std::collections::BTreeMap;
use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex, RwLock};
use std::thread::JoinHandle;

use crate::gofmt::quote as go_quote;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The request and response header carrying the audit ID (`Audit-ID`).
pub const HEADER_AUDIT_ID: &str = "Audit-ID";

/// The only audit API group-version this server reads and writes.
pub const AUDIT_API_VERSION: &str = "audit.k8s.io/v1";

/// The scheme name upstream's decoder reports in "no kind is registered" errors.
const AUDIT_SCHEME_NAME: &str = "k8s.io/apiserver/pkg/audit/scheme.go:30";

/// User agents longer than this many bytes are truncated in events.
const MAX_USER_AGENT_LENGTH: usize = 1024;
const USER_AGENT_TRUNCATE_SUFFIX: &str = "...TRUNCATED";

// ---------------------------------------------------------------------------
// Level and Stage
// ---------------------------------------------------------------------------

/// The amount of information recorded for a request, ordered from least to most.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Level {
    /// Do not audit.
    None,
    /// Request metadata (user, timestamps, resource, verb) but no bodies.
    Metadata,
    /// Metadata plus the request object.
    Request,
    /// Metadata plus the request and response objects.
    RequestResponse,
}

impl Level {
    /// Every level, in upstream's order (used in validation messages).
    pub const ALL: [Level; 4] = [
        Level::None,
        Level::Metadata,
        Level::Request,
        Level::RequestResponse,
    ];

    /// The wire name, e.g. `"RequestResponse"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::None => "None",
            Level::Metadata => "Metadata",
            Level::Request => "Request",
            Level::RequestResponse => "RequestResponse",
        }
    }

    /// Whether this level records less than `other` (upstream `Level.Less`).
    pub fn less(self, other: Level) -> bool {
        self < other
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Level {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        Level::ALL.into_iter().find(|l| l.as_str() == s).ok_or(())
    }
}

/// A point in request handling at which an event may be emitted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Stage {
    /// As soon as the audit handler receives the request.
    RequestReceived,
    /// Response headers sent, body not yet; long-running requests only.
    ResponseStarted,
    /// The response body has been completed.
    ResponseComplete,
    /// A panic occurred while handling the request.
    Panic,
}

impl Stage {
    /// Every stage, in upstream's order (used in validation messages).
    pub const ALL: [Stage; 4] = [
        Stage::RequestReceived,
        Stage::ResponseStarted,
        Stage::ResponseComplete,
        Stage::Panic,
    ];

    /// The wire name, e.g. `"ResponseComplete"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::RequestReceived => "RequestReceived",
            Stage::ResponseStarted => "ResponseStarted",
            Stage::ResponseComplete => "ResponseComplete",
            Stage::Panic => "Panic",
        }
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Stage {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        Stage::ALL.into_iter().find(|st| st.as_str() == s).ok_or(())
    }
}

// ---------------------------------------------------------------------------
// Policy
// ---------------------------------------------------------------------------

/// Resources of one API group that a rule matches.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GroupResources {
    /// API group; `""` is the core group.
    pub group: String,
    /// `pods`, `pods/log`, `*`, `pods/*`, `*/scale`; empty means every resource of the group.
    pub resources: Vec<String>,
    /// Object names; empty means every object.
    pub resource_names: Vec<String>,
}

/// Maps requests, by their attributes, to an audit level.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyRule {
    /// Level of matching requests.
    pub level: Level,
    /// Authenticated user names; empty means every user.
    pub users: Vec<String>,
    /// The user must be in one of these groups; empty means every group.
    pub user_groups: Vec<String>,
    /// Verbs; empty means every verb.
    pub verbs: Vec<String>,
    /// Resources; empty means all resources in all groups.
    pub resources: Vec<GroupResources>,
    /// Namespaces; `""` matches non-namespaced resources; empty means every namespace.
    pub namespaces: Vec<String>,
    /// Non-resource URL paths; a trailing `*` matches a prefix.
    pub non_resource_urls: Vec<String>,
    /// Stages for which no event is created (unioned with the policy's).
    pub omit_stages: Vec<Stage>,
    /// Overrides the policy's `omitManagedFields` when set.
    pub omit_managed_fields: Option<bool>,
}

impl PolicyRule {
    /// A rule at `level` that matches every request.
    pub fn new(level: Level) -> PolicyRule {
        PolicyRule {
            level,
            users: Vec::new(),
            user_groups: Vec::new(),
            verbs: Vec::new(),
            resources: Vec::new(),
            namespaces: Vec::new(),
            non_resource_urls: Vec::new(),
            omit_stages: Vec::new(),
            omit_managed_fields: None,
        }
    }
}

/// An `audit.k8s.io/v1` `Policy`: ordered rules plus policy-wide defaults.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Policy {
    /// Strictly ordered; the first matching rule decides.
    pub rules: Vec<PolicyRule>,
    /// Stages omitted for every request.
    pub omit_stages: Vec<Stage>,
    /// Default for dropping `metadata.managedFields` from logged bodies.
    pub omit_managed_fields: bool,
}

/// The audit configuration that applies to one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestAuditConfig {
    /// Level at which the request is audited.
    pub level: Level,
    /// Stages for which no event is emitted.
    pub omit_stages: Vec<Stage>,
    /// Drop `metadata.managedFields` from request and response objects.
    pub omit_managed_fields: bool,
}

impl RequestAuditConfig {
    /// A configuration at `level` omitting nothing.
    pub fn new(level: Level) -> RequestAuditConfig {
        RequestAuditConfig {
            level,
            omit_stages: Vec::new(),
            omit_managed_fields: false,
        }
    }
}

/// A user as recorded in events (`authentication.k8s.io/v1` `UserInfo`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserInfo {
    /// User name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub username: String,
    /// Unique user ID.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub uid: String,
    /// Group names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
    /// Extra attributes from the authenticator.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub extra: BTreeMap<String, Vec<String>>,
}

/// The authorizer attributes of a request, as the policy sees them.
///
/// An unauthenticated request carries `UserInfo::default()`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestAttributes {
    /// The requesting user.
    pub user: UserInfo,
    /// Kubernetes verb for resource requests; lower-cased HTTP method otherwise.
    pub verb: String,
    /// Whether this is a request for an API resource.
    pub resource_request: bool,
    /// Namespace; empty for cluster-scoped resources.
    pub namespace: String,
    /// API group; empty for the core group.
    pub api_group: String,
    /// API version.
    pub api_version: String,
    /// Resource, e.g. `pods`.
    pub resource: String,
    /// Subresource, e.g. `log`.
    pub subresource: String,
    /// Object name.
    pub name: String,
    /// URL path.
    pub path: String,
}

/// Why a policy could not be loaded; `Display` gives upstream's message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// `--audit-policy-file` was empty.
    #[error("file path not specified")]
    FilePathNotSpecified,
    /// The file could not be read.
    #[error("failed to read file path {}: {detail}", go_quote(path))]
    ReadFile {
        /// The policy file.
        path: String,
        /// Go-style description, e.g. `open /x: no such file or directory`.
        detail: String,
    },
    /// An error in the contents of a file.
    #[error("{source}: from file {path}")]
    InFile {
        /// The policy file.
        path: String,
        /// What was wrong with its contents.
        source: Box<PolicyError>,
    },
    /// The bytes were not a decodable policy.
    #[error("failed decoding: {0}")]
    Decode(String),
    /// The document named no usable group-version (e.g. no `apiVersion`).
    #[error("unknown group version field {0} in policy")]
    UnknownGroupVersion(String),
    /// Validation errors, each `field: message`.
    #[error("{}", aggregate_message(.0))]
    Invalid(Vec<String>),
    /// The policy has no rules.
    #[error("loaded illegal policy with 0 rules")]
    NoRules,
}

/// Formats errors as upstream's `utilerrors.Aggregate` does.
fn aggregate_message(errs: &[String]) -> String {
    let mut seen: Vec<&str> = Vec::new();
    for e in errs {
        if !seen.contains(&e.as_str()) {
            seen.push(e);
        }
    }
    match seen.len() {
        0 => String::new(),
        1 => seen[0].to_string(),
        _ => format!("[{}]", seen.join(", ")),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawPolicy {
    #[serde(rename = "apiVersion")]
    api_version: Option<String>,
    kind: Option<String>,
    rules: Option<Vec<RawRule>>,
    #[serde(rename = "omitStages")]
    omit_stages: Option<Vec<String>>,
    #[serde(rename = "omitManagedFields")]
    omit_managed_fields: Option<bool>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawRule {
    level: Option<String>,
    users: Option<Vec<String>>,
    #[serde(rename = "userGroups")]
    user_groups: Option<Vec<String>>,
    verbs: Option<Vec<String>>,
    resources: Option<Vec<RawGroupResources>>,
    namespaces: Option<Vec<String>>,
    #[serde(rename = "nonResourceURLs")]
    non_resource_urls: Option<Vec<String>>,
    #[serde(rename = "omitStages")]
    omit_stages: Option<Vec<String>>,
    #[serde(rename = "omitManagedFields")]
    omit_managed_fields: Option<bool>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawGroupResources {
    group: Option<String>,
    resources: Option<Vec<String>>,
    #[serde(rename = "resourceNames")]
    resource_names: Option<Vec<String>>,
}

impl Policy {
    /// Decodes (YAML or JSON) and validates an `audit.k8s.io/v1` `Policy`,
    /// as upstream `LoadPolicyFromBytes` does.
    pub fn parse(bytes: &[u8]) -> Result<Policy, PolicyError> {
        let raw = decode_raw_policy(bytes)?;
        check_group_version(raw.api_version.as_deref(), raw.kind.as_deref())?;

        let rules = raw.rules.unwrap_or_default();
        let policy_stages = raw.omit_stages.unwrap_or_default();
        let mut errs = Vec::new();
        validate_omit_stages(&policy_stages, "omitStages", &mut errs);
        for (i, rule) in rules.iter().enumerate() {
            validate_rule(rule, &format!("rules[{i}]"), &mut errs);
        }
        if !errs.is_empty() {
            return Err(PolicyError::Invalid(errs));
        }
        if rules.is_empty() {
            return Err(PolicyError::NoRules);
        }

        Ok(Policy {
            rules: rules.into_iter().map(convert_rule).collect(),
            omit_stages: parse_stages(&policy_stages),
            omit_managed_fields: raw.omit_managed_fields.unwrap_or(false),
        })
    }

    /// Reads and parses `--audit-policy-file`, as upstream `LoadPolicyFromFile`.
    pub fn load(path: &Path) -> Result<Policy, PolicyError> {
        let shown = path.display().to_string();
        if shown.is_empty() {
            return Err(PolicyError::FilePathNotSpecified);
        }
        let bytes = fs::read(path).map_err(|e| PolicyError::ReadFile {
            path: shown.clone(),
            detail: go_io_error(&shown, &e),
        })?;
        Policy::parse(&bytes).map_err(|e| PolicyError::InFile {
            path: shown,
            source: Box::new(e),
        })
    }

    /// Evaluates the policy for a request: the first matching rule decides;
    /// when none matches the level is `None` with the policy-wide settings.
    pub fn evaluate(&self, attrs: &RequestAttributes) -> RequestAuditConfig {
        for rule in &self.rules {
            if rule_matches(rule, attrs) {
                return RequestAuditConfig {
                    level: rule.level,
                    omit_stages: union_stages(&self.omit_stages, &rule.omit_stages),
                    omit_managed_fields: rule
                        .omit_managed_fields
                        .unwrap_or(self.omit_managed_fields),
                };
            }
        }
        RequestAuditConfig {
            level: Level::None,
            omit_stages: union_stages(&self.omit_stages, &[]),
            omit_managed_fields: self.omit_managed_fields,
        }
    }
}

fn decode_raw_policy(bytes: &[u8]) -> Result<RawPolicy, PolicyError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|e| PolicyError::Decode(format!("invalid UTF-8: {e}")))?;
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') {
        return serde_json::from_str::<RawPolicy>(text)
            .map_err(|e| PolicyError::Decode(e.to_string()));
    }
    // An empty document (or comments only) decodes as `null`, i.e. nothing set.
    let value: serde_yaml_ng::Value =
        serde_yaml_ng::from_str(text).map_err(|e| PolicyError::Decode(e.to_string()))?;
    if value.is_null() {
        return Ok(RawPolicy::default());
    }
    serde_yaml_ng::from_value::<RawPolicy>(value).map_err(|e| PolicyError::Decode(e.to_string()))
}

/// Mirrors what upstream's universal decoder and `LoadPolicyFromBytes` report
/// for the group-version-kind of a policy document.
fn check_group_version(api_version: Option<&str>, kind: Option<&str>) -> Result<(), PolicyError> {
    let api_version = api_version.unwrap_or("");
    let kind = kind.filter(|k| !k.is_empty()).unwrap_or("Policy");
    if api_version.is_empty() {
        // The decoder defaults a missing apiVersion from the internal type.
        if kind != "Policy" {
            return Err(PolicyError::Decode(format!(
                "no kind {} is registered for the internal version of group \"audit.k8s.io\" in scheme {}",
                go_quote(kind),
                go_quote(AUDIT_SCHEME_NAME)
            )));
        }
        return Err(PolicyError::UnknownGroupVersion(
            "audit.k8s.io/__internal, Kind=Policy".to_string(),
        ));
    }
    if api_version != AUDIT_API_VERSION || kind != "Policy" {
        return Err(PolicyError::Decode(format!(
            "no kind {} is registered for version {} in scheme {}",
            go_quote(kind),
            go_quote(api_version),
            go_quote(AUDIT_SCHEME_NAME)
        )));
    }
    Ok(())
}

fn validate_rule(rule: &RawRule, path: &str, errs: &mut Vec<String>) {
    match rule.level.as_deref() {
        None | Some("") => errs.push(format!("{path}.level: Required value")),
        Some(l) if Level::from_str(l).is_err() => {
            let supported: Vec<String> = Level::ALL.iter().map(|l| go_quote(l.as_str())).collect();
            errs.push(format!(
                "{path}.level: Unsupported value: {}: supported values: {}",
                go_quote(l),
                supported.join(", ")
            ));
        }
        Some(_) => {}
    }

    let urls = rule.non_resource_urls.as_deref().unwrap_or_default();
    for (i, url) in urls.iter().enumerate() {
        if url == "*" {
            continue;
        }
        if !url.starts_with('/') {
            errs.push(format!(
                "{path}.nonResourceURLs[{i}]: Invalid value: {}: non-resource URL rules must begin with a '/' character",
                go_quote(url)
            ));
        }
        let bytes = url.as_bytes();
        if !bytes.is_empty() && bytes[..bytes.len() - 1].contains(&b'*') {
            errs.push(format!(
                "{path}.nonResourceURLs[{i}]: Invalid value: {}: non-resource URL wildcards '*' must be the final character of the rule",
                go_quote(url)
            ));
        }
    }

    let resources = rule.resources.as_deref().unwrap_or_default();
    for gr in resources {
        let group = gr.group.as_deref().unwrap_or("");
        if !group.is_empty() {
            let msgs = dns1123_subdomain_errors(group);
            if !msgs.is_empty() {
                errs.push(format!(
                    "{path}.resources.group: Invalid value: {}: {}",
                    go_quote(group),
                    msgs.join(",")
                ));
            }
        }
        let names = gr.resource_names.as_deref().unwrap_or_default();
        let res = gr.resources.as_deref().unwrap_or_default();
        if !names.is_empty() && res.is_empty() {
            errs.push(format!(
                "{path}.resources.resourceNames: Invalid value: {}: using resourceNames requires at least one resource",
                go_string_slice(names)
            ));
        }
    }

    validate_omit_stages(
        rule.omit_stages.as_deref().unwrap_or_default(),
        &format!("{path}.omitStages"),
        errs,
    );

    let namespaces = rule.namespaces.as_deref().unwrap_or_default();
    if !urls.is_empty() && (!resources.is_empty() || !namespaces.is_empty()) {
        errs.push(format!(
            "{path}.nonResourceURLs: Invalid value: {}: rules cannot apply to both regular resources and non-resource URLs",
            go_string_slice(urls)
        ));
    }
}

fn validate_omit_stages(stages: &[String], path: &str, errs: &mut Vec<String>) {
    let allowed: Vec<&str> = Stage::ALL.iter().map(|s| s.as_str()).collect();
    for (i, stage) in stages.iter().enumerate() {
        if Stage::from_str(stage).is_err() {
            errs.push(format!(
                "{path}[{i}]: Invalid value: {}: allowed stages are {}",
                go_quote(stage),
                allowed.join(",")
            ));
        }
    }
}

/// Upstream `IsDNS1123Subdomain` messages.
fn dns1123_subdomain_errors(value: &str) -> Vec<String> {
    let mut msgs = Vec::new();
    if value.len() > 253 {
        msgs.push("must be no more than 253 characters".to_string());
    }
    let label_ok = |l: &str| {
        let b = l.as_bytes();
        let alnum = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
        !b.is_empty()
            && alnum(b[0])
            && alnum(b[b.len() - 1])
            && b.iter().all(|&c| alnum(c) || c == b'-')
    };
    if !value.split('.').all(label_ok) {
        msgs.push(
            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', \
and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is \
'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
                .to_string(),
        );
    }
    msgs
}

fn parse_stages(stages: &[String]) -> Vec<Stage> {
    stages
        .iter()
        .filter_map(|s| Stage::from_str(s).ok())
        .collect()
}

fn convert_rule(raw: RawRule) -> PolicyRule {
    let level = raw
        .level
        .as_deref()
        .and_then(|l| Level::from_str(l).ok())
        .unwrap_or(Level::None);
    PolicyRule {
        level,
        users: raw.users.unwrap_or_default(),
        user_groups: raw.user_groups.unwrap_or_default(),
        verbs: raw.verbs.unwrap_or_default(),
        resources: raw
            .resources
            .unwrap_or_default()
            .into_iter()
            .map(|gr| GroupResources {
                group: gr.group.unwrap_or_default(),
                resources: gr.resources.unwrap_or_default(),
                resource_names: gr.resource_names.unwrap_or_default(),
            })
            .collect(),
        namespaces: raw.namespaces.unwrap_or_default(),
        non_resource_urls: raw.non_resource_urls.unwrap_or_default(),
        omit_stages: parse_stages(raw.omit_stages.as_deref().unwrap_or_default()),
        omit_managed_fields: raw.omit_managed_fields,
    }
}

fn union_stages(a: &[Stage], b: &[Stage]) -> Vec<Stage> {
    let mut out: Vec<Stage> = Vec::new();
    for s in a.iter().chain(b) {
        if !out.contains(s) {
            out.push(*s);
        }
    }
    out
}

fn has(list: &[String], value: &str) -> bool {
    list.iter().any(|s| s == value)
}

fn rule_matches(rule: &PolicyRule, attrs: &RequestAttributes) -> bool {
    if !rule.users.is_empty() && !has(&rule.users, &attrs.user.username) {
        return false;
    }
    if !rule.user_groups.is_empty() && !attrs.user.groups.iter().any(|g| has(&rule.user_groups, g))
    {
        return false;
    }
    if !rule.verbs.is_empty() && !has(&rule.verbs, &attrs.verb) {
        return false;
    }
    if !rule.namespaces.is_empty() || !rule.resources.is_empty() {
        return rule_matches_resource(rule, attrs);
    }
    if !rule.non_resource_urls.is_empty() {
        return rule_matches_non_resource(rule, attrs);
    }
    true
}

fn rule_matches_non_resource(rule: &PolicyRule, attrs: &RequestAttributes) -> bool {
    if attrs.resource_request {
        return false;
    }
    rule.non_resource_urls
        .iter()
        .any(|spec| path_matches(&attrs.path, spec))
}

fn path_matches(path: &str, spec: &str) -> bool {
    if spec == "*" || spec == path {
        return true;
    }
    spec.ends_with('*') && path.starts_with(spec.trim_end_matches('*'))
}

fn rule_matches_resource(rule: &PolicyRule, attrs: &RequestAttributes) -> bool {
    if !attrs.resource_request {
        return false;
    }
    if !rule.namespaces.is_empty() && !has(&rule.namespaces, &attrs.namespace) {
        return false;
    }
    if rule.resources.is_empty() {
        return true;
    }
    let resource = attrs.resource.as_str();
    let subresource = attrs.subresource.as_str();
    let combined = if subresource.is_empty() {
        resource.to_string()
    } else {
        format!("{resource}/{subresource}")
    };
    for gr in &rule.resources {
        if gr.group != attrs.api_group {
            continue;
        }
        if gr.resources.is_empty() {
            return true;
        }
        if !gr.resource_names.is_empty() && !has(&gr.resource_names, &attrs.name) {
            continue;
        }
        for res in &gr.resources {
            if *res == combined || res == "*" {
                return true;
            }
            if !subresource.is_empty() && res.strip_prefix("*/") == Some(subresource) {
                return true;
            }
            if res.strip_suffix("/*") == Some(resource) {
                return true;
            }
        }
    }
    false
}

// ---------------------------------------------------------------------------
// Event
// ---------------------------------------------------------------------------

/// The object a resource request targets (`audit.k8s.io/v1` `ObjectReference`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectReference {
    /// Resource, e.g. `pods`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub resource: String,
    /// Namespace.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    /// Object name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Object UID.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub uid: String,
    /// API group; empty for the core group.
    #[serde(rename = "apiGroup", default, skip_serializing_if = "String::is_empty")]
    pub api_group: String,
    /// API version.
    #[serde(
        rename = "apiVersion",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub api_version: String,
    /// Resource version.
    #[serde(
        rename = "resourceVersion",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub resource_version: String,
    /// Subresource.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub subresource: String,
}

/// `ListMeta` of the recorded `Status`: always rendered as `{}` like upstream.
#[derive(Clone, Debug, Default, Serialize)]
struct EmptyListMeta {}

/// The bounded copy of a `metav1.Status` kept in `responseStatus`.
#[derive(Clone, Debug, Default, Serialize)]
struct ResponseStatus {
    metadata: EmptyListMeta,
    #[serde(skip_serializing_if = "String::is_empty")]
    status: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    message: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    details: Option<Value>,
    #[serde(skip_serializing_if = "is_zero")]
    code: i32,
}

fn is_zero(v: &i32) -> bool {
    *v == 0
}

impl ResponseStatus {
    fn connection_closed_early() -> ResponseStatus {
        ResponseStatus {
            status: "Success".to_string(),
            message: "Connection closed early".to_string(),
            code: 200,
            ..ResponseStatus::default()
        }
    }
}

/// One request's audit record, filled as the request proceeds.
#[derive(Clone, Debug)]
pub struct AuditEvent {
    config: RequestAuditConfig,
    audit_id: String,
    request_uri: String,
    verb: String,
    user: UserInfo,
    impersonated_user: Option<UserInfo>,
    source_ips: Vec<String>,
    user_agent: String,
    object_ref: Option<ObjectReference>,
    response_status: Option<ResponseStatus>,
    request_object: Option<Value>,
    response_object: Option<Value>,
    request_received: Timestamp,
    annotations: BTreeMap<String, String>,
}

#[derive(Serialize)]
struct EventV1<'a> {
    kind: &'static str,
    #[serde(rename = "apiVersion")]
    api_version: &'static str,
    level: Level,
    #[serde(rename = "auditID")]
    audit_id: &'a str,
    stage: Stage,
    #[serde(rename = "requestURI")]
    request_uri: &'a str,
    verb: &'a str,
    user: &'a UserInfo,
    #[serde(rename = "impersonatedUser", skip_serializing_if = "Option::is_none")]
    impersonated_user: Option<&'a UserInfo>,
    #[serde(rename = "sourceIPs", skip_serializing_if = "<[String]>::is_empty")]
    source_ips: &'a [String],
    #[serde(rename = "userAgent", skip_serializing_if = "str::is_empty")]
    user_agent: &'a str,
    #[serde(rename = "objectRef", skip_serializing_if = "Option::is_none")]
    object_ref: Option<&'a ObjectReference>,
    #[serde(rename = "responseStatus", skip_serializing_if = "Option::is_none")]
    response_status: Option<ResponseStatus>,
    #[serde(rename = "requestObject", skip_serializing_if = "Option::is_none")]
    request_object: Option<&'a Value>,
    #[serde(rename = "responseObject", skip_serializing_if = "Option::is_none")]
    response_object: Option<&'a Value>,
    #[serde(rename = "requestReceivedTimestamp")]
    request_received_timestamp: String,
    #[serde(rename = "stageTimestamp")]
    stage_timestamp: String,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    annotations: &'a BTreeMap<String, String>,
}

/// The audit ID for a request: the client's `Audit-ID` header when non-empty
/// (kept as is), otherwise a new UUID.
pub fn new_audit_id(header: Option<&str>) -> String {
    match header {
        Some(h) if !h.is_empty() => h.to_string(),
        _ => uuid::Uuid::new_v4().to_string(),
    }
}

impl AuditEvent {
    /// Starts the event for a request (auditID a new UUID, received now).
    pub fn new(
        config: &RequestAuditConfig,
        attrs: &RequestAttributes,
        request_uri: &str,
        source_ips: Vec<String>,
        user_agent: Option<&str>,
        impersonated: Option<&UserInfo>,
    ) -> AuditEvent {
        let object_ref = attrs.resource_request.then(|| ObjectReference {
            resource: attrs.resource.clone(),
            namespace: attrs.namespace.clone(),
            name: attrs.name.clone(),
            api_group: attrs.api_group.clone(),
            api_version: attrs.api_version.clone(),
            subresource: attrs.subresource.clone(),
            ..ObjectReference::default()
        });
        AuditEvent {
            config: config.clone(),
            audit_id: new_audit_id(None),
            request_uri: request_uri.to_string(),
            verb: attrs.verb.clone(),
            user: attrs.user.clone(),
            impersonated_user: impersonated.cloned(),
            source_ips,
            user_agent: truncate_user_agent(user_agent.unwrap_or("")),
            object_ref,
            response_status: None,
            request_object: None,
            response_object: None,
            request_received: Timestamp::now(),
            annotations: BTreeMap::new(),
        }
    }

    /// Uses the given audit ID (e.g. from the `Audit-ID` request header); empty is ignored.
    pub fn with_audit_id(mut self, audit_id: &str) -> AuditEvent {
        if !audit_id.is_empty() {
            self.audit_id = audit_id.to_string();
        }
        self
    }

    /// Uses the given time as `requestReceivedTimestamp`.
    pub fn with_request_received_timestamp(mut self, at: Timestamp) -> AuditEvent {
        self.request_received = at;
        self
    }

    /// The audit ID, also sent as the `Audit-ID` response header.
    pub fn audit_id(&self) -> &str {
        &self.audit_id
    }

    /// The level this request is audited at.
    pub fn level(&self) -> Level {
        self.config.level
    }

    /// The policy decision for this request.
    pub fn config(&self) -> &RequestAuditConfig {
        &self.config
    }

    /// The annotations recorded so far.
    pub fn annotations(&self) -> &BTreeMap<String, String> {
        &self.annotations
    }

    /// Whether an event is emitted at `stage` (level above `None`, stage not omitted).
    pub fn should_emit(&self, stage: Stage) -> bool {
        self.config.level != Level::None && !self.config.omit_stages.contains(&stage)
    }

    /// Records the request body: completes `objectRef` from its metadata (at
    /// `Metadata` and above) and keeps the object at `Request` and above.
    pub fn set_request_object(&mut self, obj: &Value) {
        if self.config.level.less(Level::Metadata) {
            return;
        }
        let object_ref = self.object_ref.get_or_insert_with(ObjectReference::default);
        if let Some(meta) = obj.get("metadata").and_then(Value::as_object) {
            let field = |k: &str| {
                meta.get(k)
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string()
            };
            if object_ref.namespace.is_empty() {
                object_ref.namespace = field("namespace");
            }
            if object_ref.name.is_empty() {
                object_ref.name = field("name");
            }
            if object_ref.uid.is_empty() {
                object_ref.uid = field("uid");
            }
            if object_ref.resource_version.is_empty() {
                object_ref.resource_version = field("resourceVersion");
            }
        }
        if self.config.level.less(Level::Request) {
            return;
        }
        let mut obj = obj.clone();
        if self.config.omit_managed_fields {
            strip_managed_fields(&mut obj);
        }
        self.request_object = Some(obj);
    }

    /// Records the response: `responseStatus` copies status, message, reason
    /// and details of a `Status` body, or holds only the code otherwise; the
    /// HTTP code always wins. The body is kept at `RequestResponse`.
    pub fn set_response(&mut self, code: u16, body: Option<&Value>) {
        if self.config.level.less(Level::Metadata) {
            return;
        }
        let mut status = ResponseStatus {
            code: i32::from(code),
            ..ResponseStatus::default()
        };
        if let Some(b) = body.filter(|b| b.get("kind").and_then(Value::as_str) == Some("Status")) {
            let field = |k: &str| b.get(k).and_then(Value::as_str).unwrap_or("").to_string();
            status.status = field("status");
            status.message = field("message");
            status.reason = field("reason");
            status.details = b.get("details").filter(|d| !d.is_null()).cloned();
        }
        self.response_status = Some(status);
        if self.config.level.less(Level::RequestResponse) {
            return;
        }
        if let Some(b) = body {
            let mut obj = b.clone();
            if self.config.omit_managed_fields {
                strip_managed_fields(&mut obj);
            }
            self.response_object = Some(obj);
        }
    }

    /// Records a panic in the handler: a 500 `InternalError` status with
    /// message `APIServer panic'd: <message>`; emit it at [`Stage::Panic`].
    pub fn set_panic(&mut self, message: &str) {
        self.response_status = Some(ResponseStatus {
            status: "Failure".to_string(),
            message: format!("APIServer panic'd: {message}"),
            reason: "InternalError".to_string(),
            code: 500,
            ..ResponseStatus::default()
        });
    }

    /// Adds an annotation (e.g. `authorization.k8s.io/decision`). The first
    /// value of a key wins; returns false when a different value was refused.
    pub fn annotate(&mut self, key: &str, value: &str) -> bool {
        if self.config.level.less(Level::Metadata) {
            return false;
        }
        match self.annotations.get(key) {
            Some(v) if v != value => false,
            _ => {
                self.annotations.insert(key.to_string(), value.to_string());
                true
            }
        }
    }

    fn render(&self, stage: Stage) -> EventV1<'_> {
        let received = format_micro_time(self.request_received);
        let stage_timestamp = if stage == Stage::RequestReceived {
            received.clone()
        } else {
            format_micro_time(Timestamp::now())
        };
        let response_status = match (&self.response_status, stage) {
            (Some(s), _) => Some(s.clone()),
            (None, Stage::ResponseStarted | Stage::ResponseComplete) => {
                Some(ResponseStatus::connection_closed_early())
            }
            (None, _) => None,
        };
        EventV1 {
            kind: "Event",
            api_version: AUDIT_API_VERSION,
            level: self.config.level,
            audit_id: &self.audit_id,
            stage,
            request_uri: &self.request_uri,
            verb: &self.verb,
            user: &self.user,
            impersonated_user: self.impersonated_user.as_ref(),
            source_ips: &self.source_ips,
            user_agent: &self.user_agent,
            object_ref: self.object_ref.as_ref(),
            response_status,
            request_object: self.request_object.as_ref(),
            response_object: self.response_object.as_ref(),
            request_received_timestamp: received,
            stage_timestamp,
            annotations: &self.annotations,
        }
    }

    /// The `audit.k8s.io/v1` `Event` at `stage` (`stageTimestamp` now, or the
    /// received time at `RequestReceived`). With no response recorded,
    /// `ResponseStarted`/`ResponseComplete` carry upstream's
    /// "Connection closed early" success status.
    pub fn to_json(&self, stage: Stage) -> Value {
        serde_json::to_value(self.render(stage)).unwrap_or(Value::Null)
    }

    /// The event at `stage` as one JSON line (no trailing newline), fields
    /// in upstream's order.
    pub fn to_json_line(&self, stage: Stage) -> String {
        serde_json::to_string(&self.render(stage)).unwrap_or_default()
    }
}

/// Drops `metadata.managedFields` from an object, from each item of a list,
/// and from each row object of a `Table`.
fn strip_managed_fields(obj: &mut Value) {
    fn strip_one(o: &mut Value) {
        if let Some(meta) = o.get_mut("metadata").and_then(Value::as_object_mut) {
            meta.remove("managedFields");
        }
    }
    strip_one(obj);
    if let Some(items) = obj.get_mut("items").and_then(Value::as_array_mut) {
        items.iter_mut().for_each(strip_one);
    }
    if obj.get("kind").and_then(Value::as_str) == Some("Table")
        && let Some(rows) = obj.get_mut("rows").and_then(Value::as_array_mut)
    {
        for row in rows {
            if let Some(o) = row.get_mut("object") {
                strip_one(o);
            }
        }
    }
}

fn truncate_user_agent(ua: &str) -> String {
    if ua.len() <= MAX_USER_AGENT_LENGTH {
        return ua.to_string();
    }
    let mut end = MAX_USER_AGENT_LENGTH;
    while !ua.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{}", &ua[..end], USER_AGENT_TRUNCATE_SUFFIX)
}

/// Formats a time as `metav1.MicroTime`: RFC 3339, UTC `Z`, 6 fractional digits.
pub fn format_micro_time(ts: Timestamp) -> String {
    let micros = ts.as_microsecond();
    let secs = micros.div_euclid(1_000_000);
    let frac = micros.rem_euclid(1_000_000);
    match Timestamp::from_second(secs) {
        Ok(t) => format!("{}.{frac:06}Z", t.strftime("%Y-%m-%dT%H:%M:%S")),
        Err(_) => String::new(),
    }
}

/// The source IPs of a request as upstream records them: the valid
/// `X-Forwarded-For` entries, then `X-Real-Ip` unless already listed, then the
/// connection's remote address (`host:port` or a bare IP) unless it equals
/// the last one listed.
pub fn source_ips(
    forwarded_for: Option<&str>,
    real_ip: Option<&str>,
    remote_addr: &str,
) -> Vec<String> {
    let mut ips: Vec<IpAddr> = Vec::new();
    if let Some(xff) = forwarded_for.filter(|h| !h.is_empty()) {
        ips.extend(xff.split(',').filter_map(|p| parse_ip_sloppy(p.trim())));
    }
    if let Some(ip) = real_ip.filter(|h| !h.is_empty()).and_then(parse_ip_sloppy)
        && !ips.contains(&ip)
    {
        ips.push(ip);
    }
    let remote = remote_addr
        .parse::<SocketAddr>()
        .ok()
        .map(|sa| normalize_ip(sa.ip()))
        .or_else(|| parse_ip_sloppy(remote_addr));
    if let Some(ip) = remote
        && ips.last() != Some(&ip)
    {
        ips.push(ip);
    }
    ips.iter().map(IpAddr::to_string).collect()
}

fn normalize_ip(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// Parses an IP like `netutils.ParseIPSloppy`: IPv4 octets may have leading zeros.
fn parse_ip_sloppy(s: &str) -> Option<IpAddr> {
    if let Ok(ip) = s.parse::<IpAddr>() {
        return Some(normalize_ip(ip));
    }
    let parts: Vec<&str> = s.split('.').collect();
    if parts.len() != 4 {
        return None;
    }
    let mut octets = [0u8; 4];
    for (o, p) in octets.iter_mut().zip(&parts) {
        if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let n = p.bytes().try_fold(0u32, |n, b| {
            n.checked_mul(10)?.checked_add(u32::from(b - b'0'))
        })?;
        *o = u8::try_from(n).ok()?;
    }
    Some(IpAddr::V4(Ipv4Addr::from(octets)))
}

// ---------------------------------------------------------------------------
// Log backend
// ---------------------------------------------------------------------------

/// Settings of the log backend (`--audit-log-*`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogBackendOptions {
    /// `--audit-log-path`; `-` means stdout.
    pub path: PathBuf,
    /// `--audit-log-maxage`: days to keep rotated files; 0 keeps them regardless of age.
    pub max_age_days: u32,
    /// `--audit-log-maxbackup`: rotated files to keep; 0 keeps all.
    pub max_backups: u32,
    /// `--audit-log-maxsize`: megabytes before rotation; 0 means lumberjack's default of 100.
    pub max_size_mb: u32,
    /// Capacity of the queue between request handling and the writer.
    pub buffer_size: usize,
}

impl LogBackendOptions {
    /// Options for `path` with upstream defaults (no pruning, 100 MB rotation,
    /// a 10000-event queue as `--audit-log-batch-buffer-size`).
    pub fn new(path: impl Into<PathBuf>) -> LogBackendOptions {
        LogBackendOptions {
            path: path.into(),
            max_age_days: 0,
            max_backups: 0,
            max_size_mb: 0,
            buffer_size: 10_000,
        }
    }
}

enum Command {
    Line(String),
    Flush(mpsc::Sender<()>),
}

/// Writes audit events as JSON lines from a background thread.
pub struct LogBackend {
    sender: RwLock<Option<SyncSender<Command>>>,
    worker: Mutex<Option<JoinHandle<()>>>,
    errors: Arc<AtomicU64>,
}

const PLUGIN_NAME: &str = "log";
const MEGABYTE: u64 = 1024 * 1024;
const DEFAULT_MAX_SIZE_MB: u64 = 100;

impl LogBackend {
    /// Opens the backend: for a file, creates its directory (0700) and the
    /// file (0600) as upstream does, then starts the writer thread.
    pub fn new(options: &LogBackendOptions) -> io::Result<LogBackend> {
        let output = if options.path.as_os_str() == "-" {
            Output::Stdout
        } else {
            ensure_log_file(&options.path)
                .map_err(|e| io::Error::new(e.kind(), format!("ensureLogFile: {e}")))?;
            let max_mb = match options.max_size_mb {
                0 => DEFAULT_MAX_SIZE_MB,
                n => u64::from(n),
            };
            Output::File(RotatingFile::new(
                options.path.clone(),
                max_mb * MEGABYTE,
                options.max_backups,
                options.max_age_days,
            ))
        };
        let (tx, rx) = mpsc::sync_channel(options.buffer_size.max(1));
        let errors = Arc::new(AtomicU64::new(0));
        let worker_errors = Arc::clone(&errors);
        let handle = std::thread::Builder::new()
            .name("audit-log".to_string())
            .spawn(move || run_writer(rx, output, &worker_errors))?;
        Ok(LogBackend {
            sender: RwLock::new(Some(tx)),
            worker: Mutex::new(Some(handle)),
            errors,
        })
    }

    /// Queues the event at `stage` unless the stage is omitted or the level is
    /// `None`. Never blocks: when the queue is full the event is dropped and
    /// reported. Returns false only when the event was dropped.
    pub fn process(&self, event: &AuditEvent, stage: Stage) -> bool {
        if !event.should_emit(stage) {
            return true;
        }
        let line = event.to_json_line(stage);
        if line.is_empty() {
            return self.report(event.audit_id(), "failed to encode event");
        }
        let guard = self.sender.read().unwrap_or_else(|e| e.into_inner());
        match guard.as_ref() {
            None => self.report(event.audit_id(), "audit backend shut down"),
            Some(tx) => match tx.try_send(Command::Line(line)) {
                Ok(()) => true,
                Err(TrySendError::Full(_)) => {
                    self.report(event.audit_id(), "audit buffer queue blocked")
                }
                Err(TrySendError::Disconnected(_)) => {
                    self.report(event.audit_id(), "audit backend shut down")
                }
            },
        }
    }

    fn report(&self, audit_id: &str, err: &str) -> bool {
        self.errors.fetch_add(1, Ordering::Relaxed);
        eprintln!(
            "Error in audit plugin '{PLUGIN_NAME}' affecting 1 audit events: {err}\nImpacted events:\nauditID={}",
            go_quote(audit_id)
        );
        false
    }

    /// Waits until every event queued so far has been written.
    pub fn flush(&self) {
        let (ack_tx, ack_rx) = mpsc::channel();
        let sent = {
            let guard = self.sender.read().unwrap_or_else(|e| e.into_inner());
            guard
                .as_ref()
                .is_some_and(|tx| tx.send(Command::Flush(ack_tx)).is_ok())
        };
        if sent {
            let _ = ack_rx.recv();
        }
    }

    /// Events dropped or not written so far (upstream `apiserver_audit_error_total{plugin="log"}`).
    pub fn error_count(&self) -> u64 {
        self.errors.load(Ordering::Relaxed)
    }

    /// Stops accepting events, writes those queued, and waits for the writer.
    pub fn shutdown(&self) {
        let tx = self
            .sender
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        drop(tx);
        let handle = self.worker.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(h) = handle {
            let _ = h.join();
        }
    }
}

impl Drop for LogBackend {
    fn drop(&mut self) {
        self.shutdown();
    }
}

impl fmt::Debug for LogBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LogBackend")
            .field("errors", &self.error_count())
            .finish_non_exhaustive()
    }
}

fn run_writer(rx: Receiver<Command>, mut output: Output, errors: &AtomicU64) {
    for cmd in rx {
        match cmd {
            Command::Line(mut line) => {
                line.push('\n');
                if let Err(e) = output.write_line(line.as_bytes()) {
                    errors.fetch_add(1, Ordering::Relaxed);
                    eprintln!(
                        "Error in audit plugin '{PLUGIN_NAME}' affecting 1 audit events: {e}"
                    );
                }
            }
            Command::Flush(ack) => {
                let _ = output.flush();
                let _ = ack.send(());
            }
        }
    }
    let _ = output.flush();
}

fn ensure_log_file(path: &Path) -> io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        let mut builder = fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(dir)?;
    }
    let mut opts = OpenOptions::new();
    opts.create(true).append(true).read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    opts.open(path).map(drop)
}

enum Output {
    Stdout,
    File(RotatingFile),
}

impl Output {
    fn write_line(&mut self, line: &[u8]) -> io::Result<()> {
        match self {
            Output::Stdout => {
                let mut out = io::stdout().lock();
                out.write_all(line)?;
                out.flush()
            }
            Output::File(f) => f.write(line),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Output::Stdout => io::stdout().flush(),
            Output::File(f) => f.flush(),
        }
    }
}

/// lumberjack's backup timestamp layout (`2006-01-02T15-04-05.000`, UTC).
fn backup_timestamp(ts: Timestamp) -> String {
    let millis = ts.as_millisecond();
    let secs = millis.div_euclid(1000);
    let frac = millis.rem_euclid(1000);
    match Timestamp::from_second(secs) {
        Ok(t) => format!("{}.{frac:03}", t.strftime("%Y-%m-%dT%H-%M-%S")),
        Err(_) => String::new(),
    }
}

fn parse_backup_timestamp(s: &str) -> Option<Timestamp> {
    let b = s.as_bytes();
    if b.len() != 23 {
        return None;
    }
    let seps = [
        (4, b'-'),
        (7, b'-'),
        (10, b'T'),
        (13, b'-'),
        (16, b'-'),
        (19, b'.'),
    ];
    if seps.iter().any(|&(i, c)| b[i] != c) {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i32> {
        let part = s.get(r)?;
        if !part.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        part.parse().ok()
    };
    let dt = jiff::civil::DateTime::new(
        i16::try_from(num(0..4)?).ok()?,
        i8::try_from(num(5..7)?).ok()?,
        i8::try_from(num(8..10)?).ok()?,
        i8::try_from(num(11..13)?).ok()?,
        i8::try_from(num(14..16)?).ok()?,
        i8::try_from(num(17..19)?).ok()?,
        num(20..23)? * 1_000_000,
    )
    .ok()?;
    dt.to_zoned(jiff::tz::TimeZone::UTC)
        .ok()
        .map(|z| z.timestamp())
}

/// Go `filepath.Ext`: the suffix from the last dot of the file name.
fn go_ext(name: &str) -> &str {
    name.rfind('.').map_or("", |i| &name[i..])
}

/// A size-rotated log file with lumberjack's naming and pruning rules.
struct RotatingFile {
    path: PathBuf,
    max_size: u64,
    max_backups: u32,
    max_age_days: u32,
    file: Option<File>,
    size: u64,
}

impl RotatingFile {
    fn new(path: PathBuf, max_size: u64, max_backups: u32, max_age_days: u32) -> RotatingFile {
        RotatingFile {
            path,
            max_size,
            max_backups,
            max_age_days,
            file: None,
            size: 0,
        }
    }

    fn dir(&self) -> PathBuf {
        match self.path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        }
    }

    fn prefix_and_ext(&self) -> (String, String) {
        let name = self
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let ext = go_ext(&name).to_string();
        let prefix = format!("{}-", &name[..name.len() - ext.len()]);
        (prefix, ext)
    }

    fn backup_path(&self, at: Timestamp) -> PathBuf {
        let (prefix, ext) = self.prefix_and_ext();
        self.dir()
            .join(format!("{prefix}{}{ext}", backup_timestamp(at)))
    }

    fn write(&mut self, p: &[u8]) -> io::Result<()> {
        let len = p.len() as u64;
        if len > self.max_size {
            return Err(io::Error::other(format!(
                "write length {len} exceeds maximum file size {}",
                self.max_size
            )));
        }
        if self.file.is_none() {
            self.open_existing_or_new(len)?;
        }
        if self.size + len > self.max_size {
            self.rotate()?;
        }
        let file = match self.file.as_mut() {
            Some(f) => f,
            None => return Err(io::Error::other("audit log file is not open")),
        };
        file.write_all(p)?;
        self.size += len;
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        match self.file.as_mut() {
            Some(f) => f.flush(),
            None => Ok(()),
        }
    }

    fn open_existing_or_new(&mut self, write_len: u64) -> io::Result<()> {
        self.mill();
        let info = match fs::metadata(&self.path) {
            Ok(i) => i,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return self.open_new(),
            Err(e) => return Err(e),
        };
        if info.len() + write_len >= self.max_size {
            return self.rotate();
        }
        match OpenOptions::new().append(true).open(&self.path) {
            Ok(f) => {
                self.file = Some(f);
                self.size = info.len();
                Ok(())
            }
            Err(_) => self.open_new(),
        }
    }

    fn open_new(&mut self) -> io::Result<()> {
        fs::create_dir_all(self.dir())?;
        #[cfg(unix)]
        let mut mode = 0o600;
        if let Ok(info) = fs::metadata(&self.path) {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                mode = info.permissions().mode() & 0o777;
            }
            #[cfg(not(unix))]
            let _ = info;
            let backup = self.backup_path(Timestamp::now());
            fs::rename(&self.path, backup)?;
        }
        let mut opts = OpenOptions::new();
        opts.create(true).write(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, mode);
        self.file = Some(opts.open(&self.path)?);
        self.size = 0;
        Ok(())
    }

    fn rotate(&mut self) -> io::Result<()> {
        if let Some(mut f) = self.file.take() {
            let _ = f.flush();
        }
        self.open_new()?;
        self.mill();
        Ok(())
    }

    /// Removes backups beyond `max_backups` and older than `max_age_days`.
    fn mill(&self) {
        if self.max_backups == 0 && self.max_age_days == 0 {
            return;
        }
        let (prefix, ext) = self.prefix_and_ext();
        let gz_ext = format!("{ext}.gz");
        let Ok(entries) = fs::read_dir(self.dir()) else {
            return;
        };
        let mut files: Vec<(Timestamp, String)> = Vec::new();
        for entry in entries.flatten() {
            if entry.file_type().map(|t| t.is_dir()).unwrap_or(true) {
                continue;
            }
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(rest) = name.strip_prefix(&prefix) else {
                continue;
            };
            let stamp = rest
                .strip_suffix(&ext)
                .and_then(parse_backup_timestamp)
                .or_else(|| rest.strip_suffix(&gz_ext).and_then(parse_backup_timestamp));
            if let Some(ts) = stamp {
                files.push((ts, name));
            }
        }
        files.sort_by_key(|f| std::cmp::Reverse(f.0));

        let mut remove: Vec<String> = Vec::new();
        if self.max_backups > 0 && (self.max_backups as usize) < files.len() {
            let mut preserved: Vec<String> = Vec::new();
            let mut remaining = Vec::new();
            for (ts, name) in files {
                let base = name.strip_suffix(".gz").unwrap_or(&name).to_string();
                if !preserved.contains(&base) {
                    preserved.push(base);
                }
                if preserved.len() > self.max_backups as usize {
                    remove.push(name);
                } else {
                    remaining.push((ts, name));
                }
            }
            files = remaining;
        }
        if self.max_age_days > 0 {
            let age = jiff::SignedDuration::from_hours(24 * i64::from(self.max_age_days));
            if let Ok(cutoff) = Timestamp::now().checked_sub(age) {
                for (ts, name) in files {
                    if ts < cutoff {
                        remove.push(name);
                    }
                }
            }
        }
        let dir = self.dir();
        for name in remove {
            let _ = fs::remove_file(dir.join(name));
        }
    }
}

// ---------------------------------------------------------------------------
// Go-style formatting helpers
// ---------------------------------------------------------------------------

/// Go `%#v` of a `[]string`.
fn go_string_slice(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| go_quote(s)).collect();
    format!("[]string{{{}}}", quoted.join(", "))
}

/// Go's `*PathError` text for a failed `os.ReadFile`.
fn go_io_error(path: &str, e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => format!("open {path}: no such file or directory"),
        io::ErrorKind::PermissionDenied => format!("open {path}: permission denied"),
        io::ErrorKind::IsADirectory => format!("read {path}: is a directory"),
        _ => format!("open {path}: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn tim() -> UserInfo {
        UserInfo {
            username: "tim@k8s.io".into(),
            groups: vec!["humans".into(), "developers".into()],
            ..UserInfo::default()
        }
    }

    fn attrs() -> HashMap<&'static str, RequestAttributes> {
        let mut m = HashMap::new();
        m.insert(
            "namespaced",
            RequestAttributes {
                user: tim(),
                verb: "get".into(),
                namespace: "default".into(),
                api_version: "v1".into(),
                resource: "pods".into(),
                name: "busybox".into(),
                resource_request: true,
                path: "/api/v1/namespaces/default/pods/busybox".into(),
                ..RequestAttributes::default()
            },
        );
        m.insert(
            "cluster",
            RequestAttributes {
                user: tim(),
                verb: "get".into(),
                api_group: "rbac.authorization.k8s.io".into(),
                api_version: "v1beta1".into(),
                resource: "clusterroles".into(),
                name: "edit".into(),
                resource_request: true,
                path: "/apis/rbac.authorization.k8s.io/v1beta1/clusterroles/edit".into(),
                ..RequestAttributes::default()
            },
        );
        m.insert(
            "nonResource",
            RequestAttributes {
                user: tim(),
                verb: "get".into(),
                resource_request: false,
                path: "/logs/kubelet.log".into(),
                ..RequestAttributes::default()
            },
        );
        m.insert(
            "subresource",
            RequestAttributes {
                user: tim(),
                verb: "get".into(),
                namespace: "default".into(),
                api_version: "v1".into(),
                resource: "pods".into(),
                subresource: "log".into(),
                name: "busybox".into(),
                resource_request: true,
                path: "/api/v1/namespaces/default/pods/busybox".into(),
                ..RequestAttributes::default()
            },
        );
        m.insert(
            "Unauthorized",
            RequestAttributes {
                verb: "get".into(),
                namespace: "default".into(),
                api_version: "v1".into(),
                resource: "pods".into(),
                name: "busybox".into(),
                resource_request: true,
                path: "/api/v1/namespaces/default/pods/busybox".into(),
                ..RequestAttributes::default()
            },
        );
        m
    }

    fn strs(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    fn gr(group: &str, resources: &[&str], names: &[&str]) -> GroupResources {
        GroupResources {
            group: group.into(),
            resources: strs(resources),
            resource_names: strs(names),
        }
    }

    fn rules() -> HashMap<&'static str, PolicyRule> {
        use Level::*;
        let mut m = HashMap::new();
        let with = |level: Level, f: &dyn Fn(&mut PolicyRule)| {
            let mut r = PolicyRule::new(level);
            f(&mut r);
            r
        };
        m.insert("default", PolicyRule::new(Metadata));
        m.insert("create", with(Request, &|r| r.verbs = strs(&["create"])));
        m.insert("tims", with(Metadata, &|r| r.users = strs(&["tim@k8s.io"])));
        m.insert(
            "humans",
            with(Metadata, &|r| r.user_groups = strs(&["humans"])),
        );
        m.insert(
            "serviceAccounts",
            with(Request, &|r| {
                r.user_groups = strs(&["system:serviceaccounts"])
            }),
        );
        m.insert(
            "getPods",
            with(RequestResponse, &|r| {
                r.verbs = strs(&["get"]);
                r.resources = vec![gr("", &["pods"], &[])];
            }),
        );
        m.insert(
            "getPodLogs",
            with(Request, &|r| {
                r.verbs = strs(&["get"]);
                r.resources = vec![gr("", &["pods/log"], &[])];
            }),
        );
        m.insert(
            "getPodWildcardMatching",
            with(Request, &|r| {
                r.verbs = strs(&["get"]);
                r.resources = vec![gr("", &["*"], &[])];
            }),
        );
        m.insert(
            "getPodResourceWildcardMatching",
            with(Request, &|r| {
                r.verbs = strs(&["get"]);
                r.resources = vec![gr("", &["*/log"], &[])];
            }),
        );
        m.insert(
            "getPodSubResourceWildcardMatching",
            with(Request, &|r| {
                r.verbs = strs(&["get"]);
                r.resources = vec![gr("", &["pods/*"], &[])];
            }),
        );
        m.insert(
            "getClusterRoles",
            with(RequestResponse, &|r| {
                r.verbs = strs(&["get"]);
                r.resources = vec![gr("rbac.authorization.k8s.io", &["clusterroles"], &[])];
                r.namespaces = strs(&[""]);
            }),
        );
        m.insert(
            "getLogs",
            with(RequestResponse, &|r| {
                r.verbs = strs(&["get"]);
                r.non_resource_urls = strs(&["/logs*"]);
            }),
        );
        m.insert(
            "getMetrics",
            with(Request, &|r| {
                r.verbs = strs(&["get"]);
                r.non_resource_urls = strs(&["/metrics"]);
            }),
        );
        m.insert(
            "clusterRoleEdit",
            with(Request, &|r| {
                r.resources = vec![gr(
                    "rbac.authorization.k8s.io",
                    &["clusterroles"],
                    &["edit"],
                )];
            }),
        );
        m.insert(
            "omit RequestReceived",
            with(Request, &|r| r.omit_stages = vec![Stage::RequestReceived]),
        );
        m.insert(
            "only audit panic",
            with(Request, &|r| {
                r.omit_stages = vec![
                    Stage::RequestReceived,
                    Stage::ResponseStarted,
                    Stage::ResponseComplete,
                ]
            }),
        );
        m
    }

    fn same_stages(a: &[Stage], b: &[Stage]) -> bool {
        a.iter().all(|s| b.contains(s)) && b.iter().all(|s| a.contains(s))
    }

    fn check(req: &str, exp: Level, policy_stages: &[Stage], exp_stages: &[Stage], names: &[&str]) {
        let all = rules();
        let policy = Policy {
            rules: names.iter().map(|n| all[n].clone()).collect(),
            omit_stages: policy_stages.to_vec(),
            omit_managed_fields: false,
        };
        let cfg = policy.evaluate(&attrs()[req]);
        assert_eq!(cfg.level, exp, "request:{req} rules:{}", names.join(","));
        assert!(
            same_stages(&cfg.omit_stages, exp_stages),
            "request:{req} rules:{} expected {exp_stages:?} got {:?}",
            names.join(","),
            cfg.omit_stages
        );
    }

    fn check_levels(s: &[Stage]) {
        use Level::*;
        check("namespaced", Metadata, s, s, &["default"]);
        check("namespaced", None, s, s, &["create"]);
        check("namespaced", Metadata, s, s, &["tims"]);
        check("namespaced", Metadata, s, s, &["humans"]);
        check("namespaced", None, s, s, &["serviceAccounts"]);
        check("namespaced", RequestResponse, s, s, &["getPods"]);
        check("namespaced", None, s, s, &["getClusterRoles"]);
        check("namespaced", None, s, s, &["getLogs"]);
        check("namespaced", None, s, s, &["getMetrics"]);
        check(
            "namespaced",
            Metadata,
            s,
            s,
            &["getMetrics", "serviceAccounts", "default"],
        );
        check(
            "namespaced",
            RequestResponse,
            s,
            s,
            &["getMetrics", "getPods", "default"],
        );
        check(
            "namespaced",
            RequestResponse,
            s,
            s,
            &["getPodLogs", "getPods"],
        );

        check("cluster", Metadata, s, s, &["default"]);
        check("cluster", None, s, s, &["create"]);
        check("cluster", Metadata, s, s, &["tims"]);
        check("cluster", Metadata, s, s, &["humans"]);
        check("cluster", None, s, s, &["serviceAccounts"]);
        check("cluster", None, s, s, &["getPods"]);
        check("cluster", RequestResponse, s, s, &["getClusterRoles"]);
        check(
            "cluster",
            Request,
            s,
            s,
            &["clusterRoleEdit", "getClusterRoles"],
        );
        check("cluster", None, s, s, &["getLogs"]);
        check("cluster", None, s, s, &["getMetrics"]);
        check(
            "cluster",
            Metadata,
            s,
            s,
            &["getMetrics", "serviceAccounts", "default"],
        );
        check(
            "cluster",
            RequestResponse,
            s,
            s,
            &["getMetrics", "getClusterRoles", "default"],
        );
        check("cluster", None, s, s, &["getPodLogs", "getPods"]);

        check("nonResource", Metadata, s, s, &["default"]);
        check("nonResource", None, s, s, &["create"]);
        check("nonResource", Metadata, s, s, &["tims"]);
        check("nonResource", Metadata, s, s, &["humans"]);
        check("nonResource", None, s, s, &["serviceAccounts"]);
        check("nonResource", None, s, s, &["getPods"]);
        check("nonResource", None, s, s, &["getClusterRoles"]);
        check("nonResource", RequestResponse, s, s, &["getLogs"]);
        check("nonResource", None, s, s, &["getMetrics"]);
        check(
            "nonResource",
            Metadata,
            s,
            s,
            &["getMetrics", "serviceAccounts", "default"],
        );
        check(
            "nonResource",
            RequestResponse,
            s,
            s,
            &["getLogs", "getClusterRoles", "default"],
        );
        check("nonResource", None, s, s, &["getPodLogs", "getPods"]);

        check("subresource", Request, s, s, &["getPodLogs", "getPods"]);
        check("subresource", Request, s, s, &["getPodWildcardMatching"]);
        check(
            "subresource",
            Request,
            s,
            s,
            &["getPodResourceWildcardMatching"],
        );
        check(
            "subresource",
            Request,
            s,
            s,
            &["getPodSubResourceWildcardMatching"],
        );

        check("Unauthorized", None, s, s, &["tims"]);
        check("Unauthorized", Metadata, s, s, &["tims", "default"]);
        check("Unauthorized", None, s, s, &["humans"]);
        check("Unauthorized", Metadata, s, s, &["humans", "default"]);
    }

    #[test]
    fn checker_levels_and_rule_omit_stages() {
        use Stage::*;
        check_levels(&[]);
        let all3 = [RequestReceived, ResponseStarted, ResponseComplete];
        for req in ["namespaced", "cluster", "nonResource"] {
            check(
                req,
                Level::Request,
                &[],
                &[RequestReceived],
                &["omit RequestReceived", "getPods", "default"],
            );
            check(
                req,
                Level::Request,
                &[],
                &all3,
                &["only audit panic", "getPods", "default"],
            );
        }
    }

    #[test]
    fn checker_policy_omit_stages_union() {
        use Stage::*;
        let ps = [RequestReceived, ResponseStarted];
        check_levels(&ps);
        let all3 = [RequestReceived, ResponseStarted, ResponseComplete];
        for req in ["namespaced", "cluster"] {
            check(
                req,
                Level::Request,
                &ps,
                &ps,
                &["omit RequestReceived", "getPods", "default"],
            );
            check(
                req,
                Level::Request,
                &ps,
                &all3,
                &["only audit panic", "getPods", "default"],
            );
        }
        check(
            "nonResource",
            Level::Metadata,
            &ps,
            &ps,
            &["default", "omit RequestReceived", "getPods"],
        );
        check(
            "nonResource",
            Level::Request,
            &ps,
            &all3,
            &["only audit panic", "getPods", "default"],
        );
    }

    #[test]
    fn union_of_stages() {
        use Stage::*;
        assert!(union_stages(&[], &[]).is_empty());
        assert_eq!(
            union_stages(&[RequestReceived], &[RequestReceived]),
            vec![RequestReceived]
        );
        let u = union_stages(
            &[RequestReceived, ResponseStarted],
            &[Panic, RequestReceived],
        );
        assert!(same_stages(&u, &[RequestReceived, ResponseStarted, Panic]));
        assert_eq!(u.len(), 3);
    }

    #[test]
    fn omit_managed_fields_rule_overrides_policy() {
        let a = RequestAttributes {
            verb: "get".into(),
            ..RequestAttributes::default()
        };
        let mut rule = PolicyRule::new(Level::RequestResponse);
        rule.verbs = strs(&["get"]);
        for (global, per_rule, want) in [
            (false, None, false),
            (true, None, true),
            (true, Some(false), false),
            (false, Some(true), true),
        ] {
            let mut r = rule.clone();
            r.omit_managed_fields = per_rule;
            let p = Policy {
                rules: vec![r],
                omit_stages: vec![],
                omit_managed_fields: global,
            };
            assert_eq!(p.evaluate(&a).omit_managed_fields, want);
        }
        // No match: policy defaults apply.
        let p = Policy {
            rules: vec![rule],
            omit_stages: vec![Stage::Panic],
            omit_managed_fields: true,
        };
        let cfg = p.evaluate(&RequestAttributes::default());
        assert_eq!(
            cfg,
            RequestAuditConfig {
                level: Level::None,
                omit_stages: vec![Stage::Panic],
                omit_managed_fields: true
            }
        );
    }

    #[test]
    fn resource_wildcards_and_names() {
        let mut sub = attrs()["subresource"].clone();
        let rule = |res: &[&str]| {
            let mut r = PolicyRule::new(Level::Request);
            r.resources = vec![gr("", res, &[])];
            Policy {
                rules: vec![r],
                ..Policy::default()
            }
        };
        assert_eq!(rule(&["pods"]).evaluate(&sub).level, Level::None);
        assert_eq!(rule(&["*/status"]).evaluate(&sub).level, Level::None);
        sub.subresource = "status".into();
        assert_eq!(rule(&["*/status"]).evaluate(&sub).level, Level::Request);
        // "pods/*" also matches the pods resource itself, as upstream.
        let plain = attrs()["namespaced"].clone();
        assert_eq!(rule(&["pods/*"]).evaluate(&plain).level, Level::Request);
        assert_eq!(rule(&["*/status"]).evaluate(&plain).level, Level::None);
        // Group must match exactly; empty resources matches the whole group.
        let mut r = PolicyRule::new(Level::Metadata);
        r.resources = vec![gr("apps", &[], &[])];
        let p = Policy {
            rules: vec![r],
            ..Policy::default()
        };
        assert_eq!(p.evaluate(&plain).level, Level::None);
        // Namespace "" matches cluster-scoped requests only.
        let mut r = PolicyRule::new(Level::Metadata);
        r.namespaces = strs(&[""]);
        let p = Policy {
            rules: vec![r],
            ..Policy::default()
        };
        assert_eq!(p.evaluate(&attrs()["cluster"]).level, Level::Metadata);
        assert_eq!(p.evaluate(&plain).level, Level::None);
        assert_eq!(p.evaluate(&attrs()["nonResource"]).level, Level::None);
    }

    #[test]
    fn non_resource_url_matching() {
        assert!(path_matches("/healthz/etcd", "/healthz*"));
        assert!(path_matches("/healthz", "/healthz*"));
        assert!(path_matches("/anything", "*"));
        assert!(!path_matches("/metrics/x", "/metrics"));
        assert!(path_matches("/metrics", "/metrics"));
    }

    const DOC_POLICY: &str = r#"
apiVersion: audit.k8s.io/v1 # This is required.
kind: Policy
omitStages:
  - "RequestReceived"
rules:
  - level: RequestResponse
    resources:
    - group: ""
      resources: ["pods"]
  - level: Metadata
    resources:
    - group: ""
      resources: ["pods/log", "pods/status"]
  - level: None
    resources:
    - group: ""
      resources: ["configmaps"]
      resourceNames: ["controller-leader"]
  - level: None
    users: ["system:kube-proxy"]
    verbs: ["watch"]
    resources:
    - group: "" # core API group
      resources: ["endpoints", "services"]
  - level: None
    userGroups: ["system:authenticated"]
    nonResourceURLs:
    - "/api*" # Wildcard matching.
    - "/version"
  - level: Request
    resources:
    - group: "" # core API group
      resources: ["configmaps"]
    namespaces: ["kube-system"]
  - level: Metadata
    resources:
    - group: "" # core API group
      resources: ["secrets", "configmaps"]
  - level: Request
    resources:
    - group: "" # core API group
    - group: "extensions" # Version of group should NOT be included.
  - level: Metadata
    omitManagedFields: true
    omitStages:
      - "RequestReceived"
"#;

    #[test]
    fn parses_documented_policy() {
        let p = Policy::parse(DOC_POLICY.as_bytes()).expect("valid");
        assert_eq!(p.rules.len(), 9);
        assert_eq!(p.omit_stages, vec![Stage::RequestReceived]);
        assert_eq!(
            p.rules[2].resources[0].resource_names,
            strs(&["controller-leader"])
        );
        assert_eq!(p.rules[8].omit_managed_fields, Some(true));

        let secret = RequestAttributes {
            verb: "get".into(),
            resource_request: true,
            namespace: "default".into(),
            resource: "secrets".into(),
            ..RequestAttributes::default()
        };
        let cfg = p.evaluate(&secret);
        assert_eq!(cfg.level, Level::Metadata);
        assert_eq!(cfg.omit_stages, vec![Stage::RequestReceived]);
        let version = RequestAttributes {
            user: UserInfo {
                groups: strs(&["system:authenticated"]),
                ..UserInfo::default()
            },
            verb: "get".into(),
            path: "/version".into(),
            ..RequestAttributes::default()
        };
        assert_eq!(p.evaluate(&version).level, Level::None);
        let healthz = RequestAttributes {
            path: "/healthz".into(),
            ..version
        };
        let cfg = p.evaluate(&healthz);
        assert_eq!(cfg.level, Level::Metadata);
        assert!(cfg.omit_managed_fields);
    }

    #[test]
    fn parses_json_policy() {
        let p = Policy::parse(
            br#"{"apiVersion":"audit.k8s.io/v1","kind":"Policy","rules":[{"level":"Metadata","unknownField":1}]}"#,
        )
        .expect("valid");
        assert_eq!(p.rules, vec![PolicyRule::new(Level::Metadata)]);
    }

    fn parse_err(doc: &str) -> String {
        Policy::parse(doc.as_bytes())
            .expect_err("invalid")
            .to_string()
    }

    #[test]
    fn group_version_and_rule_count_errors() {
        assert_eq!(
            parse_err("rules:\n- level: None\n"),
            "unknown group version field audit.k8s.io/__internal, Kind=Policy in policy"
        );
        assert_eq!(
            parse_err(""),
            "unknown group version field audit.k8s.io/__internal, Kind=Policy in policy"
        );
        assert_eq!(
            parse_err("apiVersion: audit.k8s.io/v1beta1\nkind: Policy\nrules:\n- level: None\n"),
            "failed decoding: no kind \"Policy\" is registered for version \"audit.k8s.io/v1beta1\" in scheme \"k8s.io/apiserver/pkg/audit/scheme.go:30\""
        );
        assert_eq!(
            parse_err("apiVersion: audit.k8s.io/v1\nkind: Policy\n"),
            "loaded illegal policy with 0 rules"
        );
        assert!(
            parse_err("apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: 3\n")
                .starts_with("failed decoding: ")
        );
        // A missing kind with the right apiVersion is defaulted, as upstream.
        assert!(Policy::parse(b"apiVersion: audit.k8s.io/v1\nrules:\n- level: None\n").is_ok());
    }

    fn rule_err(rule_yaml: &str) -> String {
        parse_err(&format!(
            "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n{rule_yaml}"
        ))
    }

    #[test]
    fn validation_messages() {
        assert_eq!(rule_err("- {}\n"), "rules[0].level: Required value");
        assert_eq!(
            rule_err("- level: FooBar\n"),
            "rules[0].level: Unsupported value: \"FooBar\": supported values: \"None\", \"Metadata\", \"Request\", \"RequestResponse\""
        );
        assert_eq!(
            rule_err(
                "- level: Metadata\n  namespaces: [default]\n  nonResourceURLs: [\"/logs*\"]\n"
            ),
            "rules[0].nonResourceURLs: Invalid value: []string{\"/logs*\"}: rules cannot apply to both regular resources and non-resource URLs"
        );
        assert_eq!(
            rule_err(
                "- level: Metadata\n  resources:\n  - group: rbac.authorization.k8s.io/v1beta1\n    resources: [roles]\n"
            ),
            "rules[0].resources.group: Invalid value: \"rbac.authorization.k8s.io/v1beta1\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
        );
        assert_eq!(
            rule_err("- level: Metadata\n  nonResourceURLs: [logs, \"/healthz*\"]\n"),
            "rules[0].nonResourceURLs[0]: Invalid value: \"logs\": non-resource URL rules must begin with a '/' character"
        );
        assert_eq!(
            rule_err("- level: Metadata\n  nonResourceURLs: [\"\", \"/healthz*\"]\n"),
            "rules[0].nonResourceURLs[0]: Invalid value: \"\": non-resource URL rules must begin with a '/' character"
        );
        assert_eq!(
            rule_err("- level: Metadata\n  nonResourceURLs: [\"/logs/*.log\", /metrics]\n"),
            "rules[0].nonResourceURLs[0]: Invalid value: \"/logs/*.log\": non-resource URL wildcards '*' must be the final character of the rule"
        );
        assert_eq!(
            rule_err(
                "- level: Metadata\n  verbs: [get]\n  resources:\n  - resourceNames: [leader]\n  namespaces: [kube-system]\n"
            ),
            "rules[0].resources.resourceNames: Invalid value: []string{\"leader\"}: using resourceNames requires at least one resource"
        );
        assert_eq!(
            rule_err("- level: Metadata\n  omitStages: [foo]\n"),
            "rules[0].omitStages[0]: Invalid value: \"foo\": allowed stages are RequestReceived,ResponseStarted,ResponseComplete,Panic"
        );
        // Several errors aggregate as "[a, b]"; policy-level omitStages first.
        assert_eq!(
            parse_err(
                "apiVersion: audit.k8s.io/v1\nkind: Policy\nomitStages: [foo]\nrules:\n- level: Metadata\n- {}\n"
            ),
            "[omitStages[0]: Invalid value: \"foo\": allowed stages are RequestReceived,ResponseStarted,ResponseComplete,Panic, rules[1].level: Required value]"
        );
        // Validation runs before the rule count check.
        assert_eq!(
            parse_err("apiVersion: audit.k8s.io/v1\nkind: Policy\nomitStages: [foo]\n"),
            "omitStages[0]: Invalid value: \"foo\": allowed stages are RequestReceived,ResponseStarted,ResponseComplete,Panic"
        );
    }

    fn temp_dir(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("audit-test-{tag}-{}", uuid::Uuid::new_v4()));
        fs::create_dir_all(&d).expect("mkdir");
        d
    }

    #[test]
    fn load_from_file_messages() {
        let dir = temp_dir("load");
        let missing = dir.join("missing.yaml");
        assert_eq!(
            Policy::load(&missing).expect_err("missing").to_string(),
            format!(
                "failed to read file path \"{0}\": open {0}: no such file or directory",
                missing.display()
            )
        );
        let f = dir.join("policy.yaml");
        fs::write(&f, "apiVersion: audit.k8s.io/v1\nkind: Policy\n").expect("write");
        assert_eq!(
            Policy::load(&f).expect_err("no rules").to_string(),
            format!(
                "loaded illegal policy with 0 rules: from file {}",
                f.display()
            )
        );
        fs::write(&f, DOC_POLICY).expect("write");
        assert_eq!(Policy::load(&f).expect("valid").rules.len(), 9);
        assert_eq!(
            Policy::load(Path::new("")).expect_err("empty").to_string(),
            "file path not specified"
        );
        let _ = fs::remove_dir_all(dir);
    }

    fn micro_time_ok(s: &str) -> bool {
        let b = s.as_bytes();
        b.len() == 27
            && b[4] == b'-'
            && b[10] == b'T'
            && b[19] == b'.'
            && b[26] == b'Z'
            && b[20..26].iter().all(u8::is_ascii_digit)
    }

    fn get_pod_event(level: Level) -> AuditEvent {
        let a = attrs()["namespaced"].clone();
        AuditEvent::new(
            &RequestAuditConfig::new(level),
            &a,
            "/api/v1/namespaces/default/pods/busybox?timeout=32s",
            source_ips(None, None, "10.0.0.7:51234"),
            Some("kubectl/v1.33.0 (linux/amd64) kubernetes/abcdef"),
            None,
        )
    }

    #[test]
    fn micro_time_format() {
        let ts = Timestamp::from_microsecond(1_700_000_000_123_456).expect("ts");
        assert_eq!(format_micro_time(ts), "2023-11-14T22:13:20.123456Z");
        let ts = Timestamp::from_second(1_700_000_000).expect("ts");
        assert_eq!(format_micro_time(ts), "2023-11-14T22:13:20.000000Z");
    }

    #[test]
    fn event_shape_metadata_success() {
        let mut ev = get_pod_event(Level::Metadata);
        let received = ev.to_json(Stage::RequestReceived);
        assert_eq!(received["kind"], "Event");
        assert_eq!(received["apiVersion"], "audit.k8s.io/v1");
        assert_eq!(received["level"], "Metadata");
        assert_eq!(received["stage"], "RequestReceived");
        assert_eq!(received["auditID"], ev.audit_id());
        assert_eq!(ev.audit_id().len(), 36);
        assert_eq!(
            received["requestURI"],
            "/api/v1/namespaces/default/pods/busybox?timeout=32s"
        );
        assert_eq!(received["verb"], "get");
        assert_eq!(
            received["user"],
            serde_json::json!({"username": "tim@k8s.io", "groups": ["humans", "developers"]})
        );
        assert_eq!(received["sourceIPs"], serde_json::json!(["10.0.0.7"]));
        assert_eq!(
            received["userAgent"],
            "kubectl/v1.33.0 (linux/amd64) kubernetes/abcdef"
        );
        assert_eq!(
            received["objectRef"],
            serde_json::json!({"resource": "pods", "namespace": "default", "name": "busybox", "apiVersion": "v1"})
        );
        assert!(received.get("responseStatus").is_none());
        assert!(received.get("impersonatedUser").is_none());
        assert!(received.get("annotations").is_none());
        let rr = received["requestReceivedTimestamp"]
            .as_str()
            .unwrap_or_default();
        assert!(micro_time_ok(rr), "{rr}");
        assert_eq!(
            received["stageTimestamp"],
            received["requestReceivedTimestamp"]
        );

        let pod = serde_json::json!({"kind": "Pod", "apiVersion": "v1", "metadata": {"name": "busybox", "uid": "u-1", "resourceVersion": "42"}});
        ev.set_response(200, Some(&pod));
        assert!(ev.annotate("authorization.k8s.io/decision", "allow"));
        let done = ev.to_json(Stage::ResponseComplete);
        assert_eq!(done["stage"], "ResponseComplete");
        assert_eq!(
            done["responseStatus"],
            serde_json::json!({"metadata": {}, "code": 200})
        );
        assert!(done.get("responseObject").is_none());
        assert!(done.get("requestObject").is_none());
        assert_eq!(
            done["annotations"]["authorization.k8s.io/decision"],
            "allow"
        );
        assert!(micro_time_ok(
            done["stageTimestamp"].as_str().unwrap_or_default()
        ));

        // Field order in the log line follows upstream's struct.
        let line = ev.to_json_line(Stage::ResponseComplete);
        assert!(line.starts_with(
            r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"#
        ));
        let i_status = line.find("responseStatus").unwrap_or(0);
        let i_ts = line.find("requestReceivedTimestamp").unwrap_or(0);
        assert!(i_status < i_ts && i_ts < line.find("annotations").unwrap_or(0));
    }

    #[test]
    fn event_forbidden_status() {
        let status = serde_json::json!({
            "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": "pods \"busybox\" is forbidden: User \"tim@k8s.io\" cannot get resource \"pods\" in API group \"\" in the namespace \"default\"",
            "reason": "Forbidden", "details": {"name": "busybox", "kind": "pods"}, "code": 403
        });
        let mut ev = get_pod_event(Level::Metadata);
        ev.set_response(403, Some(&status));
        let j = ev.to_json(Stage::ResponseComplete);
        assert_eq!(
            j["responseStatus"],
            serde_json::json!({
                "metadata": {}, "status": "Failure", "message": status["message"],
                "reason": "Forbidden", "details": {"name": "busybox", "kind": "pods"}, "code": 403
            })
        );
        assert!(j.get("responseObject").is_none());

        let mut ev = get_pod_event(Level::RequestResponse);
        ev.set_response(403, Some(&status));
        let j = ev.to_json(Stage::ResponseComplete);
        assert_eq!(j["responseObject"], status);
        assert_eq!(j["responseStatus"]["code"], 403);
    }

    #[test]
    fn event_request_level_and_managed_fields() {
        let a = RequestAttributes {
            user: tim(),
            verb: "create".into(),
            resource_request: true,
            namespace: "default".into(),
            api_group: "apps".into(),
            api_version: "v1".into(),
            resource: "deployments".into(),
            path: "/apis/apps/v1/namespaces/default/deployments".into(),
            ..RequestAttributes::default()
        };
        let cfg = RequestAuditConfig {
            level: Level::Request,
            omit_stages: vec![],
            omit_managed_fields: true,
        };
        let imp = UserInfo {
            username: "jane".into(),
            ..UserInfo::default()
        };
        let mut ev = AuditEvent::new(
            &cfg,
            &a,
            "/apis/apps/v1/namespaces/default/deployments",
            vec![],
            None,
            Some(&imp),
        )
        .with_audit_id("client-supplied-id");
        let body = serde_json::json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "managedFields": [{"manager": "kubectl"}]}});
        ev.set_request_object(&body);
        ev.set_response(201, Some(&body));
        let j = ev.to_json(Stage::ResponseComplete);
        assert_eq!(j["auditID"], "client-supplied-id");
        assert_eq!(
            j["impersonatedUser"],
            serde_json::json!({"username": "jane"})
        );
        assert!(j.get("userAgent").is_none());
        assert!(j.get("sourceIPs").is_none());
        assert_eq!(
            j["objectRef"],
            serde_json::json!({"resource": "deployments", "namespace": "default", "name": "web", "apiGroup": "apps", "apiVersion": "v1"})
        );
        assert_eq!(
            j["requestObject"]["metadata"],
            serde_json::json!({"name": "web"})
        );
        assert!(j.get("responseObject").is_none());
        assert_eq!(
            j["responseStatus"],
            serde_json::json!({"metadata": {}, "code": 201})
        );
    }

    #[test]
    fn event_defaults_panic_and_annotations() {
        let mut ev = get_pod_event(Level::Metadata);
        let j = ev.to_json(Stage::ResponseComplete);
        assert_eq!(
            j["responseStatus"],
            serde_json::json!({"metadata": {}, "status": "Success", "message": "Connection closed early", "code": 200})
        );
        ev.set_panic("boom");
        let j = ev.to_json(Stage::Panic);
        assert_eq!(
            j["responseStatus"],
            serde_json::json!({"metadata": {}, "status": "Failure", "message": "APIServer panic'd: boom", "reason": "InternalError", "code": 500})
        );
        assert!(ev.annotate("k", "v1"));
        assert!(ev.annotate("k", "v1"));
        assert!(!ev.annotate("k", "v2"));
        assert_eq!(ev.annotations()["k"], "v1");
    }

    #[test]
    fn user_agent_truncation_and_source_ips() {
        let long = "a".repeat(1100);
        assert_eq!(
            truncate_user_agent(&long),
            format!("{}...TRUNCATED", "a".repeat(1024))
        );
        assert_eq!(truncate_user_agent("short"), "short");
        assert_eq!(
            source_ips(
                Some("1.2.3.4, bogus, 5.6.7.8"),
                Some("9.9.9.9"),
                "9.9.9.9:1234"
            ),
            strs(&["1.2.3.4", "5.6.7.8", "9.9.9.9"])
        );
        assert_eq!(
            source_ips(Some("1.2.3.4"), Some("1.2.3.4"), "10.0.0.1:1"),
            strs(&["1.2.3.4", "10.0.0.1"])
        );
        assert_eq!(source_ips(None, None, "[::1]:443"), strs(&["::1"]));
        assert_eq!(
            source_ips(None, None, "[::ffff:10.1.2.3]:443"),
            strs(&["10.1.2.3"])
        );
        assert_eq!(
            source_ips(Some("010.000.000.001"), None, "bad"),
            strs(&["10.0.0.1"])
        );
    }

    #[test]
    fn log_backend_writes_one_line_per_event() {
        let dir = temp_dir("log");
        let path = dir.join("sub").join("audit.log");
        let backend = LogBackend::new(&LogBackendOptions::new(&path)).expect("backend");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).expect("file").permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        let mut cfg = RequestAuditConfig::new(Level::Metadata);
        cfg.omit_stages = vec![Stage::RequestReceived];
        let a = attrs()["namespaced"].clone();
        let mut ids = Vec::new();
        for _ in 0..5 {
            let mut ev = AuditEvent::new(
                &cfg,
                &a,
                "/api/v1/namespaces/default/pods/busybox",
                vec![],
                None,
                None,
            );
            assert!(backend.process(&ev, Stage::RequestReceived)); // omitted
            ev.set_response(200, None);
            assert!(backend.process(&ev, Stage::ResponseComplete));
            ids.push(ev.audit_id().to_string());
        }
        let none = AuditEvent::new(
            &RequestAuditConfig::new(Level::None),
            &a,
            "/x",
            vec![],
            None,
            None,
        );
        assert!(backend.process(&none, Stage::ResponseComplete)); // level None: skipped
        backend.flush();
        backend.shutdown();
        assert_eq!(backend.error_count(), 0);

        let content = fs::read_to_string(&path).expect("read");
        assert!(content.ends_with('\n'));
        let lines: Vec<&str> = content.lines().collect();
        assert_eq!(lines.len(), 5);
        for (line, id) in lines.iter().zip(&ids) {
            let v: Value = serde_json::from_str(line).expect("json line");
            assert_eq!(v["auditID"], id.as_str());
            assert_eq!(v["stage"], "ResponseComplete");
            assert_eq!(v["kind"], "Event");
        }
        // After shutdown events are refused rather than blocking.
        let ev = AuditEvent::new(&cfg, &a, "/x", vec![], None, None);
        assert!(!backend.process(&ev, Stage::ResponseComplete));
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn rotation_names_and_prunes_like_lumberjack() {
        let dir = temp_dir("rotate");
        let path = dir.join("audit.log");
        // Stale backups: one ancient (pruned by age), two recent.
        fs::write(dir.join("audit-2001-01-01T00-00-00.000.log"), "old\n").expect("w");
        fs::write(dir.join("audit-2999-01-01T00-00-00.000.log.gz"), "gz").expect("w");
        fs::write(dir.join("unrelated.txt"), "x").expect("w");
        let mut rf = RotatingFile::new(path.clone(), 20, 2, 30);
        rf.write(b"0123456789\n").expect("write");
        rf.write(b"0123456789\n").expect("write"); // exceeds 20 bytes: rotates
        rf.write(b"abc\n").expect("write");
        assert_eq!(
            fs::read_to_string(&path).expect("read"),
            "0123456789\nabc\n"
        );
        assert_eq!(
            rf.write(&[b'x'; 21]).expect_err("too long").to_string(),
            "write length 21 exceeds maximum file size 20"
        );
        let mut backups: Vec<String> = fs::read_dir(&dir)
            .expect("ls")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with("audit-"))
            .collect();
        backups.sort();
        assert_eq!(backups.len(), 2, "{backups:?}");
        assert!(!backups.iter().any(|n| n.starts_with("audit-2001")));
        assert!(backups.contains(&"audit-2999-01-01T00-00-00.000.log.gz".to_string()));
        let fresh = backups
            .iter()
            .find(|n| !n.starts_with("audit-2999"))
            .expect("rotated backup");
        let stamp = fresh
            .strip_prefix("audit-")
            .and_then(|s| s.strip_suffix(".log"))
            .expect("name");
        assert!(parse_backup_timestamp(stamp).is_some(), "{fresh}");
        assert_eq!(
            fs::read_to_string(dir.join(fresh)).expect("read"),
            "0123456789\n"
        );
        assert!(dir.join("unrelated.txt").exists());
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn backup_timestamp_round_trip() {
        let ts = Timestamp::from_millisecond(1_700_000_000_123).expect("ts");
        assert_eq!(backup_timestamp(ts), "2023-11-14T22-13-20.123");
        assert_eq!(parse_backup_timestamp("2023-11-14T22-13-20.123"), Some(ts));
        assert_eq!(parse_backup_timestamp("2023-11-14T22:13:20.123"), None);
    }
}
