//! The embedded warehouse: one SQLite file (bundled SQLite, WAL journal).
//!
//! One writer: every write runs on a dedicated thread that owns the
//! connection, one transaction per page, with cached prepared statements.
//! Streams read on their own read-only connections (WAL lets readers run
//! beside the writer).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc;

use async_trait::async_trait;
use futures::StreamExt;
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, OpenFlags, ToSql};

use super::common::{self, Backend, RowStream, impl_warehouse};
use super::schema::Dialect;
use super::sql::{Stmt, prepare_rows, render};
use super::sqlite_load::{self, PageMeta, Part};

/// Records mapped per part of a page handed to the writer.
const PART_RECORDS: usize = 128;
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
            Cell::Real(Some(f)) => ToSqlOutput::Owned(rusqlite::types::Value::Real(*f)),
            Cell::Text(None) | Cell::Int(None) | Cell::Real(None) => {
                ToSqlOutput::Owned(rusqlite::types::Value::Null)
            }
        })
    }
}

fn value_of(v: ValueRef<'_>) -> SqlValue {
    match v {
        ValueRef::Null => SqlValue::Null,
        ValueRef::Integer(i) => SqlValue::Int(i),
        ValueRef::Real(f) => SqlValue::Real(f),
        ValueRef::Text(t) => SqlValue::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => SqlValue::Text(String::from_utf8_lossy(b).into_owned()),
    }
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    // 8 KiB pages for new files (an existing file keeps its own): half the
    // WAL frames, and fewer page splits, per record stored.
    conn.pragma_update(None, "page_size", 8192)?;
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

/// Starts the thread that checkpoints the WAL into the database file
/// after writes, on its own connection, so the writer does not stop to copy
/// pages and sync the file between pages. Passive checkpoints never block
/// the writer; its own automatic checkpoint stays as the backstop. The
/// thread ends when the writer does (the returned sender is dropped).
fn spawn_checkpointer(path: &Path) -> SyncResult<mpsc::SyncSender<()>> {
    let conn = Connection::open(path)?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "cache_size", 16)?;
    let (signal, writes) = mpsc::sync_channel::<()>(1);
    std::thread::Builder::new()
        .name("canvass-sqlite-checkpointer".into())
        .spawn(move || {
            while writes.recv().is_ok() {
                if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
                    tracing::debug!(error = %e, "background WAL checkpoint skipped");
                }
                // Let a few pages accumulate: one sync of the file per batch.
                std::thread::sleep(CHECKPOINT_PAUSE);
            }
        })
        .map_err(|e| SyncError::Worker(e.to_string()))?;
    Ok(signal)
}

/// The least time between two background checkpoints.
const CHECKPOINT_PAUSE: std::time::Duration = std::time::Duration::from_millis(100);

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
        let checkpointer = spawn_checkpointer(&path)?;
        let (jobs, rx) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("canvass-sqlite-writer".into())
            .spawn(move || {
                let mut conn = conn;
                while let Ok(job) = rx.recv() {
                    job(&mut conn);
                    // A signal already pending covers this job too.
                    let _ = checkpointer.try_send(());
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

    /// Queues a job on the writer thread; the receiver yields its result.
    fn submit<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> SyncResult<R> + Send + 'static,
    ) -> SyncResult<tokio::sync::oneshot::Receiver<SyncResult<R>>> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.jobs
            .send(Box::new(move |conn| {
                let _ = tx.send(f(conn));
            }))
            .map_err(|_| SyncError::Worker("the SQLite writer thread has stopped".into()))?;
        Ok(rx)
    }

    async fn call<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> SyncResult<R> + Send + 'static,
    ) -> SyncResult<R> {
        self.submit(f)?
            .await
            .map_err(|_| SyncError::Worker("the SQLite writer thread dropped a job".into()))?
    }

    /// Stores a page in one transaction on the writer thread while this
    /// task maps its rows part by part, so mapping (serializing and
    /// hashing) the next part overlaps writing the previous one.
    async fn store_page_impl(&self, write: PageWrite<'_>) -> SyncResult<PageCounts> {
        let (parts, receiver) = std::sync::mpsc::channel();
        let (spent_tx, spent) = std::sync::mpsc::channel();
        let done = self.submit(move |conn| sqlite_load::store_parts(conn, &receiver, &spent_tx))?;
        let page = write.page;
        let chunks = page
            .records
            .len()
            .max(page.raw.len())
            .div_ceil(PART_RECORDS);
        for c in 0..chunks {
            let slice = |len: usize| (c * PART_RECORDS).min(len)..((c + 1) * PART_RECORDS).min(len);
            let part = prepare_rows(
                &page.records[slice(page.records.len())],
                &page.raw[slice(page.raw.len())],
            )?;
            if parts.send(Part::Rows(part)).is_err() {
                break; // the writer failed; its error is in `done`
            }
            // Free what the writer is done with while it writes.
            while spent.try_recv().is_ok() {}
        }
        let _ = parts.send(Part::Finish(PageMeta {
            run_id: write.run_id,
            source: write.source.to_string(),
            kind: write.kind.clone(),
            issues: page.issues.clone(),
            checkpoint: page.checkpoint.clone(),
            dry_run: write.dry_run,
        }));
        done.await
            .map_err(|_| SyncError::Worker("the SQLite writer thread dropped a job".into()))?
    }
}

fn run_stmts(conn: &Connection, stmts: &[Stmt]) -> SyncResult<Vec<u64>> {
    let mut affected = Vec::with_capacity(stmts.len());
    for (sql, params) in stmts {
        let mut stmt = conn.prepare_cached(&render(sql, Dialect::Sqlite))?;
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
