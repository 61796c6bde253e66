//! Pod Security Admission (the built-in `PodSecurity` admission plugin), following
//! upstream `k8s.io/pod-security-admission` as shipped with Kubernetes 1.33.
//!
//! What this module does:
//! - parses the namespace labels `pod-security.kubernetes.io/{enforce,audit,warn}[-version]`
//!   into an effective [`NamespacePolicy`], with upstream's handling of invalid values
//!   (invalid enforce level fails closed to `restricted`, invalid audit/warn levels fail open
//!   to `privileged`, invalid versions fall back to `latest`) and its defaulting of `warn`
//!   from `enforce`;
//! - evaluates a pod's metadata and spec against every Pod Security Standards check of the
//!   `baseline` and `restricted` levels, for every policy version (`v1.0` … `latest`), with the
//!   exact upstream `ForbiddenReason` / `ForbiddenDetail` texts;
//! - makes the admission decision for pods (enforce, audit, warn) and for pod-template-bearing
//!   controllers (audit and warn only), including exemptions, ignored subresources, the
//!   "insignificant update" shortcut, the `Forbidden` message, the warnings and the audit
//!   annotations;
//! - validates namespace label changes and produces the warnings about existing pods that
//!   violate a newly tightened enforce level;
//! - reads and validates the `PodSecurityConfiguration` admission plugin configuration.
//!
//! What it does not do: it does not fetch namespaces or list pods (callers pass labels and
//! pods in), it records no metrics, it applies no time budget to the namespace pod scan (only
//! upstream's cap of 3000 pods), it implements no experimental (unversioned) checks, and the
//! `UserNamespacesPodSecurityStandards` relaxation (alpha, off by default) is not offered.
//! Objects are handled as `serde_json::Value` in their API (JSON) form; like upstream, the
//! evaluation expects them decoded and defaulted already (for example, `hostNetwork` pods have
//! their `hostPort`s defaulted to the `containerPort`s, and source-less volumes become
//! `emptyDir`).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt;

use crate::gofmt::quote as go_quote;
use regex::Regex;
use serde_json::Value;

/// Prefix shared by the namespace labels and the audit annotations.
pub const LABEL_PREFIX: &str = "pod-security.kubernetes.io/";
/// Namespace label selecting the enforced level.
pub const ENFORCE_LEVEL_LABEL: &str = "pod-security.kubernetes.io/enforce";
/// Namespace label selecting the enforced policy version.
pub const ENFORCE_VERSION_LABEL: &str = "pod-security.kubernetes.io/enforce-version";
/// Namespace label selecting the audited level.
pub const AUDIT_LEVEL_LABEL: &str = "pod-security.kubernetes.io/audit";
/// Namespace label selecting the audited policy version.
pub const AUDIT_VERSION_LABEL: &str = "pod-security.kubernetes.io/audit-version";
/// Namespace label selecting the warned level.
pub const WARN_LEVEL_LABEL: &str = "pod-security.kubernetes.io/warn";
/// Namespace label selecting the warned policy version.
pub const WARN_VERSION_LABEL: &str = "pod-security.kubernetes.io/warn-version";

/// Audit annotation recording why a request was exempt (`user`, `namespace`, `runtimeClass`).
pub const EXEMPT_ANNOTATION: &str = "pod-security.kubernetes.io/exempt";
/// Audit annotation recording the audit-level violations.
pub const AUDIT_VIOLATIONS_ANNOTATION: &str = "pod-security.kubernetes.io/audit-violations";
/// Audit annotation recording the enforced level and version.
pub const ENFORCE_POLICY_ANNOTATION: &str = "pod-security.kubernetes.io/enforce-policy";
/// Audit annotation recording a namespace label parse error.
pub const ERROR_ANNOTATION: &str = "pod-security.kubernetes.io/error";

/// Upper bound of existing pods checked when a namespace's enforce level is tightened.
pub const NAMESPACE_MAX_PODS_TO_CHECK: usize = 3000;

/// The newest minor version that has its own check revisions; newer versions and `latest`
/// evaluate as this one.
const MAX_CHECK_MINOR: u64 = 32;

// ---------------------------------------------------------------------------------------------
// Levels, versions, policies
// ---------------------------------------------------------------------------------------------

/// A Pod Security Standards level. The ordering is privileged < baseline < restricted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    /// No restrictions.
    Privileged,
    /// Prevents known privilege escalations.
    Baseline,
    /// Heavily restricted, following pod hardening best practices.
    Restricted,
}

impl Level {
    /// The label value of this level.
    pub fn as_str(&self) -> &'static str {
        match self {
            Level::Privileged => "privileged",
            Level::Baseline => "baseline",
            Level::Restricted => "restricted",
        }
    }

    /// Parses a level label value; the error is upstream's field error detail.
    pub fn parse(value: &str) -> Result<Level, String> {
        match value {
            "privileged" => Ok(Level::Privileged),
            "baseline" => Ok(Level::Baseline),
            "restricted" => Ok(Level::Restricted),
            _ => Err("must be one of privileged, baseline, restricted".to_string()),
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A policy version: `latest` or `v<major>.<minor>` (labels only accept `v1.x`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Version {
    /// Always the newest policy, even newer than the running server.
    Latest,
    /// A pinned policy version `(major, minor)`.
    MajorMinor(u64, u64),
}

impl Version {
    /// Parses a version label value (`latest` or `v1.x`, no leading zeros); the error is
    /// upstream's field error detail.
    pub fn parse(value: &str) -> Result<Version, String> {
        const ERR: &str = r#"must be "latest" or "v1.x""#;
        if value == "latest" {
            return Ok(Version::Latest);
        }
        let Some(minor) = value.strip_prefix("v1.") else {
            return Err(ERR.to_string());
        };
        let digits_ok = !minor.is_empty()
            && minor.bytes().all(|b| b.is_ascii_digit())
            && (minor.len() == 1 || !minor.starts_with('0'));
        if !digits_ok {
            return Err(ERR.to_string());
        }
        // Upstream parses into a signed 64-bit integer.
        match minor.parse::<i64>() {
            Ok(m) if m >= 0 => Ok(Version::MajorMinor(1, m as u64)),
            _ => Err(ERR.to_string()),
        }
    }

    /// Whether `self` is an older policy version than `other` (`latest` is never older).
    pub fn older(&self, other: &Version) -> bool {
        match (self, other) {
            (Version::Latest, _) => false,
            (_, Version::Latest) => true,
            (Version::MajorMinor(a, b), Version::MajorMinor(c, d)) => (a, b) < (c, d),
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Version::Latest => f.write_str("latest"),
            Version::MajorMinor(major, minor) => write!(f, "v{major}.{minor}"),
        }
    }
}

/// A level at a policy version, printed as `restricted:latest` or `baseline:v1.22`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LevelVersion {
    /// The level.
    pub level: Level,
    /// The policy version.
    pub version: Version,
}

impl LevelVersion {
    /// Builds a level-version pair.
    pub fn new(level: Level, version: Version) -> LevelVersion {
        LevelVersion { level, version }
    }

    /// `privileged:latest`.
    pub fn privileged() -> LevelVersion {
        LevelVersion::new(Level::Privileged, Version::Latest)
    }

    /// Equal, or both privileged (whose version is irrelevant).
    pub fn equivalent(&self, other: &LevelVersion) -> bool {
        (self.level == Level::Privileged && other.level == Level::Privileged) || self == other
    }
}

impl fmt::Display for LevelVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.level, self.version)
    }
}

/// The effective policy of a namespace for the three modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NamespacePolicy {
    /// Violations reject pods.
    pub enforce: LevelVersion,
    /// Violations are recorded in the audit annotation.
    pub audit: LevelVersion,
    /// Violations are returned as warnings.
    pub warn: LevelVersion,
}

impl Default for NamespacePolicy {
    /// `privileged:latest` for every mode, the built-in configuration default.
    fn default() -> Self {
        NamespacePolicy {
            enforce: LevelVersion::privileged(),
            audit: LevelVersion::privileged(),
            warn: LevelVersion::privileged(),
        }
    }
}

impl NamespacePolicy {
    /// Every mode is privileged.
    pub fn fully_privileged(&self) -> bool {
        self.enforce.level == Level::Privileged
            && self.audit.level == Level::Privileged
            && self.warn.level == Level::Privileged
    }

    /// Every mode is equivalent (see [`LevelVersion::equivalent`]).
    pub fn equivalent(&self, other: &NamespacePolicy) -> bool {
        self.enforce.equivalent(&other.enforce)
            && self.audit.equivalent(&other.audit)
            && self.warn.equivalent(&other.warn)
    }
}

/// Kind of a [`FieldError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldErrorType {
    /// `Invalid value`.
    Invalid,
    /// `Duplicate value`.
    Duplicate,
}

/// A field validation error, printed like upstream's `field.Error`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// Path, e.g. `metadata.labels[pod-security.kubernetes.io/enforce]`.
    pub field: String,
    /// Kind of error.
    pub error_type: FieldErrorType,
    /// The offending (string) value.
    pub value: String,
    /// Explanation; may be empty.
    pub detail: String,
}

impl FieldError {
    fn invalid(field: impl Into<String>, value: &str, detail: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            error_type: FieldErrorType::Invalid,
            value: value.to_string(),
            detail: detail.into(),
        }
    }

    fn duplicate(field: impl Into<String>, value: &str) -> Self {
        FieldError {
            field: field.into(),
            error_type: FieldErrorType::Duplicate,
            value: value.to_string(),
            detail: String::new(),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.error_type {
            FieldErrorType::Invalid => "Invalid value",
            FieldErrorType::Duplicate => "Duplicate value",
        };
        write!(f, "{}: {}: {}", self.field, kind, go_quote(&self.value))?;
        if !self.detail.is_empty() {
            write!(f, ": {}", self.detail)?;
        }
        Ok(())
    }
}

/// Formats a list of errors like upstream's aggregate error: one message alone, several as
/// `[a, b]`, identical messages once.
pub fn aggregate_message<T: fmt::Display>(errors: &[T]) -> String {
    let mut seen = HashSet::new();
    let msgs: Vec<String> = errors
        .iter()
        .map(|e| e.to_string())
        .filter(|m| seen.insert(m.clone()))
        .collect();
    match msgs.len() {
        0 => String::new(),
        1 => msgs.into_iter().next().unwrap_or_default(),
        _ => format!("[{}]", msgs.join(", ")),
    }
}

/// Computes the policy to evaluate from namespace labels and the configured defaults, like
/// upstream `PolicyToEvaluate`: the policy is always usable (invalid enforce levels become
/// `restricted`, invalid audit/warn levels `privileged`, invalid versions `latest`), and the
/// label errors are returned alongside. When `warn` is not labelled but a valid enforce level
/// is stricter than the warn level, warn follows enforce (and its version unless
/// `warn-version` is labelled).
pub fn policy_to_evaluate(
    labels: &BTreeMap<String, String>,
    defaults: &NamespacePolicy,
) -> (NamespacePolicy, Vec<FieldError>) {
    let mut p = *defaults;
    let mut errs = Vec::new();
    if labels.is_empty() {
        return (p, errs);
    }
    let path = |label: &str| format!("metadata.labels[{label}]");

    let mut has_enforce_level = false;
    if let Some(value) = labels.get(ENFORCE_LEVEL_LABEL) {
        match Level::parse(value) {
            Ok(level) => {
                p.enforce.level = level;
                has_enforce_level = true;
            }
            Err(e) => {
                p.enforce.level = Level::Restricted;
                errs.push(FieldError::invalid(path(ENFORCE_LEVEL_LABEL), value, e));
            }
        }
    }
    if let Some(value) = labels.get(ENFORCE_VERSION_LABEL) {
        p.enforce.version = parse_version_label(value, ENFORCE_VERSION_LABEL, &mut errs);
    }
    if let Some(value) = labels.get(AUDIT_LEVEL_LABEL) {
        p.audit.level = Level::parse(value).unwrap_or_else(|e| {
            errs.push(FieldError::invalid(path(AUDIT_LEVEL_LABEL), value, e));
            Level::Privileged
        });
    }
    if let Some(value) = labels.get(AUDIT_VERSION_LABEL) {
        p.audit.version = parse_version_label(value, AUDIT_VERSION_LABEL, &mut errs);
    }
    let has_warn_level = labels.contains_key(WARN_LEVEL_LABEL);
    if let Some(value) = labels.get(WARN_LEVEL_LABEL) {
        p.warn.level = Level::parse(value).unwrap_or_else(|e| {
            errs.push(FieldError::invalid(path(WARN_LEVEL_LABEL), value, e));
            Level::Privileged
        });
    }
    let has_warn_version = labels.contains_key(WARN_VERSION_LABEL);
    if let Some(value) = labels.get(WARN_VERSION_LABEL) {
        p.warn.version = parse_version_label(value, WARN_VERSION_LABEL, &mut errs);
    }

    if !has_warn_level && has_enforce_level && p.enforce.level > p.warn.level {
        p.warn.level = p.enforce.level;
        if !has_warn_version {
            p.warn.version = p.enforce.version;
        }
    }
    (p, errs)
}

fn parse_version_label(value: &str, label: &str, errs: &mut Vec<FieldError>) -> Version {
    Version::parse(value).unwrap_or_else(|e| {
        errs.push(FieldError::invalid(
            format!("metadata.labels[{label}]"),
            value,
            e,
        ));
        Version::Latest
    })
}

/// The namespace's policy, or the label errors (as upstream messages) when any label is
/// invalid. Use [`policy_to_evaluate`] to get the fail-closed policy that upstream still
/// evaluates pods against when labels are invalid.
pub fn namespace_policy(
    labels: &BTreeMap<String, String>,
    defaults: &NamespacePolicy,
) -> Result<NamespacePolicy, Vec<String>> {
    let (policy, errs) = policy_to_evaluate(labels, defaults);
    if errs.is_empty() {
        Ok(policy)
    } else {
        Err(errs.iter().map(ToString::to_string).collect())
    }
}

// ---------------------------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------------------------

/// Requests exempt from Pod Security evaluation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Exemptions {
    /// Exempt authenticated user names.
    pub usernames: Vec<String>,
    /// Exempt namespaces.
    pub namespaces: Vec<String>,
    /// Exempt runtime class names.
    pub runtime_classes: Vec<String>,
}

impl Exemptions {
    /// Whether the namespace is exempt (an empty name never is).
    pub fn namespace_exempt(&self, namespace: &str) -> bool {
        !namespace.is_empty() && self.namespaces.iter().any(|n| n == namespace)
    }

    /// Whether the user is exempt (an empty name never is).
    pub fn user_exempt(&self, username: &str) -> bool {
        !username.is_empty() && self.usernames.iter().any(|n| n == username)
    }

