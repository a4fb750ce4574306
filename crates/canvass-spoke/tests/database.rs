//! Reading Spoke's database: the read-only session, incremental keys,
//! tie-breaks, organization scoping, settle time, and what goes wrong.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use canvass_core::http::RateLimit;
use canvass_core::{Checkpoint, Connector, ConnectorExt, EntityKind, Error, Page, Record};
use canvass_spoke::ConnectorOptions;
use canvass_spoke::db::{Position, Table};
use canvass_spoke::simulator::{SeedSpec, SpokeDatabase, SpokeSim, test_database_url};
use futures::TryStreamExt;

const SPEC: SeedSpec = SeedSpec {
    seed: 5,
    people: 60,
};

fn options(page_size: u32) -> ConnectorOptions {
    ConnectorOptions {
        page_size,
        ..ConnectorOptions::default()
    }
}

async fn pages(c: &dyn Connector, kind: EntityKind, since: Option<Checkpoint>) -> Vec<Page> {
    c.read(kind, since).try_collect().await.unwrap()
}

fn ids(pages: &[Page]) -> Vec<String> {
    pages
        .iter()
        .flat_map(|p| &p.records)
        .map(|r| r.source().id.clone())
        .collect()
}

#[tokio::test]
async fn the_session_is_read_only_even_for_a_role_that_could_write() {
    let Some(url) = test_database_url() else {
        return;
    };
    let db = SpokeDatabase::create(&url, "readonly").await.unwrap();
    let client = db.spoke_db().unwrap().connect().await.unwrap();
    let err = client
        .batch_execute("INSERT INTO organization (name) VALUES ('x')")
        .await
        .unwrap_err();
    assert_eq!(
        err.code().map(|c| c.code()),
        Some("25006"),
        "read_only_sql_transaction expected, got {err}"
    );
    db.drop_schema().await.unwrap();
}

#[tokio::test]
async fn people_resume_after_checkpoint_without_loss_across_updated_at_ties() {
    let Some(url) = test_database_url() else {
        return;
    };
    let sim = SpokeSim::start(&url, "ties", SPEC).await.unwrap();
    // Pages of 2 over contacts that share updated_at three by three: every
    // page boundary but a few falls inside a tie.
    let c = sim
        .connector(None, RateLimit::unlimited(), options(2))
        .unwrap();
    let all = pages(&c, EntityKind::People, None).await;
    assert_eq!(ids(&all).len(), sim.seeded.contacts.len());
    let expected = sim.seeded.expected_ids(&EntityKind::People);
    for (i, page) in all.iter().enumerate() {
        let after = pages(&c, EntityKind::People, page.checkpoint.clone()).await;
        let mut got: Vec<String> = ids(&all[..=i]);
        got.extend(ids(&after));
        let set: BTreeSet<String> = got.iter().cloned().collect();
        assert_eq!(
            got.len(),
            set.len(),
            "repeated rows resuming after page {i}"
        );
        assert_eq!(set, expected, "lost rows resuming after page {i}");
    }
    sim.finish().await.unwrap();
}

