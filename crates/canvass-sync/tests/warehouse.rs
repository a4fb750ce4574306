//! The warehouse on both backends: idempotent upserts, checkpoints in the
//! page's transaction, failures, migrations, the push ledger, exports.

mod common;

use canvass_core::{
    Channel, Checkpoint, EntityKind, Event, OptOut, OptOutReason, Page, RawRecord, Record,
    RecordIssue, SourceRef, WriteOp,
};
use canvass_sync::{
    LedgerStatus, PageWrite, PlannedWrite, PostgresWarehouse, SCHEMA_VERSION, SqliteWarehouse,
    SyncError, Warehouse,
};
use common::*;
use futures::TryStreamExt;

fn people_page(n: usize, checkpoint: &str) -> Page {
    let mut page = Page::default();
    for i in 0..n {
        let p = with_phone(
            with_email(
                person("van", &i.to_string(), "Ana", &format!("Núñez{i}")),
                &format!("ana{i}@example.org"),
            ),
            "(414) 202-0792",
        );
        page.raw.push(RawRecord {
            source: p.source.clone(),
            kind: EntityKind::People,
            json: serde_json::json!({"vanId": i, "firstName": "Ana"}),
        });
        page.records.push(Record::Person(p));
    }
    page.checkpoint = Some(Checkpoint(checkpoint.into()));
    page
}

fn write<'a>(page: &'a Page, kind: &'a EntityKind) -> PageWrite<'a> {
    PageWrite {
        run_id: 0,
        source: "van-main",
        kind,
        page,
        dry_run: false,
    }
}

#[tokio::test]
async fn storing_the_same_page_twice_changes_nothing() {
    let (_dir, backends) = backends("rerun").await;
    for w in backends {
        let kind = EntityKind::People;
        let page = people_page(20, "cp-1");
        let first = w.store_page(write(&page, &kind)).await.expect("stored");
        assert_eq!(
            (first.read, first.inserted, first.unchanged),
            (20, 20, 0),
            "{}",
            w.backend_name()
        );
        let dump = w.dump().await.expect("dump");
        let again = w
            .store_page(write(&page, &kind))
            .await
            .expect("stored again");
        assert_eq!(
            (again.inserted, again.updated, again.unchanged),
            (0, 0, 20),
            "{}",
            w.backend_name()
        );
        assert_eq!(w.dump().await.expect("dump"), dump, "{}", w.backend_name());
        assert!(
            dump.contains("address=\"ana7@example.org\""),
            "child rows stored"
        );
    }
}

#[tokio::test]
async fn a_changed_record_is_updated_and_its_contact_points_replaced() {
    let (_dir, backends) = backends("update").await;
    for w in backends {
        let kind = EntityKind::People;
        w.store_page(write(&people_page(3, "a"), &kind))
            .await
            .expect("stored");
        let mut page = people_page(3, "b");
        if let Record::Person(p) = &mut page.records[1] {
            p.emails = vec![canvass_core::Email::parse("new@example.org")];
        }
        let counts = w.store_page(write(&page, &kind)).await.expect("stored");
        assert_eq!(
            (counts.inserted, counts.updated, counts.unchanged),
            (0, 1, 2),
            "{}",
            w.backend_name()
        );
        let emails: Vec<_> = w
            .export("person_emails")
            .try_collect()
            .await
            .expect("export");
        let addresses: Vec<String> = emails
            .iter()
            .map(|r| r.to_json()["address"].to_string())
            .collect();
        assert!(addresses.contains(&"\"new@example.org\"".to_string()));
        assert!(
            !addresses.contains(&"\"ana1@example.org\"".to_string()),
            "old email removed: {addresses:?}"
        );
        assert_eq!(addresses.len(), 3);
    }
}

