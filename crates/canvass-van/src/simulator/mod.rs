//! A stateful VAN simulator on loopback (feature `simulator`).
//!
//! It behaves like VAN where it matters for correctness:
//!
//! - auth by application name + API key + database mode, with distinct
//!   answers for a wrong key and a wrong mode;
//! - VAN's matching rules (a person is matched only when the request carries
//!   a documented minimum combination; otherwise findOrCreate creates), 201
//!   for a new person and 302 with `{vanId,status}` for a match;
//! - `$top`/`$skip` pagination with `items`/`count`/`nextPageLink` and
//!   per-endpoint limits (events: 50; others: 200), answering 400 past them;
//! - canvass responses (result code or responses, never both), signups as an
//!   upsert on (person, event, shift, role), activist codes, survey answers
//!   and SMS opt-outs, all stored and countable;
//! - export, bulk import and changed-entity jobs that go Pending →
//!   InProcess → Complete over polls and serve their files from a separate
//!   loopback blob host; a bulk import fetches its zip from the caller's URL;
//! - VAN's error body, and (through [`SimControl`]) a configurable rate limit
//!   answering 429 with `Retry-After`, faults and request counters.
//!
//! ```
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! use canvass_van::simulator::VanSim;
//! let sim = VanSim::start().await;
//! let seeded = sim.seed_standard();
//! let van = sim.client();
//! let codes = van.activist_codes().list().all().await.unwrap();
//! assert_eq!(codes.len(), seeded.activist_codes.len());
//! # });
//! ```

mod files;
mod routes;
mod state;

pub use files::LoopbackUploader;
pub use state::{
    AppliedActivistCode, StoredCanvassResponse, StoredOptOut, StoredSurveyResponse, WrittenVia,
};

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use canvass_core::http::{RateLimit, RetryPolicy};
use canvass_testkit::generate::Population;
use canvass_testkit::sim::{AuthRule, RequestExt, Sim, SimControl, SimRateLimit};
use chrono::{DateTime, Utc};
use serde_json::json;
use url::Url;
use wiremock::MockServer;

use crate::client::{DbMode, VanClient, VanClientBuilder};
use crate::connector::{ConnectorOptions, VanConnector};
use crate::models::{
    self, ActivistCode, ContactType, Event, EventShift, EventType, EventTypeRef, InputType,
    ResponseAction, ResultCode, Role, Signup, SignupStatus, SurveyQuestion, SurveyResponseOption,
};
use files::Files;
use state::State;

/// A feature a VAN database or API key may not offer, which the simulator
/// can withhold ([`VanSim::withhold`]) to test optional reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Withheld {
    /// Events: every `/events…` and `/signups…` route answers VAN's
    /// documented `EVENTS_NOT_SUPPORTED_IN_DB` error
    /// (docs.ngpvan.com/reference/errors; its status is only documented as
    /// "400 or greater", so the test picks it).
    Events,
    /// Changed-entity exports: every `/changedEntityExportJobs…` route
    /// answers VAN's error body with code `NOT_FOUND` (what VAN answers a
    /// key without them is UNVERIFIED).
    ChangedEntities,
}

impl Withheld {
    /// The feature a request path belongs to, if any.
    fn of(path: &str) -> Option<Withheld> {
        let rest = path.strip_prefix("/v4/")?;
        let head = rest.split('/').next().unwrap_or_default();
        match head {
            "events" | "signups" => Some(Withheld::Events),
            "changedEntityExportJobs" => Some(Withheld::ChangedEntities),
            _ => None,
        }
    }
}

/// The application name the simulator accepts by default.
pub const APP_NAME: &str = "canvass-sim";
/// The API key the simulator accepts by default.
pub const API_KEY: &str = "9c1f0e1e-5b7a-4c1b-9f3e-7a2d5c0b1e88";

pub(crate) struct Inner {
    state: Mutex<State>,
    files: Files,
    blob_base: String,
}

impl Inner {
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// VAN's answer for a route of a withheld feature, if `req` is one.
    pub(crate) fn withheld(&self, req: &wiremock::Request) -> Option<canvass_testkit::Reply> {
        let feature = Withheld::of(req.url.path())?;
        let status = *self.lock().withheld.get(&feature)?;
        Some(match feature {
            Withheld::Events => routes::van_error(
                status,
                crate::connector::EVENTS_NOT_SUPPORTED,
                "Events are not supported in this database",
                &[],
            ),
            Withheld::ChangedEntities => routes::van_error(
                status,
                "NOT_FOUND",
                "Changed entity export jobs are not available for this API key",
                &[],
            ),
        })
    }

