//! Who a request acts as: its token (`Authorization: Bearer <token>` or the
//! bare token), the dev user the token acts as, and the token's rate limit.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::app::Shared;
use crate::dev_user::DevUser;
use crate::error::ApiError;

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
pub(crate) const SEND_A_TOKEN: &str = "send the header `Authorization: <token>` (or `Authorization: Bearer <token>`)";

/// The token's dev user and its rate-limit budget, or the 401 or 429 answer.
pub(crate) fn admit(app: &Shared, request: &Request) -> Result<(DevUser, crate::ratelimit::Budget), Box<Response>> {
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

/// Checks the token and counts the request against its rate limit
/// ([`admit`]), then serves it as the token's dev user.
pub(crate) async fn authenticate(State(app): State<Arc<Shared>>, mut request: Request, next: Next) -> Response {
    let (user, budget) = match admit(&app, &request) {
        Ok(admitted) => admitted,
        Err(response) => return *response,
    };
    request.extensions_mut().insert(user);
    let mut response = next.run(request).await;
    budget.apply(&mut response);
    response
}
