//! [`SpokeDatabase`]: Spoke's schema loaded into a schema of its own on a
//! real PostgreSQL server, dropped afterwards.

use std::sync::atomic::{AtomicU64, Ordering};

use tokio_postgres::Client;

use canvass_core::Error;

use crate::db::SpokeDb;

/// The subset of Spoke's schema canvass reads, with Spoke's table and column
/// names and types (see the file's header for the migrations it follows).
pub const SCHEMA_SQL: &str = include_str!("../../fixtures/spoke_schema.sql");

/// The environment variable naming the PostgreSQL server tests use.
pub const TEST_URL_VAR: &str = "CANVASS_TEST_POSTGRES_URL";

/// The test server's URL, or `None` after printing a loud skip notice.
pub fn test_database_url() -> Option<String> {
    match std::env::var(TEST_URL_VAR) {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            // Straight to the stderr handle, not `eprintln!`, which the test
            // harness captures and hides for passing tests.
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED: {TEST_URL_VAR} not set (this Spoke test needs a PostgreSQL server, \
                 e.g. {TEST_URL_VAR}=postgres://postgres@127.0.0.1:5432/test)"
            );
            None
        }
    }
}

/// Spoke's schema in a fresh PostgreSQL schema with a unique name, so tests
/// run in parallel on one server. The schema is dropped by
/// [`SpokeDatabase::drop_schema`], or on drop if that was not called.
pub struct SpokeDatabase {
    url: String,
    schema: String,
    client: Client,
    dropped: bool,
}

impl std::fmt::Debug for SpokeDatabase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SpokeDatabase")
            .field("schema", &self.schema)
            .finish_non_exhaustive()
    }
}

fn pg(what: &str, e: tokio_postgres::Error) -> Error {
    Error::transport("spoke-fixture", format!("{what}: {e}"))
}

async fn open(url: &str) -> Result<Client, Error> {
    let connector = canvass_postgres::PgConnector::new(url)
        .map_err(|e| Error::Config(format!("the test server's URL: {e}")))?;
    connector
        .connect()
        .await
        .map_err(|e| pg("connect to the test server", e))
}

impl SpokeDatabase {
    /// Creates schema `spoke_<tag>_<unique>` on the server at `url` and
    /// loads Spoke's tables into it.
    ///
    /// # Errors
    /// [`Error::Transport`] when the server cannot be reached or the schema
    /// cannot be created.
    pub async fn create(url: &str, tag: &str) -> Result<SpokeDatabase, Error> {
        static N: AtomicU64 = AtomicU64::new(0);
        let tag: String = tag
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
            .take(20)
            .collect();
        let schema = format!(
            "spoke_{tag}_{}_{}_{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst),
            chrono::Utc::now().timestamp_micros() % 1_000_000_000
        )
        .to_lowercase();
        let client = open(url).await?;
        client
            .batch_execute(&format!(
                "CREATE SCHEMA \"{schema}\"; SET search_path TO \"{schema}\"; SET TimeZone = 'UTC';"
            ))
            .await
            .map_err(|e| pg("create the schema", e))?;
        let mut db = SpokeDatabase {
            url: url.to_string(),
            schema,
            client,
            dropped: false,
        };
        if let Err(e) = db.client.batch_execute(SCHEMA_SQL).await {
            db.dropped = true;
            let _ = db
                .client
                .batch_execute(&format!("DROP SCHEMA \"{}\" CASCADE", db.schema))
                .await;
            return Err(pg("load Spoke's schema", e));
        }
        Ok(db)
    }

    /// The schema's name.
    pub fn schema(&self) -> &str {
        &self.schema
    }

    /// The server's URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// A read-write session with `search_path` set to the schema, for seeding.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// A read-only [`SpokeDb`] on the schema, as the connector uses it.
    ///
    /// # Errors
    /// As [`SpokeDb::new`].
    pub fn spoke_db(&self) -> Result<SpokeDb, Error> {
        SpokeDb::new(&self.url, Some(&self.schema))
    }

    /// Drops the schema and everything in it.
    ///
    /// # Errors
    /// [`Error::Transport`] when the server refuses.
    pub async fn drop_schema(mut self) -> Result<(), Error> {
        self.dropped = true;
        self.client
            .batch_execute(&format!("DROP SCHEMA \"{}\" CASCADE", self.schema))
            .await
            .map_err(|e| pg("drop the schema", e))
    }
}

impl Drop for SpokeDatabase {
    fn drop(&mut self) {
        if self.dropped {
            return;
        }
        // A test that panicked before dropping its schema: drop it from a
        // thread of its own (Drop cannot await), so the server is left clean.
        let url = self.url.clone();
        let sql = format!("DROP SCHEMA IF EXISTS \"{}\" CASCADE", self.schema);
        let cleanup = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async move {
                if let Ok(client) = open(&url).await {
                    let _ = client.batch_execute(&sql).await;
                }
            });
        });
        let _ = cleanup.join();
    }
}
