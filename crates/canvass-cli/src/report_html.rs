//! `canvass report --html FILE`: one self-contained HTML page of the last
//! sync run and the runs before it, to share with people who will not read
//! a terminal table.
//!
//! The page has inline CSS and an inline SVG chart, no script and no
//! network reference, so it opens anywhere (an email attachment, a shared
//! drive). Every text from the warehouse is HTML-escaped. It is built from
//! the warehouse alone: the `sync_runs` reports, `identity_links` (links per
//! match rule) and `push_ledger` (VAN writes per rule and status).

use std::collections::BTreeMap;
use std::fmt::Write;

use canvass_sync::{RunReport, Warehouse};
use futures::TryStreamExt;

/// Everything the page shows.
#[derive(Debug, Clone, Default)]
pub struct ReportData {
    /// Finished runs, oldest first; the last is the one the page is about.
    pub runs: Vec<RunReport>,
    /// Identity links per match rule (`"(first record)"` for a cluster's seed).
    pub links_per_rule: BTreeMap<String, u64>,
    /// Push-ledger entries per rule, then per status (`written`, `failed`, …).
    pub pushes: BTreeMap<String, BTreeMap<String, u64>>,
}

fn text_of(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
}

impl ReportData {
    /// Reads the last `runs` finished runs and the identity and push tables.
    ///
    /// # Errors
    /// The warehouse's error, or a run report that does not decode.
    pub async fn load(warehouse: &dyn Warehouse, runs: usize) -> Result<ReportData, String> {
        let mut data = ReportData::default();
        let mut rows = warehouse.export("sync_runs");
        while let Some(row) = rows.try_next().await.map_err(|e| e.to_string())? {
            let report = row
                .columns
                .iter()
                .position(|c| c == "report")
                .and_then(|i| row.values.get(i))
                .cloned()
                .unwrap_or_default();
            if report.is_null() {
                continue; // a run still going, or one that died before finishing
            }
            let report = match report {
                serde_json::Value::String(s) => serde_json::from_str(&s),
                v => serde_json::from_value(v),
            }
            .map_err(|e| format!("sync_runs: a report does not decode: {e}"))?;
            data.runs.push(report);
            if data.runs.len() > runs.max(1) {
                data.runs.remove(0);
            }
        }
        let mut links = warehouse.export("identity_links");
        while let Some(row) = links.try_next().await.map_err(|e| e.to_string())? {
            let rule = row
                .columns
                .iter()
                .position(|c| c == "rule")
                .and_then(|i| row.values.get(i))
                .map(text_of)
                .filter(|r| !r.is_empty())
                .unwrap_or_else(|| "(first record)".into());
            *data.links_per_rule.entry(rule).or_default() += 1;
        }
        let mut ledger = warehouse.export("push_ledger");
        while let Some(row) = ledger.try_next().await.map_err(|e| e.to_string())? {
            let get = |name: &str| {
                row.columns
                    .iter()
                    .position(|c| c == name)
                    .and_then(|i| row.values.get(i))
                    .map(text_of)
                    .unwrap_or_default()
            };
            *data
                .pushes
                .entry(get("rule"))
                .or_default()
                .entry(get("status"))
                .or_default() += 1;
        }
        Ok(data)
    }
}

/// Escapes text for HTML content and attribute values.
///
/// ```
/// assert_eq!(canvass_cli::report_html::escape("<b>\"Tom & Jerry's\"</b>"),
///            "&lt;b&gt;&quot;Tom &amp; Jerry&#39;s&quot;&lt;/b&gt;");
/// ```
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Failures listed on the page at most; the rest are counted.
pub const MAX_FAILURES: usize = 1000;

const PALETTE: [&str; 8] = [
    "#1b6ca8", "#d1495b", "#edae49", "#00798c", "#66a182", "#8e5572", "#30638e", "#a05a2c",
];

