//! The HTTPS server: routing of the Kubernetes REST paths onto the registry, content
//! negotiation (JSON and YAML in, JSON and `Table` out), watch streaming, subresources and the
//! review APIs.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{HeaderValue, Method, Request, Response, StatusCode, header};
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::{Frame, Incoming};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

use crate::authn::UserInfo;
use crate::discovery;
use crate::error::{ApiError, ApiResult};
use crate::metrics::Metrics;
use crate::registry::{
    DeleteOptions, FieldValidation, ListOptions, Registry, WatchEvent, WriteOptions,
};
use crate::resources::{self, Resource};
use crate::selectors::{FieldSelector, LabelSelector};
use crate::table;

pub type Body = UnsyncBoxBody<Bytes, Infallible>;

/// Upstream's limit on request bodies.
const MAX_BODY: usize = 3 * 1024 * 1024;
/// How much of an oversize body is read before answering 413.
const DRAIN_LIMIT: usize = 4 * MAX_BODY;

pub struct ApiServer {
    pub registry: Registry,
    /// host:port clients reach this server at (reported by `/api`).
    pub advertise: String,
    pub metrics: Metrics,
    /// Whether the store answered lately (for `/readyz`).
    pub ready: std::sync::atomic::AtomicBool,
    pub authn: crate::authn::Authenticator,
    pub authz: Arc<crate::authz::Authorizer>,
    /// Service account token signing (None: TokenRequest is not served).
    pub tokens: Option<crate::reviews::TokenIssuer>,
    /// Public keys of service account tokens, for `/openid/v1/jwks`.
    pub service_account_keys: Vec<crate::serviceaccount::PublicKey>,
    /// `--audit-policy-file` and `--audit-log-path`.
    pub audit: Option<(crate::audit::Policy, crate::audit::LogBackend)>,
}

/// The request and response objects of a write, for the audit log (kept in the response's
/// extensions when auditing is on).
#[derive(Clone)]
struct AuditObjects {
    request: Option<Value>,
    response: Value,
}

/// An authenticated, authorized request's user (and, when impersonating, who asked).
struct Authorized {
    user: UserInfo,
    requester: Option<UserInfo>,
    reason: String,
}

fn audit_user(u: &UserInfo) -> crate::audit::UserInfo {
    crate::audit::UserInfo {
        username: u.name.clone(),
        uid: u.uid.clone(),
        groups: u.groups.clone(),
        extra: u.extra.clone(),
    }
}

/// The client's address, which the connection handler records in the request's extensions.
fn peer_ip(req: &Request<Incoming>) -> String {
    req.extensions()
        .get::<PeerAddr>()
        .map(|p| p.0.ip().to_string())
        .unwrap_or_default()
}

/// The remote address of a request's connection.
#[derive(Clone, Copy, Debug)]
pub struct PeerAddr(pub SocketAddr);

fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into())
        .map_err(|e| match e {})
        .boxed_unsync()
}

fn json_response(code: u16, v: &Value, warnings: &[String]) -> Response<Body> {
    let mut resp = Response::new(full(serde_json::to_vec(v).unwrap_or_default()));
    *resp.status_mut() = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    for w in warnings {
        if let Ok(h) = HeaderValue::from_str(&format!("299 - \"{}\"", w.replace('"', "\\\""))) {
            resp.headers_mut().append(header::WARNING, h);
        }
    }
    resp
}

/// An already serialized JSON document, shared, not copied.
fn bytes_response(doc: &Arc<Vec<u8>>) -> Response<Body> {
    let mut resp = Response::new(full(Bytes::from_owner(ArcBytes(doc.clone()))));
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

struct ArcBytes(Arc<Vec<u8>>);

impl AsRef<[u8]> for ArcBytes {
    fn as_ref(&self) -> &[u8] {
        self.0.as_slice()
    }
}

/// One line of a watch stream: `{"type":"ADDED","object":{...}}` and a newline.
fn watch_line(kind: &str, object: &[u8]) -> Bytes {
    let mut line = Vec::with_capacity(object.len() + kind.len() + 24);
    line.extend_from_slice(b"{\"type\":\"");
    line.extend_from_slice(kind.as_bytes());
    line.extend_from_slice(b"\",\"object\":");
    line.extend_from_slice(object);
    line.extend_from_slice(b"}\n");
    Bytes::from(line)
}

fn error_response(e: &ApiError) -> Response<Body> {
    let mut resp = json_response(e.code, &e.to_status(), &[]);
    // As upstream: a Status asking the client to come back says when in `Retry-After` too.
    if let Some(secs) = e
        .details
        .as_ref()
        .and_then(|d| d.get("retryAfterSeconds"))
        .and_then(Value::as_i64)
        .filter(|s| *s > 0)
    {
        resp.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    resp
}

fn text_response(code: u16, text: &str) -> Response<Body> {
    let mut resp = Response::new(full(text.to_string()));
    *resp.status_mut() = StatusCode::from_u16(code).unwrap_or(StatusCode::OK);
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    resp
}

/// What the request wants back, from its Accept header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Output {
    Object,
    Table,
}

fn output_of(req: &Request<Incoming>) -> ApiResult<Output> {
    let accept = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if accept.is_empty() {
        return Ok(Output::Object);
    }
    let mut json_ok = false;
    for part in accept.split(',') {
        let part = part.trim();
        let (media, params) = part.split_once(';').unwrap_or((part, ""));
        let media = media.trim();
        if media != "application/json" && media != "*/*" && media != "application/*" {
            continue;
        }
        let params: HashMap<&str, &str> = params
            .split(';')
            .filter_map(|p| p.trim().split_once('='))
            .map(|(k, v)| (k.trim(), v.trim()))
            .collect();
        match params.get("as") {
            Some(&"Table") if params.get("g") == Some(&"meta.k8s.io") => return Ok(Output::Table),
            Some(_) => continue,
            None => json_ok = true,
        }
    }
    if json_ok {
        Ok(Output::Object)
    } else {
        Err(ApiError::new(
            406,
            "NotAcceptable",
            "only the following media types are accepted: application/json, application/yaml",
        ))
    }
}

fn query_of(req: &Request<Incoming>) -> HashMap<String, String> {
    req.uri()
        .query()
        .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default()
}

async fn read_body(req: Request<Incoming>) -> ApiResult<(String, Bytes)> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/json")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_string();
    let mut body = req.into_body();
    let mut buf = bytes::BytesMut::new();
    let mut seen = 0usize;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| ApiError::bad_request(format!("reading the body: {e}")))?;
        let Ok(data) = frame.into_data() else {
            continue;
        };
        seen += data.len();
        if seen <= MAX_BODY {
            buf.extend_from_slice(&data);
        } else {
            buf.clear();
            // Read (and drop) a bounded rest, so that the client, still sending, gets the
            // answer instead of a reset connection.
            if seen > DRAIN_LIMIT {
                break;
            }
        }
    }
    if seen > MAX_BODY {
        return Err(ApiError::too_large());
    }
    Ok((content_type, buf.freeze()))
}

