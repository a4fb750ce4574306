//! Mobilize's published example responses (`tests/fixtures/published`, see
//! its README for sources), decoded by the models and read through the
//! connector over loopback; and the simulator's objects held to the fields
//! those examples show.
#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns may panic

use std::collections::BTreeSet;

use canvass_core::http::RateLimit;
use canvass_core::{AttendanceStatus, Connector, EntityKind, Page, Record, SubscriptionStatus};
use canvass_mobilize::MobilizeConnector;
use canvass_mobilize::client::MobilizeClient;
use canvass_mobilize::connector::ConnectorOptions;
use canvass_mobilize::models::{Attendance, DeletedEvent, Envelope, Event, Person};
use canvass_mobilize::simulator::{MobilizeSim, SimOptions};
use futures::TryStreamExt;
use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const PEOPLE: &str = include_str!("fixtures/published/people.json");
const ATTENDANCES: &str = include_str!("fixtures/published/attendances.json");
const ORG_EVENTS: &str = include_str!("fixtures/published/events_organization.json");
const PUBLIC_EVENTS: &str = include_str!("fixtures/published/events.json");
const DELETED: &str = include_str!("fixtures/published/events_deleted.json");
const EMPTY: &str = r#"{"data": [], "error": null, "count": 0, "next": null, "previous": null}"#;

fn body(text: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(text.as_bytes().to_vec(), "application/json")
}

/// A Mobilize on loopback answering `route` with the published `text`.
async fn serve(server: &MockServer, route: &str, visibility: Option<&str>, text: &str) {
    let mut mock = Mock::given(method("GET")).and(path(route));
    if let Some(v) = visibility {
        mock = mock.and(query_param("visibility", v));
    }
    mock.respond_with(body(text)).mount(server).await;
}

/// Serves `public` as the organization's public events, no private ones,
/// and the published deleted events.
async fn events_server(public: &str) -> MockServer {
    let server = MockServer::start().await;
    let events = "/v1/organizations/42/events";
    serve(&server, events, Some("PUBLIC"), public).await;
    serve(&server, events, Some("PRIVATE"), EMPTY).await;
    serve(
        &server,
        "/v1/organizations/42/events/deleted",
        None,
        DELETED,
    )
    .await;
    server
}

fn connector(server: &MockServer) -> MobilizeConnector {
    let client = MobilizeClient::builder()
        .base_url(format!("{}/v1/", server.uri()).parse().unwrap())
        .api_key("k")
        .rate_limit(RateLimit::unlimited())
        .build()
        .unwrap();
    MobilizeConnector::new(client, ConnectorOptions::new(42))
}

async fn read(c: &MobilizeConnector, kind: EntityKind) -> Vec<Page> {
    c.read(kind, None).try_collect().await.unwrap()
}

fn records(pages: &[Page]) -> Vec<Record> {
    pages.iter().flat_map(|p| p.records.clone()).collect()
}

fn no_skipped_issues(pages: &[Page]) {
    let skipped: Vec<_> = pages
        .iter()
        .flat_map(|p| &p.issues)
        .filter(|i| i.skipped)
        .collect();
    assert!(skipped.is_empty(), "{skipped:?}");
}

fn data(text: &str) -> Vec<Value> {
    let v: Value = serde_json::from_str(text).unwrap();
    v["data"].as_array().unwrap().clone()
}

#[tokio::test]
async fn published_person_decodes_and_maps() {
    let env: Envelope<Vec<Person>> = serde_json::from_str(PEOPLE).unwrap();
    let p = &env.data.unwrap()[0];
    assert_eq!(p.canonical_id().as_deref(), Some("57"));
    assert_eq!(p.email(), Some("email@email.com"));

    let server = MockServer::start().await;
    serve(&server, "/v1/organizations/42/people", None, PEOPLE).await;
    let pages = read(&connector(&server), EntityKind::People).await;
    no_skipped_issues(&pages);
    let recs = records(&pages);
    let [Record::Person(person)] = recs.as_slice() else {
        panic!("{recs:?}")
    };
    assert_eq!(person.source.id, "57");
    assert_eq!(person.given_name.as_deref(), Some("myfirstname"));
    assert_eq!(person.family_name.as_deref(), Some("mylastname"));
    assert_eq!(person.modified_at.unwrap().timestamp(), 1536588703);
    assert_eq!(person.created_at.unwrap().timestamp(), 1536249605);
    assert_eq!(person.emails[0].address, "email@email.com");
    assert!(person.emails[0].valid && person.emails[0].primary);
    assert_eq!(person.addresses[0].postal_code.as_deref(), Some("11111"));
    // The example's phone is not a valid US number: kept as sent, reported.
    assert_eq!(person.phones.len(), 1);
    assert!(!person.phones[0].valid);
    assert_eq!(person.phones[0].sms_status, SubscriptionStatus::Subscribed);
    let issues: Vec<_> = pages.iter().flat_map(|p| &p.issues).collect();
    assert!(
        issues
            .iter()
            .any(|i| i.field == "phone_numbers[0].number" && !i.skipped),
        "{issues:?}"
    );
    assert_eq!(pages[0].raw[0].json, data(PEOPLE)[0]);
}

