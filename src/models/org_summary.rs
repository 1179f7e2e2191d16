//! Helpers on the generated [`OrgSummary`](crate::models::OrgSummary).

use crate::models::OrgSummary;

impl OrgSummary {
    /// The org's ID, whatever its kind.
    pub fn id(&self) -> Option<&str> {
        match self {
            OrgSummary::Account(o) => Some(&o.id),
            OrgSummary::DevOrg(o) => Some(&o.id),
            OrgSummary::RevOrg(o) => Some(&o.id),
            OrgSummary::Unknown(o) => o.id(),
        }
    }
}
