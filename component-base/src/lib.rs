//! Shared runtime pieces of the Rust Kubernetes components (kube-controller-manager,
//! kube-scheduler, kubelet, kube-proxy): the counterpart of upstream's
//! `k8s.io/component-base` plus the parts of `client-go` and `apiserver` those
//! components share at start-up.
//!
//! What it does:
//! - [`logging`]: a `tracing` subscriber writing to stderr (klog's role).
//! - [`client`]: a `kube::Client` from `--kubeconfig` or the in-cluster
//!   environment, with the component's User-Agent.
//! - [`leader_election`]: client-go's leader election over a
//!   `coordination.k8s.io/v1` Lease (LeaseLock), with `ReleaseOnCancel`.
//! - [`serving`]: the secure port's `/healthz`, `/livez`, `/readyz` and
//!   `/metrics` over HTTPS with an in-memory self-signed certificate.
//! - [`signals`]: waiting for SIGTERM / SIGINT.
//!
//! What it does not do: flag parsing and component configuration files,
//! delegated authentication / authorization on the secure port (every request
//! is served), serving certificates from `--tls-cert-file` or writing them to
//! `--cert-dir`, the `/configz`, `/debug/pprof` and `/flagz` endpoints, feature
//! gates, event recording for leader-election transitions, and coordinated
//! leader election (the `LeaseCandidate` protocol).

pub mod client;
pub mod duration;
pub mod leader_election;
pub mod logging;
pub mod serving;
pub mod signals;
