//! Label and field selectors: the `labelSelector` and `fieldSelector` query parameters of list and
//! watch requests, and `metav1.LabelSelector` objects (`matchLabels` / `matchExpressions`).
//!
//! Pure: parsing, validation and matching against objects held as `serde_json::Value`. The
//! grammar, the matching rules and the error messages follow upstream's
//! `k8s.io/apimachinery/pkg/labels` and `.../fields` packages, and the per-kind field label
//! conversion functions (`AddFieldLabelConversionFunc`) and selectable field sets
//! (`ToSelectableFields`) of the built-in kinds.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde_json::{Map, Value};

use crate::gofmt::{json_type, quote as go_quote};

// ---------------------------------------------------------------------------------------------
// Label selectors
// ---------------------------------------------------------------------------------------------

/// The operator of one label selector requirement (upstream `selection.Operator`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operator {
    /// `key in (a,b)`
    In,
    /// `key notin (a,b)`
    NotIn,
    /// `key=a`
    Equals,
    /// `key==a`
    DoubleEquals,
    /// `key!=a`
    NotEquals,
    /// `key`
    Exists,
    /// `!key`
    DoesNotExist,
    /// `key>5`
    GreaterThan,
    /// `key<5`
    LessThan,
}

impl Operator {
    /// Upstream's spelling (`selection.Operator` values).
    pub fn as_str(self) -> &'static str {
        match self {
            Operator::In => "in",
            Operator::NotIn => "notin",
            Operator::Equals => "=",
            Operator::DoubleEquals => "==",
            Operator::NotEquals => "!=",
            Operator::Exists => "exists",
            Operator::DoesNotExist => "!",
            Operator::GreaterThan => "gt",
            Operator::LessThan => "lt",
        }
    }
}

/// Binary operators in upstream's order, as listed in its "expected: ..." parse error.
const BINARY_OPERATORS: &str = "in, notin, =, ==, !=, gt, lt";

/// One requirement of a label selector: a key, an operator and its values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Requirement {
    key: String,
    operator: Operator,
    values: Vec<String>,
}

impl Requirement {
    /// Upstream `labels.NewRequirement` (without a field path): validates the key, the value
    /// count for the operator, integer values for `gt`/`lt`, and every value as a label value.
    /// The error is upstream's aggregate message, e.g.
    /// `values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty`.
    pub fn new(key: &str, operator: Operator, values: Vec<String>) -> Result<Requirement, String> {
        new_requirement(key, operator, values)
    }

    pub fn key(&self) -> &str {
        &self.key
    }

    pub fn operator(&self) -> Operator {
        self.operator
    }

    pub fn values(&self) -> &[String] {
        &self.values
    }

    /// Whether a set of labels satisfies this requirement (upstream `Requirement.Matches`).
    pub fn matches(&self, labels: &Map<String, Value>) -> bool {
        let value = labels.get(&self.key).and_then(Value::as_str);
        // A label whose value is not a string cannot come from a decoded object; treat it as
        // absent so that it never satisfies a requirement on its value.
        let present = labels.contains_key(&self.key);
        match self.operator {
            Operator::In | Operator::Equals | Operator::DoubleEquals => {
                value.is_some_and(|v| self.values.iter().any(|x| x == v))
            }
            Operator::NotIn | Operator::NotEquals => {
                value.is_none_or(|v| !self.values.iter().any(|x| x == v))
            }
            Operator::Exists => present,
            Operator::DoesNotExist => !present,
            Operator::GreaterThan | Operator::LessThan => {
                let Some(have) = value.and_then(|v| v.parse::<i64>().ok()) else {
                    return false;
                };
                let [want] = self.values.as_slice() else {
                    return false;
                };
                let Ok(want) = want.parse::<i64>() else {
                    return false;
                };
                if self.operator == Operator::GreaterThan {
                    have > want
                } else {
                    have < want
                }
            }
        }
    }
}

impl fmt::Display for Requirement {
    /// Upstream `Requirement.String`: `!a`, `a`, `a=b`, `a in (x,y)` (values sorted).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.operator == Operator::DoesNotExist {
            f.write_str("!")?;
        }
        f.write_str(&self.key)?;
        let op = match self.operator {
            Operator::Exists | Operator::DoesNotExist => return Ok(()),
            Operator::Equals => "=",
            Operator::DoubleEquals => "==",
            Operator::NotEquals => "!=",
            Operator::In => " in ",
            Operator::NotIn => " notin ",
            Operator::GreaterThan => ">",
            Operator::LessThan => "<",
        };
        f.write_str(op)?;
        let set = matches!(self.operator, Operator::In | Operator::NotIn);
        if set {
            f.write_str("(")?;
        }
        let mut values: Vec<&str> = self.values.iter().map(String::as_str).collect();
        values.sort_unstable();
        f.write_str(&values.join(","))?;
        if set {
            f.write_str(")")?;
        }
        Ok(())
    }
}

/// A label selector: the AND of its requirements. The empty selector matches everything;
/// [`LabelSelector::nothing`] (what a `null` `metav1.LabelSelector` converts to) matches nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LabelSelector {
    requirements: Vec<Requirement>,
    nothing: bool,
}

impl LabelSelector {
    /// The selector that matches every object.
    pub fn everything() -> LabelSelector {
        LabelSelector::default()
    }

    /// The selector that matches no object.
    pub fn nothing() -> LabelSelector {
        LabelSelector {
            requirements: Vec::new(),
            nothing: true,
        }
    }

    /// Parse the `labelSelector` query parameter: `a=b`, `a==b`, `a!=b`, `a in (x,y)`,
    /// `a notin (x)`, `a`, `!a`, `a>1`, `a<1`, comma-separated (AND). Errors carry upstream's
    /// message (the server answers 400 BadRequest with it), e.g. for `a in x`:
    /// `unable to parse requirement: found 'x' expected: '('`.
    pub fn parse(s: &str) -> Result<LabelSelector, String> {
        let mut parser = Parser::new(s);
        let mut requirements = parser.parse()?;
        requirements.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(LabelSelector {
            requirements,
            nothing: false,
        })
    }

    /// The selector matching exactly the given labels (upstream `SelectorFromSet`, e.g. a
    /// ReplicationController's or Service's `spec.selector`). Empty matches everything.
    pub fn from_set<'a, I>(set: I) -> LabelSelector
    where
        I: IntoIterator<Item = (&'a str, &'a str)>,
    {
        let mut requirements: Vec<Requirement> = set
            .into_iter()
            .map(|(k, v)| Requirement {
                key: k.to_string(),
                operator: Operator::Equals,
                values: vec![v.to_string()],
            })
            .collect();
        requirements.sort_by(|a, b| a.key.cmp(&b.key));
        LabelSelector {
            requirements,
            nothing: false,
        }
    }

    /// Whether `labels` (an object's `metadata.labels`; pass an empty map when it has none)
    /// satisfies every requirement.
    pub fn matches(&self, labels: &Map<String, Value>) -> bool {
        !self.nothing && self.requirements.iter().all(|r| r.matches(labels))
    }

    /// [`LabelSelector::matches`] on the `metadata.labels` of a whole object (missing = empty).
    pub fn matches_object(&self, obj: &Value) -> bool {
        let empty = Map::new();
        let labels = obj
            .get("metadata")
            .and_then(|m| m.get("labels"))
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        self.matches(labels)
    }

