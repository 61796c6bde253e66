//! Custom resources: what the established CustomResourceDefinitions make this server serve.
//!
//! [`install`] turns the current CRDs into entries of the resource table
//! ([`crate::resources::set_custom`]) and keeps, per served group/version/plural, what serving
//! it needs ([`CustomInfo`]: the structural schema, printer columns, subresources, the storage
//! version). The registry calls it after every CRD write it makes, and a watch on CRDs calls it
//! for writes other servers make. Validation, pruning and defaulting against the schema live
//! in [`crate::crd_schema`]; this module holds no IO.
//!
//! Not here: conversion webhooks (versions convert by rewriting `apiVersion`, the `None`
//! strategy), and CEL rules (`x-kubernetes-validations` are not evaluated).

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use serde_json::Value;

use crate::crd_schema::{self, Structural, Subresources};
use crate::resources::{self, CustomResource, Resource};

/// What serving one version of a custom resource needs.
#[derive(Debug)]
pub struct CustomInfo {
    /// The CRD's name (`<plural>.<group>`).
    pub crd: String,
    /// The version objects are stored in.
    pub storage_version: String,
    /// The structural schema of this version (None: the CRD has none that parses).
    pub schema: Option<Structural>,
    /// The version's `openAPIV3Schema` as written, for the OpenAPI documents.
    pub openapi_schema: Option<Value>,
    /// `additionalPrinterColumns` of this version, as JSON (for Tables).
    pub printer_columns: Vec<Value>,
    pub subresources: Subresources,
}

type Key = (String, String, String);

static INFOS: RwLock<BTreeMap<Key, Arc<CustomInfo>>> = RwLock::new(BTreeMap::new());

/// What serving custom resource `r` needs; None for built-in resources.
pub fn info(r: &Resource) -> Option<Arc<CustomInfo>> {
    if !resources::is_custom(r) {
        return None;
    }
    INFOS
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .get(&(
            r.group.to_string(),
            r.version.to_string(),
            r.plural.to_string(),
        ))
        .cloned()
}

/// upstream's `version.CompareKubeAwareVersionStrings`: GA before beta before alpha, higher
/// numbers first, versions that do not look like Kubernetes versions last, alphabetically.
pub fn compare_versions(a: &str, b: &str) -> Ordering {
    fn parse(v: &str) -> Option<(u64, u8, u64)> {
        let rest = v.strip_prefix('v')?;
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let major: u64 = rest[..digits].parse().ok()?;
        if major == 0 {
            return None;
        }
        let tail = &rest[digits..];
        let (stage, num) = if tail.is_empty() {
            return Some((major, 2, 0));
        } else if let Some(n) = tail.strip_prefix("beta") {
            (1, n)
        } else if let Some(n) = tail.strip_prefix("alpha") {
            (0, n)
        } else {
            return None;
        };
        let minor: u64 = num.parse().ok()?;
        Some((major, stage, minor))
    }
    match (parse(a), parse(b)) {
        (Some((ma, sa, na)), Some((mb, sb, nb))) => {
            // Stage first (GA, beta, alpha), then the bigger major, then the bigger minor.
            sb.cmp(&sa).then(mb.cmp(&ma)).then(nb.cmp(&na))
        }
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => a.cmp(b),
    }
}

fn strs(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect()
}

