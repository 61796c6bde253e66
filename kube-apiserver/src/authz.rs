//! Authorization: whether a user may do what a request asks, as upstream's
//! `--authorization-mode` chain decides it.
//!
//! The request is described by upstream's RequestInfo attributes (verb, namespace, group,
//! resource, subresource, name, or a non-resource path). The chain: members of
//! `system:masters` are always allowed (upstream's privileged-group authorizer), then each
//! mode in order — `Node` (kubelets reach only what the pods bound to them use), `RBAC`
//! (Roles and bindings from the watch cache), `AlwaysAllow`, `AlwaysDeny` — first decision
//! wins. The 403 message is upstream's.
//!
//! Not here: the Webhook and ABAC modes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding};
use serde_json::Value;

use crate::authn::{PRIVILEGED_GROUP, UserInfo};
use crate::error::ApiError;
use crate::registry::Registry;
use crate::resources::{Resource, builtin};

/// What a request asks for (upstream's `authorizer.Attributes`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attributes {
    pub verb: String,
    pub resource_request: bool,
    pub namespace: String,
    pub api_group: String,
    pub api_version: String,
    pub resource: String,
    pub subresource: String,
    pub name: String,
    pub path: String,
    /// Equality requirements of the request's field selector (`field`, `value`).
    pub field_selector: Vec<(String, String)>,
}

/// Subresources of a namespace (`/namespaces/x/status`) rather than resources in it.
const NAMESPACE_SUBRESOURCES: [&str; 2] = ["status", "finalize"];

/// Upstream's RequestInfo: the attributes of a request from its method, path and query.
pub fn request_attributes(method: &str, path: &str, query: &HashMap<String, String>) -> Attributes {
    let verb_of_method = match method {
        "POST" => "create",
        "GET" | "HEAD" => "get",
        "PUT" => "update",
        "PATCH" => "patch",
        "DELETE" => "delete",
        _ => "",
    };
    let non_resource = || Attributes {
        verb: method.to_ascii_lowercase(),
        path: path.to_string(),
        ..Default::default()
    };
    let trimmed = path.trim_matches('/');
    let parts: Vec<&str> = if trimmed.is_empty() {
        Vec::new()
    } else {
        trimmed.split('/').collect()
    };
    let (group, version, mut rest) = match parts.as_slice() {
        ["api", v, rest @ ..] if !rest.is_empty() => ("", *v, rest),
        ["apis", g, v, rest @ ..] if !rest.is_empty() => (*g, *v, rest),
        _ => return non_resource(),
    };
    let mut a = Attributes {
        resource_request: true,
        api_group: group.to_string(),
        api_version: version.to_string(),
        path: path.to_string(),
        verb: verb_of_method.to_string(),
        ..Default::default()
    };
    if rest.first() == Some(&"watch") {
        a.verb = "watch".into();
        rest = &rest[1..];
        if rest.is_empty() {
            return non_resource();
        }
    }
    if rest[0] == "namespaces" && rest.len() > 1 {
        a.namespace = rest[1].to_string();
        if rest.len() > 2 && !NAMESPACE_SUBRESOURCES.contains(&rest[2]) {
            rest = &rest[2..];
        }
    }
    a.resource = rest[0].to_string();
    if rest.len() >= 2 {
        a.name = rest[1].to_string();
    }
    if rest.len() >= 3 {
        a.subresource = rest[2].to_string();
    }
    let selector = query.get("fieldSelector").map(String::as_str).unwrap_or("");
    for req in selector.split(',').filter(|s| !s.is_empty()) {
        let (k, v) = match req.split_once("==").or_else(|| req.split_once('=')) {
            Some((k, v)) if !k.ends_with('!') => (k, v),
            _ => continue,
        };
        a.field_selector
            .push((k.trim().to_string(), v.trim().to_string()));
    }
    if a.name.is_empty() && a.verb == "get" {
        let watch = query.get("watch").is_some_and(|w| w == "true" || w == "1");
        a.verb = if watch { "watch" } else { "list" }.into();
        if let Some((_, v)) = a.field_selector.iter().find(|(k, _)| k == "metadata.name") {
            a.name = v.clone();
        }
    }
    if a.verb == "delete" && a.name.is_empty() {
        a.verb = "deletecollection".into();
    }
    a
}

