//! The HTTP side: routes, authentication, rate limiting, faults.
//!
//! Order of checks for a request: it is recorded in the request log; a
//! queued fault that matches it applies (answered, delayed or dropped, or,
//! with [`Fault::after_applying`](crate::Fault::after_applying), after the
//! request was served; a request without a valid token gets 401 instead,
//! unless the fault is [`without_auth`](crate::Fault::without_auth)); then a
//! custom route or a known path checks the token (401; `Bearer <token>` or
//! the bare token), the rate limit (429), and serves the request. An unknown
//! path is 404 `not_found` (`{"type": "not_found", "message": "route not
//! found", ...}`) with or without a token.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::{from_fn_with_state, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, MethodRouter};
use axum::{Extension, Router};
use tokio::sync::Notify;

use crate::api::{self, Op};
use crate::custom_routes::CustomRoutes;
use crate::error::ApiError;
use crate::faults::{Action, Faults, Taken};
use crate::input::Input;
use crate::ratelimit::Limiter;
use crate::request_log::{RecordedRequest, RequestLog};
use crate::store::{DevUser, Store};

/// State shared by every connection.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) store: Mutex<Store>,
    pub(crate) tokens: HashMap<String, DevUser>,
    pub(crate) limiter: Limiter,
    pub(crate) faults: Faults,
    pub(crate) requests: Mutex<RequestLog>,
    /// How many requests were answered 429 by the rate limit.
    pub(crate) rate_limited: std::sync::atomic::AtomicUsize,
    pub(crate) print_requests: bool,
    /// Changes to objects, for webhook delivery.
    pub(crate) events: crate::events::Events,
    /// The objects of the families the generic handler serves (works, tags, parts, ...).
    pub(crate) generic: Mutex<crate::generic::State>,
    /// The one clock every family's dates come from.
    pub(crate) time: Arc<crate::clock::Time>,
    /// Webhooks and their deliveries.
    pub(crate) webhooks: Arc<crate::webhooks::Webhooks>,
    /// Handlers a test gave paths ([`crate::TestServer::route`]).
    pub(crate) custom_routes: CustomRoutes,
}

type App = Arc<Shared>;

/// Closes the connection a request came on, without an answer.
#[derive(Debug, Clone)]
pub(crate) struct ConnectionKiller(pub(crate) Arc<Notify>);

/// A JSON answer.
pub(crate) fn json_response(status: StatusCode, body: &serde_json::Value) -> Response {
    let mut response = Response::new(Body::from(body.to_string()));
    *response.status_mut() = status;
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// The token of a request, as DevRev accepts it: `Authorization: Bearer
/// <token>` (the scheme in any case) or the bare `Authorization: <token>`
/// that DevRev's own SDK sends. Another scheme (`Basic ...`), or an empty
/// value, is no token.
pub(crate) fn bearer(request: &Request) -> Option<&str> {
    token_of(request.headers())
}

/// The token of a request's headers, by [`bearer`]'s rule.
fn token_of(headers: &axum::http::HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let token = match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
        Some(_) => return None,
        None => value,
    };
    (!token.is_empty()).then_some(token)
}

/// The dev user a request's token acts as, if it is one the server knows.
pub(crate) fn bearer_user(app: &Shared, headers: &axum::http::HeaderMap) -> Option<DevUser> {
    app.tokens.get(token_of(headers)?).cloned()
}

/// The 401 detail when a request carries no token.
const SEND_A_TOKEN: &str = "send the header `Authorization: <token>` (or `Authorization: Bearer <token>`)";

/// The router of every endpoint, with its middleware.
pub(crate) fn router(app: App) -> Router {
    let mut api = Router::new();
    for op in Op::ALL {
        let handler =
            move |State(app): State<App>,
                  Extension(user): Extension<DevUser>,
                  method: Method,
                  request: axum::extract::RawQuery,
                  body: Bytes| async move { handle(&app, &user, op, &method, request.0.as_deref(), &body) };
        let route: MethodRouter<App> = if op.has_get() { get(handler).post(handler) } else { post(handler) };
        api = api.route(op.path(), route);
    }
    let api = crate::webhooks::register(api, &app);
    // Artifacts: `prepare` and `locate` behind the token; the storage paths they hand out, without.
    let artifacts = crate::artifacts::Artifacts::new(Arc::clone(&app));
    let api = api.merge(artifacts.api());
    // Every route above: the token, the rate limit, then the spec's check of the request.
    api.route_layer(axum::middleware::from_fn(spec_check))
        .route_layer(from_fn_with_state(app.clone(), authenticate))
        .merge(artifacts.storage())
        // Every other operation of the spec; any other path is 404.
        .fallback(generic_route)
        .method_not_allowed_fallback(|| async { ApiError::route_not_found() })
        .layer(from_fn_with_state(app.clone(), front))
        .with_state(app)
}

