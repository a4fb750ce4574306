//! The typed client against the simulator: auth, matching, validation,
//! pagination, canvass responses, signups, lookups, errors and rate limits.

use canvass_core::Error;
use canvass_van::client::{EventExpand, PersonExpand};
use canvass_van::models::{
    CanvassContext, CanvassResponse, Contribution, EmailAddress, Event, EventTypeRef, Person,
    PhoneNumber, ResponseItem, Signup,
};
use canvass_van::simulator::{VanSim, WrittenVia};
use canvass_van::{DbMode, VanClient};

fn ana() -> Person {
    Person {
        first_name: Some("Ana".into()),
        last_name: Some("Núñez".into()),
        emails: Some(vec![EmailAddress {
            email: "ana.nunez@example.org".into(),
            ..Default::default()
        }]),
        phones: Some(vec![PhoneNumber {
            phone_number: "(414) 202-0792".into(),
            phone_type: Some("C".into()),
            ..Default::default()
        }]),
        ..Person::default()
    }
}

fn client_with(sim: &VanSim, key: &str, mode: DbMode) -> VanClient {
    VanClient::builder(sim.app_name(), key, mode)
        .base_url(sim.base_url())
        .retry(canvass_core::http::RetryPolicy::fast())
        .build()
        .unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test]
async fn wrong_key_is_an_auth_error_that_blames_the_key() {
    let sim = VanSim::start().await;
    let err = client_with(&sim, "not-the-key-1234", DbMode::MyCampaign)
        .echo("hi")
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(err.is_auth(), "{err:?}");
    assert!(
        text.contains("application name") && text.contains("API key was refused"),
        "{text}"
    );
    assert!(!text.contains("not-the-key-1234"), "the key leaked: {text}");
}

#[tokio::test]
async fn wrong_db_mode_is_an_auth_error_that_blames_the_mode() {
    let sim = VanSim::start().await;
    let err = client_with(&sim, sim.api_key(), DbMode::VoterFile)
        .echo("hi")
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(err.is_auth(), "{err:?}");
    assert!(
        text.contains("refused for database mode 0 (VoterFile)"),
        "{text}"
    );
    assert!(text.contains("set `db_mode` to 1 (MyCampaign)"), "{text}");
    assert!(!text.contains(sim.api_key()), "the key leaked: {text}");
    // Distinct from a wrong key.
    let wrong_key = client_with(&sim, "other-key-5678", DbMode::MyCampaign)
        .echo("hi")
        .await
        .unwrap_err();
    assert_ne!(wrong_key.to_string(), text);
}

#[tokio::test]
async fn echo_returns_the_message_with_the_right_credentials() {
    let sim = VanSim::start().await;
    assert_eq!(
        sim.client().echo("Hello, world").await.unwrap_or_default(),
        "Hello, world"
    );
}

#[tokio::test]
async fn find_or_create_creates_with_201_then_matches_with_302() {
    let sim = VanSim::start().await;
    let van = sim.client();
    let first = van
        .people()
        .find_or_create(&ana())
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(first.created);
    // Same human, typed differently: case, accents, phone format.
    let again = Person {
        first_name: Some("ANA".into()),
        last_name: Some("nunez".into()),
        emails: None,
        phones: Some(vec![PhoneNumber {
            phone_number: "414.202.0792".into(),
            ..Default::default()
        }]),
        ..Person::default()
    };
    let second = van
        .people()
        .find_or_create(&again)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!second.created);
    assert_eq!(second.van_id, first.van_id);
    assert_eq!(second.status.as_deref(), Some("Matched"));
    assert_eq!(sim.people_count(), 1);
}

#[tokio::test]
async fn find_or_create_without_a_match_combination_names_what_is_missing_and_sends_nothing() {
    let sim = VanSim::start().await;
    let van = sim.client();
    let person = Person {
        first_name: Some("Ana".into()),
        last_name: Some("Diaz".into()),
        date_of_birth: Some("1980-01-02".into()),
        ..Person::default()
    };
    let err = van
        .people()
        .find_or_create(&person)
        .send()
        .await
        .unwrap_err();
    let Error::InvalidInput { field, reason } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(field, "person");
    assert!(
        reason.contains("first name, last name, date of birth"),
        "{reason}"
    );
    assert!(reason.contains("ZIP5"), "{reason}");
    assert_eq!(sim.control().stats().requests, 0);
    assert_eq!(sim.people_count(), 0);
}

