//! Strive rows → the canonical model, phone first.
//!
//! - a member is a [`Person`] keyed by its phone (E.164 when valid; kept
//!   verbatim with `valid: false` and an issue when not), with its groups as
//!   [`Tagging`]s;
//! - outgoing and incoming messages are [`Message`]s (ids `out:<id>` and
//!   `in:<id>`, since the two tables number apart) and [`ContactAttempt`]s:
//!   outbound is *texted*, an inbound reply is *canvassed*;
//! - an unsubscribe event is an SMS [`OptOut`]; its reason comes from the
//!   event type and supplemental text, unknown when neither says.

use canvass_core::normalize::clean_name;
use canvass_core::time::timestamp_field;
use canvass_core::{
    Channel, ContactAttempt, ContactResult, DeliveryStatus, Direction, Email, EntityKind, Extra,
    Message, OptOut, OptOutReason, Person, Phone, PhoneKind, PostalAddress, RecordIssue, SourceRef,
    SubscriptionStatus, Tag, Tagging, put_extra,
};
use serde_json::Value;

use crate::client::SYSTEM;
use crate::models;

/// A [`SourceRef`] in Strive.
pub fn source(id: impl ToString) -> SourceRef {
    SourceRef::new(SYSTEM, id.to_string())
}

/// The canonical id of an outgoing message.
pub fn outgoing_id(id: i64) -> String {
    format!("out:{id}")
}

/// The canonical id of an incoming message.
pub fn incoming_id(id: i64) -> String {
    format!("in:{id}")
}

fn nonempty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// What the carrier column says about the line.
fn phone_kind(carrier: Option<&str>) -> PhoneKind {
    match carrier.map(str::to_ascii_lowercase) {
        Some(c) if c.contains("landline") || c.contains("wireline") || c.contains("fixed") => {
            PhoneKind::Landline
        }
        Some(c) if c.contains("voip") => PhoneKind::Other("voip".into()),
        Some(c) if !c.trim().is_empty() => PhoneKind::Mobile,
        _ => PhoneKind::Unknown,
    }
}

/// Maps a member to a person.
pub fn member_to_person(m: &models::Member, issues: &mut Vec<RecordIssue>) -> Person {
    let kind = EntityKind::People;
    let id = m.id.to_string();
    let mut person = Person {
        source: source(m.id),
        modified_at: timestamp_field(m.updated_at.as_deref(), &id, &kind, "updated_at", issues),
        created_at: timestamp_field(m.created_at.as_deref(), &id, &kind, "created_at", issues),
        given_name: m.first_name.as_deref().and_then(clean_name),
        family_name: m.last_name.as_deref().and_then(clean_name),
        ..Person::default()
    };
    match nonempty(&m.phone_number) {
        Some(raw) => {
            let mut phone = Phone::parse(raw, phone_kind(m.carrier.as_deref()));
            phone.primary = true;
            phone.sms_status = match m.opt_in {
                Some(true) => SubscriptionStatus::Subscribed,
                Some(false) => SubscriptionStatus::Unsubscribed,
                None => SubscriptionStatus::Unknown,
            };
            if !phone.valid {
                issues.push(RecordIssue::new(
                    &id,
                    &kind,
                    "phone_number",
                    format!("not a valid phone number: {raw:?} (kept as is)"),
                    false,
                ));
            }
            person.phones.push(phone);
        }
        None => issues.push(RecordIssue::new(
            &id,
            &kind,
            "phone_number",
            "member has no phone number",
            false,
        )),
    }
    if let Some(raw) = nonempty(&m.email) {
        let mut email = Email::parse(raw);
        email.primary = true;
        if !email.valid {
            issues.push(RecordIssue::new(
                &id,
                &kind,
                "email",
                format!("not a valid email: {raw:?} (kept as is)"),
                false,
            ));
        }
        person.emails.push(email);
    }
    if nonempty(&m.city).is_some()
        || nonempty(&m.state).is_some()
        || nonempty(&m.postal_code).is_some()
    {
        person.addresses.push(PostalAddress {
            locality: nonempty(&m.city).map(str::to_string),
            region: nonempty(&m.state).map(str::to_string),
            postal_code: nonempty(&m.postal_code).map(str::to_string),
            primary: true,
            ..PostalAddress::default()
        });
    }
    for (k, v) in &m.custom {
        person.custom_fields.insert(k.clone(), v.clone());
    }
    let extra = &mut person.extra;
    put_extra(extra, "campaign_id", m.campaign_id);
    put_extra(extra, "notes", m.notes.clone().filter(|n| !n.is_empty()));
    put_extra(
        extra,
        "additional_notes",
        m.additional_notes.clone().filter(|n| !n.is_empty()),
    );
    put_extra(extra, "carrier", m.carrier.clone());
    put_extra(extra, "opt_in", m.opt_in);
    put_extra(extra, "first_sub_id", m.first_sub_id);
    put_extra(extra, "group", m.group.clone());
    for (k, v) in &m.extra {
        extra.insert(k.clone(), v.clone());
    }
    person
}

