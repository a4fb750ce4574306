//! The connector's canonical writes against the simulator, and the config factory.

#![cfg(feature = "simulator")]
#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers in tests may panic

use canvass_actionnetwork::ActionNetworkConnector;
use canvass_actionnetwork::simulator::{ActionNetworkSim, SimConfig};
use canvass_core::http::RateLimit;
use canvass_core::registry::MapSecrets;
use canvass_core::{
    AttendanceStatus, Connector, Email, Error, Person, Phone, PhoneKind, SourceRef,
    SubscriptionStatus, WriteOp, WriteOutcome,
};

async fn setup() -> (ActionNetworkSim, ActionNetworkConnector) {
    let sim = ActionNetworkSim::start(SimConfig {
        people: 10,
        tags: 2,
        events: 1,
        ..SimConfig::default()
    })
    .await;
    let client = sim
        .client_builder()
        .rate_limit(RateLimit::unlimited())
        .build()
        .unwrap();
    (sim, ActionNetworkConnector::new(client))
}

fn person(email: &str) -> Person {
    let mut p = Person {
        source: SourceRef::new("mobilize", "9"),
        given_name: Some("Ana".into()),
        ..Person::default()
    };
    let mut e = Email::parse(email);
    e.status = SubscriptionStatus::Subscribed;
    p.emails.push(e);
    p
}

#[tokio::test]
async fn upsert_person_creates_then_matches_by_email() {
    let (sim, c) = setup().await;
    let first = c
        .write(&WriteOp::UpsertPerson {
            person: Box::new(person("ana.new@example.org")),
        })
        .await
        .unwrap();
    let WriteOutcome::Created { id } = first else {
        panic!("{first:?}")
    };
    let mut again = person("ANA.NEW@example.org");
    again.family_name = Some("Núñez".into());
    let second = c
        .write(&WriteOp::UpsertPerson {
            person: Box::new(again),
        })
        .await
        .unwrap();
    assert_eq!(second, WriteOutcome::Updated { id: id.clone() });
    assert_eq!(sim.signups().created, 1);
    assert_eq!(sim.signups().matched, 1);
    assert_eq!(sim.get("people", &id).unwrap()["family_name"], "Núñez");
}

#[tokio::test]
async fn upsert_person_sends_valid_phones_in_digits_and_matches_by_phone() {
    let (sim, c) = setup().await;
    let mut p = Person {
        source: SourceRef::new("hustle", "1"),
        ..Person::default()
    };
    let mut phone = Phone::parse("(414) 202-0792", PhoneKind::Mobile);
    phone.sms_status = SubscriptionStatus::Subscribed;
    p.phones.push(phone);
    p.phones.push(Phone::parse("555-0143", PhoneKind::Unknown)); // invalid: not sent
    let WriteOutcome::Created { id } = c
        .write(&WriteOp::UpsertPerson {
            person: Box::new(p.clone()),
        })
        .await
        .unwrap()
    else {
        panic!()
    };
    let stored = sim.get("people", &id).unwrap();
    assert_eq!(stored["phone_numbers"].as_array().unwrap().len(), 1);
    assert_eq!(stored["phone_numbers"][0]["number"], "14142020792");
    assert_eq!(stored["phone_numbers"][0]["status"], "subscribed");
    assert_eq!(
        c.write(&WriteOp::UpsertPerson {
            person: Box::new(p)
        })
        .await
        .unwrap(),
        WriteOutcome::Updated { id }
    );
}

#[tokio::test]
async fn upsert_person_without_email_or_phone_is_invalid_input_and_sends_nothing() {
    let (sim, c) = setup().await;
    sim.control().reset_stats();
    let p = Person {
        source: SourceRef::new("x", "1"),
        given_name: Some("Ana".into()),
        ..Person::default()
    };
    let err = c
        .write(&WriteOp::UpsertPerson {
            person: Box::new(p),
        })
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");
    assert_eq!(sim.control().stats().requests, 0);
}

