//! Reading a JSON request body so that every error names the field the user wrote.
//!
//! serde_json reports a syntax error by line and column only, and a path tracker
//! such as serde_path_to_error knows the path only while a value is being read: in
//! `{"seed": 1 2}` the value `1` is complete when the `2` is found, so the path is
//! already back at the top and the field would be "". So on any parse error,
//! [`locate`] re-reads the text up to the error's position with a small scanner
//! that tracks the open objects and arrays, and names the key whose value (or whose
//! name) was being read there: `seed`, or `base.seed` inside an experiment plan,
//! `vary.schedule[1]` inside a list. The scanner never fails: on text that is not
//! JSON it still answers the innermost key it saw.

use serde_json::{Map, Value};

/// A body that is not a JSON object: the path of the key at fault (empty when the
/// body is not an object at all) and what is wrong.
#[derive(Clone, Debug, PartialEq)]
pub struct BodyError {
    /// The path of the key, as the user wrote it (`seed`, `base.seed`, `vary.n[2]`).
    pub path: Vec<Segment>,
    /// What is wrong, from serde_json, with the position.
    pub message: String,
}

/// One step of a path: an object's key or an array's index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    /// A key of an object, as written (unescaped).
    Key(String),
    /// A position in an array, from 0.
    Index(usize),
}

impl BodyError {
    /// The path as text: `base.seed`, `vary.n[2]` (empty for no path).
    pub fn field(&self) -> String {
        field_text(&self.path)
    }

    /// The first key only (a flat body of parameters names its parameter).
    pub fn top_field(&self) -> String {
        field_text(&self.path[..self.path.len().min(1)])
    }
}

