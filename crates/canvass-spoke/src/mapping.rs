//! Spoke rows → the canonical model, phone first.
//!
//! - a campaign contact is a [`Person`] whose id is the contact's Spoke id
//!   (the id writes take as `person_id`), keyed by its cell (E.164 when
//!   valid; kept verbatim with `valid: false` and an issue when not);
//! - a message is a [`Message`] (inbound when `is_from_contact`), and a
//!   [`ContactAttempt`] with id `message:<id>`: outbound is *texted*
//!   (*disconnected* when the carrier refused it), a reply is *canvassed*;
//! - an opt-out is an SMS [`OptOut`] with its reason read from
//!   `reason_code` (*unknown* when empty), and a [`ContactAttempt`] with id
//!   `opt_out:<id>`: *wrong number* when the reason says so, else *opted out*;
//! - a question step is a [`SurveyQuestion`] whose options are its child
//!   steps; a question response is a [`SurveyResponse`] whose option is the
//!   child step its value names;
//! - a tag is a [`Tag`], a tag on a contact a [`Tagging`].

use std::collections::HashMap;

use canvass_core::normalize::{clean_name, normalize_phone};
use canvass_core::{
    Channel, ContactAttempt, ContactResult, DeliveryStatus, Direction, EntityKind, ExternalId,
    Extra, Message, OptOut, OptOutReason, Person, Phone, PhoneKind, PostalAddress, RecordIssue,
    SourceRef, SubscriptionStatus, SurveyOption, SurveyQuestion, SurveyResponse, Tag, Tagging,
    put_extra,
};
use serde_json::Value;

use crate::db::SYSTEM;
use crate::models::{self, SendStatus};

/// A [`SourceRef`] in Spoke.
pub fn source(id: impl ToString) -> SourceRef {
    SourceRef::new(SYSTEM, id.to_string())
}

/// The id of the contact attempt a message stands for.
pub fn message_attempt_id(id: i64) -> String {
    format!("message:{id}")
}

/// The id of the contact attempt an opt-out stands for.
pub fn opt_out_attempt_id(id: i64) -> String {
    format!("opt_out:{id}")
}

/// Twilio error codes that mean the number cannot take texts (unreachable,
/// unknown or landline destination, not a mobile number).
const UNREACHABLE_CODES: [i64; 5] = [30003, 30005, 30006, 21614, 21211];

pub(crate) fn issue(
    record: &str,
    kind: &EntityKind,
    field: &str,
    message: impl Into<String>,
    skipped: bool,
) -> RecordIssue {
    RecordIssue {
        record: record.to_string(),
        kind: kind.clone(),
        field: field.to_string(),
        message: message.into(),
        skipped,
    }
}

fn nonempty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Normalizes phone numbers, remembering each answer: a read meets the same
/// cells again and again (every message of a conversation), and a parse
/// costs far more than a lookup.
#[derive(Debug, Default)]
pub struct PhoneCache {
    seen: HashMap<String, Option<String>>,
}

impl PhoneCache {
    /// The E.164 form of `raw`, or `None` when it is not a valid number.
    pub fn e164(&mut self, raw: &str) -> Option<String> {
        if let Some(hit) = self.seen.get(raw) {
            return hit.clone();
        }
        let parsed = normalize_phone(raw).ok();
        if self.seen.len() > 100_000 {
            self.seen.clear();
        }
        self.seen.insert(raw.to_string(), parsed.clone());
        parsed
    }
}

