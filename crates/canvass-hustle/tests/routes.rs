//! The connector and client call only the routes in the crate's route table
//! ([`canvass_hustle::routes::TABLE`], `src/routes.md`; required ones are in
//! Hustle's published v3 OpenAPI file), and a configured route the account
//! lacks is reported as not offered.

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns

use canvass_core::http::RateLimit;
use canvass_core::routes::Availability;
use canvass_core::{Connector, ConnectorExt, EntityKind, Error};
use canvass_hustle::models::{NewResource, Resource, Tag};
use canvass_hustle::routes::TABLE;
use canvass_hustle::simulator::{HustleSim, ORGANIZATION_ID};
use canvass_hustle::{ConnectorOptions, HustleConnector};
use futures::StreamExt;

/// Every request the simulator received, as `METHOD /path`.
fn requests(sim: &HustleSim) -> Vec<String> {
    sim.control().stats().by_route.into_keys().collect()
}

fn default_connector(sim: &HustleSim) -> HustleConnector {
    HustleConnector::new(sim.client(None), ConnectorOptions::default())
}

#[test]
fn every_row_of_the_route_table_parses() {
    assert_eq!(TABLE.errors(), [], "rows that do not parse");
    assert_eq!(TABLE.routes().len(), 16);
    for r in TABLE.routes() {
        assert!(r.path.starts_with("/v3/"), "{r:?}");
    }
}

#[test]
fn templates_match_one_segment() {
    let r = TABLE.find("GET", "/v3/messages/m1").map(|r| r.path);
    assert_eq!(r, Some("/v3/messages/{id}"));
    assert_eq!(
        TABLE.find("GET", "/v3/messages").map(|r| r.availability),
        Some(Availability::Optional)
    );
    assert!(TABLE.find("GET", "/v3/messages/").is_none());
    assert!(TABLE.find("DELETE", "/v3/leads").is_none());
    assert!(TABLE.find("GET", "/v3/webhook_registrations").is_none());
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
    assert!(seen.iter().any(|r| r == "GET /v3/leads"), "{seen:?}");
    let unpublished = TABLE.unlisted_as(&seen, Availability::Required);
    assert!(
        unpublished.is_empty(),
        "routes not in the table as required: {unpublished:?}"
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
    assert!(seen.iter().any(|r| r == "GET /v3/messages"), "{seen:?}");
    let unlisted = TABLE.unlisted(&seen);
    assert!(unlisted.is_empty(), "routes not in the table: {unlisted:?}");
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
    let unlisted = TABLE.unlisted(&seen);
    assert!(unlisted.is_empty(), "routes not in the table: {unlisted:?}");
    // Every listed route was exercised.
    let uncalled = TABLE.uncalled(&seen);
    assert!(uncalled.is_empty(), "not called: {uncalled:?}");
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
