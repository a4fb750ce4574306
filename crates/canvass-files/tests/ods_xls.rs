//! The formats calamine loads whole, `.ods` and `.xls` (made by
//! tests/fixtures/make_spreadsheets.py, committed), through the engine into
//! SQLite: the same sign-in sheet reads the same people, numbers, dates and
//! bad row as it does from `.xlsx`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::sync::Arc;

use canvass_core::{EntityKind, Record};
use canvass_files::{Config, CsvConnector, Field, RowEntity};
use canvass_sync::{Engine, Source, SqliteWarehouse, SyncOptions, Warehouse};
use futures::TryStreamExt;

async fn read(file: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(file);
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(file),
        &path,
    )
    .unwrap();
    let mut config = Config::new(path.display().to_string(), RowEntity::Attendances)
        .column("Name", Field::FullName)
        .column("Email", Field::Email)
        .column("Phone", Field::Phone)
        .column("ZIP", Field::Zip)
        .column("Signed in", Field::Date);
    config.system = "signins".into();
    config.event = Some("Canvass launch".into());
    let warehouse: Arc<dyn Warehouse> = Arc::new(
        SqliteWarehouse::open(dir.path().join("w.db"))
            .await
            .unwrap(),
    );
    let source = Source::new("signins", Arc::new(CsvConnector::new(config).unwrap()));
    let report = Engine::new(warehouse.clone())
        .sync(&[source], &SyncOptions::default())
        .await
        .unwrap();
    let all = |kind| {
        let warehouse = warehouse.clone();
        async move {
            warehouse
                .records(kind)
                .map_ok(|r| r.record)
                .try_collect::<Vec<Record>>()
                .await
                .unwrap()
        }
    };

    let people = all(EntityKind::People).await;
    let summary: Vec<String> = people
        .iter()
        .filter_map(|r| match r {
            Record::Person(p) => Some(format!(
                "{} {} {} {} {}",
                p.source.id,
                p.given_name.as_deref().unwrap_or(""),
                p.family_name.as_deref().unwrap_or(""),
                p.phones.first().map_or("", |ph| ph.number.as_str()),
                p.addresses
                    .first()
                    .and_then(|a| a.postal_code.as_deref())
                    .unwrap_or(""),
            )),
            _ => None,
        })
        .collect();
    let mut summary = summary;
    summary.sort();
    assert_eq!(
        summary,
        [
            format!("{file}:2 José Núñez +14142020792 53204"),
            format!("{file}:3 Ana García +14142020793 02134"),
            format!("{file}:5 Zoë O'Brien +14142020794 53204"),
        ],
        "{file}"
    );
    let mut times: Vec<String> = all(EntityKind::Attendances)
        .await
        .iter()
        .filter_map(|r| match r {
            Record::Attendance(a) => a.modified_at.map(|t| format!("{} {t}", a.person.id)),
            _ => None,
        })
        .collect();
    times.sort();
    assert_eq!(
        times,
        [
            format!("{file}:2 2026-03-14 10:05:00 UTC"),
            format!("{file}:3 2026-03-14 10:07:00 UTC"),
            format!("{file}:5 2026-03-14 00:00:00 UTC"),
        ],
        "{file}"
    );
    let failures: Vec<String> = report
        .source("signins")
        .unwrap()
        .kinds
        .iter()
        .flat_map(|k| k.failures.iter().map(|f| f.reason.clone()))
        .collect();
    assert_eq!(failures.len(), 1, "{failures:#?}");
    assert!(
        failures[0].starts_with(&format!(
            "{file} sheet \"Sign-ins\" row 4: no name, email or phone"
        )),
        "{failures:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ods_sign_in_sheet_reads_as_the_xlsx_one_does() {
    read("signins.ods").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_xls_sign_in_sheet_reads_as_the_xlsx_one_does() {
    read("signins.xls").await;
}
