//! Conversion between the served versions of kinds whose objects are stored once, in one
//! storage version, as upstream Kubernetes (1.33) converts them.
//!
//! Objects are `serde_json::Value`s in their JSON form. Two families are covered:
//!
//! - `HorizontalPodAutoscaler`: stored as `autoscaling/v2`, also served as `autoscaling/v1`.
//!   Going to v1, the first CPU `Utilization` metric becomes `targetCPUUtilizationPercentage`,
//!   the last CPU utilization in the status becomes `currentCPUUtilizationPercentage`, and
//!   everything v1 cannot hold is kept in four annotations, written byte for byte as upstream's
//!   `encoding/json` writes them: `autoscaling.alpha.kubernetes.io/metrics` (the other metrics,
//!   as a list of v1 `MetricSpec`), `.../current-metrics` (all current metrics, as v1
//!   `MetricStatus`), `.../behavior` (the behavior, as upstream's *internal* type: Go field
//!   names such as `ScaleUp`, `StabilizationWindowSeconds`, `Tolerance`, with `null`s) and
//!   `.../conditions` (as v1 `HorizontalPodAutoscalerCondition`). Going to v2, those annotations
//!   are read back (one that does not decode is ignored, as upstream does), all four are
//!   removed, the CPU target is appended after the restored metrics, and an HPA left without
//!   metrics gets the CPU 80% utilization metric (a pseudo-default upstream applies in this
//!   conversion, because only here are the annotations at hand).
//! - `Event`: `events.k8s.io/v1` is stored as core `v1` (one resource under `/registry/events/`):
//!   `note`↔`message`, `regarding`↔`involvedObject`, `reportingController`↔`reportingComponent`,
//!   `deprecatedSource`↔`source`, `deprecated{First,Last}Timestamp`↔`{first,last}Timestamp`,
//!   `deprecatedCount`↔`count`; the other fields have the same name and type in both. Fields
//!   neither type has are dropped, as Go's decoding drops them.
//!
//! Lists of these kinds (`HorizontalPodAutoscalerList`, `EventList`) convert item by item.
//! Metadata is kept as it is, apart from the HPA annotations named above.
//!
//! What this module does not do:
//! - Defaulting. Both HPA versions default `spec.minReplicas` to 1, and v2 fills every unset
//!   field of a set `spec.behavior` (scale up: window 0, `Max`, 4 pods and 100% per 15s; scale
//!   down: `Max`, 100% per 15s) and the CPU 80% metric when there are none: that is the
//!   defaulting step, run on request bodies and on objects read from storage.
//! - Validation, and Go's zero-value emission: fields are written when the input has them
//!   (Go's `omitempty` zero values are left out); the typed round trip of the caller fills in
//!   the rest. Quantities and timestamps pass through as given, not re-canonicalized.
//! - Field selectors (upstream maps `regarding.*` to `involvedObject.*` for events.k8s.io
//!   and selects on the core fields); that belongs to the selector code.
//! - Identity is identity: an `autoscaling/v2` object converted to `autoscaling/v2` keeps any
//!   round-trip annotations. Upstream's v2 conversion strips them on every write; call
//!   [`drop_hpa_round_trip_annotations`] on that path to do the same.

use serde_json::{Map, Number, Value};

use crate::gofmt::{self, Json};

/// Non-CPU-utilization metric specs of an HPA served as `autoscaling/v1`.
pub const HPA_METRICS_ANNOTATION: &str = "autoscaling.alpha.kubernetes.io/metrics";
/// All current metric statuses of an HPA served as `autoscaling/v1`.
pub const HPA_CURRENT_METRICS_ANNOTATION: &str = "autoscaling.alpha.kubernetes.io/current-metrics";
/// The scaling behavior of an HPA served as `autoscaling/v1`.
pub const HPA_BEHAVIOR_ANNOTATION: &str = "autoscaling.alpha.kubernetes.io/behavior";
/// The status conditions of an HPA served as `autoscaling/v1`.
pub const HPA_CONDITIONS_ANNOTATION: &str = "autoscaling.alpha.kubernetes.io/conditions";

const ROUND_TRIP_ANNOTATIONS: [&str; 4] = [
    HPA_METRICS_ANNOTATION,
    HPA_BEHAVIOR_ANNOTATION,
    HPA_CURRENT_METRICS_ANNOTATION,
    HPA_CONDITIONS_ANNOTATION,
];

/// `autoscaling.DefaultCPUUtilization`.
const DEFAULT_CPU_UTILIZATION: i64 = 80;

const AUTOSCALING_V1: &str = "autoscaling/v1";
const AUTOSCALING_V2: &str = "autoscaling/v2";
const EVENTS_V1: &str = "events.k8s.io/v1";
const CORE_V1: &str = "v1";

/// The apiVersion objects of `group`/`kind` are stored in, where that differs from (some of) the
/// versions they are served in: HPAs are stored as `autoscaling/v2`, events.k8s.io Events as
/// core `v1` Events.
pub fn storage_version(group: &str, kind: &str) -> Option<&'static str> {
    match (group, kind) {
        ("autoscaling", "HorizontalPodAutoscaler") => Some(AUTOSCALING_V2),
        ("events.k8s.io", "Event") => Some(CORE_V1),
        _ => None,
    }
}

/// Convert `obj` (which names its own `apiVersion` and `kind`) to `to_api_version`.
///
/// The object comes back unchanged when it already has that apiVersion; a pair of versions this
/// module does not convert between, or an object without a string `apiVersion` and `kind`, is an
/// error.
pub fn convert(obj: Value, to_api_version: &str) -> Result<Value, String> {
    let Value::Object(map) = obj else {
        return Err("cannot convert: the object is not a JSON object".to_string());
    };
    let from = match map.get("apiVersion") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        _ => return Err("cannot convert: the object has no apiVersion".to_string()),
    };
    let kind = match map.get("kind") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        _ => return Err("cannot convert: the object has no kind".to_string()),
    };
    if from == to_api_version {
        return Ok(Value::Object(map));
    }
    if let Some(conv) = pair(&kind, &from, to_api_version) {
        let mut out = conv(&map)?;
        set_type(&mut out, to_api_version, &kind);
        return Ok(Value::Object(out));
    }
    if let Some(item_kind) = kind.strip_suffix("List")
        && let Some(conv) = pair(item_kind, &from, to_api_version)
    {
        return convert_list(map, conv, to_api_version, item_kind).map(Value::Object);
    }
    Err(format!(
        "no conversion for kind {kind} from {from} to {to_api_version}"
    ))
}

/// Remove the four `autoscaling.alpha.kubernetes.io/*` round-trip annotations from an HPA (and
/// `metadata.annotations` itself if that empties it), as upstream's `autoscaling/v2` conversion
/// does on every write.
pub fn drop_hpa_round_trip_annotations(obj: &mut Value) {
    if let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
        drop_annotations(meta);
    }
}

type Conv = fn(&Map<String, Value>) -> Result<Map<String, Value>, String>;

fn pair(kind: &str, from: &str, to: &str) -> Option<Conv> {
    match (kind, from, to) {
        ("HorizontalPodAutoscaler", AUTOSCALING_V1, AUTOSCALING_V2) => Some(hpa_v1_to_v2),
        ("HorizontalPodAutoscaler", AUTOSCALING_V2, AUTOSCALING_V1) => Some(hpa_v2_to_v1),
        ("Event", EVENTS_V1, CORE_V1) => Some(event_to_core),
        ("Event", CORE_V1, EVENTS_V1) => Some(event_from_core),
        _ => None,
    }
}

fn set_type(out: &mut Map<String, Value>, api_version: &str, kind: &str) {
    out.insert("apiVersion".into(), Value::String(api_version.to_string()));
    out.insert("kind".into(), Value::String(kind.to_string()));
}

/// A list keeps its list metadata; each item is converted, and gets the target apiVersion and
/// its kind only if it named its type (items of a typed list usually do not).
fn convert_list(
    mut list: Map<String, Value>,
    conv: Conv,
    to: &str,
    item_kind: &str,
) -> Result<Map<String, Value>, String> {
    match list.get_mut("items") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            for item in items.iter_mut() {
                let Value::Object(src) = item else {
                    return Err("cannot convert: a list item is not a JSON object".to_string());
                };
                let typed = src.contains_key("apiVersion") || src.contains_key("kind");
                let mut out = conv(src)?;
                if typed {
                    set_type(&mut out, to, item_kind);
                }
                *item = Value::Object(out);
            }
        }
        Some(_) => return Err("cannot convert: the list's items are not a list".to_string()),
    }
    list.insert("apiVersion".into(), Value::String(to.to_string()));
    Ok(list)
}

// ---------------------------------------------------------------------------------------------
// Reading the input leniently: a member that is missing, `null` or of another JSON type than
// expected reads as absent (the caller's typed decoding has already rejected such objects).

fn member<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    v.get(key).filter(|m| !m.is_null())
}

fn text(v: &Value, key: &str) -> String {
    member(v, key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn number(v: &Value, key: &str) -> Option<Number> {
    match member(v, key) {
        Some(Value::Number(n)) => Some(n.clone()),
        _ => None,
    }
}

/// A `resource.Quantity`: a string, or a JSON number (which Go also accepts).
fn quantity(v: &Value, key: &str) -> Option<String> {
    match member(v, key) {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    }
}

fn object<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    member(v, key).filter(|m| m.is_object())
}

fn array<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    member(v, key)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

/// A top-level member that must be an object when present.
fn part<'a>(src: &'a Map<String, Value>, key: &str) -> Result<Option<&'a Value>, String> {
    match src.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v @ Value::Object(_)) => Ok(Some(v)),
        Some(_) => Err(format!("cannot convert: {key} is not a JSON object")),
    }
}

