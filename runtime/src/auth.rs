//! Authentication: the API token and how it reaches the wire.
//!
//! DevRev authenticates every request with `Authorization: Bearer <token>`.
//! The token lives in a [`Token`], whose `Debug` and `Display` never show it;
//! the header built from it is marked sensitive so that hyper and reqwest
//! leave it out of their own logs. Nothing in this crate logs it, redirects
//! are never followed (so it never travels to another host), and if a server
//! or proxy echoes it back in an error body, it is replaced by `<redacted>`
//! in the error's excerpt and messages.

use std::fmt;

use reqwest::header::HeaderValue;
use secrecy::{ExposeSecret, SecretString};

use crate::error::ConfigError;
use crate::redact::REDACTED;

/// The environment variable [`Client::from_env`](crate::Client::from_env) reads
/// the token from, as DevRev's official SDKs do.
pub const TOKEN_ENV: &str = "DEVREV_TOKEN";

/// A DevRev API token (a PAT, an AAT, a session or a system-user token).
///
/// It prints as `Token(<redacted>)` in `Debug` and `<redacted>` in
/// `Display`, so it cannot leak through a log line or an error message.
#[derive(Clone)]
pub struct Token(SecretString);

impl Token {
    /// Wraps a token. Surrounding whitespace is trimmed; an empty token or one
    /// that cannot be sent in a header is a [`ConfigError`].
    pub fn new(token: impl Into<String>) -> Result<Self, ConfigError> {
        let token: String = token.into();
        let trimmed = token.trim();
        if trimmed.is_empty() {
            return Err(ConfigError::EmptyToken);
        }
        if HeaderValue::from_str(trimmed).is_err() {
            return Err(ConfigError::InvalidToken);
        }
        Ok(Token(SecretString::from(trimmed.to_owned())))
    }

    /// The token's value. Call this only to hand the token to something that
    /// needs it; never log what it returns.
    pub fn expose_secret(&self) -> &str {
        self.0.expose_secret()
    }

    /// The `Authorization` header value, marked sensitive.
    pub(crate) fn header_value(&self) -> HeaderValue {
        let mut value =
            HeaderValue::from_str(&format!("Bearer {}", self.0.expose_secret())).expect("checked by Token::new");
        value.set_sensitive(true);
        value
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Token({REDACTED})")
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_never_prints() {
        let token = Token::new("  eyJhbGciOi.secret-part  ").unwrap();
        assert_eq!(format!("{token:?}"), "Token(<redacted>)");
        assert_eq!(token.to_string(), "<redacted>");
        assert_eq!(token.expose_secret(), "eyJhbGciOi.secret-part");
        assert!(token.header_value().is_sensitive());
    }

    #[test]
    fn empty_and_invalid_tokens_are_config_errors() {
        assert!(matches!(Token::new("   "), Err(ConfigError::EmptyToken)));
        assert!(matches!(Token::new("a\nb"), Err(ConfigError::InvalidToken)));
    }
}
