//! Discovery documents (`/api`, `/apis`, per group and group/version) and `/version`, all
//! derived from [`crate::resources`] (built-in and custom resources).

use serde_json::{Value, json};

use crate::resources::{self, Resource};

/// The Kubernetes version this server implements.
pub const GIT_VERSION: &str = "v1.33.0";

pub fn version() -> Value {
    json!({
        "major": "1",
        "minor": "33",
        "emulationMajor": "1",
        "emulationMinor": "33",
        "minCompatibilityMajor": "1",
        "minCompatibilityMinor": "32",
        "gitVersion": GIT_VERSION,
        "gitCommit": env!("CARGO_PKG_VERSION"),
        "gitTreeState": "clean",
        "buildDate": "1970-01-01T00:00:00Z",
        "goVersion": "rust",
        "compiler": "rustc",
        "platform": format!("{}/{}", std::env::consts::OS, if std::env::consts::ARCH == "x86_64" { "amd64" } else { std::env::consts::ARCH }),
    })
}

pub fn core_versions(server_address: &str) -> Value {
    json!({
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}],
    })
}

fn group_doc(group: &str, versions: &[&str]) -> Value {
    let gvs: Vec<Value> = versions
        .iter()
        .map(|v| json!({"groupVersion": format!("{group}/{v}"), "version": v}))
        .collect();
    json!({"name": group, "versions": gvs, "preferredVersion": gvs[0].clone()})
}

pub fn group_list() -> Value {
    let groups: Vec<Value> = resources::group_versions()
        .into_iter()
        .filter(|(g, _)| !g.is_empty())
        .map(|(g, vs)| group_doc(g, &vs))
        .collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

pub fn group(name: &str) -> Option<Value> {
    let (g, vs) = resources::group_versions()
        .into_iter()
        .find(|(g, _)| *g == name && !g.is_empty())?;
    let mut doc = group_doc(g, &vs);
    doc["kind"] = json!("APIGroup");
    doc["apiVersion"] = json!("v1");
    Some(doc)
}

/// The kind, group and version a subresource speaks, and its verbs.
fn subresource(
    r: &Resource,
    sub: &str,
) -> (
    String,
    Option<(&'static str, &'static str)>,
    Vec<&'static str>,
) {
    match sub {
        "status" => (r.kind.to_string(), None, vec!["get", "patch", "update"]),
        "scale" => (
            "Scale".into(),
            Some(("autoscaling", "v1")),
            vec!["get", "patch", "update"],
        ),
        "binding" => ("Binding".into(), None, vec!["create"]),
        "eviction" => ("Eviction".into(), Some(("policy", "v1")), vec!["create"]),
        "log" => ("Pod".into(), None, vec!["get"]),
        "exec" => ("PodExecOptions".into(), None, vec!["create", "get"]),
        "attach" => ("PodAttachOptions".into(), None, vec!["create", "get"]),
        "portforward" => ("PodPortForwardOptions".into(), None, vec!["create", "get"]),
        "proxy" => (
            format!("{}ProxyOptions", r.kind),
            None,
            vec!["create", "delete", "get", "patch", "update"],
        ),
        "token" => (
            "TokenRequest".into(),
            Some(("authentication.k8s.io", "v1")),
            vec!["create"],
        ),
        "finalize" => (r.kind.to_string(), None, vec!["update"]),
        "ephemeralcontainers" | "resize" => {
            (r.kind.to_string(), None, vec!["get", "patch", "update"])
        }
        _ => (r.kind.to_string(), None, vec!["get"]),
    }
}

/// `APIResourceList` for one group/version; `None` if it is not served.
pub fn resource_list(group: &str, version: &str) -> Option<Value> {
    let mut list = Vec::new();
    for r in resources::all()
        .into_iter()
        .filter(|r| r.group == group && r.version == version)
    {
        let mut doc = json!({
            "name": r.plural,
            "singularName": r.singular,
            "namespaced": r.namespaced,
            "kind": r.kind,
            "verbs": r.verbs,
        });
        if !r.short_names.is_empty() {
            doc["shortNames"] = json!(r.short_names);
        }
        if !r.categories.is_empty() {
            doc["categories"] = json!(r.categories);
        }
        list.push(doc);
        for sub in r.subresources {
            let (kind, gv, verbs) = subresource(r, sub);
            let mut doc = json!({
                "name": format!("{}/{sub}", r.plural),
                "singularName": "",
                "namespaced": r.namespaced,
                "kind": kind,
                "verbs": verbs,
            });
            if let Some((g, v)) = gv {
                doc["group"] = json!(g);
                doc["version"] = json!(v);
            }
            list.push(doc);
        }
    }
    if list.is_empty() {
        return None;
    }
    let gv = if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    };
    Some(
        json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": list}),
    )
}

/// The media type of aggregated discovery (`apidiscovery.k8s.io/v2`).
pub const AGGREGATED_V2: &str =
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

