//! The summaries DevRev embeds in objects: who created or changed something,
//! which org or account it belongs to, its artifacts and tags.

use serde::{Deserialize, Serialize};

string_enum! {
    /// The state of a user.
    pub enum UserState {
        /// `active`
        Active = "active",
        /// `deactivated`
        Deactivated = "deactivated",
        /// `deleted`
        Deleted = "deleted",
        /// `locked`
        Locked = "locked",
        /// `shadow`
        Shadow = "shadow",
        /// `unassigned`
        Unassigned = "unassigned",
    }
}

/// The fields every kind of user summary carries (dev users, service
/// accounts and system users carry exactly these).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UserBaseSummary {
    /// The user's ID, in DON form.
    pub id: String,
    /// The human-readable ID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_id: Option<String>,
    /// The name shown for the user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// The user's picture.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_picture: Option<ArtifactSummary>,
    /// The user's email address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The user's full name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_name: Option<String>,
    /// The user's state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<UserState>,
}

/// A rev (customer) user: the base fields plus its external reference and org.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RevUserSummary {
    /// The user's ID, in DON form.
    pub id: String,
    /// The human-readable ID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_id: Option<String>,
    /// The name shown for the user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// The user's picture.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_picture: Option<ArtifactSummary>,
    /// The user's email address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The user's full name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_name: Option<String>,
    /// The user's state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<UserState>,
    /// The user's ID in the customer's own system.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_ref: Option<String>,
    /// The org the user belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rev_org: Option<OrgSummary>,
}

tagged_union! {
    /// Who did something: a user summary, tagged on `type`.
    pub enum UserSummary {
        /// `dev_user`: a member of the DevRev org.
        DevUser(UserBaseSummary) = "dev_user",
        /// `rev_user`: a customer's user.
        RevUser(RevUserSummary) = "rev_user",
        /// `service_account`
        ServiceAccount(UserBaseSummary) = "service_account",
        /// `sys_user`: DevRev itself.
        SysUser(UserBaseSummary) = "sys_user",
    }
}

impl UserSummary {
    /// The user's ID, whatever its kind.
    pub fn id(&self) -> Option<&str> {
        match self {
            UserSummary::DevUser(u) | UserSummary::ServiceAccount(u) | UserSummary::SysUser(u) => Some(&u.id),
            UserSummary::RevUser(u) => Some(&u.id),
            UserSummary::Unknown(o) => o.id(),
        }
    }

    /// The user's display name, whatever its kind.
    pub fn display_name(&self) -> Option<&str> {
        match self {
            UserSummary::DevUser(u) | UserSummary::ServiceAccount(u) | UserSummary::SysUser(u) => {
                u.display_name.as_deref()
            }
            UserSummary::RevUser(u) => u.display_name.as_deref(),
            UserSummary::Unknown(o) => o.fields.get("display_name")?.as_str(),
        }
    }
}

/// An account or rev org, as embedded in another object.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AccountSummary {
    /// The ID, in DON form.
    pub id: String,
    /// The human-readable ID (`ACC-...`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_id: Option<String>,
    /// The name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
}

/// A rev org, as embedded in another object.
pub type RevOrgSummary = AccountSummary;

/// A dev org (a DevRev tenant), as embedded in another object.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DevOrgSummary {
    /// The ID, in DON form.
    pub id: String,
    /// The human-readable ID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_id: Option<String>,
    /// The name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// The org's slug.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dev_slug: Option<String>,
}

tagged_union! {
    /// An org, tagged on `type`.
    pub enum OrgSummary {
        /// `account`
        Account(AccountSummary) = "account",
        /// `dev_org`
        DevOrg(DevOrgSummary) = "dev_org",
        /// `rev_org`
        RevOrg(RevOrgSummary) = "rev_org",
    }
}

impl OrgSummary {
    /// The org's ID, whatever its kind.
    pub fn id(&self) -> Option<&str> {
        match self {
            OrgSummary::Account(o) | OrgSummary::RevOrg(o) => Some(&o.id),
            OrgSummary::DevOrg(o) => Some(&o.id),
            OrgSummary::Unknown(o) => o.id(),
        }
    }
}

/// The file behind an artifact.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ArtifactFileSummary {
    /// The MIME type.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
    /// The file name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The size in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
}

/// An artifact (an uploaded file), as embedded in another object.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ArtifactSummary {
    /// The ID, in DON form.
    pub id: String,
    /// The human-readable ID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_id: Option<String>,
    /// The file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<ArtifactFileSummary>,
}

/// How a tag is drawn.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TagStyle {
    /// The tag's color.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
}

/// A tag, as embedded in another object.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TagSummary {
    /// The ID, in DON form.
    pub id: String,
    /// The tag's name.
    pub name: String,
    /// The human-readable ID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_id: Option<String>,
    /// How the tag is drawn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub style_new: Option<TagStyle>,
}

/// A tag on an object, with its value if the tag takes one.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TagWithValue {
    /// The tag.
    pub tag: TagSummary,
    /// The tag's value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// A tag to set on an object: its ID and, if the tag takes one, a value.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SetTagWithValue {
    /// The tag's ID.
    pub id: String,
    /// The value to set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

impl SetTagWithValue {
    /// A tag without a value.
    pub fn new(id: impl Into<String>) -> Self {
        SetTagWithValue { id: id.into(), value: None }
    }

    /// A tag with a value.
    pub fn with_value(id: impl Into<String>, value: impl Into<String>) -> Self {
        SetTagWithValue { id: id.into(), value: Some(value.into()) }
    }
}

impl From<&str> for SetTagWithValue {
    fn from(id: &str) -> Self {
        SetTagWithValue::new(id)
    }
}

impl From<String> for SetTagWithValue {
    fn from(id: String) -> Self {
        SetTagWithValue::new(id)
    }
}
