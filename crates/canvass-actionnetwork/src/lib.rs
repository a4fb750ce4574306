//! # canvass-actionnetwork
//!
//! The [Action Network](https://actionnetwork.org/docs/v2/) connector for
//! canvass (API v2, OSDI 1.1.1, HAL+JSON):
//!
//! - [`ActionNetworkClient`]: a typed client, one handler per API area
//!   (people, tags and taggings, events and attendances, donations,
//!   fundraising pages, forms, petitions, lists, messages, metadata), with
//!   the person signup helper, the record-attendance helper and
//!   `background_processing`;
//! - [`ActionNetworkConnector`]: the [`canvass_core::Connector`], mapping
//!   people (with email and SMS subscription statuses), tags, taggings,
//!   events, attendances, donations and form submissions / petition
//!   signatures onto the canonical model, with incremental reads on
//!   `modified_date`;
//! - `simulator` (feature `simulator`): a stateful Action Network on
//!   loopback for tests, benchmarks and `canvass demo`.
//!
//! Action Network's quirks are handled where they occur: the
//! `OSDI-API-Token` header; at most 25 items a page; the people collection
//! has no `total_pages`, keeps a `next` link on its last page and ends with
//! an empty page; ids come from `identifiers` (`action_network:<uuid>`);
//! errors are `{"error": "…"}` (and a 401 echoes the key back, which the
//! client scrubs); 4 requests per second, which the client keeps to.
//!
//! ```no_run
//! # async fn run() -> Result<(), canvass_core::Error> {
//! use canvass_actionnetwork::{ActionNetworkClient, models::Person};
//! let client = ActionNetworkClient::new("my-api-key")?;
//! let since = "2024-05-01T00:00:00Z".parse().unwrap();
//! let changed: Vec<Person> = client.people().list().modified_since(since).all().await?;
//! println!("{} people changed", changed.len());
//! # Ok(()) }
//! ```
//!
#![doc = include_str!("routes.md")]
//!
//! The table is also data: [`routes::TABLE`] is this very text, parsed, and the
//! crate's tests hold every request a full pull makes to it.

pub mod client;
pub mod config;
pub mod connector;
pub mod mapping;
pub mod models;
pub mod routes;
#[cfg(feature = "simulator")]
pub mod simulator;

pub use client::{ActionNetworkClient, ClientBuilder};
pub use config::{Config, KIND, factory};
pub use connector::ActionNetworkConnector;
