//! Mapping Mobilize records onto the canonical model.
//!
//! Each raw item is decoded on its own, so one bad record becomes a
//! [`RecordIssue`] with `skipped: true` and the rest of the page continues;
//! invalid emails and phones are kept with `valid: false` and reported with
//! `skipped: false`.

use canvass_core::time::from_unix;
use canvass_core::{
    Attendance, AttendanceStatus, Deletion, Email, EntityKind, Event, Person, Phone, PhoneKind,
    PostalAddress, Record, RecordIssue, Shift, SourceRef, SubscriptionStatus, Tag,
};
use serde_json::{Map, Value, json};

use crate::client::SYSTEM;
use crate::models;

/// What one vendor item became.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Mapped {
    /// The canonical records (an event yields itself and its shifts).
    pub records: Vec<Record>,
    /// The item's id for its raw JSON (its position when it has none).
    pub id: String,
    /// Problems found.
    pub issues: Vec<RecordIssue>,
}

fn src(id: impl Into<String>) -> SourceRef {
    SourceRef::new(SYSTEM, id)
}

fn issue(
    record: &str,
    kind: EntityKind,
    field: &str,
    message: impl Into<String>,
    skipped: bool,
) -> RecordIssue {
    RecordIssue {
        record: record.to_string(),
        kind,
        field: field.to_string(),
        message: message.into(),
        skipped,
    }
}

/// The id of a raw item, for messages: its `id`, else `#<position>`.
fn raw_id(value: &Value, position: usize) -> String {
    match value.get("id") {
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
        _ => format!("#{position}"),
    }
}

/// Decodes `value` as `T`; a failure is a skipped-record issue naming the path.
fn decode<T: serde::de::DeserializeOwned>(
    value: &Value,
    position: usize,
    kind: &EntityKind,
) -> Result<T, RecordIssue> {
    serde_path_to_error::deserialize::<_, T>(value.clone()).map_err(|e| {
        let path = e.path().to_string();
        issue(
            &raw_id(value, position),
            kind.clone(),
            &path,
            format!("cannot decode: {}", e.inner()),
            true,
        )
    })
}

fn iso(unix: Option<i64>) -> Value {
    unix.and_then(from_unix)
        .map_or(Value::Null, |t| Value::String(t.to_rfc3339()))
}

/// Maps SMS opt-in: `OPT_IN` subscribed, `OPT_OUT` unsubscribed,
/// `UNSPECIFIED` (or missing) unknown; anything new is kept as `Other`.
pub fn sms_status(status: Option<&models::SmsOptInStatus>) -> SubscriptionStatus {
    match status {
        Some(models::SmsOptInStatus::OptIn) => SubscriptionStatus::Subscribed,
        Some(models::SmsOptInStatus::OptOut) => SubscriptionStatus::Unsubscribed,
        Some(models::SmsOptInStatus::Other(s)) => SubscriptionStatus::Other(s.clone()),
        _ => SubscriptionStatus::Unknown,
    }
}

/// The canonical status of a signup: `attended: true` is attended; a
/// cancelled signup stays cancelled; `attended: false` is a no-show;
/// otherwise registered or confirmed as Mobilize says (an undocumented
/// status is kept, lower-cased, as `Other`).
///
/// ```
/// use canvass_core::AttendanceStatus;
/// use canvass_mobilize::map::attendance_status;
/// use canvass_mobilize::models::SignupStatus;
/// assert_eq!(attendance_status(Some(&SignupStatus::Registered), Some(true)), AttendanceStatus::Attended);
/// assert_eq!(attendance_status(Some(&SignupStatus::Confirmed), Some(false)), AttendanceStatus::NoShow);
/// assert_eq!(attendance_status(Some(&SignupStatus::Cancelled), Some(false)), AttendanceStatus::Cancelled);
/// ```
pub fn attendance_status(
    status: Option<&models::SignupStatus>,
    attended: Option<bool>,
) -> AttendanceStatus {
    use models::SignupStatus as S;
    match (status, attended) {
        (_, Some(true)) => AttendanceStatus::Attended,
        (Some(S::Cancelled), _) => AttendanceStatus::Cancelled,
        (_, Some(false)) => AttendanceStatus::NoShow,
        (Some(S::Confirmed), None) => AttendanceStatus::Confirmed,
        (Some(S::Other(s)), None) => AttendanceStatus::Other(s.to_lowercase()),
        (Some(S::Registered) | None, None) => AttendanceStatus::Registered,
    }
}

