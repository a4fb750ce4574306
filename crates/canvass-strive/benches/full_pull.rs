//! Full pull of 50,000 messages (outgoing and incoming tables) from the
//! Strive simulator at the configured rate limit (10 requests/s: Strive
//! publishes none), which the simulator enforces counted over any trailing
//! one-second window (with network jitter on each request), 1000 rows a
//! page: how close the connector runs to the limit, and whether it provokes
//! any 429. Set `CANVASS_STRIVE_RATE` to try another limit.
//!
//! Run: `cargo bench -p canvass-strive --features simulator --bench full_pull`

use std::time::Instant;

use canvass_core::EntityKind;
use canvass_strive::simulator::StriveSim;
use canvass_testkit::SimRateLimit;
use canvass_testkit::bench::{FullPull, full_pull_at_limit, run_bench};

const MESSAGES: usize = 50_000;
const PEOPLE: usize = 5_000;

fn main() {
    run_bench(async {
        let setup = Instant::now();
        let sim = StriveSim::seeded(42, PEOPLE, MESSAGES).await;
        println!(
            "strive simulator: {PEOPLE} members, {MESSAGES} messages seeded in {:.2}s",
            setup.elapsed().as_secs_f64()
        );
        let limit = match std::env::var("CANVASS_STRIVE_RATE").map(|r| r.parse::<f64>()) {
            Ok(Ok(rate)) if rate > 0.0 => SimRateLimit::per_second(rate),
            _ => StriveSim::vendor_rate_limit(),
        };
        let spec = FullPull {
            vendor: "strive",
            kind: EntityKind::Messages,
            records: MESSAGES,
            limit,
            runs: 3,
        };
        full_pull_at_limit(sim.control(), &spec, |limit| {
            sim.connector(None, limit, 1000)
        })
        .await
    });
}
