//! Helpers on the generated [`UserSummary`](crate::models::UserSummary): what
//! every kind of user has, whatever its kind.

use crate::models::UserSummary;

impl UserSummary {
    /// The user's ID, whatever its kind.
    pub fn id(&self) -> Option<&str> {
        match self {
            UserSummary::DevUser(u) => Some(&u.id),
            UserSummary::RevUser(u) => Some(&u.id),
            UserSummary::ServiceAccount(u) => Some(&u.id),
            UserSummary::SysUser(u) => Some(&u.id),
            UserSummary::Unknown(o) => o.id(),
        }
    }

    /// The user's display name, whatever its kind.
    pub fn display_name(&self) -> Option<&str> {
        match self {
            UserSummary::DevUser(u) => u.display_name.as_deref(),
            UserSummary::RevUser(u) => u.display_name.as_deref(),
            UserSummary::ServiceAccount(u) => u.display_name.as_deref(),
            UserSummary::SysUser(u) => u.display_name.as_deref(),
            UserSummary::Unknown(o) => o.fields.get("display_name")?.as_str(),
        }
    }
}
