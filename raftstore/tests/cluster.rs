//! The real `raftstore` binary, several processes on loopback: what a user of the store sees
//! when members die, restart, or run alone, and the real `etcdctl` against it.

mod util;

use std::collections::HashMap;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use proto::etcdserverpb::watch_request::RequestUnion;
use proto::etcdserverpb::{
    CompactionRequest, LeaseGrantRequest, LeaseLeasesRequest, LeaseTimeToLiveRequest, PutRequest,
    RangeRequest, StatusRequest, WatchCreateRequest, WatchRequest, WatchResponse,
};
use proto::mvccpb::event::EventType;
use tonic::Code;
use util::{DEADLINE, TestCluster};

/// `[key, key + 1)` as etcd's prefix range end.
fn prefix_end(prefix: &str) -> Vec<u8> {
    let mut end = prefix.as_bytes().to_vec();
    if let Some(last) = end.last_mut() {
        *last += 1;
    }
    end
}

/// Every key under `prefix` on member `i`, with its value.
async fn read_prefix(
    c: &TestCluster,
    i: usize,
    prefix: &str,
    serializable: bool,
) -> Result<HashMap<String, String>, tonic::Status> {
    let req = RangeRequest {
        key: prefix.into(),
        range_end: prefix_end(prefix),
        serializable,
        ..Default::default()
    };
    let resp = c.kv(i).range(req).await?.into_inner();
    Ok(resp
        .kvs
        .into_iter()
        .map(|kv| {
            (
                String::from_utf8_lossy(&kv.key).into_owned(),
                String::from_utf8_lossy(&kv.value).into_owned(),
            )
        })
        .collect())
}

