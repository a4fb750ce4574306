//! Storing one page in SQLite, the hot path of every sync.
//!
//! The page's rows are mapped (serialized and hashed, repeated keys and
//! write order worked out) before they reach the writer thread; here records
//! are compared with the stored content hashes (one `IN (…)` lookup per
//! table and chunk of ids), and only new or changed rows are written:
//! multi-row statements, prepared once and cached, with every parameter
//! bound from the mapped rows by reference. Contact-point rows are deleted
//! and rewritten only for people whose content changed; raw records are
//! upserted under a content-hash guard, with no lookup.

use std::collections::HashMap;

use canvass_core::{Checkpoint, EntityKind, RecordIssue};
use rusqlite::{CachedStatement, Connection, ToSql, TransactionBehavior};

use super::PageCounts;
use super::sql::{PreparedPage, RawRow};
use crate::error::{SyncError, SyncResult};
use crate::rows::{Cell, ChildRows, RecordRows};

/// The bookkeeping part of a page: its issues and checkpoint.
#[derive(Debug)]
pub(crate) struct PageMeta {
    pub run_id: i64,
    pub source: String,
    pub kind: EntityKind,
    pub issues: Vec<RecordIssue>,
    pub checkpoint: Option<Checkpoint>,
    pub dry_run: bool,
}

/// A hash map with a fast, non-cryptographic hasher, for the ids the writer
/// hashes thousands of times per page.
type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// How many ids one hash lookup binds.
const LOOKUP_CHUNK: usize = 500;
/// Rows per multi-row statement (a person row binds 12 parameters).
const ROWS_PER_STMT: usize = 64;

/// One part of a page on its way to the writer: a slice of its rows, or the
/// end of the page with its issues and checkpoint.
pub(crate) enum Part {
    Rows(PreparedPage),
    Finish(PageMeta),
}

/// Stores a page arriving in parts, with its issues and checkpoint, in one
/// transaction. The caller maps the next part while this one is written;
/// a caller that goes away before [`Part::Finish`] leaves nothing behind.
/// Parts written are handed back on `spent`, so the caller, not the
/// writer, spends the time freeing them.
pub(crate) fn store_parts(
    conn: &mut Connection,
    parts: &std::sync::mpsc::Receiver<Part>,
    spent: &std::sync::mpsc::Sender<PreparedPage>,
) -> SyncResult<PageCounts> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut counts = PageCounts::default();
    loop {
        match parts.recv() {
            Ok(Part::Rows(prepared)) => {
                store_rows(&tx, &prepared, &mut counts)?;
                let _ = spent.send(prepared);
            }
            Ok(Part::Finish(meta)) => {
                finish(&tx, &meta, &mut counts)?;
                if meta.dry_run {
                    tx.rollback()?;
                } else {
                    tx.commit()?;
                }
                return Ok(counts);
            }
            Err(_) => {
                return Err(SyncError::Worker(
                    "a page was abandoned before it was complete; nothing of it was stored".into(),
                ));
            }
        }
    }
}

/// Stores a prepared part of a page (its records and raw JSON), counting
/// what it inserts, updates and leaves unchanged.
fn store_rows(tx: &Connection, prepared: &PreparedPage, counts: &mut PageCounts) -> SyncResult<()> {
    let records = &prepared.records;
    // Each occurrence of a key counts against the one before it: an
    // earlier record of the part, or the stored row.
    let stored = stored_record_hashes(tx, records, &prepared.record_order)?;
    for (i, rows) in records.iter().enumerate() {
        counts.read += 1;
        let previous = match prepared.previous.get(i).copied().flatten() {
            Some(p) => Some(records[p].main.hash.as_str()),
            None => stored_hash(&stored, rows),
        };
        match previous {
            Some(h) if h == rows.main.hash => counts.unchanged += 1,
            Some(_) => counts.updated += 1,
            None => counts.inserted += 1,
        }
    }
    // The last version of each key is written when it differs from the
    // stored row, in key order.
    let writes: Vec<usize> = prepared
        .record_order
        .iter()
        .copied()
        .filter(|&i| {
            let rows = &records[i];
            stored_hash(&stored, rows) != Some(rows.main.hash.as_str())
        })
        .collect();

    // Contact points of changed people go first, then the rows themselves.
    for &i in &writes {
        let rows = &prepared.records[i];
        if stored_hash(&stored, rows).is_some() {
            for child in &rows.children {
                let mut stmt = tx.prepare_cached(&format!(
                    "DELETE FROM {} WHERE system = ?1 AND person_id = ?2",
                    child.table
                ))?;
                stmt.execute([rows.main.system.as_str(), rows.main.id.as_str()])?;
            }
        }
    }
    upsert_main_rows(tx, prepared, &writes)?;
    insert_child_rows(tx, prepared, &writes)?;
    upsert_raw(tx, &prepared.raw, &prepared.raw_order)?;
    Ok(())
}

