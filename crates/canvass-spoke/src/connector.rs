//! [`SpokeConnector`]: the [`Connector`] for Spoke.
//!
//! Reads come from Spoke's PostgreSQL database ([`SpokeDb`], read-only),
//! writes go through its GraphQL API ([`SpokeGraphql`]). How each kind is
//! read (every table streamed in the order of a key that only grows; see
//! [`crate::db`]):
//!
//! | kind | table | key | incremental |
//! |---|---|---|---|
//! | people | `campaign_contact` | `(updated_at, id)` | yes |
//! | messages | `message` | `id` | yes |
//! | contact attempts | `message`, then `opt_out` | `id`, `id` | yes |
//! | opt-outs | `opt_out` | `id` | yes |
//! | survey questions | `interaction_step` | `id` | no: steps are edited in place |
//! | survey responses | `question_response` | `id` | yes |
//! | tags | `tag` | `(updated_at, id)` | yes |
//! | taggings | `tag_campaign_contact` | `(updated_at, id)` | yes (removals are not seen: Spoke deletes the row) |
//!
//! The tag tables came with Spoke's 2020 tags migration: on an older Spoke
//! without them, tags and taggings are reported as not offered (skipped,
//! not failed).
//!
//! Each page's checkpoint is the key of its last row, so resuming repeats
//! nothing and loses nothing.
//!
//! **Credentials.** The connector's secret is the GraphQL API token; the
//! database URL (with its password) is configuration held in an
//! environment variable too. [`Connector::check`] verifies both, and every
//! read verifies the token once (one `currentUser` query) before streaming
//! from the database, so a wrong or revoked token fails a sync at its first
//! read rather than at its first write. A connector built without a token
//! reads only and writes nothing.

use std::collections::BTreeSet;

use async_trait::async_trait;
use futures::stream::{self, BoxStream, StreamExt};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use canvass_core::{
    Channel, Checkpoint, Connector, ConnectorInfo, EntityKind, Error, Page, PageStream, RawRecord,
    Record, WriteKind, WriteOp, WriteOutcome, unsupported_read,
};

use crate::db::{DEFAULT_PAGE_SIZE, DbRow, Position, SYSTEM, SpokeDb, Table};
use crate::graphql::SpokeGraphql;
use crate::mapping::{self, PhoneCache, issue, source};
use crate::models::{self, QuestionResponseInput, TableRow, TagInput};

/// Connector behaviour beyond the two clients.
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectorOptions {
    /// Only this organization's rows (a Spoke database can hold several).
    pub organization_id: Option<i64>,
    /// Rows per page.
    pub page_size: u32,
    /// Rows younger than this are left for the next read (see [`crate::db`]).
    pub settle_seconds: f64,
    /// The system `campaign_contact.external_id` belongs to, for
    /// [`ExternalId::system`](canvass_core::ExternalId::system).
    pub external_id_system: String,
}

impl Default for ConnectorOptions {
    fn default() -> Self {
        ConnectorOptions {
            organization_id: None,
            page_size: DEFAULT_PAGE_SIZE,
            settle_seconds: 0.0,
            external_id_system: "external_id".into(),
        }
    }
}

/// The Spoke connector.
#[derive(Debug, Clone)]
pub struct SpokeConnector {
    db: SpokeDb,
    graphql: Option<SpokeGraphql>,
    options: ConnectorOptions,
}

/// Where a contact-attempts read stands: the message table first, then opt-outs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
struct AttemptsPosition {
    #[serde(default)]
    messages: Position,
    #[serde(default)]
    opt_outs: Position,
}

fn decode_position<T: DeserializeOwned + Default>(since: Option<Checkpoint>) -> Result<T, Error> {
    since
        .map(|cp| cp.decode::<T>())
        .transpose()
        .map(Option::unwrap_or_default)
}

fn fail<'a>(e: Error) -> PageStream<'a> {
    stream::once(async move { Err(e) }).boxed()
}

/// Decodes each row on its own into `T`, keeping its raw JSON; a row that
/// does not decode becomes a skipped issue naming the failing column.
fn decode_rows<T: TableRow>(
    rows: Vec<DbRow>,
    kind: &EntityKind,
    raw_id: impl Fn(i64) -> String,
    page: &mut Page,
) -> Vec<T> {
    let mut items = Vec::with_capacity(rows.len());
    for row in rows {
        let id = raw_id(row.key.id.unwrap_or_default());
        match models::decode_row::<T>(&row.json) {
            Ok(item) => items.push(item),
            Err((path, message)) => page.issues.push(issue(
                &id,
                kind,
                &path,
                format!("cannot decode {kind} row: {message}"),
                true,
            )),
        }
        page.raw.push(RawRecord {
            source: source(id),
            kind: kind.clone(),
            json: row.json,
        });
    }
    items
}

