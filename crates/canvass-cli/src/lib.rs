//! The library behind the `canvass` command: configuration, the demo
//! pipeline, exports and progress reporting. The binary in `main.rs` parses
//! arguments and calls into it; the end-to-end tests call it directly.

pub mod config;
pub mod demo;
pub mod export;
pub mod progress;
pub mod report_html;
pub mod summary;

/// Exit status for a configuration error.
pub const EXIT_CONFIG: u8 = 2;
/// Exit status for a run in which a source, record or push failed.
pub const EXIT_PARTIAL: u8 = 3;

/// Export formats.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Comma-separated values with a header row.
    Csv,
    /// One JSON object per line.
    Ndjson,
}

/// A command's failure, with the exit status it maps to.
#[derive(Debug)]
pub struct Failure {
    /// The exit status.
    pub code: u8,
    /// What to print.
    pub message: String,
}

/// A configuration failure (exit status 2).
pub fn config_error(message: impl Into<String>) -> Failure {
    Failure {
        code: EXIT_CONFIG,
        message: message.into(),
    }
}

/// Any other failure (exit status 1).
pub fn other_error(message: impl std::fmt::Display) -> Failure {
    Failure {
        code: 1,
        message: message.to_string(),
    }
}

/// Opens the warehouse at `url` for a command: a URL that does not parse
/// (an unknown `sslmode`, an unreadable `sslrootcert`) is a configuration
/// error; any other failure names the warehouse with its password hidden.
///
/// # Errors
/// As above; the message never holds the URL's password.
pub async fn open_warehouse_for_cli(
    url: &str,
) -> Result<std::sync::Arc<dyn canvass_sync::Warehouse>, Failure> {
    use canvass_sync::SyncError;
    canvass_sync::open_warehouse(url)
        .await
        .map_err(|e| match e {
            SyncError::Connect(_) => other_error(format!("warehouse: {e}")),
            SyncError::Config(_) => {
                config_error(format!("warehouse {}: {e}", canvass_core::redact_url(url)))
            }
            e => other_error(format!("warehouse {}: {e}", canvass_core::redact_url(url))),
        })
}
