//! List requests and cursor paging over Mobilize's `{data, count, next}`
//! envelope.

use std::collections::HashSet;
use std::marker::PhantomData;

use canvass_core::Error;
use futures::stream::{self, BoxStream, StreamExt, TryStreamExt};
use serde::de::DeserializeOwned;
use serde_json::Value;
use url::Url;

use super::{MobilizeClient, SYSTEM, decode_value};
use crate::models::Envelope;

/// One page of a list.
#[derive(Debug, Clone, PartialEq)]
pub struct ListPage<T> {
    /// The URL this page was read from.
    pub url: String,
    /// The page's items.
    pub items: Vec<T>,
    /// Objects across all pages, as Mobilize counts them.
    pub count: Option<u64>,
    /// The next page's URL (carrying Mobilize's `cursor`), `None` on the last page.
    pub next: Option<String>,
    /// Set by search-backed queries: results stop at this many.
    pub results_limited_to: Option<u64>,
    /// The server's clock when it answered (the `Date` header), Unix seconds.
    pub server_time: Option<i64>,
}

/// A list call being built. Finish with [`ListRequest::send`] (first page),
/// [`ListRequest::stream`] (every item, typed) or [`ListRequest::raw_pages`]
/// (every page as raw JSON).
#[must_use = "a request does nothing until sent"]
pub struct ListRequest<'a, T> {
    client: &'a MobilizeClient,
    path: String,
    query: Vec<(String, String)>,
    public: bool,
    entity: &'static str,
    _item: PhantomData<fn() -> T>,
}

impl<T> std::fmt::Debug for ListRequest<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ListRequest")
            .field("path", &self.path)
            .field("query", &self.query)
            .field("public", &self.public)
            .finish()
    }
}

impl<'a, T: DeserializeOwned + Send + 'a> ListRequest<'a, T> {
    pub(crate) fn new(client: &'a MobilizeClient, path: String, entity: &'static str) -> Self {
        ListRequest {
            client,
            path,
            query: Vec::new(),
            public: false,
            entity,
            _item: PhantomData,
        }
    }

    /// Page size (Mobilize's default is 25; the docs state no maximum).
    pub fn per_page(self, n: u32) -> Self {
        self.param("per_page", n.to_string())
    }

    /// Only objects modified since `unix_seconds` (Mobilize compares it with
    /// `modified_date`; whether the bound is inclusive is not documented).
    pub fn updated_since(self, unix_seconds: i64) -> Self {
        self.param("updated_since", unix_seconds.to_string())
    }

    /// Adds a query parameter (repeat it for multi-valued filters).
    pub fn param(mut self, key: &str, value: impl Into<String>) -> Self {
        self.query.push((key.to_string(), value.into()));
        self
    }

    /// Sends without the API key even when the client has one (the public view).
    pub fn public(mut self) -> Self {
        self.public = true;
        self
    }

    /// The absolute URL of the first page.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when the path does not make a URL.
    pub fn url(&self) -> Result<String, Error> {
        let mut url = self
            .client
            .http
            .base_url()
            .join(self.path.trim_start_matches('/'))
            .map_err(|e| Error::invalid_input("path", format!("{}: {e}", self.path)))?;
        if !self.query.is_empty() {
            url.query_pairs_mut().extend_pairs(self.query.iter());
        }
        Ok(url.to_string())
    }

    /// Fetches the first page and decodes its items.
    ///
    /// # Errors
    /// Any [`Error`]; an item that does not decode is an [`Error::Decode`]
    /// naming its index and field.
    pub async fn send(self) -> Result<ListPage<T>, Error> {
        let url = self.url()?;
        let page = self.client.raw_page(&url, self.public).await?;
        decode_page(page, self.entity)
    }

    /// Every page from the first, as raw JSON items.
    pub fn raw_pages(self) -> BoxStream<'a, Result<ListPage<Value>, Error>> {
        match self.url() {
            Ok(url) => self.client.raw_pages_from(url, self.public),
            Err(e) => stream::once(async move { Err(e) }).boxed(),
        }
    }

    /// Every item across every page, decoded.
    pub fn stream(self) -> BoxStream<'a, Result<T, Error>> {
        let entity = self.entity;
        self.raw_pages()
            .and_then(move |page| async move { decode_page::<T>(page, entity) })
            .map_ok(|page| stream::iter(page.items.into_iter().map(Ok)))
            .try_flatten()
            .boxed()
    }

    /// Every item across every page, collected.
    ///
    /// # Errors
    /// The first error met.
    pub async fn all(self) -> Result<Vec<T>, Error> {
        self.stream().try_collect().await
    }
}

