//! [`ListRequest`]: one builder for every paginated VAN endpoint.
//!
//! VAN pages with `$top`/`$skip` and answers `{"items","count","nextPageLink"}`.
//! The first page is read alone; once it says how many items there are in
//! all, the remaining pages are fetched concurrently (in order) through
//! [`offset_pages`], which then reads on one page at a time until a short
//! page so items added during the read are not missed.

use std::marker::PhantomData;
use std::sync::Arc;

use canvass_core::Error;
use canvass_core::http::{Paged, offset_pages};
use futures::stream::{self, BoxStream, StreamExt, TryStreamExt};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::{VanClient, decode_value};
use crate::models::VanPage;

/// A paginated endpoint's page-size limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PageLimits {
    /// VAN's default `$top`.
    pub default_top: u64,
    /// VAN's largest `$top`.
    pub max_top: u64,
}

impl PageLimits {
    /// Most endpoints: default 50, at most 200.
    pub const STANDARD: PageLimits = PageLimits {
        default_top: 50,
        max_top: 200,
    };
    /// `/events`: default 10, at most 50.
    pub const EVENTS: PageLimits = PageLimits {
        default_top: 10,
        max_top: 50,
    };
}

struct Spec {
    path: String,
    query: Vec<(String, String)>,
    top: u64,
    entity: &'static str,
}

/// A request for a paginated VAN endpoint, finished with [`send`](Self::send)
/// (one page), [`stream`](Self::stream) / [`all`](Self::all) (every item) or
/// [`raw_pages`](Self::raw_pages) (raw JSON, for connectors).
///
/// Filters specific to an endpoint are methods on `ListRequest<ThatModel>`
/// (for example [`ListRequest::<Event>::starting_after`](crate::models::Event)).
#[must_use = "a request does nothing until sent"]
pub struct ListRequest<T> {
    pub(crate) client: VanClient,
    path: String,
    pub(crate) query: Vec<(String, String)>,
    limits: PageLimits,
    top: Option<u64>,
    skip: u64,
    concurrency: Option<usize>,
    entity: &'static str,
    pub(crate) missing: Option<Error>,
    _item: PhantomData<fn() -> T>,
}

impl<T> std::fmt::Debug for ListRequest<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ListRequest")
            .field("path", &self.path)
            .field("top", &self.top)
            .field("skip", &self.skip)
            .finish_non_exhaustive()
    }
}

