//! Reads VAN offers only to some databases or keys: events (VAN's
//! documented `EVENTS_NOT_SUPPORTED_IN_DB`) and changed-entity exports.
//! Refused on their first request, they are not offered, and the engine
//! stores everything else and reports the kind as skipped with the reason;
//! a required read that fails still fails.

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns

use std::collections::BTreeSet;
use std::sync::Arc;

use canvass_core::{Connector, ConnectorExt, EntityKind, Error};
use canvass_sync::testing::SqliteRun;
use canvass_sync::{Source, SyncOptions};
use canvass_testkit::generate::Population;
use canvass_van::connector::ConnectorOptions;
use canvass_van::models::Signup;
use canvass_van::simulator::{Seeded, VanSim, Withheld};
use canvass_van::{DbMode, VanClient, VanClientBuilder, VanConnector};
use futures::{StreamExt, TryStreamExt};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

const EVENT_KINDS: [EntityKind; 3] = [
    EntityKind::Events,
    EntityKind::Shifts,
    EntityKind::Attendances,
];

struct World {
    sim: VanSim,
    seeded: Seeded,
    people: Vec<u64>,
    list: u64,
}

async fn world() -> World {
    let sim = VanSim::start().await;
    let seeded = sim.seed_standard();
    let people = sim.seed_population(&Population::generate(11, 30), 30);
    let list = sim.add_saved_list("Everyone", &people);
    World {
        sim,
        seeded,
        people,
        list,
    }
}

impl World {
    fn connector(&self) -> VanConnector {
        self.sim
            .connector(self.seeded.connector_options(Some(self.list)))
    }

    fn ids(values: impl IntoIterator<Item = u64>) -> BTreeSet<String> {
        values.into_iter().map(|v| v.to_string()).collect()
    }

    /// What the simulator holds for each kind the events refusal leaves.
    fn expected(&self, kind: &EntityKind) -> BTreeSet<String> {
        match kind {
            EntityKind::People => World::ids(self.people.iter().copied()),
            EntityKind::Tags => World::ids(self.seeded.activist_codes.values().copied()),
            EntityKind::SurveyQuestions => World::ids([self.seeded.survey_question.0]),
            other => panic!("no expectation for {other}"),
        }
    }
}

async fn sync(van: Arc<dyn Connector>) -> SqliteRun {
    SqliteRun::sync(&[Source::new("van", van)], &SyncOptions::default())
        .await
        .unwrap()
}

