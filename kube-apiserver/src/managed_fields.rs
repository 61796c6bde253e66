//! Server-side apply and `metadata.managedFields` tracking, as upstream Kubernetes 1.33 does it.
//!
//! This mirrors two upstream packages:
//! - `sigs.k8s.io/structured-merge-diff/v4` (v4.6.0, the version 1.33 uses): field paths and
//!   field sets with their `fieldsV1` encoding (`fieldpath`), the typed walks over objects
//!   (`typed`: to-field-set, merge, compare, remove) and the apply/update algorithm with its
//!   conflicts and pruning of fields an applier stopped applying (`merge`).
//! - `k8s.io/apimachinery/pkg/util/managedfields/internal` (v0.33): the manager stack around it:
//!   apply version check, the kubectl client-side-apply upgrade (`last-applied-configuration`),
//!   `before-first-apply`, capping Update managers at 10 into `ancient-changes` buckets, manager
//!   identifiers, operation timestamps, stripping of identity metadata, fields reset per
//!   subresource, managedFields decode/encode/ordering, the reset rule for managedFields sent by
//!   a client, conflict errors; plus `scalehandler.go` for the `scale` subresource and the
//!   handlers' rule that derives a manager name from the User-Agent.
//!
//! Objects are `serde_json::Value`s in their stored JSON form. What upstream takes from OpenAPI
//! comes from a [`TypeInfo`]: list semantics (`x-kubernetes-list-type`, `...-list-map-keys`, or
//! `patchStrategy: merge` without them), atomic maps/structs, default values of list keys and the
//! fields Go's typed objects always carry (non-pointer structs, fields without `omitempty`).
//! [`BuiltinTypes`] has those facts for the built-in kinds, extracted from the Go types of
//! k8s.io/api, apimachinery, apiextensions-apiserver and kube-aggregator v0.33.0;
//! [`DeducedTypes`] is upstream's schema-less behaviour (custom resources without a schema).
//!
//! Not done here: conversion between API versions (managers recorded at another version are
//! compared on the same object), reconciliation of old field sets after schema changes, scalar
//! type validation, unions, defaulting (the caller defaults what [`apply`] returns, and gives
//! [`update`] defaulted objects), and apply through the `scale` subresource. The `time` of an
//! entry is the caller's clock (`now`, RFC 3339); times are written back in UTC seconds.

use serde_json::{Map, Number, Value};
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt;

use crate::gofmt::{self, Json, Num, is_print, num, quote_graphic};

/// Upstream `DefaultMaxUpdateManagers`: Update managers beyond this are merged into buckets.
pub const MAX_UPDATE_MANAGERS: usize = 10;
/// Name of the bucket that collects the oldest Update managers beyond [`MAX_UPDATE_MANAGERS`].
pub const ANCIENT_CHANGES: &str = "ancient-changes";
/// Manager that owns what an object held before its first apply.
pub const BEFORE_FIRST_APPLY: &str = "before-first-apply";
/// The kubectl client-side apply annotation.
pub const LAST_APPLIED_ANNOTATION: &str = "kubectl.kubernetes.io/last-applied-configuration";
/// Upstream `FieldManagerMaxLength`.
pub const FIELD_MANAGER_MAX_LENGTH: usize = 128;
/// Upstream limit on the total size of an object's annotations.
const TOTAL_ANNOTATION_SIZE_LIMIT: usize = 256 * 1024;
/// Manager name upstream uses internally for the changes of the current update.
const CURRENT_OPERATION: &str = "current-operation";

// ---------------------------------------------------------------------------------------------
// Values: upstream `value.Equals`, `value.Compare`, `value.ToString` and JSON writing.
// ---------------------------------------------------------------------------------------------

fn float_cmp(l: f64, r: f64) -> Ordering {
    l.partial_cmp(&r).unwrap_or(Ordering::Equal)
}

/// Rank of a value's kind in upstream's order: numbers, strings, bools, lists, maps, null.
fn kind_rank(v: &Value) -> u8 {
    match v {
        Value::Number(_) => 0,
        Value::String(_) => 1,
        Value::Bool(_) => 2,
        Value::Array(_) => 3,
        Value::Object(_) => 4,
        Value::Null => 5,
    }
}

/// Upstream `value.Compare`: a total order, numbers compared numerically across int/float.
fn value_cmp(l: &Value, r: &Value) -> Ordering {
    match (l, r) {
        (Value::Number(a), Value::Number(b)) => match (num(a), num(b)) {
            (Num::Int(x), Num::Int(y)) => x.cmp(&y),
            (x, y) => float_cmp(x.as_f64(), y.as_f64()),
        },
        (Value::String(a), Value::String(b)) => a.as_bytes().cmp(b.as_bytes()),
        (Value::Bool(a), Value::Bool(b)) => a.cmp(b),
        (Value::Array(a), Value::Array(b)) => {
            for (x, y) in a.iter().zip(b.iter()) {
                let c = value_cmp(x, y);
                if c != Ordering::Equal {
                    return c;
                }
            }
            a.len().cmp(&b.len())
        }
        (Value::Object(a), Value::Object(b)) => {
            let mut ak: Vec<&String> = a.keys().collect();
            let mut bk: Vec<&String> = b.keys().collect();
            ak.sort();
            bk.sort();
            for (x, y) in ak.iter().zip(bk.iter()) {
                let c = x.as_bytes().cmp(y.as_bytes());
                if c != Ordering::Equal {
                    return c;
                }
                let c = value_cmp(&a[x.as_str()], &b[y.as_str()]);
                if c != Ordering::Equal {
                    return c;
                }
            }
            ak.len().cmp(&bk.len())
        }
        (Value::Null, Value::Null) => Ordering::Equal,
        _ => kind_rank(l).cmp(&kind_rank(r)),
    }
}

/// Upstream `value.Equals`.
fn value_eq(l: &Value, r: &Value) -> bool {
    match (l, r) {
        (Value::Number(a), Value::Number(b)) => match (num(a), num(b)) {
            (Num::Int(x), Num::Int(y)) => x == y,
            (x, y) => x.as_f64() == y.as_f64(),
        },
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| value_eq(x, y))
        }
        (Value::Object(a), Value::Object(b)) => {
            a.len() == b.len()
                && a.iter()
                    .all(|(k, x)| b.get(k).is_some_and(|y| value_eq(x, y)))
        }
        _ => l == r,
    }
}

/// Upstream `value.ToString` (used in path strings such as `[name="c"]`).
fn value_to_string(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => match num(n) {
            // The pattern matches -0.0 too: Go's `%v` prints it `-0`, this writes `0` as it always
            // has.
            Num::Float(0.0) => "0".into(),
            n => n.to_string(),
        },
        Value::String(s) => quote_graphic(s),
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(value_to_string).collect();
            format!("[{}]", parts.join(","))
        }
        Value::Object(m) => m
            .iter()
            .map(|(k, v)| format!("{k}={}", value_to_string(v)))
            .collect::<Vec<_>>()
            .join(""),
    }
}

/// Go `encoding/json` of an unstructured value: keys sorted, HTML-safe strings (escaped as
/// before Go 1.22).
fn go_json(v: &Value) -> String {
    gofmt::json(v, Json::GoBefore122)
}

/// Numbers read back from `fieldsV1` are float64 upstream (json-iterator's `Read`).
fn floats_from_json(v: Value) -> Value {
    match v {
        Value::Number(n) => Number::from_f64(n.as_f64().unwrap_or(0.0))
            .map(Value::Number)
            .unwrap_or(Value::Null),
        Value::Array(items) => Value::Array(items.into_iter().map(floats_from_json).collect()),
        Value::Object(m) => Value::Object(
            m.into_iter()
                .map(|(k, v)| (k, floats_from_json(v)))
                .collect(),
        ),
        other => other,
    }
}

// ---------------------------------------------------------------------------------------------
// Field paths (upstream `fieldpath.PathElement`, `fieldpath.Path`).
// ---------------------------------------------------------------------------------------------

/// One step of a field path.
#[derive(Clone, Debug)]
pub enum PathElement {
    /// A field of a map or struct: `f:<name>`, printed `.name`.
    Field(String),
    /// An item of a list keyed by fields (`x-kubernetes-list-type: map`), the key fields sorted
    /// by name: `k:{"name":"c"}`, printed `[name="c"]`.
    Key(Vec<(String, Value)>),
    /// An item of a set of scalars: `v:"x"`, printed `[="x"]`.
    Value(Value),
    /// An item of a list by position: `i:0`, printed `[0]`.
    Index(i64),
}

impl PathElement {
    /// A field element.
    pub fn field(name: &str) -> Self {
        PathElement::Field(name.to_string())
    }

    /// A key element; the fields are sorted by name as upstream does.
    pub fn key<K: Into<String>>(fields: impl IntoIterator<Item = (K, Value)>) -> Self {
        let mut fields: Vec<(String, Value)> =
            fields.into_iter().map(|(k, v)| (k.into(), v)).collect();
        fields.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        PathElement::Key(fields)
    }

    fn rank(&self) -> u8 {
        match self {
            PathElement::Field(_) => 0,
            PathElement::Key(_) => 1,
            PathElement::Value(_) => 2,
            PathElement::Index(_) => 3,
        }
    }

    /// Upstream `PathElement.Compare`: fields, then keys, values and indexes.
    pub fn compare(&self, other: &PathElement) -> Ordering {
        match (self, other) {
            (PathElement::Field(a), PathElement::Field(b)) => a.as_bytes().cmp(b.as_bytes()),
            (PathElement::Key(a), PathElement::Key(b)) => {
                for (x, y) in a.iter().zip(b.iter()) {
                    let c = x.0.as_bytes().cmp(y.0.as_bytes());
                    if c != Ordering::Equal {
                        return c;
                    }
                    let c = value_cmp(&x.1, &y.1);
                    if c != Ordering::Equal {
                        return c;
                    }
                }
                a.len().cmp(&b.len())
            }
            (PathElement::Value(a), PathElement::Value(b)) => value_cmp(a, b),
            (PathElement::Index(a), PathElement::Index(b)) => a.cmp(b),
            _ => self.rank().cmp(&other.rank()),
        }
    }

    /// The `fieldsV1` form: `f:name`, `k:{...}`, `v:...`, `i:n`.
    pub fn serialize(&self) -> String {
        let mut out = String::new();
        match self {
            PathElement::Field(name) => {
                out.push_str("f:");
                out.push_str(name);
            }
            PathElement::Key(fields) => {
                out.push_str("k:{");
                for (i, (name, value)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    gofmt::write_json_string(&mut out, name, Json::Jsoniter);
                    out.push(':');
                    gofmt::write_json(&mut out, value, Json::Jsoniter);
                }
                out.push('}');
            }
            PathElement::Value(value) => {
                out.push_str("v:");
                gofmt::write_json(&mut out, value, Json::Jsoniter);
            }
            PathElement::Index(i) => {
                out.push_str("i:");
                out.push_str(&i.to_string());
            }
        }
        out
    }

    /// Parses the `fieldsV1` form. `Ok(None)` for an unknown element type, which upstream
    /// ignores.
    pub fn deserialize(s: &str) -> Result<Option<PathElement>, String> {
        let b = s.as_bytes();
        if b.len() < 2 {
            return Err("key must be 2 characters long:".into());
        }
        if b[1] != b':' {
            return Err(format!("missing colon: {s}"));
        }
        let rest = &s[2..];
        match b[0] {
            b'f' => Ok(Some(PathElement::Field(rest.to_string()))),
            b'v' => {
                let v: Value = serde_json::from_str(rest).map_err(|e| e.to_string())?;
                Ok(Some(PathElement::Value(floats_from_json(v))))
            }
            b'k' => {
                let v: Value = serde_json::from_str(rest).map_err(|e| e.to_string())?;
                let Value::Object(m) = floats_from_json(v) else {
                    return Err(format!("expected an object of key fields: {rest}"));
                };
                Ok(Some(PathElement::key(m)))
            }
            b'i' => rest
                .parse::<i64>()
                .map(|i| Some(PathElement::Index(i)))
                .map_err(|e| format!("strconv.Atoi: parsing {}: {e}", quote_graphic(rest))),
            _ => Ok(None),
        }
    }
}

impl PartialEq for PathElement {
    fn eq(&self, other: &Self) -> bool {
        self.compare(other) == Ordering::Equal
    }
}

impl Eq for PathElement {}

impl PartialOrd for PathElement {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for PathElement {
    fn cmp(&self, other: &Self) -> Ordering {
        self.compare(other)
    }
}

impl fmt::Display for PathElement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PathElement::Field(name) => write!(f, ".{name}"),
            PathElement::Key(fields) => {
                let parts: Vec<String> = fields
                    .iter()
                    .map(|(k, v)| format!("{k}={}", value_to_string(v)))
                    .collect();
                write!(f, "[{}]", parts.join(","))
            }
            PathElement::Value(v) => write!(f, "[={}]", value_to_string(v)),
            PathElement::Index(i) => write!(f, "[{i}]"),
        }
    }
}

/// A path as upstream prints it: `.spec.containers[name="c"].image`.
pub fn path_string(path: &[PathElement]) -> String {
    path.iter().map(ToString::to_string).collect()
}

// ---------------------------------------------------------------------------------------------
// Field sets (upstream `fieldpath.Set`) and their `fieldsV1` encoding.
// ---------------------------------------------------------------------------------------------

/// A set of field paths, as a tree: `members` are paths ending here, `children` go deeper.
/// Both are kept sorted in upstream's path element order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Set {
    members: Vec<PathElement>,
    children: Vec<(PathElement, Set)>,
}

impl Set {
    /// The empty set.
    pub fn new() -> Self {
        Set::default()
    }

    /// A set of the given paths.
    pub fn from_paths<P: AsRef<[PathElement]>>(paths: impl IntoIterator<Item = P>) -> Self {
        let mut s = Set::new();
        for p in paths {
            s.insert(p.as_ref());
        }
        s
    }

    /// Adds a path (the empty path is ignored, as upstream).
    pub fn insert(&mut self, path: &[PathElement]) {
        let Some((last, parents)) = path.split_last() else {
            return;
        };
        let mut node = self;
        for pe in parents {
            node = node.descend(pe);
        }
        if let Err(i) = node.members.binary_search(last) {
            node.members.insert(i, last.clone());
        }
    }

    fn descend(&mut self, pe: &PathElement) -> &mut Set {
        let i = match self.children.binary_search_by(|(p, _)| p.cmp(pe)) {
            Ok(i) => i,
            Err(i) => {
                self.children.insert(i, (pe.clone(), Set::new()));
                i
            }
        };
        &mut self.children[i].1
    }

    /// The subtree below `pe`, if any.
    pub fn child(&self, pe: &PathElement) -> Option<&Set> {
        self.children
            .binary_search_by(|(p, _)| p.cmp(pe))
            .ok()
            .map(|i| &self.children[i].1)
    }

    fn has_member(&self, pe: &PathElement) -> bool {
        self.members.binary_search(pe).is_ok()
    }

    /// Whether the set holds `path`.
    pub fn has(&self, path: &[PathElement]) -> bool {
        let Some((last, parents)) = path.split_last() else {
            return false;
        };
        let mut node = self;
        for pe in parents {
            match node.child(pe) {
                Some(c) => node = c,
                None => return false,
            }
        }
        node.has_member(last)
    }

    /// Whether the set holds no path.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty() && self.children.iter().all(|(_, c)| c.is_empty())
    }

    /// The number of paths.
    pub fn len(&self) -> usize {
        self.members.len() + self.children.iter().map(|(_, c)| c.len()).sum::<usize>()
    }

    /// Every path, in upstream's iteration order (members before children, each sorted).
    pub fn paths(&self) -> Vec<Vec<PathElement>> {
        let mut out = Vec::new();
        self.collect_paths(&mut Vec::new(), &mut out);
        out
    }

    fn collect_paths(&self, prefix: &mut Vec<PathElement>, out: &mut Vec<Vec<PathElement>>) {
        for m in &self.members {
            let mut p = prefix.clone();
            p.push(m.clone());
            out.push(p);
        }
        for (pe, c) in &self.children {
            prefix.push(pe.clone());
            c.collect_paths(prefix, out);
            prefix.pop();
        }
    }

    /// Paths in either set.
    pub fn union(&self, other: &Set) -> Set {
        Set {
            members: merge_sorted(
                &self.members,
                &other.members,
                |a, b| a.cmp(b),
                |a, _| a.clone(),
            ),
            children: merge_sorted(
                &self.children,
                &other.children,
                |a, b| a.0.cmp(&b.0),
                |a, b| (a.0.clone(), a.1.union(&b.1)),
            ),
        }
    }

    /// Paths in both sets.
    pub fn intersection(&self, other: &Set) -> Set {
        let members = self
            .members
            .iter()
            .filter(|m| other.has_member(m))
            .cloned()
            .collect();
        let children = self
            .children
            .iter()
            .filter_map(|(pe, c)| {
                let o = other.child(pe)?;
                let i = c.intersection(o);
                (!i.is_empty()).then(|| (pe.clone(), i))
            })
            .collect();
        Set { members, children }
    }

    /// Paths of `self` not in `other` (upstream `Difference`: a member of `other` does not
    /// remove the subtree below it).
    pub fn difference(&self, other: &Set) -> Set {
        let members = self
            .members
            .iter()
            .filter(|m| !other.has_member(m))
            .cloned()
            .collect();
        let children = self
            .children
            .iter()
            .filter_map(|(pe, c)| match other.child(pe) {
                None => Some((pe.clone(), c.clone())),
                Some(o) => {
                    let d = c.difference(o);
                    (!d.is_empty()).then(|| (pe.clone(), d))
                }
            })
            .collect();
        Set { members, children }
    }

    /// Paths of `self` not in or below any path of `other`.
    pub fn recursive_difference(&self, other: &Set) -> Set {
        let members = self
            .members
            .iter()
            .filter(|m| !other.has_member(m))
            .cloned()
            .collect();
        let children = self
            .children
            .iter()
            .filter(|(pe, _)| !other.has_member(pe))
            .filter_map(|(pe, c)| match other.child(pe) {
                None => Some((pe.clone(), c.clone())),
                Some(o) => {
                    let d = c.recursive_difference(o);
                    (!d.is_empty()).then(|| (pe.clone(), d))
                }
            })
            .collect();
        Set { members, children }
    }

    /// The `fieldsV1` JSON of the set, in upstream's element order (a `serde_json::Map` without
    /// `preserve_order` sorts keys bytewise; [`Set::to_fields_v1_string`] has upstream's bytes).
    pub fn to_fields_v1(&self) -> Value {
        Value::Object(self.emit_value(false))
    }

    fn emit_value(&self, include_self: bool) -> Map<String, Value> {
        let mut out = Map::new();
        if include_self && !(self.members.is_empty() && self.children.is_empty()) {
            out.insert(".".into(), Value::Object(Map::new()));
        }
        for (pe, body) in self.entries() {
            let v = match body {
                Entry::Leaf => Map::new(),
                Entry::Node(c, member) => c.emit_value(member),
            };
            out.insert(pe.serialize(), Value::Object(v));
        }
        out
    }

    /// Upstream's exact `fieldsV1` bytes.
    pub fn to_fields_v1_string(&self) -> String {
        let mut out = String::from("{");
        self.emit_string(false, &mut out);
        out.push('}');
        out
    }

    fn emit_string(&self, include_self: bool, out: &mut String) {
        let mut first = true;
        if include_self && !(self.members.is_empty() && self.children.is_empty()) {
            out.push_str("\".\":{}");
            first = false;
        }
        for (pe, body) in self.entries() {
            if !first {
                out.push(',');
            }
            first = false;
            gofmt::write_json_string(out, &pe.serialize(), Json::Jsoniter);
            out.push(':');
            match body {
                Entry::Leaf => out.push_str("{}"),
                Entry::Node(c, member) => {
                    out.push('{');
                    c.emit_string(member, out);
                    out.push('}');
                }
            }
        }
    }

    /// Members and children merged in element order; a member with children is one node.
    fn entries(&self) -> Vec<(&PathElement, Entry<'_>)> {
        let (mut mi, mut ci) = (0, 0);
        let mut out = Vec::with_capacity(self.members.len() + self.children.len());
        while mi < self.members.len() || ci < self.children.len() {
            let order = match (self.members.get(mi), self.children.get(ci)) {
                (Some(m), Some((c, _))) => m.cmp(c),
                (Some(_), None) => Ordering::Less,
                _ => Ordering::Greater,
            };
            match order {
                Ordering::Less => {
                    out.push((&self.members[mi], Entry::Leaf));
                    mi += 1;
                }
                Ordering::Greater => {
                    let (pe, c) = &self.children[ci];
                    out.push((pe, Entry::Node(c, false)));
                    ci += 1;
                }
                Ordering::Equal => {
                    let (pe, c) = &self.children[ci];
                    out.push((pe, Entry::Node(c, true)));
                    mi += 1;
                    ci += 1;
                }
            }
        }
        out
    }

    /// Parses `fieldsV1` JSON (upstream `Set.FromJSON`).
    pub fn from_fields_v1(v: &Value) -> Result<Set, String> {
        match v {
            Value::Object(_) => Ok(read_fields_v1(v)?.0.unwrap_or_default()),
            Value::Null => Ok(Set::new()),
            other => Err(format!(
                "ReadMapCB: expect {{ or n, but found {}",
                other.to_string().chars().next().unwrap_or(' ')
            )),
        }
    }

    /// Parses `fieldsV1` text.
    pub fn from_fields_v1_str(s: &str) -> Result<Set, String> {
        let v: Value = serde_json::from_str(s).map_err(|e| e.to_string())?;
        Set::from_fields_v1(&v)
    }
}

enum Entry<'a> {
    Leaf,
    Node(&'a Set, bool),
}

fn merge_sorted<T>(
    a: &[T],
    b: &[T],
    cmp: impl Fn(&T, &T) -> Ordering,
    both: impl Fn(&T, &T) -> T,
) -> Vec<T>
where
    T: Clone,
{
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::with_capacity(a.len() + b.len());
    while i < a.len() && j < b.len() {
        match cmp(&a[i], &b[j]) {
            Ordering::Less => {
                out.push(a[i].clone());
                i += 1;
            }
            Ordering::Greater => {
                out.push(b[j].clone());
                j += 1;
            }
            Ordering::Equal => {
                out.push(both(&a[i], &b[j]));
                i += 1;
                j += 1;
            }
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

/// Upstream `readIterV1`: the children of a node (if any) and whether the node is a member.
fn read_fields_v1(v: &Value) -> Result<(Option<Set>, bool), String> {
    let Value::Object(m) = v else {
        return Err(format!("expected an object in fieldsV1, got {v}"));
    };
    let mut children: Option<Set> = None;
    let mut is_member = false;
    for (key, sub) in m {
        if key == "." {
            is_member = true;
            continue;
        }
        let pe = match PathElement::deserialize(key) {
            Ok(Some(pe)) => pe,
            Ok(None) => continue,
            Err(e) => return Err(format!("parsing key as path element: {e}")),
        };
        let (grandchildren, child_is_member) = read_fields_v1(sub)?;
        if child_is_member {
            let set = children.get_or_insert_with(Set::new);
            if let Err(i) = set.members.binary_search(&pe) {
                set.members.insert(i, pe.clone());
            }
        }
        if let Some(g) = grandchildren {
            let set = children.get_or_insert_with(Set::new);
            *set.descend(&pe) = g;
        }
    }
    if children.is_none() {
        is_member = true;
    }
    Ok((children, is_member))
}

// ---------------------------------------------------------------------------------------------
// Schema.
// ---------------------------------------------------------------------------------------------

/// How a list merges (upstream `x-kubernetes-list-type`; a list with `patchStrategy: merge`
/// and no list type is a map keyed by its `patchMergeKey`, or a set without one; any other list
/// is atomic).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ListType {
    /// Replaced as a whole; owned as one field.
    Atomic,
    /// A set of scalars, items owned one by one (`v:<value>`).
    Set,
    /// Items keyed by these fields, owned one by one (`k:{...}`).
    Map(Vec<String>),
}

/// How a JSON object merges.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MapType {
    /// A struct with named fields, each owned separately (the default for built-in objects).
    Struct,
    /// A map with arbitrary keys (`map[string]X`), each key owned separately and a member.
    Granular,
    /// Replaced and owned as a whole (`+structType=atomic`, `+mapType=atomic`).
    Atomic,
}

/// The schema facts server-side apply needs. A path holds field names and, for list items, any
/// of the item elements ([`PathElement::Key`], [`PathElement::Value`], [`PathElement::Index`]).
pub trait TypeInfo {
    /// The semantics of the list at `path`.
    fn list_type(&self, path: &[PathElement]) -> ListType;

    /// The semantics of the object at `path` (the empty path is the root object).
    fn map_type(&self, path: &[PathElement]) -> MapType;

    /// The default of key field `key` of the list at `path` (upstream uses the OpenAPI default
    /// when an item omits a key field, e.g. `protocol: TCP` of container ports).
    fn key_default(&self, _path: &[PathElement], _key: &str) -> Option<Value> {
        None
    }

    /// The fields Go's typed form of the struct at `path` always carries, with the value they
    /// have there when unset (non-pointer structs as `{}`, fields without `omitempty`).
    /// Upstream compares typed objects, so these decide e.g. whether `f:spec` gets a `.`.
    fn zero_fields(&self, _path: &[PathElement]) -> Vec<(String, Value)> {
        Vec::new()
    }

    /// Fields a write through `subresource` (None: the main resource) does not own and cannot
    /// change (upstream strategies' `GetResetFields`).
    fn reset_fields(&self, _subresource: Option<&str>) -> Set {
        Set::new()
    }
}

/// Upstream's behaviour without a schema (deduced types: custom resources without one): objects
/// are granular maps, lists atomic. `status_subresource` resets `status` for the main resource
/// and `spec` for the status subresource, as custom resources do.
#[derive(Clone, Copy, Debug, Default)]
pub struct DeducedTypes {
    pub status_subresource: bool,
}

impl TypeInfo for DeducedTypes {
    fn list_type(&self, _path: &[PathElement]) -> ListType {
        ListType::Atomic
    }

    fn map_type(&self, _path: &[PathElement]) -> MapType {
        MapType::Granular
    }

    fn reset_fields(&self, subresource: Option<&str>) -> Set {
        match (self.status_subresource, subresource) {
            (true, None) => Set::from_paths([[PathElement::field("status")]]),
            (true, Some("status")) => Set::from_paths([[PathElement::field("spec")]]),
            _ => Set::new(),
        }
    }
}

/// Schema of the built-in kinds served at 1.33 (see [`BuiltinTypes::new`]).
#[derive(Clone, Copy)]
pub struct BuiltinTypes {
    root: Ty,
    kind: &'static str,
}

impl fmt::Debug for BuiltinTypes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BuiltinTypes")
            .field("kind", &self.kind)
            .finish()
    }
}

impl BuiltinTypes {
    /// The schema of a built-in `(apiVersion, kind)`, e.g. `("apps/v1", "Deployment")`; `None`
    /// for kinds it does not know (use [`DeducedTypes`] or a schema of your own).
    pub fn new(api_version: &str, kind: &str) -> Option<BuiltinTypes> {
        let (kind, st) = root(api_version, kind)?;
        Some(BuiltinTypes {
            root: Ty::Struct(st, false),
            kind,
        })
    }

    fn resolve(&self, path: &[PathElement]) -> Ty {
        let mut ty = self.root;
        for pe in path {
            ty = match (ty, pe) {
                (Ty::Struct(st, _), PathElement::Field(name)) => {
                    st.0.iter()
                        .find(|f| f.name == name.as_str())
                        .map_or(Ty::Any, |f| f.ty)
                }
                (Ty::Map(elem, _), PathElement::Field(_)) => *elem,
                (Ty::List(elem, _), PathElement::Key(_) | PathElement::Value(_))
                | (Ty::List(elem, _), PathElement::Index(_)) => *elem,
                _ => Ty::Any,
            };
        }
        ty
    }
}

impl TypeInfo for BuiltinTypes {
    fn list_type(&self, path: &[PathElement]) -> ListType {
        match self.resolve(path) {
            Ty::List(_, Ls::Set) => ListType::Set,
            Ty::List(_, Ls::Map(keys)) => {
                ListType::Map(keys.iter().map(|(k, _)| (*k).to_string()).collect())
            }
            _ => ListType::Atomic,
        }
    }

    fn map_type(&self, path: &[PathElement]) -> MapType {
        match self.resolve(path) {
            Ty::Struct(_, true) | Ty::Map(_, true) => MapType::Atomic,
            Ty::Map(_, false) => MapType::Granular,
            _ => MapType::Struct,
        }
    }

    fn key_default(&self, path: &[PathElement], key: &str) -> Option<Value> {
        match self.resolve(path) {
            Ty::List(_, Ls::Map(keys)) => keys
                .iter()
                .find(|(k, _)| *k == key)
                .and_then(|(_, d)| d.and_then(|d| serde_json::from_str(d).ok())),
            _ => None,
        }
    }

    fn zero_fields(&self, path: &[PathElement]) -> Vec<(String, Value)> {
        let Ty::Struct(st, _) = self.resolve(path) else {
            return Vec::new();
        };
        st.0.iter()
            .filter_map(|f| {
                let v = match f.zero {
                    Zero::Absent => return None,
                    Zero::Null => Value::Null,
                    Zero::Struct => Value::Object(Map::new()),
                    Zero::Str => Value::String(String::new()),
                    Zero::Int => Value::from(0),
                    Zero::False => Value::Bool(false),
                    Zero::Quantity => Value::String("0".into()),
                };
                Some((f.name.to_string(), v))
            })
            .collect()
    }

    fn reset_fields(&self, subresource: Option<&str>) -> Set {
        const WITH_STATUS: &[&str] = &[
            "Namespace",
            "Node",
            "PersistentVolume",
            "PersistentVolumeClaim",
            "Pod",
            "ReplicationController",
            "ResourceQuota",
            "Service",
            "DaemonSet",
            "Deployment",
            "ReplicaSet",
            "StatefulSet",
            "HorizontalPodAutoscaler",
            "CronJob",
            "Job",
            "Ingress",
            "PodDisruptionBudget",
            "VolumeAttachment",
            "CustomResourceDefinition",
            "APIService",
            "CertificateSigningRequest",
            "FlowSchema",
            "PriorityLevelConfiguration",
            "ServiceCIDR",
            "ValidatingAdmissionPolicy",
        ];
        if !WITH_STATUS.contains(&self.kind) {
            return Set::new();
        }
        let f = PathElement::field;
        match subresource {
            None => Set::from_paths([[f("status")]]),
            Some("status") => {
                let mut s = Set::from_paths([[f("spec")]]);
                match self.kind {
                    "Deployment" => s.insert(&[f("metadata"), f("labels")]),
                    "Pod" => {
                        s.insert(&[f("metadata"), f("deletionTimestamp")]);
                        s.insert(&[f("metadata"), f("ownerReferences")]);
                    }
                    _ => {}
                }
                s
            }
            Some(_) => Set::new(),
        }
    }
}

