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

use std::io::Write as _;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::middleware::{from_fn_with_state, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;

use crate::app::{ConnectionKiller, Shared};
use crate::auth::{admit, authenticate, bearer};
use crate::body::{read_body, read_input};
use crate::dev_user::DevUser;
use crate::error::ApiError;
use crate::faults::{Action, Taken};
use crate::request_log::RecordedRequest;
use crate::response::json_response;

type App = Arc<Shared>;

/// The router of every endpoint, with its middleware.
pub(crate) fn router(app: App) -> Router {
    let api: Router<App> = crate::webhooks::router(&app.webhooks, &app.events);
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

/// Holds a request to a route a module of its own serves (webhooks,
/// artifacts) to the spec, as [`generic_route`] does for the rest,
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
    let checked = read_input(op, parts.uri.query(), &bytes).and_then(|mut input| {
        crate::body::drop_nulls(&mut input);
        crate::validate::check_request(index, &input)
    });
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
) -> Result<crate::store::Answer, ApiError> {
    let mut state = app.generic.lock().unwrap_or_else(|e| e.into_inner());
    crate::generic::fill_variant(&state, index, &mut input);
    // DevRev reads a `null` field as absent; a hook reads it as sent (`"tier": null` clears the tier).
    let sent = input.clone();
    crate::body::drop_nulls(&mut input);
    crate::validate::check_request(index, &input)?;
    let caller = crate::store::Caller { user, users: &app.tokens };
    // The tokens' dev users, which requests may name.
    state.store_users(caller);
    let (family, _) = crate::family::family_and_verb(&crate::spec::API.operations[index]);
    if crate::families::engine_checks_references(family) {
        crate::references::check(&state, index, &input)?;
    }
    crate::generic::handle(&mut state, &app.events, index, &input, &sent, caller)
}

/// Records the request (and its answer's status), applies a queued fault,
/// serves a custom route, and adds the rate-limit headers to answers that
/// did not count against the limit.
async fn front(State(app): State<App>, request: Request, next: Next) -> Response {
    let custom = app.custom_routes.get(request.uri().path());
    let (request, recorded) = match crate::request_log::read(
        crate::auth::bearer_user(&app, request.headers()).map(|u| u.name),
        app.time.now(),
        request,
        custom.is_some(),
    )
    .await
    {
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
        // Not `eprintln!`: it panics when stderr is gone (a closed pipe); a lost line is no error.
        let _ = writeln!(std::io::stderr(), "{method} {path} -> {}", response.status().as_u16());
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
        let _ = writeln!(std::io::stderr(), "{method} {path} -> {} (after applying)", response.status().as_u16());
    }
    response
}
