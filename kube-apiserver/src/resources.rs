//! The resources this server serves: group, version, plural, kind, scope, short names,
//! categories, verbs and subresources, as upstream's discovery documents list them. Discovery,
//! routing and storage keys all derive from this one table.

use std::sync::{Mutex, RwLock};

/// A served resource (one group/version/plural).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource {
    pub group: &'static str,
    pub version: &'static str,
    pub plural: &'static str,
    pub singular: &'static str,
    pub kind: &'static str,
    pub namespaced: bool,
    pub short_names: &'static [&'static str],
    pub categories: &'static [&'static str],
    pub verbs: &'static [&'static str],
    pub subresources: &'static [&'static str],
}

pub const CRUD: &[&str] = &[
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
    "watch",
];
const CREATE_ONLY: &[&str] = &["create"];
const ALL: &[&str] = &["all"];

impl Resource {
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.to_string()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// Objects of this resource are stored, not computed per request (reviews are not).
    pub fn is_stored(&self) -> bool {
        self.verbs.contains(&"get")
    }

    /// Key prefix in the store, ending with '/'. Like upstream, built-in resources live under
    /// `/registry/<plural>/`; where two groups share a plural, the later group is prefixed.
    pub fn key_prefix(&self) -> String {
        if is_custom(self) {
            return format!("/registry/{}/{}/", self.group, self.plural);
        }
        match (self.group, self.plural) {
            // Stored as core Events (see crate::conversion).
            ("events.k8s.io", "events") => "/registry/events/".to_string(),
            ("apiextensions.k8s.io", _) => {
                format!("/registry/{}/{}/", self.group, self.plural)
            }
            _ => format!("/registry/{}/", self.plural),
        }
    }

    /// Key of one object.
    pub fn key(&self, namespace: Option<&str>, name: &str) -> String {
        match namespace {
            Some(ns) if self.namespaced => format!("{}{ns}/{name}", self.key_prefix()),
            _ => format!("{}{name}", self.key_prefix()),
        }
    }

    pub fn has_subresource(&self, sub: &str) -> bool {
        self.subresources.contains(&sub)
    }
}

macro_rules! r {
    ($group:expr, $version:expr, $plural:expr, $singular:expr, $kind:expr, $ns:expr, [$($short:expr),*], $cats:expr, $verbs:expr, [$($sub:expr),*]) => {
        Resource {
            group: $group,
            version: $version,
            plural: $plural,
            singular: $singular,
            kind: $kind,
            namespaced: $ns,
            short_names: &[$($short),*],
            categories: $cats,
            verbs: $verbs,
            subresources: &[$($sub),*],
        }
    };
}

const NONE: &[&str] = &[];