    pub(crate) fn put_file(&self, name: &str, bytes: Vec<u8>) {
        self.files
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(name.to_string(), bytes);
    }

    pub(crate) fn file_url(&self, name: &str) -> String {
        format!("{}/blob/{name}", self.blob_base)
    }
}

/// The ids of an event the simulator seeded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeededEvent {
    /// The event.
    pub event_id: u64,
    /// Its shifts, in order.
    pub shift_ids: Vec<u64>,
    /// Its roles, in order.
    pub role_ids: Vec<u64>,
}

/// What [`VanSim::seed_standard`] created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seeded {
    /// Activist codes by name.
    pub activist_codes: BTreeMap<String, u64>,
    /// The survey question ("Support") and its answers by name.
    pub survey_question: (u64, BTreeMap<String, u64>),
    /// Result codes by name (`Not Home`, `Refused`, `Wrong Number`,
    /// `Disconnected`, `Texted`, `Canvassed`, `Do Not Text`).
    pub result_codes: BTreeMap<String, u64>,
    /// The "Phone Bank" event type.
    pub event_type_id: u64,
    /// Two events with two shifts each.
    pub events: Vec<SeededEvent>,
}

impl Seeded {
    /// Connector options wired to these ids: every canonical contact result
    /// mapped to its result code, "Do Not Text" as the opt-out code.
    pub fn connector_options(&self, people_saved_list_id: Option<u64>) -> ConnectorOptions {
        let rc = |n: &str| self.result_codes.get(n).copied().unwrap_or_default();
        ConnectorOptions {
            people_saved_list_id,
            export_job_type_id: 4,
            contact_type_ids: [("sms", 37), ("phone", 1), ("door", 2)]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
            result_code_ids: [
                ("not_home", "Not Home"),
                ("refused", "Refused"),
                ("wrong_number", "Wrong Number"),
                ("disconnected", "Disconnected"),
                ("texted", "Texted"),
                ("canvassed", "Canvassed"),
                ("opted_out", "Do Not Text"),
            ]
            .into_iter()
            .map(|(k, n)| (k.to_string(), rc(n)))
            .collect(),
            opt_out_result_code_id: Some(rc("Do Not Text")),
            input_type_id: 11,
        }
    }
}

/// The VAN simulator: a [`Sim`] with VAN's routes and state, plus a blob
/// host for job files.
pub struct VanSim {
    sim: Sim,
    inner: Arc<Inner>,
    _blob: MockServer,
    app_name: String,
    api_key: String,
    db_mode: DbMode,
}

impl std::fmt::Debug for VanSim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VanSim")
            .field("uri", &self.sim.uri())
            .field("db_mode", &self.db_mode)
            .finish_non_exhaustive()
    }
}

fn decode_basic(header: &str) -> Option<(String, String)> {
    let b64 = header.strip_prefix("Basic ")?.trim();
    let mut bits: u32 = 0;
    let mut nbits = 0;
    let mut out = Vec::new();
    for c in b64.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => break,
            _ => return None,
        };
        bits = (bits << 6) | u32::from(v);
        nbits += 6;
        if nbits >= 8 {
            nbits -= 8;
            out.push((bits >> nbits) as u8);
            bits &= (1 << nbits) - 1;
        }
    }
    let text = String::from_utf8(out).ok()?;
    let (user, pass) = text.split_once(':')?;
    Some((user.to_string(), pass.to_string()))
}

impl VanSim {
    /// Starts a simulator accepting [`APP_NAME`], [`API_KEY`] and MyCampaign (1).
    pub async fn start() -> VanSim {
        VanSim::start_with(APP_NAME, API_KEY, DbMode::MyCampaign).await
    }

