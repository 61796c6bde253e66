//! Objects in the store, through etcd's v3 gRPC API: the same code runs on raftstore and on a
//! real etcd. resourceVersion is the store's mod_revision; creates and updates are
//! transactions on mod_revision, so a stale write is refused instead of lost.

use std::sync::Arc;
use std::time::Duration;

use proto::etcdserverpb::compare::{CompareResult, CompareTarget, TargetUnion};
use proto::etcdserverpb::kv_client::KvClient;
use proto::etcdserverpb::maintenance_client::MaintenanceClient;
use proto::etcdserverpb::request_op::Request as Op;
use proto::etcdserverpb::response_op::Response as OpResponse;
use proto::etcdserverpb::watch_client::WatchClient;
use proto::etcdserverpb::watch_request::RequestUnion;
use proto::etcdserverpb::{
    Compare, DeleteRangeRequest, PutRequest, RangeRequest, RequestOp, StatusRequest, TxnRequest,
    WatchCreateRequest, WatchProgressRequest, WatchRequest,
};
use proto::mvccpb::event::EventType;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::transport::{Channel, Endpoint};

use crate::error::{ApiError, ApiResult};

/// A stored object: its bytes and the revision that last changed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub key: String,
    pub value: Vec<u8>,
    pub revision: i64,
    /// Written by other than the first encryption provider (a re-write rotates it).
    pub stale: bool,
}

/// One page of a list.
#[derive(Debug, Clone, Default)]
pub struct Page {
    pub items: Vec<Stored>,
    /// The store revision the page was read at.
    pub revision: i64,
    /// Keys left after this page (0 when it is the last).
    pub remaining: i64,
}

/// A change seen by a watch.
#[derive(Debug, Clone)]
pub enum Change {
    Put {
        current: Stored,
        previous: Option<Stored>,
    },
    Delete {
        previous: Stored,
        revision: i64,
    },
    /// The watch's start revision was compacted away: clients must relist.
    Compacted(i64),
    /// Every change up to this revision has been delivered.
    Progress(i64),
}

#[derive(Clone)]
pub struct Store {
    kv: KvClient<Channel>,
    watch: WatchClient<Channel>,
    maintenance: MaintenanceClient<Channel>,
    /// Encryption at rest per key prefix (`--encryption-provider-config`).
    transformers: Option<Arc<Transformers>>,
}

/// The transformer of each key prefix whose resource the encryption config covers.
pub struct Transformers(Vec<(String, Arc<crate::encryption::Transformer>)>);

impl Transformers {
    /// For every built-in resource `config` covers.
    pub fn new(config: &crate::encryption::EncryptionConfig) -> Transformers {
        let mut out: Vec<(String, Arc<crate::encryption::Transformer>)> = Vec::new();
        for r in crate::resources::RESOURCES.iter().filter(|r| r.is_stored()) {
            let prefix = r.key_prefix();
            if out.iter().any(|(p, _)| *p == prefix) {
                continue;
            }
            if let Some(t) = config.transformer_for(r.group, r.plural) {
                out.push((prefix, t));
            }
        }
        Transformers(out)
    }

    fn of(&self, key: &str) -> Option<&crate::encryption::Transformer> {
        self.0
            .iter()
            .find(|(p, _)| key.starts_with(p.as_str()))
            .map(|(_, t)| t.as_ref())
    }

    /// A stored value as the API server reads it, and whether it is stale.
    fn read(&self, key: &str, value: Vec<u8>) -> Result<(Vec<u8>, bool), String> {
        match self.of(key) {
            Some(t) => t
                .from_storage(&value, key.as_bytes())
                .map_err(|e| format!("unable to transform key {key:?}: {e}")),
            None => Ok((value, false)),
        }
    }

