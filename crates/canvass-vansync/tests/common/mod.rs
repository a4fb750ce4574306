//! The seeded demo world the end-to-end tests push: Mobilize, Action
//! Network, Hustle, Strive and VAN simulators seeded from one population,
//! pulled into a warehouse (SQLite, or PostgreSQL when
//! `CANVASS_TEST_POSTGRES_URL` is set), and the expected VAN state computed
//! independently from the warehouse.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

use async_trait::async_trait;
use canvass_core::http::RateLimit;
use canvass_core::{Channel, Checkpoint, EntityKind, Record, SourceRef};
use canvass_sync::{
    CanonicalPerson, Engine, ExportRow, IdentityLink, IdentityTables, LedgerEntry, PageCounts,
    PageWrite, PlannedWrite, PostgresWarehouse, RunReport, Source, SqliteWarehouse, StoredRecord,
    SyncError, SyncOptions, SyncResult, Warehouse,
};
use canvass_testkit::generate::Population;
use canvass_van::simulator::{LoopbackUploader, Seeded, VanSim};
use canvass_vansync::{EventMapping, SurveyMapping, TargetConfig, VanSync, VanSyncConfig};
use futures::StreamExt;
use futures::stream::BoxStream;

pub const SEED: u64 = 7;

/// When a source record says something happened, its ref (the tie-break),
/// and what it says: the latest wins.
type Stamped<T> = (Option<chrono::DateTime<chrono::Utc>>, SourceRef, T);

/// A temp directory removed on drop.
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static N: AtomicU64 = AtomicU64::new(0);
        let dir = std::env::temp_dir().join(format!(
            "canvass-vansync-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The PostgreSQL URL, or a loud skip line.
pub fn postgres_url(test: &str) -> Option<String> {
    match std::env::var("CANVASS_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            eprintln!(
                "SKIPPED: {test} on PostgreSQL: CANVASS_TEST_POSTGRES_URL is not set (the SQLite half ran)"
            );
            None
        }
    }
}

/// Which warehouse backend a world uses.
#[derive(Debug, Clone)]
pub enum Backend {
    Sqlite,
    Postgres(String),
}

/// Every backend to run on: SQLite always, PostgreSQL when configured.
pub fn backends(test: &str) -> Vec<Backend> {
    let mut out = vec![Backend::Sqlite];
    if let Some(url) = postgres_url(test) {
        out.push(Backend::Postgres(url));
    }
    out
}

pub async fn open(backend: &Backend, tag: &str) -> (Option<TempDir>, Arc<dyn Warehouse>) {
    match backend {
        Backend::Sqlite => {
            let dir = TempDir::new(tag);
            let w = SqliteWarehouse::open(dir.0.join("w.db"))
                .await
                .expect("sqlite opens");
            (Some(dir), Arc::new(w))
        }
        Backend::Postgres(url) => {
            static N: AtomicU64 = AtomicU64::new(0);
            let schema = format!(
                "vansync_{tag}_{}_{}_{}",
                std::process::id(),
                N.fetch_add(1, Ordering::SeqCst),
                chrono::Utc::now().timestamp_micros() % 1_000_000_000
            );
            let w = PostgresWarehouse::connect(url, Some(&schema))
                .await
                .expect("postgres connects");
            (None, Arc::new(w))
        }
    }
}

/// The simulators, the warehouse, and what VAN was seeded with.
pub struct World {
    pub mobilize: canvass_mobilize::simulator::MobilizeSim,
    pub actionnetwork: canvass_actionnetwork::simulator::ActionNetworkSim,
    pub hustle: canvass_hustle::simulator::HustleSim,
    pub strive: canvass_strive::simulator::StriveSim,
    pub van: VanSim,
    pub seeded: Seeded,
    pub uploader: Arc<LoopbackUploader>,
    pub warehouse: Arc<dyn Warehouse>,
    _dir: Option<TempDir>,
}

