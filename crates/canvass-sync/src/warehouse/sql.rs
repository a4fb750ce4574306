//! SQL shared by both backends, written in PostgreSQL's syntax (`$1`,
//! `$2::text::jsonb`) and rendered for SQLite by [`render`].

use std::collections::HashMap;

use canvass_core::{EntityKind, Page, RawRecord, Record};

use super::schema::Dialect;
use super::{PageCounts, SqlValue};
use crate::rows::{Cell, MainRow, RecordRows, record_rows, sha256_hex};

/// One statement and its parameters.
pub(crate) type Stmt = (String, Vec<Cell>);

/// Renders PostgreSQL-style SQL for `dialect`: SQLite numbers parameters
/// `?1` and stores JSON as text.
pub(crate) fn render(sql: &str, dialect: Dialect) -> String {
    match dialect {
        Dialect::Postgres => sql.to_string(),
        Dialect::Sqlite => sql
            .replace("::text::jsonb", "")
            .replace("::text", "")
            .replace('$', "?"),
    }
}

/// What a page will write, decided against the hashes already stored.
#[derive(Debug, Default)]
pub(crate) struct PagePlan {
    pub counts: PageCounts,
    pub stmts: Vec<Stmt>,
}

/// A page mapped to rows, with the bookkeeping a writer needs worked out
/// on the mapping side: which records repeat a key, and what to write in
/// which order.
pub(crate) struct PreparedPage {
    pub records: Vec<RecordRows>,
    /// For each record, the index of the record before it with the same
    /// key (table, system, id), if the part has one.
    pub previous: Vec<Option<usize>>,
    /// The index of the last record of each key, in key order: the rows
    /// that may be written.
    pub record_order: Vec<usize>,
    /// The raw JSON of each vendor item.
    pub raw: Vec<RawRow>,
    /// The index of the last raw row of each key (system, kind, id), in
    /// key order.
    pub raw_order: Vec<usize>,
}

/// A `raw_records` row.
pub(crate) struct RawRow {
    pub system: String,
    pub kind: String,
    pub id: String,
    /// The vendor's JSON, compact.
    pub json: String,
    /// SHA-256 of `json`, hex.
    pub hash: String,
}

/// Maps a page to rows (the CPU part, done before touching the database).
///
/// # Errors
/// When a record cannot be serialized.
pub(crate) fn prepare_page(page: &Page) -> Result<PreparedPage, serde_json::Error> {
    prepare_rows(&page.records, &page.raw)
}

/// Maps records and raw items (a whole page or a slice of one) to rows.
///
/// # Errors
/// When a record cannot be serialized.
pub(crate) fn prepare_rows(
    records: &[Record],
    raw: &[RawRecord],
) -> Result<PreparedPage, serde_json::Error> {
    let records = records
        .iter()
        .map(record_rows)
        .collect::<Result<Vec<_>, _>>()?;
    let raw = raw
        .iter()
        .map(|r| {
            let json = r.json.to_string();
            let hash = sha256_hex(&json);
            RawRow {
                system: r.source.system.clone(),
                kind: r.kind.as_str().to_string(),
                id: r.source.id.clone(),
                json,
                hash,
            }
        })
        .collect::<Vec<_>>();
    let (previous, record_order) = occurrences(records.iter().map(|r| {
        let m = &r.main;
        (m.table, m.system.as_str(), m.id.as_str())
    }));
    let (_, raw_order) = occurrences(
        raw.iter()
            .map(|r| (r.system.as_str(), r.kind.as_str(), r.id.as_str())),
    );
    Ok(PreparedPage {
        records,
        previous,
        record_order,
        raw,
        raw_order,
    })
}

/// For a sequence of keys: the index of each one's previous occurrence, and
/// the index of the last occurrence of every distinct key, in key order.
fn occurrences<K: std::hash::Hash + Eq + Ord + Copy>(
    keys: impl ExactSizeIterator<Item = K>,
) -> (Vec<Option<usize>>, Vec<usize>) {
    let mut latest: HashMap<K, usize> = HashMap::with_capacity(keys.len());
    let mut previous = Vec::with_capacity(keys.len());
    let mut order: Vec<(K, usize)> = Vec::with_capacity(keys.len());
    for (i, key) in keys.enumerate() {
        previous.push(latest.insert(key, i));
    }
    order.extend(latest);
    order.sort_unstable();
    (previous, order.into_iter().map(|(_, i)| i).collect())
}

