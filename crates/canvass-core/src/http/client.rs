//! [`HttpClient`]: the one HTTP client every connector is built on.

use std::sync::Arc;
use std::time::Duration;

use backon::Retryable;
use bytes::Bytes;
use reqwest::header::{AUTHORIZATION, HeaderMap, RETRY_AFTER};
use reqwest::{Method, StatusCode};
use secrecy::ExposeSecret;
use serde::Serialize;
use serde::de::DeserializeOwned;
use url::Url;

use super::auth::{Auth, TokenResponse, apply_static, sensitive};
use super::rate_limit::{Limiters, RateLimit};
use super::retry::RetryPolicy;
use super::scrub::{excerpt, scrub};
use crate::Error;

/// What a vendor's error body says, as parsed by a connector's [`ErrorBodyParser`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VendorError {
    /// The vendor's error code (`INVALID_PARAMETER`, a `hustleErrorCode`).
    pub code: Option<String>,
    /// The message.
    pub message: String,
    /// The request fields blamed.
    pub fields: Vec<String>,
}

/// Parses a vendor's error body; `None` when it is not in the vendor's shape
/// (the raw text is then used).
pub type ErrorBodyParser = fn(&[u8]) -> Option<VendorError>;

/// Everything a connector decides about its HTTP client.
///
/// ```
/// use canvass_core::http::{Auth, HttpConfig, RateLimit};
/// let config = HttpConfig::new("mobilize", "https://api.mobilize.us/v1/".parse().unwrap())
///     .auth(Auth::bearer("key"))
///     .rate_limit(RateLimit::split(15.0, 5.0));
/// assert_eq!(config.system, "mobilize");
/// ```
#[derive(Debug)]
pub struct HttpConfig {
    /// The system's short name, used in errors.
    pub system: String,
    /// Base URL every relative path is joined to (ends with `/`).
    pub base_url: Url,
    /// Credentials.
    pub auth: Auth,
    /// Client-side rate limit.
    pub rate_limit: RateLimit,
    /// Retry policy.
    pub retry: RetryPolicy,
    /// Timeout for one attempt.
    pub timeout: Duration,
    /// Parser for the vendor's error bodies.
    pub error_body: Option<ErrorBodyParser>,
}

impl HttpConfig {
    /// Defaults: no auth, no rate limit, [`RetryPolicy::default`], 30 s timeout.
    pub fn new(system: impl Into<String>, base_url: Url) -> HttpConfig {
        HttpConfig {
            system: system.into(),
            base_url: with_trailing_slash(base_url),
            auth: Auth::None,
            rate_limit: RateLimit::unlimited(),
            retry: RetryPolicy::default(),
            timeout: Duration::from_secs(30),
            error_body: None,
        }
    }

    /// Sets the credentials.
    pub fn auth(mut self, auth: Auth) -> Self {
        self.auth = auth;
        self
    }

    /// Sets the rate limit.
    pub fn rate_limit(mut self, limit: RateLimit) -> Self {
        self.rate_limit = limit;
        self
    }

    /// Sets the retry policy.
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Sets the per-attempt timeout.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets the vendor error-body parser.
    pub fn error_body(mut self, parser: ErrorBodyParser) -> Self {
        self.error_body = Some(parser);
        self
    }
}

fn with_trailing_slash(mut url: Url) -> Url {
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    url
}

struct Inner {
    http: reqwest::Client,
    config: HttpConfig,
    limiters: Limiters,
}

/// A vendor HTTP client with auth, rate limiting, retries, secret scrubbing
/// and typed decoding. Cheap to clone; clones share the rate limiter and the
/// token cache.
///
/// ```no_run
/// # async fn run() -> Result<(), canvass_core::Error> {
/// use canvass_core::http::{Auth, HttpClient, HttpConfig};
/// let client = HttpClient::new(
///     HttpConfig::new("strive", "https://api.strivedigital.org/".parse().unwrap())
///         .auth(Auth::bearer("key")),
/// )?;
/// let members: Vec<serde_json::Value> =
///     client.get("members").query_pair("limit", "100").send_json("members page").await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct HttpClient {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpClient")
            .field("system", &self.inner.config.system)
            .field("base_url", &self.inner.config.base_url.as_str())
            .field("auth", &self.inner.config.auth)
            .finish()
    }
}

