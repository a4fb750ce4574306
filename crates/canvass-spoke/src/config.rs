//! The `kind = "spoke"` configuration and its connector factory.

use canvass_core::http::{RateLimit, RetryPolicy};
use canvass_core::registry::{SecretSource, decode_config, require_secret};
use canvass_core::{Connector, Error, ExposeSecret};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::connector::{ConnectorOptions, SpokeConnector};
use crate::db::{DEFAULT_PAGE_SIZE, SpokeDb};
use crate::graphql::{DEFAULT_RATE_LIMIT, SpokeGraphql};

/// The connector kind in configuration files.
pub const KIND: &str = "spoke";

fn default_database_url_env() -> String {
    "SPOKE_DATABASE_URL".into()
}

fn default_api_token_env() -> String {
    "SPOKE_API_TOKEN".into()
}

/// A Spoke source's configuration. Secrets are named, never held: the
/// database URL (which carries its password) and the API token live in
/// environment variables.
///
/// ```
/// let config: canvass_spoke::Config = serde_json::from_value(serde_json::json!({
///     "base_url": "https://spoke.example.org/", "organization_id": 1
/// })).unwrap();
/// assert_eq!(config.database_url_env, "SPOKE_DATABASE_URL");
/// assert_eq!(config.api_token_env, "SPOKE_API_TOKEN");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Environment variable holding the database URL
    /// (`postgres://user:password@host/db`; a read-only role is best).
    #[serde(default = "default_database_url_env")]
    pub database_url_env: String,
    /// The schema holding Spoke's tables (the role's `search_path` when unset).
    #[serde(default)]
    pub schema: Option<String>,
    /// The Spoke app's address (GraphQL at `<base_url>/graphql`). Without
    /// it the connector only reads.
    #[serde(default)]
    pub base_url: Option<Url>,
    /// Environment variable holding the JWT for the GraphQL API (required
    /// when `base_url` is set).
    #[serde(default = "default_api_token_env")]
    pub api_token_env: String,
    /// Only this organization.
    #[serde(default)]
    pub organization_id: Option<i64>,
    /// Rows per page (default 1000).
    #[serde(default)]
    pub page_size: Option<u32>,
    /// Leave rows younger than this many seconds for the next run, so a
    /// transaction committing late is never skipped (default 0).
    #[serde(default)]
    pub settle_seconds: Option<f64>,
    /// The system `external_id` belongs to (default `"external_id"`; `"van"`
    /// when the group uploads VAN ids).
    #[serde(default)]
    pub external_id_system: Option<String>,
    /// The GraphQL client's rate limit: a number of requests per second, or
    /// a table with `writes_per_second` (default 10; Spoke publishes none).
    #[serde(default)]
    pub rate_limit: Option<RateLimit>,
}

/// Builds a Spoke connector from its config section.
///
/// # Errors
/// [`Error::Config`] for a bad config, an unset variable or a database URL
/// that does not parse.
pub fn factory(
    config: &serde_json::Value,
    secrets: &dyn SecretSource,
) -> Result<Box<dyn Connector>, Error> {
    let config: Config = decode_config(KIND, config)?;
    let url = require_secret(secrets, "database_url_env", &config.database_url_env)?;
    let db = SpokeDb::new(url.expose_secret(), config.schema.as_deref())?;
    let graphql = match &config.base_url {
        Some(base) => {
            let token = require_secret(secrets, "api_token_env", &config.api_token_env)?;
            Some(
                SpokeGraphql::builder(base.clone(), token.expose_secret())
                    .rate_limit(
                        config
                            .rate_limit
                            .unwrap_or(RateLimit::per_second(DEFAULT_RATE_LIMIT)),
                    )
                    .retry(RetryPolicy::default())
                    .build()?,
            )
        }
        None => None,
    };
    let options = ConnectorOptions {
        organization_id: config.organization_id,
        page_size: config.page_size.unwrap_or(DEFAULT_PAGE_SIZE).max(1),
        settle_seconds: config.settle_seconds.unwrap_or(0.0),
        external_id_system: config
            .external_id_system
            .unwrap_or_else(|| ConnectorOptions::default().external_id_system),
    };
    Ok(Box::new(SpokeConnector::new(db, graphql, options)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use canvass_core::WriteKind;
    use canvass_core::registry::MapSecrets;

    #[test]
    fn missing_database_variable_is_a_config_error_naming_it() {
        let err = factory(&serde_json::json!({}), &MapSecrets::default()).err();
        assert!(
            matches!(&err, Some(Error::Config(m)) if m.contains("SPOKE_DATABASE_URL")),
            "{err:?}"
        );
    }

    #[test]
    fn base_url_without_a_token_is_a_config_error_naming_the_variable() {
        let secrets = MapSecrets::default().with("SPOKE_DATABASE_URL", "postgres://u@h/db");
        let err = factory(
            &serde_json::json!({"base_url": "https://spoke.example.org/"}),
            &secrets,
        )
        .err();
        assert!(
            matches!(&err, Some(Error::Config(m)) if m.contains("SPOKE_API_TOKEN")),
            "{err:?}"
        );
    }

    #[test]
    fn without_base_url_the_connector_reads_only() {
        let secrets = MapSecrets::default().with("SPOKE_DATABASE_URL", "postgres://u@h/db");
        let c = factory(&serde_json::json!({}), &secrets).unwrap();
        assert!(c.info().writes.is_empty());
        assert!(!c.info().reads.is_empty());
    }

    #[test]
    fn builds_with_writes_and_hides_both_secrets() {
        let secrets = MapSecrets::default()
            .with("DB", "postgres://canvass:db-pass-0001@db.example.org/spoke")
            .with("TOK", "jwt-token-0001");
        let c = factory(
            &serde_json::json!({
                "database_url_env": "DB", "api_token_env": "TOK",
                "base_url": "https://spoke.example.org/", "organization_id": 3
            }),
            &secrets,
        )
        .unwrap();
        assert!(c.info().can_write(WriteKind::OptOut));
        let debug = format!("{c:?}");
        assert!(
            !debug.contains("db-pass-0001") && !debug.contains("jwt-token-0001"),
            "{debug}"
        );
    }

    #[test]
    fn unknown_key_is_a_config_error() {
        let err = factory(&serde_json::json!({"org": 1}), &MapSecrets::default()).err();
        assert!(
            matches!(&err, Some(Error::Config(m)) if m.contains("org")),
            "{err:?}"
        );
    }
}