/// Static schema node of [`BuiltinTypes`]. `Any`: objects are structs, lists atomic.
#[derive(Clone, Copy)]
enum Ty {
    Any,
    /// A struct; `true` if atomic.
    Struct(&'static St, bool),
    /// A `map[string]X`; `true` if atomic.
    Map(&'static Ty, bool),
    List(&'static Ty, Ls),
}

#[derive(Clone, Copy)]
enum Ls {
    Atomic,
    Set,
    /// Key fields with their default (JSON text).
    Map(&'static [(&'static str, Option<&'static str>)]),
}

/// The fields of a struct that carry schema facts; fields not listed are `Ty::Any`.
struct St(&'static [Fd]);

struct Fd {
    name: &'static str,
    ty: Ty,
    zero: Zero,
}

/// The value a field has in Go's typed form when unset.
#[derive(Clone, Copy)]
enum Zero {
    /// Omitted (pointer, slice or map with `omitempty`, scalar with `omitempty`).
    Absent,
    /// `null` (pointer, slice, map without `omitempty`; `metav1.Time`, `RawExtension`).
    Null,
    /// `{}` (a non-pointer struct).
    Struct,
    Str,
    Int,
    False,
    /// `resource.Quantity`.
    Quantity,
}

const fn fd(name: &'static str, ty: Ty, zero: Zero) -> Fd {
    Fd { name, ty, zero }
}

// ---------------------------------------------------------------------------------------------
// Typed walks over objects (upstream `typed`): validation, to-field-set, compare, merge, remove.
// ---------------------------------------------------------------------------------------------

static NULL: Value = Value::Null;

/// The kind a value is handled as (a null takes the kind of the other side).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Map,
    List,
    Leaf,
}

fn kind_of(v: &Value) -> Option<Kind> {
    match v {
        Value::Object(_) => Some(Kind::Map),
        Value::Array(_) => Some(Kind::List),
        Value::Null => None,
        _ => Some(Kind::Leaf),
    }
}

/// Upstream `typed.Comparison`.
#[derive(Default)]
struct Comparison {
    removed: Set,
    modified: Set,
    added: Set,
}

impl Comparison {
    fn filter(self, reset: &Set) -> Comparison {
        if reset.is_empty() {
            return self;
        }
        Comparison {
            removed: self.removed.recursive_difference(reset),
            modified: self.modified.recursive_difference(reset),
            added: self.added.recursive_difference(reset),
        }
    }
}

fn with<T>(
    path: &mut Vec<PathElement>,
    pe: PathElement,
    f: impl FnOnce(&mut Vec<PathElement>) -> T,
) -> T {
    path.push(pe);
    let out = f(path);
    path.pop();
    out
}

struct Engine<'a> {
    t: &'a dyn TypeInfo,
}

impl Engine<'_> {
    fn list_type(&self, path: &[PathElement]) -> ListType {
        match self.t.list_type(path) {
            ListType::Map(keys) if keys.is_empty() => ListType::Set,
            lt => lt,
        }
    }

    /// Upstream `listItemToPathElement`.
    fn item_pe(
        &self,
        path: &[PathElement],
        lt: &ListType,
        item: &Value,
    ) -> Result<PathElement, String> {
        match lt {
            ListType::Atomic => Err("invalid indexing of non-associative list".into()),
            ListType::Set => match item {
                Value::Object(_) => {
                    Err("associative list without keys has an element that's a map type".into())
                }
                Value::Array(_) => {
                    Err("not supported: associative list with lists as elements".into())
                }
                Value::Null => Err(
                    "associative list without keys has an element that's an explicit null".into(),
                ),
                v => Ok(PathElement::Value(v.clone())),
            },
            ListType::Map(keys) => {
                let m = match item {
                    Value::Null => {
                        return Err("associative list with keys may not have a null element".into());
                    }
                    Value::Object(m) => m,
                    _ => {
                        return Err(
                            "associative list with keys may not have non-map elements".into()
                        );
                    }
                };
                let mut fields = Vec::with_capacity(keys.len());
                for k in keys {
                    if let Some(v) = m.get(k) {
                        fields.push((k.clone(), v.clone()));
                    } else if let Some(d) = self.t.key_default(path, k) {
                        fields.push((k.clone(), d));
                    } else {
                        return Err(format!(
                            "associative list with keys has an element that omits key field {} (and doesn't have default value)",
                            quote_graphic(k)
                        ));
                    }
                }
                Ok(PathElement::key(fields))
            }
        }
    }

    /// The path elements of a list's items; items without one are left out.
    fn item_pes<'v>(
        &self,
        path: &[PathElement],
        lt: &ListType,
        items: &'v [Value],
    ) -> Vec<(PathElement, &'v Value)> {
        items
            .iter()
            .filter_map(|it| self.item_pe(path, lt, it).ok().map(|pe| (pe, it)))
            .collect()
    }

    /// Go's typed form of an object: the fields Go structs always carry are added.
    fn typed(&self, v: &Value, path: &mut Vec<PathElement>) -> Value {
        match v {
            Value::Object(m) => {
                let mut out = Map::new();
                for (k, val) in m {
                    let t = with(path, PathElement::field(k), |p| self.typed(val, p));
                    out.insert(k.clone(), t);
                }
                for (k, zero) in self.t.zero_fields(path) {
                    if !out.contains_key(&k) {
                        let t = with(path, PathElement::Field(k.clone()), |p| {
                            self.typed(&zero, p)
                        });
                        out.insert(k, t);
                    }
                }
                Value::Object(out)
            }
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, it)| with(path, PathElement::Index(i as i64), |p| self.typed(it, p)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    fn typed_root(&self, v: &Value) -> Value {
        let mut v = self.typed(v, &mut Vec::new());
        remove_managed_fields(&mut v);
        v
    }

    /// Upstream typed validation of list items (key fields present, no duplicates unless
    /// allowed, sets of scalars), with its error text.
    fn validate(&self, v: &Value, allow_duplicates: bool) -> Result<(), String> {
        let mut errors = Vec::new();
        self.validate_walk(v, &mut Vec::new(), "", allow_duplicates, &mut errors);
        match errors.len() {
            0 => Ok(()),
            1 => Err(errors.remove(0)),
            _ => Err(format!(
                "errors:\n{}",
                errors
                    .iter()
                    .map(|e| format!("  {e}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            )),
        }
    }

    fn validate_walk(
        &self,
        v: &Value,
        path: &mut Vec<PathElement>,
        prefix: &str,
        dups: bool,
        errors: &mut Vec<String>,
    ) {
        let err = |prefix: &str, msg: String| {
            if prefix.is_empty() {
                msg
            } else {
                format!("{prefix}: {msg}")
            }
        };
        match v {
            Value::Object(m) => {
                for (k, val) in m {
                    let prefix = format!("{prefix}.{k}");
                    with(path, PathElement::field(k), |p| {
                        self.validate_walk(val, p, &prefix, dups, errors)
                    });
                }
            }
            Value::Array(items) => {
                let lt = self.list_type(path);
                let mut seen: Vec<PathElement> = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    let pe = if lt == ListType::Atomic {
                        PathElement::Index(i as i64)
                    } else {
                        match self.item_pe(path, &lt, item) {
                            Ok(pe) => pe,
                            Err(e) => {
                                errors.push(err(prefix, format!("element {i}: {e}")));
                                return;
                            }
                        }
                    };
                    if lt != ListType::Atomic {
                        match seen.binary_search(&pe) {
                            Ok(_) if !dups => {
                                errors.push(err(prefix, format!("duplicate entries for key {pe}")))
                            }
                            Ok(_) => {}
                            Err(at) => seen.insert(at, pe.clone()),
                        }
                    }
                    let prefix = format!("{prefix}{pe}");
                    with(path, pe, |p| {
                        self.validate_walk(item, p, &prefix, dups, errors)
                    });
                }
            }
            _ => {}
        }
    }

    /// Upstream `TypedValue.ToFieldSet`.
    fn to_field_set(&self, v: &Value) -> Set {
        let mut set = Set::new();
        self.fs_walk(v, &mut Vec::new(), &mut set);
        set
    }

    fn fs_walk(&self, v: &Value, path: &mut Vec<PathElement>, set: &mut Set) {
        match v {
            Value::Object(m) => {
                let mt = self.t.map_type(path);
                if mt == MapType::Atomic && !path.is_empty() {
                    set.insert(path);
                    return;
                }
                for (k, val) in m {
                    with(path, PathElement::field(k), |p| {
                        self.fs_walk(val, p, set);
                        let empty = match val {
                            Value::Null => true,
                            Value::Object(o) => o.is_empty(),
                            _ => false,
                        };
                        if empty || mt == MapType::Granular {
                            set.insert(p);
                        }
                    });
                }
            }
            Value::Array(items) => {
                let lt = self.list_type(path);
                if lt == ListType::Atomic {
                    set.insert(path);
                    return;
                }
                let pes = self.item_pes(path, &lt, items);
                let mut seen: Vec<&PathElement> = Vec::new();
                let mut dups: Vec<&PathElement> = Vec::new();
                for (pe, _) in &pes {
                    match seen.binary_search(&pe) {
                        Ok(_) => {
                            if let Err(at) = dups.binary_search(&pe) {
                                dups.insert(at, pe);
                                with(path, pe.clone(), |p| set.insert(p));
                            }
                        }
                        Err(at) => seen.insert(at, pe),
                    }
                }
                for (pe, item) in &pes {
                    if dups.binary_search(&pe).is_ok() {
                        continue;
                    }
                    with(path, pe.clone(), |p| {
                        self.fs_walk(item, p, set);
                        set.insert(p);
                    });
                }
            }
            _ => set.insert(path),
        }
    }

    /// Upstream `TypedValue.Compare` of `l` (old) and `r` (new).
    fn compare(&self, l: &Value, r: &Value) -> Comparison {
        let mut c = Comparison::default();
        self.cmp_node(Some(l), Some(r), &mut Vec::new(), &mut c);
        c
    }

    fn cmp_node(
        &self,
        l: Option<&Value>,
        r: Option<&Value>,
        path: &mut Vec<PathElement>,
        c: &mut Comparison,
    ) {
        let mut in_leaf = false;
        match (l.and_then(kind_of), r.and_then(kind_of)) {
            (Some(a), Some(b)) if a != b => {
                let mut other_leaf = false;
                self.cmp_handle(a, l, r, path, c, &mut other_leaf);
                self.cmp_handle(b, l, r, path, c, &mut in_leaf);
            }
            (lk, rk) => {
                let k = rk.or(lk).unwrap_or(Kind::Leaf);
                self.cmp_handle(k, l, r, path, c, &mut in_leaf);
            }
        }
        if !in_leaf {
            if l.is_none() {
                c.added.insert(path);
            } else if r.is_none() {
                c.removed.insert(path);
            }
        }
    }

    fn cmp_leaf(
        l: Option<&Value>,
        r: Option<&Value>,
        path: &[PathElement],
        c: &mut Comparison,
        in_leaf: &mut bool,
    ) {
        if *in_leaf {
            return;
        }
        *in_leaf = true;
        match (l, r) {
            (None, _) => c.added.insert(path),
            (_, None) => c.removed.insert(path),
            (Some(a), Some(b)) if !value_eq(a, b) => c.modified.insert(path),
            _ => {}
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn cmp_handle(
        &self,
        k: Kind,
        l: Option<&Value>,
        r: Option<&Value>,
        path: &mut Vec<PathElement>,
        c: &mut Comparison,
        in_leaf: &mut bool,
    ) {
        match k {
            Kind::Leaf => Self::cmp_leaf(l, r, path, c, in_leaf),
            Kind::Map => {
                let lm = l.and_then(Value::as_object);
                let rm = r.and_then(Value::as_object);
                let empty = lm.is_none_or(Map::is_empty) && rm.is_none_or(Map::is_empty);
                if empty || self.t.map_type(path) == MapType::Atomic {
                    return Self::cmp_leaf(l, r, path, c, in_leaf);
                }
                if let Some(lm) = lm {
                    for (key, lv) in lm {
                        let rv = rm.and_then(|m| m.get(key));
                        with(path, PathElement::field(key), |p| {
                            self.cmp_node(Some(lv), rv, p, c)
                        });
                    }
                }
                if let Some(rm) = rm {
                    for (key, rv) in rm {
                        if lm.is_some_and(|m| m.contains_key(key)) {
                            continue;
                        }
                        with(path, PathElement::field(key), |p| {
                            self.cmp_node(None, Some(rv), p, c)
                        });
                    }
                }
            }
            Kind::List => {
                let la = l.and_then(Value::as_array);
                let ra = r.and_then(Value::as_array);
                let empty = la.is_none_or(Vec::is_empty) && ra.is_none_or(Vec::is_empty);
                let lt = self.list_type(path);
                if empty || lt == ListType::Atomic {
                    return Self::cmp_leaf(l, r, path, c, in_leaf);
                }
                self.cmp_list(
                    &lt,
                    la.map_or(&[][..], Vec::as_slice),
                    ra.map_or(&[][..], Vec::as_slice),
                    path,
                    c,
                );
            }
        }
    }

    fn cmp_list(
        &self,
        lt: &ListType,
        la: &[Value],
        ra: &[Value],
        path: &mut Vec<PathElement>,
        c: &mut Comparison,
    ) {
        let mut order: Vec<PathElement> = Vec::new();
        let mut lvals: BTreeMap<PathElement, Vec<&Value>> = BTreeMap::new();
        for (pe, item) in self.item_pes(path, lt, la) {
            let e = lvals.entry(pe.clone()).or_default();
            if e.is_empty() {
                order.push(pe);
            }
            e.push(item);
        }
        let mut rvals: BTreeMap<PathElement, Vec<&Value>> = BTreeMap::new();
        for (pe, item) in self.item_pes(path, lt, ra) {
            let e = rvals.entry(pe.clone()).or_default();
            if e.is_empty() && !lvals.contains_key(&pe) {
                order.push(pe);
            }
            e.push(item);
        }
        for pe in order {
            let ll = lvals.get(&pe).map_or(&[][..], Vec::as_slice);
            let rl = rvals.get(&pe).map_or(&[][..], Vec::as_slice);
            with(path, pe, |p| {
                if ll.len() <= 1 && rl.len() <= 1 {
                    self.cmp_node(ll.first().copied(), rl.first().copied(), p, c);
                } else if ll.len() >= 2 && rl.len() >= 2 {
                    let equal = ll.len() == rl.len()
                        && ll.iter().zip(rl.iter()).all(|(a, b)| value_eq(a, b));
                    if !equal {
                        c.modified.insert(p);
                    }
                } else if ll.len() >= 2 {
                    if let Some(r0) = rl.first() {
                        self.cmp_node(None, Some(r0), p, c);
                    }
                    c.removed.insert(p);
                } else {
                    if let Some(l0) = ll.first() {
                        self.cmp_node(Some(l0), None, p, c);
                    }
                    c.added.insert(p);
                }
            });
        }
    }

    /// Upstream `TypedValue.Merge`: `r` (the applied configuration) over `l` (live).
    fn merge(
        &self,
        l: Option<&Value>,
        r: Option<&Value>,
        path: &mut Vec<PathElement>,
    ) -> Option<Value> {
        let k = r
            .and_then(kind_of)
            .or(l.and_then(kind_of))
            .unwrap_or(Kind::Leaf);
        let keep_rhs = || r.or(l).cloned();
        match k {
            Kind::Leaf => keep_rhs(),
            Kind::Map => {
                let lm = l.and_then(Value::as_object);
                let rm = r.and_then(Value::as_object);
                let empty = lm.is_none_or(Map::is_empty) && rm.is_none_or(Map::is_empty);
                if empty || self.t.map_type(path) == MapType::Atomic {
                    return keep_rhs();
                }
                let mut out = Map::new();
                if let Some(lm) = lm {
                    for (key, lv) in lm {
                        let rv = rm.and_then(|m| m.get(key));
                        if let Some(v) = with(path, PathElement::field(key), |p| {
                            self.merge(Some(lv), rv, p)
                        }) {
                            out.insert(key.clone(), v);
                        }
                    }
                }
                if let Some(rm) = rm {
                    for (key, rv) in rm {
                        if lm.is_some_and(|m| m.contains_key(key)) {
                            continue;
                        }
                        if let Some(v) = with(path, PathElement::field(key), |p| {
                            self.merge(None, Some(rv), p)
                        }) {
                            out.insert(key.clone(), v);
                        }
                    }
                }
                (!out.is_empty()).then_some(Value::Object(out))
            }
            Kind::List => {
                let la = l.and_then(Value::as_array);
                let ra = r.and_then(Value::as_array);
                let empty = la.is_none_or(Vec::is_empty) && ra.is_none_or(Vec::is_empty);
                let lt = self.list_type(path);
                if empty || lt == ListType::Atomic {
                    return keep_rhs();
                }
                let out = self.merge_list(
                    &lt,
                    la.map_or(&[][..], Vec::as_slice),
                    ra.map_or(&[][..], Vec::as_slice),
                    path,
                );
                (!out.is_empty()).then_some(Value::Array(out))
            }
        }
    }

    /// Upstream `mergingWalker.visitListItems`: items of `ra` in their order, items only in `la`
    /// kept where they were.
    fn merge_list(
        &self,
        lt: &ListType,
        la: &[Value],
        ra: &[Value],
        path: &mut Vec<PathElement>,
    ) -> Vec<Value> {
        let rhs = self.item_pes(path, lt, ra);
        let lhs = self.item_pes(path, lt, la);
        let mut observed_r: BTreeMap<&PathElement, &Value> = BTreeMap::new();
        for (pe, item) in &rhs {
            observed_r.entry(pe).or_insert(item);
        }
        // A duplicated live item reads as null.
        let mut observed_l: BTreeMap<&PathElement, &Value> = BTreeMap::new();
        for (pe, item) in &lhs {
            observed_l
                .entry(pe)
                .and_modify(|v| *v = &NULL)
                .or_insert(item);
        }
        let mut shared: std::collections::VecDeque<&PathElement> = rhs
            .iter()
            .map(|(pe, _)| pe)
            .filter(|pe| observed_l.contains_key(pe))
            .collect();
        let mut next_shared = shared.pop_front();
        let mut merged_r: Vec<&PathElement> = Vec::new();
        let mut out = Vec::with_capacity(la.len().max(ra.len()));
        let (mut li, mut ri) = (0, 0);
        let mut item =
            |pe: &PathElement, l: Option<&Value>, r: Option<&Value>, out: &mut Vec<Value>| {
                if let Some(v) = with(path, pe.clone(), |p| self.merge(l, r, p)) {
                    out.push(v);
                }
            };
        while li < lhs.len() || ri < rhs.len() {
            if li < lhs.len() && ri < rhs.len() {
                let pe = &lhs[li].0;
                if *pe == rhs[ri].0 {
                    if let Err(at) = merged_r.binary_search(&pe) {
                        merged_r.insert(at, pe);
                    }
                    item(
                        pe,
                        observed_l.get(pe).copied(),
                        observed_r.get(pe).copied(),
                        &mut out,
                    );
                    li += 1;
                    ri += 1;
                    next_shared = shared.pop_front();
                    continue;
                }
                if observed_r.contains_key(pe) && next_shared.is_some_and(|n| n != pe) {
                    li += 1;
                    continue;
                }
            }
            if li < lhs.len() {
                let (pe, l_item) = &lhs[li];
                if !observed_r.contains_key(pe) {
                    item(pe, Some(l_item), None, &mut out);
                    li += 1;
                    continue;
                } else if merged_r.binary_search(&pe).is_ok() {
                    li += 1;
                }
            }
            if ri < rhs.len() {
                let pe = &rhs[ri].0;
                if let Err(at) = merged_r.binary_search(&pe) {
                    merged_r.insert(at, pe);
                }
                item(
                    pe,
                    observed_l.get(pe).copied(),
                    observed_r.get(pe).copied(),
                    &mut out,
                );
                ri += 1;
                if next_shared.is_some_and(|n| n == pe) {
                    next_shared = shared.pop_front();
                }
            }
        }
        out
    }

    /// Upstream `TypedValue.RemoveItems`: removes the members of `set` (whole subtrees).
    /// `None` is upstream's nil (a container left empty).
    fn remove_items(&self, v: &Value, set: &Set, path: &mut Vec<PathElement>) -> Option<Value> {
        match v {
            Value::Array(items) => {
                let lt = self.list_type(path);
                if items.is_empty() || lt == ListType::Atomic {
                    return None;
                }
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    let Ok(pe) = self.item_pe(path, &lt, item) else {
                        out.push(item.clone());
                        continue;
                    };
                    if set.has_member(&pe) {
                        continue;
                    }
                    match set.child(&pe).filter(|s| !s.is_empty()) {
                        Some(sub) => out.push(
                            with(path, pe, |p| self.remove_items(item, sub, p))
                                .unwrap_or(Value::Null),
                        ),
                        None => out.push(item.clone()),
                    }
                }
                (!out.is_empty()).then_some(Value::Array(out))
            }
            Value::Object(m) => {
                if m.is_empty() || (self.t.map_type(path) == MapType::Atomic && !path.is_empty()) {
                    return None;
                }
                let mut out = Map::new();
                for (k, val) in m {
                    let pe = PathElement::field(k);
                    if set.has_member(&pe) {
                        continue;
                    }
                    let val = match set.child(&pe).filter(|s| !s.is_empty()) {
                        Some(sub) => with(path, pe, |p| self.remove_items(val, sub, p))
                            .unwrap_or(Value::Null),
                        None => val.clone(),
                    };
                    out.insert(k.clone(), val);
                }
                (!out.is_empty()).then_some(Value::Object(out))
            }
            other => Some(other.clone()),
        }
    }

    fn remove_root(&self, v: &Value, set: &Set) -> Value {
        self.remove_items(v, set, &mut Vec::new())
            .unwrap_or_else(|| Value::Object(Map::new()))
    }

    /// Upstream `Set.EnsureNamedFieldsAreMembers`: fields of structs that have children become
    /// members too.
    fn ensure_named(&self, set: &Set) -> Set {
        self.ensure_walk(set, &mut Vec::new(), true)
    }

    fn ensure_walk(&self, set: &Set, path: &mut Vec<PathElement>, known: bool) -> Set {
        let mut members = set.members.clone();
        let is_struct = known && self.t.map_type(path) != MapType::Granular;
        for (pe, _) in &set.children {
            if is_struct
                && matches!(pe, PathElement::Field(_))
                && let Err(at) = members.binary_search(pe)
            {
                members.insert(at, pe.clone());
            }
        }
        let children = set
            .children
            .iter()
            .map(|(pe, c)| {
                let known = known && matches!(pe, PathElement::Field(_) | PathElement::Key(_));
                (
                    pe.clone(),
                    with(path, pe.clone(), |p| self.ensure_walk(c, p, known)),
                )
            })
            .collect();
        Set { members, children }
    }
}

// ---------------------------------------------------------------------------------------------
// Managers and managedFields entries (upstream `internal/managedfields.go`).
// ---------------------------------------------------------------------------------------------

/// Upstream manager identifier: the entry without time, fields and (for appliers) apiVersion.
#[derive(Clone, Debug, PartialEq, Eq)]
struct ManagerId {
    manager: String,
    operation: String,
    api_version: String,
    subresource: String,
}

impl ManagerId {
    fn new(manager: &str, operation: &str, api_version: &str, subresource: &str) -> Self {
        ManagerId {
            manager: manager.to_string(),
            operation: operation.to_string(),
            api_version: if operation == "Apply" {
                String::new()
            } else {
                api_version.to_string()
            },
            subresource: subresource.to_string(),
        }
    }

    /// The identifier as upstream spells it (Go JSON of the entry, `omitempty` fields).
    fn key(&self) -> String {
        let mut parts = Vec::new();
        for (name, v) in [
            ("manager", &self.manager),
            ("operation", &self.operation),
            ("apiVersion", &self.api_version),
            ("subresource", &self.subresource),
        ] {
            if !v.is_empty() {
                parts.push(format!(
                    "\"{name}\":{}",
                    gofmt::json_string(v, Json::GoBefore122)
                ));
            }
        }
        format!("{{{}}}", parts.join(","))
    }

    /// Upstream `printManager`.
    fn describe(&self) -> String {
        let mut s = quote_graphic(&self.manager);
        if !self.subresource.is_empty() {
            s = format!("{s} with subresource {}", quote_graphic(&self.subresource));
        }
        if self.operation == "Update" {
            s = format!("{s} using {}", self.api_version);
        }
        s
    }
}

#[derive(Clone, Debug)]
struct VersionedSet {
    set: Set,
    api_version: String,
    applied: bool,
}

#[derive(Clone, Debug)]
struct Owner {
    id: ManagerId,
    fields: VersionedSet,
    time: Option<String>,
}

/// Decoded `managedFields`, keyed by manager identifier.
#[derive(Clone, Debug, Default)]
struct Managed(BTreeMap<String, Owner>);

impl Managed {
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Upstream `DecodeManagedFields`.
    fn decode(entries: Option<&Value>) -> Result<Managed, String> {
        let items = match entries {
            None | Some(Value::Null) => return Ok(Managed::default()),
            Some(Value::Array(items)) => items,
            Some(other) => return Err(format!("managedFields must be a list, got {other}")),
        };
        let mut out = Managed::default();
        for (i, e) in items.iter().enumerate() {
            let Value::Object(m) = e else {
                return Err(format!("managed fields entry {i} is not an object"));
            };
            let text = |name: &str| -> Result<String, String> {
                match m.get(name) {
                    None | Some(Value::Null) => Ok(String::new()),
                    Some(Value::String(s)) => Ok(s.clone()),
                    Some(other) => Err(format!(
                        "invalid {name} {other} in managed fields entry {i}"
                    )),
                }
            };
            let operation = text("operation")?;
            if operation != "Apply" && operation != "Update" {
                return Err("operation must be `Apply` or `Update`".into());
            }
            let api_version = text("apiVersion")?;
            if api_version.is_empty() {
                return Err("apiVersion must not be empty".into());
            }
            match text("fieldsType")?.as_str() {
                "FieldsV1" => {}
                "" => return Err(format!("missing fieldsType in managed fields entry {i}")),
                other => {
                    return Err(format!(
                        "invalid fieldsType {} in managed fields entry {i}",
                        quote_graphic(other)
                    ));
                }
            }
            let set = match m.get("fieldsV1") {
                None | Some(Value::Null) => Set::new(),
                Some(v) => Set::from_fields_v1(v).map_err(|e| {
                    format!("error decoding versioned set from entry {i}: error decoding set: {e}")
                })?,
            };
            let time = match m.get("time") {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) => Some(normalize_time(s)),
                Some(other) => {
                    return Err(format!("invalid time {other} in managed fields entry {i}"));
                }
            };
            let id = ManagerId::new(
                &text("manager")?,
                &operation,
                &api_version,
                &text("subresource")?,
            );
            let fields = VersionedSet {
                set,
                api_version,
                applied: operation == "Apply",
            };
            out.0.insert(id.key(), Owner { id, fields, time });
        }
        Ok(out)
    }

    /// Upstream `encodeManagedFields`: entries ordered by operation, time, manager, apiVersion,
    /// subresource. `None` when no manager is left.
    fn encode(&self) -> Option<Value> {
        if self.0.is_empty() {
            return None;
        }
        let mut owners: Vec<&Owner> = self.0.values().collect();
        let operation = |o: &Owner| if o.fields.applied { "Apply" } else { "Update" };
        let seconds = |o: &Owner| o.time.as_deref().and_then(rfc3339_seconds).unwrap_or(0);
        owners.sort_by(|a, b| {
            operation(a)
                .cmp(operation(b))
                .then_with(|| seconds(a).cmp(&seconds(b)))
                .then_with(|| a.id.manager.as_bytes().cmp(b.id.manager.as_bytes()))
                .then_with(|| {
                    a.fields
                        .api_version
                        .as_bytes()
                        .cmp(b.fields.api_version.as_bytes())
                })
                .then_with(|| a.id.subresource.as_bytes().cmp(b.id.subresource.as_bytes()))
        });
        let entries = owners
            .into_iter()
            .map(|o| {
                let mut e = Map::new();
                if !o.id.manager.is_empty() {
                    e.insert("manager".into(), Value::String(o.id.manager.clone()));
                }
                e.insert("operation".into(), Value::String(operation(o).into()));
                if !o.fields.api_version.is_empty() {
                    e.insert(
                        "apiVersion".into(),
                        Value::String(o.fields.api_version.clone()),
                    );
                }
                if let Some(t) = &o.time {
                    e.insert("time".into(), Value::String(t.clone()));
                }
                e.insert("fieldsType".into(), Value::String("FieldsV1".into()));
                e.insert("fieldsV1".into(), o.fields.set.to_fields_v1());
                if !o.id.subresource.is_empty() {
                    e.insert(
                        "subresource".into(),
                        Value::String(o.id.subresource.clone()),
                    );
                }
                Value::Object(e)
            })
            .collect();
        Some(Value::Array(entries))
    }

    /// Upstream `capManagersManager`: the oldest Update managers beyond the cap are merged, per
    /// apiVersion, into an `ancient-changes` entry.
    fn cap_update_managers(&mut self, max: usize) {
        let mut updaters: Vec<String> = self
            .0
            .iter()
            .filter(|(_, o)| !o.fields.applied)
            .map(|(k, _)| k.clone())
            .collect();
        if updaters.len() <= max {
            return;
        }
        let seconds = |k: &String| {
            self.0
                .get(k)
                .and_then(|o| o.time.as_deref())
                .and_then(rfc3339_seconds)
                .unwrap_or(0)
        };
        updaters.sort_by(|a, b| seconds(a).cmp(&seconds(b)).then_with(|| a.cmp(b)));
        let mut first_of_version: BTreeMap<String, String> = BTreeMap::new();
        let mut length = updaters.len();
        for key in &updaters {
            if length <= max {
                break;
            }
            let Some(owner) = self.0.get(key).cloned() else {
                continue;
            };
            let version = owner.fields.api_version.clone();
            let bucket_id = ManagerId::new(ANCIENT_CHANGES, "Update", &version, "");
            let bucket = bucket_id.key();
            match first_of_version.get(&version) {
                Some(first) => {
                    if !self.0.contains_key(&bucket)
                        && let Some(f) = self.0.remove(first)
                    {
                        self.0.insert(
                            bucket.clone(),
                            Owner {
                                id: bucket_id.clone(),
                                fields: f.fields,
                                time: f.time,
                            },
                        );
                    }
                    let existing = self
                        .0
                        .get(&bucket)
                        .map(|b| b.fields.set.clone())
                        .unwrap_or_default();
                    self.0.insert(
                        bucket.clone(),
                        Owner {
                            id: bucket_id,
                            fields: VersionedSet {
                                set: owner.fields.set.union(&existing),
                                api_version: owner.fields.api_version.clone(),
                                applied: owner.fields.applied,
                            },
                            time: owner.time.clone(),
                        },
                    );
                    // As upstream, this also drops the bucket when it is itself the manager
                    // being merged.
                    self.0.remove(key);
                    length -= 1;
                }
                None => {
                    first_of_version.insert(version, key.clone());
                }
            }
        }
    }
}

/// The identity and bookkeeping fields no manager owns (upstream `stripMetaManager`).
fn strip_set() -> Set {
    let f = PathElement::field;
    let mut s = Set::from_paths([[f("apiVersion")], [f("kind")], [f("metadata")]]);
    for name in [
        "name",
        "namespace",
        "creationTimestamp",
        "selfLink",
        "uid",
        "clusterName",
        "generation",
        "managedFields",
        "resourceVersion",
    ] {
        s.insert(&[f("metadata"), f(name)]);
    }
    s
}

fn metadata(obj: &Value) -> Option<&Map<String, Value>> {
    obj.get("metadata").and_then(Value::as_object)
}

fn metadata_mut(obj: &mut Value) -> Option<&mut Map<String, Value>> {
    let o = obj.as_object_mut()?;
    o.entry("metadata")
        .or_insert_with(|| Value::Object(Map::new()))
        .as_object_mut()
}

fn remove_managed_fields(obj: &mut Value) {
    if let Some(md) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
        md.remove("managedFields");
    }
}

fn set_managed_fields(obj: &mut Value, managed: &Managed) {
    match managed.encode() {
        Some(entries) => {
            if let Some(md) = metadata_mut(obj) {
                md.insert("managedFields".into(), entries);
            }
        }
        None => remove_managed_fields(obj),
    }
}

/// Upstream `isResetManagedFields`: `[]`, or a single empty entry `[{}]`.
fn is_reset_managed_fields(v: Option<&Value>) -> bool {
    match v {
        Some(Value::Array(items)) if items.is_empty() => true,
        Some(Value::Array(items)) if items.len() == 1 => items[0].as_object().is_some_and(|e| {
            e.values().all(|v| match v {
                Value::Null => true,
                Value::String(s) => s.is_empty(),
                _ => false,
            })
        }),
        _ => false,
    }
}

/// Checks `metadata.managedFields` as upstream decodes it (`ValidateManagedFields`): the error
/// text for a request that sets invalid entries.
pub fn validate_managed_fields(managed_fields: &Value) -> Result<(), String> {
    Managed::decode(Some(managed_fields)).map(|_| ())
}

// ---------------------------------------------------------------------------------------------
// Time.
// ---------------------------------------------------------------------------------------------

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719468;
    let era = z.div_euclid(146097);
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Seconds since the epoch of an RFC 3339 time (`2006-01-02T15:04:05[.frac](Z|±hh:mm)`).
fn rfc3339_seconds(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let n = |r: std::ops::Range<usize>| -> Option<i64> {
        let t = s.get(r)?;
        t.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| t.parse().ok())?
    };
    let (y, mo, d, h, mi, sec) = (
        n(0..4)?,
        n(5..7)?,
        n(8..10)?,
        n(11..13)?,
        n(14..16)?,
        n(17..19)?,
    );
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        rest = &frac[digits..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ => {
            let rb = rest.as_bytes();
            if rb.len() != 6 || !matches!(rb[0], b'+' | b'-') || rb[3] != b':' {
                return None;
            }
            let oh: i64 = rest.get(1..3)?.parse().ok()?;
            let om: i64 = rest.get(4..6)?.parse().ok()?;
            let o = oh * 3600 + om * 60;
            if rb[0] == b'-' { -o } else { o }
        }
    };
    Some(days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset)
}

fn format_rfc3339(secs: i64) -> String {
    let (y, m, d) = civil_from_days(secs.div_euclid(86400));
    let t = secs.rem_euclid(86400);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        t / 3600,
        t / 60 % 60,
        t % 60
    )
}

/// A time as upstream writes it back (`metav1.Time`: UTC, seconds); kept as is if unparsable.
fn normalize_time(s: &str) -> String {
    rfc3339_seconds(s).map_or_else(|| s.to_string(), format_rfc3339)
}

// ---------------------------------------------------------------------------------------------
// Conflicts and errors.
// ---------------------------------------------------------------------------------------------

/// A field the applier does not own, set by another manager to another value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conflict {
    /// The other manager's identifier (upstream's JSON form, e.g.
    /// `{"manager":"kubectl","operation":"Update","apiVersion":"apps/v1"}`).
    pub manager: String,
    /// The conflicting field.
    pub path: Vec<PathElement>,
}

impl Conflict {
    /// Upstream `printManager` of the other manager: `"kubectl" using apps/v1`.
    pub fn manager_description(&self) -> String {
        describe_manager_key(&self.manager)
    }
}

fn describe_manager_key(key: &str) -> String {
    let Ok(Value::Object(m)) = serde_json::from_str::<Value>(key) else {
        return quote_graphic(key);
    };
    let s = |k: &str| m.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let id = ManagerId {
        manager: s("manager"),
        operation: s("operation"),
        api_version: s("apiVersion"),
        subresource: s("subresource"),
    };
    let time = s("time");
    match rfc3339_seconds(&time) {
        Some(secs) if id.operation == "Update" => {
            format!("{} at {}", id.describe(), format_rfc3339(secs))
        }
        _ => id.describe(),
    }
}

/// An apply rejected because of conflicts: HTTP 409, reason `Conflict` (upstream
/// `NewApplyConflict`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conflicts(pub Vec<Conflict>);

impl Conflicts {
    fn from_sets(sets: &[(String, Set)]) -> Conflicts {
        let mut out = Vec::new();
        for (manager, set) in sets {
            for path in set.paths() {
                out.push(Conflict {
                    manager: manager.clone(),
                    path,
                });
            }
        }
        Conflicts(out)
    }

    /// The number of conflicting fields.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The Status message: `Apply failed with 1 conflict: conflict with "m" using apps/v1:
    /// .spec.replicas`, or for several, one `conflicts with "m" ...:` line per manager (sorted
    /// by identifier) followed by `- <field>` lines.
    pub fn message(&self) -> String {
        if let [c] = self.0.as_slice() {
            return format!(
                "Apply failed with 1 conflict: conflict with {}: {}",
                c.manager_description(),
                path_string(&c.path)
            );
        }
        let mut by_manager: BTreeMap<&str, Vec<&Conflict>> = BTreeMap::new();
        for c in &self.0 {
            by_manager.entry(c.manager.as_str()).or_default().push(c);
        }
        let mut lines = Vec::new();
        for (manager, conflicts) in by_manager {
            lines.push(format!("conflicts with {}:", describe_manager_key(manager)));
            for c in conflicts {
                lines.push(format!("- {}", path_string(&c.path)));
            }
        }
        format!(
            "Apply failed with {} conflicts: {}",
            self.0.len(),
            lines.join("\n")
        )
    }

    /// `details.causes`: `(reason, message, field)` =
    /// `("FieldManagerConflict", "conflict with \"m\" using apps/v1", ".spec.replicas")`.
    pub fn causes(&self) -> Vec<(String, String, String)> {
        self.0
            .iter()
            .map(|c| {
                (
                    "FieldManagerConflict".to_string(),
                    format!("conflict with {}", c.manager_description()),
                    path_string(&c.path),
                )
            })
            .collect()
    }

    /// The message and the causes, to build a Status.
    pub fn to_parts(&self) -> (String, Vec<(String, String, String)>) {
        (self.message(), self.causes())
    }

    /// The whole `metav1.Status` (code 409, reason `Conflict`).
    pub fn status(&self) -> Value {
        let causes: Vec<Value> = self
            .causes()
            .into_iter()
            .map(|(reason, message, field)| {
                serde_json::json!({"reason": reason, "message": message, "field": field})
            })
            .collect();
        serde_json::json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message(),
            "reason": "Conflict",
            "details": {"causes": causes},
            "code": 409,
        })
    }

    fn paths(&self) -> Set {
        Set::from_paths(self.0.iter().map(|c| c.path.as_slice()))
    }
}

impl fmt::Display for Conflicts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for Conflicts {}

/// Why an apply failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApplyError {
    /// 400 BadRequest: the applied object's type, or managedFields set in it.
    BadRequest(String),
    /// 409 Conflict.
    Conflict(Conflicts),
    /// 500 with an empty reason (upstream returns these as plain errors): objects that do not
    /// fit the schema (missing or duplicate list keys, ...), undecodable live managedFields.
    Internal(String),
}

impl ApplyError {
    /// HTTP status code.
    pub fn code(&self) -> u16 {
        match self {
            ApplyError::BadRequest(_) => 400,
            ApplyError::Conflict(_) => 409,
            ApplyError::Internal(_) => 500,
        }
    }

    /// Status reason (`""` is upstream's `StatusReasonUnknown`).
    pub fn reason(&self) -> &'static str {
        match self {
            ApplyError::BadRequest(_) => "BadRequest",
            ApplyError::Conflict(_) => "Conflict",
            ApplyError::Internal(_) => "",
        }
    }

    /// Status message.
    pub fn message(&self) -> String {
        match self {
            ApplyError::BadRequest(m) | ApplyError::Internal(m) => m.clone(),
            ApplyError::Conflict(c) => c.message(),
        }
    }

    /// The whole `metav1.Status`.
    pub fn status(&self) -> Value {
        match self {
            ApplyError::Conflict(c) => c.status(),
            other => serde_json::json!({
                "kind": "Status",
                "apiVersion": "v1",
                "metadata": {},
                "status": "Failure",
                "message": other.message(),
                "reason": other.reason(),
                "code": other.code(),
            }),
        }
    }
}

impl fmt::Display for ApplyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for ApplyError {}

// ---------------------------------------------------------------------------------------------
// Operations.
// ---------------------------------------------------------------------------------------------

/// Who writes what: the request context of [`apply`], [`update`] and [`update_scale`].
#[derive(Clone, Copy, Debug)]
pub struct Operation<'a> {
    /// The field manager (`?fieldManager=`, or [`manager_from_user_agent`]); an empty name is
    /// recorded as `unknown`.
    pub manager: &'a str,
    /// The resource's `group/version` (`apps/v1`, `v1`).
    pub api_version: &'a str,
    /// The resource's kind (`Deployment`).
    pub kind: &'a str,
    /// The subresource written (`Some("status")`), `None` for the main resource.
    pub subresource: Option<&'a str>,
    /// The current time, RFC 3339 (written in UTC seconds).
    pub now: &'a str,
}

impl Operation<'_> {
    fn id(&self, manager: &str, operation: &str) -> ManagerId {
        let manager = if manager.is_empty() {
            "unknown"
        } else {
            manager
        };
        ManagerId::new(
            manager,
            operation,
            self.api_version,
            self.subresource.unwrap_or(""),
        )
    }
}

/// The manager name upstream uses for a request without `fieldManager`: the User-Agent up to
/// its first `/`, non-printable characters dropped, cut at 128 bytes (`prefixFromUserAgent`).
pub fn manager_from_user_agent(user_agent: &str) -> String {
    let prefix = user_agent.split('/').next().unwrap_or("");
    let mut out = String::new();
    for c in prefix.chars().filter(|c| is_print(*c)) {
        if out.len() + c.len_utf8() > FIELD_MANAGER_MAX_LENGTH {
            break;
        }
        out.push(c);
    }
    out
}

fn gvk_string(api_version: &str, kind: &str) -> String {
    let parts: Vec<&str> = api_version.split('/').collect();
    match parts.as_slice() {
        [""] => format!("/, Kind={kind}"),
        [version] => format!("/{version}, Kind={kind}"),
        [group, version] => format!("{group}/{version}, Kind={kind}"),
        _ => "/, Kind=".to_string(),
    }
}