/// Every built-in resource, in discovery order.
pub static RESOURCES: &[Resource] = &[
    // core/v1
    r!(
        "",
        "v1",
        "bindings",
        "binding",
        "Binding",
        true,
        [],
        NONE,
        CREATE_ONLY,
        []
    ),
    r!(
        "",
        "v1",
        "configmaps",
        "configmap",
        "ConfigMap",
        true,
        ["cm"],
        NONE,
        CRUD,
        []
    ),
    r!(
        "",
        "v1",
        "endpoints",
        "endpoints",
        "Endpoints",
        true,
        ["ep"],
        NONE,
        CRUD,
        []
    ),
    r!(
        "",
        "v1",
        "events",
        "event",
        "Event",
        true,
        ["ev"],
        NONE,
        CRUD,
        []
    ),
    r!(
        "",
        "v1",
        "limitranges",
        "limitrange",
        "LimitRange",
        true,
        ["limits"],
        NONE,
        CRUD,
        []
    ),
    r!(
        "",
        "v1",
        "namespaces",
        "namespace",
        "Namespace",
        false,
        ["ns"],
        NONE,
        &[
            "create", "delete", "get", "list", "patch", "update", "watch"
        ],
        ["finalize", "status"]
    ),
    r!(
        "",
        "v1",
        "nodes",
        "node",
        "Node",
        false,
        ["no"],
        NONE,
        CRUD,
        ["proxy", "status"]
    ),
    r!(
        "",
        "v1",
        "persistentvolumeclaims",
        "persistentvolumeclaim",
        "PersistentVolumeClaim",
        true,
        ["pvc"],
        NONE,
        CRUD,
        ["status"]
    ),
    r!(
        "",
        "v1",
        "persistentvolumes",
        "persistentvolume",
        "PersistentVolume",
        false,
        ["pv"],
        NONE,
        CRUD,
        ["status"]
    ),
    r!(
        "",
        "v1",
        "pods",
        "pod",
        "Pod",
        true,
        ["po"],
        ALL,
        CRUD,
        [
            "attach",
            "binding",
            "ephemeralcontainers",
            "eviction",
            "exec",
            "log",
            "portforward",
            "proxy",
            "resize",
            "status"
        ]
    ),
    r!(
        "",
        "v1",
        "podtemplates",
        "podtemplate",
        "PodTemplate",
        true,
        [],
        NONE,
        CRUD,
        []
    ),
    r!(
        "",
        "v1",
        "replicationcontrollers",
        "replicationcontroller",
        "ReplicationController",
        true,
        ["rc"],
        ALL,
        CRUD,
        ["scale", "status"]
    ),
    r!(
        "",
        "v1",
        "resourcequotas",
        "resourcequota",
        "ResourceQuota",
        true,
        ["quota"],
        NONE,
        CRUD,
        ["status"]
    ),
    r!(
        "",
        "v1",
        "secrets",
        "secret",
        "Secret",
        true,
        [],
        NONE,
        CRUD,
        []
    ),
    r!(
        "",
        "v1",
        "serviceaccounts",
        "serviceaccount",
        "ServiceAccount",
        true,
        ["sa"],
        NONE,
        CRUD,
        ["token"]
    ),
    r!(
        "",
        "v1",
        "services",
        "service",
        "Service",
        true,
        ["svc"],
        ALL,
        &[
            "create",
            "delete",
            "deletecollection",
            "get",
            "list",
            "patch",
            "update",
            "watch"
        ],
        ["proxy", "status"]
    ),
    // admissionregistration.k8s.io/v1 (policies; webhooks are not called, so not served)
    r!(
        "admissionregistration.k8s.io",
        "v1",
        "validatingadmissionpolicies",
        "validatingadmissionpolicy",
        "ValidatingAdmissionPolicy",
        false,
        [],
        &["api-extensions"],
        CRUD,
        ["status"]
    ),
    r!(
        "admissionregistration.k8s.io",
        "v1",
        "validatingadmissionpolicybindings",
        "validatingadmissionpolicybinding",
        "ValidatingAdmissionPolicyBinding",
        false,
        [],
        &["api-extensions"],
        CRUD,
        []
    ),
    // apps/v1
    r!(
        "apps",
        "v1",
        "controllerrevisions",
        "controllerrevision",
        "ControllerRevision",
        true,
        [],
        NONE,
        CRUD,
        []
    ),
    r!(
        "apps",
        "v1",
        "daemonsets",
        "daemonset",
        "DaemonSet",
        true,
        ["ds"],
        ALL,
        CRUD,
        ["status"]
    ),
    r!(
        "apps",
        "v1",
        "deployments",
        "deployment",
        "Deployment",
        true,
        ["deploy"],
        ALL,
        CRUD,
        ["scale", "status"]
    ),
    r!(
        "apps",
        "v1",
        "replicasets",
        "replicaset",
        "ReplicaSet",
        true,
        ["rs"],
        ALL,
        CRUD,
        ["scale", "status"]
    ),
    r!(
        "apps",
        "v1",
        "statefulsets",
        "statefulset",
        "StatefulSet",
        true,
        ["sts"],
        ALL,
        CRUD,
        ["scale", "status"]
    ),
    // authentication, authorization
    r!(
        "authentication.k8s.io",
        "v1",
        "selfsubjectreviews",
        "selfsubjectreview",
        "SelfSubjectReview",
        false,
        [],
        NONE,
        CREATE_ONLY,
        []
    ),
    r!(
        "authentication.k8s.io",
        "v1",
        "tokenreviews",
        "tokenreview",
        "TokenReview",
        false,
        [],
        NONE,
        CREATE_ONLY,
        []
    ),
    r!(
        "authorization.k8s.io",
        "v1",
        "localsubjectaccessreviews",
        "localsubjectaccessreview",
        "LocalSubjectAccessReview",
        true,
        [],
        NONE,
        CREATE_ONLY,
        []
    ),
    r!(
        "authorization.k8s.io",
        "v1",
        "selfsubjectaccessreviews",
        "selfsubjectaccessreview",
        "SelfSubjectAccessReview",
        false,
        [],
        NONE,
        CREATE_ONLY,
        []
    ),
    r!(
        "authorization.k8s.io",
        "v1",
        "selfsubjectrulesreviews",
        "selfsubjectrulesreview",
        "SelfSubjectRulesReview",
        false,
        [],
        NONE,
        CREATE_ONLY,
        []
    ),
    r!(
        "authorization.k8s.io",
        "v1",
        "subjectaccessreviews",
        "subjectaccessreview",
        "SubjectAccessReview",
        false,
        [],
        NONE,
        CREATE_ONLY,
        []
    ),
    // autoscaling
    r!(
        "autoscaling",
        "v2",
        "horizontalpodautoscalers",
        "horizontalpodautoscaler",
        "HorizontalPodAutoscaler",
        true,
        ["hpa"],
        ALL,
        CRUD,
        ["status"]
    ),
    r!(
        "autoscaling",
        "v1",
        "horizontalpodautoscalers",
        "horizontalpodautoscaler",
        "HorizontalPodAutoscaler",
        true,
        ["hpa"],
        ALL,
        CRUD,
        ["status"]
    ),
    // batch/v1
    r!(
        "batch",
        "v1",
        "cronjobs",
        "cronjob",
        "CronJob",
        true,
        ["cj"],
        ALL,
        CRUD,
        ["status"]
    ),
    r!(
        "batch",
        "v1",
        "jobs",
        "job",
        "Job",
        true,
        [],
        ALL,
        CRUD,
        ["status"]
    ),
    // certificates, coordination, discovery, events
    r!(
        "certificates.k8s.io",
        "v1",
        "certificatesigningrequests",
        "certificatesigningrequest",
        "CertificateSigningRequest",
        false,
        ["csr"],
        NONE,
        CRUD,
        ["approval", "status"]
    ),
    r!(
        "coordination.k8s.io",
        "v1",
        "leases",
        "lease",
        "Lease",
        true,
        [],
        NONE,
        CRUD,
        []
    ),
    r!(
        "discovery.k8s.io",
        "v1",
        "endpointslices",
        "endpointslice",
        "EndpointSlice",
        true,
        [],
        NONE,
        CRUD,
        []
    ),
    r!(
        "events.k8s.io",
        "v1",
        "events",
        "event",
        "Event",
        true,
        ["ev"],
        NONE,
        CRUD,
        []
    ),
    // networking, policy
    r!(
        "networking.k8s.io",
        "v1",
        "ingressclasses",
        "ingressclass",
        "IngressClass",
        false,
        [],
        NONE,
        CRUD,
        []
    ),
    r!(
        "networking.k8s.io",
        "v1",
        "ingresses",
        "ingress",
        "Ingress",
        true,
        ["ing"],
        NONE,
        CRUD,
        ["status"]
    ),
    r!(
        "networking.k8s.io",
        "v1",
        "networkpolicies",
        "networkpolicy",
        "NetworkPolicy",
        true,
        ["netpol"],
        NONE,
        CRUD,
        []
    ),
    r!(
        "policy",
        "v1",
        "poddisruptionbudgets",
        "poddisruptionbudget",
        "PodDisruptionBudget",
        true,
        ["pdb"],
        NONE,
        CRUD,
        ["status"]
    ),
    // rbac
    r!(
        "rbac.authorization.k8s.io",
        "v1",
        "clusterrolebindings",
        "clusterrolebinding",
        "ClusterRoleBinding",
        false,
        [],
        NONE,
        CRUD,
        []
    ),
    r!(
        "rbac.authorization.k8s.io",
        "v1",
        "clusterroles",
        "clusterrole",
        "ClusterRole",
        false,
        [],
        NONE,
        CRUD,
        []
    ),
    r!(
        "rbac.authorization.k8s.io",
        "v1",
        "rolebindings",
        "rolebinding",
        "RoleBinding",
        true,
        [],
        NONE,
        CRUD,
        []
    ),
    r!(
        "rbac.authorization.k8s.io",
        "v1",
        "roles",
        "role",
        "Role",
        true,
        [],
        NONE,
        CRUD,
        []
    ),
    // scheduling, storage, apiextensions
    r!(
        "scheduling.k8s.io",
        "v1",
        "priorityclasses",
        "priorityclass",
        "PriorityClass",
        false,
        ["pc"],
        NONE,
        CRUD,
        []
    ),
    r!(
        "storage.k8s.io",
        "v1",
        "csidrivers",
        "csidriver",
        "CSIDriver",
        false,
        [],
        NONE,
        CRUD,
        []
    ),
    r!(
        "storage.k8s.io",
        "v1",
        "csinodes",
        "csinode",
        "CSINode",
        false,
        [],
        NONE,
        CRUD,
        []
    ),
    r!(
        "storage.k8s.io",
        "v1",
        "storageclasses",
        "storageclass",
        "StorageClass",
        false,
        ["sc"],
        NONE,
        CRUD,
        []
    ),
    r!(
        "storage.k8s.io",
        "v1",
        "volumeattachments",
        "volumeattachment",
        "VolumeAttachment",
        false,
        [],
        NONE,
        CRUD,
        ["status"]
    ),
    r!(
        "apiextensions.k8s.io",
        "v1",
        "customresourcedefinitions",
        "customresourcedefinition",
        "CustomResourceDefinition",
        false,
        ["crd", "crds"],
        ALL_API_EXTENSIONS,
        CRUD,
        ["status"]
    ),
];