/// A response read in full.
#[derive(Debug, Clone)]
pub struct Response {
    /// The status.
    pub status: StatusCode,
    /// The headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: Bytes,
    system: String,
    secrets: Vec<String>,
}

impl Response {
    /// Decodes the body as `T`, naming the JSON path that failed.
    ///
    /// # Errors
    /// [`Error::Decode`] with the entity, the path and an excerpt; a body
    /// that ends early is marked `truncated` (and so retryable).
    pub fn json<T: DeserializeOwned>(&self, entity: &str) -> Result<T, Error> {
        decode_json(&self.system, entity, &self.body, &self.secrets)
    }

    /// A header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// Decodes `body` as `T`, with an [`Error::Decode`] naming the failing path.
///
/// # Errors
/// [`Error::Decode`]; a body that ends early is marked `truncated`.
pub fn decode_json<T: DeserializeOwned>(
    system: &str,
    entity: &str,
    body: &[u8],
    secrets: &[String],
) -> Result<T, Error> {
    let de = &mut serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let truncated = inner.classify() == serde_json::error::Category::Eof;
        let text = String::from_utf8_lossy(body);
        let column = inner.column().saturating_sub(1);
        let line_text = text
            .lines()
            .nth(inner.line().saturating_sub(1))
            .unwrap_or_default();
        let start = line_text
            .char_indices()
            .map(|(i, _)| i)
            .take_while(|i| *i + 60 <= column)
            .last()
            .unwrap_or(0);
        Error::Decode {
            system: system.to_string(),
            entity: entity.to_string(),
            path,
            message: scrub(&inner.to_string(), secrets),
            excerpt: scrub(&excerpt(&line_text[start..], 120), secrets),
            truncated,
        }
    })
}

/// One request being built; finish with [`RequestBuilder::send`] or
/// [`RequestBuilder::send_json`].
#[must_use = "a request does nothing until sent"]
pub struct RequestBuilder<'a> {
    client: &'a HttpClient,
    method: Method,
    target: String,
    query: Vec<(String, String)>,
    body: Option<serde_json::Value>,
    idempotent: bool,
    authenticated: bool,
    encode_error: Option<Error>,
}

impl RequestBuilder<'_> {
    /// Adds one query parameter.
    pub fn query_pair(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((key.into(), value.into()));
        self
    }

    /// Adds query parameters from a serializable struct (fields that are
    /// `None` are left out).
    pub fn query<Q: Serialize>(mut self, params: &Q) -> Self {
        match serde_json::to_value(params) {
            Ok(serde_json::Value::Object(map)) => {
                for (k, v) in map {
                    match v {
                        serde_json::Value::Null => {}
                        serde_json::Value::String(s) => self.query.push((k, s)),
                        serde_json::Value::Array(items) => {
                            for item in items {
                                let text = match item {
                                    serde_json::Value::String(s) => s,
                                    other => other.to_string(),
                                };
                                self.query.push((k.clone(), text));
                            }
                        }
                        other => self.query.push((k, other.to_string())),
                    }
                }
            }
            Ok(_) => {
                self.encode_error =
                    Some(Error::invalid_input("query", "must serialize to an object"))
            }
            Err(e) => self.encode_error = Some(Error::invalid_input("query", e.to_string())),
        }
        self
    }

    /// Sets a JSON body.
    pub fn json<B: Serialize + ?Sized>(mut self, body: &B) -> Self {
        match serde_json::to_value(body) {
            Ok(v) => self.body = Some(v),
            Err(e) => self.encode_error = Some(Error::invalid_input("body", e.to_string())),
        }
        self
    }

    /// Marks a non-idempotent request (a POST) as safe to retry, because the
    /// vendor treats it as an upsert.
    pub fn retry_safe(mut self) -> Self {
        self.idempotent = true;
        self
    }

    /// Sends without credentials (public endpoints, file downloads).
    pub fn unauthenticated(mut self) -> Self {
        self.authenticated = false;
        self
    }

    /// Sends the request, retrying per the client's policy.
    ///
    /// # Errors
    /// Any [`Error`] kind, mapped from the status and the vendor's error body.
    pub async fn send(self) -> Result<Response, Error> {
        self.execute(Ok).await
    }

    /// Sends the request and decodes the JSON answer; a truncated body is
    /// retried like a dropped connection.
    ///
    /// # Errors
    /// As [`RequestBuilder::send`], plus [`Error::Decode`].
    pub async fn send_json<T: DeserializeOwned>(self, entity: &str) -> Result<T, Error> {
        self.execute(|r| r.json(entity)).await
    }

    async fn execute<T>(self, parse: impl Fn(Response) -> Result<T, Error>) -> Result<T, Error> {
        if let Some(e) = self.encode_error {
            return Err(e);
        }
        let client = self.client;
        let url = client.resolve(&self.target)?;
        let policy = client.inner.config.retry;
        let idempotent = self.idempotent;
        let attempt = || async {
            let resp = client
                .send_once(
                    &self.method,
                    &url,
                    &self.query,
                    self.body.as_ref(),
                    self.authenticated,
                )
                .await?;
            parse(resp)
        };
        let method = self.method.clone();
        attempt
            .retry(policy.backoff())
            .when(|e: &Error| e.is_retryable() && (idempotent || matches!(e, Error::RateLimited { .. })))
            .adjust(|e: &Error, backoff: Option<Duration>| match (e.retry_after(), backoff) {
                (_, None) => None,
                (Some(asked), Some(_)) if asked > policy.max_retry_after => None,
                (Some(asked), Some(_)) => Some(asked),
                (None, Some(d)) => Some(d),
            })
            .notify(|e: &Error, wait: Duration| {
                tracing::debug!(method = %method, path = url.path(), error = %e, wait_ms = wait.as_millis() as u64, "retrying");
            })
            .await
    }
}

