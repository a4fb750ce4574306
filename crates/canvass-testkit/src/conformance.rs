//! The conformance suite: one contract every connector is held to.
//!
//! A connector crate implements [`ConformanceHarness`] for its simulator and
//! calls [`run_conformance`] from a test:
//!
//! ```text
//! #[tokio::test]
//! async fn conformance() {
//!     let harness = MyHarness::start().await;
//!     run_conformance(&harness).await.assert_ok();
//! }
//! ```
//!
//! For every entity kind the connector says it reads, the suite checks that
//! a full read returns every seeded record exactly once; that resuming from
//! every checkpoint loses nothing and repeats at most one page; that the same
//! records come back with faults switched on ([`Faults::frequent`]); that a read at the vendor's rate
//! limit, counted by the simulator over any trailing one-second window and
//! with network jitter ([`REQUEST_JITTER`]), provokes no 429 and runs at 95%
//! of the limit or more (when it takes 20 requests or more); that a wrong
//! secret is an [`Error::Auth`] that does not contain the secret; and that
//! every kind and write the connector does not support is an
//! [`Error::Unsupported`].

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use canvass_core::ConnectorExt;
use chrono::Utc;

use canvass_core::http::RateLimit;
use canvass_core::{
    AttendanceStatus, Channel, Checkpoint, Connector, ContactResult, EntityKind, Error, Event,
    OptOutReason, Page, Person, SourceRef, WriteOp,
};

use crate::faults::Faults;
use crate::sim::{SimControl, SimRateLimit};

/// What the suite needs from a connector crate: its connector, built against
/// its simulator, and the simulator's ground truth.
#[async_trait]
pub trait ConformanceHarness: Send + Sync {
    /// A connector pointed at the simulator, using `secret` as its key (or
    /// the right key when `None`), limited to `rate_limit`, with short retry
    /// delays ([`RetryPolicy::fast`](canvass_core::http::RetryPolicy::fast)).
    fn connector(&self, secret: Option<&str>, rate_limit: RateLimit) -> Box<dyn Connector>;

    /// The simulator's switches and counters.
    fn sim(&self) -> &SimControl;

    /// The ids ([`SourceRef::id`]) of every seeded record of `kind`: what a
    /// full read must return, each exactly once.
    fn expected_ids(&self, kind: &EntityKind) -> BTreeSet<String>;

    /// The vendor's published rate limit, which the simulator enforces
    /// during the rate-limit check and the connector is configured with.
    fn vendor_rate_limit(&self) -> SimRateLimit;

    /// A kind to read for the rate-limit and throughput check (the one with
    /// the most pages).
    fn throughput_kind(&self) -> EntityKind;

    /// Whether the connector has a secret to refuse. File sources have
    /// none: for them the suite checks only that a connector built with
    /// [`WRONG_SECRET`] does not show it, and records the auth checks as
    /// not applicable.
    fn has_credentials(&self) -> bool {
        true
    }
}

/// One check's outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckResult {
    /// Which check, e.g. `"read people exactly once"`.
    pub name: String,
    /// Whether it held.
    pub passed: bool,
    /// What was seen.
    pub detail: String,
}

/// What the suite found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConformanceReport {
    /// Every check, in the order run.
    pub checks: Vec<CheckResult>,
    /// Requests per second during the rate-limited read, as a share of the
    /// vendor's limit (1.0 = exactly at the limit).
    pub throughput_share: f64,
    /// Requests the simulator answered 429 during the rate-limited read.
    pub throttled: u64,
}

impl ConformanceReport {
    fn check(&mut self, name: impl Into<String>, passed: bool, detail: impl Into<String>) {
        self.checks.push(CheckResult {
            name: name.into(),
            passed,
            detail: detail.into(),
        });
    }

    /// The checks that failed.
    pub fn failures(&self) -> Vec<&CheckResult> {
        self.checks.iter().filter(|c| !c.passed).collect()
    }

    /// Panics with every failed check when any failed.
    ///
    /// # Panics
    /// When a check failed: that is the point.
    pub fn assert_ok(&self) {
        let failures = self.failures();
        assert!(
            failures.is_empty(),
            "conformance failed:\n{}",
            failures
                .iter()
                .map(|c| format!("- {}: {}", c.name, c.detail))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}

impl std::fmt::Display for ConformanceReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for c in &self.checks {
            writeln!(
                f,
                "[{}] {}: {}",
                if c.passed { "ok" } else { "FAIL" },
                c.name,
                c.detail
            )?;
        }
        write!(
            f,
            "throughput {:.1}% of the rate limit, {} requests answered 429",
            self.throughput_share * 100.0,
            self.throttled
        )
    }
}

