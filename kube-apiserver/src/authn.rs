//! Authentication: who a request comes from, as upstream's authenticator chain decides it.
//!
//! The chain is upstream's order, first match wins: the connection's client certificate
//! (verified here against `--client-ca-file`, not at the TLS handshake, so a certificate from
//! another CA is a 401 and not a failed handshake), the static token file
//! (`--token-auth-file`), ServiceAccount tokens (legacy and bound, checked against the
//! objects they name), and bootstrap tokens (`bootstrap.kubernetes.io/token` Secrets in
//! kube-system). A credential that is presented and fails is a 401; a request with none is
//! `system:anonymous` when `--anonymous-auth` allows. Then impersonation headers are applied
//! (their authorization is the caller's: see [`impersonation_requests`]).
//!
//! Not here: OIDC, webhook token authentication, the front-proxy request-header
//! authenticator.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use http::HeaderMap;
use serde_json::Value;

use crate::registry::Registry;
use crate::resources::builtin;

pub const ALL_AUTHENTICATED: &str = "system:authenticated";
pub const ALL_UNAUTHENTICATED: &str = "system:unauthenticated";
pub const ANONYMOUS: &str = "system:anonymous";
pub const PRIVILEGED_GROUP: &str = "system:masters";
pub const NODES_GROUP: &str = "system:nodes";
pub const BOOTSTRAPPERS_GROUP: &str = "system:bootstrappers";

/// Who made a request (`authentication.k8s.io/v1` UserInfo).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserInfo {
    pub name: String,
    pub uid: String,
    pub groups: Vec<String>,
    pub extra: BTreeMap<String, Vec<String>>,
}

impl UserInfo {
    pub fn anonymous() -> UserInfo {
        UserInfo {
            name: ANONYMOUS.into(),
            groups: vec![ALL_UNAUTHENTICATED.into()],
            ..Default::default()
        }
    }

    pub fn in_group(&self, g: &str) -> bool {
        self.groups.iter().any(|x| x == g)
    }

    /// The node name of a kubelet identity (`system:node:<name>` in `system:nodes`).
    pub fn node_name(&self) -> Option<&str> {
        if !self.in_group(NODES_GROUP) {
            return None;
        }
        self.name
            .strip_prefix("system:node:")
            .filter(|n| !n.is_empty())
    }

    /// As `authentication.k8s.io/v1` UserInfo JSON (empty fields left out).
    pub fn to_json(&self) -> Value {
        let mut m = serde_json::Map::new();
        m.insert("username".into(), Value::String(self.name.clone()));
        if !self.uid.is_empty() {
            m.insert("uid".into(), Value::String(self.uid.clone()));
        }
        if !self.groups.is_empty() {
            m.insert("groups".into(), serde_json::json!(self.groups));
        }
        if !self.extra.is_empty() {
            m.insert("extra".into(), serde_json::json!(self.extra));
        }
        Value::Object(m)
    }

    /// From `authentication.k8s.io/v1` UserInfo JSON (or a SubjectAccessReview spec, whose
    /// user field is `user`).
    pub fn from_json(v: &Value) -> UserInfo {
        let strs = |v: Option<&Value>| -> Vec<String> {
            v.and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|s| s.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default()
        };
        let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        let name = if v.get("username").is_some() {
            s("username")
        } else {
            s("user")
        };
        let extra = v
            .get("extra")
            .and_then(Value::as_object)
            .map(|m| m.iter().map(|(k, v)| (k.clone(), strs(Some(v)))).collect())
            .unwrap_or_default();
        UserInfo {
            name,
            uid: s("uid"),
            groups: strs(v.get("groups")),
            extra,
        }
    }

    /// Add `system:authenticated` as upstream's group adder does.
    fn with_authenticated_group(mut self) -> UserInfo {
        if !self
            .groups
            .iter()
            .any(|g| g == ALL_AUTHENTICATED || g == ALL_UNAUTHENTICATED)
        {
            self.groups.push(ALL_AUTHENTICATED.into());
        }
        self
    }
}

/// What the TLS connection proved about the client.
#[derive(Debug, Clone)]
pub enum PeerCertificate {
    None,
    /// A certificate chaining to the client CA: its subject.
    Verified(UserInfo),
    /// A certificate that did not verify (another CA, expired, not for client auth).
    Invalid(String),
}

/// Why a request is not authenticated (every case is a 401 to the client).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unauthenticated(pub String);

