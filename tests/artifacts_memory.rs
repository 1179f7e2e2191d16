//! Memory stays bounded when artifacts are large: a 5 MiB file goes up and
//! comes back through the embedded server while a counting allocator
//! measures the client's peak heap. Not a timed test: it counts bytes.
//!
//! The server runs on its own threads (its own runtime), the client on this
//! test's thread (a current-thread runtime); only allocations made on this
//! thread are counted, so the server's copy of the file is not.
//!
//! `cargo test --features artifacts --test artifacts_memory -- --nocapture`
//! prints the numbers (BENCHMARKS.md).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicIsize, Ordering};

use devrev::artifacts::{ArtifactsExt, Bytes, UploadSource};
use devrev::Client;

struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);
static PEAK: AtomicIsize = AtomicIsize::new(0);

thread_local! {
    static TRACKED: Cell<bool> = const { Cell::new(false) };
}

fn tracked() -> bool {
    TRACKED.try_with(Cell::get).unwrap_or(false)
}

fn add(bytes: usize) {
    let live = LIVE.fetch_add(bytes as isize, Ordering::Relaxed) + bytes as isize;
    PEAK.fetch_max(live, Ordering::Relaxed);
}

fn sub(bytes: usize) {
    LIVE.fetch_sub(bytes as isize, Ordering::Relaxed);
}

// SAFETY: every call forwards to the system allocator unchanged; the
// counters only observe sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() && tracked() {
            add(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        if tracked() {
            sub(layout.size());
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() && tracked() {
            sub(layout.size());
            add(new_size);
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const FILE_BYTES: usize = 5 * 1024 * 1024;
const CHUNK: usize = 16 * 1024;
/// What the client may hold at its peak: a fifth of the file. (Measured:
/// see BENCHMARKS.md; hyper's write buffer and a few chunks in flight.)
const BOUND: isize = (FILE_BYTES / 5) as isize;

fn byte_at(n: usize) -> u8 {
    (n.wrapping_mul(31) ^ (n >> 9)) as u8
}

/// The file as a stream of chunks made on demand: the source holds nothing.
fn source() -> UploadSource {
    let chunks = (0..FILE_BYTES.div_ceil(CHUNK)).map(|i| {
        let start = i * CHUNK;
        let end = (start + CHUNK).min(FILE_BYTES);
        Ok::<_, std::io::Error>(Bytes::from((start..end).map(byte_at).collect::<Vec<u8>>()))
    });
    UploadSource::stream(futures_util::stream::iter(chunks)).with_length(FILE_BYTES as u64)
}

/// Runs `f`, returning its value and the peak of live client heap above
/// what was live when it started.
async fn measured<T>(f: impl std::future::Future<Output = T>) -> (T, isize) {
    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let value = f.await;
    (value, PEAK.load(Ordering::Relaxed) - base)
}

#[test]
fn a_five_mib_round_trip_holds_a_fraction_of_the_file() {
    // The server: its own runtime on other threads, alive until the test ends.
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server_thread = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        rt.block_on(async move {
            let server = devrev_testkit::TestServer::start().await;
            ready_tx.send((server.base_url(), server.token().to_owned())).unwrap();
            let _ = stop_rx.await;
        });
    });
    let (base_url, token) = ready_rx.recv().unwrap();

    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let client = Client::builder().token(token).base_url(base_url).build().unwrap();
    let dir = std::env::temp_dir().join(format!("devrev-artifacts-memory-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("five.bin");
    std::fs::write(&path, (0..FILE_BYTES).map(byte_at).collect::<Vec<u8>>()).unwrap();

    TRACKED.with(|t| t.set(true));
    let (streamed, file, download) = rt.block_on(async {
        // The counter works: holding the file in memory shows as the file's size.
        let (held, control) = measured(async { vec![1u8; FILE_BYTES] }).await;
        assert!(control >= FILE_BYTES as isize, "the counter missed a {FILE_BYTES}-byte buffer: {control}");
        drop(held);
        // Warm up: connections, the lazily built storage client, the TLS config.
        let warm = client.upload_artifact("warm.bin", b"warm".to_vec()).await.unwrap();
        let mut d = client.download_artifact(&warm).await.unwrap();
        while d.next_chunk().await.unwrap().is_some() {}

        let (id, up_stream) = measured(client.upload_artifact("five-streamed.bin", source())).await;
        let id = id.unwrap();
        let (id_file, up_file) = measured(client.upload_artifact("five-file.bin", UploadSource::file(&path))).await;
        id_file.unwrap();

        let (received, down) = measured(async {
            let mut download = client.download_artifact(&id).await.unwrap();
            let mut at = 0usize;
            while let Some(chunk) = download.next_chunk().await.unwrap() {
                for (i, b) in chunk.iter().enumerate() {
                    assert_eq!(*b, byte_at(at + i), "byte {}", at + i);
                }
                at += chunk.len();
            }
            at
        })
        .await;
        assert_eq!(received, FILE_BYTES, "the whole file came back");
        (up_stream, up_file, down)
    });
    TRACKED.with(|t| t.set(false));

    println!(
        "client peak heap for a {} MiB artifact: upload from a stream {} KiB, from a file {} KiB, download {} KiB",
        FILE_BYTES >> 20,
        streamed / 1024,
        file / 1024,
        download / 1024
    );
    for (what, peak) in [("stream upload", streamed), ("file upload", file), ("download", download)] {
        assert!(peak < BOUND, "{what}: peak {peak} bytes, bound {BOUND}");
    }

    std::fs::remove_dir_all(&dir).unwrap();
    stop_tx.send(()).unwrap();
    server_thread.join().unwrap();
}
