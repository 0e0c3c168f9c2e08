//! A quick read of the lines most events are: one flat JSON object whose values are
//! integers, plain strings, booleans or null (`{"t":5,"pid":7,"w":1,"op":"object","o":3,
//! "name":"lock","kind":"lock"}`). serde_json would build a map of them (an ordered map: a
//! hash per key, a string per key and value), about 0.8 µs a line; this reads the fields in
//! place, keys borrowed from the line, in a fraction of that.
//!
//! Anything else (nested values, escapes in a string, a fraction, bad JSON) is not read
//! here: [`parse`] says None and the caller reads the line with serde_json, which also gives
//! the words for what is wrong. So a line means the same whichever way it was read.

use serde_json::{Number, Value};

/// A line's fields, in order. Looked up from the end: a key given twice means its last
/// value, as serde_json reads it.
pub struct Flat<'a>(Vec<(&'a str, Value)>);

impl<'a> Flat<'a> {
    pub fn get(&self, k: &str) -> Option<&Value> {
        self.0.iter().rev().find(|(n, _)| *n == k).map(|(_, v)| v)
    }

    pub fn has(&self, k: &str) -> bool {
        self.0.iter().any(|(n, _)| *n == k)
    }
}

/// The fields of `text` (trimmed), if it is a flat object this reads (see the module doc).
pub fn parse(text: &str) -> Option<Flat<'_>> {
    let b = text.as_bytes();
    let mut at = skip_ws(b, 0);
    if b.get(at) != Some(&b'{') {
        return None;
    }
    at = skip_ws(b, at + 1);
    let mut fields = Vec::with_capacity(10);
    if b.get(at) == Some(&b'}') {
        return (skip_ws(b, at + 1) == b.len()).then_some(Flat(fields));
    }
    loop {
        let (key, next) = plain_string(text, at)?;
        at = skip_ws(b, next);
        if b.get(at) != Some(&b':') {
            return None;
        }
        let (value, next) = scalar(text, skip_ws(b, at + 1))?;
        fields.push((key, value));
        at = skip_ws(b, next);
        match b.get(at) {
            Some(b',') => at = skip_ws(b, at + 1),
            Some(b'}') => break,
            _ => return None,
        }
    }
    (skip_ws(b, at + 1) == b.len()).then_some(Flat(fields))
}

fn skip_ws(b: &[u8], mut at: usize) -> usize {
    while matches!(b.get(at), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        at += 1;
    }
    at
}

/// A string with no escapes at `at`: its text and where it ends.
fn plain_string(text: &str, at: usize) -> Option<(&str, usize)> {
    let b = text.as_bytes();
    if b.get(at) != Some(&b'"') {
        return None;
    }
    let len = b[at + 1..]
        .iter()
        .position(|&c| c == b'"' || c == b'\\' || c < 0x20)?;
    let end = at + 1 + len;
    (b[end] == b'"').then(|| (&text[at + 1..end], end + 1))
}

/// A string, an integer, a boolean or null at `at`: its value and where it ends.
fn scalar(text: &str, at: usize) -> Option<(Value, usize)> {
    let b = text.as_bytes();
    match b.get(at)? {
        b'"' => plain_string(text, at).map(|(s, end)| (Value::String(s.to_owned()), end)),
        b't' => word(b, at, b"true", Value::Bool(true)),
        b'f' => word(b, at, b"false", Value::Bool(false)),
        b'n' => word(b, at, b"null", Value::Null),
        b'-' | b'0'..=b'9' => integer(text, at),
        _ => None,
    }
}

fn word(b: &[u8], at: usize, w: &[u8], v: Value) -> Option<(Value, usize)> {
    b[at..].starts_with(w).then_some((v, at + w.len()))
}

/// An integer as JSON writes it (no leading zeros, no fraction or exponent, not -0, which
/// serde_json reads as a float: those are serde_json's to read).
fn integer(text: &str, at: usize) -> Option<(Value, usize)> {
    let b = text.as_bytes();
    let digits_at = at + usize::from(b[at] == b'-');
    let len = b[digits_at..]
        .iter()
        .position(|c| !c.is_ascii_digit())
        .unwrap_or(b.len() - digits_at);
    let end = digits_at + len;
    let leading_zero = len > 1 && b[digits_at] == b'0';
    let minus_zero = digits_at > at && &text[digits_at..end] == "0";
    if len == 0 || leading_zero || minus_zero || matches!(b.get(end), Some(b'.' | b'e' | b'E')) {
        return None;
    }
    let s = &text[at..end];
    let n = if digits_at > at {
        Number::from(s.parse::<i64>().ok()?)
    } else {
        Number::from(s.parse::<u64>().ok()?)
    };
    Some((Value::Number(n), end))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What serde_json reads, as (key, value) pairs, last value of a key winning.
    fn serde(text: &str) -> Option<serde_json::Map<String, Value>> {
        match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(m)) => Some(m),
            _ => None,
        }
    }

    fn agrees(text: &str) {
        let Some(flat) = parse(text) else {
            return;
        };
        let m = serde(text).unwrap_or_else(|| panic!("read here but not by serde_json: {text}"));
        for (k, v) in &m {
            assert_eq!(flat.get(k), Some(v), "{text}: field {k}");
        }
        assert!(flat.0.iter().all(|(k, _)| m.contains_key(*k)), "{text}");
    }

    #[test]
    fn the_common_lines_are_read_here_as_serde_json_reads_them() {
        let lines = [
            r#"{"t":5,"pid":7,"w":1,"op":"object","o":3,"opid":7,"name":"lock-2","kind":"lock"}"#,
            r#"{"t":1,"pid":2,"w":0,"op":"acquire_end","o":1,"ok":true,"depth":null}"#,
            r#" { "t" : 1 , "w" : -3 , "x" : false } "#,
            r#"{}"#,
            r#"{"w":1,"w":2}"#,
            r#"{"n":18446744073709551615,"m":-9223372036854775808}"#,
        ];
        for l in lines {
            assert!(parse(l).is_some(), "{l}");
            agrees(l);
        }
        assert_eq!(
            parse(r#"{"w":1,"w":2}"#).unwrap().get("w"),
            Some(&Value::from(2))
        );
    }

    #[test]
    fn anything_else_is_left_to_serde_json() {
        let lines = [
            r#"{"item":"a \"quoted\" word"}"#,
            r#"{"data":{"x":1}}"#,
            r#"{"v":[1,2]}"#,
            r#"{"v":1.5}"#,
            r#"{"v":1e3}"#,
            r#"{"v":01}"#,
            r#"{"v":-0}"#,
            r#"{"v":18446744073709551616}"#,
            r#"{"v":1,}"#,
            r#"{"v":1} x"#,
            r#"{"v":tru}"#,
            r#"["v"]"#,
            r#"{"v":"tab	inside"}"#,
            "",
        ];
        for l in lines {
            assert!(parse(l).is_none(), "{l}");
        }
    }

    proptest! {
        /// Whatever this reads, serde_json reads the same.
        #[test]
        fn never_disagrees_with_serde_json(text in r#"\{("[a-z]{1,3}":(-?[0-9]{1,3}|"[a-z \\"]{0,4}"|true|null|\{\}),?){0,4}\}"#) {
            agrees(&text);
        }
    }
}
