//! The connector calls only the routes in the crate's documented route
//! table (`src/routes.md`, from actionnetwork.org/docs/v2), and an optional
//! route a key lacks is reported as not offered.

#![cfg(feature = "simulator")]
#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers in tests may panic

use std::collections::BTreeSet;

use canvass_actionnetwork::routes::TABLE;
use canvass_actionnetwork::simulator::{ActionNetworkSim, SimConfig};
use canvass_actionnetwork::{ActionNetworkClient, ActionNetworkConnector};
use canvass_core::http::RateLimit;
use canvass_core::routes::{Availability, template_matches};
use canvass_core::{
    AttendanceStatus, Connector, ConnectorExt, EntityKind, Error, Page, Person, Record, SourceRef,
    WriteOp,
};

const TAGS: &str = "/api/v2/tags";
const TAGGINGS: &str = "/api/v2/tags/{tag_id}/taggings";
const PERSON_TAGGINGS: &str = "/api/v2/people/{person_id}/taggings";

async fn sim() -> ActionNetworkSim {
    ActionNetworkSim::start(SimConfig {
        people: 40,
        ..SimConfig::default()
    })
    .await
}

/// The connector as `canvass.toml` builds it (25 a page, no background
/// processing), without the rate limit so the test is quick.
fn default_connector(sim: &ActionNetworkSim) -> ActionNetworkConnector {
    let client: ActionNetworkClient = sim
        .client_builder()
        .rate_limit(RateLimit::unlimited())
        .build()
        .unwrap();
    ActionNetworkConnector::new(client)
}

fn ids(pages: &[Page], kind: &EntityKind) -> BTreeSet<String> {
    pages
        .iter()
        .flat_map(|p| &p.records)
        .filter(|r| &r.kind() == kind)
        .map(|r| r.source().id.clone())
        .collect()
}

/// How often routes matching `template` were asked.
fn asked(sim: &ActionNetworkSim, method: &str, template: &str) -> u64 {
    sim.control()
        .stats()
        .by_route
        .iter()
        .filter(|(k, _)| {
            k.split_once(' ')
                .is_some_and(|(m, p)| m == method && template_matches(template, p))
        })
        .map(|(_, n)| n)
        .sum()
}

