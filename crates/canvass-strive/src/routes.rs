//! Every route the client and the connector call, where Strive documents
//! it, and whether every account's key can be expected to answer it.
//!
//! [`ROUTES`] is the one list: the crate docs show it (a test keeps the two
//! the same) and the route tests check every request of a full pull
//! against it.

/// Whether an account's key can be expected to answer a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Every key: a failure is an error.
    Required,
    /// A key may not be granted the table: a read answering 404 on its
    /// first page is reported as not offered (the kind is skipped, the run
    /// goes on).
    Optional,
}

/// One route: method, path, where it is documented, what calls it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiRoute {
    /// HTTP method.
    pub method: &'static str,
    /// Path under the API root (filters, `order`, `limit` and `offset` go
    /// in the query).
    pub path: &'static str,
    /// Required or optional for an account.
    pub need: Need,
    /// Where the route is documented.
    pub source: &'static str,
    /// What in this crate calls it.
    pub used_by: &'static str,
}

/// The routes, in the order the crate docs list them.
pub const ROUTES: &[ApiRoute] = &[
    ApiRoute {
        method: "GET",
        path: "/rpc/ping",
        need: Need::Required,
        source: "developers.strivemessaging.org, Auth",
        used_by: "`check`",
    },
    ApiRoute {
        method: "GET",
        path: "/members",
        need: Need::Required,
        source: "developers.strivemessaging.org, Filtering; Parsons `get_members`",
        used_by: "people, taggings; opt-outs (the members' phones); finding a member by phone",
    },
    ApiRoute {
        method: "POST",
        path: "/members",
        need: Need::Required,
        source: "developers.strivemessaging.org `#tag/members/paths/~1members/post`; Parsons `post_members`",
        used_by: "upsert person",
    },
    ApiRoute {
        method: "GET",
        path: "/outgoing_messages",
        need: Need::Required,
        source: "Parsons `get_outgoing_messages`",
        used_by: "messages, contact attempts",
    },
    ApiRoute {
        method: "GET",
        path: "/incoming_messages",
        need: Need::Required,
        source: "Parsons `get_incoming_messages` (its docstring; its code asks `/outgoing_messages`)",
        used_by: "messages, contact attempts",
    },
    ApiRoute {
        method: "GET",
        path: "/subscription_events",
        need: Need::Required,
        source: "Parsons `get_subscription_events`",
        used_by: "opt-outs (`unsubscribe=is.true`)",
    },
    ApiRoute {
        method: "GET",
        path: "/groups",
        need: Need::Optional,
        source: "Parsons `get_groups`",
        used_by: "tags",
    },
    ApiRoute {
        method: "GET",
        path: "/custom_fields",
        need: Need::Optional,
        source: "Parsons `get_custom_fields`",
        used_by: "`custom_fields().list()`",
    },
    ApiRoute {
        method: "GET",
        path: "/members_custom_fields",
        need: Need::Optional,
        source: "Parsons `get_members_custom_fields`",
        used_by: "`table(Table::MembersCustomFields)`",
    },
    ApiRoute {
        method: "GET",
        path: "/broadcasts",
        need: Need::Optional,
        source: "Parsons `get_broadcasts`",
        used_by: "`broadcasts().list()`",
    },
    ApiRoute {
        method: "GET",
        path: "/broadcasts_groups",
        need: Need::Optional,
        source: "Parsons `get_broadcasts_groups` (its docstring; its code asks `/broadcast_groups`)",
        used_by: "`table(Table::BroadcastsGroups)`",
    },
    ApiRoute {
        method: "GET",
        path: "/campaigns",
        need: Need::Optional,
        source: "Parsons `get_campaigns`",
        used_by: "`campaigns().list()`",
    },
    ApiRoute {
        method: "GET",
        path: "/p2ps",
        need: Need::Optional,
        source: "Parsons `get_p2ps`",
        used_by: "`table(Table::P2ps)`",
    },
    ApiRoute {
        method: "GET",
        path: "/flows",
        need: Need::Optional,
        source: "Parsons `get_flows`",
        used_by: "`table(Table::Flows)`",
    },
];

/// The route a request (method, and path without the query) is, if any.
///
/// ```
/// use canvass_strive::routes::{Need, route};
/// assert_eq!(route("GET", "/groups").map(|r| r.need), Some(Need::Optional));
/// assert!(route("DELETE", "/members").is_none());
/// ```
pub fn route(method: &str, path: &str) -> Option<&'static ApiRoute> {
    ROUTES
        .iter()
        .find(|r| r.method.eq_ignore_ascii_case(method) && r.path == path)
}

/// [`ROUTES`] as the markdown table the crate docs show.
pub fn markdown() -> String {
    let mut out = String::from(
        "| method | path | key | documented in | called for |\n|---|---|---|---|---|\n",
    );
    for r in ROUTES {
        let need = match r.need {
            Need::Required => "required",
            Need::Optional => "optional",
        };
        out.push_str(&format!(
            "| {} | `{}` | {need} | {} | {} |\n",
            r.method, r.path, r.source, r.used_by
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::Table;

    #[test]
    fn the_crate_docs_show_exactly_this_table() {
        let docs: String = include_str!("lib.rs")
            .lines()
            .filter_map(|l| l.strip_prefix("//! "))
            .filter(|l| l.starts_with('|'))
            .map(|l| format!("{l}\n"))
            .collect();
        assert_eq!(docs, markdown(), "update the table in src/lib.rs");
    }

    #[test]
    fn every_table_the_client_reads_is_listed() {
        for table in Table::ALL {
            let path = format!("/{}", table.path());
            assert!(route("GET", &path).is_some(), "{path}");
        }
    }
}