/// `metadata` as it is, checked to be an object whose round-trip annotations are strings.
fn metadata(src: &Map<String, Value>) -> Result<Option<Map<String, Value>>, String> {
    let Some(meta) = part(src, "metadata")? else {
        return Ok(None);
    };
    match meta.get("annotations") {
        None | Some(Value::Null) => {}
        Some(Value::Object(annotations)) => {
            for key in ROUND_TRIP_ANNOTATIONS {
                if annotations.get(key).is_some_and(|v| !v.is_string()) {
                    return Err(format!("cannot convert: annotation {key} is not a string"));
                }
            }
        }
        Some(_) => {
            return Err("cannot convert: metadata.annotations is not a JSON object".to_string());
        }
    }
    Ok(meta.as_object().cloned())
}

/// Drop the round-trip annotations; an annotation map this empties is removed (Go's
/// `omitempty` on a map).
fn drop_annotations(meta: &mut Map<String, Value>) {
    let Some(Value::Object(annotations)) = meta.get_mut("annotations") else {
        return;
    };
    let before = annotations.len();
    for key in ROUND_TRIP_ANNOTATIONS {
        annotations.remove(key);
    }
    if annotations.is_empty() && before > 0 {
        meta.remove("annotations");
    }
}

fn annotation(meta: &Option<Map<String, Value>>, key: &str) -> Option<String> {
    meta.as_ref()?
        .get("annotations")?
        .get(key)?
        .as_str()
        .map(str::to_string)
}

fn copy_member(from: Option<&Value>, to: &mut Map<String, Value>, key: &str) {
    if let Some(v) = from.and_then(|f| member(f, key)) {
        to.insert(key.to_string(), v.clone());
    }
}

fn cpu_utilization_metric(n: Number) -> Value {
    serde_json::json!({
        "type": "Resource",
        "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": n}},
    })
}

// ---------------------------------------------------------------------------------------------
// HorizontalPodAutoscaler: autoscaling/v2 -> autoscaling/v1

fn is_cpu_utilization_target(metric: &Value) -> bool {
    text(metric, "type") == "Resource"
        && object(metric, "resource").is_some_and(|r| {
            text(r, "name") == "cpu"
                && member(r, "target").is_some_and(|t| number(t, "averageUtilization").is_some())
        })
}

fn hpa_v2_to_v1(src: &Map<String, Value>) -> Result<Map<String, Value>, String> {
    let mut meta = metadata(src)?;
    // Stale round-trip annotations never survive: only the ones made here are set.
    if let Some(m) = meta.as_mut() {
        drop_annotations(m);
    }
    let spec_in = part(src, "spec")?;
    let status_in = part(src, "status")?;
    let mut added: Vec<(&str, String)> = Vec::new();

    let mut out = Map::new();
    if let Some(spec_in) = spec_in {
        let mut spec = Map::new();
        copy_member(Some(spec_in), &mut spec, "scaleTargetRef");
        copy_member(Some(spec_in), &mut spec, "minReplicas");
        copy_member(Some(spec_in), &mut spec, "maxReplicas");
        let metrics = array(spec_in, "metrics");
        if let Some(n) = metrics
            .iter()
            .filter(|m| is_cpu_utilization_target(m))
            .find_map(|m| number(member(m, "resource")?.get("target")?, "averageUtilization"))
        {
            spec.insert("targetCPUUtilizationPercentage".into(), Value::Number(n));
        }
        let others: Vec<Go> = metrics
            .iter()
            .filter(|m| !is_cpu_utilization_target(m))
            .map(metric_spec_to_v1)
            .collect();
        if !others.is_empty() {
            added.push((HPA_METRICS_ANNOTATION, Go::Arr(others).render()));
        }
        if let Some(behavior) = object(spec_in, "behavior") {
            added.push((
                HPA_BEHAVIOR_ANNOTATION,
                behavior_to_internal(behavior).render(),
            ));
        }
        out.insert("spec".into(), Value::Object(spec));
    }
    if let Some(status_in) = status_in {
        let mut status = Map::new();
        for key in [
            "observedGeneration",
            "lastScaleTime",
            "currentReplicas",
            "desiredReplicas",
        ] {
            copy_member(Some(status_in), &mut status, key);
        }
        let current = array(status_in, "currentMetrics");
        // Upstream keeps the last CPU utilization it sees.
        let cpu = current
            .iter()
            .filter(|m| text(m, "type") == "Resource")
            .filter_map(|m| object(m, "resource"))
            .filter(|r| text(r, "name") == "cpu")
            .filter_map(|r| number(member(r, "current")?, "averageUtilization"))
            .next_back();
        if let Some(n) = cpu {
            status.insert("currentCPUUtilizationPercentage".into(), Value::Number(n));
        }
        // Saved even when it is only the CPU utilization, to keep the raw values too.
        if !current.is_empty() {
            let list = current.iter().map(metric_status_to_v1).collect();
            added.push((HPA_CURRENT_METRICS_ANNOTATION, Go::Arr(list).render()));
        }
        let conditions = array(status_in, "conditions");
        if !conditions.is_empty() {
            let list = conditions.iter().map(condition_to_v1).collect();
            added.push((HPA_CONDITIONS_ANNOTATION, Go::Arr(list).render()));
        }
        out.insert("status".into(), Value::Object(status));
    }

    if !added.is_empty() {
        let meta = meta.get_or_insert_with(Map::new);
        let annotations = meta
            .entry("annotations")
            .or_insert_with(|| Value::Object(Map::new()));
        if annotations.is_null() {
            *annotations = Value::Object(Map::new());
        }
        if let Some(annotations) = annotations.as_object_mut() {
            for (key, value) in added {
                annotations.insert(key.to_string(), Value::String(value));
            }
        }
    }
    if let Some(meta) = meta {
        out.insert("metadata".into(), Value::Object(meta));
    }
    Ok(out)
}

/// `CrossVersionObjectReference` (v1 and v2 alike).
fn object_reference_to_v1(r: Option<&Value>) -> Go {
    let r = r.unwrap_or(&Value::Null);
    GoObj::new()
        .field("kind", Go::Str(text(r, "kind")))
        .field("name", Go::Str(text(r, "name")))
        .opt("apiVersion", non_empty(text(r, "apiVersion")))
        .done()
}

fn non_empty(s: String) -> Option<Go> {
    (!s.is_empty()).then_some(Go::Str(s))
}

fn zero_or(q: Option<String>) -> Go {
    Go::Str(q.unwrap_or_else(|| "0".to_string()))
}

/// A `*metav1.LabelSelector`, in the field order Go writes it.
fn label_selector_to_v1(sel: Option<&Value>) -> Option<Go> {
    let sel = sel.filter(|s| s.is_object())?;
    let labels = object(sel, "matchLabels")
        .and_then(Value::as_object)
        .filter(|m| !m.is_empty())
        .map(|m| Go::Raw(Value::Object(m.clone())));
    let expressions: Vec<Go> = array(sel, "matchExpressions")
        .iter()
        .map(|e| {
            let values: Vec<Go> = array(e, "values")
                .iter()
                .map(|v| Go::Str(v.as_str().unwrap_or_default().to_string()))
                .collect();
            GoObj::new()
                .field("key", Go::Str(text(e, "key")))
                .field("operator", Go::Str(text(e, "operator")))
                .opt("values", (!values.is_empty()).then_some(Go::Arr(values)))
                .done()
        })
        .collect();
    Some(
        GoObj::new()
            .opt("matchLabels", labels)
            .opt(
                "matchExpressions",
                (!expressions.is_empty()).then_some(Go::Arr(expressions)),
            )
            .done(),
    )
}

/// A v2 `MetricSpec` as upstream's v1 `MetricSpec` (the annotation's element type).
fn metric_spec_to_v1(m: &Value) -> Go {
    let null = Value::Null;
    let mut o = GoObj::new().field("type", Go::Str(text(m, "type")));
    if let Some(s) = object(m, "object") {
        let (t, id) = (
            member(s, "target").unwrap_or(&null),
            member(s, "metric").unwrap_or(&null),
        );
        let v1 = GoObj::new()
            .field(
                "target",
                object_reference_to_v1(member(s, "describedObject")),
            )
            .field("metricName", Go::Str(text(id, "name")))
            .field("targetValue", zero_or(quantity(t, "value")))
            .opt("selector", label_selector_to_v1(member(id, "selector")))
            .opt("averageValue", quantity(t, "averageValue").map(Go::Str));
        o = o.field("object", v1.done());
    }
    if let Some(s) = object(m, "pods") {
        let (t, id) = (
            member(s, "target").unwrap_or(&null),
            member(s, "metric").unwrap_or(&null),
        );
        let v1 = GoObj::new()
            .field("metricName", Go::Str(text(id, "name")))
            .field("targetAverageValue", zero_or(quantity(t, "averageValue")))
            .opt("selector", label_selector_to_v1(member(id, "selector")));
        o = o.field("pods", v1.done());
    }
    if let Some(s) = object(m, "resource") {
        let t = member(s, "target").unwrap_or(&null);
        let v1 = GoObj::new()
            .field("name", Go::Str(text(s, "name")))
            .opt(
                "targetAverageUtilization",
                number(t, "averageUtilization").map(Go::Num),
            )
            .opt(
                "targetAverageValue",
                quantity(t, "averageValue").map(Go::Str),
            );
        o = o.field("resource", v1.done());
    }
    if let Some(s) = object(m, "containerResource") {
        let t = member(s, "target").unwrap_or(&null);
        let v1 = GoObj::new()
            .field("name", Go::Str(text(s, "name")))
            .opt(
                "targetAverageUtilization",
                number(t, "averageUtilization").map(Go::Num),
            )
            .opt(
                "targetAverageValue",
                quantity(t, "averageValue").map(Go::Str),
            )
            .field("container", Go::Str(text(s, "container")));
        o = o.field("containerResource", v1.done());
    }
    if let Some(s) = object(m, "external") {
        let (t, id) = (
            member(s, "target").unwrap_or(&null),
            member(s, "metric").unwrap_or(&null),
        );
        let v1 = GoObj::new()
            .field("metricName", Go::Str(text(id, "name")))
            .opt(
                "metricSelector",
                label_selector_to_v1(member(id, "selector")),
            )
            .opt("targetValue", quantity(t, "value").map(Go::Str))
            .opt(
                "targetAverageValue",
                quantity(t, "averageValue").map(Go::Str),
            );
        o = o.field("external", v1.done());
    }
    o.done()
}