impl World {
    /// Starts every simulator from one population and pulls them all (and
    /// the 15 people already in VAN) into a fresh warehouse.
    pub async fn start(backend: &Backend, tag: &str) -> World {
        let mut mopts = canvass_mobilize::simulator::SimOptions::small();
        mopts.rate_limit = None;
        mopts.seed = SEED;
        let mobilize = canvass_mobilize::simulator::MobilizeSim::start(mopts).await;
        let actionnetwork =
            canvass_actionnetwork::simulator::ActionNetworkSim::start(Default::default()).await;
        let hustle = canvass_hustle::simulator::HustleSim::seeded(SEED, 40, 120).await;
        let strive = canvass_strive::simulator::StriveSim::seeded(SEED, 40, 120).await;
        let van = VanSim::start().await;
        let seeded = van.seed_standard();
        let in_van = van.seed_population(&Population::generate(SEED, 60), 15);
        let list = van.add_saved_list("Everyone", &in_van);
        let uploader = Arc::new(LoopbackUploader::start().await);
        let (dir, warehouse) = open(backend, tag).await;

        let an = canvass_actionnetwork::ActionNetworkConnector::new(
            actionnetwork
                .client_builder()
                .rate_limit(RateLimit::unlimited())
                .build()
                .expect("an client"),
        );
        let sources = vec![
            Source::new(
                "mobilize",
                Arc::new(mobilize.connector(None, RateLimit::unlimited(), None)),
            ),
            Source::new("actionnetwork", Arc::new(an)),
            Source::new(
                "hustle",
                Arc::new(hustle.connector(None, RateLimit::unlimited(), 100)),
            ),
            Source::new(
                "strive",
                Arc::new(strive.connector(None, RateLimit::unlimited(), 100)),
            ),
        ];
        let engine = Engine::new(warehouse.clone());
        let report = engine
            .sync(&sources, &SyncOptions::default())
            .await
            .expect("pull");
        assert!(report.is_success(), "pull: {report:?}");
        let van_source = Source::new(
            "van",
            Arc::new(van.connector(seeded.connector_options(Some(list)))),
        );
        let options = SyncOptions {
            kinds: Some(BTreeSet::from([EntityKind::People])),
            ..SyncOptions::default()
        };
        let report = engine
            .sync(&[van_source], &options)
            .await
            .expect("pull van");
        assert!(report.is_success(), "pull van: {report:?}");
        van.control().reset_stats();
        World {
            mobilize,
            actionnetwork,
            hustle,
            strive,
            van,
            seeded,
            uploader,
            warehouse,
            _dir: dir,
        }
    }

    /// Drops the simulators with a fresh cooperative budget. Dropping a
    /// wiremock server runs `futures::executor::block_on` on a tokio lock;
    /// on a worker whose coop budget is spent, that poll is deferred to a
    /// scheduler that never runs again, and the drop spins forever (seen
    /// as an intermittent hang when tests run in parallel). Yielding first
    /// resets the budget.
    pub async fn shutdown(self) {
        tokio::task::yield_now().await;
        drop(self);
    }

    /// Every record of a kind.
    pub async fn records(&self, kind: EntityKind) -> Vec<StoredRecord> {
        self.warehouse
            .records(kind)
            .map(|r| r.expect("record"))
            .collect()
            .await
    }