/// A read's pages, or the error that ended it (with the pages before it).
struct ReadOutcome {
    pages: Vec<Page>,
    error: Option<Error>,
}

async fn read(
    connector: &dyn Connector,
    kind: &EntityKind,
    since: Option<Checkpoint>,
) -> ReadOutcome {
    let (pages, error) = connector.read_pages(kind.clone(), since).await;
    ReadOutcome { pages, error }
}

fn ids_of(pages: &[Page], kind: &EntityKind) -> Vec<String> {
    pages
        .iter()
        .flat_map(|p| p.records.iter())
        .filter(|r| &r.kind() == kind && !matches!(r, canvass_core::Record::Deletion(_)))
        .map(|r| r.source().id.clone())
        .collect()
}

fn compare(expected: &BTreeSet<String>, got: &[String]) -> Result<String, String> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for id in got {
        *counts.entry(id.as_str()).or_default() += 1;
    }
    let missing: Vec<&String> = expected
        .iter()
        .filter(|id| !counts.contains_key(id.as_str()))
        .collect();
    let dupes: Vec<&&str> = counts
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|(id, _)| id)
        .collect();
    let unexpected: Vec<&&str> = counts
        .keys()
        .filter(|id| !expected.contains(**id))
        .collect();
    if missing.is_empty() && dupes.is_empty() && unexpected.is_empty() {
        Ok(format!("{} records, each once", got.len()))
    } else {
        Err(format!(
            "{} expected, {} read; missing {:?}; duplicated {:?}; unexpected {:?}",
            expected.len(),
            got.len(),
            missing.iter().take(5).collect::<Vec<_>>(),
            dupes.iter().take(5).collect::<Vec<_>>(),
            unexpected.iter().take(5).collect::<Vec<_>>()
        ))
    }
}

fn sample_ops() -> Vec<WriteOp> {
    let at = Utc::now();
    vec![
        WriteOp::UpsertPerson {
            person: Box::new(Person {
                source: SourceRef::new("conformance", "1"),
                given_name: Some("Ana".into()),
                family_name: Some("Núñez".into()),
                ..Person::default()
            }),
        },
        WriteOp::ApplyTag {
            person_id: "1".into(),
            tag_id: "1".into(),
        },
        WriteOp::RemoveTag {
            person_id: "1".into(),
            tag_id: "1".into(),
        },
        WriteOp::RecordAttendance {
            person_id: "1".into(),
            event_id: "1".into(),
            shift_id: None,
            role_id: None,
            status: AttendanceStatus::Registered,
        },
        WriteOp::RecordContactAttempt {
            person_id: "1".into(),
            channel: Channel::Sms,
            result: ContactResult::Texted,
            at,
            phone: None,
        },
        WriteOp::RecordSurveyResponse {
            person_id: "1".into(),
            question_id: "1".into(),
            option_id: "1".into(),
            at,
        },
        WriteOp::OptOut {
            person_id: Some("1".into()),
            channel: Channel::Sms,
            identifier: "+14142020792".into(),
            reason: OptOutReason::Requested,
            at,
        },
        WriteOp::CreateEvent {
            event: Box::new(Event {
                source: SourceRef::new("conformance", "1"),
                modified_at: None,
                title: "Canvass launch".into(),
                description: None,
                starts_at: Some(at),
                ends_at: Some(at + chrono::Duration::hours(2)),
                timezone: None,
                event_type: None,
                location: None,
                venue: None,
                visibility: None,
                is_virtual: None,
                tags: Vec::new(),
                browser_url: None,
                extra: Default::default(),
            }),
            shifts: Vec::new(),
        },
    ]
}

/// The most network jitter the rate-limit check adds to each request on its
/// way into the simulator.
pub const REQUEST_JITTER: Duration = Duration::from_millis(15);

/// Requests a rate-limited read needs before its share of the limit is judged.
const MIN_REQUESTS_FOR_SHARE: u64 = 20;

/// The key used for the wrong-secret check; it must never appear in an error.
pub const WRONG_SECRET: &str = "wrong-secret-3f9c1a7e5d";

