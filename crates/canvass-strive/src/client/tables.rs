//! Table queries: filters, order, `limit`/`offset` paging over bare arrays,
//! and creating members.

use futures::StreamExt;
use futures::stream::BoxStream;
use serde::de::DeserializeOwned;
use serde_json::Value;

use canvass_core::Error;
use canvass_core::http::{Paged, offset_pages};

use super::{MAX_PAGE_SIZE, StriveClient};
use crate::filter::{Filter, Op};
use crate::models::{Member, NewMember};

/// Strive's tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Table {
    /// `/members`.
    Members,
    /// `/outgoing_messages`.
    OutgoingMessages,
    /// `/incoming_messages`.
    IncomingMessages,
    /// `/subscription_events`.
    SubscriptionEvents,
    /// `/broadcasts`.
    Broadcasts,
    /// `/broadcasts_groups`.
    BroadcastsGroups,
    /// `/campaigns`.
    Campaigns,
    /// `/groups`.
    Groups,
    /// `/custom_fields`.
    CustomFields,
    /// `/members_custom_fields`.
    MembersCustomFields,
    /// `/p2ps`.
    P2ps,
    /// `/flows`.
    Flows,
}

impl Table {
    /// Every table, in the order [`crate::routes::TABLE`] lists them.
    pub const ALL: [Table; 12] = [
        Table::Members,
        Table::OutgoingMessages,
        Table::IncomingMessages,
        Table::SubscriptionEvents,
        Table::Groups,
        Table::CustomFields,
        Table::MembersCustomFields,
        Table::Broadcasts,
        Table::BroadcastsGroups,
        Table::Campaigns,
        Table::P2ps,
        Table::Flows,
    ];

    /// The table's path.
    pub fn path(self) -> &'static str {
        match self {
            Table::Members => "members",
            Table::OutgoingMessages => "outgoing_messages",
            Table::IncomingMessages => "incoming_messages",
            Table::SubscriptionEvents => "subscription_events",
            Table::Broadcasts => "broadcasts",
            Table::BroadcastsGroups => "broadcasts_groups",
            Table::Campaigns => "campaigns",
            Table::Groups => "groups",
            Table::CustomFields => "custom_fields",
            Table::MembersCustomFields => "members_custom_fields",
            Table::P2ps => "p2ps",
            Table::Flows => "flows",
        }
    }
}

/// One table.
#[derive(Debug, Clone, Copy)]
pub struct TableHandler<'a> {
    pub(crate) client: &'a StriveClient,
    pub(crate) table: Table,
}

impl TableHandler<'_> {
    /// A query on the table; add filters, then send.
    pub fn list(&self) -> TableQuery {
        TableQuery::new(self.client, self.table)
    }
}

/// The members table, which can also be written.
#[derive(Debug, Clone, Copy)]
pub struct MembersHandler<'a> {
    pub(crate) client: &'a StriveClient,
}

impl MembersHandler<'_> {
    /// A query on `/members`.
    pub fn list(&self) -> TableQuery {
        TableQuery::new(self.client, Table::Members)
    }

    /// Creates a member (`POST /members`, answered 201). Returns the member
    /// when Strive sends it back (PostgREST does so as a one-element array
    /// when asked for a representation), `None` when the body is empty.
    ///
    /// # Errors
    /// What Strive answered (a duplicate phone, a bad campaign).
    pub async fn create(&self, member: &NewMember) -> Result<Option<Member>, Error> {
        let resp = self.client.http.post("members").json(member).send().await?;
        if resp.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(None);
        }
        let value: Value = resp.json("created member")?;
        let first = match value {
            Value::Array(mut a) if !a.is_empty() => a.swap_remove(0),
            Value::Object(_) => value,
            _ => return Ok(None),
        };
        crate::client::tables::decode_one(&first, "created member").map(Some)
    }
}

/// Decodes one row, naming the failing path.
pub(crate) fn decode_one<T: DeserializeOwned>(value: &Value, entity: &str) -> Result<T, Error> {
    serde_path_to_error::deserialize(value).map_err(|e| Error::Decode {
        system: super::SYSTEM.to_string(),
        entity: entity.to_string(),
        path: e.path().to_string(),
        message: e.into_inner().to_string(),
        excerpt: canvass_core::http::excerpt(&value.to_string(), 120),
        truncated: false,
    })
}

/// A query on one table: filters (each built by [`Filter`], never by
/// pasting strings), `select`, `order`, `limit`, `offset`.
#[derive(Debug, Clone)]
#[must_use = "a query does nothing until sent"]
pub struct TableQuery {
    client: StriveClient,
    table: Table,
    filters: Vec<Filter>,
    select: Option<String>,
    order: Vec<String>,
    limit: u32,
    offset: u64,
    error: Option<Error>,
}

impl TableQuery {
    fn new(client: &StriveClient, table: Table) -> TableQuery {
        TableQuery {
            client: client.clone(),
            table,
            filters: Vec::new(),
            select: None,
            order: Vec::new(),
            limit: MAX_PAGE_SIZE,
            offset: 0,
            error: None,
        }
    }

