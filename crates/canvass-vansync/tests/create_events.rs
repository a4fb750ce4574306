//! The `create_events` rule against the VAN simulator: an RSVP to a source
//! event no mapping names creates that event (with its shifts) in VAN once,
//! and the signup lands on it; later pushes reuse it; without the rule the
//! RSVP stays unmapped; a crash after VAN created the event leaves it in
//! doubt, never created twice; a bad `create_events` table is a clear
//! config error.

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;

use canvass_core::{
    Attendance, AttendanceStatus, Email, EntityKind, Event, Page, Person, Record, Shift, SourceRef,
};
use canvass_sync::{IdentityConfig, LedgerStatus, PageWrite, Warehouse, resolve_identities};
use canvass_van::simulator::{Seeded, VanSim};
use canvass_vansync::plan::{CreatedEvent, create_event_key};
use canvass_vansync::{
    CreateEvents, EventMapping, Rule, TargetConfig, VanSync, VanSyncConfig, VanSyncError,
};
use chrono::{DateTime, Duration, Utc};
use common::{Backend, CrashAt, Crashing, TempDir, backends};

const TITLE: &str = "Doors for Democracy";

struct Fixture {
    van: VanSim,
    seeded: Seeded,
    warehouse: Arc<dyn Warehouse>,
    start: DateTime<Utc>,
    _dir: Option<TempDir>,
}

