//! Human-readable summaries of run reports.

use std::fmt::Write;

use canvass_sync::RunReport;

/// A table of what each source and kind did, then every failure.
pub fn run_report(report: &RunReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<16} {:<18} {:>7} {:>8} {:>8} {:>9} {:>7} {:>8}",
        "source", "entity", "pages", "read", "new", "changed", "same", "failed"
    );
    for s in &report.sources {
        if let Some(e) = &s.error {
            let _ = writeln!(out, "{:<16} FAILED: {e}", s.name);
        }
        for k in &s.kinds {
            let c = &k.counts;
            let _ = writeln!(
                out,
                "{:<16} {:<18} {:>7} {:>8} {:>8} {:>9} {:>7} {:>8}{}",
                s.name,
                k.kind.as_str(),
                k.pages,
                c.read,
                c.inserted,
                c.updated,
                c.unchanged,
                c.failed,
                k.error
                    .as_deref()
                    .map(|e| format!("  ERROR: {e}"))
                    .or_else(|| k.skipped.as_deref().map(|r| format!("  SKIPPED: {r}")))
                    .unwrap_or_default()
            );
        }
    }
    let failures: Vec<_> = report.failures().collect();
    let skipped = failures.iter().filter(|(_, _, f)| f.skipped).count();
    if skipped > 0 {
        let _ = writeln!(out, "\n{skipped} records could not be stored:");
        for (s, k, f) in failures.iter().filter(|(_, _, f)| f.skipped) {
            let _ = writeln!(
                out,
                "  {} {} {} at `{}`: {}",
                s.name,
                k.kind.as_str(),
                f.record,
                f.field,
                f.reason
            );
        }
    }
    let kept = failures.len() - skipped;
    if kept > 0 {
        let _ = writeln!(
            out,
            "\n{kept} records were stored with a field kept as sent (e.g. an invalid phone); `canvass export --entity sync_run_failures` lists them"
        );
    }
    if let Some(id) = &report.identity {
        let _ = writeln!(
            out,
            "\nidentity: {} source people -> {} real people ({} shared keys ignored)",
            id.source_people, id.canonical_people, id.shared_keys_ignored
        );
    }
    if let Some(e) = &report.error {
        let _ = writeln!(out, "\nERROR: {e}");
    }
    out
}
