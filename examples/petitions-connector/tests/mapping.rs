//! Mapping, incremental reads and writes against the petitions simulator.

use canvass_core::http::{RateLimit, RetryPolicy};
use canvass_core::{
    Connector, ConnectorExt, Email, EntityKind, Error, Person, Record, SourceRef, WriteOp,
    WriteOutcome,
};
use canvass_example_petitions::simulator::{PetitionsSim, SIM_KEY};
use canvass_example_petitions::{PetitionsClient, PetitionsConnector};
use futures::TryStreamExt;

fn connector(sim: &PetitionsSim, page_size: u32) -> PetitionsConnector {
    let client = PetitionsClient::with_options(
        sim.base_url(),
        SIM_KEY,
        RateLimit::unlimited(),
        RetryPolicy::fast(),
    )
    .expect("client");
    PetitionsConnector::new(client, page_size)
}

#[tokio::test]
async fn people_are_normalized_and_raw_json_is_kept() {
    let sim = PetitionsSim::start(40, 3).await;
    let c = connector(&sim, 15);
    let pages: Vec<_> = c
        .read(EntityKind::People, None)
        .try_collect()
        .await
        .expect("read");
    let raw: usize = pages.iter().map(|p| p.raw.len()).sum();
    let people: Vec<Person> = pages
        .iter()
        .flat_map(|p| &p.records)
        .filter_map(|r| match r {
            Record::Person(p) => Some(p.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(people.len(), 40);
    assert_eq!(raw, 40);
    for p in &people {
        for e in p.emails.iter().filter(|e| e.valid) {
            assert_eq!(e.address.trim(), e.address, "emails are trimmed");
        }
        for ph in p.phones.iter().filter(|ph| ph.valid) {
            assert!(ph.number.starts_with("+1"), "{}", ph.number);
        }
        assert!(
            p.extra.contains_key("source_code"),
            "unknown fields land in extra"
        );
    }
    // Invalid phones are kept verbatim and reported, not dropped.
    let issues: Vec<_> = pages.iter().flat_map(|p| &p.issues).collect();
    let invalid_phones = people
        .iter()
        .flat_map(|p| &p.phones)
        .filter(|ph| !ph.valid)
        .count();
    assert_eq!(
        issues.iter().filter(|i| i.field == "phone").count(),
        invalid_phones
    );
    assert!(issues.iter().all(|i| !i.skipped));
}

#[tokio::test]
async fn a_malformed_signer_is_reported_by_id_and_field_and_the_page_goes_on() {
    let sim = PetitionsSim::start(30, 3).await;
    sim.make_malformed(7);
    let c = connector(&sim, 10);
    let pages: Vec<_> = c
        .read(EntityKind::People, None)
        .try_collect()
        .await
        .expect("read");
    let ids: Vec<String> = pages
        .iter()
        .flat_map(|p| &p.records)
        .map(|r| r.source().id.clone())
        .collect();
    assert_eq!(ids.len(), 29);
    assert!(!ids.contains(&"s_0000007".to_string()));
    let skipped: Vec<_> = pages
        .iter()
        .flat_map(|p| &p.issues)
        .filter(|i| i.skipped)
        .collect();
    assert_eq!(skipped.len(), 1);
    assert_eq!(skipped[0].record, "s_0000007");
    assert!(
        skipped[0].field == "first_name" || skipped[0].field == "updated_at",
        "{:?}",
        skipped[0]
    );
    // Its raw JSON is still kept for the warehouse.
    assert!(
        pages
            .iter()
            .flat_map(|p| &p.raw)
            .any(|r| r.source.id == "s_0000007")
    );
}

#[tokio::test]
async fn incremental_read_after_changes_fetches_only_the_changes() {
    let sim = PetitionsSim::start(500, 5).await;
    let c = connector(&sim, 100);
    let pages: Vec<_> = c
        .read(EntityKind::People, None)
        .try_collect()
        .await
        .expect("full read");
    let last = pages
        .last()
        .and_then(|p| p.checkpoint.clone())
        .expect("checkpoint");
    sim.touch(5);
    sim.control().reset_stats();
    let changed: Vec<_> = c
        .read(EntityKind::People, Some(last))
        .try_collect()
        .await
        .expect("incremental");
    let ids: Vec<String> = changed
        .iter()
        .flat_map(|p| &p.records)
        .map(|r| r.source().id.clone())
        .collect();
    // The five changed signers, plus the last one of the full read (the
    // inclusive `updated_since` re-reads a tie rather than risk losing it).
    assert_eq!(ids.len(), 6, "{ids:?}");
    assert!(ids.contains(&"s_0000499".to_string()));
    assert_eq!(sim.control().stats().requests, 1);
}

#[tokio::test]
async fn upsert_creates_then_updates_by_email() {
    let sim = PetitionsSim::start(5, 5).await;
    let c = connector(&sim, 100);
    let mut person = Person {
        source: SourceRef::new("van", "1"),
        given_name: Some("Ana".into()),
        ..Person::default()
    };
    person.emails.push(Email::parse("ana.new@example.org"));
    let op = WriteOp::UpsertPerson {
        person: Box::new(person.clone()),
    };
    let first = c.write(&op).await.expect("create");
    assert!(matches!(first, WriteOutcome::Created { .. }), "{first:?}");
    person.emails[0] = Email::parse("  ANA.NEW@example.org ");
    let second = c
        .write(&WriteOp::UpsertPerson {
            person: Box::new(person),
        })
        .await
        .expect("update");
    match (first, second) {
        (WriteOutcome::Created { id: a }, WriteOutcome::Updated { id: b }) => assert_eq!(a, b),
        other => panic!("{other:?}"),
    }
    assert_eq!(c.read_all(EntityKind::People).await.expect("read").len(), 6);
}

#[tokio::test]
async fn a_person_without_email_is_invalid_input_naming_the_field() {
    let sim = PetitionsSim::start(1, 5).await;
    let c = connector(&sim, 100);
    let op = WriteOp::UpsertPerson {
        person: Box::new(Person::default()),
    };
    match c.write(&op).await {
        Err(Error::InvalidInput { field, .. }) => assert_eq!(field, "person.emails"),
        other => panic!("{other:?}"),
    }
    assert_eq!(sim.control().stats().requests, 0, "nothing was sent");
}

#[tokio::test]
async fn a_checkpoint_from_another_connector_is_a_clear_error() {
    let sim = PetitionsSim::start(1, 5).await;
    let c = connector(&sim, 100);
    let bad = canvass_core::Checkpoint("not json".into());
    let err = c
        .read(EntityKind::People, Some(bad))
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput { field, .. } if field == "checkpoint"),
        "{err}"
    );
}
