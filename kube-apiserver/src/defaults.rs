//! Upstream defaulting, on objects as JSON (`serde_json::Value`) in their external (v1) form.
//!
//! What a real cluster fills in between decoding a request and validating it:
//!
//! - the scheme defaulters (`pkg/apis/*/v1/defaults.go` and the declarative `+default` markers
//!   of `k8s.io/api`), including the quantity canonicalisation (`cpu: 0.5` comes back `500m`);
//! - the v1→internal→v1 conversions that are visible (`serviceAccount` mirrors
//!   `serviceAccountName`, `stringData` folds into `data`);
//! - the defaulting admission plugins every cluster runs: `DefaultTolerationSeconds`, the
//!   `ServiceAccount` plugin's `serviceAccountName: default`, `Priority` (`priority: 0`,
//!   `preemptionPolicy: PreemptLowerPriority`);
//! - the registry's create-time preparation that is pure: pod status (`Pending` + QoS class), the
//!   namespace's `kubernetes` finalizer, a Job's generated selector, Service IP family fields
//!   (not the cluster IP allocation itself).
//!
//! Everything here is idempotent: defaulting a defaulted object changes nothing.

use std::cmp::Ordering;

use serde_json::{Map, Value, json};

type Obj = Map<String, Value>;

/// Apply upstream defaulting to an object of the given apiVersion/kind, in place.
///
/// Unknown kinds are left untouched. The object may be partial or malformed: fields of the wrong
/// JSON type are left alone (validation reports them).
pub fn apply_defaults(api_version: &str, kind: &str, obj: &mut Value) {
    let Some(o) = obj.as_object_mut() else { return };
    let group = group_of(api_version);
    match (group, kind) {
        ("", "Pod") => default_pod(o),
        ("", "PodTemplate") => {
            if let Some(t) = child_or_create(o, "template") {
                default_pod_template(t);
            }
        }
        ("", "ReplicationController") => default_replication_controller(o),
        ("", "Service") => default_service(o),
        ("", "Namespace") => default_namespace(o),
        ("", "Secret") => default_secret(o),
        ("", "PersistentVolumeClaim") => default_pvc(o),
        ("", "PersistentVolume") => default_pv(o),
        ("", "Endpoints") => default_endpoints(o),
        ("", "Node") => default_node(o),
        ("", "LimitRange") => default_limit_range(o),
        ("", "ResourceQuota") => default_resource_quota(o),
        ("apps", "Deployment") => default_deployment(o),
        ("apps", "ReplicaSet") => default_replica_set(o),
        ("apps", "StatefulSet") => default_stateful_set(o),
        ("apps", "DaemonSet") => default_daemon_set(o),
        ("batch", "Job") => default_job(o),
        ("batch", "CronJob") => default_cron_job(o),
        ("autoscaling", "HorizontalPodAutoscaler") => default_hpa(o, api_version),
        ("networking.k8s.io", "NetworkPolicy") => default_network_policy(o),
        ("rbac.authorization.k8s.io", "RoleBinding" | "ClusterRoleBinding") => {
            default_role_binding(o)
        }
        ("storage.k8s.io", "StorageClass") => default_storage_class(o),
        ("storage.k8s.io", "CSIDriver") => default_csi_driver(o),
        ("scheduling.k8s.io", "PriorityClass") => {
            set_default(o, "preemptionPolicy", json!("PreemptLowerPriority"));
        }
        ("discovery.k8s.io", "EndpointSlice") => {
            each_obj(o, "ports", |p| {
                set_default(p, "name", json!(""));
                set_default(p, "protocol", json!("TCP"));
            });
        }
        _ => {}
    }
}

/// The pod registry's create-time preparation (`podStrategy.PrepareForCreate`): the status is
/// replaced by `{phase: Pending, qosClass: ...}`, plus the `PodScheduled=False/SchedulingGated`
/// condition when the pod has scheduling gates. May run before or after [`apply_defaults`]: the
/// QoS class accounts for requests defaulted from limits.
pub fn prepare_pod_for_create(obj: &mut Value) {
    let Some(o) = obj.as_object_mut() else { return };
    let qos = o.get("spec").map(pod_qos_class).unwrap_or("BestEffort");
    let mut status = Obj::new();
    status.insert("phase".into(), json!("Pending"));
    status.insert("qosClass".into(), json!(qos));
    let gated = o
        .get("spec")
        .and_then(|s| s.get("schedulingGates"))
        .and_then(Value::as_array)
        .is_some_and(|g| !g.is_empty());
    if gated {
        let now = jiff::Timestamp::now()
            .strftime("%Y-%m-%dT%H:%M:%SZ")
            .to_string();
        status.insert(
            "conditions".into(),
            json!([{
                "type": "PodScheduled",
                "status": "False",
                "lastProbeTime": null,
                "lastTransitionTime": now,
                "reason": "SchedulingGated",
                "message": "Scheduling is blocked due to non-empty scheduling gates",
            }]),
        );
    }
    o.insert("status".into(), Value::Object(status));
}

/// Create-time preparation of the registry strategies that needs no store access: Pod (see
/// [`prepare_pod_for_create`]), Namespace (`spec.finalizers` gains `kubernetes`, status Active),
/// Job (generated selector and template labels from `metadata.uid`, unless `manualSelector`).
/// Other kinds: nothing.
pub fn prepare_for_create(api_version: &str, kind: &str, obj: &mut Value) {
    match (group_of(api_version), kind) {
        ("", "Pod") => prepare_pod_for_create(obj),
        ("", "Namespace") => {
            if let Some(o) = obj.as_object_mut() {
                if let Some(spec) = child_or_create(o, "spec") {
                    ensure_kubernetes_finalizer(spec);
                }
                o.insert("status".into(), json!({"phase": "Active"}));
            }
        }
        ("batch", "Job") => {
            if let Some(o) = obj.as_object_mut() {
                generate_job_selector(o);
            }
        }
        _ => {}
    }
}

/// The pod's QoS class (`qos.ComputePodQOS`) from a v1 pod spec: Guaranteed, Burstable or
/// BestEffort. Requests missing for a resource with a limit count as equal to the limit (as
/// after defaulting).
pub fn pod_qos_class(spec: &Value) -> &'static str {
    use std::collections::BTreeMap;
    let mut requests: BTreeMap<String, i128> = BTreeMap::new();
    let mut limits: BTreeMap<String, i128> = BTreeMap::new();
    let mut guaranteed = true;
    let containers = ["containers", "initContainers"]
        .iter()
        .filter_map(|k| spec.get(*k).and_then(Value::as_array))
        .flatten();
    for c in containers {
        let res = c.get("resources");
        let lim = res.and_then(|r| r.get("limits")).and_then(Value::as_object);
        let req = res
            .and_then(|r| r.get("requests"))
            .and_then(Value::as_object);
        let mut effective_req: BTreeMap<&str, &Value> = BTreeMap::new();
        if let Some(req) = req {
            for (k, v) in req {
                effective_req.insert(k, v);
            }
        }
        if let Some(lim) = lim {
            for (k, v) in lim {
                effective_req.entry(k).or_insert(v);
            }
        }
        for (name, q) in effective_req {
            if name != "cpu" && name != "memory" {
                continue;
            }
            if let Some(q) = quantity_of(q).filter(|q| q.nanos > 0) {
                *requests.entry(name.to_string()).or_insert(0) += q.nanos;
            }
        }
        let mut found = (false, false);
        if let Some(lim) = lim {
            for (name, q) in lim {
                if name != "cpu" && name != "memory" {
                    continue;
                }
                if let Some(q) = quantity_of(q).filter(|q| q.nanos > 0) {
                    if name == "cpu" {
                        found.0 = true;
                    } else {
                        found.1 = true;
                    }
                    *limits.entry(name.clone()).or_insert(0) += q.nanos;
                }
            }
        }
        if !(found.0 && found.1) {
            guaranteed = false;
        }
    }
    if requests.is_empty() && limits.is_empty() {
        return "BestEffort";
    }
    if guaranteed {
        for (name, req) in &requests {
            if limits.get(name) != Some(req) {
                guaranteed = false;
                break;
            }
        }
    }
    if guaranteed && requests.len() == limits.len() {
        "Guaranteed"
    } else {
        "Burstable"
    }
}

// ---------------------------------------------------------------------------------------------
// JSON helpers

pub(crate) fn group_of(api_version: &str) -> &str {
    api_version.rsplit_once('/').map(|(g, _)| g).unwrap_or("")
}

fn absent(m: &Obj, k: &str) -> bool {
    matches!(m.get(k), None | Some(Value::Null))
}

/// Absent, null or "" (Go's `== ""` on a string field).
fn empty_str(m: &Obj, k: &str) -> bool {
    match m.get(k) {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.is_empty(),
        _ => false,
    }
}