    fn write(&self, key: &str, value: Vec<u8>) -> ApiResult<Vec<u8>> {
        match self.of(key) {
            Some(t) => t
                .to_storage(&value, key.as_bytes())
                .map_err(|e| ApiError::internal(format!("unable to transform key {key:?}: {e}"))),
            None => Ok(value),
        }
    }
}

/// A stored key's value as read through the encryption config.
fn stored(
    t: &Option<Arc<Transformers>>,
    key: String,
    value: Vec<u8>,
    revision: i64,
) -> ApiResult<Stored> {
    let (value, stale) = match t {
        Some(t) => t.read(&key, value).map_err(ApiError::internal)?,
        None => (value, false),
    };
    Ok(Stored {
        key,
        value,
        revision,
        stale,
    })
}

/// The largest store response read (upstream's etcd client allows `math.MaxInt32`): a list of
/// many objects easily exceeds gRPC's default of 4 MiB.
const MAX_RESPONSE: usize = i32::MAX as usize;

fn store_error(s: tonic::Status) -> ApiError {
    if s.code() == tonic::Code::OutOfRange && s.message().contains("compacted") {
        return ApiError::expired("The resourceVersion for the provided list is too old.");
    }
    ApiError::internal(s.message().to_string())
}

fn prefix_end(prefix: &str) -> Vec<u8> {
    let mut end = prefix.as_bytes().to_vec();
    while let Some(last) = end.pop() {
        if last < 0xff {
            end.push(last + 1);
            return end;
        }
    }
    vec![0]
}

impl Store {
    /// Connect to the store's client endpoints (`http://host:port` or `host:port`, or
    /// `unix://path`), spreading requests over them.
    pub async fn connect(endpoints: &[String]) -> anyhow::Result<Store> {
        let mut eps = Vec::new();
        for e in endpoints {
            let url = if e.contains("://") {
                e.clone()
            } else {
                format!("http://{e}")
            };
            if let Some(path) = url.strip_prefix("unix://") {
                let path = path.to_string();
                let channel = Endpoint::try_from("http://[::]:50051")?
                    .connect_with_connector(tower::service_fn(move |_| {
                        let path = path.clone();
                        async move {
                            let stream = tokio::net::UnixStream::connect(path).await?;
                            Ok::<_, std::io::Error>(hyper_util::rt::TokioIo::new(stream))
                        }
                    }))
                    .await?;
                return Ok(Store {
                    kv: KvClient::new(channel.clone()).max_decoding_message_size(MAX_RESPONSE),
                    watch: WatchClient::new(channel.clone())
                        .max_decoding_message_size(MAX_RESPONSE),
                    maintenance: MaintenanceClient::new(channel),
                    transformers: None,
                });
            }
            eps.push(
                Endpoint::from_shared(url)?
                    .connect_timeout(Duration::from_secs(2))
                    .tcp_nodelay(true)
                    .http2_keep_alive_interval(Duration::from_secs(30)),
            );
        }
        anyhow::ensure!(!eps.is_empty(), "no store endpoints");
        let channel = Channel::balance_list(eps.into_iter());
        Ok(Store {
            kv: KvClient::new(channel.clone()).max_decoding_message_size(MAX_RESPONSE),
            watch: WatchClient::new(channel.clone()).max_decoding_message_size(MAX_RESPONSE),
            maintenance: MaintenanceClient::new(channel),
            transformers: None,
        })
    }

    /// Encrypt and decrypt values of the resources `transformers` covers.
    pub fn with_encryption(mut self, transformers: Transformers) -> Store {
        self.transformers = Some(Arc::new(transformers));
        self
    }

    fn encode(&self, key: &str, value: Vec<u8>) -> ApiResult<Vec<u8>> {
        match &self.transformers {
            Some(t) => t.write(key, value),
            None => Ok(value),
        }
    }

