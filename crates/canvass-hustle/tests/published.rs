//! Hustle's responses as published: Parsons' recorded Hustle fixtures
//! (`tests/fixtures/published/`, v1 shapes) and responses built field by
//! field from Hustle's v3 OpenAPI schemas (`tests/fixtures/documented/`),
//! served over loopback and read through the client and the connector. Each
//! decodes with the crate's models and, where the connector reads it, maps
//! to canonical records. See the README in each fixture folder.

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns

use canvass_core::http::RetryPolicy;
use canvass_core::{
    ConnectorExt, DeliveryStatus, EntityKind, OptOutReason, PhoneKind, Record, SubscriptionStatus,
};
use canvass_hustle::models::{Lead, ListEnvelope, NewResource, Resource, Tag};
use canvass_hustle::{ConnectorOptions, HustleClient, HustleConnector, mapping};
use serde_json::Value;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn fixture(name: &str) -> Value {
    let file = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&file).expect(&file);
    serde_json::from_str(&text).expect(&file)
}

/// The fixture's items: what the vendor sent, the ground truth to compare to.
fn items(name: &str) -> Vec<Value> {
    fixture(name)["items"].as_array().cloned().unwrap()
}

/// A loopback server answering the token request with Parsons' recorded
/// token and each `(method, path, fixture)` with that fixture.
async fn serve(routes: &[(&str, &str, &str)]) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v3/oauth/token"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(fixture("published/parsons-auth_token.json")),
        )
        .mount(&server)
        .await;
    for (m, p, name) in routes {
        let status = if *m == "POST" { 201 } else { 200 };
        Mock::given(method(*m))
            .and(path(*p))
            .respond_with(ResponseTemplate::new(status).set_body_json(fixture(name)))
            .mount(&server)
            .await;
    }
    server
}

fn client(server: &MockServer) -> HustleClient {
    HustleClient::builder("id", "secret")
        .base_url(format!("{}/v3/", server.uri()).parse().unwrap())
        .retry(RetryPolicy::fast())
        .build()
        .unwrap()
}

fn connector(server: &MockServer) -> HustleConnector {
    HustleConnector::new(client(server), ConnectorOptions::default())
}

async fn read(hustle: &HustleConnector, kind: EntityKind) -> Vec<Record> {
    hustle.read_all(kind).await.unwrap()
}