/// A campaign contact as a person. `external_id_system` names the system of
/// `external_id` (Spoke does not say; it is usually `"van"`).
pub fn contact_to_person(
    c: &models::CampaignContact,
    external_id_system: &str,
    phones: &mut PhoneCache,
    issues: &mut Vec<RecordIssue>,
) -> Person {
    let kind = EntityKind::People;
    let id = c.id.to_string();
    let mut person = Person {
        source: source(c.id),
        modified_at: c.updated_at,
        created_at: c.created_at,
        given_name: c.first_name.as_deref().and_then(clean_name),
        family_name: c.last_name.as_deref().and_then(clean_name),
        ..Person::default()
    };
    match nonempty(&c.cell) {
        Some(raw) => {
            let mut phone = match phones.e164(raw) {
                Some(number) => Phone {
                    number,
                    valid: true,
                    kind: PhoneKind::Mobile,
                    primary: true,
                    sms_status: SubscriptionStatus::Unknown,
                },
                None => {
                    issues.push(issue(
                        &id,
                        &kind,
                        "cell",
                        format!("not a valid phone number: {raw:?} (kept as is)"),
                        false,
                    ));
                    Phone {
                        number: raw.to_string(),
                        valid: false,
                        kind: PhoneKind::Mobile,
                        primary: true,
                        sms_status: SubscriptionStatus::Unknown,
                    }
                }
            };
            if c.is_opted_out == Some(true) {
                phone.sms_status = SubscriptionStatus::Unsubscribed;
            }
            person.phones.push(phone);
        }
        None => issues.push(issue(&id, &kind, "cell", "contact has no cell", false)),
    }
    if let Some(zip) = nonempty(&c.zip) {
        person.addresses.push(PostalAddress {
            postal_code: Some(zip.to_string()),
            primary: true,
            ..PostalAddress::default()
        });
    }
    if let Some(ext) = nonempty(&c.external_id) {
        person.external_ids.push(ExternalId {
            system: external_id_system.to_string(),
            id: ext.to_string(),
        });
    }
    if let Some(text) = nonempty(&c.custom_fields) {
        match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(map)) => person.custom_fields.extend(map),
            Ok(other) => {
                issues.push(issue(
                    &id,
                    &kind,
                    "custom_fields",
                    format!("custom fields are not a JSON object but {other} (kept in extra)"),
                    false,
                ));
                put_extra(&mut person.extra, "custom_fields_raw", text);
            }
            Err(e) => {
                issues.push(issue(
                    &id,
                    &kind,
                    "custom_fields",
                    format!("custom fields are not valid JSON ({e}); kept verbatim in extra"),
                    false,
                ));
                put_extra(&mut person.extra, "custom_fields_raw", text);
            }
        }
    }
    let extra = &mut person.extra;
    put_extra(extra, "campaign_id", c.campaign_id);
    put_extra(extra, "organization_id", c.organization_id);
    put_extra(extra, "assignment_id", c.assignment_id);
    put_extra(
        extra,
        "message_status",
        c.message_status.as_ref().map(|s| s.as_str().to_string()),
    );
    put_extra(extra, "is_opted_out", c.is_opted_out);
    put_extra(extra, "error_code", c.error_code);
    for (k, v) in &c.extra {
        put_extra(extra, k, v.clone());
    }
    person
}

/// The canonical delivery status of a message.
pub fn delivery_status(m: &models::Message) -> DeliveryStatus {
    if m.is_from_contact {
        return DeliveryStatus::Received;
    }
    match &m.send_status {
        Some(SendStatus::Queued | SendStatus::Sending | SendStatus::Paused) => {
            DeliveryStatus::Queued
        }
        Some(SendStatus::Sent) => DeliveryStatus::Sent,
        Some(SendStatus::Delivered) => DeliveryStatus::Delivered,
        Some(SendStatus::Error) => DeliveryStatus::Failed,
        Some(SendStatus::NotAttempted) => DeliveryStatus::Other("not_attempted".into()),
        Some(SendStatus::Other(s)) => DeliveryStatus::Other(s.clone()),
        None => DeliveryStatus::Other("unknown".into()),
    }
}

/// Whether `raw` is already written in E.164 (`+` and 8 to 15 digits, no
/// leading zero), as Spoke stores the cells it normalized on upload.
pub fn looks_e164(raw: &str) -> bool {
    raw.strip_prefix('+').is_some_and(|d| {
        (8..=15).contains(&d.len()) && !d.starts_with('0') && d.bytes().all(|b| b.is_ascii_digit())
    })
}

/// A message row as a canonical message.
///
/// `contact` is the message's `contact_number` kept as stored when Spoke
/// wrote it in E.164 (Spoke normalizes cells on upload; validating each of
/// millions of messages would cost more than the rest of the read), and
/// normalized otherwise. People are validated in full.
pub fn message_to_message(m: models::Message, phones: &mut PhoneCache) -> Message {
    let contact = nonempty(&m.contact_number).map(|raw| {
        if looks_e164(raw) {
            raw.to_string()
        } else {
            phones.e164(raw).unwrap_or(raw.into())
        }
    });
    let status = delivery_status(&m);
    let mut extra = m.extra;
    put_extra(
        &mut extra,
        "send_status",
        m.send_status.as_ref().map(|s| s.as_str().to_string()),
    );
    put_extra(&mut extra, "error_code", m.error_code);
    put_extra(&mut extra, "user_id", m.user_id);
    put_extra(&mut extra, "user_number", m.user_number);
    put_extra(&mut extra, "assignment_id", m.assignment_id);
    Message {
        source: source(m.id),
        person: m.campaign_contact_id.map(source),
        contact,
        channel: Channel::Sms,
        direction: if m.is_from_contact {
            Direction::Inbound
        } else {
            Direction::Outbound
        },
        body: m.text,
        sent_at: m.created_at,
        status,
        campaign: m.campaign_id.map(|c| c.to_string()),
        extra,
    }
}

