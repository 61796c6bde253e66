//! CustomResourceDefinitions (`apiextensions.k8s.io/v1`) and the custom resources they define.
//!
//! This module mirrors upstream Kubernetes 1.33 (`k8s.io/apiextensions-apiserver` v0.33):
//!
//! * `pkg/apis/apiextensions/validation` and the v1 defaulting and conversion: [`validate_crd`]
//!   (`ValidateCustomResourceDefinition` / `...Update`), [`validate_crd_status_update`],
//!   [`default_crd`] (`SetDefaults_CustomResourceDefinition`);
//! * `pkg/registry/customresourcedefinition` (the strategy): [`prepare_crd_for_create`],
//!   [`prepare_crd_for_update`], and the status the naming and establishing controllers write:
//!   [`accept_crd_names`], [`establish_crd`];
//! * `pkg/apiserver/schema` (structural schemas): [`Structural`], `ValidateStructural`;
//! * `pkg/apiserver/schema/pruning`, `.../objectmeta`, `.../defaulting`, `.../listtype`:
//!   [`prune`], [`apply_defaults`], and the embedded-resource and list-type rules of [`validate`];
//! * `pkg/apiserver/validation` on top of `k8s.io/kube-openapi/pkg/validation/validate`: the
//!   OpenAPI v3 value validation of custom resources with kube-openapi's messages, e.g.
//!   `spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"`,
//!   including validation ratcheting on update ([`validate_update`]).
//!
//! Objects are `serde_json::Value`s in their JSON form. Nothing here panics on malformed input:
//! a schema that cannot be read is an `Err` of [`Structural::from_value`] (or field errors of
//! [`validate_crd`]), a malformed object gives field errors.
//!
//! The order of operations upstream, on write and on read from storage alike, is: [`prune`]
//! (unknown fields, with their paths for `fieldValidation=Strict|Warn`), then [`apply_defaults`]
//! (which first drops `null`s of non-nullable fields without a default), then on write
//! [`validate`] / [`validate_update`]. For a CRD: [`default_crd`], then
//! [`prepare_crd_for_create`] / [`prepare_crd_for_update`], then [`validate_crd`].
//!
//! Not done here:
//! * `x-kubernetes-validations` (CEL) rules are checked for their static form only (`rule`,
//!   `message`, `messageExpression`, `reason`, `fieldPath`) and are never compiled nor evaluated;
//!   the CEL cost limits are not enforced;
//! * conversion webhooks: `spec.conversion.strategy: Webhook` is accepted with its configuration
//!   validated (URL or service, `conversionReviewVersions`), but the CA bundle is not parsed and
//!   no webhook is ever called: only `None` conversion (an `apiVersion` rewrite) can be served;
//! * ObjectMeta and TypeMeta of the custom resource itself (the server's generic metadata
//!   validation covers them; [`validate_type_meta`] is offered for the kind/apiVersion check);
//!   root `metadata` is only cleaned of unknown fields by [`prune`], not re-serialized;
//! * `pattern` uses the `regex` crate after rewriting Go (RE2) specifics (ASCII `\d \w \s`,
//!   `\Q..\E`, literal braces, nested repetition and the 1000 repeat limit); Go's parse error
//!   texts are reproduced on a best-effort basis;
//! * field error values that are Go structs are printed in Go's `%#v` form where that is
//!   reproducible: `spec.versions` (in `must have exactly one version marked as storage
//!   version`) with a placeholder address for set pointers (upstream prints a memory address),
//!   a whole schema as `apiextensions.JSONSchemaProps{...}`;
//! * in embedded resources' metadata, `ownerReferences` and `managedFields` are type-checked and
//!   cleaned of unknown fields but not otherwise validated;
//! * upstream's `FieldValueTypeInvalid` cause is reported as [`FieldErrorKind::Invalid`] (same
//!   text, `Invalid value`): `crate::validation` has no `TypeInvalid` kind.
//!
//! Map iteration order is random upstream (properties, object keys); here it is sorted by key.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use regex::Regex;
use serde_json::{Map, Number, Value, json};

use crate::gofmt::{self, Json, Num as GoNum, is_print, json_type, num as go_num, quote};
#[cfg(test)]
use crate::gofmt::{float_json as go_json_float, float_v as go_float};
use crate::validation::{
    FieldError, FieldErrorKind, is_dns1035_label, is_dns1123_label, is_dns1123_subdomain,
    is_qualified_name, is_valid_label_value,
};

type Obj = Map<String, Value>;

const CRD_API_VERSION: &str = "apiextensions.k8s.io/v1";
const CRD_KIND: &str = "CustomResourceDefinition";
const META_FIELDS: [&str; 3] = ["apiVersion", "kind", "metadata"];

// ---------------------------------------------------------------------------------------------
// Field paths (upstream's field.Path, printed) and field errors

fn child(base: &str, name: &str) -> String {
    if base.is_empty() {
        name.to_string()
    } else {
        format!("{base}.{name}")
    }
}

fn key(base: &str, k: &str) -> String {
    format!("{base}[{k}]")
}

fn index(base: &str, i: usize) -> String {
    format!("{base}[{i}]")
}

fn fe(
    kind: FieldErrorKind,
    field: &str,
    value: Option<String>,
    detail: impl Into<String>,
) -> FieldError {
    FieldError {
        kind,
        field: field.to_string(),
        value,
        detail: detail.into(),
    }
}

fn required(field: &str, detail: impl Into<String>) -> FieldError {
    fe(FieldErrorKind::Required, field, None, detail)
}

fn invalid(field: &str, value: impl Into<String>, detail: impl Into<String>) -> FieldError {
    fe(FieldErrorKind::Invalid, field, Some(value.into()), detail)
}

fn forbidden(field: &str, detail: impl Into<String>) -> FieldError {
    fe(FieldErrorKind::Forbidden, field, None, detail)
}

fn duplicate(field: &str, value: impl Into<String>) -> FieldError {
    fe(FieldErrorKind::Duplicate, field, Some(value.into()), "")
}

fn not_supported<S: AsRef<str>>(field: &str, value: impl Into<String>, valid: &[S]) -> FieldError {
    let detail = if valid.is_empty() {
        String::new()
    } else {
        let q: Vec<String> = valid.iter().map(|v| quote(v.as_ref())).collect();
        format!("supported values: {}", q.join(", "))
    };
    fe(
        FieldErrorKind::NotSupported,
        field,
        Some(value.into()),
        detail,
    )
}

/// `field.TooLong`: the value is never printed.
fn too_long(field: &str, max: i64) -> FieldError {
    let detail = if max >= 0 {
        format!("may not be more than {max} bytes")
    } else {
        "value is too long".to_string()
    };
    fe(FieldErrorKind::TooLong, field, None, detail)
}

/// `field.TooMany` (1.33 wording).
fn too_many(field: &str, actual: i64, max: i64) -> FieldError {
    let detail = if max >= 0 {
        format!("must have at most {max} items")
    } else {
        "has too many items".to_string()
    };
    let value = (actual >= 0).then(|| actual.to_string());
    fe(FieldErrorKind::TooMany, field, value, detail)
}

/// `utilerrors.NewAggregate(errs).Error()`.
fn aggregate(errs: &[FieldError]) -> String {
    let mut seen = BTreeSet::new();
    let mut msgs = Vec::new();
    for e in errs {
        let m = e.to_string();
        if seen.insert(m.clone()) {
            msgs.push(m);
        }
    }
    match msgs.len() {
        0 => String::new(),
        1 => msgs.remove(0),
        _ => format!("[{}]", msgs.join(", ")),
    }
}

// ---------------------------------------------------------------------------------------------
// Values as Go prints them. JSON numbers are Go int64 when they fit, float64 otherwise (as the
// unstructured JSON decoder does).

/// A value as upstream's `field.Error` prints its bad value: strings `%q`, numbers and booleans
/// `%v`, null `null`, maps and slices `%#v`.
fn render(v: &Value) -> String {
    match v {
        Value::String(s) => quote(s),
        Value::Number(n) => go_num(n).to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".into(),
        other => render_sharp(other),
    }
}

/// Go's `%#v` of an `interface{}` holding decoded JSON.
fn render_sharp(v: &Value) -> String {
    match v {
        Value::String(s) => quote(s),
        Value::Number(n) => go_num(n).to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => "interface {}(nil)".into(),
        Value::Array(a) => format!(
            "[]interface {{}}{{{}}}",
            a.iter().map(render_sharp).collect::<Vec<_>>().join(", ")
        ),
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let items: Vec<String> = keys
                .iter()
                .map(|k| format!("{}:{}", quote(k), render_sharp(&m[*k])))
                .collect();
            format!("map[string]interface {{}}{{{}}}", items.join(", "))
        }
    }
}

/// `%#v` of a `[]string`.
fn render_strings(v: Option<&[String]>) -> String {
    match v {
        None => "[]string(nil)".into(),
        Some(a) => format!(
            "[]string{{{}}}",
            a.iter().map(|s| quote(s)).collect::<Vec<_>>().join(", ")
        ),
    }
}

/// encoding/json's `Marshal` of decoded JSON (keys sorted).
fn go_json(v: &Value) -> String {
    gofmt::json(v, Json::GoBefore122)
}

/// `reflect.DeepEqual` of two decoded JSON values: int64 and float64 differ.
fn go_deep_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => go_num(x) == go_num(y),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| go_deep_equal(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| go_deep_equal(v, w)))
        }
        _ => a == b,
    }
}

fn str_of<'a>(v: &'a Value, k: &str) -> &'a str {
    v.get(k).and_then(Value::as_str).unwrap_or("")
}

fn bool_of(v: &Value, k: &str) -> bool {
    v.get(k).and_then(Value::as_bool).unwrap_or(false)
}

/// A present, non-null member.
fn get<'a>(v: &'a Value, k: &str) -> Option<&'a Value> {
    v.get(k).filter(|v| !v.is_null())
}

fn strings_of(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|s| s.as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

fn arr_of(v: Option<&Value>) -> &[Value] {
    v.and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

// ---------------------------------------------------------------------------------------------
// Structural schemas (pkg/apiserver/schema)

/// `additionalProperties`: a boolean or a schema.
#[derive(Debug, Clone)]
pub enum AdditionalProperties {
    Bool(bool),
    Schema(Box<Structural>),
}

impl AdditionalProperties {
    /// The schema, if given as one.
    pub fn schema(&self) -> Option<&Structural> {
        match self {
            AdditionalProperties::Schema(s) => Some(s),
            AdditionalProperties::Bool(_) => None,
        }
    }
}

/// One `x-kubernetes-validations` rule (kept, never evaluated).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValidationRule {
    pub rule: String,
    pub message: String,
    pub message_expression: String,
    pub reason: Option<String>,
    pub field_path: String,
    pub optional_old_self: Option<bool>,
}

/// A parsed OpenAPI v3 schema of a CRD version (upstream's `schema.Structural` together with the
/// value validations it keeps). The same type holds the nested value validations under `allOf`,
/// `anyOf`, `oneOf` and `not`, where upstream forbids the structural fields (checked by
/// [`validate_crd`]).
#[derive(Debug, Clone, Default)]
pub struct Structural {
    /// `type` (empty when unset).
    pub type_: String,
    pub description: String,
    pub title: String,
    /// `default` (absent or `null` is None).
    pub default: Option<Value>,
    pub nullable: bool,

    pub properties: BTreeMap<String, Structural>,
    pub items: Option<Box<Structural>>,
    pub additional_properties: Option<AdditionalProperties>,

    pub format: String,
    pub maximum: Option<f64>,
    pub exclusive_maximum: bool,
    pub minimum: Option<f64>,
    pub exclusive_minimum: bool,
    pub max_length: Option<i64>,
    pub min_length: Option<i64>,
    pub pattern: String,
    pub max_items: Option<i64>,
    pub min_items: Option<i64>,
    pub unique_items: bool,
    pub multiple_of: Option<f64>,
    /// `enum` (None when absent or empty).
    pub enum_values: Option<Vec<Value>>,
    pub max_properties: Option<i64>,
    pub min_properties: Option<i64>,
    /// `required` (Some even when given empty).
    pub required: Option<Vec<String>>,
    pub all_of: Vec<Structural>,
    pub any_of: Vec<Structural>,
    pub one_of: Vec<Structural>,
    pub not: Option<Box<Structural>>,

    /// `x-kubernetes-preserve-unknown-fields: true`.
    pub preserve_unknown_fields: bool,
    /// `x-kubernetes-embedded-resource`.
    pub embedded_resource: bool,
    /// `x-kubernetes-int-or-string`.
    pub int_or_string: bool,
    /// `x-kubernetes-list-type`.
    pub list_type: Option<String>,
    /// `x-kubernetes-list-map-keys` (Some even when given empty).
    pub list_map_keys: Option<Vec<String>>,
    /// `x-kubernetes-map-type`.
    pub map_type: Option<String>,
    /// `x-kubernetes-validations` (not evaluated).
    pub validations: Vec<ValidationRule>,

    /// `pattern` compiled (Go syntax translated), or Go's parse error text.
    pattern_regex: Option<Result<Regex, String>>,
}

const SCHEMA_STR_FIELDS: [&str; 10] = [
    "id",
    "$schema",
    "$ref",
    "description",
    "type",
    "format",
    "title",
    "pattern",
    "x-kubernetes-list-type",
    "x-kubernetes-map-type",
];
const SCHEMA_BOOL_FIELDS: [&str; 7] = [
    "nullable",
    "exclusiveMaximum",
    "exclusiveMinimum",
    "uniqueItems",
    "x-kubernetes-preserve-unknown-fields",
    "x-kubernetes-embedded-resource",
    "x-kubernetes-int-or-string",
];
const SCHEMA_NUM_FIELDS: [&str; 3] = ["maximum", "minimum", "multipleOf"];
const SCHEMA_INT_FIELDS: [&str; 6] = [
    "maxLength",
    "minLength",
    "maxItems",
    "minItems",
    "maxProperties",
    "minProperties",
];

fn type_mismatch(path: &str, v: &Value, want: &str) -> FieldError {
    invalid(path, render(v), format!("must be of type {want}"))
}

/// JSON type errors in a JSONSchemaProps (what decoding into the Go type rejects); `null`
/// members are fine (unset).
fn schema_decode_errors(v: &Value, path: &str, errs: &mut Vec<FieldError>) {
    let Some(o) = v.as_object() else {
        if !v.is_null() {
            errs.push(type_mismatch(path, v, "object"));
        }
        return;
    };
    for (k, val) in o {
        if val.is_null() {
            continue;
        }
        let p = child(path, k);
        let k = k.as_str();
        if SCHEMA_STR_FIELDS.contains(&k) {
            if !val.is_string() {
                errs.push(type_mismatch(&p, val, "string"));
            }
        } else if SCHEMA_BOOL_FIELDS.contains(&k) {
            if !val.is_boolean() {
                errs.push(type_mismatch(&p, val, "boolean"));
            }
        } else if SCHEMA_NUM_FIELDS.contains(&k) {
            if !val.is_number() {
                errs.push(type_mismatch(&p, val, "number"));
            }
        } else if SCHEMA_INT_FIELDS.contains(&k) {
            if val.as_i64().is_none() {
                errs.push(type_mismatch(&p, val, "integer"));
            }
        } else {
            match k {
                "required" | "x-kubernetes-list-map-keys" => match val.as_array() {
                    Some(a) => {
                        for (i, s) in a.iter().enumerate() {
                            if !s.is_string() && !s.is_null() {
                                errs.push(type_mismatch(&index(&p, i), s, "string"));
                            }
                        }
                    }
                    None => errs.push(type_mismatch(&p, val, "array")),
                },
                "enum" if !val.is_array() => {
                    errs.push(type_mismatch(&p, val, "array"));
                }
                "items" => match val {
                    Value::Array(a) => {
                        for (i, s) in a.iter().enumerate() {
                            schema_decode_errors(s, &index(&p, i), errs);
                        }
                    }
                    Value::Object(_) => schema_decode_errors(val, &p, errs),
                    _ => errs.push(type_mismatch(&p, val, "object or array")),
                },
                "allOf" | "oneOf" | "anyOf" => match val.as_array() {
                    Some(a) => {
                        for (i, s) in a.iter().enumerate() {
                            schema_decode_errors(s, &index(&p, i), errs);
                        }
                    }
                    None => errs.push(type_mismatch(&p, val, "array")),
                },
                "not" => schema_decode_errors(val, &p, errs),
                "properties" | "patternProperties" | "definitions" => match val.as_object() {
                    Some(m) => {
                        for (pk, s) in m {
                            schema_decode_errors(s, &key(&p, pk), errs);
                        }
                    }
                    None => errs.push(type_mismatch(&p, val, "object")),
                },
                "additionalProperties" | "additionalItems" => match val {
                    Value::Bool(_) => {}
                    Value::Object(_) => schema_decode_errors(val, &p, errs),
                    _ => errs.push(type_mismatch(&p, val, "boolean or object")),
                },
                "dependencies" => match val.as_object() {
                    Some(m) => {
                        for (dk, d) in m {
                            match d {
                                Value::Array(a) if a.iter().all(Value::is_string) => {}
                                Value::Object(_) => schema_decode_errors(d, &key(&p, dk), errs),
                                Value::Null => {}
                                _ => errs.push(type_mismatch(&key(&p, dk), d, "object or array")),
                            }
                        }
                    }
                    None => errs.push(type_mismatch(&p, val, "object")),
                },
                "externalDocs" => match val.as_object() {
                    Some(m) => {
                        for f in ["description", "url"] {
                            if let Some(x) = m.get(f).filter(|x| !x.is_null() && !x.is_string()) {
                                errs.push(type_mismatch(&child(&p, f), x, "string"));
                            }
                        }
                    }
                    None => errs.push(type_mismatch(&p, val, "object")),
                },
                "x-kubernetes-validations" => match val.as_array() {
                    Some(a) => {
                        for (i, r) in a.iter().enumerate() {
                            let rp = index(&p, i);
                            let Some(rm) = r.as_object() else {
                                if !r.is_null() {
                                    errs.push(type_mismatch(&rp, r, "object"));
                                }
                                continue;
                            };
                            for (f, x) in rm {
                                let bad = match f.as_str() {
                                    "rule" | "message" | "messageExpression" | "reason"
                                    | "fieldPath" => !x.is_null() && !x.is_string(),
                                    "optionalOldSelf" => !x.is_null() && !x.is_boolean(),
                                    _ => false,
                                };
                                if bad {
                                    let want = if f == "optionalOldSelf" {
                                        "boolean"
                                    } else {
                                        "string"
                                    };
                                    errs.push(type_mismatch(&child(&rp, f), x, want));
                                }
                            }
                        }
                    }
                    None => errs.push(type_mismatch(&p, val, "array")),
                },
                _ => {}
            }
        }
    }
}

fn unsupported_field(v: &Value) -> Option<&'static str> {
    let nonempty_str = |k: &str| {
        v.get(k)
            .and_then(Value::as_str)
            .is_some_and(|s| !s.is_empty())
    };
    let nonempty_obj = |k: &str| {
        v.get(k)
            .and_then(Value::as_object)
            .is_some_and(|m| !m.is_empty())
    };
    if nonempty_str("id") {
        Some("OpenAPIV3Schema 'id' is not supported")
    } else if nonempty_str("$schema") {
        Some("OpenAPIV3Schema 'schema' is not supported")
    } else if nonempty_str("$ref") {
        Some("OpenAPIV3Schema '$ref' is not supported")
    } else if nonempty_obj("patternProperties") {
        Some("OpenAPIV3Schema 'patternProperties' is not supported")
    } else if nonempty_obj("dependencies") {
        Some("OpenAPIV3Schema 'dependencies' is not supported")
    } else if get(v, "additionalItems").is_some() {
        Some("OpenAPIV3Schema 'additionalItems' is not supported")
    } else if nonempty_obj("definitions") {
        Some("OpenAPIV3Schema 'definitions' is not supported")
    } else {
        None
    }
}

fn parse_rules(v: Option<&Value>) -> Vec<ValidationRule> {
    arr_of(v)
        .iter()
        .map(|r| ValidationRule {
            rule: str_of(r, "rule").to_string(),
            message: str_of(r, "message").to_string(),
            message_expression: str_of(r, "messageExpression").to_string(),
            reason: get(r, "reason").and_then(Value::as_str).map(str::to_string),
            field_path: str_of(r, "fieldPath").to_string(),
            optional_old_self: get(r, "optionalOldSelf").and_then(Value::as_bool),
        })
        .collect()
}

/// upstream's NewStructural (after the JSON decoding checks of [`schema_decode_errors`]).
fn parse_node(v: &Value) -> Result<Structural, String> {
    if !v.is_object() {
        return Err(format!(
            "json: cannot unmarshal {} into Go value of type apiextensions.JSONSchemaProps",
            json_type(v)
        ));
    }
    if let Some(msg) = unsupported_field(v) {
        return Err(msg.to_string());
    }
    let mut s = Structural::default();
    if let Some(n) = get(v, "not") {
        s.not = Some(Box::new(parse_node(n)?));
    }
    s.format = str_of(v, "format").to_string();
    s.maximum = get(v, "maximum").and_then(Value::as_f64);
    s.exclusive_maximum = bool_of(v, "exclusiveMaximum");
    s.minimum = get(v, "minimum").and_then(Value::as_f64);
    s.exclusive_minimum = bool_of(v, "exclusiveMinimum");
    s.max_length = get(v, "maxLength").and_then(Value::as_i64);
    s.min_length = get(v, "minLength").and_then(Value::as_i64);
    s.pattern = str_of(v, "pattern").to_string();
    s.max_items = get(v, "maxItems").and_then(Value::as_i64);
    s.min_items = get(v, "minItems").and_then(Value::as_i64);
    s.unique_items = bool_of(v, "uniqueItems");
    s.multiple_of = get(v, "multipleOf").and_then(Value::as_f64);
    s.enum_values = get(v, "enum")
        .and_then(Value::as_array)
        .filter(|a| !a.is_empty())
        .cloned();
    s.max_properties = get(v, "maxProperties").and_then(Value::as_i64);
    s.min_properties = get(v, "minProperties").and_then(Value::as_i64);
    s.required = get(v, "required").map(|r| strings_of(Some(r)));
    for (field, out) in [
        ("allOf", &mut s.all_of),
        ("anyOf", &mut s.any_of),
        ("oneOf", &mut s.one_of),
    ] {
        for x in arr_of(v.get(field)) {
            out.push(parse_node(x)?);
        }
    }
    s.type_ = str_of(v, "type").to_string();
    s.description = str_of(v, "description").to_string();
    s.title = str_of(v, "title").to_string();
    s.nullable = bool_of(v, "nullable");
    s.default = get(v, "default").cloned();
    match get(v, "x-kubernetes-preserve-unknown-fields").and_then(Value::as_bool) {
        Some(false) => {
            return Err(
                "internal error: 'x-kubernetes-preserve-unknown-fields' must be true or undefined"
                    .into(),
            );
        }
        Some(true) => s.preserve_unknown_fields = true,
        None => {}
    }
    s.embedded_resource = bool_of(v, "x-kubernetes-embedded-resource");
    s.int_or_string = bool_of(v, "x-kubernetes-int-or-string");
    s.list_map_keys = get(v, "x-kubernetes-list-map-keys").map(|k| strings_of(Some(k)));
    s.list_type = get(v, "x-kubernetes-list-type")
        .and_then(Value::as_str)
        .map(str::to_string);
    s.map_type = get(v, "x-kubernetes-map-type")
        .and_then(Value::as_str)
        .map(str::to_string);
    s.validations = parse_rules(v.get("x-kubernetes-validations"));
    match get(v, "items") {
        Some(Value::Array(_)) => {
            return Err("OpenAPIV3Schema 'items' must be a schema, but is an array".into());
        }
        Some(items) => s.items = Some(Box::new(parse_node(items)?)),
        None => {}
    }
    if let Some(props) = get(v, "properties").and_then(Value::as_object) {
        for (k, p) in props {
            s.properties.insert(k.clone(), parse_node(p)?);
        }
    }
    match get(v, "additionalProperties") {
        Some(Value::Bool(b)) => s.additional_properties = Some(AdditionalProperties::Bool(*b)),
        Some(ap) => {
            s.additional_properties = Some(AdditionalProperties::Schema(Box::new(parse_node(ap)?)))
        }
        None => {}
    }
    if !s.pattern.is_empty() {
        s.pattern_regex = Some(compile_go_regex(&s.pattern));
    }
    Ok(s)
}

impl Structural {
    /// Parse an `openAPIV3Schema` (upstream's JSON decoding plus `NewStructural`). Errors are
    /// upstream's texts, e.g. `OpenAPIV3Schema 'items' must be a schema, but is an array`. This
    /// does not check that the schema is structural: [`validate_crd`] does.
    pub fn from_value(schema: &Value) -> Result<Structural, String> {
        let mut errs = Vec::new();
        schema_decode_errors(schema, "", &mut errs);
        if let Some(e) = errs.first() {
            return Err(e.to_string());
        }
        parse_node(schema)
    }

    /// The schema of a field of an object: its property, else the `additionalProperties` schema.
    pub fn field(&self, name: &str) -> Option<&Structural> {
        self.properties.get(name).or_else(|| {
            self.additional_properties
                .as_ref()
                .and_then(AdditionalProperties::schema)
        })
    }

    fn is_array(&self) -> bool {
        self.type_ == "array" || (self.type_.is_empty() && self.items.is_some())
    }

    /// The schema at `path`: object fields by name; for arrays, a segment (an index, `*` or
    /// anything else) steps into the items.
    pub fn at(&self, path: &[&str]) -> Option<&Structural> {
        let mut cur = self;
        for seg in path {
            cur = if cur.is_array() {
                cur.items.as_deref()?
            } else {
                cur.field(seg)?
            };
        }
        Some(cur)
    }

    /// For server-side apply: the list type (`atomic` when unset, `set` or `map`) and the map keys
    /// of the list at `path`; None if `path` is not a list of this schema.
    pub fn list_type_at(&self, path: &[&str]) -> Option<(String, Vec<String>)> {
        let node = self.at(path)?;
        if !node.is_array() {
            return None;
        }
        Some((
            node.list_type.clone().unwrap_or_else(|| "atomic".into()),
            node.list_map_keys.clone().unwrap_or_default(),
        ))
    }

    /// For server-side apply: the map type (`granular` when unset, or `atomic`) of the object at
    /// `path`; None if `path` is not an object of this schema.
    pub fn map_type_at(&self, path: &[&str]) -> Option<String> {
        let node = self.at(path)?;
        if node.type_ != "object" {
            return None;
        }
        Some(node.map_type.clone().unwrap_or_else(|| "granular".into()))
    }

    /// The schema of `.status`, as the status subresource validates it.
    pub fn status(&self) -> Option<&Structural> {
        self.properties.get("status")
    }

    /// Effective `type` list as kube-openapi sees it (int-or-string is `integer,string` when the
    /// validator is built from the CRD).
    fn openapi_types(&self, mode: Mode) -> Vec<&str> {
        if self.int_or_string && mode == Mode::Crd {
            vec!["integer", "string"]
        } else if self.type_.is_empty() {
            Vec::new()
        } else {
            vec![self.type_.as_str()]
        }
    }
}

// ---------------------------------------------------------------------------------------------
// ValidateStructural (pkg/apiserver/schema/validation.go, complete.go)

#[derive(Clone, Copy, PartialEq, Eq)]
enum Level {
    Root,
    Item,
    Field,
}

/// A nested value validation that is exactly `{type: <t>}`.
fn is_only_type(s: &Structural, t: &str) -> bool {
    let mut bare = s.clone();
    bare.type_.clear();
    s.type_ == t && is_empty_schema(&bare)
}

/// Whether nothing at all is set (upstream's zero `Structural{ValueValidation: &{}}`).
fn is_empty_schema(s: &Structural) -> bool {
    s.type_.is_empty()
        && s.description.is_empty()
        && s.title.is_empty()
        && s.default.is_none()
        && !s.nullable
        && s.properties.is_empty()
        && s.items.is_none()
        && s.additional_properties.is_none()
        && s.format.is_empty()
        && s.maximum.is_none()
        && !s.exclusive_maximum
        && s.minimum.is_none()
        && !s.exclusive_minimum
        && s.max_length.is_none()
        && s.min_length.is_none()
        && s.pattern.is_empty()
        && s.max_items.is_none()
        && s.min_items.is_none()
        && !s.unique_items
        && s.multiple_of.is_none()
        && s.enum_values.is_none()
        && s.max_properties.is_none()
        && s.min_properties.is_none()
        && s.required.is_none()
        && s.all_of.is_empty()
        && s.any_of.is_empty()
        && s.one_of.is_empty()
        && s.not.is_none()
        && !s.preserve_unknown_fields
        && !s.embedded_resource
        && !s.int_or_string
        && s.list_type.is_none()
        && s.list_map_keys.is_none()
        && s.map_type.is_none()
        && s.validations.is_empty()
}

fn is_int_or_string_any_of(any_of: &[Structural]) -> bool {
    any_of.len() == 2 && is_only_type(&any_of[0], "integer") && is_only_type(&any_of[1], "string")
}

fn validate_structural(path: &str, s: &Structural) -> Vec<FieldError> {
    let mut errs = Vec::new();
    structural_invariants(s, Level::Root, path, &mut errs);
    value_validation_completeness(s, s, path, path, &mut errs);
    errs.sort_by_key(|e| e.to_string());
    errs
}

fn structural_invariants(s: &Structural, lvl: Level, path: &str, errs: &mut Vec<FieldError>) {
    if s.type_ == "array" && s.items.is_none() {
        errs.push(required(&child(path, "items"), "must be specified"));
    }
    if let Some(items) = &s.items {
        structural_invariants(items, Level::Item, &child(path, "items"), errs);
    }
    for (k, v) in &s.properties {
        structural_invariants(v, Level::Field, &key(&child(path, "properties"), k), errs);
    }
    if let Some(ap) = &s.additional_properties {
        if lvl == Level::Root {
            errs.push(forbidden(
                &child(path, "additionalProperties"),
                "must not be used at the root",
            ));
        }
        if let Some(aps) = ap.schema() {
            structural_invariants(
                aps,
                Level::Field,
                &child(path, "additionalProperties"),
                errs,
            );
        }
    }
    if s.int_or_string && s.preserve_unknown_fields {
        errs.push(invalid(
            &child(path, "x-kubernetes-preserve-unknown-fields"),
            "true",
            "must be false if x-kubernetes-int-or-string is true",
        ));
    }
    if s.int_or_string && s.embedded_resource {
        errs.push(invalid(
            &child(path, "x-kubernetes-embedded-resource"),
            "true",
            "must be false if x-kubernetes-int-or-string is true",
        ));
    }
    let skip_any_of = is_int_or_string_any_of(&s.any_of);
    let skip_first_all_of_any_of = s
        .all_of
        .first()
        .is_some_and(|a| is_int_or_string_any_of(&a.any_of));
    value_validation_nested(s, skip_any_of, skip_first_all_of_any_of, lvl, path, errs);

    let check_metadata = lvl == Level::Root || s.embedded_resource;
    if s.embedded_resource && s.type_ != "object" {
        if s.type_.is_empty() {
            errs.push(required(
                &child(path, "type"),
                "must be object if x-kubernetes-embedded-resource is true",
            ));
        } else {
            errs.push(invalid(
                &child(path, "type"),
                quote(&s.type_),
                "must be object if x-kubernetes-embedded-resource is true",
            ));
        }
    } else if s.type_.is_empty() && !s.int_or_string && !s.preserve_unknown_fields {
        let detail = match lvl {
            Level::Root => "must not be empty at the root",
            Level::Item => "must not be empty for specified array items",
            Level::Field => "must not be empty for specified object fields",
        };
        errs.push(required(&child(path, "type"), detail));
    }
    if s.embedded_resource && s.additional_properties.is_some() {
        errs.push(forbidden(
            &child(path, "additionalProperties"),
            "must not be used if x-kubernetes-embedded-resource is set",
        ));
    }
    if lvl == Level::Root && !s.type_.is_empty() && s.type_ != "object" {
        errs.push(invalid(
            &child(path, "type"),
            quote(&s.type_),
            "must be object at the root",
        ));
    }
    if check_metadata {
        for f in ["kind", "apiVersion"] {
            if let Some(p) = s.properties.get(f).filter(|p| p.type_ != "string") {
                errs.push(invalid(
                    &child(&key(&child(path, "properties"), f), "type"),
                    quote(&p.type_),
                    "must be string",
                ));
            }
        }
    }
    if let Some(md) = s.properties.get("metadata") {
        let mp = key(&child(path, "properties"), "metadata");
        if check_metadata && md.type_ != "object" {
            errs.push(invalid(
                &child(&mp, "type"),
                quote(&md.type_),
                "must be object",
            ));
        }
        if lvl == Level::Root {
            let mut rest = md.clone();
            let name = rest.properties.contains_key("name");
            let gen_name = rest.properties.contains_key("generateName");
            let n = rest.properties.len();
            if (name && gen_name && n == 2) || ((name || gen_name) && n == 1) {
                rest.properties.clear();
            }
            rest.type_.clear();
            rest.default = None;
            if !is_empty_schema(&rest) {
                errs.push(forbidden(
                    &mp,
                    "must not specify anything other than name and generateName, but metadata is implicitly specified",
                ));
            }
        }
    }
    if s.embedded_resource && !s.preserve_unknown_fields && s.properties.is_empty() {
        errs.push(required(
            &child(path, "properties"),
            "must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields",
        ));
    }
}

