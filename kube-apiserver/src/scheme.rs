//! The typed view of objects: objects travel as `serde_json::Value`; this module checks them
//! against the `k8s-openapi` types of the built-in kinds.
//!
//! [`roundtrip`] decodes an object into its type and encodes it back, which is what upstream's
//! decoding does to a request body: type errors become upstream's 400 message, fields the type
//! does not know are dropped and reported (for `fieldValidation=Strict|Warn`), and the result is
//! the object as the type serializes it.
//!
//! Quirks of `k8s-openapi` (0.29) this module deals with:
//! - Resource types always serialize `apiVersion`, `kind` and `metadata` (`{}` when empty), and
//!   their deserializers reject an `apiVersion`/`kind` other than the type's own: the top-level
//!   pair is taken out before decoding (the caller checks it against the endpoint). Resources
//!   embedded in other types (a StatefulSet's `volumeClaimTemplates`) would gain an
//!   `apiVersion`/`kind` the input did not have; those invented pairs are removed again.
//! - `Option` fields serialize only when `Some`, and empty maps and lists stay as they are, so
//!   `labels: {}` and `status: {}` survive; `null` decodes to `None` and is omitted.
//! - Required (non-`Option`) fields serialize even when absent from the input (`containers: []`,
//!   `name: ""`), as upstream's Go types without `omitempty` do.
//! - `Quantity` accepts JSON numbers (`cpu: 1`) and re-encodes them as strings (`"1"`);
//!   `IntOrString` keeps `80` a number and `"25%"` a string.
//! - `Time` re-encodes in UTC at second precision, `MicroTime` at microseconds, as upstream.
//! - `f64` fields (`minimum`, `maximum`, `multipleOf` of CRD schemas) encode `0` as `0.0`; an
//!   integral input number is given back as it was.
//! - A `null` where the type has a plain (non-`Option`) value is an error for serde but ignored
//!   by Go's decoder: such objects are decoded again with their `null` members removed.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use k8s_openapi::api::admissionregistration::v1 as admissionregistration_v1;
use k8s_openapi::api::apps::v1 as apps_v1;
use k8s_openapi::api::authentication::v1 as authentication_v1;
use k8s_openapi::api::authorization::v1 as authorization_v1;
use k8s_openapi::api::autoscaling::v1 as autoscaling_v1;
use k8s_openapi::api::autoscaling::v2 as autoscaling_v2;
use k8s_openapi::api::batch::v1 as batch_v1;
use k8s_openapi::api::certificates::v1 as certificates_v1;
use k8s_openapi::api::coordination::v1 as coordination_v1;
use k8s_openapi::api::core::v1 as core_v1;
use k8s_openapi::api::discovery::v1 as discovery_v1;
use k8s_openapi::api::events::v1 as events_v1;
use k8s_openapi::api::flowcontrol::v1 as flowcontrol_v1;
use k8s_openapi::api::networking::v1 as networking_v1;
use k8s_openapi::api::node::v1 as node_v1;
use k8s_openapi::api::policy::v1 as policy_v1;
use k8s_openapi::api::rbac::v1 as rbac_v1;
use k8s_openapi::api::scheduling::v1 as scheduling_v1;
use k8s_openapi::api::storage::v1 as storage_v1;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1 as apiextensions_v1;
use k8s_openapi::apimachinery::pkg::apis::meta::v1 as meta_v1;
use k8s_openapi::kube_aggregator::pkg::apis::apiregistration::v1 as apiregistration_v1;

/// Decode a JSON value into one type and encode it back.
type Codec = fn(Value) -> Result<Value, serde_json::Error>;

fn codec<T: DeserializeOwned + Serialize>(v: Value) -> Result<Value, serde_json::Error> {
    let typed: T = serde_json::from_value(v)?;
    serde_json::to_value(&typed)
}

macro_rules! scheme {
    ($( $api_version:literal $kind:literal => $ty:ty; )*) => {
        /// (apiVersion, kind, codec) of every built-in kind.
        static KINDS: &[(&str, &str, Codec)] = &[
            $( ($api_version, $kind, codec::<$ty> as Codec), )*
        ];
    };
}

