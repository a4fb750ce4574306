//! Switchable faults: latency, 5xx bursts, truncated JSON bodies and
//! connections dropped mid-body.

use std::time::Duration;

use crate::reply::Reply;

/// Which faults a simulator injects. Faults are deterministic: every `n`th
/// new request (a retry is not new) gets the fault, and only its first
/// attempt (its first `error_burst` attempts, for server errors), so a test
/// that fails fails the same way again and a retrying client always gets
/// through.
///
/// ```
/// use canvass_testkit::Faults;
/// let f = Faults::chaos();
/// assert!(f.error_every.is_some() && f.truncate_every.is_some() && f.drop_every.is_some());
/// assert_eq!(Faults::none(), Faults::default());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Faults {
    /// Added to every answer.
    pub latency: Duration,
    /// Every `n`th request starts a burst of server errors.
    pub error_every: Option<u64>,
    /// How many requests in a row a burst fails (at least 1).
    pub error_burst: u32,
    /// The status of injected server errors (503 unless set).
    pub error_status: u16,
    /// Every `n`th request gets its JSON body cut in half (status 200).
    pub truncate_every: Option<u64>,
    /// Every `n`th request has its connection dropped mid-body.
    pub drop_every: Option<u64>,
}

impl Faults {
    /// No faults.
    pub fn none() -> Faults {
        Faults::default()
    }

    /// Only latency.
    pub fn latency(latency: Duration) -> Faults {
        Faults {
            latency,
            ..Faults::default()
        }
    }

    /// A bit of everything: bursts of two 503s every 7th request, a truncated
    /// body every 11th, a dropped connection every 13th, 1 ms latency.
    pub fn chaos() -> Faults {
        Faults {
            latency: Duration::from_millis(1),
            error_every: Some(7),
            error_burst: 2,
            error_status: 503,
            truncate_every: Some(11),
            drop_every: Some(13),
        }
    }

    /// Faults on every few new requests, so even a short read meets each
    /// kind: a 503 on the first two attempts of every 3rd new request, a
    /// dropped connection on every 4th, a truncated body on every 5th. Faults
    /// hit first attempts (and a burst's second), never a third, so a client
    /// that retries three times always gets through, whatever else is in
    /// flight. The conformance suite reads with these.
    pub fn frequent() -> Faults {
        Faults {
            latency: Duration::from_millis(1),
            error_every: Some(3),
            error_burst: 2,
            error_status: 503,
            truncate_every: Some(5),
            drop_every: Some(4),
        }
    }

    /// Whether any fault besides latency is switched on.
    pub(crate) fn injects_errors(&self) -> bool {
        self.error_every.is_some() || self.truncate_every.is_some() || self.drop_every.is_some()
    }

    /// The fault for the `n`th request (1-based), if any.
    pub(crate) fn pick(&self, n: u64) -> Option<Fault> {
        let hits = |every: Option<u64>| every.is_some_and(|e| e > 0 && n.is_multiple_of(e));
        if hits(self.error_every) {
            Some(Fault::ServerError(if self.error_status == 0 {
                503
            } else {
                self.error_status
            }))
        } else if hits(self.drop_every) {
            Some(Fault::Drop)
        } else if hits(self.truncate_every) {
            Some(Fault::Truncate)
        } else {
            None
        }
    }
}

/// One injected fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fault {
    ServerError(u16),
    Truncate,
    Drop,
}

impl Fault {
    /// Applies a body fault to the handler's reply.
    pub(crate) fn apply(self, mut reply: Reply) -> Reply {
        match self {
            Fault::ServerError(status) => Reply::text(status, "injected fault: server error"),
            Fault::Truncate => {
                let keep = reply.body.len() / 2;
                reply.body.truncate(keep);
                reply
            }
            Fault::Drop => {
                // The simulator's loopback proxy sees this header, forwards
                // the headers and a few body bytes, then closes the
                // connection: the client sees it dropped mid-body.
                reply
                    .headers
                    .push((crate::proxy::DROP_MARKER.into(), "1".into()));
                reply
            }
        }
    }
}