    /// Retry a call a few times while the store is unavailable (a member died, a leader is
    /// being elected).
    async fn retry<T, F, Fut>(&self, mut f: F) -> ApiResult<T>
    where
        F: FnMut(KvClient<Channel>) -> Fut,
        Fut: Future<Output = Result<T, tonic::Status>>,
    {
        let mut delay = Duration::from_millis(50);
        for attempt in 0.. {
            match f(self.kv.clone()).await {
                Ok(v) => return Ok(v),
                Err(s) if s.code() == tonic::Code::Unavailable && attempt < 6 => {
                    tokio::time::sleep(delay).await;
                    delay *= 2;
                }
                Err(s) => return Err(store_error(s)),
            }
        }
        unreachable!()
    }

    /// One Range request, retried while the store is unavailable.
    async fn range(&self, req: RangeRequest) -> ApiResult<proto::etcdserverpb::RangeResponse> {
        Ok(self
            .retry(|mut kv| {
                let req = req.clone();
                async move { kv.range(req).await }
            })
            .await?
            .into_inner())
    }

    pub async fn get(&self, key: &str) -> ApiResult<Option<Stored>> {
        let req = RangeRequest {
            key: key.as_bytes().to_vec(),
            ..Default::default()
        };
        let resp = self.range(req).await?;
        resp.kvs
            .into_iter()
            .next()
            .map(|kv| {
                stored(
                    &self.transformers,
                    key.to_string(),
                    kv.value,
                    kv.mod_revision,
                )
            })
            .transpose()
    }

    /// Keys under `prefix` after `start_after` (exclusive), at `revision` (0: newest), at most
    /// `limit` (0: all).
    pub async fn list(
        &self,
        prefix: &str,
        start_after: Option<&str>,
        limit: i64,
        revision: i64,
    ) -> ApiResult<Page> {
        let key = match start_after {
            Some(k) => {
                let mut k = k.as_bytes().to_vec();
                k.push(0);
                k
            }
            None => prefix.as_bytes().to_vec(),
        };
        let req = RangeRequest {
            key,
            range_end: prefix_end(prefix),
            limit,
            revision,
            ..Default::default()
        };
        let resp = self.range(req).await?;
        let revision = if revision > 0 {
            revision
        } else {
            resp.header.map(|h| h.revision).unwrap_or(0)
        };
        let n = resp.kvs.len() as i64;
        let items = resp
            .kvs
            .into_iter()
            .map(|kv| {
                let key = String::from_utf8_lossy(&kv.key).into_owned();
                stored(&self.transformers, key, kv.value, kv.mod_revision)
            })
            .collect::<ApiResult<Vec<_>>>()?;
        Ok(Page {
            items,
            revision,
            remaining: if resp.more { resp.count - n } else { 0 },
        })
    }

    /// Create `key`; `Ok(None)` if it already exists.
    pub async fn create(&self, key: &str, value: Vec<u8>) -> ApiResult<Option<i64>> {
        let value = self.encode(key, value)?;
        let txn = TxnRequest {
            compare: vec![Compare {
                result: CompareResult::Equal as i32,
                target: CompareTarget::Mod as i32,
                key: key.as_bytes().to_vec(),
                target_union: Some(TargetUnion::ModRevision(0)),
                ..Default::default()
            }],
            success: vec![RequestOp {
                request: Some(Op::RequestPut(PutRequest {
                    key: key.as_bytes().to_vec(),
                    value,
                    ..Default::default()
                })),
            }],
            failure: vec![],
        };
        let resp = self
            .retry(|mut kv| {
                let txn = txn.clone();
                async move { kv.txn(txn).await }
            })
            .await?
            .into_inner();
        Ok(resp
            .succeeded
            .then(|| resp.header.map(|h| h.revision).unwrap_or(0)))
    }

    /// Replace `key` if it is still at `expected` revision. `Ok(Err(current))` when it is
    /// not (current is `None` if the key is gone).
    pub async fn update(
        &self,
        key: &str,
        value: Vec<u8>,
        expected: i64,
    ) -> ApiResult<Result<i64, Option<Stored>>> {
        let value = self.encode(key, value)?;
        self.guarded(
            key,
            expected,
            Op::RequestPut(PutRequest {
                key: key.as_bytes().to_vec(),
                value,
                ..Default::default()
            }),
        )
        .await
    }