/// Upstream's Forbidden for a denied request: 403 with
/// `<resource> "<name>" is forbidden: User "<u>" cannot <verb> resource ...`.
pub fn forbidden(user: &UserInfo, a: &Attributes, reason: &str) -> ApiError {
    let mut msg = if !a.resource_request {
        format!("User {:?} cannot {} path {:?}", user.name, a.verb, a.path)
    } else {
        let resource = if a.subresource.is_empty() {
            a.resource.clone()
        } else {
            format!("{}/{}", a.resource, a.subresource)
        };
        if a.namespace.is_empty() {
            format!(
                "User {:?} cannot {} resource {:?} in API group {:?} at the cluster scope",
                user.name, a.verb, resource, a.api_group
            )
        } else {
            format!(
                "User {:?} cannot {} resource {:?} in API group {:?} in the namespace {:?}",
                user.name, a.verb, resource, a.api_group, a.namespace
            )
        }
    };
    if !reason.is_empty() {
        msg = format!("{msg}: {reason}");
    }
    ApiError::forbidden(&a.api_group, &a.resource, &a.name, &msg)
}

/// An authorization mode (`--authorization-mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Node,
    Rbac,
    AlwaysAllow,
    AlwaysDeny,
}

impl Mode {
    pub fn parse_list(s: &str) -> Result<Vec<Mode>, String> {
        let mut out = Vec::new();
        for m in s.split(',').map(str::trim).filter(|m| !m.is_empty()) {
            let mode = match m {
                "Node" => Mode::Node,
                "RBAC" => Mode::Rbac,
                "AlwaysAllow" => Mode::AlwaysAllow,
                "AlwaysDeny" => Mode::AlwaysDeny,
                other => {
                    return Err(format!(
                        "authorization-mode {other:?} is not a valid mode (Node, RBAC, AlwaysAllow, AlwaysDeny)"
                    ));
                }
            };
            if out.contains(&mode) {
                return Err(format!(
                    "authorization-mode {m:?} has mode specified more than once"
                ));
            }
            out.push(mode);
        }
        if out.is_empty() {
            return Err("at least one authorization-mode must be passed".into());
        }
        Ok(out)
    }
}

/// A decision and its reason (upstream's Allow / Deny / NoOpinion).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Allow(String),
    Deny(String),
    NoOpinion(String),
}

/// The authorizer chain.
pub struct Authorizer {
    modes: Vec<Mode>,
    rbac: PolicyCache,
}

impl Authorizer {
    pub fn new(modes: Vec<Mode>) -> Authorizer {
        Authorizer {
            modes,
            rbac: PolicyCache::default(),
        }
    }

    pub fn modes(&self) -> &[Mode] {
        &self.modes
    }

    /// Whether `user` may do `a`, with the reason upstream gives.
    pub async fn authorize(
        &self,
        registry: &Registry,
        user: &UserInfo,
        a: &Attributes,
    ) -> (bool, String) {
        if user.in_group(PRIVILEGED_GROUP) {
            return (true, String::new());
        }
        let mut reasons = Vec::new();
        for mode in &self.modes {
            let d = match mode {
                Mode::AlwaysAllow => Decision::Allow(String::new()),
                Mode::AlwaysDeny => Decision::Deny("Everything is forbidden.".into()),
                Mode::Node => self.authorize_node(registry, user, a).await,
                Mode::Rbac => match self.rbac.policy(registry).await {
                    Ok(p) => {
                        let (ok, reason) = p.authorize(user, a);
                        if ok {
                            Decision::Allow(reason)
                        } else {
                            Decision::NoOpinion(reason)
                        }
                    }
                    Err(e) => Decision::NoOpinion(e),
                },
            };
            match d {
                Decision::Allow(r) => return (true, r),
                Decision::Deny(r) => {
                    reasons.push(r);
                    break;
                }
                Decision::NoOpinion(r) => {
                    if !r.is_empty() {
                        reasons.push(r);
                    }
                }
            }
        }
        (false, reasons.join("\n"))
    }

