//! Authentication strategies: HTTP Basic, a header token, Bearer, and OAuth2
//! client credentials with a cached token refreshed on 401.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use reqwest::header::{AUTHORIZATION, HeaderName, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use url::Url;

use crate::Error;

/// How a client proves who it is. Every secret is a [`SecretString`], which
/// prints as `[REDACTED]`.
///
/// ```
/// use canvass_core::http::Auth;
/// let auth = Auth::basic("my-app", "key-123|1");
/// assert!(!format!("{auth:?}").contains("key-123"));
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Auth {
    /// No credentials (public endpoints).
    None,
    /// HTTP Basic (VAN: application name and `apiKey|dbMode`).
    Basic {
        /// User name.
        username: String,
        /// Password.
        password: SecretString,
    },
    /// A token in a named header (Action Network: `OSDI-API-Token`).
    Header {
        /// Header name.
        name: HeaderName,
        /// Its value.
        value: SecretString,
    },
    /// `Authorization: Bearer <token>` (Mobilize, Strive).
    Bearer(SecretString),
    /// OAuth2 client credentials (Hustle).
    OAuth2(OAuth2ClientCredentials),
}

impl Auth {
    /// HTTP Basic.
    pub fn basic(username: impl Into<String>, password: impl Into<String>) -> Auth {
        Auth::Basic {
            username: username.into(),
            password: SecretString::from(password.into()),
        }
    }

    /// A token sent in header `name`.
    ///
    /// # Errors
    /// [`Error::Config`] when `name` is not a valid header name.
    pub fn header(name: &str, value: impl Into<String>) -> Result<Auth, Error> {
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| Error::Config(format!("`{name}` is not a valid HTTP header name")))?;
        Ok(Auth::Header {
            name,
            value: SecretString::from(value.into()),
        })
    }

    /// A Bearer token.
    pub fn bearer(token: impl Into<String>) -> Auth {
        Auth::Bearer(SecretString::from(token.into()))
    }

    /// The secrets this auth holds, for scrubbing vendor text.
    pub(crate) fn secrets(&self) -> Vec<String> {
        match self {
            Auth::None => vec![],
            Auth::Basic { password, .. } => {
                let p = password.expose_secret();
                // VAN's password is `key|mode`: the key alone must not leak either.
                let mut out = vec![p.to_string()];
                out.extend(p.split('|').map(str::to_string));
                out
            }
            Auth::Header { value, .. } => vec![value.expose_secret().to_string()],
            Auth::Bearer(t) => vec![t.expose_secret().to_string()],
            Auth::OAuth2(o) => {
                let mut out = vec![o.client_secret.expose_secret().to_string()];
                if let Ok(guard) = o.token.try_lock()
                    && let Some(tok) = guard.as_ref()
                {
                    out.push(tok.value.expose_secret().to_string());
                }
                out
            }
        }
    }
}

/// A header value marked sensitive, so hyper never logs it.
pub(crate) fn sensitive(value: &str) -> Result<HeaderValue, Error> {
    let mut v = HeaderValue::from_str(value).map_err(|_| {
        Error::Config("a credential contains characters not allowed in an HTTP header".into())
    })?;
    v.set_sensitive(true);
    Ok(v)
}

/// Adds the credentials of a static strategy to a request (OAuth2 is
/// handled by the client, which owns the token cache).
pub(crate) fn apply_static(
    auth: &Auth,
    rb: reqwest::RequestBuilder,
) -> Result<reqwest::RequestBuilder, Error> {
    Ok(match auth {
        Auth::None | Auth::OAuth2(_) => rb,
        // reqwest marks the Basic header sensitive itself.
        Auth::Basic { username, password } => {
            rb.basic_auth(username, Some(password.expose_secret()))
        }
        Auth::Header { name, value } => rb.header(name.clone(), sensitive(value.expose_secret())?),
        Auth::Bearer(t) => rb.header(
            AUTHORIZATION,
            sensitive(&format!("Bearer {}", t.expose_secret()))?,
        ),
    })
}

/// OAuth2 client-credentials flow with a cached token.
///
/// The token is fetched on first use, reused until a minute before it
/// expires, and re-minted once when the API answers 401. Failed token requests
/// are not hammered: after [`OAuth2ClientCredentials::MAX_FAILURES`] in a row
/// the client stops asking and reports, because vendors (Hustle) block an IP
/// after repeated failures.
pub struct OAuth2ClientCredentials {
    pub(crate) token_url: Url,
    pub(crate) client_id: String,
    pub(crate) client_secret: SecretString,
    pub(crate) token: tokio::sync::Mutex<Option<CachedToken>>,
    pub(crate) failures: AtomicU32,
}

impl std::fmt::Debug for OAuth2ClientCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuth2ClientCredentials")
            .field("token_url", &self.token_url.as_str())
            .field("client_id", &self.client_id)
            .field("client_secret", &"[REDACTED]")
            .finish()
    }
}

pub(crate) struct CachedToken {
    pub(crate) value: SecretString,
    pub(crate) expires_at: Instant,
}

#[derive(Deserialize)]
pub(crate) struct TokenResponse {
    pub(crate) access_token: String,
    #[serde(default)]
    pub(crate) expires_in: Option<u64>,
}

impl OAuth2ClientCredentials {
    /// Consecutive failed token requests after which the client stops trying.
    pub const MAX_FAILURES: u32 = 3;

    /// A client-credentials flow against `token_url`.
    pub fn new(
        token_url: Url,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Self {
        OAuth2ClientCredentials {
            token_url,
            client_id: client_id.into(),
            client_secret: SecretString::from(client_secret.into()),
            token: tokio::sync::Mutex::new(None),
            failures: AtomicU32::new(0),
        }
    }

    pub(crate) fn failures(&self) -> u32 {
        self.failures.load(Ordering::SeqCst)
    }

    pub(crate) fn record_failure(&self) {
        self.failures.fetch_add(1, Ordering::SeqCst);
    }

    pub(crate) fn record_success(&self) {
        self.failures.store(0, Ordering::SeqCst);
    }

    pub(crate) fn cache(
        &self,
        slot: &mut Option<CachedToken>,
        resp: TokenResponse,
    ) -> SecretString {
        let lifetime = Duration::from_secs(resp.expires_in.unwrap_or(3600));
        let margin = Duration::from_secs(60).min(lifetime / 2);
        let value = SecretString::from(resp.access_token);
        *slot = Some(CachedToken {
            value: value.clone(),
            expires_at: Instant::now() + lifetime - margin,
        });
        value
    }
}
