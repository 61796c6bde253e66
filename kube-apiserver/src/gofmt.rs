//! Go's text and JSON formatting, as upstream's messages and encodings print values.
//!
//! Upstream writes its error messages with `fmt` and its JSON with `encoding/json` or
//! json-iterator; clients and tests compare those strings byte for byte. Here is one copy of
//! each piece the modules share:
//! - [`quote`], [`quote_graphic`]: `%q` (`strconv.Quote`), with two approximations of
//!   `unicode.IsPrint` (see each);
//! - [`Num`] and [`num`]: a decoded JSON number as Go holds it (int64 when it fits, float64
//!   otherwise, as the unstructured decoder does), printed with `%v` by its `Display`;
//!   [`float_v`] (`%v` of a float64) and [`float_json`] (encoding/json's float64);
//! - [`json`], [`json_string`] and their `write_` forms: decoded JSON marshalled with map keys
//!   sorted, in the string escaping of one of three encoders ([`Json`]);
//! - [`json_type`]: the JSON kinds encoding/json names in `UnmarshalTypeError`s.
//!
//! Not done here: `%v` / `%#v` of composite values and Go type names (they depend on the Go
//! type a caller decodes into, so they stay with the callers); `%q`'s flags and
//! `strconv.QuoteToASCII`; invalid UTF-8 (a Rust string has none); Go's Unicode tables:
//! [`is_print`] knows the control, white-space and common format characters, and takes
//! unassigned code points for printable. Numbers are written as encoding/json writes them in
//! every [`Json`] dialect: json-iterator's `WriteFloat64` would write `1e-07` where this (and
//! encoding/json) writes `1e-7`.

use std::fmt::{self, Write as _};

use serde_json::{Number, Value};

// ---------------------------------------------------------------------------------------------
// `%q`

/// An approximation of Go's `unicode.IsPrint`: graphic characters and the ASCII space. Other
/// white space, control characters, the soft hyphen and the zero-width, bidi and BOM format
/// characters are not printable.
pub fn is_print(c: char) -> bool {
    c == ' '
        || !(c.is_control()
            || c.is_whitespace()
            || matches!(c as u32, 0xAD | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064 | 0xFEFF))
}

/// Go's `%q` treating every character but the control characters (C0, DEL, C1) as printable:
/// what the field-error messages of `crd_schema` and `selectors` (and `validation`'s own copy)
/// print.
pub fn quote(s: &str) -> String {
    quote_with(s, |c| !c.is_control())
}

/// Go's `%q` of a `[]string`: `["a" "b"]`.
pub fn quote_list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| quote(s)).collect();
    format!("[{}]", quoted.join(" "))
}

/// Go's `%q` with [`is_print`] deciding what is printable, so that e.g. U+00A0 and U+200B are
/// escaped as `strconv.Quote` does: what structured-merge-diff's messages print
/// (`managed_fields`).
pub fn quote_graphic(s: &str) -> String {
    quote_with(s, is_print)
}

fn quote_with(s: &str, printable: fn(char) -> bool) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if printable(c) => out.push(c),
            c if (c as u32) < 0x80 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if (c as u32) < 0x10000 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => {
                let _ = write!(out, "\\U{:08x}", c as u32);
            }
        }
    }
    out.push('"');
    out
}

// ---------------------------------------------------------------------------------------------
// Numbers

/// A JSON number as Go's unstructured decoding holds it: `int64` when it is an integer that
/// fits, `float64` otherwise. `Display` is Go's `%v`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Num {
    Int(i64),
    Float(f64),
}

/// The Go number a JSON number decodes to.
pub fn num(n: &Number) -> Num {
    match n.as_i64() {
        Some(i) => Num::Int(i),
        None => Num::Float(n.as_f64().unwrap_or(0.0)),
    }
}

impl Num {
    /// The number as a float64 (what Go's numeric comparisons across int and float use).
    pub fn as_f64(self) -> f64 {
        match self {
            Num::Int(i) => i as f64,
            Num::Float(f) => f,
        }
    }
}

impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Num::Int(i) => write!(f, "{i}"),
            Num::Float(x) => f.write_str(&float_v(x)),
        }
    }
}

