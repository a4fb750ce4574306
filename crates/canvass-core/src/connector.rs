//! The [`Connector`] trait every vendor crate implements, and the types it
//! speaks: [`ConnectorInfo`], [`Checkpoint`], [`Page`] and [`WriteOp`].

use std::collections::BTreeSet;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures::stream::BoxStream;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{
    AttendanceStatus, Channel, ContactResult, EntityKind, Error, Event, OptOutReason, Person,
    Record, Shift, SourceRef,
};

/// What a connector is and what it can do, as data, so the engine and the
/// CLI can refuse an impossible job before starting it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectorInfo {
    /// The system's short name, used in every [`SourceRef`] (`"van"`, `"mobilize"`).
    pub system: String,
    /// Entity kinds [`Connector::read`] supports.
    pub reads: BTreeSet<EntityKind>,
    /// Entity kinds among `reads` that resume incrementally from a checkpoint
    /// (only changes since); the others are read in full each run.
    pub incremental: BTreeSet<EntityKind>,
    /// Write operations [`Connector::write`] supports.
    pub writes: BTreeSet<WriteKind>,
}

impl ConnectorInfo {
    /// Whether `kind` can be read.
    pub fn can_read(&self, kind: &EntityKind) -> bool {
        self.reads.contains(kind)
    }

    /// Whether `kind` can be written.
    pub fn can_write(&self, kind: WriteKind) -> bool {
        self.writes.contains(&kind)
    }
}

/// An opaque, connector-defined position in a read, safe to store once the
/// records before it are stored. Passing it back to [`Connector::read`]
/// resumes after those records.
///
/// Connectors usually serialize a small JSON object into it (a cursor, an
/// offset, a `modified_since` high-water mark).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Checkpoint(pub String);

impl Checkpoint {
    /// Encodes a serializable position.
    pub fn encode<T: Serialize>(position: &T) -> Checkpoint {
        // Serializing a plain struct to a string cannot fail; fall back to an
        // empty position (a full re-read) rather than panic if it ever did.
        Checkpoint(serde_json::to_string(position).unwrap_or_default())
    }

    /// Decodes a position written by [`Checkpoint::encode`].
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when the checkpoint was written by another
    /// connector or version.
    pub fn decode<T: serde::de::DeserializeOwned>(&self) -> Result<T, Error> {
        serde_json::from_str(&self.0).map_err(|e| {
            Error::invalid_input("checkpoint", format!("cannot read {:?}: {e}", self.0))
        })
    }
}

/// The vendor's raw JSON for one record, kept by the warehouse beside the
/// canonical form so nothing the vendor sent is ever lost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RawRecord {
    /// The record it belongs to.
    pub source: SourceRef,
    /// The entity kind read.
    pub kind: EntityKind,
    /// The JSON exactly as decoded from the vendor.
    pub json: serde_json::Value,
}

/// A record the connector could not map in full.
///
/// `skipped: true` means the record is absent from the page (its raw JSON is
/// still in [`Page::raw`] when there was any); `false` means it is present
/// with the bad field kept verbatim (an invalid phone number, say).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordIssue {
    /// The record's id, or its position in the page when it has no id.
    pub record: String,
    /// The kind being read.
    pub kind: EntityKind,
    /// The field at fault, as a JSON path.
    pub field: String,
    /// What was wrong.
    pub message: String,
    /// Whether the record was left out of the page.
    pub skipped: bool,
}

impl RecordIssue {
    /// An issue about `record`'s `field`; `skipped` when the record was left out.
    ///
    /// ```
    /// use canvass_core::{EntityKind, RecordIssue};
    /// let i = RecordIssue::new("57", &EntityKind::People, "phone_numbers[0].number", "not a valid phone", false);
    /// assert!(!i.skipped);
    /// ```
    pub fn new(
        record: impl Into<String>,
        kind: &EntityKind,
        field: impl Into<String>,
        message: impl Into<String>,
        skipped: bool,
    ) -> RecordIssue {
        RecordIssue {
            record: record.into(),
            kind: kind.clone(),
            field: field.into(),
            message: message.into(),
            skipped,
        }
    }
}

/// One page of a read: records, their raw JSON, any issues, and the
/// checkpoint that is safe to store once they are.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Page {
    /// Canonical records (one vendor item may yield several, e.g. an event and its shifts).
    pub records: Vec<Record>,
    /// The vendor's raw JSON, one entry per vendor item.
    pub raw: Vec<RawRecord>,
    /// Records that could not be mapped in full.
    pub issues: Vec<RecordIssue>,
    /// Where to resume after this page; `None` when the connector cannot resume mid-read.
    pub checkpoint: Option<Checkpoint>,
}

/// The stream a read returns: pages in order, or the error that ended it.
pub type PageStream<'a> = BoxStream<'a, Result<Page, Error>>;