/// A v2 `MetricStatus` as upstream's v1 `MetricStatus`.
fn metric_status_to_v1(m: &Value) -> Go {
    let null = Value::Null;
    let mut o = GoObj::new().field("type", Go::Str(text(m, "type")));
    if let Some(s) = object(m, "object") {
        let (c, id) = (
            member(s, "current").unwrap_or(&null),
            member(s, "metric").unwrap_or(&null),
        );
        let v1 = GoObj::new()
            .field(
                "target",
                object_reference_to_v1(member(s, "describedObject")),
            )
            .field("metricName", Go::Str(text(id, "name")))
            .field("currentValue", zero_or(quantity(c, "value")))
            .opt("selector", label_selector_to_v1(member(id, "selector")))
            .opt("averageValue", quantity(c, "averageValue").map(Go::Str));
        o = o.field("object", v1.done());
    }
    if let Some(s) = object(m, "pods") {
        let (c, id) = (
            member(s, "current").unwrap_or(&null),
            member(s, "metric").unwrap_or(&null),
        );
        let v1 = GoObj::new()
            .field("metricName", Go::Str(text(id, "name")))
            .field("currentAverageValue", zero_or(quantity(c, "averageValue")))
            .opt("selector", label_selector_to_v1(member(id, "selector")));
        o = o.field("pods", v1.done());
    }
    if let Some(s) = object(m, "resource") {
        let c = member(s, "current").unwrap_or(&null);
        let v1 = GoObj::new()
            .field("name", Go::Str(text(s, "name")))
            .opt(
                "currentAverageUtilization",
                number(c, "averageUtilization").map(Go::Num),
            )
            .field("currentAverageValue", zero_or(quantity(c, "averageValue")));
        o = o.field("resource", v1.done());
    }
    if let Some(s) = object(m, "containerResource") {
        let c = member(s, "current").unwrap_or(&null);
        let v1 = GoObj::new()
            .field("name", Go::Str(text(s, "name")))
            .opt(
                "currentAverageUtilization",
                number(c, "averageUtilization").map(Go::Num),
            )
            .field("currentAverageValue", zero_or(quantity(c, "averageValue")))
            .field("container", Go::Str(text(s, "container")));
        o = o.field("containerResource", v1.done());
    }
    if let Some(s) = object(m, "external") {
        let (c, id) = (
            member(s, "current").unwrap_or(&null),
            member(s, "metric").unwrap_or(&null),
        );
        let v1 = GoObj::new()
            .field("metricName", Go::Str(text(id, "name")))
            .opt(
                "metricSelector",
                label_selector_to_v1(member(id, "selector")),
            )
            .field("currentValue", zero_or(quantity(c, "value")))
            .opt(
                "currentAverageValue",
                quantity(c, "averageValue").map(Go::Str),
            );
        o = o.field("external", v1.done());
    }
    o.done()
}

/// A v2 condition as upstream's v1 `HorizontalPodAutoscalerCondition` (a zero
/// `lastTransitionTime` is written as `null`, as `metav1.Time` does).
fn condition_to_v1(c: &Value) -> Go {
    let time = match member(c, "lastTransitionTime") {
        Some(Value::String(s)) => Go::Str(s.clone()),
        _ => Go::Null,
    };
    GoObj::new()
        .field("type", Go::Str(text(c, "type")))
        .field("status", Go::Str(text(c, "status")))
        .field("lastTransitionTime", time)
        .opt("reason", non_empty(text(c, "reason")))
        .opt("message", non_empty(text(c, "message")))
        .done()
}

/// The v2 behavior as upstream's internal `HorizontalPodAutoscalerBehavior`, which has no JSON
/// tags: Go field names, every field written, `nil` as `null`.
fn behavior_to_internal(b: &Value) -> Go {
    let rules = |key: &str| match object(b, key) {
        None => Go::Null,
        Some(r) => {
            let policies = match member(r, "policies") {
                Some(Value::Array(list)) => Go::Arr(
                    list.iter()
                        .map(|p| {
                            GoObj::new()
                                .field("Type", Go::Str(text(p, "type")))
                                .field("Value", Go::Num(number(p, "value").unwrap_or(0.into())))
                                .field(
                                    "PeriodSeconds",
                                    Go::Num(number(p, "periodSeconds").unwrap_or(0.into())),
                                )
                                .done()
                        })
                        .collect(),
                ),
                _ => Go::Null,
            };
            let select = match member(r, "selectPolicy") {
                Some(Value::String(s)) => Go::Str(s.clone()),
                _ => Go::Null,
            };
            GoObj::new()
                .field(
                    "StabilizationWindowSeconds",
                    number(r, "stabilizationWindowSeconds").map_or(Go::Null, Go::Num),
                )
                .field("SelectPolicy", select)
                .field("Policies", policies)
                .field(
                    "Tolerance",
                    quantity(r, "tolerance").map_or(Go::Null, Go::Str),
                )
                .done()
        }
    };
    GoObj::new()
        .field("ScaleUp", rules("scaleUp"))
        .field("ScaleDown", rules("scaleDown"))
        .done()
}

// ---------------------------------------------------------------------------------------------
// HorizontalPodAutoscaler: autoscaling/v1 -> autoscaling/v2

fn hpa_v1_to_v2(src: &Map<String, Value>) -> Result<Map<String, Value>, String> {
    let mut meta = metadata(src)?;
    let spec_in = part(src, "spec")?;
    let status_in = part(src, "status")?;
    let metrics_annotation = annotation(&meta, HPA_METRICS_ANNOTATION);
    let current_annotation = annotation(&meta, HPA_CURRENT_METRICS_ANNOTATION);
    let behavior_annotation = annotation(&meta, HPA_BEHAVIOR_ANNOTATION);
    let conditions_annotation = annotation(&meta, HPA_CONDITIONS_ANNOTATION);
    // Consumed or not (one that does not decode is ignored), none is kept.
    if let Some(m) = meta.as_mut() {
        drop_annotations(m);
    }

    let mut out = Map::new();
    let mut spec = Map::new();
    copy_member(spec_in, &mut spec, "scaleTargetRef");
    copy_member(spec_in, &mut spec, "minReplicas");
    copy_member(spec_in, &mut spec, "maxReplicas");
    let mut metrics: Vec<Value> = spec_in
        .and_then(|s| number(s, "targetCPUUtilizationPercentage"))
        .map(cpu_utilization_metric)
        .into_iter()
        .collect();
    if let Some(others) = metrics_annotation.and_then(|a| decode_list(&a, metric_spec_to_v2)) {
        // The CPU target goes after the restored metrics.
        metrics = others.into_iter().chain(metrics).collect();
    }
    if let Some(behavior) = behavior_annotation.and_then(|a| decode_behavior(&a)) {
        spec.insert("behavior".into(), behavior);
    }
    if metrics.is_empty() {
        metrics.push(cpu_utilization_metric(DEFAULT_CPU_UTILIZATION.into()));
    }
    spec.insert("metrics".into(), Value::Array(metrics));

    let mut status = Map::new();
    copy_member(status_in, &mut status, "observedGeneration");
    copy_member(status_in, &mut status, "lastScaleTime");
    // `currentReplicas` is `omitempty` in v2.
    if let Some(n) = status_in.and_then(|s| number(s, "currentReplicas"))
        && n.as_i64() != Some(0)
    {
        status.insert("currentReplicas".into(), Value::Number(n));
    }
    copy_member(status_in, &mut status, "desiredReplicas");
    let mut current: Option<Vec<Value>> = status_in
        .and_then(|s| number(s, "currentCPUUtilizationPercentage"))
        .map(|n| {
            vec![serde_json::json!({
                "type": "Resource",
                "resource": {"name": "cpu", "current": {"averageUtilization": n}},
            })]
        });
    if let Some(list) = current_annotation.and_then(|a| decode_list(&a, metric_status_to_v2)) {
        // The annotation has more than the percentage: it replaces it.
        current = Some(list);
    }
    if let Some(list) = current {
        status.insert("currentMetrics".into(), Value::Array(list));
    }
    if let Some(list) = conditions_annotation.and_then(|a| decode_list(&a, condition_to_v2))
        && !list.is_empty()
    {
        status.insert("conditions".into(), Value::Array(list));
    }

    if let Some(meta) = meta {
        out.insert("metadata".into(), Value::Object(meta));
    }
    out.insert("spec".into(), Value::Object(spec));
    if status_in.is_some() || !status.is_empty() {
        out.insert("status".into(), Value::Object(status));
    }
    Ok(out)
}

/// The annotation did not decode into its Go type; upstream then ignores the annotation.
struct Undecodable;

/// A list annotation decoded element by element, or `None` when any part of it does not decode
/// (`null` decodes as the empty list, as in Go).
fn decode_list(
    annotation: &str,
    element: fn(&Value) -> Result<Value, Undecodable>,
) -> Option<Vec<Value>> {
    match serde_json::from_str::<Value>(annotation).ok()? {
        Value::Null => Some(Vec::new()),
        Value::Array(items) => items.iter().map(element).collect::<Result<_, _>>().ok(),
        _ => None,
    }
}

fn decode_behavior(annotation: &str) -> Option<Value> {
    let v = serde_json::from_str::<Value>(annotation).ok()?;
    behavior_to_v2(&v).ok().flatten()
}

/// A Go struct being decoded from JSON: fields match case-insensitively (an exact match first),
/// `null` leaves a field at its zero value, and a value of the wrong JSON type is an error.
#[derive(Clone, Copy)]
struct GoStruct<'a>(Option<&'a Map<String, Value>>);

