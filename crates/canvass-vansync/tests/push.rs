//! Push behaviours on small, hand-picked warehouse contents against the VAN
//! simulator: failures reported with person, rule and VAN's error; people
//! without a match combination held back; status changes updating signups;
//! several committees; a refused key; config errors.

mod common;

use std::sync::Arc;

use canvass_core::registry::MapSecrets;
use canvass_core::{
    Attendance, AttendanceStatus, Email, EntityKind, Page, Person, Record, SourceRef, Tag, Tagging,
};
use canvass_sync::{
    IdentityConfig, LedgerStatus, PageWrite, SqliteWarehouse, SyncError, Warehouse,
    resolve_identities,
};
use canvass_van::DbMode;
use canvass_van::simulator::{Seeded, VanSim};
use canvass_vansync::{
    EventMapping, PUSH_LOCK_TTL, Rule, TargetConfig, VanSync, VanSyncConfig, VanSyncError,
};
use common::TempDir;

struct Fixture {
    van: VanSim,
    seeded: Seeded,
    warehouse: Arc<dyn Warehouse>,
    _dir: TempDir,
}

fn person(system: &str, id: &str, first: &str, last: &str, email: Option<&str>) -> Record {
    Record::Person(Person {
        source: SourceRef::new(system, id),
        given_name: Some(first.into()),
        family_name: Some(last.into()),
        emails: email.map(Email::parse).into_iter().collect(),
        ..Person::default()
    })
}

fn tagging(id: &str, person: &str) -> Record {
    Record::Tagging(Tagging {
        source: SourceRef::new("actionnetwork", id),
        modified_at: None,
        tag: SourceRef::new("actionnetwork", "vol"),
        person: SourceRef::new("actionnetwork", person),
        extra: Default::default(),
    })
}

impl Fixture {
    async fn new(tag: &str) -> Fixture {
        let dir = TempDir::new(tag);
        let warehouse: Arc<dyn Warehouse> = Arc::new(
            SqliteWarehouse::open(dir.0.join("w.db"))
                .await
                .expect("warehouse"),
        );
        let van = VanSim::start().await;
        let seeded = van.seed_standard();
        let f = Fixture {
            van,
            seeded,
            warehouse,
            _dir: dir,
        };
        f.store(
            EntityKind::Tags,
            vec![Record::Tag(Tag {
                source: SourceRef::new("actionnetwork", "vol"),
                name: "Volunteer".into(),
                extra: Default::default(),
            })],
        )
        .await;
        f
    }

    async fn store(&self, kind: EntityKind, records: Vec<Record>) {
        let page = Page {
            records,
            ..Page::default()
        };
        self.warehouse
            .store_page(PageWrite {
                run_id: 0,
                source: "actionnetwork",
                kind: &kind,
                page: &page,
                dry_run: false,
            })
            .await
            .expect("store");
        resolve_identities(&self.warehouse, IdentityConfig::default())
            .await
            .expect("identities");
    }

    fn target(&self, name: &str) -> TargetConfig {
        let mut t = TargetConfig::new(name);
        t.activist_codes = [(
            "volunteer".to_string(),
            self.seeded.activist_codes["Volunteer"],
        )]
        .into();
        t
    }

    fn sync(&self, targets: Vec<TargetConfig>) -> VanSync {
        let clients: Vec<(String, canvass_van::VanClient)> = targets
            .iter()
            .map(|t| (t.name.clone(), self.van.client()))
            .collect();
        VanSync::with_clients(VanSyncConfig::new(targets), clients).expect("sync")
    }

    async fn shutdown(self) {
        tokio::task::yield_now().await;
        drop(self);
    }
}