    /// The rules `user` has in `namespace`, for SelfSubjectRulesReview: (resource rules,
    /// non-resource rules, incomplete, evaluation error).
    pub async fn rules_for(
        &self,
        registry: &Registry,
        user: &UserInfo,
        namespace: &str,
    ) -> (Vec<PolicyRule>, bool, String) {
        let mut rules = Vec::new();
        let mut incomplete = false;
        let mut errors = Vec::new();
        // The privileged-group authorizer resolves no rules (upstream's is not a rule
        // resolver): system:masters' rules come from its cluster-admin binding.
        for mode in &self.modes {
            match mode {
                Mode::Node if user.node_name().is_some() => {
                    incomplete = true;
                    errors.push("node authorizer does not support user rule resolution".into());
                }
                Mode::Rbac => match self.rbac.policy(registry).await {
                    Ok(p) => {
                        let (r, errs) = p.rules_for(user, namespace);
                        rules.extend(r);
                        if !errs.is_empty() {
                            incomplete = true;
                            errors.extend(errs);
                        }
                    }
                    Err(e) => {
                        incomplete = true;
                        errors.push(e);
                    }
                },
                Mode::AlwaysAllow => rules.extend(everything()),
                _ => {}
            }
        }
        let error = if errors.is_empty() {
            String::new()
        } else if errors.len() == 1 {
            errors.remove(0)
        } else {
            format!("[{}]", errors.join(", "))
        };
        (rules, incomplete, error)
    }

    /// The RBAC rules `user` holds in `namespace` (escalation checks), with evaluation errors.
    pub async fn rbac_rules(
        &self,
        registry: &Registry,
        user: &UserInfo,
        namespace: &str,
    ) -> Result<(Vec<PolicyRule>, Vec<String>), String> {
        let p = self.rbac.policy(registry).await?;
        Ok(p.rules_for(user, namespace))
    }

    /// The current RBAC policy snapshot.
    pub async fn rbac_policy(
        &self,
        registry: &Registry,
    ) -> Result<Arc<crate::rbac::Policy>, String> {
        self.rbac.policy(registry).await
    }

    /// Upstream's Node authorizer.
    async fn authorize_node(
        &self,
        registry: &Registry,
        user: &UserInfo,
        a: &Attributes,
    ) -> Decision {
        if !user.in_group(crate::authn::NODES_GROUP) || !user.name.starts_with("system:node:") {
            return Decision::NoOpinion(String::new());
        }
        let Some(node) = user.node_name() else {
            return Decision::NoOpinion(format!("unknown node for user {:?}", user.name));
        };
        let no = |s: &str| Decision::NoOpinion(s.to_string());
        let no_relation = || {
            Decision::NoOpinion(format!(
                "no relationship found between node '{node}' and this object"
            ))
        };
        if a.resource_request {
            match (a.api_group.as_str(), a.resource.as_str()) {
                ("", "secrets" | "configmaps") => {
                    if !matches!(a.verb.as_str(), "get" | "list" | "watch") {
                        return no("can only read resources of this type");
                    }
                    if !a.subresource.is_empty() {
                        return no("cannot read subresource");
                    }
                    if a.namespace.is_empty() {
                        return no("can only read namespaced object of this type");
                    }
                    if a.name.is_empty() {
                        return no("No Object name found");
                    }
                    let kind = if a.resource == "secrets" {
                        Ref::Secret
                    } else {
                        Ref::ConfigMap
                    };
                    return if pod_uses(registry, node, &a.namespace, kind, &a.name).await {
                        Decision::Allow(String::new())
                    } else {
                        no_relation()
                    };
                }
                ("", "persistentvolumeclaims") => {
                    if a.subresource == "status" {
                        if !matches!(a.verb.as_str(), "update" | "patch") {
                            return no("can only get/update/patch this type");
                        }
                    } else {
                        if a.verb != "get" {
                            return no("can only get individual resources of this type");
                        }
                        if !a.subresource.is_empty() {
                            return no("cannot get subresource");
                        }
                    }
                    if a.name.is_empty() {
                        return no("No Object name found");
                    }
                    return if pod_uses(registry, node, &a.namespace, Ref::Claim, &a.name).await {
                        Decision::Allow(String::new())
                    } else {
                        no_relation()
                    };
                }
                ("", "persistentvolumes") => {
                    if a.verb != "get" {
                        return no("can only get individual resources of this type");
                    }
                    if !a.subresource.is_empty() {
                        return no("cannot get subresource");
                    }
                    if a.name.is_empty() {
                        return no("No Object name found");
                    }
                    return if node_uses_volume(registry, node, &a.name).await {
                        Decision::Allow(String::new())
                    } else {
                        no_relation()
                    };
                }
                ("", "serviceaccounts") => {
                    if a.verb != "create" || a.name.is_empty() {
                        return no("can only create tokens for individual service accounts");
                    }
                    if a.subresource != "token" {
                        return no("can only create token subresource of serviceaccount");
                    }
                    return if pod_uses(registry, node, &a.namespace, Ref::ServiceAccount, &a.name)
                        .await
                    {
                        Decision::Allow(String::new())
                    } else {
                        no_relation()
                    };
                }
                ("coordination.k8s.io", "leases") => {
                    if !matches!(
                        a.verb.as_str(),
                        "get" | "create" | "update" | "patch" | "delete"
                    ) {
                        return no("can only get, create, update, patch, or delete a node lease");
                    }
                    if a.namespace != "kube-node-lease" {
                        return no(
                            "can only access leases in the \"kube-node-lease\" system namespace",
                        );
                    }
                    if a.verb != "create" && a.name != node {
                        return no(
                            "can only access node lease with the same name as the requesting node",
                        );
                    }
                    return Decision::Allow(String::new());
                }
                ("storage.k8s.io", "csinodes") => {
                    if !matches!(
                        a.verb.as_str(),
                        "get" | "create" | "update" | "patch" | "delete"
                    ) {
                        return no("can only get, create, update, patch, or delete a CSINode");
                    }
                    if !a.subresource.is_empty() {
                        return no("cannot authorize CSINode subresources");
                    }
                    if a.verb != "create" && a.name != node {
                        return no(
                            "can only access CSINode with the same name as the requesting node",
                        );
                    }
                    return Decision::Allow(String::new());
                }
                ("", "nodes") => return authorize_node_object(node, a),
                ("", "pods") => return authorize_pod(registry, node, a).await,
                _ => {}
            }
        }
        if node_rules().iter().any(|r| crate::rbac::rule_allows(a, r)) {
            Decision::Allow(String::new())
        } else {
            Decision::NoOpinion(String::new())
        }
    }
}