impl<'a> GoStruct<'a> {
    fn of(v: &'a Value) -> Result<Self, Undecodable> {
        match v {
            Value::Null => Ok(GoStruct(None)),
            Value::Object(m) => Ok(GoStruct(Some(m))),
            _ => Err(Undecodable),
        }
    }

    fn raw(self, name: &str) -> Option<&'a Value> {
        let m = self.0?;
        let v = m.get(name).or_else(|| {
            m.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v)
        })?;
        (!v.is_null()).then_some(v)
    }

    fn string(self, name: &str) -> Result<String, Undecodable> {
        Ok(self.opt_string(name)?.unwrap_or_default())
    }

    fn opt_string(self, name: &str) -> Result<Option<String>, Undecodable> {
        match self.raw(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(Undecodable),
        }
    }

    /// An `int32` (Go rejects fractions, exponents and out-of-range numbers).
    fn opt_int32(self, name: &str) -> Result<Option<Number>, Undecodable> {
        match self.raw(name) {
            None => Ok(None),
            Some(Value::Number(n)) if n.as_i64().is_some_and(|i| i32::try_from(i).is_ok()) => {
                Ok(Some(n.clone()))
            }
            Some(_) => Err(Undecodable),
        }
    }

    fn int32(self, name: &str) -> Result<Number, Undecodable> {
        Ok(self.opt_int32(name)?.unwrap_or(0.into()))
    }

    /// A `*resource.Quantity`.
    fn opt_quantity(self, name: &str) -> Result<Option<String>, Undecodable> {
        match self.raw(name) {
            None => Ok(None),
            Some(Value::String(s)) if is_quantity(s.trim()) => Ok(Some(s.trim().to_string())),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(_) => Err(Undecodable),
        }
    }

    /// A `resource.Quantity` value: zero is `"0"`.
    fn quantity(self, name: &str) -> Result<String, Undecodable> {
        Ok(self.opt_quantity(name)?.unwrap_or_else(|| "0".to_string()))
    }

    /// A pointer to a struct: absent when `nil`.
    fn sub(self, name: &str) -> Result<Option<GoStruct<'a>>, Undecodable> {
        self.raw(name).map(GoStruct::of).transpose()
    }

    /// A struct value: all zero when missing.
    fn inner(self, name: &str) -> Result<GoStruct<'a>, Undecodable> {
        Ok(self.sub(name)?.unwrap_or(GoStruct(None)))
    }

    fn list(self, name: &str) -> Result<&'a [Value], Undecodable> {
        match self.raw(name) {
            None => Ok(&[]),
            Some(Value::Array(items)) => Ok(items),
            Some(_) => Err(Undecodable),
        }
    }

    /// A `metav1.Time`: RFC 3339, or `null` for the zero time.
    fn time(self, name: &str) -> Result<Option<String>, Undecodable> {
        match self.raw(name) {
            None => Ok(None),
            Some(Value::String(s)) if is_rfc3339(s) => Ok(Some(s.clone())),
            Some(_) => Err(Undecodable),
        }
    }

    /// A `*metav1.LabelSelector`, written back as the v2 JSON form (empty parts omitted).
    fn selector(self, name: &str) -> Result<Option<Value>, Undecodable> {
        let Some(sel) = self.sub(name)? else {
            return Ok(None);
        };
        let mut out = Map::new();
        let labels = match sel.raw("matchLabels") {
            None => Map::new(),
            Some(Value::Object(m)) => m
                .iter()
                .map(|(k, v)| match v {
                    Value::String(_) => Ok((k.clone(), v.clone())),
                    Value::Null => Ok((k.clone(), Value::String(String::new()))),
                    _ => Err(Undecodable),
                })
                .collect::<Result<_, _>>()?,
            Some(_) => return Err(Undecodable),
        };
        if !labels.is_empty() {
            out.insert("matchLabels".into(), Value::Object(labels));
        }
        let mut expressions = Vec::new();
        for e in sel.list("matchExpressions")? {
            let e = GoStruct::of(e)?;
            let mut req = Map::new();
            req.insert("key".into(), Value::String(e.string("key")?));
            req.insert("operator".into(), Value::String(e.string("operator")?));
            let values = e
                .list("values")?
                .iter()
                .map(|v| match v {
                    Value::String(_) => Ok(v.clone()),
                    Value::Null => Ok(Value::String(String::new())),
                    _ => Err(Undecodable),
                })
                .collect::<Result<Vec<_>, _>>()?;
            if !values.is_empty() {
                req.insert("values".into(), Value::Array(values));
            }
            expressions.push(Value::Object(req));
        }
        if !expressions.is_empty() {
            out.insert("matchExpressions".into(), Value::Array(expressions));
        }
        Ok(Some(Value::Object(out)))
    }
}

/// Build an object from `(key, value)` pairs, leaving out the `None`s.
fn obj<const N: usize>(fields: [(&str, Option<Value>); N]) -> Value {
    Value::Object(
        fields
            .into_iter()
            .filter_map(|(k, v)| Some((k.to_string(), v?)))
            .collect(),
    )
}

fn s(v: String) -> Option<Value> {
    Some(Value::String(v))
}

fn s_non_empty(v: String) -> Option<Value> {
    (!v.is_empty()).then_some(Value::String(v))
}

fn reference_to_v2(r: GoStruct) -> Result<Value, Undecodable> {
    Ok(obj([
        ("kind", s(r.string("kind")?)),
        ("name", s(r.string("name")?)),
        ("apiVersion", s_non_empty(r.string("apiVersion")?)),
    ]))
}

fn identifier_to_v2(name: String, selector: Option<Value>) -> Value {
    obj([("name", s(name)), ("selector", selector)])
}

/// An element of the metrics annotation (v1 `MetricSpec`) as a v2 `MetricSpec`.
fn metric_spec_to_v2(v: &Value) -> Result<Value, Undecodable> {
    let m = GoStruct::of(v)?;
    let mut out = Map::new();
    out.insert("type".into(), Value::String(m.string("type")?));
    if let Some(src) = m.sub("object")? {
        let average = src.opt_quantity("averageValue")?;
        let ty = if average.is_none() {
            "Value"
        } else {
            "AverageValue"
        };
        let target = obj([
            ("type", s(ty.to_string())),
            ("value", s(src.quantity("targetValue")?)),
            ("averageValue", average.map(Value::String)),
        ]);
        let metric = identifier_to_v2(src.string("metricName")?, src.selector("selector")?);
        let described = reference_to_v2(src.inner("target")?)?;
        out.insert(
            "object".into(),
            obj([
                ("describedObject", Some(described)),
                ("target", Some(target)),
                ("metric", Some(metric)),
            ]),
        );
    }
    if let Some(src) = m.sub("pods")? {
        let metric = identifier_to_v2(src.string("metricName")?, src.selector("selector")?);
        let target = obj([
            ("type", s("AverageValue".to_string())),
            ("averageValue", s(src.quantity("targetAverageValue")?)),
        ]);
        out.insert(
            "pods".into(),
            obj([("metric", Some(metric)), ("target", Some(target))]),
        );
    }
    for key in ["resource", "containerResource"] {
        if let Some(src) = m.sub(key)? {
            let utilization = src.opt_int32("targetAverageUtilization")?;
            let ty = if utilization.is_none() {
                "AverageValue"
            } else {
                "Utilization"
            };
            let target = obj([
                ("type", s(ty.to_string())),
                (
                    "averageValue",
                    src.opt_quantity("targetAverageValue")?.map(Value::String),
                ),
                ("averageUtilization", utilization.map(Value::Number)),
            ]);
            let container = match key {
                "containerResource" => s(src.string("container")?),
                _ => None,
            };
            out.insert(
                key.into(),
                obj([
                    ("name", s(src.string("name")?)),
                    ("target", Some(target)),
                    ("container", container),
                ]),
            );
        }
    }
    if let Some(src) = m.sub("external")? {
        let value = src.opt_quantity("targetValue")?;
        let ty = if value.is_none() {
            "AverageValue"
        } else {
            "Value"
        };
        let target = obj([
            ("type", s(ty.to_string())),
            ("value", value.map(Value::String)),
            (
                "averageValue",
                src.opt_quantity("targetAverageValue")?.map(Value::String),
            ),
        ]);
        let metric = identifier_to_v2(src.string("metricName")?, src.selector("metricSelector")?);
        out.insert(
            "external".into(),
            obj([("metric", Some(metric)), ("target", Some(target))]),
        );
    }
    Ok(Value::Object(out))
}

/// An element of the current-metrics annotation (v1 `MetricStatus`) as a v2 `MetricStatus`.
fn metric_status_to_v2(v: &Value) -> Result<Value, Undecodable> {
    let m = GoStruct::of(v)?;
    let mut out = Map::new();
    out.insert("type".into(), Value::String(m.string("type")?));
    if let Some(src) = m.sub("object")? {
        let current = obj([
            ("value", s(src.quantity("currentValue")?)),
            (
                "averageValue",
                src.opt_quantity("averageValue")?.map(Value::String),
            ),
        ]);
        let metric = identifier_to_v2(src.string("metricName")?, src.selector("selector")?);
        let described = reference_to_v2(src.inner("target")?)?;
        out.insert(
            "object".into(),
            obj([
                ("metric", Some(metric)),
                ("current", Some(current)),
                ("describedObject", Some(described)),
            ]),
        );
    }
    if let Some(src) = m.sub("pods")? {
        let metric = identifier_to_v2(src.string("metricName")?, src.selector("selector")?);
        let current = obj([("averageValue", s(src.quantity("currentAverageValue")?))]);
        out.insert(
            "pods".into(),
            obj([("metric", Some(metric)), ("current", Some(current))]),
        );
    }
    for key in ["resource", "containerResource"] {
        if let Some(src) = m.sub(key)? {
            let current = obj([
                ("averageValue", s(src.quantity("currentAverageValue")?)),
                (
                    "averageUtilization",
                    src.opt_int32("currentAverageUtilization")?
                        .map(Value::Number),
                ),
            ]);
            let container = match key {
                "containerResource" => s(src.string("container")?),
                _ => None,
            };
            out.insert(
                key.into(),
                obj([
                    ("name", s(src.string("name")?)),
                    ("current", Some(current)),
                    ("container", container),
                ]),
            );
        }
    }
    if let Some(src) = m.sub("external")? {
        let current = obj([
            ("value", s(src.quantity("currentValue")?)),
            (
                "averageValue",
                src.opt_quantity("currentAverageValue")?.map(Value::String),
            ),
        ]);
        let metric = identifier_to_v2(src.string("metricName")?, src.selector("metricSelector")?);
        out.insert(
            "external".into(),
            obj([("metric", Some(metric)), ("current", Some(current))]),
        );
    }
    Ok(Value::Object(out))
}

