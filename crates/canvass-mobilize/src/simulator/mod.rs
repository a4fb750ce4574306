//! A stateful Mobilize API v1 simulator on loopback (feature `simulator`),
//! for tests, benchmarks and `canvass demo`.
//!
//! It serves the `{data, error, count, next, previous}` envelope with cursor
//! paging (the `cursor` rides inside `next`), `updated_since` on people,
//! events, deleted events and attendances, the documented event filters,
//! the public / authenticated split (no key: public events only and
//! `contact: null`; a wrong key: 403), field-keyed error bodies, the
//! published 15 reads/s and 5 writes/s (429 past them), signups that match
//! people by email, and event writes.
//!
//! Choices where the docs are silent (configurable in [`SimOptions`]):
//! `updated_since` is inclusive; `per_page` is capped at
//! [`SimOptions::max_per_page`]; cursors are opaque keyset positions.
//!
//! ```no_run
//! # async fn run() {
//! use canvass_mobilize::simulator::{MobilizeSim, SimOptions};
//! let sim = MobilizeSim::start(SimOptions::small()).await;
//! let client = sim.client_builder().build().unwrap();
//! let people = client.people(sim.organization_id()).list().all().await.unwrap();
//! assert_eq!(people.len(), sim.people_ids().len());
//! # }
//! ```

mod data;
mod routes;

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, MutexGuard};

use canvass_core::EntityKind;
use canvass_core::http::{RateLimit, RetryPolicy};
use canvass_testkit::Reply;
use canvass_testkit::sim::{AuthRule, RequestExt, Sim, SimControl, SimRateLimit};
use serde_json::json;
use url::Url;

pub use data::WriteCounts;
use data::{State, unix_now};

use crate::client::{MobilizeClient, MobilizeClientBuilder};
use crate::connector::{ConnectorOptions, MobilizeConnector};

/// What the simulator holds and how it behaves.
#[derive(Debug, Clone, PartialEq)]
pub struct SimOptions {
    /// The organization served.
    pub organization_id: u64,
    /// A promoted organization (listed by `promoted_organizations`).
    pub promoted_organization_id: u64,
    /// The one valid API key.
    pub api_key: String,
    /// Seed for the generated people and signups.
    pub seed: u64,
    /// People generated (fewer remain: people who typed the same email are one person).
    pub people: usize,
    /// Live events.
    pub events: usize,
    /// Events seeded and then deleted.
    pub deleted_events: usize,
    /// Attendances generated.
    pub attendances: usize,
    /// Every `n`th event is private (0: none).
    pub private_every: usize,
    /// Every `n`th event is virtual, with no location (0: none).
    pub virtual_every: usize,
    /// Every `n`th event's last timeslot has no end (0: none).
    pub open_ended_every: usize,
    /// Every `n`th attendance is served without an `id`, as Mobilize does
    /// for an independent organization reading a coordinated event (0: none).
    pub omit_attendance_id_every: usize,
    /// The largest `per_page` honoured (the docs state none).
    pub max_per_page: u32,
    /// The rate limit enforced; `None` for none.
    pub rate_limit: Option<SimRateLimit>,
}

impl Default for SimOptions {
    fn default() -> Self {
        SimOptions {
            organization_id: 42,
            promoted_organization_id: 77,
            api_key: "sim-mobilize-key-5e1f".into(),
            seed: 7,
            people: 200,
            events: 40,
            deleted_events: 3,
            attendances: 600,
            private_every: 5,
            virtual_every: 7,
            open_ended_every: 6,
            omit_attendance_id_every: 40,
            max_per_page: 100,
            rate_limit: Some(MobilizeSim::vendor_rate_limit()),
        }
    }
}

impl SimOptions {
    /// A small data set (about 40 people, 12 events, 120 signups) for tests.
    pub fn small() -> SimOptions {
        SimOptions {
            people: 40,
            events: 12,
            deleted_events: 2,
            attendances: 120,
            ..SimOptions::default()
        }
    }

    /// A data set with `n` attendances (people and events scaled to match).
    pub fn with_attendances(n: usize) -> SimOptions {
        SimOptions {
            people: (n / 4).max(50),
            events: (n / 40).max(20),
            attendances: n,
            ..SimOptions::default()
        }
    }
}

/// A running Mobilize simulator.
pub struct MobilizeSim {
    sim: Sim,
    state: Arc<Mutex<State>>,
    options: SimOptions,
}

