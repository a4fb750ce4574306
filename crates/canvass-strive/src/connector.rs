//! [`StriveConnector`]: the [`Connector`] for Strive.
//!
//! How each kind is walked, and why:
//!
//! - **people, taggings** (`/members`): ordered by `updated_at,id`, filtered
//!   `updated_at=gte.<t>` and paged with `offset` counting only the rows at
//!   `<t>` already read. The checkpoint is `(t, rows at t)`, so a member
//!   updated during a read moves past the end instead of shifting the
//!   offsets of the others, and a later run reads only what changed
//!   (incremental). `gte` rather than `gt` keeps rows that share `<t>`;
//! - **messages, contact attempts** (`/outgoing_messages`, then
//!   `/incoming_messages`) and **opt-outs** (`/subscription_events` with
//!   `unsubscribe=is.true`): append-only tables read after the last id
//!   (`id=gt.<last>`, `order=id`, `offset` pages from that anchor, two in
//!   flight), incremental by construction;
//! - **tags** (`/groups`): a small table, `limit`/`offset`; optional, since
//!   a key may not be granted it: a 404 on its first page is reported as not
//!   offered by this account (the kind is skipped, the run goes on).

use std::collections::{BTreeSet, HashMap};

use async_trait::async_trait;
use futures::stream::{self, BoxStream, StreamExt, TryStreamExt};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use canvass_core::time::parse_timestamp;
use canvass_core::{
    Checkpoint, Connector, ConnectorInfo, EntityKind, Error, Page, PageStream, RawRecord, Record,
    WriteKind, WriteOp, WriteOutcome, optional_read, unsupported_read,
};

use crate::client::{MAX_PAGE_SIZE, SYSTEM, StriveClient, TableQuery};
use crate::filter::Op;
use crate::mapping::{self, source};
use crate::models::{IncomingMessage, Member, NewMember, OutgoingMessage, Row, SubscriptionEvent};
use canvass_core::http::prefetch;

/// Connector behaviour beyond the client.
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectorOptions {
    /// Only this campaign's rows (all the key can see when unset); new
    /// members are created in it.
    pub campaign_id: Option<i64>,
    /// Rows per request (1..=1000).
    pub page_size: u32,
}

impl Default for ConnectorOptions {
    fn default() -> Self {
        ConnectorOptions {
            campaign_id: None,
            page_size: MAX_PAGE_SIZE,
        }
    }
}

/// The Strive connector.
#[derive(Debug, Clone)]
pub struct StriveConnector {
    client: StriveClient,
    options: ConnectorOptions,
}

/// Pages fetched ahead of the one being mapped.
const PREFETCH: usize = 2;

/// Requests in flight at once on an id-ordered table.
const IN_FLIGHT: usize = 2;

/// Position in `/members`: rows with `updated_at >= since`, skipping `skip`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct MembersPosition {
    since: Option<String>,
    skip: u64,
}

/// Position in the message tables: the last id read in each.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
struct MessagesPosition {
    outgoing_after: Option<i64>,
    incoming_after: Option<i64>,
}

/// Position in an id-ordered table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
struct IdPosition {
    after: Option<i64>,
}

/// Position in a small table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
struct OffsetPosition {
    offset: u64,
}

fn row_name(v: &Value, i: usize) -> String {
    match v.get("id") {
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::String(s)) => s.clone(),
        _ => format!("#{i}"),
    }
}

/// Decodes each row on its own: a bad one becomes a skipped issue.
fn decode_rows<T: serde::de::DeserializeOwned>(
    rows: &[Value],
    kind: &EntityKind,
    entity: &str,
    id_of: impl Fn(&str) -> String,
    out: &mut Page,
) -> Vec<T> {
    let mut items = Vec::with_capacity(rows.len());
    for (i, value) in rows.iter().enumerate() {
        let name = id_of(&row_name(value, i));
        out.raw.push(RawRecord {
            source: source(&name),
            kind: kind.clone(),
            json: value.clone(),
        });
        match serde_path_to_error::deserialize::<_, T>(value) {
            Ok(item) => items.push(item),
            Err(e) => out.issues.push(canvass_core::RecordIssue::new(
                &name,
                kind,
                e.path().to_string(),
                format!("cannot decode {entity}: {}", e.into_inner()),
                true,
            )),
        }
    }
    items
}

