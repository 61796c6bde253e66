//! One generic registry for every resource: create, get, list, update, patch, delete and
//! watch, with upstream's metadata rules (uid, creationTimestamp, generation, resourceVersion,
//! generateName, finalizers and deletionTimestamp, graceful pod deletion), then the per-kind
//! strategy: typed decoding ([`crate::scheme`]), defaulting ([`crate::defaults`]) and
//! validation ([`crate::validation`]).
//!
//! Objects are `serde_json::Value`s shaped by the k8s-openapi types; they are stored as JSON
//! without their resourceVersion, which is the store's mod_revision.

use std::time::Duration;

use base64::Engine;
use serde_json::{Map, Value, json};

use crate::cache::{CacheEvent, WatchCache};
use crate::error::{ApiError, ApiResult};
use crate::resources::{self, Resource};
use crate::selectors::{FieldSelector, LabelSelector};
use crate::storage::{Store, Stored};
use crate::{conversion, crd, crd_schema, defaults, managed_fields, patch, scheme, validation};

/// How unknown fields in a request are treated (`fieldValidation`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FieldValidation {
    Ignore,
    #[default]
    Warn,
    Strict,
}

impl FieldValidation {
    pub fn parse(s: Option<&str>) -> ApiResult<FieldValidation> {
        match s.unwrap_or("") {
            "" | "Warn" => Ok(FieldValidation::Warn),
            "Strict" => Ok(FieldValidation::Strict),
            "Ignore" => Ok(FieldValidation::Ignore),
            other => Err(ApiError::bad_request(format!(
                "fieldValidation must be one of \"Ignore\", \"Warn\", or \"Strict\", got {other:?}"
            ))),
        }
    }
}

/// One object of a list: the watch cache's, shared as stored, or one of the list's own.
#[derive(Debug, Clone)]
pub enum ListItem {
    Owned(Value),
    Cached(crate::cache::Entry),
}

impl ListItem {
    pub fn object(&self) -> &Value {
        match self {
            ListItem::Owned(v) => v,
            ListItem::Cached(e) => &e.object,
        }
    }

    /// The object as the list's resource serves it.
    pub fn into_value(self, r: &Resource) -> Value {
        match self {
            ListItem::Owned(v) => v,
            ListItem::Cached(e) => from_storage(r, (*e.object).clone()),
        }
    }
}

/// Per-request options of a write.
#[derive(Debug, Clone, Default)]
pub struct WriteOptions {
    pub dry_run: bool,
    /// `?fieldManager=` (required for server-side apply).
    pub field_manager: Option<String>,
    /// The manager of a write without `fieldManager`, from the client's User-Agent.
    pub user_agent_manager: String,
    pub field_validation: FieldValidation,
    /// managedFields are already computed (server-side apply): do not track the write again.
    pub(crate) managed_fields_done: bool,
    /// Who writes (None: the server itself, which skips admission).
    pub user: Option<std::sync::Arc<crate::authn::UserInfo>>,
}

impl WriteOptions {
    /// The manager a non-apply write is recorded under.
    fn manager(&self) -> &str {
        self.field_manager
            .as_deref()
            .unwrap_or(&self.user_agent_manager)
    }
}

/// What server-side apply knows of `r`'s schema: list and map semantics.
fn type_info(r: &Resource) -> Box<dyn managed_fields::TypeInfo> {
    match managed_fields::BuiltinTypes::new(&r.api_version(), r.kind) {
        Some(t) if !resources::is_custom(r) => Box::new(t),
        _ => Box::new(managed_fields::DeducedTypes {
            status_subresource: r.has_subresource("status"),
        }),
    }
}

/// Record a non-apply write in `new`'s managedFields (upstream's field manager `Update`).
fn track_update(
    r: &Resource,
    old: Option<&Value>,
    new: &mut Value,
    subresource: Option<&str>,
    opts: &WriteOptions,
) {
    if opts.managed_fields_done {
        return;
    }
    let (api_version, now) = (r.api_version(), now_rfc3339());
    let op = managed_fields::Operation {
        manager: opts.manager(),
        api_version: &api_version,
        kind: r.kind,
        subresource,
        now: &now,
    };
    managed_fields::update(old, new, &op, type_info(r).as_ref());
}

fn apply_error(e: managed_fields::ApplyError) -> ApiError {
    let status = e.status();
    ApiError {
        details: status.get("details").cloned(),
        ..ApiError::new(e.code(), e.reason(), e.message())
    }
}

/// What a write produced: the object and the warnings to send back.
#[derive(Debug, Clone)]
pub struct Written {
    pub object: Value,
    pub warnings: Vec<String>,
    pub created: bool,
}

#[derive(Debug, Clone, Default)]
pub struct ListOptions {
    pub label_selector: Option<LabelSelector>,
    pub field_selector: Option<FieldSelector>,
    pub limit: i64,
    pub continue_token: Option<String>,
    pub resource_version: Option<String>,
    pub resource_version_match: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct DeleteOptions {
    pub grace_period_seconds: Option<i64>,
    pub propagation_policy: Option<String>,
    pub precondition_uid: Option<String>,
    pub precondition_rv: Option<String>,
    pub dry_run: bool,
    /// Who deletes (None: the server itself, which skips admission).
    pub user: Option<std::sync::Arc<crate::authn::UserInfo>>,
}

/// A watch event as sent to clients.
#[derive(Debug, Clone)]
pub struct WatchEvent {
    pub kind: &'static str,
    /// The object, unless it is `cached`'s, shared as stored.
    pub object: Value,
    /// The watch cache's event, when the object is sent as stored (no conversion).
    pub cached: Option<std::sync::Arc<CacheEvent>>,
}

impl WatchEvent {
    pub fn new(kind: &'static str, object: Value) -> WatchEvent {
        WatchEvent {
            kind,
            object,
            cached: None,
        }
    }

    /// The event's object.
    pub fn object(&self) -> &Value {
        match &self.cached {
            Some(c) => &c.object,
            None => &self.object,
        }
    }
}

#[derive(Clone)]
pub struct Registry {
    pub store: Store,
    cache: std::sync::Arc<WatchCache>,
    /// Where Service cluster IPs come from (`--service-cluster-ip-range`).
    pub service_range: ServiceRange,
    /// Serve lists without a resourceVersion from the watch cache (upstream's
    /// `ConsistentListFromCache`); only where the store's progress notifications are trusted.
    pub consistent_list_from_cache: bool,
    /// The admission chain writes with a user pass through.
    pub admission: Option<std::sync::Arc<crate::admission::Admission>>,
}

/// An IPv4 range for Service cluster IPs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceRange {
    base: u32,
    size: u32,
}

impl ServiceRange {
    /// Parse a CIDR such as `10.96.0.0/12`.
    pub fn parse(cidr: &str) -> Result<ServiceRange, String> {
        let (ip, bits) = cidr
            .split_once('/')
            .ok_or_else(|| format!("invalid CIDR {cidr:?}"))?;
        let ip: std::net::Ipv4Addr = ip
            .parse()
            .map_err(|_| format!("invalid CIDR {cidr:?} (only IPv4 is supported)"))?;
        let bits: u32 = bits.parse().map_err(|_| format!("invalid CIDR {cidr:?}"))?;
        if !(8..=30).contains(&bits) {
            return Err(format!(
                "service CIDR {cidr:?} must have a prefix between /8 and /30"
            ));
        }
        let size = 1u32 << (32 - bits);
        Ok(ServiceRange {
            base: u32::from(ip) & !(size - 1),
            size,
        })
    }

    /// The address reserved for the `kubernetes` Service (the first usable one).
    pub fn first(&self) -> std::net::Ipv4Addr {
        std::net::Ipv4Addr::from(self.base + 1)
    }

    fn contains(&self, ip: std::net::Ipv4Addr) -> bool {
        let v = u32::from(ip);
        v > self.base && v < self.base + self.size - 1
    }

    fn random(&self) -> std::net::Ipv4Addr {
        // Skip the network address, the address reserved for `kubernetes`, and broadcast.
        std::net::Ipv4Addr::from(self.base + 2 + rand::random_range(0..self.size - 3))
    }
}

const NODE_PORTS: std::ops::RangeInclusive<u16> = 30000..=32767;

/// Kinds whose metadata.generation tracks spec changes.
fn tracks_generation(r: &Resource) -> bool {
    resources::is_custom(r)
        || matches!(
            r.kind,
            "Deployment"
                | "ReplicaSet"
                | "StatefulSet"
                | "DaemonSet"
                | "Job"
                | "CronJob"
                | "ReplicationController"
                | "HorizontalPodAutoscaler"
                | "PodDisruptionBudget"
                | "CustomResourceDefinition"
                | "Ingress"
                | "NetworkPolicy"
                | "Service"
        )
}

