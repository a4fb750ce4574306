//! Every `sslmode` against real servers: the TLS cluster `.ci/postgres-tls.sh`
//! starts (a certificate for `localhost` only, from a CA of its own) and the
//! machine's plain PostgreSQL.
//!
//! Needs `CANVASS_TEST_POSTGRES_TLS_URL` and `CANVASS_TEST_POSTGRES_TLS_CA`
//! (printed by `.ci/postgres-tls.sh`) and `CANVASS_TEST_POSTGRES_URL`;
//! each test says SKIPPED when its variable is unset.

use canvass_postgres::{PgConnector, SslMode};

/// The TLS server's URL (host `localhost`) and CA file, or `None` (said loudly).
fn tls_server(test: &str) -> Option<(String, String)> {
    match (
        std::env::var("CANVASS_TEST_POSTGRES_TLS_URL"),
        std::env::var("CANVASS_TEST_POSTGRES_TLS_CA"),
    ) {
        (Ok(url), Ok(ca)) => Some((url, ca)),
        _ => {
            eprintln!(
                "SKIPPED {test}: set CANVASS_TEST_POSTGRES_TLS_URL and CANVASS_TEST_POSTGRES_TLS_CA \
                 (bash .ci/postgres-tls.sh prints them)"
            );
            None
        }
    }
}

/// `url` with `extra` query parameters.
fn with(url: &str, extra: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{extra}")
}

/// Whether the client's session is encrypted, as the server sees it.
async fn encrypted(db: &PgConnector) -> bool {
    let client = db.connect().await.expect("connects");
    let row = client
        .query_one(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
        )
        .await
        .expect("pg_stat_ssl");
    row.get(0)
}

#[tokio::test]
async fn every_mode_against_a_tls_server() {
    let Some((url, ca)) = tls_server("every_mode_against_a_tls_server") else {
        return;
    };
    let cases = [
        ("sslmode=disable", false),
        ("sslmode=prefer", true),
        ("sslmode=require", true),
        (&*format!("sslmode=require&sslrootcert={ca}"), true),
        (&*format!("sslmode=verify-ca&sslrootcert={ca}"), true),
        (&*format!("sslmode=verify-full&sslrootcert={ca}"), true),
    ];
    for (options, want) in cases {
        let db = PgConnector::new(&with(&url, options)).expect(options);
        assert_eq!(encrypted(&db).await, want, "{options}");
    }
}

#[tokio::test]
async fn verify_full_refuses_a_certificate_for_another_host() {
    let Some((url, ca)) = tls_server("verify_full_refuses_a_certificate_for_another_host") else {
        return;
    };
    // The server's certificate names `localhost`; 127.0.0.1 is the same
    // server under a name the certificate does not carry.
    let by_ip = url.replacen("@localhost", "@127.0.0.1", 1);
    assert_ne!(by_ip, url, "the TLS URL names localhost");
    let db = PgConnector::new(&with(
        &by_ip,
        &format!("sslmode=verify-full&sslrootcert={ca}"),
    ))
    .expect("parses");
    let err = db.connect().await.expect_err("wrong host name refused");
    let shown = db.describe(&err);
    assert!(
        shown.contains("NotValidForName") || shown.contains("not valid for name"),
        "{shown}"
    );
    // verify-ca does not check the name: the same address is accepted.
    let db = PgConnector::new(&with(
        &by_ip,
        &format!("sslmode=verify-ca&sslrootcert={ca}"),
    ))
    .expect("parses");
    assert!(encrypted(&db).await);
}

#[tokio::test]
async fn verify_full_refuses_a_certificate_from_an_untrusted_ca() {
    let Some((url, _ca)) = tls_server("verify_full_refuses_a_certificate_from_an_untrusted_ca")
    else {
        return;
    };
    // The platform's roots do not include the test CA.
    for options in [
        "sslmode=verify-full",
        "sslmode=verify-ca&sslrootcert=system",
    ] {
        let db = PgConnector::new(&with(&url, options)).expect("parses");
        let err = db.connect().await.expect_err(options);
        let shown = db.describe(&err);
        assert!(
            shown.to_lowercase().contains("issuer") || shown.contains("UnknownIssuer"),
            "{options}: {shown}"
        );
    }
}

/// A server that answers every SSLRequest with `N` (no TLS here), as a
/// PostgreSQL built without TLS does, then hangs up. Returns its port.
async fn server_without_tls() -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut request = [0u8; 8];
            if socket.read_exact(&mut request).await.is_ok() {
                let _ = socket.write_all(b"N").await;
            }
        }
    });
    port
}

#[tokio::test]
async fn require_refuses_a_server_that_offers_no_tls() {
    let port = server_without_tls().await;
    for url in [
        format!("postgres://canvass:Pa55-never-sent@127.0.0.1:{port}/d?sslmode=require"),
        format!("postgres://canvass:Pa55-never-sent@127.0.0.1:{port}/d?sslmode=verify-full"),
    ] {
        let db = PgConnector::new(&url).expect("parses");
        let err = db.connect().await.expect_err("no TLS offered");
        let shown = db.describe(&err);
        assert!(shown.contains("TLS"), "{shown}");
        assert!(!shown.contains("Pa55-never-sent"), "{shown}");
    }
}

#[tokio::test]
async fn prefer_uses_tls_when_offered_and_disable_never_does() {
    let Ok(plain) = std::env::var("CANVASS_TEST_POSTGRES_URL") else {
        eprintln!(
            "SKIPPED prefer_uses_tls_when_offered_and_disable_never_does: \
             set CANVASS_TEST_POSTGRES_URL"
        );
        return;
    };
    // The machine's server on loopback: `prefer` by default.
    let db = PgConnector::new(&plain).expect("parses");
    assert_eq!(db.ssl_mode(), SslMode::Prefer);
    let offered: bool = {
        let client = db.connect().await.expect("connects");
        let row = client.query_one("SHOW ssl", &[]).await.expect("show ssl");
        row.get::<_, String>(0) == "on"
    };
    assert_eq!(encrypted(&db).await, offered);
    let db = PgConnector::new(&with(&plain, "sslmode=disable")).expect("parses");
    assert!(!encrypted(&db).await);
}

#[tokio::test]
async fn a_password_in_the_url_never_reaches_an_error() {
    let Some((url, _ca)) = tls_server("a_password_in_the_url_never_reaches_an_error") else {
        return;
    };
    let password = "Tls-Test-Pa55word";
    let with_password = url.replacen("postgres@", &format!("postgres:{password}@"), 1);
    // A database that does not exist, then a port nothing listens on.
    let (server, _database) = with_password
        .rsplit_once('/')
        .expect("a database in the URL");
    let host_only = server.rsplit_once(':').map_or(server, |(host, _)| host);
    for target in [
        format!("{server}/no_such_database_here"),
        format!("{host_only}:1/postgres"),
    ] {
        let db = PgConnector::new(&with(&target, "sslmode=require")).expect("parses");
        let err = db.connect().await.expect_err("fails");
        let shown = format!("{} {:?} {}", db.describe(&err), db, db.redacted_url());
        assert!(!shown.contains(password), "{shown}");
        assert!(db.redacted_url().contains("postgres:***@"), "{shown}");
    }
}