    /// Starts a simulator accepting exactly these credentials.
    pub async fn start_with(app_name: &str, api_key: &str, db_mode: DbMode) -> VanSim {
        let sim = Sim::start().await;
        let files: Files = Arc::new(Mutex::new(BTreeMap::new()));
        let blob = files::start_blob_host(files.clone()).await;
        let inner = Arc::new(Inner {
            state: Mutex::new(State::default()),
            files,
            blob_base: blob.uri(),
        });
        {
            let mut st = inner.lock();
            for (id, name, channel) in [
                (1, "Phone", "Phone"),
                (2, "Walk", "Walk"),
                (37, "SMS Text", "Text"),
                (19, "Email", "Email"),
            ] {
                st.contact_types.insert(
                    id,
                    ContactType {
                        contact_type_id: id,
                        name: name.into(),
                        channel_type_name: Some(channel.into()),
                        extra: Default::default(),
                    },
                );
            }
            for (id, name) in [(11, "API"), (4, "Bulk")] {
                st.input_types.insert(
                    id,
                    InputType {
                        input_type_id: id,
                        name: name.into(),
                        extra: Default::default(),
                    },
                );
            }
        }
        let (app, key, mode) = (
            app_name.to_string(),
            api_key.to_string(),
            db_mode.code().to_string(),
        );
        let (app2, key2, mode2) = (app.clone(), key.clone(), mode.clone());
        let split = |req: &wiremock::Request| -> Option<(String, String, String)> {
            let (user, pass) = decode_basic(&req.header_str("authorization")?)?;
            let (k, m) = pass.rsplit_once('|')?;
            Some((user, k.to_string(), m.to_string()))
        };
        sim.control().set_auth(AuthRule {
            check: Box::new(move |req| split(req).is_some_and(|(u, k, m)| u == app && k == key && m == mode)),
            reject: Box::new(move |req| {
                let text = match split(req) {
                    None => "Authorization has been denied for this request: send HTTP Basic credentials, the application name and `apiKey|dbMode`.".to_string(),
                    Some((u, k, m)) if u == app2 && k == key2 && m != mode2 => format!(
                        "Authorization has been denied for this request: the API key is not valid for database mode {m}."
                    ),
                    Some(_) => "Authorization has been denied for this request: unknown application name or API key.".to_string(),
                };
                routes::van_error(401, "UNAUTHORIZED", &text, &[])
            }),
        });
        routes::mount(&sim, &inner).await;
        VanSim {
            sim,
            inner,
            _blob: blob,
            app_name: app_name.to_string(),
            api_key: api_key.to_string(),
            db_mode,
        }
    }

    /// The API base URL, `http://127.0.0.1:port/v4/`.
    pub fn base_url(&self) -> Url {
        self.sim.url("/v4/")
    }

    /// The accepted application name.
    pub fn app_name(&self) -> &str {
        &self.app_name
    }

    /// The accepted API key.
    pub fn api_key(&self) -> &str {
        &self.api_key
    }

    /// The accepted database mode.
    pub fn db_mode(&self) -> DbMode {
        self.db_mode
    }

    /// A client builder with the right credentials, pointed here, unlimited,
    /// with fast retries and 5 ms job polling.
    pub fn client_builder(&self) -> VanClientBuilder {
        VanClient::builder(self.app_name.clone(), self.api_key.clone(), self.db_mode)
            .base_url(self.base_url())
            .rate_limit(RateLimit::unlimited())
            .retry(RetryPolicy::fast())
            .job_polling(Duration::from_millis(5), Duration::from_secs(30))
    }

    /// A client with the right credentials (see [`client_builder`](Self::client_builder)).
    ///
    /// # Panics
    /// Never in practice: the credentials are not empty.
    pub fn client(&self) -> VanClient {
        #[allow(clippy::expect_used)]
        self.client_builder().build().expect("simulator client")
    }

    /// A connector with the right credentials and these options.
    pub fn connector(&self, options: ConnectorOptions) -> VanConnector {
        VanConnector::new(self.client(), options)
    }

    /// Switches, faults and counters.
    pub fn control(&self) -> &Arc<SimControl> {
        self.sim.control()
    }

    /// Enforces a rate limit of `per_second` requests, answering 429 with
    /// `Retry-After: retry_after_secs` past it (VAN's real limit is UNVERIFIED).
    pub fn set_rate_limit(&self, per_second: f64, retry_after_secs: Option<u64>) {
        self.control().set_rate_limit(Some(SimRateLimit {
            retry_after: retry_after_secs,
            ..SimRateLimit::per_second(per_second)
        }));
    }

    /// Makes `feature` unavailable, its routes answering with `status`
    /// (see [`Withheld`]); `None` offers it again.
    pub fn withhold(&self, feature: Withheld, status: Option<u16>) {
        let mut st = self.lock();
        match status {
            Some(s) => st.withheld.insert(feature, s),
            None => st.withheld.remove(&feature),
        };
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.inner.lock()
    }

    // ---- seeding ----