    /// Delete `key` if it is still at `expected` revision.
    pub async fn delete(&self, key: &str, expected: i64) -> ApiResult<Result<i64, Option<Stored>>> {
        self.guarded(
            key,
            expected,
            Op::RequestDeleteRange(DeleteRangeRequest {
                key: key.as_bytes().to_vec(),
                ..Default::default()
            }),
        )
        .await
    }

    async fn guarded(
        &self,
        key: &str,
        expected: i64,
        op: Op,
    ) -> ApiResult<Result<i64, Option<Stored>>> {
        let txn = TxnRequest {
            compare: vec![Compare {
                result: CompareResult::Equal as i32,
                target: CompareTarget::Mod as i32,
                key: key.as_bytes().to_vec(),
                target_union: Some(TargetUnion::ModRevision(expected)),
                ..Default::default()
            }],
            success: vec![RequestOp { request: Some(op) }],
            failure: vec![RequestOp {
                request: Some(Op::RequestRange(RangeRequest {
                    key: key.as_bytes().to_vec(),
                    ..Default::default()
                })),
            }],
        };
        let resp = self
            .retry(|mut kv| {
                let txn = txn.clone();
                async move { kv.txn(txn).await }
            })
            .await?
            .into_inner();
        if resp.succeeded {
            return Ok(Ok(resp.header.map(|h| h.revision).unwrap_or(0)));
        }
        let current = resp.responses.into_iter().find_map(|r| match r.response {
            Some(OpResponse::ResponseRange(rr)) => rr.kvs.into_iter().next(),
            _ => None,
        });
        let current = current
            .map(|kv| {
                stored(
                    &self.transformers,
                    key.to_string(),
                    kv.value,
                    kv.mod_revision,
                )
            })
            .transpose()?;
        Ok(Err(current))
    }

    /// The etcd version the store reports (Maintenance.Status).
    pub async fn version(&self) -> ApiResult<String> {
        let resp = self
            .maintenance
            .clone()
            .status(StatusRequest {})
            .await
            .map_err(store_error)?
            .into_inner();
        Ok(resp.version)
    }

    /// The store's current revision (a one-key count-only range, as upstream's
    /// `GetCurrentResourceVersion`).
    pub async fn revision(&self) -> ApiResult<i64> {
        let req = RangeRequest {
            key: b"/registry/health-probe".to_vec(),
            count_only: true,
            ..Default::default()
        };
        let resp = self.range(req).await?;
        Ok(resp.header.map(|h| h.revision).unwrap_or(0))
    }

    /// Watch every key under `prefix` from revision `from` (exclusive: changes after it).
    pub async fn watch(&self, prefix: &str, from: i64) -> ApiResult<mpsc::Receiver<Change>> {
        Ok(self.watch_with_progress(prefix, from).await?.0)
    }

