//! Admission: what every write passes through after decoding and defaulting, in upstream's
//! order — mutating plugins, then the object's validation, then validating plugins — and the
//! RBAC registry's escalation checks (a user cannot grant permissions they do not hold, nor
//! bind a role they could not grant, unless they may `escalate` or `bind`).
//!
//! Mutating: Priority, DefaultTolerationSeconds, LimitRanger (defaults), TaintNodesByCondition,
//! DefaultStorageClass. Validating: NamespaceLifecycle (system namespaces are not deleted;
//! creates in missing or terminating namespaces are refused by the registry), NodeRestriction,
//! LimitRanger, PodSecurity, and ResourceQuota last — usage is charged to each matching quota's
//! `status.used` with a compare-and-swap on the quota before the object is written, so
//! concurrent creates never exceed it (as upstream, usage is given back by recalculation, not
//! on delete). The plugins' pure logic lives in `admission_plugins` and `pod_security`.
//!
//! Writes the server makes itself (bootstrap objects) carry no user and skip admission.
//!
//! The ServiceAccount plugin defaults `serviceAccountName` and mounts the projected token
//! volume (`kube-api-access-*`: a bound token, `kube-root-ca.crt` and the namespace) at
//! `/var/run/secrets/kubernetes.io/serviceaccount`. Unlike upstream, a pod whose service
//! account does not exist (yet) is admitted without the volume rather than refused: an API
//! server without a controller manager still takes pods.
//!
//! ValidatingAdmissionPolicy (`admission_policy`, CEL) runs last before ResourceQuota.
//!
//! Not here: admission webhooks, MutatingAdmissionPolicy, policy parameters (`paramRef`).

use std::sync::Arc;

use k8s_openapi::api::rbac::v1::{
    ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, RoleRef,
};
use serde_json::Value;

use crate::authn::{PRIVILEGED_GROUP, UserInfo};
use crate::authz::{Attributes, Authorizer};
use crate::error::{ApiError, ApiResult};
use crate::registry::Registry;
use crate::resources::{Resource, builtin};

/// What an admission request is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Create,
    Update,
    Delete,
}

/// One write as admission sees it.
pub struct Request<'a> {
    pub operation: Operation,
    pub resource: &'static Resource,
    pub subresource: Option<&'a str>,
    pub namespace: Option<&'a str>,
    pub name: &'a str,
    pub user: &'a UserInfo,
    pub dry_run: bool,
}

/// The admission chain of a server.
pub struct Admission {
    authz: Arc<Authorizer>,
    pod_security: crate::pod_security::PodSecurityConfiguration,
    /// The ValidatingAdmissionPolicies and bindings, compiled, with the watch cache revisions
    /// they were compiled at.
    policies: std::sync::Mutex<Option<([i64; 2], Arc<crate::admission_policy::Policies>)>>,
}

const RBAC_GROUP: &str = "rbac.authorization.k8s.io";

/// The system namespaces that may not be deleted (upstream's NamespaceLifecycle).
const IMMORTAL_NAMESPACES: [&str; 4] = ["default", "kube-system", "kube-public", "kube-node-lease"];

impl Admission {
    pub fn new(authz: Arc<Authorizer>) -> Admission {
        Admission {
            authz,
            pod_security: Default::default(),
            policies: Default::default(),
        }
    }

    /// Mutating plugins; returns warnings.
    pub async fn mutate(
        &self,
        registry: &Registry,
        req: &Request<'_>,
        obj: &mut Value,
        old: Option<&Value>,
    ) -> ApiResult<Vec<String>> {
        use crate::admission_plugins as plugins;
        let r = req.resource;
        if r.group == "certificates.k8s.io" && req.operation == Operation::Create {
            // The CertificateSigningRequest strategy: the requester is who asked, and nothing
            // is approved at creation.
            let user = req.user;
            obj["spec"]["username"] = Value::String(user.name.clone());
            obj["spec"]["uid"] = Value::String(user.uid.clone());
            obj["spec"]["groups"] = serde_json::json!(user.groups);
            obj["spec"]["extra"] = serde_json::json!(user.extra);
            for k in ["uid", "extra"] {
                let empty = obj["spec"][k].as_str() == Some("")
                    || obj["spec"][k].as_object().is_some_and(|m| m.is_empty());
                if empty && let Some(spec) = obj["spec"].as_object_mut() {
                    spec.remove(k);
                }
            }
            obj["status"] = serde_json::json!({});
            return Ok(Vec::new());
        }
        if !r.group.is_empty() || req.subresource.is_some() {
            return Ok(Vec::new());
        }
        let ns = req.namespace.unwrap_or("");
        match (r.plural, req.operation) {
            ("pods", Operation::Create) => {
                service_account_admit(registry, ns, obj).await?;
                let classes =
                    cached_all(registry, "scheduling.k8s.io", "priorityclasses", None).await?;
                plugins::priority_admit_pod(obj, &classes).map_err(|e| forbidden(req, &e))?;
                plugins::default_toleration_seconds(obj);
                let ranges = cached_all(registry, "", "limitranges", Some(ns)).await?;
                plugins::limit_ranger_default_pod(obj, &ranges);
            }
            ("pods", Operation::Update) => {
                if let Some(old) = old {
                    plugins::priority_admit_pod_update(obj, old);
                }
            }
            ("nodes", Operation::Create) => plugins::taint_new_node(obj),
            ("persistentvolumeclaims", Operation::Create) => {
                let classes =
                    cached_all(registry, "storage.k8s.io", "storageclasses", None).await?;
                plugins::default_storage_class(obj, &classes).map_err(|e| forbidden(req, &e))?;
            }
            ("resourcequotas", Operation::Create | Operation::Update) => {
                // The usage a new quota starts from (the resourcequota controller's first
                // sync); later changes are charged by admission.
                let objects = namespace_objects(registry, ns, obj).await?;
                let mut status = plugins::quota_status(obj, &objects);
                if let (Some(old_used), Some(Operation::Update)) = (
                    old.and_then(|o| o.pointer("/status/used")),
                    Some(req.operation),
                ) && old.and_then(|o| o.pointer("/spec/hard")) == obj.pointer("/spec/hard")
                {
                    status["used"] = old_used.clone();
                }
                obj["status"] = status;
            }
            _ => {}
        }
        Ok(Vec::new())
    }