    /// Whether the runtime class is exempt (an empty name never is).
    pub fn runtime_class_exempt(&self, runtime_class: Option<&str>) -> bool {
        match runtime_class {
            Some(rc) if !rc.is_empty() => self.runtime_classes.iter().any(|n| n == rc),
            _ => false,
        }
    }
}

/// The `PodSecurity` plugin configuration: default policy and exemptions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PodSecurityConfiguration {
    /// Policy for namespaces without labels (and for unlabelled modes).
    pub defaults: NamespacePolicy,
    /// Exempt users, namespaces and runtime classes.
    pub exemptions: Exemptions,
}

const CONFIG_API_VERSIONS: [&str; 3] = [
    "pod-security.admission.config.k8s.io/v1",
    "pod-security.admission.config.k8s.io/v1beta1",
    "pod-security.admission.config.k8s.io/v1alpha1",
];

impl PodSecurityConfiguration {
    /// Reads a `PodSecurityConfiguration` object (the `configuration` of the `PodSecurity`
    /// plugin in an `AdmissionConfiguration`), applies upstream defaults (`privileged` and
    /// `latest` for empty fields) and validates it. `None` gives the default configuration.
    pub fn from_value(value: Option<&Value>) -> Result<PodSecurityConfiguration, String> {
        let Some(value) = value.filter(|v| !v.is_null()) else {
            return Ok(PodSecurityConfiguration::default());
        };
        let Some(obj) = value.as_object() else {
            return Err("PodSecurity configuration must be an object".to_string());
        };
        let api_version = obj.get("apiVersion").and_then(Value::as_str).unwrap_or("");
        let kind = obj.get("kind").and_then(Value::as_str).unwrap_or("");
        if !CONFIG_API_VERSIONS.contains(&api_version) || kind != "PodSecurityConfiguration" {
            return Err(format!(
                "expected PodSecurityConfiguration in one of {}, got kind {} in {}",
                CONFIG_API_VERSIONS.join(", "),
                go_quote(kind),
                go_quote(api_version)
            ));
        }

        let defaults = obj.get("defaults");
        let default_field = |name: &str, fallback: &str| -> Result<String, String> {
            match defaults.and_then(|d| d.get(name)) {
                None | Some(Value::Null) => Ok(fallback.to_string()),
                Some(Value::String(s)) if s.is_empty() => Ok(fallback.to_string()),
                Some(Value::String(s)) => Ok(s.clone()),
                Some(_) => Err(format!("defaults.{name}: must be a string")),
            }
        };
        let string_list = |name: &str| -> Result<Vec<String>, String> {
            match obj.get("exemptions").and_then(|e| e.get(name)) {
                None | Some(Value::Null) => Ok(Vec::new()),
                Some(Value::Array(items)) => items
                    .iter()
                    .map(|i| {
                        i.as_str()
                            .map(str::to_string)
                            .ok_or_else(|| format!("exemptions.{name}: must be a list of strings"))
                    })
                    .collect(),
                Some(_) => Err(format!("exemptions.{name}: must be a list of strings")),
            }
        };

        let mut errs: Vec<FieldError> = Vec::new();
        let mut level = |name: &str| -> Result<Level, String> {
            let v = default_field(name, "privileged")?;
            Ok(Level::parse(&v).unwrap_or_else(|e| {
                errs.push(FieldError::invalid(format!("defaults.{name}"), &v, e));
                Level::Privileged
            }))
        };
        let enforce_level = level("enforce")?;
        let warn_level = level("warn")?;
        let audit_level = level("audit")?;
        let mut version = |name: &str| -> Result<Version, String> {
            let v = default_field(name, "latest")?;
            Ok(Version::parse(&v).unwrap_or_else(|e| {
                errs.push(FieldError::invalid(format!("defaults.{name}"), &v, e));
                Version::Latest
            }))
        };
        let enforce_version = version("enforce-version")?;
        let warn_version = version("warn-version")?;
        let audit_version = version("audit-version")?;

        let exemptions = Exemptions {
            usernames: string_list("usernames")?,
            namespaces: string_list("namespaces")?,
            runtime_classes: string_list("runtimeClasses")?,
        };
        errs.extend(validate_exemptions(&exemptions));
        if !errs.is_empty() {
            return Err(aggregate_message(&errs));
        }
        Ok(PodSecurityConfiguration {
            defaults: NamespacePolicy {
                enforce: LevelVersion::new(enforce_level, enforce_version),
                audit: LevelVersion::new(audit_level, audit_version),
                warn: LevelVersion::new(warn_level, warn_version),
            },
            exemptions,
        })
    }
}

const DNS1123_LABEL_ERR: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1123_SUBDOMAIN_ERR: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

fn dns1123_label_errors(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > 63 {
        errs.push("must be no more than 63 characters".to_string());
    }
    let ok = Regex::new(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
        .map(|re| re.is_match(value))
        .unwrap_or(false);
    if !ok {
        errs.push(DNS1123_LABEL_ERR.to_string());
    }
    errs
}

fn dns1123_subdomain_errors(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > 253 {
        errs.push("must be no more than 253 characters".to_string());
    }
    let ok = Regex::new(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
        .map(|re| re.is_match(value))
        .unwrap_or(false);
    if !ok {
        errs.push(DNS1123_SUBDOMAIN_ERR.to_string());
    }
    errs
}

fn validate_exemptions(ex: &Exemptions) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut check = |name: &str, items: &[String], validate: &dyn Fn(&str) -> Vec<String>| {
        let mut seen = HashSet::new();
        for (i, item) in items.iter().enumerate() {
            let path = format!("exemptions.{name}[{i}]");
            let problems = validate(item);
            if !problems.is_empty() {
                errs.push(FieldError::invalid(path, item, problems.join(", ")));
            } else if !seen.insert(item.as_str()) {
                errs.push(FieldError::duplicate(path, item));
            }
        }
    };
    check("namespaces", &ex.namespaces, &dns1123_label_errors);
    check(
        "runtimeClasses",
        &ex.runtime_classes,
        &dns1123_subdomain_errors,
    );
    check("usernames", &ex.usernames, &|u: &str| {
        if u.is_empty() {
            vec!["username must not be empty".to_string()]
        } else {
            Vec::new()
        }
    });
    errs
}

// ---------------------------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------------------------

/// A failed check: its succinct reason and (possibly empty) detail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckResult {
    /// E.g. `allowPrivilegeEscalation != false`.
    pub forbidden_reason: String,
    /// E.g. `container "x" must set securityContext.allowPrivilegeEscalation=false`.
    pub forbidden_detail: String,
}

impl CheckResult {
    fn new(reason: impl Into<String>, detail: impl Into<String>) -> Option<CheckResult> {
        Some(CheckResult {
            forbidden_reason: reason.into(),
            forbidden_detail: detail.into(),
        })
    }
}