pub fn now_rfc3339() -> String {
    let now = jiff::Timestamp::now();
    jiff::Timestamp::from_second(now.as_second())
        .map(|t| t.to_string())
        .unwrap_or_else(|_| now.to_string())
}

pub(crate) fn random_suffix(n: usize) -> String {
    // upstream's alphabet for generated names: no vowels, no confusable characters
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    (0..n)
        .map(|_| ALPHABET[rand::random_range(0..ALPHABET.len())] as char)
        .collect()
}

fn meta(obj: &Value) -> Option<&Map<String, Value>> {
    obj.get("metadata").and_then(Value::as_object)
}

fn meta_str<'a>(obj: &'a Value, field: &str) -> Option<&'a str> {
    meta(obj).and_then(|m| m.get(field)).and_then(Value::as_str)
}

fn meta_mut(obj: &mut Value) -> &mut Map<String, Value> {
    if !obj.get("metadata").is_some_and(Value::is_object) {
        obj["metadata"] = json!({});
    }
    obj["metadata"]
        .as_object_mut()
        .expect("metadata is an object")
}

pub fn name_of(obj: &Value) -> &str {
    meta_str(obj, "name").unwrap_or("")
}

/// An object as stored (in its storage version) in the version `r` serves.
fn from_storage(r: &Resource, mut obj: Value) -> Value {
    let api_version = r.api_version();
    if conversion::storage_version(r.group, r.kind).is_some() {
        match conversion::convert(obj.clone(), &api_version) {
            Ok(converted) => return converted,
            Err(err) => tracing::warn!(%err, kind = r.kind, "stored object does not convert"),
        }
    }
    obj["apiVersion"] = Value::String(api_version);
    obj["kind"] = Value::String(r.kind.to_string());
    obj
}

/// An object in the version `r` serves, in its storage version.
fn to_storage(r: &Resource, obj: &Value) -> Value {
    match conversion::storage_version(r.group, r.kind) {
        Some(v) if v != r.api_version() => {
            conversion::convert(obj.clone(), v).unwrap_or_else(|_| obj.clone())
        }
        Some(_) if r.kind == "HorizontalPodAutoscaler" => {
            let mut obj = obj.clone();
            conversion::drop_hpa_round_trip_annotations(&mut obj);
            obj
        }
        _ => obj.clone(),
    }
}

/// Turn a stored object into what clients see (resourceVersion from the store).
fn decorate(r: &Resource, stored: &Stored) -> ApiResult<Value> {
    let obj: Value = serde_json::from_slice(&stored.value).map_err(|e| {
        ApiError::internal(format!("stored object {} is not JSON: {e}", stored.key))
    })?;
    let mut obj = from_storage(r, obj);
    meta_mut(&mut obj).insert(
        "resourceVersion".into(),
        Value::String(stored.revision.to_string()),
    );
    Ok(obj)
}

fn encode(r: &Resource, obj: &Value) -> Vec<u8> {
    let mut obj = to_storage(r, obj);
    if let Some(m) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
        m.remove("resourceVersion");
        m.remove("selfLink");
    }
    serde_json::to_vec(&obj).unwrap_or_default()
}

fn spec_of(obj: &Value) -> Value {
    let mut o = obj.clone();
    if let Some(m) = o.as_object_mut() {
        m.remove("metadata");
        m.remove("status");
        m.remove("apiVersion");
        m.remove("kind");
    }
    o
}

#[derive(serde::Serialize, serde::Deserialize)]
struct ContinueToken {
    v: String,
    rv: i64,
    start: String,
}

impl Registry {
    pub fn new(store: Store, service_range: ServiceRange) -> Registry {
        Registry {
            cache: std::sync::Arc::new(WatchCache::new(store.clone())),
            store,
            service_range,
            consistent_list_from_cache: false,
            admission: None,
        }
    }

    /// Give a new Service its cluster IP and node ports (reserving each under its own store
    /// key, so two Services never get the same one). Returns the keys taken, to release if the
    /// create fails.
    async fn allocate_service(&self, svc: &mut Value, dry_run: bool) -> ApiResult<Vec<String>> {
        let mut taken = Vec::new();
        let ty = svc
            .pointer("/spec/type")
            .and_then(Value::as_str)
            .unwrap_or("ClusterIP")
            .to_string();
        if ty == "ExternalName" {
            return Ok(taken);
        }
        let name = name_of(svc).to_string();
        let invalid = |detail: String| {
            ApiError::new(
                422,
                "Invalid",
                format!("Service \"{name}\" is invalid: {detail}"),
            )
        };
        let requested = svc
            .pointer("/spec/clusterIP")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let ip = if requested == "None" {
            "None".to_string()
        } else if !requested.is_empty() {
            let ip: std::net::Ipv4Addr = requested.parse().map_err(|_| {
                invalid(format!(
                    "spec.clusterIPs[0]: Invalid value: \"{requested}\": must be a valid IP address"
                ))
            })?;
            if !self.service_range.contains(ip) && ip != self.service_range.first() {
                return Err(invalid(format!(
                    "spec.clusterIPs: Invalid value: []string{{\"{requested}\"}}: failed to allocate IP {requested}: the provided IP ({requested}) is not in the valid range"
                )));
            }
            let key = format!("/registry/ipaddresses/{ip}");
            if !dry_run && self.store.create(&key, b"{}".to_vec()).await?.is_none() {
                return Err(invalid(format!(
                    "spec.clusterIPs: Invalid value: []string{{\"{requested}\"}}: failed to allocate IP {requested}: provided IP is already allocated"
                )));
            }
            taken.push(key);
            requested
        } else {
            let mut got = None;
            for _ in 0..64 {
                let ip = self.service_range.random();
                let key = format!("/registry/ipaddresses/{ip}");
                if dry_run || self.store.create(&key, b"{}".to_vec()).await?.is_some() {
                    taken.push(key);
                    got = Some(ip.to_string());
                    break;
                }
            }
            got.ok_or_else(|| ApiError::internal("failed to allocate a service IP: range is full"))?
        };
        svc["spec"]["clusterIP"] = json!(ip);
        svc["spec"]["clusterIPs"] = json!([ip]);
        if ip != "None" {
            svc["spec"]["ipFamilies"] = json!(["IPv4"]);
        }
        if ty == "NodePort" || ty == "LoadBalancer" {
            let ports = svc
                .pointer_mut("/spec/ports")
                .and_then(Value::as_array_mut)
                .map(std::mem::take)
                .unwrap_or_default();
            let mut out = Vec::with_capacity(ports.len());
            for (i, mut p) in ports.into_iter().enumerate() {
                let wanted = p
                    .get("nodePort")
                    .and_then(Value::as_u64)
                    .filter(|n| *n != 0);
                let port = match wanted {
                    Some(n) => {
                        let key = format!("/registry/nodeports/{n}");
                        let in_range = u16::try_from(n).is_ok_and(|n| NODE_PORTS.contains(&n));
                        if !in_range
                            || (!dry_run
                                && self.store.create(&key, b"{}".to_vec()).await?.is_none())
                        {
                            for k in &taken {
                                let _ = self.release(k).await;
                            }
                            return Err(invalid(format!(
                                "spec.ports[{i}].nodePort: Invalid value: {n}: provided port is already allocated or not in the range 30000-32767"
                            )));
                        }
                        taken.push(key);
                        n
                    }
                    None => {
                        let mut got = None;
                        for _ in 0..64 {
                            let n = u64::from(rand::random_range(NODE_PORTS));
                            let key = format!("/registry/nodeports/{n}");
                            if dry_run || self.store.create(&key, b"{}".to_vec()).await?.is_some() {
                                taken.push(key);
                                got = Some(n);
                                break;
                            }
                        }
                        got.ok_or_else(|| {
                            ApiError::internal("failed to allocate a node port: range is full")
                        })?
                    }
                };
                p["nodePort"] = json!(port);
                out.push(p);
            }
            svc["spec"]["ports"] = Value::Array(out);
        }
        Ok(taken)
    }

    async fn release(&self, key: &str) -> ApiResult<()> {
        if let Some(s) = self.store.get(key).await? {
            let _ = self.store.delete(key, s.revision).await?;
        }
        Ok(())
    }

