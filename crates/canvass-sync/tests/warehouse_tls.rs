//! The PostgreSQL warehouse over TLS, against the cluster `.ci/postgres-tls.sh`
//! starts (a certificate for `localhost` only). SKIPPED, loudly, when
//! `CANVASS_TEST_POSTGRES_TLS_URL` and `CANVASS_TEST_POSTGRES_TLS_CA` are unset.

use canvass_sync::{SyncError, open_warehouse};

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_warehouse_migrates_and_streams_over_verified_tls() {
    let Some((url, ca)) = tls_server("the_warehouse_migrates_and_streams_over_verified_tls") else {
        return;
    };
    let schema = format!("tls_{}", std::process::id());
    let url = format!("{url}?sslmode=verify-full&sslrootcert={ca}&schema={schema}");
    let warehouse = open_warehouse(&url).await.expect("opens over TLS");
    // Exports read on connections of their own: they go through TLS too.
    use futures::StreamExt;
    let rows: Vec<_> = warehouse.export("people").collect().await;
    assert!(rows.iter().all(Result::is_ok), "{rows:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_certificate_is_a_connect_error_without_the_password() {
    let Some((url, ca)) =
        tls_server("a_refused_certificate_is_a_connect_error_without_the_password")
    else {
        return;
    };
    let password = "Warehouse-Pa55word-9";
    let url = url.replacen("@localhost", "@127.0.0.1", 1).replacen(
        "postgres@",
        &format!("postgres:{password}@"),
        1,
    );
    let url = format!("{url}?sslmode=verify-full&sslrootcert={ca}");
    let err = match open_warehouse(&url).await {
        Ok(_) => panic!("a certificate for localhost accepted for 127.0.0.1"),
        Err(e) => e,
    };
    assert!(matches!(err, SyncError::Connect(_)), "{err:?}");
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains(password), "{shown}");
    assert!(shown.contains("postgres:***@127.0.0.1"), "{shown}");
    assert!(shown.contains("not valid for name"), "{shown}");
}
