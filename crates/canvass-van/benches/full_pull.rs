//! Full pulls at VAN's rate limit against a simulator that counts any
//! trailing one-second window (and adds up to 15 ms of network jitter to
//! each request, as the conformance suite does), answering 429 past it.
//!
//! VAN's limit is tiered and unpublished; canvass defaults to
//! `VanClient::DEFAULT_RATE_LIMIT` (20/s) and the run also measures 10/s.
//! Per limit, three reads of 20,000 people and 100 events:
//!
//! - the connector's full people read (a saved-list export: one create and
//!   its polls, then the file from the blob host, which is not the API);
//! - every page of `GET /people` (`$top=200`, pages fetched concurrently),
//!   the paginated people read;
//! - the connector's attendances (the events list, then one signups
//!   request per event).
//!
//! Must show: no 429 anywhere, and the paginated reads at >= 95% of the
//! limit. Share = (requests - 1) / (first-to-last request time) / limit.
//!
//! Run: `cargo bench -p canvass-van --features simulator --bench full_pull`

use std::time::{Duration, Instant};

use canvass_core::http::RateLimit;
use canvass_core::{Connector, EntityKind};
use canvass_testkit::SimRateLimit;
use canvass_testkit::conformance::REQUEST_JITTER;
use canvass_van::models::{Address, Person, Signup};
use canvass_van::simulator::VanSim;
use canvass_van::{VanClient, VanConnector};
use futures::StreamExt;

const PEOPLE: usize = 20_000;
const EVENTS: usize = 100;
const MIN_SHARE: f64 = 0.95;

struct Outcome {
    records: usize,
    error: Option<String>,
    requests: u64,
    throttled: u64,
    seconds: f64,
    share: f64,
}

async fn measure<F, Fut>(sim: &VanSim, limit: f64, read: F) -> Outcome
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<usize, String>>,
{
    // Let the simulator's window and bucket empty, then start clean.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    sim.control().reset_stats();
    let started = Instant::now();
    let result = read().await;
    let seconds = started.elapsed().as_secs_f64();
    let stats = sim.control().stats();
    let span = sim.control().active_span().as_secs_f64();
    let share = if stats.requests > 1 && span > 0.0 {
        (stats.requests - 1) as f64 / span / limit
    } else {
        0.0
    };
    let (records, error) = match result {
        Ok(n) => (n, None),
        Err(e) => (0, Some(e)),
    };
    Outcome {
        records,
        error,
        requests: stats.requests,
        throttled: stats.throttled,
        seconds,
        share,
    }
}

async fn connector_read(van: &VanConnector, kind: EntityKind) -> Result<usize, String> {
    let mut pages = van.read(kind, None);
    let mut n = 0;
    while let Some(page) = pages.next().await {
        n += page.map_err(|e| e.to_string())?.records.len();
    }
    Ok(n)
}

async fn seed(sim: &VanSim) -> u64 {
    let mut ids = Vec::with_capacity(PEOPLE);
    for i in 0..PEOPLE {
        ids.push(sim.add_person(&Person {
            first_name: Some(format!("First{i}")),
            last_name: Some(format!("Last{i}")),
            addresses: Some(vec![Address {
                address_line1: Some(format!("{} Peachtree Rd NE", i + 1)),
                city: Some("Atlanta".into()),
                state_or_province: Some("GA".into()),
                zip_or_postal_code: Some("30301".into()),
                ..Address::default()
            }]),
            ..Person::default()
        }));
    }
    let list = sim.add_saved_list("Everyone", &ids);
    let (event_type, roles) = sim.add_event_type("Canvass", &["Volunteer"]);
    let van = sim.client();
    for e in 0..EVENTS {
        let event = sim.add_event(
            &format!("Canvass {e}"),
            event_type,
            chrono::Utc::now() + chrono::Duration::days(e as i64 + 1),
            &[("Morning", 0, 3)],
        );
        for p in 0..3 {
            let signup = Signup::new(
                ids[e * 3 + p],
                event.event_id,
                event.shift_ids[0],
                roles[0],
                1,
            );
            if let Err(err) = van.signups().create(&signup).await {
                panic!("seeding signups: {err}");
            }
        }
    }
    list
}

fn main() {
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start tokio: {e}");
            std::process::exit(1);
        }
    };
    if rt.block_on(run()) {
        std::process::exit(1);
    }
}

async fn run() -> bool {
    let setup = Instant::now();
    let sim = VanSim::start().await;
    let list = seed(&sim).await;
    let seeded = sim.seed_standard();
    println!(
        "VAN simulator: {PEOPLE} people, {} events seeded in {:.2}s; sliding one-second window, up to {} ms of jitter per request",
        EVENTS + seeded.events.len(),
        setup.elapsed().as_secs_f64(),
        REQUEST_JITTER.as_millis()
    );
    println!(
        "{:<6} {:<36} {:>8} {:>9} {:>5} {:>8} {:>9}",
        "limit", "read", "records", "requests", "429s", "seconds", "share"
    );
    let mut failed = false;
    // The first pass warms the process up and is not judged.
    let limits = [
        (VanClient::DEFAULT_RATE_LIMIT, false),
        (VanClient::DEFAULT_RATE_LIMIT, true),
        (10.0, true),
    ];
    for (limit, judged) in limits {
        sim.control().set_rate_limit(Some(SimRateLimit {
            retry_after: Some(1),
            ..SimRateLimit::per_second(limit).with_sliding_window()
        }));
        sim.control().set_request_jitter(REQUEST_JITTER);
        let client = match sim
            .client_builder()
            .rate_limit(RateLimit::per_second(limit))
            .build()
        {
            Ok(c) => c,
            Err(e) => {
                eprintln!("client: {e}");
                return true;
            }
        };
        let van = VanConnector::new(client.clone(), seeded.connector_options(Some(list)));
        let people = measure(&sim, limit, || connector_read(&van, EntityKind::People)).await;
        let pages = measure(&sim, limit, || async {
            client
                .people()
                .search()
                .state_or_province("GA")
                .raw_pages()
                .fold(Ok(0usize), |acc, page| async move {
                    match (acc, page) {
                        (Ok(n), Ok(p)) => Ok(n + p.items.len()),
                        (Err(e), _) => Err(e),
                        (_, Err(e)) => Err(e.to_string()),
                    }
                })
                .await
        })
        .await;
        let attendances = measure(&sim, limit, || {
            connector_read(&van, EntityKind::Attendances)
        })
        .await;
        for (name, o, expected, bound) in [
            (
                "people, saved-list export (connector)",
                &people,
                PEOPLE,
                false,
            ),
            ("people, GET /people pages (client)", &pages, PEOPLE, true),
            (
                "attendances, signups per event",
                &attendances,
                EVENTS * 3,
                true,
            ),
        ] {
            println!(
                "{:<6} {:<36} {:>8} {:>9} {:>5} {:>8.2} {:>8.1}%{}",
                format!("{limit}/s"),
                name,
                o.records,
                o.requests,
                o.throttled,
                o.seconds,
                o.share * 100.0,
                if judged { "" } else { "  (warm-up)" }
            );
            if let Some(e) = &o.error {
                println!("       read failed: {e}");
                failed = true;
            }
            if judged
                && (o.records != expected || o.throttled > 0 || (bound && o.share < MIN_SHARE))
            {
                println!(
                    "       FAILED the bar: {expected} records, 0 × 429{}",
                    if bound { ", >= 95% of the limit" } else { "" }
                );
                failed = true;
            }
        }
    }
    failed
}
