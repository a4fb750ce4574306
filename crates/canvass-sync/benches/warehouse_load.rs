//! Loading canonical records into the SQLite warehouse: throughput, and
//! peak memory as the load grows from 100,000 to 1,000,000 records.
//!
//! Pages of 1,000 people (each with an email, a phone, an address and its
//! raw JSON, as a connector hands them over) are stored one transaction per
//! page with their checkpoint, exactly as the engine does.
//!
//! `cargo bench -p canvass-sync --bench warehouse_load`
//! (`CANVASS_BENCH_SIZES=100000,1000000` to choose sizes).

mod support;

use std::time::{Duration, Instant};

use canvass_core::{
    Checkpoint, Email, EntityKind, Page, Person, Phone, PhoneKind, PostalAddress, RawRecord,
    Record, SourceRef, SubscriptionStatus,
};
use canvass_sync::{PageWrite, SqliteWarehouse, Warehouse};
use support::{cpu_seconds, peak_mib};

const PAGE: usize = 1000;
const GIVEN: [&str; 8] = [
    "Ana", "Luis", "Mei", "José", "Imani", "Kwame", "Zoë", "Priya",
];
const FAMILY: [&str; 8] = [
    "Núñez", "Kim", "Okafor", "García", "Smith", "Patel", "Lee", "O'Brien",
];

fn page(start: usize) -> Page {
    let mut page = Page::default();
    for i in start..start + PAGE {
        let source = SourceRef::new("van", i.to_string());
        let person = Person {
            source: source.clone(),
            given_name: Some(GIVEN[i % 8].into()),
            family_name: Some(FAMILY[(i / 8) % 8].into()),
            birth_date: chrono::NaiveDate::from_ymd_opt(
                1950 + (i % 50) as i32,
                1 + (i % 12) as u32,
                1 + (i % 28) as u32,
            ),
            emails: vec![Email {
                address: format!("person{i}@example.org"),
                valid: true,
                primary: true,
                status: SubscriptionStatus::Subscribed,
            }],
            phones: vec![Phone {
                number: format!("+1414{:07}", 2_000_000 + i % 7_000_000),
                valid: true,
                kind: PhoneKind::Mobile,
                primary: true,
                sms_status: SubscriptionStatus::Unknown,
            }],
            addresses: vec![PostalAddress {
                lines: vec![format!("{} Main St", i % 9999)],
                locality: Some("Milwaukee".into()),
                region: Some("WI".into()),
                postal_code: Some("53202".into()),
                country: Some("US".into()),
                kind: None,
                primary: true,
            }],
            ..Person::default()
        };
        page.raw.push(RawRecord {
            source,
            kind: EntityKind::People,
            json: serde_json::json!({
                "vanId": i, "firstName": GIVEN[i % 8], "lastName": FAMILY[(i / 8) % 8],
                "emails": [{"email": format!("person{i}@example.org"), "isPreferred": true}],
            }),
        });
        page.records.push(Record::Person(person));
    }
    page.checkpoint = Some(Checkpoint(format!("{{\"offset\":{}}}", start + PAGE)));
    page
}

async fn load(records: usize) -> (Duration, Duration, f64) {
    let dir = std::env::temp_dir().join(format!("canvass-load-{}-{records}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let warehouse = SqliteWarehouse::open(dir.join("w.db"))
        .await
        .expect("opens");
    let kind = EntityKind::People;
    let cpu = cpu_seconds();
    let mut storing = Duration::ZERO;
    let wall = Instant::now();
    let mut inserted = 0;
    for start in (0..records).step_by(PAGE) {
        let page = page(start);
        let t = Instant::now();
        let counts = warehouse
            .store_page(PageWrite {
                run_id: 0,
                source: "van",
                kind: &kind,
                page: &page,
                dry_run: false,
            })
            .await
            .expect("stored");
        storing += t.elapsed();
        inserted += counts.inserted;
    }
    assert_eq!(inserted as usize, records);
    let wall = wall.elapsed();
    let cpu = cpu_seconds() - cpu;
    drop(warehouse);
    let _ = std::fs::remove_dir_all(&dir);
    (storing, wall, cpu)
}

#[tokio::main]
async fn main() {
    let sizes: Vec<usize> = std::env::var("CANVASS_BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![100_000, 300_000, 1_000_000]);
    // CPU seconds cover every thread (generating pages, mapping, the
    // SQLite writer): on a shared machine they say what the load costs
    // when wall time says how much of the cores it got.
    println!(
        "{:>10} {:>12} {:>14} {:>14} {:>10} {:>14}",
        "records", "store (s)", "records/s", "wall rec/s", "cpu (s)", "VmHWM (MiB)"
    );
    for n in sizes {
        let (storing, wall, cpu) = load(n).await;
        println!(
            "{n:>10} {:>12.2} {:>14.0} {:>14.0} {:>10.2} {:>14.0}",
            storing.as_secs_f64(),
            n as f64 / storing.as_secs_f64(),
            n as f64 / wall.as_secs_f64(),
            cpu,
            peak_mib()
        );
    }
}