#[tokio::test]
async fn a_refused_write_is_reported_with_person_rule_and_vans_error_and_sent_again_next_run() {
    let f = Fixture::new("refused").await;
    f.store(
        EntityKind::People,
        vec![person(
            "actionnetwork",
            "p1",
            "Ana",
            "Díaz",
            Some("ana@example.org"),
        )],
    )
    .await;
    f.store(EntityKind::Taggings, vec![tagging("t1", "p1")])
        .await;
    let mut t = f.target("state");
    t.activist_codes = [("Volunteer".to_string(), 999_999)].into();
    let sync = f.sync(vec![t]);

    let report = sync.push(f.warehouse.as_ref()).await.expect("push");
    assert!(!report.is_success(), "a refused write fails the run");
    let failures: Vec<_> = report.failures().collect();
    assert_eq!(failures.len(), 1, "{report}");
    let x = failures[0];
    assert_eq!(x.rule, "tags_to_activist_codes");
    assert_eq!(x.person.name, "Ana Díaz");
    assert!(
        x.person.van_id.is_some(),
        "the person was found or created first"
    );
    assert!(
        x.error.contains("INVALID_PARAMETER"),
        "VAN's error: {}",
        x.error
    );
    assert!(x.error.contains("999999"), "VAN's error: {}", x.error);
    assert!(
        report
            .to_string()
            .contains("FAILED tags_to_activist_codes Ana Díaz")
    );
    let entry = f
        .warehouse
        .ledger_entry(&x.key)
        .await
        .expect("read")
        .expect("in the ledger");
    assert_eq!(entry.status, LedgerStatus::Failed);

    // A failed write stays pending: the next run sends it again.
    let again = sync.push(f.warehouse.as_ref()).await.expect("push");
    assert_eq!(again.failures().count(), 1);
    let entry = f
        .warehouse
        .ledger_entry(&x.key)
        .await
        .expect("read")
        .expect("entry");
    assert_eq!(entry.attempts, 2);
    assert_eq!(f.van.people_count(), 1, "the person was created once");
    f.shutdown().await;
}

#[tokio::test]
async fn a_person_without_a_match_combination_is_reported_and_never_created() {
    let f = Fixture::new("unmatchable").await;
    f.store(
        EntityKind::People,
        vec![
            person(
                "actionnetwork",
                "p1",
                "Ana",
                "Díaz",
                Some("ana@example.org"),
            ),
            person("actionnetwork", "p2", "Bo", "Nguyen", None),
        ],
    )
    .await;
    f.store(
        EntityKind::Taggings,
        vec![tagging("t1", "p1"), tagging("t2", "p2")],
    )
    .await;
    let sync = f.sync(vec![f.target("state")]);
    let plan = sync.plan(f.warehouse.as_ref()).await.expect("plan");
    let t = &plan.targets[0];
    assert_eq!(t.unmatchable.len(), 1);
    assert_eq!(t.unmatchable[0].name, "Bo Nguyen");
    assert!(
        t.unmatchable[0].reason.contains("missing"),
        "{}",
        t.unmatchable[0].reason
    );
    assert_eq!(t.unmatchable[0].blocked[&Rule::TagsToActivistCodes], 1);
    let summary = plan.summary();
    assert_eq!(
        summary.targets[0].rules[&Rule::TagsToActivistCodes].blocked,
        1
    );
    assert!(summary.to_string().contains("Bo Nguyen"));

    let report = sync
        .execute(f.warehouse.as_ref(), &plan)
        .await
        .expect("push");
    assert!(
        report.is_success(),
        "held-back people are data to fix, not a failed run"
    );
    assert_eq!(report.targets[0].unmatchable.len(), 1);
    assert_eq!(f.van.people_count(), 1, "only Ana exists in VAN");
    assert_eq!(report.targets[0].people_created, 1);
    f.shutdown().await;
}

