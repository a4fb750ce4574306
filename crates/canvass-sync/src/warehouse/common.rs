//! What both backends share: the small [`Backend`] interface each one
//! implements, and the warehouse operations written once on top of it.

use std::sync::Arc;

use async_trait::async_trait;
use canvass_core::identity::MatchRule;
use canvass_core::{Channel, Checkpoint, EntityKind, Record, SourceRef, SubscriptionStatus};
use futures::stream::BoxStream;
use futures::{StreamExt, TryStreamExt};

use super::schema::{DATA_TABLES, Dialect};
use super::sql::{Stmt, is_json_column, value_to_json};
use super::{
    CanonicalPerson, CanonicalPersonRow, ChannelStatus, EXPORT_TABLES, ExportRow, IdentityLink,
    IdentityTables, LedgerEntry, LedgerStatus, PlannedWrite, SqlValue, StoredRecord,
};
use crate::error::{SyncError, SyncResult};
use crate::report::RunReport;
use crate::rows::{Cell, table_of};

/// Rows streamed by a backend: the column names and one row's values.
pub(crate) type RowStream = BoxStream<'static, SyncResult<(Arc<[String]>, Vec<SqlValue>)>>;

/// What a backend provides; everything else is built on it.
#[async_trait]
pub(crate) trait Backend: Send + Sync {
    fn dialect(&self) -> Dialect;
    /// Runs statements (PostgreSQL syntax, rendered by the backend) in one
    /// transaction; returns rows affected by each.
    async fn execute_tx(&self, stmts: Vec<Stmt>) -> SyncResult<Vec<u64>>;
    /// Runs a query and collects its rows.
    async fn select_all(&self, sql: &str, params: Vec<Cell>) -> SyncResult<Vec<Vec<SqlValue>>>;
    /// Runs a query on a separate connection and streams its rows.
    fn select_stream(&self, sql: String, params: Vec<Cell>) -> RowStream;
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

pub(crate) async fn schema_version(b: &dyn Backend) -> SyncResult<u32> {
    let rows = b
        .select_all("SELECT MAX(version) FROM schema_version", vec![])
        .await?;
    Ok(rows
        .first()
        .and_then(|r| r.first())
        .and_then(SqlValue::int)
        .unwrap_or(0) as u32)
}

pub(crate) async fn begin_run(b: &dyn Backend) -> SyncResult<i64> {
    let rows = b
        .select_all(
            "INSERT INTO sync_runs (started_at, status) VALUES ($1, 'running') RETURNING run_id",
            vec![Cell::text(now())],
        )
        .await?;
    rows.first()
        .and_then(|r| r.first())
        .and_then(SqlValue::int)
        .ok_or_else(|| SyncError::Schema("sync_runs returned no run_id".into()))
}

pub(crate) async fn finish_run(b: &dyn Backend, run_id: i64, report: &RunReport) -> SyncResult<()> {
    let mut stmts: Vec<Stmt> = vec![(
        "UPDATE sync_runs SET finished_at = $1, status = $2, report = $3::text::jsonb WHERE run_id = $4".into(),
        vec![
            Cell::text(now()),
            Cell::text(if report.is_success() { "succeeded" } else { "failed" }),
            Cell::text(serde_json::to_string(report)?),
            Cell::Int(Some(run_id)),
        ],
    )];
    for source in &report.sources {
        for k in &source.kinds {
            let c = &k.counts;
            stmts.push((
                "INSERT INTO sync_run_counts (run_id, source, kind, pages, read, inserted, updated, unchanged, failed, warnings, error) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
                 ON CONFLICT (run_id, source, kind) DO NOTHING"
                    .into(),
                vec![
                    Cell::Int(Some(run_id)),
                    Cell::text(source.name.clone()),
                    Cell::text(k.kind.as_str()),
                    Cell::Int(Some(k.pages as i64)),
                    Cell::Int(Some(c.read as i64)),
                    Cell::Int(Some(c.inserted as i64)),
                    Cell::Int(Some(c.updated as i64)),
                    Cell::Int(Some(c.unchanged as i64)),
                    Cell::Int(Some(c.failed as i64)),
                    Cell::Int(Some(c.warnings as i64)),
                    Cell::opt(k.error.clone()),
                ],
            ));
        }
    }
    b.execute_tx(stmts).await.map(|_| ())
}

pub(crate) async fn checkpoint(
    b: &dyn Backend,
    source: &str,
    kind: &EntityKind,
) -> SyncResult<Option<Checkpoint>> {
    let rows = b
        .select_all(
            "SELECT checkpoint FROM checkpoints WHERE source = $1 AND kind = $2",
            vec![Cell::text(source), Cell::text(kind.as_str())],
        )
        .await?;
    Ok(rows
        .first()
        .and_then(|r| r.first())
        .and_then(SqlValue::text)
        .map(Checkpoint))
}

pub(crate) async fn clear_checkpoint(
    b: &dyn Backend,
    source: &str,
    kind: &EntityKind,
) -> SyncResult<()> {
    b.execute_tx(vec![(
        "DELETE FROM checkpoints WHERE source = $1 AND kind = $2".into(),
        vec![Cell::text(source), Cell::text(kind.as_str())],
    )])
    .await
    .map(|_| ())
}

/// The column of a kind's table naming the person a record is about.
fn person_column(kind: &EntityKind) -> Option<&'static str> {
    match kind {
        EntityKind::People => Some("id"),
        EntityKind::Attendances
        | EntityKind::Taggings
        | EntityKind::SurveyResponses
        | EntityKind::Messages
        | EntityKind::ContactAttempts
        | EntityKind::OptOuts
        | EntityKind::Donations
        | EntityKind::Actions => Some("person_id"),
        _ => None,
    }
}