/// The rules of whoever may do everything (AlwaysAllow).
fn everything() -> [PolicyRule; 2] {
    [
        PolicyRule {
            verbs: vec!["*".into()],
            api_groups: Some(vec!["*".into()]),
            resources: Some(vec!["*".into()]),
            ..Default::default()
        },
        PolicyRule {
            verbs: vec!["*".into()],
            non_resource_urls: Some(vec!["*".into()]),
            ..Default::default()
        },
    ]
}

fn authorize_node_object(node: &str, a: &Attributes) -> Decision {
    match (a.subresource.as_str(), a.verb.as_str()) {
        ("", "create" | "update" | "patch") | ("status", "update" | "patch") => {
            Decision::Allow(String::new())
        }
        ("", "get" | "list" | "watch") => {
            if a.name == node {
                Decision::Allow(String::new())
            } else if a.name.is_empty() {
                Decision::NoOpinion(format!(
                    "node '{node}' cannot read all nodes, only its own Node object"
                ))
            } else {
                Decision::NoOpinion(format!(
                    "node '{node}' cannot read '{}', only its own Node object",
                    a.name
                ))
            }
        }
        _ => Decision::NoOpinion(String::new()),
    }
}

async fn authorize_pod(registry: &Registry, node: &str, a: &Attributes) -> Decision {
    let on_node = || async {
        let r = builtin("", "pods");
        match registry.cached_object(r, Some(&a.namespace), &a.name).await {
            Ok(Some(p)) => p.pointer("/spec/nodeName").and_then(Value::as_str) == Some(node),
            _ => false,
        }
    };
    let no_relation = || {
        Decision::NoOpinion(format!(
            "no relationship found between node '{node}' and this object"
        ))
    };
    match (a.subresource.as_str(), a.verb.as_str()) {
        ("", "get") => {
            if a.name.is_empty() {
                Decision::NoOpinion("No Object name found".into())
            } else if on_node().await {
                Decision::Allow(String::new())
            } else {
                no_relation()
            }
        }
        ("", "list" | "watch") => {
            if a.field_selector
                .iter()
                .any(|(k, v)| k == "spec.nodeName" && v == node)
            {
                Decision::Allow(String::new())
            } else if !a.name.is_empty() {
                if on_node().await {
                    Decision::Allow(String::new())
                } else {
                    no_relation()
                }
            } else {
                Decision::NoOpinion(
                    "can only list/watch pods with spec.nodeName field selector".into(),
                )
            }
        }
        ("", "create" | "delete") | ("status", "update" | "patch") | ("eviction", "create") => {
            Decision::Allow(String::new())
        }
        _ => Decision::NoOpinion(String::new()),
    }
}

