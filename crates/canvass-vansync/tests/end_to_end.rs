//! The seeded demo population through every rule into the VAN simulator:
//! VAN ends up holding exactly the expected signups, activist codes,
//! contact history, opt-outs and survey responses; a second run writes
//! nothing; a run killed halfway and run again ends with the same set.

mod common;

use canvass_sync::Warehouse;
use canvass_vansync::{InDoubtResolution, Rule, VanSync};
use common::{Backend, CrashAt, Crashing, VanState, World, backends, expected, van_ids};

/// Pushes, then checks VAN against the expected state; returns it.
async fn push_and_check(world: &World, sync: &VanSync) -> VanState {
    let report = sync.push(world.warehouse.as_ref()).await.expect("push");
    assert!(report.is_success(), "first push:\n{report}");
    let van_of = van_ids(sync, world.warehouse.as_ref()).await;
    let want = expected(world, sync.config(), &van_of).await;
    let got = VanState::read(&world.van, &world.seeded);
    got.assert_same(&want, "VAN holds exactly the expected writes");
    for (rule, n) in [
        (Rule::RsvpsToSignups, want.signups.len()),
        (Rule::TagsToActivistCodes, want.activist_codes.len()),
        (Rule::TextsToContactHistory, want.contact_history.len()),
        (Rule::OptOuts, want.opt_outs.len()),
        (Rule::SurveyResponses, want.survey_responses.len()),
    ] {
        assert!(n > 0, "the demo exercises {rule}");
        assert!(
            report.targets[0].rules[&rule].written as usize >= n,
            "{rule}: {:?} written for {n} expected",
            report.targets[0].rules[&rule]
        );
    }
    got
}

