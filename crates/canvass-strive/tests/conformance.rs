//! The canvass conformance suite against the Strive simulator, with faults.

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns

use std::collections::BTreeSet;

use async_trait::async_trait;
use canvass_core::http::RateLimit;
use canvass_core::{Connector, EntityKind};
use canvass_strive::simulator::StriveSim;
use canvass_testkit::sim::{SimControl, SimRateLimit};
use canvass_testkit::{ConformanceHarness, run_conformance};

struct Harness {
    sim: StriveSim,
}

#[async_trait]
impl ConformanceHarness for Harness {
    fn connector(&self, secret: Option<&str>, rate_limit: RateLimit) -> Box<dyn Connector> {
        Box::new(self.sim.connector(secret, rate_limit, 100))
    }

    fn sim(&self) -> &SimControl {
        self.sim.control()
    }

    fn expected_ids(&self, kind: &EntityKind) -> BTreeSet<String> {
        match kind {
            EntityKind::People => self.sim.member_ids().iter().map(i64::to_string).collect(),
            EntityKind::Tags => self.sim.group_ids().iter().map(i64::to_string).collect(),
            EntityKind::Taggings => self.sim.tagging_ids(),
            EntityKind::OptOuts => self.sim.opt_out_ids(),
            EntityKind::Messages | EntityKind::ContactAttempts => self.sim.message_ids(),
            _ => BTreeSet::new(),
        }
    }

    fn vendor_rate_limit(&self) -> SimRateLimit {
        StriveSim::vendor_rate_limit()
    }

    fn throughput_kind(&self) -> EntityKind {
        EntityKind::Messages
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strive_passes_the_conformance_suite_with_faults_on() {
    let harness = Harness {
        sim: StriveSim::seeded(13, 300, 1_500).await,
    };
    assert!(!harness.sim.opt_out_ids().is_empty());
    assert!(!harness.sim.tagging_ids().is_empty());
    let report = run_conformance(&harness).await;
    println!("{report}");
    report.assert_ok();
    assert_eq!(report.throttled, 0);
}
