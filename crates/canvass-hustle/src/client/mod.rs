//! [`HustleClient`]: the typed Hustle v3 client, one handler per API area.
//!
//! ```no_run
//! # async fn run() -> Result<(), canvass_core::Error> {
//! use canvass_hustle::HustleClient;
//! use futures::TryStreamExt;
//! let client = HustleClient::builder("my-client-id", "my-client-secret").build()?;
//! let mut pages = client.leads().list().group("cMCH0hxwGt").send();
//! while let Some(page) = pages.try_next().await? {
//!     println!("{} leads", page.items.len());
//! }
//! # Ok(()) }
//! ```

mod directory;
mod leads;
mod messages;

pub use directory::{DirectoryHandler, ResourceKind};
pub use leads::{LeadsHandler, LeadsList, UpsertOutcome};
pub use messages::{MessagesHandler, MessagesList};

use futures::StreamExt;
use futures::stream::BoxStream;
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use url::Url;

use canvass_core::Error;
use canvass_core::http::{
    Auth, HttpClient, HttpConfig, OAuth2ClientCredentials, PageOf, RateLimit, RetryPolicy,
    VendorError, paginate,
};

use crate::models::{ErrorBody, ListEnvelope};

/// The system name used in errors and [`SourceRef`](canvass_core::SourceRef)s.
pub const SYSTEM: &str = "hustle";

/// Hustle's production API.
pub const DEFAULT_BASE_URL: &str = "https://api.hustle.com/v3/";

/// Hustle's published limit: 25 requests per second on resource endpoints.
pub const RATE_LIMIT_PER_SECOND: f64 = 25.0;

/// The largest `limit` a list accepts.
pub const MAX_PAGE_SIZE: u32 = 1000;

/// Parses Hustle's `{code, message, hustleErrorCode}` error body.
///
/// ```
/// let e = canvass_hustle::client::parse_error_body(
///     br#"{"code":422,"message":"Invalid phone","hustleErrorCode":"E_PHONE"}"#,
/// ).unwrap();
/// assert_eq!(e.code.as_deref(), Some("E_PHONE"));
/// assert_eq!(e.message, "Invalid phone");
/// assert!(canvass_hustle::client::parse_error_body(b"<html>").is_none());
/// ```
pub fn parse_error_body(body: &[u8]) -> Option<VendorError> {
    let parsed: ErrorBody = serde_json::from_slice(body).ok()?;
    let message = parsed.message?;
    Some(VendorError {
        code: parsed.hustle_error_code,
        message,
        fields: vec![],
    })
}

/// Builds a [`HustleClient`].
#[derive(Debug)]
pub struct HustleClientBuilder {
    base_url: Option<Url>,
    client_id: String,
    client_secret: SecretString,
    rate_limit: RateLimit,
    retry: RetryPolicy,
}

impl HustleClientBuilder {
    /// Points the client at another base URL (a simulator); it must end with
    /// the API version, e.g. `http://127.0.0.1:4000/v3/`.
    pub fn base_url(mut self, url: Url) -> Self {
        self.base_url = Some(url);
        self
    }

    /// Overrides the client-side rate limit (default: 25 requests/s).
    pub fn rate_limit(mut self, limit: RateLimit) -> Self {
        self.rate_limit = limit;
        self
    }

    /// Overrides the retry policy.
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Builds the client. No request is made until the first call, which
    /// mints the OAuth token (`POST /oauth/token`).
    ///
    /// # Errors
    /// [`Error::Config`] for a base URL that cannot take `oauth/token`.
    pub fn build(self) -> Result<HustleClient, Error> {
        let base = match self.base_url {
            Some(u) => u,
            None => Url::parse(DEFAULT_BASE_URL)
                .map_err(|e| Error::Config(format!("hustle base URL: {e}")))?,
        };
        let base = if base.path().ends_with('/') {
            base
        } else {
            let mut b = base;
            let p = format!("{}/", b.path());
            b.set_path(&p);
            b
        };
        let token_url = base
            .join("oauth/token")
            .map_err(|e| Error::Config(format!("hustle token URL: {e}")))?;
        let auth = Auth::OAuth2(OAuth2ClientCredentials::new(
            token_url,
            self.client_id,
            self.client_secret.expose_secret().to_string(),
        ));
        let http = HttpClient::new(
            HttpConfig::new(SYSTEM, base)
                .auth(auth)
                .rate_limit(self.rate_limit)
                .retry(self.retry)
                .error_body(parse_error_body),
        )?;
        Ok(HustleClient { http })
    }
}

