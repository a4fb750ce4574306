//! Mapping Strive rows to the canonical model with recorded-shape rows
//! served by the simulator (a landline, an invalid number, an unknown
//! status, an opt-out with no reason, malformed rows), incremental reads,
//! and writes.

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns

use std::collections::BTreeMap;

use canvass_core::http::RateLimit;
use canvass_core::{
    Checkpoint, Connector, ConnectorExt, ContactResult, DeliveryStatus, Direction, EntityKind,
    Error, OptOutReason, Page, Person, Phone, PhoneKind, Record, SourceRef, SubscriptionStatus,
    WriteOp, WriteOutcome,
};
use canvass_strive::simulator::StriveSim;
use canvass_testkit::generate::Population;
use futures::TryStreamExt;
use serde_json::json;

async fn read(sim: &StriveSim, kind: EntityKind, since: Option<Checkpoint>) -> Vec<Page> {
    sim.connector(None, RateLimit::unlimited(), 1000)
        .read(kind, since)
        .try_collect()
        .await
        .unwrap()
}

fn records(pages: &[Page]) -> BTreeMap<String, Record> {
    pages
        .iter()
        .flat_map(|p| &p.records)
        .map(|r| (r.source().id.clone(), r.clone()))
        .collect()
}

async fn recorded() -> StriveSim {
    let sim = StriveSim::start().await;
    for m in [
        json!({"id": 1, "campaign_id": 1, "phone_number": "(414) 202-0792", "first_name": "Ana ", "last_name": "García", "city": "Milwaukee",
               "state": "WI", "postal_code": "53202", "email": "ANA@EXAMPLE.ORG", "notes": null, "additional_notes": null, "opt_in": true,
               "custom": {"precinct": "WI-7"}, "created_at": "2024-01-01 10:00:00+00", "updated_at": "2024-02-01T10:00:00.123456+00:00",
               "group": [{"id": 1, "name": "Volunteers"}], "carrier": "AT&T Wireline", "first_sub_id": 9, "shoe_size": 7}),
        json!({"id": 2, "campaign_id": 1, "phone_number": "555-0143", "first_name": "Zoë", "opt_in": false, "custom": null,
               "created_at": "2024-01-01T10:00:00Z", "updated_at": "2024-02-01T10:00:00Z", "group": null, "carrier": null}),
        json!({"id": "three", "campaign_id": 1, "phone_number": "+13128670000", "updated_at": "2024-02-02T10:00:00Z"}),
    ] {
        sim.push_row("members", m);
    }
    sim.push_row("outgoing_messages", json!({"id": 10, "campaign_id": 1, "member_id": 1, "message": "Hi Ana!", "broadcast_id": 11,
        "p2p_id": null, "flow_action_id": null, "status": "delivered", "error_code": null, "sent_at": "2024-10-01T14:00:00+00:00", "queued_at": "2024-10-01T13:59:00+00:00"}));
    sim.push_row("outgoing_messages", json!({"id": 11, "campaign_id": 1, "member_id": 2, "message": "Hi!", "broadcast_id": null,
        "p2p_id": 7, "status": "carrier_violation", "error_code": 30007, "sent_at": "2024-10-01T14:01:00+00:00"}));
    sim.push_row("incoming_messages", json!({"id": 10, "campaign_id": 1, "member_id": 1, "from_number": "+14142020792", "to_number": "+12028675309",
        "message": "YES", "attachments": null, "sent_at": "2024-10-01T14:05:00+00:00", "is_opt_out": false, "conversation_id": 1, "flow_id": null, "response_to_id": 10}));
    for e in [
        json!({"id": 1, "member_id": 1, "type": "import", "created_at": "2024-01-01T10:00:00Z", "ref_id": 7, "supplemental": null, "unsubscribe": false, "campaign_id": 1}),
        json!({"id": 2, "member_id": 2, "type": null, "created_at": "2024-03-01T10:00:00Z", "ref_id": null, "supplemental": null, "unsubscribe": true, "campaign_id": 1}),
        json!({"id": 3, "member_id": 1, "type": "keyword", "created_at": "2024-03-02T10:00:00Z", "supplemental": "STOP", "unsubscribe": true, "campaign_id": 1}),
        json!({"id": 4, "member_id": 99, "type": "carrier", "created_at": "2024-03-03T10:00:00Z", "supplemental": "30007", "unsubscribe": true, "campaign_id": 1}),
    ] {
        sim.push_row("subscription_events", e);
    }
    sim
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_map_to_people_keyed_by_e164_phone() {
    let sim = recorded().await;
    let pages = read(&sim, EntityKind::People, None).await;
    let recs = records(&pages);
    let Record::Person(ana) = &recs["1"] else {
        panic!()
    };
    assert_eq!(
        ana.primary_phone().map(|p| p.number.as_str()),
        Some("+14142020792")
    );
    assert_eq!(ana.phones[0].kind, PhoneKind::Landline);
    assert_eq!(ana.phones[0].sms_status, SubscriptionStatus::Subscribed);
    assert_eq!(ana.given_name.as_deref(), Some("Ana"));
    assert_eq!(ana.emails[0].address, "ANA@example.org");
    let addr = ana.primary_address().unwrap();
    assert_eq!(
        (
            addr.locality.as_deref(),
            addr.region.as_deref(),
            addr.postal_code.as_deref()
        ),
        (Some("Milwaukee"), Some("WI"), Some("53202"))
    );
    assert_eq!(ana.custom_fields["precinct"], "WI-7");
    assert_eq!(ana.extra["shoe_size"], 7);
    assert!(ana.created_at.is_some() && ana.modified_at.is_some());

    // An invalid number: kept verbatim, flagged, reported, never dropped.
    let Record::Person(zoe) = &recs["2"] else {
        panic!()
    };
    assert_eq!(zoe.phones[0].number, "555-0143");
    assert!(!zoe.phones[0].valid);
    assert_eq!(zoe.phones[0].sms_status, SubscriptionStatus::Unsubscribed);
    let issue = pages
        .iter()
        .flat_map(|p| &p.issues)
        .find(|i| i.record == "2")
        .unwrap();
    assert_eq!(issue.field, "phone_number");
    assert!(!issue.skipped);

    // A row whose id is not a number is skipped, by name; the rest go on.
    let bad = pages
        .iter()
        .flat_map(|p| &p.issues)
        .find(|i| i.record == "three")
        .unwrap();
    assert!(bad.skipped);
    assert_eq!(bad.field, "id");
    assert_eq!(pages.iter().map(|p| p.raw.len()).sum::<usize>(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_map_with_direction_status_and_campaign() {
    let sim = recorded().await;
    let recs = records(&read(&sim, EntityKind::Messages, None).await);
    let Record::Message(out) = &recs["out:10"] else {
        panic!()
    };
    assert_eq!(out.direction, Direction::Outbound);
    assert_eq!(out.status, DeliveryStatus::Delivered);
    assert_eq!(out.campaign.as_deref(), Some("broadcast:11"));
    assert_eq!(out.person, Some(SourceRef::new("strive", "1")));
    let Record::Message(odd) = &recs["out:11"] else {
        panic!()
    };
    assert_eq!(
        odd.status,
        DeliveryStatus::Other("carrier_violation".into())
    );
    assert_eq!(odd.campaign.as_deref(), Some("p2p:7"));
    assert_eq!(odd.extra["error_code"], 30007);
    let Record::Message(reply) = &recs["in:10"] else {
        panic!()
    };
    assert_eq!(reply.direction, Direction::Inbound);
    assert_eq!(reply.contact.as_deref(), Some("+14142020792"));
    assert_eq!(reply.status, DeliveryStatus::Received);

    let attempts = records(&read(&sim, EntityKind::ContactAttempts, None).await);
    let result = |id: &str| match &attempts[id] {
        Record::ContactAttempt(a) => a.result.clone(),
        _ => panic!(),
    };
    assert_eq!(result("out:10"), ContactResult::Texted);
    assert_eq!(result("in:10"), ContactResult::Canvassed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsubscribe_events_are_opt_outs_with_the_members_phone() {
    let sim = recorded().await;
    let pages = read(&sim, EntityKind::OptOuts, None).await;
    let recs = records(&pages);
    assert_eq!(recs.len(), 3, "subscribe events are not opt-outs");
    let Record::OptOut(no_reason) = &recs["2"] else {
        panic!()
    };
    assert_eq!(no_reason.reason, OptOutReason::Unknown);
    assert_eq!(no_reason.identifier, "555-0143");
    assert!(no_reason.opted_out_at.is_some());
    let Record::OptOut(stop) = &recs["3"] else {
        panic!()
    };
    assert_eq!(stop.reason, OptOutReason::Requested);
    assert_eq!(stop.identifier, "+14142020792");
    let Record::OptOut(orphan) = &recs["4"] else {
        panic!()
    };
    assert_eq!(orphan.reason, OptOutReason::Blocked);
    assert!(
        pages
            .iter()
            .flat_map(|p| &p.issues)
            .any(|i| i.record == "4" && i.field == "member_id" && !i.skipped)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_later_run_reads_only_what_changed() {
    let sim = StriveSim::seeded(8, 60, 200).await;
    let c = sim.connector(None, RateLimit::unlimited(), 25);
    let first: Vec<Page> = c
        .read(EntityKind::People, None)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(first.iter().map(|p| p.records.len()).sum::<usize>(), 60);
    let cp = first.last().unwrap().checkpoint.clone();
    let none: Vec<Page> = c
        .read(EntityKind::People, cp.clone())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(none.iter().map(|p| p.records.len()).sum::<usize>(), 0);
    sim.touch_member(5, json!({"last_name": "Renamed"}));
    sim.touch_member(44, json!({"email": "new@example.org"}));
    let changed = records(
        &c.read(EntityKind::People, cp)
            .try_collect::<Vec<_>>()
            .await
            .unwrap(),
    );
    assert_eq!(
        changed.keys().cloned().collect::<Vec<_>>(),
        vec!["44".to_string(), "5".to_string()]
    );

    // Messages: new rows after the last checkpoint, and only those.
    let msgs: Vec<Page> = c
        .read(EntityKind::Messages, None)
        .try_collect()
        .await
        .unwrap();
    let cp = msgs.last().unwrap().checkpoint.clone();
    sim.seed_messages(99, 10);
    let new: Vec<Page> = c
        .read(EntityKind::Messages, cp)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(new.iter().map(|p| p.records.len()).sum::<usize>(), 10);
    assert!(c.info().incremental.contains(&EntityKind::Messages));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn groups_are_tags_and_member_groups_are_taggings() {
    let sim = recorded().await;
    let c = sim.connector(None, RateLimit::unlimited(), 2);
    let tags = c.read_all(EntityKind::Tags).await.unwrap();
    assert_eq!(tags.len(), 3);
    assert!(matches!(&tags[0], Record::Tag(t) if t.name == "Volunteers"));
    let taggings = c.read_all(EntityKind::Taggings).await.unwrap();
    assert_eq!(
        taggings
            .iter()
            .map(|r| r.source().id.clone())
            .collect::<Vec<_>>(),
        vec!["1:1".to_string()]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeded_members_are_the_populations_humans() {
    let population = Population::generate(21, 90);
    let sim = StriveSim::start().await;
    let ids = sim.seed_population(&population, (0..90).filter(|h| h % 2 == 0));
    assert_eq!(ids.len(), 45);
    let recs = records(&read(&sim, EntityKind::People, None).await);
    let mut matched = 0;
    for r in recs.values() {
        let Record::Person(p) = r else { continue };
        let human = &population.humans[sim.human_of(p.source.id.parse().unwrap()).unwrap()];
        if let Some(phone) = p.primary_phone() {
            assert!(
                [Some(human.mobile.clone()), human.landline.clone()]
                    .contains(&Some(phone.number.clone()))
            );
            matched += 1;
        }
    }
    assert!(matched >= 40, "{matched}");
}

fn person(phone: &str) -> Person {
    let mut p = Person {
        given_name: Some("Kwame".into()),
        ..Person::default()
    };
    p.phones.push(Phone::parse(phone, PhoneKind::Mobile));
    p
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upserting_a_person_creates_a_member_or_matches_one_in_any_format() {
    let sim = recorded().await;
    let c = sim.connector(None, RateLimit::unlimited(), 100);
    // Member 1 is stored as "(414) 202-0792": matched, not duplicated.
    let matched = c
        .write(&WriteOp::UpsertPerson {
            person: Box::new(person("+14142020792")),
        })
        .await
        .unwrap();
    assert_eq!(matched, WriteOutcome::Updated { id: "1".into() });
    let created = c
        .write(&WriteOp::UpsertPerson {
            person: Box::new(person("404-867-5309")),
        })
        .await
        .unwrap();
    let WriteOutcome::Created { id } = created else {
        panic!("{created:?}")
    };
    assert_eq!(
        sim.row("members", id.parse().unwrap()).unwrap()["phone_number"],
        "+14048675309"
    );
    let again = c
        .write(&WriteOp::UpsertPerson {
            person: Box::new(person("(404) 867-5309")),
        })
        .await
        .unwrap();
    assert_eq!(again, WriteOutcome::Updated { id });
    assert_eq!(sim.writes().members_created, 1);
    let err = c
        .write(&WriteOp::UpsertPerson {
            person: Box::new(person("555-0143")),
        })
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput { .. }));
    let tag = WriteOp::ApplyTag {
        person_id: "1".into(),
        tag_id: "1".into(),
    };
    assert!(matches!(
        c.write(&tag).await,
        Err(Error::Unsupported { .. })
    ));
}
