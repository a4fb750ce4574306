//! Writes through Spoke's GraphQL API (against the simulator), with the
//! lookups they need read from the seeded database, and how GraphQL
//! errors map onto `Error`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use canvass_core::http::RateLimit;
use canvass_core::{Channel, Connector, Error, OptOutReason, WriteOp, WriteOutcome};
use canvass_spoke::simulator::{AuthFailure, SeedSpec, SpokeSim, Written, test_database_url};
use canvass_spoke::{ConnectorOptions, SpokeConnector};
use canvass_testkit::Faults;
use chrono::Utc;
use common::{assigned, connector};

const SPEC: SeedSpec = SeedSpec {
    seed: 23,
    people: 40,
};

async fn start(tag: &str) -> Option<SpokeSim> {
    let url = test_database_url()?;
    Some(SpokeSim::start(&url, tag, SPEC).await.unwrap())
}

fn opt_out(person: Option<String>, identifier: &str, reason: OptOutReason) -> WriteOp {
    WriteOp::OptOut {
        person_id: person,
        channel: Channel::Sms,
        identifier: identifier.into(),
        reason,
        at: Utc::now(),
    }
}

#[tokio::test]
async fn opt_out_sends_create_opt_out_with_the_contacts_assignment_and_reason() {
    let Some(sim) = start("optout").await else {
        return;
    };
    let id = assigned(&sim);
    let cell = canvass_core::normalize::normalize_phone(&sim.seeded.cells[&id]).unwrap();
    let c = connector(&sim);
    let out = c
        .write(&opt_out(
            Some(id.to_string()),
            &cell,
            OptOutReason::WrongNumber,
        ))
        .await
        .unwrap();
    assert_eq!(out, WriteOutcome::Updated { id: id.to_string() });
    let assignment: i32 = sim
        .database
        .client()
        .query_one(
            "SELECT assignment_id FROM campaign_contact WHERE id = $1",
            &[&(id as i32)],
        )
        .await
        .unwrap()
        .get(0);
    match &sim.graphql.written()[..] {
        [Written::OptOut { contact, input }] => {
            assert_eq!(contact, &id.to_string());
            assert_eq!(input.assignment_id, assignment.to_string());
            assert_eq!(input.cell, cell);
            assert_eq!(input.reason.as_deref(), Some("wrong_number"));
            // What canvass writes, it reads back as the same reason.
            assert_eq!(
                canvass_spoke::mapping::opt_out_reason(input.reason.as_deref().unwrap()),
                OptOutReason::WrongNumber
            );
        }
        other => panic!("{other:?}"),
    }
    sim.finish().await.unwrap();
}

#[tokio::test]
async fn opt_out_without_a_person_id_finds_the_contact_by_cell() {
    let Some(sim) = start("bycell").await else {
        return;
    };
    let id = assigned(&sim);
    // The cell as a person would type it; Spoke may store it another way.
    let e164 = canvass_core::normalize::normalize_phone(&sim.seeded.cells[&id]).unwrap();
    let typed = format!("({}) {}-{}", &e164[2..5], &e164[5..8], &e164[8..]);
    let c = connector(&sim);
    c.write(&opt_out(None, &typed, OptOutReason::Unknown))
        .await
        .unwrap();
    match &sim.graphql.written()[..] {
        [Written::OptOut { input, .. }] => {
            assert_eq!(input.cell, e164);
            assert_eq!(input.reason, None, "an unknown reason is sent as none");
        }
        other => panic!("{other:?}"),
    }
    sim.finish().await.unwrap();
}

#[tokio::test]
async fn opting_out_an_unassigned_contact_is_invalid_input_and_sends_nothing() {
    let Some(sim) = start("unassigned").await else {
        return;
    };
    let id = *sim.seeded.unassigned.iter().next().unwrap();
    let err = connector(&sim)
        .write(&opt_out(
            Some(id.to_string()),
            "+14142020792",
            OptOutReason::Requested,
        ))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput { field, .. } if field == "person_id"),
        "{err:?}"
    );
    let err = connector(&sim)
        .write(&opt_out(
            Some("999999".into()),
            "+14142020792",
            OptOutReason::Requested,
        ))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
    assert!(sim.graphql.written().is_empty());
    assert_eq!(sim.control().stats().requests, 0);
    sim.finish().await.unwrap();
}

