//! [`Sim`]: a vendor simulator on wiremock, on loopback, with the behaviour
//! every vendor shares built in: an auth check, a rate limit that answers 429,
//! switchable faults, request counters and a readable catch-all for requests
//! no route expects.
//!
//! A vendor simulator is a [`Sim`] plus routes whose handlers read and write
//! the simulator's own state:
//!
//! ```
//! # tokio_test_block_on(async {
//! use canvass_testkit::sim::{Sim, Route};
//! use canvass_testkit::Reply;
//!
//! let sim = Sim::start().await;
//! sim.route(Route::get(r"^/ping$"), |_req| Reply::text(200, "pong")).await;
//! let body = reqwest_get(&format!("{}/ping", sim.uri())).await;
//! assert_eq!(body, "pong");
//! assert_eq!(sim.control().stats().requests, 1);
//! # });
//! # fn tokio_test_block_on<F: std::future::Future>(f: F) -> F::Output {
//! #     tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f)
//! # }
//! # async fn reqwest_get(url: &str) -> String {
//! #     use tokio::io::{AsyncReadExt, AsyncWriteExt};
//! #     let u = url::Url::parse(url).unwrap();
//! #     let mut s = tokio::net::TcpStream::connect((u.host_str().unwrap(), u.port().unwrap())).await.unwrap();
//! #     s.write_all(format!("GET {} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", u.path()).as_bytes()).await.unwrap();
//! #     let mut out = String::new(); s.read_to_string(&mut out).await.unwrap();
//! #     out.rsplit("\r\n\r\n").next().unwrap().to_string()
//! # }
//! ```

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use wiremock::matchers::{method, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::faults::{Fault, Faults};
use crate::reply::Reply;

/// Which requests a route answers.
#[derive(Debug, Clone)]
pub struct Route {
    method: &'static str,
    path: String,
    public: bool,
}

impl Route {
    /// A route for `method` on paths matching the regex `path`.
    pub fn new(method: &'static str, path: &str) -> Route {
        Route {
            method,
            path: path.to_string(),
            public: false,
        }
    }

    /// A GET route.
    pub fn get(path: &str) -> Route {
        Route::new("GET", path)
    }

    /// A POST route.
    pub fn post(path: &str) -> Route {
        Route::new("POST", path)
    }

    /// A PUT route.
    pub fn put(path: &str) -> Route {
        Route::new("PUT", path)
    }

    /// A PATCH route.
    pub fn patch(path: &str) -> Route {
        Route::new("PATCH", path)
    }

    /// A DELETE route.
    pub fn delete(path: &str) -> Route {
        Route::new("DELETE", path)
    }

    /// Answers without credentials (the auth check is skipped; the handler
    /// can still look at the request to tell the two cases apart).
    pub fn public(mut self) -> Route {
        self.public = true;
        self
    }
}

/// Decides whether a request carries valid credentials, and what the vendor
/// answers when it does not.
pub struct AuthRule {
    /// True when the request is authenticated.
    pub check: Box<dyn Fn(&Request) -> bool + Send + Sync>,
    /// The vendor's answer to a bad or missing credential.
    pub reject: Box<dyn Fn(&Request) -> Reply + Send + Sync>,
}

/// A vendor's rate limit as the simulator enforces it: a token bucket per
/// request class, answering 429 when empty; and, when
/// [`sliding_window`](SimRateLimit::sliding_window) is set, also a count of
/// the requests admitted in any trailing one-second window, answering 429
/// when one more would exceed the limit.
///
/// The sliding window is how a vendor that "allows 4 requests per second"
/// may well count: a client spacing requests at exactly 1/4 s, whose
/// requests arrive a few milliseconds late or early (network jitter, a new
/// connection, a retry), puts a fifth request inside some one-second window
/// and is refused. A token bucket forgives that; the window does not.
///
/// ```
/// use canvass_testkit::SimRateLimit;
/// let strict = SimRateLimit::per_second(4.0).with_sliding_window();
/// assert!(strict.sliding_window);
/// assert_eq!(strict.reads_per_second, 4.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SimRateLimit {
    /// Reads (GET) per second.
    pub reads_per_second: f64,
    /// Writes per second; `None` shares the read bucket.
    pub writes_per_second: Option<f64>,
    /// Bucket size (requests allowed at once after idling).
    pub burst: f64,
    /// `Retry-After` seconds sent with each 429, if any.
    pub retry_after: Option<u64>,
    /// Also refuse a request when the requests admitted in the trailing
    /// second (of its class) already number the limit, rounded down (at
    /// least 1; below 1 request/s the window is `1 / rate` seconds long).
    pub sliding_window: bool,
}