    /// Whether the selector restricts nothing (matches every object).
    pub fn is_empty(&self) -> bool {
        !self.nothing && self.requirements.is_empty()
    }

    /// Whether this is the selector that matches no object ([`LabelSelector::nothing`]).
    pub fn matches_nothing(&self) -> bool {
        self.nothing
    }

    /// The requirements, sorted by key.
    pub fn requirements(&self) -> &[Requirement] {
        &self.requirements
    }

    /// Upstream `RequiresExactMatch`: the value `label` must have, if the selector pins it to a
    /// single value (`=`, `==`, or `in` with one value).
    pub fn requires_exact_match(&self, label: &str) -> Option<&str> {
        let r = self.requirements.iter().find(|r| r.key == label)?;
        match (r.operator, r.values.as_slice()) {
            (Operator::Equals | Operator::DoubleEquals | Operator::In, [v]) => Some(v),
            _ => None,
        }
    }
}

impl fmt::Display for LabelSelector {
    /// Upstream `Selector.String`: the requirements joined with `,` (the nothing selector
    /// prints as the empty string, as upstream's does).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, r) in self.requirements.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{r}")?;
        }
        Ok(())
    }
}

/// Upstream `metav1.LabelSelectorAsSelector` from the JSON of a `metav1.LabelSelector`
/// (`{matchLabels, matchExpressions}`), as found in Deployments, ReplicaSets, Jobs,
/// PodDisruptionBudgets, NetworkPolicies... `null` converts to the selector that matches
/// nothing, `{}` to the one that matches everything.
pub fn label_selector_from_json(v: &Value) -> Result<LabelSelector, String> {
    let obj = match v {
        Value::Null => return Ok(LabelSelector::nothing()),
        Value::Object(obj) => obj,
        other => {
            return Err(format!(
                "json: cannot unmarshal {} into Go value of type v1.LabelSelector",
                json_type(other)
            ));
        }
    };
    let mut requirements = Vec::new();
    match obj.get("matchLabels") {
        None | Some(Value::Null) => {}
        Some(Value::Object(labels)) => {
            for (k, v) in labels {
                let Some(v) = v.as_str() else {
                    return Err(format!(
                        "json: cannot unmarshal {} into Go struct field LabelSelector.matchLabels of type string",
                        json_type(v)
                    ));
                };
                requirements.push(Requirement::new(k, Operator::Equals, vec![v.to_string()])?);
            }
        }
        Some(other) => {
            return Err(format!(
                "json: cannot unmarshal {} into Go struct field LabelSelector.matchLabels of type map[string]string",
                json_type(other)
            ));
        }
    }
    match obj.get("matchExpressions") {
        None | Some(Value::Null) => {}
        Some(Value::Array(exprs)) => {
            for expr in exprs {
                requirements.push(requirement_from_expression(expr)?);
            }
        }
        Some(other) => {
            return Err(format!(
                "json: cannot unmarshal {} into Go struct field LabelSelector.matchExpressions of type []v1.LabelSelectorRequirement",
                json_type(other)
            ));
        }
    }
    requirements.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(LabelSelector {
        requirements,
        nothing: false,
    })
}

fn requirement_from_expression(expr: &Value) -> Result<Requirement, String> {
    let field_str = |name: &str| -> Result<String, String> {
        match expr.get(name) {
            None | Some(Value::Null) => Ok(String::new()),
            Some(Value::String(s)) => Ok(s.clone()),
            Some(other) => Err(format!(
                "json: cannot unmarshal {} into Go struct field LabelSelectorRequirement.matchExpressions.{name} of type string",
                json_type(other)
            )),
        }
    };
    if !expr.is_object() && !expr.is_null() {
        return Err(format!(
            "json: cannot unmarshal {} into Go struct field LabelSelector.matchExpressions of type v1.LabelSelectorRequirement",
            json_type(expr)
        ));
    }
    let key = field_str("key")?;
    let operator = field_str("operator")?;
    let mut values = Vec::new();
    match expr.get("values") {
        None | Some(Value::Null) => {}
        Some(Value::Array(vs)) => {
            for v in vs {
                match v {
                    Value::String(s) => values.push(s.clone()),
                    Value::Null => values.push(String::new()),
                    other => {
                        return Err(format!(
                            "json: cannot unmarshal {} into Go struct field LabelSelectorRequirement.matchExpressions.values of type string",
                            json_type(other)
                        ));
                    }
                }
            }
        }
        Some(other) => {
            return Err(format!(
                "json: cannot unmarshal {} into Go struct field LabelSelectorRequirement.matchExpressions.values of type []string",
                json_type(other)
            ));
        }
    }
    let op = match operator.as_str() {
        "In" => Operator::In,
        "NotIn" => Operator::NotIn,
        "Exists" => Operator::Exists,
        "DoesNotExist" => Operator::DoesNotExist,
        other => {
            return Err(format!(
                "{} is not a valid label selector operator",
                go_quote(other)
            ));
        }
    };
    Requirement::new(&key, op, values)
}

/// Upstream `NewRequirement` without a field path (the parser passes none either), so errors
/// are reported at `key`, `values` and `values[i][key]`.
fn new_requirement(
    key: &str,
    operator: Operator,
    values: Vec<String>,
) -> Result<Requirement, String> {
    let mut errs: Vec<String> = Vec::new();
    let key_errs = label_key_errors(key);
    if !key_errs.is_empty() {
        errs.push(format!(
            "key: Invalid value: {}: {}",
            go_quote(key),
            key_errs.join("; ")
        ));
    }
    match operator {
        Operator::In | Operator::NotIn => {
            if values.is_empty() {
                errs.push(format!(
                    "values: Invalid value: {}: for 'in', 'notin' operators, values set can't be empty",
                    go_string_slice(&values)
                ));
            }
        }
        Operator::Equals | Operator::DoubleEquals | Operator::NotEquals => {
            if values.len() != 1 {
                errs.push(format!(
                    "values: Invalid value: {}: exact-match compatibility requires one single value",
                    go_string_slice(&values)
                ));
            }
        }
        Operator::Exists | Operator::DoesNotExist => {
            if !values.is_empty() {
                errs.push(format!(
                    "values: Invalid value: {}: values set must be empty for exists and does not exist",
                    go_string_slice(&values)
                ));
            }
        }
        Operator::GreaterThan | Operator::LessThan => {
            if values.len() != 1 {
                errs.push(format!(
                    "values: Invalid value: {}: for 'Gt', 'Lt' operators, exactly one value is required",
                    go_string_slice(&values)
                ));
            }
            for (i, v) in values.iter().enumerate() {
                if v.parse::<i64>().is_err() {
                    errs.push(format!(
                        "values[{i}]: Invalid value: {}: for 'Gt', 'Lt' operators, the value must be an integer",
                        go_quote(v)
                    ));
                }
            }
        }
    }
    for (i, v) in values.iter().enumerate() {
        let value_errs = label_value_errors(v);
        if !value_errs.is_empty() {
            errs.push(format!(
                "values[{i}][{key}]: Invalid value: {}: {}",
                go_quote(v),
                value_errs.join("; ")
            ));
        }
    }
    if !errs.is_empty() {
        return Err(aggregate(errs));
    }
    Ok(Requirement {
        key: key.to_string(),
        operator,
        values,
    })
}