impl SpokeConnector {
    /// A connector reading `db` and, when `graphql` is given, writing through it.
    pub fn new(
        db: SpokeDb,
        graphql: Option<SpokeGraphql>,
        options: ConnectorOptions,
    ) -> SpokeConnector {
        SpokeConnector {
            db,
            graphql,
            options,
        }
    }

    /// The database client underneath.
    pub fn db(&self) -> &SpokeDb {
        &self.db
    }

    /// The GraphQL client underneath, when writes are configured.
    pub fn graphql(&self) -> Option<&SpokeGraphql> {
        self.graphql.as_ref()
    }

    fn table(
        &self,
        table: Table,
        after: Position,
    ) -> BoxStream<'static, Result<Vec<DbRow>, Error>> {
        self.db
            .read(table)
            .organization(self.options.organization_id)
            .page_size(self.options.page_size)
            .settle_seconds(self.options.settle_seconds)
            .after(after)
            .stream()
    }

    /// Verifies the token (when there is one), then yields `pages`.
    fn verified(&self, pages: PageStream<'static>) -> PageStream<'static> {
        let Some(graphql) = self.graphql.clone() else {
            return pages;
        };
        stream::once(async move {
            match graphql.current_user().await {
                Ok(_) => pages,
                Err(e) => fail(e),
            }
        })
        .flatten()
        .boxed()
    }

    /// `pages` of a table only some Spokes have (see [`crate::routes`]):
    /// when the database has no `table`, the read is [`Error::NotOffered`].
    fn optional(
        &self,
        table: Table,
        kind: &EntityKind,
        pages: PageStream<'static>,
    ) -> PageStream<'static> {
        let db = self.db.clone();
        let what = format!("read {kind}");
        stream::once(async move {
            match db.has_table(table).await {
                Ok(true) => pages,
                Ok(false) => fail(Error::not_offered(
                    SYSTEM,
                    what,
                    format!(
                        "the database has no table `{}` (a Spoke from before its tags \
                         migration, 20200322171627_tags.js)",
                        table.name()
                    ),
                )),
                Err(e) => fail(e),
            }
        })
        .flatten()
        .boxed()
    }

    /// Reads one single-table kind: pages of rows mapped by `map`, each with
    /// the position of its last row as the checkpoint.
    fn single<T, F>(
        &self,
        table: Table,
        kind: EntityKind,
        since: Option<Checkpoint>,
        map: F,
    ) -> PageStream<'static>
    where
        T: TableRow + Send + 'static,
        F: FnMut(T, &mut Page) + Send + 'static,
    {
        let after: Position = match decode_position(since) {
            Ok(p) => p,
            Err(e) => return fail(e),
        };
        let mut map = map;
        self.table(table, after)
            .map(move |rows| {
                rows.map(|rows| {
                    let last = rows.last().map(|r| r.key);
                    let mut page = Page {
                        checkpoint: last.map(|k| Checkpoint::encode(&k)),
                        ..Page::default()
                    };
                    let items: Vec<T> = decode_rows(rows, &kind, |id| id.to_string(), &mut page);
                    for item in items {
                        map(item, &mut page);
                    }
                    page
                })
            })
            .boxed()
    }

    fn read_attempts(&self, since: Option<Checkpoint>) -> PageStream<'static> {
        let pos: AttemptsPosition = match decode_position(since) {
            Ok(p) => p,
            Err(e) => return fail(e),
        };
        let kind = EntityKind::ContactAttempts;
        let messages = self
            .table(Table::Messages, pos.messages)
            .map(|r| r.map(|rows| (true, rows)));
        let opt_outs = self
            .table(Table::OptOuts, pos.opt_outs)
            .map(|r| r.map(|rows| (false, rows)));
        let mut position = pos;
        let mut phones = PhoneCache::default();
        messages
            .chain(opt_outs)
            .map(move |step| {
                step.map(|(is_message, rows)| {
                    if let Some(last) = rows.last() {
                        if is_message {
                            position.messages = last.key;
                        } else {
                            position.opt_outs = last.key;
                        }
                    }
                    let mut page = Page {
                        checkpoint: Some(Checkpoint::encode(&position)),
                        ..Page::default()
                    };
                    if is_message {
                        let rows: Vec<models::Message> =
                            decode_rows(rows, &kind, mapping::message_attempt_id, &mut page);
                        for m in rows {
                            let message = mapping::message_to_message(m, &mut phones);
                            page.records.push(Record::ContactAttempt(
                                mapping::message_to_contact_attempt(&message),
                            ));
                        }
                    } else {
                        let rows: Vec<models::OptOut> =
                            decode_rows(rows, &kind, mapping::opt_out_attempt_id, &mut page);
                        for o in &rows {
                            let mut issues = Vec::new();
                            let opt_out = mapping::opt_out_to_opt_out(o, &mut phones, &mut issues);
                            page.records.push(Record::ContactAttempt(
                                mapping::opt_out_to_contact_attempt(&opt_out),
                            ));
                            // Issues found reading the opt-out concern this attempt.
                            page.issues.extend(issues.into_iter().map(|mut i| {
                                i.kind = EntityKind::ContactAttempts;
                                i.record = mapping::opt_out_attempt_id(o.id);
                                i
                            }));
                        }
                    }
                    page
                })
            })
            .boxed()
    }

    fn read_kind(&self, kind: EntityKind, since: Option<Checkpoint>) -> PageStream<'static> {
        match kind {
            EntityKind::People => {
                let system = self.options.external_id_system.clone();
                let mut phones = PhoneCache::default();
                self.single(
                    Table::CampaignContacts,
                    kind,
                    since,
                    move |c: models::CampaignContact, page| {
                        let mut issues = Vec::new();
                        let person =
                            mapping::contact_to_person(&c, &system, &mut phones, &mut issues);
                        page.records.push(Record::Person(person));
                        page.issues.extend(issues);
                    },
                )
            }
            EntityKind::Messages => {
                let mut phones = PhoneCache::default();
                self.single(
                    Table::Messages,
                    kind,
                    since,
                    move |m: models::Message, page| {
                        page.records
                            .push(Record::Message(mapping::message_to_message(m, &mut phones)));
                    },
                )
            }
            EntityKind::ContactAttempts => self.read_attempts(since),
            EntityKind::OptOuts => {
                let mut phones = PhoneCache::default();
                self.single(
                    Table::OptOuts,
                    kind,
                    since,
                    move |o: models::OptOut, page| {
                        let mut issues = Vec::new();
                        page.records
                            .push(Record::OptOut(mapping::opt_out_to_opt_out(
                                &o,
                                &mut phones,
                                &mut issues,
                            )));
                        page.issues.extend(issues);
                    },
                )
            }
            EntityKind::SurveyQuestions => self.single(
                Table::Questions,
                kind,
                since,
                |s: models::InteractionStep, page| {
                    page.records
                        .push(Record::SurveyQuestion(mapping::step_to_question(&s)));
                },
            ),
            EntityKind::SurveyResponses => self.single(
                Table::QuestionResponses,
                kind,
                since,
                |r: models::QuestionResponse, page| {
                    let mut issues = Vec::new();
                    if let Some(resp) = mapping::response_to_response(&r, &mut issues) {
                        page.records.push(Record::SurveyResponse(resp));
                    }
                    page.issues.extend(issues);
                },
            ),
            EntityKind::Tags => self.optional(
                Table::Tags,
                &kind,
                self.single(Table::Tags, kind.clone(), since, |t: models::Tag, page| {
                    page.records.push(Record::Tag(mapping::tag_to_tag(&t)));
                }),
            ),
            EntityKind::Taggings => self.optional(
                Table::ContactTags,
                &kind,
                self.single(
                    Table::ContactTags,
                    kind.clone(),
                    since,
                    |t: models::TagCampaignContact, page| {
                        let mut issues = Vec::new();
                        if let Some(tagging) = mapping::contact_tag_to_tagging(&t, &mut issues) {
                            page.records.push(Record::Tagging(tagging));
                        }
                        page.issues.extend(issues);
                    },
                ),
            ),
            other => unsupported_read(SYSTEM, &other),
        }
    }

    fn writer(&self) -> Result<&SpokeGraphql, Error> {
        self.graphql.as_ref().ok_or_else(|| {
            Error::unsupported(
                SYSTEM,
                "writes (no GraphQL `base_url` and API token are configured)",
            )
        })
    }

    /// The contact a write is for: by Spoke id, or (opt-outs) by cell.
    async fn contact(
        &self,
        person_id: Option<&str>,
        cell: Option<&str>,
    ) -> Result<crate::db::ContactForWrite, Error> {
        let id = match (person_id, cell) {
            (Some(p), _) => p.trim().parse::<i64>().map_err(|_| {
                Error::invalid_input(
                    "person_id",
                    format!("{p:?} is not a Spoke campaign contact id (a whole number)"),
                )
            })?,
            (None, Some(cell)) => {
                let forms = cell_forms(cell);
                self.db
                    .contact_by_cell(&forms, self.options.organization_id)
                    .await?
                    .ok_or_else(|| {
                        Error::not_found(SYSTEM, format!("a campaign contact with cell {cell}"))
                    })?
            }
            (None, None) => {
                return Err(Error::invalid_input(
                    "person_id",
                    "Spoke writes need the contact's Spoke id",
                ));
            }
        };
        self.db
            .contact_for_write(id)
            .await?
            .ok_or_else(|| Error::not_found(SYSTEM, format!("campaign contact {id}")))
    }

    async fn set_tag(
        &self,
        person_id: &str,
        tag_id: &str,
        apply: bool,
    ) -> Result<WriteOutcome, Error> {
        let graphql = self.writer()?;
        let contact = self.contact(Some(person_id), None).await?;
        let tag: i64 = tag_id.trim().parse().map_err(|_| {
            Error::invalid_input("tag_id", format!("{tag_id:?} is not a Spoke tag id"))
        })?;
        let current = self.db.contact_tags(contact.id).await?;
        let has = current.iter().any(|t| t.tag_id == tag);
        if has == apply {
            return Ok(WriteOutcome::Applied);
        }
        let mut tags: Vec<TagInput> = current
            .into_iter()
            .filter(|t| t.tag_id != tag)
            .map(|t| TagInput {
                id: t.tag_id.to_string(),
                name: t.name,
                group: t.group,
                value: t.value,
            })
            .collect();
        if apply {
            let (name, group, org, deleted) = self
                .db
                .tag(tag)
                .await?
                .ok_or_else(|| Error::not_found(SYSTEM, format!("tag {tag}")))?;
            if deleted {
                return Err(Error::invalid_input(
                    "tag_id",
                    format!("tag {tag} is deleted in Spoke"),
                ));
            }
            if contact.organization_id.is_some_and(|o| o != org) {
                return Err(Error::invalid_input(
                    "tag_id",
                    format!(
                        "tag {tag} belongs to another organization than contact {}",
                        contact.id
                    ),
                ));
            }
            tags.push(TagInput {
                id: tag.to_string(),
                name,
                group,
                value: None,
            });
        }
        graphql
            .update_contact_tags(&contact.id.to_string(), &tags)
            .await?;
        Ok(WriteOutcome::Applied)
    }

    async fn record_response(
        &self,
        person_id: &str,
        question_id: &str,
        option_id: &str,
    ) -> Result<WriteOutcome, Error> {
        let graphql = self.writer()?;
        let contact = self.contact(Some(person_id), None).await?;
        let option: i64 = option_id.trim().parse().map_err(|_| {
            Error::invalid_input(
                "option_id",
                format!("{option_id:?} is not an interaction step id"),
            )
        })?;
        let (parent, value) = self
            .db
            .answer_option(option)
            .await?
            .ok_or_else(|| Error::not_found(SYSTEM, format!("interaction step {option}")))?;
        let question = question_id.trim();
        if parent.map(|p| p.to_string()).as_deref() != Some(question) {
            return Err(Error::invalid_input(
                "option_id",
                format!("interaction step {option} is not an answer of question {question}"),
            ));
        }
        graphql
            .update_question_responses(
                &contact.id.to_string(),
                &[QuestionResponseInput {
                    campaign_contact_id: contact.id.to_string(),
                    interaction_step_id: question.to_string(),
                    value,
                }],
            )
            .await?;
        Ok(WriteOutcome::Applied)
    }

    async fn opt_out(
        &self,
        person_id: Option<&str>,
        channel: &Channel,
        identifier: &str,
        reason: &canvass_core::OptOutReason,
    ) -> Result<WriteOutcome, Error> {
        let graphql = self.writer()?;
        if *channel != Channel::Sms {
            return Err(Error::invalid_input(
                "channel",
                format!("Spoke opts out of texting only, not {channel}"),
            ));
        }
        let contact = self.contact(person_id, Some(identifier)).await?;
        let assignment = contact.assignment_id.ok_or_else(|| {
            Error::invalid_input(
                "person_id",
                format!(
                    "campaign contact {} has no assignment, which Spoke's createOptOut requires",
                    contact.id
                ),
            )
        })?;
        let cell = canvass_core::normalize::normalize_phone(identifier)
            .unwrap_or_else(|_| contact.cell.clone());
        graphql
            .create_opt_out(
                &contact.id.to_string(),
                &models::OptOutInput {
                    assignment_id: assignment.to_string(),
                    cell,
                    reason: mapping::reason_text(reason),
                },
            )
            .await?;
        Ok(WriteOutcome::Updated {
            id: contact.id.to_string(),
        })
    }
}

