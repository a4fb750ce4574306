//! Asynchronous jobs: exports, bulk imports and changed-entity exports,
//! with polling, downloads, CSV parsing, and the [`Uploader`] through which
//! bulk-import files reach VAN.

use std::future::Future;
use std::io::Write;
use std::time::Instant;

use async_trait::async_trait;
use canvass_core::Error;
use chrono::{DateTime, Duration as ChronoDuration, Utc};
use url::Url;

use super::codes::get_list;
use super::list::{ListRequest, PageLimits};
use super::{SYSTEM, VanClient, decode_value};
use crate::models::{
    BulkImportAction, BulkImportCreated, BulkImportFileSpec, BulkImportJob, BulkImportRequest,
    ChangedEntityExportJob, ChangedEntityExportRequest, ColumnName, ExportJob, ExportJobRequest,
    ExportJobType, JobStatus, MappingType,
};

/// Puts a file where VAN can fetch it and says where: VAN's bulk import
/// pulls its zipped file from a URL. Plug in your own storage (S3, GCS, a
/// signed URL); tests use the simulator's loopback uploader.
#[async_trait]
pub trait Uploader: Send + Sync {
    /// Stores `bytes` as `file_name` and returns a URL VAN can GET it from.
    async fn upload(&self, file_name: &str, bytes: Vec<u8>) -> Result<Url, Error>;
}

/// A CSV file VAN produced (an export, a changed-entity file, a result file).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CsvFile {
    /// The header row.
    pub headers: Vec<String>,
    /// The data rows.
    pub rows: Vec<Vec<String>>,
}

impl CsvFile {
    /// Parses a CSV with a header row (rows may be ragged; short rows read
    /// as empty cells).
    ///
    /// # Errors
    /// [`Error::Decode`] naming the line that failed.
    ///
    /// ```
    /// let f = canvass_van::client::CsvFile::parse(b"VanID,FirstName\n1,Ana\n").unwrap();
    /// assert_eq!(f.get(&f.rows[0], "vanid"), Some("1"));
    /// ```
    pub fn parse(bytes: &[u8]) -> Result<CsvFile, Error> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
        let decode = |e: csv::Error| Error::Decode {
            system: SYSTEM.to_string(),
            entity: "CSV file".to_string(),
            path: e
                .position()
                .map(|p| format!("line {}", p.line()))
                .unwrap_or_default(),
            message: e.to_string(),
            excerpt: String::new(),
            truncated: false,
        };
        let headers = reader
            .headers()
            .map_err(decode)?
            .iter()
            .map(str::to_string)
            .collect();
        let mut rows = Vec::new();
        for record in reader.records() {
            rows.push(record.map_err(decode)?.iter().map(str::to_string).collect());
        }
        Ok(CsvFile { headers, rows })
    }

    /// The index of a column, case-insensitively.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    }

    /// A cell of `row` by column name (case-insensitive); `None` when the
    /// column is absent, empty text when the row is short.
    pub fn get<'r>(&self, row: &'r [String], name: &str) -> Option<&'r str> {
        self.column(name)
            .map(|i| row.get(i).map_or("", String::as_str))
    }

    /// A row as a JSON object (header → text), for raw storage.
    pub fn row_json(&self, row: &[String]) -> serde_json::Value {
        let map = self
            .headers
            .iter()
            .enumerate()
            .map(|(i, h)| {
                (
                    h.clone(),
                    serde_json::Value::String(row.get(i).cloned().unwrap_or_default()),
                )
            })
            .collect();
        serde_json::Value::Object(map)
    }

    /// Appends another file's rows, matching columns by name.
    pub fn append(&mut self, other: CsvFile) {
        if self.headers.is_empty() {
            *self = other;
            return;
        }
        let map: Vec<Option<usize>> = self.headers.iter().map(|h| other.column(h)).collect();
        for row in other.rows {
            self.rows.push(
                map.iter()
                    .map(|i| i.and_then(|i| row.get(i).cloned()).unwrap_or_default())
                    .collect(),
            );
        }
    }
}

/// A table to bulk-import: columns and rows, zipped as VAN wants.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BulkImportTable {
    /// Column names (`VanID`, `ActivistCodeID`).
    pub columns: Vec<String>,
    /// Rows, each as long as `columns`.
    pub rows: Vec<Vec<String>>,
}