/// validateValueValidation: the junctors of `v` and its pattern.
fn value_validation_nested(
    v: &Structural,
    skip_any_of: bool,
    skip_first_all_of_any_of: bool,
    lvl: Level,
    path: &str,
    errs: &mut Vec<FieldError>,
) {
    if !skip_any_of {
        for (i, x) in v.any_of.iter().enumerate() {
            nested_value_validation(x, false, false, lvl, &index(&child(path, "anyOf"), i), errs);
        }
    }
    for (i, x) in v.all_of.iter().enumerate() {
        let skip = skip_first_all_of_any_of && i == 0;
        nested_value_validation(x, skip, false, lvl, &index(&child(path, "allOf"), i), errs);
    }
    for (i, x) in v.one_of.iter().enumerate() {
        nested_value_validation(x, false, false, lvl, &index(&child(path, "oneOf"), i), errs);
    }
    if let Some(n) = &v.not {
        nested_value_validation(n, false, false, lvl, &child(path, "not"), errs);
    }
    if let Some(Err(e)) = &v.pattern_regex {
        errs.push(invalid(
            &child(path, "pattern"),
            quote(&v.pattern),
            format!("must be a valid regular expression, but isn't: {e}"),
        ));
    }
}

fn nested_value_validation(
    v: &Structural,
    skip_any_of: bool,
    skip_all_of_any_of: bool,
    lvl: Level,
    path: &str,
    errs: &mut Vec<FieldError>,
) {
    value_validation_nested(v, skip_any_of, skip_all_of_any_of, lvl, path, errs);
    if let Some(items) = &v.items {
        nested_value_validation(items, false, false, lvl, &child(path, "items"), errs);
    }
    for (k, p) in &v.properties {
        nested_value_validation(
            p,
            false,
            false,
            Level::Field,
            &key(&child(path, "properties"), k),
            errs,
        );
    }
    let f = |name: &str| child(path, name);
    if !v.type_.is_empty() {
        errs.push(forbidden(&f("type"), "must be empty to be structural"));
    }
    if matches!(
        v.additional_properties,
        Some(AdditionalProperties::Schema(_)) | Some(AdditionalProperties::Bool(true))
    ) {
        errs.push(forbidden(
            &f("additionalProperties"),
            "must be undefined to be structural",
        ));
    }
    if v.default.is_some() {
        errs.push(forbidden(
            &f("default"),
            "must be undefined to be structural",
        ));
    }
    if !v.title.is_empty() {
        errs.push(forbidden(&f("title"), "must be empty to be structural"));
    }
    if !v.description.is_empty() {
        errs.push(forbidden(
            &f("description"),
            "must be empty to be structural",
        ));
    }
    if v.nullable {
        errs.push(forbidden(&f("nullable"), "must be false to be structural"));
    }
    if v.preserve_unknown_fields {
        errs.push(forbidden(
            &f("x-kubernetes-preserve-unknown-fields"),
            "must be false to be structural",
        ));
    }
    if v.embedded_resource {
        errs.push(forbidden(
            &f("x-kubernetes-embedded-resource"),
            "must be false to be structural",
        ));
    }
    if v.int_or_string {
        errs.push(forbidden(
            &f("x-kubernetes-int-or-string"),
            "must be false to be structural",
        ));
    }
    if v.list_map_keys.as_ref().is_some_and(|k| !k.is_empty()) {
        errs.push(forbidden(
            &f("x-kubernetes-list-map-keys"),
            "must be empty to be structural",
        ));
    }
    if v.list_type.is_some() {
        errs.push(forbidden(
            &f("x-kubernetes-list-type"),
            "must be undefined to be structural",
        ));
    }
    if v.map_type.is_some() {
        errs.push(forbidden(
            &f("x-kubernetes-map-type"),
            "must be undefined to be structural",
        ));
    }
    if !v.validations.is_empty() {
        errs.push(forbidden(
            &f("x-kubernetes-validations"),
            "must be empty to be structural",
        ));
    }
    if v.properties.contains_key("metadata") {
        errs.push(forbidden(
            &key(&child(path, "properties"), "metadata"),
            "must not be specified in a nested context",
        ));
    }
}

fn value_validation_completeness(
    v: &Structural,
    s: &Structural,
    s_path: &str,
    v_path: &str,
    errs: &mut Vec<FieldError>,
) {
    if let Some(n) = &v.not {
        nested_completeness(n, Some(s), s_path, &child(v_path, "not"), errs);
    }
    for (name, list) in [
        ("allOf", &v.all_of),
        ("anyOf", &v.any_of),
        ("oneOf", &v.one_of),
    ] {
        for (i, x) in list.iter().enumerate() {
            nested_completeness(x, Some(s), s_path, &index(&child(v_path, name), i), errs);
        }
    }
}

fn nested_completeness(
    v: &Structural,
    s: Option<&Structural>,
    s_path: &str,
    v_path: &str,
    errs: &mut Vec<FieldError>,
) {
    let Some(s) = s else {
        errs.push(required(
            s_path,
            format!("because it is defined in {v_path}"),
        ));
        return;
    };
    value_validation_completeness(v, s, s_path, v_path, errs);
    if let Some(items) = &v.items {
        nested_completeness(
            items,
            s.items.as_deref(),
            &child(s_path, "items"),
            &child(v_path, "items"),
            errs,
        );
    }
    for (k, vf) in &v.properties {
        let sp = key(&child(s_path, "properties"), k);
        let vp = key(&child(v_path, "properties"), k);
        match s.properties.get(k) {
            None => errs.push(required(&sp, format!("because it is defined in {vp}"))),
            Some(sf) => nested_completeness(vf, Some(sf), &sp, &vp, errs),
        }
    }
}

/// cel.ValidFieldPath: the field path (printed) and schema a JSON path like `.spec.foo` or
/// `.spec['a.b']` refers to.
fn valid_field_path<'a>(
    json_path: &str,
    schema: &'a Structural,
    allow_array: bool,
) -> Result<(String, Vec<String>, &'a Structural), String> {
    // tokens: '.', '[', ']' single, quoted strings, identifiers
    let b = json_path.as_bytes();
    let mut toks: Vec<String> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\'' {
            let mut j = i + 1;
            let mut end = None;
            while j < b.len() {
                if b[j] == b'\'' && b[j - 1] != b'\\' {
                    end = Some(j);
                    break;
                }
                j += 1;
            }
            match end {
                Some(e) => {
                    toks.push(json_path[i..=e].to_string());
                    i = e + 1;
                }
                None => {
                    toks.push(json_path[i..].to_string());
                    i = b.len();
                }
            }
            continue;
        }
        if matches!(b[i], b'.' | b'[' | b']') {
            toks.push(json_path[i..i + 1].to_string());
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && !matches!(b[i], b'.' | b'[' | b']') {
            i += 1;
        }
        toks.push(json_path[start..i].to_string());
    }
    let mut cur: Option<&Structural> = Some(schema);
    let mut path = String::new();
    let mut roots: Vec<String> = Vec::new();
    let mut it = toks.into_iter();
    let mut step =
        |name: String, cur: &mut Option<&'a Structural>, path: &mut String| -> Result<(), String> {
            let s = cur.ok_or("does not refer to a valid field")?;
            if !s.properties.is_empty() {
                *path = child(path, &name);
                roots.push(name.clone());
                *cur = Some(
                    s.properties
                        .get(&name)
                        .ok_or("does not refer to a valid field")?,
                );
            } else if let Some(ap) = &s.additional_properties {
                *path = if path.is_empty() {
                    format!("[{name}]")
                } else {
                    key(path, &name)
                };
                roots.push(format!("[{name}]"));
                *cur = ap.schema();
            } else {
                return Err("does not refer to a valid field".into());
            }
            Ok(())
        };
    while let Some(tok) = it.next() {
        match tok.as_str() {
            "[" => {
                if !allow_array {
                    return Err("array notation is not allowed".into());
                }
                let t = it.next().ok_or("unexpected end of JSON path")?;
                if t.len() < 2 || !t.starts_with('\'') || !t.ends_with('\'') {
                    return Err(format!("expected single quoted string but got {t}"));
                }
                let name = unescape_single_quote(&t[1..t.len() - 1])
                    .map_err(|e| format!("invalid string literal: {e}"))?;
                step(name, &mut cur, &mut path)?;
                let t = it.next().ok_or("unexpected end of JSON path")?;
                if t != "]" {
                    return Err(format!("expected ] but got {t}"));
                }
            }
            "." => {
                let t = it.next().ok_or("unexpected end of JSON path")?;
                step(t, &mut cur, &mut path)?;
            }
            other => return Err(format!("expected [ or . but got: {other}")),
        }
    }
    let s = cur.ok_or("does not refer to a valid field")?;
    Ok((path, roots, s))
}

fn unescape_single_quote(s: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('a') => out.push('\u{7}'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some('v') => out.push('\u{b}'),
            Some('\'') => out.push('\''),
            Some('\\') => out.push('\\'),
            Some(o) => return Err(format!("invalid escape char \\{o}")),
            None => out.push('\\'),
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// OpenAPI v3 value validation (k8s.io/kube-openapi/pkg/validation/validate, as
// pkg/apiserver/validation drives it)

/// How the kube-openapi schema was built: from the CRD's JSONSchemaProps (unsupported formats
/// stripped, int-or-string typed `integer,string`) or from a structural schema (ToKubeOpenAPI,
/// used for default values).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mode {
    Crd,
    Structural,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Code {
    InvalidType,
    Required,
    TooLong,
    TooShort,
    Pattern,
    Enum,
    MultipleOf,
    Max,
    Min,
    Unique,
    MaxItems,
    MinItems,
    TooFewProperties,
    TooManyProperties,
    UnallowedProperty,
    MultipleOfMustBePositive,
    /// Not an `errors.Validation` (anyOf/oneOf/allOf/not messages).
    Composite,
}

#[derive(Clone, Debug)]
struct KErr {
    code: Code,
    name: String,
    value: Option<Value>,
    valid: Option<i64>,
    values: Vec<Value>,
    message: String,
}

impl KErr {
    fn new(code: Code, name: &str, value: Option<Value>, message: String) -> KErr {
        KErr {
            code,
            name: name.to_string(),
            value,
            valid: None,
            values: Vec::new(),
            message,
        }
    }
    fn with_valid(mut self, v: i64) -> KErr {
        self.valid = Some(v);
        self
    }
}

/// validate.Result: errors deduplicated by message, and the match count used to pick the best
/// failing alternative of anyOf/oneOf.
#[derive(Default, Debug)]
struct KRes {
    errors: Vec<KErr>,
    count: usize,
}

impl KRes {
    fn err(e: KErr) -> KRes {
        KRes {
            errors: vec![e],
            count: 0,
        }
    }
    fn add(&mut self, e: KErr) {
        if !self.errors.iter().any(|x| x.message == e.message) {
            self.errors.push(e);
        }
    }
    fn merge(&mut self, o: KRes) {
        for e in o.errors {
            self.add(e);
        }
        self.count += o.count;
    }
    fn inc(&mut self) {
        self.count += 1;
    }
    fn valid(&self) -> bool {
        self.errors.is_empty()
    }
}

#[derive(Clone, Copy)]
struct VCtx {
    mode: Mode,
    ratchet: bool,
}

/// The formats a CRD schema may use (supportedVersionedFormats), dashes removed.
const SUPPORTED_FORMATS: [&str; 24] = [
    "bsonobjectid",
    "uri",
    "email",
    "hostname",
    "ipv4",
    "ipv6",
    "cidr",
    "mac",
    "uuid",
    "uuid3",
    "uuid4",
    "uuid5",
    "isbn",
    "isbn10",
    "isbn13",
    "creditcard",
    "ssn",
    "hexcolor",
    "rgbcolor",
    "byte",
    "password",
    "date",
    "duration",
    "datetime",
];

fn normalized_format(f: &str) -> String {
    f.replace('-', "")
}

fn format_known(f: &str) -> bool {
    !f.is_empty() && SUPPORTED_FORMATS.contains(&normalized_format(f).as_str())
}

fn effective_format(s: &Structural, mode: Mode) -> &str {
    match mode {
        Mode::Crd if !format_known(&s.format) => "",
        _ => &s.format,
    }
}

/// swag.IsFloat64AJSONInteger.
fn is_json_integer(f: f64) -> bool {
    const MAX: f64 = 9007199254740991.0;
    if !f.is_finite() || !(-MAX..=MAX).contains(&f) {
        return false;
    }
    if f.fract() == 0.0 {
        return true;
    }
    if f < 0.0 {
        return false;
    }
    let g = f.trunc();
    if g == 0.0 {
        return false;
    }
    (f - g) / (f + g) < 1e-9
}

fn invalid_type(name: &str, type_name: &str, value: &str) -> KErr {
    KErr::new(
        Code::InvalidType,
        name,
        Some(Value::String(value.to_string())),
        format!(
            "{name} in body must be of type {type_name}: {}",
            quote(value)
        ),
    )
}

fn schema_info(d: &Value) -> (&'static str, &'static str) {
    match d {
        Value::Bool(_) => ("boolean", ""),
        Value::String(_) => ("string", ""),
        Value::Number(n) => match go_num(n) {
            GoNum::Int(_) => ("integer", "int64"),
            GoNum::Float(_) => ("number", "float64"),
        },
        Value::Array(_) => ("array", ""),
        Value::Object(_) => ("object", ""),
        Value::Null => ("null", ""),
    }
}

fn type_validate(s: &Structural, data: Option<&Value>, path: &str, mode: Mode) -> KRes {
    let types = s.openapi_types(mode);
    let format = effective_format(s, mode);
    let mut res = KRes::default();
    res.inc();
    let Some(d) = data else {
        if !types.is_empty() && !types.contains(&"null") && !s.nullable {
            return KRes::err(invalid_type(path, &types.join(","), "null"));
        }
        return res;
    };
    let (sch_type, fmt_of) = schema_info(d);
    let string_or_slice = d.is_string() || d.is_array();
    let is_float_int = matches!(d, Value::Number(n) if matches!(go_num(n), GoNum::Float(f) if is_json_integer(f)))
        && types.contains(&"integer");
    let is_int_float = sch_type == "integer" && types.contains(&"number");
    let type_matches =
        types.contains(&sch_type) || fmt_of == format || is_float_int || is_int_float;
    if !(string_or_slice || format.is_empty() || type_matches) {
        return KRes::err(invalid_type(path, format, fmt_of));
    }
    let numeric = types.contains(&"number") || types.contains(&"integer");
    if string_or_slice && !(numeric || format.is_empty()) {
        return res;
    }
    if !(types.contains(&sch_type) || is_float_int || is_int_float) {
        return KRes::err(invalid_type(path, &types.join(","), sch_type));
    }
    res
}

fn string_validate(s: &Structural, data: &str, path: &str) -> KRes {
    let len = data.chars().count() as i64;
    let val = || Some(Value::String(data.to_string()));
    if let Some(max) = s.max_length.filter(|m| len > *m) {
        return KRes::err(
            KErr::new(
                Code::TooLong,
                path,
                val(),
                format!("{path} in body should be at most {max} chars long"),
            )
            .with_valid(max),
        );
    }
    if let Some(min) = s.min_length.filter(|m| len < *m) {
        return KRes::err(
            KErr::new(
                Code::TooShort,
                path,
                val(),
                format!("{path} in body should be at least {min} chars long"),
            )
            .with_valid(min),
        );
    }
    let failed = |p: &str| {
        KRes::err(KErr::new(
            Code::Pattern,
            path,
            val(),
            format!("{path} in body should match '{p}'"),
        ))
    };
    match &s.pattern_regex {
        Some(Err(e)) => return failed(&format!("{}, but pattern is invalid: {e}", s.pattern)),
        Some(Ok(re)) if !re.is_match(data) => return failed(&s.pattern),
        _ => {}
    }
    KRes::default()
}

fn num_value(n: GoNum) -> Value {
    match n {
        GoNum::Int(i) => Value::from(i),
        GoNum::Float(f) => Number::from_f64(f)
            .map(Value::Number)
            .unwrap_or(Value::Null),
    }
}

fn number_validate(s: &Structural, n: GoNum, path: &str) -> KRes {
    let data = num_value(n);
    let mut res = KRes::default();
    let mut multiple = None;
    let mut minimum = None;
    let mut maximum = None;
    let bound_err = |code: Code, word: &str, bound: GoNum, exclusive: bool| {
        let rel = match (word, exclusive) {
            ("max", false) => "less than or equal to",
            ("max", true) => "less than",
            (_, false) => "greater than or equal to",
            (_, true) => "greater than",
        };
        KErr::new(
            code,
            path,
            Some(data.clone()),
            format!("{path} in body should be {rel} {bound}"),
        )
    };
    let positive_err = |factor: GoNum| {
        KErr::new(
            Code::MultipleOfMustBePositive,
            path,
            Some(num_value(factor)),
            format!("factor MultipleOf declared for {path} must be positive: {factor}"),
        )
    };
    let multiple_err = |factor: GoNum| {
        KErr::new(
            Code::MultipleOf,
            path,
            Some(data.clone()),
            format!("{path} in body should be a multiple of {factor}"),
        )
    };
    match n {
        GoNum::Int(v) => {
            if let Some(f) = s.multiple_of {
                let fi = f as i64;
                if fi <= 0 {
                    multiple = Some(positive_err(GoNum::Int(fi)));
                } else if v % fi != 0 {
                    multiple = Some(multiple_err(GoNum::Int(fi)));
                }
            }
            if let Some(m) = s.minimum {
                let mi = m as i64;
                if (!s.exclusive_minimum && v < mi) || (s.exclusive_minimum && v <= mi) {
                    minimum = Some(bound_err(
                        Code::Min,
                        "min",
                        GoNum::Int(mi),
                        s.exclusive_minimum,
                    ));
                }
            }
            if let Some(m) = s.maximum {
                let mi = m as i64;
                if (!s.exclusive_maximum && v > mi) || (s.exclusive_maximum && v >= mi) {
                    maximum = Some(bound_err(
                        Code::Max,
                        "max",
                        GoNum::Int(mi),
                        s.exclusive_maximum,
                    ));
                }
            }
        }
        GoNum::Float(x) => {
            if let Some(f) = s.multiple_of {
                if f <= 0.0 {
                    multiple = Some(positive_err(GoNum::Float(f)));
                } else {
                    let mult = if f < 1.0 { 1.0 / f * x } else { x / f };
                    if !is_json_integer(mult) {
                        multiple = Some(multiple_err(GoNum::Float(f)));
                    }
                }
            }
            if let Some(m) = s.minimum
                && ((!s.exclusive_minimum && x < m) || (s.exclusive_minimum && x <= m))
            {
                minimum = Some(bound_err(
                    Code::Min,
                    "min",
                    GoNum::Float(m),
                    s.exclusive_minimum,
                ));
            }
            if let Some(m) = s.maximum
                && ((!s.exclusive_maximum && x > m) || (s.exclusive_maximum && x >= m))
            {
                maximum = Some(bound_err(
                    Code::Max,
                    "max",
                    GoNum::Float(m),
                    s.exclusive_maximum,
                ));
            }
        }
    }
    for e in [multiple, minimum, maximum].into_iter().flatten() {
        res.add(e);
    }
    res.inc();
    res
}

/// Whether `data` converts (Go reflect conversion) to the type of `ev` and then deep-equals it.
fn enum_matches(data: &Value, ev: &Value) -> bool {
    match (ev, data) {
        (Value::Null, _) => false,
        (Value::String(e), Value::String(d)) => e == d,
        (Value::String(e), Value::Number(n)) => match go_num(n) {
            GoNum::Int(i) => {
                let c = u32::try_from(i)
                    .ok()
                    .and_then(char::from_u32)
                    .unwrap_or('\u{FFFD}');
                *e == c.to_string()
            }
            GoNum::Float(_) => false,
        },
        (Value::Number(e), Value::Number(d)) => match (go_num(e), go_num(d)) {
            (GoNum::Int(a), GoNum::Int(b)) => a == b,
            (GoNum::Int(a), GoNum::Float(b)) => a == b as i64,
            (GoNum::Float(a), GoNum::Int(b)) => a == b as f64,
            (GoNum::Float(a), GoNum::Float(b)) => a == b,
        },
        (Value::Bool(e), Value::Bool(d)) => e == d,
        (Value::Array(_), Value::Array(_)) | (Value::Object(_), Value::Object(_)) => {
            go_deep_equal(data, ev)
        }
        _ => false,
    }
}

fn common_validate(s: &Structural, data: Option<&Value>, path: &str) -> KRes {
    let Some(values) = &s.enum_values else {
        return KRes::default();
    };
    if data.is_some_and(|d| values.iter().any(|ev| enum_matches(d, ev))) {
        return KRes::default();
    }
    let listed: Vec<String> = values
        .iter()
        .map(|v| match v {
            Value::String(s) => s.clone(),
            Value::Null => "<nil>".into(),
            other => go_json(other),
        })
        .collect();
    let mut e = KErr::new(
        Code::Enum,
        path,
        data.cloned(),
        format!("{path} in body should be one of [{}]", listed.join(" ")),
    );
    e.values = values.clone();
    KRes::err(e)
}

/// The old value correlated with field `k` of the object (ratcheting), if any.
fn correlate_key<'a>(
    s: &Structural,
    path: &str,
    new: &Value,
    old: Option<&'a Value>,
    k: &str,
) -> Option<&'a Value> {
    if path.is_empty() && (k == "kind" || k == "apiVersion") {
        return None;
    }
    let old = old?.as_object()?.get(k)?;
    new.as_object()?.get(k)?;
    s.field(k)?;
    Some(old)
}

/// The composite key of a list-map item (typed, so 1 and 1.0 differ as in Go).
fn map_list_key(keys: &[String], item: &Value) -> Option<String> {
    let m = item.as_object()?;
    let mut out = String::new();
    for k in keys {
        let v = m.get(k)?;
        let part = match v {
            Value::Bool(b) => format!("b{b}"),
            Value::String(s) => format!("s{}", quote(s)),
            Value::Number(n) => match go_num(n) {
                GoNum::Int(i) => format!("i{i}"),
                GoNum::Float(f) => format!("f{f:?}"),
            },
            _ => return None,
        };
        out.push('\u{0}');
        out.push_str(&part);
    }
    Some(out)
}

/// The old item a new list-map item correlates with (common.MapList.Get).
fn correlate_index<'a>(
    s: &Structural,
    new_item: &Value,
    old: Option<&'a Value>,
) -> Option<&'a Value> {
    let old_items = old?.as_array()?;
    if s.type_ != "array" || s.list_type.as_deref() != Some("map") || old_items.is_empty() {
        return None;
    }
    let keys = s.list_map_keys.as_deref().filter(|k| !k.is_empty())?;
    let want = map_list_key(keys, new_item)?;
    old_items
        .iter()
        .find(|o| map_list_key(keys, o).as_deref() == Some(want.as_str()))
}

/// CorrelatedObject.CachedDeepEqual.
fn correlated_equal(s: Option<&Structural>, new: &Value, old: &Value) -> bool {
    match (new, old) {
        (Value::Null, Value::Null) => true,
        (Value::Null, _) | (_, Value::Null) => false,
        (Value::Array(n), Value::Array(o)) => {
            if n.len() != o.len() {
                return false;
            }
            let Some(s) = s else {
                return go_deep_equal(new, old);
            };
            if s.list_type.as_deref() != Some("map") {
                return go_deep_equal(new, old);
            }
            n.iter().all(
                |item| match (correlate_index(s, item, Some(old)), s.items.as_deref()) {
                    (Some(o), Some(is)) => correlated_equal(Some(is), item, o),
                    _ => false,
                },
            )
        }
        (Value::Object(n), Value::Object(o)) => {
            if n.len() != o.len() {
                return false;
            }
            let Some(s) = s else {
                return false;
            };
            n.iter().all(|(k, v)| match (o.get(k), s.field(k)) {
                (Some(ov), Some(fs)) => correlated_equal(Some(fs), v, ov),
                _ => false,
            })
        }
        (Value::Array(_) | Value::Object(_), _) | (_, Value::Array(_) | Value::Object(_)) => false,
        _ => go_deep_equal(new, old),
    }
}

fn schema_props_validate(
    s: &Structural,
    data: &Value,
    path: &str,
    old: Option<&Value>,
    ctx: VCtx,
) -> KRes {
    let mut main = KRes::default();
    if !s.any_of.is_empty() {
        let mut best: Option<KRes> = None;
        let mut first_success: Option<KRes> = None;
        for sub in &s.any_of {
            let r = validate_node(sub, data, path, old, false, ctx);
            if r.valid() {
                best = None;
                first_success = Some(r);
                break;
            }
            if best.as_ref().is_none_or(|b| r.count > b.count) {
                best = Some(r);
            }
        }
        if first_success.is_none() {
            main.add(KErr::new(
                Code::Composite,
                path,
                None,
                format!("{} must validate at least one schema (anyOf)", quote(path)),
            ));
        }
        if let Some(b) = best {
            main.merge(b);
        } else if let Some(f) = first_success {
            main.merge(f);
        }
    }
    if !s.one_of.is_empty() {
        let mut best: Option<KRes> = None;
        let mut first_success: Option<KRes> = None;
        let mut validated = 0;
        for sub in &s.one_of {
            let r = validate_node(sub, data, path, old, false, ctx);
            if r.valid() {
                validated += 1;
                best = None;
                if first_success.is_none() {
                    first_success = Some(r);
                }
                continue;
            }
            if validated == 0 && best.as_ref().is_none_or(|b| r.count > b.count) {
                best = Some(r);
            }
        }
        if validated != 1 {
            let extra = if validated == 0 {
                "Found none valid".to_string()
            } else {
                format!("Found {validated} valid alternatives")
            };
            main.add(KErr::new(
                Code::Composite,
                path,
                None,
                format!(
                    "{} must validate one and only one schema (oneOf). {extra}",
                    quote(path)
                ),
            ));
            if let Some(b) = best {
                main.merge(b);
            }
        } else if let Some(f) = first_success {
            main.merge(f);
        }
    }
    if !s.all_of.is_empty() {
        let mut validated = 0;
        for sub in &s.all_of {
            let r = validate_node(sub, data, path, old, false, ctx);
            if r.valid() {
                validated += 1;
            }
            main.merge(r);
        }
        if validated != s.all_of.len() {
            let extra = if validated == 0 {
                ". None validated"
            } else {
                ""
            };
            main.add(KErr::new(
                Code::Composite,
                path,
                None,
                format!(
                    "{} must validate all the schemas (allOf){extra}",
                    quote(path)
                ),
            ));
        }
    }
    if let Some(not) = &s.not
        && validate_node(not, data, path, old, false, ctx).valid()
    {
        main.add(KErr::new(
            Code::Composite,
            path,
            None,
            format!("{} must not validate the schema (not)", quote(path)),
        ));
    }
    main.inc();
    main
}

fn slice_validate(
    s: &Structural,
    arr: &[Value],
    path: &str,
    old: Option<&Value>,
    ctx: VCtx,
) -> KRes {
    let mut res = KRes::default();
    if let Some(items) = &s.items {
        for (i, v) in arr.iter().enumerate() {
            let o = if ctx.ratchet {
                correlate_index(s, v, old)
            } else {
                None
            };
            res.merge(validate_node(
                items,
                v,
                &index(path, i),
                o,
                o.is_some(),
                ctx,
            ));
        }
    }
    let size = arr.len() as i64;
    if let Some(min) = s.min_items.filter(|m| size < *m) {
        res.add(
            KErr::new(
                Code::MinItems,
                path,
                Some(Value::from(size)),
                format!("{path} in body should have at least {min} items"),
            )
            .with_valid(min),
        );
    }
    if let Some(max) = s.max_items.filter(|m| size > *m) {
        res.add(
            KErr::new(
                Code::MaxItems,
                path,
                Some(Value::from(size)),
                format!("{path} in body should have at most {max} items"),
            )
            .with_valid(max),
        );
    }
    if s.unique_items {
        let dup = arr
            .iter()
            .enumerate()
            .any(|(i, a)| arr[..i].iter().any(|b| go_deep_equal(a, b)));
        if dup {
            res.add(KErr::new(
                Code::Unique,
                path,
                None,
                format!("{path} in body shouldn't contain duplicates"),
            ));
        }
    }
    res.inc();
    res
}

fn object_validate(
    s: &Structural,
    data: &Value,
    m: &Obj,
    path: &str,
    old: Option<&Value>,
    ctx: VCtx,
) -> KRes {
    let mut res = KRes::default();
    let n = m.len() as i64;
    if let Some(min) = s.min_properties.filter(|x| n < *x) {
        res.add(
            KErr::new(
                Code::TooFewProperties,
                path,
                Some(Value::from(n)),
                format!("{path} in body should have at least {min} properties"),
            )
            .with_valid(min),
        );
    }
    if let Some(max) = s.max_properties.filter(|x| n > *x) {
        res.add(
            KErr::new(
                Code::TooManyProperties,
                path,
                Some(Value::from(n)),
                format!("{path} in body should have at most {max} properties"),
            )
            .with_valid(max),
        );
    }
    let mut keys: Vec<&String> = m.keys().collect();
    keys.sort();
    match &s.additional_properties {
        Some(AdditionalProperties::Bool(false)) => {
            for k in &keys {
                if !s.properties.contains_key(*k) {
                    res.add(KErr::new(
                        Code::UnallowedProperty,
                        path,
                        Some(Value::String((*k).clone())),
                        format!("{path}.{k} in body is a forbidden property"),
                    ));
                }
            }
        }
        Some(AdditionalProperties::Schema(ap)) => {
            for k in &keys {
                if !s.properties.contains_key(*k) {
                    let o = if ctx.ratchet {
                        correlate_key(s, path, data, old, k)
                    } else {
                        None
                    };
                    res.merge(validate_node(
                        ap,
                        &m[*k],
                        &format!("{path}.{k}"),
                        o,
                        o.is_some(),
                        ctx,
                    ));
                }
            }
        }
        _ => {}
    }
    for (p, ps) in &s.properties {
        if let Some(v) = m.get(p) {
            let o = if ctx.ratchet {
                correlate_key(s, path, data, old, p)
            } else {
                None
            };
            res.merge(validate_node(ps, v, &child(path, p), o, o.is_some(), ctx));
        }
    }
    for r in s.required.iter().flatten() {
        if !m.contains_key(r) {
            let name = format!("{path}.{r}");
            res.add(KErr::new(
                Code::Required,
                &name,
                None,
                format!("{name} in body is required"),
            ));
        }
    }
    res
}

/// SchemaValidator.Validate of one schema node; with `ratchet_here`, errors of a node whose value
/// is unchanged from its correlated old value are dropped (CRD validation ratcheting).
fn validate_node(
    s: &Structural,
    data: &Value,
    path: &str,
    old: Option<&Value>,
    ratchet_here: bool,
    ctx: VCtx,
) -> KRes {
    let mut res = KRes::default();
    if data.is_null() {
        res.merge(type_validate(s, None, path, ctx.mode));
        res.merge(common_validate(s, None, path));
    } else {
        let format = effective_format(s, ctx.mode);
        if !s.openapi_types(ctx.mode).is_empty() || !format.is_empty() {
            res.merge(type_validate(s, Some(data), path, ctx.mode));
            res.inc();
        }
        res.merge(schema_props_validate(s, data, path, old, ctx));
        res.inc();
        if let Value::String(st) = data {
            res.merge(string_validate(s, st, path));
            res.inc();
            if format_known(format) {
                if !format_validates(&normalized_format(format), st) {
                    res.add(KErr::new(
                        Code::InvalidType,
                        path,
                        Some(data.clone()),
                        format!("{path} in body must be of type {format}: {}", quote(st)),
                    ));
                }
                res.inc();
            }
        }
        if let Value::Number(n) = data {
            res.merge(number_validate(s, go_num(n), path));
            res.inc();
        }
        if let Value::Array(a) = data {
            res.merge(slice_validate(s, a, path, old, ctx));
            res.inc();
        }
        res.merge(common_validate(s, Some(data), path));
        res.inc();
        if let Value::Object(m) = data {
            res.merge(object_validate(s, data, m, path, old, ctx));
            res.inc();
        }
        res.inc();
    }
    if ratchet_here
        && !res.valid()
        && let Some(o) = old
        && correlated_equal(Some(s), data, o)
    {
        res.errors.clear();
    }
    res
}

/// kubeOpenAPIResultToFieldErrors.
fn kube_openapi_errors(base: Option<&str>, res: &KRes) -> Vec<FieldError> {
    let root = base.unwrap_or("<nil>");
    let mut out = Vec::new();
    for e in &res.errors {
        if e.code == Code::Composite {
            out.push(invalid(root, quote(""), &e.message));
            continue;
        }
        let path = if !e.name.is_empty() && e.name != "." {
            let n = e.name.strip_prefix('.').unwrap_or(&e.name);
            match base {
                Some(b) => child(b, n),
                None => n.to_string(),
            }
        } else {
            root.to_string()
        };
        let value_or_empty = || e.value.as_ref().map_or_else(|| quote(""), render);
        let as_int = |v: Option<&Value>| v.and_then(Value::as_i64).unwrap_or(-1);
        out.push(match e.code {
            Code::Required => required(&path, ""),
            Code::Enum => {
                let values: Vec<String> = e
                    .values
                    .iter()
                    .map(|v| match v {
                        Value::String(s) => s.clone(),
                        other => go_json(other),
                    })
                    .collect();
                not_supported(
                    &path,
                    e.value.as_ref().map_or_else(|| "null".into(), render),
                    &values,
                )
            }
            Code::TooLong => too_long(&path, e.valid.unwrap_or(-1)),
            Code::MaxItems | Code::TooManyProperties => {
                too_many(&path, as_int(e.value.as_ref()), e.valid.unwrap_or(-1))
            }
            _ => invalid(&path, value_or_empty(), &e.message),
        });
    }
    out
}

