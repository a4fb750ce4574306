//! Connector writes and checks against the simulator.

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns

use canvass_core::http::RateLimit;
use canvass_core::{
    Channel, Connector, ContactResult, Error, OptOutReason, Person, Phone, PhoneKind, SourceRef,
    WriteOp, WriteOutcome,
};
use canvass_hustle::simulator::HustleSim;

fn person(phone: &str) -> Person {
    let mut p = Person {
        source: SourceRef::new("van", "1001"),
        given_name: Some("Keisha".into()),
        family_name: Some("Okafor".into()),
        ..Person::default()
    };
    p.phones.push(Phone::parse(phone, PhoneKind::Mobile));
    p
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upserting_a_person_creates_then_updates_the_lead() {
    let sim = HustleSim::seeded(1, 10, 0).await;
    let c = sim.connector(None, RateLimit::unlimited(), 100);
    let op = WriteOp::UpsertPerson {
        person: Box::new(person("(404) 867-5309")),
    };
    let created = c.write(&op).await.unwrap();
    let WriteOutcome::Created { id } = created else {
        panic!("{created:?}")
    };
    let lead = sim.lead(&id).unwrap();
    assert_eq!(lead["phoneNumber"], "+14048675309");
    assert_eq!(lead["activeGroupIds"][0], sim.group_ids()[0].as_str());
    assert_eq!(c.write(&op).await.unwrap(), WriteOutcome::Updated { id });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_without_a_valid_phone_cannot_be_a_lead() {
    let sim = HustleSim::seeded(1, 10, 0).await;
    let c = sim.connector(None, RateLimit::unlimited(), 100);
    let err = c
        .write(&WriteOp::UpsertPerson {
            person: Box::new(person("555-0143")),
        })
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput { field, .. } if field == "person.phones"),
        "{err:?}"
    );
    assert_eq!(sim.control().stats().requests, 0, "nothing was sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn applying_and_removing_a_tag_patches_the_lead() {
    let sim = HustleSim::seeded(1, 10, 0).await;
    let c = sim.connector(None, RateLimit::unlimited(), 100);
    let id = sim.lead_ids()[3].clone();
    let op = WriteOp::ApplyTag {
        person_id: id.clone(),
        tag_id: "tagSpanish".into(),
    };
    assert_eq!(c.write(&op).await.unwrap(), WriteOutcome::Applied);
    assert!(
        sim.lead(&id).unwrap()["tagIds"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == "tagSpanish")
    );
    let op = WriteOp::RemoveTag {
        person_id: id.clone(),
        tag_id: "tagSpanish".into(),
    };
    c.write(&op).await.unwrap();
    assert!(
        !sim.lead(&id).unwrap()["tagIds"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == "tagSpanish")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opting_out_by_phone_finds_the_lead_and_tags_the_reason() {
    let sim = HustleSim::seeded(1, 10, 0).await;
    let c = sim.connector(None, RateLimit::unlimited(), 100);
    let created = c
        .write(&WriteOp::UpsertPerson {
            person: Box::new(person("404-867-5309")),
        })
        .await
        .unwrap();
    let WriteOutcome::Created { id } = created else {
        panic!()
    };
    let op = WriteOp::OptOut {
        person_id: None,
        channel: Channel::Sms,
        identifier: "+1 (404) 867-5309".into(),
        reason: OptOutReason::WrongNumber,
        at: chrono::Utc::now(),
    };
    assert_eq!(
        c.write(&op).await.unwrap(),
        WriteOutcome::Updated { id: id.clone() }
    );
    let lead = sim.lead(&id).unwrap();
    assert_eq!(lead["globalOptedOut"], true);
    assert!(
        lead["tagIds"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == "tagWrongNo")
    );

    let unknown = WriteOp::OptOut {
        person_id: None,
        channel: Channel::Sms,
        identifier: "+12028670000".into(),
        reason: OptOutReason::Requested,
        at: chrono::Utc::now(),
    };
    assert!(matches!(
        c.write(&unknown).await,
        Err(Error::NotFound { .. })
    ));
    let email = WriteOp::OptOut {
        person_id: Some(id),
        channel: Channel::Email,
        identifier: "a@b.org".into(),
        reason: OptOutReason::Requested,
        at: chrono::Utc::now(),
    };
    assert!(matches!(
        c.write(&email).await,
        Err(Error::Unsupported { .. })
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contact_history_cannot_be_written_to_hustle() {
    let sim = HustleSim::start().await;
    let c = sim.connector(None, RateLimit::unlimited(), 100);
    let op = WriteOp::RecordContactAttempt {
        person_id: "x".into(),
        channel: Channel::Sms,
        result: ContactResult::Texted,
        at: chrono::Utc::now(),
        phone: None,
    };
    assert!(matches!(c.write(&op).await, Err(Error::Unsupported { .. })));
    assert!(
        !c.info()
            .can_write(canvass_core::WriteKind::RecordContactAttempt)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_passes_with_the_right_secret_and_fails_with_a_wrong_one() {
    let sim = HustleSim::start().await;
    sim.connector(None, RateLimit::unlimited(), 100)
        .check()
        .await
        .unwrap();
    let err = sim
        .connector(Some("nope-nope-nope"), RateLimit::unlimited(), 100)
        .check()
        .await
        .unwrap_err();
    assert!(err.is_auth());
}
