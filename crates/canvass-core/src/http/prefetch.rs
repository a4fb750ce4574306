//! Reading ahead: fetch the next page while the current one is mapped.
//!
//! A cursor walk can only ask for page n+1 once page n has arrived, so
//! mapping page n on the same task would add its time to every request and
//! keep a sync below the vendor's rate limit. Running the fetches on their
//! own task keeps the requests paced by the rate limiter alone.

use futures::stream::{self, BoxStream, StreamExt};

use crate::Error;

/// Runs `pages` on a tokio task, keeping up to `depth` pages ready ahead of
/// the consumer, in order. The task starts on the first poll and stops when
/// the consumer drops the stream. If the task dies, the stream ends with an
/// error rather than looking complete.
///
/// Use it on cursor walks whose mapping is slow enough to hold back the
/// next request (Hustle, Strive).
pub fn prefetch<T: Send + 'static>(
    pages: BoxStream<'static, Result<T, Error>>,
    depth: usize,
    system: &'static str,
) -> BoxStream<'static, Result<T, Error>> {
    stream::once(async move {
        let (tx, rx) = tokio::sync::mpsc::channel(depth.max(1));
        let mut pages = pages;
        let task = tokio::spawn(async move {
            while let Some(page) = pages.next().await {
                let stop = page.is_err();
                if tx.send(page).await.is_err() || stop {
                    break;
                }
            }
        });
        stream::unfold((rx, Some(task)), move |(mut rx, task)| async move {
            match rx.recv().await {
                Some(page) => Some((page, (rx, task))),
                None => match task?.await {
                    Ok(()) => None,
                    Err(e) => Some((
                        Err(Error::transport(
                            system,
                            format!("the page reader stopped: {e}"),
                        )),
                        (rx, None),
                    )),
                },
            }
        })
    })
    .flatten()
    .boxed()
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::TryStreamExt;

    #[tokio::test]
    async fn keeps_order_and_ends_after_the_last_page() {
        let pages = stream::iter((0..50).map(Ok::<u32, Error>)).boxed();
        let got: Vec<u32> = prefetch(pages, 2, "x")
            .try_collect()
            .await
            .unwrap_or_default();
        assert_eq!(got, (0..50).collect::<Vec<_>>());
    }

    #[tokio::test]
    async fn stops_at_the_first_error() {
        let pages = stream::iter(vec![Ok(1u32), Err(Error::transport("x", "boom")), Ok(3)]).boxed();
        let got: Vec<Result<u32, Error>> = prefetch(pages, 2, "x").collect().await;
        assert_eq!(got.len(), 2);
        assert!(got[1].is_err());
    }

    #[tokio::test]
    async fn a_dead_reader_is_an_error_not_an_end() {
        let pages = stream::iter(vec![1u32, 2])
            .map(|i| if i == 2 { panic!("reader died") } else { Ok(i) })
            .boxed();
        let got: Vec<Result<u32, Error>> = prefetch(pages, 2, "x").collect().await;
        assert!(
            matches!(got.last(), Some(Err(Error::Transport { .. }))),
            "{got:?}"
        );
    }
}