/// Upstream `objectGVKNN`: `namespace/name; group/version, Kind=kind`.
fn object_description(obj: &Value) -> String {
    let md = metadata(obj);
    let s = |k: &str| {
        md.and_then(|m| m.get(k))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let av = obj.get("apiVersion").and_then(Value::as_str).unwrap_or("");
    let kind = obj.get("kind").and_then(Value::as_str).unwrap_or("");
    format!("{}/{}; {}", s("namespace"), s("name"), gvk_string(av, kind))
}

impl Engine<'_> {
    /// Upstream `Updater.update`: ownership of changed fields moves away from every manager but
    /// `workflow`; removed fields lose their owners. Errors with the conflicts unless `force`.
    fn update_owners(
        &self,
        live_t: &Value,
        new_t: &Value,
        managed: &mut Managed,
        workflow: &str,
        force: bool,
        reset: &Set,
    ) -> Result<Comparison, Conflicts> {
        let cmp = self.compare(live_t, new_t).filter(reset);
        let changed = cmp.modified.union(&cmp.added);
        let mut conflicts: Vec<(String, Set)> = Vec::new();
        for (key, owner) in &managed.0 {
            if key == workflow {
                continue;
            }
            let c = owner.fields.set.intersection(&changed);
            if !c.is_empty() {
                conflicts.push((key.clone(), c));
            }
        }
        if !force && !conflicts.is_empty() {
            return Err(Conflicts::from_sets(&conflicts));
        }
        for (key, c) in &conflicts {
            if let Some(o) = managed.0.get_mut(key) {
                o.fields.set = o.fields.set.difference(c);
            }
        }
        if !cmp.removed.is_empty() {
            for (key, o) in managed.0.iter_mut() {
                if key != workflow {
                    o.fields.set = o.fields.set.difference(&cmp.removed);
                }
            }
        }
        managed.0.retain(|_, o| !o.fields.set.is_empty());
        Ok(cmp)
    }

    /// The Update manager stack: `manager` takes what changed from `live` to `new`.
    fn update_managed(
        &self,
        live: &Value,
        new: &Value,
        mut managed: Managed,
        manager: &str,
        op: &Operation<'_>,
        reset: &Set,
    ) -> Result<Managed, String> {
        let live_t = self.typed_root(live);
        let new_t = self.typed_root(new);
        self.validate(&live_t, true).map_err(|e| {
            format!(
                "failed to convert live object ({}) to smd typed: {e}",
                object_description(live)
            )
        })?;
        self.validate(&new_t, true).map_err(|e| {
            format!(
                "failed to convert new object ({}) to smd typed: {e}",
                object_description(new)
            )
        })?;
        let cmp = self
            .update_owners(
                &live_t,
                &new_t,
                &mut managed,
                CURRENT_OPERATION,
                true,
                reset,
            )
            .map_err(|c| c.message())?;
        let taken = cmp
            .modified
            .union(&cmp.added)
            .recursive_difference(reset)
            .difference(&strip_set());
        if !taken.is_empty() {
            let id = op.id(manager, "Update");
            let key = id.key();
            let set = match managed.0.get(&key) {
                Some(prev) => taken.union(&prev.fields.set),
                None => taken,
            };
            managed.0.insert(
                key,
                Owner {
                    id,
                    fields: VersionedSet {
                        set,
                        api_version: op.api_version.to_string(),
                        applied: false,
                    },
                    time: Some(normalize_time(op.now)),
                },
            );
        }
        managed.cap_update_managers(MAX_UPDATE_MANAGERS);
        Ok(managed)
    }

    /// The Apply manager stack below the kubectl last-applied handling.
    fn apply_managed(
        &self,
        live: &Value,
        applied: &Value,
        mut managed: Managed,
        op: &Operation<'_>,
        force: bool,
        reset: &Set,
    ) -> Result<(Value, Managed), ApplyError> {
        if managed.is_empty() {
            let empty = Value::Object(Map::new());
            managed = self
                .update_managed(&empty, live, managed, BEFORE_FIRST_APPLY, op, reset)
                .map_err(|e| {
                    ApplyError::Internal(format!(
                        "failed to create manager for existing fields: {e}"
                    ))
                })?;
        }
        if matches!(
            metadata(applied).and_then(|m| m.get("managedFields")),
            Some(Value::Array(_))
        ) {
            return Err(ApplyError::BadRequest(
                "metadata.managedFields must be nil".into(),
            ));
        }
        self.validate(applied, false).map_err(|e| {
            ApplyError::Internal(format!(
                "failed to create typed patch object ({}): {e}",
                object_description(applied)
            ))
        })?;
        let live_t = self.typed_root(live);
        self.validate(&live_t, true).map_err(|e| {
            ApplyError::Internal(format!(
                "failed to create typed live object ({}): {e}",
                object_description(live)
            ))
        })?;
        let merged = self
            .merge(Some(&live_t), Some(applied), &mut Vec::new())
            .unwrap_or_else(|| Value::Object(Map::new()));
        let id = op.id(op.manager, "Apply");
        let key = id.key();
        let last = managed.0.get(&key).map(|o| o.fields.set.clone());
        let set = self.to_field_set(applied).recursive_difference(reset);
        let time = managed.0.get(&key).and_then(|o| o.time.clone());
        managed.0.insert(
            key.clone(),
            Owner {
                id,
                fields: VersionedSet {
                    set,
                    api_version: op.api_version.to_string(),
                    applied: true,
                },
                time,
            },
        );
        let removal = self.prune(&merged, &managed, last.as_ref());
        let new_t = match &removal {
            Some(r) => self.remove_root(&merged, r),
            None => merged,
        };
        self.update_owners(&live_t, &new_t, &mut managed, &key, force, reset)
            .map_err(ApplyError::Conflict)?;
        if let Some(o) = managed.0.get_mut(&key) {
            o.fields.set = o.fields.set.difference(&strip_set());
            if o.fields.set.is_empty() {
                managed.0.remove(&key);
            }
        }
        if value_eq(&live_t, &new_t) {
            let mut out = live.clone();
            remove_managed_fields(&mut out);
            return Ok((out, managed));
        }
        if let Some(o) = managed.0.get_mut(&key) {
            o.time = Some(normalize_time(op.now));
        }
        Ok((self.output(live, applied, removal.as_ref(), reset), managed))
    }

    /// Upstream `Updater.prune` with `addBackOwnedItems` and `addBackDanglingItems`: what the
    /// applier applied last time and no longer applies goes, unless someone else owns it. The
    /// result is the set of items to remove from the merged object.
    fn prune(&self, merged: &Value, managed: &Managed, last: Option<&Set>) -> Option<Set> {
        let last = last.filter(|l| !l.is_empty())?;
        let last_e = self.ensure_named(last);
        let pruned = self.remove_root(merged, &last_e);
        let owned = managed
            .0
            .values()
            .fold(Set::new(), |acc, o| acc.union(&o.fields.set));
        let merged_set = self.ensure_named(&self.to_field_set(merged));
        let pruned_set = self.ensure_named(&self.to_field_set(&pruned));
        let owned_e = self.ensure_named(&owned);
        let pruned = self.remove_root(merged, &merged_set.difference(&pruned_set.union(&owned_e)));
        let pruned_set = self.ensure_named(&self.to_field_set(&pruned));
        Some(merged_set.difference(&pruned_set).intersection(&last_e))
    }

    /// The object an apply writes: live merged with the applied configuration, pruned. Built
    /// from the stored (untyped) live object so the Go zero values the typed walk adds stay out;
    /// nulls go as in Go's typed objects (unless live had them); reset fields keep their live
    /// value.
    fn output(&self, live: &Value, applied: &Value, removal: Option<&Set>, reset: &Set) -> Value {
        let mut base = live.clone();
        remove_managed_fields(&mut base);
        let mut out = self
            .merge(Some(&base), Some(applied), &mut Vec::new())
            .unwrap_or_else(|| Value::Object(Map::new()));
        if let Some(r) = removal {
            out = self.remove_root(&out, r);
        }
        self.drop_new_nulls(&mut out, Some(&base), &mut Vec::new());
        if metadata(live).is_some_and(|m| !m.is_empty()) {
            for path in reset.paths() {
                restore_path(&mut out, live, &path);
            }
        }
        out
    }

    fn drop_new_nulls(&self, out: &mut Value, live: Option<&Value>, path: &mut Vec<PathElement>) {
        match out {
            Value::Object(m) => {
                let lm = live.and_then(Value::as_object);
                m.retain(|k, v| {
                    !v.is_null() || lm.and_then(|l| l.get(k)).is_some_and(Value::is_null)
                });
                for (k, v) in m.iter_mut() {
                    let lv = lm.and_then(|l| l.get(k));
                    with(path, PathElement::field(k), |p| {
                        self.drop_new_nulls(v, lv, p)
                    });
                }
            }
            Value::Array(items) => {
                let la = live.and_then(Value::as_array);
                let lt = self.list_type(path);
                for (i, item) in items.iter_mut().enumerate() {
                    let pe = if lt == ListType::Atomic {
                        None
                    } else {
                        self.item_pe(path, &lt, item).ok()
                    };
                    let lv = match (&pe, la) {
                        (Some(pe), Some(la)) => la
                            .iter()
                            .find(|l| self.item_pe(path, &lt, l).ok().as_ref() == Some(pe)),
                        (None, Some(la)) => la.get(i),
                        _ => None,
                    };
                    let pe = pe.unwrap_or(PathElement::Index(i as i64));
                    with(path, pe, |p| self.drop_new_nulls(item, lv, p));
                }
            }
            _ => {}
        }
    }

    /// Upstream `lastAppliedManager.allowedConflictsFromLastApplied`: the fields of the
    /// last-applied annotation that still hold the live value.
    fn allowed_from_last_applied(&self, live: &Value, op: &Operation<'_>) -> Option<Set> {
        let text = metadata(live)?
            .get("annotations")?
            .get(LAST_APPLIED_ANNOTATION)?
            .as_str()
            .filter(|s| !s.is_empty())?;
        let last: Value = serde_json::from_str(text).ok()?;
        if !last.is_object()
            || last.get("apiVersion").and_then(Value::as_str) != Some(op.api_version)
        {
            return None;
        }
        self.validate(&last, false).ok()?;
        let set = self.to_field_set(&last);
        let cmp = self.compare(&last, &self.typed_root(live));
        Some(
            set.difference(&cmp.modified)
                .difference(&cmp.added)
                .difference(&cmp.removed),
        )
    }
}

/// Sets `path` (field names) of `out` to its value in `live`, or removes it.
fn restore_path(out: &mut Value, live: &Value, path: &[PathElement]) {
    let names: Option<Vec<&str>> = path
        .iter()
        .map(|pe| match pe {
            PathElement::Field(n) => Some(n.as_str()),
            _ => None,
        })
        .collect();
    let Some((last, parents)) = names.as_deref().and_then(<[&str]>::split_last) else {
        return;
    };
    let mut lv = Some(live);
    for n in parents {
        lv = lv.and_then(|v| v.get(n));
    }
    let live_value = lv.and_then(|v| v.get(last)).cloned();
    let mut node = out;
    for n in parents {
        let Some(m) = node.as_object_mut() else {
            return;
        };
        if !m.contains_key(*n) {
            if live_value.is_none() {
                return;
            }
            m.insert((*n).to_string(), Value::Object(Map::new()));
        }
        let Some(next) = m.get_mut(*n) else {
            return;
        };
        node = next;
    }
    if let Some(m) = node.as_object_mut() {
        match live_value {
            Some(v) => {
                m.insert((*last).to_string(), v);
            }
            None => {
                m.remove(*last);
            }
        }
    }
}

fn has_last_applied(obj: &Value) -> bool {
    metadata(obj)
        .and_then(|m| m.get("annotations"))
        .and_then(|a| a.get(LAST_APPLIED_ANNOTATION))
        .and_then(Value::as_str)
        .is_some_and(|s| !s.is_empty())
}

/// Upstream `buildLastApplied`: the applied configuration without the annotation, as Go's
/// `encoding/json` writes it (keys sorted, trailing newline).
fn build_last_applied(applied: &Value) -> String {
    let mut obj = applied.clone();
    if let Some(a) = obj
        .get_mut("metadata")
        .and_then(|m| m.get_mut("annotations"))
        .and_then(Value::as_object_mut)
    {
        a.remove(LAST_APPLIED_ANNOTATION);
    }
    format!("{}\n", go_json(&obj))
}

/// Upstream `SetLastApplied`: dropped when annotations would exceed 256 KiB.
fn set_last_applied(obj: &mut Value, value: String) {
    let Some(md) = metadata_mut(obj) else {
        return;
    };
    let annotations = md
        .entry("annotations")
        .or_insert_with(|| Value::Object(Map::new()));
    let Some(a) = annotations.as_object_mut() else {
        return;
    };
    a.insert(LAST_APPLIED_ANNOTATION.into(), Value::String(value));
    let size: usize = a
        .iter()
        .map(|(k, v)| k.len() + v.as_str().map_or(0, str::len))
        .sum();
    if size > TOTAL_ANNOTATION_SIZE_LIMIT {
        a.remove(LAST_APPLIED_ANNOTATION);
    }
}

// ---------------------------------------------------------------------------------------------
// Entry points.
// ---------------------------------------------------------------------------------------------

/// Server-side apply of `applied` (the request body) over `live` (`None`: the object does not
/// exist yet). Returns the object to write: live merged with the applied configuration (lists
/// merged per their type; fields this manager applied before and no longer applies removed
/// unless another manager owns them), with `metadata.managedFields` updated: this manager's
/// Apply entry replaced, other managers without the fields this apply took (with `force`) or
/// that it removed, empty entries gone. The caller defaults and validates the result.
///
/// Errors: 400 when `apiVersion`/`kind` do not match `op` (`invalid object type: ...`) or the
/// body sets `metadata.managedFields`; 409 [`Conflicts`] when, without `force`, a field is set
/// to another value than the one another manager set (a manager named `kubectl` may take over
/// fields its `last-applied-configuration` annotation still describes, as upstream); 500 for
/// objects that do not fit the schema.
pub fn apply(
    live: Option<&Value>,
    applied: &Value,
    force: bool,
    op: &Operation<'_>,
    types: &dyn TypeInfo,
) -> Result<Value, ApplyError> {
    let av = applied
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or("");
    let kind = applied.get("kind").and_then(Value::as_str).unwrap_or("");
    if !applied.is_object() || av != op.api_version || kind != op.kind {
        return Err(ApplyError::BadRequest(format!(
            "invalid object type: {}",
            gvk_string(av, kind)
        )));
    }
    let engine = Engine { t: types };
    let live = live.cloned().unwrap_or_else(|| Value::Object(Map::new()));
    let managed = Managed::decode(metadata(&live).and_then(|m| m.get("managedFields")))
        .map_err(|e| ApplyError::Internal(format!("failed to decode managed fields: {e}")))?;
    let reset = types.reset_fields(op.subresource);
    let mut result = engine.apply_managed(&live, applied, managed.clone(), op, force, &reset);
    if op.manager == "kubectl"
        && let Err(ApplyError::Conflict(conflicts)) = &result
        && let Some(allowed) = engine.allowed_from_last_applied(&live, op)
    {
        if conflicts.paths().difference(&allowed).is_empty() {
            result = engine.apply_managed(&live, applied, managed, op, true, &reset);
        } else {
            let remaining = conflicts
                .0
                .iter()
                .filter(|c| !allowed.has(&c.path))
                .cloned()
                .collect();
            result = Err(ApplyError::Conflict(Conflicts(remaining)));
        }
    }
    let (mut obj, managed) = result?;
    if op.manager == "kubectl" && has_last_applied(&obj) {
        set_last_applied(&mut obj, build_last_applied(applied));
    }
    set_managed_fields(&mut obj, &managed);
    Ok(obj)
}

/// Records a non-apply write (create: `old` is `None`; update; patch) in `new`'s
/// `metadata.managedFields`, as upstream `FieldManager.UpdateNoErrors`: `op.manager`'s Update
/// entry (per apiVersion and subresource) gains the fields that changed and gets `op.now` as its
/// time, other managers lose them; fields removed lose their owners. Call it with the defaulted
/// objects, before the strategy resets fields.
///
/// managedFields sent in the request replace the stored ones on the main resource (`[]` or
/// `[{}]` clears them; absent or undecodable keeps the stored ones); subresource writes always
/// keep the stored ones. An existing object without managedFields is not tracked (upstream only
/// starts tracking on create or at the first apply). More than 10 Update managers are merged,
/// oldest first, into `ancient-changes`. If the objects do not fit the schema, managedFields
/// are dropped, as upstream.
pub fn update(old: Option<&Value>, new: &mut Value, op: &Operation<'_>, types: &dyn TypeInfo) {
    if !new.is_object() {
        return;
    }
    let engine = Engine { t: types };
    let stored = || {
        Managed::decode(old.and_then(metadata).and_then(|m| m.get("managedFields")))
            .unwrap_or_default()
    };
    let managed = if op.subresource.is_some() {
        stored()
    } else {
        let sent = metadata(new).and_then(|m| m.get("managedFields"));
        if is_reset_managed_fields(sent) {
            Managed::default()
        } else {
            match Managed::decode(sent) {
                Ok(m) if !m.is_empty() => m,
                _ => stored(),
            }
        }
    };
    remove_managed_fields(new);
    let creating = old.is_none_or(|o| {
        metadata(o)
            .and_then(|m| m.get("uid"))
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
    });
    if managed.is_empty() && !creating {
        return;
    }
    let empty = Value::Object(Map::new());
    let live = old.unwrap_or(&empty);
    let reset = types.reset_fields(op.subresource);
    if let Ok(managed) = engine.update_managed(live, new, managed, op.manager, op, &reset) {
        set_managed_fields(new, &managed);
    }
}

/// Records a write through the `scale` subresource, which changed `spec.replicas` of the parent
/// object from `old` to `new` (upstream `ScaleHandler` around the Scale's field manager): if
/// some manager owned `spec.replicas`, `op.manager` takes it in an Update entry with
/// subresource `scale` (without time, as upstream), and its previous owners lose it; entries of
/// other apiVersions are dropped. `op.subresource` is ignored.
pub fn update_scale(old: &Value, new: &mut Value, op: &Operation<'_>) {
    if !new.is_object() {
        return;
    }
    let replicas = [PathElement::field("spec"), PathElement::field("replicas")];
    let parent =
        Managed::decode(metadata(old).and_then(|m| m.get("managedFields"))).unwrap_or_default();
    // The Scale's own managers: those of the parent owning replicas.
    let mut scale = Managed::default();
    for (key, o) in &parent.0 {
        if o.fields.api_version == op.api_version && o.fields.set.has(&replicas) {
            let mut o = o.clone();
            o.fields = VersionedSet {
                set: Set::from_paths([&replicas]),
                api_version: "autoscaling/v1".into(),
                applied: o.fields.applied,
            };
            scale.0.insert(key.clone(), o);
        }
    }
    if !scale.is_empty() {
        // A Scale's spec.replicas is an int32 with omitempty: 0 is absent.
        let read = |v: &Value| {
            v.pointer("/spec/replicas")
                .filter(|r| r.as_f64() != Some(0.0) && !r.is_null())
                .cloned()
        };
        let (before, after) = (read(old), read(new));
        let cmp = match (&before, &after) {
            (Some(a), Some(b)) if !value_eq(a, b) => (false, true),
            (None, Some(_)) => (false, true),
            (Some(_), None) => (true, false),
            _ => (false, false),
        };
        let (removed, changed) = cmp;
        if removed || changed {
            for o in scale.0.values_mut() {
                o.fields.set = Set::new();
            }
            scale.0.retain(|_, o| !o.fields.set.is_empty());
        }
        if changed {
            let id = ManagerId::new(
                if op.manager.is_empty() {
                    "unknown"
                } else {
                    op.manager
                },
                "Update",
                "autoscaling/v1",
                "scale",
            );
            scale.0.insert(
                id.key(),
                Owner {
                    id,
                    fields: VersionedSet {
                        set: Set::from_paths([&replicas]),
                        api_version: "autoscaling/v1".into(),
                        applied: false,
                    },
                    time: Some(normalize_time(op.now)),
                },
            );
        }
    }
    // Back to the parent (upstream `ToParent`).
    let mut out = Managed::default();
    for (key, o) in &parent.0 {
        if o.fields.api_version != op.api_version {
            continue;
        }
        // Entries without replicas, and owners the scale write did not take it from, stay.
        if !o.fields.set.has(&replicas) || scale.0.remove(key).is_some() {
            out.0.insert(key.clone(), o.clone());
        } else {
            let set = o.fields.set.difference(&Set::from_paths([&replicas]));
            if !set.is_empty() {
                let mut o = o.clone();
                o.fields.set = set;
                out.0.insert(key.clone(), o);
            }
        }
    }
    for (key, o) in scale.0 {
        if !o.fields.set.has(&replicas) {
            continue;
        }
        let mut id = o.id.clone();
        id.api_version = op.api_version.to_string();
        let time = parent.0.get(&key).and_then(|p| p.time.clone());
        out.0.insert(
            key,
            Owner {
                id,
                fields: VersionedSet {
                    set: Set::from_paths([&replicas]),
                    api_version: op.api_version.to_string(),
                    applied: o.fields.applied,
                },
                time,
            },
        );
    }
    set_managed_fields(new, &out);
}

// ---------------------------------------------------------------------------------------------
// Built-in schema, generated from the Go types of k8s.io/api, k8s.io/apimachinery
// (meta/v1), k8s.io/apiextensions-apiserver and k8s.io/kube-aggregator at v0.33.0: list types
// and keys (`+listType`, `+listMapKey`, `patchStrategy`/`patchMergeKey`), key defaults
// (`+default`), atomic structs and maps (`+structType`, `+mapType`) and the zero values Go's
// typed objects carry. Structs and fields without such facts are left out.
// ---------------------------------------------------------------------------------------------

use schema::root;

#[rustfmt::skip]
mod schema {
    use super::{Ls, St, Ty, Zero, fd};