/// Serve the resources of the established CRDs among `crds` (every CRD that exists).
pub fn install(crds: &[Value]) {
    let mut custom = Vec::new();
    let mut infos = BTreeMap::new();
    for crd in crds.iter().filter(|c| crd_schema::is_established(c)) {
        let Some(group) = crd.pointer("/spec/group").and_then(Value::as_str) else {
            continue;
        };
        let names = crd
            .pointer("/status/acceptedNames")
            .filter(|n| n.get("plural").is_some())
            .or_else(|| crd.pointer("/spec/names"));
        let Some(names) = names else { continue };
        let name = |f: &str| {
            names
                .get(f)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        let (plural, kind) = (name("plural"), name("kind"));
        if plural.is_empty() || kind.is_empty() {
            continue;
        }
        let singular = match name("singular") {
            s if s.is_empty() => kind.to_lowercase(),
            s => s,
        };
        let namespaced = crd.pointer("/spec/scope").and_then(Value::as_str) != Some("Cluster");
        let storage_version = crd_schema::storage_version(crd).unwrap_or_default();
        let mut versions = crd_schema::served_versions(crd);
        versions.sort_by(|a, b| compare_versions(a, b));
        for version in versions {
            let subresources = crd_schema::subresources(crd, &version);
            let mut subs = Vec::new();
            if subresources.status {
                subs.push("status".to_string());
            }
            if subresources.scale.is_some() {
                subs.push("scale".to_string());
            }
            custom.push(CustomResource {
                group: group.to_string(),
                version: version.clone(),
                plural: plural.clone(),
                singular: singular.clone(),
                kind: kind.clone(),
                namespaced,
                short_names: strs(names.get("shortNames")),
                categories: strs(names.get("categories")),
                subresources: subs,
            });
            let printer_columns = crd
                .pointer("/spec/versions")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .find(|v| v.get("name").and_then(Value::as_str) == Some(version.as_str()))
                .and_then(|v| v.get("additionalPrinterColumns"))
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let schema = crd_schema::structural_for_version(crd, &version).and_then(Result::ok);
            infos.insert(
                (group.to_string(), version.clone(), plural.clone()),
                Arc::new(CustomInfo {
                    crd: crd
                        .pointer("/metadata/name")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string(),
                    storage_version: storage_version.clone(),
                    schema,
                    openapi_schema: crd_schema::version_schema(crd, &version).cloned(),
                    printer_columns,
                    subresources,
                }),
            );
        }
    }
    // The infos first, then the table: a resource is found only once its info is there.
    *INFOS.write().unwrap_or_else(|e| e.into_inner()) = infos;
    resources::set_custom(&custom);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn kube_aware_version_order() {
        let mut v = vec![
            "v1alpha1",
            "v2",
            "foo",
            "v1",
            "v11alpha2",
            "v1beta1",
            "v10beta3",
            "v12alpha1",
        ];
        v.sort_by(|a, b| compare_versions(a, b));
        assert_eq!(
            v,
            [
                "v2",
                "v1",
                "v10beta3",
                "v1beta1",
                "v12alpha1",
                "v11alpha2",
                "v1alpha1",
                "foo"
            ]
        );
    }

    #[test]
    fn established_crds_are_served() {
        let mut crd = json!({
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": {"name": "widgets.example.com"},
            "spec": {
                "group": "example.com",
                "scope": "Namespaced",
                "names": {"plural": "widgets", "kind": "Widget", "shortNames": ["wd"], "categories": ["all"]},
                "versions": [
                    {"name": "v1beta1", "served": true, "storage": false,
                     "schema": {"openAPIV3Schema": {"type": "object"}}},
                    {"name": "v1", "served": true, "storage": true,
                     "subresources": {"status": {}},
                     "additionalPrinterColumns": [{"name": "Size", "type": "integer", "jsonPath": ".spec.size"}],
                     "schema": {"openAPIV3Schema": {"type": "object", "properties": {"spec": {"type": "object", "properties": {"size": {"type": "integer"}}}}}}},
                ],
            },
        });
        install(std::slice::from_ref(&crd));
        assert!(
            resources::find("example.com", "v1", "widgets").is_none(),
            "not established yet"
        );
        crd_schema::default_crd(&mut crd);
        assert!(crd_schema::accept_crd_names(
            &mut crd,
            &[],
            "2026-01-01T00:00:00Z"
        ));
        crd_schema::establish_crd(&mut crd, "2026-01-01T00:00:00Z");
        install(std::slice::from_ref(&crd));
        let r = resources::find("example.com", "v1", "widgets").expect("served");
        assert!(r.namespaced && r.has_subresource("status"));
        assert_eq!(r.key(Some("ns"), "w"), "/registry/example.com/widgets/ns/w");
        let info = info(r).unwrap();
        assert_eq!(info.storage_version, "v1");
        assert_eq!(info.printer_columns.len(), 1);
        assert!(info.schema.is_some());
        let groups = resources::group_versions();
        let (_, versions) = groups.iter().find(|(g, _)| *g == "example.com").unwrap();
        assert_eq!(versions, &["v1", "v1beta1"], "preferred version first");
        install(&[]);
        assert!(resources::find("example.com", "v1", "widgets").is_none());
    }
}
