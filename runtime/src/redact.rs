//! Redaction: the one marker a secret prints as, and the scrubbing of a
//! secret out of text that came back from a server.
//!
//! Every secret of this crate prints as one marker, [`REDACTED`]
//! (`<redacted>`): a secret type in `Debug` wraps it in its name, as a
//! derived `Debug` would wrap the value (`Token(<redacted>)`,
//! `Secret(<redacted>)`, and in the facade `WebhookSecret(<redacted>)`), so a
//! model's `Debug` still says which type the field holds; `Display`, where a
//! type has one, is the marker alone; a secret field of another type prints
//! the bare marker (the token in the client's builder); and text a server or
//! proxy echoed the token in has the token replaced by it. Angle brackets
//! cannot be part of a bearer token (RFC 6750's `b64token`), and the marker
//! is never quoted, so it does not read as a string value, let alone the
//! secret; and one form is one thing to grep a log for.
//!
//! This module imports nothing of the crate: the error model, the client and
//! the transport all use it, so it sits below them.

use std::borrow::Cow;
use std::fmt;

use reqwest::header::{HeaderMap, HeaderValue};

/// What a secret prints as, wherever it would have been printed.
pub(crate) const REDACTED: &str = "<redacted>";

/// Prints [`REDACTED`] in `Debug` (without the quotes a `&str` would get),
/// for a secret field of a type that is not itself a secret type.
pub(crate) struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

/// Below this length a token is redacted only where it stands as a whole
/// token, between bytes that cannot belong to one; from it on, wherever it
/// occurs. A real DevRev token (a JWT, hundreds of bytes) is always scrubbed
/// everywhere, even glued to other text; a short test token (`"x"`,
/// `"test"`) no longer turns `expected a string` into
/// `e<redacted>pected a string`.
pub(crate) const WHOLE_TOKEN_BELOW: usize = 16;

/// A byte that can be part of a bearer token (RFC 6750's `b64token`, less
/// the trailing `=` padding, which reads as a separator in `key=token`).
fn token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/')
}

/// The offsets where `secret` is to be redacted in `text`: every occurrence
/// of a real-length secret, only whole-token ones of a short secret.
fn secret_matches(text: &[u8], secret: &[u8]) -> Vec<usize> {
    let mut found = Vec::new();
    if secret.is_empty() || text.len() < secret.len() {
        return found;
    }
    let whole_only = secret.len() < WHOLE_TOKEN_BELOW;
    let mut at = 0;
    while at + secret.len() <= text.len() {
        if &text[at..at + secret.len()] == secret {
            let end = at + secret.len();
            let whole = (at == 0 || !token_byte(text[at - 1])) && text.get(end).is_none_or(|&b| !token_byte(b));
            if !whole_only || whole {
                found.push(at);
                at = end;
                continue;
            }
        }
        at += 1;
    }
    found
}

/// `text` with `secret` replaced by [`REDACTED`] (see [`WHOLE_TOKEN_BELOW`]
/// for which occurrences): error bodies before anything decodes them, header
/// values, and the text errors hold. A server or proxy that echoes the token
/// back must not put it into the typed error body, its `Debug` or its message.
pub(crate) fn scrub_bytes<'a>(text: &'a [u8], secret: &str) -> Cow<'a, [u8]> {
    let secret = secret.as_bytes();
    let found = secret_matches(text, secret);
    if found.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut out = Vec::with_capacity(text.len() + found.len() * REDACTED.len());
    let mut from = 0;
    for at in found {
        out.extend_from_slice(&text[from..at]);
        out.extend_from_slice(REDACTED.as_bytes());
        from = at + secret.len();
    }
    out.extend_from_slice(&text[from..]);
    Cow::Owned(out)
}

/// [`scrub_bytes`] for text: the same rule, the result still UTF-8 (the
/// secret is cut out whole, and [`REDACTED`] is ASCII).
pub(crate) fn scrub_str<'a>(text: &'a str, secret: &str) -> Cow<'a, str> {
    match scrub_bytes(text.as_bytes(), secret) {
        Cow::Borrowed(_) => Cow::Borrowed(text),
        Cow::Owned(bytes) => {
            Cow::Owned(String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
        }
    }
}

