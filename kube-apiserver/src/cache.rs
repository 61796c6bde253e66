//! The watch cache: per resource, one store watch feeds the current objects and a window of
//! recent events in memory, and every client watch is served from there, so a thousand
//! watchers cost one store watch.
//!
//! Invariants: the state is updated and the event broadcast under one write lock, and a new
//! watcher snapshots and subscribes under the read lock, so it sees every event after its
//! starting revision exactly once. A watcher that asks for a revision older than the window,
//! or falls behind the broadcast, gets a 410 and relists, as upstream.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use serde_json::Value;
use tokio::sync::{Notify, broadcast};

use crate::error::{ApiError, ApiResult};
use crate::resources::Resource;
use crate::storage::{Change, ProgressRequester, Store, Stored};

/// Events kept per resource for watchers that start from an older revision.
const HISTORY: usize = 4096;
/// Events a watcher may lag behind before it is dropped.
const LAG: usize = 16384;

#[derive(Debug, Clone)]
pub struct CacheEvent {
    /// ADDED, MODIFIED or DELETED.
    pub kind: &'static str,
    pub key: String,
    pub object: Arc<Value>,
    pub previous: Option<Arc<Value>>,
    pub revision: i64,
    /// `object` as JSON, made by the first watcher or list that sends it as stored, then
    /// shared by every other (and by the cache entry of the object): a thousand watchers
    /// serialize an event once, and lists are the concatenation of their items' JSON.
    pub encoded: Encoded,
}

/// An object's JSON, made once on first use.
pub type Encoded = Arc<std::sync::OnceLock<bytes::Bytes>>;

/// A current object of the cache.
#[derive(Debug, Clone)]
pub struct Entry {
    pub object: Arc<Value>,
    pub encoded: Encoded,
}

impl Entry {
    /// The object as JSON (serialized once).
    pub fn encoded(&self) -> &bytes::Bytes {
        encode_once(&self.encoded, &self.object)
    }
}

fn encode_once<'a>(encoded: &'a Encoded, object: &Value) -> &'a bytes::Bytes {
    encoded.get_or_init(|| serde_json::to_vec(object).unwrap_or_default().into())
}

impl CacheEvent {
    /// The object as JSON (serialized once).
    pub fn encoded(&self) -> &bytes::Bytes {
        encode_once(&self.encoded, &self.object)
    }
}

#[derive(Default)]
struct State {
    objects: BTreeMap<String, Entry>,
    revision: i64,
    history: VecDeque<Arc<CacheEvent>>,
    /// The history holds every event after this revision.
    oldest: i64,
}

pub struct ResourceCache {
    resource: &'static Resource,
    state: RwLock<State>,
    live: broadcast::Sender<Arc<CacheEvent>>,
    /// Asks the feeding store watch for a progress notification (None while it restarts).
    progress: Mutex<Option<ProgressRequester>>,
    /// Woken whenever the revision moves.
    advanced: Notify,
}

/// What a new watcher starts with.
pub struct Subscription {
    /// Events to send first (the current objects as ADDED, or the replayed history).
    pub initial: Vec<Arc<CacheEvent>>,
    /// The revision `initial` brings the watcher to.
    pub revision: i64,
    pub live: broadcast::Receiver<Arc<CacheEvent>>,
}

/// A stored object as the cache keeps it: in its storage version (the stored `apiVersion`,
/// which versions of a resource sharing the store keys convert from per watcher).
fn decode(r: &Resource, s: &Stored) -> Option<Value> {
    let mut obj: Value = serde_json::from_slice(&s.value).ok()?;
    if !obj.get("apiVersion").is_some_and(Value::is_string) {
        obj["apiVersion"] = Value::String(r.api_version());
    }
    if !obj.get("kind").is_some_and(Value::is_string) {
        obj["kind"] = Value::String(r.kind.to_string());
    }
    if let Some(m) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
        m.insert(
            "resourceVersion".into(),
            Value::String(s.revision.to_string()),
        );
    }
    Some(obj)
}

impl ResourceCache {
    fn read(&self) -> std::sync::RwLockReadGuard<'_, State> {
        self.state.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, State> {
        self.state.write().unwrap_or_else(|e| e.into_inner())
    }

    pub fn revision(&self) -> i64 {
        self.read().revision
    }

    fn new(resource: &'static Resource, capacity: usize) -> ResourceCache {
        ResourceCache {
            resource,
            state: RwLock::new(State::default()),
            live: broadcast::channel(capacity).0,
            progress: Mutex::new(None),
            advanced: Notify::new(),
        }
    }

