//! ValidatingAdmissionPolicy (`admissionregistration.k8s.io/v1`) evaluation.
//!
//! This module is the in-process counterpart of upstream's `ValidatingAdmissionPolicy`
//! admission plugin: it compiles the CEL expressions of `ValidatingAdmissionPolicy`
//! objects once ([`Policies::new`]), matches requests against the policies and their
//! `ValidatingAdmissionPolicyBinding`s (`matchConstraints`, `excludeResourceRules`,
//! `namespaceSelector`, `objectSelector`, binding `matchResources`, `matchConditions`)
//! and evaluates `variables`, `validations` (with `message`, `messageExpression` and
//! `reason`) and `auditAnnotations`, applying `failurePolicy` and the binding's
//! `validationActions` (`Deny`, `Warn`, `Audit`) the way upstream's dispatcher does,
//! with upstream's message texts. [`validate_policy`] type-checks a policy's
//! expressions when the object is created or updated.
//!
//! CEL evaluation uses the `cel` crate with the standard library, optional types, the
//! strings extension and the cheap Kubernetes libraries: lists (`isSorted`, `sum`, `min`,
//! `max`, `indexOf`, `lastIndexOf`), regex (`find`, `findAll`), sets (`sets.contains`,
//! `sets.equivalent`, `sets.intersects`) and quantity (`quantity`, `isQuantity`, `sign`,
//! `isInteger`, `asInteger`, `asApproximateFloat`, `compareTo`, `isLessThan`,
//! `isGreaterThan`, `add`, `sub`).
//!
//! What it does not do:
//! - parameter resources: a binding with `paramRef` on a policy with `paramKind` is a
//!   configuration error handled under the policy's `failurePolicy` (`params` is `null`
//!   when a binding has no `paramRef`);
//! - the `authorizer` variable: expressions using it type-check as upstream but fail at
//!   evaluation (an evaluation error, handled under `failurePolicy`);
//! - the URL, IP/CIDR, format, semver and image libraries and `timestamp`/`duration`
//!   (undeclared references when compiled), two-variable comprehensions (a compile
//!   error), the `reverse` of the newer strings extension is extra;
//! - `matchPolicy: Equivalent` (no equivalent-resource mapping: rules match exactly) and
//!   conversion of the object to the matched version;
//! - CEL cost budgets, and cel-go's exact wording for runtime errors other than the
//!   common ones (`no such key`, `division by zero`, ...);
//! - type checking is basic: undeclared variables and functions, undefined fields of the
//!   typed variables (`request`, `namespaceObject`, `variables`), operator overloads on
//!   known types and the result type of an expression, not upstream's full checker.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, OnceLock};

use cel::common::ast::{EntryExpr, Expr, IdedExpr, LiteralValue, SourceInfo};
use cel::common::traits::Indexer;
use cel::common::types::{
    CelBool, CelBytes, CelDouble, CelInt, CelList, CelMap, CelMapKey, CelNull, CelString, CelUInt,
    DYN_TYPE, INT_TYPE, LIST_TYPE, STRING_TYPE, Type,
};
use cel::common::value::{CowVal, Val};
use cel::context::VariableResolver;
use cel::objects::Opaque;
use cel::{Context, Env, ExecutionError, Program, Value as CelValue};
use serde_json::Value;

// ---------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------

/// The attributes of an admission request that policies are evaluated against.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// `CREATE`, `UPDATE`, `DELETE` or `CONNECT`.
    pub operation: &'a str,
    /// API group of the requested resource (empty for the core group).
    pub group: &'a str,
    /// API version of the requested resource.
    pub version: &'a str,
    /// Resource name, e.g. `deployments`.
    pub resource: &'a str,
    /// Subresource, e.g. `status`, or empty.
    pub subresource: &'a str,
    /// Kind of the object, e.g. `Deployment`.
    pub kind: &'a str,
    /// Namespace of the request (for a `namespaces` request, the namespace itself), or
    /// empty for cluster-scoped resources.
    pub namespace: &'a str,
    /// Name of the object, or empty when not known yet.
    pub name: &'a str,
    /// The incoming object (`None` for `DELETE`).
    pub object: Option<&'a Value>,
    /// The existing object (`None` for `CREATE`).
    pub old_object: Option<&'a Value>,
    /// The `Namespace` object of `namespace`, when the request is namespaced.
    pub namespace_object: Option<&'a Value>,
    /// The requesting user, as `authentication.k8s.io/v1` `UserInfo` JSON.
    pub user: &'a Value,
    /// Whether the request is a dry run.
    pub dry_run: bool,
}

/// The outcome of evaluating the policies for one request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Decision {
    /// The denial, as a `Status`: HTTP code, reason (`Invalid`, `Forbidden`, ...) and the
    /// message, e.g. `deployments.apps "nginx" is forbidden: ValidatingAdmissionPolicy
    /// 'p' with binding 'b' denied request: failed expression: object.spec.replicas <= 5`.
    pub deny: Option<(u16, String, String)>,
    /// Warnings for the client (from bindings with the `Warn` action).
    pub warnings: Vec<String>,
    /// Audit annotations (from `auditAnnotations` and the `Audit` action).
    pub audit_annotations: Vec<(String, String)>,
}

/// Compiled `ValidatingAdmissionPolicy` objects with their bindings.
///
/// Compile policies once (they change rarely): invalid expressions are kept with their
/// compile error, which counts as an evaluation failure under the policy's
/// `failurePolicy`, as upstream.
pub struct Policies {
    env: Arc<Env>,
    hooks: Vec<Hook>,
}

impl fmt::Debug for Policies {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Policies")
            .field(
                "policies",
                &self
                    .hooks
                    .iter()
                    .map(|h| h.name.as_str())
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl Policies {
    /// Compiles `policies` (`ValidatingAdmissionPolicy` JSON) and attaches the
    /// `bindings` (`ValidatingAdmissionPolicyBinding` JSON) that name them. Policies
    /// without a binding are never evaluated.
    pub fn new(policies: &[Value], bindings: &[Value]) -> Policies {
        let env = shared_env();
        let mut probe = FunctionProbe::new(env.clone());
        let mut hooks = Vec::new();
        for policy in policies {
            let name = str_at(policy, &["metadata", "name"]).to_string();
            let policy_bindings: Vec<BindingSpec> = bindings
                .iter()
                .filter(|b| !name.is_empty() && str_at(b, &["spec", "policyName"]) == name)
                .map(BindingSpec::parse)
                .collect();
            if policy_bindings.is_empty() {
                continue;
            }
            hooks.push(Hook::compile(policy, name, policy_bindings, &mut probe));
        }
        Policies { env, hooks }
    }

    /// Whether no policy has a binding, so that no request can be affected.
    pub fn is_empty(&self) -> bool {
        self.hooks.is_empty()
    }

    /// Evaluates every policy and binding matching `req`.
    pub fn evaluate(&self, req: &Request<'_>) -> Decision {
        let mut decision = Decision::default();
        if self.hooks.is_empty() || is_exempt(req) {
            return decision;
        }
        let request_json = admission_request_json(req);
        let namespace_json = namespace_object_json(req);
        let mut roots: Option<Roots<'_>> = None;
        let mut denied: Vec<Denial> = Vec::new();

        for hook in &self.hooks {
            let Some(constraints) = &hook.constraints else {
                continue;
            };
            // Errors while matching the definition do not apply the policy, as upstream.
            if !matches!(constraints.matches(req), Ok(true)) {
                continue;
            }
            let mut collector = AuditAnnotationCollector::default();
            for binding in &hook.bindings {
                if let Some(resources) = &binding.match_resources {
                    match resources.matches(req) {
                        Ok(true) => {}
                        Ok(false) => continue,
                        Err(err) => {
                            hook.config_error(&mut denied, Some(binding), &err);
                            continue;
                        }
                    }
                }
                if let (Some(param_kind), true) = (&hook.param_kind, binding.has_param_ref) {
                    let err = format!(
                        "paramRef is not supported by this server: parameter resources of \
                         paramKind (apiVersion {}, kind {}) cannot be resolved",
                        go_quote(&param_kind.0),
                        go_quote(&param_kind.1)
                    );
                    hook.config_error(&mut denied, Some(binding), &err);
                    continue;
                }
                let roots = roots
                    .get_or_insert_with(|| Roots::new(req, &request_json, namespace_json.as_ref()));
                let (decisions, audits) = hook.validate(&self.env, roots);
                for (index, d) in decisions.iter().enumerate() {
                    if d.action != Action::Deny {
                        continue;
                    }
                    for action in &binding.actions {
                        match action.as_str() {
                            "Deny" => denied.push(Denial {
                                policy: hook.name.clone(),
                                binding: Some(binding.name.clone()),
                                message: d.message.clone(),
                                reason: d.reason.clone(),
                            }),
                            "Audit" => publish_validation_failure(
                                &mut decision.audit_annotations,
                                hook,
                                binding,
                                index,
                                &d.message,
                            ),
                            "Warn" => {
                                let warning = format!(
                                    "Validation failed for ValidatingAdmissionPolicy '{}' with binding '{}': {}",
                                    hook.name, binding.name, d.message
                                );
                                if !decision.warnings.contains(&warning) {
                                    decision.warnings.push(warning);
                                }
                            }
                            _ => {}
                        }
                    }
                }
                for audit in audits {
                    match audit {
                        AuditResult::Publish(key, value) => {
                            collector.add(key, truncate_bytes(&value, MAX_AUDIT_VALUE_LENGTH))
                        }
                        AuditResult::Error(message) => denied.push(Denial {
                            policy: hook.name.clone(),
                            binding: Some(binding.name.clone()),
                            message,
                            reason: None,
                        }),
                        AuditResult::Exclude => {}
                    }
                }
            }
            collector.publish(&hook.name, &mut decision.audit_annotations);
        }

        if let Some(first) = denied.into_iter().next() {
            let inner = match &first.binding {
                Some(binding) => format!(
                    "ValidatingAdmissionPolicy '{}' with binding '{}' denied request: {}",
                    first.policy, binding, first.message
                ),
                None => format!(
                    "ValidatingAdmissionPolicy '{}' denied request: {}",
                    first.policy, first.message
                ),
            };
            let reason = first
                .reason
                .filter(|r| !r.is_empty())
                .unwrap_or_else(|| "Invalid".to_string());
            let code = reason_to_code(&reason);
            decision.deny = Some((code, reason, forbidden_message(req, &inner)));
        }
        decision
    }
}

/// Type-checks the expressions of a `ValidatingAdmissionPolicy` object as upstream's
/// create/update validation does, returning field errors as `(field, message)`, e.g.
/// `("spec.validations[0].expression", "Invalid value: \"object.x\": must evaluate to
/// bool but got dyn")`.
///
/// Only the checks tied to expressions are made: `matchConditions` (expression, name
/// required and unique), `variables` (name, expression), `validations` (expression,
/// `messageExpression`, `message`, `reason`), `auditAnnotations` (unique key, a
/// `metadata.name`, `valueExpression`) and the requirement of one validation or audit
/// annotation. Qualified-name syntax of names and keys, `matchConstraints`,
/// `failurePolicy` and `paramKind` are left to the object's general validation.
pub fn validate_policy(policy: &Value) -> Vec<(String, String)> {
    let mut errors: Vec<(String, String)> = Vec::new();
    let env = shared_env();
    let mut probe = FunctionProbe::new(env);
    let spec = policy.get("spec").unwrap_or(&Value::Null);
    let has_params = spec.get("paramKind").is_some_and(|p| !p.is_null());
    let policy_name = str_at(policy, &["metadata", "name"]);

    // matchConditions: compiled without variable composition.
    let mut condition_names: Vec<String> = Vec::new();
    for (i, condition) in array_at(spec, "matchConditions").iter().enumerate() {
        let path = format!("spec.matchConditions[{i}]");
        let expression = str_at(condition, &["expression"]).trim();
        if expression.is_empty() {
            errors.push((format!("{path}.expression"), required("")));
        } else {
            let decls = Decls {
                params: has_params,
                authorizer: true,
                variables: None,
            };
            let compiled = compile(&mut probe, expression, &decls, Expect::Bool);
            if let Err(detail) = compiled.program {
                errors.push((format!("{path}.expression"), invalid(expression, &detail)));
            }
        }
        let name = str_at(condition, &["name"]);
        if name.is_empty() {
            errors.push((format!("{path}.name"), required("")));
        } else if condition_names.iter().any(|n| n == name) {
            errors.push((format!("{path}.name"), duplicate(name)));
        } else {
            condition_names.push(name.to_string());
        }
    }

    // variables: each sees the ones before it.
    let variables_declared = !array_at(spec, "variables").is_empty();
    let mut variables: Vec<(String, Ty)> = Vec::new();
    for (i, variable) in array_at(spec, "variables").iter().enumerate() {
        let path = format!("spec.variables[{i}]");
        let name = str_at(variable, &["name"]);
        if name.trim().is_empty() {
            errors.push((format!("{path}.name"), required("name is not specified")));
        } else if !is_cel_identifier(name) {
            errors.push((
                format!("{path}.name"),
                invalid(name, "name is not a valid CEL identifier"),
            ));
        }
        let expression = str_at(variable, &["expression"]);
        let mut ty = Ty::Dyn;
        if expression.trim().is_empty() {
            errors.push((
                format!("{path}.expression"),
                required("expression is not specified"),
            ));
        } else {
            let decls = Decls {
                params: has_params,
                authorizer: true,
                variables: Some(&variables),
            };
            let compiled = compile(&mut probe, expression, &decls, Expect::Any);
            match compiled.program {
                Ok(_) => ty = compiled.ty,
                Err(detail) => {
                    errors.push((format!("{path}.expression"), invalid(expression, &detail)))
                }
            }
        }
        variables.push((name.to_string(), ty));
    }
    let composed: Option<&[(String, Ty)]> = variables_declared.then_some(variables.as_slice());

    let validations = array_at(spec, "validations");
    let audit_annotations = array_at(spec, "auditAnnotations");
    if validations.is_empty() && audit_annotations.is_empty() {
        let detail = "validations or auditAnnotations must contain at least one item";
        errors.push(("spec.validations".to_string(), required(detail)));
        errors.push(("spec.auditAnnotations".to_string(), required(detail)));
        return errors;
    }
    for (i, validation) in validations.iter().enumerate() {
        let path = format!("spec.validations[{i}]");
        let expression = str_at(validation, &["expression"]);
        if expression.trim().is_empty() {
            errors.push((
                format!("{path}.expression"),
                required("expression is not specified"),
            ));
        } else {
            let decls = Decls {
                params: has_params,
                authorizer: true,
                variables: composed,
            };
            if let Err(detail) = compile(&mut probe, expression, &decls, Expect::Bool).program {
                errors.push((format!("{path}.expression"), invalid(expression, &detail)));
            }
        }
        let message_expression = str_at(validation, &["messageExpression"]);
        if !message_expression.is_empty() && message_expression.trim().is_empty() {
            errors.push((
                format!("{path}.messageExpression"),
                invalid(message_expression, "must be non-empty if specified"),
            ));
        } else if !message_expression.trim().is_empty() {
            let decls = Decls {
                params: has_params,
                authorizer: false,
                variables: composed,
            };
            if let Err(detail) =
                compile(&mut probe, message_expression, &decls, Expect::String).program
            {
                errors.push((
                    format!("{path}.messageExpression"),
                    invalid(message_expression, &detail),
                ));
            }
        }
        let message = str_at(validation, &["message"]);
        let trimmed_message = message.trim();
        if !message.is_empty() && trimmed_message.is_empty() {
            errors.push((
                format!("{path}.message"),
                invalid(message, "message must be non-empty if specified"),
            ));
        } else if trimmed_message.contains(['\n', '\r']) {
            errors.push((
                format!("{path}.message"),
                invalid(message, "message must not contain line breaks"),
            ));
        }
        if let Some(reason) = validation.get("reason").and_then(Value::as_str)
            && !SUPPORTED_REASONS.contains(&reason)
        {
            errors.push((
                format!("{path}.reason"),
                not_supported(reason, SUPPORTED_REASONS),
            ));
        }
    }
    let mut keys: Vec<&str> = Vec::new();
    for (i, audit) in audit_annotations.iter().enumerate() {
        let path = format!("spec.auditAnnotations[{i}]");
        let key = str_at(audit, &["key"]);
        if policy_name.is_empty() {
            errors.push((
                format!("{path}.key"),
                invalid(key, "requires metadata.name be non-empty"),
            ));
        }
        let value_expression = str_at(audit, &["valueExpression"]);
        let trimmed = value_expression.trim();
        if trimmed.is_empty() {
            errors.push((
                format!("{path}.valueExpression"),
                required("valueExpression is not specified"),
            ));
        } else if trimmed.len() > MAX_AUDIT_VALUE_EXPRESSION_LENGTH {
            errors.push((
                format!("{path}.valueExpression"),
                required(&format!(
                    "must not exceed {MAX_AUDIT_VALUE_EXPRESSION_LENGTH} bytes in length"
                )),
            ));
        } else {
            let decls = Decls {
                params: has_params,
                authorizer: true,
                variables: composed,
            };
            if let Err(detail) = compile(&mut probe, trimmed, &decls, Expect::StringOrNull).program
            {
                errors.push((
                    format!("{path}.valueExpression"),
                    invalid(value_expression, &detail),
                ));
            }
        }
        if keys.contains(&key) {
            errors.push((format!("{path}.key"), duplicate(key)));
        }
        keys.push(key);
    }
    errors
}

// ---------------------------------------------------------------------------------------
// Constants and small helpers
// ---------------------------------------------------------------------------------------

const SUPPORTED_REASONS: &[&str] = &["Forbidden", "Invalid", "RequestEntityTooLarge"];
/// Longest `messageExpression` result used as a message (upstream's
/// `MaxEvaluatedMessageExpressionSizeBytes`).
const MAX_MESSAGE_EXPRESSION_RESULT: usize = 5 * 1024;
/// Longest published audit annotation value.
const MAX_AUDIT_VALUE_LENGTH: usize = 10 * 1024;
/// Longest `valueExpression` accepted at validation.
const MAX_AUDIT_VALUE_EXPRESSION_LENGTH: usize = 5 * 1024;
const VALIDATION_FAILURE_ANNOTATION: &str = "validation.policy.admission.k8s.io/validation_failure";
/// Marks a [`ExecutionError::FunctionError`] whose message is reported as is.
const VERBATIM_ERROR: &str = "\u{0}verbatim";

fn str_at<'v>(value: &'v Value, path: &[&str]) -> &'v str {
    let mut current = value;
    for key in path {
        match current.get(key) {
            Some(next) => current = next,
            None => return "",
        }
    }
    current.as_str().unwrap_or("")
}

