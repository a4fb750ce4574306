//! # canvass-spoke
//!
//! The canvass connector for [Spoke](https://github.com/MoveOnOrg/Spoke),
//! the open-source peer-to-peer texting tool many groups self-host. Spoke
//! has no REST API, so this connector speaks to it the way data teams do:
//!
//! - [`SpokeDb`]: reads from Spoke's PostgreSQL database over a read-only
//!   session, streaming large tables through a server-side portal, each in
//!   the order of a key that only grows, so reads resume where they stopped;
//! - [`SpokeGraphql`]: writes through Spoke's GraphQL API (`/graphql`, JWT
//!   Bearer auth): `createOptOut`, `updateQuestionResponses`,
//!   `updateContactTags`, with GraphQL `errors[]` mapped onto
//!   [`canvass_core::Error`];
//! - [`SpokeConnector`]: the [`Connector`](canvass_core::Connector), phone
//!   first: campaign contacts → people, messages, contact attempts, opt-outs
//!   with reasons, interaction steps and question responses → survey
//!   questions and responses, tags and taggings;
//! - [`simulator`] (feature `simulator`): the schema fixture and a seeded,
//!   messy Spoke database on a real PostgreSQL server, and a GraphQL
//!   simulator on wiremock.
//!
//! ## What it asks of a Spoke
//!
//! Every GraphQL operation the client sends and every table the connector
//! reads ([`routes::OPERATIONS`], [`routes::TABLES`]), as Spoke defines them
//! in [MoveOnOrg/Spoke](https://github.com/MoveOnOrg/Spoke) (carried on by
//! [StateVoicesNational/Spoke](https://github.com/StateVoicesNational/Spoke)):
//! the GraphQL schema in `src/api/schema.js`, the tables by its knex
//! `migrations/`. *Required*: every Spoke canvass reads has it. *Optional*:
//! only a Spoke from after its 2020 tags migration; without the tag tables,
//! tags and taggings are reported as not offered (skipped, not failed).
//!
//! | GraphQL operation | declared in `src/api/schema.js` | Spoke | sent for |
//! |---|---|---|---|
//! | `currentUser` | `RootQuery.currentUser: User` | required | `check`; the token check before every read |
//! | `createOptOut` | `RootMutation.createOptOut(optOut: OptOutInput!, campaignContactId: String!): CampaignContact` | required | opt out |
//! | `updateQuestionResponses` | `RootMutation.updateQuestionResponses(questionResponses: [QuestionResponseInput], campaignContactId: String!): String` | required | record a survey response |
//! | `updateContactTags` | `RootMutation.updateContactTags(tags: [TagInput], campaignContactId: String!): String` | optional | apply tag, remove tag (a Spoke with tags, 2020 on) |
//!
//! | table | made by (`migrations/`) | Spoke | read for |
//! |---|---|---|---|
//! | `organization` | `20190207220000_init_db.js` | required | `check`; organization scoping |
//! | `campaign` | `20190207220000_init_db.js` | required | `check`; a contact's organization |
//! | `campaign_contact` | `20190207220000_init_db.js` | required | people; finding a contact to write to |
//! | `message` | `20190207220000_init_db.js`; `campaign_contact_id` from `20191217125726_add_message_campaign_contact_id.js` | required | messages, contact attempts |
//! | `opt_out` | `20190207220000_init_db.js` | required | opt-outs, contact attempts |
//! | `interaction_step` | `20190207220000_init_db.js` | required | survey questions; an answer's text for a write |
//! | `question_response` | `20190207220000_init_db.js` | required | survey responses |
//! | `tag` | `20200322171627_tags.js` | optional | tags; a tag's name for a write |
//! | `tag_campaign_contact` | `20200322171627_tags.js` | optional | taggings; a contact's tags for a write |
//!
//! Spoke publishes no example GraphQL responses for these operations (its
//! `docs/HOWTO_GRAPHQL_DEBUG.md` shows results for other ones); the
//! simulator answers in the shapes the schema declares.
//!
//! ```no_run
//! # async fn run() -> Result<(), canvass_core::Error> {
//! use canvass_core::{ConnectorExt, EntityKind};
//! use canvass_spoke::{ConnectorOptions, SpokeConnector, SpokeDb};
//! let db = SpokeDb::new("postgres://canvass_ro@localhost/spoke", None)?;
//! let spoke = SpokeConnector::new(db, None, ConnectorOptions::default());
//! let opt_outs = spoke.read_all(EntityKind::OptOuts).await?;
//! println!("{} opt-outs", opt_outs.len());
//! # Ok(()) }
//! ```

pub mod config;
pub mod connector;
pub mod db;
pub mod graphql;
pub mod mapping;
pub mod models;
pub mod routes;
#[cfg(feature = "simulator")]
pub mod simulator;

pub use config::{Config, KIND, factory};
pub use connector::{ConnectorOptions, SpokeConnector};
pub use db::SpokeDb;
pub use graphql::SpokeGraphql;