scheme! {
    "v1" "Binding" => core_v1::Binding;
    "v1" "ComponentStatus" => core_v1::ComponentStatus;
    "v1" "ConfigMap" => core_v1::ConfigMap;
    "v1" "Endpoints" => core_v1::Endpoints;
    "v1" "Event" => core_v1::Event;
    "v1" "LimitRange" => core_v1::LimitRange;
    "v1" "Namespace" => core_v1::Namespace;
    "v1" "Node" => core_v1::Node;
    "v1" "PersistentVolume" => core_v1::PersistentVolume;
    "v1" "PersistentVolumeClaim" => core_v1::PersistentVolumeClaim;
    "v1" "Pod" => core_v1::Pod;
    "v1" "PodTemplate" => core_v1::PodTemplate;
    "v1" "ReplicationController" => core_v1::ReplicationController;
    "v1" "ResourceQuota" => core_v1::ResourceQuota;
    "v1" "Secret" => core_v1::Secret;
    "v1" "Service" => core_v1::Service;
    "v1" "ServiceAccount" => core_v1::ServiceAccount;
    "admissionregistration.k8s.io/v1" "MutatingWebhookConfiguration" => admissionregistration_v1::MutatingWebhookConfiguration;
    "admissionregistration.k8s.io/v1" "ValidatingAdmissionPolicy" => admissionregistration_v1::ValidatingAdmissionPolicy;
    "admissionregistration.k8s.io/v1" "ValidatingAdmissionPolicyBinding" => admissionregistration_v1::ValidatingAdmissionPolicyBinding;
    "admissionregistration.k8s.io/v1" "ValidatingWebhookConfiguration" => admissionregistration_v1::ValidatingWebhookConfiguration;
    "apiextensions.k8s.io/v1" "CustomResourceDefinition" => apiextensions_v1::CustomResourceDefinition;
    "apiregistration.k8s.io/v1" "APIService" => apiregistration_v1::APIService;
    "apps/v1" "ControllerRevision" => apps_v1::ControllerRevision;
    "apps/v1" "DaemonSet" => apps_v1::DaemonSet;
    "apps/v1" "Deployment" => apps_v1::Deployment;
    "apps/v1" "ReplicaSet" => apps_v1::ReplicaSet;
    "apps/v1" "StatefulSet" => apps_v1::StatefulSet;
    "authentication.k8s.io/v1" "SelfSubjectReview" => authentication_v1::SelfSubjectReview;
    "authentication.k8s.io/v1" "TokenRequest" => authentication_v1::TokenRequest;
    "authentication.k8s.io/v1" "TokenReview" => authentication_v1::TokenReview;
    "authorization.k8s.io/v1" "LocalSubjectAccessReview" => authorization_v1::LocalSubjectAccessReview;
    "authorization.k8s.io/v1" "SelfSubjectAccessReview" => authorization_v1::SelfSubjectAccessReview;
    "authorization.k8s.io/v1" "SelfSubjectRulesReview" => authorization_v1::SelfSubjectRulesReview;
    "authorization.k8s.io/v1" "SubjectAccessReview" => authorization_v1::SubjectAccessReview;
    "autoscaling/v1" "HorizontalPodAutoscaler" => autoscaling_v1::HorizontalPodAutoscaler;
    "autoscaling/v1" "Scale" => autoscaling_v1::Scale;
    "autoscaling/v2" "HorizontalPodAutoscaler" => autoscaling_v2::HorizontalPodAutoscaler;
    "batch/v1" "CronJob" => batch_v1::CronJob;
    "batch/v1" "Job" => batch_v1::Job;
    "certificates.k8s.io/v1" "CertificateSigningRequest" => certificates_v1::CertificateSigningRequest;
    "coordination.k8s.io/v1" "Lease" => coordination_v1::Lease;
    "discovery.k8s.io/v1" "EndpointSlice" => discovery_v1::EndpointSlice;
    "events.k8s.io/v1" "Event" => events_v1::Event;
    "flowcontrol.apiserver.k8s.io/v1" "FlowSchema" => flowcontrol_v1::FlowSchema;
    "flowcontrol.apiserver.k8s.io/v1" "PriorityLevelConfiguration" => flowcontrol_v1::PriorityLevelConfiguration;
    "networking.k8s.io/v1" "IPAddress" => networking_v1::IPAddress;
    "networking.k8s.io/v1" "Ingress" => networking_v1::Ingress;
    "networking.k8s.io/v1" "IngressClass" => networking_v1::IngressClass;
    "networking.k8s.io/v1" "NetworkPolicy" => networking_v1::NetworkPolicy;
    "networking.k8s.io/v1" "ServiceCIDR" => networking_v1::ServiceCIDR;
    "node.k8s.io/v1" "RuntimeClass" => node_v1::RuntimeClass;
    "policy/v1" "Eviction" => policy_v1::Eviction;
    "policy/v1" "PodDisruptionBudget" => policy_v1::PodDisruptionBudget;
    "rbac.authorization.k8s.io/v1" "ClusterRole" => rbac_v1::ClusterRole;
    "rbac.authorization.k8s.io/v1" "ClusterRoleBinding" => rbac_v1::ClusterRoleBinding;
    "rbac.authorization.k8s.io/v1" "Role" => rbac_v1::Role;
    "rbac.authorization.k8s.io/v1" "RoleBinding" => rbac_v1::RoleBinding;
    "scheduling.k8s.io/v1" "PriorityClass" => scheduling_v1::PriorityClass;
    "storage.k8s.io/v1" "CSIDriver" => storage_v1::CSIDriver;
    "storage.k8s.io/v1" "CSINode" => storage_v1::CSINode;
    "storage.k8s.io/v1" "CSIStorageCapacity" => storage_v1::CSIStorageCapacity;
    "storage.k8s.io/v1" "StorageClass" => storage_v1::StorageClass;
    "storage.k8s.io/v1" "VolumeAttachment" => storage_v1::VolumeAttachment;
    "meta.k8s.io/v1" "DeleteOptions" => meta_v1::DeleteOptions;
}

/// DeleteOptions is registered in every group version upstream (it is the body of a DELETE
/// in any group); it is not a resource: its `apiVersion` and `kind` are ordinary fields.
const DELETE_OPTIONS: &str = "DeleteOptions";

/// The codec for (api_version, kind), and whether it is a resource type (whose `apiVersion`
/// and `kind` the type fixes).
fn lookup(api_version: &str, kind: &str) -> Option<(Codec, bool)> {
    if kind == DELETE_OPTIONS {
        return Some((codec::<meta_v1::DeleteOptions> as Codec, false));
    }
    KINDS
        .iter()
        .find(|(av, k, _)| *av == api_version && *k == kind)
        .map(|(_, _, c)| (*c, true))
}

/// Whether (api_version, kind) is a built-in kind this scheme knows (`DeleteOptions` in any
/// group version).
pub fn is_known(api_version: &str, kind: &str) -> bool {
    lookup(api_version, kind).is_some()
}

/// Every (apiVersion, kind) of the scheme.
pub fn known_kinds() -> impl Iterator<Item = (&'static str, &'static str)> {
    KINDS.iter().map(|(av, k, _)| (*av, *k))
}