impl Fixture {
    /// A warehouse holding one Mobilize person, one Mobilize event with two
    /// timeslots, and the person's RSVP to the second timeslot.
    async fn new(backend: &Backend, tag: &str) -> Fixture {
        let (dir, warehouse) = common::open(backend, tag).await;
        let van = VanSim::start().await;
        let seeded = van.seed_standard();
        let start = DateTime::from_timestamp(1_900_000_000, 0).expect("time");
        let f = Fixture {
            van,
            seeded,
            warehouse,
            start,
            _dir: dir,
        };
        f.store(
            EntityKind::People,
            vec![Record::Person(Person {
                source: SourceRef::new("mobilize", "p1"),
                given_name: Some("Ana".into()),
                family_name: Some("Díaz".into()),
                emails: vec![Email::parse("ana@example.org")],
                ..Person::default()
            })],
        )
        .await;
        f.store(
            EntityKind::Events,
            vec![Record::Event(Event {
                source: SourceRef::new("mobilize", "e9"),
                modified_at: None,
                title: TITLE.into(),
                description: Some("Knock doors with neighbors".into()),
                starts_at: Some(start),
                ends_at: Some(start + Duration::hours(5)),
                timezone: Some("America/New_York".into()),
                event_type: Some("CANVASS".into()),
                location: None,
                venue: None,
                visibility: None,
                is_virtual: Some(false),
                tags: vec![],
                browser_url: None,
                extra: Default::default(),
            })],
        )
        .await;
        let shift = |id: &str, from: i64| {
            Record::Shift(Shift {
                source: SourceRef::new("mobilize", id),
                event: SourceRef::new("mobilize", "e9"),
                name: None,
                starts_at: Some(start + Duration::hours(from)),
                ends_at: Some(start + Duration::hours(from + 2)),
                capacity: None,
                extra: Default::default(),
            })
        };
        // Stored out of order: shifts go to VAN by start time.
        f.store(EntityKind::Shifts, vec![shift("t2", 3), shift("t1", 0)])
            .await;
        f.store(
            EntityKind::Attendances,
            vec![Record::Attendance(Attendance {
                source: SourceRef::new("mobilize", "a1"),
                modified_at: None,
                person: SourceRef::new("mobilize", "p1"),
                event: SourceRef::new("mobilize", "e9"),
                shift: Some(SourceRef::new("mobilize", "t2")),
                status: AttendanceStatus::Registered,
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
                source: "mobilize",
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

    fn volunteer_role(&self) -> u64 {
        // seed_standard's event type has the roles Host and Volunteer.
        self.seeded.events[0].role_ids[1]
    }

    fn target(&self, create: bool) -> TargetConfig {
        let mut t = TargetConfig::new("state");
        if create {
            t.create_events = Some(CreateEvents {
                event_type_id: self.seeded.event_type_id,
                role_id: self.volunteer_role(),
            });
        }
        t
    }

    fn sync(&self, target: TargetConfig) -> VanSync {
        VanSync::with_clients(
            VanSyncConfig::new(vec![target]),
            [("state".to_string(), self.van.client())],
        )
        .expect("sync")
    }

    async fn van_events(&self) -> Vec<canvass_van::models::Event> {
        self.van
            .client()
            .events()
            .list()
            .expand(&[canvass_van::client::EventExpand::Shifts])
            .all()
            .await
            .expect("list events")
    }

    async fn shutdown(self) {
        tokio::task::yield_now().await;
        drop(self);
    }
}

async fn creates_one_event_with_its_shifts_and_signs_up_on_it(backend: &Backend) {
    let f = Fixture::new(backend, "create").await;
    let seeded_events = f.van_events().await.len();
    let sync = f.sync(f.target(true));

    f.van.control().reset_stats();
    let plan = sync.plan(f.warehouse.as_ref()).await.expect("plan");
    let summary = plan.summary();
    println!("{summary}");
    let rules = &summary.targets[0].rules;
    assert_eq!(rules[&Rule::CreateEvents].to_write, 1, "{summary}");
    assert_eq!(rules[&Rule::RsvpsToSignups].to_write, 1, "{summary}");
    assert!(summary.targets[0].unmapped.is_empty(), "{summary}");
    let text = summary.to_string();
    assert!(text.contains("create_events: 1 to write"), "{text}");
    assert!(
        text.contains(TITLE),
        "the dry run samples the event: {text}"
    );
    assert_eq!(
        f.van.control().stats().requests,
        0,
        "planning talks to nobody"
    );

    let report = sync.push(f.warehouse.as_ref()).await.expect("push");
    println!("{report}");
    assert!(report.is_success(), "{report}");
    let t = &report.targets[0];
    assert_eq!(t.rules[&Rule::CreateEvents].written, 1, "{report}");
    assert_eq!(t.rules[&Rule::RsvpsToSignups].written, 1, "{report}");
    assert!(report.to_string().contains("create_events: 1 written"));

    // Exactly one new VAN event, with the two shifts in start order.
    let events = f.van_events().await;
    assert_eq!(events.len(), seeded_events + 1, "one event created");
    let created = events
        .iter()
        .find(|e| e.name == TITLE)
        .expect("the created event");
    let event_id = created.event_id.expect("id");
    assert_eq!(
        created.event_type.as_ref().map(|t| t.event_type_id),
        Some(f.seeded.event_type_id)
    );
    let shifts: Vec<(u64, String)> = created
        .shifts
        .iter()
        .flatten()
        .map(|s| {
            (
                s.event_shift_id.expect("shift id"),
                s.start_time.clone().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(shifts.len(), 2, "{shifts:?}");
    let at =
        |h: i64| canvass_core::time::parse_timestamp(&shifts[h as usize].1).expect("shift start");
    assert_eq!(at(0), f.start, "the first shift is t1");
    assert_eq!(at(1), f.start + Duration::hours(3), "the second is t2");

    // The signup is on the created event, on t2's shift, in the role.
    let signups = f.van.signups();
    assert_eq!(signups.len(), 1);
    assert_eq!(signups[0].event.event_id, event_id);
    assert_eq!(signups[0].shift.event_shift_id, shifts[1].0, "t2's shift");
    assert_eq!(signups[0].role.role_id, f.volunteer_role());
    assert_eq!(signups[0].status.status_id, 1, "registered → Scheduled");

    // The ledger keeps the VAN event and shift ids.
    let key = create_event_key("van:state", &SourceRef::new("mobilize", "e9"));
    let entry = f
        .warehouse
        .ledger_entry(&key)
        .await
        .expect("ledger")
        .expect("the creation's entry");
    assert_eq!(entry.status, LedgerStatus::Written);
    assert_eq!(entry.rule, "create_events");
    // What it recorded as the intent: the source event and its shifts.
    let canvass_core::WriteOp::CreateEvent {
        event,
        shifts: sent,
    } = &entry.op
    else {
        panic!("a create-event write, not {:?}", entry.op)
    };
    assert_eq!(event.source, SourceRef::new("mobilize", "e9"));
    assert_eq!(
        sent.iter()
            .map(|s| s.source.to_string())
            .collect::<Vec<_>>(),
        ["mobilize:t1", "mobilize:t2"]
    );
    let outcome =
        CreatedEvent::from_outcome(entry.outcome_id.as_deref().unwrap_or_default()).expect("json");
    assert_eq!(outcome.event_id, event_id);
    assert_eq!(
        outcome.shifts,
        BTreeMap::from([
            ("mobilize:t1".to_string(), shifts[0].0),
            ("mobilize:t2".to_string(), shifts[1].0)
        ])
    );

    // A second run creates nothing and writes nothing: no VAN call at all.
    let plan = sync.plan(f.warehouse.as_ref()).await.expect("plan");
    let summary = plan.summary();
    assert_eq!(summary.total_to_write(), 0, "{summary}");
    f.van.control().reset_stats();
    assert_eq!(
        summary.targets[0].rules[&Rule::CreateEvents].already_written,
        1
    );
    let again = sync
        .execute(f.warehouse.as_ref(), &plan)
        .await
        .expect("push");
    assert!(again.is_success(), "{again}");
    assert_eq!(again.written(), 0, "{again}");
    assert_eq!(
        again.targets[0].rules[&Rule::CreateEvents].already_written,
        1
    );
    assert_eq!(f.van.control().stats().requests, 0, "nothing sent to VAN");
    assert_eq!(f.van_events().await.len(), seeded_events + 1);
    assert_eq!(f.van.signups().len(), 1);

    // A new RSVP to the same event goes to the event created before.
    f.store(
        EntityKind::People,
        vec![Record::Person(Person {
            source: SourceRef::new("mobilize", "p2"),
            given_name: Some("Bo".into()),
            family_name: Some("Lee".into()),
            emails: vec![Email::parse("bo@example.org")],
            ..Person::default()
        })],
    )
    .await;
    f.store(
        EntityKind::Attendances,
        vec![Record::Attendance(Attendance {
            source: SourceRef::new("mobilize", "a2"),
            modified_at: None,
            person: SourceRef::new("mobilize", "p2"),
            event: SourceRef::new("mobilize", "e9"),
            shift: None,
            status: AttendanceStatus::Registered,
            extra: Default::default(),
        })],
    )
    .await;
    let third = sync.push(f.warehouse.as_ref()).await.expect("push");
    assert!(third.is_success(), "{third}");
    assert_eq!(third.targets[0].rules[&Rule::CreateEvents].written, 0);
    assert_eq!(third.targets[0].rules[&Rule::RsvpsToSignups].written, 1);
    assert_eq!(
        f.van_events().await.len(),
        seeded_events + 1,
        "no new event"
    );
    let signups = f.van.signups();
    assert_eq!(signups.len(), 2);
    assert!(
        signups
            .iter()
            .all(|s| s.event.event_id == event_id && s.role.role_id == f.volunteer_role())
    );
    let bo = signups
        .iter()
        .find(|s| s.shift.event_shift_id != shifts[1].0)
        .expect("the second signup");
    assert_eq!(bo.shift.event_shift_id, shifts[0].0, "no shift: the first");
    f.shutdown().await;
}

#[tokio::test]
async fn an_rsvp_to_an_unmapped_event_creates_it_in_van_once_with_its_shifts() {
    for backend in backends("create_events") {
        creates_one_event_with_its_shifts_and_signs_up_on_it(&backend).await;
    }
}

#[tokio::test]
async fn without_create_events_the_rsvp_stays_unmapped() {
    let f = Fixture::new(&Backend::Sqlite, "off").await;
    let seeded_events = f.van_events().await.len();
    let sync = f.sync(f.target(false));
    let plan = sync.plan(f.warehouse.as_ref()).await.expect("plan");
    let summary = plan.summary();
    assert_eq!(
        summary.targets[0]
            .unmapped
            .get("event mobilize:e9 has no VAN event mapping"),
        Some(&1),
        "{summary}"
    );
    assert!(plan.targets[0].events.is_empty());
    assert!(!summary.targets[0].rules.contains_key(&Rule::CreateEvents));
    let report = sync.push(f.warehouse.as_ref()).await.expect("push");
    assert!(report.is_success(), "{report}");
    assert_eq!(report.written(), 0);
    assert_eq!(f.van_events().await.len(), seeded_events, "nothing created");
    assert!(f.van.signups().is_empty());
    f.shutdown().await;
}

#[tokio::test]
async fn a_crash_after_van_created_the_event_leaves_it_in_doubt_never_created_twice() {
    let f = Fixture::new(&Backend::Sqlite, "crash").await;
    let seeded_events = f.van_events().await.len();
    let sync = f.sync(f.target(true));
    // The first ledger_mark_written records the person's findOrCreate; the
    // second would record the created event.
    let crashing: Arc<dyn Warehouse> = Arc::new(Crashing::new(
        f.warehouse.clone(),
        CrashAt::AfterVanAnswered(2),
    ));
    let crashed = sync.push(crashing.as_ref()).await;
    assert!(crashed.is_err(), "the push died");
    assert_eq!(f.van_events().await.len(), seeded_events + 1, "VAN has it");

    let plan = sync.plan(f.warehouse.as_ref()).await.expect("plan");
    let summary = plan.summary();
    assert_eq!(
        summary.targets[0].rules[&Rule::CreateEvents].in_doubt,
        1,
        "{summary}"
    );
    assert_eq!(summary.targets[0].rules[&Rule::CreateEvents].to_write, 0);
    let report = sync
        .execute(f.warehouse.as_ref(), &plan)
        .await
        .expect("push");
    assert!(!report.is_success(), "an event in doubt fails the push");
    assert_eq!(report.targets[0].in_doubt.len(), 1, "{report}");
    assert_eq!(report.targets[0].in_doubt[0].rule, Rule::CreateEvents);
    assert!(report.to_string().contains("IN DOUBT create_events"));
    assert_eq!(
        f.van_events().await.len(),
        seeded_events + 1,
        "never created twice"
    );
    assert!(f.van.signups().is_empty(), "its signups wait");

    // The operator finds it in VAN and maps the source event to it.
    let event_id = f
        .van_events()
        .await
        .iter()
        .find(|e| e.name == TITLE)
        .and_then(|e| e.event_id)
        .expect("created");
    let mut t = f.target(true);
    t.events.insert(
        "mobilize:e9".into(),
        EventMapping {
            event_id,
            role_id: Some(f.volunteer_role()),
            ..EventMapping::default()
        },
    );
    let mapped = f.sync(t).push(f.warehouse.as_ref()).await.expect("push");
    assert!(mapped.is_success(), "{mapped}");
    assert_eq!(mapped.targets[0].rules[&Rule::RsvpsToSignups].written, 1);
    assert_eq!(f.van_events().await.len(), seeded_events + 1);
    let signups = f.van.signups();
    assert_eq!(signups.len(), 1);
    assert_eq!(signups[0].event.event_id, event_id);
    f.shutdown().await;
}

#[test]
fn a_bad_create_events_table_is_a_clear_config_error() {
    let config = |create: serde_json::Value| {
        VanSyncConfig::from_value(&serde_json::json!({
            "targets": [{"name": "state", "create_events": create}]
        }))
    };
    let field_of = |r: Result<VanSyncConfig, VanSyncError>| match r {
        Err(VanSyncError::Config { field, reason }) => (field, reason),
        other => panic!("expected a config error, got {other:?}"),
    };
    assert!(config(serde_json::json!({"event_type_id": 372, "role_id": 111687})).is_ok());

    let (field, reason) = field_of(config(
        serde_json::json!({"event_type_id": 0, "role_id": 1}),
    ));
    assert_eq!(field, "van_sync.targets.state.create_events.event_type_id");
    assert!(reason.contains("event type"), "{reason}");

    let (field, reason) = field_of(config(
        serde_json::json!({"event_type_id": 1, "role_id": 0}),
    ));
    assert_eq!(field, "van_sync.targets.state.create_events.role_id");
    assert!(reason.contains("role"), "{reason}");

    let err = config(serde_json::json!({"event_type_id": 1})).expect_err("no role");
    assert!(err.to_string().contains("role_id"), "{err}");
    let err = config(serde_json::json!({"event_type_id": 1, "role_id": 2, "role": 3}))
        .expect_err("unknown key");
    assert!(err.to_string().contains("role"), "{err}");

    let (field, reason) = field_of(VanSyncConfig::from_value(&serde_json::json!({
        "targets": [{"name": "state", "rules": ["rsvps_to_signups"],
                     "create_events": {"event_type_id": 1, "role_id": 2}}]
    })));
    assert_eq!(field, "van_sync.targets.state.create_events");
    assert!(reason.contains("rules"), "{reason}");

    let (field, reason) = field_of(VanSyncConfig::from_value(&serde_json::json!({
        "targets": [{"name": "state", "rules": ["create_events"],
                     "create_events": {"event_type_id": 1, "role_id": 2}}]
    })));
    assert_eq!(field, "van_sync.targets.state.create_events");
    assert!(reason.contains("rsvps_to_signups"), "{reason}");

    let (field, reason) = field_of(VanSyncConfig::from_value(&serde_json::json!({
        "targets": [{"name": "state", "rules": ["create_events", "rsvps_to_signups"]}]
    })));
    assert_eq!(field, "van_sync.targets.state.rules");
    assert!(reason.contains("create_events table"), "{reason}");
}