    /// Validating plugins and registry checks; returns warnings.
    pub async fn validate(
        &self,
        registry: &Registry,
        req: &Request<'_>,
        obj: Option<&Value>,
        old: Option<&Value>,
    ) -> ApiResult<Vec<String>> {
        if req.operation == Operation::Delete
            && req.resource.group.is_empty()
            && req.resource.plural == "namespaces"
            && IMMORTAL_NAMESPACES.contains(&req.name)
        {
            return Err(ApiError::forbidden(
                "",
                "namespaces",
                req.name,
                "this namespace may not be deleted",
            ));
        }
        let mut warnings = Vec::new();
        if req.resource.group == "admissionregistration.k8s.io"
            && req.resource.kind == "ValidatingAdmissionPolicy"
            && req.subresource.is_none()
            && let Some(obj) = obj
        {
            let errors = crate::admission_policy::validate_policy(obj);
            if !errors.is_empty() {
                let parts: Vec<String> = errors.iter().map(|(f, m)| format!("{f}: {m}")).collect();
                let body = if parts.len() == 1 {
                    parts[0].clone()
                } else {
                    format!("[{}]", parts.join(", "))
                };
                let causes: Vec<Value> = errors
                    .iter()
                    .map(|(f, m)| serde_json::json!({"reason": "FieldValueInvalid", "message": m, "field": f}))
                    .collect();
                return Err(ApiError {
                    details: Some(
                        serde_json::json!({"name": req.name, "group": req.resource.group, "kind": req.resource.kind, "causes": causes}),
                    ),
                    ..ApiError::new(
                        422,
                        "Invalid",
                        format!(
                            "ValidatingAdmissionPolicy.admissionregistration.k8s.io {:?} is invalid: {body}",
                            req.name
                        ),
                    )
                });
            }
        }
        if req.resource.group == RBAC_GROUP
            && req.subresource.is_none()
            && let Some(obj) = obj
        {
            self.confirm_no_escalation(registry, req, obj, old).await?;
        }
        node_restriction(registry, req, obj, old).await?;
        if req.resource.group == "certificates.k8s.io"
            && let Some(obj) = obj
        {
            self.certificate_admission(registry, req, obj, old).await?;
        }
        if let Some(obj) = obj
            && req.operation != Operation::Delete
        {
            let r = req.resource;
            if r.group.is_empty() && req.subresource.is_none() && req.operation == Operation::Create
            {
                let ns = req.namespace.unwrap_or("");
                let errors = match r.plural {
                    "pods" => {
                        let ranges = cached_all(registry, "", "limitranges", Some(ns)).await?;
                        crate::admission_plugins::limit_ranger_validate_pod(obj, &ranges)
                    }
                    "persistentvolumeclaims" => {
                        let ranges = cached_all(registry, "", "limitranges", Some(ns)).await?;
                        crate::admission_plugins::limit_ranger_validate_pvc(obj, &ranges)
                    }
                    _ => Vec::new(),
                };
                if !errors.is_empty() {
                    return Err(forbidden(
                        req,
                        &crate::admission_plugins::aggregate_message(&errors),
                    ));
                }
            }
            warnings.extend(self.pod_security(registry, req, obj, old).await?);
        }
        warnings.extend(self.admission_policies(registry, req, obj, old).await?);
        if let Some(obj) = obj
            && req.operation != Operation::Delete
            && req.namespace.is_some()
        {
            charge_quota(registry, req, obj, old).await?;
        }
        Ok(warnings)
    }