const CSS: &str = "body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1d1d1f}\
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}\
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{padding:.3rem .6rem;border-bottom:1px solid #eee;text-align:left;vertical-align:top}\
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}tr.bad td{background:#fff1f0}\
.ok{color:#176c2c;font-weight:600}.fail{color:#b3261e;font-weight:600}.muted{color:#666}\
.cards{display:flex;gap:1rem;flex-wrap:wrap}.card{border:1px solid #ddd;border-radius:6px;padding:.6rem 1rem;min-width:10rem}\
.card b{display:block;font-size:1.5rem}svg text{font:12px system-ui,sans-serif}";

/// Renders the page.
pub fn render(data: &ReportData) -> String {
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>canvass run report</title><style>{CSS}</style></head><body>\n"
    );
    let Some(last) = data.runs.last() else {
        h.push_str("<h1>canvass run report</h1><p>No finished sync run in this warehouse yet: run <code>canvass sync</code> first.</p></body></html>\n");
        return h;
    };
    let status = if last.is_success() {
        "<span class=\"ok\">succeeded</span>"
    } else {
        "<span class=\"fail\">finished with failures</span>"
    };
    let _ = writeln!(
        h,
        "<h1>canvass run report</h1><p class=\"muted\">Run {} {status}: started {}, finished {}.</p>",
        last.run_id,
        escape(&last.started_at.to_rfc3339()),
        escape(
            &last
                .finished_at
                .map(|t| t.to_rfc3339())
                .unwrap_or_else(|| "—".into())
        ),
    );
    let totals = last.totals();
    let failures: usize = last
        .sources
        .iter()
        .flat_map(|s| &s.kinds)
        .map(|k| k.failures.iter().filter(|f| f.skipped).count())
        .sum();
    let _ = write!(
        h,
        "<div class=\"cards\"><div class=\"card\">records read<b>{}</b></div>\
         <div class=\"card\">new<b>{}</b></div><div class=\"card\">changed<b>{}</b></div>\
         <div class=\"card\">records left out<b>{}</b></div>",
        totals.read, totals.inserted, totals.updated, failures
    );
    if let Some(id) = &last.identity {
        let _ = write!(
            h,
            "<div class=\"card\">people in<b>{}</b></div><div class=\"card\">real people out<b>{}</b></div>",
            id.source_people, id.canonical_people
        );
    }
    h.push_str("</div>\n");

    // Per source and kind.
    h.push_str("<h2>Sources</h2><table><thead><tr><th>source</th><th>system</th><th>entity</th><th class=\"n\">pages</th><th class=\"n\">read</th><th class=\"n\">new</th><th class=\"n\">changed</th><th class=\"n\">same</th><th class=\"n\">left out</th><th class=\"n\">kept with a warning</th><th>error</th></tr></thead><tbody>\n");
    for s in &last.sources {
        if let Some(e) = &s.error {
            let _ = writeln!(
                h,
                "<tr class=\"bad\"><td>{}</td><td>{}</td><td colspan=\"9\">{}</td></tr>",
                escape(&s.name),
                escape(&s.system),
                escape(e)
            );
        }
        for k in &s.kinds {
            let c = &k.counts;
            let bad = if k.is_success() { "" } else { " class=\"bad\"" };
            let _ = writeln!(
                h,
                "<tr{bad}><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
                escape(&s.name),
                escape(&s.system),
                escape(k.kind.as_str()),
                k.pages,
                c.read,
                c.inserted,
                c.updated,
                c.unchanged,
                c.failed,
                c.warnings,
                escape(k.error.as_deref().unwrap_or(""))
            );
        }
    }
    h.push_str("</tbody></table>\n");

    // Failures.
    let all: Vec<_> = last.failures().collect();
    let _ = write!(
        h,
        "<h2>Failures ({} left out, {} kept with a warning)</h2>",
        all.iter().filter(|(_, _, f)| f.skipped).count(),
        all.iter().filter(|(_, _, f)| !f.skipped).count()
    );
    if all.is_empty() {
        h.push_str("<p>Every record was stored in full.</p>\n");
    } else {
        h.push_str("<table><thead><tr><th>source</th><th>entity</th><th>record</th><th>field</th><th>reason</th><th>what happened</th></tr></thead><tbody>\n");
        // Left-out records first: they are the ones to act on.
        let mut sorted = all.clone();
        sorted.sort_by_key(|(_, _, f)| !f.skipped);
        for (s, k, f) in sorted.iter().take(MAX_FAILURES) {
            let _ = writeln!(
                h,
                "<tr{}><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                if f.skipped { " class=\"bad\"" } else { "" },
                escape(&s.name),
                escape(k.kind.as_str()),
                escape(&f.record),
                escape(&f.field),
                escape(&f.reason),
                if f.skipped {
                    "left out"
                } else {
                    "stored, field kept as sent"
                }
            );
        }
        h.push_str("</tbody></table>\n");
        if sorted.len() > MAX_FAILURES {
            let _ = writeln!(
                h,
                "<p class=\"muted\">… and {} more; <code>canvass export --entity sync_run_failures</code> lists them all.</p>",
                sorted.len() - MAX_FAILURES
            );
        }
    }

    // Identity.
    h.push_str("<h2>Identity</h2>");
    match &last.identity {
        Some(id) => {
            let _ = write!(
                h,
                "<p>{} people in, {} real people out; {} shared keys ignored, {} name links refused for different birth dates, {} canonical ids changed since the previous run.</p>",
                id.source_people,
                id.canonical_people,
                id.shared_keys_ignored,
                id.birth_date_conflicts,
                id.reassigned
            );
        }
        None => h.push_str("<p>Identity resolution did not run.</p>"),
    }
    if !data.links_per_rule.is_empty() {
        h.push_str("<table><thead><tr><th>links per rule</th><th class=\"n\">source records</th></tr></thead><tbody>\n");
        for (rule, n) in &data.links_per_rule {
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td class=\"n\">{n}</td></tr>",
                escape(rule)
            );
        }
        h.push_str("</tbody></table>\n");
    }

    // VAN pushes.
    h.push_str("<h2>VAN sync</h2>");
    if data.pushes.is_empty() {
        h.push_str("<p>Nothing pushed into VAN yet (<code>canvass push van</code>).</p>\n");
    } else {
        let statuses = ["written", "failed", "sending", "planned"];
        h.push_str("<table><thead><tr><th>rule</th>");
        for s in statuses {
            let _ = write!(h, "<th class=\"n\">{s}</th>");
        }
        h.push_str("</tr></thead><tbody>\n");
        for (rule, by) in &data.pushes {
            let bad = if by.get("failed").copied().unwrap_or(0) > 0 {
                " class=\"bad\""
            } else {
                ""
            };
            let _ = write!(h, "<tr{bad}><td>{}</td>", escape(rule));
            for s in statuses {
                let _ = write!(
                    h,
                    "<td class=\"n\">{}</td>",
                    by.get(s).copied().unwrap_or(0)
                );
            }
            h.push_str("</tr>\n");
        }
        h.push_str("</tbody></table><p class=\"muted\">All writes in the push ledger, each made once.</p>\n");
    }

    // Chart.
    let _ = write!(
        h,
        "<h2>Records per source over the last {} runs</h2>\n{}",
        data.runs.len(),
        chart(&data.runs)
    );
    h.push_str("</body></html>\n");
    h
}