/// Decode a body as JSON, or as YAML for the YAML media types.
fn decode_body(content_type: &str, body: &[u8]) -> ApiResult<Value> {
    match content_type {
        "application/json"
        | "application/json-patch+json"
        | "application/merge-patch+json"
        | "application/strategic-merge-patch+json"
        | "" => serde_json::from_slice(body).map_err(|e| {
            ApiError::bad_request(format!("error decoding request body: invalid JSON: {e}"))
        }),
        "application/vnd.kubernetes.protobuf" => {
            crate::protobuf::decode(body).map_err(ApiError::bad_request)
        }
        "application/yaml" | "application/apply-patch+yaml" => match serde_json::from_slice(body) {
            Ok(v) => Ok(v),
            Err(_) => serde_yaml_ng::from_slice::<Value>(body)
                .map_err(|e| ApiError::bad_request(format!("error decoding YAML: {e}"))),
        },
        other => Err(ApiError::unsupported_media_type(other)),
    }
}

/// A parsed resource path.
#[derive(Debug)]
struct Target {
    resource: &'static Resource,
    namespace: Option<String>,
    name: Option<String>,
    subresource: Option<String>,
}

/// Parse `/api/v1/...` or `/apis/<group>/<version>/...` into a target.
fn parse_target(group: &str, version: &str, rest: &[&str]) -> ApiResult<Target> {
    let not_found = || {
        ApiError::new(
            404,
            "NotFound",
            "the server could not find the requested resource",
        )
    };
    let find = |plural: &str| resources::find(group, version, plural).ok_or_else(not_found);
    let t = match rest {
        ["namespaces", ns, plural, tail @ ..]
            if !(*plural == "status" || *plural == "finalize") || !tail.is_empty() =>
        {
            let r = find(plural)?;
            if !r.namespaced {
                return Err(not_found());
            }
            let (name, sub) = match tail {
                [] => (None, None),
                [name] => (Some(name.to_string()), None),
                [name, sub] => (Some(name.to_string()), Some(sub.to_string())),
                _ => return Err(not_found()),
            };
            Target {
                resource: r,
                namespace: Some(ns.to_string()),
                name,
                subresource: sub,
            }
        }
        [plural, tail @ ..] => {
            let r = find(plural)?;
            let (name, sub) = match tail {
                [] => (None, None),
                [name] => (Some(name.to_string()), None),
                [name, sub] => (Some(name.to_string()), Some(sub.to_string())),
                _ => return Err(not_found()),
            };
            if r.namespaced && name.is_some() {
                return Err(not_found());
            }
            Target {
                resource: r,
                namespace: None,
                name,
                subresource: sub,
            }
        }
        [] => return Err(not_found()),
    };
    if let Some(sub) = &t.subresource
        && !t.resource.has_subresource(sub)
    {
        return Err(not_found());
    }
    Ok(t)
}

fn verb_of(method: &Method, t: &Target, watch: bool) -> &'static str {
    match (method.as_str(), t.name.is_some()) {
        ("GET", false) if watch => "watch",
        ("GET", false) => "list",
        ("GET", true) => "get",
        ("POST", _) => "create",
        ("PUT", _) => "update",
        ("PATCH", _) => "patch",
        ("DELETE", false) => "deletecollection",
        ("DELETE", true) => "delete",
        _ => "unknown",
    }
}

fn write_options(q: &HashMap<String, String>, req: &Request<Incoming>) -> ApiResult<WriteOptions> {
    let field_manager = q.get("fieldManager").cloned().filter(|m| !m.is_empty());
    if let Some(m) = &field_manager
        && m.len() > crate::managed_fields::FIELD_MANAGER_MAX_LENGTH
    {
        return Err(ApiError::bad_request(format!(
            "fieldManager: Too long: must have at most {} bytes",
            crate::managed_fields::FIELD_MANAGER_MAX_LENGTH
        )));
    }
    let user_agent = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    Ok(WriteOptions {
        dry_run: q.get("dryRun").is_some_and(|v| v == "All"),
        field_manager,
        user_agent_manager: crate::managed_fields::manager_from_user_agent(user_agent),
        field_validation: FieldValidation::parse(q.get("fieldValidation").map(String::as_str))?,
        ..Default::default()
    })
}

fn list_options(q: &HashMap<String, String>, r: &Resource) -> ApiResult<ListOptions> {
    let label_selector = match q.get("labelSelector").filter(|s| !s.is_empty()) {
        Some(s) => Some(LabelSelector::parse(s).map_err(ApiError::bad_request)?),
        None => None,
    };
    let field_selector = match q.get("fieldSelector").filter(|s| !s.is_empty()) {
        Some(s) => {
            let f = FieldSelector::parse(s).map_err(ApiError::bad_request)?;
            f.check_supported(&r.api_version(), r.kind)
                .map_err(ApiError::bad_request)?;
            Some(f)
        }
        None => None,
    };
    Ok(ListOptions {
        label_selector,
        field_selector,
        limit: q.get("limit").and_then(|l| l.parse().ok()).unwrap_or(0),
        continue_token: q.get("continue").cloned(),
        resource_version: q.get("resourceVersion").cloned().filter(|s| !s.is_empty()),
        resource_version_match: q.get("resourceVersionMatch").cloned(),
    })
}