fn validate_value(
    s: &Structural,
    data: &Value,
    base: Option<&str>,
    old: Option<&Value>,
    mode: Mode,
) -> Vec<FieldError> {
    let ctx = VCtx {
        mode,
        ratchet: old.is_some(),
    };
    let res = validate_node(s, data, "", old, old.is_some(), ctx);
    kube_openapi_errors(base, &res)
}

// ---------------------------------------------------------------------------------------------
// String formats (kube-openapi strfmt with its govalidator checks)

fn cached_regex(
    cell: &'static std::sync::OnceLock<Option<Regex>>,
    pattern: &str,
) -> Option<&'static Regex> {
    cell.get_or_init(|| Regex::new(pattern).ok()).as_ref()
}

fn regex_match(cell: &'static std::sync::OnceLock<Option<Regex>>, pattern: &str, s: &str) -> bool {
    cached_regex(cell, pattern).is_some_and(|r| r.is_match(s))
}

static HOSTNAME_RE: std::sync::OnceLock<Option<Regex>> = std::sync::OnceLock::new();
static UUID_RE: std::sync::OnceLock<Option<Regex>> = std::sync::OnceLock::new();
static UUID3_RE: std::sync::OnceLock<Option<Regex>> = std::sync::OnceLock::new();
static UUID4_RE: std::sync::OnceLock<Option<Regex>> = std::sync::OnceLock::new();
static UUID5_RE: std::sync::OnceLock<Option<Regex>> = std::sync::OnceLock::new();
static CREDIT_CARD_RE: std::sync::OnceLock<Option<Regex>> = std::sync::OnceLock::new();
static RGB_RE: std::sync::OnceLock<Option<Regex>> = std::sync::OnceLock::new();
static DATETIME_RE: std::sync::OnceLock<Option<Regex>> = std::sync::OnceLock::new();
static DURATION_RE: std::sync::OnceLock<Option<Regex>> = std::sync::OnceLock::new();

fn format_validates(name: &str, s: &str) -> bool {
    match name {
        "uri" => is_request_uri(s),
        "email" => is_email(s),
        "hostname" => {
            regex_match(
                &HOSTNAME_RE,
                r"^([a-zA-Z0-9\p{S}\p{L}]((-?[a-zA-Z0-9\p{S}\p{L}]{0,62})?)|([a-zA-Z0-9\p{S}\p{L}](([a-zA-Z0-9\-\p{S}\p{L}]{0,61}[a-zA-Z0-9\p{S}\p{L}])?)(\.)){1,}([a-zA-Z\p{L}]){2,63})$",
                s,
            ) && s.len() <= 255
                && s.split('.').all(|p| p.len() <= 63)
        }
        "ipv4" => parse_ip_sloppy(s).is_some() && s.contains('.'),
        "ipv6" => s.contains(':') && s.parse::<std::net::Ipv6Addr>().is_ok(),
        "cidr" => is_cidr_sloppy(s),
        "mac" => is_mac(s),
        "uuid" => regex_match(
            &UUID_RE,
            "(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$",
            s,
        ),
        "uuid3" => regex_match(
            &UUID3_RE,
            "(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$",
            s,
        ),
        "uuid4" => regex_match(
            &UUID4_RE,
            "(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$",
            s,
        ),
        "uuid5" => regex_match(
            &UUID5_RE,
            "(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?5[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$",
            s,
        ),
        "isbn" => is_isbn(s, 10) || is_isbn(s, 13),
        "isbn10" => is_isbn(s, 10),
        "isbn13" => is_isbn(s, 13),
        "creditcard" => is_credit_card(s),
        "ssn" => {
            let b = s.as_bytes();
            let d = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
            b.len() == 11
                && d(0..3)
                && matches!(b[3], b'-' | b' ')
                && d(4..6)
                && matches!(b[6], b'-' | b' ')
                && d(7..11)
        }
        "hexcolor" => {
            let h = s.strip_prefix('#').unwrap_or(s);
            (h.len() == 3 || h.len() == 6) && h.bytes().all(|c| c.is_ascii_hexdigit())
        }
        "rgbcolor" => regex_match(
            &RGB_RE,
            r"^rgb\([\t\n\x0C\r ]*(0|[1-9][0-9]?|1[0-9][0-9]?|2[0-4][0-9]|25[0-5])[\t\n\x0C\r ]*,[\t\n\x0C\r ]*(0|[1-9][0-9]?|1[0-9][0-9]?|2[0-4][0-9]|25[0-5])[\t\n\x0C\r ]*,[\t\n\x0C\r ]*(0|[1-9][0-9]?|1[0-9][0-9]?|2[0-4][0-9]|25[0-5])[\t\n\x0C\r ]*\)$",
            s,
        ),
        "byte" => is_base64(s),
        "password" => true,
        "date" => is_date(s),
        "datetime" => is_date_time(s),
        "duration" => is_duration(s),
        "bsonobjectid" => s.len() == 24 && s.bytes().all(|c| c.is_ascii_hexdigit()),
        _ => true,
    }
}

/// url.ParseRequestURI succeeds.
fn is_request_uri(s: &str) -> bool {
    if s.bytes().any(|b| b < 0x20 || b == 0x7f) || s.is_empty() {
        return false;
    }
    if s == "*" {
        return true;
    }
    // scheme
    let mut scheme = "";
    let mut rest = s;
    for (i, c) in s.char_indices() {
        if c.is_ascii_alphabetic() {
            continue;
        }
        if c.is_ascii_digit() || c == '+' || c == '-' || c == '.' {
            if i == 0 {
                break;
            }
            continue;
        }
        if c == ':' {
            if i == 0 {
                return false;
            }
            scheme = &s[..i];
            rest = &s[i + 1..];
        }
        break;
    }
    if rest.ends_with('?') && rest.matches('?').count() == 1 {
        rest = &rest[..rest.len() - 1];
    } else if let Some(i) = rest.find('?') {
        rest = &rest[..i];
    }
    if !rest.starts_with('/') {
        return !scheme.is_empty();
    }
    if !scheme.is_empty() && !rest.starts_with("///") && rest.starts_with("//") {
        let after = &rest[2..];
        let (authority, path) = match after.find('/') {
            Some(i) => (&after[..i], &after[i..]),
            None => (after, ""),
        };
        if !valid_authority(authority) {
            return false;
        }
        rest = path;
    }
    valid_escapes(rest)
}

fn valid_escapes(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            if i + 2 >= b.len() {
                return false;
            }
            if !b[i + 1].is_ascii_hexdigit() || !b[i + 2].is_ascii_hexdigit() {
                return false;
            }
            i += 3;
        } else {
            i += 1;
        }
    }
    true
}

fn valid_authority(a: &str) -> bool {
    let (userinfo, host) = match a.rfind('@') {
        Some(i) => (Some(&a[..i]), &a[i + 1..]),
        None => (None, a),
    };
    if let Some(u) = userinfo {
        let ok = u.chars().all(|c| {
            c.is_ascii_alphanumeric() || "-._:~!$&'()*+,;=%@".contains(c) || !c.is_ascii()
        });
        if !ok {
            return false;
        }
    }
    let port_ok = |p: &str| {
        p.is_empty() || (p.starts_with(':') && p[1..].bytes().all(|c| c.is_ascii_digit()))
    };
    if let Some(h) = host.strip_prefix('[') {
        return match h.find(']') {
            Some(i) => port_ok(&h[i + 1..]),
            None => false,
        };
    }
    let (name, port) = match host.rfind(':') {
        Some(i) => (&host[..i], &host[i..]),
        None => (host, ""),
    };
    if !port_ok(port) {
        return false;
    }
    name.chars().all(|c| {
        !c.is_ascii() || c.is_ascii_alphanumeric() || "-._~!$&'()*+,;=:[]<>\"%".contains(c)
    }) && valid_escapes(name)
}

/// net/mail.ParseAddress, approximately: `local@domain` or `Name <local@domain>`.
fn is_email(s: &str) -> bool {
    let s = s.trim();
    let addr = match (s.find('<'), s.ends_with('>')) {
        (Some(i), true) => &s[i + 1..s.len() - 1],
        (None, false) => s,
        _ => return false,
    };
    let Some(at) = addr.rfind('@') else {
        return false;
    };
    let (local, domain) = (&addr[..at], &addr[at + 1..]);
    let atext = |c: char| c.is_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c) || !c.is_ascii();
    let dot_atom =
        |p: &str| !p.is_empty() && p.split('.').all(|x| !x.is_empty() && x.chars().all(atext));
    let local_ok =
        dot_atom(local) || (local.len() >= 2 && local.starts_with('"') && local.ends_with('"'));
    let domain_ok = dot_atom(domain) || (domain.starts_with('[') && domain.ends_with(']'));
    local_ok && domain_ok
}

/// ParseIPSloppy: IPv4 with leading zeros allowed, or IPv6.
fn parse_ip_sloppy(s: &str) -> Option<usize> {
    if s.contains(':') {
        return s.parse::<std::net::Ipv6Addr>().ok().map(|_| 128);
    }
    let parts: Vec<&str> = s.split('.').collect();
    if parts.len() != 4 {
        return None;
    }
    for p in parts {
        if p.is_empty() || p.len() > 8 || !p.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        if p.parse::<u32>().ok()? > 255 {
            return None;
        }
    }
    Some(32)
}

fn is_cidr_sloppy(s: &str) -> bool {
    let Some((addr, mask)) = s.split_once('/') else {
        return false;
    };
    let Some(bits) = parse_ip_sloppy(addr) else {
        return false;
    };
    !mask.is_empty()
        && mask.len() <= 7
        && mask.bytes().all(|c| c.is_ascii_digit())
        && mask.parse::<usize>().is_ok_and(|n| n <= bits)
}

/// net.ParseMAC.
fn is_mac(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 14 {
        return false;
    }
    let hex2 = |x: &[u8]| x.len() == 2 && x.iter().all(u8::is_ascii_hexdigit);
    if b[2] == b':' || b[2] == b'-' {
        if !(b.len() + 1).is_multiple_of(3) {
            return false;
        }
        let n = (b.len() + 1) / 3;
        if n != 6 && n != 8 && n != 20 {
            return false;
        }
        let sep = b[2];
        (0..n).all(|i| hex2(&b[3 * i..3 * i + 2]) && (i == n - 1 || b[3 * i + 2] == sep))
    } else if b[4] == b'.' {
        if !(b.len() + 1).is_multiple_of(5) {
            return false;
        }
        let n = 2 * (b.len() + 1) / 5;
        if n != 6 && n != 8 && n != 20 {
            return false;
        }
        (0..n / 2).all(|i| {
            b[5 * i..5 * i + 4].iter().all(u8::is_ascii_hexdigit)
                && (i == n / 2 - 1 || b[5 * i + 4] == b'.')
        })
    } else {
        false
    }
}

fn is_isbn(s: &str, version: u32) -> bool {
    let sanitized: Vec<u8> = s
        .bytes()
        .filter(|c| !matches!(c, b'-' | b' ' | b'\t' | b'\n' | b'\r' | b'\x0C'))
        .collect();
    let digit = |c: u8| (c - b'0') as i32;
    if version == 10 {
        let ok = sanitized.len() == 10
            && sanitized[..9].iter().all(u8::is_ascii_digit)
            && (sanitized[9].is_ascii_digit() || sanitized[9] == b'X');
        if !ok {
            return false;
        }
        let mut sum: i32 = (0..9).map(|i| (i as i32 + 1) * digit(sanitized[i])).sum();
        sum += if sanitized[9] == b'X' {
            100
        } else {
            10 * digit(sanitized[9])
        };
        sum % 11 == 0
    } else {
        if sanitized.len() != 13 || !sanitized.iter().all(u8::is_ascii_digit) {
            return false;
        }
        let sum: i32 = (0..12).map(|i| [1, 3][i % 2] * digit(sanitized[i])).sum();
        digit(sanitized[12]) - ((10 - (sum % 10)) % 10) == 0
    }
}

fn is_credit_card(s: &str) -> bool {
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    if !regex_match(
        &CREDIT_CARD_RE,
        "^(?:4[0-9]{12}(?:[0-9]{3})?|5[1-5][0-9]{14}|6(?:011|5[0-9][0-9])[0-9]{12}|3[47][0-9]{13}|3(?:0[0-5]|[68][0-9])[0-9]{11}|(?:2131|1800|35[0-9]{3})[0-9]{11})$",
        &digits,
    ) {
        return false;
    }
    let mut sum = 0;
    let mut double = false;
    for c in digits.bytes().rev() {
        let mut d = (c - b'0') as u32;
        if double {
            d *= 2;
            if d >= 10 {
                d = d % 10 + 1;
            }
        }
        sum += d;
        double = !double;
    }
    sum % 10 == 0
}

fn is_base64(s: &str) -> bool {
    let b = s.as_bytes();
    if b.is_empty() || !b.len().is_multiple_of(4) {
        return false;
    }
    let alpha = |c: &u8| c.is_ascii_alphanumeric() || *c == b'+' || *c == b'/';
    let (body, last) = b.split_at(b.len() - 4);
    body.iter().all(alpha)
        && (last.iter().all(alpha)
            || (last[..3].iter().all(alpha) && last[3] == b'=')
            || (last[..2].iter().all(alpha) && &last[2..] == b"=="))
}

/// time.Parse("2006-01-02", s).
fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let p = &b[r];
        p.iter()
            .all(u8::is_ascii_digit)
            .then(|| p.iter().fold(0, |n, c| n * 10 + u32::from(c - b'0')))
    };
    let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) else {
        return false;
    };
    if !(1..=12).contains(&m) {
        return false;
    }
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    (1..=days).contains(&d)
}

fn is_date_time(s: &str) -> bool {
    if s.len() < 4 {
        return false;
    }
    let lower = s.to_lowercase();
    let parts: Vec<&str> = lower.split('t').collect();
    if parts.len() < 2 || !is_date(parts[0]) {
        return false;
    }
    let Some(re) = cached_regex(
        &DATETIME_RE,
        r"^([0-9]{2}):([0-9]{2}):([0-9]{2})(.[0-9]+)?(z|([+-][0-9]{2}:[0-9]{2}))$",
    ) else {
        return false;
    };
    match re.captures(parts[1]) {
        Some(c) => {
            let g = |i: usize| c.get(i).map_or("", |m| m.as_str());
            g(1) <= "23" && g(2) <= "59" && g(3) <= "59"
        }
        None => false,
    }
}

/// strfmt.ParseDuration: Go's time.ParseDuration, else the lenient `<n> <unit>` matcher.
fn is_duration(s: &str) -> bool {
    if go_parse_duration(s) {
        return true;
    }
    let Some(re) = cached_regex(&DURATION_RE, "([0-9]+)[\t\n\x0C\r ]*([A-Za-zµ]+)") else {
        return false;
    };
    const UNITS: [&[&str]; 8] = [
        &["ns", "nano"],
        &["us", "µs", "micro"],
        &["ms", "milli"],
        &["s", "sec"],
        &["m", "min"],
        &["h", "hr", "hour"],
        &["d", "day"],
        &["w", "wk", "week"],
    ];
    let mut ok = false;
    for c in re.captures_iter(s) {
        if c.get(1).is_none_or(|m| m.as_str().parse::<i64>().is_err()) {
            return false;
        }
        let unit = c.get(2).map_or("", |m| m.as_str()).trim().to_lowercase();
        for variants in UNITS {
            let last = variants.len() - 1;
            for (i, v) in variants.iter().enumerate() {
                if (i == last && unit.starts_with(v)) || unit.eq_ignore_ascii_case(v) {
                    ok = true;
                }
            }
        }
    }
    ok
}

fn go_parse_duration(orig: &str) -> bool {
    let mut s = orig;
    if let Some(r) = s.strip_prefix('-').or_else(|| s.strip_prefix('+')) {
        s = r;
    }
    if s == "0" {
        return true;
    }
    if s.is_empty() {
        return false;
    }
    let mut total: u128 = 0;
    while !s.is_empty() {
        let b = s.as_bytes();
        if !(b[0] == b'.' || b[0].is_ascii_digit()) {
            return false;
        }
        let int_len = s.bytes().take_while(u8::is_ascii_digit).count();
        let int_part = &s[..int_len];
        s = &s[int_len..];
        let mut frac_part = "";
        if s.starts_with('.') {
            s = &s[1..];
            let n = s.bytes().take_while(u8::is_ascii_digit).count();
            frac_part = &s[..n];
            s = &s[n..];
            if int_len == 0 && n == 0 {
                return false;
            }
        } else if int_len == 0 {
            return false;
        }
        let unit_len = s
            .char_indices()
            .find(|(_, c)| *c == '.' || c.is_ascii_digit())
            .map_or(s.len(), |(i, _)| i);
        if unit_len == 0 {
            return false;
        }
        let unit: u128 = match &s[..unit_len] {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => return false,
        };
        s = &s[unit_len..];
        let v: u128 = if int_part.is_empty() {
            0
        } else {
            match int_part.parse::<u128>() {
                Ok(v) => v,
                Err(_) => return false,
            }
        };
        if v > (1u128 << 63) {
            return false;
        }
        let mut ns = v.saturating_mul(unit);
        if !frac_part.is_empty() {
            let digits = &frac_part[..frac_part.len().min(18)];
            let f: u128 = digits.parse().unwrap_or(0);
            ns += f.saturating_mul(unit) / 10u128.pow(digits.len() as u32);
        }
        total = total.saturating_add(ns);
        if total > (1u128 << 63) {
            return false;
        }
    }
    total <= (1u128 << 63) - if orig.starts_with('-') { 0 } else { 1 }
}

// ---------------------------------------------------------------------------------------------
// Go (RE2) patterns on the regex crate

fn go_regex_error(code: &str, fragment: &str) -> String {
    format!("error parsing regexp: {code}: `{fragment}`")
}

/// Rewrite a Go regexp so that the regex crate reads it the way Go does; Go's own parse errors
/// for what the regex crate would accept (nested repetition, repeat counts over 1000).
fn translate_go_regex(p: &str) -> Result<String, String> {
    let c: Vec<char> = p.chars().collect();
    let n = c.len();
    let mut out = String::with_capacity(p.len() + 8);
    let mut i = 0;
    // start index (in `c`) of the repetition operator just parsed, if the previous token was one
    let mut last_repeat: Option<usize> = None;
    // whether an operand precedes (for `{` at the start of an expression)
    let mut has_operand = false;
    while i < n {
        let ch = c[i];
        match ch {
            '\\' => {
                last_repeat = None;
                has_operand = true;
                let Some(&next) = c.get(i + 1) else {
                    return Err(go_regex_error(
                        "trailing backslash at end of expression",
                        "",
                    ));
                };
                match next {
                    'd' => out.push_str("[0-9]"),
                    'D' => out.push_str("[^0-9]"),
                    'w' => out.push_str("[0-9A-Za-z_]"),
                    'W' => out.push_str("[^0-9A-Za-z_]"),
                    's' => out.push_str("[\\t\\n\\x0C\\r ]"),
                    'S' => out.push_str("[^\\t\\n\\x0C\\r ]"),
                    'b' => out.push_str("(?-u:\\b)"),
                    'B' => out.push_str("(?-u:\\B)"),
                    '<' | '>' => out.push(next),
                    'Q' => {
                        let rest: String = c[i + 2..].iter().collect();
                        let (lit, consumed) = match rest.find("\\E") {
                            Some(e) => (rest[..e].to_string(), e + 2),
                            None => (rest.clone(), rest.len()),
                        };
                        out.push_str(&regex::escape(&lit));
                        i += 2 + rest[..consumed].chars().count();
                        continue;
                    }
                    _ => {
                        out.push('\\');
                        out.push(next);
                    }
                }
                i += 2;
            }
            '[' => {
                last_repeat = None;
                has_operand = true;
                out.push('[');
                i += 1;
                if c.get(i) == Some(&'^') {
                    out.push('^');
                    i += 1;
                }
                let mut first = true;
                let mut prev_dash = false;
                let mut closed = false;
                while i < n {
                    let x = c[i];
                    match x {
                        ']' if !first => {
                            out.push(']');
                            i += 1;
                            closed = true;
                            break;
                        }
                        ']' => out.push_str("\\]"),
                        '\\' => {
                            let Some(&next) = c.get(i + 1) else {
                                return Err(go_regex_error(
                                    "trailing backslash at end of expression",
                                    "",
                                ));
                            };
                            match next {
                                'd' => out.push_str("0-9"),
                                'w' => out.push_str("0-9A-Za-z_"),
                                's' => out.push_str("\\t\\n\\x0C\\r "),
                                _ => {
                                    out.push('\\');
                                    out.push(next);
                                }
                            }
                            i += 1;
                        }
                        '[' if c.get(i + 1) == Some(&':') => {
                            let rest: String = c[i..].iter().collect();
                            match rest.find(":]") {
                                Some(e) => {
                                    out.push_str(&rest[..e + 2]);
                                    i += rest[..e + 2].chars().count() - 1;
                                }
                                None => out.push_str("\\["),
                            }
                        }
                        '[' | '&' | '~' => {
                            out.push('\\');
                            out.push(x);
                        }
                        '-' if prev_dash => out.push_str("\\-"),
                        _ => out.push(x),
                    }
                    prev_dash = x == '-' && !prev_dash;
                    first = false;
                    i += 1;
                }
                if !closed {
                    // let the regex crate report the unclosed class
                    continue;
                }
            }
            '{' => {
                // {n}, {n,}, {n,m}: a repetition; anything else is a literal brace
                let rest: String = c[i..].iter().collect();
                match parse_go_repeat(&rest) {
                    Some((text, min, max)) => {
                        let count = text.chars().count();
                        if !(0..=1000).contains(&min) || max > 1000 || (max >= 0 && min > max) {
                            return Err(go_regex_error("invalid repeat count", &text));
                        }
                        if let Some(start) = last_repeat {
                            let frag: String = c[start..i + count].iter().collect();
                            return Err(go_regex_error(
                                "invalid nested repetition operator",
                                &frag,
                            ));
                        }
                        if !has_operand {
                            return Err(go_regex_error(
                                "missing argument to repetition operator",
                                &text,
                            ));
                        }
                        out.push_str(&text);
                        let mut end = i + count;
                        if c.get(end) == Some(&'?') {
                            out.push('?');
                            end += 1;
                        }
                        last_repeat = Some(i);
                        i = end;
                        continue;
                    }
                    None => {
                        out.push_str("\\{");
                        last_repeat = None;
                        has_operand = true;
                    }
                }
                i += 1;
            }
            '}' => {
                out.push_str("\\}");
                last_repeat = None;
                has_operand = true;
                i += 1;
            }
            '*' | '+' | '?' => {
                if let Some(start) = last_repeat {
                    let frag: String = c[start..=i].iter().collect();
                    return Err(go_regex_error("invalid nested repetition operator", &frag));
                }
                out.push(ch);
                let mut end = i + 1;
                if c.get(end) == Some(&'?') {
                    out.push('?');
                    end += 1;
                }
                last_repeat = Some(i);
                i = end;
            }
            '(' => {
                last_repeat = None;
                has_operand = false;
                out.push('(');
                i += 1;
            }
            '|' => {
                last_repeat = None;
                has_operand = false;
                out.push('|');
                i += 1;
            }
            _ => {
                last_repeat = None;
                has_operand = true;
                out.push(ch);
                i += 1;
            }
        }
    }
    Ok(out)
}

/// Go's parseRepeat: `{n}`, `{n,}` or `{n,m}` at the start of `s` (text, min, max; max -1 when
/// open, i64::MAX for a number too big).
fn parse_go_repeat(s: &str) -> Option<(String, i64, i64)> {
    let b = s.as_bytes();
    let mut i = 1;
    let int = |i: &mut usize| -> Option<i64> {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        let d = &s[start..*i];
        if d.is_empty() || (d.len() >= 2 && d.starts_with('0')) {
            return None;
        }
        Some(if d.len() > 8 {
            i64::MAX
        } else {
            d.parse().unwrap_or(i64::MAX)
        })
    };
    let min = int(&mut i)?;
    let max = if b.get(i) == Some(&b',') {
        i += 1;
        if b.get(i) == Some(&b'}') {
            -1
        } else {
            int(&mut i)?
        }
    } else {
        min
    };
    if b.get(i) != Some(&b'}') {
        return None;
    }
    Some((s[..=i].to_string(), min, max))
}

/// Compile a Go pattern, or give Go's error text (best effort).
fn compile_go_regex(p: &str) -> Result<Regex, String> {
    let t = translate_go_regex(p)?;
    Regex::new(&t).map_err(|e| rust_regex_error_to_go(p, &e.to_string()))
}

fn rust_regex_error_to_go(orig: &str, msg: &str) -> String {
    let lines: Vec<&str> = msg.lines().collect();
    let detail = lines
        .iter()
        .find_map(|l| l.strip_prefix("error: "))
        .unwrap_or(msg)
        .to_string();
    // the span under the pattern line
    let span = if lines.len() >= 3 {
        let pat: Vec<char> = lines[1].chars().skip(4).collect();
        let marks = lines[2].get(4..).unwrap_or("");
        let start = marks.chars().position(|c| c == '^');
        let len = marks.chars().filter(|c| *c == '^').count();
        start.map(|s| pat.iter().skip(s).take(len.max(1)).collect::<String>())
    } else {
        None
    };
    let span = span.unwrap_or_default();
    let from_span_to_end = || {
        orig.find(span.as_str())
            .map(|i| orig[i..].to_string())
            .unwrap_or_else(|| orig.to_string())
    };
    let (code, frag) = if detail.starts_with("repetition operator missing expression") {
        ("missing argument to repetition operator", span)
    } else if detail.starts_with("unclosed group") {
        ("missing closing )", orig.to_string())
    } else if detail.starts_with("unopened group") {
        ("unexpected )", orig.to_string())
    } else if detail.starts_with("unclosed character class") {
        ("missing closing ]", from_span_to_end())
    } else if detail.starts_with("unrecognized escape sequence")
        || detail.starts_with("backreferences are not supported")
    {
        ("invalid escape sequence", span)
    } else if detail.starts_with("incomplete escape sequence") {
        ("trailing backslash at end of expression", String::new())
    } else if detail.starts_with("invalid character class range") {
        ("invalid character class range", span)
    } else if detail.contains("repetition") || detail.contains("counted") {
        ("invalid repeat count", span)
    } else if detail.contains("capture group") {
        ("invalid named capture", span)
    } else if detail.starts_with("look-around") || detail.contains("flag") {
        ("invalid or unsupported Perl syntax", span)
    } else {
        return format!("error parsing regexp: {detail}: `{orig}`");
    };
    go_regex_error(code, &frag)
}

// ---------------------------------------------------------------------------------------------
// Pruning (pkg/apiserver/schema/pruning)

/// upstream's UnknownFieldPathOptions: the path being walked and the unknown fields found.
struct PathTrack {
    parent: String,
    unknown: Vec<String>,
}

impl PathTrack {
    fn new() -> PathTrack {
        PathTrack {
            parent: String::new(),
            unknown: Vec::new(),
        }
    }
    fn append_key(&mut self, k: &str) {
        if !self.parent.is_empty() {
            self.parent.push('.');
        }
        self.parent.push_str(k);
    }
    fn append_index(&mut self, i: usize) {
        self.parent.push_str(&format!("[{i}]"));
    }
    fn record(&mut self, k: &str) {
        let l = self.parent.len();
        self.append_key(k);
        self.unknown.push(self.parent.clone());
        self.parent.truncate(l);
    }
}

fn sorted_keys(m: &Obj) -> Vec<String> {
    let mut keys: Vec<String> = m.keys().cloned().collect();
    keys.sort();
    keys
}

fn prune_node(x: &mut Value, s: Option<&Structural>, force_embedded: bool, t: &mut PathTrack) {
    if let Some(s) = s.filter(|s| s.preserve_unknown_fields) {
        skip_prune(x, s, force_embedded, t);
        return;
    }
    let orig = t.parent.len();
    match x {
        Value::Object(m) => {
            let Some(s) = s else {
                for k in sorted_keys(m) {
                    t.record(&k);
                }
                m.clear();
                return;
            };
            let embedded = force_embedded || s.embedded_resource;
            for k in sorted_keys(m) {
                if embedded && META_FIELDS.contains(&k.as_str()) {
                    continue;
                }
                if let Some(prop) = s.properties.get(&k) {
                    t.append_key(&k);
                    if let Some(v) = m.get_mut(&k) {
                        prune_node(v, Some(prop), false, t);
                    }
                    t.parent.truncate(orig);
                } else if let Some(ap) = &s.additional_properties {
                    t.append_key(&k);
                    if let Some(v) = m.get_mut(&k) {
                        prune_node(v, ap.schema(), false, t);
                    }
                    t.parent.truncate(orig);
                } else {
                    if !META_FIELDS.contains(&k.as_str()) || orig > 0 {
                        t.record(&k);
                    }
                    m.remove(&k);
                }
            }
        }
        Value::Array(a) => {
            let items = s.and_then(|s| s.items.as_deref());
            for (i, v) in a.iter_mut().enumerate() {
                t.append_index(i);
                prune_node(v, items, false, t);
                t.parent.truncate(orig);
            }
        }
        _ => {}
    }
}

