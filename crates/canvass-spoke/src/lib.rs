//! # canvass-spoke
//!
//! The canvass connector for [Spoke](https://github.com/MoveOnOrg/Spoke),
//! the open-source peer-to-peer texting tool many groups self-host. Spoke
//! has no REST API, so this connector speaks to it the way data teams do:
//!
//! - [`SpokeDb`]: reads from Spoke's PostgreSQL database over a read-only
//!   session, streaming large tables through a server-side portal, each in
//!   the order of a key that only grows, so reads resume where they stopped;
//! - [`SpokeGraphql`]: writes through Spoke's GraphQL API (`/graphql`, JWT
//!   Bearer auth): `createOptOut`, `updateQuestionResponses`,
//!   `updateContactTags`, with GraphQL `errors[]` mapped onto
//!   [`canvass_core::Error`];
//! - [`SpokeConnector`]: the [`Connector`](canvass_core::Connector), phone
//!   first: campaign contacts → people, messages, contact attempts, opt-outs
//!   with reasons, interaction steps and question responses → survey
//!   questions and responses, tags and taggings;
//! - [`simulator`] (feature `simulator`): the schema fixture and a seeded,
//!   messy Spoke database on a real PostgreSQL server, and a GraphQL
//!   simulator on wiremock.
//!
//! ```no_run
//! # async fn run() -> Result<(), canvass_core::Error> {
//! use canvass_core::{ConnectorExt, EntityKind};
//! use canvass_spoke::{ConnectorOptions, SpokeConnector, SpokeDb};
//! let db = SpokeDb::new("postgres://canvass_ro@localhost/spoke", None)?;
//! let spoke = SpokeConnector::new(db, None, ConnectorOptions::default());
//! let opt_outs = spoke.read_all(EntityKind::OptOuts).await?;
//! println!("{} opt-outs", opt_outs.len());
//! # Ok(()) }
//! ```

pub mod config;
pub mod connector;
pub mod db;
pub mod graphql;
pub mod mapping;
pub mod models;
#[cfg(feature = "simulator")]
pub mod simulator;

pub use config::{Config, KIND, factory};
pub use connector::{ConnectorOptions, SpokeConnector};
pub use db::SpokeDb;
pub use graphql::SpokeGraphql;