async fn every_rule_exactly_once(backend: &Backend, bulk_threshold: usize) {
    let world = World::start(backend, "e2e").await;
    let sync = world.sync(world.config(bulk_threshold).await);

    let plan = sync.plan(world.warehouse.as_ref()).await.expect("plan");
    let summary = plan.summary();
    println!("{summary}");
    assert!(plan.targets[0].unmatchable.is_empty(), "{summary}");
    assert_eq!(
        world.van.control().stats().requests,
        0,
        "planning talks to nobody"
    );

    let first = push_and_check(&world, &sync).await;
    let bulk_jobs = world
        .van
        .control()
        .stats()
        .by_route
        .get("POST /v4/bulkImportJobs")
        .copied();
    if bulk_threshold < 10 {
        assert_eq!(
            bulk_jobs,
            Some(2),
            "activist codes and survey responses each in one job"
        );
    } else {
        assert_eq!(
            bulk_jobs, None,
            "below the threshold nothing goes by bulk import"
        );
    }

    // A second run writes nothing, and sends VAN nothing at all.
    world.van.control().reset_stats();
    let again = sync
        .push(world.warehouse.as_ref())
        .await
        .expect("second push");
    assert!(again.is_success(), "{again}");
    assert_eq!(again.written(), 0, "second run writes nothing:\n{again}");
    assert_eq!(world.van.control().stats().requests, 0);
    assert_eq!(VanState::read(&world.van, &world.seeded), first);
    let plan = sync.plan(world.warehouse.as_ref()).await.expect("plan");
    assert_eq!(plan.summary().total_to_write(), 0);
    world.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_rule_reaches_van_exactly_once_one_call_at_a_time() {
    for backend in backends("every_rule_reaches_van_exactly_once_one_call_at_a_time") {
        every_rule_exactly_once(&backend, 100_000).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_rule_reaches_van_exactly_once_through_bulk_imports() {
    for backend in backends("every_rule_reaches_van_exactly_once_through_bulk_imports") {
        every_rule_exactly_once(&backend, 5).await;
    }
}

/// Kills a push at `at`, runs it again, and checks VAN holds exactly the
/// expected set with no duplicate.
async fn killed_then_rerun(backend: &Backend, at: CrashAt, bulk_threshold: usize) {
    let world = World::start(backend, "kill").await;
    let mut config = world.config(bulk_threshold).await;
    // One call in flight: the kill leaves exactly one write at the crash point.
    config.concurrency = 1;
    let sync = world.sync(config);
    let crashing = Crashing::new(world.warehouse.clone(), at);
    let killed = sync.push(&crashing).await;
    assert!(killed.is_err(), "the push dies at {at:?}");
    assert!(crashing.crashed());
    let partial = VanState::read(&world.van, &world.seeded);

    let rerun = sync.push(world.warehouse.as_ref()).await.expect("re-run");
    let van_of = van_ids(&sync, world.warehouse.as_ref()).await;
    let want = expected(&world, sync.config(), &van_of).await;
    let got = VanState::read(&world.van, &world.seeded);
    assert!(
        partial.total() < want.total(),
        "the kill came before the end"
    );
    got.assert_same(
        &want,
        &format!("re-run after a kill at {at:?} ends with exactly the expected set\n{rerun}"),
    );

    // What the crash left in doubt is named, at most one write (one in
    // flight), and it is in VAN already: resolving it settles the ledger.
    assert!(rerun.targets[0].failures.is_empty(), "{rerun}");
    let in_doubt = &rerun.targets[0].in_doubt;
    assert!(in_doubt.len() <= 1, "{rerun}");
    if matches!(at, CrashAt::BeforeSend(_)) {
        assert!(
            in_doubt.is_empty(),
            "nothing was sent: nothing in doubt\n{rerun}"
        );
    }
    for d in in_doubt {
        assert!(!d.rule.is_idempotent());
        sync.resolve_in_doubt(world.warehouse.as_ref(), &d.key, InDoubtResolution::Written)
            .await
            .expect("resolved");
    }
    let third = sync
        .push(world.warehouse.as_ref())
        .await
        .expect("third run");
    assert!(third.is_success(), "{third}");
    assert_eq!(third.written(), 0, "{third}");
    VanState::read(&world.van, &world.seeded).assert_same(&want, "after the third run");
    world.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_killed_after_van_answered_reruns_to_the_same_set() {
    for backend in backends("a_push_killed_after_van_answered_reruns_to_the_same_set") {
        // Early (signups), in the middle (contact history), late (opt-outs).
        for n in [20, 150, 290] {
            killed_then_rerun(&backend, CrashAt::AfterVanAnswered(n), 100_000).await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_killed_before_sending_reruns_to_the_same_set() {
    for backend in backends("a_push_killed_before_sending_reruns_to_the_same_set") {
        killed_then_rerun(&backend, CrashAt::BeforeSend(120), 100_000).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_killed_during_a_bulk_import_reruns_without_duplicate_activist_codes() {
    let backend = Backend::Sqlite;
    let world = World::start(&backend, "kill-bulk").await;
    let mut config = world.config(5).await;
    config.concurrency = 1;
    // Only activist codes, so the kill lands in the bulk job's settlement.
    config.targets[0].rules = Some([Rule::TagsToActivistCodes].into());
    let sync = world.sync(config);
    // People are found or created first (each one ledger-written); the
    // kill lands on the third row settled from the job's result file.
    let plan = sync.plan(world.warehouse.as_ref()).await.expect("plan");
    let to_find = plan.targets[0]
        .people
        .values()
        .filter(|p| p.van_id.is_none())
        .count() as i64;
    let crashing = Crashing::new(
        world.warehouse.clone(),
        CrashAt::AfterVanAnswered(to_find + 3),
    );
    assert!(sync.push(&crashing).await.is_err());
    let rerun = sync.push(world.warehouse.as_ref()).await.expect("re-run");
    assert!(
        rerun.is_success(),
        "activist codes are re-sent, never in doubt:\n{rerun}"
    );
    let van_of = van_ids(&sync, world.warehouse.as_ref()).await;
    let want = expected(&world, sync.config(), &van_of).await;
    let got = VanState::read(&world.van, &world.seeded);
    assert_eq!(got.activist_codes, want.activist_codes);
    assert_eq!(
        world
            .van
            .control()
            .stats()
            .by_route
            .get("POST /v4/bulkImportJobs"),
        Some(&2),
        "the re-run sent the rows again in one job"
    );
    world.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn warehouse_type_is_object_safe_for_the_cli() {
    // The CLI holds `Arc<dyn Warehouse>`; the API takes `&dyn Warehouse`.
    let world = World::start(&Backend::Sqlite, "dyn").await;
    let sync = world.sync(world.config(100_000).await);
    let w: &dyn Warehouse = world.warehouse.as_ref();
    let plan = sync.plan(w).await.expect("plan");
    let json = serde_json::to_value(plan.summary()).expect("summary serializes");
    assert!(json["targets"][0]["rules"]["rsvps_to_signups"]["to_write"].as_u64() > Some(0));
    world.shutdown().await;
}