#[tokio::test]
async fn a_record_repeated_within_a_page_is_stored_once_as_its_last_version() {
    let (_dir, backends) = backends("repeat").await;
    for w in backends {
        let kind = EntityKind::People;
        // 300 people (more than one part of a page on SQLite), then person 5
        // again right after itself and person 7 again far down the page,
        // each with a new email.
        let mut page = people_page(300, "cp");
        let originals = page.records.clone();
        for (at, id) in [(6, 5), (290, 7)] {
            let Record::Person(mut p) = originals[id].clone() else {
                unreachable!("people page")
            };
            p.emails = vec![canvass_core::Email::parse(&format!(
                "moved{id}@example.org"
            ))];
            page.records.insert(at, Record::Person(p));
            page.raw.insert(
                at,
                RawRecord {
                    source: SourceRef::new("van", id.to_string()),
                    kind: EntityKind::People,
                    json: serde_json::json!({"vanId": id, "moved": true}),
                },
            );
        }
        let counts = w.store_page(write(&page, &kind)).await.expect("stored");
        let name = w.backend_name();
        assert_eq!(
            (
                counts.read,
                counts.inserted,
                counts.updated,
                counts.unchanged
            ),
            (302, 300, 2, 0),
            "{name}"
        );
        let emails: Vec<serde_json::Value> = w
            .export("person_emails")
            .map_ok(|r| r.to_json())
            .try_collect()
            .await
            .expect("export");
        assert_eq!(emails.len(), 300, "one email row per person on {name}");
        for id in ["5", "7"] {
            let mine: Vec<_> = emails.iter().filter(|e| e["person_id"] == id).collect();
            assert_eq!(mine.len(), 1, "{name}: {mine:?}");
            assert_eq!(
                mine[0]["address"],
                format!("moved{id}@example.org"),
                "{name}"
            );
        }
        let raw: Vec<serde_json::Value> = w
            .export("raw_records")
            .map_ok(|r| r.to_json())
            .try_collect()
            .await
            .expect("export");
        assert_eq!(raw.len(), 300, "{name}");
        let seven = raw.iter().find(|r| r["id"] == "7").expect("raw 7");
        assert_eq!(
            seven["json"]["moved"], true,
            "{name}: last raw version kept"
        );
        let dump = w.dump().await.expect("dump");
        let again = w.store_page(write(&page, &kind)).await.expect("again");
        assert_eq!(
            (again.inserted, again.updated, again.unchanged),
            (0, 4, 298),
            "{name}: each occurrence differs from the one stored before it"
        );
        assert_eq!(w.dump().await.expect("dump"), dump, "{name}");
    }
}

#[tokio::test]
async fn checkpoint_is_stored_with_its_page_and_a_dry_run_stores_nothing() {
    let (_dir, backends) = backends("checkpoint").await;
    for w in backends {
        let kind = EntityKind::People;
        let page = people_page(2, "after-page-1");
        let dry = w
            .store_page(PageWrite {
                dry_run: true,
                ..write(&page, &kind)
            })
            .await
            .expect("dry run");
        assert_eq!(dry.inserted, 2, "a dry run still counts");
        assert_eq!(w.checkpoint("van-main", &kind).await.expect("read"), None);
        assert!(!w.dump().await.expect("dump").contains("Núñez0"));
        w.store_page(write(&page, &kind)).await.expect("stored");
        assert_eq!(
            w.checkpoint("van-main", &kind).await.expect("read"),
            Some(Checkpoint("after-page-1".into()))
        );
        assert_eq!(
            w.checkpoint("van-other", &kind).await.expect("read"),
            None,
            "per source"
        );
        w.clear_checkpoint("van-main", &kind)
            .await
            .expect("cleared");
        assert_eq!(w.checkpoint("van-main", &kind).await.expect("read"), None);
    }
}

#[tokio::test]
async fn page_issues_are_counted_and_stored_as_failures_of_the_run() {
    let (_dir, backends) = backends("issues").await;
    for w in backends {
        let run = w.begin_run().await.expect("run");
        let kind = EntityKind::People;
        let mut page = people_page(2, "x");
        page.issues.push(RecordIssue {
            record: "77".into(),
            kind: kind.clone(),
            field: "emails[0]".into(),
            message: "missing address".into(),
            skipped: true,
        });
        page.issues.push(RecordIssue {
            record: "1".into(),
            kind: kind.clone(),
            field: "phones[0].number".into(),
            message: "not a valid phone number".into(),
            skipped: false,
        });
        let counts = w
            .store_page(PageWrite {
                run_id: run,
                ..write(&page, &kind)
            })
            .await
            .expect("stored");
        assert_eq!((counts.read, counts.failed, counts.warnings), (3, 1, 1));
        let failures: Vec<_> = w
            .export("sync_run_failures")
            .try_collect()
            .await
            .expect("export");
        assert_eq!(failures.len(), 2, "{}", w.backend_name());
        let first = failures[0].to_json();
        assert_eq!(first["record"], "1");
        assert_eq!(first["field"], "phones[0].number");
    }
}

