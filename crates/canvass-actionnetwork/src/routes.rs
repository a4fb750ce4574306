//! The HTTP routes this crate calls, read from the one table in the crate
//! docs (`src/routes.md`, shown on the crate's front page), so the docs and
//! the tests that hold the connector to them cannot drift apart.
//!
//! ```
//! use canvass_actionnetwork::routes::{self, Availability};
//! let taggings = routes::documented("GET", "/api/v2/tags/abc/taggings").unwrap();
//! assert_eq!(taggings.availability, Availability::Optional);
//! assert!(routes::documented("GET", "/api/v2/queries").is_none());
//! ```

use std::sync::LazyLock;

/// The route table, as rendered in the crate docs.
pub const ROUTES_MARKDOWN: &str = include_str!("routes.md");

/// Whether every account can be expected to answer a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Availability {
    /// Documented for every key: a 404 is a failure.
    Required,
    /// Needs access some accounts lack: a read answering 404 on its first
    /// page is reported as not offered by this account.
    Optional,
}

/// One row of the route table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DocumentedRoute {
    /// `GET`, `POST`, `PUT` or `DELETE`.
    pub method: &'static str,
    /// The path template, `{name}` standing for one segment.
    pub path: &'static str,
    /// Whether every account answers it.
    pub availability: Availability,
    /// What in this crate calls it.
    pub called_by: &'static str,
    /// Where the vendor documents it (a Markdown link).
    pub source: &'static str,
}

fn segments(path: &str) -> impl Iterator<Item = &str> {
    path.split('?')
        .next()
        .unwrap_or_default()
        .split('/')
        .filter(|s| !s.is_empty())
}

impl DocumentedRoute {
    /// Whether a request (`method`, and `path` without the host) is this route.
    ///
    /// ```
    /// use canvass_actionnetwork::routes;
    /// let r = routes::routes().iter().find(|r| r.path.ends_with("/events/{event_id}/attendances") && r.method == "GET").unwrap();
    /// assert!(r.matches("GET", "/api/v2/events/7/attendances"));
    /// assert!(!r.matches("GET", "/api/v2/events/7"));
    /// ```
    pub fn matches(&self, method: &str, path: &str) -> bool {
        self.method.eq_ignore_ascii_case(method) && template_matches(self.path, path)
    }
}

/// Whether `path` (a query is ignored) fits the path `template`, where
/// `{name}` stands for any one segment.
///
/// ```
/// use canvass_actionnetwork::routes::template_matches;
/// assert!(template_matches("/api/v2/tags/{id}/taggings", "/api/v2/tags/42/taggings/"));
/// assert!(!template_matches("/api/v2/tags/{id}/taggings", "/api/v2/tags/42"));
/// ```
pub fn template_matches(template: &str, path: &str) -> bool {
    let mut want = segments(template);
    let mut got = segments(path);
    loop {
        match (want.next(), got.next()) {
            (None, None) => return true,
            (Some(w), Some(g)) if w == g || (w.starts_with('{') && w.ends_with('}')) => {}
            _ => return false,
        }
    }
}

static ROUTES: LazyLock<Vec<DocumentedRoute>> = LazyLock::new(|| parse(ROUTES_MARKDOWN));

/// Every row of the route table, in order.
pub fn routes() -> &'static [DocumentedRoute] {
    &ROUTES
}

/// The documented route a request matches (`method` and `path` without the
/// host), if any.
pub fn documented(method: &str, path: &str) -> Option<&'static DocumentedRoute> {
    routes().iter().find(|r| r.matches(method, path))
}

/// Whether `line` is a row of the table (as opposed to prose, the header
/// or the separator): it starts with `| <HTTP method> |`.
pub fn is_route_row(line: &str) -> bool {
    let Some(rest) = line.trim_start().strip_prefix('|') else {
        return false;
    };
    let method = rest.split('|').next().unwrap_or_default().trim();
    matches!(method, "GET" | "POST" | "PUT" | "PATCH" | "DELETE")
}

fn parse(markdown: &'static str) -> Vec<DocumentedRoute> {
    markdown
        .lines()
        .filter(|l| is_route_row(l))
        .filter_map(|line| {
            let inner = line.trim().strip_prefix('|')?.strip_suffix('|')?;
            let cells: Vec<&'static str> = inner.split('|').map(str::trim).collect();
            let [method, path, account, called_by, source] = cells.as_slice() else {
                return None;
            };
            let availability = match *account {
                "required" => Availability::Required,
                "optional" => Availability::Optional,
                _ => return None,
            };
            Some(DocumentedRoute {
                method,
                path: path.trim_matches('`'),
                availability,
                called_by,
                source,
            })
        })
        .collect()
}
