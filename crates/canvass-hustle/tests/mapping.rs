//! Mapping Hustle records to the canonical model, with recorded-shape JSON
//! served by the simulator: a landline, an invalid number, an unknown
//! message status, opt-outs with and without a reason, malformed records.

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns

use std::collections::BTreeMap;

use canvass_core::http::RateLimit;
use canvass_core::normalize::normalize_phone;
use canvass_core::{
    Channel, Checkpoint, Connector, ConnectorExt, ContactResult, DeliveryStatus, Direction,
    EntityKind, OptOutReason, Page, PhoneKind, Record, SubscriptionStatus,
};
use canvass_hustle::simulator::HustleSim;
use canvass_testkit::generate::Population;
use futures::TryStreamExt;
use serde_json::json;

async fn read(sim: &HustleSim, kind: EntityKind) -> Vec<Page> {
    let c = sim.connector(None, RateLimit::unlimited(), 1000);
    c.read(kind, None).try_collect().await.unwrap()
}

fn recorded_leads() -> Vec<serde_json::Value> {
    vec![
        // The v3 schema example.
        json!({"id":"wqy78hlz2","type":"lead","phoneNumber":"+14435705355","organizationId":"orgSim01","activeGroupIds":["grpGotv01"],"inactiveGroupIds":[],
               "customFields":{"van_id":"123"},"firstName":"Elizabeth","lastName":"Warren","email":null,"postalCode":"02139","notes":"","followUp":"",
               "phoneNumberType":"mobile","tagIds":[],"globalOptedOut":false,"createdAt":"2019-09-17T21:25:51.442Z"}),
        json!({"id":"landline1","type":"lead","phoneNumber":"+14142020792","organizationId":"orgSim01","activeGroupIds":[],"inactiveGroupIds":[],
               "customFields":{},"firstName":" JOSÉ ","lastName":"núñez","email":"Jose@Example.ORG ","postalCode":"53202-1234",
               "phoneNumberType":"landline","tagIds":["tagVolProspect"],"globalOptedOut":false,"createdAt":"2020-01-02T03:04:05Z"}),
        json!({"id":"invalid1","type":"lead","phoneNumber":"555-0143","organizationId":"orgSim01","activeGroupIds":[],"inactiveGroupIds":[],
               "customFields":{},"firstName":"Zoë","phoneNumberType":"invalid","email":"not-an-email","tagIds":[],"globalOptedOut":false,
               "createdAt":"yesterday","favouriteColour":"teal"}),
        json!({"id":"optout-noreason","type":"lead","phoneNumber":"+13128670000","organizationId":"orgSim01","activeGroupIds":[],"inactiveGroupIds":[],
               "customFields":{},"tagIds":[],"globalOptedOut":true,"createdAt":"2021-05-05T05:05:05Z"}),
        json!({"id":"optout-wrong","type":"lead","phoneNumber":"+16178670000","organizationId":"orgSim01","activeGroupIds":[],"inactiveGroupIds":[],
               "customFields":{},"tagIds":["tagWrongNo"],"globalOptedOut":true,"createdAt":"2021-05-05T05:05:05Z"}),
        // Malformed: tagIds is not a list. Skipped with an issue; the page goes on.
        json!({"id":"broken1","type":"lead","organizationId":"orgSim01","phoneNumber":"+16025550000","tagIds":"tagVolProspect","globalOptedOut":false}),
        // Nulls where lists are expected are tolerated.
        json!({"id":"nulls1","type":"lead","organizationId":"orgSim01","phoneNumber":"+19198670000","activeGroupIds":null,"tagIds":null,"customFields":null,"globalOptedOut":null}),
    ]
}

async fn sim_with_recorded_leads() -> HustleSim {
    let sim = HustleSim::start().await;
    for l in recorded_leads() {
        sim.push_lead(l);
    }
    sim
}

