//! Leader election over a `coordination.k8s.io/v1` Lease: the counterpart of
//! client-go's `tools/leaderelection` with the `resourcelock.LeaseLock`, run
//! with `ReleaseOnCancel: true` as kube-controller-manager and kube-scheduler
//! do.
//!
//! The Lease spec carries client-go's `LeaderElectionRecord`: `holderIdentity`,
//! `leaseDurationSeconds`, `acquireTime`, `renewTime` and `leaseTransitions`.
//! A candidate acquires the Lease when nobody holds it, when the holder's term
//! has run out, or when it already holds it; the leader renews every
//! `retry_period` and stops leading when no renewal has succeeded within
//! `renew_deadline`. As in client-go, expiry is measured on this process's own
//! clock from the moment it first saw the current record, never from the
//! holder's `renewTime`, so clock skew between candidates does not matter.
//! Writes use the `resourceVersion` that was read, so two candidates can never
//! both win the same term.
//!
//! The decision itself is the pure [`try_acquire_or_renew`]; [`acquire`] and
//! [`Leadership`] wrap it with the API calls and timers.
//!
//! Not done here: coordinated leader election (`LeaseCandidate`, the
//! `strategy` / `preferredHolder` fields), Events for "became leader" /
//! "stopped leading", the `leader_election_master_status` metric, and locks
//! other than Lease (Endpoints / ConfigMap locks are gone upstream too).

use std::time::Duration;

use anyhow::{Context as _, bail};
use jiff::{SignedDuration, Timestamp};
use k8s_openapi::api::coordination::v1::{Lease, LeaseSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, ObjectMeta};
use kube::api::{Api, PostParams};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// client-go's `JitterFactor`: waits between acquisition attempts are
/// `retry_period` plus up to 1.2 × `retry_period`.
pub const JITTER_FACTOR: f64 = 1.2;

/// Leader-election settings, upstream's `--leader-elect-*` flags.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// `--leader-elect-resource-namespace` (upstream default `kube-system`).
    pub namespace: String,
    /// `--leader-elect-resource-name`, e.g. `kube-controller-manager`.
    pub name: String,
    /// This candidate's identity; upstream uses `<hostname>_<uuid>`.
    pub identity: String,
    /// `--leader-elect-lease-duration` (15s): how long a non-leader waits
    /// without seeing the record change before taking over.
    pub lease_duration: Duration,
    /// `--leader-elect-renew-deadline` (10s): how long the leader keeps
    /// retrying a renewal before it stops leading.
    pub renew_deadline: Duration,
    /// `--leader-elect-retry-period` (2s): the wait between attempts.
    pub retry_period: Duration,
}

impl Config {
    /// A configuration with upstream's default durations: lease 15s, renew
    /// deadline 10s, retry period 2s.
    pub fn new(namespace: &str, name: &str, identity: &str) -> Config {
        Config {
            namespace: namespace.to_string(),
            name: name.to_string(),
            identity: identity.to_string(),
            lease_duration: Duration::from_secs(15),
            renew_deadline: Duration::from_secs(10),
            retry_period: Duration::from_secs(2),
        }
    }

    /// client-go's `NewLeaderElector` checks, with its messages.
    pub fn validate(&self) -> anyhow::Result<()> {
        if self.lease_duration <= self.renew_deadline {
            bail!("leaseDuration must be greater than renewDeadline");
        }
        if self.renew_deadline <= self.retry_period.mul_f64(JITTER_FACTOR) {
            bail!("renewDeadline must be greater than retryPeriod*JitterFactor");
        }
        if self.lease_duration.is_zero() {
            bail!("leaseDuration must be greater than zero");
        }
        if self.renew_deadline.is_zero() {
            bail!("renewDeadline must be greater than zero");
        }
        if self.retry_period.is_zero() {
            bail!("retryPeriod must be greater than zero");
        }
        if self.namespace.is_empty() || self.name.is_empty() {
            bail!("Lock must not be nil.");
        }
        if self.identity.is_empty() {
            bail!("Lock identity is empty");
        }
        Ok(())
    }

    /// `leaseDurationSeconds` as written to the Lease (whole seconds).
    fn lease_duration_seconds(&self) -> i32 {
        i32::try_from(self.lease_duration.as_secs()).unwrap_or(i32::MAX)
    }

    /// The lock's description in logs: `<namespace>/<name>`.
    fn describe(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }
}

/// client-go's `LeaderElectionRecord`: the election state kept in a Lease spec.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LeaderElectionRecord {
    /// `holderIdentity`; empty when nobody holds the Lease.
    pub holder_identity: String,
    /// `leaseDurationSeconds`.
    pub lease_duration_seconds: i32,
    /// `acquireTime`.
    pub acquire_time: Option<Timestamp>,
    /// `renewTime`.
    pub renew_time: Option<Timestamp>,
    /// `leaseTransitions`.
    pub leader_transitions: i32,
}

