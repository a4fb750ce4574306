//! Must show: with 50 ms of latency per request, reading 20,000 people
//! through a paginated endpoint (`GET /people`, 200 a page, 100 pages) with
//! concurrent page fetches is at least 5x faster than strictly sequential
//! page fetches on the same simulator.
//!
//! Run: `cargo bench -p canvass-van --features simulator --bench paginated_read`

use std::time::{Duration, Instant};

use canvass_testkit::Faults;
use canvass_van::models::{Address, Person};
use canvass_van::simulator::VanSim;

const PEOPLE: usize = 20_000;

async fn read(sim: &VanSim, concurrency: usize) -> (usize, Duration, u64) {
    let van = sim
        .client_builder()
        .concurrency(concurrency)
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    sim.control().reset_stats();
    let started = Instant::now();
    let people = van
        .people()
        .search()
        .state_or_province("GA")
        .concurrency(concurrency)
        .all()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    (
        people.len(),
        started.elapsed(),
        sim.control().stats().requests,
    )
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    rt.block_on(async {
        let sim = VanSim::start().await;
        for i in 0..PEOPLE {
            sim.add_person(&Person {
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
            });
        }
        sim.control()
            .set_faults(Faults::latency(Duration::from_millis(50)));
        let (n_seq, seq, req_seq) = read(&sim, 1).await;
        let mut rows = vec![("sequential (concurrency 1)", n_seq, seq, req_seq)];
        for c in [4, 8, 16] {
            let (n, t, r) = read(&sim, c).await;
            rows.push((
                if c == 4 {
                    "concurrent (4)"
                } else if c == 8 {
                    "concurrent (8, default)"
                } else {
                    "concurrent (16)"
                },
                n,
                t,
                r,
            ));
        }
        println!(
            "reading {PEOPLE} people through GET /people ($top=200) with 50 ms latency per request"
        );
        println!(
            "{:<28} {:>8} {:>10} {:>10} {:>8}",
            "mode", "people", "requests", "seconds", "speedup"
        );
        for (name, n, t, r) in &rows {
            assert_eq!(*n, PEOPLE, "{name} read {n}");
            println!(
                "{:<28} {:>8} {:>10} {:>10.2} {:>7.1}x",
                name,
                n,
                r,
                t.as_secs_f64(),
                seq.as_secs_f64() / t.as_secs_f64()
            );
        }
        let best_default = rows[2].2;
        let speedup = seq.as_secs_f64() / best_default.as_secs_f64();
        println!("default concurrency (8) vs sequential: {speedup:.1}x (must be >= 5x)");
        assert!(speedup >= 5.0, "only {speedup:.1}x");
    });
}
