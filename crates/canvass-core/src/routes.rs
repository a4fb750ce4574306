//! Route tables: every HTTP route a connector calls, where the vendor
//! documents it, and whether every account can be expected to answer it.
//!
//! A connector keeps its table in one Markdown file, `src/routes.md`, that
//! the crate docs include (`#![doc = include_str!("routes.md")]`) and its
//! `routes` module parses at runtime ([`RouteTable::parse`], through a
//! [`LazyRouteTable`] static), so the docs and the tests that hold the
//! connector to them cannot drift apart:
//!
//! ```text
//! //! src/routes.rs of a connector
//! use canvass_core::routes::LazyRouteTable;
//!
//! /// The route table (`src/routes.md`, shown in the crate docs), parsed on first use.
//! pub static TABLE: LazyRouteTable = LazyRouteTable::new(include_str!("routes.md"));
//! ```
//!
//! The file is prose plus one or more tables, each with exactly these
//! columns:
//!
//! ```markdown
//! | Method | Path | Account | Called by | Source |
//! |---|---|---|---|---|
//! | GET | `/v1/people` | required | connector: people | [People](https://example.org/docs/people) |
//! | GET | `/v1/people/{person_id}/tags` | optional: group keys only | client: `people().tags()` | [Tags](https://example.org/docs/tags) |
//! ```
//!
//! - *Method*: `GET`, `POST`, `PUT`, `PATCH`, `DELETE`, `HEAD` or `OPTIONS`.
//! - *Path*: the path template in backticks, from the host's root; `{name}`
//!   stands for a parameter inside one segment (`{type}:{id}` is a segment
//!   of two).
//! - *Account*: `required` or `optional` ([`Availability`]), optionally
//!   followed by `: ` and a note (which accounts have the route).
//! - *Called by* and *Source*: free text, not empty.
//!
//! A row that does not parse is not dropped silently and does not panic:
//! it is listed in [`RouteTable::errors`], which each connector's route
//! tests assert is empty.
//!
//! ```
//! use canvass_core::routes::{Availability, RouteTable};
//! let table = RouteTable::parse(
//!     "| Method | Path | Account | Called by | Source |\n\
//!      |---|---|---|---|---|\n\
//!      | GET | `/v1/tags/{tag_id}` | optional | connector: tags | the docs |\n",
//! );
//! assert!(table.errors().is_empty());
//! let tag = table.find("GET", "/v1/tags/42").unwrap();
//! assert_eq!(tag.availability, Availability::Optional);
//! assert!(table.find("GET", "/v1/people").is_none());
//! ```

use std::fmt;
use std::sync::OnceLock;

/// The columns every route table has, in this order.
pub const COLUMNS: [&str; 5] = ["Method", "Path", "Account", "Called by", "Source"];

/// The methods a row may name.
const METHODS: [&str; 7] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

/// Whether every account can be expected to answer a route.
///
/// ```
/// use canvass_core::routes::Availability;
/// assert_eq!(Availability::Optional.as_str(), "optional");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Availability {
    /// Every account has it: a failure there (a 404 included) is an error.
    Required,
    /// Some accounts lack it: a read answering 404 on its first page is
    /// reported as not offered by this account
    /// ([`Error::NotOffered`](crate::Error::NotOffered)), and the engine
    /// skips the kind instead of failing the run.
    Optional,
}

impl Availability {
    /// `required` or `optional`, as the table writes it.
    ///
    /// ```
    /// use canvass_core::routes::Availability;
    /// assert_eq!(Availability::Required.as_str(), "required");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Availability::Required => "required",
            Availability::Optional => "optional",
        }
    }
}

