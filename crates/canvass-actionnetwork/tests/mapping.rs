//! Mapping of recorded-shape Action Network JSON (served by the simulator
//! exactly as given) onto the canonical model.

#![cfg(feature = "simulator")]
#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers in tests may panic

use canvass_actionnetwork::ActionNetworkConnector;
use canvass_actionnetwork::simulator::{ActionNetworkSim, SimConfig};
use canvass_core::http::RateLimit;
use canvass_core::{
    AttendanceStatus, Connector, EntityKind, Page, PhoneKind, Record, Recurrence,
    SubscriptionStatus,
};
use futures::TryStreamExt;
use serde_json::json;

fn empty() -> SimConfig {
    SimConfig {
        people: 0,
        tags: 0,
        events: 0,
        fundraising_pages: 0,
        donation_every: 0,
        forms: 0,
        petitions: 0,
        lists: 0,
        messages: 0,
        ..SimConfig::default()
    }
}

async fn read(sim: &ActionNetworkSim, kind: EntityKind) -> Vec<Page> {
    let client = sim
        .client_builder()
        .rate_limit(RateLimit::unlimited())
        .build()
        .unwrap();
    ActionNetworkConnector::new(client)
        .read(kind, None)
        .try_collect()
        .await
        .unwrap()
}

fn records(pages: &[Page]) -> Vec<Record> {
    pages.iter().flat_map(|p| p.records.clone()).collect()
}

/// The person of the API docs, with a field canvass does not know, an
/// invalid phone and Action Network's two-word statuses.
fn docs_person() -> serde_json::Value {
    json!({
        "identifiers": ["action_network:d91b4b2e-ae0e-4cd3-9ed7-d0ec501b0bc3", "van:12345"],
        "created_date": "2014-03-20T21:04:31Z", "modified_date": "2014-03-20T21:04:31Z",
        "given_name": "Fakey", "family_name": "McFakerson",
        "email_addresses": [{"primary": true, "address": "F@X.COM", "status": "previous bounce"}],
        "phone_numbers": [
            {"primary": true, "number": "12024444444", "number_type": "Mobile", "status": "subscribed"},
            {"primary": false, "number": "555-0143", "status": "unsubscribed"}
        ],
        "postal_addresses": [{"primary": true, "locality": "Washington", "region": "DC", "postal_code": "20009", "country": "US",
                              "location": {"latitude": 38.919, "longitude": -77.0378, "accuracy": null}}],
        "languages_spoken": ["en"], "custom_fields": {"Employer": "ACME"},
        "action_network:new_thing": {"flag": true},
        "_links": {"self": {"href": "https://actionnetwork.org/api/v2/people/d91b4b2e-ae0e-4cd3-9ed7-d0ec501b0bc3"}}
    })
}

#[tokio::test]
async fn docs_person_maps_with_statuses_unknown_fields_and_an_invalid_phone_kept() {
    let sim = ActionNetworkSim::start(empty()).await;
    sim.insert_raw("people", docs_person());
    let pages = read(&sim, EntityKind::People).await;
    let recs = records(&pages);
    let [Record::Person(p)] = recs.as_slice() else {
        panic!("{recs:?}")
    };
    assert_eq!(p.source.system, "actionnetwork");
    assert_eq!(p.source.id, "d91b4b2e-ae0e-4cd3-9ed7-d0ec501b0bc3");
    assert_eq!(p.given_name.as_deref(), Some("Fakey"));
    assert_eq!(
        p.modified_at.map(|t| t.to_rfc3339()).as_deref(),
        Some("2014-03-20T21:04:31+00:00")
    );
    assert_eq!(p.emails[0].address, "F@x.com");
    assert_eq!(p.emails[0].status, SubscriptionStatus::PreviousBounce);
    assert!(p.emails[0].primary);
    assert_eq!(p.phones[0].number, "+12024444444");
    assert_eq!(p.phones[0].kind, PhoneKind::Mobile);
    assert_eq!(p.phones[0].sms_status, SubscriptionStatus::Subscribed);
    assert!(!p.phones[1].valid);
    assert_eq!(p.phones[1].number, "555-0143");
    assert!(p.phones[1].sms_status.is_opted_out());
    assert_eq!(p.addresses[0].postal_code.as_deref(), Some("20009"));
    assert_eq!(p.custom_fields["Employer"], json!("ACME"));
    assert_eq!(p.external_ids[0].system, "van");
    assert_eq!(p.external_ids[0].id, "12345");
    assert_eq!(p.extra["action_network:new_thing"], json!({"flag": true}));
    let issues: Vec<_> = pages.iter().flat_map(|p| &p.issues).collect();
    assert_eq!(issues.len(), 1, "{issues:?}");
    assert_eq!(issues[0].field, "phone_numbers[1].number");
    assert!(!issues[0].skipped);
    assert_eq!(pages[0].raw[0].json, docs_person());
}