/// The forms a cell is commonly stored in (Spoke keeps E.164; imports into
/// forks may not).
fn cell_forms(cell: &str) -> Vec<String> {
    let e164 =
        canvass_core::normalize::normalize_phone(cell).unwrap_or_else(|_| cell.trim().into());
    let mut forms = vec![e164.clone(), cell.trim().to_string()];
    if let Some(d) = e164.strip_prefix("+1").filter(|d| d.len() == 10) {
        let (a, b, c) = (&d[..3], &d[3..6], &d[6..]);
        forms.extend([
            d.to_string(),
            format!("1{d}"),
            format!("({a}) {b}-{c}"),
            format!("{a}-{b}-{c}"),
            format!("{a}.{b}.{c}"),
        ]);
    }
    forms.dedup();
    forms
}

#[async_trait]
impl Connector for SpokeConnector {
    fn info(&self) -> ConnectorInfo {
        let writes = if self.graphql.is_some() {
            BTreeSet::from([
                WriteKind::OptOut,
                WriteKind::RecordSurveyResponse,
                WriteKind::ApplyTag,
                WriteKind::RemoveTag,
            ])
        } else {
            BTreeSet::new()
        };
        ConnectorInfo {
            system: SYSTEM.to_string(),
            reads: BTreeSet::from([
                EntityKind::People,
                EntityKind::Messages,
                EntityKind::ContactAttempts,
                EntityKind::OptOuts,
                EntityKind::SurveyQuestions,
                EntityKind::SurveyResponses,
                EntityKind::Tags,
                EntityKind::Taggings,
            ]),
            incremental: BTreeSet::from([
                EntityKind::People,
                EntityKind::Messages,
                EntityKind::ContactAttempts,
                EntityKind::OptOuts,
                EntityKind::SurveyResponses,
                EntityKind::Tags,
                EntityKind::Taggings,
            ]),
            writes,
        }
    }

