//! Through the engine: a table the key is not granted (its read answers 404
//! on the first page) is skipped with its reason while everything else is
//! stored; a required read failing still fails.
//!
//! Optional for a key: `/groups` (tags). Required: `/members`, the message
//! tables and `/subscription_events` (see `canvass_strive::routes::TABLE`).

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns

use std::sync::Arc;

use canvass_core::EntityKind;
use canvass_core::http::RateLimit;
use canvass_strive::simulator::StriveSim;
use canvass_sync::testing::SqliteRun;
use canvass_sync::{KindReport, Source, SyncOptions};

async fn sync(sim: &StriveSim) -> SqliteRun {
    let strive = sim.connector(None, RateLimit::unlimited(), 100);
    let options = SyncOptions {
        skip_identity: true,
        ..SyncOptions::default()
    };
    SqliteRun::sync(&[Source::new("strive", Arc::new(strive))], &options)
        .await
        .unwrap()
}

fn report_of(run: &SqliteRun, kind: EntityKind) -> &KindReport {
    run.report.kind("strive", &kind).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn groups_the_key_is_not_granted_are_skipped_and_the_rest_is_stored() {
    let sim = StriveSim::seeded(5, 60, 300).await;
    sim.withhold("groups");
    let run = sync(&sim).await;
    assert!(run.report.is_success(), "{:?}", run.report);
    let tags = report_of(&run, EntityKind::Tags);
    let why = tags.skipped.as_deref().unwrap_or_default();
    assert!(why.contains("not offered by this account"), "{tags:?}");
    assert!(why.contains("404"), "{why}");
    assert!(tags.error.is_none(), "{tags:?}");
    let stored = |kind: EntityKind| report_of(&run, kind).counts.inserted as usize;
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
    let run = sync(&sim).await;
    assert!(!run.report.is_success(), "{:?}", run.report);
    for kind in [
        EntityKind::People,
        EntityKind::Taggings,
        EntityKind::OptOuts,
    ] {
        let k = report_of(&run, kind);
        assert!(k.skipped.is_none(), "{k:?}");
        assert!(k.error.is_some(), "{k:?}");
    }
    assert_eq!(
        report_of(&run, EntityKind::Messages).counts.inserted as usize,
        sim.message_ids().len()
    );
    assert_eq!(
        report_of(&run, EntityKind::Tags).counts.inserted as usize,
        sim.group_ids().len()
    );
}