impl fmt::Display for Availability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a `{name}` parameter of a path template matches a request's text.
///
/// ```
/// use canvass_core::routes::{ParamRule, RouteTable};
/// let table = RouteTable::parse(
///     "| Method | Path | Account | Called by | Source |\n|---|---|---|---|---|\n\
///      | GET | `/v4/people/{vanId}` | required | `people().get()` | the docs |\n",
/// )
/// .with_params(ParamRule::DigitsWhenNamed("Id"));
/// assert!(table.find("GET", "/v4/people/19722445").is_some());
/// assert!(table.find("GET", "/v4/people/abc").is_none());
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ParamRule {
    /// Any non-empty text.
    #[default]
    AnyText,
    /// Digits only when the parameter's name ends with this suffix (VAN's
    /// numeric ids: `{vanId}`, `{eventId}`); any non-empty text otherwise.
    DigitsWhenNamed(&'static str),
}

impl ParamRule {
    fn accepts(self, name: &str, value: &str) -> bool {
        !value.is_empty()
            && match self {
                ParamRule::AnyText => true,
                ParamRule::DigitsWhenNamed(suffix) => {
                    !name.ends_with(suffix) || value.bytes().all(|b| b.is_ascii_digit())
                }
            }
    }
}

/// One row of a route table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    /// The HTTP method, upper case (`GET`).
    pub method: &'static str,
    /// The path template (`/api/v2/tags/{tag_id}/taggings`).
    pub path: &'static str,
    /// Whether every account answers it.
    pub availability: Availability,
    /// What the *Account* cell says after `required:` or `optional:`
    /// (which accounts have the route), if anything.
    pub note: Option<&'static str>,
    /// What in the crate calls it.
    pub called_by: &'static str,
    /// Where the vendor documents it.
    pub source: &'static str,
    /// How the template's parameters match (the table's rule).
    pub params: ParamRule,
}

impl Route {
    /// `METHOD /path/template`.
    ///
    /// ```
    /// use canvass_core::routes::RouteTable;
    /// let table = RouteTable::parse(
    ///     "| Method | Path | Account | Called by | Source |\n|---|---|---|---|---|\n\
    ///      | POST | `/v4/echoes` | required | `check` | the docs |\n",
    /// );
    /// assert_eq!(table.routes()[0].template(), "POST /v4/echoes");
    /// ```
    pub fn template(&self) -> String {
        format!("{} {}", self.method, self.path)
    }

    /// Whether a request (`method`, and `path` from the host's root; a
    /// query is ignored) is this route.
    ///
    /// ```
    /// use canvass_core::routes::RouteTable;
    /// let table = RouteTable::parse(
    ///     "| Method | Path | Account | Called by | Source |\n|---|---|---|---|---|\n\
    ///      | GET | `/v1/events/{event_id}/attendances` | required | connector | the docs |\n",
    /// );
    /// let r = &table.routes()[0];
    /// assert!(r.matches("get", "/v1/events/7/attendances?page=2"));
    /// assert!(!r.matches("GET", "/v1/events/7"));
    /// assert!(!r.matches("POST", "/v1/events/7/attendances"));
    /// ```
    pub fn matches(&self, method: &str, path: &str) -> bool {
        self.method.eq_ignore_ascii_case(method) && path_matches(self.path, path, self.params)
    }

    /// How specific the template is, segment by segment (a literal segment
    /// over one mixing text and parameters over a bare parameter), so the
    /// most literal of several matching routes wins.
    fn specificity(&self) -> Vec<u8> {
        self.path
            .split('/')
            .map(|segment| match pieces(segment) {
                Some(p) if p.iter().all(|p| matches!(p, Piece::Text(_))) => 2,
                Some(p) if p.iter().any(|p| matches!(p, Piece::Text(_))) => 1,
                _ => 0,
            })
            .collect()
    }
}

/// A row of a route table that does not parse, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// Its line in the Markdown (from 1).
    pub line: usize,
    /// The line as written.
    pub text: &'static str,
    /// What is wrong with it.
    pub reason: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {} ({})", self.line, self.reason, self.text)
    }
}

/// A parsed route table: its routes in order, and the rows that did not
/// parse.
///
/// ```
/// use canvass_core::routes::RouteTable;
/// let table = RouteTable::parse(
///     "Prose is skipped.\n\n\
///      | Method | Path | Account | Called by | Source |\n|---|---|---|---|---|\n\
///      | GET | `/v1/people` | required | connector: people | the docs |\n\
///      | GTE | `/v1/events` | required | connector: events | the docs |\n",
/// );
/// assert_eq!(table.routes().len(), 1);
/// assert_eq!(table.errors()[0].line, 6);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RouteTable {
    routes: Vec<Route>,
    errors: Vec<RowError>,
}