/// Absent, null or 0 (Go's `== 0` on a non-pointer number).
fn zero_num(m: &Obj, k: &str) -> bool {
    match m.get(k) {
        None | Some(Value::Null) => true,
        Some(Value::Number(n)) => n.as_f64() == Some(0.0),
        _ => false,
    }
}

fn str_of<'a>(m: &'a Obj, k: &str) -> &'a str {
    m.get(k).and_then(Value::as_str).unwrap_or("")
}

/// Set `k` to `v` when absent or null (Go's `== nil` on a pointer field).
fn set_default(m: &mut Obj, k: &str, v: Value) {
    if absent(m, k) {
        m.insert(k.into(), v);
    }
}

/// Set a string field when absent, null or empty.
fn set_default_str(m: &mut Obj, k: &str, v: &str) {
    if empty_str(m, k) {
        m.insert(k.into(), Value::String(v.into()));
    }
}

fn set_default_num(m: &mut Obj, k: &str, v: i64) {
    if zero_num(m, k) {
        m.insert(k.into(), json!(v));
    }
}

fn child<'a>(m: &'a mut Obj, k: &str) -> Option<&'a mut Obj> {
    m.get_mut(k).and_then(Value::as_object_mut)
}

/// The object at `k`, created when absent or null; None when `k` holds another JSON type.
fn child_or_create<'a>(m: &'a mut Obj, k: &str) -> Option<&'a mut Obj> {
    if absent(m, k) {
        m.insert(k.into(), Value::Object(Map::new()));
    }
    m.get_mut(k).and_then(Value::as_object_mut)
}

fn each_obj(m: &mut Obj, k: &str, mut f: impl FnMut(&mut Obj)) {
    if let Some(Value::Array(items)) = m.get_mut(k) {
        for item in items {
            if let Some(o) = item.as_object_mut() {
                f(o);
            }
        }
    }
}

fn labels_of(m: &Obj) -> Option<&Obj> {
    m.get("metadata")
        .and_then(|md| md.get("labels"))
        .and_then(Value::as_object)
}

// ---------------------------------------------------------------------------------------------
// Pods and pod templates

const DEFAULT_MODE: i64 = 0o644;

fn default_pod(pod: &mut Obj) {
    let mirror = pod
        .get("metadata")
        .and_then(|m| m.get("annotations"))
        .and_then(|a| a.get("kubernetes.io/config.mirror"))
        .is_some();
    let Some(spec) = child_or_create(pod, "spec") else {
        return;
    };
    // SetDefaults_Pod (pods only, not templates).
    for key in ["containers", "initContainers"] {
        each_obj(spec, key, default_requests_from_limits);
    }
    set_default(spec, "enableServiceLinks", json!(true));
    if spec.get("hostNetwork").and_then(Value::as_bool) == Some(true) {
        for key in ["containers", "initContainers"] {
            each_obj(spec, key, |c| {
                each_obj(c, "ports", |p| {
                    if zero_num(p, "hostPort")
                        && let Some(cp) = p.get("containerPort").cloned()
                    {
                        p.insert("hostPort".into(), cp);
                    }
                })
            });
        }
    }
    default_pod_spec(spec);
    default_resource_list_at(spec, "overhead");
    admission_defaults(spec, mirror);
    sync_service_account(spec);
}

fn default_requests_from_limits(c: &mut Obj) {
    let Some(res) = child(c, "resources") else {
        return;
    };
    let Some(limits) = res.get("limits").and_then(Value::as_object).cloned() else {
        return;
    };
    let missing: Vec<(String, Value)> = match res.get("requests") {
        Some(Value::Object(req)) => limits
            .into_iter()
            .filter(|(k, _)| !req.contains_key(k))
            .collect(),
        None | Some(Value::Null) => limits.into_iter().collect(),
        Some(_) => return,
    };
    if missing.is_empty() {
        return;
    }
    if let Some(req) = child_or_create(res, "requests") {
        for (k, v) in missing {
            req.insert(k, v);
        }
    }
}

