//! Pushing N activist-code applications into the VAN simulator: through the
//! bulk path the number of VAN requests stays constant; one call at a time
//! it grows with N.
//!
//! `cargo bench -p canvass-vansync --features simulator --bench bulk_activist_codes`
//!
//! Each person is an Action Network record tagged "Volunteer" and already
//! linked to a VAN person (same name and email), so the push is activist
//! codes only: no findOrCreate. Figures: VAN API requests by route, bulk
//! files uploaded, and wall time (including the push ledger in a SQLite file).

use std::sync::Arc;
use std::time::Instant;

use canvass_core::{Email, EntityKind, Page, Person, Record, SourceRef, Tag, Tagging};
use canvass_sync::{IdentityConfig, PageWrite, SqliteWarehouse, Warehouse, resolve_identities};
use canvass_van::models;
use canvass_van::simulator::{LoopbackUploader, VanSim};
use canvass_vansync::{Rule, TargetConfig, VanSync, VanSyncConfig};

async fn store(warehouse: &dyn Warehouse, source: &str, kind: EntityKind, records: Vec<Record>) {
    for chunk in records.chunks(2000) {
        let page = Page {
            records: chunk.to_vec(),
            ..Page::default()
        };
        warehouse
            .store_page(PageWrite {
                run_id: 0,
                source,
                kind: &kind,
                page: &page,
                dry_run: false,
            })
            .await
            .expect("store");
    }
}

struct Measured {
    requests: u64,
    uploads: u64,
    by_route: Vec<(String, u64)>,
    written: u64,
    via_bulk: u64,
    seconds: f64,
}

async fn run(n: usize, bulk: bool) -> Measured {
    let dir = std::env::temp_dir().join(format!("vansync-bench-{}-{n}-{bulk}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let warehouse: Arc<dyn Warehouse> = Arc::new(
        SqliteWarehouse::open(dir.join("w.db"))
            .await
            .expect("warehouse"),
    );
    let van = VanSim::start().await;
    let code = van.add_activist_code("Volunteer");
    let mut van_people = Vec::with_capacity(n);
    let mut an_people = Vec::with_capacity(n);
    let mut taggings = Vec::with_capacity(n);
    for i in 0..n {
        let (first, last, email) = (
            format!("Vol{i}"),
            "Bench".to_string(),
            format!("vol{i}@example.org"),
        );
        let van_id = van.add_person(&models::Person {
            first_name: Some(first.clone()),
            last_name: Some(last.clone()),
            emails: Some(vec![models::EmailAddress {
                email: email.clone(),
                ..Default::default()
            }]),
            ..Default::default()
        });
        let person = |system: &str, id: String| Person {
            source: SourceRef::new(system, id),
            given_name: Some(first.clone()),
            family_name: Some(last.clone()),
            emails: vec![Email::parse(&email)],
            ..Person::default()
        };
        van_people.push(Record::Person(person("van", van_id.to_string())));
        an_people.push(Record::Person(person("actionnetwork", format!("p{i}"))));
        taggings.push(Record::Tagging(Tagging {
            source: SourceRef::new("actionnetwork", format!("t{i}")),
            modified_at: None,
            tag: SourceRef::new("actionnetwork", "volunteer"),
            person: SourceRef::new("actionnetwork", format!("p{i}")),
            extra: Default::default(),
        }));
    }
    let w = warehouse.as_ref();
    store(w, "van", EntityKind::People, van_people).await;
    store(w, "actionnetwork", EntityKind::People, an_people).await;
    let tag = Record::Tag(Tag {
        source: SourceRef::new("actionnetwork", "volunteer"),
        name: "Volunteer".into(),
        extra: Default::default(),
    });
    store(w, "actionnetwork", EntityKind::Tags, vec![tag]).await;
    store(w, "actionnetwork", EntityKind::Taggings, taggings).await;
    resolve_identities(&warehouse, IdentityConfig::default())
        .await
        .expect("identities");

    let mut target = TargetConfig::new("state");
    target.activist_codes = [("Volunteer".to_string(), code)].into();
    target.rules = Some([Rule::TagsToActivistCodes].into());
    let config = VanSyncConfig {
        bulk_threshold: if bulk { 500 } else { usize::MAX },
        ..VanSyncConfig::new(vec![target])
    };
    let uploader = Arc::new(LoopbackUploader::start().await);
    let sync = VanSync::with_clients(config, [("state".to_string(), van.client())])
        .expect("sync")
        .with_uploader(uploader.clone());
    let plan = sync.plan(w).await.expect("plan");
    assert_eq!(plan.targets[0].writes.len(), n, "one write per person");
    assert!(plan.targets[0].people.values().all(|p| p.van_id.is_some()));

    van.control().reset_stats();
    let started = Instant::now();
    let report = sync.execute(w, &plan).await.expect("push");
    let seconds = started.elapsed().as_secs_f64();
    assert!(report.is_success(), "{report}");
    let counts = &report.targets[0].rules[&Rule::TagsToActivistCodes];
    assert_eq!(counts.written as usize, n);
    assert_eq!(
        van.applied_activist_codes().len(),
        n,
        "VAN applied every code once"
    );
    let stats = van.control().stats();
    tokio::task::yield_now().await;
    drop(van);
    let _ = std::fs::remove_dir_all(&dir);
    Measured {
        requests: stats.requests,
        uploads: uploader.uploads(),
        by_route: stats.by_route.into_iter().collect(),
        written: counts.written,
        via_bulk: counts.via_bulk,
        seconds,
    }
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        println!("bulk_activist_codes: activist-code applications pushed into the VAN simulator");
        for (n, bulk) in [(1_000, true), (10_000, true), (1_000, false)] {
            let m = run(n, bulk).await;
            println!(
                "  n={n:>6} path={:<9} written={:>6} via_bulk={:>6} van_requests={:>5} files_uploaded={} wall={:.2}s ({:.0} codes/s)",
                if bulk { "bulk" } else { "per-call" },
                m.written,
                m.via_bulk,
                m.requests,
                m.uploads,
                m.seconds,
                m.written as f64 / m.seconds
            );
            if m.by_route.len() <= 5 {
                for (route, count) in &m.by_route {
                    println!("      {route}: {count}");
                }
            } else {
                println!(
                    "      {} routes, e.g. {} x{}",
                    m.by_route.len(),
                    m.by_route[0].0,
                    m.by_route[0].1
                );
            }
        }
    });
}
