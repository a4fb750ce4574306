//! Full-pull benchmarks at a vendor's rate limit, shared by the connectors'
//! `benches/full_pull.rs`.
//!
//! [`full_pull_at_limit`] makes the simulator enforce the limit counted over
//! any trailing one-second window ([`SimRateLimit::with_sliding_window`]),
//! with [`REQUEST_JITTER`] of network jitter on each request's way in (as the
//! conformance suite does), reads one kind in full with a connector limited
//! to the same rate, and prints, per run: records, requests, 429s, the share
//! of the bound and the time. A warm-up run comes first and is not held to
//! the bar: every record read, no 429, at least 95% of the limit.

use std::future::Future;
use std::time::{Duration, Instant};

use futures::StreamExt;

use canvass_core::http::RateLimit;
use canvass_core::{Connector, EntityKind};

use crate::conformance::REQUEST_JITTER;
use crate::sim::{SimControl, SimRateLimit};

/// The share of the rate limit a measured run must reach.
pub const MIN_SHARE: f64 = 0.95;

/// What one full-pull benchmark reads.
#[derive(Debug, Clone)]
pub struct FullPull {
    /// The vendor, for the printed lines.
    pub vendor: &'static str,
    /// The kind read in full.
    pub kind: EntityKind,
    /// Records the read must return.
    pub records: usize,
    /// The vendor's limit (enforced with a sliding window whatever this says).
    pub limit: SimRateLimit,
    /// Measured runs after the warm-up.
    pub runs: usize,
}

/// What one run measured.
#[derive(Debug, Clone, PartialEq)]
pub struct RunFigures {
    /// Records read.
    pub records: usize,
    /// Record issues reported.
    pub issues: usize,
    /// Requests the simulator received.
    pub requests: u64,
    /// Requests it answered 429.
    pub throttled: u64,
    /// Requests per second over the first-to-last request span, as a share
    /// of the limit (`n` requests evenly spaced at rate `r` span `(n - 1) / r`).
    pub share: f64,
    /// Wall time of the read.
    pub elapsed: Duration,
    /// The error that ended the read, if any.
    pub error: Option<String>,
}

impl RunFigures {
    /// Whether the run meets the bar for `spec`.
    pub fn meets(&self, spec: &FullPull) -> bool {
        self.error.is_none()
            && self.records == spec.records
            && self.throttled == 0
            && self.share >= MIN_SHARE
    }
}

/// Runs `spec`: a warm-up and `spec.runs` measured full reads, each with a
/// fresh connector from `connector` (given the client-side limit), against
/// the simulator whose switches are `sim`. Prints one line per run and
/// returns whether every measured run met the bar.
pub async fn full_pull_at_limit<C, F>(sim: &SimControl, spec: &FullPull, connector: F) -> bool
where
    C: Connector,
    F: Fn(RateLimit) -> C,
{
    let limit = spec.limit.with_sliding_window();
    sim.set_rate_limit(Some(limit));
    sim.set_request_jitter(REQUEST_JITTER);
    let mut ok = true;
    for run in 0..=spec.runs {
        // Let the simulator's window and bucket empty between runs.
        tokio::time::sleep(Duration::from_secs_f64(
            (limit.burst / limit.reads_per_second).clamp(1.0, 5.0) + 1.0,
        ))
        .await;
        let c = connector(RateLimit {
            per_second: limit.reads_per_second,
            writes_per_second: limit.writes_per_second,
        });
        let figures = measure(sim, &c, &spec.kind, limit.reads_per_second).await;
        println!(
            "{} run {run}: {} {}, {} issues; {} requests, {} answered 429; {:.2} req/s over {:.2}s \
             first-to-last = {:.1}% of the {} req/s limit (sliding window, {} ms jitter); {:.2}s wall{}",
            spec.vendor,
            figures.records,
            spec.kind,
            figures.issues,
            figures.requests,
            figures.throttled,
            figures.share * limit.reads_per_second,
            sim.active_span().as_secs_f64(),
            figures.share * 100.0,
            limit.reads_per_second,
            REQUEST_JITTER.as_millis(),
            figures.elapsed.as_secs_f64(),
            figures
                .error
                .as_deref()
                .map(|e| format!("; read failed: {e}"))
                .unwrap_or_default()
        );
        if run == 0 {
            println!("{} run 0 was the warm-up", spec.vendor);
        } else if !figures.meets(spec) {
            println!(
                "{} run {run}: FAILED the bar (all {} records, 0 × 429, >= {:.0}% of the limit)",
                spec.vendor,
                spec.records,
                MIN_SHARE * 100.0
            );
            ok = false;
        }
    }
    sim.set_rate_limit(None);
    sim.set_request_jitter(Duration::ZERO);
    ok
}

/// One full read of `kind`, measured at the simulator.
async fn measure<C: Connector>(
    sim: &SimControl,
    connector: &C,
    kind: &EntityKind,
    per_second: f64,
) -> RunFigures {
    sim.reset_stats();
    let started = Instant::now();
    let mut pages = connector.read(kind.clone(), None);
    let (mut records, mut issues, mut error) = (0, 0, None);
    while let Some(page) = pages.next().await {
        match page {
            Ok(p) => {
                records += p.records.len();
                issues += p.issues.len();
            }
            Err(e) => {
                error = Some(e.to_string());
                break;
            }
        }
    }
    let elapsed = started.elapsed();
    let stats = sim.stats();
    let span = sim.active_span().as_secs_f64();
    let share = if stats.requests > 1 && span > 0.0 {
        (stats.requests - 1) as f64 / span / per_second
    } else {
        0.0
    };
    RunFigures {
        records,
        issues,
        requests: stats.requests,
        throttled: stats.throttled,
        share,
        elapsed,
        error,
    }
}

/// Runs a benchmark's `main` on a multi-threaded runtime and exits with 1
/// when it returns `false` (or the runtime cannot start).
pub fn run_bench<F: Future<Output = bool>>(bench: F) {
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start tokio: {e}");
            std::process::exit(1);
        }
    };
    if !rt.block_on(bench) {
        std::process::exit(1);
    }
}