    /// ValidatingAdmissionPolicy: every bound policy that matches the request.
    async fn admission_policies(
        &self,
        registry: &Registry,
        req: &Request<'_>,
        obj: Option<&Value>,
        old: Option<&Value>,
    ) -> ApiResult<Vec<String>> {
        let policies = self.compiled_policies(registry).await?;
        if policies.is_empty() {
            return Ok(Vec::new());
        }
        let r = req.resource;
        let ns = req.namespace.unwrap_or("");
        let namespace_object = match req.namespace {
            Some(ns) => {
                registry
                    .cached_object(builtin("", "namespaces"), None, ns)
                    .await?
            }
            None => None,
        };
        let user = req.user.to_json();
        let operation = match req.operation {
            Operation::Create => "CREATE",
            Operation::Update => "UPDATE",
            Operation::Delete => "DELETE",
        };
        let decision = policies.evaluate(&crate::admission_policy::Request {
            operation,
            group: r.group,
            version: r.version,
            resource: r.plural,
            subresource: req.subresource.unwrap_or(""),
            kind: r.kind,
            namespace: ns,
            name: req.name,
            object: obj,
            old_object: old,
            namespace_object: namespace_object.as_deref(),
            user: &user,
            dry_run: req.dry_run,
        });
        if let Some((code, reason, message)) = decision.deny {
            let reason: &'static str = match reason.as_str() {
                "Forbidden" => "Forbidden",
                "Unauthorized" => "Unauthorized",
                "RequestEntityTooLarge" => "RequestEntityTooLarge",
                _ => "Invalid",
            };
            let cause = message
                .split_once("is forbidden: ")
                .map_or(message.as_str(), |(_, m)| m)
                .to_string();
            return Err(ApiError {
                details: Some(serde_json::json!({
                    "name": req.name, "group": r.group, "kind": r.plural,
                    "causes": [{"message": cause}],
                })),
                ..ApiError::new(code, reason, message)
            });
        }
        Ok(decision.warnings)
    }

    /// The policies and bindings of the watch cache, compiled again when either changes.
    async fn compiled_policies(
        &self,
        registry: &Registry,
    ) -> ApiResult<Arc<crate::admission_policy::Policies>> {
        let kinds = [
            builtin(
                "admissionregistration.k8s.io",
                "validatingadmissionpolicies",
            ),
            builtin(
                "admissionregistration.k8s.io",
                "validatingadmissionpolicybindings",
            ),
        ];
        let revs = [
            registry.cached_revision(kinds[0]).await?,
            registry.cached_revision(kinds[1]).await?,
        ];
        if let Some((at, p)) = &*self.policies.lock().unwrap_or_else(|e| e.into_inner())
            && *at == revs
        {
            return Ok(p.clone());
        }
        let policies = cached_all(registry, kinds[0].group, kinds[0].plural, None).await?;
        let bindings = cached_all(registry, kinds[1].group, kinds[1].plural, None).await?;
        let compiled = Arc::new(crate::admission_policy::Policies::new(&policies, &bindings));
        *self.policies.lock().unwrap_or_else(|e| e.into_inner()) = Some((revs, compiled.clone()));
        Ok(compiled)
    }

    /// The PodSecurity plugin: pods (and pod templates, warn and audit only) against their
    /// namespace's levels; namespace label changes against the pods already there.
    async fn pod_security(
        &self,
        registry: &Registry,
        req: &Request<'_>,
        obj: &Value,
        old: Option<&Value>,
    ) -> ApiResult<Vec<String>> {
        use crate::pod_security as psa;
        let r = req.resource;
        let operation = match req.operation {
            Operation::Create => psa::Operation::Create,
            _ => psa::Operation::Update,
        };
        if r.group.is_empty() && r.plural == "namespaces" {
            let labels = |v: &Value| -> std::collections::BTreeMap<String, String> {
                v.pointer("/metadata/labels")
                    .and_then(Value::as_object)
                    .map(|m| {
                        m.iter()
                            .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                            .collect()
                    })
                    .unwrap_or_default()
            };
            let (new_labels, old_labels) = (labels(obj), old.map(labels));
            let pods = crate::resources::find("", "v1", "pods").expect("pods are served");
            let listed = registry
                .cached(pods, &format!("{}{}/", pods.key_prefix(), req.name))
                .await
                .map(|(items, _)| {
                    items
                        .into_iter()
                        .map(|(_, e)| (*e.object).clone())
                        .collect()
                })
                .map_err(|e| e.message);
            let decision = psa::validate_namespace(
                &self.pod_security,
                &psa::NamespaceRequest {
                    name: req.name,
                    operation,
                    subresource: req.subresource.unwrap_or(""),
                    labels: &new_labels,
                    old_labels: old_labels.as_ref(),
                },
                move || listed,
            );
            if let Some(msg) = decision.invalid {
                let causes: Vec<Value> = decision
                    .field_errors
                    .iter()
                    .map(|e| serde_json::json!({"reason": "FieldValueInvalid", "message": e.to_string(), "field": e.field}))
                    .collect();
                return Err(ApiError {
                    details: Some(
                        serde_json::json!({"name": req.name, "kind": "Namespace", "causes": causes}),
                    ),
                    ..ApiError::new(422, "Invalid", msg)
                });
            }
            return Ok(decision.warnings);
        }
        if !psa::applies_to(r.group, r.kind) {
            return Ok(Vec::new());
        }
        let ns = req.namespace.unwrap_or("");
        let namespaces =
            crate::resources::find("", "v1", "namespaces").expect("namespaces are served");
        let labels: std::collections::BTreeMap<String, String> = registry
            .cached_object(namespaces, None, ns)
            .await?
            .and_then(|n| {
                n.pointer("/metadata/labels")
                    .and_then(Value::as_object)
                    .map(|m| {
                        m.iter()
                            .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                            .collect()
                    })
            })
            .unwrap_or_default();
        let (policy, errors) = psa::policy_to_evaluate(&labels, &self.pod_security.defaults);
        let decision = psa::admit(
            &policy,
            &errors,
            &self.pod_security.exemptions,
            &psa::AdmissionRequest {
                group: r.group,
                kind: r.kind,
                namespace: ns,
                name: req.name,
                object: obj,
                old_object: old,
                operation,
                subresource: req.subresource.unwrap_or(""),
                username: &req.user.name,
            },
        );
        if let Some(msg) = decision.deny {
            return Err(ApiError {
                details: Some(serde_json::json!({"name": req.name, "kind": r.plural})),
                ..ApiError::new(403, "Forbidden", msg)
            });
        }
        Ok(decision.warnings)
    }

    /// CertificateApproval, CertificateSigning and CertificateSubjectRestriction: approving
    /// (or denying) needs `approve` on the signer, issuing needs `sign` on it, and nobody gets
    /// a `system:masters` client certificate through a CSR.
    async fn certificate_admission(
        &self,
        registry: &Registry,
        req: &Request<'_>,
        obj: &Value,
        old: Option<&Value>,
    ) -> ApiResult<()> {
        let signer = obj
            .pointer("/spec/signerName")
            .and_then(Value::as_str)
            .unwrap_or("");
        let verb = match (req.operation, req.subresource) {
            (Operation::Update, Some("approval")) => {
                let conditions =
                    |v: Option<&Value>| v.and_then(|v| v.pointer("/status/conditions")).cloned();
                (conditions(Some(obj)) != conditions(old)).then_some("approve")
            }
            (Operation::Update, Some("status")) => {
                let cert =
                    |v: Option<&Value>| v.and_then(|v| v.pointer("/status/certificate")).cloned();
                (cert(Some(obj)) != cert(old)).then_some("sign")
            }
            (Operation::Create, None) => {
                if signer == "kubernetes.io/kube-apiserver-client"
                    && csr_organizations(obj).iter().any(|o| o == PRIVILEGED_GROUP)
                {
                    return Err(forbidden(
                        req,
                        "use of kubernetes.io/kube-apiserver-client signer with system:masters group is not allowed",
                    ));
                }
                None
            }
            _ => None,
        };
        let Some(verb) = verb else { return Ok(()) };
        let domain_wildcard = signer
            .split_once('/')
            .map(|(d, _)| format!("{d}/*"))
            .unwrap_or_default();
        for name in [signer.to_string(), domain_wildcard] {
            let a = Attributes {
                verb: verb.into(),
                resource_request: true,
                api_group: "certificates.k8s.io".into(),
                resource: "signers".into(),
                name,
                ..Default::default()
            };
            if self.authz.authorize(registry, req.user, &a).await.0 {
                return Ok(());
            }
        }
        let what = if verb == "approve" { "approve" } else { "sign" };
        Err(forbidden(
            req,
            &format!("user not permitted to {what} requests with signerName {signer:?}"),
        ))
    }

    /// Upstream's RBAC registry checks on Roles, ClusterRoles and their bindings.
    async fn confirm_no_escalation(
        &self,
        registry: &Registry,
        req: &Request<'_>,
        obj: &Value,
        old: Option<&Value>,
    ) -> ApiResult<()> {
        let user = req.user;
        if user.in_group(PRIVILEGED_GROUP) {
            return Ok(());
        }
        let ns = req.namespace.unwrap_or("");
        let r = req.resource;
        let (group, plural) = (r.group, r.plural);
        let invalid_body = |e: serde_json::Error| ApiError::bad_request(e.to_string());
        match r.kind {
            "Role" | "ClusterRole" => {
                let rules: Vec<PolicyRule> = if r.kind == "Role" {
                    let role: Role = serde_json::from_value(obj.clone()).map_err(invalid_body)?;
                    role.rules.unwrap_or_default()
                } else {
                    let role: ClusterRole =
                        serde_json::from_value(obj.clone()).map_err(invalid_body)?;
                    role.rules.unwrap_or_default()
                };
                // An update that grants nothing new needs no check (upstream compares rules).
                if let Some(old) = old
                    && old.get("rules") == obj.get("rules")
                {
                    return Ok(());
                }
                if self
                    .allowed(registry, user, "escalate", ns, plural, req.name)
                    .await
                {
                    return Ok(());
                }
                self.covered(registry, user, ns, &rules, group, plural, req.name)
                    .await
            }
            "RoleBinding" | "ClusterRoleBinding" => {
                let role_ref: RoleRef = if r.kind == "RoleBinding" {
                    let b: RoleBinding =
                        serde_json::from_value(obj.clone()).map_err(invalid_body)?;
                    b.role_ref
                } else {
                    let b: ClusterRoleBinding =
                        serde_json::from_value(obj.clone()).map_err(invalid_body)?;
                    b.role_ref
                };
                if let Some(old) = old
                    && old.get("roleRef") == obj.get("roleRef")
                    && old.get("subjects") == obj.get("subjects")
                {
                    return Ok(());
                }
                let ref_plural = match role_ref.kind.as_str() {
                    "Role" => "roles",
                    _ => "clusterroles",
                };
                let ref_ns = if role_ref.kind == "Role" { ns } else { "" };
                // Upstream's BindingAuthorized: the `bind` verb on the referenced role.
                let bind = Attributes {
                    verb: "bind".into(),
                    resource_request: true,
                    namespace: ns.into(),
                    api_group: RBAC_GROUP.into(),
                    resource: ref_plural.into(),
                    name: role_ref.name.clone(),
                    ..Default::default()
                };
                if self.authz.authorize(registry, user, &bind).await.0 {
                    return Ok(());
                }
                let rules = role_rules(registry, &role_ref, ref_ns).await?;
                self.covered(registry, user, ns, &rules, group, plural, req.name)
                    .await
            }
            _ => Ok(()),
        }
    }

    async fn allowed(
        &self,
        registry: &Registry,
        user: &UserInfo,
        verb: &str,
        ns: &str,
        plural: &str,
        name: &str,
    ) -> bool {
        let a = Attributes {
            verb: verb.into(),
            resource_request: true,
            namespace: ns.into(),
            api_group: RBAC_GROUP.into(),
            resource: plural.into(),
            name: name.into(),
            ..Default::default()
        };
        self.authz.authorize(registry, user, &a).await.0
    }

    /// Upstream's ConfirmNoEscalation: the user's own rules in `ns` must cover `rules`.
    #[allow(clippy::too_many_arguments)]
    async fn covered(
        &self,
        registry: &Registry,
        user: &UserInfo,
        ns: &str,
        rules: &[PolicyRule],
        group: &str,
        plural: &str,
        name: &str,
    ) -> ApiResult<()> {
        let (owned, errors) = self
            .authz
            .rbac_rules(registry, user, ns)
            .await
            .map_err(ApiError::internal)?;
        let (ok, uncovered) = crate::rbac::covers(&owned, rules);
        if ok {
            return Ok(());
        }
        let msg = crate::rbac::escalation_message(user, ns, &uncovered, &errors);
        Err(ApiError::forbidden(group, plural, name, &msg))
    }
}