fn skip_prune(x: &mut Value, s: &Structural, force_embedded: bool, t: &mut PathTrack) {
    let orig = t.parent.len();
    match x {
        Value::Object(m) => {
            let embedded = force_embedded || s.embedded_resource;
            for k in sorted_keys(m) {
                if embedded && META_FIELDS.contains(&k.as_str()) {
                    continue;
                }
                let sub = match (s.properties.get(&k), &s.additional_properties) {
                    (Some(p), _) => Some(Some(p)),
                    (None, Some(ap)) => Some(ap.schema()),
                    (None, None) => None,
                };
                if let (Some(sub), Some(v)) = (sub, m.get_mut(&k)) {
                    t.append_key(&k);
                    prune_node(v, sub, false, t);
                    t.parent.truncate(orig);
                }
            }
        }
        Value::Array(a) => {
            if let Some(items) = s.items.as_deref() {
                for (i, v) in a.iter_mut().enumerate() {
                    t.append_index(i);
                    skip_prune(v, items, false, t);
                    t.parent.truncate(orig);
                }
            }
        }
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------------
// ObjectMeta as JSON decoding into metav1.ObjectMeta sees it (pkg/apiserver/schema/objectmeta)

fn meta_type_error(jt: &str, field: &str, go_type: &str) -> String {
    format!("json: cannot unmarshal {jt} into Go struct field {field} of type {go_type}")
}

fn json_type_for_error(v: &Value, want_int: bool) -> String {
    match v {
        Value::Number(n) if want_int => format!("number {n}"),
        other => json_type(other).to_string(),
    }
}

/// Decode `metadata` as a metav1.ObjectMeta: the first JSON type error (as Go reports it), or the
/// paths of unknown fields (relative to the metadata, kjson style: `foo`, `ownerReferences[0].bar`).
fn decode_object_meta(v: &Value) -> Result<Vec<String>, String> {
    let m = match v {
        Value::Null => return Ok(Vec::new()),
        Value::Object(m) => m,
        other => {
            return Err(format!(
                "json: cannot unmarshal {} into Go value of type v1.ObjectMeta",
                json_type(other)
            ));
        }
    };
    let mut unknown = Vec::new();
    let mut first_err: Option<String> = None;
    let mut fail = |e: String| {
        if first_err.is_none() {
            first_err = Some(e);
        }
    };
    for k in sorted_keys(m) {
        let val = &m[&k];
        if val.is_null() {
            if !OBJECT_META_FIELDS.contains(&k.as_str()) {
                unknown.push(k);
            }
            continue;
        }
        let f = format!("ObjectMeta.{k}");
        match k.as_str() {
            "name" | "generateName" | "namespace" | "selfLink" | "resourceVersion" => {
                if !val.is_string() {
                    fail(meta_type_error(json_type(val), &f, "string"));
                }
            }
            "uid" => {
                if !val.is_string() {
                    fail(meta_type_error(json_type(val), &f, "types.UID"));
                }
            }
            "generation" | "deletionGracePeriodSeconds" => {
                if val.as_i64().is_none() {
                    fail(meta_type_error(
                        &json_type_for_error(val, true),
                        &f,
                        "int64",
                    ));
                }
            }
            "creationTimestamp" | "deletionTimestamp" => {
                if !val.is_string() {
                    fail(format!(
                        "json: cannot unmarshal {} into Go value of type string",
                        json_type(val)
                    ));
                }
            }
            "labels" | "annotations" => match val.as_object() {
                Some(mm) => {
                    for x in mm.values() {
                        if !x.is_null() && !x.is_string() {
                            fail(meta_type_error(json_type(x), &f, "string"));
                        }
                    }
                }
                None => fail(meta_type_error(json_type(val), &f, "map[string]string")),
            },
            "finalizers" => match val.as_array() {
                Some(a) => {
                    for x in a {
                        if !x.is_null() && !x.is_string() {
                            fail(meta_type_error(json_type(x), &f, "string"));
                        }
                    }
                }
                None => fail(meta_type_error(json_type(val), &f, "[]string")),
            },
            "ownerReferences" | "managedFields" => {
                let (go_type, strct, fields): (&str, &str, &[(&str, &str)]) =
                    if k == "ownerReferences" {
                        (
                            "[]v1.OwnerReference",
                            "OwnerReference",
                            &[
                                ("apiVersion", "string"),
                                ("kind", "string"),
                                ("name", "string"),
                                ("uid", "types.UID"),
                                ("controller", "bool"),
                                ("blockOwnerDeletion", "bool"),
                            ],
                        )
                    } else {
                        (
                            "[]v1.ManagedFieldsEntry",
                            "ManagedFieldsEntry",
                            &[
                                ("manager", "string"),
                                ("operation", "v1.ManagedFieldsOperationType"),
                                ("apiVersion", "string"),
                                ("time", "time"),
                                ("fieldsType", "string"),
                                ("fieldsV1", "any"),
                                ("subresource", "string"),
                            ],
                        )
                    };
                let Some(items) = val.as_array() else {
                    fail(meta_type_error(json_type(val), &f, go_type));
                    continue;
                };
                for (i, item) in items.iter().enumerate() {
                    let Some(im) = item.as_object() else {
                        if !item.is_null() {
                            fail(meta_type_error(json_type(item), &f, &go_type[2..]));
                        }
                        continue;
                    };
                    for ik in sorted_keys(im) {
                        let iv = &im[&ik];
                        match fields.iter().find(|(n, _)| *n == ik) {
                            None => unknown.push(format!("{k}[{i}].{ik}")),
                            Some(_) if iv.is_null() => {}
                            Some((_, "bool")) if !iv.is_boolean() => fail(meta_type_error(
                                json_type(iv),
                                &format!("{strct}.{k}.{ik}"),
                                "bool",
                            )),
                            Some((_, "time")) if !iv.is_string() => fail(format!(
                                "json: cannot unmarshal {} into Go value of type string",
                                json_type(iv)
                            )),
                            Some((_, t))
                                if !matches!(*t, "bool" | "time" | "any") && !iv.is_string() =>
                            {
                                fail(meta_type_error(
                                    json_type(iv),
                                    &format!("{strct}.{k}.{ik}"),
                                    t,
                                ))
                            }
                            _ => {}
                        }
                    }
                }
            }
            _ => unknown.push(k.clone()),
        }
    }
    match first_err {
        Some(e) => Err(e),
        None => Ok(unknown),
    }
}

const OBJECT_META_FIELDS: [&str; 15] = [
    "name",
    "generateName",
    "namespace",
    "selfLink",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "labels",
    "annotations",
    "ownerReferences",
    "finalizers",
    "managedFields",
];

/// Remove the unknown fields (paths as [`decode_object_meta`] gives them) from a metadata map.
fn remove_meta_fields(meta: &mut Value, unknown: &[String]) {
    for path in unknown {
        match path.split_once('[') {
            None => {
                if let Some(m) = meta.as_object_mut() {
                    m.remove(path);
                }
            }
            Some((list, rest)) => {
                let Some((i, field)) = rest.split_once("].") else {
                    continue;
                };
                let Ok(i) = i.parse::<usize>() else { continue };
                if let Some(item) = meta
                    .get_mut(list)
                    .and_then(|l| l.get_mut(i))
                    .and_then(Value::as_object_mut)
                {
                    item.remove(field);
                }
            }
        }
    }
}

/// The metadata of an embedded resource after a round trip through metav1.ObjectMeta (unknown
/// fields dropped, omitempty fields omitted, zero creationTimestamp removed).
fn normalize_embedded_meta(meta: &mut Value, unknown: &[String]) {
    if meta.is_null() {
        *meta = Value::Object(Obj::new());
        return;
    }
    remove_meta_fields(meta, unknown);
    if let Some(m) = meta.as_object_mut() {
        m.retain(|k, v| {
            !(v.is_null()
                || v.as_str() == Some("")
                || v.as_array().is_some_and(Vec::is_empty)
                || v.as_object().is_some_and(Map::is_empty)
                || (k == "generation" && v.as_i64() == Some(0)))
        });
    }
}

/// objectmeta.CoerceWithOptions: type checks of embedded TypeMeta and ObjectMeta, unknown
/// metadata fields dropped (and their paths returned).
fn coerce(
    pth: Option<&str>,
    x: &mut Value,
    s: Option<&Structural>,
    force_embedded: bool,
    unknown: &mut Vec<String>,
) -> Option<FieldError> {
    let s = s?;
    let p_child = |k: &str| match pth {
        Some(p) => child(p, k),
        None => k.to_string(),
    };
    match x {
        Value::Object(m) => {
            let embedded = force_embedded || s.embedded_resource;
            for k in sorted_keys(m) {
                if embedded {
                    match k.as_str() {
                        "apiVersion" | "kind" => {
                            if let Some(v) = m.get(&k).filter(|v| !v.is_string()) {
                                return Some(invalid(&p_child(&k), render(v), "must be a string"));
                            }
                        }
                        "metadata" => {
                            let v = m.get("metadata").cloned().unwrap_or(Value::Null);
                            match decode_object_meta(&v) {
                                Err(e) => {
                                    return Some(invalid(&p_child("metadata"), render(&v), e));
                                }
                                Ok(u) => {
                                    let prefix = p_child("metadata");
                                    unknown.extend(u.iter().map(|f| format!("{prefix}.{f}")));
                                    if let Some(md) = m.get_mut("metadata") {
                                        normalize_embedded_meta(md, &u);
                                    }
                                }
                            }
                        }
                        _ => {}
                    }
                }
                if let Some(prop) = s.properties.get(&k) {
                    if let Some(v) = m.get_mut(&k)
                        && let Some(e) = coerce(Some(&p_child(&k)), v, Some(prop), false, unknown)
                    {
                        return Some(e);
                    }
                } else if let Some(ap) = &s.additional_properties {
                    let kp = match pth {
                        Some(p) => key(p, &k),
                        None => format!("[{k}]"),
                    };
                    if let Some(v) = m.get_mut(&k)
                        && let Some(e) = coerce(Some(&kp), v, ap.schema(), false, unknown)
                    {
                        return Some(e);
                    }
                }
            }
            None
        }
        Value::Array(a) => {
            for (i, v) in a.iter_mut().enumerate() {
                let ip = index(pth.unwrap_or(""), i);
                if let Some(e) = coerce(Some(&ip), v, s.items.as_deref(), false, unknown) {
                    return Some(e);
                }
            }
            None
        }
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Defaulting (pkg/apiserver/schema/defaulting)

fn prune_non_nullable_nulls(x: &mut Value, s: Option<&Structural>) {
    match x {
        Value::Object(m) => {
            for k in sorted_keys(m) {
                let schema = s.and_then(|s| s.field(&k));
                let drop = m.get(&k).is_some_and(Value::is_null)
                    && schema.is_some_and(|sc| !sc.nullable && sc.default.is_none());
                if drop {
                    m.remove(&k);
                } else if let Some(v) = m.get_mut(&k) {
                    prune_non_nullable_nulls(v, schema);
                }
            }
        }
        Value::Array(a) => {
            let items = s.and_then(|s| s.items.as_deref());
            for v in a.iter_mut() {
                prune_non_nullable_nulls(v, items);
            }
        }
        _ => {}
    }
}

fn default_node(x: &mut Value, s: Option<&Structural>) {
    let Some(s) = s else { return };
    match x {
        Value::Object(m) => {
            for (k, prop) in &s.properties {
                let Some(d) = &prop.default else { continue };
                let missing = match m.get(k) {
                    None => true,
                    Some(v) => v.is_null() && !prop.nullable,
                };
                if missing {
                    m.insert(k.clone(), d.clone());
                }
            }
            for k in sorted_keys(m) {
                let Some(v) = m.get_mut(&k) else { continue };
                if let Some(prop) = s.properties.get(&k) {
                    default_node(v, Some(prop));
                } else if let Some(ap) = &s.additional_properties {
                    let aps = ap.schema();
                    if let Some(sc) = aps.filter(|sc| v.is_null() && !sc.nullable) {
                        *v = sc.default.clone().unwrap_or(Value::Null);
                    }
                    default_node(v, aps);
                }
            }
        }
        Value::Array(a) => {
            let items = s.items.as_deref();
            for v in a.iter_mut() {
                if let Some(sc) = items.filter(|sc| v.is_null() && !sc.nullable) {
                    *v = sc.default.clone().unwrap_or(Value::Null);
                }
                default_node(v, items);
            }
        }
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------------
// Embedded resources (objectmeta.Validate) and list types (listtype.ValidateListSetsAndMaps)

fn path_segment_errors(name: &str, prefix: bool) -> Vec<String> {
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

/// metavalidation.ValidateObjectMeta with path-segment names, for embedded resources.
fn validate_embedded_meta(meta: &Value, p: &str, errs: &mut Vec<FieldError>) {
    let gen_name = str_of(meta, "generateName");
    if !gen_name.is_empty() {
        for m in path_segment_errors(gen_name, true) {
            errs.push(invalid(&child(p, "generateName"), quote(gen_name), m));
        }
    }
    let name = match str_of(meta, "name") {
        "" => "fakename",
        n => n,
    };
    for m in path_segment_errors(name, false) {
        errs.push(invalid(&child(p, "name"), quote(name), m));
    }
    let ns = str_of(meta, "namespace");
    if !ns.is_empty() {
        for m in is_dns1123_label(ns) {
            errs.push(invalid(&child(p, "namespace"), quote(ns), m));
        }
    }
    if let Some(g) = meta
        .get("generation")
        .and_then(Value::as_i64)
        .filter(|g| *g < 0)
    {
        errs.push(invalid(
            &child(p, "generation"),
            g.to_string(),
            "must be greater than or equal to 0",
        ));
    }
    let labels_p = child(p, "labels");
    if let Some(l) = meta.get("labels").and_then(Value::as_object) {
        for k in sorted_keys(l) {
            for m in is_qualified_name(&k) {
                errs.push(invalid(&labels_p, quote(&k), m));
            }
            let v = l[&k].as_str().unwrap_or("");
            for m in is_valid_label_value(v) {
                errs.push(invalid(&labels_p, quote(v), m));
            }
        }
    }
    let ann_p = child(p, "annotations");
    if let Some(a) = meta.get("annotations").and_then(Value::as_object) {
        let mut total = 0;
        for k in sorted_keys(a) {
            for m in is_qualified_name(&k.to_lowercase()) {
                errs.push(invalid(&ann_p, quote(&k), m));
            }
            total += k.len() + a[&k].as_str().map_or(0, str::len);
        }
        if total > 256 * 1024 {
            errs.push(too_long(&ann_p, 256 * 1024));
        }
    }
    let fins = strings_of(meta.get("finalizers"));
    for (i, f) in fins.iter().enumerate() {
        for m in is_qualified_name(f) {
            errs.push(invalid(&index(&child(p, "finalizers"), i), quote(f), m));
        }
    }
    if fins.iter().any(|f| f == "orphan") && fins.iter().any(|f| f == "foregroundDeletion") {
        errs.push(invalid(
            &child(p, "finalizers"),
            render_strings(Some(&fins)),
            "finalizer orphan and foregroundDeletion cannot be both set",
        ));
    }
}

/// schema.ParseGroupVersion's error, if any.
fn parse_group_version_error(gv: &str) -> Option<String> {
    if gv.is_empty() || gv == "/" {
        return None;
    }
    (gv.matches('/').count() > 1).then(|| format!("unexpected GroupVersion string: {gv}"))
}

fn validate_embedded_resource(p: Option<&str>, m: &Obj, errs: &mut Vec<FieldError>) {
    let c = |k: &str| match p {
        Some(p) => child(p, k),
        None => k.to_string(),
    };
    if !m.contains_key("apiVersion") {
        errs.push(required(&c("apiVersion"), "must not be empty"));
    }
    if !m.contains_key("kind") {
        errs.push(required(&c("kind"), "must not be empty"));
    }
    for k in sorted_keys(m) {
        let v = &m[&k];
        match k.as_str() {
            "apiVersion" => match v.as_str() {
                None => errs.push(invalid(&c("apiVersion"), render(v), "must be a string")),
                Some("") => errs.push(invalid(&c("apiVersion"), quote(""), "must not be empty")),
                Some(av) => {
                    if let Some(e) = parse_group_version_error(av) {
                        errs.push(invalid(&c("apiVersion"), quote(av), e));
                    }
                }
            },
            "kind" => match v.as_str() {
                None => errs.push(invalid(&c("kind"), render(v), "must be a string")),
                Some("") => errs.push(invalid(&c("kind"), quote(""), "must not be empty")),
                Some(kind) => {
                    let e = is_dns1035_label(&kind.to_lowercase());
                    if !e.is_empty() {
                        errs.push(invalid(
                            &c("kind"),
                            quote(kind),
                            format!(
                                "may have mixed case, but should otherwise match: {}",
                                e.join(",")
                            ),
                        ));
                    }
                }
            },
            "metadata" => match decode_object_meta(v) {
                Err(e) => errs.push(invalid(&c("metadata"), render(v), e)),
                Ok(_) => validate_embedded_meta(v, &c("metadata"), errs),
            },
            _ => {}
        }
    }
}

fn objectmeta_validate(
    p: Option<&str>,
    x: &Value,
    s: Option<&Structural>,
    force_embedded: bool,
    errs: &mut Vec<FieldError>,
) {
    let Some(s) = s else { return };
    match x {
        Value::Object(m) => {
            if force_embedded || s.embedded_resource {
                validate_embedded_resource(p, m, errs);
            }
            for k in sorted_keys(m) {
                if let Some(prop) = s.properties.get(&k) {
                    let cp = match p {
                        Some(p) => child(p, &k),
                        None => k.clone(),
                    };
                    objectmeta_validate(Some(&cp), &m[&k], Some(prop), false, errs);
                } else if let Some(ap) = &s.additional_properties {
                    let kp = match p {
                        Some(p) => key(p, &k),
                        None => format!("[{k}]"),
                    };
                    objectmeta_validate(Some(&kp), &m[&k], ap.schema(), false, errs);
                }
            }
        }
        Value::Array(a) => {
            for (i, v) in a.iter().enumerate() {
                objectmeta_validate(
                    Some(&index(p.unwrap_or(""), i)),
                    v,
                    s.items.as_deref(),
                    false,
                    errs,
                );
            }
        }
        _ => {}
    }
}

/// The identity Go uses to find duplicates in a list-type set: scalars by typed value, compound
/// values by their JSON.
fn set_identity(v: &Value) -> String {
    match v {
        Value::Object(_) | Value::Array(_) => format!("c{}", go_json(v)),
        Value::Number(n) => match go_num(n) {
            GoNum::Int(i) => format!("i{i}"),
            GoNum::Float(f) => format!("f{f:?}"),
        },
        Value::String(s) => format!("s{s}"),
        Value::Bool(b) => format!("b{b}"),
        Value::Null => "n".into(),
    }
}

/// Indices of the second occurrence of each repeated identity.
fn non_unique(ids: &[String]) -> Vec<usize> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut out = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        let n = seen.entry(id.as_str()).or_insert(0);
        *n += 1;
        if *n == 2 {
            out.push(i);
        }
    }
    out
}

fn list_sets_and_maps(p: Option<&str>, s: &Structural, obj: &Obj, errs: &mut Vec<FieldError>) {
    if let Some(ap) = s
        .additional_properties
        .as_ref()
        .and_then(AdditionalProperties::schema)
    {
        for k in sorted_keys(obj) {
            let kp = match p {
                Some(p) => key(p, &k),
                None => format!("[{k}]"),
            };
            list_value(&kp, ap, &obj[&k], errs);
        }
    }
    if !s.properties.is_empty() {
        for k in sorted_keys(obj) {
            if let Some(sub) = s.properties.get(&k) {
                let cp = match p {
                    Some(p) => child(p, &k),
                    None => k.clone(),
                };
                list_value(&cp, sub, &obj[&k], errs);
            }
        }
    }
}

fn list_value(p: &str, s: &Structural, v: &Value, errs: &mut Vec<FieldError>) {
    match v {
        Value::Array(a) => list_array(p, s, a, errs),
        Value::Object(m) => list_sets_and_maps(Some(p), s, m, errs),
        _ => {}
    }
}

fn list_array(p: &str, s: &Structural, a: &[Value], errs: &mut Vec<FieldError>) {
    match s.list_type.as_deref() {
        Some("set") if a.len() > 1 => {
            let ids: Vec<String> = a.iter().map(set_identity).collect();
            for i in non_unique(&ids) {
                errs.push(duplicate(&index(p, i), render(&a[i])));
            }
        }
        Some("map") => list_map(p, s, a, errs),
        _ => {}
    }
    if let Some(items) = s.items.as_deref() {
        for (i, v) in a.iter().enumerate() {
            list_value(&index(p, i), items, v, errs);
        }
    }
}

fn list_map(p: &str, s: &Structural, a: &[Value], errs: &mut Vec<FieldError>) {
    for (i, x) in a.iter().enumerate() {
        if !x.is_null() && !x.is_object() {
            errs.push(invalid(
                &index(p, i),
                render(x),
                "must be an object for an array of list-type map",
            ));
            return;
        }
    }
    if a.len() <= 1 {
        return;
    }
    let keys = s.list_map_keys.clone().unwrap_or_default();
    if keys.len() == 1 {
        let kf = &keys[0];
        let vals: Vec<Option<&Value>> = a.iter().map(|x| x.get(kf.as_str())).collect();
        let ids: Vec<String> = vals
            .iter()
            .map(|v| v.map_or_else(|| "unspecified".to_string(), set_identity))
            .collect();
        for i in non_unique(&ids) {
            let mut shown = Obj::new();
            if let Some(v) = vals[i] {
                shown.insert(kf.clone(), v.clone());
            }
            let shown = Value::Object(shown);
            errs.push(duplicate(&index(p, i), render(&shown)));
        }
        return;
    }
    let key_maps: Vec<Value> = a
        .iter()
        .map(|x| {
            let mut km = Obj::new();
            for k in &keys {
                if let Some(v) = x.get(k.as_str()) {
                    km.insert(k.clone(), v.clone());
                }
            }
            Value::Object(km)
        })
        .collect();
    let ids: Vec<String> = key_maps.iter().map(set_identity).collect();
    for i in non_unique(&ids) {
        errs.push(duplicate(&index(p, i), render(&key_maps[i])));
    }
}

// ---------------------------------------------------------------------------------------------
// Custom resources: the public entry points

/// Prune unknown fields from a custom resource (`obj`, the whole object) following its version's
/// schema, as upstream's decoder does on every write and every read from storage: unknown fields
/// of the root `metadata` (what metav1.ObjectMeta does not know), fields the schema does not
/// specify (`x-kubernetes-preserve-unknown-fields` keeps them; `apiVersion`, `kind` and
/// `metadata` are always kept at the root and in `x-kubernetes-embedded-resource` objects), and
/// unknown fields in the `metadata` of embedded resources.
///
/// Returns the pruned paths in upstream's order and form (`metadata.foo`, `spec.foo`,
/// `spec.list[0].bar`: no leading dot); with `fieldValidation=Strict` upstream rejects the
/// request with one `unknown field "<path>"` error per path (a warning each with `Warn`).
///
/// Upstream skips the schema pruning (not the metadata cleaning) for the legacy CRDs with
/// `spec.preserveUnknownFields: true`; callers do the same.
pub fn prune(s: &Structural, obj: &mut Value) -> Vec<String> {
    let mut paths = Vec::new();
    if let Some(md) = obj.get_mut("metadata")
        && let Ok(unknown) = decode_object_meta(md)
    {
        remove_meta_fields(md, &unknown);
        paths.extend(unknown.into_iter().map(|f| format!("metadata.{f}")));
    }
    let mut t = PathTrack::new();
    prune_node(obj, Some(s), true, &mut t);
    t.unknown.sort();
    paths.append(&mut t.unknown);
    // Type errors of embedded apiVersion/kind/metadata are reported by `validate`.
    let mut coerced = Vec::new();
    let _ = coerce(None, obj, Some(s), false, &mut coerced);
    coerced.sort();
    paths.append(&mut coerced);
    paths
}

/// Structural defaulting of a custom resource, run after [`prune`] (upstream: in the decoder,
/// `PruneNonNullableNullsWithoutDefaults`, then the defaulter): `null`s of non-nullable fields
/// without a default are dropped, then missing fields (and `null`s of non-nullable fields) get
/// their schema's default wherever their parent object exists; defaults of `items` and
/// `additionalProperties` apply to `null` elements.
pub fn apply_defaults(s: &Structural, obj: &mut Value) {
    prune_non_nullable_nulls(obj, Some(s));
    default_node(obj, Some(s));
}

/// Validate a custom resource on create against its version's schema: OpenAPI v3 value
/// validation (kube-openapi messages), then the embedded-resource rules
/// (`x-kubernetes-embedded-resource`: `apiVersion` and `kind` required, valid metadata), then
/// the `x-kubernetes-list-type` `set`/`map` uniqueness rules. `x-kubernetes-validations` rules
/// are not evaluated.
pub fn validate(s: &Structural, obj: &Value) -> Vec<FieldError> {
    let mut errs = validate_value(s, obj, None, None, Mode::Crd);
    objectmeta_validate(None, obj, Some(s), false, &mut errs);
    if let Some(m) = obj.as_object() {
        list_sets_and_maps(None, s, m, &mut errs);
    }
    errs
}

/// Validate a custom resource on update, with upstream's validation ratcheting: schema errors in
/// parts that are unchanged from `old` (correlated by field, and by key in `map` lists) are not
/// reported, and list-type errors only when `old` had none.
pub fn validate_update(s: &Structural, obj: &Value, old: &Value) -> Vec<FieldError> {
    let mut errs = validate_value(s, obj, None, Some(old), Mode::Crd);
    objectmeta_validate(None, obj, Some(s), false, &mut errs);
    if let (Some(m), Some(om)) = (obj.as_object(), old.as_object()) {
        let mut old_errs = Vec::new();
        list_sets_and_maps(None, s, om, &mut old_errs);
        if old_errs.is_empty() {
            list_sets_and_maps(None, s, m, &mut errs);
        }
    }
    errs
}

/// Validate an update through the `status` subresource: `.status` against the schema's
/// `properties.status` (paths `status.x`, messages relative to the status), with ratcheting,
/// and the list-type rules when they newly fail.
pub fn validate_status_update(s: &Structural, obj: &Value, old: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if let Some(status) = obj.get("status")
        && let Some(ss) = s.status()
    {
        errs.extend(validate_value(
            ss,
            status,
            Some("status"),
            Some(old.get("status").unwrap_or(&Value::Null)),
            Mode::Crd,
        ));
    }
    if let (Some(m), Some(om)) = (obj.as_object(), old.as_object()) {
        let mut new_errs = Vec::new();
        list_sets_and_maps(None, s, m, &mut new_errs);
        if !new_errs.is_empty() {
            let mut old_errs = Vec::new();
            list_sets_and_maps(None, s, om, &mut old_errs);
            if old_errs.is_empty() {
                errs.extend(new_errs);
            }
        }
    }
    errs
}

/// The custom resource validator's TypeMeta check: `kind` and `apiVersion` must be the CRD's.
pub fn validate_type_meta(obj: &Value, group: &str, version: &str, kind: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let k = str_of(obj, "kind");
    if k != kind {
        errs.push(invalid("kind", quote(k), format!("must be {kind}")));
    }
    let av = str_of(obj, "apiVersion");
    let want = format!("{group}/{version}");
    if av != want {
        errs.push(invalid("apiVersion", quote(av), format!("must be {want}")));
    }
    errs
}

/// Go's `%v` (not `%#v`) of decoded JSON.
fn go_plain(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => go_num(n).to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => "<nil>".into(),
        Value::Array(a) => format!("[{}]", a.iter().map(go_plain).collect::<Vec<_>>().join(" ")),
        Value::Object(m) => {
            let items: Vec<String> = sorted_keys(m)
                .iter()
                .map(|k| format!("{k}:{}", go_plain(&m[k])))
                .collect();
            format!("map[{}]", items.join(" "))
        }
    }
}

fn go_type_name(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "string",
        Value::Number(n) => match go_num(n) {
            GoNum::Int(_) => "int64",
            GoNum::Float(_) => "float64",
        },
        Value::Bool(_) => "bool",
        Value::Null => "<nil>",
        Value::Array(_) => "[]interface {}",
        Value::Object(_) => "map[string]interface {}",
    }
}

/// unstructured.NestedFieldNoCopy plus the type check of NestedInt64/NestedString.
fn nested_field<'a>(
    obj: &'a Value,
    json_path: &str,
    want: &str,
) -> Result<Option<&'a Value>, String> {
    let fields: Vec<&str> = json_path.trim_start_matches('.').split('.').collect();
    let mut val = obj;
    for (i, f) in fields.iter().enumerate() {
        if val.is_null() {
            return Ok(None);
        }
        match val.as_object() {
            Some(m) => match m.get(*f) {
                Some(v) => val = v,
                None => return Ok(None),
            },
            None => {
                return Err(format!(
                    ".{} accessor error: {} is of the type {}, expected map[string]interface{{}}",
                    fields[..=i].join("."),
                    go_plain(val),
                    go_type_name(val)
                ));
            }
        }
    }
    let ok = match want {
        "int64" => val.as_i64().is_some(),
        _ => val.is_string(),
    };
    if ok {
        Ok(Some(val))
    } else {
        Err(format!(
            ".{} accessor error: {} is of the type {}, expected {want}",
            fields.join("."),
            go_plain(val),
            go_type_name(val)
        ))
    }
}

fn validate_replicas(obj: &Value, path: &str, errs: &mut Vec<FieldError>) {
    match nested_field(obj, path, "int64") {
        Err(e) => errs.push(invalid(path, "0", e)),
        Ok(v) => {
            let n = v.and_then(Value::as_i64).unwrap_or(0);
            if n < 0 {
                errs.push(invalid(
                    path,
                    n.to_string(),
                    "should be a non-negative integer",
                ));
            } else if n > i32::MAX as i64 {
                errs.push(invalid(
                    path,
                    n.to_string(),
                    format!("should be less than or equal to {}", i32::MAX),
                ));
            }
        }
    }
}

/// The scale subresource's check of `specReplicasPath` (on create and update).
pub fn validate_scale_spec(obj: &Value, scale: &ScaleSubresource) -> Vec<FieldError> {
    let mut errs = Vec::new();
    validate_replicas(obj, &scale.spec_replicas_path, &mut errs);
    errs
}

/// The scale subresource's checks of `statusReplicasPath` and `labelSelectorPath` (on create,
/// update and status update).
pub fn validate_scale_status(obj: &Value, scale: &ScaleSubresource) -> Vec<FieldError> {
    let mut errs = Vec::new();
    validate_replicas(obj, &scale.status_replicas_path, &mut errs);
    if let Some(sel) = &scale.label_selector_path
        && let Err(e) = nested_field(obj, sel, "string")
    {
        errs.push(invalid(sel, quote(""), e));
    }
    errs
}

// ---------------------------------------------------------------------------------------------
// CustomResourceDefinition validation (pkg/apis/apiextensions/validation)

static NULL: Value = Value::Null;

/// A version as the internal type holds it after the v1 conversion (identical per-version
/// schemas, subresources, columns and selectable fields are moved to the spec).
struct VersionView<'a> {
    name: String,
    served: bool,
    storage: bool,
    deprecated: bool,
    deprecation_warning: Option<&'a Value>,
    schema: Option<&'a Value>,
    subresources: Option<&'a Value>,
    columns: Vec<&'a Value>,
    selectable_fields: Vec<&'a Value>,
}

struct SpecView<'a> {
    group: String,
    scope: String,
    names: &'a Value,
    preserve_unknown_fields: bool,
    versions_nil: bool,
    versions: Vec<VersionView<'a>>,
    version: String,
    validation: Option<&'a Value>,
    subresources: Option<&'a Value>,
    columns: Vec<&'a Value>,
    selectable_fields: Vec<&'a Value>,
    conversion: Option<&'a Value>,
}

/// Semantic equality: nulls, empty lists and empty maps inside objects are unset; with
/// `drop_zero`, zero scalars too (non-pointer struct fields).
fn normalize(v: &Value, drop_zero: bool) -> Value {
    match v {
        Value::Object(m) => {
            let mut out = Obj::new();
            for (k, x) in m {
                let unset = match x {
                    Value::Null => true,
                    Value::Array(a) => a.is_empty(),
                    Value::Object(o) => o.is_empty(),
                    Value::Bool(b) => drop_zero && !b,
                    Value::String(s) => drop_zero && s.is_empty(),
                    Value::Number(num) => drop_zero && num.as_f64() == Some(0.0),
                };
                if !unset {
                    out.insert(k.clone(), normalize(x, drop_zero));
                }
            }
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(a.iter().map(|x| normalize(x, drop_zero)).collect()),
        other => other.clone(),
    }
}

fn ptr_eq(a: Option<&Value>, b: Option<&Value>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(x), Some(y)) => normalize(x, false) == normalize(y, false),
        _ => false,
    }
}

fn slice_eq(a: &[&Value], b: &[&Value]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| normalize(x, true) == normalize(y, true))
}

impl<'a> SpecView<'a> {
    fn new(crd: &'a Value) -> SpecView<'a> {
        let spec = crd.get("spec").unwrap_or(&NULL);
        let versions_nil = get(spec, "versions").is_none();
        let mut versions: Vec<VersionView<'a>> = arr_of(spec.get("versions"))
            .iter()
            .map(|v| VersionView {
                name: str_of(v, "name").to_string(),
                served: bool_of(v, "served"),
                storage: bool_of(v, "storage"),
                deprecated: bool_of(v, "deprecated"),
                deprecation_warning: get(v, "deprecationWarning"),
                schema: get(v, "schema"),
                subresources: get(v, "subresources"),
                columns: arr_of(v.get("additionalPrinterColumns")).iter().collect(),
                selectable_fields: arr_of(v.get("selectableFields")).iter().collect(),
            })
            .collect();
        let mut view = SpecView {
            group: str_of(spec, "group").to_string(),
            scope: str_of(spec, "scope").to_string(),
            names: spec.get("names").unwrap_or(&NULL),
            preserve_unknown_fields: bool_of(spec, "preserveUnknownFields"),
            versions_nil,
            version: String::new(),
            validation: None,
            subresources: None,
            columns: Vec::new(),
            selectable_fields: Vec::new(),
            conversion: get(spec, "conversion"),
            versions: Vec::new(),
        };
        if let Some(first) = versions.first() {
            view.version = first.name.clone();
            let (s0, r0, c0, f0) = (
                first.schema,
                first.subresources,
                first.columns.clone(),
                first.selectable_fields.clone(),
            );
            if versions.iter().all(|v| ptr_eq(v.schema, s0)) {
                view.validation = s0;
                versions.iter_mut().for_each(|v| v.schema = None);
            }
            if versions.iter().all(|v| ptr_eq(v.subresources, r0)) {
                view.subresources = r0;
                versions.iter_mut().for_each(|v| v.subresources = None);
            }
            if versions.iter().all(|v| slice_eq(&v.columns, &c0)) {
                view.columns = c0;
                versions.iter_mut().for_each(|v| v.columns.clear());
            }
            if versions.iter().all(|v| slice_eq(&v.selectable_fields, &f0)) {
                view.selectable_fields = f0;
                versions
                    .iter_mut()
                    .for_each(|v| v.selectable_fields.clear());
            }
        }
        view.versions = versions;
        view
    }

    /// Every schema of the spec (top-level and per version), as JSONSchemaProps.
    fn schemas(&self) -> Vec<&'a Value> {
        let mut out = Vec::new();
        if let Some(s) = self.validation.and_then(|v| get(v, "openAPIV3Schema")) {
            out.push(s);
        }
        for v in &self.versions {
            if let Some(s) = v.schema.and_then(|v| get(v, "openAPIV3Schema")) {
                out.push(s);
            }
        }
        out
    }

    fn has_schema_with(&self, pred: &dyn Fn(&Value) -> bool) -> bool {
        self.schemas().into_iter().any(|s| schema_has(s, pred))
    }