/// Replaces `secret` with [`REDACTED`] in every header value that holds it.
pub(crate) fn scrub_headers(headers: &mut HeaderMap, secret: &str) {
    if secret.is_empty() {
        return;
    }
    for value in headers.values_mut() {
        let bytes = value.as_bytes();
        if let Cow::Owned(clean) = scrub_bytes(bytes, secret) {
            // The secret and the marker are both valid header bytes, so
            // the scrubbed value is too; fall back to the marker alone if not.
            *value = HeaderValue::from_bytes(&clean).unwrap_or_else(|_| HeaderValue::from_static(REDACTED));
        }
    }
}

/// A URL as given, for error messages, with any `user:password@` before
/// the host replaced by `<redacted>@`: a refused URL must not print a credential.
pub(crate) fn redact_userinfo(raw: &str) -> String {
    let (scheme, rest) = match raw.find("://") {
        Some(at) => raw.split_at(at + 3),
        None => ("", raw),
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}{REDACTED}{}", &rest[at..]),
        None => raw.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_marker_prints_bare() {
        assert_eq!(format!("{Redacted:?}"), "<redacted>");
        assert_eq!(format!("{:?}", Some(Redacted)), "Some(<redacted>)");
    }

    #[test]
    fn scrub_bytes_replaces_every_occurrence() {
        assert_eq!(&*scrub_bytes(b"a tok b tok", "tok"), b"a <redacted> b <redacted>");
        assert_eq!(&*scrub_bytes(b"tok", "tok"), b"<redacted>");
        assert!(matches!(scrub_bytes(b"nothing here", "tok"), Cow::Borrowed(_)));
        assert!(matches!(scrub_bytes(b"anything", ""), Cow::Borrowed(_)));
        assert_eq!(&*scrub_bytes(b"to", "tok"), b"to");
    }

    #[test]
    fn a_short_token_is_redacted_only_as_a_whole_token() {
        // Prose keeps its words...
        assert_eq!(&*scrub_bytes(b"expected a string", "x"), b"expected a string");
        assert_eq!(&*scrub_bytes(b"testing the tester", "test"), b"testing the tester");
        // ...and the token itself goes wherever it stands alone.
        assert_eq!(&*scrub_bytes(b"Authorization: Bearer x", "x"), b"Authorization: Bearer <redacted>");
        assert_eq!(&*scrub_bytes(b"?access_token=test&a=1", "test"), b"?access_token=<redacted>&a=1");
        assert_eq!(&*scrub_bytes(br#"{"token":"test"}"#, "test"), br#"{"token":"<redacted>"}"#);
        assert_eq!(&*scrub_bytes(b"test", "test"), b"<redacted>");
    }

    #[test]
    fn a_real_length_token_is_redacted_everywhere() {
        let token = "eyJhbGciOiJSUzI1NiJ9.payload";
        assert!(token.len() >= WHOLE_TOKEN_BELOW);
        let text = format!("glued{token}glued and {token}");
        assert_eq!(&*scrub_bytes(text.as_bytes(), token), b"glued<redacted>glued and <redacted>");
        assert_eq!(scrub_str(&text, token), "glued<redacted>glued and <redacted>");
    }

    #[test]
    fn headers_are_scrubbed_in_place() {
        let mut headers = HeaderMap::new();
        headers.insert("x-echo", HeaderValue::from_static("Bearer eyJhbGciOiJSUzI1NiJ9.payload"));
        headers.insert("x-other", HeaderValue::from_static("untouched"));
        scrub_headers(&mut headers, "eyJhbGciOiJSUzI1NiJ9.payload");
        assert_eq!(headers["x-echo"], "Bearer <redacted>");
        assert_eq!(headers["x-other"], "untouched");
    }

    #[test]
    fn userinfo_is_redacted_and_nothing_else() {
        assert_eq!(redact_userinfo("https://user:hunter2@api.devrev.ai/x"), "https://<redacted>@api.devrev.ai/x");
        assert_eq!(redact_userinfo("https://api.devrev.ai/a@b"), "https://api.devrev.ai/a@b");
        assert_eq!(redact_userinfo("no scheme@host"), "<redacted>@host");
    }
}
