//! The PostgreSQL warehouse, for groups that already run one.
//!
//! Writes go through one connection, one transaction per page, with the
//! page's statements pipelined; streams read on connections of their own.
//! Every connection goes through [`canvass_postgres::PgConnector`]: the
//! URL's `sslmode` and `sslrootcert` are honoured, and TLS is required by
//! default for any host that is not loopback.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use bytes::BytesMut;
use canvass_postgres::PgConnector;
use futures::StreamExt;
use tokio_postgres::types::{IsNull, ToSql, Type, to_sql_checked};
use tokio_postgres::{Client, Row};

use super::common::{self, Backend, RowStream, impl_warehouse};
use super::schema::Dialect;
use super::sql::{Stmt, page_lookups, plan_page, prepare_page, row_key};
use super::{PageCounts, PageWrite, SqlValue};
use crate::error::{SyncError, SyncResult};
use crate::rows::Cell;

/// How many statements of one transaction are in flight at once.
const PIPELINE: usize = 128;

/// A warehouse in a PostgreSQL database (optionally in its own schema).
pub struct PostgresWarehouse {
    connector: PgConnector,
    schema: Option<String>,
    client: tokio::sync::Mutex<Client>,
}

impl std::fmt::Debug for PostgresWarehouse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may hold a password: print only the schema.
        f.debug_struct("PostgresWarehouse")
            .field("schema", &self.schema)
            .finish_non_exhaustive()
    }
}

impl ToSql for Cell {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Cell::Text(s) => s.to_sql(ty, out),
            Cell::Int(Some(i)) if *ty == Type::INT4 => (i32::try_from(*i)?).to_sql(ty, out),
            Cell::Int(i) => i.to_sql(ty, out),
            Cell::Real(f) => f.to_sql(ty, out),
        }
    }

    fn accepts(ty: &Type) -> bool {
        <String as ToSql>::accepts(ty)
            || <i64 as ToSql>::accepts(ty)
            || <i32 as ToSql>::accepts(ty)
            || <f64 as ToSql>::accepts(ty)
    }

    to_sql_checked!();
}

fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Splits `schema=NAME` off a URL's query.
fn split_schema(url: &str) -> (String, Option<String>) {
    let Some((base, query)) = url.split_once('?') else {
        return (url.to_string(), None);
    };
    let mut schema = None;
    let rest: Vec<&str> = query
        .split('&')
        .filter(|kv| match kv.strip_prefix("schema=") {
            Some(s) => {
                schema = Some(s.to_string());
                false
            }
            None => true,
        })
        .collect();
    let url = if rest.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", rest.join("&"))
    };
    (url, schema)
}

async fn open_client(connector: &PgConnector, schema: Option<&str>) -> SyncResult<Client> {
    let client = connector.connect().await.map_err(|e| {
        SyncError::Connect(format!(
            "{}: {}",
            connector.redacted_url(),
            connector.describe(&e)
        ))
    })?;
    if let Some(schema) = schema {
        let q = quote_ident(schema);
        client
            .batch_execute(&format!(
                "CREATE SCHEMA IF NOT EXISTS {q}; SET search_path TO {q}"
            ))
            .await?;
    }
    Ok(client)
}

fn value_of(row: &Row, i: usize) -> SyncResult<SqlValue> {
    let ty = row.columns()[i].type_().clone();
    Ok(if ty == Type::INT8 {
        row.try_get::<_, Option<i64>>(i)?
            .map_or(SqlValue::Null, SqlValue::Int)
    } else if ty == Type::INT4 {
        row.try_get::<_, Option<i32>>(i)?
            .map_or(SqlValue::Null, |v| SqlValue::Int(v.into()))
    } else if ty == Type::FLOAT8 {
        row.try_get::<_, Option<f64>>(i)?
            .map_or(SqlValue::Null, SqlValue::Real)
    } else if ty == Type::BOOL {
        row.try_get::<_, Option<bool>>(i)?
            .map_or(SqlValue::Null, |v| SqlValue::Int(v.into()))
    } else if ty == Type::JSONB || ty == Type::JSON {
        row.try_get::<_, Option<serde_json::Value>>(i)?
            .map_or(SqlValue::Null, SqlValue::Json)
    } else {
        row.try_get::<_, Option<String>>(i)?
            .map_or(SqlValue::Null, SqlValue::Text)
    })
}