    fn subresources_for(&self, v: &VersionView<'a>) -> Option<&'a Value> {
        if self.versions.iter().all(|v| v.subresources.is_none()) {
            self.subresources
        } else {
            v.subresources
        }
    }

    fn any_status_enabled(&self) -> bool {
        has_status(self.subresources) || self.versions.iter().any(|v| has_status(v.subresources))
    }

    /// `%#v` of the internal `spec.versions`.
    fn render_versions(&self) -> String {
        const T: &str = "apiextensions.CustomResourceDefinitionVersion";
        if self.versions_nil {
            return format!("[]{T}(nil)");
        }
        let ptr = |present: bool, ty: &str| {
            if present {
                format!("(*{ty})(0xc000000000)")
            } else {
                format!("(*{ty})(nil)")
            }
        };
        let items: Vec<String> = self
            .versions
            .iter()
            .map(|v| {
                let cols = if v.columns.is_empty() {
                    "[]apiextensions.CustomResourceColumnDefinition(nil)".to_string()
                } else {
                    let c: Vec<String> = v
                        .columns
                        .iter()
                        .map(|c| {
                            format!(
                                "apiextensions.CustomResourceColumnDefinition{{Name:{}, Type:{}, Format:{}, Description:{}, Priority:{}, JSONPath:{}}}",
                                quote(str_of(c, "name")),
                                quote(str_of(c, "type")),
                                quote(str_of(c, "format")),
                                quote(str_of(c, "description")),
                                c.get("priority").and_then(Value::as_i64).unwrap_or(0),
                                quote(str_of(c, "jsonPath"))
                            )
                        })
                        .collect();
                    format!("[]apiextensions.CustomResourceColumnDefinition{{{}}}", c.join(", "))
                };
                let fields = if v.selectable_fields.is_empty() {
                    "[]apiextensions.SelectableField(nil)".to_string()
                } else {
                    let f: Vec<String> = v
                        .selectable_fields
                        .iter()
                        .map(|f| format!("apiextensions.SelectableField{{JSONPath:{}}}", quote(str_of(f, "jsonPath"))))
                        .collect();
                    format!("[]apiextensions.SelectableField{{{}}}", f.join(", "))
                };
                format!(
                    "{T}{{Name:{}, Served:{}, Storage:{}, Deprecated:{}, DeprecationWarning:{}, Schema:{}, Subresources:{}, AdditionalPrinterColumns:{cols}, SelectableFields:{fields}}}",
                    quote(&v.name),
                    v.served,
                    v.storage,
                    v.deprecated,
                    ptr(v.deprecation_warning.is_some(), "string"),
                    ptr(v.schema.is_some(), "apiextensions.CustomResourceValidation"),
                    ptr(v.subresources.is_some(), "apiextensions.CustomResourceSubresources"),
                )
            })
            .collect();
        format!("[]{T}{{{}}}", items.join(", "))
    }
}

fn has_status(sub: Option<&Value>) -> bool {
    sub.and_then(|s| get(s, "status")).is_some()
}

/// SchemaHas on a JSONSchemaProps.
fn schema_has(s: &Value, pred: &dyn Fn(&Value) -> bool) -> bool {
    if !s.is_object() {
        return false;
    }
    if pred(s) {
        return true;
    }
    let sub = |v: Option<&Value>| v.is_some_and(|x| x.is_object() && schema_has(x, pred));
    let list = |v: Option<&Value>| arr_of(v).iter().any(|x| schema_has(x, pred));
    let map = |v: Option<&Value>| {
        v.and_then(Value::as_object)
            .is_some_and(|m| m.values().any(|x| schema_has(x, pred)))
    };
    sub(s.get("items"))
        || list(s.get("items"))
        || list(s.get("allOf"))
        || list(s.get("anyOf"))
        || list(s.get("oneOf"))
        || sub(s.get("not"))
        || map(s.get("properties"))
        || sub(s.get("additionalProperties"))
        || map(s.get("patternProperties"))
        || sub(s.get("additionalItems"))
        || map(s.get("definitions"))
        || map(s.get("dependencies"))
}

#[derive(Clone)]
struct CrdOpts {
    require_recognized_crv: bool,
    require_immutable_names: bool,
    require_openapi_schema: bool,
    require_valid_property_type: bool,
    require_structural: bool,
    require_pruned_defaults: bool,
    require_atomic_set_type: bool,
    require_map_list_keys_map_set: bool,
}

const OPENAPI_TYPES: [&str; 6] = ["array", "boolean", "integer", "number", "object", "string"];

fn has_invalid_type(s: &Value) -> bool {
    let t = str_of(s, "type");
    !t.is_empty() && !OPENAPI_TYPES.contains(&t)
}

fn has_non_atomic_set_type(s: &Value) -> bool {
    if s.get("x-kubernetes-list-type").and_then(Value::as_str) != Some("set") {
        return false;
    }
    let Some(is) = get(s, "items").filter(|i| i.is_object()) else {
        return false;
    };
    match str_of(is, "type") {
        "array" => get(is, "x-kubernetes-list-type").is_some_and(|t| t.as_str() != Some("atomic")),
        "object" => get(is, "x-kubernetes-map-type").and_then(Value::as_str) != Some("atomic"),
        _ => false,
    }
}

fn has_invalid_map_list_keys_map_set(s: &Value) -> bool {
    let mut e = Vec::new();
    map_list_keys_map_set(s, "", &mut e);
    !e.is_empty()
}

fn schema_is_non_structural(s: &Value) -> bool {
    match Structural::from_value(s) {
        Err(_) => true,
        Ok(ss) => !validate_structural("", &ss).is_empty(),
    }
}

fn schema_has_unpruned_defaults(s: &Value) -> bool {
    if !schema_has(s, &|x| get(x, "default").is_some()) {
        return false;
    }
    let Ok(ss) = Structural::from_value(s) else {
        return false;
    };
    if !validate_structural("", &ss).is_empty() {
        return false;
    }
    validate_defaults("", &ss, true)
        .iter()
        .any(|e| e.detail == "must not have unknown fields")
}

fn is_condition_true(crd: &Value, t: &str) -> bool {
    arr_of(crd.get("status").and_then(|s| s.get("conditions")))
        .iter()
        .find(|c| str_of(c, "type") == t)
        .is_some_and(|c| str_of(c, "status") == "True")
}

impl CrdOpts {
    fn create() -> CrdOpts {
        CrdOpts {
            require_recognized_crv: true,
            require_immutable_names: false,
            require_openapi_schema: true,
            require_valid_property_type: true,
            require_structural: true,
            require_pruned_defaults: true,
            require_atomic_set_type: true,
            require_map_list_keys_map_set: true,
        }
    }

    fn update(old: &Value) -> CrdOpts {
        let o = SpecView::new(old);
        let crv_ok = match o.conversion {
            None => true,
            Some(c) => {
                let v = strings_of(
                    c.get("webhook")
                        .and_then(|w| w.get("conversionReviewVersions")),
                );
                v.is_empty() || v.iter().any(|x| x == "v1" || x == "v1beta1")
            }
        };
        let all_specify = o
            .validation
            .and_then(|v| get(v, "openAPIV3Schema"))
            .is_some()
            || o.versions
                .iter()
                .all(|v| v.schema.and_then(|s| get(s, "openAPIV3Schema")).is_some());
        CrdOpts {
            require_recognized_crv: crv_ok,
            require_immutable_names: is_condition_true(old, "Established"),
            require_openapi_schema: all_specify,
            require_valid_property_type: !o.has_schema_with(&has_invalid_type),
            require_structural: !o.schemas().into_iter().any(schema_is_non_structural),
            require_pruned_defaults: !o.schemas().into_iter().any(schema_has_unpruned_defaults),
            require_atomic_set_type: !o.has_schema_with(&has_non_atomic_set_type),
            require_map_list_keys_map_set: !o.has_schema_with(&has_invalid_map_list_keys_map_set),
        }
    }
}

/// specStandardValidatorV3's state.
#[derive(Clone)]
struct Ssv {
    allow_defaults: bool,
    disallow_reason: String,
    inside_meta: bool,
    require_valid_type: bool,
}

impl Ssv {
    fn with_forbidden_defaults(&self, reason: &str) -> Ssv {
        Ssv {
            allow_defaults: false,
            disallow_reason: reason.to_string(),
            ..self.clone()
        }
    }
}

fn validate_enum_strings(
    p: &str,
    value: &str,
    accepted: &[&str],
    req: bool,
    errs: &mut Vec<FieldError>,
) {
    if value.is_empty() {
        if req {
            errs.push(required(p, ""));
        }
        return;
    }
    if !accepted.contains(&value) {
        errs.push(not_supported(p, quote(value), accepted));
    }
}

fn deprecation_errors(deprecated: bool, warning: Option<&Value>) -> Vec<String> {
    if !deprecated && warning.is_some() {
        return vec!["can only be set for deprecated versions".into()];
    }
    let Some(w) = warning else {
        return Vec::new();
    };
    let w = w.as_str().unwrap_or("");
    let mut out = Vec::new();
    if w.len() > 256 {
        out.push("must be <= 256 characters long".into());
    }
    if w.is_empty() {
        out.push("must not be an empty string".into());
    }
    if let Some((i, _)) = w.char_indices().find(|(_, c)| !is_print(*c)) {
        out.push(format!(
            "must only contain printable UTF-8 characters; non-printable character found at index {i}"
        ));
    }
    out
}

fn validate_names(names: &Value, p: &str, errs: &mut Vec<FieldError>) {
    for f in ["plural", "singular"] {
        let v = str_of(names, f);
        let e = is_dns1035_label(v);
        if !v.is_empty() && !e.is_empty() {
            errs.push(invalid(&child(p, f), quote(v), e.join(",")));
        }
    }
    for f in ["kind", "listKind"] {
        let v = str_of(names, f);
        let e = is_dns1035_label(&v.to_lowercase());
        if !v.is_empty() && !e.is_empty() {
            errs.push(invalid(
                &child(p, f),
                quote(v),
                format!(
                    "may have mixed case, but should otherwise match: {}",
                    e.join(",")
                ),
            ));
        }
    }
    for (i, s) in strings_of(names.get("shortNames")).iter().enumerate() {
        let e = is_dns1035_label(s);
        if !e.is_empty() {
            errs.push(invalid(
                &index(&child(p, "shortNames"), i),
                quote(s),
                e.join(","),
            ));
        }
    }
    let kind = str_of(names, "kind");
    let list_kind = str_of(names, "listKind");
    if !kind.is_empty() && kind == list_kind {
        errs.push(invalid(
            &child(p, "listKind"),
            quote(list_kind),
            "kind and listKind may not be the same",
        ));
    }
    for (i, s) in strings_of(names.get("categories")).iter().enumerate() {
        let e = is_dns1035_label(s);
        if !e.is_empty() {
            errs.push(invalid(
                &index(&child(p, "categories"), i),
                quote(s),
                e.join(","),
            ));
        }
    }
}

fn validate_simple_json_path(s: &str, p: &str, errs: &mut Vec<FieldError>) -> bool {
    if s.is_empty() {
        errs.push(invalid(p, quote(s), "must not be empty"));
        false
    } else if !s.starts_with('.') {
        errs.push(invalid(
            p,
            quote(s),
            "must be a simple json path starting with .",
        ));
        false
    } else {
        true
    }
}

fn validate_column(col: &Value, p: &str, errs: &mut Vec<FieldError>) {
    const TYPES: &str = "must be one of boolean,date,integer,number,string";
    const FORMATS: &str = "must be one of byte,date,date-time,double,float,int32,int64,password";
    if str_of(col, "name").is_empty() {
        errs.push(required(&child(p, "name"), ""));
    }
    let t = str_of(col, "type");
    if t.is_empty() {
        errs.push(required(&child(p, "type"), TYPES));
    } else if !["integer", "number", "string", "boolean", "date"].contains(&t) {
        errs.push(invalid(&child(p, "type"), quote(t), TYPES));
    }
    let f = str_of(col, "format");
    if !f.is_empty()
        && ![
            "int32",
            "int64",
            "float",
            "double",
            "byte",
            "date",
            "date-time",
            "password",
        ]
        .contains(&f)
    {
        errs.push(invalid(&child(p, "format"), quote(f), FORMATS));
    }
    let jp = str_of(col, "jsonPath");
    if jp.is_empty() {
        errs.push(required(&child(p, "JSONPath"), ""));
    } else {
        validate_simple_json_path(jp, &child(p, "JSONPath"), errs);
    }
}

fn validate_subresources(sub: Option<&Value>, p: &str, errs: &mut Vec<FieldError>) {
    let Some(scale) = sub.and_then(|s| get(s, "scale")) else {
        return;
    };
    for (f, prefix, msg) in [
        (
            "specReplicasPath",
            ".spec.",
            "should be a json path under .spec",
        ),
        (
            "statusReplicasPath",
            ".status.",
            "should be a json path under .status",
        ),
    ] {
        let fp = child(p, &format!("scale.{f}"));
        let v = str_of(scale, f);
        if v.is_empty() {
            errs.push(required(&fp, ""));
        } else if validate_simple_json_path(v, &fp, errs) && !v.starts_with(prefix) {
            errs.push(invalid(&fp, quote(v), msg));
        }
    }
    let sel = str_of(scale, "labelSelectorPath");
    let fp = child(p, "scale.labelSelectorPath");
    if !sel.is_empty()
        && validate_simple_json_path(sel, &fp, errs)
        && !sel.starts_with(".spec.")
        && !sel.starts_with(".status.")
    {
        errs.push(invalid(
            &fp,
            quote(sel),
            "should be a json path under either .spec or .status",
        ));
    }
}

fn validate_selectable_fields(
    fields: &[&Value],
    schema: Option<&Structural>,
    p: &str,
    errs: &mut Vec<FieldError>,
) {
    let mut unique: BTreeSet<String> = BTreeSet::new();
    for (i, f) in fields.iter().enumerate() {
        let jp_path = child(&index(p, i), "jsonPath");
        let jp = str_of(f, "jsonPath");
        if jp.is_empty() {
            errs.push(required(&jp_path, ""));
            continue;
        }
        let found = match schema {
            Some(s) => valid_field_path(jp, s, false),
            None => Err("does not refer to a valid field".to_string()),
        };
        let (path, roots, fs) = match found {
            Ok(x) => x,
            Err(e) => {
                errs.push(invalid(
                    &jp_path,
                    quote(jp),
                    format!("is an invalid path: {e}"),
                ));
                continue;
            }
        };
        if roots.first().map(String::as_str) == Some("metadata") {
            errs.push(invalid(
                &jp_path,
                quote(jp),
                "must not point to fields in metadata",
            ));
        }
        if !matches!(fs.type_.as_str(), "string" | "boolean" | "integer") {
            errs.push(invalid(
                &jp_path,
                quote(jp),
                "must point to a field of type string, boolean or integer. Enum string fields and strings with formats are allowed.",
            ));
        }
        if !unique.insert(path) {
            errs.push(duplicate(&jp_path, quote(jp)));
        }
    }
    if unique.len() > 8 {
        errs.push(too_many(p, unique.len() as i64, 8));
    }
}

/// url.Parse's scheme, userinfo, host, query and fragment, approximately.
struct UrlParts {
    scheme: String,
    user: Option<String>,
    host: String,
    query: String,
    fragment: String,
}

fn parse_url(s: &str) -> Result<UrlParts, String> {
    if s.bytes().any(|b| b < 0x20 || b == 0x7f) {
        return Err(format!(
            "parse {}: net/url: invalid control character in URL",
            quote(s)
        ));
    }
    let (rest, fragment) = match s.split_once('#') {
        Some((r, f)) => (r, f.to_string()),
        None => (s, String::new()),
    };
    let mut scheme = String::new();
    let mut rest = rest;
    for (i, c) in rest.char_indices() {
        if c.is_ascii_alphabetic() || (i > 0 && (c.is_ascii_digit() || "+-.".contains(c))) {
            continue;
        }
        if c == ':' {
            if i == 0 {
                return Err(format!("parse {}: missing protocol scheme", quote(s)));
            }
            scheme = rest[..i].to_lowercase();
            rest = &rest[i + 1..];
        }
        break;
    }
    let (rest, query) = match rest.split_once('?') {
        Some((r, q)) => (r, q.to_string()),
        None => (rest, String::new()),
    };
    let mut user = None;
    let mut host = String::new();
    if let Some(after) = rest.strip_prefix("//") {
        let authority = after.split('/').next().unwrap_or("");
        let hostport = match authority.rsplit_once('@') {
            Some((u, h)) => {
                user = Some(u.to_string());
                h
            }
            None => authority,
        };
        host = hostport.to_string();
    }
    Ok(UrlParts {
        scheme,
        user,
        host,
        query,
        fragment,
    })
}

fn validate_webhook_url(p: &str, url: &str, errs: &mut Vec<FieldError>) {
    const FORM: &str = "; desired format: https://host[/path]";
    match parse_url(url) {
        Err(e) => errs.push(required(p, format!("url must be a valid URL: {e}{FORM}"))),
        Ok(u) => {
            if u.scheme != "https" {
                errs.push(invalid(
                    p,
                    quote(&u.scheme),
                    format!("'https' is the only allowed URL scheme{FORM}"),
                ));
            }
            if u.host.is_empty() {
                errs.push(invalid(
                    p,
                    quote(&u.host),
                    format!("host must be specified{FORM}"),
                ));
            }
            if let Some(user) = u.user {
                errs.push(invalid(
                    p,
                    quote(&user),
                    "user information is not permitted in the URL",
                ));
            }
            if !u.fragment.is_empty() {
                errs.push(invalid(
                    p,
                    quote(&u.fragment),
                    "fragments are not permitted in the URL",
                ));
            }
            if !u.query.is_empty() {
                errs.push(invalid(
                    p,
                    quote(&u.query),
                    "query parameters are not permitted in the URL",
                ));
            }
        }
    }
}

fn validate_webhook_service(p: &str, svc: &Value, errs: &mut Vec<FieldError>) {
    if str_of(svc, "name").is_empty() {
        errs.push(required(&child(p, "name"), "service name is required"));
    }
    if str_of(svc, "namespace").is_empty() {
        errs.push(required(
            &child(p, "namespace"),
            "service namespace is required",
        ));
    }
    let port = svc.get("port").and_then(Value::as_i64).unwrap_or(443);
    if !(1..=65535).contains(&port) {
        errs.push(invalid(
            &child(p, "port"),
            port.to_string(),
            "port is not valid: must be between 1 and 65535, inclusive",
        ));
    }
    let Some(path) = get(svc, "path").and_then(Value::as_str) else {
        return;
    };
    let pp = child(p, "path");
    if path == "/" || path.is_empty() {
        return;
    }
    if path == "//" {
        errs.push(invalid(&pp, quote(path), "segment[0] may not be empty"));
        return;
    }
    if !path.starts_with('/') {
        errs.push(invalid(&pp, quote(path), "must start with a '/'"));
    }
    let mut check = path.get(1..).unwrap_or("");
    if let Some(c) = check.strip_suffix('/') {
        check = c;
    }
    for (i, step) in check.split('/').enumerate() {
        if step.is_empty() {
            errs.push(invalid(
                &pp,
                quote(path),
                format!("segment[{i}] may not be empty"),
            ));
            continue;
        }
        for m in is_dns1123_subdomain(step) {
            errs.push(invalid(&pp, quote(path), format!("segment[{i}]: {m}")));
        }
    }
}

fn validate_conversion(
    conv: Option<&Value>,
    require_recognized: bool,
    p: &str,
    errs: &mut Vec<FieldError>,
) {
    let Some(conv) = conv else { return };
    let strategy = str_of(conv, "strategy");
    validate_enum_strings(
        &child(p, "strategy"),
        strategy,
        &["None", "Webhook"],
        true,
        errs,
    );
    let webhook = get(conv, "webhook");
    let client_config = webhook.and_then(|w| get(w, "clientConfig"));
    let crv = strings_of(webhook.and_then(|w| w.get("conversionReviewVersions")));
    let cc_path = child(p, "webhookClientConfig");
    let crv_path = child(p, "conversionReviewVersions");
    if strategy == "Webhook" {
        match client_config {
            None => errs.push(required(
                &cc_path,
                "required when strategy is set to Webhook",
            )),
            Some(cc) => {
                let url = get(cc, "url").and_then(Value::as_str);
                let svc = get(cc, "service");
                match (url, svc) {
                    (Some(u), None) => validate_webhook_url(&child(&cc_path, "url"), u, errs),
                    (None, Some(s)) => {
                        validate_webhook_service(&child(&cc_path, "service"), s, errs)
                    }
                    _ => errs.push(required(
                        &cc_path,
                        "exactly one of url or service is required",
                    )),
                }
            }
        }
        if crv.is_empty() {
            errs.push(required(&crv_path, ""));
        } else {
            let mut seen = BTreeSet::new();
            let mut accepted = false;
            for (i, v) in crv.iter().enumerate() {
                let ip = index(&crv_path, i);
                if !seen.insert(v.clone()) {
                    errs.push(invalid(&ip, quote(v), "duplicate version"));
                    continue;
                }
                for m in is_dns1035_label(v) {
                    errs.push(invalid(&ip, quote(v), m));
                }
                if v == "v1" || v == "v1beta1" {
                    accepted = true;
                }
            }
            if require_recognized && !accepted {
                errs.push(invalid(
                    &crv_path,
                    render_strings(Some(&crv)),
                    "must include at least one of v1, v1beta1",
                ));
            }
        }
    } else {
        if client_config.is_some() {
            errs.push(forbidden(
                &cc_path,
                "should not be set when strategy is not set to Webhook",
            ));
        }
        if !crv.is_empty() {
            errs.push(forbidden(
                &crv_path,
                "should not be set when strategy is not set to Webhook",
            ));
        }
    }
}

/// JSONSchemaProps fields in Go struct order: JSON name, whether allowed at the root when the
/// status subresource is enabled, and whether it is a plain value (zero when false/"").
const ROOT_FIELDS: [(&str, bool); 43] = [
    ("id", false),
    ("$schema", false),
    ("$ref", false),
    ("description", true),
    ("type", true),
    ("nullable", false),
    ("format", true),
    ("title", true),
    ("default", false),
    ("maximum", true),
    ("exclusiveMaximum", true),
    ("minimum", true),
    ("exclusiveMinimum", true),
    ("maxLength", true),
    ("minLength", true),
    ("pattern", true),
    ("maxItems", true),
    ("minItems", true),
    ("uniqueItems", true),
    ("multipleOf", true),
    ("enum", false),
    ("maxProperties", false),
    ("minProperties", false),
    ("required", true),
    ("items", true),
    ("allOf", false),
    ("oneOf", false),
    ("anyOf", false),
    ("not", false),
    ("properties", true),
    ("additionalProperties", false),
    ("patternProperties", false),
    ("dependencies", false),
    ("additionalItems", false),
    ("definitions", false),
    ("externalDocs", true),
    ("example", true),
    ("x-kubernetes-preserve-unknown-fields", true),
    ("x-kubernetes-embedded-resource", false),
    ("x-kubernetes-int-or-string", false),
    ("x-kubernetes-list-map-keys", false),
    ("x-kubernetes-list-type", false),
    ("x-kubernetes-map-type", false),
];

const ALLOWED_AT_ROOT: &str = "[Description Type Format Title Maximum ExclusiveMaximum Minimum ExclusiveMinimum MaxLength MinLength Pattern MaxItems MinItems UniqueItems MultipleOf Required Items Properties ExternalDocs Example XPreserveUnknownFields XValidations]";

fn is_zero_field(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => true,
        Some(Value::Bool(b)) => !b,
        Some(Value::String(s)) => s.is_empty(),
        Some(_) => false,
    }
}

fn validate_validation(
    cv: Option<&Value>,
    status_enabled: bool,
    opts: &CrdOpts,
    p: &str,
    errs: &mut Vec<FieldError>,
) {
    let Some(schema) = cv.and_then(|v| get(v, "openAPIV3Schema")) else {
        return;
    };
    let sp = child(p, "openAPIV3Schema");
    let mut decode = Vec::new();
    schema_decode_errors(schema, &sp, &mut decode);
    if !decode.is_empty() {
        errs.extend(decode);
        return;
    }
    let mut local = Vec::new();
    if status_enabled {
        for (f, allowed) in ROOT_FIELDS {
            let v = schema.get(f);
            if is_zero_field(v) {
                continue;
            }
            if f == "type" {
                let t = str_of(schema, "type");
                if t != "object" {
                    local.push(invalid(
                        &child(p, "openAPIV3Schema.type"),
                        quote(t),
                        "only \"object\" is allowed as the type at the root of the schema if the status subresource is enabled",
                    ));
                    break;
                }
                continue;
            }
            if !allowed {
                local.push(invalid(
                    &sp,
                    "apiextensions.JSONSchemaProps{...}",
                    format!("only {ALLOWED_AT_ROOT} fields are allowed at the root of the schema if the status subresource is enabled"),
                ));
                break;
            }
        }
    }
    if bool_of(schema, "nullable") {
        local.push(forbidden(
            &child(p, "openAPIV3Schema.nullable"),
            "nullable cannot be true at the root",
        ));
    }
    let ssv = Ssv {
        allow_defaults: true,
        disallow_reason: String::new(),
        inside_meta: false,
        require_valid_type: opts.require_valid_property_type,
    };
    let mut init_errs = Vec::new();
    if opts.require_structural {
        match parse_node(schema) {
            Err(e) => init_errs.push(invalid(&sp, quote(""), e)),
            Ok(ss) => {
                let se = validate_structural(&sp, &ss);
                if !se.is_empty() {
                    local.extend(se);
                } else {
                    local.extend(validate_defaults(&sp, &ss, opts.require_pruned_defaults));
                }
            }
        }
    }
    validate_openapi_schema(schema, &sp, &ssv, true, opts, &mut local);
    if local.is_empty() {
        local.extend(init_errs);
    }
    errs.extend(local);
}

fn has_newlines(s: &str) -> bool {
    s.contains('\n') || s.contains('\r')
}

fn sorted_entries(v: Option<&Value>) -> Vec<(String, &Value)> {
    let mut out: Vec<(String, &Value)> = v
        .and_then(Value::as_object)
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v)).collect())
        .unwrap_or_default();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// ValidateCustomResourceDefinitionOpenAPISchema (without CEL compilation).
fn validate_openapi_schema(
    schema: &Value,
    p: &str,
    ssv: &Ssv,
    is_root: bool,
    opts: &CrdOpts,
    errs: &mut Vec<FieldError>,
) {
    if !schema.is_object() {
        return;
    }
    let c = |f: &str| child(p, f);
    let ty = str_of(schema, "type");
    // specStandardValidatorV3.validate
    if ssv.require_valid_type && !ty.is_empty() && !OPENAPI_TYPES.contains(&ty) {
        errs.push(not_supported(&c("type"), quote(ty), &OPENAPI_TYPES));
    }
    if get(schema, "default").is_some() && !ssv.allow_defaults {
        let mut detail = "must not be set".to_string();
        if !ssv.disallow_reason.is_empty() {
            detail.push(' ');
            detail.push_str(&ssv.disallow_reason);
        }
        errs.push(forbidden(&c("default"), detail));
    }
    if !str_of(schema, "id").is_empty() {
        errs.push(forbidden(&c("id"), "id is not supported"));
    }
    if get(schema, "additionalItems").is_some() {
        errs.push(forbidden(
            &c("additionalItems"),
            "additionalItems is not supported",
        ));
    }
    if get(schema, "patternProperties")
        .and_then(Value::as_object)
        .is_some_and(|m| !m.is_empty())
    {
        errs.push(forbidden(
            &c("patternProperties"),
            "patternProperties is not supported",
        ));
    }
    if get(schema, "definitions")
        .and_then(Value::as_object)
        .is_some_and(|m| !m.is_empty())
    {
        errs.push(forbidden(&c("definitions"), "definitions is not supported"));
    }
    if get(schema, "dependencies").is_some() {
        errs.push(forbidden(
            &c("dependencies"),
            "dependencies is not supported",
        ));
    }
    if get(schema, "$ref").is_some() {
        errs.push(forbidden(&c("$ref"), "$ref is not supported"));
    }
    if ty == "null" {
        errs.push(forbidden(
            &c("type"),
            "type cannot be set to null, use nullable as an alternative",
        ));
    }
    if get(schema, "items")
        .and_then(Value::as_array)
        .is_some_and(|a| !a.is_empty())
    {
        errs.push(forbidden(
            &c("items"),
            "items must be a schema object and not an array",
        ));
    }
    if ssv.inside_meta && bool_of(schema, "x-kubernetes-embedded-resource") {
        errs.push(forbidden(
            &c("x-kubernetes-embedded-resource"),
            "must not be used inside of resource meta",
        ));
    }
    // end of validate
    if bool_of(schema, "uniqueItems") {
        errs.push(forbidden(
            &c("uniqueItems"),
            "uniqueItems cannot be set to true since the runtime complexity becomes quadratic",
        ));
    }
    let props = sorted_entries(get(schema, "properties"));
    if let Some(ap) = get(schema, "additionalProperties") {
        if !props.is_empty() && (ap == &Value::Bool(false) || ap.is_object()) {
            errs.push(forbidden(
                &c("additionalProperties"),
                "additionalProperties and properties are mutual exclusive",
            ));
        }
        let sub = if ssv.inside_meta {
            ssv.with_forbidden_defaults("inside additionalProperties applying to object metadata")
        } else {
            ssv.clone()
        };
        validate_openapi_schema(ap, &c("additionalProperties"), &sub, false, opts, errs);
    }
    let embedded = bool_of(schema, "x-kubernetes-embedded-resource");
    for (k, ps) in &props {
        let mut sub = ssv.clone();
        if (is_root || embedded) && META_FIELDS.contains(&k.as_str()) {
            sub.inside_meta = true;
            if is_root {
                sub = sub.with_forbidden_defaults(&format!("in top-level {k}"));
            }
        }
        validate_openapi_schema(ps, &key(&c("properties"), k), &sub, false, opts, errs);
    }
    if let Some(n) = get(schema, "not") {
        validate_openapi_schema(n, &c("not"), ssv, false, opts, errs);
    }
    for f in ["allOf", "oneOf", "anyOf"] {
        for (i, x) in arr_of(schema.get(f)).iter().enumerate() {
            validate_openapi_schema(x, &index(&c(f), i), ssv, false, opts, errs);
        }
    }
    for (k, d) in sorted_entries(get(schema, "definitions")) {
        validate_openapi_schema(d, &key(&c("definitions"), &k), ssv, false, opts, errs);
    }
    match get(schema, "items") {
        Some(Value::Array(a)) => {
            for (i, x) in a.iter().enumerate() {
                validate_openapi_schema(x, &index(&c("items"), i), ssv, false, opts, errs);
            }
        }
        Some(items) => validate_openapi_schema(items, &c("items"), ssv, false, opts, errs),
        None => {}
    }
    for (k, d) in sorted_entries(get(schema, "dependencies")) {
        validate_openapi_schema(d, &key(&c("dependencies"), &k), ssv, false, opts, errs);
    }
    if schema.get("x-kubernetes-preserve-unknown-fields") == Some(&Value::Bool(false)) {
        errs.push(invalid(
            &c("x-kubernetes-preserve-unknown-fields"),
            "false",
            "must be true or undefined",
        ));
    }
    let map_type = get(schema, "x-kubernetes-map-type").and_then(Value::as_str);
    if map_type.is_some() && ty != "object" {
        if ty.is_empty() {
            errs.push(required(
                &c("type"),
                "must be object if x-kubernetes-map-type is specified",
            ));
        } else {
            errs.push(invalid(
                &c("type"),
                quote(ty),
                "must be object if x-kubernetes-map-type is specified",
            ));
        }
    }
    if let Some(mt) = map_type.filter(|m| *m != "atomic" && *m != "granular") {
        errs.push(not_supported(
            &c("x-kubernetes-map-type"),
            quote(mt),
            &["atomic", "granular"],
        ));
    }
    let list_type = get(schema, "x-kubernetes-list-type").and_then(Value::as_str);
    let items = get(schema, "items");
    let item_schema = items.filter(|i| i.is_object());
    if list_type.is_some() && ty != "array" {
        if ty.is_empty() {
            errs.push(required(
                &c("type"),
                "must be array if x-kubernetes-list-type is specified",
            ));
        } else {
            errs.push(invalid(
                &c("type"),
                quote(ty),
                "must be array if x-kubernetes-list-type is specified",
            ));
        }
    } else if opts.require_atomic_set_type
        && list_type == Some("set")
        && let Some(is) = item_schema
    {
        let item_list_type = get(is, "x-kubernetes-list-type").and_then(Value::as_str);
        match str_of(is, "type") {
            "array" => {
                if let Some(lt) = item_list_type.filter(|t| *t != "atomic") {
                    errs.push(invalid(
                        &child(&c("items"), "x-kubernetes-list-type"),
                        quote(lt),
                        "must be atomic as item of a list with x-kubernetes-list-type=set",
                    ));
                }
            }
            "object"
                if get(is, "x-kubernetes-map-type").and_then(Value::as_str) != Some("atomic") =>
            {
                errs.push(invalid(
                    &child(&c("items"), "x-kubernetes-map-type"),
                    item_list_type.map_or_else(|| "null".to_string(), quote),
                    "must be atomic as item of a list with x-kubernetes-list-type=set",
                ));
            }
            _ => {}
        }
    }
    if let Some(lt) = list_type.filter(|t| !["atomic", "set", "map"].contains(t)) {
        errs.push(not_supported(
            &c("x-kubernetes-list-type"),
            quote(lt),
            &["atomic", "set", "map"],
        ));
    }
    let map_keys = strings_of(get(schema, "x-kubernetes-list-map-keys"));
    if !map_keys.is_empty() {
        match list_type {
            None => errs.push(required(
                &c("x-kubernetes-list-type"),
                "must be map if x-kubernetes-list-map-keys is non-empty",
            )),
            Some(lt) if lt != "map" => errs.push(invalid(
                &c("x-kubernetes-list-type"),
                quote(lt),
                "must be map if x-kubernetes-list-map-keys is non-empty",
            )),
            _ => {}
        }
    }
    if list_type == Some("map") {
        if map_keys.is_empty() {
            errs.push(required(
                &c("x-kubernetes-list-map-keys"),
                "must not be empty if x-kubernetes-list-type is map",
            ));
        }
        match items {
            None => errs.push(required(
                &c("items"),
                "must have a schema if x-kubernetes-list-type is map",
            )),
            Some(i) if !i.is_object() => errs.push(invalid(
                &c("items"),
                "apiextensions.JSONSchemaPropsOrArray{...}",
                "must only have a single schema if x-kubernetes-list-type is map",
            )),
            Some(_) => {}
        }
        if let Some(is) = item_schema {
            let it = str_of(is, "type");
            if it != "object" {
                errs.push(invalid(
                    &child(&c("items"), "type"),
                    quote(it),
                    "must be object if parent array's x-kubernetes-list-type is map",
                ));
            } else {
                let mut seen = BTreeSet::new();
                for k in &map_keys {
                    match is.get("properties").and_then(|p| p.get(k.as_str())) {
                        Some(ks) => {
                            if matches!(str_of(ks, "type"), "array" | "object") {
                                errs.push(invalid(
                                    &child(&key(&child(&c("items"), "properties"), k), "type"),
                                    quote(it),
                                    "must be a scalar type if parent array's x-kubernetes-list-type is map",
                                ));
                            }
                        }
                        None => errs.push(invalid(
                            &c("x-kubernetes-list-map-keys"),
                            render_strings(Some(&map_keys)),
                            "entries must all be names of item properties",
                        )),
                    }
                    if !seen.insert(k.clone()) {
                        errs.push(invalid(
                            &c("x-kubernetes-list-map-keys"),
                            render_strings(Some(&map_keys)),
                            "must not contain duplicate entries",
                        ));
                    }
                }
            }
        }
    }
    if opts.require_map_list_keys_map_set {
        map_list_keys_map_set(schema, p, errs);
    }
    const REASONS: [&str; 4] = [
        "FieldValueDuplicate",
        "FieldValueForbidden",
        "FieldValueInvalid",
        "FieldValueRequired",
    ];
    for (i, r) in arr_of(schema.get("x-kubernetes-validations"))
        .iter()
        .enumerate()
    {
        let rp = index(&c("x-kubernetes-validations"), i);
        let rule = str_of(r, "rule");
        let msg = str_of(r, "message");
        let trimmed_rule = rule.trim();
        let trimmed_msg = msg.trim();
        if trimmed_rule.is_empty() {
            errs.push(required(&child(&rp, "rule"), "rule is not specified"));
        } else if !msg.is_empty() && trimmed_msg.is_empty() {
            errs.push(invalid(
                &child(&rp, "message"),
                quote(msg),
                "message must be non-empty if specified",
            ));
        } else if has_newlines(trimmed_msg) {
            errs.push(invalid(
                &child(&rp, "message"),
                quote(msg),
                "message must not contain line breaks",
            ));
        } else if has_newlines(trimmed_rule) && trimmed_msg.is_empty() {
            errs.push(required(
                &child(&rp, "message"),
                "message must be specified if rule contains line breaks",
            ));
        }
        let mexpr = str_of(r, "messageExpression");
        if !mexpr.is_empty() && mexpr.trim().is_empty() {
            errs.push(required(
                &child(&rp, "messageExpression"),
                "messageExpression must be non-empty if specified",
            ));
        }
        if let Some(reason) = get(r, "reason")
            .and_then(Value::as_str)
            .filter(|x| !REASONS.contains(x))
        {
            errs.push(not_supported(
                &child(&rp, "reason"),
                quote(reason),
                &REASONS,
            ));
        }
        let fp = str_of(r, "fieldPath");
        if !fp.is_empty() && fp.trim().is_empty() {
            errs.push(invalid(
                &child(&rp, "fieldPath"),
                quote(fp),
                "fieldPath must be non-empty if specified",
            ));
        }
        if has_newlines(fp) {
            errs.push(invalid(
                &child(&rp, "fieldPath"),
                quote(fp),
                "fieldPath must not contain line breaks",
            ));
        }
        if !fp.is_empty() {
            let valid = match parse_node(schema) {
                Ok(ss) => valid_field_path(fp, &ss, true).is_ok(),
                Err(_) => true,
            };
            if !valid {
                errs.push(invalid(
                    &child(&rp, "fieldPath"),
                    quote(fp),
                    "fieldPath must be a valid path",
                ));
            }
        }
    }
}

