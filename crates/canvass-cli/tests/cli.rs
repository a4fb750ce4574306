//! The `canvass` binary as a user runs it: help, init, config errors, sync,
//! export, and exit statuses.

use std::path::Path;
use std::process::{Command, Output};

use canvass_strive::simulator::{API_KEY, CAMPAIGN_ID, StriveSim};

fn canvass(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_canvass"));
    cmd.current_dir(dir).args(args).env_remove("CANVASS_CONFIG");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run canvass")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn help_lists_every_command() {
    let dir = tempfile::tempdir().expect("dir");
    let out = canvass(dir.path(), &["--help"], &[]);
    assert!(out.status.success());
    let help = text(&out);
    for cmd in ["init", "check", "sync", "pull", "export", "report", "demo"] {
        assert!(help.contains(cmd), "{cmd} missing from:\n{help}");
    }
}

#[test]
fn init_writes_a_commented_config_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().expect("dir");
    let out = canvass(dir.path(), &["init"], &[]);
    assert!(out.status.success(), "{}", text(&out));
    let written = std::fs::read_to_string(dir.path().join("canvass.toml")).expect("written");
    assert!(written.contains("api_key_env = \"VAN_API_KEY\""));
    assert!(
        written.lines().filter(|l| l.starts_with('#')).count() > 10,
        "commented"
    );
    let again = canvass(dir.path(), &["init"], &[]);
    assert_eq!(again.status.code(), Some(2));
    assert!(text(&again).contains("--force"));
}