/// What a pod refers to, for the Node authorizer's graph.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ref {
    Secret,
    ConfigMap,
    Claim,
    ServiceAccount,
}

/// Names a pod spec refers to of one kind (upstream's graph edges into a pod).
fn pod_refs(pod: &Value, kind: Ref) -> Vec<String> {
    let spec = &pod["spec"];
    let mut out = Vec::new();
    let s = |v: &Value| v.as_str().map(String::from);
    match kind {
        Ref::ServiceAccount => {
            out.extend(s(&spec["serviceAccountName"]).or_else(|| Some("default".into())));
        }
        Ref::Secret => {
            for p in spec["imagePullSecrets"].as_array().into_iter().flatten() {
                out.extend(s(&p["name"]));
            }
        }
        _ => {}
    }
    for v in spec["volumes"].as_array().into_iter().flatten() {
        match kind {
            Ref::Secret => {
                out.extend(s(&v["secret"]["secretName"]));
                for src in v["projected"]["sources"].as_array().into_iter().flatten() {
                    out.extend(s(&src["secret"]["name"]));
                }
                for k in [
                    "azureFile",
                    "cephfs",
                    "cinder",
                    "flexVolume",
                    "iscsi",
                    "rbd",
                    "scaleIO",
                    "storageos",
                    "csi",
                ] {
                    let r = &v[k];
                    out.extend(s(&r["secretName"]));
                    out.extend(s(&r["secretRef"]["name"]));
                    out.extend(s(&r["nodePublishSecretRef"]["name"]));
                }
            }
            Ref::ConfigMap => {
                out.extend(s(&v["configMap"]["name"]));
                for src in v["projected"]["sources"].as_array().into_iter().flatten() {
                    out.extend(s(&src["configMap"]["name"]));
                }
            }
            Ref::Claim => {
                out.extend(s(&v["persistentVolumeClaim"]["claimName"]));
                if v.get("ephemeral").is_some()
                    && let (Some(pod), Some(vol)) = (
                        pod.pointer("/metadata/name").and_then(Value::as_str),
                        v["name"].as_str(),
                    )
                {
                    out.push(format!("{pod}-{vol}"));
                }
            }
            Ref::ServiceAccount => {}
        }
    }
    if matches!(kind, Ref::Secret | Ref::ConfigMap) {
        for list in ["initContainers", "containers", "ephemeralContainers"] {
            for c in spec[list].as_array().into_iter().flatten() {
                for e in c["envFrom"].as_array().into_iter().flatten() {
                    let k = if kind == Ref::Secret {
                        "secretRef"
                    } else {
                        "configMapRef"
                    };
                    out.extend(s(&e[k]["name"]));
                }
                for e in c["env"].as_array().into_iter().flatten() {
                    let k = if kind == Ref::Secret {
                        "secretKeyRef"
                    } else {
                        "configMapKeyRef"
                    };
                    out.extend(s(&e["valueFrom"][k]["name"]));
                }
            }
        }
    }
    out
}

/// Pods of `namespace` bound to `node`.
async fn pods_on(registry: &Registry, node: &str, namespace: Option<&str>) -> Vec<Arc<Value>> {
    let r = builtin("", "pods");
    let prefix = match namespace {
        Some(ns) => format!("{}{ns}/", r.key_prefix()),
        None => r.key_prefix(),
    };
    let Ok((items, _)) = registry.cached(r, &prefix).await else {
        return Vec::new();
    };
    items
        .into_iter()
        .map(|(_, e)| e.object)
        .filter(|p| p.pointer("/spec/nodeName").and_then(Value::as_str) == Some(node))
        .collect()
}

