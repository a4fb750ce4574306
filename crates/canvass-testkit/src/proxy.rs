//! A loopback TCP proxy in front of each simulator, so a fault can drop a
//! connection in the middle of a response body: something an HTTP mock
//! cannot do by itself.
//!
//! Bytes pass through untouched, except a response carrying the
//! [`DROP_MARKER`] header: the proxy forwards its header block and a few body
//! bytes, then closes both sides. When request jitter is switched on
//! ([`SimControl::set_request_jitter`](crate::SimControl::set_request_jitter)),
//! each chunk a client sends waits a random time before it is forwarded.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// The response header that asks the proxy to drop the connection.
pub const DROP_MARKER: &str = "x-canvass-sim-drop";

/// Body bytes forwarded before a dropped connection closes.
const BODY_BYTES_BEFORE_DROP: usize = 8;

/// A running proxy; stops when dropped.
pub(crate) struct Proxy {
    pub(crate) addr: SocketAddr,
    task: JoinHandle<()>,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Proxy {
    /// Listens on a free loopback port and forwards to `upstream`.
    /// `jitter_micros` is the largest delay added to each chunk a client
    /// sends (0: none), read afresh for every chunk.
    pub(crate) async fn start(
        upstream: SocketAddr,
        jitter_micros: Arc<AtomicU64>,
    ) -> std::io::Result<Proxy> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let jitter = jitter_micros.clone();
                tokio::spawn(async move {
                    if let Ok(server) = TcpStream::connect(upstream).await {
                        let _ = relay(client, server, jitter).await;
                    }
                });
            }
        });
        Ok(Proxy { addr, task })
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

async fn relay(
    client: TcpStream,
    server: TcpStream,
    jitter_micros: Arc<AtomicU64>,
) -> std::io::Result<()> {
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let (mut client_read, mut client_write) = client.into_split();
    let (mut server_read, mut server_write) = server.into_split();
    let upstream = async move {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = match client_read.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            let max = jitter_micros.load(Ordering::Relaxed);
            if max > 0 {
                let wait = rand::random_range(0..=max);
                tokio::time::sleep(Duration::from_micros(wait)).await;
            }
            if server_write.write_all(&buf[..n]).await.is_err() {
                break;
            }
        }
        let _ = server_write.shutdown().await;
    };
    let downstream = async move {
        let marker = DROP_MARKER.as_bytes();
        let mut buf = vec![0u8; 64 * 1024];
        // Bytes held back while a marked response's header block completes.
        let mut held: Vec<u8> = Vec::new();
        // Unsent tail of the previous chunk, so a marker split across two
        // reads is still found.
        let mut carry: Vec<u8> = Vec::new();
        loop {
            let n = match server_read.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            if !held.is_empty() {
                held.extend_from_slice(&buf[..n]);
            } else {
                let mut window = std::mem::take(&mut carry);
                let offset = window.len();
                window.extend_from_slice(&buf[..n]);
                if find(&window, marker).is_some() {
                    // The carry was already sent; hold from this chunk on.
                    held.extend_from_slice(&window[offset..]);
                    if let Some(cut) = find(&held, b"\r\n\r\n") {
                        let end = (cut + 4 + BODY_BYTES_BEFORE_DROP).min(held.len());
                        let _ = client_write.write_all(&held[..end]).await;
                        break;
                    }
                    continue;
                }
                client_write.write_all(&buf[..n]).await?;
                let keep = window.len().min(marker.len());
                carry = window[window.len() - keep..].to_vec();
                continue;
            }
            if let Some(cut) = find(&held, b"\r\n\r\n") {
                let end = (cut + 4 + BODY_BYTES_BEFORE_DROP).min(held.len());
                let _ = client_write.write_all(&held[..end]).await;
                break;
            }
        }
        let _ = client_write.shutdown().await;
        Ok::<(), std::io::Error>(())
    };
    tokio::select! {
        _ = upstream => Ok(()),
        r = downstream => r,
    }
}
