//! Action Network's published example responses
//! (`tests/fixtures/published`, see its README for sources), decoded by the
//! models and read through the connector over loopback; and the simulator's
//! resources held to the fields those examples show.

#![cfg(feature = "simulator")]
#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers in tests may panic

use canvass_actionnetwork::client::HalPage;
use canvass_actionnetwork::models::{
    Attendance, Donation, Event, Person, Resource, Submission, Tag, Tagging,
};
use canvass_actionnetwork::simulator::{ActionNetworkSim, SimConfig};
use canvass_actionnetwork::{ActionNetworkClient, ActionNetworkConnector};
use canvass_core::http::RateLimit;
use canvass_core::{
    AttendanceStatus, Connector, EntityKind, Page, Record, Recurrence, SubscriptionStatus,
};
use futures::TryStreamExt;
use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const PEOPLE: &str = include_str!("fixtures/published/people.json");
const TAGS: &str = include_str!("fixtures/published/tags.json");
const TAGGINGS: &str = include_str!("fixtures/published/taggings.json");
const EVENTS: &str = include_str!("fixtures/published/events.json");
const ATTENDANCES: &str = include_str!("fixtures/published/attendances.json");
const DONATIONS: &str = include_str!("fixtures/published/donations.json");
const SUBMISSIONS: &str = include_str!("fixtures/published/submissions.json");
const SIGNATURES: &str = include_str!("fixtures/published/signatures.json");

/// The published page as page 1 of `route`; every later page is empty, as
/// Action Network answers past the last page.
async fn serve(server: &MockServer, route: &str, text: &str) {
    Mock::given(method("GET"))
        .and(path(route))
        .and(query_param("page", "1"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(text.as_bytes().to_vec(), "application/hal+json"),
        )
        .with_priority(1)
        .mount(server)
        .await;
    let collection = route.rsplit('/').next().unwrap();
    Mock::given(method("GET"))
        .and(path(route))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"_embedded": {format!("osdi:{collection}"): []}})),
        )
        .mount(server)
        .await;
}

fn connector(server: &MockServer) -> ActionNetworkConnector {
    let client = ActionNetworkClient::builder("k")
        .base_url(format!("{}/api/v2/", server.uri()).parse().unwrap())
        .rate_limit(RateLimit::unlimited())
        .build()
        .unwrap();
    ActionNetworkConnector::new(client)
}

