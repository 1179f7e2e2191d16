// `beta` marks one of DevRev's early-access endpoints; the default is off.
use devrev::{devrev_endpoint, Endpoint};
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
pub struct Out {}

#[devrev_endpoint(POST, "/works.create", response = Out, beta)]
#[derive(Serialize)]
pub struct BetaBare {
    pub title: String,
}

#[devrev_endpoint(POST, "/works.create", beta = true, response = Out, idempotent)]
#[derive(Serialize)]
pub struct BetaExplicit {
    pub title: String,
}

#[devrev_endpoint(GET, "/works.get", response = Out, beta = false)]
#[derive(Serialize)]
pub struct NotBetaExplicit {
    pub id: String,
}

#[devrev_endpoint(GET, "/works.get", response = Out)]
#[derive(Serialize)]
pub struct NotBetaDefault {
    pub id: String,
}

const _: () = {
    assert!(<BetaBare as Endpoint>::BETA);
    assert!(<BetaExplicit as Endpoint>::BETA);
    assert!(<BetaExplicit as Endpoint>::IDEMPOTENT);
    assert!(!<NotBetaExplicit as Endpoint>::BETA);
    assert!(!<NotBetaDefault as Endpoint>::BETA);
};

async fn calls(client: &devrev::Client) -> devrev::Result<()> {
    let _: Out = BetaBare { title: "crash".into() }.send(client).await?;
    Ok(())
}

fn main() {
    let _ = calls;
}