#[tokio::test]
async fn find_matches_without_writing_and_says_none_when_nobody_matches() {
    let sim = VanSim::start().await;
    let van = sim.client();
    assert_eq!(
        van.people()
            .find(&ana())
            .send_opt()
            .await
            .unwrap_or_else(|e| panic!("{e}")),
        None
    );
    let id = sim.add_person(&ana());
    let found = van
        .people()
        .find(&ana())
        .send_opt()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(found.map(|m| m.van_id), Some(id));
    assert_eq!(sim.people_count(), 1);
}

#[tokio::test]
async fn get_expands_only_the_collections_asked_for() {
    let sim = VanSim::start().await;
    let id = sim.add_person(&ana());
    let van = sim.client();
    let bare = van
        .people()
        .get(id)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(bare.phones, None);
    let full = van
        .people()
        .get(id)
        .expand(&PersonExpand::CONTACT)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let phones = full.phones.unwrap_or_default();
    assert_eq!(phones[0].phone_number, "4142020792");
    assert_eq!(phones[0].phone_type.as_deref(), Some("Cell"));
    assert_eq!(
        full.emails.unwrap_or_default()[0].email,
        "ana.nunez@example.org"
    );
}

#[tokio::test]
async fn get_by_alternate_id_finds_the_person() {
    let sim = VanSim::start().await;
    let mut p = ana();
    p.identifiers = Some(vec![canvass_van::models::Identifier {
        kind: "StateFileID".into(),
        external_id: "KLYW682Z".into(),
    }]);
    let id = sim.add_person(&p);
    let got = sim
        .client()
        .people()
        .get_by_alternate_id("StateFileID", "KLYW682Z")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(got.van_id, Some(id));
    let missing = sim.client().people().get(999_999).send().await.unwrap_err();
    assert!(matches!(missing, Error::NotFound { .. }), "{missing:?}");
}

#[tokio::test]
async fn search_needs_a_filter_and_reads_every_page() {
    let sim = VanSim::start().await;
    for i in 0..450 {
        sim.add_person(&Person {
            first_name: Some(format!("P{i}")),
            last_name: Some("Smith".into()),
            emails: Some(vec![EmailAddress {
                email: format!("p{i}@example.org"),
                ..Default::default()
            }]),
            ..Person::default()
        });
    }
    let van = sim.client();
    let err = van.people().search().all().await.unwrap_err();
    assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");
    sim.control().reset_stats();
    let all = van
        .people()
        .search()
        .last_name("smi")
        .all()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(all.len(), 450);
    let ids: std::collections::BTreeSet<_> = all.iter().filter_map(|p| p.van_id).collect();
    assert_eq!(ids.len(), 450);
    // 200 a page: 3 requests, no extra one to find the end.
    assert_eq!(sim.control().stats().requests, 3);
}

#[tokio::test]
async fn events_page_at_most_50_and_van_rejects_more() {
    let sim = VanSim::start().await;
    let (t, _) = sim.add_event_type("Phone Bank", &["Host"]);
    for i in 0..120 {
        sim.add_event(&format!("E{i}"), t, chrono::Utc::now(), &[("S", 0, 1)]);
    }
    let van = sim.client();
    let req = van.events().list().top(500);
    assert_eq!(req.page_size(), 50);
    let events = req
        .expand(&EventExpand::SYNC)
        .all()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(events.len(), 120);
    assert!(
        events
            .iter()
            .all(|e| e.shifts.as_ref().is_some_and(|s| s.len() == 1))
    );
    // VAN's own error body for a page past the limit, mapped with code and field.
    let raw = van
        .http()
        .get("events")
        .query_pair("$top", "51")
        .send()
        .await
        .unwrap_err();
    let Error::Api {
        status,
        code,
        fields,
        ..
    } = &raw
    else {
        panic!("{raw:?}")
    };
    assert_eq!(
        (*status, code.as_deref(), fields.as_slice()),
        (400, Some("INVALID_PARAMETER"), &["$top".to_string()][..])
    );
}

