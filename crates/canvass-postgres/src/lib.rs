//! # canvass-postgres
//!
//! Every PostgreSQL connection canvass opens (the warehouse, Spoke's
//! database) goes through [`PgConnector`], which adds what
//! `tokio-postgres` leaves to the caller:
//!
//! - **TLS with libpq's `sslmode`** over rustls on the ring provider (the
//!   same stack as the HTTP client): `disable`, `prefer`, `require`,
//!   `verify-ca` and `verify-full`, with `sslrootcert=PATH` for a custom CA
//!   (RDS, Cloud SQL, a self-signed server) or `sslrootcert=system` for the
//!   platform's roots;
//! - **a safe default**: `require` for any host that is not loopback,
//!   `prefer` for `localhost`, `127.0.0.0/8`, `::1` and Unix sockets;
//! - **no password in any message**: [`PgConnector::redacted_url`] and the
//!   [`Debug`](std::fmt::Debug) output hide it, and [`PgConnector::secrets`]
//!   lists what to scrub from server text.
//!
//! | `sslmode` | encrypted | certificate chain checked | host name checked |
//! |---|---|---|---|
//! | `disable` | no | no | no |
//! | `prefer` (`allow`) | when the server offers TLS | no | no |
//! | `require` | yes, or the connection is refused | only with `sslrootcert` | no |
//! | `verify-ca` | yes | yes | no |
//! | `verify-full` | yes | yes | yes |
//!
//! As in libpq, `require` alone protects against eavesdropping but not
//! against a server pretending to be yours; use `verify-full` (with
//! `sslrootcert` unless the server's certificate chains to a public root)
//! wherever that matters.
//!
//! ```
//! use canvass_postgres::{PgConnector, SslMode};
//! let db = PgConnector::new(
//!     "postgres://canvass:hunter2@db.example.org/organizing",
//! )?;
//! assert_eq!(db.ssl_mode(), SslMode::Require); // not loopback: TLS by default
//! assert_eq!(db.redacted_url(), "postgres://canvass:***@db.example.org/organizing");
//! assert!(!format!("{db:?}").contains("hunter2"));
//! # Ok::<(), canvass_postgres::PgConfigError>(())
//! ```

use std::fmt;
use std::net::IpAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio_postgres::config::Host;
use tokio_postgres::{Client, NoTls};
use tokio_postgres_rustls::MakeRustlsConnect;

use canvass_core::http::scrub;
use canvass_core::redact_url;

/// How a connection uses TLS: libpq's `sslmode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SslMode {
    /// Plain TCP, never TLS.
    Disable,
    /// TLS when the server offers it, plain otherwise; the certificate is
    /// not checked. libpq's `allow` reads as this (it is stricter).
    Prefer,
    /// TLS or no connection; the certificate is checked only against an
    /// explicit `sslrootcert`.
    Require,
    /// TLS with a certificate that chains to a trusted root, whatever host
    /// name it is for.
    VerifyCa,
    /// TLS with a certificate that chains to a trusted root and names the
    /// host connected to.
    VerifyFull,
}

impl SslMode {
    /// Every mode, in libpq's spelling order.
    pub const ALL: [SslMode; 5] = [
        SslMode::Disable,
        SslMode::Prefer,
        SslMode::Require,
        SslMode::VerifyCa,
        SslMode::VerifyFull,
    ];

    /// libpq's spelling: `disable`, `prefer`, `require`, `verify-ca`,
    /// `verify-full`.
    pub fn as_str(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        }
    }
}

impl fmt::Display for SslMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SslMode {
    type Err = PgConfigError;

    fn from_str(s: &str) -> Result<SslMode, PgConfigError> {
        match s {
            "allow" => Ok(SslMode::Prefer),
            _ => SslMode::ALL
                .into_iter()
                .find(|m| m.as_str() == s)
                .ok_or_else(|| PgConfigError::SslMode(s.to_string())),
        }
    }
}

