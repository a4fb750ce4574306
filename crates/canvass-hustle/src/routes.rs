//! Every route the client and the connector call, where Hustle documents
//! it, and whether every account can be expected to answer it.
//!
//! [`ROUTES`] is the one list: the crate docs show it (a test keeps the two
//! the same) and the route tests check every request a full pull makes
//! against it.

/// Hustle's own v3 OpenAPI file, as served at
/// `https://api.hustle.com/v3/docs/swagger.json` and archived byte for byte
/// in api-evangelist/hustle as `openapi/_original/hustle-openapi-original.json`.
pub const OPENAPI: &str = "Hustle v3 OpenAPI file";

/// Whether an account can be expected to answer a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// In Hustle's published file, for every account: a failure is an error.
    Required,
    /// Not in Hustle's published file: called only when configured, and a
    /// 404 on the first page is reported as not offered (the kind is
    /// skipped, the run goes on).
    Optional,
}

impl Need {
    /// `required` or `optional`.
    pub fn as_str(self) -> &'static str {
        match self {
            Need::Required => "required",
            Need::Optional => "optional",
        }
    }
}

/// One route: method, path template, where it is documented, what calls it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiRoute {
    /// HTTP method.
    pub method: &'static str,
    /// Path under the server root; `{id}` stands for one path segment.
    pub path: &'static str,
    /// Required or optional for an account.
    pub need: Need,
    /// Where the route is documented.
    pub source: &'static str,
    /// What in this crate calls it.
    pub used_by: &'static str,
}

impl ApiRoute {
    /// Whether `method` and `path` (a request's, without the query) are this route.
    ///
    /// ```
    /// let put = canvass_hustle::routes::route("PUT", "/v3/agents/agt01").unwrap();
    /// assert_eq!(put.path, "/v3/agents/{id}");
    /// assert!(canvass_hustle::routes::route("PUT", "/v3/agents/a/b").is_none());
    /// ```
    pub fn matches(&self, method: &str, path: &str) -> bool {
        if !self.method.eq_ignore_ascii_case(method) {
            return false;
        }
        let mut want = self.path.split('/');
        let mut got = path.split('/');
        loop {
            match (want.next(), got.next()) {
                (None, None) => return true,
                (Some(w), Some(g)) if w.starts_with('{') && w.ends_with('}') => {
                    if g.is_empty() {
                        return false;
                    }
                }
                (Some(w), Some(g)) if w == g => {}
                _ => return false,
            }
        }
    }
}

/// The routes, in the order the crate docs list them.
pub const ROUTES: &[ApiRoute] = &[
    ApiRoute {
        method: "POST",
        path: "/v3/oauth/token",
        need: Need::Required,
        source: "v3 OpenAPI `/oauth/token` post",
        used_by: "every request (OAuth2 client credentials)",
    },
    ApiRoute {
        method: "GET",
        path: "/v3/organizations",
        need: Need::Required,
        source: "v3 OpenAPI `/organizations` get",
        used_by: "`check`; `organizations().list()`",
    },
    ApiRoute {
        method: "GET",
        path: "/v3/leads",
        need: Need::Required,
        source: "v3 OpenAPI `/leads` get",
        used_by: "people, taggings, opt-outs; finding a lead by phone to opt it out",
    },
    ApiRoute {
        method: "POST",
        path: "/v3/leads",
        need: Need::Required,
        source: "v3 OpenAPI `/leads` post",
        used_by: "upsert person",
    },
    ApiRoute {
        method: "PATCH",
        path: "/v3/leads",
        need: Need::Required,
        source: "v3 OpenAPI `/leads` patch",
        used_by: "apply tag, remove tag, opt out",
    },
    ApiRoute {
        method: "GET",
        path: "/v3/tags",
        need: Need::Required,
        source: "v3 OpenAPI `/tags` get",
        used_by: "tags; opt-out reasons (tags with `agentVisibility: OPT_OUT`)",
    },
    ApiRoute {
        method: "POST",
        path: "/v3/tags",
        need: Need::Required,
        source: "v3 OpenAPI `/tags` post",
        used_by: "`tags().create()`",
    },
    ApiRoute {
        method: "GET",
        path: "/v3/groups",
        need: Need::Required,
        source: "v3 OpenAPI `/groups` get",
        used_by: "`groups().list()`",
    },
    ApiRoute {
        method: "POST",
        path: "/v3/groups",
        need: Need::Required,
        source: "v3 OpenAPI `/groups` post",
        used_by: "`groups().create()`",
    },
    ApiRoute {
        method: "GET",
        path: "/v3/agents",
        need: Need::Required,
        source: "v3 OpenAPI `/agents` get",
        used_by: "`agents().list()`",
    },
    ApiRoute {
        method: "POST",
        path: "/v3/agents",
        need: Need::Required,
        source: "v3 OpenAPI `/agents` post",
        used_by: "`agents().create()`",
    },
    ApiRoute {
        method: "PUT",
        path: "/v3/agents/{id}",
        need: Need::Required,
        source: "v3 OpenAPI `/agents/{id}` put",
        used_by: "`agents().update()`",
    },
    ApiRoute {
        method: "GET",
        path: "/v3/custom_fields",
        need: Need::Required,
        source: "v3 OpenAPI `/custom_fields` get",
        used_by: "`custom_fields().list()`",
    },
    ApiRoute {
        method: "POST",
        path: "/v3/custom_fields",
        need: Need::Required,
        source: "v3 OpenAPI `/custom_fields` post",
        used_by: "`custom_fields().create()`",
    },
    ApiRoute {
        method: "GET",
        path: "/v3/messages/{id}",
        need: Need::Optional,
        source: "not in the v3 OpenAPI file; only api-evangelist/hustle `openapi/hustle-messages-api-openapi.yml` (a derived file)",
        used_by: "`messages().get()`",
    },
    ApiRoute {
        method: "GET",
        path: "/v3/messages",
        need: Need::Optional,
        source: "none: Hustle publishes no message list",
        used_by: "messages, contact attempts, only with `messages_path` set (this path, or the one configured); `messages().list()`",
    },
];

/// The route a request is, if any.
pub fn route(method: &str, path: &str) -> Option<&'static ApiRoute> {
    ROUTES.iter().find(|r| r.matches(method, path))
}

/// [`ROUTES`] as the markdown table the crate docs show.
pub fn markdown() -> String {
    let mut out = String::from(
        "| method | path | account | documented in | called for |\n|---|---|---|---|---|\n",
    );
    for r in ROUTES {
        out.push_str(&format!(
            "| {} | `{}` | {} | {} | {} |\n",
            r.method,
            r.path,
            r.need.as_str(),
            r.source,
            r.used_by
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn templates_match_one_segment() {
        let r = route("GET", "/v3/messages/m1").map(|r| r.path);
        assert_eq!(r, Some("/v3/messages/{id}"));
        assert_eq!(
            route("GET", "/v3/messages").map(|r| r.need),
            Some(Need::Optional)
        );
        assert!(route("GET", "/v3/messages/").is_none());
        assert!(route("DELETE", "/v3/leads").is_none());
        assert!(route("GET", "/v3/webhook_registrations").is_none());
    }
}
