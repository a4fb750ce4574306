//! Incremental reads and resumption: what a checkpoint lets the next read skip.

#![cfg(feature = "simulator")]
#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers in tests may panic

use std::collections::BTreeSet;

use canvass_actionnetwork::ActionNetworkConnector;
use canvass_actionnetwork::simulator::{ActionNetworkSim, SimConfig};
use canvass_core::http::RateLimit;
use canvass_core::{Checkpoint, Connector, EntityKind, Error, Page};
use futures::TryStreamExt;

async fn setup(people: usize, per_page: u32) -> (ActionNetworkSim, ActionNetworkConnector) {
    let sim = ActionNetworkSim::start(SimConfig {
        people,
        ..SimConfig::default()
    })
    .await;
    let client = sim
        .client_builder()
        .rate_limit(RateLimit::unlimited())
        .per_page(per_page)
        .build()
        .unwrap();
    (sim, ActionNetworkConnector::new(client))
}

async fn read(
    c: &ActionNetworkConnector,
    kind: EntityKind,
    since: Option<Checkpoint>,
) -> Vec<Page> {
    c.read(kind, since).try_collect().await.unwrap()
}

fn ids(pages: &[Page]) -> Vec<String> {
    pages
        .iter()
        .flat_map(|p| &p.records)
        .map(|r| r.source().id.clone())
        .collect()
}

/// The latest `modified_at` (truncated to the second, as Action Network's
/// filter compares) of the people read, and who was modified in it.
fn mark(pages: &[Page]) -> (i64, BTreeSet<String>) {
    let times: Vec<(i64, String)> = pages
        .iter()
        .flat_map(|p| &p.records)
        .filter_map(|r| match r {
            canvass_core::Record::Person(p) => {
                Some((p.modified_at?.timestamp(), p.source.id.clone()))
            }
            _ => None,
        })
        .collect();
    let top = times.iter().map(|(t, _)| *t).max().unwrap_or(i64::MIN);
    (
        top,
        times
            .into_iter()
            .filter(|(t, _)| *t == top)
            .map(|(_, id)| id)
            .collect(),
    )
}

fn last_checkpoint(pages: &[Page]) -> Option<Checkpoint> {
    pages.last().and_then(|p| p.checkpoint.clone())
}

#[tokio::test]
async fn people_walk_ends_on_the_empty_page_that_carries_the_final_checkpoint() {
    let (sim, c) = setup(50, 25).await;
    sim.control().reset_stats();
    let pages = read(&c, EntityKind::People, None).await;
    // Two full pages, then the empty page Action Network needs to end people.
    assert_eq!(sim.control().stats().requests, 3);
    assert_eq!(pages.len(), 3);
    assert!(pages[2].records.is_empty());
    let cp = last_checkpoint(&pages).expect("final checkpoint");
    assert!(
        !cp.0.contains("\"at\""),
        "a finished read keeps no position: {}",
        cp.0
    );
}

#[tokio::test]
async fn incremental_read_after_changes_fetches_only_the_changed_people() {
    let (sim, c) = setup(60, 25).await;
    let full = read(&c, EntityKind::People, None).await;
    assert_eq!(ids(&full).len(), 60);
    let (_, at_mark) = mark(&full);
    let changed: BTreeSet<String> = sim.touch_people(3).into_iter().collect();
    sim.control().reset_stats();
    let inc = read(&c, EntityKind::People, last_checkpoint(&full)).await;
    let got: BTreeSet<String> = ids(&inc).into_iter().collect();
    // The changed people, plus only those changed in the very second of the
    // old mark (the filter is inclusive so that second is never lost).
    assert!(got.is_superset(&changed), "{got:?} {changed:?}");
    assert!(
        got.difference(&changed).all(|id| at_mark.contains(id)),
        "{got:?}"
    );
    // One page of changes and the empty page that ends people.
    assert_eq!(sim.control().stats().requests, 2);
    let filter_sent = sim
        .control()
        .stats()
        .by_route
        .keys()
        .all(|k| k == "GET /api/v2/people");
    assert!(filter_sent);

    // And once read, only the new mark's second is read again.
    let (_, new_mark) = mark(&inc);
    let again = read(&c, EntityKind::People, last_checkpoint(&inc)).await;
    let again: BTreeSet<String> = ids(&again).into_iter().collect();
    assert_eq!(again, new_mark);
}

