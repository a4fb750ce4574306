//! The warehouse: where every source's records, their raw JSON, checkpoints,
//! sync runs, identity links and the push ledger live.
//!
//! [`Warehouse`] is the trait the engine, the CLI and push rules use; it has
//! two implementations, [`SqliteWarehouse`] (the embedded default) and
//! [`PostgresWarehouse`]. [`open_warehouse`] picks one from a URL. The schema
//! is versioned ([`SCHEMA_VERSION`]) and migrates itself on open; it is
//! documented in `docs/warehouse.md`.
//!
//! ```no_run
//! # async fn demo() -> Result<(), canvass_sync::SyncError> {
//! let warehouse = canvass_sync::open_warehouse("sqlite://canvass.db").await?;
//! assert_eq!(warehouse.schema_version().await?, canvass_sync::SCHEMA_VERSION);
//! # Ok(()) }
//! ```

mod common;
mod postgres;
pub(crate) mod schema;
pub(crate) mod sql;
mod sqlite;
mod sqlite_load;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use canvass_core::identity::MatchRule;
use canvass_core::{
    Channel, Checkpoint, EntityKind, Page, Record, SourceRef, SubscriptionStatus, WriteOp,
};
use chrono::{DateTime, Utc};
use futures::stream::BoxStream;
use serde::{Deserialize, Serialize};

pub use postgres::PostgresWarehouse;
pub use schema::SCHEMA_VERSION;
pub use sqlite::SqliteWarehouse;

use crate::error::{SyncError, SyncResult};
use crate::report::RunReport;

/// A value read back from the warehouse.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum SqlValue {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Json(serde_json::Value),
}

impl SqlValue {
    pub(crate) fn text(&self) -> Option<String> {
        match self {
            SqlValue::Text(s) => Some(s.clone()),
            SqlValue::Int(i) => Some(i.to_string()),
            SqlValue::Real(f) => Some(f.to_string()),
            SqlValue::Json(j) => Some(j.to_string()),
            SqlValue::Null => None,
        }
    }
    pub(crate) fn real(&self) -> Option<f64> {
        match self {
            SqlValue::Real(f) => Some(*f),
            SqlValue::Int(i) => Some(*i as f64),
            SqlValue::Text(s) => s.parse().ok(),
            _ => None,
        }
    }
    pub(crate) fn int(&self) -> Option<i64> {
        match self {
            SqlValue::Int(i) => Some(*i),
            SqlValue::Text(s) => s.parse().ok(),
            _ => None,
        }
    }
    pub(crate) fn json(&self) -> SyncResult<serde_json::Value> {
        match self {
            SqlValue::Json(j) => Ok(j.clone()),
            SqlValue::Text(s) => Ok(serde_json::from_str(s)?),
            SqlValue::Int(i) => Ok(serde_json::Value::from(*i)),
            SqlValue::Real(f) => Ok(serde_json::Value::from(*f)),
            SqlValue::Null => Ok(serde_json::Value::Null),
        }
    }
}

/// One page to store: the records, raw JSON and issues of a page read from
/// `source`, and the checkpoint stored in the same transaction.
#[derive(Debug, Clone, Copy)]
pub struct PageWrite<'a> {
    /// The sync run the page belongs to (issues are stored against it); 0 for none.
    pub run_id: i64,
    /// The configured source name (checkpoints are per source, not per system).
    pub source: &'a str,
    /// The kind being read.
    pub kind: &'a EntityKind,
    /// The page.
    pub page: &'a Page,
    /// Count what would change, then roll back.
    pub dry_run: bool,
}

/// What storing one page (or a whole read) did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageCounts {
    /// Records read (stored ones plus skipped ones).
    pub read: u64,
    /// Records new to the warehouse.
    pub inserted: u64,
    /// Records whose content changed.
    pub updated: u64,
    /// Records already stored exactly so.
    pub unchanged: u64,
    /// Records the connector could not map (skipped).
    pub failed: u64,
    /// Records stored with a bad field kept verbatim (an invalid phone).
    pub warnings: u64,
}

impl PageCounts {
    /// Adds another count to this one.
    pub fn add(&mut self, other: &PageCounts) {
        self.read += other.read;
        self.inserted += other.inserted;
        self.updated += other.updated;
        self.unchanged += other.unchanged;
        self.failed += other.failed;
        self.warnings += other.warnings;
    }
}

/// A stored canonical record with the canonical person it is about, when
/// identity resolution has linked its person.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRecord {
    /// The record as the connector mapped it.
    pub record: Record,
    /// The canonical person of the record's person (of the person itself for people).
    pub canonical_person_id: Option<String>,
}

/// One exported row: column names and JSON values, in table order.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportRow {
    /// Column names, shared by every row of one export.
    pub columns: Arc<[String]>,
    /// One value per column; JSON columns (`data`, `json`, `op`) as objects.
    pub values: Vec<serde_json::Value>,
}

