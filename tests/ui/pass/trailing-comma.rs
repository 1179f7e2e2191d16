// A trailing comma after the last argument, with or without options.
use devrev::{devrev_endpoint, Endpoint};
use serde::{Deserialize, Serialize};

#[devrev_endpoint(POST, "/tags.create")]
#[derive(Serialize)]
pub struct TagsCreateRequest {
    pub name: String,
}

#[derive(Deserialize)]
pub struct TagsCreateResponse {}

#[devrev_endpoint(
    POST,
    "/tags.get",
    response = TagsCreateResponse,
    idempotent,
)]
#[derive(Serialize)]
pub struct TagsGetPostRequest {
    pub id: String,
}

const _: () = assert!(<TagsGetPostRequest as Endpoint>::IDEMPOTENT);

async fn calls(client: &devrev::Client) -> devrev::Result<()> {
    let _ = TagsCreateRequest { name: "vip".into() }.send(client).await?;
    let _ = TagsGetPostRequest { id: "TAG-1".into() }.send_with_meta(client).await?;
    Ok(())
}

fn main() {
    let _ = calls;
}
