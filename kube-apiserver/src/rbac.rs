//! Role-based access control (RBAC) as kube-apiserver evaluates it.
//!
//! This module holds the pure logic of upstream's RBAC authorizer and the helpers around it:
//!
//! * rule evaluation (`VerbMatches`, `APIGroupMatches`, `ResourceMatches` with `*/subresource`,
//!   `ResourceNameMatches`, `NonResourceURLMatches` with a trailing `*`),
//! * subject matching (users, groups and service accounts, including the binding-namespace
//!   default for service accounts),
//! * the default rule resolver that visits ClusterRoleBindings and then the RoleBindings of the
//!   request's namespace, producing the authorizer's allow reason and the evaluation errors,
//! * the policy comparator (`Covers`) and the escalation message of `ConfirmNoEscalation`,
//! * the clusterrole-aggregation controller's computation of aggregated rules,
//! * the reconciliation the API server performs at start for its bootstrap roles and bindings,
//! * the bootstrap policy itself (v1.33, default feature gates), embedded as YAML,
//! * conversion of rules to SelfSubjectRulesReview's resource and non-resource rules.
//!
//! It does not talk to storage, watch objects, build HTTP responses or Status objects, check the
//! `escalate`/`bind` verbs, or decide who is a superuser: callers keep a [`Policy`] snapshot
//! current from their watches, persist what [`reconcile_cluster_role`] and friends return, and wrap
//! messages such as [`escalation_message`] into Forbidden errors.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

pub use crate::gofmt::{quote as go_quote, quote_list as go_quote_list};
use k8s_openapi::api::authorization::v1::{NonResourceRule, ResourceRule};
use k8s_openapi::api::rbac::v1::{
    AggregationRule, ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, RoleRef,
    Subject,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{
    LabelSelector, LabelSelectorRequirement, ObjectMeta,
};
use serde::Deserialize;

/// Annotation that, when set to `"false"`, stops reconciliation of a bootstrap object.
pub const AUTO_UPDATE_ANNOTATION: &str = "rbac.authorization.kubernetes.io/autoupdate";
/// Label carried by every bootstrap RBAC object.
pub const BOOTSTRAPPING_LABEL: &str = "kubernetes.io/bootstrapping";
/// `rbac.authorization.k8s.io`, the API group of roles and the `apiGroup` of User/Group subjects.
pub const RBAC_GROUP: &str = "rbac.authorization.k8s.io";
/// Subject kind for users.
pub const USER_KIND: &str = "User";
/// Subject kind for groups.
pub const GROUP_KIND: &str = "Group";
/// Subject kind for service accounts.
pub const SERVICE_ACCOUNT_KIND: &str = "ServiceAccount";

const VERB_ALL: &str = "*";
const API_GROUP_ALL: &str = "*";
const RESOURCE_ALL: &str = "*";
const NON_RESOURCE_ALL: &str = "*";
const SERVICE_ACCOUNT_USERNAME_PREFIX: &str = "system:serviceaccount:";

pub use crate::authn::UserInfo;
pub use crate::authz::Attributes;

/// Errors of this module.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RbacError {
    /// A YAML document of a policy file could not be read as an RBAC object.
    #[error("policy document {index}: {message}")]
    PolicyDocument { index: usize, message: String },
    /// A label selector could not be turned into a selector.
    #[error("{0}")]
    InvalidSelector(String),
}

fn list(values: &Option<Vec<String>>) -> &[String] {
    values.as_deref().unwrap_or(&[])
}

fn has(set: &[String], element: &str) -> bool {
    set.iter().any(|s| s == element)
}

fn has_all(set: &[String], contains: &[String]) -> bool {
    contains.iter().all(|c| has(set, c))
}

// ---------------------------------------------------------------------------------------------
// Rule evaluation (pkg/apis/rbac/v1/evaluation_helpers.go, plugin/pkg/auth/authorizer/rbac)
// ---------------------------------------------------------------------------------------------

/// Whether the rule names the verb or `*`.
pub fn verb_matches(rule: &PolicyRule, requested_verb: &str) -> bool {
    rule.verbs
        .iter()
        .any(|v| v == VERB_ALL || v == requested_verb)
}

/// Whether the rule names the API group or `*`.
pub fn api_group_matches(rule: &PolicyRule, requested_group: &str) -> bool {
    list(&rule.api_groups)
        .iter()
        .any(|g| g == API_GROUP_ALL || g == requested_group)
}

/// Whether the rule names the resource: `*`, the exact `resource[/subresource]`, or
/// `*/subresource` when a subresource is requested.
pub fn resource_matches(
    rule: &PolicyRule,
    combined_requested_resource: &str,
    requested_subresource: &str,
) -> bool {
    list(&rule.resources).iter().any(|rule_resource| {
        if rule_resource == RESOURCE_ALL || rule_resource == combined_requested_resource {
            return true;
        }
        if requested_subresource.is_empty() {
            return false;
        }
        rule_resource.len() == requested_subresource.len() + 2
            && rule_resource.starts_with("*/")
            && rule_resource.ends_with(requested_subresource)
    })
}

/// Whether the rule allows the resource name (an empty `resourceNames` allows every name).
pub fn resource_name_matches(rule: &PolicyRule, requested_name: &str) -> bool {
    let names = list(&rule.resource_names);
    names.is_empty() || has(names, requested_name)
}

/// Whether the rule names the non-resource URL: `*`, exactly, or by a prefix ending in `*`.
pub fn non_resource_url_matches(rule: &PolicyRule, requested_url: &str) -> bool {
    list(&rule.non_resource_urls).iter().any(|rule_url| {
        rule_url == NON_RESOURCE_ALL
            || rule_url == requested_url
            || (rule_url.ends_with('*')
                && requested_url.starts_with(rule_url.trim_end_matches('*')))
    })
}

/// Whether one rule allows the request (RuleAllows).
pub fn rule_allows(attrs: &Attributes, rule: &PolicyRule) -> bool {
    if attrs.resource_request {
        let combined = if attrs.subresource.is_empty() {
            attrs.resource.clone()
        } else {
            format!("{}/{}", attrs.resource, attrs.subresource)
        };
        return verb_matches(rule, &attrs.verb)
            && api_group_matches(rule, &attrs.api_group)
            && resource_matches(rule, &combined, &attrs.subresource)
            && resource_name_matches(rule, &attrs.name);
    }
    verb_matches(rule, &attrs.verb) && non_resource_url_matches(rule, &attrs.path)
}

/// Whether any of the rules allows the request (RulesAllow).
pub fn rules_allow(attrs: &Attributes, rules: &[PolicyRule]) -> bool {
    rules.iter().any(|r| rule_allows(attrs, r))
}

// ---------------------------------------------------------------------------------------------
// Subjects (pkg/registry/rbac/validation/rule.go)
// ---------------------------------------------------------------------------------------------

/// Whether `username` is `system:serviceaccount:<namespace>:<name>`.
pub fn service_account_username_matches(namespace: &str, name: &str, username: &str) -> bool {
    username
        .strip_prefix(SERVICE_ACCOUNT_USERNAME_PREFIX)
        .and_then(|rest| rest.strip_prefix(namespace))
        .and_then(|rest| rest.strip_prefix(':'))
        .is_some_and(|rest| rest == name)
}

/// Whether a binding subject applies to the user. `binding_namespace` is the namespace of a
/// RoleBinding ("" for a ClusterRoleBinding); it is the default namespace of ServiceAccount
/// subjects that name none.
pub fn subject_matches(subject: &Subject, user: &UserInfo, binding_namespace: &str) -> bool {
    match subject.kind.as_str() {
        USER_KIND => user.name == subject.name,
        GROUP_KIND => has(&user.groups, &subject.name),
        SERVICE_ACCOUNT_KIND => {
            let namespace = match subject.namespace.as_deref() {
                Some(ns) if !ns.is_empty() => ns,
                _ => binding_namespace,
            };
            if namespace.is_empty() {
                return false;
            }
            service_account_username_matches(namespace, &subject.name, &user.name)
        }
        _ => false,
    }
}

fn applies_to<'a>(
    user: &UserInfo,
    subjects: &'a Option<Vec<Subject>>,
    namespace: &str,
) -> Option<&'a Subject> {
    subjects
        .as_deref()
        .unwrap_or(&[])
        .iter()
        .find(|s| subject_matches(s, user, namespace))
}

fn describe_subject(subject: &Subject, binding_namespace: &str) -> String {
    if subject.kind == SERVICE_ACCOUNT_KIND {
        let namespace = match subject.namespace.as_deref() {
            Some(ns) if !ns.is_empty() => ns,
            _ => binding_namespace,
        };
        return format!(
            "{} {}",
            subject.kind,
            go_quote(&format!("{}/{}", subject.name, namespace))
        );
    }
    format!("{} {}", subject.kind, go_quote(&subject.name))
}

/// One step of rule resolution: a rule and where it came from, or a resolution error.
enum Visit<'s, 'a> {
    Rule(&'s RuleSource<'a>, &'a PolicyRule),
    Error(String),
}

/// Where a rule came from, as the authorizer reports it in its allow reason.
enum RuleSource<'a> {
    ClusterRoleBinding(&'a ClusterRoleBinding, &'a Subject),
    RoleBinding(&'a RoleBinding, &'a Subject),
}

