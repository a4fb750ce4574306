//! # canvass-hustle
//!
//! The canvass connector for [Hustle](https://hustle.com)'s API v3
//! (peer-to-peer texting):
//!
//! - [`HustleClient`]: a typed client, one handler per API area (leads,
//!   messages, organizations, groups, agents, tags, custom fields), with
//!   OAuth2 client credentials (token cached, re-minted once on 401, never
//!   hammered after failures), cursor pagination (`items`/`cursor`/`hasMore`,
//!   up to 1000 a page), Hustle's error body and its 25 requests/s limit;
//! - [`HustleConnector`]: the [`Connector`](canvass_core::Connector) mapping
//!   Hustle to the canonical model, phone first: leads → people (E.164 key),
//!   tags and taggings, opt-outs (with the reason from the opt-out tag),
//!   messages, and contact attempts derived from them (outbound → texted, a
//!   reply → canvassed); writes upsert a lead, apply or remove a tag, opt out;
//! - [`simulator`] (feature `simulator`): a stateful Hustle simulator for
//!   tests, benchmarks and `canvass demo`.
//!
//! ## Routes
//!
//! Every route the client and the connector call ([`routes::ROUTES`]; the
//! route tests check every request of a full pull against it). *Required*
//! routes are in Hustle's own v3 OpenAPI file
//! (`https://api.hustle.com/v3/docs/swagger.json`, archived byte for byte as
//! api-evangelist/hustle `openapi/_original/hustle-openapi-original.json`);
//! *optional* ones are not, and are called only when configured: a 404 on
//! their first page is reported as not offered by the account (the kind is
//! skipped, the run goes on).
//!
//! | method | path | account | documented in | called for |
//! |---|---|---|---|---|
//! | POST | `/v3/oauth/token` | required | v3 OpenAPI `/oauth/token` post | every request (OAuth2 client credentials) |
//! | GET | `/v3/organizations` | required | v3 OpenAPI `/organizations` get | `check`; `organizations().list()` |
//! | GET | `/v3/leads` | required | v3 OpenAPI `/leads` get | people, taggings, opt-outs; finding a lead by phone to opt it out |
//! | POST | `/v3/leads` | required | v3 OpenAPI `/leads` post | upsert person |
//! | PATCH | `/v3/leads` | required | v3 OpenAPI `/leads` patch | apply tag, remove tag, opt out |
//! | GET | `/v3/tags` | required | v3 OpenAPI `/tags` get | tags; opt-out reasons (tags with `agentVisibility: OPT_OUT`) |
//! | POST | `/v3/tags` | required | v3 OpenAPI `/tags` post | `tags().create()` |
//! | GET | `/v3/groups` | required | v3 OpenAPI `/groups` get | `groups().list()` |
//! | POST | `/v3/groups` | required | v3 OpenAPI `/groups` post | `groups().create()` |
//! | GET | `/v3/agents` | required | v3 OpenAPI `/agents` get | `agents().list()` |
//! | POST | `/v3/agents` | required | v3 OpenAPI `/agents` post | `agents().create()` |
//! | PUT | `/v3/agents/{id}` | required | v3 OpenAPI `/agents/{id}` put | `agents().update()` |
//! | GET | `/v3/custom_fields` | required | v3 OpenAPI `/custom_fields` get | `custom_fields().list()` |
//! | POST | `/v3/custom_fields` | required | v3 OpenAPI `/custom_fields` post | `custom_fields().create()` |
//! | GET | `/v3/messages/{id}` | optional | not in the v3 OpenAPI file; only api-evangelist/hustle `openapi/hustle-messages-api-openapi.yml` (a derived file) | `messages().get()` |
//! | GET | `/v3/messages` | optional | none: Hustle publishes no message list | messages, contact attempts, only with `messages_path` set (this path, or the one configured); `messages().list()` |
//!
//! ```no_run
//! # async fn run() -> Result<(), canvass_core::Error> {
//! use canvass_core::{ConnectorExt, EntityKind};
//! use canvass_hustle::{ConnectorOptions, HustleClient, HustleConnector};
//! let client = HustleClient::builder("client-id", "client-secret").build()?;
//! let hustle = HustleConnector::new(client, ConnectorOptions::default());
//! let people = hustle.read_all(EntityKind::People).await?;
//! println!("{} leads", people.len());
//! # Ok(()) }
//! ```

pub mod client;
pub mod config;
pub mod connector;
pub mod mapping;
pub mod models;
pub mod routes;
#[cfg(feature = "simulator")]
pub mod simulator;

pub use client::{HustleClient, HustleClientBuilder};
pub use config::{Config, KIND, factory};
pub use connector::{ConnectorOptions, HustleConnector};
