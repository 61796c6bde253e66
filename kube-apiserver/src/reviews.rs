//! The review APIs and TokenRequest: `authorization.k8s.io` SubjectAccessReview,
//! LocalSubjectAccessReview, SelfSubjectAccessReview and SelfSubjectRulesReview (what
//! `kubectl auth can-i` asks), `authentication.k8s.io` TokenReview and SelfSubjectReview
//! (`kubectl auth whoami`), and `serviceaccounts/token` (`kubectl create token`).
//!
//! Reviews are answered, never stored. Not here: the authorizer and authenticator themselves
//! (`authz`, `authn`).

use serde_json::{Value, json};

use crate::authn::UserInfo;
use crate::authz::Attributes;
use crate::error::{ApiError, ApiResult};
use crate::resources::Resource;
use crate::server::ApiServer;
use crate::validation::FieldError;

fn invalid(r: &Resource, errors: Vec<FieldError>) -> ApiError {
    ApiError::invalid(r.group, r.kind, "", &errors)
}

fn s<'a>(v: &'a Value, k: &str) -> &'a str {
    v.get(k).and_then(Value::as_str).unwrap_or("")
}

/// Attributes from a review's `resourceAttributes` or `nonResourceAttributes`.
fn review_attributes(spec: &Value) -> Attributes {
    if let Some(ra) = spec.get("resourceAttributes").filter(|v| v.is_object()) {
        let mut a = Attributes {
            resource_request: true,
            verb: s(ra, "verb").into(),
            namespace: s(ra, "namespace").into(),
            api_group: s(ra, "group").into(),
            api_version: s(ra, "version").into(),
            resource: s(ra, "resource").into(),
            subresource: s(ra, "subresource").into(),
            name: s(ra, "name").into(),
            ..Default::default()
        };
        if let Some(reqs) = ra
            .pointer("/fieldSelector/requirements")
            .and_then(Value::as_array)
        {
            for r in reqs {
                if s(r, "operator") == "In"
                    && let Some([v]) = r.get("values").and_then(Value::as_array).map(Vec::as_slice)
                {
                    a.field_selector
                        .push((s(r, "key").into(), v.as_str().unwrap_or("").into()));
                }
            }
        }
        return a;
    }
    let nra = spec
        .get("nonResourceAttributes")
        .cloned()
        .unwrap_or(json!({}));
    Attributes {
        verb: s(&nra, "verb").into(),
        path: s(&nra, "path").into(),
        ..Default::default()
    }
}

fn exactly_one_kind(spec: &Value) -> Option<FieldError> {
    let has = |k: &str| spec.get(k).is_some_and(|v| v.is_object());
    match (has("resourceAttributes"), has("nonResourceAttributes")) {
        (true, true) => Some(FieldError::invalid(
            "spec.nonResourceAttributes",
            "{...}",
            "cannot be specified in combination with resourceAttributes",
        )),
        (false, false) => Some(FieldError::required(
            "spec.resourceAttributes",
            "exactly one of nonResourceAttributes or resourceAttributes must be specified",
        )),
        _ => None,
    }
}