    /// The `[van_sync]` config wiring every rule to the seeded VAN ids.
    pub async fn config(&self, bulk_threshold: usize) -> VanSyncConfig {
        let s = &self.seeded;
        let rc = |n: &str| s.result_codes[n];
        let mut t = TargetConfig::new("state");
        t.result_code_ids = BTreeMap::from([
            ("texted".into(), rc("Texted")),
            ("canvassed".into(), rc("Canvassed")),
        ]);
        t.opt_out_result_code_ids = BTreeMap::from([
            ("wrong_number".into(), rc("Wrong Number")),
            ("default".into(), rc("Do Not Text")),
        ]);
        let ac = |n: &str| s.activist_codes[n];
        t.activist_codes = BTreeMap::from([
            ("Tag 0".into(), ac("Volunteer")),
            ("volunteers".into(), ac("Volunteer")),
            ("Tag 1".into(), ac("Precinct Captain")),
            ("Spanish speaker".into(), ac("Precinct Captain")),
            ("Donors".into(), ac("Donor Prospect")),
        ]);
        // Events: alternate between the two VAN events; odd ones name the
        // shift and role, even ones leave them to VAN's first.
        let events: Vec<String> = self
            .records(EntityKind::Events)
            .await
            .into_iter()
            .map(|r| r.record.source().to_string())
            .collect();
        for (i, e) in events.iter().enumerate() {
            let v = &s.events[i % 2];
            let mapping = if i % 3 == 0 {
                EventMapping {
                    event_id: v.event_id,
                    ..EventMapping::default()
                }
            } else {
                EventMapping {
                    event_id: v.event_id,
                    shift_id: Some(v.shift_ids[1]),
                    role_id: Some(v.role_ids[1]),
                    shifts: BTreeMap::new(),
                }
            };
            t.events.insert(e.clone(), mapping);
        }
        // Form fields: Strive's precinct custom field, each value to one of
        // the four answers of the seeded "Support" question.
        let (question, answers) = &s.survey_question;
        let answer_ids: Vec<u64> = answers.values().copied().collect();
        let mut precincts = BTreeSet::new();
        for r in self.records(EntityKind::People).await {
            if let Record::Person(p) = r.record
                && let Some(serde_json::Value::String(v)) = p.custom_fields.get("precinct")
            {
                precincts.insert(v.clone());
            }
        }
        t.surveys = vec![SurveyMapping {
            question: "custom_field:precinct".into(),
            survey_question_id: *question,
            answers: precincts
                .into_iter()
                .enumerate()
                .map(|(i, p)| (p, answer_ids[i % answer_ids.len()]))
                .collect(),
        }];
        VanSyncConfig {
            bulk_threshold,
            concurrency: 4,
            sample_size: 3,
            ..VanSyncConfig::new(vec![t])
        }
    }

    pub fn sync(&self, config: VanSyncConfig) -> VanSync {
        VanSync::with_clients(config, [("state".to_string(), self.van.client())])
            .expect("sync")
            .with_uploader(self.uploader.clone())
    }
}

/// VAN's state in the terms the tests compare: sets for upserts,
/// sorted lists (multisets) for contact history so a duplicate shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VanState {
    /// (van id, event, shift, role, status).
    pub signups: BTreeSet<(u64, u64, u64, u64, u64)>,
    /// (van id, activist code) held.
    pub activist_codes: BTreeSet<(u64, u64)>,
    /// (van id, result code, date) of texting contact history, sorted, duplicates kept.
    pub contact_history: Vec<(u64, u64, String)>,
    /// (van id, phone, result code), sorted, duplicates kept.
    pub opt_outs: Vec<(u64, String, Option<u64>)>,
    /// (van id, question, response), sorted, duplicates kept.
    pub survey_responses: Vec<(u64, u64, u64)>,
}

impl VanState {
    pub fn read(van: &VanSim, seeded: &Seeded) -> VanState {
        let texting = [
            seeded.result_codes["Texted"],
            seeded.result_codes["Canvassed"],
        ];
        let mut s = VanState {
            signups: van
                .signups()
                .into_iter()
                .map(|x| {
                    (
                        x.person.van_id,
                        x.event.event_id,
                        x.shift.event_shift_id,
                        x.role.role_id,
                        x.status.status_id,
                    )
                })
                .collect(),
            activist_codes: van
                .van_ids()
                .into_iter()
                .flat_map(|v| {
                    van.active_activist_codes(v)
                        .into_iter()
                        .map(move |c| (v, c))
                })
                .collect(),
            contact_history: van
                .canvass_responses()
                .into_iter()
                .filter(|c| c.result_code_id.is_some_and(|r| texting.contains(&r)))
                .map(|c| {
                    (
                        c.van_id,
                        c.result_code_id.unwrap_or_default(),
                        c.date_canvassed.unwrap_or_default(),
                    )
                })
                .collect(),
            opt_outs: van
                .opt_outs()
                .into_iter()
                .map(|o| (o.van_id, o.phone, o.result_code_id))
                .collect(),
            survey_responses: van
                .survey_responses()
                .into_iter()
                .map(|r| (r.van_id, r.survey_question_id, r.survey_response_id))
                .collect(),
        };
        s.contact_history.sort();
        s.opt_outs.sort();
        s.survey_responses.sort();
        s
    }