/// The rules of the role a binding refers to (upstream's GetRoleReferenceRules).
async fn role_rules(
    registry: &Registry,
    role_ref: &RoleRef,
    ns: &str,
) -> ApiResult<Vec<PolicyRule>> {
    let plural = if role_ref.kind == "Role" {
        "roles"
    } else {
        "clusterroles"
    };
    if role_ref.api_group != RBAC_GROUP || !matches!(role_ref.kind.as_str(), "Role" | "ClusterRole")
    {
        return Err(ApiError::bad_request(format!(
            "unsupported role reference kind: {:?}",
            role_ref.kind
        )));
    }
    let r = crate::resources::find(RBAC_GROUP, "v1", plural).expect("RBAC is served");
    let obj = registry
        .get(r, (role_ref.kind == "Role").then_some(ns), &role_ref.name)
        .await?;
    let rules = obj
        .get("rules")
        .cloned()
        .map(serde_json::from_value::<Vec<PolicyRule>>)
        .transpose()
        .map_err(|e| ApiError::internal(e.to_string()))?
        .unwrap_or_default();
    Ok(rules)
}

/// `admission.NewForbidden`: `<resource> "<name>" is forbidden: <message>`.
fn forbidden(req: &Request<'_>, message: &str) -> ApiError {
    ApiError::forbidden(req.resource.group, req.resource.plural, req.name, message)
}

