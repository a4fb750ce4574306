//! [`VanSync`]: the public entry point (config → plan → push).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use canvass_core::registry::{SecretSource, require_secret};
use canvass_core::{EntityKind, Record};
use canvass_sync::{LedgerStatus, Warehouse};
use canvass_van::client::Uploader;
use canvass_van::{DbMode, VanClient};
use futures::StreamExt;
use serde::{Deserialize, Serialize};

use crate::config::{TargetConfig, VanSyncConfig};
use crate::error::VanSyncError;
use crate::execute::Executor;
use crate::plan::{Inputs, Plan, plan_target};
use crate::report::PushReport;

/// What an operator found in VAN about a write in doubt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InDoubtResolution {
    /// VAN has it: mark it written, never send it.
    Written,
    /// VAN does not have it: the next push sends it.
    Resend,
}

/// The standardized VAN sync: push rules from the warehouse into one or
/// more VAN committees, exactly once through the push ledger.
///
/// ```no_run
/// # async fn demo(warehouse: std::sync::Arc<dyn canvass_sync::Warehouse>) -> Result<(), canvass_vansync::VanSyncError> {
/// use canvass_core::registry::EnvSecrets;
/// let table = serde_json::json!({
///     "targets": [{"name": "state", "application_name": "canvass", "api_key_env": "VAN_API_KEY",
///                  "activist_codes": {"Volunteer": 4369730}}]
/// });
/// let sync = canvass_vansync::VanSync::from_config(&table, &EnvSecrets)?;
/// let plan = sync.plan(warehouse.as_ref()).await?;
/// print!("{}", plan.summary());                // what `--dry-run` prints
/// let report = sync.execute(warehouse.as_ref(), &plan).await?;
/// print!("{report}");
/// std::process::exit(if report.is_success() { 0 } else { 2 });
/// # }
/// ```
pub struct VanSync {
    config: VanSyncConfig,
    clients: BTreeMap<String, VanClient>,
    uploaders: BTreeMap<String, Arc<dyn Uploader>>,
    default_uploader: Option<Arc<dyn Uploader>>,
}

impl std::fmt::Debug for VanSync {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VanSync")
            .field("targets", &self.clients.keys().collect::<Vec<_>>())
            .field("clients", &self.clients)
            .field("bulk_threshold", &self.config.bulk_threshold)
            .finish_non_exhaustive()
    }
}

fn client_for(t: &TargetConfig, secrets: &dyn SecretSource) -> Result<VanClient, VanSyncError> {
    let field = |f: &str| format!("van_sync.targets.{}.{f}", t.name);
    let app = t
        .application_name
        .clone()
        .ok_or_else(|| VanSyncError::Config {
            field: field("application_name"),
            reason: "the VAN application name (Basic-auth user name) is required".into(),
        })?;
    let env = t.api_key_env.as_deref().unwrap_or("VAN_API_KEY");
    let key = require_secret(secrets, &field("api_key_env"), env)?;
    let mut builder = VanClient::builder(
        app,
        canvass_core::ExposeSecret::expose_secret(&key),
        t.db_mode.unwrap_or(DbMode::MyCampaign),
    );
    if let Some(url) = &t.base_url {
        let url = url::Url::parse(url).map_err(|e| VanSyncError::Config {
            field: field("base_url"),
            reason: e.to_string(),
        })?;
        builder = builder.base_url(url);
    }
    if let Some(limit) = t.rate_limit {
        builder = builder.rate_limit(limit);
    }
    Ok(builder.build()?)
}

impl VanSync {
    /// Builds the sync from the `[van_sync]` table (as JSON) and the
    /// secrets its `api_key_env` names: one VAN client per committee.
    ///
    /// # Errors
    /// [`VanSyncError::Config`] naming the bad key or the unset variable.
    pub fn from_config(
        table: &serde_json::Value,
        secrets: &dyn SecretSource,
    ) -> Result<VanSync, VanSyncError> {
        VanSync::new(VanSyncConfig::from_value(table)?, secrets)
    }

    /// Builds the sync from a decoded config and the secrets.
    ///
    /// # Errors
    /// As [`from_config`](Self::from_config).
    pub fn new(config: VanSyncConfig, secrets: &dyn SecretSource) -> Result<VanSync, VanSyncError> {
        config.validate()?;
        let clients = config
            .targets
            .iter()
            .map(|t| Ok((t.name.clone(), client_for(t, secrets)?)))
            .collect::<Result<_, VanSyncError>>()?;
        Ok(VanSync {
            config,
            clients,
            uploaders: BTreeMap::new(),
            default_uploader: None,
        })
    }

