//! DevRev's objects, as this crate decodes and encodes them: every model is
//! generated from DevRev's spec by `devrev-codegen` and compiled when a family
//! feature that needs it is on (`rev-orgs` and `accounts`, on by default, need
//! [`RevOrg`], [`Account`], [`UserSummary`], ...). What is not a schema of the
//! spec is here: [`UnknownObject`], [`Timestamp`], [`CustomFields`].
//!
//! Where models live (all re-exported here, whatever the file):
//! - a model one family uses: `src/generated/<family>/models.rs`;
//! - a model several families use: `src/generated/shared/<families>.rs`, one
//!   module per set of families;
//! - hand-written helpers on a generated model (`UserSummary::id`,
//!   `DateTimeFilter::between`): `src/models/<schema>.rs`, beside this file, declared
//!   beside the model by its generated file;
//! - the types that are not schemas of the spec: this file.
//!
//! Every model ignores fields it does not know, so DevRev can add fields
//! without breaking decoding. Enums of wire strings (such as
//! [`OrgEnvironment`]) decode a value this crate does not know into an
//! `Unknown(String)` variant, and unions tagged on `type` (such as
//! [`UserSummary`]) decode an unknown `type` into `Unknown` with its fields.

// The models the generated families need, each compiled only when a family
// feature that needs it is on.
#[allow(unused_imports)] // without a family feature there is nothing to re-export
pub use crate::generated::models::*;

/// An object of a `type` this crate does not know yet: the tag and the raw fields.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct UnknownObject {
    /// The `type` tag as sent.
    pub type_name: String,
    /// The object's other fields, as sent.
    pub fields: serde_json::Map<String, serde_json::Value>,
}

impl UnknownObject {
    /// The object's `id`, if it has a string one.
    pub fn id(&self) -> Option<&str> {
        self.fields.get("id")?.as_str()
    }

    /// For `tagged_union!` expanded in another crate, which cannot build a
    /// `#[non_exhaustive]` struct with a literal.
    #[doc(hidden)]
    pub fn __from_parts(type_name: String, fields: serde_json::Map<String, serde_json::Value>) -> Self {
        UnknownObject { type_name, fields }
    }
}

/// A date and time as DevRev sends it (RFC 3339, UTC).
pub type Timestamp = chrono::DateTime<chrono::Utc>;

/// Application-defined custom fields: any JSON object.
pub type CustomFields = serde_json::Map<String, serde_json::Value>;