fn people(pages: &[Page]) -> BTreeMap<String, canvass_core::Person> {
    pages
        .iter()
        .flat_map(|p| &p.records)
        .filter_map(|r| match r {
            Record::Person(p) => Some((p.source.id.clone(), p.clone())),
            _ => None,
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leads_map_to_people_keyed_by_e164_phone() {
    let sim = sim_with_recorded_leads().await;
    let pages = read(&sim, EntityKind::People).await;
    let people = people(&pages);

    let ew = &people["wqy78hlz2"];
    assert_eq!(ew.given_name.as_deref(), Some("Elizabeth"));
    assert_eq!(
        ew.primary_phone().map(|p| p.number.as_str()),
        Some("+14435705355")
    );
    assert_eq!(ew.phones[0].kind, PhoneKind::Mobile);
    assert_eq!(
        ew.primary_address().and_then(|a| a.postal_code.as_deref()),
        Some("02139")
    );
    assert_eq!(ew.external_ids[0].id, "123");
    assert_eq!(
        ew.created_at.map(|t| t.to_rfc3339()),
        Some("2019-09-17T21:25:51.442+00:00".into())
    );
    assert!(ew.emails.is_empty());

    let landline = &people["landline1"];
    assert_eq!(landline.phones[0].kind, PhoneKind::Landline);
    assert_eq!(landline.given_name.as_deref(), Some("JOSÉ"));
    assert_eq!(landline.emails[0].address, "Jose@example.org");
    assert_eq!(landline.extra["tagIds"], json!(["tagVolProspect"]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_number_is_kept_flagged_and_reported() {
    let sim = sim_with_recorded_leads().await;
    let pages = read(&sim, EntityKind::People).await;
    let p = &people(&pages)["invalid1"];
    assert_eq!(p.phones[0].number, "555-0143");
    assert!(!p.phones[0].valid);
    assert!(p.primary_phone().is_none());
    assert!(!p.emails[0].valid);
    assert_eq!(p.extra["favouriteColour"], "teal");
    let issues: Vec<_> = pages
        .iter()
        .flat_map(|p| &p.issues)
        .filter(|i| i.record == "invalid1")
        .collect();
    let fields: Vec<&str> = issues.iter().map(|i| i.field.as_str()).collect();
    assert!(
        fields.contains(&"phoneNumber")
            && fields.contains(&"email")
            && fields.contains(&"createdAt"),
        "{fields:?}"
    );
    assert!(issues.iter().all(|i| !i.skipped));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_lead_is_skipped_by_name_and_the_page_goes_on() {
    let sim = sim_with_recorded_leads().await;
    let pages = read(&sim, EntityKind::People).await;
    let people = people(&pages);
    assert!(!people.contains_key("broken1"));
    let all_issues: Vec<_> = pages.iter().flat_map(|p| &p.issues).collect();
    assert_eq!(people.len(), recorded_leads().len() - 1, "{all_issues:?}");
    let issue = pages
        .iter()
        .flat_map(|p| &p.issues)
        .find(|i| i.record == "broken1")
        .unwrap();
    assert!(issue.skipped);
    assert_eq!(issue.field, "tagIds");
    // Nothing lost: the raw JSON of every item is on the page.
    let raw: Vec<&str> = pages
        .iter()
        .flat_map(|p| &p.raw)
        .map(|r| r.source.id.as_str())
        .collect();
    assert!(raw.contains(&"broken1"));
    assert_eq!(raw.len(), recorded_leads().len());
    assert!(people["nulls1"].custom_fields.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opt_outs_carry_the_reason_of_their_opt_out_tag_or_unknown() {
    let sim = sim_with_recorded_leads().await;
    let pages = read(&sim, EntityKind::OptOuts).await;
    let opt_outs: BTreeMap<String, canvass_core::OptOut> = pages
        .iter()
        .flat_map(|p| &p.records)
        .filter_map(|r| match r {
            Record::OptOut(o) => Some((o.source.id.clone(), o.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(opt_outs.len(), 2);
    let none = &opt_outs["optout-noreason"];
    assert_eq!(none.reason, OptOutReason::Unknown);
    assert_eq!(none.channel, Channel::Sms);
    assert_eq!(none.identifier, "+13128670000");
    assert_eq!(none.opted_out_at, None);
    let wrong = &opt_outs["optout-wrong"];
    assert_eq!(wrong.reason, OptOutReason::WrongNumber);
    assert_eq!(wrong.extra["optOutTagName"], "Wrong number");

    let people = people(&read(&sim, EntityKind::People).await);
    assert_eq!(
        people["optout-wrong"].phones[0].sms_status,
        SubscriptionStatus::Unsubscribed
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn taggings_and_tags_are_read() {
    let sim = sim_with_recorded_leads().await;
    let c = sim.connector(None, RateLimit::unlimited(), 1000);
    let taggings = c.read_all(EntityKind::Taggings).await.unwrap();
    let ids: Vec<&str> = taggings.iter().map(|r| r.source().id.as_str()).collect();
    assert_eq!(
        ids,
        vec!["landline1:tagVolProspect", "optout-wrong:tagWrongNo"]
    );
    let tags = c.read_all(EntityKind::Tags).await.unwrap();
    assert!(tags.iter().any(|r| matches!(r, Record::Tag(t) if t.name == "Wrong number" && t.extra["agentVisibility"] == "OPT_OUT")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_map_with_direction_status_and_campaign() {
    let sim = HustleSim::start().await;
    sim.push_message(json!({"id":"m1","threadId":"th1","leadId":"wqy78hlz2","groupId":"grpGotv01","agentId":"agtAna001","direction":"outbound",
                            "body":"Hi Elizabeth!","status":"delivered","type":"SMS","createdAt":"2024-10-01T14:00:00.000Z"}));
    sim.push_message(json!({"id":"m2","threadId":"th1","leadId":"wqy78hlz2","groupId":"grpGotv01","direction":"inbound",
                            "body":"Yes!","type":"SMS","createdAt":"2024-10-01T14:03:00.000Z"}));
    sim.push_message(json!({"id":"m3","leadId":"wqy78hlz2","direction":"outbound","status":"carrier_filtered","errorCode":"30007","type":"MMS",
                            "createdAt":"2024-10-01T14:05:00.000Z"}));
    sim.push_message(json!({"id":"m4","leadId":"wqy78hlz2","direction":"sideways","status":"sent","createdAt":"2024-10-01T14:06:00.000Z"}));
    sim.push_message(json!({"id": 5, "direction":"outbound"}));
    let pages = read(&sim, EntityKind::Messages).await;
    let msgs: BTreeMap<String, canvass_core::Message> = pages
        .iter()
        .flat_map(|p| &p.records)
        .filter_map(|r| match r {
            Record::Message(m) => Some((m.source.id.clone(), m.clone())),
            _ => None,
        })
        .collect();
    let m1 = &msgs["m1"];
    assert_eq!(m1.direction, Direction::Outbound);
    assert_eq!(m1.status, DeliveryStatus::Delivered);
    assert_eq!(m1.campaign.as_deref(), Some("grpGotv01"));
    assert_eq!(m1.person.as_ref().map(|p| p.id.as_str()), Some("wqy78hlz2"));
    assert_eq!(m1.body.as_deref(), Some("Hi Elizabeth!"));
    assert_eq!(msgs["m2"].direction, Direction::Inbound);
    assert_eq!(msgs["m2"].status, DeliveryStatus::Received);
    // An unknown status is kept verbatim, never a decode failure.
    assert_eq!(
        msgs["m3"].status,
        DeliveryStatus::Other("carrier_filtered".into())
    );
    assert_eq!(msgs["m3"].extra["errorCode"], "30007");
    assert_eq!(msgs["m4"].direction, Direction::Other("sideways".into()));
    // A message whose id is not a string is skipped, named by its id.
    let bad = pages
        .iter()
        .flat_map(|p| &p.issues)
        .find(|i| i.record == "5")
        .unwrap();
    assert!(bad.skipped);
    assert_eq!(bad.field, "id");

    let attempts = sim
        .connector(None, RateLimit::unlimited(), 1000)
        .read_all(EntityKind::ContactAttempts)
        .await
        .unwrap();
    let results: BTreeMap<String, ContactResult> = attempts
        .iter()
        .filter_map(|r| match r {
            Record::ContactAttempt(a) => Some((a.source.id.clone(), a.result.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(results["m1"], ContactResult::Texted);
    assert_eq!(results["m2"], ContactResult::Canvassed);
    assert_eq!(results["m3"], ContactResult::Texted);
    assert!(
        !results.contains_key("m4"),
        "an unknown direction is no contact attempt"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeded_leads_are_the_populations_humans_formatted_by_hustle() {
    let population = Population::generate(21, 120);
    let sim = HustleSim::start().await;
    // A subset of the humans, as the demo does across simulators.
    let ids = sim.seed_population(&population, (0..120).filter(|h| h % 3 != 0));
    assert_eq!(ids.len(), 80);
    let people = people(&read(&sim, EntityKind::People).await);
    let mut matched = 0;
    for (id, person) in &people {
        let human = &population.humans[sim.human_of(id).unwrap()];
        assert!(!human.id.is_multiple_of(3));
        if let Some(phone) = person.primary_phone() {
            let mine = [Some(human.mobile.clone()), human.landline.clone()];
            assert!(
                mine.contains(&Some(phone.number.clone())),
                "{phone:?} is not {human:?}'s"
            );
            matched += 1;
        }
        let typed = population.messy(human.id, "hustle");
        assert_eq!(
            person.family_name,
            canvass_core::normalize::clean_name(&typed.family_name)
        );
    }
    assert!(matched > 70);
    assert!(normalize_phone(&population.humans[1].mobile).is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resuming_from_a_checkpoint_reads_the_rest() {
    let sim = HustleSim::seeded(5, 50, 250).await;
    let c = sim.connector(None, RateLimit::unlimited(), 100);
    let first: Vec<Page> = c
        .read(EntityKind::Messages, None)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(first.len(), 3);
    let cp: Checkpoint = first[0].checkpoint.clone().unwrap();
    let rest: Vec<Page> = c
        .read(EntityKind::Messages, Some(cp))
        .try_collect()
        .await
        .unwrap();
    let n: usize = rest.iter().map(|p| p.records.len()).sum();
    assert_eq!(n, 150);
    let bad = c
        .read(EntityKind::Messages, Some(Checkpoint("not json".into())))
        .try_collect::<Vec<_>>()
        .await;
    assert!(matches!(bad, Err(canvass_core::Error::InvalidInput { .. })));
}
