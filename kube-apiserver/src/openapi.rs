//! The OpenAPI documents: `/openapi/v2` (Swagger 2.0, every served group/version in one
//! document), `/openapi/v3` (an index of group/versions) and `/openapi/v3/<path>` (one
//! OpenAPI 3.0 document per group/version).
//!
//! Pure: no IO. Every document is built on first use, kept as serialized JSON and shared.
//!
//! The schemas come from the `k8s-openapi` types (`schemars::JsonSchema`, which carries
//! upstream's descriptions, types and formats). On top of them this module adds what the
//! generated schemas lack and clients read:
//! - `x-kubernetes-group-version-kind` on every top-level kind (`kubectl explain` finds the
//!   schema of a resource by it; `kubectl apply` finds its patch metadata by it);
//! - `x-kubernetes-patch-strategy` / `x-kubernetes-patch-merge-key` on the fields that have a
//!   strategy upstream (`PATCH_METADATA`): `kubectl apply` computes its strategic merge
//!   patch from the v3 document whenever the PATCH operation accepts
//!   `application/strategic-merge-patch+json`;
//! - the `<Kind>List` schemas, which have no Rust type of their own;
//! - the paths of every resource in [`crate::resources::RESOURCES`], with the operations its
//!   verbs and subresources allow, each with `x-kubernetes-action`,
//!   `x-kubernetes-group-version-kind` and its query parameters (`kubectl` asks the server to
//!   validate fields when the resource's PATCH operation lists `fieldValidation`).
//!
//! v3 documents hold only the schemas their paths reach, and put a field's description next
//! to an `allOf` of the referenced schema (OpenAPI 3.0 ignores siblings of `$ref`), as
//! upstream does; the v2 document keeps `$ref` with siblings, as upstream's does.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, OnceLock};

use k8s_openapi::api::{
    admissionregistration::v1 as admissionregistration, apps::v1 as apps,
    authentication::v1 as authentication, authorization::v1 as authorization,
    autoscaling::v1 as autoscaling_v1, autoscaling::v2 as autoscaling_v2, batch::v1 as batch,
    certificates::v1 as certificates, coordination::v1 as coordination, core::v1 as core,
    discovery::v1 as discovery, events::v1 as events, flowcontrol::v1 as flowcontrol,
    networking::v1 as networking, node::v1 as node, policy::v1 as policy, rbac::v1 as rbac,
    scheduling::v1 as scheduling, storage::v1 as storage,
};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1 as apiextensions;
use k8s_openapi::apimachinery::pkg::apis::meta::v1 as meta;
use k8s_openapi::apimachinery::pkg::runtime::RawExtension;
use k8s_openapi::kube_aggregator::pkg::apis::apiregistration::v1 as apiregistration;
use k8s_openapi::schemars::generate::{SchemaGenerator, SchemaSettings};
use k8s_openapi::schemars::{JsonSchema, Schema};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha512};

use crate::resources::{RESOURCES, Resource};

/// The version in the v2 document's `info`.
const KUBERNETES_VERSION: &str = "v1.33.0";

/// Where definitions live while documents are built (and in v3 documents).
const V3_REF_PREFIX: &str = "#/components/schemas/";
/// Where they live in the v2 document.
const V2_REF_PREFIX: &str = "#/definitions/";

// ---------------------------------------------------------------------------------------------
// Public API

/// `/openapi/v3`: `{"paths": {"api/v1": {"serverRelativeURL": "/openapi/v3/api/v1?hash=<HASH>"}, ...}}`,
/// one entry per served group/version. Building it builds (once) every group/version document,
/// since the hashes are of their content.
pub fn v3_index() -> Value {
    let mut paths: Map<String, Value> = v3_docs()
        .iter()
        .map(|(path, doc)| {
            let doc = doc.get_or_init(|| build_v3(path));
            (
                path.clone(),
                json!({"serverRelativeURL": format!("/openapi/v3/{path}?hash={}", doc.hash)}),
            )
        })
        .collect();
    for (path, doc) in custom_docs() {
        let url = format!("/openapi/v3/{path}?hash={}", doc.hash);
        paths.insert(path, json!({"serverRelativeURL": url}));
    }
    json!({"paths": paths})
}

/// `/openapi/v3/<path>` (`api/v1`, `apis/apps/v1`, ...; no leading slash, no query): the
/// OpenAPI 3.0 document of that group/version as JSON, or `None` if it is not served.
pub fn v3_group_version(path: &str) -> Option<Arc<Vec<u8>>> {
    let path = path.trim_matches('/');
    match v3_docs().get_key_value(path) {
        Some((key, doc)) => Some(doc.get_or_init(|| build_v3(key)).bytes.clone()),
        None => custom_docs()
            .into_iter()
            .find(|(p, _)| p == path)
            .map(|(_, d)| d.bytes),
    }
}

/// The documents of the custom resources' group/versions (built from the CRDs' schemas, as
/// upstream's CRD OpenAPI controller does), by v3 path. Cached per set of served resources.
fn custom_docs() -> Vec<(String, V3Doc)> {
    type Cache = Mutex<Option<(Vec<usize>, Vec<(String, Arc<Vec<u8>>, String)>)>>;
    static CACHE: Cache = Mutex::new(None);
    let custom = crate::resources::custom();
    // The table is replaced (and its entries re-created) whenever CRDs change.
    let fingerprint: Vec<usize> = custom
        .iter()
        .map(|r| std::ptr::from_ref::<Resource>(r) as usize)
        .chain(
            custom
                .iter()
                .filter_map(|r| crate::crd::info(r))
                .map(|i| Arc::as_ptr(&i) as usize),
        )
        .collect();
    let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((fp, docs)) = cache.as_ref()
        && *fp == fingerprint
    {
        return docs
            .iter()
            .map(|(p, b, h)| {
                (
                    p.clone(),
                    V3Doc {
                        bytes: b.clone(),
                        hash: h.clone(),
                    },
                )
            })
            .collect();
    }
    let mut gvs: Vec<(&'static str, &'static str)> = Vec::new();
    for r in &custom {
        if !gvs.contains(&(r.group, r.version)) {
            gvs.push((r.group, r.version));
        }
    }
    let docs: Vec<(String, Arc<Vec<u8>>, String)> = gvs
        .into_iter()
        .map(|(g, v)| {
            let bytes = serde_json::to_vec(&build_custom_doc(g, v, &custom))
                .expect("a JSON value serializes");
            let hash = Sha512::digest(&bytes)
                .iter()
                .map(|b| format!("{b:02X}"))
                .collect();
            (gv_path(g, v), Arc::new(bytes), hash)
        })
        .collect();
    *cache = Some((fingerprint, docs.clone()));
    docs.into_iter()
        .map(|(p, bytes, hash)| (p, V3Doc { bytes, hash }))
        .collect()
}

/// Upstream's definition name of a custom kind: the group reversed, then version and kind
/// (`com.example.stable.v1.CronTab`).
fn custom_name(group: &str, version: &str, kind: &str) -> String {
    let reversed: Vec<&str> = group.split('.').rev().collect();
    format!("{}.{version}.{kind}", reversed.join("."))
}

