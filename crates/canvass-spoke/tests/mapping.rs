//! Mapping a messy seeded Spoke database onto the canonical model: unknown
//! statuses, opt-outs without a reason, invalid cells, custom fields that
//! are not JSON, answers that name no option.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use canvass_core::http::RateLimit;
use canvass_core::{
    ConnectorExt, ContactResult, DeliveryStatus, Direction, EntityKind, OptOutReason, Page, Record,
    SubscriptionStatus,
};
use canvass_spoke::ConnectorOptions;
use canvass_spoke::simulator::{SeedSpec, SpokeSim, test_database_url};
use futures::TryStreamExt;

const SPEC: SeedSpec = SeedSpec {
    seed: 11,
    people: 90,
};

async fn start(tag: &str) -> Option<SpokeSim> {
    let url = test_database_url()?;
    Some(SpokeSim::start(&url, tag, SPEC).await.unwrap())
}

fn connector(sim: &SpokeSim) -> canvass_spoke::SpokeConnector {
    let options = ConnectorOptions {
        page_size: 25,
        external_id_system: "van".into(),
        ..ConnectorOptions::default()
    };
    sim.connector(None, RateLimit::unlimited(), options)
        .unwrap()
}

async fn pages(sim: &SpokeSim, kind: EntityKind) -> Vec<Page> {
    let c = connector(sim);
    canvass_core::Connector::read(&c, kind, None)
        .try_collect()
        .await
        .unwrap()
}

#[tokio::test]
async fn unknown_message_statuses_are_kept_not_dropped() {
    let Some(sim) = start("statuses").await else {
        return;
    };
    let messages = connector(&sim)
        .read_all(EntityKind::Messages)
        .await
        .unwrap();
    assert_eq!(messages.len(), sim.seeded.messages.len());
    let by_id: BTreeMap<String, _> = messages
        .iter()
        .map(|r| match r {
            Record::Message(m) => (m.source.id.clone(), m.clone()),
            other => panic!("{other:?}"),
        })
        .collect();
    assert!(!sim.seeded.unknown_status_messages.is_empty());
    for id in &sim.seeded.unknown_status_messages {
        let m = &by_id[&id.to_string()];
        let raw = m.extra["send_status"].as_str().unwrap();
        assert!(raw == "UNDELIVERED" || raw == "bogus_status", "{raw}");
        if m.direction == Direction::Outbound {
            assert_eq!(m.status, DeliveryStatus::Other(raw.into()));
        } else {
            assert_eq!(m.status, DeliveryStatus::Received);
        }
    }
    // Known ones map onto the canonical statuses.
    assert!(
        by_id
            .values()
            .any(|m| m.status == DeliveryStatus::Delivered)
    );
    assert!(by_id.values().any(|m| m.status == DeliveryStatus::Failed));
    assert!(by_id.values().any(|m| m.status == DeliveryStatus::Queued));
    // Campaign and person come from the contact.
    assert!(
        by_id
            .values()
            .all(|m| m.person.is_some() && m.campaign.is_some())
    );
    sim.finish().await.unwrap();
}