/// Maps a person. `None` (with a skipped issue) when it has no id at all.
pub fn person(
    p: &models::Person,
    position: usize,
    issues: &mut Vec<RecordIssue>,
) -> Option<Person> {
    let kind = EntityKind::People;
    let Some(id) = p.canonical_id() else {
        issues.push(issue(
            &format!("#{position}"),
            kind,
            "id",
            "person has no id, person_id or user_id",
            true,
        ));
        return None;
    };
    let sms = sms_status(p.sms_opt_in_status.as_ref());
    let mut out = Person {
        source: src(id.clone()),
        modified_at: p.modified_date.and_then(from_unix),
        created_at: p.created_date.and_then(from_unix),
        given_name: p.given_name.clone().filter(|s| !s.trim().is_empty()),
        family_name: p.family_name.clone().filter(|s| !s.trim().is_empty()),
        ..Person::default()
    };
    for (i, e) in p.email_addresses.iter().enumerate() {
        let Some(address) = e.address.as_deref().filter(|a| !a.trim().is_empty()) else {
            continue;
        };
        let mut email = Email::parse(address);
        email.primary = e.primary.unwrap_or(false);
        if !email.valid {
            issues.push(issue(
                &id,
                kind.clone(),
                &format!("email_addresses[{i}].address"),
                format!("invalid email {address:?}, kept as sent"),
                false,
            ));
        }
        out.emails.push(email);
    }
    for (i, ph) in p.phone_numbers.iter().enumerate() {
        let Some(number) = ph.number.as_deref().filter(|n| !n.trim().is_empty()) else {
            continue;
        };
        let mut phone = Phone::parse(number, PhoneKind::Unknown);
        phone.primary = ph.primary.unwrap_or(false);
        phone.sms_status = sms.clone();
        if !phone.valid {
            issues.push(issue(
                &id,
                kind.clone(),
                &format!("phone_numbers[{i}].number"),
                format!("invalid phone {number:?}, kept as sent"),
                false,
            ));
        }
        out.phones.push(phone);
    }
    for a in &p.postal_addresses {
        let text = |k: &str| {
            a.extra
                .get(k)
                .and_then(Value::as_str)
                .map(str::to_string)
                .filter(|s| !s.is_empty())
        };
        let mut lines: Vec<String> = match a.extra.get("address_lines") {
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect(),
            _ => ["address_line_1", "address_line_2"]
                .iter()
                .filter_map(|k| text(k))
                .collect(),
        };
        lines.retain(|l| !l.trim().is_empty());
        out.addresses.push(PostalAddress {
            lines,
            locality: text("locality"),
            region: text("region"),
            postal_code: a.postal_code.clone().filter(|z| !z.trim().is_empty()),
            country: text("country"),
            kind: None,
            primary: a.primary.unwrap_or(false),
        });
    }
    let mut extra = p.extra.clone();
    if let Some(u) = p.user_id {
        extra.insert("user_id".into(), json!(u));
    }
    if let Some(pid) = p.person_id {
        extra.insert("person_id".into(), json!(pid));
    }
    extra.insert(
        "sms_opt_in_status".into(),
        p.sms_opt_in_status
            .as_ref()
            .map_or(Value::Null, |s| Value::String(s.as_str().to_string())),
    );
    extra.insert("blocked_date".into(), iso(p.blocked_date));
    out.extra = extra;
    Some(out)
}

/// Maps one timeslot of event `event_id`; `None` when the timeslot has no id.
pub fn shift(event_id: &str, t: &models::Timeslot) -> Option<Shift> {
    let id = t.id?;
    let mut extra = t.extra.clone();
    if let Some(full) = t.is_full {
        extra.insert("is_full".into(), json!(full));
    }
    if let Some(i) = t.instructions.as_ref().filter(|s| !s.is_empty()) {
        extra.insert("instructions".into(), json!(i));
    }
    Some(Shift {
        source: src(id.to_string()),
        event: src(event_id),
        name: None,
        starts_at: t.start_date.and_then(from_unix),
        ends_at: t.end_date.and_then(from_unix),
        capacity: t.max_attendees,
        extra,
    })
}

