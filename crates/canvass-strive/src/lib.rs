//! # canvass-strive
//!
//! The canvass connector for [Strive](https://strivemessaging.org)
//! (broadcast and peer-to-peer texting), whose API is PostgREST in style:
//!
//! - [`StriveClient`]: a typed client over Strive's tables (members,
//!   outgoing and incoming messages, subscription events, broadcasts,
//!   campaigns, groups, custom fields) with Bearer auth, the ping check,
//!   `limit`/`offset` paging over bare arrays, and a tolerant error decoder;
//! - [`filter`]: PostgREST filters (`column=op.value`) built safely, so no
//!   value can inject another filter;
//! - [`StriveConnector`]: the [`Connector`](canvass_core::Connector), phone
//!   first: members → people (incremental on `updated_at`), groups → tags
//!   and taggings, messages and the contact attempts they stand for
//!   (outbound → texted, a reply → canvassed), unsubscribe events →
//!   opt-outs; it creates members;
//! - [`simulator`] (feature `simulator`): a stateful Strive simulator.
//!
//! ## Routes
//!
//! Every route the client and the connector call ([`routes::ROUTES`]; the
//! route tests check every request of a full pull against it), where it is
//! documented: Strive's API reference at
//! [developers.strivemessaging.org](https://developers.strivemessaging.org)
//! and the Strive connector of [Parsons](https://github.com/move-coop/parsons)
//! (`parsons/strive/strive.py`), whose docstrings give each table's columns.
//! *Required* routes are answered for every key; a key may not be granted an
//! *optional* table, and a read of one answering 404 on its first page is
//! reported as not offered (the kind is skipped, the run goes on). Strive
//! publishes no rate limit: the client's 10 requests/s is a configurable
//! guess.
//!
//! | method | path | key | documented in | called for |
//! |---|---|---|---|---|
//! | GET | `/rpc/ping` | required | developers.strivemessaging.org, Auth | `check` |
//! | GET | `/members` | required | developers.strivemessaging.org, Filtering; Parsons `get_members` | people, taggings; opt-outs (the members' phones); finding a member by phone |
//! | POST | `/members` | required | developers.strivemessaging.org `#tag/members/paths/~1members/post`; Parsons `post_members` | upsert person |
//! | GET | `/outgoing_messages` | required | Parsons `get_outgoing_messages` | messages, contact attempts |
//! | GET | `/incoming_messages` | required | Parsons `get_incoming_messages` (its docstring; its code asks `/outgoing_messages`) | messages, contact attempts |
//! | GET | `/subscription_events` | required | Parsons `get_subscription_events` | opt-outs (`unsubscribe=is.true`) |
//! | GET | `/groups` | optional | Parsons `get_groups` | tags |
//! | GET | `/custom_fields` | optional | Parsons `get_custom_fields` | `custom_fields().list()` |
//! | GET | `/members_custom_fields` | optional | Parsons `get_members_custom_fields` | `table(Table::MembersCustomFields)` |
//! | GET | `/broadcasts` | optional | Parsons `get_broadcasts` | `broadcasts().list()` |
//! | GET | `/broadcasts_groups` | optional | Parsons `get_broadcasts_groups` (its docstring; its code asks `/broadcast_groups`) | `table(Table::BroadcastsGroups)` |
//! | GET | `/campaigns` | optional | Parsons `get_campaigns` | `campaigns().list()` |
//! | GET | `/p2ps` | optional | Parsons `get_p2ps` | `table(Table::P2ps)` |
//! | GET | `/flows` | optional | Parsons `get_flows` | `table(Table::Flows)` |
//!
//! ```no_run
//! # async fn run() -> Result<(), canvass_core::Error> {
//! use canvass_core::{ConnectorExt, EntityKind};
//! use canvass_strive::{ConnectorOptions, StriveClient, StriveConnector};
//! let strive = StriveConnector::new(StriveClient::builder("key").build()?, ConnectorOptions::default());
//! let opt_outs = strive.read_all(EntityKind::OptOuts).await?;
//! println!("{} opt-outs", opt_outs.len());
//! # Ok(()) }
//! ```

pub mod client;
pub mod config;
pub mod connector;
pub mod filter;
pub mod mapping;
pub mod models;
pub mod routes;
#[cfg(feature = "simulator")]
pub mod simulator;

pub use client::{StriveClient, StriveClientBuilder};
pub use config::{Config, KIND, factory};
pub use connector::{ConnectorOptions, StriveConnector};
