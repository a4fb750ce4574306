//! [`VanClient`]: the typed VAN API v4 client, one handler per API area.
//!
//! ```no_run
//! # async fn run() -> Result<(), canvass_core::Error> {
//! use canvass_van::{DbMode, VanClient};
//! use canvass_van::models::Person;
//!
//! let van = VanClient::builder("my-app", "api-key-guid", DbMode::MyCampaign).build()?;
//! let person = Person {
//!     first_name: Some("Ana".into()),
//!     last_name: Some("Núñez".into()),
//!     emails: Some(vec![canvass_van::models::EmailAddress { email: "ana@example.org".into(), ..Default::default() }]),
//!     ..Person::default()
//! };
//! let matched = van.people().find_or_create(&person).send().await?;
//! van.canvass_responses().apply_activist_code(matched.van_id, 4369730).send().await?;
//! # Ok(()) }
//! ```
//!
//! Several clients can live side by side (one per committee, state or
//! database mode); each has its own credentials and rate limiter.

mod codes;
mod events;
mod jobs;
mod list;
mod misc;
mod people;

pub use codes::{ActivistCodes, CanvassResponses, Codes, RecordCanvassResponse, SurveyQuestions};
pub use events::{EventExpand, Events, GetEvent, Signups};
pub use jobs::{
    BulkImport, BulkImportJobs, BulkImportOutcome, BulkImportTable, CHANGED_ENTITY_WINDOW_DAYS,
    ChangedEntityExportJobs, CsvFile, ExportJobs, NewChangedEntityExport, Uploader,
};
pub use list::ListRequest;
pub use misc::{Contributions, Folders, Notes, SavedLists};
pub use people::{
    FindOrCreate, GetPerson, MatchCombination, People, PersonExpand, match_combination,
};

use std::time::Duration;

use canvass_core::Error;
use canvass_core::http::{Auth, HttpClient, HttpConfig, RateLimit, RetryPolicy};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use url::Url;

/// The system name in every [`canvass_core::SourceRef`] and error.
pub const SYSTEM: &str = "van";

/// The production base URL.
pub const DEFAULT_BASE_URL: &str = "https://api.securevan.com/v4/";

/// Which VAN database a key works on; sent as the `|0` / `|1` suffix of the
/// Basic-auth password. A key is issued for one mode: a wrong mode is refused
/// like a wrong key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum DbMode {
    /// `0`: the voter file (My Voters).
    VoterFile,
    /// `1`: MyCampaign / EveryAction / MyMembers.
    MyCampaign,
}

impl DbMode {
    /// The code sent after the key: `0` or `1`.
    pub fn code(self) -> u8 {
        match self {
            DbMode::VoterFile => 0,
            DbMode::MyCampaign => 1,
        }
    }

    /// The mode for a code.
    pub fn from_code(code: u8) -> Option<DbMode> {
        match code {
            0 => Some(DbMode::VoterFile),
            1 => Some(DbMode::MyCampaign),
            _ => None,
        }
    }

    /// The name VAN's docs use.
    pub fn name(self) -> &'static str {
        match self {
            DbMode::VoterFile => "VoterFile",
            DbMode::MyCampaign => "MyCampaign",
        }
    }
}

impl std::fmt::Display for DbMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.code(), self.name())
    }
}

impl<'de> Deserialize<'de> for DbMode {
    /// Accepts `0`/`1`, `"0"`/`"1"`, and the names in any case, with or without
    /// underscores (`"voter_file"`, `"MyCampaign"`, `"everyaction"`).
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        let text = match &v {
            serde_json::Value::Number(n) => n.to_string(),
            serde_json::Value::String(s) => s.clone(),
            _ => String::new(),
        };
        match text
            .to_ascii_lowercase()
            .replace(['_', '-', ' '], "")
            .as_str()
        {
            "0" | "voterfile" | "myvoters" => Ok(DbMode::VoterFile),
            "1" | "mycampaign" | "everyaction" | "mymembers" => Ok(DbMode::MyCampaign),
            _ => Err(serde::de::Error::custom(format!(
                "unknown VAN database mode {v}: use 0 / \"voter_file\" or 1 / \"my_campaign\""
            ))),
        }
    }
}

/// Builds a [`VanClient`].
pub struct VanClientBuilder {
    application_name: String,
    api_key: SecretString,
    db_mode: DbMode,
    base_url: Result<Url, Error>,
    rate_limit: RateLimit,
    retry: RetryPolicy,
    timeout: Duration,
    concurrency: usize,
    job_poll_interval: Duration,
    job_timeout: Duration,
}

