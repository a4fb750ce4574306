//! Identity resolution at scale: 1,000,000 person records from three
//! sources (30% of humans in more than one), messy as the testkit renders
//! them, resolved in memory; precision and recall against ground truth.
//!
//! `cargo bench -p canvass-sync --bench identity` (set
//! `CANVASS_BENCH_PEOPLE` for another size).

mod support;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use canvass_sync::identity::{IdentityConfig, Resolver, pairwise_precision_recall};
use canvass_testkit::generate::Population;
use support::*;

fn main() {
    let records: usize = std::env::var("CANVASS_BENCH_PEOPLE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let humans = humans_for(records);
    let t = Instant::now();
    let pop = Population::generate(2024, humans);
    println!(
        "generated {humans} humans in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    let mut resolver = Resolver::new(IdentityConfig::default());
    let mut truth: Vec<u32> = Vec::with_capacity(records);
    let mut building = Duration::ZERO;
    let mut resolving = Duration::ZERO;
    let chunk = 50_000;
    let mut start = 0;
    while start < humans {
        let end = (start + chunk).min(humans);
        let t = Instant::now();
        let mut people = Vec::new();
        for h in start..end {
            for system in systems_of(h) {
                people.push(person_of(&pop, h, system));
                truth.push(h as u32);
            }
        }
        building += t.elapsed();
        let t = Instant::now();
        resolver.add_all(people.iter());
        resolving += t.elapsed();
        start = end;
    }
    let n = resolver.len();
    let t = Instant::now();
    let resolution = resolver.resolve(&HashMap::new());
    resolving += t.elapsed();
    let (precision, recall) = pairwise_precision_recall(
        resolution
            .assignments
            .iter()
            .map(|a| a.canonical_id.as_str())
            .zip(truth.iter().copied()),
    );
    let true_people = {
        let mut t = truth.clone();
        t.sort_unstable();
        t.dedup();
        t.len()
    };
    println!("source records:        {n}");
    println!("true humans:           {true_people}");
    println!("canonical people:      {}", resolution.canonical_count);
    println!("shared keys ignored:   {}", resolution.shared_keys_ignored);
    println!("birth-date conflicts:  {}", resolution.birth_date_conflicts);
    println!(
        "building records:      {:.1} s (not counted: connectors' mapping)",
        building.as_secs_f64()
    );
    println!(
        "resolution (keys + clustering): {:.1} s",
        resolving.as_secs_f64()
    );
    println!("precision:             {precision:.5}");
    println!("recall:                {recall:.5}");
    println!("peak memory (VmHWM):   {:.0} MiB", peak_mib());
}
