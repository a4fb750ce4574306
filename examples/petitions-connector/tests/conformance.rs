//! The conformance suite against the petitions simulator.

use std::collections::BTreeSet;

use canvass_core::http::{RateLimit, RetryPolicy};
use canvass_core::{Connector, EntityKind};
use canvass_example_petitions::simulator::{PetitionsSim, SIM_KEY};
use canvass_example_petitions::{PetitionsClient, PetitionsConnector};
use canvass_testkit::{ConformanceHarness, SimControl, SimRateLimit, run_conformance};

struct Harness {
    sim: PetitionsSim,
}

impl ConformanceHarness for Harness {
    fn connector(&self, secret: Option<&str>, rate_limit: RateLimit) -> Box<dyn Connector> {
        let client = PetitionsClient::with_options(
            self.sim.base_url(),
            secret.unwrap_or(SIM_KEY),
            rate_limit,
            RetryPolicy::fast(),
        )
        .expect("client");
        Box::new(PetitionsConnector::new(client, 25))
    }

    fn sim(&self) -> &SimControl {
        self.sim.control()
    }

    fn expected_ids(&self, kind: &EntityKind) -> BTreeSet<String> {
        match kind {
            EntityKind::People => self.sim.signer_ids(),
            EntityKind::Actions => self.sim.signature_ids(),
            _ => BTreeSet::new(),
        }
    }

    fn vendor_rate_limit(&self) -> SimRateLimit {
        PetitionsSim::published_rate_limit()
    }

    fn throughput_kind(&self) -> EntityKind {
        EntityKind::People
    }
}

#[tokio::test]
async fn petitions_connector_passes_conformance_with_faults_on() {
    let harness = Harness {
        sim: PetitionsSim::start(130, 11).await,
    };
    let report = run_conformance(&harness).await;
    eprintln!("{report}");
    report.assert_ok();
    assert_eq!(report.throttled, 0);
}