fn max_id(rows: &[Value]) -> Option<i64> {
    rows.iter()
        .filter_map(|r| r.get("id").and_then(Value::as_i64))
        .max()
}

/// The position after reading `rows` from `pos` (rows ordered by updated_at, id).
fn advance_members(pos: &MembersPosition, rows: &[Value]) -> MembersPosition {
    let mut next = pos.clone();
    let mut current = pos.since.as_deref().and_then(parse_timestamp);
    for row in rows {
        let ts_text = row.get("updated_at").and_then(Value::as_str);
        match ts_text.and_then(|t| parse_timestamp(t).map(|p| (t, p))) {
            Some((text, ts)) if Some(ts) != current => {
                current = Some(ts);
                next.since = Some(text.to_string());
                next.skip = 1;
            }
            // Same instant, or no timestamp to move to: count it as read.
            _ => next.skip += 1,
        }
    }
    next
}

type Step<P> = (Vec<Value>, P);

impl StriveConnector {
    /// A connector on `client`.
    pub fn new(client: StriveClient, options: ConnectorOptions) -> StriveConnector {
        StriveConnector { client, options }
    }

    /// The typed client underneath.
    pub fn client(&self) -> &StriveClient {
        &self.client
    }

    fn scoped(&self, q: TableQuery) -> TableQuery {
        let q = q.limit(self.options.page_size);
        match self.options.campaign_id {
            Some(c) => q.eq("campaign_id", c.to_string()),
            None => q,
        }
    }

