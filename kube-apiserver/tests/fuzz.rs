//! Property-based fuzzing of what the apiserver does with client input before anything is
//! stored: body decoding (typed round trip through k8s-openapi, protobuf), defaulting and
//! validation, the three patch formats, server-side apply, CustomResourceDefinitions and
//! custom resources against random schemas, and selector parsing. Inputs are
//! valid objects of the common kinds with random subtrees replaced by random JSON, plus raw
//! random bytes and strings. The property is the one a client relies on: every input gets an
//! answer (a value or an error), never a panic.
//!
//! `PROPTEST_CASES` sets the number of cases per property (CI runs the default, 256); a long
//! run is recorded in docs/ARCHITECTURE.md.

use kube_apiserver::{
    crd_schema, defaults, managed_fields, patch, protobuf, scheme, selectors, validation,
};
use proptest::prelude::*;
use serde_json::{Value, json};

/// Valid objects of the kinds most requests carry, as the seeds of mutation.
fn seeds() -> Vec<(&'static str, &'static str, Value)> {
    let template = json!({
        "metadata": {"labels": {"app": "web"}},
        "spec": {
            "containers": [{
                "name": "c",
                "image": "nginx:1.25",
                "ports": [{"containerPort": 80, "protocol": "TCP"}],
                "env": [{"name": "A", "value": "1"}],
                "resources": {"limits": {"cpu": "500m", "memory": "64Mi"}},
                "readinessProbe": {"httpGet": {"path": "/", "port": 80}},
            }],
            "volumes": [{"name": "v", "emptyDir": {}}],
            "tolerations": [{"key": "k", "operator": "Exists"}],
        },
    });
    vec![
        (
            "v1",
            "Pod",
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "default", "labels": {"app": "web"}}, "spec": template["spec"].clone()}),
        ),
        (
            "apps/v1",
            "Deployment",
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}, "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}}, "template": template.clone()}}),
        ),
        (
            "v1",
            "Service",
            json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": 8080}]}}),
        ),
        (
            "v1",
            "ConfigMap",
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm"}, "data": {"a": "b"}}),
        ),
        (
            "batch/v1",
            "Job",
            json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"}, "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": template["spec"]["containers"].clone()}}}}),
        ),
        (
            "autoscaling/v2",
            "HorizontalPodAutoscaler",
            json!({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "h"}, "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "d"}, "maxReplicas": 3}}),
        ),
    ]
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        "[a-zA-Z0-9:/._$ -]{0,12}".prop_map(Value::from),
        prop_oneof![
            Just("$patch"),
            Just("replace"),
            Just("delete"),
            Just("merge"),
            Just("name"),
            Just("100Mi"),
            Just("TCP"),
            Just("Always"),
        ]
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    "[a-zA-Z]{1,8}",
                    Just("$patch".to_string()),
                    Just("$retainKeys".to_string()),
                    Just("$setElementOrder/containers".to_string()),
                    Just("$deleteFromPrimitiveList/finalizers".to_string()),
                    Just("name".to_string()),
                    Just("metadata".to_string()),
                    Just("spec".to_string()),
                    Just("containers".to_string()),
                ],
                inner,
                0..4,
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// OpenAPI v3 schemas as CRDs write them (mostly structural, sometimes not).
fn arb_schema() -> impl Strategy<Value = Value> {
    let ty = prop_oneof![
        Just("object"),
        Just("string"),
        Just("integer"),
        Just("number"),
        Just("boolean"),
        Just("array"),
        Just(""),
    ];
    let leaf = (ty, arb_json(), any::<bool>(), any::<u8>()).prop_map(|(ty, extra, flag, n)| {
        let mut s = json!({});
        if !ty.is_empty() {
            s["type"] = json!(ty);
        }
        match n % 8 {
            0 => s["default"] = extra,
            1 => s["enum"] = json!([extra, "a"]),
            2 => s["minimum"] = json!(n),
            3 => s["maxLength"] = json!(n % 5),
            4 => s["pattern"] = json!(["^[a-z]+$", "(", "\\d{2,}"][usize::from(n) % 3]),
            5 => s["x-kubernetes-int-or-string"] = json!(flag),
            6 => s["nullable"] = json!(flag),
            _ => s["format"] = json!(["date-time", "int32", "byte", "uuid"][usize::from(n) % 4]),
        }
        s
    });
    leaf.prop_recursive(4, 24, 4, |inner| {
        (
            prop::collection::btree_map("[a-z]{1,6}", inner.clone(), 0..4),
            inner,
            any::<u8>(),
        )
            .prop_map(|(props, items, n)| match n % 4 {
                0 => json!({"type": "array", "items": items,
                            "x-kubernetes-list-type": (["atomic", "set", "map"][usize::from(n) % 3]),
                            "x-kubernetes-list-map-keys": ["name"]}),
                1 => json!({"type": "object", "additionalProperties": items}),
                2 => json!({"type": "object", "x-kubernetes-preserve-unknown-fields": true, "properties": props}),
                _ => json!({"type": "object", "properties": props, "required": ["spec", "a"]}),
            })
    })
}

