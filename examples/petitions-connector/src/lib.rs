//! # The template connector
//!
//! A complete canvass connector for a made-up petitions API, short enough to
//! read in one sitting. Copy this crate to start a new connector; CONTRIBUTING.md
//! walks through it. It has the shape every canvass connector has:
//!
//! | file | job |
//! |---|---|
//! | `models.rs` | the vendor's wire types, tolerant of missing and unknown fields |
//! | `client.rs` | the typed client on `canvass_core::http::HttpClient`: auth, rate limit, paging |
//! | `connector.rs` | the `Connector` impl: vendor → canonical mapping, checkpoints, writes |
//! | `config.rs` | the `canvass.toml` section and the registry factory |
//! | `simulator.rs` | the vendor simulator on `canvass_testkit::Sim` (feature `simulator`) |
//! | `tests/conformance.rs` | the conformance suite against the simulator |
//!
//! ## The petitions API
//!
//! - Auth: header `X-Petitions-Key: <key>`; a bad key is a 401 whose body
//!   echoes the key (the HTTP layer scrubs it).
//! - `GET /signers?per_page=..&page_token=..&updated_since=..`: signers
//!   sorted by `updated_at`, `{"signers": [...], "next_page_token": ...}`.
//! - `POST /signers`: upsert keyed by email, 201 created / 200 updated.
//! - Errors: `{"message": "...", "code": "...", "fields": [...]}`.
//! - Rate limit: 4 requests per second, 429 past it.

pub mod client;
pub mod config;
pub mod connector;
pub mod models;
#[cfg(feature = "simulator")]
pub mod simulator;

pub use client::PetitionsClient;
pub use config::{Config, KIND, factory};
pub use connector::PetitionsConnector;
