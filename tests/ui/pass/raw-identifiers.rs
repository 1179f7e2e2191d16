// Raw identifiers: the struct's name (`r#RawRequest` answers with
// `RawResponse`), a keyword field, and raw cursor fields all work.
use devrev::{devrev_endpoint, Endpoint, Page, Paginated};
use serde::{Deserialize, Serialize};

#[devrev_endpoint(POST, "/raw.create")]
#[derive(Serialize)]
pub struct r#RawRequest {
    pub r#type: String,
}

#[derive(Deserialize)]
pub struct RawResponse {
    pub r#type: String,
}

#[devrev_endpoint(GET, "/raw.list", paginate)]
#[derive(Clone, Serialize)]
pub struct r#RawListRequest {
    pub r#cursor: Option<String>,
}

#[derive(Deserialize, devrev::Page)]
pub struct RawListResponse {
    pub r#items: Vec<String>,
    pub r#next_cursor: Option<String>,
    pub r#prev_cursor: Option<String>,
}

async fn calls(client: &devrev::Client) -> devrev::Result<()> {
    let created: RawResponse = r#RawRequest { r#type: "issue".into() }.send(client).await?;
    let _ = created.r#type;
    let _items = RawListRequest { cursor: None }.items(client);
    Ok(())
}

fn main() {
    let _ = calls;
    assert_eq!(<RawRequest as Endpoint>::PATH, "/raw.create");
    let mut request = RawListRequest { cursor: None };
    request.set_cursor(Some("c1".into()));
    assert_eq!(request.cursor(), Some("c1"));
    let page =
        RawListResponse { items: vec!["a".into()], next_cursor: Some("c2".into()), prev_cursor: Some("c0".into()) };
    assert_eq!((page.next_cursor(), page.prev_cursor()), (Some("c2"), Some("c0")));
}
