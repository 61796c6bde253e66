//! The real `kube-apiserver` binary on a three-member raftstore cluster, and on Debian's real
//! etcd, driven by the shared acceptance script with the real kubectl 1.33
//! (`../shared/acceptance/kubectl-seed.sh api`).
//!
//! Every step must pass.

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

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/acceptance/kubectl-seed.sh")
}

/// A child process killed on drop, with its log kept for failure messages.
struct Daemon {
    child: Child,
    log: PathBuf,
}

impl Daemon {
    fn spawn(mut cmd: Command, log: PathBuf) -> Daemon {
        let out = std::fs::File::create(&log).unwrap();
        let err = out.try_clone().unwrap();
        let child = cmd
            .stdout(Stdio::from(out))
            .stderr(Stdio::from(err))
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e}"));
        Daemon { child, log }
    }

    fn log_tail(&self) -> String {
        let s = std::fs::read_to_string(&self.log).unwrap_or_default();
        s.lines()
            .rev()
            .take(30)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_apiserver(dir: &Path, etcd_servers: &str) -> (Daemon, PathBuf) {
    let port = free_port();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kube-apiserver"));
    cmd.args([
        "--etcd-servers",
        etcd_servers,
        "--data-dir",
        dir.join("apiserver").to_str().unwrap(),
        "--bind-address",
        "127.0.0.1",
        "--secure-port",
        &port.to_string(),
    ])
    .env("NO_COLOR", "1");
    let d = Daemon::spawn(cmd, dir.join("apiserver.log"));
    let kubeconfig = dir.join("apiserver/pki/admin.kubeconfig");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let ready = kubeconfig.exists()
            && std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
            && std::fs::read_to_string(&d.log)
                .unwrap_or_default()
                .contains("kube-apiserver serving");
        if ready {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "kube-apiserver did not start:\n{}",
            d.log_tail()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    (d, kubeconfig)
}

/// Run the script; returns (passed steps, failed steps, output).
fn run_seed(kubeconfig: &Path) -> (Vec<String>, Vec<String>, String) {
    let out = Command::new("bash")
        .arg(script())
        .arg("api")
        .env("KUBECONFIG", kubeconfig)
        .output()
        .expect("run kubectl-seed.sh");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    let mut passed = Vec::new();
    let mut failed = Vec::new();
    for line in text.lines() {
        if let Some(step) = line.strip_prefix("PASS ") {
            passed.push(step.trim().to_string());
        } else if let Some(step) = line.strip_prefix("FAIL ") {
            failed.push(step.trim().to_string());
        }
    }
    (passed, failed, text)
}

fn check(label: &str, kubeconfig: &Path, apiserver: &Daemon) {
    let (passed, failed, text) = run_seed(kubeconfig);
    println!(
        "{label}: {} steps passed, {} failed\n{text}",
        passed.len(),
        failed.len()
    );
    assert!(
        failed.is_empty()
            && !passed.is_empty()
            && text.contains(&format!("{} passed, 0 failed", passed.len())),
        "{label}: kubectl-seed.sh api failed steps {failed:?}\nscript output:\n{text}\napiserver log:\n{}",
        apiserver.log_tail()
    );
}

#[test]
fn kubectl_seed_api_on_three_raftstore_members() {
    let dir = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    // Three members in this process, through the library (the kube-apiserver binary reaches
    // them over loopback like any etcd client).
    let ports: Vec<(u16, u16)> = (0..3).map(|_| (free_port(), free_port())).collect();
    let initial_cluster = ports
        .iter()
        .enumerate()
        .map(|(i, (_, peer))| format!("m{i}=http://127.0.0.1:{peer}"))
        .collect::<Vec<_>>()
        .join(",");
    let members: Vec<raftstore::Server> = rt.block_on(async {
        let mut out = Vec::new();
        for (i, (client, peer)) in ports.iter().enumerate() {
            let cfg = raftstore::Config {
                name: format!("m{i}"),
                data_dir: dir.path().join(format!("m{i}")),
                listen_client_urls: vec![format!("http://127.0.0.1:{client}")],
                advertise_client_urls: vec![format!("http://127.0.0.1:{client}")],
                listen_peer_urls: vec![format!("http://127.0.0.1:{peer}")],
                initial_advertise_peer_urls: vec![format!("http://127.0.0.1:{peer}")],
                initial_cluster: initial_cluster.clone(),
                ..raftstore::Config::default()
            };
            out.push(raftstore::start(cfg).await.unwrap());
        }
        out
    });
    let endpoints = ports
        .iter()
        .map(|(c, _)| format!("http://127.0.0.1:{c}"))
        .collect::<Vec<_>>()
        .join(",");
    let (apiserver, kubeconfig) = start_apiserver(dir.path(), &endpoints);
    check("raftstore", &kubeconfig, &apiserver);
    drop(apiserver);
    rt.block_on(async {
        for m in members {
            m.shutdown().await;
        }
    });
}

#[test]
fn kubectl_seed_api_on_real_etcd() {
    let etcd = which("etcd").expect("etcd is not installed (Debian: apt-get install etcd-server)");
    let dir = tempfile::tempdir().unwrap();
    let (client, peer) = (free_port(), free_port());
    let mut cmd = Command::new(etcd);
    cmd.args([
        "--name",
        "seed",
        "--data-dir",
        dir.path().join("etcd").to_str().unwrap(),
        "--listen-client-urls",
        &format!("http://127.0.0.1:{client}"),
        "--advertise-client-urls",
        &format!("http://127.0.0.1:{client}"),
        "--listen-peer-urls",
        &format!("http://127.0.0.1:{peer}"),
        "--initial-advertise-peer-urls",
        &format!("http://127.0.0.1:{peer}"),
        "--initial-cluster",
        &format!("seed=http://127.0.0.1:{peer}"),
    ])
    .env("ETCD_UNSUPPORTED_ARCH", "")
    .env_remove("ETCDCTL_API");
    let etcd = Daemon::spawn(cmd, dir.path().join("etcd.log"));
    let (apiserver, kubeconfig) =
        start_apiserver(dir.path(), &format!("http://127.0.0.1:{client}"));
    check("etcd", &kubeconfig, &apiserver);
    drop(apiserver);
    drop(etcd);
}

fn which(bin: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|d| Path::new(d).join(bin))
        .find(|p| p.is_file())
}
