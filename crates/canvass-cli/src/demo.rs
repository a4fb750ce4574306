//! `canvass demo`: the whole pipeline against bundled simulators.
//!
//! Starts every vendor simulator on loopback with one seeded, overlapping
//! population (the same humans in VAN, Action Network, Mobilize, Hustle and
//! Strive, typed differently in each), enforces each vendor's rate limit,
//! writes a config pointing at them and at a CSV sign-in sheet with messy
//! rows (what a tool without an API leaves), syncs everything into a SQLite file,
//! resolves identities, runs the standardized VAN sync into the VAN simulator
//! (twice, to show the second writes nothing), and prints what happened.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use serde::Serialize;

use canvass_core::registry::MapSecrets;
use canvass_sync::{Engine, RunReport, SyncOptions, open_warehouse};
use canvass_testkit::generate::Population;

use crate::config::{CanvassConfig, registry};
use crate::progress::Reporter;

/// The population seed: the same seed gives the same demo.
pub const SEED: u64 = 2026;

/// Requests per second the demo's VAN simulator allows (VAN's real limits
/// are tiered by contract and unpublished); the demo's VAN clients run at it.
pub const VAN_DEMO_RATE: f64 = 80.0;

/// The source name of the demo's CSV sign-in sheet.
pub const SHEET_SOURCE: &str = "signin";

/// The lines of the demo's sign-in sheet that are bad on purpose and must be
/// left out, each named: a row with too many fields and a row with nobody
/// on it. (Two more rows keep their person with a warning: an invalid phone
/// and an unreadable time.)
pub const SHEET_BAD_LINES: [usize; 2] = [8, 9];

/// Writes the demo's sign-in sheet for `population`'s first eight humans,
/// as a volunteer at the door would: mixed-case emails, phones typed three
/// ways, two rows that cannot be read and two with a bad cell. Returns how
/// many people it names.
///
/// # Errors
/// The file cannot be written.
pub fn write_sign_in_sheet(path: &Path, population: &Population) -> std::io::Result<usize> {
    use std::fmt::Write as _;
    let h = |i: usize| &population.humans[i % population.humans.len()];
    // +1AAABBBCCCC as a person writes it.
    let typed = |e164: &str, style: usize| {
        let d = e164.trim_start_matches("+1");
        match (style, d.get(0..3), d.get(3..6), d.get(6..)) {
            (0, Some(a), Some(b), Some(c)) => format!("({a}) {b}-{c}"),
            (1, Some(a), Some(b), Some(c)) => format!("{a}.{b}.{c}"),
            _ => d.to_string(),
        }
    };
    let mut sheet = String::from("Name,Email,Phone,Signed in\r\n");
    let row = |sheet: &mut String, i: usize, email: String, phone: String, at: &str| {
        let _ = write!(
            sheet,
            "{} {},{email},{phone},{at}\r\n",
            h(i).given_name,
            h(i).family_name
        );
    };
    for i in 0..6 {
        let email = if i % 2 == 0 {
            h(i).email.to_uppercase()
        } else {
            h(i).email.clone()
        };
        row(
            &mut sheet,
            i,
            email,
            typed(&h(i).mobile, i % 3),
            "03/14/2026 10:05",
        );
    }
    // Lines 8 and 9: SHEET_BAD_LINES.
    sheet.push_str("Bad,Row,Has,Too,Many\r\n,,,03/14/2026 10:20\r\n");
    row(
        &mut sheet,
        6,
        h(6).email.clone(),
        "555-0143".into(),
        "03/14/2026 10:31",
    );
    row(
        &mut sheet,
        7,
        h(7).email.clone(),
        typed(&h(7).mobile, 0),
        "not a time",
    );
    std::fs::write(path, sheet)?;
    Ok(8)
}

