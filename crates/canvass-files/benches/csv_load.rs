//! A generated CSV of people loaded into the SQLite warehouse through the
//! real pipeline (`Engine::sync`: read, map, store each page with its
//! checkpoint): rows per second, and peak memory as the file grows.
//!
//! `cargo bench -p canvass-files --bench csv_load`
//! (`CANVASS_BENCH_ROWS=100000,1000000` to choose sizes).

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use canvass_core::EntityKind;
use canvass_files::{Config, CsvConnector, Field, RowEntity};
use canvass_sync::{Engine, ProgressEvent, Source, SqliteWarehouse, SyncOptions};

const GIVEN: [&str; 8] = [
    "Ana", "Luis", "Mei", "José", "Imani", "Kwame", "Zoë", "Priya",
];
const FAMILY: [&str; 8] = [
    "Núñez", "Kim", "Okafor", "García", "Smith", "Patel", "Lee", "O'Brien",
];

/// Resident memory now (VmRSS) and at its peak (VmHWM), in MiB.
fn memory_mib() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn write_csv(path: &std::path::Path, rows: usize) -> std::io::Result<u64> {
    let mut w = std::io::BufWriter::new(std::fs::File::create(path)?);
    writeln!(
        w,
        "First Name,Last Name,Email,Cell,Street,City,State,ZIP,Notes"
    )?;
    for i in 0..rows {
        writeln!(
            w,
            "{},{},person{i}@example.org,(414) {:03}-{:04},{} Main St,Milwaukee,WI,{},\"called, left message\"",
            GIVEN[i % 8],
            FAMILY[(i / 8) % 8],
            202 + (i / 10_000) % 700,
            i % 10_000,
            i % 9999,
            53202 + i % 20,
        )?;
    }
    w.flush()?;
    Ok(std::fs::metadata(path)?.len())
}

#[tokio::main]
async fn main() {
    let sizes: Vec<usize> = std::env::var("CANVASS_BENCH_ROWS")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![100_000, 1_000_000]);
    println!(
        "| rows | file | load time | rows/s | RSS at 10% / 50% / 100% of rows | peak RSS (VmHWM) |"
    );
    println!("|---|---|---|---|---|---|");
    for rows in sizes {
        let dir =
            std::env::temp_dir().join(format!("canvass-csv-bench-{}-{rows}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        let csv = dir.join("people.csv");
        let bytes = write_csv(&csv, rows).expect("writes the CSV");
        let warehouse = Arc::new(
            SqliteWarehouse::open(dir.join("w.db"))
                .await
                .expect("opens"),
        );
        let mut config = Config::new(csv.display().to_string(), RowEntity::People)
            .column("First Name", Field::GivenName)
            .column("Last Name", Field::FamilyName)
            .column("Email", Field::Email)
            .column(
                "Cell",
                // CANVASS_BENCH_PHONES=0 leaves phones unmapped (kept as a
                // custom field), to show what phone validation costs.
                if std::env::var("CANVASS_BENCH_PHONES").as_deref() == Ok("0") {
                    Field::Ignore
                } else {
                    Field::MobilePhone
                },
            )
            .column("Street", Field::Street)
            .column("City", Field::City)
            .column("State", Field::State)
            .column("ZIP", Field::Zip);
        config.system = "partner".into();
        let source = Source::new(
            "partner",
            Arc::new(CsvConnector::new(config).expect("config")),
        );
        // Sample resident memory at 10%, 50% and 100% of the rows.
        let stored = Arc::new(AtomicU64::new(0));
        let samples = Arc::new(std::sync::Mutex::new(Vec::<f64>::new()));
        let progress = {
            let stored = stored.clone();
            let samples = samples.clone();
            move |e: &ProgressEvent| {
                if let ProgressEvent::PageStored { total, .. } = e {
                    let before = stored.swap(total.read, Ordering::SeqCst) as usize;
                    for mark in [rows / 10, rows / 2, rows] {
                        if before < mark
                            && total.read as usize >= mark
                            && let Ok(mut s) = samples.lock()
                        {
                            s.push(memory_mib().0);
                        }
                    }
                }
            }
        };
        let options = SyncOptions {
            skip_identity: true,
            progress: Some(Arc::new(progress)),
            ..SyncOptions::default()
        };
        let started = Instant::now();
        let report = Engine::new(warehouse.clone())
            .sync(&[source], &options)
            .await
            .expect("syncs");
        let elapsed = started.elapsed().as_secs_f64();
        let kind = report
            .kind("partner", &EntityKind::People)
            .expect("people read");
        assert_eq!(kind.counts.inserted as usize, rows, "{:?}", kind.counts);
        assert_eq!(kind.counts.failed, 0);
        let samples = samples.lock().map(|s| s.clone()).unwrap_or_default();
        println!(
            "| {rows} | {:.1} MiB | {elapsed:.2} s | **{:.0}** | {} MiB | {:.1} MiB |",
            bytes as f64 / 1_048_576.0,
            rows as f64 / elapsed,
            samples
                .iter()
                .map(|m| format!("{m:.1}"))
                .collect::<Vec<_>>()
                .join(" / "),
            memory_mib().1,
        );
        drop(warehouse);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
