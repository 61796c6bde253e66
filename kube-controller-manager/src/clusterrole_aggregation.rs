//! The clusterrole-aggregation controller: a ClusterRole with an `aggregationRule` holds the
//! rules of every ClusterRole its selectors match (how admin, edit and view gather the
//! `aggregate-to-*` roles, and any a user adds).
//!
//! Not here: RBAC evaluation (the API server's).

use std::collections::BTreeMap;

use futures::StreamExt;
use k8s_openapi::api::rbac::v1::{ClusterRole, PolicyRule};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use kube::api::{Api, Patch, PatchParams};
use kube::runtime::watcher::{self, Event};
use kube::runtime::{WatchStreamExt, reflector};

/// Watch through `informers`, write through `client`.
pub async fn run(informers: kube::Client, client: kube::Client) {
    let api: Api<ClusterRole> = Api::all(client);
    let (reader, writer) = reflector::store();
    let watched: Api<ClusterRole> = Api::all(informers);
    let mut events = reflector::reflector(
        writer,
        watcher::watcher(watched, watcher::Config::default()),
    )
    .default_backoff()
    .boxed();
    let mut synced = false;
    while let Some(ev) = events.next().await {
        match ev {
            Ok(Event::InitDone) => synced = true,
            Ok(Event::Init | Event::InitApply(_)) => continue,
            Ok(_) => {}
            Err(err) => {
                tracing::warn!(%err, "clusterrole-aggregation watch");
                continue;
            }
        }
        if !synced {
            continue;
        }
        let roles: Vec<ClusterRole> = reader.state().iter().map(|r| (**r).clone()).collect();
        for (name, rules) in aggregate(&roles) {
            let patch = serde_json::json!({"rules": rules});
            if let Err(err) = api
                .patch(&name, &PatchParams::default(), &Patch::Merge(&patch))
                .await
            {
                tracing::warn!(%err, role = name, "aggregating cluster role");
            }
        }
    }
}

/// For each ClusterRole with an aggregationRule whose rules differ from what its selectors
/// gather: its name and the gathered rules (roles in name order, their rules in order, each
/// rule once).
pub fn aggregate(roles: &[ClusterRole]) -> Vec<(String, Vec<PolicyRule>)> {
    let mut sorted: Vec<&ClusterRole> = roles.iter().collect();
    sorted.sort_by(|a, b| a.metadata.name.cmp(&b.metadata.name));
    let mut out = Vec::new();
    for role in &sorted {
        let Some(rule) = &role.aggregation_rule else {
            continue;
        };
        let selectors = rule.cluster_role_selectors.clone().unwrap_or_default();
        let mut rules: Vec<PolicyRule> = Vec::new();
        for selector in &selectors {
            for other in &sorted {
                if other.metadata.name == role.metadata.name
                    || !matches(selector, other.metadata.labels.as_ref())
                {
                    continue;
                }
                for r in other.rules.iter().flatten() {
                    if !rules.contains(r) {
                        rules.push(r.clone());
                    }
                }
            }
        }
        if role.rules.clone().unwrap_or_default() != rules {
            out.push((role.metadata.name.clone().unwrap_or_default(), rules));
        }
    }
    out
}

/// Whether `labels` satisfy a label selector (matchLabels and matchExpressions).
pub fn matches(selector: &LabelSelector, labels: Option<&BTreeMap<String, String>>) -> bool {
    let empty = BTreeMap::new();
    let labels = labels.unwrap_or(&empty);
    let has_terms = selector
        .match_labels
        .as_ref()
        .is_some_and(|m| !m.is_empty())
        || selector
            .match_expressions
            .as_ref()
            .is_some_and(|e| !e.is_empty());
    if !has_terms {
        // An empty selector matches everything, as upstream's LabelSelectorAsSelector.
        return true;
    }
    for (k, v) in selector.match_labels.iter().flatten() {
        if labels.get(k) != Some(v) {
            return false;
        }
    }
    for e in selector.match_expressions.iter().flatten() {
        let values = e.values.clone().unwrap_or_default();
        let value = labels.get(&e.key);
        let ok = match e.operator.as_str() {
            "In" => value.is_some_and(|v| values.contains(v)),
            "NotIn" => value.is_none_or(|v| !values.contains(v)),
            "Exists" => value.is_some(),
            "DoesNotExist" => value.is_none(),
            _ => false,
        };
        if !ok {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::rbac::v1::AggregationRule;

    fn role(name: &str, labels: &[(&str, &str)], verbs: &[&str]) -> ClusterRole {
        ClusterRole {
            metadata: kube::api::ObjectMeta {
                name: Some(name.into()),
                labels: Some(
                    labels
                        .iter()
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .collect(),
                ),
                ..Default::default()
            },
            rules: Some(vec![PolicyRule {
                verbs: verbs.iter().map(|v| v.to_string()).collect(),
                api_groups: Some(vec!["".into()]),
                resources: Some(vec!["pods".into()]),
                ..Default::default()
            }]),
            ..Default::default()
        }
    }

    #[test]
    fn gathers_matching_roles_once_in_name_order() {
        let mut view = role("view", &[], &[]);
        view.rules = None;
        view.aggregation_rule = Some(AggregationRule {
            cluster_role_selectors: Some(vec![LabelSelector {
                match_labels: Some(BTreeMap::from([(
                    "rbac.authorization.k8s.io/aggregate-to-view".to_string(),
                    "true".to_string(),
                )])),
                ..Default::default()
            }]),
        });
        let to_view = [("rbac.authorization.k8s.io/aggregate-to-view", "true")];
        let roles = vec![
            view.clone(),
            role("b-extra", &to_view, &["get"]),
            role("a-first", &to_view, &["list"]),
            role("c-same", &to_view, &["get"]),
            role("unrelated", &[], &["delete"]),
        ];
        let out = aggregate(&roles);
        assert_eq!(out.len(), 1);
        let (name, rules) = &out[0];
        assert_eq!(name, "view");
        let verbs: Vec<&str> = rules.iter().map(|r| r.verbs[0].as_str()).collect();
        assert_eq!(verbs, ["list", "get"]);
        // Once written, nothing more to do.
        view.rules = Some(rules.clone());
        let roles = vec![
            view,
            role("a-first", &to_view, &["list"]),
            role("b-extra", &to_view, &["get"]),
        ];
        assert!(aggregate(&roles).is_empty());
    }

    #[test]
    fn selector_expressions() {
        let labels = BTreeMap::from([("a".to_string(), "1".to_string())]);
        let sel = |op: &str, values: &[&str]| LabelSelector {
            match_expressions: Some(vec![
                k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelectorRequirement {
                    key: "a".into(),
                    operator: op.into(),
                    values: Some(values.iter().map(|v| v.to_string()).collect()),
                },
            ]),
            ..Default::default()
        };
        assert!(matches(&sel("In", &["1", "2"]), Some(&labels)));
        assert!(!matches(&sel("NotIn", &["1"]), Some(&labels)));
        assert!(matches(&sel("Exists", &[]), Some(&labels)));
        assert!(!matches(&sel("DoesNotExist", &[]), Some(&labels)));
        assert!(matches(&LabelSelector::default(), None));
    }
}