#[tokio::test]
async fn person_with_only_an_id_and_an_email_maps_without_issues() {
    let sim = ActionNetworkSim::start(empty()).await;
    sim.insert_raw(
        "people",
        json!({"identifiers": ["action_network:abc"], "email_addresses": [{"address": "a@b.org"}]}),
    );
    let pages = read(&sim, EntityKind::People).await;
    let recs = records(&pages);
    let [Record::Person(p)] = recs.as_slice() else {
        panic!("{recs:?}")
    };
    assert_eq!(p.source.id, "abc");
    assert_eq!(p.emails[0].status, SubscriptionStatus::Unknown);
    assert!(p.phones.is_empty() && p.given_name.is_none() && p.modified_at.is_none());
    assert!(pages.iter().all(|p| p.issues.is_empty()));
}

#[tokio::test]
async fn a_bad_record_is_skipped_with_its_field_named_and_the_page_goes_on() {
    let sim = ActionNetworkSim::start(empty()).await;
    sim.insert_raw(
        "people",
        json!({"identifiers": ["action_network:good-1"], "given_name": "Ana"}),
    );
    sim.insert_raw(
        "people",
        json!({"identifiers": ["action_network:bad-1"], "given_name": 42}),
    );
    sim.insert_raw(
        "people",
        json!({"identifiers": ["action_network:good-2"], "modified_date": "last tuesday"}),
    );
    let pages = read(&sim, EntityKind::People).await;
    let ids: Vec<String> = records(&pages)
        .iter()
        .map(|r| r.source().id.clone())
        .collect();
    assert_eq!(ids, vec!["good-1", "good-2"]);
    let issues: Vec<_> = pages.iter().flat_map(|p| &p.issues).collect();
    let bad = issues
        .iter()
        .find(|i| i.record == "bad-1")
        .expect("issue for bad-1");
    assert!(bad.skipped);
    assert_eq!(bad.field, "given_name");
    let date = issues
        .iter()
        .find(|i| i.record == "good-2")
        .expect("issue for good-2");
    assert!(!date.skipped);
    assert_eq!(date.field, "modified_date");
    // Nothing lost: the skipped record's raw JSON is on the page.
    assert!(
        pages
            .iter()
            .flat_map(|p| &p.raw)
            .any(|r| r.source.id == "bad-1")
    );
    let Record::Person(p) = &records(&pages)[1] else {
        panic!()
    };
    assert_eq!(p.extra["modified_date"], json!("last tuesday"));
}

