//! [`SpokeDb`]: the typed, read-only client for a Spoke PostgreSQL database.
//!
//! Every connection it opens sets `default_transaction_read_only = on` (and
//! `TimeZone = 'UTC'`, and the configured `search_path`) before anything
//! else, so canvass cannot write to Spoke's database even when the role it
//! is given could.
//!
//! Large tables are streamed: a read is one statement executed through an
//! unnamed portal (`tokio_postgres::Client::query_raw`), whose rows arrive
//! as the consumer takes them. tokio-postgres hands rows over through a
//! one-slot channel and stops reading the socket while it is full, so the
//! server, not the client, holds what has not been consumed yet: memory
//! stays flat whatever the table's size. The rows are grouped into pages
//! of `page_size`.
//!
//! Each table is read in the order of a key that only grows (see
//! [`Table::key`]) and resumed after the last key read:
//!
//! - `id` for append-only tables (`message`, `opt_out`,
//!   `question_response`) and for the small ones read whole;
//! - `(updated_at, id)` where the schema keeps `updated_at` (`campaign_contact`,
//!   `tag`, `tag_campaign_contact`): the id breaks ties between rows changed
//!   in the same microsecond, so a page boundary between them loses nothing.
//!
//! A row committed late with a key below one already read (an insert whose
//! transaction began before, and committed after, a later one) would be
//! passed over. [`TableRead::settle_seconds`] guards against that: rows younger than
//! the settle time are left for the next read, and on id-keyed tables the
//! read stops before the first young row, so nothing after it is skipped.

mod json;
mod lookups;

use std::sync::Arc;

use canvass_postgres::PgConnector;
use chrono::{DateTime, Utc};
use futures::stream::{self, BoxStream, StreamExt};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, Row};

use canvass_core::Error;
use canvass_core::http::scrub;

pub use lookups::{ContactForWrite, ContactTag};

/// The system name used in errors and source references.
pub const SYSTEM: &str = "spoke";

/// Rows per page unless configured.
pub const DEFAULT_PAGE_SIZE: u32 = 1000;

/// The tables canvass reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Table {
    /// `organization`.
    Organizations,
    /// `campaign`.
    Campaigns,
    /// `campaign_contact` (with its campaign's `organization_id`).
    CampaignContacts,
    /// `message` (with its contact's `campaign_id`).
    Messages,
    /// `opt_out` (with the `campaign_contact_id` of the contact with that cell).
    OptOuts,
    /// `interaction_step` rows that ask a question (with their `answer_options`).
    Questions,
    /// `question_response` (with the `answer_step_id` its value names).
    QuestionResponses,
    /// `tag`.
    Tags,
    /// `tag_campaign_contact` (with its tag's `organization_id`).
    ContactTags,
}

/// The monotonic key a table is read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// `id` alone.
    Id,
    /// `(updated_at, id)`.
    UpdatedAt,
}

impl Table {
    /// Every table canvass reads, in the order [`crate::routes::TABLES`] lists them.
    pub const ALL: [Table; 9] = [
        Table::Organizations,
        Table::Campaigns,
        Table::CampaignContacts,
        Table::Messages,
        Table::OptOuts,
        Table::Questions,
        Table::QuestionResponses,
        Table::Tags,
        Table::ContactTags,
    ];