#[tokio::test]
async fn a_finished_read_with_nothing_changed_rereads_only_the_last_second() {
    let (sim, c) = setup(30, 25).await;
    let full = read(&c, EntityKind::People, None).await;
    let (_, at_mark) = mark(&full);
    sim.control().reset_stats();
    let inc = read(&c, EntityKind::People, last_checkpoint(&full)).await;
    let got: BTreeSet<String> = ids(&inc).into_iter().collect();
    assert_eq!(got, at_mark);
    // The mark's second, then the empty page that ends people.
    assert_eq!(sim.control().stats().requests, 2);
    assert_eq!(last_checkpoint(&inc), last_checkpoint(&full));
}

#[tokio::test]
async fn resumes_after_checkpoint_without_loss_or_repeats() {
    let (sim, c) = setup(47, 10).await;
    let mut stream = c.read(EntityKind::People, None);
    let mut before = Vec::new();
    let mut cp = None;
    for _ in 0..2 {
        let page = stream.try_next().await.unwrap().expect("page");
        before.extend(page.records.iter().map(|r| r.source().id.clone()));
        cp = page.checkpoint;
    }
    drop(stream); // a crash after storing page 2
    let after = ids(&read(&c, EntityKind::People, cp).await);
    let all: Vec<String> = before.iter().chain(after.iter()).cloned().collect();
    let unique: BTreeSet<String> = all.iter().cloned().collect();
    assert_eq!(all.len(), 47, "nothing repeated");
    assert_eq!(unique, sim.ids(&EntityKind::People), "nothing lost");
}

#[tokio::test]
async fn resuming_a_nested_walk_continues_inside_the_same_parent() {
    let (sim, c) = setup(60, 2).await;
    let full = read(&c, EntityKind::Attendances, None).await;
    // Resume from the middle of the second event's attendances.
    let mid = full
        .iter()
        .position(|p| {
            p.checkpoint
                .as_ref()
                .is_some_and(|c| c.0.contains("/attendances") && c.0.contains("\"page\":3"))
        })
        .expect("a mid-event checkpoint");
    let before = ids(&full[..=mid]);
    let after = ids(&read(&c, EntityKind::Attendances, full[mid].checkpoint.clone()).await);
    let union: BTreeSet<String> = before.iter().chain(after.iter()).cloned().collect();
    assert_eq!(before.len() + after.len(), union.len());
    assert_eq!(union, sim.ids(&EntityKind::Attendances));
}

#[tokio::test]
async fn tags_are_a_full_read_and_info_says_so() {
    let (sim, c) = setup(10, 2).await;
    let info = c.info();
    assert!(info.can_read(&EntityKind::Tags) && info.can_read(&EntityKind::Taggings));
    assert!(!info.incremental.contains(&EntityKind::Tags));
    assert!(!info.incremental.contains(&EntityKind::Taggings));
    for kind in [
        EntityKind::People,
        EntityKind::Events,
        EntityKind::Donations,
        EntityKind::Attendances,
        EntityKind::Actions,
    ] {
        assert!(info.incremental.contains(&kind), "{kind}");
    }
    let pages = read(&c, EntityKind::Tags, None).await;
    // The last page of a full read has no checkpoint: the next run starts over.
    assert_eq!(last_checkpoint(&pages), None);
    assert_eq!(ids(&pages).len(), 3);
    assert!(
        sim.control()
            .stats()
            .by_route
            .contains_key("GET /api/v2/tags")
    );
}

#[tokio::test]
async fn a_checkpoint_from_elsewhere_is_invalid_input() {
    let (_sim, c) = setup(5, 25).await;
    let err = c
        .read(EntityKind::People, Some(Checkpoint("not json".into())))
        .try_collect::<Vec<Page>>()
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::InvalidInput { ref field, .. } if field == "checkpoint"),
        "{err:?}"
    );
}
