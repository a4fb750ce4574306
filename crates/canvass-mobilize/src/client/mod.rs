//! [`MobilizeClient`]: a typed client for the Mobilize API v1, usable on its
//! own by Rust tools.
//!
//! One handler per API area ([`MobilizeClient::organizations`],
//! [`MobilizeClient::events`], [`MobilizeClient::people`],
//! [`MobilizeClient::attendances`]); list calls return a [`ListRequest`]
//! builder ending in `send()` (first page), `stream()` (every item) or
//! `raw_pages()` (every page as raw JSON, for per-item decoding).
//!
//! On the wire: `Authorization: Bearer <key>` (a bad key gets 403, an
//! [`Error::Auth`]); no key at all reads the public endpoints only; every
//! answer is the `{data, error, count, next, previous}` envelope; paging
//! follows the `next` URL, which carries Mobilize's `cursor`; the rate limit
//! defaults to the published 15 reads/s and 5 writes/s.

mod attendances;
mod events;
mod list;
mod organizations;
mod people;

pub use attendances::AttendancesHandler;
pub use events::{Compare, EventsHandler, EventsList, TimeRef};
pub use list::{ListPage, ListRequest};
pub use organizations::OrganizationsHandler;
pub use people::PeopleHandler;

use std::time::Duration;

use canvass_core::Error;
use canvass_core::http::{Auth, HttpClient, HttpConfig, RateLimit, RetryPolicy, VendorError};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde_json::Value;
use url::Url;

use crate::models::Envelope;

/// The system name in every [`SourceRef`](canvass_core::SourceRef) and error.
pub const SYSTEM: &str = "mobilize";

/// The production base URL.
pub const DEFAULT_BASE_URL: &str = "https://api.mobilize.us/v1/";

/// Mobilize's published limit: 15 GET requests per second per IP.
pub const READS_PER_SECOND: f64 = 15.0;

/// Mobilize's published limit: 5 POST/PUT requests per second per IP.
pub const WRITES_PER_SECOND: f64 = 5.0;

/// The page size Mobilize uses when `per_page` is not given.
pub const DEFAULT_PER_PAGE: u32 = 25;

/// The published rate limit, 15 reads/s and 5 writes/s.
pub fn published_rate_limit() -> RateLimit {
    RateLimit::split(READS_PER_SECOND, WRITES_PER_SECOND)
}

/// Builds a [`MobilizeClient`].
///
/// ```
/// use canvass_mobilize::client::MobilizeClient;
/// let client = MobilizeClient::builder().api_key("k").build().unwrap();
/// assert!(client.has_key());
/// assert!(!format!("{client:?}").contains("\"k\""));
/// ```
#[derive(Debug)]
pub struct MobilizeClientBuilder {
    base_url: Option<Url>,
    api_key: Option<SecretString>,
    rate_limit: RateLimit,
    retry: RetryPolicy,
    timeout: Duration,
}

impl MobilizeClientBuilder {
    /// Points the client at another host (staging, a simulator).
    pub fn base_url(mut self, url: Url) -> Self {
        self.base_url = Some(url);
        self
    }

    /// Sets the API key. Without one only public endpoints answer.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(SecretString::from(key.into()));
        self
    }

    /// Sets the API key from a secret.
    pub fn api_key_secret(mut self, key: SecretString) -> Self {
        self.api_key = Some(key);
        self
    }

    /// Overrides the rate limit (default: [`published_rate_limit`]).
    pub fn rate_limit(mut self, limit: RateLimit) -> Self {
        self.rate_limit = limit;
        self
    }

    /// Overrides the retry policy.
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Overrides the per-attempt timeout (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    /// [`Error::Config`] when the base URL is not valid or TLS cannot be set up.
    pub fn build(self) -> Result<MobilizeClient, Error> {
        let base = match self.base_url {
            Some(u) => u,
            None => Url::parse(DEFAULT_BASE_URL)
                .map_err(|e| Error::Config(format!("bad default base URL: {e}")))?,
        };
        let has_key = self.api_key.is_some();
        let auth = match &self.api_key {
            Some(k) => Auth::bearer(k.expose_secret()),
            None => Auth::None,
        };
        let config = HttpConfig::new(SYSTEM, base)
            .auth(auth)
            .rate_limit(self.rate_limit)
            .retry(self.retry)
            .timeout(self.timeout)
            .error_body(parse_error_body);
        Ok(MobilizeClient {
            http: HttpClient::new(config)?,
            has_key,
        })
    }
}

/// A Mobilize API v1 client. Cheap to clone; clones share the rate limiter.
#[derive(Debug, Clone)]
pub struct MobilizeClient {
    http: HttpClient,
    has_key: bool,
}

impl MobilizeClient {
    /// A builder with the production base URL, no key, the published rate
    /// limit and the default retry policy.
    pub fn builder() -> MobilizeClientBuilder {
        MobilizeClientBuilder {
            base_url: None,
            api_key: None,
            rate_limit: published_rate_limit(),
            retry: RetryPolicy::default(),
            timeout: Duration::from_secs(30),
        }
    }

