//! A stateful Strive simulator on [`canvass_testkit::Sim`] (feature
//! `simulator`).
//!
//! It answers like PostgREST: one endpoint per table, filters read with
//! [`Filter::parse`](crate::filter::Filter::parse) (so the simulator reads
//! exactly what PostgREST would), `order` (both `col.desc` and `-col`
//! styles), `limit` (capped at 1000 rows, like `db-max-rows`), `offset`,
//! `select`, bare arrays, `POST /members` answered 201, `/rpc/ping`, Bearer
//! auth, and PostgREST error bodies, or other shapes ([`ErrorStyle`]), since
//! Strive's are UNVERIFIED. Its rate limit is whatever the [`SimControl`]
//! is set to (Strive publishes none: [`StriveSim::vendor_rate_limit`] is the
//! configurable stand-in, 10 requests/s by default).
//!
//! People come from a [`Population`] (`messy(human, "strive")`): the same
//! humans other simulators show, formatted as Strive's imports left them.

mod data;
mod routes;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use canvass_core::http::{RateLimit, RetryPolicy};
use canvass_testkit::generate::Population;
use canvass_testkit::sim::{SharedState, Sim, SimControl, SimRateLimit};
use serde_json::Value;
use url::Url;

use crate::client::StriveClient;
use crate::connector::{ConnectorOptions, StriveConnector};

/// The API key the simulator accepts.
pub const API_KEY: &str = "sim-strive-key-0b5e55ed";
/// The simulated campaign.
pub const CAMPAIGN_ID: i64 = 1;

/// How the simulator words its errors.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ErrorStyle {
    /// PostgREST's `{"code", "message", "details", "hint"}`.
    #[default]
    Postgrest,
    /// `{"error": "…"}`.
    ErrorField,
    /// A plain-text body.
    PlainText,
}

/// What the simulator has been asked to write.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteStats {
    /// Members created.
    pub members_created: u64,
}

#[derive(Default)]
pub(crate) struct State {
    pub(crate) tables: BTreeMap<&'static str, Vec<Value>>,
    pub(crate) humans: HashMap<i64, usize>,
    pub(crate) writes: WriteStats,
    pub(crate) error_style: ErrorStyle,
    pub(crate) next_member: i64,
    pub(crate) next_outgoing: i64,
    pub(crate) next_incoming: i64,
    pub(crate) next_event: i64,
    /// Tables answered 404, as for a key not granted them.
    pub(crate) withheld: BTreeSet<String>,
    /// Tables whose rows are not stored in increasing `id` order.
    pub(crate) out_of_id_order: BTreeSet<&'static str>,
}

impl State {
    /// A table's rows, to change in place; add rows with [`State::push`].
    pub(crate) fn table(&mut self, name: &'static str) -> &mut Vec<Value> {
        self.tables.entry(name).or_default()
    }

    /// Adds a row, noting when it breaks the table's `id` order.
    pub(crate) fn push(&mut self, name: &'static str, row: Value) {
        let id = |r: &Value| r.get("id").and_then(Value::as_i64);
        let rows = self.tables.entry(name).or_default();
        let in_order = match (rows.last().map(id), id(&row)) {
            (None, Some(_)) => true,
            (Some(Some(last)), Some(new)) => last < new,
            _ => false,
        };
        if !in_order {
            self.out_of_id_order.insert(name);
        }
        rows.push(row);
    }

    /// Whether a table's rows are stored in increasing `id` order.
    pub(crate) fn in_id_order(&self, name: &str) -> bool {
        !self.out_of_id_order.contains(name)
    }

    pub(crate) fn rows(&self, name: &str) -> &[Value] {
        self.tables.get(name).map(Vec::as_slice).unwrap_or_default()
    }
}

/// A running Strive simulator.
pub struct StriveSim {
    sim: Sim,
    state: SharedState<State>,
}

impl std::fmt::Debug for StriveSim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StriveSim")
            .field("uri", &self.sim.uri())
            .finish()
    }
}

fn ids(rows: &[Value]) -> Vec<i64> {
    rows.iter()
        .filter_map(|r| r.get("id").and_then(Value::as_i64))
        .collect()
}

impl StriveSim {
    /// Starts a simulator with one campaign, its groups, broadcasts and
    /// custom fields, and no members.
    pub async fn start() -> StriveSim {
        let mut state = State::default();
        data::seed_directory(&mut state);
        let state = SharedState::new(state);
        let sim = Sim::start().await;
        routes::mount(&sim, state.clone()).await;
        StriveSim { sim, state }
    }

    /// Starts a simulator with `people` humans of `Population::generate(seed, people)`
    /// as members (with their subscription events) and `messages` messages.
    pub async fn seeded(seed: u64, people: usize, messages: usize) -> StriveSim {
        let sim = StriveSim::start().await;
        let population = Population::generate(seed, people);
        sim.seed_population(&population, 0..people);
        sim.seed_messages(seed, messages);
        sim
    }

    /// Adds the given humans of `population` as members, formatted the way
    /// Strive's imports left them ([`Population::messy`] with `"strive"`),
    /// with a subscribe event each and an unsubscribe event for some.
    /// Returns the new member ids.
    pub fn seed_population(
        &self,
        population: &Population,
        humans: impl IntoIterator<Item = usize>,
    ) -> Vec<i64> {
        self.state
            .seed_humans(population, humans, data::seed_member)
    }