/// One tagging per group the member is in (`memberId:groupId`, or the
/// group's name when the column gives no id).
pub fn member_taggings(m: &models::Member) -> Vec<Tagging> {
    m.groups()
        .into_iter()
        .filter_map(|g| {
            let key = g.id.clone().or(g.name.clone())?;
            let mut extra = Extra::new();
            put_extra(&mut extra, "group_name", g.name);
            Some(Tagging {
                source: source(format!("{}:{key}", m.id)),
                modified_at: None,
                tag: source(key),
                person: source(m.id),
                extra,
            })
        })
        .collect()
}

/// A group as a tag.
pub fn group_to_tag(row: &models::Row) -> Tag {
    let id = match &row.id {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    Tag {
        source: source(id),
        name: row.name.clone().unwrap_or_default(),
        extra: row.extra.clone(),
    }
}

/// Strive's delivery statuses (an open set, **UNVERIFIED**) in canonical form.
///
/// ```
/// use canvass_core::DeliveryStatus;
/// use canvass_strive::mapping::delivery_status;
/// assert_eq!(delivery_status("DELIVERED"), DeliveryStatus::Delivered);
/// assert_eq!(delivery_status("carrier_violation"), DeliveryStatus::Other("carrier_violation".into()));
/// ```
pub fn delivery_status(status: &str) -> DeliveryStatus {
    match status.trim().to_ascii_lowercase().as_str() {
        "queued" | "accepted" | "scheduled" | "sending" | "pending" => DeliveryStatus::Queued,
        "sent" => DeliveryStatus::Sent,
        "delivered" => DeliveryStatus::Delivered,
        "failed" | "error" => DeliveryStatus::Failed,
        "undelivered" => DeliveryStatus::Undelivered,
        "received" => DeliveryStatus::Received,
        _ => DeliveryStatus::Other(status.to_string()),
    }
}

fn campaign_label(
    broadcast: Option<i64>,
    p2p: Option<i64>,
    campaign: Option<i64>,
) -> Option<String> {
    broadcast
        .map(|b| format!("broadcast:{b}"))
        .or_else(|| p2p.map(|p| format!("p2p:{p}")))
        .or_else(|| campaign.map(|c| format!("campaign:{c}")))
}

/// Maps an outgoing message.
pub fn outgoing_to_message(m: &models::OutgoingMessage, issues: &mut Vec<RecordIssue>) -> Message {
    let id = outgoing_id(m.id);
    let kind = EntityKind::Messages;
    let mut extra = m.extra.clone();
    put_extra(&mut extra, "campaign_id", m.campaign_id);
    put_extra(&mut extra, "broadcast_id", m.broadcast_id);
    put_extra(&mut extra, "p2p_id", m.p2p_id);
    put_extra(&mut extra, "flow_action_id", m.flow_action_id.clone());
    put_extra(&mut extra, "error_code", m.error_code.clone());
    put_extra(&mut extra, "queued_at", m.queued_at.clone());
    Message {
        source: source(&id),
        person: m.member_id.map(source),
        contact: None,
        channel: Channel::Sms,
        direction: Direction::Outbound,
        body: m.message.clone(),
        sent_at: timestamp_field(
            m.sent_at.as_deref().or(m.queued_at.as_deref()),
            &id,
            &kind,
            "sent_at",
            issues,
        ),
        status: m
            .status
            .as_deref()
            .map_or(DeliveryStatus::Other("unknown".into()), delivery_status),
        campaign: campaign_label(m.broadcast_id, m.p2p_id, m.campaign_id),
        extra,
    }
}

/// Maps an incoming message; `from_number` is normalized (`phones` caches
/// numbers already parsed in this page).
pub fn incoming_to_message(
    m: &models::IncomingMessage,
    phones: &mut std::collections::HashMap<String, Phone>,
    issues: &mut Vec<RecordIssue>,
) -> Message {
    let id = incoming_id(m.id);
    let kind = EntityKind::Messages;
    let contact = nonempty(&m.from_number).map(|raw| {
        let phone = phones
            .entry(raw.to_string())
            .or_insert_with(|| Phone::parse(raw, PhoneKind::Unknown))
            .clone();
        if !phone.valid {
            issues.push(RecordIssue::new(
                &id,
                &kind,
                "from_number",
                format!("not a valid phone number: {raw:?} (kept as is)"),
                false,
            ));
        }
        phone.number
    });
    let mut extra = m.extra.clone();
    put_extra(&mut extra, "campaign_id", m.campaign_id);
    put_extra(&mut extra, "to_number", m.to_number.clone());
    put_extra(&mut extra, "attachments", m.attachments.clone());
    put_extra(&mut extra, "is_opt_out", m.is_opt_out);
    put_extra(&mut extra, "conversation_id", m.conversation_id.clone());
    put_extra(&mut extra, "flow_id", m.flow_id.clone());
    put_extra(&mut extra, "response_to_id", m.response_to_id);
    Message {
        source: source(&id),
        person: m.member_id.map(source),
        contact,
        channel: Channel::Sms,
        direction: Direction::Inbound,
        body: m.message.clone(),
        sent_at: timestamp_field(m.sent_at.as_deref(), &id, &kind, "sent_at", issues),
        status: DeliveryStatus::Received,
        campaign: campaign_label(None, None, m.campaign_id),
        extra,
    }
}

/// The contact attempt a message stands for: outbound is *texted*, inbound
/// is *canvassed*.
pub fn message_to_contact_attempt(m: &Message) -> ContactAttempt {
    let mut extra = Extra::new();
    put_extra(&mut extra, "status", m.status.as_str());
    ContactAttempt {
        source: m.source.clone(),
        person: m.person.clone(),
        contact: m.contact.clone(),
        channel: Channel::Sms,
        result: if m.direction == Direction::Inbound {
            ContactResult::Canvassed
        } else {
            ContactResult::Texted
        },
        attempted_at: m.sent_at,
        campaign: m.campaign.clone(),
        extra,
    }
}

/// The reason an unsubscribe event's type and supplemental text stand for.
///
/// ```
/// use canvass_core::OptOutReason;
/// use canvass_strive::mapping::opt_out_reason;
/// assert_eq!(opt_out_reason(Some("keyword"), Some("STOP")), OptOutReason::Requested);
/// assert_eq!(opt_out_reason(Some("manual"), Some("wrong number")), OptOutReason::WrongNumber);
/// assert_eq!(opt_out_reason(None, None), OptOutReason::Unknown);
/// ```
pub fn opt_out_reason(kind: Option<&str>, supplemental: Option<&str>) -> OptOutReason {
    let kind = kind.map(str::trim).filter(|s| !s.is_empty());
    let supplemental = supplemental.map(str::trim).filter(|s| !s.is_empty());
    let text =
        format!("{} {}", kind.unwrap_or(""), supplemental.unwrap_or("")).to_ascii_lowercase();
    if text.contains("wrong") {
        OptOutReason::WrongNumber
    } else if [
        "keyword",
        "stop",
        "unsubscribe",
        "reply",
        "request",
        "quit",
        "cancel",
    ]
    .iter()
    .any(|w| text.contains(w))
    {
        OptOutReason::Requested
    } else if ["carrier", "block", "spam", "filter"]
        .iter()
        .any(|w| text.contains(w))
    {
        OptOutReason::Blocked
    } else if ["bounce", "undeliver", "landline", "deactivat", "invalid"]
        .iter()
        .any(|w| text.contains(w))
    {
        OptOutReason::Undeliverable
    } else {
        match kind {
            Some(k) => OptOutReason::Other(k.to_string()),
            None => OptOutReason::Unknown,
        }
    }
}

/// Maps an unsubscribe event; `phone` is the member's number when known.
pub fn event_to_opt_out(
    e: &models::SubscriptionEvent,
    phone: Option<&str>,
    issues: &mut Vec<RecordIssue>,
) -> OptOut {
    let kind = EntityKind::OptOuts;
    let id = e.id.to_string();
    let identifier = match phone.map(str::trim).filter(|p| !p.is_empty()) {
        Some(raw) => Phone::parse(raw, PhoneKind::Unknown).number,
        None => {
            issues.push(RecordIssue::new(
                &id,
                &kind,
                "member_id",
                format!("no phone number found for member {:?}", e.member_id),
                false,
            ));
            String::new()
        }
    };
    let mut extra = e.extra.clone();
    put_extra(&mut extra, "type", e.kind.clone());
    put_extra(&mut extra, "supplemental", e.supplemental.clone());
    put_extra(&mut extra, "ref_id", e.ref_id.clone());
    put_extra(&mut extra, "campaign_id", e.campaign_id);
    OptOut {
        source: source(e.id),
        person: e.member_id.map(source),
        channel: Channel::Sms,
        identifier,
        reason: opt_out_reason(e.kind.as_deref(), e.supplemental.as_deref()),
        opted_out_at: timestamp_field(e.created_at.as_deref(), &id, &kind, "created_at", issues),
        extra,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_wireline_carrier_is_a_landline() {
        let m = models::Member {
            id: 1,
            phone_number: Some("414.202.0792".into()),
            carrier: Some("Verizon Wireline".into()),
            opt_in: Some(false),
            ..Default::default()
        };
        let p = member_to_person(&m, &mut vec![]);
        assert_eq!(p.phones[0].kind, PhoneKind::Landline);
        assert_eq!(p.phones[0].number, "+14142020792");
        assert_eq!(p.phones[0].sms_status, SubscriptionStatus::Unsubscribed);
    }

    #[test]
    fn groups_are_read_in_every_shape() {
        for (group, expected) in [
            (
                serde_json::json!([{"id": 3, "name": "Volunteers"}]),
                vec!["1:3"],
            ),
            (
                serde_json::json!(["Volunteers", "Donors"]),
                vec!["1:Volunteers", "1:Donors"],
            ),
            (serde_json::json!("[{\"id\": 4}]"), vec!["1:4"]),
            (serde_json::json!({"id": 5, "name": "x"}), vec!["1:5"]),
            (serde_json::json!(null), vec![]),
        ] {
            let m = models::Member {
                id: 1,
                group: Some(group.clone()),
                ..Default::default()
            };
            let ids: Vec<String> = member_taggings(&m)
                .into_iter()
                .map(|t| t.source.id)
                .collect();
            assert_eq!(ids, expected, "{group}");
        }
    }

    proptest! {
        #[test]
        fn opt_out_reason_never_panics(kind in proptest::option::of("\\PC{0,16}"), sup in proptest::option::of("\\PC{0,16}")) {
            let r = opt_out_reason(kind.as_deref(), sup.as_deref());
            let blank = |s: &Option<String>| s.as_deref().is_none_or(|s| s.trim().is_empty());
            if blank(&kind) && blank(&sup) {
                prop_assert_eq!(r, OptOutReason::Unknown);
            }
        }

        #[test]
        fn any_member_maps_without_panicking(phone in proptest::option::of("[0-9 +().-]{0,16}"), email in proptest::option::of("\\PC{0,16}"), carrier in proptest::option::of("\\PC{0,10}")) {
            let m = models::Member { id: 9, phone_number: phone, email, carrier, ..Default::default() };
            let mut issues = vec![];
            let p = member_to_person(&m, &mut issues);
            prop_assert!(issues.iter().all(|i| !i.skipped));
            for ph in &p.phones {
                prop_assert!(ph.valid || issues.iter().any(|i| i.field == "phone_number"));
            }
        }
    }
}
