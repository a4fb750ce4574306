//! A simulator of the petitions API on loopback, built on
//! [`canvass_testkit::Sim`]: auth with the key echoed back in 401s, paging by
//! token, `updated_since`, upsert by email, the API's error body, its 4/s rate
//! limit (when switched on) and every fault the testkit can inject.
//!
//! Signers are computed, not stored: signer `i` is a signature of human
//! `i % population` on petition `i / population`, rendered messily from a
//! [`Population`]. Memory stays flat however many signers a benchmark asks
//! for; only changed and created signers are stored.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, Duration, TimeZone, Utc};
use serde_json::{Value, json};

use canvass_testkit::generate::Population;
use canvass_testkit::{AuthRule, Reply, RequestExt, Route, Sim, SimControl, SimRateLimit};

/// The key the simulator accepts.
pub const SIM_KEY: &str = "petitions-sim-key-5b2f";

/// The instant signer 0 was last changed; signer `i` changed `i` seconds later.
fn base_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or_default()
}

struct State {
    count: u64,
    population: Population,
    /// Changed or created signers by index, with their change sequence.
    changed: BTreeMap<u64, (u64, Value)>,
    /// Change sequence -> index, in change order.
    change_order: BTreeMap<u64, u64>,
    next_seq: u64,
    malformed: BTreeSet<u64>,
}

impl State {
    fn synthetic(&self, i: u64) -> Value {
        let n = self.population.humans.len().max(1) as u64;
        let m = self.population.messy((i % n) as usize, "petitions");
        let petition = i / n;
        let mut v = json!({
            "id": format!("s_{i:07}"),
            "first_name": m.given_name,
            "last_name": m.family_name,
            "email": m.email,
            "phone": m.phone,
            "zip": m.zip,
            "petition": {"id": format!("p_{petition}"), "title": format!("Petition #{petition}")},
            "signed_at": (base_time() + Duration::seconds(i as i64)).to_rfc3339(),
            "updated_at": (base_time() + Duration::seconds(i as i64)).to_rfc3339(),
            "source_code": if i.is_multiple_of(3) { "email" } else { "web" },
        });
        if self.malformed.contains(&i)
            && let Some(o) = v.as_object_mut()
        {
            // A record the client cannot decode: no `updated_at`, and a
            // first name that is a number.
            o.remove("updated_at");
            o.insert("first_name".into(), json!(12345));
        }
        v
    }

    fn get(&self, i: u64) -> Value {
        match self.changed.get(&i) {
            Some((_, v)) => v.clone(),
            None => self.synthetic(i),
        }
    }

    fn change_time(&self, seq: u64) -> DateTime<Utc> {
        base_time() + Duration::seconds((self.count + seq) as i64)
    }

    fn total(&self) -> u64 {
        self.count
            .max(self.changed.keys().next_back().map_or(0, |k| k + 1))
    }

    /// One page: items and the next token. Tokens are `s:<index>` while
    /// walking unchanged signers in index order and `o:<seq>` while walking
    /// changed ones in change order.
    fn page(
        &self,
        token: Option<&str>,
        per_page: usize,
        since: Option<DateTime<Utc>>,
    ) -> (Vec<Value>, Option<String>) {
        let since_secs = since
            .map(|s| (s - base_time()).num_seconds())
            .unwrap_or(i64::MIN);
        let first_synthetic = u64::try_from(since_secs.max(0)).unwrap_or(0);
        let first_seq = self
            .change_order
            .keys()
            .copied()
            .find(|seq| since.is_none_or(|s| self.change_time(*seq) >= s))
            .unwrap_or(self.next_seq);
        let (mut synthetic_at, mut seq_at) = match token.and_then(|t| t.split_once(':')) {
            Some(("s", i)) => (i.parse().unwrap_or(self.count), first_seq),
            Some(("o", s)) => (self.count, s.parse().unwrap_or(self.next_seq)),
            _ => (first_synthetic, first_seq),
        };
        let mut items = Vec::new();
        while synthetic_at < self.count && items.len() < per_page {
            if !self.changed.contains_key(&synthetic_at) {
                items.push(self.synthetic(synthetic_at));
            }
            synthetic_at += 1;
        }
        let mut changes = self.change_order.range(seq_at..);
        while items.len() < per_page {
            match changes.next() {
                Some((seq, i)) => {
                    items.push(self.get(*i));
                    seq_at = seq + 1;
                }
                None => {
                    seq_at = self.next_seq;
                    break;
                }
            }
        }
        let more_synthetic = (synthetic_at..self.count).any(|i| !self.changed.contains_key(&i));
        let next = if more_synthetic {
            Some(format!("s:{synthetic_at}"))
        } else if self.change_order.range(seq_at..).next().is_some() {
            Some(format!("o:{seq_at}"))
        } else {
            None
        };
        (items, next)
    }

    fn touch(&mut self, i: u64, mut v: Value) {
        if let Some((old_seq, _)) = self.changed.remove(&i) {
            self.change_order.remove(&old_seq);
        }
        let seq = self.next_seq;
        self.next_seq += 1;
        if let Some(o) = v.as_object_mut() {
            o.insert(
                "updated_at".into(),
                json!(self.change_time(seq).to_rfc3339()),
            );
        }
        self.changed.insert(i, (seq, v));
        self.change_order.insert(seq, i);
    }
}

/// A running petitions simulator.
pub struct PetitionsSim {
    sim: Sim,
    state: Arc<Mutex<State>>,
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state.lock().unwrap_or_else(|p| p.into_inner())
}