    /// Panics with only the differences.
    pub fn assert_same(&self, want: &VanState, what: &str) {
        fn diff<T: Ord + Clone + std::fmt::Debug>(
            name: &str,
            got: &[T],
            want: &[T],
            out: &mut Vec<String>,
        ) {
            let mut extra = got.to_vec();
            let mut missing = Vec::new();
            for w in want {
                match extra.iter().position(|g| g == w) {
                    Some(i) => {
                        extra.remove(i);
                    }
                    None => missing.push(w.clone()),
                }
            }
            if !extra.is_empty() || !missing.is_empty() {
                out.push(format!(
                    "{name}: unexpected in VAN {extra:?}; missing from VAN {missing:?}"
                ));
            }
        }
        let mut out = Vec::new();
        let v = |s: &BTreeSet<_>| s.iter().cloned().collect::<Vec<_>>();
        diff("signups", &v(&self.signups), &v(&want.signups), &mut out);
        let v2 = |s: &BTreeSet<(u64, u64)>| s.iter().cloned().collect::<Vec<_>>();
        diff(
            "activist codes",
            &v2(&self.activist_codes),
            &v2(&want.activist_codes),
            &mut out,
        );
        diff(
            "contact history",
            &self.contact_history,
            &want.contact_history,
            &mut out,
        );
        diff("opt-outs", &self.opt_outs, &want.opt_outs, &mut out);
        diff(
            "survey responses",
            &self.survey_responses,
            &want.survey_responses,
            &mut out,
        );
        assert!(out.is_empty(), "{what}:\n{}", out.join("\n"));
    }

    pub fn total(&self) -> usize {
        self.signups.len()
            + self.activist_codes.len()
            + self.contact_history.len()
            + self.opt_outs.len()
            + self.survey_responses.len()
    }
}

