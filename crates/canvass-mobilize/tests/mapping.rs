//! Mapping recorded-shape Mobilize JSON (served over wiremock) onto the
//! canonical model through the connector.
#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns may panic

use canvass_core::http::RateLimit;
use canvass_core::{AttendanceStatus, Connector, EntityKind, Page, Record, SubscriptionStatus};
use canvass_mobilize::MobilizeConnector;
use canvass_mobilize::client::MobilizeClient;
use canvass_mobilize::connector::ConnectorOptions;
use futures::TryStreamExt;
use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn page(data: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"data": data, "error": null, "count": data.as_array().map_or(0, Vec::len), "next": null, "previous": null}))
}

async fn serve(route: &str, data: Value) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(route))
        .respond_with(page(data))
        .mount(&server)
        .await;
    server
}

fn connector(server: &MockServer, key: bool) -> MobilizeConnector {
    let mut b = MobilizeClient::builder()
        .base_url(format!("{}/v1/", server.uri()).parse().unwrap())
        .rate_limit(RateLimit::unlimited());
    if key {
        b = b.api_key("k");
    }
    MobilizeConnector::new(b.build().unwrap(), ConnectorOptions::new(42))
}

async fn read(c: &MobilizeConnector, kind: EntityKind) -> Vec<Page> {
    c.read(kind, None).try_collect().await.unwrap()
}

fn records(pages: &[Page]) -> Vec<Record> {
    pages.iter().flat_map(|p| p.records.clone()).collect()
}

fn person(id: u64, email: &str) -> Value {
    json!({"id": id, "person_id": id, "user_id": 123, "created_date": 1536249605, "modified_date": 1536588703,
           "given_name": "A", "family_name": "B",
           "email_addresses": [{"primary": true, "address": email}],
           "phone_numbers": [{"primary": true, "number": "(414) 202-0792"}],
           "postal_addresses": [{"primary": true, "postal_code": "11111"}],
           "sms_opt_in_status": "OPT_IN", "blocked_date": null})
}

fn attendance(status: &str, attended: Value) -> Value {
    json!({"id": 198, "created_date": 1536588703, "modified_date": 1536588703, "status": status, "attended": attended,
           "person": person(57, "email@email.com"),
           "event": {"id": 345, "title": "abcdef", "timeslots": null, "event_type": "TRAINING", "contact": null},
           "timeslot": {"id": 1, "start_date": 1536679800, "end_date": 1536690600},
           "sponsor": {"id": 15, "name": "Campaign"},
           "referrer": {"utm_source": null, "utm_medium": null, "utm_campaign": "string", "utm_term": "string", "utm_content": "string", "url": "string"},
           "custom_signup_field_values": [{"custom_field_id": 1, "custom_field_name": "shirt", "text_value": "L", "boolean_value": null}]})
}

