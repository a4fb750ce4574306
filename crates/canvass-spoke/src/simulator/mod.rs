//! The Spoke test bed (feature `simulator`): Spoke's schema on a real
//! PostgreSQL server, seeded with messy data ([`SpokeDatabase`], [`seed`]),
//! and Spoke's GraphQL API on wiremock ([`GraphqlSim`]). [`SpokeSim`] puts
//! the two together and builds connectors against them.
//!
//! The database side needs a server: tests read its URL from
//! `CANVASS_TEST_POSTGRES_URL` ([`test_database_url`]), and each
//! [`SpokeDatabase`] lives in a schema of its own, dropped afterwards.

mod fixture;
mod graphql;
mod seed;

use canvass_core::Error;
use canvass_core::http::{RateLimit, RetryPolicy};
use canvass_testkit::sim::{SimControl, SimRateLimit};

pub use fixture::{SCHEMA_SQL, SpokeDatabase, TEST_URL_VAR, test_database_url};
pub use graphql::{API_TOKEN, AuthFailure, GraphqlSim, Written};
pub use seed::{SeedSpec, Seeded, SeededOption, base_time, seed, seed_bulk_messages};

use crate::connector::{ConnectorOptions, SpokeConnector};
use crate::graphql::SpokeGraphql;

/// A seeded Spoke database and a GraphQL simulator that knows its contacts.
#[derive(Debug)]
pub struct SpokeSim {
    /// The database.
    pub database: SpokeDatabase,
    /// The GraphQL API.
    pub graphql: GraphqlSim,
    /// What was seeded.
    pub seeded: Seeded,
}

impl SpokeSim {
    /// Creates a schema on the server at `url`, seeds it per `spec` and
    /// starts the GraphQL simulator.
    ///
    /// # Errors
    /// When the server cannot be reached or seeding fails.
    pub async fn start(url: &str, tag: &str, spec: SeedSpec) -> Result<SpokeSim, Error> {
        let database = SpokeDatabase::create(url, tag).await?;
        let seeded = seed(&database, spec).await?;
        let graphql = GraphqlSim::start().await;
        graphql.set_contacts(seeded.contacts.keys().copied());
        Ok(SpokeSim {
            database,
            graphql,
            seeded,
        })
    }

    /// The rate limit the GraphQL simulator enforces in the conformance
    /// suite's rate-limit check (Spoke publishes none; 10/s is the
    /// connector's default).
    pub fn vendor_rate_limit() -> SimRateLimit {
        SimRateLimit::per_second(10.0)
    }

    /// The GraphQL simulator's switches and counters.
    pub fn control(&self) -> &SimControl {
        self.graphql.control()
    }

    /// A connector on the seeded schema and the GraphQL simulator, using
    /// `token` (the simulator's when `None`), with fast retries.
    ///
    /// # Errors
    /// As [`SpokeDatabase::spoke_db`] and [`SpokeGraphql`]'s builder.
    pub fn connector(
        &self,
        token: Option<&str>,
        rate_limit: RateLimit,
        options: ConnectorOptions,
    ) -> Result<SpokeConnector, Error> {
        let graphql = SpokeGraphql::builder(self.graphql.base_url(), token.unwrap_or(API_TOKEN))
            .rate_limit(rate_limit)
            .retry(RetryPolicy::fast())
            .build()?;
        Ok(SpokeConnector::new(
            self.database.spoke_db()?,
            Some(graphql),
            options,
        ))
    }

    /// Drops the database schema.
    ///
    /// # Errors
    /// When the server refuses.
    pub async fn finish(self) -> Result<(), Error> {
        self.database.drop_schema().await
    }
}