fn array_at<'v>(value: &'v Value, key: &str) -> &'v [Value] {
    value
        .get(key)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

fn strings_at(value: &Value, key: &str) -> Vec<String> {
    array_at(value, key)
        .iter()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect()
}

/// Quotes `s` as Go's `%q` does.
fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if c.is_control() => {
                if (c as u32) <= 0xffff {
                    out.push_str(&format!("\\u{:04x}", c as u32))
                } else {
                    out.push_str(&format!("\\U{:08x}", c as u32))
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn required(detail: &str) -> String {
    if detail.is_empty() {
        "Required value".to_string()
    } else {
        format!("Required value: {detail}")
    }
}

fn invalid(value: &str, detail: &str) -> String {
    format!("Invalid value: {}: {detail}", go_quote(value))
}

fn duplicate(value: &str) -> String {
    format!("Duplicate value: {}", go_quote(value))
}

fn not_supported(value: &str, supported: &[&str]) -> String {
    let quoted: Vec<String> = supported.iter().map(|s| go_quote(s)).collect();
    format!(
        "Unsupported value: {}: supported values: {}",
        go_quote(value),
        quoted.join(", ")
    )
}

fn is_cel_identifier(name: &str) -> bool {
    const RESERVED: &[&str] = &[
        "true",
        "false",
        "null",
        "in",
        "as",
        "break",
        "const",
        "continue",
        "else",
        "for",
        "function",
        "if",
        "import",
        "let",
        "loop",
        "package",
        "namespace",
        "return",
        "var",
        "void",
        "while",
    ];
    let mut chars = name.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c == '_' || c.is_ascii_alphabetic());
    first_ok && chars.all(|c| c == '_' || c.is_ascii_alphanumeric()) && !RESERVED.contains(&name)
}

fn reason_to_code(reason: &str) -> u16 {
    match reason {
        "Forbidden" => 403,
        "Unauthorized" => 401,
        "RequestEntityTooLarge" => 413,
        _ => 422,
    }
}

/// The message of upstream's `admission.NewForbidden` for the request.
fn forbidden_message(req: &Request<'_>, inner: &str) -> String {
    let mut name = req.name.to_string();
    if name.is_empty() {
        name = "Unknown".to_string();
        if let Some(object) = req.object {
            let Some(metadata) = object.as_object().and_then(|o| o.get("metadata")) else {
                return format!("forbidden: {inner}");
            };
            let meta_name = metadata.get("name").and_then(Value::as_str).unwrap_or("");
            let generate_name = metadata
                .get("generateName")
                .and_then(Value::as_str)
                .unwrap_or("");
            if !meta_name.is_empty() {
                name = meta_name.to_string();
            } else if !generate_name.is_empty() {
                name = generate_name.to_string();
            }
        }
    }
    let group_resource = if req.group.is_empty() {
        req.resource.to_string()
    } else {
        format!("{}.{}", req.resource, req.group)
    };
    if group_resource.is_empty() {
        format!("forbidden: {inner}")
    } else {
        format!("{group_resource} {} is forbidden: {inner}", go_quote(&name))
    }
}

fn truncate_bytes(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while end > 0 && !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_string()
}

/// Joins errors as upstream's `utilerrors.NewAggregate(...).Error()` does.
fn aggregate(errors: &[String]) -> String {
    let mut seen: Vec<&str> = Vec::new();
    for e in errors {
        if !seen.contains(&e.as_str()) {
            seen.push(e);
        }
    }
    match seen.len() {
        0 => String::new(),
        1 => seen[0].to_string(),
        _ => format!("[{}]", seen.join(", ")),
    }
}

/// Resources no policy applies to: the admission configuration objects themselves and
/// the non-persisted review resources.
fn is_exempt(req: &Request<'_>) -> bool {
    const CONFIG_KINDS: &[&str] = &[
        "ValidatingWebhookConfiguration",
        "MutatingWebhookConfiguration",
        "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding",
        "MutatingAdmissionPolicy",
        "MutatingAdmissionPolicyBinding",
    ];
    const EXCLUDED: &[(&str, &str)] = &[
        ("authentication.k8s.io", "selfsubjectreviews"),
        ("authentication.k8s.io", "tokenreviews"),
        ("authorization.k8s.io", "localsubjectaccessreviews"),
        ("authorization.k8s.io", "selfsubjectaccessreviews"),
        ("authorization.k8s.io", "selfsubjectrulesreviews"),
        ("authorization.k8s.io", "subjectaccessreviews"),
    ];
    (req.group == "admissionregistration.k8s.io" && CONFIG_KINDS.contains(&req.kind))
        || EXCLUDED.contains(&(req.group, req.resource))
}

// ---------------------------------------------------------------------------------------
// Policies, bindings and matching
// ---------------------------------------------------------------------------------------

struct Compiled {
    expression: String,
    program: Result<Program, String>,
}

struct CompiledVariable {
    name: String,
    compiled: Compiled,
}

struct CompiledValidation {
    compiled: Compiled,
    message: String,
    message_expression: Option<Compiled>,
    reason: Option<String>,
}

struct CompiledAudit {
    key: String,
    compiled: Compiled,
}

struct Hook {
    name: String,
    failure_policy: String,
    constraints: Option<MatchSpec>,
    param_kind: Option<(String, String)>,
    match_conditions: Vec<Compiled>,
    variables: Vec<CompiledVariable>,
    validations: Vec<CompiledValidation>,
    audits: Vec<CompiledAudit>,
    bindings: Vec<BindingSpec>,
}

struct BindingSpec {
    name: String,
    actions: Vec<String>,
    match_resources: Option<MatchSpec>,
    has_param_ref: bool,
}

impl BindingSpec {
    fn parse(binding: &Value) -> BindingSpec {
        let spec = binding.get("spec").unwrap_or(&Value::Null);
        BindingSpec {
            name: str_at(binding, &["metadata", "name"]).to_string(),
            actions: strings_at(spec, "validationActions"),
            match_resources: spec
                .get("matchResources")
                .filter(|m| !m.is_null())
                .map(MatchSpec::parse),
            has_param_ref: spec.get("paramRef").is_some_and(|p| !p.is_null()),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Action {
    Admit,
    Deny,
}

struct PolicyDecision {
    action: Action,
    message: String,
    /// The status reason; `None` for evaluation errors (reported as `Invalid`).
    reason: Option<String>,
}

enum AuditResult {
    Publish(String, String),
    Error(String),
    Exclude,
}

struct Denial {
    policy: String,
    binding: Option<String>,
    message: String,
    reason: Option<String>,
}

impl Hook {
    fn compile(
        policy: &Value,
        name: String,
        bindings: Vec<BindingSpec>,
        probe: &mut FunctionProbe,
    ) -> Hook {
        let spec = policy.get("spec").unwrap_or(&Value::Null);
        let param_kind = spec.get("paramKind").filter(|p| !p.is_null()).map(|p| {
            (
                str_at(p, &["apiVersion"]).to_string(),
                str_at(p, &["kind"]).to_string(),
            )
        });
        let has_params = param_kind.is_some();
        let failure_policy = spec
            .get("failurePolicy")
            .and_then(Value::as_str)
            .unwrap_or("Fail")
            .to_string();

        // At runtime every expression is compiled with variable composition.
        let mut variables = Vec::new();
        let mut variable_types: Vec<(String, Ty)> = Vec::new();
        for variable in array_at(spec, "variables") {
            let var_name = str_at(variable, &["name"]).to_string();
            let expression = str_at(variable, &["expression"]);
            let decls = Decls {
                params: has_params,
                authorizer: true,
                variables: Some(&variable_types),
            };
            let result = compile(probe, expression, &decls, Expect::Any);
            let ty = if result.program.is_ok() {
                result.ty
            } else {
                Ty::Dyn
            };
            variables.push(CompiledVariable {
                name: var_name.clone(),
                compiled: Compiled {
                    expression: expression.to_string(),
                    program: result.program,
                },
            });
            variable_types.push((var_name, ty));
        }
        let with = |authorizer: bool| Decls {
            params: has_params,
            authorizer,
            variables: Some(&variable_types),
        };
        let mut compile_one = |expression: &str, authorizer: bool, expect: Expect| Compiled {
            expression: expression.to_string(),
            program: compile(probe, expression, &with(authorizer), expect).program,
        };

        let match_conditions = array_at(spec, "matchConditions")
            .iter()
            .map(|c| compile_one(str_at(c, &["expression"]), true, Expect::Bool))
            .collect();
        let validations = array_at(spec, "validations")
            .iter()
            .map(|v| {
                let message_expression = str_at(v, &["messageExpression"]);
                CompiledValidation {
                    compiled: compile_one(str_at(v, &["expression"]), true, Expect::Bool),
                    message: str_at(v, &["message"]).to_string(),
                    message_expression: (!message_expression.is_empty())
                        .then(|| compile_one(message_expression, false, Expect::String)),
                    reason: v.get("reason").and_then(Value::as_str).map(str::to_string),
                }
            })
            .collect();
        let audits = array_at(spec, "auditAnnotations")
            .iter()
            .map(|a| CompiledAudit {
                key: str_at(a, &["key"]).to_string(),
                compiled: compile_one(str_at(a, &["valueExpression"]), true, Expect::StringOrNull),
            })
            .collect();
        Hook {
            name,
            failure_policy,
            constraints: spec
                .get("matchConstraints")
                .filter(|m| !m.is_null())
                .map(MatchSpec::parse),
            param_kind,
            match_conditions,
            variables,
            validations,
            audits,
            bindings,
        }
    }

    fn ignores_failures(&self) -> bool {
        self.failure_policy == "Ignore"
    }

    fn action_for_error(&self) -> Action {
        if self.ignores_failures() {
            Action::Admit
        } else {
            Action::Deny
        }
    }

    /// Records a configuration error under the policy's `failurePolicy`.
    fn config_error(&self, denied: &mut Vec<Denial>, binding: Option<&BindingSpec>, err: &str) {
        let message = match self.failure_policy.as_str() {
            "Ignore" => return,
            "Fail" => match binding {
                Some(_) => format!("failed to configure binding: {err}"),
                None => format!("failed to configure policy: {err}"),
            },
            other => format!("unrecognized failure policy: '{other}'"),
        };
        denied.push(Denial {
            policy: self.name.clone(),
            binding: binding.map(|b| b.name.clone()),
            message,
            reason: None,
        });
    }

    /// Evaluates the policy for one binding, as upstream's validator does.
    fn validate(
        &self,
        env: &Arc<Env>,
        roots: &Roots<'_>,
    ) -> (Vec<PolicyDecision>, Vec<AuditResult>) {
        let state = LazyState::new(env, roots, &self.variables);
        let variables = LazyVariables {
            state: &state,
            limit: self.variables.len(),
        };
        let activation = Activation {
            roots,
            variables: Some(&variables),
        };

        if !self.match_conditions.is_empty() {
            let mut errors = Vec::new();
            for condition in &self.match_conditions {
                match evaluate(env, condition, &activation) {
                    Err(message) => errors.push(message),
                    Ok(CelValue::Bool(false)) => return (Vec::new(), Vec::new()),
                    Ok(_) => {}
                }
            }
            if !errors.is_empty() {
                if self.ignores_failures() {
                    return (Vec::new(), Vec::new());
                }
                return (
                    vec![PolicyDecision {
                        action: Action::Deny,
                        message: aggregate(&errors),
                        reason: None,
                    }],
                    Vec::new(),
                );
            }
        }

        let mut decisions = Vec::with_capacity(self.validations.len());
        for validation in &self.validations {
            let decision = match evaluate(env, &validation.compiled, &activation) {
                Err(message) => PolicyDecision {
                    action: self.action_for_error(),
                    message,
                    reason: None,
                },
                Ok(CelValue::Bool(true)) => PolicyDecision {
                    action: Action::Admit,
                    message: String::new(),
                    reason: None,
                },
                Ok(_) => PolicyDecision {
                    action: Action::Deny,
                    message: validation_message(env, validation, &activation),
                    reason: Some(
                        validation
                            .reason
                            .clone()
                            .unwrap_or_else(|| "Invalid".to_string()),
                    ),
                },
            };
            decisions.push(decision);
        }

        let mut audits = Vec::with_capacity(self.audits.len());
        for audit in &self.audits {
            let result = match evaluate(env, &audit.compiled, &activation) {
                Err(message) => {
                    if self.ignores_failures() {
                        AuditResult::Exclude
                    } else {
                        AuditResult::Error(message)
                    }
                }
                Ok(CelValue::String(value)) => {
                    let value = value.trim();
                    if value.is_empty() {
                        AuditResult::Exclude
                    } else {
                        AuditResult::Publish(audit.key.clone(), value.to_string())
                    }
                }
                Ok(CelValue::Null) => AuditResult::Exclude,
                Ok(other) => AuditResult::Error(format!(
                    "valueExpression '{}' resulted in unsupported return type: {}. \
                     Return type must be either string or null.",
                    audit.compiled.expression,
                    value_type_name(&other)
                )),
            };
            audits.push(result);
        }
        (decisions, audits)
    }
}

/// The message of a failed validation: the `messageExpression` result, else `message`,
/// else the expression.
fn validation_message(
    env: &Arc<Env>,
    validation: &CompiledValidation,
    activation: &Activation<'_>,
) -> String {
    let mut message = String::new();
    if let Some(message_expression) = &validation.message_expression
        && let Ok(CelValue::String(result)) = evaluate(env, message_expression, activation)
    {
        let trimmed = result.trim();
        if trimmed.len() <= MAX_MESSAGE_EXPRESSION_RESULT && !trimmed.contains('\n') {
            message = trimmed.to_string();
        }
    }
    if message.is_empty() {
        message = validation.message.trim().to_string();
    }
    if message.is_empty() {
        message = format!(
            "failed expression: {}",
            validation.compiled.expression.trim()
        );
    }
    message
}

fn publish_validation_failure(
    annotations: &mut Vec<(String, String)>,
    hook: &Hook,
    binding: &BindingSpec,
    index: usize,
    message: &str,
) {
    let actions = serde_json::to_string(&binding.actions).unwrap_or_else(|_| "[]".to_string());
    let quote = |s: &str| serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string());
    let value = format!(
        "[{{\"message\":{},\"policy\":{},\"binding\":{},\"expressionIndex\":{},\"validationActions\":{}}}]",
        quote(message),
        quote(&hook.name),
        quote(&binding.name),
        index,
        actions
    );
    // Go's encoding/json escapes these characters.
    let value = value
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029");
    // An annotation key is set once per request.
    if !annotations
        .iter()
        .any(|(k, _)| k == VALIDATION_FAILURE_ANNOTATION)
    {
        annotations.push((VALIDATION_FAILURE_ANNOTATION.to_string(), value));
    }
}

#[derive(Default)]
struct AuditAnnotationCollector {
    annotations: Vec<(String, Vec<String>)>,
}

impl AuditAnnotationCollector {
    fn add(&mut self, key: String, value: String) {
        match self.annotations.iter_mut().find(|(k, _)| *k == key) {
            Some((_, values)) => {
                if !values.contains(&value) {
                    values.push(value);
                }
            }
            None => self.annotations.push((key, vec![value])),
        }
    }

    fn publish(self, policy: &str, out: &mut Vec<(String, String)>) {
        for (key, values) in self.annotations {
            let key = format!("{policy}/{key}");
            if !out.iter().any(|(k, _)| *k == key) {
                out.push((key, values.join(", ")));
            }
        }
    }
}

/// `matchConstraints` of a policy, or `matchResources` of a binding.
struct MatchSpec {
    namespace_selector: Result<Selector, String>,
    object_selector: Result<Selector, String>,
    resource_rules: Vec<NamedRule>,
    exclude_resource_rules: Vec<NamedRule>,
}

struct NamedRule {
    api_groups: Vec<String>,
    api_versions: Vec<String>,
    resources: Vec<String>,
    operations: Vec<String>,
    scope: Option<String>,
    resource_names: Vec<String>,
}

impl NamedRule {
    fn parse(rule: &Value) -> NamedRule {
        NamedRule {
            api_groups: strings_at(rule, "apiGroups"),
            api_versions: strings_at(rule, "apiVersions"),
            resources: strings_at(rule, "resources"),
            operations: strings_at(rule, "operations"),
            scope: rule
                .get("scope")
                .and_then(Value::as_str)
                .map(str::to_string),
            resource_names: strings_at(rule, "resourceNames"),
        }
    }

    fn matches(&self, req: &Request<'_>) -> bool {
        let exact_or_wildcard =
            |items: &[String], requested: &str| items.iter().any(|i| i == "*" || i == requested);
        let is_namespace_resource =
            req.group.is_empty() && req.version == "v1" && req.resource == "namespaces";
        let scope = match self.scope.as_deref() {
            None | Some("*") => true,
            Some("Namespaced") => !is_namespace_resource && !req.namespace.is_empty(),
            Some("Cluster") => is_namespace_resource || req.namespace.is_empty(),
            Some(_) => false,
        };
        let operation = self
            .operations
            .iter()
            .any(|op| op == "*" || op == req.operation);
        let resource = self.resources.iter().any(|r| {
            let (res, sub) = r.split_once('/').unwrap_or((r.as_str(), ""));
            (res == "*" || res == req.resource) && (sub == "*" || sub == req.subresource)
        });
        scope
            && operation
            && exact_or_wildcard(&self.api_groups, req.group)
            && exact_or_wildcard(&self.api_versions, req.version)
            && resource
            && (self.resource_names.is_empty() || self.resource_names.iter().any(|n| n == req.name))
    }
}

impl MatchSpec {
    fn parse(spec: &Value) -> MatchSpec {
        let rules = |key: &str| array_at(spec, key).iter().map(NamedRule::parse).collect();
        MatchSpec {
            // A missing selector is defaulted to the empty one by the API.
            namespace_selector: Selector::parse(spec.get("namespaceSelector")),
            object_selector: Selector::parse(spec.get("objectSelector")),
            resource_rules: rules("resourceRules"),
            exclude_resource_rules: rules("excludeResourceRules"),
        }
    }

    /// Upstream's `Matcher.Matches`: selectors, excluded rules, then rules; selector
    /// errors are reported only for requests the rules select.
    fn matches(&self, req: &Request<'_>) -> Result<bool, String> {
        let (namespace_matches, namespace_err) = self.match_namespace(req);
        if !namespace_matches && namespace_err.is_none() {
            return Ok(false);
        }
        let (object_matches, object_err) = self.match_object(req);
        if !object_matches && object_err.is_none() {
            return Ok(false);
        }
        if self.exclude_resource_rules.iter().any(|r| r.matches(req)) {
            return Ok(false);
        }
        if !self.resource_rules.is_empty() && !self.resource_rules.iter().any(|r| r.matches(req)) {
            return Ok(false);
        }
        if let Some(err) = namespace_err.or(object_err) {
            return Err(err);
        }
        Ok(true)
    }

    fn match_namespace(&self, req: &Request<'_>) -> (bool, Option<String>) {
        if req.namespace.is_empty() && req.resource != "namespaces" {
            // Cluster-scoped resources are never exempted by a namespace selector.
            return (true, None);
        }
        let selector = match &self.namespace_selector {
            Ok(s) => s,
            Err(e) => return (false, Some(format!("Internal error occurred: {e}"))),
        };
        if selector.is_empty() {
            return (true, None);
        }
        let labels = if req.resource == "namespaces"
            && req.subresource.is_empty()
            && (req.operation == "CREATE" || req.operation == "UPDATE")
        {
            match req.object {
                Some(object) => labels_of(object),
                None => {
                    return (
                        false,
                        Some("Internal error occurred: object does not implement the Object interfaces".to_string()),
                    );
                }
            }
        } else {
            match req.namespace_object {
                Some(namespace) => labels_of(namespace),
                None => {
                    return (
                        false,
                        Some(format!("namespaces {} not found", go_quote(req.namespace))),
                    );
                }
            }
        };
        (selector.matches(&labels), None)
    }

    fn match_object(&self, req: &Request<'_>) -> (bool, Option<String>) {
        let selector = match &self.object_selector {
            Ok(s) => s,
            Err(e) => return (false, Some(format!("Internal error occurred: {e}"))),
        };
        if selector.is_empty() {
            return (true, None);
        }
        let matches =
            |object: Option<&Value>| object.is_some_and(|o| selector.matches(&labels_of(o)));
        (matches(req.object) || matches(req.old_object), None)
    }
}

fn labels_of(object: &Value) -> HashMap<&str, &str> {
    object
        .get("metadata")
        .and_then(|m| m.get("labels"))
        .and_then(Value::as_object)
        .map(|labels| {
            labels
                .iter()
                .filter_map(|(k, v)| v.as_str().map(|v| (k.as_str(), v)))
                .collect()
        })
        .unwrap_or_default()
}

enum Requirement {
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    DoesNotExist(String),
}

/// A parsed `metav1.LabelSelector`.
struct Selector {
    requirements: Vec<Requirement>,
}

impl Selector {
    fn parse(selector: Option<&Value>) -> Result<Selector, String> {
        let mut requirements = Vec::new();
        let Some(selector) = selector.filter(|s| !s.is_null()) else {
            return Ok(Selector { requirements });
        };
        if let Some(labels) = selector.get("matchLabels").and_then(Value::as_object) {
            let mut labels: Vec<(&String, &Value)> = labels.iter().collect();
            labels.sort_by(|a, b| a.0.cmp(b.0));
            for (key, value) in labels {
                let value = value.as_str().unwrap_or("").to_string();
                requirements.push(Requirement::In(key.clone(), vec![value]));
            }
        }
        for expression in array_at(selector, "matchExpressions") {
            let key = str_at(expression, &["key"]).to_string();
            let values = strings_at(expression, "values");
            let requirement =
                match str_at(expression, &["operator"]) {
                    op @ ("In" | "NotIn") => {
                        if values.is_empty() {
                            return Err("for 'in', 'notin' operators, values set can't be empty"
                                .to_string());
                        }
                        if op == "In" {
                            Requirement::In(key, values)
                        } else {
                            Requirement::NotIn(key, values)
                        }
                    }
                    op @ ("Exists" | "DoesNotExist") => {
                        if !values.is_empty() {
                            return Err("values set must be empty for exists and does not exist"
                                .to_string());
                        }
                        if op == "Exists" {
                            Requirement::Exists(key)
                        } else {
                            Requirement::DoesNotExist(key)
                        }
                    }
                    other => {
                        return Err(format!(
                            "{} is not a valid label selector operator",
                            go_quote(other)
                        ));
                    }
                };
            requirements.push(requirement);
        }
        Ok(Selector { requirements })
    }

    fn is_empty(&self) -> bool {
        self.requirements.is_empty()
    }

    fn matches(&self, labels: &HashMap<&str, &str>) -> bool {
        self.requirements.iter().all(|r| match r {
            Requirement::In(key, values) => labels
                .get(key.as_str())
                .is_some_and(|v| values.iter().any(|x| x == v)),
            Requirement::NotIn(key, values) => labels
                .get(key.as_str())
                .is_none_or(|v| !values.iter().any(|x| x == v)),
            Requirement::Exists(key) => labels.contains_key(key.as_str()),
            Requirement::DoesNotExist(key) => !labels.contains_key(key.as_str()),
        })
    }
}

// ---------------------------------------------------------------------------------------
// CEL variables at runtime
// ---------------------------------------------------------------------------------------

/// The `request` variable: upstream's `AdmissionRequest` as unstructured JSON, without
/// `uid`, `object`, `oldObject` and `options`.
fn admission_request_json(req: &Request<'_>) -> Value {
    let mut request = serde_json::Map::new();
    let gvk = serde_json::json!({"group": req.group, "version": req.version, "kind": req.kind});
    let gvr =
        serde_json::json!({"group": req.group, "version": req.version, "resource": req.resource});
    request.insert("kind".into(), gvk.clone());
    request.insert("resource".into(), gvr.clone());
    if !req.subresource.is_empty() {
        request.insert("subResource".into(), req.subresource.into());
    }
    request.insert("requestKind".into(), gvk);
    request.insert("requestResource".into(), gvr);
    if !req.subresource.is_empty() {
        request.insert("requestSubResource".into(), req.subresource.into());
    }
    if !req.name.is_empty() {
        request.insert("name".into(), req.name.into());
    }
    if !req.namespace.is_empty() {
        request.insert("namespace".into(), req.namespace.into());
    }
    request.insert("operation".into(), req.operation.into());
    let mut user = serde_json::Map::new();
    for key in ["username", "uid"] {
        if let Some(v) = req
            .user
            .get(key)
            .and_then(Value::as_str)
            .filter(|v| !v.is_empty())
        {
            user.insert(key.into(), v.into());
        }
    }
    for key in ["groups", "extra"] {
        if let Some(v) = req.user.get(key).filter(|v| match v {
            Value::Array(a) => !a.is_empty(),
            Value::Object(o) => !o.is_empty(),
            _ => false,
        }) {
            user.insert(key.into(), v.clone());
        }
    }
    request.insert("userInfo".into(), Value::Object(user));
    request.insert("dryRun".into(), req.dry_run.into());
    Value::Object(request)
}

/// The `namespaceObject` variable: the fields of the namespace upstream exposes, or
/// `None` (null) for cluster-scoped requests and requests on namespaces themselves.
fn namespace_object_json(req: &Request<'_>) -> Option<Value> {
    if req.kind == "Namespace" && req.group.is_empty() && req.version == "v1" {
        return None;
    }
    if req.namespace.is_empty() {
        return None;
    }
    let namespace = req.namespace_object?;
    let mut out = serde_json::Map::new();
    if let Some(metadata) = namespace.get("metadata").and_then(Value::as_object) {
        let mut meta = serde_json::Map::new();
        for key in [
            "name",
            "generateName",
            "namespace",
            "uid",
            "resourceVersion",
            "generation",
            "creationTimestamp",
            "deletionTimestamp",
            "deletionGracePeriodSeconds",
            "labels",
            "annotations",
            "finalizers",
        ] {
            if let Some(v) = metadata.get(key) {
                meta.insert(key.into(), v.clone());
            }
        }
        out.insert("metadata".into(), Value::Object(meta));
    }
    for key in ["spec", "status"] {
        if let Some(v) = namespace.get(key) {
            out.insert(key.into(), v.clone());
        }
    }
    Some(Value::Object(out))
}

/// Converts JSON to a CEL value borrowing its strings.
fn json_to_val(value: &Value) -> Box<dyn Val + '_> {
    match value {
        Value::Null => Box::new(CelNull),
        Value::Bool(b) => Box::new(CelBool::from(*b)),
        Value::Number(n) => match n.as_i64() {
            Some(i) => Box::new(CelInt::from(i)),
            None => Box::new(CelDouble::from(n.as_f64().unwrap_or(f64::NAN))),
        },
        Value::String(s) => Box::new(CelString::from(s.as_str())),
        Value::Array(items) => Box::new(CelList::from(
            items.iter().map(json_to_val).collect::<Vec<_>>(),
        )),
        Value::Object(map) => Box::new(CelMap::from(
            map.iter()
                .map(|(k, v)| (CelMapKey::from(k.as_str()), json_to_val(v)))
                .collect::<HashMap<_, _>>(),
        )),
    }
}

/// The variables every expression sees, built once per request.
struct Roots<'a> {
    object: Box<dyn Val + 'a>,
    old_object: Box<dyn Val + 'a>,
    request: Box<dyn Val + 'a>,
    namespace_object: Box<dyn Val + 'a>,
    params: Box<dyn Val + 'a>,
}

impl<'a> Roots<'a> {
    fn new(req: &Request<'a>, request: &'a Value, namespace: Option<&'a Value>) -> Roots<'a> {
        let or_null = |v: Option<&'a Value>| -> Box<dyn Val + 'a> {
            match v {
                Some(v) => json_to_val(v),
                None => Box::new(CelNull),
            }
        };
        Roots {
            object: or_null(req.object),
            old_object: or_null(req.old_object),
            request: json_to_val(request),
            namespace_object: or_null(namespace),
            params: Box::new(CelNull),
        }
    }
}

struct Activation<'r> {
    roots: &'r Roots<'r>,
    variables: Option<&'r LazyVariables<'r>>,
}

impl VariableResolver for Activation<'_> {
    fn resolve<'b>(&'b self, variable: &str) -> Option<CowVal<'b, 'b>> {
        let value: &'b (dyn Val + 'b) = match variable {
            "object" => self.roots.object.as_ref(),
            "oldObject" => self.roots.old_object.as_ref(),
            "request" => self.roots.request.as_ref(),
            "namespaceObject" => self.roots.namespace_object.as_ref(),
            "params" => self.roots.params.as_ref(),
            "variables" => self.variables?,
            _ => return None,
        };
        Some(CowVal::Borrowed(value))
    }
}