/// Every JSON pointer in `v`.
fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
    out.push(at.clone());
    match v {
        Value::Object(m) => {
            for (k, c) in m {
                pointers(
                    c,
                    format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
        Value::Array(a) => {
            for (i, c) in a.iter().enumerate() {
                pointers(c, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// A seed with up to three random subtrees replaced.
fn arb_object() -> impl Strategy<Value = (&'static str, &'static str, Value)> {
    (
        0..seeds().len(),
        prop::collection::vec((any::<prop::sample::Index>(), arb_json()), 0..3),
    )
        .prop_map(|(i, mutations)| {
            let (api_version, kind, mut obj) = seeds().swap_remove(i);
            for (at, value) in mutations {
                let mut ptrs = Vec::new();
                pointers(&obj, String::new(), &mut ptrs);
                let p = at.get(&ptrs).clone();
                if p.is_empty() {
                    continue;
                }
                if let Some(slot) = obj.pointer_mut(&p) {
                    *slot = value;
                }
            }
            (api_version, kind, obj)
        })
}

fn arb_json_patch() -> impl Strategy<Value = Value> {
    let op = (
        prop_oneof![
            Just("add"),
            Just("remove"),
            Just("replace"),
            Just("move"),
            Just("copy"),
            Just("test"),
            Just("bogus")
        ],
        prop_oneof![
            Just("/spec/containers/0/image".to_string()),
            Just("/spec/containers/-".to_string()),
            Just("/metadata/labels/a~1b".to_string()),
            Just("/spec/replicas".to_string()),
            Just("/spec/containers/99".to_string()),
            Just("".to_string()),
            "(/[a-z0-9~-]{0,6}){0,4}",
        ],
        arb_json(),
    )
        .prop_map(|(op, path, value)| {
            json!({"op": op, "path": path, "from": "/metadata/labels", "value": value})
        });
    prop_oneof![
        prop::collection::vec(op, 0..5).prop_map(Value::Array),
        arb_json(),
    ]
}

/// Decoding, defaulting and validation of a create, as the registry runs them.
fn admit(api_version: &str, kind: &str, obj: &Value) {
    if let Ok((mut typed, _unknown)) = scheme::roundtrip(api_version, kind, obj) {
        defaults::apply_defaults(api_version, kind, &mut typed);
        let errors = validation::validate_create(api_version, kind, &typed);
        let _ = validation::invalid_message(kind, "x", &errors);
        let _ = validation::validate_update(api_version, kind, &typed, obj);
    }
}

proptest! {
    #[test]
    fn admission_answers_every_body((api_version, kind, obj) in arb_object()) {
        admit(api_version, kind, &obj);
    }

    #[test]
    fn json_patches_answer((api_version, kind, obj) in arb_object(), p in arb_json_patch()) {
        if let Ok(patched) = patch::json_patch(&obj, &p) {
            admit(api_version, kind, &patched);
        }
    }

    #[test]
    fn merge_and_strategic_patches_answer((api_version, kind, obj) in arb_object(), p in arb_json()) {
        let merged = patch::merge_patch(&obj, &p);
        admit(api_version, kind, &merged);
        if let Ok(patched) = patch::strategic_merge_patch(api_version, kind, &obj, &p) {
            admit(api_version, kind, &patched);
        }
    }

    #[test]
    fn server_side_apply_answers(
        (api_version, kind, live) in arb_object(),
        (_, _, applied) in arb_object(),
        force in any::<bool>(),
    ) {
        let op = managed_fields::Operation {
            manager: "fuzz",
            api_version,
            kind,
            subresource: None,
            now: "2026-01-01T00:00:00Z",
        };
        let types: Box<dyn managed_fields::TypeInfo> =
            match managed_fields::BuiltinTypes::new(api_version, kind) {
                Some(t) => Box::new(t),
                None => Box::new(managed_fields::DeducedTypes { status_subresource: true }),
            };
        if let Ok(mut merged) = managed_fields::apply(Some(&live), &applied, force, &op, types.as_ref()) {
            managed_fields::update(Some(&live), &mut merged, &op, types.as_ref());
        }
        let mut created = applied.clone();
        managed_fields::update(None, &mut created, &op, types.as_ref());
    }

    #[test]
    fn custom_resource_definitions_answer(
        schema in prop_oneof![arb_schema(), arb_json()],
        (_, _, obj) in arb_object(),
        mutation in arb_json(),
    ) {
        let mut crd = json!({
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": {"name": "things.example.com"},
            "spec": {
                "group": "example.com",
                "scope": "Namespaced",
                "names": {"plural": "things", "kind": "Thing"},
                "versions": [{"name": "v1", "served": true, "storage": true,
                              "schema": {"openAPIV3Schema": schema.clone()}}],
            },
        });
        crd_schema::default_crd(&mut crd);
        let _ = crd_schema::validate_crd(&crd, None);
        let mut changed = crd.clone();
        changed["spec"]["versions"][0]["schema"]["openAPIV3Schema"] = mutation;
        let _ = crd_schema::validate_crd(&changed, Some(&crd));
        if let Ok(s) = crd_schema::Structural::from_value(&schema) {
            let mut o = obj.clone();
            let _ = crd_schema::prune(&s, &mut o);
            crd_schema::apply_defaults(&s, &mut o);
            let _ = crd_schema::validate(&s, &o);
            let _ = crd_schema::validate_update(&s, &o, &obj);
        }
    }

    #[test]
    fn protobuf_bodies_answer(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = protobuf::decode(&bytes);
        let mut framed = b"k8s\x00".to_vec();
        framed.extend_from_slice(&bytes);
        let _ = protobuf::decode(&framed);
    }

    #[test]
    fn selectors_answer(s in "[a-z0-9=!(),. _/-]{0,40}|\\PC{0,20}") {
        let _ = selectors::LabelSelector::parse(&s);
        let _ = selectors::FieldSelector::parse(&s);
    }

    #[test]
    fn label_selector_objects_answer(v in arb_json()) {
        let _ = selectors::label_selector_from_json(&v);
    }
}