#[tokio::test]
async fn a_changed_rsvp_status_updates_the_van_signup() {
    let f = Fixture::new("status").await;
    f.store(
        EntityKind::People,
        vec![person(
            "actionnetwork",
            "p1",
            "Ana",
            "Díaz",
            Some("ana@example.org"),
        )],
    )
    .await;
    let rsvp = |status: AttendanceStatus, minute: u32| {
        Record::Attendance(Attendance {
            source: SourceRef::new("actionnetwork", "a1"),
            modified_at: chrono::DateTime::from_timestamp(
                1_700_000_000 + i64::from(minute) * 60,
                0,
            ),
            person: SourceRef::new("actionnetwork", "p1"),
            event: SourceRef::new("actionnetwork", "e1"),
            shift: None,
            status,
            extra: Default::default(),
        })
    };
    f.store(
        EntityKind::Attendances,
        vec![rsvp(AttendanceStatus::Registered, 0)],
    )
    .await;
    let mut t = f.target("state");
    t.events.insert(
        "actionnetwork:e1".into(),
        EventMapping {
            event_id: f.seeded.events[0].event_id,
            ..EventMapping::default()
        },
    );
    let sync = f.sync(vec![t]);
    let first = sync.push(f.warehouse.as_ref()).await.expect("push");
    assert!(first.is_success(), "{first}");
    let signups = f.van.signups();
    assert_eq!(signups.len(), 1);
    assert_eq!(signups[0].status.status_id, 1, "registered → Scheduled");
    assert_eq!(
        signups[0].shift.event_shift_id,
        f.seeded.events[0].shift_ids[0]
    );

    f.store(
        EntityKind::Attendances,
        vec![rsvp(AttendanceStatus::Attended, 5)],
    )
    .await;
    let second = sync.push(f.warehouse.as_ref()).await.expect("push");
    assert!(second.is_success(), "{second}");
    assert_eq!(second.targets[0].rules[&Rule::RsvpsToSignups].written, 1);
    let signups = f.van.signups();
    assert_eq!(signups.len(), 1, "VAN's upsert kept one signup");
    assert_eq!(signups[0].status.status_id, 2, "attended → Completed");
    f.shutdown().await;
}

#[tokio::test]
async fn several_committees_each_get_their_writes_under_their_own_key() {
    let f = Fixture::new("committees").await;
    let county = VanSim::start_with("county-app", "county-key-0001", DbMode::VoterFile).await;
    let county_seeded = county.seed_standard();
    f.store(
        EntityKind::People,
        vec![person(
            "actionnetwork",
            "p1",
            "Ana",
            "Díaz",
            Some("ana@example.org"),
        )],
    )
    .await;
    f.store(EntityKind::Taggings, vec![tagging("t1", "p1")])
        .await;
    let state = f.target("state");
    let mut county_target = TargetConfig::new("county");
    county_target.activist_codes = [(
        "Volunteer".to_string(),
        county_seeded.activist_codes["Volunteer"],
    )]
    .into();
    let sync = VanSync::with_clients(
        VanSyncConfig::new(vec![state, county_target]),
        [
            ("state".to_string(), f.van.client()),
            ("county".to_string(), county.client()),
        ],
    )
    .expect("sync");
    let report = sync.push(f.warehouse.as_ref()).await.expect("push");
    assert!(report.is_success(), "{report}");
    assert_eq!(report.targets.len(), 2);
    for (van, code) in [
        (&f.van, f.seeded.activist_codes["Volunteer"]),
        (&county, county_seeded.activist_codes["Volunteer"]),
    ] {
        let ids = van.van_ids();
        assert_eq!(ids.len(), 1, "each committee has the person once");
        let id = *ids.iter().next().expect("one");
        assert_eq!(van.active_activist_codes(id), [code].into());
    }
    let pending = f.warehouse.ledger_pending(None).await.expect("ledger");
    assert!(pending.is_empty());
    let again = sync.push(f.warehouse.as_ref()).await.expect("push");
    assert_eq!(again.written(), 0, "{again}");
    tokio::task::yield_now().await;
    drop(county);
    f.shutdown().await;
}

