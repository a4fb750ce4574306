//! Through the engine: an Action Network key without tags (the docs: tags
//! "are only available when using group API keys") still has every other
//! record stored, tags and taggings reported skipped with the reason and
//! the run a success; a required read answering 404 still fails the run.

#![cfg(feature = "simulator")]
#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers in tests may panic

use std::collections::BTreeSet;
use std::sync::Arc;

use canvass_actionnetwork::ActionNetworkConnector;
use canvass_actionnetwork::simulator::{ActionNetworkSim, SimConfig};
use canvass_core::http::RateLimit;
use canvass_core::{Connector, EntityKind};
use canvass_sync::{Engine, KindReport, Source, SqliteWarehouse, SyncOptions, Warehouse};
use futures::TryStreamExt;

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

async fn sqlite(tag: &str) -> (std::path::PathBuf, Arc<dyn Warehouse>) {
    let dir = std::env::temp_dir().join(format!(
        "canvass-actionnetwork-{tag}-{}-{}",
        std::process::id(),
        chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let wh = SqliteWarehouse::open(dir.join("warehouse.db"))
        .await
        .unwrap();
    (dir, Arc::new(wh))
}

async fn stored(wh: &Arc<dyn Warehouse>, kind: EntityKind) -> BTreeSet<String> {
    wh.records(kind)
        .map_ok(|r| r.record.source().id.clone())
        .try_collect()
        .await
        .unwrap()
}

fn kind_report<'a>(kinds: &'a [KindReport], kind: &EntityKind) -> &'a KindReport {
    kinds.iter().find(|k| &k.kind == kind).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_without_tags_has_them_skipped_and_everything_else_stored() {
    let (sim, an) = world().await;
    sim.withhold("GET", "/api/v2/tags");
    let (dir, wh) = sqlite("no-tags").await;
    let report = Engine::new(wh.clone())
        .sync(
            &[Source::new("actionnetwork", an.clone())],
            &SyncOptions::default(),
        )
        .await
        .unwrap();
    assert!(report.is_success(), "{report:#?}");
    let kinds = &report.source("actionnetwork").unwrap().kinds;
    for kind in &an.info().reads {
        let k = kind_report(kinds, kind);
        assert!(k.error.is_none(), "{kind}: {k:?}");
        if matches!(kind, EntityKind::Tags | EntityKind::Taggings) {
            let why = k.skipped.as_deref().unwrap_or_default();
            assert!(why.contains("not offered by this account"), "{why}");
            assert!(why.contains(&format!("read {kind}")), "{why}");
            assert!(why.contains("404"), "{why}");
            assert!(stored(&wh, kind.clone()).await.is_empty());
        } else {
            assert!(k.skipped.is_none(), "{kind}: {k:?}");
            assert_eq!(stored(&wh, kind.clone()).await, sim.ids(kind), "{kind}");
        }
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_required_read_answering_404_fails_the_run() {
    let (sim, an) = world().await;
    sim.withhold("GET", "/api/v2/events");
    let (dir, wh) = sqlite("no-events").await;
    let report = Engine::new(wh.clone())
        .sync(
            &[Source::new("actionnetwork", an.clone())],
            &SyncOptions::default(),
        )
        .await
        .unwrap();
    assert!(!report.is_success(), "{report:#?}");
    let kinds = &report.source("actionnetwork").unwrap().kinds;
    for kind in [EntityKind::Events, EntityKind::Attendances] {
        let k = kind_report(kinds, &kind);
        assert!(k.error.is_some() && k.skipped.is_none(), "{kind}: {k:?}");
    }
    assert_eq!(
        stored(&wh, EntityKind::People).await,
        sim.ids(&EntityKind::People)
    );
    let _ = std::fs::remove_dir_all(dir);
}
