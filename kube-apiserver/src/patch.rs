//! The three patch formats `PATCH` accepts, applied to JSON: RFC 6902 JSON patch
//! (`application/json-patch+json`, as gopkg.in/evanphx/json-patch.v4 applies it), RFC 7386 JSON
//! merge patch (`application/merge-patch+json`) and strategic merge patch
//! (`application/strategic-merge-patch+json`, as `k8s.io/apimachinery/pkg/util/strategicpatch`
//! applies it server side).
//!
//! Pure: `serde_json::Value` in, `Value` out, no IO. It does not know about server-side apply
//! (`application/apply-patch+yaml`), managedFields, defaulting, validation or CRD schemas (custom
//! resources get no strategic merge patch, as upstream). Upstream decodes the patched map into
//! the typed object, which silently drops leftovers; here the result is stored as is, so
//! directive keys and `null`s in newly added values are stripped explicitly.
//!
//! Strategic merge patch needs each field's `patchStrategy`/`patchMergeKey` struct tag. They live
//! in a small static schema: a `Schema` per Go struct that has tagged fields (or contains one
//! that has), shared wherever the struct is embedded, so `PodSpec` is described once and reused by
//! every workload template. Fields not in the schema have no strategy: objects merge
//! recursively, lists are replaced.

use serde_json::{Map, Value};

use crate::gofmt::json_type;

type Object = Map<String, Value>;

/// Upstream's cap on the number of operations in one JSON patch (`maxJSONPatchOperations`).
pub const MAX_JSON_PATCH_OPERATIONS: usize = 10_000;

/// `$patch: replace | delete | merge` on a map or a list element.
const DIRECTIVE: &str = "$patch";
/// `$retainKeys: [...]`: drop every key of the live map not listed.
const RETAIN_KEYS: &str = "$retainKeys";
/// `$setElementOrder/<list>: [...]`: the final order of a merged list.
const SET_ELEMENT_ORDER: &str = "$setElementOrder";
/// `$deleteFromPrimitiveList/<list>: [...]`: values to remove from a merged primitive list.
const DELETE_FROM_PRIMITIVE_LIST: &str = "$deleteFromPrimitiveList";

/// Why a patch could not be applied (the server answers 422 Invalid or 400 BadRequest with the message).
///
/// [`PatchError::code`] and [`PatchError::reason`] give the HTTP status upstream answers with. For
/// 422 upstream's `Status.message` is the generic "the server rejected our request due to an
/// error in our request", with this error's text as the single cause in `details.causes`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatchError {
    /// The live object or the (strategic) merge patch is not a JSON object.
    #[error("invalid JSON document")]
    InvalidDocument,
    /// The JSON patch is not an array of operation objects.
    #[error("{0}")]
    MalformedJsonPatch(String),
    /// The JSON patch has more operations than [`MAX_JSON_PATCH_OPERATIONS`].
    #[error("The allowed maximum operations in a JSON patch is {max}, got {got}")]
    TooManyOperations { max: usize, got: usize },
    /// A JSON patch operation does not apply: missing path, bad array index, unknown op.
    #[error("{0}")]
    OperationFailed(String),
    /// A JSON patch `test` operation found a different value.
    #[error("testing value {path} failed: test failed")]
    TestFailed { path: String },
    /// Strategic merge patch on a kind without patch metadata (custom resources).
    #[error(
        "the body of the request was in an unknown format - accepted media types include: \
         application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"
    )]
    StrategicMergeUnsupported { api_version: String, kind: String },
    /// A `$deleteFromPrimitiveList/...` key without a field name after the slash.
    #[error("invalid patch format of primitive list")]
    BadPrimitiveListFormat,
    /// `$retainKeys` is not a list, or the patch sets a key it does not list.
    #[error("invalid patch format of retainKeys")]
    BadRetainKeysFormat,
    /// A `$setElementOrder/...` key without a field name after the slash.
    #[error("invalid patch format of setElementOrder list")]
    BadSetElementOrderFormat,
    /// A merged list holds lists.
    #[error("lists of lists are not supported")]
    ListOfLists,
    /// An element of a list merged by key lacks the key.
    #[error("map: {map} does not contain declared merge key: {key}")]
    NoMergeKey { map: String, key: String },
    /// `$patch` with a value other than `replace`, `delete` or `merge`.
    #[error("unknown patch type: {directive} in map: {map}")]
    UnknownDirective { directive: String, map: String },
    /// Any other malformed strategic merge patch (element types differ, `$setElementOrder` does
    /// not match the patch list, a value of the wrong type where a list or map is required).
    #[error("{0}")]
    InvalidStrategicPatch(String),
}

impl PatchError {
    /// The HTTP status upstream answers with. Strategic merge patch errors that upstream does not
    /// classify reach the client as a 500 with reason `""` (`StatusReasonUnknown`), and so here.
    pub fn code(&self) -> u16 {
        match self {
            PatchError::InvalidDocument
            | PatchError::MalformedJsonPatch(_)
            | PatchError::BadPrimitiveListFormat
            | PatchError::BadRetainKeysFormat
            | PatchError::BadSetElementOrderFormat => 400,
            PatchError::TooManyOperations { .. } => 413,
            PatchError::StrategicMergeUnsupported { .. } => 415,
            PatchError::OperationFailed(_)
            | PatchError::TestFailed { .. }
            | PatchError::ListOfLists => 422,
            PatchError::NoMergeKey { .. }
            | PatchError::UnknownDirective { .. }
            | PatchError::InvalidStrategicPatch(_) => 500,
        }
    }

    /// The `Status.reason` that goes with [`PatchError::code`].
    pub fn reason(&self) -> &'static str {
        match self.code() {
            400 => "BadRequest",
            413 => "RequestEntityTooLarge",
            415 => "UnsupportedMediaType",
            422 => "Invalid",
            _ => "",
        }
    }
}

// ---------------------------------------------------------------------------------------------
// RFC 6902 JSON patch
// ---------------------------------------------------------------------------------------------

/// RFC 6902 JSON patch (ops add, remove, replace, move, copy, test), as kubectl --type=json sends it.
///
/// Follows evanphx/json-patch v4 where it differs from the RFC: negative array indices count
/// from the end for `add` and `remove`, a missing `value` is `null`, and `test` against `null`
/// passes on a missing member. The root path `""` is supported as the RFC says (v4 rejects it).
/// A `null` patch changes nothing. All or nothing: on error the input is untouched.
pub fn json_patch(doc: &Value, patch: &Value) -> Result<Value, PatchError> {
    let ops = match patch {
        Value::Array(ops) => ops.as_slice(),
        Value::Null => &[],
        other => {
            return Err(PatchError::MalformedJsonPatch(format!(
                "json: cannot unmarshal {} into Go value of type jsonpatch.Patch",
                json_type(other)
            )));
        }
    };
    if ops.len() > MAX_JSON_PATCH_OPERATIONS {
        return Err(PatchError::TooManyOperations {
            max: MAX_JSON_PATCH_OPERATIONS,
            got: ops.len(),
        });
    }
    let mut operations = Vec::with_capacity(ops.len());
    for op in ops {
        match op {
            Value::Object(op) => operations.push(op),
            other => {
                return Err(PatchError::MalformedJsonPatch(format!(
                    "json: cannot unmarshal {} into Go value of type jsonpatch.Operation",
                    json_type(other)
                )));
            }
        }
    }
    let mut doc = doc.clone();
    for op in operations {
        apply_operation(&mut doc, op)?;
    }
    Ok(doc)
}

fn apply_operation(doc: &mut Value, op: &Object) -> Result<(), PatchError> {
    let kind = op.get("op").and_then(Value::as_str).unwrap_or("unknown");
    let value = || op.get("value").cloned().unwrap_or(Value::Null);
    match kind {
        "add" => add(doc, operation_path(op, "path", kind)?, value(), kind),
        "remove" => remove(doc, operation_path(op, "path", kind)?, kind).map(drop),
        "replace" => replace(doc, operation_path(op, "path", kind)?, value()),
        "move" => {
            let from = operation_path(op, "from", kind)?;
            let path = operation_path(op, "path", kind)?;
            let moved = remove(doc, from, kind)?;
            add(doc, path, moved, kind)
        }
        "copy" => {
            let from = operation_path(op, "from", kind)?;
            let path = operation_path(op, "path", kind)?;
            let copied = pointer(from)
                .and_then(|tokens| resolve(doc, &tokens))
                .cloned()
                .ok_or_else(|| {
                    PatchError::OperationFailed(format!(
                        "copy operation does not apply: doc is missing from path: {from}: missing value"
                    ))
                })?;
            add(doc, path, copied, kind)
        }
        "test" => test(doc, operation_path(op, "path", kind)?, op.get("value")),
        other => Err(PatchError::OperationFailed(format!(
            "Unexpected kind: {other}"
        ))),
    }
}

fn operation_path<'a>(op: &'a Object, field: &str, kind: &str) -> Result<&'a str, PatchError> {
    op.get(field).and_then(Value::as_str).ok_or_else(|| {
        PatchError::OperationFailed(format!(
            "{kind} operation failed to decode {field}: missing value"
        ))
    })
}

/// The reference tokens of an RFC 6901 JSON pointer; `None` if it does not start with `/`.
fn pointer(path: &str) -> Option<Vec<String>> {
    if path.is_empty() {
        return Some(Vec::new());
    }
    let rest = path.strip_prefix('/')?;
    Some(
        rest.split('/')
            .map(|token| token.replace("~1", "/").replace("~0", "~"))
            .collect(),
    )
}

/// An existing array index (no `-`, no negatives), as a path step.
fn existing_index(token: &str, len: usize) -> Option<usize> {
    token.parse::<usize>().ok().filter(|index| *index < len)
}

fn resolve<'a>(doc: &'a Value, tokens: &[String]) -> Option<&'a Value> {
    tokens.iter().try_fold(doc, |node, token| match node {
        Value::Object(map) => map.get(token),
        Value::Array(items) => existing_index(token, items.len()).and_then(|i| items.get(i)),
        _ => None,
    })
}

fn resolve_mut<'a>(doc: &'a mut Value, tokens: &[String]) -> Option<&'a mut Value> {
    tokens.iter().try_fold(doc, |node, token| match node {
        Value::Object(map) => map.get_mut(token),
        Value::Array(items) => {
            let index = existing_index(token, items.len())?;
            items.get_mut(index)
        }
        _ => None,
    })
}