fn handle(app: &Shared, user: &DevUser, op: Op, method: &Method, query: Option<&str>, body: &[u8]) -> Response {
    let input =
        if method == Method::POST { Input::from_body(body) } else { Ok(Input::from_query(query, op.array_params())) };
    let result = input.and_then(|input| {
        // The engine's state first, then the store, as `serve` locks them.
        let mut state = app.generic.lock().unwrap_or_else(|e| e.into_inner());
        let write = crate::custom_fields::before_legacy(&state.custom, op.path(), &input)?;
        let mut store = app.store.lock().unwrap_or_else(|e| e.into_inner());
        let (status, mut body) = api::run(&mut store, user, op, &input, &app.events)?;
        crate::custom_fields::after_legacy(&mut state.custom, write, &mut body);
        Ok((status, body))
    });
    match result {
        Ok((status, body)) => json_response(status, &body),
        Err(e) => e.into_response(),
    }
}

/// The largest request body read; a larger one is 400 `bad_request`.
pub(crate) const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

/// The request's fields as one JSON object: the JSON body of a `POST` (an
/// empty body is `{}`), the query string of a `GET` read with the
/// operation's schema; `null` fields are dropped. Not JSON, or not an
/// object: 400 `parse_error`.
fn read_input(op: &crate::spec::Operation, query: Option<&str>, body: &[u8]) -> Result<serde_json::Value, ApiError> {
    if op.method == "GET" {
        return Ok(crate::validate::query_to_json(&crate::spec::API, &op.request, query));
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(serde_json::json!({}));
    }
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(mut value @ serde_json::Value::Object(_)) => {
            drop_nulls(&mut value);
            Ok(value)
        }
        Ok(other) => Err(ApiError::parse_error(format!(
            "the body must be a JSON object, not {}",
            crate::error::json_kind(&other)
        ))),
        Err(e) => Err(ApiError::parse_error(format!("invalid JSON: {e}"))),
    }
}

/// Removes the fields whose value is `null`: DevRev reads them as absent
/// (a required one is then `missing_required_field`). Inside
/// `custom_fields`, `null` clears a field, so it stays.
fn drop_nulls(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.iter_mut().filter(|(k, _)| *k != "custom_fields").for_each(|(_, v)| drop_nulls(v));
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(drop_nulls),
        _ => {}
    }
}

/// Reads a request's body, at most [`MAX_BODY_BYTES`].
pub(crate) async fn read_body(body: Body) -> Result<Bytes, ApiError> {
    axum::body::to_bytes(body, MAX_BODY_BYTES).await.map_err(|_| {
        ApiError::bad_request(
            "the request body is too large or could not be read",
            format!("send at most {MAX_BODY_BYTES} bytes"),
        )
    })
}