/// The expected VAN state, computed from the warehouse by the rules as the
/// docs state them (not by the crate's planner), given each canonical
/// person's VAN id.
pub async fn expected(
    world: &World,
    config: &VanSyncConfig,
    van_of: &BTreeMap<String, u64>,
) -> VanState {
    let t = &config.targets[0];
    let s = &world.seeded;
    let mut out = VanState::default();
    let first_of = |event: u64| {
        let e = s
            .events
            .iter()
            .find(|e| e.event_id == event)
            .expect("seeded event");
        (e.shift_ids[0], e.role_ids[0])
    };
    // Signups: the latest RSVP per (person, event, shift, role).
    let mut latest: BTreeMap<(u64, u64, u64, u64), Stamped<u64>> = BTreeMap::new();
    for r in world.records(EntityKind::Attendances).await {
        let (Record::Attendance(a), Some(cid)) = (r.record, r.canonical_person_id) else {
            continue;
        };
        let Some(m) = t.events.get(&a.event.to_string()) else {
            continue;
        };
        let Some(status) = t.signup_status_id(a.status.as_str()) else {
            continue;
        };
        let (fs, fr) = first_of(m.event_id);
        let slot = (
            *van_of.get(&cid).unwrap_or(&0),
            m.event_id,
            m.shift_id.unwrap_or(fs),
            m.role_id.unwrap_or(fr),
        );
        let cand = (a.modified_at, a.source.clone(), status);
        let e = latest.entry(slot).or_insert_with(|| cand.clone());
        if (&cand.0, &cand.1) > (&e.0, &e.1) {
            *e = cand;
        }
    }
    out.signups = latest
        .into_iter()
        .map(|((v, e, sh, ro), (_, _, st))| (v, e, sh, ro, st))
        .collect();
    // Activist codes.
    let tags: BTreeMap<SourceRef, String> = world
        .records(EntityKind::Tags)
        .await
        .into_iter()
        .filter_map(|r| match r.record {
            Record::Tag(t) => Some((t.source, t.name)),
            _ => None,
        })
        .collect();
    for r in world.records(EntityKind::Taggings).await {
        let (Record::Tagging(tg), Some(cid)) = (r.record, r.canonical_person_id) else {
            continue;
        };
        if let Some(code) = tags.get(&tg.tag).and_then(|n| t.activist_code(n)) {
            out.activist_codes
                .insert((*van_of.get(&cid).unwrap_or(&0), code));
        }
    }
    // Contact history: once per person, campaign, day and result.
    let mut days = BTreeSet::new();
    for r in world.records(EntityKind::ContactAttempts).await {
        let (Record::ContactAttempt(c), Some(cid)) = (r.record, r.canonical_person_id) else {
            continue;
        };
        let (Some(code), Some(at)) = (t.result_code_ids.get(c.result.as_str()), c.attempted_at)
        else {
            continue;
        };
        days.insert((cid, c.campaign.clone(), at.date_naive(), *code));
    }
    out.contact_history = days
        .into_iter()
        .map(|(cid, _, d, code)| {
            (
                *van_of.get(&cid).unwrap_or(&0),
                code,
                d.format("%Y-%m-%d").to_string(),
            )
        })
        .collect();
    out.contact_history.sort();
    // Opt-outs: once per person and phone, the latest reason's code.
    let mut outs: BTreeMap<(String, String), Stamped<String>> = BTreeMap::new();
    for r in world.records(EntityKind::OptOuts).await {
        let (Record::OptOut(o), Some(cid)) = (r.record, r.canonical_person_id) else {
            continue;
        };
        // An invalid number cannot be a VAN phone: not pushed (and reported).
        if o.channel != Channel::Sms || !o.identifier.starts_with('+') {
            continue;
        }
        let cand = (
            o.opted_out_at,
            o.source.clone(),
            o.reason.as_str().to_string(),
        );
        let e = outs
            .entry((cid, o.identifier.clone()))
            .or_insert_with(|| cand.clone());
        if (&cand.0, &cand.1) > (&e.0, &e.1) {
            *e = cand;
        }
    }
    out.opt_outs = outs
        .into_iter()
        .map(|((cid, phone), (_, _, reason))| {
            (
                *van_of.get(&cid).unwrap_or(&0),
                phone.trim_start_matches("+1").to_string(),
                t.opt_out_result_code(&reason),
            )
        })
        .collect();
    out.opt_outs.sort();
    // Survey responses: the latest answer per person and question.
    let m = &t.surveys[0];
    let mut answers: BTreeMap<String, Stamped<u64>> = BTreeMap::new();
    for r in world.records(EntityKind::People).await {
        let (Record::Person(p), Some(cid)) = (r.record, r.canonical_person_id) else {
            continue;
        };
        let Some(serde_json::Value::String(v)) = p.custom_fields.get("precinct") else {
            continue;
        };
        let Some(rid) = m.answers.get(v) else {
            continue;
        };
        let cand = (p.modified_at, p.source.clone(), *rid);
        let e = answers.entry(cid).or_insert_with(|| cand.clone());
        if (&cand.0, &cand.1) > (&e.0, &e.1) {
            *e = cand;
        }
    }
    out.survey_responses = answers
        .into_iter()
        .map(|(cid, (_, _, rid))| (*van_of.get(&cid).unwrap_or(&0), m.survey_question_id, rid))
        .collect();
    out.survey_responses.sort();
    out
}

/// A warehouse that "crashes" (every later call fails, as if the process
/// died) at a chosen ledger step: after VAN answered the `n`th write
/// (its `ledger_mark_written` never lands), or before the `n`th send (its
/// `ledger_mark_sending` never lands).
#[derive(Debug)]
pub struct Crashing {
    pub inner: Arc<dyn Warehouse>,
    pub at: CrashAt,
    countdown: AtomicI64,
    crashed: std::sync::atomic::AtomicBool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CrashAt {
    /// The `n`th `ledger_mark_written` (VAN has the write, the ledger says sending).
    AfterVanAnswered(i64),
    /// The `n`th `ledger_mark_sending` (nothing sent).
    BeforeSend(i64),
}

impl Crashing {
    pub fn new(inner: Arc<dyn Warehouse>, at: CrashAt) -> Crashing {
        let n = match at {
            CrashAt::AfterVanAnswered(n) | CrashAt::BeforeSend(n) => n,
        };
        Crashing {
            inner,
            at,
            countdown: AtomicI64::new(n),
            crashed: std::sync::atomic::AtomicBool::new(false),
        }
    }

    fn dead(&self) -> SyncResult<()> {
        if self.crashed.load(Ordering::SeqCst) {
            Err(SyncError::Worker("simulated crash".into()))
        } else {
            Ok(())
        }
    }

