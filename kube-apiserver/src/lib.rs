//! kube-apiserver: the Kubernetes REST API, stored through the etcd v3 API.
//!
//! Layers: [`storage`] (the etcd v3 API: raftstore or etcd), [`registry`] (one generic
//! registry for every resource), [`server`] (HTTPS, routing, negotiation, watch streams),
//! [`discovery`], [`tls`], and pure modules with no IO: [`resources`] (what is served),
//! [`scheme`] (typed decoding through k8s-openapi), [`conversion`], [`managed_fields`]
//! (server-side apply), [`defaults`], [`validation`], [`patch`],
//! [`selectors`], [`table`], and [`gofmt`] (values as Go's `fmt` and JSON encoders print them).
//! Security: [`authn`], [`authz`] (with [`rbac`]), [`reviews`], [`admission`] (with
//! [`admission_plugins`], [`pod_security`] and [`admission_policy`]), [`encryption`] at rest, [`audit`], and
//! [`serviceaccount`] tokens.
//!
//! It does not schedule, reconcile or run anything: controllers, the scheduler and kubelets
//! are clients of this server.

pub mod admission;
pub mod admission_plugins;
pub mod admission_policy;
pub mod app;
pub mod audit;
pub mod authn;
pub mod authz;
pub mod cache;
pub mod conversion;
pub mod crd;
pub mod crd_schema;
pub mod defaults;
pub mod discovery;
pub mod encryption;
pub mod error;
pub mod gofmt;
pub mod managed_fields;
pub mod metrics;
pub mod openapi;
pub mod patch;
pub mod pod_security;
pub mod protobuf;
pub mod rbac;
pub mod registry;
pub mod resources;
pub mod reviews;
pub mod scheme;
pub mod selectors;
pub mod server;
pub mod serviceaccount;
pub mod storage;
pub mod table;
pub mod tls;
pub mod validation;