impl std::fmt::Debug for VanClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VanClientBuilder")
            .field("application_name", &self.application_name)
            .field("api_key", &"[REDACTED]")
            .field("db_mode", &self.db_mode)
            .finish_non_exhaustive()
    }
}

impl VanClientBuilder {
    /// Points the client elsewhere (EveryAction hosts, a simulator).
    pub fn base_url(mut self, url: Url) -> Self {
        self.base_url = Ok(url);
        self
    }

    /// The client-side rate limit. VAN's limits are tiered and unpublished
    /// (UNVERIFIED); the default is [`VanClient::DEFAULT_RATE_LIMIT`].
    pub fn rate_limit(mut self, limit: RateLimit) -> Self {
        self.rate_limit = limit;
        self
    }

    /// The retry policy.
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The per-request timeout.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How many pages of a paginated endpoint are fetched at once once the
    /// total is known (default 8; 1 reads strictly one page after another).
    pub fn concurrency(mut self, concurrency: usize) -> Self {
        self.concurrency = concurrency.max(1);
        self
    }

    /// How often a job is polled, and how long to wait for it at most.
    pub fn job_polling(mut self, interval: Duration, timeout: Duration) -> Self {
        self.job_poll_interval = interval;
        self.job_timeout = timeout;
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    /// [`Error::Config`] for an empty application name or key, or when the
    /// HTTP client cannot be built.
    pub fn build(self) -> Result<VanClient, Error> {
        if self.application_name.trim().is_empty() {
            return Err(Error::Config(
                "VAN needs an application name (the Basic-auth user name)".into(),
            ));
        }
        if self.api_key.expose_secret().trim().is_empty() {
            return Err(Error::Config("VAN needs an API key".into()));
        }
        let password = format!("{}|{}", self.api_key.expose_secret(), self.db_mode.code());
        let config = HttpConfig::new(SYSTEM, self.base_url?)
            .auth(Auth::basic(self.application_name.clone(), password))
            .rate_limit(self.rate_limit)
            .retry(self.retry)
            .timeout(self.timeout)
            .error_body(crate::error::parse_error_body);
        Ok(VanClient {
            http: HttpClient::new(config)?,
            application_name: self.application_name,
            db_mode: self.db_mode,
            concurrency: self.concurrency,
            job_poll_interval: self.job_poll_interval,
            job_timeout: self.job_timeout,
        })
    }
}

/// The typed VAN API v4 client. Cheap to clone; clones share the connection
/// pool and the rate limiter.
#[derive(Clone)]
pub struct VanClient {
    pub(crate) http: HttpClient,
    application_name: String,
    db_mode: DbMode,
    pub(crate) concurrency: usize,
    pub(crate) job_poll_interval: Duration,
    pub(crate) job_timeout: Duration,
}

impl std::fmt::Debug for VanClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VanClient")
            .field("application_name", &self.application_name)
            .field("db_mode", &self.db_mode)
            .field("http", &self.http)
            .finish()
    }
}

impl VanClient {
    /// VAN's rate limits are tiered and unpublished (UNVERIFIED): a
    /// conservative 20 requests per second unless configured.
    pub const DEFAULT_RATE_LIMIT: f64 = 20.0;

    /// A builder for `application_name` with `api_key` on `db_mode`.
    pub fn builder(
        application_name: impl Into<String>,
        api_key: impl Into<String>,
        db_mode: DbMode,
    ) -> VanClientBuilder {
        VanClientBuilder {
            application_name: application_name.into(),
            api_key: SecretString::from(api_key.into()),
            db_mode,
            base_url: Url::parse(DEFAULT_BASE_URL).map_err(|e| Error::Config(e.to_string())),
            rate_limit: RateLimit::per_second(Self::DEFAULT_RATE_LIMIT),
            retry: RetryPolicy::default(),
            timeout: Duration::from_secs(60),
            concurrency: 8,
            job_poll_interval: Duration::from_secs(5),
            job_timeout: Duration::from_secs(3600),
        }
    }

    /// The database mode this client sends.
    pub fn db_mode(&self) -> DbMode {
        self.db_mode
    }

    /// The application name this client sends.
    pub fn application_name(&self) -> &str {
        &self.application_name
    }

    /// The underlying HTTP client, for endpoints this crate does not wrap.
    pub fn http(&self) -> &HttpClient {
        &self.http
    }