impl RouteTable {
    /// Parses every table in `markdown` (prose between them is skipped).
    /// Never fails: what does not parse is in [`RouteTable::errors`].
    ///
    /// ```
    /// use canvass_core::routes::RouteTable;
    /// let table = RouteTable::parse("| Method | Path | Notes |\n|---|---|---|\n| GET | `/` | x |\n");
    /// assert!(table.routes().is_empty());
    /// assert!(table.errors()[0].reason.contains("columns"));
    /// ```
    pub fn parse(markdown: &'static str) -> RouteTable {
        // Where a line stands: in prose, after a table's header (its
        // separator is next), in its rows, or in a table not read (its
        // header or separator is wrong: one error for the whole table).
        enum At {
            Prose,
            Separator,
            Rows,
            Ignored,
        }
        let mut table = RouteTable::default();
        let mut at = At::Prose;
        for (n, line) in markdown.lines().enumerate() {
            let trimmed = line.trim();
            if !trimmed.starts_with('|') {
                at = At::Prose;
                continue;
            }
            let error = |reason: String| RowError {
                line: n + 1,
                text: line,
                reason,
            };
            at = match at {
                At::Prose if is_header(trimmed) => At::Separator,
                At::Prose => {
                    table.errors.push(error(format!(
                        "a route table's columns are | {} |",
                        COLUMNS.join(" | ")
                    )));
                    At::Ignored
                }
                At::Separator if is_separator(trimmed) => At::Rows,
                At::Separator => {
                    let reason = "the header is not followed by |---|".to_string();
                    table.errors.push(error(reason));
                    At::Ignored
                }
                At::Rows => {
                    match row(trimmed) {
                        Ok(route)
                            if table
                                .routes
                                .iter()
                                .any(|r| r.template() == route.template()) =>
                        {
                            let reason = format!("{} is listed twice", route.template());
                            table.errors.push(error(reason));
                        }
                        Ok(route) => table.routes.push(route),
                        Err(reason) => table.errors.push(error(reason)),
                    }
                    At::Rows
                }
                At::Ignored => At::Ignored,
            };
        }
        table
    }

    /// Sets how every route's `{name}` parameters match (by default
    /// [`ParamRule::AnyText`]).
    ///
    /// ```
    /// use canvass_core::routes::{ParamRule, RouteTable};
    /// let table = RouteTable::parse(
    ///     "| Method | Path | Account | Called by | Source |\n|---|---|---|---|---|\n\
    ///      | GET | `/v4/events/{eventId}` | required | `events().get()` | the docs |\n",
    /// )
    /// .with_params(ParamRule::DigitsWhenNamed("Id"));
    /// assert!(table.find("GET", "/v4/events/types").is_none());
    /// ```
    pub fn with_params(mut self, rule: ParamRule) -> RouteTable {
        for r in &mut self.routes {
            r.params = rule;
        }
        self
    }

    /// Every route, in the table's order.
    ///
    /// ```
    /// use canvass_core::routes::RouteTable;
    /// assert!(RouteTable::parse("no table here").routes().is_empty());
    /// ```
    pub fn routes(&self) -> &[Route] {
        &self.routes
    }

    /// The rows that did not parse (a route listed twice among them);
    /// empty for a table without mistakes.
    ///
    /// ```
    /// use canvass_core::routes::RouteTable;
    /// let table = RouteTable::parse(
    ///     "| Method | Path | Account | Called by | Source |\n|---|---|---|---|---|\n\
    ///      | GET | `/v1/people` | sometimes | connector | the docs |\n",
    /// );
    /// assert!(table.errors()[0].reason.contains("required"));
    /// ```
    pub fn errors(&self) -> &[RowError] {
        &self.errors
    }