impl HttpClient {
    /// Builds a client.
    ///
    /// # Errors
    /// [`Error::Config`] when the TLS stack cannot be set up.
    pub fn new(config: HttpConfig) -> Result<HttpClient, Error> {
        // reqwest is built without a default crypto provider (the aws-lc C
        // build costs minutes); install ring once per process. A second call
        // returns Err because one is installed already, which is fine.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .user_agent(concat!(
                "canvass/",
                env!("CARGO_PKG_VERSION"),
                " (+https://github.com/canvass)"
            ))
            .timeout(config.timeout)
            .connect_timeout(config.timeout.min(Duration::from_secs(10)))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?;
        let limiters = Limiters::new(config.rate_limit);
        Ok(HttpClient {
            inner: Arc::new(Inner {
                http,
                config,
                limiters,
            }),
        })
    }

    /// The system this client talks to.
    pub fn system(&self) -> &str {
        &self.inner.config.system
    }

    /// The base URL.
    pub fn base_url(&self) -> &Url {
        &self.inner.config.base_url
    }

    /// A request with any method. `target` is a path relative to the base URL
    /// or an absolute URL on the same origin (a vendor's `next` link).
    pub fn request(&self, method: Method, target: impl Into<String>) -> RequestBuilder<'_> {
        let idempotent = matches!(
            method,
            Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS
        );
        RequestBuilder {
            client: self,
            method,
            target: target.into(),
            query: Vec::new(),
            body: None,
            idempotent,
            authenticated: true,
            encode_error: None,
        }
    }

    /// A GET.
    pub fn get(&self, target: impl Into<String>) -> RequestBuilder<'_> {
        self.request(Method::GET, target)
    }

    /// A POST (not retried unless marked [`RequestBuilder::retry_safe`]).
    pub fn post(&self, target: impl Into<String>) -> RequestBuilder<'_> {
        self.request(Method::POST, target)
    }

    /// A PUT.
    pub fn put(&self, target: impl Into<String>) -> RequestBuilder<'_> {
        self.request(Method::PUT, target)
    }

    /// A PATCH (not retried unless marked [`RequestBuilder::retry_safe`]).
    pub fn patch(&self, target: impl Into<String>) -> RequestBuilder<'_> {
        self.request(Method::PATCH, target)
    }

    /// A DELETE.
    pub fn delete(&self, target: impl Into<String>) -> RequestBuilder<'_> {
        self.request(Method::DELETE, target)
    }

    /// Downloads a file from any URL (an export's blob link) without
    /// credentials and without the vendor's rate limit; retried like a GET.
    ///
    /// # Errors
    /// As [`RequestBuilder::send`].
    pub async fn download(&self, url: &str) -> Result<Bytes, Error> {
        let url =
            Url::parse(url).map_err(|e| Error::invalid_input("download url", e.to_string()))?;
        let policy = self.inner.config.retry;
        let attempt = || async {
            let resp = self
                .inner
                .http
                .get(url.clone())
                .send()
                .await
                .map_err(|e| self.transport_error(&Method::GET, &url, e))?;
            let status = resp.status();
            let headers = resp.headers().clone();
            let body = resp
                .bytes()
                .await
                .map_err(|e| self.transport_error(&Method::GET, &url, e))?;
            if !status.is_success() {
                return Err(self.status_error(&Method::GET, &url, status, &headers, &body));
            }
            Ok(body)
        };
        attempt
            .retry(policy.backoff())
            .when(Error::is_retryable)
            .await
    }

    /// Scrubs every secret this client holds from `text`.
    pub fn scrub(&self, text: &str) -> String {
        scrub(text, self.inner.config.auth.secrets())
    }

    fn resolve(&self, target: &str) -> Result<Url, Error> {
        let base = &self.inner.config.base_url;
        if target.starts_with("http://") || target.starts_with("https://") {
            let url = Url::parse(target)
                .map_err(|e| Error::invalid_input("url", format!("{target}: {e}")))?;
            // Never send credentials to another host because a vendor's
            // `next` link said so.
            if url.origin() != base.origin() {
                return Err(Error::Api {
                    system: self.system().to_string(),
                    status: 0,
                    code: Some("FOREIGN_LINK".into()),
                    message: format!(
                        "refusing to follow a link to another origin: {}",
                        url.origin().ascii_serialization()
                    ),
                    fields: vec![],
                });
            }
            Ok(url)
        } else {
            base.join(target.trim_start_matches('/'))
                .map_err(|e| Error::invalid_input("path", format!("{target}: {e}")))
        }
    }

    async fn send_once(
        &self,
        method: &Method,
        url: &Url,
        query: &[(String, String)],
        body: Option<&serde_json::Value>,
        authenticated: bool,
    ) -> Result<Response, Error> {
        let write = !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS);
        let mut refreshed = false;
        loop {
            let mut rb = self.inner.http.request(method.clone(), url.clone());
            if !query.is_empty() {
                rb = rb.query(query);
            }
            if let Some(body) = body {
                rb = rb.json(body);
            }
            let mut used_token = None;
            if authenticated {
                rb = apply_static(&self.inner.config.auth, rb)?;
                if let Auth::OAuth2(_) = &self.inner.config.auth {
                    // The token request takes its own place in the rate
                    // limit, before this request takes one.
                    let token = self.oauth_token().await?;
                    rb = rb.header(
                        AUTHORIZATION,
                        sensitive(&format!("Bearer {}", token.expose_secret()))?,
                    );
                    used_token = Some(token);
                }
            }
            let slot = self.inner.limiters.until_ready(write).await;
            let resp = rb.send().await;
            // The vendor has counted this request by the time its answer's
            // headers (or the failure) arrive.
            drop(slot);
            let resp = resp.map_err(|e| self.transport_error(method, url, e))?;
            let status = resp.status();
            let headers = resp.headers().clone();
            let bytes = resp
                .bytes()
                .await
                .map_err(|e| self.transport_error(method, url, e))?;
            if status == StatusCode::UNAUTHORIZED
                && let (Some(used), false) = (used_token, refreshed)
            {
                // The token may have been revoked or expired early: mint a
                // new one once, then give up with the 401.
                self.invalidate_token(&used).await;
                refreshed = true;
                continue;
            }
            if !status.is_success() {
                return Err(self.status_error(method, url, status, &headers, &bytes));
            }
            return Ok(Response {
                status,
                headers,
                body: bytes,
                system: self.system().to_string(),
                secrets: self.inner.config.auth.secrets(),
            });
        }
    }

    async fn oauth_token(&self) -> Result<secrecy::SecretString, Error> {
        let Auth::OAuth2(o) = &self.inner.config.auth else {
            return Err(Error::Config("not an OAuth2 client".into()));
        };
        let mut slot = o.token.lock().await;
        if let Some(tok) = slot.as_ref()
            && tok.expires_at > std::time::Instant::now()
        {
            return Ok(tok.value.clone());
        }
        if o.failures() >= super::auth::OAuth2ClientCredentials::MAX_FAILURES {
            return Err(Error::auth(
                self.system(),
                format!(
                    "stopped requesting tokens after {} failures in a row; check the client id and secret (the vendor may block this IP after repeated failures)",
                    o.failures()
                ),
            ));
        }
        let place = self.inner.limiters.until_ready(true).await;
        let body = serde_json::json!({
            "grant_type": "client_credentials",
            "client_id": o.client_id,
            "client_secret": o.client_secret.expose_secret(),
        });
        let method = Method::POST;
        let resp = self
            .inner
            .http
            .post(o.token_url.clone())
            .json(&body)
            .send()
            .await;
        drop(place);
        let resp = resp.map_err(|e| self.transport_error(&method, &o.token_url, e))?;
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| self.transport_error(&method, &o.token_url, e))?;
        if !status.is_success() {
            let err = self.status_error(&method, &o.token_url, status, &headers, &bytes);
            if status.is_client_error() {
                o.record_failure();
                return Err(match err {
                    Error::Auth { .. } | Error::RateLimited { .. } => err,
                    other => Error::auth(self.system(), format!("token request refused: {other}")),
                });
            }
            return Err(err);
        }
        let parsed: TokenResponse = decode_json(
            self.system(),
            "oauth token",
            &bytes,
            &self.inner.config.auth.secrets(),
        )?;
        o.record_success();
        Ok(o.cache(&mut slot, parsed))
    }

    async fn invalidate_token(&self, used: &secrecy::SecretString) {
        if let Auth::OAuth2(o) = &self.inner.config.auth {
            let mut slot = o.token.lock().await;
            if slot
                .as_ref()
                .is_some_and(|t| t.value.expose_secret() == used.expose_secret())
            {
                *slot = None;
            }
        }
    }

    fn transport_error(&self, method: &Method, url: &Url, e: reqwest::Error) -> Error {
        // The path goes in our message; the query (which may hold personal
        // data such as a searched email) never does.
        let timeout = e.is_timeout();
        let e = e.without_url();
        let mut message = format!("{method} {}", url.path());
        let mut source: Option<&dyn std::error::Error> = Some(&e);
        while let Some(s) = source {
            message.push_str(": ");
            message.push_str(&s.to_string());
            source = s.source();
        }
        Error::Transport {
            system: self.system().to_string(),
            message: self.scrub(&message),
            timeout,
        }
    }

    fn status_error(
        &self,
        method: &Method,
        url: &Url,
        status: StatusCode,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Error {
        let system = self.system().to_string();
        let what = format!("{method} {}", url.path());
        let vendor = self
            .inner
            .config
            .error_body
            .and_then(|parse| parse(body))
            .unwrap_or_else(|| VendorError {
                code: None,
                message: excerpt(String::from_utf8_lossy(body).trim(), 300),
                fields: vec![],
            });
        let message = self.scrub(&if vendor.message.is_empty() {
            status.canonical_reason().unwrap_or("error").to_string()
        } else {
            vendor.message
        });
        match status {
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => Error::Auth {
                system,
                message: format!("{what}: HTTP {}: {message}", status.as_u16()),
            },
            StatusCode::NOT_FOUND => Error::NotFound {
                system,
                what: format!("{what}: {message}"),
            },
            StatusCode::TOO_MANY_REQUESTS => Error::RateLimited {
                system,
                retry_after: parse_retry_after(headers),
            },
            _ => Error::Api {
                system,
                status: status.as_u16(),
                code: vendor.code.map(|c| self.scrub(&c)),
                message: format!("{what}: {message}"),
                fields: vendor.fields,
            },
        }
    }
}

/// Parses `Retry-After` as seconds or an HTTP date.
pub(crate) fn parse_retry_after(headers: &HeaderMap) -> Option<Duration> {
    let text = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = text.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs));
    }
    let when = chrono::DateTime::parse_from_rfc2822(text).ok()?;
    let wait = when.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}