    /// The allocation keys a stored Service holds.
    fn service_allocations(svc: &Value) -> Vec<String> {
        let mut keys = Vec::new();
        if let Some(ip) = svc
            .pointer("/spec/clusterIP")
            .and_then(Value::as_str)
            .filter(|ip| !ip.is_empty() && *ip != "None")
        {
            keys.push(format!("/registry/ipaddresses/{ip}"));
        }
        for p in svc
            .pointer("/spec/ports")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(n) = p
                .get("nodePort")
                .and_then(Value::as_u64)
                .filter(|n| *n != 0)
            {
                keys.push(format!("/registry/nodeports/{n}"));
            }
        }
        keys
    }

    fn check_namespace(r: &Resource, namespace: Option<&str>) -> ApiResult<()> {
        if r.namespaced && namespace.is_none() {
            return Err(ApiError::bad_request(
                "the server could not find the requested resource: a namespace is required",
            ));
        }
        Ok(())
    }

    async fn namespace_must_exist(&self, r: &Resource, namespace: Option<&str>) -> ApiResult<()> {
        let Some(ns) = namespace.filter(|_| r.namespaced) else {
            return Ok(());
        };
        let nsr = resources::find("", "v1", "namespaces").expect("namespaces are served");
        match self.store.get(&nsr.key(None, ns)).await? {
            None => Err(ApiError::not_found("", "namespaces", ns)),
            Some(s) => {
                let obj = decorate(nsr, &s)?;
                if meta(&obj).is_some_and(|m| m.contains_key("deletionTimestamp")) {
                    return Err(ApiError::new(
                        403,
                        "Forbidden",
                        format!(
                            "{} \"\" is forbidden: unable to create new content in namespace {ns} because it is being terminated",
                            r.plural
                        ),
                    ));
                }
                Ok(())
            }
        }
    }

    pub async fn get(
        &self,
        r: &'static Resource,
        namespace: Option<&str>,
        name: &str,
    ) -> ApiResult<Value> {
        match self.store.get(&r.key(namespace, name)).await? {
            Some(s) => decorate(r, &s),
            None => Err(ApiError::not_found(r.group, r.plural, name)),
        }
    }

    /// Decode, type-check and clean up a request body for `r`.
    fn admit_body(
        r: &Resource,
        namespace: Option<&str>,
        mut obj: Value,
        validation_mode: FieldValidation,
        warnings: &mut Vec<String>,
    ) -> ApiResult<Value> {
        if !obj.is_object() {
            return Err(ApiError::bad_request(
                "the request body must be a JSON or YAML object",
            ));
        }
        let api_version = r.api_version();
        match obj.get("apiVersion").and_then(Value::as_str) {
            Some(v) if v != api_version => {
                return Err(ApiError::bad_request(format!(
                    "the API version in the data ({v}) does not match the expected API version ({api_version})"
                )));
            }
            _ => {}
        }
        match obj.get("kind").and_then(Value::as_str) {
            Some(k) if k != r.kind => {
                return Err(ApiError::bad_request(format!(
                    "the kind in the data ({k}) does not match the expected kind ({})",
                    r.kind
                )));
            }
            _ => {}
        }
        obj["apiVersion"] = Value::String(api_version.clone());
        obj["kind"] = Value::String(r.kind.to_string());
        if let (Some(want), Some(got)) = (
            namespace.filter(|_| r.namespaced),
            meta_str(&obj, "namespace"),
        ) && want != got
        {
            return Err(ApiError::bad_request(
                "the namespace of the provided object does not match the namespace sent on the request",
            ));
        }
        let cannot_handle = |e: String| {
            ApiError::bad_request(format!(
                "{} in version \"{}\" cannot be handled as a {}: {e}",
                r.kind, r.version, r.kind
            ))
        };
        let (mut typed, mut unknown) =
            scheme::roundtrip(&api_version, r.kind, &obj).map_err(cannot_handle)?;
        if let Some(info) = crd::info(r) {
            // A custom resource: typed metadata, then upstream's pruning and defaulting
            // against the version's structural schema.
            if let Some(md) = typed.get_mut("metadata") {
                let meta: k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta =
                    serde_json::from_value(md.clone()).map_err(|e| cannot_handle(e.to_string()))?;
                *md = serde_json::to_value(meta).map_err(|e| cannot_handle(e.to_string()))?;
            }
            if let Some(schema) = &info.schema {
                unknown.extend(crd_schema::prune(schema, &mut typed));
                crd_schema::apply_defaults(schema, &mut typed);
            }
        }
        if !unknown.is_empty() {
            match validation_mode {
                FieldValidation::Strict => {
                    let list = unknown
                        .iter()
                        .map(|f| format!("unknown field \"{}\"", f.trim_start_matches('.')))
                        .collect::<Vec<_>>();
                    return Err(ApiError::bad_request(format!(
                        "{} in version \"{}\" cannot be handled as a {}: strict decoding error: {}",
                        r.kind,
                        r.version,
                        r.kind,
                        list.join(", ")
                    )));
                }
                FieldValidation::Warn => {
                    for f in &unknown {
                        warnings.push(format!("unknown field \"{}\"", f.trim_start_matches('.')));
                    }
                }
                FieldValidation::Ignore => {}
            }
        }
        let mut obj = typed;
        let md = meta_mut(&mut obj);
        if r.namespaced {
            if let Some(ns) = namespace {
                md.insert("namespace".into(), Value::String(ns.to_string()));
            }
        } else {
            md.remove("namespace");
        }
        Ok(obj)
    }

    pub async fn create(
        &self,
        r: &'static Resource,
        namespace: Option<&str>,
        body: Value,
        opts: &WriteOptions,
    ) -> ApiResult<Written> {
        Self::check_namespace(r, namespace)?;
        let mut warnings = Vec::new();
        let mut obj = Self::admit_body(r, namespace, body, opts.field_validation, &mut warnings)?;
        self.namespace_must_exist(r, namespace).await?;
        {
            let md = meta_mut(&mut obj);
            if md
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .is_empty()
                && let Some(prefix) = md
                    .get("generateName")
                    .and_then(Value::as_str)
                    .filter(|p| !p.is_empty())
            {
                let name = format!("{prefix}{}", random_suffix(5));
                md.insert("name".into(), Value::String(name));
            }
            md.insert(
                "uid".into(),
                Value::String(uuid::Uuid::new_v4().to_string()),
            );
            md.insert("creationTimestamp".into(), Value::String(now_rfc3339()));
            md.remove("resourceVersion");
            md.remove("deletionTimestamp");
            md.remove("deletionGracePeriodSeconds");
            md.remove("selfLink");
            if tracks_generation(r) {
                md.insert("generation".into(), json!(1));
            } else {
                md.remove("generation");
            }
        }
        match r.kind {
            "Pod" => defaults::prepare_pod_for_create(&mut obj),
            "Node" | "Namespace" => {}
            _ if r.has_subresource("status") => {
                if let Some(m) = obj.as_object_mut() {
                    m.remove("status");
                }
            }
            _ => {}
        }
        defaults::apply_defaults(&r.api_version(), r.kind, &mut obj);
        if is_crd(r) {
            crd_schema::default_crd(&mut obj);
            crd_schema::prepare_crd_for_create(&mut obj);
        }
        let name_for_admission = name_of(&obj).to_string();
        let admission = self
            .admission
            .as_ref()
            .zip(opts.user.as_deref())
            .map(|(a, user)| {
                let req = crate::admission::Request {
                    operation: crate::admission::Operation::Create,
                    resource: r,
                    subresource: None,
                    namespace,
                    name: &name_for_admission,
                    user,
                    dry_run: opts.dry_run,
                };
                (a, req)
            });
        if let Some((admission, req)) = &admission {
            warnings.extend(admission.mutate(self, req, &mut obj, None).await?);
        }
        let allocated = if r.kind == "Service" && r.group.is_empty() {
            self.allocate_service(&mut obj, opts.dry_run).await?
        } else {
            Vec::new()
        };
        let errors = validate_new(r, &obj);
        if !errors.is_empty() {
            for k in &allocated {
                let _ = self.release(k).await;
            }
            return Err(ApiError::invalid(r.group, r.kind, name_of(&obj), &errors));
        }
        if let Some((admission, req)) = &admission {
            match admission.validate(self, req, Some(&obj), None).await {
                Ok(w) => warnings.extend(w),
                Err(e) => {
                    for k in &allocated {
                        let _ = self.release(k).await;
                    }
                    return Err(e);
                }
            }
        }
        if is_crd(r) {
            self.establish_crd(&mut obj).await?;
        }
        track_update(r, None, &mut obj, None, opts);
        let name = name_of(&obj).to_string();
        if opts.dry_run {
            return Ok(Written {
                object: obj,
                warnings,
                created: true,
            });
        }
        let key = r.key(namespace, &name);
        match self.store.create(&key, encode(r, &obj)).await? {
            Some(rev) => {
                if is_crd(r) {
                    self.refresh_crds().await;
                }
                meta_mut(&mut obj).insert("resourceVersion".into(), Value::String(rev.to_string()));
                Ok(Written {
                    object: obj,
                    warnings,
                    created: true,
                })
            }
            None => Err(ApiError::already_exists(r.group, r.plural, &name)),
        }
    }

    /// Write `new` over `old` (the stored version at `old_rev`), applying the update rules of
    /// `subresource` (None: the main resource). Returns `Ok(None)` on a lost race.
    #[allow(clippy::too_many_arguments)]
    async fn write_update(
        &self,
        r: &'static Resource,
        namespace: Option<&str>,
        old: &Value,
        stored: &Stored,
        mut new: Value,
        subresource: Option<&str>,
        opts: &WriteOptions,
        warnings: Vec<String>,
    ) -> ApiResult<Option<Written>> {
        let old_rev = stored.revision;
        let name = name_of(old).to_string();
        {
            // Fields the client cannot change through an update.
            let old_md = meta(old).cloned().unwrap_or_default();
            let md = meta_mut(&mut new);
            for f in [
                "uid",
                "creationTimestamp",
                "deletionTimestamp",
                "deletionGracePeriodSeconds",
                "generation",
            ] {
                match old_md.get(f) {
                    Some(v) => {
                        md.insert(f.into(), v.clone());
                    }
                    None => {
                        md.remove(f);
                    }
                }
            }
            if !md.contains_key("managedFields")
                && let Some(mf) = old_md.get("managedFields")
            {
                md.insert("managedFields".into(), mf.clone());
            }
            md.insert("name".into(), Value::String(name.clone()));
            md.remove("resourceVersion");
        }
        match subresource {
            Some("approval") => {
                // The approval subresource changes only the conditions (upstream's
                // csrApprovalStrategy).
                let conditions = new.pointer("/status/conditions").cloned();
                new = old.clone();
                match conditions {
                    Some(c) => new["status"]["conditions"] = c,
                    None => {
                        if let Some(st) = new.get_mut("status").and_then(Value::as_object_mut) {
                            st.remove("conditions");
                        }
                    }
                }
            }
            Some("status") => {
                // A status update changes only the status (and nothing of the spec or metadata
                // but what upstream lets through: none here).
                let status = new.get("status").cloned();
                new = old.clone();
                match status {
                    Some(s) => new["status"] = s,
                    None => {
                        if let Some(m) = new.as_object_mut() {
                            m.remove("status");
                        }
                    }
                }
            }
            _ if r.has_subresource("status") && r.kind != "Node" => match old.get("status") {
                Some(s) => new["status"] = s.clone(),
                None => {
                    if let Some(m) = new.as_object_mut() {
                        m.remove("status");
                    }
                }
            },
            _ => {}
        }
        if let Some(m) = new.get_mut("metadata").and_then(Value::as_object_mut) {
            m.remove("resourceVersion");
        }
        if r.kind == "Service" && r.group.is_empty() {
            for f in ["clusterIP", "clusterIPs", "ipFamilies"] {
                let unset = new
                    .pointer(&format!("/spec/{f}"))
                    .is_none_or(|v| v.is_null() || v == "" || v == &json!([]));
                if unset
                    && let (Some(v), Some(spec)) = (
                        old.pointer(&format!("/spec/{f}")).cloned(),
                        new.get_mut("spec").and_then(Value::as_object_mut),
                    )
                {
                    spec.insert(f.into(), v);
                }
            }
        }
        defaults::apply_defaults(&r.api_version(), r.kind, &mut new);
        if is_crd(r) {
            crd_schema::default_crd(&mut new);
            if subresource != Some("status") {
                crd_schema::prepare_crd_for_update(&mut new, old);
            }
        }
        if tracks_generation(r) && spec_of(&new) != spec_of(old) {
            let g = meta(old)
                .and_then(|m| m.get("generation"))
                .and_then(Value::as_i64)
                .unwrap_or(0);
            meta_mut(&mut new).insert("generation".into(), json!(g + 1));
        }
        let admission_req = opts.user.as_deref().map(|user| crate::admission::Request {
            operation: crate::admission::Operation::Update,
            resource: r,
            subresource,
            namespace,
            name: &name,
            user,
            dry_run: opts.dry_run,
        });
        let mut warnings = warnings;
        if let (Some(admission), Some(req)) = (&self.admission, &admission_req) {
            warnings.extend(admission.mutate(self, req, &mut new, Some(old)).await?);
        }
        let errors = validate_changed(r, &new, old, subresource);
        if !errors.is_empty() {
            return Err(ApiError::invalid(r.group, r.kind, &name, &errors));
        }
        if let (Some(admission), Some(req)) = (&self.admission, &admission_req) {
            warnings.extend(admission.validate(self, req, Some(&new), Some(old)).await?);
        }
        if is_crd(r) && subresource != Some("status") {
            self.establish_crd(&mut new).await?;
        }
        track_update(r, Some(old), &mut new, subresource, opts);
        // Nothing changed: no write, same resourceVersion (as upstream).
        let mut old_plain = old.clone();
        if let Some(m) = old_plain.get_mut("metadata").and_then(Value::as_object_mut) {
            m.remove("resourceVersion");
        }
        let unchanged_without_managers = {
            let strip = |v: &Value| {
                let mut v = v.clone();
                if let Some(m) = v.get_mut("metadata").and_then(Value::as_object_mut) {
                    m.remove("managedFields");
                }
                v
            };
            strip(&new) == strip(&old_plain)
        };
        // A value the encryption config would write differently (an older key, or plaintext
        // now covered) is written anyway: re-writing rotates keys, as upstream.
        if unchanged_without_managers && !stored.stale {
            let mut obj = old.clone();
            meta_mut(&mut obj).insert("resourceVersion".into(), Value::String(old_rev.to_string()));
            return Ok(Some(Written {
                object: obj,
                warnings,
                created: false,
            }));
        }
        // The last finalizer of an object being deleted is gone: the object goes.
        let finalizers_empty = meta(&new)
            .and_then(|m| m.get("finalizers"))
            .and_then(Value::as_array)
            .is_none_or(|f| f.is_empty());
        let namespace_finalizers = r.kind == "Namespace"
            && new
                .pointer("/spec/finalizers")
                .and_then(Value::as_array)
                .is_some_and(|f| !f.is_empty());
        let being_deleted = meta(&new).is_some_and(|m| m.contains_key("deletionTimestamp"))
            && !namespace_finalizers;
        let key = r.key(namespace, &name);
        if opts.dry_run {
            return Ok(Some(Written {
                object: new,
                warnings,
                created: false,
            }));
        }
        if being_deleted && finalizers_empty && !(r.kind == "Pod" && pod_awaits_kubelet(&new)) {
            return match self.store.delete(&key, old_rev).await? {
                Ok(rev) => {
                    meta_mut(&mut new)
                        .insert("resourceVersion".into(), Value::String(rev.to_string()));
                    Ok(Some(Written {
                        object: new,
                        warnings,
                        created: false,
                    }))
                }
                Err(_) => Ok(None),
            };
        }
        match self.store.update(&key, encode(r, &new), old_rev).await? {
            Ok(rev) => {
                if is_crd(r) {
                    self.refresh_crds().await;
                }
                meta_mut(&mut new).insert("resourceVersion".into(), Value::String(rev.to_string()));
                Ok(Some(Written {
                    object: new,
                    warnings,
                    created: false,
                }))
            }
            Err(_) => Ok(None),
        }
    }

    /// PUT: replace the object (or its status).
    pub async fn update(
        &self,
        r: &'static Resource,
        namespace: Option<&str>,
        name: &str,
        body: Value,
        subresource: Option<&str>,
        opts: &WriteOptions,
    ) -> ApiResult<Written> {
        Self::check_namespace(r, namespace)?;
        let mut warnings = Vec::new();
        let new = Self::admit_body(r, namespace, body, opts.field_validation, &mut warnings)?;
        if let Some(n) = meta_str(&new, "name")
            && n != name
        {
            return Err(ApiError::bad_request(format!(
                "the name of the object ({n}) does not match the name on the URL ({name})"
            )));
        }
        let precondition = meta_str(&new, "resourceVersion").map(str::to_string);
        for _ in 0..8 {
            let stored = self
                .store
                .get(&r.key(namespace, name))
                .await?
                .ok_or_else(|| ApiError::not_found(r.group, r.plural, name))?;
            if let Some(rv) = &precondition
                && *rv != stored.revision.to_string()
            {
                return Err(ApiError::conflict(r.group, r.plural, name));
            }
            let old = decorate(r, &stored)?;
            if let Some(w) = self
                .write_update(
                    r,
                    namespace,
                    &old,
                    &stored,
                    new.clone(),
                    subresource,
                    opts,
                    warnings.clone(),
                )
                .await?
            {
                return Ok(w);
            }
            if precondition.is_some() {
                return Err(ApiError::conflict(r.group, r.plural, name));
            }
        }
        Err(ApiError::conflict(r.group, r.plural, name))
    }

    /// PATCH with one of the patch content types.
    #[allow(clippy::too_many_arguments)]
    pub async fn patch(
        &self,
        r: &'static Resource,
        namespace: Option<&str>,
        name: &str,
        content_type: &str,
        body: &Value,
        subresource: Option<&str>,
        opts: &WriteOptions,
        force: bool,
    ) -> ApiResult<Written> {
        Self::check_namespace(r, namespace)?;
        let api_version = r.api_version();
        for _ in 0..8 {
            let stored = self.store.get(&r.key(namespace, name)).await?;
            let Some(stored) = stored else {
                if content_type == "application/apply-patch+yaml" && subresource.is_none() {
                    // Server-side apply creates what does not exist.
                    let mut opts = opts.clone();
                    let mut obj = self.server_side_apply(r, None, body, None, &opts, force)?;
                    if meta_str(&obj, "name").is_none() {
                        meta_mut(&mut obj).insert("name".into(), Value::String(name.to_string()));
                    }
                    opts.managed_fields_done = true;
                    let mut w = self.create(r, namespace, obj, &opts).await?;
                    w.created = true;
                    return Ok(w);
                }
                return Err(ApiError::not_found(r.group, r.plural, name));
            };
            let old = decorate(r, &stored)?;
            let mut patched = match content_type {
                "application/json-patch+json" => {
                    patch::json_patch(&old, body).map_err(patch_error)?
                }
                "application/merge-patch+json" => patch::merge_patch(&old, body),
                "application/strategic-merge-patch+json" => {
                    patch::strategic_merge_patch(&api_version, r.kind, &old, body)
                        .map_err(patch_error)?
                }
                "application/apply-patch+yaml" => {
                    self.server_side_apply(r, Some(&old), body, subresource, opts, force)?
                }
                other => return Err(ApiError::unsupported_media_type(other)),
            };
            let precondition = body
                .get("metadata")
                .and_then(|m| m.get("resourceVersion"))
                .and_then(Value::as_str)
                .map(str::to_string);
            if let Some(rv) = &precondition
                && *rv != stored.revision.to_string()
            {
                return Err(ApiError::conflict(r.group, r.plural, name));
            }
            let mut warnings = Vec::new();
            if let Some(m) = patched.get_mut("metadata").and_then(Value::as_object_mut) {
                m.remove("resourceVersion");
            }
            let new =
                Self::admit_body(r, namespace, patched, opts.field_validation, &mut warnings)?;
            let mut opts = opts.clone();
            opts.managed_fields_done = content_type == "application/apply-patch+yaml";
            if let Some(w) = self
                .write_update(
                    r,
                    namespace,
                    &old,
                    &stored,
                    new,
                    subresource,
                    &opts,
                    warnings,
                )
                .await?
            {
                return Ok(w);
            }
            if precondition.is_some() {
                return Err(ApiError::conflict(r.group, r.plural, name));
            }
        }
        Err(ApiError::conflict(r.group, r.plural, name))
    }

    /// Server-side apply of `body` over `live` (None: create): the merged object with its
    /// managedFields, or upstream's 400/409 (conflicts) answers.
    fn server_side_apply(
        &self,
        r: &Resource,
        live: Option<&Value>,
        body: &Value,
        subresource: Option<&str>,
        opts: &WriteOptions,
        force: bool,
    ) -> ApiResult<Value> {
        let manager = opts.field_manager.as_deref().ok_or_else(|| {
            ApiError::bad_request(
                "PATCH, application/apply-patch+yaml requests require a fieldManager",
            )
        })?;
        let (api_version, now) = (r.api_version(), now_rfc3339());
        let op = managed_fields::Operation {
            manager,
            api_version: &api_version,
            kind: r.kind,
            subresource,
            now: &now,
        };
        managed_fields::apply(live, body, force, &op, type_info(r).as_ref()).map_err(apply_error)
    }

    pub async fn delete(
        &self,
        r: &'static Resource,
        namespace: Option<&str>,
        name: &str,
        opts: &DeleteOptions,
    ) -> ApiResult<Value> {
        if !is_crd(r) {
            return self.delete_object(r, namespace, name, opts).await;
        }
        // A CRD takes its custom resources with it (upstream's finalizer
        // customresourcecleanup.apiextensions.k8s.io, done before the CRD goes).
        if !opts.dry_run
            && let Some(stored) = self.store.get(&r.key(None, name)).await?
        {
            let crd = decorate(r, &stored)?;
            let group = crd.pointer("/spec/group").and_then(Value::as_str);
            let plural = crd.pointer("/spec/names/plural").and_then(Value::as_str);
            if let (Some(group), Some(plural)) = (group, plural) {
                let prefix = format!("/registry/{group}/{plural}/");
                let page = self.store.list(&prefix, None, 0, 0).await?;
                for item in page.items {
                    let _ = self.store.delete(&item.key, item.revision).await?;
                }
            }
        }
        let out = self.delete_object(r, namespace, name, opts).await;
        self.refresh_crds().await;
        out
    }

    /// Serve what the CRDs in the store define now.
    pub async fn refresh_crds(&self) {
        match self.crds().await {
            Ok(crds) => crd::install(&crds),
            Err(err) => tracing::warn!(%err, "listing CustomResourceDefinitions"),
        }
    }

    /// Every CustomResourceDefinition in the store.
    async fn crds(&self) -> ApiResult<Vec<Value>> {
        let r = crd_resource();
        let page = self.store.list(&r.key_prefix(), None, 0, 0).await?;
        Ok(page
            .items
            .iter()
            .filter_map(|s| decorate(r, s).ok())
            .collect())
    }

    /// Keep serving what the CRDs define while other servers change them.
    pub fn spawn_crd_watch(&self) {
        let registry = self.clone();
        tokio::spawn(async move {
            let r = crd_resource();
            loop {
                registry.refresh_crds().await;
                let (tx, mut rx) = tokio::sync::mpsc::channel(16);
                if registry
                    .watch(r, None, &ListOptions::default(), None, tx, false, false)
                    .await
                    .is_ok()
                {
                    while let Some(ev) = rx.recv().await {
                        if ev.kind == "ERROR" {
                            break;
                        }
                        registry.refresh_crds().await;
                    }
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        });
    }

    /// upstream's naming and establishing controllers, run before a CRD is written: accept
    /// its names unless another CRD of the group holds them, then mark it Established.
    async fn establish_crd(&self, crd: &mut Value) -> ApiResult<()> {
        let name = name_of(crd).to_string();
        let mut others = self.crds().await?;
        others.retain(|c| name_of(c) != name);
        let now = now_rfc3339();
        if crd_schema::accept_crd_names(crd, &others, &now) {
            crd_schema::establish_crd(crd, &now);
        }
        Ok(())
    }

    async fn delete_object(
        &self,
        r: &'static Resource,
        namespace: Option<&str>,
        name: &str,
        opts: &DeleteOptions,
    ) -> ApiResult<Value> {
        Self::check_namespace(r, namespace)?;
        let key = r.key(namespace, name);
        for _ in 0..8 {
            let stored = self
                .store
                .get(&key)
                .await?
                .ok_or_else(|| ApiError::not_found(r.group, r.plural, name))?;
            let obj = decorate(r, &stored)?;
            if let Some((admission, user)) = self.admission.as_ref().zip(opts.user.as_deref()) {
                let req = crate::admission::Request {
                    operation: crate::admission::Operation::Delete,
                    resource: r,
                    subresource: None,
                    namespace,
                    name,
                    user,
                    dry_run: opts.dry_run,
                };
                admission.validate(self, &req, None, Some(&obj)).await?;
            }
            if let Some(uid) = &opts.precondition_uid
                && meta_str(&obj, "uid") != Some(uid.as_str())
            {
                return Err(ApiError::conflict(r.group, r.plural, name));
            }
            if let Some(rv) = &opts.precondition_rv
                && *rv != stored.revision.to_string()
            {
                return Err(ApiError::conflict(r.group, r.plural, name));
            }
            let mut finalizers: Vec<Value> = meta(&obj)
                .and_then(|m| m.get("finalizers"))
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            match opts.propagation_policy.as_deref() {
                Some("Orphan") if !finalizers.contains(&json!("orphan")) => {
                    finalizers.push(json!("orphan"))
                }
                Some("Foreground") if !finalizers.contains(&json!("foregroundDeletion")) => {
                    finalizers.push(json!("foregroundDeletion"))
                }
                _ => {}
            }
            let namespace_finalizers = r.kind == "Namespace"
                && obj
                    .pointer("/spec/finalizers")
                    .and_then(Value::as_array)
                    .is_some_and(|f| !f.is_empty());
            let grace = if r.kind == "Pod" {
                pod_grace(&obj, opts.grace_period_seconds)
            } else {
                0
            };
            let already_deleting = meta(&obj).is_some_and(|m| m.contains_key("deletionTimestamp"));
            if !finalizers.is_empty() || namespace_finalizers || grace > 0 {
                // Graceful: mark it; finalizers, the namespace controller or the kubelet finish it.
                let mut marked = obj.clone();
                {
                    let md = meta_mut(&mut marked);
                    if !already_deleting {
                        let at = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(grace);
                        let at = jiff::Timestamp::from_second(at.as_second()).unwrap_or(at);
                        md.insert("deletionTimestamp".into(), Value::String(at.to_string()));
                    }
                    let old_grace = md.get("deletionGracePeriodSeconds").and_then(Value::as_i64);
                    let g = old_grace.map_or(grace, |o| o.min(grace));
                    md.insert("deletionGracePeriodSeconds".into(), json!(g));
                    if !finalizers.is_empty() {
                        md.insert("finalizers".into(), Value::Array(finalizers.clone()));
                    }
                    md.remove("resourceVersion");
                }
                if r.kind == "Namespace" {
                    marked["status"] = json!({"phase": "Terminating"});
                }
                if opts.dry_run {
                    return Ok(marked);
                }
                match self
                    .store
                    .update(&key, encode(r, &marked), stored.revision)
                    .await?
                {
                    Ok(rev) => {
                        meta_mut(&mut marked)
                            .insert("resourceVersion".into(), Value::String(rev.to_string()));
                        return Ok(marked);
                    }
                    Err(_) => continue,
                }
            }
            if opts.dry_run {
                return Ok(obj);
            }
            match self.store.delete(&key, stored.revision).await? {
                Ok(_) => {
                    if r.kind == "Service" && r.group.is_empty() {
                        for k in Self::service_allocations(&obj) {
                            let _ = self.release(&k).await;
                        }
                    }
                    return Ok(crate::error::success_status(json!({
                        "name": name,
                        "group": r.group,
                        "kind": r.plural,
                        "uid": meta_str(&obj, "uid").unwrap_or(""),
                    })));
                }
                Err(_) => continue,
            }
        }
        Err(ApiError::conflict(r.group, r.plural, name))
    }

    pub async fn list(
        &self,
        r: &'static Resource,
        namespace: Option<&str>,
        opts: &ListOptions,
    ) -> ApiResult<(Vec<Value>, i64, Option<String>, i64)> {
        let (items, rev, cont, remaining) = self.list_items(r, namespace, opts).await?;
        let items = items.into_iter().map(|i| i.into_value(r)).collect();
        Ok((items, rev, cont, remaining))
    }

    /// [`Registry::list`], with the objects of the watch cache shared rather than copied
    /// (what the server sends to clients).
    pub async fn list_items(
        &self,
        r: &'static Resource,
        namespace: Option<&str>,
        opts: &ListOptions,
    ) -> ApiResult<(Vec<ListItem>, i64, Option<String>, i64)> {
        let prefix = match namespace.filter(|_| r.namespaced) {
            Some(ns) => format!("{}{ns}/", r.key_prefix()),
            None => r.key_prefix(),
        };
        let (mut start_after, mut revision) = (None, 0);
        if let Some(token) = opts.continue_token.as_deref().filter(|t| !t.is_empty()) {
            let raw = base64::engine::general_purpose::STANDARD
                .decode(token)
                .map_err(|_| {
                    ApiError::bad_request("continue key is not valid: illegal base64 data")
                })?;
            let t: ContinueToken = serde_json::from_slice(&raw)
                .map_err(|_| ApiError::bad_request("continue key is not valid"))?;
            start_after = Some(format!("{prefix}{}", t.start.trim_end_matches('\0')));
            revision = t.rv;
        } else if let Some(rv) = opts.resource_version.as_deref()
            && opts.resource_version_match.as_deref() == Some("Exact")
        {
            revision = rv
                .parse()
                .map_err(|_| ApiError::bad_request(format!("invalid resource version: {rv}")))?;
        }
        let filtered = opts.label_selector.as_ref().is_some_and(|s| !s.is_empty())
            || opts.field_selector.as_ref().is_some_and(|s| !s.is_empty());
        if start_after.is_none()
            && revision == 0
            && let Some(page) = self.list_from_cache(r, &prefix, opts, filtered).await?
        {
            return Ok(page);
        }
        let mut items = Vec::new();
        let mut list_rev = revision;
        loop {
            let want = if opts.limit > 0 {
                (opts.limit - items.len() as i64).max(1)
            } else {
                0
            };
            let page = self
                .store
                .list(&prefix, start_after.as_deref(), want, list_rev)
                .await
                .map_err(|e| {
                    if e.code == 410 && opts.continue_token.is_some() {
                        ApiError::expired("The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.")
                    } else {
                        e
                    }
                })?;
            list_rev = page.revision;
            let last_key = page.items.last().map(|s| s.key.clone());
            for s in &page.items {
                let obj = decorate(r, s)?;
                if filtered && !matches(&obj, opts) {
                    continue;
                }
                items.push(ListItem::Owned(obj));
            }
            if page.remaining == 0 || last_key.is_none() {
                return Ok((items, list_rev, None, 0));
            }
            start_after = last_key.clone();
            if opts.limit > 0 && items.len() as i64 >= opts.limit {
                let start = last_key.unwrap_or_default();
                let token = ContinueToken {
                    v: "meta.k8s.io/v1".into(),
                    rv: list_rev,
                    start: format!("{}\0", start.strip_prefix(&prefix).unwrap_or(&start)),
                };
                let token = base64::engine::general_purpose::STANDARD
                    .encode(serde_json::to_vec(&token).unwrap_or_default());
                let remaining = if filtered { 0 } else { page.remaining };
                return Ok((items, list_rev, Some(token), remaining));
            }
        }
    }

    /// A list served from the watch cache, as upstream's consistent reads from cache: the
    /// cache first catches up with the store's current revision (or the client's
    /// `resourceVersion`; `"0"` takes it as it is). None when the cache cannot catch up in
    /// time: the store serves the list. A limited list continues from the store at the
    /// revision of its first page.
    async fn list_from_cache(
        &self,
        r: &'static Resource,
        prefix: &str,
        opts: &ListOptions,
        filtered: bool,
    ) -> ApiResult<Option<(Vec<ListItem>, i64, Option<String>, i64)>> {
        let wanted =
            match opts.resource_version.as_deref() {
                None if !self.consistent_list_from_cache => return Ok(None),
                None => Some(self.store.revision().await?),
                Some("0") => None,
                Some(rv) => Some(rv.parse::<i64>().map_err(|_| {
                    ApiError::bad_request(format!("invalid resource version: {rv}"))
                })?),
            };
        let cache = self.cache.get(r).await?;
        if let Some(rev) = wanted
            && !cache.wait_for(rev, Duration::from_secs(3)).await
        {
            if opts.resource_version.is_some() {
                return Err(ApiError::too_large_resource_version(rev, cache.revision()));
            }
            return Ok(None);
        }
        let (objects, revision) = cache.snapshot(prefix);
        let limit = usize::try_from(opts.limit).unwrap_or(0);
        let mut items = Vec::new();
        let mut last_key = None;
        let mut taken = 0;
        let api_version = r.api_version();
        for (_, o) in &objects {
            taken += 1;
            let item = if served_as_stored(&o.object, r, &api_version) {
                ListItem::Cached(o.clone())
            } else {
                ListItem::Owned(from_storage(r, (*o.object).clone()))
            };
            if filtered && !matches(item.object(), opts) {
                continue;
            }
            items.push(item);
            if limit > 0 && items.len() >= limit {
                last_key = Some(taken);
                break;
            }
        }
        let Some(taken) = last_key.filter(|n| *n < objects.len()) else {
            return Ok(Some((items, revision, None, 0)));
        };
        let last = &objects[taken - 1].0;
        let start = format!("{}\0", last.strip_prefix(prefix).unwrap_or(last));
        let token = ContinueToken {
            v: "meta.k8s.io/v1".into(),
            rv: revision,
            start,
        };
        let token = base64::engine::general_purpose::STANDARD
            .encode(serde_json::to_vec(&token).unwrap_or_default());
        let remaining = if filtered {
            0
        } else {
            (objects.len() - taken) as i64
        };
        Ok(Some((items, revision, Some(token), remaining)))
    }

    /// Wait until the watch cache of `r` has seen revision `rv` (a `NotOlderThan` request), as
    /// upstream's cache does for up to 3 seconds before answering 504 Timeout.
    /// Objects of `r` whose keys start with `prefix` as the watch cache holds them now, and the
    /// revision they are current at (no wait for the store): what upstream's informer-fed
    /// authenticators, authorizers and admission plugins read.
    pub async fn cached(
        &self,
        r: &'static Resource,
        prefix: &str,
    ) -> ApiResult<(Vec<(String, crate::cache::Entry)>, i64)> {
        Ok(self.cache.get(r).await?.snapshot(prefix))
    }

    /// One object from the watch cache (see [`Registry::cached`]).
    pub async fn cached_object(
        &self,
        r: &'static Resource,
        namespace: Option<&str>,
        name: &str,
    ) -> ApiResult<Option<std::sync::Arc<Value>>> {
        let key = r.key(namespace, name);
        let (items, _) = self.cached(r, &key).await?;
        Ok(items
            .into_iter()
            .find(|(k, _)| *k == key)
            .map(|(_, e)| e.object))
    }

    /// The watch cache's revision for `r`.
    pub async fn cached_revision(&self, r: &'static Resource) -> ApiResult<i64> {
        Ok(self.cache.get(r).await?.revision())
    }

    pub async fn wait_for_revision(&self, r: &'static Resource, rv: i64) -> ApiResult<()> {
        let cache = self.cache.get(r).await?;
        if cache.wait_for(rv, Duration::from_secs(3)).await {
            Ok(())
        } else {
            Err(ApiError::too_large_resource_version(rv, cache.revision()))
        }
    }

    /// Changes to objects of `r` after revision `from` (None: the current objects as ADDED
    /// first), filtered by the selectors, sent to `tx` until the client goes away. Served from
    /// the watch cache. With `initial_events_end` (a `sendInitialEvents` watch) the current
    /// objects are followed by a BOOKMARK annotated `k8s.io/initial-events-end`.
    #[allow(clippy::too_many_arguments)]
    pub async fn watch(
        &self,
        r: &'static Resource,
        namespace: Option<&str>,
        opts: &ListOptions,
        from: Option<i64>,
        tx: tokio::sync::mpsc::Sender<WatchEvent>,
        bookmarks: bool,
        initial_events_end: bool,
    ) -> ApiResult<()> {
        let prefix = match namespace.filter(|_| r.namespaced) {
            Some(ns) => format!("{}{ns}/", r.key_prefix()),
            None => r.key_prefix(),
        };
        let cache = self.cache.get(r).await?;
        let sub = match cache.subscribe(&prefix, from.filter(|rv| *rv > 0)) {
            Ok(sub) => sub,
            // Like upstream, a too-old resourceVersion is the stream's first event, not an
            // HTTP error: clients (client-go, kube-rs) relist on that event.
            Err(e) if e.code == 410 => {
                let _ = tx.send(WatchEvent::new("ERROR", e.to_status())).await;
                return Ok(());
            }
            Err(e) => return Err(e),
        };
        let opts = opts.clone();
        tokio::spawn(async move {
            let api_version = r.api_version();
            let filtered = opts.label_selector.as_ref().is_some_and(|s| !s.is_empty())
                || opts.field_selector.as_ref().is_some_and(|s| !s.is_empty());
            let mut last = sub.revision;
            let mut live = sub.live;
            for e in sub.initial {
                last = last.max(e.revision);
                if let Some(ev) = transform(r, &api_version, &e, filtered, &opts)
                    && tx.send(ev).await.is_err()
                {
                    return;
                }
            }
            if initial_events_end {
                let obj = json!({
                    "kind": r.kind,
                    "apiVersion": r.api_version(),
                    "metadata": {
                        "resourceVersion": last.to_string(),
                        "annotations": {"k8s.io/initial-events-end": "true"},
                    },
                });
                if tx.send(WatchEvent::new("BOOKMARK", obj)).await.is_err() {
                    return;
                }
            }
            let mut bookmark = tokio::time::interval(Duration::from_secs(60));
            bookmark.tick().await;
            loop {
                let e = tokio::select! {
                    e = live.recv() => e,
                    _ = bookmark.tick(), if bookmarks => {
                        // Everything up to the cache's revision is in our queue already.
                        let rev = cache.revision();
                        while let Ok(e) = live.try_recv() {
                            if e.kind == "RESET" || e.revision <= last || !e.key.starts_with(&prefix) { continue; }
                            last = e.revision;
                            if let Some(ev) = transform(r, &api_version, &e, filtered, &opts)
                                && tx.send(ev).await.is_err() { return; }
                        }
                        last = last.max(rev);
                        let obj = json!({"kind": r.kind, "apiVersion": r.api_version(), "metadata": {"resourceVersion": last.to_string()}});
                        if tx.send(WatchEvent::new("BOOKMARK", obj)).await.is_err() { return; }
                        continue;
                    }
                    _ = tx.closed() => return,
                };
                let e = match e {
                    Ok(e) => e,
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                        let status = ApiError::expired(format!(
                            "too old resource version: {last} (watcher fell {n} events behind)"
                        ))
                        .to_status();
                        let _ = tx.send(WatchEvent::new("ERROR", status)).await;
                        return;
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
                };
                if e.kind == "RESET" {
                    let status = ApiError::expired(format!(
                        "too old resource version: {last} ({})",
                        e.revision
                    ))
                    .to_status();
                    let _ = tx.send(WatchEvent::new("ERROR", status)).await;
                    return;
                }
                if e.revision <= last || !e.key.starts_with(&prefix) {
                    continue;
                }
                last = e.revision;
                if let Some(ev) = transform(r, &api_version, &e, filtered, &opts)
                    && tx.send(ev).await.is_err()
                {
                    return;
                }
            }
        });
        Ok(())
    }
}

/// What a watcher with these selectors sees of a cache event: an object entering the
/// selection is ADDED, one leaving it is DELETED (as upstream).
/// Whether a cached object is already in the version `r` (of `api_version`) serves: it is then
/// sent as stored, without a copy.
fn served_as_stored(obj: &Value, r: &Resource, api_version: &str) -> bool {
    obj.get("apiVersion").and_then(Value::as_str) == Some(api_version)
        && obj.get("kind").and_then(Value::as_str) == Some(r.kind)
}

fn transform(
    r: &Resource,
    api_version: &str,
    e: &std::sync::Arc<CacheEvent>,
    filtered: bool,
    opts: &ListOptions,
) -> Option<WatchEvent> {
    let as_stored = served_as_stored(&e.object, r, api_version);
    let event = |kind: &'static str| {
        if as_stored {
            WatchEvent {
                kind,
                object: Value::Null,
                cached: Some(e.clone()),
            }
        } else {
            WatchEvent::new(kind, from_storage(r, (*e.object).clone()))
        }
    };
    if !filtered {
        return Some(event(e.kind));
    }
    let now_in = matches(&e.object, opts);
    match e.kind {
        "DELETED" => now_in.then(|| event("DELETED")),
        _ => {
            let was_in = e.previous.as_ref().is_some_and(|p| matches(p, opts));
            match (was_in, now_in) {
                (true, true) => Some(event("MODIFIED")),
                (false, true) => Some(event("ADDED")),
                (true, false) => Some(event("DELETED")),
                (false, false) => None,
            }
        }
    }
}

