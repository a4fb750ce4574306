//! Pagination helpers: turn any vendor's paging scheme (next link, cursor,
//! page number, offset) into a `Stream` of pages.
//!
//! Two guards apply to every scheme: an empty page ends the walk (Action
//! Network keeps a `next` link on the last page of people and only an empty
//! page ends it), and a `next` position already fetched ends the walk with an
//! error instead of looping forever.

use std::collections::HashSet;
use std::fmt::Debug;
use std::future::Future;
use std::hash::Hash;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use futures::stream::{self, BoxStream, StreamExt};

use crate::Error;

/// What one fetch returns: the page's items and where the next page is.
#[derive(Debug, Clone, PartialEq)]
pub struct PageOf<T, C> {
    /// The items.
    pub items: Vec<T>,
    /// The next page's position (a URL, a cursor, a page number), or `None` at the end.
    pub next: Option<C>,
}

/// A page yielded by a walk, with the position it was fetched from.
#[derive(Debug, Clone, PartialEq)]
pub struct Paged<T, C> {
    /// The position this page was fetched from.
    pub at: C,
    /// The items.
    pub items: Vec<T>,
    /// The next page's position, or `None` when this was the last.
    pub next: Option<C>,
}

struct Walk<C, F> {
    next: Option<C>,
    seen: HashSet<C>,
    fetch: F,
    pending: Option<Error>,
}

/// Walks pages from `start`, calling `fetch` with each page's position,
/// until a page has no `next`, comes back empty, or repeats a position.
///
/// ```
/// # futures::executor::block_on(async {
/// use canvass_core::http::{paginate, PageOf};
/// use futures::TryStreamExt;
/// // A cursor API with three pages.
/// let pages = paginate(0u32, |at| async move {
///     Ok(PageOf { items: vec![at * 10, at * 10 + 1], next: (at < 2).then_some(at + 1) })
/// });
/// let all: Vec<_> = pages.map_ok(|p| p.items).try_concat().await.unwrap();
/// assert_eq!(all, vec![0, 1, 10, 11, 20, 21]);
/// # });
/// ```
pub fn paginate<'a, T, C, F, Fut>(start: C, fetch: F) -> BoxStream<'a, Result<Paged<T, C>, Error>>
where
    T: Send + 'a,
    C: Clone + Eq + Hash + Debug + Send + 'a,
    F: FnMut(C) -> Fut + Send + 'a,
    Fut: Future<Output = Result<PageOf<T, C>, Error>> + Send + 'a,
{
    let walk = Walk {
        next: Some(start),
        seen: HashSet::new(),
        fetch,
        pending: None,
    };
    stream::try_unfold(walk, |mut walk| async move {
        if let Some(e) = walk.pending.take() {
            return Err(e);
        }
        let Some(at) = walk.next.take() else {
            return Ok(None);
        };
        walk.seen.insert(at.clone());
        let page = (walk.fetch)(at.clone()).await?;
        if page.items.is_empty() {
            return Ok(None);
        }
        if let Some(next) = &page.next {
            if walk.seen.contains(next) {
                // Yield this page (its items are new), then stop loudly.
                walk.pending = Some(Error::Api {
                    system: String::new(),
                    status: 200,
                    code: Some("PAGINATION_LOOP".into()),
                    message: format!(
                        "the next page {next:?} was already read; stopping instead of looping"
                    ),
                    fields: vec![],
                });
            } else {
                walk.next = Some(next.clone());
            }
        }
        Ok(Some((
            Paged {
                at,
                items: page.items,
                next: page.next,
            },
            walk,
        )))
    })
    .boxed()
}