/// Maps an event and its timeslots. `None` when the event has no id.
pub fn event(e: &models::Event) -> Option<(Event, Vec<Shift>)> {
    let id = e.id?.to_string();
    let starts_at = e
        .timeslots
        .iter()
        .filter_map(|t| t.start_date)
        .min()
        .and_then(from_unix);
    let ends_at = if !e.timeslots.is_empty() && e.timeslots.iter().all(|t| t.end_date.is_some()) {
        e.timeslots
            .iter()
            .filter_map(|t| t.end_date)
            .max()
            .and_then(from_unix)
    } else {
        None
    };
    let mut extra = e.extra.clone();
    let mut put = |k: &str, v: Value| {
        if !v.is_null() {
            extra.insert(k.to_string(), v);
        }
    };
    put(
        "summary",
        json!(e.summary.as_ref().filter(|s| !s.is_empty())),
    );
    put(
        "sponsor",
        e.sponsor.as_ref().map_or(Value::Null, |s| json!(s)),
    );
    put("high_priority", json!(e.high_priority));
    put(
        "address_visibility",
        json!(e.address_visibility.as_ref().map(|v| v.as_str())),
    );
    put("virtual_action_url", json!(e.virtual_action_url));
    put("contact", e.contact.as_ref().map_or(Value::Null, |c| {
        json!({"name": c.name, "email_address": c.email(), "phone_number": c.phone_number, "owner_user_id": c.owner_user_id})
    }));
    put("created_date", iso(e.created_date));
    put(
        "tag_ids",
        json!(e.tags.iter().map(|t| t.id).collect::<Vec<_>>()),
    );
    let location = e.location.as_ref().map(|l| {
        let mut districts = Map::new();
        for (k, v) in [
            ("congressional", l.congressional()),
            ("state_leg", l.state_leg()),
            ("state_senate", l.state_senate()),
        ] {
            if let Some(v) = v {
                districts.insert(k.into(), json!(v));
            }
        }
        if !districts.is_empty() {
            put("districts", Value::Object(districts));
        }
        if let Some(g) = &l.location {
            put(
                "geo",
                json!({"latitude": g.latitude, "longitude": g.longitude}),
            );
        }
        if !l.extra.is_empty() {
            put("location_extra", Value::Object(l.extra.clone()));
        }
        PostalAddress {
            lines: l
                .address_lines
                .iter()
                .filter(|s| !s.trim().is_empty())
                .cloned()
                .collect(),
            locality: l.locality.clone().filter(|s| !s.is_empty()),
            region: l.region.clone().filter(|s| !s.is_empty()),
            postal_code: l.postal_code.clone().filter(|s| !s.is_empty()),
            country: l.country.clone().filter(|s| !s.is_empty()),
            kind: None,
            primary: true,
        }
    });
    let shifts = e.timeslots.iter().filter_map(|t| shift(&id, t)).collect();
    let out = Event {
        source: src(id.clone()),
        modified_at: e.modified_date.and_then(from_unix),
        title: e.title.clone().unwrap_or_default(),
        description: e.description.clone().filter(|s| !s.is_empty()),
        starts_at,
        ends_at,
        timezone: e.timezone.clone().filter(|s| !s.is_empty()),
        event_type: e.event_type.as_ref().map(|t| t.as_str().to_string()),
        venue: e
            .location
            .as_ref()
            .and_then(|l| l.venue.clone())
            .filter(|s| !s.is_empty()),
        location,
        visibility: e.visibility.as_ref().map(|v| v.as_str().to_string()),
        is_virtual: e.is_virtual,
        tags: e.tags.iter().map(|t| t.name.clone()).collect(),
        browser_url: e.browser_url.clone(),
        extra,
    };
    Some((out, shifts))
}

/// Maps a tag.
pub fn tag(t: &models::Tag) -> Tag {
    Tag {
        source: src(t.id.to_string()),
        name: t.name.clone(),
        extra: Map::new(),
    }
}

/// Maps a deleted event to a [`Deletion`] of an event.
pub fn deletion(d: &models::DeletedEvent) -> Deletion {
    Deletion {
        source: src(d.id.to_string()),
        kind: EntityKind::Events,
        deleted_at: d.deleted_date.and_then(from_unix),
    }
}

