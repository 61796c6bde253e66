//! The watch hub: the apply step hands it each batch of committed events, and it forwards
//! the events each watcher's key range covers to that watcher's stream.
//!
//! The hub only routes live events. Catching a new watcher up from an older revision, prev_kv
//! look-ups, filters and progress notifications belong to the watch stream, which reads
//! history from the store and drops live events it has already sent (every event carries its
//! revision, so nothing is sent twice and, because a watcher is registered before its stream
//! reads history, nothing is missed).

use std::collections::HashMap;
use std::sync::Mutex;

use proto::mvccpb::Event;
use tokio::sync::mpsc;

use crate::mvcc::in_range;

/// What a watch stream receives from the hub.
#[derive(Debug)]
pub enum HubMessage {
    /// Events for one watcher, in revision order.
    Events { watch_id: i64, events: Vec<Event> },
    /// The member replaced its state from a raft snapshot: re-read history from where each
    /// watcher was.
    Resync,
}

#[derive(Debug)]
struct Watcher {
    stream: u64,
    watch_id: i64,
    key: Vec<u8>,
    end: Vec<u8>,
}

#[derive(Debug, Default)]
struct Inner {
    next_stream: u64,
    streams: HashMap<u64, mpsc::UnboundedSender<HubMessage>>,
    watchers: Vec<Watcher>,
    /// Every event at or below this revision has been handed to the streams.
    notified: i64,
}

#[derive(Debug, Default)]
pub struct WatchHub {
    inner: Mutex<Inner>,
}

impl WatchHub {
    pub fn new(revision: i64) -> WatchHub {
        WatchHub {
            inner: Mutex::new(Inner {
                notified: revision,
                ..Inner::default()
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn open_stream(&self) -> (u64, mpsc::UnboundedReceiver<HubMessage>) {
        let (tx, rx) = mpsc::unbounded_channel();
        let mut inner = self.lock();
        inner.next_stream += 1;
        let id = inner.next_stream;
        inner.streams.insert(id, tx);
        (id, rx)
    }

    pub fn close_stream(&self, stream: u64) {
        let mut inner = self.lock();
        inner.streams.remove(&stream);
        inner.watchers.retain(|w| w.stream != stream);
    }

    pub fn add(&self, stream: u64, watch_id: i64, key: &[u8], end: &[u8]) {
        self.lock().watchers.push(Watcher {
            stream,
            watch_id,
            key: key.to_vec(),
            end: end.to_vec(),
        });
    }

    pub fn remove(&self, stream: u64, watch_id: i64) -> bool {
        let mut inner = self.lock();
        let before = inner.watchers.len();
        inner
            .watchers
            .retain(|w| !(w.stream == stream && w.watch_id == watch_id));
        inner.watchers.len() != before
    }

    pub fn watcher_count(&self) -> usize {
        self.lock().watchers.len()
    }

    /// The revision up to which every committed event has been handed out.
    pub fn notified_revision(&self) -> i64 {
        self.lock().notified
    }

    /// Hand out the events of the revisions up to `revision` (called by the apply step, in
    /// revision order).
    pub fn notify(&self, revision: i64, events: &[Event]) {
        let mut inner = self.lock();
        if !events.is_empty() {
            let Inner {
                streams, watchers, ..
            } = &mut *inner;
            for w in watchers.iter() {
                let mine: Vec<Event> = events
                    .iter()
                    .filter(|e| {
                        e.kv.as_ref()
                            .is_some_and(|kv| in_range(&kv.key, &w.key, &w.end))
                    })
                    .cloned()
                    .collect();
                if mine.is_empty() {
                    continue;
                }
                if let Some(tx) = streams.get(&w.stream) {
                    let _ = tx.send(HubMessage::Events {
                        watch_id: w.watch_id,
                        events: mine,
                    });
                }
            }
        }
        inner.notified = inner.notified.max(revision);
    }

    /// After a snapshot install: streams re-read history from where each watcher was.
    pub fn resync(&self, revision: i64) {
        let mut inner = self.lock();
        for tx in inner.streams.values() {
            let _ = tx.send(HubMessage::Resync);
        }
        inner.notified = revision;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proto::mvccpb::KeyValue;

    fn ev(key: &str, rev: i64) -> Event {
        Event {
            kv: Some(KeyValue {
                key: key.into(),
                mod_revision: rev,
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    #[test]
    fn routes_events_by_range() {
        let hub = WatchHub::new(0);
        let (s, mut rx) = hub.open_stream();
        hub.add(s, 1, b"a/", b"a0");
        hub.add(s, 2, b"b", b"");
        hub.notify(1, &[ev("a/x", 1), ev("b", 1), ev("c", 1)]);
        let mut got = vec![];
        while let Ok(HubMessage::Events { watch_id, events }) = rx.try_recv() {
            got.push((watch_id, events.len()));
        }
        got.sort();
        assert_eq!(got, [(1, 1), (2, 1)]);
        assert_eq!(hub.notified_revision(), 1);
        assert!(hub.remove(s, 1));
        hub.notify(2, &[ev("a/y", 2)]);
        assert!(rx.try_recv().is_err());
        hub.close_stream(s);
        assert_eq!(hub.watcher_count(), 0);
    }
}
