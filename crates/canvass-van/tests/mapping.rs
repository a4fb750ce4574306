//! Mapping over recorded-shape JSON (parsons' and VAN's documented
//! examples) served by wiremock.

use canvass_core::{AttendanceStatus, Connector, EntityKind, PhoneKind, SubscriptionStatus};
use canvass_van::mapping;
use canvass_van::{DbMode, VanClient};
use futures::TryStreamExt;
use proptest::prelude::*;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn client(server: &MockServer) -> VanClient {
    VanClient::builder("app", "key-1234", DbMode::MyCampaign)
        .base_url(
            format!("{}/v4/", server.uri())
                .parse()
                .unwrap_or_else(|e| panic!("{e}")),
        )
        .retry(canvass_core::http::RetryPolicy::fast())
        .build()
        .unwrap_or_else(|e| panic!("{e}"))
}

fn parsons_person() -> serde_json::Value {
    json!({"vanId":19722445,"firstName":"Bob","lastName":"Smith","middleName":null,"suffix":null,"salutation":"Bob",
     "envelopeName":"Bob Smith","party":null,"sex":"F","dateOfBirth":"1975-09-18T00:00:00Z","emails":[],
     "phones":[{"phoneId":15406767,"phoneNumber":"4142020792","ext":null,"dateCreated":"2019-01-11T12:19:00Z","phoneType":"Cell",
       "isPreferred":true,"smsOptInStatus":"Unknown","phoneOptInStatus":"Unknown","isCellStatus":{"statusId":1,"statusName":"Verified Cell"}}],
     "addresses":[{"addressId":null,"addressLine1":"900 N Washtenaw Ave","city":"Chicago","stateOrProvince":"IL","zipOrPostalCode":"60622-4455",
       "countryCode":"US","type":"Voting","isPreferred":true,"displayMode":"Standardized"}],
     "identifiers":[{"type":"StateFileID","externalId":"KLYW682Z"}],"customFields":[],"suppressions":[],"codes":null,"districts":null})
}

#[tokio::test]
async fn parsons_person_maps_with_nothing_lost() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v4/people/19722445"))
        .respond_with(ResponseTemplate::new(200).set_body_json(parsons_person()))
        .mount(&server)
        .await;
    let p = client(&server)
        .await
        .people()
        .get(19722445)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        p.phones
            .as_ref()
            .map(|v| v[0].extra.get("isCellStatus").is_some()),
        Some(true)
    );
    let (person, issues) = mapping::person_from_van(&p).unwrap_or_else(|e| panic!("{e:?}"));
    assert!(issues.is_empty(), "{issues:?}");
    assert_eq!(person.source.id, "19722445");
    assert_eq!(
        person.birth_date.map(|d| d.to_string()).as_deref(),
        Some("1975-09-18")
    );
    assert_eq!(person.phones[0].number, "+14142020792");
    assert_eq!(person.phones[0].kind, PhoneKind::Mobile);
    assert_eq!(person.phones[0].sms_status, SubscriptionStatus::Unknown);
    assert_eq!(
        person.addresses[0].postal_code.as_deref(),
        Some("60622-4455")
    );
    assert_eq!(person.external_ids[0].system, "StateFileID");
    assert_eq!(person.extra.get("envelopeName"), Some(&json!("Bob Smith")));
}

#[tokio::test]
async fn van_doc_event_and_signup_examples_map() {
    let event = json!({"eventId":1370,"name":"Neighbors Calling Neighbors","shortName":"NeighborCall","description":"…","startDate":"2015-06-01T15:00:00-04:00",
     "endDate":"2015-06-01T20:00:00-04:00","eventType":{"eventTypeId":143856,"name":"Phone Bank"},"isOnlyEditableByCreatingUser":true,
     "isPubliclyViewable":null,"locations":null,"codes":null,"notes":null,"roles":null,"districtFieldValue":"003","createdDate":"2015-04-05T13:18:00Z",
     "shifts":[{"eventShiftId":2162,"name":"Setup","startTime":"2015-06-01T15:00:00-04:00","endTime":"2015-06-01T16:00:00-04:00"}]});
    let e: canvass_van::models::Event =
        serde_json::from_value(event).unwrap_or_else(|e| panic!("{e}"));
    let (ev, shifts, issues) = mapping::event_from_van(&e).unwrap_or_else(|e| panic!("{e:?}"));
    assert!(issues.is_empty());
    assert_eq!(
        ev.starts_at.map(|t| t.to_rfc3339()).as_deref(),
        Some("2015-06-01T19:00:00+00:00")
    );
    assert_eq!(ev.event_type.as_deref(), Some("Phone Bank"));
    assert_eq!(
        (shifts[0].source.id.as_str(), shifts[0].event.id.as_str()),
        ("2162", "1370")
    );
    let signup = json!({"eventSignupId":2452,"person":{"vanId":100476252,"firstName":"James","middleName":"Worthington","lastName":"Gordon"},
     "event":{"eventId":1370,"name":"Neighbors Calling Neighbors","shortName":"NeighborCall"},"shift":{"eventShiftId":2162,"name":"Setup"},
     "role":{"roleId":111687,"name":"Host"},"status":{"statusId":4,"name":"Invited"},
     "location":{"locationId":272,"name":"Campaign HQ","displayName":"Campaign HQ, 48 Grove St Somerville, MA 02144-2500"},
     "startTimeOverride":"2015-06-01T15:00:00-04:00","endTimeOverride":"2015-06-01T16:00:00-04:00"});
    let s: canvass_van::models::Signup =
        serde_json::from_value(signup).unwrap_or_else(|e| panic!("{e}"));
    let a = mapping::attendance_from_signup(&s).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(
        (a.person.id.as_str(), a.event.id.as_str(), a.status.clone()),
        ("100476252", "1370", AttendanceStatus::Invited)
    );
    assert_eq!(a.extra["role"]["name"], "Host");
    assert_eq!(a.extra["startTimeOverride"], "2015-06-01T15:00:00-04:00");
}