/// An inline SVG line chart of records read per source, one point per run.
pub fn chart(runs: &[RunReport]) -> String {
    let mut series: BTreeMap<String, Vec<Option<u64>>> = BTreeMap::new();
    for (i, r) in runs.iter().enumerate() {
        for s in &r.sources {
            series
                .entry(s.name.clone())
                .or_insert_with(|| vec![None; runs.len()])[i] = Some(s.totals().read);
        }
    }
    let (w, ht, left, bottom, top, right) = (760.0, 300.0, 60.0, 40.0, 20.0, 160.0);
    let max = series
        .values()
        .flatten()
        .flatten()
        .copied()
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let plot_w = w - left - right;
    let plot_h = ht - top - bottom;
    let x = |i: usize| {
        if runs.len() <= 1 {
            left + plot_w / 2.0
        } else {
            left + plot_w * i as f64 / (runs.len() - 1) as f64
        }
    };
    let y = |v: u64| top + plot_h * (1.0 - v as f64 / max);
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{ht}\" viewBox=\"0 0 {w} {ht}\" role=\"img\" aria-label=\"records per source over runs\">"
    );
    let _ = write!(
        s,
        "<line x1=\"{left}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#999\"/><line x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{}\" stroke=\"#999\"/>",
        top + plot_h,
        left + plot_w,
        top + plot_h,
        top + plot_h
    );
    for frac in [0.0, 0.5, 1.0] {
        let v = (max * frac).round() as u64;
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{v}</text>",
            left - 6.0,
            y(v) + 4.0
        );
    }
    for (i, r) in runs.iter().enumerate() {
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">run {}</text>",
            x(i),
            top + plot_h + 18.0,
            r.run_id
        );
    }
    for (n, (name, points)) in series.iter().enumerate() {
        let color = PALETTE[n % PALETTE.len()];
        let coords: Vec<String> = points
            .iter()
            .enumerate()
            .filter_map(|(i, p)| p.map(|v| format!("{:.1},{:.1}", x(i), y(v))))
            .collect();
        let _ = write!(
            s,
            "<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" points=\"{}\"/>",
            coords.join(" ")
        );
        for c in &coords {
            if let Some((cx, cy)) = c.split_once(',') {
                let _ = write!(
                    s,
                    "<circle cx=\"{cx}\" cy=\"{cy}\" r=\"3\" fill=\"{color}\"/>"
                );
            }
        }
        let ly = top + 14.0 * n as f64 + 6.0;
        let _ = write!(
            s,
            "<rect x=\"{}\" y=\"{:.1}\" width=\"10\" height=\"10\" fill=\"{color}\"/><text x=\"{}\" y=\"{:.1}\">{}</text>",
            left + plot_w + 16.0,
            ly,
            left + plot_w + 30.0,
            ly + 9.0,
            escape(name)
        );
    }
    s.push_str("</svg>\n");
    s
}

