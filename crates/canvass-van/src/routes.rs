//! The documented route table (rendered in the crate documentation, from
//! `src/routes.md`) as data, so tests can hold every request the client
//! makes against it. VAN's ids are numbers: a `{…Id}` parameter matches
//! digits only, `{a}:{b}` a `type:id` segment, any other `{…}` any one
//! segment, and a literal route wins over a parameter (`events/types` over
//! `events/{eventId}`).
//!
//! ```
//! use canvass_core::routes::Availability;
//! use canvass_van::routes::TABLE;
//! let r = TABLE.find("GET", "/v4/events/1370").unwrap();
//! assert_eq!(r.template(), "GET /v4/events/{eventId}");
//! assert_eq!(r.availability, Availability::Optional);
//! assert!(TABLE.find("GET", "/v4/events/types").is_some_and(|r| r.path == "/v4/events/types"));
//! assert!(TABLE.find("GET", "/v4/messages").is_none());
//! ```

use canvass_core::routes::{LazyRouteTable, ParamRule};

/// The route table (`src/routes.md`, shown in the crate docs), parsed on
/// first use; its rows that do not parse are in
/// [`errors`](canvass_core::routes::RouteTable::errors), which the route
/// tests hold empty.
pub static TABLE: LazyRouteTable =
    LazyRouteTable::with_params(include_str!("routes.md"), ParamRule::DigitsWhenNamed("Id"));