#[tokio::test]
async fn records_of_every_kind_round_trip() {
    let (_dir, backends) = backends("kinds").await;
    for w in backends {
        let event = Event {
            source: SourceRef::new("mobilize", "e1"),
            modified_at: None,
            title: "Canvass".into(),
            description: None,
            starts_at: None,
            ends_at: None,
            timezone: Some("America/Chicago".into()),
            event_type: Some("CANVASS".into()),
            location: None,
            venue: None,
            visibility: None,
            is_virtual: Some(false),
            tags: vec![],
            browser_url: None,
            extra: Default::default(),
        };
        let opt_out = OptOut {
            source: SourceRef::new("hustle", "o1"),
            person: Some(SourceRef::new("hustle", "p1")),
            channel: Channel::Sms,
            identifier: "+14142020792".into(),
            reason: OptOutReason::Other("STOP ALL".into()),
            opted_out_at: None,
            extra: Default::default(),
        };
        let page = Page {
            records: vec![
                Record::Event(event.clone()),
                Record::OptOut(opt_out.clone()),
            ],
            ..Page::default()
        };
        w.store_page(write(&page, &EntityKind::Events))
            .await
            .expect("stored");
        let events: Vec<_> = w
            .records(EntityKind::Events)
            .try_collect()
            .await
            .expect("read");
        assert_eq!(events[0].record, Record::Event(event));
        let outs: Vec<_> = w
            .records(EntityKind::OptOuts)
            .try_collect()
            .await
            .expect("read");
        assert_eq!(
            outs[0].record,
            Record::OptOut(opt_out),
            "unknown enum values survive"
        );
        assert_eq!(outs[0].canonical_person_id, None);
    }
}

#[tokio::test]
async fn push_ledger_plans_once_and_records_outcomes() {
    let (_dir, backends) = backends("ledger").await;
    for w in backends {
        let op = WriteOp::ApplyTag {
            person_id: "101".into(),
            tag_id: "7".into(),
        };
        let planned = PlannedWrite {
            idempotency_key: op.idempotency_key(),
            rule: "tags_to_activist_codes".into(),
            target: "van".into(),
            op: op.clone(),
        };
        let entry = w.ledger_plan(&planned).await.expect("planned");
        assert_eq!(entry.status, LedgerStatus::Planned);
        assert!(
            !w.ledger_is_written(&planned.idempotency_key)
                .await
                .expect("read")
        );
        assert_eq!(
            w.ledger_pending(Some("van")).await.expect("pending").len(),
            1
        );
        assert!(
            w.ledger_pending(Some("other"))
                .await
                .expect("pending")
                .is_empty()
        );

        w.ledger_mark_written(&planned.idempotency_key, Some("ac-55"))
            .await
            .expect("marked");
        let again = w.ledger_plan(&planned).await.expect("planned again");
        assert_eq!(
            again.status,
            LedgerStatus::Written,
            "planning twice keeps the outcome"
        );
        assert_eq!(again.outcome_id.as_deref(), Some("ac-55"));
        assert_eq!(again.op, op);
        assert!(
            w.ledger_is_written(&planned.idempotency_key)
                .await
                .expect("read")
        );
        assert!(w.ledger_pending(None).await.expect("pending").is_empty());

        let other = PlannedWrite {
            idempotency_key: "k2".into(),
            ..planned.clone()
        };
        w.ledger_plan(&other).await.expect("planned");
        w.ledger_mark_failed("k2", "van: HTTP 400 INVALID_PARAMETER")
            .await
            .expect("marked");
        let failed = w.ledger_entry("k2").await.expect("read").expect("exists");
        assert_eq!(failed.status, LedgerStatus::Failed);
        assert_eq!(failed.attempts, 1);
        assert_eq!(
            w.ledger_pending(None).await.expect("pending").len(),
            1,
            "failed writes stay pending"
        );

        let missing = w.ledger_mark_written("never-planned", None).await;
        assert!(matches!(missing, Err(SyncError::Ledger(_))), "{missing:?}");
    }
}