fn only_attendances(records: &[Record]) -> Vec<canvass_core::Attendance> {
    records
        .iter()
        .filter_map(|r| match r {
            Record::Attendance(a) => Some(a.clone()),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn attended_flag_and_status_map_to_canonical_statuses() {
    let cases = [
        ("REGISTERED", Value::Null, AttendanceStatus::Registered),
        ("CONFIRMED", Value::Null, AttendanceStatus::Confirmed),
        ("CANCELLED", Value::Null, AttendanceStatus::Cancelled),
        ("REGISTERED", json!(true), AttendanceStatus::Attended),
        ("CONFIRMED", json!(false), AttendanceStatus::NoShow),
        ("CANCELLED", json!(false), AttendanceStatus::Cancelled),
        (
            "WAITLISTED",
            Value::Null,
            AttendanceStatus::Other("waitlisted".into()),
        ),
    ];
    for (status, attended, expected) in cases {
        let server = serve(
            "/v1/organizations/42/attendances",
            json!([attendance(status, attended.clone())]),
        )
        .await;
        let got = only_attendances(&records(
            &read(&connector(&server, true), EntityKind::Attendances).await,
        ));
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].status, expected, "{status} / {attended}");
        assert_eq!(
            got[0].extra["status"],
            json!(status),
            "the vendor's status is kept"
        );
    }
}

#[tokio::test]
async fn attendance_keeps_referrer_and_custom_signup_fields_and_links() {
    let server = serve(
        "/v1/organizations/42/attendances",
        json!([attendance("REGISTERED", Value::Null)]),
    )
    .await;
    let pages = read(&connector(&server, true), EntityKind::Attendances).await;
    let a = &only_attendances(&records(&pages))[0];
    assert_eq!(a.source.id, "198");
    assert_eq!(a.person.id, "57");
    assert_eq!(a.event.id, "345");
    assert_eq!(a.shift.as_ref().map(|s| s.id.as_str()), Some("1"));
    assert_eq!(a.extra["referrer"]["utm_campaign"], json!("string"));
    assert_eq!(
        a.extra["custom_signup_field_values"][0]["text_value"],
        json!("L")
    );
    assert_eq!(a.extra["sponsor_id"], json!(15));
    assert_eq!(a.modified_at.unwrap().timestamp(), 1536588703);
    assert_eq!(pages[0].raw.len(), 1);
    assert_eq!(pages[0].raw[0].source.id, "198");
    assert!(pages[0].issues.is_empty(), "{:?}", pages[0].issues);
}

#[tokio::test]
async fn attendance_without_id_gets_a_stable_derived_id() {
    let mut a = attendance("REGISTERED", Value::Null);
    a.as_object_mut().unwrap().remove("id");
    a.as_object_mut().unwrap().remove("referrer");
    a.as_object_mut()
        .unwrap()
        .remove("custom_signup_field_values");
    let server = serve("/v1/organizations/42/attendances", json!([a])).await;
    let c = connector(&server, true);
    let first = only_attendances(&records(&read(&c, EntityKind::Attendances).await));
    let second = only_attendances(&records(&read(&c, EntityKind::Attendances).await));
    assert_eq!(first[0].source.id, "p57-e345-t1");
    assert_eq!(first[0].source.id, second[0].source.id);
    assert_eq!(first[0].extra["id_derived"], json!(true));
    assert!(first[0].extra.get("referrer").is_none());
}

#[tokio::test]
async fn coordinated_event_without_ids_is_kept_with_an_issue() {
    // An independent organization reading a coordinated event: no attendance
    // id, the event reduced to its type, no timeslot id.
    let a = json!({"created_date": 1, "modified_date": 2, "status": "REGISTERED", "attended": null,
                   "person": person(57, "e@example.org"), "event": {"event_type": "CANVASS"},
                   "timeslot": {"start_date": 1536679800, "end_date": 1536690600}});
    let server = serve("/v1/organizations/42/attendances", json!([a])).await;
    let pages = read(&connector(&server, true), EntityKind::Attendances).await;
    let got = only_attendances(&records(&pages));
    assert_eq!(got[0].source.id, "p57-e?-s1536679800");
    assert_eq!(got[0].shift, None);
    assert_eq!(got[0].extra["event_type"], json!("CANVASS"));
    assert!(
        pages[0]
            .issues
            .iter()
            .any(|i| i.field == "event.id" && !i.skipped)
    );
}

#[tokio::test]
async fn a_bad_record_is_skipped_with_its_field_and_the_page_continues() {
    let mut bad = attendance("REGISTERED", Value::Null);
    bad["id"] = json!(199);
    bad["modified_date"] = json!("yesterday");
    let server = serve(
        "/v1/organizations/42/attendances",
        json!([bad, attendance("CONFIRMED", Value::Null)]),
    )
    .await;
    let pages = read(&connector(&server, true), EntityKind::Attendances).await;
    let got = only_attendances(&records(&pages));
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].source.id, "198");
    let issue = &pages[0].issues[0];
    assert!(issue.skipped);
    assert_eq!(issue.record, "199");
    assert_eq!(issue.field, "modified_date");
    assert_eq!(pages[0].raw.len(), 2, "the bad record's raw JSON is kept");
}

