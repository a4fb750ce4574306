//! The engine over the template connector's simulator, on both backends:
//! full syncs, re-runs that change nothing, bad records and bad sources
//! reported, and crash safety (a sync failing after N pages, then re-run,
//! ends identical to an uninterrupted one).

mod common;

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use canvass_core::http::{RateLimit, RetryPolicy};
use canvass_core::{
    Checkpoint, Connector, ConnectorInfo, EntityKind, Error, PageStream, WriteOp, WriteOutcome,
};
use canvass_example_petitions::simulator::{PetitionsSim, SIM_KEY};
use canvass_example_petitions::{PetitionsClient, PetitionsConnector};
use canvass_sync::{Engine, ProgressEvent, Source, SyncOptions};
use common::*;
use futures::StreamExt;

fn connector(sim: &PetitionsSim, key: &str, page_size: u32) -> Arc<dyn Connector> {
    let client = PetitionsClient::with_options(
        sim.base_url(),
        key,
        RateLimit::unlimited(),
        RetryPolicy::fast(),
    )
    .expect("client");
    Arc::new(PetitionsConnector::new(client, page_size))
}

/// Wraps a connector so every read fails after `pages` pages, as a crash would.
#[derive(Debug)]
struct FailAfter {
    inner: Arc<dyn Connector>,
    pages: usize,
}

#[async_trait]
impl Connector for FailAfter {
    fn info(&self) -> ConnectorInfo {
        self.inner.info()
    }
    async fn check(&self) -> Result<(), Error> {
        self.inner.check().await
    }
    fn read(&self, kind: EntityKind, since: Option<Checkpoint>) -> PageStream<'_> {
        let crash =
            futures::stream::once(async { Err(Error::transport("petitions", "injected crash")) });
        self.inner
            .read(kind, since)
            .take(self.pages)
            .chain(crash)
            .boxed()
    }
    async fn write(&self, op: &WriteOp) -> Result<WriteOutcome, Error> {
        self.inner.write(op).await
    }
}

/// Wraps a connector so every read, after `pages` pages, ends the way an
/// account without that route does: [`Error::NotOffered`].
#[derive(Debug)]
struct NotOfferedAfter {
    inner: Arc<dyn Connector>,
    pages: usize,
}

#[async_trait]
impl Connector for NotOfferedAfter {
    fn info(&self) -> ConnectorInfo {
        self.inner.info()
    }
    async fn check(&self) -> Result<(), Error> {
        self.inner.check().await
    }
    fn read(&self, kind: EntityKind, since: Option<Checkpoint>) -> PageStream<'_> {
        let what = format!("read {kind}");
        let missing = futures::stream::once(async move {
            Err(Error::not_offered(
                "petitions",
                what,
                "the vendor answered 404 (GET /api/tags)",
            ))
        });
        self.inner
            .read(kind, since)
            .take(self.pages)
            .chain(missing)
            .boxed()
    }
    async fn write(&self, op: &WriteOp) -> Result<WriteOutcome, Error> {
        self.inner.write(op).await
    }
}

#[tokio::test]
async fn a_read_the_account_does_not_offer_is_skipped_with_its_reason_not_failed() {
    let sim = PetitionsSim::start(30, 11).await;
    let (_dir, backends) = backends("not-offered").await;
    for w in backends {
        let engine = Engine::new(w.clone());
        let source = Source::new(
            "petitions",
            Arc::new(NotOfferedAfter {
                inner: connector(&sim, SIM_KEY, 10),
                pages: 1,
            }),
        );
        let report = engine
            .sync(std::slice::from_ref(&source), &SyncOptions::default())
            .await
            .expect("sync");
        assert!(report.is_success(), "{report:?}");
        let kinds = &report.source("petitions").expect("reported").kinds;
        assert!(!kinds.is_empty());
        for k in kinds {
            assert!(k.error.is_none(), "{k:?}");
            let why = k.skipped.as_deref().unwrap_or_default();
            assert!(why.contains("not offered by this account"), "{k:?}");
            assert!(why.contains("404"), "{why}");
        }
        // What was read before the 404 is stored.
        assert!(kinds.iter().any(|k| k.counts.inserted > 0), "{kinds:?}");
        let json = serde_json::to_string(&report).expect("serializes for --json");
        assert!(json.contains("\"skipped\":"), "{json}");
    }
}

