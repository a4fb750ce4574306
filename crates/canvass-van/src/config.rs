//! The connector's configuration and its registry factory.
//!
//! ```
//! use canvass_core::registry::MapSecrets;
//! let config = serde_json::json!({
//!     "application_name": "my-app",
//!     "api_key_env": "VAN_API_KEY",
//!     "db_mode": "my_campaign",
//!     "people_saved_list_id": 682951,
//!     "result_code_ids": {"not_home": 1, "wrong_number": 20},
//!     "opt_out_result_code_id": 130
//! });
//! let secrets = MapSecrets::default().with("VAN_API_KEY", "key-guid");
//! let connector = canvass_van::factory(&config, &secrets).unwrap();
//! assert_eq!(connector.info().system, "van");
//! ```

use std::collections::BTreeMap;
use std::time::Duration;

use canvass_core::http::RateLimit;
use canvass_core::registry::{SecretSource, decode_config, require_secret};
use canvass_core::{Connector, Error};
use secrecy::ExposeSecret;
use serde::Deserialize;
use url::Url;

use crate::client::{DbMode, VanClient};
use crate::connector::{ConnectorOptions, VanConnector};

/// The `kind` of a VAN source in the config.
pub const KIND: &str = "van";

fn default_key_env() -> String {
    "VAN_API_KEY".into()
}

fn default_export_type() -> u64 {
    4
}

/// A VAN source's configuration.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The application name (Basic-auth user name).
    pub application_name: String,
    /// The environment variable holding the API key (default `VAN_API_KEY`).
    #[serde(default = "default_key_env")]
    pub api_key_env: String,
    /// `0`/`"voter_file"` or `1`/`"my_campaign"`.
    pub db_mode: DbMode,
    /// Another host (EveryAction, a simulator).
    #[serde(default)]
    pub base_url: Option<Url>,
    /// Client-side rate limit (VAN's is tiered and unpublished; default 20/s).
    #[serde(default)]
    pub rate_limit: Option<RateLimit>,
    /// Pages fetched at once (default 8).
    #[serde(default)]
    pub concurrency: Option<usize>,
    /// The saved list whose export is a full read of people. Without it,
    /// only incremental reads (changed entities, last 90 days) work.
    #[serde(default)]
    pub people_saved_list_id: Option<u64>,
    /// The export job type for saved lists (VAN's `SavedListExport`, 4).
    #[serde(default = "default_export_type")]
    pub export_job_type_id: u64,
    /// Contact type per channel (`sms`, `phone`, `door`, `email`, `mail`);
    /// `sms` defaults to 37 (SMS Text, per VAN's samples).
    #[serde(default)]
    pub contact_type_ids: BTreeMap<String, u64>,
    /// Result code per contact result (`texted`, `not_home`, `wrong_number`, …).
    #[serde(default)]
    pub result_code_ids: BTreeMap<String, u64>,
    /// The committee's "do not text" result code, recorded with SMS opt-outs.
    #[serde(default)]
    pub opt_out_result_code_id: Option<u64>,
    /// Input type of canvass responses (default 11, API).
    #[serde(default)]
    pub input_type_id: Option<u64>,
    /// How often jobs are polled, in milliseconds (default 5000).
    #[serde(default)]
    pub job_poll_interval_ms: Option<u64>,
    /// How long to wait for a job, in seconds (default 3600).
    #[serde(default)]
    pub job_timeout_secs: Option<u64>,
}

impl Config {
    /// The connector options this config describes.
    pub fn options(&self) -> ConnectorOptions {
        let mut contact_type_ids = self.contact_type_ids.clone();
        contact_type_ids.entry("sms".into()).or_insert(37);
        ConnectorOptions {
            people_saved_list_id: self.people_saved_list_id,
            export_job_type_id: self.export_job_type_id,
            contact_type_ids,
            result_code_ids: self.result_code_ids.clone(),
            opt_out_result_code_id: self.opt_out_result_code_id,
            input_type_id: self.input_type_id.unwrap_or(11),
        }
    }
}

/// Builds a [`VanConnector`] from its config section and a secret source
/// (a [`canvass_core::registry::ConnectorFactory`]).
///
/// # Errors
/// [`Error::Config`] naming the bad key or the unset environment variable.
pub fn factory(
    config: &serde_json::Value,
    secrets: &dyn SecretSource,
) -> Result<Box<dyn Connector>, Error> {
    let config: Config = decode_config(KIND, config)?;
    let key = require_secret(secrets, "api_key_env", &config.api_key_env)?;
    let mut builder = VanClient::builder(
        config.application_name.clone(),
        key.expose_secret(),
        config.db_mode,
    );
    if let Some(url) = &config.base_url {
        builder = builder.base_url(url.clone());
    }
    if let Some(limit) = config.rate_limit {
        builder = builder.rate_limit(limit);
    }
    if let Some(n) = config.concurrency {
        builder = builder.concurrency(n);
    }
    builder = builder.job_polling(
        Duration::from_millis(config.job_poll_interval_ms.unwrap_or(5000)),
        Duration::from_secs(config.job_timeout_secs.unwrap_or(3600)),
    );
    Ok(Box::new(VanConnector::new(
        builder.build()?,
        config.options(),
    )))
}
