//! Built-in reconciliation for bulk creates: rev orgs and accounts, looked
//! up by their external reference.
//!
//! A bulk create whose outcome is unknown (it failed after it may have been
//! applied) is settled by looking the object up: found, it is reported as
//! already present; absent, the create is resent. See
//! [`bulk`](crate::bulk) and [`SendAll::reconcile`](crate::bulk::SendAll::reconcile).
//!
//! ```no_run
//! # async fn run(client: devrev::Client, rows: Vec<(String, String)>) {
//! use devrev::reconcile::RevOrgsByExternalRef;
//! use devrev::rev_orgs::RevOrgsCreateRequest;
//!
//! let requests = rows.into_iter().map(|(name, crm_id)| {
//!     RevOrgsCreateRequest::new("ACC-12345", name).external_ref(crm_id)
//! });
//! let mut outcomes = client.send_all(requests).concurrency(16).reconcile(RevOrgsByExternalRef);
//! while let Some(outcome) = outcomes.next().await {
//!     println!("#{}: {:?}", outcome.index, outcome.result.error().map(ToString::to_string));
//! }
//! # }
//! ```

use devrev_runtime::bulk::{FindFuture, Lookup, Reconcile};

#[cfg(feature = "accounts")]
use crate::accounts::{AccountsCreateRequest, AccountsCreateResponse, AccountsListQueryRequest};
#[cfg(feature = "accounts")]
use crate::rev_orgs::RevOrgsGetQueryRequest;
use crate::rev_orgs::{RevOrgsCreateRequest, RevOrgsCreateResponse, RevOrgsListQueryRequest};
use crate::Client;

/// Finds the rev org a `rev-orgs.create` would make by its `external_ref`
/// (which DevRev keeps unique); a request without one stays unknown.
#[derive(Debug, Clone, Copy, Default)]
pub struct RevOrgsByExternalRef;

impl Reconcile<RevOrgsCreateRequest> for RevOrgsByExternalRef {
    // Compiled where it is used, not in every build of this crate (half a second of a
    // debug build: the list call and the decoding of its answer).
    #[inline]
    fn find<'a>(
        &'a self,
        client: &'a Client,
        request: &'a RevOrgsCreateRequest,
    ) -> FindFuture<'a, RevOrgsCreateResponse> {
        Box::pin(async move {
            let Some(key) = request.external_ref.as_deref().filter(|k| !k.is_empty()) else {
                return Ok(Lookup::NoKey);
            };
            let page = RevOrgsListQueryRequest::new().external_ref([key]).limit(1).send(client).await?;
            Ok(match page.rev_orgs.into_iter().next() {
                Some(rev_org) => Lookup::Found(RevOrgsCreateResponse { rev_org }),
                None => Lookup::Absent,
            })
        })
    }
}

/// Finds the account an `accounts.create` would make by the first of its
/// `external_refs`, with its default rev org; a request without one stays unknown.
/// Needs the feature `accounts` (on by default) as well as `rev-orgs`.
#[cfg(feature = "accounts")]
#[derive(Debug, Clone, Copy, Default)]
pub struct AccountsByExternalRef;

#[cfg(feature = "accounts")]
impl Reconcile<AccountsCreateRequest> for AccountsByExternalRef {
    #[inline]
    fn find<'a>(
        &'a self,
        client: &'a Client,
        request: &'a AccountsCreateRequest,
    ) -> FindFuture<'a, AccountsCreateResponse> {
        Box::pin(async move {
            let Some(key) = request.external_refs.iter().flatten().find(|k| !k.is_empty()) else {
                return Ok(Lookup::NoKey);
            };
            let page = AccountsListQueryRequest::new().external_refs([key.as_str()]).limit(1).send(client).await?;
            let Some(account) = page.accounts.into_iter().next() else {
                return Ok(Lookup::Absent);
            };
            let default_rev_org = RevOrgsGetQueryRequest::by_account(account.id.clone()).send(client).await?.rev_org;
            Ok(Lookup::Found(AccountsCreateResponse { account, default_rev_org }))
        })
    }
}
