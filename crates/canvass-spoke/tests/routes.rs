//! The connector sends only the GraphQL operations in
//! [`canvass_spoke::routes::OPERATIONS`], and a Spoke without the optional
//! tables (the tag tables, from its 2020 migration) is read without them:
//! tags and taggings are not offered, everything else is read; a required
//! table missing is still an error.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use canvass_core::{Channel, Connector, ConnectorExt, EntityKind, Error, OptOutReason, WriteOp};
use canvass_spoke::routes::OPERATIONS;
use canvass_spoke::simulator::{SeedSpec, SpokeSim, test_database_url};
use chrono::Utc;
use common::{assigned, connector};
use futures::StreamExt;

const SPEC: SeedSpec = SeedSpec {
    seed: 31,
    people: 30,
};

#[tokio::test]
async fn a_full_pull_and_every_write_send_only_listed_operations() {
    let Some(url) = test_database_url() else {
        return;
    };
    let sim = SpokeSim::start(&url, "routes", SPEC).await.unwrap();
    let c = connector(&sim);
    c.check().await.unwrap();
    for kind in &c.info().reads {
        let records = c.read_all(kind.clone()).await.unwrap();
        assert!(!records.is_empty(), "{kind}");
    }
    let id = assigned(&sim);
    let cell = canvass_core::normalize::normalize_phone(&sim.seeded.cells[&id]).unwrap();
    c.write(&WriteOp::OptOut {
        person_id: Some(id.to_string()),
        channel: Channel::Sms,
        identifier: cell,
        reason: OptOutReason::Requested,
        at: Utc::now(),
    })
    .await
    .unwrap();
    let (question, options) = sim.seeded.questions.iter().next().unwrap();
    c.write(&WriteOp::RecordSurveyResponse {
        person_id: id.to_string(),
        question_id: question.to_string(),
        option_id: options[0].id.to_string(),
        at: Utc::now(),
    })
    .await
    .unwrap();
    // Applying, then removing, a tag sends at least one update (applying
    // one the contact has sends nothing).
    let (tag, _) = sim.seeded.tags.iter().next().unwrap();
    for op in [
        WriteOp::ApplyTag {
            person_id: id.to_string(),
            tag_id: tag.to_string(),
        },
        WriteOp::RemoveTag {
            person_id: id.to_string(),
            tag_id: tag.to_string(),
        },
    ] {
        c.write(&op).await.unwrap();
    }

    let sent = sim.graphql.operations();
    let listed: Vec<&str> = OPERATIONS.iter().map(|o| o.field).collect();
    let unlisted: Vec<&String> = sent
        .iter()
        .filter(|f| !listed.contains(&f.as_str()))
        .collect();
    assert!(unlisted.is_empty(), "not in OPERATIONS: {unlisted:?}");
    for field in listed {
        assert!(
            sent.iter().any(|f| f == field),
            "{field} was not sent: {sent:?}"
        );
    }
    sim.finish().await.unwrap();
}

#[tokio::test]
async fn a_spoke_without_the_tag_tables_offers_no_tags_and_is_read_otherwise() {
    let Some(url) = test_database_url() else {
        return;
    };
    let sim = SpokeSim::start(&url, "notags", SPEC).await.unwrap();
    sim.database
        .client()
        .batch_execute("DROP TABLE tag_campaign_contact; DROP TABLE tag;")
        .await
        .unwrap();
    let c = connector(&sim);
    c.check().await.unwrap();
    for kind in [EntityKind::Tags, EntityKind::Taggings] {
        let mut read = c.read(kind.clone(), None);
        let err = read.next().await.unwrap().unwrap_err();
        assert!(err.is_not_offered(), "{kind}: {err}");
        assert!(err.to_string().contains("20200322171627_tags.js"), "{err}");
        assert!(read.next().await.is_none());
    }
    let people = c.read_all(EntityKind::People).await.unwrap();
    assert_eq!(
        people.len(),
        sim.seeded.expected_ids(&EntityKind::People).len()
    );
    sim.finish().await.unwrap();
}

#[tokio::test]
async fn a_spoke_without_a_required_table_fails_check_and_that_read() {
    let Some(url) = test_database_url() else {
        return;
    };
    let sim = SpokeSim::start(&url, "nooptout", SPEC).await.unwrap();
    sim.database
        .client()
        .batch_execute("DROP TABLE opt_out;")
        .await
        .unwrap();
    let c = connector(&sim);
    let err = c.check().await.unwrap_err();
    assert!(
        matches!(&err, Error::Config(m) if m.contains("opt_out")),
        "{err:?}"
    );
    let err = c.read_all(EntityKind::OptOuts).await.unwrap_err();
    assert!(!err.is_not_offered(), "{err}");
    assert!(matches!(err, Error::Config(_)), "{err:?}");
    sim.finish().await.unwrap();
}
