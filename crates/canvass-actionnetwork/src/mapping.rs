//! From Action Network's shapes to the canonical model.
//!
//! Every mapper decodes one raw item on its own. A record that cannot be
//! mapped at all (no id, a field of the wrong type) becomes a skipped
//! [`RecordIssue`] naming the field; a record with a bad field that can be
//! kept (an invalid phone, an unreadable date) is kept, the bad value
//! verbatim, with an issue that is not skipped.

use canvass_core::normalize::money_minor_units;
use canvass_core::time::parse_timestamp;
use canvass_core::{
    Action, Attendance, AttendanceStatus, Donation, Email, EntityKind, Event, ExternalId, Extra,
    Person, Phone, PhoneKind, PostalAddress, Record, RecordIssue, Recurrence, SourceRef,
    SubscriptionStatus, Tag, Tagging,
};
use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::client::{SYSTEM, decode_item};
use crate::models::{self, ID_PREFIX, Resource};

/// Where an item was read from: its collection's parent, for nested
/// collections (`tags/{id}/taggings`, `forms/{id}/submissions`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Parent<'a> {
    /// The parent collection (`"tags"`, `"events"`, `"forms"`, `"petitions"`).
    pub collection: &'a str,
    /// The parent's id.
    pub id: &'a str,
}

/// One item mapped: its record and any issues that did not stop it.
pub type Mapped = Result<(Record, Vec<RecordIssue>), RecordIssue>;

fn source(id: impl Into<String>) -> SourceRef {
    SourceRef::new(SYSTEM, id)
}

struct Issues<'a> {
    record: String,
    kind: &'a EntityKind,
    list: Vec<RecordIssue>,
}

impl Issues<'_> {
    fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.list.push(RecordIssue {
            record: self.record.clone(),
            kind: self.kind.clone(),
            field: field.into(),
            message: message.into(),
            skipped: false,
        });
    }

    /// Parses a timestamp; a bad one is kept in `extra` under its field name.
    fn time(
        &mut self,
        field: &str,
        text: Option<&String>,
        extra: &mut Extra,
    ) -> Option<DateTime<Utc>> {
        let text = text?;
        let parsed = parse_time(text);
        if parsed.is_none() {
            self.add(field, format!("not a timestamp: {text:?}; kept in extra"));
            extra.insert(field.to_string(), Value::String(text.clone()));
        }
        parsed
    }
}

/// Parses one of Action Network's timestamps: RFC 3339 (`2014-03-20T21:04:31Z`,
/// the docs' form), the other forms [`parse_timestamp`] reads, and an offset
/// without a colon (`2019-03-01T00:00:00.000+0000`, as published examples
/// also show).
///
/// ```
/// use canvass_actionnetwork::mapping::parse_time;
/// let t = parse_time("2019-03-01T00:00:00.000+0000").unwrap();
/// assert_eq!(t.to_rfc3339(), "2019-03-01T00:00:00+00:00");
/// assert_eq!(parse_time("2014-03-20T21:04:31Z").unwrap().to_rfc3339(), "2014-03-20T21:04:31+00:00");
/// assert!(parse_time("2019-02-29T00:00:00.000+0000").is_none(), "no such day");
/// ```
pub fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    parse_timestamp(text).or_else(|| {
        DateTime::parse_from_str(text.trim(), "%Y-%m-%dT%H:%M:%S%.f%z")
            .ok()
            .map(|t| t.with_timezone(&Utc))
    })
}

fn skipped(
    kind: &EntityKind,
    record: &str,
    field: &str,
    message: impl Into<String>,
) -> RecordIssue {
    RecordIssue {
        record: record.to_string(),
        kind: kind.clone(),
        field: field.to_string(),
        message: message.into(),
        skipped: true,
    }
}

fn decode<T: serde::de::DeserializeOwned>(
    kind: &EntityKind,
    label: &str,
    item: &Value,
) -> Result<T, RecordIssue> {
    decode_item::<T>(label, item).map_err(|e| match e {
        canvass_core::Error::Decode { path, message, .. } => {
            skipped(kind, &record_label(label, item), &path, message)
        }
        other => skipped(kind, &record_label(label, item), "", other.to_string()),
    })
}

fn record_label(label: &str, item: &Value) -> String {
    models::resource_id(item).unwrap_or_else(|| label.to_string())
}