fn missing_path(kind: &str, path: &str) -> PatchError {
    PatchError::OperationFailed(format!(
        "{kind} operation does not apply: doc is missing path: \"{path}\": missing value"
    ))
}

fn invalid_index(kind: &str, path: &str, index: i64) -> PatchError {
    PatchError::OperationFailed(format!(
        "error in {kind} for path: '{path}': Unable to access invalid index: {index}: invalid index referenced"
    ))
}

fn array_index(kind: &str, path: &str, token: &str) -> Result<i64, PatchError> {
    token.parse::<i64>().map_err(|_| {
        PatchError::OperationFailed(format!(
            "error in {kind} for path: '{path}': value was not a proper array index: '{token}'"
        ))
    })
}

fn add(doc: &mut Value, path: &str, value: Value, kind: &str) -> Result<(), PatchError> {
    let tokens = pointer(path).ok_or_else(|| missing_path(kind, path))?;
    let Some((last, parents)) = tokens.split_last() else {
        *doc = value;
        return Ok(());
    };
    match resolve_mut(doc, parents) {
        Some(Value::Object(map)) => {
            map.insert(last.clone(), value);
            Ok(())
        }
        Some(Value::Array(items)) => {
            if last == "-" {
                items.push(value);
                return Ok(());
            }
            let index = array_index(kind, path, last)?;
            let slots = items.len() as i64 + 1;
            if index >= slots || index < -slots {
                return Err(invalid_index(kind, path, index));
            }
            let at = if index < 0 { index + slots } else { index };
            items.insert(at as usize, value);
            Ok(())
        }
        _ => Err(missing_path(kind, path)),
    }
}

fn remove(doc: &mut Value, path: &str, kind: &str) -> Result<Value, PatchError> {
    let tokens = pointer(path).ok_or_else(|| missing_path(kind, path))?;
    let Some((last, parents)) = tokens.split_last() else {
        return Err(missing_path(kind, path));
    };
    match resolve_mut(doc, parents) {
        Some(Value::Object(map)) => map.remove(last).ok_or_else(|| {
            PatchError::OperationFailed(format!(
                "error in {kind} for path: '{path}': Unable to remove nonexistent key: {last}: missing value"
            ))
        }),
        Some(Value::Array(items)) => {
            let index = array_index(kind, path, last)?;
            let len = items.len() as i64;
            if index >= len || index < -len {
                return Err(invalid_index(kind, path, index));
            }
            let at = if index < 0 { index + len } else { index };
            Ok(items.remove(at as usize))
        }
        _ => Err(missing_path(kind, path)),
    }
}

fn replace(doc: &mut Value, path: &str, value: Value) -> Result<(), PatchError> {
    let missing_key = || {
        PatchError::OperationFailed(format!(
            "replace operation does not apply: doc is missing key: {path}: missing value"
        ))
    };
    let tokens = pointer(path).ok_or_else(|| missing_path("replace", path))?;
    let Some((last, parents)) = tokens.split_last() else {
        *doc = value;
        return Ok(());
    };
    let slot = match resolve_mut(doc, parents) {
        Some(Value::Object(map)) => map.get_mut(last).ok_or_else(missing_key)?,
        Some(Value::Array(items)) => {
            let index = existing_index(last, items.len()).ok_or_else(missing_key)?;
            items.get_mut(index).ok_or_else(missing_key)?
        }
        _ => return Err(missing_path("replace", path)),
    };
    *slot = value;
    Ok(())
}

fn test(doc: &Value, path: &str, expected: Option<&Value>) -> Result<(), PatchError> {
    let tokens = pointer(path).ok_or_else(|| missing_path("test", path))?;
    let actual = match tokens.split_last() {
        None => Some(doc),
        Some((last, parents)) => match resolve(doc, parents) {
            Some(Value::Object(map)) => map.get(last),
            Some(Value::Array(items)) => {
                existing_index(last, items.len()).and_then(|i| items.get(i))
            }
            _ => {
                return Err(PatchError::OperationFailed(format!(
                    "test operation does not apply: is missing path: {path}: missing value"
                )));
            }
        },
    };
    let expected_null = expected.is_none_or(Value::is_null);
    let passed = match actual {
        None | Some(Value::Null) => expected_null,
        Some(actual) => expected.is_some_and(|expected| json_eq(actual, expected)),
    };
    if passed {
        Ok(())
    } else {
        Err(PatchError::TestFailed {
            path: path.to_owned(),
        })
    }
}

// ---------------------------------------------------------------------------------------------
// RFC 7386 JSON merge patch
// ---------------------------------------------------------------------------------------------

/// RFC 7386 JSON merge patch (`application/merge-patch+json`): null deletes, objects merge, everything else replaces.
pub fn merge_patch(doc: &Value, patch: &Value) -> Value {
    let mut target = doc.clone();
    merge_patch_into(&mut target, patch);
    target
}

fn merge_patch_into(target: &mut Value, patch: &Value) {
    let Value::Object(patch) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Object::new());
    }
    if let Value::Object(target) = target {
        for (key, value) in patch {
            if value.is_null() {
                target.remove(key);
            } else {
                merge_patch_into(target.entry(key.clone()).or_insert(Value::Null), value);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Strategic merge patch
// ---------------------------------------------------------------------------------------------

/// Strategic merge patch (`application/strategic-merge-patch+json`) for a built-in kind, identified by apiVersion and kind
/// (e.g. "v1", "Pod"; "apps/v1", "Deployment"). Unknown kinds (custom resources) get an Err (upstream answers 415 for SMP on CRs).
///
/// Upstream behaviour kept on purpose: new elements of a merged list come *before* the live
/// ones unless `$setElementOrder` says otherwise (`normalizeElementOrder`); `$patch: delete` on
/// a live map leaves `{}`; `$patch: replace` on any list element replaces the whole list.
/// Extensions: `$patch: merge` (upstream rejects it on maps and list elements) is accepted as
/// the default it names; `$patch: replace` on a newly added map keeps its content (upstream
/// drops the map).
pub fn strategic_merge_patch(
    api_version: &str,
    kind: &str,
    doc: &Value,
    patch: &Value,
) -> Result<Value, PatchError> {
    let schema =
        root_schema(api_version, kind).ok_or_else(|| PatchError::StrategicMergeUnsupported {
            api_version: api_version.to_owned(),
            kind: kind.to_owned(),
        })?;
    let Value::Object(doc) = doc else {
        return Err(PatchError::InvalidDocument);
    };
    let patch = match patch {
        Value::Object(patch) => patch.clone(),
        Value::Null => Object::new(),
        _ => return Err(PatchError::InvalidDocument),
    };
    merge_map(doc.clone(), patch, schema).map(Value::Object)
}

/// How a field is patched: its `patchStrategy` and `patchMergeKey` tags.
#[derive(Debug, Clone, Copy)]
enum Field {
    /// No strategy: an object merges field by field under the schema, a list is replaced.
    Struct(&'static Schema),
    /// `patchStrategy:"merge" patchMergeKey:"<key>"`: a list of objects merged element by
    /// element; the elements follow the schema. (`merge,retainKeys` patches the same way on the
    /// server: `$retainKeys` is honoured wherever it appears.)
    MergeByKey(&'static str, &'static Schema),
    /// `patchStrategy:"merge"` without a key: a list of primitives merged as a set.
    MergeSet,
    /// `patchStrategy:"replace"`: the patch's object replaces the live one.
    Replace,
}

impl Field {
    fn schema(self) -> &'static Schema {
        match self {
            Field::Struct(schema) | Field::MergeByKey(_, schema) => schema,
            Field::MergeSet | Field::Replace => &ANY,
        }
    }

    fn merge_key(self) -> Option<&'static str> {
        match self {
            Field::MergeByKey(key, _) => Some(key),
            _ => None,
        }
    }

    fn merges_lists(self) -> bool {
        matches!(self, Field::MergeByKey(..) | Field::MergeSet)
    }
}

/// The fields of one Go struct that have a patch strategy, or lead to one that has.
#[derive(Debug)]
struct Schema {
    fields: &'static [(&'static str, Field)],
}

impl Schema {
    fn field(&self, name: &str) -> Field {
        self.fields
            .iter()
            .find(|(field, _)| *field == name)
            .map_or(Field::Struct(&ANY), |(_, field)| *field)
    }
}

// The tags below are upstream's, from k8s.io/api/*/v1/types.go, k8s.io/apimachinery
// pkg/apis/meta/v1/types.go and k8s.io/kube-aggregator apiregistration/v1/types.go. Lists not
// listed (tolerations, readinessGates, envFrom, containerStatuses, node taints, endpoints
// subsets, RBAC rules, CRD conditions, ...) have no strategy upstream and are replaced.

/// Any struct without tagged fields, and every map (`labels`, `data`, ...).
static ANY: Schema = Schema { fields: &[] };

/// `metav1.ObjectMeta`.
static OBJECT_META: Schema = Schema {
    fields: &[
        ("finalizers", Field::MergeSet),
        ("ownerReferences", Field::MergeByKey("uid", &ANY)),
    ],
};
const METADATA: (&str, Field) = ("metadata", Field::Struct(&OBJECT_META));

/// `conditions` merged by `type`: every status that tags its conditions.
const CONDITIONS: (&str, Field) = ("conditions", Field::MergeByKey("type", &ANY));
static CONDITIONS_STATUS: Schema = Schema {
    fields: &[CONDITIONS],
};
const STATUS_CONDITIONS: (&str, Field) = ("status", Field::Struct(&CONDITIONS_STATUS));

/// `core/v1.Container`, and `EphemeralContainerCommon` (same tags).
static CONTAINER: Schema = Schema {
    fields: &[
        ("ports", Field::MergeByKey("containerPort", &ANY)),
        ("env", Field::MergeByKey("name", &ANY)),
        ("volumeMounts", Field::MergeByKey("mountPath", &ANY)),
        ("volumeDevices", Field::MergeByKey("devicePath", &ANY)),
    ],
};

