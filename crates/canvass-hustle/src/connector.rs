//! [`HustleConnector`]: the [`Connector`] for Hustle.
//!
//! Reads people, tags, taggings and opt-outs from leads and tags (routes in
//! Hustle's published v3 OpenAPI file), and messages and contact attempts
//! from a message list only when one is configured
//! ([`ConnectorOptions::messages_path`]): the published file has no message
//! list, so by default those kinds are not read at all. All reads use cursor
//! checkpoints (Hustle has no modified-since filter, so each read is full,
//! but a crash resumes at the page it stopped on). Writes upsert a person
//! (lead), apply or remove a tag, and opt a person out.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use async_trait::async_trait;
use futures::stream::{self, StreamExt, TryStreamExt};
use serde::{Deserialize, Serialize};

use canvass_core::{
    Checkpoint, Connector, ConnectorInfo, EntityKind, Error, OptOutReason, Page, PageStream,
    RawRecord, Record, RecordIssue, WriteKind, WriteOp, WriteOutcome, optional_read,
    unsupported_read,
};

use crate::client::{CursorPage, HustleClient, MAX_PAGE_SIZE, SYSTEM, item_name};
use crate::mapping::{self, source};
use crate::models::{Lead, LeadOperation, LeadUpsert, Message, Tag};

/// Connector behaviour beyond the client.
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectorOptions {
    /// The organization to read and write; required for upserting people.
    pub organization_id: Option<String>,
    /// The group upserted leads are made active in.
    pub group_id: Option<String>,
    /// Opt-out tag ids by canonical reason (`"wrong_number"` → tag id).
    pub opt_out_tags: BTreeMap<String, String>,
    /// Items per page (1..=1000).
    pub page_size: u32,
    /// The path of a message list, for an account that has one. Hustle's
    /// published v3 OpenAPI file lists no message route, so the default is
    /// `None`: messages and contact attempts are not read. When set and the
    /// route answers 404, those kinds are reported as not offered by this
    /// account (skipped, not failed), and the route is not asked again.
    pub messages_path: Option<String>,
}

impl Default for ConnectorOptions {
    fn default() -> Self {
        ConnectorOptions {
            organization_id: None,
            group_id: None,
            opt_out_tags: BTreeMap::new(),
            page_size: MAX_PAGE_SIZE,
            messages_path: None,
        }
    }
}

/// The Hustle connector.
#[derive(Debug, Clone)]
pub struct HustleConnector {
    client: HustleClient,
    options: Arc<ConnectorOptions>,
    /// Set once the configured message list answered 404.
    messages_missing: Arc<AtomicBool>,
}

/// Pages fetched ahead of the one being mapped.
const PREFETCH: usize = 2;

/// Where a read stands: the cursor of the next page to read.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Position {
    cursor: Option<String>,
}

impl HustleConnector {
    /// A connector on `client`.
    pub fn new(client: HustleClient, options: ConnectorOptions) -> HustleConnector {
        HustleConnector {
            client,
            options: Arc::new(options),
            messages_missing: Arc::new(AtomicBool::new(false)),
        }
    }

    /// The typed client underneath.
    pub fn client(&self) -> &HustleClient {
        &self.client
    }