impl PetitionsSim {
    /// Starts a simulator serving `count` signers of a 500-human population
    /// seeded with `seed`.
    pub async fn start(count: u64, seed: u64) -> PetitionsSim {
        PetitionsSim::start_with(count, Population::generate(seed, 500)).await
    }

    /// Starts a simulator serving `count` signers of `population`.
    pub async fn start_with(count: u64, population: Population) -> PetitionsSim {
        let sim = Sim::start().await;
        let state = Arc::new(Mutex::new(State {
            count,
            population,
            changed: BTreeMap::new(),
            change_order: BTreeMap::new(),
            next_seq: 0,
            malformed: BTreeSet::new(),
        }));
        sim.control().set_auth(AuthRule {
            check: Box::new(|req| req.header_str("x-petitions-key").as_deref() == Some(SIM_KEY)),
            reject: Box::new(|req| {
                // Like some real vendors, echo the presented key back.
                let presented = req.header_str("x-petitions-key").unwrap_or_default();
                Reply::json(401, &json!({"message": format!("invalid API key: {presented}"), "code": "UNAUTHORIZED"}))
            }),
        });
        sim.route(Route::get(r"^/api/v1/ping$"), |_| {
            Reply::json(200, &json!({"ok": true}))
        })
        .await;

        let s = state.clone();
        sim.route(Route::get(r"^/api/v1/signers$"), move |req| {
            let per_page = match req.query("per_page").map(|p| p.parse::<usize>()) {
                None => 100,
                Some(Ok(n)) if (1..=1000).contains(&n) => n,
                Some(_) => {
                    return Reply::json(400, &json!({"message": "per_page must be 1..1000", "code": "INVALID", "fields": ["per_page"]}));
                }
            };
            let since = match req.query("updated_since") {
                None => None,
                Some(t) => match DateTime::parse_from_rfc3339(&t) {
                    Ok(t) => Some(t.with_timezone(&Utc)),
                    Err(_) => {
                        return Reply::json(400, &json!({"message": "updated_since must be RFC 3339", "code": "INVALID", "fields": ["updated_since"]}));
                    }
                },
            };
            let (items, next) = lock(&s).page(req.query("page_token").as_deref(), per_page, since);
            Reply::json(200, &json!({"signers": items, "next_page_token": next}))
        })
        .await;

        let s = state.clone();
        sim.route(Route::post(r"^/api/v1/signers$"), move |req| {
            let body = req.json_body();
            let Some(email) = body.get("email").and_then(Value::as_str).map(|e| e.trim().to_lowercase()) else {
                return Reply::json(422, &json!({"message": "email is required", "code": "INVALID", "fields": ["email"]}));
            };
            let mut st = lock(&s);
            let total = st.total();
            let existing = (0..total).find(|i| {
                st.get(*i)
                    .get("email")
                    .and_then(Value::as_str)
                    .is_some_and(|e| e.trim().to_lowercase() == email)
            });
            let (index, status) = match existing {
                Some(i) => (i, 200),
                None => (total, 201),
            };
            let mut record = if status == 200 { st.get(index) } else { json!({"id": format!("s_{index:07}")}) };
            if let Some(o) = record.as_object_mut() {
                for key in ["first_name", "last_name", "email", "phone", "zip"] {
                    if let Some(v) = body.get(key) {
                        o.insert(key.into(), v.clone());
                    }
                }
            }
            st.touch(index, record);
            Reply::json(status, &json!({"id": format!("s_{index:07}")}))
        })
        .await;

        PetitionsSim { sim, state }
    }

    /// The base URL to configure a client with.
    pub fn base_url(&self) -> url::Url {
        self.sim.url("/api/v1/")
    }

    /// The simulator's switches and counters.
    pub fn control(&self) -> &SimControl {
        self.sim.control()
    }

    /// Enforces the API's published limit: 4 requests per second.
    pub fn enforce_rate_limit(&self) {
        self.control()
            .set_rate_limit(Some(Self::published_rate_limit()));
    }

    /// The API's published limit as the simulator enforces it.
    pub fn published_rate_limit() -> SimRateLimit {
        SimRateLimit::per_second(crate::client::RATE_LIMIT)
    }

    /// Ids of every signer the API serves.
    pub fn signer_ids(&self) -> BTreeSet<String> {
        let st = lock(&self.state);
        (0..st.total())
            .filter(|i| !st.malformed.contains(i))
            .map(|i| format!("s_{i:07}"))
            .collect()
    }

    /// Ids of every signature (`petition/signer`).
    pub fn signature_ids(&self) -> BTreeSet<String> {
        let st = lock(&self.state);
        (0..st.total())
            .filter(|i| !st.malformed.contains(i))
            .filter_map(|i| {
                let v = st.get(i);
                let petition = v.get("petition")?.get("id")?.as_str()?.to_string();
                Some(format!("{petition}/s_{i:07}"))
            })
            .collect()
    }

    /// Changes `n` signers (evenly spread), as staff editing records would:
    /// they move to the end of the change order with a new `updated_at`.
    pub fn touch(&self, n: u64) {
        let mut st = lock(&self.state);
        let total = st.total();
        let step = (total / n.max(1)).max(1);
        for i in (0..total).step_by(step as usize).take(n as usize) {
            let mut v = st.get(i);
            if let Some(o) = v.as_object_mut() {
                o.insert("source_code".into(), json!("edited"));
            }
            st.touch(i, v);
        }
    }

    /// Makes signer `i` undecodable (no `updated_at`, a numeric first name).
    pub fn make_malformed(&self, i: u64) {
        lock(&self.state).malformed.insert(i);
    }
}