impl LeaderElectionRecord {
    /// The record stored in a Lease spec; absent fields read as empty / zero.
    pub fn from_lease_spec(spec: Option<&LeaseSpec>) -> LeaderElectionRecord {
        let Some(spec) = spec else {
            return LeaderElectionRecord::default();
        };
        LeaderElectionRecord {
            holder_identity: spec.holder_identity.clone().unwrap_or_default(),
            lease_duration_seconds: spec.lease_duration_seconds.unwrap_or_default(),
            acquire_time: spec.acquire_time.as_ref().map(|t| t.0),
            renew_time: spec.renew_time.as_ref().map(|t| t.0),
            leader_transitions: spec.lease_transitions.unwrap_or_default(),
        }
    }

    /// The Lease spec that stores this record (every field set, as LeaseLock
    /// writes it).
    pub fn to_lease_spec(&self) -> LeaseSpec {
        LeaseSpec {
            holder_identity: Some(self.holder_identity.clone()),
            lease_duration_seconds: Some(self.lease_duration_seconds),
            acquire_time: self.acquire_time.map(MicroTime),
            renew_time: self.renew_time.map(MicroTime),
            lease_transitions: Some(self.leader_transitions),
            ..LeaseSpec::default()
        }
    }
}

/// What a candidate does with the Lease it just read.
#[derive(Clone, Debug, PartialEq)]
pub enum Decision {
    /// No Lease exists: create this one (this candidate leads).
    Create(Lease),
    /// Take the Lease over from a former holder (or from nobody):
    /// `leaseTransitions` + 1 and `acquireTime` now. Replace it with this
    /// object, which keeps the read `resourceVersion`.
    Acquire(Lease),
    /// This candidate holds the Lease: replace it with this object
    /// (`renewTime` now, `acquireTime` and `leaseTransitions` kept).
    Renew(Lease),
    /// Another holder's term is still running: try again later.
    Wait {
        /// The current `holderIdentity`.
        holder: String,
    },
}

/// The pure core of client-go's `tryAcquireOrRenew` (its slow path, after the
/// Get).
///
/// `current` is the Lease as read (None when it does not exist). `observed_at`
/// is when this process first saw `current`'s record unchanged on its own
/// clock (client-go's `observedTime`; pass `now` on first sight). The holder's
/// term is running while `observed_at + leaseDurationSeconds > now`.
pub fn try_acquire_or_renew(
    current: Option<&Lease>,
    observed_at: Timestamp,
    now: Timestamp,
    config: &Config,
) -> Decision {
    let mut record = LeaderElectionRecord {
        holder_identity: config.identity.clone(),
        lease_duration_seconds: config.lease_duration_seconds(),
        acquire_time: Some(now),
        renew_time: Some(now),
        leader_transitions: 0,
    };
    let Some(current) = current else {
        return Decision::Create(Lease {
            metadata: ObjectMeta {
                name: Some(config.name.clone()),
                namespace: Some(config.namespace.clone()),
                ..ObjectMeta::default()
            },
            spec: Some(record.to_lease_spec()),
        });
    };
    let old = LeaderElectionRecord::from_lease_spec(current.spec.as_ref());
    let ours = old.holder_identity == config.identity;
    if !old.holder_identity.is_empty()
        && !ours
        && term_running(observed_at, old.lease_duration_seconds, now)
    {
        return Decision::Wait {
            holder: old.holder_identity,
        };
    }
    let mut lease = current.clone();
    if ours {
        record.acquire_time = old.acquire_time;
        record.leader_transitions = old.leader_transitions;
        lease.spec = Some(record.to_lease_spec());
        Decision::Renew(lease)
    } else {
        record.leader_transitions = old.leader_transitions.saturating_add(1);
        lease.spec = Some(record.to_lease_spec());
        Decision::Acquire(lease)
    }
}

/// client-go's `isLeaseValid`: `observed_at + seconds` is still after `now`.
fn term_running(observed_at: Timestamp, seconds: i32, now: Timestamp) -> bool {
    match observed_at.checked_add(SignedDuration::from_secs(i64::from(seconds))) {
        Ok(end) => end > now,
        // Out of jiff's range: only a huge duration overflows forward.
        Err(_) => seconds > 0,
    }
}

/// The current time at the Lease's microsecond precision, so that a record we
/// wrote compares equal to the same record read back.
fn now_micros() -> Timestamp {
    let now = Timestamp::now();
    Timestamp::from_microsecond(now.as_microsecond()).unwrap_or(now)
}