    /// The table's name in Spoke's schema.
    pub fn name(self) -> &'static str {
        match self {
            Table::Organizations => "organization",
            Table::Campaigns => "campaign",
            Table::CampaignContacts => "campaign_contact",
            Table::Messages => "message",
            Table::OptOuts => "opt_out",
            Table::Questions => "interaction_step",
            Table::QuestionResponses => "question_response",
            Table::Tags => "tag",
            Table::ContactTags => "tag_campaign_contact",
        }
    }

    /// The key the table is read in.
    pub fn key(self) -> KeyKind {
        match self {
            Table::CampaignContacts | Table::Tags | Table::ContactTags => KeyKind::UpdatedAt,
            _ => KeyKind::Id,
        }
    }

    /// `(from and joins, organization expression, extra condition, joined columns)`.
    fn parts(self, scoped: bool) -> (&'static str, &'static str, &'static str, &'static str) {
        match self {
            Table::Organizations => ("organization t", "t.id", "", ""),
            Table::Campaigns => ("campaign t", "t.organization_id", "", ""),
            Table::CampaignContacts => (
                "campaign_contact t LEFT JOIN campaign c ON c.id = t.campaign_id",
                "c.organization_id",
                "",
                ", c.organization_id AS organization_id",
            ),
            Table::Messages if scoped => (
                "message t LEFT JOIN campaign_contact cc ON cc.id = t.campaign_contact_id \
                 LEFT JOIN campaign c ON c.id = cc.campaign_id",
                "c.organization_id",
                "",
                ", cc.campaign_id AS campaign_id",
            ),
            Table::Messages => (
                "message t LEFT JOIN campaign_contact cc ON cc.id = t.campaign_contact_id",
                "NULL::int8",
                "",
                ", cc.campaign_id AS campaign_id",
            ),
            Table::OptOuts => (
                "opt_out t",
                "t.organization_id",
                "",
                ", (SELECT x.id FROM campaign_contact x JOIN campaign xc ON xc.id = x.campaign_id \
                  WHERE x.cell = t.cell AND xc.organization_id = t.organization_id \
                  ORDER BY (x.assignment_id IS NOT DISTINCT FROM t.assignment_id) DESC, x.id DESC \
                  LIMIT 1) AS campaign_contact_id",
            ),
            Table::Questions => (
                "interaction_step t LEFT JOIN campaign c ON c.id = t.campaign_id",
                "c.organization_id",
                "AND t.question <> ''",
                ", c.organization_id AS organization_id, \
                 COALESCE((SELECT jsonb_agg(jsonb_build_object('id', a.id, \
                 'answer_option', a.answer_option, 'is_deleted', a.is_deleted) ORDER BY a.id) \
                 FROM interaction_step a WHERE a.parent_interaction_id = t.id), '[]'::jsonb) \
                 AS answer_options",
            ),
            Table::QuestionResponses if scoped => (
                "question_response t LEFT JOIN campaign_contact cc ON cc.id = t.campaign_contact_id \
                 LEFT JOIN campaign c ON c.id = cc.campaign_id",
                "c.organization_id",
                "",
                QUESTION_RESPONSE_JOINED,
            ),
            Table::QuestionResponses => (
                "question_response t",
                "NULL::int8",
                "",
                QUESTION_RESPONSE_JOINED,
            ),
            Table::Tags => ("tag t", "t.organization_id", "", ""),
            Table::ContactTags => (
                "tag_campaign_contact t LEFT JOIN tag g ON g.id = t.tag_id",
                "g.organization_id",
                "",
                ", g.organization_id AS organization_id",
            ),
        }
    }

    /// The statement reading this table: the key in columns 0 and 1, then
    /// every column of the row (`t.*`, so columns a fork adds come along)
    /// and the joined ones. Parameters: `$1` organization (int8, null for
    /// all), `$2` id after (int8), `$3` updated_at after (timestamptz, null
    /// for the start), `$4` settle seconds (float8).
    pub(crate) fn sql(self, scoped: bool, settle: bool) -> String {
        let (from, org, extra, joined) = self.parts(scoped);
        let table = self.name();
        let (after, order, young) = match self.key() {
            KeyKind::Id => (
                "t.id > $2::int8",
                "t.id",
                format!(
                    "AND t.id < COALESCE((SELECT min(y.id) FROM {table} y WHERE y.id > $2::int8 \
                     AND y.created_at >= now() - make_interval(secs => $4)), 9223372036854775807)"
                ),
            ),
            KeyKind::UpdatedAt => (
                "($3::timestamptz IS NULL OR (t.updated_at, t.id) > ($3::timestamptz, $2::int8))",
                "t.updated_at, t.id",
                "AND t.updated_at < now() - make_interval(secs => $4)".to_string(),
            ),
        };
        let young = if settle {
            young
        } else {
            // Keep $4 typed when unused.
            "AND $4::float8 IS NOT NULL".to_string()
        };
        let typed3 = if self.key() == KeyKind::Id {
            "AND ($3::timestamptz IS NULL OR TRUE)"
        } else {
            ""
        };
        format!(
            "SELECT t.id::int8, {updated}, t.* {joined} FROM {from} \
             WHERE ($1::int8 IS NULL OR {org} = $1) AND {after} {extra} {young} {typed3} \
             ORDER BY {order}",
            updated = if self.key() == KeyKind::UpdatedAt {
                "t.updated_at"
            } else {
                "NULL::timestamptz"
            },
        )
    }
}

const QUESTION_RESPONSE_JOINED: &str = ", (SELECT a.id FROM interaction_step a \
     WHERE a.parent_interaction_id = t.interaction_step_id AND a.answer_option = t.value \
     ORDER BY a.is_deleted, a.id LIMIT 1) AS answer_step_id";

/// Where a read of one table stands: after this key.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    /// The last `id` read (the tie-break, for `(updated_at, id)` tables).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// The last `updated_at` read, for `(updated_at, id)` tables.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<DateTime<Utc>>,
}

