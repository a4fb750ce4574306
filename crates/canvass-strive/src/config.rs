//! The `kind = "strive"` configuration and its connector factory.

use canvass_core::http::{RateLimit, RetryPolicy};
use canvass_core::registry::{SecretSource, decode_config, require_secret};
use canvass_core::{Connector, Error, ExposeSecret};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::client::{DEFAULT_RATE_LIMIT, MAX_PAGE_SIZE, StriveClient};
use crate::connector::{ConnectorOptions, StriveConnector};

/// The connector kind in configuration files.
pub const KIND: &str = "strive";

fn default_api_key_env() -> String {
    "STRIVE_API_KEY".into()
}

/// A Strive source's configuration. The key is named, never held.
///
/// ```
/// let config: canvass_strive::Config = serde_json::from_value(serde_json::json!({
///     "campaign_id": 42, "rate_limit": 5.0
/// })).unwrap();
/// assert_eq!(config.api_key_env, "STRIVE_API_KEY");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Overrides `https://api.strivedigital.org/`.
    #[serde(default)]
    pub base_url: Option<Url>,
    /// Environment variable holding the API key.
    #[serde(default = "default_api_key_env")]
    pub api_key_env: String,
    /// Only this campaign (new members are created in it).
    #[serde(default)]
    pub campaign_id: Option<i64>,
    /// The client-side rate limit: a number of requests per second, or a
    /// table with `writes_per_second`. Strive publishes no limit
    /// (UNVERIFIED); the default is a conservative 10.
    #[serde(default)]
    pub rate_limit: Option<RateLimit>,
    /// Rows per request (default and maximum 1000).
    #[serde(default)]
    pub page_size: Option<u32>,
}

/// Builds a Strive connector from its config section.
///
/// # Errors
/// [`Error::Config`] for a bad config or an unset key variable.
pub fn factory(
    config: &serde_json::Value,
    secrets: &dyn SecretSource,
) -> Result<Box<dyn Connector>, Error> {
    let config: Config = decode_config(KIND, config)?;
    let key = require_secret(secrets, "api_key_env", &config.api_key_env)?;
    let mut builder = StriveClient::builder(key.expose_secret())
        .rate_limit(
            config
                .rate_limit
                .unwrap_or(RateLimit::per_second(DEFAULT_RATE_LIMIT)),
        )
        .retry(RetryPolicy::default());
    if let Some(url) = config.base_url.clone() {
        builder = builder.base_url(url);
    }
    let options = ConnectorOptions {
        campaign_id: config.campaign_id,
        page_size: config
            .page_size
            .unwrap_or(MAX_PAGE_SIZE)
            .clamp(1, MAX_PAGE_SIZE),
    };
    Ok(Box::new(StriveConnector::new(builder.build()?, options)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use canvass_core::registry::MapSecrets;

    #[test]
    fn missing_key_variable_is_a_config_error_naming_it() {
        let err = factory(&serde_json::json!({}), &MapSecrets::default()).err();
        assert!(
            matches!(&err, Some(Error::Config(m)) if m.contains("STRIVE_API_KEY")),
            "{err:?}"
        );
    }

    #[test]
    fn builds_and_hides_the_key() {
        let secrets = MapSecrets::default().with("K", "strive-key-0001");
        let c = factory(
            &serde_json::json!({"api_key_env": "K", "campaign_id": 1}),
            &secrets,
        );
        assert!(c.is_ok());
        assert!(!format!("{c:?}").contains("strive-key-0001"));
    }

    #[test]
    fn unknown_key_is_a_config_error() {
        let err = factory(&serde_json::json!({"campaign": 1}), &MapSecrets::default()).err();
        assert!(
            matches!(&err, Some(Error::Config(m)) if m.contains("campaign")),
            "{err:?}"
        );
    }
}