fn people(records: &[Record]) -> Vec<&canvass_core::Person> {
    records
        .iter()
        .filter_map(|r| match r {
            Record::Person(p) => Some(p),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn parsons_leads_decode_and_map_to_people() {
    let server = serve(&[("GET", "/v3/leads", "published/parsons-leads.json")]).await;
    let leads: Vec<Lead> = client(&server).leads().list().all().await.unwrap();
    let sent = items("published/parsons-leads.json");
    assert_eq!(leads.len(), sent.len());
    let hustle = connector(&server);
    let records = read(&hustle, EntityKind::People).await;
    let persons = people(&records);
    assert_eq!(persons.len(), sent.len());
    for (p, v) in persons.iter().zip(&sent) {
        assert_eq!(p.source.id, v["id"].as_str().unwrap());
        assert_eq!(p.given_name.as_deref(), v["firstName"].as_str());
        assert_eq!(p.family_name.as_deref(), v["lastName"].as_str());
        let phone = p.primary_phone().unwrap();
        assert_eq!(Some(phone.number.as_str()), v["phoneNumber"].as_str());
        assert!(phone.valid);
        assert_eq!(phone.sms_status, SubscriptionStatus::Unknown);
        assert!(p.created_at.is_some());
        // v1's `groupIds` (v3: `activeGroupIds`) is kept, not lost.
        assert_eq!(p.extra["groupIds"], v["groupIds"]);
    }
    // No tags on them: no taggings, and nobody opted out.
    assert!(read(&hustle, EntityKind::Taggings).await.is_empty());
}

#[tokio::test]
async fn v3_leads_map_to_people_taggings_and_opt_outs_with_their_reason() {
    let server = serve(&[
        ("GET", "/v3/leads", "documented/v3-leads.json"),
        ("GET", "/v3/tags", "documented/v3-tags.json"),
    ])
    .await;
    let hustle = connector(&server);
    let sent = items("documented/v3-leads.json");
    let mut issues = Vec::new();
    let mut pages = Vec::new();
    {
        use futures::StreamExt;
        let mut stream = canvass_core::Connector::read(&hustle, EntityKind::People, None);
        while let Some(page) = stream.next().await {
            pages.push(page.unwrap());
        }
    }
    for p in &pages {
        issues.extend(p.issues.iter().cloned());
    }
    let records: Vec<Record> = pages.into_iter().flat_map(|p| p.records).collect();
    let persons = people(&records);
    assert_eq!(persons.len(), sent.len());
    let rosa = persons[0];
    assert_eq!(
        rosa.primary_phone().unwrap().kind,
        PhoneKind::Other("voip".into())
    );
    assert_eq!(
        rosa.primary_phone().unwrap().sms_status,
        SubscriptionStatus::Unsubscribed
    );
    assert_eq!(rosa.primary_email().unwrap().address, "rosa@example.org");
    assert_eq!(
        rosa.primary_address().unwrap().postal_code.as_deref(),
        Some("48201")
    );
    assert_eq!(rosa.external_ids[0].id, sent[0]["customFields"]["van_id"]);
    assert_eq!(rosa.custom_fields["shift"], "morning");
    assert_eq!(rosa.extra["inactiveGroupIds"], sent[0]["inactiveGroupIds"]);
    // A 5-digit short code is a valid Hustle phone but no person's number:
    // kept, flagged invalid, reported, not skipped.
    let short = &persons[1].phones[0];
    assert!(!short.valid);
    assert!(
        issues
            .iter()
            .any(|i| i.record == "ld00002" && i.field == "phoneNumber" && !i.skipped)
    );

    let taggings = read(&hustle, EntityKind::Taggings).await;
    let expected: Vec<String> = sent
        .iter()
        .flat_map(|l| {
            let id = l["id"].as_str().unwrap().to_string();
            l["tagIds"]
                .as_array()
                .unwrap()
                .iter()
                .map(move |t| format!("{id}:{}", t.as_str().unwrap()))
        })
        .collect();
    let got: Vec<String> = taggings.iter().map(|r| r.source().id.clone()).collect();
    assert_eq!(got, expected);

    let opt_outs = read(&hustle, EntityKind::OptOuts).await;
    assert_eq!(opt_outs.len(), 1);
    let Record::OptOut(o) = &opt_outs[0] else {
        panic!("{opt_outs:?}")
    };
    assert_eq!(Some(o.identifier.as_str()), sent[0]["phoneNumber"].as_str());
    assert_eq!(o.reason, OptOutReason::WrongNumber);
}

#[tokio::test]
async fn tags_published_and_documented_map_to_canonical_tags() {
    for name in ["published/parsons-tags.json", "documented/v3-tags.json"] {
        let server = serve(&[("GET", "/v3/tags", name)]).await;
        let decoded: Vec<Tag> = client(&server).tags().list().all().await.unwrap();
        let sent = items(name);
        assert_eq!(decoded.len(), sent.len(), "{name}");
        let records = read(&connector(&server), EntityKind::Tags).await;
        assert_eq!(records.len(), sent.len(), "{name}");
        for (r, v) in records.iter().zip(&sent) {
            let Record::Tag(t) = r else { panic!("{r:?}") };
            assert_eq!(t.source.id, v["id"].as_str().unwrap(), "{name}");
            assert_eq!(Some(t.name.as_str()), v["name"].as_str(), "{name}");
            assert_eq!(
                t.extra.get("agentVisibility"),
                v.get("agentVisibility"),
                "{name}"
            );
        }
        // Only a tag Hustle marks OPT_OUT names an opt-out reason; Parsons'
        // (v1) tags carry no `agentVisibility`, so none does there.
        let opt_out_tags: Vec<bool> = decoded.iter().map(Tag::is_opt_out).collect();
        let marked: Vec<bool> = sent
            .iter()
            .map(|v| v["agentVisibility"] == "OPT_OUT")
            .collect();
        assert_eq!(opt_out_tags, marked, "{name}");
    }
}

/// Decodes every item of the fixture at `route` as a [`Resource`], checking
/// ids and names against what was sent, and returns them.
async fn directory(route: &str, name: &str) -> Vec<Resource> {
    let server = serve(&[("GET", route, name)]).await;
    let c = client(&server);
    let list = match route {
        "/v3/groups" => c.groups().list(),
        "/v3/organizations" => c.organizations().list(),
        "/v3/agents" => c.agents().list(),
        _ => c.custom_fields().list(),
    };
    let decoded: Vec<Resource> = list.all().await.unwrap();
    let sent = items(name);
    assert_eq!(decoded.len(), sent.len(), "{name}");
    for (r, v) in decoded.iter().zip(&sent) {
        assert_eq!(r.id, v["id"].as_str().unwrap(), "{name}");
        assert_eq!(r.name.as_deref(), v["name"].as_str(), "{name}");
        assert_eq!(r.organization_id.as_deref(), v["organizationId"].as_str());
    }
    decoded
}

#[tokio::test]
async fn groups_decode_with_location_as_v1_text_or_v3_object() {
    let v1 = directory("/v3/groups", "published/parsons-groups.json").await;
    assert_eq!(v1[0].extra["location"], "New York, NY, USA");
    assert_eq!(v1[3].extra["description"], "A Group.");
    let v3 = directory("/v3/groups", "documented/v3-groups.json").await;
    assert_eq!(v3[0].extra["location"]["label"], "Denver, CO, USA");
    assert_eq!(v3[0].extra["timezone"], "America/Denver");
}

#[tokio::test]
async fn organizations_agents_and_custom_fields_decode() {
    directory("/v3/organizations", "published/parsons-organizations.json").await;
    let orgs = directory("/v3/organizations", "documented/v3-organizations.json").await;
    assert_eq!(orgs[0].extra["balances"]["smsBalance"], 1200);
    let agents = directory("/v3/agents", "published/parsons-agents.json").await;
    assert_eq!(agents[0].extra["groupId"], "Qqp6o90Si");
    directory("/v3/agents", "documented/v3-agents.json").await;
    let fields = directory("/v3/custom_fields", "documented/v3-custom_fields.json").await;
    // A custom field scoped to the account has no organization.
    assert_eq!(fields[1].organization_id, None);
    assert_eq!(fields[1].extra["agentVisible"], true);
}

#[tokio::test]
async fn a_created_tag_is_read_from_the_documented_list_envelope() {
    let server = serve(&[("POST", "/v3/tags", "documented/v3-tag-created.json")]).await;
    let tag: Tag = client(&server)
        .tags()
        .create(&NewResource {
            name: "Driver".into(),
            organization_id: "org00001".into(),
            ..NewResource::default()
        })
        .await
        .unwrap();
    assert_eq!(tag.id, items("documented/v3-tag-created.json")[0]["id"]);
}

#[tokio::test]
async fn a_message_status_decodes_and_maps() {
    let server = serve(&[]).await;
    let sent = fixture("documented/derived-message.json");
    Mock::given(method("GET"))
        .and(path("/v3/messages/msg00001"))
        .respond_with(ResponseTemplate::new(200).set_body_json(&sent))
        .mount(&server)
        .await;
    let m = client(&server).messages().get("msg00001").await.unwrap();
    let mut issues = Vec::new();
    let message = mapping::message_to_message(&m, &mut issues);
    assert!(issues.is_empty(), "{issues:?}");
    assert_eq!(message.status, DeliveryStatus::Undelivered);
    assert_eq!(message.extra["errorCode"], sent["errorCode"]);
    assert_eq!(message.extra["threadId"], sent["threadId"]);
    assert!(message.sent_at.is_some());
}

#[tokio::test]
async fn a_v1_envelope_saying_there_is_a_next_page_is_followed() {
    let server = serve(&[]).await;
    let mut first = fixture("published/parsons-leads.json");
    let page: ListEnvelope = serde_json::from_value(first.clone()).unwrap();
    let cursor = page.pagination.unwrap().cursor.unwrap();
    first["pagination"]["hasNextPage"] = true.into();
    let mut second = fixture("published/parsons-leads.json");
    for item in second["items"].as_array_mut().unwrap() {
        item["id"] = format!("{}-2", item["id"].as_str().unwrap()).into();
    }
    Mock::given(method("GET"))
        .and(path("/v3/leads"))
        .and(query_param("cursor", cursor.as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(&second))
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v3/leads"))
        .respond_with(ResponseTemplate::new(200).set_body_json(&first))
        .mount(&server)
        .await;
    let leads = client(&server).leads().list().all().await.unwrap();
    let ids: Vec<&str> = leads.iter().map(|l| l.id.as_str()).collect();
    assert_eq!(
        ids,
        ["wqy78hlz2", "A6ebDlAtqB", "wqy78hlz2-2", "A6ebDlAtqB-2"]
    );
}