fn require_id<R: Resource>(kind: &EntityKind, label: &str, r: &R) -> Result<String, RecordIssue> {
    r.id().ok_or_else(|| {
        skipped(
            kind,
            label,
            "identifiers",
            format!("no `{ID_PREFIX}<id>` identifier and no `_links.self`"),
        )
    })
}

/// An Action Network subscription status (`"previous bounce"`) in the
/// canonical model (`PreviousBounce`); unknown values are kept as `Other`.
///
/// ```
/// use canvass_actionnetwork::mapping::subscription_status;
/// use canvass_core::SubscriptionStatus;
/// assert_eq!(subscription_status(Some("previous bounce")), SubscriptionStatus::PreviousBounce);
/// assert_eq!(subscription_status(Some("Subscribed")), SubscriptionStatus::Subscribed);
/// assert_eq!(subscription_status(Some("paused")), SubscriptionStatus::Other("paused".into()));
/// assert_eq!(subscription_status(None), SubscriptionStatus::Unknown);
/// ```
pub fn subscription_status(status: Option<&str>) -> SubscriptionStatus {
    match status.map(str::trim).filter(|s| !s.is_empty()) {
        None => SubscriptionStatus::Unknown,
        Some(s) => match SubscriptionStatus::parse(&s.to_lowercase().replace([' ', '-'], "_")) {
            SubscriptionStatus::Other(_) => SubscriptionStatus::Other(s.to_string()),
            known => known,
        },
    }
}

/// The status Action Network wants in a write for a canonical one; `None`
/// for `Unknown`, so an existing person's status is left alone.
pub fn subscription_status_out(status: &SubscriptionStatus) -> Option<String> {
    match status {
        SubscriptionStatus::Unknown => None,
        SubscriptionStatus::Subscribed => Some("subscribed".into()),
        // Bounces and complaints are Action Network's to set; for a write,
        // any opted-out state means "do not contact".
        s if s.is_opted_out() => Some("unsubscribed".into()),
        _ => None,
    }
}

/// An Action Network RSVP status in the canonical model: `accepted` →
/// `Registered`, `tentative` → `Tentative`, `declined` → `Declined`,
/// `needs action` → `Invited`; anything else is kept as `Other`.
///
/// ```
/// use canvass_actionnetwork::mapping::attendance_status;
/// use canvass_core::AttendanceStatus;
/// assert_eq!(attendance_status("needs action"), AttendanceStatus::Invited);
/// assert_eq!(attendance_status("waitlisted"), AttendanceStatus::Other("waitlisted".into()));
/// ```
pub fn attendance_status(status: &str) -> AttendanceStatus {
    match status.trim().to_lowercase().as_str() {
        "accepted" => AttendanceStatus::Registered,
        "tentative" => AttendanceStatus::Tentative,
        "declined" => AttendanceStatus::Declined,
        "needs action" | "needs_action" => AttendanceStatus::Invited,
        _ => AttendanceStatus::Other(status.to_string()),
    }
}

/// The Action Network RSVP status for a canonical one, when there is one.
///
/// # Errors
/// [`canvass_core::Error::InvalidInput`] for statuses Action Network cannot
/// hold (no-show, for one).
pub fn attendance_status_out(
    status: &AttendanceStatus,
) -> Result<&'static str, canvass_core::Error> {
    use crate::models::attendance_status as an;
    Ok(match status {
        AttendanceStatus::Registered
        | AttendanceStatus::Confirmed
        | AttendanceStatus::Attended
        | AttendanceStatus::WalkIn => an::ACCEPTED,
        AttendanceStatus::Tentative => an::TENTATIVE,
        AttendanceStatus::Declined | AttendanceStatus::Cancelled => an::DECLINED,
        AttendanceStatus::Invited => an::NEEDS_ACTION,
        AttendanceStatus::Other(s)
            if ["accepted", "tentative", "declined", "needs action"].contains(&s.as_str()) =>
        {
            match s.as_str() {
                "accepted" => an::ACCEPTED,
                "tentative" => an::TENTATIVE,
                "declined" => an::DECLINED,
                _ => an::NEEDS_ACTION,
            }
        }
        other => {
            return Err(canvass_core::Error::invalid_input(
                "attendance.status",
                format!(
                    "Action Network RSVPs are accepted, tentative, declined or needs action; `{other}` has no equivalent"
                ),
            ));
        }
    })
}

