//! The `[van_sync]` table of `canvass.toml`: which VAN committees to push
//! into, with what credentials, and how source data maps onto VAN ids.
//!
//! ```
//! let config: canvass_vansync::VanSyncConfig = toml::from_str(r#"
//!     bulk_threshold = 500
//!
//!     [[targets]]
//!     name = "state-party"
//!     application_name = "canvass"
//!     api_key_env = "VAN_API_KEY"
//!     db_mode = "my_campaign"
//!     result_code_ids = { texted = 1006, canvassed = 1007 }
//!     opt_out_result_code_ids = { wrong_number = 1004, default = 1008 }
//!     activist_codes = { "Volunteer" = 1001 }
//!
//!     [targets.events."mobilize:12"]
//!     event_id = 1370
//!     shift_id = 2162
//!
//!     [[targets.surveys]]
//!     question = "Support"
//!     survey_question_id = 54945
//!     answers = { "yes" = 245998, "no" = 245999 }
//! "#).unwrap();
//! assert_eq!(config.targets[0].ledger_target(), "van:state-party");
//! assert!(config.validate().is_ok());
//! ```

use std::collections::{BTreeMap, BTreeSet};

use canvass_core::http::RateLimit;
use canvass_van::DbMode;
use serde::{Deserialize, Serialize};

use crate::error::VanSyncError;
use crate::rules::Rule;

fn default_bulk_threshold() -> usize {
    1000
}

fn default_concurrency() -> usize {
    4
}

fn default_sample() -> usize {
    5
}

/// The whole `[van_sync]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VanSyncConfig {
    /// Above this many pending activist-code applications (or survey
    /// responses) for one committee, they go through one VAN bulk import job
    /// instead of one request each (default 1000). Needs an uploader
    /// ([`VanSync::with_uploader`](crate::VanSync::with_uploader)).
    #[serde(default = "default_bulk_threshold")]
    pub bulk_threshold: usize,
    /// VAN calls in flight at once per committee (default 4).
    #[serde(default = "default_concurrency")]
    pub concurrency: usize,
    /// How many writes of each rule a dry run shows (default 5).
    #[serde(default = "default_sample")]
    pub sample_size: usize,
    /// The committees (VAN API keys) to push into.
    pub targets: Vec<TargetConfig>,
}

/// One VAN committee: its credentials and its mappings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetConfig {
    /// A short name; the push ledger records writes under `van:<name>`.
    pub name: String,
    /// The system whose person links are this committee's VAN ids (the
    /// `system` of records pulled from it; default `"van"`). Two committees
    /// pulled as sources need two system names; a committee that is only
    /// pushed into resolves people through findOrCreate and the ledger.
    #[serde(default)]
    pub link_system: Option<String>,
    /// The VAN application name (Basic-auth user name).
    #[serde(default)]
    pub application_name: Option<String>,
    /// The environment variable holding the API key (default `VAN_API_KEY`).
    #[serde(default)]
    pub api_key_env: Option<String>,
    /// `0`/`"voter_file"` or `1`/`"my_campaign"` (default `my_campaign`).
    #[serde(default)]
    pub db_mode: Option<DbMode>,
    /// Another host (EveryAction, a simulator).
    #[serde(default)]
    pub base_url: Option<String>,
    /// Client-side rate limit (VAN's is tiered and unpublished; default 20/s).
    #[serde(default)]
    pub rate_limit: Option<RateLimit>,
    /// Which rules run for this committee (default: all).
    #[serde(default)]
    pub rules: Option<BTreeSet<Rule>>,
    /// Only records from these systems feed this committee (default: every
    /// system except `link_system`).
    #[serde(default)]
    pub source_systems: Option<BTreeSet<String>>,
    /// Contact type per channel; `sms` defaults to 37 (SMS Text).
    #[serde(default)]
    pub contact_type_ids: BTreeMap<String, u64>,
    /// The canvass responses' input type (default 11, API).
    #[serde(default)]
    pub input_type_id: Option<u64>,
    /// Result codes of texting contact history: `texted` and `canvassed`.
    #[serde(default)]
    pub result_code_ids: BTreeMap<String, u64>,
    /// Result code recorded with an SMS opt-out, by reason (`requested`,
    /// `wrong_number`, `blocked`, `undeliverable`, `unknown`), with
    /// `default` for any other.
    #[serde(default)]
    pub opt_out_result_code_ids: BTreeMap<String, u64>,
    /// Signup status ids by canonical attendance status; VAN's usual ids
    /// are the defaults (registered → Scheduled 1, confirmed → Confirmed
    /// 11, attended → Completed 2, no_show → No Show 6, cancelled →
    /// Cancelled 18, declined → Declined 3, tentative → 19, invited → 4,
    /// walk_in → 15).
    #[serde(default)]
    pub signup_status_ids: BTreeMap<String, u64>,
    /// Source events (`"system:id"`) and the VAN event each maps to.
    #[serde(default)]
    pub events: BTreeMap<String, EventMapping>,
    /// Tag name (matched case-insensitively, trimmed) → activist code id.
    #[serde(default)]
    pub activist_codes: BTreeMap<String, u64>,
    /// Survey question mappings.
    #[serde(default)]
    pub surveys: Vec<SurveyMapping>,
    /// Opt-in: create a VAN event (with its shifts) for each source event
    /// that RSVPs point to and `events` does not map (default: off, such
    /// RSVPs are only counted as unmapped).
    #[serde(default)]
    pub create_events: Option<CreateEvents>,
}

