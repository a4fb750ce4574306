//! The `kind = "hustle"` configuration and its connector factory.

use std::collections::BTreeMap;

use canvass_core::http::{RateLimit, RetryPolicy};
use canvass_core::registry::{SecretSource, decode_config, require_secret};
use canvass_core::{Connector, Error, ExposeSecret};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::client::{HustleClient, MAX_PAGE_SIZE, RATE_LIMIT_PER_SECOND};
use crate::connector::{ConnectorOptions, HustleConnector};

/// The connector kind in configuration files.
pub const KIND: &str = "hustle";

fn default_client_id_env() -> String {
    "HUSTLE_CLIENT_ID".into()
}

fn default_client_secret_env() -> String {
    "HUSTLE_CLIENT_SECRET".into()
}

/// A Hustle source's configuration. Secrets are named, never held: the
/// client id and secret are read from the environment variables given.
///
/// ```
/// let config: canvass_hustle::Config = serde_json::from_value(serde_json::json!({
///     "organization_id": "LePEoKzD3Z",
///     "group_id": "cMCH0hxwGt",
///     "opt_out_tags": {"wrong_number": "tagWrong"}
/// })).unwrap();
/// assert_eq!(config.client_secret_env, "HUSTLE_CLIENT_SECRET");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Overrides `https://api.hustle.com/v3/` (a simulator, a proxy).
    #[serde(default)]
    pub base_url: Option<Url>,
    /// Environment variable holding the OAuth client id.
    #[serde(default = "default_client_id_env")]
    pub client_id_env: String,
    /// Environment variable holding the OAuth client secret.
    #[serde(default = "default_client_secret_env")]
    pub client_secret_env: String,
    /// The organization to read and write (all the account's when unset;
    /// required for writing people, since Hustle keys leads on organization
    /// and phone).
    #[serde(default)]
    pub organization_id: Option<String>,
    /// The group new and updated leads are made active in.
    #[serde(default)]
    pub group_id: Option<String>,
    /// Opt-out tag ids by canonical reason (`requested`, `wrong_number`, …),
    /// applied when opting a lead out.
    #[serde(default)]
    pub opt_out_tags: BTreeMap<String, String>,
    /// The client-side rate limit: a number of requests per second, or a
    /// table with `writes_per_second` (default 25, Hustle's published limit).
    #[serde(default)]
    pub rate_limit: Option<RateLimit>,
    /// Items per page (default and maximum 1000).
    #[serde(default)]
    pub page_size: Option<u32>,
    /// The path of a message list, for an account that has one. Hustle's
    /// published v3 OpenAPI file lists no message route, so by default
    /// messages and contact attempts are not read; a configured path that
    /// answers 404 is reported as not offered by this account.
    #[serde(default)]
    pub messages_path: Option<String>,
}

/// Builds a Hustle connector from its config section.
///
/// # Errors
/// [`Error::Config`] for a bad config or an unset secret variable.
pub fn factory(
    config: &serde_json::Value,
    secrets: &dyn SecretSource,
) -> Result<Box<dyn Connector>, Error> {
    let config: Config = decode_config(KIND, config)?;
    let client_id = require_secret(secrets, "client_id_env", &config.client_id_env)?;
    let client_secret = require_secret(secrets, "client_secret_env", &config.client_secret_env)?;
    let mut builder =
        HustleClient::builder(client_id.expose_secret(), client_secret.expose_secret())
            .rate_limit(
                config
                    .rate_limit
                    .unwrap_or(RateLimit::per_second(RATE_LIMIT_PER_SECOND)),
            )
            .retry(RetryPolicy::default());
    if let Some(url) = config.base_url.clone() {
        builder = builder.base_url(url);
    }
    let options = ConnectorOptions {
        organization_id: config.organization_id,
        group_id: config.group_id,
        opt_out_tags: config.opt_out_tags,
        page_size: config
            .page_size
            .unwrap_or(MAX_PAGE_SIZE)
            .clamp(1, MAX_PAGE_SIZE),
        messages_path: config.messages_path,
    };
    Ok(Box::new(HustleConnector::new(builder.build()?, options)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use canvass_core::registry::MapSecrets;

    #[test]
    fn missing_secret_variable_is_a_config_error_naming_it() {
        let secrets = MapSecrets::default().with("HUSTLE_CLIENT_ID", "id");
        let err = factory(&serde_json::json!({}), &secrets).err();
        assert!(
            matches!(&err, Some(Error::Config(m)) if m.contains("HUSTLE_CLIENT_SECRET")),
            "{err:?}"
        );
    }

    #[test]
    fn unknown_key_is_a_config_error_naming_it() {
        let err = factory(
            &serde_json::json!({"organisation_id": "x"}),
            &MapSecrets::default(),
        )
        .err();
        assert!(
            matches!(&err, Some(Error::Config(m)) if m.contains("organisation_id")),
            "{err:?}"
        );
    }

    #[test]
    fn builds_with_secrets_and_hides_them() {
        let secrets = MapSecrets::default()
            .with("HUSTLE_CLIENT_ID", "id")
            .with("HUSTLE_CLIENT_SECRET", "s3cr3t-value");
        let c = factory(&serde_json::json!({"organization_id": "o1"}), &secrets);
        let shown = format!("{c:?}");
        assert!(c.is_ok());
        assert!(!shown.contains("s3cr3t-value"));
    }
}
