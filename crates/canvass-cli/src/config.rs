//! `canvass.toml`: the warehouse, the sources, and the VAN sync mappings.
//!
//! Every error names the file, the key and the fix.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;

use canvass_core::registry::{Registry, SecretSource};
use canvass_sync::Source;

/// A configuration problem, with the file it is in.
#[derive(Debug)]
pub struct ConfigError {
    /// The file.
    pub file: PathBuf,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.file.display(), self.message)
    }
}

impl std::error::Error for ConfigError {}

/// The whole file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CanvassConfig {
    /// Where the warehouse is.
    #[serde(default)]
    pub warehouse: WarehouseConfig,
    /// Sources by name; each table has `kind` plus the connector's own keys.
    #[serde(default)]
    pub sources: BTreeMap<String, toml::Table>,
    /// The standardized VAN sync (kept as a table; the push rules read it).
    #[serde(default)]
    pub van_sync: Option<toml::Table>,
    /// `[identity]`: identity resolution's guards, whether the probabilistic
    /// stage runs, and its match threshold.
    #[serde(default)]
    pub identity: canvass_sync::identity::IdentityConfig,
}

/// `[warehouse]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WarehouseConfig {
    /// `sqlite://path` or `postgres://...`.
    #[serde(default = "default_warehouse")]
    pub url: String,
}

impl Default for WarehouseConfig {
    fn default() -> Self {
        WarehouseConfig {
            url: default_warehouse(),
        }
    }
}

fn default_warehouse() -> String {
    "sqlite://canvass.db".into()
}

impl CanvassConfig {
    /// Reads and checks `path`.
    ///
    /// # Errors
    /// A [`ConfigError`] naming the file, the line or key, and the fix.
    pub fn load(path: &Path) -> Result<CanvassConfig, ConfigError> {
        let err = |message: String| ConfigError {
            file: path.to_path_buf(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| {
            err(format!(
                "cannot read it ({e}); create one with `canvass init` or pass --config PATH"
            ))
        })?;
        CanvassConfig::parse(&text).map_err(err)
    }

    /// Parses the text of a config file.
    ///
    /// # Errors
    /// The message (without the file name).
    pub fn parse(text: &str) -> Result<CanvassConfig, String> {
        let config: CanvassConfig = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].lines().count().max(1));
            match line {
                Some(l) => format!("line {l}: {}", e.message()),
                None => e.message().to_string(),
            }
        })?;
        let url = &config.warehouse.url;
        if !(url.starts_with("sqlite://")
            || url.starts_with("postgres://")
            || url.starts_with("postgresql://"))
        {
            return Err(format!(
                "key `warehouse.url` = {url:?}: expected `sqlite://PATH` or `postgres://USER@HOST/DB`"
            ));
        }
        config
            .identity
            .validate()
            .map_err(|e| format!("[identity]: {e}"))?;
        for (name, table) in &config.sources {
            match table.get("kind") {
                Some(toml::Value::String(_)) => {}
                Some(_) => {
                    return Err(format!(
                        "key `sources.{name}.kind` must be a string such as \"van\""
                    ));
                }
                None => {
                    return Err(format!(
                        "source `{name}` has no `kind`; add `kind = \"van\"` (or mobilize, actionnetwork, hustle, strive, spoke, csv)"
                    ));
                }
            }
            if let Some(toml::Value::String(u)) = table.get("base_url")
                && url::Url::parse(u).is_err()
            {
                return Err(format!(
                    "key `sources.{name}.base_url` = {u:?} is not a URL; write it like \"https://api.mobilize.us/v1/\""
                ));
            }
        }
        Ok(config)
    }

    /// Builds every source (or only `only`) through `registry`.
    ///
    /// # Errors
    /// A message naming the source's key and the fix (unknown kind, unset
    /// environment variable, bad key).
    pub fn build_sources(
        &self,
        registry: &Registry,
        secrets: &dyn SecretSource,
        only: Option<&str>,
    ) -> Result<Vec<Source>, String> {
        if let Some(only) = only
            && !self.sources.contains_key(only)
        {
            return Err(format!(
                "no source named `{only}`; configured: {}",
                self.sources.keys().cloned().collect::<Vec<_>>().join(", ")
            ));
        }
        let mut out = Vec::new();
        for (name, table) in &self.sources {
            if only.is_some_and(|o| o != name) {
                continue;
            }
            let mut table = table.clone();
            let kind = match table.remove("kind") {
                Some(toml::Value::String(k)) => k,
                _ => return Err(format!("source `{name}` has no `kind`")),
            };
            let json = serde_json::to_value(&table).map_err(|e| format!("sources.{name}: {e}"))?;
            let connector = registry.build(&kind, &json, secrets).map_err(|e| {
                format!(
                    "sources.{name}: {}",
                    e.to_string().trim_start_matches("configuration: ")
                )
            })?;
            out.push(Source::new(name.clone(), Arc::from(connector)));
        }
        Ok(out)
    }
}