/// Whether a pod bound to `node` refers to the object.
async fn pod_uses(registry: &Registry, node: &str, namespace: &str, kind: Ref, name: &str) -> bool {
    pods_on(registry, node, Some(namespace))
        .await
        .iter()
        .any(|p| pod_refs(p, kind).iter().any(|n| n == name))
}

/// Whether a pod bound to `node` uses a claim bound to the PersistentVolume `pv`.
async fn node_uses_volume(registry: &Registry, node: &str, pv: &str) -> bool {
    let claims = builtin("", "persistentvolumeclaims");
    for pod in pods_on(registry, node, None).await {
        let ns = pod
            .pointer("/metadata/namespace")
            .and_then(Value::as_str)
            .unwrap_or("");
        for claim in pod_refs(&pod, Ref::Claim) {
            if let Ok(Some(c)) = registry.cached_object(claims, Some(ns), &claim).await
                && c.pointer("/spec/volumeName").and_then(Value::as_str) == Some(pv)
            {
                return true;
            }
        }
    }
    false
}

/// The static rules every node has (the bootstrap `system:node` ClusterRole).
fn node_rules() -> &'static [PolicyRule] {
    static RULES: std::sync::OnceLock<Vec<PolicyRule>> = std::sync::OnceLock::new();
    RULES.get_or_init(|| {
        crate::rbac::bootstrap_policy()
            .cluster_roles
            .iter()
            .find(|r| r.metadata.name.as_deref() == Some("system:node"))
            .and_then(|r| r.rules.clone())
            .unwrap_or_default()
    })
}

/// The RBAC objects of the watch cache as one policy, rebuilt when any of them changes.
#[derive(Default)]
struct PolicyCache {
    current: Mutex<Option<([i64; 4], Arc<crate::rbac::Policy>)>>,
}