fn delete_options(q: &HashMap<String, String>, body: &[u8]) -> ApiResult<DeleteOptions> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(delete_options_of(q, None));
    }
    let v: Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("invalid DeleteOptions: {e}")))?;
    Ok(delete_options_of(q, Some(&v)))
}

/// DeleteOptions from the query and a decoded body (a DELETE's, or an Eviction's
/// `deleteOptions`).
fn delete_options_of(q: &HashMap<String, String>, body: Option<&Value>) -> DeleteOptions {
    let mut opts = DeleteOptions {
        grace_period_seconds: q.get("gracePeriodSeconds").and_then(|g| g.parse().ok()),
        propagation_policy: q.get("propagationPolicy").cloned(),
        dry_run: q.get("dryRun").is_some_and(|v| v == "All"),
        ..Default::default()
    };
    if let Some(v) = body {
        if let Some(g) = v.get("gracePeriodSeconds").and_then(Value::as_i64) {
            opts.grace_period_seconds = Some(g);
        }
        if let Some(p) = v.get("propagationPolicy").and_then(Value::as_str) {
            opts.propagation_policy = Some(p.to_string());
        }
        if v.get("orphanDependents").and_then(Value::as_bool) == Some(true)
            && opts.propagation_policy.is_none()
        {
            opts.propagation_policy = Some("Orphan".into());
        }
        opts.precondition_uid = v
            .pointer("/preconditions/uid")
            .and_then(Value::as_str)
            .map(str::to_string);
        opts.precondition_rv = v
            .pointer("/preconditions/resourceVersion")
            .and_then(Value::as_str)
            .map(str::to_string);
        if v.get("dryRun")
            .and_then(Value::as_array)
            .is_some_and(|d| d.iter().any(|x| x == "All"))
        {
            opts.dry_run = true;
        }
    }
    opts
}

/// A list as JSON, written piece by piece: the watch cache's objects are sent as the JSON
/// they were serialized to once, not copied and serialized per request.
fn list_response(
    r: &Resource,
    items: Vec<crate::registry::ListItem>,
    rev: i64,
    cont: Option<String>,
    remaining: i64,
) -> Response<Body> {
    let mut md = json!({"resourceVersion": rev.to_string()});
    if let Some(c) = cont {
        md["continue"] = json!(c);
        if remaining > 0 {
            md["remainingItemCount"] = json!(remaining);
        }
    }
    let head =
        json!({"kind": format!("{}List", r.kind), "apiVersion": r.api_version(), "metadata": md});
    let mut out = serde_json::to_vec(&head).unwrap_or_default();
    // Replace the closing brace by the items.
    out.pop();
    out.extend_from_slice(b",\"items\":[");
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        match item {
            crate::registry::ListItem::Cached(e) => out.extend_from_slice(e.encoded()),
            crate::registry::ListItem::Owned(mut o) => {
                if let Some(m) = o.as_object_mut() {
                    m.remove("apiVersion");
                    m.remove("kind");
                }
                let _ = serde_json::to_writer(&mut out, &o);
            }
        }
    }
    out.extend_from_slice(b"]}");
    let mut resp = Response::new(full(out));
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

fn table_of(
    r: &Resource,
    objects: &[Value],
    include: &str,
    rev: i64,
    cont: Option<String>,
) -> Value {
    let mut t = match crate::crd::info(r) {
        Some(info) => table::custom_resource_table(
            &info.printer_columns,
            objects,
            include,
            jiff::Timestamp::now(),
        ),
        None => table::to_table(
            &r.api_version(),
            r.kind,
            objects,
            include,
            jiff::Timestamp::now(),
        ),
    };
    t["metadata"] = json!({"resourceVersion": rev.to_string()});
    if let Some(c) = cont {
        t["metadata"]["continue"] = json!(c);
    }
    t
}