fn matches(obj: &Value, opts: &ListOptions) -> bool {
    let empty = Map::new();
    let labels = obj
        .pointer("/metadata/labels")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    opts.label_selector
        .as_ref()
        .is_none_or(|s| s.matches(labels))
        && opts.field_selector.as_ref().is_none_or(|s| s.matches(obj))
}

fn patch_error(e: patch::PatchError) -> ApiError {
    ApiError::new(e.code(), e.reason(), e.to_string())
}

/// The grace period a pod deletion gets: 0 for pods no kubelet runs (not scheduled), else the
/// request's or the pod's own.
fn pod_grace(pod: &Value, requested: Option<i64>) -> i64 {
    if !pod_awaits_kubelet(pod) {
        return 0;
    }
    requested
        .or_else(|| {
            pod.pointer("/spec/terminationGracePeriodSeconds")
                .and_then(Value::as_i64)
        })
        .unwrap_or(30)
        .max(0)
}

/// A pod bound to a node that has not finished: its kubelet must stop it before it goes.
fn pod_awaits_kubelet(pod: &Value) -> bool {
    let scheduled = pod
        .pointer("/spec/nodeName")
        .and_then(Value::as_str)
        .is_some_and(|n| !n.is_empty());
    let phase = pod
        .pointer("/status/phase")
        .and_then(Value::as_str)
        .unwrap_or("");
    scheduled && phase != "Succeeded" && phase != "Failed"
}