    /// People: find, findOrCreate, get, search, update, notes.
    pub fn people(&self) -> People<'_> {
        People::new(self)
    }

    /// Activist codes.
    pub fn activist_codes(&self) -> ActivistCodes<'_> {
        ActivistCodes::new(self)
    }

    /// Survey questions with their responses.
    pub fn survey_questions(&self) -> SurveyQuestions<'_> {
        SurveyQuestions::new(self)
    }

    /// Canvass responses (contact history) and their lookups.
    pub fn canvass_responses(&self) -> CanvassResponses<'_> {
        CanvassResponses::new(self)
    }

    /// Codes (tags and source codes).
    pub fn codes(&self) -> Codes<'_> {
        Codes::new(self)
    }

    /// Events, shifts and event types.
    pub fn events(&self) -> Events<'_> {
        Events::new(self)
    }

    /// Event signups and their statuses.
    pub fn signups(&self) -> Signups<'_> {
        Signups::new(self)
    }

    /// Saved lists.
    pub fn saved_lists(&self) -> SavedLists<'_> {
        SavedLists::new(self)
    }

    /// Folders of saved lists.
    pub fn folders(&self) -> Folders<'_> {
        Folders::new(self)
    }

    /// Export jobs (saved lists to CSV).
    pub fn export_jobs(&self) -> ExportJobs<'_> {
        ExportJobs::new(self)
    }

    /// Bulk import jobs.
    pub fn bulk_import_jobs(&self) -> BulkImportJobs<'_> {
        BulkImportJobs::new(self)
    }

    /// Changed-entity export jobs: VAN's only modified-since mechanism.
    pub fn changed_entity_export_jobs(&self) -> ChangedEntityExportJobs<'_> {
        ChangedEntityExportJobs::new(self)
    }

    /// Contributions.
    pub fn contributions(&self) -> Contributions<'_> {
        Contributions::new(self)
    }

    /// Notes on a person.
    pub fn notes(&self, van_id: u64) -> Notes<'_> {
        Notes::new(self, van_id)
    }

    /// `POST /echoes`: a credential check that returns the message back.
    ///
    /// # Errors
    /// [`Error::Auth`] explaining whether the key or the database mode was refused.
    pub async fn echo(&self, message: &str) -> Result<String, Error> {
        #[derive(Deserialize)]
        struct Echo {
            message: String,
        }
        let echo: Echo = self
            .http
            .post("echoes")
            .json(&serde_json::json!({ "message": message }))
            .retry_safe()
            .send_json("echo")
            .await
            .map_err(|e| self.explain(e))?;
        Ok(echo.message)
    }

    /// Adds what a reader needs to act on an error: for an auth failure,
    /// whether VAN refused the key or the database mode, and what to check.
    ///
    /// VAN's exact wording is UNVERIFIED: an answer mentioning the database
    /// mode is reported as a mode problem, anything else as a key problem.
    pub(crate) fn explain(&self, e: Error) -> Error {
        match e {
            Error::Auth { system, message } => {
                let lower = message.to_ascii_lowercase();
                let hint = if lower.contains("database mode")
                    || lower.contains("dbmode")
                    || lower.contains("db mode")
                {
                    format!(
                        "the API key was refused for database mode {}; a VAN key is issued for one mode: set `db_mode` to {} if the key is for {}",
                        self.db_mode,
                        match self.db_mode {
                            DbMode::VoterFile => "1 (MyCampaign)",
                            DbMode::MyCampaign => "0 (VoterFile)",
                        },
                        match self.db_mode {
                            DbMode::VoterFile => "MyCampaign",
                            DbMode::MyCampaign => "the voter file",
                        }
                    )
                } else {
                    format!(
                        "the application name `{}` or the API key was refused; check both (the key is sent for database mode {})",
                        self.application_name, self.db_mode
                    )
                };
                Error::Auth {
                    system,
                    message: format!("{hint}. VAN said: {message}"),
                }
            }
            other => other,
        }
    }
}

/// Decodes one item of a page into `T`, naming the JSON path that failed.
pub(crate) fn decode_value<T: serde::de::DeserializeOwned>(
    entity: &str,
    value: &serde_json::Value,
) -> Result<T, Error> {
    serde_path_to_error::deserialize(value).map_err(|e| Error::Decode {
        system: SYSTEM.to_string(),
        entity: entity.to_string(),
        path: e.path().to_string(),
        message: e.inner().to_string(),
        excerpt: canvass_core::http::excerpt(&value.to_string(), 120),
        truncated: false,
    })
}