    /// The route a request (`method`, and `path` from the host's root; a
    /// query is ignored) is, the most literal one when several match;
    /// `None` when the table does not list it.
    ///
    /// ```
    /// use canvass_core::routes::RouteTable;
    /// let table = RouteTable::parse(
    ///     "| Method | Path | Account | Called by | Source |\n|---|---|---|---|---|\n\
    ///      | GET | `/v4/events/{eventId}` | required | `events().get()` | the docs |\n\
    ///      | GET | `/v4/events/types` | required | `events().types()` | the docs |\n",
    /// );
    /// assert_eq!(table.find("GET", "/v4/events/types").map(|r| r.path), Some("/v4/events/types"));
    /// assert_eq!(table.find("GET", "/v4/events/7").map(|r| r.path), Some("/v4/events/{eventId}"));
    /// assert!(table.find("DELETE", "/v4/events/7").is_none());
    /// ```
    pub fn find(&self, method: &str, path: &str) -> Option<&Route> {
        let mut best: Option<(&Route, Vec<u8>)> = None;
        for r in self.routes.iter().filter(|r| r.matches(method, path)) {
            let rank = r.specificity();
            if best.as_ref().is_none_or(|(_, b)| rank > *b) {
                best = Some((r, rank));
            }
        }
        best.map(|(r, _)| r)
    }

    /// [`RouteTable::find`] for a request written `METHOD /path`, as the
    /// simulators count them (`Stats::by_route`).
    ///
    /// ```
    /// use canvass_core::routes::RouteTable;
    /// let table = RouteTable::parse(
    ///     "| Method | Path | Account | Called by | Source |\n|---|---|---|---|---|\n\
    ///      | GET | `/members` | required | connector: people | the docs |\n",
    /// );
    /// assert!(table.find_request("GET /members").is_some());
    /// assert!(table.find_request("POST /members").is_none());
    /// assert!(table.find_request("GET").is_none());
    /// ```
    pub fn find_request(&self, request: &str) -> Option<&Route> {
        let (method, path) = request.split_once(' ')?;
        self.find(method, path)
    }

    /// The requests (written `METHOD /path`, as the simulators count them)
    /// that are no route of the table, in order: what a route test expects
    /// to be empty after a full pull.
    ///
    /// ```
    /// use canvass_core::routes::RouteTable;
    /// let table = RouteTable::parse(
    ///     "| Method | Path | Account | Called by | Source |\n|---|---|---|---|---|\n\
    ///      | GET | `/members` | required | connector: people | the docs |\n",
    /// );
    /// let seen = ["GET /members", "GET /flows", "DELETE /members"];
    /// assert_eq!(table.unlisted(&seen), [&"GET /flows", &"DELETE /members"]);
    /// ```
    pub fn unlisted<'r, S>(&self, requests: impl IntoIterator<Item = &'r S>) -> Vec<&'r S>
    where
        S: AsRef<str> + ?Sized + 'r,
    {
        requests
            .into_iter()
            .filter(|r| self.find_request(r.as_ref()).is_none())
            .collect()
    }

    /// The requests that are not routes the table lists as `availability`
    /// (unlisted ones among them), in order.
    ///
    /// ```
    /// use canvass_core::routes::{Availability, RouteTable};
    /// let table = RouteTable::parse(
    ///     "| Method | Path | Account | Called by | Source |\n|---|---|---|---|---|\n\
    ///      | GET | `/members` | required | connector: people | the docs |\n\
    ///      | GET | `/groups` | optional | connector: tags | the docs |\n",
    /// );
    /// let seen = ["GET /members", "GET /groups", "GET /flows"];
    /// assert_eq!(
    ///     table.unlisted_as(&seen, Availability::Required),
    ///     [&"GET /groups", &"GET /flows"]
    /// );
    /// ```
    pub fn unlisted_as<'r, S>(
        &self,
        requests: impl IntoIterator<Item = &'r S>,
        availability: Availability,
    ) -> Vec<&'r S>
    where
        S: AsRef<str> + ?Sized + 'r,
    {
        requests
            .into_iter()
            .filter(|r| {
                self.find_request(r.as_ref())
                    .is_none_or(|route| route.availability != availability)
            })
            .collect()
    }

    /// The routes no request (written `METHOD /path`) is, in the table's
    /// order: what a route test expects to be empty after it has called
    /// everything the table lists.
    ///
    /// ```
    /// use canvass_core::routes::RouteTable;
    /// let table = RouteTable::parse(
    ///     "| Method | Path | Account | Called by | Source |\n|---|---|---|---|---|\n\
    ///      | GET | `/v3/agents` | required | `agents().list()` | the docs |\n\
    ///      | PUT | `/v3/agents/{id}` | required | `agents().update()` | the docs |\n",
    /// );
    /// let uncalled = table.uncalled(&["GET /v3/agents"]);
    /// assert_eq!(uncalled.iter().map(|r| r.template()).collect::<Vec<_>>(), ["PUT /v3/agents/{id}"]);
    /// assert!(table.uncalled(&["GET /v3/agents", "PUT /v3/agents/agt01"]).is_empty());
    /// ```
    pub fn uncalled<'r, S>(&self, requests: impl IntoIterator<Item = &'r S>) -> Vec<&Route>
    where
        S: AsRef<str> + ?Sized + 'r,
    {
        let requests: Vec<(&str, &str)> = requests
            .into_iter()
            .filter_map(|r| r.as_ref().split_once(' '))
            .collect();
        self.routes
            .iter()
            .filter(|route| !requests.iter().any(|(m, p)| route.matches(m, p)))
            .collect()
    }
}

