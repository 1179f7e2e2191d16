// `response = ...` with any type: a path, a generic type, `serde_json::Value`.
use devrev::{devrev_endpoint, Endpoint};
use serde::{Deserialize, Serialize};

mod models {
    #[derive(serde::Deserialize)]
    pub struct Tag {
        pub id: String,
    }
}

#[derive(Deserialize)]
pub struct Wrapped<T> {
    pub tag: T,
}

// The name does not end in `Request`: `response` is required.
#[devrev_endpoint(POST, "/tags.create", response = Wrapped<models::Tag>)]
#[derive(Serialize)]
pub struct CreateTag {
    pub name: String,
}

#[devrev_endpoint(GET, "/tags.get", response = serde_json::Value)]
#[derive(Serialize)]
pub struct TagsGetRequest {
    pub id: String,
}

// `response` wins over the inferred `TagsDeleteResponse`, which need not exist.
#[devrev_endpoint(POST, "/tags.delete", response = ())]
#[derive(Serialize)]
pub struct TagsDeleteRequest {
    pub id: String,
}

fn types<E: Endpoint<Response = R>, R>() {}

async fn calls(client: &devrev::Client) -> devrev::Result<()> {
    let created: Wrapped<models::Tag> = CreateTag { name: "vip".into() }.send(client).await?;
    let _: String = created.tag.id;
    let _: serde_json::Value = TagsGetRequest { id: "TAG-1".into() }.send(client).await?;
    let (): () = TagsDeleteRequest { id: "TAG-1".into() }.send(client).await?;
    Ok(())
}

fn main() {
    types::<CreateTag, Wrapped<models::Tag>>();
    types::<TagsGetRequest, serde_json::Value>();
    types::<TagsDeleteRequest, ()>();
    let _ = calls;
}