/// The shortest decimal digits of `f` (finite, not zero) and the position of the decimal point.
fn float_digits(f: f64) -> (String, i32) {
    let s = format!("{:e}", f.abs());
    let (mant, exp) = s.split_once('e').unwrap_or((s.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mant.chars().filter(char::is_ascii_digit).collect();
    (digits, exp + 1)
}

/// strconv's `'e'` format of shortest digits: `d.ddde±XX`, at least two exponent digits.
fn fmt_e(neg: bool, digits: &str, dp: i32) -> String {
    let mut s = String::new();
    if neg {
        s.push('-');
    }
    s.push_str(&digits[..1]);
    if digits.len() > 1 {
        s.push('.');
        s.push_str(&digits[1..]);
    }
    let exp = dp - 1;
    let _ = write!(
        s,
        "e{}{:02}",
        if exp < 0 { '-' } else { '+' },
        exp.unsigned_abs()
    );
    s
}

/// strconv's `'f'` format of shortest digits.
fn fmt_f(neg: bool, digits: &str, dp: i32) -> String {
    let mut s = String::new();
    if neg {
        s.push('-');
    }
    if dp <= 0 {
        s.push_str("0.");
        for _ in 0..(-dp) {
            s.push('0');
        }
        s.push_str(digits);
    } else {
        let dpu = dp as usize;
        if digits.len() <= dpu {
            s.push_str(digits);
            for _ in digits.len()..dpu {
                s.push('0');
            }
        } else {
            s.push_str(&digits[..dpu]);
            s.push('.');
            s.push_str(&digits[dpu..]);
        }
    }
    s
}

fn special_float(f: f64) -> Option<String> {
    if f.is_nan() {
        Some("NaN".into())
    } else if f.is_infinite() {
        Some(if f > 0.0 { "+Inf" } else { "-Inf" }.into())
    } else if f == 0.0 {
        Some(if f.is_sign_negative() { "-0" } else { "0" }.into())
    } else {
        None
    }
}

/// Go's `%v` of a float64 (strconv `'g'`, shortest): the exponent form below 1e-4 and from
/// 1e6 (`1e-05`, `1e+06`).
pub fn float_v(f: f64) -> String {
    if let Some(s) = special_float(f) {
        return s;
    }
    let (digits, dp) = float_digits(f);
    if !(-4..6).contains(&(dp - 1)) {
        fmt_e(f < 0.0, &digits, dp)
    } else {
        fmt_f(f < 0.0, &digits, dp)
    }
}

/// encoding/json's float64: `'f'` in [1e-6, 1e21), `'e'` outside with `e-07` shortened to
/// `e-7`.
pub fn float_json(f: f64) -> String {
    if let Some(s) = special_float(f) {
        return s;
    }
    let (digits, dp) = float_digits(f);
    if !(1e-6..1e21).contains(&f.abs()) {
        let mut s = fmt_e(f < 0.0, &digits, dp);
        let n = s.len();
        if s[..n - 1].ends_with("e-0") {
            s.remove(n - 2);
        }
        s
    } else {
        fmt_f(f < 0.0, &digits, dp)
    }
}

// ---------------------------------------------------------------------------------------------
// JSON

/// The upstream encoder whose string escaping [`write_json_string`] mirrors. All three escape
/// `"`, `\`, `\n`, `\r`, `\t` and write the other control characters as `\u00XX`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Json {
    /// encoding/json (`json.Marshal`) since Go 1.22: HTML-safe (`<`, `>`, `&` as `\u003c`,
    /// `\u003e`, `\u0026`), U+2028 and U+2029 escaped, U+0008 and U+000C as `\b` and `\f`.
    /// Upstream 1.33 is built with a Go this recent (`conversion`'s annotations).
    Go,
    /// encoding/json before Go 1.22: as [`Json::Go`], but U+0008 and U+000C as `\u0008` and
    /// `\u000c`. What `managed_fields` (annotations, manager names) and `crd_schema` (messages)
    /// have always written, kept as it is; upstream 1.33 (Go 1.24) writes `\b` and `\f` there.
    GoBefore122,
    /// json-iterator's `Stream.WriteString`, which structured-merge-diff writes `fieldsV1` keys
    /// with: no HTML escaping, U+2028 and U+2029 as they are, U+0008 as `\u0008`.
    Jsoniter,
}

/// `s` as a JSON string in `dialect`'s escaping.
pub fn json_string(s: &str, dialect: Json) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    write_json_string(&mut out, s, dialect);
    out
}

/// Appends `s` as a JSON string in `dialect`'s escaping.
pub fn write_json_string(out: &mut String, s: &str, dialect: Json) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' if dialect == Json::Go => out.push_str("\\b"),
            '\u{c}' if dialect == Json::Go => out.push_str("\\f"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' if dialect != Json::Jsoniter => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Decoded JSON marshalled as Go marshals the `interface{}` it decodes to: map keys sorted
/// (bytewise), numbers as [`num`] types them ([`float_json`] for float64), no white space.
pub fn json(v: &Value, dialect: Json) -> String {
    let mut out = String::new();
    write_json(&mut out, v, dialect);
    out
}

/// Appends [`json`] of `v`.
pub fn write_json(out: &mut String, v: &Value, dialect: Json) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => match num(n) {
            Num::Int(i) => {
                let _ = write!(out, "{i}");
            }
            Num::Float(f) => out.push_str(&float_json(f)),
        },
        Value::String(s) => write_json_string(out, s, dialect),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(out, item, dialect);
            }
            out.push(']');
        }
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json_string(out, key, dialect);
                out.push(':');
                write_json(out, &m[key], dialect);
            }
            out.push('}');
        }
    }
}

