//! Asynchronous jobs: exports, bulk imports and changed-entity exports.

use serde::{Deserialize, Serialize};

use super::{Extra, JobStatus};

/// An export job type (`{"exportJobTypeId":4,"name":"SavedListExport"}`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportJobType {
    /// VAN's id.
    pub export_job_type_id: u64,
    /// Name.
    pub name: String,
}

/// The body of `POST /exportJobs`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportJobRequest {
    /// The saved list to export.
    pub saved_list_id: u64,
    /// The export job type (see `GET /exportJobTypes`).
    #[serde(rename = "type")]
    pub kind: u64,
    /// Where VAN POSTs the job when it finishes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_url: Option<String>,
}

/// An export job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportJob {
    /// VAN's id.
    pub export_job_id: u64,
    /// Its GUID.
    #[serde(default)]
    pub export_job_guid: Option<String>,
    /// The exported list.
    #[serde(default)]
    pub saved_list_id: Option<u64>,
    /// Where the CSV is, once complete.
    #[serde(default)]
    pub download_url: Option<String>,
    /// Status.
    pub status: JobStatus,
    /// The export type.
    #[serde(default, rename = "type")]
    pub kind: Option<u64>,
    /// When the download link expires.
    #[serde(default)]
    pub date_expired: Option<String>,
    /// An error code when it failed.
    #[serde(default)]
    pub error_code: Option<String>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `{"jobId": …}`, VAN's answer to `POST /bulkImportJobs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkImportCreated {
    /// The job's id.
    pub job_id: u64,
}

/// The body of `POST /bulkImportJobs`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkImportRequest {
    /// A description shown in VAN.
    pub description: String,
    /// The file and where VAN fetches it.
    pub file: BulkImportFileSpec,
    /// What to do with it.
    pub actions: Vec<BulkImportAction>,
}

/// The file of a bulk import: a zipped delimited file at `sourceUrl`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkImportFileSpec {
    /// The delimiter: parsons sends `"csv"` (VAN's allowed values are UNVERIFIED).
    pub column_delimiter: String,
    /// The columns, in order.
    pub columns: Vec<ColumnName>,
    /// The name of the delimited file inside the zip.
    pub file_name: String,
    /// `"True"` when the first row is a header (VAN wants a string).
    pub has_header: String,
    /// `"True"` when values are quoted.
    pub has_quotes: String,
    /// Where VAN fetches the zip.
    pub source_url: String,
}

/// `{"name": …}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnName {
    /// The name.
    pub name: String,
}

/// One action of a bulk import.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkImportAction {
    /// Largest result file, in KB.
    pub result_file_size_kb_limit: u64,
    /// The resource (`"ContactsActivistCodes"`, `"Contacts"`).
    pub resource_type: String,
    /// `"loadMappedFile"`.
    pub action_type: String,
    /// How columns map to VAN fields (`[{"name":"ActivistCode"}]`).
    pub mapping_types: Vec<MappingType>,
}

/// A mapping type of a bulk import action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MappingType {
    /// Its name (`"ActivistCode"`, `"SurveyResponse"`).
    pub name: String,
    /// Constant values for fields the file lacks.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub field_value_mappings: Vec<serde_json::Value>,
}

impl MappingType {
    /// A mapping type by name.
    pub fn new(name: &str) -> MappingType {
        MappingType {
            name: name.to_string(),
            field_value_mappings: Vec::new(),
        }
    }
}

/// A bulk import job as `GET /bulkImportJobs/{id}` returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkImportJob {
    /// VAN's id.
    pub id: u64,
    /// Status.
    pub status: JobStatus,
    /// The resource.
    #[serde(default)]
    pub resource_type: Option<String>,
    /// Job-level errors.
    #[serde(default, deserialize_with = "super::lenient::vec")]
    pub errors: Vec<serde_json::Value>,
    /// Result files (one row per input row, with its outcome).
    #[serde(default, deserialize_with = "super::lenient::vec")]
    pub result_files: Vec<ResultFile>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A result file of a job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResultFile {
    /// Where it is.
    pub url: String,
    /// When the link expires.
    #[serde(default)]
    pub date_expired: Option<String>,
}

/// The body of `POST /changedEntityExportJobs`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangedEntityExportRequest {
    /// Changes from (must be within the last 90 days).
    pub date_changed_from: String,
    /// Changes to (defaults to now).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_changed_to: Option<String>,
    /// The resource (`"Contacts"`).
    pub resource_type: String,
    /// Only these ids.
    #[serde(default)]
    pub requested_ids: Vec<u64>,
    /// Only these fields (empty: all).
    #[serde(default)]
    pub requested_fields: Vec<String>,
    /// Custom fields.
    #[serde(default)]
    pub requested_custom_field_ids: Vec<u64>,
    /// Largest file, 1000–100000 KB.
    pub file_size_kb_limit: u64,
    /// Whether inactive records are included.
    pub include_inactive: bool,
}

/// A changed-entity export job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangedEntityExportJob {
    /// VAN's id.
    pub export_job_id: u64,
    /// Status (`Pending`, `InProcess`, `Complete`).
    pub job_status: JobStatus,
    /// Changes from.
    #[serde(default)]
    pub date_changed_from: Option<String>,
    /// Changes to.
    #[serde(default)]
    pub date_changed_to: Option<String>,
    /// The CSV files, once complete (`null` or empty before).
    #[serde(default, deserialize_with = "super::lenient::vec")]
    pub files: Vec<ChangedEntityFile>,
    /// VAN's message.
    #[serde(default)]
    pub message: Option<String>,
    /// An error code.
    #[serde(default)]
    pub code: Option<String>,
    /// Rows exported.
    #[serde(default)]
    pub exported_record_count: Option<u64>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Extra,
}

impl ChangedEntityExportJob {
    /// A job known only by its id, not started yet (what a bare id in
    /// VAN's answer to a create means).
    ///
    /// ```
    /// let job = canvass_van::models::ChangedEntityExportJob::pending(12345);
    /// assert!(job.job_status.is_running());
    /// ```
    pub fn pending(export_job_id: u64) -> ChangedEntityExportJob {
        ChangedEntityExportJob {
            export_job_id,
            job_status: JobStatus::Pending,
            date_changed_from: None,
            date_changed_to: None,
            files: Vec::new(),
            message: None,
            code: None,
            exported_record_count: None,
            extra: Extra::new(),
        }
    }
}

/// One file of a changed-entity export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangedEntityFile {
    /// Where it is (links expire after 20 days).
    pub download_url: String,
    /// When the link expires.
    #[serde(default)]
    pub date_expired: Option<String>,
}
