//! The connector and client call only the routes in
//! [`canvass_hustle::routes::ROUTES`] (required ones are in Hustle's published
//! v3 OpenAPI file), and a configured route the account lacks is reported as
//! not offered.

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns

use canvass_core::http::RateLimit;
use canvass_core::{Connector, ConnectorExt, EntityKind, Error};
use canvass_hustle::models::{NewResource, Resource, Tag};
use canvass_hustle::routes::{Need, route};
use canvass_hustle::simulator::{HustleSim, ORGANIZATION_ID};
use canvass_hustle::{ConnectorOptions, HustleConnector};
use futures::StreamExt;

/// Every request the simulator received, as `(METHOD /path, count)`.
fn requests(sim: &HustleSim) -> Vec<(String, u64)> {
    sim.control().stats().by_route.into_iter().collect()
}

/// The requests not in `ROUTES`, or in it with a `need` not in `allowed`.
fn outside(requests: &[(String, u64)], allowed: &[Need]) -> Vec<String> {
    requests
        .iter()
        .filter(|(r, _)| {
            let (method, path) = r.split_once(' ').unwrap_or((r, ""));
            route(method, path).is_none_or(|route| !allowed.contains(&route.need))
        })
        .map(|(r, _)| r.clone())
        .collect()
}

fn default_connector(sim: &HustleSim) -> HustleConnector {
    HustleConnector::new(sim.client(None), ConnectorOptions::default())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_pull_with_default_options_calls_only_published_routes() {
    let sim = HustleSim::seeded(3, 40, 200).await;
    let hustle = default_connector(&sim);
    let reads = hustle.info().reads;
    assert!(!reads.contains(&EntityKind::Messages), "{reads:?}");
    assert!(!reads.contains(&EntityKind::ContactAttempts), "{reads:?}");
    hustle.check().await.unwrap();
    for kind in &reads {
        let records = hustle.read_all(kind.clone()).await.unwrap();
        assert!(!records.is_empty(), "{kind}");
    }
    let seen = requests(&sim);
    assert!(seen.iter().any(|(r, _)| r == "GET /v3/leads"), "{seen:?}");
    let unpublished = outside(&seen, &[Need::Required]);
    assert!(
        unpublished.is_empty(),
        "routes not in ROUTES as required: {unpublished:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_pull_with_a_message_list_configured_calls_only_listed_routes() {
    let sim = HustleSim::seeded(3, 40, 200).await;
    let hustle = sim.connector(None, RateLimit::unlimited(), 100);
    for kind in &hustle.info().reads {
        let records = hustle.read_all(kind.clone()).await.unwrap();
        assert!(!records.is_empty(), "{kind}");
    }
    let seen = requests(&sim);
    assert!(
        seen.iter().any(|(r, _)| r == "GET /v3/messages"),
        "{seen:?}"
    );
    let unlisted = outside(&seen, &[Need::Required, Need::Optional]);
    assert!(unlisted.is_empty(), "routes not in ROUTES: {unlisted:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_client_handler_calls_a_listed_route() {
    let sim = HustleSim::seeded(3, 5, 5).await;
    let client = sim.client(None);
    let new = |name: &str| NewResource {
        name: name.into(),
        organization_id: ORGANIZATION_ID.into(),
        ..NewResource::default()
    };
    client.ping().await.unwrap();
    let _: Vec<Resource> = client.organizations().list().all().await.unwrap();
    let _: Vec<Resource> = client.groups().list().all().await.unwrap();
    let _: Resource = client.groups().create(&new("Canvass")).await.unwrap();
    let agents: Vec<Resource> = client.agents().list().all().await.unwrap();
    let mut agent = new("Dee");
    agent
        .fields
        .insert("groupId".into(), serde_json::json!(sim.group_ids()[0]));
    let _: Resource = client.agents().create(&agent).await.unwrap();
    let _: Resource = client
        .agents()
        .update(&agents[0].id, &new("Dee R."))
        .await
        .unwrap();
    let _: Vec<Tag> = client.tags().list().all().await.unwrap();
    let _: Tag = client.tags().create(&new("Driver")).await.unwrap();
    let _: Vec<Resource> = client.custom_fields().list().all().await.unwrap();
    let _: Resource = client.custom_fields().create(&new("shift")).await.unwrap();
    let leads = client.leads().list().all().await.unwrap();
    let _ = client.messages().get(&sim.message_ids()[0]).await.unwrap();
    let _ = client.messages().list().all().await.unwrap();
    let hustle = sim.connector(None, RateLimit::unlimited(), 100);
    let mut person = canvass_core::Person::default();
    person.phones.push(canvass_core::Phone::parse(
        "+14048675309",
        canvass_core::PhoneKind::Mobile,
    ));
    hustle
        .write(&canvass_core::WriteOp::UpsertPerson {
            person: Box::new(person),
        })
        .await
        .unwrap();
    hustle
        .write(&canvass_core::WriteOp::ApplyTag {
            person_id: leads[0].id.clone(),
            tag_id: sim.tag_ids()[0].clone(),
        })
        .await
        .unwrap();
    let seen = requests(&sim);
    let unlisted = outside(&seen, &[Need::Required, Need::Optional]);
    assert!(unlisted.is_empty(), "routes not in ROUTES: {unlisted:?}");
    // Every listed route was exercised.
    for r in canvass_hustle::routes::ROUTES {
        let hit = seen.iter().any(|(s, _)| {
            let (method, path) = s.split_once(' ').unwrap_or((s, ""));
            r.matches(method, path)
        });
        assert!(hit, "{} {} was not called", r.method, r.path);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unconfigured_message_reads_are_unsupported_without_a_request() {
    let sim = HustleSim::seeded(3, 5, 5).await;
    let hustle = default_connector(&sim);
    let mut read = hustle.read(EntityKind::Messages, None);
    let err = read.next().await.unwrap().unwrap_err();
    assert!(matches!(err, Error::Unsupported { .. }), "{err}");
    assert_eq!(sim.control().stats().requests, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_configured_message_list_that_answers_404_is_not_offered_and_asked_once() {
    let sim = HustleSim::seeded(3, 5, 5).await;
    let hustle = HustleConnector::new(
        sim.client(None),
        ConnectorOptions {
            organization_id: Some(ORGANIZATION_ID.into()),
            // A route the simulator answers with Hustle's 404 body (one
            // message's read, for an id that does not exist).
            messages_path: Some("messages/no-such-list".into()),
            ..ConnectorOptions::default()
        },
    );
    assert!(hustle.info().reads.contains(&EntityKind::Messages));
    for kind in [EntityKind::Messages, EntityKind::ContactAttempts] {
        let mut read = hustle.read(kind.clone(), None);
        let err = read.next().await.unwrap().unwrap_err();
        assert!(err.is_not_offered(), "{kind}: {err}");
        assert!(
            err.to_string().contains("not offered by this account"),
            "{err}"
        );
        assert!(read.next().await.is_none());
    }
    let asked = sim
        .control()
        .stats()
        .by_route
        .get("GET /v3/messages/no-such-list")
        .copied();
    assert_eq!(asked, Some(1), "the missing route is detected once");
}