/// Holds a request to a route a family module serves (accounts, rev orgs,
/// webhooks, artifacts) to the spec, as [`generic_route`] does for the rest,
/// then hands it on with its body.
async fn spec_check(request: Request, next: Next) -> Response {
    let Some((index, op)) = crate::spec::API.find(request.method().as_str(), request.uri().path()) else {
        return next.run(request).await;
    };
    let (parts, body) = request.into_parts();
    let bytes = match read_body(body).await {
        Ok(bytes) => bytes,
        Err(e) => return e.into_response(),
    };
    let checked =
        read_input(op, parts.uri.query(), &bytes).and_then(|input| crate::validate::check_request(index, &input));
    if let Err(e) = checked {
        return e.into_response();
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

/// Every operation of the spec that no family module serves: the token and
/// the rate limit, the spec's check of the request, then an answer from
/// [`crate::generic`]. A path the spec does not have, or a method it does
/// not list for the path, is 404 `not_found` with the message `route not
/// found`, typed like every other error.
async fn generic_route(State(app): State<App>, request: Request) -> Response {
    let Some((index, op)) = crate::spec::API.find(request.method().as_str(), request.uri().path()) else {
        return ApiError::route_not_found().into_response();
    };
    let (user, budget) = if op.auth {
        match admit(&app, &request) {
            Ok((user, budget)) => (Some(user), Some(budget)),
            Err(response) => return *response,
        }
    } else {
        (None, None)
    };
    let (parts, body) = request.into_parts();
    // A streaming operation streams only when asked (`"stream": true`); else one JSON answer.
    let mut stream = false;
    let result = match read_body(body).await {
        Ok(bytes) => read_input(op, parts.uri.query(), &bytes).and_then(|input| {
            stream = op.streaming && input.get("stream") == Some(&serde_json::Value::Bool(true));
            serve(&app, index, input, user.as_ref())
        }),
        Err(e) => Err(e),
    };
    let mut response = match result {
        Ok((status, None)) => {
            let mut response = Response::new(Body::empty());
            *response.status_mut() = status;
            response
        }
        Ok((status, Some(body))) if stream => {
            let mut response = Response::new(Body::from(format!("data: {body}\n\ndata: [DONE]\n\n")));
            *response.status_mut() = status;
            response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
            response
        }
        Ok((status, Some(body))) => json_response(status, &body),
        Err(e) => e.into_response(),
    };
    if let Some(budget) = budget {
        budget.apply(&mut response);
    }
    response
}

/// Serves operation `index` of the spec for `input` (read from a body or
/// query string) as `user`: the one way into the engine, for HTTP requests
/// and [`TestServer::insert`](crate::TestServer::insert) alike. The variant
/// of an update is filled in, the request validated, the IDs it names
/// checked, then the engine answers.
pub(crate) fn serve(
    app: &Shared,
    index: usize,
    mut input: serde_json::Value,
    user: Option<&DevUser>,
) -> Result<crate::generic::Answer, ApiError> {
    let mut state = app.generic.lock().unwrap_or_else(|e| e.into_inner());
    crate::generic::fill_variant(&state, index, &mut input);
    crate::validate::check_request(index, &input)?;
    {
        let store = app.store.lock().unwrap_or_else(|e| e.into_inner());
        crate::references::check(&state, &store, index, &input)?;
        if crate::spec::API.operations[index].path == "/accounts.export" {
            if let Some(filter) = input.get("custom_fields") {
                let filter = crate::custom_fields::Filter::of("custom_fields", filter)?;
                filter.check(&state.custom, &["account".to_owned()])?;
            }
            return accounts_export(&store, &input);
        }
    }
    let caller = crate::generic::Caller { user, users: &app.tokens };
    crate::generic::handle(&mut state, &app.events, index, &input, caller)
}

/// `accounts.export`: what `accounts.list` pages through under the same
/// filters, in one answer, at most `first` accounts.
fn accounts_export(store: &Store, input: &serde_json::Value) -> Result<crate::generic::Answer, ApiError> {
    let mut fields = input.as_object().cloned().unwrap_or_default();
    let first = fields.remove("first").and_then(|f| f.as_u64()).map_or(usize::MAX, |f| f as usize);
    let mut accounts = Vec::new();
    loop {
        let page_input = Input::from_body(serde_json::Value::Object(fields.clone()).to_string().as_bytes())?;
        let (_, page) = api::accounts_list(store, &page_input)?;
        accounts.extend(page["accounts"].as_array().cloned().unwrap_or_default());
        match page["next_cursor"].as_str() {
            Some(cursor) if accounts.len() < first => {
                fields.insert("cursor".into(), serde_json::json!(cursor));
            }
            _ => break,
        }
    }
    accounts.truncate(first);
    Ok((StatusCode::OK, Some(serde_json::json!({ "accounts": accounts }))))
}

/// The token's dev user and its rate-limit budget, or the 401 or 429 answer.
fn admit(app: &Shared, request: &Request) -> Result<(DevUser, crate::ratelimit::Budget), Box<Response>> {
    let Some(token) = bearer(request) else {
        return Err(Box::new(ApiError::unauthenticated(SEND_A_TOKEN).into_response()));
    };
    let Some(user) = app.tokens.get(token).cloned() else {
        return Err(Box::new(ApiError::unauthenticated("the token is not valid").into_response()));
    };
    match app.limiter.take(token) {
        Err((budget, wait)) => {
            app.rate_limited.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let mut response = ApiError::too_many_requests(wait).into_response();
            budget.apply(&mut response);
            Err(Box::new(response))
        }
        Ok(budget) => Ok((user, budget)),
    }
}

/// Checks the token and counts the request against its rate limit.
async fn authenticate(State(app): State<App>, mut request: Request, next: Next) -> Response {
    let Some(token) = bearer(&request).map(str::to_owned) else {
        return ApiError::unauthenticated(SEND_A_TOKEN).into_response();
    };
    let Some(user) = app.tokens.get(&token).cloned() else {
        return ApiError::unauthenticated("the token is not valid").into_response();
    };
    match app.limiter.take(&token) {
        Err((budget, wait)) => {
            app.rate_limited.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let mut response = ApiError::too_many_requests(wait).into_response();
            budget.apply(&mut response);
            response
        }
        Ok(budget) => {
            request.extensions_mut().insert(user);
            let mut response = next.run(request).await;
            budget.apply(&mut response);
            response
        }
    }
}

/// Records the request (and its answer's status), applies a queued fault,
/// serves a custom route, and adds the rate-limit headers to answers that
/// did not count against the limit.
async fn front(State(app): State<App>, request: Request, next: Next) -> Response {
    let custom = app.custom_routes.get(request.uri().path());
    let (request, recorded) = match crate::request_log::read(&app, request, custom.is_some()).await {
        Ok(read) => read,
        Err((recorded, response)) => {
            let mut log = app.requests.lock().unwrap_or_else(|e| e.into_inner());
            let seq = log.record(recorded);
            log.complete(seq, response.status().as_u16());
            return response;
        }
    };
    let seq = app.requests.lock().unwrap_or_else(|e| e.into_inner()).record(recorded.clone());
    let response = serve_request(&app, request, next, &recorded, custom).await;
    app.requests.lock().unwrap_or_else(|e| e.into_inner()).complete(seq, response.status().as_u16());
    response
}

async fn serve_request(
    app: &App,
    request: Request,
    next: Next,
    recorded: &RecordedRequest,
    custom: Option<crate::custom_routes::Handler>,
) -> Response {
    let (method, path) = (recorded.method.as_str(), recorded.path.as_str());
    let token = bearer(&request).filter(|t| app.tokens.contains_key(*t)).map(str::to_owned);
    let authenticated = token.is_some() || crate::request_log::takes_no_token(method, path);
    let run = |request: Request| async {
        match &custom {
            Some(handler) => serve_custom(app, handler, request, recorded),
            None => next.run(request).await,
        }
    };

    let mut fault = match app.faults.take(recorded, authenticated) {
        Taken::Apply(action, after) => Some((action, after)),
        Taken::Unauthenticated => {
            return ApiError::unauthenticated("send the header `Authorization: Bearer <token>` with a valid token")
                .into_response();
        }
        Taken::None => None,
    };
    if let Some((Action::Drop | Action::Respond { .. }, true)) = &fault {
        // Serve the request for real, then answer with the fault instead.
        let killer = request.extensions().get::<ConnectionKiller>().cloned();
        let _applied = run(request).await;
        let action = fault.take().map(|(action, _)| action);
        return after_applying(app, action, killer, token.as_deref(), method, path).await;
    }
    let mut response = match fault.map(|(action, _)| action) {
        Some(Action::Drop) => {
            if let Some(killer) = request.extensions().get::<ConnectionKiller>() {
                killer.0.notify_one();
                // The connection task drops this request with the connection.
                return std::future::pending::<Response>().await;
            }
            // Not served through the accept loop: nothing to drop.
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
        Some(Action::Respond { status, content_type, body, headers }) => {
            fault_answer(status, content_type, body, headers)
        }
        Some(Action::Delay(delay)) => {
            tokio::time::sleep(delay).await;
            run(request).await
        }
        None => run(request).await,
    };
    if !response.headers().contains_key("x-ratelimit-limit") {
        app.limiter.peek(token.as_deref()).apply(&mut response);
    }
    if app.print_requests {
        eprintln!("{method} {path} -> {}", response.status().as_u16());
    }
    response
}

/// A custom route: the token and the rate limit, as for every operation, then the test's handler.
fn serve_custom(
    app: &Shared,
    handler: &crate::custom_routes::Handler,
    request: Request,
    recorded: &RecordedRequest,
) -> Response {
    match admit(app, &request) {
        Ok((_user, budget)) => {
            let mut response = handler(recorded).into_response();
            budget.apply(&mut response);
            response
        }
        Err(response) => *response,
    }
}

/// The answer of an [`Action::Respond`] fault.
fn fault_answer(status: u16, content_type: Option<String>, body: Vec<u8>, headers: Vec<(String, String)>) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if let Some(content_type) = content_type.and_then(|c| HeaderValue::from_str(&c).ok()) {
        response.headers_mut().insert(header::CONTENT_TYPE, content_type);
    }
    for (name, value) in headers {
        if let (Ok(name), Ok(value)) = (HeaderName::try_from(name), HeaderValue::try_from(value)) {
            response.headers_mut().append(name, value);
        }
    }
    response
}

/// The answer to a request already served, for a fault that applies after
/// it ([`Fault::after_applying`](crate::Fault::after_applying)).
async fn after_applying(
    app: &App,
    action: Option<Action>,
    killer: Option<ConnectionKiller>,
    token: Option<&str>,
    method: &str,
    path: &str,
) -> Response {
    let mut response = match (action, killer) {
        (Some(Action::Respond { status, content_type, body, headers }), _) => {
            fault_answer(status, content_type, body, headers)
        }
        (_, Some(killer)) => {
            killer.0.notify_one();
            return std::future::pending::<Response>().await;
        }
        // Not served through the accept loop: nothing to drop.
        (_, None) => StatusCode::SERVICE_UNAVAILABLE.into_response(),
    };
    app.limiter.peek(token).apply(&mut response);
    if app.print_requests {
        eprintln!("{method} {path} -> {} (after applying)", response.status().as_u16());
    }
    response
}