pub(crate) fn records(
    b: &dyn Backend,
    kind: EntityKind,
) -> BoxStream<'static, SyncResult<StoredRecord>> {
    let Some(table) = table_of(&kind) else {
        let err = SyncError::Config(format!("no table for entity kind {kind}"));
        return futures::stream::once(async move { Err(err) }).boxed();
    };
    let sql = match person_column(&kind) {
        Some(col) => format!(
            "SELECT t.data, l.canonical_id FROM {table} t LEFT JOIN identity_links l \
             ON l.system = t.system AND l.source_id = t.{col} ORDER BY t.system, t.id"
        ),
        None => format!("SELECT t.data, NULL FROM {table} t ORDER BY t.system, t.id"),
    };
    b.select_stream(sql, vec![])
        .map(move |row| {
            let (_, values) = row?;
            let data = values
                .first()
                .map(SqlValue::json)
                .transpose()?
                .unwrap_or_default();
            let record = record_from_json(&kind, data)?;
            Ok(StoredRecord {
                record,
                canonical_person_id: values.get(1).and_then(SqlValue::text),
            })
        })
        .boxed()
}

fn record_from_json(kind: &EntityKind, data: serde_json::Value) -> SyncResult<Record> {
    Ok(match kind {
        EntityKind::People => Record::Person(serde_json::from_value(data)?),
        EntityKind::Events => Record::Event(serde_json::from_value(data)?),
        EntityKind::Shifts => Record::Shift(serde_json::from_value(data)?),
        EntityKind::Attendances => Record::Attendance(serde_json::from_value(data)?),
        EntityKind::Tags => Record::Tag(serde_json::from_value(data)?),
        EntityKind::Taggings => Record::Tagging(serde_json::from_value(data)?),
        EntityKind::SurveyQuestions => Record::SurveyQuestion(serde_json::from_value(data)?),
        EntityKind::SurveyResponses => Record::SurveyResponse(serde_json::from_value(data)?),
        EntityKind::Messages => Record::Message(serde_json::from_value(data)?),
        EntityKind::ContactAttempts => Record::ContactAttempt(serde_json::from_value(data)?),
        EntityKind::OptOuts => Record::OptOut(serde_json::from_value(data)?),
        EntityKind::Donations => Record::Donation(serde_json::from_value(data)?),
        EntityKind::Actions => Record::Action(serde_json::from_value(data)?),
        other => {
            return Err(SyncError::Config(format!(
                "no table for entity kind {other}"
            )));
        }
    })
}

fn sort_key(table: &str) -> &'static str {
    DATA_TABLES
        .iter()
        .find(|(t, _)| *t == table)
        .map(|(_, k)| *k)
        .unwrap_or(match table {
            "sync_runs" => "run_id",
            "sync_run_counts" => "run_id, source, kind",
            _ => "run_id, source, kind, record",
        })
}

