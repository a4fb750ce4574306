//! Live progress: bars per source and kind in a terminal, plain log lines
//! otherwise.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::sync::Mutex;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use canvass_sync::{Progress, ProgressEvent};

/// Draws [`ProgressEvent`]s.
pub struct Reporter {
    bars: Option<MultiProgress>,
    active: Mutex<HashMap<(String, String), ProgressBar>>,
    quiet: bool,
}

impl Reporter {
    /// Bars when stderr is a terminal, log lines when not, nothing when `quiet`.
    pub fn new(quiet: bool) -> Reporter {
        let bars = (!quiet && std::io::stderr().is_terminal())
            .then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr()));
        Reporter {
            bars,
            active: Mutex::new(HashMap::new()),
            quiet,
        }
    }

    fn bar(&self, source: &str, kind: &str) -> Option<ProgressBar> {
        let bars = self.bars.as_ref()?;
        let mut active = self.active.lock().unwrap_or_else(|p| p.into_inner());
        let bar = active
            .entry((source.to_string(), kind.to_string()))
            .or_insert_with(|| {
                let bar = bars.add(ProgressBar::new_spinner());
                bar.set_style(
                    ProgressStyle::with_template(
                        "{spinner} {prefix:<28} {msg} [{elapsed}] {per_sec}",
                    )
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                );
                bar.set_prefix(format!("{source} {kind}"));
                bar
            })
            .clone();
        Some(bar)
    }
}

impl Progress for Reporter {
    fn event(&self, event: &ProgressEvent) {
        if self.quiet {
            return;
        }
        match event {
            ProgressEvent::KindStarted {
                source,
                kind,
                resumed,
            } => {
                if let Some(bar) = self.bar(source, kind.as_str()) {
                    bar.set_message(if *resumed { "resuming" } else { "reading" });
                } else {
                    eprintln!(
                        "{source} {kind}: {}",
                        if *resumed {
                            "resuming from checkpoint"
                        } else {
                            "reading"
                        }
                    );
                }
            }
            ProgressEvent::PageStored {
                source,
                kind,
                total,
                pages,
                page,
            } => {
                if let Some(bar) = self.bar(source, kind.as_str()) {
                    bar.inc(page.read);
                    bar.set_message(format!(
                        "{pages} pages, {} records ({} new, {} changed, {} failed)",
                        total.read, total.inserted, total.updated, total.failed
                    ));
                } else {
                    eprintln!(
                        "{source} {kind}: page {pages}: {} records ({} new, {} changed, {} failed so far)",
                        total.read, total.inserted, total.updated, total.failed
                    );
                }
            }
            ProgressEvent::KindFinished {
                source,
                kind,
                total,
                error,
            } => {
                let outcome = match error {
                    Some(e) => format!("FAILED after {} records: {e}", total.read),
                    None => format!(
                        "done, {} records ({} new, {} changed)",
                        total.read, total.inserted, total.updated
                    ),
                };
                let line = format!("{source} {kind}: {outcome}");
                match self.bar(source, kind.as_str()) {
                    // The bar's prefix already names the source and kind.
                    Some(bar) => bar.finish_with_message(outcome),
                    None => eprintln!("{line}"),
                }
            }
            ProgressEvent::ResolvingIdentities if self.bars.is_none() => {
                eprintln!("resolving identities");
            }
            _ => {}
        }
    }
}
