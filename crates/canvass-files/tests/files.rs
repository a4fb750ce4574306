//! CSV files through the engine into a SQLite warehouse: a messy file
//! (a BOM, Windows-1252 accents, bad rows) keeps every good row and names
//! each bad one by line; an unchanged file reads nothing on a re-run; a
//! changed one is re-read and upserted.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use canvass_core::{AttendanceStatus, EntityKind, Record};
use canvass_files::{Config, CsvConnector, Field, RowEntity};
use canvass_sync::{Engine, RunReport, Source, SqliteWarehouse, SyncOptions, Warehouse};
use futures::TryStreamExt;

fn signin_config(path: &std::path::Path) -> Config {
    let mut c = Config::new(path.display().to_string(), RowEntity::Attendances)
        .column("Name", Field::FullName)
        .column("Email", Field::Email)
        .column("Phone", Field::Phone)
        .column("Signed in", Field::Date);
    c.system = "signins".into();
    c.event = Some("Canvass launch".into());
    c
}

async fn sync(warehouse: &Arc<dyn Warehouse>, config: Config) -> RunReport {
    let source = Source::new("signins", Arc::new(CsvConnector::new(config).unwrap()));
    Engine::new(warehouse.clone())
        .sync(&[source], &SyncOptions::default())
        .await
        .unwrap()
}

async fn records(warehouse: &Arc<dyn Warehouse>, kind: EntityKind) -> Vec<Record> {
    warehouse
        .records(kind)
        .map_ok(|r| r.record)
        .try_collect()
        .await
        .unwrap()
}

