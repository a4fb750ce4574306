//! Hustle records → the canonical model, phone first.
//!
//! - a lead is a [`Person`] keyed by its E.164 phone, and carries its
//!   [`Tagging`]s and, when `globalOptedOut`, an SMS [`OptOut`] whose reason
//!   is the name of its opt-out tag (a tag with `agentVisibility: OPT_OUT`),
//!   or unknown when it has none;
//! - a message is a [`Message`] and a [`ContactAttempt`]: outbound is
//!   *texted*, an inbound reply is *canvassed*.
//!
//! Invalid phones and emails are kept with `valid: false` and reported as
//! issues; unknown statuses and directions are kept verbatim (`Other`).

use std::collections::HashMap;

use canvass_core::normalize::clean_name;
use canvass_core::time::timestamp_field;
use canvass_core::{
    Channel, ContactAttempt, ContactResult, DeliveryStatus, Direction, Email, EntityKind,
    ExternalId, Extra, Message, OptOut, OptOutReason, Person, Phone, PhoneKind, PostalAddress,
    RecordIssue, SourceRef, SubscriptionStatus, Tag, Tagging, put_extra,
};
use serde_json::Value;

use crate::client::SYSTEM;
use crate::models;

/// A [`SourceRef`] in Hustle.
pub fn source(id: &str) -> SourceRef {
    SourceRef::new(SYSTEM, id)
}

/// Custom-field labels Hustle accounts use to carry a VAN id.
const VAN_ID_FIELDS: &[&str] = &["van_id", "vanId", "VAN ID", "vanid"];

/// Maps a lead to a person. The phone is the key: normalized to E.164 when
/// valid, kept verbatim with `valid: false` (and an issue) when not.
pub fn lead_to_person(lead: &models::Lead, issues: &mut Vec<RecordIssue>) -> Person {
    let kind = EntityKind::People;
    let mut person = Person {
        source: source(&lead.id),
        created_at: timestamp_field(
            lead.created_at.as_deref(),
            &lead.id,
            &kind,
            "createdAt",
            issues,
        ),
        given_name: lead.first_name.as_deref().and_then(clean_name),
        family_name: lead.last_name.as_deref().and_then(clean_name),
        ..Person::default()
    };
    if let Some(raw) = lead
        .phone_number
        .as_deref()
        .filter(|p| !p.trim().is_empty())
    {
        let phone_kind = lead
            .phone_number_type
            .as_deref()
            .map_or(PhoneKind::Unknown, |t| {
                PhoneKind::parse(&t.to_ascii_lowercase())
            });
        let mut phone = Phone::parse(raw, phone_kind);
        phone.primary = true;
        phone.sms_status = if lead.global_opted_out {
            SubscriptionStatus::Unsubscribed
        } else {
            SubscriptionStatus::Unknown
        };
        if !phone.valid {
            issues.push(RecordIssue::new(
                &lead.id,
                &kind,
                "phoneNumber",
                format!("not a valid phone number: {raw:?} (kept as is)"),
                false,
            ));
        }
        person.phones.push(phone);
    } else {
        issues.push(RecordIssue::new(
            &lead.id,
            &kind,
            "phoneNumber",
            "lead has no phone number",
            false,
        ));
    }
    if let Some(raw) = lead.email.as_deref().filter(|e| !e.trim().is_empty()) {
        let mut email = Email::parse(raw);
        email.primary = true;
        if !email.valid {
            issues.push(RecordIssue::new(
                &lead.id,
                &kind,
                "email",
                format!("not a valid email: {raw:?} (kept as is)"),
                false,
            ));
        }
        person.emails.push(email);
    }
    if let Some(zip) = lead.postal_code.as_deref().filter(|z| !z.trim().is_empty()) {
        person.addresses.push(PostalAddress {
            postal_code: Some(zip.trim().to_string()),
            primary: true,
            ..PostalAddress::default()
        });
    }
    for (label, value) in &lead.custom_fields {
        person.custom_fields.insert(label.clone(), value.clone());
        if VAN_ID_FIELDS.contains(&label.as_str()) {
            let id = match value {
                Value::String(s) => s.trim().to_string(),
                Value::Number(n) => n.to_string(),
                _ => String::new(),
            };
            if !id.is_empty() {
                person.external_ids.push(ExternalId {
                    system: "van".into(),
                    id,
                });
            }
        }
    }
    let extra = &mut person.extra;
    put_extra(extra, "organizationId", lead.organization_id.clone());
    put_extra(extra, "activeGroupIds", lead.active_group_ids.clone());
    if !lead.inactive_group_ids.is_empty() {
        put_extra(extra, "inactiveGroupIds", lead.inactive_group_ids.clone());
    }
    if !lead.tag_ids.is_empty() {
        put_extra(extra, "tagIds", lead.tag_ids.clone());
    }
    put_extra(extra, "globalOptedOut", lead.global_opted_out);
    put_extra(extra, "notes", lead.notes.clone().filter(|n| !n.is_empty()));
    put_extra(
        extra,
        "followUp",
        lead.follow_up.clone().filter(|n| !n.is_empty()),
    );
    for (k, v) in &lead.extra {
        extra.insert(k.clone(), v.clone());
    }
    person
}

