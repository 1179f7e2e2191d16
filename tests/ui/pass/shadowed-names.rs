// The generated code names everything by absolute path: user items named like
// prelude items, like the runtime's types, or like the attribute's own helpers
// change nothing.
#![allow(dead_code, non_camel_case_types)]

use devrev::devrev_endpoint;
use serde::{Deserialize, Serialize};

struct Option;
struct String;
struct Vec;
struct Result;
struct Box;
struct Send;
struct Sync;
struct Client;
struct Page;
struct Endpoint;
struct Response;
mod core {}
mod std {}

// A request named like one of the helpers the `paginate` check declares.
#[devrev_endpoint(GET, "/tags.list", response = TagsListResponse, paginate)]
#[derive(::std::clone::Clone, Serialize)]
pub struct NotAPage {
    pub cursor: ::std::option::Option<::std::string::String>,
}

#[derive(Deserialize, devrev::Page)]
pub struct TagsListResponse {
    pub tags: ::std::vec::Vec<::std::string::String>,
    pub next_cursor: ::std::option::Option<::std::string::String>,
}

#[devrev_endpoint(POST, "/tags.create")]
#[derive(Serialize)]
pub struct TagsCreateRequest;

#[derive(Deserialize)]
pub struct TagsCreateResponse {}

async fn calls(client: &devrev::Client) -> devrev::Result<()> {
    let _ = NotAPage { cursor: ::std::option::Option::None }.items(client).try_next().await?;
    let _ = TagsCreateRequest.send(client).await?;
    ::std::result::Result::Ok(())
}

fn main() {
    let _ = calls;
}
