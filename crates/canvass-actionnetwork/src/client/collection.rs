//! HAL collections: one page ([`HalPage`]) and the request that lists them
//! ([`ListRequest`]).
//!
//! Action Network pages are HAL+JSON: the items sit in
//! `_embedded["osdi:<collection>"]` and the next page in `_links.next.href`.
//! Most collections also say `total_pages`; **people does not**, keeps a
//! `next` link even on its last page, and only an empty page ends it. A walk
//! therefore stops at the first of: no `next` link, `page >= total_pages`,
//! or an empty page.

use chrono::{DateTime, Utc};
use futures::StreamExt;
use futures::stream::BoxStream;
use serde::de::DeserializeOwned;
use serde_json::Value;

use canvass_core::Error;
use canvass_core::http::{PageOf, paginate};

use super::{ActionNetworkClient, SYSTEM};

/// One page of a collection, items kept as raw JSON so each can be decoded
/// (and fail) on its own.
#[derive(Debug, Clone, PartialEq)]
pub struct HalPage {
    /// The page number (1-based).
    pub page: u32,
    /// The items of `_embedded["osdi:<collection>"]`, in order.
    pub items: Vec<Value>,
    /// Whether the page carried a `next` link.
    pub has_next: bool,
    /// `total_pages`, when the collection says (people does not).
    pub total_pages: Option<u32>,
    /// `total_records`, when the collection says.
    pub total_records: Option<u64>,
}

impl HalPage {
    /// Reads a page out of a HAL collection body. `collection` is the
    /// collection's name (`"people"`); when `_embedded` has no
    /// `osdi:<collection>` key the first array in it is used, and a page
    /// without `_embedded` is empty.
    ///
    /// ```
    /// use canvass_actionnetwork::client::HalPage;
    /// let body = serde_json::json!({
    ///     "page": 2, "_links": {"next": {"href": "https://x/api/v2/people?page=3"}},
    ///     "_embedded": {"osdi:people": [{"given_name": "Ana"}]}
    /// });
    /// let page = HalPage::from_json("people", 2, &body);
    /// assert_eq!(page.items.len(), 1);
    /// assert!(page.has_next && !page.is_last());
    /// ```
    pub fn from_json(collection: &str, page: u32, body: &Value) -> HalPage {
        let embedded = body.get("_embedded").and_then(Value::as_object);
        let items = embedded
            .and_then(|e| {
                e.get(&format!("osdi:{collection}"))
                    .or_else(|| e.values().find(|v| v.is_array()))
            })
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let has_next = body
            .get("_links")
            .and_then(|l| l.get("next"))
            .and_then(|n| n.get("href"))
            .and_then(Value::as_str)
            .is_some_and(|h| !h.is_empty());
        let number = |key: &str| body.get(key).and_then(Value::as_u64);
        HalPage {
            page: number("page")
                .and_then(|p| u32::try_from(p).ok())
                .unwrap_or(page),
            items,
            has_next,
            total_pages: number("total_pages").and_then(|p| u32::try_from(p).ok()),
            total_records: number("total_records"),
        }
    }

    /// Whether no page follows this one: it is empty, has no `next` link,
    /// or is at `total_pages`.
    pub fn is_last(&self) -> bool {
        self.items.is_empty() || !self.has_next || self.total_pages.is_some_and(|t| self.page >= t)
    }

    /// Decodes every item on its own: one bad item is one `Err` naming its
    /// position and the failing field, and the others still decode.
    pub fn decode<T: DeserializeOwned>(&self) -> Vec<Result<T, Error>> {
        self.items
            .iter()
            .enumerate()
            .map(|(i, item)| decode_item(&format!("item {i} of page {}", self.page), item))
            .collect()
    }
}

/// Decodes one item, naming the JSON path that failed.
///
/// # Errors
/// [`Error::Decode`] with the entity, the path and an excerpt.
pub fn decode_item<T: DeserializeOwned>(entity: &str, item: &Value) -> Result<T, Error> {
    serde_path_to_error::deserialize(item).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        Error::Decode {
            system: SYSTEM.to_string(),
            entity: entity.to_string(),
            path,
            message: inner.to_string(),
            excerpt: canvass_core::http::excerpt(&item.to_string(), 120),
            truncated: false,
        }
    })
}

/// Formats a time the way Action Network's OData filter takes it.
pub(crate) fn filter_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A list of one collection; finish with [`ListRequest::send`] (every page
/// as a stream), [`ListRequest::fetch_page`] (one page) or
/// [`ListRequest::all`] (everything, decoded).
#[must_use = "a request does nothing until sent"]
#[derive(Debug, Clone)]
pub struct ListRequest<'a> {
    client: &'a ActionNetworkClient,
    path: String,
    filter: Option<String>,
    per_page: u32,
    start_page: u32,
}

