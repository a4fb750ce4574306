//! [`SpokeGraphql`]: the typed client for Spoke's GraphQL API (`POST
//! /graphql`), used for writes.
//!
//! - **Auth:** `Authorization: Bearer <JWT>` ([`Auth::bearer`]); Spoke must
//!   run with `PASSPORT_STRATEGY=token` and the token is checked against its
//!   `TOKEN_AUTH_SHARED_SECRET`, `ISSUER` and `AUDIENCE`.
//! - **Errors:** GraphQL answers `{"data": ..., "errors": [...]}`, usually
//!   with HTTP 200. Spoke masks messages to `UNAUTHORIZED` or `Internal
//!   server error` unless `SHOW_SERVER_ERROR`/`DEBUG` is set; see
//!   [`graphql_error`] for how each maps onto [`Error`].
//! - **Rate limit:** none published; a self-hosted Spoke is a small Node
//!   server, so the default is a gentle 10 requests/s.
//! - **Retries:** queries, `updateQuestionResponses` and
//!   `updateContactTags` set state and are retried after transient
//!   failures; `createOptOut` inserts a row each time and is not.

use canvass_core::Error;
use canvass_core::http::{Auth, HttpClient, HttpConfig, RateLimit, RetryPolicy, VendorError};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use url::Url;

use crate::db::SYSTEM;
use crate::models::{OptOutInput, QuestionResponseInput, TagInput};

/// Requests per second unless configured.
pub const DEFAULT_RATE_LIMIT: f64 = 10.0;

/// The credential check: the token's user (`RootQuery.currentUser`).
pub const CURRENT_USER: &str = "query CanvassCheck { currentUser { id displayName } }";

/// Opts a contact's cell out (`RootMutation.createOptOut`).
pub const CREATE_OPT_OUT: &str = "mutation CanvassOptOut($optOut: OptOutInput!, \
     $campaignContactId: String!) { createOptOut(optOut: $optOut, \
     campaignContactId: $campaignContactId) { id } }";

/// Sets a contact's answers (`RootMutation.updateQuestionResponses`).
pub const UPDATE_QUESTION_RESPONSES: &str = "mutation CanvassResponses($questionResponses: \
     [QuestionResponseInput], $campaignContactId: String!) { updateQuestionResponses(\
     questionResponses: $questionResponses, campaignContactId: $campaignContactId) }";

/// Sets a contact's tags (`RootMutation.updateContactTags`).
pub const UPDATE_CONTACT_TAGS: &str = "mutation CanvassTags($tags: [TagInput], \
     $campaignContactId: String!) { updateContactTags(tags: $tags, \
     campaignContactId: $campaignContactId) }";

/// One entry of GraphQL's `errors[]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct GraphqlError {
    /// The message (masked by Spoke unless it runs with `SHOW_SERVER_ERROR`).
    #[serde(default)]
    pub message: String,
    /// The field path that failed, e.g. `["createOptOut"]`.
    #[serde(default)]
    pub path: Vec<Value>,
    /// `extensions`, where Apollo puts `code`.
    #[serde(default)]
    pub extensions: Option<Value>,
}

impl GraphqlError {
    fn code(&self) -> Option<&str> {
        self.extensions
            .as_ref()
            .and_then(|e| e.get("code"))
            .and_then(Value::as_str)
    }