/// `core/v1.PodSpec`.
static POD_SPEC: Schema = Schema {
    fields: &[
        ("volumes", Field::MergeByKey("name", &ANY)),
        ("initContainers", Field::MergeByKey("name", &CONTAINER)),
        ("containers", Field::MergeByKey("name", &CONTAINER)),
        ("ephemeralContainers", Field::MergeByKey("name", &CONTAINER)),
        ("imagePullSecrets", Field::MergeByKey("name", &ANY)),
        ("hostAliases", Field::MergeByKey("ip", &ANY)),
        (
            "topologySpreadConstraints",
            Field::MergeByKey("topologyKey", &ANY),
        ),
        ("schedulingGates", Field::MergeByKey("name", &ANY)),
        ("resourceClaims", Field::MergeByKey("name", &ANY)),
        ("evictionResponders", Field::MergeByKey("name", &ANY)),
    ],
};

/// `core/v1.NodeAllocatableResourceClaimStatus`.
static NODE_ALLOCATABLE_RESOURCE_CLAIM_STATUS: Schema = Schema {
    fields: &[
        ("mapping", Field::MergeByKey("name", &ANY)),
        ("overhead", Field::MergeByKey("name", &ANY)),
    ],
};

/// `core/v1.PodStatus`.
static POD_STATUS: Schema = Schema {
    fields: &[
        CONDITIONS,
        ("hostIPs", Field::MergeByKey("ip", &ANY)),
        ("podIPs", Field::MergeByKey("ip", &ANY)),
        ("resourceClaimStatuses", Field::MergeByKey("name", &ANY)),
        (
            "nodeAllocatableResourceClaimStatuses",
            Field::MergeByKey("resourceClaimName", &NODE_ALLOCATABLE_RESOURCE_CLAIM_STATUS),
        ),
    ],
};

/// `core/v1.PodTemplateSpec`.
static POD_TEMPLATE_SPEC: Schema = Schema {
    fields: &[METADATA, ("spec", Field::Struct(&POD_SPEC))],
};
const TEMPLATE: (&str, Field) = ("template", Field::Struct(&POD_TEMPLATE_SPEC));

static POD: Schema = Schema {
    fields: &[
        METADATA,
        ("spec", Field::Struct(&POD_SPEC)),
        ("status", Field::Struct(&POD_STATUS)),
    ],
};

static POD_TEMPLATE: Schema = Schema {
    fields: &[METADATA, TEMPLATE],
};

/// The spec of Deployment, ReplicaSet, StatefulSet, DaemonSet and ReplicationController: only
/// `template` is tagged below it (`volumeClaimTemplates` has no strategy; Deployment
/// `strategy` is `retainKeys`, which the server honours without a schema entry).
static TEMPLATE_SPEC: Schema = Schema {
    fields: &[TEMPLATE],
};

static WORKLOAD: Schema = Schema {
    fields: &[
        METADATA,
        ("spec", Field::Struct(&TEMPLATE_SPEC)),
        STATUS_CONDITIONS,
    ],
};

/// `batch/v1.JobSchedulingConfiguration`.
static JOB_SCHEDULING: Schema = Schema {
    fields: &[("resourceClaims", Field::MergeByKey("name", &ANY))],
};

/// `batch/v1.JobSpec`.
static JOB_SPEC: Schema = Schema {
    fields: &[TEMPLATE, ("scheduling", Field::Struct(&JOB_SCHEDULING))],
};

static JOB: Schema = Schema {
    fields: &[
        METADATA,
        ("spec", Field::Struct(&JOB_SPEC)),
        STATUS_CONDITIONS,
    ],
};

/// `batch/v1.JobTemplateSpec`.
static JOB_TEMPLATE_SPEC: Schema = Schema {
    fields: &[METADATA, ("spec", Field::Struct(&JOB_SPEC))],
};

static CRON_JOB_SPEC: Schema = Schema {
    fields: &[("jobTemplate", Field::Struct(&JOB_TEMPLATE_SPEC))],
};

static CRON_JOB: Schema = Schema {
    fields: &[METADATA, ("spec", Field::Struct(&CRON_JOB_SPEC))],
};

static SERVICE_SPEC: Schema = Schema {
    fields: &[("ports", Field::MergeByKey("port", &ANY))],
};

static SERVICE: Schema = Schema {
    fields: &[
        METADATA,
        ("spec", Field::Struct(&SERVICE_SPEC)),
        STATUS_CONDITIONS,
    ],
};

static NODE_SPEC: Schema = Schema {
    fields: &[("podCIDRs", Field::MergeSet)],
};

static NODE_STATUS: Schema = Schema {
    fields: &[CONDITIONS, ("addresses", Field::MergeByKey("type", &ANY))],
};

static NODE: Schema = Schema {
    fields: &[
        METADATA,
        ("spec", Field::Struct(&NODE_SPEC)),
        ("status", Field::Struct(&NODE_STATUS)),
    ],
};

/// `core/v1.VolumeHealthStatus`.
static VOLUME_HEALTH_STATUS: Schema = Schema {
    fields: &[("healthConditions", Field::MergeByKey("status", &ANY))],
};

static PERSISTENT_VOLUME_CLAIM_STATUS: Schema = Schema {
    fields: &[
        CONDITIONS,
        ("healthStatus", Field::Struct(&VOLUME_HEALTH_STATUS)),
    ],
};

static PERSISTENT_VOLUME_CLAIM: Schema = Schema {
    fields: &[
        METADATA,
        ("status", Field::Struct(&PERSISTENT_VOLUME_CLAIM_STATUS)),
    ],
};

static SERVICE_ACCOUNT: Schema = Schema {
    fields: &[METADATA, ("secrets", Field::MergeByKey("name", &ANY))],
};

static COMPONENT_STATUS: Schema = Schema {
    fields: &[METADATA, CONDITIONS],
};

static POD_DISRUPTION_BUDGET_SPEC: Schema = Schema {
    fields: &[("selector", Field::Replace)],
};

static POD_DISRUPTION_BUDGET: Schema = Schema {
    fields: &[
        METADATA,
        ("spec", Field::Struct(&POD_DISRUPTION_BUDGET_SPEC)),
        STATUS_CONDITIONS,
    ],
};

static CSI_NODE_SPEC: Schema = Schema {
    fields: &[("drivers", Field::MergeByKey("name", &ANY))],
};

static CSI_NODE: Schema = Schema {
    fields: &[METADATA, ("spec", Field::Struct(&CSI_NODE_SPEC))],
};

/// `ValidatingWebhook` and `MutatingWebhook`; also `MutatingAdmissionPolicySpec`.
static MATCH_CONDITIONS: Schema = Schema {
    fields: &[("matchConditions", Field::MergeByKey("name", &ANY))],
};

static WEBHOOK_CONFIGURATION: Schema = Schema {
    fields: &[
        METADATA,
        ("webhooks", Field::MergeByKey("name", &MATCH_CONDITIONS)),
    ],
};

static VALIDATING_ADMISSION_POLICY_SPEC: Schema = Schema {
    fields: &[
        ("matchConditions", Field::MergeByKey("name", &ANY)),
        ("variables", Field::MergeByKey("name", &ANY)),
    ],
};

static VALIDATING_ADMISSION_POLICY: Schema = Schema {
    fields: &[
        METADATA,
        ("spec", Field::Struct(&VALIDATING_ADMISSION_POLICY_SPEC)),
    ],
};

static MUTATING_ADMISSION_POLICY: Schema = Schema {
    fields: &[METADATA, ("spec", Field::Struct(&MATCH_CONDITIONS))],
};

static RESOURCE_CLAIM_STATUS: Schema = Schema {
    fields: &[("reservedFor", Field::MergeByKey("uid", &ANY))],
};

static RESOURCE_CLAIM: Schema = Schema {
    fields: &[METADATA, ("status", Field::Struct(&RESOURCE_CLAIM_STATUS))],
};

/// Kinds whose only tagged fields are in their metadata.
static METADATA_ONLY: Schema = Schema {
    fields: &[METADATA],
};

/// Kinds with a `status.conditions` merged by `type` and nothing else tagged.
static METADATA_AND_CONDITIONS: Schema = Schema {
    fields: &[METADATA, STATUS_CONDITIONS],
};

/// The schema of a built-in kind; `None` for anything else (custom resources).
fn root_schema(api_version: &str, kind: &str) -> Option<&'static Schema> {
    let schema = match (api_version, kind) {
        ("v1", "Pod") => &POD,
        ("v1", "PodTemplate") => &POD_TEMPLATE,
        ("v1", "ReplicationController") => &WORKLOAD,
        ("v1", "Service") => &SERVICE,
        ("v1", "Node") => &NODE,
        ("v1", "Namespace") => &METADATA_AND_CONDITIONS,
        ("v1", "PersistentVolumeClaim") => &PERSISTENT_VOLUME_CLAIM,
        ("v1", "ServiceAccount") => &SERVICE_ACCOUNT,
        ("v1", "ComponentStatus") => &COMPONENT_STATUS,
        (
            "v1",
            "ConfigMap" | "Secret" | "Endpoints" | "Event" | "PersistentVolume" | "LimitRange"
            | "ResourceQuota" | "Binding",
        ) => &METADATA_ONLY,
        ("apps/v1", "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet") => &WORKLOAD,
        ("apps/v1", "ControllerRevision") => &METADATA_ONLY,
        ("batch/v1", "Job") => &JOB,
        ("batch/v1", "CronJob") => &CRON_JOB,
        ("autoscaling/v1", "HorizontalPodAutoscaler" | "Scale") => &METADATA_ONLY,
        ("autoscaling/v2", "HorizontalPodAutoscaler") => &METADATA_AND_CONDITIONS,
        ("coordination.k8s.io/v1", "Lease") => &METADATA_ONLY,
        ("discovery.k8s.io/v1", "EndpointSlice") => &METADATA_ONLY,
        ("events.k8s.io/v1", "Event") => &METADATA_ONLY,
        ("networking.k8s.io/v1", "Ingress" | "IngressClass" | "NetworkPolicy" | "IPAddress") => {
            &METADATA_ONLY
        }
        ("networking.k8s.io/v1", "ServiceCIDR") => &METADATA_AND_CONDITIONS,
        ("policy/v1", "PodDisruptionBudget") => &POD_DISRUPTION_BUDGET,
        ("policy/v1", "Eviction") => &METADATA_ONLY,
        (
            "rbac.authorization.k8s.io/v1",
            "Role" | "ClusterRole" | "RoleBinding" | "ClusterRoleBinding",
        ) => &METADATA_ONLY,
        ("scheduling.k8s.io/v1", "PriorityClass") => &METADATA_ONLY,
        (
            "storage.k8s.io/v1",
            "StorageClass" | "CSIDriver" | "VolumeAttachment" | "CSIStorageCapacity",
        ) => &METADATA_ONLY,
        ("storage.k8s.io/v1", "CSINode") => &CSI_NODE,
        ("node.k8s.io/v1", "RuntimeClass") => &METADATA_ONLY,
        ("certificates.k8s.io/v1", "CertificateSigningRequest") => &METADATA_ONLY,
        (
            "admissionregistration.k8s.io/v1",
            "ValidatingWebhookConfiguration" | "MutatingWebhookConfiguration",
        ) => &WEBHOOK_CONFIGURATION,
        ("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicy") => {
            &VALIDATING_ADMISSION_POLICY
        }
        ("admissionregistration.k8s.io/v1", "MutatingAdmissionPolicy") => {
            &MUTATING_ADMISSION_POLICY
        }
        (
            "admissionregistration.k8s.io/v1",
            "ValidatingAdmissionPolicyBinding" | "MutatingAdmissionPolicyBinding",
        ) => &METADATA_ONLY,
        ("apiextensions.k8s.io/v1", "CustomResourceDefinition") => &METADATA_ONLY,
        ("apiregistration.k8s.io/v1", "APIService") => &METADATA_AND_CONDITIONS,
        ("flowcontrol.apiserver.k8s.io/v1", "FlowSchema" | "PriorityLevelConfiguration") => {
            &METADATA_AND_CONDITIONS
        }
        ("resource.k8s.io/v1", "ResourceClaim") => &RESOURCE_CLAIM,
        ("resource.k8s.io/v1", "ResourceClaimTemplate" | "DeviceClass" | "ResourceSlice") => {
            &METADATA_ONLY
        }
        ("resource.k8s.io/v1", "DeviceTaintRule") => &METADATA_AND_CONDITIONS,
        _ => return None,
    };
    Some(schema)
}

