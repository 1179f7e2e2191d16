//! Families' own rules, as hooks on the engine's one store.
//!
//! The engine serves every family with one set of
//! rules. A family whose objects follow richer rules (accounts and rev
//! orgs: a unique `external_ref`, an account's default rev org, ...) adds
//! a [`Hook`] to its entry in [`hooks`]; the engine runs the family's hooks
//! in order for every request to it, on the same store, with the same IDs,
//! indexes, clock and events.
//!
//! Adding a hook: implement [`Hook`] (every method has a default that
//! leaves the engine's behaviour as it is), then name it in [`hooks`] under
//! the families it applies to (or for every family).

pub(crate) mod accounts;
pub(crate) mod auth_tokens;
pub(crate) mod works;

use serde_json::Value;

use crate::error::ApiError;
use crate::events::Events;
use crate::store::{Answer, Caller, State};

/// One request, as a hook sees it.
#[derive(Debug, Clone, Copy)]
// Each hook reads what its rules need; not every field is read by the hooks of today.
#[allow(dead_code)]
pub(crate) struct Call<'a> {
    /// The operation's index in [`crate::spec::API`].
    pub(crate) op: usize,
    /// The family (`accounts`, `rev-orgs`, `works`).
    pub(crate) family: &'a str,
    /// The verb (`create`, `get`, `list`, `update`, `delete`, `export`, ...).
    pub(crate) verb: &'a str,
    /// The request's fields, validated, without `null`s.
    pub(crate) input: &'a Value,
    /// The request's fields as sent: a `null` clears a field.
    pub(crate) sent: &'a Value,
    /// Who sent it.
    pub(crate) caller: Caller<'a>,
    /// Where the changes a hook makes are published.
    pub(crate) events: &'a Events,
}

/// A family's rules, entered by the engine for each request to the family.
pub(crate) trait Hook: Sync + std::fmt::Debug {
    /// Whether the family checks the IDs its requests name itself (the
    /// account a rev org is created in, an account's owners), in place of
    /// the engine's check of every ID.
    fn checks_own_references(&self) -> bool {
        false
    }

    /// Before the engine acts: refuse the request with a typed error (a
    /// 409 for a duplicate, a 400 for a value the family does not permit).
    fn before(&self, _state: &State, _call: &Call<'_>) -> Result<(), ApiError> {
        Ok(())
    }

    /// Serves the request in place of the engine's verb, on the engine's
    /// store (a family whose answers its rules shape); `None` lets the
    /// engine serve it. A hook that serves a create, an update or a list
    /// keeps the engine's custom-field rules as the engine's verbs do:
    /// [`crate::custom_fields::Fragments::write`] before the write and
    /// [`crate::custom_fields::Fragments::apply`] on the object it stores,
    /// [`crate::custom_fields::Filter`] before paging (the upgrade of the
    /// answer is the engine's, for every family).
    fn serve(&self, _state: &mut State, _call: &Call<'_>) -> Option<Result<Answer, ApiError>> {
        None
    }

    /// After the request was served: what follows from it (an account's
    /// default rev org, an account's rev orgs deleted with it), added to
    /// the answer where it shows there.
    fn after(&self, _state: &mut State, _call: &Call<'_>, _answer: &mut Answer) -> Result<(), ApiError> {
        Ok(())
    }
}

/// The hooks of `accounts`.
static ACCOUNTS: [&dyn Hook; 1] = [&accounts::Accounts];
/// The hooks of `rev-orgs`.
static REV_ORGS: [&dyn Hook; 1] = [&accounts::RevOrgs];
/// The hooks of `auth-tokens`.
static AUTH_TOKENS: [&dyn Hook; 1] = [&auth_tokens::AuthTokens];

/// Whether the engine checks the IDs a request to `family` names
/// (every ID a change names must exist): unless one of its hooks checks them.
pub(crate) fn engine_checks_references(family: &str) -> bool {
    !hooks(family).iter().any(|hook| hook.checks_own_references())
}

/// The hooks of `family`, in the order they run.
pub(crate) fn hooks(family: &str) -> &'static [&'static dyn Hook] {
    match family {
        "accounts" => &ACCOUNTS,
        "rev-orgs" => &REV_ORGS,
        "auth-tokens" => &AUTH_TOKENS,
        _ => &[],
    }
}