fn values_of(row: &Row) -> SyncResult<Vec<SqlValue>> {
    (0..row.len()).map(|i| value_of(row, i)).collect()
}

fn as_params(params: &[Cell]) -> Vec<&(dyn ToSql + Sync)> {
    params.iter().map(|c| c as &(dyn ToSql + Sync)).collect()
}

async fn exec_one(
    tx: &tokio_postgres::Transaction<'_>,
    stmt: tokio_postgres::Statement,
    params: &[Cell],
) -> SyncResult<u64> {
    Ok(tx.execute(&stmt, &as_params(params)).await?)
}

async fn run_stmts(tx: &tokio_postgres::Transaction<'_>, stmts: &[Stmt]) -> SyncResult<Vec<u64>> {
    let mut prepared: HashMap<&str, tokio_postgres::Statement> = HashMap::new();
    for (sql, _) in stmts {
        if !prepared.contains_key(sql.as_str()) {
            prepared.insert(sql.as_str(), tx.prepare(sql).await?);
        }
    }
    let mut inflight = futures::stream::FuturesOrdered::new();
    let mut affected = Vec::with_capacity(stmts.len());
    for (sql, params) in stmts {
        let stmt = prepared
            .get(sql.as_str())
            .cloned()
            .ok_or_else(|| SyncError::Worker("statement not prepared".into()))?;
        inflight.push_back(exec_one(tx, stmt, params));
        if inflight.len() >= PIPELINE
            && let Some(done) = inflight.next().await
        {
            affected.push(done?);
        }
    }
    while let Some(done) = inflight.next().await {
        affected.push(done?);
    }
    Ok(affected)
}

impl PostgresWarehouse {
    /// Connects to `url` and migrates the schema. `schema` names a
    /// PostgreSQL schema to create (if needed) and use instead of `public`.
    /// `url`'s `sslmode` (default `require` off loopback) and `sslrootcert`
    /// set TLS; see [`canvass_postgres`].
    ///
    /// # Errors
    /// [`SyncError::Config`] for a URL that does not parse or names an
    /// unreadable CA file, [`SyncError::Connect`] when the server cannot be
    /// reached or its certificate is refused (the password never appears),
    /// and any error of a failed migration.
    pub async fn connect(url: &str, schema: Option<&str>) -> SyncResult<PostgresWarehouse> {
        Self::connect_at_version(url, schema, super::SCHEMA_VERSION).await
    }

    /// Connects to a URL that may carry `?schema=NAME`.
    ///
    /// # Errors
    /// As [`PostgresWarehouse::connect`].
    pub async fn connect_url(url: &str) -> SyncResult<PostgresWarehouse> {
        let (url, schema) = split_schema(url);
        Self::connect(&url, schema.as_deref()).await
    }

    /// Connects to a URL that may carry `?schema=NAME` without migrating
    /// anything, and says how the session is secured: what `canvass check`
    /// prints for the warehouse, e.g.
    /// `postgres://canvass:***@db.example.org/org: reachable, TLS on (sslmode=require)`.
    ///
    /// # Errors
    /// As [`PostgresWarehouse::connect`], without the migration.
    pub async fn check_url(url: &str) -> SyncResult<String> {
        let (base, _schema) = split_schema(url);
        let connector = PgConnector::new(&base).map_err(|e| SyncError::Config(e.to_string()))?;
        let client = open_client(&connector, None).await?;
        let encrypted: bool = client
            .query_one(
                "SELECT coalesce((SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()), false)",
                &[],
            )
            .await?
            .get(0);
        Ok(format!(
            "{}: reachable, TLS {} (sslmode={})",
            canvass_core::redact_url(url),
            if encrypted { "on" } else { "off" },
            connector.ssl_mode()
        ))
    }

    /// Connects migrating only up to `version`: for testing migrations from
    /// every earlier version.
    ///
    /// # Errors
    /// As [`PostgresWarehouse::connect`].
    pub async fn connect_at_version(
        url: &str,
        schema: Option<&str>,
        version: u32,
    ) -> SyncResult<PostgresWarehouse> {
        let connector = PgConnector::new(url).map_err(|e| SyncError::Config(e.to_string()))?;
        let client = open_client(&connector, schema).await?;
        let warehouse = PostgresWarehouse {
            connector,
            schema: schema.map(str::to_string),
            client: tokio::sync::Mutex::new(client),
        };
        common::migrate(&warehouse, version).await?;
        Ok(warehouse)
    }

