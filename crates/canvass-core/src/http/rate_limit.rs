//! Client-side rate limiting, so a sync runs at a vendor's published limit
//! without provoking 429s.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use serde::{Deserialize, Serialize};

/// A vendor's request-rate limit, in requests per second.
///
/// Requests are spaced evenly (a burst of one), and a request starts only
/// while fewer than the limit (rounded down) are in flight or finished in
/// the last second: so no one-second window at the vendor, trailing or
/// fixed, holds more than the limit, whatever the network's jitter. Retries
/// and OAuth token requests count like any request. A client runs at the
/// limit less one request's latency per second (about 98% at 20 ms).
///
/// ```
/// use canvass_core::http::RateLimit;
/// let an = RateLimit::per_second(4.0);          // Action Network: 4/s for everything
/// let mobilize = RateLimit::split(15.0, 5.0);   // Mobilize: 15 reads/s, 5 writes/s
/// assert_eq!(mobilize.writes_per_second, Some(5.0));
/// # let _ = an;
/// ```
///
/// In configuration (every connector's `rate_limit` key) a limit is either
/// a number of requests per second or a table with a separate write limit;
/// each must be a positive number:
///
/// ```
/// use canvass_core::http::RateLimit;
/// #[derive(serde::Deserialize)]
/// struct Source { rate_limit: RateLimit }
/// let one: Source = toml::from_str("rate_limit = 4").unwrap();
/// assert_eq!(one.rate_limit, RateLimit::per_second(4.0));
/// let two: Source = toml::from_str("rate_limit = { per_second = 15, writes_per_second = 5 }").unwrap();
/// assert_eq!(two.rate_limit, RateLimit::split(15.0, 5.0));
/// assert!(toml::from_str::<Source>("rate_limit = 0").is_err());
/// assert!(toml::from_str::<Source>("rate_limit = \"fast\"").is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RateLimitSetting")]
pub struct RateLimit {
    /// Requests per second for reads (and for writes, when `writes_per_second` is `None`).
    pub per_second: f64,
    /// A separate, usually lower, limit for writes (POST/PUT/PATCH/DELETE).
    pub writes_per_second: Option<f64>,
}

/// How a rate limit is written in configuration.
#[derive(Deserialize)]
#[serde(
    untagged,
    expecting = "a number of requests per second, or a table `{ per_second = .., writes_per_second = .. }`"
)]
enum RateLimitSetting {
    PerSecond(f64),
    Table {
        per_second: f64,
        #[serde(default)]
        writes_per_second: Option<f64>,
    },
}

impl TryFrom<RateLimitSetting> for RateLimit {
    type Error = String;

    fn try_from(setting: RateLimitSetting) -> Result<RateLimit, String> {
        let limit = match setting {
            RateLimitSetting::PerSecond(n) => RateLimit::per_second(n),
            RateLimitSetting::Table {
                per_second,
                writes_per_second,
            } => RateLimit {
                per_second,
                writes_per_second,
            },
        };
        for n in std::iter::once(limit.per_second).chain(limit.writes_per_second) {
            if n.is_nan() || n <= 0.0 {
                return Err(format!(
                    "a rate limit must be a positive number of requests per second, not {n}"
                ));
            }
        }
        Ok(limit)
    }
}

impl RateLimit {
    /// One limit shared by reads and writes.
    pub fn per_second(per_second: f64) -> RateLimit {
        RateLimit {
            per_second,
            writes_per_second: None,
        }
    }

    /// Separate limits for reads and writes.
    pub fn split(reads: f64, writes: f64) -> RateLimit {
        RateLimit {
            per_second: reads,
            writes_per_second: Some(writes),
        }
    }

    /// No client-side limit (for tests against an unlimited simulator).
    pub fn unlimited() -> RateLimit {
        RateLimit::per_second(f64::INFINITY)
    }
}

/// Added to the one-second window the client keeps, so a timer that fires
/// on the window's edge cannot put a request on the server's edge.
pub const WINDOW_MARGIN: Duration = Duration::from_millis(5);

fn limiter(per_second: f64) -> Option<Arc<DefaultDirectRateLimiter>> {
    if !per_second.is_finite() || per_second <= 0.0 {
        return None;
    }
    let period = Duration::from_secs_f64(1.0 / per_second);
    let quota = Quota::with_period(period)?.allow_burst(NonZeroU32::MIN);
    Some(Arc::new(RateLimiter::direct(quota)))
}

/// A sliding one-second window over *finished* requests, bounding the
/// requests in flight with it.
///
/// Even spacing alone (the governor quota) keeps the client's send times
/// under the limit, but a vendor counts *arrival* times: a request held up on
/// its way (network jitter, a new connection, a retry's reconnect) lands
/// closer to the ones after it, and a server counting any trailing second
/// sees one too many. So a request may start only while fewer than `capacity`
/// requests are in flight or finished within the last second (plus
/// [`WINDOW_MARGIN`]). A request reaches the vendor before its answer
/// reaches us, so every arrival the vendor counted lies before the finish
/// time counted here: whatever the jitter, no trailing second at the vendor
/// holds more than `capacity` requests of this client. Retries and token
/// requests take a slot like any other request. The cost is one request's
/// latency per window, e.g. 2% at 20 ms.
struct Window {
    capacity: usize,
    span: Duration,
    state: std::sync::Mutex<WindowState>,
    changed: tokio::sync::Notify,
}