#[tokio::test]
async fn a_refused_key_stops_the_committee_with_one_clear_error() {
    let f = Fixture::new("badkey").await;
    f.store(
        EntityKind::People,
        vec![
            person(
                "actionnetwork",
                "p1",
                "Ana",
                "Díaz",
                Some("ana@example.org"),
            ),
            person(
                "actionnetwork",
                "p2",
                "Bo",
                "Nguyen",
                Some("bo@example.org"),
            ),
        ],
    )
    .await;
    f.store(
        EntityKind::Taggings,
        vec![tagging("t1", "p1"), tagging("t2", "p2")],
    )
    .await;
    let client = canvass_van::VanClient::builder("canvass-sim", "another-key", DbMode::MyCampaign)
        .base_url(f.van.base_url())
        .retry(canvass_core::http::RetryPolicy::fast())
        .build()
        .expect("client");
    let sync = VanSync::with_clients(
        VanSyncConfig::new(vec![f.target("state")]),
        [("state".to_string(), client)],
    )
    .expect("sync");
    let report = sync.push(f.warehouse.as_ref()).await.expect("push");
    assert!(!report.is_success());
    let error = report.targets[0].error.as_deref().expect("stopped");
    assert!(error.contains("authentication failed"), "{error}");
    assert_eq!(
        report.targets[0].rules[&Rule::TagsToActivistCodes].blocked,
        2
    );
    assert_eq!(f.van.people_count(), 0);
    f.shutdown().await;
}

#[test]
fn config_errors_name_the_key_and_the_missing_variable() {
    let table = serde_json::json!({
        "targets": [{"name": "state", "application_name": "canvass", "api_key_env": "STATE_VAN_KEY"}]
    });
    let err = VanSync::from_config(&table, &MapSecrets::default()).expect_err("no key");
    assert!(err.to_string().contains("STATE_VAN_KEY"), "{err}");
    let ok = VanSync::from_config(&table, &MapSecrets::default().with("STATE_VAN_KEY", "k-1"));
    let sync = ok.expect("builds");
    assert!(!format!("{sync:?}").contains("k-1"), "the key never prints");

    let bad_event = serde_json::json!({
        "targets": [{"name": "state", "events": {"12": {"event_id": 1}}}]
    });
    match VanSyncConfig::from_value(&bad_event) {
        Err(VanSyncError::Config { field, .. }) => assert!(field.ends_with("events.12"), "{field}"),
        other => panic!("expected a config error, got {other:?}"),
    }
    let unknown = serde_json::json!({"targets": [{"name": "state", "activist_code": {}}]});
    let err = VanSyncConfig::from_value(&unknown).expect_err("unknown key");
    assert!(err.to_string().contains("activist_code"), "{err}");
    let missing_app = serde_json::json!({"targets": [{"name": "state"}]});
    let err = VanSync::from_config(&missing_app, &MapSecrets::default()).expect_err("no app");
    assert!(err.to_string().contains("application_name"), "{err}");
}

#[tokio::test]
async fn a_push_while_another_push_holds_the_committee_is_refused_and_sends_nothing() {
    let f = Fixture::new("locked").await;
    f.store(
        EntityKind::People,
        vec![person(
            "actionnetwork",
            "p1",
            "Ana",
            "Díaz",
            Some("ana@example.org"),
        )],
    )
    .await;
    f.store(EntityKind::Taggings, vec![tagging("t1", "p1")])
        .await;
    let sync = f.sync(vec![f.target("state")]);
    let plan = sync.plan(f.warehouse.as_ref()).await.expect("plan");
    let ledger_target = plan.targets[0].ledger_target.clone();

    // Another push (another process) is running against this committee.
    f.warehouse
        .push_lock(
            &ledger_target,
            "canvass pid 7 on organizer-laptop",
            PUSH_LOCK_TTL,
        )
        .await
        .expect("lock");
    let before = f.van.control().stats().requests;
    let err = sync.push(f.warehouse.as_ref()).await.expect_err("refused");
    assert!(
        matches!(
            &err,
            VanSyncError::Warehouse(SyncError::PushLocked { holder, .. })
                if holder == "canvass pid 7 on organizer-laptop"
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("organizer-laptop"), "{err}");
    assert_eq!(
        f.van.control().stats().requests,
        before,
        "nothing was sent to VAN"
    );

    // Once it finishes, the push goes through and leaves the lock free.
    f.warehouse
        .push_unlock(&ledger_target, "canvass pid 7 on organizer-laptop")
        .await
        .expect("unlock");
    let report = sync.push(f.warehouse.as_ref()).await.expect("push");
    assert!(report.is_success(), "{report}");
    f.warehouse
        .push_lock(&ledger_target, "the next push", PUSH_LOCK_TTL)
        .await
        .expect("released after the push");
    f.shutdown().await;
}