/// Whether an `Accept` header asks for aggregated discovery in JSON (v2; v2beta1 is no longer
/// served in 1.33, so clients asking only for it get the legacy documents, as upstream).
pub fn wants_aggregated(accept: &str) -> bool {
    accept.split(',').any(|part| {
        let params: Vec<&str> = part.split(';').map(str::trim).collect();
        params.first() == Some(&"application/json")
            && params.contains(&"g=apidiscovery.k8s.io")
            && params.contains(&"v=v2")
            && params.contains(&"as=APIGroupDiscoveryList")
    })
}

fn gvk(group: &str, version: &str, kind: &str) -> Value {
    json!({"group": group, "version": version, "kind": kind})
}

/// One resource in aggregated discovery (`APIResourceDiscovery`).
fn resource_discovery(r: &Resource) -> Value {
    let mut doc = json!({
        "resource": r.plural,
        "responseKind": gvk(r.group, r.version, r.kind),
        "scope": if r.namespaced { "Namespaced" } else { "Cluster" },
        "singularResource": r.singular,
        "verbs": r.verbs,
    });
    if !r.short_names.is_empty() {
        doc["shortNames"] = json!(r.short_names);
    }
    if !r.categories.is_empty() {
        doc["categories"] = json!(r.categories);
    }
    let subs: Vec<Value> = r
        .subresources
        .iter()
        .map(|sub| {
            let (kind, gv, verbs) = subresource(r, sub);
            let (g, v) = gv.unwrap_or((r.group, r.version));
            json!({"subresource": sub, "responseKind": gvk(g, v, &kind), "verbs": verbs})
        })
        .collect();
    if !subs.is_empty() {
        doc["subresources"] = Value::Array(subs);
    }
    doc
}

/// The aggregated discovery document (`APIGroupDiscoveryList`) of `/api` (`core`: the legacy
/// group alone) or `/apis` (every named group, versions in preference order).
pub fn aggregated(core: bool) -> Value {
    let all = resources::all();
    let items: Vec<Value> = resources::group_versions()
        .into_iter()
        .filter(|(g, _)| g.is_empty() == core)
        .map(|(g, versions)| {
            let versions: Vec<Value> = versions
                .iter()
                .map(|v| {
                    let resources: Vec<Value> = all
                        .iter()
                        .filter(|r| r.group == g && r.version == *v)
                        .map(|r| resource_discovery(r))
                        .collect();
                    json!({"version": v, "resources": resources, "freshness": "Current"})
                })
                .collect();
            let metadata = if g.is_empty() {
                json!({"creationTimestamp": null})
            } else {
                json!({"name": g, "creationTimestamp": null})
            };
            json!({"metadata": metadata, "versions": versions})
        })
        .collect();
    json!({
        "kind": "APIGroupDiscoveryList",
        "apiVersion": "apidiscovery.k8s.io/v2",
        "metadata": {},
        "items": items,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents() {
        let core = resource_list("", "v1").unwrap();
        let pods = core["resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == "pods")
            .unwrap();
        assert_eq!(pods["shortNames"], json!(["po"]));
        assert_eq!(pods["categories"], json!(["all"]));
        assert!(
            core["resources"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["name"] == "pods/status")
        );
        let groups = group_list();
        assert!(
            groups["groups"]
                .as_array()
                .unwrap()
                .iter()
                .any(|g| g["name"] == "apps")
        );
        assert_eq!(
            group("autoscaling").unwrap()["preferredVersion"]["version"],
            "v2"
        );
        assert!(resource_list("nope", "v1").is_none());
    }

    #[test]
    fn aggregated_documents() {
        assert!(wants_aggregated(
            "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json"
        ));
        assert!(!wants_aggregated("application/json, */*"));
        let core = aggregated(true);
        assert_eq!(core["items"].as_array().unwrap().len(), 1);
        let v1 = &core["items"][0]["versions"][0];
        assert_eq!(v1["version"], "v1");
        let pods = v1["resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["resource"] == "pods")
            .unwrap();
        assert_eq!(pods["scope"], "Namespaced");
        assert_eq!(
            pods["responseKind"],
            json!({"group": "", "version": "v1", "kind": "Pod"})
        );
        assert!(
            pods["subresources"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["subresource"] == "eviction" && s["responseKind"]["group"] == "policy")
        );
        let groups = aggregated(false);
        let apps = groups["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["metadata"]["name"] == "apps")
            .unwrap();
        let deploy = apps["versions"][0]["resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["resource"] == "deployments")
            .unwrap();
        assert_eq!(deploy["categories"], json!(["all"]));
        let scale = deploy["subresources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["subresource"] == "scale")
            .unwrap();
        assert_eq!(
            scale["responseKind"],
            json!({"group": "autoscaling", "version": "v1", "kind": "Scale"})
        );
        let autoscaling = groups["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["metadata"]["name"] == "autoscaling")
            .unwrap();
        assert_eq!(autoscaling["versions"][0]["version"], "v2");
    }
}
