//! Three members in one process on the in-memory transport (`SimNetwork`), which drops,
//! delays and partitions messages: leader loss, minority partitions, healing, restarts and
//! snapshot catch-up, with the real raft loop, RocksDB and apply step.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use proto::etcdserverpb::{PutRequest, RangeRequest};
use raftstore::config::Config;
use raftstore::transport::SimNetwork;
use raftstore::{Error, Member};

struct SimCluster {
    net: SimNetwork,
    dir: tempfile::TempDir,
    names: Vec<String>,
    members: HashMap<String, Arc<Member>>,
    snapshot_count: u64,
}

const NAMES: [&str; 3] = ["a", "b", "c"];

impl SimCluster {
    fn new(snapshot_count: u64) -> SimCluster {
        raftstore::logging::init("warn");
        let mut c = SimCluster {
            net: SimNetwork::default(),
            dir: tempfile::tempdir().unwrap(),
            names: NAMES.iter().map(|s| s.to_string()).collect(),
            members: HashMap::new(),
            snapshot_count,
        };
        for n in NAMES {
            c.start(n);
        }
        c
    }

    fn config(&self, name: &str) -> Config {
        let initial_cluster = NAMES
            .iter()
            .map(|n| format!("{n}=sim://{n}"))
            .collect::<Vec<_>>()
            .join(",");
        Config {
            name: name.into(),
            data_dir: self.dir.path().join(name),
            initial_cluster,
            advertise_client_urls: vec![format!("sim://{name}/client")],
            heartbeat_interval: Duration::from_millis(20),
            election_timeout: Duration::from_millis(200),
            snapshot_count: self.snapshot_count,
            request_timeout: Duration::from_secs(2),
            unsafe_no_fsync: true,
            ..Config::default()
        }
    }

    fn start(&mut self, name: &str) {
        let net = self.net.clone();
        let member = Member::start(
            self.config(name),
            Box::new(move |id, mailbox, _peers| {
                net.register(id, mailbox);
                Arc::new(net.transport(id))
            }),
        )
        .unwrap();
        self.members.insert(name.into(), member);
    }

    /// Stop a member as a crash would (its raft loop ends; nothing more is written).
    fn stop(&mut self, name: &str) {
        let m = self.members.remove(name).unwrap();
        self.net.unregister(m.id);
        let _ = m.mailbox().send(raftstore::node::NodeMsg::Shutdown);
        // Wait for the raft thread, then drop the last handle so RocksDB closes.
        std::thread::sleep(Duration::from_millis(50));
        drop(m);
    }

    fn m(&self, name: &str) -> &Arc<Member> {
        &self.members[name]
    }

    fn id(&self, name: &str) -> u64 {
        raftstore::config::member_id(&[format!("sim://{name}")], "etcd-cluster")
    }

    fn name_of(&self, id: u64) -> Option<String> {
        self.names.iter().find(|n| self.id(n) == id).cloned()
    }