impl RuleSource<'_> {
    fn describe(&self) -> String {
        match self {
            RuleSource::ClusterRoleBinding(binding, subject) => format!(
                "ClusterRoleBinding {} of {} {} to {}",
                go_quote(binding.metadata.name.as_deref().unwrap_or_default()),
                binding.role_ref.kind,
                go_quote(&binding.role_ref.name),
                describe_subject(subject, "")
            ),
            RuleSource::RoleBinding(binding, subject) => {
                let namespace = binding.metadata.namespace.as_deref().unwrap_or_default();
                format!(
                    "RoleBinding {} of {} {} to {}",
                    go_quote(&format!(
                        "{}/{}",
                        binding.metadata.name.as_deref().unwrap_or_default(),
                        namespace
                    )),
                    binding.role_ref.kind,
                    go_quote(&binding.role_ref.name),
                    describe_subject(subject, namespace)
                )
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Policy snapshot and the default rule resolver
// ---------------------------------------------------------------------------------------------

/// A snapshot of RBAC objects the authorizer evaluates against (the caller keeps it current from
/// watches).
#[derive(Clone, Debug, Default)]
pub struct Policy {
    cluster_roles: BTreeMap<String, ClusterRole>,
    roles: BTreeMap<(String, String), Role>,
    cluster_role_bindings: Vec<ClusterRoleBinding>,
    role_bindings: BTreeMap<String, Vec<RoleBinding>>,
}

fn meta_name(meta: &ObjectMeta) -> String {
    meta.name.clone().unwrap_or_default()
}

fn meta_namespace(meta: &ObjectMeta) -> String {
    meta.namespace.clone().unwrap_or_default()
}

impl Policy {
    /// Builds a snapshot; objects are keyed by name (and namespace), later duplicates win.
    pub fn new(
        cluster_roles: Vec<ClusterRole>,
        roles: Vec<Role>,
        cluster_role_bindings: Vec<ClusterRoleBinding>,
        role_bindings: Vec<RoleBinding>,
    ) -> Policy {
        let mut policy = Policy::default();
        for cr in cluster_roles {
            policy.upsert_cluster_role(cr);
        }
        for r in roles {
            policy.upsert_role(r);
        }
        for b in cluster_role_bindings {
            policy.upsert_cluster_role_binding(b);
        }
        for b in role_bindings {
            policy.upsert_role_binding(b);
        }
        policy
    }

    /// Adds or replaces a ClusterRole.
    pub fn upsert_cluster_role(&mut self, cluster_role: ClusterRole) {
        self.cluster_roles
            .insert(meta_name(&cluster_role.metadata), cluster_role);
    }

    /// Removes a ClusterRole.
    pub fn delete_cluster_role(&mut self, name: &str) {
        self.cluster_roles.remove(name);
    }

    /// Adds or replaces a Role.
    pub fn upsert_role(&mut self, role: Role) {
        let key = (meta_namespace(&role.metadata), meta_name(&role.metadata));
        self.roles.insert(key, role);
    }

    /// Removes a Role.
    pub fn delete_role(&mut self, namespace: &str, name: &str) {
        self.roles
            .remove(&(namespace.to_string(), name.to_string()));
    }

    /// Adds or replaces (by name) a ClusterRoleBinding.
    pub fn upsert_cluster_role_binding(&mut self, binding: ClusterRoleBinding) {
        let name = meta_name(&binding.metadata);
        match self
            .cluster_role_bindings
            .iter_mut()
            .find(|b| meta_name(&b.metadata) == name)
        {
            Some(existing) => *existing = binding,
            None => self.cluster_role_bindings.push(binding),
        }
    }

    /// Removes a ClusterRoleBinding.
    pub fn delete_cluster_role_binding(&mut self, name: &str) {
        self.cluster_role_bindings
            .retain(|b| b.metadata.name.as_deref().unwrap_or_default() != name);
    }

    /// Adds or replaces (by namespace and name) a RoleBinding.
    pub fn upsert_role_binding(&mut self, binding: RoleBinding) {
        let name = meta_name(&binding.metadata);
        let bindings = self
            .role_bindings
            .entry(meta_namespace(&binding.metadata))
            .or_default();
        match bindings.iter_mut().find(|b| meta_name(&b.metadata) == name) {
            Some(existing) => *existing = binding,
            None => bindings.push(binding),
        }
    }

    /// Removes a RoleBinding.
    pub fn delete_role_binding(&mut self, namespace: &str, name: &str) {
        if let Some(bindings) = self.role_bindings.get_mut(namespace) {
            bindings.retain(|b| b.metadata.name.as_deref().unwrap_or_default() != name);
        }
    }

    /// The ClusterRole of that name, if present.
    pub fn cluster_role(&self, name: &str) -> Option<&ClusterRole> {
        self.cluster_roles.get(name)
    }

    /// The Role of that namespace and name, if present.
    pub fn role(&self, namespace: &str, name: &str) -> Option<&Role> {
        self.roles.get(&(namespace.to_string(), name.to_string()))
    }

    /// Resolves a binding's roleRef (GetRoleReferenceRules), with upstream's lister errors.
    pub fn role_reference_rules(
        &self,
        role_ref: &RoleRef,
        binding_namespace: &str,
    ) -> Result<&[PolicyRule], String> {
        match role_ref.kind.as_str() {
            "Role" => self
                .roles
                .get(&(binding_namespace.to_string(), role_ref.name.clone()))
                .map(|r| r.rules.as_deref().unwrap_or(&[]))
                .ok_or_else(|| {
                    format!(
                        "role.rbac.authorization.k8s.io {} not found",
                        go_quote(&role_ref.name)
                    )
                }),
            "ClusterRole" => self
                .cluster_roles
                .get(&role_ref.name)
                .map(|r| r.rules.as_deref().unwrap_or(&[]))
                .ok_or_else(|| {
                    format!(
                        "clusterrole.rbac.authorization.k8s.io {} not found",
                        go_quote(&role_ref.name)
                    )
                }),
            other => Err(format!(
                "unsupported role reference kind: {}",
                go_quote(other)
            )),
        }
    }

    /// Visits every rule that applies to the user in `namespace` (cluster-wide bindings first,
    /// then that namespace's RoleBindings) and every resolution error; stops when the visitor
    /// returns false.
    fn visit_rules_for<'a>(
        &'a self,
        user: &UserInfo,
        namespace: &str,
        visitor: &mut dyn FnMut(Visit<'_, 'a>) -> bool,
    ) {
        for binding in &self.cluster_role_bindings {
            let Some(subject) = applies_to(user, &binding.subjects, "") else {
                continue;
            };
            match self.role_reference_rules(&binding.role_ref, "") {
                Err(err) => {
                    if !visitor(Visit::Error(err)) {
                        return;
                    }
                }
                Ok(rules) => {
                    let source = RuleSource::ClusterRoleBinding(binding, subject);
                    for rule in rules {
                        if !visitor(Visit::Rule(&source, rule)) {
                            return;
                        }
                    }
                }
            }
        }
        if namespace.is_empty() {
            return;
        }
        let Some(bindings) = self.role_bindings.get(namespace) else {
            return;
        };
        for binding in bindings {
            let Some(subject) = applies_to(user, &binding.subjects, namespace) else {
                continue;
            };
            match self.role_reference_rules(&binding.role_ref, namespace) {
                Err(err) => {
                    if !visitor(Visit::Error(err)) {
                        return;
                    }
                }
                Ok(rules) => {
                    let source = RuleSource::RoleBinding(binding, subject);
                    for rule in rules {
                        if !visitor(Visit::Rule(&source, rule)) {
                            return;
                        }
                    }
                }
            }
        }
    }

    /// Allow + reason as upstream's RBAC authorizer gives it (e.g. `RBAC: allowed by
    /// ClusterRoleBinding "x" of ClusterRole "y" to User "z"`). On deny the reason is "" unless
    /// roles could not be resolved, then `RBAC: <errors>` as upstream (the caller builds the
    /// Forbidden message and appends a non-empty reason after ": ").
    pub fn authorize(&self, user: &UserInfo, attrs: &Attributes) -> (bool, String) {
        let mut allowed_by: Option<String> = None;
        let mut errors: Vec<String> = Vec::new();
        self.visit_rules_for(user, &attrs.namespace, &mut |visit| match visit {
            Visit::Rule(source, rule) if rule_allows(attrs, rule) => {
                allowed_by = Some(format!("RBAC: allowed by {}", source.describe()));
                false
            }
            Visit::Rule(..) => true,
            Visit::Error(err) => {
                errors.push(err);
                true
            }
        });
        if let Some(reason) = allowed_by {
            return (true, reason);
        }
        if errors.is_empty() {
            (false, String::new())
        } else {
            (false, format!("RBAC: {}", aggregate_errors(&errors)))
        }
    }

    /// Rules that apply to the user in `namespace` (cluster-wide ones plus that namespace's), for
    /// SelfSubjectRulesReview and escalation checks, with errors for bindings whose role is
    /// missing (upstream keeps going and reports them).
    pub fn rules_for(&self, user: &UserInfo, namespace: &str) -> (Vec<PolicyRule>, Vec<String>) {
        let mut rules = Vec::new();
        let mut errors = Vec::new();
        self.visit_rules_for(user, namespace, &mut |visit| {
            match visit {
                Visit::Rule(_, rule) => rules.push(rule.clone()),
                Visit::Error(err) => errors.push(err),
            }
            true
        });
        (rules, errors)
    }
}

/// Formats errors as apimachinery's aggregate error does: one message alone, several
/// de-duplicated in brackets separated by ", ".
pub fn aggregate_errors(errors: &[String]) -> String {
    match errors {
        [] => String::new(),
        [one] => one.clone(),
        many => {
            let mut seen: Vec<&str> = Vec::new();
            for e in many {
                if !seen.contains(&e.as_str()) {
                    seen.push(e);
                }
            }
            if seen.len() == 1 {
                seen[0].to_string()
            } else {
                format!("[{}]", seen.join(", "))
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Covers (component-helpers/auth/rbac/validation/policy_comparator.go)
// ---------------------------------------------------------------------------------------------

/// Splits a rule into rules of one API group, resource, verb and resource name each, and one
/// non-resource URL and verb each (BreakdownRule).
pub fn breakdown_rule(rule: &PolicyRule) -> Vec<PolicyRule> {
    let mut subrules = Vec::new();
    for group in list(&rule.api_groups) {
        for resource in list(&rule.resources) {
            for verb in &rule.verbs {
                let base = PolicyRule {
                    api_groups: Some(vec![group.clone()]),
                    resources: Some(vec![resource.clone()]),
                    verbs: vec![verb.clone()],
                    ..PolicyRule::default()
                };
                let names = list(&rule.resource_names);
                if names.is_empty() {
                    subrules.push(base);
                } else {
                    for name in names {
                        subrules.push(PolicyRule {
                            resource_names: Some(vec![name.clone()]),
                            ..base.clone()
                        });
                    }
                }
            }
        }
    }
    for url in list(&rule.non_resource_urls) {
        for verb in &rule.verbs {
            subrules.push(PolicyRule {
                non_resource_urls: Some(vec![url.clone()]),
                verbs: vec![verb.clone()],
                ..PolicyRule::default()
            });
        }
    }
    subrules
}

fn resource_covers_all(set: &[String], covers: &[String]) -> bool {
    if has(set, RESOURCE_ALL) || has_all(set, covers) {
        return true;
    }
    covers.iter().all(|path| {
        if has(set, path) {
            return true;
        }
        match path.split_once('/') {
            None => false,
            Some((_, sub)) => has(set, &format!("*/{sub}")),
        }
    })
}

fn non_resource_url_covers(owner: &str, sub: &str) -> bool {
    owner == sub || (owner.ends_with('*') && sub.starts_with(owner.trim_end_matches('*')))
}

fn non_resource_urls_cover_all(set: &[String], covers: &[String]) -> bool {
    covers
        .iter()
        .all(|path| set.iter().any(|owner| non_resource_url_covers(owner, path)))
}

fn rule_covers(owner: &PolicyRule, sub: &PolicyRule) -> bool {
    let verbs = has(&owner.verbs, VERB_ALL) || has_all(&owner.verbs, &sub.verbs);
    let groups = has(list(&owner.api_groups), API_GROUP_ALL)
        || has_all(list(&owner.api_groups), list(&sub.api_groups));
    let resources = resource_covers_all(list(&owner.resources), list(&sub.resources));
    let urls =
        non_resource_urls_cover_all(list(&owner.non_resource_urls), list(&sub.non_resource_urls));
    let owner_names = list(&owner.resource_names);
    let sub_names = list(&sub.resource_names);
    let names = if sub_names.is_empty() {
        owner_names.is_empty()
    } else {
        owner_names.is_empty() || has_all(owner_names, sub_names)
    };
    verbs && groups && resources && names && urls
}

/// Covers(owner, requested) from policy_comparator: whether every requested rule is covered, and
/// the uncovered rules broken down as upstream.
pub fn covers(owner: &[PolicyRule], requested: &[PolicyRule]) -> (bool, Vec<PolicyRule>) {
    let uncovered: Vec<PolicyRule> = requested
        .iter()
        .flat_map(breakdown_rule)
        .filter(|sub| !owner.iter().any(|o| rule_covers(o, sub)))
        .collect();
    (uncovered.is_empty(), uncovered)
}

// ---------------------------------------------------------------------------------------------
// Escalation message (pkg/registry/rbac/validation/rule.go, policy_compact.go)
// ---------------------------------------------------------------------------------------------

/// The compact form of a rule used in escalation messages (CompactString), e.g.
/// `{APIGroups:[""], Resources:["pods"], Verbs:["get"]}`.
pub fn compact_string(rule: &PolicyRule) -> String {
    let mut parts = Vec::new();
    let api_groups = list(&rule.api_groups);
    if !api_groups.is_empty() {
        parts.push(format!("APIGroups:{}", go_quote_list(api_groups)));
    }
    let resources = list(&rule.resources);
    if !resources.is_empty() {
        parts.push(format!("Resources:{}", go_quote_list(resources)));
    }
    let urls = list(&rule.non_resource_urls);
    if !urls.is_empty() {
        parts.push(format!("NonResourceURLs:{}", go_quote_list(urls)));
    }
    let names = list(&rule.resource_names);
    if !names.is_empty() {
        parts.push(format!("ResourceNames:{}", go_quote_list(names)));
    }
    if !rule.verbs.is_empty() {
        parts.push(format!("Verbs:{}", go_quote_list(&rule.verbs)));
    }
    format!("{{{}}}", parts.join(", "))
}

/// Merges rules with one API group, one resource and at most one resource name that differ
/// only by verb (CompactRules); other rules are kept as they are.
pub fn compact_rules(rules: &[PolicyRule]) -> Vec<PolicyRule> {
    let mut compacted = Vec::new();
    // (API group, resource, resource name) of a simple rule, and the rule gathering its verbs.
    type SimpleKey = (String, String, Option<String>);
    let mut simple: Vec<(SimpleKey, PolicyRule)> = Vec::new();
    for rule in rules {
        let is_simple = list(&rule.resource_names).len() <= 1
            && rule.non_resource_urls.is_none()
            && list(&rule.api_groups).len() == 1
            && list(&rule.resources).len() == 1;
        if !is_simple {
            compacted.push(rule.clone());
            continue;
        }
        let key = (
            list(&rule.api_groups)[0].clone(),
            list(&rule.resources)[0].clone(),
            list(&rule.resource_names).first().cloned(),
        );
        match simple.iter_mut().find(|(k, _)| *k == key) {
            Some((_, existing)) => existing.verbs.extend(rule.verbs.iter().cloned()),
            None => simple.push((key, rule.clone())),
        }
    }
    compacted.extend(simple.into_iter().map(|(_, r)| r));
    compacted
}

/// ConfirmNoEscalation's error text for the uncovered rules (v1.33 format): the user, its groups,
/// each missing permission in compact form (sorted, one a line), and `; resolution errors: [...]`
/// when resolving the user's own rules failed. `namespace` is the request namespace; upstream
/// does not print it. The storage layer wraps this as `<resource> "<name>" is forbidden: <text>`.
pub fn escalation_message(
    user: &UserInfo,
    namespace: &str,
    uncovered: &[PolicyRule],
    rule_errors: &[String],
) -> String {
    let _ = namespace;
    let descriptions: BTreeSet<String> = compact_rules(uncovered)
        .iter()
        .map(compact_string)
        .collect();
    let mut msg = format!(
        "user {} (groups={}) is attempting to grant RBAC permissions not currently held:\n{}",
        go_quote(&user.name),
        go_quote_list(&user.groups),
        descriptions.into_iter().collect::<Vec<_>>().join("\n")
    );
    if !rule_errors.is_empty() {
        msg.push_str(&format!(
            "; resolution errors: [{}]",
            aggregate_errors(rule_errors)
        ));
    }
    msg
}

// ---------------------------------------------------------------------------------------------
// Label selectors and ClusterRole aggregation (clusterroleaggregation_controller.go)
// ---------------------------------------------------------------------------------------------

enum Requirement {
    Equals(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    DoesNotExist(String),
}

/// A parsed metav1.LabelSelector (LabelSelectorAsSelector).
enum Selector {
    Everything,
    Requirements(Vec<Requirement>),
}

fn parse_requirement(req: &LabelSelectorRequirement) -> Result<Requirement, RbacError> {
    let values = list(&req.values).to_vec();
    match req.operator.as_str() {
        "In" | "NotIn" if values.is_empty() => Err(RbacError::InvalidSelector(format!(
            "values: Invalid value: {}: for 'in', 'notin' operators, values set can't be empty",
            go_quote_list(&values)
        ))),
        "In" => Ok(Requirement::In(req.key.clone(), values)),
        "NotIn" => Ok(Requirement::NotIn(req.key.clone(), values)),
        "Exists" | "DoesNotExist" if !values.is_empty() => {
            Err(RbacError::InvalidSelector(format!(
                "values: Invalid value: {}: values set must be empty for exists and does not exist",
                go_quote_list(&values)
            )))
        }
        "Exists" => Ok(Requirement::Exists(req.key.clone())),
        "DoesNotExist" => Ok(Requirement::DoesNotExist(req.key.clone())),
        other => Err(RbacError::InvalidSelector(format!(
            "{} is not a valid label selector operator",
            go_quote(other)
        ))),
    }
}

impl Selector {
    fn parse(selector: &LabelSelector) -> Result<Selector, RbacError> {
        let labels = selector.match_labels.as_ref();
        let expressions = selector.match_expressions.as_deref().unwrap_or(&[]);
        if labels.is_none_or(|l| l.is_empty()) && expressions.is_empty() {
            return Ok(Selector::Everything);
        }
        let mut requirements = Vec::new();
        for (k, v) in labels.into_iter().flatten() {
            requirements.push(Requirement::Equals(k.clone(), v.clone()));
        }
        for expr in expressions {
            requirements.push(parse_requirement(expr)?);
        }
        Ok(Selector::Requirements(requirements))
    }

    fn matches(&self, labels: Option<&BTreeMap<String, String>>) -> bool {
        let requirements = match self {
            Selector::Everything => return true,
            Selector::Requirements(r) => r,
        };
        let get = |k: &str| labels.and_then(|l| l.get(k));
        requirements.iter().all(|r| match r {
            Requirement::Equals(k, v) => get(k) == Some(v),
            Requirement::In(k, vs) => get(k).is_some_and(|v| vs.contains(v)),
            Requirement::NotIn(k, vs) => get(k).is_none_or(|v| !vs.contains(v)),
            Requirement::Exists(k) => get(k).is_some(),
            Requirement::DoesNotExist(k) => get(k).is_none(),
        })
    }
}

/// Whether the label selector matches the labels (an empty selector matches everything).
pub fn label_selector_matches(
    selector: &LabelSelector,
    labels: Option<&BTreeMap<String, String>>,
) -> Result<bool, RbacError> {
    Ok(Selector::parse(selector)?.matches(labels))
}

fn opt_list_eq(a: &Option<Vec<String>>, b: &Option<Vec<String>>) -> bool {
    list(a) == list(b)
}

/// Semantic equality of rules (nil and empty lists are equal), as the controllers compare them.
pub fn rules_semantically_equal(a: &PolicyRule, b: &PolicyRule) -> bool {
    a.verbs == b.verbs
        && opt_list_eq(&a.api_groups, &b.api_groups)
        && opt_list_eq(&a.resources, &b.resources)
        && opt_list_eq(&a.resource_names, &b.resource_names)
        && opt_list_eq(&a.non_resource_urls, &b.non_resource_urls)
}

fn rule_lists_semantically_equal(a: &[PolicyRule], b: &[PolicyRule]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| rules_semantically_equal(x, y))
}

/// For every ClusterRole with an aggregationRule: the rules aggregated from roles matching its
/// selectors, as the clusterrole-aggregation controller computes them (selectors in order, the
/// matching roles of each sorted by name, the role itself skipped, duplicate rules dropped).
/// Roles whose rules already equal that result are left out, as are roles with an invalid
/// selector (upstream retries those with an error).
pub fn aggregate(cluster_roles: &[ClusterRole]) -> Vec<(String, Vec<PolicyRule>)> {
    let mut by_name: Vec<&ClusterRole> = cluster_roles.iter().collect();
    by_name.sort_by(|a, b| a.metadata.name.cmp(&b.metadata.name));
    let mut updates = Vec::new();
    'roles: for role in cluster_roles {
        let Some(aggregation) = &role.aggregation_rule else {
            continue;
        };
        let name = role.metadata.name.as_deref().unwrap_or_default();
        let mut new_rules: Vec<PolicyRule> = Vec::new();
        for selector in aggregation.cluster_role_selectors.as_deref().unwrap_or(&[]) {
            let Ok(selector) = Selector::parse(selector) else {
                continue 'roles;
            };
            for candidate in &by_name {
                if candidate.metadata.name.as_deref().unwrap_or_default() == name
                    || !selector.matches(candidate.metadata.labels.as_ref())
                {
                    continue;
                }
                for rule in candidate.rules.as_deref().unwrap_or(&[]) {
                    if !new_rules.iter().any(|r| rules_semantically_equal(r, rule)) {
                        new_rules.push(rule.clone());
                    }
                }
            }
        }
        if !rule_lists_semantically_equal(&new_rules, role.rules.as_deref().unwrap_or(&[])) {
            updates.push((name.to_string(), new_rules));
        }
    }
    updates
}

// ---------------------------------------------------------------------------------------------
// Bootstrap policy (plugin/pkg/auth/authorizer/rbac/bootstrappolicy)
// ---------------------------------------------------------------------------------------------

/// Upstream's bootstrap policy (parsed once from bootstrap_policy.yaml).
#[derive(Clone, Debug, Default)]
pub struct BootstrapPolicy {
    pub cluster_roles: Vec<ClusterRole>,
    pub cluster_role_bindings: Vec<ClusterRoleBinding>,
    /// Namespaced roles, in kube-system and kube-public.
    pub roles: Vec<Role>,
    pub role_bindings: Vec<RoleBinding>,
}

const BOOTSTRAP_POLICY_YAML: &str = include_str!("bootstrap_policy.yaml");

fn document_error(index: usize, message: impl std::fmt::Display) -> RbacError {
    RbacError::PolicyDocument {
        index,
        message: message.to_string(),
    }
}

/// Reads a multi-document YAML stream of ClusterRole, ClusterRoleBinding, Role and RoleBinding
/// objects.
pub fn parse_policy_documents(yaml: &str) -> Result<BootstrapPolicy, RbacError> {
    let mut policy = BootstrapPolicy::default();
    for (index, document) in serde_yaml_ng::Deserializer::from_str(yaml).enumerate() {
        let value =
            serde_json::Value::deserialize(document).map_err(|e| document_error(index, e))?;
        if value.is_null() {
            continue;
        }
        let kind = value
            .get("kind")
            .and_then(|k| k.as_str())
            .unwrap_or_default()
            .to_string();
        match kind.as_str() {
            "ClusterRole" => policy
                .cluster_roles
                .push(serde_json::from_value(value).map_err(|e| document_error(index, e))?),
            "ClusterRoleBinding" => policy
                .cluster_role_bindings
                .push(serde_json::from_value(value).map_err(|e| document_error(index, e))?),
            "Role" => policy
                .roles
                .push(serde_json::from_value(value).map_err(|e| document_error(index, e))?),
            "RoleBinding" => policy
                .role_bindings
                .push(serde_json::from_value(value).map_err(|e| document_error(index, e))?),
            other => {
                return Err(document_error(
                    index,
                    format!("unexpected kind {}", go_quote(other)),
                ));
            }
        }
    }
    Ok(policy)
}

/// Upstream's bootstrap policy for v1.33 with default feature gates (parsed once; an unreadable
/// embedded file, which the tests rule out, yields an empty policy rather than a panic).
pub fn bootstrap_policy() -> &'static BootstrapPolicy {
    static POLICY: OnceLock<BootstrapPolicy> = OnceLock::new();
    POLICY.get_or_init(|| parse_policy_documents(BOOTSTRAP_POLICY_YAML).unwrap_or_default())
}

// ---------------------------------------------------------------------------------------------
// Reconciliation at start (pkg/registry/rbac/reconciliation)
// ---------------------------------------------------------------------------------------------

/// What reconciliation decided for one object.
#[derive(Clone, Debug, PartialEq)]
pub enum Reconcile<T> {
    /// Nothing to do (up to date, or protected by `autoupdate: "false"`).
    Unchanged,
    /// The object is missing: create it.
    Create(T),
    /// Update the existing object to this.
    Update(T),
    /// The binding's roleRef differs (roleRef is immutable): delete and create this.
    Recreate(T),
}

fn is_protected(meta: &ObjectMeta) -> bool {
    meta.annotations
        .as_ref()
        .and_then(|a| a.get(AUTO_UPDATE_ANNOTATION))
        .is_some_and(|v| v == "false")
}

/// Union of two string maps where the second wins; None only when both are None.
fn merge_maps(
    expected: &Option<BTreeMap<String, String>>,
    existing: &Option<BTreeMap<String, String>>,
) -> Option<BTreeMap<String, String>> {
    if expected.is_none() && existing.is_none() {
        return None;
    }
    let mut out = BTreeMap::new();
    for m in [expected, existing].into_iter().flatten() {
        out.extend(m.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    Some(out)
}

/// Merges expected labels and annotations into `meta`; returns whether anything changed.
fn merge_metadata(meta: &mut ObjectMeta, expected: &ObjectMeta) -> bool {
    let annotations = merge_maps(&expected.annotations, &meta.annotations);
    let labels = merge_maps(&expected.labels, &meta.labels);
    let changed = annotations != meta.annotations || labels != meta.labels;
    meta.annotations = annotations;
    meta.labels = labels;
    changed
}

fn selectors_semantically_equal(a: &LabelSelector, b: &LabelSelector) -> bool {
    let empty = BTreeMap::new();
    let labels_equal =
        a.match_labels.as_ref().unwrap_or(&empty) == b.match_labels.as_ref().unwrap_or(&empty);
    let ea = a.match_expressions.as_deref().unwrap_or(&[]);
    let eb = b.match_expressions.as_deref().unwrap_or(&[]);
    labels_equal
        && ea.len() == eb.len()
        && ea.iter().zip(eb).all(|(x, y)| {
            x.key == y.key && x.operator == y.operator && opt_list_eq(&x.values, &y.values)
        })
}

/// Selectors of `servant` that `owner` lacks (aggregationRuleCovers).
fn missing_selectors(
    owner: Option<&AggregationRule>,
    servant: Option<&AggregationRule>,
) -> Vec<LabelSelector> {
    let Some(servant) = servant else {
        return Vec::new();
    };
    let servant_selectors = servant.cluster_role_selectors.as_deref().unwrap_or(&[]);
    let Some(owner) = owner else {
        return servant_selectors.to_vec();
    };
    let owner_selectors = owner.cluster_role_selectors.as_deref().unwrap_or(&[]);
    servant_selectors
        .iter()
        .filter(|s| {
            !owner_selectors
                .iter()
                .any(|o| selectors_semantically_equal(o, s))
        })
        .cloned()
        .collect()
}

/// Reconciles rules (union: missing rules are appended broken down), labels, annotations and
/// aggregation selectors. Returns None when nothing changes.
fn reconcile_rule_owner(
    meta: &mut ObjectMeta,
    rules: &mut Option<Vec<PolicyRule>>,
    aggregation: &mut Option<AggregationRule>,
    expected_meta: &ObjectMeta,
    expected_rules: &[PolicyRule],
    expected_aggregation: Option<&AggregationRule>,
) -> bool {
    let mut changed = merge_metadata(meta, expected_meta);

    let (_, missing) = covers(rules.as_deref().unwrap_or(&[]), expected_rules);
    if !missing.is_empty() {
        rules.get_or_insert_with(Vec::new).extend(missing);
        changed = true;
    }

    let missing_selectors = missing_selectors(aggregation.as_ref(), expected_aggregation);
    if expected_aggregation.is_none() && aggregation.is_some() {
        *aggregation = None;
        changed = true;
    } else if !missing_selectors.is_empty() {
        aggregation
            .get_or_insert_with(AggregationRule::default)
            .cluster_role_selectors
            .get_or_insert_with(Vec::new)
            .extend(missing_selectors);
        changed = true;
    }
    changed
}

/// Reconciliation at start for a ClusterRole (create when missing; unless the autoupdate
/// annotation is "false": add missing rules, labels, annotations and aggregation selectors, and
/// drop an aggregationRule that is not expected).
pub fn reconcile_cluster_role(
    existing: Option<&ClusterRole>,
    expected: &ClusterRole,
) -> Reconcile<ClusterRole> {
    let Some(existing) = existing else {
        return Reconcile::Create(expected.clone());
    };
    if is_protected(&existing.metadata) {
        return Reconcile::Unchanged;
    }
    let mut result = existing.clone();
    let changed = reconcile_rule_owner(
        &mut result.metadata,
        &mut result.rules,
        &mut result.aggregation_rule,
        &expected.metadata,
        expected.rules.as_deref().unwrap_or(&[]),
        expected.aggregation_rule.as_ref(),
    );
    if changed {
        Reconcile::Update(result)
    } else {
        Reconcile::Unchanged
    }
}

/// Reconciliation at start for a namespaced Role (as for ClusterRoles, without aggregation).
pub fn reconcile_role(existing: Option<&Role>, expected: &Role) -> Reconcile<Role> {
    let Some(existing) = existing else {
        return Reconcile::Create(expected.clone());
    };
    if is_protected(&existing.metadata) {
        return Reconcile::Unchanged;
    }
    let mut result = existing.clone();
    let mut no_aggregation = None;
    let changed = reconcile_rule_owner(
        &mut result.metadata,
        &mut result.rules,
        &mut no_aggregation,
        &expected.metadata,
        expected.rules.as_deref().unwrap_or(&[]),
        None,
    );
    if changed {
        Reconcile::Update(result)
    } else {
        Reconcile::Unchanged
    }
}

fn subjects_equal(a: &Subject, b: &Subject) -> bool {
    a.kind == b.kind
        && a.name == b.name
        && a.api_group.as_deref().unwrap_or_default() == b.api_group.as_deref().unwrap_or_default()
        && a.namespace.as_deref().unwrap_or_default() == b.namespace.as_deref().unwrap_or_default()
}

/// Adds expected subjects the binding lacks; returns whether any were added.
fn reconcile_subjects(
    subjects: &mut Option<Vec<Subject>>,
    expected: &Option<Vec<Subject>>,
) -> bool {
    let existing = subjects.as_deref().unwrap_or(&[]);
    let mut missing: Vec<Subject> = Vec::new();
    for s in expected.as_deref().unwrap_or(&[]) {
        if !existing.iter().any(|e| subjects_equal(e, s))
            && !missing.iter().any(|m| subjects_equal(m, s))
        {
            missing.push(s.clone());
        }
    }
    if missing.is_empty() {
        return false;
    }
    subjects.get_or_insert_with(Vec::new).extend(missing);
    true
}

/// Reconciliation at start for a ClusterRoleBinding (create when missing; unless protected:
/// recreate when roleRef differs, otherwise add missing subjects, labels and annotations).
pub fn reconcile_cluster_role_binding(
    existing: Option<&ClusterRoleBinding>,
    expected: &ClusterRoleBinding,
) -> Reconcile<ClusterRoleBinding> {
    let Some(existing) = existing else {
        return Reconcile::Create(expected.clone());
    };
    if is_protected(&existing.metadata) {
        return Reconcile::Unchanged;
    }
    if existing.role_ref != expected.role_ref {
        return Reconcile::Recreate(expected.clone());
    }
    let mut result = existing.clone();
    let meta_changed = merge_metadata(&mut result.metadata, &expected.metadata);
    let subjects_changed = reconcile_subjects(&mut result.subjects, &expected.subjects);
    if meta_changed || subjects_changed {
        Reconcile::Update(result)
    } else {
        Reconcile::Unchanged
    }
}

/// Reconciliation at start for a namespaced RoleBinding (as for ClusterRoleBindings).
pub fn reconcile_role_binding(
    existing: Option<&RoleBinding>,
    expected: &RoleBinding,
) -> Reconcile<RoleBinding> {
    let Some(existing) = existing else {
        return Reconcile::Create(expected.clone());
    };
    if is_protected(&existing.metadata) {
        return Reconcile::Unchanged;
    }
    if existing.role_ref != expected.role_ref {
        return Reconcile::Recreate(expected.clone());
    }
    let mut result = existing.clone();
    let meta_changed = merge_metadata(&mut result.metadata, &expected.metadata);
    let subjects_changed = reconcile_subjects(&mut result.subjects, &expected.subjects);
    if meta_changed || subjects_changed {
        Reconcile::Update(result)
    } else {
        Reconcile::Unchanged
    }
}

// ---------------------------------------------------------------------------------------------
// SelfSubjectRulesReview
// ---------------------------------------------------------------------------------------------

fn non_empty(values: &Option<Vec<String>>) -> Option<Vec<String>> {
    values.as_ref().filter(|v| !v.is_empty()).cloned()
}

/// Converts rules to SelfSubjectRulesReview's ResourceRule/NonResourceRule: a rule with resources
/// gives a resource rule, one with non-resource URLs a non-resource rule (a rule with both gives
/// one of each).
pub fn review_rules(rules: &[PolicyRule]) -> (Vec<ResourceRule>, Vec<NonResourceRule>) {
    let mut resource_rules = Vec::new();
    let mut non_resource_rules = Vec::new();
    for rule in rules {
        if !list(&rule.resources).is_empty() {
            resource_rules.push(ResourceRule {
                verbs: rule.verbs.clone(),
                api_groups: non_empty(&rule.api_groups),
                resources: non_empty(&rule.resources),
                resource_names: non_empty(&rule.resource_names),
            });
        }
        if !list(&rule.non_resource_urls).is_empty() {
            non_resource_rules.push(NonResourceRule {
                verbs: rule.verbs.clone(),
                non_resource_urls: non_empty(&rule.non_resource_urls),
            });
        }
    }
    (resource_rules, non_resource_rules)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(values: &[&str]) -> Vec<String> {
        values.iter().map(|s| s.to_string()).collect()
    }

    fn rule(groups: &[&str], resources: &[&str], verbs: &[&str]) -> PolicyRule {
        PolicyRule {
            api_groups: Some(strings(groups)),
            resources: Some(strings(resources)),
            verbs: strings(verbs),
            ..PolicyRule::default()
        }
    }

    fn named_rule(
        groups: &[&str],
        resources: &[&str],
        names: &[&str],
        verbs: &[&str],
    ) -> PolicyRule {
        PolicyRule {
            resource_names: Some(strings(names)),
            ..rule(groups, resources, verbs)
        }
    }

    fn url_rule(urls: &[&str], verbs: &[&str]) -> PolicyRule {
        PolicyRule {
            non_resource_urls: Some(strings(urls)),
            verbs: strings(verbs),
            ..PolicyRule::default()
        }
    }

    fn user(name: &str, groups: &[&str]) -> UserInfo {
        UserInfo {
            name: name.to_string(),
            groups: strings(groups),
            ..UserInfo::default()
        }
    }

    fn resource_attrs(
        verb: &str,
        ns: &str,
        group: &str,
        resource: &str,
        sub: &str,
        name: &str,
    ) -> Attributes {
        Attributes {
            verb: verb.to_string(),
            resource_request: true,
            namespace: ns.to_string(),
            api_group: group.to_string(),
            api_version: "v1".to_string(),
            resource: resource.to_string(),
            subresource: sub.to_string(),
            name: name.to_string(),
            path: String::new(),
            ..Attributes::default()
        }
    }

    fn url_attrs(verb: &str, path: &str) -> Attributes {
        Attributes {
            verb: verb.to_string(),
            path: path.to_string(),
            ..Attributes::default()
        }
    }

    fn subject(kind: &str, name: &str, ns: Option<&str>) -> Subject {
        Subject {
            api_group: (kind != SERVICE_ACCOUNT_KIND).then(|| RBAC_GROUP.to_string()),
            kind: kind.to_string(),
            name: name.to_string(),
            namespace: ns.map(str::to_string),
        }
    }

    fn role_ref(kind: &str, name: &str) -> RoleRef {
        RoleRef {
            api_group: RBAC_GROUP.to_string(),
            kind: kind.to_string(),
            name: name.to_string(),
        }
    }

    fn meta(name: &str, ns: Option<&str>) -> ObjectMeta {
        ObjectMeta {
            name: Some(name.to_string()),
            namespace: ns.map(str::to_string),
            ..ObjectMeta::default()
        }
    }

    fn cluster_role(name: &str, rules: Vec<PolicyRule>) -> ClusterRole {
        ClusterRole {
            metadata: meta(name, None),
            rules: Some(rules),
            ..ClusterRole::default()
        }
    }

    fn role_binding(
        ns: &str,
        name: &str,
        role_ref: RoleRef,
        subjects: Vec<Subject>,
    ) -> RoleBinding {
        RoleBinding {
            metadata: meta(name, Some(ns)),
            role_ref,
            subjects: Some(subjects),
        }
    }

    fn cluster_role_binding(name: &str, role: &str, subjects: Vec<Subject>) -> ClusterRoleBinding {
        ClusterRoleBinding {
            metadata: meta(name, None),
            role_ref: role_ref("ClusterRole", role),
            subjects: Some(subjects),
        }
    }

    /// Applies the aggregation controller's results until nothing changes, as repeated syncs do.
    fn aggregated(mut roles: Vec<ClusterRole>) -> Vec<ClusterRole> {
        for _ in 0..10 {
            let updates = aggregate(&roles);
            if updates.is_empty() {
                return roles;
            }
            for (name, rules) in updates {
                for r in roles.iter_mut() {
                    if r.metadata.name.as_deref() == Some(name.as_str()) {
                        r.rules = Some(rules.clone());
                    }
                }
            }
        }
        panic!("aggregation did not converge");
    }

    fn bootstrap_snapshot() -> Policy {
        let p = bootstrap_policy();
        Policy::new(
            aggregated(p.cluster_roles.clone()),
            p.roles.clone(),
            p.cluster_role_bindings.clone(),
            p.role_bindings.clone(),
        )
    }

    // --- bootstrap policy --------------------------------------------------------------------

    #[test]
    fn bootstrap_policy_parses_with_expected_objects() {
        let parsed = parse_policy_documents(BOOTSTRAP_POLICY_YAML).expect("embedded policy parses");
        assert_eq!(parsed.cluster_roles.len(), 66);
        assert_eq!(parsed.cluster_role_bindings.len(), 47);
        assert_eq!(parsed.roles.len(), 7);
        assert_eq!(parsed.role_bindings.len(), 7);

        let p = bootstrap_policy();
        assert_eq!(p.cluster_roles.len(), 66);
        let names: BTreeSet<&str> = p
            .cluster_roles
            .iter()
            .filter_map(|r| r.metadata.name.as_deref())
            .collect();
        for expected in [
            "cluster-admin",
            "admin",
            "edit",
            "view",
            "system:aggregate-to-admin",
            "system:aggregate-to-edit",
            "system:aggregate-to-view",
            "system:discovery",
            "system:basic-user",
            "system:public-info-viewer",
            "system:node",
            "system:node-proxier",
            "system:kube-scheduler",
            "system:volume-scheduler",
            "system:kube-controller-manager",
            "system:kube-dns",
            "system:node-bootstrapper",
            "system:certificates.k8s.io:certificatesigningrequests:nodeclient",
            "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient",
            "system:certificates.k8s.io:kube-apiserver-client-approver",
            "system:certificates.k8s.io:kube-apiserver-client-kubelet-approver",
            "system:certificates.k8s.io:kubelet-serving-approver",
            "system:certificates.k8s.io:legacy-unknown-approver",
            "system:monitoring",
            "system:auth-delegator",
            "system:heapster",
            "system:kube-aggregator",
            "system:persistent-volume-provisioner",
            "system:kubelet-api-admin",
            "system:node-problem-detector",
            "system:service-account-issuer-discovery",
            "system:controller:attachdetach-controller",
            "system:controller:clusterrole-aggregation-controller",
            "system:controller:namespace-controller",
            "system:controller:generic-garbage-collector",
            "system:controller:service-cidrs-controller",
            "system:controller:selinux-warning-controller",
        ] {
            assert!(names.contains(expected), "missing ClusterRole {expected}");
        }
        // Gated off by default in v1.33.
        assert!(!names.contains("system:controller:resource-claim-controller"));
        assert!(!names.contains("system:controller:volumeattributesclass-protection-controller"));

        for r in &p.cluster_roles {
            let labels = r.metadata.labels.as_ref().expect("labels");
            assert_eq!(
                labels.get(BOOTSTRAPPING_LABEL).map(String::as_str),
                Some("rbac-defaults")
            );
            let annotations = r.metadata.annotations.as_ref().expect("annotations");
            assert_eq!(
                annotations.get(AUTO_UPDATE_ANNOTATION).map(String::as_str),
                Some("true")
            );
        }

        // Every controller role is bound to its service account in kube-system.
        for r in names.iter().filter(|n| n.starts_with("system:controller:")) {
            let b = p
                .cluster_role_bindings
                .iter()
                .find(|b| b.metadata.name.as_deref() == Some(r))
                .unwrap_or_else(|| panic!("no binding for {r}"));
            assert_eq!(b.role_ref, role_ref("ClusterRole", r));
            let subjects = b.subjects.as_deref().unwrap_or(&[]);
            assert_eq!(subjects.len(), 1);
            assert_eq!(subjects[0].kind, SERVICE_ACCOUNT_KIND);
            assert_eq!(subjects[0].namespace.as_deref(), Some("kube-system"));
            assert_eq!(
                Some(subjects[0].name.as_str()),
                r.strip_prefix("system:controller:")
            );
        }

        let system_node = p
            .cluster_role_bindings
            .iter()
            .find(|b| b.metadata.name.as_deref() == Some("system:node"))
            .expect("system:node binding");
        assert!(system_node.subjects.as_deref().unwrap_or(&[]).is_empty());

        let namespaces: BTreeSet<&str> = p
            .roles
            .iter()
            .filter_map(|r| r.metadata.namespace.as_deref())
            .collect();
        assert_eq!(namespaces, BTreeSet::from(["kube-public", "kube-system"]));
        assert!(p.role_bindings.iter().any(|b| {
            b.metadata.name.as_deref() == Some("system::extension-apiserver-authentication-reader")
                && b.role_ref.name == "extension-apiserver-authentication-reader"
        }));
    }

    #[test]
    fn parse_rejects_unknown_kind() {
        let err = parse_policy_documents("apiVersion: v1\nkind: Pod\nmetadata: {name: x}\n")
            .expect_err("unknown kind");
        assert_eq!(
            err,
            RbacError::PolicyDocument {
                index: 0,
                message: "unexpected kind \"Pod\"".to_string()
            }
        );
    }

    #[test]
    fn cluster_admin_allows_everything() {
        let policy = bootstrap_snapshot();
        let admin = user("root", &["system:masters", "system:authenticated"]);
        for attrs in [
            resource_attrs("get", "default", "", "pods", "", "p"),
            resource_attrs("delete", "", "apps", "deployments", "scale", ""),
            resource_attrs("escalate", "", RBAC_GROUP, "clusterroles", "", "x"),
            url_attrs("get", "/metrics"),
            url_attrs("post", "/anything/at/all"),
        ] {
            let (allowed, reason) = policy.authorize(&admin, &attrs);
            assert!(allowed, "{attrs:?}");
            assert_eq!(
                reason,
                "RBAC: allowed by ClusterRoleBinding \"cluster-admin\" of ClusterRole \"cluster-admin\" to Group \"system:masters\""
            );
        }
    }

    #[test]
    fn bootstrap_discovery_and_basic_user() {
        let policy = bootstrap_snapshot();
        let anonymous = user("system:anonymous", &["system:unauthenticated"]);
        assert!(
            policy
                .authorize(&anonymous, &url_attrs("get", "/healthz"))
                .0
        );
        assert!(
            policy
                .authorize(&anonymous, &url_attrs("get", "/version"))
                .0
        );
        assert!(!policy.authorize(&anonymous, &url_attrs("get", "/api")).0);
        let someone = user("bob", &["system:authenticated"]);
        assert!(
            policy
                .authorize(&someone, &url_attrs("get", "/apis/apps/v1"))
                .0
        );
        assert!(
            policy
                .authorize(
                    &someone,
                    &resource_attrs(
                        "create",
                        "",
                        "authorization.k8s.io",
                        "selfsubjectrulesreviews",
                        "",
                        ""
                    )
                )
                .0
        );
        assert_eq!(
            policy.authorize(&someone, &resource_attrs("list", "", "", "pods", "", "")),
            (false, String::new())
        );
    }

    #[test]
    fn view_in_one_namespace() {
        let mut policy = bootstrap_snapshot();
        policy.upsert_role_binding(role_binding(
            "team-a",
            "jane-view",
            role_ref("ClusterRole", "view"),
            vec![subject(USER_KIND, "jane", None)],
        ));
        let jane = user("jane", &["system:authenticated"]);
        let (allowed, reason) = policy.authorize(
            &jane,
            &resource_attrs("get", "team-a", "", "pods", "", "web"),
        );
        assert!(allowed);
        assert_eq!(
            reason,
            "RBAC: allowed by RoleBinding \"jane-view/team-a\" of ClusterRole \"view\" to User \"jane\""
        );
        assert!(
            policy
                .authorize(
                    &jane,
                    &resource_attrs("list", "team-a", "apps", "deployments", "", "")
                )
                .0
        );
        assert!(
            policy
                .authorize(
                    &jane,
                    &resource_attrs("get", "team-a", "", "pods", "log", "web")
                )
                .0
        );
        assert!(
            !policy
                .authorize(
                    &jane,
                    &resource_attrs("get", "team-a", "", "secrets", "", "s")
                )
                .0
        );
        assert!(
            !policy
                .authorize(
                    &jane,
                    &resource_attrs("delete", "team-a", "", "pods", "", "web")
                )
                .0
        );
        assert!(
            !policy
                .authorize(
                    &jane,
                    &resource_attrs("exec", "team-a", "", "pods", "exec", "web")
                )
                .0
        );
        assert!(
            !policy
                .authorize(
                    &jane,
                    &resource_attrs("get", "team-b", "", "pods", "", "web")
                )
                .0
        );
        assert!(
            !policy
                .authorize(&jane, &resource_attrs("list", "", "", "pods", "", ""))
                .0
        );

        // Edit reaches secrets through aggregation; view never does.
        policy.upsert_role_binding(role_binding(
            "team-a",
            "joe-edit",
            role_ref("ClusterRole", "edit"),
            vec![subject(GROUP_KIND, "devs", None)],
        ));
        let joe = user("joe", &["devs"]);
        assert!(
            policy
                .authorize(
                    &joe,
                    &resource_attrs("get", "team-a", "", "secrets", "", "s")
                )
                .0
        );
        assert!(
            policy
                .authorize(
                    &joe,
                    &resource_attrs("get", "team-a", "", "pods", "", "web")
                )
                .0
        );
        assert!(
            !policy
                .authorize(
                    &joe,
                    &resource_attrs("create", "team-a", RBAC_GROUP, "rolebindings", "", "")
                )
                .0
        );
    }

    // --- evaluation helpers (evaluation_helpers_test.go / rbac_test.go) ----------------------

    #[test]
    fn resource_matching_cases() {
        let cases: &[(&[&str], &str, &str, bool)] = &[
            (&["*"], "pods", "", true),
            (&["*"], "pods/log", "log", true),
            (&["pods"], "pods", "", true),
            (&["pods"], "pods/log", "log", false),
            (&["pods/log"], "pods/log", "log", true),
            (&["pods/lo"], "pods/log", "log", false),
            (&["*/scale"], "deployments/scale", "scale", true),
            (&["*/scale"], "deployments", "", false),
            (&["*/status"], "deployments/scale", "scale", false),
            (&["*/sca"], "deployments/scale", "scale", false),
            (&["x/scale"], "deployments/scale", "scale", false),
            (&["foo", "*/scale"], "replicasets/scale", "scale", true),
            (&["pods/*"], "pods/log", "log", false),
        ];
        for (resources, combined, sub, want) in cases {
            let r = rule(&[""], resources, &["get"]);
            assert_eq!(
                resource_matches(&r, combined, sub),
                *want,
                "{resources:?} {combined}"
            );
        }
    }

    #[test]
    fn non_resource_url_matching_cases() {
        let cases: &[(&str, &str, bool)] = &[
            ("*", "/anything", true),
            ("/api", "/api", true),
            ("/api", "/api/", false),
            ("/api/*", "/api/v1", true),
            ("/api/*", "/api", false),
            ("/api*", "/apis/apps", true),
            ("/foo**", "/foobar", true),
            ("/healthz", "/healthz/etcd", false),
        ];
        for (rule_url, path, want) in cases {
            let r = url_rule(&[rule_url], &["get"]);
            assert_eq!(
                non_resource_url_matches(&r, path),
                *want,
                "{rule_url} {path}"
            );
        }
    }

    #[test]
    fn rule_allows_cases() {
        // verb and group wildcards
        let r = rule(&["*"], &["pods"], &["*"]);
        assert!(rule_allows(
            &resource_attrs("anything", "ns", "whatever.io", "pods", "", ""),
            &r
        ));
        // resource names restrict named requests and deny unnamed ones (list/create)
        let r = named_rule(&[""], &["configmaps"], &["a"], &["get", "list"]);
        assert!(rule_allows(
            &resource_attrs("get", "ns", "", "configmaps", "", "a"),
            &r
        ));
        assert!(!rule_allows(
            &resource_attrs("get", "ns", "", "configmaps", "", "b"),
            &r
        ));
        assert!(!rule_allows(
            &resource_attrs("list", "ns", "", "configmaps", "", ""),
            &r
        ));
        // group must match exactly
        let r = rule(&["apps"], &["deployments"], &["get"]);
        assert!(!rule_allows(
            &resource_attrs("get", "ns", "extensions", "deployments", "", ""),
            &r
        ));
        // a resource rule does not allow non-resource requests and vice versa
        let r = rule(&["*"], &["*"], &["*"]);
        assert!(!rule_allows(&url_attrs("get", "/healthz"), &r));
        let r = url_rule(&["*"], &["*"]);
        assert!(!rule_allows(
            &resource_attrs("get", "", "", "pods", "", ""),
            &r
        ));
        assert!(rule_allows(&url_attrs("get", "/healthz"), &r));
        // verbs are exact
        let r = url_rule(&["/healthz"], &["get"]);
        assert!(!rule_allows(&url_attrs("post", "/healthz"), &r));
        assert!(rules_allow(
            &url_attrs("post", "/healthz"),
            &[r, url_rule(&["/healthz"], &["post"])]
        ));
    }

    // --- subjects ----------------------------------------------------------------------------

    #[test]
    fn service_account_subjects() {
        let sa = user(
            "system:serviceaccount:team:default",
            &["system:serviceaccounts"],
        );
        // Namespace defaults to the RoleBinding's.
        assert!(subject_matches(
            &subject(SERVICE_ACCOUNT_KIND, "default", None),
            &sa,
            "team"
        ));
        assert!(subject_matches(
            &subject(SERVICE_ACCOUNT_KIND, "default", Some("")),
            &sa,
            "team"
        ));
        assert!(!subject_matches(
            &subject(SERVICE_ACCOUNT_KIND, "default", None),
            &sa,
            "other"
        ));
        // In a ClusterRoleBinding an unqualified service account matches nobody.
        assert!(!subject_matches(
            &subject(SERVICE_ACCOUNT_KIND, "default", None),
            &sa,
            ""
        ));
        assert!(subject_matches(
            &subject(SERVICE_ACCOUNT_KIND, "default", Some("team")),
            &sa,
            ""
        ));
        assert!(!subject_matches(
            &subject(SERVICE_ACCOUNT_KIND, "defaul", Some("team")),
            &sa,
            ""
        ));
        assert!(!subject_matches(
            &subject(SERVICE_ACCOUNT_KIND, "default", Some("team")),
            &user("system:serviceaccount:team:default2", &[]),
            ""
        ));
        assert!(!subject_matches(
            &subject(SERVICE_ACCOUNT_KIND, "default", Some("team")),
            &user("system:serviceaccount:teamx:default", &[]),
            ""
        ));
        // Users and groups.
        assert!(subject_matches(
            &subject(USER_KIND, "system:serviceaccount:team:default", None),
            &sa,
            ""
        ));
        assert!(subject_matches(
            &subject(GROUP_KIND, "system:serviceaccounts", None),
            &sa,
            ""
        ));
        assert!(!subject_matches(
            &subject("Robot", "default", Some("team")),
            &sa,
            "team"
        ));

        let mut policy = Policy::new(
            vec![cluster_role(
                "reader",
                vec![rule(&[""], &["pods"], &["get"])],
            )],
            vec![],
            vec![],
            vec![role_binding(
                "team",
                "sa-read",
                role_ref("ClusterRole", "reader"),
                vec![subject(SERVICE_ACCOUNT_KIND, "default", None)],
            )],
        );
        let (allowed, reason) =
            policy.authorize(&sa, &resource_attrs("get", "team", "", "pods", "", "x"));
        assert!(allowed);
        assert_eq!(
            reason,
            "RBAC: allowed by RoleBinding \"sa-read/team\" of ClusterRole \"reader\" to ServiceAccount \"default/team\""
        );
        policy.delete_role_binding("team", "sa-read");
        assert!(
            !policy
                .authorize(&sa, &resource_attrs("get", "team", "", "pods", "", "x"))
                .0
        );
    }

    #[test]
    fn missing_roles_are_reported_and_resolution_continues() {
        let alice = user("alice", &["system:authenticated"]);
        let policy = Policy::new(
            vec![cluster_role(
                "reader",
                vec![rule(&[""], &["pods"], &["get"])],
            )],
            vec![Role {
                metadata: meta("local", Some("ns")),
                rules: Some(vec![rule(&[""], &["configmaps"], &["get"])]),
            }],
            vec![
                cluster_role_binding("gone", "nope", vec![subject(USER_KIND, "alice", None)]),
                cluster_role_binding("ok", "reader", vec![subject(USER_KIND, "alice", None)]),
            ],
            vec![
                role_binding(
                    "ns",
                    "missing",
                    role_ref("Role", "absent"),
                    vec![subject(USER_KIND, "alice", None)],
                ),
                role_binding(
                    "ns",
                    "local",
                    role_ref("Role", "local"),
                    vec![subject(USER_KIND, "alice", None)],
                ),
                role_binding(
                    "ns",
                    "odd",
                    role_ref("Thing", "x"),
                    vec![subject(USER_KIND, "alice", None)],
                ),
            ],
        );
        let (rules, errors) = policy.rules_for(&alice, "ns");
        assert_eq!(
            rules,
            vec![
                rule(&[""], &["pods"], &["get"]),
                rule(&[""], &["configmaps"], &["get"])
            ]
        );
        assert_eq!(
            errors,
            vec![
                "clusterrole.rbac.authorization.k8s.io \"nope\" not found".to_string(),
                "role.rbac.authorization.k8s.io \"absent\" not found".to_string(),
                "unsupported role reference kind: \"Thing\"".to_string(),
            ]
        );
        // Cluster scope: only cluster-wide rules.
        let (rules, errors) = policy.rules_for(&alice, "");
        assert_eq!(rules.len(), 1);
        assert_eq!(errors.len(), 1);

        assert!(
            policy
                .authorize(
                    &alice,
                    &resource_attrs("get", "ns", "", "configmaps", "", "c")
                )
                .0
        );
        assert_eq!(
            policy.authorize(&alice, &resource_attrs("delete", "ns", "", "configmaps", "", "c")),
            (
                false,
                "RBAC: [clusterrole.rbac.authorization.k8s.io \"nope\" not found, role.rbac.authorization.k8s.io \"absent\" not found, unsupported role reference kind: \"Thing\"]".to_string()
            )
        );
        assert_eq!(
            policy.authorize(&alice, &resource_attrs("delete", "", "", "nodes", "", "n")),
            (
                false,
                "RBAC: clusterrole.rbac.authorization.k8s.io \"nope\" not found".to_string()
            )
        );
    }

    // --- covers (policy_comparator_test.go) --------------------------------------------------

    #[test]
    fn covers_exact_and_partial() {
        let owner = vec![rule(&["v1"], &["builds"], &["get"])];
        assert_eq!(covers(&owner, &owner), (true, vec![]));

        let (ok, uncovered) = covers(
            &owner,
            &[rule(&["v1"], &["builds", "deployments"], &["get", "list"])],
        );
        assert!(!ok);
        assert_eq!(
            uncovered,
            vec![
                rule(&["v1"], &["builds"], &["list"]),
                rule(&["v1"], &["deployments"], &["get"]),
                rule(&["v1"], &["deployments"], &["list"]),
            ]
        );
    }

    #[test]
    fn covers_stars_and_subresources() {
        let all = vec![rule(&["*"], &["*"], &["*"])];
        assert!(
            covers(
                &all,
                &[rule(&["apps"], &["deployments/scale"], &["update"])]
            )
            .0
        );
        // A resource star does not cover non-resource URLs.
        assert!(!covers(&all, &[url_rule(&["/healthz"], &["get"])]).0);

        let scale = vec![rule(&["*"], &["*/scale"], &["get"])];
        assert!(covers(&scale, &[rule(&["apps"], &["deployments/scale"], &["get"])]).0);
        assert!(!covers(&scale, &[rule(&["apps"], &["deployments"], &["get"])]).0);
        assert!(
            !covers(
                &scale,
                &[rule(&["apps"], &["deployments/status"], &["get"])]
            )
            .0
        );

        let pods = vec![rule(&[""], &["pods"], &["get"])];
        assert!(!covers(&pods, &[rule(&[""], &["pods/log"], &["get"])]).0);
    }

    #[test]
    fn covers_resource_names() {
        let owner = vec![named_rule(&[""], &["secrets"], &["a", "b"], &["get"])];
        assert!(covers(&owner, &[named_rule(&[""], &["secrets"], &["a"], &["get"])]).0);
        let (ok, uncovered) = covers(
            &owner,
            &[named_rule(&[""], &["secrets"], &["a", "c"], &["get"])],
        );
        assert!(!ok);
        assert_eq!(
            uncovered,
            vec![named_rule(&[""], &["secrets"], &["c"], &["get"])]
        );
        // A name-restricted owner does not cover an unrestricted request.
        assert!(!covers(&owner, &[rule(&[""], &["secrets"], &["get"])]).0);
        // An unrestricted owner covers any names.
        assert!(
            covers(
                &[rule(&[""], &["secrets"], &["get"])],
                &[named_rule(&[""], &["secrets"], &["z"], &["get"])]
            )
            .0
        );
    }

    #[test]
    fn covers_non_resource_urls() {
        let owner = vec![url_rule(&["/apis/*", "/healthz"], &["get"])];
        assert!(covers(&owner, &[url_rule(&["/apis/apps", "/healthz"], &["get"])]).0);
        let (ok, uncovered) = covers(
            &owner,
            &[url_rule(&["/api/v1", "/healthz"], &["get", "post"])],
        );
        assert!(!ok);
        assert_eq!(
            uncovered,
            vec![
                url_rule(&["/api/v1"], &["get"]),
                url_rule(&["/api/v1"], &["post"]),
                url_rule(&["/healthz"], &["post"]),
            ]
        );
        assert!(
            covers(
                &[url_rule(&["*"], &["*"])],
                &[url_rule(&["/x"], &["delete"])]
            )
            .0
        );
    }

    // --- escalation message ------------------------------------------------------------------

    #[test]
    fn escalation_message_text() {
        let owner = vec![rule(&[""], &["configmaps"], &["get"])];
        let requested = vec![
            rule(&[""], &["pods", "configmaps"], &["get", "list"]),
            named_rule(&[""], &["secrets"], &["s1"], &["get"]),
            url_rule(&["/metrics"], &["get"]),
        ];
        let (ok, uncovered) = covers(&owner, &requested);
        assert!(!ok);
        let alice = user("alice", &["system:authenticated", "devs"]);
        assert_eq!(
            escalation_message(&alice, "ns", &uncovered, &[]),
            "user \"alice\" (groups=[\"system:authenticated\" \"devs\"]) is attempting to grant RBAC permissions not currently held:\n\
             {APIGroups:[\"\"], Resources:[\"configmaps\"], Verbs:[\"list\"]}\n\
             {APIGroups:[\"\"], Resources:[\"pods\"], Verbs:[\"get\" \"list\"]}\n\
             {APIGroups:[\"\"], Resources:[\"secrets\"], ResourceNames:[\"s1\"], Verbs:[\"get\"]}\n\
             {NonResourceURLs:[\"/metrics\"], Verbs:[\"get\"]}"
        );
        let nobody = user("bob", &[]);
        assert_eq!(
            escalation_message(
                &nobody,
                "",
                &[rule(&["apps"], &["deployments"], &["create"])],
                &["clusterrole.rbac.authorization.k8s.io \"gone\" not found".to_string()]
            ),
            "user \"bob\" (groups=[]) is attempting to grant RBAC permissions not currently held:\n\
             {APIGroups:[\"apps\"], Resources:[\"deployments\"], Verbs:[\"create\"]}; \
             resolution errors: [clusterrole.rbac.authorization.k8s.io \"gone\" not found]"
        );
        assert_eq!(
            escalation_message(
                &nobody,
                "",
                &[rule(&[""], &["pods"], &["get"])],
                &strings(&["a", "b", "a"])
            ),
            "user \"bob\" (groups=[]) is attempting to grant RBAC permissions not currently held:\n\
             {APIGroups:[\"\"], Resources:[\"pods\"], Verbs:[\"get\"]}; resolution errors: [[a, b]]"
        );
    }

    #[test]
    fn compact_rules_merges_verbs_only_for_simple_rules() {
        let compacted = compact_rules(&[
            rule(&[""], &["pods"], &["get"]),
            rule(&[""], &["pods", "services"], &["get"]),
            rule(&[""], &["pods"], &["list"]),
            named_rule(&[""], &["pods"], &["x"], &["get"]),
        ]);
        assert_eq!(
            compacted,
            vec![
                rule(&[""], &["pods", "services"], &["get"]),
                rule(&[""], &["pods"], &["get", "list"]),
                named_rule(&[""], &["pods"], &["x"], &["get"]),
            ]
        );
    }

    #[test]
    fn go_quoting() {
        assert_eq!(go_quote("a\"b\\c\n\u{1}é"), "\"a\\\"b\\\\c\\n\\x01é\"");
        assert_eq!(go_quote_list(&[]), "[]");
        assert_eq!(go_quote_list(&strings(&["", "x"])), "[\"\" \"x\"]");
    }

    // --- aggregation -------------------------------------------------------------------------

    #[test]
    fn aggregation_of_bootstrap_admin_edit_view() {
        let roles = bootstrap_policy().cluster_roles.clone();
        let first = aggregate(&roles);
        let names: Vec<&str> = first.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, vec!["admin", "edit", "view"]);
        assert!(first.iter().all(|(_, rules)| !rules.is_empty()));

        let view_rules = &first[2].1;
        let agg_view = roles
            .iter()
            .find(|r| r.metadata.name.as_deref() == Some("system:aggregate-to-view"))
            .and_then(|r| r.rules.clone())
            .expect("aggregate-to-view rules");
        assert_eq!(view_rules, &agg_view);

        let converged = aggregated(roles);
        assert!(
            aggregate(&converged).is_empty(),
            "no updates once aggregated"
        );
        let rules_of = |name: &str| {
            converged
                .iter()
                .find(|r| r.metadata.name.as_deref() == Some(name))
                .and_then(|r| r.rules.clone())
                .unwrap_or_default()
        };
        let secrets = resource_attrs("get", "ns", "", "secrets", "", "");
        assert!(!rules_allow(&secrets, &rules_of("view")));
        assert!(rules_allow(&secrets, &rules_of("edit")));
        assert!(rules_allow(&secrets, &rules_of("admin")));
        let rolebindings = resource_attrs("create", "ns", RBAC_GROUP, "rolebindings", "", "");
        assert!(!rules_allow(&rolebindings, &rules_of("edit")));
        assert!(rules_allow(&rolebindings, &rules_of("admin")));
        // edit = aggregate-to-edit rules, then view's (roles sorted by name), without duplicates.
        let edit = rules_of("edit");
        let agg_edit = rules_of("system:aggregate-to-edit");
        assert_eq!(&edit[..agg_edit.len()], &agg_edit[..]);
        assert_eq!(edit.len(), agg_edit.len() + rules_of("view").len());
    }

    #[test]
    fn aggregation_selectors_and_dedup() {
        let mut labelled = cluster_role("b-extra", vec![rule(&["x.io"], &["widgets"], &["get"])]);
        labelled.metadata.labels = Some(BTreeMap::from([("agg".to_string(), "yes".to_string())]));
        let mut dup = cluster_role(
            "a-dup",
            vec![
                rule(&["x.io"], &["widgets"], &["get"]),
                rule(&["x.io"], &["gadgets"], &["list"]),
            ],
        );
        dup.metadata.labels = Some(BTreeMap::from([("tier".to_string(), "gold".to_string())]));
        let mut target = cluster_role("target", vec![]);
        target.aggregation_rule = Some(AggregationRule {
            cluster_role_selectors: Some(vec![
                LabelSelector {
                    match_labels: Some(BTreeMap::from([("agg".to_string(), "yes".to_string())])),
                    ..LabelSelector::default()
                },
                LabelSelector {
                    match_expressions: Some(vec![LabelSelectorRequirement {
                        key: "tier".to_string(),
                        operator: "In".to_string(),
                        values: Some(strings(&["gold", "silver"])),
                    }]),
                    ..LabelSelector::default()
                },
            ]),
        });
        let updates = aggregate(&[labelled.clone(), dup.clone(), target.clone()]);
        assert_eq!(
            updates,
            vec![(
                "target".to_string(),
                vec![
                    rule(&["x.io"], &["widgets"], &["get"]),
                    rule(&["x.io"], &["gadgets"], &["list"])
                ]
            )]
        );
        // An invalid operator leaves the role alone.
        let mut bad = target.clone();
        bad.aggregation_rule = Some(AggregationRule {
            cluster_role_selectors: Some(vec![LabelSelector {
                match_expressions: Some(vec![LabelSelectorRequirement {
                    key: "tier".to_string(),
                    operator: "Near".to_string(),
                    values: None,
                }]),
                ..LabelSelector::default()
            }]),
        });
        assert!(aggregate(&[labelled, dup, bad]).is_empty());
        assert_eq!(
            label_selector_matches(
                &LabelSelector {
                    match_expressions: Some(vec![LabelSelectorRequirement {
                        key: "k".to_string(),
                        operator: "Near".to_string(),
                        values: None,
                    }]),
                    ..LabelSelector::default()
                },
                None
            ),
            Err(RbacError::InvalidSelector(
                "\"Near\" is not a valid label selector operator".to_string()
            ))
        );
        assert_eq!(
            label_selector_matches(&LabelSelector::default(), None),
            Ok(true)
        );
    }

    // --- reconciliation ----------------------------------------------------------------------

    fn bootstrap_cluster_role(name: &str) -> ClusterRole {
        bootstrap_policy()
            .cluster_roles
            .iter()
            .find(|r| r.metadata.name.as_deref() == Some(name))
            .cloned()
            .unwrap_or_else(|| panic!("no bootstrap role {name}"))
    }

    #[test]
    fn reconcile_cluster_role_adds_missing_rule_and_respects_autoupdate() {
        let expected = bootstrap_cluster_role("system:auth-delegator");
        assert_eq!(
            reconcile_cluster_role(None, &expected),
            Reconcile::Create(expected.clone())
        );
        assert_eq!(
            reconcile_cluster_role(Some(&expected), &expected),
            Reconcile::Unchanged
        );

        let mut existing = expected.clone();
        existing.rules = Some(vec![
            rule(&["authentication.k8s.io"], &["tokenreviews"], &["create"]),
            rule(&["example.io"], &["things"], &["get"]),
        ]);
        existing.metadata.labels = Some(BTreeMap::from([("team".to_string(), "x".to_string())]));
        let Reconcile::Update(updated) = reconcile_cluster_role(Some(&existing), &expected) else {
            panic!("expected an update");
        };
        assert_eq!(
            updated.rules,
            Some(vec![
                rule(&["authentication.k8s.io"], &["tokenreviews"], &["create"]),
                rule(&["example.io"], &["things"], &["get"]),
                rule(
                    &["authorization.k8s.io"],
                    &["subjectaccessreviews"],
                    &["create"]
                ),
            ])
        );
        assert_eq!(
            updated.metadata.labels,
            Some(BTreeMap::from([
                (BOOTSTRAPPING_LABEL.to_string(), "rbac-defaults".to_string()),
                ("team".to_string(), "x".to_string()),
            ]))
        );

        let mut protected = existing.clone();
        protected.metadata.annotations = Some(BTreeMap::from([(
            AUTO_UPDATE_ANNOTATION.to_string(),
            "false".to_string(),
        )]));
        assert_eq!(
            reconcile_cluster_role(Some(&protected), &expected),
            Reconcile::Unchanged
        );
    }

    #[test]
    fn reconcile_cluster_role_aggregation_selectors() {
        let expected = bootstrap_cluster_role("admin");
        let mut existing = expected.clone();
        existing.aggregation_rule = None;
        existing.rules = Some(vec![rule(&[""], &["pods"], &["get"])]);
        let Reconcile::Update(updated) = reconcile_cluster_role(Some(&existing), &expected) else {
            panic!("expected an update");
        };
        assert_eq!(updated.aggregation_rule, expected.aggregation_rule);
        // Existing (aggregated) rules are kept; the aggregation controller owns them.
        assert_eq!(updated.rules, existing.rules);

        // An aggregation rule that is not expected is removed.
        let plain = bootstrap_cluster_role("system:kube-dns");
        let mut aggregated_dns = plain.clone();
        aggregated_dns.aggregation_rule = expected.aggregation_rule.clone();
        let Reconcile::Update(updated) = reconcile_cluster_role(Some(&aggregated_dns), &plain)
        else {
            panic!("expected an update");
        };
        assert_eq!(updated.aggregation_rule, None);
    }

    #[test]
    fn reconcile_role_adds_missing_rules() {
        let expected = bootstrap_policy()
            .roles
            .iter()
            .find(|r| r.metadata.name.as_deref() == Some("system:controller:token-cleaner"))
            .cloned()
            .expect("token-cleaner role");
        let mut existing = expected.clone();
        existing.rules = Some(vec![rule(&[""], &["secrets"], &["get", "list", "watch"])]);
        let Reconcile::Update(updated) = reconcile_role(Some(&existing), &expected) else {
            panic!("expected an update");
        };
        let rules = updated.rules.expect("rules");
        assert_eq!(rules.len(), 1 + 1 + 6);
        assert_eq!(rules[1], rule(&[""], &["secrets"], &["delete"]));
        assert!(covers(&rules, expected.rules.as_deref().unwrap_or(&[])).0);
        assert_eq!(
            reconcile_role(None, &expected),
            Reconcile::Create(expected.clone())
        );
    }

    #[test]
    fn reconcile_bindings() {
        let expected = bootstrap_policy()
            .cluster_role_bindings
            .iter()
            .find(|b| b.metadata.name.as_deref() == Some("system:public-info-viewer"))
            .cloned()
            .expect("binding");
        assert_eq!(
            reconcile_cluster_role_binding(Some(&expected), &expected),
            Reconcile::Unchanged
        );

        let mut existing = expected.clone();
        existing.subjects = Some(vec![
            subject(GROUP_KIND, "system:authenticated", None),
            subject(USER_KIND, "extra", None),
        ]);
        let Reconcile::Update(updated) = reconcile_cluster_role_binding(Some(&existing), &expected)
        else {
            panic!("expected an update");
        };
        assert_eq!(
            updated.subjects,
            Some(vec![
                subject(GROUP_KIND, "system:authenticated", None),
                subject(USER_KIND, "extra", None),
                subject(GROUP_KIND, "system:unauthenticated", None),
            ])
        );

        let mut moved = expected.clone();
        moved.role_ref.name = "something-else".to_string();
        assert_eq!(
            reconcile_cluster_role_binding(Some(&moved), &expected),
            Reconcile::Recreate(expected.clone())
        );
        moved.metadata.annotations = Some(BTreeMap::from([(
            AUTO_UPDATE_ANNOTATION.to_string(),
            "false".to_string(),
        )]));
        assert_eq!(
            reconcile_cluster_role_binding(Some(&moved), &expected),
            Reconcile::Unchanged
        );

        let rb = bootstrap_policy().role_bindings[0].clone();
        let mut stripped = rb.clone();
        stripped.subjects = None;
        stripped.metadata.labels = None;
        let Reconcile::Update(updated) = reconcile_role_binding(Some(&stripped), &rb) else {
            panic!("expected an update");
        };
        assert_eq!(updated.subjects, rb.subjects);
        assert_eq!(updated.metadata.labels, rb.metadata.labels);
        assert_eq!(
            reconcile_role_binding(None, &rb),
            Reconcile::Create(rb.clone())
        );
    }

    // --- SelfSubjectRulesReview --------------------------------------------------------------

    #[test]
    fn review_rules_split_resource_and_non_resource() {
        let (resource, non_resource) = review_rules(&[
            named_rule(&[""], &["pods"], &["p"], &["get"]),
            url_rule(&["/healthz"], &["get"]),
            PolicyRule {
                api_groups: Some(vec![]),
                resources: Some(strings(&["things"])),
                verbs: strings(&["list"]),
                ..PolicyRule::default()
            },
        ]);
        assert_eq!(
            resource,
            vec![
                ResourceRule {
                    verbs: strings(&["get"]),
                    api_groups: Some(strings(&[""])),
                    resources: Some(strings(&["pods"])),
                    resource_names: Some(strings(&["p"])),
                },
                ResourceRule {
                    verbs: strings(&["list"]),
                    api_groups: None,
                    resources: Some(strings(&["things"])),
                    resource_names: None,
                },
            ]
        );
        assert_eq!(
            non_resource,
            vec![NonResourceRule {
                verbs: strings(&["get"]),
                non_resource_urls: Some(strings(&["/healthz"])),
            }]
        );
    }
}