    fn leads(
        &self,
        start: Option<String>,
    ) -> futures::stream::BoxStream<'static, Result<CursorPage, Error>> {
        let mut list = self
            .client
            .leads()
            .list()
            .limit(self.options.page_size)
            .start_at(start);
        if let Some(org) = &self.options.organization_id {
            list = list.organization(org);
        }
        canvass_core::http::prefetch(list.send(), PREFETCH, SYSTEM)
    }

    fn tag_list(&self) -> crate::client::ListRequest {
        let mut list = self.client.tags().list().limit(self.options.page_size);
        if let Some(org) = &self.options.organization_id {
            list = list.param("organizationId", org.clone());
        }
        list
    }

    async fn tag_index(&self) -> Result<HashMap<String, Tag>, Error> {
        let tags: Vec<Tag> = self.tag_list().all().await?;
        Ok(tags.into_iter().map(|t| (t.id.clone(), t)).collect())
    }

    async fn lead_id_for(&self, person_id: Option<&str>, phone: &str) -> Result<String, Error> {
        if let Some(id) = person_id {
            return Ok(id.to_string());
        }
        let e164 = canvass_core::normalize::normalize_phone(phone)
            .map_err(|e| Error::invalid_input("opt_out.identifier", format!("{phone:?}: {e}")))?;
        self.client
            .leads()
            .find_by_phone(&e164, self.options.organization_id.as_deref())
            .await?
            .map(|l| l.id)
            .ok_or_else(|| Error::not_found(SYSTEM, format!("lead with phone {e164}")))
    }

    async fn upsert(&self, person: &canvass_core::Person) -> Result<WriteOutcome, Error> {
        let org = self.options.organization_id.clone().ok_or_else(|| {
            Error::Config("hustle: `organization_id` must be set to write people (leads belong to an organization)".into())
        })?;
        let phone = person.primary_phone().ok_or_else(|| {
            Error::invalid_input(
                "person.phones",
                "Hustle keys leads on a valid phone number; this person has none",
            )
        })?;
        let body = LeadUpsert {
            phone_number: phone.number.clone(),
            organization_id: org,
            active_group_ids: self.options.group_id.iter().cloned().collect(),
            first_name: person.given_name.clone(),
            last_name: person.family_name.clone(),
            email: person.primary_email().map(|e| e.address.clone()),
            postal_code: person.primary_address().and_then(|a| a.postal_code.clone()),
            ..LeadUpsert::default()
        };
        let outcome = self.client.leads().upsert(&body).await?;
        Ok(if outcome.created {
            WriteOutcome::Created {
                id: outcome.lead.id,
            }
        } else {
            WriteOutcome::Updated {
                id: outcome.lead.id,
            }
        })
    }
}

fn checkpoint(page: &CursorPage) -> Checkpoint {
    // After the last page, resume at it: a re-run re-reads one page and
    // picks up anything appended since.
    let cursor = page.next.clone().or_else(|| page.at.clone());
    Checkpoint::encode(&Position { cursor })
}