    /// Pages of members from `pos`: each page with the position after it.
    fn member_pages(
        &self,
        pos: MembersPosition,
    ) -> BoxStream<'static, Result<Step<MembersPosition>, Error>> {
        let this = self.clone();
        let limit = u64::from(self.options.page_size);
        stream::try_unfold(Some(pos), move |pos| {
            let this = this.clone();
            async move {
                let Some(pos) = pos else { return Ok(None) };
                let mut q = this
                    .scoped(this.client.members().list())
                    .order("updated_at")
                    .order("id")
                    .offset(pos.skip);
                if let Some(since) = &pos.since {
                    q = q.where_("updated_at", Op::Gte, since.clone());
                }
                let rows = q.send().await?;
                if rows.is_empty() {
                    return Ok(None);
                }
                let next = advance_members(&pos, &rows);
                let more = rows.len() as u64 >= limit;
                Ok(Some(((rows, next.clone()), more.then_some(next))))
            }
        })
        .boxed()
    }

    /// Pages of an id-ordered, append-only table after `after`.
    ///
    /// Rows after a fixed id keep their order (new rows only append), so
    /// `offset` pages relative to that anchor are stable and two can be in
    /// flight at once: the rate limiter, not each page's round trip, paces
    /// the read. The walk ends after the first short page (at most one
    /// request past the end is made); each page carries the last id read,
    /// the position to resume from.
    fn id_pages(
        &self,
        table: fn(&StriveClient) -> TableQuery,
        extra: fn(TableQuery) -> TableQuery,
        after: Option<i64>,
    ) -> BoxStream<'static, Result<Step<Option<i64>>, Error>> {
        let this = self.clone();
        let limit = u64::from(self.options.page_size);
        stream::iter(0u64..)
            .map(move |k| {
                let this = this.clone();
                async move {
                    let mut q = extra(this.scoped(table(&this.client)))
                        .order("id")
                        .offset(k * limit);
                    if let Some(a) = after {
                        q = q.gt("id", a.to_string());
                    }
                    q.send().await
                }
            })
            .buffered(IN_FLIGHT)
            .scan(false, move |done, page| {
                if *done {
                    return std::future::ready(None);
                }
                *done = page
                    .as_ref()
                    .map_or(true, |rows| (rows.len() as u64) < limit);
                std::future::ready(Some(page))
            })
            .try_filter(|rows| std::future::ready(!rows.is_empty()))
            .scan(after, |last, page| {
                let step = page.map(|rows| {
                    let next = max_id(&rows).or(*last);
                    *last = next;
                    (rows, next)
                });
                std::future::ready(Some(step))
            })
            .boxed()
    }

    fn read_members(&self, kind: EntityKind, pos: MembersPosition) -> PageStream<'_> {
        prefetch(self.member_pages(pos), PREFETCH, SYSTEM)
            .map(move |step| {
                step.map(|(rows, next)| {
                    let mut page = Page {
                        checkpoint: Some(Checkpoint::encode(&next)),
                        ..Page::default()
                    };
                    let members: Vec<Member> =
                        decode_rows(&rows, &kind, "member", str::to_string, &mut page);
                    for m in &members {
                        if kind == EntityKind::People {
                            let mut issues = Vec::new();
                            page.records
                                .push(Record::Person(mapping::member_to_person(m, &mut issues)));
                            page.issues.extend(issues);
                        } else {
                            page.records.extend(
                                mapping::member_taggings(m).into_iter().map(Record::Tagging),
                            );
                        }
                    }
                    page
                })
            })
            .boxed()
    }

    fn read_messages(&self, kind: EntityKind, pos: MessagesPosition) -> PageStream<'_> {
        let outgoing = self
            .id_pages(|c| c.outgoing_messages().list(), |q| q, pos.outgoing_after)
            .map(|s| s.map(|(rows, next)| (rows, true, next)));
        let incoming = self
            .id_pages(|c| c.incoming_messages().list(), |q| q, pos.incoming_after)
            .map(|s| s.map(|(rows, next)| (rows, false, next)));
        let mut position = pos;
        prefetch(outgoing.chain(incoming).boxed(), PREFETCH, SYSTEM)
            .map(move |step| {
                step.map(|(rows, is_out, next)| {
                    if is_out {
                        position.outgoing_after = next;
                    } else {
                        position.incoming_after = next;
                    }
                    let mut page = Page {
                        checkpoint: Some(Checkpoint::encode(&position)),
                        ..Page::default()
                    };
                    let mut issues = Vec::new();
                    let messages: Vec<canvass_core::Message> = if is_out {
                        let rows: Vec<OutgoingMessage> = decode_rows(
                            &rows,
                            &kind,
                            "outgoing message",
                            |id| format!("out:{id}"),
                            &mut page,
                        );
                        rows.iter()
                            .map(|m| mapping::outgoing_to_message(m, &mut issues))
                            .collect()
                    } else {
                        let rows: Vec<IncomingMessage> = decode_rows(
                            &rows,
                            &kind,
                            "incoming message",
                            |id| format!("in:{id}"),
                            &mut page,
                        );
                        let mut phones = HashMap::new();
                        rows.iter()
                            .map(|m| mapping::incoming_to_message(m, &mut phones, &mut issues))
                            .collect()
                    };
                    if kind == EntityKind::ContactAttempts {
                        // Issues were found reading messages; they concern the same ids.
                        for i in &mut issues {
                            i.kind = EntityKind::ContactAttempts;
                        }
                    }
                    page.issues.extend(issues);
                    page.records.extend(messages.into_iter().map(|m| {
                        if kind == EntityKind::Messages {
                            Record::Message(m)
                        } else {
                            Record::ContactAttempt(mapping::message_to_contact_attempt(&m))
                        }
                    }));
                    page
                })
            })
            .boxed()
    }

    fn read_opt_outs(&self, pos: IdPosition) -> PageStream<'_> {
        let events = self.id_pages(
            |c| c.subscription_events().list(),
            |q| q.where_("unsubscribe", Op::Is, "true"),
            pos.after,
        );
        prefetch(events, PREFETCH, SYSTEM)
            .then(move |step| async move {
                let kind = EntityKind::OptOuts;
                let (rows, next) = step?;
                let mut page = Page {
                    checkpoint: Some(Checkpoint::encode(&IdPosition { after: next })),
                    ..Page::default()
                };
                let events: Vec<SubscriptionEvent> = decode_rows(
                    &rows,
                    &kind,
                    "subscription event",
                    str::to_string,
                    &mut page,
                );
                // The events name members, not numbers: fetch the page's
                // members' phones in one request.
                let ids: BTreeSet<i64> = events.iter().filter_map(|e| e.member_id).collect();
                let mut phones: HashMap<i64, String> = HashMap::new();
                if !ids.is_empty() {
                    let rows = self
                        .client
                        .members()
                        .list()
                        .in_list("id", ids.iter().map(i64::to_string))
                        .select(&["id", "phone_number"])
                        .limit(MAX_PAGE_SIZE)
                        .send()
                        .await?;
                    for r in rows {
                        if let (Some(id), Some(p)) = (
                            r.get("id").and_then(Value::as_i64),
                            r.get("phone_number").and_then(Value::as_str),
                        ) {
                            phones.insert(id, p.to_string());
                        }
                    }
                }
                for e in events.iter().filter(|e| e.unsubscribe) {
                    let mut issues = Vec::new();
                    let phone = e.member_id.and_then(|m| phones.get(&m)).map(String::as_str);
                    page.records.push(Record::OptOut(mapping::event_to_opt_out(
                        e,
                        phone,
                        &mut issues,
                    )));
                    page.issues.extend(issues);
                }
                Ok(page)
            })
            .boxed()
    }

    /// Tags from `/groups`, a table a key may not be granted: a 404 on the
    /// first page is [`Error::NotOffered`] (see [`crate::routes`]).
    fn read_tags(&self, pos: OffsetPosition) -> PageStream<'_> {
        let kind = EntityKind::Tags;
        let pages = self
            .scoped(self.client.groups().list())
            .order("id")
            .offset(pos.offset)
            .pages();
        optional_read(pages, SYSTEM, "read tags")
            .map(move |step| {
                step.map(|p| {
                    let mut page = Page {
                        checkpoint: Some(Checkpoint::encode(&OffsetPosition {
                            offset: p.next.unwrap_or(p.at + p.items.len() as u64),
                        })),
                        ..Page::default()
                    };
                    let rows: Vec<Row> =
                        decode_rows(&p.items, &kind, "group", str::to_string, &mut page);
                    page.records
                        .extend(rows.iter().map(|r| Record::Tag(mapping::group_to_tag(r))));
                    page
                })
            })
            .boxed()
    }

    /// Finds the member with this phone, trying the formats a phone is
    /// commonly stored in (Strive keeps numbers as imported).
    async fn find_member(&self, e164: &str) -> Result<Option<i64>, Error> {
        let mut forms = vec![e164.to_string()];
        if let Some(d) = e164.strip_prefix("+1").filter(|d| d.len() == 10) {
            let (a, b, c) = (&d[..3], &d[3..6], &d[6..]);
            forms.extend([
                d.to_string(),
                format!("1{d}"),
                format!("({a}) {b}-{c}"),
                format!("{a}-{b}-{c}"),
                format!("{a}.{b}.{c}"),
                format!("+1 {a} {b} {c}"),
                format!("1-{a}-{b}-{c}"),
            ]);
        }
        let rows = self
            .scoped(self.client.members().list())
            .in_list("phone_number", forms)
            .select(&["id", "phone_number"])
            .order("id")
            .limit(1)
            .send()
            .await?;
        Ok(rows
            .first()
            .and_then(|r| r.get("id"))
            .and_then(Value::as_i64))
    }

    async fn upsert(&self, person: &canvass_core::Person) -> Result<WriteOutcome, Error> {
        let phone = person.primary_phone().ok_or_else(|| {
            Error::invalid_input(
                "person.phones",
                "Strive keys members on a valid phone number; this person has none",
            )
        })?;
        if let Some(id) = self.find_member(&phone.number).await? {
            // Strive documents creating members only: an existing member is
            // matched, not changed.
            return Ok(WriteOutcome::Updated { id: id.to_string() });
        }
        let body = NewMember {
            phone_number: phone.number.clone(),
            campaign_id: self.options.campaign_id,
            first_name: person.given_name.clone(),
            last_name: person.family_name.clone(),
            email: person.primary_email().map(|e| e.address.clone()),
            postal_code: person.primary_address().and_then(|a| a.postal_code.clone()),
            opt_in: phone.sms_status == canvass_core::SubscriptionStatus::Subscribed,
            groups: vec![],
        };
        let created = self.client.members().create(&body).await?;
        let id = match created {
            Some(m) => Some(m.id),
            None => self.find_member(&phone.number).await?,
        };
        id.map(|id| WriteOutcome::Created { id: id.to_string() })
            .ok_or_else(|| {
                Error::not_found(SYSTEM, format!("member {} after creating it", phone.number))
            })
    }
}

