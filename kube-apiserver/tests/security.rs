//! Cluster security as the real kubectl 1.33 sees it from the real `kube-apiserver`
//! (`--authorization-mode=Node,RBAC`): a matrix of identities (the admin certificate, a user
//! bound to `view` in one namespace, a service account, a node, a bootstrap token,
//! anonymous, expired tokens, a certificate from another CA) × actions (`auth can-i`,
//! `auth whoami`, get, create and delete secrets, escalation attempts, impersonation), each
//! answered as upstream answers it; the Node authorizer following pods onto their nodes; and,
//! on Debian's etcd, secrets that etcdctl reads as ciphertext, anonymous requests refused
//! when `--anonymous-auth=false`, and the audit log.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn which(bin: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|d| Path::new(d).join(bin))
        .find(|p| p.is_file())
}

/// kubectl 1.33 from the kubectl package, else `kubectl` on the PATH.
fn kubectl_binary() -> PathBuf {
    let listed = Command::new("dpkg").args(["-L", "kubectl"]).output();
    if let Ok(out) = listed {
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            if line.ends_with("/kubectl.1.33") && Path::new(line).is_file() {
                return PathBuf::from(line);
            }
        }
    }
    which("kubectl").expect("kubectl 1.33 is not installed")
}

/// A child process killed on drop.
struct Daemon {
    child: Child,
    log: PathBuf,
}