/// The Hustle v3 client: OAuth2 client credentials (token cached until it
/// expires, re-minted once on a 401, and never requested again after three
/// failures in a row, because Hustle blocks an IP after repeated failed
/// token requests), the 25 requests/s limit, retries, and the
/// `{code, message, hustleErrorCode}` error body.
///
/// Cheap to clone; clones share the token and the rate limiter.
#[derive(Debug, Clone)]
pub struct HustleClient {
    http: HttpClient,
}

impl HustleClient {
    /// A builder for a client with these credentials.
    pub fn builder(
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> HustleClientBuilder {
        HustleClientBuilder {
            base_url: None,
            client_id: client_id.into(),
            client_secret: SecretString::from(client_secret.into()),
            rate_limit: RateLimit::per_second(RATE_LIMIT_PER_SECOND),
            retry: RetryPolicy::default(),
        }
    }

    /// The underlying HTTP client (for endpoints this crate does not wrap).
    pub fn http(&self) -> &HttpClient {
        &self.http
    }

    /// Leads: list (by group, phone, organization), upsert, operations.
    pub fn leads(&self) -> LeadsHandler<'_> {
        LeadsHandler { client: self }
    }

    /// Messages: list and get one.
    pub fn messages(&self) -> MessagesHandler<'_> {
        MessagesHandler { client: self }
    }

    /// Organizations.
    pub fn organizations(&self) -> DirectoryHandler<'_> {
        DirectoryHandler::new(self, ResourceKind::Organizations)
    }

    /// Groups.
    pub fn groups(&self) -> DirectoryHandler<'_> {
        DirectoryHandler::new(self, ResourceKind::Groups)
    }

    /// Agents.
    pub fn agents(&self) -> DirectoryHandler<'_> {
        DirectoryHandler::new(self, ResourceKind::Agents)
    }

    /// Tags.
    pub fn tags(&self) -> DirectoryHandler<'_> {
        DirectoryHandler::new(self, ResourceKind::Tags)
    }

    /// Custom fields.
    pub fn custom_fields(&self) -> DirectoryHandler<'_> {
        DirectoryHandler::new(self, ResourceKind::CustomFields)
    }

    /// A cheap credential check: mints a token and reads one organization.
    ///
    /// # Errors
    /// [`Error::Auth`] when the credentials are refused.
    pub async fn ping(&self) -> Result<(), Error> {
        let _: ListEnvelope = self
            .http
            .get("organizations")
            .query_pair("limit", "1")
            .send_json("organizations page")
            .await?;
        Ok(())
    }
}

/// One page of a cursor-paginated list, items still raw JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct CursorPage {
    /// The cursor this page was fetched with (`None` for the first page).
    pub at: Option<String>,
    /// The items, one JSON value each.
    pub items: Vec<serde_json::Value>,
    /// The cursor of the next page, `None` after the last.
    pub next: Option<String>,
}

impl CursorPage {
    /// Decodes every item as `T`, naming the item and the JSON path that failed.
    ///
    /// # Errors
    /// [`Error::Decode`] for the first item that does not fit.
    pub fn decode<T: DeserializeOwned>(&self, entity: &str) -> Result<Vec<T>, Error> {
        self.items
            .iter()
            .enumerate()
            .map(|(i, v)| decode_item(v, entity, i))
            .collect()
    }
}