    /// Adds a person as given (contact points normalized the way VAN stores
    /// them), last modified 30 days ago. Returns the van id.
    pub fn add_person(&self, person: &models::Person) -> u64 {
        let at = Utc::now() - chrono::Duration::days(30);
        self.lock().create_person(person, at)
    }

    /// Adds `count` people of `population` as VAN users typed them
    /// ([`Population::messy`] for `"van"`). Returns their van ids in order.
    pub fn seed_population(&self, population: &Population, count: usize) -> Vec<u64> {
        (0..count.min(population.humans.len()))
            .map(|h| {
                let m = population.messy(h, "van");
                let person = models::Person {
                    first_name: Some(m.given_name),
                    last_name: Some(m.family_name),
                    date_of_birth: m.birth_date.map(|d| d.format("%Y-%m-%d").to_string()),
                    emails: m.email.map(|e| {
                        vec![models::EmailAddress {
                            email: e,
                            ..Default::default()
                        }]
                    }),
                    phones: m.phone.map(|p| {
                        vec![models::PhoneNumber {
                            phone_number: p,
                            phone_type: Some("C".into()),
                            ..Default::default()
                        }]
                    }),
                    addresses: Some(vec![models::Address {
                        address_line1: Some(m.street),
                        city: Some(m.city),
                        state_or_province: Some(m.state),
                        zip_or_postal_code: Some(m.zip),
                        ..Default::default()
                    }]),
                    ..models::Person::default()
                };
                self.add_person(&person)
            })
            .collect()
    }

    /// Marks a person as changed at `at` (for changed-entity exports).
    pub fn set_modified(&self, van_id: u64, at: DateTime<Utc>) {
        if let Some(p) = self.lock().people.get_mut(&van_id) {
            p.modified = at;
        }
    }

    /// Adds an active activist code.
    pub fn add_activist_code(&self, name: &str) -> u64 {
        let mut st = self.lock();
        let id = st.id();
        st.activist_codes.insert(
            id,
            ActivistCode {
                activist_code_id: id,
                kind: Some("Volunteer".into()),
                name: name.into(),
                short_name: Some(name.chars().take(8).collect()),
                status: Some("Active".into()),
                ..ActivistCode::default()
            },
        );
        id
    }

    /// Adds a survey question with these answers; returns its id and the answers' ids.
    pub fn add_survey_question(
        &self,
        name: &str,
        question: &str,
        answers: &[&str],
    ) -> (u64, Vec<u64>) {
        let mut st = self.lock();
        let id = st.id();
        let responses: Vec<SurveyResponseOption> = answers
            .iter()
            .map(|a| SurveyResponseOption {
                survey_response_id: st.id(),
                name: a.to_string(),
                ..Default::default()
            })
            .collect();
        let ids = responses.iter().map(|r| r.survey_response_id).collect();
        st.survey_questions.insert(
            id,
            SurveyQuestion {
                survey_question_id: id,
                kind: Some("Issue".into()),
                cycle: Some(2026),
                name: name.into(),
                script_question: Some(question.into()),
                status: Some("Active".into()),
                responses,
                ..SurveyQuestion::default()
            },
        );
        (id, ids)
    }

    /// Adds a result code.
    pub fn add_result_code(&self, name: &str) -> u64 {
        let mut st = self.lock();
        let id = st.id();
        st.result_codes.insert(
            id,
            ResultCode {
                result_code_id: id,
                name: name.into(),
                short_name: Some(name.chars().take(2).collect()),
                ..Default::default()
            },
        );
        id
    }

    /// Adds a code (tag).
    pub fn add_code(&self, name: &str) -> u64 {
        let mut st = self.lock();
        let id = st.id();
        st.codes.insert(
            id,
            models::Code {
                code_id: id,
                name: name.into(),
                code_type: Some("Tag".into()),
                ..Default::default()
            },
        );
        id
    }

