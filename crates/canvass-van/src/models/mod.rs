//! VAN API v4 request and response types.
//!
//! Every type keeps the fields canvass does not model in `extra`, so nothing
//! VAN sends is lost, and every optional field is left out of a request when
//! unset. Ids are VAN's integers.

mod codes;
mod events;
mod jobs;
mod lenient;
mod misc;
mod people;

pub use codes::*;
pub use events::*;
pub use jobs::*;
pub use misc::*;
pub use people::*;

use serde::{Deserialize, Serialize};

/// Vendor fields a model has no place for, kept verbatim.
pub type Extra = serde_json::Map<String, serde_json::Value>;

/// One page of a paginated VAN endpoint: `{"items":[…],"count":…,"nextPageLink":…}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VanPage<T> {
    /// The items of this page.
    #[serde(default = "Vec::new")]
    pub items: Vec<T>,
    /// The total number of items across every page, when VAN says.
    #[serde(default)]
    pub count: Option<u64>,
    /// The absolute URL of the next page, `null` on the last.
    #[serde(default)]
    pub next_page_link: Option<String>,
}

/// Where an asynchronous VAN job (export, bulk import, changed entities) is.
///
/// VAN spells completion `Complete` (changed entities) and `Completed`
/// (exports, bulk imports); both are [`JobStatus::Complete`]. Unknown values
/// are kept in [`JobStatus::Other`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum JobStatus {
    /// Queued.
    Pending,
    /// Running.
    InProcess,
    /// Finished; its files are ready.
    Complete,
    /// Failed (`Error`, `Failed`).
    Failed(String),
    /// A status canvass does not know.
    Other(String),
}

impl JobStatus {
    /// Parses VAN's text, case-insensitively.
    pub fn parse(text: &str) -> JobStatus {
        match text.to_ascii_lowercase().replace([' ', '_'], "").as_str() {
            "pending" | "requested" | "new" => JobStatus::Pending,
            "inprocess" | "inprogress" | "processing" | "running" => JobStatus::InProcess,
            "complete" | "completed" | "finished" => JobStatus::Complete,
            "error" | "failed" | "failure" => JobStatus::Failed(text.to_string()),
            _ => JobStatus::Other(text.to_string()),
        }
    }

    /// The text to send or show.
    pub fn as_str(&self) -> &str {
        match self {
            JobStatus::Pending => "Pending",
            JobStatus::InProcess => "InProcess",
            JobStatus::Complete => "Complete",
            JobStatus::Failed(s) | JobStatus::Other(s) => s,
        }
    }

    /// Whether the job is still running (or queued).
    pub fn is_running(&self) -> bool {
        matches!(self, JobStatus::Pending | JobStatus::InProcess)
    }
}

impl Serialize for JobStatus {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for JobStatus {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(JobStatus::parse(&s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn both_spellings_of_complete_are_complete() {
        assert_eq!(JobStatus::parse("Complete"), JobStatus::Complete);
        assert_eq!(JobStatus::parse("Completed"), JobStatus::Complete);
        assert_eq!(JobStatus::parse("InProcess"), JobStatus::InProcess);
        assert!(matches!(JobStatus::parse("Error"), JobStatus::Failed(_)));
        assert_eq!(
            JobStatus::parse("Paused"),
            JobStatus::Other("Paused".into())
        );
    }

    proptest! {
        #[test]
        fn any_status_text_decodes(text in "[ -~]{0,20}") {
            let v = serde_json::Value::String(text.clone());
            let s: JobStatus = serde_json::from_value(v).map_err(|e| TestCaseError::fail(e.to_string()))?;
            if let JobStatus::Other(t) = s { prop_assert_eq!(t, text); }
        }
    }
}
