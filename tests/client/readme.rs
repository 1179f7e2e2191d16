//! The README's code that is run elsewhere is the code that runs: the
//! "Works and tickets" section is `examples/tickets.rs` (between its
//! `README: works and tickets` markers), which CI runs against the embedded
//! server and which checks every answer.

#[cfg(feature = "dev-users")]
use crate::common;

use std::path::Path;

fn read(path: &str) -> String {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

/// The first ```` ```rust ```` block after `heading`.
fn block_after(markdown: &str, heading: &str) -> String {
    let section = &markdown[markdown.find(heading).unwrap_or_else(|| panic!("no {heading:?} in the README"))..];
    let start = section.find("```rust\n").expect("a rust block in the section") + "```rust\n".len();
    let len = section[start..].find("```\n").expect("the block ends");
    section[start..start + len].to_owned()
}

#[test]
fn the_works_and_tickets_section_is_the_example_it_names() {
    let example = read("examples/tickets.rs");
    let begin = "// README: works and tickets (begin)\n";
    let end = "    // README: works and tickets (end)\n";
    let from = example.find(begin).expect("begin marker") + begin.len();
    let to = example.find(end).expect("end marker");
    // The README closes the function where the example goes on to check the answers.
    let expected = format!("{}\n    Ok(())\n}}\n", example[from..to].trim_end());
    let shown = block_after(&read("README.md"), "## Works and tickets");
    assert_eq!(shown, expected, "README.md's works and tickets code differs from examples/tickets.rs");
    // It is the code a user runs: it creates, lists, updates and comments.
    for call in
        ["WorksCreateRequest::new(", ".items(client)", "WorksUpdateRequest::new(", "TimelineEntriesCreateRequest::new("]
    {
        assert!(shown.contains(call), "the section lost {call}");
    }
}

/// "An endpoint with no parameters is a unit struct:
/// `DevUsersSelfRequest.send(&client)`": the built-in ones are too (either form). The
/// embedded server holds both forms to DevRev's spec (the `POST` form must
/// send a JSON object, `{}`), and both answer the caller.
#[cfg(feature = "dev-users")]
#[tokio::test]
async fn a_built_in_request_without_fields_is_a_unit_struct() {
    use devrev::dev_users::{DevUsersSelfQueryRequest, DevUsersSelfRequest};

    let server = devrev_testkit::TestServer::start().await;
    let client = common::testkit_client(&server);
    let me = DevUsersSelfQueryRequest.send(&client).await.expect("GET /dev-users.self").dev_user;
    let same = DevUsersSelfRequest.send(&client).await.expect("POST /dev-users.self").dev_user;
    assert_eq!(me.id, same.id);
    assert!(me.id.starts_with("don:identity:"), "{}", me.id);
    // The builder form and the conversions still work, and are the same value.
    assert_eq!(DevUsersSelfQueryRequest::new(), DevUsersSelfQueryRequest);
    assert_eq!(DevUsersSelfRequest::from(DevUsersSelfQueryRequest), DevUsersSelfRequest);
}
