//! Decode speed of typed custom fields: a `works.list` page of 100 tickets,
//! each with eight tenant fields (enum, int, double, bool, text, list of
//! text, date, timestamp) and two the code does not know, decoded with
//! `custom_fields` as the generated untyped map, against the same page
//! decoded and then read into a `#[derive(CustomFields)]` struct per ticket.
//!
//! ```sh
//! cargo bench -p devrev-benches --features works --bench custom_fields
//! ```
//!
//! BENCHMARKS.md records the ratio typed / untyped of the two, measured in
//! one run.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use devrev::works::WorksListResponse;
use serde_json::json;
use std::hint::black_box;

#[derive(Debug, PartialEq, devrev::CustomEnum)]
enum Impact {
    #[custom(rename = "low")]
    Low,
    #[custom(rename = "medium")]
    Medium,
    #[custom(rename = "high")]
    High,
}

#[derive(Debug, PartialEq, devrev::CustomFields)]
#[custom(leaf = "ticket")]
struct TicketFields {
    impact: Impact,
    affected_users: i64,
    ratio: Option<f64>,
    escalated: bool,
    customer: Option<String>,
    regions: Option<Vec<String>>,
    due: Option<chrono::NaiveDate>,
    first_seen: Option<devrev::models::Timestamp>,
}

const PAGE_SIZE: usize = 100;

fn page() -> Vec<u8> {
    let impacts = ["low", "medium", "high"];
    let works: Vec<_> = (0..PAGE_SIZE)
        .map(|n| {
            json!({
                "type": "ticket",
                "id": format!("don:core:dvrv-us-1:devo/1:ticket/{n}"),
                "display_id": format!("TKT-{n}"),
                "title": format!("Checkout fails for customer {n}"),
                "body": "Customers see a spinner after pressing Pay.",
                "owned_by": [{"type": "dev_user", "id": "don:identity:dvrv-us-1:devo/1:devu/1", "display_name": "Ada"}],
                "created_date": "2026-12-01T08:30:00Z",
                "modified_date": "2026-12-02T08:30:00Z",
                "severity": "high",
                "custom_fields": {
                    "tnt__impact": impacts[n % 3],
                    "tnt__affected_users": n * 17,
                    "tnt__ratio": n as f64 / 7.0,
                    "tnt__escalated": n % 2 == 0,
                    "tnt__customer": format!("Acme {n}"),
                    "tnt__regions": ["eu", "us", "apac"],
                    "tnt__due": "2026-12-24",
                    "tnt__first_seen": "2026-12-01T08:30:00Z",
                    "tnt__added_by_another_team": {"nested": [1, 2, 3]},
                    "ctype__build": "1.2.3",
                },
            })
        })
        .collect();
    serde_json::to_vec(&json!({ "works": works, "next_cursor": "c2" })).expect("the page encodes")
}

fn decode(c: &mut Criterion) {
    let page = page();
    // The page must decode fully, typed fields too, before it is timed.
    let untyped: WorksListResponse = serde_json::from_slice(&page).expect("the page decodes");
    let typed: Vec<TicketFields> =
        untyped.works.iter().map(|w| w.custom::<TicketFields>()).collect::<Result<_, _>>().expect("typed");
    assert_eq!(typed.len(), PAGE_SIZE);
    assert_eq!(typed[2].impact, Impact::High);
    println!("page: {} bytes, {} tickets", page.len(), typed.len());

    let mut group = c.benchmark_group("works.list page of 100 tickets with custom fields");
    group.throughput(Throughput::Bytes(page.len() as u64));
    group.bench_function("untyped map (WorksListResponse)", |b| {
        b.iter(|| serde_json::from_slice::<WorksListResponse>(black_box(&page)).map(|p| p.works.len()))
    });
    group.bench_function("typed (WorksListResponse, then custom::<TicketFields>() per work)", |b| {
        b.iter(|| {
            let page = serde_json::from_slice::<WorksListResponse>(black_box(&page)).expect("decodes");
            page.works.iter().map(|w| w.custom::<TicketFields>().map(|f| f.affected_users)).sum::<Result<i64, _>>()
        })
    });
    group.finish();
}

criterion_group!(benches, decode);
criterion_main!(benches);
