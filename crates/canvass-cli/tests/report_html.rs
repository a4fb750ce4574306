//! `canvass report --html`: two syncs of a messy CSV sign-in sheet through
//! the binary, the page rendered in headless Chromium (Debian's `chromium`;
//! `.ci/run` installs it), its text checked, and no console message.
//!
//! Chromium missing is a test failure, not a skip: the page is only known
//! to render if a browser rendered it.

use std::path::Path;
use std::process::{Command, Output};

fn canvass(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_canvass"))
        .current_dir(dir)
        .args(args)
        .env_remove("CANVASS_CONFIG")
        .output()
        .expect("run canvass")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The page as Chromium's DOM after loading, and the console lines it logged.
fn render_in_chromium(page: &Path, profile: &Path) -> (String, Vec<String>) {
    let out = Command::new("chromium")
        .args([
            "--headless",
            "--disable-gpu",
            "--no-sandbox",
            "--enable-logging=stderr",
            "--v=0",
            &format!("--user-data-dir={}", profile.display()),
            "--dump-dom",
            &format!("file://{}", page.display()),
        ])
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run chromium ({e}): install it with `apt-get install -y chromium` (.ci/run does)"
            )
        });
    assert!(out.status.success(), "chromium failed: {}", text(&out));
    let console = String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(String::from)
        .collect();
    (String::from_utf8_lossy(&out.stdout).into_owned(), console)
}

/// Text content of an HTML document: tags dropped, entities of the page's escaper decoded.
fn page_text(dom: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in dom.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    let out = out.split_whitespace().collect::<Vec<_>>().join(" ");
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

const SHEET: &[u8] = b"Name,Email,Cell,Tags\r\n\
Jos\xe9 N\xfa\xf1ez,jose@example.org,(414) 202-0792,Volunteer\r\n\
Ana Garc\xeda,ana@example.org,414-202-0793,Volunteer;Donor\r\n\
Bad,Row,Has,Too,Many,Fields\r\n\
Mei Kim,<script>alert(1)</script>,,\r\n";

#[test]
fn the_html_report_renders_in_chromium_with_its_counts_and_failures() {
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(dir.path().join("sheet.csv"), SHEET).expect("sheet");
    std::fs::write(
        dir.path().join("canvass.toml"),
        r#"[warehouse]
url = "sqlite://w.db"

[sources.signins]
kind = "csv"
path = "sheet.csv"
system = "signins"
entity = "attendances"
event = "Canvass launch"

[sources.signins.columns]
"Name" = "full_name"
"Email" = "email"
"Cell" = "mobile_phone"
"Tags" = "tags"
"#,
    )
    .expect("config");
    // The bad row makes the run partial: exit status 3, the rest stored.
    let first = canvass(dir.path(), &["sync"]);
    assert_eq!(first.status.code(), Some(3), "{}", text(&first));
    // A second run after the sheet grew: the chart has two points.
    let mut grown = SHEET.to_vec();
    grown.extend_from_slice(b"Luis Kim,luis@example.org,414 202 0794,\r\n");
    std::fs::write(dir.path().join("sheet.csv"), grown).expect("sheet");
    let second = canvass(dir.path(), &["sync"]);
    assert_eq!(second.status.code(), Some(3), "{}", text(&second));

    let out = canvass(
        dir.path(),
        &["report", "--html", "report.html", "--runs", "5"],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("run 2 and the 1 runs before it"),
        "{}",
        text(&out)
    );
    let html = std::fs::read_to_string(dir.path().join("report.html")).expect("written");
    // Self-contained: no script, no fetched resource (the SVG namespace is
    // an identifier, not a request).
    assert!(!html.contains("<script"), "unescaped text reached the page");
    assert!(!html.contains(" src=") && !html.contains(" href=") && !html.contains("url("));
    assert_eq!(html.matches("http").count(), 1, "only the SVG namespace");

    let (dom, console) =
        render_in_chromium(&dir.path().join("report.html"), &dir.path().join("profile"));
    assert!(console.is_empty(), "console messages: {console:#?}");
    let page = page_text(&dom);
    for want in [
        "canvass run report",
        "Run 2 finished with failures",
        "signins",
        "attendances",
        "Failures (1 left out",
        "sheet.csv line 4: 6 fields where the header has 4; row left out",
        "not a valid email address: \"<script>alert(1)</script>\"",
        "Identity",
        "people in",
        "real people out",
        "links per rule",
        "Records per source over the last 2 runs",
        "run 1",
        "run 2",
        "Nothing pushed into VAN yet",
    ] {
        assert!(
            page.contains(want),
            "{want:?} missing from the rendered page:\n{page}"
        );
    }
    // The chart is drawn: one line (one source), a point per run.
    assert_eq!(dom.matches("<polyline").count(), 1);
    assert_eq!(dom.matches("<circle").count(), 2);
}

#[test]
fn the_console_check_catches_a_console_message() {
    // The check above is only worth something if it sees console output.
    let dir = tempfile::tempdir().expect("dir");
    let page = dir.path().join("canary.html");
    std::fs::write(
        &page,
        "<!DOCTYPE html><html><body><script>console.error('canary')</script></body></html>",
    )
    .expect("page");
    let (_, console) = render_in_chromium(&page, &dir.path().join("profile"));
    assert!(console.iter().any(|l| l.contains("canary")), "{console:?}");
}