/// A connection string canvass cannot use. Messages never repeat a password.
#[derive(Debug, thiserror::Error)]
pub enum PgConfigError {
    /// The URL or key=value string does not parse.
    #[error("the PostgreSQL connection string {url} does not parse: {message}")]
    Invalid {
        /// The connection string, password hidden.
        url: String,
        /// What is wrong with it.
        message: String,
    },
    /// `sslmode` names no known mode.
    #[error("sslmode `{0}` is not one of disable, allow, prefer, require, verify-ca, verify-full")]
    SslMode(String),
    /// `sslrootcert` cannot be read or holds no certificate.
    #[error("sslrootcert {path}: {message}")]
    RootCert {
        /// The file named.
        path: PathBuf,
        /// Why it is unusable.
        message: String,
    },
    /// The TLS configuration could not be built (no platform roots, say).
    #[error("TLS set-up: {0}")]
    Tls(String),
}

/// Where the server's certificate must chain to.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Roots {
    /// The platform's trust store (`sslrootcert=system`, or verify-* with
    /// no `sslrootcert`).
    System,
    /// The CA certificates in this PEM file.
    File(PathBuf),
}

/// One PostgreSQL server to connect to, with its TLS policy, ready to open
/// as many clients as the caller needs.
#[derive(Clone)]
pub struct PgConnector {
    config: tokio_postgres::Config,
    mode: SslMode,
    tls: Option<MakeRustlsConnect>,
    redacted: String,
    secrets: Vec<String>,
}

impl fmt::Debug for PgConnector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PgConnector")
            .field("url", &self.redacted)
            .field("sslmode", &self.mode)
            .finish_non_exhaustive()
    }
}

impl PgConnector {
    /// Parses a `postgres://` URL or a libpq key=value string, reads
    /// `sslmode` and `sslrootcert` (and nothing else beyond what
    /// tokio-postgres reads), and builds the TLS configuration. Nothing
    /// connects yet.
    ///
    /// # Errors
    /// [`PgConfigError`] for a string that does not parse, an unknown
    /// `sslmode`, or an unreadable `sslrootcert`.
    pub fn new(url: &str) -> Result<PgConnector, PgConfigError> {
        let redacted = redact_url(url);
        let split = split_tls_options(url);
        let mut config =
            tokio_postgres::Config::from_str(&split.rest).map_err(|e| PgConfigError::Invalid {
                url: redacted.clone(),
                message: scrub(&e.to_string(), [url]),
            })?;
        let mut secrets = vec![url.to_string()];
        if let Some(p) = config.get_password() {
            secrets.push(String::from_utf8_lossy(p).into_owned());
        }
        let mode = match split.sslmode.as_deref() {
            Some(m) => m.parse()?,
            None if is_loopback(&config) => SslMode::Prefer,
            None => SslMode::Require,
        };
        let roots = match split.sslrootcert.as_deref() {
            None | Some("") => None,
            Some("system") => Some(Roots::System),
            Some(path) => Some(Roots::File(PathBuf::from(path))),
        };
        let tls = match mode {
            SslMode::Disable => None,
            _ => Some(MakeRustlsConnect::new(client_config(mode, roots.as_ref())?)),
        };
        config.ssl_mode(match mode {
            SslMode::Disable => tokio_postgres::config::SslMode::Disable,
            SslMode::Prefer => tokio_postgres::config::SslMode::Prefer,
            _ => tokio_postgres::config::SslMode::Require,
        });
        Ok(PgConnector {
            config,
            mode,
            tls,
            redacted,
            secrets,
        })
    }

    /// The TLS mode in force (the URL's `sslmode`, or the default for its
    /// host).
    pub fn ssl_mode(&self) -> SslMode {
        self.mode
    }

    /// The parsed tokio-postgres configuration (hosts, user, database).
    pub fn config(&self) -> &tokio_postgres::Config {
        &self.config
    }

    /// The connection string with its password replaced by `***`: what to
    /// print when saying which database failed.
    pub fn redacted_url(&self) -> &str {
        &self.redacted
    }

    /// The connection string and its password, for
    /// [`scrub`](canvass_core::http::scrub)bing server messages.
    pub fn secrets(&self) -> &[String] {
        &self.secrets
    }