impl<'a> ListRequest<'a> {
    pub(crate) fn new(client: &'a ActionNetworkClient, path: String) -> ListRequest<'a> {
        ListRequest {
            client,
            per_page: client.per_page(),
            path,
            filter: None,
            start_page: 1,
        }
    }

    /// Only items changed at or after `since`: `filter=modified_date ge '<since>'`.
    /// Inclusive on purpose: the filter compares whole seconds, so `gt` would
    /// lose a record changed in the same second as the last one read.
    /// Action Network filters people, events, donations, attendances,
    /// submissions, signatures and most other collections this way, but
    /// **not tags**, which ignore it.
    pub fn modified_since(self, since: DateTime<Utc>) -> Self {
        self.filter(format!("modified_date ge '{}'", filter_time(since)))
    }

    /// Adds an OData clause (`email_address eq 'ana@example.org'`); several
    /// clauses are joined with `and`.
    pub fn filter(mut self, clause: impl Into<String>) -> Self {
        let clause = clause.into();
        self.filter = Some(match self.filter.take() {
            Some(existing) => format!("{existing} and {clause}"),
            None => clause,
        });
        self
    }

    /// Page size, capped at 25.
    pub fn per_page(mut self, per_page: u32) -> Self {
        self.per_page = per_page.clamp(1, super::MAX_PER_PAGE);
        self
    }

    /// The page to start from (1-based), to resume a walk.
    pub fn start_page(mut self, page: u32) -> Self {
        self.start_page = page.max(1);
        self
    }

    /// The collection's name: the path's last segment (`"taggings"`).
    pub fn collection(&self) -> &str {
        self.path
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or_default()
    }

    /// Fetches one page.
    ///
    /// # Errors
    /// Any HTTP error; a truncated body is retried like a dropped connection.
    pub async fn fetch_page(&self, page: u32) -> Result<HalPage, Error> {
        let mut rb = self
            .client
            .http()
            .get(self.path.clone())
            .query_pair("page", page.to_string())
            .query_pair("per_page", self.per_page.to_string());
        if let Some(f) = &self.filter {
            rb = rb.query_pair("filter", f.clone());
        }
        let body: Value = rb.send_json(&format!("{} page {page}", self.path)).await?;
        Ok(HalPage::from_json(self.collection(), page, &body))
    }

    /// Every non-empty page from the start page on, in order. The walk ends
    /// at the last page (see [`HalPage::is_last`]); a server that repeats a
    /// page ends it with an error instead of looping.
    pub fn send(self) -> BoxStream<'a, Result<HalPage, Error>> {
        let start = self.start_page;
        let req = self;
        // A server that ignores `page` would serve page 1 forever with a
        // `next` link: the same items twice in a row end the walk loudly.
        let previous = std::sync::Arc::new(std::sync::Mutex::new(None::<Vec<Value>>));
        paginate(start, move |page| {
            let req = req.clone();
            let previous = previous.clone();
            async move {
                let hal = req.fetch_page(page).await?;
                {
                    let mut prev = previous.lock().unwrap_or_else(|p| p.into_inner());
                    if !hal.items.is_empty() && prev.as_ref() == Some(&hal.items) {
                        return Err(Error::Api {
                            system: SYSTEM.to_string(),
                            status: 200,
                            code: Some("PAGINATION_LOOP".into()),
                            message: format!("{} page {page} repeats the previous page; stopping instead of looping", req.path),
                            fields: vec![],
                        });
                    }
                    *prev = Some(hal.items.clone());
                }
                let next = (!hal.is_last()).then_some(page + 1);
                Ok(PageOf {
                    items: vec![hal],
                    next,
                })
            }
        })
        .filter_map(|r| async move {
            match r {
                Ok(mut p) => p.items.pop().filter(|h| !h.items.is_empty()).map(Ok),
                Err(e) => Some(Err(e)),
            }
        })
        .boxed()
    }

    /// Every item of every page, decoded.
    ///
    /// # Errors
    /// The first HTTP error, or an [`Error::Decode`] naming the item and field
    /// that did not decode.
    pub async fn all<T: DeserializeOwned>(self) -> Result<Vec<T>, Error> {
        let mut pages = self.send();
        let mut out = Vec::new();
        while let Some(page) = pages.next().await {
            for item in page?.decode() {
                out.push(item?);
            }
        }
        Ok(out)
    }
}
