//! The typed client against the simulator: paging quirks, filters, errors,
//! auth, the signup and attendance helpers, taggings.

#![cfg(feature = "simulator")]
#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers in tests may panic

use canvass_actionnetwork::ActionNetworkClient;
use canvass_actionnetwork::client::Written;
use canvass_actionnetwork::models::{
    Attendance, Person, Resource, SignupEmail, SignupPerson, SignupPhone, Tagging,
};
use canvass_actionnetwork::simulator::{ActionNetworkSim, SimConfig};
use canvass_core::Error;
use canvass_core::http::{RateLimit, RetryPolicy};
use canvass_testkit::Faults;
use futures::TryStreamExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn sim(people: usize) -> ActionNetworkSim {
    ActionNetworkSim::start(SimConfig {
        people,
        ..SimConfig::default()
    })
    .await
}

fn client(sim: &ActionNetworkSim) -> ActionNetworkClient {
    sim.client_builder()
        .rate_limit(RateLimit::unlimited())
        .build()
        .unwrap()
}

fn signup_email(address: &str) -> SignupPerson {
    SignupPerson {
        given_name: Some("Ana".into()),
        email_addresses: vec![SignupEmail {
            address: address.into(),
            status: None,
        }],
        ..SignupPerson::default()
    }
}

#[tokio::test]
async fn people_pages_have_no_total_and_keep_next_on_the_last_page() {
    let sim = sim(50).await;
    let c = client(&sim);
    let last = c.people().list().fetch_page(2).await.unwrap();
    assert_eq!(last.items.len(), 25);
    assert!(
        last.has_next,
        "Action Network keeps `next` on the last page of people"
    );
    assert_eq!(last.total_pages, None);
    assert!(!last.is_last());
    let empty = c.people().list().fetch_page(3).await.unwrap();
    assert!(empty.items.is_empty() && !empty.has_next && empty.is_last());
    sim.control().reset_stats();
    let pages: Vec<_> = c.people().list().send().try_collect().await.unwrap();
    assert_eq!(pages.len(), 2);
    assert_eq!(
        sim.control().stats().requests,
        3,
        "the empty page ends the walk"
    );
}

#[tokio::test]
async fn other_collections_stop_at_total_pages_without_an_extra_request() {
    let sim = ActionNetworkSim::start(SimConfig {
        events: 5,
        ..SimConfig::default()
    })
    .await;
    let c = client(&sim);
    sim.control().reset_stats();
    let events: Vec<canvass_actionnetwork::models::Event> =
        c.events().list().per_page(2).all().await.unwrap();
    assert_eq!(events.len(), 5);
    assert_eq!(sim.control().stats().requests, 3);
}

#[tokio::test]
async fn page_size_is_capped_at_25() {
    let sim = sim(40).await;
    let c = sim
        .client_builder()
        .per_page(100)
        .rate_limit(RateLimit::unlimited())
        .build()
        .unwrap();
    assert_eq!(c.per_page(), 25);
    assert_eq!(
        c.people()
            .list()
            .per_page(500)
            .fetch_page(1)
            .await
            .unwrap()
            .items
            .len(),
        25
    );
}

#[tokio::test]
async fn modified_since_sends_the_odata_filter() {
    let sim = sim(30).await;
    let c = client(&sim);
    let touched = sim.touch_people(2);
    let since = "2025-01-01T00:00:00Z".parse().unwrap();
    let people: Vec<Person> = c.people().list().modified_since(since).all().await.unwrap();
    let ids: Vec<String> = people.iter().filter_map(Resource::id).collect();
    assert_eq!(ids, touched);
}

#[tokio::test]
async fn tags_ignore_the_filter_as_on_action_network() {
    let sim = sim(3).await;
    let c = client(&sim);
    let since = "2030-01-01T00:00:00Z".parse().unwrap();
    let tags: Vec<canvass_actionnetwork::models::Tag> =
        c.tags().list().modified_since(since).all().await.unwrap();
    assert_eq!(tags.len(), 3);
}