impl BulkImportTable {
    /// An empty table with these columns.
    pub fn new(columns: &[&str]) -> BulkImportTable {
        BulkImportTable {
            columns: columns.iter().map(|c| c.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    /// Adds a row.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when its length differs from the columns'.
    pub fn push(&mut self, row: Vec<String>) -> Result<(), Error> {
        if row.len() != self.columns.len() {
            return Err(Error::invalid_input(
                format!("bulk import row {}", self.rows.len()),
                format!(
                    "has {} values for {} columns",
                    row.len(),
                    self.columns.len()
                ),
            ));
        }
        self.rows.push(row);
        Ok(())
    }

    /// The table as CSV with a header row, every value quoted.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] if the CSV cannot be written.
    pub fn to_csv(&self) -> Result<Vec<u8>, Error> {
        let mut w = csv::WriterBuilder::new()
            .quote_style(csv::QuoteStyle::Always)
            .from_writer(Vec::new());
        let bad = |e: csv::Error| Error::invalid_input("bulk import file", e.to_string());
        w.write_record(&self.columns).map_err(bad)?;
        for row in &self.rows {
            w.write_record(row).map_err(bad)?;
        }
        w.into_inner()
            .map_err(|e| Error::invalid_input("bulk import file", e.to_string()))
    }

    /// The CSV zipped (deflate) as `csv_name` inside the archive.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] if the archive cannot be written.
    pub fn to_zip(&self, csv_name: &str) -> Result<Vec<u8>, Error> {
        let csv = self.to_csv()?;
        let bad = |e: String| Error::invalid_input("bulk import zip", e);
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        zip.start_file(csv_name, options)
            .map_err(|e| bad(e.to_string()))?;
        zip.write_all(&csv).map_err(|e| bad(e.to_string()))?;
        let cursor = zip.finish().map_err(|e| bad(e.to_string()))?;
        Ok(cursor.into_inner())
    }
}

/// Polls a job until it completes, fails, or the client's job timeout passes.
async fn wait_for<J, F, Fut>(
    client: &VanClient,
    what: &str,
    mut poll: F,
    status: impl Fn(&J) -> (JobStatus, String),
) -> Result<J, Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<J, Error>>,
{
    let started = Instant::now();
    loop {
        let job = poll().await?;
        let (s, detail) = status(&job);
        match s {
            JobStatus::Complete => return Ok(job),
            JobStatus::Pending | JobStatus::InProcess => {
                if started.elapsed() >= client.job_timeout {
                    return Err(Error::Transport {
                        system: SYSTEM.to_string(),
                        message: format!(
                            "{what} still {} after {} s (the client's job timeout)",
                            s.as_str(),
                            started.elapsed().as_secs()
                        ),
                        timeout: true,
                    });
                }
                tokio::time::sleep(client.job_poll_interval).await;
            }
            JobStatus::Failed(text) | JobStatus::Other(text) => {
                return Err(Error::Api {
                    system: SYSTEM.to_string(),
                    status: 200,
                    code: Some("JOB_FAILED".into()),
                    message: format!("{what} ended with status {text}{detail}"),
                    fields: vec![],
                });
            }
        }
    }
}

async fn download_csv(client: &VanClient, url: &str) -> Result<CsvFile, Error> {
    let bytes = client.http.download(url).await?;
    CsvFile::parse(&bytes)
}

/// The export jobs handler: `van.export_jobs()`.
#[derive(Debug, Clone, Copy)]
pub struct ExportJobs<'a> {
    client: &'a VanClient,
}

impl<'a> ExportJobs<'a> {
    pub(crate) fn new(client: &'a VanClient) -> Self {
        ExportJobs { client }
    }

    /// `GET /exportJobTypes`.
    pub fn types(self) -> ListRequest<ExportJobType> {
        ListRequest::new(
            self.client,
            "exportJobTypes",
            PageLimits::STANDARD,
            "export job types",
        )
    }

    /// `POST /exportJobs`. Retried after transient failures: a repeat only
    /// starts another export of the same list.
    ///
    /// # Errors
    /// As VAN answers.
    pub async fn create(self, request: &ExportJobRequest) -> Result<ExportJob, Error> {
        let value: serde_json::Value = self
            .client
            .http
            .post("exportJobs")
            .json(request)
            .retry_safe()
            .send_json("export job")
            .await
            .map_err(|e| self.client.explain(e))?;
        decode_value("export job", &value)
    }

    /// `GET /exportJobs/{id}`.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown job.
    pub async fn get(self, id: u64) -> Result<ExportJob, Error> {
        super::codes::get_one(self.client, &format!("exportJobs/{id}"), "export job").await
    }

    /// Polls the job until it completes.
    ///
    /// # Errors
    /// `JOB_FAILED` when VAN reports a failure; a timeout after the client's job timeout.
    pub async fn wait(self, id: u64) -> Result<ExportJob, Error> {
        wait_for(
            self.client,
            &format!("export job {id}"),
            || self.get(id),
            |j: &ExportJob| {
                (
                    j.status.clone(),
                    j.error_code
                        .as_deref()
                        .map(|c| format!(" ({c})"))
                        .unwrap_or_default(),
                )
            },
        )
        .await
    }

    /// Downloads a completed job's CSV.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when the job has no download URL yet.
    pub async fn download(self, job: &ExportJob) -> Result<CsvFile, Error> {
        let url = job.download_url.as_deref().ok_or_else(|| {
            Error::invalid_input(
                "exportJob.downloadUrl",
                format!("export job {} has no file yet", job.export_job_id),
            )
        })?;
        download_csv(self.client, url).await
    }

    /// Exports a saved list: create, wait, download.
    ///
    /// # Errors
    /// As the steps.
    pub async fn export_saved_list(
        self,
        saved_list_id: u64,
        export_type: u64,
    ) -> Result<CsvFile, Error> {
        let job = self
            .create(&ExportJobRequest {
                saved_list_id,
                kind: export_type,
                webhook_url: None,
            })
            .await?;
        let job = if job.status == JobStatus::Complete {
            job
        } else {
            self.wait(job.export_job_id).await?
        };
        self.download(&job).await
    }
}

/// The bulk import jobs handler: `van.bulk_import_jobs()`.
#[derive(Debug, Clone, Copy)]
pub struct BulkImportJobs<'a> {
    client: &'a VanClient,
}

/// What a finished bulk import reports.
#[derive(Debug, Clone, PartialEq)]
pub struct BulkImportOutcome {
    /// The job as VAN reported it when complete.
    pub job: BulkImportJob,
    /// Every result file's rows.
    pub results: CsvFile,
}

impl<'a> BulkImportJobs<'a> {
    pub(crate) fn new(client: &'a VanClient) -> Self {
        BulkImportJobs { client }
    }