impl std::fmt::Debug for MobilizeSim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MobilizeSim")
            .field("uri", &self.sim.uri())
            .finish()
    }
}

pub(crate) fn envelope_error(error: serde_json::Value) -> serde_json::Value {
    json!({"data": null, "error": error})
}

impl MobilizeSim {
    /// Mobilize's published limit as the simulator enforces it: 15 reads/s
    /// and 5 writes/s, each a bucket one second deep, 429 (no `Retry-After`)
    /// when empty.
    pub fn vendor_rate_limit() -> SimRateLimit {
        SimRateLimit {
            reads_per_second: 15.0,
            writes_per_second: Some(5.0),
            burst: 15.0,
            retry_after: None,
            sliding_window: false,
        }
    }

    /// Starts a simulator seeded per `options`.
    pub async fn start(options: SimOptions) -> MobilizeSim {
        let sim = Sim::start().await;
        let state = Arc::new(Mutex::new(State::seed(options.clone())));
        let key = format!("Bearer {}", options.api_key);
        sim.control().set_auth(AuthRule {
            check: Box::new(move |req| {
                req.header_str("authorization").as_deref() == Some(key.as_str())
            }),
            reject: Box::new(|req| {
                let detail = if req.header_str("authorization").is_some() {
                    "Invalid token."
                } else {
                    "Authentication credentials were not provided."
                };
                Reply::json(403, &envelope_error(json!({"detail": detail})))
            }),
        });
        sim.control().set_rate_limit(options.rate_limit);
        routes::mount(&sim, state.clone(), options.clone()).await;
        MobilizeSim {
            sim,
            state,
            options,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The base URL clients use, ending in `/v1/`.
    pub fn base_url(&self) -> Url {
        self.sim.url("/v1/")
    }

    /// The valid key.
    pub fn api_key(&self) -> &str {
        &self.options.api_key
    }

    /// The organization served.
    pub fn organization_id(&self) -> u64 {
        self.options.organization_id
    }

    /// Switches and counters (faults, rate limit, request counts).
    pub fn control(&self) -> &Arc<SimControl> {
        self.sim.control()
    }

    /// A client builder pointed here with the valid key, the published rate
    /// limit and fast retries.
    pub fn client_builder(&self) -> MobilizeClientBuilder {
        MobilizeClient::builder()
            .base_url(self.base_url())
            .api_key(self.options.api_key.clone())
            .retry(RetryPolicy::fast())
    }

    /// A connector pointed here with `key` (the valid one when `None`).
    ///
    /// # Panics
    /// Never in practice: the simulator's URL is always valid.
    pub fn connector(
        &self,
        key: Option<&str>,
        rate_limit: RateLimit,
        per_page: Option<u32>,
    ) -> MobilizeConnector {
        #[allow(clippy::expect_used)]
        let client = MobilizeClient::builder()
            .base_url(self.base_url())
            .api_key(key.unwrap_or(&self.options.api_key))
            .rate_limit(rate_limit)
            .retry(RetryPolicy::fast())
            .build()
            .expect("client for the simulator");
        let mut options = ConnectorOptions::new(self.organization_id());
        options.per_page = per_page;
        MobilizeConnector::new(client, options)
    }

    /// The ids of every record of `kind` a full read returns (deleted
    /// events aside); `None` for a kind Mobilize does not serve.
    pub fn ids(&self, kind: &EntityKind) -> Option<BTreeSet<String>> {
        Some(match kind {
            EntityKind::People => self.people_ids(),
            EntityKind::Events => self.event_ids(),
            EntityKind::Shifts => self.shift_ids(),
            EntityKind::Tags => self.tag_ids(),
            EntityKind::Attendances => self.attendance_ids(),
            _ => return None,
        })
    }

    /// Ids of every person.
    pub fn people_ids(&self) -> BTreeSet<String> {
        self.lock().people.keys().map(u64::to_string).collect()
    }

    /// Ids of every live event (public and private).
    pub fn event_ids(&self) -> BTreeSet<String> {
        self.lock().events.keys().map(u64::to_string).collect()
    }

    /// Ids of every live public event.
    pub fn public_event_ids(&self) -> BTreeSet<String> {
        self.lock()
            .events
            .values()
            .filter(|e| e.visibility == "PUBLIC")
            .map(|e| e.id.to_string())
            .collect()
    }

    /// Ids of every timeslot of a live event.
    pub fn shift_ids(&self) -> BTreeSet<String> {
        self.lock()
            .events
            .values()
            .flat_map(|e| e.timeslots.iter().map(|t| t.id.to_string()))
            .collect()
    }

    /// Ids of every tag on a live event.
    pub fn tag_ids(&self) -> BTreeSet<String> {
        self.lock()
            .events
            .values()
            .flat_map(|e| e.tags.iter().map(u64::to_string))
            .collect()
    }

    /// Ids of deleted events.
    pub fn deleted_event_ids(&self) -> BTreeSet<String> {
        self.lock().deleted.keys().map(u64::to_string).collect()
    }

    /// Ids of every attendance, as canvass reports them (derived where the
    /// simulator omits the id).
    pub fn attendance_ids(&self) -> BTreeSet<String> {
        let st = self.lock();
        st.attendances
            .values()
            .map(|a| st.attendance_id(a))
            .collect()
    }

    /// Attendances of one event, per timeslot id, not counting cancelled ones.
    pub fn signups_per_timeslot(&self, event_id: u64) -> std::collections::BTreeMap<u64, usize> {
        let st = self.lock();
        let mut out = std::collections::BTreeMap::new();
        for a in st
            .attendances
            .values()
            .filter(|a| a.event == event_id && a.status != "CANCELLED")
        {
            *out.entry(a.timeslot).or_default() += 1;
        }
        out
    }

    /// The person with this email (matched as Mobilize does, ignoring case).
    pub fn person_by_email(&self, email: &str) -> Option<u64> {
        self.lock().by_email.get(&data::email_key(email)).copied()
    }

    /// What clients wrote.
    pub fn writes(&self) -> WriteCounts {
        self.lock().writes.clone()
    }

    /// Changes `n` attendances spread evenly over the set (a confirmation,
    /// or a cancellation undone), stamping them modified now. Returns the
    /// ids changed, as canvass reports them.
    pub fn touch_attendances(&self, n: usize) -> Vec<String> {
        let mut st = self.lock();
        let now = unix_now();
        let ids: Vec<u64> = st.attendances.keys().copied().collect();
        if ids.is_empty() || n == 0 {
            return Vec::new();
        }
        let step = (ids.len() / n.min(ids.len())).max(1);
        let mut changed = Vec::new();
        for id in ids.iter().step_by(step).take(n) {
            if let Some(a) = st.attendances.get_mut(id) {
                a.status = if a.status == "CONFIRMED" {
                    "REGISTERED"
                } else {
                    "CONFIRMED"
                };
                a.modified = now;
            }
            if let Some(a) = st.attendances.get(id) {
                changed.push(st.attendance_id(a));
            }
        }
        changed
    }

    /// Changes `n` people (a new phone), stamping them modified now.
    pub fn touch_people(&self, n: usize) -> Vec<String> {
        let mut st = self.lock();
        let now = unix_now();
        let ids: Vec<u64> = st.people.keys().copied().take(n).collect();
        for id in &ids {
            if let Some(p) = st.people.get_mut(id) {
                p.phone = Some("(414) 202-0792".into());
                p.modified = now;
            }
        }
        ids.iter().map(u64::to_string).collect()
    }

    /// Answers `method` on the path `template` (`{name}` for one segment,
    /// as in the crate's route table) with Mobilize's 404 from now on, as an
    /// account that does not offer the route would.
    ///
    /// ```no_run
    /// # async fn run() {
    /// use canvass_mobilize::simulator::{MobilizeSim, SimOptions};
    /// let sim = MobilizeSim::start(SimOptions::small()).await;
    /// sim.withhold("GET", "/v1/organizations/{organization_id}/people");
    /// # }
    /// ```
    pub fn withhold(&self, method: &str, template: &str) {
        self.lock()
            .withheld
            .push((method.to_string(), template.to_string()));
    }

    /// Deletes an event as if an organizer did; `false` when there was none.
    pub fn delete_event(&self, id: u64) -> bool {
        let mut st = self.lock();
        if st.events.remove(&id).is_some() {
            st.deleted.insert(id, unix_now());
            true
        } else {
            false
        }
    }

    /// The id of some live event with at least one upcoming timeslot, and that timeslot.
    pub fn upcoming_timeslot(&self) -> Option<(u64, u64)> {
        let now = unix_now();
        self.lock()
            .events
            .values()
            .filter(|e| e.visibility == "PUBLIC")
            .find_map(|e| {
                e.timeslots
                    .iter()
                    .find(|t| t.start > now)
                    .map(|t| (e.id, t.id))
            })
    }
}
