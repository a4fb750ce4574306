//! The HTTP routes this crate calls: the table in `src/routes.md` (shown on
//! the crate's front page), parsed into a
//! [`RouteTable`](canvass_core::routes::RouteTable) so the docs and the
//! tests that hold the connector to them cannot drift apart.
//!
//! ```
//! use canvass_core::routes::Availability;
//! use canvass_mobilize::routes;
//! let people = routes::TABLE.find("GET", "/v1/organizations/42/people").unwrap();
//! assert_eq!(people.availability, Availability::Optional);
//! assert!(routes::TABLE.find("GET", "/v1/organizations/42/tags").is_none());
//! ```

use canvass_core::routes::LazyRouteTable;

/// The route table (`src/routes.md`, shown in the crate docs), parsed on
/// first use; its rows that do not parse are in
/// [`errors`](canvass_core::routes::RouteTable::errors), which the route
/// tests hold empty.
pub static TABLE: LazyRouteTable = LazyRouteTable::new(include_str!("routes.md"));