/// Runs every check against the harness's connector and simulator.
pub async fn run_conformance(h: &dyn ConformanceHarness) -> ConformanceReport {
    let mut report = ConformanceReport::default();
    let sim = h.sim();
    sim.set_faults(Faults::none());
    sim.set_rate_limit(None);
    let connector = h.connector(None, RateLimit::unlimited());
    let info = connector.info();

    match connector.check().await {
        Ok(()) => report.check("check() with the right secret", true, "ok"),
        Err(e) => report.check("check() with the right secret", false, e.to_string()),
    }

    for kind in &info.reads {
        let expected = h.expected_ids(kind);
        let full = read(connector.as_ref(), kind, None).await;
        let got = ids_of(&full.pages, kind);
        let name = format!("read {kind} exactly once");
        match (&full.error, compare(&expected, &got)) {
            (Some(e), _) => report.check(name, false, format!("read failed: {e}")),
            (None, Ok(d)) => report.check(name, expected.is_empty() == got.is_empty(), d),
            (None, Err(d)) => report.check(name, false, d),
        }
        let issues: Vec<_> = full
            .pages
            .iter()
            .flat_map(|p| &p.issues)
            .filter(|i| i.skipped)
            .collect();
        report.check(
            format!("read {kind} skips no record"),
            issues.is_empty(),
            format!(
                "{} skipped: {:?}",
                issues.len(),
                issues.iter().take(3).collect::<Vec<_>>()
            ),
        );

        // Resume from every checkpoint: what came before plus what comes
        // after must be everything, repeating at most one page.
        let max_page = full
            .pages
            .iter()
            .map(|p| ids_of(std::slice::from_ref(p), kind).len())
            .max()
            .unwrap_or(0);
        let mut resume_ok = true;
        let mut resume_detail = format!(
            "{} checkpoints",
            full.pages.iter().filter(|p| p.checkpoint.is_some()).count()
        );
        for (i, page) in full.pages.iter().enumerate() {
            let Some(cp) = page.checkpoint.clone() else {
                continue;
            };
            let before = ids_of(&full.pages[..=i], kind);
            let after = read(connector.as_ref(), kind, Some(cp.clone())).await;
            if let Some(e) = after.error {
                resume_ok = false;
                resume_detail = format!("resuming from page {i} ({}) failed: {e}", cp.0);
                break;
            }
            let after_ids = ids_of(&after.pages, kind);
            let before_set: BTreeSet<&String> = before.iter().collect();
            let repeated = after_ids
                .iter()
                .filter(|id| before_set.contains(id))
                .count();
            let union: BTreeSet<String> = before.iter().chain(after_ids.iter()).cloned().collect();
            if union != expected || repeated > max_page {
                resume_ok = false;
                let lost: Vec<_> = expected.difference(&union).take(5).collect();
                resume_detail = format!(
                    "resuming from page {i} ({}): lost {lost:?}, repeated {repeated} (a page holds {max_page})",
                    cp.0
                );
                break;
            }
        }
        report.check(
            format!("resume {kind} from every checkpoint"),
            resume_ok,
            resume_detail,
        );

        sim.reset_stats();
        sim.set_faults(Faults::frequent());
        let faulty = read(connector.as_ref(), kind, None).await;
        sim.set_faults(Faults::none());
        let stats = sim.stats();
        let name = format!("read {kind} with faults on");
        // Any four requests in a row meet a fault (see `Faults::frequent`).
        let met_faults = stats.faulted > 0 || stats.requests < 4;
        match (
            &faulty.error,
            compare(&expected, &ids_of(&faulty.pages, kind)),
        ) {
            (Some(e), _) => report.check(name, false, format!("read failed: {e}")),
            (None, Ok(d)) => report.check(
                name,
                met_faults,
                format!(
                    "{d}; {} of {} requests faulted",
                    stats.faulted, stats.requests
                ),
            ),
            (None, Err(d)) => report.check(name, false, d),
        }
    }

    // Rate limit: the simulator enforces the vendor's limit, counted both as
    // its token bucket and over any trailing one-second window, with up to
    // `REQUEST_JITTER` of network jitter on each request's way in; the
    // connector runs at it without provoking a 429 and close to the limit.
    let limit = h.vendor_rate_limit().with_sliding_window();
    let kind = h.throughput_kind();
    if info.reads.contains(&kind) {
        // Let the simulator's bucket refill, then start clean.
        tokio::time::sleep(Duration::from_secs_f64(
            (limit.burst / limit.reads_per_second).min(5.0),
        ))
        .await;
        sim.set_rate_limit(Some(limit));
        sim.set_request_jitter(REQUEST_JITTER);
        sim.reset_stats();
        let limited = h.connector(
            None,
            RateLimit {
                per_second: limit.reads_per_second,
                writes_per_second: limit.writes_per_second,
            },
        );
        let started = Instant::now();
        let outcome = read(limited.as_ref(), &kind, None).await;
        let elapsed = started.elapsed();
        let stats = sim.stats();
        sim.set_rate_limit(None);
        sim.set_request_jitter(Duration::ZERO);
        report.throttled = stats.throttled;
        // n requests evenly spaced at rate r span (n - 1) / r seconds.
        let span = sim.active_span().as_secs_f64();
        report.throughput_share = if stats.requests > 1 && span > 0.0 {
            ((stats.requests - 1) as f64 / span) / limit.reads_per_second
        } else {
            0.0
        };
        report.check(
            format!(
                "read {kind} at the vendor's rate limit (sliding window, jitter) provokes no 429"
            ),
            outcome.error.is_none() && stats.throttled == 0,
            format!(
                "{} requests in {:.2}s, {} answered 429, {:.1}% of the limit{}",
                stats.requests,
                elapsed.as_secs_f64(),
                stats.throttled,
                report.throughput_share * 100.0,
                outcome
                    .error
                    .map(|e| format!(", error: {e}"))
                    .unwrap_or_default()
            ),
        );

        // Too few requests make the share noise; a short read is judged on
        // its 429s alone.
        if stats.requests >= MIN_REQUESTS_FOR_SHARE {
            report.check(
                format!("read {kind} runs at >= 95% of the vendor's rate limit"),
                report.throughput_share >= 0.95,
                format!(
                    "{:.1}% of {}/s over {} requests",
                    report.throughput_share * 100.0,
                    limit.reads_per_second,
                    stats.requests
                ),
            );
        }
    }

    // A wrong secret: an auth error that does not contain the secret.
    let wrong = h.connector(Some(WRONG_SECRET), RateLimit::unlimited());
    let mut auth_results = Vec::new();
    if h.has_credentials() {
        auth_results.push(("check()", wrong.check().await.err()));
        if let Some(kind) = info.reads.iter().next() {
            auth_results.push(("read", read(wrong.as_ref(), kind, None).await.error));
        }
    } else {
        report.check(
            "wrong secret is an auth error",
            true,
            "not applicable: the connector has no credentials",
        );
    }
    for (what, err) in auth_results {
        let name = format!("wrong secret in {what} is an auth error without the secret");
        match err {
            Some(e) => {
                let shown = format!("{e} {e:?}");
                report.check(
                    name,
                    e.is_auth() && !shown.contains(WRONG_SECRET),
                    format!(
                        "{} error: {}",
                        e.kind(),
                        shown.replace(WRONG_SECRET, "<THE SECRET>")
                    ),
                );
            }
            None => report.check(name, false, "succeeded with a wrong secret"),
        }
    }
    let debug = format!("{wrong:?}");
    report.check(
        "connector Debug hides the secret",
        !debug.contains(WRONG_SECRET),
        debug.replace(WRONG_SECRET, "<THE SECRET>"),
    );

    // Unsupported reads and writes: Error::Unsupported, never a panic.
    for kind in EntityKind::ALL.iter().filter(|k| !info.reads.contains(k)) {
        let outcome = read(connector.as_ref(), kind, None).await;
        let ok =
            outcome.pages.is_empty() && matches!(outcome.error, Some(Error::Unsupported { .. }));
        report.check(
            format!("unsupported read {kind}"),
            ok,
            format!("{:?}", outcome.error.map(|e| e.kind())),
        );
    }
    for op in sample_ops()
        .into_iter()
        .filter(|op| !info.writes.contains(&op.kind()))
    {
        let result = connector.write(&op).await;
        report.check(
            format!("unsupported write {:?}", op.kind()),
            matches!(result, Err(Error::Unsupported { .. })),
            format!("{:?}", result.map_err(|e| e.kind())),
        );
    }
    report
}
