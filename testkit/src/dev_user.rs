//! A dev user: who a token acts as, and how objects embed it.

use crate::ids::{self, Kind};
use crate::wire;

/// A dev user: who a token acts as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DevUser {
    pub(crate) num: u32,
    pub(crate) name: String,
}

impl DevUser {
    pub(crate) fn don(&self) -> String {
        ids::don(Kind::DevUser, &self.num.to_string())
    }

    pub(crate) fn display_id(&self) -> String {
        ids::display(Kind::DevUser, &self.num.to_string())
    }

    /// The user summary embedded in objects (`created_by`, `owned_by`, ...).
    pub(crate) fn summary(&self) -> wire::UserSummary {
        wire::UserSummary {
            kind: "dev_user",
            id: self.don(),
            display_id: self.display_id(),
            display_name: self.name.clone(),
            email: format!("{}@testkit.invalid", self.name),
            full_name: format!("Testkit user {}", self.name),
            state: "active",
        }
    }
}
