//! The connector against the simulator: incremental reads, deletions, writes.
#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns may panic

use canvass_core::http::RateLimit;
use canvass_core::{
    AttendanceStatus, Checkpoint, Connector, EntityKind, Error, Page, Record, WriteOp, WriteOutcome,
};
use canvass_mobilize::MobilizeConnector;
use canvass_mobilize::simulator::{MobilizeSim, SimOptions};
use futures::TryStreamExt;

async fn sim() -> MobilizeSim {
    let sim = MobilizeSim::start(SimOptions::small()).await;
    sim.control().set_rate_limit(None);
    sim
}

fn connector(sim: &MobilizeSim) -> MobilizeConnector {
    sim.connector(None, RateLimit::unlimited(), Some(10))
}

async fn read(c: &MobilizeConnector, kind: EntityKind, since: Option<Checkpoint>) -> Vec<Page> {
    c.read(kind, since).try_collect().await.unwrap()
}

fn ids(pages: &[Page], kind: &EntityKind) -> Vec<String> {
    pages
        .iter()
        .flat_map(|p| &p.records)
        .filter(|r| &r.kind() == kind && !matches!(r, Record::Deletion(_)))
        .map(|r| r.source().id.clone())
        .collect()
}

#[tokio::test]
async fn next_run_fetches_only_what_changed() {
    let sim = sim().await;
    let c = connector(&sim);
    let full = read(&c, EntityKind::Attendances, None).await;
    assert_eq!(
        ids(&full, &EntityKind::Attendances).len(),
        sim.attendance_ids().len()
    );
    let last = full.last().and_then(|p| p.checkpoint.clone()).unwrap();

    // Nothing changed: one request, nothing read.
    sim.control().reset_stats();
    let none = read(&c, EntityKind::Attendances, Some(last.clone())).await;
    assert!(ids(&none, &EntityKind::Attendances).is_empty());
    assert_eq!(sim.control().stats().requests, 1);

    let mut touched = sim.touch_attendances(12);
    sim.control().reset_stats();
    let changed = read(&c, EntityKind::Attendances, Some(last)).await;
    let mut got = ids(&changed, &EntityKind::Attendances);
    got.sort();
    touched.sort();
    assert_eq!(got, touched);
    assert_eq!(sim.control().stats().requests, 2, "12 changes at 10 a page");
}

#[tokio::test]
async fn resuming_mid_walk_repeats_at_most_the_page_in_flight() {
    let sim = sim().await;
    let c = connector(&sim);
    let full = read(&c, EntityKind::People, None).await;
    let cp = full[2].checkpoint.clone().unwrap();
    let before: Vec<String> = ids(&full[..3], &EntityKind::People);
    let after = ids(
        &read(&c, EntityKind::People, Some(cp)).await,
        &EntityKind::People,
    );
    let mut all: Vec<String> = before.iter().chain(after.iter()).cloned().collect();
    assert_eq!(
        before.len() + after.len(),
        sim.people_ids().len(),
        "nothing repeated"
    );
    all.sort();
    all.dedup();
    assert_eq!(
        all.into_iter().collect::<std::collections::BTreeSet<_>>(),
        sim.people_ids()
    );
}

