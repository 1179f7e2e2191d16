use devrev::devrev_endpoint;

#[devrev_endpoint(post, "tags.create", respone = TagsCreateResponse, idempotent, idempotent)]
#[derive(serde::Serialize)]
pub struct TagsCreateRequest {
    pub name: String,
}

#[derive(serde::Deserialize)]
pub struct TagsCreateResponse {
    pub id: String,
}

// Calls elsewhere in the crate add no errors of their own: the attribute
// still gives the struct stand-in `send` methods while it is wrong.
pub async fn create(client: &devrev::Client) -> devrev::Result<String> {
    let created = TagsCreateRequest { name: "vip".into() }.send(client).await?;
    let meta = TagsCreateRequest { name: "vip".into() }.send_with_meta(client).await?;
    let _ = meta.status();
    Ok(created.id)
}

fn main() {}