    static ANY: Ty = Ty::Any;
    static E_ADMISSIONREGISTRATION_V1_AUDIT_ANNOTATION: Ty = Ty::Struct(&ADMISSIONREGISTRATION_V1_AUDIT_ANNOTATION, false);
    static E_ADMISSIONREGISTRATION_V1_EXPRESSION_WARNING: Ty = Ty::Struct(&ADMISSIONREGISTRATION_V1_EXPRESSION_WARNING, false);
    static E_ADMISSIONREGISTRATION_V1_MATCH_CONDITION: Ty = Ty::Struct(&ADMISSIONREGISTRATION_V1_MATCH_CONDITION, false);
    static E_ADMISSIONREGISTRATION_V1_MUTATING_WEBHOOK: Ty = Ty::Struct(&ADMISSIONREGISTRATION_V1_MUTATING_WEBHOOK, false);
    static E_ADMISSIONREGISTRATION_V1_NAMED_RULE_WITH_OPERATIONS_ATOMIC: Ty = Ty::Struct(&ADMISSIONREGISTRATION_V1_NAMED_RULE_WITH_OPERATIONS, true);
    static E_ADMISSIONREGISTRATION_V1_VALIDATING_WEBHOOK: Ty = Ty::Struct(&ADMISSIONREGISTRATION_V1_VALIDATING_WEBHOOK, false);
    static E_ADMISSIONREGISTRATION_V1_VALIDATION: Ty = Ty::Struct(&ADMISSIONREGISTRATION_V1_VALIDATION, false);
    static E_ADMISSIONREGISTRATION_V1_VARIABLE_ATOMIC: Ty = Ty::Struct(&ADMISSIONREGISTRATION_V1_VARIABLE, true);
    static E_APIEXTENSIONS_V1_CUSTOM_RESOURCE_COLUMN_DEFINITION: Ty = Ty::Struct(&APIEXTENSIONS_V1_CUSTOM_RESOURCE_COLUMN_DEFINITION, false);
    static E_APIEXTENSIONS_V1_CUSTOM_RESOURCE_DEFINITION_CONDITION: Ty = Ty::Struct(&APIEXTENSIONS_V1_CUSTOM_RESOURCE_DEFINITION_CONDITION, false);
    static E_APIEXTENSIONS_V1_CUSTOM_RESOURCE_DEFINITION_VERSION: Ty = Ty::Struct(&APIEXTENSIONS_V1_CUSTOM_RESOURCE_DEFINITION_VERSION, false);
    static E_APIEXTENSIONS_V1_JSONSCHEMA_PROPS: Ty = Ty::Struct(&APIEXTENSIONS_V1_JSONSCHEMA_PROPS, false);
    static E_APIEXTENSIONS_V1_SELECTABLE_FIELD: Ty = Ty::Struct(&APIEXTENSIONS_V1_SELECTABLE_FIELD, false);
    static E_APIEXTENSIONS_V1_VALIDATION_RULE: Ty = Ty::Struct(&APIEXTENSIONS_V1_VALIDATION_RULE, false);
    static E_APIREGISTRATION_V1_APISERVICE_CONDITION: Ty = Ty::Struct(&APIREGISTRATION_V1_APISERVICE_CONDITION, false);
    static E_APPS_V1_DAEMON_SET_CONDITION: Ty = Ty::Struct(&APPS_V1_DAEMON_SET_CONDITION, false);
    static E_APPS_V1_DEPLOYMENT_CONDITION: Ty = Ty::Struct(&APPS_V1_DEPLOYMENT_CONDITION, false);
    static E_APPS_V1_REPLICA_SET_CONDITION: Ty = Ty::Struct(&APPS_V1_REPLICA_SET_CONDITION, false);
    static E_APPS_V1_STATEFUL_SET_CONDITION: Ty = Ty::Struct(&APPS_V1_STATEFUL_SET_CONDITION, false);
    static E_AUTHORIZATION_V1_NON_RESOURCE_RULE: Ty = Ty::Struct(&AUTHORIZATION_V1_NON_RESOURCE_RULE, false);
    static E_AUTHORIZATION_V1_RESOURCE_RULE: Ty = Ty::Struct(&AUTHORIZATION_V1_RESOURCE_RULE, false);
    static E_AUTOSCALING_V2_HORIZONTAL_POD_AUTOSCALER_CONDITION: Ty = Ty::Struct(&AUTOSCALING_V2_HORIZONTAL_POD_AUTOSCALER_CONDITION, false);
    static E_AUTOSCALING_V2_HPASCALING_POLICY: Ty = Ty::Struct(&AUTOSCALING_V2_HPASCALING_POLICY, false);
    static E_AUTOSCALING_V2_METRIC_SPEC: Ty = Ty::Struct(&AUTOSCALING_V2_METRIC_SPEC, false);
    static E_AUTOSCALING_V2_METRIC_STATUS: Ty = Ty::Struct(&AUTOSCALING_V2_METRIC_STATUS, false);
    static E_BATCH_V1_JOB_CONDITION: Ty = Ty::Struct(&BATCH_V1_JOB_CONDITION, false);
    static E_BATCH_V1_POD_FAILURE_POLICY_ON_POD_CONDITIONS_PATTERN: Ty = Ty::Struct(&BATCH_V1_POD_FAILURE_POLICY_ON_POD_CONDITIONS_PATTERN, false);
    static E_BATCH_V1_POD_FAILURE_POLICY_RULE: Ty = Ty::Struct(&BATCH_V1_POD_FAILURE_POLICY_RULE, false);
    static E_CERTIFICATES_V1_CERTIFICATE_SIGNING_REQUEST_CONDITION: Ty = Ty::Struct(&CERTIFICATES_V1_CERTIFICATE_SIGNING_REQUEST_CONDITION, false);
    static E_CORE_V1_ATTACHED_VOLUME: Ty = Ty::Struct(&CORE_V1_ATTACHED_VOLUME, false);
    static E_CORE_V1_COMPONENT_CONDITION: Ty = Ty::Struct(&CORE_V1_COMPONENT_CONDITION, false);
    static E_CORE_V1_CONTAINER: Ty = Ty::Struct(&CORE_V1_CONTAINER, false);
    static E_CORE_V1_CONTAINER_IMAGE: Ty = Ty::Struct(&CORE_V1_CONTAINER_IMAGE, false);
    static E_CORE_V1_CONTAINER_PORT: Ty = Ty::Struct(&CORE_V1_CONTAINER_PORT, false);
    static E_CORE_V1_CONTAINER_RESIZE_POLICY: Ty = Ty::Struct(&CORE_V1_CONTAINER_RESIZE_POLICY, false);
    static E_CORE_V1_CONTAINER_STATUS: Ty = Ty::Struct(&CORE_V1_CONTAINER_STATUS, false);
    static E_CORE_V1_DOWNWARD_APIVOLUME_FILE: Ty = Ty::Struct(&CORE_V1_DOWNWARD_APIVOLUME_FILE, false);
    static E_CORE_V1_ENDPOINT_ADDRESS_ATOMIC: Ty = Ty::Struct(&CORE_V1_ENDPOINT_ADDRESS, true);
    static E_CORE_V1_ENDPOINT_PORT_ATOMIC: Ty = Ty::Struct(&CORE_V1_ENDPOINT_PORT, true);
    static E_CORE_V1_ENDPOINT_SUBSET: Ty = Ty::Struct(&CORE_V1_ENDPOINT_SUBSET, false);
    static E_CORE_V1_ENV_VAR: Ty = Ty::Struct(&CORE_V1_ENV_VAR, false);
    static E_CORE_V1_EPHEMERAL_CONTAINER: Ty = Ty::Struct(&CORE_V1_EPHEMERAL_CONTAINER, false);
    static E_CORE_V1_HOST_ALIAS: Ty = Ty::Struct(&CORE_V1_HOST_ALIAS, false);
    static E_CORE_V1_HOST_IP: Ty = Ty::Struct(&CORE_V1_HOST_IP, false);
    static E_CORE_V1_HTTPHEADER: Ty = Ty::Struct(&CORE_V1_HTTPHEADER, false);
    static E_CORE_V1_KEY_TO_PATH: Ty = Ty::Struct(&CORE_V1_KEY_TO_PATH, false);
    static E_CORE_V1_LIMIT_RANGE_ITEM: Ty = Ty::Struct(&CORE_V1_LIMIT_RANGE_ITEM, false);
    static E_CORE_V1_LOAD_BALANCER_INGRESS: Ty = Ty::Struct(&CORE_V1_LOAD_BALANCER_INGRESS, false);
    static E_CORE_V1_LOCAL_OBJECT_REFERENCE_ATOMIC: Ty = Ty::Struct(&CORE_V1_LOCAL_OBJECT_REFERENCE, true);
    static E_CORE_V1_NAMESPACE_CONDITION: Ty = Ty::Struct(&CORE_V1_NAMESPACE_CONDITION, false);
    static E_CORE_V1_NODE_ADDRESS: Ty = Ty::Struct(&CORE_V1_NODE_ADDRESS, false);
    static E_CORE_V1_NODE_CONDITION: Ty = Ty::Struct(&CORE_V1_NODE_CONDITION, false);
    static E_CORE_V1_NODE_RUNTIME_HANDLER: Ty = Ty::Struct(&CORE_V1_NODE_RUNTIME_HANDLER, false);
    static E_CORE_V1_NODE_SELECTOR_REQUIREMENT: Ty = Ty::Struct(&CORE_V1_NODE_SELECTOR_REQUIREMENT, false);
    static E_CORE_V1_NODE_SELECTOR_TERM_ATOMIC: Ty = Ty::Struct(&CORE_V1_NODE_SELECTOR_TERM, true);
    static E_CORE_V1_OBJECT_REFERENCE_ATOMIC: Ty = Ty::Struct(&CORE_V1_OBJECT_REFERENCE, true);
    static E_CORE_V1_PERSISTENT_VOLUME_CLAIM: Ty = Ty::Struct(&CORE_V1_PERSISTENT_VOLUME_CLAIM, false);
    static E_CORE_V1_PERSISTENT_VOLUME_CLAIM_CONDITION: Ty = Ty::Struct(&CORE_V1_PERSISTENT_VOLUME_CLAIM_CONDITION, false);
    static E_CORE_V1_POD_AFFINITY_TERM: Ty = Ty::Struct(&CORE_V1_POD_AFFINITY_TERM, false);
    static E_CORE_V1_POD_CONDITION: Ty = Ty::Struct(&CORE_V1_POD_CONDITION, false);
    static E_CORE_V1_POD_IP: Ty = Ty::Struct(&CORE_V1_POD_IP, false);
    static E_CORE_V1_POD_READINESS_GATE: Ty = Ty::Struct(&CORE_V1_POD_READINESS_GATE, false);
    static E_CORE_V1_POD_RESOURCE_CLAIM: Ty = Ty::Struct(&CORE_V1_POD_RESOURCE_CLAIM, false);
    static E_CORE_V1_POD_RESOURCE_CLAIM_STATUS: Ty = Ty::Struct(&CORE_V1_POD_RESOURCE_CLAIM_STATUS, false);
    static E_CORE_V1_POD_SCHEDULING_GATE: Ty = Ty::Struct(&CORE_V1_POD_SCHEDULING_GATE, false);
    static E_CORE_V1_PORT_STATUS: Ty = Ty::Struct(&CORE_V1_PORT_STATUS, false);
    static E_CORE_V1_PREFERRED_SCHEDULING_TERM: Ty = Ty::Struct(&CORE_V1_PREFERRED_SCHEDULING_TERM, false);
    static E_CORE_V1_REPLICATION_CONTROLLER_CONDITION: Ty = Ty::Struct(&CORE_V1_REPLICATION_CONTROLLER_CONDITION, false);
    static E_CORE_V1_RESOURCE_CLAIM: Ty = Ty::Struct(&CORE_V1_RESOURCE_CLAIM, false);
    static E_CORE_V1_RESOURCE_HEALTH: Ty = Ty::Struct(&CORE_V1_RESOURCE_HEALTH, false);
    static E_CORE_V1_RESOURCE_STATUS: Ty = Ty::Struct(&CORE_V1_RESOURCE_STATUS, false);
    static E_CORE_V1_SCOPED_RESOURCE_SELECTOR_REQUIREMENT: Ty = Ty::Struct(&CORE_V1_SCOPED_RESOURCE_SELECTOR_REQUIREMENT, false);
    static E_CORE_V1_SERVICE_PORT: Ty = Ty::Struct(&CORE_V1_SERVICE_PORT, false);
    static E_CORE_V1_SYSCTL: Ty = Ty::Struct(&CORE_V1_SYSCTL, false);
    static E_CORE_V1_TAINT: Ty = Ty::Struct(&CORE_V1_TAINT, false);
    static E_CORE_V1_TOPOLOGY_SELECTOR_LABEL_REQUIREMENT: Ty = Ty::Struct(&CORE_V1_TOPOLOGY_SELECTOR_LABEL_REQUIREMENT, false);
    static E_CORE_V1_TOPOLOGY_SELECTOR_TERM_ATOMIC: Ty = Ty::Struct(&CORE_V1_TOPOLOGY_SELECTOR_TERM, true);
    static E_CORE_V1_TOPOLOGY_SPREAD_CONSTRAINT: Ty = Ty::Struct(&CORE_V1_TOPOLOGY_SPREAD_CONSTRAINT, false);
    static E_CORE_V1_VOLUME: Ty = Ty::Struct(&CORE_V1_VOLUME, false);
    static E_CORE_V1_VOLUME_DEVICE: Ty = Ty::Struct(&CORE_V1_VOLUME_DEVICE, false);
    static E_CORE_V1_VOLUME_MOUNT: Ty = Ty::Struct(&CORE_V1_VOLUME_MOUNT, false);
    static E_CORE_V1_VOLUME_MOUNT_STATUS: Ty = Ty::Struct(&CORE_V1_VOLUME_MOUNT_STATUS, false);
    static E_CORE_V1_VOLUME_PROJECTION: Ty = Ty::Struct(&CORE_V1_VOLUME_PROJECTION, false);
    static E_CORE_V1_WEIGHTED_POD_AFFINITY_TERM: Ty = Ty::Struct(&CORE_V1_WEIGHTED_POD_AFFINITY_TERM, false);
    static E_DISCOVERY_V1_ENDPOINT: Ty = Ty::Struct(&DISCOVERY_V1_ENDPOINT, false);
    static E_DISCOVERY_V1_ENDPOINT_PORT_ATOMIC: Ty = Ty::Struct(&DISCOVERY_V1_ENDPOINT_PORT, true);
    static E_DISCOVERY_V1_FOR_NODE: Ty = Ty::Struct(&DISCOVERY_V1_FOR_NODE, false);
    static E_DISCOVERY_V1_FOR_ZONE: Ty = Ty::Struct(&DISCOVERY_V1_FOR_ZONE, false);
    static E_FLOWCONTROL_V1_FLOW_SCHEMA_CONDITION: Ty = Ty::Struct(&FLOWCONTROL_V1_FLOW_SCHEMA_CONDITION, false);
    static E_FLOWCONTROL_V1_NON_RESOURCE_POLICY_RULE: Ty = Ty::Struct(&FLOWCONTROL_V1_NON_RESOURCE_POLICY_RULE, false);
    static E_FLOWCONTROL_V1_POLICY_RULES_WITH_SUBJECTS: Ty = Ty::Struct(&FLOWCONTROL_V1_POLICY_RULES_WITH_SUBJECTS, false);
    static E_FLOWCONTROL_V1_PRIORITY_LEVEL_CONFIGURATION_CONDITION: Ty = Ty::Struct(&FLOWCONTROL_V1_PRIORITY_LEVEL_CONFIGURATION_CONDITION, false);
    static E_FLOWCONTROL_V1_RESOURCE_POLICY_RULE: Ty = Ty::Struct(&FLOWCONTROL_V1_RESOURCE_POLICY_RULE, false);
    static E_FLOWCONTROL_V1_SUBJECT: Ty = Ty::Struct(&FLOWCONTROL_V1_SUBJECT, false);
    static E_META_V1_CONDITION: Ty = Ty::Struct(&META_V1_CONDITION, false);
    static E_META_V1_FIELD_SELECTOR_REQUIREMENT: Ty = Ty::Struct(&META_V1_FIELD_SELECTOR_REQUIREMENT, false);
    static E_META_V1_LABEL_SELECTOR_ATOMIC: Ty = Ty::Struct(&META_V1_LABEL_SELECTOR, true);
    static E_META_V1_LABEL_SELECTOR_REQUIREMENT: Ty = Ty::Struct(&META_V1_LABEL_SELECTOR_REQUIREMENT, false);
    static E_META_V1_OWNER_REFERENCE_ATOMIC: Ty = Ty::Struct(&META_V1_OWNER_REFERENCE, true);
    static E_NETWORKING_V1_HTTPINGRESS_PATH: Ty = Ty::Struct(&NETWORKING_V1_HTTPINGRESS_PATH, false);
    static E_NETWORKING_V1_INGRESS_LOAD_BALANCER_INGRESS: Ty = Ty::Struct(&NETWORKING_V1_INGRESS_LOAD_BALANCER_INGRESS, false);
    static E_NETWORKING_V1_INGRESS_PORT_STATUS: Ty = Ty::Struct(&NETWORKING_V1_INGRESS_PORT_STATUS, false);
    static E_NETWORKING_V1_INGRESS_RULE: Ty = Ty::Struct(&NETWORKING_V1_INGRESS_RULE, false);
    static E_NETWORKING_V1_NETWORK_POLICY_EGRESS_RULE: Ty = Ty::Struct(&NETWORKING_V1_NETWORK_POLICY_EGRESS_RULE, false);
    static E_NETWORKING_V1_NETWORK_POLICY_INGRESS_RULE: Ty = Ty::Struct(&NETWORKING_V1_NETWORK_POLICY_INGRESS_RULE, false);
    static E_NETWORKING_V1_NETWORK_POLICY_PEER: Ty = Ty::Struct(&NETWORKING_V1_NETWORK_POLICY_PEER, false);
    static E_RBAC_V1_POLICY_RULE: Ty = Ty::Struct(&RBAC_V1_POLICY_RULE, false);
    static E_RBAC_V1_SUBJECT_ATOMIC: Ty = Ty::Struct(&RBAC_V1_SUBJECT, true);
    static E_STORAGE_V1_CSINODE_DRIVER: Ty = Ty::Struct(&STORAGE_V1_CSINODE_DRIVER, false);
    static E_STORAGE_V1_TOKEN_REQUEST: Ty = Ty::Struct(&STORAGE_V1_TOKEN_REQUEST, false);
    static ADMISSIONREGISTRATION_V1_AUDIT_ANNOTATION: St = St(&[
        fd("key", Ty::Any, Zero::Str),
        fd("valueExpression", Ty::Any, Zero::Str),
    ]);
    static ADMISSIONREGISTRATION_V1_EXPRESSION_WARNING: St = St(&[
        fd("fieldRef", Ty::Any, Zero::Str),
        fd("warning", Ty::Any, Zero::Str),
    ]);
    static ADMISSIONREGISTRATION_V1_MATCH_CONDITION: St = St(&[
        fd("name", Ty::Any, Zero::Str),
        fd("expression", Ty::Any, Zero::Str),
    ]);
    static ADMISSIONREGISTRATION_V1_MATCH_RESOURCES: St = St(&[
        fd("namespaceSelector", Ty::Struct(&META_V1_LABEL_SELECTOR, true), Zero::Absent),
        fd("objectSelector", Ty::Struct(&META_V1_LABEL_SELECTOR, true), Zero::Absent),
        fd("resourceRules", Ty::List(&E_ADMISSIONREGISTRATION_V1_NAMED_RULE_WITH_OPERATIONS_ATOMIC, Ls::Atomic), Zero::Absent),
        fd("excludeResourceRules", Ty::List(&E_ADMISSIONREGISTRATION_V1_NAMED_RULE_WITH_OPERATIONS_ATOMIC, Ls::Atomic), Zero::Absent),
    ]);
    static ADMISSIONREGISTRATION_V1_MUTATING_WEBHOOK: St = St(&[
        fd("name", Ty::Any, Zero::Str),
        fd("clientConfig", Ty::Struct(&ADMISSIONREGISTRATION_V1_WEBHOOK_CLIENT_CONFIG, false), Zero::Struct),
        fd("namespaceSelector", Ty::Struct(&META_V1_LABEL_SELECTOR, true), Zero::Absent),
        fd("objectSelector", Ty::Struct(&META_V1_LABEL_SELECTOR, true), Zero::Absent),
        fd("sideEffects", Ty::Any, Zero::Null),
        fd("admissionReviewVersions", Ty::Any, Zero::Null),
        fd("matchConditions", Ty::List(&E_ADMISSIONREGISTRATION_V1_MATCH_CONDITION, Ls::Map(&[("name", None)])), Zero::Absent),
    ]);
    static ADMISSIONREGISTRATION_V1_MUTATING_WEBHOOK_CONFIGURATION: St = St(&[
        fd("metadata", Ty::Struct(&META_V1_OBJECT_META, false), Zero::Struct),
        fd("webhooks", Ty::List(&E_ADMISSIONREGISTRATION_V1_MUTATING_WEBHOOK, Ls::Map(&[("name", None)])), Zero::Absent),
    ]);
    static ADMISSIONREGISTRATION_V1_NAMED_RULE_WITH_OPERATIONS: St = St(&[
    ]);
    static ADMISSIONREGISTRATION_V1_PARAM_KIND: St = St(&[
    ]);
    static ADMISSIONREGISTRATION_V1_PARAM_REF: St = St(&[
        fd("selector", Ty::Struct(&META_V1_LABEL_SELECTOR, true), Zero::Absent),
    ]);
    static ADMISSIONREGISTRATION_V1_SERVICE_REFERENCE: St = St(&[
        fd("namespace", Ty::Any, Zero::Str),
        fd("name", Ty::Any, Zero::Str),
    ]);
    static ADMISSIONREGISTRATION_V1_TYPE_CHECKING: St = St(&[
        fd("expressionWarnings", Ty::List(&E_ADMISSIONREGISTRATION_V1_EXPRESSION_WARNING, Ls::Atomic), Zero::Absent),
    ]);
    static ADMISSIONREGISTRATION_V1_VALIDATING_ADMISSION_POLICY: St = St(&[
        fd("metadata", Ty::Struct(&META_V1_OBJECT_META, false), Zero::Struct),
        fd("spec", Ty::Struct(&ADMISSIONREGISTRATION_V1_VALIDATING_ADMISSION_POLICY_SPEC, false), Zero::Struct),
        fd("status", Ty::Struct(&ADMISSIONREGISTRATION_V1_VALIDATING_ADMISSION_POLICY_STATUS, false), Zero::Struct),
    ]);
    static ADMISSIONREGISTRATION_V1_VALIDATING_ADMISSION_POLICY_BINDING: St = St(&[
        fd("metadata", Ty::Struct(&META_V1_OBJECT_META, false), Zero::Struct),
        fd("spec", Ty::Struct(&ADMISSIONREGISTRATION_V1_VALIDATING_ADMISSION_POLICY_BINDING_SPEC, false), Zero::Struct),
    ]);
    static ADMISSIONREGISTRATION_V1_VALIDATING_ADMISSION_POLICY_BINDING_SPEC: St = St(&[
        fd("paramRef", Ty::Struct(&ADMISSIONREGISTRATION_V1_PARAM_REF, true), Zero::Absent),
        fd("matchResources", Ty::Struct(&ADMISSIONREGISTRATION_V1_MATCH_RESOURCES, true), Zero::Absent),
        fd("validationActions", Ty::List(&ANY, Ls::Set), Zero::Absent),
    ]);
    static ADMISSIONREGISTRATION_V1_VALIDATING_ADMISSION_POLICY_SPEC: St = St(&[
        fd("paramKind", Ty::Struct(&ADMISSIONREGISTRATION_V1_PARAM_KIND, true), Zero::Absent),
        fd("matchConstraints", Ty::Struct(&ADMISSIONREGISTRATION_V1_MATCH_RESOURCES, true), Zero::Absent),
        fd("validations", Ty::List(&E_ADMISSIONREGISTRATION_V1_VALIDATION, Ls::Atomic), Zero::Absent),
        fd("auditAnnotations", Ty::List(&E_ADMISSIONREGISTRATION_V1_AUDIT_ANNOTATION, Ls::Atomic), Zero::Absent),
        fd("matchConditions", Ty::List(&E_ADMISSIONREGISTRATION_V1_MATCH_CONDITION, Ls::Map(&[("name", None)])), Zero::Absent),
        fd("variables", Ty::List(&E_ADMISSIONREGISTRATION_V1_VARIABLE_ATOMIC, Ls::Map(&[("name", None)])), Zero::Absent),
    ]);
    static ADMISSIONREGISTRATION_V1_VALIDATING_ADMISSION_POLICY_STATUS: St = St(&[
        fd("typeChecking", Ty::Struct(&ADMISSIONREGISTRATION_V1_TYPE_CHECKING, false), Zero::Absent),
        fd("conditions", Ty::List(&E_META_V1_CONDITION, Ls::Map(&[("type", None)])), Zero::Absent),
    ]);
    static ADMISSIONREGISTRATION_V1_VALIDATING_WEBHOOK: St = St(&[
        fd("name", Ty::Any, Zero::Str),
        fd("clientConfig", Ty::Struct(&ADMISSIONREGISTRATION_V1_WEBHOOK_CLIENT_CONFIG, false), Zero::Struct),
        fd("namespaceSelector", Ty::Struct(&META_V1_LABEL_SELECTOR, true), Zero::Absent),
        fd("objectSelector", Ty::Struct(&META_V1_LABEL_SELECTOR, true), Zero::Absent),
        fd("sideEffects", Ty::Any, Zero::Null),
        fd("admissionReviewVersions", Ty::Any, Zero::Null),
        fd("matchConditions", Ty::List(&E_ADMISSIONREGISTRATION_V1_MATCH_CONDITION, Ls::Map(&[("name", None)])), Zero::Absent),
    ]);
    static ADMISSIONREGISTRATION_V1_VALIDATING_WEBHOOK_CONFIGURATION: St = St(&[
        fd("metadata", Ty::Struct(&META_V1_OBJECT_META, false), Zero::Struct),
        fd("webhooks", Ty::List(&E_ADMISSIONREGISTRATION_V1_VALIDATING_WEBHOOK, Ls::Map(&[("name", None)])), Zero::Absent),
    ]);
    static ADMISSIONREGISTRATION_V1_VALIDATION: St = St(&[
        fd("expression", Ty::Any, Zero::Str),
    ]);
    static ADMISSIONREGISTRATION_V1_VARIABLE: St = St(&[
        fd("name", Ty::Any, Zero::Str),
        fd("expression", Ty::Any, Zero::Str),
    ]);
    static ADMISSIONREGISTRATION_V1_WEBHOOK_CLIENT_CONFIG: St = St(&[
        fd("service", Ty::Struct(&ADMISSIONREGISTRATION_V1_SERVICE_REFERENCE, false), Zero::Absent),
    ]);
    static APIEXTENSIONS_V1_CUSTOM_RESOURCE_COLUMN_DEFINITION: St = St(&[
        fd("name", Ty::Any, Zero::Str),
        fd("type", Ty::Any, Zero::Str),
        fd("jsonPath", Ty::Any, Zero::Str),
    ]);
    static APIEXTENSIONS_V1_CUSTOM_RESOURCE_CONVERSION: St = St(&[
        fd("strategy", Ty::Any, Zero::Str),
        fd("webhook", Ty::Struct(&APIEXTENSIONS_V1_WEBHOOK_CONVERSION, false), Zero::Absent),
    ]);
    static APIEXTENSIONS_V1_CUSTOM_RESOURCE_DEFINITION: St = St(&[
        fd("metadata", Ty::Struct(&META_V1_OBJECT_META, false), Zero::Struct),
        fd("spec", Ty::Struct(&APIEXTENSIONS_V1_CUSTOM_RESOURCE_DEFINITION_SPEC, false), Zero::Struct),
        fd("status", Ty::Struct(&APIEXTENSIONS_V1_CUSTOM_RESOURCE_DEFINITION_STATUS, false), Zero::Struct),
    ]);
    static APIEXTENSIONS_V1_CUSTOM_RESOURCE_DEFINITION_CONDITION: St = St(&[
        fd("type", Ty::Any, Zero::Str),
        fd("status", Ty::Any, Zero::Str),
        fd("lastTransitionTime", Ty::Any, Zero::Null),
    ]);
    static APIEXTENSIONS_V1_CUSTOM_RESOURCE_DEFINITION_NAMES: St = St(&[
        fd("plural", Ty::Any, Zero::Str),
        fd("kind", Ty::Any, Zero::Str),
    ]);
    static APIEXTENSIONS_V1_CUSTOM_RESOURCE_DEFINITION_SPEC: St = St(&[
        fd("group", Ty::Any, Zero::Str),
        fd("names", Ty::Struct(&APIEXTENSIONS_V1_CUSTOM_RESOURCE_DEFINITION_NAMES, false), Zero::Struct),
        fd("scope", Ty::Any, Zero::Str),
        fd("versions", Ty::List(&E_APIEXTENSIONS_V1_CUSTOM_RESOURCE_DEFINITION_VERSION, Ls::Atomic), Zero::Null),
        fd("conversion", Ty::Struct(&APIEXTENSIONS_V1_CUSTOM_RESOURCE_CONVERSION, false), Zero::Absent),
    ]);
    static APIEXTENSIONS_V1_CUSTOM_RESOURCE_DEFINITION_STATUS: St = St(&[
        fd("conditions", Ty::List(&E_APIEXTENSIONS_V1_CUSTOM_RESOURCE_DEFINITION_CONDITION, Ls::Map(&[("type", None)])), Zero::Null),
        fd("acceptedNames", Ty::Struct(&APIEXTENSIONS_V1_CUSTOM_RESOURCE_DEFINITION_NAMES, false), Zero::Struct),
        fd("storedVersions", Ty::Any, Zero::Null),
    ]);
    static APIEXTENSIONS_V1_CUSTOM_RESOURCE_DEFINITION_VERSION: St = St(&[
        fd("name", Ty::Any, Zero::Str),
        fd("served", Ty::Any, Zero::False),
        fd("storage", Ty::Any, Zero::False),
        fd("schema", Ty::Struct(&APIEXTENSIONS_V1_CUSTOM_RESOURCE_VALIDATION, false), Zero::Absent),
        fd("subresources", Ty::Struct(&APIEXTENSIONS_V1_CUSTOM_RESOURCE_SUBRESOURCES, false), Zero::Absent),
        fd("additionalPrinterColumns", Ty::List(&E_APIEXTENSIONS_V1_CUSTOM_RESOURCE_COLUMN_DEFINITION, Ls::Atomic), Zero::Absent),
        fd("selectableFields", Ty::List(&E_APIEXTENSIONS_V1_SELECTABLE_FIELD, Ls::Atomic), Zero::Absent),
    ]);
    static APIEXTENSIONS_V1_CUSTOM_RESOURCE_SUBRESOURCES: St = St(&[
        fd("scale", Ty::Struct(&APIEXTENSIONS_V1_CUSTOM_RESOURCE_SUBRESOURCE_SCALE, false), Zero::Absent),
    ]);
    static APIEXTENSIONS_V1_CUSTOM_RESOURCE_SUBRESOURCE_SCALE: St = St(&[
        fd("specReplicasPath", Ty::Any, Zero::Str),
        fd("statusReplicasPath", Ty::Any, Zero::Str),
    ]);
    static APIEXTENSIONS_V1_CUSTOM_RESOURCE_VALIDATION: St = St(&[
        fd("openAPIV3Schema", Ty::Struct(&APIEXTENSIONS_V1_JSONSCHEMA_PROPS, false), Zero::Absent),
    ]);
    static APIEXTENSIONS_V1_JSONSCHEMA_PROPS: St = St(&[
        fd("allOf", Ty::List(&E_APIEXTENSIONS_V1_JSONSCHEMA_PROPS, Ls::Atomic), Zero::Absent),
        fd("oneOf", Ty::List(&E_APIEXTENSIONS_V1_JSONSCHEMA_PROPS, Ls::Atomic), Zero::Absent),
        fd("anyOf", Ty::List(&E_APIEXTENSIONS_V1_JSONSCHEMA_PROPS, Ls::Atomic), Zero::Absent),
        fd("not", Ty::Struct(&APIEXTENSIONS_V1_JSONSCHEMA_PROPS, false), Zero::Absent),
        fd("properties", Ty::Map(&E_APIEXTENSIONS_V1_JSONSCHEMA_PROPS, false), Zero::Absent),
        fd("patternProperties", Ty::Map(&E_APIEXTENSIONS_V1_JSONSCHEMA_PROPS, false), Zero::Absent),
        fd("definitions", Ty::Map(&E_APIEXTENSIONS_V1_JSONSCHEMA_PROPS, false), Zero::Absent),
        fd("x-kubernetes-validations", Ty::List(&E_APIEXTENSIONS_V1_VALIDATION_RULE, Ls::Map(&[("rule", None)])), Zero::Absent),
    ]);
    static APIEXTENSIONS_V1_SELECTABLE_FIELD: St = St(&[
        fd("jsonPath", Ty::Any, Zero::Str),
    ]);
    static APIEXTENSIONS_V1_SERVICE_REFERENCE: St = St(&[
        fd("namespace", Ty::Any, Zero::Str),
        fd("name", Ty::Any, Zero::Str),
    ]);
    static APIEXTENSIONS_V1_VALIDATION_RULE: St = St(&[
        fd("rule", Ty::Any, Zero::Str),
    ]);
    static APIEXTENSIONS_V1_WEBHOOK_CLIENT_CONFIG: St = St(&[
        fd("service", Ty::Struct(&APIEXTENSIONS_V1_SERVICE_REFERENCE, false), Zero::Absent),
    ]);
    static APIEXTENSIONS_V1_WEBHOOK_CONVERSION: St = St(&[
        fd("clientConfig", Ty::Struct(&APIEXTENSIONS_V1_WEBHOOK_CLIENT_CONFIG, false), Zero::Absent),
        fd("conversionReviewVersions", Ty::Any, Zero::Null),
    ]);
    static APIREGISTRATION_V1_APISERVICE: St = St(&[
        fd("metadata", Ty::Struct(&META_V1_OBJECT_META, false), Zero::Struct),
        fd("spec", Ty::Struct(&APIREGISTRATION_V1_APISERVICE_SPEC, false), Zero::Struct),
        fd("status", Ty::Struct(&APIREGISTRATION_V1_APISERVICE_STATUS, false), Zero::Struct),
    ]);
    static APIREGISTRATION_V1_APISERVICE_CONDITION: St = St(&[
        fd("type", Ty::Any, Zero::Str),
        fd("status", Ty::Any, Zero::Str),
        fd("lastTransitionTime", Ty::Any, Zero::Null),
    ]);
    static APIREGISTRATION_V1_APISERVICE_SPEC: St = St(&[
        fd("groupPriorityMinimum", Ty::Any, Zero::Int),
        fd("versionPriority", Ty::Any, Zero::Int),
    ]);
    static APIREGISTRATION_V1_APISERVICE_STATUS: St = St(&[
        fd("conditions", Ty::List(&E_APIREGISTRATION_V1_APISERVICE_CONDITION, Ls::Map(&[("type", None)])), Zero::Absent),
    ]);
    static APPS_V1_CONTROLLER_REVISION: St = St(&[
        fd("metadata", Ty::Struct(&META_V1_OBJECT_META, false), Zero::Struct),
        fd("data", Ty::Any, Zero::Null),
        fd("revision", Ty::Any, Zero::Int),
    ]);
    static APPS_V1_DAEMON_SET: St = St(&[
        fd("metadata", Ty::Struct(&META_V1_OBJECT_META, false), Zero::Struct),
        fd("spec", Ty::Struct(&APPS_V1_DAEMON_SET_SPEC, false), Zero::Struct),
        fd("status", Ty::Struct(&APPS_V1_DAEMON_SET_STATUS, false), Zero::Struct),
    ]);
    static APPS_V1_DAEMON_SET_CONDITION: St = St(&[
        fd("type", Ty::Any, Zero::Str),
        fd("status", Ty::Any, Zero::Str),
        fd("lastTransitionTime", Ty::Any, Zero::Null),
    ]);
    static APPS_V1_DAEMON_SET_SPEC: St = St(&[
        fd("selector", Ty::Struct(&META_V1_LABEL_SELECTOR, true), Zero::Null),
        fd("template", Ty::Struct(&CORE_V1_POD_TEMPLATE_SPEC, false), Zero::Struct),
        fd("updateStrategy", Ty::Any, Zero::Struct),
    ]);
    static APPS_V1_DAEMON_SET_STATUS: St = St(&[
        fd("currentNumberScheduled", Ty::Any, Zero::Int),
        fd("numberMisscheduled", Ty::Any, Zero::Int),
        fd("desiredNumberScheduled", Ty::Any, Zero::Int),
        fd("numberReady", Ty::Any, Zero::Int),
        fd("conditions", Ty::List(&E_APPS_V1_DAEMON_SET_CONDITION, Ls::Map(&[("type", None)])), Zero::Absent),
    ]);
    static APPS_V1_DEPLOYMENT: St = St(&[
        fd("metadata", Ty::Struct(&META_V1_OBJECT_META, false), Zero::Struct),
        fd("spec", Ty::Struct(&APPS_V1_DEPLOYMENT_SPEC, false), Zero::Struct),
        fd("status", Ty::Struct(&APPS_V1_DEPLOYMENT_STATUS, false), Zero::Struct),
    ]);
    static APPS_V1_DEPLOYMENT_CONDITION: St = St(&[
        fd("type", Ty::Any, Zero::Str),
        fd("status", Ty::Any, Zero::Str),
        fd("lastUpdateTime", Ty::Any, Zero::Null),
        fd("lastTransitionTime", Ty::Any, Zero::Null),
    ]);
    static APPS_V1_DEPLOYMENT_SPEC: St = St(&[
        fd("selector", Ty::Struct(&META_V1_LABEL_SELECTOR, true), Zero::Null),
        fd("template", Ty::Struct(&CORE_V1_POD_TEMPLATE_SPEC, false), Zero::Struct),
        fd("strategy", Ty::Any, Zero::Struct),
    ]);
    static APPS_V1_DEPLOYMENT_STATUS: St = St(&[
        fd("conditions", Ty::List(&E_APPS_V1_DEPLOYMENT_CONDITION, Ls::Map(&[("type", None)])), Zero::Absent),
    ]);
    static APPS_V1_REPLICA_SET: St = St(&[
        fd("metadata", Ty::Struct(&META_V1_OBJECT_META, false), Zero::Struct),
        fd("spec", Ty::Struct(&APPS_V1_REPLICA_SET_SPEC, false), Zero::Struct),
        fd("status", Ty::Struct(&APPS_V1_REPLICA_SET_STATUS, false), Zero::Struct),
    ]);
    static APPS_V1_REPLICA_SET_CONDITION: St = St(&[
        fd("type", Ty::Any, Zero::Str),
        fd("status", Ty::Any, Zero::Str),
        fd("lastTransitionTime", Ty::Any, Zero::Null),
    ]);
    static APPS_V1_REPLICA_SET_SPEC: St = St(&[
        fd("selector", Ty::Struct(&META_V1_LABEL_SELECTOR, true), Zero::Null),
        fd("template", Ty::Struct(&CORE_V1_POD_TEMPLATE_SPEC, false), Zero::Struct),
    ]);
    static APPS_V1_REPLICA_SET_STATUS: St = St(&[
        fd("replicas", Ty::Any, Zero::Int),
        fd("conditions", Ty::List(&E_APPS_V1_REPLICA_SET_CONDITION, Ls::Map(&[("type", None)])), Zero::Absent),
    ]);
    static APPS_V1_STATEFUL_SET: St = St(&[
        fd("metadata", Ty::Struct(&META_V1_OBJECT_META, false), Zero::Struct),
        fd("spec", Ty::Struct(&APPS_V1_STATEFUL_SET_SPEC, false), Zero::Struct),
        fd("status", Ty::Struct(&APPS_V1_STATEFUL_SET_STATUS, false), Zero::Struct),
    ]);
    static APPS_V1_STATEFUL_SET_CONDITION: St = St(&[
        fd("type", Ty::Any, Zero::Str),
        fd("status", Ty::Any, Zero::Str),
        fd("lastTransitionTime", Ty::Any, Zero::Null),
    ]);
    static APPS_V1_STATEFUL_SET_ORDINALS: St = St(&[
        fd("start", Ty::Any, Zero::Int),
    ]);
    static APPS_V1_STATEFUL_SET_SPEC: St = St(&[
        fd("selector", Ty::Struct(&META_V1_LABEL_SELECTOR, true), Zero::Null),
        fd("template", Ty::Struct(&CORE_V1_POD_TEMPLATE_SPEC, false), Zero::Struct),
        fd("volumeClaimTemplates", Ty::List(&E_CORE_V1_PERSISTENT_VOLUME_CLAIM, Ls::Atomic), Zero::Absent),
        fd("serviceName", Ty::Any, Zero::Str),
        fd("updateStrategy", Ty::Any, Zero::Struct),
        fd("ordinals", Ty::Struct(&APPS_V1_STATEFUL_SET_ORDINALS, false), Zero::Absent),
    ]);
    static APPS_V1_STATEFUL_SET_STATUS: St = St(&[
        fd("replicas", Ty::Any, Zero::Int),
        fd("conditions", Ty::List(&E_APPS_V1_STATEFUL_SET_CONDITION, Ls::Map(&[("type", None)])), Zero::Absent),
        fd("availableReplicas", Ty::Any, Zero::Int),
    ]);
    static AUTHENTICATION_V1_SELF_SUBJECT_REVIEW: St = St(&[
        fd("metadata", Ty::Struct(&META_V1_OBJECT_META, false), Zero::Struct),
        fd("status", Ty::Struct(&AUTHENTICATION_V1_SELF_SUBJECT_REVIEW_STATUS, false), Zero::Struct),
    ]);
    static AUTHENTICATION_V1_SELF_SUBJECT_REVIEW_STATUS: St = St(&[
        fd("userInfo", Ty::Any, Zero::Struct),
    ]);
    static AUTHENTICATION_V1_TOKEN_REQUEST: St = St(&[
        fd("metadata", Ty::Struct(&META_V1_OBJECT_META, false), Zero::Struct),
        fd("spec", Ty::Struct(&AUTHENTICATION_V1_TOKEN_REQUEST_SPEC, false), Zero::Struct),
        fd("status", Ty::Struct(&AUTHENTICATION_V1_TOKEN_REQUEST_STATUS, false), Zero::Struct),
    ]);
    static AUTHENTICATION_V1_TOKEN_REQUEST_SPEC: St = St(&[
        fd("audiences", Ty::Any, Zero::Null),
        fd("expirationSeconds", Ty::Any, Zero::Null),
        fd("boundObjectRef", Ty::Any, Zero::Null),
    ]);
    static AUTHENTICATION_V1_TOKEN_REQUEST_STATUS: St = St(&[
        fd("token", Ty::Any, Zero::Str),
        fd("expirationTimestamp", Ty::Any, Zero::Null),
    ]);
    static AUTHENTICATION_V1_TOKEN_REVIEW: St = St(&[
        fd("metadata", Ty::Struct(&META_V1_OBJECT_META, false), Zero::Struct),
        fd("spec", Ty::Any, Zero::Struct),
        fd("status", Ty::Struct(&AUTHENTICATION_V1_TOKEN_REVIEW_STATUS, false), Zero::Struct),
    ]);
    static AUTHENTICATION_V1_TOKEN_REVIEW_STATUS: St = St(&[
        fd("user", Ty::Any, Zero::Struct),
    ]);
    static AUTHORIZATION_V1_FIELD_SELECTOR_ATTRIBUTES: St = St(&[
        fd("requirements", Ty::List(&E_META_V1_FIELD_SELECTOR_REQUIREMENT, Ls::Atomic), Zero::Absent),
    ]);
    static AUTHORIZATION_V1_LABEL_SELECTOR_ATTRIBUTES: St = St(&[
        fd("requirements", Ty::List(&E_META_V1_LABEL_SELECTOR_REQUIREMENT, Ls::Atomic), Zero::Absent),
    ]);
    static AUTHORIZATION_V1_LOCAL_SUBJECT_ACCESS_REVIEW: St = St(&[
        fd("metadata", Ty::Struct(&META_V1_OBJECT_META, false), Zero::Struct),
        fd("spec", Ty::Struct(&AUTHORIZATION_V1_SUBJECT_ACCESS_REVIEW_SPEC, false), Zero::Struct),
        fd("status", Ty::Struct(&AUTHORIZATION_V1_SUBJECT_ACCESS_REVIEW_STATUS, false), Zero::Struct),
    ]);
    static AUTHORIZATION_V1_NON_RESOURCE_RULE: St = St(&[
        fd("verbs", Ty::Any, Zero::Null),
    ]);
    static AUTHORIZATION_V1_RESOURCE_ATTRIBUTES: St = St(&[
        fd("fieldSelector", Ty::Struct(&AUTHORIZATION_V1_FIELD_SELECTOR_ATTRIBUTES, false), Zero::Absent),
        fd("labelSelector", Ty::Struct(&AUTHORIZATION_V1_LABEL_SELECTOR_ATTRIBUTES, false), Zero::Absent),
    ]);
    static AUTHORIZATION_V1_RESOURCE_RULE: St = St(&[
        fd("verbs", Ty::Any, Zero::Null),
    ]);
    static AUTHORIZATION_V1_SELF_SUBJECT_ACCESS_REVIEW: St = St(&[
        fd("metadata", Ty::Struct(&META_V1_OBJECT_META, false), Zero::Struct),
        fd("spec", Ty::Struct(&AUTHORIZATION_V1_SELF_SUBJECT_ACCESS_REVIEW_SPEC, false), Zero::Struct),
        fd("status", Ty::Struct(&AUTHORIZATION_V1_SUBJECT_ACCESS_REVIEW_STATUS, false), Zero::Struct),
    ]);
    static AUTHORIZATION_V1_SELF_SUBJECT_ACCESS_REVIEW_SPEC: St = St(&[
        fd("resourceAttributes", Ty::Struct(&AUTHORIZATION_V1_RESOURCE_ATTRIBUTES, false), Zero::Absent),
    ]);
    static AUTHORIZATION_V1_SELF_SUBJECT_RULES_REVIEW: St = St(&[
        fd("metadata", Ty::Struct(&META_V1_OBJECT_META, false), Zero::Struct),
        fd("spec", Ty::Any, Zero::Struct),
        fd("status", Ty::Struct(&AUTHORIZATION_V1_SUBJECT_RULES_REVIEW_STATUS, false), Zero::Struct),
    ]);
    static AUTHORIZATION_V1_SUBJECT_ACCESS_REVIEW: St = St(&[
        fd("metadata", Ty::Struct(&META_V1_OBJECT_META, false), Zero::Struct),
        fd("spec", Ty::Struct(&AUTHORIZATION_V1_SUBJECT_ACCESS_REVIEW_SPEC, false), Zero::Struct),
        fd("status", Ty::Struct(&AUTHORIZATION_V1_SUBJECT_ACCESS_REVIEW_STATUS, false), Zero::Struct),
    ]);
    static AUTHORIZATION_V1_SUBJECT_ACCESS_REVIEW_SPEC: St = St(&[
        fd("resourceAttributes", Ty::Struct(&AUTHORIZATION_V1_RESOURCE_ATTRIBUTES, false), Zero::Absent),
    ]);
    static AUTHORIZATION_V1_SUBJECT_ACCESS_REVIEW_STATUS: St = St(&[
        fd("allowed", Ty::Any, Zero::False),
    ]);
    static AUTHORIZATION_V1_SUBJECT_RULES_REVIEW_STATUS: St = St(&[
        fd("resourceRules", Ty::List(&E_AUTHORIZATION_V1_RESOURCE_RULE, Ls::Atomic), Zero::Null),
        fd("nonResourceRules", Ty::List(&E_AUTHORIZATION_V1_NON_RESOURCE_RULE, Ls::Atomic), Zero::Null),
        fd("incomplete", Ty::Any, Zero::False),
    ]);
    static AUTOSCALING_V1_CROSS_VERSION_OBJECT_REFERENCE: St = St(&[
        fd("kind", Ty::Any, Zero::Str),
        fd("name", Ty::Any, Zero::Str),
    ]);
    static AUTOSCALING_V1_HORIZONTAL_POD_AUTOSCALER: St = St(&[
        fd("metadata", Ty::Struct(&META_V1_OBJECT_META, false), Zero::Struct),
        fd("spec", Ty::Struct(&AUTOSCALING_V1_HORIZONTAL_POD_AUTOSCALER_SPEC, false), Zero::Struct),
        fd("status", Ty::Struct(&AUTOSCALING_V1_HORIZONTAL_POD_AUTOSCALER_STATUS, false), Zero::Struct),
    ]);
    static AUTOSCALING_V1_HORIZONTAL_POD_AUTOSCALER_SPEC: St = St(&[
        fd("scaleTargetRef", Ty::Struct(&AUTOSCALING_V1_CROSS_VERSION_OBJECT_REFERENCE, true), Zero::Struct),
        fd("maxReplicas", Ty::Any, Zero::Int),
    ]);
    static AUTOSCALING_V1_HORIZONTAL_POD_AUTOSCALER_STATUS: St = St(&[
        fd("currentReplicas", Ty::Any, Zero::Int),
        fd("desiredReplicas", Ty::Any, Zero::Int),
    ]);
    static AUTOSCALING_V1_SCALE: St = St(&[
        fd("metadata", Ty::Struct(&META_V1_OBJECT_META, false), Zero::Struct),
        fd("spec", Ty::Any, Zero::Struct),
        fd("status", Ty::Struct(&AUTOSCALING_V1_SCALE_STATUS, false), Zero::Struct),
    ]);
    static AUTOSCALING_V1_SCALE_STATUS: St = St(&[
        fd("replicas", Ty::Any, Zero::Int),
    ]);
    static AUTOSCALING_V2_CONTAINER_RESOURCE_METRIC_SOURCE: St = St(&[
        fd("name", Ty::Any, Zero::Str),
        fd("target", Ty::Struct(&AUTOSCALING_V2_METRIC_TARGET, false), Zero::Struct),
        fd("container", Ty::Any, Zero::Str),
    ]);
    static AUTOSCALING_V2_CONTAINER_RESOURCE_METRIC_STATUS: St = St(&[
        fd("name", Ty::Any, Zero::Str),
        fd("current", Ty::Any, Zero::Struct),
        fd("container", Ty::Any, Zero::Str),
    ]);
    static AUTOSCALING_V2_CROSS_VERSION_OBJECT_REFERENCE: St = St(&[
        fd("kind", Ty::Any, Zero::Str),
        fd("name", Ty::Any, Zero::Str),
    ]);
    static AUTOSCALING_V2_EXTERNAL_METRIC_SOURCE: St = St(&[
        fd("metric", Ty::Struct(&AUTOSCALING_V2_METRIC_IDENTIFIER, false), Zero::Struct),
        fd("target", Ty::Struct(&AUTOSCALING_V2_METRIC_TARGET, false), Zero::Struct),
    ]);
    static AUTOSCALING_V2_EXTERNAL_METRIC_STATUS: St = St(&[
        fd("metric", Ty::Struct(&AUTOSCALING_V2_METRIC_IDENTIFIER, false), Zero::Struct),
        fd("current", Ty::Any, Zero::Struct),
    ]);
    static AUTOSCALING_V2_HORIZONTAL_POD_AUTOSCALER: St = St(&[
        fd("metadata", Ty::Struct(&META_V1_OBJECT_META, false), Zero::Struct),
        fd("spec", Ty::Struct(&AUTOSCALING_V2_HORIZONTAL_POD_AUTOSCALER_SPEC, false), Zero::Struct),
        fd("status", Ty::Struct(&AUTOSCALING_V2_HORIZONTAL_POD_AUTOSCALER_STATUS, false), Zero::Struct),
    ]);
    static AUTOSCALING_V2_HORIZONTAL_POD_AUTOSCALER_BEHAVIOR: St = St(&[
        fd("scaleUp", Ty::Struct(&AUTOSCALING_V2_HPASCALING_RULES, false), Zero::Absent),
        fd("scaleDown", Ty::Struct(&AUTOSCALING_V2_HPASCALING_RULES, false), Zero::Absent),
    ]);
    static AUTOSCALING_V2_HORIZONTAL_POD_AUTOSCALER_CONDITION: St = St(&[
        fd("type", Ty::Any, Zero::Str),
        fd("status", Ty::Any, Zero::Str),
        fd("lastTransitionTime", Ty::Any, Zero::Null),
    ]);
    static AUTOSCALING_V2_HORIZONTAL_POD_AUTOSCALER_SPEC: St = St(&[
        fd("scaleTargetRef", Ty::Struct(&AUTOSCALING_V2_CROSS_VERSION_OBJECT_REFERENCE, false), Zero::Struct),
        fd("maxReplicas", Ty::Any, Zero::Int),
        fd("metrics", Ty::List(&E_AUTOSCALING_V2_METRIC_SPEC, Ls::Atomic), Zero::Absent),
        fd("behavior", Ty::Struct(&AUTOSCALING_V2_HORIZONTAL_POD_AUTOSCALER_BEHAVIOR, false), Zero::Absent),
    ]);
    static AUTOSCALING_V2_HORIZONTAL_POD_AUTOSCALER_STATUS: St = St(&[
        fd("desiredReplicas", Ty::Any, Zero::Int),
        fd("currentMetrics", Ty::List(&E_AUTOSCALING_V2_METRIC_STATUS, Ls::Atomic), Zero::Null),
        fd("conditions", Ty::List(&E_AUTOSCALING_V2_HORIZONTAL_POD_AUTOSCALER_CONDITION, Ls::Map(&[("type", None)])), Zero::Absent),
    ]);
    static AUTOSCALING_V2_HPASCALING_POLICY: St = St(&[
        fd("type", Ty::Any, Zero::Str),
        fd("value", Ty::Any, Zero::Int),
        fd("periodSeconds", Ty::Any, Zero::Int),
    ]);
    static AUTOSCALING_V2_HPASCALING_RULES: St = St(&[
        fd("policies", Ty::List(&E_AUTOSCALING_V2_HPASCALING_POLICY, Ls::Atomic), Zero::Absent),
    ]);
    static AUTOSCALING_V2_METRIC_IDENTIFIER: St = St(&[
        fd("name", Ty::Any, Zero::Str),
        fd("selector", Ty::Struct(&META_V1_LABEL_SELECTOR, true), Zero::Absent),
    ]);
    static AUTOSCALING_V2_METRIC_SPEC: St = St(&[
        fd("type", Ty::Any, Zero::Str),
        fd("object", Ty::Struct(&AUTOSCALING_V2_OBJECT_METRIC_SOURCE, false), Zero::Absent),
        fd("pods", Ty::Struct(&AUTOSCALING_V2_PODS_METRIC_SOURCE, false), Zero::Absent),
        fd("resource", Ty::Struct(&AUTOSCALING_V2_RESOURCE_METRIC_SOURCE, false), Zero::Absent),
        fd("containerResource", Ty::Struct(&AUTOSCALING_V2_CONTAINER_RESOURCE_METRIC_SOURCE, false), Zero::Absent),
        fd("external", Ty::Struct(&AUTOSCALING_V2_EXTERNAL_METRIC_SOURCE, false), Zero::Absent),
    ]);
    static AUTOSCALING_V2_METRIC_STATUS: St = St(&[
        fd("type", Ty::Any, Zero::Str),
        fd("object", Ty::Struct(&AUTOSCALING_V2_OBJECT_METRIC_STATUS, false), Zero::Absent),
        fd("pods", Ty::Struct(&AUTOSCALING_V2_PODS_METRIC_STATUS, false), Zero::Absent),
        fd("resource", Ty::Struct(&AUTOSCALING_V2_RESOURCE_METRIC_STATUS, false), Zero::Absent),
        fd("containerResource", Ty::Struct(&AUTOSCALING_V2_CONTAINER_RESOURCE_METRIC_STATUS, false), Zero::Absent),
        fd("external", Ty::Struct(&AUTOSCALING_V2_EXTERNAL_METRIC_STATUS, false), Zero::Absent),
    ]);
    static AUTOSCALING_V2_METRIC_TARGET: St = St(&[
        fd("type", Ty::Any, Zero::Str),
    ]);
    static AUTOSCALING_V2_OBJECT_METRIC_SOURCE: St = St(&[
        fd("describedObject", Ty::Struct(&AUTOSCALING_V2_CROSS_VERSION_OBJECT_REFERENCE, false), Zero::Struct),
        fd("target", Ty::Struct(&AUTOSCALING_V2_METRIC_TARGET, false), Zero::Struct),
        fd("metric", Ty::Struct(&AUTOSCALING_V2_METRIC_IDENTIFIER, false), Zero::Struct),
    ]);
    static AUTOSCALING_V2_OBJECT_METRIC_STATUS: St = St(&[
        fd("metric", Ty::Struct(&AUTOSCALING_V2_METRIC_IDENTIFIER, false), Zero::Struct),
        fd("current", Ty::Any, Zero::Struct),
        fd("describedObject", Ty::Struct(&AUTOSCALING_V2_CROSS_VERSION_OBJECT_REFERENCE, false), Zero::Struct),
    ]);
    static AUTOSCALING_V2_PODS_METRIC_SOURCE: St = St(&[
        fd("metric", Ty::Struct(&AUTOSCALING_V2_METRIC_IDENTIFIER, false), Zero::Struct),
        fd("target", Ty::Struct(&AUTOSCALING_V2_METRIC_TARGET, false), Zero::Struct),
    ]);
    static AUTOSCALING_V2_PODS_METRIC_STATUS: St = St(&[
        fd("metric", Ty::Struct(&AUTOSCALING_V2_METRIC_IDENTIFIER, false), Zero::Struct),
        fd("current", Ty::Any, Zero::Struct),
    ]);
    static AUTOSCALING_V2_RESOURCE_METRIC_SOURCE: St = St(&[
        fd("name", Ty::Any, Zero::Str),
        fd("target", Ty::Struct(&AUTOSCALING_V2_METRIC_TARGET, false), Zero::Struct),
    ]);
    static AUTOSCALING_V2_RESOURCE_METRIC_STATUS: St = St(&[
        fd("name", Ty::Any, Zero::Str),
        fd("current", Ty::Any, Zero::Struct),
    ]);
    static BATCH_V1_CRON_JOB: St = St(&[
        fd("metadata", Ty::Struct(&META_V1_OBJECT_META, false), Zero::Struct),
        fd("spec", Ty::Struct(&BATCH_V1_CRON_JOB_SPEC, false), Zero::Struct),
        fd("status", Ty::Struct(&BATCH_V1_CRON_JOB_STATUS, false), Zero::Struct),
    ]);
    static BATCH_V1_CRON_JOB_SPEC: St = St(&[
        fd("schedule", Ty::Any, Zero::Str),
        fd("jobTemplate", Ty::Struct(&BATCH_V1_JOB_TEMPLATE_SPEC, false), Zero::Struct),
    ]);
    static BATCH_V1_CRON_JOB_STATUS: St = St(&[
        fd("active", Ty::List(&E_CORE_V1_OBJECT_REFERENCE_ATOMIC, Ls::Atomic), Zero::Absent),
    ]);
    static BATCH_V1_JOB: St = St(&[
        fd("metadata", Ty::Struct(&META_V1_OBJECT_META, false), Zero::Struct),
        fd("spec", Ty::Struct(&BATCH_V1_JOB_SPEC, false), Zero::Struct),
        fd("status", Ty::Struct(&BATCH_V1_JOB_STATUS, false), Zero::Struct),
    ]);
    static BATCH_V1_JOB_CONDITION: St = St(&[
        fd("type", Ty::Any, Zero::Str),
        fd("status", Ty::Any, Zero::Str),
        fd("lastProbeTime", Ty::Any, Zero::Null),
        fd("lastTransitionTime", Ty::Any, Zero::Null),
    ]);
    static BATCH_V1_JOB_SPEC: St = St(&[
        fd("podFailurePolicy", Ty::Struct(&BATCH_V1_POD_FAILURE_POLICY, false), Zero::Absent),
        fd("successPolicy", Ty::Struct(&BATCH_V1_SUCCESS_POLICY, false), Zero::Absent),
        fd("selector", Ty::Struct(&META_V1_LABEL_SELECTOR, true), Zero::Absent),
        fd("template", Ty::Struct(&CORE_V1_POD_TEMPLATE_SPEC, false), Zero::Struct),
    ]);
    static BATCH_V1_JOB_STATUS: St = St(&[
        fd("conditions", Ty::List(&E_BATCH_V1_JOB_CONDITION, Ls::Atomic), Zero::Absent),
        fd("uncountedTerminatedPods", Ty::Struct(&BATCH_V1_UNCOUNTED_TERMINATED_PODS, false), Zero::Absent),
    ]);
    static BATCH_V1_JOB_TEMPLATE_SPEC: St = St(&[
        fd("metadata", Ty::Struct(&META_V1_OBJECT_META, false), Zero::Struct),
        fd("spec", Ty::Struct(&BATCH_V1_JOB_SPEC, false), Zero::Struct),
    ]);
    static BATCH_V1_POD_FAILURE_POLICY: St = St(&[
        fd("rules", Ty::List(&E_BATCH_V1_POD_FAILURE_POLICY_RULE, Ls::Atomic), Zero::Null),
    ]);
    static BATCH_V1_POD_FAILURE_POLICY_ON_EXIT_CODES_REQUIREMENT: St = St(&[
        fd("operator", Ty::Any, Zero::Str),
        fd("values", Ty::List(&ANY, Ls::Set), Zero::Null),
    ]);
    static BATCH_V1_POD_FAILURE_POLICY_ON_POD_CONDITIONS_PATTERN: St = St(&[
        fd("type", Ty::Any, Zero::Str),
        fd("status", Ty::Any, Zero::Str),
    ]);
    static BATCH_V1_POD_FAILURE_POLICY_RULE: St = St(&[
        fd("action", Ty::Any, Zero::Str),
        fd("onExitCodes", Ty::Struct(&BATCH_V1_POD_FAILURE_POLICY_ON_EXIT_CODES_REQUIREMENT, false), Zero::Absent),
        fd("onPodConditions", Ty::List(&E_BATCH_V1_POD_FAILURE_POLICY_ON_POD_CONDITIONS_PATTERN, Ls::Atomic), Zero::Absent),
    ]);
    static BATCH_V1_SUCCESS_POLICY: St = St(&[
        fd("rules", Ty::Any, Zero::Null),
    ]);
    static BATCH_V1_UNCOUNTED_TERMINATED_PODS: St = St(&[
        fd("succeeded", Ty::List(&ANY, Ls::Set), Zero::Absent),
        fd("failed", Ty::List(&ANY, Ls::Set), Zero::Absent),
    ]);
    static CERTIFICATES_V1_CERTIFICATE_SIGNING_REQUEST: St = St(&[
        fd("metadata", Ty::Struct(&META_V1_OBJECT_META, false), Zero::Struct),
        fd("spec", Ty::Struct(&CERTIFICATES_V1_CERTIFICATE_SIGNING_REQUEST_SPEC, false), Zero::Struct),
        fd("status", Ty::Struct(&CERTIFICATES_V1_CERTIFICATE_SIGNING_REQUEST_STATUS, false), Zero::Struct),
    ]);
    static CERTIFICATES_V1_CERTIFICATE_SIGNING_REQUEST_CONDITION: St = St(&[
        fd("type", Ty::Any, Zero::Str),
        fd("status", Ty::Any, Zero::Str),
        fd("lastUpdateTime", Ty::Any, Zero::Null),
        fd("lastTransitionTime", Ty::Any, Zero::Null),
    ]);
    static CERTIFICATES_V1_CERTIFICATE_SIGNING_REQUEST_SPEC: St = St(&[
        fd("request", Ty::Any, Zero::Null),
        fd("signerName", Ty::Any, Zero::Str),
    ]);
    static CERTIFICATES_V1_CERTIFICATE_SIGNING_REQUEST_STATUS: St = St(&[
        fd("conditions", Ty::List(&E_CERTIFICATES_V1_CERTIFICATE_SIGNING_REQUEST_CONDITION, Ls::Map(&[("type", None)])), Zero::Absent),
    ]);
    static COORDINATION_V1_LEASE: St = St(&[
        fd("metadata", Ty::Struct(&META_V1_OBJECT_META, false), Zero::Struct),
        fd("spec", Ty::Any, Zero::Struct),
    ]);
    static CORE_V1_AFFINITY: St = St(&[
        fd("nodeAffinity", Ty::Struct(&CORE_V1_NODE_AFFINITY, false), Zero::Absent),
        fd("podAffinity", Ty::Struct(&CORE_V1_POD_AFFINITY, false), Zero::Absent),
        fd("podAntiAffinity", Ty::Struct(&CORE_V1_POD_ANTI_AFFINITY, false), Zero::Absent),
    ]);
    static CORE_V1_APP_ARMOR_PROFILE: St = St(&[
        fd("type", Ty::Any, Zero::Str),
    ]);
    static CORE_V1_ATTACHED_VOLUME: St = St(&[
        fd("name", Ty::Any, Zero::Str),
        fd("devicePath", Ty::Any, Zero::Str),
    ]);
    static CORE_V1_AWSELASTIC_BLOCK_STORE_VOLUME_SOURCE: St = St(&[
        fd("volumeID", Ty::Any, Zero::Str),
    ]);
    static CORE_V1_AZURE_DISK_VOLUME_SOURCE: St = St(&[
        fd("diskName", Ty::Any, Zero::Str),
        fd("diskURI", Ty::Any, Zero::Str),
    ]);
    static CORE_V1_AZURE_FILE_PERSISTENT_VOLUME_SOURCE: St = St(&[
        fd("secretName", Ty::Any, Zero::Str),
        fd("shareName", Ty::Any, Zero::Str),
        fd("secretNamespace", Ty::Any, Zero::Null),
    ]);
    static CORE_V1_AZURE_FILE_VOLUME_SOURCE: St = St(&[
        fd("secretName", Ty::Any, Zero::Str),
        fd("shareName", Ty::Any, Zero::Str),
    ]);
    static CORE_V1_BINDING: St = St(&[
        fd("metadata", Ty::Struct(&META_V1_OBJECT_META, false), Zero::Struct),
        fd("target", Ty::Struct(&CORE_V1_OBJECT_REFERENCE, true), Zero::Struct),
    ]);
    static CORE_V1_CEPH_FSPERSISTENT_VOLUME_SOURCE: St = St(&[
        fd("monitors", Ty::Any, Zero::Null),
        fd("secretRef", Ty::Struct(&CORE_V1_SECRET_REFERENCE, true), Zero::Absent),
    ]);
    static CORE_V1_CEPH_FSVOLUME_SOURCE: St = St(&[
        fd("monitors", Ty::Any, Zero::Null),
        fd("secretRef", Ty::Struct(&CORE_V1_LOCAL_OBJECT_REFERENCE, true), Zero::Absent),
    ]);
    static CORE_V1_CINDER_PERSISTENT_VOLUME_SOURCE: St = St(&[
        fd("volumeID", Ty::Any, Zero::Str),
        fd("secretRef", Ty::Struct(&CORE_V1_SECRET_REFERENCE, true), Zero::Absent),
    ]);
    static CORE_V1_CINDER_VOLUME_SOURCE: St = St(&[
        fd("volumeID", Ty::Any, Zero::Str),
        fd("secretRef", Ty::Struct(&CORE_V1_LOCAL_OBJECT_REFERENCE, true), Zero::Absent),
    ]);
    static CORE_V1_CLUSTER_TRUST_BUNDLE_PROJECTION: St = St(&[
        fd("labelSelector", Ty::Struct(&META_V1_LABEL_SELECTOR, true), Zero::Absent),
        fd("path", Ty::Any, Zero::Str),
    ]);
    static CORE_V1_COMPONENT_CONDITION: St = St(&[
        fd("type", Ty::Any, Zero::Str),
        fd("status", Ty::Any, Zero::Str),
    ]);
    static CORE_V1_COMPONENT_STATUS: St = St(&[
        fd("metadata", Ty::Struct(&META_V1_OBJECT_META, false), Zero::Struct),
        fd("conditions", Ty::List(&E_CORE_V1_COMPONENT_CONDITION, Ls::Map(&[("type", None)])), Zero::Absent),
    ]);
    static CORE_V1_CONFIG_MAP: St = St(&[
        fd("metadata", Ty::Struct(&META_V1_OBJECT_META, false), Zero::Struct),
    ]);
    static CORE_V1_CONFIG_MAP_KEY_SELECTOR: St = St(&[
        fd("key", Ty::Any, Zero::Str),
    ]);
    static CORE_V1_CONFIG_MAP_NODE_CONFIG_SOURCE: St = St(&[
        fd("namespace", Ty::Any, Zero::Str),
        fd("name", Ty::Any, Zero::Str),
        fd("kubeletConfigKey", Ty::Any, Zero::Str),
    ]);
    static CORE_V1_CONFIG_MAP_PROJECTION: St = St(&[
        fd("items", Ty::List(&E_CORE_V1_KEY_TO_PATH, Ls::Atomic), Zero::Absent),
    ]);
    static CORE_V1_CONFIG_MAP_VOLUME_SOURCE: St = St(&[
        fd("items", Ty::List(&E_CORE_V1_KEY_TO_PATH, Ls::Atomic), Zero::Absent),
    ]);
    static CORE_V1_CONTAINER: St = St(&[
        fd("name", Ty::Any, Zero::Str),
        fd("ports", Ty::List(&E_CORE_V1_CONTAINER_PORT, Ls::Map(&[("containerPort", None), ("protocol", Some("\"TCP\""))])), Zero::Absent),
        fd("env", Ty::List(&E_CORE_V1_ENV_VAR, Ls::Map(&[("name", None)])), Zero::Absent),
        fd("resources", Ty::Struct(&CORE_V1_RESOURCE_REQUIREMENTS, false), Zero::Struct),
        fd("resizePolicy", Ty::List(&E_CORE_V1_CONTAINER_RESIZE_POLICY, Ls::Atomic), Zero::Absent),
        fd("volumeMounts", Ty::List(&E_CORE_V1_VOLUME_MOUNT, Ls::Map(&[("mountPath", None)])), Zero::Absent),
        fd("volumeDevices", Ty::List(&E_CORE_V1_VOLUME_DEVICE, Ls::Map(&[("devicePath", None)])), Zero::Absent),
        fd("livenessProbe", Ty::Struct(&CORE_V1_PROBE, false), Zero::Absent),
        fd("readinessProbe", Ty::Struct(&CORE_V1_PROBE, false), Zero::Absent),
        fd("startupProbe", Ty::Struct(&CORE_V1_PROBE, false), Zero::Absent),
        fd("lifecycle", Ty::Struct(&CORE_V1_LIFECYCLE, false), Zero::Absent),
        fd("securityContext", Ty::Struct(&CORE_V1_SECURITY_CONTEXT, false), Zero::Absent),
    ]);
    static CORE_V1_CONTAINER_IMAGE: St = St(&[
        fd("names", Ty::Any, Zero::Null),
    ]);
    static CORE_V1_CONTAINER_PORT: St = St(&[
        fd("containerPort", Ty::Any, Zero::Int),
    ]);
    static CORE_V1_CONTAINER_RESIZE_POLICY: St = St(&[
        fd("resourceName", Ty::Any, Zero::Str),
        fd("restartPolicy", Ty::Any, Zero::Str),
    ]);
    static CORE_V1_CONTAINER_STATE: St = St(&[
        fd("running", Ty::Struct(&CORE_V1_CONTAINER_STATE_RUNNING, false), Zero::Absent),
        fd("terminated", Ty::Struct(&CORE_V1_CONTAINER_STATE_TERMINATED, false), Zero::Absent),
    ]);
    static CORE_V1_CONTAINER_STATE_RUNNING: St = St(&[
        fd("startedAt", Ty::Any, Zero::Null),
    ]);
    static CORE_V1_CONTAINER_STATE_TERMINATED: St = St(&[
        fd("exitCode", Ty::Any, Zero::Int),
        fd("startedAt", Ty::Any, Zero::Null),
        fd("finishedAt", Ty::Any, Zero::Null),
    ]);
    static CORE_V1_CONTAINER_STATUS: St = St(&[
        fd("name", Ty::Any, Zero::Str),
        fd("state", Ty::Struct(&CORE_V1_CONTAINER_STATE, false), Zero::Struct),
        fd("lastState", Ty::Struct(&CORE_V1_CONTAINER_STATE, false), Zero::Struct),
        fd("ready", Ty::Any, Zero::False),
        fd("restartCount", Ty::Any, Zero::Int),
        fd("image", Ty::Any, Zero::Str),
        fd("imageID", Ty::Any, Zero::Str),
        fd("resources", Ty::Struct(&CORE_V1_RESOURCE_REQUIREMENTS, false), Zero::Absent),
        fd("volumeMounts", Ty::List(&E_CORE_V1_VOLUME_MOUNT_STATUS, Ls::Map(&[("mountPath", None)])), Zero::Absent),
        fd("user", Ty::Struct(&CORE_V1_CONTAINER_USER, false), Zero::Absent),
        fd("allocatedResourcesStatus", Ty::List(&E_CORE_V1_RESOURCE_STATUS, Ls::Map(&[("name", None)])), Zero::Absent),
    ]);
    static CORE_V1_CONTAINER_USER: St = St(&[
        fd("linux", Ty::Struct(&CORE_V1_LINUX_CONTAINER_USER, false), Zero::Absent),
    ]);
    static CORE_V1_CSIPERSISTENT_VOLUME_SOURCE: St = St(&[
        fd("driver", Ty::Any, Zero::Str),
        fd("volumeHandle", Ty::Any, Zero::Str),
        fd("controllerPublishSecretRef", Ty::Struct(&CORE_V1_SECRET_REFERENCE, true), Zero::Absent),
        fd("nodeStageSecretRef", Ty::Struct(&CORE_V1_SECRET_REFERENCE, true), Zero::Absent),
        fd("nodePublishSecretRef", Ty::Struct(&CORE_V1_SECRET_REFERENCE, true), Zero::Absent),
        fd("controllerExpandSecretRef", Ty::Struct(&CORE_V1_SECRET_REFERENCE, true), Zero::Absent),
        fd("nodeExpandSecretRef", Ty::Struct(&CORE_V1_SECRET_REFERENCE, true), Zero::Absent),
    ]);
    static CORE_V1_CSIVOLUME_SOURCE: St = St(&[
        fd("driver", Ty::Any, Zero::Str),
        fd("nodePublishSecretRef", Ty::Struct(&CORE_V1_LOCAL_OBJECT_REFERENCE, true), Zero::Absent),
    ]);
    static CORE_V1_DAEMON_ENDPOINT: St = St(&[
        fd("Port", Ty::Any, Zero::Int),
    ]);
    static CORE_V1_DOWNWARD_APIPROJECTION: St = St(&[
        fd("items", Ty::List(&E_CORE_V1_DOWNWARD_APIVOLUME_FILE, Ls::Atomic), Zero::Absent),
    ]);
    static CORE_V1_DOWNWARD_APIVOLUME_FILE: St = St(&[
        fd("path", Ty::Any, Zero::Str),
        fd("fieldRef", Ty::Struct(&CORE_V1_OBJECT_FIELD_SELECTOR, true), Zero::Absent),
        fd("resourceFieldRef", Ty::Struct(&CORE_V1_RESOURCE_FIELD_SELECTOR, true), Zero::Absent),
    ]);
    static CORE_V1_DOWNWARD_APIVOLUME_SOURCE: St = St(&[
        fd("items", Ty::List(&E_CORE_V1_DOWNWARD_APIVOLUME_FILE, Ls::Atomic), Zero::Absent),
    ]);
    static CORE_V1_ENDPOINTS: St = St(&[
        fd("metadata", Ty::Struct(&META_V1_OBJECT_META, false), Zero::Struct),
        fd("subsets", Ty::List(&E_CORE_V1_ENDPOINT_SUBSET, Ls::Atomic), Zero::Absent),
    ]);
    static CORE_V1_ENDPOINT_ADDRESS: St = St(&[
        fd("ip", Ty::Any, Zero::Str),
        fd("targetRef", Ty::Struct(&CORE_V1_OBJECT_REFERENCE, true), Zero::Absent),
    ]);
    static CORE_V1_ENDPOINT_PORT: St = St(&[
        fd("port", Ty::Any, Zero::Int),
    ]);
    static CORE_V1_ENDPOINT_SUBSET: St = St(&[
        fd("addresses", Ty::List(&E_CORE_V1_ENDPOINT_ADDRESS_ATOMIC, Ls::Atomic), Zero::Absent),
        fd("notReadyAddresses", Ty::List(&E_CORE_V1_ENDPOINT_ADDRESS_ATOMIC, Ls::Atomic), Zero::Absent),
        fd("ports", Ty::List(&E_CORE_V1_ENDPOINT_PORT_ATOMIC, Ls::Atomic), Zero::Absent),
    ]);
    static CORE_V1_ENV_VAR: St = St(&[
        fd("name", Ty::Any, Zero::Str),
        fd("valueFrom", Ty::Struct(&CORE_V1_ENV_VAR_SOURCE, false), Zero::Absent),
    ]);
    static CORE_V1_ENV_VAR_SOURCE: St = St(&[
        fd("fieldRef", Ty::Struct(&CORE_V1_OBJECT_FIELD_SELECTOR, true), Zero::Absent),
        fd("resourceFieldRef", Ty::Struct(&CORE_V1_RESOURCE_FIELD_SELECTOR, true), Zero::Absent),
        fd("configMapKeyRef", Ty::Struct(&CORE_V1_CONFIG_MAP_KEY_SELECTOR, true), Zero::Absent),
        fd("secretKeyRef", Ty::Struct(&CORE_V1_SECRET_KEY_SELECTOR, true), Zero::Absent),
    ]);
    static CORE_V1_EPHEMERAL_CONTAINER: St = St(&[
        fd("name", Ty::Any, Zero::Str),
        fd("ports", Ty::List(&E_CORE_V1_CONTAINER_PORT, Ls::Map(&[("containerPort", None), ("protocol", Some("\"TCP\""))])), Zero::Absent),
        fd("env", Ty::List(&E_CORE_V1_ENV_VAR, Ls::Map(&[("name", None)])), Zero::Absent),
        fd("resources", Ty::Struct(&CORE_V1_RESOURCE_REQUIREMENTS, false), Zero::Struct),
        fd("resizePolicy", Ty::List(&E_CORE_V1_CONTAINER_RESIZE_POLICY, Ls::Atomic), Zero::Absent),
        fd("volumeMounts", Ty::List(&E_CORE_V1_VOLUME_MOUNT, Ls::Map(&[("mountPath", None)])), Zero::Absent),
        fd("volumeDevices", Ty::List(&E_CORE_V1_VOLUME_DEVICE, Ls::Map(&[("devicePath", None)])), Zero::Absent),
        fd("livenessProbe", Ty::Struct(&CORE_V1_PROBE, false), Zero::Absent),
        fd("readinessProbe", Ty::Struct(&CORE_V1_PROBE, false), Zero::Absent),
        fd("startupProbe", Ty::Struct(&CORE_V1_PROBE, false), Zero::Absent),
        fd("lifecycle", Ty::Struct(&CORE_V1_LIFECYCLE, false), Zero::Absent),
        fd("securityContext", Ty::Struct(&CORE_V1_SECURITY_CONTEXT, false), Zero::Absent),
    ]);
    static CORE_V1_EPHEMERAL_VOLUME_SOURCE: St = St(&[
        fd("volumeClaimTemplate", Ty::Struct(&CORE_V1_PERSISTENT_VOLUME_CLAIM_TEMPLATE, false), Zero::Absent),
    ]);
    static CORE_V1_EVENT: St = St(&[
        fd("metadata", Ty::Struct(&META_V1_OBJECT_META, false), Zero::Struct),
        fd("involvedObject", Ty::Struct(&CORE_V1_OBJECT_REFERENCE, true), Zero::Struct),
        fd("source", Ty::Any, Zero::Struct),
        fd("firstTimestamp", Ty::Any, Zero::Null),
        fd("lastTimestamp", Ty::Any, Zero::Null),
        fd("eventTime", Ty::Any, Zero::Null),
        fd("series", Ty::Struct(&CORE_V1_EVENT_SERIES, false), Zero::Absent),
        fd("related", Ty::Struct(&CORE_V1_OBJECT_REFERENCE, true), Zero::Absent),
        fd("reportingComponent", Ty::Any, Zero::Str),
        fd("reportingInstance", Ty::Any, Zero::Str),
    ]);
    static CORE_V1_EVENT_SERIES: St = St(&[
        fd("lastObservedTime", Ty::Any, Zero::Null),
    ]);
    static CORE_V1_FLEX_PERSISTENT_VOLUME_SOURCE: St = St(&[
        fd("driver", Ty::Any, Zero::Str),
        fd("secretRef", Ty::Struct(&CORE_V1_SECRET_REFERENCE, true), Zero::Absent),
    ]);
    static CORE_V1_FLEX_VOLUME_SOURCE: St = St(&[
        fd("driver", Ty::Any, Zero::Str),
        fd("secretRef", Ty::Struct(&CORE_V1_LOCAL_OBJECT_REFERENCE, true), Zero::Absent),
    ]);
    static CORE_V1_GCEPERSISTENT_DISK_VOLUME_SOURCE: St = St(&[
        fd("pdName", Ty::Any, Zero::Str),
    ]);
    static CORE_V1_GIT_REPO_VOLUME_SOURCE: St = St(&[
        fd("repository", Ty::Any, Zero::Str),
    ]);
    static CORE_V1_GLUSTERFS_PERSISTENT_VOLUME_SOURCE: St = St(&[
        fd("endpoints", Ty::Any, Zero::Str),
        fd("path", Ty::Any, Zero::Str),
    ]);
    static CORE_V1_GLUSTERFS_VOLUME_SOURCE: St = St(&[
        fd("endpoints", Ty::Any, Zero::Str),
        fd("path", Ty::Any, Zero::Str),
    ]);
    static CORE_V1_GRPCACTION: St = St(&[
        fd("port", Ty::Any, Zero::Int),
        fd("service", Ty::Any, Zero::Null),
    ]);
    static CORE_V1_HOST_ALIAS: St = St(&[
        fd("ip", Ty::Any, Zero::Str),
    ]);
    static CORE_V1_HOST_IP: St = St(&[
        fd("ip", Ty::Any, Zero::Str),
    ]);
    static CORE_V1_HOST_PATH_VOLUME_SOURCE: St = St(&[
        fd("path", Ty::Any, Zero::Str),
    ]);
    static CORE_V1_HTTPGET_ACTION: St = St(&[
        fd("port", Ty::Any, Zero::Int),
        fd("httpHeaders", Ty::List(&E_CORE_V1_HTTPHEADER, Ls::Atomic), Zero::Absent),
    ]);
    static CORE_V1_HTTPHEADER: St = St(&[
        fd("name", Ty::Any, Zero::Str),
        fd("value", Ty::Any, Zero::Str),
    ]);
    static CORE_V1_ISCSIPERSISTENT_VOLUME_SOURCE: St = St(&[
        fd("targetPortal", Ty::Any, Zero::Str),
        fd("iqn", Ty::Any, Zero::Str),
        fd("lun", Ty::Any, Zero::Int),
        fd("secretRef", Ty::Struct(&CORE_V1_SECRET_REFERENCE, true), Zero::Absent),
    ]);
    static CORE_V1_ISCSIVOLUME_SOURCE: St = St(&[
        fd("targetPortal", Ty::Any, Zero::Str),
        fd("iqn", Ty::Any, Zero::Str),
        fd("lun", Ty::Any, Zero::Int),
        fd("secretRef", Ty::Struct(&CORE_V1_LOCAL_OBJECT_REFERENCE, true), Zero::Absent),
    ]);
    static CORE_V1_KEY_TO_PATH: St = St(&[
        fd("key", Ty::Any, Zero::Str),
        fd("path", Ty::Any, Zero::Str),
    ]);
    static CORE_V1_LIFECYCLE: St = St(&[
        fd("postStart", Ty::Struct(&CORE_V1_LIFECYCLE_HANDLER, false), Zero::Absent),
        fd("preStop", Ty::Struct(&CORE_V1_LIFECYCLE_HANDLER, false), Zero::Absent),
    ]);
    static CORE_V1_LIFECYCLE_HANDLER: St = St(&[
        fd("httpGet", Ty::Struct(&CORE_V1_HTTPGET_ACTION, false), Zero::Absent),
        fd("tcpSocket", Ty::Struct(&CORE_V1_TCPSOCKET_ACTION, false), Zero::Absent),
        fd("sleep", Ty::Struct(&CORE_V1_SLEEP_ACTION, false), Zero::Absent),
    ]);
    static CORE_V1_LIMIT_RANGE: St = St(&[
        fd("metadata", Ty::Struct(&META_V1_OBJECT_META, false), Zero::Struct),
        fd("spec", Ty::Struct(&CORE_V1_LIMIT_RANGE_SPEC, false), Zero::Struct),
    ]);
    static CORE_V1_LIMIT_RANGE_ITEM: St = St(&[
        fd("type", Ty::Any, Zero::Str),
    ]);
    static CORE_V1_LIMIT_RANGE_SPEC: St = St(&[
        fd("limits", Ty::List(&E_CORE_V1_LIMIT_RANGE_ITEM, Ls::Atomic), Zero::Null),
    ]);
    static CORE_V1_LINUX_CONTAINER_USER: St = St(&[
        fd("uid", Ty::Any, Zero::Int),
        fd("gid", Ty::Any, Zero::Int),
    ]);
    static CORE_V1_LOAD_BALANCER_INGRESS: St = St(&[
        fd("ports", Ty::List(&E_CORE_V1_PORT_STATUS, Ls::Atomic), Zero::Absent),
    ]);
    static CORE_V1_LOAD_BALANCER_STATUS: St = St(&[
        fd("ingress", Ty::List(&E_CORE_V1_LOAD_BALANCER_INGRESS, Ls::Atomic), Zero::Absent),
    ]);
    static CORE_V1_LOCAL_OBJECT_REFERENCE: St = St(&[
    ]);
    static CORE_V1_LOCAL_VOLUME_SOURCE: St = St(&[
        fd("path", Ty::Any, Zero::Str),
    ]);
    static CORE_V1_MODIFY_VOLUME_STATUS: St = St(&[
        fd("status", Ty::Any, Zero::Str),
    ]);
    static CORE_V1_NAMESPACE: St = St(&[
        fd("metadata", Ty::Struct(&META_V1_OBJECT_META, false), Zero::Struct),
        fd("spec", Ty::Any, Zero::Struct),
        fd("status", Ty::Struct(&CORE_V1_NAMESPACE_STATUS, false), Zero::Struct),
    ]);
    static CORE_V1_NAMESPACE_CONDITION: St = St(&[
        fd("type", Ty::Any, Zero::Str),
        fd("status", Ty::Any, Zero::Str),
        fd("lastTransitionTime", Ty::Any, Zero::Null),
    ]);
    static CORE_V1_NAMESPACE_STATUS: St = St(&[
        fd("conditions", Ty::List(&E_CORE_V1_NAMESPACE_CONDITION, Ls::Map(&[("type", None)])), Zero::Absent),
    ]);
    static CORE_V1_NFSVOLUME_SOURCE: St = St(&[
        fd("server", Ty::Any, Zero::Str),
        fd("path", Ty::Any, Zero::Str),
    ]);
    static CORE_V1_NODE: St = St(&[
        fd("metadata", Ty::Struct(&META_V1_OBJECT_META, false), Zero::Struct),
        fd("spec", Ty::Struct(&CORE_V1_NODE_SPEC, false), Zero::Struct),
        fd("status", Ty::Struct(&CORE_V1_NODE_STATUS, false), Zero::Struct),
    ]);
    static CORE_V1_NODE_ADDRESS: St = St(&[
        fd("type", Ty::Any, Zero::Str),
        fd("address", Ty::Any, Zero::Str),
    ]);
    static CORE_V1_NODE_AFFINITY: St = St(&[
        fd("requiredDuringSchedulingIgnoredDuringExecution", Ty::Struct(&CORE_V1_NODE_SELECTOR, true), Zero::Absent),
        fd("preferredDuringSchedulingIgnoredDuringExecution", Ty::List(&E_CORE_V1_PREFERRED_SCHEDULING_TERM, Ls::Atomic), Zero::Absent),
    ]);
    static CORE_V1_NODE_CONDITION: St = St(&[
        fd("type", Ty::Any, Zero::Str),
        fd("status", Ty::Any, Zero::Str),
        fd("lastHeartbeatTime", Ty::Any, Zero::Null),
        fd("lastTransitionTime", Ty::Any, Zero::Null),
    ]);
    static CORE_V1_NODE_CONFIG_SOURCE: St = St(&[
        fd("configMap", Ty::Struct(&CORE_V1_CONFIG_MAP_NODE_CONFIG_SOURCE, false), Zero::Absent),
    ]);
    static CORE_V1_NODE_CONFIG_STATUS: St = St(&[
        fd("assigned", Ty::Struct(&CORE_V1_NODE_CONFIG_SOURCE, false), Zero::Absent),
        fd("active", Ty::Struct(&CORE_V1_NODE_CONFIG_SOURCE, false), Zero::Absent),
        fd("lastKnownGood", Ty::Struct(&CORE_V1_NODE_CONFIG_SOURCE, false), Zero::Absent),
    ]);
    static CORE_V1_NODE_DAEMON_ENDPOINTS: St = St(&[
        fd("kubeletEndpoint", Ty::Struct(&CORE_V1_DAEMON_ENDPOINT, false), Zero::Struct),
    ]);
    static CORE_V1_NODE_RUNTIME_HANDLER: St = St(&[
        fd("name", Ty::Any, Zero::Str),
    ]);
    static CORE_V1_NODE_SELECTOR: St = St(&[
        fd("nodeSelectorTerms", Ty::List(&E_CORE_V1_NODE_SELECTOR_TERM_ATOMIC, Ls::Atomic), Zero::Null),
    ]);
    static CORE_V1_NODE_SELECTOR_REQUIREMENT: St = St(&[
        fd("key", Ty::Any, Zero::Str),
        fd("operator", Ty::Any, Zero::Str),
    ]);
    static CORE_V1_NODE_SELECTOR_TERM: St = St(&[
        fd("matchExpressions", Ty::List(&E_CORE_V1_NODE_SELECTOR_REQUIREMENT, Ls::Atomic), Zero::Absent),
        fd("matchFields", Ty::List(&E_CORE_V1_NODE_SELECTOR_REQUIREMENT, Ls::Atomic), Zero::Absent),
    ]);
    static CORE_V1_NODE_SPEC: St = St(&[
        fd("podCIDRs", Ty::List(&ANY, Ls::Set), Zero::Absent),
        fd("taints", Ty::List(&E_CORE_V1_TAINT, Ls::Atomic), Zero::Absent),
        fd("configSource", Ty::Struct(&CORE_V1_NODE_CONFIG_SOURCE, false), Zero::Absent),
    ]);
    static CORE_V1_NODE_STATUS: St = St(&[
        fd("conditions", Ty::List(&E_CORE_V1_NODE_CONDITION, Ls::Map(&[("type", None)])), Zero::Absent),
        fd("addresses", Ty::List(&E_CORE_V1_NODE_ADDRESS, Ls::Map(&[("type", None)])), Zero::Absent),
        fd("daemonEndpoints", Ty::Struct(&CORE_V1_NODE_DAEMON_ENDPOINTS, false), Zero::Struct),
        fd("nodeInfo", Ty::Struct(&CORE_V1_NODE_SYSTEM_INFO, false), Zero::Struct),
        fd("images", Ty::List(&E_CORE_V1_CONTAINER_IMAGE, Ls::Atomic), Zero::Absent),
        fd("volumesAttached", Ty::List(&E_CORE_V1_ATTACHED_VOLUME, Ls::Atomic), Zero::Absent),
        fd("config", Ty::Struct(&CORE_V1_NODE_CONFIG_STATUS, false), Zero::Absent),
        fd("runtimeHandlers", Ty::List(&E_CORE_V1_NODE_RUNTIME_HANDLER, Ls::Atomic), Zero::Absent),
    ]);
    static CORE_V1_NODE_SYSTEM_INFO: St = St(&[
        fd("machineID", Ty::Any, Zero::Str),
        fd("systemUUID", Ty::Any, Zero::Str),
        fd("bootID", Ty::Any, Zero::Str),
        fd("kernelVersion", Ty::Any, Zero::Str),
        fd("osImage", Ty::Any, Zero::Str),
        fd("containerRuntimeVersion", Ty::Any, Zero::Str),
        fd("kubeletVersion", Ty::Any, Zero::Str),
        fd("kubeProxyVersion", Ty::Any, Zero::Str),
        fd("operatingSystem", Ty::Any, Zero::Str),
        fd("architecture", Ty::Any, Zero::Str),
    ]);
    static CORE_V1_OBJECT_FIELD_SELECTOR: St = St(&[
        fd("fieldPath", Ty::Any, Zero::Str),
    ]);
    static CORE_V1_OBJECT_REFERENCE: St = St(&[
    ]);
    static CORE_V1_PERSISTENT_VOLUME: St = St(&[
        fd("metadata", Ty::Struct(&META_V1_OBJECT_META, false), Zero::Struct),
        fd("spec", Ty::Struct(&CORE_V1_PERSISTENT_VOLUME_SPEC, false), Zero::Struct),
        fd("status", Ty::Any, Zero::Struct),
    ]);
    static CORE_V1_PERSISTENT_VOLUME_CLAIM: St = St(&[
        fd("metadata", Ty::Struct(&META_V1_OBJECT_META, false), Zero::Struct),
        fd("spec", Ty::Struct(&CORE_V1_PERSISTENT_VOLUME_CLAIM_SPEC, false), Zero::Struct),
        fd("status", Ty::Struct(&CORE_V1_PERSISTENT_VOLUME_CLAIM_STATUS, false), Zero::Struct),
    ]);
    static CORE_V1_PERSISTENT_VOLUME_CLAIM_CONDITION: St = St(&[
        fd("type", Ty::Any, Zero::Str),
        fd("status", Ty::Any, Zero::Str),
        fd("lastProbeTime", Ty::Any, Zero::Null),
        fd("lastTransitionTime", Ty::Any, Zero::Null),
    ]);
    static CORE_V1_PERSISTENT_VOLUME_CLAIM_SPEC: St = St(&[
        fd("selector", Ty::Struct(&META_V1_LABEL_SELECTOR, true), Zero::Absent),
        fd("resources", Ty::Any, Zero::Struct),
        fd("dataSource", Ty::Struct(&CORE_V1_TYPED_LOCAL_OBJECT_REFERENCE, true), Zero::Absent),
        fd("dataSourceRef", Ty::Struct(&CORE_V1_TYPED_OBJECT_REFERENCE, false), Zero::Absent),
    ]);
    static CORE_V1_PERSISTENT_VOLUME_CLAIM_STATUS: St = St(&[
        fd("conditions", Ty::List(&E_CORE_V1_PERSISTENT_VOLUME_CLAIM_CONDITION, Ls::Map(&[("type", None)])), Zero::Absent),
        fd("modifyVolumeStatus", Ty::Struct(&CORE_V1_MODIFY_VOLUME_STATUS, false), Zero::Absent),
    ]);
    static CORE_V1_PERSISTENT_VOLUME_CLAIM_TEMPLATE: St = St(&[
        fd("metadata", Ty::Struct(&META_V1_OBJECT_META, false), Zero::Struct),
        fd("spec", Ty::Struct(&CORE_V1_PERSISTENT_VOLUME_CLAIM_SPEC, false), Zero::Struct),
    ]);
    static CORE_V1_PERSISTENT_VOLUME_CLAIM_VOLUME_SOURCE: St = St(&[
        fd("claimName", Ty::Any, Zero::Str),
    ]);
    static CORE_V1_PERSISTENT_VOLUME_SPEC: St = St(&[
        fd("gcePersistentDisk", Ty::Struct(&CORE_V1_GCEPERSISTENT_DISK_VOLUME_SOURCE, false), Zero::Absent),
        fd("awsElasticBlockStore", Ty::Struct(&CORE_V1_AWSELASTIC_BLOCK_STORE_VOLUME_SOURCE, false), Zero::Absent),
        fd("hostPath", Ty::Struct(&CORE_V1_HOST_PATH_VOLUME_SOURCE, false), Zero::Absent),
        fd("glusterfs", Ty::Struct(&CORE_V1_GLUSTERFS_PERSISTENT_VOLUME_SOURCE, false), Zero::Absent),
        fd("nfs", Ty::Struct(&CORE_V1_NFSVOLUME_SOURCE, false), Zero::Absent),
        fd("rbd", Ty::Struct(&CORE_V1_RBDPERSISTENT_VOLUME_SOURCE, false), Zero::Absent),
        fd("iscsi", Ty::Struct(&CORE_V1_ISCSIPERSISTENT_VOLUME_SOURCE, false), Zero::Absent),
        fd("cinder", Ty::Struct(&CORE_V1_CINDER_PERSISTENT_VOLUME_SOURCE, false), Zero::Absent),
        fd("cephfs", Ty::Struct(&CORE_V1_CEPH_FSPERSISTENT_VOLUME_SOURCE, false), Zero::Absent),
        fd("flexVolume", Ty::Struct(&CORE_V1_FLEX_PERSISTENT_VOLUME_SOURCE, false), Zero::Absent),
        fd("azureFile", Ty::Struct(&CORE_V1_AZURE_FILE_PERSISTENT_VOLUME_SOURCE, false), Zero::Absent),
        fd("vsphereVolume", Ty::Struct(&CORE_V1_VSPHERE_VIRTUAL_DISK_VOLUME_SOURCE, false), Zero::Absent),
        fd("quobyte", Ty::Struct(&CORE_V1_QUOBYTE_VOLUME_SOURCE, false), Zero::Absent),
        fd("azureDisk", Ty::Struct(&CORE_V1_AZURE_DISK_VOLUME_SOURCE, false), Zero::Absent),
        fd("photonPersistentDisk", Ty::Struct(&CORE_V1_PHOTON_PERSISTENT_DISK_VOLUME_SOURCE, false), Zero::Absent),
        fd("portworxVolume", Ty::Struct(&CORE_V1_PORTWORX_VOLUME_SOURCE, false), Zero::Absent),
        fd("scaleIO", Ty::Struct(&CORE_V1_SCALE_IOPERSISTENT_VOLUME_SOURCE, false), Zero::Absent),
        fd("local", Ty::Struct(&CORE_V1_LOCAL_VOLUME_SOURCE, false), Zero::Absent),
        fd("storageos", Ty::Struct(&CORE_V1_STORAGE_OSPERSISTENT_VOLUME_SOURCE, false), Zero::Absent),
        fd("csi", Ty::Struct(&CORE_V1_CSIPERSISTENT_VOLUME_SOURCE, false), Zero::Absent),
        fd("nodeAffinity", Ty::Struct(&CORE_V1_VOLUME_NODE_AFFINITY, false), Zero::Absent),
    ]);
    static CORE_V1_PHOTON_PERSISTENT_DISK_VOLUME_SOURCE: St = St(&[
        fd("pdID", Ty::Any, Zero::Str),
    ]);
    static CORE_V1_POD: St = St(&[
        fd("metadata", Ty::Struct(&META_V1_OBJECT_META, false), Zero::Struct),
        fd("spec", Ty::Struct(&CORE_V1_POD_SPEC, false), Zero::Struct),
        fd("status", Ty::Struct(&CORE_V1_POD_STATUS, false), Zero::Struct),
    ]);
    static CORE_V1_POD_AFFINITY: St = St(&[
        fd("requiredDuringSchedulingIgnoredDuringExecution", Ty::List(&E_CORE_V1_POD_AFFINITY_TERM, Ls::Atomic), Zero::Absent),
        fd("preferredDuringSchedulingIgnoredDuringExecution", Ty::List(&E_CORE_V1_WEIGHTED_POD_AFFINITY_TERM, Ls::Atomic), Zero::Absent),
    ]);
    static CORE_V1_POD_AFFINITY_TERM: St = St(&[
        fd("labelSelector", Ty::Struct(&META_V1_LABEL_SELECTOR, true), Zero::Absent),
        fd("topologyKey", Ty::Any, Zero::Str),
        fd("namespaceSelector", Ty::Struct(&META_V1_LABEL_SELECTOR, true), Zero::Absent),
    ]);
    static CORE_V1_POD_ANTI_AFFINITY: St = St(&[
        fd("requiredDuringSchedulingIgnoredDuringExecution", Ty::List(&E_CORE_V1_POD_AFFINITY_TERM, Ls::Atomic), Zero::Absent),
        fd("preferredDuringSchedulingIgnoredDuringExecution", Ty::List(&E_CORE_V1_WEIGHTED_POD_AFFINITY_TERM, Ls::Atomic), Zero::Absent),
    ]);
    static CORE_V1_POD_CONDITION: St = St(&[
        fd("type", Ty::Any, Zero::Str),
        fd("status", Ty::Any, Zero::Str),
        fd("lastProbeTime", Ty::Any, Zero::Null),
        fd("lastTransitionTime", Ty::Any, Zero::Null),
    ]);
    static CORE_V1_POD_IP: St = St(&[
        fd("ip", Ty::Any, Zero::Str),
    ]);
    static CORE_V1_POD_OS: St = St(&[
        fd("name", Ty::Any, Zero::Str),
    ]);
    static CORE_V1_POD_READINESS_GATE: St = St(&[
        fd("conditionType", Ty::Any, Zero::Str),
    ]);
    static CORE_V1_POD_RESOURCE_CLAIM: St = St(&[
        fd("name", Ty::Any, Zero::Str),
    ]);
    static CORE_V1_POD_RESOURCE_CLAIM_STATUS: St = St(&[
        fd("name", Ty::Any, Zero::Str),
    ]);
    static CORE_V1_POD_SCHEDULING_GATE: St = St(&[
        fd("name", Ty::Any, Zero::Str),
    ]);
    static CORE_V1_POD_SECURITY_CONTEXT: St = St(&[
        fd("sysctls", Ty::List(&E_CORE_V1_SYSCTL, Ls::Atomic), Zero::Absent),
        fd("seccompProfile", Ty::Struct(&CORE_V1_SECCOMP_PROFILE, false), Zero::Absent),
        fd("appArmorProfile", Ty::Struct(&CORE_V1_APP_ARMOR_PROFILE, false), Zero::Absent),
    ]);
    static CORE_V1_POD_SPEC: St = St(&[
        fd("volumes", Ty::List(&E_CORE_V1_VOLUME, Ls::Map(&[("name", None)])), Zero::Absent),
        fd("initContainers", Ty::List(&E_CORE_V1_CONTAINER, Ls::Map(&[("name", None)])), Zero::Absent),
        fd("containers", Ty::List(&E_CORE_V1_CONTAINER, Ls::Map(&[("name", None)])), Zero::Null),
        fd("ephemeralContainers", Ty::List(&E_CORE_V1_EPHEMERAL_CONTAINER, Ls::Map(&[("name", None)])), Zero::Absent),
        fd("nodeSelector", Ty::Map(&ANY, true), Zero::Absent),
        fd("securityContext", Ty::Struct(&CORE_V1_POD_SECURITY_CONTEXT, false), Zero::Absent),
        fd("imagePullSecrets", Ty::List(&E_CORE_V1_LOCAL_OBJECT_REFERENCE_ATOMIC, Ls::Map(&[("name", Some("\"\""))])), Zero::Absent),
        fd("affinity", Ty::Struct(&CORE_V1_AFFINITY, false), Zero::Absent),
        fd("hostAliases", Ty::List(&E_CORE_V1_HOST_ALIAS, Ls::Map(&[("ip", None)])), Zero::Absent),
        fd("readinessGates", Ty::List(&E_CORE_V1_POD_READINESS_GATE, Ls::Atomic), Zero::Absent),
        fd("topologySpreadConstraints", Ty::List(&E_CORE_V1_TOPOLOGY_SPREAD_CONSTRAINT, Ls::Map(&[("topologyKey", None), ("whenUnsatisfiable", None)])), Zero::Absent),
        fd("os", Ty::Struct(&CORE_V1_POD_OS, false), Zero::Absent),
        fd("schedulingGates", Ty::List(&E_CORE_V1_POD_SCHEDULING_GATE, Ls::Map(&[("name", None)])), Zero::Absent),
        fd("resourceClaims", Ty::List(&E_CORE_V1_POD_RESOURCE_CLAIM, Ls::Map(&[("name", None)])), Zero::Absent),
        fd("resources", Ty::Struct(&CORE_V1_RESOURCE_REQUIREMENTS, false), Zero::Absent),
    ]);
    static CORE_V1_POD_STATUS: St = St(&[
        fd("conditions", Ty::List(&E_CORE_V1_POD_CONDITION, Ls::Map(&[("type", None)])), Zero::Absent),
        fd("hostIPs", Ty::List(&E_CORE_V1_HOST_IP, Ls::Atomic), Zero::Absent),
        fd("podIPs", Ty::List(&E_CORE_V1_POD_IP, Ls::Map(&[("ip", None)])), Zero::Absent),
        fd("initContainerStatuses", Ty::List(&E_CORE_V1_CONTAINER_STATUS, Ls::Atomic), Zero::Absent),
        fd("containerStatuses", Ty::List(&E_CORE_V1_CONTAINER_STATUS, Ls::Atomic), Zero::Absent),
        fd("ephemeralContainerStatuses", Ty::List(&E_CORE_V1_CONTAINER_STATUS, Ls::Atomic), Zero::Absent),
        fd("resourceClaimStatuses", Ty::List(&E_CORE_V1_POD_RESOURCE_CLAIM_STATUS, Ls::Map(&[("name", None)])), Zero::Absent),
    ]);
    static CORE_V1_POD_TEMPLATE: St = St(&[
        fd("metadata", Ty::Struct(&META_V1_OBJECT_META, false), Zero::Struct),
        fd("template", Ty::Struct(&CORE_V1_POD_TEMPLATE_SPEC, false), Zero::Struct),
    ]);
    static CORE_V1_POD_TEMPLATE_SPEC: St = St(&[
        fd("metadata", Ty::Struct(&META_V1_OBJECT_META, false), Zero::Struct),
        fd("spec", Ty::Struct(&CORE_V1_POD_SPEC, false), Zero::Struct),
    ]);
    static CORE_V1_PORTWORX_VOLUME_SOURCE: St = St(&[
        fd("volumeID", Ty::Any, Zero::Str),
    ]);
    static CORE_V1_PORT_STATUS: St = St(&[
        fd("port", Ty::Any, Zero::Int),
        fd("protocol", Ty::Any, Zero::Str),
    ]);
    static CORE_V1_PREFERRED_SCHEDULING_TERM: St = St(&[
        fd("weight", Ty::Any, Zero::Int),
        fd("preference", Ty::Struct(&CORE_V1_NODE_SELECTOR_TERM, true), Zero::Struct),
    ]);
    static CORE_V1_PROBE: St = St(&[
        fd("httpGet", Ty::Struct(&CORE_V1_HTTPGET_ACTION, false), Zero::Absent),
        fd("tcpSocket", Ty::Struct(&CORE_V1_TCPSOCKET_ACTION, false), Zero::Absent),
        fd("grpc", Ty::Struct(&CORE_V1_GRPCACTION, false), Zero::Absent),
    ]);
    static CORE_V1_PROJECTED_VOLUME_SOURCE: St = St(&[
        fd("sources", Ty::List(&E_CORE_V1_VOLUME_PROJECTION, Ls::Atomic), Zero::Null),
    ]);
    static CORE_V1_QUOBYTE_VOLUME_SOURCE: St = St(&[
        fd("registry", Ty::Any, Zero::Str),
        fd("volume", Ty::Any, Zero::Str),
    ]);
    static CORE_V1_RBDPERSISTENT_VOLUME_SOURCE: St = St(&[
        fd("monitors", Ty::Any, Zero::Null),
        fd("image", Ty::Any, Zero::Str),
        fd("secretRef", Ty::Struct(&CORE_V1_SECRET_REFERENCE, true), Zero::Absent),
    ]);
    static CORE_V1_RBDVOLUME_SOURCE: St = St(&[
        fd("monitors", Ty::Any, Zero::Null),
        fd("image", Ty::Any, Zero::Str),
        fd("secretRef", Ty::Struct(&CORE_V1_LOCAL_OBJECT_REFERENCE, true), Zero::Absent),
    ]);
    static CORE_V1_REPLICATION_CONTROLLER: St = St(&[
        fd("metadata", Ty::Struct(&META_V1_OBJECT_META, false), Zero::Struct),
        fd("spec", Ty::Struct(&CORE_V1_REPLICATION_CONTROLLER_SPEC, false), Zero::Struct),
        fd("status", Ty::Struct(&CORE_V1_REPLICATION_CONTROLLER_STATUS, false), Zero::Struct),
    ]);
    static CORE_V1_REPLICATION_CONTROLLER_CONDITION: St = St(&[
        fd("type", Ty::Any, Zero::Str),
        fd("status", Ty::Any, Zero::Str),
        fd("lastTransitionTime", Ty::Any, Zero::Null),
    ]);
    static CORE_V1_REPLICATION_CONTROLLER_SPEC: St = St(&[
        fd("selector", Ty::Map(&ANY, true), Zero::Absent),
        fd("template", Ty::Struct(&CORE_V1_POD_TEMPLATE_SPEC, false), Zero::Absent),
    ]);
    static CORE_V1_REPLICATION_CONTROLLER_STATUS: St = St(&[
        fd("replicas", Ty::Any, Zero::Int),
        fd("conditions", Ty::List(&E_CORE_V1_REPLICATION_CONTROLLER_CONDITION, Ls::Map(&[("type", None)])), Zero::Absent),
    ]);
    static CORE_V1_RESOURCE_CLAIM: St = St(&[
        fd("name", Ty::Any, Zero::Str),
    ]);
    static CORE_V1_RESOURCE_FIELD_SELECTOR: St = St(&[
        fd("resource", Ty::Any, Zero::Str),
        fd("divisor", Ty::Any, Zero::Quantity),
    ]);
    static CORE_V1_RESOURCE_HEALTH: St = St(&[
        fd("resourceID", Ty::Any, Zero::Str),
    ]);
    static CORE_V1_RESOURCE_QUOTA: St = St(&[
        fd("metadata", Ty::Struct(&META_V1_OBJECT_META, false), Zero::Struct),
        fd("spec", Ty::Struct(&CORE_V1_RESOURCE_QUOTA_SPEC, false), Zero::Struct),
        fd("status", Ty::Any, Zero::Struct),
    ]);
    static CORE_V1_RESOURCE_QUOTA_SPEC: St = St(&[
        fd("scopeSelector", Ty::Struct(&CORE_V1_SCOPE_SELECTOR, true), Zero::Absent),
    ]);
    static CORE_V1_RESOURCE_REQUIREMENTS: St = St(&[
        fd("claims", Ty::List(&E_CORE_V1_RESOURCE_CLAIM, Ls::Map(&[("name", None)])), Zero::Absent),
    ]);
    static CORE_V1_RESOURCE_STATUS: St = St(&[
        fd("name", Ty::Any, Zero::Str),
        fd("resources", Ty::List(&E_CORE_V1_RESOURCE_HEALTH, Ls::Map(&[("resourceID", None)])), Zero::Absent),
    ]);
    static CORE_V1_SCALE_IOPERSISTENT_VOLUME_SOURCE: St = St(&[
        fd("gateway", Ty::Any, Zero::Str),
        fd("system", Ty::Any, Zero::Str),
        fd("secretRef", Ty::Struct(&CORE_V1_SECRET_REFERENCE, true), Zero::Null),
    ]);
    static CORE_V1_SCALE_IOVOLUME_SOURCE: St = St(&[
        fd("gateway", Ty::Any, Zero::Str),
        fd("system", Ty::Any, Zero::Str),
        fd("secretRef", Ty::Struct(&CORE_V1_LOCAL_OBJECT_REFERENCE, true), Zero::Null),
    ]);
    static CORE_V1_SCOPED_RESOURCE_SELECTOR_REQUIREMENT: St = St(&[
        fd("scopeName", Ty::Any, Zero::Str),
        fd("operator", Ty::Any, Zero::Str),
    ]);
    static CORE_V1_SCOPE_SELECTOR: St = St(&[
        fd("matchExpressions", Ty::List(&E_CORE_V1_SCOPED_RESOURCE_SELECTOR_REQUIREMENT, Ls::Atomic), Zero::Absent),
    ]);
    static CORE_V1_SECCOMP_PROFILE: St = St(&[
        fd("type", Ty::Any, Zero::Str),
    ]);
    static CORE_V1_SECRET: St = St(&[
        fd("metadata", Ty::Struct(&META_V1_OBJECT_META, false), Zero::Struct),
    ]);
    static CORE_V1_SECRET_KEY_SELECTOR: St = St(&[
        fd("key", Ty::Any, Zero::Str),
    ]);
    static CORE_V1_SECRET_PROJECTION: St = St(&[
        fd("items", Ty::List(&E_CORE_V1_KEY_TO_PATH, Ls::Atomic), Zero::Absent),
    ]);
    static CORE_V1_SECRET_REFERENCE: St = St(&[
    ]);
    static CORE_V1_SECRET_VOLUME_SOURCE: St = St(&[
        fd("items", Ty::List(&E_CORE_V1_KEY_TO_PATH, Ls::Atomic), Zero::Absent),
    ]);
    static CORE_V1_SECURITY_CONTEXT: St = St(&[
        fd("seccompProfile", Ty::Struct(&CORE_V1_SECCOMP_PROFILE, false), Zero::Absent),
        fd("appArmorProfile", Ty::Struct(&CORE_V1_APP_ARMOR_PROFILE, false), Zero::Absent),
    ]);
    static CORE_V1_SERVICE: St = St(&[
        fd("metadata", Ty::Struct(&META_V1_OBJECT_META, false), Zero::Struct),
        fd("spec", Ty::Struct(&CORE_V1_SERVICE_SPEC, false), Zero::Struct),
        fd("status", Ty::Struct(&CORE_V1_SERVICE_STATUS, false), Zero::Struct),
    ]);
    static CORE_V1_SERVICE_ACCOUNT: St = St(&[
        fd("metadata", Ty::Struct(&META_V1_OBJECT_META, false), Zero::Struct),
        fd("secrets", Ty::List(&E_CORE_V1_OBJECT_REFERENCE_ATOMIC, Ls::Map(&[("name", None)])), Zero::Absent),
        fd("imagePullSecrets", Ty::List(&E_CORE_V1_LOCAL_OBJECT_REFERENCE_ATOMIC, Ls::Atomic), Zero::Absent),
    ]);
    static CORE_V1_SERVICE_ACCOUNT_TOKEN_PROJECTION: St = St(&[
        fd("path", Ty::Any, Zero::Str),
    ]);
    static CORE_V1_SERVICE_PORT: St = St(&[
        fd("port", Ty::Any, Zero::Int),
        fd("targetPort", Ty::Any, Zero::Int),
    ]);
    static CORE_V1_SERVICE_SPEC: St = St(&[
        fd("ports", Ty::List(&E_CORE_V1_SERVICE_PORT, Ls::Map(&[("port", None), ("protocol", Some("\"TCP\""))])), Zero::Absent),
        fd("selector", Ty::Map(&ANY, true), Zero::Absent),
    ]);
    static CORE_V1_SERVICE_STATUS: St = St(&[
        fd("loadBalancer", Ty::Struct(&CORE_V1_LOAD_BALANCER_STATUS, false), Zero::Struct),
        fd("conditions", Ty::List(&E_META_V1_CONDITION, Ls::Map(&[("type", None)])), Zero::Absent),
    ]);
    static CORE_V1_SLEEP_ACTION: St = St(&[
        fd("seconds", Ty::Any, Zero::Int),
    ]);
    static CORE_V1_STORAGE_OSPERSISTENT_VOLUME_SOURCE: St = St(&[
        fd("secretRef", Ty::Struct(&CORE_V1_OBJECT_REFERENCE, true), Zero::Absent),
    ]);
    static CORE_V1_STORAGE_OSVOLUME_SOURCE: St = St(&[
        fd("secretRef", Ty::Struct(&CORE_V1_LOCAL_OBJECT_REFERENCE, true), Zero::Absent),
    ]);
    static CORE_V1_SYSCTL: St = St(&[
        fd("name", Ty::Any, Zero::Str),
        fd("value", Ty::Any, Zero::Str),
    ]);
    static CORE_V1_TAINT: St = St(&[
        fd("key", Ty::Any, Zero::Str),
        fd("effect", Ty::Any, Zero::Str),
    ]);
    static CORE_V1_TCPSOCKET_ACTION: St = St(&[
        fd("port", Ty::Any, Zero::Int),
    ]);
    static CORE_V1_TOPOLOGY_SELECTOR_LABEL_REQUIREMENT: St = St(&[
        fd("key", Ty::Any, Zero::Str),
        fd("values", Ty::Any, Zero::Null),
    ]);
    static CORE_V1_TOPOLOGY_SELECTOR_TERM: St = St(&[
        fd("matchLabelExpressions", Ty::List(&E_CORE_V1_TOPOLOGY_SELECTOR_LABEL_REQUIREMENT, Ls::Atomic), Zero::Absent),
    ]);
    static CORE_V1_TOPOLOGY_SPREAD_CONSTRAINT: St = St(&[
        fd("maxSkew", Ty::Any, Zero::Int),
        fd("topologyKey", Ty::Any, Zero::Str),
        fd("whenUnsatisfiable", Ty::Any, Zero::Str),
        fd("labelSelector", Ty::Struct(&META_V1_LABEL_SELECTOR, true), Zero::Absent),
    ]);
    static CORE_V1_TYPED_LOCAL_OBJECT_REFERENCE: St = St(&[
        fd("apiGroup", Ty::Any, Zero::Null),
        fd("kind", Ty::Any, Zero::Str),
        fd("name", Ty::Any, Zero::Str),
    ]);
    static CORE_V1_TYPED_OBJECT_REFERENCE: St = St(&[
        fd("apiGroup", Ty::Any, Zero::Null),
        fd("kind", Ty::Any, Zero::Str),
        fd("name", Ty::Any, Zero::Str),
    ]);
    static CORE_V1_VOLUME: St = St(&[
        fd("name", Ty::Any, Zero::Str),
        fd("hostPath", Ty::Struct(&CORE_V1_HOST_PATH_VOLUME_SOURCE, false), Zero::Absent),
        fd("gcePersistentDisk", Ty::Struct(&CORE_V1_GCEPERSISTENT_DISK_VOLUME_SOURCE, false), Zero::Absent),
        fd("awsElasticBlockStore", Ty::Struct(&CORE_V1_AWSELASTIC_BLOCK_STORE_VOLUME_SOURCE, false), Zero::Absent),
        fd("gitRepo", Ty::Struct(&CORE_V1_GIT_REPO_VOLUME_SOURCE, false), Zero::Absent),
        fd("secret", Ty::Struct(&CORE_V1_SECRET_VOLUME_SOURCE, false), Zero::Absent),
        fd("nfs", Ty::Struct(&CORE_V1_NFSVOLUME_SOURCE, false), Zero::Absent),
        fd("iscsi", Ty::Struct(&CORE_V1_ISCSIVOLUME_SOURCE, false), Zero::Absent),
        fd("glusterfs", Ty::Struct(&CORE_V1_GLUSTERFS_VOLUME_SOURCE, false), Zero::Absent),
        fd("persistentVolumeClaim", Ty::Struct(&CORE_V1_PERSISTENT_VOLUME_CLAIM_VOLUME_SOURCE, false), Zero::Absent),
        fd("rbd", Ty::Struct(&CORE_V1_RBDVOLUME_SOURCE, false), Zero::Absent),
        fd("flexVolume", Ty::Struct(&CORE_V1_FLEX_VOLUME_SOURCE, false), Zero::Absent),
        fd("cinder", Ty::Struct(&CORE_V1_CINDER_VOLUME_SOURCE, false), Zero::Absent),
        fd("cephfs", Ty::Struct(&CORE_V1_CEPH_FSVOLUME_SOURCE, false), Zero::Absent),
        fd("downwardAPI", Ty::Struct(&CORE_V1_DOWNWARD_APIVOLUME_SOURCE, false), Zero::Absent),
        fd("azureFile", Ty::Struct(&CORE_V1_AZURE_FILE_VOLUME_SOURCE, false), Zero::Absent),
        fd("configMap", Ty::Struct(&CORE_V1_CONFIG_MAP_VOLUME_SOURCE, false), Zero::Absent),
        fd("vsphereVolume", Ty::Struct(&CORE_V1_VSPHERE_VIRTUAL_DISK_VOLUME_SOURCE, false), Zero::Absent),
        fd("quobyte", Ty::Struct(&CORE_V1_QUOBYTE_VOLUME_SOURCE, false), Zero::Absent),
        fd("azureDisk", Ty::Struct(&CORE_V1_AZURE_DISK_VOLUME_SOURCE, false), Zero::Absent),
        fd("photonPersistentDisk", Ty::Struct(&CORE_V1_PHOTON_PERSISTENT_DISK_VOLUME_SOURCE, false), Zero::Absent),
        fd("projected", Ty::Struct(&CORE_V1_PROJECTED_VOLUME_SOURCE, false), Zero::Absent),
        fd("portworxVolume", Ty::Struct(&CORE_V1_PORTWORX_VOLUME_SOURCE, false), Zero::Absent),
        fd("scaleIO", Ty::Struct(&CORE_V1_SCALE_IOVOLUME_SOURCE, false), Zero::Absent),
        fd("storageos", Ty::Struct(&CORE_V1_STORAGE_OSVOLUME_SOURCE, false), Zero::Absent),
        fd("csi", Ty::Struct(&CORE_V1_CSIVOLUME_SOURCE, false), Zero::Absent),
        fd("ephemeral", Ty::Struct(&CORE_V1_EPHEMERAL_VOLUME_SOURCE, false), Zero::Absent),
    ]);
    static CORE_V1_VOLUME_DEVICE: St = St(&[
        fd("name", Ty::Any, Zero::Str),
        fd("devicePath", Ty::Any, Zero::Str),
    ]);
    static CORE_V1_VOLUME_MOUNT: St = St(&[
        fd("name", Ty::Any, Zero::Str),
        fd("mountPath", Ty::Any, Zero::Str),
    ]);
    static CORE_V1_VOLUME_MOUNT_STATUS: St = St(&[
        fd("name", Ty::Any, Zero::Str),
        fd("mountPath", Ty::Any, Zero::Str),
    ]);
    static CORE_V1_VOLUME_NODE_AFFINITY: St = St(&[
        fd("required", Ty::Struct(&CORE_V1_NODE_SELECTOR, true), Zero::Absent),
    ]);
    static CORE_V1_VOLUME_PROJECTION: St = St(&[
        fd("secret", Ty::Struct(&CORE_V1_SECRET_PROJECTION, false), Zero::Absent),
        fd("downwardAPI", Ty::Struct(&CORE_V1_DOWNWARD_APIPROJECTION, false), Zero::Absent),
        fd("configMap", Ty::Struct(&CORE_V1_CONFIG_MAP_PROJECTION, false), Zero::Absent),
        fd("serviceAccountToken", Ty::Struct(&CORE_V1_SERVICE_ACCOUNT_TOKEN_PROJECTION, false), Zero::Absent),
        fd("clusterTrustBundle", Ty::Struct(&CORE_V1_CLUSTER_TRUST_BUNDLE_PROJECTION, false), Zero::Absent),
    ]);
    static CORE_V1_VSPHERE_VIRTUAL_DISK_VOLUME_SOURCE: St = St(&[
        fd("volumePath", Ty::Any, Zero::Str),
    ]);
    static CORE_V1_WEIGHTED_POD_AFFINITY_TERM: St = St(&[
        fd("weight", Ty::Any, Zero::Int),
        fd("podAffinityTerm", Ty::Struct(&CORE_V1_POD_AFFINITY_TERM, false), Zero::Struct),
    ]);
    static DISCOVERY_V1_ENDPOINT: St = St(&[
        fd("addresses", Ty::List(&ANY, Ls::Set), Zero::Null),
        fd("conditions", Ty::Any, Zero::Struct),
        fd("targetRef", Ty::Struct(&CORE_V1_OBJECT_REFERENCE, true), Zero::Absent),
        fd("hints", Ty::Struct(&DISCOVERY_V1_ENDPOINT_HINTS, false), Zero::Absent),
    ]);
    static DISCOVERY_V1_ENDPOINT_HINTS: St = St(&[
        fd("forZones", Ty::List(&E_DISCOVERY_V1_FOR_ZONE, Ls::Atomic), Zero::Absent),
        fd("forNodes", Ty::List(&E_DISCOVERY_V1_FOR_NODE, Ls::Atomic), Zero::Absent),
    ]);
    static DISCOVERY_V1_ENDPOINT_PORT: St = St(&[
    ]);
    static DISCOVERY_V1_ENDPOINT_SLICE: St = St(&[
        fd("metadata", Ty::Struct(&META_V1_OBJECT_META, false), Zero::Struct),
        fd("addressType", Ty::Any, Zero::Str),
        fd("endpoints", Ty::List(&E_DISCOVERY_V1_ENDPOINT, Ls::Atomic), Zero::Null),
        fd("ports", Ty::List(&E_DISCOVERY_V1_ENDPOINT_PORT_ATOMIC, Ls::Atomic), Zero::Null),
    ]);
    static DISCOVERY_V1_FOR_NODE: St = St(&[
        fd("name", Ty::Any, Zero::Str),
    ]);
    static DISCOVERY_V1_FOR_ZONE: St = St(&[
        fd("name", Ty::Any, Zero::Str),
    ]);
    static EVENTS_V1_EVENT: St = St(&[
        fd("metadata", Ty::Struct(&META_V1_OBJECT_META, false), Zero::Struct),
        fd("eventTime", Ty::Any, Zero::Null),
        fd("series", Ty::Struct(&EVENTS_V1_EVENT_SERIES, false), Zero::Absent),
        fd("regarding", Ty::Struct(&CORE_V1_OBJECT_REFERENCE, true), Zero::Struct),
        fd("related", Ty::Struct(&CORE_V1_OBJECT_REFERENCE, true), Zero::Absent),
        fd("deprecatedSource", Ty::Any, Zero::Struct),
        fd("deprecatedFirstTimestamp", Ty::Any, Zero::Null),
        fd("deprecatedLastTimestamp", Ty::Any, Zero::Null),
    ]);
    static EVENTS_V1_EVENT_SERIES: St = St(&[
        fd("count", Ty::Any, Zero::Int),
        fd("lastObservedTime", Ty::Any, Zero::Null),
    ]);
    static FLOWCONTROL_V1_FLOW_DISTINGUISHER_METHOD: St = St(&[
        fd("type", Ty::Any, Zero::Str),
    ]);
    static FLOWCONTROL_V1_FLOW_SCHEMA: St = St(&[
        fd("metadata", Ty::Struct(&META_V1_OBJECT_META, false), Zero::Struct),
        fd("spec", Ty::Struct(&FLOWCONTROL_V1_FLOW_SCHEMA_SPEC, false), Zero::Struct),
        fd("status", Ty::Struct(&FLOWCONTROL_V1_FLOW_SCHEMA_STATUS, false), Zero::Struct),
    ]);
    static FLOWCONTROL_V1_FLOW_SCHEMA_CONDITION: St = St(&[
        fd("lastTransitionTime", Ty::Any, Zero::Null),
    ]);
    static FLOWCONTROL_V1_FLOW_SCHEMA_SPEC: St = St(&[
        fd("priorityLevelConfiguration", Ty::Struct(&FLOWCONTROL_V1_PRIORITY_LEVEL_CONFIGURATION_REFERENCE, false), Zero::Struct),
        fd("matchingPrecedence", Ty::Any, Zero::Int),
        fd("distinguisherMethod", Ty::Struct(&FLOWCONTROL_V1_FLOW_DISTINGUISHER_METHOD, false), Zero::Absent),
        fd("rules", Ty::List(&E_FLOWCONTROL_V1_POLICY_RULES_WITH_SUBJECTS, Ls::Atomic), Zero::Absent),
    ]);
    static FLOWCONTROL_V1_FLOW_SCHEMA_STATUS: St = St(&[
        fd("conditions", Ty::List(&E_FLOWCONTROL_V1_FLOW_SCHEMA_CONDITION, Ls::Map(&[("type", None)])), Zero::Absent),
    ]);
    static FLOWCONTROL_V1_GROUP_SUBJECT: St = St(&[
        fd("name", Ty::Any, Zero::Str),
    ]);
    static FLOWCONTROL_V1_LIMITED_PRIORITY_LEVEL_CONFIGURATION: St = St(&[
        fd("nominalConcurrencyShares", Ty::Any, Zero::Null),
        fd("limitResponse", Ty::Struct(&FLOWCONTROL_V1_LIMIT_RESPONSE, false), Zero::Struct),
    ]);
    static FLOWCONTROL_V1_LIMIT_RESPONSE: St = St(&[
        fd("type", Ty::Any, Zero::Str),
        fd("queuing", Ty::Struct(&FLOWCONTROL_V1_QUEUING_CONFIGURATION, false), Zero::Absent),
    ]);
    static FLOWCONTROL_V1_NON_RESOURCE_POLICY_RULE: St = St(&[
        fd("verbs", Ty::List(&ANY, Ls::Set), Zero::Null),
        fd("nonResourceURLs", Ty::List(&ANY, Ls::Set), Zero::Null),
    ]);
    static FLOWCONTROL_V1_POLICY_RULES_WITH_SUBJECTS: St = St(&[
        fd("subjects", Ty::List(&E_FLOWCONTROL_V1_SUBJECT, Ls::Atomic), Zero::Null),
        fd("resourceRules", Ty::List(&E_FLOWCONTROL_V1_RESOURCE_POLICY_RULE, Ls::Atomic), Zero::Absent),
        fd("nonResourceRules", Ty::List(&E_FLOWCONTROL_V1_NON_RESOURCE_POLICY_RULE, Ls::Atomic), Zero::Absent),
    ]);
    static FLOWCONTROL_V1_PRIORITY_LEVEL_CONFIGURATION: St = St(&[
        fd("metadata", Ty::Struct(&META_V1_OBJECT_META, false), Zero::Struct),
        fd("spec", Ty::Struct(&FLOWCONTROL_V1_PRIORITY_LEVEL_CONFIGURATION_SPEC, false), Zero::Struct),
        fd("status", Ty::Struct(&FLOWCONTROL_V1_PRIORITY_LEVEL_CONFIGURATION_STATUS, false), Zero::Struct),
    ]);
    static FLOWCONTROL_V1_PRIORITY_LEVEL_CONFIGURATION_CONDITION: St = St(&[
        fd("lastTransitionTime", Ty::Any, Zero::Null),
    ]);
    static FLOWCONTROL_V1_PRIORITY_LEVEL_CONFIGURATION_REFERENCE: St = St(&[
        fd("name", Ty::Any, Zero::Str),
    ]);
    static FLOWCONTROL_V1_PRIORITY_LEVEL_CONFIGURATION_SPEC: St = St(&[
        fd("type", Ty::Any, Zero::Str),
        fd("limited", Ty::Struct(&FLOWCONTROL_V1_LIMITED_PRIORITY_LEVEL_CONFIGURATION, false), Zero::Absent),
    ]);
    static FLOWCONTROL_V1_PRIORITY_LEVEL_CONFIGURATION_STATUS: St = St(&[
        fd("conditions", Ty::List(&E_FLOWCONTROL_V1_PRIORITY_LEVEL_CONFIGURATION_CONDITION, Ls::Map(&[("type", None)])), Zero::Absent),
    ]);
    static FLOWCONTROL_V1_QUEUING_CONFIGURATION: St = St(&[
        fd("queues", Ty::Any, Zero::Int),
        fd("handSize", Ty::Any, Zero::Int),
        fd("queueLengthLimit", Ty::Any, Zero::Int),
    ]);
    static FLOWCONTROL_V1_RESOURCE_POLICY_RULE: St = St(&[
        fd("verbs", Ty::List(&ANY, Ls::Set), Zero::Null),
        fd("apiGroups", Ty::List(&ANY, Ls::Set), Zero::Null),
        fd("resources", Ty::List(&ANY, Ls::Set), Zero::Null),
        fd("namespaces", Ty::List(&ANY, Ls::Set), Zero::Null),
    ]);
    static FLOWCONTROL_V1_SERVICE_ACCOUNT_SUBJECT: St = St(&[
        fd("namespace", Ty::Any, Zero::Str),
        fd("name", Ty::Any, Zero::Str),
    ]);
    static FLOWCONTROL_V1_SUBJECT: St = St(&[
        fd("kind", Ty::Any, Zero::Str),
        fd("user", Ty::Struct(&FLOWCONTROL_V1_USER_SUBJECT, false), Zero::Absent),
        fd("group", Ty::Struct(&FLOWCONTROL_V1_GROUP_SUBJECT, false), Zero::Absent),
        fd("serviceAccount", Ty::Struct(&FLOWCONTROL_V1_SERVICE_ACCOUNT_SUBJECT, false), Zero::Absent),
    ]);
    static FLOWCONTROL_V1_USER_SUBJECT: St = St(&[
        fd("name", Ty::Any, Zero::Str),
    ]);
    static META_V1_CONDITION: St = St(&[
        fd("type", Ty::Any, Zero::Str),
        fd("status", Ty::Any, Zero::Str),
        fd("lastTransitionTime", Ty::Any, Zero::Null),
        fd("reason", Ty::Any, Zero::Str),
        fd("message", Ty::Any, Zero::Str),
    ]);
    static META_V1_FIELD_SELECTOR_REQUIREMENT: St = St(&[
        fd("key", Ty::Any, Zero::Str),
        fd("operator", Ty::Any, Zero::Str),
    ]);
    static META_V1_LABEL_SELECTOR: St = St(&[
        fd("matchExpressions", Ty::List(&E_META_V1_LABEL_SELECTOR_REQUIREMENT, Ls::Atomic), Zero::Absent),
    ]);
    static META_V1_LABEL_SELECTOR_REQUIREMENT: St = St(&[
        fd("key", Ty::Any, Zero::Str),
        fd("operator", Ty::Any, Zero::Str),
    ]);
    static META_V1_OBJECT_META: St = St(&[
        fd("creationTimestamp", Ty::Any, Zero::Null),
        fd("ownerReferences", Ty::List(&E_META_V1_OWNER_REFERENCE_ATOMIC, Ls::Map(&[("uid", None)])), Zero::Absent),
        fd("finalizers", Ty::List(&ANY, Ls::Set), Zero::Absent),
    ]);
    static META_V1_OWNER_REFERENCE: St = St(&[
        fd("apiVersion", Ty::Any, Zero::Str),
        fd("kind", Ty::Any, Zero::Str),
        fd("name", Ty::Any, Zero::Str),
        fd("uid", Ty::Any, Zero::Str),
    ]);
    static NETWORKING_V1_HTTPINGRESS_PATH: St = St(&[
        fd("pathType", Ty::Any, Zero::Null),
        fd("backend", Ty::Struct(&NETWORKING_V1_INGRESS_BACKEND, false), Zero::Struct),
    ]);
    static NETWORKING_V1_HTTPINGRESS_RULE_VALUE: St = St(&[
        fd("paths", Ty::List(&E_NETWORKING_V1_HTTPINGRESS_PATH, Ls::Atomic), Zero::Null),
    ]);
    static NETWORKING_V1_INGRESS: St = St(&[
        fd("metadata", Ty::Struct(&META_V1_OBJECT_META, false), Zero::Struct),
        fd("spec", Ty::Struct(&NETWORKING_V1_INGRESS_SPEC, false), Zero::Struct),
        fd("status", Ty::Struct(&NETWORKING_V1_INGRESS_STATUS, false), Zero::Struct),
    ]);
    static NETWORKING_V1_INGRESS_BACKEND: St = St(&[
        fd("service", Ty::Struct(&NETWORKING_V1_INGRESS_SERVICE_BACKEND, false), Zero::Absent),
        fd("resource", Ty::Struct(&CORE_V1_TYPED_LOCAL_OBJECT_REFERENCE, true), Zero::Absent),
    ]);
    static NETWORKING_V1_INGRESS_CLASS: St = St(&[
        fd("metadata", Ty::Struct(&META_V1_OBJECT_META, false), Zero::Struct),
        fd("spec", Ty::Struct(&NETWORKING_V1_INGRESS_CLASS_SPEC, false), Zero::Struct),
    ]);
    static NETWORKING_V1_INGRESS_CLASS_PARAMETERS_REFERENCE: St = St(&[
        fd("kind", Ty::Any, Zero::Str),
        fd("name", Ty::Any, Zero::Str),
        fd("scope", Ty::Any, Zero::Null),
    ]);
    static NETWORKING_V1_INGRESS_CLASS_SPEC: St = St(&[
        fd("parameters", Ty::Struct(&NETWORKING_V1_INGRESS_CLASS_PARAMETERS_REFERENCE, false), Zero::Absent),
    ]);
    static NETWORKING_V1_INGRESS_LOAD_BALANCER_INGRESS: St = St(&[
        fd("ports", Ty::List(&E_NETWORKING_V1_INGRESS_PORT_STATUS, Ls::Atomic), Zero::Absent),
    ]);
    static NETWORKING_V1_INGRESS_LOAD_BALANCER_STATUS: St = St(&[
        fd("ingress", Ty::List(&E_NETWORKING_V1_INGRESS_LOAD_BALANCER_INGRESS, Ls::Atomic), Zero::Absent),
    ]);
    static NETWORKING_V1_INGRESS_PORT_STATUS: St = St(&[
        fd("port", Ty::Any, Zero::Int),
        fd("protocol", Ty::Any, Zero::Str),
    ]);
    static NETWORKING_V1_INGRESS_RULE: St = St(&[
        fd("http", Ty::Struct(&NETWORKING_V1_HTTPINGRESS_RULE_VALUE, false), Zero::Absent),
    ]);
    static NETWORKING_V1_INGRESS_SERVICE_BACKEND: St = St(&[
        fd("name", Ty::Any, Zero::Str),
        fd("port", Ty::Struct(&NETWORKING_V1_SERVICE_BACKEND_PORT, true), Zero::Struct),
    ]);
    static NETWORKING_V1_INGRESS_SPEC: St = St(&[
        fd("defaultBackend", Ty::Struct(&NETWORKING_V1_INGRESS_BACKEND, false), Zero::Absent),
        fd("rules", Ty::List(&E_NETWORKING_V1_INGRESS_RULE, Ls::Atomic), Zero::Absent),
    ]);
    static NETWORKING_V1_INGRESS_STATUS: St = St(&[
        fd("loadBalancer", Ty::Struct(&NETWORKING_V1_INGRESS_LOAD_BALANCER_STATUS, false), Zero::Struct),
    ]);
    static NETWORKING_V1_IPADDRESS: St = St(&[
        fd("metadata", Ty::Struct(&META_V1_OBJECT_META, false), Zero::Struct),
        fd("spec", Ty::Any, Zero::Struct),
    ]);
    static NETWORKING_V1_IPBLOCK: St = St(&[
        fd("cidr", Ty::Any, Zero::Str),
    ]);
    static NETWORKING_V1_NETWORK_POLICY: St = St(&[
        fd("metadata", Ty::Struct(&META_V1_OBJECT_META, false), Zero::Struct),
        fd("spec", Ty::Struct(&NETWORKING_V1_NETWORK_POLICY_SPEC, false), Zero::Struct),
    ]);
    static NETWORKING_V1_NETWORK_POLICY_EGRESS_RULE: St = St(&[
        fd("to", Ty::List(&E_NETWORKING_V1_NETWORK_POLICY_PEER, Ls::Atomic), Zero::Absent),
    ]);
    static NETWORKING_V1_NETWORK_POLICY_INGRESS_RULE: St = St(&[
        fd("from", Ty::List(&E_NETWORKING_V1_NETWORK_POLICY_PEER, Ls::Atomic), Zero::Absent),
    ]);
    static NETWORKING_V1_NETWORK_POLICY_PEER: St = St(&[
        fd("podSelector", Ty::Struct(&META_V1_LABEL_SELECTOR, true), Zero::Absent),
        fd("namespaceSelector", Ty::Struct(&META_V1_LABEL_SELECTOR, true), Zero::Absent),
        fd("ipBlock", Ty::Struct(&NETWORKING_V1_IPBLOCK, false), Zero::Absent),
    ]);
    static NETWORKING_V1_NETWORK_POLICY_SPEC: St = St(&[
        fd("podSelector", Ty::Struct(&META_V1_LABEL_SELECTOR, true), Zero::Struct),
        fd("ingress", Ty::List(&E_NETWORKING_V1_NETWORK_POLICY_INGRESS_RULE, Ls::Atomic), Zero::Absent),
        fd("egress", Ty::List(&E_NETWORKING_V1_NETWORK_POLICY_EGRESS_RULE, Ls::Atomic), Zero::Absent),
    ]);
    static NETWORKING_V1_SERVICE_BACKEND_PORT: St = St(&[
    ]);
    static NETWORKING_V1_SERVICE_CIDR: St = St(&[
        fd("metadata", Ty::Struct(&META_V1_OBJECT_META, false), Zero::Struct),
        fd("spec", Ty::Any, Zero::Struct),
        fd("status", Ty::Struct(&NETWORKING_V1_SERVICE_CIDRSTATUS, false), Zero::Struct),
    ]);
    static NETWORKING_V1_SERVICE_CIDRSTATUS: St = St(&[
        fd("conditions", Ty::List(&E_META_V1_CONDITION, Ls::Map(&[("type", None)])), Zero::Absent),
    ]);
    static NODE_V1_RUNTIME_CLASS: St = St(&[
        fd("metadata", Ty::Struct(&META_V1_OBJECT_META, false), Zero::Struct),
        fd("handler", Ty::Any, Zero::Str),
        fd("scheduling", Ty::Struct(&NODE_V1_SCHEDULING, false), Zero::Absent),
    ]);
    static NODE_V1_SCHEDULING: St = St(&[
        fd("nodeSelector", Ty::Map(&ANY, true), Zero::Absent),
    ]);
    static POLICY_V1_EVICTION: St = St(&[
        fd("metadata", Ty::Struct(&META_V1_OBJECT_META, false), Zero::Struct),
    ]);
    static POLICY_V1_POD_DISRUPTION_BUDGET: St = St(&[
        fd("metadata", Ty::Struct(&META_V1_OBJECT_META, false), Zero::Struct),
        fd("spec", Ty::Struct(&POLICY_V1_POD_DISRUPTION_BUDGET_SPEC, false), Zero::Struct),
        fd("status", Ty::Struct(&POLICY_V1_POD_DISRUPTION_BUDGET_STATUS, false), Zero::Struct),
    ]);
    static POLICY_V1_POD_DISRUPTION_BUDGET_SPEC: St = St(&[
        fd("selector", Ty::Struct(&META_V1_LABEL_SELECTOR, true), Zero::Absent),
    ]);
    static POLICY_V1_POD_DISRUPTION_BUDGET_STATUS: St = St(&[
        fd("disruptionsAllowed", Ty::Any, Zero::Int),
        fd("currentHealthy", Ty::Any, Zero::Int),
        fd("desiredHealthy", Ty::Any, Zero::Int),
        fd("expectedPods", Ty::Any, Zero::Int),
        fd("conditions", Ty::List(&E_META_V1_CONDITION, Ls::Map(&[("type", None)])), Zero::Absent),
    ]);
    static RBAC_V1_AGGREGATION_RULE: St = St(&[
        fd("clusterRoleSelectors", Ty::List(&E_META_V1_LABEL_SELECTOR_ATOMIC, Ls::Atomic), Zero::Absent),
    ]);
    static RBAC_V1_CLUSTER_ROLE: St = St(&[
        fd("metadata", Ty::Struct(&META_V1_OBJECT_META, false), Zero::Struct),
        fd("rules", Ty::List(&E_RBAC_V1_POLICY_RULE, Ls::Atomic), Zero::Null),
        fd("aggregationRule", Ty::Struct(&RBAC_V1_AGGREGATION_RULE, false), Zero::Absent),
    ]);
    static RBAC_V1_CLUSTER_ROLE_BINDING: St = St(&[
        fd("metadata", Ty::Struct(&META_V1_OBJECT_META, false), Zero::Struct),
        fd("subjects", Ty::List(&E_RBAC_V1_SUBJECT_ATOMIC, Ls::Atomic), Zero::Absent),
        fd("roleRef", Ty::Struct(&RBAC_V1_ROLE_REF, true), Zero::Struct),
    ]);
    static RBAC_V1_POLICY_RULE: St = St(&[
        fd("verbs", Ty::Any, Zero::Null),
    ]);
    static RBAC_V1_ROLE: St = St(&[
        fd("metadata", Ty::Struct(&META_V1_OBJECT_META, false), Zero::Struct),
        fd("rules", Ty::List(&E_RBAC_V1_POLICY_RULE, Ls::Atomic), Zero::Null),
    ]);
    static RBAC_V1_ROLE_BINDING: St = St(&[
        fd("metadata", Ty::Struct(&META_V1_OBJECT_META, false), Zero::Struct),
        fd("subjects", Ty::List(&E_RBAC_V1_SUBJECT_ATOMIC, Ls::Atomic), Zero::Absent),
        fd("roleRef", Ty::Struct(&RBAC_V1_ROLE_REF, true), Zero::Struct),
    ]);
    static RBAC_V1_ROLE_REF: St = St(&[
        fd("apiGroup", Ty::Any, Zero::Str),
        fd("kind", Ty::Any, Zero::Str),
        fd("name", Ty::Any, Zero::Str),
    ]);
    static RBAC_V1_SUBJECT: St = St(&[
        fd("kind", Ty::Any, Zero::Str),
        fd("name", Ty::Any, Zero::Str),
    ]);
    static SCHEDULING_V1_PRIORITY_CLASS: St = St(&[
        fd("metadata", Ty::Struct(&META_V1_OBJECT_META, false), Zero::Struct),
        fd("value", Ty::Any, Zero::Int),
    ]);
    static STORAGE_V1_CSIDRIVER: St = St(&[
        fd("metadata", Ty::Struct(&META_V1_OBJECT_META, false), Zero::Struct),
        fd("spec", Ty::Struct(&STORAGE_V1_CSIDRIVER_SPEC, false), Zero::Struct),
    ]);
    static STORAGE_V1_CSIDRIVER_SPEC: St = St(&[
        fd("volumeLifecycleModes", Ty::List(&ANY, Ls::Set), Zero::Absent),
        fd("tokenRequests", Ty::List(&E_STORAGE_V1_TOKEN_REQUEST, Ls::Atomic), Zero::Absent),
    ]);
    static STORAGE_V1_CSINODE: St = St(&[
        fd("metadata", Ty::Struct(&META_V1_OBJECT_META, false), Zero::Struct),
        fd("spec", Ty::Struct(&STORAGE_V1_CSINODE_SPEC, false), Zero::Struct),
    ]);
    static STORAGE_V1_CSINODE_DRIVER: St = St(&[
        fd("name", Ty::Any, Zero::Str),
        fd("nodeID", Ty::Any, Zero::Str),
        fd("topologyKeys", Ty::Any, Zero::Null),
    ]);
    static STORAGE_V1_CSINODE_SPEC: St = St(&[
        fd("drivers", Ty::List(&E_STORAGE_V1_CSINODE_DRIVER, Ls::Map(&[("name", None)])), Zero::Null),
    ]);
    static STORAGE_V1_CSISTORAGE_CAPACITY: St = St(&[
        fd("metadata", Ty::Struct(&META_V1_OBJECT_META, false), Zero::Struct),
        fd("nodeTopology", Ty::Struct(&META_V1_LABEL_SELECTOR, true), Zero::Absent),
        fd("storageClassName", Ty::Any, Zero::Str),
    ]);
    static STORAGE_V1_STORAGE_CLASS: St = St(&[
        fd("metadata", Ty::Struct(&META_V1_OBJECT_META, false), Zero::Struct),
        fd("provisioner", Ty::Any, Zero::Str),
        fd("allowedTopologies", Ty::List(&E_CORE_V1_TOPOLOGY_SELECTOR_TERM_ATOMIC, Ls::Atomic), Zero::Absent),
    ]);
    static STORAGE_V1_TOKEN_REQUEST: St = St(&[
        fd("audience", Ty::Any, Zero::Str),
    ]);
    static STORAGE_V1_VOLUME_ATTACHMENT: St = St(&[
        fd("metadata", Ty::Struct(&META_V1_OBJECT_META, false), Zero::Struct),
        fd("spec", Ty::Struct(&STORAGE_V1_VOLUME_ATTACHMENT_SPEC, false), Zero::Struct),
        fd("status", Ty::Struct(&STORAGE_V1_VOLUME_ATTACHMENT_STATUS, false), Zero::Struct),
    ]);
    static STORAGE_V1_VOLUME_ATTACHMENT_SOURCE: St = St(&[
        fd("inlineVolumeSpec", Ty::Struct(&CORE_V1_PERSISTENT_VOLUME_SPEC, false), Zero::Absent),
    ]);
    static STORAGE_V1_VOLUME_ATTACHMENT_SPEC: St = St(&[
        fd("attacher", Ty::Any, Zero::Str),
        fd("source", Ty::Struct(&STORAGE_V1_VOLUME_ATTACHMENT_SOURCE, false), Zero::Struct),
        fd("nodeName", Ty::Any, Zero::Str),
    ]);
    static STORAGE_V1_VOLUME_ATTACHMENT_STATUS: St = St(&[
        fd("attached", Ty::Any, Zero::False),
        fd("attachError", Ty::Struct(&STORAGE_V1_VOLUME_ERROR, false), Zero::Absent),
        fd("detachError", Ty::Struct(&STORAGE_V1_VOLUME_ERROR, false), Zero::Absent),
    ]);
    static STORAGE_V1_VOLUME_ERROR: St = St(&[
        fd("time", Ty::Any, Zero::Null),
    ]);
    /// The kind name and schema of a built-in kind.
    pub(super) fn root(api_version: &str, kind: &str) -> Option<(&'static str, &'static St)> {
        let st: (&'static str, &'static St) = match (api_version, kind) {
            ("v1", "Binding") => ("Binding", &CORE_V1_BINDING),
            ("v1", "ConfigMap") => ("ConfigMap", &CORE_V1_CONFIG_MAP),
            ("v1", "Endpoints") => ("Endpoints", &CORE_V1_ENDPOINTS),
            ("v1", "Event") => ("Event", &CORE_V1_EVENT),
            ("v1", "LimitRange") => ("LimitRange", &CORE_V1_LIMIT_RANGE),
            ("v1", "Namespace") => ("Namespace", &CORE_V1_NAMESPACE),
            ("v1", "Node") => ("Node", &CORE_V1_NODE),
            ("v1", "PersistentVolumeClaim") => ("PersistentVolumeClaim", &CORE_V1_PERSISTENT_VOLUME_CLAIM),
            ("v1", "PersistentVolume") => ("PersistentVolume", &CORE_V1_PERSISTENT_VOLUME),
            ("v1", "Pod") => ("Pod", &CORE_V1_POD),
            ("v1", "PodTemplate") => ("PodTemplate", &CORE_V1_POD_TEMPLATE),
            ("v1", "ReplicationController") => ("ReplicationController", &CORE_V1_REPLICATION_CONTROLLER),
            ("v1", "ResourceQuota") => ("ResourceQuota", &CORE_V1_RESOURCE_QUOTA),
            ("v1", "Secret") => ("Secret", &CORE_V1_SECRET),
            ("v1", "ServiceAccount") => ("ServiceAccount", &CORE_V1_SERVICE_ACCOUNT),
            ("v1", "Service") => ("Service", &CORE_V1_SERVICE),
            ("v1", "ComponentStatus") => ("ComponentStatus", &CORE_V1_COMPONENT_STATUS),
            ("apps/v1", "ControllerRevision") => ("ControllerRevision", &APPS_V1_CONTROLLER_REVISION),
            ("apps/v1", "DaemonSet") => ("DaemonSet", &APPS_V1_DAEMON_SET),
            ("apps/v1", "Deployment") => ("Deployment", &APPS_V1_DEPLOYMENT),
            ("apps/v1", "ReplicaSet") => ("ReplicaSet", &APPS_V1_REPLICA_SET),
            ("apps/v1", "StatefulSet") => ("StatefulSet", &APPS_V1_STATEFUL_SET),
            ("authentication.k8s.io/v1", "SelfSubjectReview") => ("SelfSubjectReview", &AUTHENTICATION_V1_SELF_SUBJECT_REVIEW),
            ("authentication.k8s.io/v1", "TokenReview") => ("TokenReview", &AUTHENTICATION_V1_TOKEN_REVIEW),
            ("authentication.k8s.io/v1", "TokenRequest") => ("TokenRequest", &AUTHENTICATION_V1_TOKEN_REQUEST),
            ("authorization.k8s.io/v1", "LocalSubjectAccessReview") => ("LocalSubjectAccessReview", &AUTHORIZATION_V1_LOCAL_SUBJECT_ACCESS_REVIEW),
            ("authorization.k8s.io/v1", "SelfSubjectAccessReview") => ("SelfSubjectAccessReview", &AUTHORIZATION_V1_SELF_SUBJECT_ACCESS_REVIEW),
            ("authorization.k8s.io/v1", "SelfSubjectRulesReview") => ("SelfSubjectRulesReview", &AUTHORIZATION_V1_SELF_SUBJECT_RULES_REVIEW),
            ("authorization.k8s.io/v1", "SubjectAccessReview") => ("SubjectAccessReview", &AUTHORIZATION_V1_SUBJECT_ACCESS_REVIEW),
            ("autoscaling/v2", "HorizontalPodAutoscaler") => ("HorizontalPodAutoscaler", &AUTOSCALING_V2_HORIZONTAL_POD_AUTOSCALER),
            ("autoscaling/v1", "HorizontalPodAutoscaler") => ("HorizontalPodAutoscaler", &AUTOSCALING_V1_HORIZONTAL_POD_AUTOSCALER),
            ("autoscaling/v1", "Scale") => ("Scale", &AUTOSCALING_V1_SCALE),
            ("batch/v1", "CronJob") => ("CronJob", &BATCH_V1_CRON_JOB),
            ("batch/v1", "Job") => ("Job", &BATCH_V1_JOB),
            ("coordination.k8s.io/v1", "Lease") => ("Lease", &COORDINATION_V1_LEASE),
            ("discovery.k8s.io/v1", "EndpointSlice") => ("EndpointSlice", &DISCOVERY_V1_ENDPOINT_SLICE),
            ("events.k8s.io/v1", "Event") => ("Event", &EVENTS_V1_EVENT),
            ("networking.k8s.io/v1", "IngressClass") => ("IngressClass", &NETWORKING_V1_INGRESS_CLASS),
            ("networking.k8s.io/v1", "Ingress") => ("Ingress", &NETWORKING_V1_INGRESS),
            ("networking.k8s.io/v1", "NetworkPolicy") => ("NetworkPolicy", &NETWORKING_V1_NETWORK_POLICY),
            ("networking.k8s.io/v1", "ServiceCIDR") => ("ServiceCIDR", &NETWORKING_V1_SERVICE_CIDR),
            ("networking.k8s.io/v1", "IPAddress") => ("IPAddress", &NETWORKING_V1_IPADDRESS),
            ("policy/v1", "PodDisruptionBudget") => ("PodDisruptionBudget", &POLICY_V1_POD_DISRUPTION_BUDGET),
            ("policy/v1", "Eviction") => ("Eviction", &POLICY_V1_EVICTION),
            ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding") => ("ClusterRoleBinding", &RBAC_V1_CLUSTER_ROLE_BINDING),
            ("rbac.authorization.k8s.io/v1", "ClusterRole") => ("ClusterRole", &RBAC_V1_CLUSTER_ROLE),
            ("rbac.authorization.k8s.io/v1", "RoleBinding") => ("RoleBinding", &RBAC_V1_ROLE_BINDING),
            ("rbac.authorization.k8s.io/v1", "Role") => ("Role", &RBAC_V1_ROLE),
            ("scheduling.k8s.io/v1", "PriorityClass") => ("PriorityClass", &SCHEDULING_V1_PRIORITY_CLASS),
            ("storage.k8s.io/v1", "CSIDriver") => ("CSIDriver", &STORAGE_V1_CSIDRIVER),
            ("storage.k8s.io/v1", "CSINode") => ("CSINode", &STORAGE_V1_CSINODE),
            ("storage.k8s.io/v1", "StorageClass") => ("StorageClass", &STORAGE_V1_STORAGE_CLASS),
            ("storage.k8s.io/v1", "VolumeAttachment") => ("VolumeAttachment", &STORAGE_V1_VOLUME_ATTACHMENT),
            ("storage.k8s.io/v1", "CSIStorageCapacity") => ("CSIStorageCapacity", &STORAGE_V1_CSISTORAGE_CAPACITY),
            ("node.k8s.io/v1", "RuntimeClass") => ("RuntimeClass", &NODE_V1_RUNTIME_CLASS),
            ("certificates.k8s.io/v1", "CertificateSigningRequest") => ("CertificateSigningRequest", &CERTIFICATES_V1_CERTIFICATE_SIGNING_REQUEST),
            ("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration") => ("ValidatingWebhookConfiguration", &ADMISSIONREGISTRATION_V1_VALIDATING_WEBHOOK_CONFIGURATION),
            ("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration") => ("MutatingWebhookConfiguration", &ADMISSIONREGISTRATION_V1_MUTATING_WEBHOOK_CONFIGURATION),
            ("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicy") => ("ValidatingAdmissionPolicy", &ADMISSIONREGISTRATION_V1_VALIDATING_ADMISSION_POLICY),
            ("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicyBinding") => ("ValidatingAdmissionPolicyBinding", &ADMISSIONREGISTRATION_V1_VALIDATING_ADMISSION_POLICY_BINDING),
            ("flowcontrol.apiserver.k8s.io/v1", "FlowSchema") => ("FlowSchema", &FLOWCONTROL_V1_FLOW_SCHEMA),
            ("flowcontrol.apiserver.k8s.io/v1", "PriorityLevelConfiguration") => ("PriorityLevelConfiguration", &FLOWCONTROL_V1_PRIORITY_LEVEL_CONFIGURATION),
            ("apiextensions.k8s.io/v1", "CustomResourceDefinition") => ("CustomResourceDefinition", &APIEXTENSIONS_V1_CUSTOM_RESOURCE_DEFINITION),
            ("apiregistration.k8s.io/v1", "APIService") => ("APIService", &APIREGISTRATION_V1_APISERVICE),
            _ => return None,
        };
        Some(st)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const T0: &str = "2024-05-01T10:00:00Z";
    const T1: &str = "2024-05-01T11:00:00Z";
    const T2: &str = "2024-05-01T12:00:00Z";

    fn op<'a>(manager: &'a str, now: &'a str) -> Operation<'a> {
        Operation {
            manager,
            api_version: "apps/v1",
            kind: "Deployment",
            subresource: None,
            now,
        }
    }

    fn deploy() -> BuiltinTypes {
        BuiltinTypes::new("apps/v1", "Deployment").unwrap()
    }

    fn deployment(replicas: i64, image: &str) -> Value {
        json!({
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"}},
            "spec": {
                "replicas": replicas,
                "selector": {"matchLabels": {"app": "web"}},
                "template": {
                    "metadata": {"labels": {"app": "web"}},
                    "spec": {"containers": [{"name": "nginx", "image": image}]}
                }
            }
        })
    }

    /// What the server stores after a create: identity metadata added.
    fn stored(mut obj: Value) -> Value {
        let md = obj["metadata"].as_object_mut().unwrap();
        md.insert("uid".into(), json!("0b6e4b0c-1d2e-4f00-9c1a-000000000001"));
        md.insert("resourceVersion".into(), json!("7"));
        md.insert("creationTimestamp".into(), json!(T0));
        obj
    }

    fn entries(obj: &Value) -> Vec<Value> {
        obj["metadata"]["managedFields"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    fn entry(obj: &Value, manager: &str, operation: &str) -> Value {
        entries(obj)
            .into_iter()
            .find(|e| e["manager"] == manager && e["operation"] == operation)
            .unwrap_or_else(|| panic!("no {operation} entry of {manager} in {obj:#}"))
    }

    fn owned(obj: &Value, manager: &str, operation: &str) -> Set {
        Set::from_fields_v1(&entry(obj, manager, operation)["fieldsV1"]).unwrap()
    }

    fn p(s: &str) -> Vec<PathElement> {
        s.split('.')
            .filter(|x| !x.is_empty())
            .map(PathElement::field)
            .collect()
    }

    fn container(name: &str) -> PathElement {
        PathElement::key([("name", json!(name))])
    }

    fn containers_path(name: &str) -> Vec<PathElement> {
        let mut path = p("spec.template.spec.containers");
        path.push(container(name));
        path
    }

    // ----- field sets and fieldsV1 -------------------------------------------------------

    #[test]
    fn fields_v1_round_trips_upstream_golden_data() {
        // Upstream fieldpath/serialize_test.go golden data: bytes must survive a round trip.
        let examples = [
            r#"{"f:aaa":{},"f:aab":{},"f:aac":{},"f:aad":{},"f:aae":{},"f:aaf":{},"k:{\"name\":\"first\"}":{},"k:{\"name\":\"second\"}":{},"k:{\"port\":443,\"protocol\":\"tcp\"}":{},"k:{\"port\":443,\"protocol\":\"udp\"}":{},"v:1":{},"v:2":{},"v:3":{},"v:\"aa\"":{},"v:\"ab\"":{},"v:true":{},"i:1":{},"i:2":{},"i:3":{},"i:4":{}}"#,
            r#"{"f:aaa":{"k:{\"name\":\"second\"}":{"v:3":{"f:aab":{}}},"v:3":{},"v:true":{}},"f:aab":{"f:aaa":{},"f:aaf":{"k:{\"port\":443,\"protocol\":\"udp\"}":{"k:{\"port\":443,\"protocol\":\"tcp\"}":{}}},"k:{\"name\":\"first\"}":{}},"f:aac":{"f:aaa":{"v:1":{}},"f:aac":{},"v:3":{"k:{\"name\":\"second\"}":{}}},"i:4":{"v:\"aa\"":{"f:aab":{"k:{\"name\":\"second\"}":{}}}}}"#,
            r#"{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"nginx\"}":{".":{},"f:image":{},"f:name":{}}}}}}}"#,
        ];
        for text in examples {
            let set = Set::from_fields_v1_str(text).unwrap();
            assert_eq!(set.to_fields_v1_string(), text);
            let again = Set::from_fields_v1(&set.to_fields_v1()).unwrap();
            assert_eq!(again, set);
        }
    }

    #[test]
    fn fields_v1_encodes_members_children_and_dot() {
        let mut s = Set::new();
        s.insert(&p("metadata.labels"));
        s.insert(&p("metadata.labels.app"));
        s.insert(&p("spec.replicas"));
        let mut port = p("spec.ports");
        port.push(PathElement::key([
            ("protocol", json!("TCP")),
            ("port", json!(80)),
        ]));
        s.insert(&port);
        s.insert(
            &[
                p("metadata.finalizers"),
                vec![PathElement::Value(json!("x"))],
            ]
            .concat(),
        );
        s.insert(&[p("spec.list"), vec![PathElement::Index(2)]].concat());
        assert_eq!(
            s.to_fields_v1_string(),
            r#"{"f:metadata":{"f:finalizers":{"v:\"x\"":{}},"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:list":{"i:2":{}},"f:ports":{"k:{\"port\":80,\"protocol\":\"TCP\"}":{}},"f:replicas":{}}}"#
        );
        assert_eq!(
            s.to_fields_v1(),
            json!({
                "f:metadata": {"f:finalizers": {"v:\"x\"": {}}, "f:labels": {".": {}, "f:app": {}}},
                "f:spec": {
                    "f:list": {"i:2": {}},
                    "f:ports": {"k:{\"port\":80,\"protocol\":\"TCP\"}": {}},
                    "f:replicas": {}
                }
            })
        );
        assert_eq!(Set::from_fields_v1(&s.to_fields_v1()).unwrap(), s);
        assert_eq!(s.len(), 6);
        assert!(s.has(&port));
        assert!(!s.has(&p("spec")));
    }

    #[test]
    fn fields_v1_parsing_drops_unknown_elements_and_rejects_garbage() {
        let s = Set::from_fields_v1_str(r#"{"f:aaa":{},"r:aab":{}}"#).unwrap();
        assert_eq!(s.to_fields_v1_string(), r#"{"f:aaa":{}}"#);
        assert!(Set::from_fields_v1_str(r#"{"x":{}}"#).is_err());
        assert!(Set::from_fields_v1_str(r#"{"fx":{}}"#).is_err());
        assert!(Set::from_fields_v1_str(r#"{"i:z":{}}"#).is_err());
        assert!(Set::from_fields_v1_str(r#"{"k:[1]":{}}"#).is_err());
        assert!(Set::from_fields_v1(&json!([1])).is_err());
        assert!(Set::from_fields_v1(&json!({"f:a": 1})).is_err());
        assert!(Set::from_fields_v1(&Value::Null).unwrap().is_empty());
    }

    #[test]
    fn path_elements_order_print_and_parse_as_upstream() {
        let f = PathElement::field("a");
        let k = PathElement::key([("protocol", json!("TCP")), ("containerPort", json!(80))]);
        let v = PathElement::Value(json!("x"));
        let i = PathElement::Index(0);
        assert!(f < k && k < v && v < i);
        assert_eq!(k.serialize(), r#"k:{"containerPort":80,"protocol":"TCP"}"#);
        assert_eq!(k.to_string(), r#"[containerPort=80,protocol="TCP"]"#);
        assert_eq!(v.to_string(), r#"[="x"]"#);
        assert_eq!(i.to_string(), "[0]");
        // Numbers read back from fieldsV1 are floats upstream, equal to the integers.
        let parsed = PathElement::deserialize(&k.serialize()).unwrap().unwrap();
        assert_eq!(parsed, k);
        assert_eq!(parsed.serialize(), k.serialize());
        assert_eq!(parsed.to_string(), k.to_string());
        let big = PathElement::deserialize("v:1000000").unwrap().unwrap();
        assert_eq!(big.to_string(), "[=1e+06]");
        assert_eq!(big.serialize(), "v:1000000");
        assert_eq!(PathElement::deserialize("z:1").unwrap(), None);
        assert_eq!(
            path_string(
                &[
                    p("spec.template.spec.containers"),
                    vec![container("c")],
                    p("image")
                ]
                .concat()
            ),
            r#".spec.template.spec.containers[name="c"].image"#
        );
    }

    #[test]
    fn set_operations() {
        let a = Set::from_paths([p("a.b"), p("a.c"), p("d")]);
        let b = Set::from_paths([p("a.b"), p("e")]);
        assert_eq!(
            a.union(&b),
            Set::from_paths([p("a.b"), p("a.c"), p("d"), p("e")])
        );
        assert_eq!(a.intersection(&b), Set::from_paths([p("a.b")]));
        assert_eq!(a.difference(&b), Set::from_paths([p("a.c"), p("d")]));
        let prefix = Set::from_paths([p("a")]);
        assert_eq!(a.difference(&prefix), a);
        assert_eq!(a.recursive_difference(&prefix), Set::from_paths([p("d")]));
        assert_eq!(
            a.paths(),
            vec![p("d"), p("a.b"), p("a.c")],
            "members before children, as upstream iterates"
        );
    }

    // ----- apply -------------------------------------------------------------------------

    #[test]
    fn apply_creates_the_object_and_its_apply_entry() {
        let cfg = deployment(3, "nginx:1");
        let obj = apply(None, &cfg, false, &op("mgr", T0), &deploy()).unwrap();
        assert_eq!(obj["spec"]["replicas"], 3);
        assert_eq!(
            obj["spec"]["template"]["spec"]["containers"][0]["image"],
            "nginx:1"
        );
        let e = entries(&obj);
        assert_eq!(e.len(), 1);
        assert_eq!(
            e[0],
            json!({
                "manager": "mgr",
                "operation": "Apply",
                "apiVersion": "apps/v1",
                "time": T0,
                "fieldsType": "FieldsV1",
                "fieldsV1": {
                    "f:metadata": {"f:labels": {"f:app": {}}},
                    "f:spec": {
                        "f:replicas": {},
                        "f:selector": {},
                        "f:template": {
                            "f:metadata": {"f:labels": {"f:app": {}}},
                            "f:spec": {"f:containers": {"k:{\"name\":\"nginx\"}": {
                                ".": {}, "f:image": {}, "f:name": {}
                            }}}
                        }
                    }
                }
            })
        );
    }

    #[test]
    fn reapply_without_a_field_removes_it() {
        let types = deploy();
        let mut cfg = deployment(3, "nginx:1");
        cfg["metadata"]["labels"]["tier"] = json!("front");
        cfg["spec"]["template"]["spec"]["containers"][0]["env"] =
            json!([{"name": "A", "value": "1"}]);
        let live = stored(apply(None, &cfg, false, &op("mgr", T0), &types).unwrap());
        assert_eq!(live["metadata"]["labels"]["tier"], "front");

        let cfg2 = deployment(3, "nginx:1");
        let obj = apply(Some(&live), &cfg2, false, &op("mgr", T1), &types).unwrap();
        assert_eq!(obj["metadata"]["labels"], json!({"app": "web"}));
        assert!(
            obj["spec"]["template"]["spec"]["containers"][0]
                .get("env")
                .is_none()
        );
        // Identity metadata stays.
        assert_eq!(obj["metadata"]["uid"], live["metadata"]["uid"]);
        let set = owned(&obj, "mgr", "Apply");
        assert!(!set.has(&p("metadata.labels.tier")));
        assert_eq!(entry(&obj, "mgr", "Apply")["time"], T1);
    }

    #[test]
    fn removed_field_owned_by_another_manager_stays() {
        let types = deploy();
        let mut cfg = deployment(3, "nginx:1");
        cfg["metadata"]["labels"]["tier"] = json!("front");
        let live = stored(apply(None, &cfg, false, &op("a", T0), &types).unwrap());
        // b applies the same label value: shared ownership, no conflict.
        let cfg_b = json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "labels": {"tier": "front"}}
        });
        let live = stored(apply(Some(&live), &cfg_b, false, &op("b", T1), &types).unwrap());
        assert!(owned(&live, "a", "Apply").has(&p("metadata.labels.tier")));
        assert!(owned(&live, "b", "Apply").has(&p("metadata.labels.tier")));
        // a stops applying it: b still owns it, so it stays.
        let obj = apply(
            Some(&live),
            &deployment(3, "nginx:1"),
            false,
            &op("a", T2),
            &types,
        )
        .unwrap();
        assert_eq!(obj["metadata"]["labels"]["tier"], "front");
        assert!(!owned(&obj, "a", "Apply").has(&p("metadata.labels.tier")));
        assert!(owned(&obj, "b", "Apply").has(&p("metadata.labels.tier")));
    }

    #[test]
    fn conflict_with_another_applier_and_force() {
        let types = deploy();
        let live =
            stored(apply(None, &deployment(3, "nginx:1"), false, &op("a", T0), &types).unwrap());
        let err = apply(
            Some(&live),
            &deployment(5, "nginx:1"),
            false,
            &op("b", T1),
            &types,
        )
        .unwrap_err();
        assert_eq!(err.code(), 409);
        assert_eq!(err.reason(), "Conflict");
        assert_eq!(
            err.message(),
            r#"Apply failed with 1 conflict: conflict with "a": .spec.replicas"#
        );
        let ApplyError::Conflict(c) = &err else {
            unreachable!()
        };
        assert_eq!(
            c.to_parts(),
            (
                err.message(),
                vec![(
                    "FieldManagerConflict".to_string(),
                    r#"conflict with "a""#.to_string(),
                    ".spec.replicas".to_string()
                )]
            )
        );
        assert_eq!(
            err.status(),
            json!({
                "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": r#"Apply failed with 1 conflict: conflict with "a": .spec.replicas"#,
                "reason": "Conflict",
                "details": {"causes": [{
                    "reason": "FieldManagerConflict",
                    "message": r#"conflict with "a""#,
                    "field": ".spec.replicas"
                }]},
                "code": 409
            })
        );

        // Forced: b takes .spec.replicas, a keeps the rest.
        let obj = apply(
            Some(&live),
            &deployment(5, "nginx:1"),
            true,
            &op("b", T1),
            &types,
        )
        .unwrap();
        assert_eq!(obj["spec"]["replicas"], 5);
        assert!(!owned(&obj, "a", "Apply").has(&p("spec.replicas")));
        assert!(owned(&obj, "a", "Apply").has(&p("spec.selector")));
        assert!(owned(&obj, "b", "Apply").has(&p("spec.replicas")));
        // Shared fields with equal values are shared, not conflicts.
        assert!(owned(&obj, "b", "Apply").has(&p("spec.selector")));
    }

    #[test]
    fn conflict_with_an_update_manager_names_its_api_version() {
        let types = deploy();
        let mut created = stored(deployment(3, "nginx:1"));
        update(
            None,
            &mut created,
            &op("kubectl-client-side-apply", T0),
            &types,
        );
        let err = apply(
            Some(&created),
            &deployment(5, "nginx:1"),
            false,
            &op("kubectl", T1),
            &types,
        )
        .unwrap_err();
        assert_eq!(
            err.message(),
            r#"Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas"#
        );
        assert_eq!(
            err.status()["details"]["causes"][0],
            json!({
                "reason": "FieldManagerConflict",
                "message": "conflict with \"kubectl-client-side-apply\" using apps/v1",
                "field": ".spec.replicas"
            })
        );
        // Several conflicts, several managers: one block per manager, sorted by identifier.
        let live = stored(
            apply(
                Some(&created),
                &deployment(3, "nginx:1"),
                false,
                &op("ssa", T1),
                &types,
            )
            .unwrap(),
        );
        let mut cfg = deployment(7, "nginx:2");
        cfg["metadata"]["labels"] = json!({"app": "web"});
        let err = apply(Some(&live), &cfg, false, &op("other", T2), &types).unwrap_err();
        assert_eq!(
            err.message(),
            "Apply failed with 4 conflicts: conflicts with \"kubectl-client-side-apply\" using apps/v1:\n\
             - .spec.replicas\n\
             - .spec.template.spec.containers[name=\"nginx\"].image\n\
             conflicts with \"ssa\":\n\
             - .spec.replicas\n\
             - .spec.template.spec.containers[name=\"nginx\"].image"
        );
        let ApplyError::Conflict(c) = err else {
            unreachable!()
        };
        assert_eq!(c.len(), 4);
        assert_eq!(c.causes()[0].2, ".spec.replicas");
    }

    #[test]
    fn conflict_messages_match_upstream_formatting() {
        let c = Conflicts(vec![
            Conflict {
                manager: r#"{"manager":"foo","operation":"Update","apiVersion":"v1","time":"2001-02-03T04:05:06Z"}"#.into(),
                path: p("spec.replicas"),
            },
            Conflict {
                manager: r#"{"manager":"bar","operation":"Apply"}"#.into(),
                path: p("metadata.labels.app"),
            },
        ]);
        assert_eq!(
            c.message(),
            "Apply failed with 2 conflicts: conflicts with \"bar\":\n- .metadata.labels.app\nconflicts with \"foo\" using v1 at 2001-02-03T04:05:06Z:\n- .spec.replicas"
        );
        let scale = Conflict {
            manager:
                r#"{"manager":"foo","operation":"Update","subresource":"scale","apiVersion":"v1"}"#
                    .into(),
            path: p("spec.replicas"),
        };
        assert_eq!(
            Conflicts(vec![scale]).message(),
            r#"Apply failed with 1 conflict: conflict with "foo" with subresource "scale" using v1: .spec.replicas"#
        );
    }

    #[test]
    fn update_after_apply_moves_ownership() {
        let types = deploy();
        let live = stored(
            apply(
                None,
                &deployment(3, "nginx:1"),
                false,
                &op("ssa", T0),
                &types,
            )
            .unwrap(),
        );
        let mut new = live.clone();
        new["spec"]["template"]["spec"]["containers"][0]["image"] = json!("nginx:2");
        update(Some(&live), &mut new, &op("kubectl-edit", T1), &types);
        let image = [containers_path("nginx"), p("image")].concat();
        assert!(!owned(&new, "ssa", "Apply").has(&image));
        assert!(owned(&new, "ssa", "Apply").has(&p("spec.replicas")));
        let e = entry(&new, "kubectl-edit", "Update");
        assert_eq!(e["apiVersion"], "apps/v1");
        assert_eq!(e["time"], T1);
        assert_eq!(
            e["fieldsV1"],
            json!({"f:spec": {"f:template": {"f:spec": {"f:containers": {
                "k:{\"name\":\"nginx\"}": {"f:image": {}}
            }}}}})
        );
        // Apply entries sort before Update entries.
        assert_eq!(entries(&new)[0]["operation"], "Apply");
        // The applier re-applying its old value now conflicts with the editor.
        let err = apply(
            Some(&new),
            &deployment(3, "nginx:1"),
            false,
            &op("ssa", T2),
            &types,
        )
        .unwrap_err();
        assert_eq!(
            err.message(),
            "Apply failed with 1 conflict: conflict with \"kubectl-edit\" using apps/v1: .spec.template.spec.containers[name=\"nginx\"].image"
        );
    }

    #[test]
    fn an_update_that_changes_nothing_keeps_the_entries() {
        let types = deploy();
        let live = stored(
            apply(
                None,
                &deployment(3, "nginx:1"),
                false,
                &op("ssa", T0),
                &types,
            )
            .unwrap(),
        );
        let mut new = live.clone();
        update(Some(&live), &mut new, &op("noop", T1), &types);
        assert_eq!(entries(&new), entries(&live));
        // Without managedFields in the request, the stored ones are kept.
        let mut new = live.clone();
        new["metadata"]
            .as_object_mut()
            .unwrap()
            .remove("managedFields");
        update(Some(&live), &mut new, &op("noop", T1), &types);
        assert_eq!(entries(&new), entries(&live));
    }

    #[test]
    fn containers_merge_by_name_between_appliers() {
        let types = deploy();
        let live =
            stored(apply(None, &deployment(3, "nginx:1"), false, &op("a", T0), &types).unwrap());
        let sidecar = json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web"},
            "spec": {"template": {"spec": {"containers": [
                {"name": "sidecar", "image": "envoy:1", "ports": [{"containerPort": 9901}]}
            ]}}}
        });
        let live = stored(apply(Some(&live), &sidecar, false, &op("b", T1), &types).unwrap());
        let containers = live["spec"]["template"]["spec"]["containers"]
            .as_array()
            .unwrap();
        let names: Vec<&str> = containers
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["nginx", "sidecar"]);
        assert_eq!(live["spec"]["replicas"], 3);
        // The port key uses the default protocol.
        let port = [
            containers_path("sidecar"),
            p("ports"),
            vec![PathElement::key([
                ("containerPort", json!(9901)),
                ("protocol", json!("TCP")),
            ])],
        ]
        .concat();
        assert!(owned(&live, "b", "Apply").has(&port));
        assert!(!owned(&live, "a", "Apply").has(&containers_path("sidecar")));
        // b withdraws its container: it goes, a's container stays.
        let mut empty = sidecar.clone();
        empty["spec"] = json!({});
        // An empty `spec: {}` is itself a field b then owns.
        let obj = apply(Some(&live), &empty, false, &op("b", T2), &types).unwrap();
        assert_eq!(entry(&obj, "b", "Apply")["fieldsV1"], json!({"f:spec": {}}));
        empty.as_object_mut().unwrap().remove("spec");
        let obj = apply(Some(&live), &empty, false, &op("b", T2), &types).unwrap();
        let names: Vec<&str> = obj["spec"]["template"]["spec"]["containers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["nginx"]);
        assert!(entries(&obj).iter().all(|e| e["manager"] != "b"));
    }

    #[test]
    fn finalizers_are_a_set() {
        let types = deploy();
        let mut cfg = deployment(1, "x");
        cfg["metadata"]["finalizers"] = json!(["a.example/one"]);
        let live = stored(apply(None, &cfg, false, &op("a", T0), &types).unwrap());
        let cfg_b = json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "finalizers": ["b.example/two"]}
        });
        let live = stored(apply(Some(&live), &cfg_b, false, &op("b", T1), &types).unwrap());
        assert_eq!(
            live["metadata"]["finalizers"],
            json!(["a.example/one", "b.example/two"])
        );
        assert_eq!(
            entry(&live, "b", "Apply")["fieldsV1"],
            json!({"f:metadata": {"f:finalizers": {"v:\"b.example/two\"": {}}}})
        );
        let mut cfg = deployment(1, "x");
        cfg["metadata"]["finalizers"] = json!([]);
        let obj = apply(Some(&live), &cfg, false, &op("a", T2), &types).unwrap();
        assert_eq!(obj["metadata"]["finalizers"], json!(["b.example/two"]));
    }

    #[test]
    fn before_first_apply_owns_what_existed() {
        let types = deploy();
        // An object stored without managedFields (written before tracking).
        let live = stored(deployment(3, "nginx:1"));
        let err = apply(
            Some(&live),
            &deployment(5, "nginx:1"),
            false,
            &op("ssa", T1),
            &types,
        )
        .unwrap_err();
        assert_eq!(
            err.message(),
            r#"Apply failed with 1 conflict: conflict with "before-first-apply" using apps/v1: .spec.replicas"#
        );
        let obj = apply(
            Some(&live),
            &deployment(3, "nginx:1"),
            false,
            &op("ssa", T1),
            &types,
        )
        .unwrap();
        let bfa = entry(&obj, "before-first-apply", "Update");
        assert_eq!(bfa["time"], T1);
        assert!(owned(&obj, "before-first-apply", "Update").has(&p("spec.replicas")));
        assert!(owned(&obj, "ssa", "Apply").has(&p("spec.replicas")));
        // A no-op first apply records no time for the applier, as upstream.
        assert!(entry(&obj, "ssa", "Apply").get("time").is_none());
        // Identity metadata is never owned.
        assert!(!owned(&obj, "before-first-apply", "Update").has(&p("metadata.uid")));
    }

    #[test]
    fn apply_rejects_bad_bodies() {
        let types = deploy();
        let mut cfg = deployment(1, "x");
        cfg["metadata"]["managedFields"] = json!([]);
        let err = apply(None, &cfg, false, &op("a", T0), &types).unwrap_err();
        assert_eq!(
            (err.code(), err.message().as_str()),
            (400, "metadata.managedFields must be nil")
        );
        let mut cfg = deployment(1, "x");
        cfg["kind"] = json!("Foo");
        let err = apply(None, &cfg, false, &op("a", T0), &types).unwrap_err();
        assert_eq!(err.message(), "invalid object type: apps/v1, Kind=Foo");
        let mut cfg = deployment(1, "x");
        cfg["apiVersion"] = json!("v1");
        let err = apply(None, &cfg, false, &op("a", T0), &types).unwrap_err();
        assert_eq!(err.message(), "invalid object type: /v1, Kind=Deployment");
        assert_eq!(
            apply(None, &json!([]), false, &op("a", T0), &types)
                .unwrap_err()
                .message(),
            "invalid object type: /, Kind="
        );
        // Items without their key, and duplicate keys, do not fit the schema.
        let mut cfg = deployment(1, "x");
        cfg["spec"]["template"]["spec"]["containers"] = json!([{"image": "x"}]);
        let err = apply(None, &cfg, false, &op("a", T0), &types).unwrap_err();
        assert_eq!(err.code(), 500);
        assert_eq!(
            err.message(),
            "failed to create typed patch object (default/web; apps/v1, Kind=Deployment): .spec.template.spec.containers: element 0: associative list with keys has an element that omits key field \"name\" (and doesn't have default value)"
        );
        let mut cfg = deployment(1, "x");
        cfg["spec"]["template"]["spec"]["containers"] = json!([{"name": "a"}, {"name": "a"}]);
        let err = apply(None, &cfg, false, &op("a", T0), &types).unwrap_err();
        assert!(
            err.message().ends_with(
                ".spec.template.spec.containers: duplicate entries for key [name=\"a\"]"
            )
        );
    }

    #[test]
    fn main_resource_apply_does_not_own_or_change_status() {
        let types = deploy();
        let mut live =
            stored(apply(None, &deployment(1, "x"), false, &op("a", T0), &types).unwrap());
        live["status"] = json!({"replicas": 1});
        let mut cfg = deployment(2, "x");
        cfg["status"] = json!({"replicas": 9});
        let obj = apply(Some(&live), &cfg, false, &op("a", T1), &types).unwrap();
        assert_eq!(obj["spec"]["replicas"], 2);
        assert_eq!(obj["status"], json!({"replicas": 1}));
        assert!(!owned(&obj, "a", "Apply").has(&p("status.replicas")));
        // Through the status subresource, status is owned and spec is not.
        let status_op = Operation {
            subresource: Some("status"),
            ..op("ctrl", T2)
        };
        let cfg = json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web"}, "spec": {"replicas": 50}, "status": {"replicas": 2}});
        let obj = apply(Some(&obj), &cfg, false, &status_op, &types).unwrap();
        assert_eq!(obj["status"]["replicas"], 2);
        assert_eq!(obj["spec"]["replicas"], 2);
        let e = entries(&obj)
            .into_iter()
            .find(|e| e["manager"] == "ctrl")
            .unwrap();
        assert_eq!(e["subresource"], "status");
        assert_eq!(e["fieldsV1"], json!({"f:status": {"f:replicas": {}}}));
    }

    #[test]
    fn status_update_keeps_stored_managed_fields_and_records_subresource() {
        let types = deploy();
        let live = stored(apply(None, &deployment(1, "x"), false, &op("a", T0), &types).unwrap());
        let mut new = live.clone();
        new["status"] =
            json!({"replicas": 1, "conditions": [{"type": "Available", "status": "True"}]});
        new["metadata"]["managedFields"] = json!([]);
        let status_op = Operation {
            subresource: Some("status"),
            ..op("kube-controller-manager", T1)
        };
        update(Some(&live), &mut new, &status_op, &types);
        let e = entry(&new, "kube-controller-manager", "Update");
        assert_eq!(e["subresource"], "status");
        assert_eq!(
            e["fieldsV1"],
            json!({"f:status": {
                // Go's typed conditions carry their (null) times, so upstream owns them too.
                "f:conditions": {".": {}, "k:{\"type\":\"Available\"}": {
                    ".": {}, "f:lastTransitionTime": {}, "f:lastUpdateTime": {}, "f:status": {}, "f:type": {}
                }},
                "f:replicas": {}
            }})
        );
        assert!(entries(&new).iter().any(|e| e["manager"] == "a"));
    }

    #[test]
    fn create_update_entry_matches_upstream_typed_comparison() {
        // kubectl create of a defaulted Deployment: what upstream records (value structs such
        // as spec.template are present in Go's empty object, so they get no ".").
        let types = deploy();
        let mut obj = stored(json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "labels": {"app": "web"}},
            "spec": {
                "replicas": 1,
                "selector": {"matchLabels": {"app": "web"}},
                "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
                "template": {
                    "metadata": {"labels": {"app": "web"}},
                    "spec": {
                        "containers": [{"name": "nginx", "image": "nginx", "imagePullPolicy": "Always"}],
                        "restartPolicy": "Always",
                        "securityContext": {}
                    }
                }
            }
        }));
        update(None, &mut obj, &op("kubectl-create", T0), &types);
        let e = entry(&obj, "kubectl-create", "Update");
        assert_eq!(
            e["fieldsV1"],
            json!({
                "f:metadata": {"f:labels": {".": {}, "f:app": {}}},
                "f:spec": {
                    "f:replicas": {},
                    "f:selector": {},
                    "f:strategy": {"f:rollingUpdate": {".": {}, "f:maxSurge": {}, "f:maxUnavailable": {}}, "f:type": {}},
                    "f:template": {
                        "f:metadata": {"f:labels": {".": {}, "f:app": {}}},
                        "f:spec": {
                            "f:containers": {"k:{\"name\":\"nginx\"}": {
                                ".": {}, "f:image": {}, "f:imagePullPolicy": {}, "f:name": {}, "f:resources": {}
                            }},
                            "f:restartPolicy": {},
                            "f:securityContext": {}
                        }
                    }
                }
            })
        );
        // The object itself is not touched beyond managedFields.
        assert!(
            obj["spec"]["template"]["spec"]["containers"][0]
                .get("resources")
                .is_none()
        );
    }

    #[test]
    fn client_sent_managed_fields_are_honoured_or_reset() {
        let types = deploy();
        let live = stored(apply(None, &deployment(3, "x"), false, &op("a", T0), &types).unwrap());
        // [] clears them: the write is then not tracked at all.
        let mut new = live.clone();
        new["metadata"]["managedFields"] = json!([]);
        new["spec"]["replicas"] = json!(4);
        update(Some(&live), &mut new, &op("edit", T1), &types);
        assert!(new["metadata"].get("managedFields").is_none());
        // [{}] too.
        let mut new = live.clone();
        new["metadata"]["managedFields"] = json!([{}]);
        update(Some(&live), &mut new, &op("edit", T1), &types);
        assert!(new["metadata"].get("managedFields").is_none());
        // Entries sent explicitly replace the stored ones.
        let mut new = live.clone();
        new["metadata"]["managedFields"] = json!([{
            "manager": "someone", "operation": "Update", "apiVersion": "apps/v1",
            "time": "2024-01-01T00:00:00+01:00", "fieldsType": "FieldsV1",
            "fieldsV1": {"f:spec": {"f:replicas": {}}}
        }]);
        update(Some(&live), &mut new, &op("edit", T1), &types);
        assert_eq!(
            entries(&new),
            vec![json!({
                "manager": "someone", "operation": "Update", "apiVersion": "apps/v1",
                "time": "2023-12-31T23:00:00Z", "fieldsType": "FieldsV1",
                "fieldsV1": {"f:spec": {"f:replicas": {}}}
            })]
        );
        // Undecodable entries fall back to the stored ones.
        let mut new = live.clone();
        new["metadata"]["managedFields"] = json!([{"manager": "x", "operation": "Patch"}]);
        update(Some(&live), &mut new, &op("edit", T1), &types);
        assert_eq!(entries(&new), entries(&live));
        assert_eq!(
            validate_managed_fields(&json!([{"manager": "x", "operation": "Patch"}])).unwrap_err(),
            "operation must be `Apply` or `Update`"
        );
        assert_eq!(
            validate_managed_fields(&json!([{"operation": "Update", "apiVersion": "v1"}]))
                .unwrap_err(),
            "missing fieldsType in managed fields entry 0"
        );
    }

    #[test]
    fn objects_without_managed_fields_are_not_tracked_on_update() {
        let types = deploy();
        let live = stored(deployment(3, "x"));
        let mut new = live.clone();
        new["spec"]["replicas"] = json!(4);
        update(Some(&live), &mut new, &op("edit", T1), &types);
        assert!(new["metadata"].get("managedFields").is_none());
        // An empty manager name is recorded as "unknown".
        let mut created = stored(deployment(3, "x"));
        update(None, &mut created, &op("", T0), &types);
        assert_eq!(entries(&created)[0]["manager"], "unknown");
    }

    #[test]
    fn update_managers_are_capped_into_ancient_changes() {
        let types = deploy();
        let mut obj = stored(deployment(0, "x"));
        update(
            None,
            &mut obj,
            &op("creator", "2024-01-01T00:00:00Z"),
            &types,
        );
        for i in 1..=11 {
            let before = obj.clone();
            obj["metadata"]["labels"][format!("l{i}")] = json!("v");
            let now = format!("2024-01-01T00:00:{i:02}Z");
            update(
                Some(&before),
                &mut obj,
                &op(&format!("m{i:02}"), &now),
                &types,
            );
        }
        // Oldest first: the creator and m01, then m02, went into the bucket, which takes the
        // time of the newest manager merged into it.
        let names: Vec<String> = entries(&obj)
            .iter()
            .map(|e| e["manager"].as_str().unwrap_or("").to_string())
            .collect();
        let mut expected = vec!["ancient-changes".to_string()];
        expected.extend((3..=11).map(|i| format!("m{i:02}")));
        assert_eq!(names, expected);
        assert_eq!(
            entry(&obj, "ancient-changes", "Update")["time"],
            "2024-01-01T00:00:02Z"
        );
        let bucket = entry(&obj, "ancient-changes", "Update");
        assert_eq!(bucket["apiVersion"], "apps/v1");
        let set = Set::from_fields_v1(&bucket["fieldsV1"]).unwrap();
        assert!(
            set.has(&p("spec.replicas")),
            "the creator's fields are in the bucket"
        );
        assert!(set.has(&p("metadata.labels.l1")) && set.has(&p("metadata.labels.l2")));
        assert!(
            entries(&obj)
                .iter()
                .all(|e| e["manager"] != "creator" && e["manager"] != "m01")
        );
        assert!(entries(&obj).iter().any(|e| e["manager"] == "m11"));
    }

    #[test]
    fn ports_are_keyed_by_port_and_protocol() {
        let types = BuiltinTypes::new("v1", "Service").unwrap();
        let svc_op = Operation {
            api_version: "v1",
            kind: "Service",
            ..op("a", T0)
        };
        let cfg = json!({
            "apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
            "spec": {"ports": [{"port": 53, "protocol": "UDP"}, {"port": 53}]}
        });
        let obj = apply(None, &cfg, false, &svc_op, &types).unwrap();
        assert_eq!(
            entry(&obj, "a", "Apply")["fieldsV1"],
            json!({"f:spec": {"f:ports": {
                "k:{\"port\":53,\"protocol\":\"TCP\"}": {".": {}, "f:port": {}},
                "k:{\"port\":53,\"protocol\":\"UDP\"}": {".": {}, "f:port": {}, "f:protocol": {}}
            }}})
        );
    }

    #[test]
    fn kubectl_upgrades_from_client_side_apply() {
        let types = deploy();
        let mut cfg = deployment(3, "nginx:1");
        let last = go_json(&cfg) + "\n";
        cfg["metadata"]["annotations"] = json!({LAST_APPLIED_ANNOTATION: last});
        let mut live = stored(cfg.clone());
        update(
            None,
            &mut live,
            &op("kubectl-client-side-apply", T0),
            &types,
        );
        // kubectl may take fields its last-applied configuration still describes.
        let mut applied = deployment(4, "nginx:1");
        applied["metadata"]["annotations"] = json!({"note": "x"});
        let obj = apply(Some(&live), &applied, false, &op("kubectl", T1), &types).unwrap();
        assert_eq!(obj["spec"]["replicas"], 4);
        assert_eq!(
            obj["metadata"]["annotations"][LAST_APPLIED_ANNOTATION],
            json!(format!("{}\n", go_json(&applied)))
        );
        // Any other manager conflicts.
        let err = apply(
            Some(&live),
            &deployment(4, "nginx:1"),
            false,
            &op("other", T1),
            &types,
        )
        .unwrap_err();
        assert_eq!(err.code(), 409);
    }

    #[test]
    fn scale_subresource_takes_replicas() {
        let types = deploy();
        let live = stored(apply(None, &deployment(3, "x"), false, &op("a", T0), &types).unwrap());
        let mut new = live.clone();
        new["spec"]["replicas"] = json!(5);
        update_scale(&live, &mut new, &op("kubectl", T1));
        let e = entry(&new, "kubectl", "Update");
        assert_eq!(
            e,
            json!({
                "manager": "kubectl", "operation": "Update", "apiVersion": "apps/v1",
                "fieldsType": "FieldsV1", "fieldsV1": {"f:spec": {"f:replicas": {}}},
                "subresource": "scale"
            })
        );
        assert!(!owned(&new, "a", "Apply").has(&p("spec.replicas")));
        // Scaling again replaces the scale entry.
        let live2 = new.clone();
        let mut new2 = live2.clone();
        new2["spec"]["replicas"] = json!(6);
        update_scale(&live2, &mut new2, &op("kubectl", T2));
        assert_eq!(
            entries(&new2)
                .iter()
                .filter(|e| e["manager"] == "kubectl")
                .count(),
            1
        );
        // Nobody owns replicas: not tracked.
        let mut bare = stored(deployment(3, "x"));
        bare["spec"].as_object_mut().unwrap().remove("replicas");
        update(None, &mut bare, &op("c", T0), &types);
        let mut scaled = bare.clone();
        scaled["spec"]["replicas"] = json!(2);
        update_scale(&bare, &mut scaled, &op("kubectl", T1));
        assert_eq!(entries(&scaled), entries(&bare));
    }

    #[test]
    fn pod_create_records_containers_and_ports() {
        let types = BuiltinTypes::new("v1", "Pod").unwrap();
        let pod_op = Operation {
            api_version: "v1",
            kind: "Pod",
            ..op("kubectl-run", T0)
        };
        let mut pod = json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "p", "namespace": "default"},
            "spec": {
                "containers": [{"name": "c", "image": "i", "ports": [{"containerPort": 80, "protocol": "TCP"}]}],
                "tolerations": [{"key": "k", "operator": "Exists"}]
            }
        });
        update(None, &mut pod, &pod_op, &types);
        assert_eq!(
            entry(&pod, "kubectl-run", "Update")["fieldsV1"],
            json!({"f:spec": {
                "f:containers": {"k:{\"name\":\"c\"}": {
                    ".": {}, "f:image": {}, "f:name": {},
                    "f:ports": {".": {}, "k:{\"containerPort\":80,\"protocol\":\"TCP\"}": {
                        ".": {}, "f:containerPort": {}, "f:protocol": {}
                    }},
                    "f:resources": {}
                }},
                "f:tolerations": {}
            }})
        );
    }

    #[test]
    fn times_are_normalized_and_order_entries() {
        assert_eq!(
            normalize_time("2024-05-01T12:00:00.123+02:00"),
            "2024-05-01T10:00:00Z"
        );
        assert_eq!(normalize_time("not a time"), "not a time");
        assert_eq!(rfc3339_seconds("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(format_rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        let managed = Managed::decode(Some(&json!([
            {"manager": "z", "operation": "Update", "apiVersion": "v1", "time": T1, "fieldsType": "FieldsV1", "fieldsV1": {"f:a": {}}},
            {"manager": "y", "operation": "Update", "apiVersion": "v1", "time": T0, "fieldsType": "FieldsV1", "fieldsV1": {"f:b": {}}},
            {"manager": "x", "operation": "Apply", "apiVersion": "v1", "time": T2, "fieldsType": "FieldsV1", "fieldsV1": {"f:c": {}}}
        ])))
        .unwrap();
        let encoded = managed.encode().unwrap();
        let names: Vec<&str> = encoded
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["manager"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["x", "y", "z"]);
    }