#[test]
fn every_row_of_the_route_table_parses_with_a_source() {
    assert_eq!(TABLE.errors(), [], "rows that do not parse");
    let rows = TABLE.routes().len();
    assert!(rows >= 16, "{rows} rows");
    for r in TABLE.routes() {
        assert!(r.path.starts_with("/api/v2/"), "{r:?}");
        assert!(
            r.source.contains("https://actionnetwork.org/docs/v2/"),
            "no source link: {r:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_pull_and_every_write_call_only_documented_routes() {
    let sim = sim().await;
    let c = default_connector(&sim);
    c.check().await.unwrap();
    for kind in &c.info().reads {
        let (pages, err) = c.read_pages(kind.clone(), None).await;
        assert!(err.is_none(), "{kind}: {err:?}");
        assert_eq!(ids(&pages, kind), sim.ids(kind), "{kind}");
    }
    // Every write kind once, so their routes are held to the table too.
    let person = sim.collection_ids("people")[0].clone();
    let tag = sim.collection_ids("tags")[0].clone();
    let event = sim.collection_ids("events")[0].clone();
    let mut new_person = Person {
        source: SourceRef::new("mobilize", "1"),
        given_name: Some("Ana".into()),
        ..Person::default()
    };
    new_person
        .emails
        .push(canvass_core::Email::parse("ana.routes@example.org"));
    for op in [
        WriteOp::UpsertPerson {
            person: Box::new(new_person),
        },
        WriteOp::ApplyTag {
            person_id: person.clone(),
            tag_id: tag.clone(),
        },
        WriteOp::RemoveTag {
            person_id: person.clone(),
            tag_id: tag,
        },
        WriteOp::RecordAttendance {
            person_id: person,
            event_id: event,
            shift_id: None,
            role_id: None,
            status: AttendanceStatus::Registered,
        },
    ] {
        c.write(&op).await.unwrap();
    }

    let called = sim.control().stats().by_route;
    let undocumented = TABLE.unlisted(called.keys());
    assert!(
        undocumented.is_empty(),
        "routes called that the table does not document: {undocumented:?}"
    );
    // Every connector row of the table was exercised.
    let uncalled: Vec<_> = TABLE
        .uncalled(called.keys())
        .into_iter()
        .filter(|r| r.called_by.starts_with("connector"))
        .collect();
    assert!(
        uncalled.is_empty(),
        "never called: {uncalled:?}; {called:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tags_withheld_are_not_offered_and_every_other_kind_is_read() {
    let route = TABLE.find("GET", TAGS).unwrap();
    assert_eq!(route.availability, Availability::Optional);
    let sim = sim().await;
    sim.withhold("GET", TAGS);
    let c = default_connector(&sim);
    c.check().await.unwrap();
    for kind in &c.info().reads {
        let (pages, err) = c.read_pages(kind.clone(), None).await;
        if matches!(kind, EntityKind::Tags | EntityKind::Taggings) {
            let err = err.unwrap_or_else(|| panic!("{kind} read despite the 404"));
            assert!(err.is_not_offered(), "{kind}: {err}");
            let text = err.to_string();
            assert!(text.contains("not offered by this account"), "{text}");
            assert!(text.contains(&format!("read {kind}")), "{text}");
            assert!(text.contains("404"), "{text}");
            assert!(pages.is_empty());
        } else {
            assert!(err.is_none(), "{kind}: {err:?}");
            assert_eq!(ids(&pages, kind), sim.ids(kind), "{kind}");
        }
    }
    // Tags, then taggings (which walk the tags first): once each.
    assert_eq!(asked(&sim, "GET", TAGS), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_required_read_answering_404_still_fails() {
    for (template, kind) in [
        ("/api/v2/people", EntityKind::People),
        ("/api/v2/events", EntityKind::Events),
        ("/api/v2/donations", EntityKind::Donations),
    ] {
        assert_eq!(
            TABLE.find("GET", template).map(|r| r.availability),
            Some(Availability::Required)
        );
        let sim = sim().await;
        sim.withhold("GET", template);
        let c = default_connector(&sim);
        let (pages, err) = c.read_pages(kind.clone(), None).await;
        let err = err.unwrap_or_else(|| panic!("{kind} read despite the 404"));
        assert!(!err.is_not_offered(), "{kind}: {err}");
        assert!(matches!(err, Error::NotFound { .. }), "{kind}: {err}");
        assert!(pages.is_empty());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remove_tag_walks_the_tags_own_taggings_when_the_persons_answer_404() {
    let sim = sim().await;
    let c = default_connector(&sim);
    let tagged: Vec<(String, String)> = {
        let (pages, _) = c.read_pages(EntityKind::Taggings, None).await;
        pages
            .iter()
            .flat_map(|p| &p.records)
            .filter_map(|r| match r {
                Record::Tagging(t) => Some((t.person.id.clone(), t.tag.id.clone())),
                _ => None,
            })
            .collect()
    };
    let (person, tag) = tagged[0].clone();
    assert!(sim.tags_of(&person).contains(&tag));
    sim.withhold("GET", PERSON_TAGGINGS);
    c.write(&WriteOp::RemoveTag {
        person_id: person.clone(),
        tag_id: tag.clone(),
    })
    .await
    .unwrap();
    assert!(!sim.tags_of(&person).contains(&tag));
    assert!(asked(&sim, "GET", TAGGINGS) > 0);
    // An unknown person is still an error, not a silent no-op.
    let err = c
        .write(&WriteOp::RemoveTag {
            person_id: "nobody".into(),
            tag_id: tag,
        })
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err}");
}