impl ApiServer {
    /// Serve one request arriving on a connection whose client certificate is `peer`.
    pub async fn handle(
        self: Arc<Self>,
        req: Request<Incoming>,
        peer: &crate::authn::PeerCertificate,
    ) -> Response<Body> {
        let start = Instant::now();
        let method = req.method().clone();
        let path = req.uri().path().to_string();
        let attrs = crate::authz::request_attributes(method.as_str(), &path, &query_of(&req));
        let auth = self.authenticate_and_authorize(&req, peer, &attrs).await;
        let mut audit = self.audit.as_ref().map(|(policy, _)| {
            let (user, requester) = match &auth {
                Ok(a) => (Some(&a.user), a.requester.as_ref()),
                Err((_, u)) => (u.as_ref(), None),
            };
            let (who, impersonated) = match (user, requester) {
                (Some(u), Some(r)) => (Some(r), Some(u)),
                (u, _) => (u, None),
            };
            let a = crate::audit::RequestAttributes {
                user: who.map(audit_user).unwrap_or_default(),
                verb: attrs.verb.clone(),
                resource_request: attrs.resource_request,
                namespace: attrs.namespace.clone(),
                api_group: attrs.api_group.clone(),
                api_version: attrs.api_version.clone(),
                resource: attrs.resource.clone(),
                subresource: attrs.subresource.clone(),
                name: attrs.name.clone(),
                path: attrs.path.clone(),
            };
            let config = policy.evaluate(&a);
            let uri = req
                .uri()
                .path_and_query()
                .map_or(path.clone(), |p| p.to_string());
            let agent = req
                .headers()
                .get(header::USER_AGENT)
                .and_then(|v| v.to_str().ok());
            let forwarded = req
                .headers()
                .get("X-Forwarded-For")
                .and_then(|v| v.to_str().ok());
            let real_ip = req.headers().get("X-Real-Ip").and_then(|v| v.to_str().ok());
            let ips = crate::audit::source_ips(forwarded, real_ip, &peer_ip(&req));
            let mut ev = crate::audit::AuditEvent::new(
                &config,
                &a,
                &uri,
                ips,
                agent,
                impersonated.map(audit_user).as_ref(),
            );
            if let Some(id) = req
                .headers()
                .get(crate::audit::HEADER_AUDIT_ID)
                .and_then(|v| v.to_str().ok())
            {
                ev = ev.with_audit_id(id);
            }
            ev
        });
        if let (Some(ev), Some((_, backend))) = (&audit, &self.audit) {
            backend.process(ev, crate::audit::Stage::RequestReceived);
        }
        let watch = attrs.verb == "watch";
        let (resp, verb, resource) = match auth {
            Ok(a) => {
                if let Some(ev) = &mut audit {
                    ev.annotate("authorization.k8s.io/decision", "allow");
                    ev.annotate("authorization.k8s.io/reason", &a.reason);
                }
                self.route(req, a.user).await
            }
            Err((e, _)) => {
                if let Some(ev) = &mut audit
                    && e.code == 403
                {
                    ev.annotate("authorization.k8s.io/decision", "forbid");
                }
                (Err(e), "unknown", String::new())
            }
        };
        let (mut resp, status) = match resp {
            Ok(r) => (r, None),
            Err(e) => (error_response(&e), Some(e.to_status())),
        };
        if let (Some(mut ev), Some((_, backend))) = (audit, &self.audit) {
            match resp.extensions_mut().remove::<AuditObjects>() {
                Some(objects) => {
                    if let Some(request) = &objects.request {
                        ev.set_request_object(request);
                    }
                    ev.set_response(resp.status().as_u16(), Some(&objects.response));
                }
                None => ev.set_response(resp.status().as_u16(), status.as_ref()),
            }
            let stage = if watch && status.is_none() {
                crate::audit::Stage::ResponseStarted
            } else {
                crate::audit::Stage::ResponseComplete
            };
            backend.process(&ev, stage);
            if let Ok(v) = HeaderValue::from_str(ev.audit_id()) {
                resp.headers_mut().insert(crate::audit::HEADER_AUDIT_ID, v);
            }
        }
        self.metrics
            .observe(verb, &resource, resp.status().as_u16(), start.elapsed());
        tracing::debug!(%method, %path, status = resp.status().as_u16(), took = ?start.elapsed(), "request");
        resp
    }

    /// A copy of a request object when auditing is on.
    fn audited(&self, obj: &Value) -> Option<Value> {
        self.audit.as_ref().map(|_| obj.clone())
    }

    /// Keep a request's objects (the request body of a write, the object answered) with its
    /// response for the audit log, when auditing is on.
    fn with_audit(
        &self,
        mut resp: Response<Body>,
        request: Option<Value>,
        response: &Value,
    ) -> Response<Body> {
        if self.audit.is_some() {
            resp.extensions_mut().insert(AuditObjects {
                request,
                response: response.clone(),
            });
        }
        resp
    }

    /// Upstream's filter chain before the handler: authentication (401), impersonation (each
    /// impersonated attribute needs the `impersonate` verb), authorization (403). On failure,
    /// the error and the user known by then.
    async fn authenticate_and_authorize(
        &self,
        req: &Request<Incoming>,
        peer: &crate::authn::PeerCertificate,
        a: &crate::authz::Attributes,
    ) -> Result<Authorized, (ApiError, Option<UserInfo>)> {
        let user = self
            .authn
            .authenticate(&self.registry, peer, req.headers())
            .await
            .map_err(|e| {
                tracing::debug!(reason = %e.0, "unauthorized");
                (ApiError::unauthorized(), None)
            })?;
        let (user, requester) = match crate::authn::impersonation_requests(req.headers()) {
            Ok(None) => (user, None),
            Ok(Some((wanted, checks))) => {
                for c in &checks {
                    let a = crate::authz::Attributes {
                        verb: "impersonate".into(),
                        resource_request: true,
                        namespace: c.namespace.clone(),
                        api_group: c.api_group.into(),
                        resource: c.resource.clone(),
                        name: c.name.clone(),
                        ..Default::default()
                    };
                    let (allowed, reason) = self.authz.authorize(&self.registry, &user, &a).await;
                    if !allowed {
                        return Err((crate::authz::forbidden(&user, &a, &reason), Some(user)));
                    }
                }
                (wanted, Some(user))
            }
            Err(e) => return Err((ApiError::bad_request(e), Some(user))),
        };
        let (allowed, reason) = self.authz.authorize(&self.registry, &user, a).await;
        if !allowed {
            return Err((crate::authz::forbidden(&user, a, &reason), Some(user)));
        }
        Ok(Authorized {
            user,
            requester,
            reason,
        })
    }