/// The `(key, value)` pairs in `want` that `have` lacks or holds with another value.
fn missing<'a>(
    want: &'a [(String, String)],
    have: &HashMap<String, String>,
) -> Vec<&'a (String, String)> {
    want.iter()
        .filter(|(k, v)| have.get(k) != Some(v))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn etcdctl_acceptance_against_three_members() {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/acceptance/etcdctl-store.sh"
    );
    assert!(
        std::path::Path::new(script).is_file(),
        "acceptance script {script} not found (shared/ is cloned beside the project)"
    );
    if let Err(e) = Command::new("etcdctl").arg("version").output() {
        panic!(
            "etcdctl is not runnable ({e}); install etcd's etcdctl 3.4 (Debian: apt-get install etcd-client) and put it on PATH"
        );
    }
    let c = TestCluster::start(3).await;
    let mut cmd = Command::new("bash");
    cmd.arg(script).env("ENDPOINTS", c.endpoints());
    let started = Instant::now();
    let (status, output) = util::run_with_deadline(cmd, Duration::from_secs(150)).await;
    let Some(status) = status else {
        c.fail(format!(
            "{script} ran past 150s and was killed; its output:\n{output}"
        ));
    };
    if !status.success() || !output.contains("28 passed, 0 failed") {
        // A step that fails silently can be etcdctl killed by SIGPIPE: `etcdctl txn | grep -q`
        // under `set -o pipefail` fails when grep exits before etcdctl's last write.
        let silent = output
            .lines()
            .zip(output.lines().skip(1))
            .any(|(a, b)| a.starts_with("FAIL") && b.trim().is_empty());
        let hint = if silent {
            "\n(a FAIL with no output may be the script's `etcdctl ... | grep -q` race, not the store: \
             etcdctl dies of SIGPIPE when grep exits before etcdctl's last write, and pipefail fails the step)"
        } else {
            ""
        };
        c.fail(format!(
            "{script} with ENDPOINTS={} exited with {status} after {:?}, want success and \"28 passed, 0 failed\"; its output:\n{output}{hint}",
            c.endpoints(),
            started.elapsed()
        ));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn acknowledged_writes_survive_leader_kill() {
    const WRITERS: usize = 8;
    let mut c = TestCluster::start(3).await;
    let old_leader = c.leader().await;

    // Writers put distinct keys, each retried (same key, same value) on the next member until
    // one answers OK; only OK answers are recorded.
    let acked: Arc<Mutex<Vec<(String, String, Instant)>>> = Arc::default();
    let done = Arc::new(AtomicBool::new(false));
    let mut writers = Vec::new();
    for w in 0..WRITERS {
        let clients: Vec<_> = (0..c.len()).map(|i| c.kv(i)).collect();
        let (acked, done) = (acked.clone(), done.clone());
        writers.push(tokio::spawn(async move {
            let mut target = w % clients.len();
            let mut errors = 0u64;
            for seq in 0u64.. {
                let (key, value) = (format!("/load/w{w}/{seq:06}"), format!("value-{w}-{seq}"));
                loop {
                    if done.load(Ordering::Relaxed) {
                        return errors;
                    }
                    let req = PutRequest {
                        key: key.clone().into(),
                        value: value.clone().into(),
                        ..Default::default()
                    };
                    match clients[target].clone().put(req).await {
                        Ok(_) => {
                            acked.lock().unwrap().push((key, value, Instant::now()));
                            break;
                        }
                        Err(_) => {
                            errors += 1;
                            target = (target + 1) % clients.len();
                            tokio::time::sleep(Duration::from_millis(20)).await;
                        }
                    }
                }
            }
            errors
        }));
    }

    tokio::time::sleep(Duration::from_secs(1)).await;
    let acked_before_kill = acked.lock().unwrap().len();
    c.kill(old_leader);
    let killed_at = Instant::now();
    // Keep writing for 3s after the kill, and on until some writes were acknowledged by the
    // survivors (an election on a loaded machine can take a while), within the deadline.
    loop {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let after_kill = acked
            .lock()
            .unwrap()
            .iter()
            .filter(|(_, _, at)| *at > killed_at)
            .count();
        if killed_at.elapsed() >= Duration::from_secs(3) && after_kill >= 50
            || killed_at.elapsed() > DEADLINE
        {
            break;
        }
    }
    done.store(true, Ordering::Relaxed);
    let mut errors = 0;
    for w in writers {
        match tokio::time::timeout(DEADLINE, w).await {
            Ok(Ok(e)) => errors += e,
            Ok(Err(e)) => c.fail(format!("a writer task failed: {e}")),
            Err(_) => c.fail(format!(
                "a writer did not finish within {DEADLINE:?} of being told to stop"
            )),
        }
    }
    let acked: Vec<(String, String)> = {
        let acked = acked.lock().unwrap();
        let after_kill = acked.iter().filter(|(_, _, at)| *at > killed_at).count();
        eprintln!(
            "{} puts acknowledged ({acked_before_kill} before the kill of {}, {after_kill} after), {errors} failed attempts",
            acked.len(),
            c.member(old_leader).name
        );
        if acked_before_kill == 0 || after_kill == 0 {
            c.fail(format!(
                "want acknowledged puts both before and after killing leader {}: {acked_before_kill} before, {after_kill} after",
                c.member(old_leader).name
            ));
        }
        acked
            .iter()
            .map(|(k, v, _)| (k.clone(), v.clone()))
            .collect()
    };

    let new_leader = c.leader().await;
    assert_ne!(new_leader, old_leader, "the killed member cannot lead");
    let reader = (0..c.len())
        .find(|&i| i != old_leader && i != new_leader)
        .unwrap_or(new_leader);
    let have = match read_prefix(&c, reader, "/load/", false).await {
        Ok(have) => have,
        Err(e) => c.fail(format!(
            "linearizable Range of /load/ on {}: {e}",
            c.member(reader).name
        )),
    };
    let lost = missing(&acked, &have);
    if !lost.is_empty() {
        c.fail(format!(
            "{} of {} acknowledged puts are missing or wrong on {} (linearizable read), e.g. {:?}",
            lost.len(),
            acked.len(),
            c.member(reader).name,
            &lost[..lost.len().min(10)]
        ));
    }

    // The killed member comes back and catches up with everything acknowledged.
    c.restart(old_leader).await;
    let (last_key, last_value) = acked.last().cloned().unwrap_or_default();
    let deadline = Instant::now() + DEADLINE;
    loop {
        let have = read_prefix(&c, old_leader, "/load/", true).await;
        let lost = have.as_ref().map(|have| missing(&acked, have).len());
        if matches!(lost, Ok(0)) {
            break;
        }
        if Instant::now() > deadline {
            let last = c.get(old_leader, &last_key, true).await;
            c.fail(format!(
                "restarted {} has not caught up within {DEADLINE:?}: serializable read of /load/ gives {lost:?} missing of {}; \
                 last acknowledged {last_key} = {last_value}, it has {last:?}",
                c.member(old_leader).name,
                acked.len()
            ));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn full_cluster_restart_keeps_data() {
    const KEYS: usize = 500;
    let mut c = TestCluster::start(3).await;
    let leader = c.leader().await;
    let kv = c.kv(leader);
    let put = move |key: String, value: String, lease: i64| {
        let mut kv = kv.clone();
        async move {
            kv.put(PutRequest {
                key: key.into(),
                value: value.into(),
                lease,
                ..Default::default()
            })
            .await
            .map(|r| {
                r.into_inner()
                    .header
                    .map(|h| h.revision)
                    .unwrap_or_default()
            })
        }
    };
    let put_or_fail = async |key: &str, value: &str, lease: i64| match put(
        key.to_string(),
        value.to_string(),
        lease,
    )
    .await
    {
        Ok(rev) => rev,
        Err(e) => c.fail(format!("put {key}: {e}")),
    };

    let old_rev = put_or_fail("/restart/history", "old", 0).await;
    let mut tasks = tokio::task::JoinSet::new();
    for t in 0..10 {
        let put = put.clone();
        tasks.spawn(async move {
            for i in (t..KEYS).step_by(10) {
                put(format!("/restart/k/{i:04}"), format!("value-{i}"), 0)
                    .await
                    .map_err(|e| format!("put key {i}: {e}"))?;
            }
            Ok::<(), String>(())
        });
    }
    while let Some(r) = tasks.join_next().await {
        if let Err(e) = r.map_err(|e| e.to_string()).and_then(|r| r) {
            c.fail(e);
        }
    }
    let new_rev = put_or_fail("/restart/history", "new", 0).await;
    let lease = match c
        .lease(leader)
        .lease_grant(LeaseGrantRequest { ttl: 3600, id: 0 })
        .await
    {
        Ok(r) => r.into_inner().id,
        Err(e) => c.fail(format!("LeaseGrant: {e}")),
    };
    put_or_fail("/restart/leased", "held", lease).await;
    if let Err(e) = c
        .kv(leader)
        .compact(CompactionRequest {
            revision: new_rev,
            physical: true,
        })
        .await
    {
        c.fail(format!("Compact at {new_rev}: {e}"));
    }
    let revision_before = match c
        .kv(leader)
        .range(RangeRequest {
            key: "/restart/".into(),
            ..Default::default()
        })
        .await
    {
        Ok(r) => r
            .into_inner()
            .header
            .map(|h| h.revision)
            .unwrap_or_default(),
        Err(e) => c.fail(format!("Range before the restart: {e}")),
    };

    let all: Vec<usize> = (0..c.len()).collect();
    c.stop_all_of(&all).await;
    c.restart_all_of(&all).await;
    let leader = c.leader().await;
    let follower = (leader + 1) % c.len();

    let want: Vec<(String, String)> = (0..KEYS)
        .map(|i| (format!("/restart/k/{i:04}"), format!("value-{i}")))
        .collect();
    for i in [leader, follower] {
        match read_prefix(&c, i, "/restart/k/", false).await {
            Ok(have) if have.len() == KEYS && missing(&want, &have).is_empty() => {}
            Ok(have) => c.fail(format!(
                "after the restart {} has {} keys under /restart/k/, want {KEYS}; missing or wrong: {:?}",
                c.member(i).name,
                have.len(),
                missing(&want, &have).into_iter().take(10).collect::<Vec<_>>()
            )),
            Err(e) => c.fail(format!("Range /restart/k/ on {} after the restart: {e}", c.member(i).name)),
        }
    }
    match c
        .kv(follower)
        .range(RangeRequest {
            key: "/restart/history".into(),
            ..Default::default()
        })
        .await
    {
        Ok(r) => {
            let r = r.into_inner();
            let revision = r.header.map(|h| h.revision).unwrap_or_default();
            let value = r.kvs.first().map(|kv| kv.value.clone());
            if revision != revision_before || value.as_deref() != Some(b"new".as_slice()) {
                c.fail(format!(
                    "after the restart: revision {revision} and /restart/history = {value:?}, want revision {revision_before} and \"new\""
                ));
            }
        }
        Err(e) => c.fail(format!("Range /restart/history after the restart: {e}")),
    }
    let at_old = RangeRequest {
        key: "/restart/history".into(),
        revision: old_rev,
        ..Default::default()
    };
    match c.kv(follower).range(at_old).await {
        Err(e) if e.code() == Code::OutOfRange && e.message().contains("compacted") => {}
        other => c.fail(format!(
            "Range at revision {old_rev} (compacted at {new_rev}) after the restart: got {other:?}, want OutOfRange \"...compacted\""
        )),
    }
    let at_compacted = RangeRequest {
        key: "/restart/history".into(),
        revision: new_rev,
        ..Default::default()
    };
    match c.kv(follower).range(at_compacted).await {
        Ok(r) if r.get_ref().kvs.first().is_some_and(|kv| kv.value == b"new") => {}
        other => c.fail(format!("Range at the compacted revision {new_rev} itself after the restart: {other:?}, want \"new\"")),
    }

    match c.lease(follower).lease_leases(LeaseLeasesRequest {}).await {
        Ok(r) if r.get_ref().leases.iter().any(|l| l.id == lease) => {}
        other => c.fail(format!(
            "LeaseLeases after the restart: {other:?}, want lease {lease:x} listed"
        )),
    }
    match c.lease(follower).lease_time_to_live(LeaseTimeToLiveRequest { id: lease, keys: true }).await {
        Ok(r) if r.get_ref().ttl > 0 && r.get_ref().keys.iter().any(|k| k == b"/restart/leased") => {}
        other => c.fail(format!("LeaseTimeToLive({lease:x}) after the restart: {other:?}, want ttl > 0 and key /restart/leased")),
    }
    match c.get(follower, "/restart/leased", false).await {
        Ok(Some(v)) if v == b"held" => {}
        other => c.fail(format!(
            "/restart/leased after the restart: {other:?}, want \"held\""
        )),
    }
}

/// The next response on a watch stream, within a deadline.
async fn next_watch_response(
    c: &TestCluster,
    stream: &mut tonic::Streaming<WatchResponse>,
    waiting_for: &str,
) -> WatchResponse {
    match tokio::time::timeout(Duration::from_secs(10), stream.message()).await {
        Ok(Ok(Some(r))) => r,
        other => c.fail(format!(
            "watch stream, waiting for {waiting_for}: {other:?}"
        )),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn single_member_serves_alone() {
    let c = TestCluster::start(1).await;
    match c.maintenance(0).status(StatusRequest {}).await {
        Ok(r) if r.get_ref().leader == c.member(0).id => {}
        other => c.fail(format!(
            "Status of a member alone: {other:?}, want it to lead itself"
        )),
    }
    let put = |value: &'static str| {
        let mut kv = c.kv(0);
        async move {
            kv.put(PutRequest {
                key: "/alone/k".into(),
                value: value.into(),
                ..Default::default()
            })
            .await
        }
    };
    let first_rev = match put("v1").await {
        Ok(r) => r
            .into_inner()
            .header
            .map(|h| h.revision)
            .unwrap_or_default(),
        Err(e) => c.fail(format!("put /alone/k: {e}")),
    };
    match c.get(0, "/alone/k", false).await {
        Ok(Some(v)) if v == b"v1" => {}
        other => c.fail(format!("get /alone/k: {other:?}, want v1")),
    }

    // A watch from the first put's revision replays it, then sees live changes.
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    let create = WatchCreateRequest {
        key: "/alone/".into(),
        range_end: prefix_end("/alone/"),
        start_revision: first_rev,
        ..Default::default()
    };
    tx.send(WatchRequest {
        request_union: Some(RequestUnion::CreateRequest(create)),
    })
    .await
    .expect("send on a fresh channel");
    let mut stream = match c
        .watch(0)
        .watch(tokio_stream::wrappers::ReceiverStream::new(rx))
        .await
    {
        Ok(r) => r.into_inner(),
        Err(e) => c.fail(format!("Watch: {e}")),
    };
    let mut events = Vec::new();
    let mut created = false;
    let deadline = Instant::now() + DEADLINE;
    while events.len() < 3 {
        if Instant::now() > deadline {
            c.fail(format!(
                "watch saw {events:?} within {DEADLINE:?}, want PUT v1, PUT v2, DELETE"
            ));
        }
        let r = next_watch_response(&c, &mut stream, "PUT v1, PUT v2, DELETE").await;
        if r.canceled {
            c.fail(format!("watch canceled: {r:?}"));
        }
        if r.created && !created {
            created = true;
            if let Err(e) = put("v2").await {
                c.fail(format!("put /alone/k v2: {e}"));
            }
            let del = proto::etcdserverpb::DeleteRangeRequest {
                key: "/alone/k".into(),
                ..Default::default()
            };
            if let Err(e) = c.kv(0).delete_range(del).await {
                c.fail(format!("delete /alone/k: {e}"));
            }
        }
        for ev in r.events {
            let value = ev
                .kv
                .map(|kv| String::from_utf8_lossy(&kv.value).into_owned())
                .unwrap_or_default();
            events.push((
                EventType::try_from(ev.r#type)
                    .map(|t| t.as_str_name())
                    .unwrap_or("?"),
                value,
            ));
        }
    }
    let want = [
        ("PUT", "v1".to_string()),
        ("PUT", "v2".to_string()),
        ("DELETE", String::new()),
    ];
    if events != want {
        c.fail(format!("watch events {events:?}, want {want:?}"));
    }
    drop(tx);
}