    #[test]
    fn manager_names_from_user_agents() {
        assert_eq!(
            manager_from_user_agent("kubectl/v1.33.0 (linux/amd64) kubernetes/abc"),
            "kubectl"
        );
        assert_eq!(
            manager_from_user_agent("Go-http-client/1.1"),
            "Go-http-client"
        );
        assert_eq!(manager_from_user_agent("a\u{7}b"), "ab");
        assert_eq!(manager_from_user_agent(&"x".repeat(300)).len(), 128);
        assert_eq!(manager_from_user_agent(""), "");
    }

    #[test]
    fn builtin_schema_facts() {
        let pod = BuiltinTypes::new("v1", "Pod").unwrap();
        let spec = p("spec");
        let lt = |s: &str| pod.list_type(&p(s));
        assert_eq!(lt("spec.containers"), ListType::Map(vec!["name".into()]));
        assert_eq!(lt("spec.volumes"), ListType::Map(vec!["name".into()]));
        assert_eq!(lt("spec.tolerations"), ListType::Atomic);
        assert_eq!(lt("spec.hostAliases"), ListType::Map(vec!["ip".into()]));
        assert_eq!(
            lt("spec.imagePullSecrets"),
            ListType::Map(vec!["name".into()])
        );
        assert_eq!(lt("metadata.finalizers"), ListType::Set);
        assert_eq!(
            lt("metadata.ownerReferences"),
            ListType::Map(vec!["uid".into()])
        );
        assert_eq!(lt("status.conditions"), ListType::Map(vec!["type".into()]));
        let c = [p("spec.containers"), vec![container("c")]].concat();
        assert_eq!(
            pod.list_type(&[c.clone(), p("ports")].concat()),
            ListType::Map(vec!["containerPort".into(), "protocol".into()])
        );
        assert_eq!(
            pod.key_default(&[c.clone(), p("ports")].concat(), "protocol"),
            Some(json!("TCP"))
        );
        assert_eq!(
            pod.list_type(&[c.clone(), p("env")].concat()),
            ListType::Map(vec!["name".into()])
        );
        assert_eq!(
            pod.list_type(&[c.clone(), p("volumeMounts")].concat()),
            ListType::Map(vec!["mountPath".into()])
        );
        assert_eq!(pod.list_type(&[c, p("command")].concat()), ListType::Atomic);
        assert_eq!(pod.map_type(&p("spec.nodeSelector")), MapType::Atomic);
        assert_eq!(pod.map_type(&p("metadata.labels")), MapType::Struct);
        assert_eq!(pod.map_type(&spec), MapType::Struct);
        assert_eq!(deploy().map_type(&p("spec.selector")), MapType::Atomic);
        let svc = BuiltinTypes::new("v1", "Service").unwrap();
        assert_eq!(
            svc.list_type(&p("spec.ports")),
            ListType::Map(vec!["port".into(), "protocol".into()])
        );
        for (av, kind) in [
            ("apps/v1", "DaemonSet"),
            ("batch/v1", "CronJob"),
            ("v1", "PodTemplate"),
            ("v1", "ReplicationController"),
        ] {
            assert!(BuiltinTypes::new(av, kind).is_some(), "{av} {kind}");
        }
        let cj = BuiltinTypes::new("batch/v1", "CronJob").unwrap();
        assert_eq!(
            cj.list_type(&p("spec.jobTemplate.spec.template.spec.containers")),
            ListType::Map(vec!["name".into()])
        );
        assert!(BuiltinTypes::new("example.com/v1", "Widget").is_none());
        assert_eq!(pod.reset_fields(None), Set::from_paths([p("status")]));
        assert!(
            pod.reset_fields(Some("status"))
                .has(&p("metadata.ownerReferences"))
        );
        assert!(
            BuiltinTypes::new("v1", "ConfigMap")
                .unwrap()
                .reset_fields(None)
                .is_empty()
        );
    }