    /// Adds `count` messages (about 70% outgoing, 30% incoming replies) over
    /// the existing members, deterministically from `seed`.
    pub fn seed_messages(&self, seed: u64, count: usize) {
        data::seed_messages(&mut self.state.lock(), seed, count);
    }

    /// Adds a row to a table exactly as given (a recorded shape, a malformed row).
    pub fn push_row(&self, table: &'static str, row: Value) {
        self.state.lock().push(table, row);
    }

    /// Answers every request to `/{table}` with PostgREST's 404 from now on,
    /// as for a key not granted the table.
    pub fn withhold(&self, table: &str) {
        self.state.lock().withheld.insert(table.to_string());
    }

    /// How errors are worded from now on.
    pub fn set_error_style(&self, style: ErrorStyle) {
        self.state.lock().error_style = style;
    }

    /// The server's root URL.
    pub fn uri(&self) -> String {
        self.sim.uri()
    }

    /// The API base URL.
    pub fn base_url(&self) -> Url {
        self.sim.url("/")
    }

    /// Switches, counters, faults and the rate limit.
    pub fn control(&self) -> &Arc<SimControl> {
        self.sim.control()
    }

    /// The stand-in for Strive's unpublished rate limit: 10 requests/s
    /// (pass another to [`SimControl::set_rate_limit`] to try others).
    pub fn vendor_rate_limit() -> SimRateLimit {
        SimRateLimit::per_second(crate::client::DEFAULT_RATE_LIMIT)
    }

    /// A client with the right key (or `key`), unlimited, fast retries.
    pub fn client(&self, key: Option<&str>) -> StriveClient {
        self.client_with(key, RateLimit::unlimited())
    }

    /// A client with a rate limit.
    ///
    /// # Panics
    /// Never in practice: the simulator's URL is always valid.
    pub fn client_with(&self, key: Option<&str>, rate_limit: RateLimit) -> StriveClient {
        #[allow(clippy::expect_used)]
        StriveClient::builder(key.unwrap_or(API_KEY))
            .base_url(self.base_url())
            .rate_limit(rate_limit)
            .retry(RetryPolicy::fast())
            .build()
            .expect("a client for the simulator")
    }

    /// A connector for this simulator's campaign.
    pub fn connector(
        &self,
        key: Option<&str>,
        rate_limit: RateLimit,
        page_size: u32,
    ) -> StriveConnector {
        StriveConnector::new(
            self.client_with(key, rate_limit),
            ConnectorOptions {
                campaign_id: Some(CAMPAIGN_ID),
                page_size,
            },
        )
    }

    /// Every member id.
    pub fn member_ids(&self) -> Vec<i64> {
        ids(self.state.lock().rows("members"))
    }

    /// Every message id as the connector names them (`out:<id>`, `in:<id>`).
    pub fn message_ids(&self) -> BTreeSet<String> {
        let s = self.state.lock();
        ids(s.rows("outgoing_messages"))
            .into_iter()
            .map(crate::mapping::outgoing_id)
            .chain(
                ids(s.rows("incoming_messages"))
                    .into_iter()
                    .map(crate::mapping::incoming_id),
            )
            .collect()
    }

    /// Number of rows in a table.
    pub fn count(&self, table: &str) -> usize {
        self.state.lock().rows(table).len()
    }

    /// Every group id.
    pub fn group_ids(&self) -> Vec<i64> {
        ids(self.state.lock().rows("groups"))
    }

    /// `memberId:groupId` for every member's group.
    pub fn tagging_ids(&self) -> BTreeSet<String> {
        let s = self.state.lock();
        s.rows("members")
            .iter()
            .flat_map(|m| {
                let id = m["id"].as_i64().unwrap_or_default();
                m["group"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|g| g["id"].as_i64())
                    .map(move |g| format!("{id}:{g}"))
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    /// Ids of unsubscribe events.
    pub fn opt_out_ids(&self) -> BTreeSet<String> {
        self.state
            .lock()
            .rows("subscription_events")
            .iter()
            .filter(|e| e["unsubscribe"] == true)
            .filter_map(|e| e["id"].as_i64().map(|i| i.to_string()))
            .collect()
    }

    /// A row by table and id.
    pub fn row(&self, table: &str, id: i64) -> Option<Value> {
        self.state
            .lock()
            .rows(table)
            .iter()
            .find(|r| r["id"] == id)
            .cloned()
    }

    /// Changes a member's columns and bumps its `updated_at` to now.
    pub fn touch_member(&self, id: i64, changes: Value) {
        let mut s = self.state.lock();
        if let Some(m) = s.table("members").iter_mut().find(|r| r["id"] == id) {
            if let (Some(obj), Some(ch)) = (m.as_object_mut(), changes.as_object()) {
                for (k, v) in ch {
                    obj.insert(k.clone(), v.clone());
                }
            }
            m["updated_at"] = Value::String(
                chrono::Utc::now()
                    .format("%Y-%m-%dT%H:%M:%S%.6f+00:00")
                    .to_string(),
            );
        }
    }

    /// The ground-truth human behind a seeded member.
    pub fn human_of(&self, member_id: i64) -> Option<usize> {
        self.state.lock().humans.get(&member_id).copied()
    }

    /// What has been written.
    pub fn writes(&self) -> WriteStats {
        self.state.lock().writes.clone()
    }
}