#[test]
fn config_errors_name_the_file_the_key_and_the_fix() {
    let dir = tempfile::tempdir().expect("dir");
    let cases: &[(&str, &[&str])] = &[
        (
            "[sources.x]\nkind = \"nope\"\n",
            &["sources.x", "unknown source kind `nope`", "van"],
        ),
        (
            "[sources.s]\nkind = \"strive\"\napi_key_env = \"UNSET_STRIVE_KEY_VAR\"\n",
            &["sources.s", "UNSET_STRIVE_KEY_VAR", "export"],
        ),
        (
            "[warehouse]\nurl = \"sqlite://x.db\"\n[sources.s\n",
            &["line 3"],
        ),
        (
            "[sources.m]\nkind = \"mobilize\"\norganization_id = 1\nbase_url = \"::\"\n",
            &["sources.m.base_url"],
        ),
    ];
    for (config, needles) in cases {
        std::fs::write(dir.path().join("canvass.toml"), config).expect("write");
        let out = canvass(dir.path(), &["check"], &[]);
        assert_eq!(out.status.code(), Some(2), "{}", text(&out));
        let shown = text(&out);
        assert!(shown.contains("canvass.toml"), "{shown}");
        for n in *needles {
            assert!(shown.contains(n), "{n:?} not in {shown}");
        }
    }
    let missing = canvass(dir.path(), &["--config", "nope.toml", "sync"], &[]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(text(&missing).contains("canvass init"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_then_export_against_a_simulator() {
    let sim = StriveSim::seeded(5, 30, 60).await;
    let dir = tempfile::tempdir().expect("dir");
    let config = format!(
        "[warehouse]\nurl = \"sqlite://{}\"\n\n[sources.texting]\nkind = \"strive\"\napi_key_env = \"CLI_TEST_STRIVE_KEY\"\nbase_url = \"{}\"\ncampaign_id = {CAMPAIGN_ID}\n",
        dir.path().join("w.db").display(),
        sim.base_url()
    );
    std::fs::write(dir.path().join("canvass.toml"), config).expect("write");
    let env = [("CLI_TEST_STRIVE_KEY", API_KEY)];
    let d = dir.path().to_path_buf();
    let out = tokio::task::spawn_blocking(move || canvass(&d, &["check"], &env))
        .await
        .expect("join");
    assert!(out.status.success(), "{}", text(&out));

    let d = dir.path().to_path_buf();
    let out = tokio::task::spawn_blocking(move || canvass(&d, &["sync", "--json"], &env))
        .await
        .expect("join");
    assert!(out.status.success(), "{}", text(&out));
    let report: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("json report on stdout");
    let people = report["sources"][0]["kinds"]
        .as_array()
        .and_then(|k| k.iter().find(|k| k["kind"] == "people"))
        .cloned()
        .expect("people counted");
    assert_eq!(people["read"], 30);
    assert_eq!(people["inserted"], 30);
    let shown = text(&out);
    assert!(!shown.contains(API_KEY), "the key never appears in output");

    // Re-running changes nothing.
    let d = dir.path().to_path_buf();
    let again = tokio::task::spawn_blocking(move || canvass(&d, &["sync", "--json"], &env))
        .await
        .expect("join");
    let report: serde_json::Value = serde_json::from_slice(&again.stdout).expect("json");
    let totals: u64 = report["sources"][0]["kinds"]
        .as_array()
        .map(|ks| {
            ks.iter()
                .map(|k| k["inserted"].as_u64().unwrap_or(0) + k["updated"].as_u64().unwrap_or(0))
                .sum()
        })
        .unwrap_or(0);
    assert_eq!(totals, 0, "{report}");

    let d = dir.path().to_path_buf();
    let out = tokio::task::spawn_blocking(move || {
        canvass(
            &d,
            &["export", "--entity", "people", "--format", "ndjson"],
            &[],
        )
    })
    .await
    .expect("join");
    assert!(out.status.success(), "{}", text(&out));
    let rows = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.starts_with('{'))
        .count();
    assert_eq!(rows, 30);

    // A wrong key: the source fails, the exit status says so, the key is not shown.
    let d = dir.path().to_path_buf();
    let bad = tokio::task::spawn_blocking(move || {
        canvass(
            &d,
            &["sync"],
            &[("CLI_TEST_STRIVE_KEY", "wrong-key-0xdeadbeef")],
        )
    })
    .await
    .expect("join");
    assert_eq!(bad.status.code(), Some(3), "{}", text(&bad));
    assert!(!text(&bad).contains("wrong-key-0xdeadbeef"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csv_exports_neutralize_formulas_unless_asked_not_to() {
    let sim = StriveSim::seeded(6, 3, 0).await;
    sim.push_row(
        "members",
        serde_json::json!({
            "id": 990001, "campaign_id": CAMPAIGN_ID, "phone_number": "+14145550199",
            "first_name": "=HYPERLINK(\"http://evil.example\",\"click\")",
            "last_name": "@SUM(A1)", "city": "-2+3", "state": "WI", "postal_code": "53703",
            "email": null, "notes": null, "additional_notes": null, "opt_in": true,
            "custom": {}, "created_at": "2026-01-01T00:00:00Z",
            "updated_at": "2026-01-01T00:00:00Z", "group": [], "carrier": null,
            "first_sub_id": null
        }),
    );
    let dir = tempfile::tempdir().expect("dir");
    let config = format!(
        "[warehouse]\nurl = \"sqlite://{}\"\n\n[sources.texting]\nkind = \"strive\"\napi_key_env = \"CLI_TEST_STRIVE_KEY\"\nbase_url = \"{}\"\ncampaign_id = {CAMPAIGN_ID}\n",
        dir.path().join("w.db").display(),
        sim.base_url()
    );
    std::fs::write(dir.path().join("canvass.toml"), config).expect("write");
    let d = dir.path().to_path_buf();
    let (sync, safe, raw) = tokio::task::spawn_blocking(move || {
        let env = [("CLI_TEST_STRIVE_KEY", API_KEY)];
        (
            canvass(&d, &["sync"], &env),
            canvass(&d, &["export", "--entity", "people"], &[]),
            canvass(
                &d,
                &["export", "--entity", "people", "--keep-formulas"],
                &[],
            ),
        )
    })
    .await
    .expect("join");
    assert!(sync.status.success(), "{}", text(&sync));
    let cells = |out: &Output| -> Vec<String> {
        let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
        reader
            .records()
            .flat_map(|r| {
                r.expect("csv row")
                    .iter()
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .collect()
    };
    let safe = cells(&safe);
    for cell in [
        "'=HYPERLINK(\"http://evil.example\",\"click\")",
        "'@SUM(A1)",
    ] {
        assert!(safe.iter().any(|c| c == cell), "{cell} not in {safe:?}");
    }
    assert!(
        !safe
            .iter()
            .any(|c| c.starts_with(['=', '+', '-', '@', '\t', '\r'])),
        "{safe:?}"
    );
    let raw = cells(&raw);
    assert!(
        raw.iter()
            .any(|c| c == "=HYPERLINK(\"http://evil.example\",\"click\")"),
        "{raw:?}"
    );
}

#[test]
fn export_accepts_only_the_documented_tables() {
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(
        dir.path().join("canvass.toml"),
        "[warehouse]\nurl = \"sqlite://w.db\"\n",
    )
    .expect("write");
    let out = canvass(dir.path(), &["export", "--entity", "sqlite_master"], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let shown = text(&out);
    for table in canvass_sync::EXPORT_TABLES {
        assert!(shown.contains(table), "{table} not listed in: {shown}");
    }
    assert!(!dir.path().join("w.db").exists(), "nothing was opened");

    // The list is the one docs/warehouse.md gives under "Exporting".
    let docs = include_str!("../../../docs/warehouse.md");
    let section = docs
        .split("## Exporting")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .expect("docs/warehouse.md has an Exporting section");
    let documented: Vec<&str> = section
        .lines()
        .filter_map(|l| l.strip_prefix("- `"))
        .filter_map(|l| l.split('`').next())
        .collect();
    assert_eq!(documented, canvass_sync::EXPORT_TABLES);
}