/// Decodes one list item, naming it (by id, or position) and the failing path.
///
/// # Errors
/// [`Error::Decode`].
pub fn decode_item<T: DeserializeOwned>(
    value: &serde_json::Value,
    entity: &str,
    position: usize,
) -> Result<T, Error> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        Error::Decode {
            system: SYSTEM.to_string(),
            entity: format!("{entity} {}", item_name(value, position)),
            path,
            message: e.into_inner().to_string(),
            excerpt: canvass_core::http::excerpt(&value.to_string(), 120),
            truncated: false,
        }
    })
}

/// An item's id, or `#position` when it has none.
pub(crate) fn item_name(value: &serde_json::Value, position: usize) -> String {
    match value.get("id") {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Number(n)) => n.to_string(),
        _ => format!("#{position}"),
    }
}

/// A cursor-paginated list request (`items`/`cursor`/`hasMore`).
///
/// Walks every page from `start` (or the beginning), `limit` items at a
/// time (at most 1000). A page that says `hasMore` but gives no cursor, or
/// repeats one, ends the walk instead of looping.
#[derive(Debug, Clone)]
#[must_use = "a list does nothing until sent"]
pub struct ListRequest {
    http: HttpClient,
    path: String,
    entity: &'static str,
    params: Vec<(String, String)>,
    limit: u32,
    start: Option<String>,
}

impl ListRequest {
    pub(crate) fn new(
        client: &HustleClient,
        path: impl Into<String>,
        entity: &'static str,
    ) -> ListRequest {
        ListRequest {
            http: client.http.clone(),
            path: path.into(),
            entity,
            params: Vec::new(),
            limit: MAX_PAGE_SIZE,
            start: None,
        }
    }

    /// Adds a query parameter (a filter this crate has no method for).
    pub fn param(mut self, key: &str, value: impl Into<String>) -> Self {
        self.params.push((key.to_string(), value.into()));
        self
    }

    /// Items per page, clamped to 1..=1000.
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = limit.clamp(1, MAX_PAGE_SIZE);
        self
    }

    /// Starts from a cursor returned earlier (resuming a walk).
    pub fn start_at(mut self, cursor: Option<String>) -> Self {
        self.start = cursor;
        self
    }

    /// Streams the pages.
    pub fn send(self) -> BoxStream<'static, Result<CursorPage, Error>> {
        let ListRequest {
            http,
            path,
            entity,
            params,
            limit,
            start,
        } = self;
        let entity_page = format!("{entity} page");
        paginate(start, move |cursor: Option<String>| {
            let http = http.clone();
            let path = path.clone();
            let params = params.clone();
            let entity_page = entity_page.clone();
            async move {
                let mut rb = http
                    .get(path.as_str())
                    .query_pair("limit", limit.to_string());
                for (k, v) in params {
                    rb = rb.query_pair(k, v);
                }
                if let Some(c) = &cursor {
                    rb = rb.query_pair("cursor", c.clone());
                }
                let page: ListEnvelope = rb.send_json(&entity_page).await?;
                let next = page.next_cursor();
                Ok(PageOf {
                    items: page.items,
                    next: next.map(Some),
                })
            }
        })
        .map(|r| {
            r.map(|p| CursorPage {
                at: p.at,
                items: p.items,
                next: p.next.flatten(),
            })
            .map_err(|e| match e {
                Error::Api {
                    system,
                    status,
                    code,
                    message,
                    fields,
                } if system.is_empty() => Error::Api {
                    system: SYSTEM.to_string(),
                    status,
                    code,
                    message,
                    fields,
                },
                other => other,
            })
        })
        .boxed()
    }

    /// Reads every page and decodes every item as `T` (fine for small lists
    /// such as tags or groups).
    ///
    /// # Errors
    /// The first request or decode error.
    pub async fn all<T: DeserializeOwned>(self) -> Result<Vec<T>, Error> {
        let entity = self.entity;
        let mut pages = self.send();
        let mut out = Vec::new();
        while let Some(page) = pages.next().await {
            out.extend(page?.decode::<T>(entity)?);
        }
        Ok(out)
    }
}
