//! [`ActionNetworkClient`]: a typed client for Action Network API v2, with
//! one handler per API area (`client.people().list().modified_since(t).send()`).
//!
//! Built on [`canvass_core::http::HttpClient`], so it authenticates with the
//! `OSDI-API-Token` header, spaces requests at Action Network's 4 per second,
//! retries with backoff and scrubs the key from every error (Action Network
//! echoes a bad key back in its 401 body).

mod collection;
mod events;
mod other;
mod people;
mod tags;

use std::time::Duration;

use canvass_core::Error;
use canvass_core::http::{Auth, HttpClient, HttpConfig, RateLimit, RetryPolicy, VendorError};
use serde::de::DeserializeOwned;
use serde_json::Value;
use url::Url;

pub use collection::{HalPage, ListRequest, decode_item};
pub use events::{Events, RecordAttendance};
pub use other::{Donations, Forms, FundraisingPages, Lists, Messages, Metadata, Petitions};
pub use people::{People, Signup, SignupOutcome, UpdatePerson};
pub use tags::Tags;

/// The system name used in errors and [`canvass_core::SourceRef`]s.
pub const SYSTEM: &str = "actionnetwork";

/// Action Network's API root.
pub const DEFAULT_BASE_URL: &str = "https://actionnetwork.org/api/v2/";

/// Action Network's published rate limit: 4 requests per second, for reads
/// and writes together.
pub const RATE_LIMIT_PER_SECOND: f64 = 4.0;

/// The largest page Action Network serves.
pub const MAX_PER_PAGE: u32 = 25;

/// The header carrying the API key.
pub const API_KEY_HEADER: &str = "OSDI-API-Token";

/// Parses Action Network's error body, `{"error": "…"}`. OSDI's experimental
/// `error_descriptions` list is accepted too.
///
/// ```
/// use canvass_actionnetwork::client::parse_error_body;
/// let e = parse_error_body(br#"{"error":"Couldn't find person with id = 7"}"#).unwrap();
/// assert_eq!(e.message, "Couldn't find person with id = 7");
/// assert!(parse_error_body(b"<html>").is_none());
/// ```
pub fn parse_error_body(body: &[u8]) -> Option<VendorError> {
    let v: Value = serde_json::from_slice(body).ok()?;
    if let Some(message) = v.get("error").and_then(Value::as_str) {
        return Some(VendorError {
            code: None,
            message: message.to_string(),
            fields: vec![],
        });
    }
    let descriptions = v.get("error_descriptions")?.as_array()?;
    let message = descriptions
        .iter()
        .map(|d| {
            d.as_str()
                .map(str::to_string)
                .unwrap_or_else(|| d.to_string())
        })
        .collect::<Vec<_>>()
        .join("; ");
    Some(VendorError {
        code: v
            .get("response_code")
            .map(|c| c.to_string().trim_matches('"').to_string()),
        message,
        fields: vec![],
    })
}

/// Builds an [`ActionNetworkClient`].
///
/// ```
/// use canvass_actionnetwork::ActionNetworkClient;
/// let client = ActionNetworkClient::builder("my-key")
///     .base_url("http://127.0.0.1:9/api/v2/".parse().unwrap())
///     .per_page(10)
///     .build()
///     .unwrap();
/// assert_eq!(client.per_page(), 10);
/// assert!(!format!("{client:?}").contains("my-key"));
/// ```
#[must_use]
pub struct ClientBuilder {
    api_key: secrecy::SecretString,
    base_url: Option<Url>,
    rate_limit: RateLimit,
    retry: RetryPolicy,
    timeout: Duration,
    per_page: u32,
}

impl std::fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url.as_ref().map(Url::as_str))
            .field("rate_limit", &self.rate_limit)
            .field("per_page", &self.per_page)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// Points the client somewhere else (a simulator, a proxy).
    pub fn base_url(mut self, url: Url) -> Self {
        self.base_url = Some(url);
        self
    }

    /// Overrides the client-side rate limit (4 requests/second by default).
    pub fn rate_limit(mut self, limit: RateLimit) -> Self {
        self.rate_limit = limit;
        self
    }

    /// Sets the retry policy.
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Sets the per-request timeout (30 s by default).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Page size for every list, capped at Action Network's 25 (the default).
    pub fn per_page(mut self, per_page: u32) -> Self {
        self.per_page = per_page.clamp(1, MAX_PER_PAGE);
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    /// [`Error::Config`] when the key cannot go in a header or the base URL is bad.
    pub fn build(self) -> Result<ActionNetworkClient, Error> {
        use secrecy::ExposeSecret;
        let base = match self.base_url {
            Some(u) => u,
            None => DEFAULT_BASE_URL
                .parse()
                .map_err(|e| Error::Config(format!("default base URL: {e}")))?,
        };
        let config = HttpConfig::new(SYSTEM, base)
            .auth(Auth::header(API_KEY_HEADER, self.api_key.expose_secret())?)
            .rate_limit(self.rate_limit)
            .retry(self.retry)
            .timeout(self.timeout)
            .error_body(parse_error_body);
        Ok(ActionNetworkClient {
            http: HttpClient::new(config)?,
            per_page: self.per_page,
        })
    }
}

