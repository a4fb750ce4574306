//! The connector calls only the routes in the crate's documented route
//! table (`src/routes.md`, from the mobilizeamerica/api README), and an
//! optional route an account lacks is reported as not offered.
#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns may panic

use std::collections::BTreeSet;

use canvass_core::http::RateLimit;
use canvass_core::routes::{Availability, template_matches};
use canvass_core::{
    AttendanceStatus, Connector, ConnectorExt, EntityKind, Error, Page, Record, WriteOp,
};
use canvass_mobilize::MobilizeConnector;
use canvass_mobilize::routes::TABLE;
use canvass_mobilize::simulator::{MobilizeSim, SimOptions};

const PEOPLE: &str = "/v1/organizations/{organization_id}/people";
const ATTENDANCES: &str = "/v1/organizations/{organization_id}/attendances";
const EVENTS: &str = "/v1/organizations/{organization_id}/events";

async fn sim() -> MobilizeSim {
    MobilizeSim::start(SimOptions {
        rate_limit: None,
        ..SimOptions::small()
    })
    .await
}

/// The connector as `canvass.toml` builds it: default page size, private
/// events included.
fn default_connector(sim: &MobilizeSim) -> MobilizeConnector {
    sim.connector(None, RateLimit::unlimited(), None)
}

fn ids(pages: &[Page], kind: &EntityKind) -> BTreeSet<String> {
    pages
        .iter()
        .flat_map(|p| &p.records)
        .filter(|r| &r.kind() == kind && !matches!(r, Record::Deletion(_)))
        .map(|r| r.source().id.clone())
        .collect()
}

fn expected(sim: &MobilizeSim, kind: &EntityKind) -> BTreeSet<String> {
    sim.ids(kind)
        .unwrap_or_else(|| panic!("unexpected read {kind}"))
}

#[test]
fn every_row_of_the_route_table_parses_with_a_source() {
    assert_eq!(TABLE.errors(), [], "rows that do not parse");
    let rows = TABLE.routes().len();
    assert!(rows >= 10, "{rows} rows");
    for r in TABLE.routes() {
        assert!(r.path.starts_with("/v1/"), "{r:?}");
        assert!(r.source.contains("https://"), "no source link: {r:?}");
        assert!(!r.called_by.is_empty(), "{r:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_pull_with_default_options_calls_only_documented_routes() {
    let sim = sim().await;
    let c = default_connector(&sim);
    c.check().await.unwrap();
    let reads = c.info().reads;
    for kind in &reads {
        let (pages, err) = c.read_pages(kind.clone(), None).await;
        assert!(err.is_none(), "{kind}: {err:?}");
        assert_eq!(ids(&pages, kind), expected(&sim, kind), "{kind}");
    }
    // The write path too: a signup for a named timeslot looks the person
    // up and posts the signup; one without reads the event's timeslots.
    let (event, timeslot) = sim.upcoming_timeslot().unwrap();
    let person = sim.people_ids().into_iter().next().unwrap();
    let signup = |shift_id: Option<String>| WriteOp::RecordAttendance {
        person_id: person.clone(),
        event_id: event.to_string(),
        shift_id,
        role_id: None,
        status: AttendanceStatus::Registered,
    };
    c.write(&signup(Some(timeslot.to_string()))).await.unwrap();
    // Several upcoming timeslots make this an invalid-input error after the
    // event is read; either way the route was called.
    let _ = c.write(&signup(None)).await;

    let called = sim.control().stats().by_route;
    let undocumented = TABLE.unlisted(called.keys());
    assert!(
        undocumented.is_empty(),
        "routes called that the table does not document: {undocumented:?}"
    );
    // And the table's connector routes are the ones a pull calls.
    for template in [EVENTS, PEOPLE, ATTENDANCES] {
        assert!(
            called
                .keys()
                .any(|k| k.starts_with("GET ") && template_matches(template, &k["GET ".len()..])),
            "{template} never called: {called:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_withheld_optional_read_is_not_offered_and_every_other_kind_is_read() {
    for (template, missing) in [
        (PEOPLE, EntityKind::People),
        (ATTENDANCES, EntityKind::Attendances),
    ] {
        let route = TABLE.find("GET", &template.replace("{organization_id}", "42"));
        assert_eq!(
            route.map(|r| r.availability),
            Some(Availability::Optional),
            "{template}"
        );
        let sim = sim().await;
        sim.withhold("GET", template);
        let c = default_connector(&sim);
        c.check().await.unwrap();
        for kind in &c.info().reads {
            let (pages, err) = c.read_pages(kind.clone(), None).await;
            if *kind == missing {
                let err = err.unwrap_or_else(|| panic!("{kind} read despite the 404"));
                assert!(err.is_not_offered(), "{kind}: {err}");
                let text = err.to_string();
                assert!(text.contains("not offered by this account"), "{text}");
                assert!(text.contains(&format!("read {kind}")), "{text}");
                assert!(text.contains("404"), "{text}");
                assert!(ids(&pages, kind).is_empty());
            } else {
                assert!(err.is_none(), "{kind}: {err:?}");
                assert_eq!(ids(&pages, kind), expected(&sim, kind), "{kind}");
            }
        }
        let asked: u64 = sim
            .control()
            .stats()
            .by_route
            .iter()
            .filter(|(k, _)| {
                k.starts_with("GET ") && template_matches(template, &k["GET ".len()..])
            })
            .map(|(_, n)| n)
            .sum();
        assert_eq!(asked, 1, "{template} is asked once");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_required_read_answering_404_still_fails() {
    let route = TABLE.find("GET", "/v1/organizations/42/events").unwrap();
    assert_eq!(route.availability, Availability::Required);
    let sim = sim().await;
    sim.withhold("GET", EVENTS);
    let c = default_connector(&sim);
    for kind in [EntityKind::Events, EntityKind::Shifts, EntityKind::Tags] {
        let (pages, err) = c.read_pages(kind.clone(), None).await;
        let err = err.unwrap_or_else(|| panic!("{kind} read despite the 404"));
        assert!(!err.is_not_offered(), "{kind}: {err}");
        assert!(matches!(err, Error::NotFound { .. }), "{kind}: {err}");
        assert!(pages.is_empty());
    }
    // The check reads the same required route, so it fails too.
    assert!(c.check().await.is_err());
}