/// One custom group/version's OpenAPI 3.0 document: its resources' paths and the CRD schemas,
/// with ObjectMeta and the other meta/v1 types the paths refer to.
fn build_custom_doc(group: &str, version: &str, custom: &[&'static Resource]) -> Value {
    let mut paths = Paths::new();
    let mut generator = SchemaSettings::openapi3().into_generator();
    let list_meta = generator.subschema_for::<meta::ListMeta>();
    let _ = generator.subschema_for::<meta::ObjectMeta>();
    let _ = generator.subschema_for::<meta::Status>();
    let _ = generator.subschema_for::<meta::DeleteOptions>();
    let _ = generator.subschema_for::<meta::Patch>();
    let _ = generator.subschema_for::<meta::WatchEvent<RawExtension>>();
    let _ = generator.subschema_for::<meta::APIResourceList>();
    let mut extra = Map::new();
    let prefix = format!("/apis/{group}/{version}");
    add(
        &mut paths,
        (&format!("{prefix}/"), &[]),
        "get",
        Operation::new(group, version, "", "").get_resources(),
    );
    for r in custom
        .iter()
        .filter(|r| r.group == group && r.version == version)
    {
        let name = custom_name(group, version, r.kind);
        let mut schema = crate::crd::info(r)
            .and_then(|i| i.openapi_schema.clone())
            .unwrap_or_else(
                || json!({"type": "object", "x-kubernetes-preserve-unknown-fields": true}),
            );
        if let Some(props) = schema
            .as_object_mut()
            .map(|o| o.entry("properties").or_insert_with(|| json!({})))
            .and_then(Value::as_object_mut)
        {
            props.insert("apiVersion".into(), json!({"type": "string", "description": "APIVersion defines the versioned schema of this representation of an object."}));
            props.insert("kind".into(), json!({"type": "string", "description": "Kind is a string value representing the REST resource this object represents."}));
            props.insert("metadata".into(), json!({"allOf": [{"$ref": "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"}], "description": "Standard object's metadata."}));
        }
        schema["x-kubernetes-group-version-kind"] = json!([gvk(group, version, r.kind)]);
        let list = json!({
            "type": "object",
            "required": ["items"],
            "description": format!("{}List is a list of {}", r.kind, r.kind),
            "properties": {
                "apiVersion": {"type": "string"},
                "items": {"type": "array", "items": {"$ref": format!("#/components/schemas/{name}")}},
                "kind": {"type": "string"},
                "metadata": {"allOf": [serde_json::to_value(&list_meta).unwrap_or(Value::Null)]},
            },
            "x-kubernetes-group-version-kind": [gvk(group, version, &format!("{}List", r.kind))],
        });
        extra.insert(format!("{name}List"), list);
        extra.insert(name.clone(), schema);
        resource_paths(&mut paths, &prefix, r, name);
    }
    let mut schemas = generator.take_definitions(false);
    schemas.extend(extra);
    finish_schemas(&mut schemas, Flavor::V3);
    json!({
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes CRD Swagger", "version": "v0.1.0"},
        "paths": paths.into_iter().map(|(path, item)| (path, Value::Object(item))).collect::<Map<String, Value>>(),
        "components": {"schemas": schemas},
    })
}

/// The hash of a v3 group/version document (upper-case hex SHA-512 of its bytes, like
/// upstream): kubectl caches documents by the `hash` query parameter of their URL.
pub fn v3_hash(path: &str) -> Option<String> {
    let (key, doc) = v3_docs().get_key_value(path.trim_matches('/'))?;
    Some(doc.get_or_init(|| build_v3(key)).hash.clone())
}

/// `/openapi/v2`: the Swagger 2.0 document of every served group/version, as JSON.
pub fn v2() -> Arc<Vec<u8>> {
    static V2: OnceLock<Arc<Vec<u8>>> = OnceLock::new();
    V2.get_or_init(|| {
        let gvs = served_group_versions();
        Arc::new(serde_json::to_vec(&build_doc(Flavor::V2, &gvs)).expect("a JSON value serializes"))
    })
    .clone()
}

// ---------------------------------------------------------------------------------------------
// Caches

struct V3Doc {
    bytes: Arc<Vec<u8>>,
    hash: String,
}

/// One lazily built document per served group/version, keyed by its v3 path.
fn v3_docs() -> &'static BTreeMap<String, OnceLock<V3Doc>> {
    static DOCS: OnceLock<BTreeMap<String, OnceLock<V3Doc>>> = OnceLock::new();
    DOCS.get_or_init(|| {
        served_group_versions()
            .into_iter()
            .map(|gv| (gv_path(gv.0, gv.1), OnceLock::new()))
            .collect()
    })
}

fn build_v3(path: &str) -> V3Doc {
    let gv = served_group_versions()
        .into_iter()
        .find(|gv| gv_path(gv.0, gv.1) == path)
        .expect("only served group/versions are cached");
    let bytes = serde_json::to_vec(&build_doc(Flavor::V3, &[gv])).expect("a JSON value serializes");
    let hash = Sha512::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect();
    V3Doc {
        bytes: Arc::new(bytes),
        hash,
    }
}

/// `api/v1` or `apis/<group>/<version>`.
fn gv_path(group: &str, version: &str) -> String {
    if group.is_empty() {
        format!("api/{version}")
    } else {
        format!("apis/{group}/{version}")
    }
}

/// Group/versions with at least one resource whose type is known, in discovery order.
fn served_group_versions() -> Vec<(&'static str, &'static str)> {
    let mut out: Vec<(&'static str, &'static str)> = Vec::new();
    for r in RESOURCES {
        if kind_for(r).is_some() && !out.contains(&(r.group, r.version)) {
            out.push((r.group, r.version));
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Types

/// A top-level kind with a Rust type: its group/version/kind and how to generate its schema.
#[derive(Clone, Copy)]
struct Kind {
    group: &'static str,
    version: &'static str,
    kind: &'static str,
    /// The resource's plural (k8s-openapi's URL path segment), checked against [`RESOURCES`].
    plural: &'static str,
    name: fn() -> Cow<'static, str>,
    generate: fn(&mut SchemaGenerator) -> Schema,
}

const fn kind<T: k8s_openapi::Resource + JsonSchema>() -> Kind {
    Kind {
        group: T::GROUP,
        version: T::VERSION,
        kind: T::KIND,
        plural: T::URL_PATH_SEGMENT,
        name: T::schema_name,
        generate: SchemaGenerator::subschema_for::<T>,
    }
}

/// Every kind the documents can describe: the served resources' kinds, the kinds of their
/// subresources (Scale, Eviction, TokenRequest, Binding), and built-in kinds not served yet
/// (they appear as soon as [`RESOURCES`] lists them).
static KINDS: &[Kind] = &[
    kind::<core::Binding>(),
    kind::<core::ComponentStatus>(),
    kind::<core::ConfigMap>(),
    kind::<core::Endpoints>(),
    kind::<core::Event>(),
    kind::<core::LimitRange>(),
    kind::<core::Namespace>(),
    kind::<core::Node>(),
    kind::<core::PersistentVolume>(),
    kind::<core::PersistentVolumeClaim>(),
    kind::<core::Pod>(),
    kind::<core::PodTemplate>(),
    kind::<core::ReplicationController>(),
    kind::<core::ResourceQuota>(),
    kind::<core::Secret>(),
    kind::<core::Service>(),
    kind::<core::ServiceAccount>(),
    kind::<admissionregistration::MutatingWebhookConfiguration>(),
    kind::<admissionregistration::ValidatingAdmissionPolicy>(),
    kind::<admissionregistration::ValidatingAdmissionPolicyBinding>(),
    kind::<admissionregistration::ValidatingWebhookConfiguration>(),
    kind::<apiextensions::CustomResourceDefinition>(),
    kind::<apiregistration::APIService>(),
    kind::<apps::ControllerRevision>(),
    kind::<apps::DaemonSet>(),
    kind::<apps::Deployment>(),
    kind::<apps::ReplicaSet>(),
    kind::<apps::StatefulSet>(),
    kind::<authentication::SelfSubjectReview>(),
    kind::<authentication::TokenRequest>(),
    kind::<authentication::TokenReview>(),
    kind::<authorization::LocalSubjectAccessReview>(),
    kind::<authorization::SelfSubjectAccessReview>(),
    kind::<authorization::SelfSubjectRulesReview>(),
    kind::<authorization::SubjectAccessReview>(),
    kind::<autoscaling_v1::HorizontalPodAutoscaler>(),
    kind::<autoscaling_v1::Scale>(),
    kind::<autoscaling_v2::HorizontalPodAutoscaler>(),
    kind::<batch::CronJob>(),
    kind::<batch::Job>(),
    kind::<certificates::CertificateSigningRequest>(),
    kind::<coordination::Lease>(),
    kind::<discovery::EndpointSlice>(),
    kind::<events::Event>(),
    kind::<flowcontrol::FlowSchema>(),
    kind::<flowcontrol::PriorityLevelConfiguration>(),
    kind::<networking::IPAddress>(),
    kind::<networking::Ingress>(),
    kind::<networking::IngressClass>(),
    kind::<networking::NetworkPolicy>(),
    kind::<networking::ServiceCIDR>(),
    kind::<node::RuntimeClass>(),
    kind::<policy::Eviction>(),
    kind::<policy::PodDisruptionBudget>(),
    kind::<rbac::ClusterRole>(),
    kind::<rbac::ClusterRoleBinding>(),
    kind::<rbac::Role>(),
    kind::<rbac::RoleBinding>(),
    kind::<scheduling::PriorityClass>(),
    kind::<storage::CSIDriver>(),
    kind::<storage::CSINode>(),
    kind::<storage::CSIStorageCapacity>(),
    kind::<storage::StorageClass>(),
    kind::<storage::VolumeAttachment>(),
];

/// The kind of a served resource; `None` if no type matches its group, version, kind and plural.
fn kind_for(r: &Resource) -> Option<&'static Kind> {
    kind_of(r.group, r.version, r.kind).filter(|k| k.plural == r.plural)
}

fn kind_of(group: &str, version: &str, kind: &str) -> Option<&'static Kind> {
    KINDS
        .iter()
        .find(|k| k.group == group && k.version == version && k.kind == kind)
}

/// The kind a subresource reads and writes, when it is not the resource's own kind.
fn subresource_kind(r: &Resource, sub: &str) -> Option<&'static Kind> {
    match sub {
        "scale" => kind_of("autoscaling", "v1", "Scale"),
        "eviction" => kind_of("policy", "v1", "Eviction"),
        "binding" => kind_of("", "v1", "Binding"),
        "token" => kind_of("authentication.k8s.io", "v1", "TokenRequest"),
        _ => kind_of(r.group, r.version, r.kind),
    }
}

