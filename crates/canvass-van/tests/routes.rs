//! The connector, its writes and the VAN sync's calls reach only routes in
//! the documented table (`src/routes.md`, `canvass_van::routes`), and the
//! simulator answers every documented route the way VAN's documentation
//! says.

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns

use std::collections::BTreeMap;
use std::time::Duration;

use canvass_core::registry::MapSecrets;
use canvass_core::routes::Availability;
use canvass_core::{
    AttendanceStatus, Channel, Connector, ContactResult, Email, EntityKind, OptOutReason, Person,
    Phone, PhoneKind, SourceRef, WriteOp, WriteOutcome,
};
use canvass_testkit::generate::Population;
use canvass_van::client::BulkImportTable;
use canvass_van::models::{
    CanvassContext, CanvassResponse, Event, EventShift, EventTypeRef, JobStatus, MappingType,
    PhoneNumber, ResponseItem, Signup,
};
use canvass_van::routes::TABLE;
use canvass_van::simulator::{API_KEY, LoopbackUploader, VanSim};
use futures::TryStreamExt;

/// The documented template each request was, and how often.
fn templates(by_route: &BTreeMap<String, u64>) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    for (key, n) in by_route {
        if let Some(r) = TABLE.find_request(key) {
            *out.entry(r.template()).or_default() += n;
        }
    }
    out
}

#[test]
fn every_row_of_the_table_parses_with_a_source() {
    assert_eq!(TABLE.errors(), [], "rows that do not parse");
    let parsed = TABLE.routes();
    assert!(parsed.len() > 40, "{}", parsed.len());
    for r in parsed {
        assert!(r.path.starts_with("/v4/"), "{r:?}");
        assert!(
            ["GET", "POST", "PUT", "DELETE"].contains(&r.method),
            "{r:?}"
        );
        assert!(!r.source.is_empty() && !r.called_by.is_empty(), "{r:?}");
        if r.availability == Availability::Optional {
            assert!(r.note.is_some_and(|why| !why.is_empty()), "{r:?}");
        }
    }
    let mut templates: Vec<String> = parsed.iter().map(|r| r.template()).collect();
    templates.sort();
    let n = templates.len();
    templates.dedup();
    assert_eq!(templates.len(), n, "a route is listed twice");
}