/// Round-trip `obj` through the k8s-openapi type for (api_version, kind).
///
/// A decoding error is what upstream answers as 400 after [`decode_error_prefix`] (`Pod in
/// version "v1" cannot be handled as a Pod: `), in upstream's shape, e.g. `json: cannot
/// unmarshal string into Go struct field PodSpec.spec.containers of type []v1.Container` (Go
/// type names are approximations). The result is the object as the type serializes it, which
/// drops fields the type does not know, as upstream does.
///
/// Returns `(typed_json, unknown_fields)`: the JSON paths present in `obj` but absent after the
/// round trip, as `.spec.bogusField`, `.bogusField`, `.spec.containers[0].bogus` (object members
/// as `.name`, list items as `[i]`), sorted as the object's members are. `null` members are not
/// unknown. See [`strict_decoding_error`] and [`unknown_field_warning`] for upstream's messages.
///
/// An unknown (api_version, kind) gives `Ok((obj.clone(), vec![]))`.
pub fn roundtrip(
    api_version: &str,
    kind: &str,
    obj: &Value,
) -> Result<(Value, Vec<String>), String> {
    let Some((codec, resource)) = lookup(api_version, kind) else {
        return Ok((obj.clone(), Vec::new()));
    };
    let input = || {
        let mut input = obj.clone();
        if resource && let Value::Object(m) = &mut input {
            m.remove("apiVersion");
            m.remove("kind");
        }
        input
    };
    // Members taken out of the input for serde's sake, put back into the output after.
    let mut restore: Vec<(Vec<Seg>, Value)> = Vec::new();
    let mut typed = match codec(input()) {
        Ok(v) => v,
        Err(_) => {
            let mut stripped = strip_nulls(input());
            loop {
                let err = match codec(stripped.clone()) {
                    Ok(v) => break v,
                    Err(e) => e,
                };
                // Go keeps whatever apiVersion/kind an embedded resource (a StatefulSet's
                // volumeClaimTemplates) has; k8s-openapi insists on its own.
                if restore.len() < 16 && err.to_string().starts_with("invalid value: string ") {
                    let (path, _) = locate(&stripped, codec);
                    if let [parent @ .., Seg::Key(k)] = path.as_slice()
                        && !parent.is_empty()
                        && (k == "apiVersion" || k == "kind")
                        && let Some(Value::Object(m)) = node_mut(&mut stripped, parent)
                        && let Some(v) = m.remove(k)
                    {
                        restore.push((path, v));
                        continue;
                    }
                }
                return Err(decode_error(api_version, kind, &stripped, codec));
            }
        }
    };
    for (path, v) in restore {
        if let [parent @ .., Seg::Key(k)] = path.as_slice()
            && let Some(Value::Object(m)) = node_mut(&mut typed, parent)
        {
            m.insert(k.clone(), v);
        }
    }
    let mut unknown = Vec::new();
    diff(obj, &mut typed, &mut String::new(), true, &mut unknown);
    Ok((typed, unknown))
}

/// What upstream puts before a decoding error of a body (from [`roundtrip`] or
/// [`strict_decoding_error`]): `Pod in version "v1" cannot be handled as a Pod: `.
pub fn decode_error_prefix(api_version: &str, kind: &str) -> String {
    let version = api_version.rsplit('/').next().unwrap_or(api_version);
    format!(
        "{kind} in version {} cannot be handled as a {kind}: ",
        go_quote(version)
    )
}

/// Upstream's `fieldValidation=Strict` failure message for the unknown fields [`roundtrip`]
/// reported: `strict decoding error: unknown field "spec.bogus", unknown field "x"`. Upstream
/// answers it (400) after [`decode_error_prefix`].
pub fn strict_decoding_error(unknown: &[String]) -> String {
    let fields: Vec<String> = unknown.iter().map(|f| unknown_field_warning(f)).collect();
    format!("strict decoding error: {}", fields.join(", "))
}

/// Upstream's `fieldValidation=Warn` warning for one unknown field path from [`roundtrip`]:
/// `unknown field "spec.bogus"`.
pub fn unknown_field_warning(path: &str) -> String {
    format!(
        "unknown field {}",
        go_quote(path.strip_prefix('.').unwrap_or(path))
    )
}

/// Go's `%q` for the (printable) strings of these messages.
fn go_quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// The object with every `null` object member removed, recursively.
fn strip_nulls(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, strip_nulls(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(strip_nulls).collect()),
        other => other,
    }
}

/// Collect the members of `input` that the round trip dropped, take out of `output` the
/// `apiVersion`/`kind` pairs the types invented for embedded resources, and give back integral
/// numbers that float fields turned into `N.0`.
fn diff(input: &Value, output: &mut Value, path: &mut String, root: bool, out: &mut Vec<String>) {
    match (input, output) {
        (Value::Object(i), Value::Object(o)) => {
            for (k, iv) in i {
                if iv.is_null() {
                    continue;
                }
                let len = path.len();
                path.push('.');
                path.push_str(k);
                match o.get_mut(k) {
                    None => out.push(path.clone()),
                    Some(ov) => diff(iv, ov, path, false, out),
                }
                path.truncate(len);
            }
            if !root {
                let absent = |k: &str| i.get(k).is_none_or(Value::is_null);
                let invented = |o: &Map<String, Value>, k: &str| {
                    o.get(k)
                        .and_then(Value::as_str)
                        .is_some_and(|s| !s.is_empty())
                };
                if absent("apiVersion")
                    && absent("kind")
                    && invented(o, "apiVersion")
                    && invented(o, "kind")
                {
                    o.remove("apiVersion");
                    o.remove("kind");
                }
            }
        }
        // float64 fields (JSONSchemaProps `minimum`...) encode `0` as `0.0`; Go writes `0`.
        (Value::Number(i), o @ Value::Number(_))
            if !i.is_f64()
                && o.as_number().is_some_and(serde_json::Number::is_f64)
                && o.as_f64() == i.as_f64() =>
        {
            *o = Value::Number(i.clone());
        }
        (Value::Array(i), Value::Array(o)) => {
            for (idx, (iv, ov)) in i.iter().zip(o.iter_mut()).enumerate() {
                let len = path.len();
                path.push_str(&format!("[{idx}]"));
                diff(iv, ov, path, false, out);
                path.truncate(len);
            }
        }
        _ => {}
    }
}

// --- decoding errors in upstream's shape --------------------------------------------------------

#[derive(Clone, Debug)]
enum Seg {
    Key(String),
    Index(usize),
}

fn node<'a>(v: &'a Value, path: &[Seg]) -> Option<&'a Value> {
    path.iter().try_fold(v, |v, seg| match seg {
        Seg::Key(k) => v.get(k),
        Seg::Index(i) => v.get(*i),
    })
}

