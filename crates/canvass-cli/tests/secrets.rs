//! No secret in any output: a database password in the warehouse URL and an
//! API key a vendor echoes in its error bodies never appear in anything
//! `canvass` prints (stdout, stderr, `--json`, `-vv` logs) or stores
//! (`sync_runs.report`, read back with `canvass export`).
//!
//! The run is what docs/benchmarks.md ("Secrets in output") describes: a full
//! `canvass check` + `sync` + `push van --dry-run` + `export` into PostgreSQL
//! with a password in the URL (SKIPPED, loudly, without
//! `CANVASS_TEST_POSTGRES_URL`), and the same commands against a warehouse
//! that cannot be reached (always runs).

use std::path::Path;
use std::process::{Command, Output};

use canvass_strive::simulator::{API_KEY, CAMPAIGN_ID, StriveSim};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

const PASSWORD: &str = "Wh-Pa55word-7c1e";
const ECHOED_KEY: &str = "echo-key-5f0a9d1b";

fn canvass(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_canvass"))
        .current_dir(dir)
        .args(args)
        .env_remove("CANVASS_CONFIG")
        .env_remove("CANVASS_LOG")
        .env("SECRETS_TEST_STRIVE_KEY", API_KEY)
        .env("SECRETS_TEST_ECHO_KEY", ECHOED_KEY)
        .output()
        .expect("run canvass")
}

/// A vendor that answers every request 401 and repeats the key it was sent
/// (as some do) in the body and a header.
async fn echoing_vendor() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(401)
                .insert_header("x-debug-key", ECHOED_KEY)
                .set_body_string(format!(
                    r#"{{"error":"Invalid API key {ECHOED_KEY}","message":"key {ECHOED_KEY} not recognised"}}"#
                )),
        )
        .mount(&server)
        .await;
    server
}

fn config(warehouse: &str, strive: &str, echo: &str) -> String {
    format!(
        r#"[warehouse]
url = "{warehouse}"

[sources.texting]
kind = "strive"
api_key_env = "SECRETS_TEST_STRIVE_KEY"
base_url = "{strive}"
campaign_id = {CAMPAIGN_ID}

[sources.echo]
kind = "strive"
api_key_env = "SECRETS_TEST_ECHO_KEY"
base_url = "{echo}"
campaign_id = {CAMPAIGN_ID}

[van_sync]

[[van_sync.targets]]
name = "state"
link_system = "van"
application_name = "canvass-secrets-test"
api_key_env = "SECRETS_TEST_ECHO_KEY"
base_url = "{echo}"
db_mode = "MyCampaign"
result_code_ids = {{ texted = 1006 }}
"#
    )
}

/// Runs every command with `-vv`, plain and `--json`; returns everything
/// printed, each command's exit status, and the names of the commands.
fn run_all(dir: &Path, commands: &[&[&str]]) -> (String, Vec<(String, Option<i32>)>) {
    let mut all = String::new();
    let mut statuses = Vec::new();
    for args in commands {
        for json in [false, true] {
            let mut full: Vec<&str> = vec!["-vv"];
            if json {
                full.push("--json");
            }
            full.extend_from_slice(args);
            let out = canvass(dir, &full);
            all.push_str(&String::from_utf8_lossy(&out.stdout));
            all.push_str(&String::from_utf8_lossy(&out.stderr));
            statuses.push((full.join(" "), out.status.code()));
        }
    }
    (all, statuses)
}

fn assert_no_secret(all: &str, runs: usize) {
    for (what, secret) in [
        ("warehouse password", PASSWORD),
        ("echoed API key", ECHOED_KEY),
        ("API key", API_KEY),
    ] {
        let found = all.matches(secret).count();
        eprintln!(
            "{what}: found {found} times in {} bytes of output from {runs} runs",
            all.len()
        );
        assert_eq!(found, 0, "{secret:?} appears {found} times in:\n{all}");
    }
}