    #[test]
    fn deduced_types_make_every_key_a_member() {
        let types = DeducedTypes {
            status_subresource: true,
        };
        let cr_op = Operation {
            api_version: "example.com/v1",
            kind: "Widget",
            ..op("a", T0)
        };
        let cfg = json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"},
            "spec": {"size": {"x": 1}, "tags": ["a"]}, "status": {"ok": true}});
        let obj = apply(None, &cfg, false, &cr_op, &types).unwrap();
        // Every key is a member; metadata.name is stripped; status is reset for the main
        // resource.
        assert_eq!(
            entry(&obj, "a", "Apply")["fieldsV1"],
            json!({"f:spec": {".": {}, "f:size": {".": {}, "f:x": {}}, "f:tags": {}}})
        );
        assert_eq!(
            obj["status"],
            json!({"ok": true}),
            "a create keeps what it was given"
        );
    }

    #[test]
    fn nothing_panics_on_odd_input() {
        let types = deploy();
        let odd = [
            json!(null),
            json!([1, 2]),
            json!("x"),
            json!({}),
            json!({"metadata": "x"}),
            json!({"metadata": {"managedFields": "x"}}),
            json!({"metadata": {"managedFields": [{"operation": "Apply", "apiVersion": "v1", "fieldsType": "FieldsV1", "fieldsV1": {"bad": {}}}]}}),
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "spec": {"template": {"spec": {"containers": "x"}}}}),
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "spec": {"template": {"spec": {"containers": [null, 1, [2]]}}}}),
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"finalizers": [{"a": 1}, null]}}),
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "spec": [1], "metadata": {"labels": [1]}}),
        ];
        for a in &odd {
            for b in &odd {
                let _ = apply(Some(a), b, false, &op("m", T0), &types);
                let _ = apply(Some(a), b, true, &op("kubectl", "garbage"), &types);
                let _ = apply(None, b, false, &op("m", T0), &DeducedTypes::default());
                let mut n = b.clone();
                update(Some(a), &mut n, &op("m", T0), &types);
                let mut n = b.clone();
                update(None, &mut n, &op("m", T0), &types);
                let mut n = b.clone();
                update_scale(a, &mut n, &op("m", T0));
            }
        }
    }
}