/// A `--token-auth-file` entry.
#[derive(Debug, Clone)]
struct StaticToken {
    user: UserInfo,
}

/// Parse a static token file: CSV lines `token,user,uid[,"group1,group2"]`.
pub fn parse_token_file(text: &str) -> Result<HashMap<String, UserInfo>, String> {
    let mut out = HashMap::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fields = csv_fields(line);
        if fields.len() < 3 {
            return Err(format!(
                "token file is invalid: line {}: expected at least 3 fields (token, user name, uid), got {}",
                i + 1,
                fields.len()
            ));
        }
        if fields[0].is_empty() {
            tracing::warn!(line = i + 1, "token file: empty token, skipped");
            continue;
        }
        let groups = fields
            .get(3)
            .map(|g| {
                g.split(',')
                    .map(str::trim)
                    .filter(|g| !g.is_empty())
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default();
        let user = UserInfo {
            name: fields[1].clone(),
            uid: fields[2].clone(),
            groups,
            extra: BTreeMap::new(),
        };
        if out.insert(fields[0].clone(), user).is_some() {
            tracing::warn!(
                line = i + 1,
                "token file: duplicate token, the later one is used"
            );
        }
    }
    Ok(out)
}

/// Fields of one CSV record (double quotes group, `""` is a quote).
fn csv_fields(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    fields.push(cur);
    fields
}

/// How requests are authenticated.
pub struct Authenticator {
    tokens: HashMap<String, StaticToken>,
    service_accounts: Option<crate::serviceaccount::Verifier>,
    /// `--service-account-lookup`: tokens are valid only while their objects exist.
    lookup: bool,
    anonymous: bool,
}

/// Settings of the chain (upstream's flags).
#[derive(Debug, Clone, Default)]
pub struct AuthnConfig {
    pub token_auth_file: Option<std::path::PathBuf>,
    pub anonymous_auth: bool,
}

impl Authenticator {
    pub fn new(
        cfg: &AuthnConfig,
        service_accounts: Option<crate::serviceaccount::Verifier>,
    ) -> anyhow::Result<Authenticator> {
        let tokens = match &cfg.token_auth_file {
            Some(p) => load_token_file(p)?,
            None => HashMap::new(),
        };
        Ok(Authenticator {
            tokens: tokens
                .into_iter()
                .map(|(k, user)| (k, StaticToken { user }))
                .collect(),
            service_accounts,
            lookup: true,
            anonymous: cfg.anonymous_auth,
        })
    }

    /// The user of a request, before impersonation.
    pub async fn authenticate(
        &self,
        registry: &Registry,
        peer: &PeerCertificate,
        headers: &HeaderMap,
    ) -> Result<UserInfo, Unauthenticated> {
        let mut errors = Vec::new();
        match peer {
            PeerCertificate::Verified(u) => return Ok(u.clone().with_authenticated_group()),
            PeerCertificate::Invalid(e) => errors.push(e.clone()),
            PeerCertificate::None => {}
        }
        if let Some(token) = bearer_token(headers) {
            match self.authenticate_token(registry, &token).await {
                Ok(Some(u)) => return Ok(u.with_authenticated_group()),
                Ok(None) => errors.push("invalid bearer token".into()),
                Err(e) => errors.push(e),
            }
        }
        if !errors.is_empty() {
            return Err(Unauthenticated(errors.join(", ")));
        }
        if self.anonymous {
            return Ok(UserInfo::anonymous());
        }
        Err(Unauthenticated("no credentials".into()))
    }

    /// A bearer token's user: Ok(None) when no authenticator knows it, Err when one knows it
    /// and finds it invalid (TokenReview reports these as they are).
    pub async fn authenticate_token(
        &self,
        registry: &Registry,
        token: &str,
    ) -> Result<Option<UserInfo>, String> {
        if let Some(t) = self.tokens.get(token) {
            return Ok(Some(t.user.clone()));
        }
        if let Some(v) = &self.service_accounts {
            let now = jiff::Timestamp::now().as_second();
            match v.verify(token, now) {
                Ok(Some(claims)) => {
                    if self.lookup {
                        check_token_objects(registry, &claims).await?;
                    }
                    let (name, uid, groups, extra) = crate::serviceaccount::user_of(&claims);
                    return Ok(Some(UserInfo {
                        name,
                        uid,
                        groups,
                        extra,
                    }));
                }
                Ok(None) => {}
                Err(e) => return Err(e.to_string()),
            }
        }
        Ok(bootstrap_token_user(registry, token).await)
    }
}

fn load_token_file(p: &Path) -> anyhow::Result<HashMap<String, UserInfo>> {
    let text = std::fs::read_to_string(p)
        .map_err(|e| anyhow::anyhow!("read --token-auth-file {}: {e}", p.display()))?;
    parse_token_file(&text).map_err(anyhow::Error::msg)
}

/// The `Authorization: Bearer` token, as upstream's bearer token authenticator reads it.
pub fn bearer_token(headers: &HeaderMap) -> Option<String> {
    let v = headers.get(http::header::AUTHORIZATION)?.to_str().ok()?;
    let mut parts = v.trim().splitn(2, ' ');
    let scheme = parts.next()?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let token = parts.next()?.trim();
    (!token.is_empty()).then(|| token.to_string())
}

fn uid_of(v: &Value) -> &str {
    v.pointer("/metadata/uid")
        .and_then(Value::as_str)
        .unwrap_or("")
}

fn deleting(v: &Value) -> bool {
    v.pointer("/metadata/deletionTimestamp").is_some()
}

/// Upstream's service account token lookup: the service account, and the pod, secret or
/// node a token is bound to, must still exist with the same uid.
async fn check_token_objects(
    registry: &Registry,
    claims: &crate::serviceaccount::Claims,
) -> Result<(), String> {
    let ns = claims.namespace.as_str();
    let get = |plural: &'static str, namespaced: bool, name: String| async move {
        let r = builtin("", plural);
        registry
            .cached_object(r, namespaced.then_some(ns), &name)
            .await
            .map_err(|e| e.message)
    };
    let sa_name = &claims.service_account.name;
    let Some(sa) = get("serviceaccounts", true, sa_name.clone()).await? else {
        return Err(format!("serviceaccounts \"{sa_name}\" not found"));
    };
    if !claims.service_account.uid.is_empty() && uid_of(&sa) != claims.service_account.uid {
        return Err(format!(
            "service account UID ({}) does not match claim ({})",
            uid_of(&sa),
            claims.service_account.uid
        ));
    }
    if let Some(secret) = &claims.secret {
        let Some(s) = get("secrets", true, secret.name.clone()).await? else {
            return Err(format!("secrets \"{}\" not found", secret.name));
        };
        if deleting(&s) {
            return Err(format!(
                "token is bound to Secret \"{}\" which is being deleted",
                secret.name
            ));
        }
        if !secret.uid.is_empty() && uid_of(&s) != secret.uid {
            return Err(format!(
                "secret UID ({}) does not match service account secret ref claim ({})",
                uid_of(&s),
                secret.uid
            ));
        }
    }
    if let Some(pod) = &claims.pod {
        let Some(p) = get("pods", true, pod.name.clone()).await? else {
            return Err(format!("pods \"{}\" not found", pod.name));
        };
        if uid_of(&p) != pod.uid {
            return Err(format!(
                "pod UID ({}) does not match service account pod ref claim ({})",
                uid_of(&p),
                pod.uid
            ));
        }
    }
    if let Some(node) = &claims.node
        && claims.pod.is_none()
    {
        let Some(n) = get("nodes", false, node.name.clone()).await? else {
            return Err(format!("nodes \"{}\" not found", node.name));
        };
        if !node.uid.is_empty() && uid_of(&n) != node.uid {
            return Err(format!(
                "node UID ({}) does not match service account node ref claim ({})",
                uid_of(&n),
                node.uid
            ));
        }
    }
    Ok(())
}