    /// [`Store::watch`], with a handle that asks the store for a progress notification (the
    /// answer arrives as [`Change::Progress`] once every change up to the store's current
    /// revision was delivered).
    pub async fn watch_with_progress(
        &self,
        prefix: &str,
        from: i64,
    ) -> ApiResult<(mpsc::Receiver<Change>, ProgressRequester)> {
        let (req_tx, req_rx) = mpsc::channel(4);
        let create = WatchRequest {
            request_union: Some(RequestUnion::CreateRequest(WatchCreateRequest {
                key: prefix.as_bytes().to_vec(),
                range_end: prefix_end(prefix),
                start_revision: from + 1,
                prev_kv: true,
                progress_notify: true,
                ..Default::default()
            })),
        };
        req_tx
            .send(create)
            .await
            .map_err(|_| ApiError::internal("watch request"))?;
        let mut stream = self
            .watch
            .clone()
            .watch(ReceiverStream::new(req_rx))
            .await
            .map_err(store_error)?
            .into_inner();
        let (tx, rx) = mpsc::channel(1024);
        let requester = ProgressRequester(req_tx.clone());
        let transformers = self.transformers.clone();
        let decrypt = move |key: &str, value: Vec<u8>, revision: i64| {
            stored(&transformers, key.to_string(), value, revision).unwrap_or_else(|err| {
                // An undecryptable value is logged and reads as nothing (the object does not
                // decode, so the cache leaves it out).
                tracing::error!(%err, "watch");
                Stored {
                    key: key.to_string(),
                    value: Vec::new(),
                    revision,
                    stale: false,
                }
            })
        };
        tokio::spawn(async move {
            // Keep the request side open for as long as the watch runs.
            let _req_tx = req_tx;
            loop {
                let resp = match stream.message().await {
                    Ok(Some(r)) => r,
                    _ => return,
                };
                if resp.compact_revision > 0 {
                    let _ = tx.send(Change::Compacted(resp.compact_revision)).await;
                    return;
                }
                if resp.canceled {
                    return;
                }
                let header_rev = resp.header.as_ref().map(|h| h.revision).unwrap_or(0);
                if resp.events.is_empty() && !resp.created {
                    if tx.send(Change::Progress(header_rev)).await.is_err() {
                        return;
                    }
                    continue;
                }
                for e in resp.events {
                    let Some(kv) = e.kv else { continue };
                    let key = String::from_utf8_lossy(&kv.key).into_owned();
                    let previous = e.prev_kv.map(|p| decrypt(&key, p.value, p.mod_revision));
                    let change = if e.r#type == EventType::Delete as i32 {
                        match previous {
                            Some(previous) => Change::Delete {
                                previous,
                                revision: kv.mod_revision,
                            },
                            None => continue,
                        }
                    } else {
                        Change::Put {
                            current: decrypt(&key, kv.value, kv.mod_revision),
                            previous,
                        }
                    };
                    if tx.send(change).await.is_err() {
                        return;
                    }
                }
            }
        });
        Ok((rx, requester))
    }
}

/// Whether watch progress requests of a store at etcd `version` can be trusted for consistent
/// reads from the watch cache: etcd fixed progress notifications overtaking events
/// (etcd-io/etcd#15220) in 3.4.25 and 3.5.8, and upstream requires 3.4.31 or 3.5.13.
pub fn progress_requests_trusted(version: &str) -> bool {
    let mut parts = version
        .split(['.', '-', '+'])
        .map(|p| p.parse::<u32>().unwrap_or(0));
    let (major, minor, patch) = (
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
    );
    match (major, minor) {
        (3, 4) => patch >= 31,
        (3, 5) => patch >= 13,
        (3, m) => m > 5,
        (m, _) => m > 3,
    }
}

/// Asks a store watch for a progress notification.
#[derive(Clone)]
pub struct ProgressRequester(mpsc::Sender<WatchRequest>);

impl ProgressRequester {
    /// Request a progress notification; false if the watch is gone.
    pub fn request(&self) -> bool {
        let req = WatchRequest {
            request_union: Some(RequestUnion::ProgressRequest(WatchProgressRequest {})),
        };
        match self.0.try_send(req) {
            Ok(()) => true,
            // A request is already queued: its answer serves this one too.
            Err(mpsc::error::TrySendError::Full(_)) => true,
            Err(mpsc::error::TrySendError::Closed(_)) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn trusted_progress_versions() {
        use super::progress_requests_trusted as t;
        assert!(!t("3.4.23"));
        assert!(t("3.4.31"));
        assert!(!t("3.5.0"));
        assert!(t("3.5.13"));
        assert!(t("3.6.0"));
        assert!(!t("garbage"));
    }
}