/// The key of a record row in `existing` maps.
pub(crate) fn row_key(table: &str, system: &str, id: &str) -> String {
    format!("{table}\u{1f}{system}\u{1f}{id}")
}

/// Plans the statements of a page. `existing` maps [`row_key`]s (and
/// `raw_records` keys with the kind as table suffix) to stored content
/// hashes; it is updated as rows are planned so duplicates within a page
/// count once.
pub(crate) fn plan_page(
    prepared: PreparedPage,
    page: &Page,
    existing: &mut HashMap<String, String>,
    run_id: i64,
    source: &str,
    kind: &EntityKind,
    dialect: Dialect,
) -> PagePlan {
    let mut plan = PagePlan::default();
    // One SQL text per table and page, reused by every row.
    let mut main_sql: HashMap<&'static str, String> = HashMap::new();
    let mut child_sql: HashMap<&'static str, String> = HashMap::new();
    for rows in prepared.records {
        let m = &rows.main;
        let key = row_key(m.table, &m.system, &m.id);
        let previous = existing.get(&key).cloned();
        plan.counts.read += 1;
        match previous {
            Some(h) if h == m.hash => {
                plan.counts.unchanged += 1;
                continue;
            }
            Some(_) => {
                plan.counts.updated += 1;
                for table in children_tables(&rows) {
                    plan.stmts.push((
                        format!("DELETE FROM {table} WHERE system = $1 AND person_id = $2"),
                        vec![Cell::text(m.system.clone()), Cell::text(m.id.clone())],
                    ));
                }
            }
            None => plan.counts.inserted += 1,
        }
        existing.insert(key, m.hash.clone());
        let (system, id) = (m.system.clone(), m.id.clone());
        let RecordRows { main, children } = rows;
        let sql = main_sql
            .entry(main.table)
            .or_insert_with(|| render(&upsert_main_sql(&main), dialect))
            .clone();
        plan.stmts.push((sql, upsert_main_params(main)));
        for child in children {
            let sql = child_sql
                .entry(child.table)
                .or_insert_with(|| {
                    let placeholders: Vec<String> = (1..=child.cols.len() + 3)
                        .map(|i| format!("${i}"))
                        .collect();
                    render(
                        &format!(
                            "INSERT INTO {} (system, person_id, position, {}) VALUES ({})",
                            child.table,
                            child.cols.join(", "),
                            placeholders.join(", ")
                        ),
                        dialect,
                    )
                })
                .clone();
            for (position, cells) in child.rows.into_iter().enumerate() {
                let mut params = Vec::with_capacity(cells.len() + 3);
                params.push(Cell::text(system.clone()));
                params.push(Cell::text(id.clone()));
                params.push(Cell::Int(Some(position as i64)));
                params.extend(cells);
                plan.stmts.push((sql.clone(), params));
            }
        }
    }
    for RawRow {
        system,
        kind: raw_kind,
        id,
        json,
        hash,
    } in prepared.raw
    {
        let key = row_key(&format!("raw_records/{raw_kind}"), &system, &id);
        if existing.get(&key) == Some(&hash) {
            continue;
        }
        existing.insert(key, hash.clone());
        plan.stmts.push((
            "INSERT INTO raw_records (system, kind, id, json, content_hash) VALUES ($1, $2, $3, $4::text::jsonb, $5) \
             ON CONFLICT (system, kind, id) DO UPDATE SET json = excluded.json, content_hash = excluded.content_hash"
                .to_string(),
            vec![
                Cell::text(system),
                Cell::text(raw_kind),
                Cell::text(id),
                Cell::text(json),
                Cell::text(hash),
            ],
        ));
    }
    for issue in &page.issues {
        if issue.skipped {
            plan.counts.failed += 1;
        } else {
            plan.counts.warnings += 1;
        }
        if run_id > 0 {
            plan.stmts.push((
                "INSERT INTO sync_run_failures (run_id, source, kind, record, field, message, skipped) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)"
                    .to_string(),
                vec![
                    Cell::Int(Some(run_id)),
                    Cell::text(source),
                    Cell::text(kind.as_str()),
                    Cell::text(issue.record.clone()),
                    Cell::text(issue.field.clone()),
                    Cell::text(issue.message.clone()),
                    Cell::bool(issue.skipped),
                ],
            ));
        }
    }
    plan.counts.read += plan.counts.failed;
    if let Some(cp) = &page.checkpoint {
        plan.stmts.push(set_checkpoint(source, kind, &cp.0));
    }
    plan
}

