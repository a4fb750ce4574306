//! Every route the client and the connector call, where Hustle documents
//! it, and whether every account can be expected to answer it: the table in
//! `src/routes.md` (shown in the crate docs), parsed, so the docs and the
//! route tests that check every request of a full pull cannot drift apart.
//!
//! ```
//! use canvass_hustle::routes::TABLE;
//! let put = TABLE.find("PUT", "/v3/agents/agt01").unwrap();
//! assert_eq!(put.path, "/v3/agents/{id}");
//! assert!(TABLE.find("PUT", "/v3/agents/a/b").is_none());
//! ```

use canvass_core::routes::LazyRouteTable;

/// The route table (`src/routes.md`, shown in the crate docs), parsed on
/// first use; its rows that do not parse are in
/// [`errors`](canvass_core::routes::RouteTable::errors), which the route
/// tests hold empty.
pub static TABLE: LazyRouteTable = LazyRouteTable::new(include_str!("routes.md"));