/// An element of the conditions annotation as a v2 condition.
fn condition_to_v2(v: &Value) -> Result<Value, Undecodable> {
    let c = GoStruct::of(v)?;
    Ok(obj([
        ("type", s(c.string("type")?)),
        ("status", s(c.string("status")?)),
        (
            "lastTransitionTime",
            c.time("lastTransitionTime")?.map(Value::String),
        ),
        ("reason", s_non_empty(c.string("reason")?)),
        ("message", s_non_empty(c.string("message")?)),
    ]))
}

/// The behavior annotation (internal type, Go field names) as the v2 behavior; `None` when it
/// has neither direction (upstream then leaves the behavior unset).
fn behavior_to_v2(v: &Value) -> Result<Option<Value>, Undecodable> {
    let b = GoStruct::of(v)?;
    let rules = |r: GoStruct| -> Result<Value, Undecodable> {
        let policies = r
            .list("Policies")?
            .iter()
            .map(|p| {
                let p = GoStruct::of(p)?;
                Ok(obj([
                    ("type", s(p.string("Type")?)),
                    ("value", Some(Value::Number(p.int32("Value")?))),
                    (
                        "periodSeconds",
                        Some(Value::Number(p.int32("PeriodSeconds")?)),
                    ),
                ]))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(obj([
            (
                "stabilizationWindowSeconds",
                r.opt_int32("StabilizationWindowSeconds")?
                    .map(Value::Number),
            ),
            (
                "selectPolicy",
                r.opt_string("SelectPolicy")?.map(Value::String),
            ),
            (
                "policies",
                (!policies.is_empty()).then_some(Value::Array(policies)),
            ),
            ("tolerance", r.opt_quantity("Tolerance")?.map(Value::String)),
        ]))
    };
    let up = b.sub("ScaleUp")?.map(rules).transpose()?;
    let down = b.sub("ScaleDown")?.map(rules).transpose()?;
    if up.is_none() && down.is_none() {
        return Ok(None);
    }
    Ok(Some(obj([("scaleUp", up), ("scaleDown", down)])))
}

/// `resource.ParseQuantity`'s grammar: a signed decimal number and an optional suffix (binary
/// SI, decimal SI, or a decimal exponent).
fn is_quantity(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    let start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let mut digits = i - start;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let frac = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        digits += i - frac;
    }
    if digits == 0 {
        return false;
    }
    match &s[i..] {
        "" | "n" | "u" | "m" | "k" | "M" | "G" | "T" | "P" | "E" => true,
        "Ki" | "Mi" | "Gi" | "Ti" | "Pi" | "Ei" => true,
        rest => match rest.strip_prefix(['e', 'E']) {
            Some(exp) => {
                let exp = exp.strip_prefix(['+', '-']).unwrap_or(exp);
                !exp.is_empty() && exp.bytes().all(|c| c.is_ascii_digit())
            }
            None => false,
        },
    }
}

/// `time.RFC3339` as Go parses it: `2006-01-02T15:04:05[.frac](Z|±07:00)`.
fn is_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    if b.len() < 20
        || !digits(0..4)
        || b[4] != b'-'
        || !digits(5..7)
        || b[7] != b'-'
        || !digits(8..10)
        || b[10] != b'T'
        || !digits(11..13)
        || b[13] != b':'
        || !digits(14..16)
        || b[16] != b':'
        || !digits(17..19)
    {
        return false;
    }
    let mut i = 19;
    if b[i] == b'.' {
        i += 1;
        let frac = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == frac {
            return false;
        }
    }
    match &b[i..] {
        [b'Z'] => true,
        [b'+' | b'-', _, _, b':', _, _] => digits(i + 1..i + 3) && digits(i + 4..i + 6),
        _ => false,
    }
}

// ---------------------------------------------------------------------------------------------
// JSON as Go's `encoding/json` writes typed structs: fields in declaration order, map keys
// sorted, strings escaped as Go 1.22+ does ([`Json::Go`]).