fn map_list_keys_map_set(schema: &Value, p: &str, errs: &mut Vec<FieldError>) {
    let Some(is) = get(schema, "items").filter(|i| i.is_object()) else {
        return;
    };
    let Some(lt) = get(schema, "x-kubernetes-list-type").and_then(Value::as_str) else {
        return;
    };
    if lt != "set" && lt != "map" {
        return;
    }
    let ip = child(p, "items");
    if bool_of(is, "nullable") {
        errs.push(forbidden(
            &child(&ip, "nullable"),
            format!("cannot be nullable when x-kubernetes-list-type is {lt}"),
        ));
    }
    if lt == "map" {
        let req = strings_of(is.get("required"));
        for k in strings_of(get(schema, "x-kubernetes-list-map-keys")) {
            let Some(ks) = is.get("properties").and_then(|p| p.get(k.as_str())) else {
                continue;
            };
            let kp = key(&child(&ip, "properties"), &k);
            if !req.contains(&k) && get(ks, "default").is_none() {
                errs.push(required(
                    &child(&kp, "default"),
                    "this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property",
                ));
            }
            if bool_of(ks, "nullable") {
                errs.push(forbidden(
                    &child(&kp, "nullable"),
                    "this property is in x-kubernetes-list-map-keys, so it cannot be nullable",
                ));
            }
        }
    }
}

#[derive(Clone)]
enum Step {
    Child(String),
    Index,
}

/// The object a metadata default sits in (SurroundingObjectFunc), typed as `validation/v1`
/// `Validation` when apiVersion/kind are missing.
fn surround(steps: &[Step], v: Value) -> Value {
    let mut x = v;
    for s in steps.iter().rev() {
        x = match s {
            Step::Child(k) => {
                let mut m = Obj::new();
                m.insert(k.clone(), x);
                Value::Object(m)
            }
            Step::Index => Value::Array(vec![x]),
        };
    }
    if let Some(m) = x.as_object_mut() {
        m.entry("kind").or_insert_with(|| json!("Validation"));
        m.entry("apiVersion")
            .or_insert_with(|| json!("validation/v1"));
    }
    x
}

/// defaulting.ValidateDefaults for a resource root schema.
fn validate_defaults(p: &str, ss: &Structural, require_pruned: bool) -> Vec<FieldError> {
    let mut root = ss.clone();
    root.embedded_resource = true;
    let mut errs = Vec::new();
    defaults_rec(p, &root, &root, &[], false, require_pruned, &mut errs);
    errs
}

fn defaults_rec(
    p: &str,
    s: &Structural,
    root: &Structural,
    steps: &[Step],
    inside_meta: bool,
    require_pruned: bool,
    errs: &mut Vec<FieldError>,
) {
    let (root, steps, inside_meta): (&Structural, &[Step], bool) = if s.embedded_resource {
        (s, &[], false)
    } else {
        (root, steps, inside_meta)
    };
    if let Some(d) = &s.default {
        let dp = child(p, "default");
        if inside_meta {
            let mut obj = surround(steps, d.clone());
            let mut unknown = Vec::new();
            if let Some(e) = coerce(None, &mut obj, Some(root), true, &mut unknown) {
                errs.push(invalid(
                    &dp,
                    render(d),
                    format!("must result in valid metadata: {e}"),
                ));
            } else {
                let mut me = Vec::new();
                objectmeta_validate(None, &obj, Some(root), true, &mut me);
                if !me.is_empty() {
                    errs.push(invalid(
                        &dp,
                        render(d),
                        format!("must result in valid metadata: {}", aggregate(&me)),
                    ));
                } else {
                    errs.extend(validate_value(s, d, Some(&dp), None, Mode::Structural));
                }
            }
        } else {
            if require_pruned {
                let mut pruned = d.clone();
                prune_node(
                    &mut pruned,
                    Some(s),
                    s.embedded_resource,
                    &mut PathTrack::new(),
                );
                if pruned != *d {
                    errs.push(invalid(&dp, render(d), "must not have unknown fields"));
                }
            }
            let mut dd = d.clone();
            let mut unknown = Vec::new();
            if let Some(e) = coerce(
                Some(&dp),
                &mut dd,
                Some(s),
                s.embedded_resource,
                &mut unknown,
            ) {
                errs.push(e);
            } else {
                let mut me = Vec::new();
                objectmeta_validate(Some(&dp), &dd, Some(s), s.embedded_resource, &mut me);
                if !me.is_empty() {
                    errs.extend(me);
                } else {
                    errs.extend(validate_value(s, &dd, Some(&dp), None, Mode::Structural));
                }
            }
        }
    }
    if let Some(items) = &s.items {
        let mut st = steps.to_vec();
        st.push(Step::Index);
        defaults_rec(
            &child(p, "items"),
            items,
            root,
            &st,
            inside_meta,
            require_pruned,
            errs,
        );
    }
    for (k, sub) in &s.properties {
        let sub_meta = inside_meta || (s.embedded_resource && META_FIELDS.contains(&k.as_str()));
        let mut st = steps.to_vec();
        st.push(Step::Child(k.clone()));
        defaults_rec(
            &key(&child(p, "properties"), k),
            sub,
            root,
            &st,
            sub_meta,
            require_pruned,
            errs,
        );
    }
}

const API_APPROVAL: &str = "api-approved.kubernetes.io";

#[derive(PartialEq, Eq, Clone, Copy)]
enum Approval {
    Invalid,
    Approved,
    Bypassed,
    Missing,
}

fn approval_state(crd: &Value) -> (Approval, String, String) {
    let ann = crd
        .get("metadata")
        .and_then(|m| m.get("annotations"))
        .map(|a| str_of(a, API_APPROVAL))
        .unwrap_or("")
        .to_string();
    if ann.is_empty() {
        return (
            Approval::Missing,
            format!(
                "protected groups must have approval annotation {}, see https://github.com/kubernetes/enhancements/pull/1111",
                quote(API_APPROVAL)
            ),
            ann,
        );
    }
    if ann.starts_with("unapproved") {
        return (Approval::Bypassed, String::new(), ann);
    }
    let is_url = is_request_uri(&ann)
        && parse_url(&ann).is_ok_and(|u| !u.scheme.is_empty() && !u.host.is_empty());
    if is_url {
        return (Approval::Approved, String::new(), ann);
    }
    (
        Approval::Invalid,
        format!(
            "protected groups must have approval annotation {} with either a URL or a reason starting with \"unapproved\", see https://github.com/kubernetes/enhancements/pull/1111",
            quote(API_APPROVAL)
        ),
        ann,
    )
}

fn validate_api_approval(
    crd: &Value,
    old: Option<&Value>,
    group: &str,
    errs: &mut Vec<FieldError>,
) {
    let protected = group == "k8s.io"
        || group.ends_with(".k8s.io")
        || group == "kubernetes.io"
        || group.ends_with(".kubernetes.io");
    if !protected {
        return;
    }
    let (state, reason, ann) = approval_state(crd);
    if old.is_some_and(|o| approval_state(o).0 == state) {
        return;
    }
    let p = key("metadata.annotations", API_APPROVAL);
    match state {
        Approval::Invalid => errs.push(invalid(&p, quote(&ann), reason)),
        Approval::Missing => errs.push(required(&p, reason)),
        Approval::Approved | Approval::Bypassed => {}
    }
}

fn validate_stored_versions(crd: &Value, spec: &SpecView, errs: &mut Vec<FieldError>) {
    let p = "status.storedVersions";
    let raw = crd.get("status").and_then(|s| get(s, "storedVersions"));
    let stored = strings_of(raw);
    if stored.is_empty() {
        let shown = if raw.is_some() {
            render_strings(Some(&stored))
        } else {
            render_strings(None)
        };
        errs.push(invalid(p, shown, "must have at least one stored version"));
        return;
    }
    let mut remaining: BTreeMap<String, usize> = BTreeMap::new();
    for (i, v) in stored.iter().enumerate() {
        remaining.insert(v.clone(), i);
    }
    for v in &spec.versions {
        let found = remaining.contains_key(&v.name);
        if v.storage && !found {
            errs.push(invalid(
                p,
                render_strings(Some(&stored)),
                format!("must have the storage version {}", v.name),
            ));
        }
        if found {
            remaining.remove(&v.name);
        }
    }
    let mut left: Vec<(usize, String)> = remaining.into_iter().map(|(v, i)| (i, v)).collect();
    left.sort();
    for (i, v) in left {
        errs.push(invalid(
            &index(p, i),
            quote(&v),
            format!("missing from spec.versions; {v} was previously a storage version, and must remain in spec.versions until a storage migration ensures no data remains persisted in {v} and removes {v} from status.storedVersions"),
        ));
    }
}

/// ObjectMeta errors of a CRD on create, with the name rule `<plural>.<group>`.
fn crd_meta_errors(crd: &Value, spec: &SpecView) -> Vec<FieldError> {
    let base = crate::validation::validate_create(CRD_API_VERSION, CRD_KIND, crd);
    let want = format!("{}.{}", str_of(spec.names, "plural"), spec.group);
    const MSG: &str = "must be spec.names.plural+\".\"+spec.group";
    let md = crd.get("metadata").unwrap_or(&NULL);
    let gen_name = str_of(md, "generateName");
    let name = str_of(md, "name");
    let mut out = Vec::new();
    let mut it = base.into_iter().peekable();
    while let Some(e) = it.next_if(|e| e.field == "metadata.generateName") {
        out.push(e);
    }
    if !gen_name.is_empty() && gen_name != want {
        out.push(invalid("metadata.generateName", quote(gen_name), MSG));
    }
    while let Some(e) = it.next_if(|e| e.field == "metadata.name") {
        out.push(e);
    }
    if !name.is_empty() && name != want {
        out.push(invalid("metadata.name", quote(name), MSG));
    }
    out.extend(it);
    out
}

fn validate_crd_spec(spec: &SpecView, opts: &CrdOpts, errs: &mut Vec<FieldError>) {
    let mut opts = opts.clone();
    if spec.group.is_empty() {
        errs.push(required("spec.group", ""));
    } else {
        let e = is_dns1123_subdomain(&spec.group);
        if !e.is_empty() {
            errs.push(invalid("spec.group", quote(&spec.group), e.join(",")));
        } else if spec.group.split('.').count() < 2 {
            errs.push(invalid(
                "spec.group",
                quote(&spec.group),
                "should be a domain with at least one dot",
            ));
        }
    }
    validate_enum_strings(
        "spec.scope",
        &spec.scope,
        &["Cluster", "Namespaced"],
        true,
        errs,
    );
    if !spec.preserve_unknown_fields {
        opts.require_structural = true;
    }
    let top_schema = spec
        .validation
        .and_then(|v| get(v, "openAPIV3Schema"))
        .is_some();
    if opts.require_openapi_schema {
        if !top_schema {
            for (i, v) in spec.versions.iter().enumerate() {
                if v.schema.and_then(|s| get(s, "openAPIV3Schema")).is_none() {
                    errs.push(required(
                        &format!("spec.versions[{i}].schema.openAPIV3Schema"),
                        "schemas are required",
                    ));
                }
            }
        }
    } else if !spec.preserve_unknown_fields && !top_schema {
        for (i, v) in spec.versions.iter().enumerate() {
            if v.served && v.schema.and_then(|s| get(s, "openAPIV3Schema")).is_none() {
                errs.push(required(
                    &format!("spec.versions[{i}].schema.openAPIV3Schema"),
                    "because otherwise all fields are pruned",
                ));
            }
        }
    }
    if spec.has_schema_with(&|s| get(s, "default").is_some()) {
        opts.require_structural = true;
        if spec.preserve_unknown_fields {
            errs.push(invalid(
                "spec.preserveUnknownFields",
                "true",
                "must be false in order to use defaults in the schema",
            ));
        }
    }
    let has_k8s_ext = |s: &Value| {
        bool_of(s, "x-kubernetes-embedded-resource")
            || get(s, "x-kubernetes-preserve-unknown-fields").is_some()
            || bool_of(s, "x-kubernetes-int-or-string")
            || !strings_of(get(s, "x-kubernetes-list-map-keys")).is_empty()
            || get(s, "x-kubernetes-list-type").is_some()
            || !arr_of(s.get("x-kubernetes-validations")).is_empty()
    };
    if spec.has_schema_with(&has_k8s_ext) {
        opts.require_structural = true;
    }
    let mut storage = 0;
    let mut names = BTreeSet::new();
    let mut unique = true;
    for (i, v) in spec.versions.iter().enumerate() {
        let vp = format!("spec.versions[{i}]");
        if v.storage {
            storage += 1;
        }
        if !names.insert(v.name.clone()) {
            unique = false;
        }
        let e = is_dns1035_label(&v.name);
        if !e.is_empty() {
            errs.push(invalid(&child(&vp, "name"), quote(&v.name), e.join(",")));
        }
        let status_enabled = has_status(spec.subresources_for(v));
        for m in deprecation_errors(v.deprecated, v.deprecation_warning) {
            let shown = v.deprecation_warning.map_or_else(|| "null".into(), render);
            errs.push(invalid(&child(&vp, "deprecationWarning"), shown, m));
        }
        validate_validation(v.schema, status_enabled, &opts, &child(&vp, "schema"), errs);
        validate_subresources(v.subresources, &child(&vp, "subresources"), errs);
        for (ci, col) in v.columns.iter().enumerate() {
            validate_column(
                col,
                &index(&child(&vp, "additionalPrinterColumns"), ci),
                errs,
            );
        }
        if !v.selectable_fields.is_empty() {
            match v.schema.and_then(|s| get(s, "openAPIV3Schema")) {
                None => errs.push(invalid(
                    &child(&vp, "selectableFields"),
                    quote(""),
                    "selectableFields may only be set when version.schema.openAPIV3Schema is not included",
                )),
                Some(sc) => {
                    let ss = Structural::from_value(sc);
                    if let Err(e) = &ss {
                        errs.push(invalid(&child(&vp, "schema.openAPIV3Schema"), quote(""), e));
                    }
                    validate_selectable_fields(&v.selectable_fields, ss.as_ref().ok(), &child(&vp, "selectableFields"), errs);
                }
            }
        }
    }
    if !unique {
        errs.push(invalid(
            "spec.versions",
            spec.render_versions(),
            "must contain unique version names",
        ));
    }
    if storage != 1 {
        errs.push(invalid(
            "spec.versions",
            spec.render_versions(),
            "must have exactly one version marked as storage version",
        ));
    }
    if !spec.version.is_empty() {
        let e = is_dns1035_label(&spec.version);
        if !e.is_empty() {
            errs.push(invalid("spec.version", quote(&spec.version), e.join(",")));
        }
    }
    for f in ["plural", "singular", "kind", "listKind"] {
        if str_of(spec.names, f).is_empty() {
            errs.push(required(&format!("spec.names.{f}"), ""));
        }
    }
    validate_names(spec.names, "spec.names", errs);
    validate_validation(
        spec.validation,
        spec.any_status_enabled(),
        &opts,
        "spec.validation",
        errs,
    );
    validate_subresources(spec.subresources, "spec.subresources", errs);
    for (i, col) in spec.columns.iter().enumerate() {
        validate_column(col, &format!("spec.additionalPrinterColumns[{i}]"), errs);
    }
    if !spec.selectable_fields.is_empty() {
        match spec.validation {
            None => errs.push(invalid(
                "spec.selectableFields",
                quote(""),
                "selectableFields may only be set when validations.schema is included",
            )),
            Some(v) => {
                let ss = get(v, "openAPIV3Schema").map(Structural::from_value);
                if let Some(Err(e)) = &ss {
                    errs.push(invalid("spec.schema.openAPIV3Schema", quote(""), e));
                }
                let s = ss.as_ref().and_then(|r| r.as_ref().ok());
                validate_selectable_fields(
                    &spec.selectable_fields,
                    s,
                    "spec.selectableFields",
                    errs,
                );
            }
        }
    }
    if let Some(conv) = spec.conversion {
        let strategy = str_of(conv, "strategy");
        if strategy != "None" && spec.preserve_unknown_fields {
            errs.push(invalid(
                "spec.conversion.strategy",
                quote(strategy),
                "must be None if spec.preserveUnknownFields is true",
            ));
        }
    }
    validate_conversion(
        spec.conversion,
        opts.require_recognized_crv,
        "spec.conversion",
        errs,
    );
}

/// Validate a CustomResourceDefinition (`apiextensions.k8s.io/v1`, after [`default_crd`] and
/// [`prepare_crd_for_create`] / [`prepare_crd_for_update`]) as upstream's
/// `ValidateCustomResourceDefinition` (create, `old` None) or
/// `ValidateCustomResourceDefinitionUpdate` does: ObjectMeta (through `crate::validation`;
/// `metadata.name` must be `<spec.names.plural>.<spec.group>`), group, scope, names, versions
/// (unique DNS-1035 names, exactly one storage version), schemas (required, structural, valid
/// defaults, list/map types, metadata restrictions), subresources, printer columns, selectable
/// fields, conversion, `status.acceptedNames`, `status.storedVersions`, the API approval
/// annotation of `*.k8s.io` groups and `spec.preserveUnknownFields`. On update `spec.group` and
/// `spec.names.plural` are immutable, and `spec.scope` and `spec.names.kind` once the CRD is
/// Established; checks that would reject already stored schemas are relaxed as upstream does.
///
/// As upstream converts v1 to its internal version first, errors about a schema (or
/// subresources, columns) that all versions share are reported under `spec.validation`
/// (`spec.subresources`, `spec.additionalPrinterColumns`), otherwise under
/// `spec.versions[i].schema`.
pub fn validate_crd(crd: &Value, old: Option<&Value>) -> Vec<FieldError> {
    let spec = SpecView::new(crd);
    let opts = old.map_or_else(CrdOpts::create, CrdOpts::update);
    let mut errs = match old {
        None => crd_meta_errors(crd, &spec),
        Some(o) => crate::validation::validate_update(CRD_API_VERSION, CRD_KIND, crd, o),
    };
    validate_crd_spec(&spec, &opts, &mut errs);
    if let Some(o) = old {
        let os = SpecView::new(o);
        if opts.require_immutable_names {
            if spec.scope != os.scope {
                errs.push(invalid(
                    "spec.scope",
                    quote(&spec.scope),
                    "field is immutable",
                ));
            }
            let (k, ok) = (str_of(spec.names, "kind"), str_of(os.names, "kind"));
            if k != ok {
                errs.push(invalid("spec.names.kind", quote(k), "field is immutable"));
            }
        }
        if spec.group != os.group {
            errs.push(invalid(
                "spec.group",
                quote(&spec.group),
                "field is immutable",
            ));
        }
        let (pl, opl) = (str_of(spec.names, "plural"), str_of(os.names, "plural"));
        if pl != opl {
            errs.push(invalid(
                "spec.names.plural",
                quote(pl),
                "field is immutable",
            ));
        }
    }
    let accepted = crd
        .get("status")
        .and_then(|s| s.get("acceptedNames"))
        .unwrap_or(&NULL);
    validate_names(accepted, "status.acceptedNames", &mut errs);
    validate_stored_versions(crd, &spec, &mut errs);
    validate_api_approval(crd, old, &spec.group, &mut errs);
    let old_preserve = old.is_some_and(|o| SpecView::new(o).preserve_unknown_fields);
    if !old_preserve && spec.preserve_unknown_fields {
        errs.push(invalid(
            "spec.preserveUnknownFields",
            "true",
            "cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead",
        ));
    }
    errs
}

/// `ValidateUpdateCustomResourceDefinitionStatus`: an update through the `status` subresource.
pub fn validate_crd_status_update(crd: &Value, old: &Value) -> Vec<FieldError> {
    let mut errs = crate::validation::validate_update(CRD_API_VERSION, CRD_KIND, crd, old);
    let accepted = crd
        .get("status")
        .and_then(|s| s.get("acceptedNames"))
        .unwrap_or(&NULL);
    validate_names(accepted, "status.acceptedNames", &mut errs);
    errs
}

// ---------------------------------------------------------------------------------------------
// CustomResourceDefinition defaulting, strategy and status

fn obj_mut<'a>(v: &'a mut Value, k: &str) -> Option<&'a mut Obj> {
    let m = v.as_object_mut()?;
    let e = m
        .entry(k.to_string())
        .or_insert_with(|| Value::Object(Obj::new()));
    if e.is_null() {
        *e = Value::Object(Obj::new());
    }
    e.as_object_mut()
}

fn first_storage_version(crd: &Value) -> Option<String> {
    arr_of(crd.get("spec").and_then(|s| s.get("versions")))
        .iter()
        .find(|v| bool_of(v, "storage"))
        .map(|v| str_of(v, "name").to_string())
}

/// upstream's v1 `SetDefaults_CustomResourceDefinition`: `spec.names.singular` (lowercased kind),
/// `spec.names.listKind` (`<Kind>List`), `spec.conversion` (`strategy: None`), the webhook
/// service port (443) and `status.storedVersions` (the storage version).
pub fn default_crd(crd: &mut Value) {
    let storage = first_storage_version(crd);
    if let Some(spec) = obj_mut(crd, "spec") {
        let mut spec_v = Value::Object(std::mem::take(spec));
        if let Some(names) = obj_mut(&mut spec_v, "names") {
            let kind = names
                .get("kind")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            if names
                .get("singular")
                .and_then(Value::as_str)
                .unwrap_or("")
                .is_empty()
                && !kind.is_empty()
            {
                names.insert("singular".into(), json!(kind.to_lowercase()));
            }
            if names
                .get("listKind")
                .and_then(Value::as_str)
                .unwrap_or("")
                .is_empty()
                && !kind.is_empty()
            {
                names.insert("listKind".into(), json!(format!("{kind}List")));
            }
        }
        if let Some(s) = spec_v.as_object_mut()
            && s.get("conversion").is_none_or(Value::is_null)
        {
            s.insert("conversion".into(), json!({"strategy": "None"}));
        }
        if let Some(svc) = spec_v
            .pointer_mut("/conversion/webhook/clientConfig/service")
            .and_then(Value::as_object_mut)
            && svc.get("port").is_none_or(Value::is_null)
        {
            svc.insert("port".into(), json!(443));
        }
        if let Some(spec) = crd.get_mut("spec") {
            *spec = spec_v;
        }
    }
    if let Some(storage) = storage
        && strings_of(crd.get("status").and_then(|s| s.get("storedVersions"))).is_empty()
        && let Some(status) = obj_mut(crd, "status")
    {
        status.insert("storedVersions".into(), json!([storage]));
    }
}

fn empty_crd_status() -> Value {
    json!({"acceptedNames": {"plural": "", "kind": ""}})
}

fn add_stored_version(crd: &mut Value) {
    let Some(storage) = first_storage_version(crd) else {
        return;
    };
    if let Some(status) = obj_mut(crd, "status") {
        let list = status.entry("storedVersions").or_insert_with(|| json!([]));
        if !list.is_array() {
            *list = json!([]);
        }
        if let Some(a) = list.as_array_mut()
            && !a.iter().any(|v| v.as_str() == Some(storage.as_str()))
        {
            a.push(json!(storage));
        }
    }
}

/// The registry strategy's `PrepareForCreate`: the status is reset (empty accepted names, the
/// storage version as the stored version) and `metadata.generation` is 1.
pub fn prepare_crd_for_create(crd: &mut Value) {
    if let Some(m) = crd.as_object_mut() {
        m.insert("status".into(), empty_crd_status());
    }
    add_stored_version(crd);
    if let Some(md) = obj_mut(crd, "metadata") {
        md.insert("generation".into(), json!(1));
    }
}

/// The registry strategy's `PrepareForUpdate` (with the generic update's generation reset): the
/// status is the old one, `metadata.generation` is the old one plus one when the spec changed,
/// and the storage version is added to `status.storedVersions`.
pub fn prepare_crd_for_update(crd: &mut Value, old: &Value) {
    let old_status = old.get("status").cloned().unwrap_or_else(empty_crd_status);
    let old_gen = old
        .get("metadata")
        .and_then(|m| m.get("generation"))
        .and_then(Value::as_i64)
        .unwrap_or(0);
    let changed = normalize(crd.get("spec").unwrap_or(&NULL), false)
        != normalize(old.get("spec").unwrap_or(&NULL), false);
    if let Some(m) = crd.as_object_mut() {
        m.insert("status".into(), old_status);
    }
    if let Some(md) = obj_mut(crd, "metadata") {
        md.insert(
            "generation".into(),
            json!(if changed { old_gen + 1 } else { old_gen }),
        );
    }
    add_stored_version(crd);
}

/// SetCRDCondition.
fn set_condition(crd: &mut Value, t: &str, status: &str, reason: &str, message: &str, now: &str) {
    let Some(st) = obj_mut(crd, "status") else {
        return;
    };
    let conds = st.entry("conditions").or_insert_with(|| json!([]));
    if !conds.is_array() {
        *conds = json!([]);
    }
    let Some(list) = conds.as_array_mut() else {
        return;
    };
    match list.iter_mut().find(|c| str_of(c, "type") == t) {
        None => list.push(json!({
            "type": t, "status": status, "lastTransitionTime": now, "reason": reason, "message": message,
        })),
        Some(c) => {
            let time_zero = str_of(c, "lastTransitionTime").is_empty();
            if let Some(cm) = c.as_object_mut() {
                if cm.get("status").and_then(Value::as_str) != Some(status) || time_zero {
                    cm.insert("lastTransitionTime".into(), json!(now));
                }
                cm.insert("status".into(), json!(status));
                cm.insert("reason".into(), json!(reason));
                cm.insert("message".into(), json!(message));
            }
        }
    }
}

fn find_condition<'a>(crd: &'a Value, t: &str) -> Option<&'a Value> {
    arr_of(crd.get("status").and_then(|s| s.get("conditions")))
        .iter()
        .find(|c| str_of(c, "type") == t)
}

/// The naming controller's work on one CRD: accept the requested names that no other CRD of
/// the group (`group_crds`, all CRDs; other groups are ignored) has accepted, and set the
/// `NamesAccepted` condition (`NoConflicts`, or `PluralConflict`/`SingularConflict`/
/// `ShortNamesConflict`/`KindConflict`/`ListKindConflict`) and an initial `Established` one
/// (`NotAccepted` or `Installing`). `now` is the RFC 3339 time of the transition. Returns
/// whether the status changed.
pub fn accept_crd_names(crd: &mut Value, group_crds: &[Value], now: &str) -> bool {
    let spec = crd.get("spec").unwrap_or(&NULL);
    let group = str_of(spec, "group").to_string();
    let requested = spec.get("names").cloned().unwrap_or(Value::Null);
    let accepted = crd
        .get("status")
        .and_then(|s| s.get("acceptedNames"))
        .cloned()
        .unwrap_or(Value::Null);
    if normalize(&json!({"n": requested}), false) == normalize(&json!({"n": accepted}), false) {
        return false;
    }
    let mut resources = BTreeSet::new();
    let mut kinds = BTreeSet::new();
    for other in group_crds {
        if str_of(other.get("spec").unwrap_or(&NULL), "group") != group {
            continue;
        }
        let an = other
            .get("status")
            .and_then(|s| s.get("acceptedNames"))
            .unwrap_or(&NULL);
        resources.insert(str_of(an, "plural").to_string());
        resources.insert(str_of(an, "singular").to_string());
        resources.extend(strings_of(an.get("shortNames")));
        kinds.insert(str_of(an, "kind").to_string());
        kinds.insert(str_of(an, "listKind").to_string());
    }
    let fresh = |req: &str, acc: &str, used: &BTreeSet<String>| -> Result<(), String> {
        if req == acc || !used.contains(req) {
            Ok(())
        } else {
            Err(format!("{} is already in use", quote(req)))
        }
    };
    let mut new_names = accepted.as_object().cloned().unwrap_or_default();
    let mut cond = ("Unknown", String::new(), String::new());
    let mut conflict = |reason: &str, msg: String| cond = ("False", reason.to_string(), msg);
    for (f, used, reason) in [
        ("plural", &resources, "PluralConflict"),
        ("singular", &resources, "SingularConflict"),
    ] {
        match fresh(str_of(&requested, f), str_of(&accepted, f), used) {
            Err(e) => conflict(reason, e),
            Ok(()) => {
                new_names.insert(f.into(), json!(str_of(&requested, f)));
            }
        }
    }
    let req_short = strings_of(requested.get("shortNames"));
    let acc_short = strings_of(accepted.get("shortNames"));
    if req_short != acc_short {
        let errs: Vec<String> = req_short
            .iter()
            .filter(|s| !acc_short.contains(s))
            .filter_map(|s| fresh(s, "", &resources).err())
            .collect();
        if errs.is_empty() {
            new_names.insert("shortNames".into(), json!(req_short));
        } else {
            let msg = if errs.len() == 1 {
                errs[0].clone()
            } else {
                format!("[{}]", errs.join(", "))
            };
            conflict("ShortNamesConflict", msg);
        }
    }
    for (f, reason) in [("kind", "KindConflict"), ("listKind", "ListKindConflict")] {
        match fresh(str_of(&requested, f), str_of(&accepted, f), &kinds) {
            Err(e) => conflict(reason, e),
            Ok(()) => {
                new_names.insert(f.into(), json!(str_of(&requested, f)));
            }
        }
    }
    match requested.get("categories") {
        Some(c) if !c.is_null() => {
            new_names.insert("categories".into(), c.clone());
        }
        _ => {
            new_names.remove("categories");
        }
    }
    if cond.0 == "Unknown" {
        cond = ("True", "NoConflicts".into(), "no conflicts found".into());
    }
    let mut established = (
        "False".to_string(),
        "NotAccepted".to_string(),
        "not all names are accepted".to_string(),
    );
    if let Some(old) = find_condition(crd, "Established") {
        established = (
            str_of(old, "status").to_string(),
            str_of(old, "reason").to_string(),
            str_of(old, "message").to_string(),
        );
    }
    if established.0 != "True" && cond.0 == "True" {
        established = (
            "False".into(),
            "Installing".into(),
            "the initial names have been accepted".into(),
        );
    }
    // omitempty fields of the names
    new_names.retain(|k, v| {
        k == "plural"
            || k == "kind"
            || !(v.is_null() || v.as_str() == Some("") || v.as_array().is_some_and(Vec::is_empty))
    });
    new_names.entry("plural").or_insert_with(|| json!(""));
    new_names.entry("kind").or_insert_with(|| json!(""));
    let new_names = Value::Object(new_names);
    let same_cond = find_condition(crd, "NamesAccepted").is_some_and(|c| {
        str_of(c, "status") == cond.0
            && str_of(c, "reason") == cond.1
            && str_of(c, "message") == cond.2
    });
    if normalize(&json!({"n": new_names}), false) == normalize(&json!({"n": accepted}), false)
        && same_cond
    {
        return false;
    }
    if let Some(st) = obj_mut(crd, "status") {
        st.insert("acceptedNames".into(), new_names);
    }
    set_condition(crd, "NamesAccepted", cond.0, &cond.1, &cond.2, now);
    set_condition(
        crd,
        "Established",
        &established.0,
        &established.1,
        &established.2,
        now,
    );
    true
}