fn decode_page<T: DeserializeOwned>(
    page: ListPage<Value>,
    entity: &str,
) -> Result<ListPage<T>, Error> {
    let items = page
        .items
        .into_iter()
        .enumerate()
        .map(|(i, v)| decode_value(v, &format!("{entity} [{i}]")))
        .collect::<Result<Vec<T>, Error>>()?;
    Ok(ListPage {
        url: page.url,
        items,
        count: page.count,
        next: page.next,
        results_limited_to: page.results_limited_to,
        server_time: page.server_time,
    })
}

/// How many times a truncated body is fetched again.
const TRUNCATED_RETRIES: usize = 4;

impl MobilizeClient {
    /// Fetches one list page from an absolute URL (a first page or a `next`
    /// link), items left as raw JSON for per-item decoding.
    ///
    /// A `next` link is always followed on this client's own origin: only
    /// its path and query are used, so a link naming another host (or
    /// `http` instead of `https`) never receives the key.
    ///
    /// # Errors
    /// Any [`Error`]; an envelope whose `error` is set is an [`Error::Api`]
    /// naming the fields.
    pub async fn raw_page(&self, url: &str, public: bool) -> Result<ListPage<Value>, Error> {
        let target = self.rebase(url)?;
        let mut attempt = 0;
        loop {
            let mut rb = self.http.get(target.as_str());
            if public {
                rb = rb.unauthenticated();
            }
            let resp = rb.send().await?;
            let env: Envelope<Vec<Value>> = match resp.json("list page") {
                Ok(env) => env,
                Err(
                    e @ Error::Decode {
                        truncated: true, ..
                    },
                ) => {
                    attempt += 1;
                    if attempt > TRUNCATED_RETRIES {
                        return Err(e);
                    }
                    tracing::debug!(url = %target.path(), "truncated page, fetching again");
                    continue;
                }
                Err(e) => return Err(e),
            };
            let server_time = resp
                .header("date")
                .and_then(|d| chrono::DateTime::parse_from_rfc2822(d).ok())
                .map(|d| d.timestamp());
            if let Some(err) = env.error.as_ref().filter(|e| !e.is_null()) {
                let vendor = super::vendor_error(err);
                return Err(Error::Api {
                    system: SYSTEM.into(),
                    status: resp.status.as_u16(),
                    code: None,
                    message: vendor.message,
                    fields: vendor.fields,
                });
            }
            return Ok(ListPage {
                url: target.to_string(),
                items: env.data.unwrap_or_default(),
                count: env.count,
                next: env.next.filter(|n| !n.is_empty()),
                results_limited_to: env.results_limited_to,
                server_time,
            });
        }
    }

    /// Walks pages from `url` along the `next` links until a page has no
    /// `next`, comes back empty, or links to a page already read (an error,
    /// so a bad link cannot loop forever).
    pub fn raw_pages_from(
        &self,
        url: String,
        public: bool,
    ) -> BoxStream<'_, Result<ListPage<Value>, Error>> {
        struct Walk {
            next: Option<String>,
            seen: HashSet<String>,
        }
        let walk = Walk {
            next: Some(url),
            seen: HashSet::new(),
        };
        stream::try_unfold(walk, move |mut walk| async move {
            let Some(at) = walk.next.take() else {
                return Ok(None);
            };
            walk.seen.insert(at.clone());
            let page = self.raw_page(&at, public).await?;
            if page.items.is_empty() {
                return Ok(None);
            }
            if let Some(next) = &page.next {
                if walk.seen.contains(next) {
                    return Err(Error::Api {
                        system: SYSTEM.into(),
                        status: 200,
                        code: Some("PAGINATION_LOOP".into()),
                        message: format!(
                            "the next page {next} was already read; stopping instead of looping"
                        ),
                        fields: vec![],
                    });
                }
                walk.next = Some(next.clone());
            }
            Ok(Some((page, walk)))
        })
        .boxed()
    }

    /// `url` moved onto this client's base origin (scheme, host, port).
    fn rebase(&self, url: &str) -> Result<Url, Error> {
        let base = self.http.base_url();
        let parsed = match Url::parse(url) {
            Ok(u) => u,
            Err(url::ParseError::RelativeUrlWithoutBase) => base
                .join(url.trim_start_matches('/'))
                .map_err(|e| Error::invalid_input("url", format!("{url}: {e}")))?,
            Err(e) => return Err(Error::invalid_input("url", format!("{url}: {e}"))),
        };
        if parsed.origin() == base.origin() {
            return Ok(parsed);
        }
        let mut moved = base.clone();
        moved.set_path(parsed.path());
        moved.set_query(parsed.query());
        Ok(moved)
    }
}
