//! The run report: what a sync did, per source and entity kind, with every
//! failure named. Serializable for `canvass sync --json`.

use canvass_core::EntityKind;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::warehouse::PageCounts;

/// A record that could not be stored in full.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    /// The record's id (or its position in the page).
    pub record: String,
    /// The field at fault, as a JSON path.
    pub field: String,
    /// Why.
    pub reason: String,
    /// Whether the record was left out (`false`: stored with the bad field kept verbatim).
    pub skipped: bool,
}

/// What happened to one entity kind of one source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindReport {
    /// The kind.
    pub kind: EntityKind,
    /// Pages stored.
    pub pages: u64,
    /// Record counts.
    #[serde(flatten)]
    pub counts: PageCounts,
    /// Every record issue, skipped or kept.
    pub failures: Vec<Failure>,
    /// The error that ended the read early, if any.
    pub error: Option<String>,
    /// Why the kind was skipped, when the account does not offer it (the
    /// connector said [`Error::NotOffered`](canvass_core::Error::NotOffered)):
    /// not a failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
}

impl KindReport {
    /// An empty report for `kind`.
    pub fn new(kind: EntityKind) -> KindReport {
        KindReport {
            kind,
            pages: 0,
            counts: PageCounts::default(),
            failures: Vec::new(),
            error: None,
            skipped: None,
        }
    }

    /// Whether every record was stored and the read finished.
    pub fn is_success(&self) -> bool {
        self.error.is_none() && self.counts.failed == 0
    }
}

/// What happened to one source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceReport {
    /// The configured source name.
    pub name: String,
    /// The connector's system.
    pub system: String,
    /// One report per kind read.
    pub kinds: Vec<KindReport>,
    /// An error of the whole source (e.g. refused credentials), if any.
    pub error: Option<String>,
}

impl SourceReport {
    /// Whether the source synced every kind without failure.
    pub fn is_success(&self) -> bool {
        self.error.is_none() && self.kinds.iter().all(KindReport::is_success)
    }

    /// The report of one kind.
    ///
    /// ```
    /// use canvass_core::EntityKind;
    /// use canvass_sync::{KindReport, SourceReport};
    /// let source = SourceReport {
    ///     name: "mobilize".into(),
    ///     system: "mobilize".into(),
    ///     kinds: vec![KindReport::new(EntityKind::Events)],
    ///     error: None,
    /// };
    /// assert!(source.kind(&EntityKind::Events).is_some());
    /// assert!(source.kind(&EntityKind::People).is_none());
    /// ```
    pub fn kind(&self, kind: &EntityKind) -> Option<&KindReport> {
        self.kinds.iter().find(|k| &k.kind == kind)
    }

    /// Counts summed over kinds.
    pub fn totals(&self) -> PageCounts {
        let mut t = PageCounts::default();
        for k in &self.kinds {
            t.add(&k.counts);
        }
        t
    }
}

/// What identity resolution found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentitySummary {
    /// Source person records considered.
    pub source_people: u64,
    /// Canonical people they resolved to.
    pub canonical_people: u64,
    /// Match keys left unused because too many different people share them.
    pub shared_keys_ignored: u64,
    /// Name-based links refused because the two sides were born on different days.
    pub birth_date_conflicts: u64,
    /// Canonical people whose id changed from the previous run's (merges and splits).
    pub reassigned: u64,
    /// Clusters joined by the probabilistic stage (no shared key, a match
    /// probability at or above the threshold).
    #[serde(default)]
    pub probabilistic_links: u64,
    /// Candidate pairs the probabilistic stage compared.
    #[serde(default)]
    pub candidate_pairs: u64,
}

/// The report of one `sync`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunReport {
    /// The run's id in `sync_runs` (0 for a dry run).
    pub run_id: i64,
    /// Whether nothing was stored.
    pub dry_run: bool,
    /// When the run started.
    pub started_at: DateTime<Utc>,
    /// When it finished.
    pub finished_at: Option<DateTime<Utc>>,
    /// One report per source.
    pub sources: Vec<SourceReport>,
    /// Identity resolution, when it ran.
    pub identity: Option<IdentitySummary>,
    /// An error after the pulls (identity resolution), if any.
    pub error: Option<String>,
}

impl RunReport {
    /// Every failed record of the run, with its source and kind, in report order.
    pub fn failures(&self) -> impl Iterator<Item = (&SourceReport, &KindReport, &Failure)> {
        self.sources.iter().flat_map(|s| {
            s.kinds
                .iter()
                .flat_map(move |k| k.failures.iter().map(move |f| (s, k, f)))
        })
    }

    /// Whether every source and kind succeeded with no failed record.
    pub fn is_success(&self) -> bool {
        self.error.is_none() && self.sources.iter().all(SourceReport::is_success)
    }

    /// Counts summed over sources and kinds.
    pub fn totals(&self) -> PageCounts {
        let mut t = PageCounts::default();
        for s in &self.sources {
            t.add(&s.totals());
        }
        t
    }

    /// The report of one source.
    pub fn source(&self, name: &str) -> Option<&SourceReport> {
        self.sources.iter().find(|s| s.name == name)
    }

    /// The report of one kind of one source: what a test of a connector
    /// through the engine checks (stored, skipped with its reason, failed).
    pub fn kind(&self, source: &str, kind: &EntityKind) -> Option<&KindReport> {
        self.source(source)?.kind(kind)
    }
}