    async fn route(
        &self,
        req: Request<Incoming>,
        user: UserInfo,
    ) -> (ApiResult<Response<Body>>, &'static str, String) {
        let path = req.uri().path().trim_end_matches('/').to_string();
        let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        // Public, as upstream's system:public-info-viewer.
        match segs.as_slice() {
            ["healthz"] | ["livez"] => {
                return (Ok(text_response(200, "ok")), "get", "healthz".into());
            }
            ["readyz"] => {
                let ok = self
                    .registry
                    .store
                    .get("/registry/health-probe")
                    .await
                    .is_ok();
                let r = if ok {
                    text_response(200, "ok")
                } else {
                    text_response(500, "[-]etcd failed: store unreachable")
                };
                return (Ok(r), "get", "readyz".into());
            }
            ["version"] => {
                return (
                    Ok(json_response(200, &discovery::version(), &[])),
                    "get",
                    "version".into(),
                );
            }
            _ => {}
        }
        let nf = || {
            ApiError::new(
                404,
                "NotFound",
                "the server could not find the requested resource",
            )
        };
        if matches!(segs.as_slice(), ["api"] | ["apis"]) {
            let accept = req
                .headers()
                .get(header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if discovery::wants_aggregated(accept) {
                let doc = discovery::aggregated(segs.len() == 1 && segs[0] == "api");
                let mut resp = json_response(200, &doc, &[]);
                resp.headers_mut().insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static(discovery::AGGREGATED_V2),
                );
                resp.headers_mut()
                    .insert(header::VARY, HeaderValue::from_static("Accept"));
                return (Ok(resp), "get", "discovery".into());
            }
        }
        let discovery_doc = match segs.as_slice() {
            [] => Some(Ok(
                json!({"paths": ["/api", "/api/v1", "/apis", "/healthz", "/livez", "/metrics", "/readyz", "/version"]}),
            )),
            ["api"] => Some(Ok(discovery::core_versions(&self.advertise))),
            ["api", "v1"] => Some(discovery::resource_list("", "v1").ok_or_else(nf)),
            ["apis"] => Some(Ok(discovery::group_list())),
            ["apis", g] => Some(discovery::group(g).ok_or_else(nf)),
            ["apis", g, v] => Some(discovery::resource_list(g, v).ok_or_else(nf)),
            ["metrics"] => {
                return (
                    Ok(text_response(200, &self.metrics.render())),
                    "get",
                    "metrics".into(),
                );
            }
            ["openapi", "v2"] => {
                // Only the JSON form is served; kubectl's protobuf-only request gets 406.
                let accept = req
                    .headers()
                    .get(header::ACCEPT)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                let doc = if accept.is_empty() || accept.contains("json") || accept.contains("*/*")
                {
                    Ok(bytes_response(&crate::openapi::v2()))
                } else {
                    Err(ApiError::new(
                        406,
                        "NotAcceptable",
                        "only the following media types are accepted: application/json",
                    ))
                };
                return (doc, "get", "openapi".into());
            }
            ["openapi", "v3"] => Some(Ok(crate::openapi::v3_index())),
            [".well-known", "openid-configuration"] | ["openid", "v1", "jwks"] => {
                let doc = match (&self.tokens, segs[0]) {
                    (Some(t), ".well-known") => Ok(crate::serviceaccount::openid_configuration(
                        &t.issuer,
                        &format!("{}/openid/v1/jwks", t.issuer.trim_end_matches('/')),
                    )),
                    (Some(_), _) => Ok(crate::serviceaccount::jwks(&self.service_account_keys)),
                    (None, _) => Err(nf()),
                };
                return (
                    doc.map(|d| json_response(200, &d, &[])),
                    "get",
                    "openid".into(),
                );
            }
            ["openapi", "v3", rest @ ..] => {
                let doc = crate::openapi::v3_group_version(&rest.join("/"))
                    .map(|d| bytes_response(&d))
                    .ok_or_else(nf);
                return (doc, "get", "openapi".into());
            }
            _ => None,
        };
        if let Some(doc) = discovery_doc {
            return (
                doc.map(|d| json_response(200, &d, &[])),
                "get",
                "discovery".into(),
            );
        }
        let target = match segs.as_slice() {
            ["api", "v1", rest @ ..] => parse_target("", "v1", rest),
            ["apis", g, v, rest @ ..] => parse_target(g, v, rest),
            _ => Err(nf()),
        };
        let target = match target {
            Ok(t) => t,
            Err(e) => return (Err(e), "unknown", String::new()),
        };
        let q = query_of(&req);
        let watch = q.get("watch").is_some_and(|w| w == "true" || w == "1");
        let verb = verb_of(req.method(), &target, watch);
        let resource = match &target.subresource {
            Some(s) => format!("{}/{s}", target.resource.plural),
            None => target.resource.plural.to_string(),
        };
        (
            self.serve_resource(req, target, q, watch, &user).await,
            verb,
            resource,
        )
    }