enum Go {
    Null,
    Str(String),
    Num(Number),
    /// A JSON value written as Go writes the equivalent map/slice (keys sorted).
    Raw(Value),
    Arr(Vec<Go>),
    Obj(Vec<(&'static str, Go)>),
}

struct GoObj(Vec<(&'static str, Go)>);

impl GoObj {
    fn new() -> Self {
        GoObj(Vec::new())
    }

    fn field(mut self, key: &'static str, value: Go) -> Self {
        self.0.push((key, value));
        self
    }

    /// An `omitempty` field.
    fn opt(self, key: &'static str, value: Option<Go>) -> Self {
        match value {
            Some(v) => self.field(key, v),
            None => self,
        }
    }

    fn done(self) -> Go {
        Go::Obj(self.0)
    }
}

impl Go {
    fn render(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        match self {
            Go::Null => out.push_str("null"),
            Go::Str(s) => gofmt::write_json_string(out, s, Json::Go),
            Go::Num(n) => out.push_str(&n.to_string()),
            Go::Raw(v) => gofmt::write_json(out, v, Json::Go),
            Go::Arr(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write(out);
                }
                out.push(']');
            }
            Go::Obj(fields) => {
                out.push('{');
                for (i, (key, value)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    gofmt::write_json_string(out, key, Json::Go);
                    out.push(':');
                    value.write(out);
                }
                out.push('}');
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Event: events.k8s.io/v1 <-> core v1

/// How a field of the target type is written when the source has it.
#[derive(Clone, Copy, PartialEq)]
enum Emit {
    /// Whenever the source has it (not `null`).
    Present,
    /// `omitempty` on a string or integer: not when it is `""` or `0`.
    NonZero,
}

/// `(core v1 name, events.k8s.io/v1 name, emit in core, emit in events.k8s.io)`; `series` is
/// handled apart.
const EVENT_FIELDS: [(&str, &str, Emit, Emit); 13] = [
    ("involvedObject", "regarding", Emit::Present, Emit::Present),
    ("reason", "reason", Emit::NonZero, Emit::NonZero),
    ("message", "note", Emit::NonZero, Emit::NonZero),
    ("source", "deprecatedSource", Emit::Present, Emit::Present),
    (
        "firstTimestamp",
        "deprecatedFirstTimestamp",
        Emit::Present,
        Emit::Present,
    ),
    (
        "lastTimestamp",
        "deprecatedLastTimestamp",
        Emit::Present,
        Emit::Present,
    ),
    ("count", "deprecatedCount", Emit::NonZero, Emit::NonZero),
    ("type", "type", Emit::NonZero, Emit::NonZero),
    ("eventTime", "eventTime", Emit::Present, Emit::Present),
    ("action", "action", Emit::NonZero, Emit::NonZero),
    ("related", "related", Emit::Present, Emit::Present),
    (
        "reportingComponent",
        "reportingController",
        Emit::Present,
        Emit::NonZero,
    ),
    (
        "reportingInstance",
        "reportingInstance",
        Emit::Present,
        Emit::NonZero,
    ),
];

fn is_zero(v: &Value) -> bool {
    match v {
        Value::String(s) => s.is_empty(),
        Value::Number(n) => n.as_f64() == Some(0.0),
        _ => false,
    }
}

fn event_to_core(src: &Map<String, Value>) -> Result<Map<String, Value>, String> {
    convert_event(src, true)
}

fn event_from_core(src: &Map<String, Value>) -> Result<Map<String, Value>, String> {
    convert_event(src, false)
}

fn convert_event(src: &Map<String, Value>, to_core: bool) -> Result<Map<String, Value>, String> {
    let mut out = Map::new();
    if let Some(meta) = part(src, "metadata")? {
        out.insert("metadata".into(), meta.clone());
    }
    let from = Value::Object(src.clone());
    for (core, events, emit_core, emit_events) in EVENT_FIELDS {
        let (from_key, to_key, emit) = if to_core {
            (events, core, emit_core)
        } else {
            (core, events, emit_events)
        };
        if let Some(v) = member(&from, from_key)
            && !(emit == Emit::NonZero && is_zero(v))
        {
            out.insert(to_key.to_string(), v.clone());
        }
    }
    // Both `EventSeries` types hold a count and the last observed time; core's are omitempty.
    if let Some(series) = part(src, "series")? {
        let mut out_series = Map::new();
        if let Some(n) = member(series, "count").filter(|n| !(to_core && is_zero(n))) {
            out_series.insert("count".into(), n.clone());
        }
        copy_member(Some(series), &mut out_series, "lastObservedTime");
        out.insert("series".into(), Value::Object(out_series));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ann(obj: &Value, key: &str) -> Option<String> {
        obj.pointer("/metadata/annotations")?
            .get(key)?
            .as_str()
            .map(str::to_string)
    }

    /// A stored v2 HPA: a memory and a pods metric, the CPU target last, a (defaulted)
    /// behavior with a tolerance, and a full status.
    fn hpa_v2() -> Value {
        json!({
            "apiVersion": "autoscaling/v2",
            "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": "web", "namespace": "default", "uid": "u-1",
                         "resourceVersion": "7", "annotations": {"team": "a<b>&c"}},
            "spec": {
                "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
                "minReplicas": 2,
                "maxReplicas": 10,
                "metrics": [
                    {"type": "Resource", "resource": {"name": "memory",
                        "target": {"type": "AverageValue", "averageValue": "500Mi"}}},
                    {"type": "Pods", "pods": {
                        "metric": {"name": "packets-per-second",
                                   "selector": {"matchLabels": {"tier": "web", "app": "x"}}},
                        "target": {"type": "AverageValue", "averageValue": "1k"}}},
                    {"type": "Resource", "resource": {"name": "cpu",
                        "target": {"type": "Utilization", "averageUtilization": 70}}},
                ],
                "behavior": {
                    "scaleUp": {"stabilizationWindowSeconds": 0, "selectPolicy": "Max",
                        "policies": [{"type": "Pods", "value": 4, "periodSeconds": 15},
                                     {"type": "Percent", "value": 100, "periodSeconds": 15}],
                        "tolerance": "50m"},
                    "scaleDown": {"stabilizationWindowSeconds": 300, "selectPolicy": "Max",
                        "policies": [{"type": "Percent", "value": 100, "periodSeconds": 15}]},
                },
            },
            "status": {
                "observedGeneration": 3,
                "lastScaleTime": "2025-01-02T03:04:05Z",
                "currentReplicas": 3,
                "desiredReplicas": 4,
                "currentMetrics": [
                    {"type": "Resource", "resource": {"name": "memory",
                        "current": {"averageValue": "400Mi"}}},
                    {"type": "Pods", "pods": {"metric": {"name": "packets-per-second"},
                        "current": {"averageValue": "900"}}},
                    {"type": "Resource", "resource": {"name": "cpu",
                        "current": {"averageValue": "250m", "averageUtilization": 55}}},
                ],
                "conditions": [
                    {"type": "AbleToScale", "status": "True",
                     "lastTransitionTime": "2025-01-02T03:04:05Z",
                     "reason": "ReadyForNewScale", "message": "recommended size matches"},
                ],
            },
        })
    }

    #[test]
    fn hpa_v2_to_v1_writes_upstreams_annotations() {
        let v1 = convert(hpa_v2(), "autoscaling/v1").unwrap();
        assert_eq!(v1["apiVersion"], "autoscaling/v1");
        assert_eq!(v1["kind"], "HorizontalPodAutoscaler");
        assert_eq!(
            v1["spec"],
            json!({"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
                   "minReplicas": 2, "maxReplicas": 10, "targetCPUUtilizationPercentage": 70})
        );
        assert_eq!(
            v1["status"],
            json!({"observedGeneration": 3, "lastScaleTime": "2025-01-02T03:04:05Z",
                   "currentReplicas": 3, "desiredReplicas": 4,
                   "currentCPUUtilizationPercentage": 55})
        );
        assert_eq!(v1["metadata"]["annotations"]["team"], "a<b>&c");
        assert_eq!(v1["metadata"]["uid"], "u-1");
        assert_eq!(
            ann(&v1, HPA_METRICS_ANNOTATION).unwrap(),
            r#"[{"type":"Resource","resource":{"name":"memory","targetAverageValue":"500Mi"}},{"type":"Pods","pods":{"metricName":"packets-per-second","targetAverageValue":"1k","selector":{"matchLabels":{"app":"x","tier":"web"}}}}]"#
        );
        assert_eq!(
            ann(&v1, HPA_CURRENT_METRICS_ANNOTATION).unwrap(),
            r#"[{"type":"Resource","resource":{"name":"memory","currentAverageValue":"400Mi"}},{"type":"Pods","pods":{"metricName":"packets-per-second","currentAverageValue":"900"}},{"type":"Resource","resource":{"name":"cpu","currentAverageUtilization":55,"currentAverageValue":"250m"}}]"#
        );
        assert_eq!(
            ann(&v1, HPA_BEHAVIOR_ANNOTATION).unwrap(),
            r#"{"ScaleUp":{"StabilizationWindowSeconds":0,"SelectPolicy":"Max","Policies":[{"Type":"Pods","Value":4,"PeriodSeconds":15},{"Type":"Percent","Value":100,"PeriodSeconds":15}],"Tolerance":"50m"},"ScaleDown":{"StabilizationWindowSeconds":300,"SelectPolicy":"Max","Policies":[{"Type":"Percent","Value":100,"PeriodSeconds":15}],"Tolerance":null}}"#
        );
        assert_eq!(
            ann(&v1, HPA_CONDITIONS_ANNOTATION).unwrap(),
            r#"[{"type":"AbleToScale","status":"True","lastTransitionTime":"2025-01-02T03:04:05Z","reason":"ReadyForNewScale","message":"recommended size matches"}]"#
        );
    }

    #[test]
    fn hpa_v2_to_v1_to_v2_is_lossless() {
        let v1 = convert(hpa_v2(), "autoscaling/v1").unwrap();
        let back = convert(v1, "autoscaling/v2").unwrap();
        assert_eq!(back, hpa_v2());
    }

    /// Upstream's fixture `testdata/HEAD/autoscaling.v1.HorizontalPodAutoscaler.json` (k8s.io/api
    /// v0.33.0), metadata shortened.
    fn hpa_v1_fixture() -> Value {
        json!({
            "kind": "HorizontalPodAutoscaler",
            "apiVersion": "autoscaling/v1",
            "metadata": {"name": "nameValue", "namespace": "namespaceValue", "generation": 7,
                         "labels": {"labelsKey": "labelsValue"},
                         "annotations": {"annotationsKey": "annotationsValue"}},
            "spec": {
                "scaleTargetRef": {"kind": "kindValue", "name": "nameValue",
                                   "apiVersion": "apiVersionValue"},
                "minReplicas": 2, "maxReplicas": 3, "targetCPUUtilizationPercentage": 4,
            },
            "status": {"observedGeneration": 1, "lastScaleTime": "2002-01-01T01:01:01Z",
                       "currentReplicas": 3, "desiredReplicas": 4,
                       "currentCPUUtilizationPercentage": 5},
        })
    }

    #[test]
    fn hpa_v1_to_v2_to_v1_keeps_every_field() {
        let v2 = convert(hpa_v1_fixture(), "autoscaling/v2").unwrap();
        assert_eq!(
            v2,
            json!({
                "kind": "HorizontalPodAutoscaler", "apiVersion": "autoscaling/v2",
                "metadata": {"name": "nameValue", "namespace": "namespaceValue", "generation": 7,
                             "labels": {"labelsKey": "labelsValue"},
                             "annotations": {"annotationsKey": "annotationsValue"}},
                "spec": {
                    "scaleTargetRef": {"kind": "kindValue", "name": "nameValue",
                                       "apiVersion": "apiVersionValue"},
                    "minReplicas": 2, "maxReplicas": 3,
                    "metrics": [{"type": "Resource", "resource": {"name": "cpu",
                        "target": {"type": "Utilization", "averageUtilization": 4}}}],
                },
                "status": {"observedGeneration": 1, "lastScaleTime": "2002-01-01T01:01:01Z",
                           "currentReplicas": 3, "desiredReplicas": 4,
                           "currentMetrics": [{"type": "Resource", "resource": {"name": "cpu",
                               "current": {"averageUtilization": 5}}}]},
            })
        );
        let mut expected = hpa_v1_fixture();
        // Upstream saves the current metrics even when they are only the CPU percentage.
        expected["metadata"]["annotations"][HPA_CURRENT_METRICS_ANNOTATION] = json!(
            r#"[{"type":"Resource","resource":{"name":"cpu","currentAverageUtilization":5,"currentAverageValue":"0"}}]"#
        );
        let back = convert(v2, "autoscaling/v1").unwrap();
        assert_eq!(back, expected);
        // A spec-only v1 object comes back exactly.
        let mut spec_only = hpa_v1_fixture();
        spec_only.as_object_mut().unwrap().remove("status");
        let v2 = convert(spec_only.clone(), "autoscaling/v2").unwrap();
        assert_eq!(convert(v2, "autoscaling/v1").unwrap(), spec_only);
    }

    #[test]
    fn hpa_v1_with_annotations_restores_v2() {
        let v1 = json!({
            "apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": "h", "annotations": {
                HPA_METRICS_ANNOTATION: r#"[{"type":"External","external":{"metricName":"queue","metricSelector":{"matchExpressions":[{"key":"q","operator":"In","values":["a"]}]},"targetAverageValue":"30"}},{"type":"Object","object":{"target":{"kind":"Ingress","name":"main","apiVersion":"networking.k8s.io/v1"},"metricName":"rps","targetValue":"2k"}},{"type":"ContainerResource","containerResource":{"name":"memory","targetAverageUtilization":60,"container":"app"}}]"#,
                HPA_BEHAVIOR_ANNOTATION: r#"{"scaleDown":{"stabilizationWindowSeconds":60,"policies":null}}"#,
            }},
            "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "d"}, "maxReplicas": 5,
                     "targetCPUUtilizationPercentage": 50},
        });
        let v2 = convert(v1.clone(), "autoscaling/v2").unwrap();
        assert_eq!(v2["metadata"], json!({"name": "h"}));
        assert_eq!(
            v2["spec"]["metrics"],
            json!([
                {"type": "External", "external": {
                    "metric": {"name": "queue", "selector": {"matchExpressions":
                        [{"key": "q", "operator": "In", "values": ["a"]}]}},
                    "target": {"type": "AverageValue", "averageValue": "30"}}},
                {"type": "Object", "object": {
                    "describedObject": {"kind": "Ingress", "name": "main",
                                        "apiVersion": "networking.k8s.io/v1"},
                    "target": {"type": "Value", "value": "2k"},
                    "metric": {"name": "rps"}}},
                {"type": "ContainerResource", "containerResource": {"name": "memory",
                    "container": "app",
                    "target": {"type": "Utilization", "averageUtilization": 60}}},
                {"type": "Resource", "resource": {"name": "cpu",
                    "target": {"type": "Utilization", "averageUtilization": 50}}},
            ])
        );
        // Go matches field names case-insensitively.
        assert_eq!(
            v2["spec"]["behavior"],
            json!({"scaleDown": {"stabilizationWindowSeconds": 60}})
        );
        // Back to v1 the annotations are rewritten in upstream's form.
        let again = convert(v2, "autoscaling/v1").unwrap();
        assert_eq!(
            ann(&again, HPA_BEHAVIOR_ANNOTATION).unwrap(),
            r#"{"ScaleUp":null,"ScaleDown":{"StabilizationWindowSeconds":60,"SelectPolicy":null,"Policies":null,"Tolerance":null}}"#
        );
        assert_eq!(
            ann(&again, HPA_METRICS_ANNOTATION).unwrap(),
            ann(&v1, HPA_METRICS_ANNOTATION).unwrap()
        );
        assert_eq!(again["spec"]["targetCPUUtilizationPercentage"], 50);
    }

    #[test]
    fn hpa_cpu_target_moves_after_the_other_metrics() {
        let mut v2 = hpa_v2();
        let metrics = v2["spec"]["metrics"].as_array_mut().unwrap();
        let cpu = metrics.pop().unwrap();
        metrics.insert(0, cpu.clone());
        let back = convert(convert(v2, "autoscaling/v1").unwrap(), "autoscaling/v2").unwrap();
        assert_eq!(back["spec"]["metrics"][2], cpu);
        assert_eq!(back["spec"]["metrics"].as_array().unwrap().len(), 3);
    }

    /// Upstream conversion_test.go (#101370): the first CPU metric with a utilization is the
    /// v1 target, even after a CPU metric with an average value.
    #[test]
    fn hpa_cpu_utilization_is_the_first_with_a_utilization() {
        let v2 = json!({
            "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
            "spec": {"minReplicas": 1, "maxReplicas": 3, "metrics": [
                {"type": "Resource", "resource": {"name": "cpu",
                    "target": {"type": "AverageValue", "averageValue": "300m"}}},
                {"type": "Resource", "resource": {"name": "cpu",
                    "target": {"type": "Utilization", "averageUtilization": 70}}},
            ]},
        });
        let v1 = convert(v2, "autoscaling/v1").unwrap();
        assert_eq!(v1["spec"]["targetCPUUtilizationPercentage"], 70);
        assert_eq!(
            ann(&v1, HPA_METRICS_ANNOTATION).unwrap(),
            r#"[{"type":"Resource","resource":{"name":"cpu","targetAverageValue":"300m"}}]"#
        );
    }

    #[test]
    fn hpa_v1_without_metrics_gets_the_cpu_default() {
        let v1 = json!({"apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler",
                        "metadata": {"name": "h"},
                        "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "d"},
                                 "maxReplicas": 4}});
        let v2 = convert(v1, "autoscaling/v2").unwrap();
        assert_eq!(
            v2["spec"],
            json!({"scaleTargetRef": {"kind": "Deployment", "name": "d"}, "maxReplicas": 4,
                   "metrics": [{"type": "Resource", "resource": {"name": "cpu",
                       "target": {"type": "Utilization", "averageUtilization": 80}}}]})
        );
        assert!(v2.get("status").is_none());
    }

    #[test]
    fn hpa_bad_annotations_are_ignored_and_dropped() {
        let v1 = json!({"apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": "h", "annotations": {
                HPA_METRICS_ANNOTATION: "not json",
                HPA_CURRENT_METRICS_ANNOTATION: r#"[{"type":"Pods","pods":{"metricName":1}}]"#,
                HPA_BEHAVIOR_ANNOTATION: r#"{"ScaleUp":{"Tolerance":"ten"}}"#,
                HPA_CONDITIONS_ANNOTATION: r#"[{"type":"A","lastTransitionTime":"yesterday"}]"#}},
            "spec": {"maxReplicas": 2, "targetCPUUtilizationPercentage": 40},
            "status": {"currentReplicas": 0, "desiredReplicas": 1,
                       "currentCPUUtilizationPercentage": 10}});
        let v2 = convert(v1, "autoscaling/v2").unwrap();
        assert_eq!(v2["metadata"], json!({"name": "h"}));
        assert_eq!(v2["spec"]["metrics"].as_array().unwrap().len(), 1);
        assert!(v2["spec"].get("behavior").is_none());
        assert_eq!(
            v2["status"],
            json!({"desiredReplicas": 1, "currentMetrics": [{"type": "Resource",
                "resource": {"name": "cpu", "current": {"averageUtilization": 10}}}]})
        );
    }

    #[test]
    fn hpa_v2_stale_annotations_do_not_reach_v1() {
        let mut v2 = hpa_v2();
        v2["metadata"]["annotations"] = json!({HPA_METRICS_ANNOTATION: "junk"});
        v2["spec"]["metrics"] = json!([]);
        v2["spec"].as_object_mut().unwrap().remove("behavior");
        v2.as_object_mut().unwrap().remove("status");
        let v1 = convert(v2, "autoscaling/v1").unwrap();
        assert_eq!(
            v1["metadata"],
            json!({"name": "web", "namespace": "default", "uid": "u-1",
                                          "resourceVersion": "7"})
        );
        let mut v2 = hpa_v2();
        v2["metadata"]["annotations"][HPA_CONDITIONS_ANNOTATION] = json!("junk");
        drop_hpa_round_trip_annotations(&mut v2);
        assert_eq!(v2, hpa_v2());
    }

    #[test]
    fn hpa_annotations_use_go_escaping_and_zero_values() {
        let v2 = json!({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
            "spec": {"maxReplicas": 1, "metrics": [
                {"type": "Object", "object": {"describedObject": {"kind": "Svc", "name": "a&b"},
                    "metric": {"name": "x<y>\u{2028}\n"},
                    "target": {"type": "AverageValue", "averageValue": "1"}}}]},
            "status": {"desiredReplicas": 1, "conditions": [{"type": "T", "status": "False"}]}});
        let v1 = convert(v2, "autoscaling/v1").unwrap();
        assert_eq!(
            ann(&v1, HPA_METRICS_ANNOTATION).unwrap(),
            r#"[{"type":"Object","object":{"target":{"kind":"Svc","name":"a\u0026b"},"metricName":"x\u003cy\u003e\u2028\n","targetValue":"0","averageValue":"1"}}]"#
        );
        assert_eq!(
            ann(&v1, HPA_CONDITIONS_ANNOTATION).unwrap(),
            r#"[{"type":"T","status":"False","lastTransitionTime":null}]"#
        );
        let back = convert(v1, "autoscaling/v2").unwrap();
        assert_eq!(
            back["spec"]["metrics"][0]["object"]["target"],
            json!({"type": "AverageValue", "value": "0", "averageValue": "1"})
        );
        assert_eq!(
            back["spec"]["metrics"][0]["object"]["metric"]["name"],
            "x<y>\u{2028}\n"
        );
    }

    #[test]
    fn hpa_lists_convert_item_by_item() {
        let list = json!({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscalerList",
                          "metadata": {"resourceVersion": "9"},
                          "items": [hpa_v2(), {"metadata": {"name": "bare"}, "spec": {}}]});
        let v1 = convert(list, "autoscaling/v1").unwrap();
        assert_eq!(v1["apiVersion"], "autoscaling/v1");
        assert_eq!(v1["kind"], "HorizontalPodAutoscalerList");
        assert_eq!(v1["metadata"]["resourceVersion"], "9");
        assert_eq!(v1["items"][0]["apiVersion"], "autoscaling/v1");
        assert_eq!(v1["items"][0]["spec"]["targetCPUUtilizationPercentage"], 70);
        assert!(v1["items"][1].get("apiVersion").is_none());
        let back = convert(v1, "autoscaling/v2").unwrap();
        assert_eq!(back["items"][0], hpa_v2());
    }

    /// Upstream's `testdata/HEAD/events.k8s.io.v1.Event.json` (v0.33.0), metadata shortened.
    fn events_v1_fixture() -> Value {
        json!({
            "kind": "Event", "apiVersion": "events.k8s.io/v1",
            "metadata": {"name": "nameValue", "namespace": "namespaceValue",
                         "resourceVersion": "resourceVersionValue",
                         "creationTimestamp": "2008-01-01T01:01:01Z"},
            "eventTime": "2002-01-01T01:01:01.000002Z",
            "series": {"count": 1, "lastObservedTime": "2002-01-01T01:01:01.000002Z"},
            "reportingController": "reportingControllerValue",
            "reportingInstance": "reportingInstanceValue",
            "action": "actionValue",
            "reason": "reasonValue",
            "regarding": {"kind": "kindValue", "namespace": "namespaceValue", "name": "nameValue",
                          "uid": "uidValue", "apiVersion": "apiVersionValue",
                          "resourceVersion": "resourceVersionValue", "fieldPath": "fieldPathValue"},
            "related": {"kind": "kindValue", "namespace": "namespaceValue", "name": "nameValue",
                        "uid": "uidValue", "apiVersion": "apiVersionValue",
                        "resourceVersion": "resourceVersionValue", "fieldPath": "fieldPathValue"},
            "note": "noteValue",
            "type": "typeValue",
            "deprecatedSource": {"component": "componentValue", "host": "hostValue"},
            "deprecatedFirstTimestamp": "2013-01-01T01:01:01Z",
            "deprecatedLastTimestamp": "2014-01-01T01:01:01Z",
            "deprecatedCount": 15,
        })
    }

    /// Upstream's `testdata/HEAD/core.v1.Event.json` (v0.33.0), metadata shortened.
    fn core_event_fixture() -> Value {
        json!({
            "kind": "Event", "apiVersion": "v1",
            "metadata": {"name": "nameValue", "namespace": "namespaceValue"},
            "involvedObject": {"kind": "kindValue", "namespace": "namespaceValue",
                               "name": "nameValue", "uid": "uidValue",
                               "apiVersion": "apiVersionValue",
                               "resourceVersion": "resourceVersionValue",
                               "fieldPath": "fieldPathValue"},
            "reason": "reasonValue",
            "message": "messageValue",
            "source": {"component": "componentValue", "host": "hostValue"},
            "firstTimestamp": "2006-01-01T01:01:01Z",
            "lastTimestamp": "2007-01-01T01:01:01Z",
            "count": 8,
            "type": "typeValue",
            "eventTime": "2010-01-01T01:01:01.000010Z",
            "series": {"count": 1, "lastObservedTime": "2002-01-01T01:01:01.000002Z"},
            "action": "actionValue",
            "related": {"kind": "kindValue", "name": "nameValue"},
            "reportingComponent": "reportingComponentValue",
            "reportingInstance": "reportingInstanceValue",
        })
    }

    #[test]
    fn event_to_core_and_back() {
        let core = convert(events_v1_fixture(), "v1").unwrap();
        assert_eq!(core["apiVersion"], "v1");
        assert_eq!(core["kind"], "Event");
        assert_eq!(core["message"], "noteValue");
        assert_eq!(core["involvedObject"], events_v1_fixture()["regarding"]);
        assert_eq!(
            core["source"],
            json!({"component": "componentValue", "host": "hostValue"})
        );
        assert_eq!(core["firstTimestamp"], "2013-01-01T01:01:01Z");
        assert_eq!(core["lastTimestamp"], "2014-01-01T01:01:01Z");
        assert_eq!(core["count"], 15);
        assert_eq!(core["reportingComponent"], "reportingControllerValue");
        assert_eq!(core["series"], events_v1_fixture()["series"]);
        for gone in [
            "note",
            "regarding",
            "deprecatedCount",
            "reportingController",
        ] {
            assert!(core.get(gone).is_none(), "{gone}");
        }
        assert_eq!(
            convert(core, "events.k8s.io/v1").unwrap(),
            events_v1_fixture()
        );
    }

    #[test]
    fn core_event_to_events_and_back() {
        let ev = convert(core_event_fixture(), "events.k8s.io/v1").unwrap();
        assert_eq!(ev["note"], "messageValue");
        assert_eq!(ev["regarding"], core_event_fixture()["involvedObject"]);
        assert_eq!(ev["deprecatedSource"], core_event_fixture()["source"]);
        assert_eq!(ev["deprecatedFirstTimestamp"], "2006-01-01T01:01:01Z");
        assert_eq!(ev["deprecatedLastTimestamp"], "2007-01-01T01:01:01Z");
        assert_eq!(ev["deprecatedCount"], 8);
        assert_eq!(ev["reportingController"], "reportingComponentValue");
        assert_eq!(ev["eventTime"], "2010-01-01T01:01:01.000010Z");
        assert_eq!(convert(ev, "v1").unwrap(), core_event_fixture());
    }

    /// Upstream events/v1 conversion_test.go, and what upstream does with what one side lacks.
    #[test]
    fn event_upstream_cases_and_dropped_fields() {
        let ev = json!({"apiVersion": "events.k8s.io/v1", "kind": "Event",
            "metadata": {"name": "foo", "namespace": "default"},
            "regarding": {"kind": "Pod", "namespace": "default", "name": "foo"},
            "deprecatedSource": {"component": "controller-manager", "host": "master1"},
            "note": "convert v1 event to core event",
            "deprecatedCount": 0, "reportingController": "", "unknownField": 1,
            "series": {"count": 2, "lastObservedTime": "2020-01-01T00:00:00.000000Z",
                       "state": "Ongoing"}});
        let core = convert(ev, "v1").unwrap();
        assert_eq!(
            core,
            json!({"apiVersion": "v1", "kind": "Event",
                "metadata": {"name": "foo", "namespace": "default"},
                "involvedObject": {"kind": "Pod", "namespace": "default", "name": "foo"},
                "source": {"component": "controller-manager", "host": "master1"},
                "message": "convert v1 event to core event",
                "reportingComponent": "",
                "series": {"count": 2, "lastObservedTime": "2020-01-01T00:00:00.000000Z"}})
        );
        let back = convert(core, "events.k8s.io/v1").unwrap();
        assert!(back.get("reportingController").is_none());
        assert_eq!(back["note"], "convert v1 event to core event");
    }

    #[test]
    fn event_lists_convert() {
        let list = json!({"apiVersion": "v1", "kind": "EventList", "metadata": {},
                          "items": [core_event_fixture()]});
        let ev = convert(list, "events.k8s.io/v1").unwrap();
        assert_eq!(ev["kind"], "EventList");
        assert_eq!(ev["items"][0]["apiVersion"], "events.k8s.io/v1");
        assert_eq!(ev["items"][0]["note"], "messageValue");
    }

    #[test]
    fn identity_when_the_version_matches() {
        for obj in [
            hpa_v2(),
            hpa_v1_fixture(),
            events_v1_fixture(),
            core_event_fixture(),
        ] {
            let to = obj["apiVersion"].as_str().unwrap().to_string();
            assert_eq!(convert(obj.clone(), &to).unwrap(), obj);
        }
        let odd = json!({"apiVersion": "apps/v1", "kind": "Deployment", "spec": "anything"});
        assert_eq!(convert(odd.clone(), "apps/v1").unwrap(), odd);
    }

    #[test]
    fn unknown_pairs_and_untyped_objects_are_errors() {
        let cases = [
            (
                json!({"apiVersion": "apps/v1", "kind": "Deployment"}),
                "apps/v1beta1",
            ),
            (hpa_v2(), "autoscaling/v2beta2"),
            (hpa_v1_fixture(), "v1"),
            (events_v1_fixture(), "events.k8s.io/v1beta1"),
            (
                json!({"apiVersion": "v1", "kind": "Pod"}),
                "events.k8s.io/v1",
            ),
            (
                json!({"apiVersion": "v1", "kind": "List", "items": []}),
                "events.k8s.io/v1",
            ),
            (json!({"kind": "Event"}), "v1"),
            (json!({"apiVersion": "v1"}), "v1"),
            (json!([1, 2]), "v1"),
            (json!("Event"), "v1"),
        ];
        for (obj, to) in cases {
            assert!(convert(obj.clone(), to).is_err(), "{obj} -> {to}");
        }
    }

    #[test]
    fn malformed_objects_do_not_panic() {
        let shapes = [
            json!(null),
            json!(1),
            json!("x"),
            json!([]),
            json!({}),
            json!([{}]),
            json!({"a": null}),
        ];
        let pairs = [
            (
                "autoscaling/v1",
                "autoscaling/v2",
                "HorizontalPodAutoscaler",
            ),
            (
                "autoscaling/v2",
                "autoscaling/v1",
                "HorizontalPodAutoscaler",
            ),
            ("events.k8s.io/v1", "v1", "Event"),
            ("v1", "events.k8s.io/v1", "Event"),
            (
                "autoscaling/v2",
                "autoscaling/v1",
                "HorizontalPodAutoscalerList",
            ),
        ];
        let keys = [
            "metadata",
            "spec",
            "status",
            "items",
            "series",
            "regarding",
            "note",
            "count",
        ];
        let nested = [
            "metrics",
            "behavior",
            "currentMetrics",
            "conditions",
            "annotations",
            "targetCPUUtilizationPercentage",
            "resource",
            "scaleUp",
        ];
        for (from, to, kind) in pairs {
            for key in keys {
                for shape in &shapes {
                    let mut obj = json!({"apiVersion": from, "kind": kind});
                    obj[key] = shape.clone();
                    let _ = convert(obj, to);
                    for inner in nested {
                        for inner_shape in &shapes {
                            let mut obj = json!({"apiVersion": from, "kind": kind,
                                                 key: {inner: inner_shape.clone()}});
                            let _ = convert(obj.clone(), to);
                            obj[key][inner] = json!([inner_shape.clone()]);
                            let _ = convert(obj, to);
                        }
                    }
                }
            }
        }
        for text in [
            "",
            "null",
            "[]",
            "{}",
            "[null]",
            "[1]",
            "[[]]",
            r#"{"ScaleUp":[]}"#,
            r#"{"ScaleUp":{"Policies":[null,{"Value":1.5}]}}"#,
            r#"[{"type":null}]"#,
            r#"[{"object":{"selector":{"matchLabels":{"a":1}}}}]"#,
            "[{\"resource\":7}]",
        ] {
            for key in ROUND_TRIP_ANNOTATIONS {
                let obj = json!({"apiVersion": "autoscaling/v1",
                                 "kind": "HorizontalPodAutoscaler",
                                 "metadata": {"annotations": {key: text}}});
                assert!(convert(obj, "autoscaling/v2").is_ok(), "{key}: {text}");
            }
        }
        let bad_annotation = json!({"apiVersion": "autoscaling/v1",
            "kind": "HorizontalPodAutoscaler",
            "metadata": {"annotations": {HPA_METRICS_ANNOTATION: 5}}});
        assert!(convert(bad_annotation, "autoscaling/v2").is_err());
    }

    #[test]
    fn quantities_and_times() {
        for q in [
            "0", "1", "-1.5", "+.5", "5.", "100m", "1Ki", "2Ei", "1e3", "1E-3", "12n",
        ] {
            assert!(is_quantity(q), "{q}");
        }
        for q in [
            "", ".", "m", "1 m", "1KB", "1e", "1e+", "ten", "1.2.3", "--1",
        ] {
            assert!(!is_quantity(q), "{q}");
        }
        for t in ["2003-01-01T01:01:01Z", "2003-01-01T01:01:01.5+02:00"] {
            assert!(is_rfc3339(t), "{t}");
        }
        for t in [
            "",
            "2003-01-01",
            "2003-01-01 01:01:01Z",
            "2003-01-01T01:01:01",
            "x",
        ] {
            assert!(!is_rfc3339(t), "{t}");
        }
    }

    #[test]
    fn storage_versions() {
        assert_eq!(
            storage_version("autoscaling", "HorizontalPodAutoscaler"),
            Some("autoscaling/v2")
        );
        assert_eq!(storage_version("events.k8s.io", "Event"), Some("v1"));
        assert_eq!(storage_version("", "Event"), None);
        assert_eq!(storage_version("apps", "Deployment"), None);
    }
}