    /// Wait until the cache has seen revision `rev`, asking the store for progress
    /// notifications meanwhile (upstream's consistent reads from cache). False if it did not
    /// get there within `timeout`: the caller reads from the store instead.
    pub async fn wait_for(&self, rev: i64, timeout: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let advanced = self.advanced.notified();
            tokio::pin!(advanced);
            advanced.as_mut().enable();
            if self.revision() >= rev {
                return true;
            }
            if let Some(p) = self
                .progress
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .as_ref()
            {
                p.request();
            }
            // Progress answers may be withheld while the store watch catches up: ask again.
            let retry = (tokio::time::Instant::now() + Duration::from_millis(100)).min(deadline);
            if tokio::time::timeout_at(retry, advanced).await.is_err()
                && tokio::time::Instant::now() >= deadline
            {
                return self.revision() >= rev;
            }
        }
    }

    /// The objects under `prefix` (in key order) and the revision they are current at.
    pub fn snapshot(&self, prefix: &str) -> (Vec<(String, Entry)>, i64) {
        let st = self.read();
        let items = st
            .objects
            .range(prefix.to_string()..)
            .take_while(|(k, _)| k.starts_with(prefix))
            .map(|(k, o)| (k.clone(), o.clone()))
            .collect();
        (items, st.revision)
    }

    /// Start watching keys under `prefix` from `from` (None: the current objects first).
    pub fn subscribe(&self, prefix: &str, from: Option<i64>) -> ApiResult<Subscription> {
        let st = self.read();
        let in_scope = |k: &str| k.starts_with(prefix);
        let initial: Vec<Arc<CacheEvent>> = match from {
            None => st
                .objects
                .iter()
                .filter(|(k, _)| in_scope(k))
                .map(|(k, o)| {
                    Arc::new(CacheEvent {
                        kind: "ADDED",
                        key: k.clone(),
                        object: o.object.clone(),
                        previous: None,
                        revision: st.revision,
                        encoded: o.encoded.clone(),
                    })
                })
                .collect(),
            Some(rv) if rv < st.oldest => {
                return Err(ApiError::expired(format!(
                    "too old resource version: {rv} ({})",
                    st.oldest
                )));
            }
            Some(rv) => st
                .history
                .iter()
                .filter(|e| e.revision > rv && in_scope(&e.key))
                .cloned()
                .collect(),
        };
        let revision = match from {
            Some(rv) => rv.max(st.oldest),
            None => st.revision,
        };
        Ok(Subscription {
            initial,
            revision,
            live: self.live.subscribe(),
        })
    }

    fn apply(&self, change: Change) {
        let r = self.resource;
        let mut st = self.write();
        let event = match change {
            Change::Put { current, .. } => {
                let Some(obj) = decode(r, &current) else {
                    return;
                };
                let entry = Entry {
                    object: Arc::new(obj),
                    encoded: Encoded::default(),
                };
                let previous = st.objects.insert(current.key.clone(), entry.clone());
                st.revision = st.revision.max(current.revision);
                CacheEvent {
                    kind: if previous.is_some() {
                        "MODIFIED"
                    } else {
                        "ADDED"
                    },
                    key: current.key,
                    object: entry.object,
                    previous: previous.map(|p| p.object),
                    revision: current.revision,
                    encoded: entry.encoded,
                }
            }
            Change::Delete { previous, revision } => {
                let Some(old) = st.objects.remove(&previous.key) else {
                    return;
                };
                st.revision = st.revision.max(revision);
                let old = old.object;
                let mut gone = (*old).clone();
                if let Some(m) = gone.get_mut("metadata").and_then(Value::as_object_mut) {
                    m.insert(
                        "resourceVersion".into(),
                        Value::String(revision.to_string()),
                    );
                }
                CacheEvent {
                    kind: "DELETED",
                    key: previous.key,
                    object: Arc::new(gone),
                    previous: Some(old),
                    revision,
                    encoded: Default::default(),
                }
            }
            Change::Progress(rev) => {
                st.revision = st.revision.max(rev);
                drop(st);
                self.advanced.notify_waiters();
                return;
            }
            Change::Compacted(_) => return,
        };
        let event = Arc::new(event);
        st.history.push_back(event.clone());
        while st.history.len() > HISTORY {
            if let Some(e) = st.history.pop_front() {
                st.oldest = e.revision;
            }
        }
        let _ = self.live.send(event);
        drop(st);
        self.advanced.notify_waiters();
    }

    /// Replace the whole state by a fresh list (at start, and when the store watch broke).
    fn reset(&self, objects: BTreeMap<String, Entry>, revision: i64) {
        let mut st = self.write();
        st.objects = objects;
        st.revision = revision;
        st.history.clear();
        st.oldest = revision;
        drop(st);
        self.advanced.notify_waiters();
    }
}

/// Every resource's cache, started on first use.
pub struct WatchCache {
    store: Store,
    caches: Mutex<HashMap<String, Arc<ResourceCache>>>,
}

