//! Decode throughput: a `rev-orgs.list` page of 100 rev orgs (about 150 KB)
//! decoded into this crate's models, against the same bytes decoded into
//! `serde_json::Value`.
//!
//! ```sh
//! cargo bench -p devrev-benches --bench decode
//! ```
//!
//! Criterion reports each as throughput (MiB/s); the ratio typed / `Value`
//! is what BENCHMARKS.md records, and so is the ratio of the transport's
//! path-tracking decoder (`serde_path_to_error`, which names the field at
//! fault in a decode error) to plain `serde_json::from_slice`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use devrev_benches::fixtures::{list_page, PAGE_SIZE};
use devrev_benches::list::RevOrgsListResponse;
use std::hint::black_box;

fn decode(c: &mut Criterion) {
    let page = list_page(1_000, PAGE_SIZE as u64, 100_000);
    // The page must decode fully before it is timed.
    let typed: RevOrgsListResponse = serde_json::from_slice(&page).expect("the fixture page decodes");
    assert_eq!(typed.rev_orgs.len(), PAGE_SIZE);
    println!("page: {} bytes, {} rev orgs", page.len(), typed.rev_orgs.len());

    let mut group = c.benchmark_group("rev-orgs.list page of 100");
    group.throughput(Throughput::Bytes(page.len() as u64));
    group.bench_function("typed RevOrgsListResponse", |b| {
        b.iter(|| serde_json::from_slice::<RevOrgsListResponse>(black_box(&page)).map(|p| p.rev_orgs.len()))
    });
    group.bench_function("typed, tracking the field path (the transport's decoder)", |b| {
        b.iter(|| {
            let mut de = serde_json::Deserializer::from_slice(black_box(&page));
            serde_path_to_error::deserialize::<_, RevOrgsListResponse>(&mut de).map(|p| p.rev_orgs.len())
        })
    });
    group.bench_function("serde_json::Value", |b| {
        b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(&page)).map(|v| v.is_object()))
    });
    group.finish();
}

criterion_group!(benches, decode);
criterion_main!(benches);