/// Joins the reasons of failed checks: `host ports, privileged` (used for namespace warnings).
pub fn forbidden_reasons(results: &[CheckResult]) -> String {
    results
        .iter()
        .map(|r| r.forbidden_reason.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Joins reasons with their details: `reason1 (detail1), reason2 (detail2)`.
pub fn forbidden_detail(results: &[CheckResult]) -> String {
    results
        .iter()
        .map(|r| {
            if r.forbidden_detail.is_empty() {
                r.forbidden_reason.clone()
            } else {
                format!("{} ({})", r.forbidden_reason, r.forbidden_detail)
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Evaluates pod metadata and spec (JSON, API field names) against a level and version and
/// returns the failed checks in upstream order (baseline checks, then restricted checks, each
/// by check ID); empty when allowed. Versions newer than the newest check revision, and
/// `latest`, use the newest revisions.
pub fn check_pod(level: &LevelVersion, pod_metadata: &Value, pod_spec: &Value) -> Vec<CheckResult> {
    let minor = match level.version {
        Version::Latest => MAX_CHECK_MINOR,
        Version::MajorMinor(major, _) if major > 1 => MAX_CHECK_MINOR,
        Version::MajorMinor(1, minor) => minor.min(MAX_CHECK_MINOR),
        // Versions before v1.0 have no checks registered.
        Version::MajorMinor(_, _) => return Vec::new(),
    };
    let restricted = match level.level {
        Level::Privileged => return Vec::new(),
        Level::Baseline => false,
        Level::Restricted => true,
    };
    let meta = pod_metadata;
    let spec = pod_spec;
    let windows = is_windows(spec);

    let mut results = Vec::new();
    let mut push = |r: Option<CheckResult>| {
        if let Some(r) = r {
            results.push(r);
        }
    };

    // Baseline checks, by ID (overridden ones skipped at the restricted level).
    push(check_app_armor_profile(meta, spec));
    if !(restricted && minor >= 22) {
        push(check_capabilities_baseline(spec));
    }
    push(check_host_namespaces(spec));
    if !restricted {
        push(check_host_path_volumes(spec));
    }
    push(check_host_ports(spec));
    push(check_privileged(spec));
    push(check_proc_mount(spec));
    push(check_se_linux_options(spec, minor >= 31));
    if !(restricted && minor >= 19) {
        if minor >= 19 {
            push(check_seccomp_profile_baseline_fields(spec));
        } else {
            push(check_seccomp_profile_baseline_annotations(meta, spec));
        }
    }
    push(check_sysctls(spec, minor));
    push(check_windows_host_process(spec));

    if restricted {
        // Restricted checks, by ID.
        let windows_exempt = minor >= 25 && windows;
        if minor >= 8 && !windows_exempt {
            push(check_allow_privilege_escalation(spec));
        }
        if minor >= 22 && !windows_exempt {
            push(check_capabilities_restricted(spec));
        }
        push(check_restricted_volumes(spec));
        push(check_run_as_non_root(spec));
        if minor >= 23 {
            push(check_run_as_user(spec));
        }
        if minor >= 19 && !windows_exempt {
            push(check_seccomp_profile_restricted(spec));
        }
    }
    results
}

// JSON access helpers: absent and `null` are both "unset", like a nil pointer upstream.

fn field<'a>(v: Option<&'a Value>, key: &str) -> Option<&'a Value> {
    v?.get(key).filter(|x| !x.is_null())
}

fn field_bool(v: Option<&Value>, key: &str) -> Option<bool> {
    field(v, key).and_then(Value::as_bool)
}

fn field_str<'a>(v: Option<&'a Value>, key: &str) -> Option<&'a str> {
    field(v, key).and_then(Value::as_str)
}

fn items<'a>(v: Option<&'a Value>, key: &str) -> &'a [Value] {
    field(v, key)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

fn name_of(v: &Value) -> String {
    field_str(Some(v), "name").unwrap_or("").to_string()
}

/// Init containers, containers and ephemeral containers, in that order.
fn containers(spec: &Value) -> impl Iterator<Item = &Value> {
    ["initContainers", "containers", "ephemeralContainers"]
        .into_iter()
        .flat_map(move |k| items(Some(spec), k).iter())
}

fn is_windows(spec: &Value) -> bool {
    field_str(field(Some(spec), "os"), "name") == Some("windows")
}

fn pod_security_context(spec: &Value) -> Option<&Value> {
    field(Some(spec), "securityContext")
}

fn container_security_context(container: &Value) -> Option<&Value> {
    field(Some(container), "securityContext")
}

fn pluralize<'a>(singular: &'a str, plural: &'a str, count: usize) -> &'a str {
    if count == 1 { singular } else { plural }
}

fn join_quote<S: AsRef<str>>(items: &[S]) -> String {
    if items.is_empty() {
        return String::new();
    }
    let parts: Vec<&str> = items.iter().map(AsRef::as_ref).collect();
    format!("\"{}\"", parts.join("\", \""))
}

fn containers_phrase(names: &[String]) -> String {
    format!(
        "{} {}",
        pluralize("container", "containers", names.len()),
        join_quote(names)
    )
}

fn check_allow_privilege_escalation(spec: &Value) -> Option<CheckResult> {
    let bad: Vec<String> = containers(spec)
        .filter(|c| {
            field_bool(container_security_context(c), "allowPrivilegeEscalation") != Some(false)
        })
        .map(name_of)
        .collect();
    if bad.is_empty() {
        return None;
    }
    CheckResult::new(
        "allowPrivilegeEscalation != false",
        format!(
            "{} must set securityContext.allowPrivilegeEscalation=false",
            containers_phrase(&bad)
        ),
    )
}

fn check_app_armor_profile(meta: &Value, spec: &Value) -> Option<CheckResult> {
    let allowed_type = |t: &str| t == "RuntimeDefault" || t == "Localhost";
    let mut bad_setters: Vec<String> = Vec::new();
    let mut bad_values: BTreeSet<String> = BTreeSet::new();

    if let Some(profile) = field(pod_security_context(spec), "appArmorProfile") {
        let t = field_str(Some(profile), "type").unwrap_or("");
        if !allowed_type(t) {
            bad_setters.push("pod".to_string());
            bad_values.insert(t.to_string());
        }
    }
    let mut bad_containers = Vec::new();
    for c in containers(spec) {
        if let Some(profile) = field(container_security_context(c), "appArmorProfile") {
            let t = field_str(Some(profile), "type").unwrap_or("");
            if !allowed_type(t) {
                bad_containers.push(name_of(c));
                bad_values.insert(t.to_string());
            }
        }
    }
    if !bad_containers.is_empty() {
        bad_setters.push(containers_phrase(&bad_containers));
    }

    let mut forbidden_annotations: Vec<String> = Vec::new();
    if let Some(annotations) = field(Some(meta), "annotations").and_then(Value::as_object) {
        for (k, v) in annotations {
            let v = v.as_str().unwrap_or("");
            let allowed = v.is_empty() || v == "runtime/default" || v.starts_with("localhost/");
            if k.starts_with("container.apparmor.security.beta.kubernetes.io/") && !allowed {
                forbidden_annotations.push(format!("{k}={}", go_quote(v)));
            }
        }
    }
    let mut bad_value_list: Vec<String> = bad_values.into_iter().collect();
    if !forbidden_annotations.is_empty() {
        forbidden_annotations.sort();
        bad_setters
            .push(pluralize("annotation", "annotations", forbidden_annotations.len()).to_string());
        bad_value_list.extend(forbidden_annotations);
    }
    if bad_setters.is_empty() {
        return None;
    }
    CheckResult::new(
        pluralize(
            "forbidden AppArmor profile",
            "forbidden AppArmor profiles",
            bad_value_list.len(),
        ),
        format!(
            "{} must not set AppArmor profile type to {}",
            bad_setters.join(" and "),
            join_quote(&bad_value_list)
        ),
    )
}

const BASELINE_ALLOWED_CAPABILITIES: [&str; 13] = [
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

fn check_capabilities_baseline(spec: &Value) -> Option<CheckResult> {
    let mut bad_containers = Vec::new();
    let mut non_default: BTreeSet<String> = BTreeSet::new();
    for c in containers(spec) {
        let Some(caps) = field(container_security_context(c), "capabilities") else {
            continue;
        };
        let mut valid = true;
        for cap in items(Some(caps), "add") {
            let cap = cap.as_str().unwrap_or("");
            if !BASELINE_ALLOWED_CAPABILITIES.contains(&cap) {
                valid = false;
                non_default.insert(cap.to_string());
            }
        }
        if !valid {
            bad_containers.push(name_of(c));
        }
    }
    if bad_containers.is_empty() {
        return None;
    }
    let caps: Vec<String> = non_default.into_iter().collect();
    CheckResult::new(
        "non-default capabilities",
        format!(
            "{} must not include {} in securityContext.capabilities.add",
            containers_phrase(&bad_containers),
            join_quote(&caps)
        ),
    )
}

fn check_capabilities_restricted(spec: &Value) -> Option<CheckResult> {
    let mut missing_drop_all = Vec::new();
    let mut adding_forbidden = Vec::new();
    let mut forbidden_caps: BTreeSet<String> = BTreeSet::new();
    for c in containers(spec) {
        let Some(caps) = field(container_security_context(c), "capabilities") else {
            missing_drop_all.push(name_of(c));
            continue;
        };
        let dropped_all = items(Some(caps), "drop")
            .iter()
            .any(|d| d.as_str() == Some("ALL"));
        if !dropped_all {
            missing_drop_all.push(name_of(c));
        }
        let mut added_forbidden = false;
        for cap in items(Some(caps), "add") {
            let cap = cap.as_str().unwrap_or("");
            if cap != "NET_BIND_SERVICE" {
                added_forbidden = true;
                forbidden_caps.insert(cap.to_string());
            }
        }
        if added_forbidden {
            adding_forbidden.push(name_of(c));
        }
    }
    let mut details = Vec::new();
    if !missing_drop_all.is_empty() {
        details.push(format!(
            "{} must set securityContext.capabilities.drop=[\"ALL\"]",
            containers_phrase(&missing_drop_all)
        ));
    }
    if !adding_forbidden.is_empty() {
        let caps: Vec<String> = forbidden_caps.into_iter().collect();
        details.push(format!(
            "{} must not include {} in securityContext.capabilities.add",
            containers_phrase(&adding_forbidden),
            join_quote(&caps)
        ));
    }
    if details.is_empty() {
        return None;
    }
    CheckResult::new("unrestricted capabilities", details.join("; "))
}

fn check_host_namespaces(spec: &Value) -> Option<CheckResult> {
    let mut host = Vec::new();
    for (key, text) in [
        ("hostNetwork", "hostNetwork=true"),
        ("hostPID", "hostPID=true"),
        ("hostIPC", "hostIPC=true"),
    ] {
        if field_bool(Some(spec), key) == Some(true) {
            host.push(text);
        }
    }
    if host.is_empty() {
        return None;
    }
    CheckResult::new("host namespaces", host.join(", "))
}

fn check_host_path_volumes(spec: &Value) -> Option<CheckResult> {
    let host: Vec<String> = items(Some(spec), "volumes")
        .iter()
        .filter(|v| field(Some(v), "hostPath").is_some())
        .map(name_of)
        .collect();
    if host.is_empty() {
        return None;
    }
    CheckResult::new(
        "hostPath volumes",
        format!(
            "{} {}",
            pluralize("volume", "volumes", host.len()),
            join_quote(&host)
        ),
    )
}

fn check_host_ports(spec: &Value) -> Option<CheckResult> {
    let mut bad_containers = Vec::new();
    // Upstream keeps the ports as a string set, so they sort as strings.
    let mut ports: BTreeSet<String> = BTreeSet::new();
    for c in containers(spec) {
        let mut valid = true;
        for port in items(Some(c), "ports") {
            if let Some(hp) = field(Some(port), "hostPort").and_then(Value::as_i64)
                && hp != 0
            {
                valid = false;
                ports.insert(hp.to_string());
            }
        }
        if !valid {
            bad_containers.push(name_of(c));
        }
    }
    if bad_containers.is_empty() {
        return None;
    }
    let ports: Vec<String> = ports.into_iter().collect();
    CheckResult::new(
        "hostPort",
        format!(
            "{} {} {} {}",
            containers_phrase(&bad_containers),
            pluralize("uses", "use", bad_containers.len()),
            pluralize("hostPort", "hostPorts", ports.len()),
            ports.join(", ")
        ),
    )
}

fn check_privileged(spec: &Value) -> Option<CheckResult> {
    let bad: Vec<String> = containers(spec)
        .filter(|c| field_bool(container_security_context(c), "privileged") == Some(true))
        .map(name_of)
        .collect();
    if bad.is_empty() {
        return None;
    }
    CheckResult::new(
        "privileged",
        format!(
            "{} must not set securityContext.privileged=true",
            containers_phrase(&bad)
        ),
    )
}

fn check_proc_mount(spec: &Value) -> Option<CheckResult> {
    let mut bad = Vec::new();
    let mut types: BTreeSet<String> = BTreeSet::new();
    for c in containers(spec) {
        if let Some(pm) = field(container_security_context(c), "procMount") {
            let pm = pm.as_str().unwrap_or("");
            if pm != "Default" {
                bad.push(name_of(c));
                types.insert(pm.to_string());
            }
        }
    }
    if bad.is_empty() {
        return None;
    }
    let types: Vec<String> = types.into_iter().collect();
    CheckResult::new(
        "procMount",
        format!(
            "{} must not set securityContext.procMount to {}",
            containers_phrase(&bad),
            join_quote(&types)
        ),
    )
}

fn check_se_linux_options(spec: &Value, allow_container_engine_t: bool) -> Option<CheckResult> {
    let mut bad_types: BTreeSet<String> = BTreeSet::new();
    let mut set_user = false;
    let mut set_role = false;
    let mut valid = |opts: &Value| -> bool {
        let mut ok = true;
        let t = field_str(Some(opts), "type").unwrap_or("");
        let allowed = matches!(
            t,
            "" | "container_t" | "container_init_t" | "container_kvm_t"
        ) || (allow_container_engine_t && t == "container_engine_t");
        if !allowed {
            ok = false;
            bad_types.insert(t.to_string());
        }
        if !field_str(Some(opts), "user").unwrap_or("").is_empty() {
            ok = false;
            set_user = true;
        }
        if !field_str(Some(opts), "role").unwrap_or("").is_empty() {
            ok = false;
            set_role = true;
        }
        ok
    };

    let mut bad_setters = Vec::new();
    if let Some(opts) = field(pod_security_context(spec), "seLinuxOptions")
        && !valid(opts)
    {
        bad_setters.push("pod".to_string());
    }
    let mut bad_containers = Vec::new();
    for c in containers(spec) {
        if let Some(opts) = field(container_security_context(c), "seLinuxOptions")
            && !valid(opts)
        {
            bad_containers.push(name_of(c));
        }
    }
    if !bad_containers.is_empty() {
        bad_setters.push(containers_phrase(&bad_containers));
    }
    if bad_setters.is_empty() {
        return None;
    }
    let mut bad_data = Vec::new();
    if !bad_types.is_empty() {
        let types: Vec<String> = bad_types.into_iter().collect();
        bad_data.push(format!(
            "{} {}",
            pluralize("type", "types", types.len()),
            join_quote(&types)
        ));
    }
    if set_user {
        bad_data.push("user may not be set".to_string());
    }
    if set_role {
        bad_data.push("role may not be set".to_string());
    }
    CheckResult::new(
        "seLinuxOptions",
        format!(
            "{} set forbidden securityContext.seLinuxOptions: {}",
            bad_setters.join(" and "),
            bad_data.join("; ")
        ),
    )
}

const SECCOMP_POD_ANNOTATION: &str = "seccomp.security.alpha.kubernetes.io/pod";
const SECCOMP_CONTAINER_ANNOTATION_PREFIX: &str = "container.seccomp.security.alpha.kubernetes.io/";

fn valid_seccomp_type(t: &str) -> bool {
    t == "Localhost" || t == "RuntimeDefault"
}

fn check_seccomp_profile_baseline_annotations(meta: &Value, spec: &Value) -> Option<CheckResult> {
    let valid =
        |v: &str| v == "runtime/default" || v == "docker/default" || v.starts_with("localhost/");
    let annotations = field(Some(meta), "annotations");
    let mut forbidden: BTreeSet<String> = BTreeSet::new();
    let mut consider = |key: &str| {
        if let Some(v) = field(annotations, key) {
            let v = v.as_str().unwrap_or("");
            if !valid(v) {
                forbidden.insert(format!("{key}={}", go_quote(v)));
            }
        }
    };
    consider(SECCOMP_POD_ANNOTATION);
    for c in containers(spec) {
        consider(&format!(
            "{SECCOMP_CONTAINER_ANNOTATION_PREFIX}{}",
            name_of(c)
        ));
    }
    if forbidden.is_empty() {
        return None;
    }
    let list: Vec<String> = forbidden.into_iter().collect();
    CheckResult::new(
        "seccompProfile",
        format!(
            "forbidden {} {}",
            pluralize("annotation", "annotations", list.len()),
            list.join(", ")
        ),
    )
}

/// Shared by the baseline (v1.19+) and restricted seccomp checks: the setters and values that
/// explicitly set a bad profile type, and the containers relying on no valid pod profile.
struct SeccompFindings {
    bad_setters: Vec<String>,
    bad_values: BTreeSet<String>,
    implicitly_bad: Vec<String>,
}

fn seccomp_findings(spec: &Value) -> SeccompFindings {
    let mut bad_setters = Vec::new();
    let mut bad_values = BTreeSet::new();
    let mut pod_set = false;
    if let Some(profile) = field(pod_security_context(spec), "seccompProfile") {
        let t = field_str(Some(profile), "type").unwrap_or("");
        if valid_seccomp_type(t) {
            pod_set = true;
        } else {
            bad_setters.push("pod".to_string());
            bad_values.insert(t.to_string());
        }
    }
    let mut explicitly_bad = Vec::new();
    let mut implicitly_bad = Vec::new();
    for c in containers(spec) {
        match field(container_security_context(c), "seccompProfile") {
            Some(profile) => {
                let t = field_str(Some(profile), "type").unwrap_or("");
                if !valid_seccomp_type(t) {
                    explicitly_bad.push(name_of(c));
                    bad_values.insert(t.to_string());
                }
            }
            None if !pod_set => implicitly_bad.push(name_of(c)),
            None => {}
        }
    }
    if !explicitly_bad.is_empty() {
        bad_setters.push(containers_phrase(&explicitly_bad));
    }
    SeccompFindings {
        bad_setters,
        bad_values,
        implicitly_bad,
    }
}

fn seccomp_explicit_result(f: &SeccompFindings) -> Option<CheckResult> {
    if f.bad_setters.is_empty() {
        return None;
    }
    let values: Vec<&String> = f.bad_values.iter().collect();
    CheckResult::new(
        "seccompProfile",
        format!(
            "{} must not set securityContext.seccompProfile.type to {}",
            f.bad_setters.join(" and "),
            join_quote(&values)
        ),
    )
}

fn check_seccomp_profile_baseline_fields(spec: &Value) -> Option<CheckResult> {
    seccomp_explicit_result(&seccomp_findings(spec))
}

fn check_seccomp_profile_restricted(spec: &Value) -> Option<CheckResult> {
    let f = seccomp_findings(spec);
    if let Some(r) = seccomp_explicit_result(&f) {
        return Some(r);
    }
    if f.implicitly_bad.is_empty() {
        return None;
    }
    CheckResult::new(
        "seccompProfile",
        format!(
            "pod or {} must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\"",
            containers_phrase(&f.implicitly_bad)
        ),
    )
}

fn sysctl_allowed(name: &str, minor: u64) -> bool {
    const V1_0: [&str; 5] = [
        "kernel.shm_rmid_forced",
        "net.ipv4.ip_local_port_range",
        "net.ipv4.tcp_syncookies",
        "net.ipv4.ping_group_range",
        "net.ipv4.ip_unprivileged_port_start",
    ];
    const V1_27: [&str; 1] = ["net.ipv4.ip_local_reserved_ports"];
    const V1_29: [&str; 4] = [
        "net.ipv4.tcp_keepalive_time",
        "net.ipv4.tcp_fin_timeout",
        "net.ipv4.tcp_keepalive_intvl",
        "net.ipv4.tcp_keepalive_probes",
    ];
    const V1_32: [&str; 2] = ["net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"];
    V1_0.contains(&name)
        || (minor >= 27 && V1_27.contains(&name))
        || (minor >= 29 && V1_29.contains(&name))
        || (minor >= 32 && V1_32.contains(&name))
}

fn check_sysctls(spec: &Value, minor: u64) -> Option<CheckResult> {
    let forbidden: Vec<String> = items(pod_security_context(spec), "sysctls")
        .iter()
        .map(name_of)
        .filter(|n| !sysctl_allowed(n, minor))
        .collect();
    if forbidden.is_empty() {
        return None;
    }
    CheckResult::new("forbidden sysctls", forbidden.join(", "))
}

fn check_windows_host_process(spec: &Value) -> Option<CheckResult> {
    let host_process =
        |sc: Option<&Value>| field_bool(field(sc, "windowsOptions"), "hostProcess") == Some(true);
    let bad: Vec<String> = containers(spec)
        .filter(|c| host_process(container_security_context(c)))
        .map(name_of)
        .collect();
    let mut setters = Vec::new();
    if host_process(pod_security_context(spec)) {
        setters.push("pod".to_string());
    }
    if !bad.is_empty() {
        setters.push(containers_phrase(&bad));
    }
    if setters.is_empty() {
        return None;
    }
    CheckResult::new(
        "hostProcess",
        format!(
            "{} must not set securityContext.windowsOptions.hostProcess=true",
            setters.join(" and ")
        ),
    )
}

const ALLOWED_VOLUME_SOURCES: [&str; 9] = [
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "image",
    "persistentVolumeClaim",
    "projected",
    "secret",
];

const RESTRICTED_VOLUME_SOURCES: [&str; 21] = [
    "hostPath",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "nfs",
    "iscsi",
    "glusterfs",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "fc",
    "azureFile",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "portworxVolume",
    "scaleIO",
    "storageos",
];

fn check_restricted_volumes(spec: &Value) -> Option<CheckResult> {
    let mut bad = Vec::new();
    let mut types: BTreeSet<&str> = BTreeSet::new();
    for v in items(Some(spec), "volumes") {
        if ALLOWED_VOLUME_SOURCES
            .iter()
            .any(|k| field(Some(v), k).is_some())
        {
            continue;
        }
        // A volume naming none of the known sources is what API defaulting turns into an
        // `emptyDir` before admission runs, so it is allowed here as upstream sees it.
        let Some(t) = RESTRICTED_VOLUME_SOURCES
            .iter()
            .find(|k| field(Some(v), k).is_some())
            .copied()
        else {
            continue;
        };
        bad.push(name_of(v));
        types.insert(t);
    }
    if bad.is_empty() {
        return None;
    }
    let types: Vec<&str> = types.into_iter().collect();
    CheckResult::new(
        "restricted volume types",
        format!(
            "{} {} {} {} {}",
            pluralize("volume", "volumes", bad.len()),
            join_quote(&bad),
            pluralize("uses", "use", bad.len()),
            pluralize(
                "restricted volume type",
                "restricted volume types",
                types.len()
            ),
            join_quote(&types)
        ),
    )
}

fn check_run_as_non_root(spec: &Value) -> Option<CheckResult> {
    let mut bad_setters = Vec::new();
    let mut pod_non_root = false;
    match field_bool(pod_security_context(spec), "runAsNonRoot") {
        Some(true) => pod_non_root = true,
        Some(false) => bad_setters.push("pod".to_string()),
        None => {}
    }
    let mut explicitly_bad = Vec::new();
    let mut implicitly_bad = Vec::new();
    for c in containers(spec) {
        match field_bool(container_security_context(c), "runAsNonRoot") {
            Some(false) => explicitly_bad.push(name_of(c)),
            Some(true) => {}
            None if !pod_non_root => implicitly_bad.push(name_of(c)),
            None => {}
        }
    }
    if !explicitly_bad.is_empty() {
        bad_setters.push(containers_phrase(&explicitly_bad));
    }
    if !bad_setters.is_empty() {
        return CheckResult::new(
            "runAsNonRoot != true",
            format!(
                "{} must not set securityContext.runAsNonRoot=false",
                bad_setters.join(" and ")
            ),
        );
    }
    if !implicitly_bad.is_empty() {
        return CheckResult::new(
            "runAsNonRoot != true",
            format!(
                "pod or {} must set securityContext.runAsNonRoot=true",
                containers_phrase(&implicitly_bad)
            ),
        );
    }
    None
}

fn check_run_as_user(spec: &Value) -> Option<CheckResult> {
    let is_root = |sc: Option<&Value>| field(sc, "runAsUser").and_then(Value::as_i64) == Some(0);
    let mut bad_setters = Vec::new();
    if is_root(pod_security_context(spec)) {
        bad_setters.push("pod".to_string());
    }
    let bad: Vec<String> = containers(spec)
        .filter(|c| is_root(container_security_context(c)))
        .map(name_of)
        .collect();
    if !bad.is_empty() {
        bad_setters.push(containers_phrase(&bad));
    }
    if bad_setters.is_empty() {
        return None;
    }
    CheckResult::new(
        "runAsUser=0",
        format!("{} must not set runAsUser=0", bad_setters.join(" and ")),
    )
}

// ---------------------------------------------------------------------------------------------
// Admission of pods and pod controllers
// ---------------------------------------------------------------------------------------------

/// The admission operation (the plugin only handles creates and updates).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// A create.
    Create,
    /// An update (including patches).
    Update,
}

/// A request for a pod or a pod-template-bearing object.
#[derive(Debug, Clone, Copy)]
pub struct AdmissionRequest<'a> {
    /// API group of the object: `""`, `"apps"` or `"batch"`.
    pub group: &'a str,
    /// Kind: `Pod`, `PodTemplate`, `ReplicationController`, `ReplicaSet`, `Deployment`,
    /// `StatefulSet`, `DaemonSet`, `Job` or `CronJob`; other kinds are not evaluated.
    pub kind: &'a str,
    /// Namespace of the object.
    pub namespace: &'a str,
    /// Name of the object (empty when created with `generateName`).
    pub name: &'a str,
    /// The new object.
    pub object: &'a Value,
    /// The existing object, for updates.
    pub old_object: Option<&'a Value>,
    /// Create or update.
    pub operation: Operation,
    /// Subresource, empty for the main resource.
    pub subresource: &'a str,
    /// Name of the requesting user.
    pub username: &'a str,
}