    fn path_text(&self) -> Vec<String> {
        self.path
            .iter()
            .map(|p| match p {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect()
    }
}

#[derive(Debug, Deserialize)]
struct Envelope {
    #[serde(default)]
    data: Option<Value>,
    #[serde(default)]
    errors: Vec<GraphqlError>,
}

/// Maps GraphQL `errors[]` of operation `op` onto [`Error`]:
///
/// - `UNAUTHORIZED`, `UNAUTHENTICATED`/`FORBIDDEN` codes, and "not
///   authorized" messages → [`Error::Auth`];
/// - the masked `Internal server error` → [`Error::Api`] with code
///   `INTERNAL_SERVER_ERROR` (not retried: Spoke may have acted);
/// - anything else → [`Error::Api`] with the error's code (or
///   `GRAPHQL_ERROR`), its message and its path as `fields`.
pub fn graphql_error(op: &str, status: u16, errors: &[GraphqlError]) -> Error {
    let Some(first) = errors.first() else {
        return Error::Api {
            system: SYSTEM.into(),
            status,
            code: Some("GRAPHQL_ERROR".into()),
            message: format!("{op}: an empty errors list"),
            fields: vec![],
        };
    };
    let lower = first.message.to_ascii_lowercase();
    let auth = first.message.trim() == "UNAUTHORIZED"
        || matches!(first.code(), Some("UNAUTHENTICATED" | "FORBIDDEN"))
        || lower.contains("not authorized")
        || lower.contains("not logged in");
    if auth {
        return Error::auth(
            SYSTEM,
            format!(
                "{op}: {} (is the API token valid for this Spoke?)",
                first.message
            ),
        );
    }
    let more = if errors.len() > 1 {
        format!(" (and {} more errors)", errors.len() - 1)
    } else {
        String::new()
    };
    if first.message.trim() == "Internal server error" {
        return Error::Api {
            system: SYSTEM.into(),
            status,
            code: Some("INTERNAL_SERVER_ERROR".into()),
            message: format!(
                "{op}: Internal server error{more} (Spoke hides the cause unless it runs with \
                 SHOW_SERVER_ERROR; a contact or tag id it does not know is a common one)"
            ),
            fields: first.path_text(),
        };
    }
    Error::Api {
        system: SYSTEM.into(),
        status,
        code: Some(first.code().unwrap_or("GRAPHQL_ERROR").to_string()),
        message: format!("{op}: {}{more}", first.message),
        fields: first.path_text(),
    }
}

/// Reads Apollo's error body (sent with HTTP 400/500) for the HTTP layer.
fn error_body(body: &[u8]) -> Option<VendorError> {
    let env: Envelope = serde_json::from_slice(body).ok()?;
    let first = env.errors.first()?;
    Some(VendorError {
        code: first.code().map(str::to_string),
        message: first.message.clone(),
        fields: first.path_text(),
    })
}

/// Builds a [`SpokeGraphql`].
#[derive(Debug)]
pub struct SpokeGraphqlBuilder {
    base_url: Url,
    token: String,
    rate_limit: RateLimit,
    retry: RetryPolicy,
}

impl SpokeGraphqlBuilder {
    /// Overrides the rate limit.
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
    pub fn build(self) -> Result<SpokeGraphql, Error> {
        let http = HttpClient::new(
            HttpConfig::new(SYSTEM, self.base_url)
                .auth(Auth::bearer(self.token))
                .rate_limit(self.rate_limit)
                .retry(self.retry)
                .error_body(error_body),
        )?;
        Ok(SpokeGraphql { http })
    }
}

/// Who the token belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CurrentUser {
    /// The user's id.
    pub id: String,
    /// Their display name, when Spoke sends it.
    #[serde(default)]
    pub display_name: Option<String>,
}

/// A client for Spoke's GraphQL API. Cheap to clone.
///
/// ```no_run
/// # async fn run() -> Result<(), canvass_core::Error> {
/// use canvass_spoke::graphql::SpokeGraphql;
/// let spoke = SpokeGraphql::builder("https://spoke.example.org/".parse().unwrap(), "jwt").build()?;
/// let me = spoke.current_user().await?;
/// println!("signed in as {}", me.id);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct SpokeGraphql {
    http: HttpClient,
}

impl SpokeGraphql {
    /// A builder for the Spoke at `base_url` (the app's address; the API is
    /// at `<base_url>/graphql`), authenticating with the JWT `token`.
    pub fn builder(base_url: Url, token: impl Into<String>) -> SpokeGraphqlBuilder {
        SpokeGraphqlBuilder {
            base_url,
            token: token.into(),
            rate_limit: RateLimit::per_second(DEFAULT_RATE_LIMIT),
            retry: RetryPolicy::default(),
        }
    }

    /// The HTTP client underneath.
    pub fn http(&self) -> &HttpClient {
        &self.http
    }

    /// Runs one operation and returns `data.<field>`.
    ///
    /// `retry_safe` marks operations that may be repeated after a transient
    /// failure (queries and set-to-this-state mutations).
    ///
    /// # Errors
    /// Transport and HTTP errors from the HTTP layer; `errors[]` mapped by
    /// [`graphql_error`]; [`Error::Decode`] when `data.<field>` is not a `T`.
    pub async fn execute<T: DeserializeOwned>(
        &self,
        field: &str,
        query: &str,
        variables: Value,
        retry_safe: bool,
    ) -> Result<T, Error> {
        let mut request = self
            .http
            .post("graphql")
            .json(&json!({"query": query, "variables": variables}));
        if retry_safe {
            request = request.retry_safe();
        }
        let response = request.send().await?;
        let envelope: Envelope = response.json(field)?;
        if !envelope.errors.is_empty() {
            return Err(graphql_error(
                field,
                response.status.as_u16(),
                &envelope.errors,
            ));
        }
        let value = envelope
            .data
            .and_then(|mut d| d.get_mut(field).map(Value::take))
            .unwrap_or(Value::Null);
        let body = serde_json::to_vec(&value).unwrap_or_default();
        canvass_core::http::decode_json(SYSTEM, &format!("data.{field}"), &body, &[])
    }

