// An optional field whose setter would be a generated method: one error, on the field.
use devrev::devrev_endpoint;

#[devrev_endpoint(GET, "/works.list", builder, paginate)]
#[derive(Clone, serde::Serialize)]
pub struct WorksListRequest {
    pub cursor: Option<String>,
    pub items: Option<Vec<String>>,
}

#[derive(serde::Deserialize, devrev::Page)]
pub struct WorksListResponse {
    pub works: Vec<String>,
    pub next_cursor: Option<String>,
}

async fn calls(client: &devrev::Client) {
    let _ = WorksListRequest::new().cursor("c1").send(client).await;
}

fn main() {
    let _ = calls;
}