fn node_mut<'a>(v: &'a mut Value, path: &[Seg]) -> Option<&'a mut Value> {
    path.iter().try_fold(v, |v, seg| match seg {
        Seg::Key(k) => v.get_mut(k),
        Seg::Index(i) => v.get_mut(*i),
    })
}

/// `doc` with the node at `path` replaced.
fn with_node(doc: &Value, path: &[Seg], replacement: Value) -> Value {
    let mut d = doc.clone();
    if let Some(n) = node_mut(&mut d, path) {
        *n = replacement;
    }
    d
}

/// Find where the first decoding error of `doc` is: the path of the offending value, and a
/// copy of `doc` whose members and items after that path are dropped (so that its first and
/// only error is there). Decoding processes members in order and the types default every
/// missing member, so the offending member is the first one whose prefix fails to decode.
fn locate(doc: &Value, codec: Codec) -> (Vec<Seg>, Value) {
    let mut doc = doc.clone();
    let mut path: Vec<Seg> = Vec::new();
    while let Some(n) = node(&doc, &path) {
        let (len, empty) = match n {
            Value::Object(m) => (m.len(), Value::Object(Map::new())),
            Value::Array(a) => (a.len(), Value::Array(Vec::new())),
            _ => break,
        };
        if len == 0 || codec(with_node(&doc, &path, empty)).is_err() {
            // The value itself has the wrong type.
            break;
        }
        let mut found = false;
        for i in 0..len {
            let mut trial = doc.clone();
            let seg = match node_mut(&mut trial, &path) {
                Some(Value::Object(m)) => {
                    let keep: Vec<String> = m.keys().take(i + 1).cloned().collect();
                    m.retain(|k, _| keep.contains(k));
                    Seg::Key(keep[i].clone())
                }
                Some(Value::Array(a)) => {
                    a.truncate(i + 1);
                    Seg::Index(i)
                }
                _ => break,
            };
            if codec(trial.clone()).is_err() {
                doc = trial;
                path.push(seg);
                found = true;
                break;
            }
        }
        if !found {
            break;
        }
    }
    (path, doc)
}

const PROBE: &str = "\u{1}probe";

/// What the type at `path` expects, as serde describes it (`PodSpec`, `a map`, `i32`...),
/// found by putting a string there.
fn expected_at(doc: &Value, path: &[Seg], codec: Codec) -> Option<String> {
    expected_at_with(doc, path, codec, Value::String(PROBE.into()))
}

fn expected_at_with(doc: &Value, path: &[Seg], codec: Codec, probe: Value) -> Option<String> {
    let e = codec(with_node(doc, path, probe)).err()?;
    expected_of(&e.to_string())
}

fn expected_of(msg: &str) -> Option<String> {
    msg.rsplit_once(", expected ").map(|(_, x)| x.to_string())
}

/// A Go type name for serde's description of what a type expects.
fn go_type(expected: &str, pkg: &str) -> String {
    match expected {
        "a string" | "a string or a number" => "string".into(),
        "a boolean" => "bool".into(),
        "i8" | "i16" | "i32" | "i64" | "u8" | "u16" | "u32" | "u64" => {
            format!(
                "{}int{}",
                if expected.starts_with('u') { "u" } else { "" },
                &expected[1..]
            )
        }
        "f32" => "float32".into(),
        "f64" => "float64".into(),
        "a base64-encoded string" => "[]uint8".into(),
        x if x.contains("timestamp") => "v1.Time".into(),
        "IntOrString" => "intstr.IntOrString".into(),
        "Quantity" => "resource.Quantity".into(),
        "Time" | "MicroTime" | "ObjectMeta" | "LabelSelector" | "OwnerReference"
        | "ManagedFieldsEntry" | "Condition" | "Preconditions" | "DeleteOptions" => {
            format!("v1.{expected}")
        }
        x if x.starts_with(|c: char| c.is_ascii_uppercase()) => format!("{pkg}.{x}"),
        x => x.to_string(),
    }
}

fn is_go_int(ty: &str) -> bool {
    ty.starts_with("int") || ty.starts_with("uint")
}

/// Upstream's message for a body that does not decode, without the
/// `Pod in version "v1" cannot be handled as a Pod: ` that [`decode_error_prefix`] gives.
fn decode_error(api_version: &str, kind: &str, doc: &Value, codec: Codec) -> String {
    let pkg = api_version.rsplit('/').next().unwrap_or(api_version);
    let (path, doc) = locate(doc, codec);
    let Err(err) = codec(doc.clone()) else {
        return "json: cannot decode".to_string();
    };
    let msg = err.to_string();
    let bad = node(&doc, &path).cloned().unwrap_or(Value::Null);
    let type_error = msg.starts_with("invalid type: ") || msg.starts_with("invalid value: ");
    if !type_error {
        // metav1.Time / MicroTime: Go reports time.Parse's error.
        if let Value::String(text) = &bad
            && expected_at_with(&doc, &path, codec, Value::Bool(true))
                .is_some_and(|x| x.contains("timestamp"))
        {
            return format!(
                "parsing time {} as \"2006-01-02T15:04:05Z07:00\": {msg}",
                go_quote(text)
            );
        }
        return go_error_text(&msg, &bad);
    }
    let expected = expected_of(&msg).unwrap_or_default();
    let mut ty = go_type(&expected, pkg);
    if expected == "a sequence" || expected == "a map" {
        let probe = if expected == "a sequence" {
            Value::Array(vec![Value::String(PROBE.into())])
        } else {
            Value::Object(Map::from_iter([(
                "k".to_string(),
                Value::String(PROBE.into()),
            )]))
        };
        let elem = match codec(with_node(&doc, &path, probe)) {
            Ok(_) => "string".to_string(),
            Err(e) => go_type(&expected_of(&e.to_string()).unwrap_or_default(), pkg),
        };
        ty = if expected == "a sequence" {
            format!("[]{elem}")
        } else {
            format!("map[string]{elem}")
        };
    }
    let value = match &bad {
        Value::Null => "null".to_string(),
        Value::Bool(_) => "bool".to_string(),
        Value::String(_) => "string".to_string(),
        Value::Array(_) => "array".to_string(),
        Value::Object(_) => "object".to_string(),
        Value::Number(n) if is_go_int(&ty) => format!("number {n}"),
        Value::Number(_) => "number".to_string(),
    };
    if path.is_empty() {
        return format!("json: cannot unmarshal {value} into Go value of type {pkg}.{kind}");
    }
    // Go names the innermost struct and the path of struct fields from the top (list indices
    // and map keys are not part of it).
    let mut strukt = kind.to_string();
    let mut fields: Vec<&str> = Vec::new();
    for (depth, seg) in path.iter().enumerate() {
        let Seg::Key(k) = seg else { continue };
        let parent = &path[..depth];
        if depth == 0 {
            fields.push(k);
            continue;
        }
        match expected_at(&doc, parent, codec) {
            Some(x) if x == "a map" => {}
            Some(x) => {
                strukt = x;
                fields.push(k);
            }
            None => fields.push(k),
        }
    }
    format!(
        "json: cannot unmarshal {value} into Go struct field {strukt}.{} of type {ty}",
        fields.join(".")
    )
}