/// `canvass report --html FILE --runs N`.
///
/// # Errors
/// The warehouse's error or the file's.
pub async fn run(
    warehouse: &dyn Warehouse,
    file: &std::path::Path,
    runs: usize,
) -> Result<String, String> {
    let data = ReportData::load(warehouse, runs).await?;
    std::fs::write(file, render(&data)).map_err(|e| format!("{}: {e}", file.display()))?;
    Ok(match data.runs.last() {
        Some(r) => format!(
            "wrote {}: run {} and the {} runs before it",
            file.display(),
            r.run_id,
            data.runs.len() - 1
        ),
        None => format!("wrote {}: no finished run yet", file.display()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_warehouse_says_so() {
        let page = render(&ReportData::default());
        assert!(page.contains("No finished sync run"), "{page}");
    }

    #[test]
    fn the_chart_escapes_source_names() {
        let report: RunReport = serde_json::from_value(serde_json::json!({
            "run_id": 1, "dry_run": false, "started_at": "2026-03-14T10:00:00Z",
            "finished_at": null, "identity": null, "error": null,
            "sources": [{"name": "<script>", "system": "csv", "kinds": [], "error": null}]
        }))
        .expect("report");
        let svg = chart(&[report]);
        assert!(
            svg.contains("&lt;script&gt;") && !svg.contains("<script>"),
            "{svg}"
        );
    }
}
