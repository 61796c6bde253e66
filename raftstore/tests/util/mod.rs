//! Real `raftstore` processes on loopback ports chosen at run time, for tests of what a user
//! sees: [`TestCluster`] starts N members (each in its own data directory, stdout and stderr
//! captured to a log file), waits for them with a deadline, kills, stops and restarts them, and
//! finds the leader. Nothing here waits without a deadline, and every panic says what failed
//! and shows the tail of each member's log.

use std::collections::BTreeSet;
use std::fmt::Display;
use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::net::TcpListener;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use proto::etcdserverpb::kv_client::KvClient;
use proto::etcdserverpb::lease_client::LeaseClient;
use proto::etcdserverpb::maintenance_client::MaintenanceClient;
use proto::etcdserverpb::watch_client::WatchClient;
use proto::etcdserverpb::{RangeRequest, StatusRequest};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tonic::transport::{Channel, Endpoint};

/// How long a member gets to become healthy, a leader to emerge, a process to exit.
pub const DEADLINE: Duration = Duration::from_secs(30);
/// Per-request timeout of the gRPC clients handed out by [`TestCluster`].
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);
/// Lines of each member's log shown in a failure message.
const LOG_TAIL_LINES: usize = 40;
/// Attempts at starting a cluster when a chosen port was taken meanwhile.
const START_ATTEMPTS: usize = 3;

/// One member: its flags, where it keeps data and logs, and its process if running.
pub struct MemberProcess {
    pub name: String,
    /// `127.0.0.1:port`, as `etcdctl --endpoints` wants it.
    pub client_addr: String,
    pub peer_url: String,
    pub data_dir: PathBuf,
    pub log: PathBuf,
    /// The member ID, learned from its `Status` once it first became healthy.
    pub id: u64,
    args: Vec<String>,
    child: Option<Child>,
}

impl MemberProcess {
    pub fn client_url(&self) -> String {
        format!("http://{}", self.client_addr)
    }
}

/// A cluster of real `raftstore` processes; every child is killed when it is dropped.
pub struct TestCluster {
    members: Vec<MemberProcess>,
    /// Holds every data directory and log; removed on drop unless the test failed.
    root: tempfile::TempDir,
}

/// Ports this test process has handed out already: tests run in parallel, and a port one
/// cluster picked but has not bound yet looks free to the next.
static HANDED_OUT: Mutex<BTreeSet<u16>> = Mutex::new(BTreeSet::new());

/// `n` distinct free loopback ports: bind 127.0.0.1:0, read the port, let go (skipping ports
/// already handed out to another cluster of this process).
fn free_ports(n: usize) -> Vec<u16> {
    let mut handed_out = HANDED_OUT.lock().unwrap_or_else(|e| e.into_inner());
    let mut held = Vec::new();
    let mut ports = Vec::new();
    for _ in 0..100 * n {
        if ports.len() == n {
            break;
        }
        let l = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0 to find a free port");
        let port = l
            .local_addr()
            .expect("local_addr of a bound listener")
            .port();
        if handed_out.insert(port) {
            ports.push(port);
        }
        held.push(l);
    }
    assert_eq!(ports.len(), n, "could not find {n} free loopback ports");
    ports
}

/// The last `n` lines of a file, or why it could not be read.
fn tail(path: &Path, n: usize) -> String {
    match std::fs::read(path) {
        Ok(bytes) => {
            let text = String::from_utf8_lossy(&bytes);
            let lines: Vec<&str> = text.lines().collect();
            lines[lines.len().saturating_sub(n)..].join("\n")
        }
        Err(e) => format!("(cannot read {}: {e})", path.display()),
    }
}

/// A gRPC channel that connects on first use (so it can be made for a member that is down).
pub fn channel(url: &str) -> Channel {
    Endpoint::from_shared(url.to_string())
        .expect("a valid endpoint URL")
        .connect_timeout(Duration::from_secs(1))
        .timeout(REQUEST_TIMEOUT)
        .connect_lazy()
}

