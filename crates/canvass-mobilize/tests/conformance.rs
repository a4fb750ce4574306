//! The canvass conformance suite against the Mobilize simulator, faults on.
#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns may panic

use std::collections::BTreeSet;

use canvass_core::http::RateLimit;
use canvass_core::{Connector, EntityKind};
use canvass_mobilize::simulator::{MobilizeSim, SimOptions};
use canvass_testkit::sim::{SimControl, SimRateLimit};
use canvass_testkit::{ConformanceHarness, run_conformance};

struct Harness {
    sim: MobilizeSim,
    per_page: Option<u32>,
}

#[async_trait::async_trait]
impl ConformanceHarness for Harness {
    fn connector(&self, secret: Option<&str>, rate_limit: RateLimit) -> Box<dyn Connector> {
        Box::new(self.sim.connector(secret, rate_limit, self.per_page))
    }

    fn sim(&self) -> &SimControl {
        self.sim.control()
    }

    fn expected_ids(&self, kind: &EntityKind) -> BTreeSet<String> {
        self.sim.ids(kind).unwrap_or_default()
    }

    fn vendor_rate_limit(&self) -> SimRateLimit {
        MobilizeSim::vendor_rate_limit()
    }

    fn throughput_kind(&self) -> EntityKind {
        EntityKind::Attendances
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance_suite_passes_with_faults_on() {
    let sim = MobilizeSim::start(SimOptions {
        people: 60,
        events: 14,
        attendances: 200,
        ..SimOptions::small()
    })
    .await;
    let harness = Harness {
        sim,
        per_page: Some(6),
    };
    let report = run_conformance(&harness).await;
    println!("{report}");
    report.assert_ok();
    assert_eq!(report.throttled, 0);
    assert!(report.throughput_share > 0.8, "{}", report.throughput_share);
}