/// Upstream `utilerrors.NewAggregate(...).Error()`: one message alone, several de-duplicated,
/// comma-separated and bracketed.
fn aggregate(errs: Vec<String>) -> String {
    let mut seen = BTreeSet::new();
    let mut unique = Vec::new();
    for e in errs {
        if seen.insert(e.clone()) {
            unique.push(e);
        }
    }
    if unique.len() == 1 {
        unique.pop().unwrap_or_default()
    } else {
        format!("[{}]", unique.join(", "))
    }
}

/// Upstream `IsQualifiedName` (1.33 wording): the error strings (empty when valid).
pub fn label_key_errors(value: &str) -> Vec<String> {
    crate::validation::is_qualified_name(value)
}

/// Upstream `IsValidLabelValue`: the error strings (empty when valid).
pub fn label_value_errors(value: &str) -> Vec<String> {
    crate::validation::is_valid_label_value(value)
}

/// Go's `%#v` of a `[]string`.
fn go_string_slice(values: &[String]) -> String {
    let inner: Vec<String> = values.iter().map(|v| go_quote(v)).collect();
    format!("[]string{{{}}}", inner.join(", "))
}

// --- the label selector lexer and parser (upstream labels.Lexer / labels.Parser) -----------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Token {
    Error,
    EndOfString,
    ClosedPar,
    Comma,
    DoesNotExist,
    DoubleEquals,
    Equals,
    GreaterThan,
    Identifier,
    In,
    LessThan,
    NotEquals,
    NotIn,
    OpenPar,
}

fn string_to_token(s: &[u8]) -> Option<Token> {
    Some(match s {
        b")" => Token::ClosedPar,
        b"," => Token::Comma,
        b"!" => Token::DoesNotExist,
        b"==" => Token::DoubleEquals,
        b"=" => Token::Equals,
        b">" => Token::GreaterThan,
        b"in" => Token::In,
        b"<" => Token::LessThan,
        b"!=" => Token::NotEquals,
        b"notin" => Token::NotIn,
        b"(" => Token::OpenPar,
        _ => return None,
    })
}

fn is_whitespace(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n')
}

fn is_special_symbol(c: u8) -> bool {
    matches!(c, b'=' | b'!' | b'(' | b')' | b',' | b'>' | b'<')
}

struct Lexer<'a> {
    s: &'a [u8],
    pos: usize,
}

impl Lexer<'_> {
    /// The byte at the position (0 at the end), advancing past it.
    fn read(&mut self) -> u8 {
        if self.pos < self.s.len() {
            let b = self.s[self.pos];
            self.pos += 1;
            b
        } else {
            0
        }
    }

    fn unread(&mut self) {
        self.pos = self.pos.saturating_sub(1);
    }

    fn scan_id_or_keyword(&mut self) -> (Token, String) {
        let mut buffer = Vec::new();
        loop {
            let ch = self.read();
            if ch == 0 {
                break;
            }
            if is_special_symbol(ch) || is_whitespace(ch) {
                self.unread();
                break;
            }
            buffer.push(ch);
        }
        let lit = String::from_utf8_lossy(&buffer).into_owned();
        match string_to_token(&buffer) {
            Some(tok) => (tok, lit),
            None => (Token::Identifier, lit),
        }
    }

    fn scan_special_symbol(&mut self) -> (Token, String) {
        let mut last: Option<(Token, String)> = None;
        let mut buffer = Vec::new();
        loop {
            let ch = self.read();
            if ch == 0 {
                break;
            }
            if is_special_symbol(ch) {
                buffer.push(ch);
                if let Some(tok) = string_to_token(&buffer) {
                    last = Some((tok, String::from_utf8_lossy(&buffer).into_owned()));
                } else if last.is_some() {
                    self.unread();
                    break;
                }
            } else {
                self.unread();
                break;
            }
        }
        match last {
            Some(item) => item,
            None => (
                Token::Error,
                format!(
                    "error expected: keyword found '{}'",
                    String::from_utf8_lossy(&buffer)
                ),
            ),
        }
    }

    fn lex(&mut self) -> (Token, String) {
        let mut ch = self.read();
        while is_whitespace(ch) {
            ch = self.read();
        }
        if ch == 0 {
            (Token::EndOfString, String::new())
        } else if is_special_symbol(ch) {
            self.unread();
            self.scan_special_symbol()
        } else {
            self.unread();
            self.scan_id_or_keyword()
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Context {
    KeyAndOperator,
    Values,
}

struct Parser {
    items: Vec<(Token, String)>,
    position: usize,
}

impl Parser {
    fn new(s: &str) -> Parser {
        let mut lexer = Lexer {
            s: s.as_bytes(),
            pos: 0,
        };
        let mut items = Vec::new();
        loop {
            let (tok, lit) = lexer.lex();
            let end = tok == Token::EndOfString;
            items.push((tok, lit));
            if end {
                break;
            }
        }
        Parser { items, position: 0 }
    }

    fn item(&self, pos: usize, ctx: Context) -> (Token, String) {
        let (tok, lit) = self
            .items
            .get(pos)
            .cloned()
            .unwrap_or((Token::EndOfString, String::new()));
        let tok = match (ctx, tok) {
            (Context::Values, Token::In | Token::NotIn) => Token::Identifier,
            (_, t) => t,
        };
        (tok, lit)
    }

    fn lookahead(&self, ctx: Context) -> (Token, String) {
        self.item(self.position, ctx)
    }

    fn consume(&mut self, ctx: Context) -> (Token, String) {
        let item = self.item(self.position, ctx);
        self.position += 1;
        item
    }

    fn parse(&mut self) -> Result<Vec<Requirement>, String> {
        let mut requirements = Vec::new();
        loop {
            let (tok, lit) = self.lookahead(Context::Values);
            match tok {
                Token::Identifier | Token::DoesNotExist => {
                    let r = self
                        .parse_requirement()
                        .map_err(|e| format!("unable to parse requirement: {e}"))?;
                    requirements.push(r);
                    let (t, l) = self.consume(Context::Values);
                    match t {
                        Token::EndOfString => return Ok(requirements),
                        Token::Comma => {
                            let (t2, l2) = self.lookahead(Context::Values);
                            if t2 != Token::Identifier && t2 != Token::DoesNotExist {
                                return Err(format!(
                                    "found '{l2}', expected: identifier after ','"
                                ));
                            }
                        }
                        _ => {
                            return Err(format!("found '{l}', expected: ',' or 'end of string'"));
                        }
                    }
                }
                Token::EndOfString => return Ok(requirements),
                _ => {
                    return Err(format!(
                        "found '{lit}', expected: !, identifier, or 'end of string'"
                    ));
                }
            }
        }
    }

    fn parse_requirement(&mut self) -> Result<Requirement, String> {
        let (key, operator) = self.parse_key_and_infer_operator()?;
        if let Some(op @ (Operator::Exists | Operator::DoesNotExist)) = operator {
            return new_requirement(&key, op, Vec::new());
        }
        let operator = self.parse_operator()?;
        let values = match operator {
            Operator::In | Operator::NotIn => self.parse_values()?,
            _ => self.parse_exact_value()?,
        };
        new_requirement(&key, operator, values.into_iter().collect())
    }

    fn parse_key_and_infer_operator(&mut self) -> Result<(String, Option<Operator>), String> {
        let mut operator = None;
        let (mut tok, mut lit) = self.consume(Context::Values);
        if tok == Token::DoesNotExist {
            operator = Some(Operator::DoesNotExist);
            (tok, lit) = self.consume(Context::Values);
        }
        if tok != Token::Identifier {
            return Err(format!("found '{lit}', expected: identifier"));
        }
        let errs = label_key_errors(&lit);
        if !errs.is_empty() {
            // Upstream passes a nil field path here, which prints as "<nil>".
            return Err(format!(
                "<nil>: Invalid value: {}: {}",
                go_quote(&lit),
                errs.join("; ")
            ));
        }
        let (t, _) = self.lookahead(Context::Values);
        if (t == Token::EndOfString || t == Token::Comma) && operator.is_none() {
            operator = Some(Operator::Exists);
        }
        Ok((lit, operator))
    }

    fn parse_operator(&mut self) -> Result<Operator, String> {
        let (tok, lit) = self.consume(Context::KeyAndOperator);
        Ok(match tok {
            Token::In => Operator::In,
            Token::Equals => Operator::Equals,
            Token::DoubleEquals => Operator::DoubleEquals,
            Token::GreaterThan => Operator::GreaterThan,
            Token::LessThan => Operator::LessThan,
            Token::NotIn => Operator::NotIn,
            Token::NotEquals => Operator::NotEquals,
            _ => return Err(format!("found '{lit}', expected: {BINARY_OPERATORS}")),
        })
    }

    fn parse_values(&mut self) -> Result<BTreeSet<String>, String> {
        let (tok, lit) = self.consume(Context::Values);
        if tok != Token::OpenPar {
            return Err(format!("found '{lit}' expected: '('"));
        }
        let (tok, lit) = self.lookahead(Context::Values);
        match tok {
            Token::Identifier | Token::Comma => {
                let s = self.parse_identifiers_list()?;
                let (tok, _) = self.consume(Context::Values);
                if tok != Token::ClosedPar {
                    return Err(format!("found '{lit}', expected: ')'"));
                }
                Ok(s)
            }
            Token::ClosedPar => {
                self.consume(Context::Values);
                Ok(BTreeSet::from([String::new()]))
            }
            _ => Err(format!("found '{lit}', expected: ',', ')' or identifier")),
        }
    }

    fn parse_identifiers_list(&mut self) -> Result<BTreeSet<String>, String> {
        let mut s = BTreeSet::new();
        loop {
            let (tok, lit) = self.consume(Context::Values);
            match tok {
                Token::Identifier => {
                    s.insert(lit);
                    let (tok2, lit2) = self.lookahead(Context::Values);
                    match tok2 {
                        Token::Comma => continue,
                        Token::ClosedPar => return Ok(s),
                        _ => return Err(format!("found '{lit2}', expected: ',' or ')'")),
                    }
                }
                Token::Comma => {
                    if s.is_empty() {
                        s.insert(String::new());
                    }
                    let (tok2, _) = self.lookahead(Context::Values);
                    if tok2 == Token::ClosedPar {
                        s.insert(String::new());
                        return Ok(s);
                    }
                    if tok2 == Token::Comma {
                        s.insert(String::new());
                    }
                }
                _ => return Err(format!("found '{lit}', expected: ',', or identifier")),
            }
        }
    }

    fn parse_exact_value(&mut self) -> Result<BTreeSet<String>, String> {
        let (tok, _) = self.lookahead(Context::Values);
        if tok == Token::EndOfString || tok == Token::Comma {
            return Ok(BTreeSet::from([String::new()]));
        }
        let (tok, lit) = self.consume(Context::Values);
        if tok == Token::Identifier {
            return Ok(BTreeSet::from([lit]));
        }
        Err(format!("found '{lit}', expected: identifier"))
    }
}

// ---------------------------------------------------------------------------------------------
// Field selectors
// ---------------------------------------------------------------------------------------------

/// The operator of a field selector requirement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldOperator {
    /// `field=value` or `field==value`
    Equals,
    /// `field!=value`
    NotEquals,
}

/// One `field=value` / `field!=value` term of a field selector (value unescaped).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldRequirement {
    pub field: String,
    pub operator: FieldOperator,
    pub value: String,
}

