//! # canvass-mobilize
//!
//! The [Mobilize](https://www.mobilize.us) (API v1) connector for canvass:
//!
//! - [`client::MobilizeClient`]: a typed client (organizations, events with
//!   their filters, deleted events, people, attendances, signups, event
//!   writes) with Bearer auth, the published 15 reads/s and 5 writes/s,
//!   cursor paging and Mobilize's field-keyed error bodies;
//! - [`MobilizeConnector`]: the canvass [`Connector`](canvass_core::Connector),
//!   mapping people, events, shifts (timeslots), attendances and tags onto
//!   the canonical model, reporting deleted events, reading incrementally
//!   with `updated_since`, and recording attendance;
//! - `simulator` (feature `simulator`): a stateful Mobilize on loopback for
//!   tests, benchmarks and `canvass demo`.
//!
//! ```no_run
//! # async fn run() -> Result<(), canvass_core::Error> {
//! use canvass_core::{ConnectorExt, EntityKind};
//! use canvass_mobilize::{MobilizeConnector, client::MobilizeClient, connector::ConnectorOptions};
//!
//! let client = MobilizeClient::builder().api_key(std::env::var("MOBILIZE_API_KEY").unwrap_or_default()).build()?;
//! let connector = MobilizeConnector::new(client, ConnectorOptions::new(42));
//! let attendances = connector.read_all(EntityKind::Attendances).await?;
//! println!("{} attendances", attendances.len());
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
pub mod map;
pub mod models;
pub mod routes;
#[cfg(feature = "simulator")]
pub mod simulator;

pub use client::MobilizeClient;
pub use config::{Config, KIND, factory};
pub use connector::MobilizeConnector;