/// The outcome of admission.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Decision {
    /// When denied: the full message of the `Forbidden` (403) status.
    pub deny: Option<String>,
    /// Warnings to return to the client (`Warning: 299` headers).
    pub warnings: Vec<String>,
    /// Audit annotations, full keys (`pod-security.kubernetes.io/...`), sorted by key.
    pub audit_annotations: Vec<(String, String)>,
}

impl Decision {
    fn allowed_with(annotations: &[(&str, String)]) -> Decision {
        Decision {
            audit_annotations: annotations
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
            ..Decision::default()
        }
    }
}

/// Subresources of pods that are never evaluated.
const IGNORED_POD_SUBRESOURCES: [&str; 8] = [
    "exec",
    "attach",
    "binding",
    "eviction",
    "log",
    "portforward",
    "proxy",
    "status",
];

/// Where the pod metadata and spec live in an object.
#[derive(Clone, Copy)]
enum Target {
    Pod,
    /// Path to a `PodTemplateSpec`; `optional` when upstream's field is a pointer.
    Template(&'static [&'static str], bool),
}

fn target_of(group: &str, kind: &str) -> Option<Target> {
    match (group, kind) {
        ("", "Pod") => Some(Target::Pod),
        ("", "PodTemplate") => Some(Target::Template(&["template"], false)),
        ("", "ReplicationController") => Some(Target::Template(&["spec", "template"], true)),
        ("apps", "ReplicaSet" | "Deployment" | "StatefulSet" | "DaemonSet") | ("batch", "Job") => {
            Some(Target::Template(&["spec", "template"], false))
        }
        ("batch", "CronJob") => Some(Target::Template(
            &["spec", "jobTemplate", "spec", "template"],
            false,
        )),
        _ => None,
    }
}

/// Whether Pod Security evaluates objects of this group and kind (pods and the built-in pod
/// controllers; namespaces are handled by [`validate_namespace`]).
pub fn applies_to(group: &str, kind: &str) -> bool {
    target_of(group, kind).is_some()
}

static NULL: Value = Value::Null;

/// Extracts `(metadata, spec)` of the pod (template) in an object of the given group/kind;
/// `None` if the kind is not evaluated or an optional template is absent.
pub fn extract_pod_spec<'a>(
    group: &str,
    kind: &str,
    object: &'a Value,
) -> Option<(&'a Value, &'a Value)> {
    match target_of(group, kind)? {
        Target::Pod => Some((
            object.get("metadata").unwrap_or(&NULL),
            object.get("spec").unwrap_or(&NULL),
        )),
        Target::Template(path, optional) => {
            let mut cur = Some(object);
            for key in path {
                cur = field(cur, key);
            }
            if cur.is_none() && optional {
                return None;
            }
            let template = cur.unwrap_or(&NULL);
            Some((
                template.get("metadata").unwrap_or(&NULL),
                template.get("spec").unwrap_or(&NULL),
            ))
        }
    }
}

/// Admits a pod or pod controller create/update like the upstream `PodSecurity` plugin.
///
/// `policy` and `policy_errors` come from [`policy_to_evaluate`] on the namespace labels.
/// Pods are enforced; controllers only get warnings and audit annotations. Denials carry the
/// upstream message `pods "name" is forbidden: violates PodSecurity "level:version": ...`.
pub fn admit(
    policy: &NamespacePolicy,
    policy_errors: &[FieldError],
    exemptions: &Exemptions,
    request: &AdmissionRequest<'_>,
) -> Decision {
    let Some(target) = target_of(request.group, request.kind) else {
        return Decision::default();
    };
    let is_pod = matches!(target, Target::Pod);

    if is_pod {
        if IGNORED_POD_SUBRESOURCES.contains(&request.subresource) {
            return Decision::default();
        }
    } else if !request.subresource.is_empty() {
        return Decision::default();
    }
    if exemptions.namespace_exempt(request.namespace) {
        return Decision::allowed_with(&[(EXEMPT_ANNOTATION, "namespace".to_string())]);
    }
    if exemptions.user_exempt(request.username) {
        return Decision::allowed_with(&[(EXEMPT_ANNOTATION, "user".to_string())]);
    }

    if is_pod {
        if policy_errors.is_empty() && policy.fully_privileged() {
            return Decision::allowed_with(&[(
                ENFORCE_POLICY_ANNOTATION,
                LevelVersion::privileged().to_string(),
            )]);
        }
        if request.operation == Operation::Update
            && let Some(old) = request.old_object
            && !is_significant_pod_update(request.object, old)
        {
            return Decision::default();
        }
    } else if policy_errors.is_empty()
        && policy.warn.level == Level::Privileged
        && policy.audit.level == Level::Privileged
    {
        return Decision::default();
    }

    let Some((meta, spec)) = extract_pod_spec(request.group, request.kind, request.object) else {
        return Decision::default();
    };
    evaluate_pod(
        policy,
        policy_errors,
        exemptions,
        meta,
        spec,
        request.name,
        is_pod,
    )
}

/// Evaluates pod metadata and spec against the namespace policy (upstream `EvaluatePod`);
/// `enforce` is true for pods and false for pod controllers.
pub fn evaluate_pod(
    policy: &NamespacePolicy,
    policy_errors: &[FieldError],
    exemptions: &Exemptions,
    pod_metadata: &Value,
    pod_spec: &Value,
    name: &str,
    enforce: bool,
) -> Decision {
    if exemptions.runtime_class_exempt(field_str(Some(pod_spec), "runtimeClassName")) {
        return Decision::allowed_with(&[(EXEMPT_ANNOTATION, "runtimeClass".to_string())]);
    }
    let mut annotations: BTreeMap<String, String> = BTreeMap::new();
    if !policy_errors.is_empty() {
        annotations.insert(
            ERROR_ANNOTATION.to_string(),
            format!(
                "Failed to parse policy: {}",
                aggregate_message(policy_errors)
            ),
        );
    }

    let mut cache: HashMap<LevelVersion, Vec<CheckResult>> = HashMap::new();
    let mut evaluate = |lv: LevelVersion| -> Vec<CheckResult> {
        cache
            .entry(lv)
            .or_insert_with(|| check_pod(&lv, pod_metadata, pod_spec))
            .clone()
    };

    let mut decision = Decision::default();
    if enforce {
        annotations.insert(
            ENFORCE_POLICY_ANNOTATION.to_string(),
            policy.enforce.to_string(),
        );
        let results = evaluate(policy.enforce);
        if !results.is_empty() {
            decision.deny = Some(forbidden_message(
                "pods",
                name,
                &format!(
                    "violates PodSecurity {}: {}",
                    go_quote(&policy.enforce.to_string()),
                    forbidden_detail(&results)
                ),
            ));
        }
    }

    let audit = evaluate(policy.audit);
    if !audit.is_empty() {
        annotations.insert(
            AUDIT_VIOLATIONS_ANNOTATION.to_string(),
            format!(
                "would violate PodSecurity {}: {}",
                go_quote(&policy.audit.to_string()),
                forbidden_detail(&audit)
            ),
        );
    }

    // No warnings on a request that is being rejected anyway.
    if decision.deny.is_none() {
        let warn = evaluate(policy.warn);
        if !warn.is_empty() {
            decision.warnings.push(format!(
                "would violate PodSecurity {}: {}",
                go_quote(&policy.warn.to_string()),
                forbidden_detail(&warn)
            ));
        }
    }
    decision.audit_annotations = annotations.into_iter().collect();
    decision
}

/// Upstream `NewForbidden` message: `<resource> "<name>" is forbidden: <msg>`, or
/// `<resource> is forbidden: <msg>` without a name.
fn forbidden_message(resource: &str, name: &str, msg: &str) -> String {
    if name.is_empty() {
        format!("{resource} is forbidden: {msg}")
    } else {
        format!("{resource} {} is forbidden: {msg}", go_quote(name))
    }
}

/// Whether a pod update can change the policy outcome: a changed number of (init) containers,
/// a changed image, or an added or re-imaged ephemeral container. Other mutable fields
/// (labels, annotations, tolerations, ...) do not trigger an evaluation.
pub fn is_significant_pod_update(pod: &Value, old_pod: &Value) -> bool {
    let spec = pod.get("spec");
    let old_spec = old_pod.get("spec");
    let image = |c: &Value| field_str(Some(c), "image").unwrap_or("").to_string();
    for key in ["containers", "initContainers"] {
        if items(spec, key).len() != items(old_spec, key).len() {
            return true;
        }
    }
    for key in ["containers", "initContainers"] {
        let changed = items(spec, key)
            .iter()
            .zip(items(old_spec, key))
            .any(|(c, o)| image(c) != image(o));
        if changed {
            return true;
        }
    }
    let old_ephemeral = items(old_spec, "ephemeralContainers");
    for c in items(spec, "ephemeralContainers") {
        let name = name_of(c);
        match old_ephemeral.iter().find(|o| name_of(o) == name) {
            None => return true,
            Some(o) if image(c) != image(o) => return true,
            Some(_) => {}
        }
    }
    false
}

// ---------------------------------------------------------------------------------------------
// Namespaces
// ---------------------------------------------------------------------------------------------

/// A namespace create or update.
#[derive(Debug, Clone, Copy)]
pub struct NamespaceRequest<'a> {
    /// Namespace name.
    pub name: &'a str,
    /// Create or update.
    pub operation: Operation,
    /// Subresource (`status`, `finalize`); any subresource is allowed unchecked.
    pub subresource: &'a str,
    /// Labels of the new namespace object.
    pub labels: &'a BTreeMap<String, String>,
    /// Labels of the existing namespace object, for updates (`None` is taken as no labels).
    pub old_labels: Option<&'a BTreeMap<String, String>>,
}

/// The outcome of a namespace validation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NamespaceDecision {
    /// When rejected: the full message of the `Invalid` (422) status,
    /// `Namespace "x" is invalid: metadata.labels[...]: Invalid value: ...`.
    pub invalid: Option<String>,
    /// The label errors behind `invalid` (the status causes).
    pub field_errors: Vec<FieldError>,
    /// Warnings to return to the client.
    pub warnings: Vec<String>,
}

