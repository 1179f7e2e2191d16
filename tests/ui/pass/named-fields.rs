// The common shape: a `POST` request with named fields; the response type is
// inferred from the name (`TagsCreateRequest` -> `TagsCreateResponse`).
use devrev::{devrev_endpoint, Endpoint, Method};
use serde::{Deserialize, Serialize};

#[devrev_endpoint(POST, "/tags.create")]
#[derive(Serialize)]
pub struct TagsCreateRequest {
    pub name: String,
    pub description: Option<String>,
}

#[derive(Deserialize)]
pub struct TagsCreateResponse {
    pub tag: serde_json::Value,
}

const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

const _: () = assert!(matches!(<TagsCreateRequest as Endpoint>::METHOD, Method::Post));
const _: () = assert!(same(<TagsCreateRequest as Endpoint>::PATH, "/tags.create"));
const _: () = assert!(!<TagsCreateRequest as Endpoint>::IDEMPOTENT);

// The inferred response and the default error body.
fn types<E: Endpoint<Response = TagsCreateResponse, Error = devrev::DevRevError>>() {}

async fn calls(client: &devrev::Client) -> devrev::Result<()> {
    let request = TagsCreateRequest { name: "vip".into(), description: None };
    let created: TagsCreateResponse = request.send(client).await?;
    let _tag: serde_json::Value = created.tag;
    let meta: devrev::Response<TagsCreateResponse> = request.send_with_meta(client).await?;
    let _status: u16 = meta.status();
    Ok(())
}

fn main() {
    types::<TagsCreateRequest>();
    let _ = calls;
}