/// Decodes each item on its own: a bad one becomes a skipped issue, the rest go on.
fn decode_each<T: serde::de::DeserializeOwned>(
    page: &CursorPage,
    kind: &EntityKind,
    entity: &str,
    out: &mut Page,
) -> Vec<T> {
    let mut items = Vec::with_capacity(page.items.len());
    for (i, value) in page.items.iter().enumerate() {
        let name = item_name(value, i);
        out.raw.push(RawRecord {
            source: source(&name),
            kind: kind.clone(),
            json: value.clone(),
        });
        match serde_path_to_error::deserialize::<_, T>(value) {
            Ok(item) => items.push(item),
            Err(e) => out.issues.push(RecordIssue::new(
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

fn map_leads(kind: &EntityKind, page: &CursorPage, tags: &HashMap<String, Tag>) -> Page {
    let mut out = Page {
        checkpoint: Some(checkpoint(page)),
        ..Page::default()
    };
    let leads: Vec<Lead> = decode_each(page, kind, "lead", &mut out);
    for lead in &leads {
        match kind {
            EntityKind::People => {
                let mut issues: Vec<RecordIssue> = Vec::new();
                let person = mapping::lead_to_person(lead, &mut issues);
                out.records.push(Record::Person(person));
                out.issues.extend(issues);
            }
            EntityKind::Taggings => out.records.extend(
                mapping::lead_taggings(lead)
                    .into_iter()
                    .map(Record::Tagging),
            ),
            _ => out
                .records
                .extend(mapping::lead_opt_out(lead, tags).map(Record::OptOut)),
        }
    }
    out
}

fn map_messages(kind: &EntityKind, page: &CursorPage) -> Page {
    let mut out = Page {
        checkpoint: Some(checkpoint(page)),
        ..Page::default()
    };
    let messages: Vec<Message> = decode_each(page, kind, "message", &mut out);
    out.records.reserve(messages.len());
    for m in &messages {
        let mut issues = Vec::new();
        if *kind == EntityKind::Messages {
            out.records
                .push(Record::Message(mapping::message_to_message(m, &mut issues)));
        } else if let Some(a) = mapping::message_to_contact_attempt(m, &mut issues) {
            out.records.push(Record::ContactAttempt(a));
        }
        out.issues.extend(issues);
    }
    out
}

fn map_tags(page: &CursorPage) -> Page {
    let kind = EntityKind::Tags;
    let mut out = Page {
        checkpoint: Some(checkpoint(page)),
        ..Page::default()
    };
    let tags: Vec<Tag> = decode_each(page, &kind, "tag", &mut out);
    out.records
        .extend(tags.iter().map(|t| Record::Tag(mapping::tag_to_tag(t))));
    out
}

#[async_trait]
impl Connector for HustleConnector {
    fn info(&self) -> ConnectorInfo {
        let mut reads = BTreeSet::from([
            EntityKind::People,
            EntityKind::Tags,
            EntityKind::Taggings,
            EntityKind::OptOuts,
        ]);
        if self.options.messages_path.is_some() {
            reads.extend([EntityKind::Messages, EntityKind::ContactAttempts]);
        }
        ConnectorInfo {
            system: SYSTEM.to_string(),
            reads,
            // Hustle has no modified-since filter: every read is a full read.
            incremental: BTreeSet::new(),
            writes: BTreeSet::from([
                WriteKind::UpsertPerson,
                WriteKind::ApplyTag,
                WriteKind::RemoveTag,
                WriteKind::OptOut,
            ]),
        }
    }

    async fn check(&self) -> Result<(), Error> {
        self.client.ping().await
    }

    fn read(&self, kind: EntityKind, since: Option<Checkpoint>) -> PageStream<'_> {
        let start = match since.map(|cp| cp.decode::<Position>()).transpose() {
            Ok(p) => p.unwrap_or_default().cursor,
            Err(e) => return stream::once(async move { Err(e) }).boxed(),
        };
        match kind {
            EntityKind::People | EntityKind::Taggings => {
                let empty = HashMap::new();
                self.leads(start)
                    .map_ok(move |p| map_leads(&kind, &p, &empty))
                    .boxed()
            }
            EntityKind::OptOuts => {
                let this = self.clone();
                stream::once(async move { this.tag_index().await })
                    .map_ok(move |tags| {
                        let kind = EntityKind::OptOuts;
                        self.leads(start.clone())
                            .map_ok(move |p| map_leads(&kind, &p, &tags))
                    })
                    .try_flatten()
                    .boxed()
            }
            EntityKind::Tags => self
                .tag_list()
                .start_at(start)
                .send()
                .map_ok(|p| map_tags(&p))
                .boxed(),
            EntityKind::Messages | EntityKind::ContactAttempts => {
                let Some(path) = &self.options.messages_path else {
                    return unsupported_read(SYSTEM, &kind);
                };
                let what = format!("read {kind}");
                if self.messages_missing.load(Ordering::Relaxed) {
                    let err = Error::not_offered(
                        SYSTEM,
                        what,
                        format!("GET /{path} answered 404 earlier in this run"),
                    );
                    return stream::once(async move { Err(err) }).boxed();
                }
                let mut list = self
                    .client
                    .messages()
                    .list_at(path)
                    .limit(self.options.page_size)
                    .start_at(start);
                if let Some(org) = &self.options.organization_id {
                    list = list.organization(org);
                }
                let missing = self.messages_missing.clone();
                let pages = canvass_core::http::prefetch(list.send(), PREFETCH, SYSTEM);
                optional_read(pages, SYSTEM, &what)
                    .inspect_err(move |e| {
                        if e.is_not_offered() {
                            missing.store(true, Ordering::Relaxed);
                        }
                    })
                    .map_ok(move |p| map_messages(&kind, &p))
                    .boxed()
            }
            other => unsupported_read(SYSTEM, &other),
        }
    }

    async fn write(&self, op: &WriteOp) -> Result<WriteOutcome, Error> {
        match op {
            WriteOp::UpsertPerson { person } => self.upsert(person).await,
            WriteOp::ApplyTag { person_id, tag_id } => {
                let op = LeadOperation::ApplyTag {
                    tag_id: tag_id.clone(),
                };
                self.client.leads().update(person_id, &op).await?;
                Ok(WriteOutcome::Applied)
            }
            WriteOp::RemoveTag { person_id, tag_id } => {
                let op = LeadOperation::RemoveTag {
                    tag_id: tag_id.clone(),
                };
                self.client.leads().update(person_id, &op).await?;
                Ok(WriteOutcome::Applied)
            }
            WriteOp::OptOut {
                person_id,
                channel,
                identifier,
                reason,
                ..
            } => {
                if *channel != canvass_core::Channel::Sms {
                    return Err(Error::unsupported(SYSTEM, format!("opt out of {channel}")));
                }
                let id = self.lead_id_for(person_id.as_deref(), identifier).await?;
                let tag_id = match reason {
                    OptOutReason::Unknown => None,
                    r => self.options.opt_out_tags.get(r.as_str()).cloned(),
                };
                self.client
                    .leads()
                    .update(&id, &LeadOperation::OptOut { tag_id })
                    .await?;
                Ok(WriteOutcome::Updated { id })
            }
            other => Err(canvass_core::unsupported_write(SYSTEM, other)),
        }
    }
}