    /// Builds the sync with ready-made clients, by target name (tests, the
    /// demo, Rust tools with their own client set-up).
    ///
    /// # Errors
    /// [`VanSyncError::Config`] when a target has no client.
    pub fn with_clients(
        config: VanSyncConfig,
        clients: impl IntoIterator<Item = (String, VanClient)>,
    ) -> Result<VanSync, VanSyncError> {
        config.validate()?;
        let clients: BTreeMap<String, VanClient> = clients.into_iter().collect();
        if let Some(t) = config
            .targets
            .iter()
            .find(|t| !clients.contains_key(&t.name))
        {
            return Err(VanSyncError::Config {
                field: format!("van_sync.targets.{}", t.name),
                reason: "no VAN client was given for this target".into(),
            });
        }
        Ok(VanSync {
            config,
            clients,
            uploaders: BTreeMap::new(),
            default_uploader: None,
        })
    }

    /// Where bulk import files go (VAN fetches them from a URL), for every
    /// committee. Without an uploader, everything goes one call at a time.
    pub fn with_uploader(mut self, uploader: Arc<dyn Uploader>) -> VanSync {
        self.default_uploader = Some(uploader);
        self
    }

    /// An uploader for one committee only.
    pub fn with_target_uploader(mut self, target: &str, uploader: Arc<dyn Uploader>) -> VanSync {
        self.uploaders.insert(target.to_string(), uploader);
        self
    }

    /// The config.
    pub fn config(&self) -> &VanSyncConfig {
        &self.config
    }

    /// The VAN client of a committee.
    pub fn client(&self, target: &str) -> Option<&VanClient> {
        self.clients.get(target)
    }

    /// Plans every committee's writes from what the warehouse holds (records,
    /// identities, the ledger). Reads only.
    ///
    /// # Errors
    /// When the warehouse cannot be read.
    pub async fn plan(&self, warehouse: &dyn Warehouse) -> Result<Plan, VanSyncError> {
        let with_events = self
            .config
            .targets
            .iter()
            .any(|t| t.creates_events().is_some());
        let inputs = gather(warehouse, with_events).await?;
        Ok(Plan {
            targets: self
                .config
                .targets
                .iter()
                .map(|t| plan_target(t, &inputs))
                .collect(),
            sample_size: self.config.sample_size,
            bulk_threshold: self.config.bulk_threshold,
        })
    }

    /// Pushes a plan into VAN through the ledger (see [`crate::execute`]).
    /// Refused writes are in the report, not errors. Each committee is
    /// pushed holding its push lock in the warehouse (renewed while the
    /// push runs, lapsing [`PUSH_LOCK_TTL`] after a push that died), so
    /// two pushes to one committee never run at once.
    ///
    /// # Errors
    /// When the warehouse fails (the ledger must record every outcome, so
    /// the push stops rather than write what it cannot record), and
    /// [`canvass_sync::SyncError::PushLocked`] when another push to a
    /// committee is running.
    pub async fn execute(
        &self,
        warehouse: &dyn Warehouse,
        plan: &Plan,
    ) -> Result<PushReport, VanSyncError> {
        let mut report = PushReport::default();
        for tp in &plan.targets {
            let (Some(target), Some(client)) = (
                self.config.targets.iter().find(|t| t.name == tp.target),
                self.clients.get(&tp.target),
            ) else {
                return Err(VanSyncError::Config {
                    field: format!("van_sync.targets.{}", tp.target),
                    reason: "the plan names a target this sync is not configured for".into(),
                });
            };
            let uploader = self
                .uploaders
                .get(&tp.target)
                .or(self.default_uploader.as_ref())
                .map(|u| u.as_ref());
            let executor = Executor {
                warehouse,
                client,
                uploader,
                target,
                plan: tp,
                concurrency: self.config.concurrency,
                bulk_threshold: self.config.bulk_threshold,
            };
            report
                .targets
                .push(locked(warehouse, &tp.ledger_target, executor.run()).await?);
        }
        Ok(report)
    }

    /// Plans and pushes.
    ///
    /// # Errors
    /// As [`plan`](Self::plan) and [`execute`](Self::execute).
    pub async fn push(&self, warehouse: &dyn Warehouse) -> Result<PushReport, VanSyncError> {
        let plan = self.plan(warehouse).await?;
        self.execute(warehouse, &plan).await
    }

    /// Settles a write a push reported in doubt, once an operator has
    /// checked VAN: [`InDoubtResolution::Written`] never sends it,
    /// [`InDoubtResolution::Resend`] lets the next push send it.
    ///
    /// # Errors
    /// [`canvass_sync::SyncError::Ledger`] when no write has that key.
    pub async fn resolve_in_doubt(
        &self,
        warehouse: &dyn Warehouse,
        key: &str,
        resolution: InDoubtResolution,
    ) -> Result<(), VanSyncError> {
        match resolution {
            InDoubtResolution::Written => warehouse.ledger_mark_written(key, None).await?,
            InDoubtResolution::Resend => {
                warehouse
                    .ledger_mark_failed(key, "not found in VAN by an operator; send again")
                    .await?
            }
        }
        Ok(())
    }
}

/// How long a push lock lasts unless renewed: how soon the lock of a push
/// that died lets the next push in.
pub const PUSH_LOCK_TTL: Duration = Duration::from_secs(15 * 60);

