//! The embedded server's store: create, get, update and list per second
//! with 0, 10,000 and 100,000 tags stored, with 1 and 16 concurrent clients,
//! over HTTP on loopback (plain reqwest, JSON); and filtered lists with as
//! many accounts stored (each with its default rev org): `rev-orgs.list`
//! for one account (`account`, a filter the store walks an index for) and
//! for one name (`display_name`, which it scans the family for), side by
//! side. Fixtures are loaded with `TestServer::insert`, which stores as a
//! create would, without HTTP.
//!
//! ```sh
//! cargo run --release -p devrev-benches --bin store            # 0, 10000, 100000
//! cargo run -p devrev-benches --bin store -- 0 10000            # debug, chosen sizes
//! ```

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

const WINDOW: Duration = Duration::from_millis(1500);

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let sizes: Vec<usize> = {
        let args: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
        if args.is_empty() {
            vec![0, 10_000, 100_000]
        } else {
            args
        }
    };
    let profile = if cfg!(debug_assertions) { "debug" } else { "release" };
    println!("| build | stored | clients | create/s | get/s | update/s | list/s | list by account (index)/s | list by name (scan)/s |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for stored in sizes {
        let server = devrev_testkit::TestServer::builder()
            .rate_limit(u32::MAX, Duration::from_secs(1))
            .start()
            .await
            .expect("a loopback port");
        let mut ids = Vec::new();
        for i in 0..stored.max(1) {
            let tag = server.insert("/tags.create", json!({"name": format!("fixture-{i}")})).expect("a fixture");
            ids.push(tag["tag"]["id"].as_str().unwrap().to_owned());
        }
        let mut accounts = Vec::new();
        for i in 0..stored.max(1) {
            let created = server
                .insert("/accounts.create", json!({"display_name": format!("account-{i}")}))
                .expect("a fixture account");
            accounts.push(created["account"]["id"].as_str().unwrap().to_owned());
        }
        let ids = Arc::new(ids);
        let accounts = Arc::new(accounts);
        for clients in [1, 16] {
            let mut row = Vec::new();
            for op in ["create", "get", "update", "list"] {
                row.push(rate(&server, op, clients, &ids).await);
            }
            for op in ["by-account", "by-name"] {
                row.push(rate(&server, op, clients, &accounts).await);
            }
            println!(
                "| {profile} | {stored} | {clients} | {:.0} | {:.0} | {:.0} | {:.0} | {:.0} | {:.0} |",
                row[0], row[1], row[2], row[3], row[4], row[5]
            );
        }
    }
}

/// Requests per second of `op` by `clients` concurrent clients over [`WINDOW`].
async fn rate(server: &devrev_testkit::TestServer, op: &'static str, clients: usize, ids: &Arc<Vec<String>>) -> f64 {
    let base = server.base_url();
    let token = server.token().to_owned();
    let done = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (base, token, done, ids) = (base.clone(), token.clone(), done.clone(), ids.clone());
        tasks.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            let mut n = 0usize;
            while start.elapsed() < WINDOW {
                n += 1;
                let id = &ids[(c * 7919 + n * 104_729) % ids.len()];
                let (path, body): (&str, Value) = match op {
                    "create" => {
                        ("/tags.create", json!({"name": format!("bench-{c}-{n}-{}", start.elapsed().as_nanos())}))
                    }
                    "get" => ("/tags.get", json!({"id": id})),
                    "update" => ("/tags.update", json!({"id": id, "description": format!("d{n}")})),
                    // `id` is an account here: its default rev org, found by the index on `account`.
                    "by-account" => ("/rev-orgs.list", json!({"account": [id], "limit": 50})),
                    // The same one rev org, by its name: no index, a scan of every rev org.
                    "by-name" => {
                        let i = (c * 7919 + n * 104_729) % ids.len();
                        ("/rev-orgs.list", json!({"display_name": [format!("account-{i}")], "limit": 50}))
                    }
                    _ => ("/tags.list", json!({"limit": 50})),
                };
                let answer = http
                    .post(format!("{base}{path}"))
                    .bearer_auth(&token)
                    .header("content-type", "application/json")
                    .body(body.to_string())
                    .send()
                    .await;
                let answer = answer.ok().filter(|a| a.status().is_success());
                let answer = answer.unwrap_or_else(|| panic!("{op} failed"));
                if op.starts_with("by-") {
                    // Each filter names one account: its one rev org, whether walked or scanned.
                    let bytes = answer.bytes().await.expect("a page");
                    let page: Value = serde_json::from_slice(&bytes).expect("a JSON page");
                    assert_eq!(page["rev_orgs"].as_array().map(Vec::len), Some(1), "{op}: {page}");
                }
                done.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    for task in tasks {
        task.await.expect("a client");
    }
    done.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64()
}
