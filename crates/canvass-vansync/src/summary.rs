//! What a dry run prints: per committee and rule, how many writes a push
//! would send, how many are already written or in doubt, and a sample.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::plan::{Plan, PlannedVanWrite, Resolution, TargetPlan};
use crate::rules::Rule;

/// Counts and a sample of one rule's writes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleSummary {
    /// Writes a push would send.
    pub to_write: u64,
    /// Writes the ledger already has written.
    pub already_written: u64,
    /// Writes sent before whose outcome is unknown (never re-sent automatically).
    pub in_doubt: u64,
    /// Writes held back because their person has no VAN match combination.
    pub blocked: u64,
    /// Whether they would go through a bulk import job.
    pub bulk: bool,
    /// A few of the writes to send: `person: what`.
    pub sample: Vec<String>,
}

/// One committee's summary.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetSummary {
    /// The target's name.
    pub target: String,
    /// Per rule.
    pub rules: BTreeMap<Rule, RuleSummary>,
    /// People with a VAN id already (linked or found by an earlier push).
    pub people_known: u64,
    /// People a push would findOrCreate, by the combination sent.
    pub people_to_find: BTreeMap<String, u64>,
    /// People held back (no VAN match combination): `name (id): why`.
    pub unmatchable: Vec<String>,
    /// Source records no rule maps, by reason.
    pub unmapped: BTreeMap<String, u64>,
}

/// The dry-run summary of a [`Plan`]; `Display` prints it for people,
/// serde for machines.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanSummary {
    /// Per committee.
    pub targets: Vec<TargetSummary>,
}

impl PlanSummary {
    /// Writes a push would send, over every committee and rule.
    pub fn total_to_write(&self) -> u64 {
        self.targets
            .iter()
            .flat_map(|t| t.rules.values())
            .map(|r| r.to_write)
            .sum()
    }
}

fn label(t: &TargetPlan, w: &PlannedVanWrite) -> String {
    let who = t
        .people
        .get(&w.person)
        .map(|p| match p.van_id {
            Some(v) => format!("{} (van {v})", p.name),
            None => format!("{} ({})", p.name, p.canonical_id),
        })
        .unwrap_or_else(|| w.person.clone());
    format!("{who}: {}", w.action.describe())
}

impl Plan {
    /// Counts per committee and rule, and a sample of each.
    pub fn summary(&self) -> PlanSummary {
        let targets = self
            .targets
            .iter()
            .map(|t| {
                let mut rules: BTreeMap<Rule, RuleSummary> = BTreeMap::new();
                for e in &t.events {
                    let r = rules.entry(Rule::CreateEvents).or_default();
                    if e.is_written() {
                        r.already_written += 1;
                    } else if e.is_in_doubt() {
                        r.in_doubt += 1;
                    } else {
                        r.to_write += 1;
                        if r.sample.len() < self.sample_size {
                            r.sample.push(e.describe());
                        }
                    }
                }
                for w in &t.writes {
                    let r = rules.entry(w.rule).or_default();
                    if w.is_written() {
                        r.already_written += 1;
                    } else if w.is_in_doubt() {
                        r.in_doubt += 1;
                    } else {
                        r.to_write += 1;
                        if r.sample.len() < self.sample_size {
                            r.sample.push(label(t, w));
                        }
                    }
                }
                for u in &t.unmatchable {
                    for (rule, n) in &u.blocked {
                        rules.entry(*rule).or_default().blocked += n;
                    }
                }
                for (rule, r) in rules.iter_mut() {
                    r.bulk = matches!(rule, Rule::TagsToActivistCodes | Rule::SurveyResponses)
                        && r.to_write as usize > self.bulk_threshold;
                }
                let mut people_to_find = BTreeMap::new();
                let mut people_known = 0;
                for p in t.people.values() {
                    match &p.resolution {
                        Resolution::FindOrCreate { combination, .. } => {
                            *people_to_find
                                .entry(combination.as_str().to_string())
                                .or_insert(0) += 1;
                        }
                        _ => people_known += 1,
                    }
                }
                TargetSummary {
                    target: t.target.clone(),
                    rules,
                    people_known,
                    people_to_find,
                    unmatchable: t
                        .unmatchable
                        .iter()
                        .map(|u| format!("{} ({}): {}", u.name, u.canonical_id, u.reason))
                        .collect(),
                    unmapped: t.unmapped.clone(),
                }
            })
            .collect();
        PlanSummary { targets }
    }
}

impl std::fmt::Display for PlanSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for t in &self.targets {
            writeln!(f, "VAN committee {}", t.target)?;
            for (rule, r) in &t.rules {
                writeln!(
                    f,
                    "  {rule}: {} to write{}, {} already written, {} in doubt, {} blocked",
                    r.to_write,
                    if r.bulk { " (bulk import)" } else { "" },
                    r.already_written,
                    r.in_doubt,
                    r.blocked
                )?;
                for s in &r.sample {
                    writeln!(f, "    - {s}")?;
                }
            }
            let find: u64 = t.people_to_find.values().sum();
            writeln!(
                f,
                "  people: {} with a VAN id, {find} to findOrCreate {:?}, {} unmatchable",
                t.people_known,
                t.people_to_find,
                t.unmatchable.len()
            )?;
            for u in &t.unmatchable {
                writeln!(f, "    ! {u}")?;
            }
            for (reason, n) in &t.unmapped {
                writeln!(f, "  not mapped: {reason} ({n})")?;
            }
        }
        Ok(())
    }
}
