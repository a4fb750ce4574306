//! # canvass-vansync
//!
//! The standardized VAN sync: one set of push rules, configured once in the
//! `[van_sync]` table of `canvass.toml`, that every tool feeds.
//!
//! | rule | from | into VAN |
//! |---|---|---|
//! | `create_events` | Mobilize and Action Network events RSVPs point to, unmapped (opt-in) | events with their shifts |
//! | `rsvps_to_signups` | Mobilize and Action Network RSVPs | event signups (status changes update them) |
//! | `tags_to_activist_codes` | Action Network and texting tags | activist codes (by a name mapping) |
//! | `texts_to_contact_history` | texting contact attempts | contact history: texted (once per person, campaign and day), canvassed when they reply, SMS contact type |
//! | `opt_outs` | SMS opt-outs with reasons | the phone's SMS opt-out and the reason's result code |
//! | `survey_responses` | survey answers and form fields | survey responses (a question / answer mapping) |
//!
//! - [`VanSync::plan`] reads the warehouse and returns a [`Plan`]: pure,
//!   deterministic, with an idempotency key per write derived from its
//!   source records. [`Plan::summary`] is the `--dry-run` output.
//! - [`VanSync::execute`] resolves each person into VAN (the VAN id the
//!   canonical person already has, else `findOrCreate` with the strongest
//!   documented match combination, the link kept in the push ledger; people
//!   with no valid combination are reported, never created), then writes
//!   through the push ledger so nothing is written twice (see [`execute`]
//!   for the exact guarantee), using a bulk import job above a configured
//!   size, for each configured committee.
//! - The [`PushReport`] lists every failed write with the person, the rule
//!   and VAN's error; [`PushReport::is_success`] is the exit status.
//!
//! Why a crate of its own: the rules need both the engine (warehouse,
//! identities, ledger: `canvass-sync`) and the VAN client (`canvass-van`),
//! and the engine must not depend on a vendor crate.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use canvass_core::registry::EnvSecrets;
//! let warehouse = canvass_sync::open_warehouse("sqlite://canvass.db").await?;
//! let table: serde_json::Value = serde_json::json!({
//!     "targets": [{
//!         "name": "state-party",
//!         "application_name": "canvass",
//!         "api_key_env": "VAN_API_KEY",
//!         "result_code_ids": {"texted": 1006, "canvassed": 1007},
//!         "activist_codes": {"Volunteer": 4369730},
//!         "events": {"mobilize:12": {"event_id": 1370}}
//!     }]
//! });
//! let sync = canvass_vansync::VanSync::from_config(&table, &EnvSecrets)?;
//! let plan = sync.plan(warehouse.as_ref()).await?;
//! println!("{}", plan.summary());
//! let report = sync.execute(warehouse.as_ref(), &plan).await?;
//! println!("{report}");
//! # Ok(()) }
//! ```

pub mod config;
pub mod error;
pub mod execute;
pub mod key;
pub mod person;
pub mod plan;
pub mod report;
pub mod rules;
pub mod summary;
mod sync;

pub use config::{CreateEvents, EventMapping, SurveyMapping, TargetConfig, VanSyncConfig};
pub use error::VanSyncError;
pub use plan::{Plan, PlannedPerson, PlannedVanWrite, Resolution, TargetPlan, VanAction};
pub use report::{FailedWrite, InDoubtWrite, PushReport, RuleCounts, TargetReport};
pub use rules::Rule;
pub use summary::{PlanSummary, RuleSummary, TargetSummary};
pub use sync::{InDoubtResolution, PUSH_LOCK_TTL, VanSync};
