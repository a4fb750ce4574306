//! Strive's rows as published (Parsons' example member,
//! `tests/fixtures/published/`) and as documented (rows built from the
//! documented columns, `tests/fixtures/documented/`), served over loopback
//! and read through the client and the connector: each decodes with the
//! crate's models and maps to canonical records. See the README in each
//! fixture folder.

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns

use canvass_core::http::RetryPolicy;
use canvass_core::{
    Connector, DeliveryStatus, Direction, EntityKind, OptOutReason, Phone, PhoneKind, Record,
    RecordIssue, SubscriptionStatus,
};
use canvass_strive::models::{IncomingMessage, Member, OutgoingMessage, Row, SubscriptionEvent};
use canvass_strive::{ConnectorOptions, StriveClient, StriveConnector};
use futures::StreamExt;
use serde_json::Value;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn fixture(name: &str) -> Value {
    let file = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&file).expect(&file);
    serde_json::from_str(&text).expect(&file)
}

fn rows(name: &str) -> Vec<Value> {
    fixture(name).as_array().cloned().unwrap()
}

/// A loopback server answering `GET /{table}` with each fixture (whatever
/// the filters: the fixtures are small and the connector stops after a
/// short page).
async fn serve(tables: &[(&str, &str)]) -> (MockServer, StriveConnector) {
    let server = MockServer::start().await;
    for (table, name) in tables {
        Mock::given(method("GET"))
            .and(path(format!("/{table}")))
            .respond_with(ResponseTemplate::new(200).set_body_json(fixture(name)))
            .mount(&server)
            .await;
    }
    let client = StriveClient::builder("key")
        .base_url(format!("{}/", server.uri()).parse().unwrap())
        .retry(RetryPolicy::fast())
        .build()
        .unwrap();
    (
        server,
        StriveConnector::new(client, ConnectorOptions::default()),
    )
}

async fn read(strive: &StriveConnector, kind: EntityKind) -> (Vec<Record>, Vec<RecordIssue>) {
    let mut records = Vec::new();
    let mut issues = Vec::new();
    let mut pages = strive.read(kind, None);
    while let Some(page) = pages.next().await {
        let page = page.unwrap();
        records.extend(page.records);
        issues.extend(page.issues);
    }
    (records, issues)
}

const MEMBERS: &str = "published/parsons-members.json";

