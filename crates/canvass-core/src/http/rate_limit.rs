//! Client-side rate limiting, so a sync runs at a vendor's published limit
//! without provoking 429s.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use serde::{Deserialize, Serialize};

/// A vendor's request-rate limit, in requests per second.
///
/// Requests are spaced evenly (a burst of one), which keeps every one-second
/// window at or under the limit whatever the vendor's accounting.
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

fn limiter(per_second: f64) -> Option<Arc<DefaultDirectRateLimiter>> {
    if !per_second.is_finite() || per_second <= 0.0 {
        return None;
    }
    let period = Duration::from_secs_f64(1.0 / per_second);
    let quota = Quota::with_period(period)?.allow_burst(NonZeroU32::MIN);
    Some(Arc::new(RateLimiter::direct(quota)))
}

/// The limiters of one client: reads, and writes when they are limited apart.
#[derive(Clone, Default)]
pub(crate) struct Limiters {
    reads: Option<Arc<DefaultDirectRateLimiter>>,
    writes: Option<Arc<DefaultDirectRateLimiter>>,
}

impl Limiters {
    pub(crate) fn new(limit: RateLimit) -> Limiters {
        let reads = limiter(limit.per_second);
        let writes = match limit.writes_per_second {
            Some(w) => limiter(w),
            None => reads.clone(),
        };
        Limiters { reads, writes }
    }

    /// Waits until a request of this kind may go.
    pub(crate) async fn until_ready(&self, write: bool) {
        let l = if write { &self.writes } else { &self.reads };
        if let Some(l) = l {
            l.until_ready().await;
        }
    }
}