#[tokio::test]
async fn a_survey_response_is_sent_as_the_options_answer_text() {
    let Some(sim) = start("response").await else {
        return;
    };
    let id = assigned(&sim);
    let (question, options) = sim
        .seeded
        .questions
        .iter()
        .find(|(_, o)| o.len() == 3)
        .unwrap();
    let maybe = options.iter().find(|o| o.text == "Maybe").unwrap();
    let c = connector(&sim);
    let op = WriteOp::RecordSurveyResponse {
        person_id: id.to_string(),
        question_id: question.to_string(),
        option_id: maybe.id.to_string(),
        at: Utc::now(),
    };
    assert_eq!(c.write(&op).await.unwrap(), WriteOutcome::Applied);
    match &sim.graphql.written()[..] {
        [Written::QuestionResponses { contact, responses }] => {
            assert_eq!(contact, &id.to_string());
            assert_eq!(responses.len(), 1);
            assert_eq!(responses[0].interaction_step_id, question.to_string());
            assert_eq!(responses[0].value, "Maybe");
        }
        other => panic!("{other:?}"),
    }
    // An option of another question is refused before anything is sent.
    let (other_q, _) = sim
        .seeded
        .questions
        .iter()
        .find(|(q, _)| *q != question)
        .unwrap();
    let wrong = WriteOp::RecordSurveyResponse {
        person_id: id.to_string(),
        question_id: other_q.to_string(),
        option_id: maybe.id.to_string(),
        at: Utc::now(),
    };
    let err = c.write(&wrong).await.unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput { field, .. } if field == "option_id"),
        "{err:?}"
    );
    assert_eq!(sim.graphql.written().len(), 1);
    sim.finish().await.unwrap();
}

#[tokio::test]
async fn tags_are_applied_and_removed_by_sending_the_whole_list() {
    let Some(sim) = start("tags").await else {
        return;
    };
    let row = sim
        .database
        .client()
        .query_one(
            "SELECT tc.campaign_contact_id, tc.tag_id FROM tag_campaign_contact tc \
             JOIN tag t ON t.id = tc.tag_id WHERE t.name = 'Volunteer prospect' ORDER BY tc.id LIMIT 1",
            &[],
        )
        .await
        .unwrap();
    let (contact, existing): (i32, i32) = (row.get(0), row.get(1));
    let follow_up = *sim
        .seeded
        .tags
        .iter()
        .find(|(_, n)| *n == "Needs follow-up")
        .unwrap()
        .0;
    let current: Vec<String> = sim
        .database
        .client()
        .query(
            "SELECT tag_id FROM tag_campaign_contact WHERE campaign_contact_id = $1 ORDER BY tag_id",
            &[&contact],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<_, i32>(0).to_string())
        .collect();
    let c = connector(&sim);
    let apply = WriteOp::ApplyTag {
        person_id: contact.to_string(),
        tag_id: follow_up.to_string(),
    };
    c.write(&apply).await.unwrap();
    let tags = sim.graphql.contact_tags(&contact.to_string()).unwrap();
    let ids: Vec<String> = tags.iter().map(|t| t.id.clone()).collect();
    let mut want = current.clone();
    want.push(follow_up.to_string());
    assert_eq!(ids, want, "the contact's tags, then the new one");
    assert_eq!(tags.last().unwrap().name, "Needs follow-up");

    // Already there: nothing to send.
    let again = WriteOp::ApplyTag {
        person_id: contact.to_string(),
        tag_id: existing.to_string(),
    };
    c.write(&again).await.unwrap();
    assert_eq!(sim.graphql.written().len(), 1);

    let remove = WriteOp::RemoveTag {
        person_id: contact.to_string(),
        tag_id: existing.to_string(),
    };
    c.write(&remove).await.unwrap();
    let left: Vec<String> = sim
        .graphql
        .contact_tags(&contact.to_string())
        .unwrap()
        .into_iter()
        .map(|t| t.id)
        .collect();
    let want: Vec<String> = current
        .into_iter()
        .filter(|t| *t != existing.to_string())
        .collect();
    assert_eq!(left, want);

    // A deleted tag is refused.
    let old = *sim
        .seeded
        .tags
        .iter()
        .find(|(_, n)| *n == "Old tag")
        .unwrap()
        .0;
    let err = c
        .write(&WriteOp::ApplyTag {
            person_id: contact.to_string(),
            tag_id: old.to_string(),
        })
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput { field, .. } if field == "tag_id"),
        "{err:?}"
    );
    sim.finish().await.unwrap();
}