    /// Wait until the running members agree on a leader among them; returns its name.
    async fn leader(&self) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let leaders: Vec<u64> = self.members.values().map(|m| m.leader()).collect();
            if let Some(&l) = leaders.first()
                && l != 0
                && leaders.iter().all(|&x| x == l)
                && let Some(name) = self.name_of(l)
                && self.members.get(&name).is_some_and(|m| m.is_leader())
            {
                return name;
            }
            assert!(
                Instant::now() < deadline,
                "no leader agreed on: {leaders:?}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Wait until `members` all have leader `leader` (by name).
    async fn agree_on(&self, members: &[&str], leader: &str) {
        let id = self.id(leader);
        let deadline = Instant::now() + Duration::from_secs(10);
        while !members.iter().all(|n| self.m(n).leader() == id) {
            assert!(
                Instant::now() < deadline,
                "{members:?} never agreed on leader {leader}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

async fn put(m: &Member, k: &str, v: &str) -> Result<i64, Error> {
    let r = m
        .put(PutRequest {
            key: k.into(),
            value: v.into(),
            ..Default::default()
        })
        .await?;
    Ok(r.header.unwrap().revision)
}

/// Put, retrying while the cluster elects a leader.
async fn put_eventually(m: &Member, k: &str, v: &str) -> i64 {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match put(m, k, v).await {
            Ok(rev) => return rev,
            Err(e) => assert!(Instant::now() < deadline, "put {k} kept failing: {e}"),
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn get(m: &Member, k: &str, serializable: bool) -> Result<Option<String>, Error> {
    let r = m
        .range(RangeRequest {
            key: k.into(),
            serializable,
            ..Default::default()
        })
        .await?;
    Ok(r.kvs
        .first()
        .map(|kv| String::from_utf8_lossy(&kv.value).into_owned()))
}

/// Wait until a member's local state has `k = v`.
async fn converges(m: &Member, k: &str, v: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if get(m, k, true).await.ok().flatten().as_deref() == Some(v) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "member {} never saw {k}={v}",
            m.name
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_through_any_member_are_read_linearizably_everywhere() {
    let c = SimCluster::new(10_000);
    let leader = c.leader().await;
    let follower = NAMES.iter().find(|n| **n != leader).unwrap();
    // A follower forwards the proposal and answers once it applied it.
    let rev = put_eventually(c.m(follower), "k", "v1").await;
    assert!(rev > 0);
    for n in NAMES {
        // Linearizable reads on every member see the write at once (ReadIndex).
        assert_eq!(
            get(c.m(n), "k", false).await.unwrap().as_deref(),
            Some("v1"),
            "member {n}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_leader_takes_over_when_the_leader_dies() {
    let mut c = SimCluster::new(10_000);
    let old = c.leader().await;
    put_eventually(c.m(&old), "before", "1").await;
    c.stop(&old);
    let new = c.leader().await;
    assert_ne!(new, old);
    put_eventually(c.m(&new), "after", "2").await;
    assert_eq!(
        get(c.m(&new), "before", false).await.unwrap().as_deref(),
        Some("1")
    );
    // The old leader comes back as a follower and catches up from the log.
    c.start(&old);
    converges(c.m(&old), "after", "2").await;
    c.agree_on(&NAMES, &new).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_minority_refuses_writes_and_the_majority_goes_on() {
    let c = SimCluster::new(10_000);
    let old = c.leader().await;
    let rest: Vec<&str> = NAMES.iter().copied().filter(|n| *n != old).collect();
    put_eventually(c.m(&old), "k", "before").await;
    let ids: Vec<u64> = NAMES.iter().map(|n| c.id(n)).collect();
    c.net.isolate(c.id(&old), &ids);

    // The isolated old leader cannot commit anything.
    let refused = put(c.m(&old), "minority", "x").await;
    assert!(
        matches!(
            refused,
            Err(Error::Timeout | Error::NoLeader | Error::LeaderChanged)
        ),
        "minority accepted a write: {refused:?}"
    );
    assert!(
        get(c.m(&old), "k", false).await.is_err(),
        "minority served a linearizable read"
    );

    // The majority elects a leader of its own and keeps writing.
    let deadline = Instant::now() + Duration::from_secs(10);
    let new = loop {
        let l = c.m(rest[0]).leader();
        if l != 0 && l != c.id(&old) && c.m(rest[1]).leader() == l {
            break c.name_of(l).unwrap();
        }
        assert!(Instant::now() < deadline, "majority elected no leader");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    put_eventually(c.m(&new), "k", "during").await;

    // Healing: the old leader follows, takes the majority's history, and drops its own
    // uncommitted proposal.
    c.net.heal();
    c.agree_on(&NAMES, &new).await;
    converges(c.m(&old), "k", "during").await;
    assert_eq!(get(c.m(&old), "minority", false).await.unwrap(), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lagging_member_catches_up_from_a_snapshot() {
    // Compact the raft log every 20 entries so the lagging member needs a snapshot.
    let mut c = SimCluster::new(20);
    let leader = c.leader().await;
    let lagging = NAMES
        .iter()
        .copied()
        .find(|n| *n != leader)
        .unwrap()
        .to_string();
    c.stop(&lagging);
    for i in 0..200 {
        put_eventually(c.m(&leader), &format!("key/{i:03}"), &format!("v{i}")).await;
    }
    c.start(&lagging);
    converges(c.m(&lagging), "key/199", "v199").await;
    let all = c
        .m(&lagging)
        .range(RangeRequest {
            key: "key/".into(),
            range_end: "key0".into(),
            serializable: true,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(all.count, 200);
    // The leader's log no longer reached back far enough: the member installed a snapshot.
    let installed = c
        .m(&lagging)
        .status
        .snapshots_installed
        .load(std::sync::atomic::Ordering::Relaxed);
    assert!(installed >= 1, "caught up without a snapshot");
    // Revisions agree with the leader's.
    assert_eq!(
        c.m(&lagging).sm.kv.current_revision(),
        c.m(&leader).sm.kv.current_revision()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_links_delay_but_do_not_lose_writes() {
    let c = SimCluster::new(10_000);
    let leader = c.leader().await;
    c.net.set_delay(Some(Duration::from_millis(15)));
    for i in 0..20 {
        put_eventually(c.m(&leader), &format!("slow/{i}"), "x").await;
    }
    c.net.set_delay(None);
    for n in NAMES {
        converges(c.m(n), "slow/19", "x").await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_linearizable_reads_on_every_member_never_stall() {
    // Regression: read contexts were per-member counters, so two members could send the
    // leader the same context and the leader dropped one read until it timed out.
    let c = SimCluster::new(10_000);
    let leader = c.leader().await;
    put_eventually(c.m(&leader), "x", "1").await;
    let mut tasks = Vec::new();
    for n in NAMES {
        for _ in 0..4 {
            let m = c.m(n).clone();
            tasks.push(tokio::spawn(async move {
                let end = Instant::now() + Duration::from_millis(1500);
                let mut slowest = Duration::ZERO;
                let mut reads = 0;
                while Instant::now() < end {
                    let t = Instant::now();
                    let v = get(&m, "x", false)
                        .await
                        .unwrap_or_else(|e| panic!("read on {} failed: {e}", m.name));
                    assert_eq!(v.as_deref(), Some("1"));
                    slowest = slowest.max(t.elapsed());
                    reads += 1;
                }
                (reads, slowest)
            }));
        }
    }
    for t in tasks {
        let (reads, slowest) = t.await.unwrap();
        assert!(reads > 10, "only {reads} reads");
        assert!(
            slowest < Duration::from_millis(500),
            "a read took {slowest:?}"
        );
    }
}
