//! # canvass-sync
//!
//! The canvass engine: pulls every configured source into a warehouse the
//! group owns, resolves the same human across tools, and keeps the push
//! ledger that makes writes back into VAN happen exactly once.
//!
//! - [`Engine::sync`]: for each source and entity kind, read pages → store
//!   the records, their raw JSON and the page's issues → store the checkpoint
//!   **in the same transaction** → next page; sources run concurrently; a
//!   [`RunReport`] says what happened, record by record.
//! - [`Warehouse`]: [`SqliteWarehouse`] (embedded default) or
//!   [`PostgresWarehouse`], opened by URL with [`open_warehouse`]; a
//!   versioned schema that migrates itself (`docs/warehouse.md`).
//! - [`identity`]: union-find over match keys with guards against junk keys,
//!   stable canonical ids and an explanation for every link;
//!   [`resolve_identities`] runs it over the warehouse.
//! - The push ledger ([`Warehouse::ledger_plan`] and friends) and the readers
//!   push rules need ([`Warehouse::records`], [`Warehouse::canonical_people`]).
//! - `testing` (feature `testing`): for connector crates' tests through the
//!   engine, a sync into a fresh SQLite warehouse that cleans up after itself.

pub mod engine;
pub mod error;
pub mod identity;
pub mod report;
pub mod resolve;
mod rows;
#[cfg(feature = "testing")]
pub mod testing;
pub mod warehouse;

pub use engine::{Engine, Progress, ProgressEvent, Source, SyncOptions};
pub use error::{SyncError, SyncResult};
pub use identity::{IdentityConfig, Resolution, Resolver};
pub use report::{Failure, IdentitySummary, KindReport, RunReport, SourceReport};
pub use resolve::resolve_identities;
pub use warehouse::{
    CanonicalPerson, CanonicalPersonRow, ChannelStatus, EXPORT_TABLES, ExportRow, IdentityLink,
    IdentityTables, LedgerEntry, LedgerStatus, PageCounts, PageWrite, PlannedWrite,
    PostgresWarehouse, SCHEMA_VERSION, SqliteWarehouse, StoredRecord, Warehouse, check_warehouse,
    open_warehouse,
};
