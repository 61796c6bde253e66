//! The real `kube-controller-manager` binary against a kube-apiserver (in this process, on its
//! embedded store), as kubeadm runs it (`controller-manager.kubeconfig`,
//! `--use-service-account-credentials`): a kubelet's TLS bootstrap with a bootstrap token (its
//! CSR approved and signed, the certificate then authenticating as the node), the `default`
//! ServiceAccount and `kube-root-ca.crt` in a new namespace, ClusterRole aggregation, and the
//! leader Lease.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use k8s_openapi::api::authentication::v1::SelfSubjectReview;
use k8s_openapi::api::certificates::v1::{
    CertificateSigningRequest, CertificateSigningRequestSpec,
};
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Pod, Secret, ServiceAccount};
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, PolicyRule, RoleRef, Subject};
use kube::api::{Api, ObjectMeta, PostParams};
use kube::config::{KubeConfigOptions, Kubeconfig};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn config(kubeconfig: &Path) -> kube::Config {
    let kc = Kubeconfig::read_from(kubeconfig).unwrap();
    kube::Config::from_custom_kubeconfig(kc, &KubeConfigOptions::default())
        .await
        .unwrap()
}

fn with_auth(mut cfg: kube::Config, auth: kube::config::AuthInfo) -> kube::Client {
    cfg.auth_info = auth;
    kube::Client::try_from(cfg).unwrap()
}

/// Poll `f` every 100 ms until it yields, for up to 30 s.
async fn eventually<T, F, Fut>(what: &str, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn meta(name: &str) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.into()),
        ..Default::default()
    }
}

