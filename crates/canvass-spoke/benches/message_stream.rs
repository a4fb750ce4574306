//! Must-show benchmark: reading messages from a Spoke database streams with
//! flat memory at ≥ 50,000 rows/s.
//!
//! Seeds 200,000 messages with one `INSERT ... SELECT generate_series`, then
//! reads the newest 20,000 and all 200,000 through the connector
//! (`Connector::read(Messages)`: portal streaming, per-row JSON decoding,
//! mapping to canonical messages, raw JSON kept), dropping each page as the
//! engine would after storing it. Peak RSS is reset before each read
//! (`/proc/self/clear_refs`) and read from `VmHWM` after it.
//!
//! ```text
//! CANVASS_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test \
//!   cargo bench -p canvass-spoke --features simulator --bench message_stream
//! ```

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use canvass_core::{Checkpoint, Connector, EntityKind};
use canvass_spoke::db::{Position, Table};
use canvass_spoke::simulator::{
    SeedSpec, SpokeDatabase, seed, seed_bulk_messages, test_database_url,
};
use canvass_spoke::{ConnectorOptions, SpokeConnector};
use futures::TryStreamExt;

const TOTAL: i64 = 200_000;

fn status_kb(field: &str) -> u64 {
    let text = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    text.lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// CPU seconds this process has used (user + system), from /proc/self/stat
/// (clock ticks of 1/100 s, Linux's USER_HZ).
fn cpu_secs() -> f64 {
    let text = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = text.rsplit(')').next().unwrap_or_default();
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

struct Run {
    rows: usize,
    secs: f64,
    cpu: f64,
    rss_before_kb: u64,
    peak_kb: u64,
}

async fn read_connector(c: &SpokeConnector, after: i64) -> Run {
    let rss_before_kb = status_kb("VmRSS:");
    reset_peak();
    let cpu0 = cpu_secs();
    let started = Instant::now();
    let cp = Checkpoint::encode(&Position {
        id: Some(after),
        updated_at: None,
    });
    let mut stream = c.read(EntityKind::Messages, Some(cp));
    let mut rows = 0;
    while let Some(page) = stream.try_next().await.unwrap() {
        assert!(page.issues.is_empty(), "{:?}", page.issues.first());
        rows += page.records.len();
        drop(page);
    }
    Run {
        rows,
        secs: started.elapsed().as_secs_f64(),
        cpu: cpu_secs() - cpu0,
        rss_before_kb,
        peak_kb: status_kb("VmHWM:"),
    }
}

async fn read_rows_only(c: &SpokeConnector, after: i64) -> (usize, f64) {
    let started = Instant::now();
    let mut stream = c
        .db()
        .read(Table::Messages)
        .page_size(1000)
        .after(Position {
            id: Some(after),
            updated_at: None,
        })
        .stream();
    let mut rows = 0;
    while let Some(page) = stream.try_next().await.unwrap() {
        rows += page.len();
    }
    (rows, started.elapsed().as_secs_f64())
}

fn main() {
    let Some(url) = test_database_url() else {
        return;
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let db = SpokeDatabase::create(&url, "bench").await.unwrap();
        seed(&db, SeedSpec { seed: 1, people: 20 }).await.unwrap();
        let started = Instant::now();
        let (lo, hi) = seed_bulk_messages(&db, TOTAL).await.unwrap();
        db.client().batch_execute("ANALYZE").await.unwrap();
        println!(
            "seeded {TOTAL} messages (ids {lo}..={hi}) in {:.2}s with INSERT ... SELECT generate_series",
            started.elapsed().as_secs_f64()
        );
        let connector = SpokeConnector::new(
            db.spoke_db().unwrap(),
            None,
            ConnectorOptions::default(),
        );
        // Warm the server's cache and the phone normalizer once.
        let _ = read_rows_only(&connector, lo - 1).await;

        {
            let client = connector.db().connect().await.unwrap();
            let started = Instant::now();
            let rows = client
                .query_raw("SELECT t.* FROM message t WHERE t.id > $1::int8 ORDER BY t.id", [lo - 1])
                .await
                .unwrap();
            let n = rows.try_fold(0usize, |n, _| async move { Ok(n + 1) }).await.unwrap();
            let secs = started.elapsed().as_secs_f64();
            println!(
                "tokio-postgres alone (rows counted, not decoded): {n} rows in {secs:.2}s = {:.0} rows/s",
                n as f64 / secs
            );
        }
        let (n, secs) = read_rows_only(&connector, lo - 1).await;
        println!(
            "typed client only (portal stream, no mapping): {n} rows in {secs:.2}s = {:.0} rows/s",
            n as f64 / secs
        );

        let mut results = Vec::new();
        for (label, after, expect) in [
            ("20,000", hi - 20_000, 20_000usize),
            ("200,000", lo - 1, TOTAL as usize),
        ] {
            let mut best: Option<Run> = None;
            for _ in 0..2 {
                let run = read_connector(&connector, after).await;
                assert_eq!(run.rows, expect);
                if best.as_ref().is_none_or(|b| run.secs < b.secs) {
                    best = Some(run);
                }
            }
            let run = best.unwrap();
            println!(
                "connector read of {label} messages: {:.2}s = {:.0} rows/s ({:.2} CPU-s in canvass = {:.0} rows per CPU-s); RSS before {} KiB, peak during {} KiB (+{} KiB)",
                run.secs,
                run.rows as f64 / run.secs,
                run.cpu,
                run.rows as f64 / run.cpu.max(0.01),
                run.rss_before_kb,
                run.peak_kb,
                run.peak_kb.saturating_sub(run.rss_before_kb)
            );
            results.push(run);
        }
        let (small, large) = (&results[0], &results[1]);
        let rate = large.rows as f64 / large.secs;
        let growth = large.peak_kb as f64 / small.peak_kb.max(1) as f64;
        println!(
            "peak RSS at 200,000 rows is {growth:.2}x the peak at 20,000 rows (10x the rows); \
             throughput {rate:.0} rows/s (target >= 50,000)"
        );
        let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
        println!(
            "verdict: throughput {} (>= 50,000 rows/s), memory {} (peak within 25%); load average {}",
            if rate >= 50_000.0 { "MET" } else { "BELOW TARGET" },
            if growth < 1.25 { "FLAT" } else { "GREW" },
            load.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
        );
        db.drop_schema().await.unwrap();
        assert!(growth < 1.25, "peak RSS grew with the row count: {growth:.2}x");
    });
}
