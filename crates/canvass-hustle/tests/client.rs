//! The typed client against the simulator: OAuth (cached, expiring, revoked
//! and refused tokens, wrong secrets), lists and filters, lead writes and
//! Hustle's error bodies.

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns

use std::time::Duration;

use canvass_core::Error;
use canvass_core::http::StatusCode;
use canvass_hustle::models::{Lead, LeadOperation, LeadUpsert, NewResource, Resource, Tag};
use canvass_hustle::simulator::{BLOCK_AFTER_FAILURES, HustleSim, ORGANIZATION_ID};
use futures::TryStreamExt;

const WRONG: &str = "not-the-secret-81f2a";

async fn sim() -> HustleSim {
    HustleSim::seeded(3, 60, 300).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_is_minted_once_and_reused() {
    let sim = sim().await;
    let client = sim.client(None);
    for _ in 0..3 {
        client.ping().await.unwrap();
    }
    let t = sim.token_stats();
    assert_eq!((t.requests, t.issued), (1, 1));
    assert_eq!(sim.control().stats().unauthorized, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_about_to_expire_is_reminted_before_use() {
    let sim = sim().await;
    // Two-second tokens: the client keeps each for half its life.
    sim.set_token_ttl(Duration::from_secs(2));
    let client = sim.client(None);
    client.ping().await.unwrap();
    client.ping().await.unwrap();
    assert_eq!(sim.token_stats().issued, 1);
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    client.ping().await.unwrap();
    assert_eq!(sim.token_stats().issued, 2);
    // Refreshed ahead of expiry: the API never saw a stale token.
    assert_eq!(sim.control().stats().unauthorized, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_expired_at_the_vendor_is_reminted_once_on_401() {
    let sim = sim().await;
    let client = sim.client(None);
    client.ping().await.unwrap();
    // The vendor forgets the token early (a key rotation, a server restart).
    sim.revoke_tokens();
    client.ping().await.unwrap();
    assert_eq!(sim.token_stats().issued, 2);
    assert_eq!(sim.control().stats().unauthorized, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_fresh_token_is_an_auth_error_after_one_remint() {
    let sim = sim().await;
    sim.reject_all_tokens(true);
    let err = sim.client(None).ping().await.unwrap_err();
    assert!(err.is_auth(), "{err}");
    assert!(err.to_string().contains("401"), "{err}");
    // The first token, then exactly one re-mint; no loop.
    assert_eq!(sim.token_stats().issued, 2);
    assert_eq!(sim.control().stats().unauthorized, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_secret_is_an_auth_error_that_never_shows_the_secret() {
    let sim = sim().await;
    let client = sim.client(Some(WRONG));
    let err = client.ping().await.unwrap_err();
    assert!(err.is_auth(), "{err}");
    assert!(
        err.to_string().contains("Invalid client credentials"),
        "{err}"
    );
    let shown = format!("{err} {err:?} {client:?}");
    assert!(!shown.contains(WRONG), "{shown}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stops_requesting_tokens_after_three_failures_in_a_row() {
    let sim = sim().await;
    let client = sim.client(Some(WRONG));
    let mut last = None;
    for _ in 0..6 {
        last = client.ping().await.err();
    }
    assert_eq!(sim.token_stats().requests, 3, "the client kept asking");
    let err = last.unwrap();
    assert!(err.is_auth());
    assert!(
        err.to_string().contains("stopped requesting tokens"),
        "{err}"
    );
    assert!(!sim.token_stats().blocked);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blocked_ip_is_reported_as_an_auth_error() {
    let sim = sim().await;
    // Several misconfigured clients together trip the vendor's IP block.
    for _ in 0..BLOCK_AFTER_FAILURES.div_ceil(3) {
        let c = sim.client(Some(WRONG));
        for _ in 0..3 {
            let _ = c.ping().await;
        }
    }
    assert!(sim.token_stats().blocked);
    let err = sim.client(None).ping().await.unwrap_err();
    assert!(err.is_auth());
    assert!(err.to_string().contains("blocked"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_every_lead_across_cursor_pages() {
    let sim = sim().await;
    let client = sim.client(None);
    let pages: Vec<_> = client
        .leads()
        .list()
        .limit(7)
        .send()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pages.len(), 60usize.div_ceil(7));
    assert!(pages.last().unwrap().next.is_none());
    let ids: Vec<String> = pages
        .iter()
        .flat_map(|p| p.decode::<Lead>("lead").unwrap())
        .map(|l| l.id)
        .collect();
    assert_eq!(ids, sim.lead_ids());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filters_leads_by_group_and_by_phone() {
    let sim = sim().await;
    let client = sim.client(None);
    let group = sim.group_ids()[1].clone();
    let in_group = client.leads().list().group(&group).all().await.unwrap();
    assert!(!in_group.is_empty() && in_group.len() < 60);
    assert!(in_group.iter().all(|l| l.active_group_ids.contains(&group)));

    let some = &in_group[0];
    let phone = some.phone_number.clone().unwrap();
    if phone.starts_with('+') {
        let found = client
            .leads()
            .find_by_phone(&phone, Some(ORGANIZATION_ID))
            .await
            .unwrap();
        assert_eq!(found.map(|l| l.id), Some(some.id.clone()));
    }
    let none = client
        .leads()
        .find_by_phone("+12025550199", None)
        .await
        .unwrap();
    assert!(none.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_limit_over_1000_is_refused_with_hustles_error_body() {
    let sim = sim().await;
    let client = sim.client(None);
    let err = client
        .http()
        .get("leads")
        .query_pair("limit", "5000")
        .send()
        .await
        .unwrap_err();
    match err {
        Error::Api {
            status, message, ..
        } => {
            assert_eq!(status, 400);
            assert!(message.contains("between 1 and 1000"), "{message}");
        }
        other => panic!("expected an API error, got {other}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upsert_creates_then_updates_on_the_same_phone() {
    let sim = sim().await;
    let client = sim.client(None);
    let mut lead = LeadUpsert {
        phone_number: "+14148670123".into(),
        organization_id: ORGANIZATION_ID.into(),
        first_name: Some("Renée".into()),
        ..LeadUpsert::default()
    };
    let first = client.leads().upsert(&lead).await.unwrap();
    assert!(first.created);
    lead.last_name = Some("Lévesque".into());
    let second = client.leads().upsert(&lead).await.unwrap();
    assert!(!second.created);
    assert_eq!(first.lead.id, second.lead.id);
    assert_eq!(second.lead.last_name.as_deref(), Some("Lévesque"));
    let w = sim.writes();
    assert_eq!((w.leads_created, w.leads_updated), (1, 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upsert_with_a_non_e164_phone_is_a_422_with_hustles_code() {
    let sim = sim().await;
    let lead = LeadUpsert {
        phone_number: "(414) 867-0123".into(),
        organization_id: ORGANIZATION_ID.into(),
        ..LeadUpsert::default()
    };
    let err = sim.client(None).leads().upsert(&lead).await.unwrap_err();
    assert!(
        matches!(&err, Error::Api { status: 422, code: Some(c), .. } if c == "INVALID_PHONE_NUMBER"),
        "{err:?}"
    );
    assert_eq!(sim.writes().leads_created, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn patch_operations_change_the_lead() {
    let sim = sim().await;
    let client = sim.client(None);
    let id = sim.lead_ids()[0].clone();
    let leads = client.leads();
    leads
        .update(
            &id,
            &LeadOperation::ApplyTag {
                tag_id: "tagSpanish".into(),
            },
        )
        .await
        .unwrap();
    assert!(
        sim.lead(&id).unwrap()["tagIds"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == "tagSpanish")
    );
    leads
        .update(
            &id,
            &LeadOperation::RemoveTag {
                tag_id: "tagSpanish".into(),
            },
        )
        .await
        .unwrap();
    assert!(
        !sim.lead(&id).unwrap()["tagIds"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == "tagSpanish")
    );
    leads
        .update(
            &id,
            &LeadOperation::SetCustomField {
                custom_field_name: "van_id".into(),
                value: "1234".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(sim.lead(&id).unwrap()["customFields"]["van_id"], "1234");
    leads
        .update(
            &id,
            &LeadOperation::OptOut {
                tag_id: Some("tagWrongNo".into()),
            },
        )
        .await
        .unwrap();
    assert_eq!(sim.lead(&id).unwrap()["globalOptedOut"], true);
    leads.update(&id, &LeadOperation::OptIn).await.unwrap();
    assert_eq!(sim.lead(&id).unwrap()["globalOptedOut"], false);
    let group = sim.group_ids()[0].clone();
    leads
        .update(
            &id,
            &LeadOperation::MakeInactiveInGroup {
                group_id: group.clone(),
            },
        )
        .await
        .unwrap();
    assert!(
        sim.lead(&id).unwrap()["inactiveGroupIds"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g == group.as_str())
    );
    leads
        .update(
            &id,
            &LeadOperation::MakeActiveInGroup {
                group_id: group.clone(),
            },
        )
        .await
        .unwrap();
    assert!(
        sim.lead(&id).unwrap()["activeGroupIds"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g == group.as_str())
    );
    assert_eq!(sim.writes().operations.values().sum::<u64>(), 7);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn patch_with_an_unknown_tag_or_lead_is_refused() {
    let sim = sim().await;
    let client = sim.client(None);
    let id = sim.lead_ids()[0].clone();
    let err = client
        .leads()
        .update(
            &id,
            &LeadOperation::ApplyTag {
                tag_id: "nope".into(),
            },
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Api { status: 422, code: Some(c), .. } if c == "TAG_NOT_FOUND"),
        "{err:?}"
    );
    let err = client
        .leads()
        .update(
            &id,
            &LeadOperation::OptOut {
                tag_id: Some("tagSpanish".into()),
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(&err, Error::Api { status: 422, .. }), "{err:?}");
    let err = client
        .leads()
        .update("ghost", &LeadOperation::OptIn)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_one_message_and_reports_a_missing_one_as_not_found() {
    let sim = sim().await;
    let client = sim.client(None);
    let id = sim.message_ids()[5].clone();
    let m = client.messages().get(&id).await.unwrap();
    assert_eq!(m.id, id);
    assert!(m.status.is_some() && m.created_at.is_some());
    let err = client.messages().get("../leads").await.unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filters_messages_by_lead() {
    let sim = sim().await;
    let client = sim.client(None);
    let all = client.messages().list().all().await.unwrap();
    let lead = all[0].lead_id.clone().unwrap();
    let theirs = client.messages().list().lead(&lead).all().await.unwrap();
    assert_eq!(
        theirs.len(),
        all.iter()
            .filter(|m| m.lead_id.as_deref() == Some(lead.as_str()))
            .count()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn directory_lists_creates_and_updates() {
    let sim = sim().await;
    let client = sim.client(None);
    let orgs: Vec<Resource> = client.organizations().list().all().await.unwrap();
    assert_eq!(orgs.len(), 1);
    let tag: Tag = client
        .tags()
        .create(&NewResource {
            name: "Bus captain".into(),
            organization_id: ORGANIZATION_ID.into(),
            ..NewResource::default()
        })
        .await
        .unwrap();
    let tags: Vec<Tag> = client
        .tags()
        .list()
        .param("organizationId", ORGANIZATION_ID)
        .all()
        .await
        .unwrap();
    assert!(tags.iter().any(|t| t.id == tag.id));
    let groups: Vec<Resource> = client.groups().list().all().await.unwrap();
    assert_eq!(groups.len(), 2);
    let agents: Vec<Resource> = client.agents().list().all().await.unwrap();
    let updated: Resource = client
        .agents()
        .update(
            &agents[0].id,
            &NewResource {
                name: "Ana R.".into(),
                organization_id: ORGANIZATION_ID.into(),
                ..NewResource::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(updated.name.as_deref(), Some("Ana R."));
    let fields: Vec<Resource> = client.custom_fields().list().all().await.unwrap();
    assert_eq!(fields[0].name.as_deref(), Some("van_id"));
    let err = client
        .organizations()
        .create::<Resource>(&NewResource::default())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Unsupported { .. }));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn has_more_without_a_cursor_ends_the_walk() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v3/oauth/token"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(
                serde_json::json!({"access_token": "t0k3n-abc", "expires_in": 7200}),
            ),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v3/tags"))
        .respond_with(ResponseTemplate::new(StatusCode::OK.as_u16()).set_body_json(
            serde_json::json!({"items": [{"id": "t1", "name": "x"}], "cursor": null, "hasMore": true}),
        ))
        .mount(&server)
        .await;
    let client = canvass_hustle::HustleClient::builder("id", "secret")
        .base_url(format!("{}/v3/", server.uri()).parse().unwrap())
        .retry(canvass_core::http::RetryPolicy::fast())
        .build()
        .unwrap();
    let tags: Vec<Tag> = client.tags().list().all().await.unwrap();
    assert_eq!(tags.len(), 1);
}
