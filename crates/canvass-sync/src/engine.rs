//! The pipeline: for each source and entity kind, read pages, store each
//! page with its checkpoint in one transaction, then resolve identities.

use std::collections::BTreeSet;
use std::sync::Arc;

use canvass_core::{Connector, EntityKind};
use chrono::Utc;
use futures::StreamExt;

use crate::error::SyncResult;
use crate::identity::IdentityConfig;
use crate::report::{Failure, KindReport, RunReport, SourceReport};
use crate::resolve::resolve_identities;
use crate::warehouse::{PageCounts, PageWrite, Warehouse};

/// A configured source: a name (as in `canvass.toml`) and its connector.
#[derive(Debug, Clone)]
pub struct Source {
    /// The source's name; checkpoints are kept per name, so two sources of
    /// one system (two VAN committees) resume independently.
    pub name: String,
    /// The connector.
    pub connector: Arc<dyn Connector>,
}

impl Source {
    /// A source named `name`.
    pub fn new(name: impl Into<String>, connector: Arc<dyn Connector>) -> Source {
        Source {
            name: name.into(),
            connector,
        }
    }
}

/// What happened, as it happens: for progress bars and logs.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProgressEvent {
    /// A source's kind started reading (`resumed` when from a stored checkpoint).
    KindStarted {
        /// The source.
        source: String,
        /// The kind.
        kind: EntityKind,
        /// Whether it resumes from a stored checkpoint.
        resumed: bool,
    },
    /// A page was stored.
    PageStored {
        /// The source.
        source: String,
        /// The kind.
        kind: EntityKind,
        /// What the page did.
        page: PageCounts,
        /// Totals so far for this source and kind.
        total: PageCounts,
        /// Pages so far.
        pages: u64,
    },
    /// A kind finished (with its error, if it ended early).
    KindFinished {
        /// The source.
        source: String,
        /// The kind.
        kind: EntityKind,
        /// Final totals.
        total: PageCounts,
        /// The error that ended it, if any.
        error: Option<String>,
    },
    /// A source finished every kind.
    SourceFinished {
        /// The source.
        source: String,
        /// Whether it succeeded.
        success: bool,
    },
    /// Identity resolution started.
    ResolvingIdentities,
}

/// Receives [`ProgressEvent`]s. Called from the sync's tasks: keep it quick.
pub trait Progress: Send + Sync {
    /// One event.
    fn event(&self, event: &ProgressEvent);
}

impl<F: Fn(&ProgressEvent) + Send + Sync> Progress for F {
    fn event(&self, event: &ProgressEvent) {
        self(event)
    }
}

/// Options of one sync.
#[derive(Clone, Default)]
pub struct SyncOptions {
    /// Only these kinds (all the connector reads when `None`).
    pub kinds: Option<BTreeSet<EntityKind>>,
    /// Read and count, store nothing (each page's transaction is rolled back).
    pub dry_run: bool,
    /// Skip identity resolution after the pulls.
    pub skip_identity: bool,
    /// The resolver's guards.
    pub identity: IdentityConfig,
    /// Where progress events go.
    pub progress: Option<Arc<dyn Progress>>,
}

impl std::fmt::Debug for SyncOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncOptions")
            .field("kinds", &self.kinds)
            .field("dry_run", &self.dry_run)
            .field("skip_identity", &self.skip_identity)
            .field("identity", &self.identity)
            .finish_non_exhaustive()
    }
}

/// The engine: pulls sources into a warehouse.
///
/// ```no_run
/// # async fn demo(connector: std::sync::Arc<dyn canvass_core::Connector>) -> Result<(), canvass_sync::SyncError> {
/// use canvass_sync::{Engine, Source, SyncOptions, open_warehouse};
/// let engine = Engine::new(open_warehouse("sqlite://canvass.db").await?);
/// let report = engine.sync(&[Source::new("petitions", connector)], &SyncOptions::default()).await?;
/// println!("{}", serde_json::to_string_pretty(&report)?);
/// std::process::exit(if report.is_success() { 0 } else { 2 });
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Engine {
    warehouse: Arc<dyn Warehouse>,
}

impl Engine {
    /// An engine writing into `warehouse`.
    pub fn new(warehouse: Arc<dyn Warehouse>) -> Engine {
        Engine { warehouse }
    }

    /// The warehouse.
    pub fn warehouse(&self) -> &Arc<dyn Warehouse> {
        &self.warehouse
    }