const ALL_API_EXTENSIONS: &[&str] = &["api-extensions"];

/// The custom resources served now (from the established CustomResourceDefinitions), set by
/// [`set_custom`].
static CUSTOM: RwLock<Vec<&'static Resource>> = RwLock::new(Vec::new());

/// Every custom resource description ever served, so that serving the same one again reuses it:
/// each distinct description is allocated once for the life of the process.
static INTERNED: Mutex<Vec<&'static Resource>> = Mutex::new(Vec::new());

/// An owned resource description, for custom resources (see [`set_custom`]).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CustomResource {
    pub group: String,
    pub version: String,
    pub plural: String,
    pub singular: String,
    pub kind: String,
    pub namespaced: bool,
    pub short_names: Vec<String>,
    pub categories: Vec<String>,
    pub subresources: Vec<String>,
}

fn leak_str(s: &str) -> &'static str {
    Box::leak(s.to_string().into_boxed_str())
}

fn leak_strs(v: &[String]) -> &'static [&'static str] {
    Box::leak(
        v.iter()
            .map(|s| leak_str(s))
            .collect::<Vec<_>>()
            .into_boxed_slice(),
    )
}

fn intern(c: &CustomResource) -> &'static Resource {
    let mut interned = INTERNED.lock().unwrap_or_else(|e| e.into_inner());
    let same = |r: &&&'static Resource| {
        r.group == c.group
            && r.version == c.version
            && r.plural == c.plural
            && r.singular == c.singular
            && r.kind == c.kind
            && r.namespaced == c.namespaced
            && r.short_names.iter().eq(c.short_names.iter())
            && r.categories.iter().eq(c.categories.iter())
            && r.subresources.iter().eq(c.subresources.iter())
    };
    if let Some(r) = interned.iter().find(same) {
        return r;
    }
    let r: &'static Resource = Box::leak(Box::new(Resource {
        group: leak_str(&c.group),
        version: leak_str(&c.version),
        plural: leak_str(&c.plural),
        singular: leak_str(&c.singular),
        kind: leak_str(&c.kind),
        namespaced: c.namespaced,
        short_names: leak_strs(&c.short_names),
        categories: leak_strs(&c.categories),
        verbs: CRUD,
        subresources: leak_strs(&c.subresources),
    }));
    interned.push(r);
    r
}