impl SimRateLimit {
    /// `n` requests per second shared by reads and writes, a burst of `n`,
    /// no `Retry-After`.
    pub fn per_second(n: f64) -> SimRateLimit {
        SimRateLimit {
            reads_per_second: n,
            writes_per_second: None,
            burst: n.max(1.0),
            retry_after: None,
            sliding_window: false,
        }
    }

    /// The same limit, also counted over any trailing one-second window.
    pub fn with_sliding_window(mut self) -> SimRateLimit {
        self.sliding_window = true;
        self
    }
}

/// The requests admitted in the trailing window of one request class.
#[derive(Debug)]
struct Window {
    capacity: usize,
    span: Duration,
    admitted: std::collections::VecDeque<Instant>,
}

impl Window {
    fn new(rate: f64) -> Window {
        let capacity = if rate.is_finite() && rate >= 1.0 {
            rate.floor() as usize
        } else {
            1
        };
        let span = if rate.is_finite() && rate > 0.0 && rate < 1.0 {
            Duration::from_secs_f64(1.0 / rate)
        } else {
            Duration::from_secs(1)
        };
        Window {
            capacity,
            span,
            admitted: std::collections::VecDeque::with_capacity(capacity + 1),
        }
    }

    /// Whether a request arriving `now` fits; a refused one is not counted.
    fn admits(&self, now: Instant) -> bool {
        let inside = self
            .admitted
            .iter()
            .filter(|t| now.duration_since(**t) < self.span)
            .count();
        inside < self.capacity
    }

    fn admit(&mut self, now: Instant) {
        while self
            .admitted
            .front()
            .is_some_and(|t| now.duration_since(*t) >= self.span)
        {
            self.admitted.pop_front();
        }
        self.admitted.push_back(now);
    }
}

#[derive(Debug)]
struct Bucket {
    rate: f64,
    capacity: f64,
    tokens: f64,
    at: Instant,
}

impl Bucket {
    fn new(rate: f64, capacity: f64) -> Bucket {
        Bucket {
            rate,
            capacity,
            tokens: capacity,
            at: Instant::now(),
        }
    }

    fn take(&mut self) -> bool {
        let now = Instant::now();
        let elapsed = now.duration_since(self.at).as_secs_f64();
        self.at = now;
        self.tokens = (self.tokens + elapsed * self.rate).min(self.capacity);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// Counters of what the simulator answered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// Requests received (including rejected ones).
    pub requests: u64,
    /// Requests answered 429 by the rate limit.
    pub throttled: u64,
    /// Requests refused by the auth check.
    pub unauthorized: u64,
    /// Requests hit by an injected fault.
    pub faulted: u64,
    /// Requests per `METHOD /path` (path without query).
    pub by_route: BTreeMap<String, u64>,
}

#[derive(Default)]
struct ControlState {
    stats: Stats,
    faults: Faults,
    fault_counter: u64,
    /// Attempts per distinct request, and the fault number of its first.
    attempts: std::collections::HashMap<u64, (u32, u64)>,
    limit: Option<SimRateLimit>,
    read_bucket: Option<Bucket>,
    write_bucket: Option<Bucket>,
    read_window: Option<Window>,
    write_window: Option<Window>,
    first_request: Option<Instant>,
    last_request: Option<Instant>,
}

/// The switches and counters shared by every route of a [`Sim`].
#[derive(Default)]
pub struct SimControl {
    state: Mutex<ControlState>,
    auth: Mutex<Option<Arc<AuthRule>>>,
    /// Largest delay (µs) the loopback proxy adds to each request on its
    /// way in, shared with the proxy.
    jitter_micros: Arc<std::sync::atomic::AtomicU64>,
}

impl SimControl {
    fn lock(&self) -> MutexGuard<'_, ControlState> {
        // A handler that panicked poisons nothing we cannot keep using.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Sets the auth rule (none means every request is accepted).
    pub fn set_auth(&self, rule: AuthRule) {
        *self.auth.lock().unwrap_or_else(|p| p.into_inner()) = Some(Arc::new(rule));
    }