#[tokio::test]
async fn creating_an_event_that_ends_before_it_starts_names_both_fields() {
    let sim = VanSim::start().await;
    let (t, _) = sim.add_event_type("Phone Bank", &["Host"]);
    let van = sim.client();
    let bad = Event {
        name: "Backwards".into(),
        start_date: Some("2026-06-01T15:00:00-04:00".into()),
        end_date: Some("2026-06-01T14:00:00-04:00".into()),
        event_type: Some(EventTypeRef {
            event_type_id: t,
            name: None,
        }),
        ..Event::default()
    };
    let err = van.events().create(&bad).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "van: HTTP 400 INVALID_PARAMETER: POST /v4/events: endDate must come after startDate (fields: startDate, endDate)"
    );
    let good = Event {
        end_date: Some("2026-06-01T18:00:00-04:00".into()),
        ..bad
    };
    let id = van
        .events()
        .create(&good)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let shift = van
        .events()
        .add_shift(
            id,
            &canvass_van::models::EventShift {
                name: Some("Late".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let got = van
        .events()
        .get(id)
        .expand(&[EventExpand::Shifts])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        got.shifts
            .unwrap_or_default()
            .iter()
            .any(|s| s.event_shift_id == Some(shift))
    );
    assert_eq!(van.events().types().await.unwrap_or_default().len(), 1);
}

#[tokio::test]
async fn canvass_response_with_both_result_code_and_responses_is_refused_before_sending() {
    let sim = VanSim::start().await;
    let id = sim.add_person(&ana());
    let mut body = CanvassResponse::responses(
        CanvassContext::new(37),
        vec![ResponseItem::apply_activist_code(1)],
    );
    body.result_code_id = Some(2);
    let err = sim
        .client()
        .canvass_responses()
        .record(id, body)
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput { field, .. } if field == "canvassResponse.resultCodeId"),
        "{err:?}"
    );
    assert_eq!(sim.control().stats().requests, 0);
    assert_eq!(sim.canvass_response_count(), 0);
}

#[tokio::test]
async fn canvass_responses_are_stored_once_each_with_their_effects() {
    let sim = VanSim::start().await;
    let seeded = sim.seed_standard();
    let id = sim.add_person(&ana());
    let van = sim.client();
    let code = seeded.activist_codes["Volunteer"];
    van.canvass_responses()
        .apply_activist_code(id, code)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let (q, answers) = &seeded.survey_question;
    van.canvass_responses()
        .survey_response(id, *q, answers["Lean Support"])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let dnt = seeded.result_codes["Do Not Text"];
    van.canvass_responses()
        .result_code(id, 37, dnt)
        .phone("+14142020792", Some("O"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(sim.canvass_response_count(), 3);
    assert_eq!(sim.active_activist_codes(id), [code].into_iter().collect());
    assert_eq!(sim.survey_responses().len(), 1);
    let opt_outs = sim.opt_outs();
    assert_eq!(opt_outs.len(), 1);
    assert_eq!(
        (
            opt_outs[0].phone.as_str(),
            opt_outs[0].result_code_id,
            opt_outs[0].via
        ),
        ("4142020792", Some(dnt), WrittenVia::CanvassResponse)
    );
    let person = sim.person(id).unwrap_or_default();
    assert_eq!(
        person.phones.unwrap_or_default()[0]
            .sms_opt_in_status
            .as_deref(),
        Some("Opt-Out")
    );
    van.canvass_responses()
        .remove_activist_code(id, code)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(sim.active_activist_codes(id).is_empty());
    // An unknown code is VAN's 400 naming the response.
    let err = van
        .canvass_responses()
        .apply_activist_code(id, 424242)
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Api { fields, .. } if fields == &["responses[0].activistCodeId".to_string()]),
        "{err:?}"
    );
}