#[tokio::test]
async fn masked_graphql_errors_map_onto_error_kinds() {
    let Some(sim) = start("errors").await else {
        return;
    };
    let id = assigned(&sim);
    let c = connector(&sim);
    let op = opt_out(
        Some(id.to_string()),
        "+14142020792",
        OptOutReason::Requested,
    );

    sim.graphql.fail_next("Internal server error");
    let err = c.write(&op).await.unwrap_err();
    match &err {
        Error::Api { code, fields, .. } => {
            assert_eq!(code.as_deref(), Some("INTERNAL_SERVER_ERROR"));
            assert_eq!(fields, &vec!["createOptOut".to_string()]);
        }
        other => panic!("{other:?}"),
    }

    sim.graphql.fail_next("UNAUTHORIZED");
    assert!(c.write(&op).await.unwrap_err().is_auth());

    // A contact the database has but Spoke's API does not know (another
    // Spoke, a stale id) fails as Spoke fails: masked.
    sim.graphql.set_contacts([]);
    let err = c.write(&op).await.unwrap_err();
    assert!(matches!(&err, Error::Api { code: Some(c), .. } if c == "INTERNAL_SERVER_ERROR"));
    assert!(sim.graphql.written().is_empty());
    sim.finish().await.unwrap();
}

#[tokio::test]
async fn a_token_refused_inside_graphql_is_an_auth_error_in_check_and_read() {
    let Some(sim) = start("badtoken").await else {
        return;
    };
    sim.graphql
        .set_auth_failure(AuthFailure::GraphqlUnauthorized);
    let c = sim
        .connector(
            Some("not-the-token-77"),
            RateLimit::unlimited(),
            ConnectorOptions::default(),
        )
        .unwrap();
    let err = c.check().await.unwrap_err();
    assert!(err.is_auth(), "{err:?}");
    assert!(!format!("{err:?}").contains("not-the-token-77"));
    let err = canvass_core::ConnectorExt::read_all(&c, canvass_core::EntityKind::People)
        .await
        .unwrap_err();
    assert!(err.is_auth(), "{err:?}");
    sim.finish().await.unwrap();
}

#[tokio::test]
async fn opt_outs_are_not_retried_but_tag_updates_are() {
    let Some(sim) = start("retries").await else {
        return;
    };
    let id = assigned(&sim);
    let c = connector(&sim);
    // Two 503s, then success.
    sim.control().set_faults(Faults {
        error_every: Some(1),
        error_burst: 2,
        error_status: 503,
        ..Faults::none()
    });
    let err = c
        .write(&opt_out(
            Some(id.to_string()),
            "+14142020792",
            OptOutReason::Requested,
        ))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Api { status: 503, .. }), "{err:?}");
    assert_eq!(
        sim.control().stats().requests,
        1,
        "createOptOut inserts: never repeated"
    );

    sim.control().set_faults(Faults {
        error_every: Some(3),
        error_burst: 2,
        error_status: 503,
        ..Faults::none()
    });
    sim.control().reset_stats();
    let tag = *sim
        .seeded
        .tags
        .iter()
        .find(|(_, n)| *n == "Needs follow-up")
        .unwrap()
        .0;
    c.write(&WriteOp::ApplyTag {
        person_id: id.to_string(),
        tag_id: tag.to_string(),
    })
    .await
    .unwrap();
    sim.control().set_faults(Faults::none());
    assert!(sim.graphql.contact_tags(&id.to_string()).is_some());
    sim.finish().await.unwrap();
}

#[tokio::test]
async fn a_connector_without_an_api_token_reads_but_does_not_write() {
    let Some(sim) = start("readonly").await else {
        return;
    };
    let c = SpokeConnector::new(
        sim.database.spoke_db().unwrap(),
        None,
        ConnectorOptions::default(),
    );
    assert!(c.info().writes.is_empty());
    c.check().await.unwrap();
    let people = canvass_core::ConnectorExt::read_all(&c, canvass_core::EntityKind::People)
        .await
        .unwrap();
    assert_eq!(people.len(), sim.seeded.contacts.len());
    let err = c
        .write(&opt_out(
            Some("1".into()),
            "+14142020792",
            OptOutReason::Requested,
        ))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Unsupported { .. }), "{err:?}");
    sim.finish().await.unwrap();
}
