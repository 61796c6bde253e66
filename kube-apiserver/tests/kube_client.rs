//! A kube-rs client (what every component of this project uses) against the real
//! `kube-apiserver`: a reflector on pods keeps an exact picture of the cluster while its
//! apiserver dies, others change and compact the store, and the apiserver comes back with a
//! fresh watch cache — the watcher's old resourceVersion is answered 410, it relists, and it
//! goes on seeing every later change exactly once.
//!
//! Two apiservers share one raftstore member and one CA, as an HA pair would.

use std::collections::{BTreeMap, HashSet};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::StreamExt;
use k8s_openapi::api::core::v1::{Namespace, Pod};
use kube::api::{Api, DeleteParams, Patch, PatchParams, PostParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::runtime::{WatchStreamExt, reflector, watcher};
use proto::etcdserverpb::CompactionRequest;
use proto::etcdserverpb::kv_client::KvClient;

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Apiserver {
    child: Child,
    log: PathBuf,
}

impl Apiserver {
    fn start(dir: &Path, name: &str, port: u16, etcd: &str) -> Apiserver {
        let log = dir.join(format!("{name}.log"));
        let out = std::fs::File::create(&log).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_kube-apiserver"))
            .args([
                "--etcd-servers",
                etcd,
                "--bind-address",
                "127.0.0.1",
                "--secure-port",
                &port.to_string(),
            ])
            .arg("--data-dir")
            .arg(dir.join(name))
            .arg("--cert-dir")
            .arg(dir.join("pki"))
            .env("NO_COLOR", "1")
            .stdout(Stdio::from(out.try_clone().unwrap()))
            .stderr(Stdio::from(out))
            .spawn()
            .unwrap();
        let a = Apiserver { child, log };
        let deadline = Instant::now() + Duration::from_secs(60);
        while !std::fs::read_to_string(&a.log)
            .unwrap_or_default()
            .contains("kube-apiserver serving")
        {
            assert!(
                Instant::now() < deadline,
                "{name} did not start:\n{}",
                std::fs::read_to_string(&a.log).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        a
    }
}

impl Drop for Apiserver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn client(kubeconfig: &Path, port: u16) -> kube::Client {
    let kc = Kubeconfig::read_from(kubeconfig).unwrap();
    let mut cfg = kube::Config::from_custom_kubeconfig(kc, &KubeConfigOptions::default())
        .await
        .unwrap();
    cfg.cluster_url = format!("https://127.0.0.1:{port}").parse().unwrap();
    kube::Client::try_from(cfg).unwrap()
}

fn pod(name: &str) -> Pod {
    serde_json::from_value(serde_json::json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name},
        "spec": {"containers": [{"name": "c", "image": "busybox:1.35"}]},
    }))
    .unwrap()
}

