//! VAN's published examples (`tests/fixtures/published`, sources in its
//! README) served over loopback exactly as published, read through the
//! client and the connector, decoded with the crate's models and mapped to
//! canonical records. Our own simulator is not involved: these pin the
//! models to what VAN documents, not to what we assumed.

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns

use canvass_core::{
    AttendanceStatus, Checkpoint, Connector, EntityKind, Page, PhoneKind, Record,
    SubscriptionStatus,
};
use canvass_van::client::CsvFile;
use canvass_van::connector::ConnectorOptions;
use canvass_van::models::{self, JobStatus};
use canvass_van::{DbMode, VanClient, VanConnector, mapping};
use futures::TryStreamExt;
use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn fixture_text(name: &str) -> String {
    let file = format!(
        "{}/tests/fixtures/published/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn fixture(name: &str) -> Value {
    serde_json::from_str(&fixture_text(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn client(server: &MockServer) -> VanClient {
    VanClient::builder("app", "key-1234", DbMode::MyCampaign)
        .base_url(format!("{}/v4/", server.uri()).parse().unwrap())
        .retry(canvass_core::http::RetryPolicy::fast())
        .job_polling(
            std::time::Duration::from_millis(5),
            std::time::Duration::from_secs(10),
        )
        .build()
        .unwrap()
}

fn connector(server: &MockServer, options: ConnectorOptions) -> VanConnector {
    VanConnector::new(client(server), options)
}

async fn serve(server: &MockServer, verb: &str, route: &str, status: u16, body: Value) {
    Mock::given(method(verb))
        .and(path(route))
        .respond_with(ResponseTemplate::new(status).set_body_json(body))
        .mount(server)
        .await;
}

async fn read(van: &VanConnector, kind: EntityKind, since: Option<Checkpoint>) -> Vec<Page> {
    van.read(kind.clone(), since)
        .try_collect()
        .await
        .unwrap_or_else(|e| panic!("read {kind}: {e}"))
}

fn records(pages: &[Page]) -> Vec<Record> {
    pages.iter().flat_map(|p| p.records.clone()).collect()
}

fn no_issues(pages: &[Page]) {
    let issues: Vec<_> = pages.iter().flat_map(|p| &p.issues).collect();
    assert!(issues.is_empty(), "{issues:?}");
}

#[tokio::test]
async fn published_people_decode_and_map_with_nothing_lost() {
    let server = MockServer::start().await;
    serve(
        &server,
        "GET",
        "/v4/people/19722445",
        200,
        fixture("parsons-person.json"),
    )
    .await;
    let p = client(&server).people().get(19722445).send().await.unwrap();
    let (person, issues) = mapping::person_from_van(&p).unwrap();
    assert!(issues.is_empty(), "{issues:?}");
    assert_eq!(person.source.id, "19722445");
    assert_eq!(person.given_name.as_deref(), Some("Bob"));
    assert_eq!(
        person.birth_date.map(|d| d.to_string()).as_deref(),
        Some("1975-09-18")
    );
    assert_eq!(person.phones.len(), 1);
    assert_eq!(person.phones[0].number, "+14142020792");
    assert_eq!(person.phones[0].kind, PhoneKind::Mobile);
    assert!(person.phones[0].primary);
    assert_eq!(person.phones[0].sms_status, SubscriptionStatus::Unknown);
    let kinds: Vec<_> = person
        .addresses
        .iter()
        .map(|a| a.kind.as_deref().unwrap_or_default())
        .collect();
    assert_eq!(kinds, ["Voting", "Mailing"]);
    assert_eq!(
        person.addresses[0].postal_code.as_deref(),
        Some("60622-4455")
    );
    assert_eq!(person.external_ids[0].id, "KLYW682Z");
    assert_eq!(person.extra.get("sex"), Some(&json!("F")));
    assert_eq!(
        person.extra.get("formalEnvelopeName"),
        Some(&json!("Bob Smith"))
    );

    // A find answer: every collection `null` (not expanded).
    let found: models::Person =
        serde_json::from_value(fixture("parsons-person-find.json")).unwrap();
    assert!(found.emails.is_none() && found.phones.is_none() && found.addresses.is_none());
    let (person, issues) = mapping::person_from_van(&found).unwrap();
    assert!(issues.is_empty() && person.phones.is_empty() && person.emails.is_empty());
}

/// Serves a completed export job (VAN's documented example, its download
/// URL pointed at `file`) and the file.
async fn serve_export(server: &MockServer, file: &str) {
    let mut job = fixture("docs-export-job.json");
    job["downloadUrl"] = json!(format!("{}/blob/{file}", server.uri()));
    serve(server, "POST", "/v4/exportJobs", 201, job).await;
    Mock::given(method("GET"))
        .and(path(format!("/blob/{file}")))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            fixture_text("spoke-columns-saved-list-export.csv"),
            "text/csv",
        ))
        .mount(server)
        .await;
}

fn export_options() -> ConnectorOptions {
    ConnectorOptions {
        people_saved_list_id: Some(1234),
        export_job_type_id: 777,
        input_type_id: 11,
        ..ConnectorOptions::default()
    }
}

fn people_by_id(pages: &[Page]) -> std::collections::BTreeMap<String, canvass_core::Person> {
    records(pages)
        .into_iter()
        .filter_map(|r| match r {
            Record::Person(p) => Some((p.source.id.clone(), p)),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn an_export_file_with_the_published_columns_reads_as_people() {
    let server = MockServer::start().await;
    serve_export(&server, "export.csv").await;
    let van = connector(&server, export_options());
    let pages = read(&van, EntityKind::People, None).await;
    no_issues(&pages);
    let people = people_by_id(&pages);
    assert_eq!(people.len(), 3);

    // The street comes from `StreetAddress`, not the one-line `Address`;
    // the ZIP, left empty in `ZipOrPostal`, from `Address`.
    let ana = &people["7100001"];
    assert_eq!(ana.family_name.as_deref(), Some("Núñez"));
    assert_eq!(ana.emails[0].address, "ana@example.org");
    assert_eq!(ana.addresses[0].lines, ["12 Elm St"]);
    assert_eq!(ana.addresses[0].locality.as_deref(), Some("Springfield"));
    assert_eq!(ana.addresses[0].region.as_deref(), Some("MA"));
    assert_eq!(ana.addresses[0].postal_code.as_deref(), Some("01103"));
    assert_eq!(
        ana.extra.get("Address"),
        Some(&json!("12 Elm St, Springfield, MA 01103"))
    );
    assert_eq!(ana.extra.get("County"), Some(&json!("Hampden")));
    assert_eq!(ana.extra.get("Party"), Some(&json!("D")));

    // Every phone column is read, the same number once.
    let ben = &people["7100002"];
    assert_eq!(ben.addresses[0].postal_code.as_deref(), Some("01608-1234"));
    let phones: Vec<_> = ben
        .phones
        .iter()
        .map(|p| (p.number.as_str(), p.kind.clone(), p.primary, p.valid))
        .collect();
    assert_eq!(
        phones,
        [
            ("+12025550101", PhoneKind::Mobile, true, true),
            // A home phone on a cell exchange.
            ("+12025550143", PhoneKind::Mobile, false, true),
        ]
    );

    // `ZipOrPostal` wins over `Address`; the opt-in phone carries its status.
    let chloe = &people["7100003"];
    assert_eq!(chloe.addresses[0].postal_code.as_deref(), Some("01852"));
    assert_eq!(chloe.phones.len(), 1);
    assert_eq!(chloe.phones[0].number, "+16175550123");
    assert_eq!(chloe.phones[0].kind, PhoneKind::Mobile);
    assert_eq!(chloe.phones[0].sms_status, SubscriptionStatus::Subscribed);

    // The export was asked for the configured list and type.
    let asked: Vec<Value> = server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path() == "/v4/exportJobs")
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect();
    assert_eq!(asked.len(), 1);
    assert_eq!(asked[0]["savedListId"], 1234);
    assert_eq!(asked[0]["type"], 777);
}

#[tokio::test]
async fn published_changed_entity_jobs_are_polled_and_read_incrementally() {
    let server = MockServer::start().await;
    serve_export(&server, "export.csv").await;
    serve(
        &server,
        "POST",
        "/v4/changedEntityExportJobs",
        201,
        fixture("parsons-changed-entity-job-created.json"),
    )
    .await;
    let mut complete = fixture("parsons-changed-entity-job-complete.json");
    complete["files"][0]["downloadUrl"] = json!(format!("{}/blob/export.csv", server.uri()));
    serve(
        &server,
        "GET",
        "/v4/changedEntityExportJobs/2170181229",
        200,
        complete,
    )
    .await;
    let van = connector(&server, export_options());
    let full = read(&van, EntityKind::People, None).await;
    let after_full = full.last().and_then(|p| p.checkpoint.clone());
    // Windows end on whole seconds: one started in the same second as the
    // full read ended would be empty.
    let into_second = chrono::Utc::now().timestamp_subsec_millis();
    tokio::time::sleep(std::time::Duration::from_millis(u64::from(
        1050_u32.saturating_sub(into_second),
    )))
    .await;
    // A second run reads changes through the changed-entity job: created
    // `Pending`, polled until `Complete`, its file read.
    let changed = read(&van, EntityKind::People, after_full).await;
    no_issues(&changed);
    assert_eq!(people_by_id(&changed).len(), 3);
    let polls = server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path() == "/v4/changedEntityExportJobs/2170181229")
        .count();
    assert_eq!(polls, 1);

    // VAN's own example of a completed job decodes, unknown fields kept.
    let job: models::ChangedEntityExportJob =
        serde_json::from_value(fixture("docs-changed-entity-job.json")).unwrap();
    assert_eq!(job.job_status, JobStatus::Complete);
    assert_eq!(job.exported_record_count, Some(10500));
    assert_eq!(job.files.len(), 1);
    assert_eq!(job.extra.get("contactMode"), Some(&json!(1)));
    let resources: Vec<String> =
        serde_json::from_value(fixture("parsons-changed-entity-resources.json")).unwrap();
    assert!(resources.contains(&"Contacts".to_string()));
}

#[tokio::test]
async fn a_changed_entity_job_created_as_a_bare_id_is_polled() {
    // VAN's reference: "responds with HTTP Status Code 201 Created and the
    // integer ID of the created export job in the response body".
    let server = MockServer::start().await;
    serve(
        &server,
        "POST",
        "/v4/changedEntityExportJobs",
        201,
        json!(12345),
    )
    .await;
    let mut job = fixture("docs-changed-entity-job.json");
    job["files"][0]["downloadUrl"] = json!(format!("{}/blob/changes.csv", server.uri()));
    serve(
        &server,
        "GET",
        "/v4/changedEntityExportJobs/12345",
        200,
        job,
    )
    .await;
    Mock::given(method("GET"))
        .and(path("/blob/changes.csv"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            fixture_text("spoke-columns-saved-list-export.csv"),
            "text/csv",
        ))
        .mount(&server)
        .await;
    let file: CsvFile = client(&server)
        .changed_entity_export_jobs()
        .create("Contacts", chrono::Utc::now() - chrono::Duration::days(1))
        .run()
        .await
        .unwrap();
    assert_eq!(file.rows.len(), 3);
}

#[tokio::test]
async fn published_events_read_with_their_shifts() {
    // VAN's example (as the generated client copies it): shifts expanded.
    let server = MockServer::start().await;
    serve(
        &server,
        "GET",
        "/v4/events",
        200,
        fixture("ngpvan-api-client-events.json"),
    )
    .await;
    let van = connector(&server, ConnectorOptions::default());
    let pages = read(&van, EntityKind::Events, None).await;
    no_issues(&pages);
    let recs = records(&pages);
    let Some(Record::Event(event)) = recs.first() else {
        panic!("{recs:?}")
    };
    assert_eq!(event.source.id, "1370");
    assert_eq!(event.title, "Neighbors Calling Neighbors");
    assert_eq!(event.event_type.as_deref(), Some("Phone Bank"));
    assert_eq!(
        event.starts_at.map(|t| t.to_rfc3339()).as_deref(),
        Some("2015-06-01T19:00:00+00:00")
    );
    assert_eq!(event.extra.get("districtFieldValue"), Some(&json!("003")));
    let shifts: Vec<_> = records(&read(&van, EntityKind::Shifts, None).await)
        .into_iter()
        .filter_map(|r| match r {
            Record::Shift(s) => Some(s),
            _ => None,
        })
        .collect();
    assert_eq!(shifts.len(), 1);
    assert_eq!(shifts[0].source.id, "2162");
    assert_eq!(shifts[0].event.id, "1370");
    assert_eq!(shifts[0].name.as_deref(), Some("Setup"));
    assert_eq!(
        shifts[0].ends_at.map(|t| t.to_rfc3339()).as_deref(),
        Some("2015-06-01T20:00:00+00:00")
    );

    // Parsons' fixtures write unexpanded collections as the text "null".
    let server = MockServer::start().await;
    serve(
        &server,
        "GET",
        "/v4/events",
        200,
        fixture("parsons-events.json"),
    )
    .await;
    serve(
        &server,
        "GET",
        "/v4/events/1062",
        200,
        fixture("parsons-event.json"),
    )
    .await;
    serve(
        &server,
        "GET",
        "/v4/events/types",
        200,
        fixture("parsons-event-types.json"),
    )
    .await;
    let van = connector(&server, ConnectorOptions::default());
    let pages = read(&van, EntityKind::Events, None).await;
    no_issues(&pages);
    let recs = records(&pages);
    assert_eq!(recs.len(), 1, "{recs:?}");
    let Record::Event(event) = &recs[0] else {
        panic!("{recs:?}")
    };
    assert_eq!(
        (event.source.id.as_str(), event.title.as_str()),
        ("1062", "Sample")
    );
    assert_eq!(event.event_type.as_deref(), Some("Confirmation Calls"));
    let one = van.client().events().get(1062).send().await.unwrap();
    assert!(one.shifts.is_none() && one.roles.is_none() && one.locations.is_none());
    let types = van.client().events().types().await.unwrap();
    assert_eq!(types[0].roles.len(), 3);
    assert!(
        types[0]
            .statuses
            .iter()
            .any(|s| s.name.as_deref() == Some("Walk In"))
    );
}

#[tokio::test]
async fn published_signups_read_as_attendances() {
    let server = MockServer::start().await;
    serve(
        &server,
        "GET",
        "/v4/events",
        200,
        fixture("ngpvan-api-client-events.json"),
    )
    .await;
    let mut as_text = fixture("docs-signup.json");
    // VAN's Signups common models document `person.vanId` as a string.
    as_text["eventSignupId"] = json!(2453);
    as_text["person"]["vanId"] = json!("100476253");
    let mut page = fixture("parsons-signups.json");
    page["items"] = json!([
        fixture("docs-signup.json"),
        page["items"][0].clone(),
        as_text
    ]);
    page["count"] = json!(3);
    Mock::given(method("GET"))
        .and(path("/v4/signups"))
        .and(query_param("eventId", "1370"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page))
        .mount(&server)
        .await;
    serve(
        &server,
        "GET",
        "/v4/signups/statuses",
        200,
        fixture("parsons-signup-statuses.json"),
    )
    .await;
    let van = connector(&server, ConnectorOptions::default());
    let pages = read(&van, EntityKind::Attendances, None).await;
    no_issues(&pages);
    let got: Vec<_> = records(&pages)
        .into_iter()
        .filter_map(|r| match r {
            Record::Attendance(a) => Some((
                a.source.id,
                a.person.id,
                a.event.id,
                a.shift.map(|s| s.id),
                a.status,
            )),
            _ => None,
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "2452".to_string(),
                "100476252".to_string(),
                "1370".to_string(),
                Some("2162".to_string()),
                AttendanceStatus::Invited
            ),
            (
                "14285".into(),
                "100349920".into(),
                "750001004".into(),
                Some("19076".into()),
                AttendanceStatus::Confirmed
            ),
            (
                "2453".into(),
                "100476253".into(),
                "1370".into(),
                Some("2162".into()),
                AttendanceStatus::Invited
            ),
        ]
    );
    let statuses = van
        .client()
        .signups()
        .statuses_for_event(1370)
        .await
        .unwrap();
    assert_eq!(statuses.len(), 9);
    assert!(
        statuses
            .iter()
            .all(|s| s.name.as_deref().is_some_and(|n| !n.is_empty()))
    );
}

#[tokio::test]
async fn published_activist_codes_read_as_tags() {
    for (file, id, name) in [
        ("parsons-activist-codes.json", "4388538", "TEST CODE"),
        (
            "ngpvan-api-client-activist-codes.json",
            "3214",
            "Precinct Captain",
        ),
    ] {
        let server = MockServer::start().await;
        serve(&server, "GET", "/v4/activistCodes", 200, fixture(file)).await;
        let van = connector(&server, ConnectorOptions::default());
        let pages = read(&van, EntityKind::Tags, None).await;
        no_issues(&pages);
        let recs = records(&pages);
        let [Record::Tag(tag)] = recs.as_slice() else {
            panic!("{file}: {recs:?}")
        };
        assert_eq!((tag.source.id.as_str(), tag.name.as_str()), (id, name));
        assert!(tag.extra.contains_key("type"), "{file}: {tag:?}");
    }
    let server = MockServer::start().await;
    serve(
        &server,
        "GET",
        "/v4/activistCodes/4135099",
        200,
        fixture("parsons-activist-code.json"),
    )
    .await;
    let code = client(&server).activist_codes().get(4135099).await.unwrap();
    assert_eq!(code.name, "Anti-Choice");
    assert_eq!(code.kind.as_deref(), Some("Constituency"));
}

#[tokio::test]
async fn published_survey_questions_read_with_their_answers() {
    let server = MockServer::start().await;
    serve(
        &server,
        "GET",
        "/v4/surveyQuestions",
        200,
        fixture("parsons-survey-questions.json"),
    )
    .await;
    let van = connector(&server, ConnectorOptions::default());
    let pages = read(&van, EntityKind::SurveyQuestions, None).await;
    no_issues(&pages);
    let recs = records(&pages);
    let [Record::SurveyQuestion(q)] = recs.as_slice() else {
        panic!("{recs:?}")
    };
    assert_eq!(q.source.id, "311838");
    assert_eq!(
        q.question.as_deref(),
        Some("Who do you support for Governor?")
    );
    let options: Vec<_> = q
        .options
        .iter()
        .map(|o| (o.id.as_str(), o.name.as_str()))
        .collect();
    assert_eq!(
        options,
        [("1288926", "1-Strong Walz"), ("1288928", "2-Lean Walz")]
    );
    assert_eq!(q.extra.get("cycle"), Some(&json!(2018)));
}

#[tokio::test]
async fn published_canvass_response_lookups_decode() {
    let server = MockServer::start().await;
    for (route, file) in [
        ("contactTypes", "parsons-contact-types.json"),
        ("inputTypes", "parsons-input-types.json"),
        ("resultCodes", "parsons-result-codes.json"),
    ] {
        serve(
            &server,
            "GET",
            &format!("/v4/canvassResponses/{route}"),
            200,
            fixture(file),
        )
        .await;
    }
    let van = client(&server);
    let contact = van.canvass_responses().contact_types().await.unwrap();
    assert_eq!(contact.len(), 1);
    assert_eq!(
        (
            contact[0].contact_type_id,
            contact[0].channel_type_name.as_deref()
        ),
        (19, Some("Phone"))
    );
    let input = van.canvass_responses().input_types().await.unwrap();
    assert_eq!(
        (input[0].input_type_id, input[0].name.as_str()),
        (11, "API")
    );
    let results = van.canvass_responses().result_codes().await.unwrap();
    assert_eq!(
        (results[0].result_code_id, results[0].short_name.as_deref()),
        (18, Some("BZ"))
    );
}

#[test]
fn the_published_error_body_is_parsed_with_its_code() {
    let body = fixture_text("docs-error-events-not-supported.json");
    let e = canvass_van::error::parse_error_body(body.as_bytes()).unwrap();
    assert_eq!(e.code.as_deref(), Some("EVENTS_NOT_SUPPORTED_IN_DB"));
    assert_eq!(e.message, "Events are not supported in this database");
}