fn decode_position<T: serde::de::DeserializeOwned + Default>(
    since: Option<Checkpoint>,
) -> Result<T, Error> {
    since
        .map(|cp| cp.decode::<T>())
        .transpose()
        .map(Option::unwrap_or_default)
}

#[async_trait]
impl Connector for StriveConnector {
    fn info(&self) -> ConnectorInfo {
        ConnectorInfo {
            system: SYSTEM.to_string(),
            reads: BTreeSet::from([
                EntityKind::People,
                EntityKind::Tags,
                EntityKind::Taggings,
                EntityKind::Messages,
                EntityKind::ContactAttempts,
                EntityKind::OptOuts,
            ]),
            incremental: BTreeSet::from([
                EntityKind::People,
                EntityKind::Messages,
                EntityKind::ContactAttempts,
                EntityKind::OptOuts,
            ]),
            writes: BTreeSet::from([WriteKind::UpsertPerson]),
        }
    }

    async fn check(&self) -> Result<(), Error> {
        self.client.ping().await
    }

    fn read(&self, kind: EntityKind, since: Option<Checkpoint>) -> PageStream<'_> {
        fn fail<'a>(e: Error) -> PageStream<'a> {
            stream::once(async move { Err(e) }).boxed()
        }
        match kind {
            EntityKind::People | EntityKind::Taggings => match decode_position(since) {
                Ok(p) => self.read_members(kind, p),
                Err(e) => fail(e),
            },
            EntityKind::Messages | EntityKind::ContactAttempts => match decode_position(since) {
                Ok(p) => self.read_messages(kind, p),
                Err(e) => fail(e),
            },
            EntityKind::OptOuts => match decode_position(since) {
                Ok(p) => self.read_opt_outs(p),
                Err(e) => fail(e),
            },
            EntityKind::Tags => match decode_position(since) {
                Ok(p) => self.read_tags(p),
                Err(e) => fail(e),
            },
            other => unsupported_read(SYSTEM, &other),
        }
    }

    async fn write(&self, op: &WriteOp) -> Result<WriteOutcome, Error> {
        match op {
            WriteOp::UpsertPerson { person } => self.upsert(person).await,
            other => Err(canvass_core::unsupported_write(SYSTEM, other)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn members_position_counts_rows_sharing_the_last_timestamp() {
        let start = MembersPosition::default();
        let rows = vec![
            json!({"id": 1, "updated_at": "2024-01-01T00:00:00Z"}),
            json!({"id": 2, "updated_at": "2024-01-02T00:00:00Z"}),
            json!({"id": 3, "updated_at": "2024-01-02T00:00:00+00:00"}),
        ];
        let p = advance_members(&start, &rows);
        assert_eq!(
            p,
            MembersPosition {
                since: Some("2024-01-02T00:00:00Z".into()),
                skip: 2
            }
        );
        let more = vec![json!({"id": 4, "updated_at": "2024-01-02T00:00:00Z"})];
        assert_eq!(advance_members(&p, &more).skip, 3);
        let later = vec![json!({"id": 5, "updated_at": "2024-01-03T00:00:00Z"})];
        assert_eq!(
            advance_members(&p, &later),
            MembersPosition {
                since: Some("2024-01-03T00:00:00Z".into()),
                skip: 1
            }
        );
    }
}