fn phone_kind(number_type: Option<&str>) -> PhoneKind {
    match number_type.map(|t| t.trim().to_lowercase()).as_deref() {
        Some("mobile" | "cell") => PhoneKind::Mobile,
        Some("home" | "landline" | "work") => PhoneKind::Landline,
        _ => PhoneKind::Unknown,
    }
}

/// Maps a decoded Action Network person.
///
/// # Errors
/// A skipped [`RecordIssue`] when the person has no id.
pub fn person(p: &models::Person, label: &str) -> Result<(Person, Vec<RecordIssue>), RecordIssue> {
    let kind = EntityKind::People;
    let id = require_id(&kind, label, p)?;
    let mut issues = Issues {
        record: id.clone(),
        kind: &kind,
        list: vec![],
    };
    let mut extra = p.extra.clone();
    let mut out = Person {
        source: source(id),
        given_name: p
            .given_name
            .as_deref()
            .and_then(canvass_core::normalize::clean_name),
        family_name: p
            .family_name
            .as_deref()
            .and_then(canvass_core::normalize::clean_name),
        languages: p.languages_spoken.clone(),
        custom_fields: p.custom_fields.clone().into_iter().collect(),
        ..Person::default()
    };
    out.created_at = issues.time("created_date", p.created_date.as_ref(), &mut extra);
    out.modified_at = issues.time("modified_date", p.modified_date.as_ref(), &mut extra);
    for (i, e) in p.email_addresses.iter().enumerate() {
        let Some(address) = e.address.as_deref().filter(|a| !a.trim().is_empty()) else {
            issues.add(
                format!("email_addresses[{i}].address"),
                "missing address; entry ignored",
            );
            continue;
        };
        let mut email = Email::parse(address);
        if !email.valid {
            issues.add(
                format!("email_addresses[{i}].address"),
                format!("not a valid email address: {address:?}; kept as is"),
            );
        }
        email.primary = e.primary.unwrap_or(false);
        email.status = subscription_status(e.status.as_deref());
        out.emails.push(email);
    }
    for (i, ph) in p.phone_numbers.iter().enumerate() {
        let Some(number) = ph.number.as_deref().filter(|n| !n.trim().is_empty()) else {
            issues.add(
                format!("phone_numbers[{i}].number"),
                "missing number; entry ignored",
            );
            continue;
        };
        let mut phone = Phone::parse(number, phone_kind(ph.number_type.as_deref()));
        if !phone.valid {
            issues.add(
                format!("phone_numbers[{i}].number"),
                format!("not a valid phone number: {number:?}; kept as is"),
            );
        }
        phone.primary = ph.primary.unwrap_or(false);
        phone.sms_status = subscription_status(ph.status.as_deref());
        out.phones.push(phone);
    }
    out.addresses = p.postal_addresses.iter().map(address).collect();
    out.external_ids = p
        .identifiers
        .iter()
        .filter(|i| !i.starts_with(ID_PREFIX))
        .filter_map(|i| i.split_once(':'))
        .map(|(system, id)| ExternalId {
            system: system.into(),
            id: id.into(),
        })
        .collect();
    out.extra = extra;
    Ok((out, issues.list))
}

/// An address in the canonical model; empty strings (published examples
/// send `"region": ""`) are absent, not blank.
fn address(a: &models::PostalAddress) -> PostalAddress {
    let text = |v: &Option<String>| v.clone().filter(|s| !s.trim().is_empty());
    PostalAddress {
        lines: a
            .address_lines
            .iter()
            .filter(|l| !l.trim().is_empty())
            .cloned()
            .collect(),
        locality: text(&a.locality),
        region: text(&a.region),
        postal_code: text(&a.postal_code),
        country: text(&a.country),
        kind: None,
        primary: a.primary.unwrap_or(false),
    }
}

