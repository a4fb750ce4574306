//! Through the engine: an Action Network key without tags (the docs: tags
//! "are only available when using group API keys") still has every other
//! record stored, tags and taggings reported skipped with the reason and
//! the run a success; a required read answering 404 still fails the run.

#![cfg(feature = "simulator")]
#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers in tests may panic

use std::sync::Arc;

use canvass_actionnetwork::ActionNetworkConnector;
use canvass_actionnetwork::simulator::{ActionNetworkSim, SimConfig};
use canvass_core::http::RateLimit;
use canvass_core::{Connector, EntityKind};
use canvass_sync::testing::SqliteRun;
use canvass_sync::{Source, SyncOptions};

async fn world() -> (ActionNetworkSim, Arc<dyn Connector>) {
    let sim = ActionNetworkSim::start(SimConfig {
        people: 30,
        ..SimConfig::default()
    })
    .await;
    let client = sim
        .client_builder()
        .rate_limit(RateLimit::unlimited())
        .build()
        .unwrap();
    (sim, Arc::new(ActionNetworkConnector::new(client)))
}

async fn sync(an: &Arc<dyn Connector>) -> SqliteRun {
    let source = Source::new("actionnetwork", an.clone());
    SqliteRun::sync(&[source], &SyncOptions::default())
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_without_tags_has_them_skipped_and_everything_else_stored() {
    let (sim, an) = world().await;
    sim.withhold("GET", "/api/v2/tags");
    let run = sync(&an).await;
    assert!(run.report.is_success(), "{:#?}", run.report);
    for kind in &an.info().reads {
        let k = run.report.kind("actionnetwork", kind).unwrap();
        assert!(k.error.is_none(), "{kind}: {k:?}");
        if matches!(kind, EntityKind::Tags | EntityKind::Taggings) {
            let why = k.skipped.as_deref().unwrap_or_default();
            assert!(why.contains("not offered by this account"), "{why}");
            assert!(why.contains(&format!("read {kind}")), "{why}");
            assert!(why.contains("404"), "{why}");
            assert!(run.stored(kind.clone()).await.unwrap().is_empty());
        } else {
            assert!(k.skipped.is_none(), "{kind}: {k:?}");
            assert_eq!(
                run.stored(kind.clone()).await.unwrap(),
                sim.ids(kind),
                "{kind}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_required_read_answering_404_fails_the_run() {
    let (sim, an) = world().await;
    sim.withhold("GET", "/api/v2/events");
    let run = sync(&an).await;
    assert!(!run.report.is_success(), "{:#?}", run.report);
    for kind in [EntityKind::Events, EntityKind::Attendances] {
        let k = run.report.kind("actionnetwork", &kind).unwrap();
        assert!(k.error.is_some() && k.skipped.is_none(), "{kind}: {k:?}");
    }
    assert_eq!(
        run.stored(EntityKind::People).await.unwrap(),
        sim.ids(&EntityKind::People)
    );
}