#[tokio::test]
async fn opt_outs_without_a_reason_are_unknown_and_others_are_read_from_the_text() {
    let Some(sim) = start("reasons").await else {
        return;
    };
    let records = connector(&sim).read_all(EntityKind::OptOuts).await.unwrap();
    assert_eq!(records.len(), sim.seeded.opt_outs.len());
    let mut seen = BTreeMap::new();
    for r in &records {
        let Record::OptOut(o) = r else {
            panic!("{r:?}")
        };
        let id: i64 = o.source.id.parse().unwrap();
        let text = o
            .extra
            .get("reason_code")
            .and_then(|v| v.as_str())
            .unwrap_or_default();
        if sim.seeded.reasonless_opt_outs.contains(&id) {
            assert_eq!(o.reason, OptOutReason::Unknown, "{o:?}");
        }
        seen.insert(text.to_string(), o.reason.clone());
    }
    assert_eq!(seen.get("wrong number"), Some(&OptOutReason::WrongNumber));
    assert_eq!(seen.get("STOP"), Some(&OptOutReason::Requested));
    assert_eq!(
        seen.get("hostile"),
        Some(&OptOutReason::Other("hostile".into()))
    );
    // The opt-out whose cell matches no contact has no person, the others do.
    let unlinked: Vec<_> = records
        .iter()
        .filter_map(|r| match r {
            Record::OptOut(o) if o.person.is_none() => Some(o.identifier.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(unlinked, vec!["+14149990000".to_string()]);
    sim.finish().await.unwrap();
}

#[tokio::test]
async fn contact_attempts_come_from_messages_and_opt_out_outcomes() {
    let Some(sim) = start("attempts").await else {
        return;
    };
    let records = connector(&sim)
        .read_all(EntityKind::ContactAttempts)
        .await
        .unwrap();
    let mut results: BTreeMap<String, usize> = BTreeMap::new();
    for r in &records {
        let Record::ContactAttempt(a) = r else {
            panic!("{r:?}")
        };
        *results.entry(a.result.as_str().to_string()).or_default() += 1;
        if a.source.id.starts_with("message:") {
            assert!(matches!(
                a.result,
                ContactResult::Texted | ContactResult::Canvassed | ContactResult::Disconnected
            ));
        } else {
            assert!(a.source.id.starts_with("opt_out:"), "{a:?}");
            assert!(matches!(
                a.result,
                ContactResult::OptedOut | ContactResult::WrongNumber
            ));
        }
    }
    for result in [
        "texted",
        "canvassed",
        "disconnected",
        "opted_out",
        "wrong_number",
    ] {
        assert!(results.contains_key(result), "{result} in {results:?}");
    }
    assert_eq!(
        records.len(),
        sim.seeded.messages.len() + sim.seeded.opt_outs.len()
    );
    sim.finish().await.unwrap();
}

#[tokio::test]
async fn invalid_cells_and_bad_custom_fields_are_kept_and_reported() {
    let Some(sim) = start("people").await else {
        return;
    };
    let pages = pages(&sim, EntityKind::People).await;
    let issues: Vec<_> = pages.iter().flat_map(|p| &p.issues).collect();
    assert!(issues.iter().all(|i| !i.skipped), "{issues:?}");
    let people: BTreeMap<String, _> = pages
        .iter()
        .flat_map(|p| &p.records)
        .map(|r| match r {
            Record::Person(p) => (p.source.id.clone(), p.clone()),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(people.len(), sim.seeded.contacts.len());
    assert!(!sim.seeded.invalid_cells.is_empty() && !sim.seeded.bad_custom_fields.is_empty());
    for id in &sim.seeded.invalid_cells {
        let key = id.to_string();
        assert!(
            issues.iter().any(|i| i.record == key && i.field == "cell"),
            "no cell issue for {key}"
        );
        let p = &people[&key];
        assert!(p.phones.iter().all(|ph| !ph.valid));
    }
    for id in &sim.seeded.bad_custom_fields {
        let key = id.to_string();
        assert!(
            issues
                .iter()
                .any(|i| i.record == key && i.field == "custom_fields")
        );
        assert!(people[&key].extra.contains_key("custom_fields_raw"));
    }
    // Valid cells are E.164, opted-out contacts are unsubscribed, VAN ids kept.
    let valid = people
        .values()
        .filter(|p| p.phones.first().is_some_and(|ph| ph.valid))
        .count();
    assert!(valid > people.len() / 2);
    assert!(people.values().any(|p| {
        p.phones
            .first()
            .is_some_and(|ph| ph.sms_status == SubscriptionStatus::Unsubscribed)
    }));
    assert!(
        people
            .values()
            .any(|p| p.external_ids.iter().any(|e| e.system == "van"))
    );
    assert!(
        people
            .values()
            .any(|p| p.custom_fields.contains_key("precinct"))
    );
    // Raw rows are kept, one per contact, with Spoke's column names.
    let raw: Vec<_> = pages.iter().flat_map(|p| &p.raw).collect();
    assert_eq!(raw.len(), people.len());
    assert!(raw.iter().all(|r| r.json.get("message_status").is_some()));
    sim.finish().await.unwrap();
}

#[tokio::test]
async fn survey_responses_name_their_option_when_the_value_matches_one() {
    let Some(sim) = start("survey").await else {
        return;
    };
    let c = connector(&sim);
    let questions = c.read_all(EntityKind::SurveyQuestions).await.unwrap();
    assert_eq!(questions.len(), sim.seeded.questions.len());
    for q in &questions {
        let Record::SurveyQuestion(q) = q else {
            panic!()
        };
        let seeded = &sim.seeded.questions[&q.source.id.parse::<i64>().unwrap()];
        let got: Vec<(String, String)> = q
            .options
            .iter()
            .map(|o| (o.id.clone(), o.name.clone()))
            .collect();
        let want: Vec<(String, String)> = seeded
            .iter()
            .map(|o| (o.id.to_string(), o.text.clone()))
            .collect();
        assert_eq!(got, want, "deleted options are left out of {q:?}");
    }
    let responses = c.read_all(EntityKind::SurveyResponses).await.unwrap();
    assert_eq!(responses.len(), sim.seeded.responses.len());
    let mut free_text = 0;
    for r in &responses {
        let Record::SurveyResponse(r) = r else {
            panic!()
        };
        let options = &sim.seeded.questions[&r.question.id.parse::<i64>().unwrap()];
        match options.iter().find(|o| o.text == r.answer) {
            Some(o) => assert_eq!(r.option_id, Some(o.id.to_string()), "{r:?}"),
            None => {
                free_text += 1;
                assert_eq!(r.option_id, None, "{r:?}");
            }
        }
    }
    assert!(free_text > 0, "the seed has answers that name no option");
    sim.finish().await.unwrap();
}

#[tokio::test]
async fn tags_and_taggings_map_with_groups_and_values() {
    let Some(sim) = start("tags").await else {
        return;
    };
    let c = connector(&sim);
    let tags = c.read_all(EntityKind::Tags).await.unwrap();
    assert_eq!(tags.len(), sim.seeded.tags.len());
    assert!(tags.iter().any(|t| matches!(t, Record::Tag(t)
        if t.name == "Spanish speaker" && t.extra["group"] == "language")));
    let taggings = c.read_all(EntityKind::Taggings).await.unwrap();
    assert_eq!(taggings.len(), sim.seeded.taggings.len());
    assert!(taggings.iter().any(|t| matches!(t, Record::Tagging(t)
        if t.extra.get("value").and_then(|v| v.as_str()) == Some("es"))));
    for t in &taggings {
        let Record::Tagging(t) = t else { panic!() };
        assert!(
            sim.seeded
                .contacts
                .contains_key(&t.person.id.parse::<i64>().unwrap())
        );
    }
    sim.finish().await.unwrap();
}
