//! Configuration: what a `[sources.*]` section with `kind = "actionnetwork"`
//! holds, and the factory the registry calls.

use serde::Deserialize;
use url::Url;

use canvass_core::http::{RateLimit, RetryPolicy};
use canvass_core::registry::{SecretSource, decode_config, require_secret};
use canvass_core::{Connector, Error, ExposeSecret};

use crate::client::{ActionNetworkClient, MAX_PER_PAGE, RATE_LIMIT_PER_SECOND};
use crate::connector::ActionNetworkConnector;

/// The `kind` this connector registers under.
pub const KIND: &str = "actionnetwork";

/// The environment variable holding the API key, unless the config names another.
pub const DEFAULT_API_KEY_ENV: &str = "ACTION_NETWORK_API_KEY";

/// An Action Network source's configuration.
///
/// ```
/// use canvass_actionnetwork::Config;
/// let c: Config = serde_json::from_value(serde_json::json!({"api_key_env": "AN_KEY"})).unwrap();
/// assert_eq!(c.api_key_env, "AN_KEY");
/// assert_eq!(c.rate_limit, None); // Action Network's 4 requests/second
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Another API root (a proxy, a simulator); Action Network's by default.
    #[serde(default)]
    pub base_url: Option<Url>,
    /// The environment variable holding the API key (`ACTION_NETWORK_API_KEY`).
    #[serde(default = "default_api_key_env")]
    pub api_key_env: String,
    /// The client-side rate limit, instead of Action Network's 4 requests
    /// per second: a number, or a table with `writes_per_second`.
    #[serde(default)]
    pub rate_limit: Option<RateLimit>,
    /// Page size, at most (and by default) 25.
    #[serde(default)]
    pub per_page: Option<u32>,
    /// Send writes with `background_processing=true`.
    #[serde(default)]
    pub background_processing: bool,
}

fn default_api_key_env() -> String {
    DEFAULT_API_KEY_ENV.to_string()
}

impl Config {
    /// Builds the connector with `api_key` and `retry`.
    ///
    /// # Errors
    /// [`Error::Config`] for a bad rate limit or key.
    pub fn build(
        &self,
        api_key: &str,
        retry: RetryPolicy,
    ) -> Result<ActionNetworkConnector, Error> {
        let mut builder = ActionNetworkClient::builder(api_key)
            .rate_limit(
                self.rate_limit
                    .unwrap_or(RateLimit::per_second(RATE_LIMIT_PER_SECOND)),
            )
            .retry(retry)
            .per_page(self.per_page.unwrap_or(MAX_PER_PAGE));
        if let Some(url) = &self.base_url {
            builder = builder.base_url(url.clone());
        }
        Ok(ActionNetworkConnector::new(builder.build()?)
            .background_processing(self.background_processing))
    }
}

/// Builds an Action Network connector from its config section; a
/// [`canvass_core::registry::ConnectorFactory`].
///
/// # Errors
/// [`Error::Config`] naming the bad key, or the unset environment variable.
///
/// ```
/// use canvass_core::registry::MapSecrets;
/// let secrets = MapSecrets::default().with("ACTION_NETWORK_API_KEY", "k-123");
/// let connector = canvass_actionnetwork::factory(&serde_json::json!({}), &secrets).unwrap();
/// assert_eq!(connector.info().system, "actionnetwork");
/// let err = canvass_actionnetwork::factory(&serde_json::json!({"per_pag": 5}), &secrets).unwrap_err();
/// assert!(err.to_string().contains("per_pag"));
/// ```
pub fn factory(
    config: &serde_json::Value,
    secrets: &dyn SecretSource,
) -> Result<Box<dyn Connector>, Error> {
    let config: Config = decode_config(KIND, config)?;
    let key = require_secret(secrets, "api_key_env", &config.api_key_env)?;
    Ok(Box::new(
        config.build(key.expose_secret(), RetryPolicy::default())?,
    ))
}