#[tokio::test]
async fn signups_upsert_on_person_event_shift_and_role() {
    let sim = VanSim::start().await;
    let seeded = sim.seed_standard();
    let id = sim.add_person(&ana());
    let van = sim.client();
    let e = &seeded.events[0];
    let a = van
        .signups()
        .create(&Signup::new(
            id,
            e.event_id,
            e.shift_ids[0],
            e.role_ids[1],
            1,
        ))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let b = van
        .signups()
        .create(&Signup::new(
            id,
            e.event_id,
            e.shift_ids[0],
            e.role_ids[1],
            11,
        ))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(a, b, "same key, same signup");
    let c = van
        .signups()
        .create(&Signup::new(
            id,
            e.event_id,
            e.shift_ids[1],
            e.role_ids[1],
            1,
        ))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_ne!(a, c, "another shift is another signup");
    assert_eq!(sim.signup_count(), 2);
    let got = van.signups().get(a).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(got.status.name.as_deref(), Some("Confirmed"));
    van.signups()
        .update_status(a, 2)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let by_person = van
        .signups()
        .list_by_person(id)
        .all()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(by_person.len(), 2);
    assert!(
        by_person
            .iter()
            .any(|s| s.status.name.as_deref() == Some("Completed"))
    );
    van.signups()
        .delete(c)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        van.signups()
            .list_by_event(e.event_id)
            .all()
            .await
            .unwrap_or_default()
            .len(),
        1
    );
    let statuses = van
        .signups()
        .statuses_for_event(e.event_id)
        .await
        .unwrap_or_default();
    assert!(
        statuses
            .iter()
            .any(|s| s.name.as_deref() == Some("Walk In"))
    );
    // A shift of another event is refused with the field named.
    let err = van
        .signups()
        .create(&Signup::new(
            id,
            e.event_id,
            seeded.events[1].shift_ids[0],
            e.role_ids[0],
            1,
        ))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Api { fields, .. } if fields == &["shift.eventShiftId".to_string()]),
        "{err:?}"
    );
}

#[tokio::test]
async fn lookups_lists_contributions_notes_and_codes() {
    let sim = VanSim::start().await;
    let seeded = sim.seed_standard();
    let id = sim.add_person(&ana());
    let folder = sim.add_folder("Field");
    let list = sim.add_saved_list("Everyone", &[id]);
    let tag = sim.add_code("Spanish speaker");
    let van = sim.client();
    assert_eq!(
        van.canvass_responses()
            .result_codes()
            .await
            .unwrap_or_default()
            .len(),
        seeded.result_codes.len()
    );
    assert!(
        van.canvass_responses()
            .contact_types()
            .await
            .unwrap_or_default()
            .iter()
            .any(|c| c.contact_type_id == 37)
    );
    assert!(
        van.canvass_responses()
            .input_types()
            .await
            .unwrap_or_default()
            .iter()
            .any(|c| c.input_type_id == 11)
    );
    assert_eq!(
        van.survey_questions()
            .list()
            .all()
            .await
            .unwrap_or_default()[0]
            .responses
            .len(),
        4
    );
    assert_eq!(
        van.activist_codes()
            .list()
            .name("prec")
            .all()
            .await
            .unwrap_or_default()
            .len(),
        1
    );
    assert_eq!(
        van.saved_lists()
            .get(list)
            .await
            .map(|l| l.list_count)
            .unwrap_or_default(),
        Some(1)
    );
    assert_eq!(
        van.folders().list().all().await.unwrap_or_default()[0].folder_id,
        folder
    );
    let cid = van
        .contributions()
        .create(&Contribution::from_cents(id, 2500).unwrap_or_else(|e| panic!("{e}")))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        van.contributions()
            .get(cid)
            .await
            .map(|c| c.amount.to_string())
            .unwrap_or_default(),
        "25.0"
    );
    van.notes(id)
        .create("Prefers texts")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        van.notes(id).list().await.unwrap_or_default()[0].text,
        "Prefers texts"
    );
    van.people()
        .apply_code(id, tag)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(sim.code_applications(), vec![(id, tag)]);
    assert_eq!(van.codes().list().all().await.unwrap_or_default().len(), 1);
}

#[tokio::test]
async fn rate_limit_answers_429_and_the_client_waits_retry_after() {
    let sim = VanSim::start().await;
    sim.seed_standard();
    sim.set_rate_limit(2.0, Some(1));
    let van = sim.client();
    let started = std::time::Instant::now();
    for _ in 0..4 {
        van.activist_codes()
            .list()
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let stats = sim.control().stats();
    assert!(stats.throttled >= 1, "{stats:?}");
    assert!(
        started.elapsed() >= std::time::Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn client_debug_never_shows_the_key() {
    let sim = VanSim::start().await;
    let van = sim.client();
    let shown = format!("{van:?} {:?}", sim.client_builder());
    assert!(!shown.contains(sim.api_key()), "{shown}");
}