/// A sign-in sheet saved by Excel on Windows: a UTF-8 BOM would be one
/// file, Windows-1252 another; this one is Windows-1252 (é = 0xE9,
/// ñ = 0xF1, ú = 0xFA) with a row of too many fields (line 4) and a row
/// with nobody on it (line 6).
const WIN1252_SHEET: &[u8] = b"Name,Email,Phone,Signed in\r\n\
Jos\xe9 N\xfa\xf1ez,jose@example.org,(414) 202-0792,03/14/2026 10:05\r\n\
Ana Garc\xeda,ana@example.org,555-0143,03/14/2026 10:07\r\n\
Bad,Row,Has,Too,Many\r\n\
Mei Kim,MEI@Example.ORG,,not a time\r\n\
,,,03/14/2026 10:20\r\n\
Zo\xeb O'Brien,zoe@example.org,+1 414 202 0793,\r\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_messy_windows_1252_sheet_keeps_every_good_row_and_names_the_bad_ones() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("signins.csv");
    std::fs::write(&path, WIN1252_SHEET).unwrap();
    let warehouse: Arc<dyn Warehouse> = Arc::new(
        SqliteWarehouse::open(dir.path().join("w.db"))
            .await
            .unwrap(),
    );
    let report = sync(&warehouse, signin_config(&path)).await;

    let people = records(&warehouse, EntityKind::People).await;
    let names: Vec<String> = people
        .iter()
        .filter_map(|r| match r {
            Record::Person(p) => Some(format!(
                "{} {}",
                p.given_name.clone().unwrap_or_default(),
                p.family_name.clone().unwrap_or_default()
            )),
            _ => None,
        })
        .collect();
    for want in ["José Núñez", "Ana García", "Mei Kim", "Zoë O'Brien"] {
        assert!(
            names.contains(&want.to_string()),
            "{want} missing from {names:?}"
        );
    }
    assert_eq!(people.len(), 4, "{names:?}");
    let signins = records(&warehouse, EntityKind::Attendances).await;
    assert_eq!(signins.len(), 4);
    assert!(signins.iter().all(|r| matches!(r, Record::Attendance(a)
        if a.status == AttendanceStatus::Attended && a.event.id == "canvass-launch")));
    assert_eq!(records(&warehouse, EntityKind::Events).await.len(), 1);

    // The two bad rows: left out, each named by file and line, once.
    let s = report.source("signins").unwrap();
    let att = s.kind(&EntityKind::Attendances).unwrap();
    assert_eq!(att.counts.failed, 2, "{:#?}", att.failures);
    let skipped: Vec<&str> = att
        .failures
        .iter()
        .filter(|f| f.skipped)
        .map(|f| f.reason.as_str())
        .collect();
    assert!(
        skipped[0].starts_with("signins.csv line 4: 5 fields where the header has 4"),
        "{skipped:?}"
    );
    assert!(
        skipped[1].starts_with("signins.csv line 6: no name"),
        "{skipped:?}"
    );
    let people_kind = s.kind(&EntityKind::People).unwrap();
    assert_eq!(
        people_kind.counts.failed, 0,
        "a bad row is reported once, under the file's entity"
    );
    // Kept with a warning naming the column: the invalid phone (line 3), the bad time (line 5).
    let warnings: Vec<String> = s
        .kinds
        .iter()
        .flat_map(|k| k.failures.iter().filter(|f| !f.skipped))
        .map(|f| f.reason.clone())
        .collect();
    assert!(
        warnings
            .iter()
            .any(|w| w
                .starts_with("signins.csv line 3, column 3 (\"Phone\"): not a valid phone number")),
        "{warnings:?}"
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.starts_with("signins.csv line 5, column 4 (\"Signed in\"): not a date")),
        "{warnings:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_utf8_bom_does_not_reach_the_first_header() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("signins.csv");
    std::fs::write(
        &path,
        "\u{feff}Name,Email,Phone,Signed in\nJosé Núñez,jose@example.org,,\n",
    )
    .unwrap();
    let warehouse: Arc<dyn Warehouse> = Arc::new(
        SqliteWarehouse::open(dir.path().join("w.db"))
            .await
            .unwrap(),
    );
    let report = sync(&warehouse, signin_config(&path)).await;
    assert!(report.is_success(), "{report:#?}");
    let people = records(&warehouse, EntityKind::People).await;
    assert!(
        matches!(&people[..], [Record::Person(p)] if p.family_name.as_deref() == Some("Núñez"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unchanged_file_reads_nothing_and_a_changed_one_upserts() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("signins.csv");
    let mut text = String::from("Name,Email,Phone,Signed in\n");
    for i in 0..2500 {
        text.push_str(&format!("Ana Núñez{i},ana{i}@example.org,,\n"));
    }
    std::fs::write(&path, &text).unwrap();
    let warehouse: Arc<dyn Warehouse> = Arc::new(
        SqliteWarehouse::open(dir.path().join("w.db"))
            .await
            .unwrap(),
    );
    let people_counts = |r: &RunReport| {
        r.kind("signins", &EntityKind::People)
            .map(|k| (k.pages, k.counts))
            .unwrap()
    };
    let first = sync(&warehouse, signin_config(&path)).await;
    let (pages, c) = people_counts(&first);
    assert_eq!((c.read, c.inserted), (2500, 2500));
    assert_eq!(pages, 3);

    let again = sync(&warehouse, signin_config(&path)).await;
    let (pages, c) = people_counts(&again);
    assert_eq!(
        (pages, c.read),
        (0, 0),
        "an unchanged file reads no row: {c:?}"
    );
    assert!(again.is_success());

    // One row edited, one appended: the file is read again and upserted.
    let changed =
        text.replace("ana7@example.org", "ana.seven@example.org") + "Luis Kim,luis@example.org,,\n";
    std::fs::write(&path, changed).unwrap();
    let third = sync(&warehouse, signin_config(&path)).await;
    let (_, c) = people_counts(&third);
    assert_eq!(
        (c.read, c.inserted, c.updated, c.unchanged),
        (2501, 1, 1, 2499),
        "{c:?}"
    );
    assert_eq!(records(&warehouse, EntityKind::People).await.len(), 2501);
}

#[tokio::test]
async fn check_names_a_missing_column_and_the_headers_found() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("signins.csv");
    std::fs::write(&path, "Full name,E-mail\nAna,ana@example.org\n").unwrap();
    let c = CsvConnector::new(signin_config(&path)).unwrap();
    let err = canvass_core::Connector::check(&c)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("no column named \"Email\", \"Name\"") && err.contains("\"E-mail\""),
        "{err}"
    );
    let missing = CsvConnector::new(signin_config(&dir.path().join("nope-*.csv"))).unwrap();
    let err = canvass_core::Connector::check(&missing)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("no file matches"), "{err}");
}
