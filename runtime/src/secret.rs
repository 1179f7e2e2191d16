//! [`Secret`]: how generated models hold a value that grants access (a
//! webhook's `secret`, an SSO connection's `client_secret`, the
//! `access_token` and `refresh_token` `auth-tokens.create` answers, ...).
//!
//! A `Secret` keeps its text in a [`secrecy::SecretString`] (zeroed when
//! dropped), prints `Secret(<redacted>)` in `Debug` (the crate's one
//! redaction marker, as `Token(<redacted>)`), and has no `Display`; the value
//! comes out only through [`Secret::expose_secret`]. Unlike a bare
//! `SecretString` (whose `Serialize` secrecy 0.10 leaves out on purpose), it
//! serializes to the exact wire value, because a model that holds one must be
//! sent to DevRev (`webhooks.create` with your own `secret`), and it
//! deserializes from a JSON string.
//!
//! ```
//! use devrev_runtime::Secret;
//!
//! let secret = Secret::from("s3cr3t-value");
//! assert_eq!(format!("{secret:?}"), "Secret(<redacted>)");
//! assert_eq!(secret.expose_secret(), "s3cr3t-value");
//! assert_eq!(serde_json::to_string(&secret).unwrap(), r#""s3cr3t-value""#);
//! let back: Secret = serde_json::from_str(r#""s3cr3t-value""#).unwrap();
//! assert_eq!(back, secret);
//! ```

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::redact::REDACTED;

/// secrecy's trait and string type, for code that names them (`devrev::secret::ExposeSecret`).
pub use secrecy::{ExposeSecret, SecretString};

/// A secret text value of a model: `Secret(<redacted>)` in `Debug`, the wire value
/// in JSON, readable with [`expose_secret`](Self::expose_secret). See the
/// [module docs](self).
#[derive(Clone)]
pub struct Secret(SecretString);

impl Secret {
    /// Wraps `value` (every byte kept as given).
    pub fn new(value: impl Into<String>) -> Self {
        Secret(SecretString::from(value.into()))
    }

    /// The secret's text. Never log what it returns.
    pub fn expose_secret(&self) -> &str {
        self.0.expose_secret()
    }

    /// The [`SecretString`] inside, for code that takes secrecy's type.
    pub fn into_secret_string(self) -> SecretString {
        self.0
    }
}

impl ExposeSecret<str> for Secret {
    fn expose_secret(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({REDACTED})")
    }
}

impl Default for Secret {
    /// An empty secret (what a `Default` model holds before it is set).
    fn default() -> Self {
        Secret::new(String::new())
    }
}

/// Equal when the texts are equal; compares every byte of equal-length
/// values (no early exit on the first difference).
impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        let (a, b) = (self.expose_secret().as_bytes(), other.expose_secret().as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

impl Eq for Secret {}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret::new(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret::new(value)
    }
}

impl From<SecretString> for Secret {
    fn from(value: SecretString) -> Self {
        Secret(value)
    }
}

impl From<Secret> for SecretString {
    fn from(value: Secret) -> Self {
        value.0
    }
}

impl Serialize for Secret {
    /// The exact text, as a JSON string: this is what goes on the wire.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0.expose_secret())
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Secret::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted_and_the_wire_value_is_exact() {
        let value = "p@ss \"quoted\" \\ é";
        let secret = Secret::from(value);
        assert_eq!(format!("{secret:?}"), "Secret(<redacted>)");
        assert_eq!(format!("{:#?}", Some(&secret)), "Some(\n    Secret(<redacted>),\n)");
        let wire = serde_json::to_string(&secret).unwrap();
        assert_eq!(wire, serde_json::to_string(value).unwrap());
        let back: Secret = serde_json::from_str(&wire).unwrap();
        assert_eq!(back.expose_secret(), value);
        assert!(serde_json::from_str::<Secret>("12").is_err(), "only a string is a secret");
    }

    #[test]
    fn equality_is_by_value() {
        assert_eq!(Secret::from("abc"), Secret::from("abc".to_owned()));
        assert_ne!(Secret::from("abc"), Secret::from("abd"));
        assert_ne!(Secret::from("abc"), Secret::from("abcd"));
        assert_eq!(Secret::default().expose_secret(), "");
        let inner: SecretString = Secret::from("xyz").into();
        assert_eq!(inner.expose_secret(), "xyz");
    }
}