/// The last record seen and when it was first seen on the local clock.
#[derive(Debug, Default)]
struct Observation {
    record: LeaderElectionRecord,
    time: Option<Timestamp>,
}

impl Observation {
    /// client-go's `setObservedRecord`.
    fn set(&mut self, record: LeaderElectionRecord, now: Timestamp) {
        self.record = record;
        self.time = Some(now);
    }

    /// Records `record` if it differs from the last one seen; returns when the
    /// current record was first seen.
    fn observe(&mut self, record: &LeaderElectionRecord, now: Timestamp) -> Timestamp {
        match self.time {
            Some(time) if self.record == *record => time,
            _ => {
                self.set(record.clone(), now);
                now
            }
        }
    }
}

/// One candidate's lock state: the API, the last observation, and the Lease
/// object last written or read (for its `resourceVersion`).
struct Elector {
    api: Api<Lease>,
    config: Config,
    observed: Observation,
    lease: Option<Lease>,
}

impl Elector {
    /// client-go's `IsLeader`: the last observed holder is us.
    fn is_leader(&self) -> bool {
        self.observed.time.is_some() && self.observed.record.holder_identity == self.config.identity
    }

    /// client-go's `tryAcquireOrRenew`, fast path then slow path.
    async fn try_acquire_or_renew(&mut self) -> bool {
        let now = now_micros();
        // The leader first writes optimistically over the Lease it last wrote.
        if let (true, Some(time), Some(lease)) =
            (self.is_leader(), self.observed.time, self.lease.as_ref())
            && term_running(time, self.observed.record.lease_duration_seconds, now)
        {
            let record = LeaderElectionRecord {
                holder_identity: self.config.identity.clone(),
                lease_duration_seconds: self.config.lease_duration_seconds(),
                acquire_time: self.observed.record.acquire_time,
                renew_time: Some(now),
                leader_transitions: self.observed.record.leader_transitions,
            };
            let mut lease = lease.clone();
            lease.spec = Some(record.to_lease_spec());
            match self
                .api
                .replace(&self.config.name, &PostParams::default(), &lease)
                .await
            {
                Ok(written) => {
                    self.lease = Some(written);
                    self.observed.set(record, now);
                    return true;
                }
                Err(err) => tracing::error!(
                    "Failed to update lock optimistically: {err}, falling back to slow path"
                ),
            }
        }

        let current = match self.api.get_opt(&self.config.name).await {
            Ok(current) => current,
            Err(err) => {
                tracing::error!(
                    "error retrieving resource lock {}: {err}",
                    self.config.describe()
                );
                return false;
            }
        };
        let observed_at = match &current {
            Some(lease) => {
                let record = LeaderElectionRecord::from_lease_spec(lease.spec.as_ref());
                self.observed.observe(&record, now)
            }
            None => now,
        };
        let decision = try_acquire_or_renew(current.as_ref(), observed_at, now, &self.config);
        if current.is_some() {
            self.lease = current;
        }
        let written = match decision {
            Decision::Wait { holder } => {
                tracing::debug!("lock is held by {holder} and has not yet expired");
                return false;
            }
            Decision::Create(lease) => self
                .api
                .create(&PostParams::default(), &lease)
                .await
                .map_err(|err| {
                    tracing::error!("error initially creating leader election record: {err}")
                }),
            Decision::Acquire(lease) | Decision::Renew(lease) => self
                .api
                .replace(&self.config.name, &PostParams::default(), &lease)
                .await
                .map_err(|err| tracing::error!("Failed to update lock: {err}")),
        };
        let Ok(written) = written else {
            return false;
        };
        let record = LeaderElectionRecord::from_lease_spec(written.spec.as_ref());
        self.observed.set(record, now);
        self.lease = Some(written);
        true
    }

    /// client-go's `release`: if we hold the Lease, clear the holder and set
    /// `leaseDurationSeconds` to 1 so another candidate can take it at once.
    async fn release(&mut self) -> bool {
        if !self.is_leader() {
            return true;
        }
        let Some(lease) = self.lease.as_ref() else {
            return true;
        };
        let now = now_micros();
        let record = LeaderElectionRecord {
            holder_identity: String::new(),
            lease_duration_seconds: 1,
            acquire_time: Some(now),
            renew_time: Some(now),
            leader_transitions: self.observed.record.leader_transitions,
        };
        let mut lease = lease.clone();
        lease.spec = Some(record.to_lease_spec());
        match self
            .api
            .replace(&self.config.name, &PostParams::default(), &lease)
            .await
        {
            Ok(written) => {
                self.lease = Some(written);
                self.observed.set(record, now);
                tracing::info!("released leader lease {}", self.config.describe());
                true
            }
            Err(err) => {
                tracing::error!("Failed to release lock: {err}");
                false
            }
        }
    }