/// What the demo did, for the summary and for tests.
#[derive(Debug, Clone, Serialize)]
pub struct DemoSummary {
    /// The SQLite file written.
    pub database: PathBuf,
    /// Humans seeded across all simulators (ground truth).
    pub humans: usize,
    /// People records seeded per simulator.
    pub seeded_people: BTreeMap<String, usize>,
    /// Records stored per source.
    pub records_per_source: BTreeMap<String, u64>,
    /// Person records pulled from all sources.
    pub source_people: u64,
    /// Real people after identity resolution.
    pub canonical_people: u64,
    /// Requests each simulator answered 429 (the rate limits were enforced).
    pub throttled: BTreeMap<String, u64>,
    /// Records that could not be stored, across sources.
    pub failed_records: u64,
    /// Seconds the whole demo took.
    pub seconds: f64,
    /// The sync's full report.
    pub report: RunReport,
    /// The VAN sync's report.
    pub push: canvass_vansync::PushReport,
    /// What VAN's simulator stored: signups, activist codes applied, canvass
    /// responses (contact history), SMS opt-outs, survey responses.
    pub van_stored: BTreeMap<String, usize>,
    /// Writes a second push made (0: the ledger makes it exactly once).
    pub second_push_writes: u64,
    /// The sign-in sheet's rows left out, each with its file and line.
    pub sheet_rows_left_out: Vec<String>,
    /// The HTML run report written next to the database.
    pub html_report: PathBuf,
}

impl DemoSummary {
    /// Whether the demo did what it shows: every source read without a
    /// failure except the sign-in sheet's rows that are bad on purpose
    /// (exactly [`SHEET_BAD_LINES`], each named), and a push with no refusal.
    pub fn is_success(&self) -> bool {
        let sheet_as_planned = self.sheet_rows_left_out.len() == SHEET_BAD_LINES.len()
            && SHEET_BAD_LINES.iter().all(|line| {
                self.sheet_rows_left_out
                    .iter()
                    .any(|r| r.contains(&format!(" line {line}:")))
            });
        self.report.error.is_none()
            && self.report.sources.iter().all(|s| {
                s.is_success()
                    || (s.name == SHEET_SOURCE
                        && s.error.is_none()
                        && sheet_as_planned
                        && s.kinds.iter().all(|k| {
                            k.counts.failed as usize
                                == k.failures.iter().filter(|f| f.skipped).count()
                        }))
            })
            && self.push.is_success()
    }
}

/// The running simulators and the config that points at them.
pub struct DemoWorld {
    /// The Action Network simulator.
    pub actionnetwork: canvass_actionnetwork::simulator::ActionNetworkSim,
    /// The Mobilize simulator.
    pub mobilize: canvass_mobilize::simulator::MobilizeSim,
    /// The VAN simulator.
    pub van: canvass_van::simulator::VanSim,
    /// The Hustle simulator.
    pub hustle: canvass_hustle::simulator::HustleSim,
    /// The Strive simulator.
    pub strive: canvass_strive::simulator::StriveSim,
    /// What VAN's simulator was seeded with (codes, events).
    pub van_seeded: canvass_van::simulator::Seeded,
    /// People records seeded per simulator.
    pub seeded_people: BTreeMap<String, usize>,
    /// Humans in the population.
    pub humans: usize,
    /// The VAN saved list holding every seeded VAN person.
    pub van_list_id: u64,
    /// The population every simulator was seeded from.
    pub population: Population,
}