/// Variable values of one evaluation, computed when first referenced.
struct LazyState<'r> {
    env: &'r Arc<Env>,
    roots: &'r Roots<'r>,
    variables: &'r [CompiledVariable],
    values: Vec<OnceLock<Result<Box<dyn Val>, String>>>,
}

impl<'r> LazyState<'r> {
    fn new(env: &'r Arc<Env>, roots: &'r Roots<'r>, variables: &'r [CompiledVariable]) -> Self {
        LazyState {
            env,
            roots,
            variables,
            values: variables.iter().map(|_| OnceLock::new()).collect(),
        }
    }

    fn value(&self, index: usize) -> Option<&Result<Box<dyn Val>, String>> {
        let cell = self.values.get(index)?;
        let variable = self.variables.get(index)?;
        Some(cell.get_or_init(|| {
            let program = match &variable.compiled.program {
                Ok(p) => p,
                Err(detail) => {
                    return Err(format!(
                        "composited variable {} fails to compile: {detail}",
                        go_quote(&variable.name)
                    ));
                }
            };
            // Only the variables before this one are visible to it.
            let earlier = LazyVariables {
                state: self,
                limit: index,
            };
            let activation = Activation {
                roots: self.roots,
                variables: Some(&earlier),
            };
            run(self.env, program, &activation)
                .and_then(Box::<dyn Val>::try_from)
                .map_err(|e| {
                    format!(
                        "composited variable {} fails to evaluate: {}",
                        go_quote(&variable.name),
                        error_text(&e)
                    )
                })
        }))
    }
}

/// The `variables` value: a map whose entries are evaluated lazily.
#[derive(Clone, Copy)]
struct LazyVariables<'r> {
    state: &'r LazyState<'r>,
    limit: usize,
}

impl fmt::Debug for LazyVariables<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("variables")
    }
}

static VARIABLES_TYPE: Type = Type::new_unspecified_type("kubernetes.variables");

