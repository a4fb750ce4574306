//! [`PetitionsConnector`]: the petitions API mapped onto the canonical model.

use std::collections::BTreeSet;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures::StreamExt;
use serde::{Deserialize, Serialize};

use canvass_core::http::decode_json;
use canvass_core::time::parse_timestamp;
use canvass_core::{
    Action, Checkpoint, Connector, ConnectorInfo, Email, EntityKind, Error, Page, PageStream,
    Person, Phone, PhoneKind, PostalAddress, RawRecord, Record, RecordIssue, SourceRef, WriteKind,
    WriteOp, WriteOutcome, unsupported_read,
};

use crate::client::{PetitionsClient, SYSTEM};
use crate::models::{Signer, SignerInput};

/// Where a read stands: the `updated_since` it runs with, the token of the
/// next page, and the latest change seen so far.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct Position {
    since: Option<DateTime<Utc>>,
    token: Option<String>,
    high_water: Option<DateTime<Utc>>,
}

/// The petitions connector: reads signers as people and their signatures as
/// actions, both incrementally; writes people.
#[derive(Debug, Clone)]
pub struct PetitionsConnector {
    client: PetitionsClient,
    page_size: u32,
}

impl PetitionsConnector {
    /// A connector over `client`, reading `page_size` signers per request.
    pub fn new(client: PetitionsClient, page_size: u32) -> PetitionsConnector {
        PetitionsConnector { client, page_size }
    }

    /// The typed client underneath.
    pub fn client(&self) -> &PetitionsClient {
        &self.client
    }
}

/// Maps one signer onto a [`Person`], reporting invalid contact points as
/// issues (the values are kept, marked invalid).
pub fn signer_to_person(signer: &Signer, issues: &mut Vec<RecordIssue>) -> Person {
    let mut person = Person {
        source: SourceRef::new(SYSTEM, &signer.id),
        modified_at: parse_timestamp(&signer.updated_at),
        given_name: signer
            .first_name
            .as_deref()
            .and_then(canvass_core::normalize::clean_name),
        family_name: signer
            .last_name
            .as_deref()
            .and_then(canvass_core::normalize::clean_name),
        extra: signer.extra.clone(),
        ..Person::default()
    };
    let mut issue = |field: &str, message: String| {
        issues.push(RecordIssue {
            record: signer.id.clone(),
            kind: EntityKind::People,
            field: field.to_string(),
            message,
            skipped: false,
        })
    };
    if let Some(raw) = signer.email.as_deref().filter(|e| !e.trim().is_empty()) {
        let mut email = Email::parse(raw);
        email.primary = true;
        if !email.valid {
            issue(
                "email",
                format!("not a valid email address: {raw:?} (kept as is)"),
            );
        }
        person.emails.push(email);
    }
    if let Some(raw) = signer.phone.as_deref().filter(|p| !p.trim().is_empty()) {
        let mut phone = Phone::parse(raw, PhoneKind::Unknown);
        phone.primary = true;
        if !phone.valid {
            issue(
                "phone",
                format!("not a valid phone number: {raw:?} (kept as is)"),
            );
        }
        person.phones.push(phone);
    }
    if let Some(zip) = signer.zip.as_deref().filter(|z| !z.trim().is_empty()) {
        person.addresses.push(PostalAddress {
            postal_code: Some(zip.trim().to_string()),
            country: Some("US".into()),
            primary: true,
            ..PostalAddress::default()
        });
    }
    if parse_timestamp(&signer.updated_at).is_none() {
        issue(
            "updated_at",
            format!("not a timestamp: {:?}", signer.updated_at),
        );
    }
    person
}

/// The signature in a signer record, as an [`Action`].
pub fn signer_to_action(signer: &Signer) -> Option<Action> {
    let petition = signer.petition.as_ref()?;
    Some(Action {
        source: SourceRef::new(SYSTEM, format!("{}/{}", petition.id, signer.id)),
        taken_at: signer.signed_at.as_deref().and_then(parse_timestamp),
        person: Some(SourceRef::new(SYSTEM, &signer.id)),
        action_type: "petition_signature".into(),
        target: Some(SourceRef::new(SYSTEM, &petition.id)),
        extra: petition
            .title
            .as_ref()
            .map(|t| {
                let mut m = serde_json::Map::new();
                m.insert("petition_title".into(), t.clone().into());
                m
            })
            .unwrap_or_default(),
    })
}

