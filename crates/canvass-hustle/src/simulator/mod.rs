//! A stateful Hustle v3 simulator on [`canvass_testkit::Sim`] (feature
//! `simulator`), for tests, benchmarks and `canvass demo`.
//!
//! It serves the OAuth token endpoint (tokens that expire, can be revoked,
//! and an IP block after ten failed token requests), cursor-paginated lists
//! with Hustle's filters and `limit` ≤ 1000, lead upserts (201/200) and
//! `PATCH /leads` operations, Hustle's `{code, message, hustleErrorCode}`
//! error bodies, and whatever rate limit and faults the [`SimControl`] is set
//! to (Hustle's is 25 requests/s: [`HustleSim::vendor_rate_limit`]).
//!
//! People come from a [`Population`]: the same humans other vendors'
//! simulators show, formatted as Hustle users typed them, so identity
//! resolution has real work to do.
//!
//! ```no_run
//! # async fn run() {
//! use canvass_hustle::simulator::HustleSim;
//! let sim = HustleSim::seeded(7, 200, 5_000).await;
//! assert_eq!(sim.message_ids().len(), 5_000);
//! let client = sim.client(None);
//! # let _ = client; }
//! ```

mod data;
mod routes;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use canvass_core::http::{RateLimit, RetryPolicy};
use canvass_testkit::generate::Population;
use canvass_testkit::sim::{SharedState, Sim, SimControl, SimRateLimit};
use serde_json::Value;
use url::Url;

use crate::client::HustleClient;
use crate::connector::{ConnectorOptions, HustleConnector};

/// The client id the simulator accepts.
pub const CLIENT_ID: &str = "sim-hustle-client";
/// The client secret the simulator accepts.
pub const CLIENT_SECRET: &str = "sim-hustle-secret-5c0ffee";
/// The simulated organization.
pub const ORGANIZATION_ID: &str = "orgSim01";
/// Failed token requests after which the simulator blocks every token
/// request, as Hustle blocks the IP.
pub const BLOCK_AFTER_FAILURES: u64 = 10;

/// What the simulator has been asked to write.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteStats {
    /// Leads created by `POST /leads` (201).
    pub leads_created: u64,
    /// Leads updated by `POST /leads` (200).
    pub leads_updated: u64,
    /// `PATCH /leads` operations applied, by type.
    pub operations: BTreeMap<String, u64>,
    /// Other objects created (groups, tags, agents, custom fields).
    pub created: u64,
}

/// Token endpoint counters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TokenStats {
    /// Token requests received.
    pub requests: u64,
    /// Tokens issued.
    pub issued: u64,
    /// Token requests refused (bad credentials, or blocked).
    pub refused: u64,
    /// Whether token requests are blocked after too many failures.
    pub blocked: bool,
}

#[derive(Default)]
pub(crate) struct State {
    pub(crate) organizations: Vec<Value>,
    pub(crate) groups: Vec<Value>,
    pub(crate) agents: Vec<Value>,
    pub(crate) tags: Vec<Value>,
    pub(crate) custom_fields: Vec<Value>,
    pub(crate) leads: Vec<Value>,
    pub(crate) lead_index: HashMap<String, usize>,
    pub(crate) phone_index: HashMap<(String, String), usize>,
    pub(crate) messages: Vec<Value>,
    pub(crate) message_index: HashMap<String, usize>,
    pub(crate) humans: HashMap<String, usize>,
    pub(crate) tokens: HashMap<String, Instant>,
    pub(crate) token_ttl: Duration,
    pub(crate) token_counter: u64,
    pub(crate) token_stats: TokenStats,
    pub(crate) reject_tokens: bool,
    pub(crate) failures: u64,
    pub(crate) writes: WriteStats,
    pub(crate) next_id: u64,
    /// `METHOD /path`s answered 404, as by an account without them.
    pub(crate) withheld: BTreeSet<String>,
}

impl State {
    pub(crate) fn new_id(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        format!("{prefix}{:06x}", self.next_id)
    }