    /// client-go's `renew`: every `retry_period`, retry the renewal for up to
    /// `renew_deadline`. Returns when leadership is lost or `stop` fires (a
    /// dropped sender counts as firing), then releases the Lease if still
    /// ours.
    async fn renew(mut self, leading: watch::Sender<bool>, mut stop: watch::Receiver<bool>) {
        let retry = self.config.retry_period;
        let describe = self.config.describe();
        'leading: loop {
            tokio::select! {
                _ = tokio::time::sleep(retry) => {}
                _ = stop.wait_for(|s| *s) => break 'leading,
            }
            let deadline = tokio::time::Instant::now() + self.config.renew_deadline;
            loop {
                let attempt = tokio::time::timeout_at(deadline, self.try_acquire_or_renew());
                let renewed = tokio::select! {
                    result = attempt => result.unwrap_or(false),
                    _ = stop.wait_for(|s| *s) => break 'leading,
                };
                if renewed {
                    tracing::trace!("successfully renewed lease {describe}");
                    continue 'leading;
                }
                if tokio::time::Instant::now() + retry > deadline {
                    break;
                }
                tokio::select! {
                    _ = tokio::time::sleep(retry) => {}
                    _ = stop.wait_for(|s| *s) => break 'leading,
                }
            }
            tracing::error!(
                "failed to renew lease {describe}: timed out waiting for the condition"
            );
            tracing::info!("leaderelection lost");
            break;
        }
        let _ = leading.send(false);
        let deadline = self.config.renew_deadline;
        let _ = tokio::time::timeout(deadline, self.release()).await;
    }
}

/// A `retry_period` stretched by a random factor in `[0, JITTER_FACTOR)`, as
/// `wait.Jitter`.
fn jittered(period: Duration) -> Duration {
    let random = uuid::Uuid::new_v4().as_u128() as u64;
    let fraction = (random >> 11) as f64 / (1u64 << 53) as f64;
    period + period.mul_f64(JITTER_FACTOR * fraction)
}

/// Blocks until this candidate leads, then returns the [`Leadership`] whose
/// background task keeps renewing the Lease.
///
/// Fails only on an invalid [`Config`]; API errors are logged and retried
/// every `retry_period` (with jitter), as upstream.
pub async fn acquire(client: kube::Client, config: Config) -> anyhow::Result<Leadership> {
    config
        .validate()
        .context("invalid leader election config")?;
    let describe = config.describe();
    let mut elector = Elector {
        api: Api::namespaced(client, &config.namespace),
        config,
        observed: Observation::default(),
        lease: None,
    };
    tracing::info!("attempting to acquire leader lease {describe}...");
    while !elector.try_acquire_or_renew().await {
        tracing::debug!("failed to acquire lease {describe}");
        tokio::time::sleep(jittered(elector.config.retry_period)).await;
    }
    tracing::info!("successfully acquired lease {describe}");
    let (leading_tx, leading_rx) = watch::channel(true);
    let (stop_tx, stop_rx) = watch::channel(false);
    let task = tokio::spawn(elector.renew(leading_tx, stop_rx));
    Ok(Leadership {
        leading: leading_rx,
        stop: stop_tx,
        task: Some(task),
    })
}

/// Held while this process leads. Dropping it (or [`Leadership::release`])
/// stops renewing and gives the Lease up (client-go's `ReleaseOnCancel`).
#[derive(Debug)]
pub struct Leadership {
    leading: watch::Receiver<bool>,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl Leadership {
    /// Resolves once leadership is lost (a renewal did not succeed within
    /// `renew_deadline`). Upstream components exit the process then
    /// (`OnStoppedLeading`: "leaderelection lost").
    pub async fn lost(&mut self) {
        // An Err means the renew task is gone: not leading either.
        let _ = self.leading.wait_for(|leading| !*leading).await;
    }

    /// Stops renewing and waits until the Lease is released (holder cleared,
    /// `leaseDurationSeconds` 1), or the attempt has failed and been logged.
    pub async fn release(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }

    /// Whether this process still leads.
    pub fn is_leader(&self) -> bool {
        *self.leading.borrow()
    }
}

impl Drop for Leadership {
    fn drop(&mut self) {
        // The renew task releases the Lease in the background; it needs the
        // runtime to keep running for that.
        let _ = self.stop.send(true);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ME: &str = "node-a_3b1f";
    const OTHER: &str = "node-b_9c2e";

    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_second(1_750_000_000 + seconds).expect("valid time")
    }