impl Val for LazyVariables<'_> {
    fn get_type(&self) -> &Type {
        &VARIABLES_TYPE
    }

    fn cel_type() -> &'static Type {
        &VARIABLES_TYPE
    }

    fn as_indexer<'b, 'v>(&'b self) -> Option<&'b (dyn Indexer + 'v)>
    where
        Self: 'v,
    {
        Some(self)
    }

    fn clone_as_boxed<'v>(&self) -> Box<dyn Val + 'v>
    where
        Self: 'v,
    {
        Box::new(*self)
    }
}

impl<'r> Indexer for LazyVariables<'r> {
    fn get<'b, 'v>(&'b self, idx: &dyn Val) -> Result<CowVal<'b, 'v>, ExecutionError>
    where
        Self: 'v,
    {
        let Some(name) = idx
            .downcast_ref::<CelString>()
            .map(|s| s.inner().to_string())
        else {
            return Err(ExecutionError::UnexpectedType {
                got: idx.get_type().name().to_string(),
                want: "string".to_string(),
            });
        };
        let state: &'r LazyState<'r> = self.state;
        let index = state.variables[..self.limit.min(state.variables.len())]
            .iter()
            .position(|v| v.name == name)
            .ok_or_else(|| ExecutionError::no_such_key(&name))?;
        match state.value(index) {
            Some(Ok(value)) => Ok(CowVal::Borrowed(value.as_ref())),
            Some(Err(message)) => Err(ExecutionError::function_error(VERBATIM_ERROR, message)),
            None => Err(ExecutionError::no_such_key(&name)),
        }
    }

    fn steal<'v>(self: Box<Self>, idx: &dyn Val) -> Result<Box<dyn Val + 'v>, ExecutionError>
    where
        Self: 'v,
    {
        self.get(idx).map(CowVal::into_owned)
    }
}

fn run(
    env: &Arc<Env>,
    program: &Program,
    activation: &Activation<'_>,
) -> Result<CelValue, ExecutionError> {
    let mut context = Context::with_env(env.clone());
    context.set_variable_resolver(activation);
    program.execute(&context)
}

/// Evaluates a compiled expression, with upstream's error texts.
fn evaluate(
    env: &Arc<Env>,
    compiled: &Compiled,
    activation: &Activation<'_>,
) -> Result<CelValue, String> {
    match &compiled.program {
        Err(detail) => Err(format!("compilation error: {detail}")),
        Ok(program) => run(env, program, activation).map_err(|e| {
            format!(
                "expression '{}' resulted in error: {}",
                compiled.expression,
                error_text(&e)
            )
        }),
    }
}

/// The text of a runtime error, in cel-go's words where they differ.
fn error_text(err: &ExecutionError) -> String {
    match err {
        ExecutionError::NoSuchKey(key) => format!("no such key: {key}"),
        ExecutionError::DivisionByZero(_) => "division by zero".to_string(),
        ExecutionError::RemainderByZero(_) => "modulus by zero".to_string(),
        ExecutionError::Overflow(_, CelValue::UInt(_), _) => {
            "unsigned integer overflow".to_string()
        }
        ExecutionError::Overflow(..) => "integer overflow".to_string(),
        ExecutionError::UndeclaredReference(name) if name.as_str() == "authorizer" => {
            "no such attribute: authorizer (authorization checks are not supported by this server)"
                .to_string()
        }
        ExecutionError::UndeclaredReference(name) => format!("no such attribute: {name}"),
        ExecutionError::FunctionError { message, .. } => message.clone(),
        other => other.to_string(),
    }
}

fn value_type_name(value: &CelValue) -> String {
    match value {
        CelValue::List(_) => "list".into(),
        CelValue::Map(_) => "map".into(),
        CelValue::Int(_) => "int".into(),
        CelValue::UInt(_) => "uint".into(),
        CelValue::Float(_) => "double".into(),
        CelValue::String(_) => "string".into(),
        CelValue::Bytes(_) => "bytes".into(),
        CelValue::Bool(_) => "bool".into(),
        CelValue::Null => "null_type".into(),
        CelValue::Opaque(o) => o.runtime_type_name().to_string(),
        other => other.type_of().to_string(),
    }
}

// ---------------------------------------------------------------------------------------
// CEL environment and Kubernetes libraries
// ---------------------------------------------------------------------------------------

fn shared_env() -> Arc<Env> {
    static ENV: OnceLock<Arc<Env>> = OnceLock::new();
    ENV.get_or_init(|| Arc::new(build_env())).clone()
}

type Overload = cel::common::functions::Function;

fn build_env() -> Env {
    let mut env = Env::stdlib();
    // Registration of these fixed overloads cannot conflict; a failure would only leave
    // the function undeclared, which compilation reports.
    let _ = env.add_extension(cel::extensions::strings);
    let mut global = |name: &str, id: &str, args: Vec<Type>, op: Overload| {
        let _ = env.add_overload(name, id, args, op);
    };
    global(
        "quantity",
        "string_to_quantity",
        vec![STRING_TYPE],
        lib_quantity,
    );
    global(
        "isQuantity",
        "is_quantity_string",
        vec![STRING_TYPE],
        lib_is_quantity,
    );
    global(
        "sign",
        "quantity_sign",
        vec![quantity_type()],
        lib_quantity_sign,
    );
    let two_lists = || vec![LIST_TYPE, LIST_TYPE];
    global(
        "sets.contains",
        "list_sets_contains_list",
        two_lists(),
        lib_sets_contains,
    );
    global(
        "sets.equivalent",
        "list_sets_equivalent_list",
        two_lists(),
        lib_sets_equivalent,
    );
    global(
        "sets.intersects",
        "list_sets_intersects_list",
        two_lists(),
        lib_sets_intersects,
    );

    let mut member = |name: &str, id: &str, target: Type, args: Vec<Type>, op: Overload| {
        let _ = env.add_member_overload(name, id, target, args, op);
    };
    // Kubernetes list library.
    member(
        "isSorted",
        "list_is_sorted",
        LIST_TYPE,
        vec![],
        lib_is_sorted,
    );
    member("sum", "list_sum", LIST_TYPE, vec![], lib_sum);
    member("min", "list_min", LIST_TYPE, vec![], lib_min);
    member("max", "list_max", LIST_TYPE, vec![], lib_max);
    let (index_of, last_index_of) = (lib_list_index_of, lib_list_last_index_of);
    member(
        "indexOf",
        "list_a_index_of_int",
        LIST_TYPE,
        vec![DYN_TYPE],
        index_of,
    );
    member(
        "lastIndexOf",
        "list_a_last_index_of_int",
        LIST_TYPE,
        vec![DYN_TYPE],
        last_index_of,
    );
    // Kubernetes regex library.
    member(
        "find",
        "string_find_string",
        STRING_TYPE,
        vec![STRING_TYPE],
        lib_find,
    );
    member(
        "findAll",
        "string_find_all_string",
        STRING_TYPE,
        vec![STRING_TYPE],
        lib_find_all,
    );
    let string_int = vec![STRING_TYPE, INT_TYPE];
    member(
        "findAll",
        "string_find_all_string_int",
        STRING_TYPE,
        string_int,
        lib_find_all,
    );
    // Kubernetes quantity library.
    let q = quantity_type;
    member(
        "sign",
        "quantity_sign_member",
        q(),
        vec![],
        lib_quantity_sign,
    );
    member(
        "isInteger",
        "quantity_is_integer",
        q(),
        vec![],
        lib_quantity_is_integer,
    );
    member(
        "asInteger",
        "quantity_get_int",
        q(),
        vec![],
        lib_quantity_as_integer,
    );
    member(
        "asApproximateFloat",
        "quantity_get_float",
        q(),
        vec![],
        lib_quantity_as_float,
    );
    member(
        "compareTo",
        "quantity_compare_to",
        q(),
        vec![q()],
        lib_quantity_compare_to,
    );
    member(
        "isLessThan",
        "quantity_is_less_than",
        q(),
        vec![q()],
        lib_quantity_is_less_than,
    );
    let greater = lib_quantity_is_greater_than;
    member(
        "isGreaterThan",
        "quantity_is_greater_than",
        q(),
        vec![q()],
        greater,
    );
    member("add", "quantity_add", q(), vec![q()], lib_quantity_add);
    member(
        "add",
        "quantity_add_int",
        q(),
        vec![INT_TYPE],
        lib_quantity_add,
    );
    member("sub", "quantity_sub", q(), vec![q()], lib_quantity_sub);
    member(
        "sub",
        "quantity_sub_int",
        q(),
        vec![INT_TYPE],
        lib_quantity_sub,
    );
    env
}

fn overload_error(function: &str, args: &[CowVal<'_, '_>]) -> ExecutionError {
    ExecutionError::no_such_overload(
        function,
        args.iter()
            .map(|a| a.get_type().name().to_string())
            .collect(),
    )
}

fn list_arg<'x, 'v>(args: &'x [CowVal<'_, 'v>], i: usize) -> Option<&'x [Box<dyn Val + 'v>]> {
    args.get(i)?.downcast_ref::<CelList>().map(|l| l.inner())
}

fn str_arg<'x>(args: &'x [CowVal<'_, '_>], i: usize) -> Option<&'x str> {
    args.get(i)?.downcast_ref::<CelString>().map(|s| s.inner())
}

fn int_arg(args: &[CowVal<'_, '_>], i: usize) -> Option<i64> {
    args.get(i)?.downcast_ref::<CelInt>().map(|v| *v.inner())
}

fn owned<'b, 'v>(val: impl Val + 'v) -> Result<CowVal<'b, 'v>, ExecutionError> {
    Ok(CowVal::owned(val))
}

/// A scalar view of a CEL value, for the list library's comparisons and sums.
#[derive(Clone, Copy)]
enum Scalar<'x> {
    Int(i64),
    Uint(u64),
    Double(f64),
    Str(&'x str),
    Bool(bool),
    Bytes(&'x [u8]),
}

fn scalar<'x>(value: &'x (dyn Val + '_)) -> Option<Scalar<'x>> {
    if let Some(v) = value.downcast_ref::<CelInt>() {
        return Some(Scalar::Int(*v.inner()));
    }
    if let Some(v) = value.downcast_ref::<CelUInt>() {
        return Some(Scalar::Uint(*v.inner()));
    }
    if let Some(v) = value.downcast_ref::<CelDouble>() {
        return Some(Scalar::Double(*v.inner()));
    }
    if let Some(v) = value.downcast_ref::<CelString>() {
        return Some(Scalar::Str(v.inner()));
    }
    if let Some(v) = value.downcast_ref::<CelBool>() {
        return Some(Scalar::Bool(*v.inner()));
    }
    if let Some(v) = value.downcast_ref::<CelBytes>() {
        return Some(Scalar::Bytes(v.inner()));
    }
    None
}

fn compare_scalars(a: Scalar<'_>, b: Scalar<'_>) -> Option<std::cmp::Ordering> {
    use Scalar::*;
    match (a, b) {
        (Int(x), Int(y)) => Some(x.cmp(&y)),
        (Uint(x), Uint(y)) => Some(x.cmp(&y)),
        (Int(x), Uint(y)) => Some(i128::from(x).cmp(&i128::from(y))),
        (Uint(x), Int(y)) => Some(i128::from(x).cmp(&i128::from(y))),
        (Double(x), Double(y)) => x.partial_cmp(&y),
        (Double(x), Int(y)) => x.partial_cmp(&(y as f64)),
        (Int(x), Double(y)) => (x as f64).partial_cmp(&y),
        (Double(x), Uint(y)) => x.partial_cmp(&(y as f64)),
        (Uint(x), Double(y)) => (x as f64).partial_cmp(&y),
        (Str(x), Str(y)) => Some(x.cmp(y)),
        (Bool(x), Bool(y)) => Some(x.cmp(&y)),
        (Bytes(x), Bytes(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

fn lib_is_sorted<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let list = list_arg(&args, 0).ok_or_else(|| overload_error("isSorted", &args))?;
    let mut previous: Option<Scalar<'_>> = None;
    for item in list {
        let current = scalar(item.as_ref()).ok_or_else(|| overload_error("isSorted", &args))?;
        if let Some(previous) = previous {
            match compare_scalars(previous, current) {
                Some(std::cmp::Ordering::Greater) => return owned(CelBool::from(false)),
                Some(_) => {}
                None => return Err(overload_error("isSorted", &args)),
            }
        }
        previous = Some(current);
    }
    owned(CelBool::from(true))
}

fn lib_sum<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let list = list_arg(&args, 0).ok_or_else(|| overload_error("sum", &args))?;
    let mut total: Option<Scalar<'_>> = None;
    for item in list {
        let value = scalar(item.as_ref()).ok_or_else(|| overload_error("sum", &args))?;
        let overflow = || ExecutionError::function_error(VERBATIM_ERROR, "integer overflow");
        total = Some(match (total, value) {
            (None, v @ (Scalar::Int(_) | Scalar::Uint(_) | Scalar::Double(_))) => v,
            (Some(Scalar::Int(a)), Scalar::Int(b)) => {
                Scalar::Int(a.checked_add(b).ok_or_else(overflow)?)
            }
            (Some(Scalar::Uint(a)), Scalar::Uint(b)) => {
                Scalar::Uint(a.checked_add(b).ok_or_else(|| {
                    ExecutionError::function_error(VERBATIM_ERROR, "unsigned integer overflow")
                })?)
            }
            (Some(Scalar::Double(a)), Scalar::Double(b)) => Scalar::Double(a + b),
            _ => return Err(overload_error("sum", &args)),
        });
    }
    match total {
        None | Some(Scalar::Int(_)) => owned(CelInt::from(match total {
            Some(Scalar::Int(v)) => v,
            _ => 0,
        })),
        Some(Scalar::Uint(v)) => owned(CelUInt::from(v)),
        Some(Scalar::Double(v)) => owned(CelDouble::from(v)),
        Some(_) => Err(overload_error("sum", &args)),
    }
}

fn min_or_max<'b, 'v>(
    args: Vec<CowVal<'b, 'v>>,
    name: &str,
    prefer: std::cmp::Ordering,
) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let list = list_arg(&args, 0).ok_or_else(|| overload_error(name, &args))?;
    let mut best: Option<usize> = None;
    for (i, item) in list.iter().enumerate() {
        let current = scalar(item.as_ref()).ok_or_else(|| overload_error(name, &args))?;
        match best {
            None => best = Some(i),
            Some(b) => {
                let best_value =
                    scalar(list[b].as_ref()).ok_or_else(|| overload_error(name, &args))?;
                match compare_scalars(best_value, current) {
                    Some(o) if o == prefer => best = Some(i),
                    Some(_) => {}
                    None => return Err(overload_error(name, &args)),
                }
            }
        }
    }
    match best {
        Some(i) => Ok(CowVal::Owned(list[i].clone())),
        None => Err(ExecutionError::function_error(
            VERBATIM_ERROR,
            format!("{name} called on empty list"),
        )),
    }
}

fn lib_min<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    min_or_max(args, "min", std::cmp::Ordering::Greater)
}

fn lib_max<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    min_or_max(args, "max", std::cmp::Ordering::Less)
}

fn list_position<'b, 'v>(
    args: Vec<CowVal<'b, 'v>>,
    name: &str,
    last: bool,
) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let list = list_arg(&args, 0).ok_or_else(|| overload_error(name, &args))?;
    let needle = args.get(1).ok_or_else(|| overload_error(name, &args))?;
    let found = if last {
        list.iter().rposition(|item| item.equals(needle.as_ref()))
    } else {
        list.iter().position(|item| item.equals(needle.as_ref()))
    };
    owned(CelInt::from(found.map(|i| i as i64).unwrap_or(-1)))
}

fn lib_list_index_of<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    list_position(args, "indexOf", false)
}

fn lib_list_last_index_of<'b, 'v>(
    args: Vec<CowVal<'b, 'v>>,
) -> Result<CowVal<'b, 'v>, ExecutionError> {
    list_position(args, "lastIndexOf", true)
}

fn compiled_regex(pattern: &str) -> Result<regex::Regex, ExecutionError> {
    regex::Regex::new(pattern).map_err(|e| {
        ExecutionError::function_error(VERBATIM_ERROR, format!("error parsing regexp: {e}"))
    })
}

fn lib_find<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let (Some(s), Some(pattern)) = (str_arg(&args, 0), str_arg(&args, 1)) else {
        return Err(overload_error("find", &args));
    };
    let found = compiled_regex(pattern)?
        .find(s)
        .map(|m| m.as_str().to_string())
        .unwrap_or_default();
    owned(CelString::from(found))
}

fn lib_find_all<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let (Some(s), Some(pattern)) = (str_arg(&args, 0), str_arg(&args, 1)) else {
        return Err(overload_error("findAll", &args));
    };
    let limit = match args.len() {
        3 => int_arg(&args, 2).ok_or_else(|| overload_error("findAll", &args))?,
        _ => -1,
    };
    let regex = compiled_regex(pattern)?;
    let matches: Vec<Box<dyn Val + 'v>> = regex
        .find_iter(s)
        .take(if limit < 0 {
            usize::MAX
        } else {
            limit as usize
        })
        .map(|m| Box::new(CelString::from(m.as_str().to_string())) as Box<dyn Val + 'v>)
        .collect();
    owned(CelList::from(matches))
}

fn sets_contains(a: &[Box<dyn Val + '_>], b: &[Box<dyn Val + '_>]) -> bool {
    b.iter().all(|x| a.iter().any(|y| y.equals(x.as_ref())))
}

fn lib_sets_contains<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let (Some(a), Some(b)) = (list_arg(&args, 0), list_arg(&args, 1)) else {
        return Err(overload_error("sets.contains", &args));
    };
    owned(CelBool::from(sets_contains(a, b)))
}

fn lib_sets_equivalent<'b, 'v>(
    args: Vec<CowVal<'b, 'v>>,
) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let (Some(a), Some(b)) = (list_arg(&args, 0), list_arg(&args, 1)) else {
        return Err(overload_error("sets.equivalent", &args));
    };
    owned(CelBool::from(sets_contains(a, b) && sets_contains(b, a)))
}

fn lib_sets_intersects<'b, 'v>(
    args: Vec<CowVal<'b, 'v>>,
) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let (Some(a), Some(b)) = (list_arg(&args, 0), list_arg(&args, 1)) else {
        return Err(overload_error("sets.intersects", &args));
    };
    let intersects = a.iter().any(|x| b.iter().any(|y| x.equals(y.as_ref())));
    owned(CelBool::from(intersects))
}

// ---------------------------------------------------------------------------------------
// Quantity library
// ---------------------------------------------------------------------------------------

const QUANTITY_TYPE_NAME: &str = "kubernetes.Quantity";

fn quantity_type() -> Type {
    Type::new_opaque_type(QUANTITY_TYPE_NAME)
}

/// A `resource.Quantity` value, `mantissa * 10^exponent`, kept normalized (no trailing
/// zeros in the mantissa) so that equal quantities compare equal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Quantity {
    mantissa: i128,
    exponent: i32,
}

impl Opaque for Quantity {
    fn runtime_type_name(&self) -> &str {
        QUANTITY_TYPE_NAME
    }
}

const QUANTITY_FORMAT_ERROR: &str =
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

impl Quantity {
    fn new(mantissa: i128, exponent: i32) -> Quantity {
        let (mut mantissa, mut exponent) = (mantissa, exponent);
        if mantissa == 0 {
            return Quantity {
                mantissa: 0,
                exponent: 0,
            };
        }
        while mantissa % 10 == 0 {
            mantissa /= 10;
            exponent += 1;
        }
        Quantity { mantissa, exponent }
    }

    /// Parses a quantity as upstream's `resource.ParseQuantity`.
    fn parse(s: &str) -> Result<Quantity, &'static str> {
        const NUMERIC_ERROR: &str = "unable to parse numeric part of quantity";
        const SUFFIX_ERROR: &str = "unable to parse quantity's suffix";
        if s.is_empty() {
            return Err(QUANTITY_FORMAT_ERROR);
        }
        let bytes = s.as_bytes();
        let mut pos = 0;
        let negative = match bytes[0] {
            b'-' => {
                pos = 1;
                true
            }
            b'+' => {
                pos = 1;
                false
            }
            _ => false,
        };
        let number_start = pos;
        let mut seen_dot = false;
        while pos < bytes.len()
            && (bytes[pos].is_ascii_digit() || (bytes[pos] == b'.' && !seen_dot))
        {
            seen_dot |= bytes[pos] == b'.';
            pos += 1;
        }
        let number = &s[number_start..pos];
        if !number.bytes().any(|b| b.is_ascii_digit()) {
            return Err(QUANTITY_FORMAT_ERROR);
        }
        let suffix = &s[pos..];
        // The suffix: letters, an optional sign, then digits.
        let mut i = 0;
        let sb = suffix.as_bytes();
        while i < sb.len() && b"eEinumkKMGTP".contains(&sb[i]) {
            i += 1;
        }
        if i < sb.len() && (sb[i] == b'-' || sb[i] == b'+') {
            i += 1;
        }
        while i < sb.len() && sb[i].is_ascii_digit() {
            i += 1;
        }
        if i != sb.len() {
            return Err(QUANTITY_FORMAT_ERROR);
        }

