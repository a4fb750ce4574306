//! The engine over every real connector's simulator, on both backends:
//! a full sync stores every seeded record of every kind the connector reads
//! exactly once; a re-run changes nothing; after the simulator changes a few
//! records, a re-run stores exactly those changes. And a sync killed with
//! SIGKILL in a child process, then re-run, ends identical to an
//! uninterrupted one.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use canvass_core::http::{RateLimit, RetryPolicy};
use canvass_core::registry::MapSecrets;
use canvass_core::{Connector, EntityKind};
use canvass_sync::{Engine, ProgressEvent, RunReport, Source, SyncOptions, Warehouse};
use canvass_testkit::generate::Population;
use common::*;
use futures::TryStreamExt;

/// A simulator seeded for one connector, and what it holds.
#[async_trait]
trait Fixture: Send + Sync {
    /// The connector's system name (`SourceRef::system` of its records).
    fn system(&self) -> &'static str;
    /// A connector pointed at the simulator, unthrottled, with small pages.
    fn connector(&self) -> Arc<dyn Connector>;
    /// The simulator's ids of every record of every kind the connector reads.
    fn expected(&self) -> BTreeMap<EntityKind, BTreeSet<String>>;
    /// Changes a few records in the simulator; returns, per kind, the ids
    /// whose stored rows must change (new or different) on the next sync.
    async fn change(&self) -> BTreeMap<EntityKind, BTreeSet<String>>;
}

/// The entity table of a kind.
fn table(kind: &EntityKind) -> &'static str {
    match kind {
        EntityKind::People => "people",
        EntityKind::Events => "events",
        EntityKind::Shifts => "shifts",
        EntityKind::Attendances => "attendances",
        EntityKind::Tags => "tags",
        EntityKind::Taggings => "taggings",
        EntityKind::SurveyQuestions => "survey_questions",
        EntityKind::SurveyResponses => "survey_responses",
        EntityKind::Messages => "messages",
        EntityKind::ContactAttempts => "contact_attempts",
        EntityKind::OptOuts => "opt_outs",
        EntityKind::Donations => "donations",
        EntityKind::Actions => "actions",
        other => panic!("no table for {other}"),
    }
}

/// Every entity table (where a sync's records can land).
const ENTITY_TABLES: &[&str] = &[
    "people",
    "events",
    "shifts",
    "attendances",
    "tags",
    "taggings",
    "survey_questions",
    "survey_responses",
    "messages",
    "contact_attempts",
    "opt_outs",
    "donations",
    "actions",
    "deletions",
];

/// `id -> content_hash` of one system's rows of one table.
async fn hashes(w: &dyn Warehouse, table: &str, system: &str) -> BTreeMap<String, String> {
    let rows: Vec<serde_json::Value> = w
        .export(table)
        .map_ok(|r| r.to_json())
        .try_collect()
        .await
        .expect("export");
    let mut out = BTreeMap::new();
    for r in rows.iter().filter(|r| r["system"] == system) {
        let id = r["id"].as_str().expect("id").to_string();
        let hash = r["content_hash"].as_str().expect("hash").to_string();
        assert!(
            out.insert(id.clone(), hash).is_none(),
            "{table} holds {system}:{id} twice"
        );
    }
    out
}

/// Every entity table's `id -> content_hash` for one system.
async fn snapshot(
    w: &dyn Warehouse,
    system: &str,
) -> BTreeMap<&'static str, BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for t in ENTITY_TABLES {
        out.insert(*t, hashes(w, t, system).await);
    }
    out
}

