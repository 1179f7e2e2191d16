//! What the spec cannot say about the `rev-orgs` family: `rev-orgs.get`
//! names a rev org by its ID or as the default rev org of an account, and
//! a rev org found by a lookup stands for the answer of its create.
//!
//! ```no_run
//! # async fn run(client: &devrev::Client) -> devrev::Result<()> {
//! use devrev::rev_orgs::RevOrgsGetRequest;
//!
//! let org = RevOrgsGetRequest::by_id("REV-AbCdEfGh").send(client).await?.rev_org;
//! let default_org = RevOrgsGetRequest::by_account("ACC-12345").send(client).await?.rev_org;
//! # Ok(()) }
//! ```

use crate::models::RevOrg;
use crate::rev_orgs::{RevOrgsCreateResponse, RevOrgsGetQueryRequest, RevOrgsGetRequest};

/// `by_id` and `by_account` for both forms of `rev-orgs.get`.
macro_rules! get_shortcuts {
    ($($request:ident),*) => {$(
        impl $request {
            /// The rev org with this ID (`REV-...` or its DON ID).
            pub fn by_id(id: impl Into<String>) -> Self {
                Self::new().id(id)
            }

            /// The default rev org of this account (`ACC-...` or its DON ID).
            pub fn by_account(account: impl Into<String>) -> Self {
                Self::new().account(account)
            }
        }
    )*};
}

get_shortcuts!(RevOrgsGetQueryRequest, RevOrgsGetRequest);

impl From<RevOrg> for RevOrgsCreateResponse {
    /// The answer `rev-orgs.create` would have given for this rev org: for
    /// lookups that settle an unknown create ([`Lookup::Found`](crate::bulk::Lookup::Found)).
    fn from(rev_org: RevOrg) -> Self {
        RevOrgsCreateResponse { rev_org }
    }
}
