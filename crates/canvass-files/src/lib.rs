//! # canvass-files
//!
//! File sources for the tools with no usable API: ThruText and Scale to Win
//! exports, event sign-in sheets, partners' voter-contact CSVs and
//! spreadsheets.
//!
//! - [`Config`] (`kind = "csv"` in `canvass.toml`): a file or a wildcard
//!   of files, a `columns` table from header names to canonical [`Field`]s,
//!   what a row is ([`RowEntity`]), and the `system` name its records carry;
//! - [`CsvConnector`]: the [`Connector`](canvass_core::Connector). It
//!   streams rows with flat memory, detects a byte-order mark and
//!   Windows-1252 ([`source`]), maps each row onto people, RSVPs, tags,
//!   opt-outs and messages ([`mapping`]), reports a bad row with its file,
//!   line and column and keeps the rest, and is incremental by content
//!   hash: an unchanged file reads no rows;
//! - [`sheet`]: a file named `*.xlsx` (or `.xlsm`, `.xlsb`, `.xls`, `.ods`)
//!   is read through calamine instead of the CSV reader: its first visible
//!   sheet, or the one `sheet = "Name"` names; the first filled row is the
//!   header; each cell becomes the text a CSV export would hold (numbers
//!   without a spurious `.0`, dates as ISO text, booleans as `true`/`false`),
//!   so the same `columns` map and row mapping serve both. A bad row is
//!   named by file, sheet, Excel row and column letter. Unlike a CSV read,
//!   memory grows with the workbook (calamine holds its shared strings, or a
//!   whole `.xls`/`.ods` sheet): right for sign-in sheets and partner
//!   exports; send a very large export as CSV.
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
//!
//! // A sign-in sheet kept in Excel: the same mapping, one sheet of the workbook.
//! let mut signins = Config::new("sign-ins/canvass-launch.xlsx", RowEntity::Attendances)
//!     .sheet("Sign-ins")
//!     .column("Name", Field::FullName)
//!     .column("Cell", Field::MobilePhone);
//! signins.event = Some("Canvass launch".into());
//! let came = CsvConnector::new(signins)?.read_all(EntityKind::Attendances).await?;
//! println!("{} came", came.len());
//! # Ok(()) }
//! ```

pub mod config;
pub mod connector;
pub mod mapping;
pub mod phone;
pub mod sheet;
pub mod source;

pub use config::{Config, Field, KIND, RowEntity, factory};
pub use connector::CsvConnector;