/// Upstream's `patchStrategy` / `patchMergeKey` struct tags, as the
/// `x-kubernetes-patch-strategy` / `x-kubernetes-patch-merge-key` extensions of upstream's
/// OpenAPI documents carry them: `<definition> <field> <strategy> [<merge key>]`, one a line.
/// Fields not listed have no strategy: lists are replaced whole, objects merged field by field.
/// Entries for definitions a document does not contain are skipped.
const PATCH_METADATA: &str = "
io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta finalizers merge
io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta ownerReferences merge uid
io.k8s.api.core.v1.PodSpec containers merge name
io.k8s.api.core.v1.PodSpec ephemeralContainers merge name
io.k8s.api.core.v1.PodSpec hostAliases merge ip
io.k8s.api.core.v1.PodSpec imagePullSecrets merge name
io.k8s.api.core.v1.PodSpec initContainers merge name
io.k8s.api.core.v1.PodSpec resourceClaims merge,retainKeys name
io.k8s.api.core.v1.PodSpec schedulingGates merge name
io.k8s.api.core.v1.PodSpec topologySpreadConstraints merge topologyKey
io.k8s.api.core.v1.PodSpec volumes merge,retainKeys name
io.k8s.api.core.v1.Container env merge name
io.k8s.api.core.v1.Container ports merge containerPort
io.k8s.api.core.v1.Container volumeDevices merge devicePath
io.k8s.api.core.v1.Container volumeMounts merge mountPath
io.k8s.api.core.v1.EphemeralContainer env merge name
io.k8s.api.core.v1.EphemeralContainer ports merge containerPort
io.k8s.api.core.v1.EphemeralContainer volumeDevices merge devicePath
io.k8s.api.core.v1.EphemeralContainer volumeMounts merge mountPath
io.k8s.api.core.v1.ContainerStatus allocatedResourcesStatus merge name
io.k8s.api.core.v1.PodStatus conditions merge type
io.k8s.api.core.v1.PodStatus hostIPs merge ip
io.k8s.api.core.v1.PodStatus podIPs merge ip
io.k8s.api.core.v1.PodStatus resourceClaimStatuses merge,retainKeys name
io.k8s.api.core.v1.ServiceSpec ports merge port
io.k8s.api.core.v1.ServiceStatus conditions merge type
io.k8s.api.core.v1.NodeSpec podCIDRs merge
io.k8s.api.core.v1.NodeStatus addresses merge type
io.k8s.api.core.v1.NodeStatus conditions merge type
io.k8s.api.core.v1.NamespaceStatus conditions merge type
io.k8s.api.core.v1.PersistentVolumeClaimStatus conditions merge type
io.k8s.api.core.v1.ReplicationControllerStatus conditions merge type
io.k8s.api.core.v1.ServiceAccount secrets merge name
io.k8s.api.core.v1.ComponentStatus conditions merge type
io.k8s.api.apps.v1.DeploymentSpec strategy retainKeys
io.k8s.api.apps.v1.DeploymentStatus conditions merge type
io.k8s.api.apps.v1.ReplicaSetStatus conditions merge type
io.k8s.api.apps.v1.StatefulSetStatus conditions merge type
io.k8s.api.apps.v1.DaemonSetStatus conditions merge type
io.k8s.api.batch.v1.JobStatus conditions merge type
io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerStatus conditions merge type
io.k8s.api.policy.v1.PodDisruptionBudgetSpec selector replace
io.k8s.api.policy.v1.PodDisruptionBudgetStatus conditions merge type
io.k8s.api.storage.v1.CSINodeSpec drivers merge name
io.k8s.api.admissionregistration.v1.MutatingWebhookConfiguration webhooks merge name
io.k8s.api.admissionregistration.v1.ValidatingWebhookConfiguration webhooks merge name
io.k8s.api.admissionregistration.v1.MutatingWebhook matchConditions merge name
io.k8s.api.admissionregistration.v1.ValidatingWebhook matchConditions merge name
io.k8s.api.admissionregistration.v1.ValidatingAdmissionPolicySpec matchConditions merge name
io.k8s.api.admissionregistration.v1.ValidatingAdmissionPolicySpec variables merge name
io.k8s.api.flowcontrol.v1.FlowSchemaStatus conditions merge type
io.k8s.api.flowcontrol.v1.PriorityLevelConfigurationStatus conditions merge type
io.k8s.kube-aggregator.pkg.apis.apiregistration.v1.APIServiceStatus conditions merge type
";

/// [`PATCH_METADATA`] as (definition, field, strategy, merge key).
fn patch_metadata() -> impl Iterator<
    Item = (
        &'static str,
        &'static str,
        &'static str,
        Option<&'static str>,
    ),
> {
    PATCH_METADATA.lines().filter_map(|line| {
        let mut words = line.split_whitespace();
        Some((words.next()?, words.next()?, words.next()?, words.next()))
    })
}

// ---------------------------------------------------------------------------------------------
// Document building

#[derive(Clone, Copy, PartialEq, Eq)]
enum Flavor {
    /// Swagger 2.0 (`/openapi/v2`).
    V2,
    /// OpenAPI 3.0 (`/openapi/v3/...`).
    V3,
}

/// Paths being collected: path → method (or `parameters`) → operation.
type Paths = BTreeMap<String, Map<String, Value>>;

/// The document of the given group/versions.
fn build_doc(flavor: Flavor, gvs: &[(&'static str, &'static str)]) -> Value {
    let settings = SchemaSettings::draft2020_12().with(|s| {
        s.meta_schema = None;
        s.definitions_path = V3_REF_PREFIX
            .trim_start_matches('#')
            .trim_end_matches('/')
            .into();
    });
    let mut generator = settings.into_generator();
    let mut paths = Paths::new();
    let mut lists: Vec<(String, Value)> = Vec::new();

    // Schemas every group/version's paths refer to.
    generator.subschema_for::<meta::Status>();
    generator.subschema_for::<meta::DeleteOptions>();
    generator.subschema_for::<meta::Patch>();
    generator.subschema_for::<meta::WatchEvent<RawExtension>>();
    generator.subschema_for::<meta::APIResourceList>();

    for &(group, version) in gvs {
        let prefix = if group.is_empty() {
            format!("/api/{version}")
        } else {
            format!("/apis/{group}/{version}")
        };
        let op = Operation::new(group, version, "", "");
        add(
            &mut paths,
            (&format!("{prefix}/"), &[]),
            "get",
            op.get_resources(),
        );
        for r in RESOURCES
            .iter()
            .filter(|r| r.group == group && r.version == version)
        {
            let Some(kind) = kind_for(r) else { continue };
            (kind.generate)(&mut generator);
            if r.verbs.contains(&"list") && !lists.iter().any(|(name, _)| *name == list_name(kind))
            {
                let list_meta = generator.subschema_for::<meta::ListMeta>();
                lists.push((list_name(kind), list_schema(kind, list_meta)));
            }
            for sub in r.subresources {
                if let Some(k) = subresource_kind(r, sub) {
                    (k.generate)(&mut generator);
                }
            }
            resource_paths(&mut paths, &prefix, r, (kind.name)().into_owned());
        }
    }

    let mut schemas = generator.take_definitions(false);
    schemas.extend(lists);
    finish_schemas(&mut schemas, flavor);

    let bearer = json!({"type": "apiKey", "in": "header", "name": "authorization", "description": "Bearer Token authentication"});
    match flavor {
        Flavor::V3 => json!({
            "openapi": "3.0.0",
            "info": {"title": "Kubernetes", "version": "unversioned"},
            "paths": paths.into_iter().map(|(path, item)| (path, Value::Object(item))).collect::<Map<String, Value>>(),
            "components": {"schemas": schemas, "securitySchemes": {"BearerToken": bearer}},
            "security": [{"BearerToken": []}],
        }),
        Flavor::V2 => {
            let paths: Map<String, Value> = paths
                .into_iter()
                .map(|(path, item)| (path, path_item_v2(item)))
                .collect();
            let mut doc = json!({
                "swagger": "2.0",
                "info": {"title": "Kubernetes", "version": KUBERNETES_VERSION},
                "paths": paths,
                "definitions": schemas,
                "securityDefinitions": {"BearerToken": bearer},
                "security": [{"BearerToken": []}],
            });
            rewrite_refs(&mut doc);
            doc
        }
    }
}