#[tokio::test]
async fn an_updated_contact_is_read_again_and_new_messages_are_read_incrementally() {
    let Some(url) = test_database_url() else {
        return;
    };
    let sim = SpokeSim::start(&url, "incremental", SPEC).await.unwrap();
    let c = sim
        .connector(None, RateLimit::unlimited(), options(50))
        .unwrap();
    let people = pages(&c, EntityKind::People, None).await;
    let people_cp = people.last().and_then(|p| p.checkpoint.clone());
    let messages = pages(&c, EntityKind::Messages, None).await;
    let messages_cp = messages.last().and_then(|p| p.checkpoint.clone());

    // Nothing changed: nothing new.
    assert!(ids(&pages(&c, EntityKind::People, people_cp.clone()).await).is_empty());
    assert!(ids(&pages(&c, EntityKind::Messages, messages_cp.clone()).await).is_empty());

    // Spoke's trigger moves updated_at on update; a texter sends a message.
    let first = *sim.seeded.contacts.keys().next().unwrap();
    let db = sim.database.client();
    db.execute(
        "UPDATE campaign_contact SET message_status = 'closed' WHERE id = $1",
        &[&(first as i32)],
    )
    .await
    .unwrap();
    let new_id: i32 = db
        .query_one(
            "INSERT INTO message (contact_number, is_from_contact, text, send_status, campaign_contact_id) \
             VALUES ('+14045550123', false, 'new', 'SENT', $1) RETURNING id",
            &[&(first as i32)],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(
        ids(&pages(&c, EntityKind::People, people_cp).await),
        vec![first.to_string()]
    );
    assert_eq!(
        ids(&pages(&c, EntityKind::Messages, messages_cp).await),
        vec![new_id.to_string()]
    );
    sim.finish().await.unwrap();
}

#[tokio::test]
async fn settle_time_defers_young_rows_without_skipping_older_ones_after_them() {
    let Some(url) = test_database_url() else {
        return;
    };
    let sim = SpokeSim::start(&url, "settle", SPEC).await.unwrap();
    let db = sim.database.client();
    let contact = *sim.seeded.contacts.keys().next().unwrap() as i32;
    // A young row, then an old one with a higher id (a transaction that
    // began earlier and committed later would look like this).
    let young: i32 = db
        .query_one(
            "INSERT INTO message (contact_number, is_from_contact, text, send_status, campaign_contact_id) \
             VALUES ('+14045550123', false, 'young', 'SENT', $1) RETURNING id",
            &[&contact],
        )
        .await
        .unwrap()
        .get(0);
    let old: i32 = db
        .query_one(
            "INSERT INTO message (contact_number, is_from_contact, text, send_status, campaign_contact_id, created_at) \
             VALUES ('+14045550123', false, 'old', 'SENT', $1, now() - interval '1 hour') RETURNING id",
            &[&contact],
        )
        .await
        .unwrap()
        .get(0);
    let settled = ConnectorOptions {
        settle_seconds: 600.0,
        ..options(100)
    };
    let c = sim
        .connector(None, RateLimit::unlimited(), settled)
        .unwrap();
    let got = ids(&pages(&c, EntityKind::Messages, None).await);
    assert!(!got.contains(&young.to_string()));
    assert!(
        !got.contains(&old.to_string()),
        "the read must stop before the young row, not skip past it"
    );
    assert_eq!(got.len(), sim.seeded.messages.len());
    // Without a settle time both are read.
    let c = sim
        .connector(None, RateLimit::unlimited(), options(100))
        .unwrap();
    let got = ids(&pages(&c, EntityKind::Messages, None).await);
    assert!(got.contains(&young.to_string()) && got.contains(&old.to_string()));
    sim.finish().await.unwrap();
}

#[tokio::test]
async fn organization_scope_reads_only_that_organization() {
    let Some(url) = test_database_url() else {
        return;
    };
    let sim = SpokeSim::start(&url, "scope", SPEC).await.unwrap();
    let other = ConnectorOptions {
        organization_id: Some(sim.seeded.other_organization_id),
        ..options(100)
    };
    let c = sim.connector(None, RateLimit::unlimited(), other).unwrap();
    let people: BTreeSet<String> = ids(&pages(&c, EntityKind::People, None).await)
        .into_iter()
        .collect();
    let expected: BTreeSet<String> = sim
        .seeded
        .other_org_contacts
        .iter()
        .map(i64::to_string)
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(people, expected);
    let messages = c.read_all(EntityKind::Messages).await.unwrap();
    assert!(!messages.is_empty());
    for m in &messages {
        let Record::Message(m) = m else { panic!() };
        assert!(expected.contains(&m.person.as_ref().unwrap().id), "{m:?}");
    }
    let tags = c.read_all(EntityKind::Tags).await.unwrap();
    assert_eq!(tags.len(), 1);
    sim.finish().await.unwrap();
}

#[tokio::test]
async fn a_dropped_connection_mid_read_is_a_transport_error_and_the_checkpoint_resumes_it() {
    let Some(url) = test_database_url() else {
        return;
    };
    let sim = SpokeSim::start(&url, "dropped", SPEC).await.unwrap();
    // Enough rows that the server is still sending when the session ends
    // (more than the socket buffers hold).
    let bulk = 40_000;
    canvass_spoke::simulator::seed_bulk_messages(&sim.database, bulk)
        .await
        .unwrap();
    let total = sim.seeded.messages.len() + bulk as usize;
    let db = sim.database.spoke_db().unwrap();
    let mut stream = db.read(Table::Messages).page_size(10).stream();
    let first = stream.try_next().await.unwrap().unwrap();
    let last = first.last().unwrap().key;
    // An administrator (or a failover) ends the session mid-read.
    sim.database
        .client()
        .execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE application_name = 'canvass-spoke' AND pid <> pg_backend_pid() \
             AND query LIKE '%FROM message t%'",
            &[],
        )
        .await
        .unwrap();
    let mut err = None;
    let mut read_after = 0;
    loop {
        match stream.try_next().await {
            Ok(Some(page)) => read_after += page.len(),
            Ok(None) => break,
            Err(e) => {
                err = Some(e);
                break;
            }
        }
    }
    // Rows already buffered may arrive first; the end must be an error, not
    // a stream that looks complete.
    let err = err.expect("the read must fail, not end as if complete");
    assert!(
        matches!(err, Error::Transport { .. } | Error::Api { .. }),
        "{err:?}"
    );
    assert!(read_after + first.len() < total);
    let rest: Vec<_> = db
        .read(Table::Messages)
        .after(last)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        first.len() + rest.iter().map(Vec::len).sum::<usize>(),
        total
    );
    sim.finish().await.unwrap();
}

