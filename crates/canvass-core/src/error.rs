//! The one error type every connector returns, with kinds the engine can act on.

use std::time::Duration;

/// A convenient alias for results whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong talking to a vendor, sorted by what a caller
/// can do about it.
///
/// Every message is safe to print and to store: the HTTP layer scrubs known
/// secrets from any vendor text before it lands here.
///
/// ```
/// use canvass_core::Error;
/// let e = Error::rate_limited("mobilize", Some(std::time::Duration::from_secs(2)));
/// assert!(e.is_retryable());
/// assert_eq!(e.retry_after(), Some(std::time::Duration::from_secs(2)));
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The credentials were refused (401/403, a bad key, a wrong VAN database mode).
    #[error("{system}: authentication failed: {message}")]
    Auth {
        /// The system that refused, e.g. `"van"`.
        system: String,
        /// What the vendor said, secrets scrubbed.
        message: String,
    },
    /// The vendor asked us to slow down (HTTP 429).
    #[error("{system}: rate limited{}", retry_after.map(|d| format!(" (retry after {} ms)", d.as_millis())).unwrap_or_default())]
    RateLimited {
        /// The system that throttled.
        system: String,
        /// How long the vendor asked us to wait, from `Retry-After`.
        retry_after: Option<Duration>,
    },
    /// The thing asked for does not exist (HTTP 404).
    #[error("{system}: not found: {what}")]
    NotFound {
        /// The system asked.
        system: String,
        /// What was looked for, e.g. `"GET /people/42"`.
        what: String,
    },
    /// Input was rejected before or by the vendor, with the field at fault.
    #[error("invalid {field}: {reason}")]
    InvalidInput {
        /// The field at fault, as a path (`"person.phones[1].number"`).
        field: String,
        /// Why it was rejected.
        reason: String,
    },
    /// The vendor answered with an error status not covered by another kind.
    #[error("{system}: HTTP {status}{}: {message}{}", code.as_deref().map(|c| format!(" {c}")).unwrap_or_default(), if fields.is_empty() { String::new() } else { format!(" (fields: {})", fields.join(", ")) })]
    Api {
        /// The system that answered.
        system: String,
        /// The HTTP status.
        status: u16,
        /// The vendor's own error code, e.g. VAN's `INVALID_PARAMETER`.
        code: Option<String>,
        /// The vendor's message, secrets scrubbed.
        message: String,
        /// The request fields the vendor blamed, e.g. `["dateEnd"]`.
        fields: Vec<String>,
    },
    /// The request never got a complete answer: connection refused or
    /// dropped, a timeout, a truncated body.
    #[error("{system}: transport error{}: {message}", if *timeout { " (timeout)" } else { "" })]
    Transport {
        /// The system being called.
        system: String,
        /// What happened, secrets scrubbed.
        message: String,
        /// Whether the request timed out.
        timeout: bool,
    },
    /// A vendor answer could not be decoded into its typed shape.
    #[error("{system}: cannot decode {entity} at `{path}`: {message} (near: {excerpt})")]
    Decode {
        /// The system that answered.
        system: String,
        /// The entity being decoded, e.g. `"person 57"` or `"people page"`.
        entity: String,
        /// The JSON path that failed, e.g. `"data[3].timeslots[0].end_date"`.
        path: String,
        /// The decoder's message.
        message: String,
        /// A short excerpt of the offending input, secrets scrubbed.
        excerpt: String,
        /// Whether the body ended early (a truncated transfer, worth a retry).
        truncated: bool,
    },
    /// The connector cannot do this at all.
    #[error("{system}: unsupported: {operation}")]
    Unsupported {
        /// The system asked.
        system: String,
        /// The operation, e.g. `"write survey responses"`.
        operation: String,
    },
    /// A read this account does not offer (the vendor answered 404 for the
    /// whole list, or the connector knows the route is not published). Not
    /// a failure: the engine reports the kind as skipped with the reason and
    /// the run goes on to succeed.
    #[error("{system}: {what} not offered by this account: {reason}")]
    NotOffered {
        /// The system asked.
        system: String,
        /// What could not be read, e.g. `"read tags"`.
        what: String,
        /// Why, in words a user can act on.
        reason: String,
    },
    /// A configuration problem found before any call was made.
    #[error("configuration: {0}")]
    Config(String),
}