fn children_tables(rows: &RecordRows) -> impl Iterator<Item = &'static str> + '_ {
    rows.children.iter().map(|c| c.table)
}

fn upsert_main_sql(m: &MainRow) -> String {
    let mut names = vec!["system", "id"];
    names.extend(m.cols.iter().map(|(name, _)| *name));
    names.push("data");
    names.push("content_hash");
    let data_at = names.len() - 1;
    let placeholders: Vec<String> = (1..=names.len())
        .map(|i| {
            if i == data_at {
                format!("${i}::text::jsonb")
            } else {
                format!("${i}")
            }
        })
        .collect();
    let updates: Vec<String> = names[2..]
        .iter()
        .map(|n| format!("{n} = excluded.{n}"))
        .collect();
    format!(
        "INSERT INTO {} ({}) VALUES ({}) ON CONFLICT (system, id) DO UPDATE SET {}",
        m.table,
        names.join(", "),
        placeholders.join(", "),
        updates.join(", ")
    )
}

fn upsert_main_params(m: MainRow) -> Vec<Cell> {
    let mut params = Vec::with_capacity(m.cols.len() + 4);
    params.push(Cell::Text(Some(m.system)));
    params.push(Cell::Text(Some(m.id)));
    params.extend(m.cols.into_iter().map(|(_, cell)| cell));
    params.push(Cell::Text(Some(m.data)));
    params.push(Cell::Text(Some(m.hash)));
    params
}

/// Stores a checkpoint.
pub(crate) fn set_checkpoint(source: &str, kind: &EntityKind, checkpoint: &str) -> Stmt {
    (
        "INSERT INTO checkpoints (source, kind, checkpoint) VALUES ($1, $2, $3) \
         ON CONFLICT (source, kind) DO UPDATE SET checkpoint = excluded.checkpoint"
            .to_string(),
        vec![
            Cell::text(source),
            Cell::text(kind.as_str()),
            Cell::text(checkpoint),
        ],
    )
}

/// The `(table, system, id)` triples a page reads hashes for, grouped by table.
pub(crate) fn page_lookups(prepared: &PreparedPage) -> HashMap<String, (String, Vec<String>)> {
    // key: table name (raw records use "raw_records/<kind>") -> (system, ids);
    // a page mixing systems within one table is grouped by system too.
    let mut out: HashMap<String, (String, Vec<String>)> = HashMap::new();
    for r in &prepared.records {
        let k = format!("{}\u{1f}{}", r.main.table, r.main.system);
        out.entry(k)
            .or_insert_with(|| (r.main.system.clone(), Vec::new()))
            .1
            .push(r.main.id.clone());
    }
    for r in &prepared.raw {
        let k = format!("raw_records/{}\u{1f}{}", r.kind, r.system);
        out.entry(k)
            .or_insert_with(|| (r.system.clone(), Vec::new()))
            .1
            .push(r.id.clone());
    }
    out
}

/// Turns a selected value into JSON: numbers stay numbers, text that holds
/// a JSON document in a JSON column is parsed.
pub(crate) fn value_to_json(v: &SqlValue, json_column: bool) -> serde_json::Value {
    match v {
        SqlValue::Null => serde_json::Value::Null,
        SqlValue::Int(i) => serde_json::Value::from(*i),
        SqlValue::Real(f) => serde_json::Value::from(*f),
        SqlValue::Text(s) if json_column => {
            serde_json::from_str(s).unwrap_or_else(|_| serde_json::Value::String(s.clone()))
        }
        SqlValue::Text(s) => serde_json::Value::String(s.clone()),
        SqlValue::Json(j) => j.clone(),
    }
}

/// Whether a column holds JSON documents.
pub(crate) fn is_json_column(name: &str) -> bool {
    matches!(name, "data" | "json" | "op" | "report")
}
