//! Through the engine: a table the key is not granted (its read answers 404
//! on the first page) is skipped with its reason while everything else is
//! stored; a required read failing still fails.
//!
//! Optional for a key: `/groups` (tags). Required: `/members`, the message
//! tables and `/subscription_events` (see `canvass_strive::routes::TABLE`).

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns

use std::collections::BTreeMap;
use std::sync::Arc;

use canvass_core::EntityKind;
use canvass_core::http::RateLimit;
use canvass_strive::simulator::StriveSim;
use canvass_sync::{Engine, KindReport, RunReport, Source, SqliteWarehouse, SyncOptions};

/// A warehouse file removed on drop.
struct TempFile(std::path::PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.0.display()));
        }
    }
}

async fn sync(sim: &StriveSim, tag: &str) -> RunReport {
    let file = TempFile(std::env::temp_dir().join(format!(
        "canvass-strive-{tag}-{}-{}.sqlite",
        std::process::id(),
        chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default()
    )));
    let warehouse = SqliteWarehouse::open(&file.0).await.unwrap();
    let engine = Engine::new(Arc::new(warehouse));
    let source = Source::new(
        "strive",
        Arc::new(sim.connector(None, RateLimit::unlimited(), 100)),
    );
    let options = SyncOptions {
        skip_identity: true,
        ..SyncOptions::default()
    };
    engine.sync(&[source], &options).await.unwrap()
}

fn kinds(report: &RunReport) -> BTreeMap<EntityKind, KindReport> {
    report
        .source("strive")
        .unwrap()
        .kinds
        .iter()
        .map(|k| (k.kind.clone(), k.clone()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn groups_the_key_is_not_granted_are_skipped_and_the_rest_is_stored() {
    let sim = StriveSim::seeded(5, 60, 300).await;
    sim.withhold("groups");
    let report = sync(&sim, "optional").await;
    assert!(report.is_success(), "{report:?}");
    let kinds = kinds(&report);
    let tags = &kinds[&EntityKind::Tags];
    let why = tags.skipped.as_deref().unwrap_or_default();
    assert!(why.contains("not offered by this account"), "{tags:?}");
    assert!(why.contains("404"), "{why}");
    assert!(tags.error.is_none(), "{tags:?}");
    let stored = |kind: EntityKind| kinds[&kind].counts.inserted as usize;
    assert_eq!(stored(EntityKind::Tags), 0);
    assert_eq!(stored(EntityKind::People), sim.member_ids().len());
    // Taggings come from the members' own `group` column.
    assert_eq!(stored(EntityKind::Taggings), sim.tagging_ids().len());
    assert_eq!(stored(EntityKind::Messages), sim.message_ids().len());
    assert_eq!(stored(EntityKind::ContactAttempts), sim.message_ids().len());
    assert_eq!(stored(EntityKind::OptOuts), sim.opt_out_ids().len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_required_table_failing_still_fails() {
    let sim = StriveSim::seeded(5, 60, 300).await;
    sim.withhold("members");
    let report = sync(&sim, "required").await;
    assert!(!report.is_success(), "{report:?}");
    let kinds = kinds(&report);
    for kind in [
        EntityKind::People,
        EntityKind::Taggings,
        EntityKind::OptOuts,
    ] {
        let k = &kinds[&kind];
        assert!(k.skipped.is_none(), "{k:?}");
        assert!(k.error.is_some(), "{k:?}");
    }
    assert_eq!(
        kinds[&EntityKind::Messages].counts.inserted as usize,
        sim.message_ids().len()
    );
    assert_eq!(
        kinds[&EntityKind::Tags].counts.inserted as usize,
        sim.group_ids().len()
    );
}
