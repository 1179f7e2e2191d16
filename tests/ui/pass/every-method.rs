// Every method, with its default retry safety: `GET`, `PUT` and `DELETE` are
// idempotent, `POST` and `PATCH` are not.
use devrev::{devrev_endpoint, Endpoint, Method};
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
pub struct Thing {}

#[devrev_endpoint(GET, "/things.get", response = Thing)]
#[derive(Serialize)]
pub struct Get {
    pub id: String,
}

#[devrev_endpoint(POST, "/things.create", response = Thing)]
#[derive(Serialize)]
pub struct Post {
    pub name: String,
}

#[devrev_endpoint(PUT, "/things/put", response = Thing)]
#[derive(Serialize)]
pub struct Put {
    pub name: String,
}

#[devrev_endpoint(PATCH, "/things/patch", response = Thing)]
#[derive(Serialize)]
pub struct Patch {
    pub name: Option<String>,
}

#[devrev_endpoint(DELETE, "/things.delete", response = Thing)]
#[derive(Serialize)]
pub struct Delete {
    pub id: String,
}

const _: () = {
    assert!(matches!(<Get as Endpoint>::METHOD, Method::Get) && <Get as Endpoint>::IDEMPOTENT);
    assert!(matches!(<Post as Endpoint>::METHOD, Method::Post) && !<Post as Endpoint>::IDEMPOTENT);
    assert!(matches!(<Put as Endpoint>::METHOD, Method::Put) && <Put as Endpoint>::IDEMPOTENT);
    assert!(matches!(<Patch as Endpoint>::METHOD, Method::Patch) && !<Patch as Endpoint>::IDEMPOTENT);
    assert!(matches!(<Delete as Endpoint>::METHOD, Method::Delete) && <Delete as Endpoint>::IDEMPOTENT);
};

async fn calls(client: &devrev::Client) -> devrev::Result<()> {
    let _: Thing = Get { id: "1".into() }.send(client).await?;
    let _: Thing = Post { name: "a".into() }.send(client).await?;
    let _: Thing = Put { name: "a".into() }.send(client).await?;
    let _: Thing = Patch { name: None }.send(client).await?;
    let _: Thing = Delete { id: "1".into() }.send(client).await?;
    let _ = Delete { id: "1".into() }.send_with_meta(client).await?;
    Ok(())
}

fn main() {
    let _ = calls;
}