/// Maps an attendance. `None` (with a skipped issue) when it has no person.
pub fn attendance(
    a: &models::Attendance,
    position: usize,
    issues: &mut Vec<RecordIssue>,
) -> Option<Attendance> {
    let kind = EntityKind::Attendances;
    let id = a.canonical_id();
    let Some(person_id) = a.person.as_ref().and_then(models::Person::canonical_id) else {
        let record = if a.id.is_some() {
            id
        } else {
            format!("#{position}")
        };
        issues.push(issue(
            &record,
            kind,
            "person.id",
            "attendance has no person id",
            true,
        ));
        return None;
    };
    let event_id = a.event.as_ref().and_then(|e| e.id);
    if event_id.is_none() {
        issues.push(issue(&id, kind.clone(), "event.id", "Mobilize omitted the event id (an independent organization reading a coordinated event); the attendance is kept without an event link", false));
    }
    let mut extra = a.extra.clone();
    extra.insert(
        "status".into(),
        json!(a.status.as_ref().map(|s| s.as_str())),
    );
    extra.insert("attended".into(), json!(a.attended));
    if a.id.is_none() {
        extra.insert("id_derived".into(), json!(true));
    }
    if let Some(r) = &a.referrer {
        extra.insert("referrer".into(), json!(r));
    }
    if !a.custom_signup_field_values.is_empty() {
        extra.insert(
            "custom_signup_field_values".into(),
            json!(a.custom_signup_field_values),
        );
    }
    if let Some(s) = &a.sponsor {
        extra.insert("sponsor_id".into(), json!(s.id));
    }
    if let Some(t) = &a.timeslot {
        extra.insert("timeslot_start".into(), iso(t.start_date));
        extra.insert("timeslot_end".into(), iso(t.end_date));
    }
    if let Some(t) = a.event.as_ref().and_then(|e| e.event_type.as_ref()) {
        extra.insert("event_type".into(), json!(t.as_str()));
    }
    extra.insert("created_date".into(), iso(a.created_date));
    Some(Attendance {
        source: src(id),
        modified_at: a.modified_date.and_then(from_unix),
        person: src(person_id),
        event: src(event_id.map(|e| e.to_string()).unwrap_or_default()),
        shift: a
            .timeslot
            .as_ref()
            .and_then(|t| t.id)
            .map(|t| src(t.to_string())),
        status: attendance_status(a.status.as_ref(), a.attended),
        extra,
    })
}

/// Which records a raw item is read for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemKind {
    /// A person.
    Person,
    /// An event, yielding the event and its shifts.
    EventWithShifts,
    /// An event, yielding only its shifts.
    ShiftsOf,
    /// An event, yielding only its tags.
    TagsOf,
    /// A deleted event.
    Deleted,
    /// An attendance.
    Attendance,
}

/// Decodes and maps one raw item read as `read_kind`.
pub fn map_item(item: ItemKind, read_kind: &EntityKind, value: &Value, position: usize) -> Mapped {
    let mut out = Mapped {
        id: raw_id(value, position),
        ..Mapped::default()
    };
    match item {
        ItemKind::Person => match decode::<models::Person>(value, position, read_kind) {
            Ok(p) => {
                if let Some(id) = p.canonical_id() {
                    out.id = id;
                }
                out.records
                    .extend(person(&p, position, &mut out.issues).map(Record::Person));
            }
            Err(i) => out.issues.push(i),
        },
        ItemKind::EventWithShifts | ItemKind::ShiftsOf | ItemKind::TagsOf => {
            match decode::<models::Event>(value, position, read_kind) {
                Ok(e) => match item {
                    ItemKind::TagsOf => out
                        .records
                        .extend(e.tags.iter().map(|t| Record::Tag(tag(t)))),
                    _ => match event(&e) {
                        Some((ev, shifts)) => {
                            if item == ItemKind::EventWithShifts {
                                out.records.push(Record::Event(ev));
                            }
                            out.records.extend(shifts.into_iter().map(Record::Shift));
                        }
                        None => out.issues.push(issue(
                            &out.id,
                            read_kind.clone(),
                            "id",
                            "event has no id",
                            true,
                        )),
                    },
                },
                Err(i) => out.issues.push(i),
            }
        }
        ItemKind::Deleted => match decode::<models::DeletedEvent>(value, position, read_kind) {
            Ok(d) => out.records.push(Record::Deletion(deletion(&d))),
            Err(i) => out.issues.push(i),
        },
        ItemKind::Attendance => match decode::<models::Attendance>(value, position, read_kind) {
            Ok(a) => {
                out.id = a.canonical_id();
                out.records
                    .extend(attendance(&a, position, &mut out.issues).map(Record::Attendance));
            }
            Err(i) => out.issues.push(i),
        },
    }
    out
}