/// Merges `patch` into the live map `original` (upstream `mergeMap`): directives first
/// (`$patch`, `$retainKeys`, `$setElementOrder/*`), then the fields, then the
/// `$deleteFromPrimitiveList/*` lists.
fn merge_map(
    mut original: Object,
    mut patch: Object,
    schema: &'static Schema,
) -> Result<Object, PatchError> {
    if let Some(directive) = patch.remove(DIRECTIVE) {
        match directive.as_str() {
            Some("replace") => return Ok(fresh_object(patch)),
            Some("delete") => return Ok(Object::new()),
            Some("merge") => {}
            _ => {
                patch.insert(DIRECTIVE.to_owned(), directive.clone());
                return Err(unknown_directive(&directive, &patch));
            }
        }
    }
    if let Some(retain) = patch.remove(RETAIN_KEYS) {
        retain_keys(&mut original, &patch, &retain)?;
    }
    let order_keys: Vec<String> = patch
        .keys()
        .filter(|key| key.starts_with(SET_ELEMENT_ORDER))
        .cloned()
        .collect();
    for order_key in order_keys {
        let Some(order) = patch.remove(&order_key) else {
            continue;
        };
        let name = directive_field(
            &order_key,
            SET_ELEMENT_ORDER,
            PatchError::BadSetElementOrderFormat,
        )?;
        set_element_order(&mut original, &mut patch, name, order, schema)?;
    }
    let mut deletions = Vec::new();
    for (key, value) in patch {
        if key.starts_with(DELETE_FROM_PRIMITIVE_LIST) {
            deletions.push((key, value));
        } else {
            merge_field(&mut original, key, value, schema)?;
        }
    }
    for (key, value) in deletions {
        let name = directive_field(
            &key,
            DELETE_FROM_PRIMITIVE_LIST,
            PatchError::BadPrimitiveListFormat,
        )?;
        delete_from_primitive_list(&mut original, name, value, schema)?;
    }
    Ok(original)
}

/// The field a `$prefix/<field>` directive key names.
fn directive_field<'a>(
    key: &'a str,
    prefix: &str,
    error: PatchError,
) -> Result<&'a str, PatchError> {
    match key.split_once('/') {
        Some((head, field)) if head == prefix => Ok(field),
        _ => Err(error),
    }
}

fn merge_field(
    original: &mut Object,
    key: String,
    patch: Value,
    schema: &'static Schema,
) -> Result<(), PatchError> {
    if patch.is_null() {
        original.remove(&key);
        return Ok(());
    }
    let field = schema.field(&key);
    let merged = match (original.remove(&key), patch) {
        (Some(Value::Object(live)), Value::Object(patch)) => match field {
            Field::Replace => fresh(Value::Object(patch)),
            _ => Some(Value::Object(merge_map(live, patch, field.schema())?)),
        },
        (Some(Value::Array(live)), Value::Array(patch)) if field.merges_lists() => {
            Some(Value::Array(merge_list(live, patch, field, &key)?))
        }
        (_, patch) => fresh(patch),
    };
    if let Some(merged) = merged {
        original.insert(key, merged);
    }
    Ok(())
}

/// `$retainKeys`: every key the patch sets must be listed; live keys not listed go.
fn retain_keys(original: &mut Object, patch: &Object, retain: &Value) -> Result<(), PatchError> {
    let Value::Array(keep) = retain else {
        return Err(PatchError::BadRetainKeysFormat);
    };
    let listed = |key: &str| keep.iter().any(|kept| kept.as_str() == Some(key));
    let unlisted = patch.iter().any(|(key, value)| {
        !value.is_null()
            && !key.starts_with(DELETE_FROM_PRIMITIVE_LIST)
            && !key.starts_with(SET_ELEMENT_ORDER)
            && !listed(key)
    });
    if unlisted {
        return Err(PatchError::BadRetainKeysFormat);
    }
    original.retain(|key, _| listed(key));
    Ok(())
}

/// `$setElementOrder/<name>`: merges the patch's list into the live one, then orders the result
/// (upstream `mergePatchIntoOriginal`): listed elements in the given order, the others where
/// they were in the live list.
fn set_element_order(
    original: &mut Object,
    patch: &mut Object,
    name: &str,
    order: Value,
    schema: &'static Schema,
) -> Result<(), PatchError> {
    let Value::Array(order) = order else {
        return Err(bad_arg_type("[]interface {}", &order));
    };
    let field = schema.field(name);
    let key = field.merge_key();
    let live = match original.remove(name) {
        None => None,
        Some(Value::Array(live)) => Some(live),
        Some(other) => return Err(bad_arg_type("[]interface {}", &other)),
    };
    let patched = match patch.remove(name) {
        None => None,
        Some(Value::Array(patched)) => Some(patched),
        Some(other) => return Err(bad_arg_type("[]interface {}", &other)),
    };
    if live.is_none() && patched.is_none() {
        return Ok(());
    }
    validate_element_order(patched.as_deref().unwrap_or_default(), &order, key)?;
    element_kind(
        live.as_deref().unwrap_or_default(),
        patched.as_deref().unwrap_or_default(),
    )?;
    let merged = match (&live, patched) {
        (Some(live), None) => live.clone(),
        (None, Some(patched)) => fresh_list(patched),
        (Some(live), Some(patched)) if field.merges_lists() => {
            merge_list(live.clone(), patched, field, name)?
        }
        (_, Some(patched)) => fresh_list(patched),
        (None, None) => return Ok(()),
    };
    let live = live.unwrap_or_default();
    let order_ids = match key {
        Some(key) => order
            .iter()
            .enumerate()
            .map(|(i, item)| match item {
                Value::Object(item) => Ok(item.get(key).cloned().unwrap_or(Value::Null)),
                _ => Err(PatchError::InvalidStrategicPatch(format!(
                    "value for key {i} is not a map"
                ))),
            })
            .collect::<Result<Vec<_>, _>>()?,
        None => order,
    };
    let live_ids: Vec<Value> = live
        .iter()
        .map(|item| identity(item, key).clone())
        .collect();
    let (listed, unlisted) = partition(merged, &order_ids, key)?;
    let ordered = normalize_order(listed, unlisted, &order_ids, &live_ids, key);
    original.insert(name.to_owned(), Value::Array(ordered));
    Ok(())
}

/// Upstream `validatePatchWithSetOrderList`: the patch list's elements (deletions aside) appear
/// in `$setElementOrder`, in the same relative order.
fn validate_element_order(
    patch_list: &[Value],
    order: &[Value],
    key: Option<&str>,
) -> Result<(), PatchError> {
    if order.is_empty() || patch_list.is_empty() {
        return Ok(());
    }
    let mut kept = Vec::with_capacity(patch_list.len());
    for item in patch_list {
        if key.is_some() {
            let Value::Object(map) = item else {
                return Err(bad_arg_type("map[string]interface {}", item));
            };
            if map
                .get(DIRECTIVE)
                .is_some_and(|directive| directive == "delete")
            {
                continue;
            }
        }
        kept.push(item);
    }
    let (mut p, mut s) = (0, 0);
    while p < kept.len() && s < order.len() {
        if kept[p].get(DIRECTIVE).is_some() {
            p += 1;
            continue;
        }
        if merge_key_value_equal(kept[p], &order[s], key)? {
            p += 1;
        }
        s += 1;
    }
    if p < kept.len() && s >= order.len() {
        return Err(PatchError::InvalidStrategicPatch(format!(
            "The order in patch list:\n{}\n doesn't match {SET_ELEMENT_ORDER} list:\n{}\n",
            go_fmt(&Value::Array(patch_list.to_vec())),
            go_fmt(&Value::Array(order.to_vec())),
        )));
    }
    Ok(())
}

fn merge_key_value_equal(
    left: &Value,
    right: &Value,
    key: Option<&str>,
) -> Result<bool, PatchError> {
    let Some(key) = key else {
        return Ok(json_eq(left, right));
    };
    let id = |item: &Value| match item {
        Value::Object(map) => map.get(key).cloned().ok_or_else(|| no_merge_key(map, key)),
        other => Err(bad_arg_type("map[string]interface {}", other)),
    };
    Ok(json_eq(&id(left)?, &id(right)?))
}