    fn config() -> Config {
        Config::new("kube-system", "kube-controller-manager", ME)
    }

    fn lease(record: LeaderElectionRecord) -> Lease {
        Lease {
            metadata: ObjectMeta {
                name: Some("kube-controller-manager".into()),
                namespace: Some("kube-system".into()),
                resource_version: Some("4711".into()),
                uid: Some("2d9c0b8e".into()),
                ..ObjectMeta::default()
            },
            spec: Some(record.to_lease_spec()),
        }
    }

    fn held_by(holder: &str, renewed: i64, transitions: i32) -> Lease {
        lease(LeaderElectionRecord {
            holder_identity: holder.into(),
            lease_duration_seconds: 15,
            acquire_time: Some(at(-100)),
            renew_time: Some(at(renewed)),
            leader_transitions: transitions,
        })
    }

    fn spec_of(lease: &Lease) -> LeaderElectionRecord {
        LeaderElectionRecord::from_lease_spec(lease.spec.as_ref())
    }

    #[test]
    fn defaults_match_upstream_flags() {
        let c = config();
        assert_eq!(c.lease_duration, Duration::from_secs(15));
        assert_eq!(c.renew_deadline, Duration::from_secs(10));
        assert_eq!(c.retry_period, Duration::from_secs(2));
        assert!(c.validate().is_ok());
    }

    #[test]
    fn validation_messages_match_client_go() {
        let message = |c: Config| {
            c.validate()
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        };
        let mut c = config();
        c.lease_duration = Duration::from_secs(10);
        assert_eq!(
            message(c),
            "leaseDuration must be greater than renewDeadline"
        );
        let mut c = config();
        c.retry_period = Duration::from_secs(9);
        assert_eq!(
            message(c),
            "renewDeadline must be greater than retryPeriod*JitterFactor"
        );
        let mut c = config();
        c.retry_period = Duration::ZERO;
        assert_eq!(message(c), "retryPeriod must be greater than zero");
        let c = Config::new("kube-system", "kube-scheduler", "");
        assert_eq!(message(c), "Lock identity is empty");
    }

    #[test]
    fn missing_lease_is_created() {
        let now = at(0);
        let Decision::Create(created) = try_acquire_or_renew(None, now, now, &config()) else {
            panic!("expected Create");
        };
        assert_eq!(
            created.metadata.name.as_deref(),
            Some("kube-controller-manager")
        );
        assert_eq!(created.metadata.namespace.as_deref(), Some("kube-system"));
        assert_eq!(created.metadata.resource_version, None);
        assert_eq!(
            spec_of(&created),
            LeaderElectionRecord {
                holder_identity: ME.into(),
                lease_duration_seconds: 15,
                acquire_time: Some(now),
                renew_time: Some(now),
                leader_transitions: 0,
            }
        );
    }

    #[test]
    fn expired_lease_is_taken_over_with_one_more_transition() {
        let current = held_by(OTHER, -20, 3);
        // Seen unchanged for 16s > leaseDurationSeconds 15.
        let decision = try_acquire_or_renew(Some(&current), at(-16), at(0), &config());
        let Decision::Acquire(taken) = decision else {
            panic!("expected Acquire, got {decision:?}");
        };
        assert_eq!(
            spec_of(&taken),
            LeaderElectionRecord {
                holder_identity: ME.into(),
                lease_duration_seconds: 15,
                acquire_time: Some(at(0)),
                renew_time: Some(at(0)),
                leader_transitions: 4,
            }
        );
        // The write is conditional on what was read.
        assert_eq!(taken.metadata.resource_version.as_deref(), Some("4711"));
        assert_eq!(taken.metadata.uid.as_deref(), Some("2d9c0b8e"));
    }

    #[test]
    fn term_ends_exactly_at_lease_duration() {
        let current = held_by(OTHER, -15, 0);
        let wait = try_acquire_or_renew(Some(&current), at(-14), at(0), &config());
        assert_eq!(
            wait,
            Decision::Wait {
                holder: OTHER.into()
            }
        );
        let taken = try_acquire_or_renew(Some(&current), at(-15), at(0), &config());
        assert!(matches!(taken, Decision::Acquire(_)), "{taken:?}");
    }

    #[test]
    fn others_valid_lease_is_waited_on() {
        let current = held_by(OTHER, -1, 2);
        let decision = try_acquire_or_renew(Some(&current), at(-1), at(0), &config());
        assert_eq!(
            decision,
            Decision::Wait {
                holder: OTHER.into()
            }
        );
    }