impl Error {
    /// An [`Error::Auth`].
    pub fn auth(system: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Auth {
            system: system.into(),
            message: message.into(),
        }
    }

    /// An [`Error::RateLimited`].
    pub fn rate_limited(system: impl Into<String>, retry_after: Option<Duration>) -> Self {
        Error::RateLimited {
            system: system.into(),
            retry_after,
        }
    }

    /// An [`Error::NotFound`].
    pub fn not_found(system: impl Into<String>, what: impl Into<String>) -> Self {
        Error::NotFound {
            system: system.into(),
            what: what.into(),
        }
    }

    /// An [`Error::InvalidInput`] naming the field at fault.
    pub fn invalid_input(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::InvalidInput {
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// An [`Error::Unsupported`].
    pub fn unsupported(system: impl Into<String>, operation: impl Into<String>) -> Self {
        Error::Unsupported {
            system: system.into(),
            operation: operation.into(),
        }
    }

    /// An [`Error::NotOffered`].
    ///
    /// ```
    /// use canvass_core::Error;
    /// let e = Error::not_offered("mobilize", "read tags", "GET /tags answered 404");
    /// assert!(e.is_not_offered());
    /// assert_eq!(e.kind(), "not_offered");
    /// assert_eq!(e.to_string(), "mobilize: read tags not offered by this account: GET /tags answered 404");
    /// ```
    pub fn not_offered(
        system: impl Into<String>,
        what: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        Error::NotOffered {
            system: system.into(),
            what: what.into(),
            reason: reason.into(),
        }
    }

    /// Whether this is an [`Error::NotOffered`]: a read to report as skipped,
    /// not a failure.
    pub fn is_not_offered(&self) -> bool {
        matches!(self, Error::NotOffered { .. })
    }

    /// An [`Error::Transport`] that is not a timeout.
    pub fn transport(system: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Transport {
            system: system.into(),
            message: message.into(),
            timeout: false,
        }
    }

    /// Whether trying the same request again may succeed: 429s, 500/502/503/504,
    /// transport failures and truncated bodies.
    ///
    /// The HTTP layer only acts on this for requests that are safe to repeat.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::RateLimited { .. } | Error::Transport { .. } => true,
            Error::Api { status, .. } => matches!(status, 500 | 502 | 503 | 504),
            Error::Decode { truncated, .. } => *truncated,
            _ => false,
        }
    }

    /// The wait the vendor asked for, when it said.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::RateLimited { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// Whether this is an authentication failure.
    pub fn is_auth(&self) -> bool {
        matches!(self, Error::Auth { .. })
    }

    /// A short, stable name for the kind, for reports and metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Auth { .. } => "auth",
            Error::RateLimited { .. } => "rate_limited",
            Error::NotFound { .. } => "not_found",
            Error::InvalidInput { .. } => "invalid_input",
            Error::Api { .. } => "api",
            Error::Transport { .. } => "transport",
            Error::Decode { .. } => "decode",
            Error::Unsupported { .. } => "unsupported",
            Error::NotOffered { .. } => "not_offered",
            Error::Config(_) => "config",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retryable_kinds_are_transient_ones() {
        assert!(Error::rate_limited("x", None).is_retryable());
        assert!(Error::transport("x", "reset").is_retryable());
        for status in [500, 502, 503, 504] {
            let e = Error::Api {
                system: "x".into(),
                status,
                code: None,
                message: String::new(),
                fields: vec![],
            };
            assert!(e.is_retryable(), "{status}");
        }
        let bad_request = Error::Api {
            system: "x".into(),
            status: 400,
            code: None,
            message: String::new(),
            fields: vec![],
        };
        assert!(!bad_request.is_retryable());
        assert!(!Error::auth("x", "no").is_retryable());
        assert!(!Error::invalid_input("email", "empty").is_retryable());
    }

    #[test]
    fn api_error_names_code_and_fields() {
        let e = Error::Api {
            system: "van".into(),
            status: 400,
            code: Some("INVALID_PARAMETER".into()),
            message: "dateEnd must come after dateBegin".into(),
            fields: vec!["dateBegin".into(), "dateEnd".into()],
        };
        assert_eq!(
            e.to_string(),
            "van: HTTP 400 INVALID_PARAMETER: dateEnd must come after dateBegin (fields: dateBegin, dateEnd)"
        );
    }
}