/// The kinds of canonical write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WriteKind {
    /// [`WriteOp::UpsertPerson`].
    UpsertPerson,
    /// [`WriteOp::ApplyTag`].
    ApplyTag,
    /// [`WriteOp::RemoveTag`].
    RemoveTag,
    /// [`WriteOp::RecordAttendance`].
    RecordAttendance,
    /// [`WriteOp::RecordContactAttempt`].
    RecordContactAttempt,
    /// [`WriteOp::RecordSurveyResponse`].
    RecordSurveyResponse,
    /// [`WriteOp::OptOut`].
    OptOut,
    /// [`WriteOp::CreateEvent`].
    CreateEvent,
}

/// One canonical write. Ids in a write are the *target* system's ids
/// (a VAN id when writing to VAN), resolved by the engine beforehand.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum WriteOp {
    /// Create the person or update the one the vendor matches.
    UpsertPerson {
        /// The person; its `source` is where the data came from.
        person: Box<Person>,
    },
    /// Apply a tag (activist code) to a person.
    ApplyTag {
        /// The person's id in the target.
        person_id: String,
        /// The tag's id in the target.
        tag_id: String,
    },
    /// Remove a tag from a person.
    RemoveTag {
        /// The person's id in the target.
        person_id: String,
        /// The tag's id in the target.
        tag_id: String,
    },
    /// Record (or update) a person's attendance at an event.
    RecordAttendance {
        /// The person's id in the target.
        person_id: String,
        /// The event's id in the target.
        event_id: String,
        /// The shift's id in the target, when it has shifts.
        shift_id: Option<String>,
        /// The role's id in the target, when it has roles (VAN).
        role_id: Option<String>,
        /// The status.
        status: AttendanceStatus,
    },
    /// Record a contact attempt (contact history).
    RecordContactAttempt {
        /// The person's id in the target.
        person_id: String,
        /// The channel.
        channel: Channel,
        /// What happened.
        result: ContactResult,
        /// When.
        at: DateTime<Utc>,
        /// The phone used, E.164.
        phone: Option<String>,
    },
    /// Record an answer to a survey question.
    RecordSurveyResponse {
        /// The person's id in the target.
        person_id: String,
        /// The question's id in the target.
        question_id: String,
        /// The chosen option's id in the target.
        option_id: String,
        /// When.
        at: DateTime<Utc>,
    },
    /// Opt a person out of a channel.
    OptOut {
        /// The person's id in the target, when known.
        person_id: Option<String>,
        /// The channel.
        channel: Channel,
        /// The phone (E.164) or email.
        identifier: String,
        /// Why.
        reason: OptOutReason,
        /// When.
        at: DateTime<Utc>,
    },
    /// Create an event with its shifts (the VAN sync does, for a source
    /// event that has no counterpart in VAN yet).
    CreateEvent {
        /// The event; its `source` is where it came from.
        event: Box<Event>,
        /// Its shifts, in the order they are created.
        shifts: Vec<Shift>,
    },
}

impl WriteOp {
    /// The kind of write.
    pub fn kind(&self) -> WriteKind {
        match self {
            WriteOp::UpsertPerson { .. } => WriteKind::UpsertPerson,
            WriteOp::ApplyTag { .. } => WriteKind::ApplyTag,
            WriteOp::RemoveTag { .. } => WriteKind::RemoveTag,
            WriteOp::RecordAttendance { .. } => WriteKind::RecordAttendance,
            WriteOp::RecordContactAttempt { .. } => WriteKind::RecordContactAttempt,
            WriteOp::RecordSurveyResponse { .. } => WriteKind::RecordSurveyResponse,
            WriteOp::OptOut { .. } => WriteKind::OptOut,
            WriteOp::CreateEvent { .. } => WriteKind::CreateEvent,
        }
    }

    /// A stable key for this exact write: the SHA-256 of its canonical JSON.
    /// The same operation always has the same key, across runs and machines,
    /// so a push ledger can refuse to write it twice.
    ///
    /// ```
    /// use canvass_core::WriteOp;
    /// let a = WriteOp::ApplyTag { person_id: "1".into(), tag_id: "7".into() };
    /// let b = WriteOp::ApplyTag { person_id: "1".into(), tag_id: "7".into() };
    /// assert_eq!(a.idempotency_key(), b.idempotency_key());
    /// assert_eq!(a.idempotency_key().len(), 64);
    /// ```
    pub fn idempotency_key(&self) -> String {
        // serde_json::Value keeps object keys sorted, so the text is canonical.
        let canonical = serde_json::to_value(self)
            .map(|v| v.to_string())
            .unwrap_or_else(|_| format!("{self:?}"));
        let digest = Sha256::digest(canonical.as_bytes());
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// What a write did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum WriteOutcome {
    /// A new record was created with this id.
    Created {
        /// The target's id for it.
        id: String,
    },
    /// An existing record was updated (or matched) with this id.
    Updated {
        /// The target's id for it.
        id: String,
    },
    /// The write was accepted; the vendor returns no id for it.
    Applied,
}

/// A vendor connector: reads entity kinds as resumable page streams, applies
/// canonical writes, and says what it can do.
///
/// Keep implementations small: the typed vendor client does the work and the
/// connector maps it. The trait is object-safe, so the engine holds
/// `Box<dyn Connector>`.
#[async_trait]
pub trait Connector: Send + Sync + std::fmt::Debug {
    /// Which system this is and what it can read and write.
    fn info(&self) -> ConnectorInfo;