    /// Switches faults on (or off with [`Faults::none`]).
    pub fn set_faults(&self, faults: Faults) {
        let mut s = self.lock();
        s.faults = faults;
        s.fault_counter = 0;
        s.attempts.clear();
    }

    /// The faults in force.
    pub fn faults(&self) -> Faults {
        self.lock().faults.clone()
    }

    /// Enforces a rate limit (or none).
    pub fn set_rate_limit(&self, limit: Option<SimRateLimit>) {
        let mut s = self.lock();
        s.limit = limit;
        s.read_bucket = limit.map(|l| Bucket::new(l.reads_per_second, l.burst));
        s.write_bucket = limit.and_then(|l| {
            l.writes_per_second
                .map(|w| Bucket::new(w, l.burst.min(w.max(1.0))))
        });
        let sliding = limit.filter(|l| l.sliding_window);
        s.read_window = sliding.map(|l| Window::new(l.reads_per_second));
        s.write_window = sliding.and_then(|l| l.writes_per_second.map(Window::new));
    }

    /// Delays each request on its way into the simulator by a random time
    /// from zero to `max` (network jitter), so requests a client sent evenly
    /// spaced arrive unevenly; [`Duration::ZERO`] switches it off. The
    /// simulator's clock (its rate limit, [`SimControl::active_span`]) sees
    /// the arrival times.
    pub fn set_request_jitter(&self, max: Duration) {
        let micros = u64::try_from(max.as_micros()).unwrap_or(u64::MAX);
        self.jitter_micros
            .store(micros, std::sync::atomic::Ordering::Relaxed);
    }

    /// A snapshot of the counters.
    pub fn stats(&self) -> Stats {
        self.lock().stats.clone()
    }

    /// Time from the first to the last request since the last reset.
    pub fn active_span(&self) -> Duration {
        let s = self.lock();
        match (s.first_request, s.last_request) {
            (Some(a), Some(b)) => b.duration_since(a),
            _ => Duration::ZERO,
        }
    }

    /// Resets the counters (not the faults, limits or data).
    pub fn reset_stats(&self) {
        let mut s = self.lock();
        s.stats = Stats::default();
        s.first_request = None;
        s.last_request = None;
    }

    /// Decides what happens to a request before its handler runs: `Some` is
    /// the answer (a 401, a 429, an injected fault), `None` lets it through.
    fn gate(&self, req: &Request, public: bool) -> Gate {
        let key = format!("{} {}", req.method, req.url.path());
        let is_write = req.method.as_str() != "GET";
        let mut s = self.lock();
        let now = Instant::now();
        s.first_request.get_or_insert(now);
        s.last_request = Some(now);
        s.stats.requests += 1;
        *s.stats.by_route.entry(key).or_default() += 1;
        let latency = s.faults.latency;

        // The rate limit counts every request, as vendors do.
        let limit = s.limit;
        if let Some(limit) = limit {
            let writes_apart = is_write && s.write_bucket.is_some();
            let window = if writes_apart {
                s.write_window.as_mut()
            } else {
                s.read_window.as_mut()
            };
            let in_window = window.as_ref().is_none_or(|w| w.admits(now));
            let allowed = in_window
                && match (writes_apart, s.write_bucket.as_mut()) {
                    (true, Some(b)) => b.take(),
                    _ => s.read_bucket.as_mut().is_none_or(Bucket::take),
                };
            if allowed {
                let window = if writes_apart {
                    s.write_window.as_mut()
                } else {
                    s.read_window.as_mut()
                };
                if let Some(w) = window {
                    w.admit(now);
                }
            }
            if !allowed {
                s.stats.throttled += 1;
                let mut t = Reply::json(429, &serde_json::json!({"error": "Too many requests"}));
                if let Some(secs) = limit.retry_after {
                    t = t.header("retry-after", &secs.to_string());
                }
                return Gate::Answer(t.into_template().set_delay(latency));
            }
        }

        drop(s);
        if !public {
            let rule = self.auth.lock().unwrap_or_else(|p| p.into_inner()).clone();
            if let Some(rule) = rule
                && !(rule.check)(req)
            {
                self.lock().stats.unauthorized += 1;
                return Gate::Answer((rule.reject)(req).into_template().set_delay(latency));
            }
        }

        let mut s = self.lock();
        let fault = if s.faults.injects_errors() {
            // Faults are decided per distinct request (method, URL, body),
            // so a retry is recognised whatever else is in flight: every
            // `n`th new request gets a fault, a server-error burst fails its
            // first `error_burst` attempts, and a retry after that succeeds.
            let key = request_key(req);
            let attempt = {
                let a = s.attempts.entry(key).or_insert((0, 0));
                a.0 += 1;
                a.0
            };
            if attempt == 1 {
                s.fault_counter += 1;
                let n = s.fault_counter;
                let picked = s.faults.pick(n);
                if let Some(a) = s.attempts.get_mut(&key) {
                    a.1 = n;
                }
                picked
            } else {
                let n = s.attempts.get(&key).map_or(0, |a| a.1);
                match s.faults.pick(n) {
                    Some(Fault::ServerError(status)) if attempt <= s.faults.error_burst.max(1) => {
                        Some(Fault::ServerError(status))
                    }
                    _ => None,
                }
            }
        } else {
            None
        };
        if fault.is_some() {
            s.stats.faulted += 1;
        }
        Gate::Pass { latency, fault }
    }
}

/// Identifies a request for fault bookkeeping: method, URL and body.
fn request_key(req: &Request) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    req.method.as_str().hash(&mut h);
    req.url.as_str().hash(&mut h);
    req.body.hash(&mut h);
    h.finish()
}

