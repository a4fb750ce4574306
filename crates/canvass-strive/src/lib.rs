//! # canvass-strive
//!
//! The canvass connector for [Strive](https://strivemessaging.org)
//! (broadcast and peer-to-peer texting), whose API is PostgREST in style:
//!
//! - [`StriveClient`]: a typed client over Strive's tables (members,
//!   outgoing and incoming messages, subscription events, broadcasts,
//!   campaigns, groups, custom fields) with Bearer auth, the ping check,
//!   `limit`/`offset` paging over bare arrays, and a tolerant error decoder;
//! - [`filter`]: PostgREST filters (`column=op.value`) built safely, so no
//!   value can inject another filter;
//! - [`StriveConnector`]: the [`Connector`](canvass_core::Connector), phone
//!   first: members → people (incremental on `updated_at`), groups → tags
//!   and taggings, messages and the contact attempts they stand for
//!   (outbound → texted, a reply → canvassed), unsubscribe events →
//!   opt-outs; it creates members;
//! - [`simulator`] (feature `simulator`): a stateful Strive simulator.
//!
#![doc = include_str!("routes.md")]
//!
//! ```no_run
//! # async fn run() -> Result<(), canvass_core::Error> {
//! use canvass_core::{ConnectorExt, EntityKind};
//! use canvass_strive::{ConnectorOptions, StriveClient, StriveConnector};
//! let strive = StriveConnector::new(StriveClient::builder("key").build()?, ConnectorOptions::default());
//! let opt_outs = strive.read_all(EntityKind::OptOuts).await?;
//! println!("{} opt-outs", opt_outs.len());
//! # Ok(()) }
//! ```

pub mod client;
pub mod config;
pub mod connector;
pub mod filter;
pub mod mapping;
pub mod models;
pub mod routes;
#[cfg(feature = "simulator")]
pub mod simulator;

pub use client::{StriveClient, StriveClientBuilder};
pub use config::{Config, KIND, factory};
pub use connector::{ConnectorOptions, StriveConnector};