    /// Adds an event type with these roles and VAN's usual signup statuses
    /// (Scheduled 1, Completed 2, Declined 3, Invited 4, Left Msg 5, No Show 6,
    /// Confirmed 11, Walk In 15, Cancelled 18, Tentative 19).
    /// Returns the type id and the role ids.
    pub fn add_event_type(&self, name: &str, roles: &[&str]) -> (u64, Vec<u64>) {
        let mut st = self.lock();
        let id = st.id();
        let roles: Vec<Role> = roles
            .iter()
            .map(|r| Role {
                role_id: st.id(),
                name: Some(r.to_string()),
                ..Role::default()
            })
            .collect();
        let role_ids = roles.iter().map(|r| r.role_id).collect();
        let statuses = [
            (1, "Scheduled"),
            (2, "Completed"),
            (3, "Declined"),
            (4, "Invited"),
            (5, "Left Msg"),
            (6, "No Show"),
            (11, "Confirmed"),
            (15, "Walk In"),
            (18, "Cancelled"),
            (19, "Tentative"),
        ]
        .into_iter()
        .map(|(i, n)| SignupStatus {
            status_id: i,
            name: Some(n.into()),
        })
        .collect();
        st.event_types.insert(
            id,
            EventType {
                event_type_id: id,
                name: name.into(),
                roles,
                statuses,
                extra: Default::default(),
            },
        );
        (id, role_ids)
    }