/// The contact attempt a message stands for: a reply is *canvassed*, an
/// outbound text *texted*, or *disconnected* when the carrier refused it as
/// unreachable.
pub fn message_to_contact_attempt(m: &Message) -> ContactAttempt {
    let unreachable = m.status == DeliveryStatus::Failed
        && m.extra
            .get("error_code")
            .and_then(Value::as_i64)
            .is_some_and(|c| UNREACHABLE_CODES.contains(&c));
    let result = match (&m.direction, unreachable) {
        (Direction::Inbound, _) => ContactResult::Canvassed,
        (_, true) => ContactResult::Disconnected,
        _ => ContactResult::Texted,
    };
    let mut extra = Extra::new();
    put_extra(&mut extra, "message_id", m.source.id.clone());
    put_extra(&mut extra, "direction", m.direction.as_str().to_string());
    put_extra(&mut extra, "delivery_status", m.status.as_str().to_string());
    ContactAttempt {
        source: source(message_attempt_id(m.source.id.parse().unwrap_or_default())),
        person: m.person.clone(),
        contact: m.contact.clone(),
        channel: Channel::Sms,
        result,
        attempted_at: m.sent_at,
        campaign: m.campaign.clone(),
        extra,
    }
}

/// Reads Spoke's free-text `reason_code`.
///
/// Spoke leaves it empty unless the texter or an auto-opt-out rule filled
/// it, so empty is [`OptOutReason::Unknown`]; the canonical names canvass
/// writes (`wrong_number`, ...) read back as themselves; other text is
/// matched on keywords, and kept as [`OptOutReason::Other`] when none fits.
///
/// ```
/// use canvass_core::OptOutReason;
/// use canvass_spoke::mapping::opt_out_reason;
/// assert_eq!(opt_out_reason(""), OptOutReason::Unknown);
/// assert_eq!(opt_out_reason("Wrong Number"), OptOutReason::WrongNumber);
/// assert_eq!(opt_out_reason("STOP"), OptOutReason::Requested);
/// assert_eq!(opt_out_reason("hostile"), OptOutReason::Other("hostile".into()));
/// ```
pub fn opt_out_reason(reason_code: &str) -> OptOutReason {
    let text = reason_code.trim();
    if text.is_empty() {
        return OptOutReason::Unknown;
    }
    let lower = text.to_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| lower.contains(w));
    match OptOutReason::parse(&lower) {
        OptOutReason::Other(_) => {}
        known => return known,
    }
    if has(&[
        "wrong number",
        "wrong_number",
        "wrong person",
        "wrongnumber",
    ]) {
        OptOutReason::WrongNumber
    } else if has(&[
        "landline",
        "undeliverable",
        "disconnected",
        "invalid number",
    ]) {
        OptOutReason::Undeliverable
    } else if has(&["blocked", "spam", "carrier"]) {
        OptOutReason::Blocked
    } else if has(&[
        "stop",
        "unsubscribe",
        "opt out",
        "optout",
        "opt-out",
        "remove",
        "requested",
        "do not text",
        "dnt",
        "auto",
    ]) {
        OptOutReason::Requested
    } else {
        OptOutReason::Other(text.to_string())
    }
}

/// The `reason` canvass sends with `createOptOut` (read back by
/// [`opt_out_reason`] as the same reason).
pub fn reason_text(reason: &OptOutReason) -> Option<String> {
    match reason {
        OptOutReason::Unknown => None,
        other => Some(other.as_str().to_string()),
    }
}

/// An opt-out row as a canonical opt-out.
pub fn opt_out_to_opt_out(
    o: &models::OptOut,
    phones: &mut PhoneCache,
    issues: &mut Vec<RecordIssue>,
) -> OptOut {
    let id = o.id.to_string();
    let raw_cell = nonempty(&o.cell).unwrap_or_default();
    let identifier = match phones.e164(raw_cell) {
        Some(e) => e,
        None => {
            issues.push(issue(
                &id,
                &EntityKind::OptOuts,
                "cell",
                format!("not a valid phone number: {raw_cell:?} (kept as is)"),
                false,
            ));
            raw_cell.to_string()
        }
    };
    let mut extra = Extra::new();
    put_extra(&mut extra, "reason_code", o.reason_code.clone());
    put_extra(&mut extra, "assignment_id", o.assignment_id);
    put_extra(&mut extra, "organization_id", o.organization_id);
    for (k, v) in &o.extra {
        put_extra(&mut extra, k, v.clone());
    }
    OptOut {
        source: source(o.id),
        person: o.campaign_contact_id.map(source),
        channel: Channel::Sms,
        identifier,
        reason: opt_out_reason(o.reason_code.as_deref().unwrap_or_default()),
        opted_out_at: o.created_at,
        extra,
    }
}

