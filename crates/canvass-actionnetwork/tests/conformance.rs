//! The canvass conformance suite against the Action Network simulator.

#![cfg(feature = "simulator")]
#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers in tests may panic

use std::collections::BTreeSet;

use async_trait::async_trait;
use canvass_actionnetwork::ActionNetworkConnector;
use canvass_actionnetwork::simulator::{ActionNetworkSim, SimConfig};
use canvass_core::http::{RateLimit, RetryPolicy};
use canvass_core::{Connector, EntityKind};
use canvass_testkit::sim::{SimControl, SimRateLimit};
use canvass_testkit::{ConformanceHarness, run_conformance};

struct Harness {
    sim: ActionNetworkSim,
}

#[async_trait]
impl ConformanceHarness for Harness {
    fn connector(&self, secret: Option<&str>, rate_limit: RateLimit) -> Box<dyn Connector> {
        let client = canvass_actionnetwork::ActionNetworkClient::builder(
            secret.unwrap_or(self.sim.api_key()),
        )
        .base_url(self.sim.base_url())
        .retry(RetryPolicy::fast())
        .rate_limit(rate_limit)
        // Tiny pages, so every kind takes enough requests for each
        // injected fault (every 7th, 11th, 13th request) to hit it.
        .per_page(2)
        .build()
        .expect("client");
        Box::new(ActionNetworkConnector::new(client))
    }

    fn sim(&self) -> &SimControl {
        self.sim.control()
    }

    fn expected_ids(&self, kind: &EntityKind) -> BTreeSet<String> {
        self.sim.ids(kind)
    }

    fn vendor_rate_limit(&self) -> SimRateLimit {
        ActionNetworkSim::vendor_rate_limit()
    }

    fn throughput_kind(&self) -> EntityKind {
        EntityKind::People
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance_suite_passes_with_faults_on() {
    let sim = ActionNetworkSim::start(SimConfig {
        people: 60,
        tags: 16,
        events: 14,
        ..SimConfig::default()
    })
    .await;
    let harness = Harness { sim };
    let report = run_conformance(&harness).await;
    println!("{report}");
    report.assert_ok();
    assert_eq!(report.throttled, 0);
    // Every kind the connector reads was read with faults actually hitting
    // it ("…; 15 of 22 requests faulted").
    let faulted: Vec<(String, u64)> = report
        .checks
        .iter()
        .filter(|c| c.name.ends_with("with faults on"))
        .map(|c| {
            let n = c
                .detail
                .rsplit("; ")
                .next()
                .and_then(|t| t.split(' ').next())
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            (c.name.clone(), n)
        })
        .collect();
    assert_eq!(faulted.len(), 7, "{faulted:?}");
    assert!(
        faulted.iter().all(|(_, n)| *n > 0),
        "faults per kind: {faulted:?}"
    );
}