    fn step(&self, this: CrashAt) -> SyncResult<()> {
        self.dead()?;
        let same = std::mem::discriminant(&this) == std::mem::discriminant(&self.at);
        if same && self.countdown.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.crashed.store(true, Ordering::SeqCst);
            return Err(SyncError::Worker("simulated crash".into()));
        }
        Ok(())
    }

    pub fn crashed(&self) -> bool {
        self.crashed.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl Warehouse for Crashing {
    fn backend_name(&self) -> &'static str {
        self.inner.backend_name()
    }
    async fn schema_version(&self) -> SyncResult<u32> {
        self.inner.schema_version().await
    }
    async fn begin_run(&self) -> SyncResult<i64> {
        self.inner.begin_run().await
    }
    async fn finish_run(&self, run_id: i64, report: &RunReport) -> SyncResult<()> {
        self.inner.finish_run(run_id, report).await
    }
    async fn checkpoint(&self, source: &str, kind: &EntityKind) -> SyncResult<Option<Checkpoint>> {
        self.inner.checkpoint(source, kind).await
    }
    async fn clear_checkpoint(&self, source: &str, kind: &EntityKind) -> SyncResult<()> {
        self.inner.clear_checkpoint(source, kind).await
    }
    async fn store_page(&self, write: PageWrite<'_>) -> SyncResult<PageCounts> {
        self.inner.store_page(write).await
    }
    fn records(&self, kind: EntityKind) -> BoxStream<'static, SyncResult<StoredRecord>> {
        self.inner.records(kind)
    }
    fn export(&self, table: &str) -> BoxStream<'static, SyncResult<ExportRow>> {
        self.inner.export(table)
    }
    async fn identity_links(&self) -> SyncResult<Vec<IdentityLink>> {
        self.inner.identity_links().await
    }
    async fn replace_identities(&self, tables: &IdentityTables) -> SyncResult<()> {
        self.inner.replace_identities(tables).await
    }
    fn canonical_people(&self) -> BoxStream<'static, SyncResult<CanonicalPerson>> {
        self.inner.canonical_people()
    }
    async fn canonical_id_of(&self, source: &SourceRef) -> SyncResult<Option<String>> {
        self.inner.canonical_id_of(source).await
    }
    async fn ledger_plan(&self, write: &PlannedWrite) -> SyncResult<LedgerEntry> {
        self.dead()?;
        self.inner.ledger_plan(write).await
    }
    async fn ledger_mark_written(&self, key: &str, outcome_id: Option<&str>) -> SyncResult<()> {
        self.step(CrashAt::AfterVanAnswered(0))?;
        self.inner.ledger_mark_written(key, outcome_id).await
    }
    async fn ledger_mark_failed(&self, key: &str, error: &str) -> SyncResult<()> {
        self.dead()?;
        self.inner.ledger_mark_failed(key, error).await
    }
    async fn ledger_mark_sending(&self, key: &str) -> SyncResult<()> {
        self.step(CrashAt::BeforeSend(0))?;
        self.inner.ledger_mark_sending(key).await
    }
    async fn ledger_pending(&self, target: Option<&str>) -> SyncResult<Vec<LedgerEntry>> {
        self.inner.ledger_pending(target).await
    }
    async fn ledger_entry(&self, key: &str) -> SyncResult<Option<LedgerEntry>> {
        self.inner.ledger_entry(key).await
    }
    async fn push_lock(
        &self,
        target: &str,
        holder: &str,
        ttl: std::time::Duration,
    ) -> SyncResult<()> {
        self.inner.push_lock(target, holder, ttl).await
    }
    async fn push_unlock(&self, target: &str, holder: &str) -> SyncResult<()> {
        self.inner.push_unlock(target, holder).await
    }
    async fn dump(&self) -> SyncResult<String> {
        self.inner.dump().await
    }
}

/// Each canonical person's VAN id after a push: its VAN link, or what the
/// ledger recorded for its resolution.
pub async fn van_ids(sync: &VanSync, warehouse: &dyn Warehouse) -> BTreeMap<String, u64> {
    let plan = sync.plan(warehouse).await.expect("plan");
    plan.targets[0]
        .people
        .values()
        .filter_map(|p| p.van_id.map(|v| (p.canonical_id.clone(), v)))
        .collect()
}