/// The validation of a new object of `r`: upstream's per-kind rules, the CRD rules, or a
/// custom resource's schema.
fn validate_new(r: &Resource, obj: &Value) -> Vec<validation::FieldError> {
    if is_crd(r) {
        return crd_schema::validate_crd(obj, None);
    }
    let mut errors = validation::validate_create(&r.api_version(), r.kind, obj);
    if let Some(info) = crd::info(r) {
        errors.extend(crd_schema::validate_type_meta(
            obj, r.group, r.version, r.kind,
        ));
        if let Some(schema) = &info.schema {
            errors.extend(crd_schema::validate(schema, obj));
        }
    }
    errors
}

/// The validation of an update of `old` to `obj` (through `subresource`).
fn validate_changed(
    r: &Resource,
    obj: &Value,
    old: &Value,
    subresource: Option<&str>,
) -> Vec<validation::FieldError> {
    if is_crd(r) {
        return match subresource {
            Some("status") => crd_schema::validate_crd_status_update(obj, old),
            _ => crd_schema::validate_crd(obj, Some(old)),
        };
    }
    let mut errors = validation::validate_update(&r.api_version(), r.kind, obj, old);
    if let Some(info) = crd::info(r) {
        errors.extend(crd_schema::validate_type_meta(
            obj, r.group, r.version, r.kind,
        ));
        if let Some(schema) = &info.schema {
            errors.extend(match subresource {
                Some("status") => crd_schema::validate_status_update(schema, obj, old),
                _ => crd_schema::validate_update(schema, obj, old),
            });
        }
    }
    errors
}