#[tokio::test]
async fn apply_and_remove_tag() {
    let (sim, c) = setup().await;
    let person = sim.collection_ids("people")[1].clone();
    let tag = sim.collection_ids("tags")[1].clone();
    assert!(!sim.tags_of(&person).contains(&tag));
    let out = c
        .write(&WriteOp::ApplyTag {
            person_id: person.clone(),
            tag_id: tag.clone(),
        })
        .await
        .unwrap();
    assert!(matches!(out, WriteOutcome::Created { .. }), "{out:?}");
    assert!(sim.tags_of(&person).contains(&tag));
    // Applying again leaves one tagging.
    c.write(&WriteOp::ApplyTag {
        person_id: person.clone(),
        tag_id: tag.clone(),
    })
    .await
    .unwrap();
    c.write(&WriteOp::RemoveTag {
        person_id: person.clone(),
        tag_id: tag.clone(),
    })
    .await
    .unwrap();
    assert!(!sim.tags_of(&person).contains(&tag));
    // Removing a tag the person does not have is not an error.
    assert_eq!(
        c.write(&WriteOp::RemoveTag {
            person_id: person,
            tag_id: tag
        })
        .await
        .unwrap(),
        WriteOutcome::Applied
    );
}

#[tokio::test]
async fn apply_tag_to_an_unknown_person_is_not_found_with_the_vendor_message() {
    let (sim, c) = setup().await;
    let tag = sim.collection_ids("tags")[0].clone();
    let err = c
        .write(&WriteOp::ApplyTag {
            person_id: "nobody".into(),
            tag_id: tag,
        })
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::NotFound { what, .. } if what.contains("Couldn't find person with id = nobody")),
        "{err:?}"
    );
}

#[tokio::test]
async fn record_attendance_maps_statuses_and_refuses_what_action_network_cannot_hold() {
    let (sim, c) = setup().await;
    let event = sim.collection_ids("events")[0].clone();
    let person = sim.collection_ids("people")[2].clone();
    let op = |status| WriteOp::RecordAttendance {
        person_id: person.clone(),
        event_id: event.clone(),
        shift_id: None,
        role_id: None,
        status,
    };
    c.write(&op(AttendanceStatus::Tentative)).await.unwrap();
    assert_eq!(sim.rsvp(&event, &person).as_deref(), Some("tentative"));
    c.write(&op(AttendanceStatus::Invited)).await.unwrap();
    assert_eq!(sim.rsvp(&event, &person).as_deref(), Some("needs action"));
    c.write(&op(AttendanceStatus::Registered)).await.unwrap();
    assert_eq!(sim.rsvp(&event, &person).as_deref(), Some("accepted"));
    let err = c.write(&op(AttendanceStatus::NoShow)).await.unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput { field, .. } if field == "attendance.status"),
        "{err:?}"
    );
    let err = c
        .write(&WriteOp::RecordAttendance {
            person_id: person.clone(),
            event_id: event.clone(),
            shift_id: Some("1".into()),
            role_id: None,
            status: AttendanceStatus::Registered,
        })
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput { field, .. } if field == "shift_id"),
        "{err:?}"
    );
}

#[tokio::test]
async fn background_processing_writes_report_applied() {
    let (sim, c) = setup().await;
    let c = c.background_processing(true);
    let out = c
        .write(&WriteOp::UpsertPerson {
            person: Box::new(person("bg@example.org")),
        })
        .await
        .unwrap();
    assert_eq!(out, WriteOutcome::Applied);
    assert_eq!(sim.signups().created, 1);
    assert!(
        sim.control()
            .stats()
            .by_route
            .contains_key("POST /api/v2/people")
    );
}

#[tokio::test]
async fn factory_builds_from_config_and_names_a_missing_key_variable() {
    let sim = ActionNetworkSim::start(SimConfig {
        people: 3,
        ..SimConfig::default()
    })
    .await;
    let secrets = MapSecrets::default().with("AN_KEY", sim.api_key());
    let config = serde_json::json!({"base_url": sim.base_url().to_string(), "api_key_env": "AN_KEY", "rate_limit": 50.0, "per_page": 2});
    let connector = canvass_actionnetwork::factory(&config, &secrets).unwrap();
    connector.check().await.unwrap();
    assert_eq!(connector.info().system, canvass_actionnetwork::KIND);
    let err = canvass_actionnetwork::factory(
        &serde_json::json!({"api_key_env": "MISSING_AN_KEY"}),
        &secrets,
    )
    .unwrap_err();
    assert!(err.to_string().contains("MISSING_AN_KEY"), "{err}");
    let err = canvass_actionnetwork::factory(
        &serde_json::json!({"api_key_env": "AN_KEY", "rate_limit": -1.0}),
        &secrets,
    )
    .unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
    assert!(err.to_string().contains("positive number"), "{err}");
    let split = serde_json::json!({"base_url": sim.base_url().to_string(), "api_key_env": "AN_KEY",
        "rate_limit": {"per_second": 50.0, "writes_per_second": 10.0}});
    canvass_actionnetwork::factory(&split, &secrets).expect("a table of limits is accepted");
}