    async fn store_page_impl(&self, write: PageWrite<'_>) -> SyncResult<PageCounts> {
        let prepared = prepare_page(write.page)?;
        let lookups = page_lookups(&prepared);
        let mut client = self.client.lock().await;
        let tx = client.transaction().await?;
        let mut existing = HashMap::new();
        for (group, (system, ids)) in &lookups {
            let table = group.split('\u{1f}').next().unwrap_or_default();
            let rows = match table.strip_prefix("raw_records/") {
                Some(kind) => {
                    tx.query(
                        "SELECT id, content_hash FROM raw_records WHERE system = $1 AND kind = $2 AND id = ANY($3)",
                        &[system, &kind, ids],
                    )
                    .await?
                }
                None => {
                    tx.query(
                        &format!("SELECT id, content_hash FROM {table} WHERE system = $1 AND id = ANY($2)"),
                        &[system, ids],
                    )
                    .await?
                }
            };
            for row in rows {
                let id: String = row.try_get(0)?;
                let hash: String = row.try_get(1)?;
                existing.insert(row_key(table, system, &id), hash);
            }
        }
        let plan = plan_page(
            prepared,
            write.page,
            &mut existing,
            write.run_id,
            write.source,
            write.kind,
            Dialect::Postgres,
        );
        run_stmts(&tx, &plan.stmts).await?;
        if write.dry_run {
            tx.rollback().await?;
        } else {
            tx.commit().await?;
        }
        Ok(plan.counts)
    }
}

#[async_trait]
impl Backend for PostgresWarehouse {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    async fn execute_tx(&self, stmts: Vec<Stmt>) -> SyncResult<Vec<u64>> {
        let mut client = self.client.lock().await;
        let tx = client.transaction().await?;
        let affected = run_stmts(&tx, &stmts).await?;
        tx.commit().await?;
        Ok(affected)
    }

    async fn select_all(&self, sql: &str, params: Vec<Cell>) -> SyncResult<Vec<Vec<SqlValue>>> {
        let client = self.client.lock().await;
        let rows = client.query(sql, &as_params(&params)).await?;
        rows.iter().map(values_of).collect()
    }

    fn select_stream(&self, sql: String, params: Vec<Cell>) -> RowStream {
        let connector = self.connector.clone();
        let schema = self.schema.clone();
        let (tx, rx) =
            tokio::sync::mpsc::channel::<SyncResult<(Arc<[String]>, Vec<SqlValue>)>>(512);
        tokio::spawn(async move {
            let run = async {
                let client = open_client(&connector, schema.as_deref()).await?;
                let stmt = client.prepare(&sql).await?;
                let columns: Arc<[String]> = stmt
                    .columns()
                    .iter()
                    .map(|c| c.name().to_string())
                    .collect();
                let rows = client
                    .query_raw(&stmt, params.iter().map(|c| c as &(dyn ToSql + Sync)))
                    .await?;
                futures::pin_mut!(rows);
                while let Some(row) = rows.next().await {
                    let values = values_of(&row?)?;
                    if tx.send(Ok((columns.clone(), values))).await.is_err() {
                        return Ok(());
                    }
                }
                Ok::<(), SyncError>(())
            };
            if let Err(e) = run.await {
                let _ = tx.send(Err(e)).await;
            }
        });
        futures::stream::unfold(rx, |mut rx| async move {
            rx.recv().await.map(|item| (item, rx))
        })
        .boxed()
    }
}

impl_warehouse!(PostgresWarehouse, "postgres");

#[cfg(test)]
mod tests {
    use super::split_schema;

    #[test]
    fn schema_is_split_off_the_url() {
        assert_eq!(
            split_schema("postgres://u@h/db?schema=s1&sslmode=disable"),
            (
                "postgres://u@h/db?sslmode=disable".to_string(),
                Some("s1".to_string())
            )
        );
        assert_eq!(
            split_schema("postgres://u@h/db"),
            ("postgres://u@h/db".to_string(), None)
        );
    }
}
