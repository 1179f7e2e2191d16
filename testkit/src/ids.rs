//! IDs: DON form (`don:identity:dvrv-us-1:devo/1:revo/AbCdEfGh`) and display
//! form (`REV-AbCdEfGh`). Every object has both; requests may use either.

use crate::error::ApiError;

/// The DON prefix of every object this server holds: one dev org, `devo/1`.
pub(crate) const DON_PREFIX: &str = "don:identity:dvrv-us-1:devo/1:";

/// The kinds of object the server gives IDs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Account,
    RevOrg,
    DevUser,
}

impl Kind {
    const ALL: [Kind; 3] = [Kind::Account, Kind::RevOrg, Kind::DevUser];

    /// The type segment of a DON ID.
    fn segment(self) -> &'static str {
        match self {
            Kind::Account => "account",
            Kind::RevOrg => "revo",
            Kind::DevUser => "devu",
        }
    }

    /// The prefix of a display ID.
    fn display_prefix(self) -> &'static str {
        match self {
            Kind::Account => "ACC-",
            Kind::RevOrg => "REV-",
            Kind::DevUser => "DEVU-",
        }
    }

    /// "an account", for messages.
    pub(crate) fn noun(self) -> &'static str {
        match self {
            Kind::Account => "an account",
            Kind::RevOrg => "a rev org",
            Kind::DevUser => "a dev user",
        }
    }
}

/// The DON ID of an object.
pub(crate) fn don(kind: Kind, key: &str) -> String {
    format!("{DON_PREFIX}{}/{key}", kind.segment())
}

/// The display ID of an object.
pub(crate) fn display(kind: Kind, key: &str) -> String {
    format!("{}{key}", kind.display_prefix())
}

/// A fresh key: eight letters and digits.
pub(crate) fn new_key() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    (0..8).map(|_| ALPHABET[fastrand::usize(..ALPHABET.len())] as char).collect()
}

fn valid_key(key: &str) -> bool {
    !key.is_empty() && key.len() <= 64 && key.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// What an ID names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Parsed {
    /// An object of the expected kind in this dev org, by key (it may not exist).
    Key(String),
    /// A well-formed ID of the expected kind that cannot be here (another dev org).
    Elsewhere,
}

/// Reads `raw` as an ID of `kind`, for the request field `field`.
///
/// Malformed IDs are `invalid_id`; IDs of another kind are `unexpected_id_type`.
pub(crate) fn parse(kind: Kind, field: &str, raw: &str) -> Result<Parsed, ApiError> {
    let raw = raw.trim();
    if let Some(rest) = raw.strip_prefix("don:") {
        // don:<service>:<region>:devo/<n>:<type>/<key>
        let parts: Vec<&str> = rest.split(':').collect();
        let well_formed = parts.len() == 4
            && parts[..3].iter().all(|p| !p.is_empty())
            && parts[2].strip_prefix("devo/").is_some_and(valid_key);
        let Some((segment, key)) = parts.last().and_then(|p| p.split_once('/')) else {
            return Err(ApiError::invalid_id(field, raw));
        };
        if !well_formed || !valid_key(key) {
            return Err(ApiError::invalid_id(field, raw));
        }
        if segment != kind.segment() {
            return Err(ApiError::unexpected_id_type(field, raw, kind.noun()));
        }
        return Ok(if raw.starts_with(DON_PREFIX) { Parsed::Key(key.to_owned()) } else { Parsed::Elsewhere });
    }
    if let Some(key) = raw.strip_prefix(kind.display_prefix()) {
        return if valid_key(key) { Ok(Parsed::Key(key.to_owned())) } else { Err(ApiError::invalid_id(field, raw)) };
    }
    let other_kind = Kind::ALL.iter().any(|k| raw.strip_prefix(k.display_prefix()).is_some_and(valid_key));
    if other_kind {
        return Err(ApiError::unexpected_id_type(field, raw, kind.noun()));
    }
    Err(ApiError::invalid_id(field, raw))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_type(e: ApiError) -> String {
        e.body["type"].as_str().unwrap_or_default().to_owned()
    }

    #[test]
    fn both_forms_name_the_same_key() {
        let key = new_key();
        assert_eq!(key.len(), 8);
        let want = Parsed::Key(key.clone());
        assert_eq!(parse(Kind::RevOrg, "id", &don(Kind::RevOrg, &key)).unwrap(), want);
        assert_eq!(parse(Kind::RevOrg, "id", &display(Kind::RevOrg, &key)).unwrap(), want);
        assert_eq!(don(Kind::Account, "Ab12"), "don:identity:dvrv-us-1:devo/1:account/Ab12");
        assert_eq!(display(Kind::Account, "Ab12"), "ACC-Ab12");
    }

    #[test]
    fn other_dev_org_is_elsewhere() {
        assert_eq!(parse(Kind::RevOrg, "id", "don:identity:dvrv-us-1:devo/7:revo/Ab12").unwrap(), Parsed::Elsewhere);
    }

    #[test]
    fn malformed_and_wrong_kind() {
        for bad in [
            "",
            "garbage",
            "REV-",
            "REV-a/b",
            "don:identity",
            "don:identity:dvrv-us-1:devo/1:revo/",
            "don::x:devo/1:revo/A",
        ] {
            assert_eq!(error_type(parse(Kind::RevOrg, "id", bad).unwrap_err()), "invalid_id", "{bad:?}");
        }
        for other in ["ACC-Ab12", "don:identity:dvrv-us-1:devo/1:account/Ab12", "DEVU-1"] {
            assert_eq!(error_type(parse(Kind::RevOrg, "id", other).unwrap_err()), "unexpected_id_type", "{other}");
        }
    }
}