/// What VAN needs to create an event that the canonical event lacks: the
/// `create_events` table of a target.
///
/// ```
/// let t: canvass_vansync::TargetConfig = toml::from_str(r#"
///     name = "state"
///     create_events = { event_type_id = 372, role_id = 111687 }
/// "#).unwrap();
/// assert_eq!(t.create_events.unwrap().role_id, 111687);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateEvents {
    /// The VAN event type of created events (`GET /events/types`).
    pub event_type_id: u64,
    /// The VAN role signups to created events get (one of the event
    /// type's roles).
    pub role_id: u64,
}

/// Where a source event's signups go in VAN.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventMapping {
    /// The VAN event id.
    pub event_id: u64,
    /// The VAN shift for signups whose source shift is not in `shifts`
    /// (default: the event's first shift, read from VAN).
    #[serde(default)]
    pub shift_id: Option<u64>,
    /// The VAN role (default: the event's first role, read from VAN).
    #[serde(default)]
    pub role_id: Option<u64>,
    /// Source shift (`"system:id"`) → VAN shift id.
    #[serde(default)]
    pub shifts: BTreeMap<String, u64>,
}

/// One survey question: which source questions feed it and how answers map.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SurveyMapping {
    /// The source question: its `"system:id"`, or its name (case-insensitive).
    pub question: String,
    /// The VAN survey question id.
    pub survey_question_id: u64,
    /// Source answer (text or option id, case-insensitive) → VAN survey response id.
    pub answers: BTreeMap<String, u64>,
}

/// VAN's usual signup status ids, by canonical attendance status.
pub const DEFAULT_SIGNUP_STATUS_IDS: [(&str, u64); 9] = [
    ("registered", 1),
    ("confirmed", 11),
    ("attended", 2),
    ("no_show", 6),
    ("cancelled", 18),
    ("declined", 3),
    ("tentative", 19),
    ("invited", 4),
    ("walk_in", 15),
];

impl TargetConfig {
    /// A target named `name` with no mappings (build up the rest with
    /// struct update syntax or by setting fields).
    pub fn new(name: impl Into<String>) -> TargetConfig {
        TargetConfig {
            name: name.into(),
            link_system: None,
            application_name: None,
            api_key_env: None,
            db_mode: None,
            base_url: None,
            rate_limit: None,
            rules: None,
            source_systems: None,
            contact_type_ids: BTreeMap::new(),
            input_type_id: None,
            result_code_ids: BTreeMap::new(),
            opt_out_result_code_ids: BTreeMap::new(),
            signup_status_ids: BTreeMap::new(),
            events: BTreeMap::new(),
            activist_codes: BTreeMap::new(),
            surveys: Vec::new(),
            create_events: None,
        }
    }

    /// The name the push ledger records this committee's writes under.
    pub fn ledger_target(&self) -> String {
        format!("van:{}", self.name)
    }

    /// The system whose links are VAN ids of this committee.
    pub fn link_system(&self) -> &str {
        self.link_system.as_deref().unwrap_or("van")
    }

    /// Whether events are created in VAN for unmapped source events: a
    /// `create_events` table and both rules running.
    pub fn creates_events(&self) -> Option<&CreateEvents> {
        self.create_events
            .as_ref()
            .filter(|_| self.runs(Rule::CreateEvents) && self.runs(Rule::RsvpsToSignups))
    }

    /// Whether `rule` runs for this committee.
    pub fn runs(&self, rule: Rule) -> bool {
        self.rules.as_ref().is_none_or(|r| r.contains(&rule))
    }

    /// Whether records from `system` feed this committee.
    pub fn reads_from(&self, system: &str) -> bool {
        match &self.source_systems {
            Some(s) => s.contains(system),
            None => system != self.link_system(),
        }
    }

    /// The contact type of SMS contact history.
    pub fn sms_contact_type(&self) -> u64 {
        self.contact_type_ids.get("sms").copied().unwrap_or(37)
    }

    /// The input type of canvass responses.
    pub fn input_type(&self) -> u64 {
        self.input_type_id.unwrap_or(11)
    }

    /// The signup status id for a canonical attendance status.
    pub fn signup_status_id(&self, status: &str) -> Option<u64> {
        self.signup_status_ids.get(status).copied().or_else(|| {
            DEFAULT_SIGNUP_STATUS_IDS
                .iter()
                .find(|(s, _)| *s == status)
                .map(|(_, id)| *id)
        })
    }

    /// The result code of an SMS opt-out with this reason.
    pub fn opt_out_result_code(&self, reason: &str) -> Option<u64> {
        self.opt_out_result_code_ids
            .get(reason)
            .or_else(|| self.opt_out_result_code_ids.get("default"))
            .copied()
    }