    #[test]
    fn expiry_uses_local_observation_not_holder_clock() {
        // The holder's clock is far behind: its renewTime looks an hour old,
        // but this candidate saw the record change only 5s ago.
        let current = held_by(OTHER, -3600, 1);
        let decision = try_acquire_or_renew(Some(&current), at(-5), at(0), &config());
        assert_eq!(
            decision,
            Decision::Wait {
                holder: OTHER.into()
            }
        );
    }

    #[test]
    fn own_lease_is_renewed_keeping_acquire_time_and_transitions() {
        let current = held_by(ME, -2, 7);
        let decision = try_acquire_or_renew(Some(&current), at(-2), at(0), &config());
        let Decision::Renew(renewed) = decision else {
            panic!("expected Renew, got {decision:?}");
        };
        assert_eq!(
            spec_of(&renewed),
            LeaderElectionRecord {
                holder_identity: ME.into(),
                lease_duration_seconds: 15,
                acquire_time: Some(at(-100)),
                renew_time: Some(at(0)),
                leader_transitions: 7,
            }
        );
        assert_eq!(renewed.metadata.resource_version.as_deref(), Some("4711"));
    }

    #[test]
    fn own_expired_lease_is_renewed_not_transitioned() {
        // A restart with the same identity after the term ran out.
        let current = held_by(ME, -60, 7);
        let decision = try_acquire_or_renew(Some(&current), at(-60), at(0), &config());
        let Decision::Renew(renewed) = decision else {
            panic!("expected Renew, got {decision:?}");
        };
        assert_eq!(spec_of(&renewed).leader_transitions, 7);
        assert_eq!(spec_of(&renewed).acquire_time, Some(at(-100)));
    }

    #[test]
    fn released_lease_with_empty_holder_is_taken_at_once() {
        let released = lease(LeaderElectionRecord {
            holder_identity: String::new(),
            lease_duration_seconds: 1,
            acquire_time: Some(at(0)),
            renew_time: Some(at(0)),
            leader_transitions: 5,
        });
        let decision = try_acquire_or_renew(Some(&released), at(0), at(0), &config());
        let Decision::Acquire(taken) = decision else {
            panic!("expected Acquire, got {decision:?}");
        };
        let record = spec_of(&taken);
        assert_eq!(record.holder_identity, ME);
        assert_eq!(record.leader_transitions, 6);
        assert_eq!(record.lease_duration_seconds, 15);
    }

    #[test]
    fn one_second_lease_is_taken_once_the_second_elapsed() {
        let short = lease(LeaderElectionRecord {
            holder_identity: OTHER.into(),
            lease_duration_seconds: 1,
            acquire_time: Some(at(-1)),
            renew_time: Some(at(-1)),
            leader_transitions: 2,
        });
        let now = at(0);
        let waiting = try_acquire_or_renew(Some(&short), now, now, &config());
        assert_eq!(
            waiting,
            Decision::Wait {
                holder: OTHER.into()
            }
        );
        let later = now
            .checked_add(SignedDuration::from_millis(1001))
            .expect("time");
        let taken = try_acquire_or_renew(Some(&short), now, later, &config());
        let Decision::Acquire(taken) = taken else {
            panic!("expected Acquire, got {taken:?}");
        };
        assert_eq!(spec_of(&taken).leader_transitions, 3);
    }

    #[test]
    fn lease_without_spec_is_taken_as_first_transition() {
        let mut empty = held_by(OTHER, 0, 0);
        empty.spec = None;
        let decision = try_acquire_or_renew(Some(&empty), at(0), at(0), &config());
        let Decision::Acquire(taken) = decision else {
            panic!("expected Acquire, got {decision:?}");
        };
        assert_eq!(spec_of(&taken).leader_transitions, 1);
        assert_eq!(spec_of(&taken).holder_identity, ME);
    }

    #[test]
    fn record_round_trips_through_lease_spec_and_json() {
        let record = LeaderElectionRecord {
            holder_identity: ME.into(),
            lease_duration_seconds: 15,
            acquire_time: Some(Timestamp::from_microsecond(1_750_000_000_123_456).expect("t")),
            renew_time: Some(Timestamp::from_microsecond(1_750_000_001_654_321).expect("t")),
            leader_transitions: 3,
        };
        let json = serde_json::to_value(record.to_lease_spec()).expect("serialize");
        assert_eq!(json["holderIdentity"], ME);
        assert_eq!(json["leaseDurationSeconds"], 15);
        assert_eq!(json["leaseTransitions"], 3);
        assert_eq!(json["acquireTime"], "2025-06-15T15:06:40.123456Z");
        assert_eq!(json["renewTime"], "2025-06-15T15:06:41.654321Z");
        let back: LeaseSpec = serde_json::from_value(json).expect("deserialize");
        assert_eq!(LeaderElectionRecord::from_lease_spec(Some(&back)), record);
        assert_eq!(
            LeaderElectionRecord::from_lease_spec(None),
            LeaderElectionRecord::default()
        );
    }

