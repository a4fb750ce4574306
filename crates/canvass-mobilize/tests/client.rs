//! The typed client against the simulator (and wiremock for odd links).
#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns may panic

use canvass_core::Error;
use canvass_core::http::RateLimit;
use canvass_mobilize::client::{Compare, MobilizeClient, TimeRef};
use canvass_mobilize::models::{
    AttendancePerson, Contact, CreateAttendance, EventInput, EventType, Location, TimeslotInput,
    TimeslotRef, Visibility,
};
use canvass_mobilize::simulator::{MobilizeSim, SimOptions};

async fn sim() -> MobilizeSim {
    let sim = MobilizeSim::start(SimOptions::small()).await;
    sim.control().set_rate_limit(None);
    sim
}

fn client(sim: &MobilizeSim) -> MobilizeClient {
    sim.client_builder()
        .rate_limit(RateLimit::unlimited())
        .build()
        .unwrap()
}

fn public_client(sim: &MobilizeSim) -> MobilizeClient {
    MobilizeClient::builder()
        .base_url(sim.base_url())
        .rate_limit(RateLimit::unlimited())
        .build()
        .unwrap()
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

#[tokio::test]
async fn wrong_key_is_an_auth_error_even_on_public_endpoints() {
    let sim = sim().await;
    let bad = sim
        .client_builder()
        .api_key("nope-123")
        .rate_limit(RateLimit::unlimited())
        .build()
        .unwrap();
    let org = sim.organization_id();
    for result in [
        bad.people(org).list().send().await.map(|_| ()),
        bad.events(org).list().send().await.map(|_| ()),
    ] {
        let err = result.unwrap_err();
        assert!(err.is_auth(), "{err}");
        assert!(err.to_string().contains("403"), "{err}");
        assert!(!format!("{err:?}").contains("nope-123"));
    }
}

#[tokio::test]
async fn public_reads_work_without_a_key_and_hide_contact_and_private_events() {
    let sim = sim().await;
    let public = public_client(&sim);
    let org = sim.organization_id();
    let events = public.events(org).list().all().await.unwrap();
    let ids: std::collections::BTreeSet<String> =
        events.iter().map(|e| e.id.unwrap().to_string()).collect();
    assert_eq!(ids, sim.public_event_ids());
    assert!(events.iter().all(|e| e.contact.is_none()));
    let private = public
        .events(org)
        .list()
        .visibility(Visibility::Private)
        .all()
        .await
        .unwrap();
    assert!(private.is_empty());
    // Authenticated: contact present, private events readable.
    let keyed = client(&sim);
    let events = keyed.events(org).list().all().await.unwrap();
    assert!(
        events
            .iter()
            .all(|e| e.contact.as_ref().and_then(|c| c.email()).is_some())
    );
    let private = keyed
        .events(org)
        .list()
        .visibility(Visibility::Private)
        .all()
        .await
        .unwrap();
    assert!(!private.is_empty());
    assert!(
        private
            .iter()
            .all(|e| e.visibility == Some(Visibility::Private))
    );
    // People need a key.
    assert!(
        public
            .people(org)
            .list()
            .send()
            .await
            .unwrap_err()
            .is_auth()
    );
    // The public organization list needs none.
    assert_eq!(public.organizations().list().all().await.unwrap().len(), 2);
}

#[tokio::test]
async fn cursor_pagination_reads_every_page_once() {
    let sim = sim().await;
    let c = client(&sim);
    let first = c
        .people(sim.organization_id())
        .list()
        .per_page(7)
        .send()
        .await
        .unwrap();
    assert_eq!(first.items.len(), 7);
    assert_eq!(first.count, Some(sim.people_ids().len() as u64));
    assert!(
        first.next.as_deref().is_some_and(|n| n.contains("cursor=")),
        "{:?}",
        first.next
    );
    let all = c
        .people(sim.organization_id())
        .list()
        .per_page(7)
        .all()
        .await
        .unwrap();
    let ids: std::collections::BTreeSet<String> =
        all.iter().filter_map(|p| p.canonical_id()).collect();
    assert_eq!(all.len(), ids.len());
    assert_eq!(ids, sim.people_ids());
}

#[tokio::test]
async fn updated_since_returns_only_what_changed() {
    let sim = sim().await;
    let c = client(&sim);
    let since = now() - 5;
    assert!(
        c.people(sim.organization_id())
            .list()
            .updated_since(since)
            .all()
            .await
            .unwrap()
            .is_empty()
    );
    let touched = sim.touch_people(3);
    let changed = c
        .people(sim.organization_id())
        .list()
        .updated_since(since)
        .all()
        .await
        .unwrap();
    let ids: Vec<String> = changed.iter().filter_map(|p| p.canonical_id()).collect();
    assert_eq!(ids, touched);
    let touched = sim.touch_attendances(4);
    let changed = c
        .attendances(sim.organization_id())
        .list()
        .updated_since(since)
        .all()
        .await
        .unwrap();
    assert_eq!(
        changed.iter().map(|a| a.canonical_id()).collect::<Vec<_>>(),
        touched
    );
}

#[tokio::test]
async fn field_keyed_error_body_names_the_field() {
    let sim = sim().await;
    let c = client(&sim);
    let err = c
        .people(sim.organization_id())
        .list()
        .param("updated_since", "yesterday")
        .send()
        .await
        .unwrap_err();
    match err {
        Error::Api {
            status,
            fields,
            message,
            ..
        } => {
            assert_eq!(status, 400);
            assert_eq!(fields, vec!["updated_since"]);
            assert!(
                message.contains("A valid integer is required."),
                "{message}"
            );
        }
        other => panic!("expected an API error, got {other:?}"),
    }
}

#[tokio::test]
async fn timeslot_filters_return_only_matching_timeslots() {
    let sim = sim().await;
    let c = client(&sim);
    let t = now();
    let upcoming = c
        .events(sim.organization_id())
        .list()
        .timeslot_start(Compare::Gte(TimeRef::Now))
        .all()
        .await
        .unwrap();
    assert!(!upcoming.is_empty());
    for e in &upcoming {
        assert!(!e.timeslots.is_empty());
        assert!(
            e.timeslots.iter().all(|s| s.start_date.unwrap() >= t - 2),
            "{:?}",
            e.timeslots
        );
    }
    let past = c
        .events(sim.organization_id())
        .list()
        .timeslot_start(Compare::Lt(TimeRef::Unix(t)))
        .all()
        .await
        .unwrap();
    assert!(
        past.iter()
            .all(|e| e.timeslots.iter().all(|s| s.start_date.unwrap() < t))
    );
    let canvasses = c
        .events(sim.organization_id())
        .list()
        .event_type(EventType::Canvass)
        .all()
        .await
        .unwrap();
    assert!(
        canvasses
            .iter()
            .all(|e| e.event_type == Some(EventType::Canvass))
    );
}

#[tokio::test]
async fn both_district_spellings_decode() {
    let sim = sim().await;
    let events = client(&sim)
        .events(sim.organization_id())
        .list()
        .all()
        .await
        .unwrap();
    let located: Vec<_> = events.iter().filter_map(|e| e.location.as_ref()).collect();
    assert!(located.iter().any(|l| l.congressional_district.is_some()));
    assert!(
        located
            .iter()
            .any(|l| l.congressional_district_value.is_some())
    );
    assert!(
        located
            .iter()
            .all(|l| l.congressional().is_some() && l.state_senate().is_some())
    );
}

fn event_input(title: &str, start: i64) -> EventInput {
    EventInput {
        title: title.into(),
        summary: None,
        description: "<p>Doors</p>".into(),
        timeslots: vec![TimeslotInput {
            id: None,
            start_date: start,
            end_date: start + 7200,
        }],
        location: Location {
            postal_code: Some("10003".into()),
            ..Location::default()
        },
        timezone: "America/New_York".into(),
        event_type: EventType::Canvass,
        visibility: Visibility::Public,
        contact: Contact {
            email_address: Some("field@example.org".into()),
            ..Contact::default()
        },
        tag_ids: vec![1],
        accessibility_status: None,
        accessibility_notes: None,
    }
}

#[tokio::test]
async fn event_create_update_delete_round_trip() {
    let sim = sim().await;
    let c = client(&sim);
    let events = c.events(sim.organization_id());
    let start = now() + 86_400;
    let created = events
        .create(&event_input("Saturday canvass", start))
        .await
        .unwrap();
    let id = created.id.unwrap();
    let slot = created.timeslots[0].id.unwrap();
    assert_eq!(
        events.get(id).await.unwrap().title.as_deref(),
        Some("Saturday canvass")
    );

    let mut input = event_input("Sunday canvass", start);
    input.timeslots[0].id = Some(slot);
    input.timeslots.push(TimeslotInput {
        id: None,
        start_date: start + 86_400,
        end_date: start + 90_000,
    });
    let updated = events.update(id, &input, false).await.unwrap();
    assert_eq!(updated.title.as_deref(), Some("Sunday canvass"));
    assert_eq!(updated.timeslots.len(), 2);
    assert_eq!(
        updated.timeslots[0].id,
        Some(slot),
        "an existing timeslot keeps its id"
    );

    events.delete(id, false).await.unwrap();
    assert!(matches!(events.get(id).await, Err(Error::NotFound { .. })));
    let deleted = events.deleted().all().await.unwrap();
    assert!(deleted.iter().any(|d| d.id == id));
    let w = sim.writes();
    assert_eq!(
        (w.events_created, w.events_updated, w.events_deleted),
        (1, 1, 1)
    );
}

#[tokio::test]
async fn event_create_with_missing_fields_is_a_400_naming_them() {
    let sim = sim().await;
    let mut input = event_input("", now() + 86_400);
    input.location.postal_code = None;
    let err = client(&sim)
        .events(sim.organization_id())
        .create(&input)
        .await
        .unwrap_err();
    match err {
        Error::Api {
            status: 400,
            fields,
            ..
        } => {
            assert!(fields.contains(&"title".to_string()), "{fields:?}");
            assert!(
                fields.contains(&"location.postal_code".to_string()),
                "{fields:?}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn signup_matches_people_by_email() {
    let sim = sim().await;
    let c = client(&sim);
    let org = sim.organization_id();
    let (event, slot) = sim.upcoming_timeslot().unwrap();
    let someone = c.people(org).list().send().await.unwrap().items.remove(0);
    let email = someone.email().unwrap().trim().to_uppercase();
    let people_before = sim.people_ids().len();
    let body = |email: &str| CreateAttendance {
        person: AttendancePerson {
            given_name: "Ana".into(),
            family_name: "Núñez".into(),
            email_address: email.into(),
            phone_number: None,
            postal_code: "30303".into(),
        },
        sms_opt_in_status: None,
        timeslots: vec![TimeslotRef { timeslot_id: slot }],
        referrer: None,
    };
    let created = c
        .attendances(org)
        .create(event, &body(&email))
        .await
        .unwrap();
    assert_eq!(created.len(), 1);
    assert_eq!(
        created[0].person.as_ref().and_then(|p| p.canonical_id()),
        someone.canonical_id()
    );
    assert_eq!(
        sim.people_ids().len(),
        people_before,
        "same email, same person"
    );
    c.attendances(org)
        .create(event, &body("brand.new@example.org"))
        .await
        .unwrap();
    assert_eq!(sim.people_ids().len(), people_before + 1);
    let w = sim.writes();
    assert_eq!(
        (w.people_matched, w.people_created, w.attendances_created),
        (1, 1, 2)
    );
    let for_event = c.attendances(org).for_event(event).all().await.unwrap();
    assert!(
        for_event
            .iter()
            .any(|a| a.person.as_ref().and_then(|p| p.email()) == Some("brand.new@example.org"))
    );
}

#[tokio::test]
async fn signup_for_an_unknown_timeslot_is_a_400_naming_the_field() {
    let sim = sim().await;
    let (event, _) = sim.upcoming_timeslot().unwrap();
    let body = CreateAttendance {
        person: AttendancePerson {
            given_name: "Ana".into(),
            family_name: "N".into(),
            email_address: "a@example.org".into(),
            phone_number: None,
            postal_code: "30303".into(),
        },
        sms_opt_in_status: None,
        timeslots: vec![TimeslotRef { timeslot_id: 1 }],
        referrer: None,
    };
    let err = client(&sim)
        .attendances(sim.organization_id())
        .create(event, &body)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Api { status: 400, fields, .. } if fields == &vec!["timeslots.timeslot_id".to_string()]),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_next_link_naming_another_host_is_followed_on_our_own() {
    use wiremock::matchers::{method, path, query_param};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/organizations/42/people"))
        .and(query_param("cursor", "c2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "data": [{"id": 2}], "error": null, "count": 2, "next": null, "previous": null
        })))
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/organizations/42/people"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "data": [{"id": 1}], "error": null, "count": 2,
            "next": "https://elsewhere.example/v1/organizations/42/people?cursor=c2", "previous": null
        })))
        .mount(&server)
        .await;
    let c = MobilizeClient::builder()
        .base_url(format!("{}/v1/", server.uri()).parse().unwrap())
        .api_key("k")
        .rate_limit(RateLimit::unlimited())
        .build()
        .unwrap();
    let people = c.people(42).list().all().await.unwrap();
    assert_eq!(
        people.iter().map(|p| p.id.unwrap()).collect::<Vec<_>>(),
        vec![1, 2]
    );
}