#[tokio::test]
async fn parsons_member_decodes_and_maps_to_a_person_and_taggings() {
    let (_server, strive) = serve(&[("members", MEMBERS)]).await;
    let sent = &rows(MEMBERS)[0];
    let members: Vec<Member> = strive.client().members().list().all().await.unwrap();
    assert_eq!(members.len(), 1);

    let (people, issues) = read(&strive, EntityKind::People).await;
    let [Record::Person(p)] = people.as_slice() else {
        panic!("{people:?}")
    };
    assert_eq!(p.source.id, sent["id"].to_string());
    assert_eq!(p.given_name.as_deref(), sent["first_name"].as_str());
    assert_eq!(p.family_name.as_deref(), sent["last_name"].as_str());
    assert_eq!(p.primary_email().unwrap().address, sent["email"]);
    let address = p.primary_address().unwrap();
    assert_eq!(address.locality.as_deref(), sent["city"].as_str());
    assert_eq!(address.region.as_deref(), sent["state"].as_str());
    assert_eq!(address.postal_code.as_deref(), sent["postal_code"].as_str());
    assert!(p.modified_at.is_some() && p.created_at.is_some());
    // The published number is not a valid one: kept, flagged, reported.
    let phone = &p.phones[0];
    let expected = Phone::parse(sent["phone_number"].as_str().unwrap(), PhoneKind::Mobile);
    assert_eq!(phone.number, expected.number);
    assert_eq!(phone.valid, expected.valid);
    assert_eq!(phone.kind, PhoneKind::Mobile, "carrier Verizon");
    assert_eq!(phone.sms_status, SubscriptionStatus::Subscribed);
    if !phone.valid {
        assert!(
            issues
                .iter()
                .any(|i| i.field == "phone_number" && !i.skipped),
            "{issues:?}"
        );
    }
    assert!(issues.iter().all(|i| !i.skipped), "{issues:?}");

    // Its groups, under the name `groups`, are its taggings.
    let (taggings, _) = read(&strive, EntityKind::Taggings).await;
    let got: Vec<String> = taggings.iter().map(|r| r.source().id.clone()).collect();
    let expected: Vec<String> = sent["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| format!("{}:{}", sent["id"], g["id"]))
        .collect();
    assert_eq!(got, expected);
}

#[tokio::test]
async fn documented_messages_decode_and_map_to_messages_and_contact_attempts() {
    let (_server, strive) = serve(&[
        ("outgoing_messages", "documented/outgoing_messages.json"),
        ("incoming_messages", "documented/incoming_messages.json"),
    ])
    .await;
    let out_sent = rows("documented/outgoing_messages.json");
    let in_sent = rows("documented/incoming_messages.json");
    let out: Vec<OutgoingMessage> = strive
        .client()
        .outgoing_messages()
        .list()
        .all()
        .await
        .unwrap();
    let inc: Vec<IncomingMessage> = strive
        .client()
        .incoming_messages()
        .list()
        .all()
        .await
        .unwrap();
    assert_eq!((out.len(), inc.len()), (out_sent.len(), in_sent.len()));
    // `step_idx` and `updated_at`, which the model has no field for, are kept.
    assert_eq!(inc[0].extra["step_idx"], in_sent[0]["step_idx"]);

    let (messages, issues) = read(&strive, EntityKind::Messages).await;
    assert!(issues.is_empty(), "{issues:?}");
    assert_eq!(messages.len(), out_sent.len() + in_sent.len());
    let msgs: Vec<&canvass_core::Message> = messages
        .iter()
        .filter_map(|r| match r {
            Record::Message(m) => Some(m),
            _ => None,
        })
        .collect();
    for (m, v) in msgs.iter().zip(&out_sent) {
        assert_eq!(m.direction, Direction::Outbound);
        assert_eq!(m.body.as_deref(), v["message"].as_str());
        // Null columns are left out of `extra`.
        let kept = |k: &str| m.extra.get(k).cloned().unwrap_or(Value::Null);
        assert_eq!(kept("error_code"), v["error_code"]);
        assert_eq!(kept("flow_action_id"), v["flow_action_id"]);
        // One never sent has the time it was queued.
        assert!(m.sent_at.is_some());
    }
    assert_eq!(msgs[0].status, DeliveryStatus::Delivered);
    assert_eq!(msgs[1].status, DeliveryStatus::Undelivered);
    let reply = msgs[out_sent.len()];
    assert_eq!(reply.direction, Direction::Inbound);
    assert_eq!(reply.contact.as_deref(), in_sent[0]["from_number"].as_str());
    assert_eq!(reply.extra["response_to_id"], in_sent[0]["response_to_id"]);
    assert_eq!(reply.extra["is_opt_out"], true);

    let (attempts, _) = read(&strive, EntityKind::ContactAttempts).await;
    assert_eq!(attempts.len(), messages.len());
}

#[tokio::test]
async fn documented_subscription_events_map_to_opt_outs_with_the_members_phone() {
    let (_server, strive) = serve(&[
        ("subscription_events", "documented/subscription_events.json"),
        ("members", MEMBERS),
    ])
    .await;
    let sent = rows("documented/subscription_events.json");
    let events: Vec<SubscriptionEvent> = strive
        .client()
        .subscription_events()
        .list()
        .all()
        .await
        .unwrap();
    assert_eq!(events.len(), sent.len());
    let (opt_outs, _) = read(&strive, EntityKind::OptOuts).await;
    let unsubscribes: Vec<&Value> = sent.iter().filter(|e| e["unsubscribe"] == true).collect();
    assert_eq!(opt_outs.len(), unsubscribes.len());
    let Record::OptOut(o) = &opt_outs[0] else {
        panic!("{opt_outs:?}")
    };
    assert_eq!(o.source.id, unsubscribes[0]["id"].to_string());
    assert_eq!(o.reason, OptOutReason::Requested, "keyword STOP");
    let phone = rows(MEMBERS)[0]["phone_number"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        o.identifier,
        Phone::parse(&phone, PhoneKind::Unknown).number
    );
    assert_eq!(o.extra["ref_id"], unsubscribes[0]["ref_id"]);
    assert!(o.opted_out_at.is_some());
}

#[tokio::test]
async fn documented_groups_map_to_tags() {
    let (_server, strive) = serve(&[("groups", "documented/groups.json")]).await;
    let sent = rows("documented/groups.json");
    let groups: Vec<Row> = strive.client().groups().list().all().await.unwrap();
    assert_eq!(groups.len(), sent.len());
    let (tags, issues) = read(&strive, EntityKind::Tags).await;
    assert!(issues.is_empty(), "{issues:?}");
    let names: Vec<(String, String)> = tags
        .iter()
        .map(|r| match r {
            Record::Tag(t) => (t.source.id.clone(), t.name.clone()),
            other => panic!("{other:?}"),
        })
        .collect();
    let expected: Vec<(String, String)> = sent
        .iter()
        .map(|g| (g["id"].to_string(), g["name"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(names, expected);
}
