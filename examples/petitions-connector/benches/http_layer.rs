//! Benchmark of the shared HTTP layer through the template connector.
//!
//! Streams 100,000 signers from the petitions simulator with 20 ms of latency
//! per request and the API's 4 requests/second limit enforced (429 past it),
//! and reports: records per second as a share of the bound (4 requests/s ×
//! 1,000 records per page), requests answered 429, and resident memory as the
//! stream goes (flat when nothing accumulates).
//!
//! Run: `cargo bench -p canvass-example-petitions --features simulator --bench http_layer`
//! (optionally `-- --records 20000`).

use std::time::{Duration, Instant};

use canvass_core::http::{RateLimit, RetryPolicy};
use canvass_core::{Connector, EntityKind};
use canvass_example_petitions::client::{MAX_PAGE_SIZE, RATE_LIMIT};
use canvass_example_petitions::simulator::{PetitionsSim, SIM_KEY};
use canvass_example_petitions::{PetitionsClient, PetitionsConnector};
use canvass_testkit::Faults;
use futures::StreamExt;

fn status_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

#[tokio::main]
async fn main() -> Result<(), canvass_core::Error> {
    let args: Vec<String> = std::env::args().collect();
    let records: u64 = args
        .iter()
        .position(|a| a == "--records")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);

    let sim = PetitionsSim::start(records, 2026).await;
    sim.control()
        .set_faults(Faults::latency(Duration::from_millis(20)));
    sim.enforce_rate_limit();
    let client = PetitionsClient::with_options(
        sim.base_url(),
        SIM_KEY,
        RateLimit::per_second(RATE_LIMIT),
        RetryPolicy::default(),
    )?;
    let connector = PetitionsConnector::new(client, MAX_PAGE_SIZE);

    let rss_start = status_kb("VmRSS:");
    let started = Instant::now();
    let mut read = 0u64;
    let mut samples = Vec::new();
    let mut next_sample = records / 10;
    let mut pages = connector.read(EntityKind::People, None);
    while let Some(page) = pages.next().await {
        let page = page?;
        read += page.records.len() as u64;
        if read >= next_sample {
            samples.push((read, status_kb("VmRSS:")));
            next_sample += records / 10;
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let stats = sim.control().stats();
    let bound = RATE_LIMIT * f64::from(MAX_PAGE_SIZE);
    let rate = read as f64 / elapsed;

    println!("## HTTP layer: {records} records, 20 ms latency, {RATE_LIMIT} requests/s enforced\n");
    println!("| measure | value |\n|---|---|");
    println!("| records read | {read} |");
    println!("| requests | {} |", stats.requests);
    println!("| requests answered 429 | {} |", stats.throttled);
    println!("| elapsed | {elapsed:.2} s |");
    println!("| records/s | {rate:.0} |");
    println!("| bound (4 req/s × {MAX_PAGE_SIZE}/page) | {bound:.0} records/s |");
    println!("| share of bound | {:.1}% |", rate / bound * 100.0);
    println!("| RSS before streaming | {} MiB |", rss_start / 1024);
    println!("| peak RSS (VmHWM) | {} MiB |", status_kb("VmHWM:") / 1024);
    println!("\nRSS while streaming:\n\n| records read | RSS |\n|---|---|");
    for (n, kb) in &samples {
        println!("| {n} | {:.1} MiB |", *kb as f64 / 1024.0);
    }
    assert_eq!(read, records, "every record read");
    Ok(())
}