#[tokio::test]
async fn reads_through_injected_faults() {
    let sim = sim(60).await;
    let c = sim
        .client_builder()
        .rate_limit(RateLimit::unlimited())
        .per_page(5)
        .build()
        .unwrap();
    sim.control().set_faults(Faults::chaos());
    let people: Vec<Person> = c.people().list().all().await.unwrap();
    let stats = sim.control().stats();
    assert_eq!(people.len(), 60);
    assert!(stats.faulted > 0, "{stats:?}");
}

/// A raw request, to see what the simulator sends back before any client scrubbing.
async fn raw_get(sim: &ActionNetworkSim, key: &str) -> String {
    let url = sim.base_url();
    let mut s = tokio::net::TcpStream::connect((url.host_str().unwrap(), url.port().unwrap()))
        .await
        .unwrap();
    let req = format!(
        "GET /api/v2/people HTTP/1.1\r\nHost: x\r\nOSDI-API-Token: {key}\r\nConnection: close\r\n\r\n"
    );
    s.write_all(req.as_bytes()).await.unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).await.unwrap();
    out
}

#[tokio::test]
async fn wrong_key_is_an_auth_error_and_the_echoed_key_is_scrubbed() {
    let sim = sim(3).await;
    let key = "an-wrong-key-8d7c6b5a";
    // The simulator echoes the key back, as Action Network is reported to.
    let raw = raw_get(&sim, key).await;
    assert!(raw.starts_with("HTTP/1.1 401"), "{raw}");
    assert!(
        raw.contains(&format!("API Key invalid or not present: {key}")),
        "{raw}"
    );

    let c = ActionNetworkClient::builder(key)
        .base_url(sim.base_url())
        .retry(RetryPolicy::fast())
        .rate_limit(RateLimit::unlimited())
        .build()
        .unwrap();
    let err = c.people().list().fetch_page(1).await.unwrap_err();
    assert!(err.is_auth(), "{err:?}");
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains(key), "{shown}");
    assert!(
        shown.contains("API Key invalid or not present: [REDACTED]"),
        "{shown}"
    );
    assert!(!format!("{c:?}").contains(key));
}

#[tokio::test]
async fn not_found_carries_the_vendor_message() {
    let sim = sim(3).await;
    let err = client(&sim).people().get("nope").await.unwrap_err();
    assert!(
        matches!(&err, Error::NotFound { what, .. } if what.contains("Couldn't find person with id = nope")),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_bad_filter_is_an_api_error_with_the_vendor_message() {
    let sim = sim(3).await;
    let err = client(&sim)
        .people()
        .list()
        .filter("modified_date after yesterday")
        .fetch_page(1)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Api { status: 400, message, .. } if message.contains("Invalid filter")),
        "{err:?}"
    );
}

#[tokio::test]
async fn signup_upserts_by_email_and_by_phone() {
    let sim = sim(0).await;
    let c = client(&sim);
    let Written::Done(first) = c
        .people()
        .signup(signup_email("ana@example.org"))
        .send()
        .await
        .unwrap()
    else {
        panic!()
    };
    assert!(first.created);
    let id = first.person.id().unwrap();
    // Same email, other case: the same person.
    let Written::Done(again) = c
        .people()
        .signup(signup_email(" ANA@example.org"))
        .send()
        .await
        .unwrap()
    else {
        panic!()
    };
    assert!(!again.created);
    assert_eq!(again.person.id().unwrap(), id);
    // A phone added to her, then a signup with only that phone: still her.
    let mut with_phone = signup_email("ana@example.org");
    with_phone.phone_numbers = vec![SignupPhone {
        number: "14142020792".into(),
        status: None,
    }];
    c.people().signup(with_phone).send().await.unwrap();
    let by_phone = SignupPerson {
        phone_numbers: vec![SignupPhone {
            number: "(414) 202-0792".into(),
            status: None,
        }],
        ..SignupPerson::default()
    };
    let Written::Done(matched) = c.people().signup(by_phone).send().await.unwrap() else {
        panic!()
    };
    assert_eq!(matched.person.id().unwrap(), id);
    assert_eq!(sim.people_count(), 1);
    assert_eq!(sim.signups().created, 1);
    assert_eq!(sim.signups().matched, 3);
}

