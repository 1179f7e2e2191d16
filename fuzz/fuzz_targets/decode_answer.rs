//! Fuzzes the decoding path every call goes through: (status, headers, body)
//! to `Result<Response<T>, Error>`, via `devrev::__private::decode_answer`,
//! for several response types and error bodies. Any panic is a bug; so is an
//! answer that lands in the wrong error variant for its status.
//!
//! Input layout: 2 bytes status (big-endian), 1 byte header count (mod 5),
//! then per header 1 byte name selector and 1 byte value length, the value,
//! and the rest is the body.
#![no_main]

use std::time::Duration;

use devrev::__private::{decode_answer, HeaderMap, HeaderName, HeaderValue};
use devrev::rev_orgs::RevOrgsCreateResponse;
use devrev::{DevRevError, Error, ErrorBody};
use libfuzzer_sys::fuzz_target;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Thing {
    thing: ThingFields,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct ThingFields {
    id: String,
    state: Option<devrev::models::UserState>,
    count: Option<u32>,
}

#[derive(Debug, Deserialize)]
struct Empty {}

/// A custom error body, as an endpoint may declare with `error = ...`.
#[derive(Debug, Deserialize)]
struct CustomError {
    hint: Option<String>,
    wait_seconds: Option<u64>,
}

impl ErrorBody for CustomError {
    fn message(&self) -> Option<&str> {
        self.hint.as_deref()
    }
    fn retry_after(&self) -> Option<Duration> {
        self.wait_seconds.map(Duration::from_secs)
    }
}

const NAMES: &[&str] = &[
    "retry-after",
    "location",
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
    "content-type",
    "x-other",
];

fn parse(data: &[u8]) -> Option<(u16, HeaderMap, &[u8])> {
    let (&[hi, lo, count], mut rest) = data.split_first_chunk::<3>()?;
    let status = u16::from_be_bytes([hi, lo]);
    let mut headers = HeaderMap::new();
    for _ in 0..count % 5 {
        let (&[selector, len], tail) = rest.split_first_chunk::<2>()?;
        let len = usize::from(len).min(tail.len());
        let (value, tail) = tail.split_at(len);
        rest = tail;
        let name = HeaderName::from_static(NAMES[usize::from(selector) % NAMES.len()]);
        if let Ok(value) = HeaderValue::from_bytes(value) {
            headers.append(name, value);
        }
    }
    Some((status, headers, rest))
}

fn check<T: std::fmt::Debug>(status: u16, headers: &HeaderMap, result: devrev::Result<devrev::Response<T>>) {
    match result {
        Ok(response) => {
            assert!((200..300).contains(&status));
            let _ = (format!("{response:?}"), response.rate_limit().reset_at());
        }
        Err(err) => {
            let ok = match (&err, status) {
                (Error::Decode(d), 200..=299) => d.excerpt().len() <= 515,
                (Error::Redirect(r), 300..=399) => {
                    r.location() == headers.get("location").and_then(|v| v.to_str().ok())
                }
                (Error::Api(a), _) if !(200..400).contains(&status) => {
                    a.status() == status && a.excerpt().is_none_or(|e| e.len() <= 515)
                }
                _ => false,
            };
            assert!(ok, "status {status} gave {err:?}");
            let _ = (err.to_string(), format!("{err:?}"), err.kind(), err.retry_after());
            let _ = err.rate_limit().map(devrev::RateLimit::reset_at);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((status, headers, body)) = parse(data) else { return };
    check(status, &headers, decode_answer::<Thing, DevRevError>(status, headers.clone(), body));
    check(status, &headers, decode_answer::<RevOrgsCreateResponse, DevRevError>(status, headers.clone(), body));
    check(status, &headers, decode_answer::<serde_json::Value, DevRevError>(status, headers.clone(), body));
    check(status, &headers, decode_answer::<Empty, CustomError>(status, headers.clone(), body));
});