/// One tagging per tag on the lead, with id `leadId:tagId`.
pub fn lead_taggings(lead: &models::Lead) -> Vec<Tagging> {
    lead.tag_ids
        .iter()
        .map(|tag| Tagging {
            source: source(&format!("{}:{tag}", lead.id)),
            modified_at: None,
            tag: source(tag),
            person: source(&lead.id),
            extra: Extra::new(),
        })
        .collect()
}

/// The canonical reason an opt-out tag's name stands for.
///
/// ```
/// use canvass_core::OptOutReason;
/// use canvass_hustle::mapping::opt_out_reason;
/// assert_eq!(opt_out_reason("Wrong Number"), OptOutReason::WrongNumber);
/// assert_eq!(opt_out_reason("STOP"), OptOutReason::Requested);
/// assert_eq!(opt_out_reason("Moved away"), OptOutReason::Other("Moved away".into()));
/// ```
pub fn opt_out_reason(tag_name: &str) -> OptOutReason {
    let n = tag_name.trim().to_ascii_lowercase();
    if n.contains("wrong") {
        OptOutReason::WrongNumber
    } else if [
        "stop",
        "do not",
        "don't",
        "unsubscribe",
        "opt out",
        "opt-out",
        "requested",
        "remove",
    ]
    .iter()
    .any(|w| n.contains(w))
    {
        OptOutReason::Requested
    } else if n.contains("block") || n.contains("spam") {
        OptOutReason::Blocked
    } else if n.contains("undeliverable") || n.contains("landline") || n.contains("disconnected") {
        OptOutReason::Undeliverable
    } else {
        OptOutReason::Other(tag_name.trim().to_string())
    }
}

/// The SMS opt-out of a lead with `globalOptedOut`, its reason taken from
/// its opt-out tag when it has one (`tags` indexes the account's tags by id).
/// Hustle does not say when the lead opted out.
pub fn lead_opt_out(lead: &models::Lead, tags: &HashMap<String, models::Tag>) -> Option<OptOut> {
    if !lead.global_opted_out {
        return None;
    }
    let reason_tag = lead
        .tag_ids
        .iter()
        .filter_map(|id| tags.get(id))
        .find(|t| t.is_opt_out());
    let raw = lead.phone_number.clone().unwrap_or_default();
    let phone = Phone::parse(&raw, PhoneKind::Unknown);
    let mut extra = Extra::new();
    if let Some(tag) = reason_tag {
        put_extra(&mut extra, "optOutTagId", tag.id.clone());
        put_extra(&mut extra, "optOutTagName", tag.name.clone());
    }
    put_extra(&mut extra, "organizationId", lead.organization_id.clone());
    Some(OptOut {
        source: source(&lead.id),
        person: Some(source(&lead.id)),
        channel: Channel::Sms,
        identifier: phone.number,
        reason: reason_tag
            .and_then(|t| t.name.as_deref())
            .map_or(OptOutReason::Unknown, opt_out_reason),
        opted_out_at: None,
        extra,
    })
}

/// Maps a tag.
pub fn tag_to_tag(tag: &models::Tag) -> Tag {
    let mut extra = tag.extra.clone();
    put_extra(&mut extra, "organizationId", tag.organization_id.clone());
    put_extra(&mut extra, "agentVisibility", tag.agent_visibility.clone());
    put_extra(&mut extra, "createdAt", tag.created_at.clone());
    Tag {
        source: source(&tag.id),
        name: tag.name.clone().unwrap_or_default(),
        extra,
    }
}

/// Hustle's delivery statuses in canonical form; unknown ones kept verbatim.
///
/// ```
/// use canvass_core::DeliveryStatus;
/// use canvass_hustle::mapping::delivery_status;
/// assert_eq!(delivery_status("pending_lookup"), DeliveryStatus::Queued);
/// assert_eq!(delivery_status("carrier_filtered"), DeliveryStatus::Other("carrier_filtered".into()));
/// ```
pub fn delivery_status(status: &str) -> DeliveryStatus {
    match status.trim().to_ascii_lowercase().as_str() {
        "pending_lookup" | "pending" | "queued" | "sending" | "accepted" => DeliveryStatus::Queued,
        "sent" => DeliveryStatus::Sent,
        "delivered" => DeliveryStatus::Delivered,
        "failed" | "error" => DeliveryStatus::Failed,
        "undelivered" => DeliveryStatus::Undelivered,
        "received" => DeliveryStatus::Received,
        _ => DeliveryStatus::Other(status.to_string()),
    }
}

fn direction(msg: &models::Message) -> Direction {
    match msg
        .direction
        .as_deref()
        .map(|d| d.trim().to_ascii_lowercase())
    {
        Some(d) if d == "outbound" || d == "outgoing" => Direction::Outbound,
        Some(d) if d == "inbound" || d == "incoming" => Direction::Inbound,
        Some(d) => Direction::Other(d),
        None => Direction::Other("unknown".into()),
    }
}

