//! Through the engine: a Mobilize account whose key lacks an optional read
//! (people or attendances answering 404) still has every other record
//! stored, the kind reported skipped with the reason and the run a
//! success; a required read answering 404 still fails the run.
#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns may panic

use std::collections::BTreeSet;
use std::sync::Arc;

use canvass_core::http::RateLimit;
use canvass_core::{Connector, EntityKind, Record};
use canvass_mobilize::simulator::{MobilizeSim, SimOptions};
use canvass_sync::{Engine, KindReport, Source, SqliteWarehouse, SyncOptions, Warehouse};
use futures::TryStreamExt;

async fn sim() -> MobilizeSim {
    MobilizeSim::start(SimOptions {
        rate_limit: None,
        ..SimOptions::small()
    })
    .await
}

async fn sqlite(tag: &str) -> (std::path::PathBuf, Arc<dyn Warehouse>) {
    let dir = std::env::temp_dir().join(format!(
        "canvass-mobilize-{tag}-{}-{}",
        std::process::id(),
        chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let wh = SqliteWarehouse::open(dir.join("warehouse.db"))
        .await
        .unwrap();
    (dir, Arc::new(wh))
}

/// The ids stored for `kind` (deletions aside).
async fn stored(wh: &Arc<dyn Warehouse>, kind: EntityKind) -> BTreeSet<String> {
    let records: Vec<Record> = wh
        .records(kind)
        .map_ok(|r| r.record)
        .try_collect()
        .await
        .unwrap();
    records
        .iter()
        .filter(|r| !matches!(r, Record::Deletion(_)))
        .map(|r| r.source().id.clone())
        .collect()
}

fn expected(sim: &MobilizeSim, kind: &EntityKind) -> BTreeSet<String> {
    sim.ids(kind)
        .unwrap_or_else(|| panic!("unexpected read {kind}"))
}

fn kind_report<'a>(kinds: &'a [KindReport], kind: &EntityKind) -> &'a KindReport {
    kinds.iter().find(|k| &k.kind == kind).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_optional_read_answering_404_is_skipped_and_everything_else_is_stored() {
    for (template, missing) in [
        (
            "/v1/organizations/{organization_id}/people",
            EntityKind::People,
        ),
        (
            "/v1/organizations/{organization_id}/attendances",
            EntityKind::Attendances,
        ),
    ] {
        let sim = sim().await;
        sim.withhold("GET", template);
        let mobilize: Arc<dyn Connector> =
            Arc::new(sim.connector(None, RateLimit::unlimited(), None));
        let (dir, wh) = sqlite("optional").await;
        let report = Engine::new(wh.clone())
            .sync(
                &[Source::new("mobilize", mobilize.clone())],
                &SyncOptions::default(),
            )
            .await
            .unwrap();
        assert!(report.is_success(), "{missing}: {report:#?}");
        let kinds = &report.source("mobilize").unwrap().kinds;
        for kind in &mobilize.info().reads {
            let k = kind_report(kinds, kind);
            assert!(k.error.is_none(), "{kind}: {k:?}");
            if *kind == missing {
                let why = k.skipped.as_deref().unwrap_or_default();
                assert!(why.contains("not offered by this account"), "{why}");
                assert!(why.contains(&format!("read {kind}")), "{why}");
                assert!(why.contains("404"), "{why}");
                assert!(stored(&wh, kind.clone()).await.is_empty());
            } else {
                assert!(k.skipped.is_none(), "{kind}: {k:?}");
                assert_eq!(
                    stored(&wh, kind.clone()).await,
                    expected(&sim, kind),
                    "{kind}"
                );
            }
        }
        let _ = std::fs::remove_dir_all(dir);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_required_read_answering_404_fails_the_run() {
    let sim = sim().await;
    sim.withhold("GET", "/v1/organizations/{organization_id}/events");
    let mobilize: Arc<dyn Connector> = Arc::new(sim.connector(None, RateLimit::unlimited(), None));
    let (dir, wh) = sqlite("required").await;
    let report = Engine::new(wh.clone())
        .sync(
            &[Source::new("mobilize", mobilize.clone())],
            &SyncOptions::default(),
        )
        .await
        .unwrap();
    assert!(!report.is_success(), "{report:#?}");
    let kinds = &report.source("mobilize").unwrap().kinds;
    let events = kind_report(kinds, &EntityKind::Events);
    assert!(
        events.error.is_some() && events.skipped.is_none(),
        "{events:?}"
    );
    // The optional reads the account does offer are still stored.
    let people = kind_report(kinds, &EntityKind::People);
    assert!(
        people.error.is_none() && people.skipped.is_none(),
        "{people:?}"
    );
    assert_eq!(
        stored(&wh, EntityKind::People).await,
        expected(&sim, &EntityKind::People)
    );
    let _ = std::fs::remove_dir_all(dir);
}