impl ExportRow {
    /// The row as one JSON object (for NDJSON).
    pub fn to_json(&self) -> serde_json::Value {
        let map: serde_json::Map<String, serde_json::Value> = self
            .columns
            .iter()
            .cloned()
            .zip(self.values.iter().cloned())
            .collect();
        serde_json::Value::Object(map)
    }

    /// The row as text cells (for CSV): JSON values as compact JSON, null as empty.
    pub fn to_text(&self) -> Vec<String> {
        self.values
            .iter()
            .map(|v| match v {
                serde_json::Value::Null => String::new(),
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect()
    }
}

/// The tables [`Warehouse::export`] can stream: every data table plus the
/// sync-run tables.
pub const EXPORT_TABLES: &[&str] = &[
    "people",
    "person_emails",
    "person_phones",
    "person_addresses",
    "events",
    "shifts",
    "attendances",
    "tags",
    "taggings",
    "survey_questions",
    "survey_responses",
    "messages",
    "contact_attempts",
    "opt_outs",
    "donations",
    "actions",
    "deletions",
    "raw_records",
    "checkpoints",
    "identity_links",
    "canonical_people",
    "canonical_channel_status",
    "push_ledger",
    "sync_runs",
    "sync_run_counts",
    "sync_run_failures",
];

/// Which source record belongs to which canonical person, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IdentityLink {
    /// The source person record.
    pub source: SourceRef,
    /// Its canonical person.
    pub canonical_id: String,
    /// The rule of the key that joined it to its cluster (`None` for the
    /// record the cluster grew from).
    pub rule: Option<MatchRule>,
    /// The key's value (e.g. `ana|nunez|+14142020792`).
    pub match_key: Option<String>,
    /// The record it shares that key with.
    pub linked_to: Option<SourceRef>,
    /// The two records' match probability under the probabilistic model
    /// (`None` when that stage did not run).
    pub score: Option<f64>,
}

/// A canonical person's summary row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CanonicalPersonRow {
    /// The canonical id.
    pub canonical_id: String,
    /// First name (from the first source record that has one).
    pub given_name: Option<String>,
    /// Last name.
    pub family_name: Option<String>,
    /// A valid email.
    pub email: Option<String>,
    /// A valid phone, E.164.
    pub phone: Option<String>,
    /// How many source records make up the person.
    pub source_count: u64,
}

/// A canonical person's resolved status on one channel: the most recent
/// observation across all its source records and opt-outs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelStatus {
    /// The canonical person.
    pub canonical_id: String,
    /// The channel (`sms`, `email`).
    pub channel: Channel,
    /// The winning status.
    pub status: SubscriptionStatus,
    /// When it was observed, when known.
    pub as_of: Option<DateTime<Utc>>,
    /// The opt-out reason, for opt-outs.
    pub reason: Option<String>,
    /// The record it came from (a person or an opt-out).
    pub source: SourceRef,
}

/// Everything identity resolution writes, replacing the previous result.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IdentityTables {
    /// One link per source person.
    pub links: Vec<IdentityLink>,
    /// One row per canonical person.
    pub people: Vec<CanonicalPersonRow>,
    /// Resolved channel statuses.
    pub statuses: Vec<ChannelStatus>,
}

/// A canonical person with every source record linked to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CanonicalPerson {
    /// The summary row.
    pub person: CanonicalPersonRow,
    /// Its source links, ordered by source.
    pub links: Vec<IdentityLink>,
    /// Its resolved channel statuses.
    pub statuses: Vec<ChannelStatus>,
}

impl CanonicalPerson {
    /// The person's id in `system`, when a source record from it is linked
    /// (the smallest id when several are).
    pub fn id_in(&self, system: &str) -> Option<&str> {
        self.links
            .iter()
            .find(|l| l.source.system == system)
            .map(|l| l.source.id.as_str())
    }

    /// Whether the person must not be contacted on `channel`.
    pub fn is_opted_out(&self, channel: &Channel) -> bool {
        self.statuses
            .iter()
            .any(|s| &s.channel == channel && s.status.is_opted_out())
    }
}

/// Where a planned write stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LedgerStatus {
    /// Intended, not yet sent.
    Planned,
    /// Persisted just before the call to the target: the call was attempted
    /// and its outcome is unknown until the entry is marked written or
    /// failed. After a crash, this is "attempted, outcome unknown", distinct
    /// from `Planned` ("never attempted").
    Sending,
    /// The target confirmed it.
    Written,
    /// The target refused it (see the error).
    Failed,
}