/// The defaulting admission plugins, for pods only.
fn admission_defaults(spec: &mut Obj, mirror: bool) {
    // ServiceAccount: the "default" service account (not for mirror pods).
    if !mirror && empty_str(spec, "serviceAccountName") && empty_str(spec, "serviceAccount") {
        spec.insert("serviceAccountName".into(), json!("default"));
    }
    // DefaultTolerationSeconds: tolerate not-ready/unreachable NoExecute taints for 300s.
    let (mut not_ready, mut unreachable) = (false, false);
    if let Some(Value::Array(tols)) = spec.get("tolerations") {
        for t in tols.iter().filter_map(Value::as_object) {
            let key = str_of(t, "key");
            let effect = str_of(t, "effect");
            let no_execute = effect == "NoExecute" || effect.is_empty();
            if no_execute && (key == "node.kubernetes.io/not-ready" || key.is_empty()) {
                not_ready = true;
            }
            if no_execute && (key == "node.kubernetes.io/unreachable" || key.is_empty()) {
                unreachable = true;
            }
        }
    }
    if !not_ready || !unreachable {
        if absent(spec, "tolerations") {
            spec.insert("tolerations".into(), json!([]));
        }
        if let Some(Value::Array(tols)) = spec.get_mut("tolerations") {
            for (done, key) in [
                (not_ready, "node.kubernetes.io/not-ready"),
                (unreachable, "node.kubernetes.io/unreachable"),
            ] {
                if !done {
                    tols.push(json!({"key": key, "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}));
                }
            }
        }
    }
    // Priority: the built-in classes, or 0 without a class (no global default class assumed).
    if absent(spec, "priority") {
        let priority = match str_of(spec, "priorityClassName") {
            "" => Some(0),
            "system-node-critical" => Some(2_000_001_000),
            "system-cluster-critical" => Some(2_000_000_000),
            _ => None,
        };
        if let Some(p) = priority {
            spec.insert("priority".into(), json!(p));
            set_default(spec, "preemptionPolicy", json!("PreemptLowerPriority"));
        }
    }
}

/// v1 conversion: `serviceAccount` is the deprecated alias of `serviceAccountName`.
fn sync_service_account(spec: &mut Obj) {
    if empty_str(spec, "serviceAccountName") && !empty_str(spec, "serviceAccount") {
        let sa = spec["serviceAccount"].clone();
        spec.insert("serviceAccountName".into(), sa);
    }
    if empty_str(spec, "serviceAccountName") {
        spec.remove("serviceAccount");
    } else {
        let san = spec["serviceAccountName"].clone();
        spec.insert("serviceAccount".into(), san);
    }
}

fn default_pod_template(t: &mut Obj) {
    if let Some(spec) = child_or_create(t, "spec") {
        default_pod_spec(spec);
        sync_service_account(spec);
    }
}

/// SetDefaults_PodSpec and everything nested (volumes, containers, probes, ...).
fn default_pod_spec(spec: &mut Obj) {
    set_default_str(spec, "dnsPolicy", "ClusterFirst");
    set_default_str(spec, "restartPolicy", "Always");
    set_default(spec, "securityContext", json!({}));
    set_default(spec, "terminationGracePeriodSeconds", json!(30));
    set_default_str(spec, "schedulerName", "default-scheduler");
    each_obj(spec, "volumes", default_volume);
    for key in ["initContainers", "containers", "ephemeralContainers"] {
        each_obj(spec, key, default_container);
    }
}

fn default_volume(v: &mut Obj) {
    if crate::validation::VOLUME_SOURCES
        .iter()
        .all(|s| absent(v, s))
    {
        v.insert("emptyDir".into(), json!({}));
    }
    if let Some(hp) = child(v, "hostPath") {
        set_default(hp, "type", json!(""));
    }
    if let Some(ed) = child(v, "emptyDir") {
        canonicalize_quantity_at(ed, "sizeLimit", false);
    }
    for key in ["secret", "configMap"] {
        if let Some(s) = child(v, key) {
            set_default(s, "defaultMode", json!(DEFAULT_MODE));
        }
    }
    if let Some(d) = child(v, "downwardAPI") {
        set_default(d, "defaultMode", json!(DEFAULT_MODE));
        each_obj(d, "items", default_downward_api_file);
    }
    if let Some(p) = child(v, "projected") {
        set_default(p, "defaultMode", json!(DEFAULT_MODE));
        each_obj(p, "sources", |s| {
            if let Some(d) = child(s, "downwardAPI") {
                each_obj(d, "items", default_downward_api_file);
            }
            if let Some(t) = child(s, "serviceAccountToken") {
                set_default(t, "expirationSeconds", json!(3600));
            }
        });
    }
    if let Some(i) = child(v, "iscsi") {
        set_default_str(i, "iscsiInterface", "default");
    }
    if let Some(r) = child(v, "rbd") {
        default_rbd(r);
    }
    if let Some(a) = child(v, "azureDisk") {
        set_default(a, "cachingMode", json!("ReadWrite"));
        set_default(a, "fsType", json!("ext4"));
        set_default(a, "readOnly", json!(false));
        set_default(a, "kind", json!("Shared"));
    }
    if let Some(s) = child(v, "scaleIO") {
        set_default_str(s, "storageMode", "ThinProvisioned");
        set_default_str(s, "fsType", "xfs");
    }
    if let Some(spec) = child(v, "ephemeral")
        .and_then(|e| child(e, "volumeClaimTemplate"))
        .and_then(|t| child_or_create(t, "spec"))
    {
        default_pvc_spec(spec);
    }
}

fn default_rbd(r: &mut Obj) {
    set_default_str(r, "pool", "rbd");
    set_default_str(r, "user", "admin");
    set_default_str(r, "keyring", "/etc/ceph/keyring");
}

fn default_downward_api_file(f: &mut Obj) {
    if let Some(fr) = child(f, "fieldRef") {
        set_default_str(fr, "apiVersion", "v1");
    }
}

fn default_container(c: &mut Obj) {
    if empty_str(c, "imagePullPolicy") {
        let policy = if image_tag(str_of(c, "image")).as_deref() == Some("latest") {
            "Always"
        } else {
            "IfNotPresent"
        };
        c.insert("imagePullPolicy".into(), json!(policy));
    }
    set_default_str(c, "terminationMessagePath", "/dev/termination-log");
    set_default_str(c, "terminationMessagePolicy", "File");
    each_obj(c, "ports", |p| set_default_str(p, "protocol", "TCP"));
    each_obj(c, "env", |e| {
        if let Some(fr) = child(e, "valueFrom").and_then(|vf| child(vf, "fieldRef")) {
            set_default_str(fr, "apiVersion", "v1");
        }
    });
    if let Some(res) = child_or_create(c, "resources") {
        default_resource_list_at(res, "limits");
        default_resource_list_at(res, "requests");
    }
    for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
        if let Some(p) = child(c, probe) {
            set_default_num(p, "timeoutSeconds", 1);
            set_default_num(p, "periodSeconds", 10);
            set_default_num(p, "successThreshold", 1);
            set_default_num(p, "failureThreshold", 3);
            if let Some(h) = child(p, "httpGet") {
                default_http_get(h);
            }
            if let Some(g) = child(p, "grpc") {
                set_default(g, "service", json!(""));
            }
        }
    }
    if let Some(lc) = child(c, "lifecycle") {
        for hook in ["postStart", "preStop"] {
            if let Some(h) = child(lc, hook).and_then(|h| child(h, "httpGet")) {
                default_http_get(h);
            }
        }
    }
}

fn default_http_get(h: &mut Obj) {
    set_default_str(h, "path", "/");
    set_default_str(h, "scheme", "HTTP");
}

/// The tag `ParseImageName` finds: the explicit tag, "latest" when there is neither tag nor
/// digest, "" with only a digest; None when the reference does not parse.
pub(crate) fn image_tag(image: &str) -> Option<String> {
    if image.is_empty() {
        return None;
    }
    let (name_tag, digest) = match image.split_once('@') {
        Some((n, d)) => {
            let (alg, hex) = d.split_once(':')?;
            let alg_ok = !alg.is_empty()
                && alg
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+._-".contains(c));
            let hex_ok = hex.len() >= 32 && hex.chars().all(|c| c.is_ascii_hexdigit());
            if !alg_ok || !hex_ok {
                return None;
            }
            (n, true)
        }
        None => (image, false),
    };
    let last_slash = name_tag.rfind('/').map(|i| i + 1).unwrap_or(0);
    let (name, tag) = match name_tag[last_slash..].find(':') {
        Some(i) => (
            &name_tag[..last_slash + i],
            Some(&name_tag[last_slash + i + 1..]),
        ),
        None => (name_tag, None),
    };
    if let Some(t) = tag {
        let mut chars = t.chars();
        let first_ok = chars
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
        if !first_ok
            || t.len() > 128
            || !chars.all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
        {
            return None;
        }
    }
    if !valid_repository_name(name) {
        return None;
    }
    Some(match (tag, digest) {
        (Some(t), _) => t.to_string(),
        (None, true) => String::new(),
        (None, false) => "latest".to_string(),
    })
}

fn valid_repository_name(name: &str) -> bool {
    let mut parts: Vec<&str> = name.split('/').collect();
    if parts.len() > 1 {
        let first = parts[0];
        if first.contains('.')
            || first.contains(':')
            || first == "localhost"
            || first.chars().any(|c| c.is_ascii_uppercase())
        {
            let (host, port) = match first.rsplit_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (first, None),
            };
            let host_ok = !host.is_empty()
                && host.split('.').all(|l| {
                    !l.is_empty()
                        && !l.starts_with('-')
                        && !l.ends_with('-')
                        && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                });
            let port_ok =
                port.is_none_or(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
            if !host_ok || !port_ok {
                return false;
            }
            parts.remove(0);
        }
    }
    !parts.is_empty() && parts.iter().all(|p| valid_path_component(p))
}

/// `[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*`
fn valid_path_component(p: &str) -> bool {
    let b = p.as_bytes();
    let alnum = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    if b.is_empty() || !alnum(b[0]) || !alnum(b[b.len() - 1]) {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        if alnum(b[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && !alnum(b[i]) {
            i += 1;
        }
        let sep = &p[start..i];
        if !(sep == "." || sep == "_" || sep == "__" || sep.chars().all(|c| c == '-')) {
            return false;
        }
    }
    true
}

// ---------------------------------------------------------------------------------------------
// Workloads

fn default_replication_controller(o: &mut Obj) {
    let template_labels = o
        .get("spec")
        .and_then(|s| s.get("template"))
        .and_then(|t| labels_of(t.as_object()?))
        .cloned();
    if let Some(labels) = template_labels {
        if let Some(spec) = child_or_create(o, "spec") {
            let sel_empty = spec
                .get("selector")
                .and_then(Value::as_object)
                .is_none_or(|s| s.is_empty());
            if sel_empty {
                spec.insert("selector".into(), Value::Object(labels.clone()));
            }
        }
        let md_empty = labels_of(o).is_none_or(|l| l.is_empty());
        if md_empty && let Some(md) = child_or_create(o, "metadata") {
            md.insert("labels".into(), Value::Object(labels));
        }
    }
    if let Some(spec) = child_or_create(o, "spec") {
        set_default(spec, "replicas", json!(1));
        if let Some(t) = child(spec, "template") {
            default_pod_template(t);
        }
    }
}

fn default_deployment(o: &mut Obj) {
    let Some(spec) = child_or_create(o, "spec") else {
        return;
    };
    set_default(spec, "replicas", json!(1));
    if let Some(strategy) = child_or_create(spec, "strategy") {
        set_default_str(strategy, "type", "RollingUpdate");
        if str_of(strategy, "type") == "RollingUpdate"
            && let Some(ru) = child_or_create(strategy, "rollingUpdate")
        {
            set_default(ru, "maxUnavailable", json!("25%"));
            set_default(ru, "maxSurge", json!("25%"));
        }
    }
    set_default(spec, "revisionHistoryLimit", json!(10));
    set_default(spec, "progressDeadlineSeconds", json!(600));
    if let Some(t) = child_or_create(spec, "template") {
        default_pod_template(t);
    }
}

fn default_replica_set(o: &mut Obj) {
    let Some(spec) = child_or_create(o, "spec") else {
        return;
    };
    set_default(spec, "replicas", json!(1));
    if let Some(t) = child_or_create(spec, "template") {
        default_pod_template(t);
    }
}

fn default_stateful_set(o: &mut Obj) {
    let Some(spec) = child_or_create(o, "spec") else {
        return;
    };
    set_default_str(spec, "podManagementPolicy", "OrderedReady");
    if let Some(us) = child_or_create(spec, "updateStrategy") {
        if empty_str(us, "type") {
            us.insert("type".into(), json!("RollingUpdate"));
            set_default(us, "rollingUpdate", json!({}));
        }
        if str_of(us, "type") == "RollingUpdate"
            && let Some(ru) = child(us, "rollingUpdate")
        {
            set_default(ru, "partition", json!(0));
        }
    }
    if let Some(p) = child_or_create(spec, "persistentVolumeClaimRetentionPolicy") {
        set_default_str(p, "whenDeleted", "Retain");
        set_default_str(p, "whenScaled", "Retain");
    }
    set_default(spec, "replicas", json!(1));
    set_default(spec, "revisionHistoryLimit", json!(10));
    if let Some(t) = child_or_create(spec, "template") {
        default_pod_template(t);
    }
    each_obj(spec, "volumeClaimTemplates", default_pvc);
}

fn default_daemon_set(o: &mut Obj) {
    let Some(spec) = child_or_create(o, "spec") else {
        return;
    };
    if let Some(us) = child_or_create(spec, "updateStrategy") {
        set_default_str(us, "type", "RollingUpdate");
        if str_of(us, "type") == "RollingUpdate"
            && let Some(ru) = child_or_create(us, "rollingUpdate")
        {
            set_default(ru, "maxUnavailable", json!(1));
            set_default(ru, "maxSurge", json!(0));
        }
    }
    set_default(spec, "revisionHistoryLimit", json!(10));
    if let Some(t) = child_or_create(spec, "template") {
        default_pod_template(t);
    }
}

fn default_job(o: &mut Obj) {
    {
        let Some(spec) = child_or_create(o, "spec") else {
            return;
        };
        default_job_spec(spec);
        set_default(spec, "manualSelector", json!(false));
    }
    // The registry generates the selector at create time from the uid; doing it here (once the
    // uid is known) keeps the usual create path a single call.
    let has_uid = o
        .get("metadata")
        .and_then(|m| m.get("uid"))
        .and_then(Value::as_str)
        .is_some_and(|u| !u.is_empty());
    let has_selector = o
        .get("spec")
        .and_then(|s| s.get("selector"))
        .is_some_and(|s| !s.is_null());
    if has_uid && !has_selector {
        generate_job_selector(o);
    }
    // Upstream copies the template labels when reading the stored object back (decoding
    // defaults again), so a created Job carries the generated labels too.
    let template_labels = o
        .get("spec")
        .and_then(|s| s.get("template"))
        .and_then(|t| labels_of(t.as_object()?))
        .cloned();
    if let Some(labels) = template_labels
        && labels_of(o).is_none_or(|l| l.is_empty())
        && let Some(md) = child_or_create(o, "metadata")
    {
        md.insert("labels".into(), Value::Object(labels));
    }
}

/// SetDefaults_Job's spec part (not applied to CronJob job templates, as upstream).
fn default_job_spec(spec: &mut Obj) {
    if absent(spec, "completions") && absent(spec, "parallelism") {
        spec.insert("completions".into(), json!(1));
        spec.insert("parallelism".into(), json!(1));
    }
    set_default(spec, "parallelism", json!(1));
    if absent(spec, "backoffLimit") {
        let v = if absent(spec, "backoffLimitPerIndex") {
            6
        } else {
            i64::from(i32::MAX)
        };
        spec.insert("backoffLimit".into(), json!(v));
    }
    set_default(spec, "completionMode", json!("NonIndexed"));
    set_default(spec, "suspend", json!(false));
    if absent(spec, "podReplacementPolicy") {
        let v = if absent(spec, "podFailurePolicy") {
            "TerminatingOrFailed"
        } else {
            "Failed"
        };
        spec.insert("podReplacementPolicy".into(), json!(v));
    }
    if let Some(pfp) = child(spec, "podFailurePolicy") {
        each_obj(pfp, "rules", |r| {
            each_obj(r, "onPodConditions", |c| {
                set_default_str(c, "status", "True")
            })
        });
    }
    if let Some(t) = child_or_create(spec, "template") {
        default_pod_template(t);
    }
}

/// The Job registry's selector generation (`generateSelector`), unless `manualSelector` is true.
fn generate_job_selector(o: &mut Obj) {
    let manual = o
        .get("spec")
        .and_then(|s| s.get("manualSelector"))
        .and_then(Value::as_bool)
        == Some(true);
    if manual {
        return;
    }
    let md = o.get("metadata");
    let name = md
        .and_then(|m| m.get("name"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let uid = md
        .and_then(|m| m.get("uid"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let Some(spec) = child_or_create(o, "spec") else {
        return;
    };
    if let Some(t) = child_or_create(spec, "template")
        && let Some(tmd) = child_or_create(t, "metadata")
        && let Some(labels) = child_or_create(tmd, "labels")
    {
        for k in ["job-name", "batch.kubernetes.io/job-name"] {
            labels.entry(k).or_insert_with(|| json!(name));
        }
        for k in ["controller-uid", "batch.kubernetes.io/controller-uid"] {
            labels.entry(k).or_insert_with(|| json!(uid));
        }
    }
    if let Some(sel) = child_or_create(spec, "selector")
        && let Some(ml) = child_or_create(sel, "matchLabels")
    {
        ml.entry("batch.kubernetes.io/controller-uid")
            .or_insert_with(|| json!(uid));
    }
}

fn default_cron_job(o: &mut Obj) {
    let Some(spec) = child_or_create(o, "spec") else {
        return;
    };
    set_default_str(spec, "concurrencyPolicy", "Allow");
    set_default(spec, "suspend", json!(false));
    set_default(spec, "successfulJobsHistoryLimit", json!(3));
    set_default(spec, "failedJobsHistoryLimit", json!(1));
    if let Some(js) =
        child_or_create(spec, "jobTemplate").and_then(|jt| child_or_create(jt, "spec"))
        && let Some(t) = child_or_create(js, "template")
    {
        default_pod_template(t);
    }
}

fn default_hpa(o: &mut Obj, api_version: &str) {
    let Some(spec) = child_or_create(o, "spec") else {
        return;
    };
    set_default(spec, "minReplicas", json!(1));
    if api_version == "autoscaling/v2" {
        let no_metrics = spec
            .get("metrics")
            .and_then(Value::as_array)
            .is_none_or(|m| m.is_empty());
        if no_metrics {
            spec.insert(
                "metrics".into(),
                json!([{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}}]),
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Services, namespaces and other core kinds

fn default_service(o: &mut Obj) {
    let Some(spec) = child_or_create(o, "spec") else {
        return;
    };
    set_default_str(spec, "sessionAffinity", "None");
    match str_of(spec, "sessionAffinity") {
        "None" => {
            spec.remove("sessionAffinityConfig");
        }
        "ClientIP" => {
            let has_timeout = spec
                .get("sessionAffinityConfig")
                .and_then(|c| c.get("clientIP"))
                .and_then(|c| c.get("timeoutSeconds"))
                .is_some_and(|t| !t.is_null());
            if !has_timeout {
                spec.insert(
                    "sessionAffinityConfig".into(),
                    json!({"clientIP": {"timeoutSeconds": 10800}}),
                );
            }
        }
        _ => {}
    }
    set_default_str(spec, "type", "ClusterIP");
    each_obj(spec, "ports", |p| {
        set_default_str(p, "protocol", "TCP");
        let unset = match p.get("targetPort") {
            None | Some(Value::Null) => true,
            Some(Value::Number(n)) => n.as_i64() == Some(0),
            Some(Value::String(s)) => s.is_empty(),
            _ => false,
        };
        if unset && let Some(port) = p.get("port").cloned() {
            p.insert("targetPort".into(), port);
        }
    });
    let svc_type = str_of(spec, "type").to_string();
    let has_external_ips = spec
        .get("externalIPs")
        .and_then(Value::as_array)
        .is_some_and(|a| !a.is_empty());
    let externally_accessible = svc_type == "LoadBalancer"
        || svc_type == "NodePort"
        || (svc_type == "ClusterIP" && has_external_ips);
    if externally_accessible {
        set_default_str(spec, "externalTrafficPolicy", "Cluster");
    }
    if matches!(svc_type.as_str(), "NodePort" | "LoadBalancer" | "ClusterIP") {
        set_default(spec, "internalTrafficPolicy", json!("Cluster"));
    }
    if svc_type == "LoadBalancer" {
        set_default(spec, "allocateLoadBalancerNodePorts", json!(true));
    }
    if svc_type != "ExternalName" {
        // Registry strategy: clusterIP and clusterIPs[0] are kept in sync.
        if !empty_str(spec, "clusterIP") && absent(spec, "clusterIPs") {
            let ip = spec["clusterIP"].clone();
            spec.insert("clusterIPs".into(), json!([ip]));
        } else if empty_str(spec, "clusterIP")
            && let Some(first) = spec
                .get("clusterIPs")
                .and_then(Value::as_array)
                .and_then(|a| a.first())
                .cloned()
        {
            spec.insert("clusterIP".into(), first);
        }
        default_ip_families(spec);
    }
    if svc_type == "LoadBalancer"
        && let Some(lb) = child(o, "status").and_then(|s| child(s, "loadBalancer"))
    {
        each_obj(lb, "ingress", |i| {
            if !empty_str(i, "ip") {
                set_default(i, "ipMode", json!("VIP"));
            }
        });
    }
}

/// The IP family fields the service registry initialises before allocation (single-stack IPv4
/// cluster): selectorless headless services are RequireDualStack with both families.
fn default_ip_families(spec: &mut Obj) {
    let cluster_ips: Vec<String> = spec
        .get("clusterIPs")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let headless = cluster_ips.len() == 1 && cluster_ips[0] == "None";
    let selectorless = spec
        .get("selector")
        .and_then(Value::as_object)
        .is_none_or(|s| s.is_empty());
    let families_len = spec
        .get("ipFamilies")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    if headless && selectorless {
        set_default(spec, "ipFamilyPolicy", json!("RequireDualStack"));
        if families_len == 0 {
            let both = str_of(spec, "ipFamilyPolicy") != "SingleStack";
            spec.insert(
                "ipFamilies".into(),
                if both {
                    json!(["IPv4", "IPv6"])
                } else {
                    json!(["IPv4"])
                },
            );
        }
        return;
    }
    if absent(spec, "ipFamilyPolicy") {
        let dual = cluster_ips.len() == 2 || families_len == 2;
        spec.insert(
            "ipFamilyPolicy".into(),
            json!(if dual {
                "RequireDualStack"
            } else {
                "SingleStack"
            }),
        );
    }
    if families_len == 0 {
        let families: Vec<Value> = if !cluster_ips.is_empty() && !headless {
            cluster_ips
                .iter()
                .map(|ip| json!(if ip.contains(':') { "IPv6" } else { "IPv4" }))
                .collect()
        } else {
            vec![json!("IPv4")]
        };
        spec.insert("ipFamilies".into(), Value::Array(families));
    }
}

fn ensure_kubernetes_finalizer(spec: &mut Obj) {
    match spec.get_mut("finalizers") {
        Some(Value::Array(f)) => {
            if !f.iter().any(|v| v.as_str() == Some("kubernetes")) {
                f.push(json!("kubernetes"));
            }
        }
        None | Some(Value::Null) => {
            spec.insert("finalizers".into(), json!(["kubernetes"]));
        }
        Some(_) => {}
    }
}

fn default_namespace(o: &mut Obj) {
    let name = o
        .get("metadata")
        .and_then(|m| m.get("name"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if !name.is_empty()
        && let Some(labels) =
            child_or_create(o, "metadata").and_then(|m| child_or_create(m, "labels"))
    {
        labels.insert("kubernetes.io/metadata.name".into(), json!(name));
    }
    // A namespace without a status phase is being created (updates carry the stored status):
    // the create-time `kubernetes` finalizer goes in then, never on update or finalize.
    let creating = o
        .get("status")
        .and_then(|s| s.get("phase"))
        .is_none_or(Value::is_null);
    if creating
        && let Some(spec) = child_or_create(o, "spec")
        && absent(spec, "finalizers")
    {
        spec.insert("finalizers".into(), json!(["kubernetes"]));
    }
    if let Some(status) = child_or_create(o, "status") {
        set_default_str(status, "phase", "Active");
    }
}

fn default_secret(o: &mut Obj) {
    set_default_str(o, "type", "Opaque");
    // v1 conversion: stringData is write-only and merges into data (stringData wins).
    if let Some(Value::Object(sd)) = o.remove("stringData")
        && let Some(data) = child_or_create(o, "data")
    {
        for (k, v) in sd {
            if let Value::String(s) = v {
                data.insert(k, Value::String(base64_encode(s.as_bytes())));
            }
        }
    }
}

fn base64_encode(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn default_pvc(o: &mut Obj) {
    if let Some(spec) = child_or_create(o, "spec") {
        default_pvc_spec(spec);
    }
    if let Some(status) = child_or_create(o, "status") {
        set_default_str(status, "phase", "Pending");
        default_resource_list_at(status, "capacity");
        default_resource_list_at(status, "allocatedResources");
    }
}

fn default_pvc_spec(spec: &mut Obj) {
    set_default(spec, "volumeMode", json!("Filesystem"));
    if let Some(res) = child(spec, "resources") {
        default_resource_list_at(res, "limits");
        default_resource_list_at(res, "requests");
    }
}

fn default_pv(o: &mut Obj) {
    if let Some(spec) = child_or_create(o, "spec") {
        set_default_str(spec, "persistentVolumeReclaimPolicy", "Retain");
        set_default(spec, "volumeMode", json!("Filesystem"));
        default_resource_list_at(spec, "capacity");
        if let Some(hp) = child(spec, "hostPath") {
            set_default(hp, "type", json!(""));
        }
        if let Some(r) = child(spec, "rbd") {
            default_rbd(r);
        }
        if let Some(i) = child(spec, "iscsi") {
            set_default_str(i, "iscsiInterface", "default");
        }
    }
    if let Some(status) = child_or_create(o, "status") {
        set_default_str(status, "phase", "Pending");
    }
}

fn default_endpoints(o: &mut Obj) {
    each_obj(o, "subsets", |ss| {
        each_obj(ss, "ports", |p| set_default_str(p, "protocol", "TCP"))
    });
}

fn default_node(o: &mut Obj) {
    let Some(status) = child(o, "status") else {
        return;
    };
    if absent(status, "allocatable")
        && let Some(cap) = status.get("capacity").filter(|c| c.is_object()).cloned()
    {
        status.insert("allocatable".into(), cap);
    }
    default_resource_list_at(status, "capacity");
    default_resource_list_at(status, "allocatable");
}

fn default_limit_range(o: &mut Obj) {
    let Some(spec) = child(o, "spec") else { return };
    each_obj(spec, "limits", |item| {
        if str_of(item, "type") == "Container" {
            let max = item
                .get("max")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            let min = item
                .get("min")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            if let Some(def) = child_or_create(item, "default") {
                for (k, v) in &max {
                    def.entry(k.clone()).or_insert_with(|| v.clone());
                }
            }
            let def = item
                .get("default")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            if let Some(dr) = child_or_create(item, "defaultRequest") {
                for (k, v) in def.iter().chain(min.iter()) {
                    dr.entry(k.clone()).or_insert_with(|| v.clone());
                }
            }
            for k in ["default", "defaultRequest"] {
                if item
                    .get(k)
                    .and_then(Value::as_object)
                    .is_some_and(Map::is_empty)
                {
                    item.remove(k);
                }
            }
        }
        for k in [
            "max",
            "min",
            "default",
            "defaultRequest",
            "maxLimitRequestRatio",
        ] {
            default_resource_list_at(item, k);
        }
    });
}

fn default_resource_quota(o: &mut Obj) {
    if let Some(spec) = child(o, "spec") {
        default_resource_list_at(spec, "hard");
    }
    if let Some(status) = child(o, "status") {
        default_resource_list_at(status, "hard");
        default_resource_list_at(status, "used");
    }
}

fn default_network_policy(o: &mut Obj) {
    let Some(spec) = child_or_create(o, "spec") else {
        return;
    };
    for dir in ["ingress", "egress"] {
        each_obj(spec, dir, |rule| {
            each_obj(rule, "ports", |p| set_default_str(p, "protocol", "TCP"))
        });
    }
    let no_types = spec
        .get("policyTypes")
        .and_then(Value::as_array)
        .is_none_or(|t| t.is_empty());
    if no_types {
        let has_egress = spec
            .get("egress")
            .and_then(Value::as_array)
            .is_some_and(|e| !e.is_empty());
        let types = if has_egress {
            json!(["Ingress", "Egress"])
        } else {
            json!(["Ingress"])
        };
        spec.insert("policyTypes".into(), types);
    }
}

fn default_role_binding(o: &mut Obj) {
    each_obj(o, "subjects", |s| {
        if empty_str(s, "apiGroup") {
            match str_of(s, "kind") {
                "User" | "Group" => {
                    s.insert("apiGroup".into(), json!("rbac.authorization.k8s.io"));
                }
                "ServiceAccount" => {
                    s.insert("apiGroup".into(), json!(""));
                }
                _ => {}
            }
        }
    });
    if let Some(rr) = child(o, "roleRef") {
        set_default_str(rr, "apiGroup", "rbac.authorization.k8s.io");
    }
}

fn default_storage_class(o: &mut Obj) {
    set_default(o, "reclaimPolicy", json!("Delete"));
    set_default(o, "volumeBindingMode", json!("Immediate"));
}

fn default_csi_driver(o: &mut Obj) {
    let Some(spec) = child_or_create(o, "spec") else {
        return;
    };
    set_default(spec, "attachRequired", json!(true));
    set_default(spec, "podInfoOnMount", json!(false));
    set_default(spec, "storageCapacity", json!(false));
    set_default(spec, "fsGroupPolicy", json!("ReadWriteOnceWithFSType"));
    if spec
        .get("volumeLifecycleModes")
        .and_then(Value::as_array)
        .is_none_or(|m| m.is_empty())
    {
        spec.insert("volumeLifecycleModes".into(), json!(["Persistent"]));
    }
    set_default(spec, "requiresRepublish", json!(false));
    set_default(spec, "seLinuxMount", json!(false));
}

// ---------------------------------------------------------------------------------------------
// Quantities

/// How a quantity was written, which decides how it is printed back (`resource.Format`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QuantityFormat {
    /// `1k`, `500m`, `2` (and plain numbers).
    DecimalSI,
    /// `1Ki`, `128Mi`.
    BinarySI,
    /// `1e3`.
    DecimalExponent,
}

/// A resource quantity (`resource.Quantity`), held exactly in nano-units. Values beyond about
/// 10^29 saturate; finer than a nano unit round up (away from zero), as upstream.
#[derive(Clone, Copy, Debug)]
pub struct Quantity {
    /// The value times 10^9.
    pub nanos: i128,
    pub format: QuantityFormat,
}

/// The message upstream gives for a quantity that does not parse.
pub const QUANTITY_FORMAT_ERROR: &str =
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

const NANO: i128 = 1_000_000_000;
const SATURATED: i128 = i128::MAX / 4;

impl PartialEq for Quantity {
    fn eq(&self, other: &Self) -> bool {
        self.nanos == other.nanos
    }
}
impl Eq for Quantity {}
impl PartialOrd for Quantity {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Quantity {
    fn cmp(&self, other: &Self) -> Ordering {
        self.nanos.cmp(&other.nanos)
    }
}

impl std::fmt::Display for Quantity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.canonical())
    }
}

impl Quantity {
    /// Parse as `resource.ParseQuantity` does; None where upstream fails.
    pub fn parse(s: &str) -> Option<Quantity> {
        let b = s.as_bytes();
        if b.is_empty() {
            return None;
        }
        let mut pos = 0;
        let mut negative = false;
        match b[0] {
            b'-' => {
                negative = true;
                pos = 1;
            }
            b'+' => pos = 1,
            _ => {}
        }
        let num_start = pos;
        while pos < b.len() && b[pos].is_ascii_digit() {
            pos += 1;
        }
        let num = &s[num_start..pos];
        let mut denom = "";
        if pos < b.len() && b[pos] == b'.' {
            pos += 1;
            let d_start = pos;
            while pos < b.len() && b[pos].is_ascii_digit() {
                pos += 1;
            }
            denom = &s[d_start..pos];
        }
        if num.is_empty() && denom.is_empty() && !(pos > num_start && pos == b.len()) {
            // "+", "-", ".": upstream reads an empty numerator as 0 only when digits follow.
            if pos == num_start {
                return None;
            }
        }
        let suffix_start = pos;
        while pos < b.len() && b"eEinumkKMGTP".contains(&b[pos]) {
            pos += 1;
        }
        if pos < b.len() && (b[pos] == b'-' || b[pos] == b'+') {
            pos += 1;
        }
        while pos < b.len() && b[pos].is_ascii_digit() {
            pos += 1;
        }
        if pos != b.len() {
            return None;
        }
        let suffix = &s[suffix_start..];
        let (exp10, exp2, format) = match suffix {
            "" => (0, 0, QuantityFormat::DecimalSI),
            "n" => (-9, 0, QuantityFormat::DecimalSI),
            "u" => (-6, 0, QuantityFormat::DecimalSI),
            "m" => (-3, 0, QuantityFormat::DecimalSI),
            "k" => (3, 0, QuantityFormat::DecimalSI),
            "M" => (6, 0, QuantityFormat::DecimalSI),
            "G" => (9, 0, QuantityFormat::DecimalSI),
            "T" => (12, 0, QuantityFormat::DecimalSI),
            "P" => (15, 0, QuantityFormat::DecimalSI),
            "E" => (18, 0, QuantityFormat::DecimalSI),
            "Ki" => (0, 10, QuantityFormat::BinarySI),
            "Mi" => (0, 20, QuantityFormat::BinarySI),
            "Gi" => (0, 30, QuantityFormat::BinarySI),
            "Ti" => (0, 40, QuantityFormat::BinarySI),
            "Pi" => (0, 50, QuantityFormat::BinarySI),
            "Ei" => (0, 60, QuantityFormat::BinarySI),
            _ => {
                let rest = suffix
                    .strip_prefix('e')
                    .or_else(|| suffix.strip_prefix('E'))?;
                let digits = rest.strip_prefix(['+', '-']).unwrap_or(rest);
                if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
                    return None;
                }
                let e: i64 = rest.parse().ok()?;
                (
                    e.clamp(-1000, 1000) as i32,
                    0,
                    QuantityFormat::DecimalExponent,
                )
            }
        };
        // mantissa * 10^(exp10 - len(denom)) * 2^exp2, in nanos, rounded up away from zero.
        let digits: String = format!("{num}{denom}");
        let digits = digits.trim_start_matches('0');
        let mut scale = i64::from(exp10) - denom.len() as i64 + 9;
        let mut mantissa: i128 = 0;
        let mut saturated = false;
        let mut dropped_nonzero = false;
        for (i, c) in digits.bytes().enumerate() {
            if i >= 36 {
                // Beyond i128 precision: keep the magnitude in the scale.
                scale += 1;
                if c != b'0' {
                    dropped_nonzero = true;
                }
                continue;
            }
            mantissa = mantissa * 10 + i128::from(c - b'0');
        }
        let mut nanos = mantissa;
        if scale >= 0 {
            for _ in 0..scale {
                nanos = match nanos.checked_mul(10) {
                    Some(v) if v <= SATURATED => v,
                    _ => {
                        saturated = true;
                        break;
                    }
                };
            }
        } else {
            for _ in 0..(-scale) {
                if nanos % 10 != 0 {
                    dropped_nonzero = true;
                }
                nanos /= 10;
                if nanos == 0 {
                    break;
                }
            }
            if dropped_nonzero {
                nanos += 1;
            }
        }
        if !saturated && exp2 > 0 {
            nanos = match nanos.checked_mul(1i128 << exp2) {
                Some(v) if v <= SATURATED => v,
                _ => {
                    saturated = true;
                    nanos
                }
            };
        }
        if saturated {
            nanos = SATURATED;
        }
        let mut format = format;
        if format == QuantityFormat::BinarySI && nanos < NANO && nanos > 0 {
            format = QuantityFormat::DecimalSI;
        }
        Some(Quantity {
            nanos: if negative { -nanos } else { nanos },
            format,
        })
    }

    /// Round up (away from zero) to a multiple of 10^-3, as `SetDefaults_ResourceList` does.
    pub fn round_up_milli(&mut self) {
        let unit = 1_000_000;
        let rem = self.nanos % unit;
        if rem != 0 {
            self.nanos += if self.nanos > 0 {
                unit - rem
            } else {
                -unit - rem
            };
        }
    }

    /// The canonical string upstream serialises (`Quantity.String()`).
    pub fn canonical(&self) -> String {
        if self.nanos == 0 {
            return "0".to_string();
        }
        let sign = if self.nanos < 0 { "-" } else { "" };
        let abs = self.nanos.unsigned_abs();
        if self.format == QuantityFormat::BinarySI
            && abs >= 1024 * NANO as u128
            && abs.is_multiple_of(NANO as u128)
        {
            let mut v = abs / NANO as u128;
            let mut k = 0;
            while k < 6 && v.is_multiple_of(1024) {
                v /= 1024;
                k += 1;
            }
            let suffix = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"][k];
            return format!("{sign}{v}{suffix}");
        }
        let mut m = abs;
        let mut e: i64 = -9;
        while m.is_multiple_of(10) {
            m /= 10;
            e += 1;
        }
        match e.rem_euclid(3) {
            1 => {
                m *= 10;
                e -= 1;
            }
            2 => {
                m *= 100;
                e -= 2;
            }
            _ => {}
        }
        let suffix = match (self.format, e) {
            (QuantityFormat::DecimalExponent, 0) => String::new(),
            (QuantityFormat::DecimalExponent, e) => format!("e{e}"),
            (_, -9) => "n".into(),
            (_, -6) => "u".into(),
            (_, -3) => "m".into(),
            (_, 0) => String::new(),
            (_, 3) => "k".into(),
            (_, 6) => "M".into(),
            (_, 9) => "G".into(),
            (_, 12) => "T".into(),
            (_, 15) => "P".into(),
            (_, 18) => "E".into(),
            (_, e) => format!("e{e}"),
        };
        format!("{sign}{m}{suffix}")
    }
}

/// A quantity as JSON holds it: a string, or a bare number (which upstream reads as its text).
pub(crate) fn quantity_of(v: &Value) -> Option<Quantity> {
    match v {
        Value::String(s) => Quantity::parse(s),
        Value::Number(n) => Quantity::parse(&n.to_string()),
        _ => None,
    }
}

fn canonicalize_quantity_at(m: &mut Obj, k: &str, milli: bool) {
    let Some(v) = m.get(k) else { return };
    if let Some(mut q) = quantity_of(v) {
        if milli {
            q.round_up_milli();
        }
        m.insert(k.into(), Value::String(q.canonical()));
    }
}

/// SetDefaults_ResourceList: every quantity rounded up to milli units, printed canonically.
fn default_resource_list_at(m: &mut Obj, k: &str) {
    if let Some(list) = child(m, k) {
        let keys: Vec<String> = list.keys().cloned().collect();
        for key in keys {
            canonicalize_quantity_at(list, &key, true);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defaulted(api_version: &str, kind: &str, mut v: Value) -> Value {
        apply_defaults(api_version, kind, &mut v);
        v
    }

    fn minimal_pod(image: &str) -> Value {
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "default"},
               "spec": {"containers": [{"name": "c", "image": image}]}})
    }

    #[test]
    fn minimal_pod_defaults_match_upstream() {
        let pod = defaulted("v1", "Pod", minimal_pod("nginx:1.24.0"));
        let expected = json!({
            "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "default"},
            "spec": {
                "containers": [{
                    "name": "c", "image": "nginx:1.24.0", "imagePullPolicy": "IfNotPresent",
                    "resources": {}, "terminationMessagePath": "/dev/termination-log",
                    "terminationMessagePolicy": "File"
                }],
                "dnsPolicy": "ClusterFirst",
                "enableServiceLinks": true,
                "preemptionPolicy": "PreemptLowerPriority",
                "priority": 0,
                "restartPolicy": "Always",
                "schedulerName": "default-scheduler",
                "securityContext": {},
                "serviceAccount": "default",
                "serviceAccountName": "default",
                "terminationGracePeriodSeconds": 30,
                "tolerations": [
                    {"effect": "NoExecute", "key": "node.kubernetes.io/not-ready", "operator": "Exists", "tolerationSeconds": 300},
                    {"effect": "NoExecute", "key": "node.kubernetes.io/unreachable", "operator": "Exists", "tolerationSeconds": 300}
                ]
            }
        });
        assert_eq!(pod, expected);
    }

    #[test]
    fn image_pull_policy() {
        let policy = |image: &str| {
            let pod = defaulted("v1", "Pod", minimal_pod(image));
            pod["spec"]["containers"][0]["imagePullPolicy"]
                .as_str()
                .unwrap()
                .to_string()
        };
        assert_eq!(policy("nginx"), "Always");
        assert_eq!(policy("nginx:latest"), "Always");
        assert_eq!(policy("nginx:1.24.0"), "IfNotPresent");
        assert_eq!(policy("localhost:5000/nginx"), "Always");
        assert_eq!(policy("localhost:5000/nginx:1.2"), "IfNotPresent");
        assert_eq!(
            policy("nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"),
            "IfNotPresent"
        );
        assert_eq!(policy("registry.k8s.io/pause:3.10"), "IfNotPresent");
        // Does not parse (upper case repository): IfNotPresent, as upstream.
        assert_eq!(policy("Nginx"), "IfNotPresent");
        assert_eq!(
            image_tag("docker.io/library/busybox").as_deref(),
            Some("latest")
        );
    }

    #[test]
    fn tolerations_not_duplicated_and_priority_classes() {
        let mut pod = minimal_pod("nginx");
        pod["spec"]["tolerations"] = json!([{"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 5}]);
        pod["spec"]["priorityClassName"] = json!("system-node-critical");
        let pod = defaulted("v1", "Pod", pod);
        let tols = pod["spec"]["tolerations"].as_array().unwrap();
        assert_eq!(tols.len(), 2);
        assert_eq!(tols[0]["tolerationSeconds"], 5);
        assert_eq!(tols[1]["key"], "node.kubernetes.io/unreachable");
        assert_eq!(pod["spec"]["priority"], 2_000_001_000);
        // Tolerate-everything toleration covers both.
        let mut pod = minimal_pod("nginx");
        pod["spec"]["tolerations"] = json!([{"operator": "Exists"}]);
        let pod = defaulted("v1", "Pod", pod);
        assert_eq!(pod["spec"]["tolerations"].as_array().unwrap().len(), 1);
    }

    #[test]
    fn probes_ports_env_volumes_resources() {
        let pod = json!({"spec": {
            "hostNetwork": true,
            "containers": [{
                "name": "c", "image": "nginx",
                "ports": [{"containerPort": 80}],
                "env": [{"name": "N", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}],
                "livenessProbe": {"httpGet": {"port": 80}},
                "readinessProbe": {"grpc": {"port": 9000}},
                "resources": {"limits": {"cpu": "0.5", "memory": "1.5Gi"}}
            }],
            "volumes": [
                {"name": "a"},
                {"name": "b", "configMap": {"name": "cm"}},
                {"name": "c", "secret": {"secretName": "s"}},
                {"name": "d", "hostPath": {"path": "/x"}},
                {"name": "e", "projected": {"sources": [{"serviceAccountToken": {"path": "t"}}]}}
            ]
        }});
        let pod = defaulted("v1", "Pod", pod);
        let c = &pod["spec"]["containers"][0];
        assert_eq!(
            c["ports"][0],
            json!({"containerPort": 80, "hostPort": 80, "protocol": "TCP"})
        );
        assert_eq!(c["env"][0]["valueFrom"]["fieldRef"]["apiVersion"], "v1");
        assert_eq!(
            c["livenessProbe"],
            json!({"httpGet": {"port": 80, "path": "/", "scheme": "HTTP"}, "timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3})
        );
        assert_eq!(c["readinessProbe"]["grpc"]["service"], "");
        assert_eq!(
            c["resources"],
            json!({"limits": {"cpu": "500m", "memory": "1536Mi"}, "requests": {"cpu": "500m", "memory": "1536Mi"}})
        );
        let vols = &pod["spec"]["volumes"];
        assert_eq!(vols[0], json!({"name": "a", "emptyDir": {}}));
        assert_eq!(vols[1]["configMap"]["defaultMode"], 420);
        assert_eq!(vols[2]["secret"]["defaultMode"], 420);
        assert_eq!(vols[3]["hostPath"]["type"], "");
        assert_eq!(vols[4]["projected"]["defaultMode"], 420);
        assert_eq!(
            vols[4]["projected"]["sources"][0]["serviceAccountToken"]["expirationSeconds"],
            3600
        );
    }

    #[test]
    fn deployment_defaults() {
        let d = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
            "spec": {"selector": {"matchLabels": {"app": "web"}},
                     "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "nginx", "image": "nginx"}]}}}});
        let d = defaulted("apps/v1", "Deployment", d);
        let spec = &d["spec"];
        assert_eq!(spec["replicas"], 1);
        assert_eq!(
            spec["strategy"],
            json!({"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}})
        );
        assert_eq!(spec["revisionHistoryLimit"], 10);
        assert_eq!(spec["progressDeadlineSeconds"], 600);
        let tspec = &spec["template"]["spec"];
        assert_eq!(tspec["restartPolicy"], "Always");
        assert_eq!(tspec["terminationGracePeriodSeconds"], 30);
        assert_eq!(tspec["schedulerName"], "default-scheduler");
        assert_eq!(tspec["containers"][0]["imagePullPolicy"], "Always");
        // Pod-only defaults stay out of templates.
        for k in [
            "enableServiceLinks",
            "tolerations",
            "priority",
            "serviceAccountName",
        ] {
            assert!(tspec.get(k).is_none(), "{k} defaulted in a template");
        }
    }

    #[test]
    fn other_workload_defaults() {
        let ss = defaulted(
            "apps/v1",
            "StatefulSet",
            json!({"spec": {"volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {"resources": {"requests": {"storage": "1Gi"}}}}]}}),
        );
        assert_eq!(ss["spec"]["podManagementPolicy"], "OrderedReady");
        assert_eq!(
            ss["spec"]["updateStrategy"],
            json!({"type": "RollingUpdate", "rollingUpdate": {"partition": 0}})
        );
        assert_eq!(
            ss["spec"]["persistentVolumeClaimRetentionPolicy"],
            json!({"whenDeleted": "Retain", "whenScaled": "Retain"})
        );
        assert_eq!(
            ss["spec"]["volumeClaimTemplates"][0]["spec"]["volumeMode"],
            "Filesystem"
        );
        assert_eq!(
            ss["spec"]["volumeClaimTemplates"][0]["status"]["phase"],
            "Pending"
        );
        let ds = defaulted("apps/v1", "DaemonSet", json!({"spec": {}}));
        assert_eq!(
            ds["spec"]["updateStrategy"],
            json!({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}})
        );
        let job = defaulted(
            "batch/v1",
            "Job",
            json!({"metadata": {"name": "pi", "uid": "u1"}, "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "perl"}], "restartPolicy": "Never"}}}}),
        );
        let js = &job["spec"];
        assert_eq!(
            (
                js["completions"].clone(),
                js["parallelism"].clone(),
                js["backoffLimit"].clone()
            ),
            (json!(1), json!(1), json!(6))
        );
        assert_eq!(js["completionMode"], "NonIndexed");
        assert_eq!(js["suspend"], false);
        assert_eq!(js["podReplacementPolicy"], "TerminatingOrFailed");
        assert_eq!(js["manualSelector"], false);
        assert_eq!(
            js["selector"],
            json!({"matchLabels": {"batch.kubernetes.io/controller-uid": "u1"}})
        );
        assert_eq!(js["template"]["metadata"]["labels"]["job-name"], "pi");
        assert_eq!(
            job["metadata"]["labels"]["batch.kubernetes.io/job-name"],
            "pi"
        );
        assert_eq!(job["metadata"]["labels"]["controller-uid"], "u1");
        let cj = defaulted(
            "batch/v1",
            "CronJob",
            json!({"spec": {"schedule": "* * * * *", "jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "c", "image": "busybox"}]}}}}}}),
        );
        assert_eq!(cj["spec"]["concurrencyPolicy"], "Allow");
        assert_eq!(cj["spec"]["successfulJobsHistoryLimit"], 3);
        assert_eq!(cj["spec"]["failedJobsHistoryLimit"], 1);
        assert!(
            cj["spec"]["jobTemplate"]["spec"]
                .get("backoffLimit")
                .is_none()
        );
        let rc = defaulted(
            "v1",
            "ReplicationController",
            json!({"spec": {"template": {"metadata": {"labels": {"a": "b"}}}}}),
        );
        assert_eq!(rc["spec"]["selector"], json!({"a": "b"}));
        assert_eq!(rc["metadata"]["labels"], json!({"a": "b"}));
        assert_eq!(rc["spec"]["replicas"], 1);
    }

    #[test]
    fn service_namespace_secret_pvc() {
        let svc = defaulted(
            "v1",
            "Service",
            json!({"spec": {"selector": {"app": "a"}, "ports": [{"port": 80}]}}),
        );
        assert_eq!(
            svc["spec"],
            json!({"selector": {"app": "a"}, "ports": [{"port": 80, "protocol": "TCP", "targetPort": 80}], "type": "ClusterIP",
                   "sessionAffinity": "None", "internalTrafficPolicy": "Cluster", "ipFamilyPolicy": "SingleStack", "ipFamilies": ["IPv4"]})
        );
        let lb = defaulted(
            "v1",
            "Service",
            json!({"spec": {"type": "LoadBalancer", "ports": [{"port": 80, "targetPort": "http"}]}}),
        );
        assert_eq!(lb["spec"]["externalTrafficPolicy"], "Cluster");
        assert_eq!(lb["spec"]["allocateLoadBalancerNodePorts"], true);
        assert_eq!(lb["spec"]["ports"][0]["targetPort"], "http");
        let headless = defaulted("v1", "Service", json!({"spec": {"clusterIP": "None"}}));
        assert_eq!(headless["spec"]["clusterIPs"], json!(["None"]));
        assert_eq!(headless["spec"]["ipFamilyPolicy"], "RequireDualStack");
        let ext = defaulted(
            "v1",
            "Service",
            json!({"spec": {"type": "ExternalName", "externalName": "example.com"}}),
        );
        assert!(ext["spec"].get("ipFamilyPolicy").is_none());
        assert!(ext["spec"].get("internalTrafficPolicy").is_none());

        let ns = defaulted("v1", "Namespace", json!({"metadata": {"name": "dev"}}));
        assert_eq!(ns["spec"]["finalizers"], json!(["kubernetes"]));
        assert_eq!(ns["status"]["phase"], "Active");
        assert_eq!(
            ns["metadata"]["labels"]["kubernetes.io/metadata.name"],
            "dev"
        );
        // Update/finalize: the stored status is present, finalizers are not re-added.
        let ns = defaulted(
            "v1",
            "Namespace",
            json!({"metadata": {"name": "dev"}, "spec": {}, "status": {"phase": "Terminating"}}),
        );
        assert!(ns["spec"].get("finalizers").is_none());

        let secret = defaulted(
            "v1",
            "Secret",
            json!({"stringData": {"a": "hello"}, "data": {"b": "eA=="}}),
        );
        assert_eq!(secret["type"], "Opaque");
        assert_eq!(secret["data"], json!({"a": "aGVsbG8=", "b": "eA=="}));
        assert!(secret.get("stringData").is_none());

        let pvc = defaulted(
            "v1",
            "PersistentVolumeClaim",
            json!({"spec": {"resources": {"requests": {"storage": "1024Mi"}}}}),
        );
        assert_eq!(pvc["spec"]["volumeMode"], "Filesystem");
        assert_eq!(pvc["spec"]["resources"]["requests"]["storage"], "1Gi");
        assert_eq!(pvc["status"]["phase"], "Pending");
    }

    #[test]
    fn quantities() {
        let c = |s: &str| Quantity::parse(s).map(|q| q.canonical());
        assert_eq!(c("0.5").as_deref(), Some("500m"));
        assert_eq!(c("100m").as_deref(), Some("100m"));
        assert_eq!(c("1000").as_deref(), Some("1k"));
        assert_eq!(c("1500").as_deref(), Some("1500"));
        assert_eq!(c("1024Mi").as_deref(), Some("1Gi"));
        assert_eq!(c("1.5Gi").as_deref(), Some("1536Mi"));
        assert_eq!(c("512").as_deref(), Some("512"));
        assert_eq!(c("1e3").as_deref(), Some("1e3"));
        assert_eq!(c("0").as_deref(), Some("0"));
        assert_eq!(c("-2").as_deref(), Some("-2"));
        assert_eq!(c("1Ki").as_deref(), Some("1Ki"));
        assert_eq!(c("100Ki").as_deref(), Some("100Ki"));
        assert_eq!(c("0.1Ki").as_deref(), Some("102400m"));
        assert_eq!(c("12e6").as_deref(), Some("12e6"));
        assert_eq!(c("1.5").as_deref(), Some("1500m"));
        assert_eq!(c("1n").as_deref(), Some("1n"));
        assert_eq!(c("0.0000000001").as_deref(), Some("1n"));
        assert_eq!(c("abc"), None);
        assert_eq!(c("1.5.5"), None);
        assert_eq!(c("1X"), None);
        assert_eq!(c(""), None);
        let mut q = Quantity::parse("0.0001").unwrap();
        q.round_up_milli();
        assert_eq!(q.canonical(), "1m");
        assert!(Quantity::parse("1").unwrap() > Quantity::parse("999m").unwrap());
        assert_eq!(
            Quantity::parse("1Gi").unwrap(),
            Quantity::parse("1073741824").unwrap()
        );
    }

    #[test]
    fn qos_and_prepare_pod() {
        let mut pod = minimal_pod("nginx");
        prepare_pod_for_create(&mut pod);
        assert_eq!(
            pod["status"],
            json!({"phase": "Pending", "qosClass": "BestEffort"})
        );
        let mut pod = minimal_pod("nginx");
        pod["spec"]["containers"][0]["resources"] =
            json!({"limits": {"cpu": "1", "memory": "1Gi"}});
        prepare_pod_for_create(&mut pod);
        assert_eq!(pod["status"]["qosClass"], "Guaranteed");
        let mut pod = minimal_pod("nginx");
        pod["spec"]["containers"][0]["resources"] = json!({"requests": {"cpu": "100m"}});
        pod["spec"]["schedulingGates"] = json!([{"name": "x"}]);
        prepare_pod_for_create(&mut pod);
        assert_eq!(pod["status"]["qosClass"], "Burstable");
        assert_eq!(pod["status"]["conditions"][0]["reason"], "SchedulingGated");
    }

    #[test]
    fn defaulting_is_idempotent() {
        let objects = [
            ("v1", "Pod", minimal_pod("nginx")),
            (
                "v1",
                "Service",
                json!({"spec": {"ports": [{"port": 80}], "type": "NodePort"}}),
            ),
            ("v1", "Namespace", json!({"metadata": {"name": "x"}})),
            ("v1", "Secret", json!({"stringData": {"k": "v"}})),
            (
                "apps/v1",
                "Deployment",
                json!({"spec": {"template": {"spec": {"containers": [{"name": "c", "image": "i", "resources": {"limits": {"cpu": "0.25"}}}]}}}}),
            ),
            ("apps/v1", "StatefulSet", json!({"spec": {}})),
            ("apps/v1", "DaemonSet", json!({"spec": {}})),
            (
                "batch/v1",
                "Job",
                json!({"metadata": {"uid": "u", "name": "j"}, "spec": {}}),
            ),
            ("batch/v1", "CronJob", json!({"spec": {}})),
            (
                "v1",
                "ReplicationController",
                json!({"spec": {"template": {"metadata": {"labels": {"a": "b"}}}}}),
            ),
            (
                "networking.k8s.io/v1",
                "NetworkPolicy",
                json!({"spec": {"egress": [{}]}}),
            ),
        ];
        for (av, kind, obj) in objects {
            let once = defaulted(av, kind, obj);
            let twice = defaulted(av, kind, once.clone());
            assert_eq!(once, twice, "{kind}");
        }
    }

    #[test]
    fn prepare_for_create_namespace_and_job() {
        let mut ns = json!({"metadata": {"name": "a"}, "spec": {"finalizers": ["example.com/x"]}});
        prepare_for_create("v1", "Namespace", &mut ns);
        assert_eq!(
            ns["spec"]["finalizers"],
            json!(["example.com/x", "kubernetes"])
        );
        let mut job =
            json!({"metadata": {"name": "j", "uid": "u"}, "spec": {"manualSelector": true}});
        prepare_for_create("batch/v1", "Job", &mut job);
        assert!(job["spec"].get("selector").is_none());
    }
}