#[tokio::test]
async fn a_full_sync_stores_everything_and_a_rerun_changes_nothing() {
    let sim = PetitionsSim::start(120, 5).await;
    let (_dir, backends) = backends("pipeline").await;
    for w in backends {
        let engine = Engine::new(w.clone());
        let sources = [Source::new("petitions", connector(&sim, SIM_KEY, 25))];
        let report = engine
            .sync(&sources, &SyncOptions::default())
            .await
            .expect("sync");
        assert!(report.is_success(), "{report:#?}");
        let people = report.sources[0].kind(&EntityKind::People).expect("people");
        assert_eq!(
            people.counts.inserted as usize,
            sim.signer_ids().len(),
            "{}",
            w.backend_name()
        );
        assert!(people.pages >= 5);
        let identity = report.identity.as_ref().expect("identity ran");
        assert_eq!(identity.source_people as usize, sim.signer_ids().len());
        assert!(identity.canonical_people <= identity.source_people);
        let first = w.dump().await.expect("dump");

        let again = engine
            .sync(&sources, &SyncOptions::default())
            .await
            .expect("sync");
        let totals = again.totals();
        assert_eq!(
            (totals.inserted, totals.updated),
            (0, 0),
            "{}: {again:#?}",
            w.backend_name()
        );
        assert_eq!(
            w.dump().await.expect("dump"),
            first,
            "a re-run changes nothing"
        );
        let runs: Vec<_> = w.export("sync_runs").collect().await;
        assert_eq!(runs.len(), 2, "both runs recorded");
    }
}

#[tokio::test]
async fn changes_at_the_source_are_picked_up_incrementally() {
    let sim = PetitionsSim::start(60, 6).await;
    let (_dir, backends) = backends("incremental").await;
    for w in backends {
        let engine = Engine::new(w.clone());
        let sources = [Source::new("petitions", connector(&sim, SIM_KEY, 20))];
        engine
            .sync(&sources, &SyncOptions::default())
            .await
            .expect("sync");
        sim.touch(5);
        let report = engine
            .sync(&sources, &SyncOptions::default())
            .await
            .expect("sync");
        let people = report.sources[0].kind(&EntityKind::People).expect("people");
        assert_eq!(people.counts.updated, 5, "{}: {people:?}", w.backend_name());
        assert_eq!(people.counts.inserted, 0);
        assert!(
            people.counts.read < 60,
            "only changes were read: {people:?}"
        );
        sim.touch(5); // later runs on the same sim see more changes
    }
}

#[tokio::test]
async fn a_bad_record_and_a_bad_source_are_reported_and_the_rest_is_stored() {
    let good = PetitionsSim::start(40, 7).await;
    good.make_malformed(7);
    let refused = PetitionsSim::start(10, 8).await;
    let (_dir, backends) = backends("failures").await;
    for w in backends {
        let engine = Engine::new(w.clone());
        let sources = [
            Source::new("petitions", connector(&good, SIM_KEY, 10)),
            Source::new(
                "petitions-wrong-key",
                connector(&refused, "not-the-key", 10),
            ),
        ];
        let report = engine
            .sync(&sources, &SyncOptions::default())
            .await
            .expect("sync");
        assert!(!report.is_success());
        let ok = report.source("petitions").expect("reported");
        assert!(ok.error.is_none());
        let people = ok.kind(&EntityKind::People).expect("people");
        assert_eq!(people.counts.failed, 1);
        assert_eq!(people.counts.inserted as usize, good.signer_ids().len());
        let failure = people
            .failures
            .iter()
            .find(|f| f.skipped)
            .expect("failure listed");
        assert_eq!(failure.record, "s_0000007", "{failure:?}");
        assert!(!failure.field.is_empty());
        let bad = report.source("petitions-wrong-key").expect("reported");
        assert!(!bad.is_success());
        let err = bad.kinds[0].error.as_deref().unwrap_or_default();
        assert!(err.starts_with("auth"), "{err}");
        assert!(!err.contains("not-the-key"), "secret scrubbed: {err}");
        let json = serde_json::to_string(&report).expect("serializes for --json");
        assert!(json.contains("s_0000007"));
    }
}