/// Stores a page's issues and its checkpoint.
fn finish(tx: &Connection, meta: &PageMeta, counts: &mut PageCounts) -> SyncResult<()> {
    for issue in &meta.issues {
        if issue.skipped {
            counts.failed += 1;
        } else {
            counts.warnings += 1;
        }
        if meta.run_id > 0 {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO sync_run_failures (run_id, source, kind, record, field, message, skipped) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            stmt.execute(rusqlite::params![
                meta.run_id,
                meta.source,
                meta.kind.as_str(),
                issue.record,
                issue.field,
                issue.message,
                i64::from(issue.skipped),
            ])?;
        }
    }
    counts.read += counts.failed;
    if let Some(cp) = &meta.checkpoint {
        let mut stmt = tx.prepare_cached(
            "INSERT INTO checkpoints (source, kind, checkpoint) VALUES (?1, ?2, ?3) \
             ON CONFLICT (source, kind) DO UPDATE SET checkpoint = excluded.checkpoint",
        )?;
        stmt.execute([meta.source.as_str(), meta.kind.as_str(), cp.0.as_str()])?;
    }
    Ok(())
}

type StoredHashes<'p> = FastMap<(&'static str, &'p str), FastMap<String, String>>;

fn stored_hash<'s, 'p>(stored: &'s StoredHashes<'p>, rows: &'p RecordRows) -> Option<&'s str> {
    stored
        .get(&(rows.main.table, rows.main.system.as_str()))
        .and_then(|h| h.get(rows.main.id.as_str()))
        .map(String::as_str)
}

/// The stored content hashes of `records[i]` for each `i` in `which`, per
/// table and system.
fn stored_record_hashes<'p>(
    conn: &Connection,
    records: &'p [RecordRows],
    which: &[usize],
) -> SyncResult<StoredHashes<'p>> {
    let mut groups: FastMap<(&'static str, &'p str), Vec<&'p str>> = FastMap::default();
    for r in which.iter().map(|&i| &records[i]) {
        groups
            .entry((r.main.table, r.main.system.as_str()))
            .or_default()
            .push(r.main.id.as_str());
    }
    let mut out: StoredHashes<'p> = FastMap::default();
    for ((table, system), ids) in groups {
        let found = out.entry((table, system)).or_default();
        for chunk in ids.chunks(LOOKUP_CHUNK) {
            let sql = format!(
                "SELECT id, content_hash FROM {table} WHERE system = ?1 AND id IN ({})",
                marks(chunk.len(), 2)
            );
            lookup(conn, &sql, &[system], chunk, found)?;
        }
    }
    Ok(out)
}

/// `?n, ?n+1, …` for `count` parameters starting at `first`.
fn marks(count: usize, first: usize) -> String {
    let mut s = String::with_capacity(count * 5);
    for i in 0..count {
        if i > 0 {
            s.push_str(", ");
        }
        s.push('?');
        s.push_str(&(first + i).to_string());
    }
    s
}

fn lookup(
    conn: &Connection,
    sql: &str,
    fixed: &[&str],
    ids: &[&str],
    found: &mut FastMap<String, String>,
) -> SyncResult<()> {
    let mut stmt = conn.prepare_cached(sql)?;
    let mut n = 0;
    for value in fixed.iter().chain(ids) {
        n += 1;
        stmt.raw_bind_parameter(n, value)?;
    }
    let mut rows = stmt.raw_query();
    while let Some(row) = rows.next()? {
        found.insert(row.get(0)?, row.get(1)?);
    }
    Ok(())
}

/// Binds parameters one after another on a multi-row statement.
struct Binder<'s, 'c> {
    stmt: CachedStatement<'c>,
    next: usize,
    _rows: std::marker::PhantomData<&'s ()>,
}

impl<'s, 'c> Binder<'s, 'c> {
    fn new(conn: &'c Connection, sql: &str) -> SyncResult<Binder<'s, 'c>> {
        Ok(Binder {
            stmt: conn.prepare_cached(sql)?,
            next: 0,
            _rows: std::marker::PhantomData,
        })
    }
    fn bind<T: ToSql + ?Sized>(&mut self, value: &T) -> SyncResult<()> {
        self.next += 1;
        self.stmt.raw_bind_parameter(self.next, value)?;
        Ok(())
    }
    fn execute(mut self) -> SyncResult<()> {
        self.stmt.raw_execute()?;
        Ok(())
    }
}

/// `INSERT … VALUES (…), (…) …` text for `rows` rows of `width` columns.
fn values_sql(head: &str, width: usize, rows: usize, tail: &str) -> String {
    let mut one = String::with_capacity(width * 3 + 2);
    one.push('(');
    for c in 0..width {
        if c > 0 {
            one.push(',');
        }
        one.push('?');
    }
    one.push(')');
    let mut sql = String::with_capacity(head.len() + tail.len() + rows * (one.len() + 1) + 16);
    sql.push_str(head);
    sql.push_str(" VALUES ");
    for r in 0..rows {
        if r > 0 {
            sql.push(',');
        }
        sql.push_str(&one);
    }
    sql.push(' ');
    sql.push_str(tail);
    sql
}

