//! The engine's error type.

/// Everything that can go wrong in the engine and the warehouse.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SyncError {
    /// A connector failed (auth, transport, vendor error, …).
    #[error(transparent)]
    Connector(#[from] canvass_core::Error),
    /// SQLite failed.
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// PostgreSQL failed.
    #[error("postgres: {0}")]
    Postgres(#[from] tokio_postgres::Error),
    /// The warehouse's database could not be reached: refused, unreachable,
    /// a TLS certificate rejected. The message names the database with its
    /// password hidden.
    #[error("cannot connect to {0}")]
    Connect(String),
    /// A stored JSON document could not be read or written.
    #[error("json: {0}")]
    Json(#[from] serde_json::Error),
    /// The warehouse URL or another setting is wrong.
    #[error("configuration: {0}")]
    Config(String),
    /// The warehouse's schema is newer than this build, or a migration failed.
    #[error("schema: {0}")]
    Schema(String),
    /// A push-ledger entry was not where it should be.
    #[error("push ledger: {0}")]
    Ledger(String),
    /// Another push holds the target's push lock.
    #[error(
        "push lock: {target} is being pushed by {holder} since {acquired_at}; wait for it to \
         finish, or, if that push died, for its lock to expire at {expires_at}"
    )]
    PushLocked {
        /// The push target (a VAN committee's ledger target, e.g. `van:state`).
        target: String,
        /// Who holds it (process and host).
        holder: String,
        /// When it took the lock (RFC 3339).
        acquired_at: String,
        /// When the lock lapses unless renewed (RFC 3339).
        expires_at: String,
    },
    /// The warehouse's worker thread went away.
    #[error("warehouse worker stopped: {0}")]
    Worker(String),
}

/// A result whose error is [`SyncError`].
pub type SyncResult<T> = Result<T, SyncError>;