/// `$deleteFromPrimitiveList/<name>`: removes the values from the live list, keeping its order.
fn delete_from_primitive_list(
    original: &mut Object,
    name: &str,
    value: Value,
    schema: &'static Schema,
) -> Result<(), PatchError> {
    if value.is_null() {
        // Upstream treats `$deleteFromPrimitiveList/x: null` like `x: null`.
        original.remove(name);
        return Ok(());
    }
    let (Some(Value::Array(live)), Value::Array(doomed)) = (original.get_mut(name), value) else {
        return Ok(());
    };
    if element_kind(live, &doomed)? == Some(ElementKind::Object) {
        let merged = merge_list(std::mem::take(live), doomed, schema.field(name), name)?;
        *live = merged;
    } else {
        live.retain(|item| !doomed.iter().any(|gone| json_eq(gone, item)));
    }
    Ok(())
}

/// Merges a list that has `patchStrategy:"merge"` (upstream `mergeSlice`).
fn merge_list(
    live: Vec<Value>,
    patch: Vec<Value>,
    field: Field,
    name: &str,
) -> Result<Vec<Value>, PatchError> {
    if live.is_empty() && patch.is_empty() {
        return Ok(live);
    }
    if element_kind(&live, &patch)? != Some(ElementKind::Object) {
        let mut merged: Vec<Value> = Vec::with_capacity(live.len() + patch.len());
        for item in live.iter().chain(&patch) {
            if !merged.iter().any(|seen| json_eq(seen, item)) {
                merged.push(item.clone());
            }
        }
        let (listed, unlisted) = partition(merged, &patch, None)?;
        return Ok(normalize_order(listed, unlisted, &patch, &live, None));
    }
    let Some(key) = field.merge_key() else {
        return Err(PatchError::InvalidStrategicPatch(format!(
            "cannot merge lists without merge key for {name}"
        )));
    };

    // Elements carrying `$patch` act on the list rather than being merged into it.
    let mut live = live;
    let mut plain = Vec::with_capacity(patch.len());
    let mut replace = false;
    for item in patch {
        let Value::Object(mut element) = item else {
            return Err(bad_arg_type("map[string]interface {}", &item));
        };
        let Some(directive) = element.remove(DIRECTIVE) else {
            plain.push(element);
            continue;
        };
        match directive.as_str() {
            Some("merge") => plain.push(element),
            Some("replace") => replace = true,
            Some("delete") => {
                let Some(doomed) = element.get(key) else {
                    element.insert(DIRECTIVE.to_owned(), directive);
                    return Err(no_merge_key(&element, key));
                };
                live.retain(|item| !item.get(key).is_some_and(|id| json_eq(id, doomed)));
            }
            _ => {
                element.insert(DIRECTIVE.to_owned(), directive.clone());
                return Err(unknown_directive(&directive, &element));
            }
        }
    }
    if replace {
        live = plain
            .drain(..)
            .map(|element| Value::Object(fresh_object(element)))
            .collect();
    }

    let live_ids: Vec<Value> = live
        .iter()
        .map(|item| identity(item, Some(key)).clone())
        .collect();
    let mut patch_ids = Vec::with_capacity(plain.len());
    for element in plain {
        let Some(id) = element.get(key).cloned() else {
            return Err(no_merge_key(&element, key));
        };
        let target = live.iter_mut().find_map(|item| match item {
            Value::Object(map) if map.get(key).is_some_and(|live_id| json_eq(live_id, &id)) => {
                Some(map)
            }
            _ => None,
        });
        match target {
            Some(map) => *map = merge_map(std::mem::take(map), element, field.schema())?,
            None => live.push(Value::Object(fresh_object(element))),
        }
        patch_ids.push(id);
    }
    let (listed, unlisted) = partition(live, &patch_ids, Some(key))?;
    Ok(normalize_order(
        listed,
        unlisted,
        &patch_ids,
        &live_ids,
        Some(key),
    ))
}

/// What identifies a list element: its merge key's value, or itself for primitives.
fn identity<'a>(item: &'a Value, key: Option<&str>) -> &'a Value {
    static NULL: Value = Value::Null;
    match key {
        Some(key) => item.get(key).unwrap_or(&NULL),
        None => item,
    }
}

/// Splits `items` into those whose identity is in `ids` and the rest, keeping their order.
fn partition(
    items: Vec<Value>,
    ids: &[Value],
    key: Option<&str>,
) -> Result<(Vec<Value>, Vec<Value>), PatchError> {
    let mut listed = Vec::new();
    let mut unlisted = Vec::new();
    for item in items {
        if let Some(key) = key {
            match &item {
                Value::Object(map) if !map.contains_key(key) => {
                    return Err(no_merge_key(map, key));
                }
                Value::Object(_) => {}
                other => return Err(bad_arg_type("map[string]interface {}", other)),
            }
        }
        let id = identity(&item, key);
        if ids.iter().any(|listed_id| json_eq(listed_id, id)) {
            listed.push(item);
        } else {
            unlisted.push(item);
        }
    }
    Ok((listed, unlisted))
}

/// Upstream `normalizeElementOrder`: patch elements in patch order, live-only elements in live
/// order, then interleaved: a live-only element goes first only while it sat before the next
/// patch element in the live list, so new patch elements lead.
fn normalize_order(
    mut listed: Vec<Value>,
    mut unlisted: Vec<Value>,
    listed_order: &[Value],
    live_order: &[Value],
    key: Option<&str>,
) -> Vec<Value> {
    let position = |order: &[Value], item: &Value| {
        let id = identity(item, key);
        order.iter().position(|ordered| json_eq(ordered, id))
    };
    listed.sort_by_key(|item| position(listed_order, item).unwrap_or(usize::MAX));
    unlisted.sort_by_key(|item| position(live_order, item).unwrap_or(usize::MAX));
    let mut out = Vec::with_capacity(listed.len() + unlisted.len());
    let mut left = unlisted.into_iter().peekable();
    let mut right = listed.into_iter().peekable();
    loop {
        let take_left = match (left.peek(), right.peek()) {
            (None, None) => break,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (Some(l), Some(r)) => matches!(
                (position(live_order, l), position(live_order, r)),
                (Some(i), Some(j)) if i < j
            ),
        };
        out.extend(if take_left { left.next() } else { right.next() });
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ElementKind {
    Null,
    Bool,
    Number,
    String,
    Object,
}

/// The one kind all elements of the lists share (upstream `sliceElementType`).
fn element_kind(live: &[Value], patch: &[Value]) -> Result<Option<ElementKind>, PatchError> {
    let mut kind = None;
    for item in live.iter().chain(patch) {
        let this = match item {
            Value::Null => ElementKind::Null,
            Value::Bool(_) => ElementKind::Bool,
            Value::Number(_) => ElementKind::Number,
            Value::String(_) => ElementKind::String,
            Value::Object(_) => ElementKind::Object,
            Value::Array(_) => return Err(PatchError::ListOfLists),
        };
        match kind {
            None => kind = Some(this),
            Some(seen) if seen != this => {
                return Err(PatchError::InvalidStrategicPatch(format!(
                    "list element types are not identical: [{} {}]",
                    go_fmt(&Value::Array(live.to_vec())),
                    go_fmt(&Value::Array(patch.to_vec())),
                )));
            }
            Some(_) => {}
        }
    }
    Ok(kind)
}

/// A patch value placed where nothing live is merged with it: `$patch: delete` maps and list
/// markers drop out, other directive keys and `null` members are stripped (upstream
/// `removeDirectives` + `discardNullValuesFromPatch`, plus the keys its typed decode drops).
fn fresh(value: Value) -> Option<Value> {
    match value {
        Value::Object(mut map) => {
            if let Some(directive) = map.remove(DIRECTIVE)
                && directive != "replace"
                && directive != "merge"
            {
                return None;
            }
            Some(Value::Object(fresh_object(map)))
        }
        Value::Array(items) => Some(Value::Array(fresh_list(items))),
        other => Some(other),
    }
}

fn fresh_list(items: Vec<Value>) -> Vec<Value> {
    items
        .into_iter()
        .filter_map(|item| match item {
            Value::Object(mut map) => match map.remove(DIRECTIVE) {
                None => Some(Value::Object(fresh_object(map))),
                Some(directive) if directive == "merge" => Some(Value::Object(fresh_object(map))),
                Some(_) => None,
            },
            other => fresh(other),
        })
        .collect()
}

fn fresh_object(map: Object) -> Object {
    map.into_iter()
        .filter(|(key, value)| !value.is_null() && !is_directive_key(key))
        .filter_map(|(key, value)| fresh(value).map(|value| (key, value)))
        .collect()
}

fn is_directive_key(key: &str) -> bool {
    key == DIRECTIVE
        || key == RETAIN_KEYS
        || key.starts_with(SET_ELEMENT_ORDER)
        || key.starts_with(DELETE_FROM_PRIMITIVE_LIST)
}

// ---------------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------------

/// JSON equality with numbers compared by value (`1 == 1.0`), as Go's `float64` does.
fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            x == y || matches!((x.as_f64(), y.as_f64()), (Some(x), Some(y)) if x == y)
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| json_eq(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(key, x)| y.get(key).is_some_and(|y| json_eq(x, y)))
        }
        _ => a == b,
    }
}

/// The Go type a decoded JSON value has, for upstream-like messages.
fn go_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "<nil>",
        Value::Bool(_) => "bool",
        Value::Number(_) => "float64",
        Value::String(_) => "string",
        Value::Array(_) => "[]interface {}",
        Value::Object(_) => "map[string]interface {}",
    }
}

/// A value as Go's `%v` prints a decoded JSON value (`map[name:nginx]`, `[a b]`).
fn go_fmt(value: &Value) -> String {
    match value {
        Value::Null => "<nil>".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(go_fmt).collect();
            format!("[{}]", items.join(" "))
        }
        Value::Object(map) => {
            let entries: Vec<String> = map
                .iter()
                .map(|(key, value)| format!("{key}:{}", go_fmt(value)))
                .collect();
            format!("map[{}]", entries.join(" "))
        }
    }
}

fn bad_arg_type(expected: &str, actual: &Value) -> PatchError {
    PatchError::InvalidStrategicPatch(format!(
        "expected a {expected}, but received a {}",
        go_type(actual)
    ))
}