#[tokio::test]
async fn ledger_sending_marks_an_attempt_whose_outcome_is_unknown() {
    let (_dir, backends) = backends("ledger-sending").await;
    for w in backends {
        let op = WriteOp::ApplyTag {
            person_id: "102".into(),
            tag_id: "8".into(),
        };
        let planned = PlannedWrite {
            idempotency_key: op.idempotency_key(),
            rule: "tags_to_activist_codes".into(),
            target: "van".into(),
            op,
        };
        let key = planned.idempotency_key.clone();
        w.ledger_plan(&planned).await.expect("planned");
        w.ledger_mark_sending(&key).await.expect("sending");
        let entry = w.ledger_entry(&key).await.expect("read").expect("exists");
        assert_eq!(entry.status, LedgerStatus::Sending);
        assert_eq!(entry.attempts, 0, "marking sending is not an outcome");
        assert_eq!(
            w.ledger_plan(&planned).await.expect("planned").status,
            LedgerStatus::Sending,
            "planning again keeps the unknown outcome"
        );
        assert_eq!(
            w.ledger_pending(Some("van")).await.expect("pending").len(),
            1,
            "a write being sent is still pending"
        );
        w.ledger_mark_failed(&key, "van: transport error")
            .await
            .expect("failed");
        w.ledger_mark_sending(&key).await.expect("sending again");
        let resent = w.ledger_entry(&key).await.expect("read").expect("exists");
        assert_eq!(resent.status, LedgerStatus::Sending);
        assert_eq!(resent.error, None, "a new attempt clears the old error");
        w.ledger_mark_written(&key, None).await.expect("written");
        assert!(w.ledger_is_written(&key).await.expect("read"));
        let missing = w.ledger_mark_sending("never-planned").await;
        assert!(matches!(missing, Err(SyncError::Ledger(_))), "{missing:?}");
    }
}

#[tokio::test]
async fn export_streams_a_table_and_refuses_unknown_ones() {
    let (_dir, backends) = backends("export").await;
    for w in backends {
        w.store_page(write(&people_page(5, "x"), &EntityKind::People))
            .await
            .expect("stored");
        let rows: Vec<_> = w.export("people").try_collect().await.expect("export");
        assert_eq!(rows.len(), 5);
        assert_eq!(&rows[0].columns[..3], &["system", "id", "given_name"]);
        assert_eq!(
            rows[0].to_json()["data"]["given_name"],
            "Ana",
            "JSON columns export as objects"
        );
        assert_eq!(rows[0].to_text()[2], "Ana");
        let bad: Result<Vec<_>, _> = w.export("people; DROP TABLE people").try_collect().await;
        assert!(matches!(bad, Err(SyncError::Config(_))));
    }
}

#[tokio::test]
async fn sqlite_migrates_from_every_earlier_version() {
    for from in 0..SCHEMA_VERSION {
        let dir = TempDir::new("migrate");
        let path = dir.file("old.db");
        {
            let old = SqliteWarehouse::open_at_version(&path, from)
                .await
                .expect("old schema");
            assert_eq!(old.schema_version().await.expect("version"), from);
            if from >= 1 {
                old.store_page(write(&people_page(3, "old"), &EntityKind::People))
                    .await
                    .expect("stored");
            }
        }
        let new = SqliteWarehouse::open(&path).await.expect("migrated");
        assert_eq!(new.schema_version().await.expect("version"), SCHEMA_VERSION);
        let people: Vec<_> = new
            .records(EntityKind::People)
            .try_collect()
            .await
            .expect("read");
        assert_eq!(
            people.len(),
            if from >= 1 { 3 } else { 0 },
            "data kept from version {from}"
        );
        new.ledger_plan(&PlannedWrite {
            idempotency_key: "k".into(),
            rule: "r".into(),
            target: "van".into(),
            op: WriteOp::ApplyTag {
                person_id: "1".into(),
                tag_id: "2".into(),
            },
        })
        .await
        .expect("latest tables usable");
    }
}

