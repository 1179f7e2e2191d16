use devrev::devrev_endpoint;

#[devrev_endpoint(POST, "/works.create", builder = true)]
#[derive(serde::Serialize)]
pub struct WorksCreateRequest {
    pub title: String,
}

#[derive(serde::Deserialize)]
pub struct WorksCreateResponse {}

fn main() {
    let _ = WorksCreateRequest::new("crash");
}
