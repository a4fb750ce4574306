//! Configuration: what a `kind = "mobilize"` source section holds, and the
//! factory the registry calls.

use canvass_core::http::{RateLimit, RetryPolicy};
use canvass_core::registry::{SecretSource, decode_config, require_secret};
use canvass_core::{Connector, Error};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::client::MobilizeClient;
use crate::connector::{ConnectorOptions, MobilizeConnector};

/// The registry kind.
pub const KIND: &str = "mobilize";

/// A Mobilize source.
///
/// ```
/// use canvass_mobilize::config::Config;
/// let c: Config = serde_json::from_value(serde_json::json!({
///     "organization_id": 42, "api_key_env": "MOBILIZE_API_KEY"
/// })).unwrap();
/// assert_eq!(c.organization_id, 42);
/// assert!(c.include_private_events);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Config {
    /// The organization whose data is read.
    pub organization_id: u64,
    /// Overrides `https://api.mobilize.us/v1/` (staging, a simulator).
    #[serde(default)]
    pub base_url: Option<Url>,
    /// The environment variable holding the API key. Without one only public
    /// data is read (events, shifts, tags, deleted events; no people or
    /// attendances; no writes).
    #[serde(default)]
    pub api_key_env: Option<String>,
    /// Overrides the published 15 reads/s, 5 writes/s.
    #[serde(default)]
    pub rate_limit: Option<RateLimit>,
    /// Page size; Mobilize's default is 25 and its docs state no maximum,
    /// so raise it only if your account is known to accept more.
    #[serde(default)]
    pub per_page: Option<u32>,
    /// Whether to read private events too (needs a key with permission).
    #[serde(default = "yes")]
    pub include_private_events: bool,
}

fn yes() -> bool {
    true
}

/// Builds a [`MobilizeConnector`] from its config section
/// (a [`ConnectorFactory`](canvass_core::registry::ConnectorFactory)).
///
/// # Errors
/// [`Error::Config`] for a bad section or an unset key variable.
///
/// ```
/// use canvass_core::registry::MapSecrets;
/// let secrets = MapSecrets::default().with("MOBILIZE_API_KEY", "k");
/// let config = serde_json::json!({"organization_id": 42, "api_key_env": "MOBILIZE_API_KEY"});
/// let connector = canvass_mobilize::config::factory(&config, &secrets).unwrap();
/// assert_eq!(connector.info().system, "mobilize");
/// ```
pub fn factory(
    config: &serde_json::Value,
    secrets: &dyn SecretSource,
) -> Result<Box<dyn Connector>, Error> {
    let config: Config = decode_config(KIND, config)?;
    Ok(Box::new(build(&config, secrets, RetryPolicy::default())?))
}

/// Builds the connector with a given retry policy (tests use
/// [`RetryPolicy::fast`]).
///
/// # Errors
/// [`Error::Config`] for an unset key variable.
pub fn build(
    config: &Config,
    secrets: &dyn SecretSource,
    retry: RetryPolicy,
) -> Result<MobilizeConnector, Error> {
    let mut builder = MobilizeClient::builder().retry(retry);
    if let Some(url) = &config.base_url {
        builder = builder.base_url(url.clone());
    }
    if let Some(var) = &config.api_key_env {
        builder = builder.api_key_secret(require_secret(secrets, "api_key_env", var)?);
    }
    if let Some(limit) = config.rate_limit {
        builder = builder.rate_limit(limit);
    }
    let options = ConnectorOptions {
        organization_id: config.organization_id,
        per_page: config.per_page,
        include_private_events: config.include_private_events,
    };
    Ok(MobilizeConnector::new(builder.build()?, options))
}
