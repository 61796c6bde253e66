//! Upstream validation, on objects as JSON (`serde_json::Value`) in their external (v1) form,
//! after defaulting (see [`crate::defaults`]).
//!
//! The rules and the message texts follow upstream 1.33 (`pkg/apis/*/validation`, apimachinery's
//! `util/validation` and `api/validation`), so clients see the same `Invalid` statuses:
//! `Pod "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123
//! subdomain must consist of ...`. Where upstream validates its internal form, the field paths
//! are upstream's (e.g. an autoscaling/v1 `targetCPUUtilizationPercentage` is reported at
//! `spec.metrics[0]...`, an events.k8s.io `note` at `message`), quirks included.
//!
//! Validated: object metadata (create and update) for every kind, and
//! - core: Pod (spec, containers, volumes, probes, resources, tolerations, pod and container
//!   security contexts, sysctls, seccomp/AppArmor profiles, Windows options and host-process
//!   pods, OS-specific fields, user namespaces, affinity, topology spread constraints, updates),
//!   PodTemplate, ReplicationController, Service, ConfigMap, Secret, Namespace, Node,
//!   PersistentVolumeClaim, PersistentVolume (including source and node-affinity immutability),
//!   Endpoints, Event (core/v1 and events.k8s.io/v1, each in its served form), ServiceAccount,
//!   LimitRange, ResourceQuota (scopes and scope selectors, immutable scopes);
//! - apps: Deployment, ReplicaSet, StatefulSet, DaemonSet, ControllerRevision; batch: Job,
//!   CronJob; autoscaling: HorizontalPodAutoscaler (v1 and v2, metrics and behavior); policy:
//!   PodDisruptionBudget; discovery.k8s.io: EndpointSlice; networking.k8s.io: Ingress,
//!   IngressClass, NetworkPolicy; scheduling.k8s.io: PriorityClass (reserved `system-` names,
//!   immutable value); storage.k8s.io: StorageClass, CSIDriver, CSINode, VolumeAttachment;
//!   coordination.k8s.io: Lease; rbac.authorization.k8s.io: roles and bindings.
//!
//! Not validated (or approximated):
//! - status subresources; ephemeral containers; pod-level resources, resource claims, DNS
//!   config details, host aliases, readiness gates; pod volume sources beyond their presence
//!   and a few common ones (hostPath, nfs, secret, configMap, persistentVolumeClaim, csi,
//!   image); PersistentVolume sources other than hostPath, nfs, local and csi beyond counting;
//! - feature-gated fields that are off by default in 1.33 (e.g. CSIDriver
//!   `nodeAllocatableUpdatePeriodSeconds`, HPA scale-to-zero, volume attributes classes),
//!   EndpointSlice `forNodes` hints;
//! - the leniencies upstream keeps on update for objects stored while older, looser rules
//!   applied (invalid label values in selectors, Ingress secret names, NetworkPolicy CIDRs);
//! - privileged containers are allowed (`--allow-privileged=true`); `runAsNonRoot` and
//!   `seLinuxOptions` contents are not checked (upstream leaves them to the kubelet);
//! - values upstream prints with Go's `%#v` are rendered approximately: structs holding
//!   pointers print as `core.SecurityContext{...}`, and `resource.Quantity` values (LimitRange
//!   comparisons, integer quantities, HPA targets) print as their quoted canonical string.
//!
//! Nothing here panics on malformed input: a field of the wrong JSON type is reported as an
//! invalid value (upstream rejects those earlier, when decoding).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::net::{IpAddr, Ipv4Addr};

use serde_json::{Map, Value};

use crate::defaults::{QUANTITY_FORMAT_ERROR, Quantity, group_of, quantity_of};

type Obj = Map<String, Value>;

// ---------------------------------------------------------------------------------------------
// Field errors (upstream's field.Error)

/// One field error, as upstream's `field.Error`.
///
/// `value` is the bad value already rendered as upstream prints it (`%q` for strings, bare
/// numbers, `map[string]string{...}` for label maps); None when upstream omits the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub kind: FieldErrorKind,
    pub field: String,
    pub value: Option<String>,
    pub detail: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldErrorKind {
    Required,
    Invalid,
    Duplicate,
    NotSupported,
    Forbidden,
    TooLong,
    TooMany,
    NotFound,
}

impl FieldErrorKind {
    /// The `StatusCause` reason (`metav1.CauseType`).
    pub fn reason(&self) -> &'static str {
        match self {
            FieldErrorKind::Required => "FieldValueRequired",
            FieldErrorKind::Invalid => "FieldValueInvalid",
            FieldErrorKind::Duplicate => "FieldValueDuplicate",
            FieldErrorKind::NotSupported => "FieldValueNotSupported",
            FieldErrorKind::Forbidden => "FieldValueForbidden",
            FieldErrorKind::TooLong => "FieldValueTooLong",
            FieldErrorKind::TooMany => "FieldValueTooMany",
            FieldErrorKind::NotFound => "FieldValueNotFound",
        }
    }

    /// The text upstream's `ErrorType.String()` gives.
    pub fn text(&self) -> &'static str {
        match self {
            FieldErrorKind::Required => "Required value",
            FieldErrorKind::Invalid => "Invalid value",
            FieldErrorKind::Duplicate => "Duplicate value",
            FieldErrorKind::NotSupported => "Unsupported value",
            FieldErrorKind::Forbidden => "Forbidden",
            FieldErrorKind::TooLong => "Too long",
            FieldErrorKind::TooMany => "Too many",
            FieldErrorKind::NotFound => "Not found",
        }
    }
}

impl FieldError {
    /// upstream's `ErrorBody`: the text without the field path.
    pub fn body(&self) -> String {
        let mut s = match (self.kind, &self.value) {
            (FieldErrorKind::Required | FieldErrorKind::Forbidden | FieldErrorKind::TooLong, _)
            | (_, None) => self.kind.text().to_string(),
            (_, Some(v)) => format!("{}: {v}", self.kind.text()),
        };
        if !self.detail.is_empty() {
            s.push_str(": ");
            s.push_str(&self.detail);
        }
        s
    }

    fn new(
        kind: FieldErrorKind,
        field: &P,
        value: Option<String>,
        detail: impl Into<String>,
    ) -> FieldError {
        FieldError {
            kind,
            field: field.0.clone(),
            value,
            detail: detail.into(),
        }
    }

    /// `field.Required`.
    pub fn required(field: &str, detail: impl Into<String>) -> FieldError {
        FieldError::new(FieldErrorKind::Required, &P(field.into()), None, detail)
    }

    /// `field.Invalid`, with the value already rendered (see [`quote`]).
    pub fn invalid(field: &str, value: impl Into<String>, detail: impl Into<String>) -> FieldError {
        FieldError::new(
            FieldErrorKind::Invalid,
            &P(field.into()),
            Some(value.into()),
            detail,
        )
    }

    /// `field.Forbidden`.
    pub fn forbidden(field: &str, detail: impl Into<String>) -> FieldError {
        FieldError::new(FieldErrorKind::Forbidden, &P(field.into()), None, detail)
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.body())
    }
}

/// The message of upstream's `NewInvalid`: `Pod "Bad_Name" is invalid: <errors>`, several errors
/// joined as upstream's aggregate (`[err1, err2]`, duplicates dropped). For a kind of a named
/// group, upstream prints the qualified kind (`Deployment.apps`): pass that as `kind`.
pub fn invalid_message(kind: &str, name: &str, errors: &[FieldError]) -> String {
    let mut seen = BTreeSet::new();
    let mut msgs = Vec::new();
    for e in errors {
        let m = e.to_string();
        if seen.insert(m.clone()) {
            msgs.push(m);
        }
    }
    let head = format!("{kind} {} is invalid", quote(name));
    match msgs.len() {
        0 => head,
        1 => format!("{head}: {}", msgs[0]),
        _ => format!("{head}: [{}]", msgs.join(", ")),
    }
}

type Errs = Vec<FieldError>;

/// A field path, printed as upstream's `field.Path`.
#[derive(Clone)]
struct P(String);

impl P {
    fn root(s: &str) -> P {
        P(s.to_string())
    }
    fn c(&self, name: &str) -> P {
        if self.0.is_empty() {
            P(name.to_string())
        } else {
            P(format!("{}.{name}", self.0))
        }
    }
    fn i(&self, i: usize) -> P {
        P(format!("{}[{i}]", self.0))
    }
    fn k(&self, key: &str) -> P {
        P(format!("{}[{key}]", self.0))
    }
}

fn required(p: &P, detail: &str) -> FieldError {
    FieldError::new(FieldErrorKind::Required, p, None, detail)
}
fn invalid(p: &P, value: String, detail: impl Into<String>) -> FieldError {
    FieldError::new(FieldErrorKind::Invalid, p, Some(value), detail)
}
fn forbidden(p: &P, detail: impl Into<String>) -> FieldError {
    FieldError::new(FieldErrorKind::Forbidden, p, None, detail)
}
fn duplicate(p: &P, value: String) -> FieldError {
    FieldError::new(FieldErrorKind::Duplicate, p, Some(value), "")
}
fn not_found(p: &P, value: String) -> FieldError {
    FieldError::new(FieldErrorKind::NotFound, p, Some(value), "")
}
fn not_supported(p: &P, value: String, valid: &[&str]) -> FieldError {
    let detail = if valid.is_empty() {
        String::new()
    } else {
        format!(
            "supported values: {}",
            valid
                .iter()
                .map(|v| quote(v))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    FieldError::new(FieldErrorKind::NotSupported, p, Some(value), detail)
}
fn too_long(p: &P, max: usize) -> FieldError {
    let unit = if max == 1 { "byte" } else { "bytes" };
    FieldError::new(
        FieldErrorKind::TooLong,
        p,
        None,
        format!("may not be more than {max} {unit}"),
    )
}
fn too_many(p: &P, actual: usize, max: usize) -> FieldError {
    let unit = if max == 1 { "item" } else { "items" };
    FieldError::new(
        FieldErrorKind::TooMany,
        p,
        Some(actual.to_string()),
        format!("must have at most {max} {unit}"),
    )
}

const IMMUTABLE: &str = "field is immutable";
const NEGATIVE: &str = "must be greater than or equal to 0";

// ---------------------------------------------------------------------------------------------
// Rendering values as upstream prints them

/// Go's `%q` of a string.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A JSON value as upstream would print the Go value it decodes to (approximately, for
/// structs): strings quoted, numbers and booleans bare, null as `null`.
fn render(v: &Value) -> String {
    match v {
        Value::String(s) => quote(s),
        Value::Null => "null".into(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        other => other.to_string(),
    }
}

fn render_opt(v: Option<&Value>) -> String {
    v.map_or_else(|| "null".into(), render)
}

/// `%#v` of a `map[string]string` (keys sorted, as Go prints maps).
fn render_string_map(v: Option<&Value>) -> String {
    match v.and_then(Value::as_object) {
        None => "map[string]string(nil)".into(),
        Some(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let items: Vec<String> = keys
                .iter()
                .map(|k| {
                    format!(
                        "{}:{}",
                        quote(k),
                        m.get(*k).map_or_else(|| "\"\"".into(), render)
                    )
                })
                .collect();
            format!("map[string]string{{{}}}", items.join(", "))
        }
    }
}

fn render_string_slice(v: Option<&Value>) -> String {
    match v.and_then(Value::as_array) {
        None => "[]string(nil)".into(),
        Some(a) => format!(
            "[]string{{{}}}",
            a.iter().map(render).collect::<Vec<_>>().join(", ")
        ),
    }
}

/// `%#v` of a `metav1.LabelSelector`.
fn render_selector(v: Option<&Value>) -> String {
    let Some(s) = v.filter(|v| !v.is_null()) else {
        return "null".into();
    };
    let exprs = match s.get("matchExpressions").and_then(Value::as_array) {
        None => "[]v1.LabelSelectorRequirement(nil)".to_string(),
        Some(a) => {
            let items: Vec<String> = a
                .iter()
                .map(|r| {
                    format!(
                        "v1.LabelSelectorRequirement{{Key:{}, Operator:{}, Values:{}}}",
                        quote(r.get("key").and_then(Value::as_str).unwrap_or("")),
                        quote(r.get("operator").and_then(Value::as_str).unwrap_or("")),
                        render_string_slice(r.get("values")),
                    )
                })
                .collect();
            format!("[]v1.LabelSelectorRequirement{{{}}}", items.join(", "))
        }
    };
    format!(
        "v1.LabelSelector{{MatchLabels:{}, MatchExpressions:{exprs}}}",
        render_string_map(s.get("matchLabels"))
    )
}

// ---------------------------------------------------------------------------------------------
// Reading JSON leniently: absent and null are "unset", other wrong types are reported.

fn get<'a>(v: &'a Value, k: &str) -> Option<&'a Value> {
    v.get(k).filter(|v| !v.is_null())
}

fn type_error(p: &P, v: &Value, what: &str) -> FieldError {
    invalid(p, render(v), format!("must be of type {what}"))
}

fn obj_at<'a>(v: Option<&'a Value>, p: &P, e: &mut Errs) -> Option<&'a Obj> {
    match v {
        None | Some(Value::Null) => None,
        Some(Value::Object(o)) => Some(o),
        Some(other) => {
            e.push(type_error(p, other, "object"));
            None
        }
    }
}

fn arr_at<'a>(v: Option<&'a Value>, p: &P, e: &mut Errs) -> &'a [Value] {
    match v {
        None | Some(Value::Null) => &[],
        Some(Value::Array(a)) => a,
        Some(other) => {
            e.push(type_error(p, other, "array"));
            &[]
        }
    }
}

fn str_at<'a>(v: Option<&'a Value>, p: &P, e: &mut Errs) -> &'a str {
    match v {
        None | Some(Value::Null) => "",
        Some(Value::String(s)) => s,
        Some(other) => {
            e.push(type_error(p, other, "string"));
            ""
        }
    }
}

fn int_at(v: Option<&Value>, p: &P, e: &mut Errs) -> Option<i64> {
    match v {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => match n.as_i64() {
            Some(i) => Some(i),
            None => {
                e.push(type_error(p, &Value::Number(n.clone()), "integer"));
                None
            }
        },
        Some(other) => {
            e.push(type_error(p, other, "integer"));
            None
        }
    }
}

fn bool_at(v: Option<&Value>, p: &P, e: &mut Errs) -> Option<bool> {
    match v {
        None | Some(Value::Null) => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(other) => {
            e.push(type_error(p, other, "boolean"));
            None
        }
    }
}

/// A `map[string]string`, keys sorted.
fn string_map_at(v: Option<&Value>, p: &P, e: &mut Errs) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    if let Some(o) = obj_at(v, p, e) {
        for (k, val) in o {
            match val {
                Value::String(s) => {
                    out.insert(k.clone(), s.clone());
                }
                Value::Null => {
                    out.insert(k.clone(), String::new());
                }
                other => e.push(type_error(&p.k(k), other, "string")),
            }
        }
    }
    out
}

/// The strings of a `[]string`, wrong items reported.
fn strings_at(v: Option<&Value>, p: &P, e: &mut Errs) -> Vec<String> {
    let mut out = Vec::new();
    for (i, item) in arr_at(v, p, e).iter().enumerate() {
        match item {
            Value::String(s) => out.push(s.clone()),
            other => e.push(type_error(&p.i(i), other, "string")),
        }
    }
    out
}

fn o_str<'a>(v: &'a Value, k: &str) -> &'a str {
    v.get(k).and_then(Value::as_str).unwrap_or("")
}

// ---------------------------------------------------------------------------------------------
// Name and string formats (apimachinery util/validation)

const DNS1123_LABEL_FMT: &str = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const DNS1123_LABEL_MSG: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
const DNS1123_SUBDOMAIN_FMT: &str =
    "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
const DNS1123_SUBDOMAIN_MSG: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
const DNS1035_LABEL_FMT: &str = "[a-z]([-a-z0-9]*[a-z0-9])?";
const DNS1035_LABEL_MSG: &str = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";
const QUALIFIED_NAME_FMT: &str = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const QUALIFIED_NAME_MSG: &str = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_FMT: &str = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?";
const LABEL_VALUE_MSG: &str = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const CONFIG_KEY_FMT: &str = "[-._a-zA-Z0-9]+";
const CONFIG_KEY_MSG: &str =
    "a valid config key must consist of alphanumeric characters, '-', '_' or '.'";

fn max_len_error(n: usize) -> String {
    format!("must be no more than {n} characters")
}

fn regex_error(msg: &str, fmt: &str, examples: &[&str]) -> String {
    if examples.is_empty() {
        return format!("{msg} (regex used for validation is '{fmt}')");
    }
    let ex: Vec<String> = examples.iter().map(|e| format!("'{e}', ")).collect();
    format!(
        "{msg} (e.g. {}regex used for validation is '{fmt}')",
        ex.join(" or ")
    )
}

fn inclusive_range_error(lo: i64, hi: i64) -> String {
    format!("must be between {lo} and {hi}, inclusive")
}

fn lower_alnum(c: u8) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

fn matches_dns1123_label(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && lower_alnum(b[0])
        && lower_alnum(b[b.len() - 1])
        && b.iter().all(|&c| lower_alnum(c) || c == b'-')
}

fn matches_dns1123_subdomain(s: &str) -> bool {
    !s.is_empty() && s.split('.').all(matches_dns1123_label)
}

fn matches_qualified_part(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter()
            .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

/// `IsDNS1123Label`.
pub fn is_dns1123_label(s: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if s.len() > 63 {
        errs.push(max_len_error(63));
    }
    if !matches_dns1123_label(s) {
        if matches_dns1123_subdomain(s) {
            errs.push("must not contain dots".into());
        } else {
            errs.push(regex_error(
                DNS1123_LABEL_MSG,
                DNS1123_LABEL_FMT,
                &["my-name", "123-abc"],
            ));
        }
    }
    errs
}

/// `IsDNS1123Subdomain`.
pub fn is_dns1123_subdomain(s: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if s.len() > 253 {
        errs.push(max_len_error(253));
    }
    if !matches_dns1123_subdomain(s) {
        errs.push(regex_error(
            DNS1123_SUBDOMAIN_MSG,
            DNS1123_SUBDOMAIN_FMT,
            &["example.com"],
        ));
    }
    errs
}

/// `IsDNS1035Label`.
pub fn is_dns1035_label(s: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if s.len() > 63 {
        errs.push(max_len_error(63));
    }
    let b = s.as_bytes();
    let ok = !b.is_empty()
        && b[0].is_ascii_lowercase()
        && lower_alnum(b[b.len() - 1])
        && b.iter().all(|&c| lower_alnum(c) || c == b'-');
    if !ok {
        errs.push(regex_error(
            DNS1035_LABEL_MSG,
            DNS1035_LABEL_FMT,
            &["my-name", "abc-123"],
        ));
    }
    errs
}

/// `IsQualifiedName` (label keys, annotation keys, finalizers, ...).
pub fn is_qualified_name(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    let parts: Vec<&str> = value.split('/').collect();
    let name = match parts.as_slice() {
        [name] => *name,
        [prefix, name] => {
            if prefix.is_empty() {
                errs.push("prefix part must be non-empty".to_string());
            } else {
                errs.extend(
                    is_dns1123_subdomain(prefix)
                        .into_iter()
                        .map(|m| format!("prefix part {m}")),
                );
            }
            *name
        }
        _ => {
            errs.push(format!(
                "a qualified name {} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
                regex_error(QUALIFIED_NAME_MSG, QUALIFIED_NAME_FMT, &["MyName", "my.name", "123-abc"])
            ));
            return errs;
        }
    };
    if name.is_empty() {
        errs.push("name part must be non-empty".into());
    } else if name.len() > 63 {
        errs.push(format!("name part {}", max_len_error(63)));
    }
    if !matches_qualified_part(name) {
        errs.push(format!(
            "name part {}",
            regex_error(
                QUALIFIED_NAME_MSG,
                QUALIFIED_NAME_FMT,
                &["MyName", "my.name", "123-abc"]
            )
        ));
    }
    errs
}

/// `IsValidLabelValue`.
pub fn is_valid_label_value(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > 63 {
        errs.push(max_len_error(63));
    }
    if !value.is_empty() && !matches_qualified_part(value) {
        errs.push(regex_error(
            LABEL_VALUE_MSG,
            LABEL_VALUE_FMT,
            &["MyValue", "my_value", "12345"],
        ));
    }
    errs
}

/// `IsConfigMapKey` (ConfigMap and Secret keys).
pub fn is_config_map_key(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > 253 {
        errs.push(max_len_error(253));
    }
    let ok = !value.is_empty()
        && value
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'));
    if !ok {
        errs.push(regex_error(
            CONFIG_KEY_MSG,
            CONFIG_KEY_FMT,
            &["key.name", "KEY_NAME", "key-name"],
        ));
    }
    if value == "." {
        errs.push("must not be '.'".into());
    } else if value == ".." {
        errs.push("must not be '..'".into());
    } else if value.starts_with("..") {
        errs.push("must not start with '..'".into());
    }
    errs
}

/// `IsValidPortNum`.
fn is_valid_port_num(port: i64) -> Vec<String> {
    if (1..=65535).contains(&port) {
        Vec::new()
    } else {
        vec![inclusive_range_error(1, 65535)]
    }
}

/// `IsValidPortName` (IANA_SVC_NAME).
fn is_valid_port_name(port: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if port.len() > 15 {
        errs.push(max_len_error(15));
    }
    if port.is_empty() || !port.bytes().all(|c| lower_alnum(c) || c == b'-') {
        errs.push("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)".into());
    }
    if port.contains("--") {
        errs.push("must not contain consecutive hyphens".into());
    }
    if !port.bytes().any(|c| c.is_ascii_lowercase()) {
        errs.push("must contain at least one letter (a-z)".into());
    }
    if port.starts_with('-') || port.ends_with('-') {
        errs.push("must not begin or end with a hyphen".into());
    }
    errs
}

/// `IsValidPathSegmentName`.
fn is_valid_path_segment_name(name: &str, prefix: bool) -> Vec<String> {
    if !prefix {
        for bad in [".", ".."] {
            if name == bad {
                return vec![format!("may not be '{bad}'")];
            }
        }
    }
    ["/", "%"]
        .iter()
        .filter(|c| name.contains(*c))
        .map(|c| format!("may not contain '{c}'"))
        .collect()
}

fn validate_dns1123_label(value: &str, p: &P, e: &mut Errs) {
    for m in is_dns1123_label(value) {
        e.push(invalid(p, quote(value), m));
    }
}

fn validate_dns1123_subdomain(value: &str, p: &P, e: &mut Errs) {
    for m in is_dns1123_subdomain(value) {
        e.push(invalid(p, quote(value), m));
    }
}

fn validate_qualified_name(value: &str, p: &P, e: &mut Errs) {
    for m in is_qualified_name(value) {
        e.push(invalid(p, quote(value), m));
    }
}

fn validate_nonnegative(v: Option<i64>, p: &P, e: &mut Errs) {
    if let Some(n) = v.filter(|n| *n < 0) {
        e.push(invalid(p, n.to_string(), NEGATIVE));
    }
}

// ---------------------------------------------------------------------------------------------
// ObjectMeta

#[derive(Clone, Copy, PartialEq, Eq)]
enum NameRule {
    Subdomain,
    Label,
    Dns1035,
    PathSegment,
}

fn mask_trailing_dash(name: &str) -> String {
    if name.len() > 1 && name.ends_with('-') {
        // Upstream drops two characters before appending "a".
        let cut = name.len().saturating_sub(2);
        match name.get(..cut) {
            Some(head) => format!("{head}a"),
            None => name.to_string(),
        }
    } else {
        name.to_string()
    }
}

fn name_messages(rule: NameRule, name: &str, prefix: bool) -> Vec<String> {
    if rule == NameRule::PathSegment {
        return is_valid_path_segment_name(name, prefix);
    }
    let name = if prefix {
        mask_trailing_dash(name)
    } else {
        name.to_string()
    };
    match rule {
        NameRule::Subdomain => is_dns1123_subdomain(&name),
        NameRule::Label => is_dns1123_label(&name),
        NameRule::Dns1035 => is_dns1035_label(&name),
        NameRule::PathSegment => Vec::new(),
    }
}

fn name_rule(group: &str, kind: &str) -> NameRule {
    match (group, kind) {
        ("", "Namespace") => NameRule::Label,
        ("", "Service") => NameRule::Dns1035,
        // Only the generic path-segment check applies to these names upstream.
        ("", "Event") | ("policy", "PodDisruptionBudget") => NameRule::PathSegment,
        (
            "rbac.authorization.k8s.io",
            "Role" | "ClusterRole" | "RoleBinding" | "ClusterRoleBinding",
        ) => NameRule::PathSegment,
        _ => NameRule::Subdomain,
    }
}

/// Whether objects of the kind live in a namespace; None for kinds not known here.
fn namespaced(group: &str, kind: &str) -> Option<bool> {
    let cluster = matches!(
        (group, kind),
        (
            "",
            "Namespace" | "Node" | "PersistentVolume" | "ComponentStatus"
        ) | (
            "rbac.authorization.k8s.io",
            "ClusterRole" | "ClusterRoleBinding"
        ) | (
            "storage.k8s.io",
            "StorageClass" | "CSIDriver" | "CSINode" | "VolumeAttachment"
        ) | ("scheduling.k8s.io", "PriorityClass")
            | ("apiextensions.k8s.io", "CustomResourceDefinition")
            | ("apiregistration.k8s.io", "APIService")
            | ("admissionregistration.k8s.io", _)
            | ("networking.k8s.io", "IngressClass")
            | ("node.k8s.io", "RuntimeClass")
            | ("certificates.k8s.io", "CertificateSigningRequest")
            | ("flowcontrol.apiserver.k8s.io", _)
    );
    if cluster {
        return Some(false);
    }
    let ns = matches!(
        (group, kind),
        (
            "",
            "Pod"
                | "PodTemplate"
                | "ReplicationController"
                | "Service"
                | "ConfigMap"
                | "Secret"
                | "ServiceAccount"
                | "Endpoints"
                | "PersistentVolumeClaim"
                | "Event"
                | "LimitRange"
                | "ResourceQuota"
        ) | ("apps", _)
            | ("batch", _)
            | ("coordination.k8s.io", "Lease")
            | ("rbac.authorization.k8s.io", "Role" | "RoleBinding")
            | ("autoscaling", "HorizontalPodAutoscaler")
            | ("networking.k8s.io", "NetworkPolicy" | "Ingress")
            | ("policy", "PodDisruptionBudget")
            | ("discovery.k8s.io", "EndpointSlice")
            | ("events.k8s.io", "Event")
    );
    if ns { Some(true) } else { None }
}

/// `ValidateLabels`: keys are qualified names, values label values; errors at `p` itself.
fn validate_labels(v: Option<&Value>, p: &P, e: &mut Errs) {
    for (k, val) in string_map_at(v, p, e) {
        for m in is_qualified_name(&k) {
            e.push(invalid(p, quote(&k), m));
        }
        for m in is_valid_label_value(&val) {
            e.push(invalid(p, quote(&val), m));
        }
    }
}

const TOTAL_ANNOTATION_SIZE_LIMIT: usize = 256 * 1024;

/// `ValidateAnnotations`.
fn validate_annotations(v: Option<&Value>, p: &P, e: &mut Errs) {
    let mut total = 0;
    for (k, val) in string_map_at(v, p, e) {
        for m in is_qualified_name(&k.to_lowercase()) {
            e.push(invalid(p, quote(&k), m));
        }
        total += k.len() + val.len();
    }
    if total > TOTAL_ANNOTATION_SIZE_LIMIT {
        e.push(too_long(p, TOTAL_ANNOTATION_SIZE_LIMIT));
    }
}

fn validate_owner_references(v: Option<&Value>, p: &P, e: &mut Errs) {
    let mut controllers = Vec::new();
    for (i, r) in arr_at(v, p, e).iter().enumerate() {
        let ip = p.i(i);
        if !r.is_object() {
            e.push(type_error(&ip, r, "object"));
            continue;
        }
        let api_version = str_at(get(r, "apiVersion"), &ip.c("apiVersion"), e);
        let kind = str_at(get(r, "kind"), &ip.c("kind"), e);
        let name = str_at(get(r, "name"), &ip.c("name"), e);
        let uid = str_at(get(r, "uid"), &ip.c("uid"), e);
        if api_version.is_empty() {
            e.push(invalid(
                &ip.c("apiVersion"),
                quote(api_version),
                "version must not be empty",
            ));
        }
        if kind.is_empty() {
            e.push(invalid(
                &ip.c("kind"),
                quote(kind),
                "kind must not be empty",
            ));
        }
        if name.is_empty() {
            e.push(invalid(
                &ip.c("name"),
                quote(name),
                "name must not be empty",
            ));
        }
        if uid.is_empty() {
            e.push(invalid(&ip.c("uid"), quote(uid), "uid must not be empty"));
        }
        if bool_at(get(r, "controller"), &ip.c("controller"), e) == Some(true) {
            controllers.push(format!("{kind}/{name}"));
        }
    }
    if controllers.len() > 1 {
        e.push(invalid(
            p,
            "[]v1.OwnerReference{...}".into(),
            format!("Only one reference can have Controller set to true. Found \"true\" in references for {}", controllers.join(" and ")),
        ));
    }
}

fn validate_finalizers(v: Option<&Value>, p: &P, e: &mut Errs) {
    let fins = strings_at(v, p, e);
    for (i, f) in fins.iter().enumerate() {
        validate_qualified_name(f, &p.i(i), e);
    }
    let orphan = fins.iter().any(|f| f == "orphan");
    let foreground = fins.iter().any(|f| f == "foregroundDeletion");
    if orphan && foreground {
        e.push(invalid(
            p,
            render_string_slice(v),
            "finalizer orphan and foregroundDeletion cannot be both set",
        ));
    }
}

/// `ValidateObjectMeta` at `metadata`.
fn validate_object_meta(
    obj: &Value,
    rule: NameRule,
    requires_namespace: Option<bool>,
    e: &mut Errs,
) {
    let p = P::root("metadata");
    let md_v = get(obj, "metadata");
    if obj_at(md_v, &p, e).is_none() {
        e.push(required(&p.c("name"), "name or generateName is required"));
        if requires_namespace == Some(true) {
            e.push(required(&p.c("namespace"), ""));
        }
        return;
    }
    let Some(md) = md_v else { return };
    let generate_name = str_at(get(md, "generateName"), &p.c("generateName"), e);
    if !generate_name.is_empty() {
        for m in name_messages(rule, generate_name, true) {
            e.push(invalid(&p.c("generateName"), quote(generate_name), m));
        }
    }
    let name = str_at(get(md, "name"), &p.c("name"), e);
    if name.is_empty() {
        e.push(required(&p.c("name"), "name or generateName is required"));
    } else {
        for m in name_messages(rule, name, false) {
            e.push(invalid(&p.c("name"), quote(name), m));
        }
    }
    let ns = str_at(get(md, "namespace"), &p.c("namespace"), e);
    match requires_namespace {
        Some(true) if ns.is_empty() => e.push(required(&p.c("namespace"), "")),
        Some(false) if !ns.is_empty() => {
            e.push(forbidden(&p.c("namespace"), "not allowed on this type"))
        }
        _ if !ns.is_empty() => validate_dns1123_label(ns, &p.c("namespace"), e),
        _ => {}
    }
    validate_nonnegative(
        int_at(get(md, "generation"), &p.c("generation"), e),
        &p.c("generation"),
        e,
    );
    validate_labels(get(md, "labels"), &p.c("labels"), e);
    validate_annotations(get(md, "annotations"), &p.c("annotations"), e);
    validate_owner_references(get(md, "ownerReferences"), &p.c("ownerReferences"), e);
    validate_finalizers(get(md, "finalizers"), &p.c("finalizers"), e);
}

fn render_time(v: Option<&Value>) -> String {
    match v.and_then(Value::as_str) {
        Some(s) => match s.parse::<jiff::Timestamp>() {
            Ok(t) => t.strftime("%Y-%m-%d %H:%M:%S +0000 UTC").to_string(),
            Err(_) => quote(s),
        },
        None => "null".into(),
    }
}

/// `ValidateObjectMetaUpdate` (without the resourceVersion check: the registry drops the
/// resourceVersion before validating).
fn validate_object_meta_update(new: &Value, old: &Value, e: &mut Errs) {
    let p = P::root("metadata");
    let empty = Value::Object(Obj::new());
    let nm = get(new, "metadata")
        .filter(|m| m.is_object())
        .unwrap_or(&empty);
    let om = get(old, "metadata")
        .filter(|m| m.is_object())
        .unwrap_or(&empty);
    if get(om, "deletionTimestamp").is_some() {
        let old_f: BTreeSet<&str> = om
            .get("finalizers")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        for f in nm
            .get("finalizers")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            if !old_f.contains(f) {
                e.push(forbidden(&p.c("finalizers"), format!("no new finalizers can be added if the object is being deleted, found new finalizers []string{{{}}}", quote(f))));
            }
        }
    }
    let ng = get(nm, "generation").and_then(Value::as_i64).unwrap_or(0);
    let og = get(om, "generation").and_then(Value::as_i64).unwrap_or(0);
    if ng < og {
        e.push(invalid(
            &p.c("generation"),
            ng.to_string(),
            "must not be decremented",
        ));
    }
    for f in ["name", "namespace", "uid"] {
        let n = o_str(nm, f);
        if n != o_str(om, f) {
            e.push(invalid(&p.c(f), quote(n), IMMUTABLE));
        }
    }
    for f in ["creationTimestamp", "deletionTimestamp"] {
        if get(nm, f) != get(om, f) {
            e.push(invalid(&p.c(f), render_time(get(nm, f)), IMMUTABLE));
        }
    }
    if get(nm, "deletionGracePeriodSeconds") != get(om, "deletionGracePeriodSeconds") {
        e.push(invalid(
            &p.c("deletionGracePeriodSeconds"),
            render_opt(get(nm, "deletionGracePeriodSeconds")),
            IMMUTABLE,
        ));
    }
    validate_labels(get(nm, "labels"), &p.c("labels"), e);
    validate_annotations(get(nm, "annotations"), &p.c("annotations"), e);
    validate_owner_references(get(nm, "ownerReferences"), &p.c("ownerReferences"), e);
}

// ---------------------------------------------------------------------------------------------
// Entry points

/// Validate an object about to be created (upstream's `ValidateXxx` / strategy `Validate`).
pub fn validate_create(api_version: &str, kind: &str, obj: &Value) -> Vec<FieldError> {
    let mut e = Vec::new();
    if !obj.is_object() {
        e.push(invalid(&P::root(""), render(obj), "must be an object"));
        return e;
    }
    let group = group_of(api_version);
    validate_object_meta(obj, name_rule(group, kind), namespaced(group, kind), &mut e);
    validate_kind(api_version, kind, obj, None, &mut e);
    e
}

/// Validate an update of `old` to `obj` (upstream's `ValidateXxxUpdate`).
pub fn validate_update(api_version: &str, kind: &str, obj: &Value, old: &Value) -> Vec<FieldError> {
    let mut e = Vec::new();
    if !obj.is_object() {
        e.push(invalid(&P::root(""), render(obj), "must be an object"));
        return e;
    }
    let group = group_of(api_version);
    validate_object_meta_update(obj, old, &mut e);
    // Name format and namespace presence are the old object's (immutable): only report them when
    // they changed, as the immutability errors above already do.
    let mut meta_errs = Vec::new();
    validate_object_meta(
        obj,
        name_rule(group, kind),
        namespaced(group, kind),
        &mut meta_errs,
    );
    for err in meta_errs {
        let f = err.field.as_str();
        let update_covered = f.starts_with("metadata.labels")
            || f.starts_with("metadata.annotations")
            || f.starts_with("metadata.ownerReferences")
            || f == "metadata.name"
            || f == "metadata.generateName"
            || f == "metadata.namespace";
        if !update_covered {
            e.push(err);
        }
    }
    validate_kind(api_version, kind, obj, Some(old), &mut e);
    e
}

fn validate_kind(api_version: &str, kind: &str, obj: &Value, old: Option<&Value>, e: &mut Errs) {
    let group = group_of(api_version);
    match (group, kind) {
        ("", "Pod") => match old {
            None => validate_pod_create(obj, e),
            Some(old) => validate_pod_update(obj, old, e),
        },
        ("", "PodTemplate") => {
            validate_pod_template_spec(get(obj, "template"), &P::root("template"), false, e)
        }
        ("", "ReplicationController") => validate_replication_controller(obj, e),
        ("", "Service") => validate_service(obj, old, e),
        ("", "ConfigMap") => validate_config_map(obj, old, e),
        ("", "Secret") => validate_secret(obj, old, e),
        ("", "Namespace") => validate_namespace(obj, e),
        ("", "Node") => validate_node(obj, old, e),
        ("", "PersistentVolumeClaim") => validate_pvc(obj, e),
        ("", "PersistentVolume") => validate_persistent_volume(obj, old, e),
        ("", "Endpoints") => validate_endpoints(obj, e),
        ("", "Event") => validate_event(obj, old, false, e),
        ("events.k8s.io", "Event") => validate_event(obj, old, true, e),
        // ServiceAccounts: only their metadata is validated upstream.
        ("", "ServiceAccount") => {}
        ("", "LimitRange") => validate_limit_range(obj, e),
        ("", "ResourceQuota") => validate_resource_quota(obj, old, e),
        ("apps", "ControllerRevision") => validate_controller_revision(obj, old, e),
        ("autoscaling", "HorizontalPodAutoscaler") => {
            validate_hpa(obj, api_version == "autoscaling/v1", e)
        }
        ("policy", "PodDisruptionBudget") => validate_pdb(obj, e),
        ("networking.k8s.io", "Ingress") => validate_ingress(obj, old, e),
        ("networking.k8s.io", "IngressClass") => validate_ingress_class(obj, old, e),
        ("networking.k8s.io", "NetworkPolicy") => validate_network_policy(obj, e),
        ("scheduling.k8s.io", "PriorityClass") => validate_priority_class(obj, old, e),
        ("storage.k8s.io", "StorageClass") => validate_storage_class(obj, old, e),
        ("storage.k8s.io", "CSIDriver") => validate_csi_driver(obj, old, e),
        ("storage.k8s.io", "CSINode") => validate_csi_node(obj, old, e),
        ("storage.k8s.io", "VolumeAttachment") => validate_volume_attachment(obj, old, e),
        ("discovery.k8s.io", "EndpointSlice") => validate_endpoint_slice(obj, old, e),
        ("apps", "Deployment") => {
            validate_deployment(obj, e);
            validate_selector_immutable(obj, old, e);
        }
        ("apps", "ReplicaSet") => {
            validate_replica_set(obj, e);
            validate_selector_immutable(obj, old, e);
        }
        ("apps", "StatefulSet") => validate_stateful_set(obj, old, e),
        ("apps", "DaemonSet") => {
            validate_daemon_set(obj, e);
            validate_selector_immutable(obj, old, e);
        }
        ("batch", "Job") => validate_job(obj, old, e),
        ("batch", "CronJob") => validate_cron_job(obj, old, e),
        ("coordination.k8s.io", "Lease") => validate_lease(obj, e),
        ("certificates.k8s.io", "CertificateSigningRequest") => validate_csr(obj, old, e),
        ("rbac.authorization.k8s.io", "Role") => validate_rules(obj, true, e),
        ("rbac.authorization.k8s.io", "ClusterRole") => validate_rules(obj, false, e),
        ("rbac.authorization.k8s.io", "RoleBinding") => validate_role_binding(obj, old, true, e),
        ("rbac.authorization.k8s.io", "ClusterRoleBinding") => {
            validate_role_binding(obj, old, false, e)
        }
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------------
// Pods

const RESTART_POLICIES: &[&str] = &["Always", "OnFailure", "Never"];
const DNS_POLICIES: &[&str] = &["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"];
const PULL_POLICIES: &[&str] = &["Always", "IfNotPresent", "Never"];
const PROTOCOLS: &[&str] = &["SCTP", "TCP", "UDP"];
const TAINT_EFFECTS: &[&str] = &["NoSchedule", "PreferNoSchedule", "NoExecute"];
const MAX_INT32: i64 = i32::MAX as i64;

/// A required enum-like string field: Required when empty, NotSupported when unknown.
fn validate_enum(value: &str, p: &P, valid: &[&str], e: &mut Errs) {
    if value.is_empty() {
        e.push(required(p, ""));
    } else if !valid.contains(&value) {
        e.push(not_supported(p, quote(value), valid));
    }
}

fn validate_pod_create(obj: &Value, e: &mut Errs) {
    let spec_p = P::root("spec");
    let spec = get(obj, "spec");
    validate_pod_spec(spec, &spec_p, e);
    if let Some(s) = spec {
        if !arr_at(
            get(s, "ephemeralContainers"),
            &spec_p.c("ephemeralContainers"),
            &mut Vec::new(),
        )
        .is_empty()
        {
            e.push(forbidden(
                &spec_p.c("ephemeralContainers"),
                "cannot be set on create",
            ));
        }
        validate_image_whitespace(s, &spec_p, e);
    }
}

/// `validateContainersOnlyForPod`: images must not have surrounding whitespace (pods only).
fn validate_image_whitespace(spec: &Value, p: &P, e: &mut Errs) {
    for key in ["containers", "initContainers"] {
        for (i, c) in spec
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let image = o_str(c, "image");
            if image.trim() != image {
                e.push(invalid(
                    &p.c(key).i(i).c("image"),
                    quote(image),
                    "must not have leading or trailing whitespace",
                ));
            }
        }
    }
}

/// `ValidatePodSpec`.
fn validate_pod_spec(spec_v: Option<&Value>, p: &P, e: &mut Errs) {
    let Some(spec) = obj_at(spec_v, p, e).and(spec_v) else {
        if spec_v.is_none() {
            e.push(required(&p.c("containers"), ""));
        }
        return;
    };
    let volumes = validate_volumes(get(spec, "volumes"), &p.c("volumes"), e);
    let restart_policy = str_at(get(spec, "restartPolicy"), &p.c("restartPolicy"), e).to_string();
    let grace = int_at(
        get(spec, "terminationGracePeriodSeconds"),
        &p.c("terminationGracePeriodSeconds"),
        e,
    );
    let containers = arr_at(get(spec, "containers"), &p.c("containers"), e);
    let init_containers = arr_at(get(spec, "initContainers"), &p.c("initContainers"), e);
    let host_users = bool_at(get(spec, "hostUsers"), &p.c("hostUsers"), e) != Some(false);
    let ctx = ContainerCtx {
        volumes: &volumes,
        grace,
        host_users,
    };
    validate_containers(containers, &ctx, &p.c("containers"), e);
    validate_init_containers(init_containers, containers, &ctx, &p.c("initContainers"), e);
    validate_host_network_ports(spec, p, e);
    validate_enum(&restart_policy, &p.c("restartPolicy"), RESTART_POLICIES, e);
    let dns_policy = str_at(get(spec, "dnsPolicy"), &p.c("dnsPolicy"), e);
    validate_enum(dns_policy, &p.c("dnsPolicy"), DNS_POLICIES, e);
    if dns_policy == "None" {
        let ns = get(spec, "dnsConfig")
            .and_then(|c| c.get("nameservers"))
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        if ns == 0 {
            e.push(required(
                &p.c("dnsConfig").c("nameservers"),
                "must provide at least one DNS nameserver when DNSPolicy is None",
            ));
        }
    }
    validate_labels(get(spec, "nodeSelector"), &p.c("nodeSelector"), e);
    validate_pod_security_context(spec, p, e);
    validate_affinity(get(spec, "affinity"), &p.c("affinity"), e);
    validate_topology_spread(
        get(spec, "topologySpreadConstraints"),
        &p.c("topologySpreadConstraints"),
        e,
    );
    validate_windows_host_process(spec, p, e);
    validate_host_users(spec, p, e);
    for (key, _) in [
        ("serviceAccountName", ()),
        ("nodeName", ()),
        ("priorityClassName", ()),
    ] {
        let v = str_at(get(spec, key), &p.c(key), e);
        if !v.is_empty() {
            validate_dns1123_subdomain(v, &p.c(key), e);
        }
    }
    if let Some(ads) = int_at(
        get(spec, "activeDeadlineSeconds"),
        &p.c("activeDeadlineSeconds"),
        e,
    ) && !(1..=MAX_INT32).contains(&ads)
    {
        e.push(invalid(
            &p.c("activeDeadlineSeconds"),
            ads.to_string(),
            inclusive_range_error(1, MAX_INT32),
        ));
    }
    for key in ["hostname", "subdomain"] {
        let v = str_at(get(spec, key), &p.c(key), e);
        if !v.is_empty() {
            validate_dns1123_label(v, &p.c(key), e);
        }
    }
    validate_tolerations(get(spec, "tolerations"), &p.c("tolerations"), e);
    for (i, s) in arr_at(get(spec, "imagePullSecrets"), &p.c("imagePullSecrets"), e)
        .iter()
        .enumerate()
    {
        if !s.is_object() {
            e.push(type_error(&p.c("imagePullSecrets").i(i), s, "object"));
        }
    }
    let mut gates = BTreeSet::new();
    for (i, g) in arr_at(get(spec, "schedulingGates"), &p.c("schedulingGates"), e)
        .iter()
        .enumerate()
    {
        let gp = p.c("schedulingGates").i(i);
        let name = str_at(get(g, "name"), &gp.c("name"), e);
        validate_qualified_name(name, &gp.c("name"), e);
        if !gates.insert(name.to_string()) {
            e.push(duplicate(&gp.c("name"), quote(name)));
        }
    }
    if let Some(pp) = get(spec, "preemptionPolicy") {
        let v = str_at(Some(pp), &p.c("preemptionPolicy"), e);
        if !["PreemptLowerPriority", "Never"].contains(&v) {
            e.push(not_supported(
                &p.c("preemptionPolicy"),
                quote(v),
                &["Never", "PreemptLowerPriority"],
            ));
        }
    }
    validate_pod_os(spec, p, e);
}

/// What the containers of a pod spec are checked against.
struct ContainerCtx<'a> {
    volumes: &'a BTreeSet<String>,
    grace: Option<i64>,
    host_users: bool,
}

/// `ValidateVolumes`: returns the names of the volumes that validated.
fn validate_volumes(v: Option<&Value>, p: &P, e: &mut Errs) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for (i, vol) in arr_at(v, p, e).iter().enumerate() {
        let ip = p.i(i);
        let mut errs = Vec::new();
        let Some(o) = obj_at(Some(vol), &ip, &mut errs) else {
            e.extend(errs);
            continue;
        };
        validate_volume_source(o, &ip, &mut errs);
        let name = str_at(get(vol, "name"), &ip.c("name"), &mut errs);
        if name.is_empty() {
            errs.push(required(&ip.c("name"), ""));
        } else {
            validate_dns1123_label(name, &ip.c("name"), &mut errs);
        }
        if names.contains(name) {
            errs.push(duplicate(&ip.c("name"), quote(name)));
        }
        if errs.is_empty() {
            names.insert(name.to_string());
        }
        e.extend(errs);
    }
    names
}

/// Every volume source, in the order upstream's validation checks them (the first present one
/// is the volume's source; any other is an error). Defaulting uses it too.
pub(crate) const VOLUME_SOURCES: &[&str] = &[
    "emptyDir",
    "hostPath",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "secret",
    "nfs",
    "iscsi",
    "glusterfs",
    "persistentVolumeClaim",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "downwardAPI",
    "fc",
    "azureFile",
    "configMap",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "projected",
    "portworxVolume",
    "scaleIO",
    "storageos",
    "csi",
    "ephemeral",
    "image",
];

fn validate_volume_source(vol: &Obj, p: &P, e: &mut Errs) {
    let present: Vec<&str> = VOLUME_SOURCES
        .iter()
        .copied()
        .filter(|s| vol.get(*s).is_some_and(|v| !v.is_null()))
        .collect();
    if present.is_empty() {
        e.push(required(p, "must specify a volume type"));
        return;
    }
    for extra in &present[1..] {
        e.push(forbidden(
            &p.c(extra),
            "may not specify more than 1 volume type",
        ));
    }
    let src = present[0];
    let sp = p.c(src);
    let Some(s) = vol.get(src) else { return };
    if obj_at(Some(s), &sp, e).is_none() {
        return;
    }
    let required_str = |field: &str, e: &mut Errs| {
        if str_at(get(s, field), &sp.c(field), e).is_empty() {
            e.push(required(&sp.c(field), ""));
        }
    };
    match src {
        "hostPath" => validate_host_path(s, &sp, e),
        "secret" => required_str("secretName", e),
        "configMap" => required_str("name", e),
        "persistentVolumeClaim" => required_str("claimName", e),
        "nfs" => validate_nfs(s, &sp, e),
        "image" => required_str("reference", e),
        "csi" => required_str("driver", e),
        _ => {}
    }
    if matches!(src, "secret" | "configMap" | "downwardAPI" | "projected")
        && let Some(mode) = int_at(get(s, "defaultMode"), &sp.c("defaultMode"), e)
        && !(0..=0o777).contains(&mode)
    {
        e.push(invalid(
            &sp.c("defaultMode"),
            mode.to_string(),
            "must be a number between 0 and 0777 (octal), both inclusive",
        ));
    }
}

fn validate_containers(containers: &[Value], ctx: &ContainerCtx, p: &P, e: &mut Errs) {
    if containers.is_empty() {
        e.push(required(p, ""));
        return;
    }
    let mut names = BTreeSet::new();
    for (i, c) in containers.iter().enumerate() {
        let ip = p.i(i);
        if obj_at(Some(c), &ip, e).is_none() {
            continue;
        }
        validate_container_common(c, ctx, &ip, e);
        let name = o_str(c, "name");
        if !names.insert(name.to_string()) {
            e.push(duplicate(&ip.c("name"), quote(name)));
        }
        validate_lifecycle(get(c, "lifecycle"), ctx.grace, &ip.c("lifecycle"), e);
        for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
            validate_probe(probe, get(c, probe), &ip.c(probe), e);
        }
        if get(c, "restartPolicy").is_some() {
            e.push(forbidden(
                &ip.c("restartPolicy"),
                "may not be set for non-init containers",
            ));
        }
    }
    check_host_port_conflicts(containers, p, e);
}

fn validate_init_containers(
    inits: &[Value],
    others: &[Value],
    ctx: &ContainerCtx,
    p: &P,
    e: &mut Errs,
) {
    let mut names: BTreeSet<String> = others
        .iter()
        .map(|c| o_str(c, "name").to_string())
        .collect();
    for (i, c) in inits.iter().enumerate() {
        let ip = p.i(i);
        if obj_at(Some(c), &ip, e).is_none() {
            continue;
        }
        validate_container_common(c, ctx, &ip, e);
        let mut restart_always = false;
        if let Some(rp) = get(c, "restartPolicy") {
            let rp = str_at(Some(rp), &ip.c("restartPolicy"), e);
            if rp != "Always" {
                e.push(not_supported(
                    &ip.c("restartPolicy"),
                    quote(rp),
                    &["Always"],
                ));
            }
            restart_always = rp == "Always";
        }
        let name = o_str(c, "name");
        if names.contains(name) {
            e.push(duplicate(&ip.c("name"), quote(name)));
        } else if !name.is_empty() {
            names.insert(name.to_string());
        }
        check_host_port_conflicts(std::slice::from_ref(c), p, e);
        if restart_always {
            validate_lifecycle(get(c, "lifecycle"), ctx.grace, &ip.c("lifecycle"), e);
            for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
                validate_probe(probe, get(c, probe), &ip.c(probe), e);
            }
        } else {
            for (f, msg) in [
                (
                    "lifecycle",
                    "may not be set for init containers without restartPolicy=Always",
                ),
                (
                    "livenessProbe",
                    "may not be set for init containers without restartPolicy=Always",
                ),
                ("readinessProbe", "may not be set for init containers"),
                (
                    "startupProbe",
                    "may not be set for init containers without restartPolicy=Always",
                ),
            ] {
                if get(c, f).is_some() {
                    e.push(forbidden(&ip.c(f), msg));
                }
            }
        }
    }
}

/// `validateContainerCommon`.
fn validate_container_common(c: &Value, ctx: &ContainerCtx, p: &P, e: &mut Errs) {
    let name = str_at(get(c, "name"), &p.c("name"), e);
    if name.is_empty() {
        e.push(required(&p.c("name"), ""));
    } else {
        validate_dns1123_label(name, &p.c("name"), e);
    }
    if str_at(get(c, "image"), &p.c("image"), e).is_empty() {
        e.push(required(&p.c("image"), ""));
    }
    let tmp = str_at(
        get(c, "terminationMessagePolicy"),
        &p.c("terminationMessagePolicy"),
        e,
    );
    match tmp {
        "File" | "FallbackToLogsOnError" => {}
        "" => e.push(required(
            &p.c("terminationMessagePolicy"),
            "must be 'File' or 'FallbackToLogsOnError'",
        )),
        other => e.push(not_supported(
            &p.c("terminationMessagePolicy"),
            quote(other),
            &["File", "FallbackToLogsOnError"],
        )),
    }
    validate_container_ports(get(c, "ports"), &p.c("ports"), e);
    validate_env(get(c, "env"), &p.c("env"), e);
    validate_volume_mounts(get(c, "volumeMounts"), ctx.volumes, &p.c("volumeMounts"), e);
    let pull = str_at(get(c, "imagePullPolicy"), &p.c("imagePullPolicy"), e);
    validate_enum(pull, &p.c("imagePullPolicy"), PULL_POLICIES, e);
    validate_resources(get(c, "resources"), &p.c("resources"), e);
    validate_container_security_context(
        get(c, "securityContext"),
        ctx.host_users,
        &p.c("securityContext"),
        e,
    );
}

fn validate_container_ports(v: Option<&Value>, p: &P, e: &mut Errs) {
    let mut names = BTreeSet::new();
    for (i, port) in arr_at(v, p, e).iter().enumerate() {
        let ip = p.i(i);
        if obj_at(Some(port), &ip, e).is_none() {
            continue;
        }
        let name = str_at(get(port, "name"), &ip.c("name"), e);
        if !name.is_empty() {
            let msgs = is_valid_port_name(name);
            if !msgs.is_empty() {
                for m in msgs {
                    e.push(invalid(&ip.c("name"), quote(name), m));
                }
            } else if !names.insert(name.to_string()) {
                e.push(duplicate(&ip.c("name"), quote(name)));
            }
        }
        match int_at(get(port, "containerPort"), &ip.c("containerPort"), e) {
            None | Some(0) => e.push(required(&ip.c("containerPort"), "")),
            Some(n) => {
                for m in is_valid_port_num(n) {
                    e.push(invalid(&ip.c("containerPort"), n.to_string(), m));
                }
            }
        }
        if let Some(hp) = int_at(get(port, "hostPort"), &ip.c("hostPort"), e).filter(|n| *n != 0) {
            for m in is_valid_port_num(hp) {
                e.push(invalid(&ip.c("hostPort"), hp.to_string(), m));
            }
        }
        let proto = str_at(get(port, "protocol"), &ip.c("protocol"), e);
        validate_enum(proto, &ip.c("protocol"), PROTOCOLS, e);
    }
}

fn check_host_port_conflicts(containers: &[Value], p: &P, e: &mut Errs) {
    let mut seen = BTreeSet::new();
    for (ci, c) in containers.iter().enumerate() {
        for (pi, port) in c
            .get("ports")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let hp = port.get("hostPort").and_then(Value::as_i64).unwrap_or(0);
            if hp == 0 {
                continue;
            }
            let key = format!("{}/{}/{hp}", o_str(port, "hostIP"), o_str(port, "protocol"));
            if !seen.insert(key.clone()) {
                e.push(duplicate(
                    &p.i(ci).c("ports").i(pi).c("hostPort"),
                    quote(&key),
                ));
            }
        }
    }
}

fn validate_env(v: Option<&Value>, p: &P, e: &mut Errs) {
    for (i, ev) in arr_at(v, p, e).iter().enumerate() {
        let ip = p.i(i);
        if obj_at(Some(ev), &ip, e).is_none() {
            continue;
        }
        let name = str_at(get(ev, "name"), &ip.c("name"), e);
        if name.is_empty() {
            e.push(required(&ip.c("name"), ""));
        } else if !name.bytes().all(|b| (0x20..0x7f).contains(&b) && b != b'=') {
            e.push(invalid(&ip.c("name"), quote(name), "a valid environment variable name must consist only of printable ASCII characters other than '='"));
        }
        if let Some(vf) = get(ev, "valueFrom") {
            let vp = ip.c("valueFrom");
            let Some(o) = obj_at(Some(vf), &vp, e) else {
                continue;
            };
            let n = [
                "fieldRef",
                "resourceFieldRef",
                "configMapKeyRef",
                "secretKeyRef",
                "fileKeyRef",
            ]
            .iter()
            .filter(|k| o.get(**k).is_some_and(|v| !v.is_null()))
            .count();
            if n == 0 {
                e.push(invalid(&vp, "\"\"".into(), "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"));
            } else if n > 1 {
                e.push(invalid(
                    &vp,
                    "\"\"".into(),
                    "may not have more than one field specified at a time",
                ));
            }
            if !o_str(ev, "value").is_empty() {
                e.push(invalid(
                    &vp,
                    "\"\"".into(),
                    "may not be specified when `value` is not empty",
                ));
            }
        }
    }
}

fn validate_volume_mounts(v: Option<&Value>, volumes: &BTreeSet<String>, p: &P, e: &mut Errs) {
    let mut mount_points = BTreeSet::new();
    for (i, m) in arr_at(v, p, e).iter().enumerate() {
        let ip = p.i(i);
        if obj_at(Some(m), &ip, e).is_none() {
            continue;
        }
        let name = str_at(get(m, "name"), &ip.c("name"), e);
        if name.is_empty() {
            e.push(required(&ip.c("name"), ""));
        }
        if !volumes.contains(name) {
            e.push(not_found(&ip.c("name"), quote(name)));
        }
        let mount_path = str_at(get(m, "mountPath"), &ip.c("mountPath"), e);
        if mount_path.is_empty() {
            e.push(required(&ip.c("mountPath"), ""));
        }
        if !mount_points.insert(mount_path.to_string()) {
            e.push(invalid(
                &ip.c("mountPath"),
                quote(mount_path),
                "must be unique",
            ));
        }
        let sub_path = str_at(get(m, "subPath"), &ip.c("subPath"), e);
        if !sub_path.is_empty() {
            validate_local_descending_path(sub_path, &p.c("subPath"), e);
        }
    }
}

fn validate_local_descending_path(target: &str, p: &P, e: &mut Errs) {
    if target.starts_with('/') {
        e.push(invalid(p, quote(target), "must be a relative path"));
    }
    if target.split(['/', '\\']).any(|part| part == "..") {
        e.push(invalid(p, quote(target), "must not contain '..'"));
    }
}

fn is_standard_container_resource(name: &str) -> bool {
    matches!(name, "cpu" | "memory" | "ephemeral-storage") || name.starts_with("hugepages-")
}

/// `ValidateResourceRequirements` for containers.
fn validate_resources(v: Option<&Value>, p: &P, e: &mut Errs) {
    let Some(res) = obj_at(v, p, e) else { return };
    let lim_p = p.c("limits");
    let req_p = p.c("requests");
    let mut limits: BTreeMap<String, Quantity> = BTreeMap::new();
    let parse_list = |list: Option<&Value>, lp: &P, e: &mut Errs| -> BTreeMap<String, Quantity> {
        let mut out = BTreeMap::new();
        let Some(o) = obj_at(list.filter(|v| !v.is_null()), lp, e) else {
            return out;
        };
        let mut keys: Vec<&String> = o.keys().collect();
        keys.sort();
        for k in keys {
            let kp = lp.k(k);
            validate_container_resource_name(k, &kp, e);
            let Some(raw) = o.get(k.as_str()) else {
                continue;
            };
            match quantity_of(raw) {
                None => e.push(invalid(&kp, render(raw), QUANTITY_FORMAT_ERROR)),
                Some(q) => {
                    if q.nanos < 0 {
                        e.push(invalid(&kp, quote(&q.to_string()), NEGATIVE));
                    } else if (k.starts_with("hugepages-") || k.contains('/'))
                        && q.nanos % 1_000_000_000 != 0
                    {
                        e.push(invalid(&kp, quote(&q.to_string()), "must be an integer"));
                    }
                    out.insert(k.clone(), q);
                }
            }
        }
        out
    };
    limits.extend(parse_list(res.get("limits"), &lim_p, e));
    let requests = parse_list(res.get("requests"), &req_p, e);
    for (name, q) in &requests {
        let overcommit = is_standard_container_resource(name) && !name.starts_with("hugepages-");
        match limits.get(name) {
            Some(l) => {
                if q != l && !overcommit {
                    e.push(invalid(
                        &req_p,
                        quote(&q.to_string()),
                        format!("must be equal to {name} limit of {l}"),
                    ));
                } else if q > l {
                    e.push(invalid(
                        &req_p,
                        quote(&q.to_string()),
                        format!("must be less than or equal to {name} limit of {l}"),
                    ));
                }
            }
            None if !overcommit => e.push(required(
                &lim_p,
                "Limit must be set for non overcommitable resources",
            )),
            None => {}
        }
    }
}

/// The handler kinds of probes (`exec`, `httpGet`, `tcpSocket`, `grpc`) and lifecycle hooks
/// (`exec`, `httpGet`, `tcpSocket`, `sleep`): exactly one.
fn validate_handler(h: &Value, kinds: &[&str], p: &P, e: &mut Errs) {
    let mut n = 0;
    for k in kinds {
        let Some(v) = get(h, k) else { continue };
        let kp = p.c(k);
        if n > 0 {
            e.push(forbidden(&kp, "may not specify more than 1 handler type"));
            continue;
        }
        n += 1;
        if obj_at(Some(v), &kp, e).is_none() {
            continue;
        }
        match *k {
            "exec" if strings_at(get(v, "command"), &kp.c("command"), e).is_empty() => {
                e.push(required(&kp.c("command"), ""));
            }
            "httpGet" => {
                if str_at(get(v, "path"), &kp.c("path"), e).is_empty() {
                    e.push(required(&kp.c("path"), ""));
                }
                validate_port_num_or_name(get(v, "port"), &kp.c("port"), e);
                let scheme = str_at(get(v, "scheme"), &kp.c("scheme"), e);
                if !["HTTP", "HTTPS"].contains(&scheme) {
                    e.push(not_supported(
                        &kp.c("scheme"),
                        quote(scheme),
                        &["HTTP", "HTTPS"],
                    ));
                }
            }
            "tcpSocket" => validate_port_num_or_name(get(v, "port"), &kp.c("port"), e),
            "grpc" => {
                let port = int_at(get(v, "port"), &kp.c("port"), e).unwrap_or(0);
                for m in is_valid_port_num(port) {
                    e.push(invalid(&kp.c("port"), port.to_string(), m));
                }
            }
            "sleep" => {
                let s = int_at(get(v, "seconds"), &kp.c("seconds"), e).unwrap_or(0);
                if s < 0 {
                    e.push(invalid(
                        &kp.c("seconds"),
                        s.to_string(),
                        "must be non-negative integer",
                    ));
                }
            }
            _ => {}
        }
    }
    if n == 0 {
        e.push(required(p, "must specify a handler type"));
    }
}

fn validate_port_num_or_name(v: Option<&Value>, p: &P, e: &mut Errs) {
    match v {
        Some(Value::Number(n)) => {
            let port = n.as_i64().unwrap_or(0);
            for m in is_valid_port_num(port) {
                e.push(invalid(p, port.to_string(), m));
            }
        }
        Some(Value::String(s)) => {
            for m in is_valid_port_name(s) {
                e.push(invalid(p, quote(s), m));
            }
        }
        None | Some(Value::Null) => {
            for m in is_valid_port_num(0) {
                e.push(invalid(p, "0".into(), m));
            }
        }
        Some(other) => e.push(type_error(p, other, "integer or string")),
    }
}

fn validate_probe(which: &str, v: Option<&Value>, p: &P, e: &mut Errs) {
    let Some(probe) = v else { return };
    if obj_at(Some(probe), p, e).is_none() {
        return;
    }
    validate_handler(probe, &["exec", "httpGet", "tcpSocket", "grpc"], p, e);
    for f in [
        "initialDelaySeconds",
        "timeoutSeconds",
        "periodSeconds",
        "successThreshold",
        "failureThreshold",
    ] {
        validate_nonnegative(int_at(get(probe, f), &p.c(f), e), &p.c(f), e);
    }
    let tgps = int_at(
        get(probe, "terminationGracePeriodSeconds"),
        &p.c("terminationGracePeriodSeconds"),
        e,
    );
    if let Some(t) = tgps.filter(|t| *t <= 0) {
        e.push(invalid(
            &p.c("terminationGracePeriodSeconds"),
            t.to_string(),
            "must be greater than 0",
        ));
    }
    let success = get(probe, "successThreshold").and_then(Value::as_i64);
    match which {
        "livenessProbe" | "startupProbe" => {
            if let Some(s) = success.filter(|s| *s != 1) {
                e.push(invalid(
                    &p.c("successThreshold"),
                    s.to_string(),
                    "must be 1",
                ));
            }
        }
        _ => {
            if let Some(t) = tgps {
                e.push(invalid(
                    &p.c("terminationGracePeriodSeconds"),
                    t.to_string(),
                    "must not be set for readinessProbes",
                ));
            }
        }
    }
}

fn validate_lifecycle(v: Option<&Value>, _grace: Option<i64>, p: &P, e: &mut Errs) {
    let Some(lc) = v else { return };
    if obj_at(Some(lc), p, e).is_none() {
        return;
    }
    for hook in ["postStart", "preStop"] {
        if let Some(h) = get(lc, hook) {
            let hp = p.c(hook);
            if obj_at(Some(h), &hp, e).is_some() {
                validate_handler(h, &["exec", "httpGet", "tcpSocket", "sleep"], &hp, e);
            }
        }
    }
}

/// `ValidateTolerations`.
fn validate_tolerations(v: Option<&Value>, p: &P, e: &mut Errs) {
    for (i, t) in arr_at(v, p, e).iter().enumerate() {
        let ip = p.i(i);
        if obj_at(Some(t), &ip, e).is_none() {
            continue;
        }
        let key = str_at(get(t, "key"), &ip.c("key"), e);
        let op = str_at(get(t, "operator"), &ip.c("operator"), e);
        let value = str_at(get(t, "value"), &ip.c("value"), e);
        let effect = str_at(get(t, "effect"), &ip.c("effect"), e);
        if !key.is_empty() {
            validate_qualified_name(key, &ip.c("key"), e);
        }
        if key.is_empty() && op != "Exists" {
            e.push(invalid(&ip.c("operator"), quote(op), "operator must be Exists when `key` is empty, which means \"match all values and all keys\""));
        }
        if get(t, "tolerationSeconds").is_some() && effect != "NoExecute" {
            e.push(invalid(
                &ip.c("effect"),
                quote(effect),
                "effect must be 'NoExecute' when `tolerationSeconds` is set",
            ));
        }
        match op {
            "Equal" | "" => {
                let msgs = is_valid_label_value(value);
                if !msgs.is_empty() {
                    e.push(invalid(&ip.c("operator"), quote(value), msgs.join(";")));
                }
            }
            "Exists" => {
                if !value.is_empty() {
                    e.push(invalid(
                        &ip.c("operator"),
                        quote(value),
                        "value must be empty when `operator` is 'Exists'",
                    ));
                }
            }
            other => e.push(not_supported(
                &ip.c("operator"),
                quote(other),
                &["Equal", "Exists"],
            )),
        }
        if !effect.is_empty() && !TAINT_EFFECTS.contains(&effect) {
            e.push(not_supported(&ip.c("effect"), quote(effect), TAINT_EFFECTS));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Pod updates

const POD_UPDATE_FORBIDDEN: &str = "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)";

/// Go's zero values and nil collections compare equal to absent fields: drop them (and nulls) so
/// JSON equality approximates `apiequality.Semantic.DeepEqual`.
fn normalize(v: &Value) -> Value {
    match v {
        Value::Object(o) => {
            let mut out = Obj::new();
            for (k, val) in o {
                let n = normalize(val);
                let zero = match &n {
                    Value::Null | Value::Bool(false) => true,
                    Value::String(s) => s.is_empty(),
                    Value::Array(a) => a.is_empty(),
                    _ => false,
                };
                if !zero {
                    out.insert(k.clone(), n);
                }
            }
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(a.iter().map(normalize).collect()),
        other => other.clone(),
    }
}

/// A short listing of what differs (upstream appends a `cmp.Diff` of the specs).
fn spec_diff(old: &Value, new: &Value) -> String {
    struct_diff("core.PodSpec", old, new)
}

/// A short listing of what differs between two values of the Go type `type_name`.
fn struct_diff(type_name: &str, old: &Value, new: &Value) -> String {
    fn walk(path: &str, a: Option<&Value>, b: Option<&Value>, out: &mut Vec<String>) {
        if out.len() >= 20 || a == b {
            return;
        }
        match (a, b) {
            (Some(Value::Object(x)), Some(Value::Object(y))) => {
                let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
                for k in keys {
                    let p = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    walk(&p, x.get(k), y.get(k), out);
                }
            }
            (Some(Value::Array(x)), Some(Value::Array(y))) if x.len() == y.len() => {
                for (i, (xa, yb)) in x.iter().zip(y).enumerate() {
                    walk(&format!("{path}[{i}]"), Some(xa), Some(yb), out);
                }
            }
            _ => {
                if let Some(a) = a {
                    out.push(format!("- \t{path}: {a}"));
                }
                if let Some(b) = b {
                    out.push(format!("+ \t{path}: {b}"));
                }
            }
        }
    }
    let mut lines = Vec::new();
    walk("", Some(old), Some(new), &mut lines);
    format!("  {type_name}{{\n{}\n  }}\n", lines.join("\n"))
}

fn validate_pod_update(new: &Value, old: &Value, e: &mut Errs) {
    let sp = P::root("spec");
    let empty = Value::Object(Obj::new());
    let new_spec = get(new, "spec").unwrap_or(&empty);
    let old_spec = get(old, "spec").unwrap_or(&empty);
    validate_pod_spec(get(new, "spec"), &sp, e);
    // Containers may not be added or removed; images stay required.
    for key in ["containers", "initContainers"] {
        let n = new_spec
            .get(key)
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice);
        let o = old_spec
            .get(key)
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice);
        if n.len() != o.len() {
            e.push(forbidden(
                &sp.c(key),
                "pod updates may not add or remove containers",
            ));
            return;
        }
        for (i, c) in n.iter().enumerate() {
            let image = o_str(c, "image");
            if image.trim() != image {
                e.push(invalid(
                    &sp.c(key).i(i).c("image"),
                    quote(image),
                    "must not have leading or trailing whitespace",
                ));
            }
        }
    }
    // activeDeadlineSeconds: set from nil, or lowered.
    let ads_p = sp.c("activeDeadlineSeconds");
    let new_ads = new_spec
        .get("activeDeadlineSeconds")
        .and_then(Value::as_i64);
    let old_ads = old_spec
        .get("activeDeadlineSeconds")
        .and_then(Value::as_i64);
    match (new_ads, old_ads) {
        (Some(n), _) if !(0..=MAX_INT32).contains(&n) => {
            e.push(invalid(
                &ads_p,
                n.to_string(),
                inclusive_range_error(0, MAX_INT32),
            ));
            return;
        }
        (Some(n), Some(o)) if o < n => {
            e.push(invalid(
                &ads_p,
                n.to_string(),
                "must be less than or equal to previous value",
            ));
            return;
        }
        (None, Some(_)) => e.push(invalid(
            &ads_p,
            "null".into(),
            "must not update from a positive integer to nil value",
        )),
        _ => {}
    }
    // Tolerations: only additions (and tolerationSeconds changes).
    let new_tols = new_spec
        .get("tolerations")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    let old_tols = old_spec
        .get("tolerations")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    let strip_seconds = |t: &Value| {
        let mut t = normalize(t);
        if let Some(o) = t.as_object_mut() {
            o.remove("tolerationSeconds");
        }
        t
    };
    for ot in old_tols {
        let want = strip_seconds(ot);
        if !new_tols.iter().any(|nt| strip_seconds(nt) == want) {
            e.push(forbidden(
                &sp.c("tolerations"),
                "existing toleration can not be modified except its tolerationSeconds",
            ));
            break;
        }
    }
    // Scheduling gates: only removals.
    let new_gates: Vec<&str> = new_spec
        .get("schedulingGates")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|g| o_str(g, "name"))
        .collect();
    let old_gates: Vec<&str> = old_spec
        .get("schedulingGates")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|g| o_str(g, "name"))
        .collect();
    if new_gates.iter().any(|g| !old_gates.contains(g)) {
        e.push(forbidden(
            &sp.c("schedulingGates"),
            "only deletion is allowed, but found new scheduling gate",
        ));
    }
    let old_n = normalize(old_spec);
    if normalize(new_spec) == old_n {
        return;
    }
    // Munge the updatable fields to their old values, then compare.
    let mut munged = new_spec.clone();
    if let Some(m) = munged.as_object_mut() {
        for key in ["containers", "initContainers"] {
            if let (Some(Value::Array(nc)), Some(oc)) =
                (m.get_mut(key), old_spec.get(key).and_then(Value::as_array))
            {
                for (c, o) in nc.iter_mut().zip(oc) {
                    if let Some(c) = c.as_object_mut() {
                        match o.get("image") {
                            Some(img) => c.insert("image".into(), img.clone()),
                            None => c.remove("image"),
                        };
                    }
                }
            }
        }
        for key in ["activeDeadlineSeconds", "tolerations", "schedulingGates"] {
            match old_spec.get(key) {
                Some(v) => m.insert(key.into(), v.clone()),
                None => m.remove(key),
            };
        }
        let old_grace = old_spec
            .get("terminationGracePeriodSeconds")
            .and_then(Value::as_i64);
        let new_grace = m
            .get("terminationGracePeriodSeconds")
            .and_then(Value::as_i64);
        if old_grace.is_some_and(|g| g < 0)
            && new_grace == Some(1)
            && let Some(g) = old_spec.get("terminationGracePeriodSeconds")
        {
            m.insert("terminationGracePeriodSeconds".into(), g.clone());
        }
    }
    let munged_n = normalize(&munged);
    if munged_n != old_n {
        e.push(forbidden(
            &sp,
            format!("{POD_UPDATE_FORBIDDEN}\n{}", spec_diff(&old_n, &munged_n)),
        ));
    }
}

// ---------------------------------------------------------------------------------------------
// Pod templates and label selectors

/// `ValidatePodTemplateSpec` at `p` (e.g. `spec.template`). `pointer`: the template is optional
/// in the Go type (ReplicationController): Required when absent.
fn validate_pod_template_spec(t: Option<&Value>, p: &P, pointer: bool, e: &mut Errs) {
    let Some(t) = t else {
        if pointer {
            e.push(required(p, ""));
        } else {
            validate_pod_spec(None, &p.c("spec"), e);
        }
        return;
    };
    if obj_at(Some(t), p, e).is_none() {
        return;
    }
    let md = get(t, "metadata");
    if obj_at(md, &p.c("metadata"), e).is_some() {
        let md = md.unwrap_or(&Value::Null);
        validate_labels(get(md, "labels"), &p.c("labels"), e);
        validate_annotations(get(md, "annotations"), &p.c("annotations"), e);
    }
    validate_pod_spec(get(t, "spec"), &p.c("spec"), e);
    let eph = get(t, "spec")
        .and_then(|s| s.get("ephemeralContainers"))
        .and_then(Value::as_array)
        .is_some_and(|a| !a.is_empty());
    if eph {
        e.push(forbidden(
            &p.c("spec").c("ephemeralContainers"),
            "ephemeral containers not allowed in pod template",
        ));
    }
}

fn template_labels(t: Option<&Value>) -> Option<&Value> {
    t.and_then(|t| get(t, "metadata"))
        .and_then(|m| get(m, "labels"))
}

/// A parsed `metav1.LabelSelector`.
enum Selector {
    /// A nil selector: matches nothing.
    Nothing,
    /// Requirements (empty: matches everything).
    Reqs(Vec<(String, String, Vec<String>)>),
    /// Does not convert to a selector.
    Broken,
}

impl Selector {
    fn is_empty(&self) -> bool {
        matches!(self, Selector::Reqs(r) if r.is_empty())
    }

    fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        match self {
            Selector::Nothing | Selector::Broken => false,
            Selector::Reqs(reqs) => reqs.iter().all(|(k, op, vals)| match op.as_str() {
                "In" => labels.get(k).is_some_and(|v| vals.contains(v)),
                "NotIn" => labels.get(k).is_none_or(|v| !vals.contains(v)),
                "Exists" => labels.contains_key(k),
                "DoesNotExist" => !labels.contains_key(k),
                _ => false,
            }),
        }
    }
}

fn parse_selector(v: Option<&Value>) -> Selector {
    let Some(s) = v.filter(|v| !v.is_null()) else {
        return Selector::Nothing;
    };
    let Some(s) = s.as_object() else {
        return Selector::Broken;
    };
    let mut reqs = Vec::new();
    if let Some(ml) = s.get("matchLabels").filter(|v| !v.is_null()) {
        let Some(ml) = ml.as_object() else {
            return Selector::Broken;
        };
        for (k, v) in ml {
            let Some(v) = v.as_str() else {
                return Selector::Broken;
            };
            if !is_qualified_name(k).is_empty() || !is_valid_label_value(v).is_empty() {
                return Selector::Broken;
            }
            reqs.push((k.clone(), "In".to_string(), vec![v.to_string()]));
        }
    }
    if let Some(me) = s.get("matchExpressions").filter(|v| !v.is_null()) {
        let Some(me) = me.as_array() else {
            return Selector::Broken;
        };
        for r in me {
            let key = o_str(r, "key").to_string();
            let op = o_str(r, "operator").to_string();
            let vals: Vec<String> = r
                .get("values")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect();
            let ok = match op.as_str() {
                "In" | "NotIn" => !vals.is_empty(),
                "Exists" | "DoesNotExist" => vals.is_empty(),
                _ => false,
            };
            if !ok || !is_qualified_name(&key).is_empty() {
                return Selector::Broken;
            }
            reqs.push((key, op, vals));
        }
    }
    Selector::Reqs(reqs)
}

/// `ValidateLabelSelector`.
fn validate_label_selector(v: Option<&Value>, p: &P, e: &mut Errs) {
    let Some(s) = obj_at(v, p, e) else { return };
    validate_labels(s.get("matchLabels"), &p.c("matchLabels"), e);
    let mp = p.c("matchExpressions");
    for (i, r) in arr_at(s.get("matchExpressions"), &mp, e).iter().enumerate() {
        let ip = mp.i(i);
        if obj_at(Some(r), &ip, e).is_none() {
            continue;
        }
        let op = str_at(get(r, "operator"), &ip.c("operator"), e);
        let vals = strings_at(get(r, "values"), &ip.c("values"), e);
        validate_requirement_operator(op, vals.len(), false, &ip, e);
        let key = str_at(get(r, "key"), &ip.c("key"), e);
        validate_qualified_name(key, &ip.c("key"), e);
        for (j, val) in vals.iter().enumerate() {
            for m in is_valid_label_value(val) {
                e.push(invalid(&ip.c("values").i(j), quote(val), m));
            }
        }
    }
}

fn labels_map(v: Option<&Value>) -> BTreeMap<String, String> {
    v.and_then(Value::as_object)
        .map(|o| {
            o.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
                .collect()
        })
        .unwrap_or_default()
}

/// The selector part shared by the apps kinds: required, valid, non-empty, and the template
/// (at `spec.template`) validated with its labels matched. `restart`: the allowed restart
/// policies of the template.
fn validate_selector_and_template(spec: &Value, sp: &P, what: &str, e: &mut Errs) {
    let sel_v = get(spec, "selector");
    let sel_p = sp.c("selector");
    match sel_v {
        None => e.push(required(&sel_p, "")),
        Some(s) => {
            validate_label_selector(Some(s), &sel_p, e);
            let n = s
                .get("matchLabels")
                .and_then(Value::as_object)
                .map_or(0, Map::len)
                + s.get("matchExpressions")
                    .and_then(Value::as_array)
                    .map_or(0, Vec::len);
            if n == 0 {
                e.push(invalid(
                    &sel_p,
                    render_selector(Some(s)),
                    format!("empty selector is invalid for {what}"),
                ));
            }
        }
    }
    let selector = parse_selector(sel_v);
    let tp = sp.c("template");
    let template = get(spec, "template");
    if matches!(selector, Selector::Broken) {
        e.push(invalid(
            &sel_p,
            render_selector(sel_v),
            "invalid label selector",
        ));
    } else if !selector.is_empty() && !selector.matches(&labels_map(template_labels(template))) {
        e.push(invalid(
            &tp.c("metadata").c("labels"),
            render_string_map(template_labels(template)),
            "`selector` does not match template `labels`",
        ));
    }
    validate_pod_template_spec(template, &tp, false, e);
}

/// The template rules of the long-running workloads: restartPolicy Always, no
/// activeDeadlineSeconds.
fn validate_always_restart(spec: &Value, sp: &P, kind: &str, forbid_deadline: bool, e: &mut Errs) {
    let tsp = sp.c("template").c("spec");
    let tspec = get(spec, "template").and_then(|t| get(t, "spec"));
    let rp = tspec.map_or("", |s| o_str(s, "restartPolicy"));
    if rp != "Always" {
        e.push(not_supported(
            &tsp.c("restartPolicy"),
            quote(rp),
            &["Always"],
        ));
    }
    if let Some(ads) = tspec.and_then(|s| get(s, "activeDeadlineSeconds")) {
        if kind == "DaemonSet" {
            e.push(invalid(
                &tsp.c("activeDeadlineSeconds"),
                render(ads),
                "activeDeadlineSeconds must be nil for daemons",
            ));
        } else if forbid_deadline {
            e.push(forbidden(
                &tsp.c("activeDeadlineSeconds"),
                format!("activeDeadlineSeconds in {kind} is not Supported"),
            ));
        } else {
            e.push(invalid(
                &tsp.c("activeDeadlineSeconds"),
                render(ads),
                format!("activeDeadlineSeconds in {kind} is not Supported"),
            ));
        }
    }
}

fn spec_of(obj: &Value) -> &Value {
    get(obj, "spec").unwrap_or(&Value::Null)
}

fn spec_obj<'a>(obj: &'a Value, e: &mut Errs) -> Option<&'a Value> {
    let s = get(obj, "spec");
    obj_at(s, &P::root("spec"), e).and(s)
}

fn validate_selector_immutable(obj: &Value, old: Option<&Value>, e: &mut Errs) {
    let Some(old) = old else { return };
    let n = get(spec_of(obj), "selector");
    let o = get(spec_of(old), "selector");
    if n.map(normalize) != o.map(normalize) {
        e.push(invalid(
            &P::root("spec").c("selector"),
            render_selector(n),
            IMMUTABLE,
        ));
    }
}

fn validate_int_or_percent(v: Option<&Value>, p: &P, e: &mut Errs) -> Option<i64> {
    match v {
        None | Some(Value::Null) => Some(0),
        Some(Value::Number(n)) => {
            let i = n.as_i64().unwrap_or(-1);
            if i < 0 {
                e.push(invalid(p, n.to_string(), NEGATIVE));
            }
            Some(i)
        }
        Some(Value::String(s)) => {
            let pct = s.strip_suffix('%').and_then(|d| d.parse::<i64>().ok());
            match pct {
                None => {
                    e.push(invalid(p, quote(s), "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"));
                    None
                }
                Some(n) => {
                    if n > 100 {
                        e.push(invalid(p, quote(s), "must not be greater than 100%"));
                    }
                    Some(n)
                }
            }
        }
        Some(other) => {
            e.push(type_error(p, other, "integer or string"));
            None
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Workloads

fn validate_replication_controller(obj: &Value, e: &mut Errs) {
    let sp = P::root("spec");
    let Some(spec) = spec_obj(obj, e) else { return };
    validate_nonnegative(
        int_at(get(spec, "minReadySeconds"), &sp.c("minReadySeconds"), e),
        &sp.c("minReadySeconds"),
        e,
    );
    let selector = string_map_at(get(spec, "selector"), &sp.c("selector"), e);
    if selector.is_empty() {
        e.push(required(&sp.c("selector"), ""));
    }
    validate_nonnegative(
        int_at(get(spec, "replicas"), &sp.c("replicas"), e),
        &sp.c("replicas"),
        e,
    );
    let tp = sp.c("template");
    let template = get(spec, "template");
    if template.is_some() {
        if !selector.is_empty() {
            let labels = labels_map(template_labels(template));
            if !selector.iter().all(|(k, v)| labels.get(k) == Some(v)) {
                e.push(invalid(
                    &tp.c("metadata").c("labels"),
                    render_string_map(template_labels(template)),
                    "`selector` does not match template `labels`",
                ));
            }
        }
        validate_pod_template_spec(template, &tp, true, e);
        validate_always_restart(spec, &sp, "ReplicationController", true, e);
    } else {
        e.push(required(&tp, ""));
    }
}

fn validate_deployment(obj: &Value, e: &mut Errs) {
    let sp = P::root("spec");
    let Some(spec) = spec_obj(obj, e) else {
        e.push(required(&sp.c("selector"), ""));
        return;
    };
    validate_nonnegative(
        int_at(get(spec, "replicas"), &sp.c("replicas"), e),
        &sp.c("replicas"),
        e,
    );
    validate_selector_and_template(spec, &sp, "deployment", e);
    validate_always_restart(spec, &sp, "ReplicaSet", false, e);
    // Strategy.
    let stp = sp.c("strategy");
    if let Some(st) = get(spec, "strategy").filter(|s| s.is_object()) {
        let t = str_at(get(st, "type"), &stp.c("type"), e);
        let ru = get(st, "rollingUpdate");
        match t {
            "Recreate" => {
                if ru.is_some() {
                    e.push(forbidden(
                        &stp.c("rollingUpdate"),
                        "may not be specified when strategy `type` is 'Recreate'",
                    ));
                }
            }
            "RollingUpdate" => match ru {
                None => e.push(required(
                    &stp.c("rollingUpdate"),
                    "this should be defaulted and never be nil",
                )),
                Some(ru) => {
                    let rp = stp.c("rollingUpdate");
                    let mu = validate_int_or_percent(
                        get(ru, "maxUnavailable"),
                        &rp.c("maxUnavailable"),
                        e,
                    );
                    let ms = validate_int_or_percent(get(ru, "maxSurge"), &rp.c("maxSurge"), e);
                    if mu == Some(0) && ms == Some(0) {
                        e.push(invalid(
                            &rp.c("maxUnavailable"),
                            render_opt(get(ru, "maxUnavailable")),
                            "may not be 0 when `maxSurge` is 0",
                        ));
                    }
                }
            },
            other => e.push(not_supported(
                &stp.c("type"),
                quote(other),
                &["Recreate", "RollingUpdate"],
            )),
        }
    }
    let min_ready = int_at(get(spec, "minReadySeconds"), &sp.c("minReadySeconds"), e);
    validate_nonnegative(min_ready, &sp.c("minReadySeconds"), e);
    validate_nonnegative(
        int_at(
            get(spec, "revisionHistoryLimit"),
            &sp.c("revisionHistoryLimit"),
            e,
        ),
        &sp.c("revisionHistoryLimit"),
        e,
    );
    if let Some(pd) = int_at(
        get(spec, "progressDeadlineSeconds"),
        &sp.c("progressDeadlineSeconds"),
        e,
    ) {
        if pd <= 0 {
            e.push(invalid(
                &sp.c("progressDeadlineSeconds"),
                pd.to_string(),
                "must be greater than 0",
            ));
        }
        if pd <= min_ready.unwrap_or(0) {
            e.push(invalid(
                &sp.c("progressDeadlineSeconds"),
                pd.to_string(),
                "must be greater than minReadySeconds",
            ));
        }
    }
}

fn validate_replica_set(obj: &Value, e: &mut Errs) {
    let sp = P::root("spec");
    let Some(spec) = spec_obj(obj, e) else {
        e.push(required(&sp.c("selector"), ""));
        return;
    };
    validate_nonnegative(
        int_at(get(spec, "replicas"), &sp.c("replicas"), e),
        &sp.c("replicas"),
        e,
    );
    validate_nonnegative(
        int_at(get(spec, "minReadySeconds"), &sp.c("minReadySeconds"), e),
        &sp.c("minReadySeconds"),
        e,
    );
    validate_selector_and_template(spec, &sp, "deployment", e);
    validate_always_restart(spec, &sp, "ReplicaSet", false, e);
}

fn validate_stateful_set(obj: &Value, old: Option<&Value>, e: &mut Errs) {
    let sp = P::root("spec");
    let Some(spec) = spec_obj(obj, e) else {
        e.push(required(&sp.c("selector"), ""));
        return;
    };
    match str_at(
        get(spec, "podManagementPolicy"),
        &sp.c("podManagementPolicy"),
        e,
    ) {
        "" => e.push(required(&sp.c("podManagementPolicy"), "")),
        "OrderedReady" | "Parallel" => {}
        other => e.push(invalid(
            &sp.c("podManagementPolicy"),
            quote(other),
            "must be 'OrderedReady' or 'Parallel'",
        )),
    }
    let usp = sp.c("updateStrategy");
    let us = get(spec, "updateStrategy");
    let us_type = us.map_or("", |u| o_str(u, "type"));
    match us_type {
        "" => e.push(required(&usp, "")),
        "OnDelete" => {
            if us.and_then(|u| get(u, "rollingUpdate")).is_some() {
                e.push(invalid(
                    &usp.c("rollingUpdate"),
                    "null".into(),
                    "only allowed for updateStrategy 'RollingUpdate'",
                ));
            }
        }
        "RollingUpdate" => {
            if let Some(ru) = us.and_then(|u| get(u, "rollingUpdate")) {
                let pp = usp.c("rollingUpdate").c("partition");
                validate_nonnegative(int_at(get(ru, "partition"), &pp, e), &pp, e);
            }
        }
        other => e.push(invalid(
            &usp,
            quote(other),
            "must be 'RollingUpdate' or 'OnDelete'",
        )),
    }
    validate_nonnegative(
        int_at(get(spec, "replicas"), &sp.c("replicas"), e),
        &sp.c("replicas"),
        e,
    );
    validate_nonnegative(
        int_at(get(spec, "minReadySeconds"), &sp.c("minReadySeconds"), e),
        &sp.c("minReadySeconds"),
        e,
    );
    validate_selector_and_template(spec, &sp, "statefulset", e);
    validate_always_restart(spec, &sp, "StatefulSet", true, e);
    if let Some(old) = old {
        // Only some spec fields may change.
        let strip = |v: &Value| {
            let mut v = normalize(v);
            if let Some(o) = v.as_object_mut() {
                for k in [
                    "replicas",
                    "template",
                    "updateStrategy",
                    "minReadySeconds",
                    "ordinals",
                    "revisionHistoryLimit",
                    "persistentVolumeClaimRetentionPolicy",
                ] {
                    o.remove(k);
                }
            }
            v
        };
        if strip(spec) != strip(spec_of(old)) {
            e.push(forbidden(&sp, "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"));
        }
    }
}

fn validate_daemon_set(obj: &Value, e: &mut Errs) {
    let sp = P::root("spec");
    let Some(spec) = spec_obj(obj, e) else {
        e.push(required(&sp.c("selector"), ""));
        return;
    };
    validate_selector_and_template(spec, &sp, "daemonset", e);
    validate_always_restart(spec, &sp, "DaemonSet", true, e);
    validate_nonnegative(
        int_at(get(spec, "minReadySeconds"), &sp.c("minReadySeconds"), e),
        &sp.c("minReadySeconds"),
        e,
    );
    validate_nonnegative(
        int_at(
            get(spec, "revisionHistoryLimit"),
            &sp.c("revisionHistoryLimit"),
            e,
        ),
        &sp.c("revisionHistoryLimit"),
        e,
    );
    let usp = sp.c("updateStrategy");
    if let Some(us) = get(spec, "updateStrategy") {
        match o_str(us, "type") {
            "OnDelete" => {}
            "RollingUpdate" => {
                if let Some(ru) = get(us, "rollingUpdate") {
                    let rp = usp.c("rollingUpdate");
                    let mu = validate_int_or_percent(
                        get(ru, "maxUnavailable"),
                        &rp.c("maxUnavailable"),
                        e,
                    );
                    let ms = validate_int_or_percent(get(ru, "maxSurge"), &rp.c("maxSurge"), e);
                    if mu == Some(0) && ms == Some(0) {
                        e.push(invalid(
                            &rp.c("maxUnavailable"),
                            render_opt(get(ru, "maxUnavailable")),
                            "may not be 0 when `maxSurge` is 0",
                        ));
                    }
                }
            }
            other => e.push(not_supported(
                &usp.c("type"),
                quote(other),
                &["OnDelete", "RollingUpdate"],
            )),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Jobs and CronJobs

/// `validateJobSpec` (common to Jobs and job templates) at `sp`.
fn validate_job_spec(spec: &Value, sp: &P, require_selector: bool, e: &mut Errs) {
    for f in [
        "parallelism",
        "completions",
        "activeDeadlineSeconds",
        "backoffLimit",
        "ttlSecondsAfterFinished",
    ] {
        validate_nonnegative(int_at(get(spec, f), &sp.c(f), e), &sp.c(f), e);
    }
    if let Some(cm) = get(spec, "completionMode") {
        let cm = str_at(Some(cm), &sp.c("completionMode"), e);
        if cm != "NonIndexed" && cm != "Indexed" {
            e.push(not_supported(
                &sp.c("completionMode"),
                quote(cm),
                &["NonIndexed", "Indexed"],
            ));
        }
        if cm == "Indexed" && get(spec, "completions").is_none() {
            e.push(required(
                &sp.c("completions"),
                "when completion mode is Indexed",
            ));
        }
    }
    let sel_v = get(spec, "selector");
    match sel_v {
        None if require_selector => e.push(required(&sp.c("selector"), "")),
        None => {}
        Some(s) => validate_label_selector(Some(s), &sp.c("selector"), e),
    }
    let template = get(spec, "template");
    let tp = sp.c("template");
    if sel_v.is_some() {
        let selector = parse_selector(sel_v);
        if !matches!(selector, Selector::Broken)
            && !selector.matches(&labels_map(template_labels(template)))
        {
            e.push(invalid(
                &tp.c("metadata").c("labels"),
                render_string_map(template_labels(template)),
                "`selector` does not match template `labels`",
            ));
        }
    }
    validate_pod_template_spec(template, &tp, false, e);
    let rp = template
        .and_then(|t| get(t, "spec"))
        .map_or("", |s| o_str(s, "restartPolicy"));
    if rp != "OnFailure" && rp != "Never" {
        e.push(not_supported(
            &tp.c("spec").c("restartPolicy"),
            quote(rp),
            &["OnFailure", "Never"],
        ));
    }
}

fn validate_job(obj: &Value, old: Option<&Value>, e: &mut Errs) {
    let sp = P::root("spec");
    let Some(spec) = spec_obj(obj, e) else {
        e.push(required(&sp.c("selector"), ""));
        return;
    };
    // validateGeneratedSelector: the selector must match the job's uid.
    let manual = get(spec, "manualSelector").and_then(Value::as_bool) == Some(true);
    let uid = get(obj, "metadata").map_or("", |m| o_str(m, "uid"));
    if !manual && !uid.is_empty() && get(spec, "selector").is_some() {
        let selector = parse_selector(get(spec, "selector"));
        let expected = BTreeMap::from([(
            "batch.kubernetes.io/controller-uid".to_string(),
            uid.to_string(),
        )]);
        if !matches!(selector, Selector::Broken) && !selector.matches(&expected) {
            e.push(invalid(
                &sp.c("selector"),
                render_selector(get(spec, "selector")),
                "`selector` not auto-generated",
            ));
        }
    }
    validate_job_spec(spec, &sp, true, e);
    let name = get(obj, "metadata").map_or("", |m| o_str(m, "name"));
    if o_str(spec, "completionMode") == "Indexed"
        && let Some(c) = get(spec, "completions")
            .and_then(Value::as_i64)
            .filter(|c| *c > 0)
    {
        let host = format!("{name}-{}", c - 1);
        if !is_dns1123_label(&host).is_empty() {
            e.push(invalid(
                &P::root("metadata").c("name"),
                quote(name),
                format!("will not able to create pod with invalid DNS label: {host}"),
            ));
        }
    }
    if let Some(old) = old {
        let os = spec_of(old);
        if get(spec, "selector").map(normalize) != get(os, "selector").map(normalize) {
            e.push(invalid(
                &sp.c("selector"),
                render_selector(get(spec, "selector")),
                IMMUTABLE,
            ));
        }
        if get(spec, "template").map(normalize) != get(os, "template").map(normalize) {
            e.push(invalid(
                &sp.c("template"),
                render_opt(get(spec, "template")),
                IMMUTABLE,
            ));
        }
        if get(spec, "completionMode") != get(os, "completionMode") {
            e.push(invalid(
                &sp.c("completionMode"),
                render_opt(get(spec, "completionMode")),
                IMMUTABLE,
            ));
        }
        if o_str(spec, "completionMode") != "Indexed"
            && get(spec, "completions") != get(os, "completions")
        {
            e.push(invalid(
                &sp.c("completions"),
                render_opt(get(spec, "completions")),
                IMMUTABLE,
            ));
        }
    }
}

fn validate_cron_job(obj: &Value, old: Option<&Value>, e: &mut Errs) {
    let sp = P::root("spec");
    let name = get(obj, "metadata").map_or("", |m| o_str(m, "name"));
    if old.is_none() && name.len() > 52 {
        e.push(invalid(
            &P::root("metadata").c("name"),
            quote(name),
            "must be no more than 52 characters",
        ));
    }
    let Some(spec) = spec_obj(obj, e) else {
        e.push(required(&sp.c("schedule"), ""));
        return;
    };
    let schedule = str_at(get(spec, "schedule"), &sp.c("schedule"), e);
    if schedule.is_empty() {
        e.push(required(&sp.c("schedule"), ""));
    } else {
        if let Err(msg) = parse_cron(schedule) {
            e.push(invalid(&sp.c("schedule"), quote(schedule), msg));
        }
        let allow_tz = old.is_some_and(|o| o_str(spec_of(o), "schedule").contains("TZ"));
        if allow_tz && schedule.contains("TZ") && get(spec, "timeZone").is_some() {
            e.push(invalid(
                &sp.c("schedule"),
                quote(schedule),
                "cannot use both timeZone field and TZ or CRON_TZ in schedule",
            ));
        } else if !allow_tz && schedule.contains("TZ") {
            e.push(invalid(
                &sp.c("schedule"),
                quote(schedule),
                "cannot use TZ or CRON_TZ in schedule, use timeZone field instead",
            ));
        }
    }
    validate_nonnegative(
        int_at(
            get(spec, "startingDeadlineSeconds"),
            &sp.c("startingDeadlineSeconds"),
            e,
        ),
        &sp.c("startingDeadlineSeconds"),
        e,
    );
    if let Some(tz) = get(spec, "timeZone") {
        let tz = str_at(Some(tz), &sp.c("timeZone"), e);
        // Upstream loads the zone from the tz database; here only its shape is checked.
        let plausible = !tz.is_empty()
            && tz
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'_' | b'-' | b'+'));
        if tz == "Local" {
            e.push(invalid(
                &sp.c("timeZone"),
                quote(tz),
                "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones",
            ));
        } else if !plausible {
            e.push(invalid(
                &sp.c("timeZone"),
                quote(tz),
                format!("unknown time zone {tz}"),
            ));
        }
    }
    let cp = str_at(
        get(spec, "concurrencyPolicy"),
        &sp.c("concurrencyPolicy"),
        e,
    );
    validate_enum(
        cp,
        &sp.c("concurrencyPolicy"),
        &["Allow", "Forbid", "Replace"],
        e,
    );
    let jtp = sp.c("jobTemplate");
    let jt = get(spec, "jobTemplate");
    if obj_at(jt, &jtp, e).is_some() || jt.is_none() {
        let empty = Value::Object(Obj::new());
        let jt = jt.unwrap_or(&empty);
        if let Some(md) = get(jt, "metadata") {
            validate_labels(get(md, "labels"), &jtp.c("metadata").c("labels"), e);
            validate_annotations(
                get(md, "annotations"),
                &jtp.c("metadata").c("annotations"),
                e,
            );
        }
        let jsp = jtp.c("spec");
        let js = get(jt, "spec").filter(|s| s.is_object()).unwrap_or(&empty);
        validate_job_spec(js, &jsp, false, e);
        if let Some(sel) = get(js, "selector") {
            e.push(invalid(
                &jsp.c("selector"),
                render_selector(Some(sel)),
                "`selector` will be auto-generated",
            ));
        }
        if get(js, "manualSelector").and_then(Value::as_bool) == Some(true) {
            e.push(not_supported(
                &jsp.c("manualSelector"),
                "true".into(),
                &["nil", "false"],
            ));
        }
    }
    for f in ["successfulJobsHistoryLimit", "failedJobsHistoryLimit"] {
        validate_nonnegative(int_at(get(spec, f), &sp.c(f), e), &sp.c(f), e);
    }
}

/// robfig/cron's `ParseStandard` (5 fields or a descriptor), with its error texts.
fn parse_cron(spec: &str) -> Result<(), String> {
    let mut s = spec.trim();
    if s.is_empty() {
        return Err("empty spec string".into());
    }
    if s.starts_with("TZ=") || s.starts_with("CRON_TZ=") {
        match s.split_once(' ') {
            Some((_, rest)) => s = rest.trim(),
            None => {
                return Err(format!(
                    "provided bad location {}: unknown time zone",
                    s.split_once('=').map_or("", |x| x.1)
                ));
            }
        }
    }
    if let Some(d) = s.strip_prefix('@') {
        return match d {
            "yearly" | "annually" | "monthly" | "weekly" | "daily" | "midnight" | "hourly" => {
                Ok(())
            }
            _ if d.starts_with("every ") => {
                let dur = d.trim_start_matches("every ").trim();
                if parse_go_duration(dur) {
                    Ok(())
                } else {
                    Err(format!(
                        "failed to parse duration {s}: time: invalid duration {}",
                        quote(dur)
                    ))
                }
            }
            _ => Err(format!("unrecognized descriptor: {s}")),
        };
    }
    let fields: Vec<&str> = s.split_whitespace().collect();
    if fields.len() != 5 {
        return Err(format!(
            "expected exactly 5 fields, found {}: [{}]",
            fields.len(),
            fields.join(" ")
        ));
    }
    const MONTHS: &[&str] = &[
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    const DOWS: &[&str] = &["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
    let bounds: [(u64, u64, &[&str], u64); 5] = [
        (0, 59, &[], 0),
        (0, 23, &[], 0),
        (1, 31, &[], 0),
        (1, 12, MONTHS, 1),
        (0, 6, DOWS, 0),
    ];
    for (field, (min, max, names, base)) in fields.iter().zip(bounds) {
        for expr in field.split(',') {
            cron_range(expr, min, max, names, base)?;
        }
    }
    Ok(())
}

fn cron_int(expr: &str) -> Result<u64, String> {
    match expr.parse::<i64>() {
        Ok(n) if n < 0 => Err(format!("negative number ({n}) not allowed: {expr}")),
        Ok(n) => Ok(n.unsigned_abs()),
        Err(_) => Err(format!(
            "failed to parse int from {expr}: strconv.Atoi: parsing {}: invalid syntax",
            quote(expr)
        )),
    }
}

fn cron_int_or_name(expr: &str, names: &[&str], base: u64) -> Result<u64, String> {
    let lower = expr.to_ascii_lowercase();
    if let Some(i) = names.iter().position(|n| *n == lower) {
        return Ok(i as u64 + base);
    }
    cron_int(expr)
}

fn cron_range(expr: &str, min: u64, max: u64, names: &[&str], base: u64) -> Result<(), String> {
    let range_and_step: Vec<&str> = expr.split('/').collect();
    let low_high: Vec<&str> = range_and_step[0].split('-').collect();
    let (start, mut end);
    if low_high[0] == "*" || low_high[0] == "?" {
        start = min;
        end = max;
    } else {
        start = cron_int_or_name(low_high[0], names, base)?;
        end = match low_high.len() {
            1 => start,
            2 => cron_int_or_name(low_high[1], names, base)?,
            _ => return Err(format!("too many hyphens: {expr}")),
        };
    }
    let step = match range_and_step.len() {
        1 => 1,
        2 => {
            let step = cron_int(range_and_step[1])?;
            if low_high.len() == 1 {
                end = max;
            }
            step
        }
        _ => return Err(format!("too many slashes: {expr}")),
    };
    if start < min {
        return Err(format!(
            "beginning of range ({start}) below minimum ({min}): {expr}"
        ));
    }
    if end > max {
        return Err(format!(
            "end of range ({end}) above maximum ({max}): {expr}"
        ));
    }
    if start > end {
        return Err(format!(
            "beginning of range ({start}) beyond end of range ({end}): {expr}"
        ));
    }
    if step == 0 {
        return Err(format!("step of range should be a positive number: {expr}"));
    }
    Ok(())
}

/// Whether Go's `time.ParseDuration` accepts `s` (e.g. `1h30m`, `90s`, `1.5h`).
fn parse_go_duration(s: &str) -> bool {
    let s = s.strip_prefix(['+', '-']).unwrap_or(s);
    if s == "0" {
        return true;
    }
    if s.is_empty() {
        return false;
    }
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let start = i;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'.') {
            i += 1;
        }
        if i == start {
            return false;
        }
        let unit_start = i;
        while i < b.len() && !(b[i].is_ascii_digit() || b[i] == b'.') {
            i += 1;
        }
        if !matches!(
            &s[unit_start..i],
            "ns" | "us" | "µs" | "μs" | "ms" | "s" | "m" | "h"
        ) {
            return false;
        }
    }
    true
}

// ---------------------------------------------------------------------------------------------
// Services

const SERVICE_TYPES: &[&str] = &["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"];

fn cluster_ips(spec: &Value) -> Vec<String> {
    match spec.get("clusterIPs").and_then(Value::as_array) {
        Some(a) if !a.is_empty() => a
            .iter()
            .map(|v| v.as_str().unwrap_or("").to_string())
            .collect(),
        _ => {
            let ip = o_str(spec, "clusterIP");
            if ip.is_empty() {
                Vec::new()
            } else {
                vec![ip.to_string()]
            }
        }
    }
}

fn is_headless(spec: &Value) -> bool {
    let ips = cluster_ips(spec);
    ips.len() == 1 && ips[0] == "None"
}

fn render_ips(ips: &[String]) -> String {
    if ips.is_empty() {
        return "[]string(nil)".into();
    }
    format!(
        "[]string{{{}}}",
        ips.iter().map(|s| quote(s)).collect::<Vec<_>>().join(", ")
    )
}

fn validate_service(obj: &Value, old: Option<&Value>, e: &mut Errs) {
    let sp = P::root("spec");
    if let Some(old) = old {
        validate_service_cluster_ip_update(spec_of(old), spec_of(obj), e);
    }
    let Some(spec) = spec_obj(obj, e) else {
        e.push(required(&sp.c("ports"), ""));
        return;
    };
    let svc_type = str_at(get(spec, "type"), &sp.c("type"), e);
    let headless = is_headless(spec);
    let ports = arr_at(get(spec, "ports"), &sp.c("ports"), e);
    if ports.is_empty() && !headless && svc_type != "ExternalName" {
        e.push(required(&sp.c("ports"), ""));
    }
    let ips = cluster_ips(spec);
    match svc_type {
        "LoadBalancer" | "NodePort" => {
            if headless {
                e.push(invalid(
                    &sp.c("clusterIPs").i(0),
                    quote("None"),
                    format!("may not be set to 'None' for {svc_type} services"),
                ));
            }
            if svc_type == "LoadBalancer" {
                for (i, port) in ports.iter().enumerate() {
                    if port.get("port").and_then(Value::as_i64) == Some(10250) {
                        e.push(invalid(
                            &sp.c("ports").i(i),
                            "10250".into(),
                            "may not expose port 10250 externally since it is used by kubelet",
                        ));
                    }
                }
            }
        }
        "ExternalName" => {
            if !ips.is_empty() {
                e.push(forbidden(
                    &sp.c("clusterIPs"),
                    "may not be set for ExternalName services",
                ));
            }
            if spec
                .get("ipFamilies")
                .and_then(Value::as_array)
                .is_some_and(|a| !a.is_empty())
            {
                e.push(forbidden(
                    &sp.c("ipFamilies"),
                    "may not be set for ExternalName services",
                ));
            }
            if get(spec, "ipFamilyPolicy").is_some() {
                e.push(forbidden(
                    &sp.c("ipFamilyPolicy"),
                    "may not be set for ExternalName services",
                ));
            }
            let ext = str_at(get(spec, "externalName"), &sp.c("externalName"), e);
            let cname = ext.strip_suffix('.').unwrap_or(ext);
            if cname.is_empty() {
                e.push(required(&sp.c("externalName"), ""));
            } else {
                validate_dns1123_subdomain(cname, &sp.c("externalName"), e);
            }
        }
        _ => {}
    }
    let mut names = BTreeSet::new();
    for (i, port) in ports.iter().enumerate() {
        let pp = sp.c("ports").i(i);
        if obj_at(Some(port), &pp, e).is_none() {
            continue;
        }
        let name = str_at(get(port, "name"), &pp.c("name"), e);
        if ports.len() > 1 && name.is_empty() {
            e.push(required(&pp.c("name"), ""));
        } else if !name.is_empty() {
            validate_dns1123_label(name, &pp.c("name"), e);
            if !names.insert(name.to_string()) {
                e.push(duplicate(&pp.c("name"), quote(name)));
            }
        }
        let num = int_at(get(port, "port"), &pp.c("port"), e).unwrap_or(0);
        for m in is_valid_port_num(num) {
            e.push(invalid(&pp.c("port"), num.to_string(), m));
        }
        let proto = str_at(get(port, "protocol"), &pp.c("protocol"), e);
        validate_enum(proto, &pp.c("protocol"), PROTOCOLS, e);
        validate_port_num_or_name(get(port, "targetPort"), &pp.c("targetPort"), e);
        if let Some(ap) = get(port, "appProtocol") {
            let ap = str_at(Some(ap), &pp.c("appProtocol"), e);
            validate_qualified_name(ap, &pp.c("appProtocol"), e);
        }
        if let Some(np) = int_at(get(port, "nodePort"), &pp.c("nodePort"), e).filter(|n| *n != 0) {
            for m in is_valid_port_num(np) {
                e.push(invalid(&pp.c("nodePort"), np.to_string(), m));
            }
        }
    }
    validate_labels(get(spec, "selector"), &sp.c("selector"), e);
    let aff = str_at(get(spec, "sessionAffinity"), &sp.c("sessionAffinity"), e);
    validate_enum(aff, &sp.c("sessionAffinity"), &["ClientIP", "None"], e);
    if aff == "None" && get(spec, "sessionAffinityConfig").is_some() {
        e.push(forbidden(
            &sp.c("sessionAffinityConfig"),
            "must not be set when session affinity is None",
        ));
    }
    if aff == "ClientIP" {
        let tp = sp
            .c("sessionAffinityConfig")
            .c("clientIP")
            .c("timeoutSeconds");
        let t = get(spec, "sessionAffinityConfig")
            .and_then(|c| get(c, "clientIP"))
            .and_then(|c| get(c, "timeoutSeconds"));
        match int_at(t, &tp, e) {
            None => e.push(required(&tp, "")),
            Some(t) if !(1..=86400).contains(&t) => {
                e.push(invalid(&tp, t.to_string(), inclusive_range_error(1, 86400)))
            }
            _ => {}
        }
    }
    // clusterIP / clusterIPs.
    if svc_type != "ExternalName" {
        let cip_p = sp.c("clusterIPs");
        let first = o_str(spec, "clusterIP");
        if let Some(list) = spec
            .get("clusterIPs")
            .and_then(Value::as_array)
            .filter(|a| !a.is_empty())
            && list.first().and_then(Value::as_str) != Some(first)
        {
            e.push(invalid(
                &cip_p,
                render_ips(&ips),
                "first value must match `clusterIP`",
            ));
        }
        if ips.len() > 2 {
            e.push(invalid(
                &cip_p,
                render_ips(&ips),
                "may only hold up to 2 values",
            ));
        }
        if ips.len() > 1 && ips[0] == "None" {
            e.push(invalid(
                &cip_p,
                render_ips(&ips),
                "must not have additional IPs when the first is 'None'",
            ));
        }
        for (i, ip) in ips.iter().enumerate() {
            if i == 0 && ip == "None" {
                continue;
            }
            if ip.parse::<std::net::IpAddr>().is_err() {
                e.push(invalid(
                    &cip_p.i(i),
                    quote(ip),
                    "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)",
                ));
            }
        }
    }
    for (i, ip) in strings_at(get(spec, "externalIPs"), &sp.c("externalIPs"), e)
        .iter()
        .enumerate()
    {
        if ip.parse::<std::net::IpAddr>().is_err() {
            e.push(invalid(
                &sp.c("externalIPs").i(i),
                quote(ip),
                "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)",
            ));
        }
    }
    if svc_type.is_empty() {
        e.push(required(&sp.c("type"), ""));
    } else if !SERVICE_TYPES.contains(&svc_type) {
        e.push(not_supported(&sp.c("type"), quote(svc_type), SERVICE_TYPES));
    }
    if svc_type == "ClusterIP" {
        for (i, port) in ports.iter().enumerate() {
            if port
                .get("nodePort")
                .and_then(Value::as_i64)
                .is_some_and(|n| n != 0)
            {
                e.push(forbidden(
                    &sp.c("ports").i(i).c("nodePort"),
                    "may not be used when `type` is 'ClusterIP'",
                ));
            }
        }
    }
    let mut node_ports = BTreeSet::new();
    let mut port_keys = BTreeSet::new();
    for (i, port) in ports.iter().enumerate() {
        let proto = o_str(port, "protocol");
        let np = port.get("nodePort").and_then(Value::as_i64).unwrap_or(0);
        if np != 0 && !node_ports.insert((proto.to_string(), np)) {
            e.push(duplicate(&sp.c("ports").i(i).c("nodePort"), np.to_string()));
        }
        let num = port.get("port").and_then(Value::as_i64).unwrap_or(0);
        if !port_keys.insert((proto.to_string(), num)) {
            e.push(duplicate(
                &sp.c("ports").i(i),
                format!("core.ServicePort{{Name:\"\", Protocol:{}, AppProtocol:(*string)(nil), Port:{num}, TargetPort:intstr.IntOrString{{Type:0, IntVal:0, StrVal:\"\"}}, NodePort:0}}", quote(proto)),
            ));
        }
    }
    for (f, valid) in [
        ("externalTrafficPolicy", &["Cluster", "Local"][..]),
        ("internalTrafficPolicy", &["Cluster", "Local"][..]),
    ] {
        if let Some(v) = get(spec, f) {
            let v = str_at(Some(v), &sp.c(f), e);
            if !valid.contains(&v) {
                e.push(not_supported(&sp.c(f), quote(v), valid));
            }
        }
    }
}

/// `validateUpgradeDowngradeClusterIPs`: the cluster IPs may not change once set, except to
/// or from ExternalName, or between headless services.
fn validate_service_cluster_ip_update(old: &Value, new: &Value, e: &mut Errs) {
    if o_str(new, "type") == "ExternalName" || o_str(old, "type") == "ExternalName" {
        return;
    }
    if is_headless(old) && is_headless(new) {
        return;
    }
    let o = cluster_ips(old);
    let n = cluster_ips(new);
    let p0 = P::root("spec").c("clusterIPs");
    if o.len() == n.len() {
        for (i, ip) in o.iter().enumerate() {
            if *ip != n[i] {
                e.push(invalid(&p0.i(i), render_ips(&n), "may not change once set"));
            }
        }
    } else if o.len() > n.len() {
        if n.is_empty() {
            e.push(invalid(
                &p0.i(0),
                render_ips(&n),
                "primary clusterIP can not be unset",
            ));
        }
        if !o.is_empty() && !n.is_empty() && n[0] != o[0] {
            e.push(invalid(&p0.i(0), render_ips(&n), "may not change once set"));
        }
        if n.len() == 1 && o_str(new, "ipFamilyPolicy") != "SingleStack" {
            e.push(invalid(&p0.i(0), render_ips(&n), "`ipFamilyPolicy` must be set to 'SingleStack' when releasing the secondary clusterIP"));
        }
    } else if !o.is_empty() && n[0] != o[0] {
        e.push(invalid(&p0.i(0), render_ips(&n), "may not change once set"));
    }
}

// ---------------------------------------------------------------------------------------------
// ConfigMaps, Secrets

const MAX_SECRET_SIZE: usize = 1024 * 1024;

fn base64_decoded_len(s: &str) -> usize {
    let clean: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    let pad = clean.iter().rev().take_while(|b| **b == b'=').count();
    (clean.len() / 4 * 3
        + match clean.len() % 4 {
            2 => 1,
            3 => 2,
            _ => 0,
        })
    .saturating_sub(pad)
}

fn validate_immutable_data(obj: &Value, old: Option<&Value>, fields: &[&str], e: &mut Errs) {
    let Some(old) = old else { return };
    if old.get("immutable").and_then(Value::as_bool) != Some(true) {
        return;
    }
    const MSG: &str = "field is immutable when `immutable` is set";
    if obj.get("immutable").and_then(Value::as_bool) != Some(true) {
        e.push(forbidden(&P::root("immutable"), MSG));
    }
    for f in fields {
        if get(obj, f).map(normalize) != get(old, f).map(normalize) {
            e.push(forbidden(&P::root(f), MSG));
        }
    }
}

fn validate_config_map(obj: &Value, old: Option<&Value>, e: &mut Errs) {
    validate_immutable_data(obj, old, &["data", "binaryData"], e);
    let data = string_map_at(get(obj, "data"), &P::root("data"), e);
    let binary = string_map_at(get(obj, "binaryData"), &P::root("binaryData"), e);
    let mut total = 0;
    for (k, v) in &data {
        let kp = P::root("data").k(k);
        for m in is_config_map_key(k) {
            e.push(invalid(&kp, quote(k), m));
        }
        if binary.contains_key(k) {
            e.push(invalid(
                &kp,
                quote(k),
                "duplicate of key present in binaryData",
            ));
        }
        total += v.len();
    }
    for (k, v) in &binary {
        for m in is_config_map_key(k) {
            e.push(invalid(&P::root("binaryData").k(k), quote(k), m));
        }
        total += base64_decoded_len(v);
    }
    if total > MAX_SECRET_SIZE {
        e.push(too_long(&P::root(""), MAX_SECRET_SIZE));
    }
}

fn validate_secret(obj: &Value, old: Option<&Value>, e: &mut Errs) {
    let dp = P::root("data");
    validate_immutable_data(obj, old, &["data"], e);
    let secret_type = str_at(get(obj, "type"), &P::root("type"), e);
    if let Some(old) = old
        && o_str(old, "type") != secret_type
    {
        e.push(invalid(&P::root("type"), quote(secret_type), IMMUTABLE));
    }
    let data = string_map_at(get(obj, "data"), &dp, e);
    let mut total = 0;
    for (k, v) in &data {
        for m in is_config_map_key(k) {
            e.push(invalid(&dp.k(k), quote(k), m));
        }
        total += base64_decoded_len(v);
    }
    if total > MAX_SECRET_SIZE {
        e.push(too_long(&dp, MAX_SECRET_SIZE));
    }
    let has = |k: &str| data.contains_key(k);
    match secret_type {
        "kubernetes.io/service-account-token" => {
            let sa = get(obj, "metadata")
                .and_then(|m| get(m, "annotations"))
                .map_or("", |a| o_str(a, "kubernetes.io/service-account.name"));
            if sa.is_empty() {
                e.push(required(
                    &P::root("metadata")
                        .c("annotations")
                        .k("kubernetes.io/service-account.name"),
                    "",
                ));
            }
        }
        "kubernetes.io/dockercfg" | "kubernetes.io/dockerconfigjson" => {
            let key = if secret_type == "kubernetes.io/dockercfg" {
                ".dockercfg"
            } else {
                ".dockerconfigjson"
            };
            if !has(key) {
                e.push(required(&dp.k(key), ""));
            }
        }
        "kubernetes.io/basic-auth" if !has("username") && !has("password") => {
            e.push(required(&dp.k("username"), ""));
            e.push(required(&dp.k("password"), ""));
        }
        "kubernetes.io/ssh-auth" if data.get("ssh-privatekey").is_none_or(|v| v.is_empty()) => {
            e.push(required(&dp.k("ssh-privatekey"), ""));
        }
        "kubernetes.io/tls" => {
            for k in ["tls.crt", "tls.key"] {
                if !has(k) {
                    e.push(required(&dp.k(k), ""));
                }
            }
        }
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------------
// Namespaces, Nodes, PVCs, Leases, RBAC

fn validate_namespace(obj: &Value, e: &mut Errs) {
    let fp = P::root("spec").c("finalizers");
    let fins = get(obj, "spec")
        .map(|s| strings_at(get(s, "finalizers"), &fp, e))
        .unwrap_or_default();
    for f in fins {
        validate_qualified_name(&f, &fp, e);
        if !f.contains('/') && !matches!(f.as_str(), "kubernetes" | "orphan" | "foregroundDeletion")
        {
            e.push(invalid(
                &fp,
                quote(&f),
                "name is neither a standard finalizer name nor is it fully qualified",
            ));
        }
    }
}

fn validate_node(obj: &Value, old: Option<&Value>, e: &mut Errs) {
    let sp = P::root("spec");
    let Some(spec) = get(obj, "spec") else { return };
    if obj_at(Some(spec), &sp, e).is_none() {
        return;
    }
    let tp = sp.c("taints");
    let mut seen = BTreeSet::new();
    for (i, t) in arr_at(get(spec, "taints"), &tp, e).iter().enumerate() {
        let ip = tp.i(i);
        let key = str_at(get(t, "key"), &ip.c("key"), e);
        validate_qualified_name(key, &ip.c("key"), e);
        let value = str_at(get(t, "value"), &ip.c("value"), e);
        for m in is_valid_label_value(value) {
            e.push(invalid(&ip.c("value"), quote(value), m));
        }
        let effect = str_at(get(t, "effect"), &ip.c("effect"), e);
        if effect.is_empty() {
            e.push(required(&ip.c("effect"), ""));
        } else if !TAINT_EFFECTS.contains(&effect) {
            e.push(not_supported(&ip.c("effect"), quote(effect), TAINT_EFFECTS));
        }
        if !seen.insert((key.to_string(), effect.to_string())) {
            e.push(duplicate(&tp, render(t)));
        }
    }
    let cidrs = strings_at(get(spec, "podCIDRs"), &sp.c("podCIDRs"), e);
    for (i, c) in cidrs.iter().enumerate() {
        let ok = c.split_once('/').is_some_and(|(ip, bits)| {
            ip.parse::<std::net::IpAddr>().is_ok() && bits.parse::<u8>().is_ok()
        });
        if !ok {
            e.push(invalid(
                &sp.c("podCIDRs").i(i),
                quote(c),
                "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)",
            ));
        }
    }
    if cidrs.len() > 2 {
        e.push(too_many(&sp.c("podCIDRs"), cidrs.len(), 2));
    }
    if let Some(old) = old {
        let os = spec_of(old);
        for f in ["providerID", "podCIDR"] {
            let before = o_str(os, f);
            if !before.is_empty() && before != o_str(spec, f) {
                let detail = if f == "podCIDR" {
                    "node updates may not change podCIDR except from \"\" to valid"
                } else {
                    "node updates may not change providerID except from \"\" to valid"
                };
                e.push(forbidden(&sp.c(f), detail));
            }
        }
    }
}

fn validate_pvc(obj: &Value, e: &mut Errs) {
    let sp = P::root("spec");
    let Some(spec) = spec_obj(obj, e) else {
        e.push(required(
            &sp.c("accessModes"),
            "at least 1 access mode is required",
        ));
        return;
    };
    let modes = strings_at(get(spec, "accessModes"), &sp.c("accessModes"), e);
    if modes.is_empty() && get(spec, "dataSource").is_none() {
        e.push(required(
            &sp.c("accessModes"),
            "at least 1 access mode is required",
        ));
    }
    validate_access_modes(&modes, &sp.c("accessModes"), e);
    let storage = get(spec, "resources")
        .and_then(|r| get(r, "requests"))
        .and_then(|r| get(r, "storage"));
    // Upstream reports the storage request at `spec.resources[storage]`.
    let stp = sp.c("resources").k("storage");
    match storage {
        None => e.push(required(&stp, "")),
        Some(q) => match quantity_of(q) {
            None => e.push(invalid(&stp, render(q), QUANTITY_FORMAT_ERROR)),
            Some(q) if q.nanos <= 0 => e.push(invalid(
                &stp,
                quote(&q.to_string()),
                "must be greater than zero",
            )),
            Some(_) => {}
        },
    }
    if let Some(vm) = get(spec, "volumeMode") {
        let vm = str_at(Some(vm), &sp.c("volumeMode"), e);
        if !["Block", "Filesystem"].contains(&vm) {
            e.push(not_supported(
                &sp.c("volumeMode"),
                quote(vm),
                &["Block", "Filesystem"],
            ));
        }
    }
}

const KEY_USAGES: &[&str] = &[
    "signing",
    "digital signature",
    "content commitment",
    "key encipherment",
    "key agreement",
    "data encipherment",
    "cert sign",
    "crl sign",
    "encipher only",
    "decipher only",
    "any",
    "server auth",
    "client auth",
    "code signing",
    "email protection",
    "s/mime",
    "ipsec end system",
    "ipsec tunnel",
    "ipsec user",
    "timestamping",
    "ocsp signing",
    "microsoft sgc",
    "netscape sgc",
];

/// CertificateSigningRequests (upstream's `ValidateCertificateSigningRequest*`): a PEM
/// `CERTIFICATE REQUEST`, a qualified signer name, known usages, a lifetime of at least ten
/// minutes; conditions of one kind each, Approved and Denied exclusive, and never removed.
fn validate_csr(obj: &Value, old: Option<&Value>, e: &mut Errs) {
    let sp = P::root("spec");
    let spec = get(obj, "spec").cloned().unwrap_or(Value::Null);
    let request = spec.get("request").and_then(Value::as_str).unwrap_or("");
    use base64::Engine;
    match base64::engine::general_purpose::STANDARD.decode(request) {
        Ok(pem) => {
            let text = String::from_utf8_lossy(&pem);
            if !text.contains("-----BEGIN CERTIFICATE REQUEST-----") {
                e.push(invalid(
                    &sp.c("request"),
                    "[]byte{...}".into(),
                    "PEM block type must be CERTIFICATE REQUEST",
                ));
            }
        }
        Err(_) => e.push(invalid(
            &sp.c("request"),
            "[]byte{...}".into(),
            "PEM block type must be CERTIFICATE REQUEST",
        )),
    }
    let usages = spec
        .get("usages")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if usages.is_empty() {
        e.push(required(&sp.c("usages"), "usages must be provided"));
    }
    for (i, u) in usages.iter().enumerate() {
        let u = u.as_str().unwrap_or("");
        if !KEY_USAGES.contains(&u) {
            e.push(not_supported(&sp.c("usages").i(i), quote(u), KEY_USAGES));
        }
    }
    let signer = spec.get("signerName").and_then(Value::as_str).unwrap_or("");
    if signer.is_empty() {
        e.push(required(&sp.c("signerName"), ""));
    } else if !signer.contains('/') || signer.starts_with('/') || signer.ends_with('/') {
        e.push(invalid(
            &sp.c("signerName"),
            quote(signer),
            "must be a fully qualified domain and path of the form 'example.com/signer-name'",
        ));
    }
    if let Some(secs) = spec.get("expirationSeconds").and_then(Value::as_i64)
        && secs < 600
    {
        e.push(invalid(
            &sp.c("expirationSeconds"),
            secs.to_string(),
            "may not specify a duration less than 600 seconds (10 minutes)",
        ));
    }
    let cp = P::root("status").c("conditions");
    let conditions = obj
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut seen: Vec<&str> = Vec::new();
    for (i, c) in conditions.iter().enumerate() {
        let ty = c.get("type").and_then(Value::as_str).unwrap_or("");
        if ty.is_empty() {
            e.push(required(&cp.i(i).c("type"), ""));
            continue;
        }
        let status = c.get("status").and_then(Value::as_str).unwrap_or("");
        if !matches!(status, "True" | "False" | "Unknown") {
            e.push(not_supported(
                &cp.i(i).c("status"),
                quote(status),
                &["False", "True", "Unknown"],
            ));
        }
        if seen.contains(&ty) {
            e.push(FieldError::new(
                FieldErrorKind::Duplicate,
                &cp.i(i).c("type"),
                Some(quote(ty)),
                "",
            ));
        }
        if (ty == "Approved" && seen.contains(&"Denied"))
            || (ty == "Denied" && seen.contains(&"Approved"))
        {
            e.push(invalid(
                &cp.i(i).c("type"),
                quote(ty),
                "Approved and Denied conditions are mutually exclusive",
            ));
        }
        seen.push(ty);
    }
    if let Some(old) = old {
        for kept in ["Approved", "Denied"] {
            let had = old
                .pointer("/status/conditions")
                .and_then(Value::as_array)
                .is_some_and(|cs| {
                    cs.iter()
                        .any(|c| c.get("type").and_then(Value::as_str) == Some(kept))
                });
            if had && !seen.contains(&kept) {
                e.push(forbidden(
                    &cp,
                    format!("updates may not remove a condition of type {kept:?}"),
                ));
            }
        }
    }
}

fn validate_lease(obj: &Value, e: &mut Errs) {
    let sp = P::root("spec");
    let Some(spec) = get(obj, "spec") else { return };
    if obj_at(Some(spec), &sp, e).is_none() {
        return;
    }
    if let Some(d) = int_at(
        get(spec, "leaseDurationSeconds"),
        &sp.c("leaseDurationSeconds"),
        e,
    ) && d <= 0
    {
        e.push(invalid(
            &sp.c("leaseDurationSeconds"),
            d.to_string(),
            "must be greater than 0",
        ));
    }
    validate_nonnegative(
        int_at(get(spec, "leaseTransitions"), &sp.c("leaseTransitions"), e),
        &sp.c("leaseTransitions"),
        e,
    );
    str_at(get(spec, "holderIdentity"), &sp.c("holderIdentity"), e);
    for f in ["acquireTime", "renewTime"] {
        if let Some(t) = get(spec, f) {
            let s = str_at(Some(t), &sp.c(f), e);
            if s.parse::<jiff::Timestamp>().is_err() {
                e.push(invalid(
                    &sp.c(f),
                    quote(s),
                    "must be a RFC 3339 timestamp with microseconds",
                ));
            }
        }
    }
}

fn validate_rules(obj: &Value, namespaced: bool, e: &mut Errs) {
    let rp = P::root("rules");
    for (i, r) in arr_at(get(obj, "rules"), &rp, e).iter().enumerate() {
        let ip = rp.i(i);
        if obj_at(Some(r), &ip, e).is_none() {
            continue;
        }
        let verbs = strings_at(get(r, "verbs"), &ip.c("verbs"), e);
        if verbs.is_empty() {
            e.push(required(
                &ip.c("verbs"),
                "verbs must contain at least one value",
            ));
        }
        let urls = strings_at(get(r, "nonResourceURLs"), &ip.c("nonResourceURLs"), e);
        let groups = strings_at(get(r, "apiGroups"), &ip.c("apiGroups"), e);
        let resources = strings_at(get(r, "resources"), &ip.c("resources"), e);
        let names = strings_at(get(r, "resourceNames"), &ip.c("resourceNames"), e);
        if !urls.is_empty() {
            let rendered = render_opt(get(r, "nonResourceURLs"));
            if namespaced {
                e.push(invalid(
                    &ip.c("nonResourceURLs"),
                    rendered.clone(),
                    "namespaced rules cannot apply to non-resource URLs",
                ));
            }
            if !groups.is_empty() || !resources.is_empty() || !names.is_empty() {
                e.push(invalid(
                    &ip.c("nonResourceURLs"),
                    rendered,
                    "rules cannot apply to both regular resources and non-resource URLs",
                ));
            }
            continue;
        }
        if groups.is_empty() {
            e.push(required(
                &ip.c("apiGroups"),
                "resource rules must supply at least one api group",
            ));
        }
        if resources.is_empty() {
            e.push(required(
                &ip.c("resources"),
                "resource rules must supply at least one resource",
            ));
        }
    }
}

fn validate_role_binding(obj: &Value, old: Option<&Value>, namespaced: bool, e: &mut Errs) {
    let rr = P::root("roleRef");
    let role_ref = get(obj, "roleRef");
    if let Some(old) = old
        && role_ref.map(normalize) != get(old, "roleRef").map(normalize)
    {
        e.push(invalid(&rr, render_opt(role_ref), "cannot change roleRef"));
    }
    let empty = Value::Object(Obj::new());
    let r = role_ref.filter(|r| r.is_object()).unwrap_or(&empty);
    let group = str_at(get(r, "apiGroup"), &rr.c("apiGroup"), e);
    if group != "rbac.authorization.k8s.io" {
        e.push(not_supported(
            &rr.c("apiGroup"),
            quote(group),
            &["rbac.authorization.k8s.io"],
        ));
    }
    let kind = str_at(get(r, "kind"), &rr.c("kind"), e);
    let kinds: &[&str] = if namespaced {
        &["Role", "ClusterRole"]
    } else {
        &["ClusterRole"]
    };
    if !kinds.contains(&kind) {
        e.push(not_supported(&rr.c("kind"), quote(kind), kinds));
    }
    let name = str_at(get(r, "name"), &rr.c("name"), e);
    if name.is_empty() {
        e.push(required(&rr.c("name"), ""));
    } else {
        for m in is_valid_path_segment_name(name, false) {
            e.push(invalid(&rr.c("name"), quote(name), m));
        }
    }
    let sp = P::root("subjects");
    for (i, s) in arr_at(get(obj, "subjects"), &sp, e).iter().enumerate() {
        let ip = sp.i(i);
        if obj_at(Some(s), &ip, e).is_none() {
            continue;
        }
        let name = str_at(get(s, "name"), &ip.c("name"), e);
        if name.is_empty() {
            e.push(required(&ip.c("name"), ""));
        }
        let group = str_at(get(s, "apiGroup"), &ip.c("apiGroup"), e);
        match str_at(get(s, "kind"), &ip.c("kind"), e) {
            "ServiceAccount" => {
                if !name.is_empty() {
                    for m in is_dns1123_subdomain(name) {
                        e.push(invalid(&ip.c("name"), quote(name), m));
                    }
                }
                if !group.is_empty() {
                    e.push(not_supported(&ip.c("apiGroup"), quote(group), &[""]));
                }
                if !namespaced && o_str(s, "namespace").is_empty() {
                    e.push(required(&ip.c("namespace"), ""));
                }
            }
            "User" | "Group" => {
                if group != "rbac.authorization.k8s.io" {
                    e.push(not_supported(
                        &ip.c("apiGroup"),
                        quote(group),
                        &["rbac.authorization.k8s.io"],
                    ));
                }
            }
            other => e.push(not_supported(
                &ip.c("kind"),
                quote(other),
                &["ServiceAccount", "User", "Group"],
            )),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Shared small helpers for the kinds below

/// An optional enum-like string field (a pointer in Go): when set, it must be one of `valid`.
fn validate_optional_enum(v: Option<&Value>, p: &P, valid: &[&str], e: &mut Errs) {
    match v {
        None => {}
        Some(Value::String(s)) if !valid.contains(&s.as_str()) => {
            e.push(not_supported(p, quote(s), valid));
        }
        Some(Value::String(_)) => {}
        Some(other) => e.push(type_error(p, other, "string")),
    }
}

/// A required string: Required when empty; otherwise each message of `check` as Invalid.
fn validate_required_with(value: &str, p: &P, check: fn(&str) -> Vec<String>, e: &mut Errs) {
    if value.is_empty() {
        e.push(required(p, ""));
    } else {
        for m in check(value) {
            e.push(invalid(p, quote(value), m));
        }
    }
}

fn path_segment_messages(s: &str) -> Vec<String> {
    is_valid_path_segment_name(s, false)
}

/// `IsValidGroupID` / `IsValidUserID`: 0 to 2147483647.
fn validate_id(v: Option<&Value>, p: &P, e: &mut Errs) {
    if let Some(id) = int_at(v, p, e).filter(|id| !(0..=MAX_INT32).contains(id)) {
        e.push(invalid(
            p,
            id.to_string(),
            inclusive_range_error(0, MAX_INT32),
        ));
    }
}

fn flag(v: &Value, k: &str) -> Option<bool> {
    get(v, k).and_then(Value::as_bool)
}

/// Go's `%#v` of a slice of a string type (`[]core.ResourceQuotaScope{"A", "B"}`), nil when
/// absent.
fn render_typed_strings(ty: &str, v: Option<&Value>) -> String {
    match v.and_then(Value::as_array) {
        None => format!("{ty}(nil)"),
        Some(a) => format!(
            "{ty}{{{}}}",
            a.iter().map(render).collect::<Vec<_>>().join(", ")
        ),
    }
}

/// Go's `%#v` of an `intstr.IntOrString`.
fn render_int_or_string(v: &Value) -> String {
    match v {
        Value::String(s) => format!(
            "intstr.IntOrString{{Type:1, IntVal:0, StrVal:{}}}",
            quote(s)
        ),
        other => format!(
            "intstr.IntOrString{{Type:0, IntVal:{}, StrVal:\"\"}}",
            other.as_i64().unwrap_or(0)
        ),
    }
}

/// The quantities of a `ResourceList` (keys sorted); values that do not parse are reported as
/// upstream's decoder does.
fn quantity_map(v: Option<&Value>, p: &P, e: &mut Errs) -> BTreeMap<String, Quantity> {
    let mut out = BTreeMap::new();
    if let Some(o) = obj_at(v, p, e) {
        for (k, raw) in o {
            match quantity_of(raw) {
                Some(q) => {
                    out.insert(k.clone(), q);
                }
                None => e.push(invalid(&p.k(k), render(raw), QUANTITY_FORMAT_ERROR)),
            }
        }
    }
    out
}

/// A struct value upstream prints with `%#v` (pointers included): only its type is kept.
fn go_struct(ty: &str) -> String {
    format!("{ty}{{...}}")
}

// ---------------------------------------------------------------------------------------------
// IP addresses and CIDRs (apimachinery util/validation/ip.go; core ValidateNonSpecialIP)

const IP_MSG: &str = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)";
const CIDR_MSG: &str = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)";

/// `netutils.ParseIPSloppy`: the standard forms, plus IPv4 octets with leading zeros.
fn parse_ip_sloppy(s: &str) -> Option<IpAddr> {
    if let Ok(ip) = s.parse::<IpAddr>() {
        return Some(ip);
    }
    let parts: Vec<&str> = s.split('.').collect();
    if parts.len() != 4 {
        return None;
    }
    let mut octets = [0u8; 4];
    for (o, part) in octets.iter_mut().zip(&parts) {
        if part.is_empty() || part.len() > 3 || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        *o = part.parse().ok()?;
    }
    Some(IpAddr::V4(Ipv4Addr::from(octets)))
}

/// `netutils.ParseCIDRSloppy`: the address and the prefix length.
fn parse_cidr_sloppy(s: &str) -> Option<(IpAddr, u32)> {
    let (ip, bits) = s.split_once('/')?;
    let ip = parse_ip_sloppy(ip)?;
    if bits.is_empty() || !bits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let bits: u32 = bits.parse().ok()?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    (bits <= max).then_some((ip, bits))
}

/// Whether the network `net/bits` contains `ip`.
fn cidr_contains(net: IpAddr, bits: u32, ip: IpAddr) -> bool {
    fn masked(v: u128, bits: u32, width: u32) -> u128 {
        if bits == 0 { 0 } else { v >> (width - bits) }
    }
    match (net, ip) {
        (IpAddr::V4(n), IpAddr::V4(i)) => {
            masked(u32::from(n).into(), bits, 32) == masked(u32::from(i).into(), bits, 32)
        }
        (IpAddr::V6(n), IpAddr::V6(i)) => {
            masked(u128::from(n), bits, 128) == masked(u128::from(i), bits, 128)
        }
        _ => false,
    }
}

/// `validation.IsValidIP`.
fn validate_ip(value: &str, p: &P, e: &mut Errs) {
    if parse_ip_sloppy(value).is_none() {
        e.push(invalid(p, quote(value), IP_MSG));
    }
}

/// `validation.IsValidCIDR`.
fn validate_cidr(value: &str, p: &P, e: &mut Errs) {
    if parse_cidr_sloppy(value).is_none() {
        e.push(invalid(p, quote(value), CIDR_MSG));
    }
}

/// `ValidateNonSpecialIP` (Endpoints and EndpointSlice addresses).
fn validate_non_special_ip(value: &str, p: &P, e: &mut Errs) {
    let Some(ip) = parse_ip_sloppy(value) else {
        e.push(invalid(p, quote(value), "must be a valid IP address"));
        return;
    };
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    };
    let (unspecified, loopback, link_local, link_local_mc) = match ip {
        IpAddr::V4(v) => {
            let o = v.octets();
            (
                v.is_unspecified(),
                v.is_loopback(),
                o[0] == 169 && o[1] == 254,
                o[0] == 224 && o[1] == 0 && o[2] == 0,
            )
        }
        IpAddr::V6(v) => {
            let s = v.segments();
            (
                v.is_unspecified(),
                v.is_loopback(),
                s[0] & 0xffc0 == 0xfe80,
                s[0] & 0xff0f == 0xff02,
            )
        }
    };
    if unspecified {
        e.push(invalid(
            p,
            quote(value),
            format!("may not be unspecified ({value})"),
        ));
    }
    if loopback {
        e.push(invalid(
            p,
            quote(value),
            "may not be in the loopback range (127.0.0.0/8, ::1/128)",
        ));
    }
    if link_local {
        e.push(invalid(
            p,
            quote(value),
            "may not be in the link-local range (169.254.0.0/16, fe80::/10)",
        ));
    }
    if link_local_mc {
        e.push(invalid(
            p,
            quote(value),
            "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)",
        ));
    }
}

// ---------------------------------------------------------------------------------------------
// Resource names (core helper's standard resource sets)

const STANDARD_RESOURCES: &[&str] = &[
    "cpu",
    "memory",
    "ephemeral-storage",
    "requests.cpu",
    "requests.memory",
    "requests.ephemeral-storage",
    "limits.cpu",
    "limits.memory",
    "limits.ephemeral-storage",
    "pods",
    "resourcequotas",
    "services",
    "replicationcontrollers",
    "secrets",
    "configmaps",
    "persistentvolumeclaims",
    "storage",
    "requests.storage",
    "services.nodeports",
    "services.loadbalancers",
];
/// Quota names: the standard resources but `storage`.
fn is_standard_quota_resource(name: &str) -> bool {
    (name != "storage" && STANDARD_RESOURCES.contains(&name)) || is_quota_hugepages(name)
}
const INTEGER_RESOURCES: &[&str] = &[
    "pods",
    "resourcequotas",
    "services",
    "replicationcontrollers",
    "secrets",
    "configmaps",
    "persistentvolumeclaims",
    "services.nodeports",
    "services.loadbalancers",
];

fn is_quota_hugepages(name: &str) -> bool {
    name.starts_with("hugepages-") || name.starts_with("requests.hugepages-")
}

fn is_native_resource(name: &str) -> bool {
    !name.contains('/') || name.contains("kubernetes.io/")
}

fn is_extended_resource(name: &str) -> bool {
    !is_native_resource(name)
        && !name.starts_with("requests.")
        && is_qualified_name(&format!("requests.{name}")).is_empty()
}

/// `validateResourceName`.
fn validate_resource_name(name: &str, p: &P, e: &mut Errs) {
    let msgs = is_qualified_name(name);
    if !msgs.is_empty() {
        e.extend(msgs.into_iter().map(|m| invalid(p, quote(name), m)));
        return;
    }
    if !(name.contains('/') || STANDARD_RESOURCES.contains(&name) || is_quota_hugepages(name)) {
        e.push(invalid(
            p,
            quote(name),
            "must be a standard resource type or fully qualified",
        ));
    }
}

/// `validateContainerResourceName`.
fn validate_container_resource_name(name: &str, p: &P, e: &mut Errs) {
    validate_resource_name(name, p, e);
    if !name.contains('/') {
        if !is_standard_container_resource(name) {
            e.push(invalid(
                p,
                quote(name),
                "must be a standard resource for containers",
            ));
        }
    } else if !is_native_resource(name) && !is_extended_resource(name) {
        e.push(invalid(
            p,
            quote(name),
            "doesn't follow extended resource name standard",
        ));
    }
}

/// `ValidateResourceQuantityValue`.
fn validate_resource_quantity(name: &str, q: &Quantity, p: &P, e: &mut Errs) {
    if q.nanos < 0 {
        e.push(invalid(p, quote(&q.to_string()), NEGATIVE));
    }
    let integer = INTEGER_RESOURCES.contains(&name) || is_extended_resource(name);
    // MilliValue() rounds up.
    let milli = q.nanos.div_euclid(1_000_000) + i128::from(q.nanos.rem_euclid(1_000_000) != 0);
    if integer && milli % 1000 != 0 {
        e.push(invalid(p, quote(&q.to_string()), "must be an integer"));
    }
}

// ---------------------------------------------------------------------------------------------
// Pod and container security contexts

/// Every container of a pod spec with its path, in upstream's `VisitContainersWithPath` order.
fn containers_with_paths<'a>(spec: &'a Value, sp: &P) -> Vec<(&'a Value, P)> {
    let mut out = Vec::new();
    for key in ["initContainers", "containers", "ephemeralContainers"] {
        for (i, c) in spec
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            if c.is_object() {
                out.push((c, sp.c(key).i(i)));
            }
        }
    }
    out
}

const SYSCTL_REGEX: &str =
    "^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\\./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$";

/// `IsValidSysctlName`: segments of `[a-z0-9]([-_a-z0-9]*[a-z0-9])?` joined by `.` or `/`.
fn is_valid_sysctl_name(name: &str) -> bool {
    name.len() <= 253
        && name.split(['.', '/']).all(|seg| {
            let b = seg.as_bytes();
            !b.is_empty()
                && lower_alnum(b[0])
                && lower_alnum(b[b.len() - 1])
                && b.iter().all(|&c| lower_alnum(c) || c == b'-' || c == b'_')
        })
}

/// The namespace of a sysctl (`utilsysctl.GetNamespace`): "net", "ipc" or None.
fn sysctl_namespace(name: &str) -> Option<&'static str> {
    let first_sep = name.find(['.', '/']);
    let normalized: String = if first_sep.is_some_and(|i| name.as_bytes()[i] == b'/') {
        name.chars()
            .map(|c| match c {
                '.' => '/',
                '/' => '.',
                c => c,
            })
            .collect()
    } else {
        name.to_string()
    };
    let prefix = normalized.split('*').next().unwrap_or("");
    if prefix == "kernel.sem"
        || ["kernel.shm", "kernel.msg", "fs.mqueue."]
            .iter()
            .any(|p| prefix.starts_with(p))
    {
        Some("ipc")
    } else if prefix.starts_with("net.") {
        Some("net")
    } else {
        None
    }
}

fn validate_sysctls(spec: &Value, sc: &Value, p: &P, e: &mut Errs) {
    let mut names = BTreeSet::new();
    for (i, s) in arr_at(get(sc, "sysctls"), p, e).iter().enumerate() {
        let np = p.i(i).c("name");
        if obj_at(Some(s), &p.i(i), e).is_none() {
            continue;
        }
        let name = str_at(get(s, "name"), &np, e);
        if name.is_empty() {
            e.push(required(&np, ""));
        } else if !is_valid_sysctl_name(name) {
            e.push(invalid(
                &np,
                quote(name),
                format!("must have at most 253 characters and match regex {SYSCTL_REGEX}"),
            ));
        } else if names.contains(name) {
            e.push(duplicate(&np, quote(name)));
        }
        match sysctl_namespace(name) {
            Some("net") if flag(spec, "hostNetwork") == Some(true) => e.push(invalid(
                &np,
                quote(name),
                "may not be specified when 'hostNetwork' is true",
            )),
            Some("ipc") if flag(spec, "hostIPC") == Some(true) => e.push(invalid(
                &np,
                quote(name),
                "may not be specified when 'hostIPC' is true",
            )),
            _ => {}
        }
        names.insert(name);
    }
}

const PROFILE_TYPES: &[&str] = &["Localhost", "RuntimeDefault", "Unconfined"];

/// `validateSeccompProfileField`.
fn validate_seccomp_profile(v: Option<&Value>, p: &P, e: &mut Errs) {
    let Some(sp) = obj_at(v, p, e).and(v) else {
        return;
    };
    let t = str_at(get(sp, "type"), &p.c("type"), e);
    match t {
        "Localhost" | "RuntimeDefault" | "Unconfined" => {}
        "" => e.push(required(
            &p.c("type"),
            "type is required when seccompProfile is set",
        )),
        other => e.push(not_supported(&p.c("type"), quote(other), PROFILE_TYPES)),
    }
    let lpp = p.c("localhostProfile");
    match get(sp, "localhostProfile") {
        None if t == "Localhost" => {
            e.push(required(&lpp, "must be set when seccomp type is Localhost"))
        }
        Some(lp) if t == "Localhost" => {
            let lp = str_at(Some(lp), &lpp, e);
            validate_local_descending_path(lp, &lpp, e);
        }
        Some(_) => e.push(invalid(
            &lpp,
            format!(
                "core.SeccompProfile{{Type:{}, LocalhostProfile:(*string)(...)}}",
                quote(t)
            ),
            "can only be set when seccomp type is Localhost",
        )),
        None => {}
    }
}

/// `ValidateAppArmorProfileField`.
fn validate_apparmor_profile(v: Option<&Value>, p: &P, e: &mut Errs) {
    let Some(ap) = obj_at(v, p, e).and(v) else {
        return;
    };
    let lpp = p.c("localhostProfile");
    let lp = get(ap, "localhostProfile");
    match str_at(get(ap, "type"), &p.c("type"), e) {
        "Localhost" => match lp {
            None => e.push(required(
                &lpp,
                "must be set when AppArmor type is Localhost",
            )),
            Some(lp) => {
                let lp = str_at(Some(lp), &lpp, e);
                if lp.trim() != lp {
                    e.push(invalid(
                        &lpp,
                        quote(lp),
                        "must not be padded with whitespace",
                    ));
                } else if lp.is_empty() {
                    e.push(required(
                        &lpp,
                        "must be set when AppArmor type is Localhost",
                    ));
                }
                if lp.len() > 4095 {
                    e.push(too_long(&lpp, 4095));
                }
            }
        },
        "RuntimeDefault" | "Unconfined" => {
            if let Some(lp) = lp {
                e.push(invalid(
                    &lpp,
                    render(lp),
                    "can only be set when AppArmor type is Localhost",
                ));
            }
        }
        "" => e.push(required(
            &p.c("type"),
            "type is required when appArmorProfile is set",
        )),
        other => e.push(not_supported(&p.c("type"), quote(other), PROFILE_TYPES)),
    }
}

/// A Windows domain in NetBios form (`^[^\\/:*?"<>|.][^\\/:*?"<>|]{0,14}$`).
fn is_netbios_domain(d: &str) -> bool {
    const BAD: &[char] = &['\\', '/', ':', '*', '?', '"', '<', '>', '|'];
    let chars: Vec<char> = d.chars().collect();
    !chars.is_empty()
        && chars.len() <= 15
        && chars[0] != '.'
        && chars.iter().all(|c| !BAD.contains(c))
}

/// A Windows domain in DNS form: labels of letters, digits and inner hyphens, at most 63 long.
fn is_windows_dns_domain(d: &str) -> bool {
    d.split('.').all(|l| {
        let b = l.as_bytes();
        !b.is_empty()
            && b.len() <= 63
            && b[0].is_ascii_alphanumeric()
            && b[b.len() - 1].is_ascii_alphanumeric()
            && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
    })
}

fn validate_run_as_user_name(name: &str, p: &P, e: &mut Errs) {
    let mut bad = |m: &str| e.push(invalid(p, quote(name), m));
    if name.is_empty() {
        return bad("runAsUserName cannot be an empty string");
    }
    if name.chars().any(|c| c.is_ascii_control()) {
        return bad("runAsUserName cannot contain control characters");
    }
    let parts: Vec<&str> = name.split('\\').collect();
    let (domain, user) = match parts.as_slice() {
        [user] => (None, *user),
        [domain, user] => (Some(*domain), *user),
        _ => return bad("runAsUserName cannot contain more than one backslash"),
    };
    if domain.is_some_and(|d| d.len() >= 256) {
        bad("runAsUserName's Domain length must be under 256 characters");
    }
    if domain.is_some_and(|d| !is_netbios_domain(d) && !is_windows_dns_domain(d)) {
        bad("runAsUserName's Domain doesn't match the NetBios nor the DNS format");
    }
    if user.is_empty() {
        bad("runAsUserName's User cannot be empty");
    } else if user.len() > 104 {
        bad("runAsUserName's User length must not be longer than 104 characters");
    }
    if !user.is_empty() && user.chars().all(|c| c == '.' || c == ' ') {
        bad("runAsUserName's User cannot contain only periods or spaces");
    }
    if user.chars().any(|c| "\"/\\:;|=,+*?<>@[]".contains(c)) {
        bad("runAsUserName's User cannot contain the following characters: \"/\\:;|=,+*?<>@[]");
    }
}

/// `validateWindowsSecurityContextOptions`.
fn validate_windows_options(v: Option<&Value>, p: &P, e: &mut Errs) {
    let Some(w) = obj_at(v, p, e).and(v) else {
        return;
    };
    if let Some(n) = get(w, "gmsaCredentialSpecName") {
        let np = p.c("gmsaCredentialSpecName");
        let n = str_at(Some(n), &np, e);
        for m in is_dns1123_subdomain(n) {
            e.push(invalid(&np, quote(n), m));
        }
    }
    if let Some(s) = get(w, "gmsaCredentialSpec") {
        let sp = p.c("gmsaCredentialSpec");
        let s = str_at(Some(s), &sp, e);
        if s.is_empty() {
            e.push(invalid(
                &sp,
                quote(s),
                "gmsaCredentialSpec cannot be an empty string",
            ));
        } else if s.len() > 64 * 1024 {
            e.push(invalid(
                &sp,
                quote(s),
                "gmsaCredentialSpec size must be under 64 KiB",
            ));
        }
    }
    if let Some(u) = get(w, "runAsUserName") {
        let up = p.c("runAsUserName");
        let u = str_at(Some(u), &up, e);
        validate_run_as_user_name(u, &up, e);
    }
    bool_at(get(w, "hostProcess"), &p.c("hostProcess"), e);
}

/// `validatePodSpecSecurityContext` (v1 keeps the host namespace flags in the spec itself).
fn validate_pod_security_context(spec: &Value, sp: &P, e: &mut Errs) {
    let p = sp.c("securityContext");
    let sc_v = get(spec, "securityContext");
    let Some(sc) = obj_at(sc_v, &p, e).and(sc_v) else {
        return;
    };
    validate_id(get(sc, "fsGroup"), &p.c("fsGroup"), e);
    validate_id(get(sc, "runAsUser"), &p.c("runAsUser"), e);
    validate_id(get(sc, "runAsGroup"), &p.c("runAsGroup"), e);
    bool_at(get(sc, "runAsNonRoot"), &p.c("runAsNonRoot"), e);
    let gp = p.c("supplementalGroups");
    for (i, g) in arr_at(get(sc, "supplementalGroups"), &gp, e)
        .iter()
        .enumerate()
    {
        validate_id(Some(g), &gp.i(i), e);
    }
    if flag(spec, "shareProcessNamespace") == Some(true) && flag(spec, "hostPID") == Some(true) {
        e.push(invalid(
            &p.c("shareProcessNamespace"),
            "true".into(),
            "ShareProcessNamespace and HostPID cannot both be enabled",
        ));
    }
    validate_sysctls(spec, sc, &p.c("sysctls"), e);
    validate_optional_enum(
        get(sc, "fsGroupChangePolicy"),
        &p.c("fsGroupChangePolicy"),
        &["Always", "OnRootMismatch"],
        e,
    );
    validate_seccomp_profile(get(sc, "seccompProfile"), &p.c("seccompProfile"), e);
    validate_windows_options(get(sc, "windowsOptions"), &p.c("windowsOptions"), e);
    validate_apparmor_profile(get(sc, "appArmorProfile"), &p.c("appArmorProfile"), e);
    validate_optional_enum(
        get(sc, "supplementalGroupsPolicy"),
        &p.c("supplementalGroupsPolicy"),
        &["Merge", "Strict"],
        e,
    );
    // Without the SELinuxMount feature (off in 1.33) only Recursive is accepted.
    validate_optional_enum(
        get(sc, "seLinuxChangePolicy"),
        &p.c("seLinuxChangePolicy"),
        &["Recursive"],
        e,
    );
}

/// `ValidateSecurityContext` (containers). Privileged containers are allowed (the cluster's
/// `--allow-privileged` is taken as true).
fn validate_container_security_context(v: Option<&Value>, host_users: bool, p: &P, e: &mut Errs) {
    let Some(sc) = obj_at(v, p, e).and(v) else {
        return;
    };
    let privileged = bool_at(get(sc, "privileged"), &p.c("privileged"), e);
    for f in ["runAsNonRoot", "readOnlyRootFilesystem"] {
        bool_at(get(sc, f), &p.c(f), e);
    }
    validate_id(get(sc, "runAsUser"), &p.c("runAsUser"), e);
    validate_id(get(sc, "runAsGroup"), &p.c("runAsGroup"), e);
    if let Some(pm) = get(sc, "procMount") {
        let pmp = p.c("procMount");
        let pm = str_at(Some(pm), &pmp, e);
        if pm != "Default" && pm != "Unmasked" {
            e.push(not_supported(&pmp, quote(pm), &["Default", "Unmasked"]));
        }
        if host_users && pm == "Unmasked" {
            e.push(invalid(
                &pmp,
                quote(pm),
                "`hostUsers` must be false to use `Unmasked`",
            ));
        }
    }
    validate_seccomp_profile(get(sc, "seccompProfile"), &p.c("seccompProfile"), e);
    let ape = bool_at(
        get(sc, "allowPrivilegeEscalation"),
        &p.c("allowPrivilegeEscalation"),
        e,
    );
    if ape == Some(false) {
        let value = go_struct("core.SecurityContext");
        if privileged == Some(true) {
            e.push(invalid(
                p,
                value.clone(),
                "cannot set `allowPrivilegeEscalation` to false and `privileged` to true",
            ));
        }
        let adds = get(sc, "capabilities")
            .map(|c| strings_at(get(c, "add"), &p.c("capabilities").c("add"), e))
            .unwrap_or_default();
        for cap in adds.iter().filter(|c| *c == "CAP_SYS_ADMIN") {
            e.push(invalid(
                p,
                value.clone(),
                format!(
                    "cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` {cap}"
                ),
            ));
        }
    }
    validate_windows_options(get(sc, "windowsOptions"), &p.c("windowsOptions"), e);
    validate_apparmor_profile(get(sc, "appArmorProfile"), &p.c("appArmorProfile"), e);
}

/// `validateHostUsers`: a pod in a user namespace may not share the host's namespaces.
fn validate_host_users(spec: &Value, sp: &P, e: &mut Errs) {
    if flag(spec, "hostUsers") != Some(false) {
        return;
    }
    for (field, path) in [
        ("hostNetwork", "hostNetwork"),
        ("hostPID", "HostPID"),
        ("hostIPC", "HostIPC"),
    ] {
        if flag(spec, field) == Some(true) {
            e.push(forbidden(&sp.c(path), "when `pod.Spec.HostUsers` is false"));
        }
    }
}

fn windows_host_process(v: &Value) -> Option<bool> {
    get(v, "securityContext")
        .and_then(|s| get(s, "windowsOptions"))
        .and_then(|w| flag(w, "hostProcess"))
}

/// `validateWindowsHostProcessPod` (the cluster policy allows privileged containers).
fn validate_windows_host_process(spec: &Value, sp: &P, e: &mut Errs) {
    let pod_hp = windows_host_process(spec);
    let containers = containers_with_paths(spec, sp);
    let mut host_process = 0;
    for (c, cp) in &containers {
        let c_hp = windows_host_process(c);
        if let (Some(ph), Some(ch)) = (pod_hp, c_hp)
            && ph != ch
        {
            e.push(invalid(
                &cp.c("securityContext").c("windowsOptions").c("hostProcess"),
                ch.to_string(),
                format!("pod hostProcess value must be identical if both are specified, was {ph}"),
            ));
        }
        if c_hp.or(pod_hp) == Some(true) {
            host_process += 1;
        }
    }
    if host_process > 0 {
        if host_process != containers.len() {
            e.push(invalid(
                sp,
                "\"\"".into(),
                "If pod contains any hostProcess containers then all containers must be HostProcess containers",
            ));
        }
        if flag(spec, "hostNetwork") != Some(true) {
            e.push(invalid(
                &sp.c("hostNetwork"),
                "false".into(),
                "hostNetwork must be true if pod contains any hostProcess containers",
            ));
        }
    }
}

/// `validateOS`, then `validateLinux` / `validateWindows`: fields the pod's OS cannot use.
fn validate_pod_os(spec: &Value, sp: &P, e: &mut Errs) {
    let op = sp.c("os");
    let os_v = get(spec, "os");
    let Some(os) = obj_at(os_v, &op, e).and(os_v) else {
        return;
    };
    let name = str_at(get(os, "name"), &op.c("name"), e);
    let empty = Value::Object(Obj::new());
    let psc = get(spec, "securityContext").unwrap_or(&empty);
    let scp = sp.c("securityContext");
    let containers = containers_with_paths(spec, sp);
    match name {
        "" => e.push(required(&op.c("name"), "cannot be empty")),
        "linux" => {
            const MSG: &str = "windows options cannot be set for a linux pod";
            if get(psc, "windowsOptions").is_some() {
                e.push(forbidden(&scp.c("windowsOptions"), MSG));
            }
            for (c, cp) in &containers {
                if get(c, "securityContext")
                    .and_then(|s| get(s, "windowsOptions"))
                    .is_some()
                {
                    e.push(forbidden(&cp.c("securityContext").c("windowsOptions"), MSG));
                }
            }
        }
        "windows" => {
            const MSG: &str = "cannot be set for a windows pod";
            // (field, set in the spec itself rather than in its securityContext)
            for (f, in_spec) in [
                ("appArmorProfile", false),
                ("seLinuxOptions", false),
                ("hostUsers", true),
                ("hostPID", true),
                ("hostIPC", true),
                ("seccompProfile", false),
                ("fsGroup", false),
                ("fsGroupChangePolicy", false),
                ("sysctls", false),
                ("shareProcessNamespace", true),
                ("runAsUser", false),
                ("runAsGroup", false),
                ("supplementalGroups", false),
                ("supplementalGroupsPolicy", false),
                ("seLinuxChangePolicy", false),
            ] {
                let (holder, path) = if in_spec { (spec, sp) } else { (psc, &scp) };
                let set = match get(holder, f) {
                    None => false,
                    Some(Value::Bool(b)) => *b || f == "hostUsers" || f == "shareProcessNamespace",
                    Some(Value::Array(a)) if f == "sysctls" => !a.is_empty(),
                    Some(_) => true,
                };
                if set {
                    e.push(forbidden(&path.c(f), MSG));
                }
            }
            for (c, cp) in &containers {
                let Some(sc) = get(c, "securityContext") else {
                    continue;
                };
                for f in [
                    "appArmorProfile",
                    "seLinuxOptions",
                    "seccompProfile",
                    "capabilities",
                    "readOnlyRootFilesystem",
                    "privileged",
                    "allowPrivilegeEscalation",
                    "procMount",
                    "runAsUser",
                    "runAsGroup",
                ] {
                    if get(sc, f).is_some() {
                        e.push(forbidden(&cp.c("securityContext").c(f), MSG));
                    }
                }
            }
        }
        other => e.push(not_supported(&op, quote(other), &["linux", "windows"])),
    }
}

/// `validatePodHostNetworkDeps` (as for templates: a host port, when set, must equal the
/// container port; defaulting fills it for pods).
fn validate_host_network_ports(spec: &Value, sp: &P, e: &mut Errs) {
    if flag(spec, "hostNetwork") != Some(true) {
        return;
    }
    for (i, c) in spec
        .get("containers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        for (j, port) in c
            .get("ports")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let hp = port.get("hostPort").and_then(Value::as_i64).unwrap_or(0);
            let cp = port
                .get("containerPort")
                .and_then(Value::as_i64)
                .unwrap_or(0);
            if hp != 0 && hp != cp {
                e.push(invalid(
                    &sp.c("containers").i(i).c("ports").i(j).c("hostPort"),
                    hp.to_string(),
                    "must match `containerPort` when `hostNetwork` is true",
                ));
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Affinity, node selectors, topology spread constraints

/// The operator/values rule shared by label selector and node selector requirements.
/// `numeric`: the node selector operators `Gt` and `Lt` are allowed too.
fn validate_requirement_operator(op: &str, n_values: usize, numeric: bool, p: &P, e: &mut Errs) {
    match op {
        "In" | "NotIn" if n_values == 0 => e.push(required(
            &p.c("values"),
            "must be specified when `operator` is 'In' or 'NotIn'",
        )),
        "In" | "NotIn" => {}
        "Exists" | "DoesNotExist" if n_values > 0 => e.push(forbidden(
            &p.c("values"),
            "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
        )),
        "Exists" | "DoesNotExist" => {}
        "Gt" | "Lt" if numeric => {
            if n_values != 1 {
                e.push(required(
                    &p.c("values"),
                    "must be specified single value when `operator` is 'Lt' or 'Gt'",
                ));
            }
        }
        other => e.push(invalid(
            &p.c("operator"),
            quote(other),
            "not a valid selector operator",
        )),
    }
}

/// `ValidateNodeSelectorRequirement`.
fn validate_node_selector_requirement(r: &Value, allow_invalid_values: bool, p: &P, e: &mut Errs) {
    if obj_at(Some(r), p, e).is_none() {
        return;
    }
    let op = str_at(get(r, "operator"), &p.c("operator"), e);
    let values = strings_at(get(r, "values"), &p.c("values"), e);
    validate_requirement_operator(op, values.len(), true, p, e);
    validate_qualified_name(str_at(get(r, "key"), &p.c("key"), e), &p.c("key"), e);
    if !allow_invalid_values {
        for (i, v) in values.iter().enumerate() {
            for m in is_valid_label_value(v) {
                e.push(invalid(&p.c("values").i(i), quote(v), m));
            }
        }
    }
}

/// `ValidateNodeFieldSelectorRequirement`: only `metadata.name`, with In/NotIn and one value.
fn validate_node_field_requirement(r: &Value, p: &P, e: &mut Errs) {
    if obj_at(Some(r), p, e).is_none() {
        return;
    }
    let op = str_at(get(r, "operator"), &p.c("operator"), e);
    let values = strings_at(get(r, "values"), &p.c("values"), e);
    match op {
        "In" | "NotIn" if values.len() != 1 => e.push(required(
            &p.c("values"),
            "must be only one value when `operator` is 'In' or 'NotIn' for node field selector",
        )),
        "In" | "NotIn" => {}
        other => e.push(invalid(
            &p.c("operator"),
            quote(other),
            "not a valid selector operator",
        )),
    }
    let key = str_at(get(r, "key"), &p.c("key"), e);
    if key != "metadata.name" {
        e.push(invalid(
            &p.c("key"),
            quote(key),
            "not a valid field selector key",
        ));
    } else {
        for (i, v) in values.iter().enumerate() {
            validate_dns1123_subdomain(v, &p.c("values").i(i), e);
        }
    }
}

/// `ValidateNodeSelectorTerm`.
fn validate_node_selector_term(t: &Value, allow_invalid_values: bool, p: &P, e: &mut Errs) {
    if obj_at(Some(t), p, e).is_none() {
        return;
    }
    let mp = p.c("matchExpressions");
    for (j, r) in arr_at(get(t, "matchExpressions"), &mp, e)
        .iter()
        .enumerate()
    {
        validate_node_selector_requirement(r, allow_invalid_values, &mp.i(j), e);
    }
    let fp = p.c("matchFields");
    for (j, r) in arr_at(get(t, "matchFields"), &fp, e).iter().enumerate() {
        validate_node_field_requirement(r, &fp.i(j), e);
    }
}

/// `ValidateNodeSelector` (required node affinity, PersistentVolume node affinity).
fn validate_node_selector(sel: &Value, p: &P, e: &mut Errs) {
    if obj_at(Some(sel), p, e).is_none() {
        return;
    }
    let tp = p.c("nodeSelectorTerms");
    let terms = arr_at(get(sel, "nodeSelectorTerms"), &tp, e);
    if terms.is_empty() {
        e.push(required(&tp, "must have at least one node selector term"));
    }
    for (i, t) in terms.iter().enumerate() {
        validate_node_selector_term(t, false, &tp.i(i), e);
    }
}

/// The weighted-term shape of preferred (anti-)affinity: `weight` in 1-100 and the term under
/// `inner` (`preference` or `podAffinityTerm`), checked by `term`.
fn validate_weighted_terms(
    v: Option<&Value>,
    p: &P,
    inner: &str,
    term: fn(&Value, &P, &mut Errs),
    e: &mut Errs,
) {
    let empty = Value::Object(Obj::new());
    for (i, t) in arr_at(v, p, e).iter().enumerate() {
        let ip = p.i(i);
        if obj_at(Some(t), &ip, e).is_none() {
            continue;
        }
        let w = int_at(get(t, "weight"), &ip.c("weight"), e).unwrap_or(0);
        if !(1..=100).contains(&w) {
            e.push(invalid(
                &ip.c("weight"),
                w.to_string(),
                "must be in the range 1-100",
            ));
        }
        term(get(t, inner).unwrap_or(&empty), &ip.c(inner), e);
    }
}

/// The key lists of a pod affinity term (`validateMatchLabelKeysAndMismatchLabelKeys`).
fn validate_affinity_label_keys(t: &Value, p: &P, e: &mut Errs) {
    let selector = get(t, "labelSelector");
    let mut lists = Vec::new();
    for name in ["matchLabelKeys", "mismatchLabelKeys"] {
        let lp = p.c(name);
        let keys = strings_at(get(t, name), &lp, e);
        if !keys.is_empty() {
            if selector.is_none() {
                e.push(forbidden(
                    &lp,
                    "must not be specified when labelSelector is not set",
                ));
            } else {
                for (i, k) in keys.iter().enumerate() {
                    validate_qualified_name(k, &lp.i(i), e);
                }
            }
        }
        lists.push(keys);
    }
    let (match_keys, mismatch_keys) = (&lists[0], &lists[1]);
    if let Some(sel) = selector {
        let index: BTreeMap<&str, usize> = match_keys
            .iter()
            .enumerate()
            .map(|(i, k)| (k.as_str(), i))
            .collect();
        let mut seen: BTreeSet<String> = sel
            .get("matchLabels")
            .and_then(Value::as_object)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        for expr in sel
            .get("matchExpressions")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let key = o_str(expr, "key");
            if let Some(i) = index.get(key)
                && seen.contains(key)
            {
                // Upstream indexes the term path itself here.
                e.push(invalid(
                    &p.i(*i),
                    quote(key),
                    "exists in both matchLabelKeys and labelSelector",
                ));
            }
            seen.insert(key.to_string());
        }
    }
    for (i, k) in match_keys.iter().enumerate() {
        if mismatch_keys.contains(k) {
            e.push(invalid(
                &p.c("matchLabelKeys").i(i),
                quote(k),
                "exists in both matchLabelKeys and mismatchLabelKeys",
            ));
        }
    }
}

/// `validatePodAffinityTerm`.
fn validate_pod_affinity_term(t: &Value, p: &P, e: &mut Errs) {
    if obj_at(Some(t), p, e).is_none() {
        return;
    }
    validate_label_selector(get(t, "labelSelector"), &p.c("labelSelector"), e);
    validate_label_selector(get(t, "namespaceSelector"), &p.c("namespaceSelector"), e);
    for ns in strings_at(get(t, "namespaces"), &p.c("namespaces"), e) {
        // Upstream reports these at `namespace`.
        validate_dns1123_label(&ns, &p.c("namespace"), e);
    }
    validate_affinity_label_keys(t, p, e);
    let kp = p.c("topologyKey");
    let key = str_at(get(t, "topologyKey"), &kp, e);
    if key.is_empty() {
        e.push(required(&kp, "can not be empty"));
    }
    validate_qualified_name(key, &kp, e);
}

const REQUIRED_TERMS: &str = "requiredDuringSchedulingIgnoredDuringExecution";
const PREFERRED_TERMS: &str = "preferredDuringSchedulingIgnoredDuringExecution";

/// `validateAffinity`: node affinity, pod affinity and pod anti-affinity.
fn validate_affinity(v: Option<&Value>, p: &P, e: &mut Errs) {
    let Some(a) = obj_at(v, p, e).and(v) else {
        return;
    };
    if let Some(na) = get(a, "nodeAffinity") {
        let np = p.c("nodeAffinity");
        if obj_at(Some(na), &np, e).is_some() {
            if let Some(req) = get(na, REQUIRED_TERMS) {
                validate_node_selector(req, &np.c(REQUIRED_TERMS), e);
            }
            // Invalid label values are always allowed in preferred terms.
            validate_weighted_terms(
                get(na, PREFERRED_TERMS),
                &np.c(PREFERRED_TERMS),
                "preference",
                |t, p, e| validate_node_selector_term(t, true, p, e),
                e,
            );
        }
    }
    for key in ["podAffinity", "podAntiAffinity"] {
        let Some(pa) = get(a, key) else { continue };
        let pp = p.c(key);
        if obj_at(Some(pa), &pp, e).is_none() {
            continue;
        }
        let rp = pp.c(REQUIRED_TERMS);
        for (i, t) in arr_at(get(pa, REQUIRED_TERMS), &rp, e).iter().enumerate() {
            validate_pod_affinity_term(t, &rp.i(i), e);
        }
        validate_weighted_terms(
            get(pa, PREFERRED_TERMS),
            &pp.c(PREFERRED_TERMS),
            "podAffinityTerm",
            validate_pod_affinity_term,
            e,
        );
    }
}

/// `validateTopologySpreadConstraints`.
fn validate_topology_spread(v: Option<&Value>, p: &P, e: &mut Errs) {
    let constraints = arr_at(v, p, e);
    for (i, c) in constraints.iter().enumerate() {
        let ip = p.i(i);
        if obj_at(Some(c), &ip, e).is_none() {
            continue;
        }
        let skew = int_at(get(c, "maxSkew"), &ip.c("maxSkew"), e).unwrap_or(0);
        if skew <= 0 {
            e.push(invalid(
                &ip.c("maxSkew"),
                skew.to_string(),
                "must be greater than zero",
            ));
        }
        let key = str_at(get(c, "topologyKey"), &ip.c("topologyKey"), e);
        if key.is_empty() {
            e.push(required(&ip.c("topologyKey"), "can not be empty"));
        }
        let when = str_at(get(c, "whenUnsatisfiable"), &ip.c("whenUnsatisfiable"), e);
        const ACTIONS: &[&str] = &["DoNotSchedule", "ScheduleAnyway"];
        if !ACTIONS.contains(&when) {
            e.push(not_supported(
                &ip.c("whenUnsatisfiable"),
                quote(when),
                ACTIONS,
            ));
        }
        let repeated = constraints[i + 1..]
            .iter()
            .any(|o| o_str(o, "topologyKey") == key && o_str(o, "whenUnsatisfiable") == when);
        if repeated {
            e.push(duplicate(
                &ip.c("{topologyKey, whenUnsatisfiable}"),
                quote(&format!("{{{key}, {when}}}")),
            ));
        }
        let mdp = ip.c("minDomains");
        if let Some(md) = int_at(get(c, "minDomains"), &mdp, e) {
            if md <= 0 {
                e.push(invalid(&mdp, md.to_string(), "must be greater than zero"));
            }
            if when != "DoNotSchedule" {
                e.push(invalid(
                    &mdp,
                    md.to_string(),
                    format!(
                        "can only use minDomains if whenUnsatisfiable=DoNotSchedule, not {when}"
                    ),
                ));
            }
        }
        for f in ["nodeAffinityPolicy", "nodeTaintsPolicy"] {
            validate_optional_enum(get(c, f), &ip.c(f), &["Honor", "Ignore"], e);
        }
        let selector = get(c, "labelSelector");
        let mlp = ip.c("matchLabelKeys");
        let keys = strings_at(get(c, "matchLabelKeys"), &mlp, e);
        if !keys.is_empty() {
            let mut selector_keys = BTreeSet::new();
            match selector {
                Some(sel) => {
                    if let Some(m) = sel.get("matchLabels").and_then(Value::as_object) {
                        selector_keys.extend(m.keys().map(String::as_str));
                    }
                    for expr in sel
                        .get("matchExpressions")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                    {
                        selector_keys.insert(o_str(expr, "key"));
                    }
                }
                None => e.push(forbidden(
                    &mlp,
                    "must not be specified when labelSelector is not set",
                )),
            }
            for (j, k) in keys.iter().enumerate() {
                validate_qualified_name(k, &mlp.i(j), e);
                if selector_keys.contains(k.as_str()) {
                    e.push(invalid(
                        &mlp.i(j),
                        quote(k),
                        "exists in both matchLabelKeys and labelSelector",
                    ));
                }
            }
        }
        validate_label_selector(selector, &ip.c("labelSelector"), e);
    }
}

// ---------------------------------------------------------------------------------------------
// Endpoints

/// `validateEndpointSubsets` (`ValidateEndpoints`).
fn validate_endpoints(obj: &Value, e: &mut Errs) {
    let sp = P::root("subsets");
    for (i, ss) in arr_at(get(obj, "subsets"), &sp, e).iter().enumerate() {
        let ip = sp.i(i);
        if obj_at(Some(ss), &ip, e).is_none() {
            continue;
        }
        let lists =
            ["addresses", "notReadyAddresses"].map(|k| (k, arr_at(get(ss, k), &ip.c(k), e)));
        if lists.iter().all(|(_, l)| l.is_empty()) {
            e.push(required(
                &ip,
                "must specify `addresses` or `notReadyAddresses`",
            ));
        }
        for (k, list) in lists {
            for (j, a) in list.iter().enumerate() {
                validate_endpoint_address(a, &ip.c(k).i(j), e);
            }
        }
        let pp = ip.c("ports");
        let ports = arr_at(get(ss, "ports"), &pp, e);
        for (j, port) in ports.iter().enumerate() {
            validate_endpoint_port(port, ports.len() > 1, &pp.i(j), e);
        }
    }
}

fn validate_endpoint_address(a: &Value, p: &P, e: &mut Errs) {
    if obj_at(Some(a), p, e).is_none() {
        return;
    }
    let ip = str_at(get(a, "ip"), &p.c("ip"), e);
    validate_ip(ip, &p.c("ip"), e);
    let hostname = str_at(get(a, "hostname"), &p.c("hostname"), e);
    if !hostname.is_empty() {
        validate_dns1123_label(hostname, &p.c("hostname"), e);
    }
    if let Some(n) = get(a, "nodeName") {
        let n = str_at(Some(n), &p.c("nodeName"), e);
        validate_dns1123_subdomain(n, &p.c("nodeName"), e);
    }
    validate_non_special_ip(ip, &p.c("ip"), e);
}

fn validate_endpoint_port(port: &Value, require_name: bool, p: &P, e: &mut Errs) {
    if obj_at(Some(port), p, e).is_none() {
        return;
    }
    let name = str_at(get(port, "name"), &p.c("name"), e);
    if require_name && name.is_empty() {
        e.push(required(&p.c("name"), ""));
    } else if !name.is_empty() {
        validate_dns1123_label(name, &p.c("name"), e);
    }
    let num = int_at(get(port, "port"), &p.c("port"), e).unwrap_or(0);
    for m in is_valid_port_num(num) {
        e.push(invalid(&p.c("port"), num.to_string(), m));
    }
    let proto = str_at(get(port, "protocol"), &p.c("protocol"), e);
    validate_enum(proto, &p.c("protocol"), PROTOCOLS, e);
    if let Some(ap) = get(port, "appProtocol") {
        let ap = str_at(Some(ap), &p.c("appProtocol"), e);
        validate_qualified_name(ap, &p.c("appProtocol"), e);
    }
}

// ---------------------------------------------------------------------------------------------
// Events (core/v1 and events.k8s.io/v1; upstream validates the internal core form and reports
// the core field names for both)

/// An Event's fields under their core names, read from either served form.
struct EventView<'a> {
    namespace: &'a str,
    involved_namespace: &'a str,
    event_time: bool,
    reporting_controller: &'a str,
    reporting_instance: &'a str,
    action: &'a str,
    reason: &'a str,
    message: &'a str,
    event_type: &'a str,
}

/// Core field name -> events.k8s.io/v1 field name.
const EVENTS_V1_FIELDS: &[(&str, &str)] = &[
    ("involvedObject", "regarding"),
    ("message", "note"),
    ("source", "deprecatedSource"),
    ("firstTimestamp", "deprecatedFirstTimestamp"),
    ("lastTimestamp", "deprecatedLastTimestamp"),
    ("count", "deprecatedCount"),
];

/// The value of the core field `core_name` of an Event served in either form.
fn event_field<'a>(obj: &'a Value, core_name: &str, events_v1: bool) -> Option<&'a Value> {
    let name = if events_v1 {
        EVENTS_V1_FIELDS
            .iter()
            .find(|(c, _)| *c == core_name)
            .map_or(core_name, |(_, v1)| v1)
    } else {
        core_name
    };
    get(obj, name)
}

fn event_str<'a>(obj: &'a Value, core_name: &str, events_v1: bool) -> &'a str {
    event_field(obj, core_name, events_v1)
        .and_then(Value::as_str)
        .unwrap_or("")
}

fn event_view(obj: &Value, events_v1: bool) -> EventView<'_> {
    EventView {
        namespace: get(obj, "metadata").map_or("", |m| o_str(m, "namespace")),
        involved_namespace: event_field(obj, "involvedObject", events_v1)
            .map_or("", |r| o_str(r, "namespace")),
        event_time: get(obj, "eventTime").is_some(),
        reporting_controller: event_str(obj, "reportingController", events_v1),
        reporting_instance: event_str(obj, "reportingInstance", events_v1),
        action: event_str(obj, "action", events_v1),
        reason: event_str(obj, "reason", events_v1),
        message: event_str(obj, "message", events_v1),
        event_type: event_str(obj, "type", events_v1),
    }
}

/// `legacyValidateEvent`: applies to Events of both groups.
fn validate_event_legacy(ev: &EventView, e: &mut Errs) {
    let ins = P::root("involvedObject").c("namespace");
    let mismatch = if !ev.event_time {
        if ev.involved_namespace.is_empty() {
            !ev.namespace.is_empty() && ev.namespace != "default"
        } else {
            ev.namespace != ev.involved_namespace
        }
    } else {
        ev.involved_namespace.is_empty()
            && ev.namespace != "default"
            && ev.namespace != "kube-system"
    };
    if mismatch {
        e.push(invalid(
            &ins,
            quote(ev.involved_namespace),
            "does not match event.namespace",
        ));
    }
    if ev.event_time {
        let rc = P::root("reportingController");
        if ev.reporting_controller.is_empty() {
            e.push(required(&rc, ""));
        }
        validate_qualified_name(ev.reporting_controller, &rc, e);
        for (field, value, limit, require) in [
            ("reportingInstance", ev.reporting_instance, 128, true),
            ("action", ev.action, 128, true),
            ("reason", ev.reason, 128, true),
            ("message", ev.message, 1024, false),
        ] {
            if require && value.is_empty() {
                e.push(required(&P::root(field), ""));
            }
            if value.len() > limit {
                e.push(invalid(
                    &P::root(field),
                    "\"\"".into(),
                    format!("can have at most {limit} characters"),
                ));
            }
        }
    }
    for m in is_dns1123_subdomain(ev.namespace) {
        e.push(invalid(&P::root("namespace"), quote(ev.namespace), m));
    }
}

/// `validateV1EventSeries`.
fn validate_event_series(obj: &Value, e: &mut Errs) {
    let Some(series) = get(obj, "series") else {
        return;
    };
    if series.get("count").and_then(Value::as_i64).unwrap_or(0) < 2 {
        e.push(invalid(
            &P::root("series.count"),
            "\"\"".into(),
            "should be at least 2",
        ));
    }
    if get(series, "lastObservedTime").is_none() {
        e.push(required(&P::root("series.lastObservedTime"), ""));
    }
}

/// Event validation. `events_v1`: the object is in the events.k8s.io/v1 form, which also gets
/// upstream's strict checks.
fn validate_event(obj: &Value, old: Option<&Value>, events_v1: bool, e: &mut Errs) {
    validate_event_legacy(&event_view(obj, events_v1), e);
    if !events_v1 {
        return;
    }
    match old {
        None => {
            validate_event_series(obj, e);
            let ev = event_view(obj, true);
            if !ev.event_time {
                e.push(required(&P::root("eventTime"), ""));
            }
            if ev.event_type != "Normal" && ev.event_type != "Warning" {
                e.push(invalid(
                    &P::root("type"),
                    "\"\"".into(),
                    format!("has invalid value: {}", ev.event_type),
                ));
            }
            for f in ["firstTimestamp", "lastTimestamp"] {
                if event_field(obj, f, true).is_some() {
                    e.push(invalid(&P::root(f), "\"\"".into(), "needs to be unset"));
                }
            }
            if event_field(obj, "count", true)
                .and_then(Value::as_i64)
                .unwrap_or(0)
                != 0
            {
                e.push(invalid(
                    &P::root("count"),
                    "\"\"".into(),
                    "needs to be unset",
                ));
            }
            let source = event_field(obj, "source", true);
            if source
                .is_some_and(|s| !o_str(s, "component").is_empty() || !o_str(s, "host").is_empty())
            {
                e.push(invalid(
                    &P::root("source"),
                    "\"\"".into(),
                    "needs to be unset",
                ));
            }
        }
        Some(old) => {
            if get(obj, "series").map(normalize) != get(old, "series").map(normalize) {
                validate_event_series(obj, e);
            }
            for f in [
                "involvedObject",
                "reason",
                "message",
                "source",
                "firstTimestamp",
                "lastTimestamp",
                "count",
                "reason",
                "type",
                "eventTime",
                "action",
                "related",
                "reportingController",
                "reportingInstance",
            ] {
                let new_v = event_field(obj, f, true);
                if new_v.map(normalize) != event_field(old, f, true).map(normalize) {
                    e.push(invalid(
                        &P::root(f),
                        render_event_field(f, new_v),
                        IMMUTABLE,
                    ));
                }
            }
        }
    }
}

/// An Event field as upstream prints it in an immutability error.
fn render_event_field(core_name: &str, v: Option<&Value>) -> String {
    let reference = |r: Option<&Value>| {
        let r = r.unwrap_or(&Value::Null);
        format!(
            "core.ObjectReference{{Kind:{}, Namespace:{}, Name:{}, UID:{}, APIVersion:{}, ResourceVersion:{}, FieldPath:{}}}",
            quote(o_str(r, "kind")),
            quote(o_str(r, "namespace")),
            quote(o_str(r, "name")),
            quote(o_str(r, "uid")),
            quote(o_str(r, "apiVersion")),
            quote(o_str(r, "resourceVersion")),
            quote(o_str(r, "fieldPath")),
        )
    };
    match core_name {
        "involvedObject" => reference(v),
        "related" if v.is_some() => reference(v),
        "source" => {
            let s = v.unwrap_or(&Value::Null);
            format!(
                "core.EventSource{{Component:{}, Host:{}}}",
                quote(o_str(s, "component")),
                quote(o_str(s, "host"))
            )
        }
        "related" => "null".into(),
        "firstTimestamp" | "lastTimestamp" | "eventTime" => render_go_time(v),
        "count" => v.and_then(Value::as_i64).unwrap_or(0).to_string(),
        _ => quote(v.and_then(Value::as_str).unwrap_or("")),
    }
}

/// Go's `time.Time.String()` of a timestamp (UTC), the zero time when unset.
fn render_go_time(v: Option<&Value>) -> String {
    let Some(raw) = v else {
        return "0001-01-01 00:00:00 +0000 UTC".into();
    };
    match raw.as_str().and_then(|s| s.parse::<jiff::Timestamp>().ok()) {
        None => render(raw),
        Some(t) => {
            let ns = t.subsec_nanosecond();
            let frac = if ns == 0 {
                String::new()
            } else {
                format!(".{ns:09}").trim_end_matches('0').to_string()
            };
            format!("{}{frac} +0000 UTC", t.strftime("%Y-%m-%d %H:%M:%S"))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// PersistentVolumes

const ACCESS_MODES: &[&str] = &[
    "ReadOnlyMany",
    "ReadWriteMany",
    "ReadWriteOnce",
    "ReadWriteOncePod",
];

/// Access modes of PersistentVolumes and claims: known, and ReadWriteOncePod alone.
fn validate_access_modes(modes: &[String], p: &P, e: &mut Errs) {
    let mut rwop = false;
    let mut other = false;
    for m in modes {
        if !ACCESS_MODES.contains(&m.as_str()) {
            e.push(not_supported(p, quote(m), ACCESS_MODES));
        } else if m == "ReadWriteOncePod" {
            rwop = true;
        } else {
            other = true;
        }
    }
    if rwop && other {
        e.push(forbidden(
            p,
            "may not use ReadWriteOncePod with other access modes",
        ));
    }
}

/// Every PersistentVolume source, in upstream's order, with the name its "more than 1 volume
/// type" error uses.
const PV_SOURCES: &[(&str, &str)] = &[
    ("hostPath", "hostPath"),
    ("gcePersistentDisk", "gcePersistentDisk"),
    ("awsElasticBlockStore", "awsElasticBlockStore"),
    ("glusterfs", "glusterfs"),
    ("flocker", "flocker"),
    ("nfs", "nfs"),
    ("rbd", "rbd"),
    ("quobyte", "quobyte"),
    ("cephfs", "cephFS"),
    ("iscsi", "iscsi"),
    ("cinder", "cinder"),
    ("fc", "fc"),
    ("flexVolume", "flexVolume"),
    ("azureFile", "azureFile"),
    ("vsphereVolume", "vsphereVolume"),
    ("photonPersistentDisk", "photonPersistentDisk"),
    ("portworxVolume", "portworxVolume"),
    ("azureDisk", "azureDisk"),
    ("scaleIO", "scaleIO"),
    ("local", "local"),
    ("storageos", "storageos"),
    ("csi", "csi"),
];

const HOST_PATH_TYPES: &[&str] = &[
    "",
    "BlockDevice",
    "CharDevice",
    "Directory",
    "DirectoryOrCreate",
    "File",
    "FileOrCreate",
    "Socket",
];

/// `validatePathNoBacksteps`.
fn validate_no_backsteps(target: &str, p: &P, e: &mut Errs) {
    if target.split('/').any(|part| part == "..") {
        e.push(invalid(p, quote(target), "must not contain '..'"));
    }
}

/// `validateHostPathVolumeSource` (pod volumes and PersistentVolumes).
fn validate_host_path(s: &Value, sp: &P, e: &mut Errs) {
    let path = str_at(get(s, "path"), &sp.c("path"), e);
    if path.is_empty() {
        e.push(required(&sp.c("path"), ""));
        return;
    }
    validate_no_backsteps(path, &sp.c("path"), e);
    if let Some(t) = get(s, "type") {
        let t = str_at(Some(t), &sp.c("type"), e);
        if !HOST_PATH_TYPES.contains(&t) {
            e.push(not_supported(&sp.c("type"), quote(t), HOST_PATH_TYPES));
        }
    }
}

/// `validateNFSVolumeSource` (pod volumes and PersistentVolumes).
fn validate_nfs(s: &Value, sp: &P, e: &mut Errs) {
    if str_at(get(s, "server"), &sp.c("server"), e).is_empty() {
        e.push(required(&sp.c("server"), ""));
    }
    let path = str_at(get(s, "path"), &sp.c("path"), e);
    if path.is_empty() {
        e.push(required(&sp.c("path"), ""));
    }
    if !path.starts_with('/') {
        e.push(invalid(
            &sp.c("path"),
            quote(path),
            "must be an absolute path",
        ));
    }
}

/// The core `ValidateCSIDriverName` (CSI volume sources, CSINode drivers, attachers).
fn validate_csi_driver_name(name: &str, p: &P, e: &mut Errs) {
    if name.is_empty() {
        e.push(required(p, ""));
    }
    if name.len() > 63 {
        e.push(too_long(p, 63));
    }
    for m in is_dns1123_subdomain(&name.to_lowercase()) {
        e.push(invalid(p, quote(name), m));
    }
}

/// Go's `path.Clean(p) == "/"`.
fn cleans_to_root(path: &str) -> bool {
    if !path.starts_with('/') {
        return false;
    }
    let mut depth: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                depth.pop();
            }
            other => depth.push(other),
        }
    }
    depth.is_empty()
}

/// `ValidatePersistentVolumeSpec`. `inline`: the spec of a VolumeAttachment's inline volume.
fn validate_pv_spec(spec: &Value, inline: bool, p: &P, e: &mut Errs) {
    const INLINE: &str = "may not be specified in the context of inline volumes";
    if inline {
        if get(spec, "claimRef").is_some() {
            e.push(forbidden(&p.c("claimRef"), INLINE));
        }
        if get(spec, "capacity")
            .and_then(Value::as_object)
            .is_some_and(|c| !c.is_empty())
        {
            e.push(forbidden(&p.c("capacity"), INLINE));
        }
        if get(spec, "csi").is_none() {
            e.push(required(
                &p.c("csi"),
                "has to be specified in the context of inline volumes",
            ));
        }
    }
    let mp = p.c("accessModes");
    let modes = strings_at(get(spec, "accessModes"), &mp, e);
    if modes.is_empty() {
        e.push(required(&mp, ""));
    }
    validate_access_modes(&modes, &mp, e);
    if !inline {
        let cp = p.c("capacity");
        let raw = get(spec, "capacity")
            .and_then(Value::as_object)
            .map_or(0, Map::len);
        let capacity = quantity_map(get(spec, "capacity"), &cp, e);
        if raw == 0 {
            e.push(required(&cp, ""));
        }
        if !capacity.contains_key("storage") || raw > 1 {
            e.push(not_supported(
                &cp,
                go_struct("core.ResourceList"),
                &["storage"],
            ));
        }
        for (k, q) in &capacity {
            let value = q.nanos.div_euclid(1_000_000_000)
                + i128::from(q.nanos.rem_euclid(1_000_000_000) != 0);
            if value < 0 {
                e.push(invalid(
                    &cp.k(k),
                    value.to_string(),
                    "must be a valid resource quantity",
                ));
            }
            if q.nanos <= 0 {
                e.push(invalid(
                    &cp.k(k),
                    quote(&q.to_string()),
                    "must be greater than zero",
                ));
            }
        }
    }
    let rpp = p.c("persistentVolumeReclaimPolicy");
    let reclaim = str_at(get(spec, "persistentVolumeReclaimPolicy"), &rpp, e);
    if !reclaim.is_empty() {
        if inline && reclaim != "Retain" {
            e.push(forbidden(
                &rpp,
                "may only be Retain in the context of inline volumes",
            ));
        } else if !inline && !["Delete", "Recycle", "Retain"].contains(&reclaim) {
            e.push(not_supported(
                &rpp,
                quote(reclaim),
                &["Delete", "Recycle", "Retain"],
            ));
        }
    }
    let nap = p.c("nodeAffinity");
    let node_affinity = get(spec, "nodeAffinity");
    if let Some(na) = node_affinity {
        if inline {
            e.push(forbidden(&nap, INLINE));
        } else if obj_at(Some(na), &nap, e).is_some() {
            match get(na, "required") {
                Some(req) => validate_node_selector(req, &nap.c("required"), e),
                None => e.push(required(
                    &nap.c("required"),
                    "must specify required node constraints",
                )),
            }
        }
    }
    let mut sources = 0;
    for (src, err_name) in PV_SOURCES {
        let Some(s) = get(spec, src) else { continue };
        if sources > 0 && *src != "flexVolume" {
            e.push(forbidden(
                &p.c(err_name),
                "may not specify more than 1 volume type",
            ));
            continue;
        }
        sources += 1;
        let sp = p.c(src);
        if obj_at(Some(s), &sp, e).is_none() {
            continue;
        }
        match *src {
            "hostPath" => validate_host_path(s, &sp, e),
            "nfs" => validate_nfs(s, &sp, e),
            "local" => {
                let path = str_at(get(s, "path"), &sp.c("path"), e);
                if path.is_empty() {
                    e.push(required(&sp.c("path"), ""));
                } else {
                    validate_no_backsteps(path, &sp.c("path"), e);
                }
                if node_affinity.is_none() || inline {
                    e.push(required(&nap, "Local volume requires node affinity"));
                }
            }
            "csi" => {
                let driver = str_at(get(s, "driver"), &sp.c("driver"), e);
                validate_csi_driver_name(driver, &sp.c("driver"), e);
                if str_at(get(s, "volumeHandle"), &sp.c("volumeHandle"), e).is_empty() {
                    e.push(required(&sp.c("volumeHandle"), ""));
                }
            }
            _ => {}
        }
    }
    if sources == 0 {
        e.push(required(p, "must specify a volume type"));
    }
    let host_root = get(spec, "hostPath").is_some_and(|h| cleans_to_root(o_str(h, "path")));
    if host_root && reclaim == "Recycle" {
        e.push(forbidden(
            &rpp,
            "may not be 'recycle' for a hostPath mount of '/'",
        ));
    }
    let scp = p.c("storageClassName");
    let class = str_at(get(spec, "storageClassName"), &scp, e);
    if !class.is_empty() {
        if inline {
            e.push(forbidden(&scp, INLINE));
        } else {
            validate_dns1123_subdomain(class, &scp, e);
        }
    }
    if let Some(vm) = get(spec, "volumeMode") {
        let vmp = p.c("volumeMode");
        if inline {
            if str_at(Some(vm), &vmp, e) != "Filesystem" {
                e.push(forbidden(
                    &vmp,
                    "may not specify volumeMode other than Filesystem in the context of inline volumes",
                ));
            }
        } else {
            validate_optional_enum(Some(vm), &vmp, &["Block", "Filesystem"], e);
        }
    }
}

/// The beta topology labels a PersistentVolume's node affinity may move to their GA names.
const BETA_TO_GA_LABELS: &[(&str, &str)] = &[
    (
        "failure-domain.beta.kubernetes.io/zone",
        "topology.kubernetes.io/zone",
    ),
    (
        "failure-domain.beta.kubernetes.io/region",
        "topology.kubernetes.io/region",
    ),
    ("beta.kubernetes.io/os", "kubernetes.io/os"),
    ("beta.kubernetes.io/arch", "kubernetes.io/arch"),
    (
        "beta.kubernetes.io/instance-type",
        "node.kubernetes.io/instance-type",
    ),
];

/// `old`'s node affinity with each requirement key renamed where `new` moved it from a beta
/// label to its GA name.
fn with_ga_keys(old: &Value, new: &Value) -> Value {
    let mut out = old.clone();
    let terms = |v: &Value| {
        v.get("required")
            .and_then(|r| r.get("nodeSelectorTerms"))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let new_terms = terms(new);
    let Some(out_terms) = out
        .get_mut("required")
        .and_then(|r| r.get_mut("nodeSelectorTerms"))
        .and_then(Value::as_array_mut)
    else {
        return out;
    };
    for (ot, nt) in out_terms.iter_mut().zip(&new_terms) {
        for list in ["matchExpressions", "matchFields"] {
            let Some(reqs) = ot.get_mut(list).and_then(Value::as_array_mut) else {
                continue;
            };
            let new_reqs = nt.get(list).and_then(Value::as_array);
            for (j, r) in reqs.iter_mut().enumerate() {
                let new_key = new_reqs
                    .and_then(|n| n.get(j))
                    .map_or("", |n| o_str(n, "key"))
                    .to_string();
                let moved = BETA_TO_GA_LABELS
                    .iter()
                    .any(|(beta, ga)| o_str(r, "key") == *beta && new_key == *ga);
                if moved && let Some(o) = r.as_object_mut() {
                    o.insert("key".into(), Value::String(new_key));
                }
            }
        }
    }
    out
}

/// `ValidatePersistentVolumeUpdate`'s own rules.
fn validate_pv_update(new: &Value, old: &Value, e: &mut Errs) {
    let (ns, os) = (spec_of(new), spec_of(old));
    let source = |spec: &Value, drop_expand_ref: bool| {
        let mut m = Obj::new();
        for (src, _) in PV_SOURCES {
            if let Some(v) = get(spec, src) {
                m.insert(src.to_string(), v.clone());
            }
        }
        if drop_expand_ref && let Some(Value::Object(csi)) = m.get_mut("csi") {
            csi.remove("controllerExpandSecretRef");
        }
        normalize(&Value::Object(m))
    };
    let old_csi_without_ref =
        get(os, "csi").is_some_and(|c| get(c, "controllerExpandSecretRef").is_none());
    let (new_src, old_src) = (source(ns, old_csi_without_ref), source(os, false));
    if new_src != old_src {
        e.push(forbidden(
            &P::root("spec").c("persistentvolumesource"),
            format!(
                "spec.persistentvolumesource is immutable after creation\n{}",
                struct_diff("core.PersistentVolumeSource", &old_src, &new_src)
            ),
        ));
    }
    if get(ns, "volumeMode") != get(os, "volumeMode") {
        e.push(invalid(
            &P::root("volumeMode"),
            render_opt(get(ns, "volumeMode")),
            IMMUTABLE,
        ));
    }
    if let Some(old_na) = get(os, "nodeAffinity") {
        let new_na = get(ns, "nodeAffinity");
        let same = new_na.is_some_and(|n| normalize(n) == normalize(&with_ga_keys(old_na, n)));
        if !same {
            e.push(invalid(
                &P::root("nodeAffinity"),
                new_na.map_or_else(|| "null".into(), |_| go_struct("core.VolumeNodeAffinity")),
                format!("{IMMUTABLE}, except for updating from beta label to GA"),
            ));
        }
    }
}

fn validate_persistent_volume(obj: &Value, old: Option<&Value>, e: &mut Errs) {
    let empty = Value::Object(Obj::new());
    let spec = get(obj, "spec").unwrap_or(&empty);
    if obj_at(Some(spec), &P::root("spec"), e).is_some() {
        validate_pv_spec(spec, false, &P::root("spec"), e);
    }
    if let Some(old) = old {
        validate_pv_update(obj, old, e);
    }
}

// ---------------------------------------------------------------------------------------------
// LimitRanges and ResourceQuotas

/// `Quantity.Value()` / `MilliValue()`: the value in units of 10^-`digits`, rounded up.
fn scaled_up(q: &Quantity, digits: u32) -> i128 {
    let unit = 10i128.pow(9 - digits);
    q.nanos.div_euclid(unit) + i128::from(q.nanos.rem_euclid(unit) != 0)
}

/// `validateLimitRangeTypeName`.
fn validate_limit_type(t: &str, p: &P, e: &mut Errs) {
    let msgs = is_qualified_name(t);
    if !msgs.is_empty() {
        e.extend(msgs.into_iter().map(|m| invalid(p, quote(t), m)));
    } else if !t.contains('/') && !["Pod", "Container", "PersistentVolumeClaim"].contains(&t) {
        e.push(invalid(
            p,
            quote(t),
            "must be a standard limit type or fully qualified",
        ));
    }
}

/// `ValidateLimitRange`.
fn validate_limit_range(obj: &Value, e: &mut Errs) {
    let lp = P::root("spec").c("limits");
    let Some(spec) = spec_obj(obj, e) else { return };
    let mut types = BTreeSet::new();
    for (i, item) in arr_at(get(spec, "limits"), &lp, e).iter().enumerate() {
        let ip = lp.i(i);
        if obj_at(Some(item), &ip, e).is_none() {
            continue;
        }
        let t = str_at(get(item, "type"), &ip.c("type"), e);
        validate_limit_type(t, &ip.c("type"), e);
        if !types.insert(t) {
            e.push(duplicate(&ip.c("type"), quote(t)));
        }
        let container_names = t == "Pod" || t == "Container";
        let section = |name: &str, e: &mut Errs| {
            let sp = ip.c(name);
            let list = quantity_map(get(item, name), &sp, e);
            for k in list.keys() {
                if container_names {
                    validate_container_resource_name(k, &sp.k(k), e);
                } else {
                    validate_resource_name(k, &sp.k(k), e);
                }
            }
            list
        };
        let max = section("max", e);
        let min = section("min", e);
        let (default, default_request) = if t == "Pod" {
            for f in ["default", "defaultRequest"] {
                if get(item, f)
                    .and_then(Value::as_object)
                    .is_some_and(|m| !m.is_empty())
                {
                    e.push(forbidden(
                        &ip.c(f),
                        "may not be specified when `type` is 'Pod'",
                    ));
                }
            }
            (BTreeMap::new(), BTreeMap::new())
        } else {
            (section("default", e), section("defaultRequest", e))
        };
        if t == "PersistentVolumeClaim"
            && !min.contains_key("storage")
            && !max.contains_key("storage")
        {
            e.push(required(
                &ip.c("limits"),
                "either minimum or maximum storage value is required, but neither was provided",
            ));
        }
        let ratios = section("maxLimitRequestRatio", e);
        let keys: BTreeSet<&String> = max
            .keys()
            .chain(min.keys())
            .chain(default.keys())
            .chain(default_request.keys())
            .chain(ratios.keys())
            .collect();
        for k in keys {
            let (mn, mx, df, dr, ratio) = (
                min.get(k),
                max.get(k),
                default.get(k),
                default_request.get(k),
                ratios.get(k),
            );
            let at = |s: &str| ip.c(s).k(k);
            if let (Some(mn), Some(mx)) = (mn, mx)
                && mn > mx
            {
                e.push(invalid(
                    &at("min"),
                    quote(&mn.to_string()),
                    format!("min value {mn} is greater than max value {mx}"),
                ));
            }
            if let (Some(dr), Some(mn)) = (dr, mn)
                && mn > dr
            {
                e.push(invalid(
                    &at("defaultRequest"),
                    quote(&dr.to_string()),
                    format!("min value {mn} is greater than default request value {dr}"),
                ));
            }
            if let (Some(dr), Some(mx)) = (dr, mx)
                && dr > mx
            {
                e.push(invalid(
                    &at("defaultRequest"),
                    quote(&dr.to_string()),
                    format!("default request value {dr} is greater than max value {mx}"),
                ));
            }
            if let (Some(dr), Some(df)) = (dr, df)
                && dr > df
            {
                e.push(invalid(
                    &at("defaultRequest"),
                    quote(&dr.to_string()),
                    format!("default request value {dr} is greater than default limit value {df}"),
                ));
            }
            if let (Some(df), Some(mn)) = (df, mn)
                && mn > df
            {
                e.push(invalid(
                    &at("default"),
                    quote(&mn.to_string()),
                    format!("min value {mn} is greater than default value {df}"),
                ));
            }
            if let (Some(df), Some(mx)) = (df, mx)
                && df > mx
            {
                e.push(invalid(
                    &at("default"),
                    quote(&mx.to_string()),
                    format!("default value {df} is greater than max value {mx}"),
                ));
            }
            if let Some(r) = ratio
                && r.nanos < 1_000_000_000
            {
                e.push(invalid(
                    &at("maxLimitRequestRatio"),
                    quote(&r.to_string()),
                    format!("ratio {r} is less than 1"),
                ));
            }
            if let (Some(r), Some(mn), Some(mx)) = (ratio, mn, mx) {
                const MAX_MILLI: i128 = (i64::MAX / 1000) as i128;
                let (mut rv, mut minv, mut maxv) =
                    (scaled_up(r, 0) as f64, scaled_up(mn, 0), scaled_up(mx, 0));
                if scaled_up(r, 0) < MAX_MILLI && minv < MAX_MILLI && maxv < MAX_MILLI {
                    rv = scaled_up(r, 3) as f64 / 1000.0;
                    minv = scaled_up(mn, 3);
                    maxv = scaled_up(mx, 3);
                }
                let limit = maxv as f64 / minv as f64;
                if rv > limit {
                    e.push(invalid(
                        &at("maxLimitRequestRatio"),
                        quote(&r.to_string()),
                        format!("ratio {r} is greater than max/min = {limit:.6}"),
                    ));
                }
            }
            let overcommit = is_native_resource(k) && !k.starts_with("hugepages-");
            if let (Some(df), Some(dr)) = (df, dr)
                && !overcommit
                && df != dr
            {
                e.push(invalid(
                    &at("defaultRequest"),
                    quote(&dr.to_string()),
                    format!("default value {df} must equal to defaultRequest value {dr} in {k}"),
                ));
            }
        }
    }
}

const QUOTA_SCOPES: &[&str] = &[
    "Terminating",
    "NotTerminating",
    "BestEffort",
    "NotBestEffort",
    "PriorityClass",
    "CrossNamespacePodAffinity",
];

/// `IsResourceQuotaScopeValidForResource`.
fn scope_allows_resource(scope: &str, resource: &str) -> bool {
    const POD_COMPUTE: &[&str] = &[
        "cpu",
        "memory",
        "limits.cpu",
        "limits.memory",
        "requests.cpu",
        "requests.memory",
    ];
    match scope {
        "Terminating"
        | "NotTerminating"
        | "NotBestEffort"
        | "PriorityClass"
        | "CrossNamespacePodAffinity" => resource == "pods" || POD_COMPUTE.contains(&resource),
        "BestEffort" => resource == "pods",
        _ => true,
    }
}

fn conflicting_scopes(scopes: &BTreeSet<&str>) -> usize {
    [
        ("BestEffort", "NotBestEffort"),
        ("Terminating", "NotTerminating"),
    ]
    .iter()
    .filter(|(a, b)| scopes.contains(a) && scopes.contains(b))
    .count()
}

/// A quota's `hard` (or status) resource list: names and quantities. Returns the names.
fn validate_quota_list(v: Option<&Value>, p: &P, e: &mut Errs) -> Vec<String> {
    let list = quantity_map(v, p, e);
    for (k, q) in &list {
        let kp = p.k(k);
        validate_resource_name(k, &kp, e);
        if !k.contains('/') && !is_standard_quota_resource(k) {
            e.push(invalid(
                &kp,
                quote(k),
                "must be a standard resource for quota",
            ));
        }
        validate_resource_quantity(k, q, &kp, e);
    }
    list.into_keys().collect()
}

/// Go's `%#v` of a quota's `*core.ScopeSelector`.
fn render_scope_selector(sel: &Value) -> String {
    let reqs: Vec<String> = sel
        .get("matchExpressions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|r| {
            format!(
                "core.ScopedResourceSelectorRequirement{{ScopeName:{}, Operator:{}, Values:{}}}",
                quote(o_str(r, "scopeName")),
                quote(o_str(r, "operator")),
                render_string_slice(r.get("values")),
            )
        })
        .collect();
    let exprs = match sel.get("matchExpressions").and_then(Value::as_array) {
        None => "[]core.ScopedResourceSelectorRequirement(nil)".to_string(),
        Some(_) => format!(
            "[]core.ScopedResourceSelectorRequirement{{{}}}",
            reqs.join(", ")
        ),
    };
    format!("core.ScopeSelector{{MatchExpressions:{exprs}}}")
}

/// `ValidateResourceQuota` / `ValidateResourceQuotaUpdate`.
fn validate_resource_quota(obj: &Value, old: Option<&Value>, e: &mut Errs) {
    let sp = P::root("spec");
    let empty = Value::Object(Obj::new());
    let spec = get(obj, "spec").unwrap_or(&empty);
    if obj_at(Some(spec), &sp, e).is_none() {
        return;
    }
    let hard = validate_quota_list(get(spec, "hard"), &sp.c("hard"), e);
    let scopes_p = sp.c("scopes");
    let scopes = strings_at(get(spec, "scopes"), &scopes_p, e);
    let rendered_scopes = render_typed_strings("[]core.ResourceQuotaScope", get(spec, "scopes"));
    for scope in &scopes {
        if !QUOTA_SCOPES.contains(&scope.as_str()) {
            e.push(invalid(
                &scopes_p,
                rendered_scopes.clone(),
                "unsupported scope",
            ));
        }
        for k in &hard {
            if is_standard_quota_resource(k) && !scope_allows_resource(scope, k) {
                e.push(invalid(
                    &scopes_p,
                    rendered_scopes.clone(),
                    "unsupported scope applied to resource",
                ));
            }
        }
    }
    let scope_set: BTreeSet<&str> = scopes.iter().map(String::as_str).collect();
    for _ in 0..conflicting_scopes(&scope_set) {
        e.push(invalid(
            &scopes_p,
            rendered_scopes.clone(),
            "conflicting scopes",
        ));
    }
    if let Some(sel) = get(spec, "scopeSelector") {
        let mp = sp.c("scopeSelector").c("matchExpressions");
        let mut selected = BTreeSet::new();
        for r in arr_at(get(sel, "matchExpressions"), &mp, e) {
            let scope = o_str(r, "scopeName");
            let op = o_str(r, "operator");
            let values = strings_at(get(r, "values"), &mp.c("values"), e);
            if !QUOTA_SCOPES.contains(&scope) {
                e.push(invalid(
                    &mp.c("scopeName"),
                    quote(scope),
                    "unsupported scope",
                ));
            }
            for k in &hard {
                if is_standard_quota_resource(k) && !scope_allows_resource(scope, k) {
                    e.push(invalid(
                        &mp,
                        render_scope_selector(sel),
                        "unsupported scope applied to resource",
                    ));
                }
            }
            let exists_only = matches!(
                scope,
                "BestEffort"
                    | "NotBestEffort"
                    | "Terminating"
                    | "NotTerminating"
                    | "CrossNamespacePodAffinity"
            );
            if exists_only && op != "Exists" {
                e.push(invalid(&mp.c("operator"), quote(op), "must be 'Exists' when scope is any of ResourceQuotaScopeTerminating, ResourceQuotaScopeNotTerminating, ResourceQuotaScopeBestEffort, ResourceQuotaScopeNotBestEffort or ResourceQuotaScopeCrossNamespacePodAffinity"));
            }
            match op {
                "In" | "NotIn" if values.is_empty() => e.push(required(
                    &mp.c("values"),
                    "must be at least one value when `operator` is 'In' or 'NotIn' for scope selector",
                )),
                "In" | "NotIn" => {}
                "Exists" | "DoesNotExist" if !values.is_empty() => e.push(invalid(
                    &mp.c("values"),
                    render_string_slice(get(r, "values")),
                    "must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope selector",
                )),
                "Exists" | "DoesNotExist" => {}
                other => e.push(invalid(
                    &mp.c("operator"),
                    quote(other),
                    "not a valid selector operator",
                )),
            }
            selected.insert(scope);
        }
        for _ in 0..conflicting_scopes(&selected) {
            e.push(invalid(&mp, rendered_scopes.clone(), "conflicting scopes"));
        }
    }
    match old {
        None => {
            if let Some(status) = get(obj, "status") {
                let stp = P::root("status");
                for f in ["hard", "used"] {
                    validate_quota_list(get(status, f), &stp.c(f), e);
                }
            }
        }
        Some(old) => {
            let old_scopes: BTreeSet<&str> = get(spec_of(old), "scopes")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            if old_scopes != scope_set {
                e.push(invalid(&scopes_p, rendered_scopes, IMMUTABLE));
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// ControllerRevisions, PodDisruptionBudgets, PriorityClasses

fn validate_controller_revision(obj: &Value, old: Option<&Value>, e: &mut Errs) {
    if get(obj, "data").is_none() {
        e.push(required(&P::root("data"), "data is mandatory"));
    }
    validate_nonnegative(
        int_at(get(obj, "revision"), &P::root("revision"), e),
        &P::root("revision"),
        e,
    );
    if let Some(old) = old
        && get(obj, "data").map(normalize) != get(old, "data").map(normalize)
    {
        e.push(invalid(
            &P::root("data"),
            render_opt(get(obj, "data")),
            IMMUTABLE,
        ));
    }
}

/// `ValidatePositiveIntOrPercent` and `IsNotMoreThan100Percent` (apps validation).
fn validate_pdb_int_or_percent(v: &Value, p: &P, e: &mut Errs) {
    match v {
        Value::String(s) => {
            let pct = s
                .strip_suffix('%')
                .filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()));
            match pct {
                None => e.push(invalid(
                    p,
                    render_int_or_string(v),
                    "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
                )),
                Some(d) if d.parse::<u64>().map_or(true, |n| n > 100) => e.push(invalid(
                    p,
                    render_int_or_string(v),
                    "must not be greater than 100%",
                )),
                Some(_) => {}
            }
        }
        Value::Number(n) => validate_nonnegative(n.as_i64(), p, e),
        other => e.push(type_error(p, other, "integer or string")),
    }
}

fn validate_pdb(obj: &Value, e: &mut Errs) {
    let sp = P::root("spec");
    let empty = Value::Object(Obj::new());
    let spec = get(obj, "spec").unwrap_or(&empty);
    if obj_at(Some(spec), &sp, e).is_none() {
        return;
    }
    let min = get(spec, "minAvailable");
    let max = get(spec, "maxUnavailable");
    if min.is_some() && max.is_some() {
        e.push(invalid(
            &sp,
            go_struct("policy.PodDisruptionBudgetSpec"),
            "minAvailable and maxUnavailable cannot be both set",
        ));
    }
    for (f, v) in [("minAvailable", min), ("maxUnavailable", max)] {
        if let Some(v) = v {
            validate_pdb_int_or_percent(v, &sp.c(f), e);
        }
    }
    validate_label_selector(get(spec, "selector"), &sp.c("selector"), e);
    validate_optional_enum(
        get(spec, "unhealthyPodEvictionPolicy"),
        &sp.c("unhealthyPodEvictionPolicy"),
        &["AlwaysAllow", "IfHealthyBudget"],
        e,
    );
}

const HIGHEST_USER_PRIORITY: i64 = 1_000_000_000;

/// `ValidatePriorityClass` / `ValidatePriorityClassUpdate`.
fn validate_priority_class(obj: &Value, old: Option<&Value>, e: &mut Errs) {
    let name = get(obj, "metadata").map_or("", |m| o_str(m, "name"));
    let value = int_at(get(obj, "value"), &P::root("value"), e).unwrap_or(0);
    let global_default =
        bool_at(get(obj, "globalDefault"), &P::root("globalDefault"), e).unwrap_or(false);
    if name.starts_with("system-") {
        let known = [
            ("system-node-critical", 2 * HIGHEST_USER_PRIORITY + 1000),
            ("system-cluster-critical", 2 * HIGHEST_USER_PRIORITY),
        ];
        let problem = match known.iter().find(|(n, _)| *n == name) {
            None => Some(format!("{name} is not a known system priority class")),
            Some((n, v)) if *v != value => Some(format!("value of {n} PriorityClass must be {v}")),
            Some((n, _)) if global_default => {
                Some(format!("globalDefault of {n} PriorityClass must be false"))
            }
            Some(_) => None,
        };
        if let Some(problem) = problem {
            e.push(forbidden(
                &P::root("metadata").c("name"),
                format!("priority class names with 'system-' prefix are reserved for system use only. error: {problem}"),
            ));
        }
    } else if value > HIGHEST_USER_PRIORITY {
        e.push(forbidden(
            &P::root("value"),
            format!("maximum allowed value of a user defined priority is {HIGHEST_USER_PRIORITY}"),
        ));
    }
    if let Some(pp) = get(obj, "preemptionPolicy") {
        let pp = str_at(Some(pp), &P::root("preemptionPolicy"), e);
        if pp.is_empty() {
            e.push(required(&P::root("preemptionPolicy"), ""));
        } else if pp != "PreemptLowerPriority" && pp != "Never" {
            e.push(not_supported(
                &P::root("preemptionPolicy"),
                quote(pp),
                &["PreemptLowerPriority", "Never"],
            ));
        }
    }
    if let Some(old) = old {
        if get(old, "value").and_then(Value::as_i64).unwrap_or(0) != value {
            e.push(forbidden(
                &P::root("value"),
                "may not be changed in an update.",
            ));
        }
        if get(obj, "preemptionPolicy") != get(old, "preemptionPolicy") {
            e.push(invalid(
                &P::root("preemptionPolicy"),
                render_opt(get(obj, "preemptionPolicy")),
                IMMUTABLE,
            ));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// HorizontalPodAutoscalers (autoscaling/v1 and v2; paths are v2's, as upstream validates the
// internal form: a v1 `targetCPUUtilizationPercentage` is the first metric)

fn validate_cross_version_ref(r: Option<&Value>, p: &P, e: &mut Errs) {
    let empty = Value::Object(Obj::new());
    let r = r.unwrap_or(&empty);
    for f in ["kind", "name"] {
        let v = str_at(get(r, f), &p.c(f), e);
        validate_required_with(v, &p.c(f), path_segment_messages, e);
    }
}

fn validate_metric_target(t: &Value, p: &P, e: &mut Errs) {
    let tt = str_at(get(t, "type"), &p.c("type"), e);
    if tt.is_empty() {
        e.push(required(&p.c("type"), "must specify a metric target type"));
    }
    if !["Utilization", "Value", "AverageValue"].contains(&tt) {
        e.push(invalid(
            &p.c("type"),
            quote(tt),
            "must be either Utilization, Value, or AverageValue",
        ));
    }
    for f in ["value", "averageValue"] {
        if let Some(raw) = get(t, f) {
            match quantity_of(raw) {
                None => e.push(invalid(&p.c(f), render(raw), QUANTITY_FORMAT_ERROR)),
                Some(q) if q.nanos <= 0 => {
                    e.push(invalid(&p.c(f), quote(&q.to_string()), "must be positive"))
                }
                Some(_) => {}
            }
        }
    }
    if let Some(u) = int_at(get(t, "averageUtilization"), &p.c("averageUtilization"), e)
        && u < 1
    {
        e.push(invalid(
            &p.c("averageUtilization"),
            u.to_string(),
            "must be greater than 0",
        ));
    }
}

fn validate_metric_identifier(m: Option<&Value>, p: &P, e: &mut Errs) {
    let name = m.map_or("", |m| o_str(m, "name"));
    if name.is_empty() {
        e.push(required(&p.c("name"), "must specify a metric name"));
    } else {
        for msg in path_segment_messages(name) {
            e.push(invalid(&p.c("name"), quote(name), msg));
        }
    }
}

const METRIC_TYPES: &[(&str, &str)] = &[
    ("Object", "object"),
    ("External", "external"),
    ("Pods", "pods"),
    ("Resource", "resource"),
    ("ContainerResource", "containerResource"),
];

/// `validateMetricSpec`.
fn validate_metric_spec(m: &Value, p: &P, e: &mut Errs) {
    const SORTED: &[&str] = &[
        "ContainerResource",
        "External",
        "Object",
        "Pods",
        "Resource",
    ];
    let t = str_at(get(m, "type"), &p.c("type"), e);
    if t.is_empty() {
        e.push(required(&p.c("type"), "must specify a metric source type"));
    }
    if !SORTED.contains(&t) {
        e.push(not_supported(&p.c("type"), quote(t), SORTED));
    }
    let empty = Value::Object(Obj::new());
    let mut present = Vec::new();
    for (_, field) in METRIC_TYPES {
        let Some(src) = get(m, field) else { continue };
        present.push(*field);
        if present.len() > 1 {
            continue;
        }
        let sp = p.c(field);
        let target = get(src, "target").unwrap_or(&empty);
        let tp = sp.c("target");
        let has = |f: &str| get(target, f).is_some();
        match *field {
            "object" => {
                validate_cross_version_ref(get(src, "describedObject"), &sp.c("describedObject"), e)
            }
            "resource" | "containerResource" => {
                let name = o_str(src, "name");
                if name.is_empty() {
                    e.push(required(&sp.c("name"), "must specify a resource name"));
                } else if *field == "containerResource" {
                    validate_container_resource_name(name, &sp.c("name"), e);
                }
            }
            _ => {}
        }
        if *field == "containerResource" {
            let c = o_str(src, "container");
            if c.is_empty() {
                e.push(required(&sp.c("container"), "must specify a container"));
            } else {
                validate_dns1123_label(c, &sp.c("container"), e);
            }
        }
        if matches!(*field, "object" | "external" | "pods") {
            validate_metric_identifier(get(src, "metric"), &sp.c("metric"), e);
        }
        validate_metric_target(target, &tp, e);
        match *field {
            "object" if !has("value") && !has("averageValue") => e.push(required(
                &tp.c("averageValue"),
                "must set either a target value or averageValue",
            )),
            "external" => {
                if !has("value") && !has("averageValue") {
                    e.push(required(
                        &tp.c("averageValue"),
                        "must set either a target value for metric or a per-pod target",
                    ));
                }
                if has("value") && has("averageValue") {
                    e.push(forbidden(
                        &tp.c("value"),
                        "may not set both a target value for metric and a per-pod target",
                    ));
                }
            }
            "pods" if !has("averageValue") => e.push(required(
                &tp.c("averageValue"),
                "must specify a positive target averageValue",
            )),
            "resource" | "containerResource" => {
                if !has("averageUtilization") && !has("averageValue") {
                    e.push(required(
                        &tp.c("averageUtilization"),
                        "must set either a target raw value or a target utilization",
                    ));
                }
                if has("averageUtilization") && has("averageValue") {
                    e.push(forbidden(
                        &tp.c("averageValue"),
                        "may not set both a target raw value and a target utilization",
                    ));
                }
            }
            _ => {}
        }
    }
    let expected = METRIC_TYPES
        .iter()
        .find(|(ty, _)| *ty == t)
        .map(|(_, f)| *f);
    match expected {
        Some(f) if get(m, f).is_none() => e.push(required(
            &p.c(f),
            "must populate information for the given metric source",
        )),
        Some(_) => {}
        None => e.push(not_supported(&p.c("type"), quote(t), SORTED)),
    }
    if present.len() != 1 {
        for f in present.iter().filter(|f| Some(**f) != expected) {
            e.push(forbidden(
                &p.c(f),
                "must populate the given metric source only",
            ));
        }
    }
}

/// `validateScalingRules` (defaulting fills the policies, select policy and window of the
/// rules a user leaves out).
fn validate_scaling_rules(r: &Value, p: &P, e: &mut Errs) {
    let wp = p.c("stabilizationWindowSeconds");
    if let Some(w) = int_at(get(r, "stabilizationWindowSeconds"), &wp, e) {
        if w < 0 {
            e.push(invalid(
                &wp,
                w.to_string(),
                "must be greater than or equal to zero",
            ));
        }
        if w > 3600 {
            e.push(invalid(
                &wp,
                w.to_string(),
                "must be less than or equal to 3600",
            ));
        }
    }
    validate_optional_enum(
        get(r, "selectPolicy"),
        &p.c("selectPolicy"),
        &["Disabled", "Max", "Min"],
        e,
    );
    let pp = p.c("policies");
    for (i, pol) in arr_at(get(r, "policies"), &pp, e).iter().enumerate() {
        let ip = pp.i(i);
        let t = str_at(get(pol, "type"), &ip.c("type"), e);
        if t != "Pods" && t != "Percent" {
            e.push(not_supported(&ip.c("type"), quote(t), &["Percent", "Pods"]));
        }
        let value = int_at(get(pol, "value"), &ip.c("value"), e).unwrap_or(0);
        if value <= 0 {
            e.push(invalid(
                &ip.c("value"),
                value.to_string(),
                "must be greater than zero",
            ));
        }
        let period = int_at(get(pol, "periodSeconds"), &ip.c("periodSeconds"), e).unwrap_or(0);
        if period <= 0 {
            e.push(invalid(
                &ip.c("periodSeconds"),
                period.to_string(),
                "must be greater than zero",
            ));
        }
        if period > 1800 {
            e.push(invalid(
                &ip.c("periodSeconds"),
                period.to_string(),
                "must be less than or equal to 1800",
            ));
        }
    }
}

fn validate_hpa(obj: &Value, v1: bool, e: &mut Errs) {
    let sp = P::root("spec");
    let empty = Value::Object(Obj::new());
    let spec = get(obj, "spec").unwrap_or(&empty);
    if obj_at(Some(spec), &sp, e).is_none() {
        return;
    }
    let min = int_at(get(spec, "minReplicas"), &sp.c("minReplicas"), e);
    if let Some(m) = min.filter(|m| *m < 1) {
        e.push(invalid(
            &sp.c("minReplicas"),
            m.to_string(),
            "must be greater than or equal to 1",
        ));
    }
    let max = int_at(get(spec, "maxReplicas"), &sp.c("maxReplicas"), e).unwrap_or(0);
    if max < 1 {
        e.push(invalid(
            &sp.c("maxReplicas"),
            max.to_string(),
            "must be greater than 0",
        ));
    }
    if min.is_some_and(|m| max < m) {
        e.push(invalid(
            &sp.c("maxReplicas"),
            max.to_string(),
            "must be greater than or equal to `minReplicas`",
        ));
    }
    validate_cross_version_ref(get(spec, "scaleTargetRef"), &sp.c("scaleTargetRef"), e);
    let mp = sp.c("metrics");
    if v1 {
        let cpu = sp.c("targetCPUUtilizationPercentage");
        if let Some(u) = int_at(get(spec, "targetCPUUtilizationPercentage"), &cpu, e)
            && u < 1
        {
            e.push(invalid(
                &mp.i(0).c("resource").c("target").c("averageUtilization"),
                u.to_string(),
                "must be greater than 0",
            ));
        }
        return;
    }
    for (i, m) in arr_at(get(spec, "metrics"), &mp, e).iter().enumerate() {
        if obj_at(Some(m), &mp.i(i), e).is_some() {
            validate_metric_spec(m, &mp.i(i), e);
        }
    }
    if let Some(b) = get(spec, "behavior") {
        let bp = sp.c("behavior");
        if obj_at(Some(b), &bp, e).is_some() {
            for dir in ["scaleUp", "scaleDown"] {
                if let Some(r) = get(b, dir) {
                    validate_scaling_rules(r, &bp.c(dir), e);
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Ingresses, IngressClasses, NetworkPolicies

const WILDCARD_MSG: &str = "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character";

/// `IsWildcardDNS1123Subdomain`.
fn is_wildcard_dns1123_subdomain(s: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if s.len() > 253 {
        errs.push(max_len_error(253));
    }
    if !s.strip_prefix("*.").is_some_and(matches_dns1123_subdomain) {
        errs.push(regex_error(
            WILDCARD_MSG,
            &format!("\\*\\.{DNS1123_SUBDOMAIN_FMT}"),
            &["*.example.com"],
        ));
    }
    errs
}

/// An Ingress host or TLS host: a DNS subdomain, or a wildcard one when it has a `*`.
fn validate_ingress_host(host: &str, p: &P, e: &mut Errs) {
    let msgs = if host.contains('*') {
        is_wildcard_dns1123_subdomain(host)
    } else {
        is_dns1123_subdomain(host)
    };
    e.extend(msgs.into_iter().map(|m| invalid(p, quote(host), m)));
}

/// A `TypedLocalObjectReference` of an Ingress backend or IngressClass parameters.
fn validate_typed_local_ref(r: &Value, p: &P, e: &mut Errs) {
    if let Some(g) = get(r, "apiGroup") {
        let g = str_at(Some(g), &p.c("apiGroup"), e);
        validate_dns1123_subdomain(g, &p.c("apiGroup"), e);
    }
    for f in ["kind", "name"] {
        let v = str_at(get(r, f), &p.c(f), e);
        validate_required_with(v, &p.c(f), path_segment_messages, e);
    }
}

/// `validateIngressBackend`.
fn validate_ingress_backend(b: &Value, p: &P, e: &mut Errs) {
    if obj_at(Some(b), p, e).is_none() {
        return;
    }
    match (get(b, "resource"), get(b, "service")) {
        (Some(_), Some(_)) => e.push(invalid(
            p,
            "\"\"".into(),
            "cannot set both resource and service backends",
        )),
        (Some(r), None) => validate_typed_local_ref(r, &p.c("resource"), e),
        (None, Some(s)) => {
            let sp = p.c("service");
            let name = str_at(get(s, "name"), &sp.c("name"), e);
            validate_required_with(name, &sp.c("name"), is_dns1035_label, e);
            let empty = Value::Object(Obj::new());
            let port = get(s, "port").unwrap_or(&empty);
            let pp = sp.c("port");
            let pname = str_at(get(port, "name"), &pp.c("name"), e);
            let number = int_at(get(port, "number"), &pp.c("number"), e).unwrap_or(0);
            match (pname.is_empty(), number) {
                (false, n) if n != 0 => e.push(invalid(
                    p,
                    "\"\"".into(),
                    "cannot set both port name & port number",
                )),
                (false, _) => {
                    for m in is_valid_port_name(pname) {
                        e.push(invalid(&pp.c("name"), quote(pname), m));
                    }
                }
                (true, 0) => e.push(required(p, "port name or number is required")),
                (true, n) => {
                    for m in is_valid_port_num(n) {
                        e.push(invalid(&pp.c("number"), n.to_string(), m));
                    }
                }
            }
        }
        (None, None) => e.push(invalid(
            p,
            "\"\"".into(),
            "resource or service backend is required",
        )),
    }
}

/// `validateHTTPIngressPath`.
fn validate_ingress_path(path: &Value, p: &P, e: &mut Errs) {
    if obj_at(Some(path), p, e).is_none() {
        return;
    }
    let Some(pt) = get(path, "pathType") else {
        e.push(required(&p.c("pathType"), "pathType must be specified"));
        return;
    };
    let pt = str_at(Some(pt), &p.c("pathType"), e);
    let pp = p.c("path");
    let value = str_at(get(path, "path"), &pp, e);
    match pt {
        "Exact" | "Prefix" => {
            if !value.starts_with('/') {
                e.push(invalid(&pp, quote(value), "must be an absolute path"));
            }
            for seq in ["//", "/./", "/../", "%2f", "%2F"] {
                if value.contains(seq) {
                    e.push(invalid(
                        &pp,
                        quote(value),
                        format!("must not contain '{seq}'"),
                    ));
                }
            }
            for suffix in ["/..", "/."] {
                if value.ends_with(suffix) {
                    e.push(invalid(
                        &pp,
                        quote(value),
                        format!("cannot end with '{suffix}'"),
                    ));
                }
            }
        }
        "ImplementationSpecific" => {
            if !value.is_empty() && !value.starts_with('/') {
                e.push(invalid(&pp, quote(value), "must be an absolute path"));
            }
        }
        other => e.push(not_supported(
            &p.c("pathType"),
            quote(other),
            &["Exact", "ImplementationSpecific", "Prefix"],
        )),
    }
    let empty = Value::Object(Obj::new());
    validate_ingress_backend(get(path, "backend").unwrap_or(&empty), &p.c("backend"), e);
}

/// `ValidateIngressCreate` / `ValidateIngressUpdate` (the leniencies upstream keeps for
/// already-stored invalid objects are not reproduced).
fn validate_ingress(obj: &Value, old: Option<&Value>, e: &mut Errs) {
    let sp = P::root("spec");
    let empty = Value::Object(Obj::new());
    let spec = get(obj, "spec").unwrap_or(&empty);
    if obj_at(Some(spec), &sp, e).is_none() {
        return;
    }
    let rp = sp.c("rules");
    let rules = arr_at(get(spec, "rules"), &rp, e);
    let backend = get(spec, "defaultBackend");
    if rules.is_empty() && backend.is_none() {
        e.push(invalid(
            &sp,
            render_typed_strings("[]networking.IngressRule", get(spec, "rules")),
            "either `defaultBackend` or `rules` must be specified",
        ));
    }
    if let Some(b) = backend {
        validate_ingress_backend(b, &sp.c("defaultBackend"), e);
    }
    for (i, r) in rules.iter().enumerate() {
        let ip = rp.i(i);
        if obj_at(Some(r), &ip, e).is_none() {
            continue;
        }
        let host = str_at(get(r, "host"), &ip.c("host"), e);
        if !host.is_empty() {
            if parse_ip_sloppy(host).is_some() {
                e.push(invalid(
                    &ip.c("host"),
                    quote(host),
                    "must be a DNS name, not an IP address",
                ));
            }
            validate_ingress_host(host, &ip.c("host"), e);
        }
        if let Some(http) = get(r, "http") {
            let hp = ip.c("http");
            let pp = hp.c("paths");
            let paths = arr_at(get(http, "paths"), &pp, e);
            if paths.is_empty() {
                e.push(required(&pp, ""));
            }
            for (j, path) in paths.iter().enumerate() {
                validate_ingress_path(path, &pp.i(j), e);
            }
        }
    }
    let tp = sp.c("tls");
    for (i, tls) in arr_at(get(spec, "tls"), &tp, e).iter().enumerate() {
        let ip = tp.i(i);
        for (j, host) in strings_at(get(tls, "hosts"), &ip.c("hosts"), e)
            .iter()
            .enumerate()
        {
            validate_ingress_host(host, &ip.c("hosts").i(j), e);
        }
        let secret = str_at(get(tls, "secretName"), &ip.c("secretName"), e);
        if !secret.is_empty() {
            validate_dns1123_subdomain(secret, &ip.c("secretName"), e);
        }
    }
    let class = get(spec, "ingressClassName");
    if let Some(c) = class {
        let c = str_at(Some(c), &sp.c("ingressClassName"), e);
        validate_dns1123_subdomain(c, &sp.c("ingressClassName"), e);
    }
    if old.is_none() {
        const ANNOTATION: &str = "kubernetes.io/ingress.class";
        let annotation = get(obj, "metadata")
            .and_then(|m| get(m, "annotations"))
            .and_then(|a| get(a, ANNOTATION))
            .and_then(Value::as_str);
        if let (Some(a), Some(c)) = (annotation, class.and_then(Value::as_str))
            && a != c
        {
            e.push(invalid(
                &P::root("annotations").c(ANNOTATION),
                quote(a),
                "must match `ingressClassName` when both are specified",
            ));
        }
    }
}

const HTTP_PATH_FMT: &str = "[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+";

/// `IsDomainPrefixedPath`.
fn validate_domain_prefixed_path(value: &str, p: &P, e: &mut Errs) {
    if value.is_empty() {
        e.push(required(p, ""));
        return;
    }
    let Some((host, path)) = value
        .split_once('/')
        .filter(|(h, r)| !h.is_empty() && !r.is_empty())
    else {
        e.push(invalid(
            p,
            quote(value),
            "must be a domain-prefixed path (such as \"acme.io/foo\")",
        ));
        return;
    };
    for m in is_dns1123_subdomain(host) {
        e.push(invalid(p, quote(host), m));
    }
    let ok = path
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/-._~%!$&'()*+,;=:".contains(c));
    if !ok {
        e.push(invalid(
            p,
            quote(path),
            regex_error("Invalid path", HTTP_PATH_FMT, &[]),
        ));
    }
}

fn validate_ingress_class(obj: &Value, old: Option<&Value>, e: &mut Errs) {
    let sp = P::root("spec");
    let empty = Value::Object(Obj::new());
    let spec = get(obj, "spec").unwrap_or(&empty);
    if obj_at(Some(spec), &sp, e).is_none() {
        return;
    }
    let cp = sp.c("controller");
    let controller = str_at(get(spec, "controller"), &cp, e);
    if let Some(old) = old
        && o_str(spec_of(old), "controller") != controller
    {
        e.push(invalid(&cp, quote(controller), IMMUTABLE));
    }
    if controller.is_empty() {
        e.push(required(&cp, ""));
    } else {
        if controller.len() > 250 {
            e.push(too_long(&cp, 250));
        }
        validate_domain_prefixed_path(controller, &cp, e);
    }
    let Some(params) = get(spec, "parameters") else {
        return;
    };
    let pp = sp.c("parameters");
    if obj_at(Some(params), &pp, e).is_none() {
        return;
    }
    validate_typed_local_ref(params, &pp, e);
    let Some(scope) = get(params, "scope") else {
        e.push(required(&pp.c("scope"), ""));
        return;
    };
    let scope = str_at(Some(scope), &pp.c("scope"), e);
    let namespace = get(params, "namespace");
    match scope {
        "Namespace" => match namespace {
            None => e.push(required(
                &pp.c("namespace"),
                "`parameters.scope` is set to 'Namespace'",
            )),
            Some(ns) => {
                let ns = str_at(Some(ns), &pp.c("namespace"), e);
                validate_dns1123_label(ns, &pp.c("namespace"), e);
            }
        },
        "Cluster" => {
            if namespace.is_some() {
                e.push(forbidden(
                    &pp.c("namespace"),
                    "`parameters.scope` is set to 'Cluster'",
                ));
            }
        }
        other => e.push(not_supported(
            &pp.c("scope"),
            quote(other),
            &["Cluster", "Namespace"],
        )),
    }
}

fn validate_network_policy_port(port: &Value, p: &P, e: &mut Errs) {
    if obj_at(Some(port), p, e).is_none() {
        return;
    }
    if let Some(proto) = get(port, "protocol") {
        let proto = str_at(Some(proto), &p.c("protocol"), e);
        if !["TCP", "UDP", "SCTP"].contains(&proto) {
            e.push(not_supported(
                &p.c("protocol"),
                quote(proto),
                &["TCP", "UDP", "SCTP"],
            ));
        }
    }
    let ep = p.c("endPort");
    let end = int_at(get(port, "endPort"), &ep, e);
    match get(port, "port") {
        Some(Value::Number(n)) => {
            let n = n.as_i64().unwrap_or(0);
            for m in is_valid_port_num(n) {
                e.push(invalid(&p.c("port"), n.to_string(), m));
            }
            if let Some(end) = end {
                if end < n {
                    e.push(invalid(
                        &ep,
                        end.to_string(),
                        "must be greater than or equal to `port`",
                    ));
                }
                for m in is_valid_port_num(end) {
                    e.push(invalid(&ep, end.to_string(), m));
                }
            }
        }
        Some(Value::String(s)) => {
            if let Some(end) = end {
                e.push(invalid(
                    &ep,
                    end.to_string(),
                    "may not be specified when `port` is non-numeric",
                ));
            }
            for m in is_valid_port_name(s) {
                e.push(invalid(&p.c("port"), quote(s), m));
            }
        }
        Some(other) => e.push(type_error(&p.c("port"), other, "integer or string")),
        None => {
            if let Some(end) = end {
                e.push(invalid(
                    &ep,
                    end.to_string(),
                    "may not be specified when `port` is not specified",
                ));
            }
        }
    }
}

/// `ValidateIPBlock` (the leniency for CIDRs already stored is not reproduced).
fn validate_ip_block(b: &Value, p: &P, e: &mut Errs) {
    let cp = p.c("cidr");
    let cidr = str_at(get(b, "cidr"), &cp, e);
    if cidr.is_empty() {
        e.push(required(&cp, ""));
        return;
    }
    validate_cidr(cidr, &cp, e);
    let Some((net, bits)) = parse_cidr_sloppy(cidr) else {
        return;
    };
    let xp = p.c("except");
    for (i, ex) in strings_at(get(b, "except"), &xp, e).iter().enumerate() {
        validate_cidr(ex, &xp.i(i), e);
        let Some((ex_ip, ex_bits)) = parse_cidr_sloppy(ex) else {
            continue;
        };
        if !cidr_contains(net, bits, ex_ip) || bits >= ex_bits {
            e.push(invalid(
                &xp.i(i),
                quote(ex),
                "must be a strict subset of `cidr`",
            ));
        }
    }
}

fn validate_network_policy_peer(peer: &Value, p: &P, e: &mut Errs) {
    if obj_at(Some(peer), p, e).is_none() {
        return;
    }
    let mut n = 0;
    for f in ["podSelector", "namespaceSelector"] {
        if let Some(s) = get(peer, f) {
            n += 1;
            validate_label_selector(Some(s), &p.c(f), e);
        }
    }
    let ip_block = get(peer, "ipBlock");
    if let Some(b) = ip_block {
        n += 1;
        validate_ip_block(b, &p.c("ipBlock"), e);
    }
    if n == 0 {
        e.push(required(p, "must specify a peer"));
    } else if n > 1 && ip_block.is_some() {
        e.push(forbidden(
            p,
            "may not specify both ipBlock and another peer",
        ));
    }
}

fn validate_network_policy(obj: &Value, e: &mut Errs) {
    let sp = P::root("spec");
    let empty = Value::Object(Obj::new());
    let spec = get(obj, "spec").unwrap_or(&empty);
    if obj_at(Some(spec), &sp, e).is_none() {
        return;
    }
    validate_label_selector(get(spec, "podSelector"), &sp.c("podSelector"), e);
    for (dir, peers) in [("ingress", "from"), ("egress", "to")] {
        let dp = sp.c(dir);
        for (i, rule) in arr_at(get(spec, dir), &dp, e).iter().enumerate() {
            let rp = dp.i(i);
            let pp = rp.c("ports");
            for (j, port) in arr_at(get(rule, "ports"), &pp, e).iter().enumerate() {
                validate_network_policy_port(port, &pp.i(j), e);
            }
            let xp = rp.c(peers);
            for (j, peer) in arr_at(get(rule, peers), &xp, e).iter().enumerate() {
                validate_network_policy_peer(peer, &xp.i(j), e);
            }
        }
    }
    let tp = sp.c("policyTypes");
    let types = strings_at(get(spec, "policyTypes"), &tp, e);
    if types.len() > 2 {
        e.push(invalid(
            &tp,
            render_typed_strings("[]networking.PolicyType", get(spec, "policyTypes")),
            "may not specify more than two policyTypes",
        ));
        return;
    }
    for (i, t) in types.iter().enumerate() {
        if t != "Ingress" && t != "Egress" {
            e.push(not_supported(&tp.i(i), quote(t), &["Ingress", "Egress"]));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// StorageClasses, CSIDrivers, CSINodes, VolumeAttachments

fn validate_storage_class(obj: &Value, old: Option<&Value>, e: &mut Errs) {
    let pp = P::root("provisioner");
    let provisioner = str_at(get(obj, "provisioner"), &pp, e);
    if provisioner.is_empty() {
        e.push(required(&pp, ""));
    } else {
        for m in is_qualified_name(&provisioner.to_lowercase()) {
            e.push(invalid(&pp, quote(&provisioner.to_lowercase()), m));
        }
    }
    let params_p = P::root("parameters");
    let params = string_map_at(get(obj, "parameters"), &params_p, e);
    if params.len() > 512 {
        e.push(too_long(&params_p, 512));
    } else {
        if params.contains_key("") {
            e.push(invalid(&params_p, "\"\"".into(), "field can not be empty."));
        }
        let size: usize = params.iter().map(|(k, v)| k.len() + v.len()).sum();
        if size > 256 * 1024 {
            e.push(too_long(&params_p, 256 * 1024));
        }
    }
    let rp = P::root("reclaimPolicy");
    let reclaim = str_at(get(obj, "reclaimPolicy"), &rp, e);
    if !reclaim.is_empty() && reclaim != "Delete" && reclaim != "Retain" {
        e.push(not_supported(&rp, quote(reclaim), &["Delete", "Retain"]));
    }
    let bp = P::root("volumeBindingMode");
    match get(obj, "volumeBindingMode") {
        None => e.push(required(&bp, "")),
        Some(m) => validate_optional_enum(Some(m), &bp, &["Immediate", "WaitForFirstConsumer"], e),
    }
    let tp = P::root("allowedTopologies");
    let mut seen: Vec<BTreeMap<String, BTreeSet<String>>> = Vec::new();
    for (i, term) in arr_at(get(obj, "allowedTopologies"), &tp, e)
        .iter()
        .enumerate()
    {
        let ip = tp.i(i);
        let xp = ip.c("matchLabelExpressions");
        let mut expr_map = BTreeMap::new();
        for (j, r) in arr_at(get(term, "matchLabelExpressions"), &xp, e)
            .iter()
            .enumerate()
        {
            let rp = xp.i(j);
            let vp = rp.c("values");
            let values = strings_at(get(r, "values"), &vp, e);
            if values.is_empty() {
                e.push(required(&vp, ""));
            }
            let mut set = BTreeSet::new();
            for (k, v) in values.iter().enumerate() {
                if !set.insert(v.clone()) {
                    e.push(duplicate(&vp.i(k), quote(v)));
                }
            }
            let key = str_at(get(r, "key"), &rp.c("key"), e);
            validate_qualified_name(key, &rp.c("key"), e);
            if expr_map.insert(key.to_string(), set).is_some() {
                e.push(duplicate(&rp.c("key"), quote(key)));
            }
        }
        if seen.contains(&expr_map) {
            e.push(duplicate(&xp, "\"\"".into()));
        }
        seen.push(expr_map);
    }
    if let Some(old) = old {
        if normalize(get(obj, "parameters").unwrap_or(&Value::Null))
            != normalize(get(old, "parameters").unwrap_or(&Value::Null))
        {
            e.push(forbidden(&params_p, "updates to parameters are forbidden."));
        }
        if o_str(old, "provisioner") != provisioner {
            e.push(forbidden(&pp, "updates to provisioner are forbidden."));
        }
        if o_str(old, "reclaimPolicy") != reclaim {
            e.push(forbidden(&rp, "updates to reclaimPolicy are forbidden."));
        }
        if get(obj, "volumeBindingMode") != get(old, "volumeBindingMode") {
            e.push(invalid(
                &bp,
                render_opt(get(obj, "volumeBindingMode")),
                IMMUTABLE,
            ));
        }
    }
}

fn validate_csi_driver(obj: &Value, old: Option<&Value>, e: &mut Errs) {
    let sp = P::root("spec");
    let empty = Value::Object(Obj::new());
    let spec = get(obj, "spec").unwrap_or(&empty);
    if obj_at(Some(spec), &sp, e).is_none() {
        return;
    }
    // (upstream's path for attachRequired is `attachedRequired`)
    for (f, path) in [
        ("attachRequired", "attachedRequired"),
        ("podInfoOnMount", "podInfoOnMount"),
        ("storageCapacity", "storageCapacity"),
    ] {
        if bool_at(get(spec, f), &sp.c(path), e).is_none() {
            e.push(required(&sp.c(path), ""));
        }
    }
    validate_optional_enum(
        get(spec, "fsGroupPolicy"),
        &sp.c("fsGroupPolicy"),
        &["File", "None", "ReadWriteOnceWithFSType"],
        e,
    );
    let tp = sp.c("tokenRequests");
    let mut audiences = BTreeSet::new();
    for (i, t) in arr_at(get(spec, "tokenRequests"), &tp, e)
        .iter()
        .enumerate()
    {
        let ip = tp.i(i);
        let audience = str_at(get(t, "audience"), &ip.c("audience"), e);
        if !audiences.insert(audience) {
            e.push(duplicate(&ip.c("audience"), quote(audience)));
            continue;
        }
        let xp = ip.c("expirationSeconds");
        if let Some(s) = int_at(get(t, "expirationSeconds"), &xp, e) {
            if s < 600 {
                e.push(invalid(
                    &xp,
                    s.to_string(),
                    "may not specify a duration less than 10 minutes",
                ));
            }
            if s > 1 << 32 {
                e.push(invalid(
                    &xp,
                    s.to_string(),
                    "may not specify a duration larger than 2^32 seconds",
                ));
            }
        }
    }
    let mp = sp.c("volumeLifecycleModes");
    for m in strings_at(get(spec, "volumeLifecycleModes"), &mp, e) {
        if m != "Persistent" && m != "Ephemeral" {
            e.push(not_supported(&mp, quote(&m), &["Persistent", "Ephemeral"]));
        }
    }
    if get(spec, "seLinuxMount").is_none() {
        e.push(required(&sp.c("seLinuxMount"), ""));
    }
    if let Some(old) = old {
        let os = spec_of(old);
        if get(spec, "attachRequired") != get(os, "attachRequired") {
            e.push(invalid(
                &sp.c("attachedRequired"),
                render_opt(get(spec, "attachRequired")),
                IMMUTABLE,
            ));
        }
        if get(spec, "volumeLifecycleModes").map(normalize)
            != get(os, "volumeLifecycleModes").map(normalize)
        {
            e.push(invalid(
                &mp,
                render_typed_strings(
                    "[]storage.VolumeLifecycleMode",
                    get(spec, "volumeLifecycleModes"),
                ),
                IMMUTABLE,
            ));
        }
    }
}

fn validate_csi_node(obj: &Value, old: Option<&Value>, e: &mut Errs) {
    let dp = P::root("spec").c("drivers");
    let empty = Value::Object(Obj::new());
    let spec = get(obj, "spec").unwrap_or(&empty);
    let drivers = arr_at(get(spec, "drivers"), &dp, e);
    let mut names = BTreeSet::new();
    for (i, d) in drivers.iter().enumerate() {
        let ip = dp.i(i);
        if obj_at(Some(d), &ip, e).is_none() {
            continue;
        }
        let name = str_at(get(d, "name"), &ip.c("name"), e);
        validate_csi_driver_name(name, &ip.c("name"), e);
        let np = ip.c("nodeID");
        let node_id = str_at(get(d, "nodeID"), &np, e);
        if node_id.is_empty() {
            e.push(required(&np, ""));
        }
        if node_id.len() > 256 {
            e.push(invalid(
                &np,
                quote(node_id),
                "must be 256 characters or less",
            ));
        }
        if let Some(a) = get(d, "allocatable") {
            let cp = ip.c("allocatable").c("count");
            validate_nonnegative(int_at(get(a, "count"), &cp, e), &cp, e);
        }
        if !names.insert(name) {
            e.push(duplicate(&ip.c("name"), quote(name)));
        }
        let mut keys = BTreeSet::new();
        for key in strings_at(get(d, "topologyKeys"), &ip.c("topologyKeys"), e) {
            if key.is_empty() {
                e.push(required(&ip, ""));
            }
            if !keys.insert(key.clone()) {
                e.push(duplicate(&ip, quote(&key)));
            }
            validate_qualified_name(&key, &ip, e);
        }
    }
    let Some(old) = old else { return };
    let old_drivers = get(spec_of(old), "drivers").and_then(Value::as_array);
    for od in old_drivers.into_iter().flatten() {
        for nd in drivers
            .iter()
            .filter(|nd| o_str(nd, "name") == o_str(od, "name"))
        {
            if normalize(nd) != normalize(od) {
                e.push(invalid(&dp, go_struct("storage.CSINodeDriver"), IMMUTABLE));
            }
        }
    }
}

fn validate_volume_attachment(obj: &Value, old: Option<&Value>, e: &mut Errs) {
    let sp = P::root("spec");
    let empty = Value::Object(Obj::new());
    let spec = get(obj, "spec").unwrap_or(&empty);
    if obj_at(Some(spec), &sp, e).is_none() {
        return;
    }
    let ap = sp.c("attacher");
    let attacher = str_at(get(spec, "attacher"), &ap, e);
    if attacher.is_empty() {
        e.push(required(&ap, ""));
    }
    let srcp = sp.c("source");
    let source = get(spec, "source").unwrap_or(&empty);
    let pv_name = get(source, "persistentVolumeName");
    match (get(source, "inlineVolumeSpec"), pv_name) {
        (None, None) => e.push(required(
            &srcp,
            "must specify exactly one of inlineVolumeSpec and persistentVolumeName",
        )),
        (Some(_), Some(_)) => e.push(forbidden(
            &srcp,
            "must specify exactly one of inlineVolumeSpec and persistentVolumeName",
        )),
        (None, Some(n)) => {
            if str_at(Some(n), &srcp.c("persistentVolumeName"), e).is_empty() {
                e.push(required(
                    &srcp.c("persistentVolumeName"),
                    "must specify non empty persistentVolumeName",
                ));
            }
        }
        (Some(inline), None) => {
            let ip = srcp.c("inlineVolumeSpec");
            if obj_at(Some(inline), &ip, e).is_some() {
                validate_pv_spec(inline, true, &ip, e);
            }
        }
    }
    let np = sp.c("nodeName");
    let node = str_at(get(spec, "nodeName"), &np, e);
    validate_dns1123_subdomain(node, &np, e);
    if let Some(status) = get(obj, "status") {
        let stp = P::root("status");
        let meta = string_map_at(
            get(status, "attachmentMetadata"),
            &stp.c("attachmentMetadata"),
            e,
        );
        if meta.iter().map(|(k, v)| k.len() + v.len()).sum::<usize>() > 256 * 1024 {
            e.push(too_long(&stp.c("attachmentMetadata"), 256 * 1024));
        }
        for f in ["attachError", "detachError"] {
            let Some(err) = get(status, f) else { continue };
            let fp = stp.c(f);
            if str_at(get(err, "message"), &fp.c("message"), e).len() > 1024 {
                // (upstream reports the metadata size limit here)
                e.push(too_long(&fp.c("message"), 256 * 1024));
            }
            if let Some(code) = int_at(get(err, "errorCode"), &fp.c("errorCode"), e)
                && code < 0
            {
                e.push(invalid(
                    &fp.c("errorCode"),
                    code.to_string(),
                    inclusive_range_error(0, MAX_INT32),
                ));
            }
        }
    }
    match old {
        None => {
            // ValidateVolumeAttachmentV1, for new objects.
            validate_csi_driver_name(attacher, &P::root("spec.attacher"), e);
            if let Some(n) = pv_name.and_then(Value::as_str) {
                for m in is_dns1123_subdomain(n) {
                    e.push(invalid(
                        &P::root("spec.source.persistentVolumeName"),
                        quote(n),
                        m,
                    ));
                }
            }
        }
        Some(old) => {
            if normalize(spec) != normalize(spec_of(old)) {
                e.push(invalid(
                    &sp,
                    go_struct("storage.VolumeAttachmentSpec"),
                    IMMUTABLE,
                ));
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// EndpointSlices

fn validate_endpoint_slice(obj: &Value, old: Option<&Value>, e: &mut Errs) {
    let atp = P::root("addressType");
    let address_type = str_at(get(obj, "addressType"), &atp, e);
    const TYPES: &[&str] = &["FQDN", "IPv4", "IPv6"];
    if address_type.is_empty() {
        e.push(required(&atp, ""));
    } else if !TYPES.contains(&address_type) {
        e.push(not_supported(&atp, quote(address_type), TYPES));
    }
    let ep = P::root("endpoints");
    let endpoints = arr_at(get(obj, "endpoints"), &ep, e);
    if endpoints.len() > 1000 {
        e.push(too_many(&ep, endpoints.len(), 1000));
    } else {
        for (i, endpoint) in endpoints.iter().enumerate() {
            validate_slice_endpoint(endpoint, address_type, &ep.i(i), e);
        }
    }
    let pp = P::root("ports");
    let ports = arr_at(get(obj, "ports"), &pp, e);
    if ports.len() > 20000 {
        e.push(too_many(&pp, ports.len(), 20000));
    } else {
        let mut names = BTreeSet::new();
        for (i, port) in ports.iter().enumerate() {
            let ip = pp.i(i);
            if obj_at(Some(port), &ip, e).is_none() {
                continue;
            }
            let name = str_at(get(port, "name"), &ip.c("name"), e);
            if !name.is_empty() {
                validate_dns1123_label(name, &ip.c("name"), e);
            }
            if !names.insert(name) {
                e.push(duplicate(&ip.c("name"), quote(name)));
            }
            match get(port, "protocol") {
                None => e.push(required(&ip.c("protocol"), "")),
                Some(p) => validate_optional_enum(Some(p), &ip.c("protocol"), PROTOCOLS, e),
            }
            if let Some(ap) = get(port, "appProtocol") {
                let ap = str_at(Some(ap), &ip.c("appProtocol"), e);
                validate_qualified_name(ap, &ip.c("appProtocol"), e);
            }
        }
    }
    if let Some(old) = old
        && o_str(old, "addressType") != address_type
    {
        e.push(invalid(&atp, quote(address_type), IMMUTABLE));
    }
}

fn validate_slice_endpoint(endpoint: &Value, address_type: &str, p: &P, e: &mut Errs) {
    if obj_at(Some(endpoint), p, e).is_none() {
        return;
    }
    let ap = p.c("addresses");
    let addresses = strings_at(get(endpoint, "addresses"), &ap, e);
    if addresses.is_empty() {
        e.push(required(&ap, "must contain at least 1 address"));
    } else if addresses.len() > 100 {
        e.push(too_many(&ap, addresses.len(), 100));
    }
    for (i, a) in addresses.iter().enumerate() {
        let ip = ap.i(i);
        match address_type {
            "IPv4" | "IPv6" => {
                let family_ok = parse_ip_sloppy(a).is_some_and(|x| match x {
                    IpAddr::V4(_) => address_type == "IPv4",
                    IpAddr::V6(v6) => (v6.to_ipv4_mapped().is_some()) == (address_type == "IPv4"),
                });
                if !family_ok {
                    e.push(invalid(
                        &ip,
                        quote(a),
                        format!("must be a valid {address_type} address"),
                    ));
                }
                validate_non_special_ip(a, &ip, e);
            }
            "FQDN" => validate_fqdn(a, &ip, e),
            _ => {}
        }
    }
    if let Some(n) = get(endpoint, "nodeName") {
        let n = str_at(Some(n), &p.c("nodeName"), e);
        validate_dns1123_subdomain(n, &p.c("nodeName"), e);
    }
    let tp = p.c("deprecatedTopology");
    let topology = get(endpoint, "deprecatedTopology")
        .and_then(Value::as_object)
        .map_or(0, Map::len);
    if topology > 16 {
        e.push(too_many(&tp, topology, 16));
    }
    validate_labels(get(endpoint, "deprecatedTopology"), &tp, e);
    if let Some(h) = get(endpoint, "hostname") {
        let h = str_at(Some(h), &p.c("hostname"), e);
        validate_dns1123_label(h, &p.c("hostname"), e);
    }
    if let Some(hints) = get(endpoint, "hints") {
        let zp = p.c("hints").c("forZones");
        let zones = arr_at(get(hints, "forZones"), &zp, e);
        if zones.len() > 8 {
            e.push(too_many(&zp, zones.len(), 8));
        } else {
            let mut seen = BTreeSet::new();
            for (i, z) in zones.iter().enumerate() {
                let np = zp.i(i).c("name");
                let name = str_at(get(z, "name"), &np, e);
                if !seen.insert(name) {
                    e.push(duplicate(&np, quote(name)));
                }
                for m in is_valid_label_value(name) {
                    e.push(invalid(&np, quote(name), m));
                }
            }
        }
    }
}

/// `IsFullyQualifiedDomainName`.
fn validate_fqdn(name: &str, p: &P, e: &mut Errs) {
    if name.is_empty() {
        e.push(required(p, ""));
        return;
    }
    let name = name.strip_suffix('.').unwrap_or(name);
    let msgs = is_dns1123_subdomain(name);
    if !msgs.is_empty() {
        e.push(invalid(p, quote(name), msgs.join(",")));
    } else if name.split('.').count() < 2 {
        e.push(invalid(
            p,
            quote(name),
            "should be a domain with at least two segments separated by dots",
        ));
    } else if let Some(label) = name.split('.').find(|l| !is_dns1123_label(l).is_empty()) {
        e.push(invalid(p, quote(label), is_dns1123_label(label).join(",")));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn defaulted(api_version: &str, kind: &str, mut v: Value) -> Value {
        crate::defaults::apply_defaults(api_version, kind, &mut v);
        v
    }

    fn pod(name: &str, spec: Value) -> Value {
        defaulted(
            "v1",
            "Pod",
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default"}, "spec": spec}),
        )
    }

    fn simple_pod(name: &str) -> Value {
        pod(
            name,
            json!({"containers": [{"name": "c", "image": "nginx"}]}),
        )
    }

    fn msgs(errs: &[FieldError]) -> Vec<String> {
        errs.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn bad_pod_name_message_matches_upstream() {
        let errs = validate_create("v1", "Pod", &simple_pod("Bad_Name"));
        assert_eq!(errs.len(), 1, "{:?}", msgs(&errs));
        assert_eq!(
            invalid_message("Pod", "Bad_Name", &errs),
            "Pod \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
        );
        assert_eq!(errs[0].kind.reason(), "FieldValueInvalid");
        assert!(
            errs[0]
                .body()
                .starts_with("Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain")
        );
    }

    #[test]
    fn valid_objects_pass() {
        assert_eq!(
            msgs(&validate_create("v1", "Pod", &simple_pod("web-1"))),
            Vec::<String>::new()
        );
        let dep = defaulted(
            "apps/v1",
            "Deployment",
            json!({"metadata": {"name": "web", "namespace": "default"}, "spec": {"selector": {"matchLabels": {"app": "web"}},
                "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx",
                "ports": [{"containerPort": 80}], "readinessProbe": {"httpGet": {"port": 80}}}]}}}}),
        );
        assert_eq!(
            msgs(&validate_create("apps/v1", "Deployment", &dep)),
            Vec::<String>::new()
        );
        let svc = defaulted(
            "v1",
            "Service",
            json!({"metadata": {"name": "web", "namespace": "default"}, "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}}),
        );
        assert_eq!(
            msgs(&validate_create("v1", "Service", &svc)),
            Vec::<String>::new()
        );
        let cj = defaulted(
            "batch/v1",
            "CronJob",
            json!({"metadata": {"name": "tick", "namespace": "default"}, "spec": {"schedule": "*/5 * * * *",
                "jobTemplate": {"spec": {"template": {"spec": {"restartPolicy": "OnFailure", "containers": [{"name": "c", "image": "busybox"}]}}}}}}),
        );
        assert_eq!(
            msgs(&validate_create("batch/v1", "CronJob", &cj)),
            Vec::<String>::new()
        );
        let ns = defaulted("v1", "Namespace", json!({"metadata": {"name": "team-a"}}));
        assert_eq!(
            msgs(&validate_create("v1", "Namespace", &ns)),
            Vec::<String>::new()
        );
    }

    #[test]
    fn name_required() {
        let errs = validate_create(
            "v1",
            "ConfigMap",
            &json!({"metadata": {"namespace": "default"}}),
        );
        assert_eq!(
            msgs(&errs),
            vec!["metadata.name: Required value: name or generateName is required"]
        );
    }

    #[test]
    fn service_and_namespace_names() {
        let svc = defaulted(
            "v1",
            "Service",
            json!({"metadata": {"name": "1abc", "namespace": "default"}, "spec": {"ports": [{"port": 80}]}}),
        );
        let errs = validate_create("v1", "Service", &svc);
        assert_eq!(errs.len(), 1);
        assert!(
            errs[0].detail.starts_with("a DNS-1035 label must consist"),
            "{}",
            errs[0]
        );
        let ns = json!({"metadata": {"name": "a.b"}});
        assert_eq!(
            msgs(&validate_create("v1", "Namespace", &ns)),
            vec!["metadata.name: Invalid value: \"a.b\": must not contain dots"]
        );
        let role = json!({"metadata": {"name": "system:admin", "namespace": "x"}, "rules": []});
        assert!(validate_create("rbac.authorization.k8s.io/v1", "Role", &role).is_empty());
        let role = json!({"metadata": {"name": "a/b", "namespace": "x"}});
        assert_eq!(
            msgs(&validate_create(
                "rbac.authorization.k8s.io/v1",
                "Role",
                &role
            )),
            vec!["metadata.name: Invalid value: \"a/b\": may not contain '/'"]
        );
    }

    #[test]
    fn labels_and_annotations() {
        let mut p = simple_pod("p");
        p["metadata"]["labels"] = json!({"bad key!": "ok", "app": "-bad"});
        p["metadata"]["annotations"] = json!({"big": "x".repeat(300 * 1024)});
        let m = msgs(&validate_create("v1", "Pod", &p));
        assert!(m.contains(&"metadata.labels: Invalid value: \"-bad\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')".to_string()), "{m:?}");
        assert!(m.iter().any(|s| s.starts_with("metadata.labels: Invalid value: \"bad key!\": name part must consist of alphanumeric characters")), "{m:?}");
        assert!(
            m.contains(
                &"metadata.annotations: Too long: may not be more than 262144 bytes".to_string()
            ),
            "{m:?}"
        );
    }

    #[test]
    fn duplicate_container_names() {
        let p = pod(
            "p",
            json!({"initContainers": [{"name": "c", "image": "x"}], "containers": [{"name": "c", "image": "x"}, {"name": "c", "image": "y"}]}),
        );
        let m = msgs(&validate_create("v1", "Pod", &p));
        assert_eq!(
            m,
            vec![
                "spec.containers[1].name: Duplicate value: \"c\"",
                "spec.initContainers[0].name: Duplicate value: \"c\""
            ]
        );
        assert_eq!(FieldErrorKind::Duplicate.reason(), "FieldValueDuplicate");
    }

    #[test]
    fn pod_field_rules() {
        let p = pod(
            "p",
            json!({"restartPolicy": "Sometimes", "containers": [{"name": "Web", "image": "", "imagePullPolicy": "Maybe",
                "ports": [{"containerPort": 70000, "protocol": "ICMP", "name": "http"}, {"containerPort": 81, "name": "http"}],
                "livenessProbe": {"exec": {"command": ["true"]}, "tcpSocket": {"port": 80}},
                "readinessProbe": {},
                "resources": {"requests": {"cpu": "2"}, "limits": {"cpu": "1"}},
                "volumeMounts": [{"name": "x", "mountPath": "/x"}]}],
                "volumes": [{"name": "v", "emptyDir": {}, "hostPath": {"path": "/"}}]}),
        );
        let m = msgs(&validate_create("v1", "Pod", &p));
        for want in [
            "spec.volumes[0].hostPath: Forbidden: may not specify more than 1 volume type",
            "spec.containers[0].image: Required value",
            "spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive",
            "spec.containers[0].ports[0].protocol: Unsupported value: \"ICMP\": supported values: \"SCTP\", \"TCP\", \"UDP\"",
            "spec.containers[0].ports[1].name: Duplicate value: \"http\"",
            "spec.containers[0].volumeMounts[0].name: Not found: \"x\"",
            "spec.containers[0].imagePullPolicy: Unsupported value: \"Maybe\": supported values: \"Always\", \"IfNotPresent\", \"Never\"",
            "spec.containers[0].resources.requests: Invalid value: \"2\": must be less than or equal to cpu limit of 1",
            "spec.containers[0].livenessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type",
            "spec.containers[0].readinessProbe: Required value: must specify a handler type",
            "spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\"",
        ] {
            assert!(m.contains(&want.to_string()), "missing {want}\n{m:#?}");
        }
        assert!(
            m.iter().any(|s| s.starts_with(
                "spec.containers[0].name: Invalid value: \"Web\": a lowercase RFC 1123 label"
            )),
            "{m:#?}"
        );
        let nf = validate_create("v1", "Pod", &p)
            .into_iter()
            .find(|e| e.kind == FieldErrorKind::NotFound);
        assert_eq!(nf.map(|e| e.kind.reason()), Some("FieldValueNotFound"));
    }

    #[test]
    fn malformed_shapes_do_not_panic() {
        let shapes = [
            json!({"metadata": {"name": "p", "namespace": "d"}, "spec": {"containers": "nope"}}),
            json!({"metadata": {"name": "p", "namespace": "d"}, "spec": {"containers": [1, "x", null, {"name": 5, "ports": {}}]}}),
            json!({"metadata": "x", "spec": []}),
            json!({"metadata": {"name": ["x"], "labels": [1], "annotations": {"a": 1}}, "spec": 5}),
            json!([1, 2]),
            json!(null),
        ];
        for kind in ["Pod", "Service", "ConfigMap", "Secret", "Namespace", "Node"] {
            for s in &shapes {
                let _ = validate_create("v1", kind, s);
                let _ = validate_update("v1", kind, s, &shapes[0]);
                let _ = validate_update("v1", kind, &shapes[0], s);
            }
        }
        for (av, kind) in [
            ("apps/v1", "Deployment"),
            ("apps/v1", "StatefulSet"),
            ("apps/v1", "DaemonSet"),
            ("apps/v1", "ReplicaSet"),
            ("batch/v1", "Job"),
            ("batch/v1", "CronJob"),
            ("coordination.k8s.io/v1", "Lease"),
            ("rbac.authorization.k8s.io/v1", "RoleBinding"),
        ] {
            for s in &shapes {
                let _ = validate_create(av, kind, s);
                let _ = validate_update(av, kind, s, &shapes[1]);
            }
        }
        let errs = validate_create("v1", "Pod", &shapes[0]);
        assert!(
            msgs(&errs).contains(
                &"spec.containers: Invalid value: \"nope\": must be of type array".to_string()
            ),
            "{:?}",
            msgs(&errs)
        );
        assert!(msgs(&errs).contains(&"spec.containers: Required value".to_string()));
    }

    fn with_meta(mut p: Value) -> Value {
        p["metadata"]["uid"] = json!("u-1");
        p["metadata"]["creationTimestamp"] = json!("2024-01-01T00:00:00Z");
        p
    }

    #[test]
    fn pod_update_restrictions() {
        let old = with_meta(pod(
            "p",
            json!({"containers": [{"name": "c", "image": "nginx:1", "livenessProbe": {"httpGet": {"port": 80}}}]}),
        ));
        let mut new = old.clone();
        new["spec"]["containers"][0]["image"] = json!("nginx:2");
        assert_eq!(
            msgs(&validate_update("v1", "Pod", &new, &old)),
            Vec::<String>::new()
        );
        new["metadata"]["labels"] = json!({"a": "b"});
        assert_eq!(
            msgs(&validate_update("v1", "Pod", &new, &old)),
            Vec::<String>::new()
        );

        let mut bad = old.clone();
        bad["spec"]["containers"][0]["livenessProbe"]["failureThreshold"] = json!(5);
        let errs = validate_update("v1", "Pod", &bad, &old);
        assert_eq!(errs.len(), 1, "{:?}", msgs(&errs));
        assert_eq!(errs[0].kind, FieldErrorKind::Forbidden);
        assert_eq!(errs[0].field, "spec");
        let text = errs[0].to_string();
        assert!(text.starts_with("spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n"), "{text}");
        assert!(
            text.contains("failureThreshold: 3") && text.contains("failureThreshold: 5"),
            "{text}"
        );

        let mut tol = old.clone();
        if let Some(t) = tol["spec"]["tolerations"].as_array_mut() {
            t.push(json!({"key": "k", "operator": "Exists", "effect": "NoSchedule"}));
        }
        assert_eq!(
            msgs(&validate_update("v1", "Pod", &tol, &old)),
            Vec::<String>::new()
        );
        let mut removed = old.clone();
        removed["spec"]["tolerations"] = json!([]);
        assert_eq!(
            msgs(&validate_update("v1", "Pod", &removed, &old)),
            vec![
                "spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds"
            ]
        );

        let mut renamed = old.clone();
        renamed["metadata"]["uid"] = json!("other");
        assert_eq!(
            msgs(&validate_update("v1", "Pod", &renamed, &old)),
            vec!["metadata.uid: Invalid value: \"other\": field is immutable"]
        );
    }

    #[test]
    fn selector_must_match_template() {
        let dep = defaulted(
            "apps/v1",
            "Deployment",
            json!({"metadata": {"name": "web", "namespace": "default"}, "spec": {"selector": {"matchLabels": {"app": "web"}},
                "template": {"metadata": {"labels": {"app": "other", "tier": "x"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}}}),
        );
        let m = msgs(&validate_create("apps/v1", "Deployment", &dep));
        assert_eq!(
            m,
            vec![
                "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"other\", \"tier\":\"x\"}: `selector` does not match template `labels`"
            ]
        );
        assert_eq!(
            invalid_message(
                "Deployment.apps",
                "web",
                &validate_create("apps/v1", "Deployment", &dep)
            ),
            "Deployment.apps \"web\" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"other\", \"tier\":\"x\"}: `selector` does not match template `labels`"
        );

        let mut nosel = dep.clone();
        nosel["spec"].as_object_mut().map(|s| s.remove("selector"));
        let m = msgs(&validate_create("apps/v1", "Deployment", &nosel));
        assert_eq!(m[0], "spec.selector: Required value");
        assert!(m[1].ends_with("`selector` does not match template `labels`"));

        let mut neg = dep.clone();
        neg["spec"]["replicas"] = json!(-1);
        neg["spec"]["template"]["metadata"]["labels"] = json!({"app": "web"});
        neg["spec"]["template"]["spec"]["restartPolicy"] = json!("Never");
        let m = msgs(&validate_create("apps/v1", "Deployment", &neg));
        assert_eq!(
            m,
            vec![
                "spec.replicas: Invalid value: -1: must be greater than or equal to 0",
                "spec.template.spec.restartPolicy: Unsupported value: \"Never\": supported values: \"Always\"",
            ]
        );
    }

    #[test]
    fn workload_selector_immutable_and_pod_rules_in_template() {
        let old = defaulted(
            "apps/v1",
            "ReplicaSet",
            json!({"metadata": {"name": "rs", "namespace": "d"}, "spec": {"selector": {"matchLabels": {"app": "a"}},
                "template": {"metadata": {"labels": {"app": "a", "b": "c"}}, "spec": {"containers": [{"name": "c", "image": "x"}]}}}}),
        );
        let mut new = old.clone();
        new["spec"]["selector"] = json!({"matchLabels": {"b": "c"}});
        assert_eq!(
            msgs(&validate_update("apps/v1", "ReplicaSet", &new, &old)),
            vec![
                "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"b\":\"c\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable"
            ]
        );
        let mut bad = old.clone();
        bad["spec"]["template"]["spec"]["containers"][0]["name"] = json!("C_1");
        let m = msgs(&validate_create("apps/v1", "ReplicaSet", &bad));
        assert_eq!(m.len(), 1);
        assert!(
            m[0].starts_with("spec.template.spec.containers[0].name: Invalid value: \"C_1\""),
            "{m:?}"
        );

        let ds = defaulted(
            "apps/v1",
            "DaemonSet",
            json!({"metadata": {"name": "ds", "namespace": "d"}, "spec": {"selector": {"matchLabels": {"app": "a"}},
                "template": {"metadata": {"labels": {"app": "a"}}, "spec": {"containers": [{"name": "c", "image": "x"}]}}}}),
        );
        assert!(validate_create("apps/v1", "DaemonSet", &ds).is_empty());
        let sts = defaulted(
            "apps/v1",
            "StatefulSet",
            json!({"metadata": {"name": "db", "namespace": "d"}, "spec": {"serviceName": "db", "selector": {"matchLabels": {"app": "a"}},
                "template": {"metadata": {"labels": {"app": "a"}}, "spec": {"containers": [{"name": "c", "image": "x"}]}}}}),
        );
        assert!(validate_create("apps/v1", "StatefulSet", &sts).is_empty());
        let mut sts2 = sts.clone();
        sts2["spec"]["serviceName"] = json!("other");
        assert_eq!(
            validate_update("apps/v1", "StatefulSet", &sts2, &sts).len(),
            1
        );
        let rc = defaulted(
            "v1",
            "ReplicationController",
            json!({"metadata": {"name": "rc", "namespace": "d"}, "spec": {"template": {"metadata": {"labels": {"app": "a"}}, "spec": {"containers": [{"name": "c", "image": "x"}]}}}}),
        );
        assert_eq!(
            msgs(&validate_create("v1", "ReplicationController", &rc)),
            Vec::<String>::new()
        );
    }

    #[test]
    fn jobs_and_cron_jobs() {
        let mut job = json!({"metadata": {"name": "j", "namespace": "d", "uid": "u1"},
            "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "x"}]}}}});
        crate::defaults::apply_defaults("batch/v1", "Job", &mut job);
        let m = msgs(&validate_create("batch/v1", "Job", &job));
        assert_eq!(
            m,
            vec![
                "spec.template.spec.restartPolicy: Unsupported value: \"Always\": supported values: \"OnFailure\", \"Never\""
            ]
        );
        job["spec"]["template"]["spec"]["restartPolicy"] = json!("Never");
        assert_eq!(
            msgs(&validate_create("batch/v1", "Job", &job)),
            Vec::<String>::new()
        );

        let cj = |schedule: &str| {
            defaulted(
                "batch/v1",
                "CronJob",
                json!({"metadata": {"name": "c", "namespace": "d"}, "spec": {"schedule": schedule,
                    "jobTemplate": {"spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "x"}]}}}}}}),
            )
        };
        for ok in [
            "0 0 * * *",
            "@hourly",
            "*/15 1-5 1,15 jan-mar mon-fri",
            "@every 1h30m",
        ] {
            assert_eq!(
                msgs(&validate_create("batch/v1", "CronJob", &cj(ok))),
                Vec::<String>::new(),
                "{ok}"
            );
        }
        assert_eq!(
            msgs(&validate_create("batch/v1", "CronJob", &cj("* * *"))),
            vec![
                "spec.schedule: Invalid value: \"* * *\": expected exactly 5 fields, found 3: [* * *]"
            ]
        );
        assert_eq!(
            msgs(&validate_create("batch/v1", "CronJob", &cj("61 * * * *"))),
            vec![
                "spec.schedule: Invalid value: \"61 * * * *\": end of range (61) above maximum (59): 61"
            ]
        );
        assert_eq!(
            msgs(&validate_create("batch/v1", "CronJob", &cj(""))),
            vec!["spec.schedule: Required value"]
        );
    }

    #[test]
    fn services() {
        let svc = defaulted(
            "v1",
            "Service",
            json!({"metadata": {"name": "s", "namespace": "d"}, "spec": {"selector": {"app": "a"}}}),
        );
        assert_eq!(
            msgs(&validate_create("v1", "Service", &svc)),
            vec!["spec.ports: Required value"]
        );
        let headless = defaulted(
            "v1",
            "Service",
            json!({"metadata": {"name": "s", "namespace": "d"}, "spec": {"clusterIP": "None", "selector": {"app": "a"}}}),
        );
        assert_eq!(
            msgs(&validate_create("v1", "Service", &headless)),
            Vec::<String>::new()
        );
        let ext = defaulted(
            "v1",
            "Service",
            json!({"metadata": {"name": "s", "namespace": "d"}, "spec": {"type": "ExternalName", "externalName": "example.com."}}),
        );
        assert_eq!(
            msgs(&validate_create("v1", "Service", &ext)),
            Vec::<String>::new()
        );
        let bad = defaulted(
            "v1",
            "Service",
            json!({"metadata": {"name": "s", "namespace": "d"}, "spec": {"type": "Weird", "ports": [{"port": 0, "protocol": "ICMP"}]}}),
        );
        let m = msgs(&validate_create("v1", "Service", &bad));
        for want in [
            "spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive",
            "spec.ports[0].protocol: Unsupported value: \"ICMP\": supported values: \"SCTP\", \"TCP\", \"UDP\"",
            "spec.type: Unsupported value: \"Weird\": supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\"",
        ] {
            assert!(m.contains(&want.to_string()), "missing {want}: {m:#?}");
        }
        // clusterIP immutable once set.
        let old = defaulted(
            "v1",
            "Service",
            json!({"metadata": {"name": "s", "namespace": "d"}, "spec": {"clusterIP": "10.0.0.5", "ports": [{"port": 80}]}}),
        );
        let mut new = old.clone();
        new["spec"]["clusterIP"] = json!("10.0.0.6");
        new["spec"]["clusterIPs"] = json!(["10.0.0.6"]);
        assert_eq!(
            msgs(&validate_update("v1", "Service", &new, &old)),
            vec![
                "spec.clusterIPs[0]: Invalid value: []string{\"10.0.0.6\"}: may not change once set"
            ]
        );
        assert!(validate_update("v1", "Service", &old, &old).is_empty());
    }

    #[test]
    fn config_maps_and_secrets() {
        let cm = json!({"metadata": {"name": "c", "namespace": "d"}, "data": {"a/b": "x", "ok.key": "y"}});
        let m = msgs(&validate_create("v1", "ConfigMap", &cm));
        assert_eq!(
            m,
            vec!["data[a/b]: Invalid value: \"a/b\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')".to_string()]
        );
        let big = json!({"metadata": {"name": "c", "namespace": "d"}, "data": {"a": "x".repeat(MAX_SECRET_SIZE + 1)}});
        assert_eq!(
            msgs(&validate_create("v1", "ConfigMap", &big)),
            vec![": Too long: may not be more than 1048576 bytes"]
        );
        let sec = defaulted(
            "v1",
            "Secret",
            json!({"metadata": {"name": "s", "namespace": "d"}, "type": "kubernetes.io/tls", "stringData": {"tls.crt": "x"}}),
        );
        assert_eq!(
            msgs(&validate_create("v1", "Secret", &sec)),
            vec!["data[tls.key]: Required value"]
        );
        let old = json!({"metadata": {"name": "c", "namespace": "d"}, "immutable": true, "data": {"a": "1"}});
        let new = json!({"metadata": {"name": "c", "namespace": "d"}, "immutable": true, "data": {"a": "2"}});
        assert_eq!(
            msgs(&validate_update("v1", "ConfigMap", &new, &old)),
            vec!["data: Forbidden: field is immutable when `immutable` is set"]
        );
    }

    #[test]
    fn aggregate_message() {
        let errs = vec![
            FieldError::required("spec.ports", ""),
            FieldError::required("spec.ports", ""),
            FieldError::invalid("spec.type", quote("X"), "bad"),
        ];
        assert_eq!(
            invalid_message("Service", "s", &errs),
            "Service \"s\" is invalid: [spec.ports: Required value, spec.type: Invalid value: \"X\": bad]"
        );
        assert_eq!(
            invalid_message("Service", "s", &[]),
            "Service \"s\" is invalid"
        );
    }

    #[test]
    fn format_helpers() {
        assert!(is_dns1123_subdomain("example.com").is_empty());
        assert!(is_dns1123_label("my-name").is_empty());
        assert_eq!(
            is_dns1123_label(&"a".repeat(64)),
            vec!["must be no more than 63 characters".to_string()]
        );
        assert!(is_qualified_name("example.com/MyName").is_empty());
        assert_eq!(
            is_qualified_name("/a"),
            vec!["prefix part must be non-empty".to_string()]
        );
        assert!(is_config_map_key("..a").contains(&"must not start with '..'".to_string()));
        assert_eq!(quote("a\"b\n"), "\"a\\\"b\\n\"");
    }

    // --- Added kinds and pod spec areas -------------------------------------------------------

    /// Defaults `obj` as the server does, then validates its creation.
    fn create(api_version: &str, kind: &str, obj: Value) -> Vec<String> {
        msgs(&validate_create(
            api_version,
            kind,
            &defaulted(api_version, kind, obj),
        ))
    }

    /// Defaults both objects, then validates the update of `old` to `new`.
    fn update(api_version: &str, kind: &str, new: Value, old: Value) -> Vec<String> {
        msgs(&validate_update(
            api_version,
            kind,
            &defaulted(api_version, kind, new),
            &defaulted(api_version, kind, old),
        ))
    }

    #[track_caller]
    fn assert_has(got: &[String], want: &[&str]) {
        for w in want {
            assert!(got.iter().any(|g| g == w), "missing {w}\ngot: {got:#?}");
        }
    }

    fn pod_with(spec_extra: Value, container_extra: Value) -> Value {
        let mut c = json!({"name": "c", "image": "nginx"});
        if let (Some(c), Some(x)) = (c.as_object_mut(), container_extra.as_object()) {
            c.extend(x.clone());
        }
        let mut spec = json!({"containers": [c]});
        if let (Some(s), Some(x)) = (spec.as_object_mut(), spec_extra.as_object()) {
            s.extend(x.clone());
        }
        pod("p", spec)
    }

    fn pod_errors(spec_extra: Value, container_extra: Value) -> Vec<String> {
        msgs(&validate_create(
            "v1",
            "Pod",
            &pod_with(spec_extra, container_extra),
        ))
    }

    #[test]
    fn pod_security_context() {
        let m = pod_errors(
            json!({"hostNetwork": true, "hostPID": true, "shareProcessNamespace": true,
                "securityContext": {"runAsUser": -1, "fsGroup": 2147483648i64, "supplementalGroups": [1, -2],
                "fsGroupChangePolicy": "Sometimes", "supplementalGroupsPolicy": "Loose",
                "seLinuxChangePolicy": "MountOption",
                "sysctls": [{"name": "net.core.somaxconn", "value": "1"}, {"name": "kernel.shm_rmid_forced", "value": "1"},
                    {"name": "kernel.shm_rmid_forced", "value": "0"}, {"name": "Bad..name", "value": "1"}, {"name": ""}],
                "seccompProfile": {"type": "Localhost"},
                "appArmorProfile": {"type": "RuntimeDefault", "localhostProfile": "x"}}}),
            json!({}),
        );
        assert_has(
            &m,
            &[
                "spec.securityContext.fsGroup: Invalid value: 2147483648: must be between 0 and 2147483647, inclusive",
                "spec.securityContext.runAsUser: Invalid value: -1: must be between 0 and 2147483647, inclusive",
                "spec.securityContext.supplementalGroups[1]: Invalid value: -2: must be between 0 and 2147483647, inclusive",
                "spec.securityContext.shareProcessNamespace: Invalid value: true: ShareProcessNamespace and HostPID cannot both be enabled",
                "spec.securityContext.sysctls[0].name: Invalid value: \"net.core.somaxconn\": may not be specified when 'hostNetwork' is true",
                "spec.securityContext.sysctls[2].name: Duplicate value: \"kernel.shm_rmid_forced\"",
                "spec.securityContext.sysctls[3].name: Invalid value: \"Bad..name\": must have at most 253 characters and match regex ^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\\./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$",
                "spec.securityContext.sysctls[4].name: Required value",
                "spec.securityContext.fsGroupChangePolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnRootMismatch\"",
                "spec.securityContext.supplementalGroupsPolicy: Unsupported value: \"Loose\": supported values: \"Merge\", \"Strict\"",
                "spec.securityContext.seLinuxChangePolicy: Unsupported value: \"MountOption\": supported values: \"Recursive\"",
                "spec.securityContext.seccompProfile.localhostProfile: Required value: must be set when seccomp type is Localhost",
                "spec.securityContext.appArmorProfile.localhostProfile: Invalid value: \"x\": can only be set when AppArmor type is Localhost",
            ],
        );
        assert!(!m.iter().any(|s| s.contains("sysctls[1]")), "{m:#?}");
        let m = pod_errors(
            json!({"securityContext": {"seccompProfile": {"type": "Bogus"}, "appArmorProfile": {"type": "Localhost", "localhostProfile": " p "},
                "windowsOptions": {"runAsUserName": "a\\b\\c", "gmsaCredentialSpec": ""}}}),
            json!({}),
        );
        assert_has(
            &m,
            &[
                "spec.securityContext.seccompProfile.type: Unsupported value: \"Bogus\": supported values: \"Localhost\", \"RuntimeDefault\", \"Unconfined\"",
                "spec.securityContext.appArmorProfile.localhostProfile: Invalid value: \" p \": must not be padded with whitespace",
                "spec.securityContext.windowsOptions.runAsUserName: Invalid value: \"a\\\\b\\\\c\": runAsUserName cannot contain more than one backslash",
                "spec.securityContext.windowsOptions.gmsaCredentialSpec: Invalid value: \"\": gmsaCredentialSpec cannot be an empty string",
            ],
        );
        // Valid settings pass.
        assert_eq!(
            pod_errors(
                json!({"securityContext": {"runAsUser": 1000, "runAsNonRoot": true, "fsGroup": 2000, "fsGroupChangePolicy": "OnRootMismatch",
                    "sysctls": [{"name": "net.ipv4.ip_local_port_range", "value": "1024 65535"}], "seccompProfile": {"type": "RuntimeDefault"},
                    "seLinuxOptions": {"level": "s0:c123,c456"}}}),
                json!({"securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}, "readOnlyRootFilesystem": true,
                    "seccompProfile": {"type": "Localhost", "localhostProfile": "profiles/audit.json"}}}),
            ),
            Vec::<String>::new()
        );
    }

    #[test]
    fn container_security_context() {
        let m = pod_errors(
            json!({}),
            json!({"securityContext": {"privileged": true, "allowPrivilegeEscalation": false, "runAsGroup": -5,
                "capabilities": {"add": ["CAP_SYS_ADMIN"]}, "procMount": "Unmasked",
                "seccompProfile": {"type": "Localhost", "localhostProfile": "../x"}}}),
        );
        assert_eq!(
            m,
            vec![
                "spec.containers[0].securityContext.runAsGroup: Invalid value: -5: must be between 0 and 2147483647, inclusive",
                "spec.containers[0].securityContext.procMount: Invalid value: \"Unmasked\": `hostUsers` must be false to use `Unmasked`",
                "spec.containers[0].securityContext.seccompProfile.localhostProfile: Invalid value: \"../x\": must not contain '..'",
                "spec.containers[0].securityContext: Invalid value: core.SecurityContext{...}: cannot set `allowPrivilegeEscalation` to false and `privileged` to true",
                "spec.containers[0].securityContext: Invalid value: core.SecurityContext{...}: cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN",
            ]
        );
        let m = pod_errors(
            json!({"hostUsers": false, "hostNetwork": true, "hostIPC": true}),
            json!({"securityContext": {"procMount": "Unmasked"}}),
        );
        assert_eq!(
            m,
            vec![
                "spec.hostNetwork: Forbidden: when `pod.Spec.HostUsers` is false",
                "spec.HostIPC: Forbidden: when `pod.Spec.HostUsers` is false",
            ]
        );
        let m = pod_errors(
            json!({}),
            json!({"securityContext": {"procMount": "Masked"}}),
        );
        assert_eq!(
            m,
            vec![
                "spec.containers[0].securityContext.procMount: Unsupported value: \"Masked\": supported values: \"Default\", \"Unmasked\""
            ]
        );
    }

    #[test]
    fn pod_os_and_host_process() {
        let m = pod_errors(
            json!({"os": {"name": "windows"}, "hostPID": true, "securityContext": {"runAsUser": 1, "sysctls": [{"name": "a.b", "value": "1"}]}}),
            json!({"securityContext": {"privileged": true}}),
        );
        assert_eq!(
            m,
            vec![
                "spec.hostPID: Forbidden: cannot be set for a windows pod",
                "spec.securityContext.sysctls: Forbidden: cannot be set for a windows pod",
                "spec.securityContext.runAsUser: Forbidden: cannot be set for a windows pod",
                "spec.containers[0].securityContext.privileged: Forbidden: cannot be set for a windows pod",
            ]
        );
        let m = pod_errors(
            json!({"os": {"name": "linux"}}),
            json!({"securityContext": {"windowsOptions": {"runAsUserName": "u"}}}),
        );
        assert_eq!(
            m,
            vec![
                "spec.containers[0].securityContext.windowsOptions: Forbidden: windows options cannot be set for a linux pod"
            ]
        );
        assert_eq!(
            pod_errors(json!({"os": {"name": "plan9"}}), json!({})),
            vec!["spec.os: Unsupported value: \"plan9\": supported values: \"linux\", \"windows\""]
        );
        let m = pod_errors(
            json!({"securityContext": {"windowsOptions": {"hostProcess": true}}}),
            json!({"securityContext": {"windowsOptions": {"hostProcess": false}}}),
        );
        assert_eq!(
            m,
            vec![
                "spec.containers[0].securityContext.windowsOptions.hostProcess: Invalid value: false: pod hostProcess value must be identical if both are specified, was true"
            ]
        );
        let m = pod_errors(
            json!({"initContainers": [{"name": "i", "image": "x"}]}),
            json!({"securityContext": {"windowsOptions": {"hostProcess": true}}}),
        );
        assert_eq!(
            m,
            vec![
                "spec: Invalid value: \"\": If pod contains any hostProcess containers then all containers must be HostProcess containers",
                "spec.hostNetwork: Invalid value: false: hostNetwork must be true if pod contains any hostProcess containers",
            ]
        );
    }

    #[test]
    fn pod_affinity() {
        let na = json!({"affinity": {"nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
                {"matchExpressions": [{"key": "zone", "operator": "Near", "values": ["a"]}, {"key": "cpu", "operator": "Gt", "values": ["1", "2"]},
                    {"key": "k", "operator": "In", "values": ["bad value"]}],
                 "matchFields": [{"key": "metadata.uid", "operator": "In", "values": ["x"]}, {"key": "metadata.name", "operator": "NotIn", "values": ["a", "b"]}]}]},
            "preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 0, "preference": {"matchExpressions": [{"key": "k", "operator": "In", "values": ["bad value"]}]}}]}}});
        assert_eq!(
            pod_errors(na, json!({})),
            vec![
                "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].operator: Invalid value: \"Near\": not a valid selector operator",
                "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[1].values: Required value: must be specified single value when `operator` is 'Lt' or 'Gt'",
                "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[2].values[0]: Invalid value: \"bad value\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
                "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchFields[0].key: Invalid value: \"metadata.uid\": not a valid field selector key",
                "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchFields[1].values: Required value: must be only one value when `operator` is 'In' or 'NotIn' for node field selector",
                "spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: Invalid value: 0: must be in the range 1-100",
            ]
        );
        assert_eq!(
            pod_errors(
                json!({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": []}}}}),
                json!({})
            ),
            vec![
                "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms: Required value: must have at least one node selector term"
            ]
        );
        let pa = json!({"affinity": {
            "podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
                {"labelSelector": {"matchExpressions": [{"key": "app", "operator": "Exists", "values": ["x"]}]}, "namespaces": ["Bad_NS"], "topologyKey": ""}]},
            "podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
                {"weight": 101, "podAffinityTerm": {"matchLabelKeys": ["pod-template-hash"], "mismatchLabelKeys": ["pod-template-hash"], "topologyKey": "zone"}}]}}});
        let m = pod_errors(pa, json!({}));
        assert_has(
            &m,
            &[
                "spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector.matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
                "spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].namespace: Invalid value: \"Bad_NS\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
                "spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey: Required value: can not be empty",
                "spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey: Invalid value: \"\": name part must be non-empty",
                "spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: Invalid value: 101: must be in the range 1-100",
                "spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.matchLabelKeys: Forbidden: must not be specified when labelSelector is not set",
                "spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.mismatchLabelKeys: Forbidden: must not be specified when labelSelector is not set",
                "spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.matchLabelKeys[0]: Invalid value: \"pod-template-hash\": exists in both matchLabelKeys and mismatchLabelKeys",
            ],
        );
        let ok = json!({"affinity": {
            "nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{"matchExpressions": [{"key": "kubernetes.io/os", "operator": "In", "values": ["linux"]}]}]},
                "preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 1, "preference": {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a b"]}]}}]},
            "podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [{"labelSelector": {"matchLabels": {"app": "web"}}, "topologyKey": "kubernetes.io/hostname"}]}}});
        assert_eq!(pod_errors(ok, json!({})), Vec::<String>::new());
    }

    #[test]
    fn pod_topology_spread_and_tolerations() {
        let m = pod_errors(
            json!({"topologySpreadConstraints": [
                {"maxSkew": 0, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule", "labelSelector": {"matchLabels": {"app": "a"}}},
                {"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule"},
                {"maxSkew": 1, "topologyKey": "", "whenUnsatisfiable": "Sometimes", "minDomains": 2, "nodeTaintsPolicy": "Maybe", "matchLabelKeys": ["app"]}],
                "tolerations": [{"key": "k", "operator": "Exists", "value": "v"}]}),
            json!({}),
        );
        assert_eq!(
            m,
            vec![
                "spec.topologySpreadConstraints[0].maxSkew: Invalid value: 0: must be greater than zero",
                "spec.topologySpreadConstraints[0].{topologyKey, whenUnsatisfiable}: Duplicate value: \"{zone, DoNotSchedule}\"",
                "spec.topologySpreadConstraints[2].topologyKey: Required value: can not be empty",
                "spec.topologySpreadConstraints[2].whenUnsatisfiable: Unsupported value: \"Sometimes\": supported values: \"DoNotSchedule\", \"ScheduleAnyway\"",
                "spec.topologySpreadConstraints[2].minDomains: Invalid value: 2: can only use minDomains if whenUnsatisfiable=DoNotSchedule, not Sometimes",
                "spec.topologySpreadConstraints[2].nodeTaintsPolicy: Unsupported value: \"Maybe\": supported values: \"Honor\", \"Ignore\"",
                "spec.topologySpreadConstraints[2].matchLabelKeys: Forbidden: must not be specified when labelSelector is not set",
                "spec.tolerations[0].operator: Invalid value: \"v\": value must be empty when `operator` is 'Exists'",
            ]
        );
    }

    #[test]
    fn endpoints() {
        let ep = json!({"metadata": {"name": "svc", "namespace": "d"}, "subsets": [
            {"addresses": [{"ip": "10.0.0.1", "hostname": "Bad_Host"}, {"ip": "127.0.0.1"}, {"ip": "nope"}],
             "ports": [{"name": "http", "port": 80}, {"port": 0, "protocol": "ICMP"}]},
            {"ports": [{"port": 443}]}]});
        assert_eq!(
            create("v1", "Endpoints", ep),
            vec![
                "subsets[0].addresses[0].hostname: Invalid value: \"Bad_Host\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
                "subsets[0].addresses[1].ip: Invalid value: \"127.0.0.1\": may not be in the loopback range (127.0.0.0/8, ::1/128)",
                "subsets[0].addresses[2].ip: Invalid value: \"nope\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)",
                "subsets[0].addresses[2].ip: Invalid value: \"nope\": must be a valid IP address",
                "subsets[0].ports[1].name: Required value",
                "subsets[0].ports[1].port: Invalid value: 0: must be between 1 and 65535, inclusive",
                "subsets[0].ports[1].protocol: Unsupported value: \"ICMP\": supported values: \"SCTP\", \"TCP\", \"UDP\"",
                "subsets[1]: Required value: must specify `addresses` or `notReadyAddresses`",
            ]
        );
        let ok = json!({"metadata": {"name": "svc", "namespace": "d"}, "subsets": [
            {"addresses": [{"ip": "10.0.0.1", "nodeName": "node-1"}], "notReadyAddresses": [{"ip": "fd00::1"}], "ports": [{"port": 80}]}]});
        assert_eq!(create("v1", "Endpoints", ok), Vec::<String>::new());
    }

    #[test]
    fn core_events() {
        let ev = json!({"metadata": {"name": "x.17", "namespace": "default"}, "involvedObject": {"kind": "Pod", "name": "p", "namespace": "other"},
            "reason": "Started", "message": "m", "type": "Normal"});
        assert_eq!(
            create("v1", "Event", ev),
            vec![
                "involvedObject.namespace: Invalid value: \"other\": does not match event.namespace"
            ]
        );
        let ev = json!({"metadata": {"name": "x", "namespace": "default"}, "involvedObject": {"kind": "Node", "name": "n"},
            "eventTime": "2024-01-01T00:00:00.000001Z", "reason": "", "action": "a".repeat(129), "type": "Whatever"});
        assert_eq!(
            create("v1", "Event", ev),
            vec![
                "reportingController: Required value",
                "reportingController: Invalid value: \"\": name part must be non-empty",
                "reportingController: Invalid value: \"\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
                "reportingInstance: Required value",
                "action: Invalid value: \"\": can have at most 128 characters",
                "reason: Required value",
            ]
        );
        // Core Events' names are only checked as path segments.
        let ev = json!({"metadata": {"name": "Pod_X.1", "namespace": "default"}, "involvedObject": {"namespace": "default"}});
        assert_eq!(create("v1", "Event", ev), Vec::<String>::new());
    }

    fn events_v1(extra: Value) -> Value {
        let mut ev = json!({"apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": {"name": "e1", "namespace": "default"},
            "eventTime": "2024-01-01T00:00:00.000000Z", "reportingController": "example.com/ctl", "reportingInstance": "ctl-1",
            "action": "Scheduling", "reason": "Scheduled", "type": "Normal", "regarding": {"kind": "Pod", "name": "p", "namespace": "default"},
            "note": "scheduled"});
        if let (Some(o), Some(x)) = (ev.as_object_mut(), extra.as_object()) {
            o.extend(x.clone());
        }
        ev
    }

    #[test]
    fn events_k8s_io_events() {
        assert_eq!(
            create("events.k8s.io/v1", "Event", events_v1(json!({}))),
            Vec::<String>::new()
        );
        let bad = events_v1(
            json!({"eventTime": null, "type": "Odd", "deprecatedCount": 3, "deprecatedSource": {"component": "kubelet"},
            "series": {"count": 1}, "note": "n".repeat(1025)}),
        );
        assert_eq!(
            create("events.k8s.io/v1", "Event", bad),
            vec![
                "series.count: Invalid value: \"\": should be at least 2",
                "series.lastObservedTime: Required value",
                "eventTime: Required value",
                "type: Invalid value: \"\": has invalid value: Odd",
                "count: Invalid value: \"\": needs to be unset",
                "source: Invalid value: \"\": needs to be unset",
            ]
        );
        let with_time = events_v1(json!({"note": "n".repeat(1025)}));
        assert_eq!(
            create("events.k8s.io/v1", "Event", with_time),
            vec!["message: Invalid value: \"\": can have at most 1024 characters"]
        );
        let old = events_v1(json!({}));
        let new = events_v1(json!({"note": "changed", "reason": "Other"}));
        assert_eq!(
            update("events.k8s.io/v1", "Event", new, old),
            vec![
                "reason: Invalid value: \"Other\": field is immutable",
                "message: Invalid value: \"changed\": field is immutable",
                "reason: Invalid value: \"Other\": field is immutable",
            ]
        );
        // events.k8s.io names are DNS subdomains.
        let m = create(
            "events.k8s.io/v1",
            "Event",
            events_v1(json!({"metadata": {"name": "Bad_Name", "namespace": "default"}})),
        );
        assert!(
            m[0].starts_with(
                "metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain"
            ),
            "{m:?}"
        );
    }

    #[test]
    fn service_accounts() {
        let sa = json!({"metadata": {"name": "builder", "namespace": "d"}, "secrets": [{"name": "x"}], "automountServiceAccountToken": false});
        assert_eq!(create("v1", "ServiceAccount", sa), Vec::<String>::new());
        let sa = json!({"metadata": {"name": "Builder", "namespace": "d"}});
        let m = create("v1", "ServiceAccount", sa);
        assert_eq!(m.len(), 1);
        assert!(m[0].starts_with(
            "metadata.name: Invalid value: \"Builder\": a lowercase RFC 1123 subdomain"
        ));
    }

    fn pv(spec: Value) -> Value {
        json!({"metadata": {"name": "pv1"}, "spec": spec})
    }

    #[test]
    fn persistent_volumes() {
        let ok = pv(
            json!({"capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"], "hostPath": {"path": "/data"}}),
        );
        assert_eq!(
            create("v1", "PersistentVolume", ok.clone()),
            Vec::<String>::new()
        );
        assert_eq!(
            create("v1", "PersistentVolume", pv(json!({}))),
            vec![
                "spec.accessModes: Required value",
                "spec.capacity: Required value",
                "spec.capacity: Unsupported value: core.ResourceList{...}: supported values: \"storage\"",
                "spec: Required value: must specify a volume type",
            ]
        );
        let bad = pv(
            json!({"capacity": {"storage": "0", "cpu": "1"}, "accessModes": ["ReadWriteOncePod", "ReadWriteOnce", "Sometimes"],
            "persistentVolumeReclaimPolicy": "Recycle", "hostPath": {"path": "/"}, "nfs": {"server": "s", "path": "p"},
            "local": {"path": "/mnt"}, "storageClassName": "Fast", "volumeMode": "Raw"}),
        );
        assert_eq!(
            create("v1", "PersistentVolume", bad),
            vec![
                "spec.accessModes: Unsupported value: \"Sometimes\": supported values: \"ReadOnlyMany\", \"ReadWriteMany\", \"ReadWriteOnce\", \"ReadWriteOncePod\"",
                "spec.accessModes: Forbidden: may not use ReadWriteOncePod with other access modes",
                "spec.capacity: Unsupported value: core.ResourceList{...}: supported values: \"storage\"",
                "spec.capacity[storage]: Invalid value: \"0\": must be greater than zero",
                "spec.nfs: Forbidden: may not specify more than 1 volume type",
                "spec.local: Forbidden: may not specify more than 1 volume type",
                "spec.persistentVolumeReclaimPolicy: Forbidden: may not be 'recycle' for a hostPath mount of '/'",
                "spec.storageClassName: Invalid value: \"Fast\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
                "spec.volumeMode: Unsupported value: \"Raw\": supported values: \"Block\", \"Filesystem\"",
            ]
        );
        let local = pv(
            json!({"capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"], "local": {"path": "/mnt/../x"},
            "nodeAffinity": {}}),
        );
        assert_eq!(
            create("v1", "PersistentVolume", local),
            vec![
                "spec.nodeAffinity.required: Required value: must specify required node constraints",
                "spec.local.path: Invalid value: \"/mnt/../x\": must not contain '..'",
            ]
        );
        // The source is immutable; node affinity may move from beta to GA labels.
        let affinity = |key: &str| json!({"required": {"nodeSelectorTerms": [{"matchExpressions": [{"key": key, "operator": "In", "values": ["a"]}]}]}});
        let mut old = ok.clone();
        old["spec"]["nodeAffinity"] = affinity("failure-domain.beta.kubernetes.io/zone");
        let mut new = old.clone();
        new["spec"]["nodeAffinity"] = affinity("topology.kubernetes.io/zone");
        assert_eq!(
            update("v1", "PersistentVolume", new.clone(), old.clone()),
            Vec::<String>::new()
        );
        new["spec"]["nodeAffinity"] = affinity("other");
        new["spec"]["hostPath"]["path"] = json!("/elsewhere");
        let m = update("v1", "PersistentVolume", new, old);
        assert_eq!(m.len(), 2, "{m:#?}");
        assert!(
            m[0].starts_with("spec.persistentvolumesource: Forbidden: spec.persistentvolumesource is immutable after creation\n"),
            "{m:#?}"
        );
        assert_eq!(
            m[1],
            "nodeAffinity: Invalid value: core.VolumeNodeAffinity{...}: field is immutable, except for updating from beta label to GA"
        );
    }

    #[test]
    fn limit_ranges() {
        let lr = json!({"metadata": {"name": "lr", "namespace": "d"}, "spec": {"limits": [
            {"type": "Container", "min": {"cpu": "2"}, "max": {"cpu": "1", "foo": "1"}, "maxLimitRequestRatio": {"memory": "500m"}},
            {"type": "Pod", "default": {"cpu": "1"}},
            {"type": "Pod"},
            {"type": "PersistentVolumeClaim", "max": {"cpu": "1"}},
            {"type": "Machine"}]}});
        assert_eq!(
            create("v1", "LimitRange", lr),
            vec![
                "spec.limits[0].max[foo]: Invalid value: \"foo\": must be a standard resource type or fully qualified",
                "spec.limits[0].max[foo]: Invalid value: \"foo\": must be a standard resource for containers",
                // Defaulting copied max into default, and default into defaultRequest.
                "spec.limits[0].default[foo]: Invalid value: \"foo\": must be a standard resource type or fully qualified",
                "spec.limits[0].default[foo]: Invalid value: \"foo\": must be a standard resource for containers",
                "spec.limits[0].defaultRequest[foo]: Invalid value: \"foo\": must be a standard resource type or fully qualified",
                "spec.limits[0].defaultRequest[foo]: Invalid value: \"foo\": must be a standard resource for containers",
                "spec.limits[0].min[cpu]: Invalid value: \"2\": min value 2 is greater than max value 1",
                "spec.limits[0].defaultRequest[cpu]: Invalid value: \"1\": min value 2 is greater than default request value 1",
                "spec.limits[0].default[cpu]: Invalid value: \"2\": min value 2 is greater than default value 1",
                "spec.limits[0].maxLimitRequestRatio[memory]: Invalid value: \"500m\": ratio 500m is less than 1",
                "spec.limits[1].default: Forbidden: may not be specified when `type` is 'Pod'",
                "spec.limits[2].type: Duplicate value: \"Pod\"",
                "spec.limits[3].limits: Required value: either minimum or maximum storage value is required, but neither was provided",
                "spec.limits[4].type: Invalid value: \"Machine\": must be a standard limit type or fully qualified",
            ]
        );
        let ok = json!({"metadata": {"name": "lr", "namespace": "d"}, "spec": {"limits": [
            {"type": "Container", "default": {"cpu": "500m", "memory": "256Mi"}, "defaultRequest": {"cpu": "100m"}, "max": {"cpu": "2"}, "maxLimitRequestRatio": {"cpu": "4"}, "min": {"cpu": "50m"}},
            {"type": "PersistentVolumeClaim", "min": {"storage": "1Gi"}}]}});
        assert_eq!(create("v1", "LimitRange", ok), Vec::<String>::new());
    }

    #[test]
    fn resource_quotas() {
        let rq = json!({"metadata": {"name": "q", "namespace": "d"}, "spec": {
            "hard": {"pods": "1.5", "cpu": "-1", "storage": "1Gi", "widgets": "1"},
            "scopes": ["BestEffort", "NotBestEffort", "Sometimes"]}});
        assert_eq!(
            create("v1", "ResourceQuota", rq),
            vec![
                "spec.hard[cpu]: Invalid value: \"-1\": must be greater than or equal to 0",
                "spec.hard[pods]: Invalid value: \"1500m\": must be an integer",
                "spec.hard[storage]: Invalid value: \"storage\": must be a standard resource for quota",
                "spec.hard[widgets]: Invalid value: \"widgets\": must be a standard resource type or fully qualified",
                "spec.hard[widgets]: Invalid value: \"widgets\": must be a standard resource for quota",
                "spec.scopes: Invalid value: []core.ResourceQuotaScope{\"BestEffort\", \"NotBestEffort\", \"Sometimes\"}: unsupported scope applied to resource",
                "spec.scopes: Invalid value: []core.ResourceQuotaScope{\"BestEffort\", \"NotBestEffort\", \"Sometimes\"}: unsupported scope",
                "spec.scopes: Invalid value: []core.ResourceQuotaScope{\"BestEffort\", \"NotBestEffort\", \"Sometimes\"}: conflicting scopes",
            ]
        );
        let sel = json!({"metadata": {"name": "q", "namespace": "d"}, "spec": {"hard": {"pods": "10"},
            "scopeSelector": {"matchExpressions": [{"scopeName": "PriorityClass", "operator": "In"}, {"scopeName": "Terminating", "operator": "In", "values": ["x"]}]}}});
        assert_eq!(
            create("v1", "ResourceQuota", sel),
            vec![
                "spec.scopeSelector.matchExpressions.values: Required value: must be at least one value when `operator` is 'In' or 'NotIn' for scope selector",
                "spec.scopeSelector.matchExpressions.operator: Invalid value: \"In\": must be 'Exists' when scope is any of ResourceQuotaScopeTerminating, ResourceQuotaScopeNotTerminating, ResourceQuotaScopeBestEffort, ResourceQuotaScopeNotBestEffort or ResourceQuotaScopeCrossNamespacePodAffinity",
            ]
        );
        let old = json!({"metadata": {"name": "q", "namespace": "d"}, "spec": {"hard": {"pods": "10", "count/deployments.apps": "5"}, "scopes": ["NotTerminating"]}});
        assert_eq!(
            create("v1", "ResourceQuota", old.clone()),
            Vec::<String>::new()
        );
        let mut new = old.clone();
        new["spec"]["scopes"] = json!(["Terminating"]);
        assert_eq!(
            update("v1", "ResourceQuota", new, old),
            vec![
                "spec.scopes: Invalid value: []core.ResourceQuotaScope{\"Terminating\"}: field is immutable"
            ]
        );
    }

    #[test]
    fn endpoint_slices() {
        let es = json!({"metadata": {"name": "s", "namespace": "d"}, "addressType": "IPv4", "endpoints": [
            {"addresses": ["10.0.0.1", "fd00::1", "169.254.1.1"], "hostname": "h", "nodeName": "Node_1", "hints": {"forZones": [{"name": "a"}, {"name": "a"}]}},
            {"addresses": []}],
            "ports": [{"name": "http", "port": 80}, {"name": "http", "port": 81, "protocol": "ICMP"}]});
        assert_eq!(
            create("discovery.k8s.io/v1", "EndpointSlice", es),
            vec![
                "endpoints[0].addresses[1]: Invalid value: \"fd00::1\": must be a valid IPv4 address",
                "endpoints[0].addresses[2]: Invalid value: \"169.254.1.1\": may not be in the link-local range (169.254.0.0/16, fe80::/10)",
                "endpoints[0].nodeName: Invalid value: \"Node_1\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
                "endpoints[0].hints.forZones[1].name: Duplicate value: \"a\"",
                "endpoints[1].addresses: Required value: must contain at least 1 address",
                "ports[1].name: Duplicate value: \"http\"",
                "ports[1].protocol: Unsupported value: \"ICMP\": supported values: \"SCTP\", \"TCP\", \"UDP\"",
            ]
        );
        let fqdn = json!({"metadata": {"name": "s", "namespace": "d"}, "addressType": "FQDN", "endpoints": [{"addresses": ["example.com.", "localhost", "a_b.com"]}]});
        assert_eq!(
            create("discovery.k8s.io/v1", "EndpointSlice", fqdn.clone()),
            vec![
                "endpoints[0].addresses[1]: Invalid value: \"localhost\": should be a domain with at least two segments separated by dots",
                "endpoints[0].addresses[2]: Invalid value: \"a_b.com\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
            ]
        );
        let mut other = fqdn.clone();
        other["addressType"] = json!("IPv6");
        other["endpoints"] = json!([]);
        assert_eq!(
            update("discovery.k8s.io/v1", "EndpointSlice", other, fqdn),
            vec!["addressType: Invalid value: \"IPv6\": field is immutable"]
        );
        let bad_type = json!({"metadata": {"name": "s", "namespace": "d"}, "addressType": "IP"});
        assert_eq!(
            create("discovery.k8s.io/v1", "EndpointSlice", bad_type),
            vec![
                "addressType: Unsupported value: \"IP\": supported values: \"FQDN\", \"IPv4\", \"IPv6\""
            ]
        );
    }

    fn hpa(api_version: &str, spec: Value) -> Value {
        let mut s = json!({"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}, "maxReplicas": 5});
        if let (Some(o), Some(x)) = (s.as_object_mut(), spec.as_object()) {
            o.extend(x.clone());
        }
        defaulted(
            api_version,
            "HorizontalPodAutoscaler",
            json!({"metadata": {"name": "h", "namespace": "d"}, "spec": s}),
        )
    }

    #[test]
    fn horizontal_pod_autoscalers() {
        let check = |av: &str, spec: Value| {
            msgs(&validate_create(
                av,
                "HorizontalPodAutoscaler",
                &hpa(av, spec),
            ))
        };
        assert_eq!(check("autoscaling/v2", json!({})), Vec::<String>::new());
        assert_eq!(
            check(
                "autoscaling/v1",
                json!({"targetCPUUtilizationPercentage": 60})
            ),
            Vec::<String>::new()
        );
        assert_eq!(
            check(
                "autoscaling/v1",
                json!({"minReplicas": 0, "maxReplicas": 0, "targetCPUUtilizationPercentage": 0, "scaleTargetRef": {"name": "a/b"}})
            ),
            vec![
                "spec.minReplicas: Invalid value: 0: must be greater than or equal to 1",
                "spec.maxReplicas: Invalid value: 0: must be greater than 0",
                "spec.scaleTargetRef.kind: Required value",
                "spec.scaleTargetRef.name: Invalid value: \"a/b\": may not contain '/'",
                "spec.metrics[0].resource.target.averageUtilization: Invalid value: 0: must be greater than 0",
            ]
        );
        let m = check(
            "autoscaling/v2",
            json!({"minReplicas": 6, "metrics": [
                {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization"}}},
                {"type": "Pods", "object": {}},
                {"type": "External", "external": {"metric": {"name": "queue"}, "target": {"type": "Value", "value": "0", "averageValue": "1"}}},
                {"type": "Magic"}],
                "behavior": {"scaleUp": {"stabilizationWindowSeconds": 4000, "policies": [{"type": "Requests", "value": 0, "periodSeconds": 1801}]}}}),
        );
        assert_eq!(
            m,
            vec![
                "spec.maxReplicas: Invalid value: 5: must be greater than or equal to `minReplicas`",
                "spec.metrics[0].resource.target.averageUtilization: Required value: must set either a target raw value or a target utilization",
                "spec.metrics[1].object.describedObject.kind: Required value",
                "spec.metrics[1].object.describedObject.name: Required value",
                "spec.metrics[1].object.metric.name: Required value: must specify a metric name",
                "spec.metrics[1].object.target.type: Required value: must specify a metric target type",
                "spec.metrics[1].object.target.type: Invalid value: \"\": must be either Utilization, Value, or AverageValue",
                "spec.metrics[1].object.target.averageValue: Required value: must set either a target value or averageValue",
                "spec.metrics[1].pods: Required value: must populate information for the given metric source",
                "spec.metrics[2].external.target.value: Invalid value: \"0\": must be positive",
                "spec.metrics[2].external.target.value: Forbidden: may not set both a target value for metric and a per-pod target",
                "spec.metrics[3].type: Unsupported value: \"Magic\": supported values: \"ContainerResource\", \"External\", \"Object\", \"Pods\", \"Resource\"",
                "spec.metrics[3].type: Unsupported value: \"Magic\": supported values: \"ContainerResource\", \"External\", \"Object\", \"Pods\", \"Resource\"",
                "spec.behavior.scaleUp.stabilizationWindowSeconds: Invalid value: 4000: must be less than or equal to 3600",
                "spec.behavior.scaleUp.policies[0].type: Unsupported value: \"Requests\": supported values: \"Percent\", \"Pods\"",
                "spec.behavior.scaleUp.policies[0].value: Invalid value: 0: must be greater than zero",
                "spec.behavior.scaleUp.policies[0].periodSeconds: Invalid value: 1801: must be less than or equal to 1800",
            ]
        );
    }

    fn pdb(spec: Value) -> Value {
        json!({"metadata": {"name": "budget", "namespace": "d"}, "spec": spec})
    }

    #[test]
    fn pod_disruption_budgets() {
        assert_eq!(
            create(
                "policy/v1",
                "PodDisruptionBudget",
                pdb(json!({"minAvailable": "50%", "selector": {"matchLabels": {"app": "a"}}}))
            ),
            Vec::<String>::new()
        );
        assert_eq!(
            create(
                "policy/v1",
                "PodDisruptionBudget",
                pdb(
                    json!({"minAvailable": "150%", "maxUnavailable": -1, "unhealthyPodEvictionPolicy": "Never",
                    "selector": {"matchExpressions": [{"key": "app", "operator": "In"}]}})
                )
            ),
            vec![
                "spec: Invalid value: policy.PodDisruptionBudgetSpec{...}: minAvailable and maxUnavailable cannot be both set",
                "spec.minAvailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:\"150%\"}: must not be greater than 100%",
                "spec.maxUnavailable: Invalid value: -1: must be greater than or equal to 0",
                "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
                "spec.unhealthyPodEvictionPolicy: Unsupported value: \"Never\": supported values: \"AlwaysAllow\", \"IfHealthyBudget\"",
            ]
        );
        assert_eq!(
            create(
                "policy/v1",
                "PodDisruptionBudget",
                pdb(json!({"maxUnavailable": "ten"}))
            ),
            vec![
                "spec.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:\"ten\"}: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"
            ]
        );
    }

    fn ingress(spec: Value) -> Value {
        json!({"metadata": {"name": "ing", "namespace": "d"}, "spec": spec})
    }

    #[test]
    fn ingresses() {
        let ok = ingress(
            json!({"ingressClassName": "nginx", "tls": [{"hosts": ["*.example.com"], "secretName": "tls"}],
            "rules": [{"host": "www.example.com", "http": {"paths": [
                {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "web", "port": {"number": 80}}}},
                {"pathType": "ImplementationSpecific", "backend": {"resource": {"apiGroup": "example.com", "kind": "Bucket", "name": "b"}}}]}}]}),
        );
        assert_eq!(
            create("networking.k8s.io/v1", "Ingress", ok),
            Vec::<String>::new()
        );
        assert_eq!(
            create("networking.k8s.io/v1", "Ingress", ingress(json!({}))),
            vec![
                "spec: Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified"
            ]
        );
        let mut bad = ingress(
            json!({"ingressClassName": "nginx", "defaultBackend": {"service": {"name": "web", "port": {"name": "http", "number": 80}}},
            "rules": [{"host": "10.0.0.1"}, {"host": "*.*.example.com", "http": {"paths": [
                {"path": "/a//b", "pathType": "Exact", "backend": {"service": {"name": "Web", "port": {}}}},
                {"path": "a", "backend": {}},
                {"path": "/x", "pathType": "Regex", "backend": {}}]}},
                {"http": {"paths": []}}]}),
        );
        bad["metadata"]["annotations"] = json!({"kubernetes.io/ingress.class": "other"});
        assert_eq!(
            create("networking.k8s.io/v1", "Ingress", bad),
            vec![
                "spec.defaultBackend: Invalid value: \"\": cannot set both port name & port number",
                "spec.rules[0].host: Invalid value: \"10.0.0.1\": must be a DNS name, not an IP address",
                "spec.rules[1].host: Invalid value: \"*.*.example.com\": a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
                "spec.rules[1].http.paths[0].path: Invalid value: \"/a//b\": must not contain '//'",
                "spec.rules[1].http.paths[0].backend.service.name: Invalid value: \"Web\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
                "spec.rules[1].http.paths[0].backend: Required value: port name or number is required",
                "spec.rules[1].http.paths[1].pathType: Required value: pathType must be specified",
                "spec.rules[1].http.paths[2].pathType: Unsupported value: \"Regex\": supported values: \"Exact\", \"ImplementationSpecific\", \"Prefix\"",
                "spec.rules[1].http.paths[2].backend: Invalid value: \"\": resource or service backend is required",
                "spec.rules[2].http.paths: Required value",
                "annotations.kubernetes.io/ingress.class: Invalid value: \"other\": must match `ingressClassName` when both are specified",
            ]
        );
    }

    #[test]
    fn ingress_classes() {
        let ic = |spec: Value| json!({"metadata": {"name": "nginx"}, "spec": spec});
        let ok = ic(
            json!({"controller": "k8s.io/ingress-nginx", "parameters": {"apiGroup": "k8s.example.com", "kind": "IngressParameters", "name": "p", "scope": "Namespace", "namespace": "ops"}}),
        );
        assert_eq!(
            create("networking.k8s.io/v1", "IngressClass", ok.clone()),
            Vec::<String>::new()
        );
        assert_eq!(
            create(
                "networking.k8s.io/v1",
                "IngressClass",
                ic(
                    json!({"controller": "nginx", "parameters": {"kind": "", "name": "p", "scope": "Cluster", "namespace": "x"}})
                )
            ),
            vec![
                "spec.controller: Invalid value: \"nginx\": must be a domain-prefixed path (such as \"acme.io/foo\")",
                "spec.parameters.kind: Required value",
                "spec.parameters.namespace: Forbidden: `parameters.scope` is set to 'Cluster'",
            ]
        );
        assert_eq!(
            create(
                "networking.k8s.io/v1",
                "IngressClass",
                ic(json!({"parameters": {"kind": "K", "name": "n"}}))
            ),
            vec![
                "spec.controller: Required value",
                "spec.parameters.scope: Required value"
            ]
        );
        let mut new = ok.clone();
        new["spec"]["controller"] = json!("example.com/other");
        assert_eq!(
            update("networking.k8s.io/v1", "IngressClass", new, ok),
            vec!["spec.controller: Invalid value: \"example.com/other\": field is immutable"]
        );
    }

    #[test]
    fn network_policies() {
        let np = json!({"metadata": {"name": "np", "namespace": "d"}, "spec": {"podSelector": {},
            "ingress": [{"from": [{"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.1.0.0/16", "192.168.0.0/24", "10.0.0.0/8"]}, "podSelector": {}}, {}],
                "ports": [{"port": 80, "endPort": 70}, {"port": "http", "endPort": 90}, {"endPort": 5, "protocol": "ICMP"}]}],
            "egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.0"}}]}],
            "policyTypes": ["Ingress", "Sideways"]}});
        assert_eq!(
            create("networking.k8s.io/v1", "NetworkPolicy", np),
            vec![
                "spec.ingress[0].ports[0].endPort: Invalid value: 70: must be greater than or equal to `port`",
                "spec.ingress[0].ports[1].endPort: Invalid value: 90: may not be specified when `port` is non-numeric",
                "spec.ingress[0].ports[2].protocol: Unsupported value: \"ICMP\": supported values: \"TCP\", \"UDP\", \"SCTP\"",
                "spec.ingress[0].ports[2].endPort: Invalid value: 5: may not be specified when `port` is not specified",
                "spec.ingress[0].from[0].ipBlock.except[1]: Invalid value: \"192.168.0.0/24\": must be a strict subset of `cidr`",
                "spec.ingress[0].from[0].ipBlock.except[2]: Invalid value: \"10.0.0.0/8\": must be a strict subset of `cidr`",
                "spec.ingress[0].from[0]: Forbidden: may not specify both ipBlock and another peer",
                "spec.ingress[0].from[1]: Required value: must specify a peer",
                "spec.egress[0].to[0].ipBlock.cidr: Invalid value: \"10.0.0.0\": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)",
                "spec.policyTypes[1]: Unsupported value: \"Sideways\": supported values: \"Ingress\", \"Egress\"",
            ]
        );
        let many = json!({"metadata": {"name": "np", "namespace": "d"}, "spec": {"podSelector": {"matchLabels": {"app": "db"}},
            "policyTypes": ["Ingress", "Egress", "Ingress"]}});
        assert_eq!(
            create("networking.k8s.io/v1", "NetworkPolicy", many),
            vec![
                "spec.policyTypes: Invalid value: []networking.PolicyType{\"Ingress\", \"Egress\", \"Ingress\"}: may not specify more than two policyTypes"
            ]
        );
    }

    #[test]
    fn priority_classes() {
        let pc = |name: &str, value: i64| json!({"metadata": {"name": name}, "value": value});
        assert_eq!(
            create("scheduling.k8s.io/v1", "PriorityClass", pc("high", 1000)),
            Vec::<String>::new()
        );
        assert_eq!(
            create(
                "scheduling.k8s.io/v1",
                "PriorityClass",
                pc("system-node-critical", 2000001000)
            ),
            Vec::<String>::new()
        );
        assert_eq!(
            create(
                "scheduling.k8s.io/v1",
                "PriorityClass",
                pc("system-custom", 10)
            ),
            vec![
                "metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-custom is not a known system priority class"
            ]
        );
        assert_eq!(
            create(
                "scheduling.k8s.io/v1",
                "PriorityClass",
                pc("system-cluster-critical", 10)
            ),
            vec![
                "metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: value of system-cluster-critical PriorityClass must be 2000000000"
            ]
        );
        assert_eq!(
            create(
                "scheduling.k8s.io/v1",
                "PriorityClass",
                pc("huge", 1000000001)
            ),
            vec![
                "value: Forbidden: maximum allowed value of a user defined priority is 1000000000"
            ]
        );
        let mut new = pc("high", 2000);
        new["preemptionPolicy"] = json!("Never");
        assert_eq!(
            update(
                "scheduling.k8s.io/v1",
                "PriorityClass",
                new,
                pc("high", 1000)
            ),
            vec![
                "value: Forbidden: may not be changed in an update.",
                "preemptionPolicy: Invalid value: \"Never\": field is immutable",
            ]
        );
    }

    #[test]
    fn storage_classes() {
        let sc = json!({"metadata": {"name": "fast"}, "provisioner": "kubernetes.io/aws-ebs", "parameters": {"type": "gp3"},
            "allowedTopologies": [{"matchLabelExpressions": [{"key": "topology.kubernetes.io/zone", "values": ["a"]}]}]});
        assert_eq!(
            create("storage.k8s.io/v1", "StorageClass", sc.clone()),
            Vec::<String>::new()
        );
        let bad = json!({"metadata": {"name": "fast"}, "reclaimPolicy": "Recycle", "volumeBindingMode": "Later",
            "allowedTopologies": [{"matchLabelExpressions": [{"key": "zone", "values": ["a", "a"]}, {"key": "zone", "values": []}]}, {"matchLabelExpressions": [{"key": "zone", "values": []}]}]});
        assert_eq!(
            create("storage.k8s.io/v1", "StorageClass", bad),
            vec![
                "provisioner: Required value",
                "reclaimPolicy: Unsupported value: \"Recycle\": supported values: \"Delete\", \"Retain\"",
                "volumeBindingMode: Unsupported value: \"Later\": supported values: \"Immediate\", \"WaitForFirstConsumer\"",
                "allowedTopologies[0].matchLabelExpressions[0].values[1]: Duplicate value: \"a\"",
                "allowedTopologies[0].matchLabelExpressions[1].values: Required value",
                "allowedTopologies[0].matchLabelExpressions[1].key: Duplicate value: \"zone\"",
                "allowedTopologies[1].matchLabelExpressions[0].values: Required value",
                "allowedTopologies[1].matchLabelExpressions: Duplicate value: \"\"",
            ]
        );
        let mut new = sc.clone();
        new["parameters"] = json!({"type": "io2"});
        new["reclaimPolicy"] = json!("Retain");
        new["volumeBindingMode"] = json!("WaitForFirstConsumer");
        assert_eq!(
            update("storage.k8s.io/v1", "StorageClass", new, sc),
            vec![
                "parameters: Forbidden: updates to parameters are forbidden.",
                "reclaimPolicy: Forbidden: updates to reclaimPolicy are forbidden.",
                "volumeBindingMode: Invalid value: \"WaitForFirstConsumer\": field is immutable",
            ]
        );
    }

    #[test]
    fn csi_drivers_and_nodes() {
        let drv =
            json!({"metadata": {"name": "ebs.csi.aws.com"}, "spec": {"attachRequired": true}});
        assert_eq!(
            create("storage.k8s.io/v1", "CSIDriver", drv.clone()),
            Vec::<String>::new()
        );
        let bad = json!({"metadata": {"name": "d.example.com"}, "spec": {"fsGroupPolicy": "Sometimes", "volumeLifecycleModes": ["Temporary"],
            "tokenRequests": [{"audience": "a", "expirationSeconds": 60}, {"audience": "a"}]}});
        assert_eq!(
            create("storage.k8s.io/v1", "CSIDriver", bad),
            vec![
                "spec.fsGroupPolicy: Unsupported value: \"Sometimes\": supported values: \"File\", \"None\", \"ReadWriteOnceWithFSType\"",
                "spec.tokenRequests[0].expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes",
                "spec.tokenRequests[1].audience: Duplicate value: \"a\"",
                "spec.volumeLifecycleModes: Unsupported value: \"Temporary\": supported values: \"Persistent\", \"Ephemeral\"",
            ]
        );
        let mut new = drv.clone();
        new["spec"]["attachRequired"] = json!(false);
        assert_eq!(
            update("storage.k8s.io/v1", "CSIDriver", new, drv),
            vec!["spec.attachedRequired: Invalid value: false: field is immutable"]
        );

        let node = json!({"metadata": {"name": "node-1"}, "spec": {"drivers": [{"name": "ebs.csi.aws.com", "nodeID": "i-1", "topologyKeys": ["topology.ebs.csi.aws.com/zone"]}]}});
        assert_eq!(
            create("storage.k8s.io/v1", "CSINode", node.clone()),
            Vec::<String>::new()
        );
        let bad = json!({"metadata": {"name": "node-1"}, "spec": {"drivers": [
            {"name": "a.b", "nodeID": "x".repeat(257), "allocatable": {"count": -1}},
            {"name": "a.b", "nodeID": "", "topologyKeys": ["zone", "zone"]}]}});
        assert_eq!(
            create("storage.k8s.io/v1", "CSINode", bad),
            vec![
                format!("spec.drivers[0].nodeID: Invalid value: \"{}\": must be 256 characters or less", "x".repeat(257)),
                "spec.drivers[0].allocatable.count: Invalid value: -1: must be greater than or equal to 0".to_string(),
                "spec.drivers[1].nodeID: Required value".to_string(),
                "spec.drivers[1].name: Duplicate value: \"a.b\"".to_string(),
                "spec.drivers[1]: Duplicate value: \"zone\"".to_string(),
            ]
        );
        let mut new = node.clone();
        new["spec"]["drivers"][0]["nodeID"] = json!("i-2");
        assert_eq!(
            update("storage.k8s.io/v1", "CSINode", new, node),
            vec!["spec.drivers: Invalid value: storage.CSINodeDriver{...}: field is immutable"]
        );
    }

    #[test]
    fn volume_attachments() {
        let va = json!({"metadata": {"name": "csi-123"}, "spec": {"attacher": "ebs.csi.aws.com", "nodeName": "node-1",
            "source": {"persistentVolumeName": "pv-1"}}});
        assert_eq!(
            create("storage.k8s.io/v1", "VolumeAttachment", va.clone()),
            Vec::<String>::new()
        );
        let bad = json!({"metadata": {"name": "csi-123"}, "spec": {"attacher": "", "nodeName": "Node", "source": {}},
            "status": {"attachError": {"errorCode": -1}}});
        let m = create("storage.k8s.io/v1", "VolumeAttachment", bad);
        assert_has(
            &m,
            &[
                "spec.attacher: Required value",
                "spec.source: Required value: must specify exactly one of inlineVolumeSpec and persistentVolumeName",
                "status.attachError.errorCode: Invalid value: -1: must be between 0 and 2147483647, inclusive",
            ],
        );
        assert!(
            m.iter()
                .any(|s| s.starts_with("spec.nodeName: Invalid value: \"Node\"")),
            "{m:#?}"
        );
        let inline = json!({"metadata": {"name": "csi-123"}, "spec": {"attacher": "a.b", "nodeName": "n",
            "source": {"inlineVolumeSpec": {"accessModes": ["ReadWriteOnce"], "capacity": {"storage": "1Gi"}, "persistentVolumeReclaimPolicy": "Delete"}}}});
        assert_eq!(
            create("storage.k8s.io/v1", "VolumeAttachment", inline),
            vec![
                "spec.source.inlineVolumeSpec.capacity: Forbidden: may not be specified in the context of inline volumes",
                "spec.source.inlineVolumeSpec.csi: Required value: has to be specified in the context of inline volumes",
                "spec.source.inlineVolumeSpec.persistentVolumeReclaimPolicy: Forbidden: may only be Retain in the context of inline volumes",
                "spec.source.inlineVolumeSpec: Required value: must specify a volume type",
            ]
        );
        let mut new = va.clone();
        new["spec"]["nodeName"] = json!("node-2");
        assert_eq!(
            update("storage.k8s.io/v1", "VolumeAttachment", new, va),
            vec!["spec: Invalid value: storage.VolumeAttachmentSpec{...}: field is immutable"]
        );
    }

    #[test]
    fn controller_revisions() {
        let cr = json!({"metadata": {"name": "web-5d9f", "namespace": "d"}, "data": {"spec": {}}, "revision": 2});
        assert_eq!(
            create("apps/v1", "ControllerRevision", cr.clone()),
            Vec::<String>::new()
        );
        assert_eq!(
            create(
                "apps/v1",
                "ControllerRevision",
                json!({"metadata": {"name": "r", "namespace": "d"}, "revision": -1})
            ),
            vec![
                "data: Required value: data is mandatory",
                "revision: Invalid value: -1: must be greater than or equal to 0",
            ]
        );
        let mut new = cr.clone();
        new["data"] = json!({"spec": {"x": 1}});
        assert_eq!(
            update("apps/v1", "ControllerRevision", new, cr),
            vec!["data: Invalid value: {\"spec\":{\"x\":1}}: field is immutable"]
        );
    }

    #[test]
    fn added_kinds_survive_malformed_shapes() {
        let shapes = [
            json!({"metadata": {"name": "x", "namespace": "d"}, "spec": "nope", "subsets": 3, "endpoints": {}, "ports": "p", "rules": 1}),
            json!({"metadata": {"name": "x", "namespace": "d"}, "spec": {"limits": [1, {"type": 5, "max": []}], "hard": [], "scopes": {}, "drivers": [null, 1],
                "rules": [{"http": {"paths": [1, {"pathType": 3}]}}], "ingress": [{"from": [1], "ports": [{"port": []}]}], "metrics": [1, {"type": 2}],
                "securityContext": [], "affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [1]}}},
                "topologySpreadConstraints": [1], "source": {"inlineVolumeSpec": 1}}, "subsets": [{"addresses": [1, {"ip": 5}]}],
                "endpoints": [{"addresses": [1]}], "series": 1, "regarding": [], "eventTime": 1}),
            json!(null),
            json!([]),
        ];
        for (av, kind) in [
            ("v1", "Endpoints"),
            ("v1", "Event"),
            ("events.k8s.io/v1", "Event"),
            ("v1", "ServiceAccount"),
            ("v1", "PersistentVolume"),
            ("v1", "LimitRange"),
            ("v1", "ResourceQuota"),
            ("discovery.k8s.io/v1", "EndpointSlice"),
            ("autoscaling/v1", "HorizontalPodAutoscaler"),
            ("autoscaling/v2", "HorizontalPodAutoscaler"),
            ("policy/v1", "PodDisruptionBudget"),
            ("networking.k8s.io/v1", "Ingress"),
            ("networking.k8s.io/v1", "IngressClass"),
            ("networking.k8s.io/v1", "NetworkPolicy"),
            ("scheduling.k8s.io/v1", "PriorityClass"),
            ("storage.k8s.io/v1", "StorageClass"),
            ("storage.k8s.io/v1", "CSIDriver"),
            ("storage.k8s.io/v1", "CSINode"),
            ("storage.k8s.io/v1", "VolumeAttachment"),
            ("apps/v1", "ControllerRevision"),
            ("v1", "Pod"),
        ] {
            for s in &shapes {
                let _ = validate_create(av, kind, s);
                let _ = validate_update(av, kind, s, &shapes[1]);
                let _ = validate_update(av, kind, &shapes[1], s);
            }
        }
    }

    #[test]
    fn typical_workloads_pass() {
        let coredns = defaulted(
            "apps/v1",
            "Deployment",
            json!({"metadata": {"name": "coredns", "namespace": "kube-system"}, "spec": {"selector": {"matchLabels": {"k8s-app": "kube-dns"}},
                "template": {"metadata": {"labels": {"k8s-app": "kube-dns"}}, "spec": {
                    "priorityClassName": "system-cluster-critical", "serviceAccountName": "coredns",
                    "tolerations": [{"key": "CriticalAddonsOnly", "operator": "Exists"}, {"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}],
                    "nodeSelector": {"kubernetes.io/os": "linux"},
                    "affinity": {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 100, "podAffinityTerm": {
                        "labelSelector": {"matchExpressions": [{"key": "k8s-app", "operator": "In", "values": ["kube-dns"]}]}, "topologyKey": "kubernetes.io/hostname"}}]}},
                    "topologySpreadConstraints": [{"maxSkew": 1, "topologyKey": "topology.kubernetes.io/zone", "whenUnsatisfiable": "ScheduleAnyway",
                        "labelSelector": {"matchLabels": {"k8s-app": "kube-dns"}}, "matchLabelKeys": ["pod-template-hash"]}],
                    "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
                    "containers": [{"name": "coredns", "image": "registry.k8s.io/coredns/coredns:v1.11.3", "args": ["-conf", "/etc/coredns/Corefile"],
                        "ports": [{"containerPort": 53, "name": "dns", "protocol": "UDP"}, {"containerPort": 53, "name": "dns-tcp", "protocol": "TCP"}],
                        "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"add": ["NET_BIND_SERVICE"], "drop": ["ALL"]}, "readOnlyRootFilesystem": true}}]}}}}),
        );
        assert_eq!(
            msgs(&validate_create("apps/v1", "Deployment", &coredns)),
            Vec::<String>::new()
        );
        let proxy = defaulted(
            "apps/v1",
            "DaemonSet",
            json!({"metadata": {"name": "kube-proxy", "namespace": "kube-system"}, "spec": {"selector": {"matchLabels": {"k8s-app": "kube-proxy"}},
                "template": {"metadata": {"labels": {"k8s-app": "kube-proxy"}}, "spec": {"hostNetwork": true, "priorityClassName": "system-node-critical",
                    "tolerations": [{"operator": "Exists"}],
                    "containers": [{"name": "kube-proxy", "image": "registry.k8s.io/kube-proxy:v1.33.0", "securityContext": {"privileged": true},
                        "volumeMounts": [{"name": "lib-modules", "mountPath": "/lib/modules", "readOnly": true}]}],
                    "volumes": [{"name": "lib-modules", "hostPath": {"path": "/lib/modules"}}]}}}}),
        );
        assert_eq!(
            msgs(&validate_create("apps/v1", "DaemonSet", &proxy)),
            Vec::<String>::new()
        );
        let hpa = defaulted(
            "autoscaling/v2",
            "HorizontalPodAutoscaler",
            json!({"metadata": {"name": "web", "namespace": "d"}, "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
                "minReplicas": 2, "maxReplicas": 10, "metrics": [{"type": "Resource", "resource": {"name": "memory", "target": {"type": "AverageValue", "averageValue": "500Mi"}}},
                    {"type": "Pods", "pods": {"metric": {"name": "packets-per-second"}, "target": {"type": "AverageValue", "averageValue": "1k"}}}],
                "behavior": {"scaleDown": {"stabilizationWindowSeconds": 300, "policies": [{"type": "Percent", "value": 10, "periodSeconds": 60}]}}}}),
        );
        assert_eq!(
            msgs(&validate_create(
                "autoscaling/v2",
                "HorizontalPodAutoscaler",
                &hpa
            )),
            Vec::<String>::new()
        );
    }
}