/// A bootstrap token (`<id>.<secret>`, 6 and 16 of `[a-z0-9]`) and the Secret
/// `bootstrap-token-<id>` in kube-system that holds it. Invalid tokens are unknown (upstream's
/// bootstrap authenticator logs why and does not authenticate).
async fn bootstrap_token_user(registry: &Registry, token: &str) -> Option<UserInfo> {
    let (id, secret) = parse_bootstrap_token(token)?;
    let r = builtin("", "secrets");
    let name = format!("bootstrap-token-{id}");
    let s = registry
        .cached_object(r, Some("kube-system"), &name)
        .await
        .ok()??;
    let refuse = |why: &str| {
        tracing::debug!(token_id = id, why, "bootstrap token refused");
        None
    };
    if deleting(&s) {
        return refuse("secret is being deleted");
    }
    if s.get("type").and_then(Value::as_str) != Some("bootstrap.kubernetes.io/token") {
        return refuse("secret has the wrong type");
    }
    let data = |k: &str| -> Option<String> {
        use base64::Engine;
        let b = s.get("data")?.get(k)?.as_str()?;
        let raw = base64::engine::general_purpose::STANDARD.decode(b).ok()?;
        String::from_utf8(raw).ok()
    };
    if data("token-id").as_deref() != Some(id) || data("token-secret").as_deref() != Some(secret) {
        return refuse("token id or secret does not match");
    }
    if let Some(exp) = data("expiration") {
        match exp.parse::<jiff::Timestamp>() {
            Ok(t) if t > jiff::Timestamp::now() => {}
            _ => return refuse("token has expired"),
        }
    }
    if data("usage-bootstrap-authentication").as_deref() != Some("true") {
        return refuse("token is not usable for authentication");
    }
    let mut groups = vec![BOOTSTRAPPERS_GROUP.to_string()];
    if let Some(extra) = data("auth-extra-groups") {
        for g in extra.split(',').map(str::trim).filter(|g| !g.is_empty()) {
            if !g.starts_with("system:bootstrappers:") {
                return refuse("auth-extra-groups must start with system:bootstrappers:");
            }
            if !groups.iter().any(|x| x == g) {
                groups.push(g.to_string());
            }
        }
    }
    Some(UserInfo {
        name: format!("system:bootstrap:{id}"),
        groups,
        ..Default::default()
    })
}