/// The registry of every connector this binary knows.
pub fn registry() -> Registry {
    let mut r = Registry::new();
    r.register(canvass_van::KIND, canvass_van::factory)
        .register(canvass_actionnetwork::KIND, canvass_actionnetwork::factory)
        .register(canvass_mobilize::KIND, canvass_mobilize::factory)
        .register(canvass_hustle::KIND, canvass_hustle::factory)
        .register(canvass_strive::KIND, canvass_strive::factory)
        .register(canvass_spoke::KIND, canvass_spoke::factory)
        .register(canvass_files::KIND, canvass_files::factory);
    r
}

/// The commented config `canvass init` writes.
pub const TEMPLATE: &str = r#"# canvass configuration.
#
# Secrets never go in this file: each source names the environment variable
# that holds its key (e.g. `api_key_env = "VAN_API_KEY"`); export it before
# running canvass.

[warehouse]
# SQLite file (created if missing), or a PostgreSQL URL such as
# "postgres://canvass@localhost/organizing". A managed server (RDS, Cloud SQL,
# Supabase): TLS is required by default off loopback; add
# "?sslmode=verify-full&sslrootcert=/path/to/provider-ca.pem" to check who answers.
url = "sqlite://canvass.db"

[identity]
# Records no shared key joins (email; name + phone; name + ZIP + birth date;
# name + street + ZIP) can still be one person: "Bob" and "Robert", a typo in
# a surname. The probabilistic stage scores such pairs (Fellegi-Sunter over
# names, birth date, address, phone, email) and links those whose match
# probability reaches the threshold; every link keeps its rule and score in
# identity_links.
probabilistic = true
match_threshold = 0.99

# ---- Sources: one table per tool. The table name is yours; `kind` says
# ---- which connector. Remove the ones you don't use.

[sources.van]
kind = "van"
application_name = "my-canvass-app"     # your VAN API application name
api_key_env = "VAN_API_KEY"             # variable holding the API key (without |mode)
db_mode = "MyCampaign"                  # or "VoterFile"
# base_url = "https://api.securevan.com/v4/"
# rate_limit = 5.0                     # requests/s, overriding the client-side limit;
                                        # any source takes a number or { per_second = .., writes_per_second = .. }

[sources.mobilize]
kind = "mobilize"
organization_id = 1234                  # your Mobilize organization id
api_key_env = "MOBILIZE_API_KEY"
# base_url = "https://api.mobilize.us/v1/"

[sources.actionnetwork]
kind = "actionnetwork"
api_key_env = "ACTION_NETWORK_API_KEY"
# base_url = "https://actionnetwork.org/api/v2/"

[sources.hustle]
kind = "hustle"
client_id_env = "HUSTLE_CLIENT_ID"
client_secret_env = "HUSTLE_CLIENT_SECRET"

[sources.strive]
kind = "strive"
api_key_env = "STRIVE_API_KEY"

[sources.spoke]
kind = "spoke"
database_url_env = "SPOKE_DATABASE_URL"  # a read-only role on Spoke's database
# The URL's sslmode/sslrootcert set TLS (require by default off loopback), e.g.
# postgres://canvass_ro:PASSWORD@spoke-db.example.org/spoke?sslmode=verify-full&sslrootcert=/etc/canvass/ca.pem
api_token_env = "SPOKE_API_TOKEN"        # JWT for writes through /graphql
base_url = "https://spoke.example.org/"

# A file with no API behind it (a ThruText or Scale to Win export, an event
# sign-in sheet, a partner's CSV): header names -> canonical fields.
# A .xlsx path works too (also .xls, .ods): its first sheet, or sheet = "Sign-ins".
# [sources.signins]
# kind = "csv"
# path = "exports/sign-in-*.csv"        # a file, or a wildcard in the file name
# system = "signins"
# entity = "attendances"                # people, attendances, taggings, opt_outs, messages
# event = "Canvass launch"              # the sheet's one event (or map an `event` column)
# [sources.signins.columns]
# "First Name" = "given_name"
# "Last Name" = "family_name"
# "Email" = "email"
# "Cell" = "mobile_phone"
# "Tags" = "tags"

# ---- The standardized VAN sync (`canvass push van`): what goes into VAN.
# One [[van_sync.targets]] per VAN committee (API key). Every write has an
# idempotency key in the warehouse's push ledger, so re-running never
# writes twice.

[van_sync]
# bulk_threshold = 1000                 # above this, activist codes go through a bulk import job

