// Requests of any visibility: the generated methods are `pub` inherent
// methods, which is allowed on a private type.
use devrev::devrev_endpoint;
use serde::{Deserialize, Serialize};

mod inner {
    use super::*;

    #[devrev_endpoint(POST, "/tags.create")]
    #[derive(Serialize)]
    pub(crate) struct TagsCreateRequest {
        pub(crate) name: String,
    }

    #[derive(Deserialize)]
    pub(crate) struct TagsCreateResponse {}

    #[devrev_endpoint(POST, "/tags.delete")]
    #[derive(Serialize)]
    pub(super) struct TagsDeleteRequest {
        id: String,
    }

    impl TagsDeleteRequest {
        pub(super) fn new(id: &str) -> Self {
            TagsDeleteRequest { id: id.into() }
        }
    }

    #[derive(Deserialize)]
    pub(super) struct TagsDeleteResponse {}
}

#[devrev_endpoint(GET, "/tags.get")]
#[derive(Serialize)]
struct TagsGetRequest {
    id: String,
}

#[derive(Deserialize)]
struct TagsGetResponse {}

async fn calls(client: &devrev::Client) -> devrev::Result<()> {
    let _ = inner::TagsCreateRequest { name: "vip".into() }.send(client).await?;
    let _ = inner::TagsDeleteRequest::new("TAG-1").send(client).await?;
    let _ = TagsGetRequest { id: "TAG-1".into() }.send_with_meta(client).await?;
    Ok(())
}

fn main() {
    let _ = calls;
}
