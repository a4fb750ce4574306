//! The canvass conformance suite against CSV files on disk, and against
//! the same rows in `.xlsx` workbooks (tests/fixtures/conformance-*.xlsx,
//! written by tests/fixtures/make_spreadsheets.py).
//!
//! How the suite's HTTP-side checks apply to a file source:
//!
//! - *wrong secret*: a file source has no credentials; the suite checks
//!   that the connector's `Debug` never shows a secret and records the
//!   auth checks as not applicable (`has_credentials() == false`).
//! - *faults* and *rate limit*: they act on a simulator, and a file read
//!   sends it no request (0 requests, 0 answered 429); the file checks
//!   that matter here (a bad row, a BOM, Windows-1252, an unchanged or
//!   changed file) are in `tests/files.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::fmt::Write;

use async_trait::async_trait;
use canvass_core::http::RateLimit;
use canvass_core::{Connector, EntityKind};
use canvass_files::{Config, CsvConnector, Field, RowEntity};
use canvass_testkit::sim::{SimControl, SimRateLimit};
use canvass_testkit::{ConformanceHarness, run_conformance};

const EVENTS: [&str; 3] = ["Canvass launch", "Phone bank", "Town hall"];
const TAGS: [&str; 4] = ["Volunteer", "Donor", "Precinct Captain", "Youth"];

/// How the harness's rows are stored.
#[derive(Clone, Copy, PartialEq)]
enum Format {
    Csv,
    /// The committed workbooks, 120 rows each.
    Xlsx,
}

impl Format {
    fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }
}

struct Harness {
    dir: tempfile::TempDir,
    format: Format,
    sim: SimControl,
    expected: std::collections::BTreeMap<EntityKind, BTreeSet<String>>,
}

impl Harness {
    /// Two files of `rows` rows each, matched by one wildcard.
    fn new(rows: usize, format: Format) -> Harness {
        let dir = tempfile::tempdir().unwrap();
        let mut expected: std::collections::BTreeMap<EntityKind, BTreeSet<String>> =
            Default::default();
        for f in 0..2 {
            let name = format!("signins-{f}.{}", format.extension());
            let mut text =
                String::from("First,Last,Email,Cell,Event,RSVP,Tags,Do not text,Message,Notes\n");
            for i in 0..rows {
                let n = f * rows + i;
                let line = i + 2;
                let event = EVENTS[n % 3];
                let tags = if n.is_multiple_of(2) {
                    format!("{};{}", TAGS[n % 4], TAGS[(n + 1) % 4])
                } else {
                    String::new()
                };
                let opt = if n.is_multiple_of(5) { "yes" } else { "" };
                let _ = writeln!(
                    text,
                    "Ana{n},Núñez,ana{n}@example.org,(414) 202-{:04},{event},yes,{tags},{opt},\"hi, {n}\",note {n}",
                    n % 10_000
                );
                let id = format!("{name}:{line}");
                expected
                    .entry(EntityKind::People)
                    .or_default()
                    .insert(id.clone());
                expected
                    .entry(EntityKind::Events)
                    .or_default()
                    .insert(canvass_files::mapping::slug(event));
                expected
                    .entry(EntityKind::Attendances)
                    .or_default()
                    .insert(format!("{id}/{}", canvass_files::mapping::slug(event)));
                expected
                    .entry(EntityKind::Messages)
                    .or_default()
                    .insert(id.clone());
                if n.is_multiple_of(2) {
                    for t in [TAGS[n % 4], TAGS[(n + 1) % 4]] {
                        let t = canvass_files::mapping::slug(t);
                        expected
                            .entry(EntityKind::Tags)
                            .or_default()
                            .insert(t.clone());
                        expected
                            .entry(EntityKind::Taggings)
                            .or_default()
                            .insert(format!("{id}/{t}"));
                    }
                }
                if n.is_multiple_of(5) {
                    expected
                        .entry(EntityKind::OptOuts)
                        .or_default()
                        .insert(format!("{id}/sms"));
                }
            }
            match format {
                Format::Csv => std::fs::write(dir.path().join(name), text).unwrap(),
                Format::Xlsx => {
                    assert_eq!(rows, 120, "the committed workbooks have 120 rows each");
                    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                        .join(format!("tests/fixtures/conformance-{f}.xlsx"));
                    std::fs::copy(fixture, dir.path().join(name)).unwrap();
                }
            }
        }
        Harness {
            dir,
            format,
            sim: SimControl::default(),
            expected,
        }
    }
}

#[async_trait]
impl ConformanceHarness for Harness {
    fn connector(&self, _secret: Option<&str>, _rate_limit: RateLimit) -> Box<dyn Connector> {
        let mut config = Config::new(
            self.dir
                .path()
                .join(format!("signins-*.{}", self.format.extension()))
                .display()
                .to_string(),
            RowEntity::Attendances,
        )
        .column("First", Field::GivenName)
        .column("Last", Field::FamilyName)
        .column("Email", Field::Email)
        .column("Cell", Field::MobilePhone)
        .column("Event", Field::Event)
        .column("RSVP", Field::RsvpStatus)
        .column("Tags", Field::Tags)
        .column("Do not text", Field::OptOut)
        .column("Message", Field::Message);
        config.system = "signins".into();
        config.page_size = 25;
        Box::new(CsvConnector::new(config).unwrap())
    }

    fn sim(&self) -> &SimControl {
        &self.sim
    }

    fn expected_ids(&self, kind: &EntityKind) -> BTreeSet<String> {
        self.expected.get(kind).cloned().unwrap_or_default()
    }

    fn vendor_rate_limit(&self) -> SimRateLimit {
        SimRateLimit::per_second(1000.0)
    }

    fn throughput_kind(&self) -> EntityKind {
        EntityKind::People
    }

    fn has_credentials(&self) -> bool {
        false
    }
}

async fn passes_the_conformance_suite(format: Format) {
    let harness = Harness::new(120, format);
    let connector = harness.connector(None, RateLimit::unlimited());
    let reads = connector.info().reads;
    for kind in [
        EntityKind::People,
        EntityKind::Events,
        EntityKind::Attendances,
        EntityKind::Tags,
        EntityKind::Taggings,
        EntityKind::OptOuts,
        EntityKind::Messages,
    ] {
        assert!(reads.contains(&kind), "{kind}");
        assert!(!harness.expected_ids(&kind).is_empty(), "{kind}");
    }
    let report = run_conformance(&harness).await;
    println!("{report}");
    report.assert_ok();
    // Every readable kind was checked, resumed from its checkpoints.
    for kind in &reads {
        assert!(
            report
                .checks
                .iter()
                .any(|c| c.name == format!("resume {kind} from every checkpoint") && c.passed),
            "{kind}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csv_passes_the_conformance_suite() {
    passes_the_conformance_suite(Format::Csv).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn xlsx_passes_the_conformance_suite() {
    passes_the_conformance_suite(Format::Xlsx).await;
}