fn is_crd(r: &Resource) -> bool {
    r.group == "apiextensions.k8s.io" && r.kind == "CustomResourceDefinition"
}

fn crd_resource() -> &'static Resource {
    resources::find("apiextensions.k8s.io", "v1", "customresourcedefinitions")
        .expect("customresourcedefinitions are served")
}

/// upstream's `MaxDisruptedPodSize`: evictions not yet confirmed by the disruption controller.
const MAX_DISRUPTED_PODS: usize = 2000;

/// upstream's `NewTooManyRequests` for an eviction refused by a disruption budget.
fn disruption_refused(retry_after: i64, cause: String) -> ApiError {
    let mut details = json!({"causes": [{"reason": "DisruptionBudget", "message": cause}]});
    if retry_after > 0 {
        details["retryAfterSeconds"] = json!(retry_after);
    }
    ApiError {
        details: Some(details),
        ..ApiError::new(
            429,
            "TooManyRequests",
            "Cannot evict pod as it would violate the pod's disruption budget.",
        )
    }
}

/// A pod whose eviction no budget guards: finished, not started, or already going.
fn eviction_ignores_budgets(pod: &Value) -> bool {
    let phase = pod
        .pointer("/status/phase")
        .and_then(Value::as_str)
        .unwrap_or("");
    matches!(phase, "Succeeded" | "Failed" | "Pending")
        || meta(pod).is_some_and(|m| m.contains_key("deletionTimestamp"))
}

