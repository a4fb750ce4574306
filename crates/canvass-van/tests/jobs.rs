//! Export, bulk import and changed-entity jobs end to end against the simulator.

use canvass_core::Error;
use canvass_testkit::generate::Population;
use canvass_van::client::BulkImportTable;
use canvass_van::models::{JobStatus, MappingType};
use canvass_van::simulator::{LoopbackUploader, VanSim, WrittenVia};
use chrono::{Duration, Utc};

#[tokio::test]
async fn bulk_import_applies_an_activist_code_to_everyone_in_one_job() {
    let sim = VanSim::start().await;
    let seeded = sim.seed_standard();
    let people = sim.seed_population(&Population::generate(1, 300), 300);
    let code = seeded.activist_codes["Volunteer"];
    let uploader = LoopbackUploader::start().await;
    let rows: Vec<(u64, u64)> = people
        .iter()
        .map(|p| (*p, code))
        .chain([(999_999, code)])
        .collect();
    sim.control().reset_stats();
    let outcome = sim
        .client()
        .bulk_import_jobs()
        .apply_activist_codes(&rows, &uploader)
        .run()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(outcome.job.status, JobStatus::Complete);
    let applied = sim.applied_activist_codes();
    assert_eq!(applied.len(), 300);
    assert!(
        applied
            .iter()
            .all(|a| a.via == WrittenVia::BulkImport && a.activist_code_id == code)
    );
    // The result file has one row per input row, the unknown van id flagged.
    assert_eq!(outcome.results.rows.len(), 301);
    let bad: Vec<_> = outcome
        .results
        .rows
        .iter()
        .filter(|r| outcome.results.get(r, "ResultOutcome") == Some("Error"))
        .collect();
    assert_eq!(bad.len(), 1);
    assert_eq!(
        outcome.results.get(bad[0], "ResultMessage"),
        Some("UnmatchedVanID 999999")
    );
    // One create and two polls; the file went through the uploader once.
    let stats = sim.control().stats();
    assert_eq!(stats.by_route.get("POST /v4/bulkImportJobs"), Some(&1));
    assert_eq!(stats.requests, 3, "{stats:?}");
    assert_eq!(uploader.uploads(), 1);
}

#[tokio::test]
async fn bulk_import_jobs_go_pending_then_in_process_then_complete_over_polls() {
    let sim = VanSim::start().await;
    let (q, answers) = sim.add_survey_question("Support", "?", &["Yes", "No"]);
    let id = sim.seed_population(&Population::generate(2, 1), 1)[0];
    let uploader = LoopbackUploader::start().await;
    let mut table = BulkImportTable::new(&["VanID", "SurveyQuestionID", "SurveyResponseID"]);
    table
        .push(vec![id.to_string(), q.to_string(), answers[0].to_string()])
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(table.push(vec!["1".into()]).is_err());
    let van = sim.client();
    let job = van
        .bulk_import_jobs()
        .import(
            table,
            "ContactsSurveyResponses",
            vec![MappingType::new("SurveyResponse")],
            &uploader,
        )
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let seen: Vec<JobStatus> = {
        let mut v = Vec::new();
        for _ in 0..3 {
            v.push(
                van.bulk_import_jobs()
                    .get(job)
                    .await
                    .map(|j| j.status)
                    .unwrap_or_else(|e| panic!("{e}")),
            );
        }
        v
    };
    assert_eq!(
        seen,
        vec![
            JobStatus::InProcess,
            JobStatus::Complete,
            JobStatus::Complete
        ]
    );
    assert_eq!(
        sim.survey_responses().len(),
        1,
        "applied once, however many polls"
    );
    assert_eq!(
        van.bulk_import_jobs()
            .resources()
            .await
            .unwrap_or_default()
            .len(),
        3
    );
}

#[tokio::test]
async fn bulk_import_with_an_unknown_mapping_type_names_it() {
    let sim = VanSim::start().await;
    let uploader = LoopbackUploader::start().await;
    let mut table = BulkImportTable::new(&["VanID"]);
    table.rows.push(vec!["1".into()]);
    let err = sim
        .client()
        .bulk_import_jobs()
        .import(
            table,
            "Contacts",
            vec![MappingType::new("Teleport")],
            &uploader,
        )
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Api { fields, .. } if fields == &["actions[0].mappingTypes[0].name".to_string()]),
        "{err:?}"
    );
}

#[tokio::test]
async fn changed_entity_export_returns_only_people_changed_in_the_window() {
    let sim = VanSim::start().await;
    let people = sim.seed_population(&Population::generate(3, 50), 50);
    let now = Utc::now();
    for p in &people[..7] {
        sim.set_modified(*p, now - Duration::hours(2));
    }
    let van = sim.client();
    let file = van
        .changed_entity_export_jobs()
        .create("Contacts", now - Duration::days(1))
        .to(now)
        .run()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut ids: Vec<u64> = file
        .rows
        .iter()
        .filter_map(|r| file.get(r, "VanID").and_then(|v| v.parse().ok()))
        .collect();
    ids.sort_unstable();
    assert_eq!(ids, people[..7].to_vec());
    // Requested fields narrow the columns; VanID always comes first.
    let narrow = van
        .changed_entity_export_jobs()
        .create("Contacts", now - Duration::days(1))
        .requested_fields(&["FirstName"])
        .run()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(narrow.headers, vec!["VanID", "FirstName"]);
}

#[tokio::test]
async fn changed_entity_export_splits_large_results_into_several_files() {
    let sim = VanSim::start().await;
    let people = sim.seed_population(&Population::generate(4, 7000), 7000);
    let now = Utc::now();
    for p in &people {
        sim.set_modified(*p, now - Duration::hours(1));
    }
    let van = sim.client();
    let job = van
        .changed_entity_export_jobs()
        .create("Contacts", now - Duration::days(2))
        .file_size_kb_limit(1000)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let job = van
        .changed_entity_export_jobs()
        .wait(job.export_job_id)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let file = van
        .changed_entity_export_jobs()
        .download(&job)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(file.rows.len(), 7000);
    assert_eq!(job.exported_record_count, Some(7000));
    assert!(job.files.len() >= 2, "{} files", job.files.len());
}

#[tokio::test]
async fn changed_entity_export_past_90_days_is_refused_before_sending() {
    let sim = VanSim::start().await;
    let err = sim
        .client()
        .changed_entity_export_jobs()
        .create("Contacts", Utc::now() - Duration::days(91))
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput { field, .. } if field == "dateChangedFrom"),
        "{err:?}"
    );
    let err = sim
        .client()
        .changed_entity_export_jobs()
        .create("Contacts", Utc::now())
        .file_size_kb_limit(10)
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput { field, .. } if field == "fileSizeKbLimit"),
        "{err:?}"
    );
    assert_eq!(sim.control().stats().requests, 0);
}

#[tokio::test]
async fn saved_list_export_downloads_every_member() {
    let sim = VanSim::start().await;
    let people = sim.seed_population(&Population::generate(6, 40), 40);
    let list = sim.add_saved_list("Half", &people[..20]);
    let van = sim.client();
    assert_eq!(
        van.export_jobs().types().all().await.unwrap_or_default()[0].export_job_type_id,
        4
    );
    let file = van
        .export_jobs()
        .export_saved_list(list, 4)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(file.rows.len(), 20);
    let err = van
        .export_jobs()
        .export_saved_list(424242, 4)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Api { fields, .. } if fields == &["savedListId".to_string()]),
        "{err:?}"
    );
}