    /// A cheap credential check (`canvass check`).
    ///
    /// # Errors
    /// [`Error::Auth`] when the credentials are refused.
    async fn check(&self) -> Result<(), Error>;

    /// Streams one entity kind, resuming after `since` when given.
    ///
    /// Each page carries the checkpoint that is safe to store once its records
    /// are stored, so a crash loses nothing and repeats at most one page. An
    /// unsupported kind yields one [`Error::Unsupported`].
    fn read(&self, kind: EntityKind, since: Option<Checkpoint>) -> PageStream<'_>;

    /// Applies one canonical write.
    ///
    /// # Errors
    /// [`Error::Unsupported`] for a write kind not in [`ConnectorInfo::writes`];
    /// otherwise whatever the vendor answered.
    async fn write(&self, op: &WriteOp) -> Result<WriteOutcome, Error>;
}

/// Conveniences built on [`Connector`], for every connector.
#[async_trait]
pub trait ConnectorExt: Connector {
    /// Reads every page of `kind` from the start and collects the records.
    /// Fine for tests and small reads; the engine streams instead.
    async fn read_all(&self, kind: EntityKind) -> Result<Vec<Record>, Error> {
        use futures::TryStreamExt;
        let pages: Vec<Page> = self.read(kind, None).try_collect().await?;
        Ok(pages.into_iter().flat_map(|p| p.records).collect())
    }

    /// Reads `kind` from `since` and keeps every page it got, with the error
    /// that ended the read, if one did: what a test or a report needs to see
    /// of a read that failed part way (the pages before a failure are kept).
    async fn read_pages(
        &self,
        kind: EntityKind,
        since: Option<Checkpoint>,
    ) -> (Vec<Page>, Option<Error>) {
        use futures::StreamExt;
        let mut stream = self.read(kind, since);
        let mut pages = Vec::new();
        while let Some(item) = stream.next().await {
            match item {
                Ok(page) => pages.push(page),
                Err(e) => return (pages, Some(e)),
            }
        }
        (pages, None)
    }

    /// The error an unsupported operation should return.
    fn unsupported(&self, operation: &str) -> Error {
        Error::unsupported(self.info().system, operation)
    }
}

impl<T: Connector + ?Sized> ConnectorExt for T {}

/// The [`Error::Unsupported`] a connector returns for a write it cannot do.
///
/// ```
/// use canvass_core::{WriteOp, unsupported_write};
/// let op = WriteOp::RemoveTag { person_id: "1".into(), tag_id: "2".into() };
/// assert_eq!(unsupported_write("strive", &op).to_string(), "strive: unsupported: write RemoveTag");
/// ```
pub fn unsupported_write(system: &str, op: &WriteOp) -> Error {
    Error::unsupported(system, format!("write {:?}", op.kind()))
}

/// A page stream that fails at once with [`Error::Unsupported`].
pub fn unsupported_read<'a>(system: &str, kind: &EntityKind) -> PageStream<'a> {
    let err = Error::unsupported(system, format!("read {kind}"));
    Box::pin(futures::stream::once(async move { Err(err) }))
}

/// Makes `stream` (of pages, or of a typed client's pages) an optional
/// read: a 404 ([`Error::NotFound`]) before its
/// first page becomes [`Error::NotOffered`] for `what` (e.g. `"read tags"`),
/// which the engine reports as skipped ("not offered by this account"), not
/// as a failure. A 404 after the first page, and every other error, passes
/// through unchanged.
///
/// Use it for reads the vendor documents as available only to some accounts
/// or plans, or for routes the vendor does not publish.
///
/// ```
/// # futures::executor::block_on(async {
/// use futures::StreamExt;
/// use canvass_core::{Error, optional_read};
/// let missing: canvass_core::PageStream<'static> = Box::pin(futures::stream::once(async {
///     Err(Error::not_found("mobilize", "GET /v1/tags: Not found"))
/// }));
/// let mut read = optional_read(missing, "mobilize", "read tags");
/// let err = read.next().await.and_then(Result::err);
/// assert!(err.is_some_and(|e| e.is_not_offered()));
/// # });
/// ```
pub fn optional_read<'a, T: Send + 'a>(
    stream: BoxStream<'a, Result<T, Error>>,
    system: &str,
    what: &str,
) -> BoxStream<'a, Result<T, Error>> {
    use futures::StreamExt;
    let system = system.to_string();
    let what = what.to_string();
    let mut first = true;
    Box::pin(stream.map(move |item| {
        let was_first = std::mem::replace(&mut first, false);
        match item {
            Err(Error::NotFound { what: route, .. }) if was_first => Err(Error::not_offered(
                system.clone(),
                what.clone(),
                format!("the vendor answered 404 ({route})"),
            )),
            other => other,
        }
    }))
}