impl Position {
    /// Whether this is the start of the table.
    pub fn is_start(&self) -> bool {
        self.id.is_none() && self.updated_at.is_none()
    }
}

/// One row read: its key and its JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct DbRow {
    /// The position just after this row.
    pub key: Position,
    /// The row's columns as JSON (see [`Table`] for the joined ones).
    pub json: Value,
}

/// A read-only client for a Spoke database. Cheap to clone.
///
/// ```no_run
/// # async fn run() -> Result<(), canvass_core::Error> {
/// use canvass_spoke::db::{SpokeDb, Table};
/// use futures::TryStreamExt;
/// let db = SpokeDb::new("postgres://canvass@db.example.org/spoke", None)?;
/// let mut pages = db.read(Table::OptOuts).page_size(500).stream();
/// while let Some(page) = pages.try_next().await? {
///     println!("{} opt-outs", page.len());
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct SpokeDb {
    inner: Arc<Inner>,
}

struct Inner {
    connector: PgConnector,
    schema: Option<String>,
    lookup: tokio::sync::Mutex<Option<Client>>,
}

impl std::fmt::Debug for SpokeDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hosts: Vec<String> = self
            .inner
            .connector
            .config()
            .get_hosts()
            .iter()
            .map(|h| match h {
                tokio_postgres::config::Host::Tcp(s) => s.clone(),
                #[cfg(unix)]
                tokio_postgres::config::Host::Unix(p) => p.display().to_string(),
            })
            .collect();
        f.debug_struct("SpokeDb")
            .field("hosts", &hosts)
            .field("dbname", &self.inner.connector.config().get_dbname())
            .field("user", &self.inner.connector.config().get_user())
            .field("sslmode", &self.inner.connector.ssl_mode())
            .field("schema", &self.inner.schema)
            .finish_non_exhaustive()
    }
}

/// Whether `name` is a plain SQL identifier (what a schema name may be here).
fn plain_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
        && name.len() <= 63
}

impl SpokeDb {
    /// A client for the database at `url` (a `postgres://` URL or a
    /// `key=value` connection string), reading Spoke's tables in `schema`
    /// (the server's `search_path` when `None`). Nothing connects yet. The
    /// URL's `sslmode` and `sslrootcert` set TLS, `require` by default for
    /// a host that is not loopback (see [`canvass_postgres`]).
    ///
    /// # Errors
    /// [`Error::Config`] for a URL that does not parse (named with its
    /// password hidden), an unknown `sslmode`, an unreadable `sslrootcert`,
    /// or a schema that is not a plain identifier.
    pub fn new(url: &str, schema: Option<&str>) -> Result<SpokeDb, Error> {
        let connector = PgConnector::new(url)
            .map_err(|e| Error::Config(format!("the Spoke database URL: {e}")))?;
        if let Some(s) = schema
            && !plain_identifier(s)
        {
            return Err(Error::Config(format!(
                "spoke schema `{s}` is not a plain SQL identifier"
            )));
        }
        Ok(SpokeDb {
            inner: Arc::new(Inner {
                connector,
                schema: schema.map(str::to_string),
                lookup: tokio::sync::Mutex::new(None),
            }),
        })
    }

    /// Maps a database error onto [`Error`], secrets scrubbed.
    ///
    /// Refused credentials (SQLSTATE class 28) are [`Error::Auth`]; a
    /// missing table or column is [`Error::Config`] (not a Spoke schema, or
    /// a wrong `schema`); lost connections and timeouts are
    /// [`Error::Transport`]; any other server error is [`Error::Api`] with
    /// status 0 (not HTTP) and the SQLSTATE as its code.
    pub fn error(&self, what: &str, e: &tokio_postgres::Error) -> Error {
        let clean = |s: &str| scrub(s, self.inner.connector.secrets());
        if let Some(db) = e.as_db_error() {
            let code = db.code().code();
            let message = clean(&format!("{what}: {} (SQLSTATE {code})", db.message()));
            return match code {
                c if c.starts_with("28") => Error::auth(SYSTEM, message),
                "3D000" | "42P01" | "42703" | "3F000" | "42883" => Error::Config(format!(
                    "{message}; is this a Spoke database, at a Spoke version canvass reads \
                     (campaign_contact_id on message, the tag tables), in the configured schema?"
                )),
                "57014" => Error::Transport {
                    system: SYSTEM.into(),
                    message,
                    timeout: true,
                },
                c if c.starts_with("08") || c.starts_with("57P") || c == "53300" => {
                    Error::transport(SYSTEM, message)
                }
                _ => Error::Api {
                    system: SYSTEM.into(),
                    status: 0,
                    code: Some(code.to_string()),
                    message,
                    fields: vec![],
                },
            };
        }
        let mut message = format!("{what}: {e}");
        let mut source = std::error::Error::source(e);
        while let Some(s) = source {
            message.push_str(": ");
            message.push_str(&s.to_string());
            source = s.source();
        }
        if message.contains("TLS") || message.contains("tls") || message.contains("certificate") {
            return Error::Config(clean(&format!(
                "{message}; canvass connects to Spoke's database with sslmode={} (set sslmode \
                 and sslrootcert in the database URL: verify-full with the server's CA file, \
                 or disable for a local connection or an SSH tunnel)",
                self.inner.connector.ssl_mode()
            )));
        }
        Error::transport(SYSTEM, clean(&message))
    }