/// Maps a message.
pub fn message_to_message(msg: &models::Message, issues: &mut Vec<RecordIssue>) -> Message {
    let kind = EntityKind::Messages;
    let direction = direction(msg);
    let status = match (&msg.status, &direction) {
        (Some(s), _) => delivery_status(s),
        (None, Direction::Inbound) => DeliveryStatus::Received,
        (None, _) => DeliveryStatus::Other("unknown".into()),
    };
    let mut extra = msg.extra.clone();
    put_extra(&mut extra, "threadId", msg.thread_id.clone());
    put_extra(&mut extra, "agentId", msg.agent_id.clone());
    put_extra(&mut extra, "errorCode", msg.error_code.clone());
    put_extra(&mut extra, "type", msg.kind.clone());
    Message {
        source: source(&msg.id),
        person: msg.lead_id.as_deref().map(source),
        contact: None,
        channel: Channel::Sms,
        direction,
        body: msg.body.clone(),
        sent_at: timestamp_field(
            msg.created_at.as_deref(),
            &msg.id,
            &kind,
            "createdAt",
            issues,
        ),
        status,
        campaign: msg.group_id.clone(),
        extra,
    }
}

/// The contact attempt a message stands for: outbound is *texted*, an
/// inbound reply is *canvassed*. A message with an unknown direction gives
/// none (and an issue).
pub fn message_to_contact_attempt(
    msg: &models::Message,
    issues: &mut Vec<RecordIssue>,
) -> Option<ContactAttempt> {
    let kind = EntityKind::ContactAttempts;
    let result = match direction(msg) {
        Direction::Outbound => ContactResult::Texted,
        Direction::Inbound => ContactResult::Canvassed,
        other => {
            issues.push(RecordIssue::new(
                &msg.id,
                &kind,
                "direction",
                format!("unknown direction {:?}: no contact attempt", other.as_str()),
                true,
            ));
            return None;
        }
    };
    let mut extra = Extra::new();
    put_extra(&mut extra, "messageId", msg.id.clone());
    put_extra(&mut extra, "status", msg.status.clone());
    put_extra(&mut extra, "threadId", msg.thread_id.clone());
    Some(ContactAttempt {
        source: source(&msg.id),
        person: msg.lead_id.as_deref().map(source),
        contact: None,
        channel: Channel::Sms,
        result,
        attempted_at: timestamp_field(
            msg.created_at.as_deref(),
            &msg.id,
            &kind,
            "createdAt",
            issues,
        ),
        campaign: msg.group_id.clone(),
        extra,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn lead(json: Value) -> models::Lead {
        serde_json::from_value(json).unwrap_or_default()
    }

    #[test]
    fn a_landline_keeps_its_kind_and_is_the_key() {
        let mut issues = vec![];
        let p = lead_to_person(
            &lead(
                serde_json::json!({"id": "l1", "phoneNumber": "+14142020792", "phoneNumberType": "landline"}),
            ),
            &mut issues,
        );
        assert_eq!(p.phones[0].kind, PhoneKind::Landline);
        assert_eq!(
            p.primary_phone().map(|p| p.number.as_str()),
            Some("+14142020792")
        );
        assert!(issues.is_empty());
    }

    #[test]
    fn van_id_custom_field_becomes_an_external_id() {
        let mut issues = vec![];
        let p = lead_to_person(
            &lead(
                serde_json::json!({"id": "l1", "phoneNumber": "+14142020792", "customFields": {"van_id": "123"}}),
            ),
            &mut issues,
        );
        assert_eq!(
            p.external_ids,
            vec![ExternalId {
                system: "van".into(),
                id: "123".into()
            }]
        );
    }

    proptest! {
        #[test]
        fn opt_out_reason_never_panics_and_keeps_unknown_names(name in "\\PC{0,30}") {
            let r = opt_out_reason(&name);
            if let OptOutReason::Other(s) = r {
                prop_assert_eq!(s, name.trim().to_string());
            }
        }

        #[test]
        fn delivery_status_keeps_every_unknown_value(s in "[a-z_]{1,20}") {
            let d = delivery_status(&s);
            if let DeliveryStatus::Other(o) = &d {
                prop_assert_eq!(o, &s);
            }
        }

        #[test]
        fn any_lead_json_maps_without_panicking(first in proptest::option::of("\\PC{0,12}"), phone in proptest::option::of("[0-9 +().-]{0,16}"), email in proptest::option::of("\\PC{0,20}"), opted in any::<bool>()) {
            let l = models::Lead { id: "x".into(), first_name: first, phone_number: phone.clone(), email, global_opted_out: opted, ..models::Lead::default() };
            let mut issues = vec![];
            let p = lead_to_person(&l, &mut issues);
            prop_assert!(issues.iter().all(|i| !i.skipped));
            if let Some(ph) = p.phones.first() {
                prop_assert!(ph.valid || issues.iter().any(|i| i.field == "phoneNumber"));
            }
            prop_assert_eq!(lead_opt_out(&l, &HashMap::new()).is_some(), opted);
        }
    }
}
