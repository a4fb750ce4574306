//! Spreadsheets through the engine into a SQLite warehouse: an `.xlsx`
//! sign-in sheet (made by tests/fixtures/make_spreadsheets.py, committed) keeps
//! every good row with its numbers, dates and accents read as the CSV path
//! would read them, and names the bad row by file, sheet and Excel row; a
//! sheet is chosen by name; an unchanged workbook reads nothing on a re-run
//! and a changed one is re-read and upserted.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use canvass_core::{AttendanceStatus, EntityKind, Person, Record};
use canvass_files::{Config, CsvConnector, Field, RowEntity};
use canvass_sync::{Engine, RunReport, Source, SqliteWarehouse, SyncOptions, Warehouse};
use futures::TryStreamExt;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A copy of fixture `name` as `signins.xlsx` in a fresh directory.
fn workbook(name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("signins.xlsx");
    std::fs::copy(fixture(name), &path).unwrap();
    (dir, path)
}

fn signin_config(path: &Path) -> Config {
    let mut c = Config::new(path.display().to_string(), RowEntity::Attendances)
        .column("Name", Field::FullName)
        .column("Email", Field::Email)
        .column("Phone", Field::Phone)
        .column("ZIP", Field::Zip)
        .column("Signed in", Field::Date);
    c.system = "signins".into();
    c.event = Some("Canvass launch".into());
    c
}

async fn warehouse(dir: &Path) -> Arc<dyn Warehouse> {
    Arc::new(SqliteWarehouse::open(dir.join("w.db")).await.unwrap())
}

async fn sync(warehouse: &Arc<dyn Warehouse>, config: Config) -> RunReport {
    let source = Source::new("signins", Arc::new(CsvConnector::new(config).unwrap()));
    Engine::new(warehouse.clone())
        .sync(&[source], &SyncOptions::default())
        .await
        .unwrap()
}

async fn people(warehouse: &Arc<dyn Warehouse>) -> Vec<Person> {
    records(warehouse, EntityKind::People)
        .await
        .into_iter()
        .filter_map(|r| match r {
            Record::Person(p) => Some(p),
            _ => None,
        })
        .collect()
}

async fn records(warehouse: &Arc<dyn Warehouse>, kind: EntityKind) -> Vec<Record> {
    warehouse
        .records(kind)
        .map_ok(|r| r.record)
        .try_collect()
        .await
        .unwrap()
}

fn named<'a>(people: &'a [Person], given: &str) -> &'a Person {
    people
        .iter()
        .find(|p| p.given_name.as_deref() == Some(given))
        .unwrap_or_else(|| panic!("{given} missing from {people:#?}"))
}