    /// Adds an event of `event_type_id` starting at `start`, with one shift
    /// per `(name, hours from start, hours long)`, and the type's roles.
    ///
    /// # Panics
    /// If the event type is unknown (a bug in the calling test).
    pub fn add_event(
        &self,
        name: &str,
        event_type_id: u64,
        start: DateTime<Utc>,
        shifts: &[(&str, i64, i64)],
    ) -> SeededEvent {
        let mut st = self.lock();
        #[allow(clippy::expect_used)]
        let t = st
            .event_types
            .get(&event_type_id)
            .cloned()
            .expect("add_event: unknown event type");
        let id = st.id();
        let fmt = |d: DateTime<Utc>| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, false);
        let shifts: Vec<EventShift> = shifts
            .iter()
            .map(|(n, from, hours)| EventShift {
                event_shift_id: Some(st.id()),
                name: Some(n.to_string()),
                start_time: Some(fmt(start + chrono::Duration::hours(*from))),
                end_time: Some(fmt(start + chrono::Duration::hours(from + hours))),
                ..Default::default()
            })
            .collect();
        let end = shifts
            .iter()
            .filter_map(|s| s.end_time.clone())
            .max()
            .unwrap_or_else(|| fmt(start + chrono::Duration::hours(2)));
        let seeded = SeededEvent {
            event_id: id,
            shift_ids: shifts.iter().filter_map(|s| s.event_shift_id).collect(),
            role_ids: t.roles.iter().map(|r| r.role_id).collect(),
        };
        let location_id = st.id();
        let mut extra = models::Extra::new();
        extra.insert("createdDate".into(), Utc::now().to_rfc3339().into());
        extra.insert("districtFieldValue".into(), json!("003"));
        extra.insert("codes".into(), serde_json::Value::Null);
        extra.insert("notes".into(), serde_json::Value::Null);
        st.events.insert(
            id,
            Event {
                event_id: Some(id),
                name: name.into(),
                short_name: Some(name.chars().take(12).collect()),
                description: Some(format!("{name} (simulated)")),
                start_date: Some(fmt(start)),
                end_date: Some(end),
                event_type: Some(EventTypeRef {
                    event_type_id,
                    name: Some(t.name.clone()),
                }),
                shifts: Some(shifts),
                roles: Some(t.roles.clone()),
                locations: Some(vec![models::Location {
                    location_id: Some(location_id),
                    name: Some("Campaign HQ".into()),
                    display_name: Some("Campaign HQ, 48 Grove St Somerville, MA 02144-2500".into()),
                    address: Some(models::Address {
                        address_line1: Some("48 Grove St".into()),
                        city: Some("Somerville".into()),
                        state_or_province: Some("MA".into()),
                        zip_or_postal_code: Some("02144".into()),
                        ..Default::default()
                    }),
                    ..Default::default()
                }]),
                extra,
            },
        );
        seeded
    }

    /// Adds a saved list of these people; returns its id.
    pub fn add_saved_list(&self, name: &str, van_ids: &[u64]) -> u64 {
        let mut st = self.lock();
        let id = st.id();
        st.saved_lists.insert(
            id,
            (
                models::SavedList {
                    saved_list_id: id,
                    name: name.into(),
                    list_count: Some(van_ids.len() as u64),
                    door_count: Some(van_ids.len() as u64),
                    ..Default::default()
                },
                van_ids.to_vec(),
            ),
        );
        id
    }

    /// Adds a folder; returns its id.
    pub fn add_folder(&self, name: &str) -> u64 {
        let mut st = self.lock();
        let id = st.id();
        st.folders.insert(
            id,
            models::Folder {
                folder_id: id,
                name: name.into(),
                extra: Default::default(),
            },
        );
        id
    }

    /// Seeds what most tests need: three activist codes, a survey question,
    /// the usual result codes, a "Phone Bank" event type (roles Host and
    /// Volunteer) and two events with two shifts each.
    pub fn seed_standard(&self) -> Seeded {
        let activist_codes = ["Volunteer", "Precinct Captain", "Donor Prospect"]
            .iter()
            .map(|n| (n.to_string(), self.add_activist_code(n)))
            .collect();
        let answers = ["Strong Support", "Lean Support", "Undecided", "Oppose"];
        let (q, ids) =
            self.add_survey_question("Support", "Can we count on your support?", &answers);
        let result_codes = [
            "Not Home",
            "Refused",
            "Wrong Number",
            "Disconnected",
            "Texted",
            "Canvassed",
            "Do Not Text",
        ]
        .iter()
        .map(|n| (n.to_string(), self.add_result_code(n)))
        .collect();
        let (event_type_id, _) = self.add_event_type("Phone Bank", &["Host", "Volunteer"]);
        let base = Utc::now() + chrono::Duration::days(7);
        let events = vec![
            self.add_event(
                "Neighbors Calling Neighbors",
                event_type_id,
                base,
                &[("Setup", 0, 1), ("Calls", 1, 3)],
            ),
            self.add_event(
                "Weekend Canvass",
                event_type_id,
                base + chrono::Duration::days(2),
                &[("Morning", 0, 3), ("Afternoon", 4, 3)],
            ),
        ];
        Seeded {
            activist_codes,
            survey_question: (q, answers.iter().map(|a| a.to_string()).zip(ids).collect()),
            result_codes,
            event_type_id,
            events,
        }
    }

    // ---- read-back ----

    /// Every person's van id.
    pub fn van_ids(&self) -> BTreeSet<u64> {
        self.lock().people.keys().copied().collect()
    }

    /// A person as stored.
    pub fn person(&self, van_id: u64) -> Option<models::Person> {
        self.lock().people.get(&van_id).map(|p| p.person.clone())
    }

    /// How many people there are.
    pub fn people_count(&self) -> usize {
        self.lock().people.len()
    }

    /// Every canvass response received, in order.
    pub fn canvass_responses(&self) -> Vec<StoredCanvassResponse> {
        self.lock().canvass_responses.clone()
    }

    /// How many canvass responses were received.
    pub fn canvass_response_count(&self) -> usize {
        self.lock().canvass_responses.len()
    }

    /// Every signup (one per person, event, shift and role: the upsert key).
    pub fn signups(&self) -> Vec<Signup> {
        self.lock().signups.values().cloned().collect()
    }

    /// How many signups exist.
    pub fn signup_count(&self) -> usize {
        self.lock().signups.len()
    }

    /// Every activist-code application or removal, in order (canvass
    /// responses and bulk imports).
    pub fn applied_activist_codes(&self) -> Vec<AppliedActivistCode> {
        self.lock().applied_codes.clone()
    }

    /// The activist codes a person holds now (applications minus removals).
    pub fn active_activist_codes(&self, van_id: u64) -> BTreeSet<u64> {
        let mut set = BTreeSet::new();
        for a in self
            .lock()
            .applied_codes
            .iter()
            .filter(|a| a.van_id == van_id)
        {
            match a.action {
                ResponseAction::Apply => set.insert(a.activist_code_id),
                ResponseAction::Remove => set.remove(&a.activist_code_id),
            };
        }
        set
    }

    /// Every survey answer recorded.
    pub fn survey_responses(&self) -> Vec<StoredSurveyResponse> {
        self.lock().survey_responses.clone()
    }

    /// Every SMS opt-out recorded.
    pub fn opt_outs(&self) -> Vec<StoredOptOut> {
        self.lock().opt_outs.clone()
    }

    /// How many SMS opt-outs were recorded.
    pub fn opt_out_count(&self) -> usize {
        self.lock().opt_outs.len()
    }

    /// Codes applied with `POST /people/{vanId}/codes`, as (van id, code id).
    pub fn code_applications(&self) -> Vec<(u64, u64)> {
        self.lock().code_applications.clone()
    }

    /// Notes on a person.
    pub fn notes(&self, van_id: u64) -> Vec<models::Note> {
        self.lock().notes.get(&van_id).cloned().unwrap_or_default()
    }
}