    /// Opens a client. Its connection runs on a task of its own, which ends
    /// (with a debug log) when the client is dropped or the server goes.
    ///
    /// # Errors
    /// The server cannot be reached, refuses TLS under `require` or
    /// stricter, presents a certificate the mode rejects, or refuses the
    /// credentials.
    pub async fn connect(&self) -> Result<Client, tokio_postgres::Error> {
        match &self.tls {
            None => {
                let (client, connection) = self.config.connect(NoTls).await?;
                tokio::spawn(async move {
                    if let Err(e) = connection.await {
                        tracing::debug!(error = %e, "postgres connection ended");
                    }
                });
                Ok(client)
            }
            Some(tls) => {
                let (client, connection) = self.config.connect(tls.clone()).await?;
                tokio::spawn(async move {
                    if let Err(e) = connection.await {
                        tracing::debug!(error = %e, "postgres connection ended");
                    }
                });
                Ok(client)
            }
        }
    }

    /// `e` with its whole chain of causes, secrets scrubbed: the text to
    /// show for a failed connection or statement.
    pub fn describe(&self, e: &tokio_postgres::Error) -> String {
        let mut message = e.to_string();
        let mut source = std::error::Error::source(e);
        while let Some(s) = source {
            let s_text = s.to_string();
            if !message.contains(&s_text) {
                message.push_str(": ");
                message.push_str(&s_text);
            }
            source = s.source();
        }
        scrub(&message, &self.secrets)
    }
}

/// Whether every host of `config` is this machine.
fn is_loopback(config: &tokio_postgres::Config) -> bool {
    config.get_hosts().iter().all(|h| match h {
        Host::Tcp(name) => {
            let name = name.trim_start_matches('[').trim_end_matches(']');
            name.eq_ignore_ascii_case("localhost")
                || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
        }
        #[cfg(unix)]
        Host::Unix(_) => true,
    }) && config.get_hostaddrs().iter().all(IpAddr::is_loopback)
}

/// A connection string with the options canvass handles itself taken out.
#[derive(Debug, PartialEq, Eq)]
struct SplitOptions {
    /// What tokio-postgres parses.
    rest: String,
    sslmode: Option<String>,
    sslrootcert: Option<String>,
}

const OWN_OPTIONS: [&str; 2] = ["sslmode", "sslrootcert"];

/// Takes `sslmode` and `sslrootcert` out of a URL's query or a key=value
/// string (tokio-postgres knows neither `verify-*` nor `sslrootcert`).
fn split_tls_options(url: &str) -> SplitOptions {
    let mut sslmode = None;
    let mut sslrootcert = None;
    let mut take = |key: &str, value: String| match key {
        "sslmode" => sslmode = Some(value),
        _ => sslrootcert = Some(value),
    };
    let rest = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        match url.split_once('?') {
            None => url.to_string(),
            Some((base, query)) => {
                let kept: Vec<&str> = query
                    .split('&')
                    .filter(|pair| {
                        let decoded = url::form_urlencoded::parse(pair.as_bytes()).next();
                        match decoded {
                            Some((k, v)) if OWN_OPTIONS.contains(&k.as_ref()) => {
                                take(&k, v.into_owned());
                                false
                            }
                            _ => true,
                        }
                    })
                    .collect();
                if kept.is_empty() {
                    base.to_string()
                } else {
                    format!("{base}?{}", kept.join("&"))
                }
            }
        }
    } else {
        let mut kept = Vec::new();
        for (key, raw, value) in key_values(url) {
            if OWN_OPTIONS.contains(&key) {
                take(key, value);
            } else {
                kept.push(raw);
            }
        }
        kept.join(" ")
    };
    SplitOptions {
        rest,
        sslmode,
        sslrootcert,
    }
}