impl PolicyCache {
    async fn policy(&self, registry: &Registry) -> Result<Arc<crate::rbac::Policy>, String> {
        let kinds = [
            builtin("rbac.authorization.k8s.io", "clusterroles"),
            builtin("rbac.authorization.k8s.io", "roles"),
            builtin("rbac.authorization.k8s.io", "clusterrolebindings"),
            builtin("rbac.authorization.k8s.io", "rolebindings"),
        ];
        let mut revs = [0i64; 4];
        for (i, r) in kinds.iter().enumerate() {
            revs[i] = registry.cached_revision(r).await.map_err(|e| e.message)?;
        }
        if let Some((at, p)) = &*self.current.lock().unwrap_or_else(|e| e.into_inner())
            && *at == revs
        {
            return Ok(p.clone());
        }
        async fn objects<T: serde::de::DeserializeOwned>(
            registry: &Registry,
            r: &'static Resource,
        ) -> Result<Vec<T>, String> {
            let (items, _) = registry
                .cached(r, &r.key_prefix())
                .await
                .map_err(|e| e.message)?;
            Ok(items
                .into_iter()
                .filter_map(|(_, e)| T::deserialize(&*e.object).ok())
                .collect())
        }
        let policy = Arc::new(crate::rbac::Policy::new(
            objects::<ClusterRole>(registry, kinds[0]).await?,
            objects::<Role>(registry, kinds[1]).await?,
            objects::<ClusterRoleBinding>(registry, kinds[2]).await?,
            objects::<RoleBinding>(registry, kinds[3]).await?,
        ));
        *self.current.lock().unwrap_or_else(|e| e.into_inner()) = Some((revs, policy.clone()));
        Ok(policy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn request_info_as_upstream() {
        let a = request_attributes("GET", "/api/v1/namespaces/ns1/pods", &q(&[]));
        assert_eq!(
            (a.verb.as_str(), a.namespace.as_str(), a.resource.as_str()),
            ("list", "ns1", "pods")
        );
        let a = request_attributes(
            "GET",
            "/api/v1/namespaces/ns1/pods",
            &q(&[("watch", "true")]),
        );
        assert_eq!(a.verb, "watch");
        let a = request_attributes("GET", "/api/v1/watch/namespaces/ns1/pods/p1", &q(&[]));
        assert_eq!((a.verb.as_str(), a.name.as_str()), ("watch", "p1"));
        let a = request_attributes("GET", "/api/v1/namespaces/ns1/pods/p1/log", &q(&[]));
        assert_eq!((a.verb.as_str(), a.subresource.as_str()), ("get", "log"));
        let a = request_attributes("GET", "/api/v1/namespaces/ns1", &q(&[]));
        assert_eq!(
            (a.resource.as_str(), a.namespace.as_str(), a.name.as_str()),
            ("namespaces", "ns1", "ns1")
        );
        let a = request_attributes("PUT", "/api/v1/namespaces/ns1/finalize", &q(&[]));
        assert_eq!(
            (a.resource.as_str(), a.name.as_str(), a.subresource.as_str()),
            ("namespaces", "ns1", "finalize")
        );
        let a = request_attributes(
            "DELETE",
            "/apis/apps/v1/namespaces/ns1/deployments",
            &q(&[]),
        );
        assert_eq!(
            (a.verb.as_str(), a.api_group.as_str()),
            ("deletecollection", "apps")
        );
        let a = request_attributes(
            "GET",
            "/api/v1/namespaces/ns1/secrets",
            &q(&[("fieldSelector", "metadata.name=s1")]),
        );
        assert_eq!((a.verb.as_str(), a.name.as_str()), ("list", "s1"));
        let a = request_attributes("GET", "/apis/apps", &q(&[]));
        assert!(!a.resource_request);
        assert_eq!((a.verb.as_str(), a.path.as_str()), ("get", "/apis/apps"));
        let a = request_attributes("GET", "/healthz", &q(&[]));
        assert!(!a.resource_request);
    }

    #[test]
    fn forbidden_messages() {
        let u = UserInfo {
            name: "jane".into(),
            ..Default::default()
        };
        let a = request_attributes("GET", "/api/v1/namespaces/ns1/secrets/s1", &HashMap::new());
        let e = forbidden(&u, &a, "");
        assert_eq!(e.code, 403);
        assert_eq!(
            e.message,
            r#"secrets "s1" is forbidden: User "jane" cannot get resource "secrets" in API group "" in the namespace "ns1""#
        );
        let a = request_attributes("GET", "/apis/apps/v1/deployments", &HashMap::new());
        assert_eq!(
            forbidden(&u, &a, "").message,
            r#"deployments.apps is forbidden: User "jane" cannot list resource "deployments" in API group "apps" at the cluster scope"#
        );
        let a = request_attributes("GET", "/logs", &HashMap::new());
        assert_eq!(
            forbidden(&u, &a, "").message,
            r#"forbidden: User "jane" cannot get path "/logs""#
        );
    }

    #[test]
    fn modes() {
        assert_eq!(
            Mode::parse_list("Node,RBAC"),
            Ok(vec![Mode::Node, Mode::Rbac])
        );
        assert!(Mode::parse_list("RBAC,RBAC").is_err());
        assert!(Mode::parse_list("Webhook").is_err());
    }

    #[test]
    fn node_graph_edges() {
        let pod = serde_json::json!({
            "metadata": {"name": "p"},
            "spec": {
                "serviceAccountName": "sa1",
                "imagePullSecrets": [{"name": "pull"}],
                "volumes": [
                    {"name": "a", "secret": {"secretName": "vol-secret"}},
                    {"name": "b", "configMap": {"name": "vol-cm"}},
                    {"name": "c", "projected": {"sources": [{"secret": {"name": "proj"}}, {"configMap": {"name": "proj-cm"}}]}},
                    {"name": "d", "persistentVolumeClaim": {"claimName": "claim"}},
                    {"name": "e", "ephemeral": {}}
                ],
                "containers": [{"name": "c", "env": [{"name": "X", "valueFrom": {"secretKeyRef": {"name": "env-secret", "key": "k"}}}],
                                "envFrom": [{"configMapRef": {"name": "env-cm"}}]}]
            }
        });
        let mut secrets = pod_refs(&pod, Ref::Secret);
        secrets.sort();
        assert_eq!(secrets, ["env-secret", "proj", "pull", "vol-secret"]);
        let mut cms = pod_refs(&pod, Ref::ConfigMap);
        cms.sort();
        assert_eq!(cms, ["env-cm", "proj-cm", "vol-cm"]);
        assert_eq!(pod_refs(&pod, Ref::Claim), ["claim", "p-e"]);
        assert_eq!(pod_refs(&pod, Ref::ServiceAccount), ["sa1"]);
    }
}