/// The dump without checkpoints: cursors of incremental reads hold the
/// time of the read, which a re-run moves on by design.
async fn data_dump(w: &dyn Warehouse) -> String {
    let dump = w.dump().await.expect("dump");
    let mut out = String::new();
    let mut skipping = false;
    for line in dump.lines() {
        if let Some(section) = line.strip_prefix("## ") {
            skipping = section == "checkpoints";
        }
        if !skipping {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

async fn sync(w: &Arc<dyn Warehouse>, f: &dyn Fixture) -> RunReport {
    let report = Engine::new(w.clone())
        .sync(
            &[Source::new(f.system(), f.connector())],
            &SyncOptions::default(),
        )
        .await
        .expect("sync");
    assert!(
        report.is_success(),
        "{} on {}: {report:#?}",
        f.system(),
        w.backend_name()
    );
    report
}

fn totals(report: &RunReport) -> (u64, u64, u64) {
    report
        .sources
        .iter()
        .flat_map(|s| &s.kinds)
        .fold((0, 0, 0), |(i, u, n), k| {
            (
                i + k.counts.inserted,
                u + k.counts.updated,
                n + k.counts.unchanged,
            )
        })
}

/// Full sync, re-run, changes and incremental re-run, on every backend.
async fn full_rerun_and_changes(f: &dyn Fixture, tag: &str) {
    let (_dir, backends) = backends(tag).await;
    let system = f.system();
    let reads = f.connector().info().reads;
    let expected = f.expected();
    assert_eq!(
        expected.keys().cloned().collect::<BTreeSet<_>>(),
        reads,
        "{system}: the fixture names ids for every kind the connector reads"
    );
    let mut dumps = Vec::new();
    for w in &backends {
        let name = w.backend_name();
        let report = sync(w, f).await;
        let mut rows = 0;
        for t in ENTITY_TABLES {
            rows += hashes(w.as_ref(), t, system).await.len() as u64;
        }
        for (kind, ids) in &expected {
            assert!(!ids.is_empty(), "{system}: the simulator seeds some {kind}");
            let stored: BTreeSet<String> = hashes(w.as_ref(), table(kind), system)
                .await
                .into_keys()
                .collect();
            assert_eq!(
                &stored, ids,
                "{system} on {name}: stored {kind} are exactly the simulator's"
            );
        }
        let (inserted, updated, _) = totals(&report);
        assert_eq!(
            inserted, rows,
            "{system} on {name}: each stored row was inserted once"
        );
        assert_eq!(
            updated, 0,
            "{system} on {name}: nothing updated in a first sync"
        );
        dumps.push(data_dump(w.as_ref()).await);
    }
    for (w, dump) in backends.iter().zip(&dumps) {
        let name = w.backend_name();
        let report = sync(w, f).await;
        let (inserted, updated, _) = totals(&report);
        assert_eq!(
            (inserted, updated),
            (0, 0),
            "{system} on {name}: a re-run changes nothing: {report:#?}"
        );
        assert_eq!(
            &data_dump(w.as_ref()).await,
            dump,
            "{system} on {name}: a re-run leaves the warehouse as it was"
        );
    }
    // Past the second of the last read, so every change is after its mark.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let changed = f.change().await;
    // And past the second of the changes: VAN's changed-entity windows end
    // at the last whole second, so a change in the current second is read
    // by the run after.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert!(
        changed.values().any(|ids| !ids.is_empty()),
        "{system}: the fixture changed something"
    );
    for w in &backends {
        let name = w.backend_name();
        let before = snapshot(w.as_ref(), system).await;
        let report = sync(w, f).await;
        let after = snapshot(w.as_ref(), system).await;
        let mut seen: BTreeMap<EntityKind, BTreeSet<String>> = BTreeMap::new();
        let mut new = 0;
        let mut different = 0;
        for kind in &reads {
            let t = table(kind);
            let ids: BTreeSet<String> = after[t]
                .iter()
                .filter(|(id, hash)| before[t].get(*id) != Some(*hash))
                .map(|(id, _)| id.clone())
                .collect();
            new += ids.iter().filter(|id| !before[t].contains_key(*id)).count() as u64;
            different += ids.iter().filter(|id| before[t].contains_key(*id)).count() as u64;
            assert!(
                before[t].keys().all(|id| after[t].contains_key(id)),
                "{system} on {name}: nothing of {kind} lost"
            );
            if !ids.is_empty() {
                seen.insert(kind.clone(), ids);
            }
        }
        let want: BTreeMap<EntityKind, BTreeSet<String>> = changed
            .iter()
            .filter(|(_, ids)| !ids.is_empty())
            .map(|(k, ids)| (k.clone(), ids.clone()))
            .collect();
        assert_eq!(
            seen, want,
            "{system} on {name}: the re-run stored exactly the changes"
        );
        let (inserted, updated, _) = totals(&report);
        assert_eq!(
            (inserted, updated),
            (new, different),
            "{system} on {name}: the report counts exactly the changes"
        );
        for (kind, ids) in f.expected() {
            let stored: BTreeSet<String> = after[table(&kind)].keys().cloned().collect();
            assert_eq!(stored, ids, "{system} on {name}: {kind} after the changes");
        }
    }
}

// ---------------------------------------------------------------- Action Network

struct ActionNetwork {
    sim: canvass_actionnetwork::simulator::ActionNetworkSim,
}

#[async_trait]
impl Fixture for ActionNetwork {
    fn system(&self) -> &'static str {
        "actionnetwork"
    }
    fn connector(&self) -> Arc<dyn Connector> {
        let client = self
            .sim
            .client_builder()
            .rate_limit(RateLimit::unlimited())
            .per_page(7)
            .build()
            .expect("client");
        Arc::new(canvass_actionnetwork::ActionNetworkConnector::new(client))
    }
    fn expected(&self) -> BTreeMap<EntityKind, BTreeSet<String>> {
        [
            EntityKind::People,
            EntityKind::Events,
            EntityKind::Attendances,
            EntityKind::Tags,
            EntityKind::Taggings,
            EntityKind::Donations,
            EntityKind::Actions,
        ]
        .into_iter()
        .map(|k| {
            let ids = self.sim.ids(&k);
            (k, ids)
        })
        .collect()
    }
    async fn change(&self) -> BTreeMap<EntityKind, BTreeSet<String>> {
        let touched = self.sim.touch_people(3);
        BTreeMap::from([(EntityKind::People, touched.into_iter().collect())])
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn action_network_syncs_fully_reruns_unchanged_and_picks_up_changes() {
    let sim = canvass_actionnetwork::simulator::ActionNetworkSim::start(
        canvass_actionnetwork::simulator::SimConfig {
            people: 50,
            tags: 4,
            events: 4,
            ..Default::default()
        },
    )
    .await;
    full_rerun_and_changes(&ActionNetwork { sim }, "an").await;
}

// ---------------------------------------------------------------- Mobilize

struct Mobilize {
    sim: canvass_mobilize::simulator::MobilizeSim,
}

#[async_trait]
impl Fixture for Mobilize {
    fn system(&self) -> &'static str {
        "mobilize"
    }
    fn connector(&self) -> Arc<dyn Connector> {
        Arc::new(self.sim.connector(None, RateLimit::unlimited(), Some(9)))
    }
    fn expected(&self) -> BTreeMap<EntityKind, BTreeSet<String>> {
        BTreeMap::from([
            (EntityKind::People, self.sim.people_ids()),
            (EntityKind::Events, self.sim.event_ids()),
            (EntityKind::Shifts, self.sim.shift_ids()),
            (EntityKind::Tags, self.sim.tag_ids()),
            (EntityKind::Attendances, self.sim.attendance_ids()),
        ])
    }
    async fn change(&self) -> BTreeMap<EntityKind, BTreeSet<String>> {
        let people = self.sim.touch_people(2);
        let attendances = self.sim.touch_attendances(2);
        BTreeMap::from([
            (EntityKind::People, people.into_iter().collect()),
            (EntityKind::Attendances, attendances.into_iter().collect()),
        ])
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mobilize_syncs_fully_reruns_unchanged_and_picks_up_changes() {
    let sim =
        canvass_mobilize::simulator::MobilizeSim::start(canvass_mobilize::simulator::SimOptions {
            rate_limit: None,
            ..canvass_mobilize::simulator::SimOptions::small()
        })
        .await;
    full_rerun_and_changes(&Mobilize { sim }, "mob").await;
}

// ---------------------------------------------------------------- VAN

struct Van {
    sim: canvass_van::simulator::VanSim,
    seeded: canvass_van::simulator::Seeded,
    list: u64,
    people: Vec<u64>,
    signups: BTreeSet<String>,
    events: BTreeSet<String>,
    shifts: BTreeSet<String>,
}

impl Van {
    async fn start() -> Van {
        use canvass_van::models::Signup;
        let sim = canvass_van::simulator::VanSim::start().await;
        let seeded = sim.seed_standard();
        let people = sim.seed_population(&Population::generate(5, 80), 80);
        let list = sim.add_saved_list("Everyone", &people);
        for i in 0..5 {
            sim.add_event(
                &format!("Canvass {i}"),
                seeded.event_type_id,
                chrono::Utc::now() + chrono::Duration::days(i + 1),
                &[("Morning", 0, 2), ("Afternoon", 3, 2)],
            );
        }
        let client = sim.client();
        let e = &seeded.events[0];
        let mut signups = BTreeSet::new();
        for (n, van_id) in people.iter().take(12).enumerate() {
            let id = client
                .signups()
                .create(&Signup::new(
                    *van_id,
                    e.event_id,
                    e.shift_ids[n % 2],
                    e.role_ids[1],
                    1,
                ))
                .await
                .expect("signup");
            signups.insert(id.to_string());
        }
        let listed = client
            .events()
            .list()
            .expand(&canvass_van::client::EventExpand::SYNC)
            .all()
            .await
            .expect("events");
        let events = listed
            .iter()
            .filter_map(|e| e.event_id)
            .map(|i| i.to_string())
            .collect();
        let shifts = listed
            .iter()
            .flat_map(|e| e.shifts.iter().flatten().filter_map(|s| s.event_shift_id))
            .map(|i| i.to_string())
            .collect();
        Van {
            sim,
            seeded,
            list,
            people,
            signups,
            events,
            shifts,
        }
    }
}

#[async_trait]
impl Fixture for Van {
    fn system(&self) -> &'static str {
        "van"
    }
    fn connector(&self) -> Arc<dyn Connector> {
        let client = self
            .sim
            .client_builder()
            .rate_limit(RateLimit::unlimited())
            .retry(RetryPolicy::fast())
            .job_polling(Duration::from_millis(5), Duration::from_secs(30))
            .build()
            .expect("client");
        Arc::new(canvass_van::VanConnector::new(
            client,
            self.seeded.connector_options(Some(self.list)),
        ))
    }
    fn expected(&self) -> BTreeMap<EntityKind, BTreeSet<String>> {
        let ids = |v: &mut dyn Iterator<Item = u64>| v.map(|i| i.to_string()).collect();
        BTreeMap::from([
            (EntityKind::People, ids(&mut self.people.iter().copied())),
            (EntityKind::Events, self.events.clone()),
            (EntityKind::Shifts, self.shifts.clone()),
            (EntityKind::Attendances, self.signups.clone()),
            (
                EntityKind::Tags,
                ids(&mut self.seeded.activist_codes.values().copied()),
            ),
            (
                EntityKind::SurveyQuestions,
                ids(&mut std::iter::once(self.seeded.survey_question.0)),
            ),
        ])
    }
    async fn change(&self) -> BTreeMap<EntityKind, BTreeSet<String>> {
        let client = self.sim.client();
        let mut changed = BTreeSet::new();
        for van_id in [self.people[3], self.people[40]] {
            let person = canvass_van::models::Person {
                first_name: Some(format!("Renamed{van_id}")),
                ..Default::default()
            };
            client
                .people()
                .update(van_id, &person)
                .send()
                .await
                .expect("update");
            changed.insert(van_id.to_string());
        }
        BTreeMap::from([(EntityKind::People, changed)])
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn van_syncs_fully_reruns_unchanged_and_picks_up_changes() {
    full_rerun_and_changes(&Van::start().await, "van").await;
}

// ---------------------------------------------------------------- Hustle

struct Hustle {
    sim: canvass_hustle::simulator::HustleSim,
}

impl Hustle {
    fn ids(&self) -> BTreeMap<EntityKind, BTreeSet<String>> {
        let messages: BTreeSet<String> = self.sim.message_ids().into_iter().collect();
        BTreeMap::from([
            (
                EntityKind::People,
                self.sim.lead_ids().into_iter().collect(),
            ),
            (EntityKind::Tags, self.sim.tag_ids().into_iter().collect()),
            (EntityKind::Taggings, self.sim.tagging_ids()),
            (EntityKind::OptOuts, self.sim.opted_out_lead_ids()),
            (EntityKind::Messages, messages.clone()),
            (EntityKind::ContactAttempts, messages),
        ])
    }
}

#[async_trait]
impl Fixture for Hustle {
    fn system(&self) -> &'static str {
        "hustle"
    }
    fn connector(&self) -> Arc<dyn Connector> {
        Arc::new(self.sim.connector(None, RateLimit::unlimited(), 40))
    }
    fn expected(&self) -> BTreeMap<EntityKind, BTreeSet<String>> {
        self.ids()
    }
    async fn change(&self) -> BTreeMap<EntityKind, BTreeSet<String>> {
        // Hustle is read in full every run: a new lead, tagged and opted
        // out, is the change (Hustle offers no edits to simulate).
        let before = self.ids();
        let leads = self.sim.lead_ids();
        let mut lead = self.sim.lead(&leads[0]).expect("a lead");
        lead["id"] = "leadAdded01".into();
        lead["phoneNumber"] = "+14145550142".into();
        lead["firstName"] = "Added".into();
        lead["globalOptedOut"] = true.into();
        self.sim.push_lead(lead);
        self.ids()
            .into_iter()
            .map(|(kind, ids)| {
                let new = ids.difference(&before[&kind]).cloned().collect();
                (kind, new)
            })
            .collect()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hustle_syncs_fully_reruns_unchanged_and_picks_up_changes() {
    let sim = canvass_hustle::simulator::HustleSim::seeded(11, 90, 400).await;
    full_rerun_and_changes(&Hustle { sim }, "hustle").await;
}

// ---------------------------------------------------------------- Strive

struct Strive {
    sim: canvass_strive::simulator::StriveSim,
}

#[async_trait]
impl Fixture for Strive {
    fn system(&self) -> &'static str {
        "strive"
    }
    fn connector(&self) -> Arc<dyn Connector> {
        Arc::new(self.sim.connector(None, RateLimit::unlimited(), 25))
    }
    fn expected(&self) -> BTreeMap<EntityKind, BTreeSet<String>> {
        let s = &self.sim;
        BTreeMap::from([
            (
                EntityKind::People,
                s.member_ids().iter().map(i64::to_string).collect(),
            ),
            (
                EntityKind::Tags,
                s.group_ids().iter().map(i64::to_string).collect(),
            ),
            (EntityKind::Taggings, s.tagging_ids()),
            (EntityKind::OptOuts, s.opt_out_ids()),
            (EntityKind::Messages, s.message_ids()),
            (EntityKind::ContactAttempts, s.message_ids()),
        ])
    }
    async fn change(&self) -> BTreeMap<EntityKind, BTreeSet<String>> {
        let members = self.sim.member_ids();
        let mut changed = BTreeSet::new();
        for id in [members[2], members[30]] {
            self.sim.touch_member(
                id,
                serde_json::json!({"first_name": format!("Renamed{id}")}),
            );
            changed.insert(id.to_string());
        }
        BTreeMap::from([(EntityKind::People, changed)])
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strive_syncs_fully_reruns_unchanged_and_picks_up_changes() {
    let sim = canvass_strive::simulator::StriveSim::seeded(13, 90, 400).await;
    full_rerun_and_changes(&Strive { sim }, "strive").await;
}

// ---------------------------------------------------------------- a real kill

const CHILD_URL: &str = "CANVASS_SYNC_KILL_CHILD_URL";
const CHILD_DB: &str = "CANVASS_SYNC_KILL_CHILD_DB";
const KILL_TEST: &str = "a_sync_killed_with_sigkill_resumes_to_the_same_warehouse";

/// A Strive connector for the simulator at `url`, built from configuration
/// as `canvass sync` builds it.
fn strive_from_config(url: &str) -> Arc<dyn Connector> {
    let config = serde_json::json!({
        "base_url": url,
        "api_key_env": "STRIVE_KEY",
        "campaign_id": canvass_strive::simulator::CAMPAIGN_ID,
        "page_size": 20,
        "rate_limit": 10000.0,
    });
    let secrets = MapSecrets::default().with("STRIVE_KEY", canvass_strive::simulator::API_KEY);
    Arc::from(canvass_strive::factory(&config, &secrets).expect("connector"))
}

/// The child's part: sync the simulator at `url` into the SQLite file at
/// `db`, printing `PAGE n` after each stored page, until killed.
async fn run_child(url: &str, db: &str) {
    let w: Arc<dyn Warehouse> = Arc::new(
        canvass_sync::SqliteWarehouse::open(db)
            .await
            .expect("child opens the warehouse"),
    );
    let pages = std::sync::atomic::AtomicU64::new(0);
    let progress = move |e: &ProgressEvent| {
        if matches!(e, ProgressEvent::PageStored { .. }) {
            let n = pages.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
            println!("PAGE {n}");
        }
    };
    let options = SyncOptions {
        progress: Some(Arc::new(progress)),
        ..SyncOptions::default()
    };
    let report = Engine::new(w)
        .sync(&[Source::new("strive", strive_from_config(url))], &options)
        .await
        .expect("child sync");
    println!("DONE {}", report.is_success());
}

/// Starts the child and SIGKILLs it once it has stored `after` pages;
/// returns the pages it reported.
async fn kill_child_after(url: &str, db: &std::path::Path, after: u64) -> u64 {
    use std::os::unix::process::ExitStatusExt;
    use tokio::io::AsyncBufReadExt;
    let mut child = tokio::process::Command::new(std::env::current_exe().expect("test binary"))
        .args(["--exact", KILL_TEST, "--nocapture", "--test-threads=1"])
        .env(CHILD_URL, url)
        .env(CHILD_DB, db)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("child starts");
    let stdout = child.stdout.take().expect("child stdout");
    let mut lines = tokio::io::BufReader::new(stdout).lines();
    let mut pages = 0;
    while let Some(line) = tokio::time::timeout(Duration::from_secs(120), lines.next_line())
        .await
        .expect("the child reports progress")
        .expect("child stdout")
    {
        if line.starts_with("DONE") {
            panic!("the child finished before it was killed (after {pages} pages)");
        }
        if line.starts_with("PAGE ") {
            pages += 1;
            if pages >= after {
                break;
            }
        }
    }
    child.start_kill().expect("SIGKILL");
    let status = child.wait().await.expect("child exits");
    assert_eq!(status.signal(), Some(9), "killed by SIGKILL: {status:?}");
    pages
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_killed_with_sigkill_resumes_to_the_same_warehouse() {
    if let (Ok(url), Ok(db)) = (std::env::var(CHILD_URL), std::env::var(CHILD_DB)) {
        // Re-invoked by the test below as the child process.
        run_child(&url, &db).await;
        return;
    }
    let sim = canvass_strive::simulator::StriveSim::seeded(29, 160, 700).await;
    let url = sim.base_url().to_string();
    let dir = TempDir::new("kill");

    // Uninterrupted.
    let clean: Arc<dyn Warehouse> = Arc::new(
        canvass_sync::SqliteWarehouse::open(dir.file("clean.db"))
            .await
            .expect("opens"),
    );
    let report = Engine::new(clean.clone())
        .sync(
            &[Source::new("strive", strive_from_config(&url))],
            &SyncOptions::default(),
        )
        .await
        .expect("sync");
    assert!(report.is_success(), "{report:#?}");
    let pages: u64 = report.sources[0].kinds.iter().map(|k| k.pages).sum();
    assert!(pages > 40, "enough pages to kill in between: {pages}");

    // Killed twice at pseudo-random pages (with latency, so the kill lands
    // mid-request or mid-write), then run to completion.
    sim.control()
        .set_faults(canvass_testkit::faults::Faults::latency(
            Duration::from_millis(15),
        ));
    let seed = u64::from(std::process::id()) ^ chrono::Utc::now().timestamp_subsec_nanos() as u64;
    let killed_db = dir.file("killed.db");
    let first = 3 + seed % (pages / 3);
    let second = 2 + (seed / 7) % (pages / 3);
    let stored_first = kill_child_after(&url, &killed_db, first).await;
    let stored_second = kill_child_after(&url, &killed_db, second).await;
    eprintln!("killed after {stored_first} and {stored_second} of {pages} pages");
    let killed: Arc<dyn Warehouse> = Arc::new(
        canvass_sync::SqliteWarehouse::open(&killed_db)
            .await
            .expect("the killed warehouse opens"),
    );
    let partial = data_dump(killed.as_ref()).await;
    assert_ne!(
        partial,
        data_dump(clean.as_ref()).await,
        "the kills interrupted the sync"
    );
    sim.control()
        .set_faults(canvass_testkit::faults::Faults::none());
    let report = Engine::new(killed.clone())
        .sync(
            &[Source::new("strive", strive_from_config(&url))],
            &SyncOptions::default(),
        )
        .await
        .expect("sync");
    assert!(report.is_success(), "{report:#?}");
    assert_eq!(
        killed.dump().await.expect("dump"),
        clean.dump().await.expect("dump"),
        "after the kills and a re-run the warehouse equals an uninterrupted run's"
    );
}