/// A field selector: the AND of `field=value` / `field!=value` terms. Empty matches everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldSelector {
    requirements: Vec<FieldRequirement>,
}

impl FieldSelector {
    /// Parse the `fieldSelector` query parameter: `a=b`, `a==b`, `a!=b`, comma-separated.
    /// Values may escape `\,` `\=` `\\` (upstream `fields.EscapeValue`); an unescaped `,` or
    /// `=` in a value, or any other escape, is an error with upstream's message, as is a term
    /// without an operator (`invalid selector: 'x'; can't understand 'x'`).
    pub fn parse(s: &str) -> Result<FieldSelector, String> {
        let mut parts = split_terms(s);
        parts.sort();
        let mut requirements = Vec::new();
        for part in parts {
            if part.is_empty() {
                continue;
            }
            let Some((lhs, op, rhs)) = split_term(part) else {
                return Err(format!(
                    "invalid selector: '{s}'; can't understand '{part}'"
                ));
            };
            let value = unescape_value(rhs)?;
            requirements.push(FieldRequirement {
                field: lhs.to_string(),
                operator: op,
                value,
            });
        }
        Ok(FieldSelector { requirements })
    }

    /// The terms, in upstream's order (sorted by their text).
    pub fn requirements(&self) -> &[FieldRequirement] {
        &self.requirements
    }

    /// Check that every field is selectable for (api_version, kind), as upstream's field label
    /// conversion functions do before a list or watch. The error is upstream's message, which
    /// depends on the kind: `field label not supported: spec.bogus` (Pod, Node, Event, ...),
    /// `field label "x" not supported for batchv1.Job`, or, for kinds without their own
    /// conversion, `"x" is not a known field selector: only "metadata.name", "metadata.namespace"`.
    pub fn check_supported(&self, api_version: &str, kind: &str) -> Result<(), String> {
        for r in &self.requirements {
            convert_field_label(api_version, kind, &r.field)?;
        }
        Ok(())
    }

    /// Whether a whole object (JSON, with its `apiVersion` and `kind`) satisfies every term.
    /// The value of a field is what upstream's selectable field set for the kind holds: read
    /// from the object by its path (missing = `""`, booleans and numbers as Go prints them),
    /// with the kinds' special cases: Pod `spec.host` (= `spec.nodeName`), `spec.hostNetwork`
    /// (default `false`), `status.podIP` (the first of `status.podIPs`); Node
    /// `spec.unschedulable` (default `false`); ReplicaSet/ReplicationController
    /// `status.replicas` (default `0`); Job `status.successful` (= `status.succeeded`, default
    /// `0`); Events in either version (`source` = `source.component` or else
    /// `reportingController`, `reportingComponent` = `reportingController`, `regarding.*` =
    /// `involvedObject.*`).
    pub fn matches(&self, obj: &Value) -> bool {
        let api_version = obj.get("apiVersion").and_then(Value::as_str).unwrap_or("");
        let kind = obj.get("kind").and_then(Value::as_str).unwrap_or("");
        self.requirements.iter().all(|r| {
            let have = field_value(api_version, kind, obj, &r.field);
            match r.operator {
                FieldOperator::Equals => have == r.value,
                FieldOperator::NotEquals => have != r.value,
            }
        })
    }

