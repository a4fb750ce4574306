//! For connector crates' tests through the engine (feature `testing`): a
//! sync into a fresh SQLite warehouse in a temporary directory, its report
//! and what it stored.
//!
//! ```
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use canvass_core::EntityKind;
//! use canvass_sync::SyncOptions;
//! use canvass_sync::testing::SqliteRun;
//! let run = SqliteRun::sync(&[], &SyncOptions::default()).await?;
//! assert!(run.report.is_success());
//! assert!(run.stored(EntityKind::People).await?.is_empty());
//! # Ok::<(), canvass_sync::SyncError>(()) }).unwrap();
//! ```

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use canvass_core::EntityKind;
use futures::TryStreamExt;

use crate::{
    Engine, RunReport, Source, SqliteWarehouse, SyncError, SyncOptions, SyncResult, Warehouse,
};

/// One sync into a new SQLite warehouse; the warehouse's directory is
/// removed when the run is dropped.
pub struct SqliteRun {
    /// What the sync reported.
    pub report: RunReport,
    /// The warehouse it stored into.
    pub warehouse: Arc<dyn Warehouse>,
    // Last: removed after the warehouse is let go.
    _dir: TempDir,
}

impl SqliteRun {
    /// Syncs `sources` with `options` into a new SQLite warehouse in a
    /// directory of its own under the system's temporary directory.
    ///
    /// # Errors
    /// When the directory or the warehouse cannot be made, or the sync
    /// fails as a whole (a failing kind is in the report instead).
    pub async fn sync(sources: &[Source], options: &SyncOptions) -> SyncResult<SqliteRun> {
        let dir = TempDir::new()?;
        let warehouse: Arc<dyn Warehouse> =
            Arc::new(SqliteWarehouse::open(dir.0.join("warehouse.db")).await?);
        let report = Engine::new(warehouse.clone())
            .sync(sources, options)
            .await?;
        Ok(SqliteRun {
            report,
            warehouse,
            _dir: dir,
        })
    }

    /// The source ids of the records of `kind` in the warehouse.
    ///
    /// # Errors
    /// When the warehouse cannot be read.
    pub async fn stored(&self, kind: EntityKind) -> SyncResult<BTreeSet<String>> {
        self.warehouse
            .records(kind)
            .map_ok(|r| r.record.source().id.clone())
            .try_collect()
            .await
    }
}

/// A directory of its own under the system's temporary directory, removed
/// on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> SyncResult<TempDir> {
        static DIRS: AtomicU64 = AtomicU64::new(0);
        let dir = std::env::temp_dir().join(format!(
            "canvass-sync-run-{}-{}-{}",
            std::process::id(),
            DIRS.fetch_add(1, Ordering::Relaxed),
            chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default()
        ));
        std::fs::create_dir_all(&dir)
            .map_err(|e| SyncError::Config(format!("cannot create {}: {e}", dir.display())))?;
        Ok(TempDir(dir))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