fn pod_ready(pod: &Value) -> bool {
    pod.pointer("/status/conditions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .any(|c| c["type"] == "Ready" && c["status"] == "True")
}

impl Registry {
    /// The `eviction` subresource of pods (upstream's `EvictionREST`): delete the pod if no
    /// PodDisruptionBudget forbids it, charging the budget's `disruptionsAllowed` first.
    pub async fn evict(
        &self,
        pods: &'static Resource,
        namespace: &str,
        name: &str,
        opts: &DeleteOptions,
    ) -> ApiResult<()> {
        let pdbs = resources::find("policy", "v1", "poddisruptionbudgets")
            .expect("poddisruptionbudgets are served");
        for _ in 0..8 {
            let pod = self.get(pods, Some(namespace), name).await?;
            if eviction_ignores_budgets(&pod) {
                self.delete(pods, Some(namespace), name, opts).await?;
                return Ok(());
            }
            let empty = Map::new();
            let labels = pod
                .pointer("/metadata/labels")
                .and_then(Value::as_object)
                .unwrap_or(&empty);
            let (all, _, _, _) = self
                .list(pdbs, Some(namespace), &ListOptions::default())
                .await?;
            let mut matching: Vec<Value> = all
                .into_iter()
                .filter(|pdb| {
                    crate::selectors::label_selector_from_json(
                        pdb.pointer("/spec/selector").unwrap_or(&Value::Null),
                    )
                    .is_ok_and(|s| !s.matches_nothing() && s.matches(labels))
                })
                .collect();
            let Some(mut pdb) = matching.pop() else {
                self.delete(pods, Some(namespace), name, opts).await?;
                return Ok(());
            };
            if !matching.is_empty() {
                return Err(ApiError::new(
                    500,
                    "InternalError",
                    "Internal error occurred: This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.",
                ));
            }
            let pdb_name = name_of(&pdb).to_string();
            let num = |p: &str| pdb.pointer(p).and_then(Value::as_i64).unwrap_or(0);
            if num("/status/observedGeneration") < num("/metadata/generation") {
                return Err(disruption_refused(
                    10,
                    format!(
                        "The disruption budget {pdb_name} is still being processed by the server."
                    ),
                ));
            }
            let (current, desired) = (num("/status/currentHealthy"), num("/status/desiredHealthy"));
            let always = pdb
                .pointer("/spec/unhealthyPodEvictionPolicy")
                .and_then(Value::as_str)
                == Some("AlwaysAllow");
            if !pod_ready(&pod) && (always || (current >= desired && desired > 0)) {
                // An unhealthy pod does not count towards the budget: it may go.
                let mut opts = opts.clone();
                opts.precondition_rv.get_or_insert_with(|| {
                    meta_str(&pod, "resourceVersion").unwrap_or("").to_string()
                });
                self.delete(pods, Some(namespace), name, &opts).await?;
                return Ok(());
            }
            let allowed = num("/status/disruptionsAllowed");
            let forbidden = |why: &str| {
                ApiError::new(
                    403,
                    "Forbidden",
                    format!("poddisruptionbudgets.policy \"{pdb_name}\" is forbidden: {why}"),
                )
            };
            if allowed < 0 {
                return Err(forbidden("pdb disruptions allowed is negative"));
            }
            let disrupted = pdb
                .pointer("/status/disruptedPods")
                .and_then(Value::as_object)
                .map_or(0, Map::len);
            if disrupted > MAX_DISRUPTED_PODS {
                return Err(forbidden(
                    "DisruptedPods map too big - too many evictions not confirmed by PDB controller",
                ));
            }
            if allowed == 0 {
                return Err(disruption_refused(
                    0,
                    format!(
                        "The disruption budget {pdb_name} needs {desired} healthy pods and has {current} currently"
                    ),
                ));
            }
            if !opts.dry_run {
                let old = pdb.clone();
                let status = pdb
                    .as_object_mut()
                    .map(|o| o.entry("status").or_insert_with(|| json!({})))
                    .and_then(Value::as_object_mut)
                    .ok_or_else(|| ApiError::internal("PodDisruptionBudget is not an object"))?;
                status.insert("disruptionsAllowed".into(), json!(allowed - 1));
                let pods_map = status.entry("disruptedPods").or_insert_with(|| json!({}));
                if !pods_map.is_object() {
                    *pods_map = json!({});
                }
                pods_map[name] = json!(now_rfc3339());
                if allowed - 1 == 0 {
                    set_disruption_allowed_false(status);
                }
                if let Err(e) = self
                    .replace_unchecked(pdbs, Some(namespace), &pdb_name, &old, pdb)
                    .await
                {
                    if e.code == 409 {
                        continue;
                    }
                    return Err(e);
                }
            }
            self.delete(pods, Some(namespace), name, opts).await?;
            return Ok(());
        }
        Err(ApiError::conflict("policy", "poddisruptionbudgets", name))
    }
}

/// upstream's `UpdateDisruptionAllowedCondition` when no disruption is left.
fn set_disruption_allowed_false(status: &mut Map<String, Value>) {
    let condition = json!({
        "type": "DisruptionAllowed",
        "status": "False",
        "reason": "InsufficientPods",
        "message": "",
        "lastTransitionTime": now_rfc3339(),
        "observedGeneration": status.get("observedGeneration").cloned().unwrap_or(json!(0)),
    });
    let conditions = status.entry("conditions").or_insert_with(|| json!([]));
    if !conditions.is_array() {
        *conditions = json!([]);
    }
    if let Some(list) = conditions.as_array_mut() {
        match list.iter_mut().find(|c| c["type"] == "DisruptionAllowed") {
            Some(c) if c["status"] == "False" => {}
            Some(c) => *c = condition,
            None => list.push(condition),
        }
    }
}

impl Registry {
    /// Write `new` over `old` exactly as given, if `old` is still current (bindings, which
    /// change spec and status together).
    pub async fn replace_unchecked(
        &self,
        r: &'static Resource,
        namespace: Option<&str>,
        name: &str,
        old: &Value,
        new: Value,
    ) -> ApiResult<()> {
        let rev: i64 = meta_str(old, "resourceVersion")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        match self
            .store
            .update(&r.key(namespace, name), encode(r, &new), rev)
            .await?
        {
            Ok(_) => Ok(()),
            Err(_) => Err(ApiError::conflict(r.group, r.plural, name)),
        }
    }
}
