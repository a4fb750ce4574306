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

    let exact_only = std::env::var("CANVASS_BENCH_EXACT_ONLY").is_ok_and(|v| v == "1");
    let config = IdentityConfig {
        probabilistic: !exact_only,
        ..IdentityConfig::default()
    };
    let mut resolver = Resolver::new(config);
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
    let diagnose = std::env::var("CANVASS_BENCH_DIAGNOSE").is_ok_and(|v| v == "1");
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
    if diagnose {
        diagnose_links(&pop, &resolution, &truth);
    }
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

/// Links per rule and how many join two different humans; a sample of the
/// wrong ones and of humans split across clusters (`CANVASS_BENCH_DIAGNOSE=1`).
fn diagnose_links(
    pop: &Population,
    resolution: &canvass_sync::identity::Resolution,
    truth: &[u32],
) {
    let human_of: HashMap<&canvass_core::SourceRef, u32> = resolution
        .assignments
        .iter()
        .map(|a| &a.source)
        .zip(truth.iter().copied())
        .collect();
    let mut per_rule: std::collections::BTreeMap<String, (u64, u64)> = Default::default();
    let mut wrong_samples: Vec<String> = Vec::new();
    for (a, &h) in resolution.assignments.iter().zip(truth) {
        let Some(link) = &a.link else { continue };
        let other = human_of.get(&link.with).copied();
        let entry = per_rule.entry(link.rule.to_string()).or_default();
        entry.0 += 1;
        if other != Some(h) {
            entry.1 += 1;
            if wrong_samples.len() < 25 {
                let o = other.unwrap_or(0) as usize;
                wrong_samples.push(format!(
                    "{} {} score {:?}\n    {:?}\n    {:?}",
                    link.rule,
                    link.key,
                    link.score,
                    pop.messy(h as usize, &a.source.system),
                    pop.messy(o, &link.with.system)
                ));
            }
        }
    }
    for (rule, (links, wrong)) in &per_rule {
        println!("links by {rule:<16} {links:>9}, to another human: {wrong}");
    }
    for w in &wrong_samples {
        println!("wrong: {w}");
    }
    // Humans whose records ended in more than one cluster.
    let mut clusters_of: HashMap<u32, Vec<(&str, &str)>> = HashMap::new();
    for (a, &h) in resolution.assignments.iter().zip(truth) {
        clusters_of
            .entry(h)
            .or_default()
            .push((a.canonical_id.as_str(), a.source.system.as_str()));
    }
    let mut split: Vec<(&u32, &Vec<(&str, &str)>)> = clusters_of
        .iter()
        .filter(|(_, c)| c.iter().any(|(id, _)| *id != c[0].0))
        .collect();
    split.sort_by_key(|(h, _)| **h);
    println!("humans split across clusters: {}", split.len());
    for (h, records) in split.iter().take(15) {
        println!("split human {h}:");
        for (id, system) in records.iter() {
            println!("    {id} {:?}", pop.messy(**h as usize, system));
        }
    }
}
