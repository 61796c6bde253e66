//! Upstream validation, on objects as JSON (`serde_json::Value`) in their external (v1) form,
//! after defaulting (see [`crate::defaults`]).
//!
//! The rules and the message texts follow upstream (`pkg/apis/core/validation`,
//! `pkg/apis/apps/validation`, `pkg/apis/batch/validation`, apimachinery's
//! `util/validation` and `api/validation`), so clients see the same `Invalid` statuses:
//! `Pod "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123
//! subdomain must consist of ...`.
//!
//! Nothing here panics on malformed input: a field of the wrong JSON type is reported as an
//! invalid value (upstream rejects those earlier, when decoding).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

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
    validate_kind(group, kind, obj, None, &mut e);
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
    validate_kind(group, kind, obj, Some(old), &mut e);
    e
}

fn validate_kind(group: &str, kind: &str, obj: &Value, old: Option<&Value>, e: &mut Errs) {
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
    validate_containers(containers, &volumes, grace, &p.c("containers"), e);
    validate_init_containers(
        init_containers,
        containers,
        &volumes,
        grace,
        &p.c("initContainers"),
        e,
    );
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
        "hostPath" => {
            required_str("path", e);
            let t = str_at(get(s, "type"), &sp.c("type"), e);
            const TYPES: &[&str] = &[
                "",
                "DirectoryOrCreate",
                "Directory",
                "FileOrCreate",
                "File",
                "Socket",
                "CharDevice",
                "BlockDevice",
            ];
            if !TYPES.contains(&t) {
                e.push(not_supported(&sp.c("type"), quote(t), TYPES));
            }
        }
        "secret" => required_str("secretName", e),
        "configMap" => required_str("name", e),
        "persistentVolumeClaim" => required_str("claimName", e),
        "nfs" => {
            required_str("server", e);
            required_str("path", e);
        }
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

fn validate_containers(
    containers: &[Value],
    volumes: &BTreeSet<String>,
    grace: Option<i64>,
    p: &P,
    e: &mut Errs,
) {
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
        validate_container_common(c, volumes, &ip, e);
        let name = o_str(c, "name");
        if !names.insert(name.to_string()) {
            e.push(duplicate(&ip.c("name"), quote(name)));
        }
        validate_lifecycle(get(c, "lifecycle"), grace, &ip.c("lifecycle"), e);
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
    volumes: &BTreeSet<String>,
    grace: Option<i64>,
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
        validate_container_common(c, volumes, &ip, e);
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
            validate_lifecycle(get(c, "lifecycle"), grace, &ip.c("lifecycle"), e);
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
fn validate_container_common(c: &Value, volumes: &BTreeSet<String>, p: &P, e: &mut Errs) {
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
    validate_volume_mounts(get(c, "volumeMounts"), volumes, &p.c("volumeMounts"), e);
    let pull = str_at(get(c, "imagePullPolicy"), &p.c("imagePullPolicy"), e);
    validate_enum(pull, &p.c("imagePullPolicy"), PULL_POLICIES, e);
    validate_resources(get(c, "resources"), &p.c("resources"), e);
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
            if !k.contains('/') {
                if !is_standard_container_resource(k) {
                    e.push(invalid(
                        &kp,
                        quote(k),
                        "must be a standard resource for containers",
                    ));
                }
            } else {
                validate_qualified_name(k, &kp, e);
            }
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
                        render(t),
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
    format!("  core.PodSpec{{\n{}\n  }}\n", lines.join("\n"))
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
        match op {
            "In" | "NotIn" => {
                if vals.is_empty() {
                    e.push(required(
                        &ip.c("values"),
                        "must be specified when `operator` is 'In' or 'NotIn'",
                    ));
                }
            }
            "Exists" | "DoesNotExist" => {
                if !vals.is_empty() {
                    e.push(forbidden(
                        &ip.c("values"),
                        "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
                    ));
                }
            }
            other => e.push(invalid(
                &ip.c("operator"),
                quote(other),
                "not a valid selector operator",
            )),
        }
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
    const MODES: &[&str] = &[
        "ReadOnlyMany",
        "ReadWriteMany",
        "ReadWriteOnce",
        "ReadWriteOncePod",
    ];
    for m in &modes {
        if !MODES.contains(&m.as_str()) {
            e.push(not_supported(&sp.c("accessModes"), quote(m), MODES));
        }
    }
    let storage = get(spec, "resources")
        .and_then(|r| get(r, "requests"))
        .and_then(|r| get(r, "storage"));
    let stp = sp.c("resources").c("requests").k("storage");
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
}
