//! A member's configuration, and the member and cluster IDs derived from it exactly as etcd
//! derives them (so the same flags give the same IDs as etcd).

use std::path::PathBuf;
use std::time::Duration;

use sha1::{Digest, Sha1};

use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AutoCompaction {
    Off,
    /// Keep this much history (etcd's `periodic` mode).
    Periodic(Duration),
    /// Keep this many revisions (etcd's `revision` mode).
    Revision(i64),
}

#[derive(Debug, Clone)]
pub struct Config {
    pub name: String,
    pub data_dir: PathBuf,
    /// Where clients connect (`http://host:port`); `unix://path` is accepted too.
    pub listen_client_urls: Vec<String>,
    pub advertise_client_urls: Vec<String>,
    pub listen_peer_urls: Vec<String>,
    pub initial_advertise_peer_urls: Vec<String>,
    /// `name=peerURL,...`
    pub initial_cluster: String,
    pub initial_cluster_token: String,
    /// `new` or `existing`.
    pub initial_cluster_state: String,
    pub listen_metrics_urls: Vec<String>,
    pub heartbeat_interval: Duration,
    pub election_timeout: Duration,
    pub snapshot_count: u64,
    pub auto_compaction: AutoCompaction,
    pub max_request_bytes: usize,
    pub max_txn_ops: usize,
    pub progress_notify_interval: Duration,
    /// Skip fsync (benchmarks and tests only; etcd's `--unsafe-no-fsync`).
    pub unsafe_no_fsync: bool,
    /// How long a write waits to be applied before failing with "request timed out"
    /// (etcd: 5 s plus two election timeouts).
    pub request_timeout: Duration,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            name: "default".into(),
            data_dir: PathBuf::from("default.etcd"),
            listen_client_urls: vec!["http://localhost:2379".into()],
            advertise_client_urls: vec!["http://localhost:2379".into()],
            listen_peer_urls: vec!["http://localhost:2380".into()],
            initial_advertise_peer_urls: vec!["http://localhost:2380".into()],
            initial_cluster: "default=http://localhost:2380".into(),
            initial_cluster_token: "etcd-cluster".into(),
            initial_cluster_state: "new".into(),
            listen_metrics_urls: Vec::new(),
            heartbeat_interval: Duration::from_millis(100),
            election_timeout: Duration::from_millis(1000),
            snapshot_count: 10_000,
            auto_compaction: AutoCompaction::Off,
            max_request_bytes: 1536 * 1024,
            max_txn_ops: 128,
            progress_notify_interval: Duration::from_secs(600),
            unsafe_no_fsync: false,
            request_timeout: Duration::from_secs(7),
        }
    }
}

/// One member of `--initial-cluster`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitialMember {
    pub name: String,
    pub peer_urls: Vec<String>,
    pub id: u64,
}

impl Config {
    /// Parse `--initial-cluster` into members with etcd's IDs. A name may appear several
    /// times (one per peer URL).
    pub fn initial_members(&self) -> Result<Vec<InitialMember>> {
        let mut members: Vec<InitialMember> = Vec::new();
        for part in self
            .initial_cluster
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            let (name, url) = part.split_once('=').ok_or_else(|| {
                Error::Internal(format!("--initial-cluster: {part:?} is not name=URL"))
            })?;
            match members.iter_mut().find(|m| m.name == name) {
                Some(m) => m.peer_urls.push(url.to_string()),
                None => members.push(InitialMember {
                    name: name.to_string(),
                    peer_urls: vec![url.to_string()],
                    id: 0,
                }),
            }
        }
        if members.is_empty() {
            return Err(Error::Internal("--initial-cluster names no member".into()));
        }
        for m in &mut members {
            m.id = member_id(&m.peer_urls, &self.initial_cluster_token);
        }
        members.sort_by_key(|m| m.id);
        Ok(members)
    }

    /// This member's entry in `--initial-cluster`.
    pub fn local_member(&self) -> Result<InitialMember> {
        self.initial_members()?
            .into_iter()
            .find(|m| m.name == self.name)
            .ok_or_else(|| {
                Error::Internal(format!(
                    "--initial-cluster has no member named {:?}",
                    self.name
                ))
            })
    }

    /// Raft ticks per election timeout.
    pub fn election_ticks(&self) -> usize {
        let hb = self.heartbeat_interval.as_millis().max(1);
        ((self.election_timeout.as_millis() / hb) as usize).max(2)
    }

    /// etcd's minimum lease TTL: 1.5 election timeouts, rounded up to whole seconds.
    pub fn min_lease_ttl(&self) -> i64 {
        let ms =
            self.heartbeat_interval.as_millis() as i64 * (3 * self.election_ticks() as i64) / 2;
        (ms + 999) / 1000
    }
}

/// etcd's member ID: SHA-1 of the sorted peer URLs joined, then the cluster token.
pub fn member_id(peer_urls: &[String], token: &str) -> u64 {
    let mut urls = peer_urls.to_vec();
    urls.sort();
    let mut h = Sha1::new();
    h.update(urls.concat().as_bytes());
    h.update(token.as_bytes());
    let d = h.finalize();
    u64::from_be_bytes(d[..8].try_into().unwrap_or_default())
}

/// etcd's cluster ID: SHA-1 of the sorted member IDs, big-endian.
pub fn cluster_id(member_ids: &[u64]) -> u64 {
    let mut ids = member_ids.to_vec();
    ids.sort_unstable();
    let mut h = Sha1::new();
    for id in ids {
        h.update(id.to_be_bytes());
    }
    let d = h.finalize();
    u64::from_be_bytes(d[..8].try_into().unwrap_or_default())
}

/// Parse etcd-style durations and retention values: `90s`, `5m`, `1h`, or bare hours (`1`).
pub fn parse_duration(s: &str) -> Option<Duration> {
    let s = s.trim();
    let (num, unit) = s
        .find(|c: char| c.is_ascii_alphabetic())
        .map_or((s, "h"), |i| (&s[..i], &s[i..]));
    let n: f64 = num.parse().ok()?;
    let secs = match unit {
        "ms" => n / 1000.0,
        "s" => n,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        _ => return None,
    };
    (secs >= 0.0).then(|| Duration::from_secs_f64(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_match_etcd() {
        // etcd's own test vector (`TestMemberPick`-style default single member).
        let id = member_id(&["http://localhost:2380".into()], "etcd-cluster");
        assert_eq!(format!("{id:x}"), "8e9e05c52164694d");
        assert_eq!(format!("{:x}", cluster_id(&[id])), "cdf818194e3a8c32");
    }

    #[test]
    fn initial_cluster_parsing() {
        let cfg = Config {
            name: "b".into(),
            initial_cluster: "a=http://127.0.0.1:1,b=http://127.0.0.1:2,c=http://127.0.0.1:3"
                .into(),
            ..Config::default()
        };
        let members = cfg.initial_members().unwrap();
        assert_eq!(members.len(), 3);
        assert_eq!(
            cfg.local_member().unwrap().peer_urls,
            ["http://127.0.0.1:2"]
        );
        assert!(
            Config {
                initial_cluster: "bogus".into(),
                ..Config::default()
            }
            .initial_members()
            .is_err()
        );
    }

    #[test]
    fn timing() {
        let cfg = Config::default();
        assert_eq!(cfg.election_ticks(), 10);
        assert_eq!(cfg.min_lease_ttl(), 2);
        assert_eq!(parse_duration("5m"), Some(Duration::from_secs(300)));
        assert_eq!(parse_duration("1"), Some(Duration::from_secs(3600)));
        assert_eq!(parse_duration("x"), None);
    }
}