#[tokio::test]
async fn a_sync_that_crashes_after_n_pages_and_reruns_ends_identical_to_an_uninterrupted_one() {
    let sim = PetitionsSim::start(90, 9).await;
    // The reference: one uninterrupted sync.
    let (_dir, reference) = backends("crash-ref").await;
    let mut expected = Vec::new();
    for w in &reference {
        let engine = Engine::new(w.clone());
        let report = engine
            .sync(
                &[Source::new("petitions", connector(&sim, SIM_KEY, 10))],
                &SyncOptions::default(),
            )
            .await
            .expect("sync");
        assert!(report.is_success());
        expected.push(w.dump().await.expect("dump"));
    }
    for crash_after in [0, 1, 4, 9] {
        let (_dir, backends) = backends("crash").await;
        for (w, expected) in backends.iter().zip(&expected) {
            let engine = Engine::new(w.clone());
            let crashing: Arc<dyn Connector> = Arc::new(FailAfter {
                inner: connector(&sim, SIM_KEY, 10),
                pages: crash_after,
            });
            let crashed = engine
                .sync(
                    &[Source::new("petitions", crashing)],
                    &SyncOptions::default(),
                )
                .await
                .expect("sync");
            assert!(!crashed.is_success(), "the crash is reported");
            let resumed = engine
                .sync(
                    &[Source::new("petitions", connector(&sim, SIM_KEY, 10))],
                    &SyncOptions::default(),
                )
                .await
                .expect("sync");
            assert!(resumed.is_success(), "{resumed:#?}");
            let people = resumed.sources[0]
                .kind(&EntityKind::People)
                .expect("people");
            if crash_after > 0 {
                assert!(
                    people.counts.read < 90,
                    "resumed from the checkpoint: {people:?}"
                );
            }
            assert_eq!(
                &w.dump().await.expect("dump"),
                expected,
                "{} after a crash at page {crash_after}",
                w.backend_name()
            );
        }
    }
}

#[tokio::test]
async fn progress_events_report_each_page_and_a_dry_run_stores_nothing() {
    let sim = PetitionsSim::start(30, 10).await;
    let (_dir, backends) = backends("progress").await;
    for w in backends {
        let events = Arc::new(Mutex::new(Vec::new()));
        let sink = events.clone();
        let options = SyncOptions {
            dry_run: true,
            kinds: Some([EntityKind::People].into()),
            progress: Some(Arc::new(move |e: &ProgressEvent| {
                sink.lock().expect("lock").push(e.clone());
            })),
            ..SyncOptions::default()
        };
        let engine = Engine::new(w.clone());
        let before = w.dump().await.expect("dump");
        let report = engine
            .sync(
                &[Source::new("petitions", connector(&sim, SIM_KEY, 10))],
                &options,
            )
            .await
            .expect("sync");
        assert_eq!(report.sources[0].kinds.len(), 1, "only the kinds asked for");
        assert_eq!(
            report.totals().inserted,
            30,
            "a dry run counts what it would do"
        );
        assert_eq!(w.dump().await.expect("dump"), before, "and stores nothing");
        let events = events.lock().expect("lock");
        let pages = events
            .iter()
            .filter(|e| matches!(e, ProgressEvent::PageStored { .. }))
            .count();
        assert_eq!(pages, 3);
        assert!(matches!(
            events.last(),
            Some(ProgressEvent::SourceFinished { success: true, .. })
        ));
    }
}