pub(crate) fn export(b: &dyn Backend, table: &str) -> BoxStream<'static, SyncResult<ExportRow>> {
    let Some(table) = EXPORT_TABLES.iter().find(|t| **t == table) else {
        let err = SyncError::Config(format!(
            "cannot export {table:?}: choose one of {}",
            EXPORT_TABLES.join(", ")
        ));
        return futures::stream::once(async move { Err(err) }).boxed();
    };
    let sql = format!("SELECT * FROM {table} ORDER BY {}", sort_key(table));
    b.select_stream(sql, vec![])
        .map(|row| {
            let (columns, values) = row?;
            let values = columns
                .iter()
                .zip(values.iter())
                .map(|(c, v)| value_to_json(v, is_json_column(c)))
                .collect();
            Ok(ExportRow { columns, values })
        })
        .boxed()
}

fn link_from(values: &[SqlValue]) -> IdentityLink {
    let t = |i: usize| values.get(i).and_then(SqlValue::text);
    IdentityLink {
        source: SourceRef::new(t(0).unwrap_or_default(), t(1).unwrap_or_default()),
        canonical_id: t(2).unwrap_or_default(),
        rule: t(3).map(|r| MatchRule::parse(&r)),
        match_key: t(4),
        linked_to: match (t(5), t(6)) {
            (Some(s), Some(i)) => Some(SourceRef::new(s, i)),
            _ => None,
        },
        score: values.get(7).and_then(SqlValue::real),
    }
}

const LINK_COLUMNS: &str =
    "system, source_id, canonical_id, rule, match_key, linked_system, linked_id, score";

pub(crate) async fn identity_links(b: &dyn Backend) -> SyncResult<Vec<IdentityLink>> {
    let sql = format!("SELECT {LINK_COLUMNS} FROM identity_links ORDER BY system, source_id");
    b.select_stream(sql, vec![])
        .map(|row| row.map(|(_, v)| link_from(&v)))
        .try_collect()
        .await
}

pub(crate) async fn replace_identities(b: &dyn Backend, tables: &IdentityTables) -> SyncResult<()> {
    let mut stmts: Vec<Stmt> = vec![
        ("DELETE FROM identity_links".into(), vec![]),
        ("DELETE FROM canonical_people".into(), vec![]),
        ("DELETE FROM canonical_channel_status".into(), vec![]),
    ];
    stmts.reserve(tables.links.len() + tables.people.len() + tables.statuses.len());
    for l in &tables.links {
        stmts.push((
            format!(
                "INSERT INTO identity_links ({LINK_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
            ),
            vec![
                Cell::text(l.source.system.clone()),
                Cell::text(l.source.id.clone()),
                Cell::text(l.canonical_id.clone()),
                Cell::opt(l.rule.as_ref().map(|r| r.as_str().to_string())),
                Cell::opt(l.match_key.clone()),
                Cell::opt(l.linked_to.as_ref().map(|r| r.system.clone())),
                Cell::opt(l.linked_to.as_ref().map(|r| r.id.clone())),
                Cell::Real(l.score),
            ],
        ));
    }
    for p in &tables.people {
        stmts.push((
            "INSERT INTO canonical_people (canonical_id, given_name, family_name, email, phone, source_count) \
             VALUES ($1, $2, $3, $4, $5, $6)"
                .into(),
            vec![
                Cell::text(p.canonical_id.clone()),
                Cell::opt(p.given_name.clone()),
                Cell::opt(p.family_name.clone()),
                Cell::opt(p.email.clone()),
                Cell::opt(p.phone.clone()),
                Cell::Int(Some(p.source_count as i64)),
            ],
        ));
    }
    for s in &tables.statuses {
        stmts.push((
            "INSERT INTO canonical_channel_status (canonical_id, channel, status, as_of, reason, source_system, source_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)"
                .into(),
            vec![
                Cell::text(s.canonical_id.clone()),
                Cell::text(s.channel.as_str()),
                Cell::text(s.status.as_str()),
                Cell::time(s.as_of),
                Cell::opt(s.reason.clone()),
                Cell::text(s.source.system.clone()),
                Cell::text(s.source.id.clone()),
            ],
        ));
    }
    b.execute_tx(stmts).await.map(|_| ())
}