/// Objects of a built-in resource from the watch cache (of one namespace, or all).
async fn cached_all(
    registry: &Registry,
    group: &str,
    plural: &str,
    namespace: Option<&str>,
) -> ApiResult<Vec<Value>> {
    let r = builtin(group, plural);
    let prefix = match namespace {
        Some(ns) => format!("{}{ns}/", r.key_prefix()),
        None => r.key_prefix(),
    };
    let (items, _) = registry.cached(r, &prefix).await?;
    Ok(items
        .into_iter()
        .map(|(_, e)| (*e.object).clone())
        .collect())
}

/// The objects of a namespace a quota may count: pods, services, configmaps, secrets, claims,
/// replication controllers, quotas, and every `count/<resource>.<group>` the quota names.
async fn namespace_objects(
    registry: &Registry,
    ns: &str,
    quota: &Value,
) -> ApiResult<Vec<(String, String, Value)>> {
    let mut kinds: Vec<(&'static str, &'static str)> = vec![
        ("", "pods"),
        ("", "services"),
        ("", "configmaps"),
        ("", "secrets"),
        ("", "persistentvolumeclaims"),
        ("", "replicationcontrollers"),
        ("", "resourcequotas"),
    ];
    if let Some(hard) = quota.pointer("/spec/hard").and_then(Value::as_object) {
        for name in hard.keys() {
            let Some(counted) = name.strip_prefix("count/") else {
                continue;
            };
            let (plural, group) = counted.split_once('.').unwrap_or((counted, ""));
            if let Some(r) = crate::resources::RESOURCES
                .iter()
                .find(|r| r.group == group && r.plural == plural && r.is_stored())
                && !kinds.contains(&(r.group, r.plural))
            {
                kinds.push((r.group, r.plural));
            }
        }
    }
    let mut out = Vec::new();
    for (group, plural) in kinds {
        for obj in cached_all(registry, group, plural, Some(ns)).await? {
            out.push((group.to_string(), plural.to_string(), obj));
        }
    }
    Ok(out)
}

