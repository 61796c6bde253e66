//! Pure decision logic of upstream's built-in admission plugins LimitRanger, ResourceQuota
//! (usage evaluation, admission check and the controller's recalculation), Priority,
//! DefaultTolerationSeconds, TaintNodesByCondition and DefaultStorageClass.
//!
//! Objects are API JSON (`serde_json::Value`, the field names of the external v1 types). The
//! caller reads the relevant objects (LimitRanges, ResourceQuotas, PriorityClasses,
//! StorageClasses, the namespace's objects) from its store and passes them in; nothing here
//! reads or writes storage, keeps caches, talks to a network, or retries on conflicts.
//!
//! Messages are upstream's. The caller wraps a rejection into the admission Forbidden status
//! (`<resource> "<name>" is forbidden: <message>`, reason `Forbidden`, code 403).
//!
//! Not done here: the ResourceQuota admission configuration (`limitedResources`, limited
//! scopes), the DynamicResourceAllocation `resourceclaims` evaluator and DRA extended
//! resources, and the alpha `PodLevelResources` feature (off by default in v1.33).

use crate::defaults::{Quantity, QuantityFormat, quantity_of};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// A resource list (`v1.ResourceList`): resource name to quantity, ordered by name.
pub type ResourceList = BTreeMap<String, Quantity>;

// ---------------------------------------------------------------------------------------------
// Quantity and resource list helpers

const NANO: i128 = 1_000_000_000;
const MILLI_IN_NANOS: i128 = 1_000_000;
/// `resource.MaxMilliValue`: the largest value whose milli-value fits an int64.
const MAX_MILLI_VALUE: i128 = (i64::MAX / 1000) as i128;

fn q_int(n: i64) -> Quantity {
    Quantity {
        nanos: i128::from(n) * NANO,
        format: QuantityFormat::DecimalSI,
    }
}

/// `Quantity.Add`: a zero quantity takes the other's format.
fn q_add(a: &Quantity, b: &Quantity) -> Quantity {
    Quantity {
        nanos: a.nanos.saturating_add(b.nanos),
        format: if a.nanos == 0 { b.format } else { a.format },
    }
}

/// `Quantity.Sub`: a zero quantity takes the other's format.
fn q_sub(a: &Quantity, b: &Quantity) -> Quantity {
    Quantity {
        nanos: a.nanos.saturating_sub(b.nanos),
        format: if a.nanos == 0 { b.format } else { a.format },
    }
}

/// The value in units of `unit` nanos, rounded up away from zero (`ScaledValue`).
fn scaled_ceil(q: &Quantity, unit: i128) -> i128 {
    let d = q.nanos / unit;
    let r = q.nanos % unit;
    if r > 0 {
        d + 1
    } else if r < 0 {
        d - 1
    } else {
        d
    }
}

/// `Quantity.Value()`.
fn q_value(q: &Quantity) -> i128 {
    scaled_ceil(q, NANO)
}

/// `Quantity.MilliValue()`.
fn q_milli(q: &Quantity) -> i128 {
    scaled_ceil(q, MILLI_IN_NANOS)
}

/// A resource list as JSON holds it; entries that are not quantities are left out.
fn resource_list(v: Option<&Value>) -> ResourceList {
    let mut out = ResourceList::new();
    if let Some(Value::Object(m)) = v {
        for (k, val) in m {
            if let Some(q) = quantity_of(val) {
                out.insert(k.clone(), q);
            }
        }
    }
    out
}

/// A resource list as JSON, each quantity in its canonical form.
pub fn resource_list_to_json(list: &ResourceList) -> Value {
    let mut m = Map::new();
    for (k, q) in list {
        m.insert(k.clone(), Value::String(q.canonical()));
    }
    Value::Object(m)
}

/// `quota.Add`.
fn list_add(a: &ResourceList, b: &ResourceList) -> ResourceList {
    let mut out = a.clone();
    for (k, v) in b {
        let sum = match out.get(k) {
            Some(existing) => q_add(existing, v),
            None => *v,
        };
        out.insert(k.clone(), sum);
    }
    out
}

/// `addResourceList`: adds `new` into `list` in place.
fn add_into(list: &mut ResourceList, new: &ResourceList) {
    for (k, v) in new {
        let sum = match list.get(k) {
            Some(existing) => q_add(existing, v),
            None => *v,
        };
        list.insert(k.clone(), sum);
    }
}

/// `maxResourceList`: raises each entry of `list` to `new`'s where that is greater.
fn max_into(list: &mut ResourceList, new: &ResourceList) {
    for (k, v) in new {
        match list.get(k) {
            Some(existing) if existing >= v => {}
            _ => {
                list.insert(k.clone(), *v);
            }
        }
    }
}

/// `quota.SubtractWithNonNegativeResult`.
fn list_subtract_non_negative(a: &ResourceList, b: &ResourceList) -> ResourceList {
    let mut out = ResourceList::new();
    for (k, v) in a {
        let d = match b.get(k) {
            Some(other) => q_sub(v, other),
            None => *v,
        };
        out.insert(k.clone(), if d.nanos > 0 { d } else { q_int(0) });
    }
    for k in b.keys() {
        out.entry(k.clone()).or_insert_with(|| q_int(0));
    }
    out
}

/// `quota.Mask`.
fn list_mask(list: &ResourceList, names: &BTreeSet<String>) -> ResourceList {
    list.iter()
        .filter(|(k, _)| names.contains(*k))
        .map(|(k, v)| (k.clone(), *v))
        .collect()
}

fn list_names(list: &ResourceList) -> BTreeSet<String> {
    list.keys().cloned().collect()
}

/// `quota.Equals`.
fn list_equals(a: &ResourceList, b: &ResourceList) -> bool {
    a.len() == b.len() && a.iter().all(|(k, v)| b.get(k).is_some_and(|o| o == v))
}

/// `prettyPrint`: `name=value` sorted by name, joined with commas.
fn pretty_print(list: &ResourceList) -> String {
    list.iter()
        .map(|(k, v)| format!("{k}={}", v.canonical()))
        .collect::<Vec<_>>()
        .join(",")
}

/// `prettyPrintResourceNames`.
fn pretty_print_names<'a>(names: impl IntoIterator<Item = &'a String>) -> String {
    let mut v: Vec<&str> = names.into_iter().map(String::as_str).collect();
    v.sort_unstable();
    v.join(",")
}

/// The message of upstream's `utilerrors.NewAggregate(errs).Error()`: one error as is,
/// several (duplicates dropped) as `[a, b]`.
pub fn aggregate_message(errors: &[String]) -> String {
    match errors.len() {
        0 => String::new(),
        1 => errors[0].clone(),
        _ => {
            let mut seen = BTreeSet::new();
            let mut parts = Vec::new();
            for e in errors {
                if seen.insert(e.as_str()) {
                    parts.push(e.as_str());
                }
            }
            if parts.len() == 1 {
                parts[0].to_string()
            } else {
                format!("[{}]", parts.join(", "))
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// JSON helpers

fn get<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    let mut cur = v;
    for p in path {
        cur = cur.get(p)?;
    }
    if cur.is_null() { None } else { Some(cur) }
}

fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    get(v, path).and_then(Value::as_str)
}

fn array_at<'a>(v: &'a Value, path: &[&str]) -> &'a [Value] {
    get(v, path)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

/// The object under `key`, created (or replacing a non-object) when missing.
fn object_entry<'a>(v: &'a mut Value, key: &str) -> Option<&'a mut Map<String, Value>> {
    let m = v.as_object_mut()?;
    let slot = m
        .entry(key.to_string())
        .or_insert_with(|| Value::Object(Map::new()));
    if !slot.is_object() {
        *slot = Value::Object(Map::new());
    }
    slot.as_object_mut()
}

fn annotation<'a>(obj: &'a Value, key: &str) -> Option<&'a str> {
    get(obj, &["metadata", "annotations", key]).and_then(Value::as_str)
}