    async fn serve_resource(
        &self,
        req: Request<Incoming>,
        t: Target,
        q: HashMap<String, String>,
        watch: bool,
        user: &UserInfo,
    ) -> ApiResult<Response<Body>> {
        let r = t.resource;
        let ns = t.namespace.as_deref();
        let method = req.method().clone();
        if !r.is_stored() {
            if method != Method::POST || t.name.is_some() {
                return Err(ApiError::method_not_allowed(
                    "the server does not allow this method on the requested resource".to_string(),
                ));
            }
            let (ct, body) = read_body(req).await?;
            let review = decode_body(&ct, &body)?;
            let answer = self.review(r, ns, review, user).await?;
            return Ok(json_response(201, &answer, &[]));
        }
        match (&method, t.name.as_deref(), t.subresource.as_deref()) {
            (&Method::GET, None, None) => {
                let output = output_of(&req)?;
                let opts = list_options(&q, r)?;
                if watch {
                    return self.serve_watch(r, ns, &q, opts, output).await;
                }
                let (items, rev, cont, remaining) = self.registry.list_items(r, ns, &opts).await?;
                match output {
                    Output::Table => {
                        let items: Vec<Value> =
                            items.into_iter().map(|i| i.into_value(r)).collect();
                        let doc = table_of(
                            r,
                            &items,
                            q.get("includeObject").map_or("Metadata", String::as_str),
                            rev,
                            cont,
                        );
                        Ok(json_response(200, &doc, &[]))
                    }
                    Output::Object => Ok(list_response(r, items, rev, cont, remaining)),
                }
            }
            (&Method::GET, Some(name), None | Some("status")) => {
                let output = output_of(&req)?;
                let obj = self.registry.get(r, ns, name).await?;
                let doc = match output {
                    Output::Table => {
                        let rev = obj
                            .pointer("/metadata/resourceVersion")
                            .and_then(Value::as_str)
                            .unwrap_or("0")
                            .parse()
                            .unwrap_or(0);
                        table_of(
                            r,
                            &[obj],
                            q.get("includeObject").map_or("Metadata", String::as_str),
                            rev,
                            None,
                        )
                    }
                    Output::Object => obj,
                };
                Ok(self.with_audit(json_response(200, &doc, &[]), None, &doc))
            }
            (&Method::POST, Some(name), Some("token")) if r.plural == "serviceaccounts" => {
                let (ct, body) = read_body(req).await?;
                let body = decode_body(&ct, &body)?;
                let audited = self.audited(&body);
                let out = self.token_request(ns.unwrap_or(""), name, body).await?;
                Ok(self.with_audit(json_response(201, &out, &[]), audited, &out))
            }
            (&Method::POST, None, None) => {
                let opts = WriteOptions {
                    user: Some(Arc::new(user.clone())),
                    ..write_options(&q, &req)?
                };
                let (ct, body) = read_body(req).await?;
                let obj = decode_body(&ct, &body)?;
                let audited = self.audited(&obj);
                let w = self.registry.create(r, ns, obj, &opts).await?;
                Ok(self.with_audit(
                    json_response(201, &w.object, &w.warnings),
                    audited,
                    &w.object,
                ))
            }
            (
                &Method::PUT,
                Some(name),
                sub @ (None | Some("status") | Some("finalize") | Some("approval")),
            ) => {
                let opts = WriteOptions {
                    user: Some(Arc::new(user.clone())),
                    ..write_options(&q, &req)?
                };
                let (ct, body) = read_body(req).await?;
                let obj = decode_body(&ct, &body)?;
                let audited = self.audited(&obj);
                let sub = if sub == Some("finalize") { None } else { sub };
                let w = self.registry.update(r, ns, name, obj, sub, &opts).await?;
                let resp = json_response(if w.created { 201 } else { 200 }, &w.object, &w.warnings);
                Ok(self.with_audit(resp, audited, &w.object))
            }
            (&Method::PATCH, Some(name), sub @ (None | Some("status"))) => {
                let opts = WriteOptions {
                    user: Some(Arc::new(user.clone())),
                    ..write_options(&q, &req)?
                };
                let force = q.get("force").is_some_and(|f| f == "true");
                let (ct, body) = read_body(req).await?;
                let patch = decode_body(&ct, &body)?;
                let audited = self.audited(&patch);
                let w = self
                    .registry
                    .patch(r, ns, name, &ct, &patch, sub, &opts, force)
                    .await?;
                let resp = json_response(if w.created { 201 } else { 200 }, &w.object, &w.warnings);
                Ok(self.with_audit(resp, audited, &w.object))
            }
            (&Method::DELETE, Some(name), None) => {
                let (_, body) = read_body(req).await?;
                let opts = DeleteOptions {
                    user: Some(Arc::new(user.clone())),
                    ..delete_options(&q, &body)?
                };
                let out = self.registry.delete(r, ns, name, &opts).await?;
                Ok(self.with_audit(json_response(200, &out, &[]), None, &out))
            }
            (&Method::DELETE, None, None) => {
                let (_, body) = read_body(req).await?;
                let opts = DeleteOptions {
                    user: Some(Arc::new(user.clone())),
                    ..delete_options(&q, &body)?
                };
                let lopts = list_options(&q, r)?;
                let (items, _, _, _) = self.registry.list(r, ns, &lopts).await?;
                let mut deleted = Vec::new();
                for obj in items {
                    let name = crate::registry::name_of(&obj).to_string();
                    let ns = obj
                        .pointer("/metadata/namespace")
                        .and_then(Value::as_str)
                        .map(str::to_string);
                    match self.registry.delete(r, ns.as_deref(), &name, &opts).await {
                        Ok(_) => deleted.push(crate::registry::ListItem::Owned(obj)),
                        Err(e) if e.code == 404 => {}
                        Err(e) => return Err(e),
                    }
                }
                Ok(list_response(r, deleted, 0, None, 0))
            }
            (_, Some(name), Some("scale")) => self.serve_scale(req, r, ns, name, &q, user).await,
            (&Method::POST, Some(name), Some("binding")) => {
                let (ct, body) = read_body(req).await?;
                let binding = decode_body(&ct, &body)?;
                self.bind(r, ns, name, &binding).await?;
                Ok(json_response(
                    201,
                    &crate::error::success_status(json!({})),
                    &[],
                ))
            }
            (&Method::POST, Some(name), Some("eviction")) => {
                let (_, body) = read_body(req).await?;
                let ev: Value = if body.is_empty() {
                    json!({})
                } else {
                    decode_body("application/json", &body)?
                };
                if let Some(n) = ev.pointer("/metadata/name").and_then(Value::as_str)
                    && n != name
                {
                    return Err(ApiError::bad_request(
                        "name in URL does not match name in Eviction object",
                    ));
                }
                let opts = DeleteOptions {
                    user: Some(Arc::new(user.clone())),
                    ..delete_options_of(&q, ev.get("deleteOptions").filter(|d| d.is_object()))
                };
                self.registry
                    .evict(r, ns.unwrap_or("default"), name, &opts)
                    .await?;
                Ok(json_response(
                    201,
                    &crate::error::success_status(json!({})),
                    &[],
                ))
            }
            (_, Some(_), Some(sub @ ("log" | "exec" | "attach" | "portforward" | "proxy"))) => {
                Err(ApiError::new(
                    503,
                    "ServiceUnavailable",
                    format!(
                        "{sub} is proxied to the node's kubelet, and no kubelet serves this node yet"
                    ),
                ))
            }
            _ => Err(ApiError::method_not_allowed(format!(
                "the server does not allow this method on the requested resource ({method} {}{})",
                r.plural,
                t.subresource
                    .as_deref()
                    .map(|s| format!("/{s}"))
                    .unwrap_or_default()
            ))),
        }
    }