    /// The token's user (`currentUser`): a cheap credential check.
    ///
    /// # Errors
    /// [`Error::Auth`] when Spoke refuses the token or knows no user for it.
    pub async fn current_user(&self) -> Result<CurrentUser, Error> {
        let user: Option<CurrentUser> = self
            .execute("currentUser", CURRENT_USER, json!({}), true)
            .await?;
        user.ok_or_else(|| {
            Error::auth(
                SYSTEM,
                "currentUser is null: Spoke accepted the request but the token names no user",
            )
        })
    }

    /// `createOptOut`: opts the contact's cell out. Not retried (each call
    /// inserts an `opt_out` row).
    ///
    /// # Errors
    /// As [`SpokeGraphql::execute`].
    pub async fn create_opt_out(
        &self,
        campaign_contact_id: &str,
        opt_out: &OptOutInput,
    ) -> Result<Value, Error> {
        self.execute(
            "createOptOut",
            CREATE_OPT_OUT,
            json!({"optOut": opt_out, "campaignContactId": campaign_contact_id}),
            false,
        )
        .await
    }

    /// `updateQuestionResponses`: sets the contact's answers to these
    /// questions (retried: setting the same answer twice is harmless).
    ///
    /// # Errors
    /// As [`SpokeGraphql::execute`].
    pub async fn update_question_responses(
        &self,
        campaign_contact_id: &str,
        responses: &[QuestionResponseInput],
    ) -> Result<Value, Error> {
        self.execute(
            "updateQuestionResponses",
            UPDATE_QUESTION_RESPONSES,
            json!({"questionResponses": responses, "campaignContactId": campaign_contact_id}),
            true,
        )
        .await
    }

    /// `updateContactTags`: sets the contact's tags to exactly `tags`
    /// (Spoke's texter UI sends the whole list; retried, since it sets state).
    ///
    /// # Errors
    /// As [`SpokeGraphql::execute`].
    pub async fn update_contact_tags(
        &self,
        campaign_contact_id: &str,
        tags: &[TagInput],
    ) -> Result<Value, Error> {
        self.execute(
            "updateContactTags",
            UPDATE_CONTACT_TAGS,
            json!({"tags": tags, "campaignContactId": campaign_contact_id}),
            true,
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(message: &str, code: Option<&str>) -> GraphqlError {
        GraphqlError {
            message: message.into(),
            path: vec![json!("createOptOut")],
            extensions: code.map(|c| json!({"code": c})),
        }
    }

    #[test]
    fn masked_unauthorized_is_an_auth_error() {
        let e = graphql_error("createOptOut", 200, &[err("UNAUTHORIZED", None)]);
        assert!(e.is_auth(), "{e:?}");
        let e = graphql_error(
            "x",
            200,
            &[err("Must be logged in", Some("UNAUTHENTICATED"))],
        );
        assert!(e.is_auth(), "{e:?}");
    }

    #[test]
    fn masked_internal_error_is_an_api_error_naming_the_path_and_not_retryable() {
        let e = graphql_error("createOptOut", 200, &[err("Internal server error", None)]);
        match &e {
            Error::Api { code, fields, .. } => {
                assert_eq!(code.as_deref(), Some("INTERNAL_SERVER_ERROR"));
                assert_eq!(fields, &vec!["createOptOut".to_string()]);
            }
            other => panic!("{other:?}"),
        }
        assert!(!e.is_retryable());
    }

    #[test]
    fn other_errors_keep_their_code_and_message() {
        let e = graphql_error(
            "updateContactTags",
            400,
            &[
                err(
                    "Variable \"$tags\" got invalid value",
                    Some("BAD_USER_INPUT"),
                ),
                err("b", None),
            ],
        );
        let text = e.to_string();
        assert!(
            text.contains("BAD_USER_INPUT") && text.contains("1 more"),
            "{text}"
        );
    }
}