/// ResourceQuota: charge the write to every matching quota of its namespace, each with a
/// compare-and-swap on the quota, retried from a fresh read when another write charged it
/// first; refused with upstream's message when a quota would be exceeded.
async fn charge_quota(
    registry: &Registry,
    req: &Request<'_>,
    obj: &Value,
    old: Option<&Value>,
) -> ApiResult<()> {
    let r = req.resource;
    if crate::admission_plugins::quota_ignores(r.group, r.plural) {
        return Ok(());
    }
    let quotas_r = builtin("", "resourcequotas");
    let ns = req.namespace.unwrap_or("");
    // Most namespaces have no quota: the watch cache says so without a store read (as
    // upstream's quota lister does); with quotas, they are read fresh for the
    // compare-and-swap.
    if cached_all(registry, "", "resourcequotas", Some(ns))
        .await?
        .is_empty()
    {
        return Ok(());
    }
    for _ in 0..32 {
        let (quotas, _, _, _) = registry
            .list(quotas_r, Some(ns), &crate::registry::ListOptions::default())
            .await?;
        if quotas.is_empty() {
            return Ok(());
        }
        let changes = match req.subresource {
            None => crate::admission_plugins::quota_admit(r.group, r.plural, obj, old, &quotas),
            Some(sub) => crate::admission_plugins::quota_admit_subresource(
                r.group, r.plural, sub, obj, old, &quotas,
            ),
        }
        .map_err(|e| forbidden(req, &e))?;
        if changes.is_empty() || req.dry_run {
            return Ok(());
        }
        let mut conflicted = false;
        for (name, used) in changes {
            let Some(q) = quotas.iter().find(|q| crate::registry::name_of(q) == name) else {
                continue;
            };
            let mut updated = q.clone();
            updated["status"]["used"] = used;
            match registry
                .replace_unchecked(quotas_r, Some(ns), &name, q, updated)
                .await
            {
                Ok(()) => {}
                Err(e) if e.code == 409 => {
                    conflicted = true;
                    break;
                }
                Err(e) => return Err(e),
            }
        }
        if !conflicted {
            return Ok(());
        }
    }
    Err(ApiError::new(
        429,
        "TooManyRequests",
        "too many concurrent writes to resource quotas; try again",
    ))
}

/// Labels a kubelet may set on its own Node under the kubernetes.io and k8s.io namespaces
/// (upstream's kubeletapis.KubeletLabels and the node.kubernetes.io/ and
/// kubelet.kubernetes.io/ prefixes).
const KUBELET_LABELS: [&str; 11] = [
    "kubernetes.io/hostname",
    "kubernetes.io/arch",
    "kubernetes.io/os",
    "beta.kubernetes.io/arch",
    "beta.kubernetes.io/os",
    "beta.kubernetes.io/instance-type",
    "node.kubernetes.io/instance-type",
    "failure-domain.beta.kubernetes.io/region",
    "failure-domain.beta.kubernetes.io/zone",
    "topology.kubernetes.io/region",
    "topology.kubernetes.io/zone",
];