impl DemoWorld {
    /// Starts every simulator with `people` humans: VAN holds 60% of them,
    /// Action Network 70%, Mobilize 50%, Hustle and Strive 40% each, so most
    /// people are in several tools.
    pub async fn start(people: usize) -> DemoWorld {
        let people = people.max(10);
        let population = Population::generate(SEED, people);
        let share = |pct: usize| people * pct / 100;

        let van = canvass_van::simulator::VanSim::start().await;
        let van_seeded = van.seed_standard();
        let van_ids = van.seed_population(&population, share(60));
        let van_list_id = van.add_saved_list("Everyone", &van_ids);
        // VAN's limits are tiered and unpublished: the demo's VAN allows
        // VAN_DEMO_RATE requests/s, and every VAN client here runs at it.
        van.set_rate_limit(VAN_DEMO_RATE, Some(1));

        let actionnetwork = canvass_actionnetwork::simulator::ActionNetworkSim::start(
            canvass_actionnetwork::simulator::SimConfig {
                seed: SEED,
                people: share(70),
                ..Default::default()
            },
        )
        .await;
        actionnetwork.enforce_rate_limit();

        let mobilize = canvass_mobilize::simulator::MobilizeSim::start(
            canvass_mobilize::simulator::SimOptions {
                seed: SEED,
                people: share(50),
                events: 12,
                attendances: share(50) * 3 / 2,
                ..Default::default()
            },
        )
        .await;

        let hustle = canvass_hustle::simulator::HustleSim::start().await;
        hustle.seed_population(&population, 0..share(40));
        hustle.seed_messages(SEED, share(40) * 3);
        hustle.enforce_vendor_rate_limit();

        let strive = canvass_strive::simulator::StriveSim::start().await;
        strive.seed_population(&population, (people - share(40))..people);
        strive.seed_messages(SEED, share(40) * 3);
        strive.control().set_rate_limit(Some(
            canvass_strive::simulator::StriveSim::vendor_rate_limit(),
        ));

        // What each simulator really holds (Mobilize merges people who
        // share an email, as Mobilize does).
        let seeded_people = BTreeMap::from([
            ("van".to_string(), van_ids.len()),
            ("actionnetwork".to_string(), actionnetwork.people_count()),
            ("mobilize".to_string(), mobilize.people_ids().len()),
            ("hustle".to_string(), hustle.lead_ids().len()),
            ("strive".to_string(), strive.member_ids().len()),
        ]);
        DemoWorld {
            actionnetwork,
            mobilize,
            van,
            hustle,
            strive,
            van_seeded,
            seeded_people,
            humans: people,
            van_list_id,
            population,
        }
    }

    /// A canvass.toml pointing at the simulators.
    pub fn config_toml(&self, database: &Path, sheet: &Path) -> String {
        format!(
            r#"# Written by `canvass demo`: every source is a simulator on loopback.
[warehouse]
url = "sqlite://{db}"

[sources.van]
kind = "van"
application_name = "{van_app}"
api_key_env = "DEMO_VAN_API_KEY"
db_mode = "MyCampaign"
base_url = "{van}"
people_saved_list_id = {list}
rate_limit = {{ per_second = {van_rate:.1} }}

[sources.actionnetwork]
kind = "actionnetwork"
api_key_env = "DEMO_ACTION_NETWORK_KEY"
base_url = "{an}"

[sources.mobilize]
kind = "mobilize"
organization_id = {org}
api_key_env = "DEMO_MOBILIZE_KEY"
base_url = "{mob}"

[sources.hustle]
kind = "hustle"
client_id_env = "DEMO_HUSTLE_CLIENT_ID"
client_secret_env = "DEMO_HUSTLE_CLIENT_SECRET"
base_url = "{hustle}"
organization_id = "{hustle_org}"
# Not in Hustle's published API; the demo's simulator offers a message list.
messages_path = "messages"

[sources.strive]
kind = "strive"
api_key_env = "DEMO_STRIVE_KEY"
base_url = "{strive}"
campaign_id = {strive_campaign}

# A sign-in sheet from the door (a file, no API): messy on purpose.
[sources.{sheet_source}]
kind = "csv"
path = "{sheet}"
system = "{sheet_source}"
entity = "attendances"
event = "Canvass launch"
[sources.{sheet_source}.columns]
"Name" = "full_name"
"Email" = "email"
"Phone" = "phone"
"Signed in" = "date"
"#,
            sheet = sheet.display(),
            sheet_source = SHEET_SOURCE,
            db = database.display(),
            van_app = self.van.app_name(),
            van = self.van.base_url(),
            list = self.van_list_id,
            van_rate = VAN_DEMO_RATE,
            an = self.actionnetwork.base_url(),
            org = self.mobilize.organization_id(),
            mob = self.mobilize.base_url(),
            hustle = self.hustle.base_url(),
            hustle_org = canvass_hustle::simulator::ORGANIZATION_ID,
            strive = self.strive.base_url(),
            strive_campaign = canvass_strive::simulator::CAMPAIGN_ID,
        )
    }