        let (int_part, frac_part) = number.split_once('.').unwrap_or((number, ""));
        let mut mantissa: i128 = 0;
        for b in int_part.bytes().chain(frac_part.bytes()) {
            mantissa = mantissa
                .checked_mul(10)
                .and_then(|m| m.checked_add(i128::from(b - b'0')))
                .ok_or(NUMERIC_ERROR)?;
        }
        let mut exponent = -(frac_part.len() as i32);
        let (binary, decimal): (u32, i32) = match suffix {
            "" => (0, 0),
            "Ki" => (10, 0),
            "Mi" => (20, 0),
            "Gi" => (30, 0),
            "Ti" => (40, 0),
            "Pi" => (50, 0),
            "Ei" => (60, 0),
            "n" => (0, -9),
            "u" => (0, -6),
            "m" => (0, -3),
            "k" => (0, 3),
            "M" => (0, 6),
            "G" => (0, 9),
            "T" => (0, 12),
            "P" => (0, 15),
            "E" => (0, 18),
            other if other.len() > 1 && (other.starts_with('e') || other.starts_with('E')) => {
                let e: i32 = other[1..].parse().map_err(|_| SUFFIX_ERROR)?;
                (0, e)
            }
            _ => return Err(SUFFIX_ERROR),
        };
        if binary > 0 {
            mantissa = mantissa.checked_mul(1i128 << binary).ok_or(NUMERIC_ERROR)?;
        }
        exponent = exponent.checked_add(decimal).ok_or(NUMERIC_ERROR)?;
        if negative {
            mantissa = -mantissa;
        }
        Ok(Quantity::new(mantissa, exponent))
    }

    fn sign(&self) -> i64 {
        self.mantissa.signum() as i64
    }

    fn digits(&self) -> String {
        self.mantissa.unsigned_abs().to_string()
    }

    fn cmp(&self, other: &Quantity) -> std::cmp::Ordering {
        use std::cmp::Ordering;
        let (sa, sb) = (self.sign(), other.sign());
        if sa != sb {
            return sa.cmp(&sb);
        }
        if sa == 0 {
            return Ordering::Equal;
        }
        let (da, db) = (self.digits(), other.digits());
        let order_a = da.len() as i64 + i64::from(self.exponent);
        let order_b = db.len() as i64 + i64::from(other.exponent);
        let magnitude = if order_a != order_b {
            order_a.cmp(&order_b)
        } else {
            let width = da.len().max(db.len());
            format!("{da:0<width$}").cmp(&format!("{db:0<width$}"))
        };
        if sa < 0 {
            magnitude.reverse()
        } else {
            magnitude
        }
    }

    fn as_i64(&self) -> Option<i64> {
        if self.exponent < 0 {
            return None;
        }
        let scale = 10i128.checked_pow(u32::try_from(self.exponent).ok()?)?;
        i64::try_from(self.mantissa.checked_mul(scale)?).ok()
    }

    fn as_f64(&self) -> f64 {
        self.mantissa as f64 * 10f64.powi(self.exponent)
    }

    fn add(&self, other: &Quantity) -> Option<Quantity> {
        let exponent = self.exponent.min(other.exponent);
        let scale = |q: &Quantity| -> Option<i128> {
            let diff = u32::try_from(q.exponent - exponent).ok()?;
            q.mantissa.checked_mul(10i128.checked_pow(diff)?)
        };
        Some(Quantity::new(
            scale(self)?.checked_add(scale(other)?)?,
            exponent,
        ))
    }
}

fn quantity_arg(args: &[CowVal<'_, '_>], i: usize) -> Option<Quantity> {
    let value = CelValue::try_from(args.get(i)?.as_ref()).ok()?;
    match value {
        CelValue::Opaque(o) => o.downcast_ref::<Quantity>().copied(),
        _ => None,
    }
}

fn quantity_result<'b, 'v>(q: Quantity) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let boxed: Box<dyn Val> = CelValue::Opaque(Arc::new(q)).try_into()?;
    Ok(CowVal::Owned(boxed))
}

fn lib_quantity<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let s = str_arg(&args, 0).ok_or_else(|| overload_error("quantity", &args))?;
    let q = Quantity::parse(s).map_err(|e| ExecutionError::function_error(VERBATIM_ERROR, e))?;
    quantity_result(q)
}

fn lib_is_quantity<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let s = str_arg(&args, 0).ok_or_else(|| overload_error("isQuantity", &args))?;
    owned(CelBool::from(Quantity::parse(s).is_ok()))
}

fn lib_quantity_sign<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let q = quantity_arg(&args, 0).ok_or_else(|| overload_error("sign", &args))?;
    owned(CelInt::from(q.sign()))
}

fn lib_quantity_is_integer<'b, 'v>(
    args: Vec<CowVal<'b, 'v>>,
) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let q = quantity_arg(&args, 0).ok_or_else(|| overload_error("isInteger", &args))?;
    owned(CelBool::from(q.as_i64().is_some()))
}

fn lib_quantity_as_integer<'b, 'v>(
    args: Vec<CowVal<'b, 'v>>,
) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let q = quantity_arg(&args, 0).ok_or_else(|| overload_error("asInteger", &args))?;
    match q.as_i64() {
        Some(v) => owned(CelInt::from(v)),
        None => Err(ExecutionError::function_error(
            VERBATIM_ERROR,
            "cannot convert value to integer",
        )),
    }
}

fn lib_quantity_as_float<'b, 'v>(
    args: Vec<CowVal<'b, 'v>>,
) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let q = quantity_arg(&args, 0).ok_or_else(|| overload_error("asApproximateFloat", &args))?;
    owned(CelDouble::from(q.as_f64()))
}

fn quantity_pair(
    args: &[CowVal<'_, '_>],
    name: &str,
) -> Result<(Quantity, Quantity), ExecutionError> {
    match (quantity_arg(args, 0), quantity_arg(args, 1)) {
        (Some(a), Some(b)) => Ok((a, b)),
        _ => Err(overload_error(name, args)),
    }
}

fn lib_quantity_compare_to<'b, 'v>(
    args: Vec<CowVal<'b, 'v>>,
) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let (a, b) = quantity_pair(&args, "compareTo")?;
    owned(CelInt::from(a.cmp(&b) as i64))
}

fn lib_quantity_is_less_than<'b, 'v>(
    args: Vec<CowVal<'b, 'v>>,
) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let (a, b) = quantity_pair(&args, "isLessThan")?;
    owned(CelBool::from(a.cmp(&b).is_lt()))
}

fn lib_quantity_is_greater_than<'b, 'v>(
    args: Vec<CowVal<'b, 'v>>,
) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let (a, b) = quantity_pair(&args, "isGreaterThan")?;
    owned(CelBool::from(a.cmp(&b).is_gt()))
}

fn quantity_add_sub<'b, 'v>(
    args: Vec<CowVal<'b, 'v>>,
    name: &str,
    negate: bool,
) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let a = quantity_arg(&args, 0).ok_or_else(|| overload_error(name, &args))?;
    let b = match (quantity_arg(&args, 1), int_arg(&args, 1)) {
        (Some(q), _) => q,
        (None, Some(i)) => Quantity::new(i128::from(i), 0),
        _ => return Err(overload_error(name, &args)),
    };
    let b = if negate {
        Quantity::new(-b.mantissa, b.exponent)
    } else {
        b
    };
    let sum = a
        .add(&b)
        .ok_or_else(|| ExecutionError::function_error(VERBATIM_ERROR, "quantity overflow"))?;
    quantity_result(sum)
}

fn lib_quantity_add<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    quantity_add_sub(args, "add", false)
}

fn lib_quantity_sub<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    quantity_add_sub(args, "sub", true)
}

// ---------------------------------------------------------------------------------------
// Compilation and basic type checking
// ---------------------------------------------------------------------------------------

/// Which optional variables an expression may use.
struct Decls<'v> {
    params: bool,
    authorizer: bool,
    /// `None` when `variables` is undeclared (no composition).
    variables: Option<&'v [(String, Ty)]>,
}

/// The result types an expression must have.
#[derive(Clone, Copy)]
enum Expect {
    Bool,
    String,
    StringOrNull,
    Any,
}

struct CompileResult {
    program: Result<Program, String>,
    ty: Ty,
}

/// Answers whether a function is declared in the environment, by calling it without
/// arguments: an undeclared function is reported as an undeclared reference.
struct FunctionProbe {
    env: Arc<Env>,
    known: HashMap<(String, bool), bool>,
}

impl FunctionProbe {
    fn new(env: Arc<Env>) -> FunctionProbe {
        FunctionProbe {
            env,
            known: HashMap::new(),
        }
    }

    fn exists(&mut self, name: &str, member: bool) -> bool {
        if let Some(known) = self.known.get(&(name.to_string(), member)) {
            return *known;
        }
        let valid_name = name.split('.').all(|part| {
            !part.is_empty() && part.chars().all(|c| c == '_' || c.is_ascii_alphanumeric())
        });
        let exists = valid_name && {
            let source = if member {
                format!("null.{name}()")
            } else {
                format!("{name}()")
            };
            match self.env.compile(&source) {
                Ok(program) => !matches!(
                    program.execute(&Context::with_env(self.env.clone())),
                    Err(ExecutionError::UndeclaredReference(_))
                ),
                Err(_) => false,
            }
        };
        self.known.insert((name.to_string(), member), exists);
        exists
    }
}

/// Compiles and type-checks an expression: compile errors are upstream's `Detail` texts
/// (`compilation failed: ERROR: <input>:1:1: ...`, `must evaluate to bool but got dyn`).
fn compile(
    probe: &mut FunctionProbe,
    expression: &str,
    decls: &Decls<'_>,
    expect: Expect,
) -> CompileResult {
    let program = match probe.env.compile(expression) {
        Ok(p) => p,
        Err(errors) => {
            return CompileResult {
                program: Err(format!(
                    "compilation failed: {}",
                    errors.to_string().replace("\n| ", "\n | ")
                )),
                ty: Ty::Dyn,
            };
        }
    };
    let mut checker = Checker {
        source: expression,
        info: program.source_info(),
        decls,
        probe,
        scopes: Vec::new(),
        issues: Vec::new(),
    };
    let ty = checker.infer(program.expression());
    let mut issues = checker.issues;
    if !issues.is_empty() {
        issues.sort_by_key(|(offset, _)| *offset);
        issues.dedup();
        let text: Vec<String> = issues
            .iter()
            .map(|(offset, message)| format_issue(expression, *offset, message))
            .collect();
        return CompileResult {
            program: Err(format!("compilation failed: {}", text.join("\n"))),
            ty: Ty::Dyn,
        };
    }
    let expected: &[Ty] = match expect {
        Expect::Bool => &[Ty::Bool],
        Expect::String => &[Ty::String],
        Expect::StringOrNull => &[Ty::String, Ty::Null],
        Expect::Any => &[],
    };
    if !expected.is_empty() && !matches!(ty, Ty::Unknown | Ty::Error) && !expected.contains(&ty) {
        let message = if expected.len() == 1 {
            format!("must evaluate to {} but got {ty}", expected[0])
        } else {
            let names: Vec<String> = expected.iter().map(Ty::to_string).collect();
            format!("must evaluate to one of [{}] but got {ty}", names.join(" "))
        };
        return CompileResult {
            program: Err(message),
            ty,
        };
    }
    CompileResult {
        program: Ok(program),
        ty,
    }
}

/// Formats a checker issue as cel-go does, with the source line and a caret; columns
/// count characters.
fn format_issue(source: &str, byte_offset: usize, message: &str) -> String {
    let mut byte_offset = byte_offset.min(source.len());
    while !source.is_char_boundary(byte_offset) {
        byte_offset -= 1;
    }
    let before = &source[..byte_offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let column = source[line_start..byte_offset].chars().count() + 1;
    let line_text = source[line_start..].split('\n').next().unwrap_or("");
    format!(
        "ERROR: <input>:{line}:{column}: {message}\n | {line_text}\n | {}^",
        ".".repeat(column - 1)
    )
}

/// Static types, as far as the basic checker can tell.
#[derive(Debug, Clone, PartialEq)]
enum Ty {
    /// Not inferred: never reported.
    Unknown,
    /// The type of an expression with a reported issue: no further issue is reported
    /// for the expressions using it.
    Error,
    Dyn,
    Bool,
    Int,
    Uint,
    Double,
    String,
    Bytes,
    Null,
    Type,
    Timestamp,
    Quantity,
    Authorizer,
    Variables,
    List(Box<Ty>),
    Map(Box<Ty>, Box<Ty>),
    Object(Obj),
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ty::Unknown | Ty::Dyn => f.write_str("dyn"),
            Ty::Error => f.write_str("*error*"),
            Ty::Bool => f.write_str("bool"),
            Ty::Int => f.write_str("int"),
            Ty::Uint => f.write_str("uint"),
            Ty::Double => f.write_str("double"),
            Ty::String => f.write_str("string"),
            Ty::Bytes => f.write_str("bytes"),
            Ty::Null => f.write_str("null_type"),
            Ty::Type => f.write_str("type"),
            Ty::Timestamp => f.write_str("google.protobuf.Timestamp"),
            Ty::Quantity => f.write_str(QUANTITY_TYPE_NAME),
            Ty::Authorizer => f.write_str("kubernetes.authorization.Authorizer"),
            Ty::Variables => f.write_str("kubernetes.variables"),
            Ty::List(t) => write!(f, "list({t})"),
            Ty::Map(k, v) => write!(f, "map({k}, {v})"),
            Ty::Object(o) => f.write_str(o.name()),
        }
    }
}

/// The declared object types of `request` and `namespaceObject`.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Obj {
    AdmissionRequest,
    GroupVersionKind,
    GroupVersionResource,
    UserInfo,
    Namespace,
    NamespaceMetadata,
    NamespaceSpec,
    NamespaceStatus,
    NamespaceCondition,
}

impl Obj {
    fn name(self) -> &'static str {
        match self {
            Obj::AdmissionRequest => "kubernetes.AdmissionRequest",
            Obj::GroupVersionKind => "kubernetes.GroupVersionKind",
            Obj::GroupVersionResource => "kubernetes.GroupVersionResource",
            Obj::UserInfo => "kubernetes.UserInfo",
            Obj::Namespace => "kubernetes.Namespace",
            Obj::NamespaceMetadata => "kubernetes.NamespaceMetadata",
            Obj::NamespaceSpec => "kubernetes.NamespaceSpec",
            Obj::NamespaceStatus => "kubernetes.NamespaceStatus",
            Obj::NamespaceCondition => "kubernetes.NamespaceCondition",
        }
    }

    fn field(self, field: &str) -> Option<Ty> {
        let strings = || Ty::List(Box::new(Ty::String));
        let string_map = || Ty::Map(Box::new(Ty::String), Box::new(Ty::String));
        Some(match (self, field) {
            (Obj::AdmissionRequest, "kind" | "requestKind") => Ty::Object(Obj::GroupVersionKind),
            (Obj::AdmissionRequest, "resource" | "requestResource") => {
                Ty::Object(Obj::GroupVersionResource)
            }
            (
                Obj::AdmissionRequest,
                "subResource" | "requestSubResource" | "name" | "namespace" | "operation",
            ) => Ty::String,
            (Obj::AdmissionRequest, "userInfo") => Ty::Object(Obj::UserInfo),
            (Obj::AdmissionRequest, "dryRun") => Ty::Bool,
            (Obj::AdmissionRequest, "options") => Ty::Dyn,
            (Obj::GroupVersionKind, "group" | "version" | "kind") => Ty::String,
            (Obj::GroupVersionResource, "group" | "version" | "resource") => Ty::String,
            (Obj::UserInfo, "username" | "uid") => Ty::String,
            (Obj::UserInfo, "groups") => strings(),
            (Obj::UserInfo, "extra") => Ty::Map(Box::new(Ty::String), Box::new(strings())),
            (Obj::Namespace, "metadata") => Ty::Object(Obj::NamespaceMetadata),
            (Obj::Namespace, "spec") => Ty::Object(Obj::NamespaceSpec),
            (Obj::Namespace, "status") => Ty::Object(Obj::NamespaceStatus),
            (
                Obj::NamespaceMetadata,
                "name" | "generateName" | "namespace" | "UID" | "resourceVersion",
            ) => Ty::String,
            (Obj::NamespaceMetadata, "labels" | "annotations") => string_map(),
            (Obj::NamespaceMetadata, "creationTimestamp" | "deletionTimestamp") => Ty::Timestamp,
            (Obj::NamespaceMetadata, "deletionGracePeriodSeconds" | "generation") => Ty::Int,
            (Obj::NamespaceMetadata | Obj::NamespaceSpec, "finalizers") => strings(),
            (Obj::NamespaceStatus, "conditions") => {
                Ty::List(Box::new(Ty::Object(Obj::NamespaceCondition)))
            }
            (Obj::NamespaceStatus, "phase") => Ty::String,
            (Obj::NamespaceCondition, "status" | "type" | "message" | "reason") => Ty::String,
            (Obj::NamespaceCondition, "lastTransitionTime") => Ty::Timestamp,
            _ => return None,
        })
    }
}

fn is_numeric(t: &Ty) -> bool {
    matches!(t, Ty::Int | Ty::Uint | Ty::Double)
}

/// The common type of two branches (ternary, comprehension accumulator), if any.
fn join(a: &Ty, b: &Ty) -> Ty {
    match (a, b) {
        _ if a == b => a.clone(),
        (Ty::List(x), Ty::List(y)) if **x == Ty::Dyn => Ty::List(y.clone()),
        (Ty::List(x), Ty::List(y)) if **y == Ty::Dyn => Ty::List(x.clone()),
        (Ty::Map(kx, vx), Ty::Map(_, _)) if **kx == Ty::Dyn && **vx == Ty::Dyn => b.clone(),
        (Ty::Map(_, _), Ty::Map(ky, vy)) if **ky == Ty::Dyn && **vy == Ty::Dyn => a.clone(),
        _ => Ty::Unknown,
    }
}

struct Checker<'c> {
    source: &'c str,
    info: &'c SourceInfo,
    decls: &'c Decls<'c>,
    probe: &'c mut FunctionProbe,
    scopes: Vec<(String, Ty)>,
    issues: Vec<(usize, String)>,
}

