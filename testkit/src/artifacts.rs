//! Artifacts: `artifacts.prepare` and `artifacts.locate`, and the storage
//! service they hand out URLs to, served beside the API the way S3 serves
//! DevRev's files.
//!
//! - `POST /artifacts.prepare` (`file_name`, optional `file_type`) answers
//!   an artifact `id`, the upload `url` ([`ARTIFACT_UPLOAD_PATH`] on this
//!   server) and `form_data`: `key`, `policy`, `x-amz-signature` and, with a
//!   `file_type`, `Content-Type`, in that order.
//! - The upload path takes a multipart/form-data POST as an S3 POST policy
//!   does: every field of `form_data`, with its value and in its order, then
//!   the file in a part named `file`, last. A field missing, changed, added
//!   or out of order is 403 `AccessDenied` (an S3 XML error document); a
//!   part after the file, or a request carrying an `Authorization` header
//!   (S3 allows one way of signing, and here the policy is it), is 400
//!   `InvalidArgument`. A success is 204; uploading again replaces the file.
//! - `GET`/`POST /artifacts.locate` (`id`) answers a download `url`
//!   ([`ARTIFACT_DOWNLOAD_PATH`] with a `key` and a `signature` in the query)
//!   and `expires_at` as soon as the artifact is prepared (the URL answers
//!   S3's 404 `NoSuchKey` until the file is uploaded); 404 `not_found` for
//!   an artifact never prepared. `artifacts.get` and `artifacts.list`
//!   (by `parent_id`: the artifacts the object holds) answer what was prepared. The
//!   download path serves the bytes, refusing an `Authorization` header as
//!   the upload does, and a wrong signature with 403.
//!
//! The storage paths need no token and count against no rate limit; faults
//! apply to them as to any path (`server.inject(ARTIFACT_UPLOAD_PATH,
//! Fault::status(503))`). Files are held in memory, each at most
//! [`MAX_ARTIFACT_BYTES`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Multipart, RawQuery};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::json;

use crate::error::ApiError;
use crate::input::Input;
use crate::response::json_response;

/// The path files are uploaded to (the `url` of `artifacts.prepare`).
pub const ARTIFACT_UPLOAD_PATH: &str = "/__storage/upload";
/// The path files are downloaded from (the `url` of `artifacts.locate`).
pub const ARTIFACT_DOWNLOAD_PATH: &str = "/__storage/download";
/// The largest file the server keeps: 64 MiB.
pub const MAX_ARTIFACT_BYTES: usize = 64 * 1024 * 1024;

/// The artifacts the server knows, by storage key.
#[derive(Debug, Clone)]
pub(crate) struct Artifacts {
    inner: Arc<Mutex<HashMap<String, Artifact>>>,
    /// The server, whose engine keeps each artifact prepared (`artifacts.get`, `artifacts.list`).
    app: Arc<crate::app::Shared>,
}

#[derive(Debug)]
struct Artifact {
    id: String,
    /// The form fields the upload must send, in order, before the file.
    fields: Vec<(String, String)>,
    /// What the download URL's `signature` must be.
    signature: String,
    data: Option<Bytes>,
    content_type: Option<String>,
}

impl Artifacts {
    /// No artifacts yet; each one prepared is also kept by `app`'s engine.
    pub(crate) fn new(app: Arc<crate::app::Shared>) -> Artifacts {
        Artifacts { inner: Arc::default(), app }
    }

