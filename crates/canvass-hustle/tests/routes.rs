//! The connector calls only the routes in Hustle's published v3 OpenAPI
//! file (api-evangelist/hustle, `openapi/_original/hustle-openapi-original.json`),
//! and a configured route the account lacks is reported as not offered.

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns

use canvass_core::{Connector, ConnectorExt, EntityKind, Error};
use canvass_hustle::simulator::{HustleSim, ORGANIZATION_ID};
use canvass_hustle::{ConnectorOptions, HustleConnector};
use futures::StreamExt;

/// Every method and path in the published file's `paths` (servers: `/v3`).
const PUBLISHED: &[&str] = &[
    "POST /v3/oauth/token",
    "GET /v3/agents",
    "POST /v3/agents",
    "PUT /v3/agents/{id}",
    "GET /v3/custom_fields",
    "POST /v3/custom_fields",
    "GET /v3/groups",
    "POST /v3/groups",
    "GET /v3/integrations",
    "POST /v3/integrations",
    "PATCH /v3/integrations",
    "GET /v3/leads",
    "POST /v3/leads",
    "PATCH /v3/leads",
    "GET /v3/organizations",
    "GET /v3/tags",
    "POST /v3/tags",
    "GET /v3/webhook_registrations",
    "POST /v3/webhook_registrations",
];

fn published(route: &str) -> bool {
    PUBLISHED.iter().any(|p| match p.split_once("{id}") {
        Some((head, "")) => route.starts_with(head) && !route[head.len()..].contains('/'),
        _ => *p == route,
    })
}

fn default_connector(sim: &HustleSim) -> HustleConnector {
    HustleConnector::new(
        sim.client(None),
        ConnectorOptions {
            organization_id: Some(ORGANIZATION_ID.into()),
            ..ConnectorOptions::default()
        },
    )
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
    let routes = sim.control().stats().by_route;
    assert!(routes.contains_key("GET /v3/leads"), "{routes:?}");
    let unpublished: Vec<_> = routes.keys().filter(|r| !published(r)).collect();
    assert!(
        unpublished.is_empty(),
        "unpublished routes called: {unpublished:?}"
    );
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