    /// The secrets the config names.
    pub fn secrets(&self) -> MapSecrets {
        MapSecrets::default()
            .with("DEMO_VAN_API_KEY", self.van.api_key())
            .with("DEMO_ACTION_NETWORK_KEY", self.actionnetwork.api_key())
            .with("DEMO_MOBILIZE_KEY", self.mobilize.api_key())
            .with(
                "DEMO_HUSTLE_CLIENT_ID",
                canvass_hustle::simulator::CLIENT_ID,
            )
            .with(
                "DEMO_HUSTLE_CLIENT_SECRET",
                canvass_hustle::simulator::CLIENT_SECRET,
            )
            .with("DEMO_STRIVE_KEY", canvass_strive::simulator::API_KEY)
    }

    /// The VAN sync into the VAN simulator: tags to activist codes, Mobilize
    /// and Action Network RSVPs to the two seeded VAN events, texting to
    /// contact history, opt-outs with their result codes.
    ///
    /// # Errors
    /// A message when the warehouse cannot be read or the config is refused.
    pub async fn van_sync(
        &self,
        warehouse: &dyn canvass_sync::Warehouse,
    ) -> Result<canvass_vansync::VanSync, String> {
        use futures::StreamExt;
        let s = &self.van_seeded;
        let rc = |n: &str| s.result_codes.get(n).copied().unwrap_or_default();
        let ac = |n: &str| s.activist_codes.get(n).copied().unwrap_or_default();
        let mut t = canvass_vansync::TargetConfig::new("van");
        t.result_code_ids = BTreeMap::from([
            ("texted".into(), rc("Texted")),
            ("canvassed".into(), rc("Canvassed")),
        ]);
        t.opt_out_result_code_ids = BTreeMap::from([
            ("wrong_number".into(), rc("Wrong Number")),
            ("default".into(), rc("Do Not Text")),
        ]);
        t.activist_codes = BTreeMap::from([
            ("Tag 0".into(), ac("Volunteer")),
            ("volunteers".into(), ac("Volunteer")),
            ("Tag 1".into(), ac("Precinct Captain")),
            ("Donors".into(), ac("Donor Prospect")),
        ]);
        // Every pulled event maps to one of VAN's two seeded events.
        let mut events = warehouse.records(canvass_core::EntityKind::Events);
        let mut i = 0;
        while let Some(r) = events.next().await {
            let r = r.map_err(|e| e.to_string())?;
            if let Some(v) = s.events.get(i % s.events.len().max(1)) {
                t.events.insert(
                    r.record.source().to_string(),
                    canvass_vansync::EventMapping {
                        event_id: v.event_id,
                        ..Default::default()
                    },
                );
            }
            i += 1;
        }
        let config = canvass_vansync::VanSyncConfig::new(vec![t]);
        let client = self
            .van
            .client_builder()
            .rate_limit(canvass_core::http::RateLimit::per_second(VAN_DEMO_RATE))
            .retry(canvass_core::http::RetryPolicy::default())
            .build()
            .map_err(|e| e.to_string())?;
        canvass_vansync::VanSync::with_clients(config, [("van".to_string(), client)])
            .map_err(|e| e.to_string())
    }

    /// 429s answered by each simulator so far.
    pub fn throttled(&self) -> BTreeMap<String, u64> {
        BTreeMap::from([
            ("van".to_string(), self.van.control().stats().throttled),
            (
                "actionnetwork".to_string(),
                self.actionnetwork.control().stats().throttled,
            ),
            (
                "mobilize".to_string(),
                self.mobilize.control().stats().throttled,
            ),
            (
                "hustle".to_string(),
                self.hustle.control().stats().throttled,
            ),
            (
                "strive".to_string(),
                self.strive.control().stats().throttled,
            ),
        ])
    }
}