#[tokio::test]
async fn person_maps_sms_opt_in_blocked_date_and_keeps_bad_phones() {
    let mut p = person(57, " Email@Email.com ");
    p["sms_opt_in_status"] = json!("OPT_OUT");
    p["blocked_date"] = json!(1536588703);
    p["phone_numbers"] = json!([{"primary": true, "number": "555-0143"}]);
    p["favorite_color"] = json!("green");
    let server = serve(
        "/v1/organizations/42/people",
        json!([p, person(58, "b@example.org")]),
    )
    .await;
    let pages = read(&connector(&server, true), EntityKind::People).await;
    let people: Vec<_> = records(&pages)
        .into_iter()
        .filter_map(|r| match r {
            Record::Person(p) => Some(p),
            _ => None,
        })
        .collect();
    assert_eq!(people.len(), 2);
    let p = &people[0];
    assert_eq!(p.emails[0].address, "Email@email.com");
    assert!(p.emails[0].primary);
    assert!(!p.phones[0].valid);
    assert_eq!(p.phones[0].number, "555-0143");
    assert_eq!(p.phones[0].sms_status, SubscriptionStatus::Unsubscribed);
    assert_eq!(p.extra["sms_opt_in_status"], json!("OPT_OUT"));
    assert_eq!(p.extra["blocked_date"], json!("2018-09-10T14:11:43+00:00"));
    assert_eq!(p.extra["favorite_color"], json!("green"));
    assert_eq!(p.addresses[0].postal_code.as_deref(), Some("11111"));
    assert_eq!(people[1].phones[0].number, "+14142020792");
    assert_eq!(
        people[1].phones[0].sms_status,
        SubscriptionStatus::Subscribed
    );
    let issue = pages[0].issues.iter().find(|i| i.record == "57").unwrap();
    assert_eq!(issue.field, "phone_numbers[0].number");
    assert!(!issue.skipped);
}

fn event_json() -> Value {
    json!({"id": 1, "title": "Example", "description": "example", "timezone": "America/New_York",
           "event_type": "BOOK_CLUB", "visibility": "PUBLIC", "is_virtual": false, "modified_date": 1524232122,
           "timeslots": [{"id": 11, "start_date": 1576774800, "end_date": 1576782000, "max_attendees": 10, "is_full": false, "instructions": ""},
                         {"id": 12, "start_date": 1576861200}],
           "location": {"venue": "HQ", "address_lines": ["204 E 13th St", ""], "locality": "New York", "region": "NY",
                        "country": "US", "postal_code": "10003", "location": {"latitude": 40.73, "longitude": -73.98},
                        "congressional_district_value": "12", "state_leg_district": "66", "state_senate_district_value": 27},
           "tags": [{"id": 3, "name": "GOTV"}], "contact": null, "browser_url": "https://www.mobilize.us/event/1/"})
}