    pub(crate) fn insert_lead(&mut self, lead: Value) {
        let id = lead["id"].as_str().unwrap_or_default().to_string();
        let org = lead["organizationId"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let phone = lead["phoneNumber"].as_str().unwrap_or_default().to_string();
        let idx = self.leads.len();
        self.lead_index.insert(id, idx);
        self.phone_index.insert((org, phone), idx);
        self.leads.push(lead);
    }

    pub(crate) fn insert_message(&mut self, message: Value) {
        let id = message["id"].as_str().unwrap_or_default().to_string();
        self.message_index.insert(id, self.messages.len());
        self.messages.push(message);
    }
}

/// A running Hustle simulator.
pub struct HustleSim {
    sim: Sim,
    state: SharedState<State>,
}

impl std::fmt::Debug for HustleSim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HustleSim")
            .field("uri", &self.sim.uri())
            .finish()
    }
}

impl HustleSim {
    /// Starts a simulator with one organization, its groups, agents, tags
    /// (two of them opt-out reasons) and custom fields, and no leads.
    pub async fn start() -> HustleSim {
        let mut state = State {
            token_ttl: Duration::from_secs(7200),
            ..State::default()
        };
        data::seed_directory(&mut state);
        let state = SharedState::new(state);
        let sim = Sim::start().await;
        routes::mount(&sim, state.clone()).await;
        HustleSim { sim, state }
    }

    /// Starts a simulator with `people` humans of `Population::generate(seed, people)`
    /// as leads and `messages` messages among them.
    pub async fn seeded(seed: u64, people: usize, messages: usize) -> HustleSim {
        let sim = HustleSim::start().await;
        let population = Population::generate(seed, people);
        sim.seed_population(&population, 0..people);
        sim.seed_messages(seed, messages);
        sim
    }

    /// Adds the given humans of `population` as leads, formatted the way
    /// Hustle users typed them ([`Population::messy`] with `"hustle"`).
    /// Returns the new lead ids, in order.
    pub fn seed_population(
        &self,
        population: &Population,
        humans: impl IntoIterator<Item = usize>,
    ) -> Vec<String> {
        self.state.seed_humans(population, humans, data::seed_lead)
    }

    /// Adds `count` messages (outbound texts with delivery statuses, and
    /// inbound replies) spread over the existing leads, deterministically
    /// from `seed`.
    pub fn seed_messages(&self, seed: u64, count: usize) {
        let mut state = self.state.lock();
        data::seed_messages(&mut state, seed, count);
    }

    /// Adds a lead exactly as given (a recorded shape, a malformed record).
    pub fn push_lead(&self, lead: Value) {
        self.state.lock().insert_lead(lead);
    }

    /// Adds a message exactly as given.
    pub fn push_message(&self, message: Value) {
        self.state.lock().insert_message(message);
    }

    /// Answers 404 (Hustle's error body) to `method` `path` (e.g. `"GET"`,
    /// `"/v3/messages"`) from now on, as an account that does not offer it.
    pub fn withhold(&self, method: &str, path: &str) {
        self.state
            .lock()
            .withheld
            .insert(format!("{} {path}", method.to_ascii_uppercase()));
    }

    /// Adds a tag exactly as given.
    pub fn push_tag(&self, tag: Value) {
        self.state.lock().tags.push(tag);
    }

    /// The server's root URL.
    pub fn uri(&self) -> String {
        self.sim.uri()
    }

    /// The API base URL (`…/v3/`).
    pub fn base_url(&self) -> Url {
        self.sim.url("/v3/")
    }

    /// Switches, counters, faults and the rate limit.
    pub fn control(&self) -> &Arc<SimControl> {
        self.sim.control()
    }

    /// Hustle's published limit as the simulator enforces it: 25 requests/s.
    pub fn vendor_rate_limit() -> SimRateLimit {
        SimRateLimit::per_second(crate::client::RATE_LIMIT_PER_SECOND)
    }

    /// Enforces Hustle's rate limit (429 past 25 requests/s).
    pub fn enforce_vendor_rate_limit(&self) {
        self.control()
            .set_rate_limit(Some(HustleSim::vendor_rate_limit()));
    }

    /// A client for this simulator with the right credentials (or `secret`
    /// instead of the right secret), unlimited, with fast retries.
    pub fn client(&self, secret: Option<&str>) -> HustleClient {
        self.client_with(secret, RateLimit::unlimited(), RetryPolicy::fast())
    }