/// Replace the served custom resources. Built-in resources always win a clash of
/// group/version/plural, as upstream refuses such CRDs.
pub fn set_custom(custom: &[CustomResource]) {
    let resolved: Vec<&'static Resource> = custom
        .iter()
        .filter(|c| {
            !RESOURCES
                .iter()
                .any(|r| r.group == c.group && r.version == c.version && r.plural == c.plural)
        })
        .map(intern)
        .collect();
    *CUSTOM.write().unwrap_or_else(|e| e.into_inner()) = resolved;
}

/// The served custom resources.
pub fn custom() -> Vec<&'static Resource> {
    CUSTOM.read().unwrap_or_else(|e| e.into_inner()).clone()
}

/// Every served resource: the built-in ones, then the custom ones.
pub fn all() -> Vec<&'static Resource> {
    let mut out: Vec<&'static Resource> = RESOURCES.iter().collect();
    out.extend(custom());
    out
}

/// Whether `r` is a custom resource (defined by a CustomResourceDefinition).
pub fn is_custom(r: &Resource) -> bool {
    !RESOURCES.iter().any(|b| std::ptr::eq(b, r))
}

/// Group versions in discovery order (the first version of a group is its preferred one).
pub fn group_versions() -> Vec<(&'static str, Vec<&'static str>)> {
    let mut out: Vec<(&'static str, Vec<&'static str>)> = Vec::new();
    for r in all() {
        match out.iter_mut().find(|(g, _)| *g == r.group) {
            Some((_, vs)) => {
                if !vs.contains(&r.version) {
                    vs.push(r.version);
                }
            }
            None => out.push((r.group, vec![r.version])),
        }
    }
    out
}

