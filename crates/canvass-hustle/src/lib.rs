//! # canvass-hustle
//!
//! The canvass connector for [Hustle](https://hustle.com)'s API v3
//! (peer-to-peer texting):
//!
//! - [`HustleClient`]: a typed client, one handler per API area (leads,
//!   messages, organizations, groups, agents, tags, custom fields), with
//!   OAuth2 client credentials (token cached, re-minted once on 401, never
//!   hammered after failures), cursor pagination (`items`/`cursor`/`hasMore`,
//!   up to 1000 a page), Hustle's error body and its 25 requests/s limit;
//! - [`HustleConnector`]: the [`Connector`](canvass_core::Connector) mapping
//!   Hustle to the canonical model, phone first: leads → people (E.164 key),
//!   tags and taggings, opt-outs (with the reason from the opt-out tag),
//!   messages, and contact attempts derived from them (outbound → texted, a
//!   reply → canvassed); writes upsert a lead, apply or remove a tag, opt out;
//! - [`simulator`] (feature `simulator`): a stateful Hustle simulator for
//!   tests, benchmarks and `canvass demo`.
//!
#![doc = include_str!("routes.md")]
//!
//! ```no_run
//! # async fn run() -> Result<(), canvass_core::Error> {
//! use canvass_core::{ConnectorExt, EntityKind};
//! use canvass_hustle::{ConnectorOptions, HustleClient, HustleConnector};
//! let client = HustleClient::builder("client-id", "client-secret").build()?;
//! let hustle = HustleConnector::new(client, ConnectorOptions::default());
//! let people = hustle.read_all(EntityKind::People).await?;
//! println!("{} leads", people.len());
//! # Ok(()) }
//! ```

pub mod client;
pub mod config;
pub mod connector;
pub mod mapping;
pub mod models;
pub mod routes;
#[cfg(feature = "simulator")]
pub mod simulator;

pub use client::{HustleClient, HustleClientBuilder};
pub use config::{Config, KIND, factory};
pub use connector::{ConnectorOptions, HustleConnector};