    #[test]
    fn observation_keeps_first_sight_until_the_record_changes() {
        let mut seen = Observation::default();
        let first = spec_of(&held_by(OTHER, 0, 1));
        assert_eq!(seen.observe(&first, at(0)), at(0));
        assert_eq!(seen.observe(&first, at(10)), at(0));
        let renewed = spec_of(&held_by(OTHER, 10, 1));
        assert_eq!(seen.observe(&renewed, at(12)), at(12));
    }

    #[test]
    fn jitter_stays_within_client_go_bounds() {
        let period = Duration::from_secs(2);
        for _ in 0..100 {
            let wait = jittered(period);
            assert!(wait >= period && wait < period.mul_f64(1.0 + JITTER_FACTOR));
        }
    }

    /// A minimal in-process Lease API (GET / POST / PUT with resourceVersion
    /// preconditions) for exercising the election loop over real HTTP.
    mod fake_apiserver {
        use std::convert::Infallible;
        use std::sync::{Arc, Mutex};

        use bytes::Bytes;
        use http::{Method, Request, Response, StatusCode};
        use http_body_util::{BodyExt as _, Full};
        use hyper::body::Incoming;
        use hyper_util::rt::TokioIo;
        use k8s_openapi::api::coordination::v1::Lease;

        #[derive(Default)]
        pub struct Store {
            pub lease: Option<Lease>,
            pub resource_version: u64,
            pub fail_writes: bool,
        }

        pub type Shared = Arc<Mutex<Store>>;

        pub async fn start() -> (kube::Client, Shared) {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind");
            let addr = listener.local_addr().expect("addr");
            let store: Shared = Arc::default();
            let served = Arc::clone(&store);
            tokio::spawn(async move {
                while let Ok((tcp, _)) = listener.accept().await {
                    let store = Arc::clone(&served);
                    tokio::spawn(async move {
                        let service = hyper::service::service_fn(move |req| {
                            let store = Arc::clone(&store);
                            async move { Ok::<_, Infallible>(handle(req, &store).await) }
                        });
                        let _ = hyper::server::conn::http1::Builder::new()
                            .serve_connection(TokioIo::new(tcp), service)
                            .await;
                    });
                }
            });
            let uri = format!("http://{addr}").parse().expect("uri");
            let client = kube::Client::try_from(kube::Config::new(uri)).expect("client");
            (client, store)
        }

        fn reply(code: StatusCode, body: Vec<u8>) -> Response<Full<Bytes>> {
            let mut response = Response::new(Full::new(Bytes::from(body)));
            *response.status_mut() = code;
            response.headers_mut().insert(
                http::header::CONTENT_TYPE,
                http::HeaderValue::from_static("application/json"),
            );
            response
        }

        fn status(code: StatusCode, reason: &str, message: &str) -> Response<Full<Bytes>> {
            let body = serde_json::json!({
                "kind": "Status", "apiVersion": "v1", "metadata": {},
                "status": "Failure", "message": message, "reason": reason,
                "code": code.as_u16(),
            });
            reply(code, body.to_string().into_bytes())
        }

        fn object(code: StatusCode, lease: &Lease) -> Response<Full<Bytes>> {
            reply(code, serde_json::to_vec(lease).expect("encode"))
        }