impl LedgerStatus {
    fn as_str(&self) -> &'static str {
        match self {
            LedgerStatus::Planned => "planned",
            LedgerStatus::Sending => "sending",
            LedgerStatus::Written => "written",
            LedgerStatus::Failed => "failed",
        }
    }
    fn parse(s: &str) -> LedgerStatus {
        match s {
            "written" => LedgerStatus::Written,
            "failed" => LedgerStatus::Failed,
            "sending" => LedgerStatus::Sending,
            _ => LedgerStatus::Planned,
        }
    }
}

/// A write a push rule intends to make.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlannedWrite {
    /// Derived from the source records (e.g. [`WriteOp::idempotency_key`] or
    /// a hash of the source refs, rule and target); the ledger's primary key.
    pub idempotency_key: String,
    /// The push rule, e.g. `"rsvps_to_signups"`.
    pub rule: String,
    /// The target, e.g. `"van"` or `"van:committee-2"`.
    pub target: String,
    /// The write.
    pub op: WriteOp,
}

/// A push-ledger row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LedgerEntry {
    /// The idempotency key.
    pub idempotency_key: String,
    /// The push rule.
    pub rule: String,
    /// The target.
    pub target: String,
    /// The write.
    pub op: WriteOp,
    /// Where it stands.
    pub status: LedgerStatus,
    /// The target's id for what was written, when it gave one.
    pub outcome_id: Option<String>,
    /// The target's error, for failed writes.
    pub error: Option<String>,
    /// How many times it was marked written or failed.
    pub attempts: u64,
    /// When it was first planned (RFC 3339).
    pub planned_at: String,
    /// When it last changed (RFC 3339).
    pub updated_at: String,
}

/// The warehouse.
///
/// Every method is safe to call from several tasks at once; writes are
/// serialized by the backend. Streams read from their own connection, so a
/// caller may write while it streams.
#[async_trait]
pub trait Warehouse: Send + Sync + std::fmt::Debug {
    /// `"sqlite"` or `"postgres"`.
    fn backend_name(&self) -> &'static str;

    /// The schema version stored in the warehouse.
    async fn schema_version(&self) -> SyncResult<u32>;

    /// Opens a sync run and returns its id.
    async fn begin_run(&self) -> SyncResult<i64>;

    /// Closes a sync run, storing its report and per-source counts.
    async fn finish_run(&self, run_id: i64, report: &RunReport) -> SyncResult<()>;

    /// The stored checkpoint of `source`'s `kind`.
    async fn checkpoint(&self, source: &str, kind: &EntityKind) -> SyncResult<Option<Checkpoint>>;

    /// Forgets the checkpoint of `source`'s `kind` (the next read starts over).
    async fn clear_checkpoint(&self, source: &str, kind: &EntityKind) -> SyncResult<()>;

