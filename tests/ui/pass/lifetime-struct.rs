// A request that borrows its fields.
use devrev::{devrev_endpoint, Endpoint};
use serde::{Deserialize, Serialize};

#[devrev_endpoint(GET, "/tags.get")]
#[derive(Serialize)]
pub struct TagsGetRequest<'a> {
    pub id: &'a str,
}

#[derive(Deserialize)]
pub struct TagsGetResponse {
    pub tag: serde_json::Value,
}

#[devrev_endpoint(POST, "/tags.update", response = TagsGetResponse)]
#[derive(Serialize)]
pub struct TagsUpdateRequest<'a, 'b: 'a> {
    pub id: &'a str,
    pub name: Option<&'b str>,
    pub aliases: &'a [&'b str],
}

fn types<'a, E: Endpoint<Response = TagsGetResponse> + 'a>() {}

async fn calls(client: &devrev::Client, id: &str) -> devrev::Result<()> {
    let owned = String::from("vip");
    let _ = TagsGetRequest { id }.send(client).await?.tag;
    let _ = TagsGetRequest { id }.send_with_meta(client).await?;
    let aliases = [owned.as_str()];
    let _ = TagsUpdateRequest { id, name: Some(&owned), aliases: &aliases }.send(client).await?;
    Ok(())
}

fn main() {
    types::<TagsGetRequest<'static>>();
    types::<TagsUpdateRequest<'static, 'static>>();
    let _ = calls;
}
