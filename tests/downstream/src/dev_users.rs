//! `GET /dev-users.self`: the Dev user the token belongs to.
//!
//! The smallest endpoint there is: no parameters, so the request is a unit
//! struct and the call is `DevUsersSelfRequest.send(&client)`.

use devrev::devrev_endpoint;
use devrev::models::{Timestamp, UserState, UserSummary};
use serde::{Deserialize, Serialize};

/// Asks who the token belongs to. Sends no query parameters.
///
/// The response type is inferred from the name: `DevUsersSelfResponse`.
#[devrev_endpoint(GET, "/dev-users.self")]
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct DevUsersSelfRequest;

/// The answer of `dev-users.self`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct DevUsersSelfResponse {
    /// The authenticated Dev user.
    pub dev_user: DevUser,
}

/// A Dev user: someone in the organization that builds the product.
///
/// Only the fields this crate reads; others are ignored. The timestamp, state
/// and user summary types are `devrev`'s own models, reused as they are.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct DevUser {
    /// The DON ID, such as `don:identity:dvrv-us-1:devo/0:devu/1`.
    pub id: String,
    /// The short ID, such as `DEVU-1`.
    pub display_id: Option<String>,
    /// The handle.
    pub display_name: Option<String>,
    /// The full name.
    pub full_name: Option<String>,
    /// The email address.
    pub email: Option<String>,
    /// The account state.
    pub state: Option<UserState>,
    /// Phone numbers, empty when absent.
    #[serde(default)]
    pub phone_numbers: Vec<String>,
    /// When the user was created.
    pub created_date: Option<Timestamp>,
    /// Who created the user.
    pub created_by: Option<UserSummary>,
}