impl Daemon {
    fn spawn(mut cmd: Command, log: PathBuf) -> Daemon {
        let out = std::fs::File::create(&log).unwrap();
        let child = cmd
            .stdout(Stdio::from(out.try_clone().unwrap()))
            .stderr(Stdio::from(out))
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e}"));
        Daemon { child, log }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Cluster {
    _apiserver: Daemon,
    dir: PathBuf,
    port: u16,
    kubectl: PathBuf,
}

impl Cluster {
    fn start(dir: &Path, extra: &[String]) -> Cluster {
        let port = free_port();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_kube-apiserver"));
        cmd.args(["--bind-address", "127.0.0.1", "--secure-port"])
            .arg(port.to_string())
            .arg("--data-dir")
            .arg(dir.join("data"))
            .arg("--cert-dir")
            .arg(dir.join("pki"))
            .args(extra)
            .env("NO_COLOR", "1");
        let d = Daemon::spawn(cmd, dir.join("apiserver.log"));
        let deadline = Instant::now() + Duration::from_secs(60);
        while !d.log().contains("kube-apiserver serving") {
            assert!(
                Instant::now() < deadline,
                "the apiserver did not start:\n{}",
                d.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Cluster {
            _apiserver: d,
            dir: dir.to_path_buf(),
            port,
            kubectl: kubectl_binary(),
        }
    }

    fn server(&self) -> String {
        format!("https://127.0.0.1:{}", self.port)
    }

    fn admin(&self) -> PathBuf {
        self.dir.join("pki/admin.kubeconfig")
    }

    fn ca_pem(&self) -> String {
        std::fs::read_to_string(self.dir.join("pki/ca.crt")).unwrap()
    }

    /// A kubeconfig with a client certificate for `cn` in group `org`, signed by the CA in
    /// `ca_dir`.
    fn cert_user(&self, ca_dir: &Path, cn: &str, org: &[&str]) -> PathBuf {
        let (_, issuer) = kube_apiserver::tls::ensure_ca(ca_dir).unwrap();
        let (cert, key) = kube_apiserver::tls::issue(&issuer, cn, org, &[]).unwrap();
        let path = self
            .dir
            .join(format!("{}.kubeconfig", cn.replace(':', "-")));
        kube_apiserver::tls::write_kubeconfig(
            &path,
            &self.server(),
            &self.ca_pem(),
            &cert,
            &key,
            cn,
        )
        .unwrap();
        path
    }

    /// A kubeconfig with a bearer token (or none: anonymous).
    fn token_user(&self, name: &str, token: Option<&str>) -> PathBuf {
        use base64::Engine;
        let ca = base64::engine::general_purpose::STANDARD.encode(self.ca_pem());
        let user = match token {
            Some(t) => format!("{{token: \"{t}\"}}"),
            None => "{}".into(),
        };
        let doc = format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {{server: \"{}\", certificate-authority-data: \"{ca}\"}}\ncontexts:\n- name: c\n  context: {{cluster: c, user: u}}\ncurrent-context: c\nusers:\n- name: u\n  user: {user}\n",
            self.server()
        );
        let path = self.dir.join(format!("{name}.kubeconfig"));
        std::fs::write(&path, doc).unwrap();
        path
    }

    /// GET `path` without credentials: (HTTP status, body).
    fn curl(&self, path: &str) -> (u16, String) {
        let out = Command::new("curl")
            .args(["-s", "-w", "\n%{http_code}", "--cacert"])
            .arg(self.dir.join("pki/ca.crt"))
            .arg(format!("{}{path}", self.server()))
            .output()
            .expect("curl");
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let (body, code) = text.rsplit_once('\n').unwrap_or(("", "0"));
        (code.trim().parse().unwrap_or(0), body.to_string())
    }

    /// Run kubectl; (success, stdout and stderr).
    fn k(&self, kubeconfig: &Path, args: &[&str]) -> (bool, String) {
        let out = Command::new(&self.kubectl)
            .arg("--kubeconfig")
            .arg(kubeconfig)
            .arg("--request-timeout=20s")
            .args(args)
            .env("KUBECACHEDIR", self.dir.join("kubecache"))
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        (out.status.success(), text)
    }

    /// kubectl that must succeed.
    fn ok(&self, kubeconfig: &Path, args: &[&str]) -> String {
        let (ok, text) = self.k(kubeconfig, args);
        assert!(ok, "kubectl {args:?} failed:\n{text}");
        text
    }

    fn apply(&self, yaml: &str) {
        let path = self.dir.join("apply.yaml");
        std::fs::write(&path, yaml).unwrap();
        self.ok(&self.admin(), &["apply", "-f", path.to_str().unwrap()]);
    }
}

/// One row of the matrix: who, what, and what upstream answers.
struct Case<'a> {
    who: &'a str,
    args: &'a [&'a str],
    /// Ok(text the output contains) or Err(text of the error).
    expect: Result<&'a str, &'a str>,
}

const UNAUTHORIZED: &str = "error: You must be logged in to the server (Unauthorized)";

#[test]
fn identities_by_actions_as_upstream_answers() {
    let tmp = tempfile::tempdir().unwrap();
    let token_file = tmp.path().join("tokens.csv");
    std::fs::write(&token_file, "static-token-1,tina,1001,\"devs,testers\"\n").unwrap();
    let c = Cluster::start(
        tmp.path(),
        &[
            "--authorization-mode=Node,RBAC".into(),
            format!("--token-auth-file={}", token_file.display()),
        ],
    );
    let admin = c.admin();
    for ns in ["ns1", "ns2"] {
        c.ok(&admin, &["create", "namespace", ns]);
    }
    c.ok(
        &admin,
        &[
            "create",
            "secret",
            "generic",
            "s1",
            "--from-literal=k=v",
            "-n",
            "ns1",
        ],
    );
    c.ok(
        &admin,
        &[
            "create",
            "rolebinding",
            "jane-view",
            "--clusterrole=view",
            "--user=jane",
            "-n",
            "ns1",
        ],
    );
    c.ok(
        &admin,
        &[
            "create",
            "role",
            "rbac-manager",
            "--verb=create,update,get",
            "--resource=roles,rolebindings",
            "-n",
            "ns1",
        ],
    );
    c.ok(
        &admin,
        &[
            "create",
            "rolebinding",
            "jane-rbac",
            "--role=rbac-manager",
            "--user=jane",
            "-n",
            "ns1",
        ],
    );
    c.ok(
        &admin,
        &["create", "serviceaccount", "builder", "-n", "ns1"],
    );
    let sa_token = c.ok(&admin, &["create", "token", "builder", "-n", "ns1"]);
    let now = jiff::Timestamp::now();
    c.apply(&format!(
        "apiVersion: v1\nkind: Secret\nmetadata: {{name: bootstrap-token-abcdef, namespace: kube-system}}\ntype: bootstrap.kubernetes.io/token\nstringData:\n  token-id: abcdef\n  token-secret: 0123456789abcdef\n  usage-bootstrap-authentication: \"true\"\n  expiration: \"{}\"\n---\napiVersion: v1\nkind: Secret\nmetadata: {{name: bootstrap-token-oldold, namespace: kube-system}}\ntype: bootstrap.kubernetes.io/token\nstringData:\n  token-id: oldold\n  token-secret: 0123456789abcdef\n  usage-bootstrap-authentication: \"true\"\n  expiration: \"{}\"\n",
        now.checked_add(jiff::SignedDuration::from_hours(1)).unwrap(),
        now.checked_sub(jiff::SignedDuration::from_hours(1)).unwrap(),
    ));
    let expired_sa = {
        let pem = std::fs::read(tmp.path().join("pki/sa.key")).unwrap();
        let key = kube_apiserver::serviceaccount::SigningKey::from_pem(&pem).unwrap();
        let sa = serde_json::from_str::<serde_json::Value>(&c.ok(
            &admin,
            &[
                "get",
                "serviceaccount",
                "builder",
                "-n",
                "ns1",
                "-o",
                "json",
            ],
        ))
        .unwrap();
        let t = now.as_second();
        let claims = kube_apiserver::serviceaccount::Claims {
            issuer: kube_apiserver::app::DEFAULT_ISSUER.into(),
            subject: "system:serviceaccount:ns1:builder".into(),
            audiences: vec![kube_apiserver::app::DEFAULT_ISSUER.into()],
            expiry: t - 7200,
            issued_at: t - 10800,
            not_before: t - 10800,
            id: "expired-1".into(),
            namespace: "ns1".into(),
            service_account: kube_apiserver::serviceaccount::Ref {
                name: "builder".into(),
                uid: sa["metadata"]["uid"].as_str().unwrap().into(),
            },
            pod: None,
            secret: None,
            node: None,
            warn_after: None,
            legacy: false,
        };
        kube_apiserver::serviceaccount::sign_bound(&key, &claims).unwrap()
    };

    let pki = tmp.path().join("pki");
    let other_ca = tmp.path().join("other-ca");
    let users: Vec<(&str, PathBuf)> = vec![
        ("admin", admin.clone()),
        ("jane", c.cert_user(&pki, "jane", &["devs"])),
        ("tina", c.token_user("tina", Some("static-token-1"))),
        ("sa", c.token_user("sa", Some(sa_token.trim()))),
        (
            "node",
            c.cert_user(&pki, "system:node:n1", &["system:nodes"]),
        ),
        (
            "bootstrap",
            c.token_user("bootstrap", Some("abcdef.0123456789abcdef")),
        ),
        ("expired-sa", c.token_user("expired-sa", Some(&expired_sa))),
        (
            "expired-bootstrap",
            c.token_user("expired-bootstrap", Some("oldold.0123456789abcdef")),
        ),
        (
            "unknown-token",
            c.token_user("unknown-token", Some("no-such-token")),
        ),
        (
            "other-ca",
            c.cert_user(&other_ca, "kubernetes-admin", &["system:masters"]),
        ),
    ];
    let kc = |who: &str| users.iter().find(|(n, _)| *n == who).unwrap().1.clone();

    let escalation = "is attempting to grant RBAC permissions not currently held";
    let cases = [
        Case {
            who: "admin",
            args: &["auth", "can-i", "*", "*", "--all-namespaces"],
            expect: Ok("yes"),
        },
        Case {
            who: "admin",
            args: &["get", "secrets", "-n", "ns1"],
            expect: Ok("s1"),
        },
        Case {
            who: "admin",
            args: &[
                "auth",
                "whoami",
                "-o",
                "jsonpath={.status.userInfo.username}",
            ],
            expect: Ok("kubernetes-admin"),
        },
        Case {
            who: "admin",
            args: &["auth", "can-i", "list", "pods", "-n", "ns1", "--as=jane"],
            expect: Ok("yes"),
        },
        Case {
            who: "admin",
            args: &["auth", "can-i", "get", "secrets", "-n", "ns1", "--as=jane"],
            expect: Err("no"),
        },
        Case {
            who: "admin",
            args: &[
                "auth",
                "can-i",
                "list",
                "pods",
                "-n",
                "ns1",
                "--as=system:serviceaccount:ns1:builder",
            ],
            expect: Err("no"),
        },
        Case {
            who: "jane",
            args: &["auth", "can-i", "list", "pods", "-n", "ns1"],
            expect: Ok("yes"),
        },
        Case {
            who: "jane",
            args: &["auth", "can-i", "get", "secrets", "-n", "ns1"],
            expect: Err("no"),
        },
        Case {
            who: "jane",
            args: &["auth", "can-i", "list", "pods", "-n", "ns2"],
            expect: Err("no"),
        },
        Case {
            who: "jane",
            args: &["auth", "can-i", "--list", "-n", "ns1"],
            expect: Ok("roles.rbac.authorization.k8s.io"),
        },
        Case {
            who: "jane",
            args: &["auth", "whoami", "-o", "jsonpath={.status.userInfo.groups}"],
            expect: Ok(r#"["devs","system:authenticated"]"#),
        },
        Case {
            who: "jane",
            args: &["get", "pods", "-n", "ns1"],
            expect: Ok("No resources found in ns1 namespace."),
        },
        Case {
            who: "jane",
            args: &["get", "secrets", "-n", "ns1"],
            expect: Err(
                r#"Error from server (Forbidden): secrets is forbidden: User "jane" cannot list resource "secrets" in API group "" in the namespace "ns1""#,
            ),
        },
        Case {
            who: "jane",
            args: &["get", "pods", "-n", "ns2"],
            expect: Err(
                r#"Error from server (Forbidden): pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "ns2""#,
            ),
        },
        Case {
            who: "jane",
            args: &[
                "create",
                "secret",
                "generic",
                "x",
                "--from-literal=a=b",
                "-n",
                "ns1",
            ],
            expect: Err(
                r#"error: failed to create secret secrets is forbidden: User "jane" cannot create resource "secrets" in API group "" in the namespace "ns1""#,
            ),
        },
        Case {
            who: "jane",
            args: &["delete", "secret", "s1", "-n", "ns1"],
            expect: Err(
                r#"Error from server (Forbidden): secrets "s1" is forbidden: User "jane" cannot delete resource "secrets" in API group "" in the namespace "ns1""#,
            ),
        },
        Case {
            who: "jane",
            args: &[
                "create",
                "role",
                "lookers",
                "--verb=get",
                "--resource=pods",
                "-n",
                "ns1",
            ],
            expect: Ok("role.rbac.authorization.k8s.io/lookers created"),
        },
        Case {
            who: "jane",
            args: &[
                "create",
                "role",
                "peek",
                "--verb=get",
                "--resource=secrets",
                "-n",
                "ns1",
            ],
            expect: Err(
                r#"roles.rbac.authorization.k8s.io "peek" is forbidden: user "jane" (groups=["devs" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:"#,
            ),
        },
        Case {
            who: "jane",
            args: &[
                "create",
                "rolebinding",
                "jane-admin",
                "--clusterrole=cluster-admin",
                "--user=jane",
                "-n",
                "ns1",
            ],
            expect: Err(escalation),
        },
        Case {
            who: "jane",
            args: &[
                "create",
                "rolebinding",
                "view-too",
                "--clusterrole=view",
                "--user=joe",
                "-n",
                "ns1",
            ],
            expect: Ok("rolebinding.rbac.authorization.k8s.io/view-too created"),
        },
        Case {
            who: "jane",
            args: &["get", "pods", "-n", "ns1", "--as=bob"],
            expect: Err(
                r#"Error from server (Forbidden): users "bob" is forbidden: User "jane" cannot impersonate resource "users" in API group "" at the cluster scope"#,
            ),
        },
        Case {
            who: "tina",
            args: &["auth", "whoami", "-o", "jsonpath={.status.userInfo}"],
            expect: Ok(
                r#"{"groups":["devs","testers","system:authenticated"],"uid":"1001","username":"tina"}"#,
            ),
        },
        Case {
            who: "tina",
            args: &["get", "pods"],
            expect: Err(
                r#"Error from server (Forbidden): pods is forbidden: User "tina" cannot list resource "pods" in API group "" in the namespace "default""#,
            ),
        },
        Case {
            who: "sa",
            args: &[
                "auth",
                "whoami",
                "-o",
                "jsonpath={.status.userInfo.username}",
            ],
            expect: Ok("system:serviceaccount:ns1:builder"),
        },
        Case {
            who: "sa",
            args: &["get", "pods", "-n", "ns1"],
            expect: Err(
                r#"Error from server (Forbidden): pods is forbidden: User "system:serviceaccount:ns1:builder" cannot list resource "pods" in API group "" in the namespace "ns1""#,
            ),
        },
        Case {
            who: "node",
            args: &["get", "secret", "s1", "-n", "ns1"],
            expect: Err(
                r#"Error from server (Forbidden): secrets "s1" is forbidden: User "system:node:n1" cannot get resource "secrets" in API group "" in the namespace "ns1": no relationship found between node 'n1' and this object"#,
            ),
        },
        Case {
            who: "node",
            args: &["get", "nodes"],
            expect: Err(
                r#"Error from server (Forbidden): nodes is forbidden: User "system:node:n1" cannot list resource "nodes" in API group "" at the cluster scope: node 'n1' cannot read all nodes, only its own Node object"#,
            ),
        },
        Case {
            who: "node",
            args: &["auth", "can-i", "create", "events"],
            expect: Ok("yes"),
        },
        Case {
            who: "bootstrap",
            args: &[
                "auth",
                "whoami",
                "-o",
                "jsonpath={.status.userInfo.username}",
            ],
            expect: Ok("system:bootstrap:abcdef"),
        },
        Case {
            who: "bootstrap",
            args: &["get", "pods"],
            expect: Err(
                r#"Error from server (Forbidden): pods is forbidden: User "system:bootstrap:abcdef" cannot list resource "pods" in API group "" in the namespace "default""#,
            ),
        },
        Case {
            who: "expired-sa",
            args: &["get", "pods"],
            expect: Err(UNAUTHORIZED),
        },
        Case {
            who: "expired-bootstrap",
            args: &["get", "pods"],
            expect: Err(UNAUTHORIZED),
        },
        Case {
            who: "unknown-token",
            args: &["get", "pods"],
            expect: Err(UNAUTHORIZED),
        },
        Case {
            who: "other-ca",
            args: &["get", "pods"],
            expect: Err(UNAUTHORIZED),
        },
    ];
    let mut wrong = Vec::new();
    for case in &cases {
        let (ok, text) = c.k(&kc(case.who), case.args);
        let right = match case.expect {
            Ok(want) => ok && text.contains(want),
            Err(want) => !ok && text.contains(want),
        };
        if !right {
            wrong.push(format!(
                "{} kubectl {}\n  expected {:?}\n  got ({}) {}",
                case.who,
                case.args.join(" "),
                case.expect,
                if ok { "success" } else { "failure" },
                text.trim()
            ));
        }
    }
    // Anonymous requests (kubectl insists on credentials, so these go through curl): what
    // system:public-info-viewer grants, and upstream's Forbidden for the rest.
    let anonymous = [
        ("/healthz", 200, "ok"),
        ("/version", 200, "gitVersion"),
        (
            "/api/v1/namespaces/default/pods",
            403,
            r#"pods is forbidden: User \"system:anonymous\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\""#,
        ),
        (
            "/metrics",
            403,
            r#"forbidden: User \"system:anonymous\" cannot get path \"/metrics\""#,
        ),
    ];
    for (path, code, want) in anonymous {
        let (got_code, body) = c.curl(path);
        if got_code != code || !body.contains(want) {
            wrong.push(format!(
                "anonymous GET {path}\n  expected {code} {want:?}\n  got {got_code} {body}"
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "answers differ from upstream's:\n{}",
        wrong.join("\n")
    );

    // The Node authorizer: n1 reads s1 once a pod that uses it is bound to n1 (and not when
    // the pod is on another node).
    let pod = |name: &str, node: &str| {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}, namespace: ns1}}\nspec:\n  nodeName: {node}\n  containers: [{{name: c, image: busybox}}]\n  volumes: [{{name: s, secret: {{secretName: s1}}}}]\n"
        )
    };
    c.apply(&pod("on-n2", "n2"));
    std::thread::sleep(Duration::from_millis(500));
    let (ok, text) = c.k(&kc("node"), &["get", "secret", "s1", "-n", "ns1"]);
    assert!(
        !ok && text.contains("no relationship found between node 'n1'"),
        "{text}"
    );
    c.apply(&pod("on-n1", "n1"));
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (ok, text) = c.k(
            &kc("node"),
            &["get", "secret", "s1", "-n", "ns1", "-o", "name"],
        );
        if ok && text.contains("secret/s1") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "node n1 cannot read s1 after its pod was bound: {text}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    // ... and loses it when the pod goes.
    c.ok(
        &admin,
        &[
            "delete",
            "pod",
            "on-n1",
            "-n",
            "ns1",
            "--grace-period=0",
            "--force",
        ],
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (ok, _) = c.k(&kc("node"), &["get", "secret", "s1", "-n", "ns1"]);
        if !ok {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "node n1 still reads s1 after its pod was deleted"
        );
        std::thread::sleep(Duration::from_millis(200));
    }

    // ValidatingAdmissionPolicy: CEL rules over what is written.
    c.apply("apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicy\nmetadata: {name: demo-policy.example.com}\nspec:\n  failurePolicy: Fail\n  matchConstraints:\n    resourceRules:\n    - apiGroups: [apps]\n      apiVersions: [v1]\n      operations: [CREATE, UPDATE]\n      resources: [deployments]\n  validations:\n  - expression: object.spec.replicas <= 5\n---\napiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicyBinding\nmetadata: {name: demo-binding-test.example.com}\nspec:\n  policyName: demo-policy.example.com\n  validationActions: [Deny]\n");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (ok, text) = c.k(
            &admin,
            &[
                "create",
                "deployment",
                "web",
                "--image=nginx",
                "--replicas=6",
                "-n",
                "ns1",
            ],
        );
        if !ok {
            assert!(
                text.contains(r#"error: failed to create deployment: deployments.apps "web" is forbidden: ValidatingAdmissionPolicy 'demo-policy.example.com' with binding 'demo-binding-test.example.com' denied request: failed expression: object.spec.replicas <= 5"#),
                "{text}"
            );
            break;
        }
        // The policy was not compiled yet: take the deployment back and try again.
        c.ok(&admin, &["delete", "deployment", "web", "-n", "ns1"]);
        assert!(Instant::now() < deadline, "the policy never applied");
        std::thread::sleep(Duration::from_millis(200));
    }
    c.ok(
        &admin,
        &[
            "create",
            "deployment",
            "web",
            "--image=nginx",
            "--replicas=3",
            "-n",
            "ns1",
        ],
    );
    let (ok, text) = c.k(
        &admin,
        &[
            "patch",
            "deployment",
            "web",
            "-n",
            "ns1",
            "-p",
            r#"{"spec":{"replicas":7}}"#,
        ],
    );
    assert!(
        !ok && text.contains("failed expression: object.spec.replicas <= 5"),
        "{text}"
    );

    // A bound token dies with its pod.
    c.apply(&pod("holder", "n1"));
    let bound = c.ok(
        &admin,
        &[
            "create",
            "token",
            "builder",
            "-n",
            "ns1",
            "--bound-object-kind=Pod",
            "--bound-object-name=holder",
        ],
    );
    let bound_kc = c.token_user("bound", Some(bound.trim()));
    c.ok(&bound_kc, &["auth", "whoami"]);
    c.ok(
        &admin,
        &[
            "delete",
            "pod",
            "holder",
            "-n",
            "ns1",
            "--grace-period=0",
            "--force",
        ],
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (ok, text) = c.k(&bound_kc, &["auth", "whoami"]);
        if !ok {
            assert!(text.contains(UNAUTHORIZED), "{text}");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "a token bound to a deleted pod still authenticates"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn secrets_encrypted_at_rest_audited_and_quota_never_exceeded() {
    let etcd = which("etcd").expect("etcd is not installed (Debian: apt-get install etcd-server)");
    let etcdctl = which("etcdctl").expect("etcdctl is not installed (Debian: etcd-client)");
    let tmp = tempfile::tempdir().unwrap();
    let (client, peer) = (free_port(), free_port());
    let mut cmd = Command::new(etcd);
    cmd.args([
        "--name",
        "sec",
        "--data-dir",
        tmp.path().join("etcd").to_str().unwrap(),
        "--listen-client-urls",
        &format!("http://127.0.0.1:{client}"),
        "--advertise-client-urls",
        &format!("http://127.0.0.1:{client}"),
        "--listen-peer-urls",
        &format!("http://127.0.0.1:{peer}"),
        "--initial-advertise-peer-urls",
        &format!("http://127.0.0.1:{peer}"),
        "--initial-cluster",
        &format!("sec=http://127.0.0.1:{peer}"),
    ])
    .env("ETCD_UNSUPPORTED_ARCH", "")
    .env_remove("ETCDCTL_API");
    let _etcd = Daemon::spawn(cmd, tmp.path().join("etcd.log"));
    // A 32-byte AES-CBC key, as the upstream docs generate one.
    let encryption = tmp.path().join("encryption.yaml");
    std::fs::write(
        &encryption,
        "apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n- resources: [secrets]\n  providers:\n  - aescbc:\n      keys:\n      - name: key1\n        secret: MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=\n  - identity: {}\n",
    )
    .unwrap();
    let policy = tmp.path().join("audit-policy.yaml");
    std::fs::write(
        &policy,
        "apiVersion: audit.k8s.io/v1\nkind: Policy\nomitStages: [RequestReceived]\nrules:\n- level: None\n  nonResourceURLs: [\"/healthz*\", \"/version\"]\n- level: Metadata\n  resources:\n  - group: \"\"\n    resources: [secrets]\n- level: RequestResponse\n  resources:\n  - group: \"\"\n    resources: [configmaps]\n- level: None\n",
    )
    .unwrap();
    let audit_log = tmp.path().join("audit.log");
    let c = Cluster::start(
        tmp.path(),
        &[
            format!("--etcd-servers=http://127.0.0.1:{client}"),
            format!("--encryption-provider-config={}", encryption.display()),
            format!("--audit-policy-file={}", policy.display()),
            format!("--audit-log-path={}", audit_log.display()),
            "--anonymous-auth=false".into(),
        ],
    );
    let admin = c.admin();

    // Secrets are ciphertext in the store, plaintext through the API.
    c.ok(
        &admin,
        &[
            "create",
            "secret",
            "generic",
            "enc",
            "--from-literal=password=topsecret-value",
        ],
    );
    let out = Command::new(&etcdctl)
        .args([
            "--endpoints",
            &format!("http://127.0.0.1:{client}"),
            "get",
            "/registry/secrets/default/enc",
        ])
        .env("ETCDCTL_API", "3")
        .output()
        .unwrap();
    let raw = String::from_utf8_lossy(&out.stdout);
    assert!(
        raw.contains("k8s:enc:aescbc:v1:key1:"),
        "not encrypted in etcd: {raw}"
    );
    assert!(
        !raw.contains("topsecret") && !raw.contains("dG9wc2VjcmV0"),
        "plaintext in etcd: {raw}"
    );
    let got = c.ok(
        &admin,
        &["get", "secret", "enc", "-o", "jsonpath={.data.password}"],
    );
    assert_eq!(got.trim(), "dG9wc2VjcmV0LXZhbHVl");
    // ConfigMaps are not covered by the configuration: stored as they are.
    c.ok(
        &admin,
        &[
            "create",
            "configmap",
            "plain",
            "--from-literal=k=visible-value",
        ],
    );
    let out = Command::new(&etcdctl)
        .args([
            "--endpoints",
            &format!("http://127.0.0.1:{client}"),
            "get",
            "/registry/configmaps/default/plain",
        ])
        .env("ETCDCTL_API", "3")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("visible-value"));

    // Without --anonymous-auth, a request without credentials is a 401, even for /healthz.
    let (code, body) = c.curl("/healthz");
    assert_eq!(code, 401, "{body}");
    assert!(body.contains(r#""reason":"Unauthorized""#), "{body}");

    // ResourceQuota holds under 20 concurrent creates.
    c.ok(&admin, &["create", "namespace", "q1"]);
    c.ok(
        &admin,
        &["create", "quota", "pods", "--hard=pods=5", "-n", "q1"],
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while !c
        .ok(
            &admin,
            &[
                "get",
                "quota",
                "pods",
                "-n",
                "q1",
                "-o",
                "jsonpath={.status.hard.pods}",
            ],
        )
        .contains('5')
    {
        assert!(Instant::now() < deadline, "quota status was never computed");
        std::thread::sleep(Duration::from_millis(100));
    }
    let handles: Vec<_> = (0..20)
        .map(|i| {
            let kubectl = c.kubectl.clone();
            let admin = admin.clone();
            let cache = c.dir.join(format!("kubecache-{i}"));
            std::thread::spawn(move || {
                let out = Command::new(kubectl)
                    .arg("--kubeconfig")
                    .arg(admin)
                    .args([
                        "run",
                        &format!("p{i}"),
                        "--image=busybox",
                        "-n",
                        "q1",
                        "--restart=Never",
                    ])
                    .env("KUBECACHEDIR", cache)
                    .output()
                    .unwrap();
                (
                    out.status.success(),
                    String::from_utf8_lossy(&out.stderr).into_owned(),
                )
            })
        })
        .collect();
    let results: Vec<(bool, String)> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let created = results.iter().filter(|(ok, _)| *ok).count();
    for (ok, err) in &results {
        if !ok {
            assert!(
                err.contains(
                    "exceeded quota: pods, requested: pods=1, used: pods=5, limited: pods=5"
                ),
                "{err}"
            );
        }
    }
    assert_eq!(created, 5, "{results:?}");
    let pods = c.ok(&admin, &["get", "pods", "-n", "q1", "-o", "name"]);
    assert_eq!(pods.lines().count(), 5, "{pods}");
    let used = c.ok(
        &admin,
        &[
            "get",
            "quota",
            "pods",
            "-n",
            "q1",
            "-o",
            "jsonpath={.status.used.pods}",
        ],
    );
    assert_eq!(used.trim(), "5");

    // The audit log: one Metadata event per secret request, none for other resources.
    std::thread::sleep(Duration::from_millis(500));
    let log = std::fs::read_to_string(&audit_log).unwrap();
    let events: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let create = events
        .iter()
        .find(|e| e["verb"] == "create" && e["objectRef"]["name"] == "enc")
        .unwrap_or_else(|| panic!("no audit event for the secret create:\n{log}"));
    assert_eq!(create["kind"], "Event");
    assert_eq!(create["apiVersion"], "audit.k8s.io/v1");
    assert_eq!(create["level"], "Metadata");
    assert_eq!(create["stage"], "ResponseComplete");
    assert_eq!(create["user"]["username"], "kubernetes-admin");
    assert_eq!(create["objectRef"]["resource"], "secrets");
    assert_eq!(create["responseStatus"]["code"], 201);
    assert_eq!(
        create["annotations"]["authorization.k8s.io/decision"],
        "allow"
    );
    assert!(create.get("requestObject").is_none());
    assert!(
        events
            .iter()
            .all(|e| e["objectRef"]["resource"] == "secrets"
                || e["objectRef"]["resource"] == "configmaps"),
        "{log}"
    );
    // RequestResponse: the configmap's create carries what was sent and what was stored.
    let cm = events
        .iter()
        .find(|e| e["verb"] == "create" && e["objectRef"]["resource"] == "configmaps")
        .unwrap_or_else(|| panic!("no audit event for the configmap create:\n{log}"));
    assert_eq!(cm["level"], "RequestResponse");
    assert_eq!(cm["requestObject"]["data"]["k"], "visible-value");
    assert_eq!(cm["responseObject"]["metadata"]["name"], "plain");
    assert!(cm["responseObject"]["metadata"]["uid"].is_string());
    assert!(
        events.iter().all(|e| e["stage"] != "RequestReceived"),
        "{log}"
    );
}
