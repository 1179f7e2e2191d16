//! `builder` in a user's crate: `new` and the setters build exactly the
//! request a struct literal does (the wire tests in `tags_create.rs` send it).

use devrev_downstream_example::tags::{TagStyle, TagsCreateRequest};

#[test]
fn setters_build_the_literal() {
    let built = TagsCreateRequest::new("vip")
        .allowed_values(["gold", "silver"])
        .description(String::from("Key accounts"))
        .style_new(TagStyle { color: Some("#ff8800".into()) });
    let literal = TagsCreateRequest {
        name: "vip".into(),
        allowed_values: Some(vec!["gold".into(), "silver".into()]),
        description: Some("Key accounts".into()),
        style_new: Some(TagStyle { color: Some("#ff8800".into()) }),
    };
    assert_eq!(built, literal);
}

#[test]
fn new_leaves_every_option_unset() {
    let request = TagsCreateRequest::new(String::from("vip"));
    assert_eq!(
        request,
        TagsCreateRequest { name: "vip".into(), allowed_values: None, description: None, style_new: None }
    );
}
