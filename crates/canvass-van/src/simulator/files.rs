//! Files on loopback: the blob host serving exports and result files, the
//! blocking fetch the simulator uses to pull a bulk-import zip from the
//! caller's URL, and the [`LoopbackUploader`].

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use canvass_core::Error;
use url::Url;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::client::Uploader;

/// Files the blob host serves, by name.
pub(crate) type Files = Arc<Mutex<BTreeMap<String, Vec<u8>>>>;

struct Serve(Files);

impl Respond for Serve {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let name = req.url.path().trim_start_matches("/blob/");
        match self.0.lock().unwrap_or_else(|p| p.into_inner()).get(name) {
            Some(bytes) => ResponseTemplate::new(200).set_body_raw(bytes.clone(), "text/csv"),
            None => ResponseTemplate::new(404).set_body_string(format!("blob {name} not found")),
        }
    }
}

/// Starts the blob host: VAN serves job files from another host (Azure
/// blob storage), so the API's faults and rate limit do not apply here.
pub(crate) async fn start_blob_host(files: Files) -> MockServer {
    let server = MockServer::builder()
        .disable_request_recording()
        .start()
        .await;
    Mock::given(wiremock::matchers::method("GET"))
        .and(wiremock::matchers::path_regex("^/blob/"))
        .respond_with(Serve(files))
        .mount(&server)
        .await;
    server
}

/// GETs a loopback `http://` URL with a blocking socket (simulator handlers
/// are synchronous).
pub(crate) fn http_get_blocking(url: &str) -> Result<Vec<u8>, String> {
    let u = Url::parse(url).map_err(|e| format!("bad sourceUrl {url}: {e}"))?;
    if u.scheme() != "http" {
        return Err(format!(
            "the simulator fetches only http:// loopback URLs, not {}",
            u.scheme()
        ));
    }
    let host = u.host_str().ok_or("sourceUrl has no host")?;
    let port = u.port_or_known_default().unwrap_or(80);
    let mut stream = std::net::TcpStream::connect((host, port))
        .map_err(|e| format!("cannot reach {host}:{port}: {e}"))?;
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .map_err(|e| e.to_string())?;
    let path = match u.query() {
        Some(q) => format!("{}?{q}", u.path()),
        None => u.path().to_string(),
    };
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n"
    )
    .map_err(|e| e.to_string())?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).map_err(|e| e.to_string())?;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or("no HTTP header in the answer")?;
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let body = raw[split + 4..].to_vec();
    let status_ok = head
        .lines()
        .next()
        .is_some_and(|l| l.split_whitespace().nth(1) == Some("200"));
    if !status_ok {
        return Err(format!(
            "fetching the file answered {}",
            head.lines().next().unwrap_or_default()
        ));
    }
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        return Err("chunked answers are not supported by the simulator".into());
    }
    Ok(body)
}

/// Unzips the named file (or the only file) of a zip archive.
pub(crate) fn unzip(bytes: &[u8], name: &str) -> Result<Vec<u8>, String> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| format!("not a zip file: {e}"))?;
    let index = (0..archive.len())
        .find(|i| {
            archive
                .by_index(*i)
                .map(|f| f.name() == name)
                .unwrap_or(false)
        })
        .or_else(|| (archive.len() == 1).then_some(0))
        .ok_or_else(|| format!("the zip has no file named {name}"))?;
    let mut file = archive.by_index(index).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    file.read_to_end(&mut out).map_err(|e| e.to_string())?;
    Ok(out)
}

/// An [`Uploader`] that serves each uploaded file from its own loopback
/// server, for tests and the demo. Counts uploads.
pub struct LoopbackUploader {
    server: MockServer,
    uploads: AtomicU64,
}

impl std::fmt::Debug for LoopbackUploader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoopbackUploader")
            .field("uri", &self.server.uri())
            .finish()
    }
}

impl LoopbackUploader {
    /// Starts the server.
    pub async fn start() -> LoopbackUploader {
        LoopbackUploader {
            server: MockServer::builder()
                .disable_request_recording()
                .start()
                .await,
            uploads: AtomicU64::new(0),
        }
    }

    /// Files uploaded so far.
    pub fn uploads(&self) -> u64 {
        self.uploads.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl Uploader for LoopbackUploader {
    async fn upload(&self, file_name: &str, bytes: Vec<u8>) -> Result<Url, Error> {
        let n = self.uploads.fetch_add(1, Ordering::SeqCst) + 1;
        let safe: String = file_name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let path = format!("/uploads/{n}/{safe}");
        Mock::given(wiremock::matchers::method("GET"))
            .and(wiremock::matchers::path(path.as_str()))
            .respond_with(ResponseTemplate::new(200).set_body_raw(bytes, "application/zip"))
            .mount(&self.server)
            .await;
        Url::parse(&format!("{}{path}", self.server.uri()))
            .map_err(|e| Error::Config(e.to_string()))
    }
}