    /// Whether the selector restricts nothing.
    pub fn is_empty(&self) -> bool {
        self.requirements.is_empty()
    }

    /// The name, if the selector is exactly one `metadata.name=X` (or `==`) term (as
    /// `kubectl delete --wait` and `kubectl wait` send).
    pub fn name(&self) -> Option<&str> {
        match self.requirements.as_slice() {
            [r] if r.field == "metadata.name" && r.operator == FieldOperator::Equals => {
                Some(&r.value)
            }
            _ => None,
        }
    }

    /// Upstream `RequiresExactMatch`: the value of the first `=` term on `field`, whatever
    /// other terms there are.
    pub fn requires_exact_match(&self, field: &str) -> Option<&str> {
        self.requirements
            .iter()
            .find(|r| r.field == field && r.operator == FieldOperator::Equals)
            .map(|r| r.value.as_str())
    }
}

impl fmt::Display for FieldSelector {
    /// Upstream `Selector.String`: `a=b,c!=d`, values escaped.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, r) in self.requirements.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            let op = match r.operator {
                FieldOperator::Equals => "=",
                FieldOperator::NotEquals => "!=",
            };
            write!(f, "{}{op}{}", r.field, escape_value(&r.value))?;
        }
        Ok(())
    }
}

/// Upstream `fields.EscapeValue`: `\` `,` `=` preceded by a backslash.
pub fn escape_value(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '\\' | ',' | '=') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Upstream `fields.UnescapeValue`.
fn unescape_value(s: &str) -> Result<String, String> {
    if !s.contains(['\\', ',', '=']) {
        return Ok(s.to_string());
    }
    let mut out = String::with_capacity(s.len());
    let mut in_slash = false;
    for c in s.chars() {
        if in_slash {
            match c {
                '\\' | ',' | '=' => out.push(c),
                _ => {
                    return Err(format!(
                        "invalid field selector: invalid escape sequence: \\{c}"
                    ));
                }
            }
            in_slash = false;
            continue;
        }
        match c {
            '\\' => in_slash = true,
            // Upstream formats the rune with %v, i.e. as its code point.
            ',' | '=' => {
                return Err(format!(
                    "invalid field selector: unescaped character in value: {}",
                    c as u32
                ));
            }
            _ => out.push(c),
        }
    }
    if in_slash {
        return Err("invalid field selector: invalid escape sequence: \\".to_string());
    }
    Ok(out)
}

/// Upstream `splitTerms`: split on commas not escaped by a backslash.
fn split_terms(s: &str) -> Vec<&str> {
    if s.is_empty() {
        return Vec::new();
    }
    let mut terms = Vec::new();
    let mut start = 0;
    let mut in_slash = false;
    for (i, c) in s.char_indices() {
        if in_slash {
            in_slash = false;
        } else if c == '\\' {
            in_slash = true;
        } else if c == ',' {
            terms.push(&s[start..i]);
            start = i + 1;
        }
    }
    terms.push(&s[start..]);
    terms
}

/// Upstream `splitTerm`: the first `!=`, `==` or `=` splits the term.
fn split_term(term: &str) -> Option<(&str, FieldOperator, &str)> {
    for (i, _) in term.char_indices() {
        let rest = &term[i..];
        if rest.starts_with("!=") {
            return Some((&term[..i], FieldOperator::NotEquals, &term[i + 2..]));
        }
        if rest.starts_with("==") {
            return Some((&term[..i], FieldOperator::Equals, &term[i + 2..]));
        }
        if rest.starts_with('=') {
            return Some((&term[..i], FieldOperator::Equals, &term[i + 1..]));
        }
    }
    None
}

const NOT_SUPPORTED: &str = "field label not supported: ";

/// The group of an apiVersion (`""` for the core group).
fn group_of(api_version: &str) -> &str {
    api_version.rsplit_once('/').map_or("", |(g, _)| g)
}

/// Upstream's field label conversion for (api_version, kind): the label as the kind's
/// selectable field set names it, or upstream's error.
fn convert_field_label(api_version: &str, kind: &str, label: &str) -> Result<String, String> {
    let allowed = |labels: &[&str]| -> Result<String, String> {
        if labels.contains(&label) {
            Ok(label.to_string())
        } else {
            Err(format!("{NOT_SUPPORTED}{label}"))
        }
    };
    match (api_version, kind) {
        ("v1", "Pod") => match label {
            // Backwards compatibility with old v1 clients.
            "spec.host" => Ok("spec.nodeName".to_string()),
            _ => allowed(&[
                "metadata.name",
                "metadata.namespace",
                "spec.nodeName",
                "spec.restartPolicy",
                "spec.schedulerName",
                "spec.serviceAccountName",
                "spec.hostNetwork",
                "status.phase",
                "status.podIP",
                "status.podIPs",
                "status.nominatedNodeName",
            ]),
        },
        ("v1", "Node") => allowed(&["metadata.name", "spec.unschedulable"]),
        ("v1", "ReplicationController") => {
            allowed(&["metadata.name", "metadata.namespace", "status.replicas"])
        }
        ("v1", "Event") => allowed(&[
            "involvedObject.kind",
            "involvedObject.namespace",
            "involvedObject.name",
            "involvedObject.uid",
            "involvedObject.apiVersion",
            "involvedObject.resourceVersion",
            "involvedObject.fieldPath",
            "reason",
            "reportingComponent",
            "source",
            "type",
            "metadata.namespace",
            "metadata.name",
        ]),
        ("v1", "Namespace") => allowed(&["status.phase", "metadata.name"]),
        ("v1", "Secret") => allowed(&["type", "metadata.namespace", "metadata.name"]),
        ("v1", "Service") => allowed(&[
            "metadata.namespace",
            "metadata.name",
            "spec.clusterIP",
            "spec.type",
        ]),
        ("events.k8s.io/v1" | "events.k8s.io/v1beta1", "Event") => {
            let mapped = match label {
                "reason" | "source" | "type" | "metadata.namespace" | "metadata.name" => label,
                "regarding.kind" => "involvedObject.kind",
                "regarding.namespace" => "involvedObject.namespace",
                "regarding.name" => "involvedObject.name",
                "regarding.uid" => "involvedObject.uid",
                "regarding.apiVersion" => "involvedObject.apiVersion",
                "regarding.resourceVersion" => "involvedObject.resourceVersion",
                "regarding.fieldPath" => "involvedObject.fieldPath",
                "reportingController" => "reportingComponent",
                _ => return Err(format!("{NOT_SUPPORTED}{label}")),
            };
            Ok(mapped.to_string())
        }
        ("batch/v1", "Job") => match label {
            "metadata.name" | "metadata.namespace" | "status.successful" => Ok(label.to_string()),
            _ => Err(format!(
                "field label {} not supported for batchv1.Job",
                go_quote(label)
            )),
        },
        ("certificates.k8s.io/v1" | "certificates.k8s.io/v1beta1", "CertificateSigningRequest")
        | ("certificates.k8s.io/v1alpha1" | "certificates.k8s.io/v1beta1", "ClusterTrustBundle") => {
            allowed(&["metadata.name", "spec.signerName"])
        }
        (
            "resource.k8s.io/v1alpha3"
            | "resource.k8s.io/v1beta1"
            | "resource.k8s.io/v1beta2"
            | "resource.k8s.io/v1",
            "ResourceSlice",
        ) => match label {
            "metadata.name" | "spec.nodeName" | "spec.driver" => Ok(label.to_string()),
            _ => Err(format!(
                "field label not supported for {}, Kind=ResourceSlice: {label}",
                api_version
            )),
        },
        _ => match label {
            "metadata.name" | "metadata.namespace" => Ok(label.to_string()),
            _ => Err(format!(
                "{} is not a known field selector: only \"metadata.name\", \"metadata.namespace\"",
                go_quote(label)
            )),
        },
    }
}

