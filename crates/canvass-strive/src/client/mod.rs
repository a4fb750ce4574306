//! [`StriveClient`]: the typed Strive client.
//!
//! Strive's API is PostgREST in style: one endpoint per table, filters as
//! `column=op.value` (built safely by [`Filter`](crate::filter::Filter)), `order`, `limit` and
//! `offset`, and bare JSON arrays with no next link.
//!
//! ```no_run
//! # async fn run() -> Result<(), canvass_core::Error> {
//! use canvass_strive::StriveClient;
//! let client = StriveClient::builder("my-key").build()?;
//! client.ping().await?;
//! let members = client.members().list().eq("state", "GA").limit(100).send().await?;
//! println!("{} members in GA", members.len());
//! # Ok(()) }
//! ```

mod tables;

pub use tables::{MembersHandler, Table, TableHandler, TableQuery};

use canvass_core::Error;
use canvass_core::http::{Auth, HttpClient, HttpConfig, RateLimit, RetryPolicy, VendorError};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use url::Url;

/// The system name used in errors and [`SourceRef`](canvass_core::SourceRef)s.
pub const SYSTEM: &str = "strive";

/// Strive's production API.
pub const DEFAULT_BASE_URL: &str = "https://api.strivedigital.org/";

/// The default client-side limit. Strive publishes none (**UNVERIFIED**);
/// 10 requests/s is a conservative default, overridable in the config.
pub const DEFAULT_RATE_LIMIT: f64 = 10.0;

/// The default and largest page size canvass asks for.
pub const MAX_PAGE_SIZE: u32 = 1000;

/// Reads any error body Strive may send: PostgREST's
/// `{code, message, details, hint}`, `{"error": "…"}` or
/// `{"error": {"message": "…"}}`, `{"errors": [...]}`, or a bare JSON
/// string. `None` (the raw text is used) for anything else.
///
/// ```
/// use canvass_strive::client::parse_error_body;
/// let e = parse_error_body(br#"{"code":"42703","message":"column members.foo does not exist","details":null,"hint":"Perhaps you meant foo_id"}"#).unwrap();
/// assert_eq!(e.code.as_deref(), Some("42703"));
/// assert!(e.message.contains("does not exist") && e.message.contains("Perhaps"));
/// assert_eq!(parse_error_body(br#"{"error":"Too many requests"}"#).unwrap().message, "Too many requests");
/// assert!(parse_error_body(b"<html>502</html>").is_none());
/// ```
pub fn parse_error_body(body: &[u8]) -> Option<VendorError> {
    let value: Value = serde_json::from_slice(body).ok()?;
    let text = |v: &Value| match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Null => None,
        other if !other.is_object() && !other.is_array() => Some(other.to_string()),
        _ => None,
    };
    match &value {
        Value::String(s) if !s.trim().is_empty() => Some(VendorError {
            message: s.trim().to_string(),
            ..VendorError::default()
        }),
        Value::Object(o) => {
            let code = o.get("code").and_then(text);
            let mut message = o
                .get("message")
                .and_then(text)
                .or_else(|| match o.get("error") {
                    Some(Value::Object(e)) => e.get("message").and_then(text),
                    Some(v) => text(v),
                    None => None,
                })
                .or_else(|| match o.get("errors") {
                    Some(Value::Array(a)) => {
                        let parts: Vec<String> = a
                            .iter()
                            .filter_map(|e| text(e).or_else(|| e.get("message").and_then(text)))
                            .collect();
                        (!parts.is_empty()).then(|| parts.join("; "))
                    }
                    _ => None,
                })?;
            for key in ["details", "hint"] {
                if let Some(extra) = o.get(key).and_then(text) {
                    message.push_str(&format!(" ({key}: {extra})"));
                }
            }
            Some(VendorError {
                code,
                message,
                fields: vec![],
            })
        }
        _ => None,
    }
}

/// Builds a [`StriveClient`].
#[derive(Debug)]
pub struct StriveClientBuilder {
    base_url: Option<Url>,
    key: SecretString,
    rate_limit: RateLimit,
    retry: RetryPolicy,
}

impl StriveClientBuilder {
    /// Points the client at another base URL (a simulator).
    pub fn base_url(mut self, url: Url) -> Self {
        self.base_url = Some(url);
        self
    }

    /// Overrides the client-side rate limit (default 10 requests/s).
    pub fn rate_limit(mut self, limit: RateLimit) -> Self {
        self.rate_limit = limit;
        self
    }

    /// Overrides the retry policy.
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    /// [`Error::Config`] when the HTTP client cannot be built.
    pub fn build(self) -> Result<StriveClient, Error> {
        let base = match self.base_url {
            Some(u) => u,
            None => Url::parse(DEFAULT_BASE_URL)
                .map_err(|e| Error::Config(format!("strive base URL: {e}")))?,
        };
        let http = HttpClient::new(
            HttpConfig::new(SYSTEM, base)
                .auth(Auth::bearer(self.key.expose_secret()))
                .rate_limit(self.rate_limit)
                .retry(self.retry)
                .error_body(parse_error_body),
        )?;
        Ok(StriveClient { http })
    }
}

/// The Strive client: Bearer auth, PostgREST-style tables, a tolerant error
/// decoder, a configurable rate limit. Cheap to clone.
#[derive(Debug, Clone)]
pub struct StriveClient {
    pub(crate) http: HttpClient,
}

impl StriveClient {
    /// A builder for a client with this API key.
    pub fn builder(key: impl Into<String>) -> StriveClientBuilder {
        StriveClientBuilder {
            base_url: None,
            key: SecretString::from(key.into()),
            rate_limit: RateLimit::per_second(DEFAULT_RATE_LIMIT),
            retry: RetryPolicy::default(),
        }
    }

    /// The underlying HTTP client.
    pub fn http(&self) -> &HttpClient {
        &self.http
    }

    /// Checks the key: `GET /rpc/ping`.
    ///
    /// # Errors
    /// [`Error::Auth`] when the key is refused.
    pub async fn ping(&self) -> Result<(), Error> {
        self.http.get("rpc/ping").send().await.map(|_| ())
    }

    /// Members: list (incremental with `updated_at`), create.
    pub fn members(&self) -> MembersHandler<'_> {
        MembersHandler { client: self }
    }

    /// Any table.
    pub fn table(&self, table: Table) -> TableHandler<'_> {
        TableHandler {
            client: self,
            table,
        }
    }

    /// `/outgoing_messages`.
    pub fn outgoing_messages(&self) -> TableHandler<'_> {
        self.table(Table::OutgoingMessages)
    }

    /// `/incoming_messages`.
    pub fn incoming_messages(&self) -> TableHandler<'_> {
        self.table(Table::IncomingMessages)
    }

    /// `/subscription_events` (opt-outs and opt-ins).
    pub fn subscription_events(&self) -> TableHandler<'_> {
        self.table(Table::SubscriptionEvents)
    }

    /// `/broadcasts`.
    pub fn broadcasts(&self) -> TableHandler<'_> {
        self.table(Table::Broadcasts)
    }

    /// `/campaigns`.
    pub fn campaigns(&self) -> TableHandler<'_> {
        self.table(Table::Campaigns)
    }

    /// `/groups`.
    pub fn groups(&self) -> TableHandler<'_> {
        self.table(Table::Groups)
    }

    /// `/custom_fields`.
    pub fn custom_fields(&self) -> TableHandler<'_> {
        self.table(Table::CustomFields)
    }
}