    fn push(mut self, filter: Result<Filter, Error>) -> Self {
        match filter {
            Ok(f) => self.filters.push(f),
            Err(e) => {
                self.error.get_or_insert(e);
            }
        }
        self
    }

    /// Adds a filter.
    pub fn filter(mut self, filter: Filter) -> Self {
        self.filters.push(filter);
        self
    }

    /// `column=op.value`; a bad column name fails the query when sent.
    pub fn where_(self, column: &str, op: Op, value: impl Into<String>) -> Self {
        self.push(Filter::new(column, op, value))
    }

    /// `column=eq.value`.
    pub fn eq(self, column: &str, value: impl Into<String>) -> Self {
        self.where_(column, Op::Eq, value)
    }

    /// `column=gt.value`.
    pub fn gt(self, column: &str, value: impl Into<String>) -> Self {
        self.where_(column, Op::Gt, value)
    }

    /// `column=in.(…)`.
    pub fn in_list<I, S>(self, column: &str, values: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.push(Filter::in_list(column, values))
    }

    /// Rows changed after `timestamp` (`updated_at=gt.<timestamp>`).
    pub fn updated_since(self, timestamp: &str) -> Self {
        self.gt("updated_at", timestamp)
    }

    /// Only these columns.
    pub fn select(mut self, columns: &[&str]) -> Self {
        if let Some(bad) = columns.iter().find(|c| !crate::filter::valid_column(c)) {
            self.error.get_or_insert(Error::invalid_input(
                "select",
                format!("{bad:?} is not a column name"),
            ));
        }
        self.select = Some(columns.join(","));
        self
    }

    /// Ascending order by `column` (then by the next one given). Sent as a
    /// bare column name, which both PostgREST (`col.asc` is the default) and
    /// the `-col` style some Strive docs describe read as ascending.
    pub fn order(mut self, column: &str) -> Self {
        if crate::filter::valid_column(column) {
            self.order.push(column.to_string());
        } else {
            self.error.get_or_insert(Error::invalid_input(
                "order",
                format!("{column:?} is not a column name"),
            ));
        }
        self
    }

    /// Rows per request (1..=1000).
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = limit.clamp(1, MAX_PAGE_SIZE);
        self
    }

    /// Rows to skip.
    pub fn offset(mut self, offset: u64) -> Self {
        self.offset = offset;
        self
    }

    /// The query parameters this query sends.
    pub fn params(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = self.filters.iter().map(Filter::to_param).collect();
        if let Some(s) = &self.select {
            out.push(("select".into(), s.clone()));
        }
        if !self.order.is_empty() {
            out.push(("order".into(), self.order.join(",")));
        }
        out.push(("limit".into(), self.limit.to_string()));
        if self.offset > 0 {
            out.push(("offset".into(), self.offset.to_string()));
        }
        out
    }

    /// Fetches one page of rows (raw JSON).
    ///
    /// # Errors
    /// A bad filter ([`Error::InvalidInput`]), or what Strive answered.
    pub async fn send(self) -> Result<Vec<Value>, Error> {
        if let Some(e) = self.error.clone() {
            return Err(e);
        }
        let mut rb = self.client.http.get(self.table.path());
        for (k, v) in self.params() {
            rb = rb.query_pair(k, v);
        }
        rb.send_json(&format!("{} page", self.table.path())).await
    }

    /// Fetches one page and decodes every row as `T`.
    ///
    /// # Errors
    /// As [`TableQuery::send`], plus decode errors naming the row.
    pub async fn send_as<T: DeserializeOwned>(self) -> Result<Vec<T>, Error> {
        let entity = self.table.path();
        let rows = self.send().await?;
        rows.iter()
            .enumerate()
            .map(|(i, v)| decode_one(v, &format!("{entity} row {i}")))
            .collect()
    }

    /// Walks every page with `limit`/`offset` from the query's offset,
    /// until a short or empty page. Each page's `next` is the offset to
    /// resume from.
    pub fn pages(self) -> BoxStream<'static, Result<Paged<Value, u64>, Error>> {
        let limit = self.limit;
        let start = self.offset;
        offset_pages(start, None, u64::from(limit), 1, move |offset| {
            let q = self.clone().offset(offset);
            async move { q.send().await }
        })
        .boxed()
    }

    /// Reads every page and decodes every row as `T` (for small tables).
    ///
    /// # Errors
    /// The first request or decode error.
    pub async fn all<T: DeserializeOwned>(self) -> Result<Vec<T>, Error> {
        let entity = self.table.path();
        let mut pages = self.pages();
        let mut out = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page?;
            for (i, v) in page.items.iter().enumerate() {
                out.push(decode_one(
                    v,
                    &format!("{entity} row {}", page.at + i as u64),
                )?);
            }
        }
        Ok(out)
    }
}