impl Checker<'_> {
    fn offset(&self, e: &IdedExpr) -> usize {
        self.info
            .offset_for(e.id)
            .map(|(start, _)| start as usize)
            .unwrap_or(0)
            .min(self.source.len())
    }

    fn issue(&mut self, e: &IdedExpr, message: String) {
        let offset = self.offset(e);
        self.issues.push((offset, message));
    }

    fn ident(&mut self, e: &IdedExpr, name: &str) -> Ty {
        if let Some((_, t)) = self.scopes.iter().rev().find(|(n, _)| n == name) {
            return t.clone();
        }
        if name.starts_with('@') {
            return Ty::Unknown;
        }
        match name {
            "object" | "oldObject" => return Ty::Dyn,
            "request" => return Ty::Object(Obj::AdmissionRequest),
            "namespaceObject" => return Ty::Object(Obj::Namespace),
            "params" if self.decls.params => return Ty::Dyn,
            "authorizer" if self.decls.authorizer => return Ty::Authorizer,
            "variables" if self.decls.variables.is_some() => return Ty::Variables,
            "int" | "uint" | "double" | "bool" | "string" | "bytes" | "list" | "map"
            | "null_type" | "type" => return Ty::Type,
            _ => {}
        }
        self.issue(
            e,
            format!("undeclared reference to '{name}' (in container '')"),
        );
        Ty::Error
    }

    fn select(&mut self, e: &IdedExpr, operand: &IdedExpr, field: &str, test: bool) -> Ty {
        let operand_ty = self.infer(operand);
        if test {
            return Ty::Bool;
        }
        match operand_ty {
            Ty::Dyn => Ty::Dyn,
            Ty::Error => Ty::Error,
            Ty::Map(_, v) => *v,
            Ty::Authorizer => Ty::Authorizer,
            Ty::Object(o) => match o.field(field) {
                Some(t) => t,
                None => {
                    self.issue(e, format!("undefined field '{field}'"));
                    Ty::Error
                }
            },
            Ty::Variables => {
                let found = self
                    .decls
                    .variables
                    .and_then(|vars| vars.iter().find(|(n, _)| n == field))
                    .map(|(_, t)| t.clone());
                match found {
                    Some(t) => t,
                    None => {
                        self.issue(e, format!("undefined field '{field}'"));
                        Ty::Error
                    }
                }
            }
            _ => Ty::Unknown,
        }
    }

    fn infer(&mut self, e: &IdedExpr) -> Ty {
        match &e.expr {
            Expr::Literal(literal) => match literal {
                LiteralValue::Boolean(_) => Ty::Bool,
                LiteralValue::Bytes(_) => Ty::Bytes,
                LiteralValue::Double(_) => Ty::Double,
                LiteralValue::Int(_) => Ty::Int,
                LiteralValue::Null => Ty::Null,
                LiteralValue::String(_) => Ty::String,
                LiteralValue::UInt(_) => Ty::Uint,
            },
            Expr::Ident(name) => self.ident(e, name),
            Expr::Select(s) => self.select(e, &s.operand, &s.field, s.test),
            Expr::List(list) => {
                let types: Vec<Ty> = list.elements.iter().map(|x| self.infer(x)).collect();
                match types.split_first() {
                    None => Ty::List(Box::new(Ty::Dyn)),
                    Some((first, rest)) if rest.iter().all(|t| t == first) => {
                        Ty::List(Box::new(first.clone()))
                    }
                    Some(_) => Ty::Unknown,
                }
            }
            Expr::Map(map) => {
                let mut keys = Vec::new();
                let mut values = Vec::new();
                for entry in &map.entries {
                    match &entry.expr {
                        EntryExpr::MapEntry(m) => {
                            keys.push(self.infer(&m.key));
                            values.push(self.infer(&m.value));
                        }
                        EntryExpr::StructField(f) => {
                            self.infer(&f.value);
                        }
                    }
                }
                let uniform = |types: &[Ty]| match types.split_first() {
                    None => Some(Ty::Dyn),
                    Some((first, rest)) => rest.iter().all(|t| t == first).then(|| first.clone()),
                };
                match (uniform(&keys), uniform(&values)) {
                    (Some(k), Some(v)) => Ty::Map(Box::new(k), Box::new(v)),
                    _ => Ty::Unknown,
                }
            }
            Expr::Struct(s) => {
                for entry in &s.entries {
                    if let EntryExpr::StructField(f) = &entry.expr {
                        self.infer(&f.value);
                    }
                }
                Ty::Unknown
            }
            Expr::Comprehension(c) => {
                let range = self.infer(&c.iter_range);
                let (first, second) = match (&range, c.iter_var2.is_some()) {
                    (Ty::List(t), false) => ((**t).clone(), Ty::Unknown),
                    (Ty::List(t), true) => (Ty::Int, (**t).clone()),
                    (Ty::Map(k, v), _) => ((**k).clone(), (**v).clone()),
                    (Ty::Dyn, _) => (Ty::Dyn, Ty::Dyn),
                    _ => (Ty::Unknown, Ty::Unknown),
                };
                let init = self.infer(&c.accu_init);
                let depth = self.scopes.len();
                self.scopes.push((c.iter_var.clone(), first));
                if let Some(second_var) = &c.iter_var2 {
                    self.scopes.push((second_var.clone(), second));
                }
                self.scopes.push((c.accu_var.clone(), init.clone()));
                self.infer(&c.loop_cond);
                let step = self.infer(&c.loop_step);
                let accumulated = join(&init, &step);
                if let Some(last) = self.scopes.last_mut() {
                    last.1 = accumulated;
                }
                let result = self.infer(&c.result);
                self.scopes.truncate(depth);
                result
            }
            Expr::Call(call) => self.call(e, &call.func_name, call.target.as_deref(), &call.args),
            Expr::Unspecified => Ty::Unknown,
        }
    }

    fn call(
        &mut self,
        e: &IdedExpr,
        name: &str,
        target: Option<&IdedExpr>,
        args: &[IdedExpr],
    ) -> Ty {
        // `sets.contains(...)`, `strings.quote(...)`: a namespaced global function.
        if let Some(t) = target
            && let Some(qualified) = qualified_name(t)
            && !self
                .scopes
                .iter()
                .any(|(n, _)| qualified.split('.').next() == Some(n.as_str()))
            && !matches!(
                qualified.split('.').next(),
                Some(
                    "object"
                        | "oldObject"
                        | "request"
                        | "namespaceObject"
                        | "params"
                        | "variables"
                        | "authorizer"
                )
            )
        {
            let full = format!("{qualified}.{name}");
            if self.probe.exists(&full, false) {
                let types: Vec<Ty> = args.iter().map(|a| self.infer(a)).collect();
                return self.result_type(e, &full, None, &types);
            }
        }
        if target.is_some()
            && args.len() == 3
            && matches!(
                name,
                "all"
                    | "exists"
                    | "existsOne"
                    | "exists_one"
                    | "transformList"
                    | "transformMap"
                    | "transformMapEntry"
            )
            && matches!(args[0].expr, Expr::Ident(_))
            && matches!(args[1].expr, Expr::Ident(_))
        {
            self.issue(
                e,
                format!("two-variable comprehension '{name}' is not supported by this server"),
            );
            return Ty::Error;
        }
        let target_ty = target.map(|t| self.infer(t));
        let types: Vec<Ty> = args.iter().map(|a| self.infer(a)).collect();
        if target_ty == Some(Ty::Error) {
            return Ty::Error;
        }
        if target_ty == Some(Ty::Authorizer) {
            return match name {
                "allowed" | "errored" => Ty::Bool,
                "reason" | "error" => Ty::String,
                _ => Ty::Authorizer,
            };
        }
        let internal =
            name.starts_with('_') || name.starts_with('@') || name == "!_" || name == "-_";
        if !internal && !self.probe.exists(name, target.is_some()) {
            self.issue(
                e,
                format!("undeclared reference to '{name}' (in container '')"),
            );
            return Ty::Error;
        }
        self.result_type(e, name, target_ty, &types)
    }

    fn overload_issue(&mut self, e: &IdedExpr, name: &str, types: &[Ty]) {
        let names: Vec<String> = types.iter().map(Ty::to_string).collect();
        self.issue(
            e,
            format!(
                "found no matching overload for '{name}' applied to '({})'",
                names.join(", ")
            ),
        );
    }

    fn result_type(&mut self, e: &IdedExpr, name: &str, target: Option<Ty>, args: &[Ty]) -> Ty {
        if args.contains(&Ty::Error) {
            return Ty::Error;
        }
        let known = args.iter().all(|t| *t != Ty::Unknown);
        let scalar = |t: &Ty| {
            matches!(
                t,
                Ty::Bool | Ty::Int | Ty::Uint | Ty::Double | Ty::String | Ty::Bytes | Ty::Null
            )
        };
        match name {
            "_&&_" | "_||_" | "!_" => {
                if known && args.iter().any(|t| scalar(t) && *t != Ty::Bool) {
                    self.overload_issue(e, name, args);
                    return Ty::Error;
                }
                Ty::Bool
            }
            "@not_strictly_false" | "_==_" | "_!=_" | "@in" => Ty::Bool,
            "_<_" | "_<=_" | "_>_" | "_>=_" => {
                if let [a, b] = args
                    && scalar(a)
                    && scalar(b)
                {
                    let ok = (a == b && *a != Ty::Null) || (is_numeric(a) && is_numeric(b));
                    if !ok {
                        self.overload_issue(e, name, args);
                        return Ty::Error;
                    }
                }
                Ty::Bool
            }
            "_+_" | "_-_" | "_*_" | "_/_" | "_%_" => {
                let [a, b] = args else {
                    return Ty::Unknown;
                };
                if scalar(a) && scalar(b) {
                    let allowed = match name {
                        "_+_" => {
                            matches!(a, Ty::Int | Ty::Uint | Ty::Double | Ty::String | Ty::Bytes)
                        }
                        "_%_" => matches!(a, Ty::Int | Ty::Uint),
                        _ => is_numeric(a),
                    };
                    if a != b || !allowed {
                        self.overload_issue(e, name, args);
                        return Ty::Error;
                    }
                    return a.clone();
                }
                match (a, b) {
                    (Ty::List(_), Ty::List(_)) if name == "_+_" => join(a, b),
                    (Ty::Dyn, Ty::Dyn) => Ty::Dyn,
                    (Ty::Dyn, t) | (t, Ty::Dyn) if scalar(t) || matches!(t, Ty::List(_)) => {
                        t.clone()
                    }
                    _ => Ty::Unknown,
                }
            }
            "-_" => match args {
                [t @ (Ty::Int | Ty::Double | Ty::Dyn)] => t.clone(),
                [t] if scalar(t) => {
                    self.overload_issue(e, name, args);
                    Ty::Error
                }
                _ => Ty::Unknown,
            },
            "_?_:_" => match args {
                [_, a, b] if a == b => a.clone(),
                [_, a, b] => match join(a, b) {
                    Ty::Unknown => Ty::Unknown,
                    t => t,
                },
                _ => Ty::Unknown,
            },
            "_[_]" => match args {
                [Ty::List(t), _] => (**t).clone(),
                [Ty::Map(_, v), _] => (**v).clone(),
                [Ty::Dyn, _] => Ty::Dyn,
                _ => Ty::Unknown,
            },
            "size" | "int" | "indexOf" | "lastIndexOf" | "compareTo" | "sign" | "asInteger" => {
                Ty::Int
            }
            "uint" => Ty::Uint,
            "double" | "asApproximateFloat" => Ty::Double,
            "string" | "lowerAscii" | "upperAscii" | "trim" | "replace" | "substring"
            | "charAt" | "find" | "format" | "strings.quote" | "join" => Ty::String,
            "bytes" => Ty::Bytes,
            "bool" | "contains" | "startsWith" | "endsWith" | "matches" | "isSorted"
            | "isQuantity" | "isInteger" | "isLessThan" | "isGreaterThan" | "hasValue"
            | "sets.contains" | "sets.equivalent" | "sets.intersects" => Ty::Bool,
            "dyn" => Ty::Dyn,
            "type" => Ty::Type,
            "split" | "findAll" => Ty::List(Box::new(Ty::String)),
            "quantity" => Ty::Quantity,
            "add" | "sub" if target == Some(Ty::Quantity) => Ty::Quantity,
            "reverse" if target == Some(Ty::String) => Ty::String,
            "sum" | "min" | "max" => match target {
                Some(Ty::List(t)) => *t,
                Some(Ty::Dyn) => Ty::Dyn,
                _ => Ty::Unknown,
            },
            _ => Ty::Unknown,
        }
    }
}

