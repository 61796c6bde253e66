//! Leases: a TTL, the keys attached to it, and (on the leader only) when it expires.
//!
//! Grants, revocations and attachments change through the raft log, so every member holds
//! the same leases and keys. Expiry is time, which members do not share: only the leader
//! tracks deadlines and keep-alives, and it revokes an expired lease by proposing a
//! revocation, so the attached keys are deleted on every member at the same revision. A new
//! leader restarts every lease's full TTL (plus an election's worth), as etcd does.

use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// etcd's upper bound on a lease TTL, in seconds.
pub const MAX_LEASE_TTL: i64 = 9_000_000_000;

#[derive(Debug)]
struct Lease {
    ttl: i64,
    keys: BTreeSet<Vec<u8>>,
    /// Set while this member is the leader.
    expiry: Option<Instant>,
    /// When this member last proposed revoking it (so it asks again only after a while).
    revoking: Option<Instant>,
}

#[derive(Debug, Default)]
struct Inner {
    leases: HashMap<i64, Lease>,
    primary: bool,
}

/// What `LeaseTimeToLive` reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaseTtl {
    /// Remaining seconds; -1 when not tracked here (a follower) or expired.
    pub remaining: i64,
    pub granted: i64,
    pub keys: Vec<Vec<u8>>,
}

#[derive(Debug)]
pub struct Lessor {
    inner: Mutex<Inner>,
    min_ttl: i64,
}