/// The value of `label` in upstream's selectable field set of `obj` (missing = "").
fn field_value(api_version: &str, kind: &str, obj: &Value, label: &str) -> String {
    let group = group_of(api_version);
    // Events are one resource in two versions: whichever version the query came through and
    // the object is stored in, select on the same (core) field set.
    let label = match (group, kind) {
        ("" | "events.k8s.io", "Event") => convert_field_label("events.k8s.io/v1", "Event", label)
            .unwrap_or_else(|_| label.to_string()),
        _ => convert_field_label(api_version, kind, label).unwrap_or_else(|_| label.to_string()),
    };
    let label = label.as_str();
    match (group, kind, label) {
        ("", "Pod", "spec.hostNetwork") => bool_at(obj, "spec.hostNetwork"),
        ("", "Pod", "status.podIP") => {
            let first = obj
                .pointer("/status/podIPs/0/ip")
                .and_then(Value::as_str)
                .or_else(|| obj.pointer("/status/podIP").and_then(Value::as_str));
            first.unwrap_or("").to_string()
        }
        // Accepted by the conversion but absent from upstream's field set.
        ("", "Pod", "status.podIPs") => String::new(),
        ("", "Node", "spec.unschedulable") => bool_at(obj, "spec.unschedulable"),
        ("" | "apps" | "extensions", "ReplicationController" | "ReplicaSet", "status.replicas") => {
            int_at(obj, "status.replicas")
        }
        ("batch", "Job", "status.successful") => int_at(obj, "status.succeeded"),
        ("" | "events.k8s.io", "Event", _) => event_field(obj, label),
        _ => string_at(obj, label),
    }
}

/// The Event fields upstream selects on, from an Event in either core/v1 or events.k8s.io
/// form (both are stored as one resource upstream).
fn event_field(obj: &Value, label: &str) -> String {
    let either = |a: &str, b: &str| {
        let v = string_at(obj, a);
        if v.is_empty() { string_at(obj, b) } else { v }
    };
    if let Some(rest) = label.strip_prefix("involvedObject.") {
        return either(label, &format!("regarding.{rest}"));
    }
    match label {
        "reportingComponent" => either("reportingComponent", "reportingController"),
        "source" => {
            let source = either("source.component", "deprecatedSource.component");
            if source.is_empty() {
                either("reportingComponent", "reportingController")
            } else {
                source
            }
        }
        _ => string_at(obj, label),
    }
}

fn value_at<'a>(obj: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(obj, |v, seg| v.get(seg))
}

