//! The canvass conformance suite: reads against a seeded Spoke database on
//! the real PostgreSQL server, writes and credentials against the GraphQL
//! simulator.
//!
//! How the suite's HTTP-side checks apply to a database connector:
//!
//! - *wrong secret*: the connector's secret is the GraphQL API token.
//!   `check()` verifies the database and the token; every read verifies the
//!   token (one `currentUser` query) before streaming from the database, so
//!   a wrong token is an auth error in both. A refused database login is an
//!   auth error too (`tests/database.rs`).
//! - *faults* and *rate limit*: they act on the GraphQL simulator, which a
//!   read calls once (the token check, retried through faults like any
//!   query); the rows themselves come from PostgreSQL, not through it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use async_trait::async_trait;
use canvass_core::http::RateLimit;
use canvass_core::{Connector, EntityKind};
use canvass_spoke::ConnectorOptions;
use canvass_spoke::simulator::{SeedSpec, SpokeSim, test_database_url};
use canvass_testkit::sim::{SimControl, SimRateLimit};
use canvass_testkit::{ConformanceHarness, run_conformance};

struct Harness {
    sim: SpokeSim,
}

#[async_trait]
impl ConformanceHarness for Harness {
    fn connector(&self, secret: Option<&str>, rate_limit: RateLimit) -> Box<dyn Connector> {
        let options = ConnectorOptions {
            page_size: 20,
            ..ConnectorOptions::default()
        };
        Box::new(self.sim.connector(secret, rate_limit, options).unwrap())
    }

    fn sim(&self) -> &SimControl {
        self.sim.control()
    }

    fn expected_ids(&self, kind: &EntityKind) -> BTreeSet<String> {
        self.sim.seeded.expected_ids(kind)
    }

    fn vendor_rate_limit(&self) -> SimRateLimit {
        SpokeSim::vendor_rate_limit()
    }

    fn throughput_kind(&self) -> EntityKind {
        // The largest table; the rate limit binds only its token check.
        EntityKind::Messages
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spoke_passes_the_conformance_suite_against_postgres() {
    let Some(url) = test_database_url() else {
        return;
    };
    let sim = SpokeSim::start(
        &url,
        "conformance",
        SeedSpec {
            seed: 17,
            people: 160,
        },
    )
    .await
    .unwrap();
    for kind in [
        EntityKind::People,
        EntityKind::Messages,
        EntityKind::OptOuts,
        EntityKind::SurveyResponses,
        EntityKind::Taggings,
    ] {
        // Several pages of each, so resumption is exercised across pages.
        assert!(sim.seeded.expected_ids(&kind).len() > 20, "{kind}");
    }
    let harness = Harness { sim };
    let report = run_conformance(&harness).await;
    println!("{report}");
    harness.sim.finish().await.unwrap();
    report.assert_ok();
    assert_eq!(report.throttled, 0);
}
