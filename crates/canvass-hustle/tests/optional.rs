//! Through the engine: a read the account does not offer (its route answers
//! 404 on the first page) is skipped with its reason while everything else
//! is stored; a required read failing still fails.
//!
//! Optional for an account: the message list (`messages_path`; Hustle
//! publishes none). Required: leads and tags, which Hustle's v3 OpenAPI file
//! publishes for every account (see `canvass_hustle::routes::TABLE`).

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns

use std::sync::Arc;

use canvass_core::EntityKind;
use canvass_core::http::RateLimit;
use canvass_hustle::simulator::HustleSim;
use canvass_sync::testing::SqliteRun;
use canvass_sync::{KindReport, Source, SyncOptions};

async fn sync(sim: &HustleSim) -> SqliteRun {
    let hustle = sim.connector(None, RateLimit::unlimited(), 100);
    let options = SyncOptions {
        skip_identity: true,
        ..SyncOptions::default()
    };
    SqliteRun::sync(&[Source::new("hustle", Arc::new(hustle))], &options)
        .await
        .unwrap()
}

fn report_of(run: &SqliteRun, kind: EntityKind) -> &KindReport {
    run.report.kind("hustle", &kind).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_list_the_account_lacks_is_skipped_and_the_rest_is_stored() {
    let sim = HustleSim::seeded(5, 60, 300).await;
    sim.withhold("GET", "/v3/messages");
    let run = sync(&sim).await;
    assert!(run.report.is_success(), "{:?}", run.report);
    for kind in [EntityKind::Messages, EntityKind::ContactAttempts] {
        let k = report_of(&run, kind);
        let why = k.skipped.as_deref().unwrap_or_default();
        assert!(why.contains("not offered by this account"), "{k:?}");
        assert!(why.contains("404"), "{why}");
        assert!(k.error.is_none(), "{k:?}");
        assert_eq!(k.counts.inserted, 0, "{k:?}");
    }
    let stored = |kind: EntityKind| report_of(&run, kind).counts.inserted as usize;
    assert_eq!(stored(EntityKind::People), sim.lead_ids().len());
    assert_eq!(stored(EntityKind::Tags), sim.tag_ids().len());
    assert_eq!(stored(EntityKind::Taggings), sim.tagging_ids().len());
    assert_eq!(stored(EntityKind::OptOuts), sim.opted_out_lead_ids().len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_required_read_failing_still_fails() {
    let sim = HustleSim::seeded(5, 60, 300).await;
    sim.withhold("GET", "/v3/leads");
    let run = sync(&sim).await;
    assert!(!run.report.is_success(), "{:?}", run.report);
    for kind in [
        EntityKind::People,
        EntityKind::Taggings,
        EntityKind::OptOuts,
    ] {
        let k = report_of(&run, kind);
        assert!(k.skipped.is_none(), "{k:?}");
        let error = k.error.as_deref().unwrap_or_default();
        assert!(error.contains("not found: GET /v3/leads"), "{k:?}");
    }
    // The reads that do not need leads are stored.
    assert_eq!(
        report_of(&run, EntityKind::Tags).counts.inserted as usize,
        sim.tag_ids().len()
    );
    assert_eq!(
        report_of(&run, EntityKind::Messages).counts.inserted as usize,
        sim.message_ids().len()
    );
}