#[tokio::test]
async fn a_read_at_the_published_limit_provokes_no_429() {
    let sim = MobilizeSim::start(SimOptions::small()).await;
    let c = sim.client_builder().build().unwrap();
    let started = std::time::Instant::now();
    let all = c
        .attendances(sim.organization_id())
        .list()
        .per_page(5)
        .all()
        .await
        .unwrap();
    assert_eq!(all.len(), sim.attendance_ids().len());
    let stats = sim.control().stats();
    assert_eq!(stats.throttled, 0);
    // 24 pages at 15/s take at least 23/15 s.
    assert!(started.elapsed().as_secs_f64() >= (stats.requests - 1) as f64 / 15.0 * 0.95);
}

#[tokio::test]
async fn bursting_past_the_limit_gets_429s_from_the_simulator() {
    let sim = MobilizeSim::start(SimOptions::small()).await;
    let c = sim
        .client_builder()
        .rate_limit(RateLimit::unlimited())
        .build()
        .unwrap();
    let org = sim.organization_id();
    let calls = (0..30).map(|_| c.people(org).list().per_page(1).send());
    let results = futures::future::join_all(calls).await;
    assert!(sim.control().stats().throttled > 0);
    // What the client's retries could not absorb is reported as a rate limit.
    assert!(
        results
            .iter()
            .all(|r| matches!(r, Ok(_) | Err(Error::RateLimited { .. })))
    );
}