#[test]
fn parameters_match_their_kind_of_segment() {
    let path = |p: &str| TABLE.find("GET", p).map(|r| r.path);
    assert_eq!(path("/v4/people/19722445"), Some("/v4/people/{vanId}"));
    assert_eq!(
        path("/v4/people/dwid:123"),
        Some("/v4/people/{personIdType}:{personId}")
    );
    assert!(path("/v4/people/abc").is_none());
    assert_eq!(
        path("/v4/changedEntityExportJobs/fields/Contacts"),
        Some("/v4/changedEntityExportJobs/fields/{resourceType}")
    );
    assert!(TABLE.find("POST", "/v4/events/types").is_none());
    assert!(path("/v4/events/12/signups").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_pull_of_every_kind_calls_only_documented_routes() {
    let sim = VanSim::start().await;
    let seeded = sim.seed_standard();
    let people = sim.seed_population(&Population::generate(3, 40), 40);
    let list = sim.add_saved_list("Everyone", &people);
    let van = sim.client();
    for (n, e) in seeded.events.iter().enumerate() {
        van.signups()
            .create(&Signup::new(
                people[n],
                e.event_id,
                e.shift_ids[0],
                e.role_ids[0],
                1,
            ))
            .await
            .unwrap();
    }
    sim.control().reset_stats();
    // The connector as a config names it, defaults for everything else
    // (the saved list is required for a full people read; polling is
    // sped up so the test is quick).
    let config = serde_json::json!({
        "application_name": sim.app_name(),
        "db_mode": "my_campaign",
        "base_url": sim.base_url().as_str(),
        "people_saved_list_id": list,
        "job_poll_interval_ms": 5,
    });
    let secrets = MapSecrets::default().with("VAN_API_KEY", API_KEY);
    let connector = canvass_van::factory(&config, &secrets).unwrap();
    connector.check().await.unwrap();
    let mut last_people = None;
    for kind in connector.info().reads {
        let pages: Vec<_> = connector
            .read(kind.clone(), None)
            .try_collect()
            .await
            .unwrap_or_else(|e| panic!("{kind}: {e}"));
        let n: usize = pages.iter().map(|p| p.records.len()).sum();
        assert!(n > 0, "{kind} read nothing");
        if kind == EntityKind::People {
            last_people = pages.last().and_then(|p| p.checkpoint.clone());
        }
    }
    // The next run reads people changes (windows end on whole seconds).
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let _: Vec<_> = connector
        .read(EntityKind::People, last_people)
        .try_collect()
        .await
        .unwrap();

    let by_route = sim.control().stats().by_route;
    assert_eq!(TABLE.unlisted(by_route.keys()), Vec::<&String>::new());
    let used = templates(&by_route);
    for expected in [
        "POST /v4/echoes",
        "POST /v4/exportJobs",
        "GET /v4/exportJobs/{exportJobId}",
        "POST /v4/changedEntityExportJobs",
        "GET /v4/changedEntityExportJobs/{exportJobId}",
        "GET /v4/events",
        "GET /v4/signups",
        "GET /v4/activistCodes",
        "GET /v4/surveyQuestions",
    ] {
        assert!(used.contains_key(expected), "{expected} not used: {used:?}");
    }
}

fn person() -> Person {
    let mut p = Person {
        source: SourceRef::new("mobilize", "57"),
        given_name: Some("Zoë".into()),
        family_name: Some("D'Angelo".into()),
        ..Person::default()
    };
    p.emails.push(Email::parse("zoe@example.org"));
    p.phones
        .push(Phone::parse("(404) 262-0192", PhoneKind::Mobile));
    p
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_write_and_every_van_sync_call_uses_documented_routes() {
    let sim = VanSim::start().await;
    let seeded = sim.seed_standard();
    let c = sim.connector(seeded.connector_options(None));
    let WriteOutcome::Created { id } = c
        .write(&WriteOp::UpsertPerson {
            person: Box::new(person()),
        })
        .await
        .unwrap()
    else {
        panic!("not created")
    };
    let van_id: u64 = id.parse().unwrap();
    let now = chrono::Utc::now();
    let code = seeded.activist_codes["Volunteer"].to_string();
    let (q, answers) = &seeded.survey_question;
    let event = &seeded.events[0];
    let ops = [
        WriteOp::ApplyTag {
            person_id: id.clone(),
            tag_id: code.clone(),
        },
        WriteOp::RemoveTag {
            person_id: id.clone(),
            tag_id: code,
        },
        WriteOp::RecordAttendance {
            person_id: id.clone(),
            event_id: event.event_id.to_string(),
            shift_id: None,
            role_id: None,
            status: AttendanceStatus::Registered,
        },
        WriteOp::RecordContactAttempt {
            person_id: id.clone(),
            channel: Channel::Sms,
            result: ContactResult::Texted,
            at: now,
            phone: Some("+14042620192".into()),
        },
        WriteOp::RecordSurveyResponse {
            person_id: id.clone(),
            question_id: q.to_string(),
            option_id: answers["Undecided"].to_string(),
            at: now,
        },
        WriteOp::OptOut {
            person_id: Some(id.clone()),
            channel: Channel::Sms,
            identifier: "+14042620192".into(),
            reason: OptOutReason::Requested,
            at: now,
        },
        WriteOp::OptOut {
            person_id: Some(id.clone()),
            channel: Channel::Email,
            identifier: "zoe@example.org".into(),
            reason: OptOutReason::Requested,
            at: now,
        },
    ];
    for op in &ops {
        assert!(c.info().can_write(op.kind()), "{op:?}");
        c.write(op)
            .await
            .unwrap_or_else(|e| panic!("{:?}: {e}", op.kind()));
    }

    // The calls canvass-vansync makes (crates/canvass-vansync/src/execute.rs).
    let van = sim.client();
    let created = van
        .events()
        .create(&Event {
            name: "Canvass Launch".into(),
            start_date: Some((now + chrono::Duration::days(3)).to_rfc3339()),
            end_date: Some(
                (now + chrono::Duration::days(3) + chrono::Duration::hours(3)).to_rfc3339(),
            ),
            event_type: Some(EventTypeRef {
                event_type_id: seeded.event_type_id,
                name: None,
            }),
            shifts: Some(vec![EventShift {
                name: Some("Doors".into()),
                start_time: Some((now + chrono::Duration::days(3)).to_rfc3339()),
                end_time: Some(
                    (now + chrono::Duration::days(3) + chrono::Duration::hours(3)).to_rfc3339(),
                ),
                ..EventShift::default()
            }]),
            ..Event::default()
        })
        .await
        .unwrap();
    let read = van
        .events()
        .get(created)
        .expand(&[
            canvass_van::client::EventExpand::Shifts,
            canvass_van::client::EventExpand::Roles,
        ])
        .send()
        .await
        .unwrap();
    let shift = read
        .shifts
        .iter()
        .flatten()
        .find_map(|s| s.event_shift_id)
        .unwrap();
    let role = read.roles.iter().flatten().next().unwrap().role_id;
    van.events()
        .add_shift(
            created,
            &EventShift {
                name: Some("Phones".into()),
                start_time: read.shifts.as_ref().and_then(|s| s[0].start_time.clone()),
                end_time: read.shifts.as_ref().and_then(|s| s[0].end_time.clone()),
                ..EventShift::default()
            },
        )
        .await
        .unwrap();
    van.signups()
        .create(&Signup::new(van_id, created, shift, role, 1))
        .await
        .unwrap();
    let responses = van.canvass_responses();
    responses
        .record(
            van_id,
            CanvassResponse::responses(
                CanvassContext {
                    omit_activist_code_contact_history: Some(true),
                    input_type_id: Some(11),
                    ..CanvassContext::default()
                },
                vec![ResponseItem::apply_activist_code(
                    seeded.activist_codes["Donor Prospect"],
                )],
            ),
        )
        .send()
        .await
        .unwrap();
    van.people()
        .update(
            van_id,
            &canvass_van::models::Person {
                phones: Some(vec![PhoneNumber {
                    phone_number: "4042620192".into(),
                    sms_opt_in_status: Some("O".into()),
                    ..PhoneNumber::default()
                }]),
                ..canvass_van::models::Person::default()
            },
        )
        .send()
        .await
        .unwrap();
    let uploader = LoopbackUploader::start().await;
    let mut codes = BulkImportTable::new(&["VanID", "ActivistCodeID"]);
    codes
        .push(vec![
            van_id.to_string(),
            seeded.activist_codes["Precinct Captain"].to_string(),
        ])
        .unwrap();
    let mut answers_table =
        BulkImportTable::new(&["VanID", "SurveyQuestionID", "SurveyResponseID"]);
    answers_table
        .push(vec![
            van_id.to_string(),
            q.to_string(),
            answers["Lean Support"].to_string(),
        ])
        .unwrap();
    for (table, resource, mapping) in [
        (codes, "ContactsActivistCodes", "ActivistCode"),
        (answers_table, "ContactsSurveyResponses", "SurveyResponse"),
    ] {
        let outcome = van
            .bulk_import_jobs()
            .import(table, resource, vec![MappingType::new(mapping)], &uploader)
            .run()
            .await
            .unwrap();
        assert_eq!(outcome.job.status, JobStatus::Complete);
    }

    let by_route = sim.control().stats().by_route;
    assert_eq!(TABLE.unlisted(by_route.keys()), Vec::<&String>::new());
    let used = templates(&by_route);
    for expected in [
        "POST /v4/people/findOrCreate",
        "POST /v4/people/{vanId}",
        "POST /v4/people/{vanId}/canvassResponses",
        "GET /v4/events/{eventId}",
        "POST /v4/events",
        "POST /v4/events/{eventId}/shifts",
        "GET /v4/signups/statuses",
        "POST /v4/signups",
        "POST /v4/bulkImportJobs",
        "GET /v4/bulkImportJobs/{jobId}",
    ] {
        assert!(used.contains_key(expected), "{expected} not used: {used:?}");
    }
}

/// A concrete path for a template: ids `1`, `type:id` segments `dwid:1`,
/// other parameters `Contacts`.
fn concrete(template: &str) -> String {
    template
        .split('/')
        .map(|seg| match seg.strip_prefix('{') {
            None => seg.to_string(),
            Some(inner) if inner.contains("}:{") => "dwid:1".to_string(),
            Some(inner) if inner.trim_end_matches('}').ends_with("Id") => "1".to_string(),
            Some(_) => "Contacts".to_string(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_simulator_answers_every_documented_route() {
    let sim = VanSim::start().await;
    let van = sim.client();
    for r in TABLE.routes() {
        let path = concrete(r.path);
        let rel = path.trim_start_matches("/v4/").to_string();
        let http = van.http();
        let rb = match r.method {
            "GET" => http.get(rel.as_str()),
            "POST" => http.post(rel.as_str()).json(&serde_json::json!({})),
            "PUT" => http.put(rel.as_str()).json(&serde_json::json!({})),
            "DELETE" => http.delete(rel.as_str()),
            other => panic!("{other}"),
        };
        // The answer may well be an error (no such id, an empty body): the
        // route only has to be one the simulator implements.
        let _ = rb.send().await;
        let key = format!("{} {path}", r.method);
        let seen = sim.control().stats().by_route.get(&key).copied();
        assert_eq!(seen, Some(1), "the simulator does not implement {key}");
        assert!(
            matches!(
                r.availability,
                Availability::Required | Availability::Optional
            ),
            "{r:?}"
        );
    }
}

#[tokio::test]
async fn the_simulators_export_jobs_report_only_documented_statuses() {
    // VAN's Export Jobs common models: an export job is Requested, Pending,
    // Completed or Error (no InProcess).
    let sim = VanSim::start().await;
    let people = sim.seed_population(&Population::generate(5, 3), 3);
    let list = sim.add_saved_list("Three", &people);
    let van = sim.client();
    let job = van
        .export_jobs()
        .create(&canvass_van::models::ExportJobRequest {
            saved_list_id: list,
            kind: 4,
            webhook_url: None,
        })
        .await
        .unwrap();
    let mut seen = vec![job.status.clone()];
    let mut status = job.status;
    while status != JobStatus::Complete {
        let polled = van.export_jobs().get(job.export_job_id).await.unwrap();
        status = polled.status.clone();
        seen.push(polled.status);
        assert!(seen.len() < 10, "{seen:?}");
    }
    assert!(
        seen.iter()
            .all(|s| matches!(s, JobStatus::Pending | JobStatus::Complete)),
        "{seen:?}"
    );
}