impl WatchCache {
    pub fn new(store: Store) -> WatchCache {
        WatchCache {
            store,
            caches: Mutex::new(HashMap::new()),
        }
    }

    /// The cache of `r`, listing and starting its store watch the first time.
    pub async fn get(&self, r: &'static Resource) -> ApiResult<Arc<ResourceCache>> {
        let prefix = r.key_prefix();
        if let Some(c) = self
            .caches
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&prefix)
        {
            return Ok(c.clone());
        }
        let cache = Arc::new(ResourceCache::new(r, LAG));
        let revision = self.fill(&cache, &prefix).await?;
        {
            let mut caches = self.caches.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(existing) = caches.get(&prefix) {
                return Ok(existing.clone());
            }
            caches.insert(prefix.clone(), cache.clone());
        }
        tokio::spawn(feed(self.store.clone(), cache.clone(), prefix, revision));
        Ok(cache)
    }

    async fn fill(&self, cache: &ResourceCache, prefix: &str) -> ApiResult<i64> {
        fill(&self.store, cache, prefix).await
    }
}

async fn fill(store: &Store, cache: &ResourceCache, prefix: &str) -> ApiResult<i64> {
    let page = store.list(prefix, None, 0, 0).await?;
    let objects = page
        .items
        .iter()
        .filter_map(|s| {
            decode(cache.resource, s).map(|o| {
                let entry = Entry {
                    object: Arc::new(o),
                    encoded: Encoded::default(),
                };
                (s.key.clone(), entry)
            })
        })
        .collect();
    cache.reset(objects, page.revision);
    Ok(page.revision)
}

/// Keep `cache` in step with the store, for as long as the server runs.
async fn feed(store: Store, cache: Arc<ResourceCache>, prefix: String, mut revision: i64) {
    loop {
        match store.watch_with_progress(&prefix, revision).await {
            Ok((mut changes, progress)) => {
                *cache.progress.lock().unwrap_or_else(|e| e.into_inner()) = Some(progress);
                while let Some(change) = changes.recv().await {
                    if let Change::Compacted(_) = change {
                        break;
                    }
                    cache.apply(change);
                }
            }
            Err(err) => tracing::warn!(%prefix, %err, "watch cache: store watch failed"),
        }
        // The store watch ended: relist. Watchers behind the new state are cut off by the
        // reset of the history and must relist too.
        tokio::time::sleep(Duration::from_millis(200)).await;
        match fill(&store, &cache, &prefix).await {
            Ok(rev) => {
                revision = rev;
                // Make current subscribers notice: they can no longer be sure of continuity.
                let _ = cache.live.send(Arc::new(CacheEvent {
                    kind: "RESET",
                    key: String::new(),
                    object: Arc::new(Value::Null),
                    previous: None,
                    revision: rev,
                    encoded: Default::default(),
                }));
            }
            Err(err) => tracing::warn!(%prefix, %err, "watch cache: relist failed"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources;

    fn stored(key: &str, rev: i64) -> Stored {
        Stored {
            key: key.into(),
            value: serde_json::to_vec(&serde_json::json!({"metadata": {"name": key}})).unwrap(),
            revision: rev,
            stale: false,
        }
    }

    #[test]
    fn replay_from_a_revision_and_expiry() {
        let r = resources::find("", "v1", "configmaps").unwrap();
        let c = ResourceCache::new(r, 16);
        c.reset(BTreeMap::new(), 10);
        c.apply(Change::Put {
            current: stored("/registry/configmaps/a/x", 11),
            previous: None,
        });
        c.apply(Change::Put {
            current: stored("/registry/configmaps/b/y", 12),
            previous: None,
        });
        c.apply(Change::Put {
            current: stored("/registry/configmaps/a/x", 13),
            previous: None,
        });
        c.apply(Change::Delete {
            previous: stored("/registry/configmaps/a/x", 13),
            revision: 14,
        });
        let all = c.subscribe("/registry/configmaps/", Some(10)).unwrap();
        let kinds: Vec<&str> = all.initial.iter().map(|e| e.kind).collect();
        assert_eq!(kinds, ["ADDED", "ADDED", "MODIFIED", "DELETED"]);
        let ns_a = c.subscribe("/registry/configmaps/a/", Some(11)).unwrap();
        assert_eq!(
            ns_a.initial.iter().map(|e| e.revision).collect::<Vec<_>>(),
            [13, 14]
        );
        let now = c.subscribe("/registry/configmaps/", None).unwrap();
        assert_eq!(now.initial.len(), 1);
        assert_eq!(now.revision, 14);
        assert_eq!(
            c.subscribe("/registry/configmaps/", Some(5))
                .err()
                .map(|e| e.code),
            Some(410)
        );
    }
}