    /// A bulk import of `table` into `resource_type` with these mapping
    /// types; the zipped file goes through `uploader`.
    pub fn import(
        self,
        table: BulkImportTable,
        resource_type: &str,
        mapping_types: Vec<MappingType>,
        uploader: &'a dyn Uploader,
    ) -> BulkImport<'a> {
        BulkImport {
            client: self.client,
            table,
            resource_type: resource_type.to_string(),
            mapping_types,
            description: format!("canvass {resource_type} upload"),
            file_name: "canvass-import.csv".to_string(),
            result_kb_limit: 5000,
            uploader,
        }
    }

    /// Applies activist codes to people in one job: rows of (van id,
    /// activist code id), resource `ContactsActivistCodes`, mapping
    /// `ActivistCode` (as parsons does). The request count does not grow
    /// with the number of rows.
    pub fn apply_activist_codes(
        self,
        rows: &[(u64, u64)],
        uploader: &'a dyn Uploader,
    ) -> BulkImport<'a> {
        let mut table = BulkImportTable::new(&["VanID", "ActivistCodeID"]);
        table.rows = rows
            .iter()
            .map(|(v, c)| vec![v.to_string(), c.to_string()])
            .collect();
        self.import(
            table,
            "ContactsActivistCodes",
            vec![MappingType::new("ActivistCode")],
            uploader,
        )
        .description("canvass activist code upload")
    }

    /// `POST /bulkImportJobs` with a full request; returns the job id.
    ///
    /// # Errors
    /// As VAN answers.
    pub async fn create(self, request: &BulkImportRequest) -> Result<u64, Error> {
        let created: BulkImportCreated = self
            .client
            .http
            .post("bulkImportJobs")
            .json(request)
            .send_json("bulk import job")
            .await
            .map_err(|e| self.client.explain(e))?;
        Ok(created.job_id)
    }

    /// `GET /bulkImportJobs/{id}`.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown job.
    pub async fn get(self, id: u64) -> Result<BulkImportJob, Error> {
        super::codes::get_one(
            self.client,
            &format!("bulkImportJobs/{id}"),
            "bulk import job",
        )
        .await
    }

    /// Polls the job until it completes.
    ///
    /// # Errors
    /// `JOB_FAILED` with VAN's job errors; a timeout after the client's job timeout.
    pub async fn wait(self, id: u64) -> Result<BulkImportJob, Error> {
        wait_for(
            self.client,
            &format!("bulk import job {id}"),
            || self.get(id),
            |j: &BulkImportJob| {
                let detail = if j.errors.is_empty() {
                    String::new()
                } else {
                    format!(": {}", serde_json::Value::Array(j.errors.clone()))
                };
                (j.status.clone(), detail)
            },
        )
        .await
    }

    /// Downloads and joins a job's result files.
    ///
    /// # Errors
    /// As the downloads.
    pub async fn results(self, job: &BulkImportJob) -> Result<CsvFile, Error> {
        let mut all = CsvFile::default();
        for f in &job.result_files {
            all.append(download_csv(self.client, &f.url).await?);
        }
        Ok(all)
    }

    /// `GET /bulkImportJobs/resources`.
    ///
    /// # Errors
    /// As VAN answers.
    pub async fn resources(self) -> Result<Vec<String>, Error> {
        get_list(
            self.client,
            "bulkImportJobs/resources",
            &[],
            "bulk import resources",
        )
        .await
    }

    /// `GET /bulkImportMappingTypes`.
    ///
    /// # Errors
    /// As VAN answers.
    pub async fn mapping_types(self) -> Result<Vec<serde_json::Value>, Error> {
        get_list(
            self.client,
            "bulkImportMappingTypes",
            &[],
            "bulk import mapping types",
        )
        .await
    }
}