async fn read(c: &ActionNetworkConnector, kind: EntityKind) -> Vec<Page> {
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

/// The items of a published page, and each decoded as `T`.
fn items<T: serde::de::DeserializeOwned>(text: &str, collection: &str) -> (Vec<Value>, Vec<T>) {
    let body: Value = serde_json::from_str(text).unwrap();
    let page = HalPage::from_json(collection, 1, &body);
    let decoded = page.decode::<T>().into_iter().map(|r| r.unwrap()).collect();
    (page.items, decoded)
}

#[tokio::test]
async fn published_people_decode_and_map() {
    let (_, people) = items::<Person>(PEOPLE, "people");
    assert_eq!(people.len(), 2);
    assert_eq!(people[0].id().as_deref(), Some("fake_person_id_1"));

    let server = MockServer::start().await;
    serve(&server, "/api/v2/people", PEOPLE).await;
    let pages = read(&connector(&server), EntityKind::People).await;
    no_skipped_issues(&pages);
    let people: Vec<canvass_core::Person> = records(&pages)
        .into_iter()
        .filter_map(|r| match r {
            Record::Person(p) => Some(p),
            _ => None,
        })
        .collect();
    let names: Vec<(&str, Option<&str>, Option<&str>)> = people
        .iter()
        .map(|p| {
            (
                p.source.id.as_str(),
                p.given_name.as_deref(),
                p.family_name.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            ("fake_person_id_1", Some("Fakey"), Some("McFakerson")),
            ("fake_person_id_2", Some("Faker"), Some("McEvenFakerson"))
        ]
    );
    let ana = &people[0];
    assert_eq!(
        ana.emails[0].address,
        "fake_customer_email_1@fake_customer_email.com"
    );
    assert_eq!(ana.emails[0].status, SubscriptionStatus::Subscribed);
    assert!(ana.emails[0].primary);
    assert_eq!(ana.languages, ["en"]);
    // The example's address has an empty region: absent, not "".
    assert_eq!(ana.addresses[0].region, None);
    assert_eq!(ana.addresses[0].country.as_deref(), Some("US"));
    // `2019-02-29` does not exist: the person is kept, the date reported
    // and kept verbatim.
    assert_eq!(ana.modified_at, None);
    assert_eq!(ana.extra["modified_date"], "2019-02-29T00:00:00.000+0000");
    let issues: Vec<_> = pages.iter().flat_map(|p| &p.issues).collect();
    assert!(
        issues
            .iter()
            .any(|i| i.record == "fake_person_id_1" && i.field == "modified_date" && !i.skipped),
        "{issues:?}"
    );
}

#[tokio::test]
async fn published_tags_and_taggings_decode_and_map() {
    let (_, tags) = items::<Tag>(TAGS, "tags");
    assert_eq!(tags[1].name.as_deref(), Some("Economic Justice"));
    let (_, taggings) = items::<Tagging>(TAGGINGS, "taggings");
    assert_eq!(
        taggings[0].linked_id("osdi:person").as_deref(),
        Some("fake_id")
    );

    let server = MockServer::start().await;
    serve(&server, "/api/v2/tags", TAGS).await;
    serve(&server, "/api/v2/tags/fake_id/taggings", TAGGINGS).await;
    let c = connector(&server);

    let pages = read(&c, EntityKind::Tags).await;
    no_skipped_issues(&pages);
    let tags: Vec<(String, String)> = records(&pages)
        .into_iter()
        .filter_map(|r| match r {
            Record::Tag(t) => Some((t.source.id, t.name)),
            _ => None,
        })
        .collect();
    assert_eq!(
        tags,
        [
            ("fake_id".into(), "Volunteers".into()),
            ("fake_id".into(), "Economic Justice".into())
        ]
    );

    let pages = read(&c, EntityKind::Taggings).await;
    no_skipped_issues(&pages);
    let taggings: Vec<(String, String, i64)> = records(&pages)
        .into_iter()
        .filter_map(|r| match r {
            Record::Tagging(t) => Some((t.tag.id, t.person.id, t.modified_at.unwrap().timestamp())),
            _ => None,
        })
        .collect();
    // Both published tags share the id `fake_id`, so its taggings are
    // walked once per tag.
    let once = [
        ("fake_id".to_string(), "fake_id".to_string(), 1395181538),
        ("fake_id".to_string(), "fake_id".to_string(), 1395181464),
    ];
    assert_eq!(taggings, [once.clone(), once].concat());
}

#[tokio::test]
async fn published_events_and_attendances_decode_and_map() {
    let (_, events) = items::<Event>(EVENTS, "events");
    assert_eq!(events[0].title.as_deref(), Some("House Party for Justice"));
    let (_, rsvps) = items::<Attendance>(ATTENDANCES, "attendances");
    assert_eq!(rsvps[0].person_id.as_deref(), Some("fake_id"));

    let server = MockServer::start().await;
    serve(&server, "/api/v2/events", EVENTS).await;
    serve(&server, "/api/v2/events/fake_id/attendances", ATTENDANCES).await;
    let c = connector(&server);

    let pages = read(&c, EntityKind::Events).await;
    no_skipped_issues(&pages);
    let events: Vec<canvass_core::Event> = records(&pages)
        .into_iter()
        .filter_map(|r| match r {
            Record::Event(e) => Some(e),
            _ => None,
        })
        .collect();
    assert_eq!(events.len(), 2);
    let party = &events[0];
    assert_eq!(party.source.id, "fake_id");
    assert_eq!(party.title, "House Party for Justice");
    assert_eq!(party.starts_at, None, "the example has no start_date");
    assert_eq!(party.venue.as_deref(), Some("My House"));
    assert_eq!(party.visibility.as_deref(), Some("public"));
    let loc = party.location.as_ref().unwrap();
    assert_eq!(loc.lines, ["1600 Pennsylvania Ave"]);
    assert_eq!(loc.postal_code.as_deref(), Some("20009"));
    assert_eq!(party.extra["capacity"], 10);
    assert_eq!(party.extra["status"], "confirmed");
    let screening = &events[1];
    assert_eq!(screening.title, "Movie Screening");
    assert_eq!(
        screening.starts_at.unwrap().to_rfc3339(),
        "2014-03-22T17:45:00+00:00"
    );
    assert_eq!(
        screening.browser_url.as_deref(),
        Some("https://actionnetwork.org/events/movie-screening")
    );
    assert_eq!(
        screening.description.as_deref(),
        Some("<p>Come watch this awesome movie!</p>")
    );

    let pages = read(&c, EntityKind::Attendances).await;
    no_skipped_issues(&pages);
    let rsvps: Vec<(String, String, String, AttendanceStatus)> = records(&pages)
        .into_iter()
        .filter_map(|r| match r {
            Record::Attendance(a) => Some((a.source.id, a.person.id, a.event.id, a.status)),
            _ => None,
        })
        .collect();
    let once = [
        (
            "d51ca19e-9fe9-11e3-a2e9-12313d316c29".to_string(),
            "fake_id".to_string(),
            "fake_id".to_string(),
            AttendanceStatus::Registered,
        ),
        (
            "fake_id".to_string(),
            "fake_id".to_string(),
            "fake_id".to_string(),
            AttendanceStatus::Registered,
        ),
    ];
    // Both published events share the id `fake_id`: walked once each.
    assert_eq!(rsvps, [once.clone(), once].concat());
}

#[tokio::test]
async fn published_donations_decode_and_map() {
    let (_, donations) = items::<Donation>(DONATIONS, "donations");
    assert_eq!(donations[0].amount.as_deref(), Some("20.01"));

    let server = MockServer::start().await;
    serve(&server, "/api/v2/donations", DONATIONS).await;
    let pages = read(&connector(&server), EntityKind::Donations).await;
    no_skipped_issues(&pages);
    let donations: Vec<canvass_core::Donation> = records(&pages)
        .into_iter()
        .filter_map(|r| match r {
            Record::Donation(d) => Some(d),
            _ => None,
        })
        .collect();
    let got: Vec<(&str, i64, &str, Recurrence, Option<&str>)> = donations
        .iter()
        .map(|d| {
            (
                d.source.id.as_str(),
                d.amount_minor,
                d.currency.as_str(),
                d.recurrence.clone(),
                d.person.as_ref().map(|p| p.id.as_str()),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "f1119c4e-b8ca-44ff-bfa7-f78f7ca3ec16",
                2001,
                "USD",
                Recurrence::Monthly,
                Some("fake_id")
            ),
            (
                "d86538c1-e8f7-46e1-8320-552da81bd48d",
                2000,
                "USD",
                Recurrence::OneTime,
                Some("fake_id")
            )
        ]
    );
    assert_eq!(
        donations[0].received_at.unwrap().to_rfc3339(),
        "2014-03-27T17:42:21+00:00"
    );
    assert_eq!(
        donations[0].extra["recipients"][2]["display_name"],
        "Jane Black"
    );
}

#[tokio::test]
async fn published_submissions_and_signatures_decode_and_map() {
    // The submissions example spells the person `action:person_id`.
    let (_, submissions) = items::<Submission>(SUBMISSIONS, "submissions");
    assert!(
        submissions
            .iter()
            .all(|s| s.person_id.as_deref() == Some("fake_id")),
        "{submissions:?}"
    );
    let (_, signatures) = items::<Submission>(SIGNATURES, "signatures");
    assert_eq!(
        signatures[0].person_id.as_deref(),
        Some("699da712-929f-11e3-a2e9-12313d316c29")
    );

    let server = MockServer::start().await;
    // The forms and petitions walked: one each, by the id the published
    // submissions and signatures link to.
    let parent = |coll: &str| {
        json!({"_embedded": {format!("osdi:{coll}"): [{"identifiers": ["action_network:fake_id"]}]}})
            .to_string()
    };
    serve(&server, "/api/v2/forms", &parent("forms")).await;
    serve(&server, "/api/v2/petitions", &parent("petitions")).await;
    serve(&server, "/api/v2/forms/fake_id/submissions", SUBMISSIONS).await;
    serve(&server, "/api/v2/petitions/fake_id/signatures", SIGNATURES).await;
    let pages = read(&connector(&server), EntityKind::Actions).await;
    no_skipped_issues(&pages);
    let actions: Vec<(String, Option<String>, String, Option<String>)> = records(&pages)
        .into_iter()
        .filter_map(|r| match r {
            Record::Action(a) => Some((
                a.source.id,
                a.person.map(|p| p.id),
                a.action_type,
                a.target.map(|t| t.id),
            )),
            _ => None,
        })
        .collect();
    let s = |id: &str, person: &str, kind: &str| {
        (
            id.to_string(),
            Some(person.to_string()),
            kind.to_string(),
            Some("fake_id".to_string()),
        )
    };
    assert_eq!(
        actions,
        [
            s("fake_id", "fake_id", "form_submission"),
            s("fake_id", "fake_id", "form_submission"),
            s(
                "fake_id",
                "699da712-929f-11e3-a2e9-12313d316c29",
                "petition_signature"
            ),
            s(
                "71497ab2-b3e7-4896-af46-126ac7287dab",
                "fake_id",
                "petition_signature"
            ),
        ]
    );
}

/// Every field of the published `example` is in the simulator's `ours`,
/// recursively through objects (arrays by their first element). The
/// submissions example's `action:person_id` is the docs' field table's
/// `action_network:person_id`, which the simulator serves.
fn covers(at: &str, example: &Value, ours: &Value, missing: &mut Vec<String>) {
    match (example, ours) {
        (Value::Object(e), Value::Object(o)) => {
            for (k, v) in e {
                let k = match k.strip_prefix("action:") {
                    Some(rest) => format!("action_network:{rest}"),
                    None => k.clone(),
                };
                match o.get(&k) {
                    None => missing.push(format!("{at}.{k}")),
                    Some(theirs) => covers(&format!("{at}.{k}"), v, theirs, missing),
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

/// The simulator's page 1 of `path`, and its item with the most fields.
async fn sim_page(client: &ActionNetworkClient, path: &str) -> (Value, Value) {
    let collection = path.rsplit('/').next().unwrap().to_string();
    let body: Value = client
        .http()
        .get(path)
        .query_pair("page", "1")
        .send_json(path)
        .await
        .unwrap();
    let fullest = HalPage::from_json(&collection, 1, &body)
        .items
        .into_iter()
        .max_by_key(|v| v.as_object().map_or(0, |o| o.len()))
        .unwrap();
    (body, fullest)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_simulator_serves_every_field_the_published_examples_show() {
    let sim = ActionNetworkSim::start(SimConfig::default()).await;
    let client = sim
        .client_builder()
        .rate_limit(RateLimit::unlimited())
        .build()
        .unwrap();
    let tag = sim.collection_ids("tags")[0].clone();
    let event = sim.collection_ids("events")[0].clone();
    let form = sim.collection_ids("forms")[0].clone();
    let petition = sim.collection_ids("petitions")[0].clone();
    let cases = [
        ("people", PEOPLE),
        ("tags", TAGS),
        (&format!("tags/{tag}/taggings"), TAGGINGS),
        ("events", EVENTS),
        (&format!("events/{event}/attendances"), ATTENDANCES),
        ("donations", DONATIONS),
        (&format!("forms/{form}/submissions"), SUBMISSIONS),
        (&format!("petitions/{petition}/signatures"), SIGNATURES),
    ];
    let mut missing = Vec::new();
    for (path, text) in cases {
        let collection = path.rsplit('/').next().unwrap();
        let (page, item) = sim_page(&client, path).await;
        let published: Value = serde_json::from_str(text).unwrap();
        // The page's own fields (paging, links), then each example item.
        for (k, _) in published.as_object().unwrap() {
            if k != "_embedded" && k != "_links" && page.get(k).is_none() {
                missing.push(format!("{path} page.{k}"));
            }
        }
        for example in HalPage::from_json(collection, 1, &published).items {
            covers(path, &example, &item, &mut missing);
        }
    }
    missing.sort();
    missing.dedup();
    assert!(
        missing.is_empty(),
        "fields the published examples show that the simulator does not serve: {missing:#?}"
    );
}