#[tokio::test]
async fn attendance_statuses_map_and_an_unknown_one_is_kept_as_other() {
    let sim = ActionNetworkSim::start(SimConfig {
        events: 1,
        ..empty()
    })
    .await;
    let event = sim.collection_ids("events")[0].clone();
    for (i, status) in [
        "accepted",
        "tentative",
        "declined",
        "needs action",
        "waitlisted",
    ]
    .iter()
    .enumerate()
    {
        sim.insert_raw(
            &format!("events/{event}/attendances"),
            json!({"identifiers": [format!("action_network:att-{i}")], "created_date": "2014-02-18T20:52:59Z",
                   "modified_date": "2014-02-18T20:53:00Z", "status": status,
                   "action_network:person_id": format!("p-{i}"), "action_network:event_id": event,
                   "_links": {"osdi:person": {"href": format!("https://actionnetwork.org/api/v2/people/p-{i}")}}}),
        );
    }
    let pages = read(&sim, EntityKind::Attendances).await;
    let statuses: Vec<AttendanceStatus> = records(&pages)
        .into_iter()
        .map(|r| match r {
            Record::Attendance(a) => {
                assert_eq!(a.event.id, event);
                a.status
            }
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        statuses,
        vec![
            AttendanceStatus::Registered,
            AttendanceStatus::Tentative,
            AttendanceStatus::Declined,
            AttendanceStatus::Invited,
            AttendanceStatus::Other("waitlisted".into()),
        ]
    );
    let issues: Vec<_> = pages.iter().flat_map(|p| &p.issues).collect();
    assert_eq!(issues.len(), 1);
    assert_eq!(
        (
            issues[0].record.as_str(),
            issues[0].field.as_str(),
            issues[0].skipped
        ),
        ("att-4", "status", false)
    );
}

#[tokio::test]
async fn donations_become_minor_units_and_a_bad_amount_is_skipped_by_name() {
    let sim = ActionNetworkSim::start(empty()).await;
    sim.insert_raw("donations", json!({
        "identifiers": ["action_network:don-1"], "created_date": "2014-03-27T17:42:21Z", "modified_date": "2014-03-27T17:42:24Z",
        "currency": "usd", "amount": "25.5",
        "recipients": [{"display_name": "Campaign", "amount": "25.5"}],
        "payment": {"method": "Credit Card", "reference_number": "r1", "authorization_stored": false},
        "action_network:recurrence": {"recurring": true, "period": "Monthly"},
        "action_network:person_id": "p-1", "action_network:fundraising_page_id": "fp-1"
    }));
    sim.insert_raw(
        "donations",
        json!({"identifiers": ["action_network:don-2"], "amount": "12.345", "currency": "USD"}),
    );
    let pages = read(&sim, EntityKind::Donations).await;
    let recs = records(&pages);
    let [Record::Donation(d)] = recs.as_slice() else {
        panic!("{recs:?}")
    };
    assert_eq!(d.amount_minor, 2550);
    assert_eq!(d.currency, "USD");
    assert_eq!(d.recurrence, Recurrence::Monthly);
    assert_eq!(d.person.as_ref().map(|p| p.id.as_str()), Some("p-1"));
    assert_eq!(d.extra["fundraising_page_id"], json!("fp-1"));
    assert_eq!(d.extra["payment"]["reference_number"], json!("r1"));
    let issue = pages.iter().flat_map(|p| &p.issues).next().expect("issue");
    assert_eq!(
        (issue.record.as_str(), issue.field.as_str(), issue.skipped),
        ("don-2", "amount", true)
    );
}

#[tokio::test]
async fn form_submissions_and_petition_signatures_are_actions_on_the_person() {
    let sim = ActionNetworkSim::start(SimConfig {
        people: 14,
        forms: 1,
        petitions: 1,
        ..empty()
    })
    .await;
    let form = sim.collection_ids("forms")[0].clone();
    let petition = sim.collection_ids("petitions")[0].clone();
    let pages = read(&sim, EntityKind::Actions).await;
    let actions: Vec<_> = records(&pages)
        .into_iter()
        .map(|r| match r {
            Record::Action(a) => a,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(actions.len(), sim.ids(&EntityKind::Actions).len());
    let people = sim.ids(&EntityKind::People);
    for a in &actions {
        assert!(people.contains(&a.person.as_ref().expect("person").id));
        assert!(a.taken_at.is_some());
        match a.action_type.as_str() {
            "form_submission" => assert_eq!(
                a.target.as_ref().map(|t| t.id.as_str()),
                Some(form.as_str())
            ),
            "petition_signature" => {
                assert_eq!(
                    a.target.as_ref().map(|t| t.id.as_str()),
                    Some(petition.as_str())
                );
                assert_eq!(a.extra["comments"], json!("Count me in."));
            }
            other => panic!("{other}"),
        }
    }
    assert!(
        actions
            .iter()
            .any(|a| a.action_type == "petition_signature")
    );
}

#[tokio::test]
async fn events_tags_and_taggings_map() {
    let sim = ActionNetworkSim::start(SimConfig {
        people: 9,
        tags: 2,
        events: 1,
        ..empty()
    })
    .await;
    let events = records(&read(&sim, EntityKind::Events).await);
    let [Record::Event(e)] = events.as_slice() else {
        panic!("{events:?}")
    };
    assert_eq!(e.title, "Canvass launch 0");
    assert_eq!(e.venue.as_deref(), Some("Union hall"));
    assert_eq!(
        e.location.as_ref().and_then(|l| l.locality.as_deref()),
        Some("Atlanta")
    );
    assert!(e.starts_at.is_some());
    assert_eq!(e.extra["capacity"], json!(50));

    let tags = records(&read(&sim, EntityKind::Tags).await);
    let names: Vec<String> = tags
        .iter()
        .map(|r| match r {
            Record::Tag(t) => t.name.clone(),
            o => panic!("{o:?}"),
        })
        .collect();
    assert_eq!(names, vec!["Tag 0", "Tag 1"]);
    let taggings = records(&read(&sim, EntityKind::Taggings).await);
    assert_eq!(taggings.len(), 3); // people 0, 3 and 6
    for t in &taggings {
        let Record::Tagging(t) = t else { panic!() };
        assert!(sim.tags_of(&t.person.id).contains(&t.tag.id));
    }
}
