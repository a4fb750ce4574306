//! Configuration: what `canvass.toml` says about a petitions source.

use serde::Deserialize;

use canvass_core::http::{RateLimit, RetryPolicy};
use canvass_core::registry::{SecretSource, decode_config, require_secret};
use canvass_core::{Connector, Error, ExposeSecret};

use crate::client::{MAX_PAGE_SIZE, PetitionsClient, RATE_LIMIT};
use crate::connector::PetitionsConnector;

/// The kind name in `canvass.toml` (`kind = "petitions"`).
pub const KIND: &str = "petitions";

/// A petitions source's settings.
///
/// ```toml
/// [sources.petitions]
/// kind = "petitions"
/// base_url = "https://petitions.example/api/v1/"
/// api_key_env = "PETITIONS_API_KEY"   # the variable's name, never the key
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The API's base URL.
    pub base_url: url::Url,
    /// The environment variable holding the API key.
    pub api_key_env: String,
    /// Requests per second; the published 4/s when absent.
    pub rate_limit: Option<f64>,
    /// Signers per request (at most 1000).
    #[serde(default = "default_page_size")]
    pub page_size: u32,
    /// Ignored: the `kind` key of the source table.
    #[serde(default)]
    pub kind: Option<String>,
}

fn default_page_size() -> u32 {
    MAX_PAGE_SIZE
}

impl Config {
    /// Builds the connector, reading the key from `secrets`.
    ///
    /// # Errors
    /// [`Error::Config`] when the key's variable is unset.
    pub fn connect(&self, secrets: &dyn SecretSource) -> Result<PetitionsConnector, Error> {
        let key = require_secret(secrets, "api_key_env", &self.api_key_env)?;
        let client = PetitionsClient::with_options(
            self.base_url.clone(),
            key.expose_secret(),
            RateLimit::per_second(self.rate_limit.unwrap_or(RATE_LIMIT)),
            RetryPolicy::default(),
        )?;
        Ok(PetitionsConnector::new(client, self.page_size))
    }
}

/// The registry constructor for `kind = "petitions"`.
///
/// # Errors
/// [`Error::Config`] naming the bad key.
pub fn factory(
    config: &serde_json::Value,
    secrets: &dyn SecretSource,
) -> Result<Box<dyn Connector>, Error> {
    let config: Config = decode_config(KIND, config)?;
    Ok(Box::new(config.connect(secrets)?))
}