/// A bulk import being built; finish with [`send`](Self::send) (start it)
/// or [`run`](Self::run) (start it, wait, read the results).
#[must_use = "a request does nothing until sent"]
pub struct BulkImport<'a> {
    client: &'a VanClient,
    table: BulkImportTable,
    resource_type: String,
    mapping_types: Vec<MappingType>,
    description: String,
    file_name: String,
    result_kb_limit: u64,
    uploader: &'a dyn Uploader,
}

impl std::fmt::Debug for BulkImport<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BulkImport")
            .field("resource_type", &self.resource_type)
            .field("rows", &self.table.rows.len())
            .finish_non_exhaustive()
    }
}

impl BulkImport<'_> {
    /// The description shown in VAN.
    pub fn description(mut self, description: &str) -> Self {
        self.description = description.to_string();
        self
    }

    /// The CSV's name inside the zip (the zip is named after it).
    pub fn file_name(mut self, file_name: &str) -> Self {
        self.file_name = file_name.to_string();
        self
    }

    /// The request that will be sent for a file at `source_url`.
    pub fn request(&self, source_url: &str) -> BulkImportRequest {
        BulkImportRequest {
            description: self.description.clone(),
            file: BulkImportFileSpec {
                column_delimiter: "csv".into(),
                columns: self
                    .table
                    .columns
                    .iter()
                    .map(|c| ColumnName { name: c.clone() })
                    .collect(),
                file_name: self.file_name.clone(),
                has_header: "True".into(),
                has_quotes: "True".into(),
                source_url: source_url.to_string(),
            },
            actions: vec![BulkImportAction {
                result_file_size_kb_limit: self.result_kb_limit,
                resource_type: self.resource_type.clone(),
                action_type: "loadMappedFile".into(),
                mapping_types: self.mapping_types.clone(),
            }],
        }
    }

    /// Zips the table, uploads it, and starts the job; returns its id.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an empty table; the uploader's error; VAN's answer.
    pub async fn send(self) -> Result<u64, Error> {
        if self.table.rows.is_empty() {
            return Err(Error::invalid_input("bulk import", "the table has no rows"));
        }
        let zip = self.table.to_zip(&self.file_name)?;
        let zip_name = format!("{}.zip", self.file_name.trim_end_matches(".csv"));
        let url = self.uploader.upload(&zip_name, zip).await?;
        let request = self.request(url.as_str());
        BulkImportJobs::new(self.client).create(&request).await
    }

    /// Starts the job, waits for it, and reads its result files.
    ///
    /// # Errors
    /// As [`send`](Self::send) and [`BulkImportJobs::wait`].
    pub async fn run(self) -> Result<BulkImportOutcome, Error> {
        let client = self.client;
        let id = self.send().await?;
        let jobs = BulkImportJobs::new(client);
        let job = jobs.wait(id).await?;
        let results = jobs.results(&job).await?;
        Ok(BulkImportOutcome { job, results })
    }
}