#[tokio::test]
async fn published_organization_events_decode_and_map_with_shifts_and_deletions() {
    let env: Envelope<Vec<Event>> = serde_json::from_str(ORG_EVENTS).unwrap();
    let decoded = env.data.unwrap();
    assert_eq!(decoded.len(), 2);
    let deleted: Envelope<Vec<DeletedEvent>> = serde_json::from_str(DELETED).unwrap();
    assert_eq!(deleted.data.unwrap().len(), 2);

    let server = events_server(ORG_EVENTS).await;
    let pages = read(&connector(&server), EntityKind::Events).await;
    no_skipped_issues(&pages);
    let recs = records(&pages);
    let events: Vec<&canvass_core::Event> = recs
        .iter()
        .filter_map(|r| match r {
            Record::Event(e) => Some(e),
            _ => None,
        })
        .collect();
    let ids: Vec<&str> = events.iter().map(|e| e.source.id.as_str()).collect();
    assert_eq!(ids, ["7659", "421"]);
    let test_event = events[0];
    assert_eq!(test_event.title, "Test Event");
    assert_eq!(test_event.event_type.as_deref(), Some("PHONE_BANK"));
    assert_eq!(test_event.timezone.as_deref(), Some("America/New_York"));
    assert_eq!(test_event.venue.as_deref(), Some("Test"));
    let loc = test_event.location.as_ref().unwrap();
    assert_eq!(loc.lines, ["123 Test Road"]);
    assert_eq!(
        (loc.locality.as_deref(), loc.postal_code.as_deref()),
        (Some("York"), Some("17404"))
    );
    assert_eq!(test_event.is_virtual, Some(false));
    assert_eq!(test_event.starts_at.unwrap().timestamp(), 2);
    assert_eq!(test_event.ends_at.unwrap().timestamp(), 4);
    assert_eq!(
        test_event.extra["contact"]["email_address"],
        "tester@test.org"
    );
    assert!(test_event.tags.is_empty());
    // The second event's address is private and has no geocoded point.
    let phonebank = events[1];
    assert_eq!(phonebank.extra["districts"]["congressional"], "20");
    assert!(phonebank.extra.get("geo").is_none());
    assert_eq!(phonebank.extra["address_visibility"], "PRIVATE");

    let shifts: Vec<(String, String, i64)> = recs
        .iter()
        .filter_map(|r| match r {
            Record::Shift(s) => Some((
                s.event.id.clone(),
                s.source.id.clone(),
                s.ends_at.unwrap().timestamp(),
            )),
            _ => None,
        })
        .collect();
    let expected: Vec<(String, String, i64)> = data(ORG_EVENTS)
        .iter()
        .flat_map(|e| {
            let event = e["id"].to_string();
            e["timeslots"]
                .as_array()
                .unwrap()
                .iter()
                .map(move |t| {
                    (
                        event.clone(),
                        t["id"].to_string(),
                        t["end_date"].as_i64().unwrap(),
                    )
                })
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(shifts, expected);

    let deletions: Vec<(String, i64)> = recs
        .iter()
        .filter_map(|r| match r {
            Record::Deletion(d) => Some((d.source.id.clone(), d.deleted_at.unwrap().timestamp())),
            _ => None,
        })
        .collect();
    assert_eq!(
        deletions,
        [("86765".into(), 1546705971), ("86782".into(), 1546912779)]
    );
}

#[tokio::test]
async fn published_public_events_page_decodes_and_maps() {
    let env: Envelope<Vec<Event>> = serde_json::from_str(PUBLIC_EVENTS).unwrap();
    let event = &env.data.unwrap()[0];
    assert_eq!(
        event.location.as_ref().unwrap().congressional().as_deref(),
        Some("18")
    );

    let server = events_server(PUBLIC_EVENTS).await;
    let pages = read(&connector(&server), EntityKind::Shifts).await;
    no_skipped_issues(&pages);
    let recs = records(&pages);
    let [Record::Shift(shift)] = recs.as_slice() else {
        panic!("{recs:?}")
    };
    assert_eq!(
        (shift.source.id.as_str(), shift.event.id.as_str()),
        ("526226", "86738")
    );
    assert_eq!(shift.starts_at.unwrap().timestamp(), 1547330400);
    assert_eq!(shift.ends_at.unwrap().timestamp(), 1547335800);

    let recs = records(&read(&connector(&server), EntityKind::Events).await);
    let Some(Record::Event(e)) = recs.first() else {
        panic!("{recs:?}")
    };
    assert_eq!(e.title, "Student Voter Initiative Training");
    assert_eq!(
        e.extra["districts"],
        json!({"congressional": "18", "state_leg": "142"})
    );
    assert_eq!(e.extra["sponsor"]["name"], "Battleground Texas");
}

#[tokio::test]
async fn published_tags_lists_map_to_no_tags() {
    // The published events carry `tags: []` (the README documents a tag
    // only as `{id, name}` on an event): nothing to read, and no error.
    let server = events_server(ORG_EVENTS).await;
    let pages = read(&connector(&server), EntityKind::Tags).await;
    no_skipped_issues(&pages);
    assert!(records(&pages).is_empty());
}

#[tokio::test]
async fn published_attendance_decodes_and_maps() {
    let env: Envelope<Vec<Attendance>> = serde_json::from_str(ATTENDANCES).unwrap();
    let a = &env.data.unwrap()[0];
    assert_eq!(a.canonical_id(), "198");
    assert!(
        a.event.as_ref().unwrap().timeslots.is_empty(),
        "timeslots: null"
    );

    let server = MockServer::start().await;
    serve(
        &server,
        "/v1/organizations/42/attendances",
        None,
        ATTENDANCES,
    )
    .await;
    let pages = read(&connector(&server), EntityKind::Attendances).await;
    no_skipped_issues(&pages);
    let recs = records(&pages);
    let [Record::Attendance(att)] = recs.as_slice() else {
        panic!("{recs:?}")
    };
    assert_eq!(att.source.id, "198");
    assert_eq!(att.person.id, "57");
    assert_eq!(att.event.id, "345");
    assert_eq!(att.shift.as_ref().map(|s| s.id.as_str()), Some("1"));
    assert_eq!(
        att.status,
        AttendanceStatus::Registered,
        "REGISTERED, attended null"
    );
    assert_eq!(att.modified_at.unwrap().timestamp(), 1536588703);
    assert_eq!(att.extra["referrer"]["utm_campaign"], "string");
    assert_eq!(att.extra["event_type"], "TRAINING");
    assert_eq!(att.extra["sponsor_id"], 15);
}

/// Keys with the README's `_value` district spelling folded onto the field
/// table's, since the docs use both.
fn keys(v: &serde_json::Map<String, Value>) -> BTreeSet<String> {
    v.keys()
        .map(|k| k.strip_suffix("_value").unwrap_or(k).to_string())
        .collect()
}

/// Every field of the published `example` is in the simulator's `ours`,
/// recursively through objects and the first element of arrays.
fn covers(at: &str, example: &Value, ours: &Value, missing: &mut Vec<String>) {
    match (example, ours) {
        (Value::Object(e), Value::Object(o)) => {
            let have = keys(o);
            for (k, v) in e {
                let k = k.strip_suffix("_value").unwrap_or(k);
                if !have.contains(k) {
                    missing.push(format!("{at}.{k}"));
                    continue;
                }
                let theirs = o.get(k).or_else(|| o.get(&format!("{k}_value")));
                if let Some(theirs) = theirs {
                    covers(&format!("{at}.{k}"), v, theirs, missing);
                }
            }
        }
        (Value::Array(e), Value::Array(o)) => {
            if let (Some(e), Some(o)) = (e.first(), o.first()) {
                covers(&format!("{at}[0]"), e, o, missing);
            }
        }
        _ => {}
    }
}

/// The simulator's first item of a list with the most fields (so optional
/// ones it serves only sometimes are there).
async fn fullest(client: &MobilizeClient, path: &str) -> Value {
    let url = client.http().base_url().join(path).unwrap();
    let page = client.raw_page(url.as_str(), false).await.unwrap();
    page.items
        .into_iter()
        .max_by_key(|v| v.as_object().map_or(0, |o| o.len()))
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_simulator_serves_every_field_the_published_examples_show() {
    let sim = MobilizeSim::start(SimOptions {
        rate_limit: None,
        ..SimOptions::small()
    })
    .await;
    let client = sim.client_builder().build().unwrap();
    let ours = [
        (
            "people",
            fullest(&client, "organizations/42/people?per_page=100").await,
        ),
        (
            "events",
            fullest(&client, "organizations/42/events?per_page=100").await,
        ),
        (
            "deleted",
            fullest(&client, "organizations/42/events/deleted").await,
        ),
        (
            "attendances",
            fullest(&client, "organizations/42/attendances?per_page=100").await,
        ),
    ];
    let published = [
        ("people", data(PEOPLE)),
        ("events", data(ORG_EVENTS)),
        ("events", data(PUBLIC_EVENTS)),
        ("deleted", data(DELETED)),
        ("attendances", data(ATTENDANCES)),
    ];
    let mut missing = Vec::new();
    for (name, examples) in &published {
        let (_, sim_item) = ours.iter().find(|(n, _)| n == name).unwrap();
        for example in examples {
            covers(name, example, sim_item, &mut missing);
        }
    }
    missing.sort();
    missing.dedup();
    assert!(
        missing.is_empty(),
        "fields the published examples show that the simulator does not serve: {missing:?}"
    );
}