[[van_sync.targets]]
name = "state"
link_system = "van"                     # VAN ids come from the `van` source above
application_name = "my-canvass-app"
api_key_env = "VAN_API_KEY"
db_mode = "MyCampaign"
# Result codes for texting contact history, and for opt-outs by reason.
result_code_ids = { texted = 1006, canvassed = 1007 }
opt_out_result_code_ids = { wrong_number = 20, default = 130 }
# RSVPs to source events with no mapping under [van_sync.targets.events]:
# create the event in VAN once, with its shifts (VAN needs a type and a role).
# create_events = { event_type_id = 123, role_id = 456 }

# Tag names (Action Network, texting) -> VAN activist code ids.
[van_sync.targets.activist_codes]
# "Volunteer" = 4369730

# Source events ("system:id") -> VAN events; shift and role default to the event's first.
[van_sync.targets.events]
# "mobilize:198" = { event_id = 1370 }
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_parses_and_names_every_kind() {
        let c = CanvassConfig::parse(TEMPLATE).expect("template parses");
        assert_eq!(c.sources.len(), 6);
        let kinds = registry().kinds().join(",");
        for t in c.sources.values() {
            let k = t.get("kind").and_then(|k| k.as_str()).unwrap_or_default();
            assert!(kinds.contains(k), "{k}");
        }
    }

    #[test]
    fn the_templates_van_sync_table_is_a_valid_van_sync_config() {
        let c = CanvassConfig::parse(TEMPLATE).expect("template parses");
        let table = serde_json::to_value(c.van_sync.expect("has [van_sync]")).expect("json");
        let config = canvass_vansync::VanSyncConfig::from_value(&table).expect("decodes");
        assert_eq!(config.targets.len(), 1);
        assert_eq!(
            config.targets[0].api_key_env.as_deref(),
            Some("VAN_API_KEY")
        );
    }

    #[test]
    fn the_identity_table_sets_the_probabilistic_stage_and_threshold() {
        let c = CanvassConfig::parse("[identity]\nprobabilistic = false\nmatch_threshold = 0.95\n")
            .expect("parses");
        assert!(!c.identity.probabilistic);
        assert!((c.identity.match_threshold - 0.95).abs() < 1e-12);
        let template = CanvassConfig::parse(TEMPLATE).expect("template parses");
        assert_eq!(
            template.identity,
            canvass_sync::identity::IdentityConfig::default()
        );
        let err = CanvassConfig::parse("[identity]\nmatch_threshold = 1.5\n").unwrap_err();
        assert!(
            err.contains("[identity]") && err.contains("match_threshold"),
            "{err}"
        );
        let err = CanvassConfig::parse("[identity]\nthreshold = 0.9\n").unwrap_err();
        assert!(err.contains("threshold"), "{err}");
    }

    #[test]
    fn a_bad_toml_line_is_reported_by_line() {
        let err = CanvassConfig::parse(
            "[warehouse]\nurl = \"sqlite://x.db\"\n\n[sources.van\nkind = 1\n",
        )
        .unwrap_err();
        assert!(err.starts_with("line 4"), "{err}");
    }

    #[test]
    fn a_bad_warehouse_url_names_the_key() {
        let err = CanvassConfig::parse("[warehouse]\nurl = \"mysql://x\"\n").unwrap_err();
        assert!(err.contains("warehouse.url"), "{err}");
    }

    #[test]
    fn unknown_kind_and_missing_env_name_the_source_and_fix() {
        let c = CanvassConfig::parse("[sources.x]\nkind = \"nope\"\n").expect("parses");
        let err = c
            .build_sources(
                &registry(),
                &canvass_core::registry::MapSecrets::default(),
                None,
            )
            .unwrap_err();
        assert!(
            err.contains("sources.x")
                && err.contains("unknown source kind `nope`")
                && err.contains("van"),
            "{err}"
        );
        let c = CanvassConfig::parse(
            "[sources.an]\nkind = \"actionnetwork\"\napi_key_env = \"AN_KEY_UNSET\"\n",
        )
        .expect("parses");
        let err = c
            .build_sources(
                &registry(),
                &canvass_core::registry::MapSecrets::default(),
                None,
            )
            .unwrap_err();
        assert!(
            err.contains("sources.an") && err.contains("AN_KEY_UNSET") && err.contains("export"),
            "{err}"
        );
    }

    #[test]
    fn a_csv_source_builds_without_secrets() {
        let c = CanvassConfig::parse(
            "[sources.s]\nkind = \"csv\"\npath = \"x.csv\"\n[sources.s.columns]\n\"Email\" = \"email\"\n",
        )
        .expect("parses");
        let sources = c
            .build_sources(
                &registry(),
                &canvass_core::registry::MapSecrets::default(),
                None,
            )
            .expect("builds");
        assert_eq!(sources[0].connector.info().system, "csv");
    }

    #[test]
    fn a_malformed_base_url_names_the_key() {
        let err =
            CanvassConfig::parse("[sources.m]\nkind = \"mobilize\"\nbase_url = \"not a url\"\n")
                .unwrap_err();
        assert!(err.contains("sources.m.base_url"), "{err}");
    }
}