/// Wait until the reflector's store holds exactly `want` (name → label `v`).
async fn converges(reader: &reflector::Store<Pod>, want: &BTreeMap<String, String>) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let have: BTreeMap<String, String> = reader
            .state()
            .iter()
            .map(|p| {
                let v = p
                    .metadata
                    .labels
                    .as_ref()
                    .and_then(|l| l.get("v").cloned())
                    .unwrap_or_default();
                (p.metadata.name.clone().unwrap_or_default(), v)
            })
            .collect();
        if &have == want {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "reflector holds {have:?}, want {want:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reflector_survives_apiserver_restart_and_store_compaction() {
    let dir = tempfile::tempdir().unwrap();
    let (client_port, peer_port) = (free_port(), free_port());
    let store = raftstore::start(raftstore::Config {
        name: "kr".into(),
        data_dir: dir.path().join("store"),
        listen_client_urls: vec![format!("http://127.0.0.1:{client_port}")],
        listen_peer_urls: vec![format!("http://127.0.0.1:{peer_port}")],
        initial_cluster: format!("kr=http://127.0.0.1:{peer_port}"),
        unsafe_no_fsync: true,
        ..raftstore::Config::default()
    })
    .await
    .unwrap();
    let etcd = format!("http://127.0.0.1:{client_port}");
    let (port_a, port_b) = (free_port(), free_port());
    let mut a = Apiserver::start(dir.path(), "a", port_a, &etcd);
    let _b = Apiserver::start(dir.path(), "b", port_b, &etcd);
    let kubeconfig = dir.path().join("pki/admin.kubeconfig");
    let via_a = client(&kubeconfig, port_a).await;
    let via_b = client(&kubeconfig, port_b).await;
    eprintln!("phase: A and B serve");

    let ns: Namespace =
        serde_json::from_value(serde_json::json!({"metadata": {"name": "kr"}})).unwrap();
    Api::<Namespace>::all(via_b.clone())
        .create(&PostParams::default(), &ns)
        .await
        .unwrap();
    let pods_b: Api<Pod> = Api::namespaced(via_b.clone(), "kr");

    // The reflector watches through A and records every applied event.
    let (reader, writer) = reflector::store::<Pod>();
    let seen: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let relists = Arc::new(Mutex::new(0usize));
    let reflector_task = {
        let seen = seen.clone();
        let relists = relists.clone();
        let stream = reflector(
            writer,
            // With kube-rs's back-off, as every component runs its watchers: without it, a
            // watcher whose server is gone reconnects in a loop that never yields.
            watcher(
                Api::<Pod>::namespaced(via_a.clone(), "kr"),
                watcher::Config::default(),
            )
            .default_backoff(),
        );
        tokio::spawn(async move {
            let mut stream = std::pin::pin!(stream);
            while let Some(ev) = stream.next().await {
                match ev {
                    Ok(watcher::Event::Apply(p)) => seen.lock().unwrap().push((
                        p.metadata.name.clone().unwrap_or_default(),
                        p.metadata.resource_version.clone().unwrap_or_default(),
                    )),
                    Ok(watcher::Event::Init) => *relists.lock().unwrap() += 1,
                    _ => {}
                }
            }
        })
    };

    let mut want = BTreeMap::new();
    for name in ["a", "b", "c", "d", "e"] {
        pods_b
            .create(&PostParams::default(), &pod(name))
            .await
            .unwrap();
        want.insert(name.to_string(), String::new());
    }
    converges(&reader, &want).await;
    eprintln!("phase: five pods seen");

    // A dies. Meanwhile the cluster changes through B, and the store compacts its history.
    let _ = a.child.kill();
    let _ = a.child.wait();
    eprintln!("phase: A killed");
    let label = |v: &str| Patch::Merge(serde_json::json!({"metadata": {"labels": {"v": v}}}));
    pods_b
        .patch("a", &PatchParams::default(), &label("1"))
        .await
        .unwrap();
    pods_b.delete("b", &DeleteParams::default()).await.unwrap();
    pods_b
        .create(&PostParams::default(), &pod("f"))
        .await
        .unwrap();
    let mut kv = KvClient::connect(etcd.clone()).await.unwrap();
    let rev = kv
        .range(proto::etcdserverpb::RangeRequest {
            key: b"/".to_vec(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .header
        .unwrap()
        .revision;
    kv.compact(CompactionRequest {
        revision: rev,
        physical: true,
    })
    .await
    .unwrap();
    want.insert("a".into(), "1".into());
    want.remove("b");
    want.insert("f".into(), String::new());

    // A comes back with an empty watch cache: the reflector's resourceVersion is too old, it
    // is told 410, relists, and holds exactly the cluster's state.
    let relists_before = *relists.lock().unwrap();
    a = Apiserver::start(dir.path(), "a", port_a, &etcd);
    eprintln!("phase: A restarted");
    converges(&reader, &want).await;
    eprintln!("phase: relisted state seen");
    assert!(
        *relists.lock().unwrap() > relists_before,
        "the reflector never relisted"
    );

    // Later changes arrive live, each once.
    pods_b
        .patch("c", &PatchParams::default(), &label("2"))
        .await
        .unwrap();
    pods_b
        .patch("c", &PatchParams::default(), &label("3"))
        .await
        .unwrap();
    want.insert("c".into(), "3".into());
    converges(&reader, &want).await;
    eprintln!("phase: live changes seen");
    let seen = seen.lock().unwrap().clone();
    let mut unique = HashSet::new();
    for e in &seen {
        assert!(
            unique.insert(e.clone()),
            "event {e:?} delivered twice: {seen:?}"
        );
    }
    let c_versions: Vec<&String> = seen
        .iter()
        .filter(|(n, _)| n == "c")
        .map(|(_, rv)| rv)
        .collect();
    assert!(
        c_versions.len() >= 2,
        "the two changes to c were not both seen: {seen:?}"
    );

    reflector_task.abort();
    drop(a);
    eprintln!("phase: A stopped; shutting down the store");
    store.shutdown().await;
    eprintln!("phase: done");
}
