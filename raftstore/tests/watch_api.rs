//! etcd's Watch and Lease semantics through the gRPC API, against one member embedded in the
//! test process with `raftstore::start` (the same entry point the kube-apiserver embeds).

use std::time::Duration;

use proto::etcdserverpb::kv_client::KvClient;
use proto::etcdserverpb::lease_client::LeaseClient;
use proto::etcdserverpb::watch_client::WatchClient;
use proto::etcdserverpb::watch_create_request::FilterType;
use proto::etcdserverpb::watch_request::RequestUnion;
use proto::etcdserverpb::{
    CompactionRequest, DeleteRangeRequest, LeaseGrantRequest, LeaseTimeToLiveRequest, PutRequest,
    RangeRequest, WatchCancelRequest, WatchCreateRequest, WatchProgressRequest, WatchRequest,
    WatchResponse,
};
use proto::mvccpb::event::EventType;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::transport::Channel;

struct Embedded {
    _dir: tempfile::TempDir,
    server: raftstore::Server,
    channel: Channel,
}

async fn embedded() -> Embedded {
    embedded_with(raftstore::config::AutoCompaction::Off).await
}

async fn embedded_with(auto_compaction: raftstore::config::AutoCompaction) -> Embedded {
    let dir = tempfile::tempdir().unwrap();
    let peer = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let peer_url = format!("http://{}", peer.local_addr().unwrap());
    drop(peer);
    let cfg = raftstore::Config {
        name: "solo".into(),
        data_dir: dir.path().join("data"),
        listen_client_urls: vec!["http://127.0.0.1:0".into()],
        listen_peer_urls: vec![peer_url.clone()],
        initial_cluster: format!("solo={peer_url}"),
        progress_notify_interval: Duration::from_millis(300),
        auto_compaction,
        unsafe_no_fsync: true,
        ..raftstore::Config::default()
    };
    let server = raftstore::start(cfg).await.unwrap();
    let url = server.client_addrs[0].clone();
    let channel = tonic::transport::Endpoint::from_shared(url)
        .unwrap()
        .connect()
        .await
        .unwrap();
    // Wait for the single member to elect itself.
    let mut kv = KvClient::new(channel.clone());
    for _ in 0..100 {
        if kv
            .range(RangeRequest {
                key: b"x".to_vec(),
                ..Default::default()
            })
            .await
            .is_ok()
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Embedded {
        _dir: dir,
        server,
        channel,
    }
}

struct Watch {
    tx: mpsc::Sender<WatchRequest>,
    rx: tonic::Streaming<WatchResponse>,
}

impl Watch {
    async fn open(ch: &Channel) -> Watch {
        let (tx, rx) = mpsc::channel(16);
        let rx = WatchClient::new(ch.clone())
            .watch(ReceiverStream::new(rx))
            .await
            .unwrap()
            .into_inner();
        Watch { tx, rx }
    }

    async fn send(&self, u: RequestUnion) {
        self.tx
            .send(WatchRequest {
                request_union: Some(u),
            })
            .await
            .unwrap();
    }

    async fn create(&mut self, c: WatchCreateRequest) -> i64 {
        self.send(RequestUnion::CreateRequest(c)).await;
        let r = self.next().await;
        assert!(r.created, "expected a created response, got {r:?}");
        r.watch_id
    }

    async fn next(&mut self) -> WatchResponse {
        tokio::time::timeout(Duration::from_secs(5), self.rx.message())
            .await
            .expect("no watch response within 5 s")
            .unwrap()
            .expect("watch stream ended")
    }

    /// Collect events until `n` have arrived.
    async fn events(&mut self, n: usize) -> Vec<(i32, String, String)> {
        let mut out = Vec::new();
        while out.len() < n {
            let r = self.next().await;
            for e in r.events {
                let kv = e.kv.unwrap();
                let prev = e
                    .prev_kv
                    .map(|p| String::from_utf8_lossy(&p.value).into_owned())
                    .unwrap_or_default();
                out.push((
                    e.r#type,
                    String::from_utf8_lossy(&kv.value).into_owned(),
                    prev,
                ));
            }
        }
        out
    }
}

async fn put(ch: &Channel, k: &str, v: &str) -> i64 {
    let r = KvClient::new(ch.clone())
        .put(PutRequest {
            key: k.into(),
            value: v.into(),
            ..Default::default()
        })
        .await
        .unwrap();
    r.into_inner().header.unwrap().revision
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_replays_history_then_streams_live_events_exactly_once() {
    let e = embedded().await;
    let r1 = put(&e.channel, "w/a", "1").await;
    put(&e.channel, "w/a", "2").await;
    let mut w = Watch::open(&e.channel).await;
    w.create(WatchCreateRequest {
        key: b"w/".to_vec(),
        range_end: b"w0".to_vec(),
        start_revision: r1,
        prev_kv: true,
        ..Default::default()
    })
    .await;
    put(&e.channel, "w/a", "3").await;
    KvClient::new(e.channel.clone())
        .delete_range(DeleteRangeRequest {
            key: b"w/a".to_vec(),
            ..Default::default()
        })
        .await
        .unwrap();
    let put_t = EventType::Put as i32;
    let del_t = EventType::Delete as i32;
    let got = w.events(4).await;
    assert_eq!(
        got,
        [
            (put_t, "1".into(), "".into()),
            (put_t, "2".into(), "1".into()),
            (put_t, "3".into(), "2".into()),
            (del_t, "".into(), "3".into()),
        ]
    );
    e.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filters_cancel_progress_and_compaction() {
    let e = embedded().await;
    let mut w = Watch::open(&e.channel).await;
    let id = w
        .create(WatchCreateRequest {
            key: b"f".to_vec(),
            filters: vec![FilterType::Noput as i32],
            progress_notify: true,
            ..Default::default()
        })
        .await;
    put(&e.channel, "f", "x").await;
    KvClient::new(e.channel.clone())
        .delete_range(DeleteRangeRequest {
            key: b"f".to_vec(),
            ..Default::default()
        })
        .await
        .unwrap();
    // The put is filtered out: the first event is the delete.
    let r = w.next().await;
    assert_eq!(r.events.len(), 1);
    assert_eq!(r.events[0].r#type, EventType::Delete as i32);

    // A progress request answers with the current revision, for no particular watcher.
    let current = put(&e.channel, "other", "y").await;
    w.send(RequestUnion::ProgressRequest(WatchProgressRequest {}))
        .await;
    let r = loop {
        let r = w.next().await;
        if r.watch_id == -1 {
            break r;
        }
        // Periodic progress notifications (every 300 ms here) may come first.
        assert!(r.events.is_empty());
    };
    assert!(r.header.unwrap().revision >= current);

    w.send(RequestUnion::CancelRequest(WatchCancelRequest {
        watch_id: id,
    }))
    .await;
    let r = loop {
        let r = w.next().await;
        if r.canceled {
            break r;
        }
    };
    assert_eq!(r.watch_id, id);

    // A watch from a compacted revision is told the compaction point and cancelled.
    let rev = put(&e.channel, "c", "1").await;
    put(&e.channel, "c", "2").await;
    KvClient::new(e.channel.clone())
        .compact(CompactionRequest {
            revision: rev + 1,
            physical: false,
        })
        .await
        .unwrap();
    w.create(WatchCreateRequest {
        key: b"c".to_vec(),
        start_revision: rev,
        ..Default::default()
    })
    .await;
    let r = w.next().await;
    assert!(r.canceled);
    assert_eq!(r.compact_revision, rev + 1);
    e.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn etcd_error_codes_and_lease_expiry() {
    let e = embedded().await;
    let mut kv = KvClient::new(e.channel.clone());
    let err = kv.range(RangeRequest::default()).await.unwrap_err();
    assert_eq!(
        (err.code(), err.message()),
        (
            tonic::Code::InvalidArgument,
            "etcdserver: key is not provided"
        )
    );
    let err = kv
        .range(RangeRequest {
            key: b"k".to_vec(),
            revision: 1_000_000,
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::OutOfRange);
    assert_eq!(
        err.message(),
        "etcdserver: mvcc: required revision is a future revision"
    );
    let err = kv
        .put(PutRequest {
            key: b"k".to_vec(),
            value: b"v".to_vec(),
            lease: 42,
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(
        (err.code(), err.message()),
        (
            tonic::Code::NotFound,
            "etcdserver: requested lease not found"
        )
    );
    let big = PutRequest {
        key: b"big".to_vec(),
        value: vec![b'a'; 1_600_000],
        ..Default::default()
    };
    let err = kv.put(big).await.unwrap_err();
    assert_eq!(
        (err.code(), err.message()),
        (
            tonic::Code::InvalidArgument,
            "etcdserver: request is too large"
        )
    );
    let err = kv
        .put(PutRequest {
            key: b"k".to_vec(),
            ignore_value: true,
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(err.message(), "etcdserver: key not found");

    // A lease below the minimum TTL is raised to it; expiry deletes the attached key.
    let mut leases = LeaseClient::new(e.channel.clone());
    let grant = leases
        .lease_grant(LeaseGrantRequest { ttl: 1, id: 0 })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(grant.ttl, 2);
    kv.put(PutRequest {
        key: b"leased".to_vec(),
        value: b"v".to_vec(),
        lease: grant.id,
        ..Default::default()
    })
    .await
    .unwrap();
    let ttl = leases
        .lease_time_to_live(LeaseTimeToLiveRequest {
            id: grant.id,
            keys: true,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(ttl.keys, vec![b"leased".to_vec()]);
    assert!(ttl.ttl > 0 && ttl.ttl <= 2);
    let deadline = std::time::Instant::now() + Duration::from_secs(6);
    loop {
        let r = kv
            .range(RangeRequest {
                key: b"leased".to_vec(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        if r.kvs.is_empty() {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "leased key outlived its lease"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let ttl = leases
        .lease_time_to_live(LeaseTimeToLiveRequest {
            id: grant.id,
            keys: false,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(ttl.ttl, -1);
    e.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn periodic_auto_compaction_forgets_history_older_than_the_retention() {
    let retention = Duration::from_secs(2);
    let e = embedded_with(raftstore::config::AutoCompaction::Periodic(retention)).await;
    let first = put(&e.channel, "ac", "0").await;
    let mut kv = KvClient::new(e.channel.clone());
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        put(&e.channel, "ac", "n").await;
        let old = kv
            .range(RangeRequest {
                key: b"ac".to_vec(),
                revision: first,
                ..Default::default()
            })
            .await;
        match old {
            Err(s) if s.code() == tonic::Code::OutOfRange => {
                assert!(s.message().contains("compacted"), "{s:?}");
                break;
            }
            Ok(_) => assert!(
                std::time::Instant::now() < deadline,
                "revision {first} was never compacted"
            ),
            Err(s) => panic!("unexpected error {s:?}"),
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Only history older than the retention goes: the newest value stays readable.
    let now = kv
        .range(RangeRequest {
            key: b"ac".to_vec(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(now.kvs[0].value, b"n");
    e.server.shutdown().await;
}