    /// Opens a read-only session.
    ///
    /// # Errors
    /// [`Error::Auth`] for refused credentials, [`Error::Transport`] when
    /// the server cannot be reached.
    pub async fn connect(&self) -> Result<Client, Error> {
        let client = self
            .inner
            .connector
            .connect()
            .await
            .map_err(|e| self.error("connect", &e))?;
        let mut setup = String::from(
            "SET default_transaction_read_only = on; SET TimeZone = 'UTC'; \
             SET application_name = 'canvass-spoke';",
        );
        if let Some(schema) = &self.inner.schema {
            setup.push_str(&format!(" SET search_path TO \"{schema}\";"));
        }
        client
            .batch_execute(&setup)
            .await
            .map_err(|e| self.error("set up the read-only session", &e))?;
        Ok(client)
    }

    /// Connects and checks that the tables every Spoke has are there (the
    /// tag tables, which older Spokes lack, are not required: see
    /// [`crate::routes::TABLES`]).
    ///
    /// # Errors
    /// As [`SpokeDb::connect`], and [`Error::Config`] naming a missing table.
    pub async fn ping(&self) -> Result<(), Error> {
        let client = self.connect().await?;
        for table in Table::ALL
            .into_iter()
            .filter(|t| crate::routes::required(*t))
        {
            let found: Option<String> = client
                .query_one("SELECT to_regclass($1)::text", &[&table.name()])
                .await
                .map_err(|e| self.error("look up tables", &e))?
                .get(0);
            if found.is_none() {
                return Err(Error::Config(format!(
                    "the Spoke database has no table `{}`{}",
                    table.name(),
                    self.inner
                        .schema
                        .as_deref()
                        .map(|s| format!(" in schema `{s}`"))
                        .unwrap_or_default()
                )));
            }
        }
        Ok(())
    }

    /// A read of `table`, to configure and stream.
    pub fn read(&self, table: Table) -> TableRead {
        TableRead {
            db: self.clone(),
            table,
            organization: None,
            after: Position::default(),
            page_size: DEFAULT_PAGE_SIZE,
            settle_seconds: 0.0,
        }
    }

    /// The shared lookup session, (re)connected on demand.
    pub(crate) async fn lookup(
        &self,
    ) -> Result<tokio::sync::MutexGuard<'_, Option<Client>>, Error> {
        let mut guard = self.inner.lookup.lock().await;
        if guard.as_ref().is_none_or(Client::is_closed) {
            *guard = Some(self.connect().await?);
        }
        Ok(guard)
    }
}

/// One table read being configured; finish with [`TableRead::stream`].
#[derive(Debug, Clone)]
#[must_use = "a read does nothing until streamed"]
pub struct TableRead {
    db: SpokeDb,
    table: Table,
    organization: Option<i64>,
    after: Position,
    page_size: u32,
    settle_seconds: f64,
}

impl TableRead {
    /// Only rows of this organization.
    pub fn organization(mut self, id: Option<i64>) -> Self {
        self.organization = id;
        self
    }

    /// Resumes after `position`.
    pub fn after(mut self, position: Position) -> Self {
        self.after = position;
        self
    }

    /// Rows per page (at least 1).
    pub fn page_size(mut self, n: u32) -> Self {
        self.page_size = n.max(1);
        self
    }

    /// Leaves rows younger than this many seconds for a later read (see the
    /// module docs); 0 reads everything committed.
    pub fn settle_seconds(mut self, secs: f64) -> Self {
        self.settle_seconds = if secs.is_finite() { secs.max(0.0) } else { 0.0 };
        self
    }

    /// The statement this read runs.
    pub fn sql(&self) -> String {
        self.table
            .sql(self.organization.is_some(), self.settle_seconds > 0.0)
    }

