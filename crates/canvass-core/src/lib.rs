//! # canvass-core
//!
//! The shared foundation of every canvass connector:
//!
//! - [`model`]: the canonical organizing-data model ([`Person`], [`Event`],
//!   [`Attendance`], [`Message`], [`OptOut`], … and the [`Record`] enum);
//! - [`Connector`]: the trait every vendor crate implements, with
//!   [`ConnectorInfo`], resumable [`Page`] streams and canonical [`WriteOp`]s;
//! - [`Error`]: one error type with kinds the engine can act on;
//! - [`normalize`] and [`identity`]: normalizers and match keys for
//!   resolving the same human across tools;
//! - [`http`]: the HTTP layer (auth, rate limits, retries, pagination,
//!   secret scrubbing) so every connector behaves the same on the wire;
//! - [`routes`]: the route table each HTTP connector documents (every route
//!   it calls, its source, required or optional for an account), parsed
//!   from the Markdown its crate docs show.
//!
//! ```
//! use canvass_core::{Email, Person, SourceRef};
//! let mut person = Person { source: SourceRef::new("mobilize", "57"), ..Person::default() };
//! person.emails.push(Email::parse(" Ana@Example.org "));
//! assert_eq!(person.primary_email().map(|e| e.address.as_str()), Some("Ana@example.org"));
//! ```

pub mod connector;
pub mod error;
pub mod http;
pub mod identity;
pub mod model;
pub mod normalize;
pub mod redact;
pub mod registry;
pub mod routes;
pub mod time;

pub use connector::{
    Checkpoint, Connector, ConnectorExt, ConnectorInfo, Page, PageStream, RawRecord, RecordIssue,
    WriteKind, WriteOp, WriteOutcome, optional_read, unsupported_read, unsupported_write,
};
pub use error::{Error, Result};
pub use model::*;
pub use redact::redact_url;
pub use secrecy::{ExposeSecret, SecretString};
