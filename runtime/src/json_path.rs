//! Where in a JSON body a decode error happened, as a field path.
//!
//! serde_json reports a failure as a line and column. [`path_at`] walks the
//! body's bytes up to that position and names the place it reached:
//! `works[3].owned_by[0].id`. It runs only when a body failed to decode, and
//! it is not generic, so it costs nothing on the success path and nothing in
//! compile time per response type (tracking the path while decoding, with
//! `serde_path_to_error`, halved decode throughput; BENCHMARKS.md has the
//! measurement).
//!
//! It never panics and never allocates more than the path: any byte
//! sequence, any position, including a body that is not JSON at all.

/// One open container on the way to the position.
enum Frame {
    /// An object, with the key of the member being read, if one was.
    Object { key: Option<String> },
    /// An array, with the index of the element being read, if one started.
    Array { index: usize, started: bool },
}

/// The field path of the value at `line` and `column` (serde_json's
/// 1-based position) in `body`; `None` when the position is outside every
/// container (the body as a whole is at fault) or past the body.
pub(crate) fn path_at(body: &[u8], line: usize, column: usize) -> Option<String> {
    let end = offset_of(body, line, column)?;
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0;
    while i < end {
        let b = body[i];
        match b {
            b'{' => {
                element_starts(&mut stack);
                stack.push(Frame::Object { key: None });
            }
            b'[' => {
                element_starts(&mut stack);
                stack.push(Frame::Array { index: 0, started: false });
            }
            b'}' | b']' => {
                stack.pop();
            }
            b',' => {
                if let Some(Frame::Array { index, started }) = stack.last_mut() {
                    *index += 1;
                    *started = false;
                }
            }
            b'"' => {
                let (text, next) = string_at(body, i + 1, end);
                match stack.last_mut() {
                    // A string in an object is a key unless a `:` came since the last key.
                    Some(Frame::Object { key }) if !after_colon(body, i) => *key = Some(text),
                    _ => element_starts(&mut stack),
                }
                i = next;
                continue;
            }
            b if b.is_ascii_whitespace() || b == b':' => {}
            _ => element_starts(&mut stack),
        }
        i += 1;
    }
    let mut path = String::new();
    for frame in &stack {
        match frame {
            Frame::Object { key: Some(key) } => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
            }
            Frame::Array { index, started: true } => {
                path.push('[');
                path.push_str(&index.to_string());
                path.push(']');
            }
            _ => {}
        }
    }
    (!path.is_empty()).then_some(path)
}

/// Marks the innermost array's current element as started.
fn element_starts(stack: &mut [Frame]) {
    if let Some(Frame::Array { started, .. }) = stack.last_mut() {
        *started = true;
    }
}

/// Whether the last byte before `at` that is not whitespace is a `:`.
fn after_colon(body: &[u8], at: usize) -> bool {
    body[..at].iter().rev().find(|b| !b.is_ascii_whitespace()) == Some(&b':')
}

/// The string starting after its opening quote at `start`, unescaped loosely
/// (escapes are kept as written: the path is for people), and the index
/// after its closing quote (or `end`).
fn string_at(body: &[u8], start: usize, end: usize) -> (String, usize) {
    let mut i = start;
    while i < end {
        match body[i] {
            b'\\' => i += 2,
            b'"' => return (String::from_utf8_lossy(&body[start..i]).into_owned(), i + 1),
            _ => i += 1,
        }
    }
    (String::from_utf8_lossy(&body[start..end.min(body.len())]).into_owned(), end)
}

/// The byte offset just past serde_json's `line`/`column` position, bounded
/// by the body; `None` for line 0 (no position) or a line past the body.
fn offset_of(body: &[u8], line: usize, column: usize) -> Option<usize> {
    if line == 0 {
        return None;
    }
    let mut start = 0;
    for _ in 1..line {
        start += body.get(start..)?.iter().position(|&b| b == b'\n')? + 1;
    }
    Some(start.saturating_add(column).min(body.len()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Page {
        works: Vec<Work>,
        next_cursor: Option<String>,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Work {
        id: String,
        owned_by: Vec<User>,
        priority: Option<u32>,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct User {
        id: String,
        email: Option<String>,
    }

    /// The path of the error decoding `body` into a `Page`.
    fn path_of(body: &str) -> Option<String> {
        let err = serde_json::from_str::<Page>(body).expect_err(body);
        path_at(body.as_bytes(), err.line(), err.column())
    }

    #[test]
    fn names_the_field_at_fault() {
        let ok = r#"{"id":"w0","owned_by":[{"id":"u0"}]}"#;
        assert_eq!(
            path_of(&format!(r#"{{"works":[{ok},{ok},{ok},{{"id":"w3","owned_by":[{{"id":7}}]}}]}}"#)).as_deref(),
            Some("works[3].owned_by[0].id")
        );
        assert_eq!(
            path_of(r#"{"works":[{"id":"w0","owned_by":[{"id":"u","email":"a@b"},{"id":"u","email":5}]}]}"#).as_deref(),
            Some("works[0].owned_by[1].email")
        );
        assert_eq!(
            path_of(r#"{"works":[{"id":"w0","owned_by":[],"priority":"ada@example.com"}]}"#).as_deref(),
            Some("works[0].priority")
        );
        // A missing field: the object that lacks it.
        assert_eq!(path_of(r#"{"works":[{"id":"w0","owned_by":[]},{"owned_by":[]}]}"#).as_deref(), Some("works[1]"));
        assert_eq!(path_of(r#"{"works":"all of them"}"#).as_deref(), Some("works"));
        assert_eq!(path_of(r#"{"works":[],"next_cursor":{"a":1}}"#).as_deref(), Some("next_cursor"));
    }

    #[test]
    fn strings_holding_json_punctuation_do_not_confuse_it() {
        let body = r#"{"works":[{"id":"a,b]}[{\"x\":","owned_by":[{"id":"u:1,[2]"}],"priority":-1}]}"#;
        assert_eq!(path_of(body).as_deref(), Some("works[0].priority"));
        let pretty = "{\n  \"works\": [\n    {\n      \"id\": \"w\",\n      \"owned_by\": [],\n      \"priority\": true\n    }\n  ]\n}";
        assert_eq!(path_of(pretty).as_deref(), Some("works[0].priority"));
    }

    #[test]
    fn the_body_as_a_whole_has_no_path() {
        assert_eq!(path_of("<html>"), None);
        assert_eq!(path_of(r#""a string""#), None);
        assert_eq!(path_of("42"), None);
        // serde reads a struct from an array too: then the element is at fault.
        assert_eq!(path_of("[1,2]").as_deref(), Some("[0]"));
        assert_eq!(path_of(r#"{"works":[]} trailing"#), None);
        assert_eq!(path_at(b"{}", 0, 0), None);
        assert_eq!(path_at(b"{}", 9, 1), None);
    }

    #[test]
    fn any_bytes_and_position_are_safe() {
        let bodies: [&[u8]; 6] = [b"", b"\"", b"{\"a\":\"\\", b"[[[[", b"}}]]", &[0xff, b'"', 0xfe, b':', b'[']];
        for body in bodies {
            for line in 0..4 {
                for column in [0, 1, 2, 5, usize::MAX] {
                    let _ = path_at(body, line, column);
                }
            }
        }
    }
}
