//! Every route the client and the connector call, where Strive documents
//! it, and whether every account's key can be expected to answer it: the
//! table in `src/routes.md` (shown in the crate docs), parsed, so the docs
//! and the route tests that check every request of a full pull cannot
//! drift apart. Filters, `order`, `limit` and `offset` go in the query.
//!
//! ```
//! use canvass_core::routes::Availability;
//! use canvass_strive::routes::TABLE;
//! assert_eq!(TABLE.find("GET", "/groups").map(|r| r.availability), Some(Availability::Optional));
//! assert!(TABLE.find("DELETE", "/members").is_none());
//! ```

use canvass_core::routes::LazyRouteTable;

/// The route table (`src/routes.md`, shown in the crate docs), parsed on
/// first use; its rows that do not parse are in
/// [`errors`](canvass_core::routes::RouteTable::errors), which the route
/// tests hold empty.
pub static TABLE: LazyRouteTable = LazyRouteTable::new(include_str!("routes.md"));