    /// Streams the rows in pages of `page_size`, in key order, on one
    /// connection and one statement.
    ///
    /// Rows are read and turned into JSON on a task of their own, at most
    /// two pages ahead of the consumer, so reading the next page overlaps
    /// mapping this one while memory stays bounded. The stream owns its
    /// connection; dropping it ends the statement.
    pub fn stream(self) -> BoxStream<'static, Result<Vec<DbRow>, Error>> {
        canvass_core::http::prefetch(self.stream_here(), 2, SYSTEM)
    }

    /// [`TableRead::stream`] on the caller's task.
    fn stream_here(self) -> BoxStream<'static, Result<Vec<DbRow>, Error>> {
        let sql = self.sql();
        let TableRead {
            db,
            table,
            organization,
            after,
            page_size,
            settle_seconds,
        } = self;
        let size = page_size as usize;
        stream::once(async move {
            let client = db.connect().await?;
            let params: Vec<Box<dyn ToSql + Sync + Send>> = vec![
                Box::new(organization),
                Box::new(after.id.unwrap_or(i64::MIN)),
                Box::new(after.updated_at),
                Box::new(settle_seconds),
            ];
            let rows = client
                .query_raw(
                    sql.as_str(),
                    params.iter().map(|p| p.as_ref() as &(dyn ToSql + Sync)),
                )
                .await
                .map_err(|e| db.error(&format!("read {}", table.name()), &e))?;
            let state = (client, Box::pin(rows), db, false);
            Ok::<_, Error>(stream::unfold(
                state,
                move |(client, mut rows, db, done)| async move {
                    if done {
                        return None;
                    }
                    let mut page = Vec::with_capacity(size);
                    loop {
                        match rows.next().await {
                            Some(Ok(row)) => match decode_row(&row) {
                                Ok(r) => page.push(r),
                                Err(e) => {
                                    let e = db.error(&format!("read {}", table.name()), &e);
                                    return Some((Err(e), (client, rows, db, true)));
                                }
                            },
                            Some(Err(e)) => {
                                let e = db.error(&format!("read {}", table.name()), &e);
                                return Some((Err(e), (client, rows, db, true)));
                            }
                            None => {
                                return (!page.is_empty())
                                    .then_some((Ok(page), (client, rows, db, true)));
                            }
                        }
                        if page.len() >= size {
                            return Some((Ok(page), (client, rows, db, false)));
                        }
                    }
                },
            ))
        })
        .map(|first| match first {
            Ok(pages) => pages.boxed(),
            Err(e) => stream::once(async move { Err(e) }).boxed(),
        })
        .flatten()
        .boxed()
    }
}

fn decode_row(row: &Row) -> Result<DbRow, tokio_postgres::Error> {
    let id: i64 = row.try_get(0)?;
    let updated_at: Option<DateTime<Utc>> = row.try_get(1)?;
    Ok(DbRow {
        key: Position {
            id: Some(id),
            updated_at,
        },
        json: json::row_to_json(row, 2),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_names_must_be_plain_identifiers() {
        assert!(SpokeDb::new("postgres://u@localhost/db", Some("spoke_1")).is_ok());
        let err = SpokeDb::new("postgres://u@localhost/db", Some("x\"; DROP")).err();
        assert!(matches!(err, Some(Error::Config(_))), "{err:?}");
    }

    #[test]
    fn a_bad_url_is_a_config_error_without_the_url() {
        let err = SpokeDb::new("postgres://u:hunter22@[::1/db", None).err();
        let text = format!("{err:?}");
        assert!(matches!(err, Some(Error::Config(_))), "{text}");
        assert!(!text.contains("hunter22"), "{text}");
    }

    #[test]
    fn debug_shows_host_and_database_but_not_the_password() {
        let db = SpokeDb::new("postgres://u:hunter22@db.example.org/spoke", None).unwrap();
        let text = format!("{db:?}");
        assert!(
            text.contains("db.example.org") && text.contains("spoke"),
            "{text}"
        );
        assert!(!text.contains("hunter22"), "{text}");
    }

    #[test]
    fn updated_at_tables_break_ties_on_id_and_id_tables_stop_before_young_rows() {
        let contacts = Table::CampaignContacts.sql(false, true);
        assert!(contacts.contains("(t.updated_at, t.id) > ($3::timestamptz, $2::int8)"));
        assert!(contacts.contains("ORDER BY t.updated_at, t.id"));
        let messages = Table::Messages.sql(false, true);
        assert!(messages.contains("SELECT min(y.id) FROM message y"));
        assert!(messages.ends_with("ORDER BY t.id"));
        assert!(!Table::Messages.sql(false, false).contains("min(y.id)"));
    }
}