/// The contact attempt an opt-out stands for.
pub fn opt_out_to_contact_attempt(o: &OptOut) -> ContactAttempt {
    let result = if o.reason == OptOutReason::WrongNumber {
        ContactResult::WrongNumber
    } else {
        ContactResult::OptedOut
    };
    let mut extra = Extra::new();
    put_extra(&mut extra, "opt_out_id", o.source.id.clone());
    put_extra(&mut extra, "reason", o.reason.as_str().to_string());
    ContactAttempt {
        source: source(opt_out_attempt_id(o.source.id.parse().unwrap_or_default())),
        person: o.person.clone(),
        contact: Some(o.identifier.clone()),
        channel: Channel::Sms,
        result,
        attempted_at: o.opted_out_at,
        campaign: None,
        extra,
    }
}

/// A question step as a survey question; its options are its child steps
/// (deleted ones left out of `options`, kept in `extra.deleted_options`).
pub fn step_to_question(s: &models::InteractionStep) -> SurveyQuestion {
    let (live, deleted): (Vec<_>, Vec<_>) = s
        .answer_options
        .iter()
        .partition(|a| a.is_deleted != Some(true));
    let mut extra = Extra::new();
    put_extra(&mut extra, "campaign_id", s.campaign_id);
    put_extra(&mut extra, "organization_id", s.organization_id);
    put_extra(&mut extra, "script", s.script.clone());
    put_extra(&mut extra, "parent_interaction_id", s.parent_interaction_id);
    put_extra(&mut extra, "answer_option", s.answer_option.clone());
    put_extra(&mut extra, "is_deleted", s.is_deleted);
    if !deleted.is_empty() {
        put_extra(
            &mut extra,
            "deleted_options",
            deleted
                .iter()
                .map(|a| serde_json::json!({"id": a.id.to_string(), "name": a.answer_option}))
                .collect::<Vec<_>>(),
        );
    }
    for (k, v) in &s.extra {
        put_extra(&mut extra, k, v.clone());
    }
    let question = nonempty(&s.question).map(str::to_string);
    SurveyQuestion {
        source: source(s.id),
        name: question.clone().unwrap_or_else(|| format!("step {}", s.id)),
        question,
        options: live
            .iter()
            .map(|a| SurveyOption {
                id: a.id.to_string(),
                name: a.answer_option.clone(),
            })
            .collect(),
        extra,
    }
}

/// A question response as a survey response, or an issue when it names no
/// contact or no question.
pub fn response_to_response(
    r: &models::QuestionResponse,
    issues: &mut Vec<RecordIssue>,
) -> Option<SurveyResponse> {
    let id = r.id.to_string();
    let kind = EntityKind::SurveyResponses;
    let (Some(contact), Some(step)) = (r.campaign_contact_id, r.interaction_step_id) else {
        issues.push(issue(
            &id,
            &kind,
            "campaign_contact_id",
            "question response names no contact or no question",
            true,
        ));
        return None;
    };
    let mut extra = Extra::new();
    for (k, v) in &r.extra {
        put_extra(&mut extra, k, v.clone());
    }
    Some(SurveyResponse {
        source: source(r.id),
        answered_at: r.created_at,
        person: source(contact),
        question: source(step),
        answer: r.value.clone().unwrap_or_default(),
        option_id: r.answer_step_id.map(|a| a.to_string()),
        extra,
    })
}

/// A tag row as a tag.
pub fn tag_to_tag(t: &models::Tag) -> Tag {
    let mut extra = Extra::new();
    put_extra(&mut extra, "group", t.group.clone());
    put_extra(&mut extra, "description", t.description.clone());
    put_extra(&mut extra, "is_deleted", t.is_deleted);
    put_extra(&mut extra, "organization_id", t.organization_id);
    for (k, v) in &t.extra {
        put_extra(&mut extra, k, v.clone());
    }
    Tag {
        source: source(t.id),
        name: nonempty(&t.name)
            .map(str::to_string)
            .unwrap_or_else(|| format!("tag {}", t.id)),
        extra,
    }
}

/// A tag on a contact as a tagging, or an issue when it names no tag or contact.
pub fn contact_tag_to_tagging(
    t: &models::TagCampaignContact,
    issues: &mut Vec<RecordIssue>,
) -> Option<Tagging> {
    let (Some(tag), Some(contact)) = (t.tag_id, t.campaign_contact_id) else {
        issues.push(issue(
            &t.id.to_string(),
            &EntityKind::Taggings,
            "tag_id",
            "tag_campaign_contact names no tag or no contact",
            true,
        ));
        return None;
    };
    let mut extra = Extra::new();
    put_extra(&mut extra, "value", t.value.clone());
    for (k, v) in &t.extra {
        put_extra(&mut extra, k, v.clone());
    }
    Some(Tagging {
        source: source(t.id),
        modified_at: t.updated_at,
        tag: source(tag),
        person: source(contact),
        extra,
    })
}