fn status_from(values: &[SqlValue]) -> ChannelStatus {
    let t = |i: usize| values.get(i).and_then(SqlValue::text);
    ChannelStatus {
        canonical_id: t(0).unwrap_or_default(),
        channel: Channel::parse(&t(1).unwrap_or_default()),
        status: SubscriptionStatus::parse(&t(2).unwrap_or_default()),
        as_of: t(3).and_then(|s| canvass_core::time::parse_timestamp(&s)),
        reason: t(4),
        source: SourceRef::new(t(5).unwrap_or_default(), t(6).unwrap_or_default()),
    }
}

pub(crate) fn canonical_people(b: &dyn Backend) -> BoxStream<'static, SyncResult<CanonicalPerson>> {
    // Three ordered streams merged by canonical id: people, links, statuses.
    let people = b.select_stream(
        "SELECT canonical_id, given_name, family_name, email, phone, source_count FROM canonical_people \
         ORDER BY canonical_id"
            .into(),
        vec![],
    );
    let links = b.select_stream(
        format!(
            "SELECT {LINK_COLUMNS} FROM identity_links ORDER BY canonical_id, system, source_id"
        ),
        vec![],
    );
    let statuses = b.select_stream(
        "SELECT canonical_id, channel, status, as_of, reason, source_system, source_id \
         FROM canonical_channel_status ORDER BY canonical_id, channel"
            .into(),
        vec![],
    );
    struct State {
        people: super::common::RowStream,
        links: futures::stream::Peekable<super::common::RowStream>,
        statuses: futures::stream::Peekable<super::common::RowStream>,
    }
    let state = State {
        people,
        links: links.peekable(),
        statuses: statuses.peekable(),
    };
    futures::stream::try_unfold(state, |mut st| async move {
        let Some(row) = st.people.next().await else {
            return Ok(None);
        };
        let (_, v) = row?;
        let t = |i: usize| v.get(i).and_then(SqlValue::text);
        let person = CanonicalPersonRow {
            canonical_id: t(0).unwrap_or_default(),
            given_name: t(1),
            family_name: t(2),
            email: t(3),
            phone: t(4),
            source_count: v.get(5).and_then(SqlValue::int).unwrap_or(0) as u64,
        };
        let mut links = Vec::new();
        loop {
            let next = std::pin::Pin::new(&mut st.links).peek().await;
            match next {
                Some(Ok((_, v)))
                    if v.get(2).and_then(SqlValue::text).as_deref()
                        == Some(&person.canonical_id) =>
                {
                    links.push(link_from(v));
                    st.links.next().await;
                }
                Some(Err(_)) => {
                    if let Some(Err(e)) = st.links.next().await {
                        return Err(e);
                    }
                }
                _ => break,
            }
        }
        links.sort_by(|a, b| a.source.cmp(&b.source));
        let mut statuses = Vec::new();
        loop {
            let next = std::pin::Pin::new(&mut st.statuses).peek().await;
            match next {
                Some(Ok((_, v)))
                    if v.first().and_then(SqlValue::text).as_deref()
                        == Some(&person.canonical_id) =>
                {
                    statuses.push(status_from(v));
                    st.statuses.next().await;
                }
                Some(Err(_)) => {
                    if let Some(Err(e)) = st.statuses.next().await {
                        return Err(e);
                    }
                }
                _ => break,
            }
        }
        Ok(Some((
            CanonicalPerson {
                person,
                links,
                statuses,
            },
            st,
        )))
    })
    .boxed()
}

pub(crate) async fn canonical_id_of(
    b: &dyn Backend,
    source: &SourceRef,
) -> SyncResult<Option<String>> {
    let rows = b
        .select_all(
            "SELECT canonical_id FROM identity_links WHERE system = $1 AND source_id = $2",
            vec![
                Cell::text(source.system.clone()),
                Cell::text(source.id.clone()),
            ],
        )
        .await?;
    Ok(rows
        .first()
        .and_then(|r| r.first())
        .and_then(SqlValue::text))
}

const LEDGER_COLUMNS: &str = "idempotency_key, rule, target, op, status, outcome_id, error, attempts, planned_at, updated_at";