/// Maps one raw item of `kind` read from a collection (under `parent` for
/// nested collections).
///
/// # Errors
/// A skipped [`RecordIssue`] naming the field when the item cannot be mapped.
pub fn map_item(
    kind: &EntityKind,
    parent: Option<Parent<'_>>,
    label: &str,
    item: &Value,
) -> Mapped {
    match kind {
        EntityKind::People => {
            let p: models::Person = decode(kind, label, item)?;
            person(&p, label).map(|(p, i)| (Record::Person(p), i))
        }
        EntityKind::Tags => {
            let t: models::Tag = decode(kind, label, item)?;
            let id = require_id(kind, label, &t)?;
            let name = t
                .name
                .clone()
                .ok_or_else(|| skipped(kind, &id, "name", "a tag without a name"))?;
            let mut extra = t.extra.clone();
            for (k, v) in [
                ("created_date", &t.created_date),
                ("modified_date", &t.modified_date),
            ] {
                if let Some(v) = v {
                    extra.insert(k.into(), Value::String(v.clone()));
                }
            }
            Ok((
                Record::Tag(Tag {
                    source: source(id),
                    name,
                    extra,
                }),
                vec![],
            ))
        }
        EntityKind::Taggings => {
            let t: models::Tagging = decode(kind, label, item)?;
            let id = require_id(kind, label, &t)?;
            let person = t.linked_id("osdi:person").ok_or_else(|| {
                skipped(
                    kind,
                    &id,
                    "_links.osdi:person",
                    "a tagging without a person link",
                )
            })?;
            let tag = t
                .linked_id("osdi:tag")
                .or_else(|| parent.map(|p| p.id.to_string()))
                .ok_or_else(|| skipped(kind, &id, "_links.osdi:tag", "a tagging without a tag"))?;
            let mut issues = Issues {
                record: id.clone(),
                kind,
                list: vec![],
            };
            let mut extra = t.extra.clone();
            let modified_at = issues.time("modified_date", t.modified_date.as_ref(), &mut extra);
            Ok((
                Record::Tagging(Tagging {
                    source: source(id),
                    modified_at,
                    tag: source(tag),
                    person: source(person),
                    extra,
                }),
                issues.list,
            ))
        }
        EntityKind::Events => {
            let e: models::Event = decode(kind, label, item)?;
            let id = require_id(kind, label, &e)?;
            let mut issues = Issues {
                record: id.clone(),
                kind,
                list: vec![],
            };
            let mut extra = e.extra.clone();
            let modified_at = issues.time("modified_date", e.modified_date.as_ref(), &mut extra);
            let starts_at = issues.time("start_date", e.start_date.as_ref(), &mut extra);
            let ends_at = issues.time("end_date", e.end_date.as_ref(), &mut extra);
            let title = e.title.clone().unwrap_or_default();
            if title.is_empty() {
                issues.add("title", "an event without a title");
            }
            Ok((
                Record::Event(Event {
                    source: source(id),
                    modified_at,
                    title,
                    description: e.description.clone(),
                    starts_at,
                    ends_at,
                    timezone: None,
                    event_type: None,
                    location: e.location.as_ref().map(address),
                    venue: e.location.as_ref().and_then(|l| l.venue.clone()),
                    visibility: e.visibility.clone(),
                    is_virtual: None,
                    tags: vec![],
                    browser_url: e.browser_url.clone(),
                    extra,
                }),
                issues.list,
            ))
        }
        EntityKind::Attendances => {
            let a: models::Attendance = decode(kind, label, item)?;
            let id = require_id(kind, label, &a)?;
            let person = a
                .person_id
                .clone()
                .or_else(|| a.linked_id("osdi:person"))
                .ok_or_else(|| {
                    skipped(
                        kind,
                        &id,
                        "action_network:person_id",
                        "an attendance without a person",
                    )
                })?;
            let event = a
                .event_id
                .clone()
                .or_else(|| a.linked_id("osdi:event"))
                .or_else(|| parent.map(|p| p.id.to_string()))
                .ok_or_else(|| {
                    skipped(
                        kind,
                        &id,
                        "action_network:event_id",
                        "an attendance without an event",
                    )
                })?;
            let mut issues = Issues {
                record: id.clone(),
                kind,
                list: vec![],
            };
            let mut extra = a.extra.clone();
            let modified_at = issues.time("modified_date", a.modified_date.as_ref(), &mut extra);
            let status = match a.status.as_deref() {
                Some(s) => attendance_status(s),
                None => {
                    issues.add(
                        "status",
                        "no status; taken as accepted (Action Network's default)",
                    );
                    AttendanceStatus::Registered
                }
            };
            if let AttendanceStatus::Other(s) = &status {
                issues.add("status", format!("unknown RSVP status {s:?}; kept as is"));
            }
            Ok((
                Record::Attendance(Attendance {
                    source: source(id),
                    modified_at,
                    person: source(person),
                    event: source(event),
                    shift: None,
                    status,
                    extra,
                }),
                issues.list,
            ))
        }
        EntityKind::Donations => {
            let d: models::Donation = decode(kind, label, item)?;
            let id = require_id(kind, label, &d)?;
            let amount_text = d
                .amount
                .clone()
                .ok_or_else(|| skipped(kind, &id, "amount", "a donation without an amount"))?;
            let amount_minor = money_minor_units(&amount_text)
                .map_err(|e| skipped(kind, &id, "amount", format!("{amount_text:?}: {e}")))?;
            let mut issues = Issues {
                record: id.clone(),
                kind,
                list: vec![],
            };
            let mut extra = d.extra.clone();
            let modified_at = issues.time("modified_date", d.modified_date.as_ref(), &mut extra);
            let received_at = issues.time("created_date", d.created_date.as_ref(), &mut extra);
            let recurrence = match &d.recurrence {
                Some(r) if r.recurring == Some(true) => {
                    match r
                        .period
                        .as_deref()
                        .map(|p| p.trim().to_lowercase())
                        .as_deref()
                    {
                        Some("weekly") => Recurrence::Weekly,
                        Some("monthly") => Recurrence::Monthly,
                        Some("yearly" | "annually" | "annual") => Recurrence::Yearly,
                        Some(other) => Recurrence::Other(other.to_string()),
                        None => Recurrence::Other("recurring".into()),
                    }
                }
                _ => Recurrence::OneTime,
            };
            if let Some(page) = &d.fundraising_page_id {
                extra.insert("fundraising_page_id".into(), Value::String(page.clone()));
            }
            let currency = d
                .currency
                .as_deref()
                .map(str::to_uppercase)
                .unwrap_or_else(|| {
                    issues.add("currency", "no currency; taken as USD");
                    "USD".into()
                });
            Ok((
                Record::Donation(Donation {
                    source: source(id),
                    modified_at,
                    person: d
                        .person_id
                        .clone()
                        .or_else(|| d.linked_id("osdi:donor"))
                        .or_else(|| d.linked_id("osdi:person"))
                        .map(source),
                    amount_minor,
                    currency,
                    recurrence,
                    received_at,
                    extra,
                }),
                issues.list,
            ))
        }
        EntityKind::Actions => {
            let s: models::Submission = decode(kind, label, item)?;
            let id = require_id(kind, label, &s)?;
            let (action_type, target_rel) = match parent.map(|p| p.collection) {
                Some("petitions") => ("petition_signature", "osdi:petition"),
                _ => ("form_submission", "osdi:form"),
            };
            let mut issues = Issues {
                record: id.clone(),
                kind,
                list: vec![],
            };
            let mut extra = s.extra.clone();
            let taken_at = issues.time("created_date", s.created_date.as_ref(), &mut extra);
            if let Some(m) = &s.modified_date {
                extra.insert("modified_date".into(), Value::String(m.clone()));
            }
            Ok((
                Record::Action(Action {
                    source: source(id),
                    taken_at,
                    person: s
                        .person_id
                        .clone()
                        .or_else(|| s.linked_id("osdi:person"))
                        .map(source),
                    action_type: action_type.into(),
                    target: s
                        .linked_id(target_rel)
                        .or_else(|| parent.map(|p| p.id.to_string()))
                        .map(source),
                    extra,
                }),
                issues.list,
            ))
        }
        other => Err(skipped(
            other,
            label,
            "",
            format!("{SYSTEM} does not read {other}"),
        )),
    }
}

/// A canonical person as the signup helper's `person` hash: valid emails
/// and phones only (in E.164 digits), statuses only where known.
pub fn signup_person(p: &Person) -> models::SignupPerson {
    models::SignupPerson {
        given_name: p.given_name.clone(),
        family_name: p.family_name.clone(),
        email_addresses: p
            .emails
            .iter()
            .filter(|e| e.valid)
            .map(|e| models::SignupEmail {
                address: e.address.clone(),
                status: subscription_status_out(&e.status),
            })
            .collect(),
        phone_numbers: p
            .phones
            .iter()
            .filter(|ph| ph.valid)
            .map(|ph| models::SignupPhone {
                number: ph.number.trim_start_matches('+').to_string(),
                status: subscription_status_out(&ph.sms_status),
            })
            .collect(),
        postal_addresses: p
            .addresses
            .iter()
            .map(|a| models::SignupAddress {
                address_lines: a.lines.clone(),
                locality: a.locality.clone(),
                region: a.region.clone(),
                postal_code: a.postal_code.clone(),
                country: a.country.clone(),
            })
            .collect(),
        languages_spoken: p.languages.clone(),
        custom_fields: p.custom_fields.clone().into_iter().collect(),
    }
}