    /// Pulls every source (concurrently, each at its connector's own rate
    /// limit) and, unless told not to, resolves identities.
    ///
    /// A failing record, kind or source is reported, never fatal: the other
    /// sources and kinds go on. Check [`RunReport::is_success`].
    ///
    /// # Errors
    /// Only when the warehouse itself fails to open or close the run.
    pub async fn sync(&self, sources: &[Source], options: &SyncOptions) -> SyncResult<RunReport> {
        let run_id = if options.dry_run {
            0
        } else {
            self.warehouse.begin_run().await?
        };
        let started_at = Utc::now();
        let reports =
            futures::future::join_all(sources.iter().map(|s| self.sync_source(run_id, s, options)))
                .await;
        let mut report = RunReport {
            run_id,
            dry_run: options.dry_run,
            started_at,
            finished_at: None,
            sources: reports,
            identity: None,
            error: None,
        };
        if !options.dry_run && !options.skip_identity {
            self.emit(options, ProgressEvent::ResolvingIdentities);
            match resolve_identities(&self.warehouse, options.identity).await {
                Ok(summary) => report.identity = Some(summary),
                Err(e) => report.error = Some(format!("identity resolution failed: {e}")),
            }
        }
        report.finished_at = Some(Utc::now());
        if !options.dry_run {
            self.warehouse.finish_run(run_id, &report).await?;
        }
        Ok(report)
    }

    fn emit(&self, options: &SyncOptions, event: ProgressEvent) {
        if let Some(p) = &options.progress {
            p.event(&event);
        }
    }

    async fn sync_source(
        &self,
        run_id: i64,
        source: &Source,
        options: &SyncOptions,
    ) -> SourceReport {
        let info = source.connector.info();
        let mut report = SourceReport {
            name: source.name.clone(),
            system: info.system.clone(),
            kinds: Vec::new(),
            error: None,
        };
        // People first, so identity has people before what points at them.
        for kind in EntityKind::ALL
            .iter()
            .chain(info.reads.iter().filter(|k| !EntityKind::ALL.contains(k)))
        {
            if !info.can_read(kind)
                || options
                    .kinds
                    .as_ref()
                    .is_some_and(|only| !only.contains(kind))
            {
                continue;
            }
            let incremental = info.incremental.contains(kind);
            let kind_report = self
                .sync_kind(run_id, source, kind, incremental, options)
                .await;
            let auth_failed = kind_report
                .error
                .as_deref()
                .is_some_and(|e| e.starts_with("auth: "));
            report.kinds.push(kind_report);
            if auth_failed {
                report.error = Some("credentials refused; remaining kinds skipped".into());
                break;
            }
        }
        self.emit(
            options,
            ProgressEvent::SourceFinished {
                source: source.name.clone(),
                success: report.is_success(),
            },
        );
        report
    }

    async fn sync_kind(
        &self,
        run_id: i64,
        source: &Source,
        kind: &EntityKind,
        incremental: bool,
        options: &SyncOptions,
    ) -> KindReport {
        let mut report = KindReport::new(kind.clone());
        let since = match self.warehouse.checkpoint(&source.name, kind).await {
            Ok(cp) => cp,
            Err(e) => {
                report.error = Some(format!("warehouse: {e}"));
                return report;
            }
        };
        self.emit(
            options,
            ProgressEvent::KindStarted {
                source: source.name.clone(),
                kind: kind.clone(),
                resumed: since.is_some(),
            },
        );
        let mut pages = source.connector.read(kind.clone(), since);
        while let Some(item) = pages.next().await {
            let page = match item {
                Ok(page) => page,
                Err(e) if e.is_not_offered() => {
                    // Optional for this account: what was read is stored,
                    // the kind is reported as skipped, the run goes on.
                    report.skipped = Some(e.to_string());
                    break;
                }
                Err(e) => {
                    report.error = Some(format!("{}: {e}", e.kind()));
                    break;
                }
            };
            let stored = self
                .warehouse
                .store_page(PageWrite {
                    run_id,
                    source: &source.name,
                    kind,
                    page: &page,
                    dry_run: options.dry_run,
                })
                .await;
            match stored {
                Ok(counts) => {
                    report.pages += 1;
                    report.counts.add(&counts);
                    report.failures.extend(page.issues.iter().map(|i| Failure {
                        record: i.record.clone(),
                        field: i.field.clone(),
                        reason: i.message.clone(),
                        skipped: i.skipped,
                    }));
                    self.emit(
                        options,
                        ProgressEvent::PageStored {
                            source: source.name.clone(),
                            kind: kind.clone(),
                            page: counts,
                            total: report.counts,
                            pages: report.pages,
                        },
                    );
                }
                Err(e) => {
                    report.error = Some(format!("warehouse: {e}"));
                    break;
                }
            }
        }
        // A full (non-incremental) read that finished starts over next run.
        if report.error.is_none()
            && !incremental
            && !options.dry_run
            && let Err(e) = self.warehouse.clear_checkpoint(&source.name, kind).await
        {
            report.error = Some(format!("warehouse: {e}"));
        }
        self.emit(
            options,
            ProgressEvent::KindFinished {
                source: source.name.clone(),
                kind: kind.clone(),
                total: report.counts,
                error: report.error.clone(),
            },
        );
        report
    }
}
