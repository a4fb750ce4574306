//! A CSV file reaches VAN like any other source: a sign-in sheet read by the
//! `canvass-files` connector (one file carrying RSVPs, a tags column and an
//! opt-out column) ends in VAN as signups, activist codes and SMS opt-outs,
//! and a second push writes nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use canvass_core::EntityKind;
use canvass_files::{Config, CsvConnector, Field, RowEntity};
use canvass_sync::{Engine, Source, SqliteWarehouse, SyncOptions, Warehouse};
use canvass_van::simulator::VanSim;
use canvass_vansync::{EventMapping, Rule, TargetConfig, VanSync, VanSyncConfig};
use futures::StreamExt;

/// The sheet: four people, one event; a blank RSVP on a sign-in sheet means
/// the person came. Ana and Luis are tagged, Mei opted out.
const SHEET: &str = "\
Name,Email,Cell,RSVP,Tags,Opt out
Ana Núñez,ana@example.org,(414) 286-2201,attended,Volunteer,no
Luis Kim,luis@example.org,414-286-2202,no show,Volunteer; Donors,
Mei Okafor,mei@example.org,4142862203,,,yes
Kwame Smith,kwame@example.org,414.286.2204,confirmed,Spanish speaker,no
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_csv_sheets_rsvps_tags_and_opt_outs_reach_van_exactly_once() {
    let dir = std::env::temp_dir().join(format!("canvass-csv-van-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let sheet = dir.join("signin.csv");
    std::fs::write(&sheet, SHEET).expect("writes the sheet");

    let warehouse: Arc<dyn Warehouse> = Arc::new(
        SqliteWarehouse::open(dir.join("w.db"))
            .await
            .expect("opens"),
    );
    let mut config = Config::new(sheet.display().to_string(), RowEntity::Attendances)
        .column("Name", Field::FullName)
        .column("Email", Field::Email)
        .column("Cell", Field::MobilePhone)
        .column("RSVP", Field::RsvpStatus)
        .column("Tags", Field::Tags)
        .column("Opt out", Field::OptOut);
    config.system = "signins".into();
    config.event = Some("Canvass launch".into());
    let source = Source::new(
        "signins",
        Arc::new(CsvConnector::new(config).expect("config")),
    );
    let report = Engine::new(warehouse.clone())
        .sync(&[source], &SyncOptions::default())
        .await
        .expect("pulls the sheet");
    assert!(report.is_success(), "{report:?}");

    // The one event the sheet is about, by its `system:id`.
    let events: Vec<String> = warehouse
        .records(EntityKind::Events)
        .map(|r| r.expect("event").record.source().to_string())
        .collect()
        .await;
    assert_eq!(events, ["signins:canvass-launch"]);

    let van = VanSim::start().await;
    let seeded = van.seed_standard();
    let event = &seeded.events[0];
    let mut target = TargetConfig::new("state");
    target.events = BTreeMap::from([(
        events[0].clone(),
        EventMapping {
            event_id: event.event_id,
            ..EventMapping::default()
        },
    )]);
    target.activist_codes = BTreeMap::from([
        ("volunteer".into(), seeded.activist_codes["Volunteer"]),
        ("Donors".into(), seeded.activist_codes["Donor Prospect"]),
    ]);
    target.opt_out_result_code_ids =
        BTreeMap::from([("default".into(), seeded.result_codes["Do Not Text"])]);
    let sync = VanSync::with_clients(
        VanSyncConfig {
            bulk_threshold: 100_000,
            ..VanSyncConfig::new(vec![target])
        },
        [("state".to_string(), van.client())],
    )
    .expect("sync");

    let first = sync.push(warehouse.as_ref()).await.expect("push");
    assert!(first.is_success(), "{first}");
    let rules = &first.targets[0].rules;
    assert_eq!(rules[&Rule::RsvpsToSignups].written, 4, "{first}");
    assert_eq!(rules[&Rule::TagsToActivistCodes].written, 3, "{first}");
    assert_eq!(rules[&Rule::OptOuts].written, 1, "{first}");

    // VAN holds one person per row, each with the sheet's status.
    let people = van.van_ids();
    assert_eq!(people.len(), 4, "one VAN person per row");
    let statuses: BTreeSet<(u64, u64)> = van
        .signups()
        .into_iter()
        .map(|s| {
            assert_eq!(s.event.event_id, event.event_id);
            (s.person.van_id, s.status.status_id)
        })
        .collect();
    let status_ids: BTreeSet<u64> = statuses.iter().map(|(_, s)| *s).collect();
    // attended → Completed 2, no_show → No Show 6, confirmed → Confirmed 11.
    assert_eq!(status_ids, BTreeSet::from([2, 6, 11]));
    assert_eq!(statuses.len(), 4);
    let codes: usize = people
        .iter()
        .map(|v| van.active_activist_codes(*v).len())
        .sum();
    assert_eq!(codes, 3, "Volunteer twice, Donor Prospect once");
    let opt_outs = van.opt_outs();
    assert_eq!(opt_outs.len(), 1);
    assert_eq!(opt_outs[0].phone, "4142862203");
    assert_eq!(
        opt_outs[0].result_code_id,
        Some(seeded.result_codes["Do Not Text"])
    );

    // The unmapped tag is counted, not sent.
    let plan = sync.plan(warehouse.as_ref()).await.expect("plan");
    assert_eq!(plan.summary().total_to_write(), 0, "{}", plan.summary());

    // A second push writes nothing and sends VAN nothing.
    van.control().reset_stats();
    let again = sync.push(warehouse.as_ref()).await.expect("second push");
    assert!(again.is_success(), "{again}");
    assert_eq!(again.written(), 0, "{again}");
    assert_eq!(van.control().stats().requests, 0);

    drop(warehouse);
    tokio::task::yield_now().await;
    drop(van);
    let _ = std::fs::remove_dir_all(&dir);
}