/// The extensions and fixes the generated schemas need (see the module documentation).
fn finish_schemas(schemas: &mut Map<String, Value>, flavor: Flavor) {
    for kind in KINDS {
        let gvk = [gvk(kind.group, kind.version, kind.kind)];
        if let Some(Value::Object(schema)) = schemas.get_mut((kind.name)().as_ref()) {
            schema.insert("x-kubernetes-group-version-kind".into(), json!(gvk));
        }
    }
    // Every group/version accepts DeleteOptions and streams WatchEvents, as upstream lists them.
    let all_gvs = served_group_versions();
    for (name, kind) in [
        ("DeleteOptions", "DeleteOptions"),
        ("WatchEvent", "WatchEvent"),
    ] {
        let gvks: Vec<Value> = all_gvs.iter().map(|(g, v)| gvk(g, v, kind)).collect();
        if let Some(Value::Object(schema)) =
            schemas.get_mut(&format!("io.k8s.apimachinery.pkg.apis.meta.v1.{name}"))
        {
            schema.insert("x-kubernetes-group-version-kind".into(), Value::Array(gvks));
        }
    }
    if let Some(Value::Object(schema)) =
        schemas.get_mut("io.k8s.apimachinery.pkg.apis.meta.v1.Status")
    {
        schema.insert(
            "x-kubernetes-group-version-kind".into(),
            json!([gvk("", "v1", "Status")]),
        );
    }

    for (definition, field, strategy, key) in patch_metadata() {
        let Some(Value::Object(property)) = schemas
            .get_mut(definition)
            .and_then(|s| s.pointer_mut(&format!("/properties/{field}")))
        else {
            continue;
        };
        property.insert("x-kubernetes-patch-strategy".into(), json!(strategy));
        if let Some(key) = key {
            property.insert("x-kubernetes-patch-merge-key".into(), json!(key));
        }
    }

    for schema in schemas.values_mut() {
        // k8s-openapi makes `metadata` required wherever the Rust field is not an Option;
        // upstream never requires it.
        if let Some(Value::Array(required)) = schema.get_mut("required") {
            required.retain(|name| name != "metadata");
            if required.is_empty() {
                schema
                    .as_object_mut()
                    .expect("a schema with `required` is an object")
                    .remove("required");
            }
        }
        match flavor {
            Flavor::V3 => wrap_ref_siblings(schema),
            Flavor::V2 => remove_alternatives(schema),
        }
    }
}

fn gvk(group: &str, version: &str, kind: &str) -> Value {
    json!({"group": group, "kind": kind, "version": version})
}

fn list_name(kind: &Kind) -> String {
    format!("{}List", (kind.name)())
}

/// The `<Kind>List` schema: `apiVersion`, `kind`, `metadata` (ListMeta) and `items`.
fn list_schema(kind: &Kind, list_meta: Schema) -> Value {
    let mut list_meta = list_meta.to_value();
    list_meta["description"] = json!("Standard list metadata.");
    let type_meta = |field: &str| {
        json!({
            "description": match field {
                "apiVersion" => "APIVersion defines the versioned schema of this representation of an object.",
                _ => "Kind is a string value representing the REST resource this object represents.",
            },
            "type": "string",
        })
    };
    json!({
        "description": format!("{}List is a list of {} objects.", kind.kind, kind.kind),
        "type": "object",
        "properties": {
            "apiVersion": type_meta("apiVersion"),
            "items": {
                "description": format!("The {} objects.", kind.kind),
                "type": "array",
                "items": {"$ref": format!("{V3_REF_PREFIX}{}", (kind.name)())},
            },
            "kind": type_meta("kind"),
            "metadata": list_meta,
        },
        "required": ["items"],
        "x-kubernetes-group-version-kind": [gvk(kind.group, kind.version, &format!("{}List", kind.kind))],
    })
}

/// OpenAPI 3.0 ignores the siblings of `$ref`: `{"$ref": R, "description": D}` becomes
/// `{"allOf": [{"$ref": R}], "description": D}` throughout the schema. Only subschemas are
/// visited: property names (JSONSchemaProps has a property called `$ref`) and data are not.
fn wrap_ref_siblings(schema: &mut Value) {
    let Value::Object(map) = schema else { return };
    if map.len() > 1
        && let Some(reference) = map.remove("$ref")
    {
        map.insert("allOf".into(), json!([{"$ref": reference}]));
    }
    for (key, value) in map.iter_mut() {
        match (key.as_str(), value) {
            ("properties" | "patternProperties", Value::Object(properties)) => {
                properties.values_mut().for_each(wrap_ref_siblings)
            }
            ("allOf" | "anyOf" | "oneOf" | "items", Value::Array(schemas)) => {
                schemas.iter_mut().for_each(wrap_ref_siblings)
            }
            ("items" | "additionalProperties" | "additionalItems" | "not", value) => {
                wrap_ref_siblings(value)
            }
            _ => {}
        }
    }
}

/// Swagger 2.0 has no `oneOf` / `anyOf` (k8s-openapi gives them to the int-or-string and
/// JSONSchemaProps-or-X kinds): drop them, leaving the description, as upstream's v2 does.
fn remove_alternatives(schema: &mut Value) {
    let Value::Object(map) = schema else { return };
    map.remove("oneOf");
    map.remove("anyOf");
    for (key, value) in map.iter_mut() {
        match (key.as_str(), value) {
            ("properties", Value::Object(properties)) => {
                properties.values_mut().for_each(remove_alternatives)
            }
            ("allOf", Value::Array(schemas)) => schemas.iter_mut().for_each(remove_alternatives),
            ("items" | "additionalProperties", value) => remove_alternatives(value),
            _ => {}
        }
    }
}