#[tokio::test]
async fn postgres_migrates_from_every_earlier_version() {
    let Some(url) = postgres_url() else { return };
    for from in 0..SCHEMA_VERSION {
        let schema = unique_schema("migrate");
        {
            let old = PostgresWarehouse::connect_at_version(&url, Some(&schema), from)
                .await
                .expect("old");
            assert_eq!(old.schema_version().await.expect("version"), from);
            if from >= 1 {
                old.store_page(write(&people_page(3, "old"), &EntityKind::People))
                    .await
                    .expect("stored");
            }
        }
        let new = PostgresWarehouse::connect(&url, Some(&schema))
            .await
            .expect("migrated");
        assert_eq!(new.schema_version().await.expect("version"), SCHEMA_VERSION);
        let people: Vec<_> = new
            .records(EntityKind::People)
            .try_collect()
            .await
            .expect("read");
        assert_eq!(
            people.len(),
            if from >= 1 { 3 } else { 0 },
            "data kept from version {from}"
        );
    }
}

#[tokio::test]
async fn a_warehouse_newer_than_this_build_is_refused() {
    let dir = TempDir::new("newer");
    let path = dir.file("w.db");
    {
        SqliteWarehouse::open(&path).await.expect("opens");
    }
    let conn = rusqlite::Connection::open(&path).expect("raw open");
    conn.execute(
        "INSERT INTO schema_version (version, applied_at) VALUES (99, 'x')",
        [],
    )
    .expect("bumped");
    drop(conn);
    let err = SqliteWarehouse::open(&path).await.expect_err("refused");
    assert!(err.to_string().contains("newer than this build"), "{err}");
}

#[tokio::test]
async fn open_warehouse_understands_urls() {
    let dir = TempDir::new("url");
    let url = format!("sqlite://{}", dir.file("u.db").display());
    let w = canvass_sync::open_warehouse(&url).await.expect("opens");
    assert_eq!(w.backend_name(), "sqlite");
    let err = canvass_sync::open_warehouse("mysql://x/y")
        .await
        .expect_err("refused");
    assert!(err.to_string().contains("sqlite://"), "{err}");
    if let Some(pg) = postgres_url() {
        let sep = if pg.contains('?') { '&' } else { '?' };
        let w = canvass_sync::open_warehouse(&format!("{pg}{sep}schema={}", unique_schema("url")))
            .await
            .expect("postgres opens");
        assert_eq!(w.backend_name(), "postgres");
        assert_eq!(w.schema_version().await.expect("v"), SCHEMA_VERSION);
    }
}

#[tokio::test]
async fn sqlite_checkpoints_the_wal_in_the_background_after_a_write() {
    // The writer's own automatic checkpoint waits for 10,000 WAL frames;
    // a page of 300 people is a few dozen. Only the background
    // checkpointer moves them into the database file this soon.
    let dir = TempDir::new("checkpointer");
    let path = dir.file("w.db");
    let w = SqliteWarehouse::open(&path).await.expect("opens");
    let kind = EntityKind::People;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let before = std::fs::metadata(&path).expect("db file").len();
    w.store_page(write(&people_page(300, "cp"), &kind))
        .await
        .expect("stored");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let mut after = before;
    while after <= before && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        after = std::fs::metadata(&path).expect("db file").len();
    }
    assert!(
        after > before,
        "the database file grew from {before} bytes once the WAL was checkpointed (now {after})"
    );
}