    /// `artifacts.prepare` and `artifacts.locate`: merged with the API's
    /// routes, behind its authentication and rate limit.
    pub(crate) fn api<S: Clone + Send + Sync + 'static>(&self) -> Router<S> {
        let (prepare, locate) = (self.clone(), self.clone());
        Router::new()
            .route(
                "/artifacts.prepare",
                post(move |headers: HeaderMap, body: Bytes| async move { prepare.prepare(&headers, &body) }),
            )
            .route("/artifacts.locate", {
                let (on_get, on_post) = (locate.clone(), locate);
                get(move |headers: HeaderMap, query: RawQuery| async move {
                    on_get.locate(&headers, Input::from_query(query.0.as_deref(), &[]))
                })
                .post(move |headers: HeaderMap, body: Bytes| async move {
                    match Input::from_body(&body) {
                        Ok(input) => on_post.locate(&headers, input),
                        Err(e) => e.into_response(),
                    }
                })
            })
    }

    /// The storage service: no token, no rate limit.
    pub(crate) fn storage<S: Clone + Send + Sync + 'static>(&self) -> Router<S> {
        let (upload, download) = (self.clone(), self.clone());
        Router::new()
            .route(
                ARTIFACT_UPLOAD_PATH,
                post(move |headers: HeaderMap, multipart: Multipart| async move {
                    upload.upload(&headers, multipart).await
                })
                .layer(DefaultBodyLimit::max(MAX_ARTIFACT_BYTES + 64 * 1024)),
            )
            .route(
                ARTIFACT_DOWNLOAD_PATH,
                get(move |headers: HeaderMap, query: RawQuery| async move {
                    download.download(&headers, query.0.as_deref())
                }),
            )
    }

    fn prepare(&self, headers: &HeaderMap, body: &[u8]) -> Response {
        let input = match Input::from_body(body) {
            Ok(input) => input,
            Err(e) => return e.into_response(),
        };
        let (file_name, file_type) = match (input.required_string("file_name"), input.string("file_type")) {
            (Ok(name), Ok(file_type)) => (name, file_type),
            (Err(e), _) | (_, Err(e)) => return e.into_response(),
        };
        let key = format!("artifacts/{}/{}", crate::ids::new_key(), file_name);
        let id = format!("don:core:dvrv-us-1:devo/1:artifact/{}", crate::ids::new_key());
        let mut fields = vec![
            ("key".to_owned(), key.clone()),
            ("policy".to_owned(), secret(32)),
            ("x-amz-signature".to_owned(), secret(24)),
        ];
        if let Some(file_type) = &file_type {
            fields.push(("Content-Type".to_owned(), file_type.clone()));
        }
        let form_data: Vec<_> = fields.iter().map(|(k, v)| json!({"key": k, "value": v})).collect();
        let answer = json!({"id": id, "url": format!("{}{ARTIFACT_UPLOAD_PATH}", origin(self.app.scheme, headers)), "form_data": form_data});
        {
            let user = crate::auth::bearer_user(&self.app, headers);
            let mut state = self.app.generic.lock().unwrap_or_else(|e| e.into_inner());
            state.store_artifact(&id, &file_name, file_type.as_deref(), user.as_ref());
        }
        let artifact = Artifact { id, fields, signature: secret(24), data: None, content_type: file_type };
        self.lock().insert(key, artifact);
        json_response(StatusCode::OK, &answer)
    }

    fn locate(&self, headers: &HeaderMap, input: Input) -> Response {
        let id = match input.required_string("id") {
            Ok(id) => id,
            Err(e) => return e.into_response(),
        };
        let artifacts = self.lock();
        // Prepared is enough: the URL answers the bytes once they are uploaded (S3's `NoSuchKey` before).
        let found = artifacts.iter().find(|(_, a)| a.id == id);
        let Some((key, artifact)) = found else {
            return ApiError::not_found("artifact", &id).into_response();
        };
        let expires = self.app.time.now() + chrono::Duration::hours(1);
        let query = format!(
            "key={}&signature={}",
            percent_encoding::utf8_percent_encode(key, percent_encoding::NON_ALPHANUMERIC),
            artifact.signature
        );
        let url = format!("{}{ARTIFACT_DOWNLOAD_PATH}?{query}", origin(self.app.scheme, headers));
        let answer = json!({"url": url, "expires_at": expires.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)});
        json_response(StatusCode::OK, &answer)
    }

    async fn upload(&self, headers: &HeaderMap, mut multipart: Multipart) -> Response {
        if headers.contains_key(header::AUTHORIZATION) {
            return s3_error(
                StatusCode::BAD_REQUEST,
                "InvalidArgument",
                "Only one auth mechanism allowed; the policy is it, not an Authorization header",
            );
        }
        let mut sent: Vec<(String, String)> = Vec::new();
        let mut file: Option<Vec<u8>> = None;
        loop {
            let field = match multipart.next_field().await {
                Ok(Some(field)) => field,
                Ok(None) => break,
                Err(e) => return s3_error(StatusCode::BAD_REQUEST, "MalformedPOSTRequest", &e.to_string()),
            };
            let name = field.name().unwrap_or_default().to_owned();
            if file.is_some() {
                return s3_error(
                    StatusCode::BAD_REQUEST,
                    "InvalidArgument",
                    &format!("the field `{name}` comes after the file, which must be last"),
                );
            }
            if name == "file" {
                let mut data = Vec::new();
                let mut field = field;
                loop {
                    match field.chunk().await {
                        Ok(Some(chunk)) => {
                            if data.len() + chunk.len() > MAX_ARTIFACT_BYTES {
                                return s3_error(
                                    StatusCode::BAD_REQUEST,
                                    "EntityTooLarge",
                                    "the file is larger than the server keeps",
                                );
                            }
                            data.extend_from_slice(&chunk);
                        }
                        Ok(None) => break,
                        Err(e) => return s3_error(StatusCode::BAD_REQUEST, "IncompleteBody", &e.to_string()),
                    }
                }
                file = Some(data);
            } else {
                match field.text().await {
                    Ok(value) => sent.push((name, value)),
                    Err(e) => return s3_error(StatusCode::BAD_REQUEST, "MalformedPOSTRequest", &e.to_string()),
                }
            }
        }
        let Some(data) = file else {
            return s3_error(
                StatusCode::BAD_REQUEST,
                "InvalidArgument",
                "POST requires exactly one file upload per request",
            );
        };
        let key = sent.iter().find(|(k, _)| k == "key").map(|(_, v)| v.clone()).unwrap_or_default();
        let mut artifacts = self.lock();
        let Some(artifact) = artifacts.get_mut(&key) else {
            return s3_error(
                StatusCode::FORBIDDEN,
                "AccessDenied",
                "Invalid according to Policy: no policy for this key",
            );
        };
        if sent != artifact.fields {
            let expected: Vec<&str> = artifact.fields.iter().map(|(k, _)| k.as_str()).collect();
            let got: Vec<&str> = sent.iter().map(|(k, _)| k.as_str()).collect();
            let message = format!(
                "Invalid according to Policy: expected the fields {expected:?} with their values, in that order, then the file; got {got:?}"
            );
            return s3_error(StatusCode::FORBIDDEN, "AccessDenied", &message);
        }
        artifact.data = Some(Bytes::from(data));
        StatusCode::NO_CONTENT.into_response()
    }

    fn download(&self, headers: &HeaderMap, query: Option<&str>) -> Response {
        if headers.contains_key(header::AUTHORIZATION) {
            return s3_error(
                StatusCode::BAD_REQUEST,
                "InvalidArgument",
                "Only one auth mechanism allowed; the signature is it, not an Authorization header",
            );
        }
        let input = Input::from_query(query, &[]);
        let key = input.string("key").ok().flatten().unwrap_or_default();
        let signature = input.string("signature").ok().flatten().unwrap_or_default();
        let artifacts = self.lock();
        let Some(artifact) = artifacts.get(&key).filter(|a| a.signature == signature) else {
            return s3_error(
                StatusCode::FORBIDDEN,
                "AccessDenied",
                "Request has expired or the signature does not match",
            );
        };
        let Some(data) = artifact.data.clone() else {
            return s3_error(StatusCode::NOT_FOUND, "NoSuchKey", "The specified key does not exist.");
        };
        let mut response = Response::new(Body::from(data));
        let content_type = artifact.content_type.as_deref().unwrap_or("application/octet-stream");
        if let Ok(value) = HeaderValue::from_str(content_type) {
            response.headers_mut().insert(header::CONTENT_TYPE, value);
        }
        response
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Artifact>> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// `scheme://host:port` of the request, for the URLs the server hands out
/// (`https` when the server serves TLS, so the storage URLs are on it too).
fn origin(scheme: &str, headers: &HeaderMap) -> String {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1");
    format!("{scheme}://{host}")
}

fn secret(len: usize) -> String {
    std::iter::repeat_with(fastrand::alphanumeric).take(len).collect()
}

/// An S3 error document.
fn s3_error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{}</Message></Error>",
        message.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
    );
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/xml"));
    response
}