/// A route table parsed on first use, for a `static` in a connector's
/// `routes` module; it dereferences to the [`RouteTable`].
///
/// ```
/// use canvass_core::routes::{LazyRouteTable, ParamRule};
/// // In a connector: `LazyRouteTable::new(include_str!("routes.md"))`.
/// static TABLE: LazyRouteTable = LazyRouteTable::with_params(
///     "| Method | Path | Account | Called by | Source |\n|---|---|---|---|---|\n\
///      | GET | `/v4/codes/{codeId}` | required | `codes().get()` | the docs |\n",
///     ParamRule::DigitsWhenNamed("Id"),
/// );
/// assert!(TABLE.errors().is_empty());
/// assert!(TABLE.find("GET", "/v4/codes/12").is_some());
/// assert!(TABLE.markdown().starts_with("| Method |"));
/// ```
#[derive(Debug)]
pub struct LazyRouteTable {
    markdown: &'static str,
    params: ParamRule,
    table: OnceLock<RouteTable>,
}

impl LazyRouteTable {
    /// The table in `markdown`, parsed when first used.
    pub const fn new(markdown: &'static str) -> LazyRouteTable {
        LazyRouteTable::with_params(markdown, ParamRule::AnyText)
    }

    /// The table in `markdown`, its parameters matching by `rule` (see
    /// [`RouteTable::with_params`]), parsed when first used.
    pub const fn with_params(markdown: &'static str, rule: ParamRule) -> LazyRouteTable {
        LazyRouteTable {
            markdown,
            params: rule,
            table: OnceLock::new(),
        }
    }

    /// The table as written.
    pub fn markdown(&self) -> &'static str {
        self.markdown
    }
}

impl std::ops::Deref for LazyRouteTable {
    type Target = RouteTable;

    fn deref(&self) -> &RouteTable {
        self.table
            .get_or_init(|| RouteTable::parse(self.markdown).with_params(self.params))
    }
}

/// Whether `path` (from the host's root; a query is ignored) fits the path
/// `template`, each `{name}` matching any non-empty text inside one segment.
/// A trailing slash counts: `/v1/people/` is not `/v1/people`.
///
/// ```
/// use canvass_core::routes::template_matches;
/// assert!(template_matches("/api/v2/tags/{id}/taggings", "/api/v2/tags/42/taggings"));
/// assert!(template_matches("/v4/people/{type}:{id}", "/v4/people/dwid:123"));
/// assert!(!template_matches("/api/v2/tags/{id}/taggings", "/api/v2/tags/42"));
/// assert!(!template_matches("/v3/messages/{id}", "/v3/messages/"));
/// ```
pub fn template_matches(template: &str, path: &str) -> bool {
    path_matches(template, path, ParamRule::AnyText)
}

