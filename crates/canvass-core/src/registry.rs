//! Building connectors from configuration: where secrets come from, and a
//! registry mapping a `kind = "van"` string to a constructor, so the engine
//! and the CLI can build any connector without knowing it.

use std::collections::BTreeMap;

use secrecy::SecretString;
use serde::de::DeserializeOwned;

use crate::{Connector, Error};

/// Where secrets come from: environment variables in production, a map in
/// tests. Configs name the variable; they never hold the secret.
pub trait SecretSource: Send + Sync {
    /// The secret stored under `name`, if any.
    fn get(&self, name: &str) -> Option<SecretString>;
}

/// Secrets from the process environment.
#[derive(Debug, Clone, Copy, Default)]
pub struct EnvSecrets;

impl SecretSource for EnvSecrets {
    fn get(&self, name: &str) -> Option<SecretString> {
        std::env::var(name)
            .ok()
            .filter(|v| !v.is_empty())
            .map(SecretString::from)
    }
}

/// Secrets from a map (tests, the demo).
#[derive(Default)]
pub struct MapSecrets(pub BTreeMap<String, String>);

impl std::fmt::Debug for MapSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.0.keys()).finish()
    }
}

impl MapSecrets {
    /// Adds a secret.
    pub fn with(mut self, name: &str, value: &str) -> Self {
        self.0.insert(name.to_string(), value.to_string());
        self
    }
}

impl SecretSource for MapSecrets {
    fn get(&self, name: &str) -> Option<SecretString> {
        self.0.get(name).map(|v| SecretString::from(v.clone()))
    }
}

/// Reads the secret held in environment variable `var`, for config key `key`.
///
/// # Errors
/// [`Error::Config`] naming the key and the variable when it is unset.
///
/// ```
/// use canvass_core::registry::{require_secret, MapSecrets};
/// let secrets = MapSecrets::default().with("MOBILIZE_API_KEY", "k");
/// assert!(require_secret(&secrets, "api_key_env", "MOBILIZE_API_KEY").is_ok());
/// let err = require_secret(&secrets, "api_key_env", "MISSING").unwrap_err();
/// assert!(err.to_string().contains("MISSING"));
/// ```
pub fn require_secret(
    secrets: &dyn SecretSource,
    key: &str,
    var: &str,
) -> Result<SecretString, Error> {
    secrets.get(var).ok_or_else(|| {
        Error::Config(format!(
            "`{key}` names the environment variable `{var}`, which is not set; export {var}=<the secret>"
        ))
    })
}

/// Decodes a connector's config section, naming the key that failed.
///
/// # Errors
/// [`Error::Config`] with the failing key's path.
pub fn decode_config<T: DeserializeOwned>(
    kind: &str,
    value: &serde_json::Value,
) -> Result<T, Error> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        Error::Config(format!(
            "source of kind `{kind}`: key `{path}`: {}",
            e.into_inner()
        ))
    })
}

/// Builds a connector from its config section (as JSON) and a secret source.
pub type ConnectorFactory =
    fn(&serde_json::Value, &dyn SecretSource) -> Result<Box<dyn Connector>, Error>;

/// Maps connector kinds (`"van"`, `"mobilize"`) to their factories.
#[derive(Default, Clone)]
pub struct Registry {
    factories: BTreeMap<String, ConnectorFactory>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.factories.keys()).finish()
    }
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Registry {
        Registry::default()
    }

    /// Registers `kind`.
    pub fn register(&mut self, kind: &str, factory: ConnectorFactory) -> &mut Self {
        self.factories.insert(kind.to_string(), factory);
        self
    }

    /// The registered kinds.
    pub fn kinds(&self) -> Vec<&str> {
        self.factories.keys().map(String::as_str).collect()
    }

    /// Builds a connector of `kind`.
    ///
    /// # Errors
    /// [`Error::Config`] for an unknown kind (listing the known ones) or a bad config.
    pub fn build(
        &self,
        kind: &str,
        config: &serde_json::Value,
        secrets: &dyn SecretSource,
    ) -> Result<Box<dyn Connector>, Error> {
        let factory = self.factories.get(kind).ok_or_else(|| {
            Error::Config(format!(
                "unknown source kind `{kind}`; known kinds: {}",
                self.kinds().join(", ")
            ))
        })?;
        factory(config, secrets)
    }
}
