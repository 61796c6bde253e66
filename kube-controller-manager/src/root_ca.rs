//! The root-ca-certificate-publisher controller: every namespace has the ConfigMap
//! `kube-root-ca.crt` holding the cluster CA (`ca.crt`), which pods' projected service account
//! volumes mount.
//!
//! Not here: the CA itself (`--root-ca-file`).

use std::collections::BTreeMap;

use futures::StreamExt;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
use kube::api::{Api, PostParams};
use kube::runtime::WatchStreamExt;
use kube::runtime::watcher::{self, Event};

pub const NAME: &str = "kube-root-ca.crt";

/// Watch through `informers`, write through `client`.
pub async fn run(informers: kube::Client, client: kube::Client, ca_pem: String) {
    let namespaces: Api<Namespace> = Api::all(informers.clone());
    let maps: Api<ConfigMap> = Api::all(informers.clone());
    let ns_events = watcher::watcher(namespaces, watcher::Config::default())
        .default_backoff()
        .map(|e| e.map(Change::Namespace))
        .boxed();
    let cm_events = watcher::watcher(
        maps,
        watcher::Config::default().fields(&format!("metadata.name={NAME}")),
    )
    .default_backoff()
    .map(|e| e.map(Change::Map))
    .boxed();
    let mut events = futures::stream::select(ns_events, cm_events);
    while let Some(ev) = events.next().await {
        let namespace = match ev {
            Ok(Change::Namespace(Event::Apply(ns) | Event::InitApply(ns))) => {
                if ns.metadata.deletion_timestamp.is_some() {
                    continue;
                }
                ns.metadata.name.unwrap_or_default()
            }
            Ok(Change::Map(Event::Apply(cm) | Event::InitApply(cm))) => {
                let current = cm.data.as_ref().and_then(|d| d.get("ca.crt"));
                if current == Some(&ca_pem) {
                    continue;
                }
                cm.metadata.namespace.unwrap_or_default()
            }
            Ok(Change::Map(Event::Delete(cm))) => cm.metadata.namespace.unwrap_or_default(),
            Ok(_) => continue,
            Err(err) => {
                tracing::warn!(%err, "root-ca-certificate-publisher watch");
                continue;
            }
        };
        if let Err(err) = publish(&informers, &client, &namespace, &ca_pem).await {
            tracing::warn!(%err, namespace, "publishing {NAME}");
        }
    }
}

enum Change {
    Namespace(Event<Namespace>),
    Map(Event<ConfigMap>),
}

async fn publish(
    informers: &kube::Client,
    client: &kube::Client,
    namespace: &str,
    ca_pem: &str,
) -> kube::Result<()> {
    let cached: Api<ConfigMap> = Api::namespaced(informers.clone(), namespace);
    let api: Api<ConfigMap> = Api::namespaced(client.clone(), namespace);
    let data = BTreeMap::from([("ca.crt".to_string(), ca_pem.to_string())]);
    match cached.get_opt(NAME).await? {
        Some(cm) if cm.data.as_ref() == Some(&data) => Ok(()),
        Some(mut cm) => {
            // The role grants update, not patch.
            cm.data = Some(data);
            api.replace(NAME, &PostParams::default(), &cm)
                .await
                .map(|_| ())
        }
        None => {
            let cm = ConfigMap {
                metadata: kube::api::ObjectMeta {
                    name: Some(NAME.into()),
                    annotations: Some(BTreeMap::from([(
                        "kubernetes.io/description".to_string(),
                        "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.".to_string(),
                    )])),
                    ..Default::default()
                },
                data: Some(data),
                ..Default::default()
            };
            match api.create(&PostParams::default(), &cm).await {
                Ok(_) => Ok(()),
                Err(kube::Error::Api(e)) if e.code == 409 || e.code == 403 || e.code == 404 => {
                    Ok(())
                }
                Err(e) => Err(e),
            }
        }
    }
}