enum Gate {
    Answer(ResponseTemplate),
    Pass {
        latency: Duration,
        fault: Option<Fault>,
    },
}

struct Guarded<H> {
    control: Arc<SimControl>,
    public: bool,
    handler: H,
}

impl<H> Respond for Guarded<H>
where
    H: Fn(&Request) -> Reply + Send + Sync + 'static,
{
    fn respond(&self, req: &Request) -> ResponseTemplate {
        match self.control.gate(req, self.public) {
            Gate::Answer(t) => t,
            Gate::Pass { latency, fault } => match fault {
                Some(Fault::ServerError(status)) => {
                    Reply::text(status, "injected fault: server error")
                        .into_template()
                        .set_delay(latency)
                }
                Some(f) => f
                    .apply((self.handler)(req))
                    .into_template()
                    .set_delay(latency),
                None => (self.handler)(req).into_template().set_delay(latency),
            },
        }
    }
}

/// A running simulator: a wiremock server on loopback plus its [`SimControl`].
pub struct Sim {
    /// Always `Some` until dropped (see `Drop for Sim`).
    server: Option<MockServer>,
    proxy: crate::proxy::Proxy,
    control: Arc<SimControl>,
}

impl Sim {
    /// Starts an empty simulator on a free loopback port. Requests no route
    /// matches get a 404 naming the method and path.
    ///
    /// # Panics
    /// When no loopback port can be bound (the machine is out of ports).
    pub async fn start() -> Sim {
        // Recording every request would grow memory with the request count;
        // the simulator keeps its own counters instead.
        let server = MockServer::builder()
            .disable_request_recording()
            .start()
            .await;
        Mock::given(wiremock::matchers::any())
            .respond_with(|req: &Request| {
                ResponseTemplate::new(404).set_body_string(format!(
                    "simulator: unexpected request: {} {}",
                    req.method,
                    req.url.path()
                ))
            })
            .with_priority(u8::MAX)
            .mount(&server)
            .await;
        // Clients talk to a loopback proxy in front of wiremock, which can
        // drop a connection mid-body when a fault asks it to.
        let control = Arc::new(SimControl::default());
        #[allow(clippy::expect_used)]
        let proxy = crate::proxy::Proxy::start(*server.address(), control.jitter_micros.clone())
            .await
            .expect("bind a loopback port for the simulator proxy");
        Sim {
            server: Some(server),
            proxy,
            control,
        }
    }

    /// The base URL, e.g. `http://127.0.0.1:41234`.
    pub fn uri(&self) -> String {
        format!("http://{}", self.proxy.addr)
    }

