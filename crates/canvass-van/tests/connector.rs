//! The Connector: canonical writes land in the simulator exactly once, and
//! people read incrementally through changed-entity exports.

use canvass_core::{
    AttendanceStatus, Channel, ConnectorExt, ContactResult, Email, EntityKind, Error, OptOutReason,
    Person, Phone, PhoneKind, Record, SourceRef, WriteOp, WriteOutcome,
};
use canvass_core::{Checkpoint, Connector};
use canvass_testkit::generate::Population;
use canvass_van::simulator::{VanSim, WrittenVia};
use chrono::{DateTime, Duration, Utc};
use futures::TryStreamExt;

fn person() -> Person {
    let mut p = Person {
        source: SourceRef::new("mobilize", "57"),
        given_name: Some("Zoë".into()),
        family_name: Some("D'Angelo".into()),
        ..Person::default()
    };
    p.emails.push(Email::parse("zoe@example.org"));
    p.phones.push(Phone::parse("555-0143", PhoneKind::Mobile)); // invalid: never sent
    p.phones
        .push(Phone::parse("(404) 262-0192", PhoneKind::Mobile));
    p
}

#[tokio::test]
async fn every_canonical_write_lands_once() {
    let sim = VanSim::start().await;
    let seeded = sim.seed_standard();
    let c = sim.connector(seeded.connector_options(None));
    let created = c
        .write(&WriteOp::UpsertPerson {
            person: Box::new(person()),
        })
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let WriteOutcome::Created { id } = created else {
        panic!("{created:?}")
    };
    let again = c
        .write(&WriteOp::UpsertPerson {
            person: Box::new(person()),
        })
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again, WriteOutcome::Updated { id: id.clone() });
    let stored = sim
        .person(id.parse().unwrap_or_default())
        .unwrap_or_default();
    assert_eq!(
        stored.phones.unwrap_or_default().len(),
        1,
        "the invalid phone is not sent"
    );

    let code = seeded.activist_codes["Volunteer"].to_string();
    c.write(&WriteOp::ApplyTag {
        person_id: id.clone(),
        tag_id: code.clone(),
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let e = &seeded.events[0];
    let at = c
        .write(&WriteOp::RecordAttendance {
            person_id: id.clone(),
            event_id: e.event_id.to_string(),
            shift_id: None,
            role_id: None,
            status: AttendanceStatus::Registered,
        })
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(at, WriteOutcome::Created { .. }));
    c.write(&WriteOp::RecordAttendance {
        person_id: id.clone(),
        event_id: e.event_id.to_string(),
        shift_id: None,
        role_id: None,
        status: AttendanceStatus::Attended,
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let now = Utc::now();
    c.write(&WriteOp::RecordContactAttempt {
        person_id: id.clone(),
        channel: Channel::Sms,
        result: ContactResult::Texted,
        at: now,
        phone: Some("+14042620192".into()),
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let (q, answers) = &seeded.survey_question;
    c.write(&WriteOp::RecordSurveyResponse {
        person_id: id.clone(),
        question_id: q.to_string(),
        option_id: answers["Undecided"].to_string(),
        at: now,
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    c.write(&WriteOp::OptOut {
        person_id: Some(id.clone()),
        channel: Channel::Sms,
        identifier: "+14042620192".into(),
        reason: OptOutReason::Requested,
        at: now,
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    c.write(&WriteOp::RemoveTag {
        person_id: id.clone(),
        tag_id: code,
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"));

    // apply tag, texted, survey answer, opt-out, remove tag
    assert_eq!(sim.canvass_response_count(), 5);
    let signups = sim.signups();
    assert_eq!(
        signups.len(),
        1,
        "the status change updated the same signup"
    );
    assert_eq!(signups[0].status.name.as_deref(), Some("Completed"));
    assert_eq!(sim.applied_activist_codes().len(), 2);
    let texted = &sim.canvass_responses()[1];
    assert_eq!(
        (texted.contact_type_id, texted.result_code_id),
        (Some(37), Some(seeded.result_codes["Texted"]))
    );
    let opt = sim.opt_outs();
    assert_eq!(opt.len(), 1);
    assert_eq!(
        (opt[0].phone.as_str(), opt[0].result_code_id, opt[0].via),
        (
            "4042620192",
            Some(seeded.result_codes["Do Not Text"]),
            WrittenVia::CanvassResponse
        )
    );
}

#[tokio::test]
async fn unmapped_contact_result_names_the_config_key_and_writes_nothing() {
    let sim = VanSim::start().await;
    let seeded = sim.seed_standard();
    let mut options = seeded.connector_options(None);
    options.result_code_ids.remove("wrong_number");
    let c = sim.connector(options);
    let err = c
        .write(&WriteOp::RecordContactAttempt {
            person_id: "1".into(),
            channel: Channel::Sms,
            result: ContactResult::WrongNumber,
            at: Utc::now(),
            phone: None,
        })
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput { field, .. } if field == "result_code_ids.wrong_number"),
        "{err:?}"
    );
    assert_eq!(sim.canvass_response_count(), 0);
}

#[tokio::test]
async fn sms_opt_out_without_a_result_code_updates_the_phone() {
    let sim = VanSim::start().await;
    let seeded = sim.seed_standard();
    let mut options = seeded.connector_options(None);
    options.opt_out_result_code_id = None;
    let c = sim.connector(options);
    let WriteOutcome::Created { id } = c
        .write(&WriteOp::UpsertPerson {
            person: Box::new(person()),
        })
        .await
        .unwrap_or_else(|e| panic!("{e}"))
    else {
        panic!()
    };
    c.write(&WriteOp::OptOut {
        person_id: Some(id),
        channel: Channel::Sms,
        identifier: "+14042620192".into(),
        reason: OptOutReason::Requested,
        at: Utc::now(),
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let opt = sim.opt_outs();
    assert_eq!((opt.len(), opt[0].via), (1, WrittenVia::PersonUpdate));
    assert_eq!(sim.canvass_response_count(), 0);
}

#[tokio::test]
async fn people_resume_incrementally_through_changed_entities() {
    let sim = VanSim::start().await;
    let people = sim.seed_population(&Population::generate(9, 250), 250);
    let list = sim.add_saved_list("Everyone", &people);
    let c = sim.connector(canvass_van::connector::ConnectorOptions {
        people_saved_list_id: Some(list),
        export_job_type_id: 4,
        input_type_id: 11,
        ..Default::default()
    });
    let pages: Vec<_> = c
        .read(EntityKind::People, None)
        .try_collect()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(pages.iter().map(|p| p.records.len()).sum::<usize>(), 250);
    assert_eq!(pages.iter().map(|p| p.raw.len()).sum::<usize>(), 250);
    // Invalid phones are kept and reported, never dropped.
    let flagged: Vec<_> = pages.iter().flat_map(|p| &p.issues).collect();
    assert!(
        flagged.iter().all(|i| !i.skipped && i.field == "Phone"),
        "{flagged:?}"
    );
    let last = pages
        .last()
        .and_then(|p| p.checkpoint.clone())
        .unwrap_or_else(|| panic!("no checkpoint"));
    // Two people change; the next read returns exactly them. (A window
    // ends on a whole second, so changes of the current second wait for the
    // next read: sleep past it.)
    sim.set_modified(people[3], Utc::now());
    sim.set_modified(people[200], Utc::now());
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    sim.control().reset_stats();
    let next: Vec<_> = c
        .read(EntityKind::People, Some(last))
        .try_collect()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let ids: Vec<String> = next
        .iter()
        .flat_map(|p| &p.records)
        .map(|r| r.source().id.clone())
        .collect();
    assert_eq!(ids, vec![people[3].to_string(), people[200].to_string()]);
    assert_eq!(
        sim.control()
            .stats()
            .by_route
            .get("POST /v4/changedEntityExportJobs"),
        Some(&1)
    );
}

#[tokio::test]
async fn a_people_read_whose_window_is_empty_reads_nothing_and_asks_van_nothing() {
    // A sync re-run within the second its previous read ended has an empty
    // window; VAN refuses an export that ends where it starts.
    let sim = VanSim::start().await;
    let c = sim.connector(Default::default());
    let from = DateTime::from_timestamp(Utc::now().timestamp() + 3600, 0).expect("time");
    let checkpoint =
        Checkpoint(serde_json::json!({"since": from, "until": null, "skip": 0}).to_string());
    sim.control().reset_stats();
    let pages: Vec<_> = c
        .read(EntityKind::People, Some(checkpoint))
        .try_collect()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(pages.is_empty(), "{pages:?}");
    assert_eq!(sim.control().stats().requests, 0);
}

#[tokio::test]
async fn full_people_read_without_a_saved_list_says_which_key_to_set() {
    let sim = VanSim::start().await;
    let c = sim.connector(Default::default());
    let err = c.read_all(EntityKind::People).await.unwrap_err();
    assert!(
        matches!(&err, Error::Config(m) if m.contains("people_saved_list_id")),
        "{err:?}"
    );
}

#[tokio::test]
async fn events_read_yields_events_with_their_shifts() {
    let sim = VanSim::start().await;
    let seeded = sim.seed_standard();
    let c = sim.connector(seeded.connector_options(None));
    let records = c
        .read_all(EntityKind::Events)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let events = records
        .iter()
        .filter(|r| matches!(r, Record::Event(_)))
        .count();
    let shifts: Vec<_> = records
        .iter()
        .filter_map(|r| {
            if let Record::Shift(s) = r {
                Some(s)
            } else {
                None
            }
        })
        .collect();
    assert_eq!((events, shifts.len()), (2, 4));
    assert_eq!(shifts[0].event.id, seeded.events[0].event_id.to_string());
    let stale = canvass_core::Checkpoint("not json".into());
    let err = c
        .read(EntityKind::Events, Some(stale))
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");
    let _ = Duration::zero();
}