/// Maps one page of raw signers onto a [`Page`] for `kind`. A signer that
/// does not decode is reported and skipped; the rest of the page goes on.
fn map_page(
    kind: &EntityKind,
    items: Vec<serde_json::Value>,
    high_water: &mut Option<DateTime<Utc>>,
) -> Page {
    let mut page = Page::default();
    for (index, json) in items.into_iter().enumerate() {
        let id = json.get("id").and_then(|v| v.as_str()).map(str::to_string);
        let label = id.clone().unwrap_or_else(|| format!("#{index} in page"));
        let signer: Signer = match decode_json(
            SYSTEM,
            &format!("signer {label}"),
            json.to_string().as_bytes(),
            &[],
        ) {
            Ok(s) => s,
            Err(e) => {
                let (field, message) = match &e {
                    Error::Decode { path, message, .. } => (path.clone(), message.clone()),
                    other => (String::new(), other.to_string()),
                };
                page.issues.push(RecordIssue {
                    record: label.clone(),
                    kind: kind.clone(),
                    field,
                    message,
                    skipped: true,
                });
                if let Some(id) = id {
                    page.raw.push(RawRecord {
                        source: SourceRef::new(SYSTEM, id),
                        kind: kind.clone(),
                        json,
                    });
                }
                continue;
            }
        };
        if let Some(t) = parse_timestamp(&signer.updated_at) {
            *high_water = (*high_water).max(Some(t));
        }
        match kind {
            EntityKind::People => {
                let person = signer_to_person(&signer, &mut page.issues);
                page.records.push(Record::Person(person));
            }
            _ => {
                if let Some(action) = signer_to_action(&signer) {
                    page.records.push(Record::Action(action));
                }
            }
        }
        page.raw.push(RawRecord {
            source: SourceRef::new(SYSTEM, &signer.id),
            kind: kind.clone(),
            json,
        });
    }
    page
}

#[async_trait]
impl Connector for PetitionsConnector {
    fn info(&self) -> ConnectorInfo {
        let kinds: BTreeSet<EntityKind> = [EntityKind::People, EntityKind::Actions].into();
        ConnectorInfo {
            system: SYSTEM.into(),
            reads: kinds.clone(),
            incremental: kinds,
            writes: [WriteKind::UpsertPerson].into(),
        }
    }

    async fn check(&self) -> Result<(), Error> {
        self.client.ping().await
    }

    fn read(&self, kind: EntityKind, since: Option<Checkpoint>) -> PageStream<'_> {
        if !self.info().can_read(&kind) {
            return unsupported_read(SYSTEM, &kind);
        }
        let start: Position = match since.map(|c| c.decode()).transpose() {
            Ok(p) => p.unwrap_or_default(),
            Err(e) => return Box::pin(futures::stream::once(async move { Err(e) })),
        };
        let mut high_water = start.high_water.or(start.since);
        let since = start.since;
        self.client
            .signers()
            .list()
            .per_page(self.page_size)
            .updated_since(since)
            .page_token(start.token)
            .send()
            .map(move |res| {
                let paged = res?;
                let mut page = map_page(&kind, paged.items, &mut high_water);
                // Mid-walk: resume at the next token with the same filter.
                // At the end: the next run asks only for changes since the
                // latest one seen (inclusive, so a tie is re-read, not lost).
                let position = match paged.next.flatten() {
                    Some(token) => Position {
                        since,
                        token: Some(token),
                        high_water,
                    },
                    None => Position {
                        since: high_water,
                        token: None,
                        high_water,
                    },
                };
                page.checkpoint = Some(Checkpoint::encode(&position));
                Ok(page)
            })
            .boxed()
    }

    async fn write(&self, op: &WriteOp) -> Result<WriteOutcome, Error> {
        let WriteOp::UpsertPerson { person } = op else {
            return Err(Error::unsupported(SYSTEM, format!("write {:?}", op.kind())));
        };
        let email = person.primary_email().ok_or_else(|| {
            Error::invalid_input(
                "person.emails",
                "the petitions API keys signers by email; this person has no valid email",
            )
        })?;
        let input = SignerInput {
            first_name: person.given_name.clone(),
            last_name: person.family_name.clone(),
            email: email.address.clone(),
            phone: person.primary_phone().map(|p| p.number.clone()),
            zip: person.primary_address().and_then(|a| a.postal_code.clone()),
        };
        let result = self.client.signers().upsert(&input).await?;
        Ok(if result.created {
            WriteOutcome::Created { id: result.id }
        } else {
            WriteOutcome::Updated { id: result.id }
        })
    }
}