/// The changed-entity export jobs handler: `van.changed_entity_export_jobs()`.
#[derive(Debug, Clone, Copy)]
pub struct ChangedEntityExportJobs<'a> {
    client: &'a VanClient,
}

/// How far back VAN lets a changed-entity export reach.
pub const CHANGED_ENTITY_WINDOW_DAYS: i64 = 90;

impl<'a> ChangedEntityExportJobs<'a> {
    pub(crate) fn new(client: &'a VanClient) -> Self {
        ChangedEntityExportJobs { client }
    }

    /// A changed-entity export of `resource_type` (`"Contacts"`) changed
    /// since `from`, which must be within the last 90 days.
    pub fn create(self, resource_type: &str, from: DateTime<Utc>) -> NewChangedEntityExport<'a> {
        NewChangedEntityExport {
            client: self.client,
            from,
            to: None,
            request: ChangedEntityExportRequest {
                date_changed_from: String::new(),
                date_changed_to: None,
                resource_type: resource_type.to_string(),
                requested_ids: Vec::new(),
                requested_fields: Vec::new(),
                requested_custom_field_ids: Vec::new(),
                file_size_kb_limit: 40_000,
                include_inactive: false,
            },
        }
    }

    /// `GET /changedEntityExportJobs/{id}`.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown job.
    pub async fn get(self, id: u64) -> Result<ChangedEntityExportJob, Error> {
        super::codes::get_one(
            self.client,
            &format!("changedEntityExportJobs/{id}"),
            "changed entity export job",
        )
        .await
    }

    /// Polls the job while it is `Pending` or `InProcess`.
    ///
    /// # Errors
    /// `JOB_FAILED` with VAN's message for any other status; a timeout after the client's job timeout.
    pub async fn wait(self, id: u64) -> Result<ChangedEntityExportJob, Error> {
        wait_for(
            self.client,
            &format!("changed entity export job {id}"),
            || self.get(id),
            |j: &ChangedEntityExportJob| {
                let detail = match (&j.code, &j.message) {
                    (Some(c), Some(m)) => format!(" ({c}: {m})"),
                    (None, Some(m)) => format!(" ({m})"),
                    (Some(c), None) => format!(" ({c})"),
                    (None, None) => String::new(),
                };
                (j.job_status.clone(), detail)
            },
        )
        .await
    }

    /// Downloads every file of a completed job into one table.
    ///
    /// # Errors
    /// As the downloads.
    pub async fn download(self, job: &ChangedEntityExportJob) -> Result<CsvFile, Error> {
        let mut all = CsvFile::default();
        for f in &job.files {
            all.append(download_csv(self.client, &f.download_url).await?);
        }
        Ok(all)
    }

    /// `GET /changedEntityExportJobs/resources`.
    ///
    /// # Errors
    /// As VAN answers.
    pub async fn resources(self) -> Result<Vec<String>, Error> {
        get_list(
            self.client,
            "changedEntityExportJobs/resources",
            &[],
            "changed entity resources",
        )
        .await
    }

    /// `GET /changedEntityExportJobs/fields/{resourceType}`.
    ///
    /// # Errors
    /// As VAN answers.
    pub async fn fields(self, resource_type: &str) -> Result<Vec<serde_json::Value>, Error> {
        get_list(
            self.client,
            &format!("changedEntityExportJobs/fields/{resource_type}"),
            &[],
            "changed entity fields",
        )
        .await
    }
}

