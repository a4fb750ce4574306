//! Retry policy: exponential backoff with jitter, honouring `Retry-After`.

use std::time::Duration;

use backon::ExponentialBuilder;
use serde::{Deserialize, Serialize};

/// How failed requests are retried.
///
/// Only errors for which [`Error::is_retryable`](crate::Error::is_retryable)
/// holds are retried, and a request that is not idempotent (a POST not marked
/// safe) is retried only after a 429, which means the vendor did not act on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub max_retries: usize,
    /// The first backoff delay.
    pub min_delay: Duration,
    /// The longest backoff delay.
    pub max_delay: Duration,
    /// The longest `Retry-After` honoured; a vendor asking for more ends the
    /// retries with the 429 so the caller can decide.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 6,
            min_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(20),
            max_retry_after: Duration::from_secs(120),
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> RetryPolicy {
        RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        }
    }

    /// Short delays, for tests against local simulators.
    pub fn fast() -> RetryPolicy {
        RetryPolicy {
            max_retries: 6,
            min_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(100),
            max_retry_after: Duration::from_secs(5),
        }
    }

    pub(crate) fn backoff(&self) -> ExponentialBuilder {
        ExponentialBuilder::default()
            .with_min_delay(self.min_delay)
            .with_max_delay(self.max_delay)
            .with_max_times(self.max_retries)
            .with_jitter()
    }
}