const COMMANDS: &[&[&str]] = &[
    &["check"],
    &["sync"],
    &["push", "van", "--dry-run"],
    &["export", "--entity", "sync_runs", "--format", "ndjson"],
    &["export", "--entity", "sync_run_failures"],
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_warehouse_never_shows_its_password() {
    let strive = StriveSim::seeded(3, 5, 5).await;
    let echo = echoing_vendor().await;
    let dir = tempfile::tempdir().expect("dir");
    // Nothing listens on port 1.
    let warehouse = format!("postgres://canvass:{PASSWORD}@127.0.0.1:1/organizing?sslmode=disable");
    std::fs::write(
        dir.path().join("canvass.toml"),
        config(&warehouse, strive.base_url().as_str(), &echo.uri()),
    )
    .expect("write");
    let d = dir.path().to_path_buf();
    let (all, statuses) = tokio::task::spawn_blocking(move || run_all(&d, COMMANDS))
        .await
        .expect("join");
    for (command, status) in &statuses {
        assert_ne!(*status, Some(0), "{command} succeeded without a warehouse");
    }
    assert!(
        all.contains("postgres://canvass:***@127.0.0.1:1/organizing"),
        "the failure names the warehouse, password hidden:\n{all}"
    );
    assert_no_secret(&all, statuses.len());
    // tokio-postgres logs each statement's parameters (people's names and
    // emails) at debug; `-vv` keeps it at info.
    assert!(
        !all.contains("with parameters"),
        "statement parameters logged:\n{all}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_run_into_postgres_never_shows_a_secret() {
    let Ok(base) = std::env::var("CANVASS_TEST_POSTGRES_URL") else {
        eprintln!(
            "SKIPPED a_full_run_into_postgres_never_shows_a_secret: CANVASS_TEST_POSTGRES_URL \
             is not set (the failing-warehouse half runs on its own)"
        );
        return;
    };
    // The test server trusts loopback, so any password is accepted: the
    // point is that the one in the URL is never shown.
    let (scheme, rest) = base.split_once("://").expect("a URL");
    let (user, host) = rest
        .split_once('@')
        .expect("a user in CANVASS_TEST_POSTGRES_URL");
    let user = user.split(':').next().unwrap_or(user);
    let sep = if host.contains('?') { '&' } else { '?' };
    let warehouse = format!(
        "{scheme}://{user}:{PASSWORD}@{host}{sep}schema=cli_secrets_{}",
        std::process::id()
    );
    let strive = StriveSim::seeded(4, 20, 30).await;
    let echo = echoing_vendor().await;
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(
        dir.path().join("canvass.toml"),
        config(&warehouse, strive.base_url().as_str(), &echo.uri()),
    )
    .expect("write");
    let d = dir.path().to_path_buf();
    let (all, statuses) = tokio::task::spawn_blocking(move || run_all(&d, COMMANDS))
        .await
        .expect("join");
    let status = |prefix: &str| {
        statuses
            .iter()
            .filter(|(c, _)| c.ends_with(prefix))
            .map(|(_, s)| *s)
            .collect::<Vec<_>>()
    };
    // The echoing source fails (exit 3) while the good one is stored.
    assert_eq!(status(" check"), [Some(3), Some(3)], "{all}");
    assert_eq!(status(" sync"), [Some(3), Some(3)], "{all}");
    assert_eq!(status(" van --dry-run"), [Some(0), Some(0)], "{all}");
    assert_eq!(
        status("sync_runs --format ndjson"),
        [Some(0), Some(0)],
        "{all}"
    );
    assert!(
        all.contains("reachable, TLS"),
        "check reports the warehouse:\n{all}"
    );
    assert!(
        all.contains(":***@"),
        "the warehouse is named, password hidden:\n{all}"
    );
    // The stored run reports are in what was exported, with the echo's failure.
    assert!(all.contains("\"report\""), "sync_runs exported:\n{all}");
    assert!(
        all.contains("key [REDACTED] not recognised"),
        "the vendor's text, scrubbed:\n{all}"
    );
    assert_no_secret(&all, statuses.len());
    // tokio-postgres logs each statement's parameters (people's names and
    // emails) at debug; `-vv` keeps it at info.
    assert!(
        !all.contains("with parameters"),
        "statement parameters logged:\n{all}"
    );
}