fn entry_from(v: &[SqlValue]) -> SyncResult<LedgerEntry> {
    let t = |i: usize| v.get(i).and_then(SqlValue::text);
    let op = v
        .get(3)
        .map(SqlValue::json)
        .transpose()?
        .unwrap_or_default();
    Ok(LedgerEntry {
        idempotency_key: t(0).unwrap_or_default(),
        rule: t(1).unwrap_or_default(),
        target: t(2).unwrap_or_default(),
        op: serde_json::from_value(op)?,
        status: LedgerStatus::parse(&t(4).unwrap_or_default()),
        outcome_id: t(5),
        error: t(6),
        attempts: v.get(7).and_then(SqlValue::int).unwrap_or(0) as u64,
        planned_at: t(8).unwrap_or_default(),
        updated_at: t(9).unwrap_or_default(),
    })
}

pub(crate) async fn ledger_entry(b: &dyn Backend, key: &str) -> SyncResult<Option<LedgerEntry>> {
    let rows = b
        .select_all(
            &format!("SELECT {LEDGER_COLUMNS} FROM push_ledger WHERE idempotency_key = $1"),
            vec![Cell::text(key)],
        )
        .await?;
    rows.first().map(|r| entry_from(r)).transpose()
}

pub(crate) async fn ledger_plan(b: &dyn Backend, w: &PlannedWrite) -> SyncResult<LedgerEntry> {
    let at = now();
    b.execute_tx(vec![(
        "INSERT INTO push_ledger (idempotency_key, rule, target, op, status, outcome_id, error, attempts, planned_at, updated_at) \
         VALUES ($1, $2, $3, $4::text::jsonb, 'planned', NULL, NULL, 0, $5, $5) ON CONFLICT (idempotency_key) DO NOTHING"
            .into(),
        vec![
            Cell::text(w.idempotency_key.clone()),
            Cell::text(w.rule.clone()),
            Cell::text(w.target.clone()),
            Cell::text(serde_json::to_string(&w.op)?),
            Cell::text(at),
        ],
    )])
    .await?;
    ledger_entry(b, &w.idempotency_key).await?.ok_or_else(|| {
        SyncError::Ledger(format!(
            "entry {} vanished after planning",
            w.idempotency_key
        ))
    })
}

async fn ledger_mark(
    b: &dyn Backend,
    key: &str,
    status: LedgerStatus,
    outcome: Option<&str>,
    error: Option<&str>,
) -> SyncResult<()> {
    let affected = b
        .execute_tx(vec![(
            "UPDATE push_ledger SET status = $1, outcome_id = $2, error = $3, attempts = attempts + 1, updated_at = $4 \
             WHERE idempotency_key = $5"
                .into(),
            vec![
                Cell::text(status.as_str()),
                Cell::opt(outcome.map(str::to_string)),
                Cell::opt(error.map(str::to_string)),
                Cell::text(now()),
                Cell::text(key),
            ],
        )])
        .await?;
    if affected.first().copied().unwrap_or(0) == 0 {
        return Err(SyncError::Ledger(format!(
            "no planned write with key {key}"
        )));
    }
    Ok(())
}

pub(crate) async fn ledger_mark_written(
    b: &dyn Backend,
    key: &str,
    outcome: Option<&str>,
) -> SyncResult<()> {
    ledger_mark(b, key, LedgerStatus::Written, outcome, None).await
}

pub(crate) async fn ledger_mark_failed(b: &dyn Backend, key: &str, error: &str) -> SyncResult<()> {
    ledger_mark(b, key, LedgerStatus::Failed, None, Some(error)).await
}

pub(crate) async fn ledger_mark_sending(b: &dyn Backend, key: &str) -> SyncResult<()> {
    let affected = b
        .execute_tx(vec![(
            "UPDATE push_ledger SET status = $1, error = NULL, updated_at = $2 WHERE idempotency_key = $3"
                .into(),
            vec![
                Cell::text(LedgerStatus::Sending.as_str()),
                Cell::text(now()),
                Cell::text(key),
            ],
        )])
        .await?;
    if affected.first().copied().unwrap_or(0) == 0 {
        return Err(SyncError::Ledger(format!(
            "no planned write with key {key}"
        )));
    }
    Ok(())
}