#[tokio::test]
async fn a_refused_database_login_is_an_auth_error() {
    let Some(url) = test_database_url() else {
        return;
    };
    let mut bad = url::Url::parse(&url).unwrap();
    bad.set_username("no_such_canvass_role").unwrap();
    bad.set_password(Some("db-secret-9f1")).unwrap();
    let db = canvass_spoke::SpokeDb::new(bad.as_str(), None).unwrap();
    let err = db.ping().await.unwrap_err();
    assert!(err.is_auth(), "{err:?}");
    assert!(!format!("{err} {err:?}").contains("db-secret-9f1"));
}

#[tokio::test]
async fn a_database_without_spoke_tables_is_a_config_error_naming_the_table() {
    let Some(url) = test_database_url() else {
        return;
    };
    let sim = SpokeSim::start(&url, "missing", SPEC).await.unwrap();
    sim.database
        .client()
        .batch_execute("DROP TABLE question_response")
        .await
        .unwrap();
    let c = sim
        .connector(None, RateLimit::unlimited(), options(10))
        .unwrap();
    let err = c.check().await.unwrap_err();
    assert!(
        matches!(&err, Error::Config(m) if m.contains("question_response")),
        "{err:?}"
    );
    let err = c.read_all(EntityKind::SurveyResponses).await.unwrap_err();
    assert!(matches!(&err, Error::Config(_)), "{err:?}");
    sim.finish().await.unwrap();
}

#[tokio::test]
async fn a_checkpoint_from_elsewhere_is_an_invalid_input_error() {
    let Some(url) = test_database_url() else {
        return;
    };
    let sim = SpokeSim::start(&url, "badcp", SPEC).await.unwrap();
    let c = sim
        .connector(None, RateLimit::unlimited(), options(10))
        .unwrap();
    let err = c
        .read(EntityKind::Messages, Some(Checkpoint("not json".into())))
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");
    // A position from the typed client resumes the connector's read.
    let cp = Checkpoint::encode(&Position {
        id: Some(i64::MAX - 1),
        updated_at: None,
    });
    assert!(ids(&pages(&c, EntityKind::Messages, Some(cp)).await).is_empty());
    sim.finish().await.unwrap();
}

/// Spoke's database over TLS: verify-full with the CA of the cluster
/// `.ci/postgres-tls.sh` starts connects; the same server under a name its
/// certificate does not carry is refused, and the error says how to fix it.
#[tokio::test]
async fn spoke_connects_with_verify_full_and_refuses_the_wrong_host() {
    let (Ok(url), Ok(ca)) = (
        std::env::var("CANVASS_TEST_POSTGRES_TLS_URL"),
        std::env::var("CANVASS_TEST_POSTGRES_TLS_CA"),
    ) else {
        eprintln!(
            "SKIPPED spoke_connects_with_verify_full_and_refuses_the_wrong_host: set \
             CANVASS_TEST_POSTGRES_TLS_URL and CANVASS_TEST_POSTGRES_TLS_CA (bash .ci/postgres-tls.sh)"
        );
        return;
    };
    let options = format!("sslmode=verify-full&sslrootcert={ca}");
    let db = canvass_spoke::db::SpokeDb::new(&format!("{url}?{options}"), None).expect("parses");
    let client = db.connect().await.expect("verify-full to localhost");
    let row = client
        .query_one(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
        )
        .await
        .expect("pg_stat_ssl");
    assert!(row.get::<_, bool>(0), "encrypted");

    let wrong = url.replacen("@localhost", "@127.0.0.1", 1).replacen(
        "postgres@",
        "postgres:Spoke-Pa55word@",
        1,
    );
    let db = canvass_spoke::db::SpokeDb::new(&format!("{wrong}?{options}"), None).expect("parses");
    let err = db.connect().await.expect_err("wrong host name");
    let shown = err.to_string();
    assert!(matches!(err, canvass_core::Error::Config(_)), "{shown}");
    assert!(
        shown.contains("sslrootcert") && shown.contains("verify-full"),
        "{shown}"
    );
    assert!(!shown.contains("Spoke-Pa55word"), "{shown}");
}