/// Every failure of the run (skipped or kept with a warning), by reason.
fn failures(report: &RunReport) -> Vec<(bool, String)> {
    report
        .source("signins")
        .unwrap()
        .kinds
        .iter()
        .flat_map(|k| k.failures.iter().map(|f| (f.skipped, f.reason.clone())))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_xlsx_sign_in_sheet_keeps_every_good_row_and_names_the_bad_one_by_sheet_and_row() {
    let (dir, path) = workbook("signins.xlsx");
    let warehouse = warehouse(dir.path()).await;
    let report = sync(&warehouse, signin_config(&path)).await;

    let people = people(&warehouse).await;
    assert_eq!(people.len(), 4, "{people:#?} {report:#?}");
    // Accents as typed; a phone and a ZIP typed as numbers read as digits.
    let jose = named(&people, "José");
    assert_eq!(jose.family_name.as_deref(), Some("Núñez"));
    assert_eq!(jose.source.id, "signins.xlsx:3", "rows are Excel's");
    assert_eq!(jose.phones[0].number, "+14142020792");
    assert!(jose.phones[0].valid);
    assert_eq!(jose.addresses[0].postal_code.as_deref(), Some("53204"));
    // Unmapped columns: kept as custom fields, a boolean as `true`.
    assert_eq!(
        jose.custom_fields.get("Volunteer?"),
        Some(&serde_json::json!("true"))
    );
    let ana = named(&people, "Ana");
    assert_eq!(ana.family_name.as_deref(), Some("García"));
    assert_eq!(
        ana.addresses[0].postal_code.as_deref(),
        Some("02134"),
        "the ZIP stored as the number 2134 gets its zero back"
    );
    assert_eq!(
        ana.custom_fields.get("Notes"),
        Some(&serde_json::json!("brought a friend"))
    );
    let zoe = named(&people, "Zoë");
    assert_eq!(zoe.family_name.as_deref(), Some("O'Brien"));
    assert_eq!(zoe.phones[0].number, "+14142020794");
    let mei = named(&people, "Mei");
    assert!(mei.addresses.is_empty(), "an error cell reads as empty");

    // Sign-in times: Excel dates read as the CSV path reads ISO text.
    let signins = records(&warehouse, EntityKind::Attendances).await;
    assert_eq!(signins.len(), 4);
    let at = |person: &str| {
        signins
            .iter()
            .find_map(|r| match r {
                Record::Attendance(a) if a.person.id == person => Some(a.clone()),
                _ => None,
            })
            .unwrap()
    };
    let jose_in = at("signins.xlsx:3");
    assert_eq!(jose_in.status, AttendanceStatus::Attended);
    assert_eq!(jose_in.event.id, "canvass-launch");
    assert_eq!(
        jose_in.modified_at.map(|t| t.to_rfc3339()).as_deref(),
        Some("2026-03-14T10:05:00+00:00")
    );
    assert_eq!(jose_in.extra.get("sheet"), Some(&"Sign-ins".into()));
    assert_eq!(jose_in.extra.get("row"), Some(&3.into()));
    assert_eq!(
        at("signins.xlsx:7")
            .modified_at
            .map(|t| t.to_rfc3339())
            .as_deref(),
        Some("2026-03-14T00:00:00+00:00"),
        "a date alone is midnight"
    );
    assert_eq!(records(&warehouse, EntityKind::Events).await.len(), 1);

    // The bad row: left out, named by file, sheet and row, once.
    let all = failures(&report);
    let skipped: Vec<&str> = all
        .iter()
        .filter(|(s, _)| *s)
        .map(|(_, r)| r.as_str())
        .collect();
    assert_eq!(skipped.len(), 1, "{all:#?}");
    assert!(
        skipped[0].starts_with("signins.xlsx sheet \"Sign-ins\" row 6: no name, email or phone"),
        "{skipped:?}"
    );
    // Kept with a warning naming sheet, row and column.
    let warnings: Vec<&str> = all
        .iter()
        .filter(|(s, _)| !*s)
        .map(|(_, r)| r.as_str())
        .collect();
    for want in [
        "signins.xlsx sheet \"Sign-ins\" row 7: column H holds \"came late\", outside the header's columns A-G; not read",
        "signins.xlsx sheet \"Sign-ins\" row 8, column D (\"ZIP\"): the cell holds the error #N/A; read as empty",
        "signins.xlsx sheet \"Sign-ins\" row 8, column E (\"Signed in\"): not a date",
    ] {
        assert!(
            warnings.iter().any(|w| w.starts_with(want)),
            "{want} not in {warnings:#?}"
        );
    }
    assert_eq!(warnings.len(), 3, "each reported once: {warnings:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sheet_is_chosen_by_name_and_its_columns_named_by_letter() {
    let (dir, path) = workbook("signins.xlsx");
    let warehouse = warehouse(dir.path()).await;
    let mut config = Config::new(path.display().to_string(), RowEntity::People)
        .column("Name", Field::FullName)
        .column("Email", Field::Email)
        .sheet("walk-ins");
    config.system = "signins".into();
    let report = sync(&warehouse, config).await;
    let people = people(&warehouse).await;
    assert_eq!(people.len(), 2, "{people:#?}");
    assert_eq!(named(&people, "Luis").source.id, "signins.xlsx:2");
    let all = failures(&report);
    assert_eq!(all.len(), 1, "{all:#?}");
    assert!(
        all[0].1.starts_with(
            "signins.xlsx sheet \"Walk-ins\" row 3, column C (\"Email\"): not a valid email address"
        ),
        "{all:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unchanged_workbook_reads_nothing_and_a_changed_one_upserts() {
    let (dir, path) = workbook("signins.xlsx");
    let warehouse = warehouse(dir.path()).await;
    let people_counts = |r: &RunReport| {
        r.kind("signins", &EntityKind::People)
            .map(|k| (k.pages, k.counts))
            .unwrap()
    };
    let first = sync(&warehouse, signin_config(&path)).await;
    let (_, c) = people_counts(&first);
    assert_eq!((c.read, c.inserted), (4, 4));

    let again = sync(&warehouse, signin_config(&path)).await;
    let (pages, c) = people_counts(&again);
    assert_eq!(
        (pages, c.read),
        (0, 0),
        "an unchanged workbook reads no row: {c:?}"
    );

    // One email edited, one person appended: re-read and upserted.
    std::fs::copy(fixture("signins-edited.xlsx"), &path).unwrap();
    let third = sync(&warehouse, signin_config(&path)).await;
    let (_, c) = people_counts(&third);
    assert_eq!(
        (c.read, c.inserted, c.updated, c.unchanged),
        (5, 1, 1, 3),
        "{c:?}"
    );
    let people = people(&warehouse).await;
    assert_eq!(people.len(), 5);
    assert_eq!(
        named(&people, "Ana").emails[0].address,
        "ana.garcia@example.org"
    );
}

#[tokio::test]
async fn check_names_a_missing_sheet_and_the_sheets_found() {
    let (_dir, path) = workbook("signins.xlsx");
    let c = CsvConnector::new(signin_config(&path).sheet("Totals")).unwrap();
    let err = canvass_core::Connector::check(&c)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("no sheet named \"Totals\"") && err.contains("\"Sign-ins\", \"Walk-ins\""),
        "{err}"
    );
    // The default sheet has every configured column; a missing one is named
    // with the sheet's header.
    let ok = CsvConnector::new(signin_config(&path)).unwrap();
    canvass_core::Connector::check(&ok).await.unwrap();
    let missing =
        CsvConnector::new(signin_config(&path).column("Cell", Field::MobilePhone)).unwrap();
    let err = canvass_core::Connector::check(&missing)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("no column named \"Cell\"") && err.contains("\"Signed in\""),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upper_case_extension_reads_and_a_file_that_is_no_workbook_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let upper = dir.path().join("SIGNINS.XLSX");
    std::fs::copy(fixture("signins.xlsx"), &upper).unwrap();
    let warehouse = warehouse(dir.path()).await;
    let report = sync(&warehouse, signin_config(&upper)).await;
    assert_eq!(people(&warehouse).await.len(), 4, "{report:#?}");

    // A CSV saved under an .xlsx name: the read fails naming the file.
    let renamed = dir.path().join("renamed.xlsx");
    std::fs::write(&renamed, "Name,Email\nAna,ana@example.org\n").unwrap();
    let c = CsvConnector::new(signin_config(&renamed)).unwrap();
    let err = canvass_core::Connector::check(&c)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("renamed.xlsx"), "{err}");
}