/// The path `base.seed`, `vary.n[2]`.
pub fn field_text(path: &[Segment]) -> String {
    let mut out = String::new();
    for segment in path {
        match segment {
            Segment::Key(key) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Segment::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// Read `body` as a JSON object; an error carries the path of the key it sits in.
pub fn parse_object(body: &[u8]) -> Result<Map<String, Value>, BodyError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(BodyError {
            path: Vec::new(),
            message: format!("must be a JSON object, not {}", kind_of(&other)),
        }),
        Err(e) => {
            // serde_json's column is 1-based and points at the offending byte (or just
            // past the end): scan the text before it.
            let offset = byte_offset(body, e.line(), e.column().saturating_sub(1));
            Err(BodyError { path: locate(body, offset), message: describe(&e) })
        }
    }
}

/// What a parse error means, in words a user can act on.
fn describe(e: &serde_json::Error) -> String {
    let text = e.to_string();
    if text.starts_with("number out of range") {
        format!("not a number JSON can carry (too large): {text}")
    } else if e.is_eof() {
        format!("the body ends inside this value (a missing quote, bracket or brace?): {text}")
    } else {
        format!("not a valid JSON value (numbers must be finite, NaN is not JSON): {text}")
    }
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The byte offset of serde_json's 1-based line and column (column 0: the line's start).
fn byte_offset(body: &[u8], line: usize, column: usize) -> usize {
    let mut start = 0;
    for _ in 1..line {
        match body[start..].iter().position(|&b| b == b'\n') {
            Some(n) => start += n + 1,
            None => return body.len(),
        }
    }
    (start + column).min(body.len())
}

/// An open container while scanning.
enum Open {
    /// An object: the key being read or whose value is being read, if any yet.
    Object(Option<String>),
    /// An array: the index of the element being read.
    Array(usize),
}

/// The path of the key being read at byte `offset` of `text`: the key whose value
/// contains the offset, or whose name does (a cut-off key, or one not in double
/// quotes), or the last key before it; past the object's end, its last key.
pub fn locate(text: &[u8], offset: usize) -> Vec<Segment> {
    let end = offset.min(text.len());
    let mut open: Vec<Open> = Vec::new();
    // Whether the next string in the innermost object is a key (not yet past its ':').
    let mut expecting_key = false;
    // The last top-level key, for text after the object's end (`{"seed": 1}, "n": 2}`).
    let mut last_top: Option<String> = None;
    let mut i = 0;
    while i < end {
        match text[i] {
            b'{' => {
                open.push(Open::Object(None));
                expecting_key = true;
            }
            b'[' => {
                open.push(Open::Array(0));
                expecting_key = false;
            }
            b'}' | b']' => {
                if open.len() == 1
                    && let Some(Open::Object(Some(key))) = open.first()
                {
                    last_top = Some(key.clone());
                }
                open.pop();
                expecting_key = false;
            }
            b':' => expecting_key = false,
            b',' => match open.last_mut() {
                Some(Open::Array(index)) => *index += 1,
                Some(Open::Object(_)) => expecting_key = true,
                None => {}
            },
            b'"' => {
                // A key is read to its end even past the error (an error inside the
                // key still names all of it); a value only as far as the error.
                let key = expecting_key && matches!(open.last(), Some(Open::Object(_)));
                let (string, next) = read_string(text, i + 1, if key { text.len() } else { end });
                if key && let Some(Open::Object(slot)) = open.last_mut() {
                    *slot = Some(string);
                    expecting_key = false;
                }
                i = next;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    if open.is_empty() {
        return last_top.map(Segment::Key).into_iter().collect();
    }
    // A key without double quotes where a key was due (`seed: 1`): serde_json stops
    // at its first byte.
    if expecting_key
        && matches!(open.last(), Some(Open::Object(_)))
        && text.get(end).is_some_and(|b| !matches!(b, b'"' | b'}' | b',' | b' ' | b'\t' | b'\r' | b'\n'))
    {
        let word_end = text[end..]
            .iter()
            .position(|b| matches!(b, b':' | b',' | b'}' | b' ' | b'\t' | b'\r' | b'\n'))
            .map_or(text.len(), |n| end + n);
        if let Some(Open::Object(slot)) = open.last_mut() {
            *slot = Some(String::from_utf8_lossy(&text[end..word_end]).trim_matches('\'').to_string());
        }
    }
    let mut path = Vec::new();
    for container in open {
        match container {
            Open::Object(Some(key)) => path.push(Segment::Key(key)),
            Open::Object(None) => break,
            Open::Array(index) => path.push(Segment::Index(index)),
        }
    }
    path
}

/// The string starting after its opening quote at `from`, unescaped as far as it
/// goes before `end`, and the offset after its closing quote.
fn read_string(text: &[u8], from: usize, end: usize) -> (String, usize) {
    let mut bytes = Vec::new();
    let mut i = from;
    while i < end {
        match text[i] {
            b'"' => return (String::from_utf8_lossy(&bytes).into_owned(), i + 1),
            b'\\' if i + 1 < end => {
                let escaped = text[i + 1];
                match escaped {
                    b'n' => bytes.push(b'\n'),
                    b't' => bytes.push(b'\t'),
                    b'r' => bytes.push(b'\r'),
                    b'b' => bytes.push(8),
                    b'f' => bytes.push(12),
                    b'u' => {
                        let hex = text.get(i + 2..(i + 6).min(end)).unwrap_or_default();
                        let code =
                            std::str::from_utf8(hex).ok().and_then(|h| u32::from_str_radix(h, 16).ok());
                        if let Some(c) = code.and_then(char::from_u32) {
                            bytes.extend_from_slice(c.to_string().as_bytes());
                        }
                        i += 4;
                    }
                    b'"' | b'\\' | b'/' => bytes.push(escaped),
                    // Not an escape JSON knows: kept as written.
                    other => bytes.extend_from_slice(&[b'\\', other]),
                }
                i += 2;
            }
            byte => {
                bytes.push(byte);
                i += 1;
            }
        }
    }
    (String::from_utf8_lossy(&bytes).into_owned(), end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(body: &str) -> String {
        parse_object(body.as_bytes()).expect_err(body).field()
    }

    #[test]
    fn a_syntax_error_after_a_complete_value_names_its_key() {
        assert_eq!(field_of(r#"{"seed": 1 2}"#), "seed");
        assert_eq!(field_of(r#"{"problem": "tsp", "seed": 1 2, "n": 3}"#), "seed");
    }

    #[test]
    fn a_broken_value_names_its_key() {
        assert_eq!(field_of(r#"{"a": 1, "initial_temp": NaN}"#), "initial_temp");
        assert_eq!(field_of(r#"{"a": 1, "initial_temp": 1e999}"#), "initial_temp");
        assert_eq!(field_of(r#"{"a": 1, "schedule": tru, "b": 2}"#), "schedule");
        assert_eq!(field_of(r#"{"a": 1, "formula": "C4H10}"#), "formula");
        assert_eq!(field_of(r#"{"a": 1, "weights": {"wiener": 1,}}"#), "weights.wiener");
        assert_eq!(field_of("{\"a\": 1,\n \"seed\": [1,\n 2 3]}"), "seed[1]");
    }

    #[test]
    fn nested_keys_are_named_with_their_path() {
        assert_eq!(field_of(r#"{"base": {"problem": "tsp", "seed": 1 2}}"#), "base.seed");
        assert_eq!(field_of(r#"{"vary": {"n": [1, 2, x]}}"#), "vary.n[2]");
        let e = parse_object(br#"{"base": {"seed": 1 2}}"#).unwrap_err();
        assert_eq!(e.top_field(), "base");
    }

    #[test]
    fn escaped_keys_are_named_as_written() {
        assert_eq!(field_of(r#"{"se\"ed": 1 2}"#), "se\"ed");
        assert_eq!(field_of(r#"{"s\u0065ed": 1 2}"#), "seed");
    }

    #[test]
    fn a_key_without_double_quotes_is_named_as_written() {
        assert_eq!(field_of(r#"{"a": 1, seed: 2}"#), "seed");
        assert_eq!(field_of(r#"{seed: 2}"#), "seed");
        assert_eq!(field_of(r#"{"a": 1, 'seed': 2}"#), "seed");
        assert_eq!(field_of(r#"{"a": 1, "se\qed": 2}"#), "se\\qed");
    }

    #[test]
    fn text_after_the_object_names_the_last_key() {
        assert_eq!(field_of(r#"{"a": 1, "seed": 1}, "n": 2}"#), "seed");
        assert_eq!(field_of(r#"{"a": 1, "seed": 1], "n": 2}"#), "seed");
    }

    #[test]
    fn a_cut_off_key_is_named_as_far_as_it_goes() {
        assert_eq!(field_of(r#"{"seed": 1, "steps_per"#), "steps_per");
    }

    #[test]
    fn a_body_that_is_not_an_object_has_no_field() {
        assert_eq!(field_of("[1, 2]"), "");
        assert_eq!(field_of(""), "");
        assert_eq!(field_of("{"), "");
        assert!(parse_object(b"[1]").unwrap_err().message.contains("an array"));
    }
}