/// The establishing controller: once `NamesAccepted` is True, set `Established` True
/// (`InitialNamesAccepted`). Returns whether the status changed.
pub fn establish_crd(crd: &mut Value, now: &str) -> bool {
    if is_condition_true(crd, "Established") || !is_condition_true(crd, "NamesAccepted") {
        return false;
    }
    set_condition(
        crd,
        "Established",
        "True",
        "InitialNamesAccepted",
        "the initial names have been accepted",
        now,
    );
    true
}

/// Whether the CRD's `Established` condition is True (its resource is served).
pub fn is_established(crd: &Value) -> bool {
    is_condition_true(crd, "Established")
}

// ---------------------------------------------------------------------------------------------
// Accessors

fn crd_version<'a>(crd: &'a Value, version: &str) -> Option<&'a Value> {
    arr_of(crd.get("spec").and_then(|s| s.get("versions")))
        .iter()
        .find(|v| str_of(v, "name") == version)
}

/// The names of the served versions, in `spec.versions` order.
pub fn served_versions(crd: &Value) -> Vec<String> {
    arr_of(crd.get("spec").and_then(|s| s.get("versions")))
        .iter()
        .filter(|v| bool_of(v, "served"))
        .map(|v| str_of(v, "name").to_string())
        .collect()
}

/// The name of the storage version.
pub fn storage_version(crd: &Value) -> Option<String> {
    first_storage_version(crd)
}

/// `spec.versions[name=version].schema.openAPIV3Schema`.
pub fn version_schema<'a>(crd: &'a Value, version: &str) -> Option<&'a Value> {
    crd_version(crd, version)
        .and_then(|v| get(v, "schema"))
        .and_then(|s| get(s, "openAPIV3Schema"))
}

/// The parsed schema of a version (None when the version or its schema is missing).
pub fn structural_for_version(crd: &Value, version: &str) -> Option<Result<Structural, String>> {
    version_schema(crd, version).map(Structural::from_value)
}

/// One `additionalPrinterColumns` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrinterColumn {
    pub name: String,
    /// `integer`, `number`, `string`, `boolean` or `date`.
    pub type_: String,
    pub format: String,
    pub description: String,
    pub priority: i32,
    pub json_path: String,
}

/// The printer columns of a version (empty when none are declared; upstream then serves the
/// default `Name` and `Age` columns).
pub fn printer_columns(crd: &Value, version: &str) -> Vec<PrinterColumn> {
    arr_of(crd_version(crd, version).and_then(|v| v.get("additionalPrinterColumns")))
        .iter()
        .map(|c| PrinterColumn {
            name: str_of(c, "name").to_string(),
            type_: str_of(c, "type").to_string(),
            format: str_of(c, "format").to_string(),
            description: str_of(c, "description").to_string(),
            priority: c
                .get("priority")
                .and_then(Value::as_i64)
                .and_then(|p| i32::try_from(p).ok())
                .unwrap_or(0),
            json_path: str_of(c, "jsonPath").to_string(),
        })
        .collect()
}

/// The scale subresource's paths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScaleSubresource {
    pub spec_replicas_path: String,
    pub status_replicas_path: String,
    pub label_selector_path: Option<String>,
}

/// The subresources of a version.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Subresources {
    pub status: bool,
    pub scale: Option<ScaleSubresource>,
}

/// The subresources (`status`, `scale`) of a version.
pub fn subresources(crd: &Value, version: &str) -> Subresources {
    let sub = crd_version(crd, version).and_then(|v| get(v, "subresources"));
    Subresources {
        status: has_status(sub),
        scale: sub
            .and_then(|s| get(s, "scale"))
            .map(|sc| ScaleSubresource {
                spec_replicas_path: str_of(sc, "specReplicasPath").to_string(),
                status_replicas_path: str_of(sc, "statusReplicasPath").to_string(),
                label_selector_path: get(sc, "labelSelectorPath")
                    .and_then(Value::as_str)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string),
            }),
    }
}