/// Runs the demo pipeline and returns its summary (used by `canvass demo`
/// and the end-to-end tests).
///
/// # Errors
/// A message when the warehouse or the config cannot be set up.
pub async fn run_pipeline(
    database: &Path,
    people: usize,
    quiet: bool,
) -> Result<DemoSummary, String> {
    let started = Instant::now();
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", database.display()));
    }
    let mut world = DemoWorld::start(people).await;
    let sheet = database.with_extension("signin.csv");
    let sheet_people = write_sign_in_sheet(&sheet, &world.population)
        .map_err(|e| format!("{}: {e}", sheet.display()))?;
    world
        .seeded_people
        .insert(SHEET_SOURCE.to_string(), sheet_people);
    let config_text = world.config_toml(database, &sheet);
    let config = CanvassConfig::parse(&config_text).map_err(|e| format!("demo config: {e}"))?;
    let sources = config.build_sources(&registry(), &world.secrets(), None)?;
    let warehouse = open_warehouse(&config.warehouse.url)
        .await
        .map_err(|e| e.to_string())?;
    let engine = Engine::new(warehouse);
    let options = SyncOptions {
        progress: Some(Arc::new(Reporter::new(quiet))),
        ..SyncOptions::default()
    };
    let report = engine
        .sync(&sources, &options)
        .await
        .map_err(|e| e.to_string())?;
    let records_per_source = report
        .sources
        .iter()
        .map(|s| (s.name.clone(), s.totals().read - s.totals().failed))
        .collect();
    let source_people = report
        .sources
        .iter()
        .flat_map(|s| &s.kinds)
        .filter(|k| k.kind == canvass_core::EntityKind::People)
        .map(|k| k.counts.read - k.counts.failed)
        .sum();
    let canonical_people = report.identity.as_ref().map_or(0, |i| i.canonical_people);
    let sheet_rows_left_out = report
        .source(SHEET_SOURCE)
        .map(|s| {
            s.kinds
                .iter()
                .flat_map(|k| k.failures.iter().filter(|f| f.skipped))
                .map(|f| f.reason.clone())
                .collect()
        })
        .unwrap_or_default();

    // The standardized VAN sync, into the VAN simulator, twice: the second
    // run must write nothing.
    let van_sync = world.van_sync(engine.warehouse().as_ref()).await?;
    let push = van_sync
        .push(engine.warehouse().as_ref())
        .await
        .map_err(|e| e.to_string())?;
    let again = van_sync
        .push(engine.warehouse().as_ref())
        .await
        .map_err(|e| e.to_string())?;
    let html_report = database.with_extension("html");
    crate::report_html::run(engine.warehouse().as_ref(), &html_report, 10).await?;
    let van_stored = BTreeMap::from([
        ("signups".to_string(), world.van.signup_count()),
        (
            "activist codes applied".to_string(),
            world.van.applied_activist_codes().len(),
        ),
        (
            "canvass responses".to_string(),
            world.van.canvass_response_count(),
        ),
        ("SMS opt-outs".to_string(), world.van.opt_outs().len()),
        (
            "survey responses".to_string(),
            world.van.survey_responses().len(),
        ),
    ]);
    Ok(DemoSummary {
        database: database.to_path_buf(),
        humans: world.humans,
        seeded_people: world.seeded_people.clone(),
        records_per_source,
        source_people,
        canonical_people,
        throttled: world.throttled(),
        failed_records: report.totals().failed,
        seconds: started.elapsed().as_secs_f64(),
        report,
        push,
        van_stored,
        second_push_writes: again.written(),
        sheet_rows_left_out,
        html_report,
    })
}