    /// The activist code for a tag name (case-insensitive, trimmed).
    pub fn activist_code(&self, tag_name: &str) -> Option<u64> {
        let wanted = tag_name.trim().to_lowercase();
        self.activist_codes
            .iter()
            .find(|(name, _)| name.trim().to_lowercase() == wanted)
            .map(|(_, id)| *id)
    }

    fn validate(&self) -> Result<(), VanSyncError> {
        let bad = |field: &str, reason: String| VanSyncError::Config {
            field: format!("van_sync.targets.{}.{field}", self.name),
            reason,
        };
        if self.name.trim().is_empty() {
            return Err(VanSyncError::Config {
                field: "van_sync.targets.name".into(),
                reason: "every target needs a name".into(),
            });
        }
        for key in self.events.keys() {
            if key
                .split_once(':')
                .is_none_or(|(s, i)| s.is_empty() || i.is_empty())
            {
                return Err(bad(
                    &format!("events.{key}"),
                    "source events are named \"system:id\", e.g. \"mobilize:12\"".into(),
                ));
            }
        }
        for key in self.result_code_ids.keys() {
            if !["texted", "canvassed"].contains(&key.as_str()) {
                return Err(bad(
                    &format!("result_code_ids.{key}"),
                    "texting contact history has two results: texted and canvassed".into(),
                ));
            }
        }
        for key in self.opt_out_result_code_ids.keys() {
            if ![
                "requested",
                "wrong_number",
                "blocked",
                "undeliverable",
                "unknown",
                "default",
            ]
            .contains(&key.as_str())
            {
                return Err(bad(
                    &format!("opt_out_result_code_ids.{key}"),
                    "use an opt-out reason (requested, wrong_number, blocked, undeliverable, unknown) or default".into(),
                ));
            }
        }
        for key in self.signup_status_ids.keys() {
            if !DEFAULT_SIGNUP_STATUS_IDS.iter().any(|(s, _)| s == key) {
                return Err(bad(
                    &format!("signup_status_ids.{key}"),
                    "use a canonical attendance status (registered, confirmed, attended, no_show, cancelled, declined, tentative, invited, walk_in)".into(),
                ));
            }
        }
        if let Some(c) = &self.create_events {
            if c.event_type_id == 0 {
                return Err(bad(
                    "create_events.event_type_id",
                    "give the VAN event type of created events (an id from GET /events/types)"
                        .into(),
                ));
            }
            if c.role_id == 0 {
                return Err(bad(
                    "create_events.role_id",
                    "give the VAN role signups to created events get (one of the event type's roles)"
                        .into(),
                ));
            }
            if !self.runs(Rule::CreateEvents) {
                return Err(bad(
                    "create_events",
                    "rules does not list create_events: add it to rules, or remove the create_events table".into(),
                ));
            }
            if !self.runs(Rule::RsvpsToSignups) {
                return Err(bad(
                    "create_events",
                    "events are created for RSVPs: rules must list rsvps_to_signups too".into(),
                ));
            }
        } else if self
            .rules
            .as_ref()
            .is_some_and(|r| r.contains(&Rule::CreateEvents))
        {
            return Err(bad(
                "rules",
                "create_events is listed but the target has no create_events table (event_type_id, role_id)".into(),
            ));
        }
        for (i, s) in self.surveys.iter().enumerate() {
            if s.answers.is_empty() {
                return Err(bad(
                    &format!("surveys[{i}].answers"),
                    format!("question {:?} maps no answers", s.question),
                ));
            }
        }
        Ok(())
    }
}

impl VanSyncConfig {
    /// A config with these targets and the default settings.
    pub fn new(targets: Vec<TargetConfig>) -> VanSyncConfig {
        VanSyncConfig {
            bulk_threshold: default_bulk_threshold(),
            concurrency: default_concurrency(),
            sample_size: default_sample(),
            targets,
        }
    }

    /// Decodes the `[van_sync]` table (as JSON, the way the registry passes
    /// config sections), naming the key at fault.
    ///
    /// # Errors
    /// [`VanSyncError::Config`] naming the field.
    pub fn from_value(value: &serde_json::Value) -> Result<VanSyncConfig, VanSyncError> {
        let config: VanSyncConfig =
            serde_json::from_value(value.clone()).map_err(|e| VanSyncError::Config {
                field: "van_sync".into(),
                reason: e.to_string(),
            })?;
        config.validate()?;
        Ok(config)
    }

    /// Checks names and mapping keys.
    ///
    /// # Errors
    /// [`VanSyncError::Config`] naming the field and what is wrong.
    pub fn validate(&self) -> Result<(), VanSyncError> {
        if self.targets.is_empty() {
            return Err(VanSyncError::Config {
                field: "van_sync.targets".into(),
                reason: "configure at least one VAN committee under [[van_sync.targets]]".into(),
            });
        }
        let mut names = BTreeSet::new();
        for t in &self.targets {
            t.validate()?;
            if !names.insert(t.name.clone()) {
                return Err(VanSyncError::Config {
                    field: format!("van_sync.targets.{}", t.name),
                    reason: "two targets have this name".into(),
                });
            }
        }
        Ok(())
    }
}