/// The `selectableFields` JSON paths of a version.
pub fn selectable_fields(crd: &Value, version: &str) -> Vec<String> {
    arr_of(crd_version(crd, version).and_then(|v| v.get("selectableFields")))
        .iter()
        .map(|f| str_of(f, "jsonPath").to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msgs(errs: &[FieldError]) -> Vec<String> {
        errs.iter().map(ToString::to_string).collect()
    }

    fn sorted(mut v: Vec<String>) -> Vec<String> {
        v.sort();
        v
    }

    fn schema(v: Value) -> Structural {
        Structural::from_value(&v).expect("schema parses")
    }

    /// Errors of the kube-openapi validation alone (upstream's ValidateCustomResource(nil, ...)).
    fn openapi(s: &Value, obj: Value) -> Vec<String> {
        msgs(&validate_value(
            &schema(s.clone()),
            &obj,
            None,
            None,
            Mode::Crd,
        ))
    }

    fn field_schema(field: Value) -> Value {
        json!({"type": "object", "properties": {"field": field}})
    }

    // --- pkg/apiserver/validation TestValidateCustomResource -----------------------------------

    #[test]
    fn openapi_non_nullable_types() {
        let s = field_schema(json!({"type": "object"}));
        assert!(openapi(&s, json!({})).is_empty());
        assert!(openapi(&s, json!({"field": {}})).is_empty());
        for (v, t) in [
            (json!("foo"), "string"),
            (json!(42), "integer"),
            (json!(true), "boolean"),
            (json!(1.2), "number"),
            (json!([]), "array"),
            (json!(null), "null"),
        ] {
            assert_eq!(
                openapi(&s, json!({ "field": v })),
                vec![format!(
                    "field: Invalid value: \"{t}\": field in body must be of type object: \"{t}\""
                )]
            );
        }
    }

    #[test]
    fn openapi_nullable() {
        let s = field_schema(json!({"type": "object", "nullable": true}));
        assert!(openapi(&s, json!({"field": null})).is_empty());
        assert_eq!(
            openapi(&s, json!({"field": 42})),
            vec![
                "field: Invalid value: \"integer\": field in body must be of type object: \"integer\""
            ]
        );
        let untyped = field_schema(json!({"nullable": true}));
        for v in [
            json!(null),
            json!("foo"),
            json!(42),
            json!(true),
            json!(1.2),
            json!([]),
            json!({}),
        ] {
            assert!(openapi(&untyped, json!({ "field": v })).is_empty());
        }
    }

    #[test]
    fn openapi_int_or_string() {
        let s = field_schema(json!({"x-kubernetes-int-or-string": true}));
        assert!(openapi(&s, json!({"field": 42})).is_empty());
        assert!(openapi(&s, json!({"field": "foo"})).is_empty());
        for (v, t) in [
            (json!(null), "null"),
            (json!(true), "boolean"),
            (json!(1.2), "number"),
            (json!({}), "object"),
            (json!([]), "array"),
        ] {
            assert_eq!(
                openapi(&s, json!({ "field": v })),
                vec![format!(
                    "field: Invalid value: \"{t}\": field in body must be of type integer,string: \"{t}\""
                )]
            );
        }
        let nullable = field_schema(json!({"x-kubernetes-int-or-string": true, "nullable": true}));
        assert!(openapi(&nullable, json!({"field": null})).is_empty());
    }

    #[test]
    fn openapi_int_or_string_with_any_of_and_all_of() {
        let any_of = field_schema(json!({
            "nullable": true, "x-kubernetes-int-or-string": true,
            "anyOf": [{"type": "integer"}, {"type": "string"}],
        }));
        for v in [json!(null), json!(42), json!("foo")] {
            assert!(openapi(&any_of, json!({ "field": v })).is_empty());
        }
        assert_eq!(
            sorted(openapi(&any_of, json!({"field": true}))),
            vec![
                "<nil>: Invalid value: \"\": \"field\" must validate at least one schema (anyOf)",
                "field: Invalid value: \"boolean\": field in body must be of type integer,string: \"boolean\"",
                "field: Invalid value: \"boolean\": field in body must be of type integer: \"boolean\"",
            ]
        );
        let all_of = field_schema(json!({
            "nullable": true, "x-kubernetes-int-or-string": true,
            "allOf": [{"anyOf": [{"type": "integer"}, {"type": "string"}]}],
        }));
        assert!(openapi(&all_of, json!({"field": 42})).is_empty());
        assert_eq!(
            sorted(openapi(&all_of, json!({"field": []}))),
            vec![
                "<nil>: Invalid value: \"\": \"field\" must validate all the schemas (allOf). None validated",
                "<nil>: Invalid value: \"\": \"field\" must validate at least one schema (anyOf)",
                "field: Invalid value: \"array\": field in body must be of type integer,string: \"array\"",
                "field: Invalid value: \"array\": field in body must be of type integer: \"array\"",
            ]
        );
    }

    #[test]
    fn openapi_invalid_regex() {
        let s = field_schema(json!({"type": "string", "pattern": "+"}));
        assert_eq!(
            openapi(&s, json!({"field": "foo"})),
            vec![
                "field: Invalid value: \"foo\": field in body should match '+, but pattern is invalid: error parsing regexp: missing argument to repetition operator: `+`'"
            ]
        );
    }

    #[test]
    fn openapi_required() {
        let s = json!({
            "type": "object", "required": ["field"],
            "properties": {"field": {"type": "object", "required": ["nested"], "properties": {"nested": {}}}},
        });
        assert_eq!(
            openapi(&s, json!({"test": "a"})),
            vec!["field: Required value"]
        );
        assert_eq!(
            openapi(&s, json!({"field": {}})),
            vec!["field.nested: Required value"]
        );
    }

    #[test]
    fn openapi_enum() {
        let s = json!({"type": "object", "properties": {"field": {
            "type": "object", "required": ["nestedint", "nestedstring"],
            "properties": {
                "nestedint": {"type": "integer", "enum": [1, 2]},
                "nestedstring": {"type": "string", "enum": ["a", "b"]},
            },
        }}});
        assert_eq!(
            openapi(&s, json!({"field": {}})),
            vec![
                "field.nestedint: Required value",
                "field.nestedstring: Required value"
            ]
        );
        assert_eq!(
            sorted(openapi(
                &s,
                json!({"field": {"nestedint": "x", "nestedstring": true}})
            )),
            vec![
                "field.nestedint: Invalid value: \"string\": field.nestedint in body must be of type integer: \"string\"",
                "field.nestedint: Unsupported value: \"x\": supported values: \"1\", \"2\"",
                "field.nestedstring: Invalid value: \"boolean\": field.nestedstring in body must be of type string: \"boolean\"",
                "field.nestedstring: Unsupported value: true: supported values: \"a\", \"b\"",
            ]
        );
    }

    #[test]
    fn openapi_max_properties_items_length() {
        let s = json!({"type": "object", "properties": {
            "fieldX": {"type": "object", "maxProperties": 2},
            "fieldY": {"type": "array", "maxItems": 2},
            "fieldZ": {"type": "string", "maxLength": 2},
        }});
        assert_eq!(
            openapi(&s, json!({"fieldX": {"a": true, "b": true, "c": true}})),
            vec!["fieldX: Too many: 3: must have at most 2 items"]
        );
        assert_eq!(
            openapi(&s, json!({"fieldY": ["a", "b", "c"]})),
            vec!["fieldY: Too many: 3: must have at most 2 items"]
        );
        assert_eq!(
            openapi(&s, json!({"fieldZ": "abc"})),
            vec!["fieldZ: Too long: may not be more than 2 bytes"]
        );
    }

    #[test]
    fn openapi_items_property_and_array() {
        let s = json!({"properties": {"spec": {"properties": {"replicas": {"type": "integer"}}}}});
        assert!(openapi(&s, json!({"spec": {"replicas": 1, "items": ["1", "2"]}})).is_empty());
        let s = json!({"properties": {"secrets": {"type": "array", "items": {"type": "string"}}}});
        assert!(openapi(&s, json!({"secrets": ["1", "2"]})).is_empty());
    }

    // --- value validation: numbers, strings, arrays, objects, junctors, formats -------------

    fn spec_schema(props: Value) -> Value {
        json!({"type": "object", "properties": {"spec": {"type": "object", "properties": props}}})
    }

    #[test]
    fn openapi_numbers() {
        let s = spec_schema(json!({
            "replicas": {"type": "integer", "minimum": 1, "maximum": 10, "multipleOf": 2},
            "ratio": {"type": "number", "minimum": 0, "exclusiveMinimum": true, "maximum": 1.5, "exclusiveMaximum": true},
            "bad": {"type": "integer", "multipleOf": 0.5},
        }));
        assert_eq!(
            openapi(&s, json!({"spec": {"replicas": "string"}})),
            vec![
                "spec.replicas: Invalid value: \"string\": spec.replicas in body must be of type integer: \"string\""
            ]
        );
        assert_eq!(
            openapi(&s, json!({"spec": {"replicas": 11}})),
            vec![
                "spec.replicas: Invalid value: 11: spec.replicas in body should be a multiple of 2",
                "spec.replicas: Invalid value: 11: spec.replicas in body should be less than or equal to 10",
            ]
        );
        assert_eq!(
            openapi(&s, json!({"spec": {"replicas": 0}})),
            vec![
                "spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to 1"
            ]
        );
        // 4.0 is a float64 holding an integer: accepted as an integer
        assert!(openapi(&s, json!({"spec": {"replicas": 4.0}})).is_empty());
        assert_eq!(
            openapi(&s, json!({"spec": {"ratio": 0}})),
            vec!["spec.ratio: Invalid value: 0: spec.ratio in body should be greater than 0"]
        );
        assert_eq!(
            openapi(&s, json!({"spec": {"ratio": 1.5}})),
            vec!["spec.ratio: Invalid value: 1.5: spec.ratio in body should be less than 1.5"]
        );
        assert_eq!(
            openapi(&s, json!({"spec": {"bad": 3}})),
            vec![
                "spec.bad: Invalid value: 0: factor MultipleOf declared for spec.bad must be positive: 0"
            ]
        );
    }

    #[test]
    fn openapi_strings_and_formats() {
        let s = spec_schema(json!({
            "name": {"type": "string", "minLength": 2, "maxLength": 5, "pattern": "^[a-z]+$"},
            "uid": {"type": "string", "format": "uuid"},
            "when": {"type": "string", "format": "date-time"},
            "count": {"type": "string", "format": "int32"},
            "mode": {"type": "string", "enum": ["a", "b"]},
        }));
        assert_eq!(
            openapi(&s, json!({"spec": {"name": "abcdef"}})),
            vec!["spec.name: Too long: may not be more than 5 bytes"]
        );
        assert_eq!(
            openapi(&s, json!({"spec": {"name": "a"}})),
            vec![
                "spec.name: Invalid value: \"a\": spec.name in body should be at least 2 chars long"
            ]
        );
        assert_eq!(
            openapi(&s, json!({"spec": {"name": "AB"}})),
            vec!["spec.name: Invalid value: \"AB\": spec.name in body should match '^[a-z]+$'"]
        );
        assert_eq!(
            openapi(&s, json!({"spec": {"uid": "zz"}})),
            vec!["spec.uid: Invalid value: \"zz\": spec.uid in body must be of type uuid: \"zz\""]
        );
        assert!(
            openapi(
                &s,
                json!({"spec": {"uid": "0B5E6C4A-1F2D-4E3B-9A8C-7D6E5F4A3B2C"}})
            )
            .is_empty()
        );
        assert_eq!(
            openapi(&s, json!({"spec": {"when": "2020-13-01T00:00:00Z"}})),
            vec![
                "spec.when: Invalid value: \"2020-13-01T00:00:00Z\": spec.when in body must be of type date-time: \"2020-13-01T00:00:00Z\""
            ]
        );
        // unsupported formats are dropped from CRD schemas: any string is fine
        assert!(openapi(&s, json!({"spec": {"count": "x"}})).is_empty());
        // a format on a non-string value names the format
        assert_eq!(
            openapi(&s, json!({"spec": {"when": 5}})),
            vec![
                "spec.when: Invalid value: \"int64\": spec.when in body must be of type date-time: \"int64\""
            ]
        );
        assert_eq!(
            openapi(&s, json!({"spec": {"mode": "x"}})),
            vec!["spec.mode: Unsupported value: \"x\": supported values: \"a\", \"b\""]
        );
    }

    #[test]
    fn openapi_arrays_objects_junctors() {
        let s = spec_schema(json!({
            "tags": {"type": "array", "items": {"type": "string"}, "minItems": 2, "uniqueItems": true},
            "closed": {"type": "object", "additionalProperties": false},
            "map": {"type": "object", "additionalProperties": {"type": "integer"}, "minProperties": 1},
            "one": {"type": "string", "oneOf": [{"pattern": "^a"}, {"pattern": "b$"}]},
            "nope": {"type": "string", "not": {"enum": ["x"]}},
            "obj": {"type": "object", "enum": [{"a": 1}]},
        }));
        assert_eq!(
            openapi(&s, json!({"spec": {"tags": ["a"]}})),
            vec!["spec.tags: Invalid value: 1: spec.tags in body should have at least 2 items"]
        );
        assert_eq!(
            openapi(&s, json!({"spec": {"tags": ["a", "a", 1]}})),
            vec![
                "spec.tags[2]: Invalid value: \"integer\": spec.tags[2] in body must be of type string: \"integer\"",
                "spec.tags: Invalid value: \"\": spec.tags in body shouldn't contain duplicates",
            ]
        );
        assert_eq!(
            openapi(&s, json!({"spec": {"closed": {"x": 1}}})),
            vec![
                "spec.closed: Invalid value: \"x\": spec.closed.x in body is a forbidden property"
            ]
        );
        assert_eq!(
            openapi(&s, json!({"spec": {"map": {}}})),
            vec!["spec.map: Invalid value: 0: spec.map in body should have at least 1 properties"]
        );
        assert_eq!(
            openapi(&s, json!({"spec": {"map": {"k": "v"}}})),
            vec![
                "spec.map.k: Invalid value: \"string\": spec.map.k in body must be of type integer: \"string\""
            ]
        );
        assert!(openapi(&s, json!({"spec": {"one": "ax"}})).is_empty());
        assert_eq!(
            openapi(&s, json!({"spec": {"one": "ab"}})),
            vec![
                "<nil>: Invalid value: \"\": \"spec.one\" must validate one and only one schema (oneOf). Found 2 valid alternatives"
            ]
        );
        assert_eq!(
            openapi(&s, json!({"spec": {"one": "x"}})),
            vec![
                "<nil>: Invalid value: \"\": \"spec.one\" must validate one and only one schema (oneOf). Found none valid",
                "spec.one: Invalid value: \"x\": spec.one in body should match '^a'",
            ]
        );
        assert_eq!(
            openapi(&s, json!({"spec": {"nope": "x"}})),
            vec!["<nil>: Invalid value: \"\": \"spec.nope\" must not validate the schema (not)"]
        );
        assert!(openapi(&s, json!({"spec": {"obj": {"a": 1}}})).is_empty());
        assert_eq!(
            openapi(&s, json!({"spec": {"obj": {"a": 2}}})),
            vec![
                "spec.obj: Unsupported value: map[string]interface {}{\"a\":2}: supported values: \"{\\\"a\\\":1}\""
            ]
        );
    }

    #[test]
    fn formats() {
        let ok = [
            ("uri", "https://example.com/a?b=c"),
            ("uri", "mailto:someone"),
            ("email", "a.b@example.com"),
            ("hostname", "example.com"),
            ("ipv4", "10.0.0.1"),
            ("ipv4", "010.0.0.1"),
            ("ipv6", "::1"),
            ("cidr", "10.0.0.0/8"),
            ("mac", "01:23:45:67:89:ab"),
            ("mac", "0123.4567.89ab"),
            ("uuid", "01234567-89ab-cdef-0123-456789abcdef"),
            ("uuid4", "01234567-89ab-4def-8123-456789abcdef"),
            ("isbn10", "0321751043"),
            ("isbn13", "978-0321751041"),
            ("creditcard", "4111 1111 1111 1111"),
            ("ssn", "123-45-6789"),
            ("hexcolor", "#FFF"),
            ("rgbcolor", "rgb(255, 0, 10)"),
            ("byte", "aGVsbG8="),
            ("password", ""),
            ("date", "2024-02-29"),
            ("datetime", "2024-02-29T23:59:59.123+01:00"),
            ("duration", "1h30m"),
            ("duration", "3 days"),
            ("bsonobjectid", "507f1f77bcf86cd799439011"),
        ];
        for (f, v) in ok {
            assert!(format_validates(f, v), "{f} {v}");
        }
        let bad = [
            ("uri", "no-scheme"),
            ("uri", ""),
            ("email", "nope"),
            ("hostname", "-bad-"),
            ("ipv4", "::1"),
            ("ipv4", "256.0.0.1"),
            ("ipv6", "1.2.3.4"),
            ("cidr", "10.0.0.0/33"),
            ("mac", "01:23:45"),
            ("uuid", "xyz"),
            ("uuid4", "01234567-89ab-3def-8123-456789abcdef"),
            ("isbn10", "0321751044"),
            ("creditcard", "4111 1111 1111 1112"),
            ("ssn", "123456789"),
            ("hexcolor", "#FFFF"),
            ("rgbcolor", "rgb(256,0,0)"),
            ("byte", "aGVsbG8"),
            ("date", "2023-02-29"),
            ("datetime", "2024-02-29 10:00:00Z"),
            ("duration", "soon"),
            ("bsonobjectid", "507f1f77"),
        ];
        for (f, v) in bad {
            assert!(!format_validates(f, v), "{f} {v}");
        }
    }

    #[test]
    fn status_paths_are_relative_to_status() {
        let s = schema(json!({"type": "object", "properties": {
            "status": {"type": "object", "properties": {"ready": {"type": "integer", "maximum": 3}}},
        }}));
        assert_eq!(
            msgs(&validate_status_update(
                &s,
                &json!({"status": {"ready": 5}}),
                &json!({})
            )),
            vec!["status.ready: Invalid value: 5: ready in body should be less than or equal to 3"]
        );
        // unchanged invalid status values ratchet
        let obj = json!({"status": {"ready": 5}});
        assert!(validate_status_update(&s, &obj, &obj).is_empty());
    }

    #[test]
    fn ratcheting_on_update() {
        let s = schema(spec_schema(json!({
            "replicas": {"type": "integer", "maximum": 10},
            "name": {"type": "string", "maxLength": 3},
            "ports": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
                      "items": {"type": "object", "required": ["name"], "properties": {
                          "name": {"type": "string"}, "port": {"type": "integer", "maximum": 100}}}},
        })));
        let old = json!({"spec": {"replicas": 11, "name": "toolong", "ports": [{"name": "a", "port": 200}]}});
        // nothing changed: no errors
        assert!(validate_update(&s, &old, &old).is_empty());
        // only the changed field is reported; list-map items correlate by key
        let new = json!({"spec": {"replicas": 12, "name": "toolong", "ports": [{"name": "b", "port": 300}, {"name": "a", "port": 200}]}});
        assert_eq!(
            msgs(&validate_update(&s, &new, &old)),
            vec![
                "spec.ports[0].port: Invalid value: 300: spec.ports[0].port in body should be less than or equal to 100",
                "spec.replicas: Invalid value: 12: spec.replicas in body should be less than or equal to 10",
            ]
        );
        // on create everything is reported
        assert_eq!(validate(&s, &old).len(), 3);
    }

    // --- Structural -------------------------------------------------------------------------

    #[test]
    fn structural_from_value_errors() {
        for (v, want) in [
            (
                json!({"type": "array", "items": [{"type": "string"}]}),
                "OpenAPIV3Schema 'items' must be a schema, but is an array",
            ),
            (
                json!({"x-kubernetes-preserve-unknown-fields": false}),
                "internal error: 'x-kubernetes-preserve-unknown-fields' must be true or undefined",
            ),
            (json!({"id": "x"}), "OpenAPIV3Schema 'id' is not supported"),
            (
                json!({"$ref": "#/x"}),
                "OpenAPIV3Schema '$ref' is not supported",
            ),
            (
                json!({"properties": {"a": {"additionalItems": false}}}),
                "OpenAPIV3Schema 'additionalItems' is not supported",
            ),
            (
                json!({"type": 5}),
                "type: Invalid value: 5: must be of type string",
            ),
            (
                json!({"properties": {"a": {"maxLength": 1.5}}}),
                "properties[a].maxLength: Invalid value: 1.5: must be of type integer",
            ),
            (json!("x"), ": Invalid value: \"x\": must be of type object"),
        ] {
            assert_eq!(
                Structural::from_value(&v).err().as_deref(),
                Some(want),
                "{v}"
            );
        }
    }

    #[test]
    fn structural_accessors() {
        let s = schema(
            json!({"type": "object", "properties": {"spec": {"type": "object", "properties": {
                "ports": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["port", "protocol"],
                          "items": {"type": "object", "properties": {"port": {"type": "integer"}, "tags": {"type": "array", "items": {"type": "string"}}}}},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}, "x-kubernetes-map-type": "atomic"},
                "set": {"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "string"}},
            }}}}),
        );
        assert_eq!(
            s.list_type_at(&["spec", "ports"]),
            Some((
                "map".to_string(),
                vec!["port".to_string(), "protocol".to_string()]
            ))
        );
        assert_eq!(
            s.list_type_at(&["spec", "ports", "0", "tags"]),
            Some(("atomic".to_string(), vec![]))
        );
        assert_eq!(
            s.list_type_at(&["spec", "set"]),
            Some(("set".to_string(), vec![]))
        );
        assert_eq!(s.list_type_at(&["spec", "labels"]), None);
        assert_eq!(s.list_type_at(&["spec", "nope"]), None);
        assert_eq!(
            s.map_type_at(&["spec", "labels"]).as_deref(),
            Some("atomic")
        );
        assert_eq!(s.map_type_at(&["spec"]).as_deref(), Some("granular"));
        assert_eq!(
            s.at(&["spec", "labels", "anykey"])
                .map(|x| x.type_.as_str()),
            Some("string")
        );
    }

    // --- pruning ----------------------------------------------------------------------------

    #[test]
    fn prune_paths_and_result() {
        let s = schema(json!({"type": "object", "properties": {
            "spec": {"type": "object", "properties": {
                "items": {"type": "array", "items": {"type": "object", "properties": {"a": {"type": "string"}}}},
                "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": true, "properties": {"typed": {"type": "object"}}},
                "map": {"type": "object", "additionalProperties": {"type": "object", "properties": {"x": {"type": "string"}}}},
                "tmpl": {"type": "object", "x-kubernetes-embedded-resource": true, "properties": {"spec": {"type": "object"}}},
            }},
        }}));
        let mut obj = json!({
            "apiVersion": "example.com/v1", "kind": "Foo",
            "metadata": {"name": "x", "foo": 1, "ownerReferences": [{"apiVersion": "v1", "kind": "A", "name": "a", "uid": "u", "bar": 2}]},
            "spec": {
                "items": [{"a": "1", "b": 2}],
                "free": {"anything": {"goes": 1}, "typed": {"dropped": 1}},
                "map": {"k": {"x": "1", "y": 2}},
                "tmpl": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "junk": 1}, "spec": {}, "status": {}},
                "unknown": 1,
            },
            "status": {"x": 1},
        });
        assert_eq!(
            prune(&s, &mut obj),
            vec![
                "metadata.foo",
                "metadata.ownerReferences[0].bar",
                "spec.free.typed.dropped",
                "spec.items[0].b",
                "spec.map.k.y",
                "spec.tmpl.status",
                "spec.unknown",
                "status",
                "spec.tmpl.metadata.junk",
            ]
        );
        assert_eq!(
            obj,
            json!({
                "apiVersion": "example.com/v1", "kind": "Foo",
                "metadata": {"name": "x", "ownerReferences": [{"apiVersion": "v1", "kind": "A", "name": "a", "uid": "u"}]},
                "spec": {
                    "items": [{"a": "1"}],
                    "free": {"anything": {"goes": 1}, "typed": {}},
                    "map": {"k": {"x": "1"}},
                    "tmpl": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {}},
                },
            })
        );
        // a root x-kubernetes-preserve-unknown-fields keeps everything unknown
        let open = schema(json!({"type": "object", "x-kubernetes-preserve-unknown-fields": true}));
        let mut o = json!({"spec": {"a": 1}, "x": [1]});
        assert!(prune(&open, &mut o).is_empty());
        assert_eq!(o, json!({"spec": {"a": 1}, "x": [1]}));
    }

    // --- defaulting -------------------------------------------------------------------------

    #[test]
    fn defaults() {
        let s = schema(json!({"type": "object", "properties": {
            "spec": {"type": "object", "properties": {
                "replicas": {"type": "integer", "default": 1},
                "nullable": {"type": "string", "nullable": true, "default": "d"},
                "plain": {"type": "string"},
                "withDefault": {"type": "string", "default": "w"},
                "nested": {"type": "object", "properties": {"x": {"type": "string", "default": "x"}}},
                "list": {"type": "array", "items": {"type": "object", "default": {}, "properties": {"n": {"type": "integer", "default": 7}}}},
                "map": {"type": "object", "additionalProperties": {"type": "string", "default": "m"}},
            }},
            "other": {"type": "object", "properties": {"y": {"type": "string", "default": "y"}}},
        }}));
        let mut obj = json!({"spec": {
            "nullable": null, "plain": null, "withDefault": null,
            "list": [null, {"n": 1}, {}], "map": {"a": null, "b": "b"},
        }});
        apply_defaults(&s, &mut obj);
        assert_eq!(
            obj,
            json!({"spec": {
                "replicas": 1,
                "nullable": null,
                "withDefault": "w",
                "list": [{"n": 7}, {"n": 1}, {"n": 7}],
                "map": {"a": "m", "b": "b"},
            }})
        );
    }

    // --- embedded resources and list types --------------------------------------------------

    #[test]
    fn embedded_resources_and_list_types() {
        let s = schema(spec_schema(json!({
            "tmpl": {"type": "object", "x-kubernetes-embedded-resource": true, "x-kubernetes-preserve-unknown-fields": true},
            "set": {"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "string"}},
            "ports": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["port"],
                      "items": {"type": "object", "properties": {"port": {"type": "integer"}}}},
            "pairs": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["a", "b"],
                      "items": {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string"}}}},
        })));
        let obj = json!({"spec": {
            "tmpl": {"kind": "bad kind", "metadata": {"name": "a/b", "labels": {"x": "-"}}},
            "set": ["a", "b", "a", "a"],
            "ports": [{"port": 80}, {"port": 80}, {}, {}],
            "pairs": [{"a": "x", "b": "y"}, {"b": "y", "a": "x"}],
        }});
        assert_eq!(
            msgs(&validate(&s, &obj)),
            vec![
                "spec.tmpl.apiVersion: Required value: must not be empty",
                "spec.tmpl.kind: Invalid value: \"bad kind\": may have mixed case, but should otherwise match: a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
                "spec.tmpl.metadata.name: Invalid value: \"a/b\": may not contain '/'",
                "spec.tmpl.metadata.labels: Invalid value: \"-\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
                "spec.pairs[1]: Duplicate value: map[string]interface {}{\"a\":\"x\", \"b\":\"y\"}",
                "spec.ports[1]: Duplicate value: map[string]interface {}{\"port\":80}",
                "spec.ports[3]: Duplicate value: map[string]interface {}{}",
                "spec.set[2]: Duplicate value: \"a\"",
            ]
        );
        let bad = json!({"spec": {"ports": [1]}});
        assert!(
            msgs(&validate(&s, &bad)).contains(
                &"spec.ports[0]: Invalid value: 1: must be an object for an array of list-type map"
                    .to_string()
            )
        );
    }

    #[test]
    fn type_meta_and_scale() {
        assert_eq!(
            msgs(&validate_type_meta(
                &json!({"apiVersion": "example.com/v1", "kind": "Foo"}),
                "example.com",
                "v2",
                "Bar"
            )),
            vec![
                "kind: Invalid value: \"Foo\": must be Bar",
                "apiVersion: Invalid value: \"example.com/v1\": must be example.com/v2",
            ]
        );
        let sc = ScaleSubresource {
            spec_replicas_path: ".spec.replicas".into(),
            status_replicas_path: ".status.replicas".into(),
            label_selector_path: Some(".status.selector".into()),
        };
        assert_eq!(
            msgs(&validate_scale_spec(
                &json!({"spec": {"replicas": "x"}}),
                &sc
            )),
            vec![
                ".spec.replicas: Invalid value: 0: .spec.replicas accessor error: x is of the type string, expected int64"
            ]
        );
        assert_eq!(
            msgs(&validate_scale_status(
                &json!({"status": {"replicas": -1, "selector": 5}}),
                &sc
            )),
            vec![
                ".status.replicas: Invalid value: -1: should be a non-negative integer",
                ".status.selector: Invalid value: \"\": .status.selector accessor error: 5 is of the type int64, expected string",
            ]
        );
        assert!(validate_scale_spec(&json!({}), &sc).is_empty());
    }

    // --- CustomResourceDefinition validation ------------------------------------------------

    fn crd(schema: Value) -> Value {
        json!({
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": "foos.example.com"},
            "spec": {
                "group": "example.com", "scope": "Namespaced",
                "names": {"plural": "foos", "singular": "foo", "kind": "Foo", "listKind": "FooList"},
                "versions": [{"name": "v1", "served": true, "storage": true, "schema": {"openAPIV3Schema": schema}}],
            },
        })
    }

    /// Defaulted and prepared as the registry does, then validated on create.
    fn crd_errors(c: &Value) -> Vec<String> {
        let mut c = c.clone();
        default_crd(&mut c);
        prepare_crd_for_create(&mut c);
        msgs(&validate_crd(&c, None))
    }

    fn schema_errors(schema: Value) -> Vec<String> {
        crd_errors(&crd(schema))
    }

    const P: &str = "spec.validation.openAPIV3Schema";

    #[test]
    fn crd_valid() {
        let c = crd(json!({"type": "object", "properties": {
            "apiVersion": {"type": "string"}, "kind": {"type": "string"},
            "metadata": {"type": "object"},
            "spec": {"type": "object", "properties": {
                "replicas": {"type": "integer", "default": 1, "minimum": 0},
                "ports": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
                          "items": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}},
                "port": {"x-kubernetes-int-or-string": true, "anyOf": [{"type": "integer"}, {"type": "string"}]},
                "template": {"type": "object", "x-kubernetes-embedded-resource": true, "x-kubernetes-preserve-unknown-fields": true},
            }},
            "status": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
        }}));
        assert_eq!(crd_errors(&c), Vec::<String>::new());
    }

    #[test]
    fn crd_structural_errors() {
        assert_eq!(
            schema_errors(
                json!({"type": "object", "properties": {"spec": {"properties": {"x": {"type": "string"}}}}})
            ),
            vec![format!(
                "{P}.properties[spec].type: Required value: must not be empty for specified object fields"
            )]
        );
        assert_eq!(
            schema_errors(json!({"properties": {"spec": {"type": "object"}}})),
            vec![format!(
                "{P}.type: Required value: must not be empty at the root"
            )]
        );
        assert_eq!(
            schema_errors(json!({"type": "object", "properties": {"a": {"type": "array"}}})),
            vec![format!(
                "{P}.properties[a].items: Required value: must be specified"
            )]
        );
        assert_eq!(
            schema_errors(json!({"type": "object", "additionalProperties": {"type": "string"}})),
            vec![format!(
                "{P}.additionalProperties: Forbidden: must not be used at the root"
            )]
        );
        assert_eq!(
            schema_errors(
                json!({"type": "object", "properties": {"a": {"type": "string", "anyOf": [{"type": "string", "description": "x", "properties": {"metadata": {}}}]}}})
            ),
            vec![
                format!(
                    "{P}.properties[a].anyOf[0].description: Forbidden: must be empty to be structural"
                ),
                format!(
                    "{P}.properties[a].anyOf[0].properties[metadata]: Forbidden: must not be specified in a nested context"
                ),
                format!(
                    "{P}.properties[a].anyOf[0].type: Forbidden: must be empty to be structural"
                ),
            ]
        );
        assert_eq!(
            schema_errors(json!({"type": "object", "anyOf": [{"properties": {"b": {}}}]})),
            vec![format!(
                "{P}.properties[b]: Required value: because it is defined in {P}.anyOf[0].properties[b]"
            )]
        );
        assert_eq!(
            schema_errors(json!({"type": "object", "properties": {
                "e": {"x-kubernetes-embedded-resource": true},
                "e2": {"type": "object", "x-kubernetes-embedded-resource": true, "x-kubernetes-preserve-unknown-fields": true, "properties": {"kind": {"type": "integer"}}},
            }})),
            vec![
                format!(
                    "{P}.properties[e2].properties[kind].type: Invalid value: \"integer\": must be string"
                ),
                format!(
                    "{P}.properties[e].properties: Required value: must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields"
                ),
                format!(
                    "{P}.properties[e].type: Required value: must be object if x-kubernetes-embedded-resource is true"
                ),
            ]
        );
        assert_eq!(
            schema_errors(
                json!({"type": "object", "properties": {"metadata": {"type": "object", "properties": {"name": {"type": "string"}, "labels": {"type": "object"}}}}})
            ),
            vec![format!(
                "{P}.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified"
            )]
        );
        assert_eq!(
            schema_errors(
                json!({"type": "object", "properties": {"metadata": {"type": "object", "properties": {"name": {"type": "string", "maxLength": 10}}}}})
            ),
            Vec::<String>::new()
        );
    }

    #[test]
    fn crd_schema_errors_per_version() {
        let mut c = crd(json!({"type": "object"}));
        c["spec"]["versions"] = json!([
            {"name": "v1", "served": true, "storage": true, "schema": {"openAPIV3Schema": {"type": "object"}}},
            {"name": "v2", "served": true, "storage": false, "schema": {"openAPIV3Schema": {"type": "object", "properties": {"a": {}}}}},
        ]);
        assert_eq!(
            crd_errors(&c),
            vec![
                "spec.versions[1].schema.openAPIV3Schema.properties[a].type: Required value: must not be empty for specified object fields"
            ]
        );
        let mut c = crd(json!({"type": "object"}));
        if let Some(v) = c["spec"]["versions"][0].as_object_mut() {
            v.remove("schema");
        }
        assert_eq!(
            crd_errors(&c),
            vec!["spec.versions[0].schema.openAPIV3Schema: Required value: schemas are required"]
        );
    }

    #[test]
    fn crd_openapi_schema_errors() {
        assert_eq!(
            schema_errors(
                json!({"type": "object", "properties": {"a": {"type": "foo"}, "b": {"type": "null"}}})
            ),
            vec![
                format!(
                    "{P}.properties[a].type: Unsupported value: \"foo\": supported values: \"array\", \"boolean\", \"integer\", \"number\", \"object\", \"string\""
                ),
                format!(
                    "{P}.properties[b].type: Unsupported value: \"null\": supported values: \"array\", \"boolean\", \"integer\", \"number\", \"object\", \"string\""
                ),
                format!(
                    "{P}.properties[b].type: Forbidden: type cannot be set to null, use nullable as an alternative"
                ),
            ]
        );
        assert_eq!(
            schema_errors(
                json!({"type": "object", "properties": {"a": {"type": "array", "items": [{"type": "string"}]}}})
            ),
            vec![format!(
                "{P}.properties[a].items: Forbidden: items must be a schema object and not an array"
            )]
        );
        assert_eq!(
            schema_errors(json!({"type": "object", "x-kubernetes-preserve-unknown-fields": false})),
            vec![format!(
                "{P}.x-kubernetes-preserve-unknown-fields: Invalid value: false: must be true or undefined"
            )]
        );
        assert_eq!(
            schema_errors(
                json!({"type": "object", "properties": {"a": {"type": "array", "items": {"type": "string"}, "uniqueItems": true}}})
            ),
            vec![format!(
                "{P}.properties[a].uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic"
            )]
        );
        assert_eq!(
            schema_errors(
                json!({"type": "object", "properties": {"a": {"type": "object", "properties": {"x": {"type": "string"}}, "additionalProperties": {"type": "string"}}}})
            ),
            vec![format!(
                "{P}.properties[a].additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive"
            )]
        );
        assert_eq!(
            schema_errors(
                json!({"type": "object", "properties": {"a": {"type": "string", "pattern": "(a"}}})
            ),
            vec![format!(
                "{P}.properties[a].pattern: Invalid value: \"(a\": must be a valid regular expression, but isn't: error parsing regexp: missing closing ): `(a`"
            )]
        );
        assert_eq!(
            schema_errors(
                json!({"type": "object", "properties": {"m": {"type": "string", "x-kubernetes-map-type": "foo"}}})
            ),
            vec![
                format!(
                    "{P}.properties[m].type: Invalid value: \"string\": must be object if x-kubernetes-map-type is specified"
                ),
                format!(
                    "{P}.properties[m].x-kubernetes-map-type: Unsupported value: \"foo\": supported values: \"atomic\", \"granular\""
                ),
            ]
        );
        assert_eq!(
            schema_errors(
                json!({"type": "object", "properties": {"l": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["k", "z"],
                "items": {"type": "object", "properties": {"k": {"type": "string"}}}}}})
            ),
            vec![
                format!(
                    "{P}.properties[l].x-kubernetes-list-map-keys: Invalid value: []string{{\"k\", \"z\"}}: entries must all be names of item properties"
                ),
                format!(
                    "{P}.properties[l].items.properties[k].default: Required value: this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property"
                ),
            ]
        );
        assert_eq!(
            schema_errors(
                json!({"type": "object", "properties": {"l": {"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "object"}}}})
            ),
            vec![format!(
                "{P}.properties[l].items.x-kubernetes-map-type: Invalid value: null: must be atomic as item of a list with x-kubernetes-list-type=set"
            )]
        );
        assert_eq!(
            schema_errors(
                json!({"type": "object", "x-kubernetes-validations": [{"rule": " "}, {"rule": "self.a", "reason": "Foo", "fieldPath": ".spec.x"}],
                "properties": {"a": {"type": "string"}}})
            ),
            vec![
                format!(
                    "{P}.x-kubernetes-validations[0].rule: Required value: rule is not specified"
                ),
                format!(
                    "{P}.x-kubernetes-validations[1].reason: Unsupported value: \"Foo\": supported values: \"FieldValueDuplicate\", \"FieldValueForbidden\", \"FieldValueInvalid\", \"FieldValueRequired\""
                ),
                format!(
                    "{P}.x-kubernetes-validations[1].fieldPath: Invalid value: \".spec.x\": fieldPath must be a valid path"
                ),
            ]
        );
    }

    #[test]
    fn crd_default_values() {
        assert_eq!(
            schema_errors(
                json!({"type": "object", "properties": {"spec": {"type": "object", "properties": {
                    "replicas": {"type": "integer", "default": "x"},
                    "o": {"type": "object", "properties": {"a": {"type": "string"}}, "default": {"a": "x", "b": 1}},
                }}}})
            ),
            vec![
                format!(
                    "{P}.properties[spec].properties[o].default: Invalid value: map[string]interface {{}}{{\"a\":\"x\", \"b\":1}}: must not have unknown fields"
                ),
                format!(
                    "{P}.properties[spec].properties[replicas].default: Invalid value: \"string\":  in body must be of type integer: \"string\""
                ),
            ]
        );
        assert_eq!(
            schema_errors(
                json!({"type": "object", "properties": {"metadata": {"type": "object", "default": {}}}})
            ),
            vec![format!(
                "{P}.properties[metadata].default: Forbidden: must not be set in top-level metadata"
            )]
        );
        assert_eq!(
            schema_errors(
                json!({"type": "object", "properties": {"e": {"type": "object", "x-kubernetes-embedded-resource": true,
                "properties": {"metadata": {"type": "object", "properties": {"name": {"type": "string", "default": "a/b"}}}}}}})
            ),
            vec![format!(
                "{P}.properties[e].properties[metadata].properties[name].default: Invalid value: \"a/b\": must result in valid metadata: metadata.name: Invalid value: \"a/b\": may not contain '/'"
            )]
        );
    }

    #[test]
    fn crd_names_and_versions() {
        let mut c = crd(json!({"type": "object"}));
        c["metadata"]["name"] = json!("bar.example.com");
        c["spec"]["group"] = json!("example");
        c["spec"]["names"] = json!({"plural": "Foos", "kind": "foo bar", "listKind": "foo bar", "shortNames": ["A"]});
        c["spec"]["versions"][0]["name"] = json!("V1");
        c["spec"]["versions"][0]["storage"] = json!(false);
        c["spec"]["scope"] = json!("Global");
        const DNS1035: &str = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
        assert_eq!(
            crd_errors(&c),
            vec![
                "metadata.name: Invalid value: \"bar.example.com\": must be spec.names.plural+\".\"+spec.group".to_string(),
                "spec.group: Invalid value: \"example\": should be a domain with at least one dot".to_string(),
                "spec.scope: Unsupported value: \"Global\": supported values: \"Cluster\", \"Namespaced\"".to_string(),
                format!("spec.versions[0].name: Invalid value: \"V1\": {DNS1035}"),
                "spec.versions: Invalid value: []apiextensions.CustomResourceDefinitionVersion{apiextensions.CustomResourceDefinitionVersion{Name:\"V1\", Served:true, Storage:false, Deprecated:false, DeprecationWarning:(*string)(nil), Schema:(*apiextensions.CustomResourceValidation)(nil), Subresources:(*apiextensions.CustomResourceSubresources)(nil), AdditionalPrinterColumns:[]apiextensions.CustomResourceColumnDefinition(nil), SelectableFields:[]apiextensions.SelectableField(nil)}}: must have exactly one version marked as storage version".to_string(),
                format!("spec.version: Invalid value: \"V1\": {DNS1035}"),
                format!("spec.names.plural: Invalid value: \"Foos\": {DNS1035}"),
                format!("spec.names.singular: Invalid value: \"foo bar\": {DNS1035}"),
                format!("spec.names.kind: Invalid value: \"foo bar\": may have mixed case, but should otherwise match: {DNS1035}"),
                format!("spec.names.listKind: Invalid value: \"foo bar\": may have mixed case, but should otherwise match: {DNS1035}"),
                format!("spec.names.shortNames[0]: Invalid value: \"A\": {DNS1035}"),
                "spec.names.listKind: Invalid value: \"foo bar\": kind and listKind may not be the same".to_string(),
                "status.storedVersions: Invalid value: []string(nil): must have at least one stored version".to_string(),
            ]
        );
        let missing = json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": {"name": "plural.group.com"}});
        assert_eq!(
            crd_errors(&missing),
            vec![
                "metadata.name: Invalid value: \"plural.group.com\": must be spec.names.plural+\".\"+spec.group",
                "spec.group: Required value",
                "spec.scope: Required value",
                "spec.versions: Invalid value: []apiextensions.CustomResourceDefinitionVersion(nil): must have exactly one version marked as storage version",
                "spec.names.plural: Required value",
                "spec.names.singular: Required value",
                "spec.names.kind: Required value",
                "spec.names.listKind: Required value",
                "status.storedVersions: Invalid value: []string(nil): must have at least one stored version",
            ]
        );
    }

    #[test]
    fn crd_conversion() {
        let mut c = crd(json!({"type": "object"}));
        c["spec"]["conversion"] = json!({"strategy": "Webhook", "webhook": {
            "clientConfig": {"url": "http://u:p@host?x=1#f"}, "conversionReviewVersions": ["v2", "v2", "V3"]}});
        let errs = crd_errors(&c);
        assert_eq!(
            errs[..5],
            [
                "spec.conversion.webhookClientConfig.url: Invalid value: \"http\": 'https' is the only allowed URL scheme; desired format: https://host[/path]",
                "spec.conversion.webhookClientConfig.url: Invalid value: \"u:p\": user information is not permitted in the URL",
                "spec.conversion.webhookClientConfig.url: Invalid value: \"f\": fragments are not permitted in the URL",
                "spec.conversion.webhookClientConfig.url: Invalid value: \"x=1\": query parameters are not permitted in the URL",
                "spec.conversion.conversionReviewVersions[1]: Invalid value: \"v2\": duplicate version",
            ]
        );
        assert_eq!(
            errs.last().map(String::as_str),
            Some(
                "spec.conversion.conversionReviewVersions: Invalid value: []string{\"v2\", \"v2\", \"V3\"}: must include at least one of v1, v1beta1"
            )
        );
        c["spec"]["conversion"] = json!({"strategy": "Webhook", "webhook": {"clientConfig": {"url": ""}, "conversionReviewVersions": ["v1"]}});
        assert_eq!(
            crd_errors(&c),
            vec![
                "spec.conversion.webhookClientConfig.url: Invalid value: \"\": 'https' is the only allowed URL scheme; desired format: https://host[/path]",
                "spec.conversion.webhookClientConfig.url: Invalid value: \"\": host must be specified; desired format: https://host[/path]",
            ]
        );
        c["spec"]["conversion"] = json!({"strategy": "Webhook", "webhook": {
            "clientConfig": {"service": {"name": "s", "namespace": "n", "port": 0, "path": "/ok/Bad/"}}, "conversionReviewVersions": ["v1"]}});
        assert_eq!(
            crd_errors(&c),
            vec![
                "spec.conversion.webhookClientConfig.service.port: Invalid value: 0: port is not valid: must be between 1 and 65535, inclusive",
                "spec.conversion.webhookClientConfig.service.path: Invalid value: \"/ok/Bad/\": segment[1]: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
            ]
        );
        c["spec"]["conversion"] = json!({"strategy": "None", "webhook": {"clientConfig": {"url": "https://x"}, "conversionReviewVersions": ["v1"]}});
        assert_eq!(
            crd_errors(&c),
            vec![
                "spec.conversion.webhookClientConfig: Forbidden: should not be set when strategy is not set to Webhook",
                "spec.conversion.conversionReviewVersions: Forbidden: should not be set when strategy is not set to Webhook",
            ]
        );
        c["spec"]["conversion"] = json!({"strategy": "Webhook", "webhook": {"clientConfig": {"url": "https://x/convert"}, "conversionReviewVersions": ["v1"]}});
        assert_eq!(crd_errors(&c), Vec::<String>::new());
    }

    #[test]
    fn crd_subresources_columns_selectable_fields() {
        let mut c = crd(
            json!({"type": "object", "anyOf": [{}], "properties": {"status": {"type": "object"}}}),
        );
        c["spec"]["versions"][0]["subresources"] = json!({"status": {}, "scale": {
            "specReplicasPath": "spec.replicas", "statusReplicasPath": ".spec.x", "labelSelectorPath": ".foo"}});
        c["spec"]["versions"][0]["additionalPrinterColumns"] =
            json!([{"name": "", "type": "str", "format": "x", "jsonPath": "spec"}]);
        assert_eq!(
            crd_errors(&c),
            vec![
                format!("{P}: Invalid value: apiextensions.JSONSchemaProps{{...}}: only [Description Type Format Title Maximum ExclusiveMaximum Minimum ExclusiveMinimum MaxLength MinLength Pattern MaxItems MinItems UniqueItems MultipleOf Required Items Properties ExternalDocs Example XPreserveUnknownFields XValidations] fields are allowed at the root of the schema if the status subresource is enabled"),
                "spec.subresources.scale.specReplicasPath: Invalid value: \"spec.replicas\": must be a simple json path starting with .".to_string(),
                "spec.subresources.scale.statusReplicasPath: Invalid value: \".spec.x\": should be a json path under .status".to_string(),
                "spec.subresources.scale.labelSelectorPath: Invalid value: \".foo\": should be a json path under either .spec or .status".to_string(),
                "spec.additionalPrinterColumns[0].name: Required value".to_string(),
                "spec.additionalPrinterColumns[0].type: Invalid value: \"str\": must be one of boolean,date,integer,number,string".to_string(),
                "spec.additionalPrinterColumns[0].format: Invalid value: \"x\": must be one of byte,date,date-time,double,float,int32,int64,password".to_string(),
                "spec.additionalPrinterColumns[0].JSONPath: Invalid value: \"spec\": must be a simple json path starting with .".to_string(),
            ]
        );
        let mut c = crd(
            json!({"type": "object", "properties": {"spec": {"type": "object", "properties": {"a": {"type": "string"}, "n": {"type": "number"}}}}}),
        );
        c["spec"]["versions"][0]["selectableFields"] = json!([
            {"jsonPath": ".spec.a"}, {"jsonPath": ".spec.a"}, {"jsonPath": ".spec.n"}, {"jsonPath": ".metadata.name"}, {"jsonPath": "spec.b"}, {"jsonPath": ".spec['a']"},
        ]);
        assert_eq!(
            crd_errors(&c),
            vec![
                "spec.selectableFields[1].jsonPath: Duplicate value: \".spec.a\"",
                "spec.selectableFields[2].jsonPath: Invalid value: \".spec.n\": must point to a field of type string, boolean or integer. Enum string fields and strings with formats are allowed.",
                "spec.selectableFields[3].jsonPath: Invalid value: \".metadata.name\": is an invalid path: does not refer to a valid field",
                "spec.selectableFields[4].jsonPath: Invalid value: \"spec.b\": is an invalid path: expected [ or . but got: spec",
                "spec.selectableFields[5].jsonPath: Invalid value: \".spec['a']\": is an invalid path: array notation is not allowed",
            ]
        );
    }

    #[test]
    fn crd_approval_and_preserve_unknown_fields() {
        let mut c = crd(json!({"type": "object"}));
        c["spec"]["group"] = json!("foo.k8s.io");
        c["metadata"]["name"] = json!("foos.foo.k8s.io");
        assert_eq!(
            crd_errors(&c),
            vec![
                "metadata.annotations[api-approved.kubernetes.io]: Required value: protected groups must have approval annotation \"api-approved.kubernetes.io\", see https://github.com/kubernetes/enhancements/pull/1111"
            ]
        );
        c["metadata"]["annotations"] = json!({"api-approved.kubernetes.io": "maybe"});
        assert_eq!(
            crd_errors(&c),
            vec![
                "metadata.annotations[api-approved.kubernetes.io]: Invalid value: \"maybe\": protected groups must have approval annotation \"api-approved.kubernetes.io\" with either a URL or a reason starting with \"unapproved\", see https://github.com/kubernetes/enhancements/pull/1111"
            ]
        );
        c["metadata"]["annotations"] = json!({"api-approved.kubernetes.io": "https://github.com/kubernetes/kubernetes/pull/1"});
        assert_eq!(crd_errors(&c), Vec::<String>::new());
        c["metadata"]["annotations"] = json!({"api-approved.kubernetes.io": "unapproved, testing"});
        assert_eq!(crd_errors(&c), Vec::<String>::new());

        let mut c =
            crd(json!({"type": "object", "properties": {"a": {"type": "string", "default": "x"}}}));
        c["spec"]["preserveUnknownFields"] = json!(true);
        assert_eq!(
            crd_errors(&c),
            vec![
                "spec.preserveUnknownFields: Invalid value: true: must be false in order to use defaults in the schema",
                "spec.preserveUnknownFields: Invalid value: true: cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead",
            ]
        );
    }

    #[test]
    fn crd_update() {
        let mut old = crd(json!({"type": "object"}));
        default_crd(&mut old);
        prepare_crd_for_create(&mut old);
        assert!(accept_crd_names(&mut old, &[], "2024-01-01T00:00:00Z"));
        assert!(establish_crd(&mut old, "2024-01-01T00:00:01Z"));

        let mut new = old.clone();
        new["spec"]["scope"] = json!("Cluster");
        new["spec"]["names"]["plural"] = json!("bars");
        new["spec"]["names"]["kind"] = json!("Bar");
        new["spec"]["versions"] = json!([
            {"name": "v1", "served": true, "storage": false, "schema": {"openAPIV3Schema": {"type": "object"}}},
            {"name": "v2", "served": true, "storage": true, "schema": {"openAPIV3Schema": {"type": "object"}}},
        ]);
        prepare_crd_for_update(&mut new, &old);
        assert_eq!(new["metadata"]["generation"], json!(2));
        assert_eq!(new["status"]["storedVersions"], json!(["v1", "v2"]));
        assert_eq!(
            msgs(&validate_crd(&new, Some(&old))),
            vec![
                "metadata.name: Invalid value: \"foos.example.com\": must be spec.names.plural+\".\"+spec.group".to_string(),
                "spec.scope: Invalid value: \"Cluster\": field is immutable".to_string(),
                "spec.names.kind: Invalid value: \"Bar\": field is immutable".to_string(),
                "spec.names.plural: Invalid value: \"bars\": field is immutable".to_string(),
            ][1..]
        );
        // removing a stored version from spec.versions
        let mut new = old.clone();
        new["spec"]["versions"][0]["name"] = json!("v2");
        prepare_crd_for_update(&mut new, &old);
        assert_eq!(
            msgs(&validate_crd(&new, Some(&old))),
            vec![
                "status.storedVersions[0]: Invalid value: \"v1\": missing from spec.versions; v1 was previously a storage version, and must remain in spec.versions until a storage migration ensures no data remains persisted in v1 and removes v1 from status.storedVersions"
            ]
        );
        // unchanged spec: same generation
        let mut same = old.clone();
        prepare_crd_for_update(&mut same, &old);
        assert_eq!(same["metadata"]["generation"], json!(1));
        assert!(validate_crd(&same, Some(&old)).is_empty());
        assert!(validate_crd_status_update(&same, &old).is_empty());
    }

    // --- CRD defaulting, strategy, status ---------------------------------------------------

    #[test]
    fn crd_defaulting_and_prepare() {
        let mut c = json!({"spec": {"names": {"kind": "Foo"}, "versions": [
            {"name": "v1", "served": true, "storage": false},
            {"name": "v2", "served": true, "storage": true},
        ], "conversion": {"strategy": "Webhook", "webhook": {"clientConfig": {"service": {"name": "s", "namespace": "n"}}}}}});
        default_crd(&mut c);
        assert_eq!(
            c["spec"]["names"],
            json!({"kind": "Foo", "singular": "foo", "listKind": "FooList"})
        );
        assert_eq!(
            c["spec"]["conversion"]["webhook"]["clientConfig"]["service"]["port"],
            json!(443)
        );
        assert_eq!(c["status"]["storedVersions"], json!(["v2"]));
        let mut d = json!({"spec": {"names": {"kind": "Foo"}}});
        default_crd(&mut d);
        assert_eq!(d["spec"]["conversion"], json!({"strategy": "None"}));
        prepare_crd_for_create(&mut c);
        assert_eq!(
            c["status"],
            json!({"acceptedNames": {"plural": "", "kind": ""}, "storedVersions": ["v2"]})
        );
        assert_eq!(c["metadata"]["generation"], json!(1));
    }

    #[test]
    fn crd_names_accepted_and_established() {
        let mut c = crd(json!({"type": "object"}));
        c["spec"]["names"]["shortNames"] = json!(["f"]);
        default_crd(&mut c);
        prepare_crd_for_create(&mut c);
        let other = json!({"spec": {"group": "example.com"},
            "status": {"acceptedNames": {"plural": "bars", "kind": "Bar", "shortNames": ["f"]}}});
        assert!(accept_crd_names(
            &mut c,
            std::slice::from_ref(&other),
            "2024-01-01T00:00:00Z"
        ));
        assert_eq!(
            c["status"]["acceptedNames"],
            json!({"plural": "foos", "singular": "foo", "kind": "Foo", "listKind": "FooList"})
        );
        assert_eq!(
            c["status"]["conditions"],
            json!([
                {"type": "NamesAccepted", "status": "False", "lastTransitionTime": "2024-01-01T00:00:00Z",
                 "reason": "ShortNamesConflict", "message": "\"f\" is already in use"},
                {"type": "Established", "status": "False", "lastTransitionTime": "2024-01-01T00:00:00Z",
                 "reason": "NotAccepted", "message": "not all names are accepted"},
            ])
        );
        assert!(!establish_crd(&mut c, "2024-01-01T00:00:01Z"));
        assert!(!is_established(&c));
        c["spec"]["names"]["shortNames"] = json!(["g"]);
        assert!(accept_crd_names(&mut c, &[other], "2024-01-01T00:00:02Z"));
        assert!(establish_crd(&mut c, "2024-01-01T00:00:03Z"));
        assert!(is_established(&c));
        assert_eq!(
            c["status"]["conditions"],
            json!([
                {"type": "NamesAccepted", "status": "True", "lastTransitionTime": "2024-01-01T00:00:02Z",
                 "reason": "NoConflicts", "message": "no conflicts found"},
                {"type": "Established", "status": "True", "lastTransitionTime": "2024-01-01T00:00:03Z",
                 "reason": "InitialNamesAccepted", "message": "the initial names have been accepted"},
            ])
        );
        // nothing left to do
        assert!(!accept_crd_names(&mut c, &[], "2024-01-01T00:00:04Z"));
    }

    #[test]
    fn crd_accessors() {
        let c = json!({"spec": {"versions": [
            {"name": "v1", "served": true, "storage": false, "schema": {"openAPIV3Schema": {"type": "object"}},
             "additionalPrinterColumns": [{"name": "Replicas", "type": "integer", "jsonPath": ".spec.replicas", "priority": 1, "description": "d"}],
             "subresources": {"status": {}, "scale": {"specReplicasPath": ".spec.replicas", "statusReplicasPath": ".status.replicas"}},
             "selectableFields": [{"jsonPath": ".spec.color"}]},
            {"name": "v2", "served": false, "storage": true},
        ]}});
        assert_eq!(served_versions(&c), vec!["v1"]);
        assert_eq!(storage_version(&c).as_deref(), Some("v2"));
        assert_eq!(
            printer_columns(&c, "v1"),
            vec![PrinterColumn {
                name: "Replicas".into(),
                type_: "integer".into(),
                format: String::new(),
                description: "d".into(),
                priority: 1,
                json_path: ".spec.replicas".into(),
            }]
        );
        assert!(printer_columns(&c, "v2").is_empty());
        assert_eq!(
            subresources(&c, "v1"),
            Subresources {
                status: true,
                scale: Some(ScaleSubresource {
                    spec_replicas_path: ".spec.replicas".into(),
                    status_replicas_path: ".status.replicas".into(),
                    label_selector_path: None,
                }),
            }
        );
        assert_eq!(subresources(&c, "v2"), Subresources::default());
        assert_eq!(selectable_fields(&c, "v1"), vec![".spec.color"]);
        assert!(matches!(structural_for_version(&c, "v1"), Some(Ok(_))));
        assert!(structural_for_version(&c, "v2").is_none());
    }

    // --- Go renderings, patterns, robustness ------------------------------------------------

    #[test]
    fn go_renderings() {
        for (f, g, j) in [
            (0.0001, "0.0001", "0.0001"),
            (0.00001, "1e-05", "0.00001"),
            (1e-7, "1e-07", "1e-7"),
            (1e6, "1e+06", "1000000"),
            (123456.0, "123456", "123456"),
            (1.5, "1.5", "1.5"),
            (-2.25, "-2.25", "-2.25"),
            (1e20, "1e+20", "100000000000000000000"),
            (1e21, "1e+21", "1e+21"),
        ] {
            assert_eq!(
                (go_float(f), go_json_float(f)),
                (g.to_string(), j.to_string()),
                "{f}"
            );
        }
        assert_eq!(
            render(&json!({"b": [1, "x", null, 1.5], "a": true})),
            "map[string]interface {}{\"a\":true, \"b\":[]interface {}{1, \"x\", interface {}(nil), 1.5}}"
        );
        assert_eq!(
            go_json(&json!({"b": "<x>", "a": [1.0, 2]})),
            "{\"a\":[1,2],\"b\":\"\\u003cx\\u003e\"}"
        );
    }

    #[test]
    fn go_patterns() {
        let ok = |p: &str, s: &str| compile_go_regex(p).map(|r| r.is_match(s));
        assert_eq!(ok(r"^\d+$", "123"), Ok(true));
        assert_eq!(ok(r"^\d+$", "١٢٣"), Ok(false)); // Go's \d is ASCII
        assert_eq!(ok(r"^[\w.]+$", "a_b.c"), Ok(true));
        assert_eq!(ok(r"^\Qa.b\E$", "a.b"), Ok(true));
        assert_eq!(ok(r"^\Qa.b\E$", "axb"), Ok(false));
        assert_eq!(ok("^{a}$", "{a}"), Ok(true));
        assert_eq!(ok("^a{2}$", "aa"), Ok(true));
        assert_eq!(ok(r"^[a-z&&b]+$", "a&b"), Ok(true));
        for (p, e) in [
            ("+", "missing argument to repetition operator: `+`"),
            ("(a", "missing closing ): `(a`"),
            ("a)", "unexpected ): `a)`"),
            ("[a", "missing closing ]: `[a`"),
            (r"\q", "invalid escape sequence: `\\q`"),
            ("a{1001}", "invalid repeat count: `{1001}`"),
            ("x{2,1}", "invalid repeat count: `{2,1}`"),
            ("(?=a)", "invalid or unsupported Perl syntax: `(?=`"),
            ("[z-a]", "invalid character class range: `z-a`"),
            ("a**", "invalid nested repetition operator: `**`"),
            ("a*??", "invalid nested repetition operator: `*??`"),
            ("\\", "trailing backslash at end of expression: ``"),
        ] {
            assert_eq!(
                compile_go_regex(p).err(),
                Some(format!("error parsing regexp: {e}")),
                "{p}"
            );
        }
    }

    #[test]
    fn no_panics_on_malformed_input() {
        let junk = [
            json!(null),
            json!(1),
            json!("x"),
            json!([1, {"a": null}]),
            json!({"spec": "x", "metadata": 5, "status": []}),
            json!({"spec": {"versions": "x", "names": 3, "conversion": {"webhook": 1}}}),
            json!({"spec": {"versions": [null, 1, {"schema": {"openAPIV3Schema": {"type": 1, "properties": []}}}]}}),
            json!({"spec": {"versions": [{"name": "é", "schema": {"openAPIV3Schema": {"pattern": "é{1,99999999999é", "items": 3, "enum": 1}}}]}}),
        ];
        for j in &junk {
            let mut c = j.clone();
            default_crd(&mut c);
            prepare_crd_for_create(&mut c);
            let _ = validate_crd(&c, None);
            let _ = validate_crd(&c, Some(j));
            let _ = accept_crd_names(&mut c, std::slice::from_ref(j), "now");
            let _ = establish_crd(&mut c, "now");
            let _ = Structural::from_value(j);
        }
        let s = schema(json!({"type": "object", "properties": {
            "spec": {"type": "object", "properties": {
                "l": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["k"], "items": {"type": "object"}},
                "e": {"type": "object", "x-kubernetes-embedded-resource": true, "x-kubernetes-preserve-unknown-fields": true},
                "d": {"type": "string", "format": "date"},
                "p": {"type": "string", "pattern": "^é+$"},
            }},
        }}));
        for j in &junk {
            for obj in [
                j.clone(),
                json!({"spec": j}),
                json!({"spec": {"l": j, "e": j, "d": "é1234567890", "p": j}, "metadata": j}),
            ] {
                let mut o = obj.clone();
                let _ = prune(&s, &mut o);
                apply_defaults(&s, &mut o);
                let _ = validate(&s, &o);
                let _ = validate_update(&s, &o, &obj);
                let _ = validate_status_update(&s, &o, &obj);
            }
        }
        for f in SUPPORTED_FORMATS {
            for v in [
                "",
                "é",
                "ééééééééééééééééé",
                "[",
                "1:2:3",
                "%zz",
                "a@",
                "2020-é1-01",
            ] {
                let _ = format_validates(f, v);
            }
        }
    }
}