async fn events_server(public: Value, private: Value, deleted: Value) -> MockServer {
    let server = MockServer::start().await;
    for (vis, data) in [("PUBLIC", public), ("PRIVATE", private)] {
        Mock::given(method("GET"))
            .and(path("/v1/organizations/42/events"))
            .and(query_param("visibility", vis))
            .respond_with(page(data))
            .mount(&server)
            .await;
    }
    Mock::given(method("GET"))
        .and(path("/v1/organizations/42/events/deleted"))
        .respond_with(page(deleted))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn event_with_unknown_type_open_timeslot_and_both_district_spellings_maps() {
    let server = events_server(json!([event_json()]), json!([]), json!([])).await;
    let recs = records(&read(&connector(&server, true), EntityKind::Events).await);
    let Record::Event(e) = &recs[0] else {
        panic!("{recs:?}")
    };
    assert_eq!(e.event_type.as_deref(), Some("BOOK_CLUB"));
    assert_eq!(e.tags, vec!["GOTV"]);
    assert_eq!(e.venue.as_deref(), Some("HQ"));
    assert_eq!(e.location.as_ref().unwrap().lines, vec!["204 E 13th St"]);
    assert_eq!(e.starts_at.unwrap().timestamp(), 1576774800);
    assert_eq!(e.ends_at, None, "the last timeslot has no end");
    assert_eq!(
        e.extra["districts"],
        json!({"congressional": "12", "state_leg": "66", "state_senate": "27"})
    );
    assert_eq!(e.visibility.as_deref(), Some("PUBLIC"));
    let shifts: Vec<_> = recs
        .iter()
        .filter_map(|r| match r {
            Record::Shift(s) => Some(s),
            _ => None,
        })
        .collect();
    assert_eq!(shifts.len(), 2);
    assert_eq!(shifts[0].capacity, Some(10));
    assert_eq!(shifts[0].event.id, "1");
    assert!(shifts[0].ends_at.is_some());
    assert_eq!(shifts[1].ends_at, None);
}

#[tokio::test]
async fn event_missing_optional_fields_still_maps() {
    let server = events_server(json!([{"id": 9, "title": "Bare"}]), json!([]), json!([])).await;
    let pages = read(&connector(&server, true), EntityKind::Events).await;
    let recs = records(&pages);
    let Record::Event(e) = &recs[0] else { panic!() };
    assert_eq!(
        (
            e.title.as_str(),
            e.location.clone(),
            e.event_type.clone(),
            e.starts_at
        ),
        ("Bare", None, None, None)
    );
    assert!(pages.iter().all(|p| p.issues.is_empty()));
}

#[tokio::test]
async fn deleted_events_become_deletions_and_tags_are_read_once() {
    let mut private = event_json();
    private["id"] = json!(2);
    private["visibility"] = json!("PRIVATE");
    private["tags"] = json!([{"id": 3, "name": "GOTV"}, {"id": 4, "name": "Training"}]);
    let server = events_server(
        json!([event_json()]),
        json!([private]),
        json!([{"id": 7, "deleted_date": 1536588703}]),
    )
    .await;
    let c = connector(&server, true);
    let recs = records(&read(&c, EntityKind::Events).await);
    let deletions: Vec<_> = recs
        .iter()
        .filter_map(|r| match r {
            Record::Deletion(d) => Some(d),
            _ => None,
        })
        .collect();
    assert_eq!(deletions.len(), 1);
    assert_eq!(deletions[0].source.id, "7");
    assert_eq!(deletions[0].kind, EntityKind::Events);
    assert_eq!(deletions[0].deleted_at.unwrap().timestamp(), 1536588703);
    let tags: Vec<String> = records(&read(&c, EntityKind::Tags).await)
        .iter()
        .map(|r| r.source().id.clone())
        .collect();
    assert_eq!(tags, vec!["3", "4"]);
}

#[tokio::test]
async fn without_a_key_only_public_kinds_are_read_and_nothing_is_written() {
    let server = events_server(json!([event_json()]), json!([]), json!([])).await;
    let c = connector(&server, false);
    let info = c.info();
    assert!(info.can_read(&EntityKind::Events) && !info.can_read(&EntityKind::People));
    assert!(info.writes.is_empty());
    let recs = records(&read(&c, EntityKind::Events).await);
    assert_eq!(
        recs.iter()
            .filter(|r| matches!(r, Record::Event(_)))
            .count(),
        1
    );
    let requests = server.received_requests().await.unwrap();
    assert!(
        requests
            .iter()
            .all(|r| r.headers.get("authorization").is_none())
    );
    assert!(
        !requests
            .iter()
            .any(|r| r.url.query().is_some_and(|q| q.contains("PRIVATE")))
    );
}