fn path_matches(template: &str, path: &str, rule: ParamRule) -> bool {
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let mut want = template.split('/');
    let mut got = path.split('/');
    loop {
        match (want.next(), got.next()) {
            (None, None) => return true,
            (Some(w), Some(g)) => match pieces(w) {
                Some(p) if pieces_match(&p, g, rule) => {}
                _ => return false,
            },
            _ => return false,
        }
    }
}

/// A piece of a template segment: literal text or a `{name}` parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Piece<'a> {
    Text(&'a str),
    Param(&'a str),
}

/// A template segment as pieces; `None` when its braces are unbalanced,
/// a parameter is unnamed or two parameters touch.
fn pieces(segment: &str) -> Option<Vec<Piece<'_>>> {
    let mut out = Vec::new();
    let mut rest = segment;
    while !rest.is_empty() {
        match rest.find('{') {
            Some(0) => {
                let end = rest.find('}')?;
                let name = &rest[1..end];
                let named =
                    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                if !named || matches!(out.last(), Some(Piece::Param(_))) {
                    return None;
                }
                out.push(Piece::Param(name));
                rest = &rest[end + 1..];
            }
            found => {
                let end = found.unwrap_or(rest.len());
                let text = &rest[..end];
                if text.contains('}') {
                    return None;
                }
                out.push(Piece::Text(text));
                rest = &rest[end..];
            }
        }
    }
    Some(out)
}

