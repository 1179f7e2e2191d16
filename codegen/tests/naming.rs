//! The one naming rule for a read served as both `GET` and `POST` (`plan::names::query_form`;
//! the deprecated aliases are printed by `write::crate_source::deprecated_aliases`).

use devrev_codegen::plan::names::{old_post_form, query_form};
use devrev_codegen::write::crate_source::deprecated_aliases;

#[test]
fn the_get_form_is_the_post_forms_name_with_query() {
    assert_eq!(query_form("TagsListRequest"), "TagsListQueryRequest");
    assert_eq!(query_form("works-list-request"), "works-list-query-request");
    assert_eq!(query_form("DevUsersSelf"), "DevUsersSelfQuery");
    assert_eq!(old_post_form("TagsListRequest"), "TagsListPostRequest");
}

#[test]
fn the_old_post_name_is_a_deprecated_alias_and_for_a_unit_struct_a_value_too() {
    let alias = deprecated_aliases("TagsListRequest", false);
    assert!(alias.contains(
        "#[deprecated(since = \"0.2.0\", note = \"renamed to `TagsListRequest`\")]\npub type TagsListPostRequest = TagsListRequest;"
    ));
    assert!(!alias.contains("const"), "{alias}");
    let unit = deprecated_aliases("DevUsersSelfRequest", true);
    assert!(unit.contains("pub type DevUsersSelfPostRequest = DevUsersSelfRequest;"), "{unit}");
    assert!(unit.contains("pub const DevUsersSelfPostRequest: DevUsersSelfRequest = DevUsersSelfRequest;"), "{unit}");
}
