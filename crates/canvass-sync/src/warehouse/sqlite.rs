//! The embedded warehouse: one SQLite file (bundled SQLite, WAL journal).
//!
//! One writer: every write runs on a dedicated thread that owns the
//! connection, one transaction per page, with cached prepared statements.
//! Streams read on their own read-only connections (WAL lets readers run
//! beside the writer).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc;

use async_trait::async_trait;
use futures::StreamExt;
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, OpenFlags, ToSql};

use super::common::{self, Backend, RowStream, impl_warehouse};
use super::schema::Dialect;
use super::sql::{PreparedPage, Stmt, page_lookups, plan_page, prepare_page, render, row_key};
use super::{PageCounts, PageWrite, SqlValue};
use crate::error::{SyncError, SyncResult};
use crate::rows::Cell;

type Job = Box<dyn FnOnce(&mut Connection) + Send>;

/// A warehouse in one SQLite file.
#[derive(Debug)]
pub struct SqliteWarehouse {
    path: PathBuf,
    jobs: mpsc::Sender<Job>,
}

impl ToSql for Cell {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Cell::Text(Some(s)) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            Cell::Int(Some(i)) => ToSqlOutput::Owned(rusqlite::types::Value::Integer(*i)),
            Cell::Text(None) | Cell::Int(None) => ToSqlOutput::Owned(rusqlite::types::Value::Null),
        })
    }
}

fn value_of(v: ValueRef<'_>) -> SqlValue {
    match v {
        ValueRef::Null => SqlValue::Null,
        ValueRef::Integer(i) => SqlValue::Int(i),
        ValueRef::Real(f) => SqlValue::Text(f.to_string()),
        ValueRef::Text(t) => SqlValue::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => SqlValue::Text(String::from_utf8_lossy(b).into_owned()),
    }
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    // 64 MiB of page cache and fewer, larger WAL checkpoints for bulk loads.
    conn.pragma_update(None, "cache_size", -65536)?;
    conn.pragma_update(None, "wal_autocheckpoint", 10_000)?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    conn.busy_timeout(std::time::Duration::from_secs(30))?;
    conn.set_prepared_statement_cache_capacity(256);
    Ok(())
}

impl SqliteWarehouse {
    /// Opens (creating if needed) the warehouse at `path` and migrates it to
    /// [`SCHEMA_VERSION`](super::SCHEMA_VERSION).
    ///
    /// # Errors
    /// When the file cannot be opened or a migration fails.
    pub async fn open(path: impl AsRef<Path>) -> SyncResult<SqliteWarehouse> {
        Self::open_at_version(path, super::SCHEMA_VERSION).await
    }

    /// Opens the warehouse migrating only up to `version`: for testing
    /// migrations from every earlier version.
    ///
    /// # Errors
    /// When the file cannot be opened, a migration fails, or the file is
    /// newer than this build.
    pub async fn open_at_version(
        path: impl AsRef<Path>,
        version: u32,
    ) -> SyncResult<SqliteWarehouse> {
        let path = path.as_ref().to_path_buf();
        let conn = Connection::open(&path)?;
        configure(&conn)?;
        let (jobs, rx) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("canvass-sqlite-writer".into())
            .spawn(move || {
                let mut conn = conn;
                while let Ok(job) = rx.recv() {
                    job(&mut conn);
                }
            })
            .map_err(|e| SyncError::Worker(e.to_string()))?;
        let warehouse = SqliteWarehouse { path, jobs };
        common::migrate(&warehouse, version).await?;
        Ok(warehouse)
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    async fn call<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> SyncResult<R> + Send + 'static,
    ) -> SyncResult<R> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.jobs
            .send(Box::new(move |conn| {
                let _ = tx.send(f(conn));
            }))
            .map_err(|_| SyncError::Worker("the SQLite writer thread has stopped".into()))?;
        rx.await
            .map_err(|_| SyncError::Worker("the SQLite writer thread dropped a job".into()))?
    }

    async fn store_page_impl(&self, write: PageWrite<'_>) -> SyncResult<PageCounts> {
        let prepared = prepare_page(write.page)?;
        let meta = canvass_core::Page {
            records: Vec::new(),
            raw: Vec::new(),
            issues: write.page.issues.clone(),
            checkpoint: write.page.checkpoint.clone(),
        };
        let (run_id, source, kind, dry_run) = (
            write.run_id,
            write.source.to_string(),
            write.kind.clone(),
            write.dry_run,
        );
        self.call(move |conn| {
            let tx = conn.transaction()?;
            let existing = existing_hashes(&tx, &prepared)?;
            let mut existing = existing;
            let plan = plan_page(
                prepared,
                &meta,
                &mut existing,
                run_id,
                &source,
                &kind,
                Dialect::Sqlite,
            );
            run_stmts(&tx, &plan.stmts)?;
            if dry_run {
                tx.rollback()?;
            } else {
                tx.commit()?;
            }
            Ok(plan.counts)
        })
        .await
    }
}

/// How many ids one lookup binds.
const LOOKUP_CHUNK: usize = 400;