    async fn serve_watch(
        &self,
        r: &'static Resource,
        ns: Option<&str>,
        q: &HashMap<String, String>,
        opts: ListOptions,
        output: Output,
    ) -> ApiResult<Response<Body>> {
        let from =
            match opts.resource_version.as_deref() {
                None | Some("0") | Some("") => None,
                Some(rv) => Some(rv.parse::<i64>().map_err(|_| {
                    ApiError::bad_request(format!("invalid resource version: {rv}"))
                })?),
            };
        let send_initial = q.get("sendInitialEvents").map(|v| v == "true");
        let bookmarks = q.get("allowWatchBookmarks").is_some_and(|v| v == "true");
        // upstream's ValidateListOptions for watches (the WatchList feature is on in 1.33).
        let rv_match = opts
            .resource_version_match
            .as_deref()
            .filter(|m| !m.is_empty());
        let mut errors = Vec::new();
        match send_initial {
            Some(_) => {
                if rv_match != Some("NotOlderThan") {
                    errors.push(crate::validation::FieldError::forbidden(
                        "resourceVersionMatch",
                        "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan",
                    ));
                }
                if !bookmarks {
                    errors.push(crate::validation::FieldError::forbidden(
                        "allowWatchBookmarks",
                        "sendInitialEvents requires setting allowWatchBookmarks to true",
                    ));
                }
            }
            None if rv_match.is_some() => errors.push(crate::validation::FieldError::forbidden(
                "resourceVersionMatch",
                "resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided",
            )),
            None => {}
        }
        if !errors.is_empty() {
            return Err(ApiError::invalid("meta.k8s.io", "ListOptions", "", &errors));
        }
        let send_initial = send_initial == Some(true);
        if send_initial && let Some(rv) = from {
            // NotOlderThan: the initial state must be at least as new as the client's.
            self.registry.wait_for_revision(r, rv).await?;
        }
        let from = if send_initial { None } else { from };
        let timeout = q
            .get("timeoutSeconds")
            .and_then(|t| t.parse::<u64>().ok())
            .map(Duration::from_secs);
        let (tx, mut rx) = mpsc::channel::<WatchEvent>(256);
        self.registry
            .watch(r, ns, &opts, from, tx, bookmarks, send_initial)
            .await?;
        let (out_tx, out_rx) = mpsc::channel::<Result<Frame<Bytes>, Infallible>>(64);
        let include = q
            .get("includeObject")
            .cloned()
            .unwrap_or_else(|| "Metadata".into());
        tokio::spawn(async move {
            let deadline = timeout.map(|t| tokio::time::Instant::now() + t);
            let mut first = true;
            loop {
                // The client going away ends the watch at once, not at the next event.
                let next = tokio::select! {
                    e = rx.recv() => e,
                    _ = out_tx.closed() => return,
                    _ = async {
                        match deadline {
                            Some(d) => tokio::time::sleep_until(d).await,
                            None => std::future::pending().await,
                        }
                    } => return,
                };
                let Some(ev) = next else { return };
                let line = match output {
                    Output::Table if ev.kind != "ERROR" && ev.kind != "BOOKMARK" => {
                        let object = ev.object();
                        let rev = object
                            .pointer("/metadata/resourceVersion")
                            .and_then(Value::as_str)
                            .unwrap_or("0")
                            .parse()
                            .unwrap_or(0);
                        let mut t = table_of(r, std::slice::from_ref(object), &include, rev, None);
                        if !first && let Some(m) = t.as_object_mut() {
                            m.remove("columnDefinitions");
                        }
                        first = false;
                        watch_line(ev.kind, &serde_json::to_vec(&t).unwrap_or_default())
                    }
                    _ => match &ev.cached {
                        // Serialized once for every watcher of this event.
                        Some(c) => watch_line(ev.kind, c.encoded()),
                        None => {
                            watch_line(ev.kind, &serde_json::to_vec(&ev.object).unwrap_or_default())
                        }
                    },
                };
                if out_tx.send(Ok(Frame::data(line))).await.is_err() {
                    return;
                }
            }
        });
        let body =
            StreamBody::new(tokio_stream::wrappers::ReceiverStream::new(out_rx)).boxed_unsync();
        let mut resp = Response::new(body);
        resp.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        resp.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache, private"),
        );
        Ok(resp)
    }

    /// The `scale` subresource of workloads: `autoscaling/v1` `Scale` over `spec.replicas`.
    async fn serve_scale(
        &self,
        req: Request<Incoming>,
        r: &'static Resource,
        ns: Option<&str>,
        name: &str,
        q: &HashMap<String, String>,
        user: &UserInfo,
    ) -> ApiResult<Response<Body>> {
        let method = req.method().clone();
        let opts = WriteOptions {
            user: Some(Arc::new(user.clone())),
            ..write_options(q, &req)?
        };
        let obj = self.registry.get(r, ns, name).await?;
        // Where the replicas live: workloads' spec/status.replicas, or a CRD's scale paths
        // (simple JSONPaths such as `.spec.replicas`).
        let pointer = |path: &str| path.trim_start_matches('.').replace('.', "/");
        let (spec_path, status_path, selector_path) =
            match crate::crd::info(r).and_then(|i| i.subresources.scale.clone()) {
                Some(s) => (
                    format!("/{}", pointer(&s.spec_replicas_path)),
                    format!("/{}", pointer(&s.status_replicas_path)),
                    s.label_selector_path.map(|p| format!("/{}", pointer(&p))),
                ),
                None => (
                    "/spec/replicas".to_string(),
                    "/status/replicas".to_string(),
                    None,
                ),
            };
        let scale_of = |obj: &Value| -> Value {
            let selector = match &selector_path {
                Some(p) => obj
                    .pointer(p)
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
                None => workload_selector(obj),
            };
            json!({
                "kind": "Scale",
                "apiVersion": "autoscaling/v1",
                "metadata": {
                    "name": obj.pointer("/metadata/name"),
                    "namespace": obj.pointer("/metadata/namespace"),
                    "uid": obj.pointer("/metadata/uid"),
                    "resourceVersion": obj.pointer("/metadata/resourceVersion"),
                    "creationTimestamp": obj.pointer("/metadata/creationTimestamp"),
                },
                "spec": {"replicas": obj.pointer(&spec_path).and_then(Value::as_i64).unwrap_or(0)},
                "status": {"replicas": obj.pointer(&status_path).and_then(Value::as_i64).unwrap_or(0), "selector": selector},
            })
        };
        fn workload_selector(obj: &Value) -> String {
            obj.pointer("/spec/selector")
                .map(|s| match s.get("matchLabels").and_then(Value::as_object) {
                    Some(m) => m
                        .iter()
                        .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or("")))
                        .collect::<Vec<_>>()
                        .join(","),
                    None => s
                        .as_object()
                        .map(|m| {
                            m.iter()
                                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or("")))
                                .collect::<Vec<_>>()
                                .join(",")
                        })
                        .unwrap_or_default(),
                })
                .unwrap_or_default()
        }
        if method == Method::GET {
            return Ok(json_response(200, &scale_of(&obj), &[]));
        }
        let (ct, body) = read_body(req).await?;
        let input = decode_body(&ct, &body)?;
        let current = scale_of(&obj);
        let scale = match method {
            Method::PUT => input,
            Method::PATCH => match ct.as_str() {
                "application/json-patch+json" => crate::patch::json_patch(&current, &input)
                    .map_err(|e| ApiError::new(e.code(), e.reason(), e.to_string()))?,
                _ => crate::patch::merge_patch(&current, &input),
            },
            _ => {
                return Err(ApiError::method_not_allowed(
                    "the server does not allow this method on the requested resource",
                ));
            }
        };
        let replicas = scale
            .pointer("/spec/replicas")
            .and_then(Value::as_i64)
            .ok_or_else(|| ApiError::bad_request("Scale.spec.replicas is required"))?;
        if replicas < 0 {
            return Err(ApiError::new(
                422,
                "Invalid",
                format!(
                    "Scale.autoscaling \"{name}\" is invalid: spec.replicas: Invalid value: {replicas}: must be greater than or equal to 0"
                ),
            ));
        }
        let rv = scale
            .pointer("/metadata/resourceVersion")
            .and_then(Value::as_str)
            .map(str::to_string);
        let mut patch = json!({});
        {
            let mut at = &mut patch;
            let keys: Vec<&str> = spec_path.trim_start_matches('/').split('/').collect();
            for (i, k) in keys.iter().enumerate() {
                at[*k] = if i + 1 == keys.len() {
                    json!(replicas)
                } else {
                    json!({})
                };
                at = &mut at[*k];
            }
        }
        if let Some(rv) = rv.filter(|_| method == Method::PUT) {
            patch["metadata"] = json!({"resourceVersion": rv});
        }
        let w = self
            .registry
            .patch(
                r,
                ns,
                name,
                "application/merge-patch+json",
                &patch,
                None,
                &opts,
                false,
            )
            .await?;
        Ok(json_response(200, &scale_of(&w.object), &[]))
    }

    /// `pods/binding`: assign a pod to a node, once.
    async fn bind(
        &self,
        r: &'static Resource,
        ns: Option<&str>,
        name: &str,
        binding: &Value,
    ) -> ApiResult<()> {
        let node = binding
            .pointer("/target/name")
            .and_then(Value::as_str)
            .filter(|n| !n.is_empty())
            .ok_or_else(|| {
                ApiError::new(
                    422,
                    "Invalid",
                    format!("Binding.core \"{name}\" is invalid: target.name: Required value"),
                )
            })?;
        let pod = self.registry.get(r, ns, name).await?;
        if let Some(current) = pod
            .pointer("/spec/nodeName")
            .and_then(Value::as_str)
            .filter(|n| !n.is_empty())
        {
            return Err(ApiError::new(
                409,
                "Conflict",
                format!(
                    "Operation cannot be fulfilled on pods/binding \"{name}\": pod {name} is already assigned to node \"{current}\""
                ),
            ));
        }
        if pod.pointer("/metadata/deletionTimestamp").is_some() {
            return Err(ApiError::new(
                409,
                "Conflict",
                format!(
                    "Operation cannot be fulfilled on pods/binding \"{name}\": pod {name} is being deleted, cannot be assigned to a host"
                ),
            ));
        }
        let mut bound = pod.clone();
        bound["spec"]["nodeName"] = json!(node);
        let mut conditions: Vec<Value> = bound
            .pointer("/status/conditions")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        conditions.retain(|c| c.get("type").and_then(Value::as_str) != Some("PodScheduled"));
        conditions.push(json!({"type": "PodScheduled", "status": "True", "lastProbeTime": null, "lastTransitionTime": crate::registry::now_rfc3339()}));
        if !bound.get("status").is_some_and(Value::is_object) {
            bound["status"] = json!({});
        }
        bound["status"]["conditions"] = Value::Array(conditions);
        // The binding writes spec and status at once, under the pod's resourceVersion.
        self.registry
            .replace_unchecked(r, ns, name, &pod, bound)
            .await
    }
}