fn parse_bootstrap_token(token: &str) -> Option<(&str, &str)> {
    let (id, secret) = token.split_once('.')?;
    let ok = |s: &str, n: usize| {
        s.len() == n
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    };
    (ok(id, 6) && ok(secret, 16)).then_some((id, secret))
}

/// One thing an impersonating user must be allowed to `impersonate`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImpersonationCheck {
    pub api_group: &'static str,
    pub resource: String,
    pub namespace: String,
    pub name: String,
}

/// The user requested by `Impersonate-*` headers, and what the requester must be allowed to
/// impersonate to become it (upstream's impersonation filter). None without such headers.
pub fn impersonation_requests(
    headers: &HeaderMap,
) -> Result<Option<(UserInfo, Vec<ImpersonationCheck>)>, String> {
    let user = headers
        .get("Impersonate-User")
        .and_then(|v| v.to_str().ok())
        .map(String::from);
    let groups: Vec<String> = headers
        .get_all("Impersonate-Group")
        .iter()
        .filter_map(|v| v.to_str().ok().map(String::from))
        .collect();
    let uid = headers
        .get("Impersonate-Uid")
        .and_then(|v| v.to_str().ok())
        .map(String::from);
    let mut extra: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (k, v) in headers {
        if let Some(key) = k.as_str().strip_prefix("impersonate-extra-")
            && let Ok(v) = v.to_str()
        {
            let key = percent_decode(key);
            extra.entry(key).or_default().push(v.to_string());
        }
    }
    let Some(name) = user else {
        if !groups.is_empty() || uid.is_some() || !extra.is_empty() {
            return Err(
                "requested impersonation of groups, extra or uid without impersonating a user"
                    .into(),
            );
        }
        return Ok(None);
    };
    let mut checks = Vec::new();
    if let Some(rest) = name.strip_prefix("system:serviceaccount:")
        && let Some((ns, sa)) = rest.split_once(':')
    {
        checks.push(ImpersonationCheck {
            api_group: "",
            resource: "serviceaccounts".into(),
            namespace: ns.into(),
            name: sa.into(),
        });
    } else {
        checks.push(ImpersonationCheck {
            api_group: "",
            resource: "users".into(),
            namespace: String::new(),
            name: name.clone(),
        });
    }
    for g in &groups {
        checks.push(ImpersonationCheck {
            api_group: "",
            resource: "groups".into(),
            namespace: String::new(),
            name: g.clone(),
        });
    }
    for (k, vs) in &extra {
        for v in vs {
            checks.push(ImpersonationCheck {
                api_group: "authentication.k8s.io",
                resource: format!("userextras/{k}"),
                namespace: String::new(),
                name: v.clone(),
            });
        }
    }
    if let Some(u) = &uid {
        checks.push(ImpersonationCheck {
            api_group: "authentication.k8s.io",
            resource: "uids".into(),
            namespace: String::new(),
            name: u.clone(),
        });
    }
    let mut groups = groups;
    if groups.is_empty()
        && let Some(rest) = name.strip_prefix("system:serviceaccount:")
        && let Some((ns, _)) = rest.split_once(':')
    {
        groups = vec![
            "system:serviceaccounts".into(),
            format!("system:serviceaccounts:{ns}"),
        ];
    }
    let mut u = UserInfo {
        name,
        uid: uid.unwrap_or_default(),
        groups,
        extra,
    };
    if u.name == ANONYMOUS {
        if !u.in_group(ALL_UNAUTHENTICATED) {
            u.groups.push(ALL_UNAUTHENTICATED.into());
        }
    } else if !u.in_group(ALL_AUTHENTICATED) {
        u.groups.push(ALL_AUTHENTICATED.into());
    }
    Ok(Some((u, checks)))
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_file_lines() {
        let t = parse_token_file(
            "# comment\nabc,alice,1\ndef,bob,2,\"dev,ops\"\n\n,empty,3\nghi,carol,4,viewers\n",
        )
        .unwrap();
        assert_eq!(t["abc"].name, "alice");
        assert!(t["abc"].groups.is_empty());
        assert_eq!(t["def"].groups, vec!["dev", "ops"]);
        assert_eq!(t["ghi"].uid, "4");
        assert_eq!(t.len(), 3);
        assert!(parse_token_file("abc,alice\n").is_err());
    }

    #[test]
    fn bearer_tokens() {
        let mut h = HeaderMap::new();
        h.insert("authorization", "Bearer  abc.def ".parse().unwrap());
        assert_eq!(bearer_token(&h).as_deref(), Some("abc.def"));
        h.insert("authorization", "Basic xyz".parse().unwrap());
        assert_eq!(bearer_token(&h), None);
        h.insert("authorization", "bearer".parse().unwrap());
        assert_eq!(bearer_token(&h), None);
    }

    #[test]
    fn bootstrap_token_format() {
        assert_eq!(
            parse_bootstrap_token("abcdef.0123456789abcdef"),
            Some(("abcdef", "0123456789abcdef"))
        );
        assert_eq!(parse_bootstrap_token("ABCDEF.0123456789abcdef"), None);
        assert_eq!(parse_bootstrap_token("abcdef.0123456789abcde"), None);
        assert_eq!(parse_bootstrap_token("abcdef0123456789abcdef"), None);
    }

    #[test]
    fn impersonation_headers() {
        let mut h = HeaderMap::new();
        assert_eq!(impersonation_requests(&h), Ok(None));
        h.insert("Impersonate-Group", "devs".parse().unwrap());
        assert!(impersonation_requests(&h).is_err());
        h.insert("Impersonate-User", "jane".parse().unwrap());
        h.insert("Impersonate-Extra-Scopes%2Fa", "x".parse().unwrap());
        let (u, checks) = impersonation_requests(&h).unwrap().unwrap();
        assert_eq!(u.name, "jane");
        assert_eq!(u.groups, vec!["devs", ALL_AUTHENTICATED]);
        assert_eq!(u.extra["scopes/a"], vec!["x"]);
        let resources: Vec<&str> = checks.iter().map(|c| c.resource.as_str()).collect();
        assert_eq!(resources, ["users", "groups", "userextras/scopes/a"]);

        let mut h = HeaderMap::new();
        h.insert(
            "Impersonate-User",
            "system:serviceaccount:ns1:builder".parse().unwrap(),
        );
        let (u, checks) = impersonation_requests(&h).unwrap().unwrap();
        assert_eq!(
            u.groups,
            vec![
                "system:serviceaccounts",
                "system:serviceaccounts:ns1",
                ALL_AUTHENTICATED
            ]
        );
        assert_eq!(checks[0].resource, "serviceaccounts");
        assert_eq!(checks[0].namespace, "ns1");
        assert_eq!(checks[0].name, "builder");
    }

    #[test]
    fn node_identities() {
        let node = UserInfo {
            name: "system:node:n1".into(),
            groups: vec![NODES_GROUP.into()],
            ..Default::default()
        };
        assert_eq!(node.node_name(), Some("n1"));
        let not = UserInfo {
            name: "system:node:n1".into(),
            ..Default::default()
        };
        assert_eq!(not.node_name(), None);
    }
}
