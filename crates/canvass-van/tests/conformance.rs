//! The canvass conformance suite against the VAN simulator, faults included.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use async_trait::async_trait;
use canvass_core::http::{RateLimit, RetryPolicy};
use canvass_core::{Connector, EntityKind};
use canvass_testkit::generate::Population;
use canvass_testkit::sim::{SimControl, SimRateLimit};
use canvass_testkit::{ConformanceHarness, run_conformance};
use canvass_van::models::Signup;
use canvass_van::simulator::{Seeded, VanSim};
use canvass_van::{VanClient, VanConnector};

struct Harness {
    sim: VanSim,
    seeded: Seeded,
    list: u64,
    expected: BTreeMap<EntityKind, BTreeSet<String>>,
}

impl Harness {
    async fn start() -> Harness {
        let sim = VanSim::start().await;
        let seeded = sim.seed_standard();
        let people = sim.seed_population(&Population::generate(5, 450), 450);
        let list = sim.add_saved_list("Everyone", &people);
        for i in 0..60 {
            sim.add_event(
                &format!("Canvass {i}"),
                seeded.event_type_id,
                chrono::Utc::now() + chrono::Duration::days(i),
                &[("Shift", 0, 2)],
            );
        }
        let van = sim.client();
        let e = &seeded.events[0];
        let mut signups = BTreeSet::new();
        for (n, van_id) in people.iter().take(40).enumerate() {
            let shift = e.shift_ids[n % 2];
            signups.insert(
                van.signups()
                    .create(&Signup::new(*van_id, e.event_id, shift, e.role_ids[1], 1))
                    .await
                    .unwrap_or_default()
                    .to_string(),
            );
        }
        let events = van
            .events()
            .list()
            .expand(&canvass_van::client::EventExpand::SYNC)
            .all()
            .await
            .unwrap_or_default();
        let ids = |v: &[u64]| v.iter().map(u64::to_string).collect::<BTreeSet<_>>();
        let mut expected = BTreeMap::new();
        expected.insert(EntityKind::People, ids(&people));
        expected.insert(
            EntityKind::Events,
            events
                .iter()
                .filter_map(|e| e.event_id)
                .map(|i| i.to_string())
                .collect(),
        );
        expected.insert(
            EntityKind::Shifts,
            events
                .iter()
                .flat_map(|e| e.shifts.iter().flatten().filter_map(|s| s.event_shift_id))
                .map(|i| i.to_string())
                .collect(),
        );
        expected.insert(EntityKind::Attendances, signups);
        expected.insert(
            EntityKind::Tags,
            ids(&seeded.activist_codes.values().copied().collect::<Vec<_>>()),
        );
        expected.insert(
            EntityKind::SurveyQuestions,
            ids(&[seeded.survey_question.0]),
        );
        Harness {
            sim,
            seeded,
            list,
            expected,
        }
    }
}

#[async_trait]
impl ConformanceHarness for Harness {
    fn connector(&self, secret: Option<&str>, rate_limit: RateLimit) -> Box<dyn Connector> {
        let client = VanClient::builder(
            self.sim.app_name(),
            secret.unwrap_or(self.sim.api_key()),
            self.sim.db_mode(),
        )
        .base_url(self.sim.base_url())
        .rate_limit(rate_limit)
        .retry(RetryPolicy::fast())
        .job_polling(Duration::from_millis(5), Duration::from_secs(30))
        .build();
        match client {
            Ok(c) => Box::new(VanConnector::new(
                c,
                self.seeded.connector_options(Some(self.list)),
            )),
            Err(e) => panic!("client: {e}"),
        }
    }

    fn sim(&self) -> &SimControl {
        self.sim.control()
    }

    fn expected_ids(&self, kind: &EntityKind) -> BTreeSet<String> {
        self.expected.get(kind).cloned().unwrap_or_default()
    }

    /// VAN's limit is tiered and unpublished: the client's default, counted
    /// the strict way (any trailing second), with `Retry-After: 1`. (The
    /// field was `false` only because it was added after this harness; the
    /// suite turns the window on for its rate check either way.)
    fn vendor_rate_limit(&self) -> SimRateLimit {
        SimRateLimit {
            burst: 5.0,
            retry_after: Some(1),
            ..SimRateLimit::per_second(VanClient::DEFAULT_RATE_LIMIT)
        }
        .with_sliding_window()
    }

    fn throughput_kind(&self) -> EntityKind {
        // One request per event: the read with the most requests.
        EntityKind::Attendances
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance_with_faults_on() {
    let harness = Harness::start().await;
    assert!(harness.vendor_rate_limit().sliding_window);
    let report = run_conformance(&harness).await;
    println!("{report}");
    report.assert_ok();
}