/// The summary as printed.
pub fn render(summary: &DemoSummary) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\ncanvass demo: {} humans seeded across 5 simulated tools and a sign-in sheet\n",
        summary.humans
    );
    let _ = writeln!(
        out,
        "{:<16} {:>14} {:>10}",
        "source", "records stored", "429s"
    );
    for (name, n) in &summary.records_per_source {
        let _ = writeln!(
            out,
            "{:<16} {:>14} {:>10}",
            name,
            n,
            summary.throttled.get(name).copied().unwrap_or(0)
        );
    }
    if !summary.sheet_rows_left_out.is_empty() {
        let _ = writeln!(
            out,
            "\nthe sign-in sheet's unreadable rows, left out and named (the rest kept):"
        );
        for r in &summary.sheet_rows_left_out {
            let _ = writeln!(out, "  {r}");
        }
    }
    let _ = writeln!(
        out,
        "\nidentity: {} source people -> {} real people (ground truth: {} humans; {} joined despite a nickname or typo)",
        summary.source_people,
        summary.canonical_people,
        summary.humans,
        summary
            .report
            .identity
            .as_ref()
            .map_or(0, |i| i.probabilistic_links)
    );
    let _ = writeln!(
        out,
        "\npushed into VAN (standardized VAN sync, {} writes):",
        summary.push.written()
    );
    for (what, n) in &summary.van_stored {
        let _ = writeln!(out, "  {n:>6} {what}");
    }
    let _ = writeln!(
        out,
        "  a second push wrote {} (every write is in the push ledger once)",
        summary.second_push_writes
    );
    let failed_pushes = summary.push.failures().count();
    if failed_pushes > 0 {
        let _ = writeln!(
            out,
            "  {failed_pushes} writes were refused; see the report (--json)"
        );
    }
    let unplanned = summary.failed_records as usize
        - summary
            .sheet_rows_left_out
            .len()
            .min(summary.failed_records as usize);
    if unplanned > 0 {
        let _ = writeln!(
            out,
            "{unplanned} records could not be stored; see the report (--json)"
        );
    }
    let db = summary.database.display();
    let _ = writeln!(out, "\nwarehouse: {db} ({:.1} s)\n\nTry:", summary.seconds);
    let _ = writeln!(
        out,
        "  sqlite3 {db} \"SELECT canonical_id, given_name, family_name, email, phone, source_count FROM canonical_people ORDER BY source_count DESC LIMIT 10\""
    );
    let _ = writeln!(
        out,
        "  sqlite3 {db} \"SELECT system, COUNT(*) FROM people GROUP BY system\""
    );
    let _ = writeln!(
        out,
        "  sqlite3 {db} \"SELECT channel, status, COUNT(*) FROM canonical_channel_status GROUP BY 1, 2\""
    );
    let _ = writeln!(
        out,
        "  sqlite3 {db} \"SELECT system, source_id, match_key, score FROM identity_links WHERE rule = 'probabilistic'\"   (nicknames and typos the keys missed)"
    );
    let _ = writeln!(
        out,
        "  sqlite3 {db} \"SELECT rule, status, COUNT(*) FROM push_ledger GROUP BY 1, 2\""
    );
    let _ = writeln!(
        out,
        "  open {}   (the run report: per source and kind, the sheet's left-out rows, identity, VAN)",
        summary.html_report.display()
    );
    out
}

/// `canvass demo`.
pub async fn run(db: Option<PathBuf>, people: usize, json: bool) -> Result<(), crate::Failure> {
    let database = db.unwrap_or_else(|| PathBuf::from("canvass-demo.db"));
    let summary = run_pipeline(&database, people, json)
        .await
        .map_err(crate::other_error)?;
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&summary).map_err(crate::other_error)?
        );
    } else {
        print!("{}", render(&summary));
    }
    if summary.is_success() {
        Ok(())
    } else {
        Err(crate::Failure {
            code: crate::EXIT_PARTIAL,
            message: "the demo sync reported failures; run with --json for the full report".into(),
        })
    }
}