/// Go's wording for the errors of the types' own decoders.
fn go_error_text(msg: &str, bad: &Value) -> String {
    // The base64 crate: "Invalid symbol 33, offset 4." / "Invalid last symbol 66, offset 3." /
    // "Invalid padding" / "Invalid input length. ..."; Go: "illegal base64 data at input byte N".
    if msg.starts_with("Invalid symbol")
        || msg.starts_with("Invalid last symbol")
        || msg.starts_with("Invalid padding")
        || msg.starts_with("Invalid input length")
    {
        let offset = msg
            .split("offset ")
            .nth(1)
            .and_then(|s| s.trim_end_matches('.').parse::<usize>().ok())
            .unwrap_or_else(|| bad.as_str().map_or(0, str::len));
        return format!("illegal base64 data at input byte {offset}");
    }
    msg.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Round trip with no unknown fields, idempotent.
    fn clean(api_version: &str, kind: &str, obj: &Value) -> Value {
        let (out, unknown) = roundtrip(api_version, kind, obj).unwrap();
        assert!(unknown.is_empty(), "{kind}: unknown {unknown:?}");
        let (again, unknown) = roundtrip(api_version, kind, &out).unwrap();
        assert!(
            unknown.is_empty(),
            "{kind}: unknown on second trip {unknown:?}"
        );
        assert_eq!(again, out, "{kind}: round trip is not idempotent");
        out
    }

    fn deployment() -> Value {
        // ../shared/manifests/deploy-web.yaml
        json!({
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "web", "labels": {"app": "web"}},
            "spec": {
                "replicas": 3,
                "selector": {"matchLabels": {"app": "web"}},
                "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}},
                "template": {
                    "metadata": {"labels": {"app": "web"}},
                    "spec": {
                        "containers": [{
                            "name": "web",
                            "image": "nginx:1.27",
                            "ports": [{"containerPort": 80}],
                            "readinessProbe": {"httpGet": {"path": "/", "port": 80}, "periodSeconds": 1}
                        }]
                    }
                }
            }
        })
    }

    fn service() -> Value {
        json!({
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "web"},
            "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": 80}]}
        })
    }

    fn pod_lifecycle() -> Value {
        // ../shared/manifests/pod-lifecycle.yaml and pod-probes.yaml together
        json!({
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "lifecycle", "labels": {"run": "nginx"}},
            "spec": {
                "terminationGracePeriodSeconds": 30,
                "initContainers": [{
                    "name": "first", "image": "busybox:1.36",
                    "command": ["sh", "-c", "echo one > /shared-dir/order"],
                    "volumeMounts": [{"name": "work", "mountPath": "/shared-dir"}]
                }],
                "containers": [{
                    "name": "app",
                    "image": "busybox:1.36",
                    "imagePullPolicy": "IfNotPresent",
                    "command": ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"],
                    "lifecycle": {
                        "postStart": {"exec": {"command": ["sh", "-c", "mkdir -p /data"]}},
                        "preStop": {"exec": {"command": ["sh", "-c", "sleep 3"]}}
                    },
                    "readinessProbe": {
                        "httpGet": {"path": "/index.html", "port": 80, "scheme": "HTTP"},
                        "initialDelaySeconds": 2, "timeoutSeconds": 3, "periodSeconds": 2,
                        "successThreshold": 1, "failureThreshold": 2
                    },
                    "livenessProbe": {"tcpSocket": {"port": 80}, "initialDelaySeconds": 15},
                    "resources": {"limits": {"cpu": 1, "memory": "128Mi"}, "requests": {"cpu": "250m", "memory": 64000000}},
                    "volumeMounts": [{"name": "work", "mountPath": "/shared-dir"}]
                }],
                "volumes": [{"name": "work", "emptyDir": {}}],
                "restartPolicy": "Never"
            }
        })
    }

    #[test]
    fn realistic_objects_round_trip_cleanly() {
        let d = clean("apps/v1", "Deployment", &deployment());
        assert_eq!(d["spec"]["strategy"]["rollingUpdate"]["maxSurge"], json!(1));
        assert_eq!(
            d["spec"]["template"]["spec"]["containers"][0]["ports"][0]["containerPort"],
            json!(80)
        );
        assert_eq!(d["apiVersion"], "apps/v1");
        assert_eq!(d["kind"], "Deployment");

        let s = clean("v1", "Service", &service());
        assert_eq!(s["spec"]["ports"][0]["targetPort"], json!(80));

        let p = clean("v1", "Pod", &pod_lifecycle());
        let resources = &p["spec"]["containers"][0]["resources"];
        assert_eq!(resources["limits"]["cpu"], json!("1"));
        assert_eq!(resources["limits"]["memory"], json!("128Mi"));
        assert_eq!(resources["requests"]["memory"], json!("64000000"));
        assert_eq!(p["spec"]["volumes"][0]["emptyDir"], json!({}));

        let cm = json!({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "cfg", "namespace": "default", "labels": {}, "annotations": {"a": "b"}},
            "data": {"key": "value", "empty": ""},
            "binaryData": {"bin": "AAEC"}
        });
        let out = clean("v1", "ConfigMap", &cm);
        assert_eq!(out, cm, "a configmap comes back as it went in");
    }

    /// Every object of the project's shared manifests (`shared/` beside the repository, where
    /// CI and developers have it) decodes cleanly.
    #[test]
    fn shared_manifests_round_trip_cleanly() {
        use serde::Deserialize;
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/manifests");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            eprintln!("no {}: skipped", dir.display());
            return;
        };
        let mut seen = 0;
        for entry in entries {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "yaml") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for doc in serde_yaml_ng::Deserializer::from_str(&text) {
                let obj = Value::deserialize(doc).unwrap();
                if obj.is_null() {
                    continue;
                }
                let av = obj["apiVersion"].as_str().unwrap().to_string();
                let kind = obj["kind"].as_str().unwrap().to_string();
                assert!(is_known(&av, &kind), "{}: {av} {kind}", path.display());
                let (out, unknown) = roundtrip(&av, &kind, &obj).unwrap();
                assert!(unknown.is_empty(), "{}: {unknown:?}", path.display());
                assert_eq!(roundtrip(&av, &kind, &out).unwrap(), (out, vec![]));
                seen += 1;
            }
        }
        assert!(seen > 0, "no manifests in {}", dir.display());
    }

    #[test]
    fn kubectl_shaped_objects_have_no_false_unknowns() {
        // What `kubectl create --dry-run -o json` and stored objects look like: null timestamps,
        // empty status, percentages, Quantity numbers, metadata-less objects.
        let d = json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "creationTimestamp": null, "labels": {"app": "web"}},
            "spec": {
                "replicas": 1,
                "selector": {"matchLabels": {"app": "web"}},
                "strategy": {"rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}, "type": "RollingUpdate"},
                "template": {
                    "metadata": {"creationTimestamp": null, "labels": {"app": "web"}},
                    "spec": {"containers": [{"image": "nginx", "name": "nginx", "resources": {}}]}
                }
            },
            "status": {}
        });
        let out = clean("apps/v1", "Deployment", &d);
        assert_eq!(
            out["spec"]["strategy"]["rollingUpdate"]["maxSurge"],
            json!("25%")
        );
        assert_eq!(out["status"], json!({}));
        assert!(out["metadata"].get("creationTimestamp").is_none());

        let bare = clean("v1", "Namespace", &json!({"metadata": {}}));
        assert_eq!(bare["metadata"], json!({}));
        let no_meta = clean(
            "v1",
            "ConfigMap",
            &json!({"apiVersion": "v1", "kind": "ConfigMap"}),
        );
        assert_eq!(no_meta["metadata"], json!({}));

        let stored = json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {
                "name": "p", "namespace": "default", "uid": "6b8e0c1e-0000-4000-8000-000000000001",
                "resourceVersion": "12", "generation": 1,
                "creationTimestamp": "2025-01-02T03:04:05Z",
                "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "rs", "uid": "u", "controller": true, "blockOwnerDeletion": true}],
                "managedFields": [{"manager": "kubectl", "operation": "Update", "apiVersion": "v1",
                                   "time": "2025-01-02T03:04:05Z", "fieldsType": "FieldsV1",
                                   "fieldsV1": {"f:spec": {"f:containers": {}}}}]
            },
            "spec": {"containers": [{"name": "c", "image": "i"}], "nodeName": "n1"},
            "status": {
                "phase": "Running", "podIP": "10.0.0.5", "podIPs": [{"ip": "10.0.0.5"}],
                "startTime": "2025-01-02T03:04:06Z",
                "conditions": [{"type": "Ready", "status": "True", "lastProbeTime": null,
                                "lastTransitionTime": "2025-01-02T03:04:07Z"}],
                "containerStatuses": [{"name": "c", "ready": true, "restartCount": 0, "image": "i", "imageID": "",
                                       "state": {"running": {"startedAt": "2025-01-02T03:04:07Z"}}}]
            }
        });
        let out = clean("v1", "Pod", &stored);
        assert_eq!(
            out["metadata"]["creationTimestamp"],
            json!("2025-01-02T03:04:05Z")
        );
        assert_eq!(
            out["metadata"]["managedFields"][0]["fieldsV1"],
            json!({"f:spec": {"f:containers": {}}})
        );
    }

    #[test]
    fn unknown_fields_are_reported_in_upstream_paths() {
        let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "bogusField": 1});
        let (out, unknown) = roundtrip("v1", "ConfigMap", &cm).unwrap();
        assert_eq!(unknown, vec![".bogusField".to_string()]);
        assert!(out.get("bogusField").is_none());

        let mut pod = pod_lifecycle();
        pod["spec"]["containers"][0]["bogus"] = json!("x");
        pod["spec"]["bogusField"] = json!({"a": 1});
        pod["metadata"]["labelz"] = json!({});
        pod["spec"]["nullField"] = Value::Null;
        let (out, unknown) = roundtrip("v1", "Pod", &pod).unwrap();
        assert_eq!(
            unknown,
            vec![
                ".metadata.labelz".to_string(),
                ".spec.bogusField".to_string(),
                ".spec.containers[0].bogus".to_string(),
            ]
        );
        assert!(out["spec"]["containers"][0].get("bogus").is_none());
        assert_eq!(
            strict_decoding_error(&unknown),
            "strict decoding error: unknown field \"metadata.labelz\", unknown field \"spec.bogusField\", unknown field \"spec.containers[0].bogus\""
        );
        assert_eq!(
            unknown_field_warning(".bogusField"),
            "unknown field \"bogusField\""
        );
        assert_eq!(
            decode_error_prefix("apps/v1", "Deployment"),
            "Deployment in version \"v1\" cannot be handled as a Deployment: "
        );

        // A status on a kind without one is unknown too.
        let (_, unknown) = roundtrip("v1", "ConfigMap", &json!({"status": {}})).unwrap();
        assert_eq!(unknown, vec![".status".to_string()]);
    }

    #[test]
    fn embedded_resources_do_not_gain_type_meta() {
        let sts = json!({
            "apiVersion": "apps/v1", "kind": "StatefulSet",
            "metadata": {"name": "db"},
            "spec": {
                "selector": {"matchLabels": {"app": "db"}},
                "serviceName": "db",
                "template": {"metadata": {"labels": {"app": "db"}}, "spec": {"containers": [{"name": "db", "image": "postgres"}]}},
                "volumeClaimTemplates": [
                    {"metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}},
                    {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "logs"},
                     "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": 1073741824}}}}
                ]
            }
        });
        let out = clean("apps/v1", "StatefulSet", &sts);
        let vcts = out["spec"]["volumeClaimTemplates"].as_array().unwrap();
        assert!(vcts[0].get("apiVersion").is_none() && vcts[0].get("kind").is_none());
        assert_eq!(vcts[1]["apiVersion"], "v1");
        assert_eq!(vcts[1]["kind"], "PersistentVolumeClaim");
        assert_eq!(
            vcts[1]["spec"]["resources"]["requests"]["storage"],
            json!("1073741824")
        );
    }

    #[test]
    fn type_errors_have_upstream_shape() {
        let mut pod = pod_lifecycle();
        pod["spec"]["containers"] = json!("nginx");
        let e = roundtrip("v1", "Pod", &pod).unwrap_err();
        assert_eq!(
            e,
            "json: cannot unmarshal string into Go struct field PodSpec.spec.containers of type []v1.Container"
        );

        let mut pod = pod_lifecycle();
        pod["spec"]["containers"][0]["readinessProbe"]["periodSeconds"] = json!("2");
        let e = roundtrip("v1", "Pod", &pod).unwrap_err();
        assert_eq!(
            e,
            "json: cannot unmarshal string into Go struct field Probe.spec.containers.readinessProbe.periodSeconds of type int32"
        );

        let mut d = deployment();
        d["spec"]["replicas"] = json!(1.5);
        let e = roundtrip("apps/v1", "Deployment", &d).unwrap_err();
        assert_eq!(
            e,
            "json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas of type int32"
        );

        let e = roundtrip(
            "v1",
            "ConfigMap",
            &json!({"metadata": {"labels": {"a": 5}}}),
        )
        .unwrap_err();
        assert_eq!(
            e,
            "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string"
        );

        let e = roundtrip("v1", "ConfigMap", &json!({"data": ["a"]})).unwrap_err();
        assert_eq!(
            e,
            "json: cannot unmarshal array into Go struct field ConfigMap.data of type map[string]string"
        );

        let e = roundtrip("v1", "Pod", &json!("x")).unwrap_err();
        assert_eq!(
            e,
            "json: cannot unmarshal string into Go value of type v1.Pod"
        );

        let e = roundtrip("v1", "Secret", &json!({"data": {"k": "not base64!"}})).unwrap_err();
        assert!(e.starts_with("illegal base64 data at input byte"), "{e}");

        let e = roundtrip("v1", "Pod", &json!({"spec": {"hostNetwork": "true"}})).unwrap_err();
        assert_eq!(
            e,
            "json: cannot unmarshal string into Go struct field PodSpec.spec.hostNetwork of type bool"
        );
    }

    #[test]
    fn more_type_errors() {
        let cases = [
            (
                json!({"spec": {"containers": [{"name": "a", "env": [{"name": "X", "value": 5}]}]}}),
                "json: cannot unmarshal number into Go struct field EnvVar.spec.containers.env.value of type string",
            ),
            (
                json!({"spec": {"containers": [{"name": "a", "ports": [{"containerPort": "80"}]}]}}),
                "json: cannot unmarshal string into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32",
            ),
            (
                json!({"spec": {"containers": [{"name": "a", "livenessProbe": {"httpGet": {"port": 80.5}}}]}}),
                "json: cannot unmarshal number 80.5 into Go struct field HTTPGetAction.spec.containers.livenessProbe.httpGet.port of type intstr.IntOrString",
            ),
            (
                json!({"spec": "x"}),
                "json: cannot unmarshal string into Go struct field Pod.spec of type v1.PodSpec",
            ),
            (
                json!({"metadata": {"creationTimestamp": 5}}),
                "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.creationTimestamp of type v1.Time",
            ),
        ];
        for (obj, want) in cases {
            let e = roundtrip("v1", "Pod", &obj).unwrap_err();
            assert_eq!(e, want);
        }
        let e = roundtrip(
            "v1",
            "Pod",
            &json!({"metadata": {"creationTimestamp": "yesterday"}}),
        )
        .unwrap_err();
        assert!(
            e.starts_with("parsing time \"yesterday\" as \"2006-01-02T15:04:05Z07:00\": "),
            "{e}"
        );
    }

    #[test]
    fn embedded_type_meta_is_kept_as_given() {
        let sts = json!({"spec": {"volumeClaimTemplates": [{"apiVersion": "v2", "kind": "Claim", "metadata": {"name": "d"}}]}});
        let (out, unknown) = roundtrip("apps/v1", "StatefulSet", &sts).unwrap();
        assert!(unknown.is_empty(), "{unknown:?}");
        let vct = &out["spec"]["volumeClaimTemplates"][0];
        assert_eq!(
            (vct["apiVersion"].as_str(), vct["kind"].as_str()),
            (Some("v2"), Some("Claim"))
        );
        assert_eq!(roundtrip("apps/v1", "StatefulSet", &out).unwrap().0, out);
    }

    #[test]
    fn nulls_where_go_ignores_them() {
        // Go leaves a plain string field alone on null; serde would refuse.
        let pod = json!({"spec": {"containers": [{"name": null, "image": "i"}]}});
        let (out, unknown) = roundtrip("v1", "Pod", &pod).unwrap();
        assert!(unknown.is_empty());
        assert_eq!(out["spec"]["containers"][0]["name"], json!(""));
    }

    #[test]
    fn body_type_meta_is_the_callers_business() {
        // A body naming another version decodes as the requested type.
        let (out, _) = roundtrip(
            "v1",
            "ConfigMap",
            &json!({"apiVersion": "v2", "kind": "Other"}),
        )
        .unwrap();
        assert_eq!(out["apiVersion"], "v1");
        assert_eq!(out["kind"], "ConfigMap");
    }

    #[test]
    fn unknown_kinds_pass_through() {
        let obj =
            json!({"apiVersion": "example.com/v1", "kind": "Widget", "spec": {"anything": [1, 2]}});
        assert!(!is_known("example.com/v1", "Widget"));
        assert_eq!(
            roundtrip("example.com/v1", "Widget", &obj).unwrap(),
            (obj, vec![])
        );
        assert!(!is_known("v1", "Deployment"));
    }

    #[test]
    fn every_kind_round_trips_a_minimal_object() {
        for (av, kind) in known_kinds() {
            assert!(is_known(av, kind));
            let obj = json!({"apiVersion": av, "kind": kind, "metadata": {"name": "x", "labels": {"a": "b"}}});
            let (out, unknown) = roundtrip(av, kind, &obj).unwrap();
            if kind == "DeleteOptions" {
                assert_eq!(unknown, vec![".metadata".to_string()]);
                continue;
            }
            assert!(unknown.is_empty(), "{av} {kind}: {unknown:?}");
            assert_eq!(out["apiVersion"], av);
            assert_eq!(out["kind"], kind);
            assert_eq!(out["metadata"]["labels"]["a"], "b");
            let (again, unknown) = roundtrip(av, kind, &out).unwrap();
            assert!(unknown.is_empty());
            assert_eq!(again, out, "{av} {kind}");
        }
        assert!(known_kinds().count() >= 60);
    }

    #[test]
    fn delete_options_in_any_group() {
        let body = json!({"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Background",
                          "gracePeriodSeconds": 0, "preconditions": {"uid": "u"}});
        assert!(is_known("v1", "DeleteOptions") && is_known("apps/v1", "DeleteOptions"));
        let out = clean("v1", "DeleteOptions", &body);
        assert_eq!(out, body);
        let out = clean(
            "meta.k8s.io/v1",
            "DeleteOptions",
            &json!({"dryRun": ["All"]}),
        );
        assert_eq!(out, json!({"dryRun": ["All"]}));
    }

    #[test]
    fn more_kinds_round_trip_cleanly() {
        let hpa = json!({
            "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": "web"},
            "spec": {
                "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
                "minReplicas": 1, "maxReplicas": 5,
                "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}},
                            {"type": "Pods", "pods": {"metric": {"name": "qps"}, "target": {"type": "AverageValue", "averageValue": "1k"}}}]
            }
        });
        clean("autoscaling/v2", "HorizontalPodAutoscaler", &hpa);

        let crd = json!({
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": "widgets.example.com"},
            "spec": {
                "group": "example.com", "scope": "Namespaced",
                "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "shortNames": ["wd"]},
                "versions": [{
                    "name": "v1", "served": true, "storage": true,
                    "schema": {"openAPIV3Schema": {
                        "type": "object",
                        "x-kubernetes-preserve-unknown-fields": true,
                        "properties": {"spec": {"type": "object", "properties": {
                            "size": {"type": "integer", "default": 1, "minimum": 0},
                            "color": {"type": "string", "enum": ["red", "blue"]},
                            "port": {"x-kubernetes-int-or-string": true}
                        }}}
                    }},
                    "subresources": {"status": {}, "scale": {"specReplicasPath": ".spec.size", "statusReplicasPath": ".status.size"}},
                    "additionalPrinterColumns": [{"name": "Size", "type": "integer", "jsonPath": ".spec.size"}],
                    "selectableFields": [{"jsonPath": ".spec.color"}]
                }]
            }
        });
        let out = clean("apiextensions.k8s.io/v1", "CustomResourceDefinition", &crd);
        assert_eq!(
            out["spec"]["versions"][0]["schema"],
            crd["spec"]["versions"][0]["schema"]
        );

        let rs = json!({
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
            "metadata": {"name": "r"},
            "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list", "watch"]}]
        });
        assert_eq!(
            clean("rbac.authorization.k8s.io/v1", "ClusterRole", &rs),
            rs
        );

        let lease = json!({
            "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
            "metadata": {"name": "n1", "namespace": "kube-node-lease"},
            "spec": {"holderIdentity": "n1", "leaseDurationSeconds": 40, "renewTime": "2025-01-02T03:04:05.123456Z"}
        });
        assert_eq!(clean("coordination.k8s.io/v1", "Lease", &lease), lease);

        let secret = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
                            "type": "Opaque", "data": {"k": "dmFsdWU="}, "stringData": {"x": "y"}});
        assert_eq!(clean("v1", "Secret", &secret), secret);

        let event = json!({
            "apiVersion": "events.k8s.io/v1", "kind": "Event",
            "metadata": {"name": "e", "namespace": "default"},
            "eventTime": "2025-01-02T03:04:05.000000Z",
            "regarding": {"kind": "Pod", "name": "p", "namespace": "default"},
            "reason": "Scheduled", "action": "Binding", "type": "Normal",
            "reportingController": "default-scheduler", "reportingInstance": "default-scheduler-x", "note": "ok"
        });
        assert_eq!(clean("events.k8s.io/v1", "Event", &event), event);

        let scale = json!({"apiVersion": "autoscaling/v1", "kind": "Scale", "metadata": {"name": "web"},
                           "spec": {"replicas": 2}, "status": {"replicas": 3, "selector": "app=web"}});
        assert_eq!(clean("autoscaling/v1", "Scale", &scale), scale);

        let eviction = json!({"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": "p"},
                              "deleteOptions": {"gracePeriodSeconds": 0}});
        assert_eq!(clean("policy/v1", "Eviction", &eviction), eviction);
    }

    #[test]
    fn times_are_normalized_like_upstream() {
        let cm = json!({"metadata": {"creationTimestamp": "2025-01-02T04:04:05.999+01:00"}});
        let (out, unknown) = roundtrip("v1", "ConfigMap", &cm).unwrap();
        assert!(unknown.is_empty());
        assert_eq!(out["metadata"]["creationTimestamp"], "2025-01-02T03:04:05Z");
    }
}