    async fn check(&self) -> Result<(), Error> {
        self.db.ping().await?;
        if let Some(g) = &self.graphql {
            g.current_user().await?;
        }
        Ok(())
    }

    fn read(&self, kind: EntityKind, since: Option<Checkpoint>) -> PageStream<'_> {
        if !self.info().reads.contains(&kind) {
            return unsupported_read(SYSTEM, &kind);
        }
        self.verified(self.read_kind(kind, since))
    }

    async fn write(&self, op: &WriteOp) -> Result<WriteOutcome, Error> {
        match op {
            WriteOp::OptOut {
                person_id,
                channel,
                identifier,
                reason,
                ..
            } => {
                self.opt_out(person_id.as_deref(), channel, identifier, reason)
                    .await
            }
            WriteOp::RecordSurveyResponse {
                person_id,
                question_id,
                option_id,
                ..
            } => {
                self.record_response(person_id, question_id, option_id)
                    .await
            }
            WriteOp::ApplyTag { person_id, tag_id } => self.set_tag(person_id, tag_id, true).await,
            WriteOp::RemoveTag { person_id, tag_id } => {
                self.set_tag(person_id, tag_id, false).await
            }
            other => Err(canvass_core::unsupported_write(SYSTEM, other)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_forms_cover_common_spellings() {
        let forms = cell_forms("(414) 202-0792");
        for f in [
            "+14142020792",
            "4142020792",
            "414-202-0792",
            "(414) 202-0792",
        ] {
            assert!(forms.contains(&f.to_string()), "{f} in {forms:?}");
        }
    }

    #[test]
    fn attempts_position_round_trips_and_defaults() {
        let p = AttemptsPosition {
            messages: Position {
                id: Some(7),
                updated_at: None,
            },
            opt_outs: Position::default(),
        };
        let cp = Checkpoint::encode(&p);
        assert_eq!(cp.decode::<AttemptsPosition>().unwrap(), p);
        assert_eq!(
            decode_position::<AttemptsPosition>(None).unwrap(),
            AttemptsPosition::default()
        );
    }
}