fn pieces_match(pieces: &[Piece<'_>], text: &str, rule: ParamRule) -> bool {
    match pieces.split_first() {
        None => text.is_empty(),
        Some((Piece::Text(t), rest)) => text
            .strip_prefix(t)
            .is_some_and(|after| pieces_match(rest, after, rule)),
        Some((Piece::Param(name), rest)) => text
            .char_indices()
            .map(|(i, c)| i + c.len_utf8())
            .any(|end| rule.accepts(name, &text[..end]) && pieces_match(rest, &text[end..], rule)),
    }
}

/// The cells of a table line (`| a | b |`), trimmed; `None` without the
/// closing `|`.
fn cells(line: &'static str) -> Option<Vec<&'static str>> {
    let inner = line.strip_prefix('|')?.strip_suffix('|')?;
    Some(inner.split('|').map(str::trim).collect())
}

fn is_header(line: &'static str) -> bool {
    cells(line).is_some_and(|h| {
        h.len() == COLUMNS.len()
            && h.iter()
                .zip(COLUMNS)
                .all(|(h, c)| h.eq_ignore_ascii_case(c))
    })
}

fn is_separator(line: &'static str) -> bool {
    cells(line).is_some_and(|c| {
        c.len() == COLUMNS.len()
            && c.iter()
                .all(|c| c.contains('-') && c.chars().all(|ch| matches!(ch, '-' | ':')))
    })
}

fn row(line: &'static str) -> Result<Route, String> {
    let cells = cells(line).ok_or("a row starts and ends with |")?;
    let [method, path, account, called_by, source] = cells[..] else {
        return Err(format!(
            "{} cells, not {} (a `|` inside a cell splits it)",
            cells.len(),
            COLUMNS.len()
        ));
    };
    if !METHODS.contains(&method) {
        return Err(format!("no HTTP method {method:?}"));
    }
    let path = path
        .strip_prefix('`')
        .and_then(|p| p.strip_suffix('`'))
        .ok_or("the path is written in backticks")?;
    if !path.starts_with('/') || path.contains(char::is_whitespace) {
        return Err(format!("the path {path:?} is not a path from the root"));
    }
    if path.split('/').any(|segment| pieces(segment).is_none()) {
        return Err(format!("the path {path:?} has a malformed {{parameter}}"));
    }
    let (word, note) = match account.split_once(':') {
        Some((word, note)) => (word.trim(), Some(note.trim())),
        None => (account, None),
    };
    let availability = match word {
        "required" => Availability::Required,
        "optional" => Availability::Optional,
        other => {
            return Err(format!(
                "the account is required or optional, not {other:?}"
            ));
        }
    };
    if note.is_some_and(str::is_empty) {
        return Err("nothing follows the account's `:`".into());
    }
    if called_by.is_empty() || source.is_empty() {
        return Err("Called by and Source are not empty".into());
    }
    Ok(Route {
        method,
        path,
        availability,
        note,
        called_by,
        source,
        params: ParamRule::AnyText,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "| Method | Path | Account | Called by | Source |\n|---|---|---|---|---|\n";

    fn table(rows: &str) -> RouteTable {
        let text: &'static str = Box::leak(format!("{HEAD}{rows}").into_boxed_str());
        RouteTable::parse(text)
    }

    #[test]
    fn a_well_formed_row_parses_with_every_cell() {
        let t = table(
            "| DELETE | `/api/v2/tags/{tag_id}/taggings/{tagging_id}` | optional: group keys only | connector: remove tag | [Taggings](https://actionnetwork.org/docs/v2/taggings) |\n",
        );
        assert_eq!(t.errors(), []);
        assert_eq!(
            t.routes(),
            [Route {
                method: "DELETE",
                path: "/api/v2/tags/{tag_id}/taggings/{tagging_id}",
                availability: Availability::Optional,
                note: Some("group keys only"),
                called_by: "connector: remove tag",
                source: "[Taggings](https://actionnetwork.org/docs/v2/taggings)",
                params: ParamRule::AnyText,
            }]
        );
    }

    #[test]
    fn every_malformed_row_is_an_error_not_a_panic_nor_a_silent_drop() {
        for (row, why) in [
            ("| GTE | `/a` | required | x | y |", "method"),
            ("| get | `/a` | required | x | y |", "method"),
            ("| GET | /a | required | x | y |", "backticks"),
            ("| GET | `a/b` | required | x | y |", "root"),
            ("| GET | `/a b` | required | x | y |", "root"),
            ("| GET | `/a/{b` | required | x | y |", "parameter"),
            ("| GET | `/a/{}` | required | x | y |", "parameter"),
            ("| GET | `/a/{b}{c}` | required | x | y |", "parameter"),
            ("| GET | `/a/b}` | required | x | y |", "parameter"),
            ("| GET | `/a` | sometimes | x | y |", "required or optional"),
            ("| GET | `/a` | optional: | x | y |", "`:`"),
            ("| GET | `/a` | required |  | y |", "not empty"),
            ("| GET | `/a` | required | x |  |", "not empty"),
            ("| GET | `/a` | required | x | y", "ends with |"),
            ("| GET | `/a` | required | x | y | z |", "6 cells"),
            ("| GET | `/a` | required | x |", "4 cells"),
        ] {
            let t = table(&format!("{row}\n"));
            assert!(t.routes().is_empty(), "{row}");
            assert_eq!(t.errors().len(), 1, "{row}");
            let e = &t.errors()[0];
            assert_eq!(e.line, 3, "{row}");
            assert_eq!(e.text, row);
            assert!(e.reason.contains(why), "{row}: {}", e.reason);
        }
    }

    #[test]
    fn a_route_listed_twice_is_an_error() {
        let t = table("| GET | `/a` | required | x | y |\n| GET | `/a` | optional | z | w |\n");
        assert_eq!(t.routes().len(), 1);
        assert_eq!(t.errors().len(), 1);
        assert!(t.errors()[0].reason.contains("GET /a is listed twice"));
        assert_eq!(t.errors()[0].line, 4);
    }

    #[test]
    fn a_table_with_other_columns_is_one_error_and_its_rows_are_not_read() {
        let t = RouteTable::parse(
            "| method | path | account | documented in | called for |\n|---|---|---|---|---|\n\
             | GET | `/a` | required | x | y |\n\nprose\n\n\
             | Method | Path | Account | Called by | Source |\n|---|---|---|---|---|\n\
             | GET | `/b` | required | x | y |\n",
        );
        assert_eq!(t.errors().len(), 1, "{:?}", t.errors());
        assert_eq!(t.errors()[0].line, 1);
        assert_eq!(t.routes().len(), 1);
        assert_eq!(t.routes()[0].path, "/b");
    }

    #[test]
    fn a_header_without_its_separator_is_an_error() {
        let t = RouteTable::parse(
            "| Method | Path | Account | Called by | Source |\n| GET | `/a` | required | x | y |\n",
        );
        assert_eq!(t.errors().len(), 1);
        assert!(t.errors()[0].reason.contains("|---|"));
    }

    #[test]
    fn header_names_ignore_case_and_prose_between_tables_is_skipped() {
        let t = RouteTable::parse(
            "# Routes\n\n| method | path | account | called by | source |\n|:--|--|--|--|--:|\n\
             | GET | `/a` | required | x | y |\n\nMore prose.\n\n\
             | Method | Path | Account | Called by | Source |\n|---|---|---|---|---|\n\
             | POST | `/a` | optional | x | y |\n",
        );
        assert_eq!(t.errors(), []);
        assert_eq!(t.routes().len(), 2);
    }

    #[test]
    fn parameters_match_one_non_empty_segment_and_a_trailing_slash_counts() {
        assert!(template_matches("/v3/agents/{id}", "/v3/agents/agt01"));
        assert!(!template_matches("/v3/agents/{id}", "/v3/agents/a/b"));
        assert!(!template_matches("/v3/agents/{id}", "/v3/agents/"));
        assert!(!template_matches("/v3/agents", "/v3/agents/"));
        assert!(template_matches("/api/v2/", "/api/v2/"));
        assert!(!template_matches("/api/v2/", "/api/v2"));
        assert!(template_matches("/members", "/members?limit=5&offset=10"));
        assert!(!template_matches("/members", "/members_custom_fields"));
        assert!(template_matches("/v4/x/{a}:{b}", "/v4/x/dwid:1"));
        assert!(template_matches("/v4/x/{a}:{b}", "/v4/x/a:b:c"));
        assert!(!template_matches("/v4/x/{a}:{b}", "/v4/x/dwid:"));
        assert!(!template_matches("/v4/x/{a}:{b}", "/v4/x/:1"));
        assert!(!template_matches("/v4/x/{a}:{b}", "/v4/x/1"));
        assert!(template_matches("/v4/x/{a}.json", "/v4/x/é.json"));
    }

    #[test]
    fn digits_when_named_holds_only_the_named_parameters_to_digits() {
        let t = table(
            "| GET | `/v4/people/{vanId}` | required | x | y |\n\
             | GET | `/v4/people/{personIdType}:{personId}` | required | x | y |\n\
             | GET | `/v4/changedEntityExportJobs/fields/{resourceType}` | required | x | y |\n",
        )
        .with_params(ParamRule::DigitsWhenNamed("Id"));
        let path = |p: &str| t.find("GET", p).map(|r| r.path);
        assert_eq!(path("/v4/people/19722445"), Some("/v4/people/{vanId}"));
        assert_eq!(
            path("/v4/people/dwid:123"),
            Some("/v4/people/{personIdType}:{personId}")
        );
        assert_eq!(path("/v4/people/abc"), None);
        assert_eq!(
            path("/v4/changedEntityExportJobs/fields/Contacts"),
            Some("/v4/changedEntityExportJobs/fields/{resourceType}")
        );
    }

    #[test]
    fn the_most_literal_matching_route_wins_whatever_the_order() {
        for rows in [
            "| GET | `/a/{x}` | required | x | y |\n| GET | `/a/b` | required | x | y |\n",
            "| GET | `/a/b` | required | x | y |\n| GET | `/a/{x}` | required | x | y |\n",
        ] {
            let t = table(rows);
            assert_eq!(t.find("GET", "/a/b").map(|r| r.path), Some("/a/b"));
            assert_eq!(t.find("GET", "/a/c").map(|r| r.path), Some("/a/{x}"));
        }
        let t = table(
            "| GET | `/p/{id}` | required | x | y |\n| GET | `/p/{t}:{i}` | required | x | y |\n",
        );
        assert_eq!(
            t.find("GET", "/p/dwid:1").map(|r| r.path),
            Some("/p/{t}:{i}")
        );
        assert_eq!(t.find("GET", "/p/1").map(|r| r.path), Some("/p/{id}"));
    }
}
