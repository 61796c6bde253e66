//! One task per Watch stream: creates and cancels watchers, catches each up from its start
//! revision by reading history, then forwards live events from the hub, dropping any the
//! watcher has already seen (events carry revisions, so "already seen" is exact).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use proto::etcdserverpb as pb;
use proto::etcdserverpb::watch_create_request::FilterType;
use proto::etcdserverpb::watch_request::RequestUnion;
use proto::mvccpb::{Event, event::EventType};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status, Streaming};

use super::{BoxStream, Reply};
use crate::error::Error;
use crate::member::Member;
use crate::watch::HubMessage;

/// Revisions of history read per step while catching a watcher up.
const HISTORY_STEP: usize = 1000;

#[derive(Clone)]
pub struct WatchService {
    pub member: Arc<Member>,
}

#[tonic::async_trait]
impl pb::watch_server::Watch for WatchService {
    type WatchStream = BoxStream<pb::WatchResponse>;

    async fn watch(&self, req: Request<Streaming<pb::WatchRequest>>) -> Reply<Self::WatchStream> {
        let (tx, rx) = mpsc::channel(256);
        let stream = WatchStream::new(self.member.clone(), tx);
        tokio::spawn(stream.run(req.into_inner()));
        Ok(Response::new(Box::pin(ReceiverStream::new(rx))))
    }
}

struct Watcher {
    key: Vec<u8>,
    end: Vec<u8>,
    no_put: bool,
    no_delete: bool,
    prev_kv: bool,
    progress_notify: bool,
    /// Events below this revision were sent already.
    next_rev: i64,
}

struct WatchStream {
    member: Arc<Member>,
    out: mpsc::Sender<Result<pb::WatchResponse, Status>>,
    watchers: HashMap<i64, Watcher>,
    next_id: i64,
    stream_id: u64,
}

/// The client went away; stop.
struct Gone;

impl WatchStream {
    fn new(
        member: Arc<Member>,
        out: mpsc::Sender<Result<pb::WatchResponse, Status>>,
    ) -> WatchStream {
        WatchStream {
            member,
            out,
            watchers: HashMap::new(),
            next_id: 0,
            stream_id: 0,
        }
    }

    async fn run(mut self, mut input: Streaming<pb::WatchRequest>) {
        let hub = self.member.sm.hub.clone();
        let (stream_id, mut events) = hub.open_stream();
        self.stream_id = stream_id;
        let mut progress = tokio::time::interval(
            self.member
                .cfg
                .progress_notify_interval
                .max(Duration::from_millis(100)),
        );
        progress.tick().await;
        loop {
            let step = tokio::select! {
                req = input.message() => match req {
                    Ok(Some(req)) => self.on_request(req, &mut events).await,
                    _ => Err(Gone),
                },
                msg = events.recv() => match msg {
                    Some(msg) => self.on_hub(msg).await,
                    None => Err(Gone),
                },
                _ = progress.tick() => self.on_progress_tick(&mut events).await,
            };
            if step.is_err() {
                break;
            }
        }
        hub.close_stream(stream_id);
    }

    async fn send(&self, resp: pb::WatchResponse) -> Result<(), Gone> {
        self.out.send(Ok(resp)).await.map_err(|_| Gone)
    }

    fn header(&self, revision: i64) -> Option<pb::ResponseHeader> {
        let mut h = self.member.header();
        if let Some(h) = h.as_mut() {
            h.revision = revision;
        }
        h
    }

    async fn on_request(
        &mut self,
        req: pb::WatchRequest,
        events: &mut mpsc::UnboundedReceiver<HubMessage>,
    ) -> Result<(), Gone> {
        match req.request_union {
            Some(RequestUnion::CreateRequest(c)) => self.create(c).await,
            Some(RequestUnion::CancelRequest(c)) => {
                if self.watchers.remove(&c.watch_id).is_some() {
                    self.member.sm.hub.remove(self.stream_id, c.watch_id);
                    let header = self.member.header();
                    self.send(pb::WatchResponse {
                        header,
                        watch_id: c.watch_id,
                        canceled: true,
                        ..Default::default()
                    })
                    .await?;
                }
                Ok(())
            }
            Some(RequestUnion::ProgressRequest(_)) => {
                let rev = self.drain(events).await?;
                // Not tied to one watcher: etcd answers with watch id -1.
                self.send(pb::WatchResponse {
                    header: self.header(rev),
                    watch_id: -1,
                    ..Default::default()
                })
                .await
            }
            None => Ok(()),
        }
    }

    /// Deliver everything the hub has handed out so far; returns the revision it covers.
    async fn drain(
        &mut self,
        events: &mut mpsc::UnboundedReceiver<HubMessage>,
    ) -> Result<i64, Gone> {
        let rev = self.member.sm.hub.notified_revision();
        while let Ok(msg) = events.try_recv() {
            self.on_hub(msg).await?;
        }
        Ok(rev)
    }