fn set_annotation(obj: &mut Value, key: &str, value: &str) {
    if let Some(meta) = object_entry(obj, "metadata") {
        let slot = meta
            .entry("annotations".to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        if !slot.is_object() {
            *slot = Value::Object(Map::new());
        }
        if let Some(a) = slot.as_object_mut() {
            a.insert(key.to_string(), Value::String(value.to_string()));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// LimitRanger

/// The annotation LimitRanger writes on pods it defaulted.
pub const LIMIT_RANGER_ANNOTATION: &str = "kubernetes.io/limit-ranger";

/// What LimitRanger did to a pod: the annotation it set (if it defaulted anything) and the
/// errors of the first LimitRange the pod violates (empty when admitted).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LimitRangeOutcome {
    pub annotation: Option<String>,
    pub errors: Vec<String>,
}

impl LimitRangeOutcome {
    /// The rejection message (upstream's aggregate of the errors), None when admitted.
    pub fn message(&self) -> Option<String> {
        (!self.errors.is_empty()).then(|| aggregate_message(&self.errors))
    }
}

/// One `spec.limits[]` item of a LimitRange.
struct LimitRangeItem {
    kind: String,
    min: ResourceList,
    max: ResourceList,
    default: ResourceList,
    default_request: ResourceList,
    max_limit_request_ratio: ResourceList,
}

fn limit_range_items(limit_range: &Value) -> Vec<LimitRangeItem> {
    array_at(limit_range, &["spec", "limits"])
        .iter()
        .map(|item| LimitRangeItem {
            kind: str_at(item, &["type"]).unwrap_or_default().to_string(),
            min: resource_list(get(item, &["min"])),
            max: resource_list(get(item, &["max"])),
            default: resource_list(get(item, &["default"])),
            default_request: resource_list(get(item, &["defaultRequest"])),
            max_limit_request_ratio: resource_list(get(item, &["maxLimitRequestRatio"])),
        })
        .collect()
}

/// Request and limit values at the precision upstream compares them (milli when nothing
/// overflows, whole units otherwise).
fn request_limit_enforced_values(
    request: Option<&Quantity>,
    limit: Option<&Quantity>,
    enforced: &Quantity,
) -> (i128, i128, i128) {
    let zero = q_int(0);
    let request = request.unwrap_or(&zero);
    let limit = limit.unwrap_or(&zero);
    let (r, l, e) = (q_value(request), q_value(limit), q_value(enforced));
    if r <= MAX_MILLI_VALUE && l <= MAX_MILLI_VALUE && e <= MAX_MILLI_VALUE {
        (q_milli(request), q_milli(limit), q_milli(enforced))
    } else {
        (r, l, e)
    }
}

fn min_constraint(
    limit_type: &str,
    resource: &str,
    enforced: &Quantity,
    requests: &ResourceList,
    limits: &ResourceList,
) -> Option<String> {
    let req = requests.get(resource);
    let lim = limits.get(resource);
    let (r, l, e) = request_limit_enforced_values(req, lim, enforced);
    let enforced_s = enforced.canonical();
    let Some(req) = req else {
        return Some(format!(
            "minimum {resource} usage per {limit_type} is {enforced_s}.  No request is specified"
        ));
    };
    if r < e {
        return Some(format!(
            "minimum {resource} usage per {limit_type} is {enforced_s}, but request is {}",
            req.canonical()
        ));
    }
    if let Some(lim) = lim
        && l < e
    {
        return Some(format!(
            "minimum {resource} usage per {limit_type} is {enforced_s}, but limit is {}",
            lim.canonical()
        ));
    }
    None
}

fn max_request_constraint(
    limit_type: &str,
    resource: &str,
    enforced: &Quantity,
    requests: &ResourceList,
) -> Option<String> {
    let req = requests.get(resource);
    let (r, _, e) = request_limit_enforced_values(req, None, enforced);
    let enforced_s = enforced.canonical();
    let Some(req) = req else {
        return Some(format!(
            "maximum {resource} usage per {limit_type} is {enforced_s}.  No request is specified"
        ));
    };
    if r > e {
        return Some(format!(
            "maximum {resource} usage per {limit_type} is {enforced_s}, but request is {}",
            req.canonical()
        ));
    }
    None
}

fn max_constraint(
    limit_type: &str,
    resource: &str,
    enforced: &Quantity,
    requests: &ResourceList,
    limits: &ResourceList,
) -> Option<String> {
    let req = requests.get(resource);
    let lim = limits.get(resource);
    let (r, l, e) = request_limit_enforced_values(req, lim, enforced);
    let enforced_s = enforced.canonical();
    let Some(lim) = lim else {
        return Some(format!(
            "maximum {resource} usage per {limit_type} is {enforced_s}.  No limit is specified"
        ));
    };
    if l > e {
        return Some(format!(
            "maximum {resource} usage per {limit_type} is {enforced_s}, but limit is {}",
            lim.canonical()
        ));
    }
    if let Some(req) = req
        && r > e
    {
        return Some(format!(
            "maximum {resource} usage per {limit_type} is {enforced_s}, but request is {}",
            req.canonical()
        ));
    }
    None
}

fn limit_request_ratio_constraint(
    limit_type: &str,
    resource: &str,
    enforced: &Quantity,
    requests: &ResourceList,
    limits: &ResourceList,
) -> Option<String> {
    let req = requests.get(resource);
    let lim = limits.get(resource);
    let (r, l, _) = request_limit_enforced_values(req, lim, enforced);
    let enforced_s = enforced.canonical();
    if req.is_none() || r == 0 {
        return Some(format!(
            "{resource} max limit to request ratio per {limit_type} is {enforced_s}, but no request is specified or request is 0"
        ));
    }
    if lim.is_none() || l == 0 {
        return Some(format!(
            "{resource} max limit to request ratio per {limit_type} is {enforced_s}, but no limit is specified or limit is 0"
        ));
    }
    let mut observed = l as f64 / r as f64;
    let display = observed;
    let mut max_ratio = q_value(enforced) as f64;
    if q_value(enforced) <= MAX_MILLI_VALUE {
        observed *= 1000.0;
        max_ratio = q_milli(enforced) as f64;
    }
    if observed > max_ratio {
        return Some(format!(
            "{resource} max limit to request ratio per {limit_type} is {enforced_s}, but provided ratio is {display:.6}"
        ));
    }
    None
}

fn container_requests(container: &Value) -> ResourceList {
    resource_list(get(container, &["resources", "requests"]))
}

fn container_limits(container: &Value) -> ResourceList {
    resource_list(get(container, &["resources", "limits"]))
}

/// Fills the container's missing requests/limits from the defaults; returns the annotation
/// parts (`cpu, memory request for container nginx`).
fn merge_container_resources(
    container: &mut Value,
    default_requests: &ResourceList,
    default_limits: &ResourceList,
    prefix: &str,
) -> Vec<String> {
    let name = str_at(container, &["name"]).unwrap_or_default().to_string();
    let mut set_limits = Vec::new();
    let mut set_requests = Vec::new();
    for (section, defaults, set) in [
        ("limits", default_limits, &mut set_limits),
        ("requests", default_requests, &mut set_requests),
    ] {
        let existing: BTreeSet<String> = get(container, &["resources", section])
            .and_then(Value::as_object)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        let missing: Vec<(&String, &Quantity)> = defaults
            .iter()
            .filter(|(k, _)| !existing.contains(*k))
            .collect();
        if missing.is_empty() {
            continue;
        }
        let Some(resources) = object_entry(container, "resources") else {
            continue;
        };
        let slot = resources
            .entry(section.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        if !slot.is_object() {
            *slot = Value::Object(Map::new());
        }
        if let Some(list) = slot.as_object_mut() {
            for (k, q) in missing {
                list.insert(k.clone(), Value::String(q.canonical()));
                set.push(k.clone());
            }
        }
    }
    let mut parts = Vec::new();
    if !set_requests.is_empty() {
        set_requests.sort();
        parts.push(format!(
            "{} request for {prefix} {name}",
            set_requests.join(", ")
        ));
    }
    if !set_limits.is_empty() {
        set_limits.sort();
        parts.push(format!(
            "{} limit for {prefix} {name}",
            set_limits.join(", ")
        ));
    }
    parts
}

/// Applies one LimitRange's Container defaults to the pod; returns the annotation it set.
fn limit_range_default_pod(pod: &mut Value, limit_range: &Value) -> Option<String> {
    let mut default_requests = ResourceList::new();
    let mut default_limits = ResourceList::new();
    for item in limit_range_items(limit_range) {
        if item.kind == "Container" {
            default_requests.extend(item.default_request);
            default_limits.extend(item.default);
        }
    }
    let mut parts = Vec::new();
    for (field, prefix) in [
        ("containers", "container"),
        ("initContainers", "init container"),
    ] {
        if let Some(containers) = pod
            .get_mut("spec")
            .and_then(|s| s.get_mut(field))
            .and_then(Value::as_array_mut)
        {
            for c in containers.iter_mut() {
                parts.extend(merge_container_resources(
                    c,
                    &default_requests,
                    &default_limits,
                    prefix,
                ));
            }
        }
    }
    if parts.is_empty() {
        return None;
    }
    let value = format!("LimitRanger plugin set: {}", parts.join("; "));
    set_annotation(pod, LIMIT_RANGER_ANNOTATION, &value);
    Some(value)
}

fn validate_container_item(
    item: &LimitRangeItem,
    requests: &ResourceList,
    limits: &ResourceList,
    errs: &mut Vec<String>,
) {
    let t = item.kind.as_str();
    for (k, v) in &item.min {
        errs.extend(min_constraint(t, k, v, requests, limits));
    }
    for (k, v) in &item.max {
        errs.extend(max_constraint(t, k, v, requests, limits));
    }
    for (k, v) in &item.max_limit_request_ratio {
        errs.extend(limit_request_ratio_constraint(t, k, v, requests, limits));
    }
}

/// The errors of one LimitRange against a pod (`PodValidateLimitFunc`).
fn limit_range_validate_pod(pod: &Value, limit_range: &Value) -> Vec<String> {
    let mut errs = Vec::new();
    for item in limit_range_items(limit_range) {
        match item.kind.as_str() {
            "Container" => {
                for field in ["containers", "initContainers"] {
                    for c in array_at(pod, &["spec", field]) {
                        validate_container_item(
                            &item,
                            &container_requests(c),
                            &container_limits(c),
                            &mut errs,
                        );
                    }
                }
            }
            "Pod" => {
                let requests = pod_aggregate(pod, Side::Requests, false, false);
                let limits = pod_aggregate(pod, Side::Limits, false, false);
                validate_container_item(&item, &requests, &limits, &mut errs);
            }
            _ => {}
        }
    }
    errs
}

/// LimitRanger's mutating half: applies each LimitRange's Container `defaultRequest` and
/// `default` to the pod's containers and init containers that do not say, and sets the
/// `kubernetes.io/limit-ranger` annotation. Returns the annotation last set.
pub fn limit_ranger_default_pod(pod: &mut Value, limit_ranges: &[Value]) -> Option<String> {
    let mut annotation = None;
    for lr in limit_ranges {
        if let Some(a) = limit_range_default_pod(pod, lr) {
            annotation = Some(a);
        }
    }
    annotation
}

/// LimitRanger's validating half for a pod: min, max and maxLimitRequestRatio of the
/// Container and Pod items. Returns the errors of the first LimitRange violated.
pub fn limit_ranger_validate_pod(pod: &Value, limit_ranges: &[Value]) -> Vec<String> {
    for lr in limit_ranges {
        let errs = limit_range_validate_pod(pod, lr);
        if !errs.is_empty() {
            return errs;
        }
    }
    Vec::new()
}

/// Apply LimitRange defaults to a Pod (mutating) then validate it, as a pod create passes
/// LimitRanger's admit and validate phases. (Upstream skips pod updates and subresources.)
pub fn limit_ranger_admit_pod(pod: &mut Value, limit_ranges: &[Value]) -> LimitRangeOutcome {
    let annotation = limit_ranger_default_pod(pod, limit_ranges);
    let errors = limit_ranger_validate_pod(pod, limit_ranges);
    LimitRangeOutcome { annotation, errors }
}

/// Validate a PersistentVolumeClaim's `spec.resources.requests` against the min/max of the
/// PersistentVolumeClaim items (claims are never defaulted). Errors of the first LimitRange
/// violated.
pub fn limit_ranger_validate_pvc(pvc: &Value, limit_ranges: &[Value]) -> Vec<String> {
    let requests = resource_list(get(pvc, &["spec", "resources", "requests"]));
    for lr in limit_ranges {
        let mut errs = Vec::new();
        for item in limit_range_items(lr) {
            if item.kind != "PersistentVolumeClaim" {
                continue;
            }
            let t = item.kind.as_str();
            for (k, v) in &item.min {
                errs.extend(min_constraint(t, k, v, &requests, &ResourceList::new()));
            }
            for (k, v) in &item.max {
                errs.extend(max_request_constraint(t, k, v, &requests));
            }
        }
        if !errs.is_empty() {
            return errs;
        }
    }
    Vec::new()
}

// ---------------------------------------------------------------------------------------------
// Pod resource aggregation (component-helpers' PodRequests/PodLimits)

#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Requests,
    Limits,
}

impl Side {
    fn field(self) -> &'static str {
        match self {
            Side::Requests => "requests",
            Side::Limits => "limits",
        }
    }
}

/// Whether the pod's last resize was found infeasible (`PodResizePending` with reason
/// `Infeasible`, or the older `status.resize`).
fn pod_resize_infeasible(pod: &Value) -> bool {
    for c in array_at(pod, &["status", "conditions"]) {
        if str_at(c, &["type"]) == Some("PodResizePending") {
            return str_at(c, &["reason"]) == Some("Infeasible");
        }
    }
    str_at(pod, &["status", "resize"]) == Some("Infeasible")
}

/// The resources a container counts with when its status reports resources (in-place
/// resize): the larger of spec, status and allocated, or the status when the resize is
/// infeasible.
fn container_resources_with_status(
    pod: &Value,
    container: &Value,
    status: &Value,
    side: Side,
) -> ResourceList {
    let status_list = resource_list(get(status, &["resources", side.field()]));
    let spec_list = resource_list(get(container, &["resources", side.field()]));
    let allocated = resource_list(get(status, &["allocatedResources"]));
    match (side, pod_resize_infeasible(pod)) {
        (Side::Requests, true) => {
            let mut out = status_list;
            max_into(&mut out, &allocated);
            out
        }
        (Side::Requests, false) => {
            let mut out = spec_list;
            max_into(&mut out, &status_list);
            max_into(&mut out, &allocated);
            out
        }
        (Side::Limits, true) => status_list,
        (Side::Limits, false) => {
            let mut out = spec_list;
            max_into(&mut out, &status_list);
            out
        }
    }
}

/// The pod's effective requests or limits: containers and restartable (sidecar) init
/// containers add up, other init containers count by their maximum. With `use_status` the
/// container statuses' resources are considered (in-place resize); with `overhead` the pod
/// overhead is added (to limits only where a limit exists).
fn pod_aggregate(pod: &Value, side: Side, use_status: bool, overhead: bool) -> ResourceList {
    let mut statuses: BTreeMap<&str, &Value> = BTreeMap::new();
    if use_status {
        for field in ["containerStatuses", "initContainerStatuses"] {
            for s in array_at(pod, &["status", field]) {
                if let Some(n) = str_at(s, &["name"]) {
                    statuses.insert(n, s);
                }
            }
        }
    }
    let effective = |c: &Value| -> ResourceList {
        if use_status
            && let Some(name) = str_at(c, &["name"])
            && let Some(s) = statuses.get(name)
            && get(s, &["resources"]).is_some()
        {
            return container_resources_with_status(pod, c, s, side);
        }
        resource_list(get(c, &["resources", side.field()]))
    };
    let mut total = ResourceList::new();
    for c in array_at(pod, &["spec", "containers"]) {
        add_into(&mut total, &effective(c));
    }
    let mut restartable = ResourceList::new();
    let mut init_max = ResourceList::new();
    for c in array_at(pod, &["spec", "initContainers"]) {
        let sidecar = str_at(c, &["restartPolicy"]) == Some("Always");
        let own = if sidecar {
            effective(c)
        } else {
            resource_list(get(c, &["resources", side.field()]))
        };
        let counted = if sidecar {
            add_into(&mut total, &own);
            add_into(&mut restartable, &own);
            restartable.clone()
        } else {
            let mut tmp = own;
            add_into(&mut tmp, &restartable);
            tmp
        };
        max_into(&mut init_max, &counted);
    }
    max_into(&mut total, &init_max);
    if overhead {
        let oh = resource_list(get(pod, &["spec", "overhead"]));
        match side {
            Side::Requests => add_into(&mut total, &oh),
            Side::Limits => {
                for (k, v) in oh {
                    if let Some(existing) = total.get(&k) {
                        let sum = q_add(existing, &v);
                        total.insert(k, sum);
                    }
                }
            }
        }
    }
    total
}

// ---------------------------------------------------------------------------------------------
// ResourceQuota: evaluators

const HUGEPAGES_PREFIX: &str = "hugepages-";
const REQUESTS_PREFIX: &str = "requests.";
const STORAGE_CLASS_SUFFIX: &str = ".storageclass.storage.k8s.io/";
const BETA_STORAGE_CLASS_ANNOTATION: &str = "volume.beta.kubernetes.io/storage-class";

/// The pod resources the pod evaluator tracks (besides hugepages and extended resources).
const POD_RESOURCES: &[&str] = &[
    "count/pods",
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
];

/// The resources for which a pod must state a value when a matching quota tracks them
/// (upstream keeps this for backward compatibility only).
const POD_VALIDATION_SET: &[&str] = &[
    "cpu",
    "memory",
    "requests.cpu",
    "requests.memory",
    "limits.cpu",
    "limits.memory",
];

const SERVICE_RESOURCES: &[&str] = &[
    "count/services",
    "services",
    "services.nodeports",
    "services.loadbalancers",
];

const PVC_RESOURCES: &[&str] = &["persistentvolumeclaims", "requests.storage"];

/// Resources quota never tracks (`install.DefaultIgnoredResources`).
const IGNORED_RESOURCES: &[(&str, &str)] = &[
    ("", "bindings"),
    ("", "componentstatuses"),
    ("authentication.k8s.io", "tokenreviews"),
    ("authentication.k8s.io", "selfsubjectreviews"),
    ("authorization.k8s.io", "subjectaccessreviews"),
    ("authorization.k8s.io", "selfsubjectaccessreviews"),
    ("authorization.k8s.io", "localsubjectaccessreviews"),
    ("authorization.k8s.io", "selfsubjectrulesreviews"),
    ("", "events"),
    ("events.k8s.io", "events"),
];

/// Core resources counted under a legacy name as well as `count/<resource>`.
const LEGACY_COUNT_ALIASES: &[&str] = &[
    "configmaps",
    "resourcequotas",
    "replicationcontrollers",
    "secrets",
];

/// The object-count quota name of a resource: `count/<resource>` or `count/<resource>.<group>`.
pub fn object_count_resource_name(group: &str, resource: &str) -> String {
    if group.is_empty() {
        format!("count/{resource}")
    } else {
        format!("count/{resource}.{group}")
    }
}

/// Whether quota ignores this resource entirely (events, reviews, bindings, ...).
pub fn quota_ignores(group: &str, resource: &str) -> bool {
    IGNORED_RESOURCES.contains(&(group, resource))
}

/// `IsNativeResource`: no domain prefix, or a `kubernetes.io/` one.
fn is_native_resource(name: &str) -> bool {
    !name.contains('/') || name.contains("kubernetes.io/")
}

fn is_dns1123_label_like(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
}

fn is_dns1123_subdomain(s: &str) -> bool {
    s.len() <= 253 && s.split('.').all(is_dns1123_label_like)
}

/// `validation.IsQualifiedName`.
fn is_qualified_name(s: &str) -> bool {
    let parts: Vec<&str> = s.split('/').collect();
    let name = match parts.as_slice() {
        [name] => *name,
        [prefix, name] => {
            if prefix.is_empty() || !is_dns1123_subdomain(prefix) {
                return false;
            }
            *name
        }
        _ => return false,
    };
    let b = name.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

/// `IsExtendedResourceName`: a domain-prefixed, non-native name quota can track as
/// `requests.<name>`.
fn is_extended_resource_name(name: &str) -> bool {
    if is_native_resource(name) || name.starts_with(REQUESTS_PREFIX) {
        return false;
    }
    is_qualified_name(&format!("{REQUESTS_PREFIX}{name}"))
}

/// A quota name for an extended resource request (`requests.example.com/gpu`).
fn is_extended_resource_name_for_quota(name: &str) -> bool {
    !is_native_resource(name) && name.starts_with(REQUESTS_PREFIX)
}

/// A scope a quota restricts itself to (`spec.scopes` entries become `Exists`).
struct ScopeSelector {
    scope_name: String,
    operator: String,
    values: Vec<String>,
}

fn quota_scope_selectors(quota: &Value) -> Vec<ScopeSelector> {
    let mut out: Vec<ScopeSelector> = array_at(quota, &["spec", "scopes"])
        .iter()
        .filter_map(Value::as_str)
        .map(|s| ScopeSelector {
            scope_name: s.to_string(),
            operator: "Exists".to_string(),
            values: Vec::new(),
        })
        .collect();
    for e in array_at(quota, &["spec", "scopeSelector", "matchExpressions"]) {
        out.push(ScopeSelector {
            scope_name: str_at(e, &["scopeName"]).unwrap_or_default().to_string(),
            operator: str_at(e, &["operator"]).unwrap_or_default().to_string(),
            values: array_at(e, &["values"])
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect(),
        });
    }
    out
}

/// How quota measures one kind of object.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Evaluator {
    Pods,
    Services,
    PersistentVolumeClaims,
    /// Counts objects under these names (`count/<resource>[.<group>]`, plus a legacy alias).
    ObjectCount(Vec<String>),
}

fn evaluator_for(group: &str, resource: &str) -> Option<Evaluator> {
    if quota_ignores(group, resource) {
        return None;
    }
    Some(match (group, resource) {
        ("", "pods") => Evaluator::Pods,
        ("", "services") => Evaluator::Services,
        ("", "persistentvolumeclaims") => Evaluator::PersistentVolumeClaims,
        ("", r) if LEGACY_COUNT_ALIASES.contains(&r) => {
            Evaluator::ObjectCount(vec![object_count_resource_name("", r), r.to_string()])
        }
        (g, r) => Evaluator::ObjectCount(vec![object_count_resource_name(g, r)]),
    })
}

fn is_terminating(pod: &Value) -> bool {
    get(pod, &["spec", "activeDeadlineSeconds"])
        .and_then(Value::as_i64)
        .is_some_and(|s| s >= 0)
}

/// Whether the pod is of QoS class BestEffort (`status.qosClass`, else computed: no
/// positive cpu or memory request or limit on any container or init container).
fn is_best_effort(pod: &Value) -> bool {
    if let Some(q) = str_at(pod, &["status", "qosClass"])
        && !q.is_empty()
    {
        return q == "BestEffort";
    }
    for field in ["containers", "initContainers"] {
        for c in array_at(pod, &["spec", field]) {
            for list in [container_requests(c), container_limits(c)] {
                for (k, v) in list {
                    if (k == "cpu" || k == "memory") && v.nanos > 0 {
                        return false;
                    }
                }
            }
        }
    }
    true
}

fn cross_namespace_term(term: &Value) -> bool {
    !array_at(term, &["namespaces"]).is_empty() || get(term, &["namespaceSelector"]).is_some()
}

fn uses_cross_namespace_pod_affinity(pod: &Value) -> bool {
    for kind in ["podAffinity", "podAntiAffinity"] {
        let Some(a) = get(pod, &["spec", "affinity", kind]) else {
            continue;
        };
        if array_at(a, &["requiredDuringSchedulingIgnoredDuringExecution"])
            .iter()
            .any(cross_namespace_term)
        {
            return true;
        }
        if array_at(a, &["preferredDuringSchedulingIgnoredDuringExecution"])
            .iter()
            .filter_map(|w| get(w, &["podAffinityTerm"]))
            .any(cross_namespace_term)
        {
            return true;
        }
    }
    false
}

/// `podMatchesScopeFunc`.
fn pod_matches_scope(selector: &ScopeSelector, pod: &Value) -> bool {
    match selector.scope_name.as_str() {
        "Terminating" => is_terminating(pod),
        "NotTerminating" => !is_terminating(pod),
        "BestEffort" => is_best_effort(pod),
        "NotBestEffort" => !is_best_effort(pod),
        "PriorityClass" => {
            let class = str_at(pod, &["spec", "priorityClassName"]).filter(|s| !s.is_empty());
            match selector.operator.as_str() {
                "Exists" => class.is_some(),
                "DoesNotExist" => class.is_none(),
                "In" => class.is_some_and(|c| selector.values.iter().any(|v| v == c)),
                "NotIn" => class.is_none_or(|c| !selector.values.iter().any(|v| v == c)),
                _ => false,
            }
        }
        "CrossNamespacePodAffinity" => uses_cross_namespace_pod_affinity(pod),
        _ => false,
    }
}

/// `QuotaV1Pod`: terminal pods, and pods past their deletion grace period, are not charged
/// compute resources.
fn pod_is_charged(pod: &Value, now: jiff::Timestamp) -> bool {
    if matches!(
        str_at(pod, &["status", "phase"]),
        Some("Failed") | Some("Succeeded")
    ) {
        return false;
    }
    if let Some(ts) = str_at(pod, &["metadata", "deletionTimestamp"])
        && let Some(grace) =
            get(pod, &["metadata", "deletionGracePeriodSeconds"]).and_then(Value::as_i64)
        && let Ok(deleted) = ts.parse::<jiff::Timestamp>()
        && let Ok(deadline) = deleted.checked_add(jiff::SignedDuration::from_secs(grace))
        && now > deadline
    {
        return false;
    }
    true
}

/// `podComputeUsageHelper`: the quota names a set of requests and limits charge.
fn pod_compute_usage(requests: &ResourceList, limits: &ResourceList) -> ResourceList {
    let mut out = ResourceList::new();
    out.insert("pods".into(), q_int(1));
    for (res, req_names, lim_name) in [
        ("cpu", ["cpu", "requests.cpu"], "limits.cpu"),
        ("memory", ["memory", "requests.memory"], "limits.memory"),
        (
            "ephemeral-storage",
            ["ephemeral-storage", "requests.ephemeral-storage"],
            "limits.ephemeral-storage",
        ),
    ] {
        if let Some(q) = requests.get(res) {
            for n in req_names {
                out.insert(n.to_string(), *q);
            }
        }
        if let Some(q) = limits.get(res) {
            out.insert(lim_name.to_string(), *q);
        }
    }
    for (res, q) in requests {
        if res.starts_with(HUGEPAGES_PREFIX) {
            out.insert(res.clone(), *q);
            out.insert(format!("{REQUESTS_PREFIX}{res}"), *q);
        }
        if is_extended_resource_name(res) {
            out.insert(format!("{REQUESTS_PREFIX}{res}"), *q);
        }
    }
    out
}

/// The storage class a claim asks for (beta annotation first).
fn pvc_storage_class(pvc: &Value) -> Option<&str> {
    if let Some(c) = annotation(pvc, BETA_STORAGE_CLASS_ANNOTATION) {
        return Some(c);
    }
    str_at(pvc, &["spec", "storageClassName"])
}

/// Rounds a quantity up to whole units (`RoundUp(0)`), keeping its format.
fn round_up_whole(q: &Quantity) -> Quantity {
    Quantity {
        nanos: scaled_ceil(q, NANO).saturating_mul(NANO),
        format: q.format,
    }
}

fn pvc_storage_usage(pvc: &Value) -> Option<Quantity> {
    let requested = resource_list(get(pvc, &["spec", "resources", "requests"]))
        .get("storage")
        .map(round_up_whole)?;
    // RecoverVolumeExpansionFailure: a larger allocated size is what the claim holds.
    let allocated = resource_list(get(pvc, &["status", "allocatedResources"]));
    match allocated.get("storage") {
        Some(a) if *a > requested => Some(round_up_whole(a)),
        _ => Some(requested),
    }
}

impl Evaluator {
    /// `MatchingResources`: the subset of `input` this evaluator tracks.
    fn matching_resources(&self, input: &BTreeSet<String>) -> BTreeSet<String> {
        input
            .iter()
            .filter(|r| match self {
                Evaluator::Pods => {
                    POD_RESOURCES.contains(&r.as_str())
                        || r.starts_with(HUGEPAGES_PREFIX)
                        || r.starts_with("requests.hugepages-")
                        || is_extended_resource_name_for_quota(r)
                }
                Evaluator::Services => SERVICE_RESOURCES.contains(&r.as_str()),
                Evaluator::PersistentVolumeClaims => {
                    r.as_str() == "count/persistentvolumeclaims"
                        || PVC_RESOURCES.contains(&r.as_str())
                        || PVC_RESOURCES
                            .iter()
                            .any(|p| r.ends_with(&format!("{STORAGE_CLASS_SUFFIX}{p}")))
                }
                Evaluator::ObjectCount(names) => names.iter().any(|n| n == *r),
            })
            .cloned()
            .collect()
    }

    /// Whether the object falls in the scope; only pods have scopes, other objects match no
    /// scope at all.
    fn matches_scope(&self, selector: &ScopeSelector, obj: &Value) -> bool {
        match self {
            Evaluator::Pods => pod_matches_scope(selector, obj),
            _ => false,
        }
    }

    /// `generic.Matches`: the quota tracks one of our resources (by `hard`) and every scope
    /// of the quota matches the object.
    fn matches(&self, hard: &ResourceList, quota: &Value, obj: &Value) -> bool {
        !self.matching_resources(&list_names(hard)).is_empty()
            && quota_scope_selectors(quota)
                .iter()
                .all(|s| self.matches_scope(s, obj))
    }

    /// `Usage`.
    fn usage(&self, obj: &Value, now: jiff::Timestamp) -> ResourceList {
        let mut out = ResourceList::new();
        match self {
            Evaluator::Pods => {
                out.insert("count/pods".into(), q_int(1));
                if pod_is_charged(obj, now) {
                    let requests = pod_aggregate(obj, Side::Requests, true, true);
                    let limits = pod_aggregate(obj, Side::Limits, true, true);
                    out = list_add(&out, &pod_compute_usage(&requests, &limits));
                }
            }
            Evaluator::Services => {
                let ports = array_at(obj, &["spec", "ports"]);
                out.insert("count/services".into(), q_int(1));
                out.insert("services".into(), q_int(1));
                out.insert("services.loadbalancers".into(), q_int(0));
                out.insert("services.nodeports".into(), q_int(0));
                match str_at(obj, &["spec", "type"]) {
                    Some("NodePort") => {
                        out.insert("services.nodeports".into(), q_int(ports.len() as i64));
                    }
                    Some("LoadBalancer") => {
                        let suppressed = get(obj, &["spec", "allocateLoadBalancerNodePorts"])
                            .and_then(Value::as_bool)
                            == Some(false);
                        let count = if suppressed {
                            ports
                                .iter()
                                .filter(|p| {
                                    get(p, &["nodePort"])
                                        .and_then(Value::as_i64)
                                        .is_some_and(|n| n != 0)
                                })
                                .count()
                        } else {
                            ports.len()
                        };
                        out.insert("services.nodeports".into(), q_int(count as i64));
                        out.insert("services.loadbalancers".into(), q_int(1));
                    }
                    _ => {}
                }
            }
            Evaluator::PersistentVolumeClaims => {
                out.insert("persistentvolumeclaims".into(), q_int(1));
                out.insert("count/persistentvolumeclaims".into(), q_int(1));
                let class = pvc_storage_class(obj).filter(|c| !c.is_empty());
                if let Some(c) = class {
                    out.insert(
                        format!("{c}{STORAGE_CLASS_SUFFIX}persistentvolumeclaims"),
                        q_int(1),
                    );
                }
                if let Some(storage) = pvc_storage_usage(obj) {
                    out.insert("requests.storage".into(), storage);
                    if let Some(c) = class {
                        out.insert(
                            format!("{c}{STORAGE_CLASS_SUFFIX}requests.storage"),
                            storage,
                        );
                    }
                }
            }
            Evaluator::ObjectCount(names) => {
                for n in names {
                    out.insert(n.clone(), q_int(1));
                }
            }
        }
        out
    }

    /// `Constraints`: a pod must state cpu/memory requests or limits that a matching quota
    /// tracks (`must specify limits.cpu for: nginx; requests.cpu for: nginx`).
    fn constraints(&self, required: &BTreeSet<String>, obj: &Value) -> Result<(), String> {
        if *self != Evaluator::Pods {
            return Ok(());
        }
        let required: BTreeSet<&str> = required
            .iter()
            .map(String::as_str)
            .filter(|r| POD_VALIDATION_SET.contains(r))
            .collect();
        let mut missing: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
        for field in ["containers", "initContainers"] {
            for c in array_at(obj, &["spec", field]) {
                let usage = pod_compute_usage(&container_requests(c), &container_limits(c));
                for r in &required {
                    if !usage.contains_key(*r) {
                        missing
                            .entry(r)
                            .or_default()
                            .insert(str_at(c, &["name"]).unwrap_or_default().to_string());
                    }
                }
            }
        }
        if missing.is_empty() {
            return Ok(());
        }
        let parts: Vec<String> = missing
            .iter()
            .map(|(r, names)| {
                format!(
                    "{r} for: {}",
                    names.iter().cloned().collect::<Vec<_>>().join(",")
                )
            })
            .collect();
        Err(format!("must specify {}", parts.join("; ")))
    }

    /// `Handles`: which operations can change usage. `old` is None on create.
    fn handles(&self, subresource: &str, obj: &Value, old: Option<&Value>) -> bool {
        match self {
            Evaluator::Pods => match (subresource, old) {
                ("", None) => true,
                ("", Some(old)) => is_terminating(old) != is_terminating(obj),
                ("resize", Some(_)) => true,
                _ => false,
            },
            Evaluator::Services | Evaluator::PersistentVolumeClaims => subresource.is_empty(),
            Evaluator::ObjectCount(_) => subresource.is_empty() && old.is_none(),
        }
    }
}

fn quota_name(quota: &Value) -> &str {
    str_at(quota, &["metadata", "name"]).unwrap_or_default()
}

/// The usage an object charges to quotas (resource name → quantity), for the given quota's
/// scopes/scopeSelector; None when the quota does not match the object. As upstream, the
/// quota's tracked resources are read from `status.hard` (filled by the quota controller) and
/// the usage is masked to them.
pub fn quota_usage(
    group: &str,
    resource: &str,
    obj: &Value,
    quota: &Value,
) -> Option<ResourceList> {
    quota_usage_at(group, resource, obj, quota, jiff::Timestamp::now())
}

fn quota_usage_at(
    group: &str,
    resource: &str,
    obj: &Value,
    quota: &Value,
    now: jiff::Timestamp,
) -> Option<ResourceList> {
    let evaluator = evaluator_for(group, resource)?;
    let hard = resource_list(get(quota, &["status", "hard"]));
    if !evaluator.matches(&hard, quota, obj) {
        return None;
    }
    Some(list_mask(&evaluator.usage(obj, now), &list_names(&hard)))
}

/// Check a create/update against quotas (old object for updates → only the increase counts).
/// Returns the new `status.used` for each quota that changes, or the upstream Forbidden
/// message. Subresource requests are not charged (see [`quota_admit_subresource`]).
pub fn quota_admit(
    group: &str,
    resource: &str,
    obj: &Value,
    old: Option<&Value>,
    quotas: &[Value],
) -> Result<Vec<(String, Value)>, String> {
    quota_admit_at(
        group,
        resource,
        "",
        obj,
        old,
        quotas,
        jiff::Timestamp::now(),
    )
}

/// [`quota_admit`] for a request to a subresource: only a pod's `resize` is charged.
pub fn quota_admit_subresource(
    group: &str,
    resource: &str,
    subresource: &str,
    obj: &Value,
    old: Option<&Value>,
    quotas: &[Value],
) -> Result<Vec<(String, Value)>, String> {
    quota_admit_at(
        group,
        resource,
        subresource,
        obj,
        old,
        quotas,
        jiff::Timestamp::now(),
    )
}

fn quota_admit_at(
    group: &str,
    resource: &str,
    subresource: &str,
    obj: &Value,
    old: Option<&Value>,
    quotas: &[Value],
    now: jiff::Timestamp,
) -> Result<Vec<(String, Value)>, String> {
    let Some(evaluator) = evaluator_for(group, resource) else {
        return Ok(Vec::new());
    };
    if !evaluator.handles(subresource, obj, old) {
        return Ok(Vec::new());
    }

    // The quotas that match the object; reject when the object misses a value a quota needs
    // or the quota's usage was never calculated.
    let mut interesting = Vec::new();
    for quota in quotas {
        let hard = resource_list(get(quota, &["status", "hard"]));
        if !evaluator.matches(&hard, quota, obj) {
            continue;
        }
        let restricted = evaluator.matching_resources(&list_names(&hard));
        if let Err(e) = evaluator.constraints(&restricted, obj) {
            return Err(format!("failed quota: {}: {e}", quota_name(quota)));
        }
        let used = resource_list(get(quota, &["status", "used"]));
        if restricted
            .iter()
            .any(|r| hard.contains_key(r) && !used.contains_key(r))
        {
            return Err(format!(
                "status unknown for quota: {}, resources: {}",
                quota_name(quota),
                pretty_print_names(&restricted)
            ));
        }
        interesting.push((quota, hard, used));
    }

    let mut delta = evaluator.usage(obj, now);
    let negative: Vec<&String> = delta
        .iter()
        .filter(|(_, v)| v.nanos < 0)
        .map(|(k, _)| k)
        .collect();
    if !negative.is_empty() {
        return Err(format!(
            "quota usage is negative for resource(s): {}",
            pretty_print_names(negative)
        ));
    }
    if let Some(old) = old {
        // Charge the difference only when the old object really exists (has a
        // resourceVersion); otherwise the update creates it and is billed in full.
        if str_at(old, &["metadata", "resourceVersion"]).is_some_and(|rv| !rv.is_empty()) {
            delta = list_subtract_non_negative(&delta, &evaluator.usage(old, now));
        }
    }
    if delta.values().all(|v| v.nanos == 0) || interesting.is_empty() {
        return Ok(Vec::new());
    }

    let mut changed = Vec::new();
    for (quota, hard, used) in interesting {
        let requested = list_mask(&delta, &list_names(&hard));
        let new_used = list_add(&used, &requested);
        let masked = list_mask(&new_used, &list_names(&requested));
        let exceeded: BTreeSet<String> = hard
            .iter()
            .filter(|(k, h)| masked.get(*k).is_some_and(|u| u > *h))
            .map(|(k, _)| k.clone())
            .collect();
        if !exceeded.is_empty() {
            return Err(format!(
                "exceeded quota: {}, requested: {}, used: {}, limited: {}",
                quota_name(quota),
                pretty_print(&list_mask(&requested, &exceeded)),
                pretty_print(&list_mask(&used, &exceeded)),
                pretty_print(&list_mask(&hard, &exceeded)),
            ));
        }
        if !list_equals(&new_used, &used) {
            changed.push((
                quota_name(quota).to_string(),
                resource_list_to_json(&new_used),
            ));
        }
    }
    Ok(changed)
}

/// Usage of all objects of a namespace for a quota (what the resourcequota controller
/// recalculates); `objects` are (group, resource, obj). The result has an entry for each
/// resource of `spec.hard`; one no evaluator tracks keeps its previous `status.used` value.
pub fn quota_recalculate(quota: &Value, objects: &[(String, String, Value)]) -> Value {
    resource_list_to_json(&quota_recalculate_at(
        quota,
        objects,
        jiff::Timestamp::now(),
    ))
}

/// The whole `status` the resourcequota controller writes: `hard` (a copy of `spec.hard`)
/// and the recalculated `used`.
pub fn quota_status(quota: &Value, objects: &[(String, String, Value)]) -> Value {
    let hard = resource_list(get(quota, &["spec", "hard"]));
    json!({
        "hard": resource_list_to_json(&hard),
        "used": quota_recalculate(quota, objects),
    })
}

fn quota_recalculate_at(
    quota: &Value,
    objects: &[(String, String, Value)],
    now: jiff::Timestamp,
) -> ResourceList {
    let hard = resource_list(get(quota, &["spec", "hard"]));
    let hard_names = list_names(&hard);
    let selectors = quota_scope_selectors(quota);

    // The evaluators the controller has: the special ones, the legacy counters, and an
    // object counter for every other resource a `count/...` entry names.
    let mut evaluators: Vec<(String, String, Evaluator)> = vec![
        ("".into(), "pods".into(), Evaluator::Pods),
        ("".into(), "services".into(), Evaluator::Services),
        (
            "".into(),
            "persistentvolumeclaims".into(),
            Evaluator::PersistentVolumeClaims,
        ),
    ];
    for r in LEGACY_COUNT_ALIASES {
        if let Some(e) = evaluator_for("", r) {
            evaluators.push((String::new(), r.to_string(), e));
        }
    }
    for name in &hard_names {
        let Some(rest) = name.strip_prefix("count/") else {
            continue;
        };
        let (resource, group) = rest.split_once('.').unwrap_or((rest, ""));
        if resource.is_empty()
            || evaluators
                .iter()
                .any(|(g, r, _)| g == group && r == resource)
        {
            continue;
        }
        if let Some(e) = evaluator_for(group, resource) {
            evaluators.push((group.to_string(), resource.to_string(), e));
        }
    }

    let mut new_usage = ResourceList::new();
    let mut matched = BTreeSet::new();
    for (group, resource, evaluator) in &evaluators {
        let tracked = evaluator.matching_resources(&hard_names);
        if tracked.is_empty() {
            continue;
        }
        let mut used: ResourceList = tracked.iter().map(|r| (r.clone(), q_int(0))).collect();
        for (g, r, obj) in objects {
            if g != group || r != resource {
                continue;
            }
            if selectors.iter().all(|s| evaluator.matches_scope(s, obj)) {
                used = list_add(&used, &evaluator.usage(obj, now));
            }
        }
        new_usage = list_add(&new_usage, &used);
        matched.extend(tracked);
    }
    let mut used = resource_list(get(quota, &["status", "used"]));
    used.extend(list_mask(&new_usage, &matched));
    list_mask(&used, &hard_names)
}

// ---------------------------------------------------------------------------------------------
// Priority

/// The priority of a pod when no PriorityClass applies.
const DEFAULT_PRIORITY_WHEN_NO_DEFAULT_CLASS_EXISTS: i64 = 0;

/// The PriorityClasses the API server creates at startup, as upstream does
/// (`system-node-critical`, then `system-cluster-critical`).
pub fn builtin_priority_classes() -> Vec<Value> {
    [
        (
            "system-node-critical",
            2_000_001_000,
            "Used for system critical pods that must not be moved from their current node.",
        ),
        (
            "system-cluster-critical",
            2_000_000_000,
            "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.",
        ),
    ]
    .into_iter()
    .map(|(name, value, description)| {
        json!({
            "apiVersion": "scheduling.k8s.io/v1",
            "kind": "PriorityClass",
            "metadata": {"name": name},
            "value": value,
            "description": description,
            "preemptionPolicy": "PreemptLowerPriority",
        })
    })
    .collect()
}

fn priority_class_value(pc: &Value) -> i64 {
    get(pc, &["value"]).and_then(Value::as_i64).unwrap_or(0)
}

/// The global default PriorityClass; with several (a race), the one of lowest value.
fn default_priority_class(classes: &[Value]) -> Option<&Value> {
    let mut found: Option<&Value> = None;
    for pc in classes {
        if get(pc, &["globalDefault"]).and_then(Value::as_bool) == Some(true)
            && found.is_none_or(|d| priority_class_value(d) > priority_class_value(pc))
        {
            found = Some(pc);
        }
    }
    found
}

fn set_spec_field(obj: &mut Value, key: &str, value: Value) {
    if let Some(spec) = object_entry(obj, "spec") {
        spec.insert(key.to_string(), value);
    }
}

/// Priority admission of a new pod: resolves `priorityClassName` (or the global default
/// class) into `priority` and `preemptionPolicy`, rejecting an unknown class and a
/// user-set priority or preemption policy that differs from the class's.
pub fn priority_admit_pod(pod: &mut Value, priority_classes: &[Value]) -> Result<(), String> {
    let class_name = str_at(pod, &["spec", "priorityClassName"])
        .unwrap_or_default()
        .to_string();
    let (priority, policy) = if class_name.is_empty() {
        match default_priority_class(priority_classes) {
            Some(pc) => {
                let name = str_at(pc, &["metadata", "name"])
                    .unwrap_or_default()
                    .to_string();
                let policy = str_at(pc, &["preemptionPolicy"]).map(str::to_string);
                let value = priority_class_value(pc);
                if !name.is_empty() {
                    set_spec_field(pod, "priorityClassName", Value::String(name));
                }
                (value, policy)
            }
            None => (
                DEFAULT_PRIORITY_WHEN_NO_DEFAULT_CLASS_EXISTS,
                Some("PreemptLowerPriority".to_string()),
            ),
        }
    } else {
        let Some(pc) = priority_classes
            .iter()
            .find(|pc| str_at(pc, &["metadata", "name"]) == Some(class_name.as_str()))
        else {
            return Err(format!("no PriorityClass with name {class_name} was found"));
        };
        (
            priority_class_value(pc),
            str_at(pc, &["preemptionPolicy"]).map(str::to_string),
        )
    };
    if let Some(given) = get(pod, &["spec", "priority"])
        && given.as_i64() != Some(priority)
    {
        return Err(format!(
            "the integer value of priority ({given}) must not be provided in pod spec; priority admission controller computed {priority} from the given PriorityClass name"
        ));
    }
    set_spec_field(pod, "priority", json!(priority));
    if let Some(policy) = policy {
        if let Some(given) = str_at(pod, &["spec", "preemptionPolicy"])
            && given != policy
        {
            return Err(format!(
                "the string value of PreemptionPolicy ({given}) must not be provided in pod spec; priority admission controller computed {policy} from the given PriorityClass name"
            ));
        }
        set_spec_field(pod, "preemptionPolicy", Value::String(policy));
    }
    Ok(())
}

/// Priority admission of a pod update: keeps the stored `priority` and `preemptionPolicy`
/// when the update leaves them out.
pub fn priority_admit_pod_update(pod: &mut Value, old: &Value) {
    for key in ["priority", "preemptionPolicy"] {
        if get(pod, &["spec", key]).is_none()
            && let Some(v) = get(old, &["spec", key])
        {
            let v = v.clone();
            set_spec_field(pod, key, v);
        }
    }
}

/// Priority validation of a PriorityClass create/update: only one may be `globalDefault`.
/// `existing` are the stored classes.
pub fn priority_validate_class(
    priority_class: &Value,
    existing: &[Value],
    is_update: bool,
) -> Result<(), String> {
    if get(priority_class, &["globalDefault"]).and_then(Value::as_bool) != Some(true) {
        return Ok(());
    }
    if let Some(dpc) = default_priority_class(existing) {
        let dname = str_at(dpc, &["metadata", "name"]).unwrap_or_default();
        if !is_update || Some(dname) != str_at(priority_class, &["metadata", "name"]) {
            return Err(format!(
                "PriorityClass {dname} is already marked as default. Only one default can exist"
            ));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// DefaultTolerationSeconds

/// Upstream's default for `--default-not-ready-toleration-seconds` and
/// `--default-unreachable-toleration-seconds`.
pub const DEFAULT_TOLERATION_SECONDS: i64 = 300;

/// Adds `node.kubernetes.io/not-ready` and `node.kubernetes.io/unreachable` NoExecute
/// tolerations of 300 seconds to a pod that does not already tolerate those taints.
pub fn default_toleration_seconds(pod: &mut Value) {
    default_toleration_seconds_with(pod, DEFAULT_TOLERATION_SECONDS, DEFAULT_TOLERATION_SECONDS);
}

/// [`default_toleration_seconds`] with the configured not-ready and unreachable seconds.
pub fn default_toleration_seconds_with(pod: &mut Value, not_ready: i64, unreachable: i64) {
    let mut tolerates_not_ready = false;
    let mut tolerates_unreachable = false;
    for t in array_at(pod, &["spec", "tolerations"]) {
        let key = str_at(t, &["key"]).unwrap_or_default();
        let effect = str_at(t, &["effect"]).unwrap_or_default();
        let no_execute = effect == "NoExecute" || effect.is_empty();
        if (key == "node.kubernetes.io/not-ready" || key.is_empty()) && no_execute {
            tolerates_not_ready = true;
        }
        if (key == "node.kubernetes.io/unreachable" || key.is_empty()) && no_execute {
            tolerates_unreachable = true;
        }
    }
    let mut add = Vec::new();
    if !tolerates_not_ready {
        add.push(("node.kubernetes.io/not-ready", not_ready));
    }
    if !tolerates_unreachable {
        add.push(("node.kubernetes.io/unreachable", unreachable));
    }
    if add.is_empty() {
        return;
    }
    let Some(spec) = object_entry(pod, "spec") else {
        return;
    };
    let slot = spec
        .entry("tolerations".to_string())
        .or_insert_with(|| Value::Array(Vec::new()));
    if !slot.is_array() {
        *slot = Value::Array(Vec::new());
    }
    if let Some(list) = slot.as_array_mut() {
        for (key, seconds) in add {
            list.push(json!({
                "key": key,
                "operator": "Exists",
                "effect": "NoExecute",
                "tolerationSeconds": seconds,
            }));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// TaintNodesByCondition

/// TaintNodesByCondition on node create: adds `node.kubernetes.io/not-ready:NoSchedule`
/// unless a taint of that key and effect is already there.
pub fn taint_new_node(node: &mut Value) {
    let present = array_at(node, &["spec", "taints"]).iter().any(|t| {
        str_at(t, &["key"]) == Some("node.kubernetes.io/not-ready")
            && str_at(t, &["effect"]) == Some("NoSchedule")
    });
    if present {
        return;
    }
    let Some(spec) = object_entry(node, "spec") else {
        return;
    };
    let slot = spec
        .entry("taints".to_string())
        .or_insert_with(|| Value::Array(Vec::new()));
    if !slot.is_array() {
        *slot = Value::Array(Vec::new());
    }
    if let Some(list) = slot.as_array_mut() {
        list.push(json!({"key": "node.kubernetes.io/not-ready", "effect": "NoSchedule"}));
    }
}

// ---------------------------------------------------------------------------------------------
// DefaultStorageClass

/// The annotation that marks a StorageClass as the default.
pub const IS_DEFAULT_STORAGE_CLASS_ANNOTATION: &str = "storageclass.kubernetes.io/is-default-class";
/// Its beta form, still honoured.
pub const BETA_IS_DEFAULT_STORAGE_CLASS_ANNOTATION: &str =
    "storageclass.beta.kubernetes.io/is-default-class";

/// The default StorageClass: of those annotated default, the newest by creation time, ties
/// broken by the lower name.
pub fn default_storage_class_of(storage_classes: &[Value]) -> Option<&Value> {
    let created = |sc: &Value| -> i128 {
        str_at(sc, &["metadata", "creationTimestamp"])
            .and_then(|t| t.parse::<jiff::Timestamp>().ok())
            .map_or(i128::MIN, |t| t.as_nanosecond())
    };
    let name = |sc: &'_ Value| -> String {
        str_at(sc, &["metadata", "name"])
            .unwrap_or_default()
            .to_string()
    };
    storage_classes
        .iter()
        .filter(|sc| {
            annotation(sc, IS_DEFAULT_STORAGE_CLASS_ANNOTATION) == Some("true")
                || annotation(sc, BETA_IS_DEFAULT_STORAGE_CLASS_ANNOTATION) == Some("true")
        })
        .min_by(|a, b| {
            created(b)
                .cmp(&created(a))
                .then_with(|| name(a).cmp(&name(b)))
        })
}

/// DefaultStorageClass on claim create: a claim that names no class (neither
/// `spec.storageClassName`, even empty, nor the beta annotation) gets the default class.
pub fn default_storage_class(pvc: &mut Value, storage_classes: &[Value]) -> Result<(), String> {
    if annotation(pvc, BETA_STORAGE_CLASS_ANNOTATION).is_some()
        || get(pvc, &["spec", "storageClassName"]).is_some()
    {
        return Ok(());
    }
    let Some(default) = default_storage_class_of(storage_classes) else {
        return Ok(());
    };
    let name = str_at(default, &["metadata", "name"])
        .unwrap_or_default()
        .to_string();
    set_spec_field(pvc, "storageClassName", Value::String(name));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rl(pairs: &[(&str, &str)]) -> Value {
        let mut m = Map::new();
        for (k, v) in pairs {
            m.insert((*k).to_string(), Value::String((*v).to_string()));
        }
        Value::Object(m)
    }

    fn cpu_mem(cpu: &str, mem: &str) -> Value {
        let mut pairs = Vec::new();
        if !cpu.is_empty() {
            pairs.push(("cpu", cpu));
        }
        if !mem.is_empty() {
            pairs.push(("memory", mem));
        }
        rl(&pairs)
    }

    fn container(name: &str, requests: Value, limits: Value) -> Value {
        json!({"name": name, "image": "foo", "resources": {"requests": requests, "limits": limits}})
    }

    /// upstream's validPod: n containers foo-0.. with the same resources.
    fn valid_pod(name: &str, n: usize, requests: Value, limits: Value) -> Value {
        let containers: Vec<Value> = (0..n)
            .map(|i| container(&format!("foo-{i}"), requests.clone(), limits.clone()))
            .collect();
        json!({"metadata": {"name": name, "namespace": "test"}, "spec": {"containers": containers}})
    }

    fn with_init(mut pod: Value, inits: &[(Value, Value)]) -> Value {
        let list: Vec<Value> = inits
            .iter()
            .enumerate()
            .map(|(i, (r, l))| container(&format!("foo-{i}"), r.clone(), l.clone()))
            .collect();
        pod["spec"]["initContainers"] = Value::Array(list);
        pod
    }

    fn limit_range(items: Vec<Value>) -> Value {
        json!({"metadata": {"name": "abc", "namespace": "test"}, "spec": {"limits": items}})
    }

    /// upstream's createLimitRange.
    fn create_limit_range(kind: &str, min: Value, max: Value, ratio: Value) -> Value {
        limit_range(vec![
            json!({"type": kind, "min": min, "max": max, "maxLimitRequestRatio": ratio}),
        ])
    }

    fn valid_limit_range() -> Value {
        limit_range(vec![
            json!({"type": "Pod", "max": cpu_mem("200m", "4Gi"), "min": cpu_mem("50m", "2Mi")}),
            json!({"type": "Container", "max": cpu_mem("100m", "2Gi"), "min": cpu_mem("25m", "1Mi"),
                   "default": cpu_mem("75m", "10Mi"), "defaultRequest": cpu_mem("50m", "5Mi")}),
        ])
    }

    fn empty() -> Value {
        json!({})
    }

    #[test]
    fn limit_ranger_defaults_and_annotates() {
        let lr = valid_limit_range();
        let mut pod = valid_pod("empty-resources", 1, empty(), empty());
        let out = limit_ranger_admit_pod(&mut pod, std::slice::from_ref(&lr));
        let expected = "LimitRanger plugin set: cpu, memory request for container foo-0; cpu, memory limit for container foo-0";
        assert_eq!(out.annotation.as_deref(), Some(expected));
        assert_eq!(
            pod["metadata"]["annotations"]["kubernetes.io/limit-ranger"],
            expected
        );
        let res = &pod["spec"]["containers"][0]["resources"];
        assert_eq!(res["requests"], cpu_mem("50m", "5Mi"));
        assert_eq!(res["limits"], cpu_mem("75m", "10Mi"));
        assert!(out.errors.is_empty(), "{:?}", out.errors);

        // Only missing values are filled, in init containers too.
        let input = (cpu_mem("", "512Mi"), empty());
        let mut pod = with_init(
            valid_pod("limit-memory", 1, input.0.clone(), input.1.clone()),
            &[input],
        );
        let a = limit_ranger_default_pod(&mut pod, std::slice::from_ref(&lr));
        assert_eq!(
            a.as_deref(),
            Some(
                "LimitRanger plugin set: cpu request for container foo-0; cpu, memory limit for container foo-0; cpu request for init container foo-0; cpu, memory limit for init container foo-0"
            )
        );
        for field in ["containers", "initContainers"] {
            let res = &pod["spec"][field][0]["resources"];
            assert_eq!(res["requests"], cpu_mem("50m", "512Mi"));
            assert_eq!(res["limits"], cpu_mem("75m", "10Mi"));
        }

        // Nothing to default: no annotation.
        let mut pod = with_init(
            valid_pod("all", 1, cpu_mem("100m", "512Mi"), cpu_mem("200m", "1G")),
            &[(cpu_mem("200m", "1G"), cpu_mem("400m", "2G"))],
        );
        assert_eq!(limit_ranger_default_pod(&mut pod, &[lr]), None);
        assert!(pod["metadata"].get("annotations").is_none());
    }

    #[test]
    fn limit_ranger_pod_success_cases() {
        let none = empty;
        let cases = vec![
            (
                valid_pod("ctr-min-cpu-request", 1, cpu_mem("100m", ""), none()),
                create_limit_range("Container", cpu_mem("50m", ""), none(), none()),
            ),
            (
                valid_pod(
                    "ctr-min-cpu-request-limit",
                    1,
                    cpu_mem("100m", ""),
                    cpu_mem("200m", ""),
                ),
                create_limit_range("Container", cpu_mem("50m", ""), none(), none()),
            ),
            (
                valid_pod(
                    "ctr-min-memory-request-limit",
                    1,
                    cpu_mem("", "60Mi"),
                    cpu_mem("", "100Mi"),
                ),
                create_limit_range("Container", cpu_mem("", "50Mi"), none(), none()),
            ),
            (
                valid_pod(
                    "ctr-max-cpu-request-limit",
                    1,
                    cpu_mem("500m", ""),
                    cpu_mem("1", ""),
                ),
                create_limit_range("Container", none(), cpu_mem("2", ""), none()),
            ),
            (
                valid_pod("ctr-max-cpu-limit", 1, none(), cpu_mem("1", "")),
                create_limit_range("Container", none(), cpu_mem("2", ""), none()),
            ),
            (
                valid_pod(
                    "ctr-max-cpu-ratio",
                    1,
                    cpu_mem("500m", ""),
                    cpu_mem("750m", ""),
                ),
                create_limit_range("Container", none(), none(), cpu_mem("1.5", "")),
            ),
            (
                valid_pod("pod-min-cpu-request", 2, cpu_mem("75m", ""), none()),
                create_limit_range("Pod", cpu_mem("100m", ""), none(), none()),
            ),
            (
                with_init(
                    valid_pod(
                        "pod-init-min-memory-request",
                        2,
                        cpu_mem("", "60Mi"),
                        none(),
                    ),
                    &[(cpu_mem("", "100Mi"), none())],
                ),
                create_limit_range("Pod", cpu_mem("", "100Mi"), none(), none()),
            ),
            (
                valid_pod(
                    "pod-max-cpu-request-limit",
                    2,
                    cpu_mem("500m", ""),
                    cpu_mem("1", ""),
                ),
                create_limit_range("Pod", none(), cpu_mem("2", ""), none()),
            ),
            (
                with_init(
                    valid_pod(
                        "pod-init-max-cpu-request-limit",
                        2,
                        cpu_mem("500m", ""),
                        cpu_mem("1", ""),
                    ),
                    &[
                        (cpu_mem("1", ""), cpu_mem("2", "")),
                        (cpu_mem("1", ""), cpu_mem("1", "")),
                    ],
                ),
                create_limit_range("Pod", none(), cpu_mem("2", ""), none()),
            ),
            (
                valid_pod(
                    "pod-max-mem-ratio",
                    3,
                    cpu_mem("", "300Mi"),
                    cpu_mem("", "450Mi"),
                ),
                create_limit_range("Pod", none(), cpu_mem("", "2Gi"), cpu_mem("", "1.5")),
            ),
        ];
        for (pod, lr) in cases {
            let errs = limit_ranger_validate_pod(&pod, &[lr]);
            assert!(errs.is_empty(), "{}: {errs:?}", pod["metadata"]["name"]);
        }
    }

    #[test]
    fn limit_ranger_pod_error_messages() {
        let none = empty;
        let cases = vec![
            (
                valid_pod("ctr-min-cpu-request", 1, cpu_mem("40m", ""), none()),
                create_limit_range("Container", cpu_mem("50m", ""), none(), none()),
                "minimum cpu usage per Container is 50m, but request is 40m",
            ),
            (
                valid_pod("ctr-min-cpu-no-request-limit", 1, none(), none()),
                create_limit_range("Container", cpu_mem("50m", ""), none(), none()),
                "minimum cpu usage per Container is 50m.  No request is specified",
            ),
            (
                valid_pod(
                    "ctr-min-memory-limit",
                    1,
                    cpu_mem("", "60Mi"),
                    cpu_mem("", "40Mi"),
                ),
                create_limit_range("Container", cpu_mem("", "50Mi"), none(), none()),
                "minimum memory usage per Container is 50Mi, but limit is 40Mi",
            ),
            (
                valid_pod(
                    "ctr-max-cpu-request-limit",
                    1,
                    cpu_mem("500m", ""),
                    cpu_mem("2500m", ""),
                ),
                create_limit_range("Container", none(), cpu_mem("2", ""), none()),
                "maximum cpu usage per Container is 2, but limit is 2500m",
            ),
            (
                valid_pod("ctr-max-cpu-no-request-limit", 1, none(), none()),
                create_limit_range("Container", none(), cpu_mem("2", ""), none()),
                "maximum cpu usage per Container is 2.  No limit is specified",
            ),
            (
                valid_pod(
                    "ctr-max-cpu-ratio",
                    1,
                    cpu_mem("1250m", ""),
                    cpu_mem("2500m", ""),
                ),
                create_limit_range("Container", none(), none(), cpu_mem("1", "")),
                "cpu max limit to request ratio per Container is 1, but provided ratio is 2.000000",
            ),
            (
                valid_pod("ctr-ratio-no-request", 1, none(), cpu_mem("1", "")),
                create_limit_range("Container", none(), none(), cpu_mem("1", "")),
                "cpu max limit to request ratio per Container is 1, but no request is specified or request is 0",
            ),
            (
                valid_pod("ctr-max-mem-limit", 1, none(), cpu_mem("", "2Gi")),
                create_limit_range("Container", none(), cpu_mem("", "1Gi"), none()),
                "maximum memory usage per Container is 1Gi, but limit is 2Gi",
            ),
            (
                valid_pod("pod-min-cpu-request", 1, cpu_mem("75m", ""), none()),
                create_limit_range("Pod", cpu_mem("100m", ""), none(), none()),
                "minimum cpu usage per Pod is 100m, but request is 75m",
            ),
            (
                valid_pod(
                    "pod-max-cpu-request-limit",
                    3,
                    cpu_mem("500m", ""),
                    cpu_mem("1", ""),
                ),
                create_limit_range("Pod", none(), cpu_mem("2", ""), none()),
                "maximum cpu usage per Pod is 2, but limit is 3",
            ),
            (
                valid_pod("pod-max-mem-limit", 3, none(), cpu_mem("", "500Mi")),
                create_limit_range("Pod", none(), cpu_mem("", "1Gi"), none()),
                "maximum memory usage per Pod is 1Gi, but limit is 1500Mi",
            ),
            (
                with_init(
                    valid_pod("pod-init-max-mem-limit", 1, none(), cpu_mem("", "500Mi")),
                    &[(none(), cpu_mem("", "1.5Gi"))],
                ),
                create_limit_range("Pod", none(), cpu_mem("", "1Gi"), none()),
                "maximum memory usage per Pod is 1Gi, but limit is 1536Mi",
            ),
            (
                valid_pod(
                    "pod-max-mem-ratio",
                    3,
                    cpu_mem("", "250Mi"),
                    cpu_mem("", "500Mi"),
                ),
                create_limit_range("Pod", none(), cpu_mem("", "2Gi"), cpu_mem("", "1.5")),
                "memory max limit to request ratio per Pod is 1500m, but provided ratio is 2.000000",
            ),
        ];
        for (pod, lr, msg) in cases {
            let errs = limit_ranger_validate_pod(&pod, &[lr]);
            assert_eq!(errs, vec![msg.to_string()], "{}", pod["metadata"]["name"]);
        }
    }

    #[test]
    fn limit_ranger_sidecars_add_up_and_errors_aggregate() {
        // A restartable init container runs alongside the containers: 1 + 1 > 1.5.
        let mut pod = valid_pod("sidecar", 1, cpu_mem("1", ""), cpu_mem("1", ""));
        pod["spec"]["initContainers"] = json!([{
            "name": "proxy", "restartPolicy": "Always",
            "resources": {"requests": {"cpu": "1"}, "limits": {"cpu": "1"}}
        }]);
        let lr = create_limit_range("Pod", empty(), cpu_mem("1500m", "1Gi"), empty());
        let out = limit_ranger_admit_pod(&mut pod, &[lr]);
        assert_eq!(
            out.errors,
            vec![
                "maximum cpu usage per Pod is 1500m, but limit is 2".to_string(),
                "maximum memory usage per Pod is 1Gi.  No limit is specified".to_string(),
            ]
        );
        assert_eq!(
            out.message().as_deref(),
            Some(
                "[maximum cpu usage per Pod is 1500m, but limit is 2, maximum memory usage per Pod is 1Gi.  No limit is specified]"
            )
        );
        assert_eq!(aggregate_message(&["a".into(), "a".into()]), "a");
    }

    #[test]
    fn limit_ranger_pvc() {
        let pvc = |storage: &str| json!({"metadata": {"name": "claim"}, "spec": {"resources": {"requests": {"storage": storage}}}});
        let lr =
            |min: Value, max: Value| create_limit_range("PersistentVolumeClaim", min, max, empty());
        let s = |v: &str| rl(&[("storage", v)]);
        assert!(limit_ranger_validate_pvc(&pvc("1Gi"), &[lr(s("1Gi"), empty())]).is_empty());
        assert!(limit_ranger_validate_pvc(&pvc("1Gi"), &[lr(empty(), s("1Gi"))]).is_empty());
        assert!(limit_ranger_validate_pvc(&pvc("5Gi"), &[lr(s("1Gi"), s("10Gi"))]).is_empty());
        assert_eq!(
            limit_ranger_validate_pvc(&pvc("500Mi"), &[lr(s("1Gi"), empty())]),
            vec!["minimum storage usage per PersistentVolumeClaim is 1Gi, but request is 500Mi"]
        );
        assert_eq!(
            limit_ranger_validate_pvc(&pvc("2Gi"), &[lr(empty(), s("1Gi"))]),
            vec!["maximum storage usage per PersistentVolumeClaim is 1Gi, but request is 2Gi"]
        );
        let no_request = json!({"spec": {"resources": {}}});
        assert_eq!(
            limit_ranger_validate_pvc(&no_request, &[lr(s("1Gi"), empty())]),
            vec![
                "minimum storage usage per PersistentVolumeClaim is 1Gi.  No request is specified"
            ]
        );
        // Container items do not apply to claims.
        let ctr = create_limit_range("Container", empty(), cpu_mem("", "1Mi"), empty());
        assert!(limit_ranger_validate_pvc(&pvc("5Gi"), &[ctr]).is_empty());
    }

    // -----------------------------------------------------------------------------------------
    // ResourceQuota

    fn now() -> jiff::Timestamp {
        "2025-01-01T00:00:00Z".parse().expect("timestamp")
    }

    fn quota(name: &str, hard: Value, used: Value) -> Value {
        json!({"metadata": {"name": name, "namespace": "test", "resourceVersion": "124"},
               "spec": {"hard": hard.clone()},
               "status": {"hard": hard, "used": used}})
    }

    fn admit(
        resource: &str,
        obj: &Value,
        old: Option<&Value>,
        quotas: &[Value],
    ) -> Result<Vec<(String, Value)>, String> {
        quota_admit_at("", resource, "", obj, old, quotas, now())
    }

    #[test]
    fn quota_below_limit_updates_usage() {
        let q = quota(
            "quota",
            rl(&[("cpu", "3"), ("memory", "100Gi"), ("pods", "5")]),
            rl(&[("cpu", "1"), ("memory", "50Gi"), ("pods", "3")]),
        );
        let pod = valid_pod("allowed-pod", 1, cpu_mem("100m", "2Gi"), empty());
        let out = admit("pods", &pod, None, &[q]).expect("admitted");
        assert_eq!(
            out,
            vec![(
                "quota".to_string(),
                rl(&[("cpu", "1100m"), ("memory", "52Gi"), ("pods", "4")])
            )]
        );
    }

    #[test]
    fn quota_exceeded_message() {
        let q = quota(
            "quota",
            rl(&[("cpu", "3"), ("memory", "100Gi"), ("pods", "5")]),
            rl(&[("cpu", "1"), ("memory", "50Gi"), ("pods", "3")]),
        );
        let pod = valid_pod("not-allowed-pod", 1, cpu_mem("3", "2Gi"), empty());
        assert_eq!(
            admit("pods", &pod, None, std::slice::from_ref(&q)),
            Err("exceeded quota: quota, requested: cpu=3, used: cpu=1, limited: cpu=3".into())
        );
        let q = quota("quota", rl(&[("pods", "2")]), rl(&[("pods", "2")]));
        let pod = valid_pod("p", 1, empty(), empty());
        assert_eq!(
            admit("pods", &pod, None, &[q]),
            Err("exceeded quota: quota, requested: pods=1, used: pods=2, limited: pods=2".into())
        );
    }

    #[test]
    fn quota_enforces_constraints() {
        let q = quota(
            "quota",
            rl(&[
                ("cpu", "3"),
                ("memory", "100Gi"),
                ("limits.memory", "200Gi"),
                ("pods", "5"),
            ]),
            rl(&[
                ("cpu", "1"),
                ("memory", "50Gi"),
                ("limits.memory", "100Gi"),
                ("pods", "3"),
            ]),
        );
        let pod = json!({"metadata": {"name": "p"}, "spec": {"containers": [
            container("nginx", cpu_mem("100m", "2Gi"), cpu_mem("200m", ""))
        ]}});
        assert_eq!(
            admit("pods", &pod, None, &[q]),
            Err("failed quota: quota: must specify limits.memory for: nginx".into())
        );

        let q = quota(
            "compute",
            rl(&[("requests.cpu", "1"), ("limits.cpu", "2")]),
            rl(&[("requests.cpu", "0"), ("limits.cpu", "0")]),
        );
        let pod = json!({"metadata": {"name": "p"}, "spec": {
            "initContainers": [{"name": "init-html"}],
            "containers": [{"name": "nginx"}]}});
        assert_eq!(
            admit("pods", &pod, None, &[q]),
            Err("failed quota: compute: must specify limits.cpu for: init-html,nginx; requests.cpu for: init-html,nginx".into())
        );
    }

    #[test]
    fn quota_ignores_other_namespaces_resources_and_status_unknown() {
        let pod = valid_pod("p", 1, cpu_mem("100m", "2Gi"), empty());
        // A quota on services only does not match pods.
        let q = quota("svc", rl(&[("services", "1")]), rl(&[("services", "1")]));
        assert_eq!(admit("pods", &pod, None, &[q]), Ok(vec![]));
        // A matching quota whose usage was not calculated yet rejects.
        let q = json!({"metadata": {"name": "fresh"},
                       "status": {"hard": {"pods": "5", "memory": "1Gi"}}});
        assert_eq!(
            admit("pods", &pod, None, &[q]),
            Err("status unknown for quota: fresh, resources: memory,pods".into())
        );
        // A quota without status.hard is not enforced yet.
        let q = json!({"metadata": {"name": "new"}, "spec": {"hard": {"pods": "0"}}});
        assert_eq!(admit("pods", &pod, None, &[q]), Ok(vec![]));
        // Ignored resources are never charged.
        let q = quota(
            "ev",
            rl(&[("count/events", "0")]),
            rl(&[("count/events", "0")]),
        );
        assert_eq!(
            quota_admit_at("", "events", "", &json!({}), None, &[q], now()),
            Ok(vec![])
        );
    }

    #[test]
    fn quota_terminating_and_best_effort_scopes() {
        let scoped = |name: &str, scope: &str| {
            let mut q = quota(name, rl(&[("pods", "5")]), rl(&[("pods", "3")]));
            q["spec"]["scopes"] = json!([scope]);
            q
        };
        let quotas = vec![
            scoped("quota-terminating", "Terminating"),
            scoped("quota-not-terminating", "NotTerminating"),
        ];
        let mut pod = valid_pod(
            "allowed-pod",
            1,
            cpu_mem("100m", "2Gi"),
            cpu_mem("200m", "3Gi"),
        );
        pod["spec"]["activeDeadlineSeconds"] = json!(60);
        assert_eq!(
            admit("pods", &pod, None, &quotas),
            Ok(vec![("quota-terminating".into(), rl(&[("pods", "4")]))])
        );

        let quotas = vec![
            scoped("quota-besteffort", "BestEffort"),
            scoped("quota-not-besteffort", "NotBestEffort"),
        ];
        let best_effort = valid_pod("be", 1, empty(), empty());
        assert_eq!(
            admit("pods", &best_effort, None, &quotas),
            Ok(vec![("quota-besteffort".into(), rl(&[("pods", "4")]))])
        );
        let burstable = valid_pod("b", 1, cpu_mem("100m", ""), empty());
        assert_eq!(
            admit("pods", &burstable, None, &quotas),
            Ok(vec![("quota-not-besteffort".into(), rl(&[("pods", "4")]))])
        );
        // A best-effort scoped quota with compute resources does not require them from a
        // burstable pod it does not match.
        let mut q = quota(
            "be-cpu",
            rl(&[("pods", "5"), ("cpu", "1")]),
            rl(&[("pods", "0"), ("cpu", "0")]),
        );
        q["spec"]["scopes"] = json!(["BestEffort"]);
        assert_eq!(admit("pods", &burstable, None, &[q]), Ok(vec![]));
    }

    #[test]
    fn quota_priority_class_scope_selector() {
        let selector = |op: &str, values: &[&str]| {
            let mut q = quota("pc", rl(&[("pods", "5")]), rl(&[("pods", "0")]));
            q["spec"]["scopeSelector"] = json!({"matchExpressions": [
                {"scopeName": "PriorityClass", "operator": op, "values": values}
            ]});
            q
        };
        let mut high = valid_pod("p", 1, empty(), empty());
        high["spec"]["priorityClassName"] = json!("high");
        let plain = valid_pod("p", 1, empty(), empty());
        let one = || Ok(vec![("pc".to_string(), rl(&[("pods", "1")]))]);
        assert_eq!(
            admit("pods", &high, None, &[selector("In", &["high", "low"])]),
            one()
        );
        assert_eq!(
            admit("pods", &plain, None, &[selector("In", &["high"])]),
            Ok(vec![])
        );
        assert_eq!(
            admit("pods", &high, None, &[selector("NotIn", &["high"])]),
            Ok(vec![])
        );
        assert_eq!(
            admit("pods", &plain, None, &[selector("NotIn", &["high"])]),
            one()
        );
        assert_eq!(
            admit("pods", &high, None, &[selector("Exists", &[])]),
            one()
        );
        assert_eq!(
            admit("pods", &plain, None, &[selector("DoesNotExist", &[])]),
            one()
        );
        assert_eq!(
            quota_usage_at("", "pods", &plain, &selector("Exists", &[]), now()),
            None
        );
    }

    #[test]
    fn quota_cross_namespace_affinity_scope() {
        let mut q = quota("x", rl(&[("pods", "5")]), rl(&[("pods", "0")]));
        q["spec"]["scopes"] = json!(["CrossNamespacePodAffinity"]);
        let mut pod = valid_pod("p", 1, empty(), empty());
        assert_eq!(quota_usage_at("", "pods", &pod, &q, now()), None);
        pod["spec"]["affinity"] = json!({"podAntiAffinity": {
        "preferredDuringSchedulingIgnoredDuringExecution": [
            {"weight": 1, "podAffinityTerm": {"topologyKey": "zone", "namespaceSelector": {}}}
        ]}});
        assert_eq!(
            quota_usage_at("", "pods", &pod, &q, now()),
            Some(BTreeMap::from([("pods".to_string(), q_int(1))]))
        );
    }

    #[test]
    fn quota_pod_usage_names() {
        let hard = rl(&[
            ("count/pods", "9"),
            ("pods", "9"),
            ("cpu", "9"),
            ("requests.cpu", "9"),
            ("limits.cpu", "9"),
            ("memory", "9Gi"),
            ("limits.memory", "9Gi"),
            ("hugepages-2Mi", "1Gi"),
            ("requests.hugepages-2Mi", "1Gi"),
            ("requests.example.com/gpu", "4"),
            ("requests.ephemeral-storage", "9Gi"),
        ]);
        let q = quota("q", hard, empty());
        let pod = json!({"metadata": {"name": "p"}, "spec": {
            "overhead": {"cpu": "250m", "memory": "120Mi"},
            "containers": [{"name": "c", "resources": {
                "requests": {"cpu": "1", "memory": "1Gi", "hugepages-2Mi": "4Mi", "example.com/gpu": "2"},
                "limits": {"cpu": "2", "hugepages-2Mi": "4Mi", "example.com/gpu": "2"}}}]}});
        let usage = quota_usage_at("", "pods", &pod, &q, now()).expect("matches");
        let shown: BTreeMap<String, String> = usage
            .iter()
            .map(|(k, v)| (k.clone(), v.canonical()))
            .collect();
        let expected: BTreeMap<String, String> = [
            ("count/pods", "1"),
            ("pods", "1"),
            ("cpu", "1250m"),
            ("requests.cpu", "1250m"),
            ("limits.cpu", "2250m"),
            ("memory", "1144Mi"),
            ("hugepages-2Mi", "4Mi"),
            ("requests.hugepages-2Mi", "4Mi"),
            ("requests.example.com/gpu", "2"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        assert_eq!(shown, expected);

        // Terminal pods only count as objects.
        let mut done = pod.clone();
        done["status"] = json!({"phase": "Succeeded"});
        let usage = quota_usage_at("", "pods", &done, &q, now()).expect("matches");
        assert_eq!(
            usage,
            BTreeMap::from([("count/pods".to_string(), q_int(1))])
        );
        // So do pods past their deletion grace period.
        let mut gone = pod.clone();
        gone["metadata"]["deletionTimestamp"] = json!("2024-12-31T23:00:00Z");
        gone["metadata"]["deletionGracePeriodSeconds"] = json!(30);
        let usage = quota_usage_at("", "pods", &gone, &q, now()).expect("matches");
        assert_eq!(usage.len(), 1);
    }

    #[test]
    fn quota_pod_updates_count_only_scope_changes_and_resizes() {
        let q = quota(
            "q",
            rl(&[("pods", "5"), ("cpu", "4")]),
            rl(&[("pods", "1"), ("cpu", "1")]),
        );
        let mut old = valid_pod("p", 1, cpu_mem("1", ""), empty());
        old["metadata"]["resourceVersion"] = json!("7");
        let bigger = valid_pod("p", 1, cpu_mem("2", ""), empty());
        assert_eq!(
            admit("pods", &bigger, Some(&old), std::slice::from_ref(&q)),
            Ok(vec![])
        );
        assert_eq!(
            quota_admit_at(
                "",
                "pods",
                "resize",
                &bigger,
                Some(&old),
                std::slice::from_ref(&q),
                now()
            ),
            Ok(vec![("q".into(), rl(&[("cpu", "2"), ("pods", "1")]))])
        );
        assert_eq!(
            quota_admit_at("", "pods", "status", &bigger, Some(&old), &[q], now()),
            Ok(vec![])
        );
    }

    #[test]
    fn quota_service_updates() {
        let hard = rl(&[
            ("services", "10"),
            ("services.loadbalancers", "10"),
            ("services.nodeports", "10"),
        ]);
        let used = rl(&[
            ("services", "1"),
            ("services.loadbalancers", "1"),
            ("services.nodeports", "0"),
        ]);
        let q = quota("quota", hard, used);
        let new = json!({"metadata": {"name": "service"}, "spec": {"type": "NodePort", "ports": [{"port": 1234}]}});
        // Old object existed (has a resourceVersion): only increases count.
        let old = json!({"metadata": {"name": "service", "resourceVersion": "1"}, "spec": {"type": "LoadBalancer"}});
        assert_eq!(
            admit("services", &new, Some(&old), std::slice::from_ref(&q)),
            Ok(vec![(
                "quota".into(),
                rl(&[
                    ("services", "1"),
                    ("services.loadbalancers", "1"),
                    ("services.nodeports", "1")
                ])
            )])
        );
        // An update without a stored old object is billed as a create.
        let old = json!({"metadata": {"name": "service", "resourceVersion": ""}, "spec": {"type": "LoadBalancer"}});
        assert_eq!(
            admit("services", &new, Some(&old), std::slice::from_ref(&q)),
            Ok(vec![(
                "quota".into(),
                rl(&[
                    ("services", "2"),
                    ("services.loadbalancers", "1"),
                    ("services.nodeports", "1")
                ])
            )])
        );
        // LoadBalancer without node port allocation counts only explicit node ports.
        let lb = json!({"spec": {"type": "LoadBalancer", "allocateLoadBalancerNodePorts": false,
                                  "ports": [{"port": 80, "nodePort": 30080}, {"port": 443}]}});
        let usage = quota_usage_at("", "services", &lb, &q, now()).expect("matches");
        assert_eq!(usage["services.nodeports"], q_int(1));
        assert_eq!(usage["services.loadbalancers"], q_int(1));
    }

    #[test]
    fn quota_pvc_updates_and_storage_classes() {
        let q = quota(
            "quota",
            rl(&[
                ("persistentvolumeclaims", "3"),
                ("requests.storage", "100Gi"),
            ]),
            rl(&[
                ("persistentvolumeclaims", "1"),
                ("requests.storage", "10Gi"),
            ]),
        );
        let pvc = |s: &str, rv: &str| {
            json!({"metadata": {"name": "pvc-to-update", "resourceVersion": rv},
                   "spec": {"resources": {"requests": {"storage": s}}}})
        };
        let old = pvc("10Gi", "1");
        assert_eq!(
            admit(
                "persistentvolumeclaims",
                &pvc("5Gi", ""),
                Some(&old),
                std::slice::from_ref(&q)
            ),
            Ok(vec![])
        );
        assert_eq!(
            admit(
                "persistentvolumeclaims",
                &pvc("15Gi", ""),
                Some(&old),
                std::slice::from_ref(&q)
            ),
            Ok(vec![(
                "quota".into(),
                rl(&[
                    ("persistentvolumeclaims", "1"),
                    ("requests.storage", "15Gi")
                ])
            )])
        );

        let q = quota(
            "gold",
            rl(&[
                ("gold.storageclass.storage.k8s.io/requests.storage", "10Gi"),
                (
                    "gold.storageclass.storage.k8s.io/persistentvolumeclaims",
                    "1",
                ),
            ]),
            rl(&[
                ("gold.storageclass.storage.k8s.io/requests.storage", "0"),
                (
                    "gold.storageclass.storage.k8s.io/persistentvolumeclaims",
                    "1",
                ),
            ]),
        );
        let mut claim = pvc("1Gi", "");
        claim["spec"]["storageClassName"] = json!("gold");
        assert_eq!(
            admit("persistentvolumeclaims", &claim, None, std::slice::from_ref(&q)),
            Err("exceeded quota: gold, requested: gold.storageclass.storage.k8s.io/persistentvolumeclaims=1, used: gold.storageclass.storage.k8s.io/persistentvolumeclaims=1, limited: gold.storageclass.storage.k8s.io/persistentvolumeclaims=1".into())
        );
        claim["spec"]["storageClassName"] = json!("silver");
        assert_eq!(
            admit("persistentvolumeclaims", &claim, None, &[q]),
            Ok(vec![])
        );

        // Fractional byte requests are charged as whole bytes.
        let q = quota(
            "b",
            rl(&[("requests.storage", "10")]),
            rl(&[("requests.storage", "0")]),
        );
        let usage = quota_usage_at("", "persistentvolumeclaims", &pvc("1500m", ""), &q, now());
        assert_eq!(usage.expect("matches")["requests.storage"].canonical(), "2");
    }

    #[test]
    fn quota_object_counts() {
        let q = quota(
            "counts",
            rl(&[
                ("configmaps", "2"),
                ("count/configmaps", "2"),
                ("count/deployments.apps", "1"),
            ]),
            rl(&[
                ("configmaps", "1"),
                ("count/configmaps", "1"),
                ("count/deployments.apps", "1"),
            ]),
        );
        let cm = json!({"metadata": {"name": "cm"}});
        assert_eq!(
            admit("configmaps", &cm, None, std::slice::from_ref(&q)),
            Ok(vec![(
                "counts".into(),
                rl(&[
                    ("configmaps", "2"),
                    ("count/configmaps", "2"),
                    ("count/deployments.apps", "1")
                ])
            )])
        );
        // Updates never change an object count.
        assert_eq!(
            admit("configmaps", &cm, Some(&cm), std::slice::from_ref(&q)),
            Ok(vec![])
        );
        assert_eq!(
            quota_admit_at("apps", "deployments", "", &json!({}), None, std::slice::from_ref(&q), now()),
            Err("exceeded quota: counts, requested: count/deployments.apps=1, used: count/deployments.apps=1, limited: count/deployments.apps=1".into())
        );
        // Scoped quotas never match non-pod objects.
        let mut scoped = q.clone();
        scoped["spec"]["scopes"] = json!(["NotTerminating"]);
        assert_eq!(admit("configmaps", &cm, None, &[scoped]), Ok(vec![]));
    }

    #[test]
    fn quota_recalculates_namespace_usage() {
        let mut q = json!({"metadata": {"name": "q"}, "spec": {"hard": {
            "pods": "10", "count/pods": "10", "memory": "10Gi", "requests.cpu": "4",
            "services": "5", "services.loadbalancers": "2", "count/deployments.apps": "3",
            "secrets": "9", "requests.nonnative": "1"
        }}, "status": {"used": {"requests.nonnative": "1", "gone": "3"}}});
        let pod = |name: &str, phase: &str| {
            let mut p = valid_pod(name, 1, cpu_mem("500m", "512Mi"), empty());
            p["status"] = json!({"phase": phase});
            p
        };
        let objects = vec![
            ("".to_string(), "pods".to_string(), pod("a", "Running")),
            ("".to_string(), "pods".to_string(), pod("b", "Pending")),
            ("".to_string(), "pods".to_string(), pod("c", "Failed")),
            (
                "".to_string(),
                "services".to_string(),
                json!({"spec": {"type": "LoadBalancer", "ports": []}}),
            ),
            ("apps".to_string(), "deployments".to_string(), json!({})),
            ("".to_string(), "configmaps".to_string(), json!({})),
        ];
        let used = quota_recalculate_at(&q, &objects, now());
        let shown: BTreeMap<String, String> = used
            .iter()
            .map(|(k, v)| (k.clone(), v.canonical()))
            .collect();
        let expected: BTreeMap<String, String> = [
            ("pods", "2"),
            ("count/pods", "3"),
            ("memory", "1Gi"),
            ("requests.cpu", "1"),
            ("services", "1"),
            ("services.loadbalancers", "1"),
            ("count/deployments.apps", "1"),
            ("secrets", "0"),
            ("requests.nonnative", "1"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        assert_eq!(shown, expected);

        // With a scope, only matching pods count and other objects count nothing.
        q["spec"]["scopes"] = json!(["NotBestEffort"]);
        let mut objects = objects;
        objects.push((
            "".into(),
            "pods".into(),
            valid_pod("be", 1, empty(), empty()),
        ));
        let used = quota_recalculate_at(&q, &objects, now());
        assert_eq!(used["pods"].canonical(), "2");
        assert_eq!(used["count/pods"].canonical(), "3");
        assert_eq!(used["services"].canonical(), "0");
        assert_eq!(used["count/deployments.apps"].canonical(), "0");

        let status = quota_status(&q, &[]);
        assert_eq!(status["hard"]["memory"], "10Gi");
        assert_eq!(status["used"]["memory"], "0");
    }

    // -----------------------------------------------------------------------------------------
    // Priority

    fn priority_class(name: &str, value: i64, global_default: bool, policy: Option<&str>) -> Value {
        let mut pc =
            json!({"metadata": {"name": name}, "value": value, "globalDefault": global_default});
        if let Some(p) = policy {
            pc["preemptionPolicy"] = json!(p);
        }
        pc
    }

    fn pod_with_class(class: &str) -> Value {
        let mut p = valid_pod("p", 1, empty(), empty());
        if !class.is_empty() {
            p["spec"]["priorityClassName"] = json!(class);
        }
        p
    }

    #[test]
    fn priority_resolution() {
        let mut classes = builtin_priority_classes();
        classes.push(priority_class("default1", 1000, true, None));
        classes.push(priority_class(
            "default2",
            500,
            true,
            Some("PreemptLowerPriority"),
        ));
        classes.push(priority_class("nopreempt", 700, false, Some("Never")));

        // No class, no default: priority 0 and the default preemption policy.
        let mut p = pod_with_class("");
        priority_admit_pod(&mut p, &[]).expect("admitted");
        assert_eq!(p["spec"]["priority"], 0);
        assert_eq!(p["spec"]["preemptionPolicy"], "PreemptLowerPriority");
        assert!(p["spec"].get("priorityClassName").is_none());

        // With several global defaults the lowest value wins.
        let mut p = pod_with_class("");
        priority_admit_pod(&mut p, &classes).expect("admitted");
        assert_eq!(p["spec"]["priorityClassName"], "default2");
        assert_eq!(p["spec"]["priority"], 500);

        let mut p = pod_with_class("system-node-critical");
        priority_admit_pod(&mut p, &classes).expect("admitted");
        assert_eq!(p["spec"]["priority"], 2_000_001_000);
        let mut p = pod_with_class("system-cluster-critical");
        priority_admit_pod(&mut p, &classes).expect("admitted");
        assert_eq!(p["spec"]["priority"], 2_000_000_000);

        let mut p = pod_with_class("nopreempt");
        priority_admit_pod(&mut p, &classes).expect("admitted");
        assert_eq!(p["spec"]["preemptionPolicy"], "Never");

        let mut p = pod_with_class("foo");
        assert_eq!(
            priority_admit_pod(&mut p, &classes),
            Err("no PriorityClass with name foo was found".into())
        );

        let mut p = pod_with_class("default1");
        p["spec"]["priority"] = json!(2000);
        assert_eq!(
            priority_admit_pod(&mut p, &classes),
            Err("the integer value of priority (2000) must not be provided in pod spec; priority admission controller computed 1000 from the given PriorityClass name".into())
        );
        let mut p = pod_with_class("default1");
        p["spec"]["priority"] = json!(1000);
        assert_eq!(priority_admit_pod(&mut p, &classes), Ok(()));

        let mut p = pod_with_class("nopreempt");
        p["spec"]["preemptionPolicy"] = json!("PreemptLowerPriority");
        assert_eq!(
            priority_admit_pod(&mut p, &classes),
            Err("the string value of PreemptionPolicy (PreemptLowerPriority) must not be provided in pod spec; priority admission controller computed Never from the given PriorityClass name".into())
        );
    }

    #[test]
    fn priority_builtins_updates_and_class_validation() {
        let b = builtin_priority_classes();
        assert_eq!(b[0]["metadata"]["name"], "system-node-critical");
        assert_eq!(b[0]["value"], 2_000_001_000);
        assert_eq!(
            b[1]["description"],
            "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary."
        );

        let old = json!({"spec": {"priority": 10, "preemptionPolicy": "Never"}});
        let mut new = json!({"spec": {}});
        priority_admit_pod_update(&mut new, &old);
        assert_eq!(new["spec"], old["spec"]);

        let existing = vec![priority_class("d", 1, true, None)];
        let second = priority_class("e", 2, true, None);
        assert_eq!(
            priority_validate_class(&second, &existing, false),
            Err("PriorityClass d is already marked as default. Only one default can exist".into())
        );
        assert_eq!(
            priority_validate_class(&existing[0], &existing, true),
            Ok(())
        );
        assert_eq!(
            priority_validate_class(&priority_class("x", 1, false, None), &existing, false),
            Ok(())
        );
    }

    // -----------------------------------------------------------------------------------------
    // DefaultTolerationSeconds, TaintNodesByCondition, DefaultStorageClass

    #[test]
    fn toleration_seconds_defaults() {
        let not_ready = json!({"key": "node.kubernetes.io/not-ready", "operator": "Exists",
                               "effect": "NoExecute", "tolerationSeconds": 300});
        let unreachable = json!({"key": "node.kubernetes.io/unreachable", "operator": "Exists",
                                 "effect": "NoExecute", "tolerationSeconds": 300});
        let mut p = json!({"spec": {}});
        default_toleration_seconds(&mut p);
        assert_eq!(p["spec"]["tolerations"], json!([not_ready, unreachable]));

        // An existing toleration for one taint is kept and only the other is added.
        let own = json!({"key": "node.kubernetes.io/not-ready", "operator": "Exists",
                         "effect": "NoExecute", "tolerationSeconds": 700});
        let mut p = json!({"spec": {"tolerations": [own.clone()]}});
        default_toleration_seconds(&mut p);
        assert_eq!(p["spec"]["tolerations"], json!([own, unreachable]));

        // A toleration with empty key and effect tolerates both.
        let all = json!({"operator": "Exists"});
        let mut p = json!({"spec": {"tolerations": [all.clone()]}});
        default_toleration_seconds(&mut p);
        assert_eq!(p["spec"]["tolerations"], json!([all]));

        // A NoSchedule toleration does not count.
        let ns = json!({"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoSchedule"});
        let mut p = json!({"spec": {"tolerations": [ns.clone()]}});
        default_toleration_seconds(&mut p);
        assert_eq!(
            p["spec"]["tolerations"],
            json!([ns, not_ready, unreachable])
        );
    }

    #[test]
    fn new_nodes_get_not_ready_taint() {
        let mut n = json!({"metadata": {"name": "n"}});
        taint_new_node(&mut n);
        assert_eq!(
            n["spec"]["taints"],
            json!([{"key": "node.kubernetes.io/not-ready", "effect": "NoSchedule"}])
        );
        taint_new_node(&mut n);
        assert_eq!(n["spec"]["taints"].as_array().map(Vec::len), Some(1));
        let mut n = json!({"spec": {"taints": [{"key": "node.kubernetes.io/not-ready", "effect": "NoExecute"}]}});
        taint_new_node(&mut n);
        assert_eq!(n["spec"]["taints"].as_array().map(Vec::len), Some(2));
    }

    #[test]
    fn default_storage_class_choice() {
        let sc = |name: &str, created: &str, default: Option<&str>, beta: bool| {
            let key = if beta {
                BETA_IS_DEFAULT_STORAGE_CLASS_ANNOTATION
            } else {
                IS_DEFAULT_STORAGE_CLASS_ANNOTATION
            };
            let mut v = json!({"metadata": {"name": name, "creationTimestamp": created}, "provisioner": "x"});
            if let Some(d) = default {
                v["metadata"]["annotations"] = json!({key: d});
            }
            v
        };
        let classes = vec![
            sc("classic", "2024-01-01T00:00:00Z", None, false),
            sc("notdefault", "2024-06-01T00:00:00Z", Some("false"), false),
            sc("beta", "2024-02-01T00:00:00Z", Some("true"), true),
            sc("old", "2024-01-01T00:00:00Z", Some("true"), false),
        ];
        let claim = || json!({"metadata": {"name": "claim"}, "spec": {}});
        let mut c = claim();
        default_storage_class(&mut c, &classes).expect("admitted");
        assert_eq!(c["spec"]["storageClassName"], "beta");

        // Ties in creation time go to the lower name.
        let tie = vec![
            sc("zeta", "2024-03-01T00:00:00Z", Some("true"), false),
            sc("alpha", "2024-03-01T00:00:00Z", Some("true"), false),
        ];
        let mut c = claim();
        default_storage_class(&mut c, &tie).expect("admitted");
        assert_eq!(c["spec"]["storageClassName"], "alpha");

        // A claim that names a class, even the empty one, is left alone.
        let mut c = json!({"spec": {"storageClassName": ""}});
        default_storage_class(&mut c, &classes).expect("admitted");
        assert_eq!(c["spec"]["storageClassName"], "");
        let mut c = json!({"metadata": {"annotations": {"volume.beta.kubernetes.io/storage-class": "x"}}, "spec": {}});
        default_storage_class(&mut c, &classes).expect("admitted");
        assert!(c["spec"].get("storageClassName").is_none());
        // No default class: nothing set.
        let mut c = claim();
        default_storage_class(&mut c, &classes[..2]).expect("admitted");
        assert!(c["spec"].get("storageClassName").is_none());
    }
}