impl ApiServer {
    /// Answer a review object posted to `r` by `user`.
    pub(crate) async fn review(
        &self,
        r: &Resource,
        namespace: Option<&str>,
        mut review: Value,
        user: &UserInfo,
    ) -> ApiResult<Value> {
        if !review.is_object() {
            return Err(ApiError::bad_request("the request body must be an object"));
        }
        review["apiVersion"] = json!(r.api_version());
        review["kind"] = json!(r.kind);
        let spec = review.get("spec").cloned().unwrap_or(json!({}));
        match r.kind {
            "SubjectAccessReview" | "LocalSubjectAccessReview" | "SelfSubjectAccessReview" => {
                let mut errors: Vec<FieldError> = exactly_one_kind(&spec).into_iter().collect();
                let subject = if r.kind == "SelfSubjectAccessReview" {
                    user.clone()
                } else {
                    let u = UserInfo::from_json(&spec);
                    if u.name.is_empty() && u.groups.is_empty() {
                        errors.push(FieldError::invalid(
                            "spec.user",
                            "\"\"",
                            "at least one of user or group must be specified",
                        ));
                    }
                    u
                };
                if !errors.is_empty() {
                    return Err(invalid(r, errors));
                }
                let a = review_attributes(&spec);
                if r.kind == "LocalSubjectAccessReview" {
                    let ns = namespace.unwrap_or("");
                    if !a.resource_request || a.namespace != ns {
                        return Err(ApiError::bad_request(format!(
                            "spec.resourceAttributes.namespace must match namespace: {ns}"
                        )));
                    }
                }
                let (allowed, reason) = self.authz.authorize(&self.registry, &subject, &a).await;
                let mut status = json!({"allowed": allowed});
                if !reason.is_empty() {
                    status["reason"] = json!(reason);
                }
                review["status"] = status;
            }
            "SelfSubjectRulesReview" => {
                let ns = s(&spec, "namespace");
                if ns.is_empty() {
                    return Err(invalid(r, vec![FieldError::required("spec.namespace", "")]));
                }
                let (rules, incomplete, error) =
                    self.authz.rules_for(&self.registry, user, ns).await;
                let (resource_rules, non_resource_rules) = crate::rbac::review_rules(&rules);
                let mut status = json!({
                    "resourceRules": resource_rules,
                    "nonResourceRules": non_resource_rules,
                    "incomplete": incomplete,
                });
                if !error.is_empty() {
                    status["evaluationError"] = json!(error);
                }
                review["status"] = status;
            }
            "SelfSubjectReview" => {
                review["status"] = json!({"userInfo": user.to_json()});
            }
            "TokenReview" => {
                let token = s(&spec, "token");
                if token.is_empty() {
                    return Err(invalid(r, vec![FieldError::required("spec.token", "")]));
                }
                let wanted: Vec<String> = spec
                    .get("audiences")
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(|v| v.as_str().map(String::from))
                            .collect()
                    })
                    .unwrap_or_default();
                let api = self.api_audiences();
                let audiences: Vec<String> = if wanted.is_empty() {
                    api.clone()
                } else {
                    wanted.iter().filter(|a| api.contains(a)).cloned().collect()
                };
                let status = if !wanted.is_empty() && audiences.is_empty() {
                    json!({"authenticated": false, "error": "token audiences is invalid for the target audiences"})
                } else {
                    match self.authn.authenticate_token(&self.registry, token).await {
                        Ok(Some(u)) => {
                            let u = if u.in_group(crate::authn::ALL_AUTHENTICATED) {
                                u
                            } else {
                                let mut u = u;
                                u.groups.push(crate::authn::ALL_AUTHENTICATED.into());
                                u
                            };
                            json!({"authenticated": true, "user": u.to_json(), "audiences": audiences})
                        }
                        Ok(None) => {
                            json!({"authenticated": false, "user": {}, "error": "[invalid bearer token, token lookup failed]"})
                        }
                        Err(e) => json!({"authenticated": false, "user": {}, "error": e}),
                    }
                };
                review["status"] = status;
            }
            _ => {
                return Err(ApiError::method_not_allowed(
                    "the server does not allow this method on the requested resource".to_string(),
                ));
            }
        }
        if let Some(m) = review.get_mut("metadata").and_then(Value::as_object_mut) {
            m.insert("creationTimestamp".into(), Value::Null);
        }
        Ok(review)
    }

    fn api_audiences(&self) -> Vec<String> {
        self.tokens
            .as_ref()
            .map(|t| t.audiences.clone())
            .unwrap_or_default()
    }

    /// `POST serviceaccounts/<name>/token`: a bound service account token.
    pub(crate) async fn token_request(
        &self,
        namespace: &str,
        name: &str,
        mut body: Value,
    ) -> ApiResult<Value> {
        let issuer = self.tokens.as_ref().ok_or_else(|| {
            ApiError::new(
                404,
                "NotFound",
                "the server could not find the requested resource",
            )
        })?;
        let sar = crate::resources::find("", "v1", "serviceaccounts").expect("built in");
        let sa = self.registry.get(sar, Some(namespace), name).await?;
        let spec = body.get("spec").cloned().unwrap_or(json!({}));
        let expiration = spec
            .get("expirationSeconds")
            .and_then(Value::as_i64)
            .unwrap_or(3600);
        let kind = crate::resources::find("authentication.k8s.io", "v1", "tokenrequests")
            .map_or("TokenRequest", |r| r.kind);
        let mut errors = Vec::new();
        if expiration < 600 {
            errors.push(FieldError::invalid(
                "spec.expirationSeconds",
                expiration.to_string(),
                "may not specify a duration less than 10 minutes",
            ));
        }
        if expiration > 1 << 32 {
            errors.push(FieldError::invalid(
                "spec.expirationSeconds",
                expiration.to_string(),
                "may not specify a duration larger than 2^32 seconds",
            ));
        }
        if !errors.is_empty() {
            return Err(ApiError::invalid(
                "authentication.k8s.io",
                kind,
                name,
                &errors,
            ));
        }
        let expiration = expiration.min(issuer.max_expiration);
        let audiences: Vec<String> = spec
            .get("audiences")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect()
            })
            .filter(|a: &Vec<String>| !a.is_empty())
            .unwrap_or_else(|| issuer.audiences.clone());
        let mut pod = None;
        let mut secret = None;
        let mut node = None;
        if let Some(bound) = spec.get("boundObjectRef").filter(|b| b.is_object()) {
            let (kind, obj_name, uid) = (s(bound, "kind"), s(bound, "name"), s(bound, "uid"));
            let (plural, namespaced) = match kind {
                "Pod" => ("pods", true),
                "Secret" => ("secrets", true),
                "Node" => ("nodes", false),
                other => {
                    return Err(ApiError::bad_request(format!(
                        "cannot bind token for serviceaccount \"{name}\" to object of type {other}"
                    )));
                }
            };
            let r = crate::resources::find("", "v1", plural).expect("built in");
            let obj = self
                .registry
                .get(r, namespaced.then_some(namespace), obj_name)
                .await?;
            let actual = obj
                .pointer("/metadata/uid")
                .and_then(Value::as_str)
                .unwrap_or("");
            if !uid.is_empty() && uid != actual {
                return Err(ApiError::new(
                    409,
                    "Conflict",
                    format!(
                        "Operation cannot be fulfilled on {kind} \"{obj_name}\": the UID in the bound object reference ({uid}) does not match the UID in record. The object might have been deleted and then recreated"
                    ),
                ));
            }
            let rf = crate::serviceaccount::Ref {
                name: obj_name.to_string(),
                uid: actual.to_string(),
            };
            match kind {
                "Pod" => {
                    if let Some(node_name) = obj.pointer("/spec/nodeName").and_then(Value::as_str) {
                        let nodes = crate::resources::find("", "v1", "nodes").expect("built in");
                        if let Ok(n) = self.registry.get(nodes, None, node_name).await {
                            node = Some(crate::serviceaccount::Ref {
                                name: node_name.to_string(),
                                uid: n
                                    .pointer("/metadata/uid")
                                    .and_then(Value::as_str)
                                    .unwrap_or("")
                                    .to_string(),
                            });
                        }
                    }
                    pod = Some(rf);
                }
                "Secret" => secret = Some(rf),
                _ => node = Some(rf),
            }
        }
        let now = jiff::Timestamp::now().as_second();
        let claims = crate::serviceaccount::Claims {
            issuer: issuer.issuer.clone(),
            subject: format!("system:serviceaccount:{namespace}:{name}"),
            audiences: audiences.clone(),
            expiry: now + expiration,
            issued_at: now,
            not_before: now,
            id: uuid::Uuid::new_v4().to_string(),
            namespace: namespace.to_string(),
            service_account: crate::serviceaccount::Ref {
                name: name.to_string(),
                uid: sa
                    .pointer("/metadata/uid")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
            },
            pod,
            secret,
            node,
            warn_after: None,
            legacy: false,
        };
        let token = crate::serviceaccount::sign_bound(&issuer.key, &claims)
            .map_err(|e| ApiError::internal(format!("failed to sign the token: {e}")))?;
        let expires = jiff::Timestamp::from_second(now + expiration)
            .map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
            .unwrap_or_default();
        body["apiVersion"] = json!("authentication.k8s.io/v1");
        body["kind"] = json!("TokenRequest");
        let md = body
            .as_object_mut()
            .map(|m| m.entry("metadata").or_insert_with(|| json!({})));
        if let Some(md) = md.and_then(Value::as_object_mut) {
            md.insert("name".into(), json!(name));
            md.insert("namespace".into(), json!(namespace));
            md.insert("creationTimestamp".into(), Value::Null);
        }
        body["spec"]["audiences"] = json!(audiences);
        body["spec"]["expirationSeconds"] = json!(expiration);
        if body["spec"].get("boundObjectRef").is_none() {
            body["spec"]["boundObjectRef"] = Value::Null;
        }
        body["status"] = json!({"token": token, "expirationTimestamp": expires});
        Ok(body)
    }
}

/// What signs service account tokens (`--service-account-signing-key-file`,
/// `--service-account-issuer`, `--api-audiences`).
pub struct TokenIssuer {
    pub key: crate::serviceaccount::SigningKey,
    pub issuer: String,
    pub audiences: Vec<String>,
    /// `--service-account-max-token-expiration` in seconds.
    pub max_expiration: i64,
}
