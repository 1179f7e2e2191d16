// The futures of `send` and `send_with_meta`, as users hold them: `Send` (the
// request is `Sync`), spawnable with an owned request and client, and
// borrowing a request and a client of different lifetimes for as long as both
// live; the same on a paginated request and on a request with a lifetime.
use std::future::Future;

use devrev::devrev_endpoint;
use serde::{Deserialize, Serialize};

#[devrev_endpoint(POST, "/tags.create")]
#[derive(Debug, Clone, Serialize)]
pub struct TagsCreateRequest {
    pub name: String,
}

#[derive(Debug, Deserialize)]
pub struct TagsCreateResponse {
    pub id: String,
}

#[devrev_endpoint(GET, "/tags.list", paginate)]
#[derive(Debug, Clone, Serialize)]
pub struct TagsListRequest {
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, devrev::Page)]
pub struct TagsListResponse {
    pub tags: Vec<TagsCreateResponse>,
    pub next_cursor: Option<String>,
}

#[devrev_endpoint(POST, "/tags.get", response = TagsCreateResponse)]
#[derive(Debug, Serialize)]
pub struct TagsGetRequest<'a> {
    pub id: &'a str,
}

fn is_send<T: Send>(value: T) -> T {
    value
}

// The request and the client borrowed for different lifetimes.
fn borrowed<'r, 'c: 'r>(
    request: &'r TagsCreateRequest,
    client: &'c devrev::Client,
) -> impl Future<Output = devrev::Result<TagsCreateResponse>> + Send + 'r {
    request.send(client)
}

fn with_meta<'r>(
    request: &'r TagsListRequest,
    client: &'r devrev::Client,
) -> impl Future<Output = devrev::Result<devrev::Response<TagsListResponse>>> + Send + 'r {
    request.send_with_meta(client)
}

async fn calls(client: devrev::Client) -> devrev::Result<()> {
    let request = TagsCreateRequest { name: "vip".into() };
    let created: TagsCreateResponse = is_send(request.send(&client)).await?;
    let _ = created.id;
    let _ = is_send(borrowed(&request, &client)).await?;
    let listed = with_meta(&TagsListRequest { cursor: None }, &client).await?;
    let _ = listed.value.tags;
    let id = String::from("tag-1");
    let _ = is_send(TagsGetRequest { id: &id }.send(&client)).await?;
    // Owned request and client: the spawned future is `Send + 'static`.
    let task = tokio::spawn(async move { request.send(&client).await });
    let _ = task.await;
    Ok(())
}

fn main() {
    let _ = calls;
}