#[tokio::test]
async fn one_bad_item_is_skipped_and_reported_while_the_page_continues() {
    let server = MockServer::start().await;
    let page = json!({"items":[
        {"activistCodeId":3214,"type":"Volunteer","name":"Precinct Captain","status":"Active"},
        {"activistCodeId":"not a number","name":"Broken"},
        {"activistCodeId":3215,"name":"Phone Banker","colour":"green"}
    ],"count":3,"nextPageLink":null});
    Mock::given(method("GET"))
        .and(path("/v4/activistCodes"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page))
        .mount(&server)
        .await;
    let c = canvass_van::VanConnector::new(client(&server).await, Default::default());
    let pages: Vec<_> = c
        .read(EntityKind::Tags, None)
        .try_collect()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(pages.len(), 1);
    assert_eq!(pages[0].records.len(), 2);
    assert_eq!(pages[0].raw.len(), 3, "the bad item's raw JSON is kept");
    let issue = &pages[0].issues[0];
    assert!(
        issue.skipped && issue.record == "tags[1]" && issue.message.contains("activistCodeId"),
        "{issue:?}"
    );
    let canvass_core::Record::Tag(t) = &pages[0].records[1] else {
        panic!()
    };
    assert_eq!(t.extra.get("colour"), Some(&json!("green")));
}

#[test]
fn signup_statuses_map_and_unknown_ones_are_kept() {
    for (van, canon) in [
        ("Scheduled", AttendanceStatus::Registered),
        ("Confirmed", AttendanceStatus::Confirmed),
        ("Completed", AttendanceStatus::Attended),
        ("No Show", AttendanceStatus::NoShow),
        ("Walk In", AttendanceStatus::WalkIn),
        ("Declined", AttendanceStatus::Declined),
        ("Cancelled", AttendanceStatus::Cancelled),
        ("Invited", AttendanceStatus::Invited),
    ] {
        assert_eq!(mapping::attendance_status(van), canon);
        assert_eq!(
            mapping::attendance_status(mapping::van_status_name(&canon)),
            canon,
            "round trip {van}"
        );
    }
    assert_eq!(
        mapping::attendance_status("Sent Email"),
        AttendanceStatus::Other("Sent Email".into())
    );
}

proptest! {
    #[test]
    fn any_person_json_maps_or_names_its_field(
        van_id in proptest::option::of(1u64..10_000_000),
        phone in "[0-9()+. -]{0,16}",
        email in "[a-zA-Z0-9@. ]{0,20}",
        dob in "[0-9TZ:-]{0,22}",
        sms in "[A-Za-z-]{0,8}",
    ) {
        let v = json!({"vanId": van_id, "firstName": "A", "dateOfBirth": dob,
            "phones": [{"phoneNumber": phone, "smsOptInStatus": sms}], "emails": [{"email": email}]});
        let p: canvass_van::models::Person = serde_json::from_value(v).map_err(|e| TestCaseError::fail(e.to_string()))?;
        match mapping::person_from_van(&p) {
            Ok((person, issues)) => {
                prop_assert_eq!(person.phones.len(), 1);
                prop_assert_eq!(person.emails.len(), 1);
                for i in &issues { prop_assert!(!i.0.is_empty()); }
                if !person.phones[0].valid { prop_assert!(issues.iter().any(|i| i.0 == "phones[0].phoneNumber")); }
            }
            Err((field, _)) => prop_assert_eq!(field, "vanId"),
        }
    }

    #[test]
    fn canonical_person_round_trips_its_match_fields(first in "[A-Za-zé]{1,10}", last in "[A-Za-z']{1,10}", n in 2000000u32..9999999) {
        let mut p = canvass_core::Person { given_name: Some(first.clone()), family_name: Some(last.clone()), ..Default::default() };
        p.phones.push(canvass_core::Phone::parse(&format!("404{n}"), PhoneKind::Mobile));
        let van = mapping::person_to_van(&p);
        prop_assert_eq!(van.first_name, Some(first));
        if p.phones[0].valid {
            prop_assert_eq!(van.phones.map(|v| v[0].phone_number.clone()), Some(format!("404{n}")));
        }
    }
}