/// The name encoding/json gives a JSON value's kind in `json: cannot unmarshal <kind> into Go
/// value of type ...`.
pub fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn quote_variants_differ_on_what_is_printable() {
        let s = "a\"\\\u{7}\u{8}\u{c}\n\r\t\u{b}\u{1}\u{7f}é";
        let common = "\"a\\\"\\\\\\a\\b\\f\\n\\r\\t\\v\\x01\\x7fé\"";
        assert_eq!(quote(s), common);
        assert_eq!(quote_graphic(s), common);
        // C1 controls are escaped by both.
        assert_eq!(quote("\u{85}"), "\"\\u0085\"");
        assert_eq!(quote_graphic("\u{85}"), "\"\\u0085\"");
        // Non-ASCII spaces and format characters only by the `unicode.IsPrint` one.
        let s = "x\u{a0}\u{ad}\u{200b}\u{2028}\u{feff}";
        assert_eq!(quote(s), format!("\"{s}\""));
        assert_eq!(quote_graphic(s), "\"x\\u00a0\\u00ad\\u200b\\u2028\\ufeff\"");
        assert!(is_print(' ') && is_print('é') && is_print('😀'));
        assert!(!is_print('\u{3000}') && !is_print('\u{202e}') && !is_print('\t'));
    }

    #[test]
    fn floats_as_go_prints_them() {
        for (f, v, j) in [
            (0.0, "0", "0"),
            (-0.0, "-0", "-0"),
            (1e-4, "0.0001", "0.0001"),
            (1e-5, "1e-05", "0.00001"),
            (1e-7, "1e-07", "1e-7"),
            (-1.25e-10, "-1.25e-10", "-1.25e-10"),
            (1e6, "1e+06", "1000000"),
            (123456.5, "123456.5", "123456.5"),
            (1e20, "1e+20", "100000000000000000000"),
            (1e21, "1e+21", "1e+21"),
            (1.5e300, "1.5e+300", "1.5e+300"),
            (f64::NAN, "NaN", "NaN"),
            (f64::NEG_INFINITY, "-Inf", "-Inf"),
        ] {
            assert_eq!((float_v(f), float_json(f)), (v.into(), j.into()), "{f}");
        }
        let n = |v: Value| num(v.as_number().unwrap());
        assert_eq!(n(json!(7)), Num::Int(7));
        assert_eq!(n(json!(7.0)), Num::Float(7.0));
        assert_eq!(n(json!(u64::MAX)), Num::Float(1.8446744073709552e19));
        assert_eq!(n(json!(2.5e6)).to_string(), "2.5e+06");
        assert_eq!(n(json!(-3)).to_string(), "-3");
        assert_eq!(Num::Int(3).as_f64(), 3.0);
    }

    #[test]
    fn json_dialects_differ_in_escaping() {
        let s = "<a&b>\u{8}\u{c}\u{1}\u{2028}\u{2029}\"\\\n\r\t\u{7f}é";
        let tail = "\\\"\\\\\\n\\r\\t\u{7f}é\"";
        assert_eq!(
            json_string(s, Json::Go),
            format!("\"\\u003ca\\u0026b\\u003e\\b\\f\\u0001\\u2028\\u2029{tail}")
        );
        assert_eq!(
            json_string(s, Json::GoBefore122),
            format!("\"\\u003ca\\u0026b\\u003e\\u0008\\u000c\\u0001\\u2028\\u2029{tail}")
        );
        assert_eq!(
            json_string(s, Json::Jsoniter),
            format!("\"<a&b>\\u0008\\u000c\\u0001\u{2028}\u{2029}{tail}")
        );
    }

    #[test]
    fn json_sorts_keys_and_writes_go_numbers() {
        let v = json!({"b": [1, 1.0, 1e-7, 1e21, -0.0, u64::MAX], "a": {"<": null, "z": true}, "A": "x"});
        let want = "{\"A\":\"x\",\"a\":{\"<\":null,\"z\":true},\"b\":[1,1,1e-7,1e+21,-0,18446744073709552000]}";
        assert_eq!(json(&v, Json::Jsoniter), want);
        assert_eq!(json(&v, Json::Go), want.replace('<', "\\u003c"));
        assert_eq!(json(&v, Json::GoBefore122), json(&v, Json::Go));
        let mut out = String::from("x=");
        write_json(&mut out, &json!(["\u{8}"]), Json::Go);
        assert_eq!(out, "x=[\"\\b\"]");
    }

    #[test]
    fn json_types() {
        let kinds: Vec<&str> = [
            json!(null),
            json!(true),
            json!(1.5),
            json!(""),
            json!([]),
            json!({}),
        ]
        .iter()
        .map(json_type)
        .collect();
        assert_eq!(
            kinds,
            ["null", "bool", "number", "string", "array", "object"]
        );
    }
}