/// Upserts the entity-table rows of `writes`, grouped by table.
fn upsert_main_rows(
    conn: &Connection,
    prepared: &PreparedPage,
    writes: &[usize],
) -> SyncResult<()> {
    let mut by_table: Vec<(&'static str, Vec<&RecordRows>)> = Vec::new();
    for &i in writes {
        let rows = &prepared.records[i];
        match by_table.iter_mut().find(|(t, _)| *t == rows.main.table) {
            Some((_, list)) => list.push(rows),
            None => by_table.push((rows.main.table, vec![rows])),
        }
    }
    for (table, rows) in by_table {
        let Some(first) = rows.first() else { continue };
        let mut names = vec!["system", "id"];
        names.extend(first.main.cols.iter().map(|(n, _)| *n));
        names.extend(["data", "content_hash"]);
        let head = format!("INSERT INTO {table} ({})", names.join(", "));
        let updates: Vec<String> = names[2..]
            .iter()
            .map(|n| format!("{n} = excluded.{n}"))
            .collect();
        let tail = format!(
            "ON CONFLICT (system, id) DO UPDATE SET {}",
            updates.join(", ")
        );
        for chunk in rows.chunks(ROWS_PER_STMT) {
            let mut b = Binder::new(conn, &values_sql(&head, names.len(), chunk.len(), &tail))?;
            for r in chunk {
                let m = &r.main;
                b.bind(m.system.as_str())?;
                b.bind(m.id.as_str())?;
                for (_, cell) in &m.cols {
                    b.bind(cell)?;
                }
                b.bind(m.data.as_str())?;
                b.bind(m.hash.as_str())?;
            }
            b.execute()?;
        }
    }
    Ok(())
}

/// A contact-point row: its person, position and cells.
type ChildRow<'p> = (&'p RecordRows, usize, &'p [Cell]);

/// Inserts the contact-point rows of the people in `writes`.
fn insert_child_rows(
    conn: &Connection,
    prepared: &PreparedPage,
    writes: &[usize],
) -> SyncResult<()> {
    // (parent, child table rows, position) for every child row, per table.
    let mut by_table: Vec<(&ChildRows, Vec<ChildRow<'_>>)> = Vec::new();
    for &i in writes {
        let parent = &prepared.records[i];
        for child in &parent.children {
            let idx = match by_table.iter().position(|(c, _)| c.table == child.table) {
                Some(idx) => idx,
                None => {
                    by_table.push((child, Vec::new()));
                    by_table.len() - 1
                }
            };
            let list = &mut by_table[idx].1;
            for (position, cells) in child.rows.iter().enumerate() {
                list.push((parent, position, cells.as_slice()));
            }
        }
    }
    for (child, rows) in by_table {
        let width = child.cols.len() + 3;
        let head = format!(
            "INSERT INTO {} (system, person_id, position, {})",
            child.table,
            child.cols.join(", ")
        );
        for chunk in rows.chunks(ROWS_PER_STMT) {
            let mut b = Binder::new(conn, &values_sql(&head, width, chunk.len(), ""))?;
            for (parent, position, cells) in chunk {
                b.bind(parent.main.system.as_str())?;
                b.bind(parent.main.id.as_str())?;
                b.bind(&(*position as i64))?;
                for cell in *cells {
                    b.bind(cell)?;
                }
            }
            b.execute()?;
        }
    }
    Ok(())
}

/// Upserts raw records; a stored row is rewritten only when its JSON
/// changed (the upsert's own `WHERE` compares the content hashes, so no
/// separate lookup is needed). The last occurrence of a key repeated within
/// the part wins; `order` names those, in key order.
fn upsert_raw(conn: &Connection, raw: &[RawRow], order: &[usize]) -> SyncResult<()> {
    let writes: Vec<&RawRow> = order.iter().map(|&i| &raw[i]).collect();
    let head = "INSERT INTO raw_records (system, kind, id, json, content_hash)";
    let tail = "ON CONFLICT (system, kind, id) DO UPDATE SET json = excluded.json, \
                content_hash = excluded.content_hash \
                WHERE raw_records.content_hash IS NOT excluded.content_hash";
    for chunk in writes.chunks(ROWS_PER_STMT) {
        let mut b = Binder::new(conn, &values_sql(head, 5, chunk.len(), tail))?;
        for r in chunk {
            b.bind(r.system.as_str())?;
            b.bind(r.kind.as_str())?;
            b.bind(r.id.as_str())?;
            b.bind(r.json.as_str())?;
            b.bind(r.hash.as_str())?;
        }
        b.execute()?;
    }
    Ok(())
}
