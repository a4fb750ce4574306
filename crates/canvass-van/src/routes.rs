//! The documented route table (rendered in the crate documentation, from
//! `src/routes.md`) as data, so tests can hold every request the client
//! makes against it.
//!
//! ```
//! use canvass_van::routes::{self, Account};
//! let r = routes::find("GET", "/v4/events/1370").unwrap();
//! assert_eq!(r.template(), "GET /v4/events/{eventId}");
//! assert!(matches!(r.account, Account::Optional(_)));
//! assert!(routes::find("GET", "/v4/events/types").is_some_and(|r| r.path == "/v4/events/types"));
//! assert!(routes::find("GET", "/v4/messages").is_none());
//! ```

/// The route table as written (markdown), rendered in the crate docs.
pub const TABLE: &str = include_str!("routes.md");

/// Whether every account has a route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Account {
    /// Available to every account, as far as VAN documents.
    Required,
    /// Documented as available only to some; the text says which.
    Optional(String),
}

/// One row of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentedRoute {
    /// The HTTP method (`GET`).
    pub method: String,
    /// The path template (`/v4/events/{eventId}`).
    pub path: String,
    /// What in this crate (and the VAN sync) calls it.
    pub called_by: String,
    /// Where VAN (or a client copying VAN's reference) publishes it.
    pub source: String,
    /// Whether every account has it.
    pub account: Account,
}

impl DocumentedRoute {
    /// `METHOD /path/template`.
    pub fn template(&self) -> String {
        format!("{} {}", self.method, self.path)
    }

    /// Whether a request's method and path (no query) is this route. A
    /// `{…Id}` segment matches digits only, `{a}:{b}` any `type:id`
    /// segment, any other `{…}` any one segment.
    pub fn matches(&self, method: &str, path: &str) -> bool {
        if !self.method.eq_ignore_ascii_case(method) {
            return false;
        }
        let want: Vec<&str> = self.path.trim_matches('/').split('/').collect();
        let have: Vec<&str> = path.trim_matches('/').split('/').collect();
        want.len() == have.len() && want.iter().zip(&have).all(|(w, h)| segment_matches(w, h))
    }

    /// How many literal segments the template has (a literal route wins
    /// over a parameter: `events/types` over `events/{eventId}`).
    fn literal_segments(&self) -> usize {
        self.path.split('/').filter(|s| !s.contains('{')).count()
    }
}

fn segment_matches(template: &str, segment: &str) -> bool {
    if segment.is_empty() {
        return false;
    }
    match template.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
        None => template == segment,
        Some(inner) if inner.contains("}:{") => segment
            .split_once(':')
            .is_some_and(|(a, b)| !a.is_empty() && !b.is_empty()),
        Some(name) if name.ends_with("Id") => segment.bytes().all(|b| b.is_ascii_digit()),
        Some(_) => true,
    }
}

fn cell(text: &str) -> String {
    text.trim().trim_matches('`').trim().to_string()
}

/// Every row of [`TABLE`], in order.
pub fn routes() -> Vec<DocumentedRoute> {
    TABLE
        .lines()
        .filter(|l| l.starts_with("| `"))
        .filter_map(|line| {
            let cells: Vec<&str> = line.trim().trim_matches('|').split(" | ").collect();
            let [route, called_by, source, account] = cells.as_slice() else {
                return None;
            };
            let (method, path) = cell(route)
                .split_once(' ')
                .map(|(m, p)| (m.to_string(), p.trim().to_string()))?;
            let account = account.trim();
            let account = match account.strip_prefix("optional") {
                Some(why) => Account::Optional(why.trim_start_matches(':').trim().to_string()),
                None if account == "required" => Account::Required,
                None => return None,
            };
            Some(DocumentedRoute {
                method,
                path,
                called_by: called_by.trim().to_string(),
                source: source.trim().to_string(),
                account,
            })
        })
        .collect()
}

/// The documented route a request (method and path, no query) is, the
/// most literal one when several match; `None` when it is not documented.
pub fn find(method: &str, path: &str) -> Option<DocumentedRoute> {
    routes()
        .into_iter()
        .filter(|r| r.matches(method, path))
        .max_by_key(DocumentedRoute::literal_segments)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_of_the_table_parses_with_a_source() {
        let rows = TABLE.lines().filter(|l| l.starts_with("| `")).count();
        let parsed = routes();
        assert_eq!(parsed.len(), rows);
        assert!(rows > 40, "{rows}");
        for r in &parsed {
            assert!(r.path.starts_with("/v4/"), "{r:?}");
            assert!(
                ["GET", "POST", "PUT", "DELETE"].contains(&r.method.as_str()),
                "{r:?}"
            );
            assert!(!r.source.is_empty() && !r.called_by.is_empty(), "{r:?}");
            if let Account::Optional(why) = &r.account {
                assert!(!why.is_empty(), "{r:?}");
            }
        }
        let mut templates: Vec<String> = parsed.iter().map(DocumentedRoute::template).collect();
        templates.sort();
        let n = templates.len();
        templates.dedup();
        assert_eq!(templates.len(), n, "a route is listed twice");
    }

    #[test]
    fn parameters_match_their_kind_of_segment() {
        let id = find("GET", "/v4/people/19722445").map(|r| r.path);
        assert_eq!(id.as_deref(), Some("/v4/people/{vanId}"));
        let alt = find("GET", "/v4/people/dwid:123").map(|r| r.path);
        assert_eq!(alt.as_deref(), Some("/v4/people/{personIdType}:{personId}"));
        assert!(find("GET", "/v4/people/abc").is_none());
        let fields = find("GET", "/v4/changedEntityExportJobs/fields/Contacts").map(|r| r.path);
        assert_eq!(
            fields.as_deref(),
            Some("/v4/changedEntityExportJobs/fields/{resourceType}")
        );
        assert!(find("POST", "/v4/events/types").is_none());
        assert!(find("GET", "/v4/events/12/signups").is_none());
    }
}