/// A client of a VAN (`server`) answering every request nothing else
/// answers with VAN's 404 body.
async fn answering_404(server: &MockServer) -> VanClientBuilder {
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(404).set_body_json(
                serde_json::json!({"errors":[{"code":"NOT_FOUND","text":"Not found"}]}),
            ),
        )
        .mount(server)
        .await;
    VanClient::builder("app", "key-1234", DbMode::MyCampaign)
        .base_url(format!("{}/v4/", server.uri()).parse().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_refused_by_the_database_are_skipped_and_everything_else_is_stored() {
    // VAN documents the code, not the status ("400 or greater").
    for status in [400, 404] {
        let w = world().await;
        w.sim.withhold(Withheld::Events, Some(status));
        let van: Arc<dyn Connector> = Arc::new(w.connector());
        let run = sync(van.clone()).await;
        assert!(run.report.is_success(), "{status}: {:#?}", run.report);
        for kind in &van.info().reads {
            let k = run.report.kind("van", kind).unwrap();
            assert!(k.error.is_none(), "{status} {kind}: {k:?}");
            if EVENT_KINDS.contains(kind) {
                let why = k.skipped.as_deref().unwrap_or_default();
                assert!(why.contains("not offered by this account"), "{why}");
                let expected = if status == 404 {
                    "404".to_string()
                } else {
                    format!("{status} EVENTS_NOT_SUPPORTED_IN_DB")
                };
                assert!(why.contains(&expected), "{status} {kind}: {why}");
                assert!(run.stored(kind.clone()).await.unwrap().is_empty());
            } else {
                assert!(k.skipped.is_none(), "{kind}: {k:?}");
                assert_eq!(
                    run.stored(kind.clone()).await.unwrap(),
                    w.expected(kind),
                    "{status} {kind}"
                );
            }
        }
        // Each refused kind asked once.
        let asked = w.sim.control().stats().by_route;
        assert_eq!(asked.get("GET /v4/events").copied(), Some(3), "{asked:?}");
        assert_eq!(asked.get("GET /v4/signups"), None, "{asked:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_required_read_that_fails_still_fails() {
    // The saved list of everyone is gone: VAN refuses the export (400).
    let w = world().await;
    let van = w.sim.connector(w.seeded.connector_options(Some(999_999)));
    let err = van.read_all(EntityKind::People).await.unwrap_err();
    assert!(matches!(err, Error::Api { status: 400, .. }), "{err}");
    let run = sync(Arc::new(van)).await;
    assert!(!run.report.is_success());
    let people = run.report.kind("van", &EntityKind::People).unwrap();
    assert!(
        people.error.is_some() && people.skipped.is_none(),
        "{people:?}"
    );

    // A 404 is "not offered" only for the optional reads: activist codes
    // and survey questions answered 404 fail.
    let server = MockServer::start().await;
    let client = answering_404(&server).await.build().unwrap();
    let van = VanConnector::new(client, ConnectorOptions::default());
    for kind in [EntityKind::Tags, EntityKind::SurveyQuestions] {
        let err = van.read_all(kind.clone()).await.unwrap_err();
        assert!(matches!(err, Error::NotFound { .. }), "{kind}: {err}");
    }
    for kind in EVENT_KINDS {
        let err = van.read_all(kind.clone()).await.unwrap_err();
        assert!(err.is_not_offered(), "{kind}: {err}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn people_changes_without_changed_entity_exports_are_not_offered() {
    let w = world().await;
    w.sim.withhold(Withheld::ChangedEntities, Some(404));
    let van = w.connector();
    let full: Vec<_> = van
        .read(EntityKind::People, None)
        .try_collect()
        .await
        .unwrap();
    let checkpoint = full.last().and_then(|p| p.checkpoint.clone());
    // Let the next window start in a later second than the full read ended.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let mut changes = van.read(EntityKind::People, checkpoint);
    let err = changes.next().await.unwrap().unwrap_err();
    assert!(err.is_not_offered(), "{err}");
    let text = err.to_string();
    assert!(
        text.contains("changed-entity exports are not enabled"),
        "{text}"
    );
    assert!(changes.next().await.is_none());
    let asked = w.sim.control().stats().by_route;
    assert_eq!(
        asked.get("POST /v4/changedEntityExportJobs").copied(),
        Some(1)
    );
}

#[tokio::test]
async fn a_404_while_polling_a_changed_entity_job_is_a_failure() {
    // Only the create's 404 means the exports are not enabled; a job that
    // vanishes while polled is an error.
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::method("POST"))
        .and(wiremock::matchers::path("/v4/changedEntityExportJobs"))
        .respond_with(ResponseTemplate::new(201).set_body_json(
            serde_json::json!({"exportJobId": 5, "jobStatus": "Pending", "files": []}),
        ))
        .mount(&server)
        .await;
    let client = answering_404(&server)
        .await
        .job_polling(
            std::time::Duration::from_millis(5),
            std::time::Duration::from_secs(5),
        )
        .build()
        .unwrap();
    let van = VanConnector::new(client, ConnectorOptions::default());
    // The connector's people checkpoint after a read ending a day ago.
    let since = canvass_core::Checkpoint::encode(&serde_json::json!({
        "since": (chrono::Utc::now() - chrono::Duration::days(1)).to_rfc3339(),
        "until": null,
        "skip": 0
    }));
    let err = van
        .read(EntityKind::People, Some(since))
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signups_of_an_event_deleted_mid_read_are_none_not_a_failure() {
    let w = world().await;
    let van = w.connector();
    let client = w.sim.client();
    for (n, e) in w.seeded.events.iter().enumerate() {
        client
            .signups()
            .create(&Signup::new(
                w.people[n],
                e.event_id,
                e.shift_ids[0],
                e.role_ids[0],
                1,
            ))
            .await
            .unwrap();
    }
    let mut read = van.read(EntityKind::Attendances, None);
    let first = read.next().await.unwrap().unwrap();
    assert_eq!(first.records.len(), 1);
    // VAN answers 404 for the signups of an event that no longer exists.
    client
        .events()
        .delete(w.seeded.events[1].event_id)
        .await
        .unwrap();
    let rest: Vec<_> = read.try_collect().await.unwrap();
    assert_eq!(rest.len(), 1);
    assert!(rest[0].records.is_empty() && rest[0].checkpoint.is_some());
    let asked = w.sim.control().stats().by_route;
    assert_eq!(asked.get("GET /v4/signups").copied(), Some(2), "{asked:?}");
}