fn kubelet_may_set_label(key: &str) -> bool {
    let namespace = key.split_once('/').map_or("", |(ns, _)| ns);
    if KUBELET_LABELS.contains(&key)
        || namespace == "kubelet.kubernetes.io"
        || namespace.ends_with(".kubelet.kubernetes.io")
        || namespace == "node.kubernetes.io"
        || namespace.ends_with(".node.kubernetes.io")
    {
        return true;
    }
    let restricted = namespace == "node-restriction.kubernetes.io"
        || namespace.ends_with(".node-restriction.kubernetes.io")
        || namespace == "kubernetes.io"
        || namespace.ends_with(".kubernetes.io")
        || namespace == "k8s.io"
        || namespace.ends_with(".k8s.io");
    !restricted
}

/// What a kubelet may not change on its own Node: labels it may not set, and (on update)
/// its taints.
fn node_self_changes(node: &str, obj: &Value, old: Option<&Value>) -> Option<String> {
    let labels = |v: Option<&Value>| -> std::collections::BTreeMap<String, Value> {
        v.and_then(|v| v.pointer("/metadata/labels"))
            .and_then(Value::as_object)
            .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default()
    };
    let (new, before) = (labels(Some(obj)), labels(old));
    let mut forbidden: Vec<&str> = new
        .iter()
        .filter(|(k, v)| before.get(*k) != Some(v) && !kubelet_may_set_label(k))
        .map(|(k, _)| k.as_str())
        .chain(
            before
                .keys()
                .filter(|k| !new.contains_key(*k) && !kubelet_may_set_label(k))
                .map(String::as_str),
        )
        .collect();
    if !forbidden.is_empty() {
        forbidden.sort_unstable();
        forbidden.dedup();
        return Some(format!(
            "node {node:?} is not allowed to modify labels: {}",
            forbidden.join(", ")
        ));
    }
    if let Some(old) = old
        && old.pointer("/spec/taints") != obj.pointer("/spec/taints")
    {
        return Some(format!("node {node:?} is not allowed to modify taints"));
    }
    None
}