pub(crate) async fn push_lock(
    b: &dyn Backend,
    target: &str,
    holder: &str,
    ttl: std::time::Duration,
) -> SyncResult<()> {
    let at = chrono::Utc::now();
    let expires = at + chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::MAX);
    let stamp =
        |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    // Taken when free, lapsed, or already ours (a renewal); the timestamps
    // share one fixed-width UTC format, so text order is time order.
    let affected = b
        .execute_tx(vec![(
            "INSERT INTO push_locks (target, holder, acquired_at, expires_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (target) DO UPDATE SET holder = excluded.holder, \
             acquired_at = CASE WHEN push_locks.holder = excluded.holder THEN push_locks.acquired_at ELSE excluded.acquired_at END, \
             expires_at = excluded.expires_at \
             WHERE push_locks.holder = excluded.holder OR push_locks.expires_at < excluded.acquired_at"
                .into(),
            vec![
                Cell::text(target),
                Cell::text(holder),
                Cell::text(stamp(at)),
                Cell::text(stamp(expires)),
            ],
        )])
        .await?;
    if affected.first().copied().unwrap_or(0) > 0 {
        return Ok(());
    }
    let rows = b
        .select_all(
            "SELECT holder, acquired_at, expires_at FROM push_locks WHERE target = $1",
            vec![Cell::text(target)],
        )
        .await?;
    let cell = |i: usize| {
        rows.first()
            .and_then(|r| r.get(i))
            .and_then(SqlValue::text)
            .unwrap_or_default()
    };
    Err(SyncError::PushLocked {
        target: target.to_string(),
        holder: cell(0),
        acquired_at: cell(1),
        expires_at: cell(2),
    })
}

pub(crate) async fn push_unlock(b: &dyn Backend, target: &str, holder: &str) -> SyncResult<()> {
    b.execute_tx(vec![(
        "DELETE FROM push_locks WHERE target = $1 AND holder = $2".into(),
        vec![Cell::text(target), Cell::text(holder)],
    )])
    .await?;
    Ok(())
}

pub(crate) async fn ledger_pending(
    b: &dyn Backend,
    target: Option<&str>,
) -> SyncResult<Vec<LedgerEntry>> {
    let (sql, params) = match target {
        Some(t) => (
            format!(
                "SELECT {LEDGER_COLUMNS} FROM push_ledger WHERE status <> 'written' AND target = $1 ORDER BY idempotency_key"
            ),
            vec![Cell::text(t)],
        ),
        None => (
            format!(
                "SELECT {LEDGER_COLUMNS} FROM push_ledger WHERE status <> 'written' ORDER BY idempotency_key"
            ),
            vec![],
        ),
    };
    b.select_all(&sql, params)
        .await?
        .iter()
        .map(|r| entry_from(r))
        .collect()
}

pub(crate) async fn dump(b: &dyn Backend) -> SyncResult<String> {
    use std::fmt::Write;
    let mut out = String::new();
    for (table, key) in DATA_TABLES {
        let _ = writeln!(out, "## {table}");
        let mut rows = b.select_stream(format!("SELECT * FROM {table} ORDER BY {key}"), vec![]);
        while let Some(row) = rows.next().await {
            let (cols, values) = row?;
            let cells: Vec<String> = cols
                .iter()
                .zip(values.iter())
                .filter(|(c, _)| !matches!(c.as_str(), "planned_at" | "updated_at"))
                .map(|(c, v)| {
                    let j = value_to_json(v, is_json_column(c));
                    // Normalize JSON documents so both backends dump alike.
                    format!("{c}={j}")
                })
                .collect();
            let _ = writeln!(out, "{}", cells.join(" | "));
        }
    }
    Ok(out)
}

/// Runs every migration past the stored version, each in its own transaction.
pub(crate) async fn migrate(b: &dyn Backend, up_to: u32) -> SyncResult<u32> {
    b.execute_tx(vec![(
        "CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL, applied_at TEXT NOT NULL)".into(),
        vec![],
    )])
    .await?;
    let current = schema_version(b).await?;
    if current > super::SCHEMA_VERSION {
        return Err(SyncError::Schema(format!(
            "the warehouse is at schema version {current}, newer than this build's {}: upgrade canvass",
            super::SCHEMA_VERSION
        )));
    }
    for version in current + 1..=up_to.min(super::SCHEMA_VERSION) {
        let mut stmts: Vec<Stmt> = super::schema::migration(version, b.dialect())
            .into_iter()
            .map(|s| (s, vec![]))
            .collect();
        stmts.push((
            "INSERT INTO schema_version (version, applied_at) VALUES ($1, $2)".into(),
            vec![Cell::Int(Some(i64::from(version))), Cell::text(now())],
        ));
        b.execute_tx(stmts).await.map_err(|e| {
            SyncError::Schema(format!("migration to version {version} failed: {e}"))
        })?;
        tracing::info!(version, "warehouse schema migrated");
    }
    schema_version(b).await
}

