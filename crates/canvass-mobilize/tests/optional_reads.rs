//! Through the engine: a Mobilize account whose key lacks an optional read
//! (people or attendances answering 404) still has every other record
//! stored, the kind reported skipped with the reason and the run a
//! success; a required read answering 404 still fails the run.
#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns may panic

use std::collections::BTreeSet;
use std::sync::Arc;

use canvass_core::http::RateLimit;
use canvass_core::{Connector, EntityKind};
use canvass_mobilize::simulator::{MobilizeSim, SimOptions};
use canvass_sync::testing::SqliteRun;
use canvass_sync::{Source, SyncOptions};

async fn sim() -> MobilizeSim {
    MobilizeSim::start(SimOptions {
        rate_limit: None,
        ..SimOptions::small()
    })
    .await
}

async fn sync(mobilize: &Arc<dyn Connector>) -> SqliteRun {
    let source = Source::new("mobilize", mobilize.clone());
    SqliteRun::sync(&[source], &SyncOptions::default())
        .await
        .unwrap()
}

fn expected(sim: &MobilizeSim, kind: &EntityKind) -> BTreeSet<String> {
    sim.ids(kind)
        .unwrap_or_else(|| panic!("unexpected read {kind}"))
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
        let run = sync(&mobilize).await;
        assert!(run.report.is_success(), "{missing}: {:#?}", run.report);
        for kind in &mobilize.info().reads {
            let k = run.report.kind("mobilize", kind).unwrap();
            assert!(k.error.is_none(), "{kind}: {k:?}");
            if *kind == missing {
                let why = k.skipped.as_deref().unwrap_or_default();
                assert!(why.contains("not offered by this account"), "{why}");
                assert!(why.contains(&format!("read {kind}")), "{why}");
                assert!(why.contains("404"), "{why}");
                assert!(run.stored(kind.clone()).await.unwrap().is_empty());
            } else {
                assert!(k.skipped.is_none(), "{kind}: {k:?}");
                assert_eq!(
                    run.stored(kind.clone()).await.unwrap(),
                    expected(&sim, kind),
                    "{kind}"
                );
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_required_read_answering_404_fails_the_run() {
    let sim = sim().await;
    sim.withhold("GET", "/v1/organizations/{organization_id}/events");
    let mobilize: Arc<dyn Connector> = Arc::new(sim.connector(None, RateLimit::unlimited(), None));
    let run = sync(&mobilize).await;
    assert!(!run.report.is_success(), "{:#?}", run.report);
    let events = run.report.kind("mobilize", &EntityKind::Events).unwrap();
    assert!(
        events.error.is_some() && events.skipped.is_none(),
        "{events:?}"
    );
    // The optional reads the account does offer are still stored.
    let people = run.report.kind("mobilize", &EntityKind::People).unwrap();
    assert!(
        people.error.is_none() && people.skipped.is_none(),
        "{people:?}"
    );
    assert_eq!(
        run.stored(EntityKind::People).await.unwrap(),
        expected(&sim, &EntityKind::People)
    );
}