#[tokio::test]
async fn signup_statuses_follow_action_network_defaults() {
    let sim = sim(0).await;
    let c = client(&sim);
    let mut p = signup_email("new@example.org");
    p.phone_numbers = vec![SignupPhone {
        number: "14142020792".into(),
        status: None,
    }];
    let Written::Done(out) = c.people().signup(p).send().await.unwrap() else {
        panic!()
    };
    // New: email subscribed, phone unsubscribed unless asked.
    assert_eq!(
        out.person.email_addresses[0].status.as_deref(),
        Some("subscribed")
    );
    assert_eq!(
        out.person.phone_numbers[0].status.as_deref(),
        Some("unsubscribed")
    );
    // Existing: a status changes only when one is passed.
    let mut p = signup_email("new@example.org");
    p.phone_numbers = vec![SignupPhone {
        number: "14142020792".into(),
        status: Some("subscribed".into()),
    }];
    let Written::Done(out) = c.people().signup(p).send().await.unwrap() else {
        panic!()
    };
    assert_eq!(
        out.person.email_addresses[0].status.as_deref(),
        Some("subscribed")
    );
    assert_eq!(
        out.person.phone_numbers[0].status.as_deref(),
        Some("subscribed")
    );
}

#[tokio::test]
async fn signup_applies_add_tags_and_background_processing_queues() {
    let sim = ActionNetworkSim::start(SimConfig {
        people: 0,
        tags: 2,
        ..SimConfig::default()
    })
    .await;
    let c = client(&sim);
    let Written::Done(out) = c
        .people()
        .signup(signup_email("t@example.org"))
        .add_tags(["Tag 1"])
        .send()
        .await
        .unwrap()
    else {
        panic!()
    };
    let id = out.person.id().unwrap();
    let tag1 = sim.collection_ids("tags")[1].clone();
    assert!(sim.tags_of(&id).contains(&tag1));
    let queued = c
        .people()
        .signup(signup_email("bg@example.org"))
        .background()
        .send()
        .await
        .unwrap();
    assert_eq!(queued, Written::Queued);
    assert_eq!(sim.people_count(), 2);
}

#[tokio::test]
async fn update_person_puts_fields() {
    let sim = sim(3).await;
    let c = client(&sim);
    let id = sim.collection_ids("people")[0].clone();
    let change = SignupPerson {
        family_name: Some("Okafor".into()),
        ..SignupPerson::default()
    };
    let Written::Done(p) = c.people().update(&id, change).send().await.unwrap() else {
        panic!()
    };
    assert_eq!(p.family_name.as_deref(), Some("Okafor"));
    assert_eq!(
        c.people().get(&id).await.unwrap().family_name.as_deref(),
        Some("Okafor")
    );
}

#[tokio::test]
async fn create_tag_add_and_remove_tagging() {
    let sim = sim(3).await;
    let c = client(&sim);
    let tag = c.tags().create("Volunteer").await.unwrap();
    let tag_id = tag.id().unwrap();
    let person = sim.collection_ids("people")[1].clone();
    let Written::Done(tagging) = c.tags().add_tagging(&tag_id, &person, false).await.unwrap()
    else {
        panic!()
    };
    assert_eq!(
        tagging.linked_id("osdi:person").as_deref(),
        Some(person.as_str())
    );
    let listed: Vec<Tagging> = c.tags().taggings(&tag_id).all().await.unwrap();
    assert_eq!(listed.len(), 1);
    let of_person: Vec<Tagging> = c.people().taggings(&person).all().await.unwrap();
    assert!(
        of_person
            .iter()
            .any(|t| t.linked_id("osdi:tag").as_deref() == Some(tag_id.as_str()))
    );
    c.tags()
        .remove_tagging(&tag_id, &tagging.id().unwrap())
        .await
        .unwrap();
    assert!(
        c.tags()
            .taggings(&tag_id)
            .all::<Tagging>()
            .await
            .unwrap()
            .is_empty()
    );
    assert!(c.tags().create("  ").await.is_err());
}