/// How often a running push renews its lock.
const PUSH_LOCK_RENEWAL: Duration = Duration::from_secs(5 * 60);

/// A name for this push, unique across processes and within one.
fn lock_holder() -> String {
    static PUSHES: AtomicU64 = AtomicU64::new(0);
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "this host".into());
    format!(
        "canvass pid {} on {host} (push {})",
        std::process::id(),
        PUSHES.fetch_add(1, Ordering::Relaxed) + 1
    )
}

/// Runs `push` holding the push lock of `target`, renewing it while the push
/// runs and releasing it after, so two pushes to one committee never
/// interleave. A renewal that fails stops the push.
async fn locked<T>(
    warehouse: &dyn Warehouse,
    target: &str,
    push: impl std::future::Future<Output = Result<T, VanSyncError>>,
) -> Result<T, VanSyncError> {
    let holder = lock_holder();
    warehouse.push_lock(target, &holder, PUSH_LOCK_TTL).await?;
    let renew = async {
        loop {
            tokio::time::sleep(PUSH_LOCK_RENEWAL).await;
            if let Err(e) = warehouse.push_lock(target, &holder, PUSH_LOCK_TTL).await {
                return e;
            }
        }
    };
    let outcome = tokio::select! {
        done = push => done,
        failed = renew => Err::<T, VanSyncError>(VanSyncError::Warehouse(failed)),
    };
    let released = warehouse.push_unlock(target, &holder).await;
    let value = outcome?;
    released?;
    Ok(value)
}

/// Reads everything planning needs.
async fn gather(warehouse: &dyn Warehouse, with_events: bool) -> Result<Inputs, VanSyncError> {
    let mut inputs = Inputs::default();
    let mut people = warehouse.canonical_people();
    while let Some(p) = people.next().await {
        let p = p?;
        inputs.people.insert(p.person.canonical_id.clone(), p);
    }
    let event_kinds: &[EntityKind] = if with_events {
        &[EntityKind::Events, EntityKind::Shifts]
    } else {
        &[]
    };
    for kind in [
        EntityKind::People,
        EntityKind::Attendances,
        EntityKind::Tags,
        EntityKind::Taggings,
        EntityKind::ContactAttempts,
        EntityKind::OptOuts,
        EntityKind::SurveyQuestions,
        EntityKind::SurveyResponses,
    ]
    .iter()
    .chain(event_kinds)
    .cloned()
    {
        let mut stream = warehouse.records(kind);
        while let Some(item) = stream.next().await {
            let item = item?;
            let cid = item.canonical_person_id;
            match item.record {
                Record::Person(p) => {
                    if let Some(cid) = cid {
                        inputs.person_records.entry(cid).or_default().push(p);
                    }
                }
                Record::Attendance(a) => inputs.attendances.push((a, cid)),
                Record::Tag(t) => {
                    inputs.tags.insert(t.source, t.name);
                }
                Record::Tagging(t) => inputs.taggings.push((t, cid)),
                Record::ContactAttempt(c) => inputs.contact_attempts.push((c, cid)),
                Record::OptOut(o) => inputs.opt_outs.push((o, cid)),
                Record::SurveyQuestion(q) => {
                    inputs.survey_questions.insert(q.source.clone(), q);
                }
                Record::SurveyResponse(r) => inputs.survey_responses.push((r, cid)),
                Record::Event(e) => {
                    inputs.events.insert(e.source.clone(), e);
                }
                Record::Shift(s) => inputs.shifts.entry(s.event.clone()).or_default().push(s),
                _ => {}
            }
        }
    }
    inputs.ledger = ledger_index(warehouse).await?;
    Ok(inputs)
}

/// Every ledger entry's status and outcome, by key, in one pass.
async fn ledger_index(
    warehouse: &dyn Warehouse,
) -> Result<HashMap<String, (LedgerStatus, Option<String>)>, VanSyncError> {
    let mut out = HashMap::new();
    let mut rows = warehouse.export("push_ledger");
    let mut columns: Option<(usize, usize, usize)> = None;
    while let Some(row) = rows.next().await {
        let row = row?;
        let (k, s, o) = match columns {
            Some(c) => c,
            None => {
                let at = |name: &str| row.columns.iter().position(|c| c == name);
                let (Some(k), Some(s), Some(o)) =
                    (at("idempotency_key"), at("status"), at("outcome_id"))
                else {
                    return Err(VanSyncError::Warehouse(canvass_sync::SyncError::Ledger(
                        "the push_ledger export lacks idempotency_key, status or outcome_id".into(),
                    )));
                };
                columns = Some((k, s, o));
                (k, s, o)
            }
        };
        let text = |i: usize| {
            row.values
                .get(i)
                .and_then(|v| v.as_str())
                .map(str::to_string)
        };
        let (Some(key), Some(status)) = (text(k), text(s)) else {
            continue;
        };
        let status: LedgerStatus = serde_json::from_value(serde_json::Value::String(status))
            .unwrap_or(LedgerStatus::Planned);
        out.insert(key, (status, text(o)));
    }
    Ok(out)
}