    /// The base URL joined with `path` (`"/v4/"`), as a [`url::Url`].
    ///
    /// # Panics
    /// If `path` does not make a valid URL (a bug in the calling simulator).
    pub fn url(&self, path: &str) -> url::Url {
        #[allow(clippy::expect_used)]
        url::Url::parse(&format!("{}{}", self.uri(), path)).expect("simulator URL")
    }

    /// The shared switches and counters.
    pub fn control(&self) -> &Arc<SimControl> {
        &self.control
    }

    /// Mounts a route. The handler runs only for requests that pass the auth
    /// check, the rate limit and the fault switches.
    pub async fn route<H>(&self, route: Route, handler: H)
    where
        H: Fn(&Request) -> Reply + Send + Sync + 'static,
    {
        Mock::given(method(route.method))
            .and(path_regex(route.path.as_str()))
            .respond_with(Guarded {
                control: self.control.clone(),
                public: route.public,
                handler,
            })
            .mount(self.server())
            .await;
    }

    fn server(&self) -> &MockServer {
        // Only `Drop` takes the server out.
        #[allow(clippy::expect_used)]
        self.server.as_ref().expect("the simulator's server")
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        // wiremock's `MockServer` drop blocks on an async lock with
        // `futures::executor::block_on`. Inside a tokio task whose cooperative
        // budget is spent, that lock never lets go and the drop spins forever.
        // On a thread of its own, with no runtime, the budget does not apply.
        if let Some(server) = self.server.take() {
            let _ = std::thread::Builder::new()
                .name("sim-drop".into())
                .spawn(move || drop(server));
        }
    }
}

/// Helpers for reading a wiremock request in a handler.
pub trait RequestExt {
    /// The first value of query parameter `name`.
    fn query(&self, name: &str) -> Option<String>;
    /// Every value of query parameter `name`, in order.
    fn query_all(&self, name: &str) -> Vec<String>;
    /// A header's value as text.
    fn header_str(&self, name: &str) -> Option<String>;
    /// The body as JSON (`Null` when empty or malformed).
    fn json_body(&self) -> serde_json::Value;
}

impl RequestExt for Request {
    fn query(&self, name: &str) -> Option<String> {
        self.url
            .query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }

    fn query_all(&self, name: &str) -> Vec<String> {
        self.url
            .query_pairs()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
            .collect()
    }

    fn header_str(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }

    fn json_body(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

/// A simulator's state, shared by its route handlers and by the methods
/// tests call on the simulator. A handler that panicked while holding it
/// does not poison it for the others.
///
/// ```
/// use canvass_testkit::generate::Population;
/// use canvass_testkit::sim::SharedState;
/// let state = SharedState::new(Vec::<String>::new());
/// let population = Population::generate(1, 3);
/// let ids = state.seed_humans(&population, 0..5, |rows, p, h| {
///     rows.push(p.humans[h].given_name.clone());
///     rows.len()
/// });
/// assert_eq!(ids, vec![1, 2, 3]); // humans 3 and 4 are not in the population
/// assert_eq!(state.lock().len(), 3);
/// ```
#[derive(Debug, Default)]
pub struct SharedState<S>(Arc<Mutex<S>>);

impl<S> Clone for SharedState<S> {
    fn clone(&self) -> Self {
        SharedState(self.0.clone())
    }
}

impl<S> SharedState<S> {
    /// Shares `state`.
    pub fn new(state: S) -> SharedState<S> {
        SharedState(Arc::new(Mutex::new(state)))
    }

    /// The state, locked.
    pub fn lock(&self) -> MutexGuard<'_, S> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Seeds each of `humans` that `population` has (others are passed
    /// over) with `seed`, under one lock; returns what each call gave, in
    /// order.
    pub fn seed_humans<T>(
        &self,
        population: &crate::generate::Population,
        humans: impl IntoIterator<Item = usize>,
        mut seed: impl FnMut(&mut S, &crate::generate::Population, usize) -> T,
    ) -> Vec<T> {
        let mut state = self.lock();
        humans
            .into_iter()
            .filter(|h| *h < population.humans.len())
            .map(|h| seed(&mut state, population, h))
            .collect()
    }
}