    /// Stores one page, its raw JSON, its issues and its checkpoint in one
    /// transaction; upserts by `(system, id)`, so storing it again changes nothing.
    async fn store_page(&self, write: PageWrite<'_>) -> SyncResult<PageCounts>;

    /// Streams the stored records of `kind`, ordered by `(system, id)`, each
    /// with the canonical person it is about.
    fn records(&self, kind: EntityKind) -> BoxStream<'static, SyncResult<StoredRecord>>;

    /// Streams every row of one table (see [`EXPORT_TABLES`]), ordered by its key.
    fn export(&self, table: &str) -> BoxStream<'static, SyncResult<ExportRow>>;

    /// Every stored identity link.
    async fn identity_links(&self) -> SyncResult<Vec<IdentityLink>>;

    /// Replaces identity links, canonical people and channel statuses in one transaction.
    async fn replace_identities(&self, tables: &IdentityTables) -> SyncResult<()>;

    /// Streams canonical people with their links and statuses, ordered by id.
    fn canonical_people(&self) -> BoxStream<'static, SyncResult<CanonicalPerson>>;

    /// The canonical person a source person record belongs to.
    async fn canonical_id_of(&self, source: &SourceRef) -> SyncResult<Option<String>>;

    /// Records the intent to write `write`, unless its key is already in the
    /// ledger; returns the entry as stored (an existing one unchanged).
    async fn ledger_plan(&self, write: &PlannedWrite) -> SyncResult<LedgerEntry>;

    /// Marks a planned write as written, with the target's id for it.
    ///
    /// # Errors
    /// [`SyncError::Ledger`] when the key was never planned.
    async fn ledger_mark_written(&self, key: &str, outcome_id: Option<&str>) -> SyncResult<()>;

    /// Marks a planned write as failed, with the target's error.
    ///
    /// # Errors
    /// [`SyncError::Ledger`] when the key was never planned.
    async fn ledger_mark_failed(&self, key: &str, error: &str) -> SyncResult<()>;

    /// Marks a planned (or failed) write as being sent, just before the call
    /// to the target, so a crash between the call and
    /// [`ledger_mark_written`](Self::ledger_mark_written) leaves
    /// [`LedgerStatus::Sending`] ("attempted, outcome unknown") rather than
    /// `Planned` ("never attempted"). Does not count as an attempt.
    ///
    /// # Errors
    /// [`SyncError::Ledger`] when the key was never planned, or when the
    /// warehouse does not implement it (the built-in ones do).
    async fn ledger_mark_sending(&self, key: &str) -> SyncResult<()> {
        Err(SyncError::Ledger(format!(
            "this warehouse cannot mark {key} as sending"
        )))
    }

    /// Entries not yet written (planned or failed), for `target` or every target, by key.
    async fn ledger_pending(&self, target: Option<&str>) -> SyncResult<Vec<LedgerEntry>>;

    /// One ledger entry.
    async fn ledger_entry(&self, key: &str) -> SyncResult<Option<LedgerEntry>>;

    /// Whether the write with this key is confirmed written.
    async fn ledger_is_written(&self, key: &str) -> SyncResult<bool> {
        Ok(self
            .ledger_entry(key)
            .await?
            .is_some_and(|e| e.status == LedgerStatus::Written))
    }

    /// Takes (or renews) the push lock of `target` for `holder` until `ttl`
    /// from now. A push holds it while it runs and renews it well before
    /// it lapses, so two pushes to one target never interleave their
    /// writes; the lock of a push that died lapses on its own.
    ///
    /// # Errors
    /// [`SyncError::PushLocked`] when another holder's lock has not lapsed;
    /// [`SyncError::Ledger`] when the warehouse does not implement it (the
    /// built-in ones do).
    async fn push_lock(&self, target: &str, holder: &str, ttl: Duration) -> SyncResult<()> {
        let _ = (holder, ttl);
        Err(SyncError::Ledger(format!(
            "this warehouse cannot lock pushes to {target}"
        )))
    }

    /// Releases `holder`'s push lock of `target` (nothing when it holds
    /// none).
    async fn push_unlock(&self, target: &str, holder: &str) -> SyncResult<()> {
        let _ = (target, holder);
        Ok(())
    }

    /// A deterministic text dump of every data table (run bookkeeping and
    /// ledger timestamps left out), for comparing two warehouses.
    async fn dump(&self) -> SyncResult<String>;
}

/// Checks, without creating or changing anything, that the warehouse a URL
/// names can be used, and says how: a PostgreSQL server is connected to
/// (with the URL's TLS settings) and its session's encryption reported; a
/// SQLite file is looked for. The text never holds the URL's password.
///
/// ```no_run
/// # async fn run() -> canvass_sync::SyncResult<()> {
/// println!("{}", canvass_sync::check_warehouse("postgres://canvass@db.example.org/org").await?);
/// # Ok(()) }
/// ```
///
/// # Errors
/// As [`open_warehouse`], except that nothing is migrated; a SQLite path
/// whose directory does not exist is [`SyncError::Config`].
pub async fn check_warehouse(url: &str) -> SyncResult<String> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return PostgresWarehouse::check_url(url).await;
    }
    if url.contains("://") && !url.starts_with("sqlite://") {
        return Err(SyncError::Config(format!(
            "unknown warehouse URL scheme in {:?}: use sqlite://PATH or postgres://USER@HOST/DB",
            canvass_core::redact_url(url)
        )));
    }
    let path = std::path::Path::new(url.strip_prefix("sqlite://").unwrap_or(url));
    if path.exists() {
        return Ok(format!("{url}: SQLite file exists"));
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => std::path::Path::new("."),
    };
    if dir.is_dir() {
        Ok(format!(
            "{url}: SQLite file will be created by the first sync"
        ))
    } else {
        Err(SyncError::Config(format!(
            "{url}: directory {} does not exist",
            dir.display()
        )))
    }
}

/// Opens (creating and migrating as needed) the warehouse a URL names:
/// `sqlite://PATH` (or a bare path) or `postgres://…` / `postgresql://…`.
/// A PostgreSQL URL may carry `schema=NAME` to use (and create) a schema
/// other than `public`, and libpq's `sslmode` and `sslrootcert` (TLS is
/// required by default for a host that is not loopback; see
/// [`canvass_postgres`]).
///
/// # Errors
/// [`SyncError::Config`] for an unknown scheme; the backend's error when it
/// cannot open or migrate.
pub async fn open_warehouse(url: &str) -> SyncResult<Arc<dyn Warehouse>> {
    if let Some(path) = url.strip_prefix("sqlite://") {
        Ok(Arc::new(SqliteWarehouse::open(path).await?))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(PostgresWarehouse::connect_url(url).await?))
    } else if url.contains("://") {
        Err(SyncError::Config(format!(
            "unknown warehouse URL scheme in {:?}: use sqlite://PATH or postgres://USER@HOST/DB",
            canvass_core::redact_url(url)
        )))
    } else {
        Ok(Arc::new(SqliteWarehouse::open(url).await?))
    }
}
