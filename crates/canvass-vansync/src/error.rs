//! The VAN sync's error type: what stops a plan or a push as a whole.
//! Single writes VAN refuses are not errors: they are listed in the
//! [`PushReport`](crate::PushReport).

/// What can stop the VAN sync.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VanSyncError {
    /// The `[van_sync]` table is wrong.
    #[error("configuration: {field}: {reason}")]
    Config {
        /// The key at fault, e.g. `van_sync.targets.state.events.mobilize:12`.
        field: String,
        /// What is wrong and how to fix it.
        reason: String,
    },
    /// The warehouse failed (reading records, writing the ledger).
    #[error(transparent)]
    Warehouse(#[from] canvass_sync::SyncError),
    /// Building a VAN client failed (a missing key, a bad URL).
    #[error(transparent)]
    Van(#[from] canvass_core::Error),
}
