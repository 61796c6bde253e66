//! Prometheus metrics, named as etcd names them where etcd has the same measurement.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, Opts, Registry, TextEncoder,
};

use crate::member::Member;

pub struct Metrics {
    registry: Registry,
    requests: HistogramVec,
    handled: IntCounterVec,
    has_leader: IntGauge,
    is_leader: IntGauge,
    leader_changes: IntGauge,
    proposals_committed: IntGauge,
    proposals_failed: IntGauge,
    applied_index: IntGauge,
    current_revision: IntGauge,
    compact_revision: IntGauge,
    keys: IntGauge,
    db_size: IntGauge,
    watchers: IntGauge,
    leases: IntGauge,
}

impl Metrics {
    pub fn new() -> Metrics {
        let registry = Registry::new();
        let requests = HistogramVec::new(
            HistogramOpts::new(
                "raftstore_request_duration_seconds",
                "Latency of etcd API requests by method.",
            )
            .buckets(prometheus::exponential_buckets(0.0001, 2.0, 18).unwrap_or_default()),
            &["method"],
        )
        .expect("valid histogram");
        let handled = IntCounterVec::new(
            Opts::new(
                "grpc_server_handled_total",
                "etcd API requests completed, by method and outcome.",
            ),
            &["grpc_method", "grpc_code"],
        )
        .expect("valid counter");
        let gauge = |name: &str, help: &str| IntGauge::new(name, help).expect("valid gauge");
        let m = Metrics {
            requests,
            handled,
            has_leader: gauge(
                "etcd_server_has_leader",
                "Whether a leader exists (1) or not (0).",
            ),
            is_leader: gauge(
                "etcd_server_is_leader",
                "Whether this member is the leader.",
            ),
            leader_changes: gauge(
                "etcd_server_leader_changes_seen_total",
                "Leader changes seen.",
            ),
            proposals_committed: gauge(
                "etcd_server_proposals_committed_total",
                "Committed entries applied.",
            ),
            proposals_failed: gauge(
                "etcd_server_proposals_failed_total",
                "Proposals dropped by raft.",
            ),
            applied_index: gauge("etcd_server_proposals_applied_total", "Applied raft index."),
            current_revision: gauge(
                "etcd_debugging_mvcc_current_revision",
                "Current store revision.",
            ),
            compact_revision: gauge(
                "etcd_debugging_mvcc_compact_revision",
                "Last compacted revision.",
            ),
            keys: gauge("etcd_debugging_mvcc_keys_total", "Live keys."),
            db_size: gauge(
                "etcd_mvcc_db_total_size_in_bytes",
                "Size of the member's database files.",
            ),
            watchers: gauge(
                "etcd_debugging_mvcc_watcher_total",
                "Watchers on this member.",
            ),
            leases: gauge("raftstore_leases", "Leases held."),
            registry,
        };
        m.registry
            .register(Box::new(m.requests.clone()))
            .expect("unique metric");
        m.registry
            .register(Box::new(m.handled.clone()))
            .expect("unique metric");
        for g in [
            &m.has_leader,
            &m.is_leader,
            &m.leader_changes,
            &m.proposals_committed,
            &m.proposals_failed,
            &m.applied_index,
            &m.current_revision,
            &m.compact_revision,
            &m.keys,
            &m.db_size,
            &m.watchers,
            &m.leases,
        ] {
            m.registry
                .register(Box::new(g.clone()))
                .expect("unique metric");
        }
        m
    }

    pub fn observe(&self, method: &'static str, took: Duration, ok: bool) {
        self.requests
            .with_label_values(&[method])
            .observe(took.as_secs_f64());
        self.handled
            .with_label_values(&[method, if ok { "OK" } else { "Error" }])
            .inc();
    }

    /// The text exposition, with the member's gauges read now.
    pub fn render(&self, member: &Arc<Member>, db: &rocksdb::DB) -> String {
        let s = &member.status;
        self.has_leader.set(i64::from(member.leader() != 0));
        self.is_leader.set(i64::from(member.is_leader()));
        self.leader_changes
            .set(s.leader_changes.load(Ordering::Relaxed) as i64);
        self.proposals_committed
            .set(s.proposals_committed.load(Ordering::Relaxed) as i64);
        self.proposals_failed
            .set(s.proposals_failed.load(Ordering::Relaxed) as i64);
        self.applied_index.set(member.sm.applied_index() as i64);
        self.current_revision.set(member.sm.kv.current_revision());
        self.compact_revision.set(member.sm.kv.compacted_revision());
        self.keys.set(member.sm.kv.key_count() as i64);
        self.db_size.set(crate::engine::size_on_disk(db));
        self.watchers.set(member.sm.hub.watcher_count() as i64);
        self.leases.set(member.sm.lessor.len() as i64);
        let mut buf = Vec::new();
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut buf);
        String::from_utf8(buf).unwrap_or_default()
    }
}

impl Default for Metrics {
    fn default() -> Metrics {
        Metrics::new()
    }
}
