//! # canvass-van
//!
//! The NGP VAN / EveryAction (API v4) connector for canvass:
//!
//! - [`VanClient`]: a typed client, one handler per API area
//!   (`van.people().find_or_create(&person).send()`,
//!   `van.events().list().expand(&EventExpand::SYNC).stream()`,
//!   `van.bulk_import_jobs().apply_activist_codes(&rows, &uploader).run()`),
//!   with VAN's auth (`application name`, `apiKey|dbMode`), its pagination
//!   (`$top`/`$skip`, pages fetched concurrently once the count is known),
//!   its error body mapped onto [`canvass_core::Error`], and its jobs;
//! - [`VanConnector`]: the [`canvass_core::Connector`] mapping VAN onto the
//!   canonical model (people incrementally through changed-entity exports);
//! - `simulator` (feature `simulator`): a stateful VAN simulator on loopback
//!   that counts every canvass response, signup, activist code and opt-out
//!   written, for tests, benchmarks and `canvass demo`.
//!
//! ```no_run
//! # async fn run() -> Result<(), canvass_core::Error> {
//! use canvass_van::{DbMode, VanClient};
//! let van = VanClient::builder("my-app", "key", DbMode::MyCampaign).build()?;
//! let codes = van.activist_codes().list().statuses(&["Active"]).all().await?;
//! # let _ = codes; Ok(()) }
//! ```
//!
//! Some reads are optional for an account: VAN refuses events in some
//! databases (`EVENTS_NOT_SUPPORTED_IN_DB`) and does not enable
//! changed-entity exports for every key. Refused on their first request,
//! those reads end in [`canvass_core::Error::NotOffered`], which the engine
//! reports as skipped; see the *Account* column below.
#![doc = include_str!("routes.md")]

pub mod client;
pub mod config;
pub mod connector;
pub mod error;
pub mod mapping;
pub mod models;
pub mod routes;
#[cfg(feature = "simulator")]
pub mod simulator;

pub use client::{DbMode, SYSTEM, VanClient, VanClientBuilder};
pub use config::{Config, KIND, factory};
pub use connector::VanConnector;
