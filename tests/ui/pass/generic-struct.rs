// A generic request: the endpoint holds wherever the struct is `Serialize`,
// and the methods return the declared (or inferred) response type.
use devrev::{devrev_endpoint, Endpoint};
use serde::{Deserialize, Serialize};

#[devrev_endpoint(POST, "/works.create")]
#[derive(Serialize)]
pub struct WorksCreateRequest<F> {
    pub title: String,
    pub custom_fields: F,
}

#[derive(Deserialize)]
pub struct WorksCreateResponse {
    pub work: serde_json::Value,
}

#[devrev_endpoint(POST, "/works.update", response = Updated<T>)]
#[derive(Serialize)]
pub struct WorksUpdateRequest<T: Clone + Serialize>
where
    T: serde::de::DeserializeOwned,
{
    pub id: String,
    pub value: T,
}

#[derive(Deserialize)]
pub struct Updated<T> {
    pub value: T,
}

#[derive(Serialize)]
pub struct Fields {
    pub severity: u8,
}

fn types<E: Endpoint<Response = WorksCreateResponse>>() {}

async fn calls(client: &devrev::Client) -> devrev::Result<()> {
    let request = WorksCreateRequest { title: "crash".into(), custom_fields: Fields { severity: 1 } };
    let created: WorksCreateResponse = request.send(client).await?;
    let _ = created.work;
    let _ = request.send_with_meta(client).await?.into_value().work;
    let json = WorksCreateRequest { title: "crash".into(), custom_fields: serde_json::json!({ "x": 1 }) };
    let _ = json.send(client).await?;
    let updated: Updated<u32> = WorksUpdateRequest { id: "ISS-1".into(), value: 7u32 }.send(client).await?;
    let _: u32 = updated.value;
    Ok(())
}

fn main() {
    types::<WorksCreateRequest<Fields>>();
    types::<WorksCreateRequest<serde_json::Value>>();
    let _ = calls;
}