    /// A client with a given rate limit and retry policy.
    ///
    /// # Panics
    /// Never in practice: the simulator's URL is always valid.
    pub fn client_with(
        &self,
        secret: Option<&str>,
        rate_limit: RateLimit,
        retry: RetryPolicy,
    ) -> HustleClient {
        #[allow(clippy::expect_used)]
        HustleClient::builder(CLIENT_ID, secret.unwrap_or(CLIENT_SECRET))
            .base_url(self.base_url())
            .rate_limit(rate_limit)
            .retry(retry)
            .build()
            .expect("a client for the simulator")
    }

    /// A connector for this simulator, writing into its organization.
    pub fn connector(
        &self,
        secret: Option<&str>,
        rate_limit: RateLimit,
        page_size: u32,
    ) -> HustleConnector {
        let options = ConnectorOptions {
            organization_id: Some(ORGANIZATION_ID.into()),
            group_id: Some(data::GROUP_IDS[0].into()),
            opt_out_tags: BTreeMap::from([
                (
                    "wrong_number".to_string(),
                    data::TAG_WRONG_NUMBER.to_string(),
                ),
                ("requested".to_string(), data::TAG_STOP.to_string()),
            ]),
            page_size,
            // The simulator serves a message list, as an account with one
            // would; Hustle's published API has none (see `ConnectorOptions`).
            messages_path: Some("messages".into()),
        };
        HustleConnector::new(
            self.client_with(secret, rate_limit, RetryPolicy::fast()),
            options,
        )
    }

    /// Every lead id, in list order.
    pub fn lead_ids(&self) -> Vec<String> {
        ids(&self.state.lock().leads)
    }

    /// Every message id, in list order.
    pub fn message_ids(&self) -> Vec<String> {
        ids(&self.state.lock().messages)
    }

    /// Every tag id.
    pub fn tag_ids(&self) -> Vec<String> {
        ids(&self.state.lock().tags)
    }

    /// Every group id.
    pub fn group_ids(&self) -> Vec<String> {
        ids(&self.state.lock().groups)
    }

    /// `leadId:tagId` for every tag on every lead.
    pub fn tagging_ids(&self) -> BTreeSet<String> {
        let state = self.state.lock();
        state
            .leads
            .iter()
            .flat_map(|l| {
                let id = l["id"].as_str().unwrap_or_default().to_string();
                l["tagIds"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .map(move |t| format!("{id}:{t}"))
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    /// Ids of leads that opted out.
    pub fn opted_out_lead_ids(&self) -> BTreeSet<String> {
        let state = self.state.lock();
        state
            .leads
            .iter()
            .filter(|l| l["globalOptedOut"].as_bool() == Some(true))
            .filter_map(|l| l["id"].as_str().map(str::to_string))
            .collect()
    }

    /// The lead with this id, as stored.
    pub fn lead(&self, id: &str) -> Option<Value> {
        let state = self.state.lock();
        state.lead_index.get(id).map(|i| state.leads[*i].clone())
    }

    /// The ground-truth human behind a seeded lead.
    pub fn human_of(&self, lead_id: &str) -> Option<usize> {
        self.state.lock().humans.get(lead_id).copied()
    }

    /// What has been written.
    pub fn writes(&self) -> WriteStats {
        self.state.lock().writes.clone()
    }

    /// Token endpoint counters.
    pub fn token_stats(&self) -> TokenStats {
        self.state.lock().token_stats.clone()
    }

    /// Sets the lifetime (`expires_in`) of tokens issued from now on.
    pub fn set_token_ttl(&self, ttl: Duration) {
        self.state.lock().token_ttl = ttl;
    }

    /// Revokes every token issued so far: the next request with one is
    /// answered 401.
    pub fn revoke_tokens(&self) {
        self.state.lock().tokens.clear();
    }

    /// When on, every token is refused (401) even when freshly issued.
    pub fn reject_all_tokens(&self, on: bool) {
        self.state.lock().reject_tokens = on;
    }

    /// Lifts the block after too many failed token requests.
    pub fn unblock(&self) {
        let mut s = self.state.lock();
        s.token_stats.blocked = false;
        s.failures = 0;
    }
}

fn ids(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .filter_map(|v| v["id"].as_str().map(str::to_string))
        .collect()
}