/// Walks `$skip`/`offset` pages of `page_size`, fetching up to `concurrency`
/// pages at once while the total is known, in order.
///
/// Pages below `total` are fetched concurrently; after them (or from the start
/// when the total is unknown) pages are read one by one until a short or
/// empty page, so records added during the read are not missed.
///
/// `fetch(offset)` returns that page's items. Each yielded page's `next` is
/// the offset to resume from.
pub fn offset_pages<'a, T, F, Fut>(
    start: u64,
    total: Option<u64>,
    page_size: u64,
    concurrency: usize,
    fetch: F,
) -> BoxStream<'a, Result<Paged<T, u64>, Error>>
where
    T: Send + 'a,
    F: Fn(u64) -> Fut + Send + Sync + 'a,
    Fut: Future<Output = Result<Vec<T>, Error>> + Send + 'a,
{
    let page_size = page_size.max(1);
    let fetch = Arc::new(fetch);
    let known_end = total.unwrap_or(start).max(start);
    let offsets: Vec<u64> = (start..known_end).step_by(page_size as usize).collect();
    let tail_start = offsets.last().map_or(start, |o| o + page_size);
    // Whether the last concurrent page was full, i.e. more may follow.
    let more = Arc::new(AtomicBool::new(offsets.is_empty()));

    let head = {
        let fetch = fetch.clone();
        let more = more.clone();
        let last = offsets.last().copied();
        stream::iter(offsets)
            .map(move |offset| {
                let fetch = fetch.clone();
                async move { fetch(offset).await.map(|items| (offset, items)) }
            })
            .buffered(concurrency.max(1))
            .map(move |res| {
                res.map(|(offset, items)| {
                    let full = items.len() as u64 >= page_size;
                    if Some(offset) == last {
                        more.store(full, Ordering::SeqCst);
                    }
                    Paged {
                        at: offset,
                        next: Some(offset + page_size),
                        items,
                    }
                })
            })
    };

    let tail = stream::once(async move {
        if !more.load(Ordering::SeqCst) {
            return stream::empty().boxed();
        }
        paginate(tail_start, move |offset| {
            let fetch = fetch.clone();
            async move {
                let items = fetch(offset).await?;
                let next = (items.len() as u64 >= page_size).then_some(offset + page_size);
                Ok(PageOf { items, next })
            }
        })
    })
    .flatten();

    head.chain(tail).boxed()
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::TryStreamExt;
    use std::sync::atomic::AtomicUsize;

    #[tokio::test]
    async fn empty_page_ends_even_with_a_next_link() {
        let pages = paginate(1u32, |at| async move {
            let items = if at <= 2 { vec![at] } else { vec![] };
            Ok(PageOf {
                items,
                next: Some(at + 1),
            })
        });
        let all: Vec<Paged<u32, u32>> = pages.try_collect().await.unwrap_or_default();
        assert_eq!(all.iter().map(|p| p.at).collect::<Vec<_>>(), vec![1, 2]);
    }

    #[tokio::test]
    async fn repeated_next_link_is_an_error_after_the_new_items() {
        let pages = paginate("a".to_string(), |at| async move {
            let next = if at == "a" { "b" } else { "a" };
            Ok(PageOf {
                items: vec![at.clone()],
                next: Some(next.to_string()),
            })
        });
        let got: Vec<Result<Paged<String, String>, Error>> = pages.collect().await;
        assert_eq!(got.len(), 3);
        assert!(got[0].is_ok() && got[1].is_ok());
        assert!(matches!(&got[2], Err(Error::Api { code: Some(c), .. }) if c == "PAGINATION_LOOP"));
    }

    #[tokio::test]
    async fn offset_pages_reads_everything_once_in_order() {
        let calls = Arc::new(AtomicUsize::new(0));
        let data: Arc<Vec<u64>> = Arc::new((0..95).collect());
        let c = calls.clone();
        let d = data.clone();
        let pages = offset_pages(0, Some(95), 10, 4, move |offset| {
            let d = d.clone();
            c.fetch_add(1, Ordering::SeqCst);
            async move {
                Ok(d.iter()
                    .skip(offset as usize)
                    .take(10)
                    .copied()
                    .collect::<Vec<_>>())
            }
        });
        let all: Vec<u64> = pages
            .map_ok(|p| p.items)
            .try_concat()
            .await
            .unwrap_or_default();
        assert_eq!(all, *data);
        // 10 pages, the last short: no extra request to find the end.
        assert_eq!(calls.load(Ordering::SeqCst), 10);
    }

    #[tokio::test]
    async fn offset_pages_picks_up_records_added_past_the_total() {
        let data: Arc<Vec<u64>> = Arc::new((0..25).collect());
        let pages = offset_pages(0, Some(20), 10, 2, move |offset| {
            let d = data.clone();
            async move {
                Ok(d.iter()
                    .skip(offset as usize)
                    .take(10)
                    .copied()
                    .collect::<Vec<_>>())
            }
        });
        let all: Vec<u64> = pages
            .map_ok(|p| p.items)
            .try_concat()
            .await
            .unwrap_or_default();
        assert_eq!(all, (0..25).collect::<Vec<_>>());
    }

    #[tokio::test]
    async fn offset_pages_resume_from_an_offset() {
        let pages = offset_pages(20, None, 10, 1, |offset| async move {
            Ok((offset..(offset + 10).min(35)).collect::<Vec<u64>>())
        });
        let all: Vec<u64> = pages
            .map_ok(|p| p.items)
            .try_concat()
            .await
            .unwrap_or_default();
        assert_eq!(all, (20..35).collect::<Vec<_>>());
    }
}