/// One person of a generated page: `(id, version)`; a version changes the
/// person's email and raw JSON.
fn versioned_page(people: &[(u8, u8)]) -> Page {
    let mut page = Page::default();
    for &(id, version) in people {
        let p = with_email(
            person("van", &id.to_string(), "Ana", "Núñez"),
            &format!("p{id}v{version}@example.org"),
        );
        page.raw.push(RawRecord {
            source: p.source.clone(),
            kind: EntityKind::People,
            json: serde_json::json!({"vanId": id, "version": version}),
        });
        page.records.push(Record::Person(p));
    }
    page
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]

    /// Pages with keys repeated within and across them (more than one part
    /// of a page, on SQLite) count every occurrence against the version
    /// before it and leave exactly the last version of each person stored.
    #[test]
    fn sqlite_counts_and_stores_the_last_version_of_repeated_keys(
        pages in proptest::collection::vec(
            proptest::collection::vec((0u8..40, 0u8..3), 0..300),
            1..4,
        )
    ) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        rt.block_on(async {
            let dir = TempDir::new("repeats");
            let w = SqliteWarehouse::open(dir.file("w.db")).await.expect("opens");
            let kind = EntityKind::People;
            let mut model: std::collections::BTreeMap<u8, u8> = Default::default();
            for people in &pages {
                let mut expected = (0u64, 0u64, 0u64);
                for &(id, version) in people {
                    match model.insert(id, version) {
                        None => expected.0 += 1,
                        Some(v) if v == version => expected.2 += 1,
                        Some(_) => expected.1 += 1,
                    }
                }
                let counts = w.store_page(write(&versioned_page(people), &kind)).await.expect("stored");
                assert_eq!((counts.inserted, counts.updated, counts.unchanged), expected, "{people:?}");
            }
            let emails: Vec<(String, String)> = w
                .export("person_emails")
                .map_ok(|r| {
                    let j = r.to_json();
                    (j["person_id"].as_str().unwrap_or_default().to_string(), j["address"].as_str().unwrap_or_default().to_string())
                })
                .try_collect()
                .await
                .expect("export");
            let want: Vec<(String, String)> = model
                .iter()
                .map(|(id, v)| (id.to_string(), format!("p{id}v{v}@example.org")))
                .collect();
            let mut got = emails;
            got.sort();
            let mut want = want;
            want.sort();
            assert_eq!(got, want);
            let raw: Vec<(String, u64)> = w
                .export("raw_records")
                .map_ok(|r| {
                    let j = r.to_json();
                    (j["id"].as_str().unwrap_or_default().to_string(), j["json"]["version"].as_u64().unwrap_or(99))
                })
                .try_collect()
                .await
                .expect("export");
            let mut raw = raw;
            raw.sort();
            let mut want_raw: Vec<(String, u64)> = model.iter().map(|(id, v)| (id.to_string(), u64::from(*v))).collect();
            want_raw.sort();
            assert_eq!(raw, want_raw);
        });
    }
}

#[tokio::test]
async fn a_push_lock_keeps_a_second_pusher_out_until_released_or_lapsed() {
    let (_dir, backends) = backends("push-lock").await;
    let hour = std::time::Duration::from_secs(3600);
    for w in backends {
        let name = w.backend_name();
        w.push_lock("van:state", "pid 1", hour)
            .await
            .expect("free lock taken");
        // Another pusher is refused, told who holds it and until when.
        let err = w
            .push_lock("van:state", "pid 2", hour)
            .await
            .expect_err("held by pid 1");
        let SyncError::PushLocked {
            holder, expires_at, ..
        } = &err
        else {
            panic!("{name}: {err:?}")
        };
        assert_eq!(holder, "pid 1", "{name}");
        assert!(
            err.to_string().contains(expires_at.as_str()),
            "{name}: {err}"
        );
        // Other targets are independent; the holder renews its own.
        w.push_lock("van:county", "pid 2", hour)
            .await
            .expect("another target");
        w.push_lock("van:state", "pid 1", hour)
            .await
            .expect("renewed");
        // Only the holder releases it.
        w.push_unlock("van:state", "pid 2").await.expect("no-op");
        assert!(
            w.push_lock("van:state", "pid 2", hour).await.is_err(),
            "{name}"
        );
        w.push_unlock("van:state", "pid 1").await.expect("released");
        w.push_lock("van:state", "pid 2", hour)
            .await
            .expect("taken after release");
        // A lock whose holder died lapses on its own.
        w.push_lock("van:lapsing", "pid 3", std::time::Duration::ZERO)
            .await
            .expect("taken");
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        w.push_lock("van:lapsing", "pid 4", hour)
            .await
            .expect("lapsed lock taken");
    }
}
