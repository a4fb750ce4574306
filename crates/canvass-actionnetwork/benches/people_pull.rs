//! Benchmark for issue 3's Must-show figures:
//!
//! 1. a full pull of 10,000 people from the simulator enforcing Action
//!    Network's 4 requests/second (25 people a page, so the bound is 100
//!    people/s) must reach at least 95% of the bound with no 429;
//! 2. after 1% of the people change, an incremental pull from the full
//!    pull's last checkpoint must cost at most 2% of the full pull's requests.
//!
//! The simulator counts the limit the strict way: besides its token bucket,
//! no trailing one-second window may hold more than 4 requests, and each
//! request reaches it after up to 15 ms of random network jitter
//! (`canvass_testkit::conformance::REQUEST_JITTER`).
//!
//! Run: `cargo bench -p canvass-actionnetwork --features simulator --bench people_pull`
//! (about 100 s: the rate limit is the point). Exits non-zero when a bound is missed.

use std::collections::BTreeSet;
use std::time::Instant;

use canvass_actionnetwork::ActionNetworkConnector;
use canvass_actionnetwork::client::{MAX_PER_PAGE, RATE_LIMIT_PER_SECOND};
use canvass_actionnetwork::simulator::{ActionNetworkSim, SimConfig};
use canvass_core::{Checkpoint, Connector, EntityKind, Record};
use canvass_testkit::conformance::REQUEST_JITTER;
use futures::TryStreamExt;

const PEOPLE: usize = 10_000;
const CHANGED: usize = PEOPLE / 100;

struct Pull {
    ids: Vec<String>,
    last_checkpoint: Option<Checkpoint>,
    pages: usize,
    seconds: f64,
}

async fn pull(connector: &ActionNetworkConnector, since: Option<Checkpoint>) -> Pull {
    let started = Instant::now();
    let mut stream = connector.read(EntityKind::People, since);
    let mut out = Pull {
        ids: Vec::new(),
        last_checkpoint: None,
        pages: 0,
        seconds: 0.0,
    };
    while let Some(page) = stream.try_next().await.expect("read") {
        out.pages += 1;
        out.ids.extend(page.records.iter().filter_map(|r| match r {
            Record::Person(p) => Some(p.source.id.clone()),
            _ => None,
        }));
        if page.checkpoint.is_some() {
            out.last_checkpoint = page.checkpoint;
        }
    }
    out.seconds = started.elapsed().as_secs_f64();
    out
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let sim = ActionNetworkSim::start(SimConfig {
        seed: 11,
        people: PEOPLE,
        tags: 0,
        events: 0,
        fundraising_pages: 0,
        donation_every: 0,
        forms: 0,
        petitions: 0,
        lists: 0,
        messages: 0,
    })
    .await;
    let limit = ActionNetworkSim::vendor_rate_limit().with_sliding_window();
    sim.control().set_rate_limit(Some(limit));
    sim.control().set_request_jitter(REQUEST_JITTER);
    // The client's defaults: Action Network's 4 requests/second, 25 a page.
    let connector = ActionNetworkConnector::new(sim.client_builder().build().expect("client"));

    sim.control().reset_stats();
    let full = pull(&connector, None).await;
    let full_stats = sim.control().stats();
    // Requests against the limit, as the simulator saw them arrive: n
    // requests evenly spaced at the limit span (n - 1) / limit seconds.
    let span = sim.control().active_span().as_secs_f64();
    let request_share =
        (full_stats.requests.saturating_sub(1)) as f64 / span.max(1e-9) / limit.reads_per_second;
    let bound = RATE_LIMIT_PER_SECOND * f64::from(MAX_PER_PAGE);
    let rate = full.ids.len() as f64 / full.seconds;
    let share = rate / bound;
    let unique: BTreeSet<&String> = full.ids.iter().collect();

    let changed: BTreeSet<String> = sim.touch_people(CHANGED).into_iter().collect();
    sim.control().reset_stats();
    let incremental = pull(&connector, full.last_checkpoint.clone()).await;
    let inc_stats = sim.control().stats();
    let got: BTreeSet<String> = incremental.ids.iter().cloned().collect();
    let cost = inc_stats.requests as f64 / full_stats.requests as f64;

    println!(
        "Action Network people pull, simulator enforcing {RATE_LIMIT_PER_SECOND} requests/s over any trailing second (sliding window) and per token bucket, {} ms request jitter, {MAX_PER_PAGE} per page",
        REQUEST_JITTER.as_millis()
    );
    println!(
        "full pull:        {} people ({} unique) in {:.2} s, {} requests, {} answered 429 -> {:.1} people/s = {:.1}% of the {:.0} people/s bound",
        full.ids.len(),
        unique.len(),
        full.seconds,
        full_stats.requests,
        full_stats.throttled,
        rate,
        share * 100.0,
        bound
    );
    println!(
        "incremental pull: {} changed, {} read ({} of them the changed ones) in {:.2} s, {} requests, {} answered 429 -> {:.2}% of the full pull's requests",
        changed.len(),
        incremental.ids.len(),
        got.intersection(&changed).count(),
        incremental.seconds,
        inc_stats.requests,
        inc_stats.throttled,
        cost * 100.0
    );
    println!(
        "full pull requests: {} in {:.2} s at the simulator = {:.2} req/s = {:.1}% of the {RATE_LIMIT_PER_SECOND} req/s limit",
        full_stats.requests,
        span,
        request_share * limit.reads_per_second,
        request_share * 100.0
    );
    println!(
        "pages yielded: full {}, incremental {}",
        full.pages, incremental.pages
    );

    let mut failed = Vec::new();
    if unique.len() != PEOPLE || full.ids.len() != PEOPLE {
        failed.push(format!(
            "full pull read {} people ({} unique), expected {PEOPLE}",
            full.ids.len(),
            unique.len()
        ));
    }
    if share < 0.95 || request_share < 0.95 {
        failed.push(format!(
            "full pull at {:.1}% of the people bound and {:.1}% of the request limit, below 95%",
            share * 100.0,
            request_share * 100.0
        ));
    }
    if full_stats.throttled + inc_stats.throttled > 0 {
        failed.push(format!(
            "{} requests answered 429",
            full_stats.throttled + inc_stats.throttled
        ));
    }
    // The filter is inclusive (`ge`), so the people of the previous mark's
    // second are read again: every changed person, plus at most a handful.
    if !got.is_superset(&changed) || got.len() > changed.len() + 5 {
        failed.push(format!(
            "incremental pull read {} people, expected the {} changed (plus the mark's second)",
            got.len(),
            changed.len()
        ));
    }
    if cost > 0.02 {
        failed.push(format!(
            "incremental pull cost {:.2}% of the full pull's requests, above 2%",
            cost * 100.0
        ));
    }
    if failed.is_empty() {
        println!(
            "PASS: >= 95% of the bound with 0 429s; incremental <= 2% of the full pull's requests"
        );
    } else {
        for f in &failed {
            eprintln!("FAIL: {f}");
        }
        std::process::exit(1);
    }
}