/// A typed Action Network API v2 client. Cheap to clone; clones share the
/// rate limiter, so every clone together stays under 4 requests/second.
///
/// ```no_run
/// # async fn run() -> Result<(), canvass_core::Error> {
/// use canvass_actionnetwork::ActionNetworkClient;
/// use futures::TryStreamExt;
/// let client = ActionNetworkClient::new("my-key")?;
/// let since = "2024-05-01T00:00:00Z".parse().unwrap();
/// let mut pages = client.people().list().modified_since(since).send();
/// while let Some(page) = pages.try_next().await? {
///     for person in page.decode::<canvass_actionnetwork::models::Person>() {
///         println!("{:?}", person?.given_name);
///     }
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct ActionNetworkClient {
    http: HttpClient,
    per_page: u32,
}

impl ActionNetworkClient {
    /// A client for the real API with the default settings.
    ///
    /// # Errors
    /// As [`ClientBuilder::build`].
    pub fn new(api_key: &str) -> Result<ActionNetworkClient, Error> {
        ActionNetworkClient::builder(api_key).build()
    }

    /// A builder with the defaults: the real API, 4 requests/second, 25 per page.
    pub fn builder(api_key: &str) -> ClientBuilder {
        ClientBuilder {
            api_key: secrecy::SecretString::from(api_key.to_string()),
            base_url: None,
            rate_limit: RateLimit::per_second(RATE_LIMIT_PER_SECOND),
            retry: RetryPolicy::default(),
            timeout: Duration::from_secs(30),
            per_page: MAX_PER_PAGE,
        }
    }

    /// The HTTP client underneath, for calls this crate does not wrap.
    pub fn http(&self) -> &HttpClient {
        &self.http
    }

    /// The page size used by lists.
    pub fn per_page(&self) -> u32 {
        self.per_page
    }

    /// The absolute URL of a resource (`people/{id}`), as HAL links need it.
    pub fn href(&self, path: &str) -> String {
        self.http
            .base_url()
            .join(path.trim_start_matches('/'))
            .map(|u| u.to_string())
            .unwrap_or_else(|_| format!("{}{}", self.http.base_url(), path))
    }

    /// A list of any collection path (`"people"`, `"tags/{id}/taggings"`).
    pub fn list(&self, path: impl Into<String>) -> ListRequest<'_> {
        ListRequest::new(self, path.into())
    }

    /// GETs one resource and decodes it.
    ///
    /// # Errors
    /// [`Error::NotFound`] for a missing resource, [`Error::Decode`] naming the
    /// failing field, or any HTTP error.
    pub async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, Error> {
        self.http.get(path).send_json(path).await
    }

    /// The API entry point (`GET /api/v2/`): a cheap authenticated call.
    ///
    /// # Errors
    /// [`Error::Auth`] for a bad key.
    pub async fn entry_point(&self) -> Result<Value, Error> {
        self.http.get("").send_json("entry point").await
    }

    /// People: list (all or modified since), get, the signup helper (upsert), update.
    pub fn people(&self) -> People<'_> {
        People { client: self }
    }

    /// Tags and taggings.
    pub fn tags(&self) -> Tags<'_> {
        Tags { client: self }
    }

    /// Events and their attendances, and the record-attendance helper.
    pub fn events(&self) -> Events<'_> {
        Events { client: self }
    }

    /// Donations.
    pub fn donations(&self) -> Donations<'_> {
        Donations { client: self }
    }

    /// Fundraising pages and their donations.
    pub fn fundraising_pages(&self) -> FundraisingPages<'_> {
        FundraisingPages { client: self }
    }

    /// Forms and their submissions.
    pub fn forms(&self) -> Forms<'_> {
        Forms { client: self }
    }

    /// Petitions and their signatures.
    pub fn petitions(&self) -> Petitions<'_> {
        Petitions { client: self }
    }

    /// Lists and their items.
    pub fn lists(&self) -> Lists<'_> {
        Lists { client: self }
    }

    /// Email messages.
    pub fn messages(&self) -> Messages<'_> {
        Messages { client: self }
    }

    /// Metadata (custom fields).
    pub fn metadata(&self) -> Metadata<'_> {
        Metadata { client: self }
    }
}

/// The answer to a write: done (with what Action Network returned), or
/// queued because `background_processing=true` was asked for (Action Network
/// then answers at once with an empty body and processes later).
#[derive(Debug, Clone, PartialEq)]
pub enum Written<T> {
    /// Processed; the resource as Action Network returned it.
    Done(T),
    /// Accepted for background processing.
    Queued,
}

/// Sends a write and decodes its answer, or reports it queued.
pub(crate) async fn send_write<T: DeserializeOwned>(
    rb: canvass_core::http::RequestBuilder<'_>,
    background: bool,
    entity: &str,
) -> Result<Written<T>, Error> {
    let rb = if background {
        rb.query_pair("background_processing", "true")
    } else {
        rb
    };
    let resp = rb.send().await?;
    if background && people::is_empty_body(&resp.body) {
        return Ok(Written::Queued);
    }
    resp.json(entity).map(Written::Done)
}
