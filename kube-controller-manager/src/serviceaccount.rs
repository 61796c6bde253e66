//! The serviceaccount controller: every active namespace has the `default` ServiceAccount
//! (created when a namespace appears, and again if it is deleted).
//!
//! Not here: token Secrets (upstream stopped creating them in 1.24).

use futures::StreamExt;
use k8s_openapi::api::core::v1::{Namespace, ServiceAccount};
use kube::api::{Api, PostParams};
use kube::runtime::WatchStreamExt;
use kube::runtime::watcher::{self, Event};

/// Run until the watch streams end (never, in practice): watch through `informers` (the
/// manager's own client, as upstream's shared informers), write through `client`.
pub async fn run(informers: kube::Client, client: kube::Client) {
    let namespaces: Api<Namespace> = Api::all(informers.clone());
    let accounts: Api<ServiceAccount> = Api::all(informers.clone());
    let ns_events = watcher::watcher(namespaces, watcher::Config::default())
        .default_backoff()
        .map(|e| e.map(Change::Namespace))
        .boxed();
    let sa_events = watcher::watcher(
        accounts,
        watcher::Config::default().fields("metadata.name=default"),
    )
    .default_backoff()
    .map(|e| e.map(Change::Account))
    .boxed();
    let mut events = futures::stream::select(ns_events, sa_events);
    while let Some(ev) = events.next().await {
        let namespace = match ev {
            Ok(Change::Namespace(Event::Apply(ns) | Event::InitApply(ns))) => {
                if ns.metadata.deletion_timestamp.is_some()
                    || ns.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Terminating")
                {
                    continue;
                }
                ns.metadata.name.unwrap_or_default()
            }
            Ok(Change::Account(Event::Delete(sa))) => sa.metadata.namespace.unwrap_or_default(),
            Ok(_) => continue,
            Err(err) => {
                tracing::warn!(%err, "serviceaccount controller watch");
                continue;
            }
        };
        if let Err(err) = ensure_default(&informers, &client, &namespace).await {
            tracing::warn!(%err, namespace, "creating the default service account");
        }
    }
}

enum Change {
    Namespace(Event<Namespace>),
    Account(Event<ServiceAccount>),
}

async fn ensure_default(
    informers: &kube::Client,
    client: &kube::Client,
    namespace: &str,
) -> kube::Result<()> {
    let cached: Api<ServiceAccount> = Api::namespaced(informers.clone(), namespace);
    if cached.get_opt("default").await?.is_some() {
        return Ok(());
    }
    let api: Api<ServiceAccount> = Api::namespaced(client.clone(), namespace);
    let sa = ServiceAccount {
        metadata: kube::api::ObjectMeta {
            name: Some("default".into()),
            ..Default::default()
        },
        ..Default::default()
    };
    match api.create(&PostParams::default(), &sa).await {
        Ok(_) => {
            tracing::info!(namespace, "created the default service account");
            Ok(())
        }
        // Already there, or the namespace is going away.
        Err(kube::Error::Api(e)) if e.code == 409 || e.code == 403 || e.code == 404 => Ok(()),
        Err(e) => Err(e),
    }
}