#[derive(Default)]
struct WindowState {
    in_flight: usize,
    finished: std::collections::VecDeque<tokio::time::Instant>,
}

impl Window {
    fn new(per_second: f64) -> Option<Arc<Window>> {
        if !per_second.is_finite() || per_second <= 0.0 {
            return None;
        }
        // At 2.5/s a server counting whole seconds allows 2 in each; below
        // 1/s, one in every `1 / rate` seconds.
        let capacity = if per_second >= 1.0 {
            per_second.floor() as usize
        } else {
            1
        };
        let span = Duration::from_secs_f64((capacity as f64 / per_second).max(1.0)) + WINDOW_MARGIN;
        Some(Arc::new(Window {
            capacity,
            span,
            state: std::sync::Mutex::new(WindowState::default()),
            changed: tokio::sync::Notify::new(),
        }))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, WindowState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Waits for a free place in the window and takes it.
    async fn acquire(self: &Arc<Window>) -> Slot {
        loop {
            let notified = self.changed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let wait = {
                let mut s = self.lock();
                let now = tokio::time::Instant::now();
                while s
                    .finished
                    .front()
                    .is_some_and(|t| now.duration_since(*t) >= self.span)
                {
                    s.finished.pop_front();
                }
                if s.in_flight + s.finished.len() < self.capacity {
                    s.in_flight += 1;
                    return Slot {
                        window: Some(self.clone()),
                    };
                }
                // Full: the oldest finished request leaves the window at a
                // known time; a request in flight frees nothing until it ends.
                s.finished
                    .front()
                    .map(|t| (*t + self.span).saturating_duration_since(now))
            };
            match wait {
                Some(wait) => {
                    tokio::select! {
                        _ = tokio::time::sleep(wait) => {}
                        _ = notified => {}
                    }
                }
                None => notified.await,
            }
        }
    }

    fn finish(&self) {
        {
            let mut s = self.lock();
            s.in_flight = s.in_flight.saturating_sub(1);
            s.finished.push_back(tokio::time::Instant::now());
        }
        self.changed.notify_waiters();
    }
}

/// A place in a client's rate-limit window, held while one request is in
/// flight; dropping it (when the answer's headers arrive, or the attempt
/// fails or is cancelled) counts the request as finished now.
#[must_use = "the slot counts the request as finished when dropped"]
pub(crate) struct Slot {
    window: Option<Arc<Window>>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        if let Some(w) = self.window.take() {
            w.finish();
        }
    }
}

/// One request class's limits: even spacing and the sliding window.
#[derive(Clone, Default)]
struct ClassLimit {
    spacing: Option<Arc<DefaultDirectRateLimiter>>,
    window: Option<Arc<Window>>,
}

impl ClassLimit {
    fn new(per_second: f64) -> ClassLimit {
        ClassLimit {
            spacing: limiter(per_second),
            window: Window::new(per_second),
        }
    }
}

/// The limiters of one client: reads, and writes when they are limited apart.
#[derive(Clone, Default)]
pub(crate) struct Limiters {
    reads: ClassLimit,
    writes: ClassLimit,
}

impl Limiters {
    pub(crate) fn new(limit: RateLimit) -> Limiters {
        let reads = ClassLimit::new(limit.per_second);
        let writes = match limit.writes_per_second {
            Some(w) => ClassLimit::new(w),
            None => reads.clone(),
        };
        Limiters { reads, writes }
    }

    /// Waits until a request of this kind may go: first a place in the
    /// window (so waiters leave it one by one), then the even spacing. Hold
    /// the returned slot until the answer's headers arrive.
    pub(crate) async fn until_ready(&self, write: bool) -> Slot {
        let l = if write { &self.writes } else { &self.reads };
        let slot = match &l.window {
            Some(w) => w.acquire().await,
            None => Slot { window: None },
        };
        if let Some(spacing) = &l.spacing {
            spacing.until_ready().await;
        }
        slot
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn the_window_holds_back_the_request_past_the_limit_until_one_finished_a_second_ago() {
        let limiters = Limiters::new(RateLimit::per_second(4.0));
        let start = tokio::time::Instant::now();
        let mut slots = Vec::new();
        for _ in 0..4 {
            slots.push(limiters.until_ready(false).await);
        }
        // Four in flight: the fifth waits for one of them to finish, and
        // then for a second after that.
        let fifth = tokio::spawn({
            let limiters = limiters.clone();
            async move {
                let _slot = limiters.until_ready(false).await;
                tokio::time::Instant::now()
            }
        });
        tokio::time::sleep(Duration::from_secs(3)).await;
        assert!(
            !fifth.is_finished(),
            "a fifth request started with four in flight"
        );
        let finished_at = tokio::time::Instant::now();
        drop(slots.remove(0));
        let started = fifth.await.expect("the fifth request");
        assert!(
            started >= finished_at + Duration::from_secs(1),
            "{:?}",
            started - finished_at
        );
        assert!(started - start < Duration::from_secs(5));
    }

    #[tokio::test(start_paused = true)]
    async fn an_unlimited_client_never_waits() {
        let limiters = Limiters::new(RateLimit::unlimited());
        let start = tokio::time::Instant::now();
        for _ in 0..1000 {
            let _slot = limiters.until_ready(true).await;
        }
        assert_eq!(tokio::time::Instant::now(), start);
    }
}