/// `a.b.c` as a dotted name, when the expression is only identifiers and selections.
fn qualified_name(e: &IdedExpr) -> Option<String> {
    match &e.expr {
        Expr::Ident(name) => Some(name.clone()),
        Expr::Select(s) if !s.test => {
            qualified_name(&s.operand).map(|prefix| format!("{prefix}.{}", s.field))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const USER: &str =
        r#"{"username": "alice", "uid": "u1", "groups": ["devs", "system:authenticated"]}"#;

    fn user() -> Value {
        serde_json::from_str(USER).expect("user JSON")
    }

    fn deployment(name: &str, replicas: i64) -> Value {
        json!({
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": name, "namespace": "default", "labels": {"app": "web"}},
            "spec": {"replicas": replicas}
        })
    }

    fn namespace(labels: Value) -> Value {
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "default", "labels": labels}})
    }

    fn create<'a>(object: &'a Value, ns: Option<&'a Value>, user: &'a Value) -> Request<'a> {
        Request {
            operation: "CREATE",
            group: "apps",
            version: "v1",
            resource: "deployments",
            subresource: "",
            kind: "Deployment",
            namespace: "default",
            name: object["metadata"]["name"].as_str().unwrap_or(""),
            object: Some(object),
            old_object: None,
            namespace_object: ns,
            user,
            dry_run: false,
        }
    }

    /// The policy of the documentation's first example.
    fn replicas_policy(extra_spec: Value) -> Value {
        let mut policy = json!({
            "apiVersion": "admissionregistration.k8s.io/v1",
            "kind": "ValidatingAdmissionPolicy",
            "metadata": {"name": "demo-policy.example.com"},
            "spec": {
                "failurePolicy": "Fail",
                "matchConstraints": {
                    "resourceRules": [{
                        "apiGroups": ["apps"], "apiVersions": ["v1"],
                        "operations": ["CREATE", "UPDATE"], "resources": ["deployments"]
                    }]
                },
                "validations": [{"expression": "object.spec.replicas <= 5"}]
            }
        });
        if let (Some(spec), Some(extra)) = (policy["spec"].as_object_mut(), extra_spec.as_object())
        {
            for (k, v) in extra {
                spec.insert(k.clone(), v.clone());
            }
        }
        policy
    }

    fn binding(name: &str, actions: &[&str], match_resources: Option<Value>) -> Value {
        let mut spec =
            json!({"policyName": "demo-policy.example.com", "validationActions": actions});
        if let Some(m) = match_resources {
            spec["matchResources"] = m;
        }
        json!({
            "apiVersion": "admissionregistration.k8s.io/v1",
            "kind": "ValidatingAdmissionPolicyBinding",
            "metadata": {"name": name},
            "spec": spec
        })
    }

    fn test_env_binding(actions: &[&str]) -> Value {
        binding(
            "demo-binding-test.example.com",
            actions,
            Some(json!({"namespaceSelector": {"matchLabels": {"environment": "test"}}})),
        )
    }

    #[test]
    fn documentation_example_denies_too_many_replicas() {
        let policies = Policies::new(
            &[replicas_policy(json!({}))],
            &[test_env_binding(&["Deny"])],
        );
        assert!(!policies.is_empty());
        let (user, ns) = (user(), namespace(json!({"environment": "test"})));
        let too_many = deployment("nginx", 10);
        let decision = policies.evaluate(&create(&too_many, Some(&ns), &user));
        assert_eq!(
            decision.deny,
            Some((
                422,
                "Invalid".to_string(),
                "deployments.apps \"nginx\" is forbidden: ValidatingAdmissionPolicy \
                 'demo-policy.example.com' with binding 'demo-binding-test.example.com' \
                 denied request: failed expression: object.spec.replicas <= 5"
                    .to_string()
            ))
        );
        assert!(decision.warnings.is_empty());

        let fine = deployment("nginx", 3);
        assert_eq!(
            policies.evaluate(&create(&fine, Some(&ns), &user)),
            Decision::default()
        );

        // The binding selects namespaces labelled environment=test only.
        let prod = namespace(json!({"environment": "prod"}));
        assert_eq!(
            policies.evaluate(&create(&too_many, Some(&prod), &user)),
            Decision::default()
        );
    }

    #[test]
    fn policies_without_bindings_do_nothing() {
        let policies = Policies::new(&[replicas_policy(json!({}))], &[]);
        assert!(policies.is_empty());
        let (user, object) = (user(), deployment("nginx", 10));
        assert_eq!(
            policies.evaluate(&create(&object, None, &user)),
            Decision::default()
        );
    }

    #[test]
    fn warn_action_becomes_a_warning() {
        let policies = Policies::new(
            &[replicas_policy(json!({}))],
            &[binding("b", &["Warn"], None)],
        );
        let (user, ns, object) = (user(), namespace(json!({})), deployment("nginx", 10));
        let decision = policies.evaluate(&create(&object, Some(&ns), &user));
        assert_eq!(decision.deny, None);
        assert_eq!(
            decision.warnings,
            vec![
                "Validation failed for ValidatingAdmissionPolicy 'demo-policy.example.com' with \
                 binding 'b': failed expression: object.spec.replicas <= 5"
                    .to_string()
            ]
        );
    }

    #[test]
    fn audit_action_records_the_validation_failure() {
        let policies = Policies::new(
            &[replicas_policy(json!({}))],
            &[binding("b", &["Warn", "Audit"], None)],
        );
        let (user, ns, object) = (user(), namespace(json!({})), deployment("nginx", 10));
        let decision = policies.evaluate(&create(&object, Some(&ns), &user));
        assert_eq!(decision.warnings.len(), 1);
        assert_eq!(
            decision.audit_annotations,
            vec![(
                "validation.policy.admission.k8s.io/validation_failure".to_string(),
                "[{\"message\":\"failed expression: object.spec.replicas \\u003c= 5\",\
                 \"policy\":\"demo-policy.example.com\",\"binding\":\"b\",\
                 \"expressionIndex\":0,\"validationActions\":[\"Warn\",\"Audit\"]}]"
                    .to_string()
            )]
        );
    }

    #[test]
    fn message_expression_message_and_reason() {
        let policy = replicas_policy(json!({
            "validations": [
                {
                    "expression": "object.spec.replicas <= 5",
                    "messageExpression": "'object.spec.replicas must be no greater than ' + string(5)",
                    "reason": "Forbidden"
                }
            ]
        }));
        let policies = Policies::new(&[policy], &[binding("b", &["Deny"], None)]);
        let (user, ns, object) = (user(), namespace(json!({})), deployment("nginx", 10));
        let decision = policies.evaluate(&create(&object, Some(&ns), &user));
        assert_eq!(
            decision.deny,
            Some((
                403,
                "Forbidden".to_string(),
                "deployments.apps \"nginx\" is forbidden: ValidatingAdmissionPolicy \
                 'demo-policy.example.com' with binding 'b' denied request: \
                 object.spec.replicas must be no greater than 5"
                    .to_string()
            ))
        );

        // A failing or multi-line messageExpression falls back to the message.
        for message_expression in ["string(object.spec.nope)", "'two\\nlines'", "1 == 1"] {
            let policy = replicas_policy(json!({
                "validations": [{
                    "expression": "object.spec.replicas <= 5",
                    "message": "  too many replicas  ",
                    "messageExpression": message_expression
                }]
            }));
            let policies = Policies::new(&[policy], &[binding("b", &["Deny"], None)]);
            let decision = policies.evaluate(&create(&object, Some(&ns), &user));
            let (code, reason, message) = decision.deny.expect("denied");
            assert_eq!((code, reason.as_str()), (422, "Invalid"));
            assert!(
                message.ends_with("denied request: too many replicas"),
                "{message_expression}: {message}"
            );
        }
    }

    #[test]
    fn generate_name_and_cluster_scoped_forbidden_messages() {
        let policy = json!({
            "metadata": {"name": "p"},
            "spec": {
                "matchConstraints": {"resourceRules": [{
                    "apiGroups": ["*"], "apiVersions": ["*"], "operations": ["*"], "resources": ["*"]
                }]},
                "validations": [{"expression": "false", "message": "no"}]
            }
        });
        let b = json!({"metadata": {"name": "b"}, "spec": {"policyName": "p", "validationActions": ["Deny"]}});
        let policies = Policies::new(&[policy], &[b]);
        let user = user();
        let object = json!({"metadata": {"generateName": "web-"}});
        let mut req = create(&object, None, &user);
        req.name = "";
        let (_, _, message) = policies.evaluate(&req).deny.expect("denied");
        assert_eq!(
            message,
            "deployments.apps \"web-\" is forbidden: ValidatingAdmissionPolicy 'p' with binding 'b' denied request: no"
        );
        let node = json!({"metadata": {"name": "n1"}});
        let req = Request {
            group: "",
            resource: "nodes",
            kind: "Node",
            namespace: "",
            name: "n1",
            ..create(&node, None, &user)
        };
        let (_, _, message) = policies.evaluate(&req).deny.expect("denied");
        assert_eq!(
            message,
            "nodes \"n1\" is forbidden: ValidatingAdmissionPolicy 'p' with binding 'b' denied request: no"
        );
    }

    #[test]
    fn match_conditions_exclude_system_users_and_leases() {
        let policy = replicas_policy(json!({
            "matchConditions": [
                {"name": "exclude-leases",
                 "expression": "!(request.resource.group == 'coordination.k8s.io' && request.resource.resource == 'leases')"},
                {"name": "exclude-kubelet-requests", "expression": "!('system:nodes' in request.userInfo.groups)"},
                {"name": "exclude-system-users", "expression": "!request.userInfo.username.startsWith('system:')"}
            ]
        }));
        let policies = Policies::new(&[policy], &[binding("b", &["Deny"], None)]);
        let (ns, object) = (namespace(json!({})), deployment("nginx", 10));
        let alice = user();
        assert!(
            policies
                .evaluate(&create(&object, Some(&ns), &alice))
                .deny
                .is_some()
        );
        let controller = json!({"username": "system:serviceaccount:kube-system:deployment-controller",
                                "groups": ["system:serviceaccounts"]});
        assert_eq!(
            policies.evaluate(&create(&object, Some(&ns), &controller)),
            Decision::default()
        );
        let kubelet = json!({"username": "node-1", "groups": ["system:nodes"]});
        assert_eq!(
            policies.evaluate(&create(&object, Some(&ns), &kubelet)),
            Decision::default()
        );
    }

    #[test]
    fn match_condition_errors_follow_the_failure_policy() {
        let condition = json!([{"name": "c", "expression": "object.spec.nope == 1"}]);
        let fail = replicas_policy(json!({"matchConditions": condition}));
        let policies = Policies::new(&[fail], &[binding("b", &["Deny"], None)]);
        let (user, ns, object) = (user(), namespace(json!({})), deployment("nginx", 1));
        let (code, reason, message) = policies
            .evaluate(&create(&object, Some(&ns), &user))
            .deny
            .expect("denied");
        assert_eq!((code, reason.as_str()), (422, "Invalid"));
        assert!(message.ends_with(
            "denied request: expression 'object.spec.nope == 1' resulted in error: no such key: nope"
        ));

        let ignore =
            replicas_policy(json!({"matchConditions": condition, "failurePolicy": "Ignore"}));
        let policies = Policies::new(&[ignore], &[binding("b", &["Deny"], None)]);
        assert_eq!(
            policies.evaluate(&create(&object, Some(&ns), &user)),
            Decision::default()
        );

        // A false condition wins over errors.
        let mixed = replicas_policy(json!({"matchConditions": [
            {"name": "a", "expression": "object.spec.nope == 1"},
            {"name": "b", "expression": "false"}
        ]}));
        let policies = Policies::new(&[mixed], &[binding("b", &["Deny"], None)]);
        assert_eq!(
            policies.evaluate(&create(&object, Some(&ns), &user)),
            Decision::default()
        );
    }

    #[test]
    fn failure_policy_on_runtime_errors() {
        let validations = json!([{"expression": "object.spec.nope > 1"}]);
        let (user, ns, object) = (user(), namespace(json!({})), deployment("nginx", 1));

        let fail = replicas_policy(json!({"validations": validations}));
        let policies = Policies::new(&[fail], &[binding("b", &["Deny"], None)]);
        assert_eq!(
            policies.evaluate(&create(&object, Some(&ns), &user)).deny,
            Some((
                422,
                "Invalid".to_string(),
                "deployments.apps \"nginx\" is forbidden: ValidatingAdmissionPolicy \
                 'demo-policy.example.com' with binding 'b' denied request: expression \
                 'object.spec.nope > 1' resulted in error: no such key: nope"
                    .to_string()
            ))
        );

        let ignore =
            replicas_policy(json!({"validations": validations, "failurePolicy": "Ignore"}));
        let policies = Policies::new(&[ignore], &[binding("b", &["Deny"], None)]);
        assert_eq!(
            policies.evaluate(&create(&object, Some(&ns), &user)),
            Decision::default()
        );
    }

    #[test]
    fn compile_errors_are_evaluation_failures() {
        let policy =
            replicas_policy(json!({"validations": [{"expression": "object.spec.replicas <"}]}));
        let policies = Policies::new(&[policy], &[binding("b", &["Deny"], None)]);
        let (user, ns, object) = (user(), namespace(json!({})), deployment("nginx", 1));
        let (_, _, message) = policies
            .evaluate(&create(&object, Some(&ns), &user))
            .deny
            .expect("denied");
        assert!(
            message.contains(
                "denied request: compilation error: compilation failed: ERROR: <input>:1:23: Syntax error: "
            ),
            "{message}"
        );
        assert!(
            message.ends_with("\n | object.spec.replicas <\n | ......................^"),
            "{message}"
        );

        let policy = replicas_policy(json!({
            "failurePolicy": "Ignore",
            "validations": [{"expression": "params.maxReplicas > 1"}]
        }));
        let policies = Policies::new(&[policy], &[binding("b", &["Deny"], None)]);
        assert_eq!(
            policies.evaluate(&create(&object, Some(&ns), &user)),
            Decision::default()
        );
    }

    #[test]
    fn param_ref_is_a_configuration_error() {
        let policy = replicas_policy(json!({
            "paramKind": {"apiVersion": "rules.example.com/v1", "kind": "ReplicaLimit"},
            "validations": [{"expression": "params == null || object.spec.replicas <= params.maxReplicas"}]
        }));
        let mut with_ref = binding("replicalimit-binding", &["Deny"], None);
        with_ref["spec"]["paramRef"] = json!({"name": "limit", "parameterNotFoundAction": "Deny"});
        let policies = Policies::new(
            std::slice::from_ref(&policy),
            std::slice::from_ref(&with_ref),
        );
        let (user, ns, object) = (user(), namespace(json!({})), deployment("nginx", 1));
        let (code, _, message) = policies
            .evaluate(&create(&object, Some(&ns), &user))
            .deny
            .expect("denied");
        assert_eq!(code, 422);
        assert!(
            message.contains(
                "ValidatingAdmissionPolicy 'demo-policy.example.com' with binding \
                 'replicalimit-binding' denied request: failed to configure binding: paramRef \
                 is not supported"
            ),
            "{message}"
        );

        // Without paramRef, params is null.
        let policies = Policies::new(
            std::slice::from_ref(&policy),
            &[binding("b", &["Deny"], None)],
        );
        assert_eq!(
            policies.evaluate(&create(&object, Some(&ns), &user)),
            Decision::default()
        );

        // Ignore skips configuration errors.
        let mut ignore = policy;
        ignore["spec"]["failurePolicy"] = json!("Ignore");
        let policies = Policies::new(&[ignore], &[with_ref]);
        assert_eq!(
            policies.evaluate(&create(&object, Some(&ns), &user)),
            Decision::default()
        );
    }

    #[test]
    fn namespace_selector_and_cluster_scoped_resources() {
        let mut policy = replicas_policy(json!({}));
        policy["spec"]["matchConstraints"] = json!({
            "namespaceSelector": {"matchExpressions": [
                {"key": "environment", "operator": "NotIn", "values": ["test"]}
            ]},
            "resourceRules": [{"apiGroups": ["*"], "apiVersions": ["*"], "operations": ["CREATE"],
                               "resources": ["*"], "scope": "*"}]
        });
        policy["spec"]["validations"] = json!([{"expression": "false", "message": "denied"}]);
        let policies = Policies::new(&[policy], &[binding("b", &["Deny"], None)]);
        let (user, object) = (user(), deployment("nginx", 1));
        let test_ns = namespace(json!({"environment": "test"}));
        let prod_ns = namespace(json!({"environment": "prod"}));
        assert!(
            policies
                .evaluate(&create(&object, Some(&test_ns), &user))
                .deny
                .is_none()
        );
        assert!(
            policies
                .evaluate(&create(&object, Some(&prod_ns), &user))
                .deny
                .is_some()
        );
        // Cluster-scoped objects always match a namespace selector.
        let role = json!({"metadata": {"name": "admin"}});
        let req = Request {
            group: "rbac.authorization.k8s.io",
            resource: "clusterroles",
            kind: "ClusterRole",
            namespace: "",
            name: "admin",
            ..create(&role, None, &user)
        };
        assert!(policies.evaluate(&req).deny.is_some());
        // Creating a namespace matches against its own labels.
        let new_ns = namespace(json!({"environment": "test"}));
        let req = Request {
            group: "",
            resource: "namespaces",
            kind: "Namespace",
            namespace: "default",
            name: "default",
            ..create(&new_ns, None, &user)
        };
        assert!(policies.evaluate(&req).deny.is_none());
    }

    #[test]
    fn binding_match_errors_are_configuration_errors() {
        let b = binding(
            "b",
            &["Deny"],
            Some(json!({"namespaceSelector": {"matchLabels": {"environment": "test"}}})),
        );
        let policies = Policies::new(&[replicas_policy(json!({}))], &[b]);
        let (user, object) = (user(), deployment("nginx", 1));
        let (_, _, message) = policies
            .evaluate(&create(&object, None, &user))
            .deny
            .expect("denied");
        assert!(
            message.ends_with(
                "with binding 'b' denied request: failed to configure binding: namespaces \"default\" not found"
            ),
            "{message}"
        );

        let bad = binding(
            "b",
            &["Deny"],
            Some(
                json!({"objectSelector": {"matchExpressions": [{"key": "a", "operator": "Foo"}]}}),
            ),
        );
        let policies = Policies::new(&[replicas_policy(json!({}))], &[bad]);
        let ns = namespace(json!({}));
        let (_, _, message) = policies
            .evaluate(&create(&object, Some(&ns), &user))
            .deny
            .expect("denied");
        assert!(
            message.ends_with(
                "failed to configure binding: Internal error occurred: \"Foo\" is not a valid label selector operator"
            ),
            "{message}"
        );
    }

    #[test]
    fn rules_excludes_subresources_scope_and_names() {
        let rule = |resources: Value, scope: &str, names: Value| {
            NamedRule::parse(&json!({
                "apiGroups": [""], "apiVersions": ["v1"], "operations": ["*"],
                "resources": resources, "scope": scope, "resourceNames": names
            }))
        };
        let user = user();
        let pod = json!({"metadata": {"name": "p"}});
        let req = Request {
            group: "",
            resource: "pods",
            subresource: "status",
            kind: "Pod",
            name: "p",
            operation: "UPDATE",
            ..create(&pod, None, &user)
        };
        assert!(!rule(json!(["pods"]), "*", json!([])).matches(&req));
        assert!(!rule(json!(["*"]), "*", json!([])).matches(&req));
        assert!(rule(json!(["pods/*"]), "*", json!([])).matches(&req));
        assert!(rule(json!(["*/status"]), "Namespaced", json!([])).matches(&req));
        assert!(rule(json!(["*/*"]), "*", json!(["p"])).matches(&req));
        assert!(!rule(json!(["*/*"]), "*", json!(["q"])).matches(&req));
        assert!(!rule(json!(["*/*"]), "Cluster", json!([])).matches(&req));

        let mut policy = replicas_policy(json!({}));
        policy["spec"]["matchConstraints"]["excludeResourceRules"] = json!([{
            "apiGroups": ["apps"], "apiVersions": ["v1"], "operations": ["*"],
            "resources": ["deployments"], "resourceNames": ["nginx"]
        }]);
        let policies = Policies::new(&[policy], &[binding("b", &["Deny"], None)]);
        let ns = namespace(json!({}));
        let excluded = deployment("nginx", 10);
        assert!(
            policies
                .evaluate(&create(&excluded, Some(&ns), &user))
                .deny
                .is_none()
        );
        let other = deployment("other", 10);
        assert!(
            policies
                .evaluate(&create(&other, Some(&ns), &user))
                .deny
                .is_some()
        );
        // DELETE is not among the policy's operations.
        let mut delete = create(&other, Some(&ns), &user);
        delete.operation = "DELETE";
        delete.object = None;
        delete.old_object = Some(&other);
        assert!(policies.evaluate(&delete).deny.is_none());
    }

    #[test]
    fn object_selector_uses_object_or_old_object() {
        let b = binding(
            "b",
            &["Deny"],
            Some(json!({"objectSelector": {"matchLabels": {"app": "web"}}})),
        );
        let mut policy = replicas_policy(json!({}));
        policy["spec"]["matchConstraints"]["resourceRules"][0]["operations"] = json!(["*"]);
        policy["spec"]["validations"] =
            json!([{"expression": "oldObject == null || object == null"}]);
        let policies = Policies::new(&[policy], &[b]);
        let (user, ns) = (user(), namespace(json!({})));
        let old = deployment("nginx", 1);
        let mut new = deployment("nginx", 2);
        new["metadata"]["labels"] = json!({});
        let mut update = create(&new, Some(&ns), &user);
        update.operation = "UPDATE";
        update.old_object = Some(&old);
        assert!(policies.evaluate(&update).deny.is_some());
        let mut unlabelled_old = old.clone();
        unlabelled_old["metadata"]["labels"] = json!({});
        update.old_object = Some(&unlabelled_old);
        assert!(policies.evaluate(&update).deny.is_none());
    }

    #[test]
    fn variables_are_composed_lazily() {
        let policy = replicas_policy(json!({
            "variables": [
                {"name": "replicas", "expression": "object.spec.replicas"},
                {"name": "tooMany", "expression": "variables.replicas > 5"},
                {"name": "broken", "expression": "object.spec.nope"}
            ],
            "validations": [
                {"expression": "!variables.tooMany", "messageExpression": "'replicas: ' + string(variables.replicas)"},
                {"expression": "true || variables.broken"}
            ]
        }));
        let policies = Policies::new(&[policy], &[binding("b", &["Deny"], None)]);
        let (user, ns) = (user(), namespace(json!({})));
        let object = deployment("nginx", 7);
        let (_, _, message) = policies
            .evaluate(&create(&object, Some(&ns), &user))
            .deny
            .expect("denied");
        assert!(
            message.ends_with("denied request: replicas: 7"),
            "{message}"
        );
        let object = deployment("nginx", 2);
        assert_eq!(
            policies.evaluate(&create(&object, Some(&ns), &user)),
            Decision::default()
        );

        let policy = replicas_policy(json!({
            "variables": [{"name": "broken", "expression": "object.spec.nope"}],
            "validations": [{"expression": "variables.broken == 1"}]
        }));
        let policies = Policies::new(&[policy], &[binding("b", &["Deny"], None)]);
        let (_, _, message) = policies
            .evaluate(&create(&object, Some(&ns), &user))
            .deny
            .expect("denied");
        assert!(
            message.ends_with(
                "denied request: expression 'variables.broken == 1' resulted in error: composited \
                 variable \"broken\" fails to evaluate: no such key: nope"
            ),
            "{message}"
        );
    }

    #[test]
    fn audit_annotations_are_published_per_policy() {
        let policy = replicas_policy(json!({
            "validations": [{"expression": "object.spec.replicas > 50",
                             "messageExpression": "'Deployment spec.replicas set to ' + string(object.spec.replicas)"}],
            "auditAnnotations": [
                {"key": "high-replica-count",
                 "valueExpression": "object.spec.replicas > 50 ? 'Deployment spec.replicas set to ' + string(object.spec.replicas) : null"},
                {"key": "kind", "valueExpression": "'  ' + request.kind.kind + ' '"}
            ]
        }));
        let policies = Policies::new(
            &[policy],
            &[
                binding("b1", &["Audit"], None),
                binding("b2", &["Audit"], None),
            ],
        );
        let (user, ns, object) = (user(), namespace(json!({})), deployment("nginx", 100));
        let decision = policies.evaluate(&create(&object, Some(&ns), &user));
        assert_eq!(decision.deny, None);
        assert_eq!(
            decision.audit_annotations,
            vec![
                (
                    "demo-policy.example.com/high-replica-count".to_string(),
                    "Deployment spec.replicas set to 100".to_string()
                ),
                (
                    "demo-policy.example.com/kind".to_string(),
                    "Deployment".to_string()
                )
            ]
        );
        // A failed validation is audited once; a null value publishes nothing.
        let object = deployment("nginx", 10);
        let decision = policies.evaluate(&create(&object, Some(&ns), &user));
        assert_eq!(
            decision.audit_annotations,
            vec![
                (
                    "validation.policy.admission.k8s.io/validation_failure".to_string(),
                    "[{\"message\":\"Deployment spec.replicas set to 10\",\"policy\":\"demo-policy.example.com\",\
                     \"binding\":\"b1\",\"expressionIndex\":0,\"validationActions\":[\"Audit\"]}]"
                        .to_string()
                ),
                ("demo-policy.example.com/kind".to_string(), "Deployment".to_string())
            ]
        );
    }

    #[test]
    fn audit_annotation_type_errors_deny() {
        let policy = replicas_policy(json!({
            "validations": [],
            // The basic checker cannot type this (upstream's rejects it): it yields an int.
            "auditAnnotations": [{"key": "k", "valueExpression": "object.spec.replicas > 5 ? 'a' : 1"}]
        }));
        let policies = Policies::new(&[policy], &[binding("b", &["Audit"], None)]);
        let (user, ns, object) = (user(), namespace(json!({})), deployment("nginx", 3));
        let (_, _, message) = policies
            .evaluate(&create(&object, Some(&ns), &user))
            .deny
            .expect("denied");
        assert!(
            message.ends_with(
                "denied request: valueExpression 'object.spec.replicas > 5 ? 'a' : 1' resulted in \
                 unsupported return type: int. Return type must be either string or null."
            ),
            "{message}"
        );
    }

    #[test]
    fn request_and_namespace_object_variables() {
        let policy = replicas_policy(json!({
            "validations": [
                {"expression": "request.operation == 'CREATE' && request.kind.kind == 'Deployment' && request.resource.group == 'apps'"},
                {"expression": "request.userInfo.username == 'alice' && 'devs' in request.userInfo.groups"},
                {"expression": "request.namespace == 'default' && request.name == 'nginx' && !request.dryRun"},
                {"expression": "namespaceObject.metadata.labels['environment'] == 'test'"},
                {"expression": "!has(namespaceObject.metadata.managedFields)"},
                {"expression": "!has(request.subResource)"}
            ]
        }));
        let policies = Policies::new(&[policy], &[binding("b", &["Deny"], None)]);
        let mut ns = namespace(json!({"environment": "test"}));
        ns["metadata"]["managedFields"] = json!([{"manager": "kubectl"}]);
        let (user, object) = (user(), deployment("nginx", 3));
        assert_eq!(
            policies.evaluate(&create(&object, Some(&ns), &user)),
            Decision::default()
        );
    }

    #[test]
    fn kubernetes_libraries() {
        let cases = [
            "quantity('1Gi').isGreaterThan(quantity('1000M'))",
            "quantity('500m').compareTo(quantity('0.5')) == 0",
            "quantity('1.5').isInteger() == false && quantity('2k').asInteger() == 2000",
            "quantity('1Ki').add(quantity('24')).asInteger() == 1048",
            "quantity('1').sub(2).sign() == -1 && sign(quantity('3')) == 1",
            "quantity('1e3') == quantity('1k') && isQuantity('10Mi') && !isQuantity('10MiB')",
            "quantity('250m').asApproximateFloat() == 0.25",
            "[1, 2, 3].isSorted() && ![3, 1].isSorted()",
            "[1, 2, 3].sum() == 6 && [].sum() == 0 && [1.5, 2.5].sum() == 4.0",
            "[3, 1, 2].min() == 1 && ['b', 'c', 'a'].max() == 'c'",
            "[1, 2, 1].indexOf(1) == 0 && [1, 2, 1].lastIndexOf(1) == 2 && [1].indexOf(5) == -1",
            "'abc123def456'.find('[0-9]+') == '123' && 'abc123def456'.findAll('[0-9]+') == ['123', '456']",
            "'a1b2c3'.findAll('[0-9]', 2) == ['1', '2'] && 'abc'.find('[0-9]') == ''",
            "sets.contains([1, 2, 3], [2, 3]) && sets.equivalent([1, 2], [2, 1, 1]) && sets.intersects([1], [2, 1])",
            "'Hello'.lowerAscii() == 'hello' && 'a,b'.split(',') == ['a', 'b'] && ['a', 'b'].join('-') == 'a-b'",
            "'hello'.indexOf('l') == 2 && 'hello'.substring(1, 3) == 'el' && ' x '.trim() == 'x'",
            "object.metadata.name.matches('^ng') && object.metadata.name.startsWith('n') && object.metadata.name.endsWith('x')",
            "object.?spec.?paused.orValue(false) == false",
            "[1, 2].all(x, x > 0) && [1, 2].exists(x, x == 2) && [1, 2].exists_one(x, x == 1)",
            "[1, 2].map(x, x * 2) == [2, 4] && [1, 2, 3].filter(x, x > 1) == [2, 3]",
            "size(object.metadata.labels) == 1 && 'app' in object.metadata.labels",
        ];
        let (user, ns, object) = (user(), namespace(json!({})), deployment("nginx", 3));
        for expression in cases {
            let policy = replicas_policy(json!({"validations": [{"expression": expression}]}));
            assert_eq!(validate_policy(&policy), vec![], "{expression}");
            let policies = Policies::new(&[policy], &[binding("b", &["Deny"], None)]);
            assert_eq!(
                policies.evaluate(&create(&object, Some(&ns), &user)),
                Decision::default(),
                "{expression}"
            );
        }
    }

    #[test]
    fn library_runtime_errors() {
        let cases = [
            (
                "quantity('1.5').asInteger() == 1",
                "cannot convert value to integer",
            ),
            ("quantity('x') == quantity('1')", QUANTITY_FORMAT_ERROR),
            ("[].min() == 1", "min called on empty list"),
            ("1 / (object.spec.replicas - 3) == 1", "division by zero"),
        ];
        let (user, ns, object) = (user(), namespace(json!({})), deployment("nginx", 3));
        for (expression, error) in cases {
            let policy = replicas_policy(json!({"validations": [{"expression": expression}]}));
            let policies = Policies::new(&[policy], &[binding("b", &["Deny"], None)]);
            let (_, _, message) = policies
                .evaluate(&create(&object, Some(&ns), &user))
                .deny
                .expect("denied");
            assert!(
                message.ends_with(&format!(
                    "denied request: expression '{expression}' resulted in error: {error}"
                )),
                "{message}"
            );
        }
    }

    #[test]
    fn admission_configuration_resources_are_exempt() {
        let policy = json!({
            "metadata": {"name": "demo-policy.example.com"},
            "spec": {
                "matchConstraints": {"resourceRules": [{
                    "apiGroups": ["*"], "apiVersions": ["*"], "operations": ["*"], "resources": ["*"]
                }]},
                "validations": [{"expression": "false"}]
            }
        });
        let policies = Policies::new(&[policy], &[binding("b", &["Deny"], None)]);
        let user = user();
        let object = json!({"metadata": {"name": "x"}});
        for (group, resource, kind) in [
            (
                "admissionregistration.k8s.io",
                "validatingadmissionpolicies",
                "ValidatingAdmissionPolicy",
            ),
            (
                "authorization.k8s.io",
                "subjectaccessreviews",
                "SubjectAccessReview",
            ),
        ] {
            let req = Request {
                group,
                resource,
                kind,
                namespace: "",
                ..create(&object, None, &user)
            };
            assert_eq!(policies.evaluate(&req), Decision::default());
        }
    }

    fn policy_with(spec: Value) -> Value {
        let mut policy = json!({
            "apiVersion": "admissionregistration.k8s.io/v1",
            "kind": "ValidatingAdmissionPolicy",
            "metadata": {"name": "p"},
            "spec": {
                "failurePolicy": "Fail",
                "matchConstraints": {"resourceRules": [{"apiGroups": ["apps"], "apiVersions": ["v1"],
                                     "resources": ["deployments"], "operations": ["CREATE"]}]}
            }
        });
        if let (Some(target), Some(extra)) = (policy["spec"].as_object_mut(), spec.as_object()) {
            for (k, v) in extra {
                target.insert(k.clone(), v.clone());
            }
        }
        policy
    }

    fn errors(spec: Value) -> Vec<String> {
        validate_policy(&policy_with(spec))
            .into_iter()
            .map(|(field, message)| format!("{field}: {message}"))
            .collect()
    }

    #[test]
    fn validate_result_types_and_declarations() {
        assert_eq!(
            errors(json!({"validations": [{"expression": "object.spec.paused"}]})),
            vec![
                "spec.validations[0].expression: Invalid value: \"object.spec.paused\": must evaluate to bool but got dyn"
            ]
        );
        assert_eq!(
            errors(json!({"validations": [{"expression": "1",
                "messageExpression": "authorizer.path('/x').check('get').reason()"}]})),
            vec![
                "spec.validations[0].expression: Invalid value: \"1\": must evaluate to bool but got int",
                "spec.validations[0].messageExpression: Invalid value: \"authorizer.path('/x').check('get').reason()\": \
                 compilation failed: ERROR: <input>:1:1: undeclared reference to 'authorizer' (in container '')\n \
                 | authorizer.path('/x').check('get').reason()\n | ^"
            ]
        );
        assert_eq!(
            errors(json!({"validations": [{"expression": "params.x == 1"}]})),
            vec![
                "spec.validations[0].expression: Invalid value: \"params.x == 1\": compilation failed: \
                  ERROR: <input>:1:1: undeclared reference to 'params' (in container '')\n | params.x == 1\n | ^"
            ]
        );
        assert_eq!(
            errors(json!({
                "validations": [{"expression": "true"}],
                "auditAnnotations": [{"key": "a", "valueExpression": "1"}],
                "matchConditions": [{"name": "m", "expression": "'a'"}]
            })),
            vec![
                "spec.matchConditions[0].expression: Invalid value: \"'a'\": must evaluate to bool but got string",
                "spec.auditAnnotations[0].valueExpression: Invalid value: \"1\": must evaluate to one of [string null_type] but got int"
            ]
        );
        // Accepted: authorizer checks type-check in validations, params with a paramKind.
        assert_eq!(
            errors(json!({
                "paramKind": {"apiVersion": "v1", "kind": "ConfigMap"},
                "validations": [
                    {"expression": "authorizer.group('apps').resource('deployments').check('create').allowed()"},
                    {"expression": "params.data.max == string(object.spec.replicas)"},
                    {"expression": "request.userInfo.groups.exists(g, g == 'admins')"}
                ]
            })),
            Vec::<String>::new()
        );
    }

    #[test]
    fn validate_variables_compose_only_when_declared() {
        assert_eq!(
            errors(json!({"validations": [{"expression": "variables.x > 1"}]})),
            vec![
                "spec.validations[0].expression: Invalid value: \"variables.x > 1\": compilation failed: \
                  ERROR: <input>:1:1: undeclared reference to 'variables' (in container '')\n | variables.x > 1\n | ^"
            ]
        );
        assert_eq!(
            errors(json!({"validations": [{"expression": "variables.x > 1"}],
                          "variables": [{"name": "x", "expression": "object.spec.replicas"}]})),
            Vec::<String>::new()
        );
        assert_eq!(
            errors(json!({"validations": [{"expression": "variables.x > 1"}],
                          "variables": [{"name": "x", "expression": "'a'"}]})),
            vec![
                "spec.validations[0].expression: Invalid value: \"variables.x > 1\": compilation failed: \
                  ERROR: <input>:1:13: found no matching overload for '_>_' applied to '(string, int)'\n \
                  | variables.x > 1\n | ............^"
            ]
        );
        assert_eq!(
            errors(json!({"validations": [{"expression": "variables.y"}],
                          "variables": [{"name": "x", "expression": "variables.y"},
                                        {"name": "y", "expression": "true"},
                                        {"name": "not valid", "expression": " "}]})),
            vec![
                "spec.variables[0].expression: Invalid value: \"variables.y\": compilation failed: \
                 ERROR: <input>:1:10: undefined field 'y'\n | variables.y\n | .........^",
                "spec.variables[2].name: Invalid value: \"not valid\": name is not a valid CEL identifier",
                "spec.variables[2].expression: Required value: expression is not specified"
            ]
        );
    }

    #[test]
    fn validate_other_expression_fields() {
        assert_eq!(
            errors(json!({})),
            vec![
                "spec.validations: Required value: validations or auditAnnotations must contain at least one item",
                "spec.auditAnnotations: Required value: validations or auditAnnotations must contain at least one item"
            ]
        );
        assert_eq!(
            errors(json!({
                "validations": [{"expression": " ", "messageExpression": " ", "message": "a\nb", "reason": "Teapot"}],
                "matchConditions": [{"name": "a", "expression": "true"}, {"name": "a", "expression": ""}],
                "auditAnnotations": [{"key": "k", "valueExpression": "request.uid"}, {"key": "k", "valueExpression": "null"}]
            })),
            vec![
                "spec.matchConditions[1].expression: Required value",
                "spec.matchConditions[1].name: Duplicate value: \"a\"",
                "spec.validations[0].expression: Required value: expression is not specified",
                "spec.validations[0].messageExpression: Invalid value: \" \": must be non-empty if specified",
                "spec.validations[0].message: Invalid value: \"a\\nb\": message must not contain line breaks",
                "spec.validations[0].reason: Unsupported value: \"Teapot\": supported values: \"Forbidden\", \"Invalid\", \"RequestEntityTooLarge\"",
                "spec.auditAnnotations[0].valueExpression: Invalid value: \"request.uid\": compilation failed: \
                 ERROR: <input>:1:8: undefined field 'uid'\n | request.uid\n | .......^",
                "spec.auditAnnotations[1].key: Duplicate value: \"k\""
            ]
        );
        let syntax = errors(json!({"validations": [{"expression": "object.spec.replicas +"}]}));
        assert_eq!(syntax.len(), 1);
        assert!(
            syntax[0].starts_with(
                "spec.validations[0].expression: Invalid value: \"object.spec.replicas +\": \
                 compilation failed: ERROR: <input>:1:23: Syntax error: mismatched input '<EOF>' expecting"
            ),
            "{}",
            syntax[0]
        );
        assert_eq!(
            errors(
                json!({"validations": [{"expression": "url('https://x').getHost() == 'x'"},
                                          {"expression": "1 + 1.0 == 2.0"}]})
            ),
            vec![
                "spec.validations[0].expression: Invalid value: \"url('https://x').getHost() == 'x'\": \
                 compilation failed: ERROR: <input>:1:4: undeclared reference to 'url' (in container '')\n \
                 | url('https://x').getHost() == 'x'\n | ...^",
                "spec.validations[1].expression: Invalid value: \"1 + 1.0 == 2.0\": compilation failed: \
                 ERROR: <input>:1:3: found no matching overload for '_+_' applied to '(int, double)'\n \
                 | 1 + 1.0 == 2.0\n | ..^"
            ]
        );
    }

    #[test]
    fn go_quoting() {
        assert_eq!(go_quote("a\"b\\c\nd\té"), "\"a\\\"b\\\\c\\nd\\té\"");
        assert_eq!(go_quote("\u{1}"), "\"\\x01\"");
    }

    #[test]
    fn quantities_parse_like_upstream() {
        let q = |s: &str| Quantity::parse(s);
        assert_eq!(q("1Ki"), Ok(Quantity::new(1024, 0)));
        assert_eq!(q("1.5Gi"), Ok(Quantity::new(1_610_612_736, 0)));
        assert_eq!(q("-20m"), Ok(Quantity::new(-2, -2)));
        assert_eq!(q("1e3"), q("1k"));
        assert_eq!(q("1E"), Ok(Quantity::new(1, 18)));
        assert_eq!(q("1KB"), Err(QUANTITY_FORMAT_ERROR));
        assert_eq!(q("."), Err(QUANTITY_FORMAT_ERROR));
        assert_eq!(q("1Qi"), Err(QUANTITY_FORMAT_ERROR));
        assert_eq!(q("1ki"), Err("unable to parse quantity's suffix"));
        assert!(q("100Mi").unwrap().cmp(&q("100M").unwrap()).is_gt());
        assert!(q("-1").unwrap().cmp(&q("-2").unwrap()).is_gt());
    }

    #[test]
    fn policies_are_shareable_across_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Policies>();
    }

    #[test]
    fn issue_columns_count_characters() {
        assert_eq!(
            errors(json!({"validations": [{"expression": "'héllo' == params.x"}]})),
            vec![
                "spec.validations[0].expression: Invalid value: \"'héllo' == params.x\": compilation failed: \
                  ERROR: <input>:1:12: undeclared reference to 'params' (in container '')\n \
                  | 'héllo' == params.x\n | ...........^"
            ]
        );
        assert_eq!(
            errors(json!({"validations": [{"expression": "true &&\n  nope"}]})),
            vec![
                "spec.validations[0].expression: Invalid value: \"true &&\\n  nope\": compilation failed: \
                  ERROR: <input>:2:3: undeclared reference to 'nope' (in container '')\n |   nope\n | ..^"
            ]
        );
    }

    #[test]
    fn variables_hold_any_value() {
        let policy = replicas_policy(json!({
            "variables": [
                {"name": "limit", "expression": "quantity('1Gi')"},
                {"name": "labels", "expression": "object.metadata.labels"},
                {"name": "names", "expression": "['a', 'b'].map(n, n + '-x')"}
            ],
            "validations": [
                {"expression": "variables.limit.isGreaterThan(quantity('512Mi'))"},
                {"expression": "variables.labels['app'] == 'web' && has(variables.names)"},
                {"expression": "variables.names == ['a-x', 'b-x']"}
            ]
        }));
        assert_eq!(validate_policy(&policy), vec![]);
        let policies = Policies::new(&[policy], &[binding("b", &["Deny"], None)]);
        let (user, ns, object) = (user(), namespace(json!({})), deployment("nginx", 1));
        assert_eq!(
            policies.evaluate(&create(&object, Some(&ns), &user)),
            Decision::default()
        );
    }
}
