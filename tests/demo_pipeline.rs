//! End to end: the demo pipeline in-process (five simulators, a full sync
//! into SQLite, identity resolution), checked against the seeded ground truth.

use canvass_cli::demo::run_pipeline;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_pipeline_matches_the_seeded_ground_truth() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("demo.db");
    let summary = run_pipeline(&db, 150, true).await.expect("demo runs");

    assert!(summary.is_success(), "{:#?}", summary.report);
    // The sign-in sheet: its two unreadable rows left out, each named by
    // file and line; every other row stored.
    let sheet = canvass_cli::demo::SHEET_SOURCE;
    assert_eq!(
        summary.sheet_rows_left_out.len(),
        2,
        "{:?}",
        summary.sheet_rows_left_out
    );
    assert!(
        summary.sheet_rows_left_out[0]
            .starts_with("demo.signin.csv line 8: 5 fields where the header has 4"),
        "{:?}",
        summary.sheet_rows_left_out
    );
    assert!(
        summary.sheet_rows_left_out[1].starts_with("demo.signin.csv line 9: no name"),
        "{:?}",
        summary.sheet_rows_left_out
    );
    assert_eq!(summary.failed_records, 2, "only the sheet's two bad rows");
    let signins = summary
        .report
        .kind(sheet, &canvass_core::EntityKind::Attendances)
        .expect("the sheet's sign-ins were read");
    assert_eq!(signins.counts.read - signins.counts.failed, 8);
    // The HTML report the demo writes names the sheet and its left-out rows.
    let html = std::fs::read_to_string(&summary.html_report).expect("the demo wrote its report");
    assert!(html.contains(sheet), "the sheet is in the report");
    assert!(
        html.contains("demo.signin.csv line 8"),
        "its bad row is named in the report"
    );
    // Every person every simulator holds was stored, once.
    let seeded: usize = summary.seeded_people.values().sum();
    assert_eq!(
        summary.source_people as usize, seeded,
        "{:?}",
        summary.seeded_people
    );
    for (source, people) in &summary.seeded_people {
        let stored = summary.records_per_source.get(source).copied().unwrap_or(0) as usize;
        assert!(
            stored >= *people,
            "{source}: {stored} records stored, {people} people seeded"
        );
    }
    // The vendors' rate limits were enforced and never tripped.
    assert!(
        summary.throttled.values().all(|n| *n == 0),
        "{:?}",
        summary.throttled
    );
    // 150 humans are spread over five tools; resolution should find them,
    // within the few a messy record (no email, an invalid phone) keeps apart.
    assert!(
        summary.canonical_people as usize >= summary.humans,
        "{} < {}",
        summary.canonical_people,
        summary.humans
    );
    assert!(
        (summary.canonical_people as f64) <= summary.humans as f64 * 1.05,
        "{} canonical people for {} humans",
        summary.canonical_people,
        summary.humans
    );
    assert!(summary.canonical_people < summary.source_people);
    // Some humans are typed with a nickname or a typo in one tool: the
    // probabilistic stage joins them, and the summary says how many.
    let fuzzy = summary
        .report
        .identity
        .as_ref()
        .map_or(0, |i| i.probabilistic_links);
    assert!(fuzzy > 0, "no probabilistic link in the demo");
    assert!(
        canvass_cli::demo::render(&summary)
            .contains(&format!("{fuzzy} joined despite a nickname or typo")),
        "the summary names the probabilistic links"
    );
    assert!(db.exists());

    // The VAN sync pushed every rule's writes into the VAN simulator, with
    // no refusals, and a second push wrote nothing.
    assert!(summary.push.is_success(), "{:#?}", summary.push);
    assert!(summary.push.written() > 0);
    for what in [
        "signups",
        "activist codes applied",
        "canvass responses",
        "SMS opt-outs",
    ] {
        assert!(
            summary.van_stored.get(what).copied().unwrap_or(0) > 0,
            "nothing stored as {what}: {:?}",
            summary.van_stored
        );
    }
    assert_eq!(summary.second_push_writes, 0);
}