fn binding(name: &str, role: &str, group: &str) -> ClusterRoleBinding {
    ClusterRoleBinding {
        metadata: meta(name),
        role_ref: RoleRef {
            api_group: "rbac.authorization.k8s.io".into(),
            kind: "ClusterRole".into(),
            name: role.into(),
        },
        subjects: Some(vec![Subject {
            api_group: Some("rbac.authorization.k8s.io".into()),
            kind: "Group".into(),
            name: group.into(),
            namespace: None,
        }]),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_bootstrap_namespace_defaults_aggregation_and_leadership() {
    let dir = tempfile::tempdir().unwrap();
    let pki = dir.path().join("pki");
    let port = free_port();
    let apiserver = kube_apiserver::app::start(kube_apiserver::app::Config {
        data_dir: dir.path().join("data"),
        bind_address: "127.0.0.1".into(),
        secure_port: port,
        cert_dir: Some(pki.clone()),
        ..Default::default()
    })
    .await
    .unwrap();
    let admin_cfg = config(&pki.join("admin.kubeconfig")).await;
    let admin = kube::Client::try_from(admin_cfg.clone()).unwrap();

    // What kubeadm sets up for joining nodes: a bootstrap token whose group may ask for node
    // client certificates and have them approved, and nodes renewing their own.
    let crbs: Api<ClusterRoleBinding> = Api::all(admin.clone());
    let group = "system:bootstrappers:kubeadm:default-node-token";
    for b in [
        binding(
            "kubeadm:kubelet-bootstrap",
            "system:node-bootstrapper",
            group,
        ),
        binding(
            "kubeadm:node-autoapprove-bootstrap",
            "system:certificates.k8s.io:certificatesigningrequests:nodeclient",
            group,
        ),
        binding(
            "kubeadm:node-autoapprove-certificate-rotation",
            "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient",
            "system:nodes",
        ),
    ] {
        crbs.create(&PostParams::default(), &b).await.unwrap();
    }
    let secrets: Api<Secret> = Api::namespaced(admin.clone(), "kube-system");
    let token_secret: Secret = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "bootstrap-token-abcdef"},
        "type": "bootstrap.kubernetes.io/token",
        "stringData": {
            "token-id": "abcdef",
            "token-secret": "0123456789abcdef",
            "usage-bootstrap-authentication": "true",
            "usage-bootstrap-signing": "true",
            "auth-extra-groups": group,
        }
    }))
    .unwrap();
    secrets
        .create(&PostParams::default(), &token_secret)
        .await
        .unwrap();

    let _kcm = Killed(
        Command::new(env!("CARGO_BIN_EXE_kube-controller-manager"))
            .arg("--kubeconfig")
            .arg(pki.join("controller-manager.kubeconfig"))
            .arg("--use-service-account-credentials=true")
            .arg("--cluster-signing-cert-file")
            .arg(pki.join("ca.crt"))
            .arg("--cluster-signing-key-file")
            .arg(pki.join("ca.key"))
            .arg("--root-ca-file")
            .arg(pki.join("ca.crt"))
            .args(["--bind-address", "127.0.0.1", "--secure-port", "0"])
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap(),
    );

    // The kubelet's TLS bootstrap: a CSR as the bootstrap token, approved and signed by the
    // controllers; the certificate then authenticates as the node.
    let bootstrap = with_auth(
        admin_cfg.clone(),
        kube::config::AuthInfo {
            token: Some("abcdef.0123456789abcdef".to_string().into()),
            ..Default::default()
        },
    );
    let (request, key) = kube_controller_manager::certificates::make_request(
        "system:node:n1",
        &["system:nodes"],
        &[],
        &[],
    )
    .unwrap();
    let csrs: Api<CertificateSigningRequest> = Api::all(bootstrap.clone());
    let csr = CertificateSigningRequest {
        metadata: meta("node-csr-n1"),
        spec: CertificateSigningRequestSpec {
            request: k8s_openapi::ByteString(request.into_bytes()),
            signer_name: "kubernetes.io/kube-apiserver-client-kubelet".into(),
            usages: Some(vec!["digital signature".into(), "client auth".into()]),
            ..Default::default()
        },
        status: None,
    };
    let created = csrs.create(&PostParams::default(), &csr).await.unwrap();
    assert_eq!(
        created.spec.username.as_deref(),
        Some("system:bootstrap:abcdef")
    );
    let certificate = eventually("the node's certificate", || {
        let csrs = csrs.clone();
        async move {
            let c = csrs.get("node-csr-n1").await.ok()?;
            c.status?.certificate.map(|b| b.0)
        }
    })
    .await;
    let approved = csrs.get("node-csr-n1").await.unwrap();
    let conditions = approved.status.unwrap().conditions.unwrap();
    assert_eq!(conditions[0].type_, "Approved");
    assert_eq!(conditions[0].reason.as_deref(), Some("AutoApproved"));
    use base64::Engine;
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let node = with_auth(
        admin_cfg.clone(),
        kube::config::AuthInfo {
            client_certificate_data: Some(b64(&certificate)),
            client_key_data: Some(b64(key.as_bytes()).into()),
            ..Default::default()
        },
    );
    let review: SelfSubjectReview = Api::all(node)
        .create(&PostParams::default(), &SelfSubjectReview::default())
        .await
        .unwrap();
    let who = review.status.unwrap().user_info.unwrap();
    assert_eq!(who.username.as_deref(), Some("system:node:n1"));
    assert_eq!(
        who.groups.unwrap(),
        ["system:nodes", "system:authenticated"]
    );

    // A new namespace gets its default ServiceAccount and the cluster CA.
    let namespaces: Api<Namespace> = Api::all(admin.clone());
    namespaces
        .create(
            &PostParams::default(),
            &Namespace {
                metadata: meta("team-a"),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let accounts: Api<ServiceAccount> = Api::namespaced(admin.clone(), "team-a");
    eventually("the default service account", || {
        let accounts = accounts.clone();
        async move { accounts.get_opt("default").await.ok().flatten() }
    })
    .await;
    let maps: Api<ConfigMap> = Api::namespaced(admin.clone(), "team-a");
    let ca = eventually("kube-root-ca.crt", || {
        let maps = maps.clone();
        async move { maps.get_opt("kube-root-ca.crt").await.ok().flatten() }
    })
    .await;
    assert_eq!(
        ca.data.unwrap()["ca.crt"],
        std::fs::read_to_string(pki.join("ca.crt")).unwrap()
    );
    // Its pods get the service account's credentials mounted (the ServiceAccount admission
    // plugin), now that the account exists.
    let pods: Api<Pod> = Api::namespaced(admin.clone(), "team-a");
    let pod: Pod = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "web"},
        "spec": {"containers": [{"name": "c", "image": "nginx:1.24.0"}]}
    }))
    .unwrap();
    let pod = pods.create(&PostParams::default(), &pod).await.unwrap();
    let spec = pod.spec.unwrap();
    assert_eq!(spec.service_account_name.as_deref(), Some("default"));
    let volume = &spec.volumes.unwrap()[0];
    assert!(volume.name.starts_with("kube-api-access-"), "{volume:?}");
    let sources = volume.projected.as_ref().unwrap().sources.as_ref().unwrap();
    assert_eq!(
        sources[0]
            .service_account_token
            .as_ref()
            .unwrap()
            .expiration_seconds,
        Some(3607)
    );
    let mount = &spec.containers[0].volume_mounts.as_ref().unwrap()[0];
    assert_eq!(
        mount.mount_path,
        "/var/run/secrets/kubernetes.io/serviceaccount"
    );
    assert_eq!(mount.read_only, Some(true));

    // ... and gets the ServiceAccount back when it is deleted.
    accounts
        .delete("default", &Default::default())
        .await
        .unwrap();
    eventually("the default service account again", || {
        let accounts = accounts.clone();
        async move { accounts.get_opt("default").await.ok().flatten() }
    })
    .await;

    // Aggregation: a role labelled aggregate-to-view joins view.
    let roles: Api<ClusterRole> = Api::all(admin.clone());
    let mut extra = ClusterRole {
        metadata: meta("widgets-view"),
        rules: Some(vec![PolicyRule {
            api_groups: Some(vec!["example.com".into()]),
            resources: Some(vec!["widgets".into()]),
            verbs: vec!["get".into(), "list".into()],
            ..Default::default()
        }]),
        ..Default::default()
    };
    extra.metadata.labels = Some(
        [(
            "rbac.authorization.k8s.io/aggregate-to-view".to_string(),
            "true".to_string(),
        )]
        .into(),
    );
    roles.create(&PostParams::default(), &extra).await.unwrap();
    eventually("view to gather widgets", || {
        let roles = roles.clone();
        async move {
            let view = roles.get("view").await.ok()?;
            view.rules?
                .iter()
                .any(|r| r.resources.as_deref() == Some(&["widgets".to_string()][..]))
                .then_some(())
        }
    })
    .await;

    // The manager leads through its Lease.
    let leases: Api<Lease> = Api::namespaced(admin.clone(), "kube-system");
    let lease = leases.get("kube-controller-manager").await.unwrap();
    assert!(lease.spec.unwrap().holder_identity.is_some());

    apiserver.shutdown().await;
}