#[tokio::test]
async fn record_attendance_helper_keeps_one_rsvp_per_person() {
    let sim = ActionNetworkSim::start(SimConfig {
        people: 0,
        events: 1,
        ..SimConfig::default()
    })
    .await;
    let c = client(&sim);
    let event = sim.collection_ids("events")[0].clone();
    let Written::Done(a) = c
        .events()
        .record_attendance(&event)
        .person(signup_email("rsvp@example.org"))
        .send()
        .await
        .unwrap()
    else {
        panic!()
    };
    let person = a.person_id.clone().unwrap();
    assert_eq!(a.status.as_deref(), Some("accepted"));
    let Written::Done(b) = c
        .events()
        .record_attendance(&event)
        .person_id(&person)
        .status("declined")
        .send()
        .await
        .unwrap()
    else {
        panic!()
    };
    assert_eq!(b.id(), a.id());
    let listed: Vec<Attendance> = c.events().attendances(&event).all().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].status.as_deref(), Some("declined"));
    let of_person: Vec<Attendance> = c.people().attendances(&person).all().await.unwrap();
    assert_eq!(of_person.len(), 1);
    assert!(matches!(
        c.events().record_attendance(&event).send().await,
        Err(Error::InvalidInput { .. })
    ));
}

#[tokio::test]
async fn the_smaller_areas_read() {
    let sim = sim(20).await;
    let c = client(&sim);
    assert_eq!(c.entry_point().await.unwrap()["max_page_size"], 25);
    let fields = c.metadata().custom_fields().await.unwrap();
    assert!(
        fields["action_network:custom_fields"]
            .as_array()
            .is_some_and(|a| !a.is_empty())
    );
    let lists: Vec<canvass_actionnetwork::models::ActionPage> =
        c.lists().list().all().await.unwrap();
    let items: Vec<serde_json::Value> = c
        .lists()
        .items(&lists[0].id().unwrap())
        .all()
        .await
        .unwrap();
    assert_eq!(items.len(), 10);
    let messages: Vec<canvass_actionnetwork::models::ActionPage> =
        c.messages().list().all().await.unwrap();
    assert_eq!(messages[0].extra["statistics"]["sent"], 100);
    let pages: Vec<canvass_actionnetwork::models::ActionPage> =
        c.fundraising_pages().list().all().await.unwrap();
    let mut by_page = 0;
    for p in &pages {
        by_page += c
            .fundraising_pages()
            .donations(&p.id().unwrap())
            .all::<serde_json::Value>()
            .await
            .unwrap()
            .len();
    }
    let all: Vec<canvass_actionnetwork::models::Donation> =
        c.donations().list().all().await.unwrap();
    assert_eq!(by_page, all.len());
    let forms: Vec<canvass_actionnetwork::models::ActionPage> =
        c.forms().list().all().await.unwrap();
    let subs: Vec<canvass_actionnetwork::models::Submission> = c
        .forms()
        .submissions(&forms[0].id().unwrap())
        .all()
        .await
        .unwrap();
    assert!(!subs.is_empty());
    let petitions: Vec<canvass_actionnetwork::models::ActionPage> =
        c.petitions().list().all().await.unwrap();
    let sigs: Vec<canvass_actionnetwork::models::Submission> = c
        .petitions()
        .signatures(&petitions[0].id().unwrap())
        .all()
        .await
        .unwrap();
    assert!(!sigs.is_empty());
    let donor = all[0].person_id.clone().unwrap();
    assert!(
        !c.people()
            .donations(&donor)
            .all::<serde_json::Value>()
            .await
            .unwrap()
            .is_empty()
    );
}
