//! # canvass-files
//!
//! File sources for the tools with no usable API: ThruText and Scale to Win
//! exports, event sign-in sheets, partners' voter-contact CSVs.
//!
//! - [`Config`] (`kind = "csv"` in `canvass.toml`): a file or a wildcard
//!   of files, a `columns` table from header names to canonical [`Field`]s,
//!   what a row is ([`RowEntity`]), and the `system` name its records carry;
//! - [`CsvConnector`]: the [`Connector`](canvass_core::Connector). It
//!   streams rows with flat memory, detects a byte-order mark and
//!   Windows-1252 ([`source`]), maps each row onto people, RSVPs, tags,
//!   opt-outs and messages ([`mapping`]), reports a bad row with its file,
//!   line and column and keeps the rest, and is incremental by content
//!   hash: an unchanged file reads no rows.
//!
//! ```no_run
//! # async fn run() -> Result<(), canvass_core::Error> {
//! use canvass_core::{ConnectorExt, EntityKind};
//! use canvass_files::{Config, CsvConnector, Field, RowEntity};
//! let config = Config::new("exports/thrutext-*.csv", RowEntity::OptOuts)
//!     .column("Phone", Field::MobilePhone)
//!     .column("Opt-out reason", Field::OptOutReason);
//! let opt_outs = CsvConnector::new(config)?.read_all(EntityKind::OptOuts).await?;
//! println!("{} opt-outs", opt_outs.len());
//! # Ok(()) }
//! ```

pub mod config;
pub mod connector;
pub mod mapping;
pub mod phone;
pub mod source;

pub use config::{Config, Field, KIND, RowEntity, factory};
pub use connector::CsvConnector;
