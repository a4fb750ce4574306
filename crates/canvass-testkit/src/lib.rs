//! # canvass-testkit
//!
//! Everything needed to test a canvass connector without the internet:
//!
//! - [`sim`]: vendor simulators on wiremock, on loopback, with auth checks,
//!   rate limits that answer 429, switchable [`Faults`] and request counters;
//! - [`generate`]: seeded, realistically messy people with ground truth;
//! - [`conformance`]: the suite every connector runs against its simulator;
//! - [`bench`](mod@bench): full-pull benchmarks at a vendor's rate limit.

pub mod bench;
pub mod conformance;
pub mod faults;
pub mod generate;
mod proxy;
pub mod reply;
pub mod sim;

pub use conformance::{ConformanceHarness, ConformanceReport, run_conformance};
pub use faults::Faults;
pub use reply::Reply;
pub use sim::{AuthRule, RequestExt, Route, Sim, SimControl, SimRateLimit, Stats};