/// A changed-entity export being built; finish with [`send`](Self::send)
/// (start it) or [`run`](Self::run) (start, wait, download).
#[must_use = "a request does nothing until sent"]
#[derive(Debug)]
pub struct NewChangedEntityExport<'a> {
    client: &'a VanClient,
    from: DateTime<Utc>,
    to: Option<DateTime<Utc>>,
    request: ChangedEntityExportRequest,
}

impl NewChangedEntityExport<'_> {
    /// Changes up to `to` (exclusive; default now).
    pub fn to(mut self, to: DateTime<Utc>) -> Self {
        self.to = Some(to);
        self
    }

    /// Only these fields.
    pub fn requested_fields(mut self, fields: &[&str]) -> Self {
        self.request.requested_fields = fields.iter().map(|f| f.to_string()).collect();
        self
    }

    /// Only these ids.
    pub fn requested_ids(mut self, ids: &[u64]) -> Self {
        self.request.requested_ids = ids.to_vec();
        self
    }

    /// Whether inactive records are included.
    pub fn include_inactive(mut self, yes: bool) -> Self {
        self.request.include_inactive = yes;
        self
    }

    /// Largest file VAN writes, 1000–100000 KB (default 40000).
    pub fn file_size_kb_limit(mut self, kb: u64) -> Self {
        self.request.file_size_kb_limit = kb;
        self
    }

    /// Checks VAN's rules and returns the body to send.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming `dateChangedFrom`, `dateChangedTo` or `fileSizeKbLimit`.
    pub fn build(&self) -> Result<ChangedEntityExportRequest, Error> {
        let now = Utc::now();
        if self.from < now - ChronoDuration::days(CHANGED_ENTITY_WINDOW_DAYS) {
            return Err(Error::invalid_input(
                "dateChangedFrom",
                format!(
                    "{} is more than {CHANGED_ENTITY_WINDOW_DAYS} days ago; VAN only exports changes from the last {CHANGED_ENTITY_WINDOW_DAYS} days (run a full read instead)",
                    self.from.to_rfc3339()
                ),
            ));
        }
        if let Some(to) = self.to
            && to <= self.from
        {
            return Err(Error::invalid_input(
                "dateChangedTo",
                format!(
                    "{} must come after dateChangedFrom {}",
                    to.to_rfc3339(),
                    self.from.to_rfc3339()
                ),
            ));
        }
        if !(1000..=100_000).contains(&self.request.file_size_kb_limit) {
            return Err(Error::invalid_input(
                "fileSizeKbLimit",
                format!(
                    "{} is outside VAN's 1000–100000",
                    self.request.file_size_kb_limit
                ),
            ));
        }
        let mut request = self.request.clone();
        request.date_changed_from = self
            .from
            .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false);
        request.date_changed_to = self
            .to
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false));
        Ok(request)
    }

    /// Starts the job. Retried after transient failures: a repeat only
    /// starts another read-only export.
    ///
    /// VAN's reference for `POST /changedEntityExportJobs` says the answer
    /// is "the integer ID of the created export job" and shows a job
    /// object; both are read (a bare id as a `Pending` job to poll).
    ///
    /// # Errors
    /// As [`build`](Self::build) and VAN's answer.
    pub async fn send(self) -> Result<ChangedEntityExportJob, Error> {
        let request = self.build()?;
        let value: serde_json::Value = self
            .client
            .http
            .post("changedEntityExportJobs")
            .json(&request)
            .retry_safe()
            .send_json("changed entity export job")
            .await
            .map_err(|e| self.client.explain(e))?;
        match value.as_u64() {
            Some(id) => Ok(ChangedEntityExportJob::pending(id)),
            None => decode_value("changed entity export job", &value),
        }
    }

    /// Starts the job, waits for it and downloads its files.
    ///
    /// # Errors
    /// As the steps.
    pub async fn run(self) -> Result<CsvFile, Error> {
        let client = self.client;
        let job = self.send().await?;
        let jobs = ChangedEntityExportJobs::new(client);
        let job = if job.job_status == JobStatus::Complete {
            job
        } else {
            jobs.wait(job.export_job_id).await?
        };
        jobs.download(&job).await
    }
}
