//! Errors as the API answers them: a `meta/v1` `Status` with upstream's code, reason, message
//! and details, so clients (kubectl prints `Error from server (NotFound): ...`) see what they
//! see against upstream.

use serde_json::{Value, json};

use crate::validation::FieldError;

#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub code: u16,
    pub reason: &'static str,
    pub message: String,
    pub details: Option<Value>,
}

pub type ApiResult<T> = Result<T, ApiError>;

/// `resource` with its group, as upstream's qualified resource prints (`deployments.apps`).
fn qualified(group: &str, resource: &str) -> String {
    if group.is_empty() {
        resource.to_string()
    } else {
        format!("{resource}.{group}")
    }
}

impl ApiError {
    pub fn new(code: u16, reason: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            code,
            reason,
            message: message.into(),
            details: None,
        }
    }

    pub fn not_found(group: &str, resource: &str, name: &str) -> ApiError {
        ApiError {
            details: Some(json!({"name": name, "group": group, "kind": resource})),
            ..ApiError::new(
                404,
                "NotFound",
                format!("{} \"{name}\" not found", qualified(group, resource)),
            )
        }
    }

    pub fn already_exists(group: &str, resource: &str, name: &str) -> ApiError {
        ApiError {
            details: Some(json!({"name": name, "group": group, "kind": resource})),
            ..ApiError::new(
                409,
                "AlreadyExists",
                format!("{} \"{name}\" already exists", qualified(group, resource)),
            )
        }
    }

    pub fn conflict(group: &str, resource: &str, name: &str) -> ApiError {
        ApiError {
            details: Some(json!({"name": name, "group": group, "kind": resource})),
            ..ApiError::new(
                409,
                "Conflict",
                format!(
                    "Operation cannot be fulfilled on {} \"{name}\": the object has been modified; please apply your changes to the latest version and try again",
                    qualified(group, resource)
                ),
            )
        }
    }

    pub fn invalid(group: &str, kind: &str, name: &str, errors: &[FieldError]) -> ApiError {
        let causes: Vec<Value> = errors
            .iter()
            .map(|e| json!({"reason": e.kind.reason(), "message": e.body(), "field": e.field}))
            .collect();
        ApiError {
            details: Some(json!({"name": name, "group": group, "kind": kind, "causes": causes})),
            ..ApiError::new(
                422,
                "Invalid",
                crate::validation::invalid_message(&qualified(group, kind), name, errors),
            )
        }
    }

    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(400, "BadRequest", message)
    }

    pub fn method_not_allowed(message: impl Into<String>) -> ApiError {
        ApiError::new(405, "MethodNotAllowed", message)
    }

    pub fn unsupported_media_type(content_type: &str) -> ApiError {
        ApiError::new(
            415,
            "UnsupportedMediaType",
            format!(
                "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf; got {content_type:?}"
            ),
        )
    }

    pub fn too_large() -> ApiError {
        ApiError::new(
            413,
            "RequestEntityTooLarge",
            "the server has received a request that is too large",
        )
    }

    pub fn expired(message: impl Into<String>) -> ApiError {
        ApiError::new(410, "Expired", message)
    }

    /// upstream's answer when the watch cache does not reach a requested resourceVersion
    /// within its wait (3 s): 504 Timeout, retry after a second.
    pub fn too_large_resource_version(requested: i64, current: i64) -> ApiError {
        ApiError {
            details: Some(json!({"retryAfterSeconds": 1})),
            ..ApiError::new(
                504,
                "Timeout",
                format!("Timeout: Too large resource version: {requested}, current: {current}"),
            )
        }
    }

    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError::new(
            500,
            "InternalError",
            format!("Internal error occurred: {}", message.into()),
        )
    }

    pub fn unavailable(message: impl Into<String>) -> ApiError {
        ApiError::new(503, "ServiceUnavailable", message)
    }

    /// `apierrors.NewForbidden(groupResource, name, err)`: 403 with
    /// `<resource>[.<group>] "<name>" is forbidden: <err>` (`forbidden: <err>` without a
    /// resource).
    pub fn forbidden(group: &str, resource: &str, name: &str, err: &str) -> ApiError {
        let message = if resource.is_empty() {
            format!("forbidden: {err}")
        } else if name.is_empty() {
            format!("{} is forbidden: {err}", qualified(group, resource))
        } else {
            format!(
                "{} \"{name}\" is forbidden: {err}",
                qualified(group, resource)
            )
        };
        let mut details = serde_json::Map::new();
        if !name.is_empty() {
            details.insert("name".into(), Value::String(name.into()));
        }
        if !group.is_empty() {
            details.insert("group".into(), Value::String(group.into()));
        }
        if !resource.is_empty() {
            details.insert("kind".into(), Value::String(resource.into()));
        }
        ApiError {
            details: Some(Value::Object(details)),
            ..ApiError::new(403, "Forbidden", message)
        }
    }

    pub fn unauthorized() -> ApiError {
        ApiError::new(401, "Unauthorized", "Unauthorized")
    }

    /// The `Status` object clients receive.
    pub fn to_status(&self) -> Value {
        let mut s = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        });
        if let Some(d) = &self.details {
            s["details"] = d.clone();
        }
        s
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}", self.code, self.reason, self.message)
    }
}

impl std::error::Error for ApiError {}

/// A success `Status` (what delete of some resources and deletecollection return).
pub fn success_status(details: Value) -> Value {
    json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "details": details})
}