impl Lessor {
    /// `min_ttl`: shorter TTLs are raised to it (etcd: 1.5 election timeouts, rounded up).
    pub fn new(min_ttl: i64) -> Lessor {
        Lessor {
            inner: Mutex::new(Inner::default()),
            min_ttl,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn exists(&self, id: i64) -> bool {
        self.lock().leases.contains_key(&id)
    }

    /// Grant (applied from the log). Returns the effective TTL, or `None` if the id is taken.
    pub fn grant(&self, id: i64, ttl: i64) -> Option<i64> {
        let ttl = ttl.max(self.min_ttl);
        let mut inner = self.lock();
        if inner.leases.contains_key(&id) {
            return None;
        }
        let expiry = inner.primary.then(|| Instant::now() + secs(ttl));
        inner.leases.insert(
            id,
            Lease {
                ttl,
                keys: BTreeSet::new(),
                expiry,
                revoking: None,
            },
        );
        Some(ttl)
    }

    /// Restore a lease read from disk (no keys yet; [`Lessor::attach`] adds them).
    pub fn restore(&self, id: i64, ttl: i64) {
        let mut inner = self.lock();
        let expiry = inner.primary.then(|| Instant::now() + secs(ttl));
        inner.leases.insert(
            id,
            Lease {
                ttl,
                keys: BTreeSet::new(),
                expiry,
                revoking: None,
            },
        );
    }

    /// Forget every lease (before restoring from a snapshot).
    pub fn clear(&self) {
        self.lock().leases.clear();
    }

    /// Revoke (applied from the log): returns the attached keys, or `None` if unknown.
    pub fn revoke(&self, id: i64) -> Option<Vec<Vec<u8>>> {
        self.lock()
            .leases
            .remove(&id)
            .map(|l| l.keys.into_iter().collect())
    }

    pub fn attach(&self, id: i64, key: &[u8]) {
        if let Some(l) = self.lock().leases.get_mut(&id) {
            l.keys.insert(key.to_vec());
        }
    }

    pub fn detach(&self, id: i64, key: &[u8]) {
        if let Some(l) = self.lock().leases.get_mut(&id) {
            l.keys.remove(key);
        }
    }

    /// Keep-alive on the leader: restart the TTL. `None` if the lease is unknown; the TTL
    /// otherwise. Call only while primary.
    pub fn renew(&self, id: i64) -> Option<i64> {
        let mut inner = self.lock();
        let primary = inner.primary;
        let l = inner.leases.get_mut(&id)?;
        if primary {
            l.expiry = Some(Instant::now() + secs(l.ttl));
        }
        Some(l.ttl)
    }

    pub fn time_to_live(&self, id: i64) -> Option<LeaseTtl> {
        let inner = self.lock();
        let l = inner.leases.get(&id)?;
        let remaining = match l.expiry {
            Some(e) => {
                let left = e.saturating_duration_since(Instant::now());
                // Round up so that a fresh lease shows its full TTL, as etcd does.
                let s = left.as_secs() as i64 + i64::from(left.subsec_nanos() > 0);
                if left.is_zero() { -1 } else { s }
            }
            None => -1,
        };
        Some(LeaseTtl {
            remaining,
            granted: l.ttl,
            keys: l.keys.iter().cloned().collect(),
        })
    }

    pub fn ids(&self) -> Vec<i64> {
        let mut ids: Vec<i64> = self.lock().leases.keys().copied().collect();
        ids.sort_unstable();
        ids
    }

    pub fn len(&self) -> usize {
        self.lock().leases.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// This member became leader: every lease gets its full TTL plus `extend`.
    pub fn promote(&self, extend: Duration) {
        let mut inner = self.lock();
        inner.primary = true;
        let now = Instant::now();
        for l in inner.leases.values_mut() {
            l.expiry = Some(now + secs(l.ttl) + extend);
            l.revoking = None;
        }
    }

    /// This member stopped being leader.
    pub fn demote(&self) {
        let mut inner = self.lock();
        inner.primary = false;
        for l in inner.leases.values_mut() {
            l.expiry = None;
            l.revoking = None;
        }
    }

    pub fn is_primary(&self) -> bool {
        self.lock().primary
    }

    /// Leases past their deadline that have not been proposed for revocation in the last
    /// `retry` (marks them as being revoked now).
    pub fn expired(&self, retry: Duration) -> Vec<i64> {
        let mut inner = self.lock();
        if !inner.primary {
            return Vec::new();
        }
        let now = Instant::now();
        let mut out = Vec::new();
        for (id, l) in inner.leases.iter_mut() {
            let due = l.expiry.is_some_and(|e| e <= now);
            let asked_recently = l.revoking.is_some_and(|t| now.duration_since(t) < retry);
            if due && !asked_recently {
                l.revoking = Some(now);
                out.push(*id);
            }
        }
        out
    }
}

fn secs(s: i64) -> Duration {
    Duration::from_secs(s.max(0) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttl_is_raised_to_the_minimum_and_ids_are_unique() {
        let l = Lessor::new(2);
        assert_eq!(l.grant(1, 1), Some(2));
        assert_eq!(l.grant(1, 10), None);
        assert_eq!(l.grant(2, 10), Some(10));
        assert_eq!(l.ids(), [1, 2]);
    }

    #[test]
    fn only_the_primary_tracks_expiry() {
        let l = Lessor::new(1);
        l.grant(7, 1);
        assert_eq!(l.time_to_live(7).unwrap().remaining, -1);
        assert!(l.expired(Duration::ZERO).is_empty());
        l.promote(Duration::ZERO);
        assert_eq!(l.time_to_live(7).unwrap().remaining, 1);
        std::thread::sleep(Duration::from_millis(1100));
        assert_eq!(l.expired(Duration::from_secs(5)), [7]);
        // Asked once; not again until the retry interval passes.
        assert!(l.expired(Duration::from_secs(5)).is_empty());
        assert_eq!(l.renew(7), Some(1));
        assert!(l.expired(Duration::ZERO).is_empty());
        l.demote();
        assert!(l.expired(Duration::ZERO).is_empty());
    }

    #[test]
    fn revoke_returns_attached_keys() {
        let l = Lessor::new(1);
        l.grant(3, 60);
        l.attach(3, b"a");
        l.attach(3, b"b");
        l.detach(3, b"a");
        assert_eq!(l.time_to_live(3).unwrap().keys, vec![b"b".to_vec()]);
        assert_eq!(l.revoke(3), Some(vec![b"b".to_vec()]));
        assert_eq!(l.revoke(3), None);
        assert!(l.time_to_live(3).is_none());
    }
}