    async fn create(&mut self, c: pb::WatchCreateRequest) -> Result<(), Gone> {
        let id = if c.watch_id != 0 {
            if self.watchers.contains_key(&c.watch_id) {
                let header = self.member.header();
                return self
                    .send(pb::WatchResponse {
                        header,
                        watch_id: c.watch_id,
                        created: true,
                        canceled: true,
                        cancel_reason: "mvcc: duplicate watch ID provided on the WatchStream"
                            .into(),
                        ..Default::default()
                    })
                    .await;
            }
            c.watch_id
        } else {
            while self.watchers.contains_key(&self.next_id) {
                self.next_id += 1;
            }
            self.next_id
        };
        let store = &self.member.sm.kv;
        let hub = &self.member.sm.hub;
        // Register first, then read the revision: every later event reaches us live.
        hub.add(self.stream_id, id, &c.key, &c.range_end);
        let current = store.current_revision();
        let start = if c.start_revision > 0 {
            c.start_revision
        } else {
            current + 1
        };
        let filters = |f: FilterType| c.filters.contains(&(f as i32));
        let watcher = Watcher {
            key: c.key.clone(),
            end: c.range_end.clone(),
            no_put: filters(FilterType::Noput),
            no_delete: filters(FilterType::Nodelete),
            prev_kv: c.prev_kv,
            progress_notify: c.progress_notify,
            next_rev: start,
        };
        self.watchers.insert(id, watcher);
        self.send(pb::WatchResponse {
            header: self.header(current),
            watch_id: id,
            created: true,
            ..Default::default()
        })
        .await?;
        self.catch_up(id, current).await
    }

    /// Send watcher `id` its history from its next revision up to `to`.
    async fn catch_up(&mut self, id: i64, to: i64) -> Result<(), Gone> {
        let store = self.member.sm.kv.clone();
        loop {
            let Some(w) = self.watchers.get(&id) else {
                return Ok(());
            };
            if w.next_rev > to {
                return Ok(());
            }
            let (key, end, from) = (w.key.clone(), w.end.clone(), w.next_rev);
            let step = {
                let store = store.clone();
                tokio::task::spawn_blocking(move || {
                    store.history(&key, &end, from, to, HISTORY_STEP)
                })
                .await
            };
            match step {
                Ok(Ok((events, next))) => {
                    self.deliver(id, events, next).await?;
                }
                Ok(Err(Error::Compacted)) => return self.compacted(id).await,
                Ok(Err(err)) => {
                    tracing::error!(%err, "reading watch history");
                    return self.cancel(id, &err.to_string()).await;
                }
                Err(err) => return self.cancel(id, &err.to_string()).await,
            }
        }
    }

    async fn compacted(&mut self, id: i64) -> Result<(), Gone> {
        self.watchers.remove(&id);
        self.member.sm.hub.remove(self.stream_id, id);
        let header = self.member.header();
        let compact_revision = self.member.sm.kv.compacted_revision();
        self.send(pb::WatchResponse {
            header,
            watch_id: id,
            canceled: true,
            compact_revision,
            ..Default::default()
        })
        .await
    }

    async fn cancel(&mut self, id: i64, reason: &str) -> Result<(), Gone> {
        self.watchers.remove(&id);
        self.member.sm.hub.remove(self.stream_id, id);
        let header = self.member.header();
        self.send(pb::WatchResponse {
            header,
            watch_id: id,
            canceled: true,
            cancel_reason: reason.into(),
            ..Default::default()
        })
        .await
    }

    async fn on_hub(&mut self, msg: HubMessage) -> Result<(), Gone> {
        match msg {
            HubMessage::Events { watch_id, events } => {
                let next = events
                    .last()
                    .and_then(|e| e.kv.as_ref())
                    .map_or(0, |kv| kv.mod_revision + 1);
                self.deliver(watch_id, events, next).await
            }
            HubMessage::Resync => {
                let to = self.member.sm.kv.current_revision();
                let ids: Vec<i64> = self.watchers.keys().copied().collect();
                for id in ids {
                    self.catch_up(id, to).await?;
                }
                Ok(())
            }
        }
    }

    /// Send `events` (in revision order) to watcher `id`, skipping what it has seen, then
    /// advance it to `next` (the first revision it has not seen).
    async fn deliver(&mut self, id: i64, events: Vec<Event>, next: i64) -> Result<(), Gone> {
        let Some(w) = self.watchers.get_mut(&id) else {
            return Ok(());
        };
        let from = w.next_rev;
        let (no_put, no_delete, prev_kv) = (w.no_put, w.no_delete, w.prev_kv);
        w.next_rev = w.next_rev.max(next);
        let mut out = Vec::with_capacity(events.len());
        for mut e in events {
            let Some(kv) = e.kv.as_ref() else { continue };
            let rev = kv.mod_revision;
            if rev < from {
                continue;
            }
            let is_put = e.r#type == EventType::Put as i32;
            if (is_put && no_put) || (!is_put && no_delete) {
                continue;
            }
            if prev_kv && !(is_put && kv.version == 1) {
                e.prev_kv = self.member.sm.kv.get_at(&kv.key, rev - 1).unwrap_or(None);
            }
            out.push(e);
        }
        let Some(last) = out
            .last()
            .and_then(|e| e.kv.as_ref())
            .map(|kv| kv.mod_revision)
        else {
            return Ok(());
        };
        self.send(pb::WatchResponse {
            header: self.header(last),
            watch_id: id,
            events: out,
            ..Default::default()
        })
        .await
    }

    async fn on_progress_tick(
        &mut self,
        events: &mut mpsc::UnboundedReceiver<HubMessage>,
    ) -> Result<(), Gone> {
        if !self.watchers.values().any(|w| w.progress_notify) {
            return Ok(());
        }
        let rev = self.drain(events).await?;
        let ids: Vec<i64> = self
            .watchers
            .iter()
            .filter(|(_, w)| w.progress_notify)
            .map(|(id, _)| *id)
            .collect();
        for id in ids {
            self.send(pb::WatchResponse {
                header: self.header(rev),
                watch_id: id,
                ..Default::default()
            })
            .await?;
        }
        Ok(())
    }
}