/// Validates a namespace create/update like upstream `ValidateNamespace`: labels must be
/// valid (on update only if they changed their errors), and when the enforce level is
/// tightened the existing pods, obtained from `list_pods` only in that case, are checked
/// against it and the violations returned as warnings.
pub fn validate_namespace<F>(
    config: &PodSecurityConfiguration,
    request: &NamespaceRequest<'_>,
    list_pods: F,
) -> NamespaceDecision
where
    F: FnOnce() -> Result<Vec<Value>, String>,
{
    if !request.subresource.is_empty() {
        return NamespaceDecision::default();
    }
    let (new_policy, new_errs) = policy_to_evaluate(request.labels, &config.defaults);
    let invalid = |errs: Vec<FieldError>| NamespaceDecision {
        invalid: Some(format!(
            "Namespace {} is invalid: {}",
            go_quote(request.name),
            aggregate_message(&errs)
        )),
        field_errors: errs,
        warnings: Vec::new(),
    };
    let exempt_warning = || -> NamespaceDecision {
        let warning =
            exempt_namespace_warning(request.name, &new_policy, request.labels, &config.defaults);
        NamespaceDecision {
            warnings: warning.into_iter().collect(),
            ..NamespaceDecision::default()
        }
    };

    match request.operation {
        Operation::Create => {
            if !new_errs.is_empty() {
                return invalid(new_errs);
            }
            if config.exemptions.namespace_exempt(request.name) {
                return exempt_warning();
            }
            NamespaceDecision::default()
        }
        Operation::Update => {
            let empty = BTreeMap::new();
            let old_labels = request.old_labels.unwrap_or(&empty);
            let (old_policy, old_errs) = policy_to_evaluate(old_labels, &config.defaults);
            if !new_errs.is_empty() && (old_errs.is_empty() || new_errs != old_errs) {
                return invalid(new_errs);
            }
            if !enforce_tightened(&new_policy, &old_policy) {
                return NamespaceDecision::default();
            }
            if config.exemptions.namespace_exempt(request.name) {
                return exempt_warning();
            }
            let warnings = match list_pods() {
                Ok(pods) => evaluate_pods_in_namespace(
                    request.name,
                    &new_policy.enforce,
                    &pods,
                    &config.exemptions,
                ),
                Err(_) => {
                    vec![
                        "failed to list pods while checking new PodSecurity enforce level"
                            .to_string(),
                    ]
                }
            };
            NamespaceDecision {
                warnings,
                ..NamespaceDecision::default()
            }
        }
    }
}

/// Whether a change of the enforce policy needs the existing pods checked: not when it is
/// unchanged, when the new one is privileged, or when only the level was relaxed.
fn enforce_tightened(new_policy: &NamespacePolicy, old_policy: &NamespacePolicy) -> bool {
    let (new, old) = (new_policy.enforce, old_policy.enforce);
    if new == old || new.level == Level::Privileged {
        return false;
    }
    !(new.version == old.version && new.level <= old.level)
}

/// Warnings about existing pods for a namespace whose enforce policy changes from
/// `old_policy` to `new_policy`; empty when the change does not tighten enforcement.
/// (Exempt namespaces are handled by [`validate_namespace`].)
pub fn namespace_update_warnings(
    new_policy: &NamespacePolicy,
    old_policy: &NamespacePolicy,
    namespace: &str,
    pods: &[Value],
    exemptions: &Exemptions,
) -> Vec<String> {
    if !enforce_tightened(new_policy, old_policy) {
        return Vec::new();
    }
    evaluate_pods_in_namespace(namespace, &new_policy.enforce, pods, exemptions)
}

/// Checks existing pods against an enforce level (upstream `EvaluatePodsInNamespace`):
/// pods with exempt runtime classes are skipped, one pod per controller is checked before
/// further replicas, at most [`NAMESPACE_MAX_PODS_TO_CHECK`] pods are checked, and pods with
/// identical violations are grouped as `pod (and N other pods): reasons`.
pub fn evaluate_pods_in_namespace(
    namespace: &str,
    enforce: &LevelVersion,
    pods: &[Value],
    exemptions: &Exemptions,
) -> Vec<String> {
    let prioritized = prioritize_pods(pods, exemptions);
    let total = prioritized.len();
    let checked: Vec<&Value> = prioritized
        .into_iter()
        .take(NAMESPACE_MAX_PODS_TO_CHECK)
        .collect();

    // warning -> (lexically first pod name, pod count), in first-seen order.
    let mut order: Vec<String> = Vec::new();
    let mut counts: HashMap<String, (String, usize)> = HashMap::new();
    for pod in &checked {
        let meta = pod.get("metadata").unwrap_or(&NULL);
        let spec = pod.get("spec").unwrap_or(&NULL);
        let results = check_pod(enforce, meta, spec);
        if results.is_empty() {
            continue;
        }
        let warning = forbidden_reasons(&results);
        let name = field_str(Some(meta), "name").unwrap_or("").to_string();
        match counts.get_mut(&warning) {
            Some((first, count)) => {
                if name < *first {
                    *first = name;
                }
                *count += 1;
            }
            None => {
                order.push(warning.clone());
                counts.insert(warning, (name, 1));
            }
        }
    }

    let mut warnings = Vec::new();
    if checked.len() < total {
        warnings.push(format!(
            "new PodSecurity enforce level only checked against the first {} of {} existing pods",
            checked.len(),
            total
        ));
    }
    if !order.is_empty() {
        warnings.push(format!(
            "existing pods in namespace {} violate the new PodSecurity enforce level {}",
            go_quote(namespace),
            go_quote(&enforce.to_string())
        ));
    }
    let mut pod_warnings: Vec<String> = order
        .into_iter()
        .map(|w| {
            let (name, count) = counts.get(&w).cloned().unwrap_or_default();
            match count {
                0 => w,
                1 => format!("{name}: {w}"),
                2 => format!("{name} (and 1 other pod): {w}"),
                n => format!("{name} (and {} other pods): {w}", n - 1),
            }
        })
        .collect();
    pod_warnings.sort();
    warnings.extend(pod_warnings);
    warnings
}

/// Drops runtime-class-exempt pods and moves all but the first pod of each controller to the
/// end.
fn prioritize_pods<'a>(pods: &'a [Value], exemptions: &Exemptions) -> Vec<&'a Value> {
    let mut prioritized = Vec::new();
    let mut replicas = Vec::new();
    let mut seen_controllers: HashSet<String> = HashSet::new();
    for pod in pods {
        let spec = pod.get("spec");
        if exemptions.runtime_class_exempt(field_str(spec, "runtimeClassName")) {
            continue;
        }
        let controller_uid = items(pod.get("metadata"), "ownerReferences")
            .iter()
            .find(|r| field_bool(Some(r), "controller") == Some(true))
            .map(|r| field_str(Some(r), "uid").unwrap_or("").to_string());
        match controller_uid {
            None => prioritized.push(pod),
            Some(uid) => {
                if seen_controllers.insert(uid) {
                    prioritized.push(pod);
                } else {
                    replicas.push(pod);
                }
            }
        }
    }
    prioritized.extend(replicas);
    prioritized
}