/// `GET /health` over HTTP/1.1; true if the member answered 200 with `"health":"true"`.
async fn healthy(addr: &str) -> bool {
    let probe = async {
        let mut conn = tokio::net::TcpStream::connect(addr).await.ok()?;
        let req = format!("GET /health HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
        conn.write_all(req.as_bytes()).await.ok()?;
        let mut body = Vec::new();
        conn.read_to_end(&mut body).await.ok()?;
        Some(String::from_utf8_lossy(&body).into_owned())
    };
    match tokio::time::timeout(Duration::from_secs(2), probe).await {
        Ok(Some(resp)) => resp.starts_with("HTTP/1.1 200") && resp.contains(r#""health":"true""#),
        _ => false,
    }
}

impl TestCluster {
    /// Start `n` members of a new cluster and wait until each is healthy (has a leader).
    /// Another process may take a chosen port before a member binds it; then the cluster is
    /// started again on new ports (at most [`START_ATTEMPTS`] times).
    pub async fn start(n: usize) -> TestCluster {
        let all: Vec<usize> = (0..n).collect();
        for attempt in 1..=START_ATTEMPTS {
            let mut cluster = TestCluster::configure(n);
            for i in 0..n {
                cluster.spawn(i);
            }
            match cluster.try_wait_healthy(&all).await {
                Ok(()) => return cluster,
                Err(what) if attempt < START_ATTEMPTS && cluster.port_taken() => {
                    eprintln!("a port was taken, starting on new ports: {what}");
                }
                Err(what) => cluster.fail(what),
            }
        }
        unreachable!("the last attempt returns or fails")
    }

    /// Members' flags, data dirs and logs, on fresh ports; nothing started yet.
    fn configure(n: usize) -> TestCluster {
        let root = tempfile::Builder::new()
            .prefix("raftstore-cluster-")
            .tempdir()
            .expect("create a temp dir");
        let ports = free_ports(2 * n);
        let names: Vec<String> = (0..n).map(|i| format!("m{i}")).collect();
        let peer_urls: Vec<String> = (0..n)
            .map(|i| format!("http://127.0.0.1:{}", ports[2 * i + 1]))
            .collect();
        let initial_cluster = names
            .iter()
            .zip(&peer_urls)
            .map(|(name, url)| format!("{name}={url}"))
            .collect::<Vec<_>>()
            .join(",");
        let members = (0..n)
            .map(|i| {
                let name = names[i].clone();
                let client_addr = format!("127.0.0.1:{}", ports[2 * i]);
                let data_dir = root.path().join(format!("{name}.etcd"));
                let args = vec![
                    format!("--name={name}"),
                    format!("--data-dir={}", data_dir.display()),
                    format!("--listen-client-urls=http://{client_addr}"),
                    format!("--advertise-client-urls=http://{client_addr}"),
                    format!("--listen-peer-urls={}", peer_urls[i]),
                    format!("--initial-advertise-peer-urls={}", peer_urls[i]),
                    format!("--initial-cluster={initial_cluster}"),
                    "--initial-cluster-state=new".to_string(),
                    "--log-level=info".to_string(),
                ];
                MemberProcess {
                    log: root.path().join(format!("{name}.log")),
                    name,
                    client_addr,
                    peer_url: peer_urls[i].clone(),
                    data_dir,
                    id: 0,
                    args,
                    child: None,
                }
            })
            .collect();
        TestCluster { members, root }
    }

    /// Whether a member failed because one of its ports was in use.
    fn port_taken(&self) -> bool {
        self.members.iter().any(|m| {
            std::fs::read_to_string(&m.log).is_ok_and(|log| log.contains("Address already in use"))
        })
    }

    pub fn len(&self) -> usize {
        self.members.len()
    }

    pub fn member(&self, i: usize) -> &MemberProcess {
        &self.members[i]
    }

    /// Every member's client address, comma-separated (`ENDPOINTS=` for etcdctl).
    pub fn endpoints(&self) -> String {
        self.members
            .iter()
            .map(|m| m.client_addr.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }

    pub fn kv(&self, i: usize) -> KvClient<Channel> {
        KvClient::new(channel(&self.members[i].client_url()))
    }

    pub fn lease(&self, i: usize) -> LeaseClient<Channel> {
        LeaseClient::new(channel(&self.members[i].client_url()))
    }

    pub fn watch(&self, i: usize) -> WatchClient<Channel> {
        WatchClient::new(channel(&self.members[i].client_url()))
    }

    pub fn maintenance(&self, i: usize) -> MaintenanceClient<Channel> {
        MaintenanceClient::new(channel(&self.members[i].client_url()))
    }

    /// Panic with `what` and the tail of every member's log.
    #[track_caller]
    pub fn fail(&self, what: impl Display) -> ! {
        let mut msg = format!("{what}\n");
        for m in &self.members {
            let state = if m.child.is_some() {
                "running"
            } else {
                "not running"
            };
            msg.push_str(&format!(
                "\n----- {} ({state}, client {}, peer {}, id {:x}, data {}) last {LOG_TAIL_LINES} lines of {} -----\n{}\n",
                m.name,
                m.client_addr,
                m.peer_url,
                m.id,
                m.data_dir.display(),
                m.log.display(),
                tail(&m.log, LOG_TAIL_LINES)
            ));
        }
        panic!("{msg}");
    }

    /// Start member `i`'s process with its flags, appending its output to its log.
    fn spawn(&mut self, i: usize) {
        let m = &mut self.members[i];
        assert!(m.child.is_none(), "member {} is already running", m.name);
        let mut log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&m.log)
            .unwrap_or_else(|e| panic!("open log {}: {e}", m.log.display()));
        let _ = writeln!(
            log,
            "===== test harness: starting {} {}",
            env!("CARGO_BIN_EXE_raftstore"),
            m.args.join(" ")
        );
        let stderr = log
            .try_clone()
            .unwrap_or_else(|e| panic!("dup log {}: {e}", m.log.display()));
        let child = Command::new(env!("CARGO_BIN_EXE_raftstore"))
            .args(&m.args)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(stderr))
            .spawn();
        match child {
            Ok(c) => m.child = Some(c),
            Err(e) => {
                let what = format!("cannot start member {}: {e}", m.name);
                self.fail(what)
            }
        }
    }

    /// An error if a member that should run has exited.
    fn check_alive(&mut self, i: usize, while_doing: &str) -> Result<(), String> {
        let m = &mut self.members[i];
        let status = match m.child.as_mut().map(Child::try_wait) {
            Some(Ok(Some(status))) => status,
            _ => return Ok(()),
        };
        m.child = None;
        Err(format!(
            "member {} exited with {status} while {while_doing}",
            m.name
        ))
    }

    /// Wait until each of `which` answers `/health` with a leader, and learn its member ID.
    pub async fn wait_healthy(&mut self, which: &[usize]) {
        if let Err(what) = self.try_wait_healthy(which).await {
            self.fail(what);
        }
    }

    async fn try_wait_healthy(&mut self, which: &[usize]) -> Result<(), String> {
        let deadline = Instant::now() + DEADLINE;
        for &i in which {
            loop {
                self.check_alive(i, "waiting for it to become healthy")?;
                if healthy(&self.members[i].client_addr).await {
                    break;
                }
                if Instant::now() > deadline {
                    return Err(format!(
                        "member {} not healthy (GET http://{}/health) within {DEADLINE:?}",
                        self.members[i].name, self.members[i].client_addr
                    ));
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            let m = &mut self.members[i];
            let status = MaintenanceClient::new(channel(&m.client_url()))
                .status(StatusRequest {})
                .await
                .map_err(|e| format!("Status on healthy member {}: {e}", m.name))?
                .into_inner();
            let id = status.header.map(|h| h.member_id).unwrap_or_default();
            if id == 0 || (m.id != 0 && m.id != id) {
                return Err(format!(
                    "member {} reports member ID {id:x}, had {:x}",
                    m.name, m.id
                ));
            }
            m.id = id;
        }
        Ok(())
    }

    /// SIGKILL member `i` and reap it.
    pub fn kill(&mut self, i: usize) {
        let m = &mut self.members[i];
        let Some(mut child) = m.child.take() else {
            panic!("kill: member {} is not running", m.name)
        };
        let _ = child.kill();
        let _ = child.wait();
    }

    /// SIGTERM member `i` (a clean shutdown) and wait for it to exit, successfully.
    #[allow(dead_code)] // the harness's API; not every test uses it
    pub async fn stop(&mut self, i: usize) {
        self.stop_all_of(&[i]).await;
    }

    /// SIGTERM each of `which` at once, then wait for each to exit successfully.
    pub async fn stop_all_of(&mut self, which: &[usize]) {
        for &i in which {
            let m = &self.members[i];
            let Some(child) = &m.child else {
                panic!("stop: member {} is not running", m.name)
            };
            let sent = Command::new("kill")
                .arg("-TERM")
                .arg(child.id().to_string())
                .status();
            if !sent.as_ref().is_ok_and(|s| s.success()) {
                let what = format!(
                    "kill -TERM {} (member {}) failed: {sent:?}",
                    child.id(),
                    m.name
                );
                self.fail(what);
            }
        }
        let deadline = Instant::now() + DEADLINE;
        for &i in which {
            let status = loop {
                let m = &mut self.members[i];
                let waited = m.child.as_mut().map(Child::try_wait);
                match waited {
                    Some(Ok(Some(status))) => break status,
                    Some(Ok(None)) if Instant::now() < deadline => {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                    other => {
                        let what = format!(
                            "member {} did not exit within {DEADLINE:?} of SIGTERM ({other:?})",
                            m.name
                        );
                        self.fail(what);
                    }
                }
            };
            self.members[i].child = None;
            if !status.success() {
                let what = format!(
                    "member {} exited with {status} after SIGTERM",
                    self.members[i].name
                );
                self.fail(what);
            }
        }
    }

    /// Start a stopped member again with the same flags and data dir, and wait until healthy.
    pub async fn restart(&mut self, i: usize) {
        self.restart_all_of(&[i]).await;
    }

    /// Start each of `which` again at once (a member alone has no quorum), then wait for all.
    pub async fn restart_all_of(&mut self, which: &[usize]) {
        for &i in which {
            self.spawn(i);
        }
        self.wait_healthy(which).await;
    }

    /// The running member that leads: one that calls itself leader and that every other
    /// running member names as leader. Waits up to [`DEADLINE`].
    pub async fn leader(&self) -> usize {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let mut named = Vec::new();
            let mut errors = Vec::new();
            for (i, m) in self
                .members
                .iter()
                .enumerate()
                .filter(|(_, m)| m.child.is_some())
            {
                match self.maintenance(i).status(StatusRequest {}).await {
                    Ok(r) => named.push(r.into_inner().leader),
                    Err(e) => errors.push(format!("Status on {}: {e}", m.name)),
                }
            }
            let first = named.first().copied().unwrap_or(0);
            let agreed = errors.is_empty() && first != 0 && named.iter().all(|&l| l == first);
            if agreed
                && let Some(i) = self
                    .members
                    .iter()
                    .position(|m| m.id == first && m.child.is_some())
            {
                return i;
            }
            if Instant::now() > deadline {
                self.fail(format!(
                    "no leader agreed on by every running member within {DEADLINE:?}: they name {named:x?}; {errors:?}"
                ));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// A linearizable or serializable single-key read on member `i`: the value, if any.
    pub async fn get(
        &self,
        i: usize,
        key: &str,
        serializable: bool,
    ) -> Result<Option<Vec<u8>>, tonic::Status> {
        let req = RangeRequest {
            key: key.as_bytes().to_vec(),
            serializable,
            ..Default::default()
        };
        let resp = self.kv(i).range(req).await?.into_inner();
        Ok(resp.kvs.into_iter().next().map(|kv| kv.value))
    }
}

impl Drop for TestCluster {
    fn drop(&mut self) {
        for m in &mut self.members {
            if let Some(mut child) = m.child.take() {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
        if std::thread::panicking() {
            self.root.disable_cleanup(true);
            eprintln!(
                "test failed: data dirs and full logs kept in {}",
                self.root.path().display()
            );
        }
    }
}

/// Run a command in its own process group with stdout and stderr captured together; kill the
/// whole group if it runs past `limit`. Returns the exit status (None if it was killed for
/// running too long) and the output.
pub async fn run_with_deadline(mut cmd: Command, limit: Duration) -> (Option<ExitStatus>, String) {
    let out = tempfile::NamedTempFile::new().expect("create a temp file for output");
    let file = |f: &File| f.try_clone().expect("dup a temp file");
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::from(file(out.as_file())))
        .stderr(Stdio::from(file(out.as_file())))
        .process_group(0)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    let deadline = Instant::now() + limit;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(100)).await
            }
            _ => break None,
        }
    };
    // Whatever is left of the group (the command itself if it overran, or what it left
    // running in the background) goes too.
    let _ = Command::new("kill")
        .arg("-KILL")
        .arg("--")
        .arg(format!("-{}", child.id()))
        .stderr(Stdio::null())
        .status();
    let _ = child.wait();
    (
        status,
        std::fs::read_to_string(out.path())
            .unwrap_or_else(|e| format!("(cannot read output: {e})")),
    )
}