impl<T: DeserializeOwned + Send + 'static> ListRequest<T> {
    pub(crate) fn new(
        client: &VanClient,
        path: impl Into<String>,
        limits: PageLimits,
        entity: &'static str,
    ) -> Self {
        ListRequest {
            client: client.clone(),
            path: path.into(),
            query: Vec::new(),
            limits,
            top: None,
            skip: 0,
            concurrency: None,
            entity,
            missing: None,
            _item: PhantomData,
        }
    }

    pub(crate) fn param(mut self, key: &str, value: impl ToString) -> Self {
        self.query.push((key.to_string(), value.to_string()));
        self
    }

    /// Page size (`$top`); clamped to the endpoint's maximum (200 for most,
    /// 50 for events). Defaults to the maximum.
    pub fn top(mut self, top: u64) -> Self {
        self.top = Some(top.clamp(1, self.limits.max_top));
        self
    }

    /// Starts `skip` items in (`$skip`).
    pub fn skip(mut self, skip: u64) -> Self {
        self.skip = skip;
        self
    }

    /// Pages fetched at once (default: the client's concurrency; 1 reads
    /// strictly one page after another).
    pub fn concurrency(mut self, concurrency: usize) -> Self {
        self.concurrency = Some(concurrency.max(1));
        self
    }

    /// The page size that will be sent.
    pub fn page_size(&self) -> u64 {
        self.top.unwrap_or(self.limits.max_top)
    }

    /// The endpoint's default and largest page sizes.
    pub fn page_limits(&self) -> (u64, u64) {
        (self.limits.default_top, self.limits.max_top)
    }

    fn spec(&self) -> Spec {
        Spec {
            path: self.path.clone(),
            query: self.query.clone(),
            top: self.page_size(),
            entity: self.entity,
        }
    }

    /// Fetches one page (at `$skip`), decoded.
    ///
    /// # Errors
    /// Any [`Error`]; [`Error::Decode`] naming the item and field that failed.
    pub async fn send(self) -> Result<VanPage<T>, Error> {
        if let Some(e) = self.missing {
            return Err(e);
        }
        let page = fetch(&self.client, &self.spec(), self.skip).await?;
        let items = page
            .items
            .iter()
            .enumerate()
            .map(|(i, v)| decode_value(&format!("{} [{}]", self.entity, self.skip + i as u64), v))
            .collect::<Result<Vec<T>, Error>>()?;
        Ok(VanPage {
            items,
            count: page.count,
            next_page_link: page.next_page_link,
        })
    }

    /// Every item from `$skip` on, across pages, decoded.
    pub fn stream(self) -> BoxStream<'static, Result<T, Error>> {
        let entity = self.entity;
        self.raw_pages()
            .map_ok(move |page| {
                let at = page.at;
                stream::iter(
                    page.items
                        .into_iter()
                        .enumerate()
                        .map(move |(i, v)| {
                            decode_value::<T>(&format!("{entity} [{}]", at + i as u64), &v)
                        })
                        .collect::<Vec<_>>(),
                )
            })
            .try_flatten()
            .boxed()
    }

    /// Collects every item.
    ///
    /// # Errors
    /// The first error met.
    pub async fn all(self) -> Result<Vec<T>, Error> {
        self.stream().try_collect().await
    }

    /// Every page from `$skip` on as raw JSON items, with the offset each
    /// page starts at (resume from `at + items.len()`). Connectors decode
    /// items one by one so one bad record does not sink a page.
    pub fn raw_pages(self) -> BoxStream<'static, Result<Paged<Value, u64>, Error>> {
        if let Some(e) = self.missing {
            return stream::once(async move { Err(e) }).boxed();
        }
        let spec = Arc::new(self.spec());
        let client = self.client.clone();
        let start = self.skip;
        let concurrency = self.concurrency.unwrap_or(client.concurrency);
        stream::once(async move {
            let first = fetch(&client, &spec, start).await?;
            let n = first.items.len() as u64;
            let head = Paged {
                at: start,
                next: Some(start + n),
                items: first.items,
            };
            let known_rest = first.count.map(|c| c > start + n);
            let more = n > 0
                && n >= spec.top
                && first.next_page_link.is_some()
                && known_rest != Some(false);
            let head_stream = stream::iter((n > 0).then_some(Ok(head)));
            if !more {
                return Ok::<_, Error>(head_stream.boxed());
            }
            let fetch_client = client.clone();
            let fetch_spec = spec.clone();
            let rest = offset_pages(start + n, first.count, spec.top, concurrency, move |skip| {
                let client = fetch_client.clone();
                let spec = fetch_spec.clone();
                async move { fetch(&client, &spec, skip).await.map(|p| p.items) }
            });
            Ok(head_stream.chain(rest).boxed())
        })
        .try_flatten()
        .boxed()
    }
}

async fn fetch(client: &VanClient, spec: &Spec, skip: u64) -> Result<VanPage<Value>, Error> {
    let mut rb = client.http.get(spec.path.as_str());
    for (k, v) in &spec.query {
        rb = rb.query_pair(k.as_str(), v.as_str());
    }
    rb.query_pair("$top", spec.top.to_string())
        .query_pair("$skip", skip.to_string())
        .send_json::<VanPage<Value>>(&format!("{} page at {skip}", spec.entity))
        .await
        .map_err(|e| client.explain(e))
}
