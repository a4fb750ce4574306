//! Full pull of 50,000 messages from the Hustle simulator at Hustle's
//! published limit, 25 requests/s, which the simulator enforces counted over
//! any trailing one-second window (with network jitter on each request),
//! 1000 messages a page: how close the connector runs to the limit, and
//! whether it provokes any 429. (The message list is the simulator's, as an
//! account configured with `messages_path` has; Hustle's published file has
//! none.)
//!
//! Run: `cargo bench -p canvass-hustle --features simulator --bench full_pull`

use std::time::Instant;

use canvass_core::EntityKind;
use canvass_hustle::simulator::HustleSim;
use canvass_testkit::bench::{FullPull, full_pull_at_limit, run_bench};

const MESSAGES: usize = 50_000;
const PEOPLE: usize = 5_000;

fn main() {
    run_bench(async {
        let setup = Instant::now();
        let sim = HustleSim::seeded(42, PEOPLE, MESSAGES).await;
        println!(
            "hustle simulator: {PEOPLE} leads, {MESSAGES} messages seeded in {:.2}s",
            setup.elapsed().as_secs_f64()
        );
        let spec = FullPull {
            vendor: "hustle",
            kind: EntityKind::Messages,
            records: MESSAGES,
            limit: HustleSim::vendor_rate_limit(),
            runs: 3,
        };
        full_pull_at_limit(sim.control(), &spec, |limit| {
            sim.connector(None, limit, 1000)
        })
        .await
    });
}
