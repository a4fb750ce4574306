//! Must show: applying an activist code to N people through a bulk import
//! job takes a constant number of requests (not one per person): measured
//! at 1,000 and 10,000 people.
//!
//! Run: `cargo bench -p canvass-van --features simulator --bench bulk_import`

use std::time::Instant;

use canvass_van::models::{EmailAddress, Person};
use canvass_van::simulator::{LoopbackUploader, VanSim};

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    rt.block_on(async {
        println!(
            "{:>8} {:>14} {:>10} {:>9} {:>10} {:>9}",
            "people", "API requests", "create", "polls", "uploads", "seconds"
        );
        let mut counts = Vec::new();
        for n in [1_000usize, 10_000] {
            let sim = VanSim::start().await;
            let code = sim.add_activist_code("Volunteer");
            let ids: Vec<u64> = (0..n)
                .map(|i| {
                    sim.add_person(&Person {
                        first_name: Some(format!("F{i}")),
                        last_name: Some(format!("L{i}")),
                        emails: Some(vec![EmailAddress {
                            email: format!("p{i}@example.org"),
                            ..Default::default()
                        }]),
                        ..Person::default()
                    })
                })
                .collect();
            let rows: Vec<(u64, u64)> = ids.iter().map(|v| (*v, code)).collect();
            let uploader = LoopbackUploader::start().await;
            let van = sim.client();
            sim.control().reset_stats();
            let started = Instant::now();
            let outcome = van
                .bulk_import_jobs()
                .apply_activist_codes(&rows, &uploader)
                .run()
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            let elapsed = started.elapsed();
            let stats = sim.control().stats();
            assert_eq!(sim.applied_activist_codes().len(), n);
            assert_eq!(outcome.results.rows.len(), n);
            let creates = stats
                .by_route
                .get("POST /v4/bulkImportJobs")
                .copied()
                .unwrap_or_default();
            let polls: u64 = stats
                .by_route
                .iter()
                .filter(|(k, _)| k.starts_with("GET /v4/bulkImportJobs/"))
                .map(|(_, v)| *v)
                .sum();
            println!(
                "{n:>8} {:>14} {creates:>10} {polls:>9} {:>10} {:>9.2}",
                stats.requests,
                uploader.uploads(),
                elapsed.as_secs_f64()
            );
            counts.push(stats.requests);
        }
        println!("(plus one result-file download from the blob host per job, also constant)");
        assert_eq!(
            counts[0], counts[1],
            "the request count grew with the people count"
        );
        println!(
            "request count at 1,000 and 10,000 people: {} and {}: constant",
            counts[0], counts[1]
        );
    });
}
