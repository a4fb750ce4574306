//! The connector and client call only the routes in the crate's route table
//! ([`canvass_strive::routes::TABLE`], `src/routes.md`).

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns

use canvass_core::routes::Availability;
use canvass_core::{Connector, ConnectorExt, Person, Phone, PhoneKind, WriteOp};
use canvass_strive::client::Table;
use canvass_strive::models::{NewMember, Row};
use canvass_strive::routes::TABLE;
use canvass_strive::simulator::StriveSim;
use canvass_strive::{ConnectorOptions, StriveConnector};

/// Every request the simulator received, as `METHOD /path`.
fn requests(sim: &StriveSim) -> Vec<String> {
    sim.control().stats().by_route.into_keys().collect()
}

#[test]
fn every_row_of_the_route_table_parses() {
    assert_eq!(TABLE.errors(), [], "rows that do not parse");
    assert_eq!(TABLE.routes().len(), 14);
}

#[test]
fn every_table_the_client_reads_is_listed() {
    for table in Table::ALL {
        let path = format!("/{}", table.path());
        assert!(TABLE.find("GET", &path).is_some(), "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_pull_of_every_read_with_default_options_calls_only_listed_routes() {
    let sim = StriveSim::seeded(3, 60, 300).await;
    let strive = StriveConnector::new(sim.client(None), ConnectorOptions::default());
    strive.check().await.unwrap();
    for kind in &strive.info().reads {
        let records = strive.read_all(kind.clone()).await.unwrap();
        assert!(!records.is_empty(), "{kind}");
    }
    let seen = requests(&sim);
    for read in [
        "GET /members",
        "GET /outgoing_messages",
        "GET /incoming_messages",
        "GET /subscription_events",
        "GET /groups",
    ] {
        assert!(
            seen.iter().any(|r| r == read),
            "{read} not called: {seen:?}"
        );
    }
    let unlisted = TABLE.unlisted(&seen);
    assert!(unlisted.is_empty(), "routes not in the table: {unlisted:?}");
    // Of the optional tables, the connector reads only groups (tags).
    let optional = TABLE.unlisted_as(&seen, Availability::Required);
    assert_eq!(optional, ["GET /groups"], "{seen:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_client_table_and_write_calls_a_listed_route_and_every_route_is_called() {
    let sim = StriveSim::seeded(3, 10, 20).await;
    let client = sim.client(None);
    client.ping().await.unwrap();
    for table in Table::ALL {
        let _: Vec<serde_json::Value> = client.table(table).list().limit(5).send().await.unwrap();
    }
    let _: Vec<Row> = client.groups().list().all().await.unwrap();
    client
        .members()
        .create(&NewMember {
            phone_number: "+14048675309".into(),
            opt_in: true,
            ..NewMember::default()
        })
        .await
        .unwrap();
    let strive = StriveConnector::new(client, ConnectorOptions::default());
    let mut person = Person::default();
    person
        .phones
        .push(Phone::parse("+14048675310", PhoneKind::Mobile));
    strive
        .write(&WriteOp::UpsertPerson {
            person: Box::new(person),
        })
        .await
        .unwrap();
    let seen = requests(&sim);
    let unlisted = TABLE.unlisted(&seen);
    assert!(unlisted.is_empty(), "routes not in the table: {unlisted:?}");
    let uncalled = TABLE.uncalled(&seen);
    assert!(uncalled.is_empty(), "not called: {uncalled:?}; {seen:?}");
}
