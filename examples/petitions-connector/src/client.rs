//! [`PetitionsClient`]: the typed client of the petitions API.
//!
//! | call | request |
//! |---|---|
//! | [`PetitionsClient::ping`] | `GET /ping` |
//! | [`SignersHandler::list`] | `GET /signers?per_page=&page_token=&updated_since=` |
//! | [`SignersHandler::upsert`] | `POST /signers` (keyed by email) |

use chrono::{DateTime, Utc};
use futures::stream::BoxStream;

use canvass_core::Error;
use canvass_core::http::{
    Auth, HttpClient, HttpConfig, PageOf, Paged, RateLimit, RetryPolicy, VendorError, paginate,
};

use crate::models::{ApiError, SignerInput, SignersPage, UpsertResult};

/// The system name used in errors and source references.
pub const SYSTEM: &str = "petitions";

/// The API's published rate limit: 4 requests per second.
pub const RATE_LIMIT: f64 = 4.0;

/// The largest page the API serves.
pub const MAX_PAGE_SIZE: u32 = 1000;

fn parse_error(body: &[u8]) -> Option<VendorError> {
    let e: ApiError = serde_json::from_slice(body).ok()?;
    Some(VendorError {
        code: e.code,
        message: e.message,
        fields: e.fields,
    })
}

/// A client of the petitions API.
///
/// ```no_run
/// # async fn run() -> Result<(), canvass_core::Error> {
/// use canvass_example_petitions::PetitionsClient;
/// use futures::TryStreamExt;
/// let client = PetitionsClient::new("https://petitions.example/api/v1/".parse().unwrap(), "key")?;
/// let mut pages = client.signers().list().per_page(500).send();
/// while let Some(page) = pages.try_next().await? {
///     println!("{} signers", page.items.len());
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct PetitionsClient {
    http: HttpClient,
}

impl PetitionsClient {
    /// A client with the API's published rate limit and default retries.
    ///
    /// # Errors
    /// [`Error::Config`] when the HTTP client cannot be built.
    pub fn new(base_url: url::Url, api_key: &str) -> Result<PetitionsClient, Error> {
        PetitionsClient::with_options(
            base_url,
            api_key,
            RateLimit::per_second(RATE_LIMIT),
            RetryPolicy::default(),
        )
    }

    /// A client with an explicit rate limit and retry policy.
    ///
    /// # Errors
    /// [`Error::Config`] when the HTTP client cannot be built.
    pub fn with_options(
        base_url: url::Url,
        api_key: &str,
        rate_limit: RateLimit,
        retry: RetryPolicy,
    ) -> Result<PetitionsClient, Error> {
        let config = HttpConfig::new(SYSTEM, base_url)
            .auth(Auth::header("X-Petitions-Key", api_key)?)
            .rate_limit(rate_limit)
            .retry(retry)
            .error_body(parse_error);
        Ok(PetitionsClient {
            http: HttpClient::new(config)?,
        })
    }

    /// Checks the key (`GET /ping`).
    ///
    /// # Errors
    /// [`Error::Auth`] for a bad key.
    pub async fn ping(&self) -> Result<(), Error> {
        self.http.get("ping").send().await.map(|_| ())
    }

    /// Signer calls.
    pub fn signers(&self) -> SignersHandler<'_> {
        SignersHandler { client: self }
    }
}

/// Calls on `/signers`.
#[derive(Debug)]
pub struct SignersHandler<'a> {
    client: &'a PetitionsClient,
}

impl<'a> SignersHandler<'a> {
    /// Lists signers, oldest change first.
    pub fn list(&self) -> ListSigners<'a> {
        ListSigners {
            client: self.client,
            per_page: 100,
            updated_since: None,
            page_token: None,
        }
    }

    /// Creates the signer with this email, or updates the existing one.
    ///
    /// # Errors
    /// [`Error::Api`] with the fields at fault when the API refuses the input.
    pub async fn upsert(&self, input: &SignerInput) -> Result<UpsertResult, Error> {
        // An upsert keyed by email is safe to repeat.
        let resp = self
            .client
            .http
            .post("signers")
            .json(input)
            .retry_safe()
            .send()
            .await?;
        let mut result: UpsertResult = resp.json("upsert result")?;
        result.created = resp.status.as_u16() == 201;
        Ok(result)
    }
}

/// A `GET /signers` walk being built.
#[derive(Debug)]
#[must_use = "call .send() to read"]
pub struct ListSigners<'a> {
    client: &'a PetitionsClient,
    per_page: u32,
    updated_since: Option<DateTime<Utc>>,
    page_token: Option<String>,
}

impl<'a> ListSigners<'a> {
    /// Page size, capped at [`MAX_PAGE_SIZE`].
    pub fn per_page(mut self, n: u32) -> Self {
        self.per_page = n.clamp(1, MAX_PAGE_SIZE);
        self
    }

    /// Only signers changed at or after `t` (inclusive, so nothing changed at
    /// the same instant is missed).
    pub fn updated_since(mut self, t: Option<DateTime<Utc>>) -> Self {
        self.updated_since = t;
        self
    }

    /// Starts from a page token of an earlier walk.
    pub fn page_token(mut self, token: Option<String>) -> Self {
        self.page_token = token;
        self
    }

    /// Streams the pages. Each page's `at` is the token it was fetched with
    /// (`None` for the first), `next` the token of the page after it.
    pub fn send(self) -> BoxStream<'a, Result<Paged<serde_json::Value, Option<String>>, Error>> {
        let client = self.client;
        let per_page = self.per_page.to_string();
        let since = self.updated_since.map(|t| t.to_rfc3339());
        paginate(self.page_token, move |token: Option<String>| {
            let mut req = client
                .http
                .get("signers")
                .query_pair("per_page", per_page.clone());
            if let Some(since) = &since {
                req = req.query_pair("updated_since", since.clone());
            }
            if let Some(token) = &token {
                req = req.query_pair("page_token", token.clone());
            }
            async move {
                let page: SignersPage = req.send_json("signers page").await?;
                Ok(PageOf {
                    items: page.signers,
                    next: page.next_page_token.map(Some),
                })
            }
        })
    }
}