/// NodeRestriction: a kubelet may change only its own Node, and only pods bound to it
/// (creating mirror pods only).
async fn node_restriction(
    _registry: &Registry,
    req: &Request<'_>,
    obj: Option<&Value>,
    old: Option<&Value>,
) -> ApiResult<()> {
    let Some(node) = req.user.node_name() else {
        return Ok(());
    };
    let r = req.resource;
    let node_of = |v: Option<&Value>| {
        v.and_then(|v| v.pointer("/spec/nodeName"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let same_node = |v: Option<&Value>| node_of(v) == node;
    let refusal = match (r.group, r.plural, req.operation, req.subresource) {
        ("", "nodes", ..) if req.name != node => Some(format!(
            "node {node:?} is not allowed to modify node {:?}",
            req.name
        )),
        ("", "nodes", Operation::Create | Operation::Update, None) => {
            node_self_changes(node, obj.unwrap_or(&Value::Null), old)
        }
        ("", "pods", Operation::Create, None) => {
            let obj = obj.unwrap_or(&Value::Null);
            if obj
                .pointer("/metadata/annotations/kubernetes.io~1config.mirror")
                .is_none()
            {
                Some(format!(
                    "pod does not have \"kubernetes.io/config.mirror\" annotation, node {node:?} can only create mirror pods"
                ))
            } else if !same_node(Some(obj)) {
                Some(format!(
                    "node {node:?} can only create pods with spec.nodeName set to itself"
                ))
            } else {
                None
            }
        }
        ("", "pods", Operation::Update, Some("status")) if !same_node(old) => Some(format!(
            "node {node:?} can only update pod status for pods with spec.nodeName set to itself"
        )),
        ("", "pods", Operation::Delete, None) if !same_node(old) => Some(format!(
            "node {node:?} can only delete pods with spec.nodeName set to itself"
        )),
        ("coordination.k8s.io", "leases", Operation::Create, _)
            if req.name != node || req.namespace != Some("kube-node-lease") =>
        {
            Some("can only access node lease with the same name as the requesting node".into())
        }
        _ => None,
    };
    if let Some(msg) = refusal {
        return Err(forbidden(req, &msg));
    }
    Ok(())
}

/// The subject organizations of a CSR's PEM request.
fn csr_organizations(csr: &Value) -> Vec<String> {
    use base64::Engine;
    use x509_parser::prelude::FromDer;
    let Some(pem) = csr
        .pointer("/spec/request")
        .and_then(Value::as_str)
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
    else {
        return Vec::new();
    };
    let Ok((_, block)) = x509_parser::pem::parse_x509_pem(&pem) else {
        return Vec::new();
    };
    let Ok((_, req)) =
        x509_parser::certification_request::X509CertificationRequest::from_der(&block.contents)
    else {
        return Vec::new();
    };
    req.certification_request_info
        .subject
        .iter_organization()
        .filter_map(|o| o.as_str().ok().map(String::from))
        .collect()
}

/// Where service account credentials are mounted.
const SERVICE_ACCOUNT_MOUNT: &str = "/var/run/secrets/kubernetes.io/serviceaccount";

/// The ServiceAccount plugin for a new pod.
async fn service_account_admit(registry: &Registry, ns: &str, pod: &mut Value) -> ApiResult<()> {
    let spec = &mut pod["spec"];
    let name = match spec.get("serviceAccountName").and_then(Value::as_str) {
        Some(n) if !n.is_empty() => n.to_string(),
        _ => {
            spec["serviceAccountName"] = Value::String("default".into());
            "default".to_string()
        }
    };
    // Mirror pods (static pods a kubelet reports) get no credentials.
    if pod
        .pointer("/metadata/annotations/kubernetes.io~1config.mirror")
        .is_some()
    {
        return Ok(());
    }
    let accounts = builtin("", "serviceaccounts");
    let Some(sa) = registry.cached_object(accounts, Some(ns), &name).await? else {
        return Ok(());
    };
    let automount = pod
        .pointer("/spec/automountServiceAccountToken")
        .and_then(Value::as_bool)
        .or_else(|| {
            sa.get("automountServiceAccountToken")
                .and_then(Value::as_bool)
        })
        .unwrap_or(true);
    if !automount {
        return Ok(());
    }
    let spec = &mut pod["spec"];
    let mounted = |c: &Value| {
        c.get("volumeMounts")
            .and_then(Value::as_array)
            .is_some_and(|ms| {
                ms.iter().any(|m| {
                    m.get("mountPath").and_then(Value::as_str) == Some(SERVICE_ACCOUNT_MOUNT)
                })
            })
    };
    let all_mounted = ["initContainers", "containers"].iter().all(|list| {
        spec.get(*list)
            .and_then(Value::as_array)
            .is_none_or(|cs| cs.iter().all(mounted))
    });
    if all_mounted {
        return Ok(());
    }
    let volume_name = format!("kube-api-access-{}", crate::registry::random_suffix(5));
    let volume = serde_json::json!({
        "name": volume_name,
        "projected": {
            "defaultMode": 420,
            "sources": [
                {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
                {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}}
            ]
        }
    });
    match spec.get_mut("volumes").and_then(Value::as_array_mut) {
        Some(vs) => vs.push(volume),
        None => spec["volumes"] = Value::Array(vec![volume]),
    }
    let mount = serde_json::json!({"name": volume_name, "readOnly": true, "mountPath": SERVICE_ACCOUNT_MOUNT});
    for list in ["initContainers", "containers"] {
        for c in spec
            .get_mut(list)
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            if mounted(c) {
                continue;
            }
            match c.get_mut("volumeMounts").and_then(Value::as_array_mut) {
                Some(ms) => ms.push(mount.clone()),
                None => c["volumeMounts"] = Value::Array(vec![mount.clone()]),
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn kubelets_set_only_their_own_labels() {
        assert!(kubelet_may_set_label("kubernetes.io/hostname"));
        assert!(kubelet_may_set_label(
            "node.kubernetes.io/exclude-from-external-load-balancers"
        ));
        assert!(kubelet_may_set_label("example.com/rack"));
        assert!(!kubelet_may_set_label("node-restriction.kubernetes.io/pci"));
        assert!(!kubelet_may_set_label(
            "node-role.kubernetes.io/control-plane"
        ));
        assert!(!kubelet_may_set_label("foo.k8s.io/bar"));

        let node = |labels: Value, taints: Value| json!({"metadata": {"labels": labels}, "spec": {"taints": taints}});
        let old = node(json!({"kubernetes.io/hostname": "n1"}), json!([]));
        assert_eq!(
            node_self_changes(
                "n1",
                &node(
                    json!({"kubernetes.io/hostname": "n1", "example.com/rack": "r1"}),
                    json!([])
                ),
                Some(&old)
            ),
            None
        );
        assert_eq!(
            node_self_changes("n1", &node(json!({"node-role.kubernetes.io/control-plane": "", "node-restriction.kubernetes.io/a": "b"}), json!([])), None),
            Some(r#"node "n1" is not allowed to modify labels: node-restriction.kubernetes.io/a, node-role.kubernetes.io/control-plane"#.into())
        );
        assert_eq!(
            node_self_changes(
                "n1",
                &node(
                    json!({"kubernetes.io/hostname": "n1"}),
                    json!([{"key": "k", "effect": "NoSchedule"}])
                ),
                Some(&old)
            ),
            Some(r#"node "n1" is not allowed to modify taints"#.into())
        );
        // Registering with taints is allowed.
        assert_eq!(
            node_self_changes(
                "n1",
                &node(json!({}), json!([{"key": "k", "effect": "NoSchedule"}])),
                None
            ),
            None
        );
    }
}
