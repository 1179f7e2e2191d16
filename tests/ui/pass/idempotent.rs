// `idempotent` overrides the method's default either way.
use devrev::{devrev_endpoint, Endpoint};
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
pub struct Out {}

// DevRev reads with `POST` too: safe to retry.
#[devrev_endpoint(POST, "/tags.get", response = Out, idempotent)]
#[derive(Serialize)]
pub struct PostRead {
    pub id: String,
}

#[devrev_endpoint(POST, "/tags.get", response = Out, idempotent = true)]
#[derive(Serialize)]
pub struct PostReadExplicit {
    pub id: String,
}

// A `GET` with a side effect: never retried after sending.
#[devrev_endpoint(GET, "/tags.touch", response = Out, idempotent = false)]
#[derive(Serialize)]
pub struct GetWithEffect {
    pub id: String,
}

#[devrev_endpoint(DELETE, "/tags.delete", idempotent = false, response = Out)]
#[derive(Serialize)]
pub struct DeleteOnce {
    pub id: String,
}

const _: () = {
    assert!(<PostRead as Endpoint>::IDEMPOTENT);
    assert!(<PostReadExplicit as Endpoint>::IDEMPOTENT);
    assert!(!<GetWithEffect as Endpoint>::IDEMPOTENT);
    assert!(!<DeleteOnce as Endpoint>::IDEMPOTENT);
};

async fn calls(client: &devrev::Client) -> devrev::Result<()> {
    let _: Out = PostRead { id: "1".into() }.send(client).await?;
    let _ = GetWithEffect { id: "1".into() }.send_with_meta(client).await?;
    Ok(())
}

fn main() {
    let _ = calls;
}
