//! The certificatesigningrequest controllers: approving (kubelet client certificates are
//! approved when a SubjectAccessReview says the requester may ask for them: `create` on
//! `certificatesigningrequests/nodeclient` for a new node, `.../selfnodeclient` for a node
//! renewing its own) and signing (approved requests for the built-in signers are signed with
//! the cluster CA, or marked Failed with the signer's reason).
//!
//! Not here: the request validation and approval rules of the API server.

use futures::StreamExt;
use k8s_openapi::api::authorization::v1::SubjectAccessReview;
use k8s_openapi::api::certificates::v1::{
    CertificateSigningRequest, CertificateSigningRequestCondition,
};
use kube::api::{Api, PostParams};
use kube::runtime::WatchStreamExt;
use kube::runtime::watcher::{self, Event};

use crate::certificates::{self, Authority, SignOutcome};

/// The csrapproving controller: watch through `informers`, review and write through `client`.
pub async fn approve(informers: kube::Client, client: kube::Client) {
    let api: Api<CertificateSigningRequest> = Api::all(client.clone());
    let watched: Api<CertificateSigningRequest> = Api::all(informers);
    let mut events = watcher::watcher(watched, watcher::Config::default())
        .default_backoff()
        .boxed();
    while let Some(ev) = events.next().await {
        let csr = match ev {
            Ok(Event::Apply(c) | Event::InitApply(c)) => c,
            Ok(_) => continue,
            Err(err) => {
                tracing::warn!(%err, "csrapproving watch");
                continue;
            }
        };
        // Upstream asks for selfnodeclient first (a node renewing its own), then nodeclient.
        for subresource in certificates::approval_subresources(&csr) {
            match approve_one(&client, &api, csr.clone(), subresource).await {
                Ok(true) => break,
                Ok(false) => {}
                Err(err) => {
                    tracing::warn!(%err, "approving a certificate signing request");
                    break;
                }
            }
        }
    }
}

async fn approve_one(
    client: &kube::Client,
    api: &Api<CertificateSigningRequest>,
    mut csr: CertificateSigningRequest,
    subresource: &'static str,
) -> kube::Result<bool> {
    let sar = certificates::subject_access_review(&csr, subresource);
    let reviews: Api<SubjectAccessReview> = Api::all(client.clone());
    let answer = reviews.create(&PostParams::default(), &sar).await?;
    if !answer.status.is_some_and(|s| s.allowed) {
        return Ok(false);
    }
    let name = csr.metadata.name.clone().unwrap_or_default();
    let status = csr.status.get_or_insert_with(Default::default);
    let conditions: &mut Vec<CertificateSigningRequestCondition> =
        status.conditions.get_or_insert_with(Vec::new);
    conditions.push(certificates::approved_condition(
        subresource,
        jiff::Timestamp::now(),
    ));
    match api
        .replace_subresource("approval", &name, &PostParams::default(), &csr)
        .await
    {
        Ok(_) => {
            tracing::info!(csr = name, "approved");
            Ok(true)
        }
        Err(kube::Error::Api(e)) if e.code == 409 => Ok(true),
        Err(e) => Err(e),
    }
}

/// The csrsigning controller: watch through `informers`, write through `client`.
pub async fn sign(
    informers: kube::Client,
    client: kube::Client,
    authority: Authority,
    duration: std::time::Duration,
) {
    let api: Api<CertificateSigningRequest> = Api::all(client);
    let watched: Api<CertificateSigningRequest> = Api::all(informers);
    let mut events = watcher::watcher(watched, watcher::Config::default())
        .default_backoff()
        .boxed();
    while let Some(ev) = events.next().await {
        let mut csr = match ev {
            Ok(Event::Apply(c) | Event::InitApply(c)) => c,
            Ok(_) => continue,
            Err(err) => {
                tracing::warn!(%err, "csrsigning watch");
                continue;
            }
        };
        let name = csr.metadata.name.clone().unwrap_or_default();
        let status = match certificates::sign(&authority, &csr, duration, jiff::Timestamp::now()) {
            SignOutcome::Skip => continue,
            SignOutcome::Signed(pem) => {
                let status = csr.status.get_or_insert_with(Default::default);
                status.certificate = Some(k8s_openapi::ByteString(pem.into_bytes()));
                "signed"
            }
            SignOutcome::Failed(message) => {
                let status = csr.status.get_or_insert_with(Default::default);
                status.conditions.get_or_insert_with(Vec::new).push(
                    certificates::failed_condition(&message, jiff::Timestamp::now()),
                );
                "failed"
            }
            SignOutcome::Error(err) => {
                // Upstream logs these and retries the request later.
                tracing::warn!(err, csr = name, "signing");
                continue;
            }
        };
        match api
            .replace_status(&name, &PostParams::default(), &csr)
            .await
        {
            Ok(_) => tracing::info!(csr = name, status, "certificate signing request"),
            Err(kube::Error::Api(e)) if e.code == 409 => {}
            Err(err) => tracing::warn!(%err, csr = name, "writing a certificate"),
        }
    }
}