/// The pairs of a libpq key=value string: key, the pair's text as written,
/// and the unquoted value. Text that is not a pair is kept as written (with
/// an empty key) so tokio-postgres reports it.
fn key_values(s: &str) -> Vec<(&str, &str, String)> {
    let mut out = Vec::new();
    let mut rest = s.trim_start();
    while !rest.is_empty() {
        let start = rest;
        let Some(eq) = rest.find('=') else {
            out.push(("", rest, String::new()));
            break;
        };
        let key = rest[..eq].trim();
        if key.contains(char::is_whitespace) {
            // Not `key=value`: hand the rest to tokio-postgres as it is.
            out.push(("", rest, String::new()));
            break;
        }
        rest = rest[eq + 1..].trim_start();
        let mut value = String::new();
        let mut len = 0;
        if let Some(quoted) = rest.strip_prefix('\'') {
            len += 1;
            let mut escaped = false;
            for c in quoted.chars() {
                len += c.len_utf8();
                match c {
                    '\\' if !escaped => escaped = true,
                    '\'' if !escaped => break,
                    c => {
                        value.push(c);
                        escaped = false;
                    }
                }
            }
        } else {
            len = rest.find(char::is_whitespace).unwrap_or(rest.len());
            value.push_str(&rest[..len]);
        }
        let consumed = start.len() - rest.len() + len.min(rest.len());
        out.push((key, &start[..consumed], value));
        rest = start[consumed..].trim_start();
    }
    out
}

/// The rustls configuration for `mode`.
fn client_config(
    mode: SslMode,
    roots: Option<&Roots>,
) -> Result<rustls::ClientConfig, PgConfigError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier: Arc<dyn ServerCertVerifier> = match (mode, roots) {
        (SslMode::Disable | SslMode::Prefer | SslMode::Require, None)
        | (SslMode::Disable | SslMode::Prefer, Some(_)) => Arc::new(EncryptOnly {
            provider: provider.clone(),
        }),
        // libpq: `require` with a root certificate checks the chain.
        (SslMode::Require | SslMode::VerifyCa, roots) => Arc::new(AnyHostName {
            inner: chain_verifier(roots.unwrap_or(&Roots::System), &provider)?,
        }),
        (SslMode::VerifyFull, roots) => chain_verifier(roots.unwrap_or(&Roots::System), &provider)?,
    };
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| PgConfigError::Tls(e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth())
}

/// A verifier of the certificate chain and host name against `roots`.
fn chain_verifier(
    roots: &Roots,
    provider: &Arc<CryptoProvider>,
) -> Result<Arc<dyn ServerCertVerifier>, PgConfigError> {
    match roots {
        Roots::System => Ok(Arc::new(
            rustls_platform_verifier::Verifier::new(provider.clone()).map_err(|e| {
                PgConfigError::Tls(format!("the platform's root certificates: {e}"))
            })?,
        )),
        Roots::File(path) => {
            let unusable = |message: String| PgConfigError::RootCert {
                path: path.clone(),
                message,
            };
            let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
                .map_err(|e| unusable(e.to_string()))?
                .collect::<Result<_, _>>()
                .map_err(|e| unusable(e.to_string()))?;
            let mut store = RootCertStore::empty();
            let (added, _ignored) = store.add_parsable_certificates(certs);
            if added == 0 {
                return Err(unusable("no usable PEM certificate in the file".into()));
            }
            rustls::client::WebPkiServerVerifier::builder_with_provider(
                Arc::new(store),
                provider.clone(),
            )
            .build()
            .map(|v| v as Arc<dyn ServerCertVerifier>)
            .map_err(|e| unusable(e.to_string()))
        }
    }
}