/// v3 references → v2 references, throughout the document.
fn rewrite_refs(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                match value {
                    Value::String(s) if key == "$ref" => {
                        if let Some(name) = s.strip_prefix(V3_REF_PREFIX) {
                            *s = format!("{V2_REF_PREFIX}{name}");
                        }
                    }
                    _ => rewrite_refs(value),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(rewrite_refs),
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------------
// Paths and operations (written in OpenAPI 3.0 form; [`path_item_v2`] converts)

/// Adds `op` as `method` of the path `at.0`, whose path item has the parameters `at.1` (path
/// parameters and `pretty`).
fn add(paths: &mut Paths, at: (&str, &[Value]), method: &str, op: Value) {
    let item = paths.entry(at.0.to_owned()).or_default();
    if !at.1.is_empty() && !item.contains_key("parameters") {
        item.insert("parameters".into(), Value::Array(at.1.to_vec()));
    }
    item.insert(method.into(), op);
}

/// All the paths of one resource.
fn resource_paths(paths: &mut Paths, prefix: &str, r: &Resource, name: String) {
    let has = |verb: &str| r.verbs.contains(&verb);
    let list = format!("{name}List");
    let scope = if r.namespaced { "Namespaced" } else { "" };
    let op = Operation::new(r.group, r.version, r.kind, scope);
    let across = Operation::new(r.group, r.version, r.kind, "");
    let mut collection_params = vec![query("pretty")];
    let collection = if r.namespaced {
        collection_params.insert(0, path_param("namespace"));
        format!("{prefix}/namespaces/{{namespace}}/{}", r.plural)
    } else {
        format!("{prefix}/{}", r.plural)
    };
    let mut item_params = collection_params.clone();
    item_params.insert(0, path_param("name"));
    let item = format!("{collection}/{{name}}");
    let all = format!("{prefix}/{}", r.plural);
    let pretty = [query("pretty")];

    let at_collection = (collection.as_str(), collection_params.as_slice());
    let at_item = (item.as_str(), item_params.as_slice());
    if has("list") {
        add(paths, at_collection, "get", op.list(&list));
        if r.namespaced {
            add(
                paths,
                (&all, &pretty),
                "get",
                across.list_all_namespaces(&list),
            );
        }
    }
    if has("create") {
        add(paths, at_collection, "post", op.create(&name));
    }
    if has("deletecollection") {
        add(paths, at_collection, "delete", op.delete_collection());
    }
    if has("get") {
        add(paths, at_item, "get", op.read(&name));
    }
    if has("update") {
        add(paths, at_item, "put", op.replace(&name));
    }
    if has("patch") {
        add(paths, at_item, "patch", op.patch(&name));
    }
    if has("delete") {
        add(paths, at_item, "delete", op.delete());
    }
    // The deprecated watch paths.
    if has("watch") {
        let watch = collection.replacen(prefix, &format!("{prefix}/watch"), 1);
        add(
            paths,
            (&watch, &collection_params),
            "get",
            op.watch_list(""),
        );
        let watch_item = format!("{watch}/{{name}}");
        add(paths, (&watch_item, &item_params), "get", op.watch());
        if r.namespaced {
            let watch_all = format!("{prefix}/watch/{}", r.plural);
            let op = across.watch_list("ForAllNamespaces");
            add(paths, (&watch_all, &pretty), "get", op);
        }
    }

    for &sub in r.subresources {
        let path = format!("{item}/{sub}");
        let at = (path.as_str(), item_params.as_slice());
        let (sub_op, sub_name) = match subresource_kind(r, sub) {
            Some(k) => (
                op.subresource(sub, k.group, k.version, k.kind),
                (k.name)().into_owned(),
            ),
            None => (
                op.subresource(sub, r.group, r.version, r.kind),
                name.clone(),
            ),
        };
        match sub {
            "status" | "scale" | "ephemeralcontainers" | "resize" => {
                add(paths, at, "get", sub_op.read(&sub_name));
                add(paths, at, "put", sub_op.replace(&sub_name));
                add(paths, at, "patch", sub_op.patch(&sub_name));
            }
            "binding" | "eviction" | "token" => add(paths, at, "post", sub_op.create(&sub_name)),
            "finalize" => add(paths, at, "put", sub_op.replace(&sub_name)),
            "log" => add(paths, at, "get", op.log()),
            "exec" | "attach" | "portforward" => {
                for method in ["get", "post"] {
                    add(paths, at, method, op.connect(sub, method, false));
                }
            }
            "proxy" => {
                let with_path = format!("{path}/{{path}}");
                let mut with_path_params = item_params.clone();
                with_path_params.insert(1, path_param("path"));
                for method in ["delete", "get", "head", "options", "patch", "post", "put"] {
                    add(paths, at, method, op.connect(sub, method, false));
                    let op = op.connect(sub, method, true);
                    add(paths, (&with_path, &with_path_params), method, op);
                }
            }
            _ => {}
        }
    }
}

/// Builds the operations of one resource (or subresource) in one scope.
struct Operation {
    /// `CoreV1`, `AppsV1`, `RbacAuthorizationV1`: the middle of operation ids.
    id_group: String,
    /// `core_v1`, `rbacAuthorization_v1`.
    tag: String,
    /// `Namespaced` or empty.
    scope: &'static str,
    kind: &'static str,
    /// The group/version/kind of the operation's body and response.
    gvk: Value,
    /// `Status`, `Scale`, ... for a subresource, else empty.
    sub: String,
}

const STATUS: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.Status";
const DELETE_OPTIONS: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions";
const WATCH_EVENT: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent";
const PATCH: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.Patch";

impl Operation {
    fn new(group: &str, version: &str, kind: &'static str, scope: &'static str) -> Self {
        let words: Vec<&str> = match group {
            "" => vec!["core"],
            _ => group.trim_end_matches(".k8s.io").split('.').collect(),
        };
        let camel: String = words.iter().map(|w| capitalize(w)).collect();
        let tag = format!("{}{}_{version}", words[0], &camel[words[0].len()..]);
        Operation {
            id_group: format!("{camel}{}", capitalize(version)),
            tag,
            scope,
            kind,
            gvk: gvk(group, version, kind),
            sub: String::new(),
        }
    }

    /// The same resource's `sub` subresource, whose body is `group/version/kind`.
    fn subresource(&self, sub: &str, group: &str, version: &str, kind: &str) -> Self {
        Operation {
            id_group: self.id_group.clone(),
            tag: self.tag.clone(),
            scope: self.scope,
            kind: self.kind,
            gvk: gvk(group, version, kind),
            sub: capitalize(sub),
        }
    }

    /// `<verb><Group><Version>[Namespaced]<Kind>[<Sub>]`.
    fn id(&self, verb: &str) -> String {
        format!(
            "{verb}{}{}{}{}",
            self.id_group, self.scope, self.kind, self.sub
        )
    }

    /// What the operation acts on, for descriptions.
    fn object(&self) -> String {
        match self.sub.as_str() {
            "" => format!("the specified {}", self.kind),
            sub => format!("the {} of the specified {}", sub.to_lowercase(), self.kind),
        }
    }

    fn op(&self, id: String, description: String, action: &str) -> Op {
        let mut op = Map::new();
        op.insert("tags".into(), json!([self.tag]));
        op.insert("description".into(), json!(description));
        op.insert("operationId".into(), json!(id));
        op.insert("x-kubernetes-action".into(), json!(action));
        op.insert("x-kubernetes-group-version-kind".into(), self.gvk.clone());
        Op(op)
    }

    /// `GET <prefix>/`: the group/version's APIResourceList.
    fn get_resources(&self) -> Value {
        let mut op = self.op(
            format!("get{}APIResources", self.id_group),
            "Get the resources of the group/version".into(),
            "get",
        );
        op.0.remove("x-kubernetes-action");
        op.0.remove("x-kubernetes-group-version-kind");
        op.responds(
            Some("io.k8s.apimachinery.pkg.apis.meta.v1.APIResourceList"),
            &["200"],
            JSON,
        )
    }

    fn list(&self, list: &str) -> Value {
        let description = format!("List or watch objects of kind {}", self.kind);
        self.op(self.id("list"), description, "list")
            .params(LIST_PARAMS)
            .responds(Some(list), &["200"], STREAM)
    }

    fn list_all_namespaces(&self, list: &str) -> Value {
        let id = format!("list{}{}ForAllNamespaces", self.id_group, self.kind);
        let description = format!(
            "List or watch objects of kind {} in all namespaces",
            self.kind
        );
        self.op(id, description, "list")
            .params(LIST_PARAMS)
            .responds(Some(list), &["200"], STREAM)
    }

    fn create(&self, schema: &str) -> Value {
        let description = match self.sub.as_str() {
            "" => format!("Create a {}", self.kind),
            _ => format!("Create {}", self.object()),
        };
        self.op(self.id("create"), description, "post")
            .params(WRITE_PARAMS)
            .body(schema, &["*/*"], true)
            .responds(Some(schema), &["200", "201", "202"], JSON)
    }

    fn read(&self, schema: &str) -> Value {
        self.op(self.id("read"), format!("Read {}", self.object()), "get")
            .responds(Some(schema), &["200"], JSON)
    }

    fn replace(&self, schema: &str) -> Value {
        self.op(
            self.id("replace"),
            format!("Replace {}", self.object()),
            "put",
        )
        .params(WRITE_PARAMS)
        .body(schema, &["*/*"], true)
        .responds(Some(schema), &["200", "201"], JSON)
    }

    fn patch(&self, schema: &str) -> Value {
        self.op(
            self.id("patch"),
            format!("Partially update {}", self.object()),
            "patch",
        )
        .params(PATCH_PARAMS)
        .body(PATCH, PATCH_TYPES, true)
        .responds(Some(schema), &["200", "201"], JSON)
    }

    fn delete(&self) -> Value {
        self.op(
            self.id("delete"),
            format!("Delete {}", self.object()),
            "delete",
        )
        .params(DELETE_PARAMS)
        .body(DELETE_OPTIONS, &["*/*"], false)
        .responds(Some(STATUS), &["200", "202"], JSON)
    }

    fn delete_collection(&self) -> Value {
        let id = format!(
            "delete{}Collection{}{}",
            self.id_group, self.scope, self.kind
        );
        let description = format!("Delete a collection of {} objects", self.kind);
        self.op(id, description, "deletecollection")
            .params(DELETE_COLLECTION_PARAMS)
            .body(DELETE_OPTIONS, &["*/*"], false)
            .responds(Some(STATUS), &["200"], JSON)
    }

    /// `/watch/...{name}`.
    fn watch(&self) -> Value {
        let description = format!(
            "Watch one {} (deprecated: list with watch=true and a fieldSelector on metadata.name)",
            self.kind
        );
        self.op(self.id("watch"), description, "watch")
            .params(LIST_PARAMS)
            .responds(Some(WATCH_EVENT), &["200"], STREAM)
    }

    /// `/watch/...` collections; `suffix` is `ForAllNamespaces` across namespaces.
    fn watch_list(&self, suffix: &str) -> Value {
        let id = format!(
            "watch{}{}{}List{suffix}",
            self.id_group, self.scope, self.kind
        );
        let description = format!(
            "Watch {} objects (deprecated: list with watch=true)",
            self.kind
        );
        self.op(id, description, "watchlist")
            .params(LIST_PARAMS)
            .responds(Some(WATCH_EVENT), &["200"], STREAM)
    }

    /// `pods/log`.
    fn log(&self) -> Value {
        let id = format!("read{}{}{}Log", self.id_group, self.scope, self.kind);
        let description = format!("Read the log of the specified {}", self.kind);
        self.op(id, description, "get")
            .params(LOG_PARAMS)
            .responds(None, &["200"], &["text/plain"])
    }

    /// exec, attach, portforward and proxy (with or without a trailing path): upgraded or
    /// passed-through connections, whose kind is `<Kind><Sub>Options`.
    fn connect(&self, sub: &str, method: &str, with_path: bool) -> Value {
        let suffix = if with_path { "WithPath" } else { "" };
        let id = format!(
            "connect{}{}{}{}{}{suffix}",
            self.id_group,
            capitalize(method),
            self.scope,
            self.kind,
            capitalize(sub)
        );
        let description = format!(
            "Connect {} requests to {sub} of the specified {}",
            method.to_uppercase(),
            self.kind
        );
        let params: &[&str] = match sub {
            "exec" => &["command", "container", "stderr", "stdin", "stdout", "tty"],
            "attach" => &["container", "stderr", "stdin", "stdout", "tty"],
            "portforward" => &["ports"],
            _ if with_path => &[],
            _ => &["path"],
        };
        let sub_kind = if sub == "portforward" {
            "PortForward".into()
        } else {
            capitalize(sub)
        };
        let mut op = self.op(id, description, "connect").params(params);
        op.0["x-kubernetes-group-version-kind"]["kind"] =
            json!(format!("{}{sub_kind}Options", self.kind));
        op.responds(None, &["200"], &["*/*"])
    }
}

/// An operation being built.
struct Op(Map<String, Value>);

impl Op {
    /// Query parameters, by name (see [`query`]).
    fn params(mut self, names: &[&str]) -> Self {
        if !names.is_empty() {
            self.0.insert(
                "parameters".into(),
                names.iter().map(|name| query(name)).collect(),
            );
        }
        self
    }

    fn body(mut self, schema: &str, media_types: &[&str], required: bool) -> Self {
        let content: Map<String, Value> = media_types
            .iter()
            .map(|t| (t.to_string(), json!({"schema": schema_ref(schema)})))
            .collect();
        let mut body = json!({"content": content});
        if required {
            body["required"] = json!(true);
        }
        self.0.insert("requestBody".into(), body);
        self
    }

    /// The responses: `codes` with `schema` (a string when `None`) in `media_types`, and 401.
    fn responds(mut self, schema: Option<&str>, codes: &[&str], media_types: &[&str]) -> Value {
        let schema = schema.map_or_else(|| json!({"type": "string"}), schema_ref);
        let content: Map<String, Value> = media_types
            .iter()
            .map(|t| (t.to_string(), json!({"schema": schema})))
            .collect();
        let mut responses = Map::new();
        for code in codes {
            let description = match *code {
                "201" => "Created",
                "202" => "Accepted",
                _ => "OK",
            };
            responses.insert(
                code.to_string(),
                json!({"description": description, "content": content}),
            );
        }
        responses.insert("401".into(), json!({"description": "Unauthorized"}));
        self.0.insert("responses".into(), Value::Object(responses));
        Value::Object(self.0)
    }
}

fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Response media types of objects, and of lists and watches.
const JSON: &[&str] = &["application/json", "application/yaml"];
const STREAM: &[&str] = &[
    "application/json",
    "application/yaml",
    "application/json;stream=watch",
];
const PATCH_TYPES: &[&str] = &[
    "application/apply-patch+yaml",
    "application/json-patch+json",
    "application/merge-patch+json",
    "application/strategic-merge-patch+json",
];

const LIST_PARAMS: &[&str] = &[
    "allowWatchBookmarks",
    "continue",
    "fieldSelector",
    "labelSelector",
    "limit",
    "resourceVersion",
    "resourceVersionMatch",
    "sendInitialEvents",
    "timeoutSeconds",
    "watch",
];
/// kubectl looks for `fieldValidation` among these to decide whether the server validates fields.
const WRITE_PARAMS: &[&str] = &["dryRun", "fieldManager", "fieldValidation"];
const PATCH_PARAMS: &[&str] = &["dryRun", "fieldManager", "fieldValidation", "force"];
const DELETE_PARAMS: &[&str] = &[
    "dryRun",
    "gracePeriodSeconds",
    "ignoreStoreReadErrorWithClusterBreakingPotential",
    "orphanDependents",
    "propagationPolicy",
];
const DELETE_COLLECTION_PARAMS: &[&str] = &[
    "continue",
    "dryRun",
    "fieldSelector",
    "gracePeriodSeconds",
    "ignoreStoreReadErrorWithClusterBreakingPotential",
    "labelSelector",
    "limit",
    "orphanDependents",
    "propagationPolicy",
    "resourceVersion",
    "resourceVersionMatch",
    "sendInitialEvents",
    "timeoutSeconds",
];
const LOG_PARAMS: &[&str] = &[
    "container",
    "follow",
    "insecureSkipTLSVerifyBackend",
    "limitBytes",
    "previous",
    "sinceSeconds",
    "stream",
    "tailLines",
    "timestamps",
];

/// Every query parameter: `<name> <type> <description>`, one a line.
const QUERY_PARAMS: &str = "
allowWatchBookmarks boolean Ask for BOOKMARK events in a watch. Servers may ignore it.
command string The command to run, one parameter per argument.
container string The container, which may be omitted when the pod has only one.
continue string The continue token of the previous page of a paginated list.
dryRun string When All, process the request fully but persist nothing.
fieldManager string The name of the actor making the change, recorded in managedFields. Required for apply patches.
fieldSelector string Only objects whose fields match this selector. Defaults to everything.
fieldValidation string What to do with unknown or duplicate fields in the body: Ignore (drop them), Warn (drop them with a warning) or Strict (fail the request).
follow boolean Keep streaming the log as it grows.
force boolean Take over conflicting fields from other managers (apply patches only).
gracePeriodSeconds integer Seconds before the object is deleted; 0 deletes at once. Defaults to the kind's own grace period.
ignoreStoreReadErrorWithClusterBreakingPotential boolean Delete an object even if it cannot be read from storage (unsafe).
insecureSkipTLSVerifyBackend boolean Do not verify the serving certificate of the kubelet the log comes from.
labelSelector string Only objects whose labels match this selector. Defaults to everything.
limit integer At most this many objects per response; the list metadata has a continue token when more remain.
limitBytes integer Stop after this many bytes of log.
orphanDependents boolean Deprecated, use propagationPolicy: whether dependents are orphaned.
path string The path to pass on to the target.
ports integer The ports of the pod to forward.
pretty string If true, indent the JSON output.
previous boolean Stream the log of the previous, terminated instance of the container.
propagationPolicy string How dependents are garbage collected: Orphan, Background or Foreground.
resourceVersion string The resource version the list or watch starts from; see resourceVersionMatch.
resourceVersionMatch string How resourceVersion applies to a list: Exact or NotOlderThan.
sendInitialEvents boolean Begin a watch with synthetic ADDED events for the current state, then a bookmark.
sinceSeconds integer Only the log lines newer than this many seconds.
stderr boolean Stream standard error.
stdin boolean Stream standard input.
stdout boolean Stream standard output.
stream string Which stream of the container to return: All, Stdout or Stderr.
tailLines integer Only this many of the last lines of the log.
timeoutSeconds integer End the call after this many seconds, whatever happened.
timestamps boolean Prefix every line with its RFC 3339 timestamp.
tty boolean Use a terminal.
watch boolean Stream changes (ADDED, MODIFIED, DELETED) instead of returning a list.
";

/// The query parameter `name` of [`QUERY_PARAMS`].
fn query(name: &str) -> Value {
    let (ty, description) = QUERY_PARAMS
        .lines()
        .find_map(|line| {
            let (ty, description) = line
                .strip_prefix(name)?
                .strip_prefix(' ')?
                .split_once(' ')?;
            Some((ty, description))
        })
        .unwrap_or(("string", ""));
    json!({"name": name, "in": "query", "description": description, "schema": {"type": ty}})
}

fn schema_ref(name: &str) -> Value {
    json!({"$ref": format!("{V3_REF_PREFIX}{name}")})
}

fn path_param(name: &str) -> Value {
    let description = match name {
        "namespace" => "The namespace of the object.",
        "name" => "The name of the object.",
        _ => "The path to pass on to the target.",
    };
    json!({"name": name, "in": "path", "description": description, "required": true, "schema": {"type": "string"}})
}

// ---------------------------------------------------------------------------------------------
// OpenAPI 3.0 → Swagger 2.0 operations

fn path_item_v2(item: Map<String, Value>) -> Value {
    let converted: Map<String, Value> = item
        .into_iter()
        .map(|(key, value)| match key.as_str() {
            "parameters" => (key, parameters_v2(&value)),
            _ => (key, operation_v2(value)),
        })
        .collect();
    Value::Object(converted)
}

fn parameters_v2(params: &Value) -> Value {
    let params = params.as_array().map(Vec::as_slice).unwrap_or_default();
    Value::Array(
        params
            .iter()
            .map(|p| {
                let mut out = Map::new();
                for key in ["description", "in", "name", "required"] {
                    if let Some(v) = p.get(key) {
                        out.insert(key.into(), v.clone());
                    }
                }
                if let Some(Value::Object(schema)) = p.get("schema") {
                    out.extend(schema.clone());
                }
                Value::Object(out)
            })
            .collect(),
    )
}

fn operation_v2(op: Value) -> Value {
    let Value::Object(op) = op else { return op };
    let mut out = Map::new();
    let mut params = op.get("parameters").map_or_else(Vec::new, |p| {
        parameters_v2(p).as_array().cloned().unwrap_or_default()
    });
    for (key, value) in op {
        match key.as_str() {
            "parameters" => {}
            "requestBody" => {
                let content = value["content"].as_object().cloned().unwrap_or_default();
                out.insert("consumes".into(), json!(content.keys().collect::<Vec<_>>()));
                if let Some((_, media)) = content.into_iter().next() {
                    let mut body = json!({"in": "body", "name": "body", "schema": media["schema"]});
                    if value.get("required") == Some(&json!(true)) {
                        body["required"] = json!(true);
                    }
                    params.insert(0, body);
                }
            }
            "responses" => {
                let mut produces: Vec<String> = Vec::new();
                let responses: Map<String, Value> = value
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(code, response)| {
                        let mut converted = json!({"description": response["description"]});
                        if let Some(content) = response.get("content").and_then(Value::as_object) {
                            for media in content.keys() {
                                if !produces.contains(media) {
                                    produces.push(media.clone());
                                }
                            }
                            if let Some(media) = content.values().next() {
                                converted["schema"] = media["schema"].clone();
                            }
                        }
                        (code.clone(), converted)
                    })
                    .collect();
                out.insert("produces".into(), json!(produces));
                out.insert("responses".into(), Value::Object(responses));
            }
            _ => {
                out.insert(key, value);
            }
        }
    }
    if !params.is_empty() {
        out.insert("parameters".into(), Value::Array(params));
    }
    out.insert("schemes".into(), json!(["https"]));
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v3(path: &str) -> Value {
        serde_json::from_slice(&v3_group_version(path).unwrap()).unwrap()
    }

    /// Every `$ref` of `doc` names a schema of `definitions`.
    fn assert_refs_resolve(value: &Value, prefix: &str, definitions: &Map<String, Value>) {
        match value {
            Value::Object(map) => {
                for (key, value) in map {
                    if let (true, Value::String(reference)) = (key == "$ref", value) {
                        let name = reference
                            .strip_prefix(prefix)
                            .unwrap_or_else(|| panic!("{reference}"));
                        assert!(
                            definitions.contains_key(name),
                            "{reference} does not resolve"
                        );
                    } else {
                        assert_refs_resolve(value, prefix, definitions);
                    }
                }
            }
            Value::Array(items) => items
                .iter()
                .for_each(|v| assert_refs_resolve(v, prefix, definitions)),
            _ => {}
        }
    }

    #[test]
    fn index_lists_every_group_version_with_its_hash() {
        let index = v3_index();
        let paths = index["paths"].as_object().unwrap();
        for path in [
            "api/v1",
            "apis/apps/v1",
            "apis/autoscaling/v2",
            "apis/apiextensions.k8s.io/v1",
        ] {
            let url = paths[path]["serverRelativeURL"].as_str().unwrap();
            assert_eq!(
                url,
                format!("/openapi/v3/{path}?hash={}", v3_hash(path).unwrap())
            );
            assert_eq!(v3_hash(path).unwrap().len(), 128);
        }
        assert_eq!(paths.len(), served_group_versions().len());
        assert!(v3_group_version("apis/nope/v1").is_none());
        assert!(v3_hash("apis/nope/v1").is_none());
        assert_eq!(
            v3_group_version("/api/v1/").unwrap(),
            v3_group_version("api/v1").unwrap()
        );
    }

    #[test]
    fn core_document_has_kinds_descriptions_and_operations() {
        let doc = v3("api/v1");
        assert_eq!(doc["openapi"], "3.0.0");
        let schemas = doc["components"]["schemas"].as_object().unwrap();
        assert_eq!(
            schemas["io.k8s.api.core.v1.Pod"]["x-kubernetes-group-version-kind"],
            json!([{"group": "", "kind": "Pod", "version": "v1"}])
        );
        assert_eq!(
            schemas["io.k8s.api.core.v1.PodList"]["x-kubernetes-group-version-kind"],
            json!([{"group": "", "kind": "PodList", "version": "v1"}])
        );
        assert!(
            schemas["io.k8s.api.core.v1.Probe"]["properties"]["periodSeconds"]["description"]
                .as_str()
                .unwrap()
                .contains("How often")
        );
        assert!(schemas.contains_key("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"));
        // Subresource kinds are in the core document, with their own group/version/kind.
        assert_eq!(
            schemas["io.k8s.api.autoscaling.v1.Scale"]["x-kubernetes-group-version-kind"][0]["group"],
            "autoscaling"
        );
        assert!(schemas.contains_key("io.k8s.api.policy.v1.Eviction"));
        // Schemas of other groups are not.
        assert!(!schemas.contains_key("io.k8s.api.apps.v1.Deployment"));
        // Fields that reference a schema keep their description beside an allOf.
        let probe = &schemas["io.k8s.api.core.v1.Container"]["properties"]["livenessProbe"];
        assert_eq!(
            probe["allOf"],
            json!([{"$ref": "#/components/schemas/io.k8s.api.core.v1.Probe"}])
        );
        assert!(probe["description"].is_string());
        // metadata is never required.
        assert!(schemas["io.k8s.api.core.v1.Pod"].get("required").is_none());
        assert_eq!(
            schemas["io.k8s.api.core.v1.PodSpec"]["required"],
            json!(["containers"])
        );
        // Patch metadata.
        let containers = &schemas["io.k8s.api.core.v1.PodSpec"]["properties"]["containers"];
        assert_eq!(containers["x-kubernetes-patch-strategy"], "merge");
        assert_eq!(containers["x-kubernetes-patch-merge-key"], "name");

        let paths = &doc["paths"];
        let create = &paths["/api/v1/namespaces/{namespace}/configmaps"]["post"];
        assert_eq!(create["x-kubernetes-action"], "post");
        assert_eq!(
            create["x-kubernetes-group-version-kind"],
            json!({"group": "", "kind": "ConfigMap", "version": "v1"})
        );
        let names: Vec<&str> = create["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert!(
            names.contains(&"fieldValidation")
                && names.contains(&"dryRun")
                && names.contains(&"fieldManager")
        );
        let patch = &paths["/api/v1/namespaces/{namespace}/pods/{name}"]["patch"];
        assert!(
            patch["requestBody"]["content"]
                .get("application/strategic-merge-patch+json")
                .is_some()
        );
        assert_eq!(
            paths["/api/v1/namespaces/{namespace}/pods/{name}"]["parameters"][0]["name"],
            "name"
        );
        assert_eq!(paths["/api/v1/pods"]["get"]["x-kubernetes-action"], "list");
        assert_eq!(
            paths["/api/v1/namespaces/{name}"]["get"]["operationId"],
            "readCoreV1Namespace"
        );
        assert_eq!(
            paths["/api/v1/namespaces/{namespace}/pods/{name}/status"]["put"]["operationId"],
            "replaceCoreV1NamespacedPodStatus"
        );
        assert_eq!(
            paths["/api/v1/namespaces/{namespace}/pods/{name}/eviction"]["post"]["x-kubernetes-group-version-kind"]
                ["kind"],
            "Eviction"
        );
        assert_eq!(
            paths["/api/v1/namespaces/{namespace}/pods/{name}/exec"]["get"]["x-kubernetes-action"],
            "connect"
        );
        assert_eq!(
            paths["/api/v1/watch/namespaces/{namespace}/pods"]["get"]["x-kubernetes-action"],
            "watchlist"
        );
        assert_eq!(
            paths["/api/v1/nodes/{name}/proxy/{path}"]["parameters"][1]["name"],
            "path"
        );
        // Create-only resources have only their POST.
        assert_eq!(
            paths["/api/v1/namespaces/{namespace}/bindings"]
                .as_object()
                .unwrap()
                .keys()
                .collect::<Vec<_>>(),
            ["parameters", "post"]
        );
    }

    /// What kubectl's QueryParamVerifierV3 and `kubectl apply` look for: for every served kind,
    /// a PATCH operation with its group/version/kind that takes fieldValidation and strategic
    /// merge patches; and what `kubectl explain` looks for: a schema with that group/version/kind.
    #[test]
    fn every_served_kind_supports_field_validation_and_explain() {
        for (group, version) in served_group_versions() {
            let doc = v3(&gv_path(group, version));
            let paths = doc["paths"].as_object().unwrap();
            let schemas = doc["components"]["schemas"].as_object().unwrap();
            for r in RESOURCES
                .iter()
                .filter(|r| r.group == group && r.version == version)
            {
                let gvk = gvk(r.group, r.version, r.kind);
                assert!(
                    schemas
                        .values()
                        .any(|s| s["x-kubernetes-group-version-kind"]
                            .as_array()
                            .is_some_and(|l| l.contains(&gvk))),
                    "no schema for {gvk}"
                );
                let method = if r.verbs.contains(&"patch") {
                    "patch"
                } else {
                    "post"
                };
                let op = paths
                    .values()
                    .filter_map(|item| item.get(method))
                    .find(|op| op["x-kubernetes-group-version-kind"] == gvk)
                    .unwrap_or_else(|| panic!("no {method} for {gvk}"));
                assert!(
                    op["parameters"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|p| p["name"] == "fieldValidation"),
                    "{gvk}"
                );
                if method == "patch" {
                    assert!(
                        op["requestBody"]["content"]
                            .get("application/strategic-merge-patch+json")
                            .is_some()
                    );
                }
            }
        }
    }

    #[test]
    fn documents_are_closed_and_valid_openapi_3() {
        for (group, version) in served_group_versions() {
            let doc = v3(&gv_path(group, version));
            let schemas = doc["components"]["schemas"].as_object().unwrap();
            assert_refs_resolve(&doc, V3_REF_PREFIX, schemas);
            // No `$ref` with siblings (OpenAPI 3.0 would ignore them).
            fn check(schema: &Value) {
                let Value::Object(map) = schema else { return };
                assert!(!map.contains_key("$ref") || map.len() == 1, "{schema}");
                for (key, value) in map {
                    match (key.as_str(), value) {
                        ("properties", Value::Object(p)) => p.values().for_each(check),
                        ("allOf" | "oneOf" | "anyOf", Value::Array(l)) => l.iter().for_each(check),
                        ("items" | "additionalProperties", v) => check(v),
                        _ => {}
                    }
                }
            }
            schemas.values().for_each(check);
        }
    }

    #[test]
    fn swagger_2_document() {
        let doc: Value = serde_json::from_slice(&v2()).unwrap();
        assert_eq!(doc["swagger"], "2.0");
        let definitions = doc["definitions"].as_object().unwrap();
        assert_refs_resolve(&doc, V2_REF_PREFIX, definitions);
        assert!(definitions.contains_key("io.k8s.api.core.v1.Pod"));
        assert!(definitions.contains_key("io.k8s.api.apps.v1.Deployment"));
        assert!(!String::from_utf8_lossy(&v2()).contains("#/components/"));
        let probe = &definitions["io.k8s.api.core.v1.Container"]["properties"]["livenessProbe"];
        assert_eq!(probe["$ref"], "#/definitions/io.k8s.api.core.v1.Probe");
        let patch =
            &doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]["patch"];
        assert!(
            patch["consumes"]
                .as_array()
                .unwrap()
                .contains(&json!("application/strategic-merge-patch+json"))
        );
        let params = patch["parameters"].as_array().unwrap();
        assert_eq!(params[0]["in"], "body");
        assert!(
            params
                .iter()
                .any(|p| p["name"] == "fieldValidation" && p["type"] == "string")
        );
        assert_eq!(
            patch["responses"]["200"]["schema"]["$ref"],
            "#/definitions/io.k8s.api.apps.v1.Deployment"
        );
        assert!(definitions.values().all(|d| d.get("oneOf").is_none()));
    }

    #[test]
    fn kinds_cover_the_served_resources() {
        for r in RESOURCES {
            assert!(
                kind_for(r).is_some(),
                "no type for {} {}",
                r.api_version(),
                r.plural
            );
        }
    }

    #[test]
    fn patch_metadata_names_existing_fields() {
        let mut generator = SchemaSettings::draft2020_12().into_generator();
        for kind in KINDS {
            (kind.generate)(&mut generator);
        }
        let definitions = generator.take_definitions(false);
        for (definition, field, strategy, key) in patch_metadata() {
            let property = definitions
                .get(definition)
                .and_then(|d| d.pointer(&format!("/properties/{field}")));
            let property = property.unwrap_or_else(|| panic!("{definition}.{field}"));
            if strategy.contains("merge") {
                assert_eq!(property["type"], "array", "{definition}.{field}");
            }
            if let Some(key) = key {
                let items = &property["items"]["$ref"];
                let element = items.as_str().and_then(|r| r.rsplit('/').next()).unwrap();
                assert!(
                    definitions[element]["properties"].get(key).is_some(),
                    "{element}.{key}"
                );
            }
        }
    }

    #[test]
    fn every_query_parameter_is_described() {
        let connect = [
            "command",
            "container",
            "path",
            "ports",
            "pretty",
            "stderr",
            "stdin",
            "stdout",
            "tty",
        ];
        let lists = [
            LIST_PARAMS,
            WRITE_PARAMS,
            PATCH_PARAMS,
            DELETE_PARAMS,
            DELETE_COLLECTION_PARAMS,
            LOG_PARAMS,
            &connect,
        ];
        for name in lists.into_iter().flatten() {
            assert_ne!(query(name)["description"], "", "{name}");
        }
        assert_eq!(
            patch_metadata().count(),
            PATCH_METADATA.lines().filter(|l| !l.is_empty()).count()
        );
    }

    #[test]
    fn building_is_deterministic() {
        let gvs = [("apps", "v1")];
        assert_eq!(build_doc(Flavor::V3, &gvs), build_doc(Flavor::V3, &gvs));
    }
}