    /// Whether the client sends an API key (and so sees private data).
    pub fn has_key(&self) -> bool {
        self.has_key
    }

    /// The underlying HTTP client.
    pub fn http(&self) -> &HttpClient {
        &self.http
    }

    /// Organizations: the public list and an organization's promoted ones.
    pub fn organizations(&self) -> OrganizationsHandler<'_> {
        OrganizationsHandler { client: self }
    }

    /// An organization's events, deleted events, and event writes.
    pub fn events(&self, organization_id: u64) -> EventsHandler<'_> {
        EventsHandler {
            client: self,
            org: organization_id,
        }
    }

    /// An organization's people.
    pub fn people(&self, organization_id: u64) -> PeopleHandler<'_> {
        PeopleHandler {
            client: self,
            org: organization_id,
        }
    }

    /// An organization's attendances and signups.
    pub fn attendances(&self, organization_id: u64) -> AttendancesHandler<'_> {
        AttendancesHandler {
            client: self,
            org: organization_id,
        }
    }

    /// GETs one object (`data` is an object) and decodes it.
    pub(crate) async fn get_one<T: DeserializeOwned>(
        &self,
        path: &str,
        entity: &str,
        public: bool,
    ) -> Result<T, Error> {
        let mut rb = self.http.get(path);
        if public {
            rb = rb.unauthenticated();
        }
        let env: Envelope<Value> = rb.send_json(entity).await?;
        unwrap_data(env, entity)
    }
}

/// The `data` of a successful envelope, decoded; an `error` inside a 2xx
/// answer is an [`Error::Api`].
pub(crate) fn unwrap_data<T: DeserializeOwned>(
    env: Envelope<Value>,
    entity: &str,
) -> Result<T, Error> {
    if let Some(err) = env.error.as_ref().filter(|e| !e.is_null()) {
        let vendor = vendor_error(err);
        return Err(Error::Api {
            system: SYSTEM.into(),
            status: 200,
            code: None,
            message: vendor.message,
            fields: vendor.fields,
        });
    }
    let data = env.data.unwrap_or(Value::Null);
    decode_value(data, entity)
}

/// Decodes a JSON value, naming the path that failed.
///
/// # Errors
/// [`Error::Decode`] with the entity, the JSON path and an excerpt.
pub fn decode_value<T: DeserializeOwned>(value: Value, entity: &str) -> Result<T, Error> {
    let excerpt_src = value.to_string();
    serde_path_to_error::deserialize(value).map_err(|e| Error::Decode {
        system: SYSTEM.into(),
        entity: entity.to_string(),
        path: e.path().to_string(),
        message: e.inner().to_string(),
        excerpt: canvass_core::http::excerpt(&excerpt_src, 120),
        truncated: false,
    })
}

/// Parses Mobilize's error body: `{"data": null, "error": {field: {"0":
/// ["message"]}}}`, with the variations seen in practice (a list instead of
/// the index object, nested objects for nested fields, a plain string, a
/// `detail` message).
///
/// ```
/// use canvass_mobilize::client::parse_error_body;
/// let e = parse_error_body(br#"{"data":null,"error":{"organization_id":{"0":["A valid integer is required."]}}}"#).unwrap();
/// assert_eq!(e.fields, vec!["organization_id"]);
/// assert_eq!(e.message, "organization_id: A valid integer is required.");
/// ```
pub fn parse_error_body(body: &[u8]) -> Option<VendorError> {
    let v: Value = serde_json::from_slice(body).ok()?;
    let err = v
        .get("error")
        .filter(|e| !e.is_null())
        .or_else(|| v.get("detail"))?;
    Some(vendor_error(err))
}

fn vendor_error(err: &Value) -> VendorError {
    let mut messages = Vec::new();
    let mut fields = Vec::new();
    collect(err, &mut Vec::new(), &mut messages, &mut fields);
    VendorError {
        code: None,
        message: messages.join("; "),
        fields,
    }
}

fn collect(
    v: &Value,
    path: &mut Vec<String>,
    messages: &mut Vec<String>,
    fields: &mut Vec<String>,
) {
    let field = path
        .iter()
        .filter(|p| {
            p.parse::<u64>().is_err() && p.as_str() != "detail" && p.as_str() != "non_field_errors"
        })
        .cloned()
        .collect::<Vec<_>>()
        .join(".");
    match v {
        Value::Object(map) => {
            for (k, inner) in map {
                path.push(k.clone());
                collect(inner, path, messages, fields);
                path.pop();
            }
        }
        Value::Array(items) => {
            for inner in items {
                collect(inner, path, messages, fields);
            }
        }
        Value::Null => {}
        other => {
            let text = match other {
                Value::String(s) => s.clone(),
                o => o.to_string(),
            };
            if field.is_empty() {
                messages.push(text);
            } else {
                messages.push(format!("{field}: {text}"));
                if !fields.contains(&field) {
                    fields.push(field);
                }
            }
        }
    }
}
