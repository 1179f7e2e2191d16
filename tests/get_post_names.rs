//! One naming rule for every read DevRev serves as both `GET` and `POST`
//! (`query_form` in `codegen/src/plan/names.rs`): the `POST`, which takes every filter as JSON, is
//! `{Op}Request`; the `GET` is `{Op}QueryRequest`. The names before 0.2.0
//! (`{Op}PostRequest` for the `POST` of a pair sharing its fields) still
//! compile, as deprecated aliases of the new ones, for a release.

use devrev::accounts::{AccountsListQueryRequest, AccountsListRequest};
use devrev::rev_orgs::{RevOrgsGetQueryRequest, RevOrgsGetRequest, RevOrgsListQueryRequest, RevOrgsListRequest};
use devrev::{Endpoint, Method};

fn method<E: Endpoint>() -> Method {
    E::METHOD
}

#[test]
fn the_post_is_op_request_and_the_get_op_query_request() {
    assert!(matches!(method::<RevOrgsListRequest>(), Method::Post));
    assert!(matches!(method::<RevOrgsListQueryRequest>(), Method::Get));
    assert!(matches!(method::<RevOrgsGetRequest>(), Method::Post));
    assert!(matches!(method::<RevOrgsGetQueryRequest>(), Method::Get));
    assert!(matches!(method::<AccountsListRequest>(), Method::Post));
    assert!(matches!(method::<AccountsListQueryRequest>(), Method::Get));
    // The two forms are one request: each converts into the other, fields kept.
    let get = RevOrgsListQueryRequest::from(RevOrgsListRequest::new().limit(7));
    assert_eq!(get.limit, Some(7));
}

#[test]
#[allow(deprecated)]
fn the_names_before_0_2_0_are_deprecated_aliases_of_the_post_forms() {
    use devrev::accounts::AccountsListPostRequest;
    use devrev::rev_orgs::{RevOrgsGetPostRequest, RevOrgsListPostRequest};

    // The same types, not copies: a value of the old name is a value of the new.
    let list: RevOrgsListRequest = RevOrgsListPostRequest::new().limit(3);
    assert_eq!(list.limit, Some(3));
    let get: RevOrgsGetRequest = RevOrgsGetPostRequest::by_id("REV-1");
    assert_eq!(get.id.as_deref(), Some("REV-1"));
    let accounts: AccountsListRequest = AccountsListPostRequest::new();
    assert_eq!(accounts, AccountsListRequest::new());
    assert!(matches!(method::<RevOrgsListPostRequest>(), Method::Post));
}

#[cfg(feature = "dev-users")]
#[test]
#[allow(deprecated)]
fn a_unit_request_keeps_its_old_name_as_a_value_too() {
    use devrev::dev_users::{DevUsersSelfPostRequest, DevUsersSelfQueryRequest, DevUsersSelfRequest};

    let old: DevUsersSelfRequest = DevUsersSelfPostRequest;
    assert_eq!(old, DevUsersSelfRequest);
    assert_eq!(DevUsersSelfPostRequest::new(), DevUsersSelfRequest);
    assert!(matches!(method::<DevUsersSelfPostRequest>(), Method::Post));
    assert!(matches!(method::<DevUsersSelfQueryRequest>(), Method::Get));
}