/// Accept TLS connections on `listener` and serve them until `stop` fires.
pub async fn serve_https(
    server: Arc<ApiServer>,
    listener: TcpListener,
    tls: rustls::ServerConfig,
    client_verifier: crate::tls::ClientCertificates,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(tls));
    loop {
        let (tcp, peer): (tokio::net::TcpStream, SocketAddr) = tokio::select! {
            a = listener.accept() => match a {
                Ok(a) => a,
                Err(err) => {
                    tracing::warn!(%err, "accept");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = stop.changed() => return,
        };
        let _ = tcp.set_nodelay(true);
        let acceptor = acceptor.clone();
        let server = server.clone();
        let client_verifier = client_verifier.clone();
        tokio::spawn(async move {
            let tls =
                match tokio::time::timeout(Duration::from_secs(10), acceptor.accept(tcp)).await {
                    Ok(Ok(s)) => s,
                    Ok(Err(err)) => {
                        tracing::debug!(%peer, %err, "TLS handshake failed");
                        return;
                    }
                    Err(_) => return,
                };
            let peer_cert =
                Arc::new(client_verifier.peer(tls.get_ref().1.peer_certificates().unwrap_or(&[])));
            let svc = hyper::service::service_fn(move |mut req: Request<Incoming>| {
                let server = server.clone();
                let peer_cert = peer_cert.clone();
                req.extensions_mut().insert(PeerAddr(peer));
                async move { Ok::<_, Infallible>(server.handle(req, &peer_cert).await) }
            });
            let mut builder =
                hyper_util::server::conn::auto::Builder::new(hyper_util::rt::TokioExecutor::new());
            // upstream's --http2-max-streams-per-connection default: every watch is a stream.
            builder.http2().max_concurrent_streams(1000);
            if let Err(err) = builder
                .serve_connection(hyper_util::rt::TokioIo::new(tls), svc)
                .await
            {
                tracing::debug!(%peer, %err, "connection ended");
            }
        });
    }
}