        async fn handle(req: Request<Incoming>, store: &Shared) -> Response<Full<Bytes>> {
            let collection = "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases";
            let path = req.uri().path().to_string();
            let method = req.method().clone();
            let body = req.into_body().collect().await.map(|b| b.to_bytes());
            let Ok(body) = body else {
                return status(StatusCode::BAD_REQUEST, "BadRequest", "unreadable body");
            };
            let named = path
                .strip_prefix(collection)
                .and_then(|p| p.strip_prefix('/'));
            let mut store = store.lock().expect("store");
            match (method, named) {
                (Method::GET, Some(_)) => match &store.lease {
                    Some(lease) => object(StatusCode::OK, lease),
                    None => status(
                        StatusCode::NOT_FOUND,
                        "NotFound",
                        "leases.coordination.k8s.io not found",
                    ),
                },
                (Method::POST, None) if path == collection => {
                    if store.lease.is_some() {
                        return status(StatusCode::CONFLICT, "AlreadyExists", "already exists");
                    }
                    let Ok(mut lease) = serde_json::from_slice::<Lease>(&body) else {
                        return status(StatusCode::BAD_REQUEST, "BadRequest", "bad lease");
                    };
                    store.resource_version += 1;
                    lease.metadata.resource_version = Some(store.resource_version.to_string());
                    store.lease = Some(lease.clone());
                    object(StatusCode::CREATED, &lease)
                }
                (Method::PUT, Some(_)) => {
                    if store.fail_writes {
                        return status(
                            StatusCode::INTERNAL_SERVER_ERROR,
                            "InternalError",
                            "etcdserver: request timed out",
                        );
                    }
                    let Ok(mut lease) = serde_json::from_slice::<Lease>(&body) else {
                        return status(StatusCode::BAD_REQUEST, "BadRequest", "bad lease");
                    };
                    let current = store.resource_version.to_string();
                    if store.lease.is_none()
                        || lease.metadata.resource_version.as_deref() != Some(current.as_str())
                    {
                        return status(
                            StatusCode::CONFLICT,
                            "Conflict",
                            "Operation cannot be fulfilled on leases.coordination.k8s.io: the object has been modified; please apply your changes to the latest version and try again",
                        );
                    }
                    store.resource_version += 1;
                    lease.metadata.resource_version = Some(store.resource_version.to_string());
                    store.lease = Some(lease.clone());
                    object(StatusCode::OK, &lease)
                }
                _ => status(StatusCode::NOT_FOUND, "NotFound", "404 page not found"),
            }
        }
    }

    fn stored(store: &fake_apiserver::Shared) -> LeaderElectionRecord {
        let store = store.lock().expect("store");
        LeaderElectionRecord::from_lease_spec(store.lease.as_ref().and_then(|l| l.spec.as_ref()))
    }

    fn fast(identity: &str) -> Config {
        Config {
            lease_duration: Duration::from_secs(1),
            renew_deadline: Duration::from_millis(400),
            retry_period: Duration::from_millis(100),
            ..Config::new("kube-system", "kube-scheduler", identity)
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn candidates_hand_over_release_and_lose_leadership() {
        let (client, store) = fake_apiserver::start().await;
        let limit = Duration::from_secs(5);

        let a = tokio::time::timeout(limit, acquire(client.clone(), fast("a")))
            .await
            .expect("a acquires in time")
            .expect("a acquires");
        assert!(a.is_leader());
        let record = stored(&store);
        assert_eq!(record.holder_identity, "a");
        assert_eq!(record.lease_duration_seconds, 1);
        assert_eq!(record.leader_transitions, 0);

        // A keeps renewing, so B never sees the record unchanged for a term.
        let b = tokio::spawn(acquire(client.clone(), fast("b")));
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert!(!b.is_finished(), "b acquired a lease a kept renewing");
        let renewed = stored(&store);
        assert_eq!(renewed.holder_identity, "a");
        assert_eq!(renewed.acquire_time, record.acquire_time);
        assert!(renewed.renew_time > record.renew_time);

        // Releasing clears the holder, and B takes over at once.
        a.release().await;
        let mut b = tokio::time::timeout(limit, b)
            .await
            .expect("b acquires in time")
            .expect("join")
            .expect("b acquires");
        let record = stored(&store);
        assert_eq!(record.holder_identity, "b");
        assert_eq!(record.leader_transitions, 1);

        // Renewals failing past renewDeadline end leadership.
        store.lock().expect("store").fail_writes = true;
        tokio::time::timeout(limit, b.lost())
            .await
            .expect("b loses in time");
        assert!(!b.is_leader());

        // C waits out B's unchanged record, then dropping C's handle releases.
        store.lock().expect("store").fail_writes = false;
        let c = tokio::time::timeout(limit, acquire(client.clone(), fast("c")))
            .await
            .expect("c acquires in time")
            .expect("c acquires");
        assert_eq!(stored(&store).holder_identity, "c");
        assert_eq!(stored(&store).leader_transitions, 2);
        drop(c);
        let mut released = false;
        for _ in 0..50 {
            let record = stored(&store);
            if record.holder_identity.is_empty() {
                assert_eq!(record.lease_duration_seconds, 1);
                assert_eq!(record.leader_transitions, 2);
                released = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(released, "dropping the handle did not release the lease");
        drop(b);
    }

    #[tokio::test]
    async fn acquire_rejects_an_invalid_config() {
        let client = kube::Client::try_from(kube::Config::new(
            "http://127.0.0.1:9".parse().expect("uri"),
        ))
        .expect("client");
        let mut config = fast("a");
        config.renew_deadline = Duration::from_secs(2);
        let err = acquire(client, config).await.expect_err("invalid config");
        assert_eq!(
            format!("{err:#}"),
            "invalid leader election config: leaseDuration must be greater than renewDeadline"
        );
    }
}