#[tokio::test]
async fn a_deleted_event_is_reported_on_the_next_incremental_read() {
    let sim = sim().await;
    let c = connector(&sim);
    let full = read(&c, EntityKind::Events, None).await;
    let deletions: Vec<String> = full
        .iter()
        .flat_map(|p| &p.records)
        .filter_map(|r| match r {
            Record::Deletion(d) => Some(d.source.id.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(
        deletions
            .into_iter()
            .collect::<std::collections::BTreeSet<_>>(),
        sim.deleted_event_ids()
    );
    assert!(
        ids(&full, &EntityKind::Shifts).len() >= sim.event_ids().len(),
        "events come with their shifts"
    );

    let victim: u64 = sim.event_ids().iter().next().unwrap().parse().unwrap();
    assert!(sim.delete_event(victim));
    let next = read(
        &c,
        EntityKind::Events,
        full.last().unwrap().checkpoint.clone(),
    )
    .await;
    let deleted: Vec<String> = next
        .iter()
        .flat_map(|p| &p.records)
        .filter_map(|r| match r {
            Record::Deletion(d) => Some(d.source.id.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(deleted, vec![victim.to_string()]);
    assert!(ids(&next, &EntityKind::Events).is_empty());
}

#[tokio::test]
async fn a_foreign_checkpoint_is_an_invalid_input_error() {
    let sim = sim().await;
    let c = connector(&sim);
    let result: Result<Vec<Page>, Error> = c
        .read(EntityKind::People, Some(Checkpoint("not json".into())))
        .try_collect()
        .await;
    assert!(matches!(result, Err(Error::InvalidInput { .. })));
}

async fn some_person(c: &MobilizeConnector, sim: &MobilizeSim) -> String {
    let people = c
        .client()
        .people(sim.organization_id())
        .list()
        .all()
        .await
        .unwrap();
    people
        .iter()
        .find(|p| {
            p.email().is_some()
                && p.given_name
                    .as_deref()
                    .is_some_and(|g| !g.trim().is_empty())
        })
        .and_then(|p| p.canonical_id())
        .unwrap()
}

#[tokio::test]
async fn record_attendance_signs_the_person_up_by_email() {
    let sim = sim().await;
    let c = connector(&sim);
    let person_id = some_person(&c, &sim).await;
    let (event, slot) = sim.upcoming_timeslot().unwrap();
    let op = WriteOp::RecordAttendance {
        person_id: person_id.clone(),
        event_id: event.to_string(),
        shift_id: Some(slot.to_string()),
        role_id: None,
        status: AttendanceStatus::Registered,
    };
    let people_before = sim.people_ids().len();
    let outcome = c.write(&op).await.unwrap();
    assert!(matches!(outcome, WriteOutcome::Created { .. }));
    let w = sim.writes();
    assert_eq!(
        (w.attendances_created, w.people_matched, w.people_created),
        (1, 1, 0)
    );
    assert_eq!(sim.people_ids().len(), people_before);
    // The signup is there on the next read, linked to the same person.
    let atts = read(&c, EntityKind::Attendances, None).await;
    let found = atts.iter().flat_map(|p| &p.records).any(|r| match r {
        Record::Attendance(a) => {
            a.person.id == person_id && a.shift.as_ref().is_some_and(|s| s.id == slot.to_string())
        }
        _ => false,
    });
    assert!(found);
}

#[tokio::test]
async fn record_attendance_refuses_what_mobilize_cannot_do() {
    let sim = sim().await;
    let c = connector(&sim);
    let person_id = some_person(&c, &sim).await;
    let (event, slot) = sim.upcoming_timeslot().unwrap();
    let op = |person: &str, shift: Option<String>, status| WriteOp::RecordAttendance {
        person_id: person.into(),
        event_id: event.to_string(),
        shift_id: shift,
        role_id: None,
        status,
    };
    let err = c
        .write(&op(
            &person_id,
            Some(slot.to_string()),
            AttendanceStatus::Cancelled,
        ))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput { field, .. } if field == "status"),
        "{err}"
    );
    let err = c
        .write(&op(
            "999999",
            Some(slot.to_string()),
            AttendanceStatus::Registered,
        ))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err}");
    let err = c
        .write(&op(
            &person_id,
            Some("abc".into()),
            AttendanceStatus::Registered,
        ))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput { field, .. } if field == "shift_id"),
        "{err}"
    );
    assert_eq!(sim.writes().attendances_created, 0);
}

#[tokio::test]
async fn record_attendance_without_a_shift_uses_the_only_upcoming_one() {
    let sim = sim().await;
    let c = connector(&sim);
    let person_id = some_person(&c, &sim).await;
    // Find an event with exactly one upcoming timeslot, and one with several.
    let now = chrono::Utc::now().timestamp();
    let events = c
        .client()
        .events(sim.organization_id())
        .list()
        .all()
        .await
        .unwrap();
    let upcoming = |e: &canvass_mobilize::models::Event| {
        e.timeslots
            .iter()
            .filter(|t| t.start_date.unwrap() > now)
            .count()
    };
    let single = events
        .iter()
        .find(|e| upcoming(e) == 1)
        .unwrap()
        .id
        .unwrap();
    let op = |event: u64| WriteOp::RecordAttendance {
        person_id: person_id.clone(),
        event_id: event.to_string(),
        shift_id: None,
        role_id: None,
        status: AttendanceStatus::Registered,
    };
    c.write(&op(single)).await.unwrap();
    assert_eq!(sim.writes().attendances_created, 1);
    if let Some(multi) = events.iter().find(|e| upcoming(e) > 1) {
        let err = c.write(&op(multi.id.unwrap())).await.unwrap_err();
        assert!(
            matches!(&err, Error::InvalidInput { field, .. } if field == "shift_id"),
            "{err}"
        );
    }
}