/// The resource at `group/version/plural`.
/// A built-in, stored resource by group and plural (any version); the resource must exist.
pub fn builtin(group: &str, plural: &str) -> &'static Resource {
    RESOURCES
        .iter()
        .find(|r| r.group == group && r.plural == plural && r.is_stored())
        .expect("built-in resource")
}

pub fn find(group: &str, version: &str, plural: &str) -> Option<&'static Resource> {
    RESOURCES
        .iter()
        .find(|r| r.group == group && r.version == version && r.plural == plural)
        .or_else(|| {
            CUSTOM
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .iter()
                .find(|r| r.group == group && r.version == version && r.plural == plural)
                .copied()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_and_keys() {
        let pods = find("", "v1", "pods").unwrap();
        assert_eq!(
            pods.key(Some("default"), "nginx"),
            "/registry/pods/default/nginx"
        );
        let ns = find("", "v1", "namespaces").unwrap();
        assert_eq!(
            ns.key(Some("ignored"), "default"),
            "/registry/namespaces/default"
        );
        assert_eq!(
            find("apps", "v1", "deployments").unwrap().api_version(),
            "apps/v1"
        );
        let ev = find("events.k8s.io", "v1", "events").unwrap();
        assert_eq!(
            ev.key_prefix(),
            find("", "v1", "events").unwrap().key_prefix()
        );
        let gvs = group_versions();
        assert_eq!(gvs[0], ("", vec!["v1"]));
        assert!(
            gvs.iter()
                .any(|(g, vs)| *g == "autoscaling" && vs == &["v2", "v1"])
        );
    }
}
