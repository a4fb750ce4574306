//! What a push did: per committee and rule, what was written, skipped,
//! refused or left in doubt, with every failure named (person, rule, VAN's
//! error). [`PushReport::is_success`] is the CLI's exit status.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::rules::Rule;

/// Counts of one rule's writes in one push.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleCounts {
    /// Confirmed by VAN in this push.
    pub written: u64,
    /// Already written by an earlier push (nothing sent).
    pub already_written: u64,
    /// Refused by VAN (retried by the next push).
    pub failed: u64,
    /// Sent, outcome unknown (never re-sent automatically).
    pub in_doubt: u64,
    /// Held back: the person has no VAN id and no match combination, or
    /// their resolution failed.
    pub blocked: u64,
    /// Sent through a bulk import job.
    pub via_bulk: u64,
}

/// A person as reports name them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonLabel {
    /// The canonical id.
    pub canonical_id: String,
    /// First and last name.
    pub name: String,
    /// The VAN id, when known.
    pub van_id: Option<u64>,
}

impl std::fmt::Display for PersonLabel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.van_id {
            Some(v) => write!(f, "{} ({}, van {v})", self.name, self.canonical_id),
            None => write!(f, "{} ({})", self.name, self.canonical_id),
        }
    }
}

/// One write VAN refused, or whose person could not be resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailedWrite {
    /// The idempotency key.
    pub key: String,
    /// The rule (`resolve_person` for a failed findOrCreate).
    pub rule: String,
    /// Who.
    pub person: PersonLabel,
    /// What it was to do.
    pub what: String,
    /// VAN's error.
    pub error: String,
}

/// One write sent whose outcome is unknown: a crash (or a dropped
/// connection) between VAN's answer and the ledger. Not re-sent, because it
/// would add a second contact-history row; resolve it with
/// [`VanSync::resolve_in_doubt`](crate::VanSync::resolve_in_doubt) after
/// checking VAN.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InDoubtWrite {
    /// The idempotency key.
    pub key: String,
    /// The rule.
    pub rule: Rule,
    /// Who.
    pub person: PersonLabel,
    /// What it was to do.
    pub what: String,
    /// Why its outcome is unknown.
    pub reason: String,
}

/// A bulk import job a push ran.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkJobReport {
    /// The rule whose writes it carried.
    pub rule: Rule,
    /// VAN's job id.
    pub job_id: Option<u64>,
    /// Rows sent.
    pub rows: u64,
    /// Rows VAN applied.
    pub succeeded: u64,
    /// Rows VAN refused (each also in `failures`).
    pub failed: u64,
}

/// One committee's part of a push.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetReport {
    /// The target's name.
    pub target: String,
    /// Per rule.
    pub rules: BTreeMap<Rule, RuleCounts>,
    /// People whose VAN id came from a link or an earlier push.
    pub people_known: u64,
    /// People findOrCreate matched in VAN.
    pub people_matched: u64,
    /// People findOrCreate created in VAN.
    pub people_created: u64,
    /// People held back (no VAN match combination): `name (id): why`.
    pub unmatchable: Vec<String>,
    /// Every refused write.
    pub failures: Vec<FailedWrite>,
    /// Every write in doubt.
    pub in_doubt: Vec<InDoubtWrite>,
    /// Bulk import jobs run.
    pub bulk_jobs: Vec<BulkJobReport>,
    /// An error that stopped this committee early (a refused API key).
    pub error: Option<String>,
}

impl TargetReport {
    /// Writes VAN confirmed in this push.
    pub fn written(&self) -> u64 {
        self.rules.values().map(|r| r.written).sum()
    }
}

/// What a push did, committee by committee.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushReport {
    /// Per committee, in config order.
    pub targets: Vec<TargetReport>,
}

impl PushReport {
    /// Whether every planned write is written: no failure, nothing in doubt,
    /// no committee stopped. People without a VAN match combination do not
    /// count against it (they are data to fix at the source, listed in every
    /// plan and report). A `false` is a non-zero exit.
    pub fn is_success(&self) -> bool {
        self.targets
            .iter()
            .all(|t| t.failures.is_empty() && t.in_doubt.is_empty() && t.error.is_none())
    }

    /// Writes VAN confirmed in this push, over every committee.
    pub fn written(&self) -> u64 {
        self.targets.iter().map(TargetReport::written).sum()
    }

    /// Every failure, over every committee.
    pub fn failures(&self) -> impl Iterator<Item = &FailedWrite> {
        self.targets.iter().flat_map(|t| t.failures.iter())
    }
}

impl std::fmt::Display for PushReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for t in &self.targets {
            writeln!(f, "VAN committee {}", t.target)?;
            if let Some(e) = &t.error {
                writeln!(f, "  STOPPED: {e}")?;
            }
            for (rule, c) in &t.rules {
                writeln!(
                    f,
                    "  {rule}: {} written ({} by bulk import), {} already written, {} failed, {} in doubt, {} blocked",
                    c.written, c.via_bulk, c.already_written, c.failed, c.in_doubt, c.blocked
                )?;
            }
            writeln!(
                f,
                "  people: {} known, {} matched, {} created, {} unmatchable",
                t.people_known,
                t.people_matched,
                t.people_created,
                t.unmatchable.len()
            )?;
            for u in &t.unmatchable {
                writeln!(f, "    ! {u}")?;
            }
            for j in &t.bulk_jobs {
                writeln!(
                    f,
                    "  bulk import job {} ({}): {} rows, {} applied, {} refused",
                    j.job_id.map_or("-".into(), |i| i.to_string()),
                    j.rule,
                    j.rows,
                    j.succeeded,
                    j.failed
                )?;
            }
            for x in &t.failures {
                writeln!(
                    f,
                    "  FAILED {} {}: {}: {}",
                    x.rule, x.person, x.what, x.error
                )?;
            }
            for x in &t.in_doubt {
                writeln!(
                    f,
                    "  IN DOUBT {} {}: {}: {} (key {})",
                    x.rule, x.person, x.what, x.reason, x.key
                )?;
            }
        }
        Ok(())
    }
}