/// The stored hashes of a page's rows: one `IN (...)` query per table,
/// system and chunk of ids rather than one query per record.
fn existing_hashes(
    conn: &Connection,
    prepared: &PreparedPage,
) -> SyncResult<HashMap<String, String>> {
    let mut out = HashMap::new();
    for (group, (system, ids)) in page_lookups(prepared) {
        let table = group.split('\u{1f}').next().unwrap_or_default().to_string();
        let raw_kind = table.strip_prefix("raw_records/").map(str::to_string);
        for chunk in ids.chunks(LOOKUP_CHUNK) {
            let marks = vec!["?"; chunk.len()].join(", ");
            let (sql, mut params): (String, Vec<&str>) = match &raw_kind {
                Some(kind) => (
                    format!(
                        "SELECT id, content_hash FROM raw_records WHERE system = ? AND kind = ? AND id IN ({marks})"
                    ),
                    vec![system.as_str(), kind.as_str()],
                ),
                None => (
                    format!(
                        "SELECT id, content_hash FROM {table} WHERE system = ? AND id IN ({marks})"
                    ),
                    vec![system.as_str()],
                ),
            };
            params.extend(chunk.iter().map(String::as_str));
            let mut stmt = conn.prepare_cached(&sql)?;
            let mut rows = stmt.query(rusqlite::params_from_iter(params.iter()))?;
            while let Some(row) = rows.next()? {
                let id: String = row.get(0)?;
                out.insert(row_key(&table, &system, &id), row.get::<_, String>(1)?);
            }
        }
    }
    Ok(out)
}

fn run_stmts(conn: &Connection, stmts: &[Stmt]) -> SyncResult<Vec<u64>> {
    let mut affected = Vec::with_capacity(stmts.len());
    for (sql, params) in stmts {
        // Page statements come rendered already; shared ones are rendered here.
        let text = if sql.contains('$') || sql.contains("::") {
            std::borrow::Cow::Owned(render(sql, Dialect::Sqlite))
        } else {
            std::borrow::Cow::Borrowed(sql.as_str())
        };
        let mut stmt = conn.prepare_cached(&text)?;
        let n = stmt.execute(rusqlite::params_from_iter(params.iter()))?;
        affected.push(n as u64);
    }
    Ok(affected)
}

fn collect_rows(conn: &Connection, sql: &str, params: &[Cell]) -> SyncResult<Vec<Vec<SqlValue>>> {
    let mut stmt = conn.prepare_cached(&render(sql, Dialect::Sqlite))?;
    let n = stmt.column_count();
    let mut rows = stmt.query(rusqlite::params_from_iter(params.iter()))?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let mut values = Vec::with_capacity(n);
        for i in 0..n {
            values.push(value_of(row.get_ref(i)?));
        }
        out.push(values);
    }
    Ok(out)
}

#[async_trait]
impl Backend for SqliteWarehouse {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    async fn execute_tx(&self, stmts: Vec<Stmt>) -> SyncResult<Vec<u64>> {
        self.call(move |conn| {
            let tx = conn.transaction()?;
            let affected = run_stmts(&tx, &stmts)?;
            tx.commit()?;
            Ok(affected)
        })
        .await
    }

    async fn select_all(&self, sql: &str, params: Vec<Cell>) -> SyncResult<Vec<Vec<SqlValue>>> {
        let sql = sql.to_string();
        self.call(move |conn| collect_rows(conn, &sql, &params))
            .await
    }

    fn select_stream(&self, sql: String, params: Vec<Cell>) -> RowStream {
        let path = self.path.clone();
        let (tx, rx) =
            tokio::sync::mpsc::channel::<SyncResult<(Arc<[String]>, Vec<SqlValue>)>>(512);
        let spawned = std::thread::Builder::new()
            .name("canvass-sqlite-reader".into())
            .spawn(move || {
                let run = || -> SyncResult<()> {
                    let conn = Connection::open_with_flags(
                        &path,
                        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                    )?;
                    conn.busy_timeout(std::time::Duration::from_secs(30))?;
                    let mut stmt = conn.prepare(&render(&sql, Dialect::Sqlite))?;
                    let columns: Arc<[String]> =
                        stmt.column_names().iter().map(|c| c.to_string()).collect();
                    let n = columns.len();
                    let mut rows = stmt.query(rusqlite::params_from_iter(params.iter()))?;
                    while let Some(row) = rows.next()? {
                        let mut values = Vec::with_capacity(n);
                        for i in 0..n {
                            values.push(value_of(row.get_ref(i)?));
                        }
                        if tx.blocking_send(Ok((columns.clone(), values))).is_err() {
                            return Ok(()); // the reader went away
                        }
                    }
                    Ok(())
                };
                if let Err(e) = run() {
                    let _ = tx.blocking_send(Err(e));
                }
            });
        if let Err(e) = spawned {
            let err = SyncError::Worker(e.to_string());
            return futures::stream::once(async move { Err(err) }).boxed();
        }
        futures::stream::unfold(rx, |mut rx| async move {
            rx.recv().await.map(|item| (item, rx))
        })
        .boxed()
    }
}

impl_warehouse!(SqliteWarehouse, "sqlite");
