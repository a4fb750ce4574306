//! The typed client against the simulator: ping and auth, safe filters
//! read back as PostgREST reads them, paging over bare arrays, member
//! creation, and the tolerant error decoder.

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns

use canvass_core::Error;
use canvass_strive::filter::{Filter, Op};
use canvass_strive::models::{Member, NewMember, Row};
use canvass_strive::simulator::{CAMPAIGN_ID, ErrorStyle, StriveSim};
use futures::TryStreamExt;
use serde_json::json;

async fn sim() -> StriveSim {
    StriveSim::seeded(4, 80, 400).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ping_checks_the_key() {
    let sim = sim().await;
    sim.client(None).ping().await.unwrap();
    let err = sim.client(Some("bad-key-123456")).ping().await.unwrap_err();
    assert!(err.is_auth());
    assert!(err.to_string().contains("JWT invalid"), "{err}");
    assert!(!format!("{err:?}").contains("bad-key-123456"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_value_full_of_reserved_characters_matches_only_itself() {
    let sim = StriveSim::start().await;
    let tricky = "O'Brien, \"Jr.\" (a.k.a. 10:30) &limit=1&id=gt.0";
    for (id, name) in [(1, tricky), (2, "O'Brien"), (3, "Jr.")] {
        sim.push_row(
            "members",
            json!({"id": id, "campaign_id": 1, "last_name": name, "phone_number": "+14142020792"}),
        );
    }
    let client = sim.client(None);
    let eq = client
        .members()
        .list()
        .eq("last_name", tricky)
        .send_as::<Member>()
        .await
        .unwrap();
    assert_eq!(eq.iter().map(|m| m.id).collect::<Vec<_>>(), vec![1]);
    let listed = client
        .members()
        .list()
        .in_list("last_name", [tricky, "Jr."])
        .order("id")
        .send_as::<Member>()
        .await
        .unwrap();
    assert_eq!(listed.iter().map(|m| m.id).collect::<Vec<_>>(), vec![1, 3]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_column_is_refused_before_sending() {
    let sim = sim().await;
    let err = sim
        .client(None)
        .members()
        .list()
        .eq("id&select", "1")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput { field, .. } if field == "filter.column"),
        "{err:?}"
    );
    assert_eq!(sim.control().stats().requests, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_column_is_a_postgrest_error_with_its_code() {
    let sim = sim().await;
    let err = sim
        .client(None)
        .members()
        .list()
        .eq("shoe_size", "9")
        .send()
        .await
        .unwrap_err();
    match err {
        Error::Api {
            status,
            code,
            message,
            ..
        } => {
            assert_eq!(status, 400);
            assert_eq!(code.as_deref(), Some("42703"));
            assert!(
                message.contains("members.shoe_size does not exist"),
                "{message}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_error_shapes_are_still_read() {
    let sim = sim().await;
    sim.set_error_style(ErrorStyle::ErrorField);
    let err = sim
        .client(None)
        .table(canvass_strive::client::Table::Flows)
        .list()
        .eq("nope", "1")
        .send()
        .await;
    // Flows is empty: the column cannot be checked, so the read succeeds.
    assert!(err.is_ok());
    let err = sim
        .client(None)
        .members()
        .list()
        .eq("nope", "1")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Api { status: 400, message, .. } if message.contains("nope does not exist")),
        "{err:?}"
    );
    sim.set_error_style(ErrorStyle::PlainText);
    let err = sim.client(Some("wrong-key-000")).ping().await.unwrap_err();
    assert!(
        err.is_auth() && err.to_string().contains("JWT invalid"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_walk_every_row_with_limit_and_offset() {
    let sim = sim().await;
    let client = sim.client(None);
    let pages: Vec<_> = client
        .members()
        .list()
        .order("id")
        .limit(30)
        .pages()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        pages.iter().map(|p| p.at).collect::<Vec<_>>(),
        vec![0, 30, 60]
    );
    let ids: Vec<i64> = pages
        .iter()
        .flat_map(|p| p.items.iter().map(|v| v["id"].as_i64().unwrap()))
        .collect();
    assert_eq!(ids, sim.member_ids());
    let all: Vec<Member> = client
        .members()
        .list()
        .order("id")
        .limit(7)
        .all()
        .await
        .unwrap();
    assert_eq!(all.len(), 80);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn updated_since_returns_only_later_members() {
    let sim = sim().await;
    let client = sim.client(None);
    let all: Vec<Member> = client.members().list().all().await.unwrap();
    let mid = all[40].updated_at.clone().unwrap();
    let later: Vec<Member> = client
        .members()
        .list()
        .updated_since(&mid)
        .all()
        .await
        .unwrap();
    assert!(!later.is_empty() && later.len() < 40);
    let mid_ts = canvass_core::time::parse_timestamp(&mid).unwrap();
    assert!(later.iter().all(|m| {
        canvass_core::time::parse_timestamp(m.updated_at.as_deref().unwrap()).unwrap() > mid_ts
    }));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn small_tables_are_listed() {
    let sim = sim().await;
    let client = sim.client(None);
    let groups: Vec<Row> = client.groups().list().all().await.unwrap();
    assert_eq!(groups.len(), 3);
    let broadcasts: Vec<Row> = client.broadcasts().list().all().await.unwrap();
    assert_eq!(broadcasts[0].name.as_deref(), Some("Early vote kickoff"));
    let campaigns: Vec<Row> = client.campaigns().list().all().await.unwrap();
    assert_eq!(campaigns.len(), 1);
    let fields: Vec<Row> = client.custom_fields().list().all().await.unwrap();
    assert_eq!(fields[0].name.as_deref(), Some("Precinct"));
    let unsub = client
        .subscription_events()
        .list()
        .where_("unsubscribe", Op::Is, "true")
        .send()
        .await
        .unwrap();
    assert_eq!(unsub.len(), sim.opt_out_ids().len());
    let out = client
        .outgoing_messages()
        .list()
        .filter(Filter::new("status", Op::Eq, "failed").unwrap())
        .all::<Row>()
        .await
        .unwrap();
    assert!(out.iter().all(|r| r.extra["status"] == "failed"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creating_a_member_returns_it_and_a_duplicate_is_refused() {
    let sim = sim().await;
    let client = sim.client(None);
    let new = NewMember {
        phone_number: "+14048675309".into(),
        campaign_id: Some(CAMPAIGN_ID),
        first_name: Some("Imani".into()),
        opt_in: true,
        groups: vec![canvass_strive::models::NewGroupRef {
            name: "Volunteers".into(),
        }],
        ..NewMember::default()
    };
    let created = client.members().create(&new).await.unwrap().unwrap();
    assert_eq!(created.first_name.as_deref(), Some("Imani"));
    assert_eq!(created.groups().len(), 1);
    let err = client.members().create(&new).await.unwrap_err();
    assert!(
        matches!(&err, Error::Api { status: 409, code: Some(c), .. } if c == "23505"),
        "{err:?}"
    );
    assert_eq!(sim.writes().members_created, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn id_ordered_pages_are_those_a_full_sort_gives_even_with_a_row_out_of_order() {
    let sim = sim().await;
    let client = sim.client(None);
    // What PostgREST answers: the rows with id > `after`, sorted by id,
    // `offset` of them skipped, `limit` kept.
    let expected = |rows: &[serde_json::Value], after: i64, offset: usize, limit: usize| {
        let mut ids: Vec<i64> = rows
            .iter()
            .filter_map(|r| r["id"].as_i64())
            .filter(|id| *id > after)
            .collect();
        ids.sort_unstable();
        ids.into_iter()
            .skip(offset)
            .take(limit)
            .collect::<Vec<i64>>()
    };
    let page = |after: i64, offset: u64| {
        client
            .outgoing_messages()
            .list()
            .gt("id", after.to_string())
            .order("id")
            .offset(offset)
            .limit(7)
    };
    let read = |rows: Vec<serde_json::Value>| -> Vec<i64> {
        rows.iter().filter_map(|r| r["id"].as_i64()).collect()
    };
    let all = |sim: &StriveSim| -> Vec<serde_json::Value> {
        let max = sim.count("outgoing_messages") as i64 + 10;
        (0..=max)
            .filter_map(|id| sim.row("outgoing_messages", id))
            .collect()
    };
    for (after, offset) in [(0, 0), (40, 3), (100, 0), (i64::MAX - 1, 0)] {
        let got = read(page(after, offset).send().await.unwrap());
        assert_eq!(got, expected(&all(&sim), after, offset as usize, 7));
    }
    // A row added with a low id (a recorded shape pushed by a test).
    sim.push_row(
        "outgoing_messages",
        json!({"id": 0, "campaign_id": CAMPAIGN_ID, "member_id": 1, "status": "sent"}),
    );
    let got = read(page(-1, 0).send().await.unwrap());
    assert_eq!(got, expected(&all(&sim), -1, 0, 7));
    assert_eq!(got[0], 0);
}