/// A scalar as upstream's field sets hold it: strings as they are, booleans and numbers in
/// Go's formatting; anything else (missing, null, objects, arrays) is "".
fn string_at(obj: &Value, path: &str) -> String {
    match value_at(obj, path) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

fn bool_at(obj: &Value, path: &str) -> String {
    value_at(obj, path)
        .and_then(Value::as_bool)
        .unwrap_or(false)
        .to_string()
}

fn int_at(obj: &Value, path: &str) -> String {
    value_at(obj, path)
        .and_then(Value::as_i64)
        .unwrap_or(0)
        .to_string()
}

/// Labels of a set in a form [`LabelSelector::from_set`] takes, from a JSON map of strings
/// (e.g. a Service's `spec.selector`); non-string values are skipped.
pub fn string_map(v: &Value) -> BTreeMap<&str, &str> {
    v.as_object()
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.as_str(), s)))
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn labels(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn label_parse_and_match() {
        let l = labels(json!({"app": "web", "tier": "front", "n": "5"}));
        let cases = [
            ("", true),
            ("app=web", true),
            ("app==web", true),
            ("app!=web", false),
            ("app!=db", true),
            ("missing!=x", true),
            ("app in (web,db)", true),
            ("app in (db)", false),
            ("app notin (db)", true),
            ("app notin (web)", false),
            ("missing notin (web)", true),
            ("app", true),
            ("!app", false),
            ("!missing", true),
            ("app=web,tier=front", true),
            ("app=web,tier=back", false),
            ("  app = web ,  tier in ( front , back ) ", true),
            ("n>4", true),
            ("n>5", false),
            ("n<6", true),
            ("app>1", false),
            ("missing in (a)", false),
            ("app in (in,notin,web)", true),
            ("tier=", false),
            ("missing=", false),
        ];
        for (sel, want) in cases {
            let s = LabelSelector::parse(sel).unwrap_or_else(|e| panic!("{sel}: {e}"));
            assert_eq!(s.matches(&l), want, "{sel}");
        }
        let empty_value = labels(json!({"a": ""}));
        assert!(LabelSelector::parse("a=").unwrap().matches(&empty_value));
        assert!(
            LabelSelector::parse("a in ()")
                .unwrap()
                .matches(&empty_value)
        );
        assert!(
            LabelSelector::parse("a in (,x)")
                .unwrap()
                .matches(&empty_value)
        );
        assert!(LabelSelector::parse("").unwrap().is_empty());
        assert!(!LabelSelector::parse("a").unwrap().is_empty());
    }

    #[test]
    fn label_parse_errors_carry_upstream_messages() {
        let cases = [
            (
                "a in x",
                "unable to parse requirement: found 'x' expected: '('",
            ),
            (
                "a in (x",
                "unable to parse requirement: found '', expected: ',' or ')'",
            ),
            (
                "a not in (x)",
                "unable to parse requirement: found 'not', expected: in, notin, =, ==, !=, gt, lt",
            ),
            ("a,", "found '', expected: identifier after ','"),
            (
                "=a",
                "found '=', expected: !, identifier, or 'end of string'",
            ),
            ("a=b c", "found 'c', expected: ',' or 'end of string'"),
            ("!a=b", "found '=', expected: ',' or 'end of string'"),
            (
                "!",
                "unable to parse requirement: found '', expected: identifier",
            ),
            (
                "a=(",
                "unable to parse requirement: found '(', expected: identifier",
            ),
            (
                "a>x",
                "unable to parse requirement: values[0]: Invalid value: \"x\": for 'Gt', 'Lt' operators, the value must be an integer",
            ),
        ];
        for (sel, want) in cases {
            assert_eq!(LabelSelector::parse(sel).unwrap_err(), want, "{sel}");
        }
        let e = LabelSelector::parse("app_=x").unwrap_err();
        assert!(
            e.starts_with(
                "unable to parse requirement: <nil>: Invalid value: \"app_\": name part must consist of alphanumeric characters"
            ),
            "{e}"
        );
        let e = LabelSelector::parse("a=b/c").unwrap_err();
        assert!(
            e.starts_with(
                "unable to parse requirement: values[0][a]: Invalid value: \"b/c\": a valid label must be an empty string"
            ),
            "{e}"
        );
        let e = LabelSelector::parse("a/b/c").unwrap_err();
        assert!(e.starts_with("unable to parse requirement: <nil>: Invalid value: \"a/b/c\": a qualified name must consist"), "{e}");
        let e = LabelSelector::parse("Example.com/a=b").unwrap_err();
        assert!(
            e.contains("prefix part a lowercase RFC 1123 subdomain"),
            "{e}"
        );
        let long = "x".repeat(64);
        let e = LabelSelector::parse(&format!("a={long}")).unwrap_err();
        assert!(e.contains("must be no more than 63 characters"), "{e}");
    }

    #[test]
    fn label_selector_display_and_exact_match() {
        let s = LabelSelector::parse("z in (b,a),!y,x,w!=1,v==2,u=3").unwrap();
        assert_eq!(s.to_string(), "u=3,v==2,w!=1,x,!y,z in (a,b)");
        assert_eq!(s.requires_exact_match("u"), Some("3"));
        assert_eq!(s.requires_exact_match("z"), None);
        assert_eq!(
            LabelSelector::parse("a in (x)")
                .unwrap()
                .requires_exact_match("a"),
            Some("x")
        );
        let set = LabelSelector::from_set([("b", "2"), ("a", "1")]);
        assert_eq!(set.to_string(), "a=1,b=2");
        assert!(set.matches(&labels(json!({"a": "1", "b": "2", "c": "3"}))));
        assert!(!set.matches(&labels(json!({"a": "1"}))));
    }

    #[test]
    fn label_selector_from_metav1_json() {
        let sel = label_selector_from_json(&json!({
            "matchLabels": {"app": "web"},
            "matchExpressions": [
                {"key": "tier", "operator": "In", "values": ["front", "back"]},
                {"key": "canary", "operator": "DoesNotExist"}
            ]
        }))
        .unwrap();
        assert!(sel.matches(&labels(json!({"app": "web", "tier": "front"}))));
        assert!(!sel.matches(&labels(
            json!({"app": "web", "tier": "front", "canary": "1"})
        )));
        assert!(!sel.matches(&labels(json!({"app": "web"}))));
        assert_eq!(sel.to_string(), "app=web,!canary,tier in (back,front)");

        let everything = label_selector_from_json(&json!({})).unwrap();
        assert!(everything.is_empty());
        assert!(everything.matches(&Map::new()));
        let nothing = label_selector_from_json(&Value::Null).unwrap();
        assert!(nothing.matches_nothing() && !nothing.is_empty());
        assert!(!nothing.matches(&Map::new()));

        assert_eq!(
            label_selector_from_json(
                &json!({"matchExpressions": [{"key": "a", "operator": "Equals", "values": ["x"]}]})
            )
            .unwrap_err(),
            "\"Equals\" is not a valid label selector operator"
        );
        assert_eq!(
            label_selector_from_json(
                &json!({"matchExpressions": [{"key": "a", "operator": "In", "values": []}]})
            )
            .unwrap_err(),
            "values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty"
        );
        assert_eq!(
            label_selector_from_json(&json!({"matchExpressions": [{"key": "a", "operator": "Exists", "values": ["x", "y"]}]}))
                .unwrap_err(),
            "values: Invalid value: []string{\"x\", \"y\"}: values set must be empty for exists and does not exist"
        );
        let e = label_selector_from_json(&json!({"matchLabels": {"a b": "x"}})).unwrap_err();
        assert!(
            e.starts_with("key: Invalid value: \"a b\": name part must consist"),
            "{e}"
        );
        let e = label_selector_from_json(&json!({"matchLabels": {"a": "-x-"}})).unwrap_err();
        assert!(
            e.starts_with("values[0][a]: Invalid value: \"-x-\": a valid label"),
            "{e}"
        );
    }

    #[test]
    fn matches_object_reads_metadata_labels() {
        let s = LabelSelector::parse("app=web").unwrap();
        assert!(s.matches_object(&json!({"metadata": {"labels": {"app": "web"}}})));
        assert!(!s.matches_object(&json!({"metadata": {}})));
        assert!(
            LabelSelector::parse("!app")
                .unwrap()
                .matches_object(&json!({}))
        );
    }

    fn pod() -> Value {
        json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "web-1", "namespace": "default"},
            "spec": {"nodeName": "node-a", "restartPolicy": "Always", "schedulerName": "default-scheduler",
                     "serviceAccountName": "default", "containers": []},
            "status": {"phase": "Running", "podIP": "10.0.0.5", "podIPs": [{"ip": "10.0.0.5"}, {"ip": "fd00::5"}]}
        })
    }

    #[test]
    fn field_selector_matches_pods() {
        let p = pod();
        let cases = [
            ("", true),
            ("metadata.name=web-1", true),
            ("metadata.name==web-1", true),
            ("metadata.name!=web-1", false),
            ("metadata.namespace=default,spec.nodeName=node-a", true),
            ("spec.nodeName=node-b", false),
            ("spec.nodeName=", false),
            ("spec.host=node-a", true),
            ("status.phase!=Running", false),
            ("status.phase=Running,spec.restartPolicy=Always", true),
            ("spec.hostNetwork=false", true),
            ("spec.hostNetwork=true", false),
            ("status.podIP=10.0.0.5", true),
            ("status.nominatedNodeName=", true),
            ("spec.schedulerName=default-scheduler", true),
            ("spec.serviceAccountName=default", true),
        ];
        for (sel, want) in cases {
            let s = FieldSelector::parse(sel).unwrap();
            s.check_supported("v1", "Pod").unwrap();
            assert_eq!(s.matches(&p), want, "{sel}");
        }
        let mut unscheduled = pod();
        unscheduled["spec"]
            .as_object_mut()
            .unwrap()
            .remove("nodeName");
        assert!(
            FieldSelector::parse("spec.nodeName=")
                .unwrap()
                .matches(&unscheduled)
        );
        let mut host = pod();
        host["spec"]["hostNetwork"] = json!(true);
        assert!(
            FieldSelector::parse("spec.hostNetwork=true")
                .unwrap()
                .matches(&host)
        );
    }

    #[test]
    fn field_selector_other_kinds() {
        let node =
            json!({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1"}, "spec": {}});
        let s = FieldSelector::parse("spec.unschedulable=false").unwrap();
        s.check_supported("v1", "Node").unwrap();
        assert!(s.matches(&node));

        let secret = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
                            "type": "kubernetes.io/service-account-token"});
        let s = FieldSelector::parse("type=kubernetes.io/service-account-token").unwrap();
        s.check_supported("v1", "Secret").unwrap();
        assert!(s.matches(&secret));

        let ns = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "x"},
                        "status": {"phase": "Terminating"}});
        assert!(
            FieldSelector::parse("status.phase=Terminating")
                .unwrap()
                .matches(&ns)
        );

        let rc = json!({"apiVersion": "v1", "kind": "ReplicationController", "metadata": {"name": "rc"},
                        "status": {}});
        assert!(
            FieldSelector::parse("status.replicas=0")
                .unwrap()
                .matches(&rc)
        );

        let job = json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"},
                         "status": {"succeeded": 2}});
        let s = FieldSelector::parse("status.successful=2").unwrap();
        s.check_supported("batch/v1", "Job").unwrap();
        assert!(s.matches(&job));

        let svc = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
                         "spec": {"type": "ClusterIP", "clusterIP": "10.96.0.1"}});
        let s = FieldSelector::parse("spec.clusterIP=10.96.0.1,spec.type=ClusterIP").unwrap();
        s.check_supported("v1", "Service").unwrap();
        assert!(s.matches(&svc));

        let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "d"}});
        assert!(
            FieldSelector::parse("metadata.namespace=d,metadata.name=c")
                .unwrap()
                .matches(&cm)
        );
    }

    #[test]
    fn field_selector_events_in_both_versions() {
        let core = json!({
            "apiVersion": "v1", "kind": "Event",
            "metadata": {"name": "e", "namespace": "default"},
            "involvedObject": {"kind": "Pod", "name": "web-1", "namespace": "default", "uid": "u1"},
            "reason": "Scheduled", "type": "Normal", "source": {"component": "default-scheduler"},
            "reportingComponent": "default-scheduler"
        });
        let new = json!({
            "apiVersion": "events.k8s.io/v1", "kind": "Event",
            "metadata": {"name": "e", "namespace": "default"},
            "regarding": {"kind": "Pod", "name": "web-1", "namespace": "default", "uid": "u1"},
            "reason": "Scheduled", "type": "Normal", "reportingController": "default-scheduler"
        });
        for obj in [&core, &new] {
            for sel in [
                "involvedObject.kind=Pod,involvedObject.name=web-1",
                "involvedObject.uid=u1",
                "reason=Scheduled,type=Normal",
                "source=default-scheduler",
                "reportingComponent=default-scheduler",
            ] {
                let s = FieldSelector::parse(sel).unwrap();
                s.check_supported("v1", "Event").unwrap();
                assert!(s.matches(obj), "{sel} on {obj}");
            }
            for sel in [
                "regarding.kind=Pod,regarding.name=web-1",
                "reportingController=default-scheduler",
                "source=default-scheduler",
            ] {
                let s = FieldSelector::parse(sel).unwrap();
                s.check_supported("events.k8s.io/v1", "Event").unwrap();
                assert!(s.matches(obj), "{sel} on {obj}");
            }
            assert!(
                !FieldSelector::parse("involvedObject.kind=Node")
                    .unwrap()
                    .matches(obj)
            );
        }
        assert_eq!(
            FieldSelector::parse("involvedObject.kind=Pod")
                .unwrap()
                .check_supported("events.k8s.io/v1", "Event")
                .unwrap_err(),
            "field label not supported: involvedObject.kind"
        );
    }

    #[test]
    fn field_selector_unsupported_messages() {
        let check = |sel: &str, av: &str, kind: &str| {
            FieldSelector::parse(sel)
                .unwrap()
                .check_supported(av, kind)
                .unwrap_err()
        };
        assert_eq!(
            check("spec.bogus=x", "v1", "Pod"),
            "field label not supported: spec.bogus"
        );
        assert_eq!(
            check("message=whatever", "v1", "Event"),
            "field label not supported: message"
        );
        assert_eq!(
            check("metadata.namespace=x", "v1", "Node"),
            "field label not supported: metadata.namespace"
        );
        assert_eq!(
            check("foo.bar=baz", "networking.k8s.io/v1", "Ingress"),
            "\"foo.bar\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\""
        );
        assert_eq!(
            check("status.replicas=0", "apps/v1", "ReplicaSet"),
            "\"status.replicas\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\""
        );
        assert_eq!(
            check("status.succeeded=1", "batch/v1", "Job"),
            "field label \"status.succeeded\" not supported for batchv1.Job"
        );
        // The first unsupported term in upstream's (sorted) order is reported.
        assert_eq!(
            check("zzz=1,aaa=2,metadata.name=x", "v1", "Pod"),
            "field label not supported: aaa"
        );
        FieldSelector::parse("metadata.name=x,metadata.namespace=y")
            .unwrap()
            .check_supported("apps/v1", "Deployment")
            .unwrap();
        FieldSelector::parse("spec.signerName=kubernetes.io/kube-apiserver-client-kubelet")
            .unwrap()
            .check_supported("certificates.k8s.io/v1", "CertificateSigningRequest")
            .unwrap();
    }

    #[test]
    fn field_selector_escapes_and_errors() {
        let s = FieldSelector::parse(r"metadata.name=a\,b\=c\\d").unwrap();
        assert_eq!(s.requirements().len(), 1);
        assert_eq!(s.requirements()[0].value, r"a,b=c\d");
        assert_eq!(s.to_string(), r"metadata.name=a\,b\=c\\d");
        let obj = json!({"metadata": {"name": r"a,b=c\d"}});
        assert!(s.matches(&obj));

        assert_eq!(
            FieldSelector::parse("a").unwrap_err(),
            "invalid selector: 'a'; can't understand 'a'"
        );
        assert_eq!(
            FieldSelector::parse("a=b,c").unwrap_err(),
            "invalid selector: 'a=b,c'; can't understand 'c'"
        );
        assert_eq!(
            FieldSelector::parse(r"a=b\x").unwrap_err(),
            r"invalid field selector: invalid escape sequence: \x"
        );
        assert_eq!(
            FieldSelector::parse(r"a=b\").unwrap_err(),
            r"invalid field selector: invalid escape sequence: \"
        );
        assert_eq!(
            FieldSelector::parse("a=b=c").unwrap_err(),
            "invalid field selector: unescaped character in value: 61"
        );
        // `a==b` is `a` `==` `b`; `a!==b` is `a` `!=` `=b`, which fails to unescape.
        let s = FieldSelector::parse("a==b").unwrap();
        assert_eq!(s.requirements()[0].value, "b");
        assert!(FieldSelector::parse("a!==b").is_err());
        let s = FieldSelector::parse("b=2,,a!=1,").unwrap();
        assert_eq!(s.to_string(), "a!=1,b=2");
        assert!(FieldSelector::parse("").unwrap().is_empty());
        assert!(FieldSelector::parse(",").unwrap().is_empty());
    }

    #[test]
    fn field_selector_name() {
        assert_eq!(
            FieldSelector::parse("metadata.name=web").unwrap().name(),
            Some("web")
        );
        assert_eq!(
            FieldSelector::parse("metadata.name==web").unwrap().name(),
            Some("web")
        );
        assert_eq!(
            FieldSelector::parse("metadata.name!=web").unwrap().name(),
            None
        );
        let two = FieldSelector::parse("metadata.name=web,metadata.namespace=d").unwrap();
        assert_eq!(two.name(), None);
        assert_eq!(two.requires_exact_match("metadata.name"), Some("web"));
        assert_eq!(FieldSelector::parse("").unwrap().name(), None);
    }

    #[test]
    fn go_quote_escapes() {
        assert_eq!(go_quote("a\"b\\c\n\u{1}"), "\"a\\\"b\\\\c\\n\\x01\"");
        assert_eq!(go_quote("héllo"), "\"héllo\"");
    }
}