/// Warning for an exempt namespace that sets a non-privileged policy differing from the
/// defaults, listing the explicitly labelled non-privileged modes.
fn exempt_namespace_warning(
    namespace: &str,
    policy: &NamespacePolicy,
    labels: &BTreeMap<String, String>,
    defaults: &NamespacePolicy,
) -> Option<String> {
    if policy.fully_privileged() || policy.equivalent(defaults) {
        return None;
    }
    let mut parts = Vec::new();
    for (mode, lv, level_label, version_label) in [
        (
            "enforce",
            &policy.enforce,
            ENFORCE_LEVEL_LABEL,
            ENFORCE_VERSION_LABEL,
        ),
        (
            "audit",
            &policy.audit,
            AUDIT_LEVEL_LABEL,
            AUDIT_VERSION_LABEL,
        ),
        ("warn", &policy.warn, WARN_LEVEL_LABEL, WARN_VERSION_LABEL),
    ] {
        let labelled = labels.contains_key(level_label) || labels.contains_key(version_label);
        if lv.level != Level::Privileged && labelled {
            parts.push(format!("{mode}={lv}"));
        }
    }
    Some(format!(
        "namespace {} is exempt from Pod Security, and the policy ({}) will be ignored",
        go_quote(namespace),
        parts.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn lv(level: Level, version: Version) -> LevelVersion {
        LevelVersion::new(level, version)
    }
    fn latest(level: Level) -> LevelVersion {
        lv(level, Version::Latest)
    }
    fn v(minor: u64) -> Version {
        Version::MajorMinor(1, minor)
    }
    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }
    fn check(level: LevelVersion, pod: &Value) -> Vec<CheckResult> {
        check_pod(
            &level,
            pod.get("metadata").unwrap_or(&NULL),
            pod.get("spec").unwrap_or(&NULL),
        )
    }
    fn details(level: LevelVersion, pod: &Value) -> String {
        forbidden_detail(&check(level, pod))
    }

    /// upstream test fixture: minimal pod valid for restricted:v1.22+
    fn restricted_pod() -> Value {
        json!({
            "metadata": {"name": "restricted"},
            "spec": {
                "securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
                "initContainers": [{"name": "initcontainer1", "image": "registry.k8s.io/pause",
                    "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}}],
                "containers": [{"name": "container1", "image": "registry.k8s.io/pause",
                    "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}}]
            }
        })
    }

    fn baseline_pod() -> Value {
        json!({
            "metadata": {"name": "baseline"},
            "spec": {
                "initContainers": [{"name": "initcontainer1", "image": "registry.k8s.io/pause"}],
                "containers": [{"name": "container1", "image": "registry.k8s.io/pause"}]
            }
        })
    }

    fn nginx() -> Value {
        json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "nginx", "namespace": "default"},
            "spec": {"containers": [{"name": "nginx", "image": "nginx"}]}
        })
    }

    fn with(mut pod: Value, pointer: &str, value: Value) -> Value {
        // creates intermediate objects as needed
        let mut cur = &mut pod;
        let parts: Vec<&str> = pointer.trim_start_matches('/').split('/').collect();
        for (i, part) in parts.iter().enumerate() {
            let last = i == parts.len() - 1;
            if let Ok(idx) = part.parse::<usize>() {
                cur = &mut cur[idx];
            } else if last {
                cur[*part] = value.clone();
                return pod;
            } else {
                if cur.get(*part).is_none() {
                    cur[*part] = json!({});
                }
                cur = &mut cur[*part];
            }
        }
        pod
    }

    fn assert_fails(level: LevelVersion, pod: &Value, reason: &str, detail: &str) {
        let results = check(level, pod);
        assert!(
            results
                .iter()
                .any(|r| r.forbidden_reason == reason && r.forbidden_detail == detail),
            "expected {reason} ({detail}) at {level}, got {results:?}"
        );
    }

    fn assert_passes(level: LevelVersion, pod: &Value) {
        let results = check(level, pod);
        assert!(
            results.is_empty(),
            "expected {level} to pass, got {results:?}"
        );
    }

    // ---- labels and versions ----

    #[test]
    fn parse_versions() {
        assert_eq!(Version::parse("latest"), Ok(Version::Latest));
        assert_eq!(Version::parse("v1.0"), Ok(v(0)));
        assert_eq!(Version::parse("v1.25"), Ok(v(25)));
        for bad in [
            "v1.01", "1.25", "v2.0", "v1.", "v1.x", "Latest", "v1.-1", "",
        ] {
            assert_eq!(
                Version::parse(bad),
                Err(r#"must be "latest" or "v1.x""#.to_string()),
                "{bad}"
            );
        }
        assert_eq!(latest(Level::Restricted).to_string(), "restricted:latest");
        assert_eq!(lv(Level::Baseline, v(22)).to_string(), "baseline:v1.22");
    }

    #[test]
    fn policy_from_labels_and_defaults() {
        let defaults = NamespacePolicy::default();
        assert_eq!(
            namespace_policy(&BTreeMap::new(), &defaults),
            Ok(NamespacePolicy::default())
        );

        // warn follows a stricter enforce (and its version) unless labelled
        let p = namespace_policy(
            &labels(&[
                (ENFORCE_LEVEL_LABEL, "restricted"),
                (ENFORCE_VERSION_LABEL, "v1.24"),
            ]),
            &defaults,
        )
        .unwrap();
        assert_eq!(p.enforce, lv(Level::Restricted, v(24)));
        assert_eq!(p.warn, lv(Level::Restricted, v(24)));
        assert_eq!(p.audit, LevelVersion::privileged());

        let p = namespace_policy(
            &labels(&[
                (ENFORCE_LEVEL_LABEL, "restricted"),
                (ENFORCE_VERSION_LABEL, "v1.24"),
                (WARN_VERSION_LABEL, "v1.20"),
            ]),
            &defaults,
        )
        .unwrap();
        assert_eq!(p.warn, lv(Level::Restricted, v(20)));

        let p = namespace_policy(
            &labels(&[
                (ENFORCE_LEVEL_LABEL, "restricted"),
                (WARN_LEVEL_LABEL, "baseline"),
            ]),
            &defaults,
        )
        .unwrap();
        assert_eq!(p.warn, latest(Level::Baseline));
    }

    #[test]
    fn invalid_labels() {
        let defaults = NamespacePolicy::default();
        let l = labels(&[
            (ENFORCE_LEVEL_LABEL, "unknown"),
            (AUDIT_LEVEL_LABEL, "bogus"),
            (WARN_VERSION_LABEL, "v1.x"),
        ]);
        let (p, errs) = policy_to_evaluate(&l, &defaults);
        // enforce fails closed, audit fails open, invalid version is latest, warn does not
        // follow an invalid enforce level
        assert_eq!(p.enforce, latest(Level::Restricted));
        assert_eq!(p.audit, LevelVersion::privileged());
        assert_eq!(p.warn, LevelVersion::privileged());
        let msgs: Vec<String> = errs.iter().map(ToString::to_string).collect();
        assert_eq!(
            msgs,
            vec![
                r#"metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "unknown": must be one of privileged, baseline, restricted"#,
                r#"metadata.labels[pod-security.kubernetes.io/audit]: Invalid value: "bogus": must be one of privileged, baseline, restricted"#,
                r#"metadata.labels[pod-security.kubernetes.io/warn-version]: Invalid value: "v1.x": must be "latest" or "v1.x""#,
            ]
        );
        assert_eq!(namespace_policy(&l, &defaults), Err(msgs));
    }

    #[test]
    fn configuration() {
        let cfg = PodSecurityConfiguration::from_value(Some(&json!({
            "apiVersion": "pod-security.admission.config.k8s.io/v1",
            "kind": "PodSecurityConfiguration",
            "defaults": {"enforce": "baseline", "enforce-version": "v1.30", "warn": "restricted"},
            "exemptions": {"usernames": ["admin"], "namespaces": ["kube-system"], "runtimeClasses": ["kata"]}
        })))
        .unwrap();
        assert_eq!(cfg.defaults.enforce, lv(Level::Baseline, v(30)));
        assert_eq!(cfg.defaults.warn, latest(Level::Restricted));
        assert_eq!(cfg.defaults.audit, LevelVersion::privileged());
        assert!(cfg.exemptions.user_exempt("admin"));
        assert!(cfg.exemptions.namespace_exempt("kube-system"));
        assert!(cfg.exemptions.runtime_class_exempt(Some("kata")));
        assert!(!cfg.exemptions.runtime_class_exempt(Some("")));

        assert_eq!(
            PodSecurityConfiguration::from_value(None),
            Ok(PodSecurityConfiguration::default())
        );
        let err = PodSecurityConfiguration::from_value(Some(&json!({
            "apiVersion": "pod-security.admission.config.k8s.io/v1beta1",
            "kind": "PodSecurityConfiguration",
            "defaults": {"audit": "strict"},
            "exemptions": {"namespaces": ["ok", "ok", "Bad"], "usernames": [""]}
        })))
        .unwrap_err();
        assert!(err.starts_with(r#"[defaults.audit: Invalid value: "strict": must be one of privileged, baseline, restricted, exemptions.namespaces[1]: Duplicate value: "ok", exemptions.namespaces[2]: Invalid value: "Bad": a lowercase RFC 1123 label"#), "{err}");
        assert!(
            err.ends_with(
                r#"exemptions.usernames[0]: Invalid value: "": username must not be empty]"#
            ),
            "{err}"
        );
    }

    // ---- individual checks ----

    #[test]
    fn fixtures_pass() {
        for minor in [0, 8, 19, 22, 23, 25, 31, 32, 33] {
            assert_passes(lv(Level::Baseline, v(minor)), &baseline_pod());
            assert_passes(lv(Level::Restricted, v(minor)), &restricted_pod());
        }
        assert_passes(latest(Level::Restricted), &restricted_pod());
        assert_passes(
            latest(Level::Privileged),
            &with(nginx(), "/spec/hostPID", json!(true)),
        );
    }

    #[test]
    fn check_allow_privilege_escalation() {
        let r = latest(Level::Restricted);
        let pod = with(
            restricted_pod(),
            "/spec/containers/0/securityContext/allowPrivilegeEscalation",
            json!(true),
        );
        assert_fails(
            r,
            &pod,
            "allowPrivilegeEscalation != false",
            r#"container "container1" must set securityContext.allowPrivilegeEscalation=false"#,
        );
        let pod = json!({"spec": {"containers": [{"name": "a"}, {"name": "b", "securityContext": {}}, {"name": "c", "securityContext": {"allowPrivilegeEscalation": true}}, {"name": "d", "securityContext": {"allowPrivilegeEscalation": false}}]}});
        assert_eq!(
            check(r, &pod)[0].forbidden_detail,
            r#"containers "a", "b", "c" must set securityContext.allowPrivilegeEscalation=false"#
        );
        // not checked before v1.8; windows pods exempt from v1.25
        assert_passes(
            lv(Level::Restricted, v(7)),
            &with(
                restricted_pod(),
                "/spec/containers/0/securityContext/allowPrivilegeEscalation",
                json!(true),
            ),
        );
        let win = json!({"spec": {"os": {"name": "windows"}, "securityContext": {"runAsNonRoot": true}, "containers": [{"name": "a"}]}});
        assert_passes(r, &win);
        assert_fails(
            lv(Level::Restricted, v(24)),
            &win,
            "allowPrivilegeEscalation != false",
            r#"container "a" must set securityContext.allowPrivilegeEscalation=false"#,
        );
    }

    #[test]
    fn check_app_armor() {
        let b = latest(Level::Baseline);
        assert_passes(
            b,
            &with(
                baseline_pod(),
                "/spec/securityContext/appArmorProfile",
                json!({"type": "RuntimeDefault"}),
            ),
        );
        assert_passes(
            b,
            &with(
                baseline_pod(),
                "/spec/containers/0/securityContext/appArmorProfile",
                json!({"type": "Localhost", "localhostProfile": "x"}),
            ),
        );
        assert_fails(
            b,
            &with(
                baseline_pod(),
                "/spec/securityContext/appArmorProfile",
                json!({"type": "Unconfined"}),
            ),
            "forbidden AppArmor profile",
            r#"pod must not set AppArmor profile type to "Unconfined""#,
        );
        assert_fails(
            b,
            &with(
                baseline_pod(),
                "/spec/initContainers/0/securityContext/appArmorProfile",
                json!({"type": "Unconfined"}),
            ),
            "forbidden AppArmor profile",
            r#"container "initcontainer1" must not set AppArmor profile type to "Unconfined""#,
        );
        let pod = json!({"metadata": {"annotations": {
            "container.apparmor.security.beta.kubernetes.io/": "bogus",
            "container.apparmor.security.beta.kubernetes.io/a": "",
            "container.apparmor.security.beta.kubernetes.io/b": "runtime/default",
            "container.apparmor.security.beta.kubernetes.io/c": "localhost/",
            "container.apparmor.security.beta.kubernetes.io/d": "localhost/foo",
            "container.apparmor.security.beta.kubernetes.io/e": "unconfined",
            "container.apparmor.security.beta.kubernetes.io/f": "unknown"}}});
        assert_fails(
            lv(Level::Baseline, v(0)),
            &pod,
            "forbidden AppArmor profiles",
            r#"annotations must not set AppArmor profile type to "container.apparmor.security.beta.kubernetes.io/="bogus"", "container.apparmor.security.beta.kubernetes.io/e="unconfined"", "container.apparmor.security.beta.kubernetes.io/f="unknown"""#,
        );
    }

    #[test]
    fn check_capabilities() {
        let b = latest(Level::Baseline);
        assert_passes(
            b,
            &with(
                baseline_pod(),
                "/spec/containers/0/securityContext/capabilities",
                json!({"add": ["NET_BIND_SERVICE", "CHOWN", "SYS_CHROOT"]}),
            ),
        );
        let pod = json!({"spec": {"containers": [
            {"name": "a", "securityContext": {"capabilities": {"add": ["FOO", "BAR"]}}},
            {"name": "b", "securityContext": {"capabilities": {"add": ["BAR", "BAZ"]}}},
            {"name": "c", "securityContext": {"capabilities": {"add": ["CHOWN"]}}}]}});
        assert_fails(
            b,
            &pod,
            "non-default capabilities",
            r#"containers "a", "b" must not include "BAR", "BAZ", "FOO" in securityContext.capabilities.add"#,
        );

        let r = latest(Level::Restricted);
        let pod = json!({"spec": {"containers": [
            {"name": "a", "securityContext": {"capabilities": {"add": ["FOO", "BAR"]}}},
            {"name": "b", "securityContext": {"capabilities": {"add": ["BAR", "BAZ"], "drop": ["NET_RAW"]}}},
            {"name": "c", "securityContext": {"capabilities": {"add": ["NET_BIND_SERVICE", "CHOWN"], "drop": ["ALL", "FOO"]}}},
            {"name": "d", "securityContext": {"capabilities": {"add": ["NET_BIND_SERVICE"], "drop": ["ALL"]}}}]}});
        assert_fails(
            r,
            &pod,
            "unrestricted capabilities",
            r#"containers "a", "b" must set securityContext.capabilities.drop=["ALL"]; containers "a", "b", "c" must not include "BAR", "BAZ", "CHOWN", "FOO" in securityContext.capabilities.add"#,
        );
        // adding NET_BIND_SERVICE with drop ALL is allowed at restricted
        assert_passes(
            r,
            &with(
                restricted_pod(),
                "/spec/containers/0/securityContext/capabilities/add",
                json!(["NET_BIND_SERVICE"]),
            ),
        );
        // before v1.22 restricted applies the baseline capabilities check instead
        let no_drop = json!({"spec": {"securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
            "containers": [{"name": "a", "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"add": ["CHOWN"]}}}]}});
        assert_passes(lv(Level::Restricted, v(21)), &no_drop);
        assert_fails(
            lv(Level::Restricted, v(22)),
            &no_drop,
            "unrestricted capabilities",
            r#"container "a" must set securityContext.capabilities.drop=["ALL"]; container "a" must not include "CHOWN" in securityContext.capabilities.add"#,
        );
        let sys_admin = with(
            no_drop.clone(),
            "/spec/containers/0/securityContext/capabilities/add",
            json!(["SYS_ADMIN"]),
        );
        assert_fails(
            lv(Level::Restricted, v(21)),
            &sys_admin,
            "non-default capabilities",
            r#"container "a" must not include "SYS_ADMIN" in securityContext.capabilities.add"#,
        );
    }

    #[test]
    fn check_host_namespaces_and_volumes_and_ports() {
        let b = latest(Level::Baseline);
        let pod = with(
            with(
                with(baseline_pod(), "/spec/hostNetwork", json!(true)),
                "/spec/hostPID",
                json!(true),
            ),
            "/spec/hostIPC",
            json!(true),
        );
        assert_fails(
            b,
            &pod,
            "host namespaces",
            "hostNetwork=true, hostPID=true, hostIPC=true",
        );
        assert_passes(b, &with(baseline_pod(), "/spec/hostNetwork", json!(false)));

        let pod = json!({"spec": {"volumes": [{"name": "a", "hostPath": {"path": "/a"}}, {"name": "b", "hostPath": {"path": "/b"}}, {"name": "c", "emptyDir": {}}]}});
        assert_fails(b, &pod, "hostPath volumes", r#"volumes "a", "b""#);
        assert_passes(
            b,
            &json!({"spec": {"volumes": [{"name": "c", "nfs": {"server": "x", "path": "/"}}]}}),
        );

        let pod = json!({"spec": {"containers": [
            {"name": "a", "ports": [{"containerPort": 80}]},
            {"name": "b", "ports": [{"containerPort": 80, "hostPort": 20}]}]}});
        assert_fails(b, &pod, "hostPort", r#"container "b" uses hostPort 20"#);
        let pod = json!({"spec": {"containers": [
            {"name": "a", "ports": [{"hostPort": 0}]},
            {"name": "b", "ports": [{"hostPort": 10}, {"hostPort": 20}]},
            {"name": "c", "ports": [{"hostPort": 30}]}]}});
        assert_fails(
            b,
            &pod,
            "hostPort",
            r#"containers "b", "c" use hostPorts 10, 20, 30"#,
        );
    }

    #[test]
    fn check_privileged_and_proc_mount() {
        let b = latest(Level::Baseline);
        let pod = json!({"spec": {"containers": [
            {"name": "a"}, {"name": "b", "securityContext": {}}, {"name": "c", "securityContext": {"privileged": false}},
            {"name": "d", "securityContext": {"privileged": true}}], "ephemeralContainers": [{"name": "e", "securityContext": {"privileged": true}}]}});
        assert_fails(
            b,
            &pod,
            "privileged",
            r#"containers "d", "e" must not set securityContext.privileged=true"#,
        );
        assert_passes(
            b,
            &with(
                baseline_pod(),
                "/spec/containers/0/securityContext/privileged",
                json!(false),
            ),
        );

        let pod = json!({"spec": {"hostUsers": false, "containers": [
            {"name": "a"}, {"name": "c", "securityContext": {"procMount": "Default"}},
            {"name": "d", "securityContext": {"procMount": "Unmasked"}}, {"name": "e", "securityContext": {"procMount": "other"}}]}});
        assert_fails(
            b,
            &pod,
            "procMount",
            r#"containers "d", "e" must not set securityContext.procMount to "Unmasked", "other""#,
        );
        assert_passes(
            b,
            &with(
                baseline_pod(),
                "/spec/containers/0/securityContext/procMount",
                json!("Default"),
            ),
        );
    }

    #[test]
    fn check_se_linux() {
        let b = latest(Level::Baseline);
        let pod = json!({"spec": {
            "securityContext": {"seLinuxOptions": {"type": "foo", "user": "u", "role": "r"}},
            "containers": [{"name": "a", "securityContext": {"seLinuxOptions": {"type": "container_t", "level": "s0:c1"}}},
                {"name": "e", "securityContext": {"seLinuxOptions": {"type": "bar"}}}],
            "initContainers": [{"name": "f", "securityContext": {"seLinuxOptions": {"user": "x"}}}]}});
        assert_fails(
            b,
            &pod,
            "seLinuxOptions",
            r#"pod and containers "f", "e" set forbidden securityContext.seLinuxOptions: types "bar", "foo"; user may not be set; role may not be set"#,
        );
        assert_fails(
            b,
            &json!({"spec": {"securityContext": {"seLinuxOptions": {"role": "r"}}}}),
            "seLinuxOptions",
            "pod set forbidden securityContext.seLinuxOptions: role may not be set",
        );
        // container_engine_t allowed from v1.31
        let engine = with(
            baseline_pod(),
            "/spec/securityContext/seLinuxOptions",
            json!({"type": "container_engine_t"}),
        );
        assert_passes(b, &engine);
        assert_passes(lv(Level::Baseline, v(31)), &engine);
        assert_fails(
            lv(Level::Baseline, v(30)),
            &engine,
            "seLinuxOptions",
            r#"pod set forbidden securityContext.seLinuxOptions: type "container_engine_t""#,
        );
    }

    #[test]
    fn check_seccomp() {
        // baseline v1.19+: fields
        let b = latest(Level::Baseline);
        assert_fails(
            b,
            &with(
                baseline_pod(),
                "/spec/securityContext/seccompProfile",
                json!({"type": "Unconfined"}),
            ),
            "seccompProfile",
            r#"pod must not set securityContext.seccompProfile.type to "Unconfined""#,
        );
        let pod = json!({"spec": {"securityContext": {"seccompProfile": {"type": "Unconfined"}}, "containers": [
            {"name": "a", "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}}},
            {"name": "c", "securityContext": {"seccompProfile": {"type": "Unconfined"}}},
            {"name": "d", "securityContext": {"seccompProfile": {"type": "Unconfined"}}}]}});
        assert_fails(
            b,
            &pod,
            "seccompProfile",
            r#"pod and containers "c", "d" must not set securityContext.seccompProfile.type to "Unconfined""#,
        );
        assert_passes(
            b,
            &with(
                baseline_pod(),
                "/spec/securityContext/seccompProfile",
                json!({"type": "Localhost", "localhostProfile": "p"}),
            ),
        );

        // baseline before v1.19: annotations
        let annotated = json!({"metadata": {"annotations": {
            "seccomp.security.alpha.kubernetes.io/pod": "unconfined",
            "container.seccomp.security.alpha.kubernetes.io/a": "unconfined",
            "container.seccomp.security.alpha.kubernetes.io/b": "unknown",
            "container.seccomp.security.alpha.kubernetes.io/c": "localhost/x"}},
            "spec": {"containers": [{"name": "a"}, {"name": "b"}, {"name": "c"}]}});
        assert_fails(
            lv(Level::Baseline, v(18)),
            &annotated,
            "seccompProfile",
            r#"forbidden annotations container.seccomp.security.alpha.kubernetes.io/a="unconfined", container.seccomp.security.alpha.kubernetes.io/b="unknown", seccomp.security.alpha.kubernetes.io/pod="unconfined""#,
        );
        assert_passes(lv(Level::Baseline, v(19)), &annotated);
        assert_passes(
            lv(Level::Baseline, v(18)),
            &json!({"metadata": {"annotations": {"seccomp.security.alpha.kubernetes.io/pod": "docker/default"}}}),
        );

        // restricted
        let r = latest(Level::Restricted);
        let pod = json!({"spec": {"containers": [{"name": "a"}, {"name": "b"}]}});
        assert_fails(
            r,
            &pod,
            "seccompProfile",
            r#"pod or containers "a", "b" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost""#,
        );
        let pod = json!({"spec": {"containers": [{"name": "a", "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}}}]}});
        assert!(
            check(r, &pod)
                .iter()
                .all(|c| c.forbidden_reason != "seccompProfile")
        );
        let pod = json!({"spec": {"securityContext": {"seccompProfile": {"type": "RuntimeDefault"}}, "containers": [
            {"name": "c", "securityContext": {"seccompProfile": {"type": "Unconfined"}}}, {"name": "d", "securityContext": {"seccompProfile": {"type": "Unconfined"}}}]}});
        assert_fails(
            r,
            &pod,
            "seccompProfile",
            r#"containers "c", "d" must not set securityContext.seccompProfile.type to "Unconfined""#,
        );
        // restricted before v1.19 uses the baseline annotation check
        let no_seccomp = json!({"spec": {"securityContext": {"runAsNonRoot": true}, "containers": [{"name": "a", "securityContext": {"allowPrivilegeEscalation": false}}]}});
        assert_passes(lv(Level::Restricted, v(18)), &no_seccomp);
        assert_fails(
            lv(Level::Restricted, v(19)),
            &no_seccomp,
            "seccompProfile",
            r#"pod or container "a" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost""#,
        );
    }

    #[test]
    fn check_sysctls_by_version() {
        let pod = |names: &[&str]| {
            let s: Vec<Value> = names
                .iter()
                .map(|n| json!({"name": n, "value": "1"}))
                .collect();
            json!({"spec": {"securityContext": {"sysctls": s}}})
        };
        assert_fails(
            latest(Level::Baseline),
            &pod(&["a", "kernel.shm_rmid_forced", "b"]),
            "forbidden sysctls",
            "a, b",
        );
        assert_passes(
            latest(Level::Baseline),
            &pod(&["net.ipv4.ip_unprivileged_port_start", "net.ipv4.tcp_rmem"]),
        );
        let reserved = pod(&["net.ipv4.ip_local_reserved_ports"]);
        assert_fails(
            lv(Level::Baseline, v(26)),
            &reserved,
            "forbidden sysctls",
            "net.ipv4.ip_local_reserved_ports",
        );
        assert_passes(lv(Level::Baseline, v(27)), &reserved);
        let keepalive = pod(&["net.ipv4.tcp_keepalive_time"]);
        assert_fails(
            lv(Level::Baseline, v(28)),
            &keepalive,
            "forbidden sysctls",
            "net.ipv4.tcp_keepalive_time",
        );
        assert_passes(lv(Level::Baseline, v(29)), &keepalive);
        let wmem = pod(&["net.ipv4.tcp_wmem"]);
        assert_fails(
            lv(Level::Baseline, v(31)),
            &wmem,
            "forbidden sysctls",
            "net.ipv4.tcp_wmem",
        );
        assert_passes(lv(Level::Baseline, v(32)), &wmem);
        assert_passes(lv(Level::Baseline, v(40)), &wmem);
    }

    #[test]
    fn check_windows_host_process() {
        let pod = json!({"spec": {"securityContext": {"windowsOptions": {"hostProcess": true}}, "containers": [
            {"name": "a"}, {"name": "b", "securityContext": {"windowsOptions": {}}}, {"name": "c", "securityContext": {"windowsOptions": {"hostProcess": false}}},
            {"name": "e", "securityContext": {"windowsOptions": {"hostProcess": true}}}, {"name": "f", "securityContext": {"windowsOptions": {"hostProcess": true}}}]}});
        assert_fails(
            latest(Level::Baseline),
            &pod,
            "hostProcess",
            r#"pod and containers "e", "f" must not set securityContext.windowsOptions.hostProcess=true"#,
        );
        assert_passes(
            latest(Level::Baseline),
            &with(
                baseline_pod(),
                "/spec/securityContext/windowsOptions",
                json!({"hostProcess": false}),
            ),
        );
    }

    #[test]
    fn check_restricted_volumes() {
        let mut vols: Vec<Value> = ALLOWED_VOLUME_SOURCES
            .iter()
            .enumerate()
            .map(|(i, k)| json!({"name": format!("a{}", i + 1), *k: {}}))
            .collect();
        for (i, k) in RESTRICTED_VOLUME_SOURCES.iter().enumerate() {
            vols.push(json!({"name": format!("b{}", i + 1), *k: {}}));
        }
        // a volume without a source is defaulted to emptyDir upstream before admission
        vols.push(json!({"name": "c1"}));
        let pod = json!({"spec": {"volumes": vols}});
        assert_fails(
            latest(Level::Restricted),
            &pod,
            "restricted volume types",
            concat!(
                r#"volumes "b1", "b2", "b3", "b4", "b5", "b6", "b7", "b8", "b9", "b10", "b11", "b12", "b13", "b14", "b15", "b16", "b17", "b18", "b19", "b20", "b21""#,
                r#" use restricted volume types "awsElasticBlockStore", "azureDisk", "azureFile", "cephfs", "cinder", "fc", "flexVolume", "flocker", "gcePersistentDisk", "gitRepo", "glusterfs", "#,
                r#""hostPath", "iscsi", "nfs", "photonPersistentDisk", "portworxVolume", "quobyte", "rbd", "scaleIO", "storageos", "vsphereVolume""#
            ),
        );
        // the restricted volume check replaces the baseline hostPath check
        let host = with(
            restricted_pod(),
            "/spec/volumes",
            json!([{"name": "h", "hostPath": {"path": "/"}}]),
        );
        let results = check(latest(Level::Restricted), &host);
        assert_eq!(
            results,
            vec![CheckResult {
                forbidden_reason: "restricted volume types".into(),
                forbidden_detail: r#"volume "h" uses restricted volume type "hostPath""#.into()
            }]
        );
        let ok = with(
            restricted_pod(),
            "/spec/volumes",
            json!([{"name": "p", "persistentVolumeClaim": {"claimName": "x"}}, {"name": "i", "image": {"reference": "x"}}]),
        );
        assert_passes(latest(Level::Restricted), &ok);
    }

    #[test]
    fn check_run_as_non_root_and_user() {
        let r = latest(Level::Restricted);
        let pod = json!({"spec": {"containers": [{"name": "a"}]}});
        assert_fails(
            r,
            &pod,
            "runAsNonRoot != true",
            r#"pod or container "a" must set securityContext.runAsNonRoot=true"#,
        );
        let pod = json!({"spec": {"securityContext": {"runAsNonRoot": false}, "containers": [{"name": "a"}]}});
        assert_fails(
            r,
            &pod,
            "runAsNonRoot != true",
            "pod must not set securityContext.runAsNonRoot=false",
        );
        let pod = json!({"spec": {"securityContext": {"runAsNonRoot": true}, "containers": [
            {"name": "a"}, {"name": "b", "securityContext": {"runAsNonRoot": true}},
            {"name": "c", "securityContext": {"runAsNonRoot": false}}, {"name": "d", "securityContext": {"runAsNonRoot": false}}]}});
        assert_fails(
            r,
            &pod,
            "runAsNonRoot != true",
            r#"containers "c", "d" must not set securityContext.runAsNonRoot=false"#,
        );
        let pod = json!({"spec": {"containers": [{"name": "a", "securityContext": {"runAsNonRoot": true}}]}});
        assert!(
            check(r, &pod)
                .iter()
                .all(|c| c.forbidden_reason != "runAsNonRoot != true")
        );

        let root = with(
            restricted_pod(),
            "/spec/securityContext/runAsUser",
            json!(0),
        );
        assert_fails(r, &root, "runAsUser=0", "pod must not set runAsUser=0");
        let pod = with(
            with(
                restricted_pod(),
                "/spec/containers/0/securityContext/runAsUser",
                json!(0),
            ),
            "/spec/initContainers/0/securityContext/runAsUser",
            json!(0),
        );
        assert_fails(
            r,
            &pod,
            "runAsUser=0",
            r#"containers "initcontainer1", "container1" must not set runAsUser=0"#,
        );
        assert_passes(
            r,
            &with(
                restricted_pod(),
                "/spec/securityContext/runAsUser",
                json!(1000),
            ),
        );
        // runAsUser is only checked from v1.23
        assert_passes(lv(Level::Restricted, v(22)), &root);
    }

    #[test]
    fn restricted_version_differences() {
        // a windows pod without the linux-only fields: only restricted:latest (v1.25+) admits it
        let win = json!({"spec": {"os": {"name": "windows"}, "securityContext": {"runAsNonRoot": true}, "containers": [{"name": "w", "image": "x"}]}});
        assert_passes(latest(Level::Restricted), &win);
        assert_eq!(
            details(lv(Level::Restricted, v(22)), &win),
            r#"allowPrivilegeEscalation != false (container "w" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "w" must set securityContext.capabilities.drop=["ALL"]), seccompProfile (pod or container "w" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")"#
        );
        // v1.0: only runAsNonRoot and volume restrictions on top of baseline
        assert_eq!(
            details(lv(Level::Restricted, v(0)), &nginx()),
            r#"runAsNonRoot != true (pod or container "nginx" must set securityContext.runAsNonRoot=true)"#
        );
        // versions above the newest check revision behave like latest
        assert_eq!(
            check(lv(Level::Restricted, v(99)), &nginx()),
            check(latest(Level::Restricted), &nginx())
        );
    }

    // ---- admission ----

    fn request<'a>(kind: &'a str, group: &'a str, object: &'a Value) -> AdmissionRequest<'a> {
        AdmissionRequest {
            group,
            kind,
            namespace: "ns",
            name: object["metadata"]["name"].as_str().unwrap_or(""),
            object,
            old_object: None,
            operation: Operation::Create,
            subresource: "",
            username: "alice",
        }
    }

    fn policy(pairs: &[(&str, &str)]) -> (NamespacePolicy, Vec<FieldError>) {
        policy_to_evaluate(&labels(pairs), &NamespacePolicy::default())
    }

    #[test]
    fn nginx_against_restricted() {
        let (p, errs) = policy(&[(ENFORCE_LEVEL_LABEL, "restricted")]);
        let pod = nginx();
        let d = admit(&p, &errs, &Exemptions::default(), &request("Pod", "", &pod));
        assert_eq!(
            d.deny.as_deref(),
            Some(
                r#"pods "nginx" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "nginx" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "nginx" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "nginx" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "nginx" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")"#
            )
        );
        // no warnings on a denied request; enforce policy is recorded
        assert!(d.warnings.is_empty());
        assert_eq!(
            d.audit_annotations,
            vec![(
                ENFORCE_POLICY_ANNOTATION.to_string(),
                "restricted:latest".to_string()
            )]
        );

        // generateName: no name in the message
        let mut unnamed = nginx();
        unnamed["metadata"].as_object_mut().unwrap().remove("name");
        let d = admit(
            &p,
            &errs,
            &Exemptions::default(),
            &request("Pod", "", &unnamed),
        );
        assert!(
            d.deny
                .unwrap()
                .starts_with(r#"pods is forbidden: violates PodSecurity "restricted:latest": "#)
        );
    }

    #[test]
    fn privileged_pod_against_baseline() {
        let (p, errs) = policy(&[
            (ENFORCE_LEVEL_LABEL, "baseline"),
            (AUDIT_LEVEL_LABEL, "restricted"),
            (WARN_LEVEL_LABEL, "restricted"),
        ]);
        let pod = json!({"metadata": {"name": "priv"}, "spec": {"hostNetwork": true, "containers": [
            {"name": "c", "image": "busybox", "securityContext": {"privileged": true}, "ports": [{"containerPort": 80, "hostPort": 80}]}],
            "volumes": [{"name": "root", "hostPath": {"path": "/"}}]}});
        let d = admit(&p, &errs, &Exemptions::default(), &request("Pod", "", &pod));
        assert_eq!(
            d.deny.as_deref(),
            Some(
                r#"pods "priv" is forbidden: violates PodSecurity "baseline:latest": host namespaces (hostNetwork=true), hostPath volumes (volume "root"), hostPort (container "c" uses hostPort 80), privileged (container "c" must not set securityContext.privileged=true)"#
            )
        );
        assert_eq!(
            d.audit_annotations,
            vec![
                (AUDIT_VIOLATIONS_ANNOTATION.to_string(), r#"would violate PodSecurity "restricted:latest": host namespaces (hostNetwork=true), hostPort (container "c" uses hostPort 80), privileged (container "c" must not set securityContext.privileged=true), allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "c" must set securityContext.capabilities.drop=["ALL"]), restricted volume types (volume "root" uses restricted volume type "hostPath"), runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")"#.to_string()),
                (ENFORCE_POLICY_ANNOTATION.to_string(), "baseline:latest".to_string()),
            ]
        );
        assert!(d.warnings.is_empty());
    }

    #[test]
    fn warnings_for_pods_and_deployments() {
        let (p, errs) = policy(&[
            (WARN_LEVEL_LABEL, "restricted"),
            (WARN_VERSION_LABEL, "v1.22"),
        ]);
        let pod = nginx();
        let d = admit(&p, &errs, &Exemptions::default(), &request("Pod", "", &pod));
        assert_eq!(d.deny, None);
        assert_eq!(d.warnings, vec![r#"would violate PodSecurity "restricted:v1.22": allowPrivilegeEscalation != false (container "nginx" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "nginx" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "nginx" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "nginx" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")"#.to_string()]);
        assert_eq!(
            d.audit_annotations,
            vec![(
                ENFORCE_POLICY_ANNOTATION.to_string(),
                "privileged:latest".to_string()
            )]
        );

        // Deployments are never denied; warn and audit still apply
        let (p, errs) = policy(&[(ENFORCE_LEVEL_LABEL, "restricted")]);
        let deploy = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
            "spec": {"template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "nginx", "image": "nginx"}]}}}});
        let d = admit(
            &p,
            &errs,
            &Exemptions::default(),
            &request("Deployment", "apps", &deploy),
        );
        assert_eq!(d.deny, None);
        assert_eq!(d.warnings, vec![r#"would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "nginx" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "nginx" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "nginx" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "nginx" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")"#.to_string()]);
        assert!(d.audit_annotations.is_empty());

        // CronJob template location; audit annotation for controllers
        let (p, errs) = policy(&[(AUDIT_LEVEL_LABEL, "baseline")]);
        let cj = json!({"metadata": {"name": "cj"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": {"hostPID": true, "containers": [{"name": "c"}]}}}}}});
        let d = admit(
            &p,
            &errs,
            &Exemptions::default(),
            &request("CronJob", "batch", &cj),
        );
        assert_eq!(
            d.audit_annotations,
            vec![(
                AUDIT_VIOLATIONS_ANNOTATION.to_string(),
                r#"would violate PodSecurity "baseline:latest": host namespaces (hostPID=true)"#
                    .to_string()
            )]
        );
        assert!(d.warnings.is_empty());

        // a Deployment with an empty template passes; unknown kinds and subresources are skipped
        let (p, errs) = policy(&[(ENFORCE_LEVEL_LABEL, "restricted")]);
        let empty = json!({"metadata": {"name": "e"}, "spec": {}});
        assert_eq!(
            admit(
                &p,
                &errs,
                &Exemptions::default(),
                &request("Deployment", "apps", &empty)
            ),
            Decision::default()
        );
        assert_eq!(
            admit(
                &p,
                &errs,
                &Exemptions::default(),
                &request("Deployment", "example.com", &deploy)
            ),
            Decision::default()
        );
        let mut scale = request("Deployment", "apps", &deploy);
        scale.subresource = "scale";
        assert_eq!(
            admit(&p, &errs, &Exemptions::default(), &scale),
            Decision::default()
        );
    }

    #[test]
    fn exemptions_and_shortcuts() {
        let (p, errs) = policy(&[(ENFORCE_LEVEL_LABEL, "restricted")]);
        let ex = Exemptions {
            usernames: vec!["admin".into()],
            namespaces: vec!["kube-system".into()],
            runtime_classes: vec!["kata".into()],
        };
        let pod = nginx();
        let mut req = request("Pod", "", &pod);
        req.username = "admin";
        assert_eq!(
            admit(&p, &errs, &ex, &req).audit_annotations,
            vec![(EXEMPT_ANNOTATION.to_string(), "user".to_string())]
        );
        let mut req = request("Pod", "", &pod);
        req.namespace = "kube-system";
        assert_eq!(
            admit(&p, &errs, &ex, &req).audit_annotations,
            vec![(EXEMPT_ANNOTATION.to_string(), "namespace".to_string())]
        );
        let kata = with(nginx(), "/spec/runtimeClassName", json!("kata"));
        let d = admit(&p, &errs, &ex, &request("Pod", "", &kata));
        assert_eq!(d.deny, None);
        assert_eq!(
            d.audit_annotations,
            vec![(EXEMPT_ANNOTATION.to_string(), "runtimeClass".to_string())]
        );

        // ignored subresources; ephemeralcontainers is evaluated
        let mut req = request("Pod", "", &pod);
        req.subresource = "status";
        assert_eq!(admit(&p, &errs, &ex, &req), Decision::default());
        req.subresource = "ephemeralcontainers";
        assert!(admit(&p, &errs, &ex, &req).deny.is_some());

        // fully privileged namespace
        let (pp, perrs) = policy(&[]);
        assert_eq!(
            admit(&pp, &perrs, &ex, &request("Pod", "", &pod)).audit_annotations,
            vec![(
                ENFORCE_POLICY_ANNOTATION.to_string(),
                "privileged:latest".to_string()
            )]
        );
    }

    #[test]
    fn invalid_namespace_labels_fail_closed() {
        let (p, errs) = policy(&[(ENFORCE_LEVEL_LABEL, "not-a-valid-level")]);
        let pod = baseline_pod();
        let d = admit(&p, &errs, &Exemptions::default(), &request("Pod", "", &pod));
        assert!(d.deny.unwrap().starts_with(
            r#"pods "baseline" is forbidden: violates PodSecurity "restricted:latest": "#
        ));
        assert!(d.audit_annotations.contains(&(
            ERROR_ANNOTATION.to_string(),
            r#"Failed to parse policy: metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "not-a-valid-level": must be one of privileged, baseline, restricted"#.to_string()
        )));
        // audit/warn errors on a controller still evaluate (and fail open)
        let (p, errs) = policy(&[(WARN_LEVEL_LABEL, "x")]);
        let d = admit(
            &p,
            &errs,
            &Exemptions::default(),
            &request(
                "ReplicaSet",
                "apps",
                &json!({"spec": {"template": {"spec": {}}}}),
            ),
        );
        assert_eq!(d.audit_annotations.len(), 1);
        assert_eq!(d.audit_annotations[0].0, ERROR_ANNOTATION);
    }

    #[test]
    fn pod_updates() {
        let (p, errs) = policy(&[(ENFORCE_LEVEL_LABEL, "restricted")]);
        let old = with(
            nginx(),
            "/spec/containers/0/securityContext",
            json!({"privileged": true}),
        );
        // metadata/toleration changes are not evaluated
        let mut new = with(
            old.clone(),
            "/spec/tolerations",
            json!([{"operator": "Exists"}]),
        );
        new["metadata"]["labels"] = json!({"a": "b"});
        let mut req = request("Pod", "", &new);
        req.operation = Operation::Update;
        req.old_object = Some(&old);
        assert_eq!(
            admit(&p, &errs, &Exemptions::default(), &req),
            Decision::default()
        );
        // an image change is
        let new = with(old.clone(), "/spec/containers/0/image", json!("nginx:2"));
        let mut req = request("Pod", "", &new);
        req.operation = Operation::Update;
        req.old_object = Some(&old);
        assert!(
            admit(&p, &errs, &Exemptions::default(), &req)
                .deny
                .is_some()
        );
        // so is an added ephemeral container
        let new = with(
            old.clone(),
            "/spec/ephemeralContainers",
            json!([{"name": "debug", "image": "busybox"}]),
        );
        assert!(is_significant_pod_update(&new, &old));
        assert!(!is_significant_pod_update(&new, &new));
        assert!(is_significant_pod_update(
            &with(old.clone(), "/spec/initContainers", json!([{"name": "i"}])),
            &old
        ));
    }

    // ---- namespaces ----

    fn ns_pod(name: &str, spec: Value) -> Value {
        json!({"metadata": {"name": name}, "spec": spec})
    }

    #[test]
    fn namespace_label_validation() {
        let cfg = PodSecurityConfiguration::default();
        let bad = labels(&[(ENFORCE_LEVEL_LABEL, "unknown")]);
        let req = NamespaceRequest {
            name: "test",
            operation: Operation::Create,
            subresource: "",
            labels: &bad,
            old_labels: None,
        };
        let d = validate_namespace(&cfg, &req, || Ok(vec![]));
        assert_eq!(
            d.invalid.as_deref(),
            Some(
                r#"Namespace "test" is invalid: metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "unknown": must be one of privileged, baseline, restricted"#
            )
        );

        let bad2 = labels(&[
            (ENFORCE_LEVEL_LABEL, "privileged"),
            (ENFORCE_VERSION_LABEL, "unknown"),
            (AUDIT_LEVEL_LABEL, "x"),
        ]);
        let req = NamespaceRequest {
            labels: &bad2,
            ..req
        };
        assert_eq!(
            validate_namespace(&cfg, &req, || Ok(vec![]))
                .invalid
                .as_deref(),
            Some(
                r#"Namespace "test" is invalid: [metadata.labels[pod-security.kubernetes.io/enforce-version]: Invalid value: "unknown": must be "latest" or "v1.x", metadata.labels[pod-security.kubernetes.io/audit]: Invalid value: "x": must be one of privileged, baseline, restricted]"#
            )
        );

        // unchanged invalid labels are tolerated on update; newly invalid ones are not
        let req = NamespaceRequest {
            name: "test",
            operation: Operation::Update,
            subresource: "",
            labels: &bad,
            old_labels: Some(&bad),
        };
        assert_eq!(
            validate_namespace(&cfg, &req, || Ok(vec![])),
            NamespaceDecision::default()
        );
        let good = labels(&[(ENFORCE_LEVEL_LABEL, "restricted")]);
        let req = NamespaceRequest {
            old_labels: Some(&good),
            ..req
        };
        assert!(
            validate_namespace(&cfg, &req, || Ok(vec![]))
                .invalid
                .is_some()
        );
        // subresources are not checked
        let req = NamespaceRequest {
            subresource: "status",
            ..req
        };
        assert_eq!(
            validate_namespace(&cfg, &req, || Ok(vec![])),
            NamespaceDecision::default()
        );
    }

    #[test]
    fn namespace_enforce_tightening() {
        let cfg = PodSecurityConfiguration::default();
        let restricted = labels(&[(ENFORCE_LEVEL_LABEL, "restricted")]);
        let baseline = labels(&[(ENFORCE_LEVEL_LABEL, "baseline")]);
        let pods = vec![
            nginx(),
            ns_pod("web-2", json!({"containers": [{"name": "web"}]})),
            ns_pod("web-1", json!({"containers": [{"name": "web"}]})),
            ns_pod(
                "host",
                json!({"hostNetwork": true, "securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}}, "containers": [{"name": "c", "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}}]}),
            ),
            restricted_pod(),
        ];
        let req = NamespaceRequest {
            name: "test",
            operation: Operation::Update,
            subresource: "",
            labels: &restricted,
            old_labels: Some(&baseline),
        };
        let d = validate_namespace(&cfg, &req, || Ok(pods.clone()));
        assert_eq!(d.warnings, vec![
            r#"existing pods in namespace "test" violate the new PodSecurity enforce level "restricted:latest""#.to_string(),
            "host: host namespaces".to_string(),
            "nginx (and 2 other pods): allowPrivilegeEscalation != false, unrestricted capabilities, runAsNonRoot != true, seccompProfile".to_string(),
        ]);

        // relaxing, or moving to privileged, does not list pods
        let req = NamespaceRequest {
            labels: &baseline,
            old_labels: Some(&restricted),
            ..req
        };
        assert_eq!(
            validate_namespace(&cfg, &req, || panic!("must not list")),
            NamespaceDecision::default()
        );
        let none = BTreeMap::new();
        let req = NamespaceRequest {
            labels: &none,
            ..req
        };
        assert_eq!(
            validate_namespace(&cfg, &req, || panic!("must not list")),
            NamespaceDecision::default()
        );
        // a version change with a lower level is still checked
        let pinned = labels(&[
            (ENFORCE_LEVEL_LABEL, "baseline"),
            (ENFORCE_VERSION_LABEL, "v1.0"),
        ]);
        let p_new = namespace_policy(&pinned, &cfg.defaults).unwrap();
        let p_old = namespace_policy(&restricted, &cfg.defaults).unwrap();
        assert_eq!(namespace_update_warnings(&p_new, &p_old, "test", &pods, &cfg.exemptions), vec![
            r#"existing pods in namespace "test" violate the new PodSecurity enforce level "baseline:v1.0""#.to_string(),
            "host: host namespaces".to_string(),
        ]);
        // listing failure
        let req = NamespaceRequest {
            labels: &restricted,
            old_labels: Some(&baseline),
            ..req
        };
        assert_eq!(
            validate_namespace(&cfg, &req, || Err("boom".into())).warnings,
            vec!["failed to list pods while checking new PodSecurity enforce level".to_string()]
        );
    }

    #[test]
    fn namespace_pod_prioritization_and_cap() {
        let ex = Exemptions {
            runtime_classes: vec!["runtimeclass1".into()],
            ..Exemptions::default()
        };
        let mut pods = Vec::new();
        for i in 1..=3 {
            pods.push(ns_pod(
                &format!("exemptpod{i}"),
                json!({"runtimeClassName": "runtimeclass1", "hostPID": true}),
            ));
        }
        for i in 1..=3 {
            let mut p = ns_pod(&format!("rs1pod{i}"), json!({"hostIPC": true}));
            p["metadata"]["ownerReferences"] =
                json!([{"uid": "1", "controller": true, "kind": "ReplicaSet", "name": "rs1"}]);
            pods.push(p);
        }
        pods.push(ns_pod(
            "unique",
            json!({"containers": [{"name": "c", "securityContext": {"privileged": true}}]}),
        ));
        let w = evaluate_pods_in_namespace("test", &latest(Level::Baseline), &pods, &ex);
        assert_eq!(w, vec![
            r#"existing pods in namespace "test" violate the new PodSecurity enforce level "baseline:latest""#.to_string(),
            "rs1pod1 (and 2 other pods): host namespaces".to_string(),
            "unique: privileged".to_string(),
        ]);

        let many: Vec<Value> = (0..NAMESPACE_MAX_PODS_TO_CHECK + 2)
            .map(|i| ns_pod(&format!("p{i:04}"), json!({"hostPID": true})))
            .collect();
        let w = evaluate_pods_in_namespace(
            "test",
            &latest(Level::Baseline),
            &many,
            &Exemptions::default(),
        );
        assert_eq!(
            w[0],
            "new PodSecurity enforce level only checked against the first 3000 of 3002 existing pods"
        );
        assert_eq!(w[2], "p0000 (and 2999 other pods): host namespaces");
    }

    #[test]
    fn exempt_namespace_warnings() {
        let cfg = PodSecurityConfiguration {
            exemptions: Exemptions {
                namespaces: vec!["test".into()],
                ..Exemptions::default()
            },
            ..PodSecurityConfiguration::default()
        };
        let l = labels(&[(ENFORCE_LEVEL_LABEL, "restricted")]);
        let req = NamespaceRequest {
            name: "test",
            operation: Operation::Create,
            subresource: "",
            labels: &l,
            old_labels: None,
        };
        assert_eq!(validate_namespace(&cfg, &req, || Ok(vec![])).warnings, vec![r#"namespace "test" is exempt from Pod Security, and the policy (enforce=restricted:latest) will be ignored"#.to_string()]);

        let l = labels(&[
            (ENFORCE_LEVEL_LABEL, "restricted"),
            (ENFORCE_VERSION_LABEL, "v1.0"),
            (AUDIT_LEVEL_LABEL, "restricted"),
            (WARN_LEVEL_LABEL, "baseline"),
        ]);
        let empty = BTreeMap::new();
        let req = NamespaceRequest {
            name: "test",
            operation: Operation::Update,
            subresource: "",
            labels: &l,
            old_labels: Some(&empty),
        };
        assert_eq!(validate_namespace(&cfg, &req, || panic!("must not list")).warnings, vec![r#"namespace "test" is exempt from Pod Security, and the policy (enforce=restricted:v1.0, audit=restricted:latest, warn=baseline:latest) will be ignored"#.to_string()]);
    }

    #[test]
    fn go_quoting() {
        assert_eq!(go_quote("a\"b\\c\n\u{1}é"), r#""a\"b\\c\n\x01é""#);
    }
}