/// `prefer` and `require`: the connection is encrypted, the handshake's
/// signatures are checked, the certificate itself is not (libpq's
/// behaviour; see the crate docs).
#[derive(Debug)]
struct EncryptOnly {
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for EncryptOnly {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// `verify-ca`: the chain must verify; a certificate for another host name
/// is accepted.
#[derive(Debug)]
struct AnyHostName {
    inner: Arc<dyn ServerCertVerifier>,
}

impl ServerCertVerifier for AnyHostName {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self.inner.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        ) {
            // The chain is checked before the name, so a name error means
            // the chain was good.
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn non_loopback_hosts_default_to_require_and_loopback_to_prefer() {
        let cases = [
            ("postgres://u@db.example.org/d", SslMode::Require),
            ("postgres://u@10.0.0.5:5432/d", SslMode::Require),
            ("postgres://u@localhost/d", SslMode::Prefer),
            ("postgres://u@127.0.0.1:5432/d", SslMode::Prefer),
            ("postgres://u@[::1]:5432/d", SslMode::Prefer),
            ("postgres://u@localhost,db.example.org/d", SslMode::Require),
            ("host=/var/run/postgresql user=u", SslMode::Prefer),
            ("host=db.example.org user=u", SslMode::Require),
            (
                "postgres://u@db.example.org/d?sslmode=disable",
                SslMode::Disable,
            ),
            (
                "postgres://u@localhost/d?sslmode=verify-full",
                SslMode::VerifyFull,
            ),
            ("postgres://u@localhost/d?sslmode=allow", SslMode::Prefer),
            ("host=localhost sslmode=verify-ca user=u", SslMode::VerifyCa),
        ];
        for (url, want) in cases {
            let db = PgConnector::new(url).expect(url);
            assert_eq!(db.ssl_mode(), want, "{url}");
        }
    }

    #[test]
    fn tls_options_are_taken_out_and_the_rest_kept() {
        let split = split_tls_options(
            "postgres://u:p@h/d?application_name=x&sslmode=verify-full&sslrootcert=%2Ftmp%2Fca%20file.pem&connect_timeout=5",
        );
        assert_eq!(
            split,
            SplitOptions {
                rest: "postgres://u:p@h/d?application_name=x&connect_timeout=5".into(),
                sslmode: Some("verify-full".into()),
                sslrootcert: Some("/tmp/ca file.pem".into()),
            }
        );
        let split = split_tls_options(
            "host=h  sslrootcert='/tmp/my \\'ca\\'.pem' user=u sslmode = verify-ca dbname=d",
        );
        assert_eq!(
            split,
            SplitOptions {
                rest: "host=h user=u dbname=d".into(),
                sslmode: Some("verify-ca".into()),
                sslrootcert: Some("/tmp/my 'ca'.pem".into()),
            }
        );
        let db = PgConnector::new("host=h user=u dbname=d sslmode=disable").expect("parses");
        assert_eq!(db.config().get_dbname(), Some("d"));
        assert_eq!(db.config().get_user(), Some("u"));
    }

    #[test]
    fn bad_options_are_clear_errors_without_the_password() {
        let err = PgConnector::new("postgres://u:hunter22@h/d?sslmode=verify-everything")
            .expect_err("unknown mode");
        assert!(err.to_string().contains("verify-everything"), "{err}");
        assert!(err.to_string().contains("verify-full"), "{err}");

        let err = PgConnector::new(
            "postgres://u:hunter22@h/d?sslmode=verify-full&sslrootcert=/nonexistent/ca.pem",
        )
        .expect_err("missing CA file");
        let shown = err.to_string();
        assert!(shown.contains("/nonexistent/ca.pem"), "{shown}");
        assert!(!shown.contains("hunter22"), "{shown}");

        let err = PgConnector::new("postgres://u:hunter22@h:notaport/d").expect_err("bad port");
        let shown = err.to_string();
        assert!(shown.contains("u:***@h"), "{shown}");
        assert!(!shown.contains("hunter22"), "{shown}");
    }

    #[test]
    fn a_file_without_certificates_is_refused_by_name() {
        let dir = std::env::temp_dir().join(format!("canvass-pg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("empty.pem");
        std::fs::write(&path, "not a certificate\n").expect("write");
        let err = PgConnector::new(&format!(
            "postgres://u@h/d?sslmode=verify-full&sslrootcert={}",
            path.display()
        ))
        .expect_err("no certificate");
        assert!(err.to_string().contains("empty.pem"), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    proptest! {
        /// Whatever the password, neither Debug, the redacted URL nor a
        /// parse error shows it.
        #[test]
        fn the_password_never_shows(password in "[A-Za-z0-9_~.-]{6,20}", port in "[a-z]{0,3}") {
            prop_assume!(!"postgres://canvass@db.example.org/organizing?sslmode=require".contains(&password));
            let url = format!("postgres://canvass:{password}@db.example.org:5432{port}/organizing?sslmode=require");
            match PgConnector::new(&url) {
                Ok(db) => {
                    let debug = format!("{db:?}");
                    prop_assert!(!debug.contains(&password), "{}", debug);
                    prop_assert!(!db.redacted_url().contains(&password));
                    prop_assert!(db.secrets().contains(&password));
                }
                Err(e) => prop_assert!(!e.to_string().contains(&password), "{e}"),
            }
        }
    }
}