fn no_merge_key(map: &Object, key: &str) -> PatchError {
    PatchError::NoMergeKey {
        map: go_fmt(&Value::Object(map.clone())),
        key: key.to_owned(),
    }
}

fn unknown_directive(directive: &Value, map: &Object) -> PatchError {
    PatchError::UnknownDirective {
        directive: go_fmt(directive),
        map: go_fmt(&Value::Object(map.clone())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn smp(api_version: &str, kind: &str, doc: &Value, patch: Value) -> Value {
        strategic_merge_patch(api_version, kind, doc, &patch)
            .expect("strategic merge patch applies")
    }

    fn deployment() -> Value {
        json!({
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "x", "namespace": "default", "labels": {"app": "x"}},
            "spec": {
                "replicas": 2,
                "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
                "template": {
                    "metadata": {"labels": {"app": "x"}},
                    "spec": {
                        "containers": [
                            {
                                "name": "nginx",
                                "image": "nginx:1.24.0",
                                "imagePullPolicy": "IfNotPresent",
                                "ports": [{"containerPort": 80, "protocol": "TCP"}],
                                "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]
                            },
                            {"name": "sidecar", "image": "busybox", "args": ["sleep", "3600"]}
                        ],
                        "tolerations": [{"key": "a", "operator": "Exists"}, {"key": "b", "operator": "Exists"}]
                    }
                }
            },
            "status": {"conditions": [
                {"type": "Available", "status": "True"},
                {"type": "Progressing", "status": "True"}
            ]}
        })
    }

    fn containers(doc: &Value) -> &Value {
        &doc["spec"]["template"]["spec"]["containers"]
    }

    fn names(list: &Value) -> Vec<&str> {
        list.as_array()
            .expect("a list")
            .iter()
            .map(|item| item["name"].as_str().expect("a name"))
            .collect()
    }

    // --- strategic merge patch: the kubectl flows -------------------------------------------

    #[test]
    fn set_image_merges_the_container_by_name_and_keeps_the_rest() {
        let doc = deployment();
        let out = smp(
            "apps/v1",
            "Deployment",
            &doc,
            json!({"spec": {"template": {"spec": {"containers": [{"name": "nginx", "image": "busybox"}]}}}}),
        );
        let mut expected = doc.clone();
        expected["spec"]["template"]["spec"]["containers"][0]["image"] = json!("busybox");
        assert_eq!(out, expected);
    }

    #[test]
    fn set_image_as_kubectl_sends_it_with_set_element_order() {
        let doc = deployment();
        let out = smp(
            "apps/v1",
            "Deployment",
            &doc,
            json!({"spec": {"template": {"spec": {
                "$setElementOrder/containers": [{"name": "nginx"}, {"name": "sidecar"}],
                "containers": [{"image": "busybox", "name": "nginx"}]
            }}}}),
        );
        let mut expected = doc.clone();
        expected["spec"]["template"]["spec"]["containers"][0]["image"] = json!("busybox");
        assert_eq!(out, expected);
    }

    #[test]
    fn label_and_annotate_merge_maps_and_null_removes_a_key() {
        let doc = json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "c", "labels": {"app": "c", "old": "yes"}},
            "data": {"k": "v"}});
        let out = smp(
            "v1",
            "ConfigMap",
            &doc,
            json!({"metadata": {"labels": {"env": "prod", "old": null}, "annotations": {"note": "hi"}}}),
        );
        assert_eq!(
            out["metadata"],
            json!({"name": "c", "labels": {"app": "c", "env": "prod"}, "annotations": {"note": "hi"}})
        );
        assert_eq!(out["data"], json!({"k": "v"}));
    }

    #[test]
    fn apply_reorders_with_set_element_order_and_nulls_remove_fields() {
        let doc = deployment();
        // Like kubectl apply after the user swapped the containers, bumped nginx and dropped its
        // imagePullPolicy and env B.
        let out = smp(
            "apps/v1",
            "Deployment",
            &doc,
            json!({
                "metadata": {"annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{}"}},
                "spec": {"template": {"spec": {
                    "$setElementOrder/containers": [{"name": "sidecar"}, {"name": "nginx"}],
                    "containers": [{
                        "name": "nginx",
                        "image": "nginx:1.25.0",
                        "imagePullPolicy": null,
                        "$setElementOrder/env": [{"name": "A"}],
                        "env": [{"name": "B", "$patch": "delete"}]
                    }]
                }}}
            }),
        );
        let list = containers(&out);
        assert_eq!(names(list), ["sidecar", "nginx"]);
        assert_eq!(
            list[1],
            json!({"name": "nginx", "image": "nginx:1.25.0",
                   "ports": [{"containerPort": 80, "protocol": "TCP"}],
                   "env": [{"name": "A", "value": "1"}]})
        );
        assert_eq!(list[0], containers(&doc)[1]);
        assert_eq!(
            out["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"],
            "{}"
        );
    }

    #[test]
    fn apply_places_a_new_element_where_set_element_order_says() {
        let doc = json!({"spec": {"containers": [{"name": "a"}, {"name": "b"}]}});
        let out = smp(
            "v1",
            "Pod",
            &doc,
            json!({"spec": {
                "$setElementOrder/containers": [{"name": "a"}, {"name": "c"}, {"name": "b"}],
                "containers": [{"name": "c", "image": "c"}]
            }}),
        );
        assert_eq!(names(&out["spec"]["containers"]), ["a", "c", "b"]);
    }

    #[test]
    fn new_list_elements_lead_without_set_element_order_as_upstream() {
        let doc = json!({"spec": {"containers": [{"name": "a"}, {"name": "b"}]}});
        let out = smp(
            "v1",
            "Pod",
            &doc,
            json!({"spec": {"containers": [{"name": "c", "image": "c"}, {"name": "b", "image": "b2"}]}}),
        );
        assert_eq!(names(&out["spec"]["containers"]), ["c", "a", "b"]);
        assert_eq!(
            out["spec"]["containers"][2],
            json!({"name": "b", "image": "b2"})
        );
        let out = smp(
            "v1",
            "Pod",
            &doc,
            json!({"spec": {"containers": [{"name": "c"}]}}),
        );
        assert_eq!(names(&out["spec"]["containers"]), ["c", "a", "b"]);
    }

    #[test]
    fn patch_delete_removes_a_list_element_by_merge_key() {
        let doc = deployment();
        let out = smp(
            "apps/v1",
            "Deployment",
            &doc,
            json!({"spec": {"template": {"spec": {"containers": [{"name": "sidecar", "$patch": "delete"}]}}}}),
        );
        assert_eq!(names(containers(&out)), ["nginx"]);
        assert_eq!(containers(&out)[0], containers(&doc)[0]);
    }

    #[test]
    fn patch_replace_replaces_a_whole_list_or_map() {
        let doc = deployment();
        let out = smp(
            "apps/v1",
            "Deployment",
            &doc,
            json!({"spec": {"template": {"spec": {"containers": [
                {"$patch": "replace"},
                {"name": "only", "image": "only", "env": [{"name": "X", "value": null}]}
            ]}}}}),
        );
        assert_eq!(
            containers(&out),
            &json!([{"name": "only", "image": "only", "env": [{"name": "X"}]}])
        );

        let out = smp(
            "apps/v1",
            "Deployment",
            &doc,
            json!({"metadata": {"labels": {"$patch": "replace", "tier": "web"}}}),
        );
        assert_eq!(out["metadata"]["labels"], json!({"tier": "web"}));
    }

    #[test]
    fn patch_delete_on_a_map_empties_it() {
        let doc = deployment();
        let out = smp(
            "apps/v1",
            "Deployment",
            &doc,
            json!({"spec": {"strategy": {"$patch": "delete"}}}),
        );
        assert_eq!(out["spec"]["strategy"], json!({}));
    }

    #[test]
    fn patch_merge_is_the_default_it_names() {
        let doc = deployment();
        let out = smp(
            "apps/v1",
            "Deployment",
            &doc,
            json!({"metadata": {"labels": {"$patch": "merge", "tier": "web"}},
                   "spec": {"template": {"spec": {"containers": [{"name": "nginx", "$patch": "merge", "image": "n"}]}}}}),
        );
        assert_eq!(
            out["metadata"]["labels"],
            json!({"app": "x", "tier": "web"})
        );
        assert_eq!(containers(&out)[0]["image"], "n");
        assert_eq!(names(containers(&out)), ["nginx", "sidecar"]);
    }

    #[test]
    fn delete_from_primitive_list_removes_finalizers() {
        let doc = json!({"metadata": {"name": "ns", "finalizers": ["a", "b", "c"]}});
        let out = smp(
            "v1",
            "Namespace",
            &doc,
            json!({"metadata": {"$deleteFromPrimitiveList/finalizers": ["b", "zz"]}}),
        );
        assert_eq!(out["metadata"]["finalizers"], json!(["a", "c"]));
    }

    #[test]
    fn finalizers_merge_as_a_set() {
        let doc = json!({"metadata": {"finalizers": ["a", "b"]}});
        let out = smp(
            "v1",
            "ConfigMap",
            &doc,
            json!({"metadata": {"finalizers": ["b", "c"]}}),
        );
        assert_eq!(out["metadata"]["finalizers"], json!(["a", "b", "c"]));
        // A value the live list lacks comes first, as upstream orders it.
        let out = smp(
            "v1",
            "ConfigMap",
            &doc,
            json!({"metadata": {"finalizers": ["c"]}}),
        );
        assert_eq!(out["metadata"]["finalizers"], json!(["c", "a", "b"]));
        // kubectl apply's form: add c, drop b, keep the user's order.
        let out = smp(
            "v1",
            "ConfigMap",
            &doc,
            json!({"metadata": {
                "$setElementOrder/finalizers": ["a", "c"],
                "finalizers": ["c"],
                "$deleteFromPrimitiveList/finalizers": ["b"]
            }}),
        );
        assert_eq!(out["metadata"]["finalizers"], json!(["a", "c"]));
    }

    #[test]
    fn retain_keys_drops_unlisted_live_keys() {
        let doc = deployment();
        let out = smp(
            "apps/v1",
            "Deployment",
            &doc,
            json!({"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}}),
        );
        assert_eq!(out["spec"]["strategy"], json!({"type": "Recreate"}));

        // kubectl apply switching a volume from emptyDir to hostPath.
        let pod = json!({"spec": {"volumes": [{"name": "v", "emptyDir": {}}], "containers": []}});
        let out = smp(
            "v1",
            "Pod",
            &pod,
            json!({"spec": {
                "$setElementOrder/volumes": [{"name": "v"}],
                "volumes": [{"$retainKeys": ["hostPath", "name"], "hostPath": {"path": "/tmp"}, "name": "v"}]
            }}),
        );
        assert_eq!(
            out["spec"]["volumes"],
            json!([{"name": "v", "hostPath": {"path": "/tmp"}}])
        );
    }

    #[test]
    fn retain_keys_must_list_every_patched_key() {
        let err = strategic_merge_patch(
            "apps/v1",
            "Deployment",
            &deployment(),
            &json!({"spec": {"strategy": {"$retainKeys": ["type"], "rollingUpdate": {"maxSurge": 1}}}}),
        )
        .expect_err("rollingUpdate is not retained");
        assert_eq!(err, PatchError::BadRetainKeysFormat);
        assert_eq!(err.code(), 400);
    }

    #[test]
    fn lists_without_a_strategy_are_replaced() {
        let doc = deployment();
        let out = smp(
            "apps/v1",
            "Deployment",
            &doc,
            json!({"spec": {"template": {"spec": {
                "tolerations": [{"key": "c", "operator": "Exists"}],
                "containers": [{"name": "sidecar", "args": ["sleep", "1"]}]
            }}}}),
        );
        assert_eq!(
            out["spec"]["template"]["spec"]["tolerations"],
            json!([{"key": "c", "operator": "Exists"}])
        );
        assert_eq!(containers(&out)[1]["args"], json!(["sleep", "1"]));
    }

    #[test]
    fn nested_lists_merge_by_their_own_keys() {
        let doc = deployment();
        let out = smp(
            "apps/v1",
            "Deployment",
            &doc,
            json!({"spec": {"template": {"spec": {"containers": [{
                "name": "nginx",
                "env": [{"name": "B", "value": "3"}, {"name": "C", "value": "4"}],
                "ports": [{"containerPort": 443}]
            }]}}}}),
        );
        let nginx = &containers(&out)[0];
        assert_eq!(
            nginx["env"],
            json!([{"name": "A", "value": "1"}, {"name": "B", "value": "3"}, {"name": "C", "value": "4"}])
        );
        assert_eq!(
            nginx["ports"],
            json!([{"containerPort": 443}, {"containerPort": 80, "protocol": "TCP"}])
        );
    }

    #[test]
    fn status_conditions_merge_by_type() {
        let doc = deployment();
        let out = smp(
            "apps/v1",
            "Deployment",
            &doc,
            json!({"status": {"conditions": [{"type": "Progressing", "status": "False"}]}}),
        );
        assert_eq!(
            out["status"]["conditions"],
            json!([{"type": "Available", "status": "True"}, {"type": "Progressing", "status": "False"}])
        );
    }

    #[test]
    fn every_workload_template_shares_the_pod_spec() {
        let template = json!({"metadata": {"labels": {"a": "b"}},
            "spec": {"containers": [{"name": "c", "image": "old"}, {"name": "d", "image": "d"}]}});
        let patch_template = json!({"spec": {"containers": [{"name": "c", "image": "new"}]}});
        let cases = [
            ("apps/v1", "Deployment", vec!["spec", "template"]),
            ("apps/v1", "ReplicaSet", vec!["spec", "template"]),
            ("apps/v1", "StatefulSet", vec!["spec", "template"]),
            ("apps/v1", "DaemonSet", vec!["spec", "template"]),
            ("v1", "ReplicationController", vec!["spec", "template"]),
            ("v1", "PodTemplate", vec!["template"]),
            ("batch/v1", "Job", vec!["spec", "template"]),
            (
                "batch/v1",
                "CronJob",
                vec!["spec", "jobTemplate", "spec", "template"],
            ),
        ];
        for (api_version, kind, path) in cases {
            let wrap = |inner: &Value| {
                path.iter()
                    .rev()
                    .fold(inner.clone(), |value, key| json!({ *key: value }))
            };
            let out = smp(api_version, kind, &wrap(&template), wrap(&patch_template));
            let at = path.iter().fold(&out, |value, key| &value[*key]);
            assert_eq!(
                at["spec"]["containers"],
                json!([{"name": "c", "image": "new"}, {"name": "d", "image": "d"}]),
                "{api_version} {kind}"
            );
            assert_eq!(
                at["metadata"]["labels"],
                json!({"a": "b"}),
                "{api_version} {kind}"
            );
        }
    }

    #[test]
    fn other_kinds_use_their_merge_keys() {
        let svc = json!({"spec": {"ports": [{"port": 80, "name": "http"}, {"port": 443, "name": "https"}]}});
        let out = smp(
            "v1",
            "Service",
            &svc,
            json!({"spec": {"ports": [{"port": 443, "targetPort": 8443}]}}),
        );
        assert_eq!(
            out["spec"]["ports"],
            json!([{"port": 80, "name": "http"}, {"port": 443, "name": "https", "targetPort": 8443}])
        );

        let node = json!({"spec": {"podCIDRs": ["10.0.0.0/24"], "taints": [{"key": "a", "effect": "NoSchedule"}]},
            "status": {"addresses": [{"type": "InternalIP", "address": "10.1.1.1"}, {"type": "Hostname", "address": "n"}]}});
        let out = smp(
            "v1",
            "Node",
            &node,
            json!({"spec": {"taints": [{"key": "b", "effect": "NoExecute"}]},
                   "status": {"addresses": [{"type": "InternalIP", "address": "10.1.1.2"}]}}),
        );
        assert_eq!(
            out["spec"]["taints"],
            json!([{"key": "b", "effect": "NoExecute"}])
        );
        assert_eq!(
            out["status"]["addresses"],
            json!([{"type": "InternalIP", "address": "10.1.1.2"}, {"type": "Hostname", "address": "n"}])
        );

        let sa = json!({"metadata": {"ownerReferences": [{"uid": "1", "name": "a"}]}, "secrets": [{"name": "s1"}]});
        let out = smp(
            "v1",
            "ServiceAccount",
            &sa,
            json!({"metadata": {"ownerReferences": [{"uid": "1", "controller": true}]}, "secrets": [{"name": "s2"}]}),
        );
        assert_eq!(out["secrets"], json!([{"name": "s2"}, {"name": "s1"}]));
        assert_eq!(
            out["metadata"]["ownerReferences"],
            json!([{"uid": "1", "name": "a", "controller": true}])
        );

        let pdb = json!({"spec": {"selector": {"matchLabels": {"a": "b"}}, "minAvailable": 1}});
        let out = smp(
            "policy/v1",
            "PodDisruptionBudget",
            &pdb,
            json!({"spec": {"selector": {"matchExpressions": []}}}),
        );
        assert_eq!(
            out["spec"],
            json!({"selector": {"matchExpressions": []}, "minAvailable": 1})
        );
    }

    #[test]
    fn new_values_lose_directives_and_nulls() {
        let doc = json!({"spec": {"containers": [{"name": "a"}]}});
        let out = smp(
            "v1",
            "Pod",
            &doc,
            json!({"spec": {
                "initContainers": [{"name": "gone", "$patch": "delete"}, {"name": "i", "env": null, "args": ["x"]}],
                "$setElementOrder/initContainers": [{"name": "i"}],
                "securityContext": {"$retainKeys": ["runAsUser"], "runAsUser": 1, "fsGroup": null},
                "affinity": {"$patch": "delete"}
            }}),
        );
        assert_eq!(
            out["spec"],
            json!({"containers": [{"name": "a"}],
                   "initContainers": [{"name": "i", "args": ["x"]}],
                   "securityContext": {"runAsUser": 1}})
        );
    }

    #[test]
    fn empty_and_null_patches_change_nothing() {
        let doc = deployment();
        assert_eq!(smp("apps/v1", "Deployment", &doc, json!({})), doc);
        assert_eq!(smp("apps/v1", "Deployment", &doc, Value::Null), doc);
    }

    #[test]
    fn custom_resources_get_unsupported_media_type() {
        let err = strategic_merge_patch("example.com/v1", "Widget", &json!({}), &json!({}))
            .expect_err("no patch metadata for custom resources");
        assert_eq!(
            err,
            PatchError::StrategicMergeUnsupported {
                api_version: "example.com/v1".into(),
                kind: "Widget".into()
            }
        );
        assert_eq!((err.code(), err.reason()), (415, "UnsupportedMediaType"));
        assert!(err.to_string().contains("application/merge-patch+json"));
    }

    #[test]
    fn malformed_strategic_patches_are_errors() {
        let doc = deployment();
        let err = |patch: Value| {
            strategic_merge_patch("apps/v1", "Deployment", &doc, &patch).expect_err("malformed")
        };
        assert_eq!(err(json!([])), PatchError::InvalidDocument);
        assert_eq!(
            err(json!({"spec": {"template": {"spec": {"containers": [{"image": "x"}]}}}})),
            PatchError::NoMergeKey {
                map: "map[image:x]".into(),
                key: "name".into()
            }
        );
        let unknown = err(json!({"metadata": {"labels": {"$patch": "explode"}}}));
        assert_eq!(
            unknown.to_string(),
            "unknown patch type: explode in map: map[$patch:explode]"
        );
        assert_eq!(unknown.code(), 500);
        assert!(matches!(
            err(json!({"spec": {"template": {"spec": {
                "$setElementOrder/containers": [{"name": "nginx"}],
                "containers": [{"name": "sidecar", "image": "x"}]
            }}}})),
            PatchError::InvalidStrategicPatch(message) if message.starts_with("The order in patch list")
        ));
        assert_eq!(
            err(json!({"metadata": {"$setElementOrder": []}})),
            PatchError::BadSetElementOrderFormat
        );
        assert_eq!(
            err(json!({"metadata": {"$deleteFromPrimitiveList": ["a"]}})),
            PatchError::BadPrimitiveListFormat
        );
        let with_finalizers = json!({"metadata": {"finalizers": ["a"]}});
        let err = |patch: Value| {
            strategic_merge_patch("v1", "Secret", &with_finalizers, &patch).expect_err("malformed")
        };
        assert_eq!(
            err(json!({"metadata": {"finalizers": [["a"]]}})),
            PatchError::ListOfLists
        );
        assert_eq!(
            err(json!({"metadata": {"finalizers": [1]}})),
            PatchError::InvalidStrategicPatch(
                "list element types are not identical: [[a] [1]]".into()
            )
        );
        assert_eq!(
            err(json!({"metadata": {"$retainKeys": "name"}})),
            PatchError::BadRetainKeysFormat
        );
    }

    // --- JSON merge patch ---------------------------------------------------------------------

    #[test]
    fn merge_patch_follows_rfc_7386() {
        let doc = json!({"a": "b", "c": {"d": "e", "f": "g"}, "list": [1, 2]});
        assert_eq!(
            merge_patch(
                &doc,
                &json!({"a": "z", "c": {"f": null}, "list": [3], "n": {"x": null, "y": 1}})
            ),
            json!({"a": "z", "c": {"d": "e"}, "list": [3], "n": {"y": 1}})
        );
        assert_eq!(
            merge_patch(&doc, &json!({"a": null, "c": null, "list": null})),
            json!({})
        );
        assert_eq!(merge_patch(&doc, &json!(["x"])), json!(["x"]));
        assert_eq!(merge_patch(&json!("s"), &json!({"a": 1})), json!({"a": 1}));
        assert_eq!(merge_patch(&doc, &json!({})), doc);
    }

    // --- JSON patch ---------------------------------------------------------------------------

    #[test]
    fn json_patch_applies_every_operation() {
        let doc =
            json!({"metadata": {"labels": {"a": "1"}}, "spec": {"list": [1, 2, 3], "x": {"y": 1}}});
        let out = json_patch(
            &doc,
            &json!([
                {"op": "test", "path": "/metadata/labels/a", "value": "1"},
                {"op": "add", "path": "/metadata/labels/b", "value": "2"},
                {"op": "add", "path": "/metadata/labels/k8s.io~1role", "value": "r"},
                {"op": "add", "path": "/spec/list/1", "value": 9},
                {"op": "add", "path": "/spec/list/-", "value": 4},
                {"op": "remove", "path": "/spec/list/0"},
                {"op": "replace", "path": "/spec/x/y", "value": 2},
                {"op": "move", "from": "/spec/x", "path": "/spec/moved"},
                {"op": "copy", "from": "/metadata/labels", "path": "/spec/labels"},
                {"op": "test", "path": "/spec/list", "value": [9, 2, 3, 4]},
                {"op": "test", "path": "/spec/missing", "value": null}
            ]),
        )
        .expect("applies");
        assert_eq!(
            out,
            json!({
                "metadata": {"labels": {"a": "1", "b": "2", "k8s.io/role": "r"}},
                "spec": {
                    "list": [9, 2, 3, 4],
                    "moved": {"y": 2},
                    "labels": {"a": "1", "b": "2", "k8s.io/role": "r"}
                }
            })
        );
    }

    #[test]
    fn json_patch_negative_indices_and_root() {
        let doc = json!({"l": [1, 2, 3]});
        let out = json_patch(
            &doc,
            &json!([{"op": "remove", "path": "/l/-1"}, {"op": "add", "path": "/l/-1", "value": 7}]),
        )
        .expect("applies");
        assert_eq!(out, json!({"l": [1, 2, 7]}));
        let out = json_patch(
            &doc,
            &json!([{"op": "replace", "path": "", "value": {"new": true}}]),
        )
        .expect("applies");
        assert_eq!(out, json!({"new": true}));
    }

    #[test]
    fn json_patch_failing_test_is_an_error() {
        let doc = json!({"spec": {"replicas": 1}});
        let err = json_patch(
            &doc,
            &json!([
                {"op": "replace", "path": "/spec/replicas", "value": 5},
                {"op": "test", "path": "/spec/replicas", "value": 3}
            ]),
        )
        .expect_err("test fails");
        assert_eq!(
            err,
            PatchError::TestFailed {
                path: "/spec/replicas".into()
            }
        );
        assert_eq!(
            err.to_string(),
            "testing value /spec/replicas failed: test failed"
        );
        assert_eq!((err.code(), err.reason()), (422, "Invalid"));
        let err = json_patch(
            &doc,
            &json!([{"op": "test", "path": "/spec/missing", "value": 1}]),
        )
        .expect_err("missing member is not 1");
        assert!(matches!(err, PatchError::TestFailed { .. }));
    }

    #[test]
    fn json_patch_on_a_missing_path_is_an_error() {
        let doc = json!({"metadata": {"name": "x"}, "list": [1]});
        let cases = [
            json!({"op": "add", "path": "/spec/replicas", "value": 1}),
            json!({"op": "remove", "path": "/metadata/labels"}),
            json!({"op": "remove", "path": "/spec/replicas"}),
            json!({"op": "replace", "path": "/metadata/labels", "value": {}}),
            json!({"op": "move", "from": "/nope", "path": "/x"}),
            json!({"op": "copy", "from": "/nope", "path": "/x"}),
            json!({"op": "add", "path": "/list/5", "value": 1}),
            json!({"op": "remove", "path": "/list/1"}),
            json!({"op": "add", "path": "/list/x", "value": 1}),
            json!({"op": "add", "path": "no-slash", "value": 1}),
            json!({"op": "frobnicate", "path": "/x"}),
            json!({"op": "add", "value": 1}),
        ];
        for op in cases {
            let err = json_patch(&doc, &json!([op.clone()])).expect_err("does not apply");
            assert!(
                matches!(err, PatchError::OperationFailed(_)),
                "{op}: {err:?}"
            );
            assert_eq!(err.code(), 422, "{op}");
        }
        let err = json_patch(
            &doc,
            &json!([{"op": "add", "path": "/spec/replicas", "value": 1}]),
        )
        .expect_err("no spec");
        assert_eq!(
            err.to_string(),
            "add operation does not apply: doc is missing path: \"/spec/replicas\": missing value"
        );
    }

    #[test]
    fn json_patch_shape_and_size_limits() {
        let doc = json!({});
        let err = json_patch(&doc, &json!({"op": "add"})).expect_err("not a list");
        assert_eq!(err.code(), 400);
        assert_eq!(
            err.to_string(),
            "json: cannot unmarshal object into Go value of type jsonpatch.Patch"
        );
        assert_eq!(
            json_patch(&doc, &json!(["add"])).map_err(|e| e.code()),
            Err(400)
        );
        let ops =
            vec![json!({"op": "test", "path": "", "value": {}}); MAX_JSON_PATCH_OPERATIONS + 1];
        let err = json_patch(&doc, &Value::Array(ops)).expect_err("too many");
        assert_eq!((err.code(), err.reason()), (413, "RequestEntityTooLarge"));
        assert_eq!(
            err.to_string(),
            "The allowed maximum operations in a JSON patch is 10000, got 10001"
        );
        assert_eq!(json_patch(&doc, &Value::Null), Ok(doc.clone()));
    }

    // --- properties ---------------------------------------------------------------------------

    fn json_value(with_arrays: bool) -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            (-3i64..3).prop_map(Value::from),
            "[a-c]{0,2}".prop_map(Value::from),
        ];
        leaf.prop_recursive(3, 32, 4, move |inner| {
            let object = prop::collection::btree_map("[a-d]", inner.clone(), 0..4)
                .prop_map(|map| Value::Object(map.into_iter().collect()));
            if with_arrays {
                prop_oneof![
                    prop::collection::vec(inner, 0..4).prop_map(Value::Array),
                    object
                ]
                .boxed()
            } else {
                object.boxed()
            }
        })
    }

    fn json_object(with_arrays: bool) -> impl Strategy<Value = Value> {
        prop::collection::btree_map("[a-d]", json_value(with_arrays), 0..5)
            .prop_map(|map| Value::Object(map.into_iter().collect()))
    }

    fn pod_with_containers() -> impl Strategy<Value = (Value, Value)> {
        let container =
            ("[a-e]", "[x-z]").prop_map(|(name, image)| json!({"name": name, "image": image}));
        let list = prop::collection::vec(container, 0..5).prop_map(|items| {
            // Live lists have unique names.
            let mut seen = Vec::new();
            items
                .into_iter()
                .filter(|item| {
                    let fresh = !seen.contains(&item["name"]);
                    seen.push(item["name"].clone());
                    fresh
                })
                .collect::<Vec<_>>()
        });
        (list.clone(), list).prop_map(|(live, patch)| {
            (
                json!({"spec": {"containers": live}}),
                json!({"spec": {"containers": patch}}),
            )
        })
    }

    proptest! {
        #[test]
        fn empty_merge_patch_is_identity(doc in json_object(true)) {
            prop_assert_eq!(merge_patch(&doc, &json!({})), doc);
        }

        #[test]
        fn merge_patch_is_idempotent(doc in json_object(true), patch in json_object(true)) {
            let once = merge_patch(&doc, &patch);
            prop_assert_eq!(merge_patch(&once, &patch), once);
        }

        #[test]
        fn empty_strategic_and_json_patches_are_identity(doc in json_object(true)) {
            prop_assert_eq!(strategic_merge_patch("v1", "Pod", &doc, &json!({})), Ok(doc.clone()));
            prop_assert_eq!(json_patch(&doc, &json!([])), Ok(doc));
        }

        #[test]
        fn strategic_without_lists_is_a_merge_patch(doc in json_object(false), patch in json_object(false)) {
            prop_assert_eq!(
                strategic_merge_patch("v1", "ConfigMap", &doc, &patch),
                Ok(merge_patch(&doc, &patch))
            );
        }

        #[test]
        fn merged_containers_are_the_union_by_name((doc, patch) in pod_with_containers()) {
            let out = strategic_merge_patch("v1", "Pod", &doc, &patch).expect("applies");
            let mut got: Vec<&str> = names(&out["spec"]["containers"]);
            let mut want: Vec<&str> = names(&doc["spec"]["containers"]);
            want.extend(names(&patch["spec"]["containers"]));
            want.sort_unstable();
            want.dedup();
            got.sort_unstable();
            prop_assert_eq!(got, want);
            for item in patch["spec"]["containers"].as_array().expect("a list") {
                let merged = out["spec"]["containers"].as_array().expect("a list")
                    .iter().find(|c| c["name"] == item["name"]).expect("present");
                prop_assert_eq!(&merged["image"], &item["image"]);
            }
        }
    }
}
