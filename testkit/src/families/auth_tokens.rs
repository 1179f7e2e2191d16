//! `auth-tokens`: the tokens `auth-tokens.create` issues are kept, so that
//! `auth-tokens.get`, `.list`, `.update` and `.delete` act on them as DevRev
//! does.
//!
//! - `create` stores an `auth-token` (a DON ID, `status: active`, the
//!   request's `requested_token_type`, `client_id`, `token_hint`, its `scope`
//!   as `scopes`, `subject` the caller (or `act_as`), `issued_at` and
//!   `expires_at` from the server's clock and `expires_in`), and answers it
//!   as DevRev does: `access_token` (a JWT whose `jti` claim is the token's
//!   ID, the ID `auth-tokens.delete` reads from a token, unsigned: the
//!   server checks no signature), `token_type: bearer`, `expires_in`,
//!   `scope` and `client_id` as sent. The answer carries no other ID.
//! - `get` and `update` (`token_hint`) of a `token_id` it did not issue are
//!   404 `not_found`; `list` answers the tokens issued, under its
//!   `client_id`, `requested_token_type` and `subject` filters; `delete`
//!   removes the token (then `get` is 404).
//!
//! An issued token does not authenticate: the server's tokens are the ones
//! it was started with, which no `auth-tokens.create` issued; so a `delete`
//! without `token_id` (DevRev's: the caller's own token) is 400
//! `bad_request` here rather than a deletion that did not happen.

use axum::http::StatusCode;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::{json, Map, Value};

use super::{Call, Hook};
use crate::error::ApiError;
use crate::store::{Answer, State};

/// The family.
const FAMILY: &str = "auth-tokens";
/// Lifetime of a token when the request names none, in seconds.
const DEFAULT_EXPIRES_IN: u64 = 3600;

/// The hook of `auth-tokens`.
#[derive(Debug)]
pub(crate) struct AuthTokens;

impl Hook for AuthTokens {
    fn serve(&self, state: &mut State, call: &Call<'_>) -> Option<Result<Answer, ApiError>> {
        Some(match call.verb {
            "create" => Ok(create(state, call)),
            "get" => token(state, call.input).map(|(_, t)| (StatusCode::OK, Some(json!({ "token": t })))),
            "update" => update(state, call.input),
            "list" => Ok((StatusCode::OK, Some(list(state, call.input)))),
            "delete" => delete(state, call.input),
            _ => return None,
        })
    }
}

/// The JWT of the token `id`: `alg: none`, the claims DevRev's tokens carry.
fn jwt(id: &str, subject: &str, issued: i64, expires: i64) -> String {
    let part = |v: Value| URL_SAFE_NO_PAD.encode(v.to_string());
    let header = part(json!({"alg": "none", "typ": "JWT"}));
    let claims = part(
        json!({"jti": id, "sub": subject, "iat": issued, "exp": expires, "iss": "devrev-testkit", "aud": ["janus"]}),
    );
    format!("{header}.{claims}.")
}

/// The `jti` claim of a JWT, if `token` is one.
#[cfg(test)]
fn jti_of(token: &str) -> Option<String> {
    let claims = token.split('.').nth(1)?;
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(claims).ok()?).ok()?;
    claims.get("jti")?.as_str().map(str::to_owned)
}

fn create(state: &mut State, call: &Call<'_>) -> Answer {
    let input = call.input;
    let text = |name: &str| input.get(name).and_then(Value::as_str).map(str::to_owned);
    let n = state.next_number();
    let id = format!("don:identity:dvrv-us-1:devo/1:token/{n}");
    let user = call.caller.user;
    let subject = text("act_as").or_else(|| user.map(|u| u.don())).unwrap_or_default();
    let expires_in = input.get("expires_in").and_then(Value::as_u64).unwrap_or(DEFAULT_EXPIRES_IN);
    let now = state.now();
    // At most what the spec allows (`u32`): the sum cannot overflow.
    let expires = now + chrono::Duration::seconds(i64::try_from(expires_in.min(u64::from(u32::MAX))).unwrap_or(0));
    let mut object = Map::new();
    object.insert("id".into(), json!(id));
    object.extend(crate::generic::creation_stamps(&json!(state.tick()), user));
    object.insert("status".into(), json!("active"));
    object.insert("subject".into(), json!(subject));
    object.insert("issued_at".into(), json!(crate::clock::format(now)));
    object.insert("expires_at".into(), json!(crate::clock::format(expires)));
    let scopes: Vec<&str> = input.get("scope").and_then(Value::as_str).unwrap_or_default().split_whitespace().collect();
    object.insert("scopes".into(), json!(scopes));
    for name in ["requested_token_type", "client_id", "token_hint"] {
        if let Some(value) = text(name) {
            object.insert(name.into(), json!(value));
        }
    }
    state.put(FAMILY, n, Value::Object(object));
    let mut answer = Map::new();
    answer.insert("access_token".into(), json!(jwt(&id, &subject, now.timestamp(), expires.timestamp())));
    answer.insert("token_type".into(), json!("bearer"));
    answer.insert("expires_in".into(), json!(expires_in));
    for name in ["scope", "client_id"] {
        if let Some(value) = text(name) {
            answer.insert(name.into(), json!(value));
        }
    }
    (StatusCode::CREATED, Some(Value::Object(answer)))
}

/// The issued token `token_id` names, else 404.
fn token<'s>(state: &'s State, input: &Value) -> Result<(u64, &'s Value), ApiError> {
    let id = input.get("token_id").and_then(Value::as_str).unwrap_or_default();
    state.find(FAMILY, id).ok_or_else(|| ApiError::not_found("token", id))
}

fn update(state: &mut State, input: &Value) -> Result<Answer, ApiError> {
    let (n, old) = token(state, input)?;
    let mut object = old.clone();
    if let (Value::Object(fields), Some(hint)) = (&mut object, input.get("token_hint")) {
        fields.insert("token_hint".into(), hint.clone());
        fields.insert("modified_date".into(), json!(state.now_text()));
    }
    state.put(FAMILY, n, object.clone());
    Ok((StatusCode::OK, Some(json!({ "token": object }))))
}

fn list(state: &State, input: &Value) -> Value {
    let tokens: Vec<Value> = state
        .objects_of(FAMILY)
        .into_iter()
        .flat_map(|objects| objects.values())
        .filter(|t| {
            ["client_id", "requested_token_type", "subject"]
                .iter()
                .all(|name| input.get(*name).is_none_or(|wanted| t.get(*name) == Some(wanted)))
        })
        .cloned()
        .collect();
    json!({ "tokens": tokens })
}

fn delete(state: &mut State, input: &Value) -> Result<Answer, ApiError> {
    if input.get("token_id").is_none() {
        return Err(ApiError::bad_request(
            "`token_id` is required here: the token of the request was not issued by `auth-tokens.create`",
            "name the token to delete with `token_id`",
        ));
    }
    let (n, _) = token(state, input)?;
    state.remove(FAMILY, n);
    Ok((StatusCode::OK, None))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_jwt_carries_the_id_as_jti() {
        let token = jwt("don:identity:dvrv-us-1:devo/1:token/7", "don:identity:dvrv-us-1:devo/1:devu/1", 1, 2);
        assert_eq!(token.split('.').count(), 3);
        assert_eq!(jti_of(&token).as_deref(), Some("don:identity:dvrv-us-1:devo/1:token/7"));
        assert_eq!(jti_of("not-a-jwt"), None);
    }
}