/// Implements [`Warehouse`](super::Warehouse) for a backend by delegating to
/// the shared operations above.
macro_rules! impl_warehouse {
    ($ty:ty, $name:literal) => {
        #[async_trait::async_trait]
        impl $crate::warehouse::Warehouse for $ty {
            fn backend_name(&self) -> &'static str {
                $name
            }
            async fn schema_version(&self) -> $crate::SyncResult<u32> {
                common::schema_version(self).await
            }
            async fn begin_run(&self) -> $crate::SyncResult<i64> {
                common::begin_run(self).await
            }
            async fn finish_run(&self, run_id: i64, report: &$crate::RunReport) -> $crate::SyncResult<()> {
                common::finish_run(self, run_id, report).await
            }
            async fn checkpoint(
                &self,
                source: &str,
                kind: &canvass_core::EntityKind,
            ) -> $crate::SyncResult<Option<canvass_core::Checkpoint>> {
                common::checkpoint(self, source, kind).await
            }
            async fn clear_checkpoint(&self, source: &str, kind: &canvass_core::EntityKind) -> $crate::SyncResult<()> {
                common::clear_checkpoint(self, source, kind).await
            }
            async fn store_page(
                &self,
                write: $crate::warehouse::PageWrite<'_>,
            ) -> $crate::SyncResult<$crate::warehouse::PageCounts> {
                self.store_page_impl(write).await
            }
            fn records(
                &self,
                kind: canvass_core::EntityKind,
            ) -> futures::stream::BoxStream<'static, $crate::SyncResult<$crate::warehouse::StoredRecord>> {
                common::records(self, kind)
            }
            fn export(
                &self,
                table: &str,
            ) -> futures::stream::BoxStream<'static, $crate::SyncResult<$crate::warehouse::ExportRow>> {
                common::export(self, table)
            }
            async fn identity_links(&self) -> $crate::SyncResult<Vec<$crate::warehouse::IdentityLink>> {
                common::identity_links(self).await
            }
            async fn replace_identities(&self, tables: &$crate::warehouse::IdentityTables) -> $crate::SyncResult<()> {
                common::replace_identities(self, tables).await
            }
            fn canonical_people(
                &self,
            ) -> futures::stream::BoxStream<'static, $crate::SyncResult<$crate::warehouse::CanonicalPerson>> {
                common::canonical_people(self)
            }
            async fn canonical_id_of(&self, source: &canvass_core::SourceRef) -> $crate::SyncResult<Option<String>> {
                common::canonical_id_of(self, source).await
            }
            async fn ledger_plan(
                &self,
                write: &$crate::warehouse::PlannedWrite,
            ) -> $crate::SyncResult<$crate::warehouse::LedgerEntry> {
                common::ledger_plan(self, write).await
            }
            async fn ledger_mark_written(&self, key: &str, outcome_id: Option<&str>) -> $crate::SyncResult<()> {
                common::ledger_mark_written(self, key, outcome_id).await
            }
            async fn ledger_mark_failed(&self, key: &str, error: &str) -> $crate::SyncResult<()> {
                common::ledger_mark_failed(self, key, error).await
            }
            async fn ledger_mark_sending(&self, key: &str) -> $crate::SyncResult<()> {
                common::ledger_mark_sending(self, key).await
            }
            async fn ledger_pending(&self, target: Option<&str>) -> $crate::SyncResult<Vec<$crate::warehouse::LedgerEntry>> {
                common::ledger_pending(self, target).await
            }
            async fn ledger_entry(&self, key: &str) -> $crate::SyncResult<Option<$crate::warehouse::LedgerEntry>> {
                common::ledger_entry(self, key).await
            }
            async fn push_lock(&self, target: &str, holder: &str, ttl: std::time::Duration) -> $crate::SyncResult<()> {
                common::push_lock(self, target, holder, ttl).await
            }
            async fn push_unlock(&self, target: &str, holder: &str) -> $crate::SyncResult<()> {
                common::push_unlock(self, target, holder).await
            }
            async fn dump(&self) -> $crate::SyncResult<String> {
                common::dump(self).await
            }
        }
    };
}
pub(crate) use impl_warehouse;
