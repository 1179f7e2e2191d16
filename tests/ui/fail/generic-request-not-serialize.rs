use devrev::devrev_endpoint;

#[devrev_endpoint(POST, "/tags.create")]
#[derive(serde::Serialize)]
pub struct TagsCreateRequest<T> {
    pub name: T,
}

#[derive(serde::Deserialize)]
pub struct TagsCreateResponse {}

pub struct NotSerialize;

async fn call(client: &devrev::Client) {
    let _ = TagsCreateRequest { name: NotSerialize }.send(client).await;
}

fn main() {
    let _ = call;
}
